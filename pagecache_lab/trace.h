/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagecache_lab tracepoints: hits, misses, evictions and write-backs of
 * the pagecache target. scripts/bpftrace/pagecache_lab.bt uses them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pagecache_lab

#if !defined(PAGECACHE_LAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PAGECACHE_LAB_TRACE_H

#include <linux/tracepoint.h>

/* A read or write found its page cached (hit) or made it (miss). */
DECLARE_EVENT_CLASS(pcl_access,
	TP_PROTO(dev_t dev, pgoff_t index, bool write),
	TP_ARGS(dev, index, write),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(pgoff_t, index)
		__field(bool, write)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->index = index;
		__entry->write = write;
	),
	TP_printk("%d,%d index=%lu %s", MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->index, __entry->write ? "write" : "read")
);

DEFINE_EVENT(pcl_access, pagecache_lab_hit,
	TP_PROTO(dev_t dev, pgoff_t index, bool write),
	TP_ARGS(dev, index, write)
);

DEFINE_EVENT(pcl_access, pagecache_lab_miss,
	TP_PROTO(dev_t dev, pgoff_t index, bool write),
	TP_ARGS(dev, index, write)
);

/* A page was evicted to make room (reason 0) or by the shrinker (1). */
TRACE_EVENT(pagecache_lab_evict,
	TP_PROTO(dev_t dev, pgoff_t index, bool workingset, int reason),
	TP_ARGS(dev, index, workingset, reason),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(pgoff_t, index)
		__field(bool, workingset)
		__field(int, reason)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->index = index;
		__entry->workingset = workingset;
		__entry->reason = reason;
	),
	TP_printk("%d,%d index=%lu%s %s", MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->index, __entry->workingset ? " workingset" : "",
		  __entry->reason ? "shrinker" : "room")
);

/* A dirty page was written back: how long it took, and the error. */
TRACE_EVENT(pagecache_lab_writeback,
	TP_PROTO(dev_t dev, pgoff_t index, u64 duration_ns, int err),
	TP_ARGS(dev, index, duration_ns, err),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(pgoff_t, index)
		__field(u64, duration_ns)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->index = index;
		__entry->duration_ns = duration_ns;
		__entry->err = err;
	),
	TP_printk("%d,%d index=%lu duration_ns=%llu err=%d", MAJOR(__entry->dev),
		  MINOR(__entry->dev), __entry->index, __entry->duration_ns, __entry->err)
);

#endif /* PAGECACHE_LAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
