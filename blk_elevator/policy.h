/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blk_elevator policy: the deadline and anticipatory scheduling decisions,
 * free of struct request, the block layer, sysfs, debugfs and tracing, so
 * that KUnit can drive them with synthetic requests. The design is in the
 * DOC comment of policy.c and in Documentation/blk_elevator.rst.
 */
#ifndef BLK_ELEVATOR_POLICY_H
#define BLK_ELEVATOR_POLICY_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

enum ble_dir {
	BLE_READ,
	BLE_WRITE,
	BLE_NR_DIRS,
};

/* The three I/O priority classes, highest first (IOPRIO_CLASS_RT/BE/IDLE). */
enum ble_prio {
	BLE_PRIO_RT,
	BLE_PRIO_BE,
	BLE_PRIO_IDLE,
	BLE_NR_PRIOS,
};

/* Why ble_dispatch() chose the request it returned. */
enum ble_reason {
	BLE_REASON_BATCH,	/* next in sector order within the current batch */
	BLE_REASON_SORTED,	/* first of a new batch, in sector order from the head */
	BLE_REASON_EXPIRED,	/* its FIFO deadline had passed */
	BLE_REASON_FIFO,	/* no higher-sectored request: restart from the FIFO head */
	BLE_REASON_AGED,	/* a lower class waited longer than prio_aging_expire */
	BLE_NR_REASONS,
};

/* Anticipation state (per queue). */
enum ble_antic_state {
	BLE_ANTIC_OFF,
	BLE_ANTIC_WAIT_REQ,	/* the owner's read is in flight: hold the others */
	BLE_ANTIC_WAIT_NEXT,	/* it completed: wait for the owner's next read */
};

/* What happened to anticipation in one policy call (for tracing). */
enum ble_antic_event {
	BLE_ANTIC_NONE,
	BLE_ANTIC_START,	/* began holding the queue for an owner */
	BLE_ANTIC_ARMED,	/* the owner's read completed: waiting for its next */
	BLE_ANTIC_HIT,		/* the owner's next request arrived */
	BLE_ANTIC_BROKEN,	/* another request close to the head, or an expired deadline */
	BLE_ANTIC_TIMEOUT,	/* antic_expire (or read_expire while in flight) passed */
};

/**
 * struct ble_tunables - the policy's knobs; times in nanoseconds. All
 * are u64 so that the sysfs code can treat them alike.
 * @fifo_expire_ns: how long a request may wait before it is served first.
 * @prio_aging_expire_ns: how long a lower-class request may wait while a
 *	higher class is served.
 * @antic_expire_ns: longest wait for an owner's next read; 0 disables
 *	anticipation (the deadline elevator).
 * @fifo_batch: requests dispatched in sector order before the FIFOs are
 *	checked again.
 * @writes_starved: read batches that may pass queued writes.
 * @front_merges: whether to look for front merges.
 * @async_depth: scheduler tags that writes and asynchronous requests may
 *	hold, so that synchronous reads always find one. The elevator applies
 *	it when tags are allocated; the policy does not use it.
 */
struct ble_tunables {
	u64 fifo_expire_ns[BLE_NR_DIRS];
	u64 prio_aging_expire_ns;
	u64 antic_expire_ns;
	u64 fifo_batch;
	u64 writes_starved;
	u64 front_merges;
	u64 async_depth;
};

/**
 * struct ble_owner - what the anticipatory policy knows of one process
 * (one io_context): its think time and seek distance, as running means.
 * @think_mean_ns: mean time from the completion of its last read to its
 *	next request.
 * @seek_mean: mean distance in sectors between the end of its previous
 *	request and the start of its next.
 * @think_samples: think-time samples taken (saturates).
 * @seek_samples: seek samples taken (saturates).
 * @last_end: sector just past its last request.
 * @last_completion_ns: when its last read completed (0: none yet).
 * @nr_queued: its requests in the scheduler now.
 * @pid: the process that created it (for tracing).
 */
struct ble_owner {
	u64 think_mean_ns;
	u64 seek_mean;
	u32 think_samples;
	u32 seek_samples;
	sector_t last_end;
	u64 last_completion_ns;
	u32 nr_queued;
	pid_t pid;
};

/**
 * struct ble_rq - one queued request, as the policy sees it.
 * @sort_node: in the sector-sorted tree of its class and direction.
 * @fifo_node: in the FIFO of its class and direction.
 * @pos: first sector.
 * @sectors: length in sectors.
 * @deadline_ns: when it expires (insert time + fifo_expire).
 * @insert_ns: when it was inserted.
 * @owner: its process's anticipation state, or NULL.
 * @dir: BLE_READ or BLE_WRITE.
 * @prio: its priority class.
 * @sync: a synchronous request (reads, O_DIRECT and fsync writes).
 */
struct ble_rq {
	struct rb_node sort_node;
	struct list_head fifo_node;
	sector_t pos;
	u32 sectors;
	u64 deadline_ns;
	u64 insert_ns;
	struct ble_owner *owner;
	u8 dir;
	u8 prio;
	bool sync;
};

