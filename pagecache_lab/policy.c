// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache_lab's replacement policies.
 *
 * Two-list follows the kernel's file LRU as of 6.1: a new page enters the
 * inactive list; folio_mark_accessed() sets its referenced bit on a first
 * access and activates it on a second; reclaim deactivates from the
 * active list's tail while the inactive list is "low" (inactive_is_low():
 * inactive * ratio < active, ratio sqrt(10 * size in GiB), at least 1) and
 * evicts from the inactive list's tail, whatever its referenced bit (an
 * unmapped page cache page has no PTE references to save it). An evicted
 * page leaves a shadow entry holding the nonresident age at eviction
 * (mm/workingset.c); a refault whose distance, the age since, is within
 * the active list's size enters the active list at once.
 *
 * Plain LRU keeps one list in recency order. S3-FIFO keeps a small FIFO
 * (a tenth of the cache) that new pages enter, a main FIFO, and a ghost
 * FIFO of the pages evicted from the small one: the shadow entries again,
 * each holding the eviction count at its eviction, alive while within the
 * main FIFO's size of evictions since.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "policy.h"

static const char *const pcl_policy_names[PCL_NR_POLICIES] = {
	[PCL_TWO_LIST] = "two-list",
	[PCL_LRU] = "lru",
	[PCL_S3FIFO] = "s3fifo",
};

#define PCL_S3FIFO_FREQ_MAX	3

/*
 * A shadow entry packs the clock at eviction with one flag bit: two-list's
 * workingset bit, S3-FIFO's "in the ghost FIFO".
 */
static void *pcl_mk_shadow(unsigned long clock, bool flag)
{
	return xa_mk_value(((clock << 1) | flag) & (LONG_MAX >> 1));
}

static unsigned long pcl_shadow_clock(void *shadow)
{
	return xa_to_value(shadow) >> 1;
}

static bool pcl_shadow_flag(void *shadow)
{
	return xa_to_value(shadow) & 1;
}

/* The clock is kept to the bits a shadow can hold, so distances compare. */
static unsigned long pcl_distance(const struct pcl_cache *c, void *shadow)
{
	return (c->clock - pcl_shadow_clock(shadow)) & (LONG_MAX >> 2);
}

static unsigned long pcl_small_target(const struct pcl_cache *c)
{
	return max(c->capacity / 10, 1UL);
}

/**
 * pcl_cache_init() - set up an empty cache
 * @c: the cache
 * @kind: its policy
 * @capacity: pages it may hold, at least 2
 *
 * Return: 0, or -EINVAL for an unknown policy or too small a capacity.
 */
int pcl_cache_init(struct pcl_cache *c, enum pcl_policy_kind kind, unsigned long capacity)
{
	int i;

	if (kind >= PCL_NR_POLICIES || capacity < 2)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->capacity = capacity;
	xa_init(&c->pages);
	for (i = 0; i < PCL_NR_LISTS; i++)
		INIT_LIST_HEAD(&c->lists[i]);
	return 0;
}

/**
 * pcl_cache_destroy() - forget the index and the shadows
 * @c: the cache, whose pages the caller has removed or frees itself
 */
void pcl_cache_destroy(struct pcl_cache *c)
{
	xa_destroy(&c->pages);
	c->nr_shadows = 0;
}

/**
 * pcl_lookup() - the cached page at an index
 * @c: the cache
 * @index: page index
 *
 * Return: the page, or NULL if it is not cached (a shadow does not count).
 */
struct pcl_page *pcl_lookup(struct pcl_cache *c, pgoff_t index)
{
	void *entry = xa_load(&c->pages, index);

	return xa_is_value(entry) ? NULL : entry;
}

static void pcl_add(struct pcl_cache *c, struct pcl_page *page, enum pcl_list list)
{
	page->list = list;
	list_add(&page->lru, &c->lists[list]);
	c->nr[list]++;
}

static void pcl_del(struct pcl_cache *c, struct pcl_page *page)
{
	list_del_init(&page->lru);
	c->nr[page->list]--;
}

