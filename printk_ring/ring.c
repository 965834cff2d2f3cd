// SPDX-License-Identifier: GPL-2.0
/*
 * printk_ring core: a lockless multi-writer ring buffer, rebuilt from the
 * design of kernel/printk/printk_ringbuffer.c (John Ogness), whose API the
 * kernel does not export. Documentation/printk_ring.rst describes the module
 * built around it; this file knows nothing of debugfs, consoles or tracing.
 */

#include <linux/bug.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ring.h"

/**
 * DOC: printk_ring design
 *
 * A ring (&struct pring) is two rings: a descriptor ring holding the state
 * and meta data of each record, and a data ring holding the records' text.
 * Writers reserve, fill and commit a record without taking a lock, from any
 * context including NMI; readers copy a record by sequence number without
 * taking a lock and then check that it was not recycled under them.
 *
 * Descriptor ring
 * ~~~~~~~~~~~~~~~
 * 2^desc_bits descriptors (&struct pring_desc) and as many meta data slots
 * (&struct pring_info). A descriptor is named by an ID: its array index plus
 * the number of times the array wrapped, so ``id & (count - 1)`` is the index
 * and the ID of the same slot one wrap earlier is ``id - count``. The
 * descriptor's @state_var packs the ID (low bits) and a 2-bit state (top
 * bits) into one atomic word, so one cmpxchg moves both:
 *
 *   reserved  - a writer owns the record and is filling it
 *   committed - the writer is done; it may still be finalized later
 *   finalized - readable, no longer modifiable
 *   reusable  - its data was given up; the slot can be recycled
 *
 * A reader asking for ID X finds either X in the slot (and its state) or a
 * different ID ("miss"): recycled, or not yet reserved. @head_id is the
 * newest descriptor, @tail_id the oldest; reserving a descriptor when the
 * array is full first pushes the tail, which needs the oldest record to be
 * finalized or reusable. If it is still reserved or committed (a writer
 * interrupted between reserve and commit), the reservation fails at once
 * and is counted: a writer never waits for another writer.
 *
 * Data ring
 * ~~~~~~~~~
 * 2^data_bits bytes holding data blocks: the owning descriptor's ID followed
 * by the text, padded to the ID's alignment. Blocks are named by logical
 * positions (lpos): byte offsets that keep counting across wraps. A block
 * never wraps; one that would is placed at the start of the ring, and the
 * space at the end is wasted. Allocating a block pushes the data tail past
 * the oldest blocks, which makes their descriptors reusable first; if the
 * oldest block's descriptor is not finalized, the allocation fails and the
 * record is committed without data, so readers see that it was lost.
 *
 * Sequence numbers
 * ~~~~~~~~~~~~~~~~
 * Each record gets a 64-bit sequence number, the slot's previous one plus
 * the number of descriptors. A reader asks for a sequence number and gets
 * that record or, if it was overwritten, the oldest one still present: the
 * difference is the number of records it lost.
 *
 * ABA
 * ~~~
 * A writer interrupted (even by an NMI that floods the ring) may come back
 * to a slot or a data block that was recycled while it was away. IDs and
 * lpos values carry wrap counts so that a stale value does not match: on
 * 64-bit, IDs have 62 bits, so a stale ID matches again only after 2^62
 * reservations, and lpos values after 2^64 bytes, neither of which can
 * happen while one context is interrupted. Where a plain store would do,
 * a cmpxchg against the expected old state is used instead (desc_reserve:F,
 * pring_commit), so that a mismatch is caught and warned about rather than
 * silently corrupting a record. This module builds only for x86_64.
 *
 * Memory barriers
 * ~~~~~~~~~~~~~~~
 * As in printk_ringbuffer.c, every access that takes part in ordering is
 * labelled LMM(function:letter) and every barrier names the label it pairs
 * with. The pairs:
 *
 *   desc_reserve:D / desc_reserve:B
 *     push descriptor tail (id), then push descriptor head (id)
 *   desc_reserve:D / data_push_tail:B
 *     push data tail (lpos), then set new descriptor reserved (state)
 *   desc_reserve:D / desc_push_tail:C
 *     push descriptor tail (id), then set new descriptor reserved (state)
 *   desc_reserve:D / first_seq:C
 *     push descriptor tail (id), then set new descriptor reserved (state)
 *   desc_reserve:F / desc_read:D
 *     set new descriptor id and reserved (state), then allow writer changes
 *   data_alloc:A / desc_read:D
 *     set old descriptor reusable (state), then modify new data block area
 *   data_alloc:A / data_push_tail:B
 *     push data tail (lpos), then modify new data block area
 *   commit:B / desc_read:B
 *     store writer changes, then set new descriptor committed (state)
 *   data_push_tail:D / data_push_tail:A
 *     set descriptor reusable (state), then push data tail (lpos)
 *   desc_push_tail:B / desc_reserve:D
 *     set descriptor reusable (state), then push descriptor tail (id)
 *
 * Usage
 * ~~~~~
 * Writer::
 *
 *	struct pring_entry e;
 *
 *	if (pring_reserve(&e, ring, len) == 0) {
 *		memcpy(e.text, text, len);
 *		e.info->level = LOGLEVEL_INFO;
 *		pring_final_commit(&e);
 *	}
 *
 * Reader::
 *
 *	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };
 *	u64 seq = pring_first_seq(ring);
 *
 *	while (pring_read(ring, seq, &r)) {
 *		if (r.info.seq != seq)
 *			pr_info("lost %llu records\n", r.info.seq - seq);
 *		... r.text holds min(r.info.text_len, sizeof(buf)) bytes ...
 *		seq = r.info.seq + 1;
 *	}
 */

