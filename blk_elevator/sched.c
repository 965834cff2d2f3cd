// SPDX-License-Identifier: GPL-2.0
/*
 * blk_elevator: the kl-deadline and kl-anticipatory blk-mq I/O schedulers.
 * This file is the plumbing between blk-mq's elevator hooks and the policy
 * in policy.c; Documentation/blk_elevator.rst describes both.
 *
 * Each queued request gets a policy node (struct ble_item) from a slab
 * cache when it is inserted; the node holds what the policy needs and the
 * request is reached back through it. A request whose node cannot be
 * allocated (the insert path may not sleep) is served in arrival order
 * from the dispatch list instead: nothing is lost, it is only not sorted.
 *
 * Copyright (C) 2026 kernlabs
 */

#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/iocontext.h>
#include <linux/ioprio.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <trace/events/block.h>

/* The block layer's private headers, from the matching kernel source. */
#include "elevator.h"
#include "blk.h"
#include "blk-mq.h"
#include "blk-mq-debugfs.h"
#include "blk-mq-sched.h"

#include "blk_elevator.h"
#include "compat.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * struct ble_item - a queued request's policy node.
 * @prq: what the policy sees.
 * @stage_node: in ble_data.staged until the dispatcher sorts it in.
 * @rq: the request.
 * @queued: @prq is in the policy's trees (not merely staged).
 */
struct ble_item {
	struct ble_rq prq;
	struct llist_node stage_node;
	struct request *rq;
	bool queued;
};

/* kl-anticipatory's per-process state, one per (io_context, queue). */
struct ble_icq {
	struct io_cq icq;	/* first: the block layer allocates and frees it */
	struct ble_owner owner;
};

static struct kmem_cache *ble_item_cache;
static struct elevator_type ble_anticipatory;

static struct ble_data *ble_data_of(struct request_queue *q)
{
	return q->elevator->elevator_data;
}

static struct ble_item *ble_item_of(struct request *rq)
{
	return rq->elv.priv[0];
}

static dev_t ble_devt(struct request_queue *q)
{
	return q->disk ? disk_devt(q->disk) : 0;
}

static enum ble_prio ble_prio_of(u16 ioprio)
{
	switch (IOPRIO_PRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		return BLE_PRIO_RT;
	case IOPRIO_CLASS_IDLE:
		return BLE_PRIO_IDLE;
	default:		/* none and best effort */
		return BLE_PRIO_BE;
	}
}

static struct ble_owner *ble_owner_of(struct request *rq)
{
	struct io_cq *icq;

	if (rq->q->elevator->type != &ble_anticipatory || !compat_rq_prepared(rq))
		return NULL;
	icq = rq->elv.icq;
	return icq ? &container_of(icq, struct ble_icq, icq)->owner : NULL;
}

static void ble_trace_antic(struct ble_data *bd, enum ble_antic_event event,
			    const struct ble_owner *owner)
{
	if (event != BLE_ANTIC_NONE)
		trace_blk_elevator_antic(ble_devt(bd->queue), event,
					 owner ? owner->pid : 0, bd->sched.antic_end);
}

static void ble_arm_antic_timer(struct ble_data *bd)
{
	hrtimer_start(&bd->antic_timer, ns_to_ktime(bd->sched.antic_deadline_ns),
		      HRTIMER_MODE_ABS);
}

static enum hrtimer_restart ble_antic_timer_fn(struct hrtimer *timer)
{
	struct ble_data *bd = container_of(timer, struct ble_data, antic_timer);
	enum ble_antic_event event;
	unsigned long flags;

	spin_lock_irqsave(&bd->lock, flags);
	event = ble_antic_timer(&bd->sched, ktime_get_ns());
	spin_unlock_irqrestore(&bd->lock, flags);
	if (event != BLE_ANTIC_NONE) {
		ble_trace_antic(bd, event, NULL);
		/* has_work() said no while the queue was held: run it now. */
		blk_mq_run_hw_queues(bd->queue, true);
	}
	return HRTIMER_NORESTART;
}

/*
 * Unlike mq-deadline, whose async_depth defaults to nr_requests (no
 * reservation), keep a quarter of the tags for synchronous reads: a
 * streaming writer can then never make a reader wait for a tag.
 */
static unsigned int ble_default_async_depth(struct request_queue *q)
{
	return max(1U, 3 * q->nr_requests / 4);
}

