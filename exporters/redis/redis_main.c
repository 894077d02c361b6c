#include "applets.h"

/* The redis-exporter applet lands with its own issue; until then it says so. */
int redis_main(int argc, char **argv)
{
	return applet_not_built("redis-exporter", argc, argv);
}
