/* One XMPP post with libstrophe: connect, join the room (MUC presence, then
 * wait for the room's self-presence, status 110), post one groupchat message
 * and wait for the room to echo it (so "sent" means the room accepted it),
 * leave, disconnect. Everything runs in this thread's own libstrophe context
 * until a deadline. */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <strophe.h>

#include "util/memory.h"
#include "util/secret.h"
#include "publish/xmpp.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"

enum step { STEP_CONNECT, STEP_JOIN, STEP_SEND, STEP_LEAVE };

struct post {
	const struct jmb_xmpp_settings *s;
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;
	const char *room;    /* room@muc_domain */
	char occupant[1100]; /* room@muc_domain/nickname */
	const char *message;
	char id[24];
	enum step step;
	bool done; /* the connection is over (or the post failed) */
	enum jmb_xmpp_result result;
	char *error;
	bool auth_refused;  /* libstrophe said so in its log */
	char last_log[256]; /* its last warning or error */
	int sock_error;     /* errno of a failed TCP connection, from its debug log */
	int renames;
};

static pthread_once_t strophe_once = PTHREAD_ONCE_INIT;

static void strophe_init(void)
{
	xmpp_initialize();
}

const char *jmb_xmpp_step(enum jmb_xmpp_result result)
{
	switch (result) {
	case JMB_XMPP_OK:
		return "ok";
	case JMB_XMPP_CONNECT:
		return "connect";
	case JMB_XMPP_AUTH:
		return "auth";
	case JMB_XMPP_JOIN:
		return "join";
	case JMB_XMPP_SEND:
		return "send";
	}
	return "unknown";
}

bool jmb_xmpp_enabled(const struct jmb_xmpp_settings *s)
{
	return s->jid != NULL && *s->jid != '\0';
}

/* A JID's local part may hold none of these (RFC 7622), nor spaces or controls. */
static bool valid_node(const char *p, size_t len)
{
	if (len == 0 || len > 1023)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c == 0x7f || strchr("\"&'/:<>@", c) != NULL)
			return false;
	}
	return true;
}

