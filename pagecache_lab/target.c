// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache_lab: a device-mapper target, "pagecache", that caches a block
 * device in RAM page by page, as the kernel's page cache caches a file.
 *
 *   dmsetup create NAME --table "0 SECTORS pagecache /dev/BACKING PAGES [policy=P] [mode=M]"
 *
 * Each cached page has a descriptor (struct pcl_pd) in the policy's
 * xarray, indexed by page offset in the device; policy.c decides which
 * page to give back. dm splits bios at page boundaries (max_io_len), so
 * every read or write bio touches one page.
 *
 * A read hit is served in ->map() from RAM. Everything else goes to a
 * work item per bio on an unbound workqueue, which may sleep: a miss
 * inserts a locked page, reads it whole from the backing device and
 * copies out; a write takes the page (reading it first when the bio does
 * not cover it: read-modify-write) and copies in; then, in write-through
 * mode, it writes the bio's sectors to the backing device before it
 * completes, and in write-back mode it marks the page dirty for the
 * flusher (writeback.c). The page lock, a bit in the descriptor like
 * PG_locked, serialises every access to one page's data; the target's
 * spinlock guards the index, the policy, the dirty list and the counters.
 *
 * A clean page never differs from what the backing device acknowledged: a
 * page whose read or write-through failed is taken off the cache, and the
 * error reaches the bio. When no page can be had (allocation failed,
 * nothing evictable) the bio goes to the backing device uncached, and a
 * write then updates the page if a concurrent miss cached one meanwhile;
 * in write-back mode it does both under wb_mutex, so that no write-back
 * of an older copy of the page reaches the device after it.
 */

#include <linux/blkdev.h>
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "pcl.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define DM_MSG_PREFIX "pagecache"

/* Per-bio data: the work item that runs it. */
struct pcl_io {
	struct pcl_target *pc;
	struct work_struct work;
};

static struct kmem_cache *pcl_pd_cache;
static struct dentry *pcl_debugfs_root;

static struct pcl_pd *pcl_pd(struct pcl_page *pp)
{
	return pp ? container_of(pp, struct pcl_pd, pp) : NULL;
}

static pgoff_t pcl_index(struct pcl_target *pc, sector_t sector)
{
	return dm_target_offset(pc->ti, sector) >> PCL_PAGE_SECTORS_SHIFT;
}

/* Byte offset of a bio's start in its page. */
static unsigned int pcl_offset(struct pcl_target *pc, struct bio *bio)
{
	return (dm_target_offset(pc->ti, bio->bi_iter.bi_sector) &
		(PCL_PAGE_SECTORS - 1)) << SECTOR_SHIFT;
}

/**
 * pcl_page_bytes() - bytes of the device in a page
 * @pc: the target
 * @index: page index
 *
 * Return: PAGE_SIZE, or less for a short last page.
 */
unsigned int pcl_page_bytes(struct pcl_target *pc, pgoff_t index)
{
	sector_t left = pc->ti->len - ((sector_t)index << PCL_PAGE_SECTORS_SHIFT);

	return min_t(sector_t, left, PCL_PAGE_SECTORS) << SECTOR_SHIFT;
}

static struct pcl_pd *pcl_pd_alloc(gfp_t gfp)
{
	struct pcl_pd *pd = kmem_cache_alloc(pcl_pd_cache, gfp | __GFP_NOWARN);

	if (!pd)
		return NULL;
	pd->page = alloc_page(gfp | __GFP_NOWARN);
	if (!pd->page) {
		kmem_cache_free(pcl_pd_cache, pd);
		return NULL;
	}
	return pd;
}

static void pcl_pd_free(struct pcl_pd *pd)
{
	__free_page(pd->page);
	kmem_cache_free(pcl_pd_cache, pd);
}

/**
 * pcl_pd_put() - drop a reference to a page, freeing it with the last
 * @pd: the page
 */
void pcl_pd_put(struct pcl_pd *pd)
{
	if (refcount_dec_and_test(&pd->ref))
		pcl_pd_free(pd);
}

static void pcl_free_list(struct list_head *list)
{
	struct pcl_pd *pd, *next;

	list_for_each_entry_safe(pd, next, list, pp.lru)
		pcl_pd_free(pd);
}

/* Clean, and nobody uses it or waits for it. */
static bool pcl_evictable(struct pcl_page *pp, void *arg)
{
	struct pcl_pd *pd = pcl_pd(pp);

	return refcount_read(&pd->ref) == 1 &&
	       !(pd->flags & (BIT(PCL_PD_LOCKED) | BIT(PCL_PD_DIRTY)));
}

/*
 * Take a page off the cache without a shadow: its data is stale or gone
 * (a failed read or write-through, a discard, which forgets dirty data
 * too). Called with pc->lock held by a task that holds a reference, so
 * the cache's can be dropped here.
 */
