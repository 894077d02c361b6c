/*
 * pg_discover: --auto-discover-databases. The databases of a target's server
 * (not templates, not the target's own, only those the role may connect to,
 * filtered by --include-databases / --exclude-databases) are listed once per
 * scrape on the target's connection; each keeps one persistent connection of
 * its own (a pg_target), reconnected when lost and closed when the database
 * is gone. The per-database collectors (pg_collect_per_database) run there.
 */
#ifndef EXPORTERBOX_PG_DISCOVER_H
#define EXPORTERBOX_PG_DISCOVER_H

#include "pg.h"

/* Discovery for target (which must outlive it); sets target->discovery. */
struct pg_discovery *pg_discovery_new(struct pg_target *target);
void pg_discovery_free(struct pg_discovery *d);

/* Whether name passes the include and exclude lists of cfg. */
bool pg_database_wanted(const struct pg_config *cfg, const char *name);

/* conninfo with its dbname replaced by dbname, quoted as libpq reads it. */
int pg_conninfo_with_dbname(const char *conninfo, const char *dbname, struct buf *out);

#endif
