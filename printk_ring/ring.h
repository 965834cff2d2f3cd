/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printk_ring core: a lockless multi-writer ring buffer in the design of
 * kernel/printk/printk_ringbuffer.c. See ring.c for the design, and
 * Documentation/printk_ring.rst for the module around it.
 */
#ifndef PRINTK_RING_RING_H
#define PRINTK_RING_RING_H

#include <linux/atomic.h>
#include <linux/types.h>

/* The context a record was written from. */
enum pring_ctx {
	PRING_CTX_TASK,
	PRING_CTX_SOFTIRQ,
	PRING_CTX_HARDIRQ,
	PRING_CTX_NMI,
};

/*
 * Size limits: at least 16 records and 256 bytes (a record may take half);
 * at most 1M records and 16 MiB, far beyond what a study ring needs.
 */
#define PRING_DESC_BITS_MIN	4
#define PRING_DESC_BITS_MAX	20
#define PRING_DATA_BITS_MIN	8
#define PRING_DATA_BITS_MAX	24

/* printk's caller ID: a PID in task context, else this flag plus a CPU. */
#define PRING_CALLER_CPU	0x80000000U

/**
 * struct pring_info - meta data of one record
 * @seq:       sequence number, set by the ring
 * @ts_nsec:   local_clock() time of the write
 * @caller_id: PID in task context, else %PRING_CALLER_CPU | CPU
 * @text_len:  length of the text in bytes
 * @facility:  syslog facility (0 kernel, 1 user, ...)
 * @level:     syslog level (0..7)
 * @ctx:       &enum pring_ctx of the writer
 */
struct pring_info {
	u64	seq;
	u64	ts_nsec;
	u32	caller_id;
	u16	text_len;
	u8	facility;
	u8	level;
	u8	ctx;
};

/* Where a data block starts and where the next one starts (lpos). */
struct pring_blk_lpos {
	unsigned long	begin;
	unsigned long	next;
};

/* A descriptor: state and ID in one word, and where its data lives. */
struct pring_desc {
	atomic_long_t		state_var;
	struct pring_blk_lpos	blk_lpos;
};

/* Why a reservation failed, for statistics and tracing. */
enum pring_fail {
	PRING_FAIL_SIZE,	/* record larger than half the data ring */
	PRING_FAIL_DESC,	/* oldest descriptor still being written */
	PRING_FAIL_DATA,	/* data of the oldest record still being written */
	PRING_FAIL_NR,
};

/* Per-CPU counters: NMI-safe and free of shared cache lines. */
struct pring_cpu_stats {
	unsigned long	records;
	unsigned long	bytes;
	unsigned long	fail[PRING_FAIL_NR];
};

/**
 * struct pring - a ring buffer: a descriptor ring and a data ring
 * @desc_bits:         log2 of the number of descriptors
 * @descs:             the descriptors
 * @infos:             the records' meta data, indexed like @descs
 * @head_id:           ID of the newest descriptor
 * @tail_id:           ID of the oldest descriptor
 * @last_finalized_id: best-effort hint for pring_next_seq()
 * @data_bits:         log2 of the data ring's size in bytes
 * @data:              the data ring
 * @head_lpos:         logical position where the next data block starts
 * @tail_lpos:         logical position of the oldest data block
 * @stats:             per-CPU counters
 */
struct pring {
	unsigned int			desc_bits;
	struct pring_desc		*descs;
	struct pring_info		*infos;
	atomic_long_t			head_id;
	atomic_long_t			tail_id;
	atomic_long_t			last_finalized_id;

	unsigned int			data_bits;
	char				*data;
	atomic_long_t			head_lpos;
	atomic_long_t			tail_lpos;

	struct pring_cpu_stats __percpu	*stats;
};

/**
 * struct pring_entry - a writer's handle between reserve and commit
 * @ring:     the ring
 * @irqflags: interrupt state to restore at commit
 * @id:       the reserved descriptor's ID
 * @info:     the record's meta data, to fill in (seq is set)
 * @text:     the record's text buffer, @info->text_len bytes
 */
struct pring_entry {
	struct pring		*ring;
	unsigned long		irqflags;
	unsigned long		id;
	struct pring_info	*info;
	char			*text;
};

/**
 * struct pring_record - a reader's copy of one record
 * @info:      the record's meta data
 * @text:      buffer for the text, provided by the reader
 * @text_size: size of @text; longer texts are truncated
 */
struct pring_record {
	struct pring_info	info;
	char			*text;
	unsigned int		text_size;
};

/**
 * struct pring_usage - a snapshot of the ring's state
 * @first_seq:   oldest record still readable
 * @next_seq:    sequence number the next record will get
 * @descs_used:  descriptors between tail and head
 * @descs_total: number of descriptors
 * @data_used:   bytes between the data tail and head
 * @data_total:  size of the data ring
 * @records:     records committed
 * @bytes:       text bytes committed
 * @fail:        reservations failed, by &enum pring_fail
 */
struct pring_usage {
	u64		first_seq;
	u64		next_seq;
	unsigned long	descs_used;
	unsigned long	descs_total;
	unsigned long	data_used;
	unsigned long	data_total;
	unsigned long	records;
	unsigned long	bytes;
	unsigned long	fail[PRING_FAIL_NR];
};

struct pring *pring_alloc(unsigned int desc_bits, unsigned int data_bits);
void pring_free(struct pring *ring);
unsigned int pring_max_text(const struct pring *ring);

int pring_reserve(struct pring_entry *e, struct pring *ring, unsigned int size);
void pring_commit(struct pring_entry *e);
void pring_final_commit(struct pring_entry *e);

bool pring_read(struct pring *ring, u64 seq, struct pring_record *r);
u64 pring_first_seq(struct pring *ring);
u64 pring_next_seq(struct pring *ring);
void pring_usage(struct pring *ring, struct pring_usage *usage);

#endif /* PRINTK_RING_RING_H */
