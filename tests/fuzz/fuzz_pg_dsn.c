/*
 * Fuzzes postgres-exporter's DSN handling: the check that rejects a bad
 * data source name must answer with one of its fixed lines (never a piece of
 * the input, which may hold a password); the display form must not crash;
 * a value quoted into a conninfo must parse back to itself; splitting
 * DATA_SOURCE_NAME at its DSN commas must lose nothing; the /probe
 * allowlist must refuse anything when empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_probe.h"

static const char *const known_errors[] = {
	"invalid connection URI", "invalid connection option",
	"missing \"=\" after a keyword", "malformed data source name",
};

static void check_dsn(const char *s)
{
	struct buf err = BUF_INIT, display = BUF_INIT;
	bool known = false;

	if (pg_dsn_check(s, &err) != 0) {
		for (size_t i = 0; i < sizeof(known_errors) / sizeof(known_errors[0]); i++)
			known |= !strcmp(buf_cstr(&err), known_errors[i]);
		if (!known)
			abort();
	}
	pg_dsn_display(s, &display);
	buf_release(&err);
	buf_release(&display);
}

static void check_quoting(const char *s)
{
	struct buf b = BUF_INIT;

	pg_conninfo_add(&b, "password", s);
	PQconninfoOption *opts = PQconninfoParse(buf_cstr(&b), NULL);
	if (!opts)
		abort();
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && strcmp(o->val ? o->val : "", s))
			abort();
	PQconninfoFree(opts);
	buf_release(&b);
}

/* DATA_SOURCE_NAME's split: the pieces joined by commas give the input back. */
static void check_split(const char *s)
{
	struct pg_dsns d = { 0 };
	struct buf joined = BUF_INIT;

	pg_dsn_split(s, &d);
	for (size_t i = 0; i < d.n; i++)
		buf_addf(&joined, "%s%s", i ? "," : "", d.v[i]);
	if (d.n == 0 || strcmp(buf_cstr(&joined), s))
		abort();
	pg_dsns_release(&d);
	buf_release(&joined);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct strlist none = { NULL, 0 };

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	check_dsn(s);
	check_quoting(s);
	check_split(s);
	if (pg_probe_allowed(&none, s))
		abort();
	free(s);
	return 0;
}
