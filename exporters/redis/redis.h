/*
 * redis: the redis-exporter applet's internal interfaces.
 *
 * The pure parts (address, password file, INFO reply, key arguments) take
 * strings and are what the unit tests and fuzzers call; redis_target.c owns
 * the hiredis connection and runs one collection per scrape.
 */
#ifndef EXPORTERBOX_REDIS_H
#define EXPORTERBOX_REDIS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "buf.h"
#include "collector.h"
#include "expo.h"

/* ---- addresses (redis_addr.c) ---- */

struct redis_addr {
	bool unix_socket;
	char *host;		/* host name or IP; the socket path for unix:// */
	int port;
	long db;
	char *user;		/* from the URI, or NULL */
	char *password;		/* from the URI, or NULL */
	struct buf display_buf;	/* redis://host:port or unix:///path: no secrets */
};

/*
 * Parses "redis://[user[:password]@]host[:port][/db]", "unix:///path[?db=N]"
 * and a bare "host[:port]" (taken as redis://). rediss:// is refused: the
 * hiredis this build links has no TLS. Returns 0, or -1 with one line in err.
 */
int redis_addr_parse(const char *s, struct redis_addr *a, struct buf *err);
void redis_addr_release(struct redis_addr *a);
/* The address without user info: safe for logs and labels. */
const char *redis_addr_display(const struct redis_addr *a);

/* ---- password file (redis_addr.c) ---- */

struct redis_credential {
	char *uri;
	char *user;		/* NULL: none (upstream's files have none) */
	char *password;
};

struct redis_passwords {
	struct redis_credential *v;
	size_t n;
};

/*
 * Parses upstream's password file: a JSON object of URI → password. Ours
 * also takes URI → {"user": "...", "password": "..."}. Returns 0, or -1
 * with one line in err (never the file's secrets).
 */
int redis_passwords_parse(const char *json, size_t len, struct redis_passwords *p,
			  struct buf *err);
/* The entry for uri (exact, then by its redis:// normal form), or NULL. */
const struct redis_credential *redis_passwords_find(const struct redis_passwords *p,
						     const char *uri);
void redis_passwords_release(struct redis_passwords *p);

/* ---- key arguments (redis_keys.c) ---- */

struct redis_key_arg {
	long db;
	char *pattern;
};

struct redis_key_args {
	struct redis_key_arg *v;
	size_t n;
};

/*
 * Parses upstream's key lists: "db3=pattern,other" (no db: db0). Returns 0,
 * or -1 with one line in err.
 */
int redis_key_args_parse(const char *s, struct redis_key_args *out, struct buf *err);
void redis_key_args_release(struct redis_key_args *k);

/* ---- namespaced families (redis_writer.c) ---- */

/*
 * A writer of "<ns>_<name>" families that never writes one family twice
 * (a hostile INFO could map two fields to one name): rw_family() returns
 * false for a repeated name and the caller skips its samples.
 */
struct redis_writer {
	struct expo *w;
	const char *ns;
	bool ns_ok;		/* "<ns>_" starts a valid metric name */
	struct buf name, help;
	struct metric_desc desc;
	const char *labels[16];		/* a copy: callers pass compound literals */
	uint64_t *seen;
	size_t seen_cap, seen_len;
};

void rw_init(struct redis_writer *rw, struct expo *w, const char *ns);
void rw_release(struct redis_writer *rw);
/* help NULL: upstream's generated "<name> metric". */
bool rw_family(struct redis_writer *rw, const char *name, const char *help,
	       enum metric_type type, const char *const *labels);
/* A family with one unlabelled sample. */
void rw_value(struct redis_writer *rw, const char *name, const char *help,
	      enum metric_type type, double v);

/* ---- INFO (redis_info.c) ---- */

/* The sections the writer treats specially; the rest are INFO_OTHER. */
enum info_section {
	INFO_OTHER, INFO_SERVER, INFO_REPLICATION, INFO_COMMANDSTATS, INFO_LATENCYSTATS,
	INFO_ERRORSTATS, INFO_KEYSPACE,
};

struct info_field {
	const char *section;	/* "Server", ... ("" before the first header) */
	enum info_section sec;	/* section, classified once */
	const char *key;
	const char *value;
	uint64_t hash;		/* text_hash of key */
};

struct redis_info {
	char *text;		/* owned copy, split in place */
	struct info_field *v;
	size_t n;
	uint32_t *index;	/* open addressing: field index by key hash */
	size_t index_cap;	/* a power of two */
};

/*
 * Splits an INFO reply into fields: "# Section" lines start a section,
 * "key:value" lines are fields, anything else is skipped. A key seen twice
 * keeps its first value. Never fails on content; aborts only on OOM.
 */
void redis_info_parse(const char *text, size_t len, struct redis_info *info);
void redis_info_release(struct redis_info *info);
/* The value of key (a hash lookup), or NULL. */
const char *redis_info_get(const struct redis_info *info, const char *key);

struct info_options {
	long db_count;			/* databases to zero-fill */
	bool empty_databases;		/* --include-metrics-for-empty-databases */
	bool system_metrics;		/* --include-system-metrics */
	double now;			/* unix time, for start_time_seconds */
};

/* Writes every family upstream derives from INFO ALL. */
void redis_info_write(struct redis_writer *rw, const struct redis_info *info,
		      const struct info_options *o);

/*
 * Only the plain fields (upstream's tables and prefix rule), and
 * start_time_seconds when the reply has uptime: for CLUSTER INFO replies.
 */
void redis_info_write_scalars(struct redis_writer *rw, const struct redis_info *info,
			      const struct info_options *o);

/* Upstream's value rule: ok/true → 1, err/fail/false → 0, else a number. */
bool redis_info_value(const char *s, double *v);

/* ---- the target (redis_target.c) ---- */

struct redis_options {
	const char *ns;
	const char *user, *password;	/* flags; the URI's own win */
	const struct redis_passwords *passwords;
	double connection_timeout;
	bool set_client_name;
	bool system_metrics, config_metrics, redact_config, empty_databases;
	struct redis_key_args check_keys, check_single_keys, count_keys;
	long keys_batch;
	long max_reply_bytes;		/* one reply's cost at most; 0: no limit */
	atomic_ulong *request_errors;	/* bad /scrape requests, or NULL */
};

struct redis_target {
	const struct redis_options *opt;
	struct redis_addr addr;
	const char *user, *password;	/* resolved; point into addr/opt/passwords */
	pthread_mutex_t lock;		/* the collector's busy lock serialises too */
	void *conn;			/* redisContext *, or NULL */
	struct timeval timeout;		/* conn's socket timeout as last set */
	bool config_multi_ok;		/* CONFIG GET takes several patterns */
	bool was_up;			/* last scrape's outcome, for logging changes */
	unsigned long scrapes;
	unsigned long scrape_count;
	double scrape_sum;
};

/* Takes ownership of addr; resolves credentials: URI, password file, flags. */
void redis_target_init(struct redis_target *t, const struct redis_options *opt,
		       struct redis_addr *addr);
void redis_target_release(struct redis_target *t);

/*
 * Sends one command on conn (a redisContext *) and reads its reply under the
 * scrape's limits (--redis.max-reply-bytes, the deadline): every reply a
 * scrape reads goes through here. NULL when the connection failed: then
 * conn's err and errstr say why, and it is of no more use.
 */
void *redis_command(void *conn, int argc, const char **argv);

/* The one collector: its config is a struct redis_target. */
extern const struct collector redis_collector;

#endif
