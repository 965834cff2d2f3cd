/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printk_ring module: the ring (ring.h) plus what a user reaches it through.
 * Documentation/printk_ring.rst.
 */
#ifndef PRINTK_RING_H
#define PRINTK_RING_H

#include <linux/atomic.h>
#include <linux/irq_work.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "ring.h"

/* Room for a record's /dev/kmsg prefix and its CONTEXT= line. */
#define PRINTK_RING_PREFIX_MAX	96

/**
 * struct printk_ring - the module's ring and its readers
 * @ring:      the ring buffer
 * @wait:      readers waiting for a record
 * @wake_work: wakes @wait from any context (writers may be in NMI)
 * @lost:      records readers found overwritten before they read them
 * @debugfs:   the module's debugfs directory
 */
struct printk_ring {
	struct pring		*ring;
	wait_queue_head_t	wait;
	struct irq_work		wake_work;
	atomic64_t		lost;
	struct dentry		*debugfs;
};

/* Facilities, as syslog(3) numbers them. */
#define PRINTK_RING_FAC_KERN	0
#define PRINTK_RING_FAC_USER	1

/* How printk_ring_write() copies a text in. */
enum printk_ring_copy {
	PRINTK_RING_COPY,	/* byte for byte */
	PRINTK_RING_UNESCAPE,	/* decode the \xNN escapes of /dev/kmsg's format */
};

int printk_ring_log(u8 level, const char *text, unsigned int len);
int printk_ring_write(u8 facility, u8 level, const char *text, unsigned int len,
		      enum printk_ring_copy copy);

int printk_ring_parse_write(char *buf, size_t count, unsigned int max_text, u8 default_level,
			    u8 *facility, u8 *level, char **text, unsigned int *len);
unsigned int printk_ring_unescape(char *dst, const char *src, unsigned int len);
size_t printk_ring_format(char *out, size_t size, const struct pring_info *info,
			  const char *text);
size_t printk_ring_format_max(unsigned int text_len);

int printk_ring_debugfs_init(struct printk_ring *pr);
void printk_ring_debugfs_exit(struct printk_ring *pr);

#endif /* PRINTK_RING_H */
