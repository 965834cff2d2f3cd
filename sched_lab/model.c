// SPDX-License-Identifier: GPL-2.0
/*
 * sched_lab's shadow fair scheduler (see model.h).
 *
 * CFS is Linux 6.1's kernel/sched/fair.c restricted to one flat run queue
 * of tasks: vruntime advances by delta * 1024 / weight (calc_delta_fair()
 * with the kernel's inverse-weight table, so the rounding is the kernel's),
 * min_vruntime only moves forward, place_entity() puts a woken task at most
 * half a latency period (GENTLE_FAIR_SLEEPERS) behind min_vruntime and a new
 * one a vslice ahead (START_DEBIT), and the pick is the leftmost entity.
 *
 * EEVDF is Debian's 6.12 (which has the later zero_vruntime fixes): V is
 * the weighted average vruntime, kept as a sum of keys relative to a zero
 * point that follows V; an entity is eligible when V >= its vruntime,
 * computed without a division as the kernel does; deadlines are vruntime
 * plus the base slice in virtual time (half of it for a new task);
 * place_entity() keeps an entity's lag across a sleep, inflated by
 * (W + w) / W; the current entity runs to parity (RUN_TO_PARITY); a sleeper
 * that is not eligible stays queued until picked (DELAY_DEQUEUE, with
 * DELAY_ZERO clipping its positive lag).
 *
 * The flat model is Linux 7.3's EEVDF, 6.12's with these changes: every
 * task, grouped or not, is queued on the CPU's one run queue at its
 * hierarchical weight (h_load), at full resolution, and reweighted with
 * its lag kept whenever that weight changes; calc_delta_fair() divides
 * exactly; the lag limit is the largest slice plus a tick; a sleeper's lag
 * is saved when it sleeps, and while it is delayed its lag can only grow,
 * up to 0 (DELAY_ZERO); a delayed sleeper woken with its lag so clamped is
 * placed afresh from that lag.
 *
 * Not modelled, in any: buddies (6.1's next/last/skip, 6.12's and 7.3's
 * next), group entities (6.1 and 6.12: the caller leaves out tasks below
 * the root task group), custom slices, and bandwidth control.
 */

#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/rbtree.h>

#include "model.h"

/* kernel/sched/core.c: nice -20 .. 19, each step about 10 % of CPU time. */
const int sl_prio_to_weight[40] = {
 /* -20 */     88761,     71755,     56483,     46273,     36291,
 /* -15 */     29154,     23254,     18705,     14949,     11916,
 /* -10 */      9548,      7620,      6100,      4904,      3906,
 /*  -5 */      3121,      2501,      1991,      1586,      1277,
 /*   0 */      1024,       820,       655,       526,       423,
 /*   5 */       335,       272,       215,       172,       137,
 /*  10 */       110,        87,        70,        56,        45,
 /*  15 */        36,        29,        23,        18,        15,
};

/* The same table's 2^32 / weight, which calc_delta_fair() multiplies by. */
const u32 sl_prio_to_wmult[40] = {
 /* -20 */     48388,     59856,     76040,     92818,    118348,
 /* -15 */    147320,    184698,    229616,    287308,    360437,
 /* -10 */    449829,    563644,    704093,    875809,   1099582,
 /*  -5 */   1376151,   1717300,   2157191,   2708050,   3363326,
 /*   0 */   4194304,   5237765,   6557202,   8165337,  10153587,
 /*   5 */  12820798,  15790321,  19976592,  24970740,  31350126,
 /*  10 */  39045157,  49367440,  61356676,  76695844,  95443717,
 /*  15 */ 119304647, 148102320, 186737708, 238609294, 286331153,
};

#define SL_WMULT_CONST		(~0U)
#define SL_WMULT_SHIFT		32
#define SL_WMULT_IDLEPRIO	1431655765

/**
 * sl_tunables_init() - the fair class's tunables as the kernel sets them
 * @tun: filled in
 * @kind: CFS (6.1), EEVDF (6.12) or flat EEVDF (7.3)
 * @nr_cpus: online CPUs
 *
 * The kernel scales latency, granularities and the base slice by
 * 1 + log2(min(CPUs, 8)) (SCHED_TUNABLESCALING_LOG, the default).
 */