static void pcl_uncache(struct pcl_target *pc, struct pcl_pd *pd)
{
	lockdep_assert_held(&pc->lock);
	pcl_clear_dirty(pc, pd);
	pcl_remove(&pc->cache, &pd->pp);
	clear_bit(PCL_PD_CACHED, &pd->flags);
	refcount_dec(&pd->ref);
}

/**
 * pcl_get_page() - the page at an index, locked, cached if it was not
 * @pc: the target
 * @index: page index
 * @created: set to whether the page is new (its data not read yet)
 *
 * A new page comes from the allocator while the cache has room, else
 * from evicting one; when allocation fails it is evicted for too.
 *
 * Return: the page, locked, with a reference for the caller; NULL when no
 * page could be had (no memory and nothing evictable, or the index could
 * not grow).
 */
static struct pcl_pd *pcl_get_page(struct pcl_target *pc, pgoff_t index, bool *created)
{
	struct pcl_pd *pd, *spare = NULL;
	bool may_alloc = true;
	LIST_HEAD(victims);

	for (;;) {
		spin_lock(&pc->lock);
		pd = pcl_pd(pcl_lookup(&pc->cache, index));
		if (pd) {
			refcount_inc(&pd->ref);
			spin_unlock(&pc->lock);
			pcl_page_lock(pd);
			if (test_bit(PCL_PD_CACHED, &pd->flags))
				break;
			/* Dropped while we waited (a failed read, a discard). */
			pcl_page_unlock(pd);
			pcl_pd_put(pd);
			continue;
		}
		if (!spare && may_alloc && !pcl_full(&pc->cache)) {
			spin_unlock(&pc->lock);
			spare = pcl_pd_alloc(GFP_NOIO);
			may_alloc = false;
			continue;
		}
		while (!spare || pcl_full(&pc->cache)) {
			pd = pcl_pd(pcl_evict(&pc->cache, pcl_evictable, NULL));
			if (!pd)
				goto fail;
			trace_pagecache_lab_evict(pc->devt, pd->pp.index, pd->pp.workingset, 0);
			clear_bit(PCL_PD_CACHED, &pd->flags);
			if (!spare)
				spare = pd;
			else
				list_add(&pd->pp.lru, &victims);
		}
		if (pcl_insert(&pc->cache, &spare->pp, index, GFP_NOWAIT | __GFP_NOWARN))
			goto fail;
		spare->flags = BIT(PCL_PD_LOCKED) | BIT(PCL_PD_CACHED);
		refcount_set(&spare->ref, 2);
		INIT_LIST_HEAD(&spare->dirty);
		spin_unlock(&pc->lock);
		pcl_free_list(&victims);
		*created = true;
		return spare;
	}
	if (spare)
		pcl_pd_free(spare);
	*created = false;
	return pd;

fail:
	spin_unlock(&pc->lock);
	if (spare)
		pcl_pd_free(spare);
	pcl_free_list(&victims);
	return NULL;
}

/**
 * pcl_page_io() - read or write part of a page, and wait
 * @pc: the target
 * @pd: the page, locked by the caller
 * @opf: operation and flags
 * @offset: byte offset in the page, a multiple of 512
 * @len: bytes, a multiple of 512
 *
 * Return: 0 or the error.
 */
int pcl_page_io(struct pcl_target *pc, struct pcl_pd *pd, blk_opf_t opf, unsigned int offset,
		unsigned int len)
{
	struct bio_vec bvec;
	struct bio bio;
	int err;

	bio_init(&bio, pc->dev->bdev, &bvec, 1, opf);
	bio.bi_iter.bi_sector = ((sector_t)pd->pp.index << PCL_PAGE_SECTORS_SHIFT) +
				(offset >> SECTOR_SHIFT);
	__bio_add_page(&bio, pd->page, len, offset);
	err = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return err;
}

/* Read a new page's data; a short last page is zero-filled past the end. */
static int pcl_fill(struct pcl_target *pc, struct pcl_pd *pd)
{
	unsigned int len = pcl_page_bytes(pc, pd->pp.index);
	int err = pcl_page_io(pc, pd, REQ_OP_READ, 0, len);

	if (err) {
		spin_lock(&pc->lock);
		pc->count.read_errors++;
		spin_unlock(&pc->lock);
		return err;
	}
	if (len < PAGE_SIZE)
		memzero_page(pd->page, len, PAGE_SIZE - len);
	set_bit(PCL_PD_UPTODATE, &pd->flags);
	pcl_laptop_io(pc);
	return 0;
}

/* Copy between a bio and its page, which the caller has locked. */
static void pcl_copy(struct pcl_pd *pd, struct bio *bio, unsigned int offset, bool to_bio)
{
	void *data = page_address(pd->page) + offset;
	struct bvec_iter iter;
	struct bio_vec bv;

	bio_for_each_segment(bv, bio, iter) {
		if (to_bio)
			memcpy_to_bvec(&bv, data);
		else
			memcpy_from_bvec(data, &bv);
		data += bv.bv_len;
	}
}

