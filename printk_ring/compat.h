/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printk_ring compat: the kernel API differences between Debian's 6.1 and
 * 6.12 and Linux 7.3 that printk_ring and its KUnit suite meet, decided by
 * feature tests (compat.mk, on the target kernel's headers), never by
 * version numbers.
 */
#ifndef PRINTK_RING_COMPAT_H
#define PRINTK_RING_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/ring_buffer.h>

/*
 * hex_to_bin() is declared in <linux/hex.h> where there is one (6.12 has
 * it), which <linux/kernel.h> no longer includes on 7.3.
 */
#ifdef COMPAT_HAVE_LINUX_HEX_H
#include <linux/hex.h>
#endif

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

/* Linux 6.13 added hrtimer_setup(); 6.15 removed hrtimer_init(). */
#ifndef COMPAT_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

#endif /* PRINTK_RING_COMPAT_H */
