// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a kernel panic at load time, which must end the VM and
 * be reported with the test that caused it.
 */

#include <linux/module.h>
#include <linux/panic.h>

static int __init kl_selftest_panic_init(void)
{
	panic("kl_selftest: deliberate panic");
	return 0;
}
module_init(kl_selftest_panic_init);

MODULE_DESCRIPTION("kernlabs harness self-test: a planted panic");
MODULE_LICENSE("GPL");
