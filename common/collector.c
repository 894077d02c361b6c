#include "collector.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "process.h"

double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double duration_seconds(double seconds)
{
	return round(seconds * 1e9) / 1e9;
}

/*
 * One scrape's collection. Its jobs run on their own threads; the run is
 * freed by whoever drops the last reference: the runner when every job
 * finished in time, otherwise the last job thread to finish. A job therefore
 * never touches memory that its scrape has already given up.
 */
struct job {
	struct job *next;	/* in the pool's queue */
	struct run *run;
	struct collector_slot *slot;
	struct buf out;
	int rc;
	double seconds;
	bool finished;		/* under run->lock */
	atomic_bool started;	/* past the stuck check: see gather() */
};

/* How long a queue may stand still before the pool gets another worker. */
#define STALL_SECONDS 0.05
#define IDLE_EXIT_SECONDS 5

struct run {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned refs;		/* the runner + every started job */
	unsigned pending;	/* started jobs not finished */
	const void *config;
	enum expo_format format;
	double deadline;
	double start;
	size_t njobs;
	struct job jobs[];
};

/* Scrapes sharing one collection (see scraper_scrape). */
struct flight {
	struct flight *next;
	char *key;
	struct buf body;
	bool done;
	unsigned refs;
	pthread_cond_t cond;
};

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->njobs; i++)
		buf_release(&r->jobs[i].out);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Drops one reference; call with r->lock held. Returns true if it freed r. */
static bool run_unref_locked(struct run *r)
{
	if (--r->refs) {
		pthread_mutex_unlock(&r->lock);
		return false;
	}
	pthread_mutex_unlock(&r->lock);
	run_free(r);
	return true;
}

static int realtime_deadline(double mono_deadline, struct timespec *ts)
{
	double left = mono_deadline - monotonic_seconds();

	clock_gettime(CLOCK_REALTIME, ts);
	if (left < 0)
		left = 0;
	double ns = (double)ts->tv_nsec + modf(left, &left) * 1e9;
	ts->tv_sec += (time_t)left + (time_t)(ns / 1e9);
	ts->tv_nsec = (long)fmod(ns, 1e9);
	return 0;
}

/*
 * Runs one collector into its own writer. The slot's busy lock keeps two
 * scrapes from running the same collector at once; a slot whose previous run
 * was abandoned (still "stuck") fails at once rather than queueing behind it.
 */
static int job_collect(struct job *j, double *seconds)
{
	struct collector_slot *slot = j->slot;
	struct timespec until;
	struct expo w;

	if (atomic_load(&slot->stuck))
		return -EBUSY;
	/* After the check: a job gather() marks stuck never returns -EBUSY,
	 * so its report clears the mark. */
	atomic_store(&j->started, true);
	if (monotonic_seconds() >= j->run->deadline)
		return -ETIMEDOUT; /* queued behind a stuck one: too late now */
	realtime_deadline(j->run->deadline, &until);
	if (pthread_mutex_timedlock(&slot->busy, &until) != 0)
		return -ETIMEDOUT;

	double moved = 0;
	struct collect_ctx ctx = {
		.config = j->run->config,
		.state = slot->state,
		.deadline = j->run->deadline,
		.collector = slot->c,
		.run = j->run,
		.seconds_moved = &moved,
	};
	double start = monotonic_seconds();
	/* Room for what it wrote last time: one allocation, not a dozen. */
	if (slot->last_out)
		buf_grow(&j->out, slot->last_out);
	expo_init(&w, &j->out, j->run->format);
	int rc = slot->c->collect(&ctx, &w);
	if (rc == 0 && w.errors)
		rc = -EPROTO; /* a duplicated family or bad label count: a bug */
	expo_release(&w);
	if (rc == 0)
		slot->last_out = j->out.len;
	*seconds = fmax(0, monotonic_seconds() - start + moved);
	pthread_mutex_unlock(&slot->busy);
	return rc;
}

