/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blk_elevator tracepoints: what the elevators dispatched and why, FIFO
 * expiries and anticipation. scripts/bpftrace/blk_elevator.bt uses them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM blk_elevator

#if !defined(BLK_ELEVATOR_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define BLK_ELEVATOR_TRACE_H

#include <linux/tracepoint.h>

#include "policy.h"

#define ble_show_reason(reason)						\
	__print_symbolic(reason,					\
			 { BLE_REASON_BATCH, "batch" },			\
			 { BLE_REASON_SORTED, "sorted" },		\
			 { BLE_REASON_EXPIRED, "expired" },		\
			 { BLE_REASON_FIFO, "fifo" },			\
			 { BLE_REASON_AGED, "aged" },			\
			 { BLE_NR_REASONS, "bypass" })

#define ble_show_prio(prio)						\
	__print_symbolic(prio, { BLE_PRIO_RT, "rt" }, { BLE_PRIO_BE, "be" },	\
			 { BLE_PRIO_IDLE, "idle" })

#define ble_show_antic(event)						\
	__print_symbolic(event,						\
			 { BLE_ANTIC_START, "start" },			\
			 { BLE_ANTIC_ARMED, "armed" },			\
			 { BLE_ANTIC_HIT, "hit" },			\
			 { BLE_ANTIC_BROKEN, "broken" },		\
			 { BLE_ANTIC_TIMEOUT, "timeout" })

/* reason is BLE_NR_REASONS for requests served from the dispatch list. */
TRACE_EVENT(blk_elevator_dispatch,
	TP_PROTO(dev_t dev, sector_t sector, unsigned int nr_sector, int dir,
		 int prio, int reason),
	TP_ARGS(dev, sector, nr_sector, dir, prio, reason),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(sector_t, sector)
		__field(unsigned int, nr_sector)
		__field(int, dir)
		__field(int, prio)
		__field(int, reason)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->sector = sector;
		__entry->nr_sector = nr_sector;
		__entry->dir = dir;
		__entry->prio = prio;
		__entry->reason = reason;
	),
	TP_printk("%d,%d %c %llu + %u class=%s reason=%s",
		  MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->dir == BLE_WRITE ? 'W' : 'R',
		  (unsigned long long)__entry->sector, __entry->nr_sector,
		  ble_show_prio(__entry->prio), ble_show_reason(__entry->reason))
);

TRACE_EVENT(blk_elevator_expire,
	TP_PROTO(dev_t dev, sector_t sector, int dir, int prio, u64 late_ns),
	TP_ARGS(dev, sector, dir, prio, late_ns),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(sector_t, sector)
		__field(int, dir)
		__field(int, prio)
		__field(u64, late_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->sector = sector;
		__entry->dir = dir;
		__entry->prio = prio;
		__entry->late_ns = late_ns;
	),
	TP_printk("%d,%d %c %llu class=%s late_ns=%llu",
		  MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->dir == BLE_WRITE ? 'W' : 'R',
		  (unsigned long long)__entry->sector,
		  ble_show_prio(__entry->prio), __entry->late_ns)
);

TRACE_EVENT(blk_elevator_antic,
	TP_PROTO(dev_t dev, int event, pid_t pid, sector_t sector),
	TP_ARGS(dev, event, pid, sector),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(int, event)
		__field(pid_t, pid)
		__field(sector_t, sector)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->event = event;
		__entry->pid = pid;
		__entry->sector = sector;
	),
	TP_printk("%d,%d %s pid=%d sector=%llu",
		  MAJOR(__entry->dev), MINOR(__entry->dev),
		  ble_show_antic(__entry->event), __entry->pid,
		  (unsigned long long)__entry->sector)
);

#endif /* BLK_ELEVATOR_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
