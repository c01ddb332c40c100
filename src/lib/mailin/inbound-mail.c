/* Reading a received mail with GMime. Only the parts of the message itself
 * are looked at, never those of a message attached to it (a bounce carries the
 * original invitation, with its REQUEST calendar part). */
#include "config.h"

#include <ctype.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailin/inbound-mail.h"
#include "util/secret.h"
#include "util/text.h"

/* A message nests one multipart per boundary: counting them before GMime
   parses bounds its recursion, whatever the message's size. */
#define MAX_BOUNDARIES 64
#define MAX_PARTS 256
#define MAX_RECIPIENTS 32

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
	g_mime_init();
}

void jmb_inbound_mail_init(void)
{
	pthread_once(&gmime_once, gmime_init);
}

static const char *header_text(struct jmb_pool *pool, const char *value)
{
	return value != NULL ? jmb_text_clean_in(pool, value, strlen(value), 998, false) : NULL;
}

static bool count_boundaries_ok(const char *data, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i + 8 <= len; i++) {
		if ((data[i] == 'b' || data[i] == 'B') &&
		    strncasecmp(data + i, "boundary", 8) == 0 && ++n > MAX_BOUNDARIES)
			return false;
	}
	return true;
}

/* The decoded content of part (transfer encoding undone, converted from its
   charset to UTF-8), as clean UTF-8 of at most max bytes; text for people
   gets LF line ends (a calendar keeps its CRLFs). */
static const char *part_text(struct jmb_pool *pool, GMimeObject *obj, size_t max, bool for_people)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(obj));
	const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
	GMimeStream *mem, *filtered;
	GByteArray *bytes;
	const char *text;

	if (content == NULL)
		return "";
	mem = g_mime_stream_mem_new();
	filtered = g_mime_stream_filter_new(mem);
	if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0) {
		GMimeFilter *convert = g_mime_filter_charset_new(charset, "UTF-8");
		if (convert != NULL) {
			g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), convert);
			g_object_unref(convert);
		}
	}
	if (for_people) {
		GMimeFilter *unix_ends = g_mime_filter_dos2unix_new(FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), unix_ends);
		g_object_unref(unix_ends);
	}
	g_mime_data_wrapper_write_to_stream(content, filtered);
	g_mime_stream_flush(filtered);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	text = jmb_text_clean_in(pool, (const char *)bytes->data, bytes->len, max, true);
	g_object_unref(filtered);
	g_object_unref(mem);
	return text;
}

static bool is_attachment(GMimeObject *obj)
{
	const char *disposition = g_mime_object_get_disposition(obj);

	return disposition != NULL && g_ascii_strcasecmp(disposition, "attachment") == 0;
}

static bool is_calendar(GMimeObject *obj)
{
	GMimeContentType *type = g_mime_object_get_content_type(obj);
	const char *name = g_mime_part_get_filename(GMIME_PART(obj));
	size_t n = name != NULL ? strlen(name) : 0;

	return g_mime_content_type_is_type(type, "text", "calendar") ||
	       g_mime_content_type_is_type(type, "application", "ics") ||
	       (n > 4 && g_ascii_strcasecmp(name + n - 4, ".ics") == 0);
}

struct walk {
	struct jmb_pool *pool;
	struct jmb_inbound_mail *mail;
	GMimeObject *status_part; /* message/delivery-status of a report */
	size_t parts;
};

static void visit_leaf(struct walk *w, GMimeObject *obj)
{
	GMimeContentType *type = g_mime_object_get_content_type(obj);
	struct jmb_inbound_mail *mail = w->mail;

	if (g_mime_content_type_is_type(type, "message", "delivery-status") ||
	    g_mime_content_type_is_type(type, "message", "global-delivery-status")) {
		if (w->status_part == NULL)
			w->status_part = obj;
		return;
	}
	if (mail->calendar == NULL && is_calendar(obj)) {
		const char *method = g_mime_content_type_get_parameter(type, "method");
		mail->calendar = part_text(w->pool, obj, JMB_INBOUND_CALENDAR_MAX, false);
		mail->calendar_method = header_text(w->pool, method);
		return;
	}
	if (mail->text == NULL && g_mime_content_type_is_type(type, "text", "plain") &&
	    !is_attachment(obj))
		mail->text = part_text(w->pool, obj, JMB_INBOUND_TEXT_MAX, true);
}

/* Depth first through multiparts; attached messages are not entered. */
static void visit(struct walk *w, GMimeObject *obj)
{
	if (obj == NULL || ++w->parts > MAX_PARTS)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *multi = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(multi);
		for (int i = 0; i < n; i++)
			visit(w, g_mime_multipart_get_part(multi, i));
	} else if (GMIME_IS_PART(obj)) {
		visit_leaf(w, obj);
	}
}