bool collect_ctx_runs(const struct collect_ctx *ctx, const struct collector *c)
{
	/* The jobs never change once the run is made; a job holds its run. */
	for (size_t i = 0; ctx->run && i < ctx->run->njobs; i++)
		if (ctx->run->jobs[i].slot->c == c)
			return true;
	return false;
}

void collect_ctx_move_seconds(const struct collect_ctx *ctx, double seconds)
{
	if (ctx->seconds_moved)
		*ctx->seconds_moved += seconds;
}

/* Reports a job's result to its run; the run may already be given up. */
static void job_report(struct job *j, int rc, double seconds)
{
	struct run *r = j->run;

	pthread_mutex_lock(&r->lock);
	j->rc = rc;
	j->seconds = seconds;
	j->finished = true;
	/* Under r->lock, so it cannot race the runner marking it stuck. */
	if (rc != -EBUSY)
		atomic_store(&j->slot->stuck, false);
	if (--r->pending == 0)
		pthread_cond_signal(&r->cond); /* only the runner waits */
	run_unref_locked(r);
}

/*
 * The worker pool: threads are made once and reused, because creating
 * one per collector per scrape cost more than most collectors themselves.
 * There are `base` workers (one per CPU), each taking queued jobs one after
 * another, so a scrape costs a few wake-ups rather than one per collector.
 * A worker held by a stuck collector stays "running"; when the queue makes
 * no progress for STALL_SECONDS while every worker is running, the runner
 * adds one (up to max_threads), so a stuck collector never holds up the
 * others for long. A worker beyond `base` that finds no job for
 * IDLE_EXIT_SECONDS ends, so a burst does not keep its threads for good;
 * its slot is joined and reused by the next one started.
 */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a job was queued, or stopping */
	pthread_cond_t exited;		/* a worker ended (for pool_stop) */
	struct job *head, *tail;
	unsigned queued, running, threads, base, max_threads;
	bool stopping;
	unsigned started;		/* slots ever used */
	struct worker_slot {
		pthread_t tid;
		bool used;		/* holds a thread not joined yet */
		bool ended;		/* that thread returned */
	} slots[];			/* every worker started, for pool_stop */
};

/* Waits for a job; p->lock held. False when this worker should end. */
static bool wait_for_job(struct pool *p)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += IDLE_EXIT_SECONDS;
	while (!p->head && !p->stopping) {
		if (p->threads <= p->base) {
			pthread_cond_wait(&p->work, &p->lock);
		} else if (pthread_cond_timedwait(&p->work, &p->lock, &until) == ETIMEDOUT &&
			   !p->head && p->threads > p->base) {
			return false; /* an extra worker, idle for long enough */
		}
	}
	return p->head != NULL; /* when stopping: nothing left to do */
}

/* Marks the calling worker's slot as ended, to be joined; p->lock held. */
static void slot_ended_locked(struct pool *p)
{
	for (unsigned i = 0; i < p->started; i++)
		if (p->slots[i].used && pthread_equal(p->slots[i].tid, pthread_self()))
			p->slots[i].ended = true;
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (!wait_for_job(p))
			break;
		struct job *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		p->running++;
		pthread_mutex_unlock(&p->lock);

		double seconds = 0;
		int rc = job_collect(j, &seconds);
		/* Available again before the run hears of it, so that the
		 * next scrape finds this worker instead of starting another. */
		pthread_mutex_lock(&p->lock);
		p->running--;
		pthread_mutex_unlock(&p->lock);
		job_report(j, rc, seconds);
		pthread_mutex_lock(&p->lock);
	}
	slot_ended_locked(p);
	p->threads--;
	pthread_cond_broadcast(&p->exited);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* A slot for a new worker: one whose worker ended (joined now: it has let
 * go of p->lock for good), or an unused one. p->lock held. */
static struct worker_slot *free_slot_locked(struct pool *p)
{
	for (unsigned i = 0; i < p->started; i++) {
		struct worker_slot *slot = &p->slots[i];
		if (slot->ended) {
			pthread_join(slot->tid, NULL);
			slot->used = slot->ended = false;
		}
		if (!slot->used)
			return slot;
	}
	return p->started < p->max_threads ? &p->slots[p->started] : NULL;
}

