/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagecache_lab's write-back rules: the tunables, the dirty thresholds
 * they give, and when the flusher must write. No device-mapper or bio
 * code: the target applies them, KUnit checks them.
 */
#ifndef PAGECACHE_LAB_DIRTY_H
#define PAGECACHE_LAB_DIRTY_H

#include <linux/types.h>

/**
 * enum pcl_tunable - the write-back tunables, named as the kernel's
 * vm.dirty_* sysctls they mirror
 * @PCL_DIRTY_EXPIRE_MS: a page dirty for longer is written back by the
 *	next flusher run (vm.dirty_expire_centisecs)
 * @PCL_DIRTY_WRITEBACK_MS: the flusher's period; 0 turns periodic runs off
 *	(vm.dirty_writeback_centisecs)
 * @PCL_DIRTY_BACKGROUND_RATIO: percent of the cache dirty above which the
 *	flusher writes in the background (vm.dirty_background_ratio)
 * @PCL_DIRTY_RATIO: percent of the cache dirty above which writers wait
 *	(vm.dirty_ratio)
 * @PCL_LAPTOP_MODE: seconds after the backing device last read data at
 *	which every dirty page is written back; 0 is off (vm.laptop_mode)
 * @PCL_NR_TUNABLES: how many there are
 */
enum pcl_tunable {
	PCL_DIRTY_EXPIRE_MS,
	PCL_DIRTY_WRITEBACK_MS,
	PCL_DIRTY_BACKGROUND_RATIO,
	PCL_DIRTY_RATIO,
	PCL_LAPTOP_MODE,
	PCL_NR_TUNABLES,
};

/**
 * struct pcl_tunables - one target's write-back tunables
 * @val: values, by &enum pcl_tunable
 */
struct pcl_tunables {
	unsigned int val[PCL_NR_TUNABLES];
};

/**
 * struct pcl_dirty_thresh - dirty page counts that change what happens
 * @background: above it the flusher writes (unless in laptop mode)
 * @hard: at or above it writers wait for the flusher
 */
struct pcl_dirty_thresh {
	unsigned long background;
	unsigned long hard;
};

void pcl_tunables_init(struct pcl_tunables *t);
const char *pcl_tunable_name(enum pcl_tunable tunable);
int pcl_tunable_set(struct pcl_tunables *t, const char *name, const char *value);
void pcl_dirty_thresh(const struct pcl_tunables *t, unsigned long capacity,
		      struct pcl_dirty_thresh *thresh);
bool pcl_writeback_due(const struct pcl_tunables *t, const struct pcl_dirty_thresh *thresh,
		       unsigned long nr_dirty, bool writers_waiting, unsigned long oldest_dirtied,
		       unsigned long now);

#endif /* PAGECACHE_LAB_DIRTY_H */
