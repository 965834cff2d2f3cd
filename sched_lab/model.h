/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_lab's shadow fair scheduler: one model run queue per CPU, fed the
 * events the real scheduler's tracepoints report, predicting each pick and
 * each task's vruntime. Three models behind one interface: Linux 6.1's
 * CFS, 6.12's EEVDF (as Debian's 6.12 has it) and 7.3's EEVDF, which queues
 * every task on one flat run queue at its hierarchical weight. Pure
 * arithmetic: no locking,
 * no task_struct; the caller serialises all calls on one run queue (the
 * real run queue's lock, held when the scheduler's tracepoints fire).
 */
#ifndef SCHED_LAB_MODEL_H
#define SCHED_LAB_MODEL_H

#include <linux/rbtree.h>
#include <linux/types.h>

enum sl_model_kind {
	SL_MODEL_CFS,
	SL_MODEL_EEVDF,
	SL_MODEL_EEVDF_FLAT,
};

/* A nice-0 task's weight, as scale_load_down() gives it. */
#define SL_NICE_0_WEIGHT	1024
/* The same at full resolution, as 7.3's h_load carries it (NICE_0_LOAD). */
#define SL_NICE_0_LOAD		BIT(20)
/* SCHED_IDLE's weight (WEIGHT_IDLEPRIO). */
#define SL_IDLE_WEIGHT		3

extern const int sl_prio_to_weight[40];
extern const u32 sl_prio_to_wmult[40];

/**
 * struct sl_tunables - the fair class's tunables, as the kernel sets them
 * @kind: which model
 * @latency_ns: CFS: sysctl_sched_latency
 * @min_gran_ns: CFS: sysctl_sched_min_granularity
 * @wakeup_gran_ns: CFS: sysctl_sched_wakeup_granularity
 * @nr_latency: CFS: sched_nr_latency
 * @base_slice_ns: EEVDF: sysctl_sched_base_slice
 * @nice_0_weight: a nice-0 task's weight in the unit the model's weights
 *	are in: %SL_NICE_0_WEIGHT, or %SL_NICE_0_LOAD for the flat model
 */
struct sl_tunables {
	enum sl_model_kind kind;
	u64 latency_ns;
	u64 min_gran_ns;
	u64 wakeup_gran_ns;
	unsigned int nr_latency;
	u64 base_slice_ns;
	unsigned long nice_0_weight;
};

/**
 * struct sl_entity - a task as the model sees it
 * @node: in the run queue's tree, while queued and not current
 * @vruntime: virtual runtime (relative to the queue's min_vruntime while
 *	@relative is set)
 * @deadline: EEVDF: virtual deadline (relative while @relative)
 * @vlag: EEVDF: lag saved at dequeue
 * @weight: load weight, 15 (nice 19) to 88761 (nice -20), 3 for SCHED_IDLE;
 *	in the flat model the hierarchical weight, at full resolution (2 to
 *	88761 << 10)
 * @idle: SCHED_IDLE policy
 * @on_rq: queued (current or in the tree)
 * @delayed: EEVDF: sleeping but kept queued until eligible (DELAY_DEQUEUE)
 * @relative: vruntime and deadline are relative, the entity is migrating
 * @protected: EEVDF: current and within the slice it was picked for
 *	(RUN_TO_PARITY)
 */
struct sl_entity {
	struct rb_node node;
	u64 vruntime;
	u64 deadline;
	s64 vlag;
	unsigned long weight;
	bool idle;
	bool on_rq;
	bool delayed;
	bool relative;
	bool protected;
};

/**
 * struct sl_rq - a model run queue (one CPU's root fair run queue)
 * @tree: queued entities but the current one, by vruntime (CFS) or
 *	deadline (EEVDF)
 * @curr: the entity on the CPU, if it is a modelled fair task
 * @tun: tunables
 * @nr_running: queued entities, current included
 * @load: their total weight
 * @min_vruntime: CFS: monotonic minimum vruntime; EEVDF: the zero point
 *	of @avg_vruntime (the kernel's zero_vruntime)
 * @avg_vruntime: EEVDF: sum of (vruntime - zero point) * weight over @tree
 * @avg_load: EEVDF: sum of weights over @tree
 */
struct sl_rq {
	struct rb_root_cached tree;
	struct sl_entity *curr;
	const struct sl_tunables *tun;
	unsigned int nr_running;
	unsigned long load;
	u64 min_vruntime;
	s64 avg_vruntime;
	u64 avg_load;
};

/* How an entity enters a run queue. */
enum sl_enqueue_how {
	SL_ENQUEUE_WAKEUP,	/* woken from sleep */
	SL_ENQUEUE_NEW,		/* forked, first wake-up */
	SL_ENQUEUE_MIGRATED,	/* moved here while queued */
};

void sl_tunables_init(struct sl_tunables *tun, enum sl_model_kind kind,
		      unsigned int nr_cpus);
unsigned long sl_nice_weight(int nice, bool idle);
u64 sl_calc_delta_fair(const struct sl_tunables *tun, u64 delta,
		       unsigned long weight);
u64 sl_sched_vslice(const struct sl_rq *rq, const struct sl_entity *se);

void sl_rq_init(struct sl_rq *rq, const struct sl_tunables *tun);
void sl_entity_init(struct sl_entity *se, unsigned long weight, bool idle);
void sl_enqueue(struct sl_rq *rq, struct sl_entity *se,
		enum sl_enqueue_how how);
void sl_dequeue(struct sl_rq *rq, struct sl_entity *se, bool sleep);
void sl_update_curr(struct sl_rq *rq, u64 delta_exec);
struct sl_entity *sl_pick(struct sl_rq *rq);
void sl_set_curr(struct sl_rq *rq, struct sl_entity *se);
void sl_put_curr(struct sl_rq *rq);
void sl_reweight(const struct sl_tunables *tun, struct sl_rq *rq,
		 struct sl_entity *se, unsigned long weight);
void sl_sync(struct sl_rq *rq, struct sl_entity *se, u64 vruntime,
	     u64 deadline);
u64 sl_avg_vruntime(const struct sl_rq *rq);
bool sl_eligible(const struct sl_rq *rq, const struct sl_entity *se);

#endif /* SCHED_LAB_MODEL_H */
