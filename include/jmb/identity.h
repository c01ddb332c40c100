/* Who a request is made by, as an auth plugin or a session tells it.
 * Every string lives in the request's pool. */
#ifndef JMB_PUBLIC_IDENTITY_H
#define JMB_PUBLIC_IDENTITY_H

struct jmb_identity {
	const char *login;         /* unique, stable user id (uid) */
	const char *name;          /* display name; may be empty */
	const char *mail;          /* primary address, lower-case; may be empty */
	const char *const *mails;  /* every address, NULL-terminated, primary first */
	const char *const *groups; /* group names, NULL-terminated; may be empty */
	const char *source;        /* name of the plugin that vouched for it */
};

#endif
