/* Times jmb_ical_feed() on a realistic large feed: 500 meetings with 5 attendees each,
 * in three zones, every alarm still ahead (the most work). With "series", the first 100
 * are weekly series of 52 occurrences, 20 of them with a moved occurrence and 20 with
 * a cancelled one (issue 10's feed). Run by bench/feed-build.sh.
 * Usage: feed-build [ITERATIONS [THREADS [series]]]; prints one line of results. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/recurrence.h"
#include "publish/ical-feed.h"
#include "util/memory.h"
#include "util/timeutil.h"

#define MEETINGS 500
#define ATTENDEES 5
#define SERIES 100
#define WEEKS 52

static const char *const zones[] = {"Europe/Paris", "America/New_York", "UTC"};
static const long alarm_offsets[] = {1440, 60, 10};
static const char *const alice_mails[] = {"alice@example.org", NULL};
static struct jmb_meeting meetings[MEETINGS];
static struct jmb_meeting *items[MEETINGS];
static struct jmb_meeting_list list = {items, MEETINGS};
static struct jmb_feed_options options = {
    .public_url = "https://jmb.example.org",
    .calendar_name = "Visioconférences — Alice Martin",
    .refresh_minutes = 60,
    .alarm_offsets = alarm_offsets,
    .n_alarm_offsets = 3,
    .join_label = "Rejoindre la réunion :",
    .now = 1767225600, /* 2026-01-01: every meeting and alarm ahead */
};

static void make_attendee(struct jmb_attendee *a, size_t m, size_t i, bool alice)
{
	a->mail = alice ? jmb_xstrdup("alice@example.org")
	                : jmb_xasprintf("invitee%zu.%zu@example.org", m, i);
	a->name = alice ? jmb_xstrdup("Alice Martin") : jmb_xasprintf("Invité·e n°%zu", i);
	a->role = i == 0 ? JMB_ROLE_MODERATOR : JMB_ROLE_GUEST;
	a->status = (enum jmb_partstat)(i % 3);
	a->token = jmb_xasprintf("tok%zux%zuABCDEFGHIJKLMNOPQRSTU", m, i);
}

static double clock_ms(clockid_t clock);
static int compare_doubles(const void *a, const void *b);

/* The first SERIES meetings become weekly series; among them 20 have their
   11th occurrence moved a day later and retitled, 20 have it cancelled. */
static void make_series(void)
{
	for (size_t m = 0; m < SERIES; m++) {
		struct jmb_meeting *mt = &meetings[m];
		struct jmb_pool *pool = jmb_pool_new();
		struct jmb_occurrence *occ;
		size_t n;

		mt->recurrence = jmb_xasprintf("FREQ=WEEKLY;COUNT=%d", WEEKS);
		occ = jmb_meeting_occurrences(pool, mt, 0, JMB_TIME_MAX, WEEKS, &n);
		mt->last_end = occ[n - 1].end;
		if (m < 40) {
			mt->overrides = jmb_xcalloc(1, sizeof(*mt->overrides));
			mt->n_overrides = 1;
			mt->overrides[0] = (struct jmb_override){
			    .recurrence_id = occ[10].recurrence_id,
			    .start = occ[10].start + (m < 20 ? 86400 : 0),
			    .duration = mt->duration,
			    .title = m < 20 ? jmb_xstrdup("Séance déplacée") : NULL,
			    .cancelled = m >= 20,
			};
		}
		jmb_pool_free(&pool);
	}
}

/* What a list of the series costs: each shown at its next occurrence
   (jmb_meeting_next, which stops the rule there) half-way through the year,
   against expanding every occurrence. Microseconds for all SERIES, median. */
