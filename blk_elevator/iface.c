// SPDX-License-Identifier: GPL-2.0
/*
 * blk_elevator interface: the tunables in /sys/block/DEV/queue/iosched/
 * and the counters in /sys/kernel/debug/block/DEV/sched/.
 *
 * Copyright (C) 2026 kernlabs
 */

#include <linux/blkdev.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>

#include "elevator.h"
#include "blk-mq-debugfs.h"

#include "blk_elevator.h"
#include "compat.h"

/*
 * Tunables. Times are in milliseconds, as in mq-deadline; a value that is
 * not a number or is out of range is refused with -EINVAL and changes
 * nothing.
 */
#define BLE_MS_MAX		3600000U	/* an hour */
#define BLE_ANTIC_MS_MAX	1000U

static ssize_t ble_show(struct elevator_queue *e, char *page, u64 value)
{
	return sysfs_emit(page, "%llu\n", value);
}

static int ble_parse(const char *page, unsigned int min, unsigned int max,
		     unsigned int *value)
{
	if (kstrtouint(page, 10, value) || *value < min || *value > max)
		return -EINVAL;
	return 0;
}

#define BLE_TUNABLE(name, field, min, max, to_user, from_user)			\
static u64 *ble_##name##_field(struct elevator_queue *e)			\
{										\
	struct ble_data *bd = e->elevator_data;					\
										\
	return (void *)&bd->sched.tun + offsetof(struct ble_tunables, field);	\
}										\
static ssize_t ble_##name##_show(struct elevator_queue *e, char *page)		\
{										\
	return ble_show(e, page, to_user(READ_ONCE(*ble_##name##_field(e))));	\
}										\
static ssize_t ble_##name##_store(struct elevator_queue *e, const char *page,	\
				  size_t count)					\
{										\
	struct ble_data *bd = e->elevator_data;					\
	unsigned int value;							\
	int ret = ble_parse(page, min, max, &value);				\
										\
	if (ret)								\
		return ret;							\
	spin_lock_irq(&bd->lock);						\
	WRITE_ONCE(*ble_##name##_field(e), from_user(value));			\
	spin_unlock_irq(&bd->lock);						\
	return count;								\
}

#define BLE_AS_IS(v)		(v)
#define BLE_NS_TO_MS(v)		div_u64(v, NSEC_PER_MSEC)
#define BLE_MS_TO_NS(v)		((u64)(v) * NSEC_PER_MSEC)

BLE_TUNABLE(read_expire, fifo_expire_ns[BLE_READ], 0, BLE_MS_MAX, BLE_NS_TO_MS, BLE_MS_TO_NS)
BLE_TUNABLE(write_expire, fifo_expire_ns[BLE_WRITE], 0, BLE_MS_MAX, BLE_NS_TO_MS, BLE_MS_TO_NS)
BLE_TUNABLE(prio_aging_expire, prio_aging_expire_ns, 0, BLE_MS_MAX, BLE_NS_TO_MS, BLE_MS_TO_NS)
BLE_TUNABLE(antic_expire, antic_expire_ns, 0, BLE_ANTIC_MS_MAX, BLE_NS_TO_MS, BLE_MS_TO_NS)
BLE_TUNABLE(fifo_batch, fifo_batch, 1, 65536, BLE_AS_IS, BLE_AS_IS)
BLE_TUNABLE(writes_starved, writes_starved, 0, 65536, BLE_AS_IS, BLE_AS_IS)
BLE_TUNABLE(front_merges, front_merges, 0, 1, BLE_AS_IS, BLE_AS_IS)
/* Linux 6.19 and later: /sys/block/DEV/queue/async_depth instead (compat.h). */
#ifndef COMPAT_QUEUE_ASYNC_DEPTH
BLE_TUNABLE(async_depth, async_depth, 1, 65536, BLE_AS_IS, BLE_AS_IS)
#endif

#define BLE_ATTR(name) __ATTR(name, 0644, ble_##name##_show, ble_##name##_store)

/*
 * One table for both elevators: kl-anticipatory's starts at antic_expire,
 * kl-deadline's one entry later (ble_deadline_attrs).
 */
struct elv_fs_entry ble_anticipatory_attrs[] = {
	BLE_ATTR(antic_expire),
	BLE_ATTR(read_expire),
	BLE_ATTR(write_expire),
	BLE_ATTR(prio_aging_expire),
	BLE_ATTR(fifo_batch),
	BLE_ATTR(writes_starved),
	BLE_ATTR(front_merges),
#ifndef COMPAT_QUEUE_ASYNC_DEPTH
	BLE_ATTR(async_depth),
#endif
	__ATTR_NULL
};

static const char *const ble_prio_names[BLE_NR_PRIOS] = { "rt", "be", "idle" };
static const char *const ble_dir_names[BLE_NR_DIRS] = { "read", "write" };
static const char *const ble_reason_names[BLE_NR_REASONS] = {
	"batch", "sorted", "expired", "fifo", "aged",
};

static const char *const ble_antic_names[] = { "off", "wait_request", "wait_next" };

/*
 * /sys/kernel/debug/block/DEV/sched/stats: one "name value" per line, so
 * that scripts can read it as a table. Copied under the lock so that the
 * figures are of one moment.
 */
static int ble_stats_show(void *data, struct seq_file *m)
{
	struct request_queue *q = data;
	struct ble_data *bd = q->elevator->elevator_data;
	u32 queued[BLE_NR_PRIOS][BLE_NR_DIRS];
	u64 alloc_failed, bypassed;
	enum ble_antic_state antic;
	struct ble_stats st;
	int prio, dir;

	spin_lock_irq(&bd->lock);
	st = bd->sched.stats;
	memcpy(queued, bd->sched.queued, sizeof(queued));
	antic = bd->sched.antic;
	alloc_failed = bd->alloc_failed;
	bypassed = bd->bypassed;
	spin_unlock_irq(&bd->lock);

	for (prio = 0; prio < BLE_NR_PRIOS; prio++)
		for (dir = 0; dir < BLE_NR_DIRS; dir++)
			seq_printf(m, "inserted_%s_%s %llu\n", ble_prio_names[prio],
				   ble_dir_names[dir], st.inserted[prio][dir]);
	for (prio = 0; prio < BLE_NR_PRIOS; prio++)
		for (dir = 0; dir < BLE_NR_DIRS; dir++)
			seq_printf(m, "dispatched_%s_%s %llu\n", ble_prio_names[prio],
				   ble_dir_names[dir], st.dispatched[prio][dir]);
	for (prio = 0; prio < BLE_NR_PRIOS; prio++)
		for (dir = 0; dir < BLE_NR_DIRS; dir++)
			seq_printf(m, "queued_%s_%s %u\n", ble_prio_names[prio],
				   ble_dir_names[dir], queued[prio][dir]);
	for (dir = 0; dir < BLE_NR_REASONS; dir++)
		seq_printf(m, "dispatch_reason_%s %llu\n", ble_reason_names[dir],
			   st.reasons[dir]);
	seq_printf(m, "expired %llu\n", st.reasons[BLE_REASON_EXPIRED]);
	seq_printf(m, "merged_front %llu\n", st.merged_front);
	seq_printf(m, "merged_back %llu\n", st.merged_back);
	seq_printf(m, "merged_requests %llu\n", st.merged_requests);
	seq_printf(m, "batches %llu\n", st.batches);
	seq_printf(m, "starved_writes %llu\n", st.starved_writes);
	seq_printf(m, "antic_started %llu\n", st.antic_started);
	seq_printf(m, "antic_hit %llu\n", st.antic_hit);
	seq_printf(m, "antic_broken %llu\n", st.antic_broken);
	seq_printf(m, "antic_timeout %llu\n", st.antic_timeout);
	seq_printf(m, "antic_state %s\n", ble_antic_names[antic]);
	seq_printf(m, "bypassed %llu\n", bypassed);
	seq_printf(m, "alloc_failed %llu\n", alloc_failed);
	return 0;
}

const struct blk_mq_debugfs_attr ble_queue_debugfs_attrs[] = {
	{ "stats", 0400, ble_stats_show },
	{},
};