void sl_tunables_init(struct sl_tunables *tun, enum sl_model_kind kind,
		      unsigned int nr_cpus)
{
	unsigned int factor = 1 + ilog2(clamp(nr_cpus, 1U, 8U));

	tun->kind = kind;
	tun->latency_ns = factor * 6000000ULL;
	tun->min_gran_ns = factor * 750000ULL;
	tun->wakeup_gran_ns = factor * 1000000ULL;
	tun->nr_latency = 8;
	tun->base_slice_ns = factor * 700000ULL;
	tun->nice_0_weight = kind == SL_MODEL_EEVDF_FLAT ? SL_NICE_0_LOAD : SL_NICE_0_WEIGHT;
}

static int sl_weight_index(unsigned long weight)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sl_prio_to_weight); i++)
		if (sl_prio_to_weight[i] == weight)
			return i;
	return -1;
}

/**
 * sl_nice_weight() - a task's load weight
 * @nice: its nice level, -20 to 19 (clamped)
 * @idle: it has the SCHED_IDLE policy, whose weight is 3 whatever its nice
 *
 * Return: the weight the kernel gives it, scaled down (nice 0 is 1024).
 */
unsigned long sl_nice_weight(int nice, bool idle)
{
	if (idle)
		return SL_IDLE_WEIGHT;
	return sl_prio_to_weight[clamp(nice, -20, 19) + 20];
}

/**
 * sl_calc_delta_fair() - virtual time for real time at a weight
 * @tun: the model's tunables, which say the weights' unit
 * @delta: nanoseconds of execution
 * @weight: the entity's weight
 *
 * The kernel's calc_delta_fair(): delta * NICE_0_LOAD / weight. 6.1 and
 * 6.12 multiply by the inverse weight, with its rounding; 7.3 divides
 * exactly on 64-bit.
 *
 * Return: the virtual runtime @delta is worth.
 */
u64 sl_calc_delta_fair(const struct sl_tunables *tun, u64 delta,
		       unsigned long weight)
{
	int shift = SL_WMULT_SHIFT;
	u32 inv, fact_hi;
	u64 fact;
	int index;

	if (weight == tun->nice_0_weight)
		return delta;
	/*
	 * The kernel's product wraps past 2^44 ns, which it never reaches
	 * (it charges per tick); the model charges a whole run at once.
	 */
	if (tun->kind == SL_MODEL_EEVDF_FLAT)
		return mul_u64_u64_div_u64(delta, tun->nice_0_weight, weight);
	index = sl_weight_index(weight);
	if (index >= 0)
		inv = sl_prio_to_wmult[index];
	else if (weight == SL_IDLE_WEIGHT)
		inv = SL_WMULT_IDLEPRIO;
	else
		inv = SL_WMULT_CONST / max(weight, 2UL);
	fact = mul_u32_u32(SL_NICE_0_WEIGHT, inv);
	fact_hi = fact >> 32;
	if (fact_hi) {
		int fs = fls(fact_hi);

		shift -= fs;
		fact >>= fs;
	}
	return mul_u64_u32_shr(delta, fact, shift);
}

static struct sl_entity *node_entity(struct rb_node *node)
{
	return node ? rb_entry(node, struct sl_entity, node) : NULL;
}

static struct sl_entity *first_entity(const struct sl_rq *rq)
{
	return node_entity(rb_first_cached(&rq->tree));
}

static bool is_eevdf(const struct sl_rq *rq)
{
	return rq->tun->kind != SL_MODEL_CFS;
}

static bool is_flat(const struct sl_rq *rq)
{
	return rq->tun->kind == SL_MODEL_EEVDF_FLAT;
}

static u64 calc_delta_fair(const struct sl_rq *rq, u64 delta,
			   const struct sl_entity *se)
{
	return sl_calc_delta_fair(rq->tun, delta, se->weight);
}

