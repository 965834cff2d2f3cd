/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_lab's own tracepoints: each run-queue latency sample as it is
 * taken, and each pick the shadow model got wrong, with the reason.
 * scripts/bpftrace/sched_lab.bt uses both.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sched_lab

#if !defined(SCHED_LAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SCHED_LAB_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(sched_lab_wait,

	TP_PROTO(pid_t pid, const char *comm, int cpu, int kind, u64 wait_ns),

	TP_ARGS(pid, comm, cpu, kind, wait_ns),

	TP_STRUCT__entry(
		__field(pid_t, pid)
		__array(char, comm, TASK_COMM_LEN)
		__field(int, cpu)
		__field(int, kind)
		__field(u64, wait_ns)
	),

	TP_fast_assign(
		__entry->pid = pid;
		memcpy(__entry->comm, comm, TASK_COMM_LEN);
		__entry->cpu = cpu;
		__entry->kind = kind;
		__entry->wait_ns = wait_ns;
	),

	TP_printk("pid=%d comm=%s cpu=%d kind=%s wait_ns=%llu",
		  __entry->pid, __entry->comm, __entry->cpu,
		  __print_symbolic(__entry->kind, { 0, "wakeup" }, { 1, "preempted" }),
		  __entry->wait_ns)
);

TRACE_EVENT(sched_lab_mispick,

	TP_PROTO(int cpu, pid_t predicted, pid_t picked, int reason),

	TP_ARGS(cpu, predicted, picked, reason),

	TP_STRUCT__entry(
		__field(int, cpu)
		__field(pid_t, predicted)
		__field(pid_t, picked)
		__field(int, reason)
	),

	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->predicted = predicted;
		__entry->picked = picked;
		__entry->reason = reason;
	),

	TP_printk("cpu=%d predicted=%d picked=%d reason=%s",
		  __entry->cpu, __entry->predicted, __entry->picked,
		  __print_symbolic(__entry->reason,
				   { 0, "wakeup_preemption" }, { 1, "migration" },
				   { 2, "rt_dl" }, { 3, "cgroup" }, { 4, "idle" },
				   { 5, "unseen" }, { 6, "other" }))
);

#endif /* SCHED_LAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
