// SPDX-License-Identifier: GPL-2.0
/*
 * split_lock cost meter: what a split lock costs the CPU that does it, and
 * what it costs another CPU that only touches its own memory.
 *
 * 1. On one CPU, batches of locked adds on an aligned operand and on one
 *    that straddles two cache lines, alternately, interrupts off per batch;
 *    the median batch gives the cycles (TSC) per locked add of each.
 * 2. One CPU (the victim) streams through its own buffer and times batches
 *    of loads while another (the locker) idles, does aligned locked adds,
 *    then split locked adds, for a fixed time each. The victim's cost per
 *    load in each phase is given two ways: over the whole phase (throughput:
 *    stalls between batches count) and as the median batch. A victim so
 *    starved that it completes no batch in a phase is reported "stalled".
 *
 * A split lock in kernel mode with detection armed is fatal (or reported),
 * so a run is refused, with the reason, when sl_meter_refusal() says so.
 */

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/tsc.h>

#include "split_lock.h"

bool sl_meter_in_guest;
module_param_named(meter_in_guest, sl_meter_in_guest, bool, 0644);
MODULE_PARM_DESC(meter_in_guest,
		 "let the cost meter run under a hypervisor other than QEMU's TCG (default N)");

/* Locked adds per timed batch, and the victim's loads per batch. */
#define SL_LOCK_BATCH		100
#define SL_VICTIM_BATCH		64
#define SL_VICTIM_BUF		SZ_1M
#define SL_VICTIM_SAMPLES	16384

enum sl_phase {
	SL_PHASE_IDLE,
	SL_PHASE_ALIGNED,
	SL_PHASE_SPLIT,
	SL_NR_PHASES,
	SL_PHASE_WAIT = SL_NR_PHASES,
	SL_PHASE_DONE,
};

static const char *const sl_phase_names[SL_NR_PHASES] = {
	"idle", "aligned", "split",
};

/**
 * struct sl_meter_result - the last run, as the cost file shows it
 * @state: "never run", "done", "refused" or "failed"
 * @reason: why it was refused
 * @err: why it failed
 * @iterations: locked adds of each kind on the measuring CPU
 * @phase_ms: length of each interference phase
 * @cpu: measuring (and locking) CPU
 * @aligned_x100: cycles per aligned locked add, times 100
 * @split_x100: cycles per split locked add, times 100
 * @victim_cpu: the victim CPU, or -1 when there is no second CPU
 * @victim_x100: victim cycles per load in each phase (median batch), times 100
 * @victim_mean_x100: victim cycles per load over each phase, times 100
 * @victim_batches: batches the victim ran in each phase
 */
struct sl_meter_result {
	const char *state;
	const char *reason;
	int err;
	unsigned int iterations;
	unsigned int phase_ms;
	unsigned int cpu;
	u64 aligned_x100;
	u64 split_x100;
	int victim_cpu;
	u64 victim_x100[SL_NR_PHASES];
	u64 victim_mean_x100[SL_NR_PHASES];
	u64 victim_batches[SL_NR_PHASES];
};

/* Serialises runs and guards sl_result. */
static DEFINE_MUTEX(sl_meter_lock);
static struct sl_meter_result sl_result = { .state = "never run" };

/* A u32 at any address: the operand of the locked add. */
struct sl_word {
	u32 v;
} __packed;

static __always_inline void sl_locked_add(void *p)
{
	asm volatile("lock addl $1, %0" : "+m" (((struct sl_word *)p)->v) : : "cc");
}

/* Cycles for SL_LOCK_BATCH locked adds at @p, interrupts off. */
static u64 sl_time_batch(void *p)
{
	unsigned long flags;
	unsigned int i;
	u64 t0, t1;

	local_irq_save(flags);
	t0 = rdtsc_ordered();
	for (i = 0; i < SL_LOCK_BATCH; i++)
		sl_locked_add(p);
	t1 = rdtsc_ordered();
	local_irq_restore(flags);
	return t1 - t0;
}

/**
 * struct sl_single - the one-CPU measurement's work
 * @line: a page; operands are taken in it
 * @batches: number of batches of each kind
 * @aligned: cycles of each aligned batch
 * @split: cycles of each split batch
 */
struct sl_single {
	u8 *line;
	unsigned int batches;
	u64 *aligned;
	u64 *split;
};