static void pcl_trace_access(struct pcl_target *pc, struct pcl_pd *pd, bool miss, bool write)
{
	if (miss)
		trace_pagecache_lab_miss(pc->devt, pd->pp.index, write);
	else
		trace_pagecache_lab_hit(pc->devt, pd->pp.index, write);
}

/* Done with a page: count the access, drop it if its data went bad. */
static void pcl_put_page(struct pcl_target *pc, struct pcl_pd *pd, bool hit, bool failed)
{
	spin_lock(&pc->lock);
	if (failed && test_bit(PCL_PD_CACHED, &pd->flags))
		pcl_uncache(pc, pd);
	else if (hit)
		pcl_mark_accessed(&pc->cache, &pd->pp);
	spin_unlock(&pc->lock);
	pcl_page_unlock(pd);
	pcl_pd_put(pd);
}

/* Send a bio to the backing device as it is, no page involved. */
static void pcl_remap(struct pcl_target *pc, struct bio *bio)
{
	bio_set_dev(bio, pc->dev->bdev);
	if (bio_sectors(bio))
		bio->bi_iter.bi_sector = dm_target_offset(pc->ti, bio->bi_iter.bi_sector);
}

static void pcl_count_uncached(struct pcl_target *pc)
{
	spin_lock(&pc->lock);
	pc->count.uncached++;
	spin_unlock(&pc->lock);
}

/* A read hit served in ->map(), if the page is cached and free now. */
static bool pcl_read_hit(struct pcl_target *pc, struct bio *bio)
{
	struct pcl_pd *pd;

	spin_lock(&pc->lock);
	pd = pcl_pd(pcl_lookup(&pc->cache, pcl_index(pc, bio->bi_iter.bi_sector)));
	if (!pd || !test_bit(PCL_PD_UPTODATE, &pd->flags) ||
	    test_and_set_bit_lock(PCL_PD_LOCKED, &pd->flags)) {
		spin_unlock(&pc->lock);
		return false;
	}
	/* Locked, so neither evicted nor dropped until we unlock. */
	pcl_mark_accessed(&pc->cache, &pd->pp);
	pc->count.read_hits++;
	spin_unlock(&pc->lock);
	trace_pagecache_lab_hit(pc->devt, pd->pp.index, false);
	pcl_copy(pd, bio, pcl_offset(pc, bio), true);
	pcl_page_unlock(pd);
	return true;
}

static void pcl_read(struct pcl_target *pc, struct bio *bio)
{
	struct pcl_pd *pd;
	bool created;
	int err = 0;

	pd = pcl_get_page(pc, pcl_index(pc, bio->bi_iter.bi_sector), &created);
	if (!pd) {
		pcl_count_uncached(pc);
		pcl_remap(pc, bio);
		submit_bio_noacct(bio);
		return;
	}
	if (!test_bit(PCL_PD_UPTODATE, &pd->flags))
		err = pcl_fill(pc, pd);
	if (!err)
		pcl_copy(pd, bio, pcl_offset(pc, bio), true);
	spin_lock(&pc->lock);
	if (created)
		pc->count.read_misses++;
	else
		pc->count.read_hits++;
	spin_unlock(&pc->lock);
	pcl_trace_access(pc, pd, created, false);
	pcl_put_page(pc, pd, !created, err);
	bio->bi_status = errno_to_blk_status(err);
	bio_endio(bio);
}

/*
 * Drop the cached pages from index @first to @last, waiting for those in
 * use: the pages a discard covered.
 */
static void pcl_invalidate(struct pcl_target *pc, pgoff_t first, pgoff_t last)
{
	pgoff_t index = first;
	struct pcl_pd *pd;

	while (index <= last) {
		spin_lock(&pc->lock);
		pd = pcl_pd(pcl_find(&pc->cache, index, last));
		if (pd)
			refcount_inc(&pd->ref);
		spin_unlock(&pc->lock);
		if (!pd)
			return;
		index = pd->pp.index + 1;
		pcl_page_lock(pd);
		spin_lock(&pc->lock);
		if (test_bit(PCL_PD_CACHED, &pd->flags)) {
			pcl_uncache(pc, pd);
			pc->count.invalidations++;
		}
		spin_unlock(&pc->lock);
		pcl_page_unlock(pd);
		pcl_pd_put(pd);
	}
}

/*
 * After an uncached write: if a concurrent miss cached the page meanwhile,
 * it may hold the data from before the write. Bring it up to date with the
 * bio's data; if the write failed, drop it unless it is dirty (then it is
 * newer than anything on the device). The page stays clean or dirty as it
 * was: the device has the bio's data, and no older copy of the page was
 * written back over it (pcl_write_uncached()).
 */
