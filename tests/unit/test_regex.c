#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include <string.h>

#include "regex.h"

/* node_exporter's defaults, copied from its sources. */
#define MOUNT_POINTS_EXCLUDE \
	"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
#define FS_TYPES_EXCLUDE                                                                 \
	"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|"   \
	"hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|" \
	"selinuxfs|squashfs|sysfs|tracefs)$"
#define DISKSTATS_DEVICE_EXCLUDE "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$"
#define NETSTAT_FIELDS                                                                   \
	"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|"           \
	"Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|" \
	"Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"  \
	"Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"

struct case_ {
	const char *s;
	bool want;
};

/* Compiles pattern (which must be valid) and checks every case against it. */
static void check_matches(const char *pattern, const struct case_ *cases, size_t n)
{
	struct buf err = BUF_INIT;
	regex_t re;

	if (re_compile(&re, pattern, &err) != 0)
		fail_msg("%s: %s", pattern, buf_cstr(&err));
	for (size_t i = 0; i < n; i++)
		if (re_matches(&re, cases[i].s) != cases[i].want)
			fail_msg("%s on \"%s\": want %s", pattern, cases[i].s,
				 cases[i].want ? "match" : "no match");
	regfree(&re);
	buf_release(&err);
}

#define CHECK(pattern, ...)                                                 \
	do {                                                                \
		const struct case_ c_[] = { __VA_ARGS__ };                  \
		check_matches(pattern, c_, sizeof(c_) / sizeof(c_[0]));     \
	} while (0)

static void test_node_mount_points(void **state)
{
	(void)state;
	CHECK(MOUNT_POINTS_EXCLUDE,
	      { "/dev", true }, { "/dev/shm", true }, { "/proc", true }, { "/proc/sys/fs", true },
	      { "/sys", true }, { "/sys/kernel/debug", true },
	      { "/run/credentials/getty.service", true },
	      { "/var/lib/docker/overlay2/abc/merged", true },
	      { "/var/lib/containers/storage/overlay", true },
	      { "/", false }, { "/home", false }, { "/devices", false }, { "/system", false },
	      { "/run", false }, { "/run/credentials", false }, { "/run/credentials/", false },
	      { "/var/lib/docker", false }, { "/var/lib/docker/", false },
	      { "/mnt/dev", false }, { "/processes", false }, { "", false });
}

static void test_node_fs_types(void **state)
{
	(void)state;
	CHECK(FS_TYPES_EXCLUDE,
	      { "autofs", true }, { "cgroup", true }, { "cgroup2", true }, { "proc", true },
	      { "sysfs", true }, { "tracefs", true }, { "overlay", true }, { "squashfs", true },
	      { "ext4", false }, { "xfs", false }, { "tmpfs", false }, { "cgroup3", false },
	      { "cgroup22", false }, { "procfs2", false }, { "sysfs ", false }, { "", false },
	      { "nfs", false }, { "btrfs", false });
}

static void test_node_diskstats(void **state)
{
	(void)state;
	CHECK(DISKSTATS_DEVICE_EXCLUDE,
	      { "ram0", true }, { "loop12", true }, { "fd0", true }, { "sda1", true },
	      { "hdb2", true }, { "vdc3", true }, { "xvda1", true }, { "nvme0n1p1", true },
	      { "nvme10n22p333", true },
	      { "sda", false }, { "nvme0n1", false }, { "dm-0", false }, { "md127", false },
	      { "loop", false }, { "sdA1", false }, { "mmcblk0p1", false }, { "nvme0n1p", false },
	      { "sr0", false });
}

