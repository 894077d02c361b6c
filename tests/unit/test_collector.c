#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "log.h"
#include "process.h"

/*
 * Fake collectors. "gate" blocks until the test opens it, which makes the
 * deadline and single-flight cases deterministic without timing assertions.
 */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	atomic_int entered;
	atomic_int finished;
};

static struct gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static void gate_reset(void)
{
	gate.open = false;
	atomic_store(&gate.entered, 0);
	atomic_store(&gate.finished, 0);
}

static void gate_open(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.open = true;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
}

/* Bounded wait for a condition another thread makes true. */
#define WAIT_FOR(cond)                                                  \
	do {                                                            \
		for (int i_ = 0; i_ < 10000 && !(cond); i_++)           \
			usleep(1000);                                   \
		assert_true(cond);                                      \
	} while (0)

static const struct metric_desc ok_desc = { "test_ok", "A fine value.", METRIC_GAUGE, NULL };
static const struct metric_desc gated_desc = { "test_gated", "Waited for.", METRIC_GAUGE, NULL };
static const struct metric_desc bad_desc = {
	"test_partial", "Half written.", METRIC_GAUGE, LABELS("x"),
};

static int ok_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	expo_family(w, &ok_desc);
	expo_value(w, 42);
	return 0;
}

static int failing_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	expo_family(w, &bad_desc);
	expo_sample(w, 1, "a");
	return -EIO;
}

static int duplicate_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	expo_family(w, &ok_desc);
	expo_family(w, &ok_desc);
	return 0;
}

