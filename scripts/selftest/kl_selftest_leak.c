// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: allocations whose only pointers are dropped, which
 * kmemleak must find after the module is unloaded. Several, because a stale
 * copy of a pointer (in a freed stack that the kernel caches for reuse, say)
 * can hide one object from kmemleak's scan; it cannot hide them all.
 */

#include <linux/module.h>
#include <linux/slab.h>

#define KL_SELFTEST_LEAKS	8

static int __init kl_selftest_leak_init(void)
{
	unsigned int i;

	/* Each pointer dies at the next iteration: those are the leaks. */
	for (i = 0; i < KL_SELFTEST_LEAKS; i++)
		if (!kmalloc(64 + 8 * i, GFP_KERNEL))
			return -ENOMEM;
	return 0;
}
module_init(kl_selftest_leak_init);

static void __exit kl_selftest_leak_exit(void)
{
}
module_exit(kl_selftest_leak_exit);

MODULE_DESCRIPTION("kernlabs harness self-test: planted memory leaks");
MODULE_LICENSE("GPL");
