/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_lab latency histograms: log2 buckets, each split into
 * SL_HIST_SUB linear sub-buckets, over nanoseconds. runqlat.bt has one
 * bucket per power of two (of microseconds); eight sub-buckets give every
 * value to within 12.5 %.
 */
#ifndef SCHED_LAB_HIST_H
#define SCHED_LAB_HIST_H

#include <linux/bits.h>
#include <linux/types.h>

struct seq_file;

#define SL_HIST_SUB_BITS	3
#define SL_HIST_SUB		BIT(SL_HIST_SUB_BITS)
/* Values below SL_HIST_SUB, then (64 - SUB_BITS) octaves of SUB buckets. */
#define SL_HIST_BUCKETS		((64 - SL_HIST_SUB_BITS + 1) * SL_HIST_SUB)

/**
 * struct sl_hist - a latency histogram
 * @count: samples per bucket (see sl_hist_index())
 * @samples: samples in all buckets
 * @sum_ns: sum of the samples
 * @max_ns: largest sample
 *
 * One per CPU is written by that CPU only; readers add them up into
 * another with sl_hist_add().
 */
struct sl_hist {
	u64 count[SL_HIST_BUCKETS];
	u64 samples;
	u64 sum_ns;
	u64 max_ns;
};

unsigned int sl_hist_index(u64 ns);
u64 sl_hist_lower(unsigned int index);
void sl_hist_record(struct sl_hist *hist, u64 ns);
void sl_hist_add(struct sl_hist *sum, const struct sl_hist *hist);
u64 sl_hist_percentile(const struct sl_hist *hist, unsigned int permille);
void sl_hist_show(struct seq_file *m, const struct sl_hist *hist);

#endif /* SCHED_LAB_HIST_H */