/* Label of a line of code that takes part in memory ordering. */
#define LMM(x)

enum desc_state {
	desc_miss	= -1,	/* ID mismatch (pseudo state) */
	desc_reserved	= 0x0,
	desc_committed	= 0x1,
	desc_finalized	= 0x2,
	desc_reusable	= 0x3,
};

#define DESCS_COUNT(ring)	(1UL << (ring)->desc_bits)
#define DESC_INDEX(ring, n)	((n) & (DESCS_COUNT(ring) - 1))
#define DATA_SIZE(ring)		(1UL << (ring)->data_bits)
#define DATA_INDEX(ring, lpos)	((lpos) & (DATA_SIZE(ring) - 1))
#define DATA_WRAPS(ring, lpos)	((lpos) >> (ring)->data_bits)
#define DATA_THIS_WRAP_START_LPOS(ring, lpos) ((lpos) & ~(DATA_SIZE(ring) - 1))

#define DESC_SV_BITS		BITS_PER_LONG
#define DESC_FLAGS_SHIFT	(DESC_SV_BITS - 2)
#define DESC_FLAGS_MASK		(3UL << DESC_FLAGS_SHIFT)
#define DESC_STATE(sv)		(3UL & ((sv) >> DESC_FLAGS_SHIFT))
#define DESC_SV(id, state)	(((unsigned long)(state) << DESC_FLAGS_SHIFT) | (id))
#define DESC_ID_MASK		(~DESC_FLAGS_MASK)
#define DESC_ID(sv)		((sv) & DESC_ID_MASK)
#define DESC_ID_PREV_WRAP(ring, id) DESC_ID((id) - DESCS_COUNT(ring))

/* Data-less blocks: lost (allocation failed) or empty (size 0). */
#define FAILED_LPOS		0x1
#define NO_LPOS			0x3
#define LPOS_DATALESS(lpos)	((lpos) & 1UL)

/*
 * Initial values chosen to overflow soon, so that wrap handling is used
 * from the first minutes rather than after years: the data ring's lpos on
 * its first wrap, the descriptor IDs on their second.
 */
#define BLK0_LPOS(ring)		(-DATA_SIZE(ring))
#define DESC0_ID(ring)		DESC_ID(-(DESCS_COUNT(ring) + 1))

struct pring_data_block {
	unsigned long	id;
	char		data[];
};

static struct pring_desc *to_desc(struct pring *ring, u64 n)
{
	return &ring->descs[DESC_INDEX(ring, n)];
}

static struct pring_info *to_info(struct pring *ring, u64 n)
{
	return &ring->infos[DESC_INDEX(ring, n)];
}

static struct pring_data_block *to_block(struct pring *ring, unsigned long lpos)
{
	return (void *)&ring->data[DATA_INDEX(ring, lpos)];
}

static bool blk_dataless(const struct pring_blk_lpos *blk)
{
	return LPOS_DATALESS(blk->begin) && LPOS_DATALESS(blk->next);
}

/* The size of a data block holding @size bytes: the ID, the data, padding. */
static unsigned int to_blk_size(unsigned int size)
{
	return ALIGN(size + sizeof(unsigned long), sizeof(unsigned long));
}

/**
 * pring_max_text() - the largest record text the ring accepts
 * @ring: the ring
 *
 * A record may take at most half the data ring (so that the ring always
 * holds at least two records) and its length must fit in
 * &pring_info.text_len.
 *
 * Return: the limit in bytes.
 */
unsigned int pring_max_text(const struct pring *ring)
{
	return min_t(unsigned long, U16_MAX, DATA_SIZE(ring) / 2 - sizeof(unsigned long));
}
EXPORT_SYMBOL_GPL(pring_max_text);

static enum desc_state get_desc_state(unsigned long id, unsigned long state_val)
{
	if (id != DESC_ID(state_val))
		return desc_miss;
	return DESC_STATE(state_val);
}

static void count_fail(struct pring *ring, enum pring_fail why)
{
	/* A single instruction on x86, so safe against NMIs. */
	this_cpu_inc(ring->stats->fail[why]);
}

