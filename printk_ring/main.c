// SPDX-License-Identifier: GPL-2.0
/*
 * printk_ring: a lockless multi-writer ring buffer in printk's design
 * (ring.c), with a /dev/kmsg-like log file and statistics in debugfs
 * (debugfs.c) and a console that mirrors every kernel message into it.
 * Documentation/printk_ring.rst.
 */

#include <linux/console.h>
#include <linux/hardirq.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "printk_ring.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* 1024 records and 64 KiB of text: a few minutes of a busy boot log. */
static unsigned int desc_bits = 10;
module_param(desc_bits, uint, 0444);
MODULE_PARM_DESC(desc_bits, "log2 of the number of records (4..20, default 10)");

static unsigned int data_bits = 16;
module_param(data_bits, uint, 0444);
MODULE_PARM_DESC(data_bits, "log2 of the text space in bytes (8..24, default 16)");

/* The module's one ring: its registration object, as a driver's device. */
static struct printk_ring *printk_ring;

static enum pring_ctx current_ctx(void)
{
	if (in_nmi())
		return PRING_CTX_NMI;
	if (in_hardirq())
		return PRING_CTX_HARDIRQ;
	if (in_serving_softirq())
		return PRING_CTX_SOFTIRQ;
	return PRING_CTX_TASK;
}

static void printk_ring_wake(struct irq_work *work)
{
	struct printk_ring *pr = container_of(work, struct printk_ring, wake_work);

	wake_up_interruptible_all(&pr->wait);
}

/**
 * printk_ring_write() - append a record to the module's ring
 * @facility: syslog facility
 * @level:    syslog level, 0..7
 * @text:     the text
 * @len:      its length (before decoding)
 * @copy:     copied byte for byte, or decoded from /dev/kmsg's escapes
 *
 * Stamps the record with the time, the caller (PID in task context, CPU
 * otherwise) and the context, commits it, traces it and wakes the log's
 * readers.
 *
 * Context: any context, NMI included; never sleeps or spins on a writer.
 * Return: 0, -EMSGSIZE if @len exceeds the ring's limit, -ENOSPC if the
 * ring could not make room (the oldest record is still being written).
 */
int printk_ring_write(u8 facility, u8 level, const char *text, unsigned int len,
		      enum printk_ring_copy copy)
{
	struct printk_ring *pr = printk_ring;
	enum pring_ctx ctx = current_ctx();
	struct pring_entry e;
	int err;

	err = pring_reserve(&e, pr->ring, len);
	if (err) {
		trace_printk_ring_reserve_fail(len, err, ctx);
		return err;
	}
	if (copy == PRINTK_RING_UNESCAPE)
		e.info->text_len = printk_ring_unescape(e.text, text, len);
	else
		memcpy(e.text, text, len);
	e.info->ts_nsec = local_clock();
	e.info->caller_id = in_task() ? task_pid_nr(current) :
			    PRING_CALLER_CPU | raw_smp_processor_id();
	e.info->facility = facility;
	e.info->level = level & 7;
	e.info->ctx = ctx;
	trace_printk_ring_commit(e.info->seq, e.info->text_len, level & 7, e.info->caller_id, ctx);
	pring_final_commit(&e);

	/*
	 * wq_has_sleeper()'s barrier orders the commit before the check for
	 * sleepers; it pairs with the barrier in prepare_to_wait_event()
	 * (set_current_state()) that orders a reader's queueing before its
	 * re-check of the ring. The wake-up goes through irq_work because
	 * this may be an NMI.
	 */
	if (wq_has_sleeper(&pr->wait))
		irq_work_queue(&pr->wake_work);
	return 0;
}

/**
 * printk_ring_log() - append a kernel message to the module's ring
 * @level: syslog level, 0..7
 * @text:  the text
 * @len:   its length
 *
 * For other modules: a record of facility kern, as printk() makes.
 *
 * Context: any context, NMI included; never sleeps or spins on a writer.
 * Return: 0, -EMSGSIZE if @len exceeds the ring's limit, -ENOSPC if the
 * ring could not make room (the oldest record is still being written).
 */
int printk_ring_log(u8 level, const char *text, unsigned int len)
{
	return printk_ring_write(PRINTK_RING_FAC_KERN, level, text, len, PRINTK_RING_COPY);
}
EXPORT_SYMBOL_GPL(printk_ring_log);

/*
 * mirror_printk: a console that copies kernel messages into the ring.
 * Extended consoles get each message in /dev/kmsg's format, which carries
 * its facility and level: "PRIO,SEQ,USEC,FLAGS;TEXT\n" plus dictionary
 * lines, with the text escaped. Like any console it gets only what the
 * console log level lets through, when the console is flushed.
 */