static int gated_collect(const struct collect_ctx *ctx, struct expo *w)
{
	(void)ctx;
	atomic_fetch_add(&gate.entered, 1);
	pthread_mutex_lock(&gate.lock);
	while (!gate.open)
		pthread_cond_wait(&gate.cond, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
	expo_family(w, &gated_desc);
	expo_value(w, 7);
	atomic_fetch_add(&gate.finished, 1);
	return 0;
}

static int state_init(const void *config, void **state)
{
	(void)config;
	*state = strdup("owned by the collector");
	return *state ? 0 : -ENOMEM;
}

static int init_fails(const void *config, void **state)
{
	(void)config;
	(void)state;
	return -ENOENT;
}

static void state_release(void *state)
{
	free(state);
}

static const struct collector c_ok = {
	"ok", true, state_init, ok_collect, state_release,
};
static const struct collector c_failing = { "failing", true, NULL, failing_collect, NULL };
static const struct collector c_duplicate = { "duplicate", true, NULL, duplicate_collect, NULL };
static const struct collector c_gated = { "gated", true, NULL, gated_collect, NULL };
/* More hanging collectors than a machine has CPUs (and so base workers). */
static const struct collector c_hang[] = {
	{ "hang0", true, NULL, gated_collect, NULL },
	{ "hang1", true, NULL, gated_collect, NULL },
	{ "hang2", true, NULL, gated_collect, NULL },
	{ "hang3", true, NULL, gated_collect, NULL },
	{ "hang4", true, NULL, gated_collect, NULL },
};
/* Records the thread collect() ran on; "bounded" when in_time says so. */
static pthread_t ran_on;
static atomic_int in_time_asked;
static bool in_time_answer;

static int where_collect(const struct collect_ctx *ctx, struct expo *w)
{
	ran_on = pthread_self();
	return ok_collect(ctx, w);
}

static bool in_time(const void *config, void *state)
{
	(void)config;
	(void)state;
	atomic_fetch_add(&in_time_asked, 1);
	return in_time_answer;
}

static const struct collector c_where = {
	"where", true, NULL, where_collect, NULL, in_time,
};
static const struct collector c_where_plain = { "where_plain", true, NULL, where_collect, NULL };

static const struct collector c_off = { "off", false, NULL, ok_collect, NULL };
static const struct collector c_init_fails = { "broken", true, init_fails, ok_collect, NULL };

static struct scrape_request request(double timeout)
{
	return (struct scrape_request){
		.format = EXPO_TEXT,
		.deadline = monotonic_seconds() + timeout,
	};
}

/* A scrape into body, emptied first, with its deadline timeout seconds away. */
static void scrape_afresh(struct scraper *s, struct buf *body, double timeout)
{
	struct scrape_request req = request(timeout);

	buf_truncate(body, 0);
	scraper_scrape(s, &req, body);
}

static void setup_scraper(struct scraper *s, const struct collector *const *table,
			  size_t n)
{
	bool enabled[16];

	for (size_t i = 0; i < n; i++)
		enabled[i] = table[i]->enabled_by_default;
	assert_int_equal(scraper_init(s, "test", "test_exporter", NULL, table, enabled, n), 0);
	s->exporter_metrics = false;
}

static void success_and_failure(void **state)
{
	const struct collector *table[] = { &c_duplicate, &c_failing, &c_ok };
	struct scrape_request req = request(10);
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	setup_scraper(&s, table, 3);
	scraper_scrape(&s, &req, &body);
	const char *text = buf_cstr(&body);
	assert_non_null(strstr(text, "test_ok 42\n"));
	/* Failed collectors leave nothing behind: no half-written family. */
	assert_null(strstr(text, "test_partial"));
	assert_non_null(strstr(text, "test_scrape_collector_success{collector=\"ok\"} 1\n"));
	assert_non_null(strstr(text, "test_scrape_collector_success{collector=\"failing\"} 0\n"));
	assert_non_null(strstr(text, "test_scrape_collector_success{collector=\"duplicate\"} 0\n"));
	assert_non_null(strstr(text,
		"# HELP test_scrape_collector_duration_seconds test_exporter: Duration of a collector scrape.\n"
		"# TYPE test_scrape_collector_duration_seconds gauge\n"));
	assert_non_null(strstr(text,
		"# HELP test_scrape_collector_success test_exporter: Whether a collector succeeded.\n"));
	/* The ok family appears exactly once. */
	assert_null(strstr(strstr(text, "test_ok 42\n") + 1, "test_ok 42\n"));
	buf_release(&body);
	scraper_release(&s);
}

static void disabled_and_failed_init(void **state)
{
	const struct collector *table[] = { &c_init_fails, &c_off, &c_ok };
	struct scrape_request req = request(10);
	struct buf body = BUF_INIT, err = BUF_INIT;
	struct scraper s;

	(void)state;
	setup_scraper(&s, table, 3);
	assert_false(s.slots[0].enabled); /* init failed: disabled, logged */
	scraper_scrape(&s, &req, &body);
	assert_null(strstr(buf_cstr(&body), "collector=\"off\""));
	assert_null(strstr(buf_cstr(&body), "collector=\"broken\""));

	const char *inc[] = { "off" };
	req.include = inc;
	req.ninclude = 1;
	assert_int_equal(scraper_check_filter(&s, &req, &err), -1);
	assert_string_equal(buf_cstr(&err),
		"couldn't create filtered metrics handler: disabled collector: off");
	buf_truncate(&err, 0);
	const char *unknown[] = { "nope" };
	req.include = NULL;
	req.ninclude = 0;
	req.exclude = unknown;
	req.nexclude = 1;
	assert_int_equal(scraper_check_filter(&s, &req, &err), -1);
	assert_string_equal(buf_cstr(&err),
		"couldn't create filtered metrics handler: missing collector: nope");
	buf_release(&err);
	buf_release(&body);
	scraper_release(&s);
}

static void filters(void **state)
{
	const struct collector *table[] = { &c_failing, &c_ok };
	struct buf body = BUF_INIT, err = BUF_INIT;
	struct scrape_request req = request(10);
	const char *only_ok[] = { "ok" };
	struct scraper s;

	(void)state;
	setup_scraper(&s, table, 2);
	req.include = only_ok;
	req.ninclude = 1;
	assert_int_equal(scraper_check_filter(&s, &req, &err), 0);
	scraper_scrape(&s, &req, &body);
	assert_non_null(strstr(buf_cstr(&body), "test_ok 42\n"));
	assert_null(strstr(buf_cstr(&body), "collector=\"failing\""));

	buf_truncate(&body, 0);
	req.include = NULL;
	req.ninclude = 0;
	req.exclude = only_ok;
	req.nexclude = 1;
	scraper_scrape(&s, &req, &body);
	assert_null(strstr(buf_cstr(&body), "test_ok"));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"failing\"} 0"));
	buf_release(&err);
	buf_release(&body);
	scraper_release(&s);
}