static void pcl_update_cached(struct pcl_target *pc, struct bio *bio, sector_t sector, int err)
{
	struct pcl_pd *pd;

	spin_lock(&pc->lock);
	pd = pcl_pd(pcl_lookup(&pc->cache, pcl_index(pc, sector)));
	if (pd)
		refcount_inc(&pd->ref);
	spin_unlock(&pc->lock);
	if (!pd)
		return;
	pcl_page_lock(pd);
	/* Cached and unlocked means up to date: its creator filled it. */
	if (test_bit(PCL_PD_CACHED, &pd->flags)) {
		if (!err) {
			pcl_copy(pd, bio, (dm_target_offset(pc->ti, sector) &
					   (PCL_PAGE_SECTORS - 1)) << SECTOR_SHIFT, false);
		} else if (!test_bit(PCL_PD_DIRTY, &pd->flags)) {
			spin_lock(&pc->lock);
			pcl_uncache(pc, pd);
			pc->count.invalidations++;
			spin_unlock(&pc->lock);
		}
	}
	pcl_page_unlock(pd);
	pcl_pd_put(pd);
}

/* Write a bio to the backing device through a clone, then its page. */
static int pcl_write_clone(struct pcl_target *pc, struct bio *bio)
{
	sector_t sector = bio->bi_iter.bi_sector;
	struct bio *clone;
	int err;

	clone = bio_alloc_clone(pc->dev->bdev, bio, GFP_NOIO, &pc->bs);
	clone->bi_iter.bi_sector = dm_target_offset(pc->ti, sector);
	err = submit_bio_wait(clone);
	bio_put(clone);
	pcl_update_cached(pc, bio, sector, err);
	return err;
}

/*
 * A write with no page to be had: through a clone, in either mode.
 *
 * In write-back mode another write may make the page while the clone is
 * in flight, by a read-modify-write that reads this write's sectors from
 * before it, and dirty it. Written back, that copy would undo this write
 * if it reached the device after it, and pcl_update_cached() would come
 * too late: the device would keep the old data under a clean page, or
 * under none once the page was evicted, after a successful flush. So the
 * clone and the page's update run under wb_mutex, as write-back does:
 * a write-back either reaches the device before the clone is submitted,
 * or starts once the page holds this write's data.
 */
static void pcl_write_uncached(struct pcl_target *pc, struct bio *bio)
{
	int err;

	pcl_count_uncached(pc);
	if (pc->mode == PCL_WRITEBACK) {
		mutex_lock(&pc->wb_mutex);
		err = pcl_write_clone(pc, bio);
		mutex_unlock(&pc->wb_mutex);
	} else {
		/* Write-through writes only a bio's own sectors: none is stale. */
		err = pcl_write_clone(pc, bio);
	}
	bio->bi_status = errno_to_blk_status(err);
	bio_endio(bio);
}

static void pcl_write(struct pcl_target *pc, struct bio *bio)
{
	pgoff_t index = pcl_index(pc, bio->bi_iter.bi_sector);
	bool writeback = pc->mode == PCL_WRITEBACK;
	unsigned int offset = pcl_offset(pc, bio);
	unsigned int len = bio->bi_iter.bi_size;
	bool fua = false, created;
	struct pcl_pd *pd;
	int err = 0;

	if (writeback)
		pcl_balance_dirty(pc);
	pd = pcl_get_page(pc, index, &created);
	if (!pd) {
		pcl_write_uncached(pc, bio);
		return;
	}
	/* Read-modify-write: the rest of the page must be valid too. */
	if (!test_bit(PCL_PD_UPTODATE, &pd->flags) && len < pcl_page_bytes(pc, index))
		err = pcl_fill(pc, pd);
	if (!err) {
		pcl_copy(pd, bio, offset, false);
		if (!writeback)
			err = pcl_page_io(pc, pd, REQ_OP_WRITE |
					  (bio->bi_opf & (REQ_FUA | REQ_SYNC)), offset, len);
	}
	/* The whole page now holds valid data (or it is dropped). */
	if (!err) {
		set_bit(PCL_PD_UPTODATE, &pd->flags);
		if (writeback) {
			pcl_mark_dirty(pc, pd);
			fua = bio->bi_opf & REQ_FUA;
		}
	}
	spin_lock(&pc->lock);
	if (created)
		pc->count.write_misses++;
	else
		pc->count.write_hits++;
	if (err && !writeback)
		pc->count.write_errors++;
	spin_unlock(&pc->lock);
	pcl_trace_access(pc, pd, created, true);
	if (fua)
		refcount_inc(&pd->ref);
	pcl_put_page(pc, pd, !created, err);
	/*
	 * FUA in write-back mode: the page is written back before the bio
	 * completes; if someone else wrote it back first, a flush makes
	 * their write durable.
	 */
	if (fua) {
		err = pcl_writeback_page(pc, pd, REQ_FUA);
		if (err == 1)
			err = blkdev_issue_flush(pc->dev->bdev);
	}
	bio->bi_status = errno_to_blk_status(err);
	bio_endio(bio);
}

