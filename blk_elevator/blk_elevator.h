/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blk_elevator: what the elevator plumbing (sched.c) shares with its
 * sysfs and debugfs interface (iface.c).
 */
#ifndef BLK_ELEVATOR_H
#define BLK_ELEVATOR_H

#include <linux/blkdev.h>
#include <linux/hrtimer.h>
#include <linux/llist.h>
#include <linux/spinlock.h>

#include "policy.h"

struct blk_mq_debugfs_attr;
struct elv_fs_entry;

/**
 * struct ble_data - one queue's elevator instance (q->elevator->elevator_data).
 * @lock: protects @sched, @dispatch and the counters below; taken with
 *	interrupts off because the anticipatory elevator's completion hook
 *	and timer take it too.
 * @sched: the policy's state.
 * @staged: requests inserted but not yet sorted. Inserting only pushes
 *	onto this lockless list; the dispatcher, which holds @lock anyway,
 *	sorts them in. So insertion never waits for a dispatch in progress.
 * @dispatch: requests served before any other, in order: those inserted
 *	at the head (requeues) and those whose policy node could not be
 *	allocated.
 * @queue: the request queue.
 * @antic_timer: ends an anticipation (anticipatory elevator only).
 * @anticipatory: this instance is kl-anticipatory.
 * @alloc_failed: policy nodes that could not be allocated.
 * @bypassed: requests that went through @dispatch.
 */
struct ble_data {
	/* Protects sched, dispatch and the counters; see above. */
	spinlock_t lock;
	struct ble_sched sched;
	struct llist_head staged;
	struct list_head dispatch;
	struct request_queue *queue;
	struct hrtimer antic_timer;
	bool anticipatory;
	u64 alloc_failed;
	u64 bypassed;
};

extern struct elv_fs_entry ble_anticipatory_attrs[];
/* kl-deadline's tunables: kl-anticipatory's but antic_expire (the first). */
#define ble_deadline_attrs (&ble_anticipatory_attrs[1])
extern const struct blk_mq_debugfs_attr ble_queue_debugfs_attrs[];

#endif /* BLK_ELEVATOR_H */
