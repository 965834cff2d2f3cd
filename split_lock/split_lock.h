/* SPDX-License-Identifier: GPL-2.0 */
/*
 * split_lock: the parts of the module that meet the hardware and the
 * kernel (status.c, detector.c, meter.c), as main.c's debugfs files use them.
 */
#ifndef SPLIT_LOCK_H
#define SPLIT_LOCK_H

#include <linux/seq_file.h>

#include "core.h"

int sl_status_collect(struct sl_status *st);
void sl_status_release(struct sl_status *st);

int sl_detector_start(unsigned int table_size, bool perf_counters);
void sl_detector_stop(void);
void sl_detector_show_probes(struct seq_file *m);
void sl_detector_show_counters(struct seq_file *m);
int sl_detector_show_offenders(struct seq_file *m, unsigned int top_n);
void sl_detector_reset(void);
unsigned int sl_detector_table_size(void);

/* Limits of a cost-meter run, as written to its control file. */
#define SL_METER_ITER_MIN	1000U
#define SL_METER_ITER_MAX	10000000U
#define SL_METER_ITER_DEFAULT	20000U
#define SL_METER_MS_MIN		10U
#define SL_METER_MS_MAX		5000U
#define SL_METER_MS_DEFAULT	200U

extern bool sl_meter_in_guest;
int sl_meter_run(unsigned int iterations, unsigned int phase_ms);
void sl_meter_show(struct seq_file *m);

#endif /* SPLIT_LOCK_H */
