// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache_lab's write-back: dirty pages, the flusher thread, throttled
 * writers, flushes.
 *
 * In write-back mode a write dirties its page and completes. Dirty pages
 * sit on the target's dirty list in the order they became dirty (a page
 * dirtied again keeps its place, as an inode keeps dirtied_when). The
 * flusher, a kthread per target, wakes every dirty_writeback_ms and when
 * a writer pushes the dirty count over the background threshold; it
 * writes back the oldest pages while pcl_writeback_due() says so (dirty
 * for dirty_expire_ms, above the background threshold, writers waiting).
 * A writer that finds the count at the hard threshold waits, as in
 * balance_dirty_pages(). In laptop mode the flusher leaves background
 * write-back alone and instead writes everything back laptop_mode
 * seconds after the backing device last read data for a miss: the disk
 * is spinning then anyway.
 *
 * A page is written back whole, under its lock. If the write fails the
 * page stays dirty (at the tail, dirtied now) and the error is kept for
 * the next flush to report, the way a failed write-back reaches fsync():
 * data that is not on the device is never marked clean.
 */

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "pcl.h"
#include "trace.h"

/* Put a page on the dirty list. Called with pc->lock held. */
static void pcl_dirty_add(struct pcl_target *pc, struct pcl_pd *pd)
{
	lockdep_assert_held(&pc->lock);
	pd->dirtied_when = jiffies;
	pd->dirty_seq = pc->dirty_seq;
	list_add_tail(&pd->dirty, &pc->dirty_list);
	pc->nr_dirty++;
}

/**
 * pcl_mark_dirty() - a write made a page newer than the device
 * @pc: the target
 * @pd: the page, locked by the caller
 *
 * Wakes the flusher when the dirty count passes the background threshold.
 */
void pcl_mark_dirty(struct pcl_target *pc, struct pcl_pd *pd)
{
	bool wake;

	if (test_and_set_bit(PCL_PD_DIRTY, &pd->flags))
		return;
	spin_lock(&pc->lock);
	pcl_dirty_add(pc, pd);
	wake = pc->nr_dirty > pc->thresh.background;
	spin_unlock(&pc->lock);
	if (wake)
		wake_up(&pc->flusher_wait);
}

/**
 * pcl_clear_dirty() - forget a page's dirty data: a discard covered it all
 * @pc: the target
 * @pd: the page, locked by the caller
 *
 * Called with pc->lock held.
 */
void pcl_clear_dirty(struct pcl_target *pc, struct pcl_pd *pd)
{
	lockdep_assert_held(&pc->lock);
	if (!test_and_clear_bit(PCL_PD_DIRTY, &pd->flags))
		return;
	list_del_init(&pd->dirty);
	pc->nr_dirty--;
	wake_up_all(&pc->throttle_wait);
}

/*
 * Write a dirty page back and wait, with wb_mutex and the page lock held.
 * Return: 0 if written, 1 if it was clean already, or the error, and then
 * the page stays dirty.
 */
static int pcl_write_dirty_page(struct pcl_target *pc, struct pcl_pd *pd, blk_opf_t flags)
{
	u64 start;
	int err;

	lockdep_assert_held(&pc->wb_mutex);
	spin_lock(&pc->lock);
	if (!test_bit(PCL_PD_CACHED, &pd->flags) ||
	    !test_and_clear_bit(PCL_PD_DIRTY, &pd->flags)) {
		spin_unlock(&pc->lock);
		return 1;
	}
	list_del_init(&pd->dirty);
	pc->nr_dirty--;
	pc->nr_writeback++;
	spin_unlock(&pc->lock);

	start = ktime_get_ns();
	err = pcl_page_io(pc, pd, REQ_OP_WRITE | flags, 0, pcl_page_bytes(pc, pd->pp.index));
	trace_pagecache_lab_writeback(pc->devt, pd->pp.index, ktime_get_ns() - start, err);

	spin_lock(&pc->lock);
	pc->nr_writeback--;
	if (err) {
		set_bit(PCL_PD_DIRTY, &pd->flags);
		pcl_dirty_add(pc, pd);
		pc->count.write_errors++;
		if (!pc->wb_err)
			pc->wb_err = err;
	} else {
		pc->count.written_back++;
	}
	spin_unlock(&pc->lock);
	wake_up_all(&pc->throttle_wait);
	return err;
}

/* Lock a page the caller holds a reference on, write it back, drop both. */
static int pcl_writeback_one(struct pcl_target *pc, struct pcl_pd *pd, blk_opf_t flags)
{
	int err;

	pcl_page_lock(pd);
	err = pcl_write_dirty_page(pc, pd, flags);
	pcl_page_unlock(pd);
	pcl_pd_put(pd);
	return err;
}

/**
 * pcl_writeback_page() - write one page back now, if it is dirty
 * @pc: the target
 * @pd: the page, not locked; the caller's reference is dropped
 * @flags: request flags for the write (REQ_FUA for a FUA write)
 *
 * All write-back I/O runs under wb_mutex, so that a flush also waits for
 * a page someone else is writing back.
 *
 * Return: 0 if written, 1 if it was clean already (written back by
 * someone else, or dropped), or the error, and the page stays dirty.
 */
