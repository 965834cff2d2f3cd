/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blk_elevator compat: the block-layer differences between Debian's 6.1
 * and 6.12 that the elevators meet. Kbuild decides by grepping the target
 * kernel's headers; here, where a macro can be tested, it is tested.
 */
#ifndef BLK_ELEVATOR_COMPAT_H
#define BLK_ELEVATOR_COMPAT_H

#include <linux/blk-mq.h>
#include <linux/math64.h>
#include <linux/sbitmap.h>

#include "blk-mq.h"

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

#endif /* BLK_ELEVATOR_COMPAT_H */
