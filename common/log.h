/*
 * log: leveled, structured logging to stderr, as logfmt (the Go exporters'
 * default) or JSON. Every call writes one line with a single write(2), so
 * lines from concurrent threads never interleave.
 *
 *   log_warn("collector failed", "collector", "cpu", "err", strerror(e));
 *
 * Arguments after the message are key/value pairs of strings. Messages start
 * lowercase and state the problem first; values are never passwords.
 */
#ifndef EXPORTERBOX_LOG_H
#define EXPORTERBOX_LOG_H

#include "buf.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_LOGFMT, LOG_JSON };

/* Returns 0, or -1 when level or format is not one of the names. */
int log_setup(const char *level, const char *format);
/* The applet name written into every line as caller=...; static storage. */
void log_set_caller(const char *caller);
int log_enabled(enum log_level level);

void log_kv(enum log_level level, const char *msg, ...);
/* Formats one line into out (used by log_kv; exposed for tests). */
void log_format_line(struct buf *out, enum log_format format, const char *ts,
		     enum log_level level, const char *caller, const char *msg,
		     const char *const *kv, size_t nkv);

#define log_debug(...) log_kv(LOG_DEBUG, __VA_ARGS__, (const char *)0)
#define log_info(...) log_kv(LOG_INFO, __VA_ARGS__, (const char *)0)
#define log_warn(...) log_kv(LOG_WARN, __VA_ARGS__, (const char *)0)
#define log_error(...) log_kv(LOG_ERROR, __VA_ARGS__, (const char *)0)

#endif
