// SPDX-License-Identifier: GPL-2.0
/*
 * sched_lab's event core (see lab.h): the task table, latency samples and
 * the model's bookkeeping around sched_switch, sched_wakeup(_new),
 * sched_migrate_task, sched_process_fork and sched_process_exit.
 */

#include <linux/hash.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "lab.h"

const char *const sl_miss_names[SL_MISS_NR] = {
	[SL_MISS_WAKEUP] = "wakeup_preemption",
	[SL_MISS_MIGRATION] = "migration",
	[SL_MISS_RT_DL] = "rt_dl",
	[SL_MISS_CGROUP] = "cgroup",
	[SL_MISS_IDLE] = "idle",
	[SL_MISS_UNSEEN] = "unseen",
	[SL_MISS_OTHER] = "other",
};

/* Probes per lookup: past this many taken slots the table counts as full. */
#define SL_MAX_PROBES	64

/**
 * sl_lab_init() - set up an empty sched_lab
 * @lab: zeroed
 * @nr_slots: task table size, a power of two
 * @kind: which model
 * @nr_cpus: online CPUs, which scale the model's tunables
 *
 * Return: 0, -EINVAL for a bad size, or -ENOMEM.
 */
int sl_lab_init(struct sl_lab *lab, unsigned int nr_slots,
		enum sl_model_kind kind, unsigned int nr_cpus)
{
	if (!nr_slots || !is_power_of_2(nr_slots))
		return -EINVAL;
	lab->tasks = vzalloc(array_size(nr_slots, sizeof(*lab->tasks)));
	if (!lab->tasks)
		return -ENOMEM;
	lab->cpu = alloc_percpu(struct sl_cpu);
	if (!lab->cpu) {
		vfree(lab->tasks);
		lab->tasks = NULL;
		return -ENOMEM;
	}
	lab->nr_slots = nr_slots;
	sl_tunables_init(&lab->tun, kind, nr_cpus);
	sl_lab_reset(lab);
	return 0;
}

/**
 * sl_lab_destroy() - free what sl_lab_init() allocated
 * @lab: no events may be running on it
 */
void sl_lab_destroy(struct sl_lab *lab)
{
	free_percpu(lab->cpu);
	vfree(lab->tasks);
}

/**
 * sl_lab_reset() - forget every task, sample and count
 * @lab: no events may be running on it
 */
void sl_lab_reset(struct sl_lab *lab)
{
	int cpu;

	memset(lab->tasks, 0, array_size(lab->nr_slots, sizeof(*lab->tasks)));
	atomic64_set(&lab->untracked, 0);
	for_each_possible_cpu(cpu) {
		struct sl_cpu *c = per_cpu_ptr(lab->cpu, cpu);

		memset(c, 0, sizeof(*c));
		sl_rq_init(&c->rq, &lab->tun);
		init_llist_head(&c->inbox);
	}
}

/**
 * sl_lab_filtered() - is a task left out of the histograms and counters?
 * @lab: sched_lab
 * @p: the task
 *
 * Return: true if a PID or TGID filter is set and @p does not match it.
 */
bool sl_lab_filtered(const struct sl_lab *lab, const struct sl_task_info *p)
{
	pid_t pid = READ_ONCE(lab->filter_pid), tgid = READ_ONCE(lab->filter_tgid);

	return (pid && p->pid != pid) || (tgid && p->tgid != tgid);
}

static unsigned int slot_of(const struct sl_lab *lab, unsigned long id, unsigned int i)
{
	return (hash_long(id, ilog2(lab->nr_slots)) + i) & (lab->nr_slots - 1);
}

/**
 * sl_lab_find() - a living task's slot
 * @lab: sched_lab
 * @p: the task: its id
 *
 * Return: the slot, or NULL if the task has none (dead tasks' slots are
 * keyed by their id with SL_KEY_DEAD).
 */
struct sl_task *sl_lab_find(struct sl_lab *lab, const struct sl_task_info *p)
{
	unsigned int i;