/*
 * Called when nr_requests changes (and, on Linux 6.19 and later, when
 * /sys/block/DEV/queue/async_depth is written), with the queue frozen.
 * Before 6.19 the elevator's async_depth starts again from its default;
 * since, blk-mq has scaled the queue's, which is the one in use.
 */
static void ble_depth_updated(compat_depth_updated_arg_t arg)
{
	struct request_queue *q = compat_depth_updated_queue(arg);

	WRITE_ONCE(ble_data_of(q)->sched.tun.async_depth, ble_default_async_depth(q));
	compat_min_shallow_depth(arg, 1);
}

static int ble_init_sched(struct request_queue *q, compat_init_sched_arg_t arg)
{
	struct elevator_type *e = compat_elevator_type(arg);
	struct elevator_queue *eq;
	struct ble_data *bd;

	if (blk_queue_is_zoned(q)) {
		pr_warn("%s: %s is a zoned block device; %s does not order zoned writes\n",
			e->elevator_name, q->disk ? q->disk->disk_name : "?",
			e->elevator_name);
		return -EINVAL;
	}

	eq = compat_elevator_alloc(q, arg);
	if (!eq)
		return -ENOMEM;
	bd = kzalloc_node(sizeof(*bd), GFP_KERNEL, q->node);
	if (!bd) {
		compat_elevator_free(eq);
		return -ENOMEM;
	}
	spin_lock_init(&bd->lock);
	bd->anticipatory = e == &ble_anticipatory;
	ble_sched_init(&bd->sched, bd->anticipatory ? &ble_anticipatory_defaults :
						      &ble_deadline_defaults);
	init_llist_head(&bd->staged);
	INIT_LIST_HEAD(&bd->dispatch);
	bd->queue = q;
	hrtimer_setup(&bd->antic_timer, ble_antic_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	eq->elevator_data = bd;

	/* One policy per queue, as mq-deadline: dispatch queue-wide. */
	blk_queue_flag_set(QUEUE_FLAG_SQ_SCHED, q);
	q->elevator = eq;
	compat_set_queue_async_depth(q, ble_default_async_depth(q));
#ifdef COMPAT_DEPTH_UPDATED_PER_QUEUE
	ble_depth_updated(q);
#endif
	return 0;
}

static void ble_limit_depth(blk_opf_t opf, struct blk_mq_alloc_data *data)
{
	struct ble_data *bd = ble_data_of(data->q);

	/* Synchronous reads may take every tag; the rest async_depth of them. */
	if (op_is_sync(opf) && !op_is_write(opf))
		return;
	data->shallow_depth =
		compat_shallow_depth(&compat_alloc_hctx(opf, data)->sched_tags->bitmap_tags,
				     compat_queue_async_depth(data->q,
							      READ_ONCE(bd->sched.tun.async_depth)),
				     data->q->nr_requests);
}

#ifndef COMPAT_DEPTH_UPDATED_PER_QUEUE
static int ble_init_hctx(struct blk_mq_hw_ctx *hctx, unsigned int hctx_idx)
{
	ble_depth_updated(hctx);
	return 0;
}
#endif

static void ble_exit_sched(struct elevator_queue *e)
{
	struct ble_data *bd = e->elevator_data;

	/* The queue is frozen: no request is queued, none will complete. */
	hrtimer_cancel(&bd->antic_timer);
	WARN_ON_ONCE(bd->sched.nr_queued || !llist_empty(&bd->staged) ||
		     !list_empty(&bd->dispatch));
	kfree(bd);
}

static void ble_prepare_request(struct request *rq)
{
	/* The process's state for this queue; NULL if it cannot be had. */
	rq->elv.icq = ioc_find_get_icq(rq->q);
	rq->elv.priv[0] = NULL;
}

static void ble_finish_request(struct request *rq)
{
	/* Drop the io_context reference ioc_find_get_icq() took. */
	if (rq->elv.icq) {
		put_io_context(rq->elv.icq->ioc);
		rq->elv.icq = NULL;
	}
}

/*
 * Linux 6.12's elv_register() insists on a finish_request hook; kl-deadline
 * keeps nothing of a request once it is dispatched.
 */
static void ble_deadline_finish_request(struct request *rq)
{
}

static void ble_init_icq(struct io_cq *icq)
{
	ble_owner_init(&container_of(icq, struct ble_icq, icq)->owner,
		       task_pid_nr(current));
}

/* Take a request the policy dispatched or merged away out of the hash. */
static void ble_forget(struct request_queue *q, struct request *rq)
{
	elv_rqhash_del(q, rq);
	if (q->last_merge == rq)
		q->last_merge = NULL;
}

static void ble_insert_requests(struct blk_mq_hw_ctx *hctx, struct list_head *list,
				compat_insert_flags_t flags)
{
	struct request_queue *q = hctx->queue;
	struct ble_data *bd = ble_data_of(q);
	bool at_head = compat_insert_at_head(flags);

	while (!list_empty(list)) {
		struct request *rq = list_first_entry(list, struct request, queuelist);
		struct ble_item *item = NULL;

		list_del_init(&rq->queuelist);
		trace_block_rq_insert(rq);
		if (!at_head && !blk_rq_is_passthrough(rq))
			item = kmem_cache_alloc(ble_item_cache, GFP_NOWAIT | __GFP_NOWARN);
		rq->elv.priv[0] = item;
		if (!item) {
			spin_lock_irq(&bd->lock);
			if (at_head)
				list_add(&rq->queuelist, &bd->dispatch);
			else
				list_add_tail(&rq->queuelist, &bd->dispatch);
			bd->alloc_failed += !at_head && !blk_rq_is_passthrough(rq);
			bd->bypassed++;
			spin_unlock_irq(&bd->lock);
			continue;
		}
		item->rq = rq;
		item->queued = false;
		item->prq.pos = blk_rq_pos(rq);
		item->prq.sectors = blk_rq_sectors(rq);
		item->prq.dir = rq_data_dir(rq) == WRITE ? BLE_WRITE : BLE_READ;
		item->prq.prio = ble_prio_of(req_get_ioprio(rq));
		item->prq.sync = rq_is_sync(rq);
		item->prq.owner = ble_owner_of(rq);
		/* blk-mq stamps scheduled requests; the FIFO deadline counts from it. */
		item->prq.insert_ns = rq->start_time_ns ?: ktime_get_ns();
		llist_add(&item->stage_node, &bd->staged);
	}
}

/* Sort the staged requests in, merging each into a queued one if it can. */
static void ble_sort_staged(struct ble_data *bd, struct list_head *free)
{
	struct request_queue *q = bd->queue;
	struct llist_node *staged = llist_reverse_order(llist_del_all(&bd->staged));
	struct ble_item *item, *next;

	lockdep_assert_held(&bd->lock);
	llist_for_each_entry_safe(item, next, staged, stage_node) {
		struct request *rq = item->rq;
		enum ble_antic_event event;

		/* On success ble_requests_merged() has freed item. */
		if (blk_mq_sched_try_insert_merge(q, rq, free))
			continue;
		event = ble_add(&bd->sched, &item->prq, item->prq.insert_ns);
		item->queued = true;
		ble_trace_antic(bd, event, item->prq.owner);
		if (rq_mergeable(rq)) {
			elv_rqhash_add(q, rq);
			if (!q->last_merge)
				q->last_merge = rq;
		}
	}
}

static struct request *ble_dispatch_request(struct blk_mq_hw_ctx *hctx)
{
	struct request_queue *q = hctx->queue;
	struct ble_data *bd = ble_data_of(q);
	struct ble_item *item = NULL;
	struct ble_decision d;
	struct request *rq;
	LIST_HEAD(free);

	spin_lock_irq(&bd->lock);
	rq = list_first_entry_or_null(&bd->dispatch, struct request, queuelist);
	if (rq) {
		list_del_init(&rq->queuelist);
		spin_unlock_irq(&bd->lock);
		trace_blk_elevator_dispatch(ble_devt(q), blk_rq_pos(rq), blk_rq_sectors(rq),
					    rq_data_dir(rq) == WRITE ? BLE_WRITE : BLE_READ,
					    ble_prio_of(req_get_ioprio(rq)), BLE_NR_REASONS);
		return rq;
	}

	ble_sort_staged(bd, &free);
	ble_dispatch(&bd->sched, ktime_get_ns(), &d);
	if (d.rq) {
		item = container_of(d.rq, struct ble_item, prq);
		rq = item->rq;
		rq->elv.priv[0] = NULL;
		ble_forget(q, rq);
	}
	if (d.antic == BLE_ANTIC_START)
		ble_arm_antic_timer(bd);
	spin_unlock_irq(&bd->lock);

	if (item) {
		trace_blk_elevator_dispatch(ble_devt(q), item->prq.pos, item->prq.sectors,
					    item->prq.dir, item->prq.prio, d.reason);
		if (d.reason == BLE_REASON_EXPIRED)
			trace_blk_elevator_expire(ble_devt(q), item->prq.pos, item->prq.dir,
						  item->prq.prio, d.late_ns);
		ble_trace_antic(bd, d.antic, item->prq.owner);
		kmem_cache_free(ble_item_cache, item);
	} else {
		ble_trace_antic(bd, d.antic, NULL);
	}
	blk_mq_free_requests(&free);
	return rq;
}

static bool ble_has_work(struct blk_mq_hw_ctx *hctx)
{
	struct ble_data *bd = ble_data_of(hctx->queue);

	if (!llist_empty(&bd->staged) || !list_empty_careful(&bd->dispatch))
		return true;
	/* Lockless: see the DOC comment of policy.c. */
	return READ_ONCE(bd->sched.nr_queued) &&
	       READ_ONCE(bd->sched.antic) == BLE_ANTIC_OFF;
}

static void ble_completed_request(struct request *rq, u64 now)
{
	struct ble_owner *owner = ble_owner_of(rq);
	struct ble_data *bd = ble_data_of(rq->q);
	enum ble_antic_event event;
	unsigned long flags;

	if (!owner)
		return;
	spin_lock_irqsave(&bd->lock, flags);
	event = ble_completed(&bd->sched, owner, now ?: ktime_get_ns());
	if (event == BLE_ANTIC_ARMED)
		ble_arm_antic_timer(bd);
	spin_unlock_irqrestore(&bd->lock, flags);
	ble_trace_antic(bd, event, owner);
}

static bool ble_bio_merge(struct request_queue *q, struct bio *bio,
			  unsigned int nr_segs)
{
	struct ble_data *bd = ble_data_of(q);
	struct request *free = NULL;
	bool merged;

	/* A merge is an optimisation: never wait for the lock to try one. */
	if (!spin_trylock_irq(&bd->lock))
		return false;
	merged = blk_mq_sched_try_merge(q, bio, nr_segs, &free);
	spin_unlock_irq(&bd->lock);
	if (free)
		blk_mq_free_request(free);
	return merged;
}

static int ble_request_merge(struct request_queue *q, struct request **rq,
			     struct bio *bio)
{
	struct ble_data *bd = ble_data_of(q);
	struct ble_rq *found;
	struct request *candidate;

	lockdep_assert_held(&bd->lock);
	found = ble_find_front_merge(&bd->sched, ble_prio_of(bio->bi_ioprio),
				     bio_data_dir(bio) == WRITE ? BLE_WRITE : BLE_READ,
				     bio_end_sector(bio));
	if (!found)
		return ELEVATOR_NO_MERGE;
	candidate = container_of(found, struct ble_item, prq)->rq;
	if (!elv_bio_merge_ok(candidate, bio))
		return ELEVATOR_NO_MERGE;
	*rq = candidate;
	return blk_discard_mergable(candidate) ? ELEVATOR_DISCARD_MERGE :
						 ELEVATOR_FRONT_MERGE;
}

static void ble_request_merged(struct request_queue *q, struct request *rq,
			       enum elv_merge type)
{
	struct ble_item *item = ble_item_of(rq);
	struct ble_data *bd = ble_data_of(q);

	if (!item || !item->queued)
		return;
	if (type == ELEVATOR_FRONT_MERGE)
		ble_front_merged(&bd->sched, &item->prq, blk_rq_pos(rq), blk_rq_sectors(rq));
	else
		ble_back_merged(&bd->sched, &item->prq, blk_rq_sectors(rq));
}

static void ble_requests_merged(struct request_queue *q, struct request *rq,
				struct request *next)
{
	struct ble_item *into = ble_item_of(rq), *from = ble_item_of(next);
	struct ble_data *bd = ble_data_of(q);

	if (into && into->queued)
		ble_merge_requests(&bd->sched, &into->prq,
				   from && from->queued ? &from->prq : NULL,
				   blk_rq_sectors(rq));
	else if (from && from->queued)
		ble_remove(&bd->sched, &from->prq);
	/* next goes back to blk-mq; its node goes now. */
	ble_forget(q, next);
	if (from) {
		next->elv.priv[0] = NULL;
		kmem_cache_free(ble_item_cache, from);
	}
}

static struct request *ble_neighbour(struct request *rq, bool latter)
{
	struct ble_item *item = ble_item_of(rq);
	struct ble_rq *other;

	if (!item || !item->queued)
		return NULL;
	other = ble_sorted_neighbour(&item->prq, latter);
	return other ? container_of(other, struct ble_item, prq)->rq : NULL;
}

static struct request *ble_former_request(struct request_queue *q, struct request *rq)
{
	return ble_neighbour(rq, false);
}

static struct request *ble_next_request(struct request_queue *q, struct request *rq)
{
	return ble_neighbour(rq, true);
}

#ifdef COMPAT_DEPTH_UPDATED_PER_QUEUE
#define BLE_INIT_HCTX_OP
#else
#define BLE_INIT_HCTX_OP	.init_hctx = ble_init_hctx,
#endif

#define BLE_COMMON_OPS							\
	.init_sched		= ble_init_sched,			\
	.exit_sched		= ble_exit_sched,			\
	BLE_INIT_HCTX_OP						\
	.depth_updated		= ble_depth_updated,			\
	.limit_depth		= ble_limit_depth,			\
	.insert_requests	= ble_insert_requests,			\
	.dispatch_request	= ble_dispatch_request,			\
	.has_work		= ble_has_work,				\
	.bio_merge		= ble_bio_merge,			\
	.request_merge		= ble_request_merge,			\
	.request_merged		= ble_request_merged,			\
	.requests_merged	= ble_requests_merged,			\
	.former_request		= ble_former_request,			\
	.next_request		= ble_next_request

static struct elevator_type ble_deadline = {
	.ops = {
		BLE_COMMON_OPS,
		.finish_request		= ble_deadline_finish_request,
	},
#ifdef CONFIG_BLK_DEBUG_FS
	.queue_debugfs_attrs = ble_queue_debugfs_attrs,
#endif
	.elevator_attrs = ble_deadline_attrs,
	.elevator_name = "kl-deadline",
	.elevator_owner = THIS_MODULE,
};

static struct elevator_type ble_anticipatory = {
	.ops = {
		BLE_COMMON_OPS,
		.prepare_request	= ble_prepare_request,
		.finish_request		= ble_finish_request,
		.completed_request	= ble_completed_request,
		.init_icq		= ble_init_icq,
	},
	.icq_size = sizeof(struct ble_icq),
	.icq_align = __alignof__(struct ble_icq),
#ifdef CONFIG_BLK_DEBUG_FS
	.queue_debugfs_attrs = ble_queue_debugfs_attrs,
#endif
	.elevator_attrs = ble_anticipatory_attrs,
	.elevator_name = "kl-anticipatory",
	.elevator_alias = "kl-as",
	.elevator_owner = THIS_MODULE,
};

static int __init ble_init(void)
{
	int ret;

	ble_item_cache = KMEM_CACHE(ble_item, 0);
	if (!ble_item_cache)
		return -ENOMEM;
	ret = elv_register(&ble_deadline);
	if (ret)
		goto destroy_cache;
	ret = elv_register(&ble_anticipatory);
	if (ret)
		goto unregister_deadline;
	return 0;

unregister_deadline:
	elv_unregister(&ble_deadline);
destroy_cache:
	kmem_cache_destroy(ble_item_cache);
	return ret;
}

static void __exit ble_exit(void)
{
	elv_unregister(&ble_anticipatory);
	elv_unregister(&ble_deadline);
	kmem_cache_destroy(ble_item_cache);
}

module_init(ble_init);
module_exit(ble_exit);

/* `echo kl-deadline > /sys/block/DEV/queue/scheduler` loads the module. */
MODULE_ALIAS("kl-deadline-iosched");
MODULE_ALIAS("kl-anticipatory-iosched");
MODULE_ALIAS("kl-as-iosched");
MODULE_DESCRIPTION("kernlabs: deadline and anticipatory blk-mq I/O schedulers");
MODULE_LICENSE("GPL");