/*
 * An empty flush in write-back mode: every page dirty now is written back
 * first; a write-back error since the last flush fails it, as fsync()
 * reports a failed write-back.
 */
static void pcl_flush(struct pcl_target *pc, struct bio *bio)
{
	int err = pcl_writeback_all(pc);

	if (err) {
		bio->bi_status = errno_to_blk_status(err);
		bio_endio(bio);
		return;
	}
	pcl_remap(pc, bio);
	submit_bio_noacct(bio);
}

/*
 * A discard: the backing device first, then the cached pages it covers
 * whole, dirty or not, so that no miss can cache data from before it once
 * it has completed. A page it covers in part keeps its data, which is as
 * good as any for the discarded sectors.
 */
static void pcl_discard(struct pcl_target *pc, struct bio *bio)
{
	sector_t start = dm_target_offset(pc->ti, bio->bi_iter.bi_sector);
	sector_t end = start + bio_sectors(bio);
	pgoff_t first = DIV_ROUND_UP_SECTOR_T(start, PCL_PAGE_SECTORS);
	pgoff_t last_end;
	int err;

	/* Pages wholly below the end; the device's short last page counts. */
	last_end = end >= pc->ti->len ? DIV_ROUND_UP_SECTOR_T(end, PCL_PAGE_SECTORS)
				      : end >> PCL_PAGE_SECTORS_SHIFT;
	err = blkdev_issue_discard(pc->dev->bdev, start, bio_sectors(bio), GFP_NOIO);
	if (last_end > first)
		pcl_invalidate(pc, first, last_end - 1);
	bio->bi_status = errno_to_blk_status(err);
	bio_endio(bio);
}

static void pcl_work(struct work_struct *work)
{
	struct pcl_io *io = container_of(work, struct pcl_io, work);
	struct bio *bio = dm_bio_from_per_bio_data(io, sizeof(*io));

	if (bio->bi_opf & REQ_PREFLUSH) {
		pcl_flush(io->pc, bio);
		return;
	}
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		pcl_read(io->pc, bio);
		break;
	case REQ_OP_WRITE:
		pcl_write(io->pc, bio);
		break;
	case REQ_OP_DISCARD:
		pcl_discard(io->pc, bio);
		break;
	default:
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		break;
	}
}

static int pcl_map(struct dm_target *ti, struct bio *bio)
{
	struct pcl_io *io = dm_per_bio_data(bio, sizeof(*io));
	struct pcl_target *pc = ti->private;

	/*
	 * dm sends a flush as an empty bio and the data after it. In
	 * write-through mode writes complete only once the backing device
	 * has them, so flushing it is all a flush needs.
	 */
	if ((bio->bi_opf & REQ_PREFLUSH) && pc->mode == PCL_WRITETHROUGH) {
		pcl_remap(pc, bio);
		return DM_MAPIO_REMAPPED;
	}
	if (bio_op(bio) == REQ_OP_READ && pcl_read_hit(pc, bio)) {
		bio_endio(bio);
		return DM_MAPIO_SUBMITTED;
	}
	io->pc = pc;
	INIT_WORK(&io->work, pcl_work);
	queue_work(pc->wq, &io->work);
	return DM_MAPIO_SUBMITTED;
}

/* Drop every clean page nobody uses: the drop_caches message. */
static void pcl_drop_clean(struct pcl_target *pc)
{
	struct pcl_page *pp;
	pgoff_t index = 0;
	LIST_HEAD(dropped);

	spin_lock(&pc->lock);
	while ((pp = pcl_find(&pc->cache, index, ULONG_MAX))) {
		index = pp->index + 1;
		if (pcl_evictable(pp, NULL)) {
			pcl_remove(&pc->cache, pp);
			clear_bit(PCL_PD_CACHED, &pcl_pd(pp)->flags);
			list_add(&pp->lru, &dropped);
			pc->count.invalidations++;
		}
		if (need_resched()) {
			spin_unlock(&pc->lock);
			cond_resched();
			spin_lock(&pc->lock);
		}
	}
	spin_unlock(&pc->lock);
	pcl_free_list(&dropped);
}

static unsigned long pcl_shrink_count(struct shrinker *shrink, struct shrink_control *sc)
{
	struct pcl_target *pc = compat_shrinker_private(shrink);
	unsigned long clean = pcl_nr_pages(&pc->cache) - READ_ONCE(pc->nr_dirty);

	return clean ?: SHRINK_EMPTY;
}

