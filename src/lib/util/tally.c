/* Counts by string key: an open-addressing hash table with linear probing,
 * grown to keep it at most half full. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "util/tally.h"

#define INITIAL_CAPACITY 64

uint64_t jmb_string_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

static struct jmb_tally_item *find_slot(struct jmb_tally_item *slots, size_t capacity,
                                        const char *key)
{
	size_t i = jmb_string_hash(key) & (capacity - 1);

	while (slots[i].key != NULL && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (capacity - 1);
	return &slots[i];
}

static void grow(struct jmb_tally *tally)
{
	size_t capacity = tally->capacity == 0 ? INITIAL_CAPACITY : tally->capacity * 2;
	struct jmb_tally_item *slots = jmb_xcalloc(capacity, sizeof(*slots));

	for (size_t i = 0; i < tally->capacity; i++) {
		if (tally->slots[i].key != NULL)
			*find_slot(slots, capacity, tally->slots[i].key) = tally->slots[i];
	}
	free(tally->slots);
	tally->slots = slots;
	tally->capacity = capacity;
}

void jmb_tally_init(struct jmb_tally *tally)
{
	memset(tally, 0, sizeof(*tally));
}

void jmb_tally_add(struct jmb_tally *tally, const char *key, long n)
{
	struct jmb_tally_item *slot;

	if ((tally->used + 1) * 2 > tally->capacity)
		grow(tally);
	slot = find_slot(tally->slots, tally->capacity, key);
	if (slot->key == NULL) {
		slot->key = jmb_xstrdup(key);
		tally->used++;
	}
	slot->count += n;
}

size_t jmb_tally_size(const struct jmb_tally *tally)
{
	return tally->used;
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct jmb_tally_item *)a)->key,
	              ((const struct jmb_tally_item *)b)->key);
}

struct jmb_tally_item *jmb_tally_take(struct jmb_tally *tally, size_t *n_r)
{
	struct jmb_tally_item *items = NULL;
	size_t n = 0;

	if (tally->used > 0) {
		items = jmb_xcalloc(tally->used, sizeof(*items));
		for (size_t i = 0; i < tally->capacity; i++) {
			if (tally->slots[i].key != NULL)
				items[n++] = tally->slots[i];
		}
		qsort(items, n, sizeof(*items), item_cmp);
	}
	free(tally->slots);
	jmb_tally_init(tally);
	*n_r = n;
	return items;
}

void jmb_tally_items_free(struct jmb_tally_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i].key);
	free(items);
}

void jmb_tally_clear(struct jmb_tally *tally)
{
	size_t n;
	struct jmb_tally_item *items = jmb_tally_take(tally, &n);

	jmb_tally_items_free(items, n);
}
