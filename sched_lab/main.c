// SPDX-License-Identifier: GPL-2.0
/*
 * sched_lab: a run-queue latency observatory and a shadow model of the
 * fair scheduler, fed by the scheduler's own tracepoints.
 *
 * The sched_* tracepoints are not exported to modules, so they are looked
 * up by name (for_each_kernel_tracepoint()) and probes are attached with
 * tracepoint_probe_register(). Each probe reads what it needs of the tasks
 * into a struct sl_task_info and hands it to the event core (lab.c), which
 * KUnit drives the same way. Probes only run between "start" and "stop"
 * (written to debugfs control); stopped, sched_lab costs nothing.
 *
 * debugfs, under /sys/kernel/debug/sched_lab (Documentation/sched_lab.rst):
 * control, filter, stats, tasks, model, latency/{wakeup,preempted} and
 * cpuN/{wakeup,preempted}.
 */

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "lab.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static unsigned int max_tasks = 4096;
module_param(max_tasks, uint, 0444);
MODULE_PARM_DESC(max_tasks, "task table slots, a power of two from 64 to 1048576 (default 4096)");

static bool autostart = true;
module_param(autostart, bool, 0444);
MODULE_PARM_DESC(autostart, "start recording at load (default Y)");

static struct sl_lab sl_lab;
static DEFINE_MUTEX(sl_control_lock);	/* running, starts, stops, resets */
static bool sl_running;
static struct dentry *sl_dir;

static void fill_info(struct sl_task_info *info, struct task_struct *p)
{
	info->id = (unsigned long)p;
	/* An exec in another thread of its process may change it (de_thread()). */
	info->pid = READ_ONCE(p->pid);
	info->tgid = p->tgid;
	info->comm = p->comm;
	info->policy = p->policy;
	info->nice = task_nice(p);
	info->fair = p->prio >= MAX_RT_PRIO;
	info->grouped = compat_task_grouped(p);
	info->vruntime = p->se.vruntime;
	info->deadline = compat_se_deadline(p);
	info->h_weight = compat_se_h_weight(p);
}

static void probe_switch(void *data, bool preempt, struct task_struct *prev,
			 struct task_struct *next, unsigned int prev_state)
{
	struct sl_task_info prev_info, next_info;
	struct sl_switch_result res;
	int cpu = smp_processor_id();

	if (!is_idle_task(prev))
		fill_info(&prev_info, prev);
	if (!is_idle_task(next))
		fill_info(&next_info, next);
	sl_lab_switch(&sl_lab, cpu, is_idle_task(prev) ? NULL : &prev_info,
		      compat_task_runnable(prev),
		      /* the kernel's nvcsw: blocking, not preempted */
		      !preempt && prev_state != TASK_RUNNING,
		      prev_state & TASK_DEAD,
		      is_idle_task(next) ? NULL : &next_info,
		      ktime_get_mono_fast_ns(), &res);
	if (res.waited)
		trace_sched_lab_wait(next->pid, next->comm, cpu, res.wait,
				     res.wait_ns);
	if (!res.matched)
		trace_sched_lab_mispick(cpu, res.predicted_pid,
					is_idle_task(next) ? 0 : next->pid,
					res.miss);
}

static void probe_wakeup(void *data, struct task_struct *p)
{
	struct sl_task_info info;

	fill_info(&info, p);
	sl_lab_wakeup(&sl_lab, task_cpu(p), &info, p == current, false,
		      ktime_get_mono_fast_ns());
}

static void probe_wakeup_new(void *data, struct task_struct *p)
{
	struct sl_task_info info;

	fill_info(&info, p);
	sl_lab_wakeup(&sl_lab, task_cpu(p), &info, false, true,
		      ktime_get_mono_fast_ns());
}

static void probe_migrate(void *data, struct task_struct *p, int dest_cpu)
{
	struct sl_task_info info;

	fill_info(&info, p);
	sl_lab_migrate(&sl_lab, &info, READ_ONCE(p->on_rq), task_cpu(p),
		       dest_cpu);
}

static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	struct sl_task_info parent_info, child_info;

	fill_info(&parent_info, parent);
	fill_info(&child_info, child);
	/* Preemptible on 7.3 (SRCU tracepoints): the CPU is an estimate. */
	sl_lab_fork(&sl_lab, raw_smp_processor_id(), &parent_info, &child_info,
		    ktime_get_mono_fast_ns());
}

static void probe_exit(void *data, COMPAT_SCHED_PROCESS_EXIT_PARAMS)
{
	struct sl_task_info info;

	fill_info(&info, p);
	sl_lab_exit(&sl_lab, &info);
}

