/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagecache_lab's replacement policies: which cached page to keep and which
 * to give back. No device-mapper, bio or debugfs code here: the target
 * drives it, and so does KUnit with synthetic traces.
 */
#ifndef PAGECACHE_LAB_POLICY_H
#define PAGECACHE_LAB_POLICY_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/xarray.h>

/**
 * enum pcl_policy_kind - the replacement policy of one cache
 * @PCL_TWO_LIST: the kernel's: inactive and active lists, promotion on a
 *	second access, refault detection with shadow entries (mm/workingset.c)
 * @PCL_LRU: one list, most recently used first, no shadows acted on
 * @PCL_S3FIFO: S3-FIFO (Yang et al., SOSP 2023): a small FIFO (10 %) that
 *	filters one-time accesses, a main FIFO with reinsertion on a 2-bit
 *	frequency, and a ghost FIFO of keys evicted from the small one
 * @PCL_NR_POLICIES: how many there are
 */
enum pcl_policy_kind {
	PCL_TWO_LIST,
	PCL_LRU,
	PCL_S3FIFO,
	PCL_NR_POLICIES,
};

/* The lists a page can be on. LRU uses PCL_LIST_ACTIVE only. */
enum pcl_list {
	PCL_LIST_INACTIVE,	/* two-list: inactive; S3-FIFO: small FIFO */
	PCL_LIST_ACTIVE,	/* two-list: active; LRU: its list; S3-FIFO: main FIFO */
	PCL_NR_LISTS,
};

/**
 * struct pcl_page - a cached page as the policy sees it, embedded in the
 * target's page descriptor
 * @lru: position on its list; the head is the most recently added
 * @index: page index in the cached device
 * @list: which list the page is on
 * @referenced: two-list: accessed once since it entered its list
 * @freq: S3-FIFO: accesses since insertion or reinsertion, capped at 3
 * @workingset: two-list: activated, or refaulted within the working set
 */
struct pcl_page {
	struct list_head lru;
	pgoff_t index;
	u8 list;
	u8 freq;
	bool referenced;
	bool workingset;
};

/**
 * struct pcl_stats - what the policy did, since the cache was set up
 * @activations: pages moved to the active (main) list
 * @deactivations: pages moved from the active list to the inactive one
 * @evictions: pages given back
 * @refaults: misses on a page evicted earlier whose shadow was still there
 * @refault_activations: refaults within the working set, activated at once
 */
struct pcl_stats {
	u64 activations;
	u64 deactivations;
	u64 evictions;
	u64 refaults;
	u64 refault_activations;
};

/**
 * struct pcl_cache - one cache's policy state
 * @kind: the policy
 * @capacity: pages the cache may hold
 * @pages: page index to &struct pcl_page, or to a shadow entry (an
 *	xa_mk_value() of the eviction clock) for a page evicted earlier
 * @lists: the lists, by &enum pcl_list
 * @nr: pages on each list
 * @nr_shadows: shadow entries in @pages
 * @clock: advanced by each eviction; for two-list, the nonresident age,
 *	advanced by each activation too (workingset_age_nonresident())
 * @stats: counters
 *
 * The caller serialises every call on one cache.
 */
struct pcl_cache {
	enum pcl_policy_kind kind;
	unsigned long capacity;
	struct xarray pages;
	struct list_head lists[PCL_NR_LISTS];
	unsigned long nr[PCL_NR_LISTS];
	unsigned long nr_shadows;
	unsigned long clock;
	struct pcl_stats stats;
};

/**
 * typedef pcl_evictable_fn - may this page be evicted now?
 * @page: the candidate.
 * @arg: the target's argument, as given to the policy.
 *
 * The target says no for dirty pages and pages under I/O; the policy then
 * leaves them where they are and tries the next candidate.
 */
typedef bool (*pcl_evictable_fn)(struct pcl_page *page, void *arg);

int pcl_cache_init(struct pcl_cache *c, enum pcl_policy_kind kind, unsigned long capacity);
void pcl_cache_destroy(struct pcl_cache *c);
struct pcl_page *pcl_lookup(struct pcl_cache *c, pgoff_t index);
void pcl_mark_accessed(struct pcl_cache *c, struct pcl_page *page);
int pcl_insert(struct pcl_cache *c, struct pcl_page *page, pgoff_t index, gfp_t gfp);
struct pcl_page *pcl_evict(struct pcl_cache *c, pcl_evictable_fn evictable, void *arg);
void pcl_remove(struct pcl_cache *c, struct pcl_page *page);
struct pcl_page *pcl_find(struct pcl_cache *c, pgoff_t first, pgoff_t last);
unsigned long pcl_nr_pages(const struct pcl_cache *c);
bool pcl_full(const struct pcl_cache *c);
const char *pcl_policy_name(enum pcl_policy_kind kind);
int pcl_policy_parse(const char *name, enum pcl_policy_kind *kind);

#endif /* PAGECACHE_LAB_POLICY_H */
