/*
 * hwmon: the hardware monitoring chips of /sys/class/hwmon (temperatures,
 * fans, voltages, power, ...), as node_exporter 1.5's hwmon collector
 * reports them: node_hwmon_<type>[_<property>][_<unit>]{chip,sensor},
 * node_hwmon_chip_names{chip,chip_name} and
 * node_hwmon_sensor_label{chip,label,sensor}.
 *
 * Upstream derives family names from the attribute file names, so the
 * families are not known in advance: every sample is gathered into a list
 * first, then sorted and written family by family.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "go_strconv.h"
#include "hw4_parse.h"
#include "node.h"
#include "text.h"

/* Upstream reads each attribute with one read(2) of this many bytes. */
#define HWMON_READ_MAX 128

/* The sensor types upstream looks at; files of other types are skipped. */
static const char *const hwmon_types[] = {
	"vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm",
	"temp", "curr", "power", "energy", "humidity", "intrusion",
};

/* Label sets, their names in the order they are printed (by name). */
enum hwmon_kind { HWMON_SENSOR, HWMON_CHIP_NAME, HWMON_LABEL };

static const char *const *const hwmon_label_names[] = {
	[HWMON_SENSOR] = LABELS("chip", "sensor"),
	[HWMON_CHIP_NAME] = LABELS("chip", "chip_name"),
	[HWMON_LABEL] = LABELS("chip", "label", "sensor"),
};

/* ---- parsers ------------------------------------------------------------- */

static bool hwmon_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '_';
}

const char *hwmon_clean_name(const char *name, size_t n, struct buf *out)
{
	size_t i = 0, start, end;

	buf_truncate(out, 0);
	while (i < n) {
		char c = name[i];
		size_t len;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (hwmon_name_char_ok(c)) {
			buf_addc(out, c);
			i++;
			continue;
		}
		/* One '_' per character, as the Go regexp matches runes. */
		len = text_utf8_len((const unsigned char *)name + i, n - i);
		buf_addc(out, '_');
		i += len ? len : 1;
	}
	start = 0;
	end = out->len;
	while (start < end && out->data[start] == '_')
		start++;
	while (end > start && out->data[end - 1] == '_')
		end--;
	if (start)
		memmove(out->data, out->data + start, end - start);
	buf_truncate(out, end - start);
	return buf_cstr(out);
}

/* What may follow <type><num>: nothing, or '_' and a newline-free rest. */
static bool hwmon_rest_ok(const char *rest, const char *last_nl)
{
	return !*rest ||
	       (rest[0] == '_' && rest[1] && (!last_nl || last_nl < rest));
}

bool hwmon_split_filename(const char *name, struct hwmon_file *f)
{
	size_t first_digit = strcspn(name, "0123456789");
	const char *last_nl = strrchr(name, '\n');

	/* Longest type first, then longest number: the regexp's priority. */
	for (size_t tl = first_digit; tl > 0; tl--) {
		size_t dmax = strspn(name + tl, "0123456789");

		for (size_t d = dmax + 1; d-- > 0;) {
			const char *rest = name + tl + d;

			if (!hwmon_rest_ok(rest, last_nl))
				continue;
			f->type_len = tl;
			f->num = 0;
			if (d && !go_parse_uint(name + tl, d, 10, 63, &f->num))
				return false;
			f->prop = *rest ? rest + 1 : rest;
			return true;
		}
	}
	return false;
}

/* Go's float syntax; '_' is checked apart (see hwmon_parse_float). */
static bool hwmon_float_syntax(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	bool hex, dot = false;

	if (n && (s[0] == '+' || s[0] == '-'))
		i++;
	if ((n - i == 3 && !strncasecmp(s + i, "inf", 3)) ||
	    (n - i == 8 && !strncasecmp(s + i, "infinity", 8)))
		return true;
	if (n == 3 && !strncasecmp(s, "nan", 3))
		return true;
	hex = n - i > 2 && s[i] == '0' && (s[i + 1] | 0x20) == 'x';
	if (hex)
		i += 2;
	for (; i < n; i++) {
		if (s[i] == '.' && !dot)
			dot = true;
		else if (s[i] == '_')
			continue;
		else if (go_digit(s[i]) < (hex ? 16 : 10))
			digits++;
		else
			break;
	}
	if (!digits)
		return false;
	if (i == n)
		return !hex;
	if ((s[i] | 0x20) != (hex ? 'p' : 'e'))
		return false;
	i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i == n || s[i] == '_')
		return false;
	for (; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '_')
			return false;
	return true;
}