static void test_node_netstat(void **state)
{
	(void)state;
	CHECK(NETSTAT_FIELDS,
	      { "Ip_InErrors", true }, { "Udp_InErrors", true }, { "UdpLite_InErrors", true },
	      { "Ip_Forwarding", true }, { "Ip6_InOctets", true }, { "IpExt_OutOctets", true },
	      { "Icmp_InMsgs", true }, { "Icmp6_OutMsgs", true }, { "TcpExt_ListenDrops", true },
	      { "TcpExt_ListenOverflows", true }, { "TcpExt_SyncookiesSent", true },
	      { "TcpExt_TCPSynRetrans", true }, { "Tcp_CurrEstab", true },
	      { "Tcp_RetransSegs", true }, { "Udp6_NoPorts", true },
	      { "Udp_RcvbufErrors", true }, { "Tcp_InErrs", true },
	      { "Ip_InReceives", false }, { "Ip6_InErrors_x", false }, { "TcpExt_TCPLoss", false },
	      { "Tcp_MaxConn", false }, { "Icmp_InErrors2", false }, { "Udp_InCsumErrors", false },
	      { "IpExt_InBcastPkts", false }, { "Ip4_InOctets", false }, { "", false });
}

static void test_empty_matches_everything(void **state)
{
	(void)state;
	CHECK("", { "", true }, { "anything", true }, { "a\nb", true });
	CHECK("(?i)", { "", true }, { "x", true });
}

/* Like Go's MatchString: the match may be anywhere. */
static void test_unanchored(void **state)
{
	(void)state;
	CHECK("ext", { "ext4", true }, { "next", true }, { "ex", false });
	CHECK("^ext", { "ext4", true }, { "next", false });
	CHECK("4$", { "ext4", true }, { "ext4 ", false });
	CHECK("\\Aa\\z", { "a", true }, { "ba", false }, { "ab", false });
}

static void test_perl_classes(void **state)
{
	(void)state;
	CHECK("^\\d+$", { "0123", true }, { "12a", false }, { "", false });
	CHECK("^\\D$", { "a", true }, { "5", false }, { "\n", true });
	CHECK("^a\\sb$", { "a b", true }, { "a\tb", true }, { "a\nb", true }, { "a\vb", false },
	      { "ab", false });
	CHECK("^\\S+$", { "abc", true }, { "a c", false });
	CHECK("^\\w+$", { "a_Z9", true }, { "a-b", false }, { "a.b", false });
	CHECK("^\\W$", { "-", true }, { "_", false }, { "a", false });
	/* Inside brackets, together with other members. */
	CHECK("^[\\d.]+$", { "1.5", true }, { "1,5", false });
	CHECK("^[^\\d]+$", { "abc", true }, { "a1", false });
	CHECK("^[\\D]+$", { "abc", true }, { "a1", false });
	CHECK("^[\\w-]+$", { "a-b_c", true }, { "a b", false });
	CHECK("^[\\s,]+$", { " ,\t", true }, { "x", false });
	CHECK("^[\\d\\D]$", { "x", true }, { "1", true }, { "\n", true });
}

static void test_escaped_punctuation(void **state)
{
	(void)state;
	CHECK("^a\\.b$", { "a.b", true }, { "axb", false });
	CHECK("^\\/var\\/lib$", { "/var/lib", true });
	CHECK("^a\\-b$", { "a-b", true });
	CHECK("^\\$\\(x\\)\\[\\]\\{\\}\\*\\+\\?\\|\\^\\\\$",
	      { "$(x)[]{}*+?|^\\", true }, { "x", false });
	CHECK("^\\<a\\>$", { "<a>", true }, { "a", false });
	CHECK("^\\#\\:\\&\\~\\@\\!\\%\\,\\;\\=\\'\\\"\\`$", { "#:&~@!%,;='\"`", true });
	CHECK("^\\x41\\x{42}\\101\\t$", { "ABA\t", true });
	CHECK("^\\Qa.b*\\E+$", { "a.b*", true }, { "a.b**", true }, { "a.bb", false });
}