/* Starts one more worker; p->lock held. Returns false when none could be. */
static bool pool_grow_locked(struct pool *p)
{
	pthread_attr_t attr;
	struct worker_slot *slot = free_slot_locked(p);

	if (!slot)
		return false;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int err = pthread_create(&slot->tid, &attr, worker, p);
	pthread_attr_destroy(&attr);
	if (err)
		return false;
	slot->used = true;
	if (slot == &p->slots[p->started])
		p->started++;
	p->threads++;
	return true;
}

/* Counts n of r's jobs as started: each holds r until job_report(). */
static void run_start_jobs(struct run *r, size_t n)
{
	pthread_mutex_lock(&r->lock);
	r->refs += (unsigned)n;
	r->pending += (unsigned)n;
	pthread_mutex_unlock(&r->lock);
}

/* Queues all of a run's jobs with one lock and one wake-up. */
static void pool_submit(struct pool *p, struct run *r)
{
	if (!r->njobs)
		return;
	run_start_jobs(r, r->njobs);

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		j->next = NULL;
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
	}
	p->queued += (unsigned)r->njobs;
	while (p->threads < p->base && pool_grow_locked(p))
		;
	/* One wake-up per job, not every idle worker per scrape: a worker
	 * looks at the queue under the lock before it waits, so none is lost. */
	for (size_t i = 0; i < r->njobs && i < p->threads; i++)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

bool scraper_busy(const struct scraper *s)
{
	for (size_t i = 0; i < s->nslots; i++)
		if (atomic_load(&s->slots[i].stuck))
			return true;
	return false;
}

void scraper_set_workers(struct scraper *s, unsigned n)
{
	struct pool *p = s->pool;

	pthread_mutex_lock(&p->lock);
	p->base = n < 1 ? 1 : n < p->max_threads ? n : p->max_threads;
	pthread_mutex_unlock(&p->lock);
}

void scraper_set_serial(struct scraper *s)
{
	struct pool *p = s->pool;

	pthread_mutex_lock(&p->lock);
	p->base = p->max_threads = 1;
	pthread_mutex_unlock(&p->lock);
}

/*
 * Called when a run has waited STALL_SECONDS: if jobs are queued and every
 * worker is busy (one is probably stuck), start another worker.
 */
static void pool_unstall(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->queued && p->running == p->threads && p->threads < p->max_threads)
		pool_grow_locked(p);
	pthread_mutex_unlock(&p->lock);
}

static struct pool *pool_new(unsigned base, unsigned max_threads)
{
	struct pool *p = calloc(1, sizeof(*p) + max_threads * sizeof(p->slots[0]));
	pthread_condattr_t monotonic;

	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&p->work, &monotonic);
	pthread_condattr_destroy(&monotonic);
	pthread_cond_init(&p->exited, NULL);
	p->base = base < max_threads ? base : max_threads;
	p->max_threads = max_threads;
	return p;
}

/*
 * Stops the workers and frees the pool, unless a worker is still held by a
 * stuck collector: then the pool stays, unjoined (the process is exiting).
 */
static void pool_stop(struct pool *p, unsigned stuck)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	while (p->threads > stuck)
		pthread_cond_wait(&p->exited, &p->lock);
	bool in_use = p->threads > 0;
	pthread_mutex_unlock(&p->lock);
	if (in_use)
		return;
	for (unsigned i = 0; i < p->started; i++)
		if (p->slots[i].used)
			pthread_join(p->slots[i].tid, NULL);
	pthread_cond_destroy(&p->exited);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static bool name_listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static bool slot_selected(const struct collector_slot *slot,
			  const struct scrape_request *req)
{
	if (!slot->enabled)
		return false;
	if (req->ninclude && !name_listed(slot->c->name, req->include, req->ninclude))
		return false;
	return !name_listed(slot->c->name, req->exclude, req->nexclude);
}