bool hwmon_parse_float(const char *s, size_t n, double *out)
{
	struct buf tmp = BUF_INIT;
	double v;

	size_t sign = n && (s[0] == '+' || s[0] == '-');

	if (!hwmon_float_syntax(s, n))
		return false;
	if (memchr(s, '_', n) && !go_underscores_ok(s + sign, n - sign))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			buf_addc(&tmp, s[i]);
	v = strtod(buf_cstr(&tmp), NULL);
	buf_release(&tmp);
	/* Go reports overflow as an error (underflow to 0 is fine). */
	if (isinf(v) && !memchr(s, 'i', n) && !memchr(s, 'I', n))
		return false;
	*out = v;
	return true;
}

/* ---- gathering ----------------------------------------------------------- */

/* One attribute of a chip: sensor ("temp1"), property ("max"), value. */
struct hwmon_attr {
	size_t sensor, prop, value;	/* offsets in the chip's strs */
	unsigned type;			/* index in hwmon_types */
};

struct hwmon_chip {
	struct buf strs;
	struct hwmon_attr *v;
	size_t n, cap;
};

/* One sample to write; strings are offsets in the scrape's strs. */
struct hwmon_rec {
	size_t name, help;
	size_t label[3];
	enum hwmon_kind kind;
	enum metric_type type;
	double value;
	size_t seq;			/* keeps the first of duplicates */
};

struct hwmon_scrape {
	struct buf strs;
	struct hwmon_rec *v;
	size_t n, cap;
	struct buf tmp;
};

/* Appends s and a NUL to b; returns where s starts. */
static size_t hwmon_add(struct buf *b, const char *s, size_t n)
{
	size_t at = b->len;

	buf_add(b, s, n);
	buf_addc(b, '\0');
	return at;
}

static const char *hwmon_str(const struct buf *b, size_t at)
{
	return b->data + at;
}

/* Sets sensor's property to value; a later file overrides an earlier. */
static void hwmon_chip_set(struct hwmon_chip *c, const char *sensor,
			   const char *prop, const char *value, size_t vlen,
			   unsigned type)
{
	size_t at = hwmon_add(&c->strs, value, vlen);

	for (size_t i = 0; i < c->n; i++) {
		if (!strcmp(hwmon_str(&c->strs, c->v[i].sensor), sensor) &&
		    !strcmp(hwmon_str(&c->strs, c->v[i].prop), prop)) {
			c->v[i].value = at;
			return;
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 32;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v)
			abort();
	}
	c->v[c->n].value = at;
	c->v[c->n].sensor = hwmon_add(&c->strs, sensor, strlen(sensor));
	c->v[c->n].prop = hwmon_add(&c->strs, prop, strlen(prop));
	c->v[c->n].type = type;
	c->n++;
}

/* The index of the type name[0, len) in hwmon_types, or -1. */
static int hwmon_type_index(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(hwmon_types) / sizeof(*hwmon_types); i++)
		if (strlen(hwmon_types[i]) == len &&
		    !memcmp(hwmon_types[i], name, len))
			return (int)i;
	return -1;
}

/*
 * Reads one attribute as upstream does (a single read of 128 bytes,
 * newlines trimmed from both ends). False when it cannot be read.
 */
static bool hwmon_read_attr(const char *path, char *out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t start = 0;

	if (fd < 0)
		return false;
	n = read(fd, out, HWMON_READ_MAX);
	close(fd);
	if (n < 0)
		return false;
	while ((size_t)n > start && out[n - 1] == '\n')
		n--;
	while (start < (size_t)n && out[start] == '\n')
		start++;
	memmove(out, out + start, (size_t)n - start);
	*len = (size_t)n - start;
	return true;
}

static int hwmon_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Adds one directory entry to c when it is an attribute of a known type. */
static void hwmon_collect_file(struct hwmon_chip *c, const char *dir,
			       const char *name, struct buf *tmp)
{
	struct hwmon_file f;
	char value[HWMON_READ_MAX], num[TEXT_U64_MAX];
	size_t vlen;
	int type;

	if (!hwmon_split_filename(name, &f))
		return;
	type = hwmon_type_index(name, f.type_len);
	if (type < 0)
		return;
	buf_truncate(tmp, 0);
	buf_addf(tmp, "%s/%s", dir, name);
	if (!hwmon_read_attr(buf_cstr(tmp), value, &vlen))
		return;
	buf_truncate(tmp, 0);
	buf_add(tmp, name, f.type_len);
	buf_adds(tmp, text_u64(num, f.num));
	hwmon_chip_set(c, buf_cstr(tmp), f.prop, value, vlen, (unsigned)type);
}

