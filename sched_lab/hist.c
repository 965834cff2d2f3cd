// SPDX-License-Identifier: GPL-2.0
/*
 * sched_lab latency histograms (see hist.h). No locking: a CPU records
 * into its own histogram with interrupts off (the scheduler's tracepoints
 * fire under the run-queue lock), readers sum the per-CPU copies and may
 * see a sample in flight counted in one field and not yet in another.
 */

#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/seq_file.h>

#include "hist.h"

/**
 * sl_hist_index() - the bucket a value falls in
 * @ns: the value
 *
 * Values below SL_HIST_SUB have a bucket each. Above, the octave
 * [2^e, 2^(e+1)) is cut into SL_HIST_SUB equal buckets, selected by the
 * SL_HIST_SUB_BITS bits below the leading one.
 *
 * Return: an index below SL_HIST_BUCKETS.
 */
unsigned int sl_hist_index(u64 ns)
{
	unsigned int exp;

	if (ns < SL_HIST_SUB)
		return ns;
	exp = ilog2(ns);
	return (exp - SL_HIST_SUB_BITS + 1) * SL_HIST_SUB +
	       ((ns >> (exp - SL_HIST_SUB_BITS)) & (SL_HIST_SUB - 1));
}

/**
 * sl_hist_lower() - the smallest value of a bucket
 * @index: the bucket, at most SL_HIST_BUCKETS (which gives the value one
 *	past the last bucket's largest, saturated to U64_MAX)
 *
 * Return: the lower bound; bucket @index holds [lower(@index), lower(@index + 1)).
 */
u64 sl_hist_lower(unsigned int index)
{
	unsigned int exp;

	if (index < SL_HIST_SUB)
		return index;
	if (index >= SL_HIST_BUCKETS)
		return U64_MAX;
	exp = index / SL_HIST_SUB + SL_HIST_SUB_BITS - 1;
	return (u64)(SL_HIST_SUB + index % SL_HIST_SUB) << (exp - SL_HIST_SUB_BITS);
}

/**
 * sl_hist_record() - count one sample
 * @hist: the histogram, owned by the caller's CPU
 * @ns: the sample
 */
void sl_hist_record(struct sl_hist *hist, u64 ns)
{
	hist->count[sl_hist_index(ns)]++;
	hist->samples++;
	hist->sum_ns += ns;
	if (ns > hist->max_ns)
		hist->max_ns = ns;
}

/**
 * sl_hist_add() - add one histogram into another
 * @sum: the total
 * @hist: a histogram that may be written meanwhile
 */
void sl_hist_add(struct sl_hist *sum, const struct sl_hist *hist)
{
	unsigned int i;

	for (i = 0; i < SL_HIST_BUCKETS; i++)
		sum->count[i] += READ_ONCE(hist->count[i]);
	sum->samples += READ_ONCE(hist->samples);
	sum->sum_ns += READ_ONCE(hist->sum_ns);
	sum->max_ns = max(sum->max_ns, READ_ONCE(hist->max_ns));
}

/**
 * sl_hist_percentile() - a percentile, to bucket precision
 * @hist: the histogram
 * @permille: which one, in thousandths (500 is the median)
 *
 * Return: the upper bound of the bucket that holds the sample of that
 * rank, but never more than the largest sample; 0 if there are none.
 */
u64 sl_hist_percentile(const struct sl_hist *hist, unsigned int permille)
{
	u64 total = 0, rank, seen = 0;
	unsigned int i;

	for (i = 0; i < SL_HIST_BUCKETS; i++)
		total += hist->count[i];
	if (!total)
		return 0;
	/* The sample of rank ceil(total * permille / 1000), at least the first. */
	rank = max_t(u64, 1, div_u64(total * permille + 999, 1000));
	for (i = 0; i < SL_HIST_BUCKETS; i++) {
		seen += hist->count[i];
		if (seen >= rank)
			return min(sl_hist_lower(i + 1) - 1, hist->max_ns);
	}
	return hist->max_ns;
}

/**
 * sl_hist_show() - print a histogram
 * @m: where
 * @hist: a histogram that is not written meanwhile (a sum)
 *
 * A summary (samples, mean, percentiles, max, all in ns), then one line per
 * non-empty bucket: its range [low, high] in ns, its count and a bar
 * scaled to the largest count, as runqlat.bt draws them.
 */
void sl_hist_show(struct seq_file *m, const struct sl_hist *hist)
{
	u64 largest = 0;
	unsigned int i;

	seq_printf(m, "samples %llu\nmean_ns %llu\np50_ns %llu\np90_ns %llu\np99_ns %llu\nmax_ns %llu\n",
		   hist->samples,
		   hist->samples ? div64_u64(hist->sum_ns, hist->samples) : 0,
		   sl_hist_percentile(hist, 500), sl_hist_percentile(hist, 900),
		   sl_hist_percentile(hist, 990), hist->max_ns);
	for (i = 0; i < SL_HIST_BUCKETS; i++)
		largest = max(largest, hist->count[i]);
	for (i = 0; i < SL_HIST_BUCKETS; i++) {
		unsigned int bar;

		if (!hist->count[i])
			continue;
		bar = div64_u64(hist->count[i] * 40 + largest - 1, largest);
		seq_printf(m, "[%llu, %llu] %llu |%.*s%*s|\n", sl_hist_lower(i),
			   sl_hist_lower(i + 1) - 1, hist->count[i], bar,
			   "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@", 40 - bar, "");
	}
}
