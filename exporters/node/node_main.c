#include "applets.h"
#include "node.h"

/* Being written. */
int node_main(int argc, char **argv)
{
	return applet_not_built("node-exporter", argc, argv);
}
