/*
 * vmstat: the fields of /proc/vmstat that --collector.vmstat.fields selects,
 * as node_vmstat_<field> untyped samples, named the way node_exporter names
 * them (straight from the file, so every kernel's set of fields is covered).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "disk_parse.h"
#include "fsutil.h"
#include "log.h"
#include "node.h"
#include "node_parse.h"
#include "regex.h"

#define VMSTAT_PREFIX "node_vmstat_"

struct vmstat_state {
	struct re_memo fields;	/* names repeat every scrape: remembered */
};

const char *vmstat_name(const struct vmstat *vm, size_t i)
{
	return vm->names.data + vm->v[i].name;
}

static void vmstat_add(struct vmstat *vm, struct node_word name, double v)
{
	if (vm->n == vm->cap) {
		size_t cap = vm->cap ? vm->cap * 2 : 128;
		struct vmstat_field *nv = realloc(vm->v, cap * sizeof(*nv));

		if (!nv)
			abort();
		vm->v = nv;
		vm->cap = cap;
	}
	vm->v[vm->n++] = (struct vmstat_field){ vm->names.len, v };
	buf_add(&vm->names, name.s, name.len);
	buf_addc(&vm->names, '\0');
}

int vmstat_parse(const char *text, struct vmstat *out)
{
	for (const char *s = text; *s;) {
		const char *end = node_line_end(s);
		struct node_word w[2];
		double v;

		/* Upstream indexes the second word unchecked: a panic there. */
		if (node_split_words(s, end, w, 2) < 2 ||
		    !disk_parse_float(w[1].s, w[1].len, &v))
			return -EINVAL;
		vmstat_add(out, w[0], v);
		s = *end ? end + 1 : end;
	}
	return 0;
}

void vmstat_release(struct vmstat *vm)
{
	buf_release(&vm->names);
	free(vm->v);
	vm->v = NULL;
	vm->n = vm->cap = 0;
}

static int vmstat_init(const void *config, void **state)
{
	const struct node_config *cfg = config;
	struct vmstat_state *st = calloc(1, sizeof(*st));
	struct buf err = BUF_INIT;

	if (!st)
		abort();
	if (re_memo_compile(&st->fields, cfg->vmstat_fields, &err)) {
		log_error("vmstat fields pattern is invalid", "err",
			  buf_cstr(&err));
		buf_release(&err);
		free(st);
		return -EINVAL;
	}
	*state = st;
	return 0;
}

static void vmstat_release_state(void *state)
{
	struct vmstat_state *st = state;

	if (!st)
		return;
	re_memo_free(&st->fields);
	free(st);
}

/* Orders field indexes by name, then by position (so the first one wins). */
static int vmstat_cmp(const void *a, const void *b, void *arg)
{
	const struct vmstat *vm = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(vmstat_name(vm, x), vmstat_name(vm, y));

	return c ? c : (x > y) - (x < y);
}

/*
 * Writes the selected fields sorted by name, as node_exporter's registry
 * sorts families. A name that would not make a metric name, or one the
 * file repeats, is left out instead of breaking the scrape.
 */
static void vmstat_write(struct expo *w, const struct vmstat *vm,
			 struct re_memo *fields)
{
	struct buf name = BUF_INIT, help = BUF_INIT;
	struct metric_desc d = { .type = METRIC_UNTYPED };
	size_t *order = calloc(vm->n ? vm->n : 1, sizeof(*order));
	const char *prev = NULL;

	size_t n = 0;

	if (!order)
		abort();
	/* The filter first: it keeps a few of ~180 fields, and only those
	 * need sorting (a repeated name matches or not as its first does). */
	for (size_t i = 0; i < vm->n; i++)
		if (re_memo_matches(fields, vmstat_name(vm, i)))
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), vmstat_cmp, (void *)vm);
	for (size_t i = 0; i < n; i++) {
		const char *field = vmstat_name(vm, order[i]);

		if (prev && strcmp(prev, field) == 0)
			continue;
		prev = field;
		buf_truncate(&name, 0);
		buf_truncate(&help, 0);
		buf_adds(&name, VMSTAT_PREFIX);
		buf_adds(&name, field);
		if (!expo_valid_metric_name(buf_cstr(&name)))
			continue;
		buf_adds(&help, "/proc/vmstat information field ");
		buf_adds(&help, field);
		buf_addc(&help, '.');
		d.name = buf_cstr(&name);
		d.help = buf_cstr(&help);
		expo_family(w, &d);
		expo_value(w, vm->v[order[i]].value);
	}
	free(order);
	buf_release(&help);
	buf_release(&name);
}

static int vmstat_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct vmstat_state *st = ctx->state;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct vmstat vm = VMSTAT_INIT;
	int err;

	err = fs_read_file(fs_join(&path, cfg->procfs, "vmstat"), &text,
			   FS_READ_MAX);
	if (!err)
		err = vmstat_parse(buf_cstr(&text), &vm);
	if (!err)
		vmstat_write(w, &vm, &st->fields);
	vmstat_release(&vm);
	buf_release(&text);
	buf_release(&path);
	return err;
}

const struct collector vmstat_collector = {
	.name = "vmstat",
	.enabled_by_default = true,
	.init = vmstat_init,
	.collect = vmstat_collect,
	.release = vmstat_release_state,
};
