/* Posting one message into a Jitsi room over XMPP (libstrophe): connect as
 * [xmpp] jid, join <room>@<muc_domain> as [xmpp] nickname, post one groupchat
 * message, leave, disconnect. One connection per message: a meeting has a few. */
#ifndef JMB_XMPP_H
#define JMB_XMPP_H

#include "config/settings.h"
#include "jmb/error.h"

/* What failed, in the order of the steps. */
enum jmb_xmpp_result {
	JMB_XMPP_OK = 0,
	JMB_XMPP_CONNECT, /* DNS, TCP, TLS or the stream: the server is unreachable */
	JMB_XMPP_AUTH,    /* the server refused the JID or the password */
	JMB_XMPP_JOIN,    /* the room refused the bot (or did not answer) */
	JMB_XMPP_SEND,    /* the room refused the message (or did not echo it) */
};

/* "connect", "auth", "join", "send" (or "ok"). */
const char *jmb_xmpp_step(enum jmb_xmpp_result result);

/* True when [xmpp] jid is set. */
bool jmb_xmpp_enabled(const struct jmb_xmpp_settings *settings);

/* The room's JID: room@muc_domain (room lowercased), or room itself when it
 * holds an '@'. NULL when room is not a usable room name. Caller frees. */
char *jmb_xmpp_room_jid(const struct jmb_xmpp_settings *settings, const char *room);

/* Joins room, posts message (UTF-8) and leaves, within settings->timeout
 * seconds. On failure (any result but JMB_XMPP_OK) error says what happened. Safe to
 * call from several threads at once (each call has its own libstrophe
 * context). */
enum jmb_xmpp_result jmb_xmpp_post(const struct jmb_xmpp_settings *settings, const char *room,
                                   const char *message, struct jmb_error *error);

#endif