	for (i = 0; i < min_t(unsigned int, SL_MAX_PROBES, lab->nr_slots); i++) {
		struct sl_task *t = &lab->tasks[slot_of(lab, p->id, i)];
		/* Pairs with task_get()'s release: the slot is initialised. */
		unsigned long key = smp_load_acquire(&t->key);

		if (key == p->id)
			return t;
		if (!key)
			return NULL;
	}
	return NULL;
}

/*
 * A task's weight in the model's unit: 7.3's hierarchical weight as the
 * kernel last computed it, else its nice level's (or SCHED_IDLE's).
 */
static unsigned long task_weight(const struct sl_lab *lab,
				 const struct sl_task_info *p)
{
	unsigned long weight = sl_nice_weight(p->nice, p->policy == SCHED_IDLE);

	if (lab->tun.kind != SL_MODEL_EEVDF_FLAT)
		return weight;
	/* 0 only for a task never queued (init_task's children inherit it). */
	return p->h_weight ?: weight * (SL_NICE_0_LOAD / SL_NICE_0_WEIGHT);
}

static void task_init(struct sl_lab *lab, struct sl_task *t,
		      const struct sl_task_info *p)
{
	/* All but the key, SL_KEY_CLAIMED meanwhile. */
	BUILD_BUG_ON(offsetof(struct sl_task, key));
	memset((char *)t + sizeof(t->key), 0, sizeof(*t) - sizeof(t->key));
	WRITE_ONCE(t->pid, p->pid);
	t->tgid = p->tgid;
	strscpy(t->comm, p->comm, sizeof(t->comm));
	t->policy = p->policy;
	t->nice = p->nice;
	t->model_cpu = -1;
	sl_entity_init(&t->se, task_weight(lab, p), p->policy == SCHED_IDLE);
}

/*
 * The task's slot, claimed if it has none: the first free slot of its
 * probe chain, else a dead task's (slots are never freed, so chains stay
 * whole). A slot is claimed by one cmpxchg() of its key, from 0 or from a
 * dead task's key to SL_KEY_CLAIMED, so of two CPUs that want the same
 * slot one wins and the other looks further; the id is set once the slot
 * is initialised. A new task at a dead one's address (its id) claims a
 * slot like any other; the dead one's slot keeps its counts until taken. A
 * task that died in another CPU's inbox has its dead key at once, so that
 * no task finds the slot, but a claimer puts the slot back until that CPU
 * has evicted it.
 */
static struct sl_task *task_get(struct sl_lab *lab,
				const struct sl_task_info *p)
{
	unsigned int i, probes = min_t(unsigned int, SL_MAX_PROBES, lab->nr_slots);
	struct sl_task *t;
	unsigned long key, seen;

	t = sl_lab_find(lab, p);
	if (t)
		return t;
	for (i = 0; i < probes; i++) {
		t = &lab->tasks[slot_of(lab, p->id, i)];
		if (!READ_ONCE(t->key) && !cmpxchg(&t->key, 0, SL_KEY_CLAIMED))
			goto claimed;
	}
	for (i = 0; i < probes; i++) {
		t = &lab->tasks[slot_of(lab, p->id, i)];
		/* Still dead after a lost race: taken and died again meanwhile. */
		for (key = READ_ONCE(t->key); sl_key_dead(key); key = seen) {
			/* Died in another CPU's inbox, which still evicts it. */
			if (!sl_task_settled(t))
				break;
			seen = cmpxchg(&t->key, key, SL_KEY_CLAIMED);
			if (seen != key)
				continue;
			/*
			 * Again: the read above may predate the dead key. The
			 * cmpxchg() orders this one after it.
			 */
			if (sl_task_settled(t))
				goto claimed;
			/* Nothing written to the slot: put it back as it was. */
			WRITE_ONCE(t->key, key);
			break;
		}
	}
	atomic64_inc(&lab->untracked);
	return NULL;
claimed:
	task_init(lab, t, p);
	/* Pairs with sl_lab_find()'s acquire. */
	smp_store_release(&t->key, p->id);
	return t;
}

