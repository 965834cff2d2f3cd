// SPDX-License-Identifier: GPL-2.0
/*
 * blk_elevator_bench: a block device with one simulated disk head, for
 * measuring what anticipation buys (scripts/bench/blk_elevator).
 *
 * null_blk costs the same for every request, so an I/O scheduler's order
 * cannot matter there. This device serves one request at a time (queue
 * depth 1, so the elevator above it decides the order) and completes it
 * after the time a disk would take: settle_us plus full_seek_us scaled by
 * the seek distance over the capacity whenever the request does not start
 * where the previous one ended, plus transfer time at mib_per_s. It holds
 * no data: reads return zeros, writes are dropped.
 *
 * /sys/kernel/debug/blk_elevator_bench/stats counts requests, seeks, the
 * sectors seeked over and the time charged.
 *
 * Copyright (C) 2026 kernlabs
 */

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "../compat.h"

static unsigned int size_mb = 4096;
module_param(size_mb, uint, 0444);
MODULE_PARM_DESC(size_mb, "capacity in MiB (1..1048576, default 4096)");

static unsigned int settle_us = 500;
module_param(settle_us, uint, 0444);
MODULE_PARM_DESC(settle_us, "cost of any seek in microseconds (default 500)");

static unsigned int full_seek_us = 8000;
module_param(full_seek_us, uint, 0444);
MODULE_PARM_DESC(full_seek_us, "added cost of a seek across the whole disk in microseconds (default 8000)");

static unsigned int mib_per_s = 100;
module_param(mib_per_s, uint, 0444);
MODULE_PARM_DESC(mib_per_s, "transfer rate in MiB/s (1..100000, default 100)");

/**
 * struct seekdisk - the one disk.
 * @tag_set: its blk-mq tag set (one queue of depth 1).
 * @disk: the disk, klseek0.
 * @done: completes @busy when its service time is over.
 * @debugfs: its debugfs directory.
 * @major: its block major number.
 * @lock: protects the fields below it.
 * @head: sector just past the last request served.
 * @busy: the request in service (queue depth 1), completed by @done.
 * @requests: requests served.
 * @seeks: requests that did not start at @head.
 * @seek_sectors: total seek distance.
 * @charged_ns: total service time charged.
 */
struct seekdisk {
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
	struct hrtimer done;
	struct dentry *debugfs;
	int major;
	/* Taken with interrupts off: @done runs in hard interrupt context. */
	spinlock_t lock;
	sector_t head;
	struct request *busy;
	u64 requests;
	u64 seeks;
	u64 seek_sectors;
	u64 charged_ns;
};

static struct seekdisk seekdisk;

/* What serving @rq costs with the head at @head, on a disk of @capacity sectors. */
static u64 seekdisk_cost_ns(sector_t head, sector_t pos, unsigned int bytes,
			    sector_t capacity)
{
	u64 ns = div_u64((u64)bytes * NSEC_PER_SEC, (u64)mib_per_s << 20);
	u64 distance = pos > head ? pos - head : head - pos;

	if (distance)
		ns += (u64)settle_us * NSEC_PER_USEC +
		      div64_u64(distance * full_seek_us, capacity) * NSEC_PER_USEC;
	return ns;
}

static enum hrtimer_restart seekdisk_done(struct hrtimer *timer)
{
	struct seekdisk *sd = container_of(timer, struct seekdisk, done);
	struct request *rq;
	unsigned long flags;

	spin_lock_irqsave(&sd->lock, flags);
	rq = sd->busy;
	sd->busy = NULL;
	spin_unlock_irqrestore(&sd->lock, flags);
	if (rq)
		blk_mq_end_request(rq, BLK_STS_OK);
	return HRTIMER_NORESTART;
}

static blk_status_t seekdisk_queue_rq(struct blk_mq_hw_ctx *hctx,
				      const struct blk_mq_queue_data *bd)
{
	struct seekdisk *sd = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	sector_t pos = blk_rq_pos(rq);
	struct req_iterator iter;
	struct bio_vec bvec;
	u64 cost;

	blk_mq_start_request(rq);
	if (req_op(rq) == REQ_OP_READ)
		rq_for_each_segment(bvec, rq, iter)
			memzero_bvec(&bvec);

	spin_lock_irq(&sd->lock);
	if (WARN_ON_ONCE(sd->busy)) {
		spin_unlock_irq(&sd->lock);
		return BLK_STS_DEV_RESOURCE;
	}
	cost = seekdisk_cost_ns(sd->head, pos, blk_rq_bytes(rq), get_capacity(sd->disk));
	sd->requests++;
	if (pos != sd->head) {
		sd->seeks++;
		sd->seek_sectors += pos > sd->head ? pos - sd->head : sd->head - pos;
	}
	sd->charged_ns += cost;
	sd->head = pos + blk_rq_sectors(rq);
	sd->busy = rq;
	spin_unlock_irq(&sd->lock);
	hrtimer_start(&sd->done, ns_to_ktime(cost), HRTIMER_MODE_REL);
	return BLK_STS_OK;
}

