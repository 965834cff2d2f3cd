/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_lab compat: what differs between Debian's 6.1 (CFS), 6.12 (EEVDF)
 * and Linux 7.3 (EEVDF on one flat run queue) in the task fields sched_lab
 * reads, decided by feature tests in Kbuild on the target kernel's
 * include/linux/sched.h.
 */
#ifndef SCHED_LAB_COMPAT_H
#define SCHED_LAB_COMPAT_H

#include <linux/sched.h>

#include "model.h"

/*
 * The fair class is EEVDF where sched_entity has a virtual deadline, and
 * flat (every task on the CPU's root run queue) where it also has the
 * hierarchical weight it is queued at.
 */
#ifdef COMPAT_SE_H_LOAD
#define COMPAT_FAIR_MODEL	SL_MODEL_EEVDF_FLAT
static inline unsigned long compat_se_h_weight(const struct task_struct *p)
{
	return READ_ONCE(p->se.h_load.weight);
}
#else
static inline unsigned long compat_se_h_weight(const struct task_struct *p)
{
	return 0;
}
#endif

#ifdef COMPAT_SE_DEADLINE
#ifndef COMPAT_FAIR_MODEL
#define COMPAT_FAIR_MODEL	SL_MODEL_EEVDF
#endif
static inline u64 compat_se_deadline(const struct task_struct *p)
{
	return p->se.deadline;
}
#else
#define COMPAT_FAIR_MODEL	SL_MODEL_CFS
static inline u64 compat_se_deadline(const struct task_struct *p)
{
	return 0;
}
#endif

/* 7.3's sched_process_exit also says whether the thread group died. */
#ifdef COMPAT_EXIT_GROUP_DEAD
#define COMPAT_SCHED_PROCESS_EXIT_PARAMS	struct task_struct *p, bool group_dead
#else
#define COMPAT_SCHED_PROCESS_EXIT_PARAMS	struct task_struct *p
#endif

/*
 * Still queued as runnable: on_rq, and (6.12) not a sleeper whose dequeue
 * is delayed until it is eligible, which stays on_rq meanwhile.
 */
static inline bool compat_task_runnable(const struct task_struct *p)
{
#ifdef COMPAT_SE_SCHED_DELAYED
	if (READ_ONCE(p->se.sched_delayed))
		return false;
#endif
	return READ_ONCE(p->on_rq) == 1;	/* TASK_ON_RQ_QUEUED */
}

/* Below the root task group: its entity's parent is a group's. */
static inline bool compat_task_grouped(const struct task_struct *p)
{
#ifdef CONFIG_FAIR_GROUP_SCHED
	return p->se.depth > 0;
#else
	return false;
#endif
}

#endif /* SCHED_LAB_COMPAT_H */
