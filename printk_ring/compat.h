/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printk_ring compat: the kernel API differences between Debian's 6.1 and
 * 6.12 that printk_ring meets, decided by feature tests in Kbuild (which
 * greps the target kernel's headers), never by version numbers.
 */
#ifndef PRINTK_RING_COMPAT_H
#define PRINTK_RING_COMPAT_H

#include <linux/ring_buffer.h>

/* Linux 6.3 dropped the event argument of ring_buffer_unlock_commit(). */
static inline int compat_ring_buffer_unlock_commit(struct trace_buffer *buffer,
						   struct ring_buffer_event *event)
{
#ifdef COMPAT_RB_UNLOCK_COMMIT_NO_EVENT
	return ring_buffer_unlock_commit(buffer);
#else
	return ring_buffer_unlock_commit(buffer, event);
#endif
}

#endif /* PRINTK_RING_COMPAT_H */