static struct sl_probe {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} sl_probes[] = {
	{ "sched_switch", probe_switch },
	{ "sched_wakeup", probe_wakeup },
	{ "sched_wakeup_new", probe_wakeup_new },
	{ "sched_migrate_task", probe_migrate },
	{ "sched_process_fork", probe_fork },
	{ "sched_process_exit", probe_exit },
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sl_probes); i++)
		if (!strcmp(tp->name, sl_probes[i].name))
			sl_probes[i].tp = tp;
}

static void sl_detach(unsigned int nr)
{
	while (nr--)
		WARN_ON_ONCE(tracepoint_probe_unregister(sl_probes[nr].tp,
							 sl_probes[nr].probe, NULL));
	/* No probe runs on, or returns into, sched_lab past this point. */
	tracepoint_synchronize_unregister();
}

/* Under sl_control_lock. */
static int sl_start(void)
{
	unsigned int i;
	int err;

	if (sl_running)
		return 0;
	for (i = 0; i < ARRAY_SIZE(sl_probes); i++) {
		err = tracepoint_probe_register(sl_probes[i].tp, sl_probes[i].probe,
						NULL);
		if (err) {
			sl_detach(i);
			return err;
		}
	}
	sl_running = true;
	return 0;
}

/* Under sl_control_lock. */
static void sl_stop(void)
{
	if (!sl_running)
		return;
	sl_detach(ARRAY_SIZE(sl_probes));
	sl_running = false;
}

/* Copy a short command from user space; trailing newline dropped. */
static ssize_t sl_get_command(char *buf, size_t size, const char __user *ubuf,
			      size_t count)
{
	if (!count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);
	return count;
}

static int control_show(struct seq_file *m, void *v)
{
	seq_puts(m, READ_ONCE(sl_running) ? "running\n" : "stopped\n");
	return 0;
}

static int control_open(struct inode *inode, struct file *file)
{
	return single_open(file, control_show, NULL);
}

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[16];
	ssize_t ret = sl_get_command(buf, sizeof(buf), ubuf, count);
	int err = 0;

	if (ret < 0)
		return ret;
	mutex_lock(&sl_control_lock);
	if (!strcmp(buf, "start")) {
		err = sl_start();
	} else if (!strcmp(buf, "stop")) {
		sl_stop();
	} else if (!strcmp(buf, "reset")) {
		bool was_running = sl_running;

		sl_stop();
		sl_lab_reset(&sl_lab);
		if (was_running)
			err = sl_start();
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&sl_control_lock);
	return err ?: ret;
}

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = control_open,
	.read = seq_read,
	.write = control_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int filter_show(struct seq_file *m, void *v)
{
	pid_t pid = READ_ONCE(sl_lab.filter_pid), tgid = READ_ONCE(sl_lab.filter_tgid);

	if (pid)
		seq_printf(m, "pid %d\n", pid);
	else if (tgid)
		seq_printf(m, "tgid %d\n", tgid);
	else
		seq_puts(m, "none\n");
	return 0;
}

static int filter_open(struct inode *inode, struct file *file)
{
	return single_open(file, filter_show, NULL);
}

/* "pid N", "tgid N" (N a PID the kernel could give) or "none". */
static ssize_t filter_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char buf[32], *arg;
	ssize_t ret = sl_get_command(buf, sizeof(buf), ubuf, count);
	int id;

	if (ret < 0)
		return ret;
	if (!strcmp(buf, "none")) {
		WRITE_ONCE(sl_lab.filter_pid, 0);
		WRITE_ONCE(sl_lab.filter_tgid, 0);
		return ret;
	}
	arg = strchr(buf, ' ');
	if (!arg)
		return -EINVAL;
	*arg++ = '\0';
	if (kstrtoint(arg, 10, &id) || id <= 0 || id > PID_MAX_LIMIT)
		return -EINVAL;
	if (!strcmp(buf, "pid")) {
		WRITE_ONCE(sl_lab.filter_tgid, 0);
		WRITE_ONCE(sl_lab.filter_pid, id);
	} else if (!strcmp(buf, "tgid")) {
		WRITE_ONCE(sl_lab.filter_pid, 0);
		WRITE_ONCE(sl_lab.filter_tgid, id);
	} else {
		return -EINVAL;
	}
	return ret;
}