/* CFS orders by vruntime, EEVDF by deadline; both wrap-safe. */
static bool entity_before(const struct sl_rq *rq, const struct sl_entity *a,
			  const struct sl_entity *b)
{
	if (is_eevdf(rq))
		return (s64)(a->deadline - b->deadline) < 0;
	return (s64)(a->vruntime - b->vruntime) < 0;
}

static s64 entity_key(const struct sl_rq *rq, const struct sl_entity *se)
{
	return (s64)(se->vruntime - rq->min_vruntime);
}

static void tree_insert(struct sl_rq *rq, struct sl_entity *se)
{
	struct rb_node **link = &rq->tree.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (entity_before(rq, se, node_entity(parent))) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&se->node, parent, link);
	rb_insert_color_cached(&se->node, &rq->tree, leftmost);
	if (is_eevdf(rq)) {
		rq->avg_vruntime += entity_key(rq, se) * (s64)se->weight;
		rq->avg_load += se->weight;
	}
}

static void tree_erase(struct sl_rq *rq, struct sl_entity *se)
{
	rb_erase_cached(&se->node, &rq->tree);
	RB_CLEAR_NODE(&se->node);
	if (is_eevdf(rq)) {
		rq->avg_vruntime -= entity_key(rq, se) * (s64)se->weight;
		rq->avg_load -= se->weight;
	}
}

static bool curr_queued(const struct sl_rq *rq)
{
	return rq->curr && rq->curr->on_rq;
}

/**
 * sl_avg_vruntime() - EEVDF's V, the load-weighted mean vruntime
 * @rq: the run queue
 *
 * The kernel moves its zero point to V whenever it computes it; the model
 * keeps its zero point where it is between updates, which gives the same V.
 *
 * Return: V, rounded down; the zero point if nothing is queued.
 */
u64 sl_avg_vruntime(const struct sl_rq *rq)
{
	s64 avg = rq->avg_vruntime;
	s64 load = rq->avg_load;

	if (curr_queued(rq)) {
		avg += entity_key(rq, rq->curr) * (s64)rq->curr->weight;
		load += rq->curr->weight;
	}
	if (!load)
		return rq->min_vruntime;
	if (avg < 0)
		avg -= load - 1;
	return rq->min_vruntime + div64_s64(avg, load);
}

/* Move the zero point to V, as the kernel's avg_vruntime() does. */
static u64 update_zero_vruntime(struct sl_rq *rq)
{
	u64 avg = sl_avg_vruntime(rq);
	s64 delta = (s64)(avg - rq->min_vruntime);

	rq->avg_vruntime -= (s64)rq->avg_load * delta;
	rq->min_vruntime = avg;
	return avg;
}

/*
 * V >= vruntime without a division: sum of keys >= key * load. 7.3 takes
 * the product in 128 bits, which full-resolution weights need; where
 * 6.12's s64 does not overflow, the two agree.
 */
static bool vruntime_eligible(const struct sl_rq *rq, u64 vruntime)
{
	s64 avg = rq->avg_vruntime;
	s64 load = rq->avg_load;
	s64 key = (s64)(vruntime - rq->min_vruntime);

	if (curr_queued(rq)) {
		avg += entity_key(rq, rq->curr) * (s64)rq->curr->weight;
		load += rq->curr->weight;
	}
#ifdef CONFIG_ARCH_SUPPORTS_INT128
	return avg >= (__int128)key * load;
#else
	return avg >= key * load;
#endif
}

/**
 * sl_eligible() - EEVDF: is an entity owed service (V >= its vruntime)?
 * @rq: its run queue
 * @se: the entity
 *
 * Return: true if eligible.
 */
bool sl_eligible(const struct sl_rq *rq, const struct sl_entity *se)
{
	return vruntime_eligible(rq, se->vruntime);
}

