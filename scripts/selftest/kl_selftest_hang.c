// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a module load that never returns (the task sleeps
 * uninterruptibly forever, which no signal ends), so only the host's hang
 * watchdog can end the VM.
 */

#include <linux/module.h>
#include <linux/sched.h>

static int __init kl_selftest_hang_init(void)
{
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule();
	}
	return 0;
}
module_init(kl_selftest_hang_init);

MODULE_DESCRIPTION("kernlabs harness self-test: a planted hang");
MODULE_LICENSE("GPL");
