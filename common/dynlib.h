/*
 * dynlib: a client library loaded when its applet starts, not when the
 * binary does.
 *
 * exporterbox is one binary for four applets. Linking libpq and librdkafka
 * the ordinary way would make every applet (node-exporter too) map them and
 * their dependencies (OpenSSL, Kerberos, LDAP, SASL, zstd ...) at start-up:
 * about 2.5 MiB of RSS each for code that applet never runs. Instead, an
 * applet's shim file defines the library's functions it uses, with the
 * library's own prototypes (so the compiler checks them against its header);
 * each forwards to the real function, found with dlopen/dlsym the first time
 * any of them is called. The applet calls dynlib_load() at start-up to fail
 * with one clear line when the library is missing.
 */
#ifndef EXPORTERBOX_DYNLIB_H
#define EXPORTERBOX_DYNLIB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct dynlib {
	const char *soname;		/* "libpq.so.5" */
	const char *const *names;	/* the symbols, in slot order */
	void **slots;			/* their addresses, once loaded */
	size_t n;
	pthread_once_t once;
	bool ok;
	_Atomic bool loaded;		/* ok, published: the calls' fast path */
	char error[256];
};

#define DYNLIB_INIT(soname_, names_, slots_, n_) \
	{ .soname = (soname_), .names = (names_), .slots = (slots_), .n = (n_), \
	  .once = PTHREAD_ONCE_INIT }

/* Loads the library and every symbol once. 0, or -1 with lib->error set. */
int dynlib_load(struct dynlib *lib);

/* Loads, then symbol i's address; aborts with the reason when it cannot. */
void *dynlib_symbol_slow(struct dynlib *lib, size_t i);

/*
 * Symbol i's address, loading first if need be. A shim called although the
 * library could not be loaded (the applet checks at start-up, so only a
 * test can get here) prints the reason and aborts: there is nothing to call.
 * Every libpq call comes through here (PQgetvalue once per cell): inline,
 * one acquire load once loaded.
 */
static inline void *dynlib_symbol(struct dynlib *lib, size_t i)
{
	if (atomic_load_explicit(&lib->loaded, memory_order_acquire))
		return lib->slots[i];
	return dynlib_symbol_slow(lib, i);
}

/*
 * Declares var as a pointer to function name (its type taken from the
 * library's header) and sets it to the loaded symbol index: the body of a
 * shim is DYNLIB_FN(...); return var(args);
 */
#define DYNLIB_FN(lib, index, name, var) \
	__typeof__(&name) var; \
	do { \
		void *addr_ = dynlib_symbol(&(lib), (index)); \
		memcpy(&var, &addr_, sizeof var); \
	} while (0)

#endif
