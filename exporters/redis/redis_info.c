/*
 * redis_info: INFO ALL → upstream's families.
 *
 * The reply is first split into (section, key, value) fields, then each
 * family is written in one piece from them: INFO's order interleaves
 * families (keyspace lines, command stats), and a family is never split.
 * Unknown sections and fields are skipped; odd values drop their sample,
 * never the scrape.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"
#include "redis_fields.h"
#include "text.h"

/* ---- parsing ---- */

#define NO_FIELD UINT32_MAX

/* The index slot of key: its field's, or the free one where it would go. */
static size_t index_slot(const struct redis_info *info, const char *key, uint64_t h)
{
	size_t mask = info->index_cap - 1;

	for (size_t j = h & mask;; j = (j + 1) & mask) {
		uint32_t i = info->index[j];
		if (i == NO_FIELD || (info->v[i].hash == h && !strcmp(info->v[i].key, key)))
			return j;
	}
}

static enum info_section classify_section(const char *name)
{
	static const struct {
		const char *name;
		enum info_section sec;
	} known[] = {
		{ "Server", INFO_SERVER },		{ "Replication", INFO_REPLICATION },
		{ "Commandstats", INFO_COMMANDSTATS },	{ "Latencystats", INFO_LATENCYSTATS },
		{ "Errorstats", INFO_ERRORSTATS },	{ "Keyspace", INFO_KEYSPACE },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i].name))
			return known[i].sec;
	return INFO_OTHER;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 1;

	for (const char *p = s, *end = s + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n;
}

/* Cuts blanks from both ends of line[0..len) (len ends at a NUL); returns the start. */
static char *trim(char *line, size_t *len)
{
	while (*len && isspace((unsigned char)line[*len - 1]))
		line[--*len] = '\0';
	while (*len && isspace((unsigned char)*line)) {
		line++;
		--*len;
	}
	return line;
}

/* Adds the field unless its key is known already (the first one stays). */
static void add_field(struct redis_info *info, const char *section, enum info_section sec,
		      char *key, size_t key_len, const char *value)
{
	uint64_t h = text_hash(key, key_len);
	size_t slot = index_slot(info, key, h);

	if (info->index[slot] != NO_FIELD)
		return;
	info->index[slot] = (uint32_t)info->n;
	info->v[info->n++] = (struct info_field){ section, sec, key, value, h };
}

void redis_info_parse(const char *text, size_t len, struct redis_info *info)
{
	size_t lines = count_lines(text, len);
	const char *section = "";
	enum info_section sec = INFO_OTHER;

	if (lines >= NO_FIELD / 4)
		abort(); /* a reply of 4 GiB: the reply cap stops it long before */
	info->index_cap = 16;
	while (info->index_cap < 2 * lines)
		info->index_cap *= 2;
	info->index = malloc(info->index_cap * sizeof(*info->index));
	info->text = malloc(len + 1);
	info->v = malloc(lines * sizeof(*info->v));
	if (!info->index || !info->text || !info->v)
		abort();
	memset(info->index, 0xff, info->index_cap * sizeof(*info->index)); /* NO_FIELD */
	memcpy(info->text, text, len);
	info->text[len] = '\0';
	info->n = 0;
	char *end = info->text + len;
	for (char *next, *line = info->text; line; line = next) {
		/* memchr, not strchr: a NUL inside a line must not end the reply */
		next = memchr(line, '\n', (size_t)(end - line));
		if (next)
			*next++ = '\0';
		size_t n = strnlen(line, (size_t)((next ? next - 1 : end) - line));
		line = trim(line, &n);
		if (line[0] == '#' && line[1] == ' ') {
			section = line + 2;
			sec = classify_section(section);
			continue;
		}
		char *colon = n >= 2 ? memchr(line, ':', n) : NULL;
		if (!colon)
			continue;
		*colon = '\0';
		add_field(info, section, sec, line, (size_t)(colon - line), colon + 1);
	}
}