static void test_brackets(void **state)
{
	(void)state;
	CHECK("^[]a]+$", { "]a]", true }, { "b", false });
	CHECK("^[\\]]$", { "]", true });
	CHECK("^[\\^]$", { "^", true }, { "\\", false });
	CHECK("^[\\^-]+$", { "^-", true }, { "a", false });
	CHECK("^[a^]+$", { "a^", true }, { "b", false });
	CHECK("^[^^]$", { "a", true }, { "^", false });
	CHECK("^[a\\-z]+$", { "a-z", true }, { "b", false });
	CHECK("^[a-]+$", { "a-", true });
	CHECK("^[-a]+$", { "-a", true });
	CHECK("^[\\[:]+$", { "[:", true }, { "a", false });
	CHECK("^[.]$", { ".", true }, { "a", false });
	CHECK("^[[:alpha:]]+$", { "abcXYZ", true }, { "ab1", false });
	CHECK("^[[:^digit:]]+$", { "ab", true }, { "a1", false });
	CHECK("^[[:xdigit:][:space:]]+$", { "dead BEEF", true }, { "g", false });
	CHECK("^[^/]+$", { "caf\xc3\xa9", true }, { "a/b", false });
	CHECK("^[a-cx-z]+$", { "abxz", true }, { "d", false });
	CHECK("^[\\x00-\\x{7f}]+$", { "abc", true }, { "\xc3\xa9", false });
}

static void test_groups_and_quantifiers(void **state)
{
	(void)state;
	CHECK("^(?:ab)+$", { "abab", true }, { "aba", false });
	CHECK("^(?P<dev>sd[a-z])(?<part>\\d*)$", { "sda1", true }, { "sd1", false });
	CHECK("^a.*?b$", { "axxb", true }, { "ax", false });
	CHECK("^a+?b??c{2,3}?$", { "abcc", true }, { "aacc", true }, { "ac", false });
	CHECK("^a{2}$", { "aa", true }, { "a", false }, { "aaa", false });
	CHECK("^a{2,}$", { "aaaa", true }, { "a", false });
	CHECK("^a{$", { "a{", true });
	CHECK("^a{,2}$", { "a{,2}", true }, { "aa", false });
	CHECK("^a{x}$", { "a{x}", true });
	CHECK("^x|y$", { "xa", true }, { "ay", true }, { "a", false });
	CHECK("^(a|)$", { "a", true }, { "", true });
	CHECK("^\xc3\xa9+$", { "\xc3\xa9\xc3\xa9", true }, { "\xc3\xa9\xa9", false });
	CHECK("^\\x{e9}{2}$", { "\xc3\xa9\xc3\xa9", true });
}

/* Go's '.' stops at a newline unless (?s); (?i) ignores case. */
static void test_dot_and_flags(void **state)
{
	(void)state;
	CHECK("^a.b$", { "axb", true }, { "a\nb", false });
	CHECK("(?s)^a.b$", { "axb", true }, { "a\nb", true });
	CHECK("(?i)^proc$", { "PROC", true }, { "Proc", true }, { "proc", true }, { "proc2", false });
	CHECK("(?is)^A.B$", { "a\nb", true });
	CHECK("(?i)(?s)^A.B$", { "a\nb", true });
	CHECK("^proc$", { "PROC", false });
	/* Ranges across letters must survive glibc's case mapping of their ends. */
	CHECK("(?i)^[+-z]+$", { "+Qq_z", true }, { "~", false }, { "*", false });
	CHECK("(?i)^[Z-a]$", { "_", true }, { "z", true }, { "A", true }, { "b", false });
}