/* 6.1 and 6.12 queue grouped tasks below a group entity, not modelled. */
static bool modelled(const struct sl_lab *lab, const struct sl_task_info *p)
{
	return p->fair && (!p->grouped || lab->tun.kind == SL_MODEL_EEVDF_FLAT);
}

/* Queued on a model, as another CPU may see it. */
static bool on_rq(const struct sl_task *t)
{
	/* Pairs with dequeue_now()'s release: that CPU is done with it. */
	return smp_load_acquire(&t->se.on_rq);
}

/*
 * Drop a task sent to @c's inbox from @c's model queue. Under @c's
 * run-queue lock.
 */
static void evict(struct sl_cpu *c, struct sl_task *t)
{
	if (c->rq.curr == &t->se)
		sl_put_curr(&c->rq);
	if (t->se.on_rq)
		sl_dequeue(&c->rq, &t->se, false);
	t->se.relative = false;
	/*
	 * Whatever another CPU asked for meanwhile (BUSY_EVICT) is done.
	 * Pairs with sl_task_settled(): this CPU is done with the task.
	 */
	atomic_set_release(&t->xfer, SL_XFER_NONE);
}

/*
 * Take in the tasks that migrated to @cpu while queued, drop those to be
 * evicted from its model queue. Under @cpu's run-queue lock. While it
 * works on a task, the task's state is one of SL_XFER_BUSY*: a CPU that
 * wants it evicted meanwhile says so there instead of touching it.
 */
static void drain_inbox(struct sl_lab *lab, int cpu)
{
	struct sl_cpu *c = per_cpu_ptr(lab->cpu, cpu);
	struct llist_node *list = llist_del_all(&c->inbox);
	struct sl_task *t, *tmp;

	llist_for_each_entry_safe(t, tmp, list, inbox) {
		int xfer = atomic_xchg(&t->xfer, SL_XFER_BUSY);

		if (xfer == SL_XFER_MOVE) {
			sl_enqueue(&c->rq, &t->se, SL_ENQUEUE_MIGRATED);
			WRITE_ONCE(t->model_cpu, cpu);
			if (atomic_cmpxchg_release(&t->xfer, SL_XFER_BUSY,
						   SL_XFER_NONE) == SL_XFER_BUSY)
				continue;
		}
		evict(c, t);
	}
}

/* What a request to evict turns each state into. */
static int xfer_evicting(int xfer)
{
	switch (xfer) {
	case SL_XFER_MOVE:
		return SL_XFER_EVICT;
	case SL_XFER_BUSY:
		return SL_XFER_BUSY_EVICT;
	default:
		return xfer;
	}
}

/*
 * Take a task out of the model: it left the fair class, joined a task
 * group, died, or the model lost track of it. @cpu is the CPU whose
 * run-queue lock the caller holds (-1 if none); a model queue of another
 * CPU is only touched by that CPU, so the task is sent to its inbox, or,
 * already in one, marked to be evicted there.
 */
static void model_detach(struct sl_lab *lab, struct sl_task *t, int cpu)
{
	int xfer = atomic_read_acquire(&t->xfer);
	struct sl_rq *rq;
	int model_cpu;

	t->synced = false;
	while (xfer != SL_XFER_NONE) {
		int want = xfer_evicting(xfer);

		if (want == xfer || atomic_cmpxchg(&t->xfer, xfer, want) == xfer)
			return;
		/* A failed cmpxchg() orders nothing: read again. */
		xfer = atomic_read_acquire(&t->xfer);
	}
	if (!on_rq(t))
		return;
	model_cpu = READ_ONCE(t->model_cpu);
	if (model_cpu != cpu) {
		atomic_set(&t->xfer, SL_XFER_EVICT);
		llist_add(&t->inbox, &per_cpu_ptr(lab->cpu, model_cpu)->inbox);
		return;
	}
	rq = &per_cpu_ptr(lab->cpu, cpu)->rq;
	if (rq->curr == &t->se)
		sl_put_curr(rq);
	sl_dequeue(rq, &t->se, false);
	t->se.relative = false;
}