static void pcl_move(struct pcl_cache *c, struct pcl_page *page, enum pcl_list list)
{
	pcl_del(c, page);
	pcl_add(c, page, list);
}

/* folio_activate() and workingset_activation(): the age advances. */
static void pcl_activate(struct pcl_cache *c, struct pcl_page *page)
{
	pcl_move(c, page, PCL_LIST_ACTIVE);
	page->referenced = false;
	page->workingset = true;
	c->stats.activations++;
	c->clock++;
}

/**
 * pcl_mark_accessed() - record a hit
 * @c: the cache
 * @page: a page on it
 *
 * Two-list: the first access sets the referenced bit, the second
 * activates an inactive page. LRU: the page goes to the head. S3-FIFO:
 * its frequency counts up to 3; nothing moves.
 */
void pcl_mark_accessed(struct pcl_cache *c, struct pcl_page *page)
{
	switch (c->kind) {
	case PCL_TWO_LIST:
		if (!page->referenced)
			page->referenced = true;
		else if (page->list == PCL_LIST_INACTIVE)
			pcl_activate(c, page);
		break;
	case PCL_LRU:
		pcl_move(c, page, PCL_LIST_ACTIVE);
		break;
	case PCL_S3FIFO:
		page->freq = min_t(u8, page->freq + 1, PCL_S3FIFO_FREQ_MAX);
		break;
	default:
		break;
	}
}

/*
 * Which list a page entering the cache goes to, given the shadow its index
 * had (NULL for none): a refault is counted here.
 */
static enum pcl_list pcl_admit(struct pcl_cache *c, struct pcl_page *page, void *shadow)
{
	unsigned long distance;

	if (shadow)
		c->stats.refaults++;
	switch (c->kind) {
	case PCL_TWO_LIST:
		if (!shadow)
			return PCL_LIST_INACTIVE;
		/* workingset_refault(): within the active list's size. */
		distance = pcl_distance(c, shadow);
		if (distance > c->nr[PCL_LIST_ACTIVE])
			return PCL_LIST_INACTIVE;
		c->stats.refault_activations++;
		page->workingset = true;
		c->clock++;
		return PCL_LIST_ACTIVE;
	case PCL_S3FIFO:
		if (!shadow || !pcl_shadow_flag(shadow) ||
		    pcl_distance(c, shadow) > c->capacity - pcl_small_target(c))
			return PCL_LIST_INACTIVE;
		c->stats.refault_activations++;
		return PCL_LIST_ACTIVE;
	default:
		return PCL_LIST_ACTIVE;
	}
}

/**
 * pcl_insert() - add a page that missed
 * @c: the cache
 * @page: the new page, not on any list
 * @index: its index, not cached yet
 * @gfp: allocation flags for the index
 *
 * The insertion counts as the page's first access. The caller makes room
 * first (pcl_full(), pcl_evict()).
 *
 * Return: 0; -EEXIST if @index is cached; -ENOMEM if the index could not
 * grow, and then nothing changed.
 */
int pcl_insert(struct pcl_cache *c, struct pcl_page *page, pgoff_t index, gfp_t gfp)
{
	void *old = xa_load(&c->pages, index);
	void *ret;

	if (old && !xa_is_value(old))
		return -EEXIST;
	ret = xa_store(&c->pages, index, page, gfp);
	if (xa_is_err(ret))
		return xa_err(ret);
	memset(page, 0, sizeof(*page));
	INIT_LIST_HEAD(&page->lru);
	page->index = index;
	if (old)
		c->nr_shadows--;
	pcl_add(c, page, pcl_admit(c, page, old));
	/*
	 * The access that missed is the page's first: filemap_read() marks
	 * the folio it has just read accessed. The next access activates it.
	 */
	if (c->kind == PCL_TWO_LIST)
		page->referenced = true;
	if (page->list == PCL_LIST_ACTIVE && c->kind == PCL_S3FIFO)
		c->stats.activations++;
	return 0;
}

/*
 * Drop the shadows too old to matter, once they outnumber twice the
 * cache: no refault farther than the cache's size activates anything.
 * The kernel trims its shadow nodes with a shrinker instead.
 */
