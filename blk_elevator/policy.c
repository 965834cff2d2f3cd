// SPDX-License-Identifier: GPL-2.0
/*
 * blk_elevator policy: deadline and anticipatory scheduling decisions.
 *
 * Copyright (C) 2026 kernlabs
 */

/**
 * DOC: blk_elevator policy
 *
 * Deadline (after block/mq-deadline.c). Each priority class keeps, per
 * direction, a tree of its requests sorted by sector and a FIFO in
 * arrival order whose entries carry a deadline (insert time plus
 * read_expire or write_expire). Requests go out in batches: a batch starts
 * in one direction, at the first request at or above the sector where that
 * direction's previous batch stopped (the head), and goes on in ascending
 * sector order for up to fifo_batch requests or until no higher-sectored
 * request is left. Between batches the policy chooses the direction, reads
 * first unless writes have been passed over writes_starved times, and
 * starts at the FIFO head instead of the head position when that request
 * has expired or nothing lies above the head. The highest class with
 * requests is served; a request of a lower class that has waited longer
 * than prio_aging_expire while a higher class was served goes out first.
 *
 * Anticipatory (after the 2.6 as-iosched.c): a process that reads
 * sequentially and synchronously has at most one request queued, so after
 * each of its reads the queue holds only other processes' requests, and a
 * deadline scheduler moves the head away to serve them ("deceptive
 * idleness"), seeking back when the reader's next request comes a moment
 * later. When a synchronous read goes out and its process (its io_context,
 * struct ble_owner) has nothing else queued, the policy may hold the queue:
 * while the read is in flight (BLE_ANTIC_WAIT_REQ) and for up to
 * antic_expire after it completes (BLE_ANTIC_WAIT_NEXT). It does so only if
 * it is worth it: the process's mean think time (completion to next
 * request) is within antic_expire, and its mean seek distance is no longer
 * than the distance to the request that would be served instead. The
 * wait ends when that process's next request arrives (a hit), when another
 * request lands within the process's mean seek distance of where its read
 * ended, when a FIFO deadline passes (broken), or at the time limit
 * (timeout). With antic_expire 0 the policy is plain deadline.
 *
 * Locking: the caller serialises every call for one struct ble_sched (the
 * elevator holds its lock). Two fields are also read without the lock, by
 * the elevator's has_work hook, and are therefore written with
 * WRITE_ONCE(): nr_queued and antic. A stale read there only delays or
 * repeats a queue run.
 *
 * Times are nanoseconds on any clock the caller uses consistently.
 */

#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/time64.h>

#include "policy.h"

/* Running means weigh the newest sample 1/8, as the 2.6 AS io_context did. */
#define BLE_MEAN_SHIFT		3
/* Distances past this are "far" and saturate, so the means cannot overflow. */
#define BLE_SAMPLE_MAX		(U64_MAX >> (BLE_MEAN_SHIFT + 1))
#define BLE_NO_SECTOR		((sector_t)-1)

/* mq-deadline's defaults; 10 s aging as in mq-deadline. */
const struct ble_tunables ble_deadline_defaults = {
	.fifo_expire_ns = { 500 * NSEC_PER_MSEC, 5 * NSEC_PER_SEC },
	.prio_aging_expire_ns = 10 * NSEC_PER_SEC,
	.antic_expire_ns = 0,
	.fifo_batch = 16,
	.writes_starved = 2,
	.front_merges = 1,
};

/*
 * AS waited about 6 ms (HZ/150) for a reader's next request: longer than
 * a typical think time of a reader between reads, shorter than a seek.
 */
const struct ble_tunables ble_anticipatory_defaults = {
	.fifo_expire_ns = { 500 * NSEC_PER_MSEC, 5 * NSEC_PER_SEC },
	.prio_aging_expire_ns = 10 * NSEC_PER_SEC,
	.antic_expire_ns = 6 * NSEC_PER_MSEC,
	.fifo_batch = 16,
	.writes_starved = 2,
	.front_merges = 1,
};

/**
 * ble_sched_init() - set up an empty scheduler.
 * @s: the scheduler.
 * @tun: its initial tunables (copied).
 */