/**
 * struct ble_stats - counters; all written under the scheduler's lock.
 * @inserted: requests inserted, per class and direction.
 * @dispatched: requests dispatched, per class and direction.
 * @reasons: dispatches by the reason the request was chosen.
 * @merged_front: bios merged at the front of a queued request.
 * @merged_back: bios merged at the back of a queued request.
 * @merged_requests: queued requests merged into another.
 * @batches: batches started.
 * @starved_writes: write batches started because reads had gone first
 *	writes_starved times.
 * @antic_started: anticipation waits begun.
 * @antic_hit: waits ended by the awaited process's next read.
 * @antic_broken: waits ended early: another process's request as close as
 *	the awaited one's mean seek, or a deadline that passed.
 * @antic_timeout: waits that ran out their time.
 */
struct ble_stats {
	u64 inserted[BLE_NR_PRIOS][BLE_NR_DIRS];
	u64 dispatched[BLE_NR_PRIOS][BLE_NR_DIRS];
	u64 reasons[BLE_NR_REASONS];
	u64 merged_front;
	u64 merged_back;
	u64 merged_requests;
	u64 batches;
	u64 starved_writes;
	u64 antic_started;
	u64 antic_hit;
	u64 antic_broken;
	u64 antic_timeout;
};

struct ble_prio_queue {
	struct rb_root sort[BLE_NR_DIRS];
	struct list_head fifo[BLE_NR_DIRS];
	/* Sector just past the last request dispatched in each direction. */
	sector_t head[BLE_NR_DIRS];
};

/**
 * struct ble_sched - one queue's scheduling state.
 * @tun: the tunables in force.
 * @prio: per-class sort trees and FIFOs.
 * @stats: counters.
 * @nr_queued: requests held in all trees (read locklessly by has_work).
 * @queued: the same, per class and direction.
 * @last_dir: direction of the running batch.
 * @batch_prio: class of the running batch.
 * @batching: requests dispatched in the running batch.
 * @starved: read batches started while writes waited.
 * @antic: anticipation state (read locklessly by has_work).
 * @antic_owner: while anticipating, the process waited for (compared,
 *	never dereferenced: the process may be gone).
 * @antic_end: the sector its last read ended at.
 * @antic_seek: its mean seek distance then.
 * @antic_deadline_ns: when the wait ends.
 */
struct ble_sched {
	struct ble_tunables tun;
	struct ble_prio_queue prio[BLE_NR_PRIOS];
	struct ble_stats stats;
	u32 nr_queued;
	u32 queued[BLE_NR_PRIOS][BLE_NR_DIRS];
	enum ble_dir last_dir;
	enum ble_prio batch_prio;
	u32 batching;
	u32 starved;
	enum ble_antic_state antic;
	const struct ble_owner *antic_owner;
	sector_t antic_end;
	u64 antic_seek;
	u64 antic_deadline_ns;
};

/**
 * struct ble_decision - what ble_dispatch() did, for the caller's tracing.
 * @rq: the request to dispatch, or NULL.
 * @reason: why it was chosen.
 * @late_ns: how far past its deadline it was (BLE_REASON_EXPIRED).
 * @antic: anticipation event of this call.
 */
struct ble_decision {
	struct ble_rq *rq;
	enum ble_reason reason;
	u64 late_ns;
	enum ble_antic_event antic;
};

extern const struct ble_tunables ble_deadline_defaults;
extern const struct ble_tunables ble_anticipatory_defaults;

void ble_sched_init(struct ble_sched *s, const struct ble_tunables *tun);
void ble_owner_init(struct ble_owner *o, pid_t pid);
enum ble_antic_event ble_add(struct ble_sched *s, struct ble_rq *r, u64 now);
void ble_remove(struct ble_sched *s, struct ble_rq *r);
struct ble_rq *ble_sorted_neighbour(struct ble_rq *r, bool latter);
struct ble_rq *ble_find_front_merge(struct ble_sched *s, enum ble_prio prio,
				    enum ble_dir dir, sector_t end);
void ble_front_merged(struct ble_sched *s, struct ble_rq *r, sector_t pos,
		      u32 sectors);
void ble_back_merged(struct ble_sched *s, struct ble_rq *r, u32 sectors);
void ble_merge_requests(struct ble_sched *s, struct ble_rq *into,
			struct ble_rq *from, u32 sectors);
void ble_dispatch(struct ble_sched *s, u64 now, struct ble_decision *d);
enum ble_antic_event ble_completed(struct ble_sched *s,
				   struct ble_owner *owner, u64 now);
enum ble_antic_event ble_antic_timer(struct ble_sched *s, u64 now);
bool ble_antic_worth(const struct ble_sched *s, const struct ble_owner *o,
		     sector_t head);

#endif /* BLK_ELEVATOR_POLICY_H */
