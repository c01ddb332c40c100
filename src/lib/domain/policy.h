/* [policy]: what each person's Jitsi token grants. Each feature names who
 * gets it: "anyone", "owner", "moderators" (the organiser included),
 * "guests", "group:<name>" (a directory group, or a SAML affiliation mapped
 * to groups), "login:<login>". A feature nobody is named for is left out of
 * tokens, so the Jitsi deployment's own default applies (jmb 0.1's tokens). */
#ifndef JMB_POLICY_H
#define JMB_POLICY_H

#include <stdbool.h>

#include "config/settings.h"
#include "jmb/identity.h"

/* The features of Jitsi's context.features claim, in this order. */
enum jmb_feature {
	JMB_FEATURE_RECORDING,
	JMB_FEATURE_LIVESTREAMING,
	JMB_FEATURE_TRANSCRIPTION,
	JMB_FEATURE_OUTBOUND_CALL,
	JMB_FEATURE_SIP_OUTBOUND_CALL,
	JMB_FEATURE_COUNT
};

/* "recording", "livestreaming", "transcription", "outbound-call", "sip-outbound-call". */
const char *jmb_feature_name(enum jmb_feature f);

enum jmb_policy_role { JMB_POLICY_OWNER, JMB_POLICY_MODERATOR, JMB_POLICY_GUEST };

/* Whom a token is for: identity is NULL for an invitee who did not log in. */
struct jmb_policy_subject {
	const struct jmb_identity *identity;
	enum jmb_policy_role role;
};

/* What a token says: per feature -1 (not said), 0 ("false") or 1 ("true"). */
struct jmb_token_grants {
	signed char features[JMB_FEATURE_COUNT];
	bool lobby_bypass;
};

/* The grants of subject under policy; recording_off (the meeting's choice)
 * makes recording "false" whatever the policy says; via_link: the subject
 * came through their personal link (lobby_bypass is only for them). */
struct jmb_token_grants jmb_policy_grants(const struct jmb_policy_settings *policy,
                                          const struct jmb_policy_subject *subject,
                                          bool recording_off, bool via_link);

/* True when entry is one of the forms above. */
bool jmb_policy_entry_is_valid(const char *entry);

#endif
