# SPDX-License-Identifier: GPL-2.0
#
# Feature tests for printk_ring's compat.h, on the headers of the kernel
# built against; included by printk_ring's Kbuild and by the KUnit suite's.

ifneq ($(shell grep -s 'int ring_buffer_unlock_commit(struct trace_buffer \*buffer);' \
	$(srctree)/include/linux/ring_buffer.h),)
ccflags-y += -DCOMPAT_RB_UNLOCK_COMMIT_NO_EVENT
endif
ifneq ($(wildcard $(srctree)/include/linux/hex.h),)
ccflags-y += -DCOMPAT_HAVE_LINUX_HEX_H
endif
ifneq ($(shell grep -s 'void hrtimer_setup.struct hrtimer \*timer,' $(srctree)/include/linux/hrtimer.h),)
ccflags-y += -DCOMPAT_HAVE_HRTIMER_SETUP
endif