/*
 * Copy descriptor @id's lpos (and optionally its sequence number) and
 * return its state. The copy is valid only for the finalized, committed and
 * reusable states; for miss and reserved only @state_out is meaningful.
 */
static enum desc_state desc_read(struct pring *ring, unsigned long id,
				 struct pring_blk_lpos *lpos_out, u64 *seq_out,
				 unsigned long *state_out)
{
	struct pring_desc *desc = to_desc(ring, id);
	enum desc_state d_state;
	unsigned long state_val;

	state_val = atomic_long_read(&desc->state_var); /* LMM(desc_read:A) */
	d_state = get_desc_state(id, state_val);
	if (d_state == desc_miss || d_state == desc_reserved)
		goto out;

	/*
	 * Load the state before the descriptor's content, so that the content
	 * belongs to that state. Pairs with commit:B: if desc_read:A reads
	 * from commit:B, desc_read:C reads from commit:A (the writer's stores).
	 */
	smp_rmb(); /* LMM(desc_read:B) */

	/*
	 * A writer that recycles the descriptor meanwhile may be storing to
	 * the content as it is copied (KCSAN sees that race): the copy is
	 * used only if desc_read:E finds the descriptor still holding this
	 * ID (its content does not change from commit until it is recycled
	 * under a new ID), so a torn copy is always thrown away.
	 */
	if (lpos_out)
		*lpos_out = data_race(desc->blk_lpos); /* LMM(desc_read:C) */
	if (seq_out)
		*seq_out = data_race(to_info(ring, id)->seq); /* also part of desc_read:C */

	/*
	 * Load the content (and, for copy_data(), the record's data) before
	 * re-checking the state, so that a recycled descriptor is noticed.
	 * Pairs with desc_reserve:F (a writer's new ID is set before it
	 * touches the content) and with data_alloc:A (a data block is
	 * reused only after its old descriptor was made reusable, and that
	 * reusable state is what desc_read:E then reads).
	 */
	smp_rmb(); /* LMM(desc_read:D) */

	state_val = atomic_long_read(&desc->state_var); /* LMM(desc_read:E) */
	d_state = get_desc_state(id, state_val);
out:
	if (state_out)
		*state_out = state_val;
	return d_state;
}

/* finalized -> reusable; whoever gets there first wins, others no-op. */
static void desc_make_reusable(struct pring *ring, unsigned long id)
{
	atomic_long_cmpxchg_relaxed(&to_desc(ring, id)->state_var,
				    DESC_SV(id, desc_finalized),
				    DESC_SV(id, desc_reusable)); /* LMM(desc_make_reusable:A) */
}

/*
 * Make reusable the descriptors of all data blocks from @lpos_begin up to
 * @lpos_end. Fails if one is not finalized yet, or if the blocks were
 * already recycled by another writer (the caller re-reads the tail).
 */
static bool data_make_reusable(struct pring *ring, unsigned long lpos_begin,
			       unsigned long lpos_end, unsigned long *lpos_out)
{
	struct pring_blk_lpos blk_lpos;
	enum desc_state d_state;
	unsigned long id;

	while ((lpos_end - lpos_begin) - 1 < DATA_SIZE(ring)) {
		/*
		 * A data race against a writer that may have just reserved
		 * this area: a garbage ID either misses or names a descriptor
		 * whose lpos does not point back here, and is rejected.
		 */
		id = READ_ONCE(to_block(ring, lpos_begin)->id); /* LMM(data_make_reusable:A) */

		d_state = desc_read(ring, id, &blk_lpos, NULL,
				    NULL); /* LMM(data_make_reusable:B) */
		switch (d_state) {
		case desc_miss:
		case desc_reserved:
		case desc_committed:
			return false;
		case desc_finalized:
			if (blk_lpos.begin != lpos_begin)
				return false;
			desc_make_reusable(ring, id);
			break;
		case desc_reusable:
			if (blk_lpos.begin != lpos_begin)
				return false;
			break;
		}
		lpos_begin = blk_lpos.next;
	}
	*lpos_out = lpos_begin;
	return true;
}