void ble_sched_init(struct ble_sched *s, const struct ble_tunables *tun)
{
	int prio, dir;

	memset(s, 0, sizeof(*s));
	s->tun = *tun;
	for (prio = 0; prio < BLE_NR_PRIOS; prio++) {
		for (dir = 0; dir < BLE_NR_DIRS; dir++) {
			s->prio[prio].sort[dir] = RB_ROOT;
			INIT_LIST_HEAD(&s->prio[prio].fifo[dir]);
		}
	}
	/* As mq-deadline: the first batch may go either way; reads win. */
	s->last_dir = BLE_WRITE;
	s->batching = tun->fifo_batch;
	s->antic = BLE_ANTIC_OFF;
}

/**
 * ble_owner_init() - set up a process's anticipation state.
 * @o: the state.
 * @pid: the process, for tracing.
 */
void ble_owner_init(struct ble_owner *o, pid_t pid)
{
	memset(o, 0, sizeof(*o));
	o->last_end = BLE_NO_SECTOR;
	o->pid = pid;
}

static u64 ble_distance(sector_t a, sector_t b)
{
	return min_t(u64, a > b ? a - b : b - a, BLE_SAMPLE_MAX);
}

static void ble_mean_add(u64 *mean, u32 *samples, u64 sample)
{
	sample = min_t(u64, sample, BLE_SAMPLE_MAX);
	if (!*samples)
		*mean = sample;
	else
		*mean = (*mean * ((1 << BLE_MEAN_SHIFT) - 1) + sample) >> BLE_MEAN_SHIFT;
	if (*samples < U32_MAX)
		(*samples)++;
}

/* Requests with equal sectors keep arrival order: equal keys go right. */
static void ble_sort_insert(struct rb_root *root, struct ble_rq *r)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		struct ble_rq *cur = rb_entry(*link, struct ble_rq, sort_node);

		parent = *link;
		link = r->pos < cur->pos ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&r->sort_node, parent, link);
	rb_insert_color(&r->sort_node, root);
}

/* The first request at or above @pos, in sector order. */
static struct ble_rq *ble_sort_ceiling(const struct rb_root *root, sector_t pos)
{
	struct rb_node *node = root->rb_node;
	struct ble_rq *found = NULL;

