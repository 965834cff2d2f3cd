/* SPDX-License-Identifier: GPL-2.0 */
/*
 * namespacefs compat: the kernel API differences between Debian's 6.1 and
 * 6.12 that namespacefs meets, decided by feature tests in Kbuild (which
 * greps the target kernel's headers), never by version numbers.
 */
#ifndef NAMESPACEFS_COMPAT_H
#define NAMESPACEFS_COMPAT_H

#include <linux/fs.h>

/* Linux 6.6 hid the inode's timestamps behind accessors. */
static inline void compat_inode_init_ts(struct inode *inode)
{
#ifdef COMPAT_SIMPLE_INODE_INIT_TS
	simple_inode_init_ts(inode);
#else
	struct timespec64 now = current_time(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
#endif
}

#endif /* NAMESPACEFS_COMPAT_H */
