#include "applets.h"

int main(int argc, char **argv)
{
	return exporterbox_main(argc, argv);
}
