// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for blk_elevator's policy (blk_elevator/policy.c, compiled
 * into this module so that its internals are reachable without exports),
 * driven with synthetic requests and a synthetic clock: sector order and
 * batches, merges, FIFO expiry, write starvation, priority classes and
 * aging, and the anticipation decisions.
 */

#include <kunit/test.h>
#include <linux/module.h>

#include "../blk_elevator/policy.c"

#define MS(n)	((u64)(n) * NSEC_PER_MSEC)

/* A new request; the caller queues it with ble_add(). */
static struct ble_rq *mkrq(struct kunit *test, sector_t pos, u32 sectors,
			   enum ble_dir dir, enum ble_prio prio,
			   struct ble_owner *owner)
{
	struct ble_rq *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->pos = pos;
	r->sectors = sectors;
	r->dir = dir;
	r->prio = prio;
	r->owner = owner;
	r->sync = dir == BLE_READ;
	return r;
}

static struct ble_rq *add(struct kunit *test, struct ble_sched *s, sector_t pos,
			  enum ble_dir dir, enum ble_prio prio, u64 now)
{
	struct ble_rq *r = mkrq(test, pos, 8, dir, prio, NULL);

	KUNIT_EXPECT_EQ(test, ble_add(s, r, now), BLE_ANTIC_NONE);
	return r;
}

static struct ble_rq *next(struct ble_sched *s, u64 now, struct ble_decision *d)
{
	ble_dispatch(s, now, d);
	return d->rq;
}

static void init(struct ble_sched *s, const struct ble_tunables *tun)
{
	ble_sched_init(s, tun);
}

/* A batch goes up in sector order from the head, whatever the arrival order. */
static void sort_order_in_a_batch(struct kunit *test)
{
	static const sector_t arrival[] = { 500, 100, 300, 200, 400 };
	struct ble_decision d;
	struct ble_sched s;
	unsigned int i;

	init(&s, &ble_deadline_defaults);
	for (i = 0; i < ARRAY_SIZE(arrival); i++)
		add(test, &s, arrival[i], BLE_READ, BLE_PRIO_BE, 0);
	for (i = 0; i < ARRAY_SIZE(arrival); i++) {
		KUNIT_ASSERT_NOT_NULL(test, next(&s, MS(1), &d));
		KUNIT_EXPECT_EQ(test, d.rq->pos, (sector_t)(i + 1) * 100);
		KUNIT_EXPECT_EQ(test, d.reason, i ? BLE_REASON_BATCH : BLE_REASON_SORTED);
	}
	KUNIT_EXPECT_NULL(test, next(&s, MS(1), &d));
	KUNIT_EXPECT_EQ(test, s.stats.batches, 1ULL);
	KUNIT_EXPECT_EQ(test, s.stats.dispatched[BLE_PRIO_BE][BLE_READ], 5ULL);
	KUNIT_EXPECT_EQ(test, s.nr_queued, 0U);
}

/* Past the highest sector, the next batch starts at the oldest request. */
static void batch_restarts_at_fifo_head(struct kunit *test)
{
	struct ble_decision d;
	struct ble_sched s;

	init(&s, &ble_deadline_defaults);
	add(test, &s, 500, BLE_READ, BLE_PRIO_BE, 0);
	KUNIT_EXPECT_EQ(test, next(&s, MS(1), &d)->pos, (sector_t)500);
	add(test, &s, 50, BLE_READ, BLE_PRIO_BE, MS(2));
	add(test, &s, 20, BLE_READ, BLE_PRIO_BE, MS(3));
	add(test, &s, 600, BLE_READ, BLE_PRIO_BE, MS(4));
	/* The batch goes on above the head... */
	KUNIT_EXPECT_EQ(test, next(&s, MS(5), &d)->pos, (sector_t)600);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_BATCH);
	/* ...then starts over from the FIFO head, not the lowest sector. */
	KUNIT_EXPECT_EQ(test, next(&s, MS(5), &d)->pos, (sector_t)50);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_FIFO);
	KUNIT_EXPECT_EQ(test, next(&s, MS(5), &d)->pos, (sector_t)20);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_FIFO);
}

