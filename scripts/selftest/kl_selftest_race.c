// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a planted data race for the KCSAN kernel. Two threads,
 * one per CPU, increment a plain int with no lock and no READ_ONCE() for
 * KL_RACE_MS; KCSAN must report it, and the log scan must charge the report
 * to this module and fail the run. Loading returns once both threads are
 * done, so the report (if any) precedes the test's end.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>

#define KL_RACE_MS 2000

static int kl_race_counter;

static int kl_race_fn(void *arg)
{
	struct completion *done = arg;
	unsigned long end = jiffies + msecs_to_jiffies(KL_RACE_MS);

	while (time_before(jiffies, end)) {
		kl_race_counter++;	/* the race */
		cpu_relax();
	}
	/* Never returns to this module's text, which rmmod may free. */
	kthread_complete_and_exit(done, 0);
}

static int __init kl_selftest_race_init(void)
{
	struct completion done[2];
	struct task_struct *task;
	int i;

	for (i = 0; i < ARRAY_SIZE(done); i++) {
		init_completion(&done[i]);
		task = kthread_create(kl_race_fn, &done[i], "kl_race/%d", i);
		if (IS_ERR(task)) {
			while (i--)
				wait_for_completion(&done[i]);
			return PTR_ERR(task);
		}
		if (cpu_online(i))
			kthread_bind(task, i);
		wake_up_process(task);
	}
	for (i = 0; i < ARRAY_SIZE(done); i++)
		wait_for_completion(&done[i]);
	pr_info("counter %d\n", kl_race_counter);
	return 0;
}
module_init(kl_selftest_race_init);

static void __exit kl_selftest_race_exit(void)
{
}
module_exit(kl_selftest_race_exit);

MODULE_DESCRIPTION("kernlabs harness self-test: a planted data race");
MODULE_LICENSE("GPL");
