/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printk_ring tracepoints: every record committed to the module's ring and
 * every reservation that failed. scripts/bpftrace/printk_ring.bt uses them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM printk_ring

#if !defined(PRINTK_RING_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PRINTK_RING_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(printk_ring_commit,

	TP_PROTO(u64 seq, unsigned int len, u8 level, u32 caller_id, u8 ctx),

	TP_ARGS(seq, len, level, caller_id, ctx),

	TP_STRUCT__entry(
		__field(u64, seq)
		__field(unsigned int, len)
		__field(u32, caller_id)
		__field(u8, level)
		__field(u8, ctx)
	),

	TP_fast_assign(
		__entry->seq = seq;
		__entry->len = len;
		__entry->caller_id = caller_id;
		__entry->level = level;
		__entry->ctx = ctx;
	),

	TP_printk("seq=%llu len=%u level=%u caller=0x%x ctx=%u",
		  __entry->seq, __entry->len, __entry->level, __entry->caller_id,
		  __entry->ctx)
);

TRACE_EVENT(printk_ring_reserve_fail,

	TP_PROTO(unsigned int len, int err, u8 ctx),

	TP_ARGS(len, err, ctx),

	TP_STRUCT__entry(
		__field(unsigned int, len)
		__field(int, err)
		__field(u8, ctx)
	),

	TP_fast_assign(
		__entry->len = len;
		__entry->err = err;
		__entry->ctx = ctx;
	),

	TP_printk("len=%u err=%d ctx=%u", __entry->len, __entry->err, __entry->ctx)
);

#endif /* PRINTK_RING_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