static void deadline_serves_the_rest(void **state)
{
	const struct collector *table[] = { &c_gated, &c_ok };
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	gate_reset();
	setup_scraper(&s, table, 2);
	scrape_afresh(&s, &body, 0.2);
	assert_non_null(strstr(buf_cstr(&body), "test_ok 42\n"));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"gated\"} 0\n"));
	assert_null(strstr(buf_cstr(&body), "test_gated"));

	/* Still stuck: the next scrape fails it at once, without a new run. */
	scrape_afresh(&s, &body, 10);
	assert_non_null(strstr(buf_cstr(&body), "collector=\"gated\"} 0\n"));
	assert_int_equal(atomic_load(&gate.entered), 1);

	/* Once the stuck run ends, the collector works again. */
	gate_open();
	WAIT_FOR(!atomic_load(&s.slots[0].stuck));
	scrape_afresh(&s, &body, 10);
	assert_non_null(strstr(buf_cstr(&body), "test_gated 7\n"));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"gated\"} 1\n"));
	buf_release(&body);
	scraper_release(&s);
}

static int count_threads(void);

/*
 * Hanging collectors hold every worker the pool starts with; the queue
 * stalls, the pool grows, and the healthy collector is still served. Once
 * they are released, the extra workers end after IDLE_EXIT_SECONDS (5 s)
 * and the pool is back to one worker per CPU.
 */
static void stalled_queue_grows_the_pool(void **state)
{
	const struct collector *table[] = {
		&c_hang[0], &c_hang[1], &c_hang[2], &c_hang[3], &c_hang[4], &c_ok,
	};
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	gate_reset();
	int before = count_threads();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	setup_scraper(&s, table, 6);
	scrape_afresh(&s, &body, 5);
	assert_non_null(strstr(buf_cstr(&body), "test_ok 42\n"));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"ok\"} 1\n"));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"hang4\"} 0\n"));
	assert_true(count_threads() - before >= 6); /* 5 hanging + one for "ok" */
	gate_open();
	for (size_t i = 0; i < 5; i++)
		WAIT_FOR(!atomic_load(&s.slots[i].stuck));
	/* Bounded (20 s), not timed: only that the extra workers do end. */
	for (int i = 0; i < 2000 && count_threads() - before > cpus; i++)
		usleep(10000);
	assert_true(count_threads() - before <= cpus);
	/* And the pool still works, growing again if it must. */
	scrape_afresh(&s, &body, 5);
	assert_non_null(strstr(buf_cstr(&body), "collector=\"hang4\"} 1\n"));
	buf_release(&body);
	scraper_release(&s);
}

struct scrape_thread {
	struct scraper *s;
	struct buf body;
	pthread_t tid;
};

static void *scrape_in_thread(void *arg)
{
	struct scrape_thread *t = arg;
	struct scrape_request req = request(30);

	scraper_scrape(t->s, &req, &t->body);
	return NULL;
}

static void single_flight(void **state)
{
	const struct collector *table[] = { &c_gated };
	struct scrape_thread a = { 0 }, b = { 0 };
	struct scraper s;

	(void)state;
	gate_reset();
	setup_scraper(&s, table, 1);
	a.s = b.s = &s;
	pthread_create(&a.tid, NULL, scrape_in_thread, &a);
	WAIT_FOR(atomic_load(&gate.entered) == 1);
	pthread_create(&b.tid, NULL, scrape_in_thread, &b);
	WAIT_FOR(scraper_requests_in_flight(&s) == 2);
	gate_open();
	pthread_join(a.tid, NULL);
	pthread_join(b.tid, NULL);
	assert_int_equal(atomic_load(&gate.entered), 1);
	assert_non_null(strstr(buf_cstr(&a.body), "test_gated 7\n"));
	assert_string_equal(buf_cstr(&a.body), buf_cstr(&b.body));
	assert_null(s.flights);
	buf_release(&a.body);
	buf_release(&b.body);
	scraper_release(&s);
}

/* Significant digits of a number as written (before any exponent). */
static int significant_digits(const char *num)
{
	int n = 0;
	bool leading = true;

	for (; *num && *num != 'e' && *num != ' ' && *num != '\n'; num++) {
		if (*num < '0' || *num > '9')
			continue;
		if (*num == '0' && leading)
			continue;
		leading = false;
		n++;
	}
	return n;
}

/*
 * Durations are whole nanoseconds, as Go's are: written with at most ten
 * significant digits, not a subtraction's seventeen.
 */
