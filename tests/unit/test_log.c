#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define TS "2026-11-24T08:05:29.123Z"

/* Formats one line with the fixed timestamp and caller used throughout. */
static char *line(enum log_format format, const char *msg, const char *const *kv, size_t nkv)
{
	struct buf out = BUF_INIT;

	log_format_line(&out, format, TS, LOG_INFO, "node-exporter", msg, kv, nkv);
	return buf_detach(&out, NULL);
}

#define assert_line(format, want, msg, ...)                                       \
	do {                                                                      \
		const char *kv_[] = { __VA_ARGS__ };                              \
		char *got_ = line(format, msg, kv_, sizeof(kv_) / sizeof(kv_[0])); \
		assert_string_equal(got_, want);                                  \
		free(got_);                                                       \
	} while (0)

static void test_logfmt_basic(void **state)
{
	(void)state;
	assert_line(LOG_LOGFMT,
		    "ts=" TS " level=info caller=node-exporter msg=\"listening on\" address=127.0.0.1:9100\n",
		    "listening on", "address", "127.0.0.1:9100");
	assert_line(LOG_LOGFMT,
		    "ts=" TS " level=info caller=node-exporter msg=started a=1 b=2\n",
		    "started", "a", "1", "b", "2");
}

static void test_logfmt_fixed_fields(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	log_format_line(&out, LOG_LOGFMT, TS, LOG_WARN, NULL, "x", NULL, 0);
	assert_string_equal(buf_cstr(&out), "ts=" TS " level=warn msg=x\n");
	buf_truncate(&out, 0);
	log_format_line(&out, LOG_LOGFMT, NULL, LOG_ERROR, "", NULL, NULL, 0);
	assert_string_equal(buf_cstr(&out), "level=error msg=\"\"\n");
	buf_truncate(&out, 0);
	log_format_line(&out, LOG_LOGFMT, TS, LOG_DEBUG, "c", "m", NULL, 0);
	assert_string_equal(buf_cstr(&out), "ts=" TS " level=debug caller=c msg=m\n");
	/* Appends: two lines in a row stay two lines. */
	log_format_line(&out, LOG_LOGFMT, NULL, LOG_INFO, NULL, "n", NULL, 0);
	assert_string_equal(buf_cstr(&out), "ts=" TS " level=debug caller=c msg=m\nlevel=info msg=n\n");
	buf_release(&out);
}

static void test_logfmt_quoting(void **state)
{
	(void)state;
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"\"\n", "m", "k", "");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"a b\"\n", "m", "k", "a b");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"a=b\"\n", "m", "k", "a=b");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"say \\\"hi\\\"\"\n",
		    "m", "k", "say \"hi\"");
	/* A backslash alone needs no quotes; inside quotes it is escaped. */
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=C:\\dir\n",
		    "m", "k", "C:\\dir");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"a \\\\ b\"\n",
		    "m", "k", "a \\ b");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"l1\\nl2\"\n",
		    "m", "k", "l1\nl2");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"a\\tb\\r\"\n",
		    "m", "k", "a\tb\r");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"\\u0001\\u007f\"\n",
		    "m", "k", "\x01\x7f");
	/* UTF-8 passes as is; a bad byte is quoted and replaced. */
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=caf\xc3\xa9\n",
		    "m", "k", "caf\xc3\xa9");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"a\xef\xbf\xbd\"\n",
		    "m", "k", "a\xff");
}

static void test_logfmt_keys_and_nulls(void **state)
{
	(void)state;
	/* Keys cannot be quoted, so the bad bytes become '_'. */
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m a_b_c=1\n",
		    "m", "a b=c", "1");
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m k=\"\"\n",
		    "m", "k", NULL);
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m _=v\n",
		    "m", NULL, "v");
	/* An odd count: the last key gets an empty value. */
	assert_line(LOG_LOGFMT, "ts=" TS " level=info caller=node-exporter msg=m a=1 b=\"\"\n",
		    "m", "a", "1", "b");
}

static void test_json(void **state)
{
	(void)state;
	assert_line(LOG_JSON,
		    "{\"ts\":\"" TS "\",\"level\":\"info\",\"caller\":\"node-exporter\","
		    "\"msg\":\"listening on\",\"address\":\"127.0.0.1:9100\"}\n",
		    "listening on", "address", "127.0.0.1:9100");
	assert_line(LOG_JSON,
		    "{\"ts\":\"" TS "\",\"level\":\"info\",\"caller\":\"node-exporter\","
		    "\"msg\":\"q\\\"b\\\\\",\"k\\n\":\"\\n\\r\\t\\u0001\\u001f\x7f<&>\"}\n",
		    "q\"b\\", "k\n", "\n\r\t\x01\x1f\x7f<&>");
	/* NULL prints empty; bad UTF-8 becomes U+FFFD so the JSON stays valid. */
	assert_line(LOG_JSON,
		    "{\"ts\":\"" TS "\",\"level\":\"info\",\"caller\":\"node-exporter\","
		    "\"msg\":\"\",\"k\":\"\",\"u\":\"\xe2\x82\xac\\ufffd\\ufffd\"}\n",
		    NULL, "k", NULL, "u", "\xe2\x82\xac\xc0\xaf");
}