/* fifo_batch bounds a batch; the FIFOs are looked at between batches. */
static void fifo_batch_bounds_batches(struct kunit *test)
{
	static const enum ble_reason want[] = {
		BLE_REASON_SORTED, BLE_REASON_BATCH, BLE_REASON_BATCH,
		BLE_REASON_SORTED, BLE_REASON_BATCH, BLE_REASON_BATCH,
		BLE_REASON_SORTED,
	};
	struct ble_tunables tun = ble_deadline_defaults;
	struct ble_decision d;
	struct ble_sched s;
	unsigned int i;

	tun.fifo_batch = 3;
	init(&s, &tun);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		add(test, &s, 100 * (i + 1), BLE_READ, BLE_PRIO_BE, 0);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_ASSERT_NOT_NULL(test, next(&s, MS(1), &d));
		KUNIT_EXPECT_EQ_MSG(test, d.reason, want[i], "dispatch %u", i);
		KUNIT_EXPECT_EQ(test, d.rq->pos, (sector_t)100 * (i + 1));
	}
	KUNIT_EXPECT_EQ(test, s.stats.batches, 3ULL);
}

/* An expired request is served before the sorted one, and says how late. */
static void fifo_expiry(struct kunit *test)
{
	struct ble_tunables tun = ble_deadline_defaults;
	struct ble_decision d;
	struct ble_sched s;

	tun.fifo_batch = 1;
	init(&s, &tun);
	add(test, &s, 5000, BLE_READ, BLE_PRIO_BE, 0);
	KUNIT_EXPECT_EQ(test, next(&s, MS(1), &d)->pos, (sector_t)5000);
	add(test, &s, 100, BLE_READ, BLE_PRIO_BE, MS(10));
	add(test, &s, 6000, BLE_READ, BLE_PRIO_BE, MS(20));
	add(test, &s, 7000, BLE_READ, BLE_PRIO_BE, MS(40));
	/* Nothing expired: the head goes on upwards. */
	KUNIT_EXPECT_EQ(test, next(&s, MS(30), &d)->pos, (sector_t)6000);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_SORTED);
	/* 100 expired at 510 ms. */
	KUNIT_EXPECT_EQ(test, next(&s, MS(600), &d)->pos, (sector_t)100);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_EXPIRED);
	KUNIT_EXPECT_EQ(test, d.late_ns, MS(90));
	KUNIT_EXPECT_EQ(test, s.stats.reasons[BLE_REASON_EXPIRED], 1ULL);
	/* Writes expire after write_expire, 5 s. */
	add(test, &s, 9000, BLE_WRITE, BLE_PRIO_BE, MS(1000));
	KUNIT_EXPECT_EQ(test, next(&s, MS(1001), &d)->pos, (sector_t)7000);
	KUNIT_EXPECT_EQ(test, next(&s, MS(5999), &d)->pos, (sector_t)9000);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_SORTED);
	KUNIT_EXPECT_EQ(test, d.late_ns, 0ULL);
}

/* Reads win, but only writes_starved times in a row while writes wait. */
static void write_starvation(struct kunit *test)
{
	struct ble_tunables tun = ble_deadline_defaults;
	struct ble_decision d;
	struct ble_sched s;
	char got[10] = {};
	unsigned int i;

	tun.fifo_batch = 1;
	tun.writes_starved = 2;
	init(&s, &tun);
	for (i = 0; i < 6; i++)
		add(test, &s, 1000 + 10 * i, BLE_READ, BLE_PRIO_BE, 0);
	for (i = 0; i < 3; i++)
		add(test, &s, 5000 + 10 * i, BLE_WRITE, BLE_PRIO_BE, 0);
	for (i = 0; i < 9; i++)
		got[i] = next(&s, MS(1), &d)->dir == BLE_WRITE ? 'W' : 'R';
	KUNIT_EXPECT_STREQ(test, got, "RRWRRWRRW");
	/* The last write went because no read was left, not by starvation. */
	KUNIT_EXPECT_EQ(test, s.stats.starved_writes, 2ULL);

	/* writes_starved 0: queued writes always go first. */
	tun.writes_starved = 0;
	init(&s, &tun);
	for (i = 0; i < 2; i++) {
		add(test, &s, 100 + i, BLE_READ, BLE_PRIO_BE, 0);
		add(test, &s, 900 + i, BLE_WRITE, BLE_PRIO_BE, 0);
	}
	for (i = 0; i < 4; i++)
		got[i] = next(&s, MS(1), &d)->dir == BLE_WRITE ? 'W' : 'R';
	got[4] = '\0';
	KUNIT_EXPECT_STREQ(test, got, "WWRR");
}

