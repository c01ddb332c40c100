/* Token grants from [policy]. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "domain/policy.h"

static const char *const feature_names[JMB_FEATURE_COUNT] = {
    "recording", "livestreaming", "transcription", "outbound-call", "sip-outbound-call",
};

const char *jmb_feature_name(enum jmb_feature f)
{
	return feature_names[f];
}

static bool in_group(const struct jmb_identity *id, const char *group)
{
	for (size_t i = 0; id != NULL && id->groups != NULL && id->groups[i] != NULL; i++) {
		if (strcasecmp(id->groups[i], group) == 0)
			return true;
	}
	return false;
}

static bool entry_matches(const char *entry, const struct jmb_policy_subject *s)
{
	const struct jmb_identity *id = s->identity;

	if (strcmp(entry, "anyone") == 0)
		return true;
	if (strcmp(entry, "owner") == 0)
		return s->role == JMB_POLICY_OWNER;
	if (strcmp(entry, "moderators") == 0)
		return s->role != JMB_POLICY_GUEST;
	if (strcmp(entry, "guests") == 0)
		return s->role == JMB_POLICY_GUEST;
	if (strncmp(entry, "group:", 6) == 0)
		return in_group(id, entry + 6);
	if (strncmp(entry, "login:", 6) == 0)
		return id != NULL && id->login != NULL && strcmp(id->login, entry + 6) == 0;
	return false;
}

/* -1 when nobody is named, else whether subject is. */
static signed char grant(char *const *who, const struct jmb_policy_subject *s)
{
	if (who == NULL || who[0] == NULL)
		return -1;
	for (size_t i = 0; who[i] != NULL; i++) {
		if (entry_matches(who[i], s))
			return 1;
	}
	return 0;
}

struct jmb_token_grants jmb_policy_grants(const struct jmb_policy_settings *policy,
                                          const struct jmb_policy_subject *subject,
                                          bool recording_off, bool via_link)
{
	char **const lists[JMB_FEATURE_COUNT] = {
	    policy->recording,     policy->livestreaming,     policy->transcription,
	    policy->outbound_call, policy->sip_outbound_call,
	};
	struct jmb_token_grants g = {.lobby_bypass = false};

	for (int f = 0; f < JMB_FEATURE_COUNT; f++)
		g.features[f] = grant(lists[f], subject);
	if (recording_off)
		g.features[JMB_FEATURE_RECORDING] = 0;
	g.lobby_bypass = via_link && grant(policy->lobby_bypass, subject) == 1;
	return g;
}

bool jmb_policy_entry_is_valid(const char *entry)
{
	static const char *const words[] = {"anyone", "owner", "moderators", "guests"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(entry, words[i]) == 0)
			return true;
	}
	return (strncmp(entry, "group:", 6) == 0 || strncmp(entry, "login:", 6) == 0) &&
	       entry[6] != '\0';
}
