#include "applets.h"

/* The kafka-lag-exporter applet lands with its own issue; until then it says so. */
int kafka_lag_main(int argc, char **argv)
{
	return applet_not_built("kafka-lag-exporter", argc, argv);
}
