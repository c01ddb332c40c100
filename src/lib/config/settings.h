/* The core settings of jmb: one struct per config section, filled from jmb.conf.
 * Key tables live in settings.c; doc/jmb.conf.5 documents every key. */
#ifndef JMB_SETTINGS_H
#define JMB_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/login-throttle.h"
#include "config/config-file.h"
#include "jmb/cidr.h"

enum jmb_store_driver_kind { JMB_STORE_SQLITE = 0, JMB_STORE_POSTGRESQL = 1 };

struct jmb_server_settings {
	char *listen;
	char *public_url;
	char *default_language;
	char *timezone;
	long threads;
	long max_body_size;
	long connection_timeout;          /* idle seconds */
	long max_connections;             /* lowered to fit RLIMIT_NOFILE at start */
	long max_connections_per_address; /* 0: no limit (behind a proxy) */
	long request_head_timeout;        /* seconds for request line and headers, in all */
	long request_body_timeout;        /* seconds for the whole body */
	char *template_dir;
	char *static_dir;
	char *locale_dir;
	char *close_url;
	long session_lifetime;
	bool secure_cookies; /* derived: public_url is https */
};

struct jmb_store_settings {
	int driver;
	char *path;
	char *conninfo;
	long busy_timeout;
};

struct jmb_auth_settings {
	char **plugins;
	char *plugin_dir;
	struct jmb_login_policy login;
	char **login_trusted_proxies;
	struct jmb_cidr *login_proxy_blocks; /* parsed from login_trusted_proxies */
	size_t n_login_proxy_blocks;
};

struct jmb_booking_settings {
	long min_duration;
	long max_duration;
	long step_duration;
	long default_duration;
	long max_moderators;
	long max_guests;
	long archive_days;
	long highlight_owner;
	long highlight_invitee;
	long max_title_length;
	long max_description_length;
	long max_advance_days;  /* a start at most this many days ahead */
	long max_occurrences;   /* a series has at most this many occurrences */
	long max_series_days;   /* and its last starts at most this many days after its first */
	long link_opens_before; /* minutes before the start a personal link lets people in */
	long feed_past_days;
	long feed_refresh_interval;
	char *editor_filter;    /* LDAP filter a user must match to book; "" = anyone */
	char **editor_groups;   /* or be in one of these groups (names) */
	char *subscribers_file; /* legacy lists: "list@domain subscriber@domain" lines */
};

enum jmb_guest_tokens { JMB_GUEST_TOKENS_NONE = 0, JMB_GUEST_TOKENS_MEMBER = 1 };

struct jmb_jitsi_settings {
	char *base_url;
	char *domain;
	char *tenant;
	char *app_id;
	char *app_secret;
	char *private_key_file;
	char *private_key_pem; /* read from private_key_file at load */
	char *key_id;
	char *audience;
	long owner_token_lifetime;
	long external_token_lifetime;
	long token_skew;
	int guest_tokens;
	long start_early;
	bool private_rooms;
	bool allow_adhoc_rooms;
	char *prosody_token;   /* bearer token of Prosody's reservation calls; NULL: no endpoints */
	long room_grace;       /* minutes a booked room stays open after the end */
	long max_participants; /* the largest participant limit a meeting may set */
	long open_room_hours;  /* how long a private or ad-hoc room is reserved for */
};

struct jmb_mail_settings {
	char *transport; /* "smtp://host:port", "smtps://...", "file:/folder", "" (no mail) */
	bool starttls;
	char *username;
	char *password;
	char *from;
	char *from_name;
	char **local_domains;
	bool notify_organiser;
	long retry_max_hours;
	char *reply_address;       /* rsvp@...: invitees' replies come back here; "": off */
	char *recipient_delimiter; /* between the local part and a reply token */
};

/* [mail-in]: how replies reach jmb besides `jmbctl mail-in`. */
struct jmb_mail_in_settings {
	long max_size;  /* bytes; a larger message is refused */
	char *imap_url; /* imaps://host/INBOX or imap://... (STARTTLS); "": no polling */
	char *imap_username;
	char *imap_password;
	char *imap_ca_file; /* CA certificates for the server; "": the system's */
	char *imap_move_to; /* folder for handled messages; "": flag them \Seen */
	long poll_interval; /* seconds between two polls */
	long keep_days;     /* handled messages' records are purged after this */
};

