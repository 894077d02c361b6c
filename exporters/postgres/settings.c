/*
 * settings: every bool, integer and real server setting as
 * pg_settings_<name>[_seconds|_bytes], with upstream's unit rules: time
 * units to seconds, sizes to bytes in powers of two, -1 left alone.
 *
 * Three hundred families whose rows rarely change: the text written for the
 * last rows is kept and written again while the server returns exactly the
 * same rows (compared byte for byte), which makes this collector about a
 * twelfth of its cost (it was about 9 % of a scrape's CPU). A setting
 * skipped for its unit is logged (debug) when its rows are first written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"

struct unit_rule {
	const char *unit;
	const char *suffix;
	double factor;
};

static const struct unit_rule unit_rules[] = {
	{ "", "", 1 },
	{ "ms", "seconds", 1e-3 }, { "s", "seconds", 1 }, { "min", "seconds", 60 },
	{ "h", "seconds", 3600 }, { "d", "seconds", 86400 },
	{ "B", "bytes", 1 }, { "kB", "bytes", 1024.0 }, { "MB", "bytes", 1048576.0 },
	{ "GB", "bytes", 1073741824.0 }, { "TB", "bytes", 1099511627776.0 },
	{ "8kB", "bytes", 8192 }, { "16kB", "bytes", 16384 }, { "32kB", "bytes", 32768 },
	{ "16MB", "bytes", 16777216.0 }, { "32MB", "bytes", 33554432.0 },
	{ "64MB", "bytes", 67108864.0 },
};

int pg_setting_normalise(const char *setting, const char *unit, double *value,
			 const char **suffix)
{
	bool ok;
	double v = pg_parse_value(setting, &ok);

	if (!ok || !strcmp(setting, "t") || !strcmp(setting, "f") ||
	    !strcmp(setting, "true") || !strcmp(setting, "false"))
		return -1;
	for (size_t i = 0; i < sizeof(unit_rules) / sizeof(unit_rules[0]); i++) {
		if (strcmp(unit_rules[i].unit, unit))
			continue;
		*suffix = unit_rules[i].suffix;
		*value = v == -1 ? v : v * unit_rules[i].factor;
		return 0;
	}
	return -1;
}

/* "pg_settings_" + name ('.' and '-' as '_') [+ "_" + suffix] into out; false if too long. */
static bool metric_name(const char *name, const char *suffix, char *out, size_t cap)
{
	static const char prefix[] = "pg_settings_";
	size_t n = strlen(name), sn = strlen(suffix);

	if (sizeof(prefix) + n + 1 + sn > cap)
		return false;
	memcpy(out, prefix, sizeof(prefix) - 1);
	char *p = out + sizeof(prefix) - 1;
	for (size_t i = 0; i < n; i++)
		*p++ = name[i] == '.' || name[i] == '-' ? '_' : name[i];
	if (sn) {
		*p++ = '_';
		memcpy(p, suffix, sn);
		p += sn;
	}
	*p = '\0';
	return true;
}

/*
 * One setting: its family and its one sample. There are hundreds: the
 * name is built on the stack, the help text copied only to add the unit.
 */
static void write_setting(struct expo *w, PGresult *res, int r)
{
	const char *name = PQgetvalue(res, r, 0), *setting = PQgetvalue(res, r, 1);
	const char *unit = PQgetvalue(res, r, 2), *desc = PQgetvalue(res, r, 3);
	const char *vartype = PQgetvalue(res, r, 4), *suffix = "";
	char metric[160];
	struct buf help = BUF_INIT;
	double v;

	if (!strcmp(vartype, "bool")) {
		v = !strcmp(setting, "on");
	} else if (pg_setting_normalise(setting, unit, &v, &suffix) != 0) {
		log_debug("setting skipped: unknown unit or value", "setting", name, "unit", unit);
		return;
	}
	if (!metric_name(name, suffix, metric, sizeof(metric)) || !expo_valid_metric_name(metric))
		return;
	if (*suffix) {
		buf_adds(&help, desc);
		buf_adds(&help, " [Units converted to ");
		buf_adds(&help, suffix);
		buf_adds(&help, ".]");
	}
	const struct metric_desc d = { metric, *suffix ? buf_cstr(&help) : desc, METRIC_GAUGE,
				       NULL };
	expo_family(w, &d);
	expo_value(w, v);
	buf_release(&help);
}

/* The last rows, in one format, and what they were written as. */
struct settings_memo {
	struct buf rows;	/* the format, then every field of every row, each NUL-ended */
	struct buf scratch;	/* this scrape's rows, laid out the same */
	struct buf text;
	bool valid;
};

/* Real servers send ~25 KiB of rows: a hostile one's are not kept. */
#define SETTINGS_MEMO_MAX (1u << 20)

static int settings_init(const void *config, void **state)
{
	(void)config;
	struct settings_memo *m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	*state = m;
	return 0;
}

static void memo_clear(struct settings_memo *m)
{
	buf_release(&m->rows);
	buf_release(&m->scratch);
	buf_release(&m->text);
	m->valid = false;
}

static void settings_release(void *state)
{
	memo_clear(state);
	free(state);
}

static void rows_key(PGresult *res, enum expo_format format, struct buf *key)
{
	key->len = 0;
	buf_addc(key, (char)format);
	for (int r = 0; r < PQntuples(res) && key->len <= SETTINGS_MEMO_MAX; r++)
		for (int f = 0; f < 5; f++)
			buf_add(key, PQgetvalue(res, r, f), (size_t)PQgetlength(res, r, f) + 1);
}

static bool same_bytes(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Writes the rows, or the text kept for the same rows; keeps a clean text. */
static void write_settings(struct settings_memo *m, PGresult *res, struct expo *w)
{
	rows_key(res, w->format, &m->scratch);
	if (m->valid && same_bytes(&m->scratch, &m->rows)) {
		buf_add(w->out, m->text.data, m->text.len);
		return;
	}
	size_t start = w->out->len;
	unsigned errors = w->errors;
	for (int r = 0; r < PQntuples(res); r++)
		write_setting(w, res, r);
	if (m->scratch.len > SETTINGS_MEMO_MAX) {
		memo_clear(m);
		return;
	}
	struct buf last = m->rows;
	m->rows = m->scratch;
	m->scratch = last;
	/* Rows that write a duplicated family fail the collector: never reused. */
	m->valid = w->errors == errors;
	m->text.len = 0;
	if (m->valid)
		buf_add(&m->text, w->out->data + start, w->out->len - start);
}

static int settings_collect(const struct collect_ctx *ctx, struct expo *w)
{
	struct pg_session s;
	PGresult *res;
	int rc = pg_session_begin(&s, ctx);

	if (rc != 0)
		return rc;
	rc = pg_session_query(&s,
		"SELECT name, setting, COALESCE(unit, ''), short_desc, vartype FROM pg_settings"
		" WHERE vartype IN ('bool', 'integer', 'real') ORDER BY name", &res);
	pg_session_end(&s, rc);
	if (rc != 0)
		return rc;
	if (PQnfields(res) != 5) {
		PQclear(res);
		return -EPROTO;
	}
	if (ctx->state) {
		write_settings(ctx->state, res, w);
	} else {
		for (int r = 0; r < PQntuples(res); r++)
			write_setting(w, res, r);
	}
	PQclear(res);
	return 0;
}

const struct collector pg_settings_collector = {
	.name = "settings", .enabled_by_default = true, .init = settings_init,
	.collect = settings_collect, .release = settings_release,
};