/* CFS: min_vruntime follows the smallest of current and leftmost, forward only. */
static void update_min_vruntime(struct sl_rq *rq)
{
	struct sl_entity *left = first_entity(rq);
	u64 vruntime = rq->min_vruntime;

	if (curr_queued(rq))
		vruntime = rq->curr->vruntime;
	if (left) {
		if (!curr_queued(rq) || (s64)(left->vruntime - vruntime) < 0)
			vruntime = left->vruntime;
	}
	if ((s64)(vruntime - rq->min_vruntime) > 0)
		rq->min_vruntime = vruntime;
}

static u64 cfs_sched_period(const struct sl_rq *rq, unsigned int nr)
{
	if (nr > rq->tun->nr_latency)
		return nr * rq->tun->min_gran_ns;
	return rq->tun->latency_ns;
}

/**
 * sl_sched_vslice() - CFS: an entity's slice of the period in virtual time
 * @rq: the run queue
 * @se: the entity, queued or about to be
 *
 * sched_slice(): the period for the queued tasks (and @se if it is not yet
 * queued), times @se's share of the load, at least the minimum granularity
 * (BASE_SLICE); then calc_delta_fair() of that.
 *
 * Return: the virtual slice.
 */
u64 sl_sched_vslice(const struct sl_rq *rq, const struct sl_entity *se)
{
	unsigned long load = rq->load + (se->on_rq ? 0 : se->weight);
	u64 slice = cfs_sched_period(rq, rq->nr_running + !se->on_rq);

	slice = div64_u64(slice * se->weight, max(load, 1UL));
	slice = max(slice, rq->tun->min_gran_ns);
	return calc_delta_fair(rq, slice, se);
}

/**
 * sl_rq_init() - an empty model run queue
 * @rq: the run queue
 * @tun: tunables, which select the model; they must outlive @rq
 */
void sl_rq_init(struct sl_rq *rq, const struct sl_tunables *tun)
{
	*rq = (struct sl_rq){ .tree = RB_ROOT_CACHED, .tun = tun };
}

/**
 * sl_entity_init() - a task not yet on any model run queue
 * @se: the entity
 * @weight: its load weight (sl_nice_weight())
 * @idle: it has the SCHED_IDLE policy
 */
void sl_entity_init(struct sl_entity *se, unsigned long weight, bool idle)
{
	*se = (struct sl_entity){ .weight = weight, .idle = idle };
	RB_CLEAR_NODE(&se->node);
}

static void cfs_place(struct sl_rq *rq, struct sl_entity *se, bool initial)
{
	u64 vruntime = rq->min_vruntime;

	if (initial) {
		vruntime += sl_sched_vslice(rq, se);		/* START_DEBIT */
	} else {
		/* GENTLE_FAIR_SLEEPERS: sleeps up to half a latency count. */
		u64 thresh = se->idle ? rq->tun->min_gran_ns : rq->tun->latency_ns;

		vruntime -= thresh >> 1;
	}
	if (initial || (s64)(vruntime - se->vruntime) > 0)
		se->vruntime = vruntime;
}

/*
 * How far an entity's lag may go either way: 6.12, two slices but at
 * least a tick; 7.3, the largest queued slice plus a tick (every queued
 * slice is the base slice, custom slices not being modelled).
 */
static s64 eevdf_lag_limit(const struct sl_rq *rq, const struct sl_entity *se)
{
	u64 slice = rq->tun->base_slice_ns;

	if (is_flat(rq))
		return calc_delta_fair(rq, slice + TICK_NSEC, se);
	return calc_delta_fair(rq, max_t(u64, 2 * slice, TICK_NSEC), se);
}

/*
 * Save the entity's lag, V - vruntime within the limit. 7.3 also keeps a
 * delayed sleeper from losing lag while it waits (it keeps the larger of
 * the lag saved at the sleep and now), and DELAY_ZERO from gaining any.
 * Returns true if the lag saved is not V - vruntime (it was clamped).
 */
static bool eevdf_update_lag(struct sl_rq *rq, struct sl_entity *se)
{
	u64 avg = update_zero_vruntime(rq);
	s64 limit = eevdf_lag_limit(rq, se);
	s64 vlag = clamp((s64)(avg - se->vruntime), -limit, limit);

	if (is_flat(rq) && se->delayed)
		vlag = min_t(s64, max(vlag, se->vlag), 0);
	se->vlag = vlag;
	return avg - vlag != se->vruntime;
}

