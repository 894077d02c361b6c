#include "applets.h"

#include <stdio.h>
#include <string.h>

/* One line per applet, sorted by name. */
const struct applet applets[] = {
	{ "kafka-lag-exporter", "kafka_exporter", kafka_lag_main, 9308,
	  "Kafka consumer lag (kafka_exporter compatible)" },
	{ "node-exporter", "node_exporter", node_main, 9100,
	  "Linux host metrics from /proc and /sys (node_exporter compatible)" },
	{ "postgres-exporter", "postgres_exporter", postgres_main, 9187,
	  "PostgreSQL metrics via libpq (postgres_exporter compatible)" },
	{ "redis-exporter", "redis_exporter", redis_main, 9121,
	  "Redis metrics via hiredis (redis_exporter compatible)" },
};

const unsigned applets_count = sizeof(applets) / sizeof(applets[0]);

const struct applet *applet_find(const char *name)
{
	for (unsigned i = 0; i < applets_count; i++)
		if (strcmp(applets[i].name, name) == 0 ||
		    strcmp(applets[i].alias, name) == 0)
			return &applets[i];
	return NULL;
}

int applet_not_built(const char *name, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s (exporterbox) version %s\n", name, EXPORTERBOX_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: %s [<flags>]\n\n%s is part of exporterbox but is not built yet.\n",
			       name, name);
			return 0;
		}
	}
	fprintf(stderr, "%s: not built yet in this version of exporterbox\n", name);
	return 2;
}

static void print_usage(FILE *out)
{
	fprintf(out,
		"exporterbox %s: Prometheus exporters in one binary.\n\n"
		"usage: exporterbox APPLET [<flags>]\n"
		"   or: APPLET [<flags>]   (exporterbox linked under the applet's name)\n"
		"       exporterbox --list | --links | --help | --version\n\n"
		"Applets:\n",
		EXPORTERBOX_VERSION);
	for (unsigned i = 0; i < applets_count; i++)
		fprintf(out, "  %-20s :%-5u %s (alias %s)\n", applets[i].name,
			applets[i].port, applets[i].summary, applets[i].alias);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/*
 * Dispatches on basename(argv[0]) as busybox does; otherwise argv[1] names
 * the applet, or is one of exporterbox's own options.
 */
int exporterbox_main(int argc, char **argv)
{
	const struct applet *a = applet_find(base_name(argc ? argv[0] : ""));

	if (a)
		return a->main(argc, argv);
	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	const char *arg = argv[1];
	if (strcmp(arg, "--list") == 0 || strcmp(arg, "--links") == 0) {
		for (unsigned i = 0; i < applets_count; i++) {
			puts(applets[i].name);
			if (strcmp(arg, "--links") == 0) /* the aliases too */
				puts(applets[i].alias);
		}
		return 0;
	}
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		print_usage(stdout);
		return 0;
	}
	if (strcmp(arg, "--version") == 0) {
		printf("exporterbox version %s\n", EXPORTERBOX_VERSION);
		return 0;
	}
	a = applet_find(arg);
	if (!a) {
		fprintf(stderr, "exporterbox: applet not found: %s (see exporterbox --list)\n", arg);
		return APPLET_NOT_FOUND;
	}
	return a->main(argc - 1, argv + 1);
}