static bool has_word(const char *value, const char *const *words)
{
	for (size_t i = 0; value != NULL && words[i] != NULL; i++) {
		size_t n = strlen(words[i]);
		while (isspace((unsigned char)*value))
			value++;
		if (strncasecmp(value, words[i], n) == 0)
			return true;
	}
	return false;
}

/* RFC 3834's Auto-Submitted, and the older marks of robots and vacation
   programs that mail systems still send. */
static void detect_automatic(GMimeObject *msg, struct jmb_inbound_mail *mail)
{
	static const char *const bulk[] = {"bulk", "junk", "list", NULL};
	static const char *const vacation[] = {"auto:",
	                                       "automatic reply",
	                                       "autoreply",
	                                       "auto-reply",
	                                       "out of office",
	                                       "absence",
	                                       "réponse automatique",
	                                       "abwesenheit",
	                                       "automatische antwort",
	                                       NULL};
	const char *auto_submitted = g_mime_object_get_header(msg, "Auto-Submitted");

	if (auto_submitted != NULL && !has_word(auto_submitted, (const char *const[]){"no", NULL}))
		mail->automatic_reason = "Auto-Submitted";
	else if (g_mime_object_get_header(msg, "X-Autoreply") != NULL ||
	         g_mime_object_get_header(msg, "X-Autorespond") != NULL)
		mail->automatic_reason = "X-Autoreply";
	else if (has_word(g_mime_object_get_header(msg, "Precedence"), bulk))
		mail->automatic_reason = "Precedence";
	else if (has_word(mail->subject, vacation))
		mail->automatic_reason = "vacation subject";
	mail->automatic = mail->automatic_reason != NULL;
}

static void read_from(struct jmb_pool *pool, GMimeMessage *msg, struct jmb_inbound_mail *mail)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	InternetAddress *first = from != NULL && internet_address_list_length(from) > 0
	                             ? internet_address_list_get_address(from, 0)
	                             : NULL;

	mail->from_name = "";
	if (first == NULL || !INTERNET_ADDRESS_IS_MAILBOX(first))
		return;
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(first));
	const char *name = internet_address_get_name(first);
	if (addr != NULL) {
		char *lower = (char *)header_text(pool, addr);
		for (char *p = lower; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		mail->from = lower;
	}
	if (name != NULL)
		mail->from_name = header_text(pool, name);
}

static void add_recipients(struct jmb_pool *pool, InternetAddressList *list, const char **out,
                           size_t *n)
{
	int count = list != NULL ? internet_address_list_length(list) : 0;

	for (int i = 0; i < count && *n < MAX_RECIPIENTS; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		if (addr == NULL)
			continue;
		char *lower = (char *)header_text(pool, addr);
		for (char *p = lower; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		out[(*n)++] = lower;
	}
}

static void read_recipients(struct jmb_pool *pool, GMimeMessage *msg, struct jmb_inbound_mail *mail)
{
	static const char *const trace[] = {"Delivered-To", "X-Original-To", "Envelope-To"};
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	const char **out = jmb_pool_calloc(pool, MAX_RECIPIENTS + 1, sizeof(*out));
	int count = g_mime_header_list_get_count(headers);
	size_t n = 0;

	for (size_t t = 0; t < sizeof(trace) / sizeof(trace[0]); t++) {
		for (int i = 0; i < count && i < 1000; i++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
			if (g_ascii_strcasecmp(g_mime_header_get_name(h), trace[t]) != 0)
				continue;
			InternetAddressList *list =
			    internet_address_list_parse(NULL, g_mime_header_get_value(h));
			add_recipients(pool, list, out, &n);
			if (list != NULL)
				g_object_unref(list);
		}
	}
	add_recipients(pool, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), out, &n);
	add_recipients(pool, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC), out, &n);
	mail->recipients = out;
}

static void read_report(struct walk *w, GMimeObject *top)
{
	GMimeContentType *type = g_mime_object_get_content_type(top);
	const char *report = g_mime_content_type_get_parameter(type, "report-type");

	if (!g_mime_content_type_is_type(type, "multipart", "report") || report == NULL ||
	    g_ascii_strcasecmp(report, "delivery-status") != 0 || w->status_part == NULL)
		return;
	const char *body = part_text(w->pool, w->status_part, JMB_INBOUND_TEXT_MAX, true);
	w->mail->is_dsn = true;
	jmb_inbound_dsn_parse(body, strlen(body), w->pool, &w->mail->dsn);
}