/* Upstream's collectSensorData: every attribute file of dir, by name. */
static int hwmon_collect_dir(struct hwmon_chip *c, const char *dir)
{
	struct buf tmp = BUF_INIT;
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, hwmon_name_cmp);

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		hwmon_collect_file(c, dir, ents[i]->d_name, &tmp);
		free(ents[i]);
	}
	free(ents);
	buf_release(&tmp);
	return 0;
}

/* ---- records ------------------------------------------------------------- */

static struct hwmon_rec *hwmon_rec_new(struct hwmon_scrape *s, const char *name,
				       const char *help, enum metric_type type,
				       double value)
{
	struct hwmon_rec *r;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	r = &s->v[s->n];
	*r = (struct hwmon_rec){ .type = type, .value = value, .seq = s->n };
	r->name = hwmon_add(&s->strs, name, strlen(name));
	r->help = hwmon_add(&s->strs, help, strlen(help));
	s->n++;
	return r;
}

/* A {chip,sensor} gauge or counter. */
static void hwmon_rec_sensor(struct hwmon_scrape *s, const char *name,
			     const char *help, enum metric_type type,
			     double value, const char *chip, const char *sensor)
{
	struct hwmon_rec *r = hwmon_rec_new(s, name, help, type, value);

	r->kind = HWMON_SENSOR;
	r->label[0] = hwmon_add(&s->strs, chip, strlen(chip));
	r->label[1] = hwmon_add(&s->strs, sensor, strlen(sensor));
}

/* Everything one attribute needs to become a sample. */
struct hwmon_elem {
	const char *chip, *sensor, *type, *prop, *value;
	bool has_bare;		/* the sensor has a file without a property */
};

/*
 * Names, units and help of one property, following upstream's chain of
 * cases, each with its unit conversion (milli- or micro-units to base).
 */
static void hwmon_rec_element(struct hwmon_scrape *s,
			      const struct hwmon_elem *e)
{
	const char *t = e->type, *p = e->prop;
	struct buf name = BUF_INIT, help = BUF_INIT;
	enum metric_type mt = METRIC_GAUGE;
	double v;

	if (!hwmon_parse_float(e->value, strlen(e->value), &v))
		return;
	buf_addf(&name, "node_hwmon_%s", t);
	if (!strcmp(p, "input")) {
		if (e->has_bare)
			buf_adds(&name, "_input");
	} else if (*p) {
		buf_addc(&name, '_');
		buf_adds(&name, hwmon_clean_name(p, strlen(p), &s->tmp));
	}
	if (!strcmp(p, "fault") || !strcmp(p, "alarm")) {
		buf_addf(&help, "Hardware sensor %s status (%s)", p, t);
	} else if (!strcmp(p, "beep")) {
		buf_adds(&name, "_enabled");
		buf_adds(&help, "Hardware monitor sensor has beeping enabled");
	} else if (!strcmp(t, "in") || !strcmp(t, "cpu")) {
		buf_adds(&name, "_volts");
		buf_addf(&help, "Hardware monitor for voltage (%s)", p);
		v *= 0.001;
	} else if (!strcmp(t, "temp") && strcmp(p, "type")) {
		buf_adds(&name, "_celsius");
		buf_addf(&help, "Hardware monitor for temperature (%s)",
			 *p ? p : "input");
		v *= 0.001;
	} else if (!strcmp(t, "curr")) {
		buf_adds(&name, "_amps");
		buf_addf(&help, "Hardware monitor for current (%s)", p);
		v *= 0.001;
	} else if (!strcmp(t, "energy")) {
		buf_adds(&name, "_joule_total");
		buf_addf(&help, "Hardware monitor for joules used so far (%s)", p);
		mt = METRIC_COUNTER;
		v /= 1000000.0;
	} else if (!strcmp(t, "power") && !strcmp(p, "accuracy")) {
		buf_adds(&help, "Hardware monitor power meter accuracy, as a ratio");
		v /= 1000000.0;
	} else if (!strcmp(t, "power") &&
		   (!strcmp(p, "average_interval") ||
		    !strcmp(p, "average_interval_min") ||
		    !strcmp(p, "average_interval_max"))) {
		buf_adds(&name, "_seconds");
		buf_addf(&help, "Hardware monitor power usage update interval (%s)", p);
		v *= 0.001;
	} else if (!strcmp(t, "power")) {
		buf_adds(&name, "_watt");
		buf_addf(&help, "Hardware monitor for power usage in watts (%s)", p);
		v /= 1000000.0;
	} else if (!strcmp(t, "humidity")) {
		buf_addf(&help, "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (%s)", p);
		v /= 1000000.0;
	} else if (!strcmp(t, "fan") &&
		   (!strcmp(p, "input") || !strcmp(p, "min") ||
		    !strcmp(p, "max") || !strcmp(p, "target"))) {
		buf_adds(&name, "_rpm");
		buf_addf(&help, "Hardware monitor for fan revolutions per minute (%s)", p);
	} else {
		buf_addf(&help, "Hardware monitor %s element %s", t, p);
	}
	hwmon_rec_sensor(s, buf_cstr(&name), buf_cstr(&help), mt, v,
			 e->chip, e->sensor);
	buf_release(&name);
	buf_release(&help);
}

