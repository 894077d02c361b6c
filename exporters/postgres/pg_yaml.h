/*
 * pg_yaml: what the two YAML readers of postgres-exporter (queries.yaml and
 * --config.file's auth_modules) share, on libyaml's document API.
 */
#ifndef EXPORTERBOX_PG_YAML_H
#define EXPORTERBOX_PG_YAML_H

#include <stddef.h>
#include <yaml.h>

#include "buf.h"

/* Reads doc into out; 0, or -1 with a one-line reason in err. */
typedef int (*pg_yaml_reader)(yaml_document_t *doc, void *out, struct buf *err);

/*
 * Parses text as one YAML document and runs read on it. A syntax error is
 * -1 with "yaml error at line N: ..." in err, on one line.
 */
int pg_yaml_read(const char *text, size_t len, pg_yaml_reader read, void *out,
		 struct buf *err);

/* A scalar node's text, or NULL for anything else (or NULL). */
const char *pg_yaml_scalar(yaml_node_t *n);

/* The value of key in a mapping node, or NULL. */
yaml_node_t *pg_yaml_lookup(yaml_document_t *doc, yaml_node_t *map, const char *key);

/* strdup that aborts when out of memory; NULL copies as "". */
char *pg_strdup(const char *s);

#endif