/* The highest class with requests is served first. */
static void priority_classes(struct kunit *test)
{
	struct ble_decision d;
	struct ble_sched s;

	init(&s, &ble_deadline_defaults);
	add(test, &s, 100, BLE_READ, BLE_PRIO_IDLE, 0);
	add(test, &s, 200, BLE_READ, BLE_PRIO_BE, MS(1));
	add(test, &s, 300, BLE_WRITE, BLE_PRIO_RT, MS(2));
	KUNIT_EXPECT_EQ(test, next(&s, MS(3), &d)->prio, BLE_PRIO_RT);
	KUNIT_EXPECT_EQ(test, next(&s, MS(3), &d)->prio, BLE_PRIO_BE);
	KUNIT_EXPECT_EQ(test, next(&s, MS(3), &d)->prio, BLE_PRIO_IDLE);
	KUNIT_EXPECT_EQ(test, s.stats.dispatched[BLE_PRIO_RT][BLE_WRITE], 1ULL);
	KUNIT_EXPECT_EQ(test, s.stats.inserted[BLE_PRIO_IDLE][BLE_READ], 1ULL);
}

/* A lower class waiting longer than prio_aging_expire goes ahead. */
static void priority_aging(struct kunit *test)
{
	struct ble_decision d;
	struct ble_sched s;
	struct ble_rq *idle;
	u64 t;

	init(&s, &ble_deadline_defaults);
	idle = add(test, &s, 100, BLE_READ, BLE_PRIO_IDLE, 0);
	add(test, &s, 200, BLE_READ, BLE_PRIO_BE, MS(5));
	for (t = MS(1000); t < MS(10000); t += MS(1000)) {
		add(test, &s, 1000 + t / MS(1), BLE_READ, BLE_PRIO_RT, t);
		KUNIT_EXPECT_EQ(test, next(&s, t, &d)->prio, BLE_PRIO_RT);
	}
	add(test, &s, 99999, BLE_READ, BLE_PRIO_RT, MS(10000));
	/* 10 s after it came, the idle request is served before RT and BE. */
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(10000), &d), idle);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_AGED);
	KUNIT_EXPECT_EQ(test, next(&s, MS(10001), &d)->prio, BLE_PRIO_RT);
	/* The BE request aged too (10 s + 5 ms) once RT waits again. */
	add(test, &s, 5, BLE_READ, BLE_PRIO_RT, MS(10004));
	KUNIT_EXPECT_EQ(test, next(&s, MS(10004), &d)->prio, BLE_PRIO_RT);
	add(test, &s, 6, BLE_READ, BLE_PRIO_RT, MS(10005));
	KUNIT_EXPECT_EQ(test, next(&s, MS(10005), &d)->pos, (sector_t)200);
	KUNIT_EXPECT_EQ(test, d.reason, BLE_REASON_AGED);
	KUNIT_EXPECT_EQ(test, s.stats.reasons[BLE_REASON_AGED], 2ULL);
}