/*
 * Appends s with every run of bytes that are not UTF-8 replaced by one
 * U+FFFD, as Go's strings.ToValidUTF8 does; returns where it starts.
 */
static size_t hwmon_add_valid_utf8(struct buf *b, const char *s)
{
	size_t at = b->len, n = strlen(s);
	bool in_bad = false;

	for (size_t i = 0; i < n;) {
		size_t len = text_utf8_len((const unsigned char *)s + i, n - i);

		if (len) {
			buf_add(b, s + i, len);
			i += len;
			in_bad = false;
			continue;
		}
		if (!in_bad)
			buf_adds(b, "\xef\xbf\xbd");
		in_bad = true;
		i++;
	}
	buf_addc(b, '\0');
	return at;
}

/* The value of sensor's property prop in c, or NULL. */
static const char *hwmon_chip_get(const struct hwmon_chip *c,
				  const char *sensor, const char *prop)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(hwmon_str(&c->strs, c->v[i].sensor), sensor) &&
		    !strcmp(hwmon_str(&c->strs, c->v[i].prop), prop))
			return hwmon_str(&c->strs, c->v[i].value);
	return NULL;
}

/* The sensors whose only value is the bare file: beep_enable, vrm, ... */
static bool hwmon_rec_special(struct hwmon_scrape *s, const char *chip,
			      const char *sensor, const char *type,
			      const char *bare)
{
	double v;

	if (!strcmp(type, "beep_enable")) {
		hwmon_rec_sensor(s, "node_hwmon_beep_enabled",
				 "Hardware beep enabled", METRIC_GAUGE,
				 bare && !strcmp(bare, "1") ? 1.0 : 0.0,
				 chip, sensor);
		return true;
	}
	if (strcmp(type, "vrm") && strcmp(type, "update_interval"))
		return false;
	if (!bare || !hwmon_parse_float(bare, strlen(bare), &v))
		return true;
	if (!strcmp(type, "vrm"))
		hwmon_rec_sensor(s, "node_hwmon_voltage_regulator_version",
				 "Hardware voltage regulator", METRIC_GAUGE,
				 v, chip, sensor);
	else
		hwmon_rec_sensor(s, "node_hwmon_update_interval_seconds",
				 "Hardware monitor update interval",
				 METRIC_GAUGE, v * 0.001, chip, sensor);
	return true;
}

/*
 * The samples of one sensor: its label, then one per property (the
 * first attribute of each sensor in c stands for the sensor).
 */
static void hwmon_rec_chip_sensor(struct hwmon_scrape *s,
				  const struct hwmon_chip *c, size_t first,
				  const char *chip)
{
	const char *sensor = hwmon_str(&c->strs, c->v[first].sensor);
	const char *type = hwmon_types[c->v[first].type];
	const char *label = hwmon_chip_get(c, sensor, "label");
	const char *bare = hwmon_chip_get(c, sensor, "");

	if (label) {
		struct hwmon_rec *r = hwmon_rec_new(s, "node_hwmon_sensor_label",
			"Label for given chip and sensor", METRIC_GAUGE, 1.0);

		r->kind = HWMON_LABEL;
		r->label[0] = hwmon_add(&s->strs, chip, strlen(chip));
		r->label[1] = hwmon_add_valid_utf8(&s->strs, label);
		r->label[2] = hwmon_add(&s->strs, sensor, strlen(sensor));
	}
	if (hwmon_rec_special(s, chip, sensor, type, bare))
		return;
	for (size_t i = first; i < c->n; i++) {
		struct hwmon_elem e = {
			.chip = chip, .sensor = sensor, .type = type,
			.prop = hwmon_str(&c->strs, c->v[i].prop),
			.value = hwmon_str(&c->strs, c->v[i].value),
			.has_bare = bare != NULL,
		};

		if (strcmp(hwmon_str(&c->strs, c->v[i].sensor), sensor) ||
		    !strcmp(e.prop, "label"))
			continue;
		hwmon_rec_element(s, &e);
	}
}

