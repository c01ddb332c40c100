/* Delivering one message over SMTP with libcurl, or into a folder. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail-transport.h"
#include "util/memory.h"

#define SMTP_TIMEOUT 60L
#define SMTP_CONNECT_TIMEOUT 10L

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t read_message(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct upload *u = userdata;
	size_t n = size * nitems;

	if (n > u->len - u->pos)
		n = u->len - u->pos;
	memcpy(buffer, u->data + u->pos, n);
	u->pos += n;
	return n;
}

static enum jmb_outbox_outcome send_smtp(const struct jmb_mail_settings *s,
                                         const struct jmb_outbox_mail *mail,
                                         struct jmb_error *error)
{
	struct upload u = {.data = mail->message, .len = mail->message_len};
	char *from = jmb_xasprintf("<%s>", mail->sender),
	     *rcpt = jmb_xasprintf("<%s>", mail->recipient);
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	enum jmb_outbox_outcome outcome = JMB_OUTBOX_DELIVERED;
	CURL *curl = curl_easy_init();
	long code = 0;
	CURLcode rc;

	if (curl == NULL || rcpts == NULL) {
		jmb_error_set(error, "cannot start a libcurl transfer");
		outcome = JMB_OUTBOX_DEFERRED;
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, s->transport);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE, (long)u.len);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, SMTP_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (s->starttls)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (*s->username != '\0') {
		curl_easy_setopt(curl, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, s->password != NULL ? s->password : "");
	}
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK) {
		jmb_error_set(error, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
		/* 5xx is a refusal for good; anything else (4xx, network) may pass later. */
		outcome = code >= 500 && code < 600 ? JMB_OUTBOX_REJECTED : JMB_OUTBOX_DEFERRED;
	}
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(rcpts);
	free(from);
	free(rcpt);
	return outcome;
}

/* One .eml per mail, written whole then renamed, so readers never see half. */
static enum jmb_outbox_outcome send_file(const char *folder, const struct jmb_outbox_mail *mail,
                                         struct jmb_error *error)
{
	char *tmp = jmb_xasprintf("%s/.%lld.tmp", folder, (long long)mail->id);
	char *path = jmb_xasprintf("%s/%010lld.eml", folder, (long long)mail->id);
	enum jmb_outbox_outcome outcome = JMB_OUTBOX_DEFERRED;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

	if (fd < 0 || write(fd, mail->message, mail->message_len) != (ssize_t)mail->message_len ||
	    fsync(fd) < 0 || close(fd) < 0 || (fd = -1, rename(tmp, path) < 0)) {
		jmb_error_set(error, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	} else {
		outcome = JMB_OUTBOX_DELIVERED;
	}
	free(tmp);
	free(path);
	return outcome;
}

enum jmb_outbox_outcome mail_transport_send(const struct jmb_mail_settings *s,
                                            const struct jmb_outbox_mail *mail,
                                            struct jmb_error *error)
{
	if (strncmp(s->transport, "file:", 5) == 0)
		return send_file(s->transport + 5, mail, error);
	return send_smtp(s, mail, error);
}