static void pcl_prune_shadows(struct pcl_cache *c)
{
	unsigned long index;
	void *entry;

	if (c->nr_shadows <= 2 * c->capacity)
		return;
	xa_for_each(&c->pages, index, entry) {
		if (xa_is_value(entry) && pcl_distance(c, entry) > c->capacity) {
			xa_erase(&c->pages, index);
			c->nr_shadows--;
		}
	}
}

/* Take a page off the cache, leaving a shadow with @flag. */
static void pcl_evict_page(struct pcl_cache *c, struct pcl_page *page, bool flag)
{
	pcl_del(c, page);
	/* Replacing a present entry allocates nothing, so cannot fail. */
	xa_store(&c->pages, page->index, pcl_mk_shadow(c->clock, flag), GFP_NOWAIT);
	c->nr_shadows++;
	c->stats.evictions++;
	/* Every policy's clock counts evictions, so every shadow ages out. */
	c->clock++;
	pcl_prune_shadows(c);
}

static bool pcl_inactive_is_low(const struct pcl_cache *c)
{
	unsigned long gb = c->capacity >> (30 - PAGE_SHIFT);
	unsigned long ratio = gb ? int_sqrt(10 * gb) : 1;

	return c->nr[PCL_LIST_INACTIVE] * ratio < c->nr[PCL_LIST_ACTIVE];
}

static struct pcl_page *pcl_tail(struct pcl_cache *c, enum pcl_list list)
{
	if (list_empty(&c->lists[list]))
		return NULL;
	return list_last_entry(&c->lists[list], struct pcl_page, lru);
}

/*
 * Evict the tail of @list, or rotate it to the head if @evictable refuses
 * it (dirty or under I/O: reclaim puts such pages back too). Return: the
 * evicted page; NULL if the list is empty or the tail was rotated.
 */
static struct pcl_page *pcl_evict_tail(struct pcl_cache *c, enum pcl_list list,
				       pcl_evictable_fn evictable, void *arg)
{
	struct pcl_page *page = pcl_tail(c, list);

	if (!page)
		return NULL;
	if (!evictable(page, arg)) {
		pcl_move(c, page, list);
		return NULL;
	}
	pcl_evict_page(c, page, page->workingset);
	return page;
}

static struct pcl_page *pcl_evict_two_list(struct pcl_cache *c, pcl_evictable_fn evictable,
					   void *arg, unsigned long budget)
{
	struct pcl_page *page = NULL;

	while (!page && budget--) {
		/* shrink_active_list(): deactivate while inactive is low. */
		while (pcl_inactive_is_low(c) || !c->nr[PCL_LIST_INACTIVE]) {
			page = pcl_tail(c, PCL_LIST_ACTIVE);
			if (!page)
				return NULL;
			pcl_move(c, page, PCL_LIST_INACTIVE);
			c->stats.deactivations++;
		}
		page = pcl_evict_tail(c, PCL_LIST_INACTIVE, evictable, arg);
	}
	return page;
}

static struct pcl_page *pcl_evict_lru(struct pcl_cache *c, pcl_evictable_fn evictable,
				      void *arg, unsigned long budget)
{
	struct pcl_page *page = NULL;

	while (!page && budget-- && c->nr[PCL_LIST_ACTIVE])
		page = pcl_evict_tail(c, PCL_LIST_ACTIVE, evictable, arg);
	return page;
}

static struct pcl_page *pcl_evict_s3fifo(struct pcl_cache *c, pcl_evictable_fn evictable,
					 void *arg, unsigned long budget)
{
	struct pcl_page *page;
	bool from_small;

	while (budget--) {
		from_small = c->nr[PCL_LIST_INACTIVE] >= pcl_small_target(c) ||
			     !c->nr[PCL_LIST_ACTIVE];
		page = pcl_tail(c, from_small ? PCL_LIST_INACTIVE : PCL_LIST_ACTIVE);
		if (!page)
			return NULL;
		if (page->freq) {
			/*
			 * Accessed while small: on to the main FIFO, bits
			 * cleared. Accessed while main: reinserted, one less.
			 */
			page->freq = from_small ? 0 : page->freq - 1;
			c->stats.activations += from_small;
			pcl_move(c, page, PCL_LIST_ACTIVE);
			continue;
		}
		if (evictable(page, arg)) {
			pcl_evict_page(c, page, from_small);
			return page;
		}
		pcl_move(c, page, page->list);
	}
	return NULL;
}

