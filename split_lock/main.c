// SPDX-License-Identifier: GPL-2.0
/*
 * split_lock: an x86 split-lock and bus-lock detector and cost meter.
 *
 * /sys/kernel/debug/split_lock/ holds:
 *   status     what the CPU supports and what the kernel armed
 *   probes     the kprobes on the kernel's #AC/#DB handlers, with hit counts
 *   counters   the CPU's split/bus-lock hardware event, summed over CPUs
 *   offenders  top tasks by traps; write "reset" to empty it
 *   top_n      rows the offenders file shows
 *   cost       write "run [ITERATIONS [PHASE_MS]]" to measure, read the figures
 *
 * Documentation/split_lock.rst describes every line of them.
 */

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "split_lock.h"

static unsigned int table_size = 128;
module_param(table_size, uint, 0444);
MODULE_PARM_DESC(table_size, "rows of the offender table, 8 to 4096 (default 128)");

static bool perf_counters = true;
module_param(perf_counters, bool, 0444);
MODULE_PARM_DESC(perf_counters, "count the CPU's split/bus-lock event on every CPU (default Y)");

static struct dentry *sl_debugfs;
static unsigned int sl_top_n = 20;

/*
 * Copy a short control write from user space, NUL-terminated and trimmed.
 * Anything longer than any valid command is refused rather than cut.
 */
static int sl_copy_command(const char __user *ubuf, size_t count, char *buf, size_t size)
{
	if (!count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);
	return 0;
}

/**
 * struct sl_status_text - the status file's text, built at open
 * @len: bytes of @text
 * @text: the text
 */
struct sl_status_text {
	size_t len;
	char text[];
};

/*
 * The status is gathered at open, outside any seq_file: gathering reads
 * procfs files, whose seq_file locks lockdep would take for our own.
 */
static int status_open(struct inode *inode, struct file *file)
{
	struct sl_status_text *st_text;
	struct sl_status st;
	size_t size;
	int err;

	err = sl_status_collect(&st);
	if (err)
		return err;
	/* The fixed lines, then two MSR lines of at most 80 bytes per CPU. */
	size = 2048 + st.nr_cpus * 160;
	st_text = kvmalloc(struct_size(st_text, text, size), GFP_KERNEL);
	if (!st_text) {
		sl_status_release(&st);
		return -ENOMEM;
	}
	st_text->len = sl_status_format(&st, st_text->text, size);
	sl_status_release(&st);
	file->private_data = st_text;
	return nonseekable_open(inode, file);
}

static ssize_t status_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct sl_status_text *st_text = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, st_text->text, st_text->len);
}

static int status_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static const struct file_operations status_fops = {
	.owner		= THIS_MODULE,
	.open		= status_open,
	.read		= status_read,
	.release	= status_release,
};

static int probes_show(struct seq_file *m, void *v)
{
	sl_detector_show_probes(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probes);

static int counters_show(struct seq_file *m, void *v)
{
	sl_detector_show_counters(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static int offenders_show(struct seq_file *m, void *v)
{
	return sl_detector_show_offenders(m, READ_ONCE(sl_top_n));
}

static int offenders_open(struct inode *inode, struct file *file)
{
	return single_open(file, offenders_show, NULL);
}

static ssize_t offenders_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[16];
	int err;

	err = sl_copy_command(ubuf, count, buf, sizeof(buf));
	if (err)
		return err;
	if (strcmp(buf, "reset"))
		return -EINVAL;
	sl_detector_reset();
	return count;
}

static const struct file_operations offenders_fops = {
	.owner		= THIS_MODULE,
	.open		= offenders_open,
	.read		= seq_read,
	.write		= offenders_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int top_n_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%u\n", READ_ONCE(sl_top_n));
	return 0;
}

static int top_n_open(struct inode *inode, struct file *file)
{
	return single_open(file, top_n_show, NULL);
}

static ssize_t top_n_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	unsigned int n;
	char buf[16];
	int err;

	err = sl_copy_command(ubuf, count, buf, sizeof(buf));
	if (err)
		return err;
	if (kstrtouint(buf, 10, &n) || !n || n > sl_detector_table_size())
		return -EINVAL;
	WRITE_ONCE(sl_top_n, n);
	return count;
}

static const struct file_operations top_n_fops = {
	.owner		= THIS_MODULE,
	.open		= top_n_open,
	.read		= seq_read,
	.write		= top_n_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int cost_show(struct seq_file *m, void *v)
{
	sl_meter_show(m);
	return 0;
}

static int cost_open(struct inode *inode, struct file *file)
{
	return single_open(file, cost_show, NULL);
}

/* "run", "run ITERATIONS" or "run ITERATIONS PHASE_MS". */
static ssize_t cost_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	unsigned int iterations = SL_METER_ITER_DEFAULT, phase_ms = SL_METER_MS_DEFAULT;
	char buf[48], *args, *word;
	int err;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	err = sl_copy_command(ubuf, count, buf, sizeof(buf));
	if (err)
		return err;
	args = buf;
	word = strsep(&args, " \t");
	if (strcmp(word, "run"))
		return -EINVAL;
	word = strsep(&args, " \t");
	if (word && (kstrtouint(word, 10, &iterations) ||
		     iterations < SL_METER_ITER_MIN || iterations > SL_METER_ITER_MAX))
		return -EINVAL;
	word = strsep(&args, " \t");
	if (word && (kstrtouint(word, 10, &phase_ms) ||
		     phase_ms < SL_METER_MS_MIN || phase_ms > SL_METER_MS_MAX))
		return -EINVAL;
	if (args)
		return -EINVAL;
	err = sl_meter_run(iterations, phase_ms);
	return err ? err : count;
}

static const struct file_operations cost_fops = {
	.owner		= THIS_MODULE,
	.open		= cost_open,
	.read		= seq_read,
	.write		= cost_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int __init split_lock_init(void)
{
	int err;

	if (table_size < SL_TABLE_MIN || table_size > SL_TABLE_MAX) {
		pr_err("table_size=%u is out of range %u..%u\n", table_size,
		       SL_TABLE_MIN, SL_TABLE_MAX);
		return -EINVAL;
	}
	sl_top_n = min(sl_top_n, table_size);

	err = sl_detector_start(table_size, perf_counters);
	if (err)
		return err;

	sl_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(sl_debugfs)) {
		sl_detector_stop();
		return -ENODEV;
	}
	debugfs_create_file("status", 0400, sl_debugfs, NULL, &status_fops);
	debugfs_create_file("probes", 0400, sl_debugfs, NULL, &probes_fops);
	debugfs_create_file("counters", 0400, sl_debugfs, NULL, &counters_fops);
	debugfs_create_file("offenders", 0600, sl_debugfs, NULL, &offenders_fops);
	debugfs_create_file("top_n", 0600, sl_debugfs, NULL, &top_n_fops);
	debugfs_create_file("cost", 0600, sl_debugfs, NULL, &cost_fops);
	return 0;
}

static void __exit split_lock_exit(void)
{
	/* Files first: no reader may reach the detector once it is gone. */
	debugfs_remove_recursive(sl_debugfs);
	sl_detector_stop();
}

module_init(split_lock_init);
module_exit(split_lock_exit);

MODULE_DESCRIPTION("x86 split-lock and bus-lock detector and cost meter");
MODULE_AUTHOR("kernlabs");
MODULE_LICENSE("GPL");
