// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for pagecache_lab's cores, compiled into this module so
 * that their internals need no exports. pagecache_lab_policy
 * (pagecache_lab/policy.c): list movements, balancing, refault distance,
 * refused evictions, and the three policies on small synthetic traces (a
 * hot set and a one-time scan, a loop larger than the cache).
 * pagecache_lab_dirty (pagecache_lab/dirty.c): the write-back tunables,
 * the dirty thresholds and when the flusher must write.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../pagecache_lab/dirty.c"
#include "../pagecache_lab/policy.c"

static bool always(struct pcl_page *page, void *arg)
{
	return true;
}

/* Refuses the page at *arg's index: a dirty page. */
static bool not_this_one(struct pcl_page *page, void *arg)
{
	return page->index != *(pgoff_t *)arg;
}

static bool never(struct pcl_page *page, void *arg)
{
	return false;
}

/*
 * One access as the target makes it: a hit is marked accessed; a miss
 * makes room and inserts a new page. Return: whether it hit.
 */
static bool access(struct kunit *test, struct pcl_cache *c, pgoff_t index)
{
	struct pcl_page *page = pcl_lookup(c, index);

	if (page) {
		pcl_mark_accessed(c, page);
		return true;
	}
	if (pcl_full(c)) {
		page = pcl_evict(c, always, NULL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		kfree(page);
	}
	page = kzalloc(sizeof(*page), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, pcl_insert(c, page, index, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, pcl_lookup(c, index), page);
	return false;
}

/* Free what is cached and the index. */
static void teardown(struct pcl_cache *c)
{
	struct pcl_page *page;

	while ((page = pcl_evict(c, always, NULL)))
		kfree(page);
	pcl_cache_destroy(c);
}

static void init(struct kunit *test, struct pcl_cache *c, enum pcl_policy_kind kind,
		 unsigned long capacity)
{
	KUNIT_ASSERT_EQ(test, pcl_cache_init(c, kind, capacity), 0);
}

/*
 * A new page is inactive and referenced: the miss was its first access.
 * The second activates it.
 */
static void two_list_promotion(struct kunit *test)
{
	struct pcl_cache c;
	struct pcl_page *page;

	init(test, &c, PCL_TWO_LIST, 8);
	KUNIT_EXPECT_FALSE(test, access(test, &c, 5));
	page = pcl_lookup(&c, 5);
	KUNIT_EXPECT_EQ(test, page->list, PCL_LIST_INACTIVE);
	KUNIT_EXPECT_TRUE(test, page->referenced);
	KUNIT_EXPECT_FALSE(test, page->workingset);
	KUNIT_EXPECT_TRUE(test, access(test, &c, 5));
	KUNIT_EXPECT_EQ(test, page->list, PCL_LIST_ACTIVE);
	KUNIT_EXPECT_FALSE(test, page->referenced);
	KUNIT_EXPECT_TRUE(test, page->workingset);
	KUNIT_EXPECT_EQ(test, c.stats.activations, 1ULL);
	/* A third and fourth access keep it active, nothing more counted. */
	access(test, &c, 5);
	access(test, &c, 5);
	KUNIT_EXPECT_EQ(test, page->list, PCL_LIST_ACTIVE);
	KUNIT_EXPECT_EQ(test, c.stats.activations, 1ULL);
	teardown(&c);
}

/*
 * Reclaim deactivates from the active tail until inactive >= active (ratio
 * 1 below 1 GiB), then evicts the inactive tail: the oldest active pages
 * are the ones demoted.
 */
static void two_list_balancing(struct kunit *test)
{
	struct pcl_cache c;
	struct pcl_page *page;
	pgoff_t i;

	init(test, &c, PCL_TWO_LIST, 8);
	for (i = 0; i < 8; i++) {
		access(test, &c, i);
		access(test, &c, i);
		access(test, &c, i);
	}
	KUNIT_EXPECT_EQ(test, c.nr[PCL_LIST_ACTIVE], 8UL);
	KUNIT_EXPECT_EQ(test, c.nr[PCL_LIST_INACTIVE], 0UL);
	page = pcl_evict(&c, always, NULL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	/* 0..3 demoted (4 active, 4 inactive), then 0 evicted. */
	KUNIT_EXPECT_EQ(test, page->index, 0UL);
	KUNIT_EXPECT_EQ(test, c.stats.deactivations, 4ULL);
	KUNIT_EXPECT_EQ(test, c.nr[PCL_LIST_ACTIVE], 4UL);
	KUNIT_EXPECT_EQ(test, c.nr[PCL_LIST_INACTIVE], 3UL);
	KUNIT_EXPECT_EQ(test, pcl_lookup(&c, 4)->list, PCL_LIST_ACTIVE);
	KUNIT_EXPECT_EQ(test, pcl_lookup(&c, 3)->list, PCL_LIST_INACTIVE);
	KUNIT_EXPECT_NULL(test, pcl_lookup(&c, 0));
	KUNIT_EXPECT_EQ(test, c.nr_shadows, 1UL);
	kfree(page);
	teardown(&c);
}

/*
 * A refault within the active list's size enters the active list at once;
 * one farther away enters the inactive list. The distance is the
 * evictions and activations since the page's eviction.
 */
static void two_list_refault_distance(struct kunit *test)
{
	struct pcl_cache c;
	pgoff_t i;

	init(test, &c, PCL_TWO_LIST, 8);
	/* Four active pages 0..3, four inactive 4..7. */
	for (i = 0; i < 4; i++) {
		access(test, &c, i);
		access(test, &c, i);
		access(test, &c, i);
	}
	for (i = 4; i < 8; i++)
		access(test, &c, i);
	/* 8 evicts 4 (distance 0 from here), 9 evicts 5. */
	access(test, &c, 8);
	access(test, &c, 9);
	KUNIT_EXPECT_EQ(test, c.stats.evictions, 2ULL);
	/*
	 * 4 comes back: distance 3 (5, and 6 to make room for it, were
	 * evicted since) <= 4 active.
	 */
	access(test, &c, 4);
	KUNIT_EXPECT_EQ(test, c.stats.refaults, 1ULL);
	KUNIT_EXPECT_EQ(test, c.stats.refault_activations, 1ULL);
	KUNIT_EXPECT_EQ(test, pcl_lookup(&c, 4)->list, PCL_LIST_ACTIVE);
	KUNIT_EXPECT_TRUE(test, pcl_lookup(&c, 4)->workingset);
	teardown(&c);

	/* Same, but with no active list: any distance is too far. */
	init(test, &c, PCL_TWO_LIST, 4);
	for (i = 0; i < 6; i++)
		access(test, &c, i);
	access(test, &c, 0);
	KUNIT_EXPECT_EQ(test, c.stats.refaults, 1ULL);
	KUNIT_EXPECT_EQ(test, c.stats.refault_activations, 0ULL);
	KUNIT_EXPECT_EQ(test, pcl_lookup(&c, 0)->list, PCL_LIST_INACTIVE);
	teardown(&c);
}

/* A refused page (dirty) stays cached and the next candidate goes. */
static void refused_pages_stay(struct kunit *test)
{
	static const enum pcl_policy_kind kinds[] = { PCL_TWO_LIST, PCL_LRU, PCL_S3FIFO };
	struct pcl_cache c;
	struct pcl_page *page;
	pgoff_t dirty = 0, i;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		init(test, &c, kinds[k], 4);
		for (i = 0; i < 4; i++)
			access(test, &c, i);
		page = pcl_evict(&c, not_this_one, &dirty);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_NE(test, page->index, dirty);
		KUNIT_EXPECT_NOT_NULL(test, pcl_lookup(&c, dirty));
		kfree(page);
		KUNIT_EXPECT_NULL(test, pcl_evict(&c, never, NULL));
		KUNIT_EXPECT_EQ(test, pcl_nr_pages(&c), 3UL);
		teardown(&c);
		KUNIT_EXPECT_EQ(test, pcl_nr_pages(&c), 0UL);
	}
}

/* Plain LRU evicts the least recently used page. */
static void lru_order(struct kunit *test)
{
	struct pcl_cache c;
	pgoff_t i;

	init(test, &c, PCL_LRU, 4);
	for (i = 0; i < 4; i++)
		access(test, &c, i);
	access(test, &c, 0);		/* 1 is now the oldest */
	access(test, &c, 4);
	KUNIT_EXPECT_NULL(test, pcl_lookup(&c, 1));
	KUNIT_EXPECT_NOT_NULL(test, pcl_lookup(&c, 0));
	teardown(&c);
}

/*
 * S3-FIFO: new pages enter the small FIFO; one accessed there moves to the
 * main FIFO when it reaches the tail; one not accessed goes to the ghost,
 * and coming back from it enters main.
 */
static void s3fifo_queues(struct kunit *test)
{
	struct pcl_cache c;
	pgoff_t i;

	init(test, &c, PCL_S3FIFO, 10);	/* small FIFO target: 1 page */
	for (i = 0; i < 10; i++)
		access(test, &c, i);
	KUNIT_EXPECT_EQ(test, c.nr[PCL_LIST_INACTIVE], 10UL);
	access(test, &c, 0);		/* 0 accessed while small */
	access(test, &c, 10);		/* evicts: 0 to main, then 1 to the ghost */
	KUNIT_EXPECT_EQ(test, pcl_lookup(&c, 0)->list, PCL_LIST_ACTIVE);
	KUNIT_EXPECT_EQ(test, pcl_lookup(&c, 0)->freq, 0);
	KUNIT_EXPECT_NULL(test, pcl_lookup(&c, 1));
	access(test, &c, 1);		/* back from the ghost: into main */
	KUNIT_EXPECT_EQ(test, pcl_lookup(&c, 1)->list, PCL_LIST_ACTIVE);
	KUNIT_EXPECT_EQ(test, c.stats.refault_activations, 1ULL);
	teardown(&c);
}

/* Hits over a trace, after a warm-up pass that is not counted. */
static unsigned long run_trace(struct kunit *test, enum pcl_policy_kind kind,
			       unsigned long capacity, const pgoff_t *trace, size_t len,
			       size_t warmup)
{
	struct pcl_cache c;
	unsigned long hits = 0;
	size_t i;

	init(test, &c, kind, capacity);
	for (i = 0; i < len; i++)
		if (access(test, &c, trace[i]) && i >= warmup)
			hits++;
	teardown(&c);
	return hits;
}

/*
 * A hot set of 24 pages read ten times, then a one-time scan of 200, then
 * the hot set again, in a 64-page cache: the scan flushes LRU's hot set;
 * two-list keeps it on the active list (which may hold half the cache)
 * and S3-FIFO in its main FIFO.
 */
static void scan_resistance(struct kunit *test)
{
	enum { HOT = 24, ROUNDS = 10, SCAN = 200, CACHE = 64 };
	unsigned long lru, two_list, s3fifo;
	size_t len = 0, warmup, i, r;
	pgoff_t *trace;

	trace = kunit_kcalloc(test, HOT * ROUNDS + SCAN + HOT, sizeof(*trace), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, trace);
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < HOT; i++)
			trace[len++] = i;
	for (i = 0; i < SCAN; i++)
		trace[len++] = 1000 + i;
	warmup = len;
	for (i = 0; i < HOT; i++)
		trace[len++] = i;

	lru = run_trace(test, PCL_LRU, CACHE, trace, len, warmup);
	two_list = run_trace(test, PCL_TWO_LIST, CACHE, trace, len, warmup);
	s3fifo = run_trace(test, PCL_S3FIFO, CACHE, trace, len, warmup);
	kunit_info(test, "hot set after a scan: lru %lu, two-list %lu, s3fifo %lu of %d\n",
		   lru, two_list, s3fifo, HOT);
	KUNIT_EXPECT_EQ(test, lru, 0UL);
	KUNIT_EXPECT_EQ(test, two_list, (unsigned long)HOT);
	KUNIT_EXPECT_EQ(test, s3fifo, (unsigned long)HOT);
}

/*
 * A loop over 80 pages in a 64-page cache, eight times: LRU always evicts
 * the page needed next and never hits; so does two-list, whose pages are
 * never accessed twice while cached, so its active list stays empty and
 * no refault is near enough to activate. S3-FIFO's ghost sends returning
 * pages to its main FIFO, which keeps some of them.
 */
static void loop_larger_than_cache(struct kunit *test)
{
	enum { LOOP = 80, ROUNDS = 8, CACHE = 64 };
	unsigned long lru, two_list, s3fifo;
	size_t len = 0, i, r;
	pgoff_t *trace;

	trace = kunit_kcalloc(test, LOOP * ROUNDS, sizeof(*trace), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, trace);
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < LOOP; i++)
			trace[len++] = i;
	lru = run_trace(test, PCL_LRU, CACHE, trace, len, LOOP);
	two_list = run_trace(test, PCL_TWO_LIST, CACHE, trace, len, LOOP);
	s3fifo = run_trace(test, PCL_S3FIFO, CACHE, trace, len, LOOP);
	kunit_info(test, "loop of %d in %d: lru %lu, two-list %lu, s3fifo %lu of %zu\n",
		   LOOP, CACHE, lru, two_list, s3fifo, len - LOOP);
	KUNIT_EXPECT_EQ(test, lru, 0UL);
	KUNIT_EXPECT_EQ(test, two_list, 0UL);
	KUNIT_EXPECT_GT(test, s3fifo, 0UL);
}