/* Front merges are found by end sector and re-sort the request. */
static void front_and_back_merges(struct kunit *test)
{
	struct ble_tunables tun = ble_deadline_defaults;
	struct ble_decision d;
	struct ble_rq *r, *other;
	struct ble_sched s;

	init(&s, &tun);
	r = add(test, &s, 100, BLE_WRITE, BLE_PRIO_BE, 0);
	other = add(test, &s, 95, BLE_WRITE, BLE_PRIO_BE, 0);
	KUNIT_EXPECT_PTR_EQ(test, ble_find_front_merge(&s, BLE_PRIO_BE, BLE_WRITE, 100), r);
	KUNIT_EXPECT_NULL(test, ble_find_front_merge(&s, BLE_PRIO_BE, BLE_WRITE, 99));
	KUNIT_EXPECT_NULL(test, ble_find_front_merge(&s, BLE_PRIO_BE, BLE_READ, 100));
	KUNIT_EXPECT_NULL(test, ble_find_front_merge(&s, BLE_PRIO_RT, BLE_WRITE, 100));
	/* A bio of sectors 90..99 goes in front: r now starts before other. */
	ble_front_merged(&s, r, 90, 18);
	KUNIT_EXPECT_PTR_EQ(test, ble_sorted_neighbour(r, true), other);
	KUNIT_EXPECT_NULL(test, ble_sorted_neighbour(r, false));
	ble_back_merged(&s, r, 26);
	KUNIT_EXPECT_EQ(test, r->sectors, 26U);
	KUNIT_EXPECT_EQ(test, s.stats.merged_front, 1ULL);
	KUNIT_EXPECT_EQ(test, s.stats.merged_back, 1ULL);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(1), &d), r);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(1), &d), other);

	tun.front_merges = 0;
	init(&s, &tun);
	add(test, &s, 100, BLE_WRITE, BLE_PRIO_BE, 0);
	KUNIT_EXPECT_NULL(test, ble_find_front_merge(&s, BLE_PRIO_BE, BLE_WRITE, 100));
}

/* A merged request keeps the earlier deadline and its FIFO place. */
static void merged_requests_keep_earlier_deadline(struct kunit *test)
{
	struct ble_rq *from, *middle, *into;
	struct ble_sched s;

	init(&s, &ble_deadline_defaults);
	from = add(test, &s, 108, BLE_READ, BLE_PRIO_BE, 0);
	middle = add(test, &s, 5000, BLE_READ, BLE_PRIO_BE, MS(50));
	into = add(test, &s, 100, BLE_READ, BLE_PRIO_BE, MS(100));
	ble_merge_requests(&s, into, from, 16);
	KUNIT_EXPECT_EQ(test, into->deadline_ns, MS(500));
	KUNIT_EXPECT_EQ(test, into->sectors, 16U);
	KUNIT_EXPECT_PTR_EQ(test, ble_fifo_first(&s.prio[BLE_PRIO_BE], BLE_READ), into);
	KUNIT_EXPECT_PTR_EQ(test, list_next_entry(into, fifo_node), middle);
	KUNIT_EXPECT_EQ(test, s.nr_queued, 2U);
	KUNIT_EXPECT_EQ(test, s.stats.merged_requests, 1ULL);
	/* A request merged while being sorted in was never queued. */
	ble_merge_requests(&s, into, NULL, 24);
	KUNIT_EXPECT_EQ(test, s.nr_queued, 2U);
	KUNIT_EXPECT_EQ(test, into->sectors, 24U);
}

/*
 * A sequential reader: its read goes out, the queue is held while it is in
 * flight and after it completes, and its next read ends the wait.
 */
