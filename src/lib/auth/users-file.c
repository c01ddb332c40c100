/* The local users file: parsing, lookup and atomic rewriting. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/mailaddr.h"
#include "util/memory.h"
#include "auth/users-file.h"

bool jmb_login_is_valid(const char *login)
{
	size_t len = strlen(login);

	if (len == 0 || len > 64 || !isalnum((unsigned char)login[0]))
		return false;
	for (const char *p = login; *p != '\0'; p++) {
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      strchr("._-", *p)))
			return false;
	}
	return true;
}

static int parse_line(char *line, struct jmb_local_user *u)
{
	char *fields[4];
	char *p = line;

	for (int i = 0; i < 3; i++) {
		char *colon = strchr(p, ':');
		if (colon == NULL)
			return -1;
		*colon = '\0';
		fields[i] = p;
		p = colon + 1;
	}
	fields[3] = p; /* the name may hold colons */
	if (!jmb_login_is_valid(fields[0]) || fields[1][0] != '$' ||
	    (fields[2][0] != '\0' && !jmb_mail_is_valid(fields[2])))
		return -1;
	u->login = jmb_xstrdup(fields[0]);
	u->hash = jmb_xstrdup(fields[1]);
	u->mail = jmb_xstrdup(fields[2]);
	u->name = jmb_xstrdup(fields[3]);
	return 0;
}

int jmb_users_file_read(const char *path, bool missing_ok, struct jmb_users_file *out,
                        struct jmb_error *error)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;
	int lineno = 0, ret = 0;

	out->users = NULL;
	out->count = 0;
	if (fp == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		jmb_error_set(error, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (out->count == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			out->users = jmb_xrealloc(out->users, alloc * sizeof(*out->users));
		}
		if (parse_line(line, &out->users[out->count]) < 0) {
			jmb_error_set(error, "%s:%d: expected login:hash:mail:name", path, lineno);
			ret = -1;
			break;
		}
		out->count++;
	}
	free(line);
	fclose(fp);
	if (ret < 0)
		jmb_users_file_free(out);
	return ret;
}

void jmb_users_file_free(struct jmb_users_file *file)
{
	for (size_t i = 0; i < file->count; i++) {
		free(file->users[i].login);
		if (file->users[i].hash != NULL)
			explicit_bzero(file->users[i].hash, strlen(file->users[i].hash));
		free(file->users[i].hash);
		free(file->users[i].mail);
		free(file->users[i].name);
	}
	free(file->users);
	file->users = NULL;
	file->count = 0;
}

const struct jmb_local_user *jmb_users_file_find(const struct jmb_users_file *file,
                                                 const char *login)
{
	for (size_t i = 0; i < file->count; i++) {
		if (strcmp(file->users[i].login, login) == 0)
			return &file->users[i];
	}
	return NULL;
}

static bool field_is_clean(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* The file as it is, with put added or replacing the user of its login, and
 * without the user called drop (either may be NULL). */
static int write_users(FILE *fp, const struct jmb_users_file *file,
                       const struct jmb_local_user *put, const char *drop)
{
	bool replaced = false;

	fprintf(fp, "# jmb local users: login:hash:mail:name (managed by 'jmbctl user')\n");
	for (size_t i = 0; i < file->count; i++) {
		const struct jmb_local_user *u = &file->users[i];
		if (drop != NULL && strcmp(u->login, drop) == 0)
			continue;
		if (put != NULL && strcmp(u->login, put->login) == 0) {
			u = put;
			replaced = true;
		}
		fprintf(fp, "%s:%s:%s:%s\n", u->login, u->hash, u->mail, u->name);
	}
	if (put != NULL && !replaced)
		fprintf(fp, "%s:%s:%s:%s\n", put->login, put->hash, put->mail, put->name);
	return fflush(fp) == 0 && fsync(fileno(fp)) == 0 ? 0 : -1;
}

/* Writes the file anew (see write_users) through a temporary file and rename.
 * Returns 0, -1 on error, 1 when drop is given and has no line. */
static int rewrite(const char *path, const struct jmb_local_user *put, const char *drop,
                   struct jmb_error *error)
{
	struct jmb_users_file file;
	struct stat st;
	char *tmp = NULL;
	FILE *fp = NULL;
	bool write_failed;
	int fd, saved_errno, ret = -1;

	if (jmb_users_file_read(path, true, &file, error) < 0)
		return -1;
	if (drop != NULL && jmb_users_file_find(&file, drop) == NULL) {
		jmb_users_file_free(&file);
		return 1;
	}
	tmp = jmb_xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0640);
	/* The new file replaces the old one: keep its owner and group (jmbd reads
	   it through its group), and 0640 whatever the umask. */
	if (fd >= 0 && stat(path, &st) == 0 && fchown(fd, st.st_uid, st.st_gid) < 0 &&
	    fchown(fd, (uid_t)-1, st.st_gid) < 0) {
		/* not allowed: the file stays the caller's, as any new file would */
	}
	if (fd >= 0 && fchmod(fd, 0640) < 0) {
		int saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		fd = -1;
	}
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		jmb_error_set(error, "%s: cannot create: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	/* fclose runs whether or not the writes failed: the FILE must not leak. */
	write_failed = write_users(fp, &file, put, drop) < 0;
	saved_errno = errno;
	if (fclose(fp) != 0 && !write_failed) {
		write_failed = true;
		saved_errno = errno;
	}
	fp = NULL;
	if (write_failed) {
		jmb_error_set(error, "%s: cannot write: %s", tmp, strerror(saved_errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		jmb_error_set(error, "%s: cannot replace: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	if (fp != NULL)
		fclose(fp);
	free(tmp);
	jmb_users_file_free(&file);
	return ret;
}

int jmb_users_file_put(const char *path, const struct jmb_local_user *user, struct jmb_error *error)
{
	/* Only what parse_line() reads back: one bad line would lock every user out. */
	if (!jmb_login_is_valid(user->login) ||
	    (user->mail[0] != '\0' && !jmb_mail_is_valid(user->mail)) || user->hash[0] != '$' ||
	    strchr(user->hash, ':') != NULL || !field_is_clean(user->hash) ||
	    !field_is_clean(user->name)) {
		jmb_error_set(error, "invalid login, hash, mail or name");
		return -1;
	}
	return rewrite(path, user, NULL, error);
}

int jmb_users_file_delete(const char *path, const char *login, struct jmb_error *error)
{
	return rewrite(path, NULL, login, error);
}
