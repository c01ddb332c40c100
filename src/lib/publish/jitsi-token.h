/* Jitsi tokens: the signed JWT that lets a person into a room, with or
 * without moderator rights (doc/architecture.md, The Jitsi contract). HS256 with app_secret, or
 * RS256 with private_key_file and key_id. */
#ifndef JMB_JITSI_TOKEN_H
#define JMB_JITSI_TOKEN_H

#include <stdbool.h>
#include <time.h>

#include "config/settings.h"
#include "domain/policy.h"
#include "jmb/error.h"

struct jmb_jitsi_user {
	const char *id;
	const char *name;
	const char *email;
	bool moderator; /* owner and moderators: affiliation "owner" */
	long lifetime;  /* seconds */
	/* context.features and context.user.lobby_bypass; NULL: neither */
	const struct jmb_token_grants *grants;
};

/* A signed token for room (caller frees), or NULL with error set. */
char *jmb_jitsi_token(const struct jmb_jitsi_settings *jitsi, const char *room,
                      const struct jmb_jitsi_user *user, time_t now, struct jmb_error *error);
/* <base_url>/<room>[?jwt=<token>] (caller frees). */
char *jmb_jitsi_room_url(const struct jmb_jitsi_settings *jitsi, const char *room,
                         const char *token);

#endif