/* Waits until every job finished or the deadline passed; r->lock held. */
static void wait_jobs(struct run *r, struct pool *p)
{
	struct timespec until;

	while (r->pending && monotonic_seconds() < r->deadline) {
		double next = monotonic_seconds() + STALL_SECONDS;
		realtime_deadline(next < r->deadline ? next : r->deadline, &until);
		if (pthread_cond_timedwait(&r->cond, &r->lock, &until) != ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&r->lock);
		pool_unstall(p);
		pthread_mutex_lock(&r->lock);
	}
}

static void report_failure(const struct job *j)
{
	const char *name = j->slot->c->name;
	char err[64];

	/* "Nothing to report here" (no conntrack on this host): upstream logs
	 * it at debug, so that such hosts do not log an error every scrape. */
	if (j->finished && j->rc == -ENODATA) {
		log_debug("collector returned no data", "collector", name);
		return;
	}
	if (j->rc == -EBUSY)
		snprintf(err, sizeof(err), "still running from an earlier scrape");
	else if (!j->finished)
		snprintf(err, sizeof(err), "timed out at the scrape deadline");
	else if (j->rc == -EPROTO)
		snprintf(err, sizeof(err), "wrote an invalid family");
	else
		snprintf(err, sizeof(err), "%s", strerror(-j->rc));
	log_error("collector failed", "collector", name, "err", err);
}

/* What the meta families need of a job, copied out from under r->lock. */
struct outcome {
	const char *name;
	double seconds;
	bool ok;
};

static void write_collector_meta(const struct scraper *s,
				 const struct outcome *o, size_t n,
				 struct expo *w)
{
	const struct metric_desc duration = {
		.name = s->duration_name, .type = METRIC_GAUGE,
		.help = s->duration_help, .labels = LABELS("collector"),
	};
	const struct metric_desc success = {
		.name = s->success_name, .type = METRIC_GAUGE,
		.help = s->success_help, .labels = LABELS("collector"),
	};

	expo_family(w, &duration);
	for (size_t i = 0; i < n; i++)
		expo_sample(w, duration_seconds(o[i].seconds), o[i].name);
	expo_family(w, &success);
	for (size_t i = 0; i < n; i++)
		expo_sample(w, o[i].ok ? 1 : 0, o[i].name);
}

/* A run with one job per collector the request selects; one reference. */
static struct run *run_new(struct scraper *s, const struct scrape_request *req)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nslots; i++)
		n += slot_selected(&s->slots[i], req);
	struct run *r = calloc(1, sizeof(*r) + n * sizeof(struct job));
	if (!r)
		abort();
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->refs = 1;
	r->config = s->config;
	r->format = req->format;
	r->deadline = req->deadline;
	r->start = monotonic_seconds();
	r->njobs = n;
	for (size_t i = 0, k = 0; i < s->nslots; i++)
		if (slot_selected(&s->slots[i], req))
			r->jobs[k++] = (struct job){ .run = r, .slot = &s->slots[i] };
	return r;
}

/*
 * Appends from to to, taking from's storage when to is empty rather than
 * copying: a large applet's body (3.3 MB for kafka at 5,000 partitions)
 * would otherwise exist twice more at the peak of every scrape.
 */
static void move_or_add(struct buf *to, struct buf *from)
{
	if (to->len == 0) {
		struct buf empty = *to;
		*to = *from;
		*from = empty;
	} else {
		buf_add(to, buf_cstr(from), from->len);
	}
}

/*
 * After the wait (r->lock held): appends the output of the jobs that
 * succeeded, marks the unfinished ones stuck, logs the failures, and
 * copies what the meta families need into o.
 */
static void gather(struct run *r, struct buf *body, struct outcome *o)
{
	size_t total = 0, taken = 0;
	bool grown = false;

	for (size_t i = 0; i < r->njobs; i++)
		if (r->jobs[i].finished && r->jobs[i].rc == 0)
			total += r->jobs[i].out.len;
	for (size_t i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		bool ok = j->finished && j->rc == 0;
		if (ok) {
			taken += j->out.len;
			move_or_add(body, &j->out);
			/* Once it holds an output (and so its own storage), the body
			 * grows once, to hold every output still to come. */
			if (!grown && body->len) {
				buf_grow(body, total - taken);
				grown = true;
			}
		} else {
			if (!j->finished) {
				/* Its worker finishes alone and clears the mark. A
				 * job still queued is not marked: it fails at once
				 * when taken (past the deadline), and a mark set for it
				 * would stay (it is taken after the stuck check). */
				if (atomic_load(&j->started))
					atomic_store(&j->slot->stuck, true);
				j->seconds = monotonic_seconds() - r->start;
			}
			report_failure(j);
		}
		o[i] = (struct outcome){ j->slot->c->name, j->seconds, ok };
	}
}