/* Runs on the measuring CPU (smp_call_on_cpu()), in process context. */
static int sl_single_cpu(void *arg)
{
	struct sl_single *w = arg;
	void *aligned = w->line + 2 * SL_CACHE_LINE;
	void *split = w->line + SL_CACHE_LINE - sizeof(u32) / 2;
	unsigned int i;

	for (i = 0; i < w->batches; i++) {
		w->aligned[i] = sl_time_batch(aligned);
		w->split[i] = sl_time_batch(split);
		cond_resched();
	}
	return 0;
}

/**
 * struct sl_pair - the interference measurement's shared state
 * @phase: current &enum sl_phase, set by the controller
 * @ready: threads that have started
 * @line: the locker's page
 * @buf: the victim's buffer
 * @samples: victim batch cycles per phase, the first %SL_VICTIM_SAMPLES
 * @nr: samples kept per phase
 * @batches: batches run per phase
 * @start: TSC at the start of each phase's first batch
 * @end: TSC at the end of each phase's last batch
 */
struct sl_pair {
	int phase;
	atomic_t ready;
	u8 *line;
	u64 *buf;
	u64 *samples[SL_NR_PHASES];
	unsigned int nr[SL_NR_PHASES];
	u64 batches[SL_NR_PHASES];
	u64 start[SL_NR_PHASES];
	u64 end[SL_NR_PHASES];
};

static int sl_locker(void *arg)
{
	struct sl_pair *pair = arg;
	void *aligned = pair->line + 2 * SL_CACHE_LINE;
	void *split = pair->line + SL_CACHE_LINE - sizeof(u32) / 2;
	unsigned int i;

	atomic_inc(&pair->ready);
	while (!kthread_should_stop()) {
		switch (READ_ONCE(pair->phase)) {
		case SL_PHASE_ALIGNED:
			for (i = 0; i < SL_LOCK_BATCH; i++)
				sl_locked_add(aligned);
			break;
		case SL_PHASE_SPLIT:
			for (i = 0; i < SL_LOCK_BATCH; i++)
				sl_locked_add(split);
			break;
		case SL_PHASE_DONE:
			schedule_timeout_idle(1);
			break;
		default:
			cpu_relax();
			break;
		}
		cond_resched();
	}
	return 0;
}

static int sl_victim(void *arg)
{
	struct sl_pair *pair = arg;
	unsigned int lines = SL_VICTIM_BUF / SL_CACHE_LINE, pos = 0, i;
	unsigned int step = SL_CACHE_LINE / sizeof(u64);
	unsigned long flags;
	u64 sum = 0, t0, t1;
	int phase;

	atomic_inc(&pair->ready);
	while (!kthread_should_stop()) {
		phase = READ_ONCE(pair->phase);
		if (phase == SL_PHASE_DONE) {
			schedule_timeout_idle(1);
			continue;
		}
		local_irq_save(flags);
		t0 = rdtsc_ordered();
		for (i = 0; i < SL_VICTIM_BATCH; i++) {
			sum += READ_ONCE(pair->buf[pos * step]);
			pos = pos + 1 < lines ? pos + 1 : 0;
		}
		t1 = rdtsc_ordered();
		local_irq_restore(flags);
		/* A batch that straddles a phase change counts for neither. */
		if (phase < SL_NR_PHASES && READ_ONCE(pair->phase) == phase) {
			if (!pair->batches[phase]++)
				pair->start[phase] = t0;
			pair->end[phase] = t1;
			if (pair->nr[phase] < SL_VICTIM_SAMPLES)
				pair->samples[phase][pair->nr[phase]++] = t1 - t0;
		}
		cond_resched();
	}
	/* Keeps the loads from being optimised away. */
	pair->buf[0] = sum;
	return 0;
}

static void sl_pair_free(struct sl_pair *pair)
{
	unsigned int p;

	for (p = 0; p < SL_NR_PHASES; p++)
		kvfree(pair->samples[p]);
	kvfree(pair->buf);
}

