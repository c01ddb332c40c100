/* See locale-fixture.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "locale-fixture.h"
#include "util/memory.h"
#include "web/i18n.h"

void locale_copy_french(const char *dir)
{
	char *from = jmb_xasprintf("%s/fr/LC_MESSAGES/jmb.mo", dir);
	FILE *in = fopen(from, "rb");
	char buf[65536];
	size_t len;

	assert_non_null(in);
	len = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	free(from);
	for (size_t i = 1; jmb_languages[i] != NULL; i++) {
		char *lang = jmb_xasprintf("%s/%s", dir, jmb_languages[i]);
		char *sub = jmb_xasprintf("%s/LC_MESSAGES", lang);
		char *to = jmb_xasprintf("%s/jmb.mo", sub);
		FILE *out;

		if (strcmp(jmb_languages[i], "fr") != 0) {
			mkdir(lang, 0755);
			mkdir(sub, 0755);
			out = fopen(to, "wb");
			assert_non_null(out);
			assert_int_equal(fwrite(buf, 1, len, out), len);
			fclose(out);
		}
		free(to);
		free(sub);
		free(lang);
	}
}

void locale_clear(const char *dir)
{
	for (size_t i = 1; jmb_languages[i] != NULL; i++) {
		char *lang = jmb_xasprintf("%s/%s", dir, jmb_languages[i]);
		char *sub = jmb_xasprintf("%s/LC_MESSAGES", lang);
		char *mo = jmb_xasprintf("%s/jmb.mo", sub);

		unlink(mo);
		rmdir(sub);
		rmdir(lang);
		free(mo);
		free(sub);
		free(lang);
	}
}

char *locale_make_french(const char *po_file)
{
	char *dir = jmb_xstrdup("/tmp/jmb-test-locale-XXXXXX"), *sub, *mo;
	pid_t pid;
	int status;

	assert_non_null(mkdtemp(dir));
	sub = jmb_xasprintf("%s/fr", dir);
	mkdir(sub, 0755);
	free(sub);
	sub = jmb_xasprintf("%s/fr/LC_MESSAGES", dir);
	mkdir(sub, 0755);
	mo = jmb_xasprintf("%s/jmb.mo", sub);
	pid = fork();
	if (pid == 0) {
		execlp("msgfmt", "msgfmt", "-o", mo, po_file, (char *)NULL);
		_exit(127);
	}
	assert_true(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	            WEXITSTATUS(status) == 0);
	free(mo);
	free(sub);
	locale_copy_french(dir);
	return dir;
}

void locale_remove(char *dir)
{
	locale_clear(dir);
	rmdir(dir);
	free(dir);
}
