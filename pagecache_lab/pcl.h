/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagecache_lab's target: what target.c (the I/O paths, dm's callbacks)
 * and writeback.c (dirty pages, the flusher) share.
 */
#ifndef PAGECACHE_LAB_PCL_H
#define PAGECACHE_LAB_PCL_H

#include <linux/bio.h>
#include <linux/device-mapper.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>

#include "dirty.h"
#include "policy.h"

#define PCL_PAGE_SECTORS_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
#define PCL_PAGE_SECTORS	(PAGE_SIZE >> SECTOR_SHIFT)

/* Bits of pcl_pd.flags. */
enum pcl_pd_flag {
	PCL_PD_LOCKED,		/* someone reads, writes, fills or writes back the data */
	PCL_PD_UPTODATE,	/* the data is valid: read from the device, or written whole */
	PCL_PD_CACHED,		/* in the index; cleared when taken off */
	PCL_PD_DIRTY,		/* newer than the backing device; on the dirty list */
};

/**
 * struct pcl_pd - a cached page's descriptor
 * @pp: the policy's part: list position, index, age bits
 * @page: the data
 * @flags: &enum pcl_pd_flag bits
 * @ref: one for the cache while %PCL_PD_CACHED, one per task using it
 * @dirty: position on the target's dirty list, oldest first
 * @dirtied_when: jiffies when it became dirty
 * @dirty_seq: the target's write-back pass count when it became dirty
 */
struct pcl_pd {
	struct pcl_page pp;
	struct page *page;
	unsigned long flags;
	refcount_t ref;
	struct list_head dirty;
	unsigned long dirtied_when;
	u64 dirty_seq;
};

/**
 * enum pcl_mode - when writes reach the backing device
 * @PCL_WRITEBACK: later, by the flusher (or a flush, FUA, suspend)
 * @PCL_WRITETHROUGH: before the write completes
 */
enum pcl_mode {
	PCL_WRITEBACK,
	PCL_WRITETHROUGH,
};

/**
 * struct pcl_counters - what the target did, for dmsetup status
 * @read_hits: reads served from RAM
 * @read_misses: reads that filled a page from the backing device
 * @write_hits: writes to a cached page
 * @write_misses: writes that made a new page (read first if partial)
 * @uncached: bios sent to the backing device without a page (no memory)
 * @invalidations: pages dropped by discards and the drop_caches message
 * @read_errors: page reads from the backing device that failed
 * @write_errors: writes to the backing device that failed
 * @written_back: dirty pages written back
 * @flusher_runs: flusher wake-ups that wrote back at least one page
 * @throttled: writes that waited at the hard dirty threshold
 * @shrunk: clean pages given back to the shrinker
 */
struct pcl_counters {
	u64 read_hits;
	u64 read_misses;
	u64 write_hits;
	u64 write_misses;
	u64 uncached;
	u64 invalidations;
	u64 read_errors;
	u64 write_errors;
	u64 written_back;
	u64 flusher_runs;
	u64 throttled;
	u64 shrunk;
};

/**
 * struct pcl_target - one pagecache target
 * @ti: its dm target
 * @devt: the dm device's number, for tracepoints
 * @dev: the backing device
 * @mode: write-back or write-through
 * @lock: guards what follows it up to @wb_mutex
 * @cache: the policy, and the index of cached pages
 * @count: counters
 * @tunables: write-back tunables
 * @thresh: dirty thresholds, from @tunables and the capacity
 * @dirty_list: dirty pages, oldest first
 * @nr_dirty: pages on @dirty_list
 * @nr_writeback: pages being written back now
 * @nr_throttled: writers waiting at the hard threshold now
 * @dirty_seq: write-back passes begun, to stop a pass at pages dirtied
 *	after it began
 * @wb_err: the first write-back error since a flush last reported one
 * @laptop_deadline: laptop mode: when to write everything back
 * @laptop_armed: @laptop_deadline is set
 * @flusher_retime: bumped when the flusher's sleep must be recomputed (a
 *	new laptop deadline or tunable): it woke up with the old timeout
 * @wb_mutex: one writer-back at a time (flusher, flush, suspend, and an
 *	uncached write in write-back mode), so a flush also waits for the
 *	page the flusher is writing, and no write-back of a stale copy of a
 *	page reaches the device after an uncached write to it
 * @flusher: the flusher thread (write-back mode)
 * @flusher_wait: the flusher sleeps here
 * @throttle_wait: throttled writers sleep here
 * @wq: runs the bios that may sleep, a work item each
 * @bs: clones of uncached writes
 * @shrinker: gives clean pages back under memory pressure
 * @debugfs: its directory in debugfs while the table is active
 */
struct pcl_target {
	struct dm_target *ti;
	dev_t devt;
	struct dm_dev *dev;
	enum pcl_mode mode;

	spinlock_t lock;	/* guards the fields up to wb_mutex */
	struct pcl_cache cache;
	struct pcl_counters count;
	struct pcl_tunables tunables;
	struct pcl_dirty_thresh thresh;
	struct list_head dirty_list;
	unsigned long nr_dirty;
	unsigned long nr_writeback;
	unsigned int nr_throttled;
	u64 dirty_seq;
	int wb_err;
	unsigned long laptop_deadline;
	bool laptop_armed;
	unsigned int flusher_retime;

	struct mutex wb_mutex;	/* serialises write-back I/O */
	struct task_struct *flusher;
	wait_queue_head_t flusher_wait;
	wait_queue_head_t throttle_wait;
	struct workqueue_struct *wq;
	struct bio_set bs;
	struct shrinker *shrinker;
	struct dentry *debugfs;
};

static inline void pcl_page_lock(struct pcl_pd *pd)
{
	wait_on_bit_lock_io(&pd->flags, PCL_PD_LOCKED, TASK_UNINTERRUPTIBLE);
}

static inline void pcl_page_unlock(struct pcl_pd *pd)
{
	clear_and_wake_up_bit(PCL_PD_LOCKED, &pd->flags);
}

/* target.c */
void pcl_pd_put(struct pcl_pd *pd);
unsigned int pcl_page_bytes(struct pcl_target *pc, pgoff_t index);
int pcl_page_io(struct pcl_target *pc, struct pcl_pd *pd, blk_opf_t opf, unsigned int offset,
		unsigned int len);

/* writeback.c */
void pcl_mark_dirty(struct pcl_target *pc, struct pcl_pd *pd);
void pcl_clear_dirty(struct pcl_target *pc, struct pcl_pd *pd);
int pcl_writeback_page(struct pcl_target *pc, struct pcl_pd *pd, blk_opf_t flags);
void pcl_balance_dirty(struct pcl_target *pc);
int pcl_writeback_all(struct pcl_target *pc);
void pcl_laptop_io(struct pcl_target *pc);
void pcl_set_thresh(struct pcl_target *pc);
int pcl_flusher_start(struct pcl_target *pc);
void pcl_flusher_stop(struct pcl_target *pc);

#endif /* PAGECACHE_LAB_PCL_H */