/* A run of one collector that returns by the deadline on its own. */
static bool runs_here(const struct run *r)
{
	if (r->njobs != 1)
		return false;
	const struct collector_slot *slot = r->jobs[0].slot;
	return slot->c->returns_in_time && slot->c->returns_in_time(r->config, slot->state);
}

/* Runs that one job on this thread, accounted as a worker would. */
static void run_here(struct run *r)
{
	struct job *j = &r->jobs[0];
	double seconds = 0;

	run_start_jobs(r, 1);
	int rc = job_collect(j, &seconds);
	job_report(j, rc, seconds);
}

/*
 * Collects everything a request asks for into body: the collectors'
 * families in table order, then the per-collector duration and success
 * families, the applet's own families and the exporter's self metrics.
 */
static void collect_all(struct scraper *s, const struct scrape_request *req,
			struct buf *body)
{
	struct run *r = run_new(s, req);
	size_t n = r->njobs;
	struct outcome *o = calloc(n ? n : 1, sizeof(*o));

	if (!o)
		abort();
	if (runs_here(r))
		run_here(r);
	else
		pool_submit(s->pool, r);
	pthread_mutex_lock(&r->lock);
	wait_jobs(r, s->pool);
	gather(r, body, o);
	run_unref_locked(r); /* late workers may now report to it */

	struct expo w;
	expo_init(&w, body, req->format);
	write_collector_meta(s, o, n, &w);
	if (s->extra)
		s->extra(s->extra_cls, &w);
	if (s->exporter_metrics)
		process_metrics_write(&w, s->exporter_name);
	expo_finish(&w);
	expo_release(&w);
	free(o);
}

static char *flight_key(const struct scrape_request *req)
{
	struct buf key = BUF_INIT;

	buf_addc(&key, req->format == EXPO_OPENMETRICS ? 'o' : 't');
	for (size_t i = 0; i < req->ninclude; i++)
		buf_addf(&key, "|+%s", req->include[i]);
	for (size_t i = 0; i < req->nexclude; i++)
		buf_addf(&key, "|-%s", req->exclude[i]);
	return buf_detach(&key, NULL);
}

static void flight_unref_locked(struct flight *f)
{
	if (--f->refs)
		return;
	pthread_cond_destroy(&f->cond);
	buf_release(&f->body);
	free(f->key);
	free(f);
}

/* A finished flight's body into out: the last holder takes it, others copy. */
static void flight_take_body(struct flight *f, struct buf *out)
{
	if (f->refs == 1)
		move_or_add(out, &f->body);
	else
		buf_add(out, buf_cstr(&f->body), f->body.len);
}

static void flight_unlink(struct scraper *s, struct flight *f)
{
	for (struct flight **p = &s->flights; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			return;
		}
}

void scraper_scrape(struct scraper *s, const struct scrape_request *req,
		    struct buf *out)
{
	char *key = flight_key(req);
	struct flight *f;