static void time_next(int iterations)
{
	time_t middle = options.now + 26 * 7 * 86400;
	double next_us[64], all_us[64];
	int runs = iterations < 64 ? iterations : 64;
	struct jmb_occurrence occ;

	for (int i = 0; i < runs; i++) {
		struct jmb_pool *pool = jmb_pool_new();
		double t0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
		size_t n;

		for (size_t m = 0; m < SERIES; m++)
			jmb_meeting_next(&meetings[m], middle, &occ);
		next_us[i] = (clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e3;
		t0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
		for (size_t m = 0; m < SERIES; m++)
			jmb_meeting_occurrences(pool, &meetings[m], 0, JMB_TIME_MAX, WEEKS, &n);
		all_us[i] = (clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e3;
		jmb_pool_free(&pool);
	}
	qsort(next_us, (size_t)runs, sizeof(double), compare_doubles);
	qsort(all_us, (size_t)runs, sizeof(double), compare_doubles);
	printf("series=%d next_cpu_us median=%.0f (every occurrence: %.0f)\n", SERIES,
	       next_us[runs / 2], all_us[runs / 2]);
}

/* Half the meetings owned by alice, half owned by others with alice invited. */
static void make_meetings(void)
{
	for (size_t m = 0; m < MEETINGS; m++) {
		struct jmb_meeting *mt = &meetings[m];
		bool owned = m % 2 == 0;

		mt->id = (int64_t)m + 1;
		mt->uid = jmb_xasprintf("%032zx@jmb.example.org", m);
		mt->room = jmb_xasprintf("room%016zuabcdefgh", m);
		mt->title = jmb_xasprintf("Réunion d'équipe n°%zu, point hebdomadaire; suivi", m);
		mt->description =
		    jmb_xstrdup("Ordre du jour :\n1. tour de table\n2. avancement des "
		                "chantiers en cours\n3. questions diverses, à préparer");
		mt->start = options.now + 86400 + (time_t)m * 3600 * 7;
		mt->duration = 90;
		mt->end = mt->start + 90 * 60;
		mt->timezone = jmb_xstrdup(zones[m % 3]);
		mt->owner.login = jmb_xstrdup(owned ? "alice" : "bob");
		mt->owner.mail = jmb_xstrdup(owned ? "alice@example.org" : "bob@example.org");
		mt->owner.name = jmb_xstrdup(owned ? "Alice Martin" : "Bob Durand");
		mt->sequence = (long)(m % 4);
		mt->created = mt->updated = options.now - 3600;
		mt->deleted = m % 50 == 49 ? options.now - 60 : 0;
		mt->attendees = jmb_xcalloc(ATTENDEES, sizeof(*mt->attendees));
		mt->n_attendees = ATTENDEES;
		for (size_t i = 0; i < ATTENDEES; i++)
			make_attendee(&mt->attendees[i], m, i, !owned && i == ATTENDEES - 1);
		items[m] = mt;
	}
}

static double clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct run {
	int iterations;
	double *ms;     /* wall clock */
	double *cpu_ms; /* this thread's CPU time: what other load on the machine changes least */
	size_t bytes;
};

static void *run_feeds(void *arg)
{
	struct run *r = arg;

	for (int i = 0; i < r->iterations; i++) {
		double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
		char *text = jmb_ical_feed(&options, &list, "alice", alice_mails, &r->bytes);

		r->ms[i] = clock_ms(CLOCK_MONOTONIC) - t0;
		r->cpu_ms[i] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
		if (text == NULL) {
			fprintf(stderr, "feed-build: jmb_ical_feed failed\n");
			exit(1);
		}
		free(text);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 200;
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	bool series = argc > 3 && strcmp(argv[3], "series") == 0;
	pthread_t tid[64];
	struct run runs[64];
	double *all, *cpu;
	int n = 0;

	if (iterations < 1 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: feed-build [ITERATIONS [THREADS<=64 [series]]]\n");
		return 2;
	}
	make_meetings();
	if (series) {
		make_series();
		time_next(iterations);
	}
	struct run warm = {.iterations = 3, .ms = (double[3]){0}, .cpu_ms = (double[3]){0}};
	run_feeds(&warm); /* loads the zones once */
	all = jmb_xcalloc((size_t)iterations * threads, sizeof(*all));
	cpu = jmb_xcalloc((size_t)iterations * threads, sizeof(*cpu));
	for (int t = 0; t < threads; t++) {
		runs[t] = (struct run){.iterations = iterations,
		                       .ms = all + (size_t)t * iterations,
		                       .cpu_ms = cpu + (size_t)t * iterations};
		pthread_create(&tid[t], NULL, run_feeds, &runs[t]);
	}
	for (int t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	n = iterations * threads;
	qsort(all, (size_t)n, sizeof(*all), compare_doubles);
	qsort(cpu, (size_t)n, sizeof(*cpu), compare_doubles);
	printf("meetings=%d series=%d attendees=%d threads=%d builds=%d bytes=%zu "
	       "wall_ms min=%.2f median=%.2f p95=%.2f max=%.2f cpu_ms median=%.2f p95=%.2f\n",
	       MEETINGS, series ? SERIES : 0, ATTENDEES, threads, n, runs[0].bytes, all[0], all[n / 2],
	       all[(size_t)(n * 0.95)], all[n - 1], cpu[n / 2], cpu[(size_t)(n * 0.95)]);
	free(all);
	free(cpu);
	return 0;
}