char *jmb_xmpp_room_jid(const struct jmb_xmpp_settings *s, const char *room)
{
	const char *at = strchr(room, '@');
	char *jid;

	if (at != NULL) {
		if (!valid_node(room, (size_t)(at - room)) || !valid_node(at + 1, strlen(at + 1)))
			return NULL;
		jid = jmb_xstrdup(room);
	} else {
		if (!valid_node(room, strlen(room)))
			return NULL;
		jid = jmb_xasprintf("%s@%s", room, s->muc_domain);
	}
	for (char *p = jid; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return jid;
}

static void fail(struct post *p, enum jmb_xmpp_result result, char *error)
{
	if (p->result == JMB_XMPP_OK && p->error == NULL) {
		p->result = result;
		p->error = error;
	} else {
		free(error);
	}
	p->done = true;
}

/* The result that stands for the step in progress. */
static enum jmb_xmpp_result step_result(const struct post *p)
{
	return p->step == STEP_CONNECT ? (p->auth_refused ? JMB_XMPP_AUTH : JMB_XMPP_CONNECT)
	       : p->step == STEP_JOIN  ? JMB_XMPP_JOIN
	                               : JMB_XMPP_SEND;
}

static void on_log(void *userdata, xmpp_log_level_t level, const char *area, const char *msg)
{
	struct post *p = userdata;

	static const char refused[] = "connection failed, error ";

	if (level < XMPP_LEVEL_WARN) {
		if (strncmp(msg, refused, sizeof(refused) - 1) == 0)
			p->sock_error = atoi(msg + sizeof(refused) - 1);
		return;
	}
	snprintf(p->last_log, sizeof(p->last_log), "%s: %s", area, msg);
	if (strcmp(area, "auth") == 0 || strstr(msg, "auth") != NULL || strstr(msg, "Auth") != NULL)
		p->auth_refused = true;
}

/* Bare JID of a full one, compared without regard to case. */
static bool from_room(const struct post *p, const char *from)
{
	size_t len = strlen(p->room);

	return from != NULL && strncasecmp(from, p->room, len) == 0 &&
	       (from[len] == '\0' || from[len] == '/');
}

/* The condition of a stanza's <error/>, e.g. "conflict" or "forbidden". */
static const char *error_condition(xmpp_stanza_t *stanza)
{
	xmpp_stanza_t *error = xmpp_stanza_get_child_by_name(stanza, "error");

	for (xmpp_stanza_t *c = error != NULL ? xmpp_stanza_get_children(error) : NULL; c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		const char *ns = xmpp_stanza_get_ns(c), *name = xmpp_stanza_get_name(c);
		if (name != NULL && ns != NULL && strcmp(ns, NS_STANZAS) == 0 &&
		    strcmp(name, "text") != 0)
			return name;
	}
	return "undefined-condition";
}

static void send_join(struct post *p)
{
	xmpp_stanza_t *presence = xmpp_presence_new(p->ctx), *x = xmpp_stanza_new(p->ctx),
	              *history = xmpp_stanza_new(p->ctx);

	xmpp_stanza_set_to(presence, p->occupant);
	xmpp_stanza_set_name(x, "x");
	xmpp_stanza_set_ns(x, NS_MUC);
	xmpp_stanza_set_name(history, "history");
	xmpp_stanza_set_attribute(history, "maxstanzas", "0");
	xmpp_stanza_add_child_ex(x, history, 0);
	xmpp_stanza_add_child_ex(presence, x, 0);
	xmpp_send(p->conn, presence);
	xmpp_stanza_release(presence);
}

static void send_message(struct post *p)
{
	char token[JMB_TOKEN_LEN + 1];
	xmpp_stanza_t *msg;

	jmb_random_token(token);
	snprintf(p->id, sizeof(p->id), "jmb-%.16s", token);
	msg = xmpp_message_new(p->ctx, "groupchat", p->room, p->id);
	xmpp_message_set_body(msg, p->message);
	xmpp_send(p->conn, msg);
	xmpp_stanza_release(msg);
	p->step = STEP_SEND;
}

static void leave(struct post *p)
{
	xmpp_stanza_t *presence = xmpp_presence_new(p->ctx);

	p->step = STEP_LEAVE;
	xmpp_stanza_set_to(presence, p->occupant);
	xmpp_stanza_set_type(presence, "unavailable");
	xmpp_send(p->conn, presence);
	xmpp_stanza_release(presence);
	xmpp_disconnect(p->conn);
}

static bool has_status(xmpp_stanza_t *stanza, const char *code)
{
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_name_and_ns(stanza, "x", NS_MUC_USER);

	for (xmpp_stanza_t *c = x != NULL ? xmpp_stanza_get_children(x) : NULL; c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		const char *name = xmpp_stanza_get_name(c),
		           *value = xmpp_stanza_get_attribute(c, "code");
		if (name != NULL && strcmp(name, "status") == 0 && value != NULL &&
		    strcmp(value, code) == 0)
			return true;
	}
	return false;
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
	struct post *p = userdata;
	const char *from = xmpp_stanza_get_from(stanza), *type = xmpp_stanza_get_type(stanza);

	if (p->step != STEP_JOIN || !from_room(p, from))
		return 1;
	if (type != NULL && strcmp(type, "error") == 0) {
		const char *condition = error_condition(stanza);
		/* Our nickname is taken (another instance posting at the same moment):
		 * try once more under a varied one. */
		if (strcmp(condition, "conflict") == 0 && p->renames++ == 0) {
			char token[JMB_TOKEN_LEN + 1];
			jmb_random_token(token);
			snprintf(p->occupant, sizeof(p->occupant), "%s/%s-%.4s", p->room,
			         p->s->nickname, token);
			send_join(p);
			return 1;
		}
		fail(p, JMB_XMPP_JOIN,
		     jmb_xasprintf("the room %s refused to let us in: %s", p->room, condition));
		xmpp_disconnect(conn);
		return 1;
	}
	/* Our own presence comes back with status 110 (or under our nickname). */
	if ((type == NULL || strcmp(type, "unavailable") != 0) &&
	    (has_status(stanza, "110") || strcasecmp(from, p->occupant) == 0))
		send_message(p);
	return 1;
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
	struct post *p = userdata;
	const char *from = xmpp_stanza_get_from(stanza), *type = xmpp_stanza_get_type(stanza),
	           *id = xmpp_stanza_get_id(stanza);

	if (p->step != STEP_SEND || !from_room(p, from) || id == NULL || strcmp(id, p->id) != 0)
		return 1;
	if (type != NULL && strcmp(type, "error") == 0) {
		fail(p, JMB_XMPP_SEND,
		     jmb_xasprintf("the room %s refused the message: %s", p->room,
		                   error_condition(stanza)));
		xmpp_disconnect(conn);
		return 1;
	}
	leave(p); /* the room echoed our message: it is posted */
	return 1;
}

static void on_connection(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                          xmpp_stream_error_t *stream_error, void *userdata)
{
	struct post *p = userdata;

	if (event == XMPP_CONN_CONNECT) {
		p->step = STEP_JOIN;
		xmpp_handler_add(conn, on_presence, NULL, "presence", NULL, p);
		xmpp_handler_add(conn, on_message, NULL, "message", NULL, p);
		send_join(p);
		return;
	}
	if (event != XMPP_CONN_DISCONNECT && event != XMPP_CONN_FAIL)
		return;
	if (p->step != STEP_LEAVE && !p->done) {
		char *why;
		if (error != 0 || p->sock_error != 0)
			why = jmb_xasprintf("%s", strerror(error != 0 ? error : p->sock_error));
		else if (stream_error != NULL && stream_error->text != NULL)
			why = jmb_xasprintf("stream error: %s", stream_error->text);
		else if (*p->last_log != '\0')
			why = jmb_xasprintf("%s", p->last_log);
		else
			why = jmb_xstrdup("the server closed the connection");
		fail(p, step_result(p),
		     jmb_xasprintf("%s %s: %s",
		                   p->step == STEP_CONNECT
		                       ? (p->auth_refused ? "login as" : "connecting as")
		                       : "connection of",
		                   p->s->jid, why));
		if (p->step == STEP_CONNECT && !p->auth_refused && *p->s->server != '\0') {
			char *where =
			    jmb_xasprintf("%s (server %s, port %ld)", p->error, p->s->server,
			                  p->s->port != 0 ? p->s->port : 5222L);
			free(p->error);
			p->error = where;
		}
		free(why);
	}
	p->done = true;
}

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

enum jmb_xmpp_result jmb_xmpp_post(const struct jmb_xmpp_settings *s, const char *room,
                                   const char *message, struct jmb_error *error)
{
	struct post p = {.s = s, .message = message, .step = STEP_CONNECT};
	xmpp_log_t log = {.handler = on_log, .userdata = &p};
	char *room_jid;
	long flags = 0;
	double deadline;

	if (!jmb_xmpp_enabled(s)) {
		jmb_error_set(error, "[xmpp] jid is not set");
		return JMB_XMPP_CONNECT;
	}
	room_jid = jmb_xmpp_room_jid(s, room);
	if (room_jid == NULL) {
		jmb_error_set(error, "'%s' is not a room name", room);
		return JMB_XMPP_JOIN;
	}
	p.room = room_jid;
	snprintf(p.occupant, sizeof(p.occupant), "%s/%s", room_jid, s->nickname);
	pthread_once(&strophe_once, strophe_init);
	p.ctx = xmpp_ctx_new(NULL, &log);
	p.conn = xmpp_conn_new(p.ctx);
	flags = s->tls == JMB_XMPP_TLS_REQUIRED ? XMPP_CONN_FLAG_MANDATORY_TLS
	        : s->tls == JMB_XMPP_TLS_OFF    ? XMPP_CONN_FLAG_DISABLE_TLS
	                                        : 0;
	xmpp_conn_set_flags(p.conn, flags | XMPP_CONN_FLAG_DISABLE_SM);
	xmpp_conn_set_jid(p.conn, s->jid);
	xmpp_conn_set_pass(p.conn, s->password != NULL ? s->password : "");
	deadline = monotonic() + (double)s->timeout;
	if (xmpp_connect_client(p.conn, *s->server != '\0' ? s->server : NULL,
	                        (unsigned short)s->port, on_connection, &p) != XMPP_EOK)
		fail(&p, JMB_XMPP_CONNECT,
		     jmb_xasprintf("cannot connect to %s: %s",
		                   *s->server != '\0' ? s->server : s->jid,
		                   *p.last_log != '\0' ? p.last_log : "no address"));
	while (!p.done && monotonic() < deadline)
		xmpp_run_once(p.ctx, 50);
	if (!p.done) {
		if (p.step == STEP_LEAVE) {
			p.done = true; /* posted; only the goodbye was slow */
		} else {
			fail(&p, step_result(&p),
			     jmb_xasprintf("no answer within %ld s while %s", s->timeout,
			                   p.step == STEP_CONNECT ? "connecting and logging in"
			                   : p.step == STEP_JOIN  ? "joining the room"
			                                          : "posting the message"));
		}
		if (!xmpp_conn_is_disconnected(p.conn)) {
			/* Give the goodbye a moment; the socket closes with the connection anyway.
			 */
			double until = monotonic() + 1.0;
			p.done = false;
			xmpp_disconnect(p.conn);
			while (!p.done && monotonic() < until)
				xmpp_run_once(p.ctx, 20);
		}
	}
	xmpp_conn_release(p.conn);
	xmpp_ctx_free(p.ctx);
	free(room_jid);
	if (p.result != JMB_XMPP_OK)
		jmb_error_set(error, "%s",
		              p.error != NULL ? p.error : "failed, for no known reason");
	free(p.error);
	return p.result;
}