	pthread_mutex_lock(&s->lock);
	for (f = s->flights; f; f = f->next)
		if (strcmp(f->key, key) == 0)
			break;
	if (f) {
		/* Someone is collecting exactly this: share their body. */
		free(key);
		f->refs++;
		while (!f->done)
			pthread_cond_wait(&f->cond, &s->lock);
		flight_take_body(f, out);
		flight_unref_locked(f);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->key = key;
	f->refs = 1;
	pthread_cond_init(&f->cond, NULL);
	f->next = s->flights;
	s->flights = f;
	pthread_mutex_unlock(&s->lock);

	collect_all(s, req, &f->body);

	pthread_mutex_lock(&s->lock);
	f->done = true;
	flight_unlink(s, f);
	pthread_cond_broadcast(&f->cond);
	flight_take_body(f, out);
	flight_unref_locked(f);
	pthread_mutex_unlock(&s->lock);
}

unsigned scraper_requests_in_flight(struct scraper *s)
{
	unsigned n = 0;

	pthread_mutex_lock(&s->lock);
	for (const struct flight *f = s->flights; f; f = f->next)
		n += f->refs;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static const struct collector_slot *find_slot(const struct scraper *s,
					      const char *name)
{
	for (size_t i = 0; i < s->nslots; i++)
		if (strcmp(s->slots[i].c->name, name) == 0)
			return &s->slots[i];
	return NULL;
}

static int check_names(const struct scraper *s, const char *const *names,
		       size_t n, struct buf *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct collector_slot *slot = find_slot(s, names[i]);
		if (!slot || !slot->enabled) {
			buf_addf(err, "couldn't create filtered metrics handler: %s collector: %s",
				 slot ? "disabled" : "missing", names[i]);
			return -1;
		}
	}
	return 0;
}

int scraper_check_filter(const struct scraper *s,
			 const struct scrape_request *req, struct buf *err)
{
	if (check_names(s, req->include, req->ninclude, err))
		return -1;
	return check_names(s, req->exclude, req->nexclude, err);
}

int scraper_init(struct scraper *s, const char *ns, const char *exporter_name,
		 const void *config, const struct collector *const *table,
		 const bool *enabled, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->ns = ns;
	s->exporter_name = exporter_name;
	s->config = config;
	s->exporter_metrics = true;
	snprintf(s->duration_name, sizeof(s->duration_name),
		 "%s_scrape_collector_duration_seconds", ns);
	snprintf(s->success_name, sizeof(s->success_name),
		 "%s_scrape_collector_success", ns);
	snprintf(s->duration_help, sizeof(s->duration_help),
		 "%s: Duration of a collector scrape.", exporter_name);
	snprintf(s->success_help, sizeof(s->success_help),
		 "%s: Whether a collector succeeded.", exporter_name);
	pthread_mutex_init(&s->lock, NULL);
	s->slots = calloc(n ? n : 1, sizeof(*s->slots));
	/* One worker per CPU; room for every collector to be stuck, and more. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	s->pool = pool_new(cpus > 0 ? (unsigned)cpus : 1, 2 * (unsigned)n + 2);
	if (!s->slots || !s->pool)
		return -1;
	s->nslots = n;
	for (size_t i = 0; i < n; i++) {
		struct collector_slot *slot = &s->slots[i];
		slot->c = table[i];
		slot->enabled = enabled[i];
		pthread_mutex_init(&slot->busy, NULL);
		if (!slot->enabled || !slot->c->init)
			continue;
		int rc = slot->c->init(config, &slot->state);
		if (rc) {
			log_error("collector disabled: init failed",
				  "collector", slot->c->name, "err", strerror(-rc));
			slot->enabled = false;
		}
	}
	return 0;
}

/*
 * Releases every collector. A collector whose abandoned thread is still
 * running keeps its state (and so the slot array) alive: the process is
 * about to exit and freeing under a running thread would be worse.
 */
void scraper_release(struct scraper *s)
{
	unsigned stuck = 0;

	for (size_t i = 0; i < s->nslots; i++)
		stuck += atomic_load(&s->slots[i].stuck);
	pool_stop(s->pool, stuck);
	s->pool = NULL;
	for (size_t i = 0; i < s->nslots; i++) {
		struct collector_slot *slot = &s->slots[i];
		if (atomic_load(&slot->stuck))
			continue;
		if (slot->state && slot->c->release)
			slot->c->release(slot->state);
		slot->state = NULL;
		pthread_mutex_destroy(&slot->busy);
	}
	if (!stuck)
		free(s->slots);
	s->slots = NULL;
	s->nslots = 0;
	pthread_mutex_destroy(&s->lock);
}