static void eevdf_place(struct sl_rq *rq, struct sl_entity *se, bool initial)
{
	u64 vslice = calc_delta_fair(rq, rq->tun->base_slice_ns, se);
	u64 vruntime = update_zero_vruntime(rq);
	s64 lag = 0;

	if (rq->nr_running) {
		s64 load = rq->avg_load + (curr_queued(rq) ? rq->curr->weight : 0);

		/*
		 * Inflate by (W + w) / W, so that the lag after placement is
		 * the lag saved; written as 7.3 does, so that full-resolution
		 * weights do not overflow (the result is the same: lag and
		 * lag * w / W truncate the same way).
		 */
		lag = se->vlag + div64_s64(se->vlag * (s64)se->weight,
					   max_t(s64, load, 1));
	}
	se->vruntime = vruntime - lag;
	if (se->relative) {
		/* PLACE_REL_DEADLINE: a migrated entity keeps its deadline. */
		se->deadline += se->vruntime;
		return;
	}
	if (initial)
		vslice /= 2;				/* PLACE_DEADLINE_INITIAL */
	se->deadline = se->vruntime + vslice;
}

/*
 * A delayed sleeper is woken. 6.12 (DELAY_ZERO): with positive lag, it is
 * placed afresh at zero lag. 7.3: whenever its lag was clamped, it is
 * placed afresh from the clamped lag, which may be negative.
 */
static void requeue_delayed(struct sl_rq *rq, struct sl_entity *se)
{
	bool clamped = eevdf_update_lag(rq, se);

	if (is_flat(rq) ? clamped : se->vlag > 0) {
		rq->nr_running--;
		if (se != rq->curr)
			tree_erase(rq, se);
		if (!is_flat(rq))
			se->vlag = 0;
		eevdf_place(rq, se, false);
		if (se != rq->curr)
			tree_insert(rq, se);
		rq->nr_running++;
	}
	se->delayed = false;
}

/**
 * sl_enqueue() - an entity joins a run queue
 * @rq: the run queue
 * @se: the entity, not on a run queue
 * @how: woken, new or migrated while queued
 *
 * CFS: a new or migrated entity's vruntime is relative to min_vruntime (as
 * the kernel keeps it across fork and migration) and becomes absolute
 * here; a woken one is placed; a new one was placed at fork (see
 * sl_sched_vslice()). EEVDF: every entity is placed from its lag. A
 * delayed sleeper (still queued) is requeued instead.
 */
void sl_enqueue(struct sl_rq *rq, struct sl_entity *se, enum sl_enqueue_how how)
{
	if (se->on_rq) {
		/* Woken while still queued: EEVDF's delayed sleeper. */
		if (se->delayed)
			requeue_delayed(rq, se);
		return;
	}
	if (is_eevdf(rq)) {
		eevdf_place(rq, se, how == SL_ENQUEUE_NEW);
	} else {
		if (se->relative)
			se->vruntime += rq->min_vruntime;
		if (how == SL_ENQUEUE_WAKEUP)
			cfs_place(rq, se, false);
		/* A new task whose fork the model did not see starts here. */
		else if (how == SL_ENQUEUE_NEW && !se->relative)
			cfs_place(rq, se, true);
	}
	se->relative = false;
	se->delayed = false;
	WRITE_ONCE(se->on_rq, true);
	rq->nr_running++;
	rq->load += se->weight;
	if (se != rq->curr)
		tree_insert(rq, se);
}

