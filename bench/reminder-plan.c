/* Times jmb_reminder_plan() (src/lib/store/reminder-plan.c) on a year of
 * reminders for 1,000 weekly series: 52 occurrences each in Europe/Paris
 * (both daylight-saving changes inside), one cancelled and one moved, with
 * jmbd's default reminders ([reminders] mail_before 10080, 1440, 60, 10 and
 * xmpp_before_end 15, 5, 0: seven per occurrence) all still ahead. Then, with
 * a store path, the time to write those plans into a fresh SQLite store with
 * their series (jmb_store_meeting_insert_fx: what one booking costs).
 * Run by bench/reminder-plan.sh.
 * Usage: reminder-plan [ITERATIONS [SQLITE_PATH]]; prints one line per measure. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/recurrence.h"
#include "store/store.h"
#include "util/memory.h"

#define SERIES 1000
#define OCCURRENCES 52
#define FIRST_DAY ((time_t)1799136000) /* 2027-01-04, a Monday, 00:00 UTC */
#define NOW ((time_t)1797724800)       /* 2026-12-20: every reminder ahead */

static struct jmb_meeting series[SERIES];
static struct jmb_reminder_settings settings = {
    .mail_before = {10080, 1440, 60, 10},
    .n_mail_before = 4,
    .xmpp_before_end = {15, 5, 0},
    .n_xmpp_before_end = 3,
};