/**
 * pcl_evict() - choose a page to give back and take it off the cache
 * @c: the cache
 * @evictable: says whether a candidate may go now (clean, not under I/O)
 * @arg: passed to @evictable
 *
 * The chosen page leaves a shadow entry at its index; the caller frees it.
 * Candidates @evictable refuses stay cached and are rotated, as reclaim
 * does with pages under write-back.
 *
 * Return: the evicted page, or NULL if none may go (every page refused,
 * or the cache is empty).
 */
struct pcl_page *pcl_evict(struct pcl_cache *c, pcl_evictable_fn evictable, void *arg)
{
	/* Each page can be looked at, moved and aged a bounded number of times. */
	unsigned long budget = (PCL_S3FIFO_FREQ_MAX + 2) * (pcl_nr_pages(c) + 1);

	switch (c->kind) {
	case PCL_TWO_LIST:
		return pcl_evict_two_list(c, evictable, arg, budget);
	case PCL_LRU:
		return pcl_evict_lru(c, evictable, arg, budget);
	case PCL_S3FIFO:
		return pcl_evict_s3fifo(c, evictable, arg, budget);
	default:
		return NULL;
	}
}

/**
 * pcl_remove() - take a page off the cache without a shadow
 * @c: the cache
 * @page: a page on it
 *
 * For invalidation (a discard, dropping clean pages on request): the data
 * is gone, so a later miss is not a refault.
 */
void pcl_remove(struct pcl_cache *c, struct pcl_page *page)
{
	pcl_del(c, page);
	xa_erase(&c->pages, page->index);
}

/**
 * pcl_find() - the first cached page in a range of indices
 * @c: the cache
 * @first: the first index to look at
 * @last: the last index to look at
 *
 * Shadow entries are skipped. A walk over a range (invalidating it,
 * dropping every clean page) calls it again from the page's index + 1.
 *
 * Return: the page at the lowest cached index in [@first, @last], or NULL.
 */
struct pcl_page *pcl_find(struct pcl_cache *c, pgoff_t first, pgoff_t last)
{
	unsigned long index = first;
	void *entry;

	for (entry = xa_find(&c->pages, &index, last, XA_PRESENT); entry;
	     entry = xa_find_after(&c->pages, &index, last, XA_PRESENT))
		if (!xa_is_value(entry))
			return entry;
	return NULL;
}

/**
 * pcl_nr_pages() - pages in the cache
 * @c: the cache
 *
 * Return: pages on all lists.
 */
unsigned long pcl_nr_pages(const struct pcl_cache *c)
{
	return c->nr[PCL_LIST_INACTIVE] + c->nr[PCL_LIST_ACTIVE];
}

/**
 * pcl_full() - whether a new page needs room made first
 * @c: the cache
 *
 * Return: true when the cache holds its capacity.
 */
bool pcl_full(const struct pcl_cache *c)
{
	return pcl_nr_pages(c) >= c->capacity;
}

/**
 * pcl_policy_name() - a policy's name, as tables and status spell it
 * @kind: the policy
 *
 * Return: its name, or "?" for none.
 */
const char *pcl_policy_name(enum pcl_policy_kind kind)
{
	return kind < PCL_NR_POLICIES ? pcl_policy_names[kind] : "?";
}

/**
 * pcl_policy_parse() - a policy by name
 * @name: "two-list", "lru" or "s3fifo"
 * @kind: set to the policy
 *
 * Return: 0, or -EINVAL for any other name.
 */
int pcl_policy_parse(const char *name, enum pcl_policy_kind *kind)
{
	int i = match_string(pcl_policy_names, PCL_NR_POLICIES, name);

	if (i < 0)
		return -EINVAL;
	*kind = i;
	return 0;
}