/* True when attribute i is the first one of its sensor. */
static bool hwmon_first_of_sensor(const struct hwmon_chip *c, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(hwmon_str(&c->strs, c->v[j].sensor),
			    hwmon_str(&c->strs, c->v[i].sensor)))
			return false;
	return true;
}

/* ---- chip names ---------------------------------------------------------- */

/* The last element of path (which has no trailing '/'). */
static const char *hwmon_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * The "chip" label, as upstream's hwmonName: from the device the chip
 * hangs off ("platform_coretemp_0"), else its name file, else the
 * resolved directory's own name ("hwmon4").
 */
static int hwmon_chip_label(const char *dir, struct buf *out)
{
	struct buf path = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	char *real;
	int err = 0;

	buf_truncate(out, 0);
	buf_addf(&path, "%s/device", dir);
	real = realpath(buf_cstr(&path), NULL);
	if (real) {
		char *slash = strrchr(real, '/');
		const char *dev_name = slash ? slash + 1 : real;

		if (slash) {
			while (slash > real && slash[-1] == '/')
				slash--;
			*slash = '\0';
		}
		hwmon_clean_name(dev_name, strlen(dev_name), &a);
		hwmon_clean_name(hwmon_base(real), strlen(hwmon_base(real)), &b);
		if (b.len && a.len)
			buf_addf(out, "%s_%s", buf_cstr(&b), buf_cstr(&a));
		else if (a.len)
			buf_adds(out, buf_cstr(&a));
		free(real);
	}
	if (!out->len) {
		buf_truncate(&path, 0);
		buf_addf(&path, "%s/name", dir);
		if (!fs_read_file(buf_cstr(&path), &a, FS_READ_MAX))
			buf_adds(out, hwmon_clean_name(a.data, a.len, &b));
	}
	if (!out->len) {
		real = realpath(dir, NULL);
		if (!real) {
			err = -errno;
		} else {
			const char *base = hwmon_base(real);

			buf_adds(out, hwmon_clean_name(base, strlen(base), &b));
			free(real);
			if (!out->len)
				err = -EINVAL;
		}
	}
	buf_release(&path);
	buf_release(&a);
	buf_release(&b);
	return err;
}

/* node_hwmon_chip_names, when the chip has a usable name file. */
static void hwmon_rec_chip_name(struct hwmon_scrape *s, const char *dir,
				const char *chip)
{
	struct buf path = BUF_INIT, text = BUF_INIT, clean = BUF_INIT;

	buf_addf(&path, "%s/name", dir);
	if (!fs_read_file(buf_cstr(&path), &text, FS_READ_MAX) &&
	    *hwmon_clean_name(text.data, text.len, &clean)) {
		struct hwmon_rec *r = hwmon_rec_new(s, "node_hwmon_chip_names",
			"Annotation metric for human-readable chip names",
			METRIC_GAUGE, 1.0);

		r->kind = HWMON_CHIP_NAME;
		r->label[0] = hwmon_add(&s->strs, chip, strlen(chip));
		r->label[1] = hwmon_add(&s->strs, clean.data, clean.len);
	}
	buf_release(&path);
	buf_release(&text);
	buf_release(&clean);
}

/* Upstream's updateHwmon: every sample of the chip at dir. */
static int hwmon_update_chip(struct hwmon_scrape *s, const char *dir)
{
	struct hwmon_chip c = { BUF_INIT, NULL, 0, 0 };
	struct buf chip = BUF_INIT, dev = BUF_INIT;
	struct stat st;
	int err;

	err = hwmon_chip_label(dir, &chip);
	if (!err)
		err = hwmon_collect_dir(&c, dir);
	buf_addf(&dev, "%s/device", dir);
	if (!err && stat(buf_cstr(&dev), &st) == 0)
		err = hwmon_collect_dir(&c, buf_cstr(&dev));
	if (!err) {
		hwmon_rec_chip_name(s, dir, buf_cstr(&chip));
		for (size_t i = 0; i < c.n; i++)
			if (hwmon_first_of_sensor(&c, i))
				hwmon_rec_chip_sensor(s, &c, i, buf_cstr(&chip));
	}
	buf_release(&dev);
	buf_release(&chip);
	buf_release(&c.strs);
	free(c.v);
	return err;
}