int pcl_writeback_page(struct pcl_target *pc, struct pcl_pd *pd, blk_opf_t flags)
{
	int err;

	mutex_lock(&pc->wb_mutex);
	err = pcl_writeback_one(pc, pd, flags);
	mutex_unlock(&pc->wb_mutex);
	return err;
}

/* The oldest dirty page, with a reference; NULL if none. pc->lock held. */
static struct pcl_pd *pcl_oldest_dirty(struct pcl_target *pc)
{
	struct pcl_pd *pd = list_first_entry_or_null(&pc->dirty_list, struct pcl_pd, dirty);

	if (pd)
		refcount_inc(&pd->ref);
	return pd;
}

/*
 * Write back every page dirtied before this call, with wb_mutex held.
 * Return: the first write-back error since the last one reported, which
 * is reported now (0 if none).
 */
static int __pcl_writeback_all(struct pcl_target *pc)
{
	struct pcl_pd *pd;
	u64 seq;
	int err;

	lockdep_assert_held(&pc->wb_mutex);
	spin_lock(&pc->lock);
	seq = ++pc->dirty_seq;
	for (;;) {
		pd = list_first_entry_or_null(&pc->dirty_list, struct pcl_pd, dirty);
		/* Dirtied since the pass began, or failed and re-dirtied in it. */
		if (!pd || pd->dirty_seq >= seq)
			break;
		refcount_inc(&pd->ref);
		spin_unlock(&pc->lock);
		pcl_writeback_one(pc, pd, 0);
		spin_lock(&pc->lock);
	}
	err = pc->wb_err;
	pc->wb_err = 0;
	spin_unlock(&pc->lock);
	return err;
}

/**
 * pcl_writeback_all() - write back every page dirty now, and wait
 * @pc: the target
 *
 * For a flush, the flush message and suspend. Waits for a page the
 * flusher is writing back too (wb_mutex).
 *
 * Return: 0, or the first write-back error since the last flush that
 * reported one (any page that failed is still dirty).
 */
int pcl_writeback_all(struct pcl_target *pc)
{
	int err;

	mutex_lock(&pc->wb_mutex);
	err = __pcl_writeback_all(pc);
	mutex_unlock(&pc->wb_mutex);
	return err;
}

/**
 * pcl_balance_dirty() - wait while the dirty count is at the hard threshold
 * @pc: the target
 *
 * The flusher is woken to write. A writer waits in steps of 200 ms, like
 * balance_dirty_pages()'s longest pause, and gives up waiting when
 * write-back is failing (the device would keep it waiting for ever).
 */
void pcl_balance_dirty(struct pcl_target *pc)
{
	spin_lock(&pc->lock);
	if (pc->nr_dirty < pc->thresh.hard) {
		spin_unlock(&pc->lock);
		return;
	}
	pc->count.throttled++;
	pc->nr_throttled++;
	while (pc->nr_dirty >= pc->thresh.hard && !pc->wb_err) {
		spin_unlock(&pc->lock);
		wake_up(&pc->flusher_wait);
		wait_event_timeout(pc->throttle_wait,
				   READ_ONCE(pc->nr_dirty) < READ_ONCE(pc->thresh.hard), HZ / 5);
		spin_lock(&pc->lock);
	}
	pc->nr_throttled--;
	spin_unlock(&pc->lock);
}

/**
 * pcl_laptop_io() - the backing device read data: in laptop mode, write
 * everything back laptop_mode seconds from now
 * @pc: the target
 */
void pcl_laptop_io(struct pcl_target *pc)
{
	unsigned int secs;
	bool wake;

	if (pc->mode != PCL_WRITEBACK)
		return;
	spin_lock(&pc->lock);
	secs = pc->tunables.val[PCL_LAPTOP_MODE];
	if (!secs) {
		spin_unlock(&pc->lock);
		return;
	}
	/*
	 * A deadline only moves later: a flusher asleep until the old one
	 * wakes then, finds nothing due and sleeps again until the new one.
	 * Only a first deadline must cut its sleep short.
	 */
	wake = !pc->laptop_armed;
	if (wake)
		pc->flusher_retime++;
	pc->laptop_deadline = jiffies + secs * HZ;
	pc->laptop_armed = true;
	spin_unlock(&pc->lock);
	if (wake)
		wake_up(&pc->flusher_wait);	/* to sleep until the deadline */
}

/**
 * pcl_set_thresh() - recompute the dirty thresholds after a tunable changed
 * @pc: the target; pc->lock held
 */
void pcl_set_thresh(struct pcl_target *pc)
{
	lockdep_assert_held(&pc->lock);
	pcl_dirty_thresh(&pc->tunables, pc->cache.capacity, &pc->thresh);
	/* Laptop mode turned off: no deadline left to write everything at. */
	if (!pc->tunables.val[PCL_LAPTOP_MODE])
		pc->laptop_armed = false;
	pc->flusher_retime++;	/* dirty_writeback_ms or laptop_mode may have changed */
	wake_up_all(&pc->throttle_wait);
	wake_up(&pc->flusher_wait);
}

