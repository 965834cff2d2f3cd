/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blk_elevator compat: the block-layer differences between Debian's 6.1,
 * 6.12 and Linux 7.3 that the elevators meet. Kbuild decides by grepping
 * the target kernel's headers; here, where a macro can be tested, it is
 * tested.
 */
#ifndef BLK_ELEVATOR_COMPAT_H
#define BLK_ELEVATOR_COMPAT_H

#include <linux/blk-mq.h>
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/sbitmap.h>

#include "blk-mq.h"
#include "blk-mq-sched.h"

/*
 * Linux 6.5 replaced insert_requests()'s "bool at_head" with
 * "blk_insert_t flags" (BLK_MQ_INSERT_AT_HEAD).
 */
#ifdef COMPAT_BLK_INSERT_T
#define compat_insert_flags_t blk_insert_t

static inline bool compat_insert_at_head(compat_insert_flags_t flags)
{
	return flags & BLK_MQ_INSERT_AT_HEAD;
}
#else
#define compat_insert_flags_t bool

static inline bool compat_insert_at_head(compat_insert_flags_t at_head)
{
	return at_head;
}
#endif

/*
 * Linux 6.1 calls prepare_request() for some of the requests it inserts
 * (not for flushes) and marks those RQF_ELVPRIV; only their rq->elv.icq
 * is ours. Later kernels prepare every request they insert.
 */
static inline bool compat_rq_prepared(struct request *rq)
{
#ifdef RQF_ELVPRIV
	return rq->rq_flags & RQF_ELVPRIV;
#else
	return true;
#endif
}

/*
 * The most scheduler tags of @bt that a request limited to @depth of the
 * queue's @nr_requests may take, as the sbitmap's shallow depth counts
 * them: per word of the bitmap until Linux 6.17 (and Debian's 6.12.117,
 * which has the change), over the whole bitmap since.
 */
static inline unsigned int compat_shallow_depth(const struct sbitmap_queue *bt,
						u64 depth, u64 nr_requests)
{
	depth = min(depth, nr_requests);
#ifdef COMPAT_SBITMAP_SHALLOW_PER_WORD
	return div64_u64((depth << bt->sb.shift) + nr_requests - 1, nr_requests);
#else
	return depth;
#endif
}

/*
 * The hardware context whose scheduler tags the request being allocated
 * comes from. Since commit 6259151c04d4 ("block: Call .limit_depth()
 * after .hctx has been set": Linux 6.11, 6.1.105, Debian's 6.1.106-1)
 * blk-mq maps it before limit_depth(); earlier 6.1 kernels call
 * limit_depth() with data->ctx and data->hctx still NULL. No header tells
 * them apart, so it is tested when called: mapped then as blk-mq maps it
 * next (blk_mq_map_queue() lost its queue argument in 6.15; these two did
 * not change). Every hctx of a queue has scheduler tags of one size, so a
 * migration to another CPU meanwhile changes nothing read here.
 */
static inline struct blk_mq_hw_ctx *compat_alloc_hctx(blk_opf_t opf,
						      struct blk_mq_alloc_data *data)
{
	if (likely(data->hctx))
		return data->hctx;
	return blk_mq_get_ctx(data->q)->hctxs[blk_mq_get_hctx_type(opf)];
}

/*
 * Linux 6.17 allocates the elevator_queue itself (elevator_alloc() is no
 * longer exported), hands it to init_sched() and frees it if init_sched()
 * fails; earlier kernels pass the elevator_type, and init_sched()
 * allocates the queue and drops it on failure.
 */
#ifdef COMPAT_INIT_SCHED_GETS_QUEUE
#define compat_init_sched_arg_t struct elevator_queue *

static inline struct elevator_type *compat_elevator_type(struct elevator_queue *eq)
{
	return eq->type;
}

static inline struct elevator_queue *compat_elevator_alloc(struct request_queue *q,
							   struct elevator_queue *eq)
{
	return eq;
}

static inline void compat_elevator_free(struct elevator_queue *eq)
{
}
#else
#define compat_init_sched_arg_t struct elevator_type *

static inline struct elevator_type *compat_elevator_type(struct elevator_type *e)
{
	return e;
}

static inline struct elevator_queue *compat_elevator_alloc(struct request_queue *q,
							   struct elevator_type *e)
{
	return elevator_alloc(q, e);
}

static inline void compat_elevator_free(struct elevator_queue *eq)
{
	kobject_put(&eq->kobj);
}
#endif

/*
 * Linux 6.18 calls depth_updated() once per queue, when nr_requests or the
 * queue's async_depth changes, and no longer calls it at all when the
 * elevator starts (init_sched() must); earlier kernels call it per
 * hardware context, and the elevator calls it from init_hctx().
 */
#ifdef COMPAT_DEPTH_UPDATED_PER_QUEUE
#define compat_depth_updated_arg_t struct request_queue *

static inline struct request_queue *compat_depth_updated_queue(struct request_queue *q)
{
	return q;
}

static inline void compat_min_shallow_depth(struct request_queue *q, unsigned int depth)
{
	blk_mq_set_min_shallow_depth(q, depth);
}
#else
#define compat_depth_updated_arg_t struct blk_mq_hw_ctx *

static inline struct request_queue *compat_depth_updated_queue(struct blk_mq_hw_ctx *hctx)
{
	return hctx->queue;
}

static inline void compat_min_shallow_depth(struct blk_mq_hw_ctx *hctx, unsigned int depth)
{
	sbitmap_queue_min_shallow_depth(&hctx->sched_tags->bitmap_tags, depth);
}
#endif

/*
 * Linux 6.19 keeps async_depth in the request queue, as mq-deadline uses
 * it: set through /sys/block/DEV/queue/async_depth (queue frozen, then
 * depth_updated()) and scaled by blk-mq when nr_requests changes. There
 * the elevator keeps no copy and has no async_depth in iosched/; earlier
 * kernels have only the elevator's, and compat_queue_async_depth()
 * returns @ours.
 */
#ifdef COMPAT_QUEUE_ASYNC_DEPTH
static inline unsigned int compat_queue_async_depth(struct request_queue *q, u64 ours)
{
	return READ_ONCE(q->async_depth);
}

/* Called by init_sched(), with the queue frozen. */
static inline void compat_set_queue_async_depth(struct request_queue *q, unsigned int depth)
{
	q->async_depth = depth;
}
#else
static inline unsigned int compat_queue_async_depth(struct request_queue *q, u64 ours)
{
	return ours;
}

static inline void compat_set_queue_async_depth(struct request_queue *q, unsigned int depth)
{
}
#endif

/* Linux 6.14 merges bios on every blk-mq queue and dropped the flag. */
#ifdef COMPAT_HAVE_BLK_MQ_F_SHOULD_MERGE
#define COMPAT_BLK_MQ_F_SHOULD_MERGE	BLK_MQ_F_SHOULD_MERGE
#else
#define COMPAT_BLK_MQ_F_SHOULD_MERGE	0
#endif

/* Linux 6.13 added hrtimer_setup(); 6.15 removed hrtimer_init(). */
#ifndef COMPAT_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

#endif /* BLK_ELEVATOR_COMPAT_H */
