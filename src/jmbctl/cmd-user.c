/* jmbctl user add|list|passwd|delete and api-token create|list|revoke:
 * credentials for people. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "auth/api-token.h"
#include "domain/identity.h"
#include "jmbctl.h"
#include "domain/mailaddr.h"
#include "util/memory.h"
#include "auth/password.h"
#include "auth/users-file.h"
#include "util/text.h"
#include "store/store.h"

struct person_options {
	const char *mail, *name, *label;
	bool password_stdin;
};

static int parse_person_options(int argc, char **argv, struct person_options *o)
{
	static const struct option longopts[] = {
	    {"mail", required_argument, NULL, 'm'},
	    {"name", required_argument, NULL, 'n'},
	    {"label", required_argument, NULL, 'l'},
	    {"password-stdin", no_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 0; /* glibc: 0 re-initialises getopt after main() used it */
	while ((c = getopt_long(argc, argv, "m:n:l:p", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->mail = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'p':
			o->password_stdin = true;
			break;
		default:
			return -1;
		}
	}
	if (o->name != NULL && jmb_text_check(o->name, false) != JMB_TEXT_OK) {
		fprintf(stderr,
		        "jmbctl: --name must be UTF-8 text without control characters, "
		        "line breaks, invisible direction marks or unassigned characters\n");
		return -1;
	}
	return 0;
}

static char *read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, stdin);

	if (len <= 0) {
		free(line);
		return NULL;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return line;
}

/* The users file comes from the [auth.local] section, or its default. */
static const char *users_file_path(struct jmbctl *ctl)
{
	static const struct jmb_config_key key[] = {
	    {"users_file", JMB_CONF_STRING, 0, "/etc/jmb/users", JMB_CONF_PATH, 0, 0, NULL},
	    JMB_CONF_END,
	};
	struct jmb_error error;
	char *path = NULL;

	if (jmb_config_apply(ctl->file, "auth.local", key, &path, ctl->pool, &error) < 0) {
		fprintf(stderr, "%s\n", error.text);
		return NULL;
	}
	return path;
}

/* Gives user a new password (read from standard input, or generated and
 * printed) and saves it in the users file. */
static int save_with_password(const char *path, struct jmb_local_user *user, bool from_stdin)
{
	struct jmb_error error;
	char *password = from_stdin ? read_password() : jmb_password_generate();
	int status = CTL_FAIL;

	if (password == NULL || *password == '\0') {
		fprintf(stderr, "jmbctl: no password on standard input\n");
		free(password);
		return CTL_USAGE;
	}
	user->hash = jmb_password_hash(password);
	if (user->hash == NULL)
		jmb_error_set(&error, "cannot hash the password");
	if (user->hash == NULL || jmb_users_file_put(path, user, &error) < 0) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		goto out;
	}
	printf("user %s saved in %s\n", user->login, path);
	if (!from_stdin)
		printf("password: %s\n", password);
	status = CTL_OK;
out:
	explicit_bzero(password, strlen(password));
	free(password);
	free(user->hash);
	user->hash = NULL;
	return status;
}

#define USER_USAGE                                                                                 \
	"Usage: jmbctl user add LOGIN --mail MAIL --name NAME [--password-stdin]\n"                \
	"       jmbctl user list\n"                                                                \
	"       jmbctl user passwd LOGIN [--password-stdin]\n"                                     \
	"       jmbctl user delete LOGIN\n"

static int user_add(struct jmbctl *ctl, int argc, char **argv)
{
	struct person_options o = {0};
	struct jmb_local_user user;
	const char *path;

	if (parse_person_options(argc, argv, &o) < 0 || optind != argc - 1) {
		fprintf(
		    stderr,
		    "Usage: jmbctl user add LOGIN --mail MAIL --name NAME [--password-stdin]\n");
		return CTL_USAGE;
	}
	user.login = argv[optind];
	user.mail = (char *)(o.mail != NULL ? o.mail : "");
	user.name = (char *)(o.name != NULL ? o.name : "");
	if (!jmb_login_is_valid(user.login)) {
		fprintf(stderr, "jmbctl: '%s' is not a valid login (1-64 of a-z 0-9 . _ -)\n",
		        user.login);
		return CTL_USAGE;
	}
	if (*user.mail == '\0' || !jmb_mail_is_valid(user.mail)) {
		fprintf(stderr, "jmbctl: --mail needs a valid e-mail address\n");
		return CTL_USAGE;
	}
	if ((path = users_file_path(ctl)) == NULL)
		return CTL_CONFIG;
	user.mail = jmb_mail_normalize(ctl->pool, user.mail);
	return save_with_password(path, &user, o.password_stdin);
}

