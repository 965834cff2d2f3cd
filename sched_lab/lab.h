/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_lab's event core: the per-task table, the run-queue latency
 * histograms and the shadow model, driven by scheduler events described in
 * plain structs (no task_struct, no debugfs), so that KUnit can feed it
 * synthetic event streams. main.c turns tracepoints into these calls.
 *
 * Locking: none of its own. sched_switch comes with this CPU's run-queue
 * lock held, sched_wakeup and sched_wakeup_new with the task's CPU's, and
 * sched_migrate_task of a queued task with the lock of the CPU it leaves,
 * so those events of one task, and the changes to one CPU's model, are
 * serialised by the scheduler itself. The other events hold less and do
 * less: a task waking itself holds no lock and is only counted;
 * sched_migrate_task of a waking task holds only its pi_lock (it sleeps,
 * so no other event is about it, and a model queue that still holds it is
 * left to that queue's CPU, through its inbox); sched_process_fork holds
 * none and reads this CPU's model as an estimate; sched_process_exit holds
 * none and sets a flag. The table is open-addressed; a slot is claimed by a
 * cmpxchg() of its key (free or a dead task's); its task's events write it
 * until its last switch out, which marks it dead, and the CPUs whose model
 * queue or inbox holds it until they let it go (a claimer skips a dead
 * slot that an inbox still holds). Readers see counters without a lock,
 * each one whole.
 */
#ifndef SCHED_LAB_LAB_H
#define SCHED_LAB_LAB_H

#include <linux/llist.h>
#include <linux/limits.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "hist.h"
#include "model.h"

/* Why the model's pick was not the task the kernel ran. */
enum sl_miss {
	SL_MISS_WAKEUP,		/* a task woken since the last switch here */
	SL_MISS_MIGRATION,	/* it moved here since it last ran */
	SL_MISS_RT_DL,		/* the kernel ran an RT, deadline or stop task */
	SL_MISS_CGROUP,		/* a task below the root task group */
	SL_MISS_IDLE,		/* the kernel went idle, the model had a task */
	SL_MISS_UNSEEN,		/* runnable since before sched_lab started */
	SL_MISS_OTHER,		/* none of those: the model is wrong */
	SL_MISS_NR,
};

extern const char *const sl_miss_names[SL_MISS_NR];

/* What a task was queued by, for the latency it will have. */
enum sl_wait {
	SL_WAIT_WAKEUP,		/* woken: wake-up to on-CPU */
	SL_WAIT_PREEMPTED,	/* switched out runnable: back on CPU */
	SL_WAIT_NR,
};

/*
 * A slot's key: 0 while free, the task's id while it lives, the id with
 * SL_KEY_DEAD set once it is dead, and SL_KEY_DEAD alone (no id) while the
 * CPU that claimed the slot initialises it. Ids are even and not 0.
 */
#define SL_KEY_DEAD	1UL
#define SL_KEY_CLAIMED	SL_KEY_DEAD

/* A dead task's key, which a claimer may take. */
static inline bool sl_key_dead(unsigned long key)
{
	return (key & SL_KEY_DEAD) && key != SL_KEY_CLAIMED;
}

/*
 * A task's entity on its way through a CPU's inbox, to or from that CPU's
 * model queue: only that CPU changes its queue, under its run-queue lock.
 */
enum sl_xfer {
	SL_XFER_NONE,		/* in no inbox */
	SL_XFER_MOVE,		/* to join the queue: it migrated there queued */
	SL_XFER_EVICT,		/* to leave the queue */
	SL_XFER_BUSY,		/* being taken in */
	SL_XFER_BUSY_EVICT,	/* the same, then to leave the queue */
};

/**
 * struct sl_task_info - what the events say about a task
 * @id: who the task is: its task_struct's address (even, not 0). No other
 *	task has it while the task lives, up to its last switch out, unlike
 *	its PID, which the kernel frees before that, and which an execve()
 *	by a thread that does not lead its process exchanges with the
 *	leader's (de_thread())
 * @pid: thread ID (as the initial pid namespace numbers it)
 * @tgid: process ID
 * @comm: command name
 * @policy: SCHED_NORMAL, SCHED_FIFO, ...
 * @nice: nice level
 * @fair: in the fair class (not RT, deadline, stop or idle), boosts counted
 * @grouped: below the root task group (a cgroup or autogroup)
 * @vruntime: the kernel's p->se.vruntime
 * @deadline: the kernel's p->se.deadline (EEVDF kernels; else 0)
 * @h_weight: the kernel's p->se.h_load.weight, the hierarchical weight 7.3
 *	queues it at (else 0)
 */
struct sl_task_info {
	unsigned long id;
	pid_t pid;
	pid_t tgid;
	const char *comm;
	int policy;
	int nice;
	bool fair;
	bool grouped;
	u64 vruntime;
	u64 deadline;
	unsigned long h_weight;
};

/**
 * struct sl_task_stats - what the table shows about a task
 * @voluntary: switches out while going to sleep (nvcsw)
 * @involuntary: other switches out (nivcsw)
 * @runtime_ns: time on the CPU
 * @waits: latency samples (times it got the CPU after waiting for it)
 * @wakeup_waits: of which after a wake-up
 * @wait_ns: their total
 * @wait_max_ns: the longest
 * @wakeups: wake-ups, first one after fork included, but those counted
 *	in &sl_task.self_wakeups
 * @migrations: CPU changes
 * @vr_samples: model vruntime predictions checked
 * @vr_err_last_ns: the last prediction's error (model - kernel)
 * @vr_err_abs_ns: sum of the errors' magnitudes
 * @vr_delta_abs_ns: sum of the kernel's vruntime moves they predicted
 */
struct sl_task_stats {
	u64 voluntary;
	u64 involuntary;
	u64 runtime_ns;
	u64 waits;
	u64 wakeup_waits;
	u64 wait_ns;
	u64 wait_max_ns;
	u64 wakeups;
	u64 migrations;
	u64 vr_samples;
	s64 vr_err_last_ns;
	u64 vr_err_abs_ns;
	u64 vr_delta_abs_ns;
};

/**
 * struct sl_task - a slot of the task table
 * @key: 0 while the slot is free, SL_KEY_CLAIMED while a CPU that claimed
 *	it initialises it, the task's id while it lives, the id with
 *	SL_KEY_DEAD once it is dead and the slot may be taken (once in no
 *	inbox)
 * @pid: its task's PID when last seen switched in or out (an execve()
 *	may change it)
 * @tgid: process ID
 * @comm: command name when last seen switched in or out
 * @policy: scheduling policy
 * @nice: nice level
 * @exited: it called exit
 * @forked: claimed by its sched_process_fork, not yet woken
 * @running: on a CPU
 * @migrated: moved to another CPU since it last ran
 * @wait: what queued it, while @queued_at is set
 * @queued_at: when it became runnable and not running; 0 if not
 * @ran_since: when it got the CPU, while @running
 * @woken_switch: the switch count of its CPU when it was last woken
 * @model_cpu: the CPU whose model queue holds it, or whose inbox it is in
 *	(-1 before either)
 * @xfer: an &enum sl_xfer, where the task's entity is being handed
 * @synced: the model has the kernel's vruntime from a previous pick
 * @last_vruntime: the kernel's vruntime at that pick
 * @se: model entity
 * @inbox: in a CPU's inbox while in transit
 * @stats: counters
 * @self_wakeups: wake-ups on its CPU while it runs (by itself or an
 *	interrupt there), which hold no lock
 */
struct sl_task {
	unsigned long key;
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	int policy;
	int nice;
	bool exited;
	bool forked;
	bool running;
	bool migrated;
	enum sl_wait wait;
	u64 queued_at;
	u64 ran_since;
	u64 woken_switch;
	int model_cpu;
	atomic_t xfer;
	bool synced;
	u64 last_vruntime;
	struct sl_entity se;
	struct llist_node inbox;
	struct sl_task_stats stats;
	atomic_long_t self_wakeups;
};

/**
 * struct sl_cpu - one CPU's share of sched_lab
 * @lat: latency histograms by sl_wait, of tasks that got this CPU
 * @rq: the model run queue
 * @inbox: tasks migrated here while queued, enqueued at this CPU's next event
 * @switches: context switches seen
 * @matches: of which the model picked the same task
 * @miss: the others, by reason
 * @vr_samples: vruntime predictions checked here
 * @vr_err_abs_ns: sum of their errors' magnitudes
 * @vr_delta_abs_ns: sum of the kernel's vruntime moves
 */
struct sl_cpu {
	struct sl_hist lat[SL_WAIT_NR];
	struct sl_rq rq;
	struct llist_head inbox;
	u64 switches;
	u64 matches;
	u64 miss[SL_MISS_NR];
	u64 vr_samples;
	u64 vr_err_abs_ns;
	u64 vr_delta_abs_ns;
};

/**
 * struct sl_lab - the whole of it
 * @tasks: the task table
 * @nr_slots: its size, a power of two
 * @cpu: per-CPU parts (indexed by the CPU an event is about)
 * @tun: the model's tunables
 * @filter_pid: record only this thread (0: all)
 * @filter_tgid: record only this process (0: all)
 * @untracked: events about tasks the full table had no slot for
 *
 * The filter limits the histograms and the table's counters; the model
 * sees every task, since a run queue is all of its tasks.
 */
struct sl_lab {
	struct sl_task *tasks;
	unsigned int nr_slots;
	struct sl_cpu __percpu *cpu;
	struct sl_tunables tun;
	pid_t filter_pid;
	pid_t filter_tgid;
	atomic64_t untracked;
};

/**
 * struct sl_switch_result - what a context switch produced
 * @waited: the next task had been waiting, and is not filtered out: @wait
 *	and @wait_ns are set
 * @wait: what queued it
 * @wait_ns: for how long
 * @matched: the model picked it
 * @miss: if not, why
 * @predicted_pid: the model's pick (0: idle)
 */
struct sl_switch_result {
	bool waited;
	enum sl_wait wait;
	u64 wait_ns;
	bool matched;
	enum sl_miss miss;
	pid_t predicted_pid;
};

int sl_lab_init(struct sl_lab *lab, unsigned int nr_slots,
		enum sl_model_kind kind, unsigned int nr_cpus);
void sl_lab_destroy(struct sl_lab *lab);
void sl_lab_reset(struct sl_lab *lab);

void sl_lab_wakeup(struct sl_lab *lab, int cpu, const struct sl_task_info *p,
		   bool self, bool new, u64 now);
void sl_lab_switch(struct sl_lab *lab, int cpu, const struct sl_task_info *prev,
		   bool prev_runnable, bool prev_voluntary, bool prev_dead,
		   const struct sl_task_info *next, u64 now,
		   struct sl_switch_result *res);
void sl_lab_migrate(struct sl_lab *lab, const struct sl_task_info *p,
		    bool queued, int src, int dst);
void sl_lab_fork(struct sl_lab *lab, int cpu, const struct sl_task_info *parent,
		 const struct sl_task_info *child, u64 now);
void sl_lab_exit(struct sl_lab *lab, const struct sl_task_info *p);

struct sl_task *sl_lab_find(struct sl_lab *lab, const struct sl_task_info *p);
bool sl_lab_filtered(const struct sl_lab *lab, const struct sl_task_info *p);

/*
 * In no inbox: the task's model entity is where model_cpu and on_rq say.
 * Pairs with evict()'s release: that CPU is done with the task.
 */
static inline bool sl_task_settled(const struct sl_task *t)
{
	return atomic_read_acquire(&t->xfer) == SL_XFER_NONE;
}

#endif /* SCHED_LAB_LAB_H */