static void durations_in_nanoseconds(void **state)
{
	const struct collector *table[] = { &c_ok };
	struct buf body = BUF_INIT;
	struct scraper s;
	static const char key[] = "test_scrape_collector_duration_seconds{collector=\"ok\"} ";

	(void)state;
	setup_scraper(&s, table, 1);
	for (int i = 0; i < 50; i++) {
		scrape_afresh(&s, &body, 10);
		const char *at = strstr(buf_cstr(&body), key);
		assert_non_null(at);
		at += strlen(key);
		double v = strtod(at, NULL);
		assert_true(fabs(v * 1e9 - round(v * 1e9)) < 1e-6);
		if (significant_digits(at) > 10)
			fail_msg("duration written as %.*s", (int)strcspn(at, "\n"), at);
	}
	assert_true(duration_seconds(0.1 + 0.2 - 0.3) == 0);
	assert_true(duration_seconds(1.0000000004) == 1);
	assert_true(duration_seconds(0.000123456789) == 0.000123457);
	buf_release(&body);
	scraper_release(&s);
}

static void openmetrics_and_self_metrics(void **state)
{
	const struct collector *table[] = { &c_ok };
	struct scrape_request req = request(10);
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	setup_scraper(&s, table, 1);
	s.exporter_metrics = true;
	req.format = EXPO_OPENMETRICS;
	scraper_scrape(&s, &req, &body);
	const char *text = buf_cstr(&body);
	assert_non_null(strstr(text, "# TYPE process_cpu_seconds counter\n"));
	assert_non_null(strstr(text, "process_cpu_seconds_total "));
	assert_non_null(strstr(text, "\nprocess_open_fds "));
	assert_non_null(strstr(text, "\nprocess_start_time_seconds 1"));
	assert_non_null(strstr(text, "test_exporter_build_info{branch=\"\",goarch="));
	assert_true(body.len > 6);
	assert_string_equal(text + body.len - 6, "# EOF\n");
	buf_release(&body);
	scraper_release(&s);
}

/* process_open_fds of a fresh body of self metrics. */
static long reported_open_fds(void)
{
	struct buf body = BUF_INIT;
	struct expo w;

	expo_init(&w, &body, EXPO_TEXT);
	process_metrics_write(&w, "test_exporter");
	expo_release(&w);
	const char *at = strstr(buf_cstr(&body), "\nprocess_open_fds ");
	assert_non_null(at);
	long n = strtol(at + strlen("\nprocess_open_fds "), NULL, 10);
	buf_release(&body);
	return n;
}

/* Descriptors listed in /proc/self/fd but the listing's own. */
static long listed_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	long n = -1; /* the stream's own */

	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * process_open_fds counts every open descriptor, the one it keeps for the
 * listing included, and follows descriptors opened and closed.
 */
static void open_fds_counted(void **state)
{
	int extra[5];

	(void)state;
	long before = reported_open_fds();
	assert_int_equal(before, listed_fds());
	for (size_t i = 0; i < 5; i++)
		assert_true((extra[i] = dup(0)) >= 0);
	assert_int_equal(reported_open_fds(), before + 5);
	assert_int_equal(reported_open_fds(), listed_fds());
	for (size_t i = 0; i < 5; i++)
		close(extra[i]);
	assert_int_equal(reported_open_fds(), before);
}

