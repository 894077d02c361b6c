#ifndef EXPORTERBOX_LIBPQ_SHIM_H
#define EXPORTERBOX_LIBPQ_SHIM_H

/* Loads libpq (see libpq_shim.c). NULL, or why it cannot be loaded. */
const char *libpq_load(void);

#endif
