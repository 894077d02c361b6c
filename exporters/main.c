#include "applets.h"
#include "fdcache.h"

int main(int argc, char **argv)
{
	int rc = exporterbox_main(argc, argv);

	fdcache_clear(true); /* descriptors kept for /proc and /sys reads */
	return rc;
}
