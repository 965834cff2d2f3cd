// SPDX-License-Identifier: GPL-2.0
/*
 * printk_ring debugfs interface, /sys/kernel/debug/printk_ring/:
 *   log   - read and write records as /dev/kmsg does
 *   stats - the ring's counters and use
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "printk_ring.h"

/**
 * struct log_reader - one open file of the log
 * @pr:   the module's ring
 * @lock: serializes reads, which sleep holding it; poll and seek do not
 *        take it, so that they never wait behind a blocked read
 * @seq:  the next record this file reads
 * @rec:  the record being read, its text in @text
 * @text: pring_max_text() bytes
 * @out:  the formatted record, printk_ring_format_max() bytes
 */
struct log_reader {
	struct printk_ring	*pr;
	struct mutex		lock;	/* serializes reads */
	atomic64_t		seq;
	struct pring_record	rec;
	char			*text;
	char			*out;
};

static int log_open(struct inode *inode, struct file *file)
{
	struct printk_ring *pr = inode->i_private;
	unsigned int max = pring_max_text(pr->ring);
	struct log_reader *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->text = kvmalloc(max, GFP_KERNEL);
	r->out = kvmalloc(printk_ring_format_max(max), GFP_KERNEL);
	if (!r->text || !r->out) {
		kvfree(r->text);
		kvfree(r->out);
		kfree(r);
		return -ENOMEM;
	}
	r->pr = pr;
	mutex_init(&r->lock);
	r->rec.text = r->text;
	r->rec.text_size = max;
	/* As /dev/kmsg: a new reader starts at the oldest record. */
	atomic64_set(&r->seq, pring_first_seq(pr->ring));
	file->private_data = r;
	return 0;
}

static int log_release(struct inode *inode, struct file *file)
{
	struct log_reader *r = file->private_data;

	mutex_destroy(&r->lock);
	kvfree(r->text);
	kvfree(r->out);
	kfree(r);
	return 0;
}

/* Is there a record at or after this file's position? */
static bool log_ready(struct log_reader *r)
{
	return pring_read(r->pr->ring, atomic64_read(&r->seq), NULL);
}

/*
 * One record per read(), as /dev/kmsg: -EAGAIN with O_NONBLOCK when there
 * is none, -EPIPE once when records were overwritten before this file read
 * them (the position then moves to the oldest one left), -EINVAL when the
 * buffer cannot hold the record.
 */
static ssize_t log_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct log_reader *r = file->private_data;
	struct pring *ring = r->pr->ring;
	size_t len;
	ssize_t ret;
	u64 seq;

	ret = mutex_lock_interruptible(&r->lock);
	if (ret)
		return ret;
	/* Read at a snapshot of the position; a concurrent seek wins. */
	for (;;) {
		seq = atomic64_read(&r->seq);
		if (pring_read(ring, seq, &r->rec))
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		ret = wait_event_interruptible(r->pr->wait, log_ready(r));
		if (ret)
			goto out;
	}
	if (r->rec.info.seq != seq) {
		atomic64_add(r->rec.info.seq - seq, &r->pr->lost);
		atomic64_cmpxchg(&r->seq, seq, r->rec.info.seq);
		ret = -EPIPE;
		goto out;
	}
	len = printk_ring_format(r->out, printk_ring_format_max(r->rec.text_size),
				 &r->rec.info, r->text);
	if (len > count) {
		ret = -EINVAL;
		goto out;
	}
	if (copy_to_user(buf, r->out, len)) {
		ret = -EFAULT;
		goto out;
	}
	atomic64_cmpxchg(&r->seq, seq, seq + 1);
	ret = len;
out:
	mutex_unlock(&r->lock);
	return ret;
}

static ssize_t log_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	struct log_reader *r = file->private_data;
	unsigned int max = pring_max_text(r->pr->ring);
	unsigned int len;
	char *copy, *text;
	u8 facility, level;
	int err;

	/* Room for a "<N>" prefix and a newline around the longest text. */
	if (count > max + 16)
		return -EMSGSIZE;
	copy = memdup_user(buf, count);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	err = printk_ring_parse_write(copy, count, max, MESSAGE_LOGLEVEL_DEFAULT,
				      &facility, &level, &text, &len);
	if (!err)
		err = printk_ring_write(facility, level, text, len, PRINTK_RING_COPY);
	kfree(copy);
	return err ? err : count;
}

