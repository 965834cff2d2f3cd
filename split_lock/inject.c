// SPDX-License-Identifier: GPL-2.0
/*
 * split_lock_inject: a test aid that makes the kernel handle a split lock
 * without one. Writing an address to
 * /sys/kernel/debug/split_lock_inject/guest_split_lock calls the kernel's
 * handle_guest_split_lock() with it, in the writer's context, exactly as
 * KVM does when a guest takes a split-lock #AC. The kernel then does what it
 * does for such a guest: with split_lock_detect=warn it warns and slows the
 * writer down; otherwise it sends the writer SIGBUS, as it would the VMM.
 *
 * That exercises split_lock.ko's probe, offender table and tracepoint on
 * the kernel's real handler, on machines (and VMs) that cannot raise the
 * trap. It is loaded only by tests; it never runs a locked instruction.
 * It refuses to load without allow_guest_split_lock=1, so that a modprobe
 * of every module built (or a typo) does not arm it, and the DKMS package
 * leaves it out (dkms.conf).
 */

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "compat.h"

static bool allow_guest_split_lock;
module_param(allow_guest_split_lock, bool, 0444);
MODULE_PARM_DESC(allow_guest_split_lock,
		 "Load: let root make the kernel handle fake guest split locks (default: refuse)");

static struct dentry *inject_debugfs;
static compat_guest_split_lock_fn guest_split_lock;

static ssize_t guest_split_lock_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	unsigned long ip;
	int err;

	err = kstrtoul_from_user(ubuf, count, 0, &ip);
	if (err)
		return err;
	guest_split_lock(ip);
	return count;
}

static const struct file_operations guest_split_lock_fops = {
	.owner	= THIS_MODULE,
	.write	= guest_split_lock_write,
	.llseek	= noop_llseek,
};

static int __init split_lock_inject_init(void)
{
	int ret;

	if (!allow_guest_split_lock) {
		pr_err("a test aid: refusing to load without allow_guest_split_lock=1\n");
		return -EPERM;
	}
	ret = compat_find_guest_split_lock(&guest_split_lock);
	if (ret) {
		pr_err("handle_guest_split_lock() cannot be called from here: %d\n", ret);
		return ret;
	}
	inject_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(inject_debugfs))
		return -ENODEV;
	debugfs_create_file("guest_split_lock", 0200, inject_debugfs, NULL,
			    &guest_split_lock_fops);
	return 0;
}

static void __exit split_lock_inject_exit(void)
{
	debugfs_remove_recursive(inject_debugfs);
}

module_init(split_lock_inject_init);
module_exit(split_lock_inject_exit);

MODULE_DESCRIPTION("Test aid: make the kernel handle a guest split-lock #AC");
MODULE_AUTHOR("kernlabs");
MODULE_LICENSE("GPL");