/*
 * Follow nice and policy changes, which have no tracepoint, and 7.3's
 * hierarchical weight, which the kernel updates at each enqueue and pick.
 */
static void model_refresh(struct sl_lab *lab, struct sl_task *t,
			  const struct sl_task_info *p, int cpu)
{
	unsigned long weight = task_weight(lab, p);
	bool settled_now = sl_task_settled(t), queued = on_rq(t);
	bool queued_here = settled_now && queued && READ_ONCE(t->model_cpu) == cpu;

	t->policy = p->policy;
	t->nice = p->nice;
	if (!modelled(lab, p)) {
		model_detach(lab, t, cpu);
		return;
	}
	/* One in another CPU's queue or inbox is that CPU's to change. */
	if (!queued_here && !(settled_now && !queued))
		return;
	t->se.idle = p->policy == SCHED_IDLE;
	if (weight != t->se.weight)
		sl_reweight(&lab->tun,
			    queued_here ? &per_cpu_ptr(lab->cpu, cpu)->rq : NULL,
			    &t->se, weight);
}

/*
 * A slot found live under the id of a task just born belongs to a dead
 * task whose last switch out sched_lab did not see (recording was
 * stopped), whose task_struct the new task got: retire it as that switch
 * out would have (its entity left to its CPU, through the inbox), so that
 * the new task claims a slot of its own. Nothing else is about the dead
 * task any more, nor yet about the new one. @cpu: as for model_detach().
 */
static void task_retire_stale(struct sl_lab *lab, struct sl_task *t,
			      const struct sl_task_info *p, int cpu)
{
	model_detach(lab, t, cpu);
	/* As switch_out()'s: the slot's last stores come before a claimer's. */
	smp_store_release(&t->key, p->id | SL_KEY_DEAD);
}

/**
 * sl_lab_wakeup() - sched_wakeup or sched_wakeup_new
 * @lab: sched_lab
 * @cpu: the CPU the task was woken on (whose run queue lock is held,
 *	unless @self)
 * @p: the task
 * @self: the task woke itself, still running (no lock is held then:
 *	the wake-up is only counted)
 * @new: first wake-up after fork
 * @now: timestamp, ns
 *
 * A task neither running nor already queued starts waiting; the model
 * queues it (placed as a wake-up or a new task).
 */
void sl_lab_wakeup(struct sl_lab *lab, int cpu, const struct sl_task_info *p,
		   bool self, bool new, u64 now)
{
	struct sl_cpu *c = per_cpu_ptr(lab->cpu, cpu);
	struct sl_task *t;

	if (self) {
		/*
		 * No lock is held, and another CPU may be waking the task
		 * too, under its run-queue lock: only count, apart, in the
		 * slot the running task has. One not seen yet is not
		 * claimed here, where that other CPU may be claiming one.
		 */
		t = sl_lab_find(lab, p);
		if (t && !sl_lab_filtered(lab, p))
			atomic_long_inc(&t->self_wakeups);
		return;
	}
	if (new) {
		/* One its fork did not claim is a dead task's: see above. */
		t = sl_lab_find(lab, p);
		if (t && !t->forked)
			task_retire_stale(lab, t, p, cpu);
	}
	t = task_get(lab, p);
	if (!t)
		return;
	t->forked = false;
	if (!sl_lab_filtered(lab, p))
		t->stats.wakeups++;
	if (!t->running && !t->queued_at) {
		t->queued_at = now;
		t->wait = SL_WAIT_WAKEUP;
	}
	drain_inbox(lab, cpu);
	t->woken_switch = c->switches + 1;
	model_refresh(lab, t, p, cpu);
	if (!modelled(lab, p) || !sl_task_settled(t))
		return;
	if (on_rq(t) && READ_ONCE(t->model_cpu) != cpu) {
		/* Still queued elsewhere, as far as the model knows: it missed a move. */
		model_detach(lab, t, cpu);
		return;
	}
	sl_enqueue(&c->rq, &t->se, new ? SL_ENQUEUE_NEW : SL_ENQUEUE_WAKEUP);
	WRITE_ONCE(t->model_cpu, cpu);
}

