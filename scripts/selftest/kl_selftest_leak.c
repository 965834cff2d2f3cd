// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: one allocation whose only pointer is dropped, which
 * kmemleak must find after the module is unloaded.
 */

#include <linux/module.h>
#include <linux/slab.h>

static int __init kl_selftest_leak_init(void)
{
	void *lost = kmalloc(64, GFP_KERNEL);

	/* The pointer dies with this frame: that is the planted leak. */
	return lost ? 0 : -ENOMEM;
}
module_init(kl_selftest_leak_init);

static void __exit kl_selftest_leak_exit(void)
{
}
module_exit(kl_selftest_leak_exit);

MODULE_DESCRIPTION("kernlabs harness self-test: a planted memory leak");
MODULE_LICENSE("GPL");