static void anticipation_hit(struct kunit *test)
{
	struct ble_owner reader, other;
	struct ble_decision d;
	struct ble_sched s;
	struct ble_rq *r;

	init(&s, &ble_anticipatory_defaults);
	ble_owner_init(&reader, 1);
	ble_owner_init(&other, 2);
	r = mkrq(test, 0, 8, BLE_READ, BLE_PRIO_BE, &reader);
	KUNIT_EXPECT_EQ(test, ble_add(&s, r, 0), BLE_ANTIC_NONE);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, 0, &d), r);
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_START);
	KUNIT_EXPECT_EQ(test, s.antic, BLE_ANTIC_WAIT_REQ);

	/* A far read waits. */
	r = mkrq(test, 100000, 8, BLE_READ, BLE_PRIO_BE, NULL);
	KUNIT_EXPECT_EQ(test, ble_add(&s, r, MS(1)), BLE_ANTIC_NONE);
	KUNIT_EXPECT_NULL(test, next(&s, MS(1), &d));

	KUNIT_EXPECT_EQ(test, ble_completed(&s, &other, MS(2)), BLE_ANTIC_NONE);
	KUNIT_EXPECT_EQ(test, ble_completed(&s, &reader, MS(2)), BLE_ANTIC_ARMED);
	KUNIT_EXPECT_EQ(test, s.antic_deadline_ns, MS(8));
	KUNIT_EXPECT_NULL(test, next(&s, MS(3), &d));

	/* The reader's next read, 1 ms later: a hit, served first. */
	r = mkrq(test, 8, 8, BLE_READ, BLE_PRIO_BE, &reader);
	KUNIT_EXPECT_EQ(test, ble_add(&s, r, MS(3)), BLE_ANTIC_HIT);
	KUNIT_EXPECT_EQ(test, reader.think_samples, 1U);
	KUNIT_EXPECT_EQ(test, reader.think_mean_ns, MS(1));
	KUNIT_EXPECT_EQ(test, reader.seek_samples, 1U);
	KUNIT_EXPECT_EQ(test, reader.seek_mean, 0ULL);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(3), &d), r);
	/* ... and the queue is held for it again. */
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_START);
	KUNIT_EXPECT_EQ(test, s.stats.antic_started, 2ULL);
	KUNIT_EXPECT_EQ(test, s.stats.antic_hit, 1ULL);
}

/* No next read within antic_expire: the wait times out. */
static void anticipation_timeout(struct kunit *test)
{
	struct ble_owner reader;
	struct ble_decision d;
	struct ble_sched s;
	struct ble_rq *r, *far;

	init(&s, &ble_anticipatory_defaults);
	ble_owner_init(&reader, 1);
	r = mkrq(test, 0, 8, BLE_READ, BLE_PRIO_BE, &reader);
	ble_add(&s, r, 0);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, 0, &d), r);
	far = mkrq(test, 100000, 8, BLE_READ, BLE_PRIO_BE, NULL);
	ble_add(&s, far, MS(1));
	KUNIT_EXPECT_EQ(test, ble_completed(&s, &reader, MS(2)), BLE_ANTIC_ARMED);
	KUNIT_EXPECT_EQ(test, ble_antic_timer(&s, MS(7)), BLE_ANTIC_NONE);
	KUNIT_EXPECT_EQ(test, ble_antic_timer(&s, MS(8)), BLE_ANTIC_TIMEOUT);
	KUNIT_EXPECT_EQ(test, s.antic, BLE_ANTIC_OFF);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(8), &d), far);
	KUNIT_EXPECT_EQ(test, s.stats.antic_timeout, 1ULL);

	/* The dispatcher notices a passed deadline too, if it runs first. */
	ble_owner_init(&reader, 1);
	r = mkrq(test, 8, 8, BLE_READ, BLE_PRIO_BE, &reader);
	ble_add(&s, r, MS(20));
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(20), &d), r);
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_START);
	far = mkrq(test, 200000, 8, BLE_READ, BLE_PRIO_BE, NULL);
	ble_add(&s, far, MS(21));
	ble_completed(&s, &reader, MS(21));
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(30), &d), far);
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_TIMEOUT);
	KUNIT_EXPECT_EQ(test, s.stats.antic_timeout, 2ULL);
}