/* Push the data tail to at least @lpos, recycling the blocks before it. */
static bool data_push_tail(struct pring *ring, unsigned long lpos)
{
	unsigned long tail_lpos_new;
	unsigned long tail_lpos;
	unsigned long next_lpos;

	if (LPOS_DATALESS(lpos))
		return true;

	/*
	 * Pairs with data_push_tail:D: seeing a tail pushed by another CPU
	 * means seeing the reusable states it stored before pushing it.
	 */
	tail_lpos = atomic_long_read(&ring->tail_lpos); /* LMM(data_push_tail:A) */

	while ((lpos - tail_lpos) - 1 < DATA_SIZE(ring)) {
		if (!data_make_reusable(ring, tail_lpos, lpos, &next_lpos)) {
			/*
			 * The failure may come from an area or a descriptor
			 * recycled after another CPU pushed the tail: load
			 * the block ID and the descriptor state before
			 * re-loading the tail. Pairs with data_alloc:A and
			 * desc_reserve:D, whose full barriers order the tail
			 * push before the reuse.
			 */
			smp_rmb(); /* LMM(data_push_tail:B) */

			tail_lpos_new = atomic_long_read(&ring->tail_lpos);
			/* LMM(data_push_tail:C) is the load above. */
			if (tail_lpos_new == tail_lpos)
				return false;
			tail_lpos = tail_lpos_new;
			continue;
		}

		/*
		 * Store the reusable states (possibly made by other CPUs, hence
		 * a full barrier, implied by a successful cmpxchg) before
		 * pushing the tail. Pairs with data_push_tail:A.
		 */
		if (atomic_long_try_cmpxchg(&ring->tail_lpos, &tail_lpos,
					    next_lpos)) /* LMM(data_push_tail:D) */
			break;
	}
	return true;
}

/* Push the descriptor tail past @tail_id, which must be finalized first. */
static bool desc_push_tail(struct pring *ring, unsigned long tail_id)
{
	struct pring_blk_lpos blk_lpos;
	enum desc_state d_state;
	unsigned long state_val;

	d_state = desc_read(ring, tail_id, &blk_lpos, NULL, &state_val);
	switch (d_state) {
	case desc_miss:
		/*
		 * An ID exactly one wrap behind means another writer is
		 * reserving this slot: treat it as reserved. Any other ID
		 * means the tail was already pushed and the slot recycled.
		 */
		if (DESC_ID(state_val) == DESC_ID_PREV_WRAP(ring, tail_id))
			return false;
		return true;
	case desc_reserved:
	case desc_committed:
		return false;
	case desc_finalized:
		desc_make_reusable(ring, tail_id);
		break;
	case desc_reusable:
		break;
	}

	/*
	 * The data blocks go before their descriptor: once the descriptor is
	 * recycled, nothing could tell whether a block still belongs to it.
	 */
	if (!data_push_tail(ring, blk_lpos.next))
		return false;

	/*
	 * The tail must always be finalized or reusable (pring_first_seq()
	 * relies on it), so check the next descriptor before moving there.
	 */
	d_state = desc_read(ring, DESC_ID(tail_id + 1), NULL, NULL,
			    NULL); /* LMM(desc_push_tail:A) */
	if (d_state == desc_finalized || d_state == desc_reusable) {
		/*
		 * Store the reusable states (made by any CPU, hence the full
		 * barrier of cmpxchg) before pushing the tail ID. Pairs with
		 * desc_reserve:D.
		 */
		atomic_long_cmpxchg(&ring->tail_id, tail_id,
				    DESC_ID(tail_id + 1)); /* LMM(desc_push_tail:B) */
	} else {
		/*
		 * Load the state before re-loading the tail ID, to see a tail
		 * moved by a CPU that then recycled the descriptor. Pairs with
		 * desc_reserve:D.
		 */
		smp_rmb(); /* LMM(desc_push_tail:C) */
		if (atomic_long_read(&ring->tail_id) == tail_id) /* LMM(desc_push_tail:D) */
			return false;
	}
	return true;
}

/* Reserve the next descriptor, pushing the tail if the ring is full. */
static bool desc_reserve(struct pring *ring, unsigned long *id_out)
{
	unsigned long prev_state_val;
	unsigned long id_prev_wrap;
	struct pring_desc *desc;
	unsigned long head_id;
	unsigned long id;

	head_id = atomic_long_read(&ring->head_id); /* LMM(desc_reserve:A) */
	do {
		id = DESC_ID(head_id + 1);
		id_prev_wrap = DESC_ID_PREV_WRAP(ring, id);

		/*
		 * Load the head before the tail: the tail is pushed before
		 * the head, so @id_prev_wrap is never ahead of the tail.
		 * Pairs with desc_reserve:D.
		 */
		smp_rmb(); /* LMM(desc_reserve:B) */

		if (id_prev_wrap == atomic_long_read(&ring->tail_id)) { /* LMM(desc_reserve:C) */
			if (!desc_push_tail(ring, id_prev_wrap))
				return false;
		}

		/*
		 * The full barrier of a successful cmpxchg orders: the tail
		 * load before checking the recycled state (pairs with
		 * desc_push_tail:B); the tail store before the head store
		 * (pairs with desc_reserve:B); data and descriptor tail
		 * pushes before recycling the descriptor (pairs with
		 * data_push_tail:B, desc_push_tail:C and first_seq:C); the
		 * head store before finalizing the previous descriptor
		 * (pairs with pring_commit()'s head re-check).
		 */
	} while (!atomic_long_try_cmpxchg(&ring->head_id, &head_id,
					  id)); /* LMM(desc_reserve:D) */

	desc = to_desc(ring, id);

	/* A recycled slot must hold the reusable previous wrap (ABA check). */
	prev_state_val = atomic_long_read(&desc->state_var); /* LMM(desc_reserve:E) */
	if (prev_state_val &&
	    WARN_ON_ONCE(get_desc_state(id_prev_wrap, prev_state_val) != desc_reusable))
		return false;

	/*
	 * Set the new ID and the reserved state before any other change to
	 * the descriptor; cmpxchg rather than set catches an ABA. Pairs with
	 * desc_read:D.
	 */
	if (WARN_ON_ONCE(!atomic_long_try_cmpxchg(&desc->state_var, &prev_state_val,
						  DESC_SV(id, desc_reserved))))
		return false;	/* the cmpxchg above is LMM(desc_reserve:F) */

	/* Now the descriptor's content may be changed: LMM(desc_reserve:G) */
	*id_out = id;
	return true;
}