void redis_info_release(struct redis_info *info)
{
	free(info->text);
	free(info->v);
	free(info->index);
	memset(info, 0, sizeof(*info));
}

const char *redis_info_get(const struct redis_info *info, const char *key)
{
	if (!info->index_cap)
		return NULL;
	uint32_t i = info->index[index_slot(info, key, text_hash(key, strlen(key)))];
	return i == NO_FIELD ? NULL : info->v[i].value;
}

/*
 * A number as Go's ParseFloat takes it: no blanks, nothing after. Plain
 * integers (most INFO values) skip strtod: exact below 2^53 either way.
 */
static bool parse_number(const char *s, double *v)
{
	const char *p = s + (*s == '-');
	uint64_t n = 0;
	size_t digits = 0;
	char *end;

	while (p[digits] >= '0' && p[digits] <= '9' && digits < 15)
		n = n * 10 + (uint64_t)(p[digits++] - '0');
	if (digits && !p[digits]) {
		*v = *s == '-' ? -(double)n : (double)n;
		return true;
	}
	if (!*s || isspace((unsigned char)*s))
		return false;
	*v = strtod(s, &end);
	return *end == '\0';
}

bool redis_info_value(const char *s, double *v)
{
	if ((*s >= '0' && *s <= '9') || *s == '-')
		return parse_number(s, v);
	if (!strcmp(s, "ok") || !strcmp(s, "true")) {
		*v = 1;
		return true;
	}
	if (!strcmp(s, "err") || !strcmp(s, "fail") || !strcmp(s, "false")) {
		*v = 0;
		return true;
	}
	return parse_number(s, v);
}

/* One "key=value" item of a "k=v,k=v" list (the value may be absent). */
struct kv_item {
	const char *key, *value;
	size_t key_len, value_len;
};

/* Reads the item at p into it; returns the next item's start, or NULL at the end. */
static const char *kv_next(const char *p, struct kv_item *it)
{
	size_t len = strcspn(p, ",");
	const char *eq = memchr(p, '=', len);

	it->key = p;
	it->key_len = eq ? (size_t)(eq - p) : len;
	it->value = eq ? eq + 1 : p + len;
	it->value_len = eq ? len - it->key_len - 1 : 0;
	return p[len] ? p + len + 1 : NULL;
}

/* Copies an item's value into out (cut to size); false when it is too long for a number. */
static bool copy_value(const struct kv_item *it, char *out, size_t size)
{
	size_t len = it->value_len < size ? it->value_len : size - 1;

	memcpy(out, it->value, len);
	out[len] = '\0';
	return it->value_len < size;
}

/* Finds the item called name in a "k=v,k=v" list. */
static bool kv_find(const char *list, const char *name, struct kv_item *it)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		p = kv_next(p, it);
		if (it->key_len == n && !strncmp(it->key, name, n) && it->key[n] == '=')
			return true;
	}
	return false;
}

/* The number after "name=": false when absent or not a number. */
static bool kv_number(const char *list, const char *name, double *v)
{
	struct kv_item it;
	char tmp[64];

	return kv_find(list, name, &it) && copy_value(&it, tmp, sizeof(tmp)) &&
	       parse_number(tmp, v);
}