/* A request near where the reader stopped, or an expired one, breaks the wait. */
static void anticipation_broken(struct kunit *test)
{
	struct ble_owner reader;
	struct ble_decision d;
	struct ble_sched s;
	struct ble_rq *r, *near, *far;

	init(&s, &ble_anticipatory_defaults);
	ble_owner_init(&reader, 1);
	reader.seek_mean = 64;
	reader.seek_samples = 4;
	r = mkrq(test, 1000, 8, BLE_READ, BLE_PRIO_BE, &reader);
	ble_add(&s, r, 0);
	/* The seek sample from last_end (none yet) is not taken. */
	KUNIT_EXPECT_EQ(test, reader.seek_mean, 64ULL);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, 0, &d), r);
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_START);
	far = mkrq(test, 900000, 8, BLE_READ, BLE_PRIO_BE, NULL);
	KUNIT_EXPECT_EQ(test, ble_add(&s, far, MS(1)), BLE_ANTIC_NONE);
	near = mkrq(test, 1008 + 40, 8, BLE_READ, BLE_PRIO_BE, NULL);
	KUNIT_EXPECT_EQ(test, ble_add(&s, near, MS(1)), BLE_ANTIC_BROKEN);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(1), &d), near);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(1), &d), far);

	/* An expired FIFO entry breaks a wait at the next dispatch. */
	r = mkrq(test, 2000, 8, BLE_READ, BLE_PRIO_BE, &reader);
	ble_add(&s, r, MS(2));
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(2), &d), r);
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_START);
	far = mkrq(test, 800000, 8, BLE_WRITE, BLE_PRIO_BE, NULL);
	ble_add(&s, far, MS(2));
	KUNIT_EXPECT_NULL(test, next(&s, MS(100), &d));
	/* antic_deadline while in flight is read_expire (500 ms); the write expires at 5 s. */
	s.antic_deadline_ns = MS(10000);
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(5002), &d), far);
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_BROKEN);
	KUNIT_EXPECT_EQ(test, s.stats.antic_broken, 2ULL);
}

/* Whether waiting can pay: think time and seek distance decide. */
static void anticipation_worth(struct kunit *test)
{
	struct ble_owner o;
	struct ble_sched s;

	init(&s, &ble_anticipatory_defaults);
	ble_owner_init(&o, 1);
	/* Unknown processes get the benefit of the doubt. */
	KUNIT_EXPECT_TRUE(test, ble_antic_worth(&s, &o, 0));

	/* Thinks longer than antic_expire (6 ms): not worth it. */
	o.think_samples = 8;
	o.think_mean_ns = MS(7);
	KUNIT_EXPECT_FALSE(test, ble_antic_worth(&s, &o, 0));
	o.think_mean_ns = MS(1);
	KUNIT_EXPECT_TRUE(test, ble_antic_worth(&s, &o, 0));

	/* Seeks farther than the alternative: not worth it. */
	o.seek_samples = 8;
	o.seek_mean = 1000000;
	KUNIT_EXPECT_TRUE(test, ble_antic_worth(&s, &o, 0));	/* nothing else queued */
	add(test, &s, 5000, BLE_WRITE, BLE_PRIO_BE, 0);
	KUNIT_EXPECT_FALSE(test, ble_antic_worth(&s, &o, 0));
	o.seek_mean = 4000;
	KUNIT_EXPECT_TRUE(test, ble_antic_worth(&s, &o, 0));
	/* The nearest alternative may lie below the head. */
	KUNIT_EXPECT_FALSE(test, ble_antic_worth(&s, &o, 6000));

	/* antic_expire 0 is the deadline elevator: never. */
	init(&s, &ble_deadline_defaults);
	o.seek_mean = 0;
	KUNIT_EXPECT_FALSE(test, ble_antic_worth(&s, &o, 0));
}