/* Where the block after one of @size bytes at @lpos starts. */
static unsigned long get_next_lpos(struct pring *ring, unsigned long lpos, unsigned int size)
{
	unsigned long next_lpos = lpos + size;

	if (DATA_WRAPS(ring, lpos) == DATA_WRAPS(ring, next_lpos))
		return next_lpos;
	/* A block that would wrap is placed at the start of the ring. */
	return DATA_THIS_WRAP_START_LPOS(ring, next_lpos) + size;
}

/* Allocate a data block for descriptor @id, recycling old blocks. */
static char *data_alloc(struct pring *ring, unsigned int size,
			struct pring_blk_lpos *blk_lpos, unsigned long id)
{
	struct pring_data_block *blk;
	unsigned long begin_lpos;
	unsigned long next_lpos;

	if (size == 0) {
		blk_lpos->begin = NO_LPOS;
		blk_lpos->next = NO_LPOS;
		return NULL;
	}

	size = to_blk_size(size);
	begin_lpos = atomic_long_read(&ring->head_lpos);
	do {
		next_lpos = get_next_lpos(ring, begin_lpos, size);
		if (!data_push_tail(ring, next_lpos - DATA_SIZE(ring))) {
			blk_lpos->begin = FAILED_LPOS;
			blk_lpos->next = FAILED_LPOS;
			return NULL;
		}
		/*
		 * The full barrier of a successful cmpxchg stores the reusable
		 * states (pairs with desc_read:D) and the pushed tail (pairs
		 * with data_push_tail:B) before the new area is written.
		 */
	} while (!atomic_long_try_cmpxchg(&ring->head_lpos, &begin_lpos,
					  next_lpos)); /* LMM(data_alloc:A) */

	blk = to_block(ring, begin_lpos);
	WRITE_ONCE(blk->id, id); /* LMM(data_alloc:B) */
	if (DATA_WRAPS(ring, begin_lpos) != DATA_WRAPS(ring, next_lpos)) {
		/* The data is at the start; keep the ID there too. */
		blk = to_block(ring, 0);
		WRITE_ONCE(blk->id, id);
	}
	blk_lpos->begin = begin_lpos;
	blk_lpos->next = next_lpos;
	return &blk->data[0];
}

/* The text of a block and its size; NULL for an impossible block. */
static const char *get_data(struct pring *ring, struct pring_blk_lpos *blk_lpos,
			    unsigned int *data_size)
{
	struct pring_data_block *db;

	if (blk_dataless(blk_lpos)) {
		if (blk_lpos->begin == NO_LPOS && blk_lpos->next == NO_LPOS) {
			*data_size = 0;
			return "";
		}
		return NULL;
	}

	if (DATA_WRAPS(ring, blk_lpos->begin) == DATA_WRAPS(ring, blk_lpos->next) &&
	    blk_lpos->begin < blk_lpos->next) {
		db = to_block(ring, blk_lpos->begin);
		*data_size = blk_lpos->next - blk_lpos->begin;
	} else if (DATA_WRAPS(ring, blk_lpos->begin + DATA_SIZE(ring)) ==
		   DATA_WRAPS(ring, blk_lpos->next)) {
		db = to_block(ring, 0);
		*data_size = DATA_INDEX(ring, blk_lpos->next);
	} else {
		/*
		 * A reader raced with recycling and copied lpos values of two
		 * different lives; desc_read:E will reject the copy.
		 */
		return NULL;
	}

	if (*data_size < sizeof(db->id))
		return NULL;
	*data_size -= sizeof(db->id);
	return &db->data[0];
}

/* committed -> finalized, unless the writer or someone else got there. */
static void desc_make_final(struct pring *ring, unsigned long id)
{
	atomic_long_cmpxchg_relaxed(&to_desc(ring, id)->state_var,
				    DESC_SV(id, desc_committed),
				    DESC_SV(id, desc_finalized)); /* LMM(desc_make_final:A) */
	/* Best effort: a hint for pring_next_seq(). */
	atomic_long_set(&ring->last_finalized_id, id);
}