/* Memory is short: evict clean pages, leaving shadows as reclaim does. */
static unsigned long pcl_shrink_scan(struct shrinker *shrink, struct shrink_control *sc)
{
	struct pcl_target *pc = compat_shrinker_private(shrink);
	unsigned long freed = 0;
	struct pcl_page *pp;

	while (freed < sc->nr_to_scan) {
		spin_lock(&pc->lock);
		pp = pcl_evict(&pc->cache, pcl_evictable, NULL);
		if (pp) {
			trace_pagecache_lab_evict(pc->devt, pp->index, pp->workingset, 1);
			clear_bit(PCL_PD_CACHED, &pcl_pd(pp)->flags);
			pc->count.shrunk++;
		}
		spin_unlock(&pc->lock);
		if (!pp)
			break;
		pcl_pd_free(pcl_pd(pp));
		freed++;
	}
	return freed ?: SHRINK_STOP;
}

static void pcl_destroy(struct pcl_target *pc)
{
	struct pcl_page *pp;

	debugfs_remove(pc->debugfs);
	if (pc->shrinker)
		compat_shrinker_destroy(pc->shrinker);
	pcl_flusher_stop(pc);
	/* dm has suspended the device and written back: no bio is in flight. */
	if (pc->nr_dirty)
		DMERR("%lu dirty pages could not be written back and are lost", pc->nr_dirty);
	while ((pp = pcl_find(&pc->cache, 0, ULONG_MAX))) {
		pcl_remove(&pc->cache, pp);
		pcl_pd_free(pcl_pd(pp));
	}
	pcl_cache_destroy(&pc->cache);
	bioset_exit(&pc->bs);
	if (pc->wq)
		destroy_workqueue(pc->wq);
	if (pc->dev)
		dm_put_device(pc->ti, pc->dev);
	kfree(pc);
}

static int pcl_parse_options(struct dm_target *ti, struct dm_arg_set *as,
			     enum pcl_policy_kind *policy, enum pcl_mode *mode)
{
	const char *arg;