/* The exact POSIX form, where it matters that it is exact. */
static void test_translation(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "abc", "abc" },
		{ "\\d", "[0-9]" },
		{ "\\D", "[^0-9]" },
		{ "\\w", "[0-9A-Z_a-z]" },
		{ "\\W", "[^0-9A-Z_a-z]" },
		{ "\\s", "[\t\n\f\r ]" },
		{ "\\S", "[^\t\n\f\r ]" },
		{ "[\\d]", "[0-9]" },
		{ "[\\da-f]", "[0-9a-f]" },
		{ "[^\\d]", "[^0-9]" },
		{ "[^\\D]", "[0-9]" },
		{ "[\\d\\D]", "." },
		{ "\\.", "\\." },
		{ "\\-", "-" },
		{ "\\/", "/" },
		{ "\\$", "\\$" },
		{ "\\(", "\\(" },
		{ "\\{", "\\{" },
		{ "\\}", "}" },
		{ "\\<", "<" },
		{ "(?:a|b)", "(a|b)" },
		{ "(?P<x>a)", "(a)" },
		{ ".", "[^\n]" },
		{ "(?s).", "." },
		{ "(?i)abc", "abc" },
		{ "a*?", "a*" },
		{ "a{2,5}?", "a{2,5}" },
		{ "a{", "a\\{" },
		{ "[]a]", "[]a]" },
		{ "[a\\]]", "[]a]" },
		{ "[-a]", "[a-]" },
		{ "[\\^]", "\\^" },
		{ "[\\^-]", "[-^]" },
		{ "[^^]", "[^^]" },
		{ "[a^-]", "[a^-]" },
		{ "[\\[:]", "[:[]" },
		{ "[a-c]", "[a-c]" },
		{ "[+-z]", "[]+,.-@A-Z[\\_`a-z^-]" },
		{ "[ab]", "[ab]" },
		{ "[[:digit:]]", "[0-9]" },
		{ "\\x41", "A" },
		{ "\\Q.*\\E", "\\.\\*" },
		{ "\xc3\xa9", "(\xc3\xa9)" },
		{ "\\Aa\\z", "^a$" },
		{ "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$",
		  "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT, err = BUF_INIT;

		if (re_translate(cases[i].in, &out, &err) != 0)
			fail_msg("%s: %s", cases[i].in, buf_cstr(&err));
		if (strcmp(buf_cstr(&out), cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in, buf_cstr(&out), cases[i].want);
		buf_release(&out);
		buf_release(&err);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a(?=b)", "lookahead and lookbehind are not supported: `a(?=b)`" },
		{ "a(?!b)", "lookahead and lookbehind are not supported: `a(?!b)`" },
		{ "(?<=a)b", "lookahead and lookbehind are not supported: `(?<=a)b`" },
		{ "(?<!a)b", "lookahead and lookbehind are not supported: `(?<!a)b`" },
		{ "a(?i)b", "flags (?i...) are only supported at the start of the pattern: `a(?i)b`" },
		{ "(?i:a)", "flags (?i...) are only supported at the start of the pattern: `(?i:a)`" },
		{ "(?m)^a", "flag (?m) is not supported: `(?m)^a`" },
		{ "(?U)a", "flag (?U) is not supported: `(?U)a`" },
		{ "(a", "missing closing ): `(a`" },
		{ "a)", "unexpected ): `a)`" },
		{ "[a", "missing closing ]: `[a`" },
		{ "[]", "missing closing ]: `[]`" },
		{ "a\\", "trailing backslash at end of expression: `a\\`" },
		{ "\\q", "invalid escape sequence \\q: `\\q`" },
		{ "\\1", "backreferences (\\1) are not supported: `\\1`" },
		{ "\\bword", "word boundaries (\\b) are not supported: `\\bword`" },
		{ "\\pL", "Unicode classes (\\p) are not supported: `\\pL`" },
		{ "*a", "missing argument to repetition operator *: `*a`" },
		{ "a|+", "missing argument to repetition operator +: `a|+`" },
		{ "a**", "invalid nested repetition operator *: `a**`" },
		{ "a{2}{3}", "invalid nested repetition operator {3}: `a{2}{3}`" },
		{ "a{3,2}", "invalid repeat count: `a{3,2}`" },
		{ "a{1001}", "invalid repeat count: `a{1001}`" },
		{ "[z-a]", "invalid character class range: `[z-a]`" },
		{ "[a-\\d]", "invalid character class range: `[a-\\d]`" },
		{ "[[:foo:]]", "invalid character class name [:foo:]: `[[:foo:]]`" },
		{ "[\xc3\xa9]", "non-ASCII characters in [...] are not supported: `[\xc3\xa9]`" },
		{ "\\x{110000}", "invalid escape sequence \\x{...} (too large): `\\x{110000}`" },
		{ "\\x4", "invalid escape sequence \\x: `\\x4`" },
		{ "\\x00", "NUL characters are not supported: `\\x00`" },
		{ "(?#x)", "invalid or unsupported Perl syntax (?: `(?#x)`" },
		{ "(?P<>a)", "invalid named capture: `(?P<>a)`" },
		{ "a\xff", "invalid UTF-8: `a\xff`" },
		{ "a\n(", "missing closing ): `a\\x0a(`" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT, err = BUF_INIT;
		regex_t re;

		buf_adds(&out, "kept");
		if (re_translate(cases[i].in, &out, &err) != -1)
			fail_msg("%s: accepted as %s", cases[i].in, buf_cstr(&out));
		if (strcmp(buf_cstr(&err), cases[i].want) != 0)
			fail_msg("%s: got error %s, want %s", cases[i].in, buf_cstr(&err),
				 cases[i].want);
		/* Nothing half-translated is left behind. */
		assert_string_equal(buf_cstr(&out), "kept");
		buf_truncate(&err, 0);
		assert_int_equal(re_compile(&re, cases[i].in, &err), -1);
		assert_string_equal(buf_cstr(&err), cases[i].want);
		assert_null(strchr(buf_cstr(&err), '\n'));
		buf_release(&out);
		buf_release(&err);
	}
}

static void test_null_pattern_and_subject(void **state)
{
	struct buf err = BUF_INIT;
	regex_t re;

	(void)state;
	assert_int_equal(re_compile(&re, NULL, &err), 0);
	assert_true(re_matches(&re, "x"));
	regfree(&re);
	assert_int_equal(re_compile(&re, "^$", &err), 0);
	assert_true(re_matches(&re, NULL));
	assert_false(re_matches(&re, "x"));
	regfree(&re);
	assert_string_equal(buf_cstr(&err), "");
	buf_release(&err);
}

/* The memo answers as the pattern does: before and after growing, and past its cap. */
static void memo_agrees_with_pattern(void **state)
{
	struct buf err = BUF_INIT;
	struct re_memo m;
	regex_t plain;
	char name[32];

	(void)state;
	assert_int_equal(re_memo_compile(&m, "^(oom_kill|pgpg|pswp|pg.*fault).*", &err), 0);
	assert_int_equal(re_compile(&plain, "^(oom_kill|pgpg|pswp|pg.*fault).*", &err), 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < RE_MEMO_MAX + 100; i++) {
			snprintf(name, sizeof(name), i % 3 ? "pgfault%d" : "nr_free%d", i);
			assert_int_equal(re_memo_matches(&m, name), re_matches(&plain, name));
		}
	}
	assert_true(re_memo_matches(&m, "pgpgin"));
	assert_false(re_memo_matches(&m, "nr_dirty"));
	assert_int_equal(m.n, RE_MEMO_MAX);
	re_memo_free(&m);
	regfree(&plain);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memo_agrees_with_pattern),
		cmocka_unit_test(test_node_mount_points),
		cmocka_unit_test(test_node_fs_types),
		cmocka_unit_test(test_node_diskstats),
		cmocka_unit_test(test_node_netstat),
		cmocka_unit_test(test_empty_matches_everything),
		cmocka_unit_test(test_unanchored),
		cmocka_unit_test(test_perl_classes),
		cmocka_unit_test(test_escaped_punctuation),
		cmocka_unit_test(test_brackets),
		cmocka_unit_test(test_groups_and_quantifiers),
		cmocka_unit_test(test_dot_and_flags),
		cmocka_unit_test(test_translation),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_null_pattern_and_subject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