static int count_threads(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");

	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Workers are made once and reused: however many scrapes run, the pool
 * never holds more threads than there are collectors (without a pool, 100
 * scrapes of 3 collectors would have made 300 threads).
 */
static void workers_are_reused(void **state)
{
	const struct collector *table[] = { &c_duplicate, &c_failing, &c_ok };
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	int before = count_threads();
	setup_scraper(&s, table, 3);
	for (int i = 0; i < 100; i++) {
		scrape_afresh(&s, &body, 10);
		assert_in_range(count_threads() - before, 1, 3);
	}
	assert_non_null(strstr(buf_cstr(&body), "test_ok 42\n"));
	buf_release(&body);
	scraper_release(&s);
	/* Joined; the kernel may list an exiting task a moment longer. */
	WAIT_FOR(count_threads() <= before);
}

/*
 * A collector that returns by the deadline on its own, scraped alone, runs
 * on the requesting thread (two thread wake-ups less per scrape); when it
 * says it cannot, when it is one of several, or when it has no say, on a
 * worker as before.
 */
static void returns_in_time_runs_here(void **state)
{
	const struct collector *alone[] = { &c_where };
	const struct collector *plain[] = { &c_where_plain };
	const struct collector *several[] = { &c_where, &c_ok };
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	in_time_answer = true;
	setup_scraper(&s, alone, 1);
	for (int i = 0; i < 3; i++) {
		scrape_afresh(&s, &body, 10);
		assert_true(pthread_equal(ran_on, pthread_self()));
		assert_non_null(strstr(buf_cstr(&body), "collector=\"where\"} 1\n"));
	}
	in_time_answer = false;
	scrape_afresh(&s, &body, 10);
	assert_false(pthread_equal(ran_on, pthread_self()));
	scraper_release(&s);

	in_time_answer = true;
	atomic_store(&in_time_asked, 0);
	setup_scraper(&s, several, 2);
	scrape_afresh(&s, &body, 10);
	assert_false(pthread_equal(ran_on, pthread_self()));
	assert_int_equal(atomic_load(&in_time_asked), 0);
	scraper_release(&s);

	setup_scraper(&s, plain, 1);
	scrape_afresh(&s, &body, 10);
	assert_false(pthread_equal(ran_on, pthread_self()));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"where_plain\"} 1\n"));
	scraper_release(&s);
	buf_release(&body);
}

/*
 * A scrape whose deadline passes before its jobs are taken (a data source
 * scraped after another used up the time) fails them; the next scrapes,
 * in time, must succeed: a job still queued at the deadline was once
 * marked stuck, and stayed so, failing its collector on every scrape.
 */
static void queued_at_the_deadline_does_not_stick(void **state)
{
	const struct collector *table[] = { &c_ok, &c_duplicate, &c_failing };
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	setup_scraper(&s, table, 3);
	scraper_set_workers(&s, 1);
	scrape_afresh(&s, &body, -1);
	assert_non_null(strstr(buf_cstr(&body), "collector=\"ok\"} 0\n"));
	for (int i = 0; i < 3; i++) {
		scrape_afresh(&s, &body, 10);
		assert_non_null(strstr(buf_cstr(&body), "test_ok 42\n"));
		assert_non_null(strstr(buf_cstr(&body), "collector=\"ok\"} 1\n"));
	}
	buf_release(&body);
	scraper_release(&s);
}

/*
 * A serial scraper (one shared resource) keeps its one worker when a
 * collector stalls: the queued one fails at the deadline instead of a
 * thread being started to wait for the same resource.
 */
static void serial_scraper_does_not_grow(void **state)
{
	const struct collector *table[] = { &c_gated, &c_ok };
	struct buf body = BUF_INIT;
	struct scraper s;

	(void)state;
	gate_reset();
	int before = count_threads();
	setup_scraper(&s, table, 2);
	scraper_set_serial(&s);
	scrape_afresh(&s, &body, 0.3);
	assert_non_null(strstr(buf_cstr(&body), "collector=\"gated\"} 0\n"));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"ok\"} 0\n"));
	/* At most its one worker (threads of earlier cases may still be ending). */
	assert_true(count_threads() - before <= 1);
	gate_open();
	WAIT_FOR(!atomic_load(&s.slots[0].stuck));
	scrape_afresh(&s, &body, 10);
	assert_non_null(strstr(buf_cstr(&body), "collector=\"gated\"} 1\n"));
	assert_non_null(strstr(buf_cstr(&body), "collector=\"ok\"} 1\n"));
	assert_true(count_threads() - before <= 1);
	buf_release(&body);
	scraper_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(success_and_failure),
		cmocka_unit_test(disabled_and_failed_init),
		cmocka_unit_test(filters),
		cmocka_unit_test(deadline_serves_the_rest),
		cmocka_unit_test(stalled_queue_grows_the_pool),
		cmocka_unit_test(single_flight),
		cmocka_unit_test(openmetrics_and_self_metrics),
		cmocka_unit_test(open_fds_counted),
		cmocka_unit_test(durations_in_nanoseconds),
		cmocka_unit_test(workers_are_reused),
		cmocka_unit_test(queued_at_the_deadline_does_not_stick),
		cmocka_unit_test(returns_in_time_runs_here),
		cmocka_unit_test(serial_scraper_does_not_grow),
	};
	log_setup("error", "logfmt");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