int jmb_inbound_mail_parse(const char *data, size_t len, struct jmb_pool *pool,
                           struct jmb_inbound_mail *mail, struct jmb_error *error)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	memset(mail, 0, sizeof(*mail));
	mail->subject = "";
	mail->from_name = "";
	mail->recipients = jmb_pool_calloc(pool, 1, sizeof(*mail->recipients));
	if (!count_boundaries_ok(data, len)) {
		jmb_error_set(error, "more than %d MIME boundaries", MAX_BOUNDARIES);
		return -1;
	}
	jmb_inbound_mail_init();
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg == NULL ||
	    g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(msg))) == 0) {
		if (msg != NULL)
			g_object_unref(msg);
		jmb_error_set(error, "not a mail message (no header)");
		return -1;
	}
	mail->message_id = header_text(pool, g_mime_message_get_message_id(msg));
	if (g_mime_message_get_subject(msg) != NULL)
		mail->subject = header_text(pool, g_mime_message_get_subject(msg));
	read_from(pool, msg, mail);
	read_recipients(pool, msg, mail);
	detect_automatic(GMIME_OBJECT(msg), mail);

	struct walk w = {.pool = pool, .mail = mail};
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	visit(&w, top);
	if (top != NULL)
		read_report(&w, top);
	g_object_unref(msg);
	return 0;
}

const char *jmb_inbound_mail_key(struct jmb_pool *pool, const char *recipient,
                                 const char *message_id, const char *data, size_t len)
{
	char digest[JMB_SHA256_HEX_LEN + 1], key[JMB_SHA256_HEX_LEN + 1];
	char *lower = jmb_pool_strndup(pool, recipient, strlen(recipient));
	const char *what;

	for (char *p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	recipient = lower;
	if (message_id != NULL && *message_id != '\0') {
		what = jmb_pool_printf(pool, "%s\nmid:%s", recipient, message_id);
	} else {
		jmb_sha256_hex_bytes(data, len, digest);
		what = jmb_pool_printf(pool, "%s\nsha256:%s", recipient, digest);
	}
	jmb_sha256_hex(what, key);
	return jmb_pool_strndup(pool, key, JMB_SHA256_HEX_LEN);
}

/* ---- message/delivery-status (RFC 3464 section 2) ---- */

/* The value of field in one block of unfolded "Name: value" lines, "" if absent. */
static const char *field(struct jmb_pool *pool, const char *block, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = block, *end = block + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol != NULL ? eol : end;
		if ((size_t)(line_end - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (v < line_end && (*v == ' ' || *v == '\t'))
				v++;
			size_t vlen = (size_t)(line_end - v);
			while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
				vlen--;
			return jmb_pool_strndup(pool, v, vlen);
		}
		p = line_end + 1;
	}
	return "";
}

/* "rfc822; a@b" → "a@b", "smtp; 550 ..." → "550 ..." */
static const char *after_type(const char *value)
{
	const char *semi = strchr(value, ';');

	if (semi == NULL)
		return value;
	semi++;
	while (*semi == ' ' || *semi == '\t')
		semi++;
	return semi;
}

static char *unfold(struct jmb_pool *pool, const char *body, size_t len)
{
	char *out = jmb_pool_calloc(pool, len + 1, 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (body[i] == '\r')
			continue;
		if (body[i] == '\n' && i + 1 < len && (body[i + 1] == ' ' || body[i + 1] == '\t')) {
			out[o++] = ' ';
			while (i + 1 < len && (body[i + 1] == ' ' || body[i + 1] == '\t'))
				i++;
			continue;
		}
		out[o++] = body[i];
	}
	out[o] = '\0';
	return out;
}

void jmb_inbound_dsn_parse(const char *body, size_t len, struct jmb_pool *pool,
                           struct jmb_inbound_dsn *dsn)
{
	const char *text = unfold(pool, body, len), *p;
	bool first_block = true, have = false;

	memset(dsn, 0, sizeof(*dsn));
	dsn->action = dsn->final_recipient = dsn->status = dsn->diagnostic = "";
	p = text;
	while (*p != '\0') {
		const char *end = strstr(p, "\n\n");
		size_t blen = end != NULL ? (size_t)(end - p) : strlen(p);
		if (!first_block && blen > 0) {
			const char *action = field(pool, p, blen, "Action");
			bool failed = strcasecmp(action, "failed") == 0;
			if (!have || (failed && strcasecmp(dsn->action, "failed") != 0)) {
				char *lower = jmb_pool_strndup(pool, action, strlen(action));
				for (char *c = lower; *c != '\0'; c++)
					*c = (char)tolower((unsigned char)*c);
				dsn->action = lower;
				dsn->final_recipient =
				    after_type(field(pool, p, blen, "Final-Recipient"));
				dsn->status = field(pool, p, blen, "Status");
				dsn->diagnostic =
				    after_type(field(pool, p, blen, "Diagnostic-Code"));
				have = true;
			}
		}
		if (blen > 0)
			first_block = false;
		p += blen;
		while (*p == '\n')
			p++;
	}
}
