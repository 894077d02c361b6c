#include "applets.h"
#include "fdcache.h"
#include "http.h"

int main(int argc, char **argv)
{
	http_block_stop_signals(); /* before any applet starts a thread */
	int rc = exporterbox_main(argc, argv);

	fdcache_clear(true); /* descriptors kept for /proc and /sys reads */
	return rc;
}
