#ifndef EXPORTERBOX_LIBPQ_SHIM_H
#define EXPORTERBOX_LIBPQ_SHIM_H

#include <stdbool.h>

/* Loads libpq (see libpq_shim.c). NULL, or why it cannot be loaded. */
const char *libpq_load(void);
/* Whether the libpq loaded has pipeline mode (14 and later). */
bool libpq_pipeline_ok(void);

#endif