static const struct file_operations filter_fops = {
	.owner = THIS_MODULE,
	.open = filter_open,
	.read = seq_read,
	.write = filter_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* A histogram file's data: CPU + 1 (0 for all CPUs) and the sl_wait. */
#define HIST_KEY(cpu, wait)	((void *)(uintptr_t)(((cpu) + 1) * SL_WAIT_NR + (wait)))

static int hist_show(struct seq_file *m, void *v)
{
	uintptr_t key = (uintptr_t)m->private;
	int cpu = key / SL_WAIT_NR - 1, wait = key % SL_WAIT_NR;
	struct sl_hist *sum = kzalloc(sizeof(*sum), GFP_KERNEL);

	if (!sum)
		return -ENOMEM;
	if (cpu >= 0) {
		sl_hist_add(sum, &per_cpu_ptr(sl_lab.cpu, cpu)->lat[wait]);
	} else {
		for_each_possible_cpu(cpu)
			sl_hist_add(sum, &per_cpu_ptr(sl_lab.cpu, cpu)->lat[wait]);
	}
	sl_hist_show(m, sum);
	kfree(sum);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hist);

static char task_state(const struct sl_task *t, unsigned long key)
{
	if ((key & SL_KEY_DEAD) || READ_ONCE(t->exited))
		return 'X';
	if (READ_ONCE(t->running))
		return 'R';
	return READ_ONCE(t->queued_at) ? 'Q' : 'S';
}

static const char *policy_name(int policy)
{
	static const char *const names[] = {
		[SCHED_NORMAL] = "normal", [SCHED_FIFO] = "fifo", [SCHED_RR] = "rr",
		[SCHED_BATCH] = "batch", [SCHED_IDLE] = "idle", [SCHED_DEADLINE] = "deadline",
	};

	if (policy < 0 || policy >= ARRAY_SIZE(names) || !names[policy])
		return "other";
	return names[policy];
}

static int tasks_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_puts(m, "PID TGID COMM POLICY NICE STATE VOLUNTARY INVOLUNTARY RUNTIME_NS WAITS WAKEUP_WAITS WAIT_NS WAIT_MAX_NS WAKEUPS MIGRATIONS VR_CHECKS VR_ERR_LAST_NS VR_ERR_MEAN_NS VR_ERR_PCT\n");
	for (i = 0; i < sl_lab.nr_slots; i++) {
		const struct sl_task *t = &sl_lab.tasks[i];
		/* A row may mix two tasks if the slot changes hands meanwhile. */
		unsigned long key = smp_load_acquire(&t->key);
		/* Written meanwhile by the task's events: each field is whole. */
		struct sl_task_stats s = data_race(t->stats);
		struct sl_task_info info = {
			.pid = READ_ONCE(t->pid),
			/* Written at a claim, which may be under way: see above. */
			.tgid = data_race(t->tgid),
		};
		char comm[TASK_COMM_LEN];
		u64 err_pct;

		if (!key || key == SL_KEY_CLAIMED)
			continue;
		if (sl_lab_filtered(&sl_lab, &info))
			continue;
		/* A thread's comm is 16 bytes always NUL-terminated: copy it whole. */
		data_race(memcpy(comm, t->comm, sizeof(comm)));
		comm[sizeof(comm) - 1] = '\0';
		err_pct = s.vr_delta_abs_ns ?
			div64_u64(s.vr_err_abs_ns * 10000, s.vr_delta_abs_ns) : 0;
		seq_printf(m, "%d %d %s %s %d %c %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %lld %llu %llu.%02llu\n",
			   info.pid, info.tgid, comm[0] ? comm : "-",
			   policy_name(t->policy), t->nice, task_state(t, key),
			   s.voluntary, s.involuntary, s.runtime_ns, s.waits,
			   s.wakeup_waits,
			   s.wait_ns, s.wait_max_ns,
			   s.wakeups + atomic_long_read(&t->self_wakeups), s.migrations,
			   s.vr_samples, s.vr_err_last_ns,
			   s.vr_samples ? div64_u64(s.vr_err_abs_ns, s.vr_samples) : 0,
			   div_u64(err_pct, 100), err_pct % 100);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tasks);

/* x / y in percent with two decimals, as "12.34". */
static void seq_percent(struct seq_file *m, const char *name, u64 x, u64 y)
{
	u64 hundredths = y ? div64_u64(x * 10000, y) : 0;

	seq_printf(m, "%s %llu.%02llu\n", name, div_u64(hundredths, 100),
		   hundredths % 100);
}

static int model_show(struct seq_file *m, void *v)
{
	u64 switches = 0, matches = 0, miss[SL_MISS_NR] = {};
	u64 vr_samples = 0, vr_err = 0, vr_delta = 0;
	const struct sl_tunables *tun = &sl_lab.tun;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct sl_cpu *c = per_cpu_ptr(sl_lab.cpu, cpu);

		switches += READ_ONCE(c->switches);
		matches += READ_ONCE(c->matches);
		for (i = 0; i < SL_MISS_NR; i++)
			miss[i] += READ_ONCE(c->miss[i]);
		vr_samples += READ_ONCE(c->vr_samples);
		vr_err += READ_ONCE(c->vr_err_abs_ns);
		vr_delta += READ_ONCE(c->vr_delta_abs_ns);
	}
	if (tun->kind == SL_MODEL_CFS)
		seq_printf(m, "model cfs\nlatency_ns %llu\nmin_granularity_ns %llu\nwakeup_granularity_ns %llu\n",
			   tun->latency_ns, tun->min_gran_ns, tun->wakeup_gran_ns);
	else
		seq_printf(m, "model %s\nbase_slice_ns %llu\n",
			   tun->kind == SL_MODEL_EEVDF_FLAT ? "eevdf-flat" : "eevdf",
			   tun->base_slice_ns);
	seq_printf(m, "picks %llu\nmatches %llu\n", switches, matches);
	seq_percent(m, "agreement_pct", matches, switches);
	for (i = 0; i < SL_MISS_NR; i++)
		seq_printf(m, "miss_%s %llu\n", sl_miss_names[i], miss[i]);
	/* Picks where the kernel ran a task the model could know. */
	seq_percent(m, "fair_agreement_pct", matches,
		    switches - miss[SL_MISS_RT_DL] - miss[SL_MISS_CGROUP] -
		    miss[SL_MISS_UNSEEN]);
	seq_printf(m, "vruntime_checks %llu\nvruntime_error_mean_ns %llu\n",
		   vr_samples, vr_samples ? div64_u64(vr_err, vr_samples) : 0);
	seq_percent(m, "vruntime_error_pct", vr_err, vr_delta);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(model);

static int stats_show(struct seq_file *m, void *v)
{
	unsigned int i, used = 0, dead = 0;

	for (i = 0; i < sl_lab.nr_slots; i++) {
		unsigned long key = READ_ONCE(sl_lab.tasks[i].key);

		used += key != 0;
		/* One that died in an inbox is taken once evicted. */
		dead += sl_key_dead(key) && sl_task_settled(&sl_lab.tasks[i]);
	}
	seq_printf(m, "state %s\nslots %u\nslots_used %u\nslots_reusable %u\nuntracked_events %lld\n",
		   READ_ONCE(sl_running) ? "running" : "stopped", sl_lab.nr_slots,
		   used, dead, (long long)atomic64_read(&sl_lab.untracked));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static void sl_debugfs_init(void)
{
	struct dentry *dir;
	char name[16];
	int cpu;

	sl_dir = debugfs_create_dir("sched_lab", NULL);
	debugfs_create_file("control", 0600, sl_dir, NULL, &control_fops);
	debugfs_create_file("filter", 0600, sl_dir, NULL, &filter_fops);
	debugfs_create_file("stats", 0400, sl_dir, NULL, &stats_fops);
	debugfs_create_file("tasks", 0400, sl_dir, NULL, &tasks_fops);
	debugfs_create_file("model", 0400, sl_dir, NULL, &model_fops);
	dir = debugfs_create_dir("latency", sl_dir);
	debugfs_create_file("wakeup", 0400, dir, HIST_KEY(-1, SL_WAIT_WAKEUP), &hist_fops);
	debugfs_create_file("preempted", 0400, dir, HIST_KEY(-1, SL_WAIT_PREEMPTED),
			    &hist_fops);
	for_each_possible_cpu(cpu) {
		snprintf(name, sizeof(name), "cpu%d", cpu);
		dir = debugfs_create_dir(name, sl_dir);
		debugfs_create_file("wakeup", 0400, dir, HIST_KEY(cpu, SL_WAIT_WAKEUP),
				    &hist_fops);
		debugfs_create_file("preempted", 0400, dir,
				    HIST_KEY(cpu, SL_WAIT_PREEMPTED), &hist_fops);
	}
}

static int __init sched_lab_init(void)
{
	unsigned int i;
	int err;

	if (max_tasks < 64 || max_tasks > (1U << 20) || !is_power_of_2(max_tasks)) {
		pr_err("max_tasks=%u: not a power of two from 64 to 1048576\n", max_tasks);
		return -EINVAL;
	}
	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(sl_probes); i++) {
		if (!sl_probes[i].tp) {
			pr_err("no tracepoint %s in this kernel\n", sl_probes[i].name);
			return -ENOENT;
		}
	}
	err = sl_lab_init(&sl_lab, max_tasks, COMPAT_FAIR_MODEL, num_online_cpus());
	if (err)
		return err;
	sl_debugfs_init();
	if (autostart) {
		mutex_lock(&sl_control_lock);
		err = sl_start();
		mutex_unlock(&sl_control_lock);
		if (err) {
			debugfs_remove_recursive(sl_dir);
			sl_lab_destroy(&sl_lab);
			return err;
		}
	}
	return 0;
}

static void __exit sched_lab_exit(void)
{
	/* Readers first: a write to control could start the probes again. */
	debugfs_remove_recursive(sl_dir);
	mutex_lock(&sl_control_lock);
	sl_stop();
	mutex_unlock(&sl_control_lock);
	sl_lab_destroy(&sl_lab);
}

module_init(sched_lab_init);
module_exit(sched_lab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Run-queue latency observatory and shadow fair-scheduler model");