/* Their sessions end with the account or the old password; a store that
 * cannot be opened is reported but does not undo the file's change. */
static void end_sessions(struct jmbctl *ctl, const char *login)
{
	struct jmb_store *store = ctl_store(ctl);
	struct jmb_error error;
	long ended = 0;

	if (store == NULL ||
	    jmb_store_sessions_end_for(store, login, &ended, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s's sessions could not be ended%s%s\n", login,
		        store != NULL ? ": " : "", store != NULL ? error.text : "");
		return;
	}
	if (ended > 0)
		printf("%ld session%s of %s ended\n", ended, ended == 1 ? "" : "s", login);
}

static int user_list(struct jmbctl *ctl)
{
	struct jmb_users_file users = {0};
	struct jmb_error error;
	const char *path = users_file_path(ctl);

	if (path == NULL)
		return CTL_CONFIG;
	if (jmb_users_file_read(path, true, &users, &error) < 0) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%-20s  %-32s  %s\n", "LOGIN", "MAIL", "NAME");
	for (size_t i = 0; i < users.count; i++)
		printf("%-20s  %-32s  %s\n", users.users[i].login, users.users[i].mail,
		       users.users[i].name);
	jmb_users_file_free(&users);
	return CTL_OK;
}

static int user_passwd(struct jmbctl *ctl, int argc, char **argv)
{
	struct person_options o = {0};
	struct jmb_users_file users = {0};
	struct jmb_local_user user;
	const struct jmb_local_user *found;
	struct jmb_error error;
	const char *path;
	int status;

	if (parse_person_options(argc, argv, &o) < 0 || optind != argc - 1 || o.mail != NULL ||
	    o.name != NULL || o.label != NULL) {
		fprintf(stderr, "Usage: jmbctl user passwd LOGIN [--password-stdin]\n");
		return CTL_USAGE;
	}
	if ((path = users_file_path(ctl)) == NULL)
		return CTL_CONFIG;
	if (jmb_users_file_read(path, true, &users, &error) < 0) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	if ((found = jmb_users_file_find(&users, argv[optind])) == NULL) {
		fprintf(stderr, "jmbctl: no user %s in %s\n", argv[optind], path);
		jmb_users_file_free(&users);
		return EX_NOUSER;
	}
	user.login = jmb_pool_strdup(ctl->pool, found->login);
	user.mail = jmb_pool_strdup(ctl->pool, found->mail);
	user.name = jmb_pool_strdup(ctl->pool, found->name);
	jmb_users_file_free(&users);
	status = save_with_password(path, &user, o.password_stdin);
	if (status == CTL_OK)
		end_sessions(ctl, user.login);
	return status;
}

static int user_delete(struct jmbctl *ctl, const char *login)
{
	struct jmb_error error;
	const char *path = users_file_path(ctl);
	int r;

	if (path == NULL)
		return CTL_CONFIG;
	if ((r = jmb_users_file_delete(path, login, &error)) < 0) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	if (r > 0) {
		fprintf(stderr, "jmbctl: no user %s in %s\n", login, path);
		return EX_NOUSER;
	}
	printf("user %s deleted from %s\n", login, path);
	end_sessions(ctl, login);
	return CTL_OK;
}

int cmd_user(struct jmbctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return user_add(ctl, argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return user_list(ctl);
	if (argc >= 2 && strcmp(argv[1], "passwd") == 0)
		return user_passwd(ctl, argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "delete") == 0)
		return user_delete(ctl, argv[2]);
	fputs(USER_USAGE, stderr);
	return CTL_USAGE;
}

/* The identity a token speaks for: given on the command line, else from the
 * local users file. */
static struct jmb_identity *token_identity(struct jmbctl *ctl, const char *login,
                                           const struct person_options *o)
{
	const char *mail = o->mail, *name = o->name, *path;
	struct jmb_users_file users = {0};
	struct jmb_identity *id;

	if (mail == NULL && (path = users_file_path(ctl)) != NULL &&
	    jmb_users_file_read(path, true, &users, NULL) == 0) {
		const struct jmb_local_user *u = jmb_users_file_find(&users, login);
		if (u != NULL) {
			mail = jmb_pool_strdup(ctl->pool, u->mail);
			name = name != NULL ? name : jmb_pool_strdup(ctl->pool, u->name);
		}
	}
	jmb_users_file_free(&users);
	if (mail == NULL || !jmb_mail_is_valid(mail)) {
		fprintf(stderr, "jmbctl: no mail known for %s: give --mail\n", login);
		return NULL;
	}
	id = jmb_identity_new(ctl->pool, login, name, mail, "api-token");
	return id;
}