static void commit(struct pring_entry *e, enum desc_state state)
{
	struct pring *ring = e->ring;
	struct pring_desc *d = to_desc(ring, e->id);
	unsigned long prev_state_val = DESC_SV(e->id, desc_reserved);
	/* Once committed the record may be recycled: count it now. */
	bool lost = d->blk_lpos.begin == FAILED_LPOS;
	unsigned int len = e->info->text_len;

	/* The writer's stores to the record are done: LMM(commit:A) */

	/*
	 * The full barrier of cmpxchg stores the record before its new state
	 * (pairs with desc_read:B) and, for pring_commit(), that state before
	 * the head re-check (pairs with desc_reserve:D). cmpxchg rather than
	 * set catches an ABA.
	 */
	WARN_ON_ONCE(!atomic_long_try_cmpxchg(&d->state_var, &prev_state_val,
					      DESC_SV(e->id, state))); /* LMM(commit:B) */

	if (!lost) {
		this_cpu_inc(ring->stats->records);
		this_cpu_add(ring->stats->bytes, len);
	}
	local_irq_restore(e->irqflags);
}

/**
 * pring_reserve() - reserve space for a record
 * @e:    the writer's handle, set up here
 * @ring: the ring
 * @size: text size in bytes
 *
 * On success @e->text points to @size bytes and @e->info to the record's
 * meta data, with seq set, text_len set to @size (lower it if less was
 * written) and the rest zeroed. Interrupts stay disabled on this CPU
 * until pring_commit() or pring_final_commit(), to keep the window in
 * which the record blocks recycling short. The previous record, if only
 * committed, is finalized now.
 *
 * Context: any context, NMI included. Never waits for another writer.
 * Return: 0; -EMSGSIZE if @size exceeds pring_max_text(); -ENOSPC if the
 * oldest record is still being written, so that no space can be freed.
 * If that happens for the data only, an empty record marks the loss.
 */
int pring_reserve(struct pring_entry *e, struct pring *ring, unsigned int size)
{
	struct pring_info *info;
	struct pring_desc *d;
	unsigned long id;
	u64 seq;

	if (size > pring_max_text(ring)) {
		count_fail(ring, PRING_FAIL_SIZE);
		return -EMSGSIZE;
	}

	local_irq_save(e->irqflags);
	if (!desc_reserve(ring, &id)) {
		count_fail(ring, PRING_FAIL_DESC);
		local_irq_restore(e->irqflags);
		return -ENOSPC;
	}

	d = to_desc(ring, id);
	info = to_info(ring, id);

	/* The slot's last sequence number gives the new one. */
	seq = info->seq;
	memset(info, 0, sizeof(*info));
	e->ring = ring;
	e->id = id;
	e->info = info;

	/*
	 * A slot reserved for the first time has seq 0 and gets its index;
	 * slot 0, whose first seq must also be 0, starts at minus the count
	 * (see pring_alloc()). Afterwards, each reuse adds one wrap.
	 */
	if (seq == 0 && DESC_INDEX(ring, id) != 0)
		info->seq = DESC_INDEX(ring, id);
	else
		info->seq = seq + DESCS_COUNT(ring);

	/* A newer record exists now: the previous one cannot change. */
	if (info->seq > 0)
		desc_make_final(ring, DESC_ID(id - 1));

	e->text = data_alloc(ring, size, &d->blk_lpos, id);
	if (size && !e->text) {
		count_fail(ring, PRING_FAIL_DATA);
		/* A data-less record in its place tells readers of the loss. */
		commit(e, desc_finalized);
		return -ENOSPC;
	}
	info->text_len = size;
	return 0;
}
EXPORT_SYMBOL_GPL(pring_reserve);

/**
 * pring_commit() - commit a reserved record, leaving it unfinalized
 * @e: the handle pring_reserve() set up
 *
 * The record becomes readable once finalized: when the next record is
 * reserved, or at once if it is no longer the newest.
 *
 * Context: any context. Restores the interrupt state.
 */
void pring_commit(struct pring_entry *e)
{
	struct pring *ring = e->ring;

	commit(e, desc_committed);

	/*
	 * If a newer record was reserved meanwhile, its writer may have tried
	 * to finalize this one before it was committed: do it here. Pairs
	 * with desc_reserve:D (see commit:B).
	 */
	if (atomic_long_read(&ring->head_id) != e->id) /* LMM(pring_commit:A) */
		desc_make_final(ring, e->id);
}
EXPORT_SYMBOL_GPL(pring_commit);

/**
 * pring_final_commit() - commit and finalize a reserved record
 * @e: the handle pring_reserve() set up
 *
 * The record is readable at once.
 *
 * Context: any context. Restores the interrupt state.
 */