/* Shadows are pruned, under every policy: never more than twice the cache plus one. */
static void shadows_bounded(struct kunit *test)
{
	enum pcl_policy_kind kind;
	struct pcl_cache c;
	pgoff_t i;

	for (kind = 0; kind < PCL_NR_POLICIES; kind++) {
		init(test, &c, kind, 16);
		for (i = 0; i < 1000; i++) {
			access(test, &c, i);
			KUNIT_ASSERT_LE(test, c.nr_shadows, 2 * 16UL + 1);
		}
		KUNIT_EXPECT_EQ(test, c.stats.evictions, 1000ULL - 16);
		teardown(&c);
	}
}

static void bad_input(struct kunit *test)
{
	enum pcl_policy_kind kind;
	struct pcl_cache c;
	struct pcl_page page;

	KUNIT_EXPECT_EQ(test, pcl_cache_init(&c, PCL_NR_POLICIES, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcl_cache_init(&c, PCL_LRU, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcl_policy_parse("s3fifo", &kind), 0);
	KUNIT_EXPECT_EQ(test, kind, PCL_S3FIFO);
	KUNIT_EXPECT_EQ(test, pcl_policy_parse("two-list", &kind), 0);
	KUNIT_EXPECT_EQ(test, kind, PCL_TWO_LIST);
	KUNIT_EXPECT_EQ(test, pcl_policy_parse("arc", &kind), -EINVAL);
	KUNIT_EXPECT_STREQ(test, pcl_policy_name(PCL_LRU), "lru");

	init(test, &c, PCL_LRU, 4);
	access(test, &c, 3);
	KUNIT_EXPECT_EQ(test, pcl_insert(&c, &page, 3, GFP_KERNEL), -EEXIST);
	KUNIT_EXPECT_EQ(test, pcl_nr_pages(&c), 1UL);
	teardown(&c);
}

static struct kunit_case pagecache_lab_policy_cases[] = {
	KUNIT_CASE(two_list_promotion),
	KUNIT_CASE(two_list_balancing),
	KUNIT_CASE(two_list_refault_distance),
	KUNIT_CASE(refused_pages_stay),
	KUNIT_CASE(lru_order),
	KUNIT_CASE(s3fifo_queues),
	KUNIT_CASE(scan_resistance),
	KUNIT_CASE(loop_larger_than_cache),
	KUNIT_CASE(shadows_bounded),
	KUNIT_CASE(bad_input),
	{}
};

static struct kunit_suite pagecache_lab_policy_suite = {
	.name = "pagecache_lab_policy",
	.test_cases = pagecache_lab_policy_cases,
};

/* The kernel's defaults, and the thresholds they give a 256-page cache. */
static void dirty_defaults(struct kunit *test)
{
	struct pcl_dirty_thresh th;
	struct pcl_tunables t;

	pcl_tunables_init(&t);
	KUNIT_EXPECT_EQ(test, t.val[PCL_DIRTY_EXPIRE_MS], 30000U);
	KUNIT_EXPECT_EQ(test, t.val[PCL_DIRTY_WRITEBACK_MS], 5000U);
	KUNIT_EXPECT_EQ(test, t.val[PCL_DIRTY_BACKGROUND_RATIO], 10U);
	KUNIT_EXPECT_EQ(test, t.val[PCL_DIRTY_RATIO], 20U);
	KUNIT_EXPECT_EQ(test, t.val[PCL_LAPTOP_MODE], 0U);
	pcl_dirty_thresh(&t, 256, &th);
	KUNIT_EXPECT_EQ(test, th.background, 25UL);
	KUNIT_EXPECT_EQ(test, th.hard, 51UL);
}

/* A background threshold at or above the hard one is halved; hard >= 1. */
static void dirty_thresholds(struct kunit *test)
{
	struct pcl_dirty_thresh th;
	struct pcl_tunables t;

	pcl_tunables_init(&t);
	KUNIT_ASSERT_EQ(test, pcl_tunable_set(&t, "dirty_background_ratio", "30"), 0);
	pcl_dirty_thresh(&t, 1000, &th);
	KUNIT_EXPECT_EQ(test, th.hard, 200UL);
	KUNIT_EXPECT_EQ(test, th.background, 100UL);
	KUNIT_ASSERT_EQ(test, pcl_tunable_set(&t, "dirty_ratio", "1"), 0);
	pcl_dirty_thresh(&t, 2, &th);
	KUNIT_EXPECT_EQ(test, th.hard, 1UL);
	KUNIT_EXPECT_EQ(test, th.background, 0UL);
}

/* Bad names and values are refused and change nothing. */
static void dirty_tunables_validated(struct kunit *test)
{
	static const char *const bad[][2] = {
		{ "dirty_ratio", "0" }, { "dirty_ratio", "101" }, { "dirty_ratio", "" },
		{ "dirty_background_ratio", "-1" }, { "dirty_expire_ms", "3600001" },
		{ "dirty_writeback_ms", "5s" }, { "laptop_mode", "3601" },
		{ "laptop_mode", "1.5" }, { "vm.dirty_ratio", "10" },
	};
	struct pcl_tunables t, before;
	size_t i;

	pcl_tunables_init(&t);
	before = t;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, pcl_tunable_set(&t, bad[i][0], bad[i][1]), -EINVAL,
				    "%s %s", bad[i][0], bad[i][1]);
	KUNIT_EXPECT_EQ(test, memcmp(&t, &before, sizeof(t)), 0);
	KUNIT_EXPECT_EQ(test, pcl_tunable_set(&t, "laptop_mode", "3600"), 0);
	KUNIT_EXPECT_EQ(test, t.val[PCL_LAPTOP_MODE], 3600U);
	KUNIT_EXPECT_EQ(test, pcl_tunable_set(&t, "dirty_expire_ms", "0"), 0);
	KUNIT_EXPECT_STREQ(test, pcl_tunable_name(PCL_DIRTY_RATIO), "dirty_ratio");
}

/* When the flusher must write the oldest page. */
static void dirty_writeback_due(struct kunit *test)
{
	unsigned long now = 100000, expire;
	struct pcl_dirty_thresh th;
	struct pcl_tunables t;

	pcl_tunables_init(&t);
	pcl_dirty_thresh(&t, 256, &th);
	expire = msecs_to_jiffies(30000);
	KUNIT_EXPECT_FALSE(test, pcl_writeback_due(&t, &th, 0, true, now - expire, now));
	KUNIT_EXPECT_FALSE(test, pcl_writeback_due(&t, &th, 25, false, now - expire + 1, now));
	KUNIT_EXPECT_TRUE(test, pcl_writeback_due(&t, &th, 25, false, now - expire, now));
	KUNIT_EXPECT_TRUE(test, pcl_writeback_due(&t, &th, 26, false, now, now));
	KUNIT_EXPECT_TRUE(test, pcl_writeback_due(&t, &th, 1, true, now, now));
	/* Laptop mode: no background write-back; waiting writers and expiry still. */
	KUNIT_ASSERT_EQ(test, pcl_tunable_set(&t, "laptop_mode", "5"), 0);
	KUNIT_EXPECT_FALSE(test, pcl_writeback_due(&t, &th, 50, false, now, now));
	KUNIT_EXPECT_TRUE(test, pcl_writeback_due(&t, &th, 50, true, now, now));
	KUNIT_EXPECT_TRUE(test, pcl_writeback_due(&t, &th, 50, false, now - expire, now));
	/* jiffies wrap */
	KUNIT_EXPECT_TRUE(test, pcl_writeback_due(&t, &th, 1, false, ULONG_MAX - expire + 10, 10));
}

static struct kunit_case pagecache_lab_dirty_cases[] = {
	KUNIT_CASE(dirty_defaults),
	KUNIT_CASE(dirty_thresholds),
	KUNIT_CASE(dirty_tunables_validated),
	KUNIT_CASE(dirty_writeback_due),
	{}
};

static struct kunit_suite pagecache_lab_dirty_suite = {
	.name = "pagecache_lab_dirty",
	.test_cases = pagecache_lab_dirty_cases,
};

kunit_test_suites(&pagecache_lab_policy_suite, &pagecache_lab_dirty_suite);

MODULE_DESCRIPTION("KUnit tests for pagecache_lab's replacement policies and write-back rules");
MODULE_LICENSE("GPL");
