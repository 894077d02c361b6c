/*
 * timex: the kernel's clock discipline state from adjtimex(2), as
 * node_exporter 1.5's timex collector reports it.
 */
#include <errno.h>
#include <string.h>
#include <sys/timex.h>

#include "misc_parse.h"
#include "node.h"

/* adjtimex(2) NOTES: frequencies are ppm with a 16-bit binary fraction. */
#define PPM16FRAC (1000000.0 * 65536.0)
#define MICRO 1e6
#define NANO 1e9

#define DESC(var, suffix, kind, text)				\
	[var] = {						\
		.name = "node_timex_" suffix,			\
		.help = text,					\
		.type = kind,					\
	}

/* Indexed by enum timex_metric: the order upstream's output sorts them. */
static const struct metric_desc timex_descs[TIMEX_NMETRICS] = {
	DESC(TIMEX_ESTIMATED_ERROR, "estimated_error_seconds", METRIC_GAUGE,
	     "Estimated error in seconds."),
	DESC(TIMEX_FREQUENCY_ADJUSTMENT, "frequency_adjustment_ratio",
	     METRIC_GAUGE, "Local clock frequency adjustment."),
	DESC(TIMEX_LOOP_CONSTANT, "loop_time_constant", METRIC_GAUGE,
	     "Phase-locked loop time constant."),
	DESC(TIMEX_MAXERROR, "maxerror_seconds", METRIC_GAUGE,
	     "Maximum error in seconds."),
	DESC(TIMEX_OFFSET, "offset_seconds", METRIC_GAUGE,
	     "Time offset in between local system and reference clock."),
	DESC(TIMEX_PPS_CALIBRATION, "pps_calibration_total", METRIC_COUNTER,
	     "Pulse per second count of calibration intervals."),
	DESC(TIMEX_PPS_ERROR, "pps_error_total", METRIC_COUNTER,
	     "Pulse per second count of calibration errors."),
	DESC(TIMEX_PPS_FREQUENCY, "pps_frequency_hertz", METRIC_GAUGE,
	     "Pulse per second frequency."),
	DESC(TIMEX_PPS_JITTER, "pps_jitter_seconds", METRIC_GAUGE,
	     "Pulse per second jitter."),
	DESC(TIMEX_PPS_JITTER_TOTAL, "pps_jitter_total", METRIC_COUNTER,
	     "Pulse per second count of jitter limit exceeded events."),
	DESC(TIMEX_PPS_SHIFT, "pps_shift_seconds", METRIC_GAUGE,
	     "Pulse per second interval duration."),
	DESC(TIMEX_PPS_STABILITY_EXCEEDED, "pps_stability_exceeded_total",
	     METRIC_COUNTER,
	     "Pulse per second count of stability limit exceeded events."),
	DESC(TIMEX_PPS_STABILITY, "pps_stability_hertz", METRIC_GAUGE,
	     "Pulse per second stability, average of recent frequency changes."),
	DESC(TIMEX_STATUS, "status", METRIC_GAUGE,
	     "Value of the status array bits."),
	DESC(TIMEX_SYNC_STATUS, "sync_status", METRIC_GAUGE,
	     "Is clock synchronized to a reliable server (1 = yes, 0 = no)."),
	DESC(TIMEX_TAI_OFFSET, "tai_offset_seconds", METRIC_GAUGE,
	     "International Atomic Time (TAI) offset."),
	DESC(TIMEX_TICK, "tick_seconds", METRIC_GAUGE,
	     "Seconds between clock ticks."),
};

void timex_convert(int state, const struct timex *t,
		   double out[TIMEX_NMETRICS])
{
	/* STA_NANO: offset and jitter are in ns rather than us. */
	double div = (t->status & STA_NANO) ? NANO : MICRO;

	out[TIMEX_SYNC_STATUS] = state == TIME_ERROR ? 0 : 1;
	out[TIMEX_OFFSET] = (double)t->offset / div;
	out[TIMEX_FREQUENCY_ADJUSTMENT] = 1 + (double)t->freq / PPM16FRAC;
	out[TIMEX_MAXERROR] = (double)t->maxerror / MICRO;
	out[TIMEX_ESTIMATED_ERROR] = (double)t->esterror / MICRO;
	out[TIMEX_STATUS] = t->status;
	out[TIMEX_LOOP_CONSTANT] = (double)t->constant;
	out[TIMEX_TICK] = (double)t->tick / MICRO;
	out[TIMEX_PPS_FREQUENCY] = (double)t->ppsfreq / PPM16FRAC;
	out[TIMEX_PPS_JITTER] = (double)t->jitter / div;
	/* Upstream reports the shift (log2 of seconds) as it comes. */
	out[TIMEX_PPS_SHIFT] = t->shift;
	out[TIMEX_PPS_STABILITY] = (double)t->stabil / PPM16FRAC;
	out[TIMEX_PPS_JITTER_TOTAL] = (double)t->jitcnt;
	out[TIMEX_PPS_CALIBRATION] = (double)t->calcnt;
	out[TIMEX_PPS_ERROR] = (double)t->errcnt;
	out[TIMEX_PPS_STABILITY_EXCEEDED] = (double)t->stbcnt;
	out[TIMEX_TAI_OFFSET] = t->tai;
}

/*
 * Reads the state without changing it (modes 0). EPERM (a seccomp profile
 * may forbid the call) is upstream's ErrNoData: failed, but quietly.
 */
static int timex_collect(const struct collect_ctx *ctx, struct expo *w)
{
	struct timex t;
	double v[TIMEX_NMETRICS];
	int state;

	(void)ctx;
	memset(&t, 0, sizeof(t));
	state = adjtimex(&t);
	if (state < 0)
		return errno == EPERM ? -ENODATA : -errno;
	timex_convert(state, &t, v);
	for (int i = 0; i < TIMEX_NMETRICS; i++) {
		expo_family(w, &timex_descs[i]);
		expo_value(w, v[i]);
	}
	return 0;
}

const struct collector timex_collector = {
	.name = "timex",
	.enabled_by_default = true,
	.collect = timex_collect,
};