static enum sl_miss classify(const struct sl_lab *lab, int cpu,
			     const struct sl_task_info *next,
			     const struct sl_task *tn,
			     const struct sl_entity *pick)
{
	const struct sl_cpu *c = per_cpu_ptr(lab->cpu, cpu);

	if (next && !next->fair)
		return SL_MISS_RT_DL;
	if (!next)
		return SL_MISS_IDLE;
	if (!modelled(lab, next))
		return SL_MISS_CGROUP;
	if (!tn)
		return SL_MISS_OTHER;
	if (tn->migrated)
		return SL_MISS_MIGRATION;
	if (!on_rq(tn) || READ_ONCE(tn->model_cpu) != cpu)
		return SL_MISS_UNSEEN;
	if (tn->woken_switch == c->switches)
		return SL_MISS_WAKEUP;
	if (!pick)
		return SL_MISS_IDLE;
	return SL_MISS_OTHER;
}

static void switch_out(struct sl_lab *lab, int cpu, struct sl_task *t,
		       const struct sl_task_info *prev, bool runnable,
		       bool voluntary, bool dead, u64 now)
{
	struct sl_rq *rq = &per_cpu_ptr(lab->cpu, cpu)->rq;
	u64 ran = t->running ? now - t->ran_since : 0;

	if (!sl_lab_filtered(lab, prev)) {
		t->stats.runtime_ns += ran;
		if (voluntary)
			t->stats.voluntary++;
		else
			t->stats.involuntary++;
	}
	/* An execve() since the switch in may have changed both. */
	strscpy(t->comm, prev->comm, sizeof(t->comm));
	WRITE_ONCE(t->pid, prev->pid);
	t->running = false;
	t->queued_at = runnable ? now : 0;
	t->wait = SL_WAIT_PREEMPTED;
	/* The run is charged at the weight it ran at, as the kernel does. */
	if (rq->curr == &t->se)
		sl_update_curr(rq, ran);
	model_refresh(lab, t, prev, cpu);
	if (rq->curr == &t->se && !runnable)
		sl_dequeue(rq, &t->se, true);
	if (dead) {
		/* No pointer into the slot may outlive it: the model's current. */
		if (rq->curr == &t->se)
			sl_put_curr(rq);
		/* Or left to another CPU's inbox: see task_get(). */
		model_detach(lab, t, cpu);
		/* Orders this CPU's last stores to the slot before its next claimer's. */
		smp_store_release(&t->key, prev->id | SL_KEY_DEAD);
	}
}

static void switch_in(struct sl_lab *lab, int cpu, struct sl_task *t,
		      const struct sl_task_info *next, u64 now,
		      struct sl_switch_result *res)
{
	struct sl_cpu *c = per_cpu_ptr(lab->cpu, cpu);
	struct sl_rq *rq = &c->rq;

	strscpy(t->comm, next->comm, sizeof(t->comm));
	WRITE_ONCE(t->pid, next->pid);
	if (t->queued_at) {
		u64 wait_ns = now - t->queued_at;

		if (!sl_lab_filtered(lab, next)) {
			res->waited = true;
			res->wait = t->wait;
			res->wait_ns = wait_ns;
			sl_hist_record(&c->lat[t->wait], res->wait_ns);
			t->stats.waits++;
			t->stats.wakeup_waits += t->wait == SL_WAIT_WAKEUP;
			t->stats.wait_ns += res->wait_ns;
			t->stats.wait_max_ns = max(t->stats.wait_max_ns, res->wait_ns);
		}
		t->queued_at = 0;
	}
	t->running = true;
	t->ran_since = now;
	t->migrated = false;
	model_refresh(lab, t, next, cpu);
	if (!modelled(lab, next) || !sl_task_settled(t))
		return;
	if (on_rq(t) && READ_ONCE(t->model_cpu) != cpu) {
		/* Queued on another CPU's model: drop it, take it up later. */
		model_detach(lab, t, cpu);
		return;
	}
	if (!t->se.on_rq) {
		/* Unseen until now: the model takes it as the kernel has it. */
		t->se.vruntime = next->vruntime;
		t->se.deadline = next->deadline;
		t->se.relative = false;
		sl_enqueue(rq, &t->se, SL_ENQUEUE_MIGRATED);
		WRITE_ONCE(t->model_cpu, cpu);
		t->synced = false;
	}
	sl_set_curr(rq, &t->se);
	if (t->synced) {
		s64 err = (s64)(t->se.vruntime - next->vruntime);
		u64 moved = abs((s64)(next->vruntime - t->last_vruntime));

		t->stats.vr_samples++;
		t->stats.vr_err_last_ns = err;
		t->stats.vr_err_abs_ns += abs(err);
		t->stats.vr_delta_abs_ns += moved;
		c->vr_samples++;
		c->vr_err_abs_ns += abs(err);
		c->vr_delta_abs_ns += moved;
	}
	sl_sync(rq, &t->se, next->vruntime, next->deadline);
	t->synced = true;
	t->last_vruntime = next->vruntime;
}

