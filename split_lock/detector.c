// SPDX-License-Identifier: GPL-2.0
/*
 * split_lock detector: kprobes on the kernel's own trap handlers feed the
 * offender table and the split_lock_detected tracepoint, and per-CPU kernel
 * perf counters count the CPU's split/bus-lock event where one is known.
 *
 * The handlers probed are those of arch/x86/kernel/cpu/intel.c in 6.1 and
 * 6.12 (the same names in both):
 *
 * - handle_user_split_lock(regs, error_code): #AC from user mode, called by
 *   exc_alignment_check() for split locks and for legacy alignment checks
 *   (EFLAGS.AC set), which are not counted;
 * - handle_bus_lock(regs): #DB with DR6.BLD, after a user-mode bus lock;
 * - handle_guest_split_lock(ip): #AC taken by a KVM guest, in its vCPU thread.
 *
 * A split lock in kernel mode with #AC armed never reaches a handler: the
 * kernel dies in exc_alignment_check().
 */

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/kprobes.h>
#include <linux/perf_event.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <asm/processor.h>
#include <asm/ptrace.h>

#include "split_lock.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * struct sl_probe - one probed handler
 * @kp: the kprobe
 * @kind: what a hit means
 * @err: 0 once registered, else the error registering it
 * @hits: traps counted through this probe
 */
struct sl_probe {
	struct kprobe kp;
	enum sl_kind kind;
	int err;
	atomic64_t hits;
};

static struct sl_table *sl_table;

static void sl_detector_note(struct sl_probe *probe, unsigned long ip)
{
	struct sl_event ev = {
		.kind = probe->kind,
		.pid = current->pid,
		.tgid = current->tgid,
		.comm = current->comm,
		.ip = ip,
		.cpu = raw_smp_processor_id(),
		.ns = local_clock(),
	};

	atomic64_inc(&probe->hits);
	sl_table_record(sl_table, &ev);
	trace_split_lock_detected(ev.kind, ev.pid, current->comm, ip, ev.cpu);
}

static int sl_user_split_lock_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct pt_regs *user_regs = (struct pt_regs *)regs_get_kernel_argument(regs, 0);

	/* A legacy alignment-check #AC, not a split lock. */
	if (user_regs->flags & X86_EFLAGS_AC)
		return 0;
	sl_detector_note(container_of(kp, struct sl_probe, kp), user_regs->ip);
	return 0;
}

static int sl_bus_lock_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct pt_regs *user_regs = (struct pt_regs *)regs_get_kernel_argument(regs, 0);

	/* #DB is a trap: ip is the instruction after the bus lock. */
	sl_detector_note(container_of(kp, struct sl_probe, kp), user_regs->ip);
	return 0;
}

static int sl_guest_split_lock_pre(struct kprobe *kp, struct pt_regs *regs)
{
	sl_detector_note(container_of(kp, struct sl_probe, kp),
			 regs_get_kernel_argument(regs, 0));
	return 0;
}

static struct sl_probe sl_probes[] = {
	{
		.kp = { .symbol_name = "handle_user_split_lock",
			.pre_handler = sl_user_split_lock_pre },
		.kind = SL_KIND_SPLIT_LOCK,
	},
	{
		.kp = { .symbol_name = "handle_bus_lock",
			.pre_handler = sl_bus_lock_pre },
		.kind = SL_KIND_BUS_LOCK,
	},
	{
		.kp = { .symbol_name = "handle_guest_split_lock",
			.pre_handler = sl_guest_split_lock_pre },
		.kind = SL_KIND_GUEST_SPLIT_LOCK,
	},
};

/* Per-CPU kernel counters of the CPU's split/bus-lock event. */
static const struct sl_pmu_event *sl_perf_event;
static struct perf_event **sl_perf_counters;
static int sl_perf_err;
static unsigned int sl_perf_err_cpu;
static bool sl_perf_wanted;

static void sl_perf_stop(void)
{
	if (!sl_perf_counters)
		return;
	sl_cpu_counters_release(sl_perf_counters);
	kfree(sl_perf_counters);
	sl_perf_counters = NULL;
}

/*
 * Counters cover the CPUs online now; a CPU brought online later is not
 * counted (see Documentation/split_lock.rst). A CPU without the event, or
 * a machine without a PMU, leaves the counters off with the error kept for
 * the counters file: that is a fact about the machine, not a load failure.
 */
static int sl_perf_start(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_RAW,
		.size = sizeof(attr),
		.pinned = 1,
	};

	sl_perf_err = 0;
	sl_perf_event = sl_pmu_event_lookup(c->x86_vendor, c->x86, c->x86_model);
	if (!sl_perf_event)
		return 0;
	attr.config = sl_pmu_event_config(sl_perf_event);
	sl_perf_counters = kcalloc(nr_cpu_ids, sizeof(*sl_perf_counters), GFP_KERNEL);
	if (!sl_perf_counters)
		return -ENOMEM;
	sl_perf_err = sl_cpu_counters_create(&attr, NULL, NULL, sl_perf_counters,
					     &sl_perf_err_cpu);
	if (sl_perf_err) {
		kfree(sl_perf_counters);
		sl_perf_counters = NULL;
	}
	return sl_perf_err == -ENOMEM ? -ENOMEM : 0;
}

/**
 * sl_detector_start() - allocate the table, register the probes and counters
 * @table_size: rows of the offender table
 * @perf_counters: whether to create the hardware counters
 *
 * A handler the running kernel lacks, or that kprobes refuse, is reported
 * in the probes file with its error; the others still count.
 *
 * Return: 0, -EINVAL for a bad @table_size, or -ENOMEM.
 */
