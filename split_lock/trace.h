/* SPDX-License-Identifier: GPL-2.0 */
/*
 * split_lock tracepoint: one event per split-lock #AC or bus-lock #DB trap
 * the detector sees. scripts/bpftrace/split_lock.bt uses it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM split_lock

#if !defined(SPLIT_LOCK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SPLIT_LOCK_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(split_lock_detected,

	TP_PROTO(int kind, pid_t pid, const char *comm, unsigned long ip,
		 unsigned int cpu),

	TP_ARGS(kind, pid, comm, ip, cpu),

	TP_STRUCT__entry(
		__field(int, kind)
		__field(pid_t, pid)
		__array(char, comm, TASK_COMM_LEN)
		__field(unsigned long, ip)
		__field(unsigned int, cpu)
	),

	TP_fast_assign(
		__entry->kind = kind;
		__entry->pid = pid;
		memcpy(__entry->comm, comm, TASK_COMM_LEN);
		__entry->ip = ip;
		__entry->cpu = cpu;
	),

	TP_printk("kind=%s pid=%d comm=%s ip=0x%lx cpu=%u",
		  __print_symbolic(__entry->kind,
				   { 0, "split_lock" },
				   { 1, "bus_lock" },
				   { 2, "guest_split_lock" }),
		  __entry->pid, __entry->comm, __entry->ip, __entry->cpu)
);

#endif /* SPLIT_LOCK_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