/**
 * sl_lab_switch() - sched_switch
 * @lab: sched_lab
 * @cpu: the CPU switching
 * @prev: the task leaving it; NULL for the idle task
 * @prev_runnable: it stays queued (preempted, yielded)
 * @prev_voluntary: the kernel counts it as a voluntary switch (nvcsw)
 * @prev_dead: it has exited: its last switch
 * @next: the task taking the CPU; NULL for the idle task
 * @now: timestamp, ns
 * @res: filled in: the latency sample, the model's verdict
 *
 * The model charges @prev for its run, dequeues it if it sleeps, picks,
 * and is compared with @next; then @next becomes its current task, with
 * the kernel's vruntime, which the model's is checked against first.
 */
void sl_lab_switch(struct sl_lab *lab, int cpu, const struct sl_task_info *prev,
		   bool prev_runnable, bool prev_voluntary, bool prev_dead,
		   const struct sl_task_info *next, u64 now,
		   struct sl_switch_result *res)
{
	struct sl_cpu *c = per_cpu_ptr(lab->cpu, cpu);
	struct sl_task *tp = NULL, *tn = NULL;
	struct sl_entity *pick;

	memset(res, 0, sizeof(*res));
	drain_inbox(lab, cpu);
	c->switches++;
	if (prev) {
		tp = task_get(lab, prev);
		if (tp)
			switch_out(lab, cpu, tp, prev, prev_runnable,
				   prev_voluntary, prev_dead, now);
	}
	pick = sl_pick(&c->rq);
	if (next)
		tn = task_get(lab, next);
	if (pick)
		/* Its PID as last seen: its slot is not claimed while queued. */
		res->predicted_pid = READ_ONCE(container_of(pick, struct sl_task, se)->pid);
	res->matched = next ? tn && modelled(lab, next) && pick == &tn->se : !pick;
	if (res->matched) {
		c->matches++;
	} else {
		res->miss = classify(lab, cpu, next, tn, pick);
		c->miss[res->miss]++;
	}
	sl_put_curr(&c->rq);
	if (tn)
		switch_in(lab, cpu, tn, next, now, res);
}

/**
 * sl_lab_migrate() - sched_migrate_task
 * @lab: sched_lab
 * @p: the task
 * @queued: it is queued (on_rq); then @src's run-queue lock is held, else
 *	it is being woken and no run-queue lock is
 * @src: the CPU it leaves
 * @dst: the CPU it goes to
 *
 * A queued task leaves @src's model queue now and joins @dst's at @dst's
 * next event, under @dst's lock. A sleeping one gets, under CFS, a
 * vruntime relative to @src's min_vruntime, read without @src's lock as
 * the kernel's migrate_task_rq_fair() does.
 */
