#ifndef EXPORTERBOX_LIBRDKAFKA_SHIM_H
#define EXPORTERBOX_LIBRDKAFKA_SHIM_H

/* Loads librdkafka (see librdkafka_shim.c). NULL, or why it cannot be loaded. */
const char *librdkafka_load(void);

#endif