	while ((arg = dm_shift_arg(as))) {
		if (str_has_prefix(arg, "policy=")) {
			if (pcl_policy_parse(arg + strlen("policy="), policy)) {
				ti->error = "Unknown policy (two-list, lru, s3fifo)";
				return -EINVAL;
			}
		} else if (!strcmp(arg, "mode=writeback")) {
			*mode = PCL_WRITEBACK;
		} else if (!strcmp(arg, "mode=writethrough")) {
			*mode = PCL_WRITETHROUGH;
		} else {
			ti->error = "Unknown option (policy=, mode=writeback|writethrough)";
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Construct: <backing device> <cache pages> [policy=two-list|lru|s3fifo]
 *	      [mode=writeback|writethrough]
 */
static int pcl_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	enum pcl_policy_kind policy = PCL_TWO_LIST;
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	enum pcl_mode mode = PCL_WRITEBACK;
	struct pcl_target *pc;
	unsigned long pages;
	int err;

	if (argc < 2) {
		ti->error = "Expected <backing device> <cache pages> [policy=...] [mode=...]";
		return -EINVAL;
	}
	if (kstrtoul(argv[1], 10, &pages) || pages < 2 || pages > totalram_pages()) {
		ti->error = "Cache pages must be a number from 2 to the pages of RAM";
		return -EINVAL;
	}
	dm_consume_args(&as, 2);
	err = pcl_parse_options(ti, &as, &policy, &mode);
	if (err)
		return err;

	pc = kzalloc(sizeof(*pc), GFP_KERNEL);
	if (!pc) {
		ti->error = "Cannot allocate the target";
		return -ENOMEM;
	}
	pc->ti = ti;
	pc->devt = disk_devt(dm_disk(dm_table_get_md(ti->table)));
	pc->mode = mode;
	ti->private = pc;
	spin_lock_init(&pc->lock);
	/* Cannot fail: its arguments were checked. */
	pcl_cache_init(&pc->cache, policy, pages);
	pcl_tunables_init(&pc->tunables);
	pcl_dirty_thresh(&pc->tunables, pages, &pc->thresh);
	INIT_LIST_HEAD(&pc->dirty_list);
	mutex_init(&pc->wb_mutex);
	init_waitqueue_head(&pc->flusher_wait);
	init_waitqueue_head(&pc->throttle_wait);

	err = dm_get_device(ti, argv[0], dm_table_get_mode(ti->table), &pc->dev);
	if (err) {
		ti->error = "Cannot open the backing device";
		pc->dev = NULL;
		goto fail;
	}
	err = -EINVAL;
	if (ti->len > bdev_nr_sectors(pc->dev->bdev)) {
		ti->error = "The backing device is smaller than the target";
		goto fail;
	}
	err = dm_set_target_max_io_len(ti, PCL_PAGE_SECTORS);
	if (err)
		goto fail;
	err = -ENOMEM;
	pc->wq = alloc_workqueue("kpagecache", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!pc->wq) {
		ti->error = "Cannot allocate the workqueue";
		goto fail;
	}
	err = bioset_init(&pc->bs, BIO_POOL_SIZE, 0, 0);
	if (err) {
		ti->error = "Cannot allocate the bio set";
		goto fail;
	}
	if (mode == PCL_WRITEBACK) {
		err = pcl_flusher_start(pc);
		if (err) {
			ti->error = "Cannot start the flusher thread";
			goto fail;
		}
	}
	pc->shrinker = compat_shrinker_create(pcl_shrink_count, pcl_shrink_scan, pc,
					      "pagecache_lab");
	if (!pc->shrinker) {
		err = -ENOMEM;
		ti->error = "Cannot register the shrinker";
		goto fail;
	}
	ti->per_io_data_size = sizeof(struct pcl_io);
	/* Written-back data is volatile: flushes and FUA must reach us. */
	ti->flush_supported = mode == PCL_WRITEBACK;
	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	return 0;

fail:
	pcl_destroy(pc);
	return err;
}

static void pcl_dtr(struct dm_target *ti)
{
	pcl_destroy(ti->private);
}

/*
 * Suspending (and so removing) writes every dirty page back: no bio is in
 * flight any more and none comes until resume.
 */
static void pcl_postsuspend(struct dm_target *ti)
{
	struct pcl_target *pc = ti->private;
	int err;

	debugfs_remove(pc->debugfs);
	pc->debugfs = NULL;
	if (pc->mode != PCL_WRITEBACK)
		return;
	err = pcl_writeback_all(pc);
	if (err)
		DMERR("write-back on suspend failed (%d): %lu pages still dirty", err,
		      READ_ONCE(pc->nr_dirty));
	else
		blkdev_issue_flush(pc->dev->bdev);
}

static const char *const pcl_mode_names[] = {
	[PCL_WRITEBACK] = "writeback",
	[PCL_WRITETHROUGH] = "writethrough",
};

/* A counter or gauge as status and debugfs print it. */
struct pcl_field {
	const char *name;
	u64 value;
};

#define PCL_NR_FIELDS	(23 + PCL_NR_TUNABLES)

/* Everything the target counts, read at one moment. Return: how many. */
static int pcl_fields(struct pcl_target *pc, struct pcl_field *f)
{
	const struct pcl_counters *c = &pc->count;
	const struct pcl_stats *st = &pc->cache.stats;
	int n = 0, i;

	spin_lock(&pc->lock);
	f[n++] = (struct pcl_field){ "pages", pcl_nr_pages(&pc->cache) };
	f[n++] = (struct pcl_field){ "capacity", pc->cache.capacity };
	f[n++] = (struct pcl_field){ "dirty", pc->nr_dirty };
	f[n++] = (struct pcl_field){ "writeback", pc->nr_writeback };
	f[n++] = (struct pcl_field){ "read_hits", c->read_hits };
	f[n++] = (struct pcl_field){ "read_misses", c->read_misses };
	f[n++] = (struct pcl_field){ "write_hits", c->write_hits };
	f[n++] = (struct pcl_field){ "write_misses", c->write_misses };
	f[n++] = (struct pcl_field){ "uncached", c->uncached };
	f[n++] = (struct pcl_field){ "invalidations", c->invalidations };
	f[n++] = (struct pcl_field){ "read_errors", c->read_errors };
	f[n++] = (struct pcl_field){ "write_errors", c->write_errors };
	f[n++] = (struct pcl_field){ "written_back", c->written_back };
	f[n++] = (struct pcl_field){ "flusher_runs", c->flusher_runs };
	f[n++] = (struct pcl_field){ "throttled", c->throttled };
	f[n++] = (struct pcl_field){ "shrunk", c->shrunk };
	f[n++] = (struct pcl_field){ "activations", st->activations };
	f[n++] = (struct pcl_field){ "deactivations", st->deactivations };
	f[n++] = (struct pcl_field){ "evictions", st->evictions };
	f[n++] = (struct pcl_field){ "refaults", st->refaults };
	f[n++] = (struct pcl_field){ "refault_activations", st->refault_activations };
	f[n++] = (struct pcl_field){ "inactive", pc->cache.nr[PCL_LIST_INACTIVE] };
	f[n++] = (struct pcl_field){ "active", pc->cache.nr[PCL_LIST_ACTIVE] };
	for (i = 0; i < PCL_NR_TUNABLES; i++)
		f[n++] = (struct pcl_field){ pcl_tunable_name(i), pc->tunables.val[i] };
	spin_unlock(&pc->lock);
	return n;
}

static void pcl_status(struct dm_target *ti, status_type_t type, unsigned int status_flags,
		       char *result, unsigned int maxlen)
{
	struct pcl_target *pc = ti->private;
	const char *policy = pcl_policy_name(pc->cache.kind);
	const char *mode = pcl_mode_names[pc->mode];
	struct pcl_field f[PCL_NR_FIELDS];
	unsigned int sz = 0;
	int i, n;

	switch (type) {
	case STATUSTYPE_INFO:
		n = pcl_fields(pc, f);
		DMEMIT("policy=%s mode=%s", policy, mode);
		for (i = 0; i < n; i++)
			DMEMIT(" %s=%llu", f[i].name, f[i].value);
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %lu policy=%s mode=%s", pc->dev->name, pc->cache.capacity, policy, mode);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",backing_device=%s,capacity=%lu,policy=%s,mode=%s;", pc->dev->name,
		       pc->cache.capacity, policy, mode);
		break;
	}
}

/* debugfs <device>/stats: one "name value" line each, and the hit ratio. */
static int pcl_stats_show(struct seq_file *m, void *v)
{
	struct pcl_target *pc = m->private;
	struct pcl_field f[PCL_NR_FIELDS];
	u64 hits = 0, reads = 0;
	int i, n = pcl_fields(pc, f);

	seq_printf(m, "policy %s\nmode %s\n", pcl_policy_name(pc->cache.kind),
		   pcl_mode_names[pc->mode]);
	for (i = 0; i < n; i++) {
		seq_printf(m, "%s %llu\n", f[i].name, f[i].value);
		if (!strcmp(f[i].name, "read_hits"))
			hits = f[i].value;
		if (!strcmp(f[i].name, "read_hits") || !strcmp(f[i].name, "read_misses"))
			reads += f[i].value;
	}
	/* Per mille, printed as a fraction: 0.000 with no reads. */
	n = reads ? div64_u64(hits * 1000, reads) : 0;
	seq_printf(m, "hit_ratio %d.%03d\n", n / 1000, n % 1000);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcl_stats);

/*
 * The active table has the debugfs directory: made on resume, removed on
 * suspend, so that a table reload (the new table resumes after the old one
 * suspends) never finds the name taken.
 */
static void pcl_resume(struct dm_target *ti)
{
	struct pcl_target *pc = ti->private;
	char name[DM_NAME_LEN];

	if (pc->debugfs || dm_copy_name_and_uuid(dm_table_get_md(ti->table), name, NULL))
		return;
	pc->debugfs = debugfs_create_dir(name, pcl_debugfs_root);
	debugfs_create_file("stats", 0444, pc->debugfs, pc, &pcl_stats_fops);
}

/*
 * Messages: "drop_caches" drops every clean page not in use; "flush"
 * writes every dirty page back and flushes the backing device's volatile
 * cache; "<tunable> <value>" sets a write-back tunable.
 */
static int pcl_message(struct dm_target *ti, unsigned int argc, char **argv,
		       char *result, unsigned int maxlen)
{
	struct pcl_target *pc = ti->private;
	int err;

	if (argc == 1 && !strcmp(argv[0], "drop_caches")) {
		pcl_drop_clean(pc);
		return 0;
	}
	if (argc == 1 && !strcmp(argv[0], "flush")) {
		err = pcl_writeback_all(pc);
		return err ?: blkdev_issue_flush(pc->dev->bdev);
	}
	if (argc == 2) {
		spin_lock(&pc->lock);
		err = pcl_tunable_set(&pc->tunables, argv[0], argv[1]);
		if (!err)
			pcl_set_thresh(pc);
		spin_unlock(&pc->lock);
		if (!err)
			return 0;
	}
	DMWARN("bad message (drop_caches, flush, or a tunable and its value)");
	return -EINVAL;
}

static int pcl_iterate_devices(struct dm_target *ti, iterate_devices_callout_fn fn, void *data)
{
	struct pcl_target *pc = ti->private;

	return fn(ti, pc->dev, 0, ti->len, data);
}

static struct target_type pcl_target_type = {
	.name = "pagecache",
	.version = {0, 2, 0},
	.module = THIS_MODULE,
	.ctr = pcl_ctr,
	.dtr = pcl_dtr,
	.map = pcl_map,
	.postsuspend = pcl_postsuspend,
	.resume = pcl_resume,
	.status = pcl_status,
	.message = pcl_message,
	.iterate_devices = pcl_iterate_devices,
};

static int __init pcl_init(void)
{
	int err;

	pcl_pd_cache = KMEM_CACHE(pcl_pd, 0);
	if (!pcl_pd_cache)
		return -ENOMEM;
	/* Without debugfs the targets work and have no directory. */
	pcl_debugfs_root = debugfs_create_dir("pagecache_lab", NULL);
	err = dm_register_target(&pcl_target_type);
	if (err) {
		debugfs_remove(pcl_debugfs_root);
		kmem_cache_destroy(pcl_pd_cache);
	}
	return err;
}

static void __exit pcl_exit(void)
{
	dm_unregister_target(&pcl_target_type);
	debugfs_remove(pcl_debugfs_root);
	kmem_cache_destroy(pcl_pd_cache);
}

module_init(pcl_init);
module_exit(pcl_exit);

MODULE_DESCRIPTION("pagecache_lab: a device-mapper target caching a block device in RAM");
MODULE_AUTHOR("kernlabs");
MODULE_LICENSE("GPL");
MODULE_ALIAS("dm-pagecache");
