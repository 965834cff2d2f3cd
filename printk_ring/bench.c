// SPDX-License-Identifier: GPL-2.0
/*
 * printk_ring_bench: writer throughput of the printk_ring core beside the
 * kernel's own equivalents, a spinlock-protected kfifo and the ftrace ring
 * buffer, for 1..N writer threads and several record sizes. Driven by
 * scripts/bench/printk_ring through /sys/kernel/debug/printk_ring_bench/:
 *   run     - write a duration in ms per measurement to run them all
 *   results - one line per measurement: impl writers size records ns/record
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kfifo.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/ring_buffer.h>
#include <linux/sched/clock.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "ring.h"

/* Record sizes: a short message, a typical log line, a long one. */
static const unsigned int bench_sizes[] = { 16, 64, 256 };

/* Each implementation gets 1 MiB of buffer and 2^12 records' metadata. */
#define BENCH_BUF_BYTES		SZ_1M
#define BENCH_DESC_BITS		12
#define BENCH_MAX_WRITERS	64

enum bench_impl { IMPL_PRING, IMPL_KFIFO, IMPL_FTRACE, IMPL_NR };

static const char *const impl_names[IMPL_NR] = {
	[IMPL_PRING] = "printk_ring",
	[IMPL_KFIFO] = "kfifo+spinlock",
	[IMPL_FTRACE] = "ftrace_rb",
};

struct bench_record_header {
	u64	ts_nsec;
	u32	len;
};

/**
 * struct bench - one measurement's shared state
 * @impl:     the implementation measured
 * @size:     payload bytes per record
 * @stop:     set when the measurement's time is up
 * @writers:  writer threads
 * @started:  writer threads that have begun
 * @all_started: completed by the last writer to begin
 * @ring:     IMPL_PRING's ring
 * @fifo:     IMPL_KFIFO's fifo of records, under @lock
 * @lock:     IMPL_KFIFO's lock
 * @rb:       IMPL_FTRACE's ring buffer
 * @records:  records written per writer
 */
struct bench {
	enum bench_impl		impl;
	unsigned int		size;
	bool			stop;
	unsigned int		writers;
	atomic_t		started;
	struct completion	all_started;
	struct pring		*ring;
	struct kfifo_rec_ptr_2	fifo;
	spinlock_t		lock;	/* protects @fifo */
	struct trace_buffer	*rb;
	unsigned long		records[BENCH_MAX_WRITERS];
};

struct bench_writer {
	struct bench		*b;
	unsigned int		id;
	struct task_struct	*task;
};

/* Each writer returns whether its record was stored. */
static bool write_pring(struct bench *b, const char *payload)
{
	struct pring_entry e;

	if (pring_reserve(&e, b->ring, b->size))
		return false;
	e.info->ts_nsec = local_clock();
	memcpy(e.text, payload, b->size);
	pring_final_commit(&e);
	return true;
}

/* A spinlock and a kfifo that drops its oldest records when full. */
static bool write_kfifo(struct bench *b, const char *payload)
{
	char rec[sizeof(struct bench_record_header) + 256];
	struct bench_record_header *h = (void *)rec;
	unsigned long flags;

	h->ts_nsec = local_clock();
	h->len = b->size;
	memcpy(rec + sizeof(*h), payload, b->size);
	spin_lock_irqsave(&b->lock, flags);
	while (kfifo_avail(&b->fifo) < sizeof(*h) + b->size + 2)
		kfifo_skip(&b->fifo);
	kfifo_in(&b->fifo, rec, sizeof(*h) + b->size);
	spin_unlock_irqrestore(&b->lock, flags);
	return true;
}

/* The ftrace ring buffer timestamps its events itself. */
static bool write_ftrace(struct bench *b, const char *payload)
{
	struct ring_buffer_event *event;

	event = ring_buffer_lock_reserve(b->rb, b->size);
	if (!event)
		return false;
	memcpy(ring_buffer_event_data(event), payload, b->size);
	compat_ring_buffer_unlock_commit(b->rb, event);
	return true;
}