#define JMB_MAX_REMINDERS 8

struct jmb_reminder_settings {
	char **mail_before_text;
	char **xmpp_before_end_text;
	/* parsed from the lists above, in minutes, largest first */
	long mail_before[JMB_MAX_REMINDERS];
	size_t n_mail_before;
	long xmpp_before_end[JMB_MAX_REMINDERS];
	size_t n_xmpp_before_end;
};

enum jmb_xmpp_tls { JMB_XMPP_TLS_REQUIRED = 0, JMB_XMPP_TLS_OPTIONAL = 1, JMB_XMPP_TLS_OFF = 2 };

/* [xmpp]: the bot that posts end-of-meeting messages (src/lib/publish/xmpp.c).
 * Enabled when jid is set. */
struct jmb_xmpp_settings {
	char *jid;
	char *password;
	char *muc_domain; /* default: conference.<[jitsi] domain> */
	char *nickname;
	char *server; /* "" = the JID's domain (DNS SRV, then A/AAAA) */
	long port;    /* 0 = 5222 or the SRV record's */
	int tls;      /* enum jmb_xmpp_tls */
	long timeout; /* seconds, for one whole post (connect to leave) */
};

/* [ldap]: the directory (src/lib/directory/directory.c). Unused while uri is empty. */
struct jmb_ldap_settings {
	char **uri; /* tried in order */
	bool starttls;
	char *ca_file;
	char *bind_dn;
	char *bind_password;
	char *base;
	char *user_filter; /* %s: the login, escaped (RFC 4515) */
	char *login_attribute;
	char **mail_attributes; /* the first is the primary address */
	char *name_attribute;   /* then cn, then givenName + sn */
	char *person_filter;
	char *group_filter;
	char **member_attributes;
	char *group_name_attribute;
	char *external_filter;
	char **search_attributes; /* what the invite autocomplete matches */
	long timeout;             /* seconds, for connecting and for each operation */
	long retry_after;         /* seconds to fail fast after an outage; 0 = never */
	long cache_ttl;           /* seconds an enrichment is remembered; 0 = not at all */
	long size_limit;
};

/* [metrics]: who may read /metrics (src/jmbd/metrics.c). Empty allow: off. */
struct jmb_metrics_settings {
	char **allow;
	struct jmb_cidr *allow_blocks; /* parsed from allow */
	size_t n_allow_blocks;
};

/* [policy]: who gets each Jitsi feature (src/lib/domain/policy.h); NULL or
 * empty lists: the feature is not claimed. */
struct jmb_policy_settings {
	char **recording;
	char **livestreaming;
	char **transcription;
	char **outbound_call;
	char **sip_outbound_call;
	char **lobby_bypass; /* invitees coming through their personal link */
};

struct jmb_privacy_settings {
	long attendance_days; /* who was in a room is kept this long, then purged */
};

struct jmb_settings {
	struct jmb_server_settings server;
	struct jmb_store_settings store;
	struct jmb_auth_settings auth;
	struct jmb_booking_settings booking;
	struct jmb_jitsi_settings jitsi;
	struct jmb_mail_settings mail;
	struct jmb_reminder_settings reminders;
	struct jmb_xmpp_settings xmpp;
	struct jmb_ldap_settings ldap;
	struct jmb_metrics_settings metrics;
	struct jmb_policy_settings policy;
	struct jmb_privacy_settings privacy;
	struct jmb_mail_in_settings mail_in;
};

/* Fills settings from the core sections of file, checks them as a whole, and
 * claims those sections. On failure error has every problem found, one
 * "file:line: message" line each (see jmb_config_error_add). */
int jmb_settings_load(struct jmb_config_file *file, struct jmb_settings *settings,
                      struct jmb_pool *pool, struct jmb_error *error);

/* Default install paths, set by the build (see src/lib/Makefile.am). */
extern const char jmb_default_plugin_dir[];
extern const char jmb_default_template_dir[];
extern const char jmb_default_static_dir[];
extern const char jmb_default_locale_dir[];

#endif