/* No wait when the owner already has a request queued, or for writes. */
static void anticipation_not_needed(struct kunit *test)
{
	struct ble_owner reader;
	struct ble_decision d;
	struct ble_sched s;
	struct ble_rq *r;

	init(&s, &ble_anticipatory_defaults);
	ble_owner_init(&reader, 1);
	ble_add(&s, mkrq(test, 0, 8, BLE_READ, BLE_PRIO_BE, &reader), 0);
	ble_add(&s, mkrq(test, 8, 8, BLE_READ, BLE_PRIO_BE, &reader), 0);
	KUNIT_EXPECT_NOT_NULL(test, next(&s, 0, &d));
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_NONE);
	KUNIT_EXPECT_NOT_NULL(test, next(&s, 0, &d));
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_START);
	ble_completed(&s, &reader, MS(1));
	KUNIT_EXPECT_EQ(test, ble_antic_timer(&s, MS(7)), BLE_ANTIC_TIMEOUT);

	r = mkrq(test, 64, 8, BLE_WRITE, BLE_PRIO_BE, &reader);
	r->sync = true;
	ble_add(&s, r, MS(10));
	KUNIT_EXPECT_PTR_EQ(test, next(&s, MS(10), &d), r);
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_NONE);
	KUNIT_EXPECT_EQ(test, s.stats.antic_started, 1ULL);

	/* The deadline elevator never holds the queue. */
	init(&s, &ble_deadline_defaults);
	ble_add(&s, mkrq(test, 0, 8, BLE_READ, BLE_PRIO_BE, &reader), MS(20));
	KUNIT_EXPECT_NOT_NULL(test, next(&s, MS(20), &d));
	KUNIT_EXPECT_EQ(test, d.antic, BLE_ANTIC_NONE);
	KUNIT_EXPECT_EQ(test, s.antic, BLE_ANTIC_OFF);
}

/* Think time counts from a completion only when nothing else was queued. */
static void owner_statistics(struct kunit *test)
{
	struct ble_owner o;
	struct ble_sched s;

	init(&s, &ble_anticipatory_defaults);
	ble_owner_init(&o, 1);
	ble_add(&s, mkrq(test, 1000, 8, BLE_READ, BLE_PRIO_BE, &o), 0);
	KUNIT_EXPECT_EQ(test, o.seek_samples, 0U);
	KUNIT_EXPECT_EQ(test, o.think_samples, 0U);
	ble_add(&s, mkrq(test, 1000 + 8 + 800, 8, BLE_READ, BLE_PRIO_BE, &o), 0);
	KUNIT_EXPECT_EQ(test, o.seek_mean, 800ULL);
	/* Completion with another request still queued: no think sample. */
	ble_completed(&s, &o, MS(1));
	ble_add(&s, mkrq(test, 0, 8, BLE_READ, BLE_PRIO_BE, &o), MS(2));
	KUNIT_EXPECT_EQ(test, o.think_samples, 0U);
	/* Means move by an eighth of the difference. */
	KUNIT_EXPECT_EQ(test, o.seek_samples, 2U);
	KUNIT_EXPECT_EQ(test, o.seek_mean, (7 * 800ULL + 1816) / 8);
	KUNIT_EXPECT_EQ(test, o.nr_queued, 3U);
}

static struct kunit_case deadline_cases[] = {
	KUNIT_CASE(sort_order_in_a_batch),
	KUNIT_CASE(batch_restarts_at_fifo_head),
	KUNIT_CASE(fifo_batch_bounds_batches),
	KUNIT_CASE(fifo_expiry),
	KUNIT_CASE(write_starvation),
	KUNIT_CASE(priority_classes),
	KUNIT_CASE(priority_aging),
	KUNIT_CASE(front_and_back_merges),
	KUNIT_CASE(merged_requests_keep_earlier_deadline),
	{}
};

static struct kunit_suite deadline_suite = {
	.name = "blk_elevator_deadline",
	.test_cases = deadline_cases,
};

static struct kunit_case anticipation_cases[] = {
	KUNIT_CASE(anticipation_hit),
	KUNIT_CASE(anticipation_timeout),
	KUNIT_CASE(anticipation_broken),
	KUNIT_CASE(anticipation_worth),
	KUNIT_CASE(anticipation_not_needed),
	KUNIT_CASE(owner_statistics),
	{}
};

static struct kunit_suite anticipation_suite = {
	.name = "blk_elevator_anticipation",
	.test_cases = anticipation_cases,
};

kunit_test_suites(&deadline_suite, &anticipation_suite);

MODULE_DESCRIPTION("KUnit tests for blk_elevator's policy");
MODULE_LICENSE("GPL");
