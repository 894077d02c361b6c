#include "pg_yaml.h"

#include <stdlib.h>
#include <string.h>

#include "pg.h"

int pg_yaml_read(const char *text, size_t len, pg_yaml_reader read, void *out,
		 struct buf *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		buf_addf(err, "yaml error at line %lu: ", (unsigned long)parser.problem_mark.line + 1);
		pg_add_printable(err, parser.problem ? parser.problem : "malformed");
		yaml_parser_delete(&parser);
		return -1;
	}
	int rc = read(&doc, out, err);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

const char *pg_yaml_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *pg_yaml_lookup(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = pg_yaml_scalar(yaml_document_get_node(doc, p->key));
		if (k && !strcmp(k, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

char *pg_strdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}