/* The text after "name=", copied into out (cut to size). */
static bool kv_string(const char *list, const char *name, char *out, size_t size)
{
	struct kv_item it;

	if (!kv_find(list, name, &it))
		return false;
	copy_value(&it, out, size);
	return true;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool in_section(const struct info_field *f, enum info_section sec)
{
	return f->sec == sec;
}

/* ---- replication ---- */

/* master_host, master_1_host, ... (KeyDB's multi-master) */
static bool is_master_field(const char *key, const char *suffix)
{
	if (!starts_with(key, "master_"))
		return false;
	key += strlen("master_");
	if (isdigit((unsigned char)*key)) {
		while (isdigit((unsigned char)*key))
			key++;
		if (*key++ != '_')
			return false;
	}
	return starts_with(key, suffix);
}

enum repl_kind { REPL_NONE, REPL_LINK, REPL_LAST_IO, REPL_SYNC, REPL_SLAVE_OFFSET, REPL_SLAVE };

static bool is_slave_line(const char *key)
{
	if (!starts_with(key, "slave") || !isdigit((unsigned char)key[5]))
		return false;
	return true;
}

static enum repl_kind repl_kind(const struct info_field *f)
{
	if (!in_section(f, INFO_REPLICATION))
		return REPL_NONE;
	if (is_master_field(f->key, "link_status"))
		return REPL_LINK;
	if (is_master_field(f->key, "last_io_seconds_ago"))
		return REPL_LAST_IO;
	if (is_master_field(f->key, "sync_in_progress"))
		return REPL_SYNC;
	if (starts_with(f->key, "slave_repl_offset"))
		return REPL_SLAVE_OFFSET;
	if (is_slave_line(f->key))
		return REPL_SLAVE;
	return REPL_NONE;
}

static const char *const master_labels[] = { "master_host", "master_port", NULL };

/* Go's strconv.Atoi: 0 when the value is not a whole number. */
static double atoi_or_zero(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	return (*s && !*end) ? (double)v : 0;
}

static void write_master_family(struct redis_writer *rw, const struct redis_info *info,
				enum repl_kind kind, const char *name, const char *help)
{
	const char *host = "", *port = "";
	bool open = false;

	for (size_t i = 0; i < info->n; i++) {
		const struct info_field *f = &info->v[i];
		if (in_section(f, INFO_REPLICATION) && is_master_field(f->key, "host"))
			host = f->value;
		if (in_section(f, INFO_REPLICATION) && is_master_field(f->key, "port"))
			port = f->value;
		if (repl_kind(f) != kind)
			continue;
		if (!open && !(open = rw_family(rw, name, help, METRIC_GAUGE, master_labels)))
			return;
		double v = kind == REPL_LINK ? !strcmp(f->value, "up") : atoi_or_zero(f->value);
		expo_sample(rw->w, v, host, port);
	}
}

static const char *const slave_labels[] = { "slave_ip", "slave_port", "slave_state", NULL };

/* slave0:ip=10.0.0.1,port=6379,state=online,offset=1751844676,lag=0 */
static void write_slave_family(struct redis_writer *rw, const struct redis_info *info,
			       bool lag)
{
	bool open = false;

	for (size_t i = 0; i < info->n; i++) {
		const struct info_field *f = &info->v[i];
		char ip[256] = "", port[32] = "", state[64] = "";
		double offset, v;
		if (repl_kind(f) != REPL_SLAVE || !kv_number(f->value, "offset", &offset))
			continue;
		if (lag && !kv_number(f->value, "lag", &v))
			continue;
		kv_string(f->value, "ip", ip, sizeof(ip));
		kv_string(f->value, "port", port, sizeof(port));
		kv_string(f->value, "state", state, sizeof(state));
		if (!open && !(open = lag ? rw_family(rw, "connected_slave_lag_seconds",
						      "Lag of connected slave", METRIC_GAUGE,
						      slave_labels)
				       : rw_family(rw, "connected_slave_offset_bytes",
						   "Offset of connected slave", METRIC_GAUGE,
						   slave_labels)))
			return;
		expo_sample(rw->w, lag ? v : offset, ip, port, state);
	}
}

static void write_replication(struct redis_writer *rw, const struct redis_info *info)
{
	write_master_family(rw, info, REPL_LINK, "master_link_up",
			    "Master link status on Redis slave");
	write_master_family(rw, info, REPL_LAST_IO, "master_last_io_seconds_ago",
			    "Master last io seconds ago");
	write_master_family(rw, info, REPL_SYNC, "master_sync_in_progress",
			    "Master sync in progress");
	write_master_family(rw, info, REPL_SLAVE_OFFSET, "slave_repl_offset",
			    "Slave replication offset");
	write_slave_family(rw, info, false);
	write_slave_family(rw, info, true);
}

/* ---- scalar fields ---- */

/* Upstream exports db*, cmdstat_* and cluster_* fields it has no name for. */
static bool exported_by_prefix(const char *key)
{
	return !strncmp(key, "db", 2) || !strncmp(key, "cmdstat_", 8) ||
	       !strncmp(key, "cluster_", 8);
}

static bool handled_elsewhere(const struct info_field *f)
{
	return in_section(f, INFO_COMMANDSTATS) || in_section(f, INFO_LATENCYSTATS) ||
	       in_section(f, INFO_ERRORSTATS) || repl_kind(f) != REPL_NONE ||
	       (in_section(f, INFO_KEYSPACE) && starts_with(f->key, "db"));
}

/* Go's sanitizeMetricName: anything but [a-zA-Z0-9_] becomes '_'. */
static void sanitize(const char *key, struct buf *out)
{
	buf_truncate(out, 0);
	for (const char *p = key; *p; p++)
		buf_addc(out, isalnum((unsigned char)*p) ? *p : '_');
}

static void write_scalar(struct redis_writer *rw, const struct info_field *f,
			 const struct info_options *o, struct buf *scratch)
{
	const struct info_metric *m = redis_info_metric_find_hashed(f->key, f->hash);
	const char *name;
	double v;

	if (m)
		name = m->metric;
	else if (o->system_metrics && !strcmp(f->key, "total_system_memory"))
		name = "total_system_memory_bytes";
	else if (exported_by_prefix(f->key))
		name = NULL; /* sanitized below, once the value is known good */
	else
		return;
	if (!redis_info_value(f->value, &v))
		return;
	if (!name) {
		sanitize(f->key, scratch);
		name = buf_cstr(scratch);
	}
	if (!strcmp(name, "latest_fork_usec")) {
		name = "latest_fork_seconds";
		v /= 1e6;
	}
	rw_value(rw, name, NULL, m && m->counter ? METRIC_COUNTER : METRIC_GAUGE, v);
}

void redis_info_write_scalars(struct redis_writer *rw, const struct redis_info *info,
			      const struct info_options *o)
{
	struct buf name = BUF_INIT;

	for (size_t i = 0; i < info->n; i++)
		if (!handled_elsewhere(&info->v[i]))
			write_scalar(rw, &info->v[i], o, &name);
	buf_release(&name);

	const char *uptime = redis_info_get(info, "uptime_in_seconds");
	double up;
	if (uptime && parse_number(uptime, &up))
		rw_value(rw, "start_time_seconds",
			 "Start time of the Redis instance since unix epoch in seconds.",
			 METRIC_GAUGE, floor(o->now) - up);
}

/*
 * The keyspace and commandstats lines, each parsed once: several families
 * are written from every line.
 */
struct keyspace {
	const char *db;		/* "db0" */
	double keys, expires, avg_ttl;	/* avg_ttl -1: absent */
};

struct cmdstat {
	const char *cmd;
	double calls, usec, rejected, failed;
	bool extended;		/* 6.2+: rejected_calls and failed_calls */
};

struct digest {
	struct keyspace *dbs;
	struct cmdstat *cmds;
	size_t ndbs, ncmds;
};

/*
 * Reads the numbers of a "k=v,k=v" list in one pass: out[i] gets the
 * first item named names[i]; returns a bit per name found as a number.
 */
static unsigned kv_numbers(const char *list, const char *const *names, size_t n, double *out)
{
	unsigned found = 0, tried = 0;
	struct kv_item it;

	for (const char *p = list; p && *p;) {
		p = kv_next(p, &it);
		if (it.value == it.key + it.key_len)
			continue; /* no '=' */
		for (size_t i = 0; i < n; i++) {
			char tmp[64];
			if ((tried & 1u << i) || strncmp(it.key, names[i], it.key_len) ||
			    names[i][it.key_len])
				continue;
			tried |= 1u << i;
			if (copy_value(&it, tmp, sizeof(tmp)) && parse_number(tmp, &out[i]))
				found |= 1u << i;
			break;
		}
	}
	return found;
}

/* db0:keys=3,expires=1,avg_ttl=96349 */
static bool parse_keyspace(const struct info_field *f, struct keyspace *ks)
{
	static const char *const names[] = { "keys", "expires", "avg_ttl" };
	double v[3];

	if (!in_section(f, INFO_KEYSPACE) || strncmp(f->key, "db", 2))
		return false;
	unsigned found = kv_numbers(f->value, names, 3, v);
	if ((found & 3) != 3)
		return false;
	*ks = (struct keyspace){ f->key, v[0], v[1], found & 4 ? v[2] : -1 };
	return true;
}

/* cmdstat_get:calls=2,usec=13,usec_per_call=6.50,rejected_calls=0,failed_calls=0 */
static bool parse_cmdstat(const struct info_field *f, struct cmdstat *c)
{
	static const char *const names[] = { "calls", "usec", "rejected_calls", "failed_calls" };
	double v[4];

	if (!in_section(f, INFO_COMMANDSTATS) || strncmp(f->key, "cmdstat_", 8))
		return false;
	unsigned found = kv_numbers(f->value, names, 4, v);
	if ((found & 3) != 3)
		return false;
	*c = (struct cmdstat){ f->key + 8, v[0], v[1], v[2], v[3], (found & 12) == 12 };
	return true;
}

static void digest_init(struct digest *d, const struct redis_info *info)
{
	size_t n = info->n ? info->n : 1;

	d->dbs = malloc(n * sizeof(*d->dbs));
	d->cmds = malloc(n * sizeof(*d->cmds));
	if (!d->dbs || !d->cmds)
		abort();
	d->ndbs = d->ncmds = 0;
	for (size_t i = 0; i < info->n; i++) {
		d->ndbs += parse_keyspace(&info->v[i], &d->dbs[d->ndbs]);
		d->ncmds += parse_cmdstat(&info->v[i], &d->cmds[d->ncmds]);
	}
}

static void digest_release(struct digest *d)
{
	free(d->dbs);
	free(d->cmds);
}

/* ---- keyspace ---- */

enum keyspace_column { KS_KEYS, KS_EXPIRES, KS_TTL };

/* Zero samples for the databases below db_count that the reply lacks. */
static void write_empty_databases(struct redis_writer *rw, const struct digest *d,
				  const struct info_options *o, bool open,
				  const char *name, const char *help)
{
	/* Which of db0..db_count-1 the reply had, in one pass. */
	bool *seen = calloc((size_t)o->db_count, sizeof(*seen));
	if (!seen)
		abort();
	for (size_t i = 0; i < d->ndbs; i++) {
		char *end;
		const char *key = d->dbs[i].db;
		if (key[2] < '0' || key[2] > '9')
			continue;
		long db = strtol(key + 2, &end, 10);
		if (!*end && db >= 0 && db < o->db_count && (db == 0 || key[2] != '0'))
			seen[db] = true;
	}
	for (long db = 0; db < o->db_count; db++) {
		char label[32];
		if (seen[db])
			continue;
		if (!open && !(open = rw_family(rw, name, help, METRIC_GAUGE, LABELS("db"))))
			break;
		snprintf(label, sizeof(label), "db%ld", db);
		expo_sample(rw->w, 0, label);
	}
	free(seen);
}

static void write_keyspace_family(struct redis_writer *rw, const struct digest *d,
				  const struct info_options *o, enum keyspace_column col)
{
	static const char *const names[] = { "db_keys", "db_keys_expiring", "db_avg_ttl_seconds" };
	static const char *const helps[] = {
		"Total number of keys by DB", "Total number of expiring keys by DB",
		"Avg TTL in seconds",
	};
	bool open = false;

	for (size_t i = 0; i < d->ndbs; i++) {
		const struct keyspace *ks = &d->dbs[i];
		if (col == KS_TTL && ks->avg_ttl <= -1)
			continue;
		if (!open && !(open = rw_family(rw, names[col], helps[col], METRIC_GAUGE,
						LABELS("db"))))
			return;
		expo_sample(rw->w, col == KS_TTL ? ks->avg_ttl / 1000 :
				   col == KS_KEYS ? ks->keys : ks->expires, ks->db);
	}
	if (col != KS_TTL && o->empty_databases && o->db_count > 0)
		write_empty_databases(rw, d, o, open, names[col], helps[col]);
}

/* ---- command, latency and error stats ---- */

enum cmd_column { CMD_CALLS, CMD_DURATION, CMD_REJECTED, CMD_FAILED };

static void write_cmd_family(struct redis_writer *rw, const struct digest *d,
			     enum cmd_column col)
{
	static const char *const names[] = {
		"commands_total", "commands_duration_seconds_total",
		"commands_rejected_calls_total", "commands_failed_calls_total",
	};
	static const char *const helps[] = {
		"Total number of calls per command",
		"Total amount of time in seconds spent per command",
		"Total number of errors within command execution per command",
		"Total number of errors prior command execution per command",
	};
	bool open = false;

	for (size_t i = 0; i < d->ncmds; i++) {
		const struct cmdstat *c = &d->cmds[i];
		if (col >= CMD_REJECTED && !c->extended)
			continue;
		if (!open && !(open = rw_family(rw, names[col], helps[col], METRIC_COUNTER,
						LABELS("cmd"))))
			return;
		double v = col == CMD_CALLS ? c->calls : col == CMD_DURATION ? c->usec / 1e6 :
			   col == CMD_REJECTED ? c->rejected : c->failed;
		expo_sample(rw->w, v, c->cmd);
	}
}

/*
 * The cmdstat of cmd. Searched from just after the last one found: Redis
 * lists latencystats in commandstats' order, so this is one pass in all.
 */
static const struct cmdstat *find_cmdstat(const struct digest *d, const char *cmd,
					  size_t *cursor)
{
	for (size_t k = 0; k < d->ncmds; k++) {
		size_t i = (*cursor + k) % d->ncmds;
		if (!strcmp(d->cmds[i].cmd, cmd)) {
			*cursor = i + 1;
			return &d->cmds[i];
		}
	}
	return NULL;
}

/* "p50=1.003,p99=2.007,p99.9=3.007": one quantile sample per item. */
static void write_quantiles(struct redis_writer *rw, const char *cmd, const char *list)
{
	static const char *const names[] = { "cmd", "quantile" };
	struct kv_item it;

	for (const char *p = list; p && *p;) {
		char quantile[32], value[64];
		double q, v;
		p = kv_next(p, &it);
		if (it.key_len < 2 || it.key[0] != 'p' || it.key_len > sizeof(quantile) ||
		    !copy_value(&it, value, sizeof(value)) || !parse_number(value, &v))
			continue;
		memcpy(quantile, it.key + 1, it.key_len - 1);
		quantile[it.key_len - 1] = '\0';
		if (!parse_number(quantile, &q))
			continue;
		char label[EXPO_NUMBER_MAX];
		expo_format_number(label, q);	/* "99.9", "50": as Go prints the key */
		const char *values[] = { cmd, label };
		expo_sample_raw(rw->w, "", names, values, 2, v);
	}
}

/*
 * latency_percentiles_usec_get:p50=1.003,p99=2.007,p99.9=3.007, with the
 * count and sum from the command's cmdstat line (no line: no summary).
 */
static void write_latency_summary(struct redis_writer *rw, const struct redis_info *info,
				  const struct digest *d)
{
	static const char prefix[] = "latency_percentiles_usec_";
	static const char *const names[] = { "cmd" };
	const struct cmdstat *c;
	size_t cursor = 0;
	bool open = false;

	for (size_t i = 0; i < info->n; i++) {
		const struct info_field *f = &info->v[i];
		const char *cmd = f->key + strlen(prefix);
		if (!in_section(f, INFO_LATENCYSTATS) || strncmp(f->key, prefix, strlen(prefix)) ||
		    !(c = find_cmdstat(d, cmd, &cursor)))
			continue;
		if (!open && !(open = rw_family(rw, "latency_percentiles_usec",
				"A summary of latency percentile distribution per command",
				METRIC_SUMMARY, LABELS("cmd"))))
			return;
		write_quantiles(rw, cmd, f->value);
		const char *values[] = { cmd };
		expo_sample_raw(rw->w, "_sum", names, values, 1, c->usec);
		expo_sample_raw(rw->w, "_count", names, values, 1, c->calls);
	}
}

/* errorstat_ERR:count=1 */
static void write_errorstats(struct redis_writer *rw, const struct redis_info *info)
{
	bool open = false;

	for (size_t i = 0; i < info->n; i++) {
		const struct info_field *f = &info->v[i];
		double v;
		if (!in_section(f, INFO_ERRORSTATS) || !starts_with(f->key, "errorstat_") ||
		    !kv_number(f->value, "count", &v))
			continue;
		if (!open && !(open = rw_family(rw, "errors_total",
						"Total number of errors per error type",
						METRIC_COUNTER, LABELS("err"))))
			return;
		expo_sample(rw->w, v, f->key + strlen("errorstat_"));
	}
}

/* ---- instance ---- */

static const char *get_or_empty(const struct redis_info *info, const char *key)
{
	const char *v = redis_info_get(info, key);
	return v ? v : "";
}

static void write_instance(struct redis_writer *rw, const struct redis_info *info)
{
	const char *mode = redis_info_get(info, "redis_mode");
	const char *role = get_or_empty(info, "role");

	if (rw_family(rw, "instance_info", "Information about the Redis instance",
		      METRIC_GAUGE,
		      LABELS("role", "redis_version", "redis_build_id", "redis_mode", "os",
			     "maxmemory_policy", "tcp_port", "run_id", "process_id")))
		expo_sample(rw->w, 1, role, get_or_empty(info, "redis_version"),
			    get_or_empty(info, "redis_build_id"),
			    mode ? mode : get_or_empty(info, "server_mode"),
			    get_or_empty(info, "os"), get_or_empty(info, "maxmemory_policy"),
			    get_or_empty(info, "tcp_port"), get_or_empty(info, "run_id"),
			    get_or_empty(info, "process_id"));
	if (!strcmp(role, "slave") &&
	    rw_family(rw, "slave_info", "Information about the Redis slave", METRIC_GAUGE,
		      LABELS("master_host", "master_port", "read_only")))
		expo_sample(rw->w, 1, get_or_empty(info, "master_host"),
			    get_or_empty(info, "master_port"),
			    get_or_empty(info, "slave_read_only"));
}

void redis_info_write(struct redis_writer *rw, const struct redis_info *info,
		      const struct info_options *o)
{
	struct digest d;

	digest_init(&d, info);
	/* Named families first: a stray "db_keys" field cannot take their name. */
	write_keyspace_family(rw, &d, o, KS_KEYS);
	write_keyspace_family(rw, &d, o, KS_EXPIRES);
	write_keyspace_family(rw, &d, o, KS_TTL);
	write_replication(rw, info);
	write_cmd_family(rw, &d, CMD_CALLS);
	write_cmd_family(rw, &d, CMD_DURATION);
	write_cmd_family(rw, &d, CMD_REJECTED);
	write_cmd_family(rw, &d, CMD_FAILED);
	write_latency_summary(rw, info, &d);
	digest_release(&d);
	write_errorstats(rw, info);
	write_instance(rw, info);
	redis_info_write_scalars(rw, info, o);
}