static void mirror_write(struct console *con, const char *msg, unsigned int len)
{
	unsigned int max = pring_max_text(printk_ring->ring);
	const char *semi = memchr(msg, ';', len);
	unsigned int prio = 0;
	const char *end;
	const char *p;

	if (!semi)
		return;
	for (p = msg; p < semi && *p >= '0' && *p <= '9'; p++)
		prio = prio * 10 + (*p - '0');
	semi++;
	end = memchr(semi, '\n', msg + len - semi);
	if (!end)
		end = msg + len;
	/* Failures are counted by the ring; printing here would recurse. */
	printk_ring_write(min(prio >> 3, 255U), prio & 7, semi, min_t(size_t, end - semi, max),
			  PRINTK_RING_UNESCAPE);
}

static struct console mirror_console = {
	.name	= "pring",
	.write	= mirror_write,
	.flags	= CON_EXTENDED,
	.index	= -1,
};

static DEFINE_MUTEX(mirror_lock);
static bool mirror_printk;

/*
 * A console not named by console= is only enabled if it comes enabled,
 * as netconsole does; unregister_console() clears the flag again.
 */
static int mirror_register(void)
{
	mirror_console.flags |= CON_ENABLED;
	register_console(&mirror_console);
	return (mirror_console.flags & CON_ENABLED) ? 0 : -EIO;
}

static int mirror_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	mutex_lock(&mirror_lock);
	/* Before module init has made the ring, only record the wish. */
	if (printk_ring && on != mirror_printk) {
		if (on)
			err = mirror_register();
		else
			err = unregister_console(&mirror_console);
	}
	if (!err)
		mirror_printk = on;
	mutex_unlock(&mirror_lock);
	return err;
}

static const struct kernel_param_ops mirror_ops = {
	.set = mirror_set,
	.get = param_get_bool,
};
module_param_cb(mirror_printk, &mirror_ops, &mirror_printk, 0644);
MODULE_PARM_DESC(mirror_printk, "copy every kernel message into the ring (default off)");

static int __init printk_ring_init(void)
{
	struct printk_ring *pr;
	int err = 0;

	if (desc_bits < PRING_DESC_BITS_MIN || desc_bits > PRING_DESC_BITS_MAX) {
		pr_err("desc_bits=%u out of range %u..%u\n", desc_bits,
		       PRING_DESC_BITS_MIN, PRING_DESC_BITS_MAX);
		return -EINVAL;
	}
	if (data_bits < PRING_DATA_BITS_MIN || data_bits > PRING_DATA_BITS_MAX) {
		pr_err("data_bits=%u out of range %u..%u\n", data_bits,
		       PRING_DATA_BITS_MIN, PRING_DATA_BITS_MAX);
		return -EINVAL;
	}

	pr = kzalloc(sizeof(*pr), GFP_KERNEL);
	if (!pr)
		return -ENOMEM;
	pr->ring = pring_alloc(desc_bits, data_bits);
	if (!pr->ring) {
		kfree(pr);
		return -ENOMEM;
	}
	init_waitqueue_head(&pr->wait);
	init_irq_work(&pr->wake_work, printk_ring_wake);
	atomic64_set(&pr->lost, 0);

	mutex_lock(&mirror_lock);
	printk_ring = pr;
	if (mirror_printk)
		err = mirror_register();
	if (err) {
		pr_err("mirror_printk: the console could not be registered\n");
		printk_ring = NULL;
	}
	mutex_unlock(&mirror_lock);
	if (err)
		goto free;

	/* Last: once a file exists, it can be opened. */
	err = printk_ring_debugfs_init(pr);
	if (err)
		goto unregister;
	return 0;

unregister:
	mutex_lock(&mirror_lock);
	if (mirror_printk)
		unregister_console(&mirror_console);
	printk_ring = NULL;
	mutex_unlock(&mirror_lock);
free:
	pring_free(pr->ring);
	kfree(pr);
	return err;
}
module_init(printk_ring_init);

static void __exit printk_ring_exit(void)
{
	struct printk_ring *pr = printk_ring;

	/*
	 * The parameter's sysfs file outlives this function: from here on a
	 * write to it only records the wish (mirror_set() sees no ring).
	 */
	mutex_lock(&mirror_lock);
	if (mirror_printk)
		unregister_console(&mirror_console);
	mirror_printk = false;
	printk_ring = NULL;
	mutex_unlock(&mirror_lock);
	/* No file is open (each holds a module reference): no reader left. */
	printk_ring_debugfs_exit(pr);
	irq_work_sync(&pr->wake_work);
	pring_free(pr->ring);
	kfree(pr);
}
module_exit(printk_ring_exit);

MODULE_AUTHOR("kernlabs");
MODULE_DESCRIPTION("Lockless multi-writer ring buffer in the design of printk's");
MODULE_LICENSE("GPL");
