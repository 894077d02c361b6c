#include "dynlib.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* pthread_once takes no argument: the library being loaded goes here. */
static __thread struct dynlib *loading;

static void load_once(void)
{
	struct dynlib *lib = loading;
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		snprintf(lib->error, sizeof lib->error, "cannot load %s: %s", lib->soname,
			 dlerror());
		return;
	}
	for (size_t i = 0; i < lib->n; i++) {
		lib->slots[i] = dlsym(handle, lib->names[i]);
		if (!lib->slots[i]) {
			snprintf(lib->error, sizeof lib->error, "%s has no symbol %s",
				 lib->soname, lib->names[i]);
			return;	/* the handle stays open: no half-loaded state to undo */
		}
	}
	lib->ok = true;
	atomic_store_explicit(&lib->loaded, true, memory_order_release);
}

int dynlib_load(struct dynlib *lib)
{
	loading = lib;
	pthread_once(&lib->once, load_once);
	return lib->ok ? 0 : -1;
}

void *dynlib_symbol_slow(struct dynlib *lib, size_t i)
{
	if (dynlib_load(lib) != 0) {
		fprintf(stderr, "exporterbox: %s\n", lib->error);
		abort();
	}
	return lib->slots[i];
}