/* ---- writing ------------------------------------------------------------- */

/* By family name, then label values, then first seen. */
static int hwmon_rec_cmp(const void *pa, const void *pb, void *arg)
{
	const struct hwmon_rec *a = pa, *b = pb;
	const struct buf *strs = arg;
	int c = strcmp(hwmon_str(strs, a->name), hwmon_str(strs, b->name));
	size_t n = a->kind == HWMON_LABEL ? 3 : 2;

	if (!c && a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	for (size_t i = 0; !c && i < n; i++)
		c = strcmp(hwmon_str(strs, a->label[i]),
			   hwmon_str(strs, b->label[i]));
	if (!c)
		c = a->seq < b->seq ? -1 : a->seq > b->seq;
	return c;
}

/* True when b repeats a's family and labels (the second is dropped). */
static bool hwmon_rec_dup(const struct hwmon_scrape *s,
			  const struct hwmon_rec *a, const struct hwmon_rec *b)
{
	size_t n = a->kind == HWMON_LABEL ? 3 : 2;

	if (a->kind != b->kind ||
	    strcmp(hwmon_str(&s->strs, a->name), hwmon_str(&s->strs, b->name)))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(hwmon_str(&s->strs, a->label[i]),
			   hwmon_str(&s->strs, b->label[i])))
			return false;
	return true;
}

static void hwmon_write(struct hwmon_scrape *s, struct expo *w)
{
	struct metric_desc d = { 0 };

	if (s->n)
		qsort_r(s->v, s->n, sizeof(*s->v), hwmon_rec_cmp, &s->strs);
	for (size_t i = 0; i < s->n; i++) {
		const struct hwmon_rec *r = &s->v[i];
		const char *vals[4] = { NULL };

		if (i && hwmon_rec_dup(s, &s->v[i - 1], r))
			continue;
		if (!d.name || strcmp(d.name, hwmon_str(&s->strs, r->name))) {
			d = (struct metric_desc){
				.name = hwmon_str(&s->strs, r->name),
				.help = hwmon_str(&s->strs, r->help),
				.type = r->type,
				.labels = hwmon_label_names[r->kind],
			};
			expo_family(w, &d);
		}
		for (size_t k = 0; k < (r->kind == HWMON_LABEL ? 3u : 2u); k++)
			vals[k] = hwmon_str(&s->strs, r->label[k]);
		expo_samplev(w, vals, r->value);
	}
}

/* True when path is a directory, or a link to one. */
static bool hwmon_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Every chip of /sys/class/hwmon. A chip that fails does not stop the
 * others, but the collector reports the last failure, as upstream.
 */
static int hwmon_collect(const struct collect_ctx *ctx, struct expo *w)
{
	const struct node_config *cfg = ctx->config;
	struct hwmon_scrape s = { BUF_INIT, NULL, 0, 0, BUF_INIT };
	struct buf root = BUF_INIT, dir = BUF_INIT;
	struct dirent **ents;
	int n, err = 0;

	fs_join(&root, cfg->sysfs, "class/hwmon");
	n = scandir(buf_cstr(&root), &ents, NULL, hwmon_name_cmp);
	if (n < 0) {
		err = errno == ENOENT ? -ENODATA : -errno;
		buf_release(&root);
		return err;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		buf_truncate(&dir, 0);
		buf_addf(&dir, "%s/%s", buf_cstr(&root), name);
		if (strcmp(name, ".") && strcmp(name, "..") &&
		    hwmon_is_dir(buf_cstr(&dir))) {
			int e = hwmon_update_chip(&s, buf_cstr(&dir));

			if (e)
				err = e;
		}
		free(ents[i]);
	}
	free(ents);
	if (!err)
		hwmon_write(&s, w);
	buf_release(&s.strs);
	buf_release(&s.tmp);
	free(s.v);
	buf_release(&dir);
	buf_release(&root);
	return err;
}

const struct collector hwmon_collector = {
	.name = "hwmon",
	.enabled_by_default = true,
	.collect = hwmon_collect,
};
