/*
 * cpu_info: the cpu collector's optional /proc/cpuinfo families
 * (cpu_info.c). The cpu collector reads the file when cpu_info_enabled()
 * and writes the three parts where upstream's sorted output puts them.
 */
#ifndef EXPORTERBOX_CPU_INFO_H
#define EXPORTERBOX_CPU_INFO_H

#include <stdbool.h>

#include "expo.h"
#include "node.h"
#include "node_parse.h"

/* --collector.cpu.info, or a flags/bugs include pattern (which imply it). */
bool cpu_info_enabled(const struct node_config *cfg);

/* Reads and parses procfs/cpuinfo; 0 or a negative errno. */
int cpu_info_read(const struct node_config *cfg, struct cpu_infos *out);

/* node_cpu_bug_info / node_cpu_flag_info: only with their include pattern. */
void cpu_info_write_bugs(struct expo *w, const struct node_config *cfg,
			 const struct cpu_infos *c);
void cpu_info_write_flags(struct expo *w, const struct node_config *cfg,
			  const struct cpu_infos *c);
/* node_cpu_info: one sample per CPU. */
void cpu_info_write_info(struct expo *w, const struct cpu_infos *c);

#endif