/* The interference measurement; CPU hotplug is held off by the caller. */
static int sl_interference(struct sl_meter_result *res, u8 *line)
{
	struct task_struct *locker, *victim;
	struct sl_pair pair = { .phase = SL_PHASE_WAIT, .line = line };
	unsigned int p;
	int err = -ENOMEM;

	pair.buf = kvzalloc(SL_VICTIM_BUF, GFP_KERNEL);
	if (!pair.buf)
		goto out;
	for (p = 0; p < SL_NR_PHASES; p++) {
		pair.samples[p] = kvmalloc_array(SL_VICTIM_SAMPLES, sizeof(u64), GFP_KERNEL);
		if (!pair.samples[p])
			goto out;
	}
	atomic_set(&pair.ready, 0);

	locker = kthread_create(sl_locker, &pair, "split_lock/locker");
	if (IS_ERR(locker)) {
		err = PTR_ERR(locker);
		goto out;
	}
	victim = kthread_create(sl_victim, &pair, "split_lock/victim");
	if (IS_ERR(victim)) {
		err = PTR_ERR(victim);
		kthread_stop(locker);
		goto out;
	}
	kthread_bind(locker, res->cpu);
	kthread_bind(victim, res->victim_cpu);
	wake_up_process(locker);
	wake_up_process(victim);
	while (atomic_read(&pair.ready) < 2)
		usleep_range(1000, 2000);

	for (p = 0; p < SL_NR_PHASES; p++) {
		WRITE_ONCE(pair.phase, p);
		msleep(res->phase_ms);
	}
	WRITE_ONCE(pair.phase, SL_PHASE_DONE);
	kthread_stop(victim);
	kthread_stop(locker);

	for (p = 0; p < SL_NR_PHASES; p++) {
		u64 loads = pair.batches[p] * SL_VICTIM_BATCH;

		res->victim_batches[p] = pair.batches[p];
		res->victim_x100[p] = div_u64(sl_median(pair.samples[p], pair.nr[p]) * 100,
					      SL_VICTIM_BATCH);
		res->victim_mean_x100[p] = loads ?
			div64_u64((pair.end[p] - pair.start[p]) * 100, loads) : 0;
	}
	err = 0;
out:
	sl_pair_free(&pair);
	return err;
}

/* The one-CPU measurement. */
static int sl_single(struct sl_meter_result *res, u8 *line)
{
	struct sl_single w = {
		.line = line,
		.batches = DIV_ROUND_UP(res->iterations, SL_LOCK_BATCH),
	};
	int err = -ENOMEM;

	w.aligned = kvmalloc_array(w.batches, sizeof(u64), GFP_KERNEL);
	w.split = kvmalloc_array(w.batches, sizeof(u64), GFP_KERNEL);
	if (!w.aligned || !w.split)
		goto out;
	err = smp_call_on_cpu(res->cpu, sl_single_cpu, &w, false);
	if (err)
		goto out;
	/* SL_LOCK_BATCH adds per batch: batch cycles are 100x cycles per add. */
	BUILD_BUG_ON(SL_LOCK_BATCH != 100);
	res->aligned_x100 = sl_median(w.aligned, w.batches);
	res->split_x100 = sl_median(w.split, w.batches);
out:
	kvfree(w.aligned);
	kvfree(w.split);
	return err;
}

static int sl_meter_measure(struct sl_meter_result *res)
{
	struct page *page;
	int err;

	/* A page, so both operands sit in memory no one else uses. */
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;

	err = sl_single(res, page_address(page));
	if (err)
		goto out;

	cpus_read_lock();
	res->victim_cpu = cpumask_next(res->cpu, cpu_online_mask);
	if (res->victim_cpu >= nr_cpu_ids)
		res->victim_cpu = -1;
	else
		err = sl_interference(res, page_address(page));
	cpus_read_unlock();
out:
	__free_page(page);
	return err;
}

/**
 * sl_meter_run() - run the cost meter, unless detection forbids it
 * @iterations: locked adds of each kind on the measuring CPU
 * @phase_ms: length of each interference phase
 *
 * Context: process context; sleeps for about 3 * @phase_ms plus the
 * measurement. Runs are serialised.
 * Return: 0, -EPERM when refused (the reason is logged and shown in the
 * cost file), -EINTR, or the error that stopped the run.
 */
int sl_meter_run(unsigned int iterations, unsigned int phase_ms)
{
	struct sl_meter_result res = {
		.iterations = iterations,
		.phase_ms = phase_ms,
		.victim_cpu = -1,
	};
	struct sl_status st;
	int err;

	/* Before the lock: gathering reads procfs, whose seq_file lock the
	 * cost file's reader takes before sl_meter_lock.
	 */
	err = sl_status_collect(&st);
	if (err)
		return err;
	res.reason = sl_meter_refusal(&st);
	sl_status_release(&st);

	if (mutex_lock_interruptible(&sl_meter_lock))
		return -EINTR;
	if (res.reason) {
		pr_warn("cost meter refused: %s\n", res.reason);
		res.state = "refused";
		err = -EPERM;
		goto out;
	}

	res.cpu = cpumask_first(cpu_online_mask);
	err = sl_meter_measure(&res);
	res.state = err ? "failed" : "done";
	res.err = err;
out:
	sl_result = res;
	mutex_unlock(&sl_meter_lock);
	return err;
}