/* Must the flusher write the oldest page now? pc->lock held. */
static bool pcl_flusher_due_locked(struct pcl_target *pc)
{
	struct pcl_pd *oldest = list_first_entry_or_null(&pc->dirty_list, struct pcl_pd, dirty);

	if (!oldest)
		return false;
	return pcl_writeback_due(&pc->tunables, &pc->thresh, pc->nr_dirty, pc->nr_throttled,
				 oldest->dirtied_when, jiffies);
}

static bool pcl_laptop_due_locked(struct pcl_target *pc)
{
	return pc->laptop_armed && time_after_eq(jiffies, pc->laptop_deadline);
}

/*
 * Must the flusher wake: work is due, or its timeout, computed when its
 * sleep began (@retime), is out of date?
 */
static bool pcl_flusher_wake(struct pcl_target *pc, unsigned int retime)
{
	bool wake;

	spin_lock(&pc->lock);
	wake = pcl_laptop_due_locked(pc) || pcl_flusher_due_locked(pc) ||
	       pc->flusher_retime != retime;
	spin_unlock(&pc->lock);
	return wake;
}

/*
 * How long the flusher sleeps: its period, or until the laptop deadline;
 * @retime gets the count that says when this stops being true.
 */
static long pcl_flusher_timeout(struct pcl_target *pc, unsigned int *retime)
{
	unsigned int period;
	long timeout;

	/* The period and the count together: a tunable sets both under the lock. */
	spin_lock(&pc->lock);
	period = pc->tunables.val[PCL_DIRTY_WRITEBACK_MS];
	timeout = period ? msecs_to_jiffies(period) : MAX_SCHEDULE_TIMEOUT;
	if (pc->laptop_armed)
		timeout = min_t(long, timeout, max_t(long, pc->laptop_deadline - jiffies, 1));
	*retime = pc->flusher_retime;
	spin_unlock(&pc->lock);
	return timeout;
}

/* One flusher run: everything at a laptop deadline, else what is due. */
static void pcl_flusher_run(struct pcl_target *pc)
{
	unsigned long written = 0;
	struct pcl_pd *pd;
	bool all;
	int err;

	mutex_lock(&pc->wb_mutex);
	spin_lock(&pc->lock);
	all = pcl_laptop_due_locked(pc);
	if (all)
		pc->laptop_armed = false;
	spin_unlock(&pc->lock);
	if (all) {
		written = READ_ONCE(pc->nr_dirty);
		err = __pcl_writeback_all(pc);
		/* The error stays for the next flush to report. */
		spin_lock(&pc->lock);
		if (err && !pc->wb_err)
			pc->wb_err = err;
		spin_unlock(&pc->lock);
	} else {
		for (;;) {
			spin_lock(&pc->lock);
			pd = pcl_flusher_due_locked(pc) ? pcl_oldest_dirty(pc) : NULL;
			spin_unlock(&pc->lock);
			/* A failure ends the run: the device is not taking writes. */
			if (!pd || pcl_writeback_one(pc, pd, 0) < 0)
				break;
			written++;
		}
	}
	if (written) {
		spin_lock(&pc->lock);
		pc->count.flusher_runs++;
		spin_unlock(&pc->lock);
	}
	mutex_unlock(&pc->wb_mutex);
}

static int pcl_flusher_fn(void *data)
{
	struct pcl_target *pc = data;

	while (!kthread_should_stop()) {
		unsigned int retime;
		long timeout = pcl_flusher_timeout(pc, &retime);

		/*
		 * A wake-up that finds nothing due goes on with the timeout
		 * it began with: a new laptop deadline must end the sleep,
		 * else, with no period (dirty_writeback_ms 0), it never does.
		 */
		wait_event_idle_timeout(pc->flusher_wait,
					kthread_should_stop() || pcl_flusher_wake(pc, retime),
					timeout);
		if (!kthread_should_stop())
			pcl_flusher_run(pc);
	}
	return 0;
}

/**
 * pcl_flusher_start() - start the target's flusher thread
 * @pc: the target
 *
 * Return: 0, or the error from kthread_run().
 */
int pcl_flusher_start(struct pcl_target *pc)
{
	struct mapped_device *md = dm_table_get_md(pc->ti->table);
	struct task_struct *task;

	task = kthread_run(pcl_flusher_fn, pc, "pcl_flush/%s", dm_device_name(md));
	if (IS_ERR(task))
		return PTR_ERR(task);
	pc->flusher = task;
	return 0;
}

/**
 * pcl_flusher_stop() - stop the flusher thread, if it runs
 * @pc: the target
 */
void pcl_flusher_stop(struct pcl_target *pc)
{
	if (pc->flusher)
		kthread_stop(pc->flusher);
	pc->flusher = NULL;
}