#define API_TOKEN_USAGE                                                                            \
	"Usage: jmbctl api-token create LOGIN [--label L] [--mail M] [--name N]\n"                 \
	"       jmbctl api-token list\n"                                                           \
	"       jmbctl api-token revoke ID\n"

/* One line a token: id, login, created, last used, revoked, label. */
static int api_token_list(struct jmbctl *ctl)
{
	struct jmb_store *store = ctl_store(ctl);
	struct jmb_api_token_list list;
	struct jmb_error error;

	if (store == NULL)
		return CTL_FAIL;
	if (jmb_store_api_tokens_list(store, ctl->pool, &list, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%-6s  %-20s %-20s %-20s %-20s  %s\n", "ID", "LOGIN", "CREATED", "LAST USED",
	       "REVOKED", "LABEL");
	for (size_t i = 0; i < list.count; i++) {
		const struct jmb_api_token_info *t = &list.items[i];
		struct jmb_identity *id = jmb_identity_from_json(ctl->pool, t->identity_json);

		printf("%-6lld  %-20s", (long long)t->id, id != NULL ? id->login : "?");
		ctl_print_utc(t->created_at);
		ctl_print_utc(t->last_used_at);
		ctl_print_utc(t->revoked_at);
		printf("  %s\n", t->label != NULL ? t->label : "");
	}
	return CTL_OK;
}

static int api_token_revoke(struct jmbctl *ctl, const char *arg)
{
	struct jmb_store *store;
	struct jmb_error error;
	enum jmb_store_result r;
	char *end;
	long long id;

	errno = 0;
	id = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || id <= 0) {
		fprintf(stderr, "jmbctl: '%s' is not a token id (see jmbctl api-token list)\n",
		        arg);
		return CTL_USAGE;
	}
	if ((store = ctl_store(ctl)) == NULL)
		return CTL_FAIL;
	r = jmb_store_api_token_revoke(store, id, time(NULL), &error);
	if (r == JMB_STORE_NOT_FOUND) {
		fprintf(stderr, "jmbctl: no token %lld in use (never made, or revoked already)\n",
		        id);
		return EX_DATAERR;
	}
	if (r != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return r == JMB_STORE_RETRY ? EX_TEMPFAIL : CTL_FAIL;
	}
	fprintf(stderr, "token %lld revoked: requests with it are refused from now on\n", id);
	return CTL_OK;
}

int cmd_api_token(struct jmbctl *ctl, int argc, char **argv)
{
	struct person_options o = {0};
	struct jmb_identity *id;
	struct jmb_store *store;
	struct jmb_error token_error;
	char *token;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return api_token_list(ctl);
	if (argc == 3 && strcmp(argv[1], "revoke") == 0)
		return api_token_revoke(ctl, argv[2]);
	if (argc < 2 || strcmp(argv[1], "create") != 0 ||
	    parse_person_options(argc - 1, argv + 1, &o) < 0 || optind != argc - 2) {
		fputs(API_TOKEN_USAGE, stderr);
		return CTL_USAGE;
	}
	const char *login = argv[optind + 1];
	if (!jmb_login_is_valid(login)) {
		fprintf(stderr, "jmbctl: '%s' is not a valid login\n", login);
		return CTL_USAGE;
	}
	if ((id = token_identity(ctl, login, &o)) == NULL)
		return CTL_USAGE;
	if ((store = ctl_store(ctl)) == NULL)
		return CTL_FAIL;
	token = jmb_api_token_create(store, id, o.label, time(NULL), &token_error);
	if (token == NULL) {
		fprintf(stderr, "jmbctl: %s\n", token_error.text);
		return CTL_FAIL;
	}
	printf("%s\n", token);
	fprintf(stderr, "API token for %s (shown once; send it as 'Authorization: Bearer TOKEN')\n",
	        login);
	explicit_bzero(token, strlen(token));
	free(token);
	return CTL_OK;
}