void sl_lab_migrate(struct sl_lab *lab, const struct sl_task_info *p,
		    bool queued, int src, int dst)
{
	struct sl_cpu *s = per_cpu_ptr(lab->cpu, src);
	struct sl_task *t;

	t = task_get(lab, p);
	if (!t)
		return;
	if (!sl_lab_filtered(lab, p))
		t->stats.migrations++;
	t->migrated = true;
	if (!modelled(lab, p) || !sl_task_settled(t))
		return;
	if (!queued) {
		if (on_rq(t)) {
			model_detach(lab, t, -1);
		} else if (lab->tun.kind == SL_MODEL_CFS && !t->se.relative) {
			t->se.vruntime -= READ_ONCE(s->rq.min_vruntime);
			t->se.relative = true;
		}
		return;
	}
	if (!on_rq(t) || READ_ONCE(t->model_cpu) != src) {
		model_detach(lab, t, src);
		return;
	}
	if (s->rq.curr == &t->se)
		sl_put_curr(&s->rq);
	sl_dequeue(&s->rq, &t->se, false);
	WRITE_ONCE(t->model_cpu, dst);
	atomic_set(&t->xfer, SL_XFER_MOVE);
	llist_add(&t->inbox, &per_cpu_ptr(lab->cpu, dst)->inbox);
}

/*
 * task_fork_fair(): the parent's vruntime with its run so far, at least
 * min_vruntime plus a vslice; relative to min_vruntime.
 */
static u64 cfs_fork_vruntime(const struct sl_lab *lab, const struct sl_rq *rq,
			     const struct sl_task *tp, const struct sl_entity *child,
			     u64 now)
{
	u64 min_vruntime = READ_ONCE(rq->min_vruntime);
	u64 floor = min_vruntime + sl_sched_vslice(rq, child);
	u64 vruntime = floor;

	if (tp && tp->running && tp->synced && rq->curr == &tp->se) {
		vruntime = tp->se.vruntime +
			sl_calc_delta_fair(&lab->tun, now - tp->ran_since, tp->se.weight);
		vruntime = (s64)(vruntime - floor) > 0 ? vruntime : floor;
	}
	return vruntime - min_vruntime;
}

/**
 * sl_lab_fork() - sched_process_fork
 * @lab: sched_lab
 * @cpu: the parent's CPU
 * @parent: the parent
 * @child: the new task, not yet woken
 * @now: timestamp, ns
 *
 * CFS gives the child the parent's vruntime, at least min_vruntime plus a
 * vslice (START_DEBIT), relative to min_vruntime until it is enqueued
 * (task_fork_fair()); the parent's run so far is charged first. EEVDF
 * places the child at its first wake-up instead.
 */
void sl_lab_fork(struct sl_lab *lab, int cpu, const struct sl_task_info *parent,
		 const struct sl_task_info *child, u64 now)
{
	const struct sl_rq *rq = &per_cpu_ptr(lab->cpu, cpu)->rq;
	struct sl_task *tc, *tp;

	tc = sl_lab_find(lab, child);
	if (tc)
		task_retire_stale(lab, tc, child, -1);
	tc = task_get(lab, child);
	if (!tc)
		return;
	tc->forked = true;
	if (lab->tun.kind != SL_MODEL_CFS || !modelled(lab, child))
		return;
	tp = sl_lab_find(lab, parent);
	/*
	 * task_fork_fair() holds the parent's run-queue lock here, but
	 * sched_process_fork holds none: other CPUs may meanwhile queue
	 * tasks on this CPU's model or take some off, and an interrupt here
	 * may wake one. The child's place is then an estimate from a queue
	 * that is changing; nothing read is freed or written by this.
	 */
	tc->se.vruntime = data_race(cfs_fork_vruntime(lab, rq, tp, &tc->se, now));
	tc->se.relative = true;
}

/**
 * sl_lab_exit() - sched_process_exit
 * @lab: sched_lab
 * @p: the exiting task
 *
 * Marks it exited; its slot stays readable until its last switch out and
 * reuse.
 */
void sl_lab_exit(struct sl_lab *lab, const struct sl_task_info *p)
{
	struct sl_task *t = sl_lab_find(lab, p);

	if (t)
		WRITE_ONCE(t->exited, true);
}