void pring_final_commit(struct pring_entry *e)
{
	commit(e, desc_finalized);
	atomic_long_set(&e->ring->last_finalized_id, e->id);
}
EXPORT_SYMBOL_GPL(pring_final_commit);

/*
 * Copy descriptor @id if it is the finalized record @seq: 0 if so, -ENOENT
 * if that record exists but its data is lost, -EINVAL if it does not exist
 * (yet, or any more).
 */
static int desc_read_finalized_seq(struct pring *ring, unsigned long id, u64 seq,
				   struct pring_blk_lpos *blk_lpos)
{
	enum desc_state d_state;
	u64 s;

	d_state = desc_read(ring, id, blk_lpos, &s, NULL);
	if (d_state == desc_miss || d_state == desc_reserved ||
	    d_state == desc_committed || s != seq)
		return -EINVAL;
	if (d_state == desc_reusable ||
	    (blk_lpos->begin == FAILED_LPOS && blk_lpos->next == FAILED_LPOS))
		return -ENOENT;
	return 0;
}

/* Copy record @seq into @r (if given), validating it before and after. */
static int read_seq(struct pring *ring, u64 seq, struct pring_record *r)
{
	struct pring_info *info = to_info(ring, seq);
	struct pring_blk_lpos blk_lpos;
	unsigned int data_size;
	const char *data;
	unsigned long id;
	int err;

	id = DESC_ID(atomic_long_read(&to_desc(ring, seq)->state_var));
	err = desc_read_finalized_seq(ring, id, seq, &blk_lpos);
	if (err || !r)
		return err;

	/* Data races with recycling writers: checked by the re-read below. */
	memcpy(&r->info, info, sizeof(r->info));
	data = get_data(ring, &blk_lpos, &data_size);
	if (!data || data_size < r->info.text_len)
		return -ENOENT;
	if (r->text && r->text_size)
		memcpy(r->text, data, min_t(unsigned int, r->text_size,
					    r->info.text_len)); /* LMM(copy_data:A) */

	return desc_read_finalized_seq(ring, id, seq, &blk_lpos);
}

/* The sequence number of the tail descriptor. */
static u64 first_seq(struct pring *ring)
{
	enum desc_state d_state;
	unsigned long id;
	u64 seq;

	for (;;) {
		id = atomic_long_read(&ring->tail_id); /* LMM(first_seq:A) */
		d_state = desc_read(ring, id, NULL, &seq, NULL); /* LMM(first_seq:B) */
		/* Ends: the tail is always finalized or reusable. */
		if (d_state == desc_finalized || d_state == desc_reusable)
			break;
		/*
		 * Load the state before re-loading the tail, to see the tail
		 * moved by whoever recycled it. Pairs with desc_reserve:D.
		 */
		smp_rmb(); /* LMM(first_seq:C) */
	}
	return seq;
}

/* Read record *@seq or the next valid one after it; update *@seq. */
static bool read_valid(struct pring *ring, u64 *seq, struct pring_record *r)
{
	u64 tail_seq;
	int err;

	while ((err = read_seq(ring, *seq, r))) {
		tail_seq = first_seq(ring);
		if (*seq < tail_seq)
			*seq = tail_seq;	/* overwritten: catch up */
		else if (err == -ENOENT)
			(*seq)++;		/* exists, data lost: skip */
		else
			return false;		/* not written yet */
	}
	return true;
}

/**
 * pring_read() - read a record, or the oldest one after it still present
 * @ring: the ring
 * @seq:  sequence number wanted
 * @r:    where to copy the record; @r->text and @r->text_size set by the
 *        caller (the text is truncated to @r->text_size)
 *
 * If @r->info.seq differs from @seq afterwards, the records in between were
 * overwritten or lost before they could be read.
 *
 * Context: any context.
 * Return: true if a record was read, false if none exists at or after @seq.
 */
bool pring_read(struct pring *ring, u64 seq, struct pring_record *r)
{
	return read_valid(ring, &seq, r);
}
EXPORT_SYMBOL_GPL(pring_read);

/**
 * pring_first_seq() - the sequence number of the oldest readable record
 * @ring: the ring
 *
 * Context: any context.
 * Return: that number, or pring_next_seq() if the ring is empty.
 */
u64 pring_first_seq(struct pring *ring)
{
	u64 seq = 0;

	if (!read_valid(ring, &seq, NULL))
		return pring_next_seq(ring);
	return seq;
}
EXPORT_SYMBOL_GPL(pring_first_seq);

/**
 * pring_next_seq() - the sequence number after the newest readable record
 * @ring: the ring
 *
 * Context: any context.
 * Return: the sequence number the next readable record will have.
 */