	while (node) {
		struct ble_rq *cur = rb_entry(node, struct ble_rq, sort_node);

		if (cur->pos >= pos) {
			found = cur;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found;
}

static struct ble_rq *ble_fifo_first(struct ble_prio_queue *pq, enum ble_dir dir)
{
	return list_first_entry_or_null(&pq->fifo[dir], struct ble_rq, fifo_node);
}

static bool ble_class_empty(const struct ble_sched *s, int prio)
{
	return !s->queued[prio][BLE_READ] && !s->queued[prio][BLE_WRITE];
}

static bool ble_deadline_passed(struct ble_sched *s, u64 now)
{
	int prio, dir;

	for (prio = 0; prio < BLE_NR_PRIOS; prio++) {
		for (dir = 0; dir < BLE_NR_DIRS; dir++) {
			struct ble_rq *first = ble_fifo_first(&s->prio[prio], dir);

			if (first && now >= first->deadline_ns)
				return true;
		}
	}
	return false;
}

/**
 * ble_add() - queue a request.
 * @s: the scheduler.
 * @r: the request; pos, sectors, dir, prio, sync and owner filled in.
 * @now: the time.
 *
 * Samples the owner's think time and seek distance, and ends an
 * anticipation that this request satisfies or breaks.
 *
 * Return: BLE_ANTIC_HIT, BLE_ANTIC_BROKEN or BLE_ANTIC_NONE.
 */
enum ble_antic_event ble_add(struct ble_sched *s, struct ble_rq *r, u64 now)
{
	struct ble_prio_queue *pq = &s->prio[r->prio];
	struct ble_owner *o = r->owner;

	ble_sort_insert(&pq->sort[r->dir], r);
	r->insert_ns = now;
	r->deadline_ns = now + s->tun.fifo_expire_ns[r->dir];
	list_add_tail(&r->fifo_node, &pq->fifo[r->dir]);
	s->queued[r->prio][r->dir]++;
	WRITE_ONCE(s->nr_queued, s->nr_queued + 1);
	s->stats.inserted[r->prio][r->dir]++;

	if (o) {
		/* Think time: from its last completion, if it then had nothing queued. */
		if (o->last_completion_ns && !o->nr_queued && now >= o->last_completion_ns)
			ble_mean_add(&o->think_mean_ns, &o->think_samples,
				     now - o->last_completion_ns);
		o->last_completion_ns = 0;
		if (o->last_end != BLE_NO_SECTOR)
			ble_mean_add(&o->seek_mean, &o->seek_samples,
				     ble_distance(r->pos, o->last_end));
		o->last_end = r->pos + r->sectors;
		o->nr_queued++;
	}

	if (s->antic == BLE_ANTIC_OFF)
		return BLE_ANTIC_NONE;
	if (o && o == s->antic_owner) {
		WRITE_ONCE(s->antic, BLE_ANTIC_OFF);
		s->stats.antic_hit++;
		return BLE_ANTIC_HIT;
	}
	if (ble_distance(r->pos, s->antic_end) <= s->antic_seek) {
		WRITE_ONCE(s->antic, BLE_ANTIC_OFF);
		s->stats.antic_broken++;
		return BLE_ANTIC_BROKEN;
	}
	return BLE_ANTIC_NONE;
}

/**
 * ble_remove() - take a request out of the scheduler (merged away or
 * dispatched).
 * @s: the scheduler.
 * @r: a request queued in @s.
 */
void ble_remove(struct ble_sched *s, struct ble_rq *r)
{
	rb_erase(&r->sort_node, &s->prio[r->prio].sort[r->dir]);
	RB_CLEAR_NODE(&r->sort_node);
	list_del_init(&r->fifo_node);
	s->queued[r->prio][r->dir]--;
	WRITE_ONCE(s->nr_queued, s->nr_queued - 1);
	if (r->owner)
		r->owner->nr_queued--;
}

/**
 * ble_sorted_neighbour() - the request next to @r in sector order.
 * @r: a queued request.
 * @latter: the next one if true, else the previous one.
 *
 * Return: the neighbour in @r's class and direction, or NULL.
 */
struct ble_rq *ble_sorted_neighbour(struct ble_rq *r, bool latter)
{
	struct rb_node *node = latter ? rb_next(&r->sort_node) : rb_prev(&r->sort_node);

	return node ? rb_entry(node, struct ble_rq, sort_node) : NULL;
}

/**
 * ble_find_front_merge() - the request a bio ending at @end could be
 * merged in front of.
 * @s: the scheduler.
 * @prio: the bio's class.
 * @dir: the bio's direction.
 * @end: the sector just past the bio.
 *
 * Return: a queued request starting at @end, or NULL (also when
 * front_merges is off).
 */
struct ble_rq *ble_find_front_merge(struct ble_sched *s, enum ble_prio prio,
				    enum ble_dir dir, sector_t end)
{
	struct ble_rq *r;

	if (!s->tun.front_merges)
		return NULL;
	r = ble_sort_ceiling(&s->prio[prio].sort[dir], end);
	return r && r->pos == end ? r : NULL;
}

/**
 * ble_front_merged() - a bio was merged in front of @r.
 * @s: the scheduler.
 * @r: the request, which now starts at @pos.
 * @pos: its new first sector.
 * @sectors: its new length.
 */
void ble_front_merged(struct ble_sched *s, struct ble_rq *r, sector_t pos,
		      u32 sectors)
{
	struct rb_root *root = &s->prio[r->prio].sort[r->dir];

	rb_erase(&r->sort_node, root);
	r->pos = pos;
	r->sectors = sectors;
	ble_sort_insert(root, r);
	s->stats.merged_front++;
}

/**
 * ble_back_merged() - a bio was merged at the end of @r.
 * @s: the scheduler.
 * @r: the request.
 * @sectors: its new length.
 */
void ble_back_merged(struct ble_sched *s, struct ble_rq *r, u32 sectors)
{
	r->sectors = sectors;
	s->stats.merged_back++;
}

/**
 * ble_merge_requests() - another request was merged into @into, which
 * precedes it.
 * @s: the scheduler.
 * @into: the request that stays.
 * @from: the request that goes, removed here; NULL if it was never queued
 *	(merged as it was being sorted in).
 * @sectors: @into's new length.
 *
 * The merged request keeps the earlier of the two deadlines and the FIFO
 * place that goes with it, so merging never delays a request.
 */
void ble_merge_requests(struct ble_sched *s, struct ble_rq *into,
			struct ble_rq *from, u32 sectors)
{
	if (from) {
		if (from->deadline_ns < into->deadline_ns) {
			list_move(&into->fifo_node, &from->fifo_node);
			into->deadline_ns = from->deadline_ns;
			into->insert_ns = from->insert_ns;
		}
		ble_remove(s, from);
	}
	into->sectors = sectors;
	s->stats.merged_requests++;
}

/* The oldest request of a lower class that has waited past prio_aging_expire. */
static struct ble_rq *ble_aged_request(struct ble_sched *s, u64 now)
{
	int prio, dir;

	for (prio = BLE_PRIO_BE; prio < BLE_NR_PRIOS; prio++) {
		struct ble_rq *oldest = NULL;
		bool higher_waiting = false;
		int higher;

		for (higher = 0; higher < prio; higher++)
			higher_waiting |= !ble_class_empty(s, higher);
		if (!higher_waiting)
			return NULL;
		for (dir = 0; dir < BLE_NR_DIRS; dir++) {
			struct ble_rq *first = ble_fifo_first(&s->prio[prio], dir);

			if (first && (!oldest || first->insert_ns < oldest->insert_ns))
				oldest = first;
		}
		if (oldest && now - oldest->insert_ns >= s->tun.prio_aging_expire_ns)
			return oldest;
	}
	return NULL;
}

/* Deadline's choice within one class (see the DOC comment). */
static struct ble_rq *ble_choose(struct ble_sched *s, enum ble_prio prio,
				 u64 now, struct ble_decision *d)
{
	struct ble_prio_queue *pq = &s->prio[prio];
	struct ble_rq *first, *next;
	enum ble_dir dir;

	if (s->batch_prio == prio && s->batching < s->tun.fifo_batch) {
		next = ble_sort_ceiling(&pq->sort[s->last_dir], pq->head[s->last_dir]);
		if (next) {
			d->reason = BLE_REASON_BATCH;
			s->batching++;
			return next;
		}
	}

	if (s->queued[prio][BLE_READ]) {
		if (s->queued[prio][BLE_WRITE] && s->starved++ >= s->tun.writes_starved) {
			s->starved = 0;
			s->stats.starved_writes++;
			dir = BLE_WRITE;
		} else {
			dir = BLE_READ;
		}
	} else {
		s->starved = 0;
		dir = BLE_WRITE;
	}

	first = ble_fifo_first(pq, dir);
	next = ble_sort_ceiling(&pq->sort[dir], pq->head[dir]);
	if (now >= first->deadline_ns) {
		d->reason = BLE_REASON_EXPIRED;
		d->late_ns = now - first->deadline_ns;
		next = first;
	} else if (!next) {
		d->reason = BLE_REASON_FIFO;
		next = first;
	} else {
		d->reason = BLE_REASON_SORTED;
	}
	s->last_dir = dir;
	s->batch_prio = prio;
	s->batching = 1;
	s->stats.batches++;
	return next;
}

/*
 * How far the head would move to serve the next request instead of
 * waiting: the nearest queued request at or above @head in the class
 * that would be served, else U64_MAX when nothing else is queued.
 */
static u64 ble_alternative_distance(const struct ble_sched *s, sector_t head)
{
	u64 best = U64_MAX;
	int prio = 0, dir;

	while (prio < BLE_NR_PRIOS && ble_class_empty(s, prio))
		prio++;
	if (prio < BLE_NR_PRIOS) {
		for (dir = 0; dir < BLE_NR_DIRS; dir++) {
			struct rb_node *node;
			struct ble_rq *r;

			/* The nearest on either side of the head. */
			r = ble_sort_ceiling(&s->prio[prio].sort[dir], head);
			if (r)
				best = min(best, ble_distance(r->pos, head));
			node = r ? rb_prev(&r->sort_node) :
				   rb_last(&s->prio[prio].sort[dir]);
			if (node)
				best = min(best, ble_distance(rb_entry(node, struct ble_rq,
								       sort_node)->pos, head));
		}
	}
	return best;
}

/**
 * ble_antic_worth() - whether holding the queue for @o's next read can pay.
 * @s: the scheduler.
 * @o: the process whose read just went out.
 * @head: the sector that read ends at.
 *
 * Return: true if anticipation is on, @o thinks no longer than
 * antic_expire, and @o's mean seek is no longer than the distance to what
 * would be served instead. A process with no samples yet gets the benefit
 * of the doubt, as in AS.
 */
bool ble_antic_worth(const struct ble_sched *s, const struct ble_owner *o,
		     sector_t head)
{
	if (!s->tun.antic_expire_ns)
		return false;
	if (o->think_samples && o->think_mean_ns > s->tun.antic_expire_ns)
		return false;
	if (o->seek_samples && o->seek_mean > ble_alternative_distance(s, head))
		return false;
	return true;
}

/**
 * ble_dispatch() - choose the next request to send to the device.
 * @s: the scheduler.
 * @now: the time.
 * @d: filled in with the request (removed from @s) or NULL, the reason and
 *	the anticipation event.
 *
 * Returns nothing in @d->rq when the scheduler is empty or holds the queue
 * in anticipation.
 */
void ble_dispatch(struct ble_sched *s, u64 now, struct ble_decision *d)
{
	struct ble_rq *r = NULL;
	int prio;

	d->rq = NULL;
	d->late_ns = 0;
	d->antic = BLE_ANTIC_NONE;
	if (!s->nr_queued)
		return;

	if (s->antic != BLE_ANTIC_OFF) {
		if (now >= s->antic_deadline_ns) {
			s->stats.antic_timeout++;
			d->antic = BLE_ANTIC_TIMEOUT;
		} else if (ble_deadline_passed(s, now)) {
			s->stats.antic_broken++;
			d->antic = BLE_ANTIC_BROKEN;
		} else {
			return;
		}
		WRITE_ONCE(s->antic, BLE_ANTIC_OFF);
	}

	r = ble_aged_request(s, now);
	if (r) {
		d->reason = BLE_REASON_AGED;
	} else {
		for (prio = 0; prio < BLE_NR_PRIOS; prio++) {
			if (!ble_class_empty(s, prio)) {
				r = ble_choose(s, prio, now, d);
				break;
			}
		}
	}

	ble_remove(s, r);
	s->prio[r->prio].head[r->dir] = r->pos + r->sectors;
	s->stats.dispatched[r->prio][r->dir]++;
	s->stats.reasons[d->reason]++;
	d->rq = r;

	if (r->dir == BLE_READ && r->sync && r->owner && !r->owner->nr_queued &&
	    ble_antic_worth(s, r->owner, r->pos + r->sectors)) {
		WRITE_ONCE(s->antic, BLE_ANTIC_WAIT_REQ);
		s->antic_owner = r->owner;
		s->antic_end = r->pos + r->sectors;
		s->antic_seek = r->owner->seek_mean;
		/* Bounded while the read is in flight too, by read_expire. */
		s->antic_deadline_ns = now + s->tun.fifo_expire_ns[BLE_READ];
		s->stats.antic_started++;
		d->antic = BLE_ANTIC_START;
	}
}

/**
 * ble_completed() - one of @owner's requests completed.
 * @s: the scheduler.
 * @owner: its process, or NULL.
 * @now: the time.
 *
 * Return: BLE_ANTIC_ARMED if the queue is held for @owner and the wait for
 * its next request starts now (until s->antic_deadline_ns), else
 * BLE_ANTIC_NONE.
 */
enum ble_antic_event ble_completed(struct ble_sched *s,
				   struct ble_owner *owner, u64 now)
{
	if (!owner)
		return BLE_ANTIC_NONE;
	owner->last_completion_ns = now;
	if (s->antic != BLE_ANTIC_WAIT_REQ || s->antic_owner != owner)
		return BLE_ANTIC_NONE;
	WRITE_ONCE(s->antic, BLE_ANTIC_WAIT_NEXT);
	s->antic_deadline_ns = now + s->tun.antic_expire_ns;
	return BLE_ANTIC_ARMED;
}

/**
 * ble_antic_timer() - the anticipation timer fired.
 * @s: the scheduler.
 * @now: the time.
 *
 * Return: BLE_ANTIC_TIMEOUT if this ended a wait, else BLE_ANTIC_NONE (the
 * wait already ended, or was extended).
 */
enum ble_antic_event ble_antic_timer(struct ble_sched *s, u64 now)
{
	if (s->antic == BLE_ANTIC_OFF || now < s->antic_deadline_ns)
		return BLE_ANTIC_NONE;
	WRITE_ONCE(s->antic, BLE_ANTIC_OFF);
	s->stats.antic_timeout++;
	return BLE_ANTIC_TIMEOUT;
}
