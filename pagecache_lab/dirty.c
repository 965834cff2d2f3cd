// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache_lab's write-back rules, after mm/page-writeback.c: the dirty
 * thresholds of domain_dirty_limits() (a background threshold at or above
 * the hard one is halved), balance_dirty_pages()'s "no background
 * write-back in laptop mode", and the flusher's expiry
 * (wb_writeback() with for_kupdate).
 */

#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "dirty.h"

static const struct {
	const char *name;
	unsigned int def;
	unsigned int min;
	unsigned int max;
} pcl_tunable_info[PCL_NR_TUNABLES] = {
	[PCL_DIRTY_EXPIRE_MS] = { "dirty_expire_ms", 30000, 0, 3600000 },
	[PCL_DIRTY_WRITEBACK_MS] = { "dirty_writeback_ms", 5000, 0, 3600000 },
	[PCL_DIRTY_BACKGROUND_RATIO] = { "dirty_background_ratio", 10, 0, 100 },
	[PCL_DIRTY_RATIO] = { "dirty_ratio", 20, 1, 100 },
	[PCL_LAPTOP_MODE] = { "laptop_mode", 0, 0, 3600 },
};

/**
 * pcl_tunables_init() - the defaults, the kernel's own
 * @t: the tunables
 */
void pcl_tunables_init(struct pcl_tunables *t)
{
	int i;

	for (i = 0; i < PCL_NR_TUNABLES; i++)
		t->val[i] = pcl_tunable_info[i].def;
}

/**
 * pcl_tunable_name() - a tunable's name, as messages and status spell it
 * @tunable: the tunable
 *
 * Return: its name, or "?" for none.
 */
const char *pcl_tunable_name(enum pcl_tunable tunable)
{
	return tunable < PCL_NR_TUNABLES ? pcl_tunable_info[tunable].name : "?";
}

/**
 * pcl_tunable_set() - set a tunable by name from a decimal string
 * @t: the tunables
 * @name: e.g. "dirty_ratio"
 * @value: a decimal number within the tunable's range
 *
 * Return: 0; -EINVAL for an unknown name, a value that is not a number or
 * is out of range, and then nothing changed.
 */
int pcl_tunable_set(struct pcl_tunables *t, const char *name, const char *value)
{
	unsigned int v;
	int i;

	for (i = 0; i < PCL_NR_TUNABLES; i++) {
		if (strcmp(name, pcl_tunable_info[i].name))
			continue;
		if (kstrtouint(value, 10, &v) || v < pcl_tunable_info[i].min ||
		    v > pcl_tunable_info[i].max)
			return -EINVAL;
		t->val[i] = v;
		return 0;
	}
	return -EINVAL;
}

/**
 * pcl_dirty_thresh() - the dirty thresholds of a cache
 * @t: the tunables
 * @capacity: pages the cache may hold
 * @thresh: set to the thresholds, in pages
 *
 * The hard threshold is at least one page; a background threshold at or
 * above it is halved, as domain_dirty_limits() does.
 */
void pcl_dirty_thresh(const struct pcl_tunables *t, unsigned long capacity,
		      struct pcl_dirty_thresh *thresh)
{
	thresh->hard = max(capacity * t->val[PCL_DIRTY_RATIO] / 100, 1UL);
	thresh->background = capacity * t->val[PCL_DIRTY_BACKGROUND_RATIO] / 100;
	if (thresh->background >= thresh->hard)
		thresh->background = thresh->hard / 2;
}

/**
 * pcl_writeback_due() - must the flusher write the oldest dirty page now?
 * @t: the tunables
 * @thresh: the cache's dirty thresholds
 * @nr_dirty: dirty pages
 * @writers_waiting: writers are throttled at the hard threshold
 * @oldest_dirtied: when the oldest dirty page was dirtied, in jiffies
 * @now: jiffies now
 *
 * Return: true while writers wait, while above the background threshold
 * (not in laptop mode, which leaves dirty data in RAM until the disk is
 * busy anyway), and while the oldest page has been dirty for
 * dirty_expire_ms.
 */
bool pcl_writeback_due(const struct pcl_tunables *t, const struct pcl_dirty_thresh *thresh,
		       unsigned long nr_dirty, bool writers_waiting, unsigned long oldest_dirtied,
		       unsigned long now)
{
	if (!nr_dirty)
		return false;
	if (writers_waiting)
		return true;
	if (!t->val[PCL_LAPTOP_MODE] && nr_dirty > thresh->background)
		return true;
	return time_after_eq(now, oldest_dirtied + msecs_to_jiffies(t->val[PCL_DIRTY_EXPIRE_MS]));
}
