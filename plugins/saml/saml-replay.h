/* A bounded, thread-safe, in-memory record of consumed message IDs
 * (request IDs, Response IDs, Assertion IDs) until they expire. */
#ifndef JMB_SAML_REPLAY_H
#define JMB_SAML_REPLAY_H

#include <stddef.h>
#include <time.h>

struct saml_replay;

struct saml_replay *saml_replay_new(size_t capacity);
void saml_replay_free(struct saml_replay **replay);
/* Records every key until expires, all or none: 1 recorded, 0 one of them was
 * already recorded (a replay), -1 the table is full of live entries (refuse:
 * failing open would allow replays). */
int saml_replay_claim(struct saml_replay *replay, const char *const *keys, size_t count,
                      time_t expires, time_t now);

#endif