static void sl_show_x100(struct seq_file *m, const char *key, u64 x100)
{
	seq_printf(m, "%s: %llu.%02llu\n", key, div_u64(x100, 100), x100 % 100);
}

static void sl_show_ns(struct seq_file *m, const char *key, u64 cycles_x100)
{
	/* TSC cycles at tsc_khz to nanoseconds, keeping two decimals. */
	sl_show_x100(m, key, tsc_khz ? div_u64(cycles_x100 * USEC_PER_SEC, tsc_khz) : 0);
}

/* @a / @b times 100, 0 when @b is 0. */
static u64 sl_ratio_x100(u64 a, u64 b)
{
	return b ? div64_u64(a * 100, b) : 0;
}

/* A victim figure, or "stalled" when no batch completed in the phase. */
static void sl_show_victim(struct seq_file *m, const char *key,
			   const struct sl_meter_result *r, unsigned int phase, u64 x100)
{
	if (r->victim_batches[phase])
		sl_show_x100(m, key, x100);
	else
		seq_printf(m, "%s: stalled\n", key);
}

/* The split phase's figure over another phase's. */
static void sl_show_slowdown(struct seq_file *m, const char *key,
			     const struct sl_meter_result *r, unsigned int base,
			     const u64 *x100)
{
	if (!r->victim_batches[SL_PHASE_SPLIT] || !r->victim_batches[base])
		seq_printf(m, "%s: stalled\n", key);
	else
		sl_show_x100(m, key, sl_ratio_x100(x100[SL_PHASE_SPLIT], x100[base]));
}

/**
 * sl_meter_show() - the last run's figures
 * @m: the seq_file
 */
void sl_meter_show(struct seq_file *m)
{
	const struct sl_meter_result *r = &sl_result;
	unsigned int p;
	char key[48];

	mutex_lock(&sl_meter_lock);
	seq_printf(m, "state: %s\n", r->state);
	if (r->reason)
		seq_printf(m, "reason: %s\n", r->reason);
	if (r->err)
		seq_printf(m, "error: %d\n", r->err);
	if (strcmp(r->state, "done"))
		goto out;

	seq_printf(m, "tsc_khz: %u\ncpu: %u\niterations: %u\n", tsc_khz, r->cpu, r->iterations);
	sl_show_x100(m, "aligned_lock_add_cycles", r->aligned_x100);
	sl_show_x100(m, "split_lock_add_cycles", r->split_x100);
	sl_show_ns(m, "aligned_lock_add_ns", r->aligned_x100);
	sl_show_ns(m, "split_lock_add_ns", r->split_x100);
	sl_show_x100(m, "split_vs_aligned", sl_ratio_x100(r->split_x100, r->aligned_x100));
	if (r->victim_cpu < 0) {
		seq_puts(m, "victim_cpu: none (one CPU online: no interference measured)\n");
		goto out;
	}
	seq_printf(m, "victim_cpu: %d\nphase_ms: %u\n", r->victim_cpu, r->phase_ms);
	for (p = 0; p < SL_NR_PHASES; p++) {
		seq_printf(m, "victim_batches_%s: %llu\n", sl_phase_names[p],
			   r->victim_batches[p]);
		snprintf(key, sizeof(key), "victim_load_cycles_%s", sl_phase_names[p]);
		sl_show_victim(m, key, r, p, r->victim_mean_x100[p]);
		snprintf(key, sizeof(key), "victim_load_cycles_median_%s", sl_phase_names[p]);
		sl_show_victim(m, key, r, p, r->victim_x100[p]);
	}
	sl_show_slowdown(m, "victim_slowdown_split_vs_idle", r, SL_PHASE_IDLE,
			 r->victim_mean_x100);
	sl_show_slowdown(m, "victim_slowdown_split_vs_aligned", r, SL_PHASE_ALIGNED,
			 r->victim_mean_x100);
	sl_show_slowdown(m, "victim_median_slowdown_split_vs_idle", r, SL_PHASE_IDLE,
			 r->victim_x100);
out:
	mutex_unlock(&sl_meter_lock);
}