u64 pring_next_seq(struct pring *ring)
{
	enum desc_state d_state;
	unsigned long id;
	u64 seq;

	id = atomic_long_read(&ring->last_finalized_id);
	d_state = desc_read(ring, id, NULL, &seq, NULL);
	if (d_state == desc_finalized || d_state == desc_reusable) {
		/* Seq 0 may or may not exist yet during bootstrap. */
		if (seq != 0)
			seq++;
	} else {
		/* The hint was recycled: search from the start. */
		seq = 0;
	}
	while (read_valid(ring, &seq, NULL))
		seq++;
	return seq;
}
EXPORT_SYMBOL_GPL(pring_next_seq);

/**
 * pring_usage() - a snapshot of the ring's state and counters
 * @ring:  the ring
 * @usage: filled in
 *
 * The fields are read one after the other while writers may run, so they
 * need not be consistent with each other.
 *
 * Context: any context.
 */
void pring_usage(struct pring *ring, struct pring_usage *usage)
{
	unsigned long head_id = atomic_long_read(&ring->head_id);
	unsigned long tail_id = atomic_long_read(&ring->tail_id);
	int cpu, i;

	memset(usage, 0, sizeof(*usage));
	usage->first_seq = pring_first_seq(ring);
	usage->next_seq = pring_next_seq(ring);
	usage->descs_used = DESC_ID(head_id - tail_id);
	usage->descs_total = DESCS_COUNT(ring);
	usage->data_used = atomic_long_read(&ring->head_lpos) - atomic_long_read(&ring->tail_lpos);
	usage->data_total = DATA_SIZE(ring);
	for_each_possible_cpu(cpu) {
		struct pring_cpu_stats *st = per_cpu_ptr(ring->stats, cpu);

		usage->records += READ_ONCE(st->records);
		usage->bytes += READ_ONCE(st->bytes);
		for (i = 0; i < PRING_FAIL_NR; i++)
			usage->fail[i] += READ_ONCE(st->fail[i]);
	}
}
EXPORT_SYMBOL_GPL(pring_usage);

/**
 * pring_alloc() - allocate and initialize a ring
 * @desc_bits: log2 of the number of records it can hold
 * @data_bits: log2 of its text space in bytes
 *
 * The caller keeps the sizes within %PRING_DESC_BITS_MIN..%PRING_DESC_BITS_MAX
 * and %PRING_DATA_BITS_MIN..%PRING_DATA_BITS_MAX.
 *
 * Context: process context, may sleep.
 * Return: the ring, or NULL if out of memory.
 */
struct pring *pring_alloc(unsigned int desc_bits, unsigned int data_bits)
{
	struct pring *ring;
	unsigned long last;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return NULL;
	ring->desc_bits = desc_bits;
	ring->data_bits = data_bits;
	ring->descs = kvcalloc(DESCS_COUNT(ring), sizeof(*ring->descs), GFP_KERNEL);
	ring->infos = kvcalloc(DESCS_COUNT(ring), sizeof(*ring->infos), GFP_KERNEL);
	ring->data = kvmalloc(DATA_SIZE(ring), GFP_KERNEL);
	ring->stats = alloc_percpu(struct pring_cpu_stats);
	if (!ring->descs || !ring->infos || !ring->data || !ring->stats) {
		pring_free(ring);
		return NULL;
	}

	/*
	 * Bootstrap, as printk_ringbuffer.h explains: head and tail start at
	 * the last slot, which is reusable and data-less, so readers find the
	 * ring empty and the first record reserved goes to slot 0. Slot 0
	 * starts at seq minus the count, so its first record gets seq 0; the
	 * initial tail reports seq 0 until the tail first moves.
	 */
	last = DESCS_COUNT(ring) - 1;
	atomic_long_set(&ring->head_id, DESC0_ID(ring));
	atomic_long_set(&ring->tail_id, DESC0_ID(ring));
	atomic_long_set(&ring->last_finalized_id, DESC0_ID(ring));
	atomic_long_set(&ring->head_lpos, BLK0_LPOS(ring));
	atomic_long_set(&ring->tail_lpos, BLK0_LPOS(ring));
	atomic_long_set(&ring->descs[last].state_var, DESC_SV(DESC0_ID(ring), desc_reusable));
	ring->descs[last].blk_lpos.begin = FAILED_LPOS;
	ring->descs[last].blk_lpos.next = FAILED_LPOS;
	ring->infos[0].seq = -(u64)DESCS_COUNT(ring);
	ring->infos[last].seq = 0;
	return ring;
}
EXPORT_SYMBOL_GPL(pring_alloc);

/**
 * pring_free() - free a ring
 * @ring: the ring, or NULL; no writer or reader may still use it
 */
void pring_free(struct pring *ring)
{
	if (!ring)
		return;
	free_percpu(ring->stats);
	kvfree(ring->data);
	kvfree(ring->infos);
	kvfree(ring->descs);
	kfree(ring);
}
EXPORT_SYMBOL_GPL(pring_free);