static void dequeue_now(struct sl_rq *rq, struct sl_entity *se, bool sleep)
{
	bool was_delayed = se->delayed;

	if (is_eevdf(rq)) {
		eevdf_update_lag(rq, se);
		if (!sleep) {
			se->deadline -= se->vruntime;
			se->relative = true;
		}
	}
	if (se != rq->curr)
		tree_erase(rq, se);
	se->delayed = false;
	rq->nr_running--;
	rq->load -= se->weight;
	if (!is_eevdf(rq) && !sleep) {
		se->vruntime -= rq->min_vruntime;
		se->relative = true;
	}
	/* 6.12's DELAY_ZERO: a delayed sleeper leaves with no positive lag. */
	if (is_eevdf(rq) && !is_flat(rq) && was_delayed && se->vlag > 0)
		se->vlag = 0;
	/*
	 * Last: another CPU that sees it off the queue (sched_lab's on_rq())
	 * may then take the entity over, or give its task's slot away.
	 */
	smp_store_release(&se->on_rq, false);
	if (!is_eevdf(rq))
		update_min_vruntime(rq);
}

/**
 * sl_dequeue() - an entity leaves its run queue
 * @rq: the run queue
 * @se: the entity, on @rq
 * @sleep: it went to sleep (else it migrates or leaves the fair class)
 *
 * A migrating entity's vruntime (CFS) or deadline (EEVDF) becomes relative.
 * EEVDF keeps a sleeper that is not eligible queued, delayed, until it is
 * picked or woken; 7.3 saves its lag first.
 */
void sl_dequeue(struct sl_rq *rq, struct sl_entity *se, bool sleep)
{
	bool was_delayed = se->delayed;

	if (is_eevdf(rq) && sleep && !was_delayed && !sl_eligible(rq, se)) {
		if (is_flat(rq))
			eevdf_update_lag(rq, se);
		se->delayed = true;
		return;
	}
	dequeue_now(rq, se, sleep);
}

/**
 * sl_update_curr() - charge the current entity for its execution
 * @rq: the run queue
 * @delta_exec: nanoseconds it ran since the last charge
 *
 * EEVDF: a task that reaches its deadline gets a new one a slice further
 * (update_deadline()).
 */
void sl_update_curr(struct sl_rq *rq, u64 delta_exec)
{
	struct sl_entity *curr = rq->curr;

	if (!curr)
		return;
	curr->vruntime += calc_delta_fair(rq, delta_exec, curr);
	if (!is_eevdf(rq)) {
		update_min_vruntime(rq);
		return;
	}
	if ((s64)(curr->vruntime - curr->deadline) >= 0) {
		curr->deadline = curr->vruntime +
			calc_delta_fair(rq, rq->tun->base_slice_ns, curr);
		curr->protected = false;
		update_zero_vruntime(rq);
	}
}

static struct sl_entity *pick_eevdf(struct sl_rq *rq)
{
	struct sl_entity *curr = curr_queued(rq) ? rq->curr : NULL;
	struct sl_entity *best = NULL, *se;
	struct rb_node *node;

	if (rq->nr_running == 1)
		return curr ?: first_entity(rq);
	if (curr && !sl_eligible(rq, curr))
		curr = NULL;
	if (curr && curr->protected)			/* RUN_TO_PARITY */
		return curr;
	/* The earliest deadline among the eligible: the tree is in deadline order. */
	for (node = rb_first_cached(&rq->tree); node; node = rb_next(node)) {
		se = node_entity(node);
		if (sl_eligible(rq, se)) {
			best = se;
			break;
		}
	}
	if (!best || (curr && entity_before(rq, curr, best)))
		best = curr;
	return best;
}

/**
 * sl_pick() - the entity the model would run next
 * @rq: the run queue, its current entity still current
 *
 * CFS: the smaller vruntime of the leftmost entity and the current one.
 * EEVDF: pick_eevdf(); a delayed sleeper it picks is dequeued for good and
 * the pick repeated, as pick_next_entity() does.
 *
 * Return: the entity, or NULL if nothing is queued.
 */
struct sl_entity *sl_pick(struct sl_rq *rq)
{
	struct sl_entity *se;

	if (!is_eevdf(rq)) {
		se = first_entity(rq);
		if (curr_queued(rq) && (!se || entity_before(rq, rq->curr, se)))
			se = rq->curr;
		return se;
	}
	while ((se = pick_eevdf(rq)) && se->delayed)
		sl_dequeue(rq, se, true);
	return se;
}