static void test_json_fixed_fields(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	log_format_line(&out, LOG_JSON, NULL, LOG_ERROR, NULL, "boom", NULL, 0);
	assert_string_equal(buf_cstr(&out), "{\"level\":\"error\",\"msg\":\"boom\"}\n");
	buf_release(&out);
}

static void test_setup(void **state)
{
	(void)state;
	assert_int_equal(log_setup("info", "logfmt"), 0);
	assert_true(log_enabled(LOG_INFO));
	assert_true(log_enabled(LOG_ERROR));
	assert_false(log_enabled(LOG_DEBUG));
	assert_int_equal(log_setup("debug", "json"), 0);
	assert_true(log_enabled(LOG_DEBUG));
	assert_int_equal(log_setup("error", "logfmt"), 0);
	assert_false(log_enabled(LOG_WARN));
	assert_true(log_enabled(LOG_ERROR));

	/* A bad name changes nothing, not even the half that was good. */
	assert_int_equal(log_setup("warn", "xml"), -1);
	assert_false(log_enabled(LOG_WARN));
	assert_int_equal(log_setup("chatty", "json"), -1);
	assert_int_equal(log_setup("INFO", "logfmt"), -1);
	assert_int_equal(log_setup("", "logfmt"), -1);
	assert_false(log_enabled(LOG_WARN));
	assert_int_equal(log_setup("info", "logfmt"), 0);
}

/*
 * Runs the logging calls with fd 2 pointed at a temporary file and returns
 * what was written there.
 */
static char *capture_stderr(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	struct buf out = BUF_INIT;
	char chunk[512];
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(tmp), 2), 2);
	fn();
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	rewind(tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		buf_add(&out, chunk, n);
	fclose(tmp);
	return buf_detach(&out, NULL);
}

static void log_some(void)
{
	log_set_caller("test-exporter");
	log_setup("info", "logfmt");
	log_debug("hidden", "k", "v");
	errno = EPIPE;
	log_info("listening on", "address", ":9100");
	assert_int_equal(errno, EPIPE);	/* logging leaves errno alone */
	log_warn("no pairs");
	log_error("null value", "err", (const char *)NULL);
	log_setup(NULL, "json");
	log_info("as json", "k", "v w");
	log_setup("info", "logfmt");
	log_set_caller(NULL);
	log_info("no caller");
}

static void assert_matches(const char *s, const char *ere)
{
	regex_t re;

	assert_int_equal(regcomp(&re, ere, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, s, 0, NULL, 0) != 0)
		fail_msg("%s does not match %s", s, ere);
	regfree(&re);
}

static void test_log_kv_writes_lines(void **state)
{
	char *out = capture_stderr(log_some);
	char *save = NULL;
	const char *ts = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z";
	char want[5][256];
	const char *l[6];
	int n = 0;

	(void)state;
	snprintf(want[0], 256, "^ts=%s level=info caller=test-exporter msg=\"listening on\" address=:9100$", ts);
	snprintf(want[1], 256, "^ts=%s level=warn caller=test-exporter msg=\"no pairs\"$", ts);
	snprintf(want[2], 256, "^ts=%s level=error caller=test-exporter msg=\"null value\" err=\"\"$", ts);
	snprintf(want[3], 256, "^\\{\"ts\":\"%s\",\"level\":\"info\",\"caller\":\"test-exporter\","
		 "\"msg\":\"as json\",\"k\":\"v w\"\\}$", ts);
	snprintf(want[4], 256, "^ts=%s level=info msg=\"no caller\"$", ts);
	assert_int_equal(out[strlen(out) - 1], '\n');
	for (char *p = strtok_r(out, "\n", &save); p && n < 6; p = strtok_r(NULL, "\n", &save))
		l[n++] = p;
	assert_int_equal(n, 5);
	for (int i = 0; i < 5; i++)
		assert_matches(l[i], want[i]);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logfmt_basic),
		cmocka_unit_test(test_logfmt_fixed_fields),
		cmocka_unit_test(test_logfmt_quoting),
		cmocka_unit_test(test_logfmt_keys_and_nulls),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_fixed_fields),
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_log_kv_writes_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