static void make_series(struct jmb_pool *pool)
{
	const struct jmb_rrule_limits limits = {JMB_SERIES_MAX_OCCURRENCES, JMB_SERIES_MAX_DAYS};

	for (size_t i = 0; i < SERIES; i++) {
		struct jmb_meeting *m = &series[i];
		time_t last = 0;
		const char *part = NULL;
		struct jmb_occurrence occ[2];

		m->id = (int64_t)i + 1;
		m->uid = jmb_pool_printf(pool, "%032zx@jmb.example.org", i);
		m->room = jmb_pool_printf(pool, "room%016zuabcdefgh", i);
		m->title = jmb_pool_printf(pool, "Point hebdomadaire n°%zu", i);
		m->description = jmb_pool_strdup(pool, "");
		m->timezone = jmb_pool_strdup(pool, "Europe/Paris");
		/* Mondays to Fridays, 08:00 to 17:00 UTC (09:00 to 18:00 in Paris). */
		m->start = FIRST_DAY + (time_t)(i % 5) * 86400 + (time_t)(8 + i % 10) * 3600;
		m->duration = 60;
		m->end = m->start + 3600;
		m->owner.login = jmb_pool_printf(pool, "user%zu", i % 100);
		m->owner.mail = jmb_pool_printf(pool, "user%zu@example.org", i % 100);
		m->owner.name = jmb_pool_strdup(pool, "");
		m->created = m->updated = NOW;
		m->language = jmb_pool_strdup(pool, "fr");
		if (jmb_rrule_check(pool, "FREQ=WEEKLY;COUNT=52", m->start, m->timezone, &limits,
		                    &m->recurrence, &last, &part) != JMB_RRULE_OK) {
			fprintf(stderr, "reminder-plan: the rule does not check\n");
			exit(1);
		}
		/* The 10th occurrence cancelled, the 20th moved an hour later. */
		m->overrides = jmb_pool_calloc(pool, 2, sizeof(*m->overrides));
		for (size_t k = 0; k < 2; k++) {
			size_t n = 0;
			struct jmb_occurrence *o = jmb_meeting_occurrences(
			    pool, m, m->start + (time_t)(9 + 10 * k) * 7 * 86400 - 7200,
			    m->start + (time_t)(9 + 10 * k) * 7 * 86400 + 7200, 1, &n);

			occ[k] = o[0];
			m->overrides[k] =
			    (struct jmb_override){.recurrence_id = occ[k].recurrence_id,
			                          .start = occ[k].start + 3600 * (long)k,
			                          .duration = 60,
			                          .cancelled = k == 0};
		}
		m->n_overrides = 2;
		m->last_end = jmb_meeting_last_end(m);
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

/* Plans every series once; returns how many reminders in all. */
static size_t plan_all(struct jmb_pool *pool)
{
	size_t total = 0;

	for (size_t i = 0; i < SERIES; i++) {
		size_t n = 0;

		jmb_reminder_plan(pool, &series[i], &settings, true, NOW, &n);
		total += n;
	}
	return total;
}

/* Writes each series with its plan into a fresh SQLite store at path. */
static void store_all(const char *path, struct jmb_pool *pool)
{
	struct jmb_store_settings ss = {
	    .driver = JMB_STORE_SQLITE, .path = (char *)path, .busy_timeout = 5000};
	struct jmb_error error;
	struct jmb_store *store = jmb_store_open(&ss, &error);
	int from, to;
	double ms[SERIES], t0, total0 = clock_ms(CLOCK_MONOTONIC);

	if (store == NULL || jmb_store_migrate(store, &from, &to, &error) != JMB_STORE_OK) {
		fprintf(stderr, "reminder-plan: %s: %s\n", path, error.text);
		exit(1);
	}
	for (size_t i = 0; i < SERIES; i++) {
		struct jmb_side_effects fx = {.now = NOW};
		size_t n = 0;

		series[i].id = 0;
		t0 = clock_ms(CLOCK_MONOTONIC);
		fx.reminders = jmb_reminder_plan(pool, &series[i], &settings, true, NOW, &n);
		fx.n_reminders = n;
		if (jmb_store_meeting_insert_fx(store, &series[i], &fx, &error) != JMB_STORE_OK) {
			fprintf(stderr, "reminder-plan: insert: %s\n", error.text);
			exit(1);
		}
		ms[i] = clock_ms(CLOCK_MONOTONIC) - t0;
	}
	double total = clock_ms(CLOCK_MONOTONIC) - total0;
	qsort(ms, SERIES, sizeof(*ms), compare_doubles);
	printf("store=sqlite series=%d reminders_each=%zu total_ms=%.0f "
	       "insert_ms median=%.2f p95=%.2f max=%.2f\n",
	       SERIES, (size_t)(OCCURRENCES - 1) * 7, total, ms[SERIES / 2],
	       ms[(size_t)(SERIES * 0.95)], ms[SERIES - 1]);
	jmb_store_close(&store);
}

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 10;
	struct jmb_pool *pool = jmb_pool_new();
	double *wall, *cpu;
	size_t reminders = 0;

	if (iterations < 1) {
		fprintf(stderr, "usage: reminder-plan [ITERATIONS [SQLITE_PATH]]\n");
		return 2;
	}
	make_series(pool);
	wall = jmb_xcalloc((size_t)iterations, sizeof(*wall));
	cpu = jmb_xcalloc((size_t)iterations, sizeof(*cpu));
	plan_all(pool); /* loads the zone once */
	for (int i = 0; i < iterations; i++) {
		struct jmb_pool *p = jmb_pool_new();
		double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);

		reminders = plan_all(p);
		wall[i] = clock_ms(CLOCK_MONOTONIC) - t0;
		cpu[i] = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
		jmb_pool_free(&p);
	}
	qsort(wall, (size_t)iterations, sizeof(*wall), compare_doubles);
	qsort(cpu, (size_t)iterations, sizeof(*cpu), compare_doubles);
	printf("series=%d occurrences=%d reminders=%zu runs=%d "
	       "wall_ms min=%.1f median=%.1f max=%.1f cpu_ms median=%.1f\n",
	       SERIES, OCCURRENCES, reminders, iterations, wall[0], wall[iterations / 2],
	       wall[iterations - 1], cpu[iterations / 2]);
	if (reminders != (size_t)SERIES * (OCCURRENCES - 1) * 7) {
		fprintf(stderr, "reminder-plan: expected %d reminders\n",
		        SERIES * (OCCURRENCES - 1) * 7);
		return 1;
	}
	if (argc > 2)
		store_all(argv[2], pool);
	free(wall);
	free(cpu);
	jmb_pool_free(&pool);
	return 0;
}
