/*
 * Fuzzes the parsers of the filefd, entropy, vmstat, pressure and diskstats
 * collectors (disk_parse.h). The first byte picks the parser, the rest is
 * the file's text. Beyond memory safety it checks what the writers rely on:
 * device and field names are whole words, a kept diskstats line has 11 to
 * 17 counters, and udev values stay within one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disk_parse.h"

static bool has_blank(const char *s)
{
	return strpbrk(s, " \t\n\v\f\r") != NULL;
}

static void fuzz_vmstat(const char *s)
{
	struct vmstat vm = VMSTAT_INIT;

	if (vmstat_parse(s, &vm) == 0) {
		for (size_t i = 0; i < vm.n; i++)
			if (!*vmstat_name(&vm, i) || has_blank(vmstat_name(&vm, i)))
				abort();
	}
	vmstat_release(&vm);
}

static void fuzz_diskstats(const char *s)
{
	struct disk_stats ds = DISK_STATS_INIT;

	if (diskstats_parse(s, &ds) == 0) {
		for (size_t i = 0; i < ds.n; i++) {
			const char *name = disk_stat_name(&ds, i);

			if (!*name || has_blank(name) || ds.v[i].nfields < 11 ||
			    ds.v[i].nfields > DISK_NFIELDS)
				abort();
		}
	}
	disk_stats_release(&ds);
}

static void fuzz_udev(const char *s)
{
	struct disk_udev u = DISK_UDEV_INIT;

	disk_udev_parse(s, &u);
	for (int k = 0; k < UDEV_NKEYS; k++)
		if (strchr(disk_udev_get(&u, (enum udev_key)k), '\n'))
			abort();
	disk_udev_release(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psi_stats psi;
	double a, m;
	uint64_t u;
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	switch (data[0] % 7) {
	case 0:
		filefd_parse(s, &a, &m);
		break;
	case 1:
		entropy_parse_value(s, &u);
		break;
	case 2:
		fuzz_vmstat(s);
		break;
	case 3:
		pressure_parse(s, &psi);
		break;
	case 4:
		fuzz_diskstats(s);
		break;
	case 5:
		fuzz_udev(s);
		break;
	case 6:
		disk_parse_float(s, strlen(s), &a);
		break;
	}
	free(s);
	return 0;
}