static const struct blk_mq_ops seekdisk_mq_ops = {
	.queue_rq = seekdisk_queue_rq,
};

static const struct block_device_operations seekdisk_fops = {
	.owner = THIS_MODULE,
};

static int seekdisk_stats_show(struct seq_file *m, void *unused)
{
	struct seekdisk *sd = m->private;

	spin_lock_irq(&sd->lock);
	seq_printf(m, "requests %llu\nseeks %llu\nseek_sectors %llu\ncharged_us %llu\n",
		   sd->requests, sd->seeks, sd->seek_sectors,
		   div_u64(sd->charged_ns, NSEC_PER_USEC));
	spin_unlock_irq(&sd->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(seekdisk_stats);

static struct gendisk *seekdisk_alloc_disk(struct seekdisk *sd)
{
#ifdef BLK_FEAT_ROTATIONAL
	/* Linux 6.10+: queue limits at allocation; rotational is opt-in. */
	struct queue_limits lim = { .features = BLK_FEAT_ROTATIONAL };

	return blk_mq_alloc_disk(&sd->tag_set, &lim, sd);
#else
	/* Linux 6.1: queues are rotational unless told otherwise. */
	return blk_mq_alloc_disk(&sd->tag_set, sd);
#endif
}

static int __init seekdisk_init(void)
{
	struct seekdisk *sd = &seekdisk;
	int ret;

	if (!size_mb || size_mb > 1048576 || !mib_per_s || mib_per_s > 100000) {
		pr_err("size_mb must be 1..1048576 and mib_per_s 1..100000\n");
		return -EINVAL;
	}
	spin_lock_init(&sd->lock);
	hrtimer_setup(&sd->done, seekdisk_done, CLOCK_MONOTONIC, HRTIMER_MODE_REL);

	sd->major = register_blkdev(0, "klseek");
	if (sd->major < 0)
		return sd->major;
	sd->tag_set.ops = &seekdisk_mq_ops;
	sd->tag_set.nr_hw_queues = 1;
	sd->tag_set.queue_depth = 1;	/* one head: the elevator orders the rest */
	sd->tag_set.numa_node = NUMA_NO_NODE;
	sd->tag_set.flags = COMPAT_BLK_MQ_F_SHOULD_MERGE;
	ret = blk_mq_alloc_tag_set(&sd->tag_set);
	if (ret)
		goto unregister;
	sd->disk = seekdisk_alloc_disk(sd);
	if (IS_ERR(sd->disk)) {
		ret = PTR_ERR(sd->disk);
		goto free_tags;
	}
	sd->disk->major = sd->major;
	sd->disk->first_minor = 0;
	sd->disk->minors = 1;
	sd->disk->flags |= GENHD_FL_NO_PART;
	sd->disk->fops = &seekdisk_fops;
	sd->disk->private_data = sd;
	strscpy(sd->disk->disk_name, "klseek0", DISK_NAME_LEN);
	set_capacity(sd->disk, (sector_t)size_mb << (20 - SECTOR_SHIFT));
	ret = add_disk(sd->disk);
	if (ret)
		goto put_disk;
	sd->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0400, sd->debugfs, sd, &seekdisk_stats_fops);
	return 0;

put_disk:
	put_disk(sd->disk);
free_tags:
	blk_mq_free_tag_set(&sd->tag_set);
unregister:
	unregister_blkdev(sd->major, "klseek");
	return ret;
}

static void __exit seekdisk_exit(void)
{
	struct seekdisk *sd = &seekdisk;

	debugfs_remove(sd->debugfs);
	del_gendisk(sd->disk);
	put_disk(sd->disk);
	blk_mq_free_tag_set(&sd->tag_set);
	unregister_blkdev(sd->major, "klseek");
}

module_init(seekdisk_init);
module_exit(seekdisk_exit);

MODULE_DESCRIPTION("kernlabs: a block device that charges seek time, for blk_elevator's benchmark");
MODULE_LICENSE("GPL");
