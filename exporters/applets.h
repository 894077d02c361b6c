/*
 * The applet table: the only list of applets. Dispatch, --list, --links (the
 * names the build installs as links) and usage all read it.
 */
#ifndef EXPORTERBOX_APPLETS_H
#define EXPORTERBOX_APPLETS_H

struct applet {
	const char *name;	/* "node-exporter" */
	const char *alias;	/* upstream's name: "node_exporter" */
	int (*main)(int argc, char **argv);
	unsigned short port;	/* default listen port */
	const char *summary;
};

/* Sorted by name; a unit test checks order and uniqueness. */
extern const struct applet applets[];
extern const unsigned applets_count;

/* The applet called name or alias, or NULL. */
const struct applet *applet_find(const char *name);

/* Exit code for "not an applet", as busybox has it. */
#define APPLET_NOT_FOUND 127

int exporterbox_main(int argc, char **argv);

int kafka_lag_main(int argc, char **argv);
int node_main(int argc, char **argv);
int postgres_main(int argc, char **argv);
int redis_main(int argc, char **argv);

/* What the not-yet-built applets share: --help, --version, and a clear no. */
int applet_not_built(const char *name, int argc, char **argv);

#endif