/* As /dev/kmsg: offset 0 only; SEEK_SET and SEEK_DATA to the oldest record
 * (this ring has no "clear"), SEEK_END after the newest.
 */
static loff_t log_llseek(struct file *file, loff_t offset, int whence)
{
	struct log_reader *r = file->private_data;
	struct pring *ring = r->pr->ring;
	loff_t ret = 0;

	if (offset)
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET:
	case SEEK_DATA:
		atomic64_set(&r->seq, pring_first_seq(ring));
		break;
	case SEEK_END:
		atomic64_set(&r->seq, pring_next_seq(ring));
		break;
	default:
		ret = -EINVAL;
	}
	return ret;
}

static __poll_t log_poll(struct file *file, poll_table *wait)
{
	struct log_reader *r = file->private_data;
	u64 seq = atomic64_read(&r->seq);
	struct pring_record rec = {};
	__poll_t ret = 0;

	poll_wait(file, &r->pr->wait, wait);
	if (pring_read(r->pr->ring, seq, &rec)) {
		ret = EPOLLIN | EPOLLRDNORM;
		/* As /dev/kmsg: the reader fell behind. */
		if (rec.info.seq != seq)
			ret |= EPOLLERR | EPOLLPRI;
	}
	return ret;
}

static const struct file_operations log_fops = {
	.owner		= THIS_MODULE,
	.open		= log_open,
	.release	= log_release,
	.read		= log_read,
	.write		= log_write,
	.llseek		= log_llseek,
	.poll		= log_poll,
};

static int stats_show(struct seq_file *m, void *v)
{
	struct printk_ring *pr = m->private;
	struct pring_usage u;

	pring_usage(pr->ring, &u);
	seq_printf(m, "records_written: %lu\n", u.records);
	seq_printf(m, "bytes_written: %lu\n", u.bytes);
	seq_printf(m, "reserve_failed_oversize: %lu\n", u.fail[PRING_FAIL_SIZE]);
	seq_printf(m, "reserve_failed_desc: %lu\n", u.fail[PRING_FAIL_DESC]);
	seq_printf(m, "reserve_failed_data: %lu\n", u.fail[PRING_FAIL_DATA]);
	seq_printf(m, "records_lost_to_readers: %lld\n", (long long)atomic64_read(&pr->lost));
	seq_printf(m, "first_seq: %llu\n", u.first_seq);
	seq_printf(m, "next_seq: %llu\n", u.next_seq);
	seq_printf(m, "descs_used: %lu\n", u.descs_used);
	seq_printf(m, "descs_total: %lu\n", u.descs_total);
	seq_printf(m, "data_used: %lu\n", u.data_used);
	seq_printf(m, "data_total: %lu\n", u.data_total);
	seq_printf(m, "max_record: %u\n", pring_max_text(pr->ring));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/**
 * printk_ring_debugfs_init() - create /sys/kernel/debug/printk_ring/
 * @pr: the module's ring
 *
 * Return: 0, or -ENODEV if debugfs is not available.
 */
int printk_ring_debugfs_init(struct printk_ring *pr)
{
	struct dentry *dir = debugfs_create_dir(KBUILD_MODNAME, NULL);

	if (IS_ERR(dir))
		return -ENODEV;
	pr->debugfs = dir;
	debugfs_create_file("log", 0600, dir, pr, &log_fops);
	debugfs_create_file("stats", 0444, dir, pr, &stats_fops);
	return 0;
}

/**
 * printk_ring_debugfs_exit() - remove /sys/kernel/debug/printk_ring/
 * @pr: the module's ring
 */
void printk_ring_debugfs_exit(struct printk_ring *pr)
{
	debugfs_remove_recursive(pr->debugfs);
}
