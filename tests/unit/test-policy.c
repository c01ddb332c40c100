/* [policy]: who gets which Jitsi feature, and lobby_bypass for link users. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "domain/policy.h"

static char *recording[] = {"owner", "group:Media", NULL};
static char *transcription[] = {"anyone", NULL};
static char *livestreaming[] = {"login:carol", NULL};
static char *outbound[] = {"moderators", NULL};
static char *bypass[] = {"moderators", NULL};
static const struct jmb_policy_settings policy = {
    .recording = recording,
    .transcription = transcription,
    .livestreaming = livestreaming,
    .outbound_call = outbound,
    .lobby_bypass = bypass,
};

static const char *const media_groups[] = {"staff", "media", NULL};
static const struct jmb_identity carol = {.login = "carol", .groups = media_groups};

static void test_roles_groups_and_logins(void **state)
{
	struct jmb_policy_subject owner = {.identity = NULL, .role = JMB_POLICY_OWNER};
	struct jmb_policy_subject guest = {.identity = NULL, .role = JMB_POLICY_GUEST};
	struct jmb_policy_subject carol_mod = {.identity = &carol, .role = JMB_POLICY_MODERATOR};
	struct jmb_token_grants g;

	(void)state;
	g = jmb_policy_grants(&policy, &owner, false, false);
	assert_int_equal(g.features[JMB_FEATURE_RECORDING], 1);
	assert_int_equal(g.features[JMB_FEATURE_TRANSCRIPTION], 1);
	assert_int_equal(g.features[JMB_FEATURE_LIVESTREAMING], 0);
	assert_int_equal(g.features[JMB_FEATURE_OUTBOUND_CALL], 1);      /* the owner moderates */
	assert_int_equal(g.features[JMB_FEATURE_SIP_OUTBOUND_CALL], -1); /* nobody named */
	g = jmb_policy_grants(&policy, &guest, false, true);
	assert_int_equal(g.features[JMB_FEATURE_RECORDING], 0);
	assert_int_equal(g.features[JMB_FEATURE_OUTBOUND_CALL], 0);
	assert_false(g.lobby_bypass);
	/* Groups match whatever their case. */
	g = jmb_policy_grants(&policy, &carol_mod, false, true);
	assert_int_equal(g.features[JMB_FEATURE_RECORDING], 1);
	assert_int_equal(g.features[JMB_FEATURE_LIVESTREAMING], 1);
	assert_true(g.lobby_bypass);
	/* lobby_bypass only for those who came through their link. */
	assert_false(jmb_policy_grants(&policy, &carol_mod, false, false).lobby_bypass);
}

static void test_recording_off_wins(void **state)
{
	struct jmb_policy_subject owner = {.identity = &carol, .role = JMB_POLICY_OWNER};
	struct jmb_policy_settings none = {0};
	struct jmb_token_grants g;

	(void)state;
	g = jmb_policy_grants(&policy, &owner, true, false);
	assert_int_equal(g.features[JMB_FEATURE_RECORDING], 0);
	assert_int_equal(g.features[JMB_FEATURE_TRANSCRIPTION], 1);
	/* No policy: nothing claimed, but a meeting without recording still says so. */
	g = jmb_policy_grants(&none, &owner, false, false);
	for (int f = 0; f < JMB_FEATURE_COUNT; f++)
		assert_int_equal(g.features[f], -1);
	g = jmb_policy_grants(&none, &owner, true, false);
	assert_int_equal(g.features[JMB_FEATURE_RECORDING], 0);
}

static void test_entry_forms(void **state)
{
	static const char *const valid[] = {"anyone", "owner",       "moderators",
	                                    "guests", "group:staff", "login:x"};
	static const char *const invalid[] = {
	    "", "everyone", "group:", "login:", "grup:staff", "Moderators", "owner "};

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		assert_true(jmb_policy_entry_is_valid(valid[i]));
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		assert_false(jmb_policy_entry_is_valid(invalid[i]));
	assert_string_equal(jmb_feature_name(JMB_FEATURE_SIP_OUTBOUND_CALL), "sip-outbound-call");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roles_groups_and_logins),
	    cmocka_unit_test(test_recording_off_wins),
	    cmocka_unit_test(test_entry_forms),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
