#include "applets.h"

/* The postgres-exporter applet lands with its own issue; until then it says so. */
int postgres_main(int argc, char **argv)
{
	return applet_not_built("postgres-exporter", argc, argv);
}
