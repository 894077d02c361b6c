/* Pure parsers of kafka-lag-exporter's outside input (flags). */
#include <stdlib.h>
#include <string.h>

#include "kafka_lag.h"

int kl_split_property(const char *kv, struct buf *key, struct buf *value,
		      struct buf *err)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv) {
		/* Not the argument itself: a mistyped "sasl.password:x" is a secret. */
		buf_adds(err, eq ? "--kafka.config wants KEY=VALUE, got an empty KEY"
				 : "--kafka.config wants KEY=VALUE, got no '='");
		return -1;
	}
	buf_add(key, kv, (size_t)(eq - kv));
	buf_adds(value, eq + 1);
	return 0;
}

/* Label names of our own series: a constant label must not repeat one. */
static bool reserved_label(const char *name)
{
	static const char *const used[] = {
		"id", "address", "topic", "partition", "consumergroup", "collector",
	};
	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
		if (strcmp(name, used[i]) == 0)
			return true;
	return false;
}

/* One "name=value" item; items without '=' are skipped, as upstream. */
static int add_label(const char *item, size_t len, struct kl_labels *out,
		     struct buf *err)
{
	const char *eq = memchr(item, '=', len);
	if (!eq)
		return 0;
	/* Upstream keeps only what lies between the first and a second '='. */
	const char *end = memchr(eq + 1, '=', len - (size_t)(eq + 1 - item));
	size_t vlen = (size_t)((end ? end : item + len) - (eq + 1));
	char *name = strndup(item, (size_t)(eq - item));
	if (!name)
		abort();
	if (out->n == KL_MAX_CONST_LABELS) {
		buf_addf(err, "--kafka.labels: more than %d labels", KL_MAX_CONST_LABELS);
		free(name);
		return -1;
	}
	if (!expo_valid_label_name(name) || reserved_label(name)) {
		buf_addf(err, "--kafka.labels: \"%.64s\" is not a label name of its own", name);
		free(name);
		return -1;
	}
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->names[i], name) == 0) {
			buf_addf(err, "--kafka.labels: label \"%s\" given twice", name);
			free(name);
			return -1;
		}
	out->names[out->n] = name;
	out->values[out->n] = strndup(eq + 1, vlen);
	if (!out->values[out->n])
		abort();
	out->n++;
	return 0;
}

int kl_parse_labels(const char *s, struct kl_labels *out, struct buf *err)
{
	memset(out, 0, sizeof(*out));
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (add_label(s, len, out, err) != 0) {
			kl_labels_free(out);
			return -1;
		}
		s += len + (comma ? 1 : 0);
	}
	return 0;
}

void kl_labels_free(struct kl_labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->names[i]);
		free(l->values[i]);
	}
	l->n = 0;
}

/* Characters a group name may hold unescaped in a literal alternative. */
static bool literal_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '/' ||
	       c == ':' || c == '@' || c == '#' || c == '%' || c == '=' ||
	       c == ',' || c == '!' || c == '~' || c == '<' || c == '>' || c == '\'';
}

/*
 * Appends the literal p[0..len) spells (anchors at its ends allowed, escaped
 * punctuation unescaped). Returns false when it is not a literal.
 */
static bool add_literal(const char *p, size_t len, struct buf *out)
{
	size_t mark = out->len;

	if (len && p[0] == '^')
		p++, len--;
	if (len && p[len - 1] == '$' && (len < 2 || p[len - 2] != '\\'))
		len--;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == '\\' && i + 1 < len && strchr(".-+*?()[]{}|^$\\/ ", p[i + 1]))
			c = p[++i];
		else if (!literal_char(c)) {
			buf_truncate(out, mark);
			return false;
		}
		buf_addc(out, c);
	}
	buf_addc(out, '\0');
	return true;
}

/* Whether p[0..len) is one group "( ... )" or "(?: ... )" around it all. */
static size_t group_body_start(const char *p, size_t len)
{
	size_t start = (len > 3 && strncmp(p, "(?:", 3) == 0) ? 3 : 1;
	int depth = 0;

	if (len < 2 || p[0] != '(' || p[len - 1] != ')')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\') {
			i++;
			continue;
		}
		depth += p[i] == '(' ? 1 : p[i] == ')' ? -1 : 0;
		if (depth == 0 && i + 1 < len)
			return 0;	/* "(a)|(b)": not one group */
	}
	return depth == 0 ? start : 0;
}

size_t kl_filter_literals(const char *pattern, struct buf *out)
{
	size_t len = strlen(pattern), mark = out->len, n = 0;
	const char *p = pattern;
	bool anchored_start = len && p[0] == '^';
	bool anchored_end = len > 1 && p[len - 1] == '$' && p[len - 2] == ')';

	/* "^( ... )$" and "( ... )": strip the one group around everything. */
	if (anchored_start && anchored_end && group_body_start(p + 1, len - 2))
		p += 1, len -= 2;
	size_t body = group_body_start(p, len);
	if (body)
		p += body, len -= body + 1;
	for (size_t i = 0, start = 0; i <= len; i++) {
		if (i + 1 < len && p[i] == '\\') {
			i++;
			continue;
		}
		if (i < len && p[i] != '|')
			continue;
		if (!add_literal(p + start, i - start, out)) {
			buf_truncate(out, mark);
			return 0;
		}
		n++;
		start = i + 1;
	}
	return n;
}
