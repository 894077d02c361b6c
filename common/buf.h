/*
 * buf: a growable byte buffer.
 *
 * Invariants: after any call, `data` is either NULL (nothing ever added) or
 * NUL-terminated at `len`, and `len < cap`. Appends cannot fail: on
 * out-of-memory the process aborts, because an exporter that cannot allocate
 * a few kilobytes has nothing useful left to do.
 *
 * Ownership is in the function name: buf_release() frees the memory,
 * buf_detach() hands it to the caller, who then frees it with free().
 */
#ifndef EXPORTERBOX_BUF_H
#define EXPORTERBOX_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_grow(struct buf *b, size_t extra);

/*
 * The appends are inline: the exposition writer makes tens of thousands
 * per scrape, nearly all of which fit in the room already there.
 */
static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	if (n >= b->cap - b->len) /* also the empty buffer: cap == len == 0 */
		buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void buf_addc(struct buf *b, char c)
{
	if (b->cap - b->len < 2)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Shortens the buffer to len (no-op when len >= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* The contents as a C string; "" for a buffer that never held data. */
const char *buf_cstr(const struct buf *b);
/* Hands the memory to the caller (never NULL) and resets b to empty. */
char *buf_detach(struct buf *b, size_t *len);
void buf_release(struct buf *b);

#endif