/**
 * sl_put_curr() - the current entity leaves the CPU
 * @rq: the run queue
 *
 * If it is still queued, it goes back into the tree.
 */
void sl_put_curr(struct sl_rq *rq)
{
	struct sl_entity *curr = rq->curr;

	if (!curr)
		return;
	rq->curr = NULL;
	curr->protected = false;
	if (curr->on_rq)
		tree_insert(rq, curr);
}

/**
 * sl_set_curr() - an entity takes the CPU
 * @rq: the run queue, with no current entity
 * @se: the entity, queued on @rq
 *
 * It leaves the tree; EEVDF protects its slice (RUN_TO_PARITY).
 */
void sl_set_curr(struct sl_rq *rq, struct sl_entity *se)
{
	tree_erase(rq, se);
	rq->curr = se;
	se->protected = true;
	if (!is_eevdf(rq))
		update_min_vruntime(rq);
}

/**
 * sl_sync() - take the kernel's figures for the current entity
 * @rq: the run queue
 * @se: its current entity
 * @vruntime: the kernel's vruntime for it
 * @deadline: the kernel's deadline (EEVDF only)
 *
 * The model predicts one step ahead: each time a task is picked its
 * figures are reset to the kernel's, so that errors do not accumulate.
 */
void sl_sync(struct sl_rq *rq, struct sl_entity *se, u64 vruntime, u64 deadline)
{
	se->vruntime = vruntime;
	if (is_eevdf(rq))
		se->deadline = deadline;
	else
		update_min_vruntime(rq);
}

/*
 * 7.3's reweight_eevdf(): the lag, and the deadline relative to V, scale
 * by old / new weight, which keeps the entity's lag in real time and
 * leaves V where it was. A queued entity's lag is taken afresh (clamped,
 * replacing what a delayed sleeper saved); one not queued keeps its saved
 * lag, scaled, and its deadline if that is relative (it is migrating).
 */
static void flat_reweight(struct sl_rq *rq, struct sl_entity *se,
			  unsigned long weight)
{
	bool queued = rq && se->on_rq;
	bool in_tree = queued && se != rq->curr;
	s64 old = se->weight;
	u64 avg = 0;

	if (queued) {
		s64 limit = eevdf_lag_limit(rq, se);

		avg = update_zero_vruntime(rq);
		se->vlag = clamp((s64)(avg - se->vruntime), -limit, limit);
		se->deadline -= avg;
		if (in_tree)
			tree_erase(rq, se);
		rq->load += weight - se->weight;
	}
	se->vlag = div64_s64(se->vlag * old, weight);
	if (queued || se->relative)
		se->deadline = div64_s64((s64)se->deadline * old, weight);
	se->weight = weight;
	if (queued) {
		se->deadline += avg;
		se->vruntime = avg - se->vlag;
		if (in_tree)
			tree_insert(rq, se);
	}
}

/**
 * sl_reweight() - an entity's weight changes
 * @tun: the model's tunables
 * @rq: its run queue, or NULL if it is not queued
 * @se: the entity
 * @weight: the new weight
 *
 * CFS and 6.12's EEVDF (nice and policy changes): vruntime is kept and
 * the deadline not rescaled (the kernel's reweight_entity() does, which
 * the model leaves out). The flat model (nice, policy and hierarchical
 * weight changes, which 7.3 applies at every enqueue and pick) keeps the
 * entity's lag, as 7.3 does.
 */
void sl_reweight(const struct sl_tunables *tun, struct sl_rq *rq,
		 struct sl_entity *se, unsigned long weight)
{
	bool in_tree = rq && se->on_rq && se != rq->curr;

	if (tun->kind == SL_MODEL_EEVDF_FLAT) {
		flat_reweight(rq, se, weight);
		return;
	}
	if (in_tree)
		tree_erase(rq, se);
	if (rq && se->on_rq)
		rq->load += weight - se->weight;
	se->weight = weight;
	if (in_tree)
		tree_insert(rq, se);
}
