// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a WARN_ON() at load time, which the log scan must
 * report and charge to the test that loaded this module.
 */

#include <linux/module.h>

static int __init kl_selftest_warn_init(void)
{
	WARN_ON(1);
	return 0;
}
module_init(kl_selftest_warn_init);

static void __exit kl_selftest_warn_exit(void)
{
}
module_exit(kl_selftest_warn_exit);

MODULE_DESCRIPTION("kernlabs harness self-test: a planted WARN_ON");
MODULE_LICENSE("GPL");