static int bench_thread(void *data)
{
	struct bench_writer *w = data;
	struct bench *b = w->b;
	unsigned long n = 0, tries = 0;
	char payload[256];
	bool stored;

	memset(payload, 'a' + w->id, sizeof(payload));
	if (atomic_inc_return(&b->started) == b->writers)
		complete(&b->all_started);
	/* At least one record, even if the time was up before this ran. */
	do {
		switch (b->impl) {
		case IMPL_PRING:
			stored = write_pring(b, payload);
			break;
		case IMPL_KFIFO:
			stored = write_kfifo(b, payload);
			break;
		default:
			stored = write_ftrace(b, payload);
			break;
		}
		n += stored;
		/* Nothing else preempts a kthread on a voluntary-preemption kernel. */
		if (!(++tries & 63))
			cond_resched();
	} while (!READ_ONCE(b->stop));
	b->records[w->id] = n;
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static int bench_setup(struct bench *b)
{
	switch (b->impl) {
	case IMPL_PRING:
		b->ring = pring_alloc(BENCH_DESC_BITS, ilog2(BENCH_BUF_BYTES));
		return b->ring ? 0 : -ENOMEM;
	case IMPL_KFIFO:
		spin_lock_init(&b->lock);
		return kfifo_alloc(&b->fifo, BENCH_BUF_BYTES, GFP_KERNEL);
	default:
		b->rb = ring_buffer_alloc(BENCH_BUF_BYTES / num_possible_cpus(), RB_FL_OVERWRITE);
		return b->rb ? 0 : -ENOMEM;
	}
}

static void bench_teardown(struct bench *b)
{
	pring_free(b->ring);
	if (b->impl == IMPL_KFIFO)
		kfifo_free(&b->fifo);
	if (b->rb)
		ring_buffer_free(b->rb);
}

/*
 * One measurement: @writers threads, on CPUs 0.. in turn, write @size-byte
 * records into @impl for @ms milliseconds. Reports records per second and
 * the writers' time per record in ns.
 */
static int bench_one(struct seq_buf *out, enum bench_impl impl, unsigned int writers,
		     unsigned int size, unsigned int ms)
{
	struct bench_writer *w;
	unsigned long total = 0;
	struct bench *b;
	u64 start, elapsed;
	unsigned int i;
	int err;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	w = kcalloc(writers, sizeof(*w), GFP_KERNEL);
	err = (b && w) ? 0 : -ENOMEM;
	if (!err) {
		b->impl = impl;
		b->size = size;
		b->writers = writers;
		init_completion(&b->all_started);
		err = bench_setup(b);
	}
	for (i = 0; !err && i < writers; i++) {
		w[i].b = b;
		w[i].id = i;
		w[i].task = kthread_create_on_cpu(bench_thread, &w[i], i % num_online_cpus(),
						  "pring_bench/%u");
		if (IS_ERR(w[i].task)) {
			err = PTR_ERR(w[i].task);
			w[i].task = NULL;
		}
	}
	if (!err) {
		start = local_clock();
		for (i = 0; i < writers; i++)
			wake_up_process(w[i].task);
		/*
		 * The time is not up before every writer has run: under an
		 * emulator a woken thread can wait longer than a short
		 * measurement, and kthread_stop() would end it unrun.
		 */
		wait_for_completion(&b->all_started);
		msleep(ms);
		WRITE_ONCE(b->stop, true);
	}
	/* kthread_stop() also ends threads never woken (on error). */
	for (i = 0; b && w && i < writers && w[i].task; i++) {
		WRITE_ONCE(b->stop, true);
		kthread_stop(w[i].task);
		total += b->records[i];
	}
	if (!err) {
		elapsed = local_clock() - start;
		seq_buf_printf(out, "%s %u %u %llu %llu\n", impl_names[impl], writers, size,
			       div64_u64(total * NSEC_PER_SEC, elapsed),
			       total ? div64_u64(elapsed * writers, total) : 0);
	}
	if (b)
		bench_teardown(b);
	kfree(w);
	kfree(b);
	return err;
}

/* The registration object: the results of the last run, and its lock. */
static struct {
	struct mutex	lock;	/* protects @results */
	char		*results;
	struct dentry	*dir;
} bench_state;

static ssize_t run_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	unsigned int ms, writers, impl, s, max_writers = min(num_online_cpus(), BENCH_MAX_WRITERS);
	struct seq_buf out;
	char *buf;
	int err;

	err = kstrtouint_from_user(ubuf, count, 0, &ms);
	if (err)
		return err;
	if (ms < 10 || ms > 10000)
		return -EINVAL;
	buf = kvzalloc(PAGE_SIZE * 4, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	seq_buf_init(&out, buf, PAGE_SIZE * 4);
	seq_buf_printf(&out, "impl writers size records_per_s ns_per_record\n");
	for (impl = 0; !err && impl < IMPL_NR; impl++)
		for (writers = 1; !err && writers <= max_writers; writers++)
			for (s = 0; !err && s < ARRAY_SIZE(bench_sizes); s++)
				err = bench_one(&out, impl, writers, bench_sizes[s], ms);
	if (err) {
		kvfree(buf);
		return err;
	}
	mutex_lock(&bench_state.lock);
	kvfree(bench_state.results);
	bench_state.results = buf;
	mutex_unlock(&bench_state.lock);
	return count;
}

static const struct file_operations run_fops = {
	.owner	= THIS_MODULE,
	.write	= run_write,
};

static int results_show(struct seq_file *m, void *v)
{
	mutex_lock(&bench_state.lock);
	seq_puts(m, bench_state.results ?: "");
	mutex_unlock(&bench_state.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static int __init bench_init(void)
{
	mutex_init(&bench_state.lock);
	bench_state.dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(bench_state.dir))
		return -ENODEV;
	debugfs_create_file("run", 0200, bench_state.dir, NULL, &run_fops);
	debugfs_create_file("results", 0444, bench_state.dir, NULL, &results_fops);
	return 0;
}
module_init(bench_init);

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_state.dir);
	kvfree(bench_state.results);
}
module_exit(bench_exit);

MODULE_DESCRIPTION("printk_ring benchmark beside kfifo and the ftrace ring buffer");
MODULE_LICENSE("GPL");