int sl_detector_start(unsigned int table_size, bool perf_counters)
{
	unsigned int i;
	int err;

	if (table_size < SL_TABLE_MIN || table_size > SL_TABLE_MAX)
		return -EINVAL;
	sl_table = sl_table_alloc(table_size, GFP_KERNEL);
	if (!sl_table)
		return -ENOMEM;

	sl_perf_wanted = perf_counters;
	if (perf_counters) {
		err = sl_perf_start();
		if (err)
			goto err_table;
	}

	for (i = 0; i < ARRAY_SIZE(sl_probes); i++) {
		struct sl_probe *probe = &sl_probes[i];

		atomic64_set(&probe->hits, 0);
		probe->err = register_kprobe(&probe->kp);
		if (probe->err == -ENOMEM) {
			err = -ENOMEM;
			goto err_probes;
		}
	}
	return 0;

err_probes:
	while (i--)
		if (!sl_probes[i].err)
			unregister_kprobe(&sl_probes[i].kp);
	sl_perf_stop();
err_table:
	sl_table_free(sl_table);
	return err;
}

/**
 * sl_detector_stop() - unregister everything and free the table
 *
 * unregister_kprobe() waits for running handlers, so no handler touches
 * the table once it returns.
 */
void sl_detector_stop(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sl_probes); i++) {
		if (!sl_probes[i].err)
			unregister_kprobe(&sl_probes[i].kp);
		/* A struct kprobe may be registered again only once cleared. */
		sl_probes[i].kp.addr = NULL;
		sl_probes[i].kp.flags = 0;
	}
	sl_perf_stop();
	sl_table_free(sl_table);
	sl_table = NULL;
}

/**
 * sl_detector_show_probes() - one line per probed handler
 * @m: the seq_file
 */
void sl_detector_show_probes(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sl_probes); i++) {
		const struct sl_probe *probe = &sl_probes[i];

		if (probe->err)
			seq_printf(m, "%s: unsupported (error %d) kind=%s hits=0\n",
				   probe->kp.symbol_name, probe->err,
				   sl_kind_name(probe->kind));
		else
			seq_printf(m, "%s: registered at %pS kind=%s hits=%lld\n",
				   probe->kp.symbol_name, probe->kp.addr,
				   sl_kind_name(probe->kind),
				   atomic64_read(&probe->hits));
	}
}

/**
 * sl_detector_show_counters() - the hardware event's totals, or why none
 * @m: the seq_file
 */
void sl_detector_show_counters(struct seq_file *m)
{
	u64 total = 0, enabled, running;
	unsigned int cpu;

	if (!sl_perf_wanted) {
		seq_puts(m, "state: off (perf_counters=0)\n");
		return;
	}
	if (!sl_perf_event) {
		seq_printf(m, "state: unsupported (no split/bus-lock event known for %s family %u model 0x%x)\n",
			   boot_cpu_data.x86_vendor_id, boot_cpu_data.x86,
			   boot_cpu_data.x86_model);
		return;
	}
	seq_printf(m, "event: %s (raw 0x%llx)\n", sl_perf_event->name,
		   sl_pmu_event_config(sl_perf_event));
	if (!sl_perf_counters) {
		seq_printf(m, "state: unsupported (error %d creating cpu%u's counter: no usable PMU)\n",
			   sl_perf_err, sl_perf_err_cpu);
		return;
	}
	seq_puts(m, "state: counting\n");
	for_each_possible_cpu(cpu) {
		u64 count;

		if (!sl_perf_counters[cpu])
			continue;
		count = perf_event_read_value(sl_perf_counters[cpu], &enabled, &running);
		seq_printf(m, "cpu%u: %llu\n", cpu, count);
		total += count;
	}
	seq_printf(m, "total: %llu\n", total);
}

/**
 * sl_detector_show_offenders() - the top of the offender table
 * @m: the seq_file
 * @top_n: rows to show at most
 *
 * Return: 0 or -ENOMEM.
 */
int sl_detector_show_offenders(struct seq_file *m, unsigned int top_n)
{
	struct sl_offender *rows;
	u64 recorded, evictions;
	unsigned int n, i;

	rows = kvmalloc_array(sl_table->capacity, sizeof(*rows), GFP_KERNEL);
	if (!rows)
		return -ENOMEM;
	n = sl_table_snapshot(sl_table, rows, &recorded, &evictions);
	sl_offenders_sort(rows, n);

	seq_printf(m, "recorded: %llu\nevictions: %llu\nrows: %u of %u\n",
		   recorded, evictions, n, sl_table->capacity);
	seq_printf(m, "%7s %7s %-16s %8s %8s %8s %8s %-16s %-18s %4s %s\n",
		   "PID", "TGID", "COMM", "TOTAL", "SPLIT", "BUS", "GUEST",
		   "LAST_KIND", "LAST_IP", "CPU", "LAST_NS");
	for (i = 0; i < n && i < top_n; i++) {
		const struct sl_offender *r = &rows[i];

		seq_printf(m, "%7d %7d %-16s %8llu %8llu %8llu %8llu %-16s 0x%016lx %4u %llu\n",
			   r->pid, r->tgid, r->comm, r->total,
			   r->count[SL_KIND_SPLIT_LOCK], r->count[SL_KIND_BUS_LOCK],
			   r->count[SL_KIND_GUEST_SPLIT_LOCK], sl_kind_name(r->last_kind),
			   r->last_ip, r->last_cpu, r->last_ns);
	}
	kvfree(rows);
	return 0;
}

/**
 * sl_detector_reset() - empty the offender table
 */
void sl_detector_reset(void)
{
	sl_table_reset(sl_table);
}

/**
 * sl_detector_table_size() - rows of the offender table
 *
 * Return: its capacity.
 */
unsigned int sl_detector_table_size(void)
{
	return sl_table->capacity;
}
