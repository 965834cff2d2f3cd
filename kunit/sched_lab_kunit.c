// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for sched_lab's pure parts (sched_lab/hist.c, model.c and
 * lab.c, compiled into this module so that they need no exports):
 * histogram bucketing, the weight table and delta arithmetic against the
 * running kernel's, CFS, 6.12's and 7.3's EEVDF placement, lag and picks,
 * and the event core
 * on synthetic event streams.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <uapi/linux/sched/types.h>

#include "../sched_lab/hist.c"
#include "../sched_lab/model.c"
#include "../sched_lab/lab.c"

static unsigned int stress_ms = 2000;
module_param(stress_ms, uint, 0444);
MODULE_PARM_DESC(stress_ms, "duration of each stress case in milliseconds (default 2000)");

static void hist_bucketing(struct kunit *test)
{
	static const u64 values[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 1000,
				      1023, 1024, 1025, 999999, 1ULL << 40,
				      (1ULL << 63) - 1, 1ULL << 63, U64_MAX };
	unsigned int i;

	for (i = 0; i < SL_HIST_SUB; i++)
		KUNIT_EXPECT_EQ(test, sl_hist_index(i), i);
	KUNIT_EXPECT_EQ(test, sl_hist_index(16), 16U);
	KUNIT_EXPECT_EQ(test, sl_hist_index(17), 16U);
	KUNIT_EXPECT_EQ(test, sl_hist_index(18), 17U);
	KUNIT_EXPECT_EQ(test, sl_hist_index(U64_MAX), SL_HIST_BUCKETS - 1);
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		unsigned int index = sl_hist_index(values[i]);

		KUNIT_EXPECT_LT(test, index, SL_HIST_BUCKETS);
		KUNIT_EXPECT_LE(test, sl_hist_lower(index), values[i]);
		if (index + 1 < SL_HIST_BUCKETS)
			KUNIT_EXPECT_LT(test, values[i], sl_hist_lower(index + 1));
	}
	/* Buckets tile the range: each starts where the previous ends. */
	for (i = 1; i < SL_HIST_BUCKETS; i++)
		KUNIT_EXPECT_EQ(test, sl_hist_index(sl_hist_lower(i)), i);
	/* Within an octave, a bucket is an eighth of it: 12.5 % resolution. */
	KUNIT_EXPECT_EQ(test, sl_hist_lower(sl_hist_index(1 << 20) + 1) - (1 << 20),
			(u64)(1 << 20) / SL_HIST_SUB);
}

static void hist_percentiles(struct kunit *test)
{
	struct sl_hist *hist = kunit_kzalloc(test, sizeof(*hist), GFP_KERNEL);
	struct sl_hist *sum = kunit_kzalloc(test, sizeof(*sum), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, hist);
	KUNIT_ASSERT_NOT_NULL(test, sum);
	KUNIT_EXPECT_EQ(test, sl_hist_percentile(hist, 500), 0ULL);
	for (i = 1; i <= 100; i++)
		sl_hist_record(hist, i * 1000);
	KUNIT_EXPECT_EQ(test, hist->samples, 100ULL);
	KUNIT_EXPECT_EQ(test, hist->sum_ns, 5050000ULL);
	KUNIT_EXPECT_EQ(test, hist->max_ns, 100000ULL);
	/* The 50th sample is 50000; its bucket is [49152, 53247]. */
	KUNIT_EXPECT_EQ(test, sl_hist_percentile(hist, 500), 53247ULL);
	/* The 100th: its bucket goes past the largest sample, which caps it. */
	KUNIT_EXPECT_EQ(test, sl_hist_percentile(hist, 1000), 100000ULL);
	sl_hist_add(sum, hist);
	sl_hist_add(sum, hist);
	KUNIT_EXPECT_EQ(test, sum->samples, 200ULL);
	KUNIT_EXPECT_EQ(test, sum->count[sl_hist_index(1000)], 2ULL);
	KUNIT_EXPECT_EQ(test, sum->max_ns, 100000ULL);
}

/*
 * A task's weight as the fair class uses it: scale_load_down() of the
 * private kernel/sched/sched.h, which on 64-bit kernels shifts out
 * SCHED_FIXEDPOINT_SHIFT bits of extra resolution.
 */
static unsigned long kernel_weight(const struct task_struct *p)
{
	return p->se.load.weight >> (IS_ENABLED(CONFIG_64BIT) ? SCHED_FIXEDPOINT_SHIFT : 0);
}

static int idle_thread(void *unused)
{
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

/* The model's weights are the running kernel's, nice by nice and for SCHED_IDLE. */
static void weights_match_kernel(struct kunit *test)
{
	struct sched_attr idle = { .size = sizeof(idle), .sched_policy = SCHED_IDLE };
	struct task_struct *p;
	int nice;

	p = kthread_run(idle_thread, NULL, "sl_kunit_nice");
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	get_task_struct(p);
	for (nice = MIN_NICE; nice <= MAX_NICE; nice++) {
		set_user_nice(p, nice);
		KUNIT_EXPECT_EQ_MSG(test, kernel_weight(p),
				    sl_nice_weight(nice, false), "nice %d", nice);
		/* The inverse table is 2^32 / weight, to within rounding. */
		KUNIT_EXPECT_LE_MSG(test,
				    abs((s64)sl_prio_to_wmult[nice + 20] -
					(s64)div_u64(1ULL << 32, sl_prio_to_weight[nice + 20])),
				    1LL, "nice %d", nice);
	}
	KUNIT_EXPECT_EQ(test, sched_setattr_nocheck(p, &idle), 0);
	KUNIT_EXPECT_EQ(test, kernel_weight(p),
			sl_nice_weight(0, true));
	kthread_stop(p);
	put_task_struct(p);
	/* Out-of-range nice levels are clamped. */
	KUNIT_EXPECT_EQ(test, sl_nice_weight(-40, false), 88761UL);
	KUNIT_EXPECT_EQ(test, sl_nice_weight(40, false), 15UL);
}

static void delta_fair(struct kunit *test)
{
	static const u64 deltas[] = { 1, 1000, 4000000, 1ULL << 40 };
	struct sl_tunables tun, flat;
	unsigned int i;
	int nice;

	sl_tunables_init(&tun, SL_MODEL_EEVDF, 1);
	sl_tunables_init(&flat, SL_MODEL_EEVDF_FLAT, 1);
	for (i = 0; i < ARRAY_SIZE(deltas); i++) {
		KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&tun, deltas[i], 1024), deltas[i]);
		KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&flat, deltas[i], SL_NICE_0_LOAD),
				deltas[i]);
		for (nice = MIN_NICE; nice <= MAX_NICE; nice++) {
			unsigned long w = sl_nice_weight(nice, false);
			u64 exact = div64_u64(deltas[i] * 1024, w);
			u64 got = sl_calc_delta_fair(&tun, deltas[i], w);

			if (deltas[i] >= (1ULL << 40))
				exact = div64_u64(deltas[i], w) * 1024;
			/* Multiplication by the inverse: within 0.01 % + 1 ns. */
			KUNIT_EXPECT_LE_MSG(test, abs((s64)(got - exact)),
					    (s64)div_u64(exact, 10000) + 1,
					    "delta %llu nice %d", deltas[i], nice);
		}
	}
	/* nice 5 runs 1024/335 times faster in virtual time. */
	KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&tun, 335000, 335), 1024000ULL);
	/*
	 * 6.12's inverse weight rounds: 2.8 ms at nice 5, 100 ms at
	 * SCHED_IDLE; 7.3 divides exactly, at full resolution.
	 */
	KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&tun, 2800000, 335), 8558806ULL);
	KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&flat, 2800000, 335 << 10), 8558805ULL);
	KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&tun, 100000000, 3), 34133333325ULL);
	KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&flat, 100000000, 3 << 10), 34133333333ULL);
	/* A grouped task's weight is any value: 1.5 times nice 0's. */
	KUNIT_EXPECT_EQ(test, sl_calc_delta_fair(&flat, 3000000, 3 << 19), 2000000ULL);
}

static void tunables_scale(struct kunit *test)
{
	static const struct { unsigned int cpus, factor; } cases[] = {
		{ 1, 1 }, { 2, 2 }, { 3, 2 }, { 4, 3 }, { 7, 3 }, { 8, 4 }, { 64, 4 },
	};
	struct sl_tunables tun;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sl_tunables_init(&tun, SL_MODEL_CFS, cases[i].cpus);
		KUNIT_EXPECT_EQ(test, tun.latency_ns, cases[i].factor * 6000000ULL);
		KUNIT_EXPECT_EQ(test, tun.min_gran_ns, cases[i].factor * 750000ULL);
		KUNIT_EXPECT_EQ(test, tun.wakeup_gran_ns, cases[i].factor * 1000000ULL);
		KUNIT_EXPECT_EQ(test, tun.base_slice_ns, cases[i].factor * 700000ULL);
	}
}

/* A model run queue with the one-CPU tunables. */
static struct sl_rq *new_rq(struct kunit *test, enum sl_model_kind kind)
{
	struct sl_tunables *tun = kunit_kzalloc(test, sizeof(*tun), GFP_KERNEL);
	struct sl_rq *rq = kunit_kzalloc(test, sizeof(*rq), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tun);
	KUNIT_ASSERT_NOT_NULL(test, rq);
	sl_tunables_init(tun, kind, 1);
	sl_rq_init(rq, tun);
	return rq;
}

static void cfs_placement(struct kunit *test)
{
	struct sl_rq *rq = new_rq(test, SL_MODEL_CFS);
	struct sl_entity a, b, c, d;

	sl_entity_init(&a, 1024, false);
	sl_enqueue(rq, &a, SL_ENQUEUE_MIGRATED);
	sl_set_curr(rq, &a);
	sl_sync(rq, &a, 100000000, 0);
	KUNIT_EXPECT_EQ(test, rq->min_vruntime, 100000000ULL);
	/* A long sleeper is placed half a latency (3 ms) behind min_vruntime. */
	sl_entity_init(&b, 1024, false);
	b.vruntime = 10;
	sl_enqueue(rq, &b, SL_ENQUEUE_WAKEUP);
	KUNIT_EXPECT_EQ(test, b.vruntime, 100000000ULL - 3000000);
	/* A short sleeper keeps its vruntime. */
	sl_entity_init(&c, 1024, false);
	c.vruntime = 99000000;
	sl_enqueue(rq, &c, SL_ENQUEUE_WAKEUP);
	KUNIT_EXPECT_EQ(test, c.vruntime, 99000000ULL);
	/*
	 * A new task starts a vslice ahead (START_DEBIT): 4 queued + itself
	 * share the 6 ms period, 6 ms / 5 at nice 0.
	 */
	sl_entity_init(&d, 1024, false);
	KUNIT_EXPECT_EQ(test, sl_sched_vslice(rq, &d), 6000000ULL / 4);
	sl_enqueue(rq, &d, SL_ENQUEUE_NEW);
	KUNIT_EXPECT_EQ(test, d.vruntime, 100000000ULL + 6000000 / 4);
	KUNIT_EXPECT_EQ(test, rq->nr_running, 4U);
	/* A migrating entity keeps its vruntime relative to min_vruntime. */
	sl_dequeue(rq, &c, false);
	KUNIT_EXPECT_TRUE(test, c.relative);
	KUNIT_EXPECT_EQ(test, (s64)c.vruntime, -1000000LL);
}

static void cfs_picks(struct kunit *test)
{
	struct sl_rq *rq = new_rq(test, SL_MODEL_CFS);
	struct sl_entity a, b;
	u64 ran_a = 0, ran_b = 0;
	int i;

	sl_entity_init(&a, 1024, false);
	sl_entity_init(&b, 335, false);
	sl_enqueue(rq, &a, SL_ENQUEUE_NEW);
	sl_enqueue(rq, &b, SL_ENQUEUE_NEW);
	/* Run whichever the model picks for 1 ms, 3000 times: CPU time goes by weight. */
	for (i = 0; i < 3000; i++) {
		struct sl_entity *next = sl_pick(rq);

		KUNIT_ASSERT_NOT_NULL(test, next);
		sl_put_curr(rq);
		sl_set_curr(rq, next);
		sl_update_curr(rq, 1000000);
		if (next == &a)
			ran_a += 1000000;
		else
			ran_b += 1000000;
	}
	/* 1024:335 of 3 s is 2260.5 ms : 739.5 ms; within a 1 ms tick. */
	KUNIT_EXPECT_LE(test, abs((s64)ran_a - 2260500000LL), 1000000LL);
	KUNIT_EXPECT_LE(test, abs((s64)ran_b - 739500000LL), 1000000LL);
	/* min_vruntime never goes back. */
	KUNIT_EXPECT_GE(test, rq->min_vruntime, min(a.vruntime, b.vruntime));
}

static void eevdf_eligibility_and_pick(struct kunit *test)
{
	struct sl_rq *rq = new_rq(test, SL_MODEL_EEVDF);
	struct sl_entity a, b, c;

	sl_entity_init(&a, 1024, false);
	sl_entity_init(&b, 1024, false);
	sl_entity_init(&c, 2048, false);
	/* The first entity is placed at V (the zero point) with a full vslice. */
	sl_enqueue(rq, &a, SL_ENQUEUE_WAKEUP);
	KUNIT_EXPECT_EQ(test, a.deadline - a.vruntime, 700000ULL);
	/* A new one gets half a slice (PLACE_DEADLINE_INITIAL). */
	sl_enqueue(rq, &b, SL_ENQUEUE_NEW);
	KUNIT_EXPECT_EQ(test, b.deadline - b.vruntime, 350000ULL);
	/* b has the earlier deadline and both are eligible: b. */
	KUNIT_EXPECT_PTR_EQ(test, sl_pick(rq), &b);
	sl_set_curr(rq, &b);
	sl_update_curr(rq, 700000);
	/* b ran past its deadline: a new one, and no more slice protection. */
	KUNIT_EXPECT_EQ(test, b.deadline - b.vruntime, 700000ULL - 350000 + 350000);
	KUNIT_EXPECT_FALSE(test, b.protected);
	/* V is the weighted mean: b is 0.7 ms ahead of a, V is halfway. */
	KUNIT_EXPECT_EQ(test, sl_avg_vruntime(rq), a.vruntime + 350000);
	KUNIT_EXPECT_FALSE(test, sl_eligible(rq, &b));
	KUNIT_EXPECT_TRUE(test, sl_eligible(rq, &a));
	KUNIT_EXPECT_PTR_EQ(test, sl_pick(rq), &a);
	/* Lag survives a sleep, inflated by (W + w) / W on the way back in. */
	sl_put_curr(rq);
	sl_dequeue(rq, &a, true);
	KUNIT_EXPECT_EQ(test, a.vlag, 350000LL);
	sl_enqueue(rq, &c, SL_ENQUEUE_WAKEUP);
	sl_enqueue(rq, &a, SL_ENQUEUE_WAKEUP);
	/* W was 1024 + 2048 before a came back: lag 350000 * 4096 / 3072. */
	KUNIT_EXPECT_EQ(test, (s64)(sl_avg_vruntime(rq) - a.vruntime) > 0, true);
	KUNIT_EXPECT_EQ(test, rq->nr_running, 3U);
}

static void delayed_dequeue(struct kunit *test, enum sl_model_kind kind)
{
	struct sl_rq *rq = new_rq(test, kind);
	unsigned long w = rq->tun->nice_0_weight;
	struct sl_entity a, b;

	sl_entity_init(&a, w, false);
	sl_entity_init(&b, w, false);
	sl_enqueue(rq, &a, SL_ENQUEUE_WAKEUP);
	sl_enqueue(rq, &b, SL_ENQUEUE_WAKEUP);
	KUNIT_EXPECT_PTR_EQ(test, sl_pick(rq), &a);
	sl_set_curr(rq, &a);
	sl_update_curr(rq, 2000000);
	/* a ran ahead of V and sleeps: not eligible, so it stays queued. */
	sl_dequeue(rq, &a, true);
	KUNIT_EXPECT_TRUE(test, a.delayed);
	KUNIT_EXPECT_TRUE(test, a.on_rq);
	KUNIT_EXPECT_EQ(test, rq->nr_running, 2U);
	sl_put_curr(rq);
	/* b is picked; a is not (not eligible), and stays delayed. */
	KUNIT_EXPECT_PTR_EQ(test, sl_pick(rq), &b);
	sl_set_curr(rq, &b);
	sl_update_curr(rq, 6000000);
	sl_dequeue(rq, &b, true);
	sl_put_curr(rq);
	/* Now a is picked, found delayed, and dequeued for good: nothing left. */
	KUNIT_EXPECT_NULL(test, sl_pick(rq));
	KUNIT_EXPECT_FALSE(test, a.on_rq);
	KUNIT_EXPECT_LE(test, a.vlag, 0LL);
	KUNIT_EXPECT_EQ(test, rq->nr_running, b.on_rq ? 1U : 0U);
}

static void eevdf_delayed_dequeue(struct kunit *test)
{
	delayed_dequeue(test, SL_MODEL_EEVDF);
}

static void flat_delayed_dequeue(struct kunit *test)
{
	delayed_dequeue(test, SL_MODEL_EEVDF_FLAT);
}

/* V - vruntime: the entity's lag as it stands. */
static s64 lag_of(const struct sl_rq *rq, const struct sl_entity *se)
{
	return (s64)(sl_avg_vruntime(rq) - se->vruntime);
}

static void flat_lag_limit(struct kunit *test)
{
	struct sl_rq *rq = new_rq(test, SL_MODEL_EEVDF_FLAT);
	struct sl_rq *rq612 = new_rq(test, SL_MODEL_EEVDF);
	struct sl_entity a, b, a612, b612;

	sl_entity_init(&a, SL_NICE_0_LOAD, false);
	sl_entity_init(&b, SL_NICE_0_LOAD, false);
	sl_entity_init(&a612, SL_NICE_0_WEIGHT, false);
	sl_entity_init(&b612, SL_NICE_0_WEIGHT, false);
	sl_enqueue(rq, &a, SL_ENQUEUE_WAKEUP);
	sl_enqueue(rq, &b, SL_ENQUEUE_WAKEUP);
	sl_enqueue(rq612, &a612, SL_ENQUEUE_WAKEUP);
	sl_enqueue(rq612, &b612, SL_ENQUEUE_WAKEUP);
	/* b runs 100 ms while a waits: a is owed 50 ms, far past any limit. */
	sl_set_curr(rq, &b);
	sl_update_curr(rq, 100000000);
	sl_set_curr(rq612, &b612);
	sl_update_curr(rq612, 100000000);
	sl_dequeue(rq, &a, true);
	sl_dequeue(rq612, &a612, true);
	/* 7.3 keeps the largest slice plus a tick; 6.12 two slices, at least a tick. */
	KUNIT_EXPECT_EQ(test, a.vlag, (s64)(700000 + TICK_NSEC));
	KUNIT_EXPECT_EQ(test, a612.vlag, (s64)max_t(u64, 1400000, TICK_NSEC));
}

static void flat_delayed_lag(struct kunit *test)
{
	struct sl_rq *rq = new_rq(test, SL_MODEL_EEVDF_FLAT);
	struct sl_entity a, b, c;

	sl_entity_init(&a, SL_NICE_0_LOAD, false);
	sl_entity_init(&b, SL_NICE_0_LOAD, false);
	sl_entity_init(&c, SL_NICE_0_LOAD, false);
	sl_enqueue(rq, &a, SL_ENQUEUE_WAKEUP);
	sl_enqueue(rq, &b, SL_ENQUEUE_WAKEUP);
	sl_set_curr(rq, &a);
	sl_update_curr(rq, 2000000);
	/* a, 1 ms ahead of V, sleeps: delayed, its lag saved at the sleep. */
	sl_dequeue(rq, &a, true);
	sl_put_curr(rq);
	KUNIT_EXPECT_TRUE(test, a.delayed);
	KUNIT_EXPECT_EQ(test, a.vlag, -1000000LL);
	/*
	 * c joins with 2 ms of positive lag, which pulls V back: a's lag
	 * would now be -2 ms.
	 */
	c.vlag = 2000000;
	sl_enqueue(rq, &c, SL_ENQUEUE_WAKEUP);
	KUNIT_EXPECT_EQ(test, lag_of(rq, &c), 2000000LL);
	KUNIT_EXPECT_EQ(test, lag_of(rq, &a), -2000000LL);
	/*
	 * a wakes: its lag may not have grown more negative while it was
	 * delayed, so it is placed afresh from the -1 ms saved (6.12 would
	 * leave it at -2 ms).
	 */
	sl_enqueue(rq, &a, SL_ENQUEUE_WAKEUP);
	KUNIT_EXPECT_FALSE(test, a.delayed);
	KUNIT_EXPECT_EQ(test, a.vlag, -1000000LL);
	KUNIT_EXPECT_EQ(test, lag_of(rq, &a), -1000000LL);
	KUNIT_EXPECT_EQ(test, rq->nr_running, 3U);
}

static void flat_reweight_keeps_lag(struct kunit *test)
{
	struct sl_rq *rq = new_rq(test, SL_MODEL_EEVDF_FLAT);
	struct sl_entity a, b;
	u64 avg;
	s64 dl;

	sl_entity_init(&a, SL_NICE_0_LOAD, false);
	sl_entity_init(&b, SL_NICE_0_LOAD, false);
	sl_enqueue(rq, &a, SL_ENQUEUE_WAKEUP);
	sl_enqueue(rq, &b, SL_ENQUEUE_WAKEUP);
	sl_set_curr(rq, &b);
	sl_update_curr(rq, 2000000);
	/* a is owed 1 ms; its group's share doubles its weight. */
	avg = sl_avg_vruntime(rq);
	dl = (s64)(a.deadline - avg);
	KUNIT_EXPECT_EQ(test, lag_of(rq, &a), 1000000LL);
	sl_reweight(rq->tun, rq, &a, 2 * SL_NICE_0_LOAD);
	/* Its lag in real time is kept (half in virtual time); V does not move. */
	KUNIT_EXPECT_EQ(test, sl_avg_vruntime(rq), avg);
	KUNIT_EXPECT_EQ(test, lag_of(rq, &a), 500000LL);
	KUNIT_EXPECT_EQ(test, (s64)(a.deadline - avg), dl / 2);
	KUNIT_EXPECT_EQ(test, rq->load, 3 * SL_NICE_0_LOAD);
	/* Not queued: only the saved lag scales, back at the old weight. */
	sl_dequeue(rq, &a, true);
	KUNIT_EXPECT_EQ(test, a.vlag, 500000LL);
	sl_reweight(rq->tun, NULL, &a, SL_NICE_0_LOAD);
	KUNIT_EXPECT_EQ(test, a.vlag, 1000000LL);
	KUNIT_EXPECT_EQ(test, rq->load, SL_NICE_0_LOAD);
}

static struct sl_lab *new_lab(struct kunit *test, unsigned int slots,
			      enum sl_model_kind kind)
{
	struct sl_lab *lab = kunit_kzalloc(test, sizeof(*lab), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, lab);
	KUNIT_ASSERT_EQ(test, sl_lab_init(lab, slots, kind, 1), 0);
	return lab;
}

/*
 * A task's id, as main.c's is its task_struct's address: even and not 0.
 * info() gives each PID one id, so that a PID that returns below stands
 * for a new task at a dead one's address; @gen tells apart tasks of one
 * PID where the kernel's ids differ (a PID reused while its task dies, or
 * exchanged at exec).
 */
static unsigned long task_id(pid_t pid, unsigned int gen)
{
	return ((unsigned long)pid << 8 | gen) << 1;
}

static struct sl_task_info info(pid_t pid, int nice, u64 vruntime)
{
	return (struct sl_task_info){ .id = task_id(pid, 0), .pid = pid, .tgid = pid, .comm = "t",
				      .nice = nice, .fair = true,
				      .vruntime = vruntime };
}

/* The slot of the task info() makes for @pid. */
static struct sl_task *find(struct sl_lab *lab, pid_t pid)
{
	struct sl_task_info p = info(pid, 0, 0);

	return sl_lab_find(lab, &p);
}

static void lab_latency_and_counts(struct kunit *test)
{
	struct sl_lab *lab = new_lab(test, 64, SL_MODEL_CFS);
	struct sl_task_info a = info(100, 0, 1000), b = info(200, 0, 2000);
	struct sl_switch_result res;
	struct sl_task *ta, *tb;

	/* a woken at 1000, runs at 1500: a 500 ns wake-up latency. */
	sl_lab_wakeup(lab, 0, &a, false, false, 1000);
	sl_lab_switch(lab, 0, NULL, false, false, false, &a, 1500, &res);
	KUNIT_EXPECT_TRUE(test, res.waited);
	KUNIT_EXPECT_EQ(test, res.wait, SL_WAIT_WAKEUP);
	KUNIT_EXPECT_EQ(test, res.wait_ns, 500ULL);
	/* b woken at 2000; a preempted at 3500 for b, back at 4000. */
	sl_lab_wakeup(lab, 0, &b, false, false, 2000);
	sl_lab_switch(lab, 0, &a, true, false, false, &b, 3500, &res);
	KUNIT_EXPECT_EQ(test, res.wait_ns, 1500ULL);
	sl_lab_switch(lab, 0, &b, false, true, false, &a, 4000, &res);
	KUNIT_EXPECT_EQ(test, res.wait, SL_WAIT_PREEMPTED);
	KUNIT_EXPECT_EQ(test, res.wait_ns, 500ULL);
	ta = find(lab, 100);
	tb = find(lab, 200);
	KUNIT_ASSERT_NOT_NULL(test, ta);
	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_EXPECT_EQ(test, ta->stats.runtime_ns, 2000ULL);
	KUNIT_EXPECT_EQ(test, ta->stats.involuntary, 1ULL);
	KUNIT_EXPECT_EQ(test, tb->stats.voluntary, 1ULL);
	KUNIT_EXPECT_EQ(test, ta->stats.waits, 2ULL);
	KUNIT_EXPECT_EQ(test, ta->stats.wait_max_ns, 500ULL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->lat[SL_WAIT_WAKEUP].samples, 2ULL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->lat[SL_WAIT_PREEMPTED].samples, 1ULL);
	/* A self wake-up (still running) queues nothing. */
	sl_lab_wakeup(lab, 0, &a, true, false, 4100);
	KUNIT_EXPECT_EQ(test, ta->queued_at, 0ULL);
	/* With a filter, b's samples are left out, a's kept. */
	lab->filter_pid = 100;
	sl_lab_wakeup(lab, 0, &b, false, false, 4200);
	sl_lab_switch(lab, 0, &a, true, false, false, &b, 4300, &res);
	sl_lab_switch(lab, 0, &b, false, true, false, &a, 4600, &res);
	KUNIT_EXPECT_EQ(test, tb->stats.waits, 1ULL);
	KUNIT_EXPECT_EQ(test, ta->stats.waits, 3ULL);
	sl_lab_destroy(lab);
}

static void lab_model_verdicts(struct kunit *test)
{
	struct sl_lab *lab = new_lab(test, 64, SL_MODEL_CFS);
	struct sl_task_info a = info(100, 0, 10000000), b = info(200, 0, 20000000);
	struct sl_task_info rt = info(300, 0, 0);
	struct sl_switch_result res;
	struct sl_cpu *c = per_cpu_ptr(lab->cpu, 0);

	rt.fair = false;
	/* Unknown to the model until now: "unseen". */
	sl_lab_switch(lab, 0, NULL, false, false, false, &a, 1000, &res);
	KUNIT_EXPECT_FALSE(test, res.matched);
	KUNIT_EXPECT_EQ(test, res.miss, SL_MISS_UNSEEN);
	/* b wakes; a sleeps: the model picks b, as the kernel does. */
	sl_lab_wakeup(lab, 0, &b, false, false, 2000);
	sl_lab_switch(lab, 0, &a, false, true, false, &b, 3000, &res);
	KUNIT_EXPECT_TRUE(test, res.matched);
	/* An RT task takes the CPU from b: not the model's to predict. */
	sl_lab_wakeup(lab, 0, &rt, false, false, 3500);
	sl_lab_switch(lab, 0, &b, true, false, false, &rt, 4000, &res);
	KUNIT_EXPECT_EQ(test, res.miss, SL_MISS_RT_DL);
	KUNIT_EXPECT_EQ(test, res.predicted_pid, 200);
	/* The kernel goes idle while the model has b queued. */
	sl_lab_switch(lab, 0, &rt, false, true, false, NULL, 5000, &res);
	KUNIT_EXPECT_EQ(test, res.miss, SL_MISS_IDLE);
	sl_lab_switch(lab, 0, NULL, false, false, false, &b, 6000, &res);
	KUNIT_EXPECT_TRUE(test, res.matched);
	/*
	 * a wakes and is placed half a latency (3 ms on one CPU) behind
	 * min_vruntime, far ahead of b: the model picks it, as the kernel.
	 */
	a.vruntime = 0;
	sl_lab_wakeup(lab, 0, &a, false, false, 6500);
	b.vruntime = 20000000;
	sl_lab_switch(lab, 0, &b, true, false, false, &a, 7000, &res);
	KUNIT_EXPECT_TRUE(test, res.matched);
	/* b then runs though a, with less vruntime, is still queued: "other". */
	sl_lab_switch(lab, 0, &a, true, false, false, &b, 7100, &res);
	KUNIT_EXPECT_FALSE(test, res.matched);
	KUNIT_EXPECT_EQ(test, res.miss, SL_MISS_OTHER);
	KUNIT_EXPECT_EQ(test, c->switches, 7ULL);
	KUNIT_EXPECT_EQ(test, c->matches, 3ULL);
	/* The model checked b's vruntime against the kernel's each time it ran again. */
	KUNIT_EXPECT_GT(test, c->vr_samples, 0ULL);
	sl_lab_destroy(lab);
}

static void lab_flat_grouped(struct kunit *test)
{
	struct sl_lab *lab = new_lab(test, 64, SL_MODEL_EEVDF_FLAT);
	struct sl_lab *lab612 = new_lab(test, 64, SL_MODEL_EEVDF);
	struct sl_task_info a = info(100, 0, 0), b = info(200, 0, 0);
	struct sl_switch_result res;
	struct sl_task *ta;

	a.grouped = true;
	a.h_weight = SL_NICE_0_LOAD / 2;
	b.h_weight = SL_NICE_0_LOAD;
	/* 7.3 queues a grouped task beside the others, at its hierarchical weight. */
	sl_lab_wakeup(lab, 0, &a, false, false, 1000);
	ta = find(lab, 100);
	KUNIT_ASSERT_NOT_NULL(test, ta);
	KUNIT_EXPECT_TRUE(test, ta->se.on_rq);
	KUNIT_EXPECT_EQ(test, ta->se.weight, SL_NICE_0_LOAD / 2);
	sl_lab_switch(lab, 0, NULL, false, false, false, &a, 2000, &res);
	KUNIT_EXPECT_TRUE(test, res.matched);
	/* Its group's share halves while it runs: its next event reweights it. */
	sl_lab_wakeup(lab, 0, &b, false, false, 3000);
	a.h_weight = SL_NICE_0_LOAD / 4;
	sl_lab_switch(lab, 0, &a, true, false, false, &b, 4000, &res);
	KUNIT_EXPECT_EQ(test, ta->se.weight, SL_NICE_0_LOAD / 4);
	KUNIT_EXPECT_TRUE(test, ta->se.on_rq);
	KUNIT_EXPECT_TRUE(test, res.matched);
	/* 6.12 queues it below its group's entity, which the model leaves out. */
	sl_lab_wakeup(lab612, 0, &a, false, false, 1000);
	sl_lab_switch(lab612, 0, NULL, false, false, false, &a, 2000, &res);
	KUNIT_EXPECT_FALSE(test, res.matched);
	KUNIT_EXPECT_EQ(test, res.miss, SL_MISS_CGROUP);
	sl_lab_destroy(lab612);
	sl_lab_destroy(lab);
}

static void lab_migration(struct kunit *test)
{
	struct sl_task_info a = info(100, 0, 5000000), b = info(200, 0, 5000000);
	struct sl_switch_result res;
	struct sl_task *tb;
	struct sl_lab *lab;

	if (num_possible_cpus() < 2)
		kunit_skip(test, "one possible CPU");
	lab = new_lab(test, 64, SL_MODEL_CFS);
	sl_lab_wakeup(lab, 0, &a, false, false, 0);
	sl_lab_switch(lab, 0, NULL, false, false, false, &a, 100, &res);
	sl_lab_wakeup(lab, 0, &b, false, false, 200);
	tb = find(lab, 200);
	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_EXPECT_TRUE(test, tb->se.on_rq);
	/* b, queued on CPU 0, is pulled to CPU 1: in CPU 1's inbox, relative. */
	sl_lab_migrate(lab, &b, true, 0, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tb->xfer), SL_XFER_MOVE);
	KUNIT_EXPECT_TRUE(test, tb->se.relative);
	KUNIT_EXPECT_EQ(test, tb->stats.migrations, 1ULL);
	/* CPU 1's next event takes it in; the kernel runs it there. */
	sl_lab_switch(lab, 1, NULL, false, false, false, &b, 300, &res);
	KUNIT_EXPECT_TRUE(test, res.matched);
	KUNIT_EXPECT_EQ(test, atomic_read(&tb->xfer), SL_XFER_NONE);
	KUNIT_EXPECT_EQ(test, tb->model_cpu, 1);
	sl_lab_destroy(lab);
}

/*
 * A task that dies while in another CPU's inbox: the kernel moved it back
 * before that CPU had an event, ran it here and it exited. Its slot is
 * dead at once: a returning PID takes another. But it is taken only once
 * the inbox's CPU has evicted it, at that CPU's next event. In a table of
 * two slots, so that a third task has only that slot to take.
 */
static void lab_dies_in_transit(struct kunit *test)
{
	struct sl_task_info a = info(100, 0, 5000000), c = info(200, 0, 0);
	struct sl_switch_result res;
	struct sl_task *ta, *tb;
	struct sl_lab *lab;

	if (num_possible_cpus() < 2)
		kunit_skip(test, "one possible CPU");
	lab = new_lab(test, 2, SL_MODEL_CFS);
	sl_lab_wakeup(lab, 0, &a, false, false, 0);
	ta = find(lab, 100);
	KUNIT_ASSERT_NOT_NULL(test, ta);
	sl_lab_migrate(lab, &a, true, 0, 1);
	sl_lab_migrate(lab, &a, true, 1, 0);
	sl_lab_switch(lab, 0, NULL, false, false, false, &a, 100, &res);
	sl_lab_exit(lab, &a);
	sl_lab_switch(lab, 0, &a, false, true, true, NULL, 200, &res);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ta->key), task_id(100, 0) | SL_KEY_DEAD);
	KUNIT_EXPECT_EQ(test, atomic_read(&ta->xfer), SL_XFER_EVICT);
	/* A new task at 100's address: it takes the other slot. */
	sl_lab_wakeup(lab, 0, &a, false, true, 300);
	tb = find(lab, 100);
	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_EXPECT_PTR_NE(test, tb, ta);
	/* Still CPU 1's until its next event: no slot for task 200. */
	sl_lab_wakeup(lab, 0, &c, false, true, 400);
	KUNIT_EXPECT_NULL(test, find(lab, 200));
	KUNIT_EXPECT_EQ(test, atomic64_read(&lab->untracked), 1LL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ta->key), task_id(100, 0) | SL_KEY_DEAD);
	sl_lab_switch(lab, 1, NULL, false, false, false, NULL, 500, &res);
	KUNIT_EXPECT_EQ(test, atomic_read(&ta->xfer), SL_XFER_NONE);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 1)->rq.nr_running, 0U);
	sl_lab_wakeup(lab, 0, &c, false, true, 600);
	KUNIT_EXPECT_PTR_EQ(test, find(lab, 200), ta);
	/* The returned 100 and 200, both queued here. */
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.nr_running, 2U);
	sl_lab_destroy(lab);
}

/*
 * The kernel frees a PID before its task's last switch out: a new task
 * with that PID may run meanwhile, on another CPU. It must get a slot of
 * its own, which the former task's death leaves alone.
 */
static void lab_pid_reused_while_dying(struct kunit *test)
{
	struct sl_task_info a = info(100, 0, 0), b = info(100, 0, 0);
	struct sl_switch_result res;
	struct sl_task *ta, *tb;
	struct sl_lab *lab;

	if (num_possible_cpus() < 2)
		kunit_skip(test, "one possible CPU");
	lab = new_lab(test, 64, SL_MODEL_CFS);
	a.id = task_id(100, 1);
	b.id = task_id(100, 2);
	sl_lab_wakeup(lab, 0, &a, false, true, 0);
	sl_lab_switch(lab, 0, NULL, false, false, false, &a, 100, &res);
	sl_lab_exit(lab, &a);
	/* PID 100 freed and taken again: b runs on CPU 1. */
	sl_lab_wakeup(lab, 1, &b, false, true, 200);
	sl_lab_switch(lab, 1, NULL, false, false, false, &b, 300, &res);
	ta = sl_lab_find(lab, &a);
	tb = sl_lab_find(lab, &b);
	KUNIT_ASSERT_NOT_NULL(test, ta);
	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_EXPECT_PTR_NE(test, ta, tb);
	KUNIT_EXPECT_TRUE(test, ta->exited);
	KUNIT_EXPECT_FALSE(test, tb->exited);
	sl_lab_switch(lab, 0, &a, false, true, true, NULL, 400, &res);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ta->key), task_id(100, 1) | SL_KEY_DEAD);
	KUNIT_EXPECT_PTR_EQ(test, sl_lab_find(lab, &b), tb);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.nr_running, 0U);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 1)->rq.nr_running, 1U);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu_ptr(lab->cpu, 1)->rq.curr, &tb->se);
	sl_lab_destroy(lab);
}

/*
 * A process about to exec in a thread that does not lead it: its leader
 * running on CPU 1 and called exit (de_thread() kills it), the thread
 * running on CPU 0; their slots in @tl and @tt.
 */
static struct sl_lab *exec_setup(struct kunit *test, struct sl_task_info *leader,
				 struct sl_task_info *thread, struct sl_task **tl,
				 struct sl_task **tt)
{
	struct sl_switch_result res;
	struct sl_lab *lab;

	if (num_possible_cpus() < 2)
		kunit_skip(test, "one possible CPU");
	lab = new_lab(test, 64, SL_MODEL_CFS);
	thread->tgid = leader->pid;
	sl_lab_wakeup(lab, 1, leader, false, true, 0);
	sl_lab_switch(lab, 1, NULL, false, false, false, leader, 100, &res);
	sl_lab_wakeup(lab, 0, thread, false, true, 200);
	sl_lab_switch(lab, 0, NULL, false, false, false, thread, 300, &res);
	*tl = sl_lab_find(lab, leader);
	*tt = sl_lab_find(lab, thread);
	KUNIT_ASSERT_NOT_NULL(test, *tl);
	KUNIT_ASSERT_NOT_NULL(test, *tt);
	sl_lab_exit(lab, leader);
	return lab;
}

/*
 * execve() by a thread that does not lead its process (de_thread()): the
 * thread takes the leader's PID and start time, the dying leader the
 * thread's PID. Each must keep its own slot: the thread its counts and
 * model entity, the leader its death; no model queue may keep either.
 */
static void lab_exec_by_thread(struct kunit *test)
{
	struct sl_task_info leader = info(100, 0, 0), thread = info(101, 0, 0);
	struct sl_switch_result res;
	struct sl_task *tl, *tt;
	struct sl_lab *lab = exec_setup(test, &leader, &thread, &tl, &tt);

	/* The thread execs: the leader has exited; their PIDs are exchanged. */
	leader.pid = 101;
	thread.pid = 100;
	/* The thread sleeps before the leader's last switch out... */
	sl_lab_switch(lab, 0, &thread, false, true, false, NULL, 400, &res);
	KUNIT_EXPECT_PTR_EQ(test, sl_lab_find(lab, &thread), tt);
	KUNIT_EXPECT_EQ(test, tt->stats.voluntary, 1ULL);
	KUNIT_EXPECT_FALSE(test, tt->exited);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.nr_running, 0U);
	KUNIT_EXPECT_NULL(test, per_cpu_ptr(lab->cpu, 0)->rq.curr);
	/* ...which ends the leader's slot and leaves CPU 1's model empty. */
	sl_lab_switch(lab, 1, &leader, false, true, true, NULL, 500, &res);
	KUNIT_EXPECT_NULL(test, sl_lab_find(lab, &leader));
	KUNIT_EXPECT_EQ(test, READ_ONCE(tl->key), leader.id | SL_KEY_DEAD);
	KUNIT_EXPECT_EQ(test, tl->stats.voluntary, 1ULL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 1)->rq.nr_running, 0U);
	KUNIT_EXPECT_NULL(test, per_cpu_ptr(lab->cpu, 1)->rq.curr);
	/* The thread runs again, under the leader's PID, in its own slot. */
	sl_lab_wakeup(lab, 0, &thread, false, false, 600);
	sl_lab_switch(lab, 0, NULL, false, false, false, &thread, 700, &res);
	KUNIT_EXPECT_TRUE(test, res.matched);
	KUNIT_EXPECT_PTR_EQ(test, sl_lab_find(lab, &thread), tt);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tt->pid), 100);
	KUNIT_EXPECT_EQ(test, tt->stats.waits, 2ULL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.nr_running, 1U);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.curr, &tt->se);
	sl_lab_destroy(lab);
}

/*
 * The leader's last switch out before the exchange (the other order of
 * lab_exec_by_thread): it dies under its own PID, the thread carries on
 * under it.
 */
static void lab_exec_leader_first(struct kunit *test)
{
	struct sl_task_info leader = info(300, 0, 0), thread = info(301, 0, 0);
	struct sl_switch_result res;
	struct sl_task *tl, *tt;
	struct sl_lab *lab = exec_setup(test, &leader, &thread, &tl, &tt);

	sl_lab_switch(lab, 1, &leader, false, true, true, NULL, 400, &res);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tl->key), leader.id | SL_KEY_DEAD);
	KUNIT_EXPECT_NULL(test, per_cpu_ptr(lab->cpu, 1)->rq.curr);
	thread.pid = 300;
	sl_lab_switch(lab, 0, &thread, false, true, false, NULL, 500, &res);
	KUNIT_EXPECT_PTR_EQ(test, sl_lab_find(lab, &thread), tt);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tt->pid), 300);
	KUNIT_EXPECT_EQ(test, tt->stats.voluntary, 1ULL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.nr_running, 0U);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 1)->rq.nr_running, 0U);
	sl_lab_destroy(lab);
}

/*
 * Tasks that die while recording is stopped keep live slots; a new task
 * the kernel gives one of their task_structs must not take the slot over.
 * Seen at fork or, for a kernel worker with no fork event, at its first
 * wake-up, the dead task's slot is retired and the new one gets its own.
 */
static void lab_stale_slot_retired(struct kunit *test)
{
	struct sl_task_info parent = info(1, 0, 0), a = info(100, 0, 0), b = info(200, 0, 0);
	struct sl_switch_result res;
	struct sl_task *ta, *tb, *t;
	struct sl_lab *lab = new_lab(test, 64, SL_MODEL_CFS);

	/* a runs on CPU 0; b ran and sleeps; then both die unseen. */
	sl_lab_wakeup(lab, 0, &b, false, true, 0);
	sl_lab_switch(lab, 0, NULL, false, false, false, &b, 100, &res);
	sl_lab_wakeup(lab, 0, &a, false, true, 150);
	sl_lab_switch(lab, 0, &b, false, true, false, &a, 200, &res);
	sl_lab_exit(lab, &a);
	ta = find(lab, 100);
	tb = find(lab, 200);
	KUNIT_ASSERT_NOT_NULL(test, ta);
	KUNIT_ASSERT_NOT_NULL(test, tb);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.curr, &ta->se);

	/* A child at a's address: a's slot dies, the child has its own. */
	sl_lab_fork(lab, 0, &parent, &a, 300);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ta->key), a.id | SL_KEY_DEAD);
	t = find(lab, 100);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_PTR_NE(test, t, ta);
	KUNIT_EXPECT_FALSE(test, t->exited);
	/* CPU 0's next event drops a from its model; the child is queued. */
	sl_lab_wakeup(lab, 0, &a, false, true, 400);
	KUNIT_EXPECT_PTR_EQ(test, find(lab, 100), t);
	KUNIT_EXPECT_EQ(test, atomic_read(&ta->xfer), SL_XFER_NONE);
	KUNIT_EXPECT_FALSE(test, ta->se.on_rq);
	KUNIT_EXPECT_NULL(test, per_cpu_ptr(lab->cpu, 0)->rq.curr);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.nr_running, 1U);
	KUNIT_EXPECT_EQ(test, t->stats.wakeups, 1ULL);

	/* A worker at b's address, first seen woken: the same. */
	sl_lab_wakeup(lab, 0, &b, false, true, 500);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tb->key), b.id | SL_KEY_DEAD);
	t = find(lab, 200);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_PTR_NE(test, t, tb);
	KUNIT_EXPECT_EQ(test, t->stats.wakeups, 1ULL);
	KUNIT_EXPECT_EQ(test, t->stats.voluntary, 0ULL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(lab->cpu, 0)->rq.nr_running, 2U);
	sl_lab_destroy(lab);
}

static void lab_table_full(struct kunit *test)
{
	struct sl_lab *lab = new_lab(test, 64, SL_MODEL_CFS);
	struct sl_switch_result res;
	struct sl_task_info p;
	pid_t pid;

	KUNIT_EXPECT_EQ(test, sl_lab_init(lab, 100, SL_MODEL_CFS, 1), -EINVAL);
	for (pid = 1; pid <= 64; pid++) {
		p = info(pid, 0, 0);
		sl_lab_wakeup(lab, 0, &p, false, false, pid);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&lab->untracked), 0LL);
	p = info(65, 0, 0);
	sl_lab_wakeup(lab, 0, &p, false, false, 100);
	KUNIT_EXPECT_EQ(test, atomic64_read(&lab->untracked), 1LL);
	KUNIT_EXPECT_NULL(test, find(lab, 65));
	/* Task 7 exits: its last switch frees its slot for 65. */
	p = info(7, 0, 0);
	sl_lab_switch(lab, 0, NULL, false, false, false, &p, 200, &res);
	sl_lab_exit(lab, &p);
	KUNIT_EXPECT_TRUE(test, find(lab, 7)->exited);
	sl_lab_switch(lab, 0, &p, false, true, true, NULL, 300, &res);
	p = info(65, 0, 0);
	sl_lab_wakeup(lab, 0, &p, false, false, 400);
	KUNIT_EXPECT_NOT_NULL(test, find(lab, 65));
	KUNIT_EXPECT_NULL(test, find(lab, 7));
	sl_lab_reset(lab);
	KUNIT_EXPECT_NULL(test, find(lab, 65));
	sl_lab_destroy(lab);
}

/* The first two online CPUs; false if there is only one. */
static bool two_online_cpus(int cpu[2])
{
	cpu[0] = cpumask_first(cpu_online_mask);
	cpu[1] = cpumask_next(cpu[0], cpu_online_mask);
	return cpu[1] < nr_cpu_ids;
}

/*
 * Run @fn(@data[i]) on @cpu[i], i = 0, 1, for stress_ms milliseconds, then
 * set *@stop and wait for both to return.
 *
 * Return: the number of threads that started, 2 unless creation failed.
 */
static unsigned int run_pair(int (*fn)(void *), void *const data[2],
			     const int cpu[2], bool *stop)
{
	struct task_struct *thread[2];
	unsigned int i, started = 0;

	for (i = 0; i < 2; i++) {
		thread[i] = kthread_create_on_cpu(fn, data[i], cpu[i], "sl_kunit/%u");
		if (IS_ERR(thread[i]))
			break;
		get_task_struct(thread[i]);
		started++;
	}
	for (i = 0; i < started; i++)
		wake_up_process(thread[i]);
	if (started == 2)
		msleep(stress_ms);
	WRITE_ONCE(*stop, true);
	for (i = 0; i < started; i++) {
		kthread_stop(thread[i]);
		put_task_struct(thread[i]);
	}
	return started;
}

/*
 * Slot reuse under contention: two threads on two CPUs, each living out
 * tasks (wake-up, switch in, last switch out, then a short wait while the
 * task is dead) in one small table. One reuses its PID for every task, as
 * a returning PID does; the other has a new PID for each, one whose probe
 * chain starts at the first's latest slot, so that it takes that slot
 * whenever it finds it dead, often just as the first's PID returns to it.
 * Each task must own its slot from its first event to its last: found by
 * its PID, its key not changed under it. Two threads never hold more than
 * two live tasks, so the table, with more slots than that, never runs out.
 */
#define REUSE_SLOTS	8
#define REUSE_PID	1000

struct reuse_worker {
	struct sl_lab *lab;
	int cpu;
	pid_t pid;			/* of its latest task */
	bool returning;			/* each task has the same PID */
	bool *stop;
	struct sl_task *last;		/* the slot of its latest task */
	struct sl_task *first;		/* REUSE_PID's first slot */
	struct reuse_worker *other;
	unsigned long lives, lost, stolen, took_other;
};

/* The next PID after @pid whose probe chain starts at @slot. */
static pid_t reuse_next_pid(const struct sl_lab *lab, pid_t pid,
			    const struct sl_task *slot)
{
	do {
		pid++;
	} while (&lab->tasks[slot_of(lab, task_id(pid, 0), 0)] != slot);
	return pid;
}

static int reuse_thread(void *data)
{
	struct reuse_worker *w = data;
	struct sl_switch_result res;
	u64 now = 0;

	while (!READ_ONCE(*w->stop)) {
		struct sl_task_info p;
		struct sl_task *t, *other_last;

		/*
		 * The latest task is dead: wait a while, so that the other
		 * finds its slot dead and takes it. A busy wait: KCSAN reports
		 * a race of the kernel's own in hrtimer sleeps
		 * (hrtimer_wakeup() against schedule_hrtimeout_range_clock()),
		 * which would be charged to this test.
		 */
		udelay(5);
		cond_resched();
		other_last = READ_ONCE(w->other->last);

		if (!w->returning)
			w->pid = reuse_next_pid(w->lab, w->pid, other_last ?: w->first);
		p = info(w->pid, 0, 0);

		sl_lab_wakeup(w->lab, w->cpu, &p, false, false, ++now);
		t = sl_lab_find(w->lab, &p);
		if (!t) {
			w->lost++;
			continue;
		}
		WRITE_ONCE(w->last, t);
		w->took_other += t == other_last;
		sl_lab_switch(w->lab, w->cpu, NULL, false, false, false, &p, ++now, &res);
		if (READ_ONCE(t->key) != p.id)
			w->stolen++;
		sl_lab_switch(w->lab, w->cpu, &p, false, true, true, NULL, ++now, &res);
		w->lives++;
	}
	return 0;
}

static void lab_slot_reuse_race(struct kunit *test)
{
	struct reuse_worker w[2] = {};
	unsigned int i, started = 0;
	struct sl_lab *lab;
	bool stop = false;
	long long untracked;
	int cpu[2];

	if (!two_online_cpus(cpu))
		kunit_skip(test, "one online CPU");
	lab = new_lab(test, REUSE_SLOTS, SL_MODEL_EEVDF);
	w[0].pid = REUSE_PID;
	w[0].returning = true;
	w[1].pid = REUSE_PID;
	for (i = 0; i < 2; i++) {
		w[i].lab = lab;
		w[i].cpu = cpu[i];
		w[i].stop = &stop;
		w[i].first = &lab->tasks[slot_of(lab, task_id(REUSE_PID, 0), 0)];
		w[i].other = &w[!i];
	}
	started = run_pair(reuse_thread, (void *const[]){ &w[0], &w[1] }, cpu, &stop);
	untracked = atomic64_read(&lab->untracked);
	sl_lab_destroy(lab);
	KUNIT_ASSERT_EQ_MSG(test, started, 2U, "could not start a worker thread");
	for (i = 0; i < 2; i++)
		kunit_info(test, "worker %u: %lu lives, %lu in the other's last slot, %lu lost, %lu stolen",
			   i, w[i].lives, w[i].took_other, w[i].lost, w[i].stolen);
	KUNIT_EXPECT_EQ(test, untracked, 0LL);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, w[i].lost, 0UL);
		KUNIT_EXPECT_EQ(test, w[i].stolen, 0UL);
		KUNIT_EXPECT_GT(test, w[i].lives, 0UL);
	}
	/* The case under test happened: a dead slot taken by another PID. */
	KUNIT_EXPECT_GT(test, w[0].took_other + w[1].took_other, 0UL);
}

/*
 * Self wake-ups hold no lock: a task woken by itself (an interrupt on its
 * CPU, say) and by another CPU at once. One thread wakes a running task
 * as the task itself would, another as a remote waker holding the task's
 * CPU's run-queue lock would; every wake-up must be counted, none lost.
 */
struct wake_worker {
	struct sl_lab *lab;
	int task_cpu;
	bool self;
	bool *stop;
	unsigned long calls;
};

static int wake_thread(void *data)
{
	struct wake_worker *w = data;
	struct sl_task_info p = info(REUSE_PID, 0, 0);
	u64 now = 1000;

	while (!READ_ONCE(*w->stop)) {
		sl_lab_wakeup(w->lab, w->task_cpu, &p, w->self, false, ++now);
		w->calls++;
		if (!(w->calls % 1024))
			cond_resched();
	}
	return 0;
}

static void lab_self_wakeup_race(struct kunit *test)
{
	struct sl_task_info p = info(REUSE_PID, 0, 0);
	struct wake_worker w[2] = {};
	struct sl_switch_result res;
	unsigned int i, started = 0;
	unsigned long counted;
	struct sl_lab *lab;
	struct sl_task *t;
	bool stop = false;
	int cpu[2];

	if (!two_online_cpus(cpu))
		kunit_skip(test, "one online CPU");
	lab = new_lab(test, 64, SL_MODEL_EEVDF);
	sl_lab_wakeup(lab, cpu[0], &p, false, false, 0);
	sl_lab_switch(lab, cpu[0], NULL, false, false, false, &p, 100, &res);
	t = find(lab, REUSE_PID);
	for (i = 0; i < 2; i++) {
		w[i].lab = lab;
		w[i].task_cpu = cpu[0];
		w[i].self = !i;
		w[i].stop = &stop;
	}
	if (t)
		started = run_pair(wake_thread, (void *const[]){ &w[0], &w[1] }, cpu, &stop);
	counted = t ? t->stats.wakeups + atomic_long_read(&t->self_wakeups) : 0;
	sl_lab_destroy(lab);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ_MSG(test, started, 2U, "could not start a waker thread");
	kunit_info(test, "%lu self wake-ups, %lu remote", w[0].calls, w[1].calls);
	KUNIT_EXPECT_GT(test, w[0].calls, 0UL);
	KUNIT_EXPECT_GT(test, w[1].calls, 0UL);
	/* The first wake-up, before the task ran, and the workers'. */
	KUNIT_EXPECT_EQ(test, counted, 1 + w[0].calls + w[1].calls);
}

/*
 * Inbox hand-offs under contention: on one CPU, tasks are woken, migrate
 * queued to the other CPU's inbox, run here all the same and die; the
 * other CPU drains its inbox as fast as it can. Whichever comes first,
 * each task must leave both model queues, and its slot must be taken
 * again only once evicted.
 */
#define INBOX_PENDING	16

struct inbox_worker {
	struct sl_lab *lab;
	int cpu, other_cpu;
	bool drainer;
	bool *stop;
	unsigned long rounds;
	/* Dead tasks whose slots the drainer may have yet to evict. */
	struct sl_task *pending[INBOX_PENDING];
	pid_t pending_pid[INBOX_PENDING];
};

static int inbox_thread(void *data)
{
	struct inbox_worker *w = data;
	struct sl_switch_result res;
	pid_t pid = REUSE_PID;
	unsigned int slot;
	u64 now = 0;

	while (!READ_ONCE(*w->stop)) {
		struct sl_task_info p = info(++pid, 0, 0);

		w->rounds++;
		if (!(w->rounds % 64))
			cond_resched();
		if (w->drainer) {
			sl_lab_switch(w->lab, w->cpu, NULL, false, false, false, NULL, ++now, &res);
			continue;
		}
		/* At most INBOX_PENDING of them, so that the table never fills. */
		slot = w->rounds % INBOX_PENDING;
		while (w->pending[slot] &&
		       READ_ONCE(w->pending[slot]->key) ==
		       (task_id(w->pending_pid[slot], 0) | SL_KEY_DEAD) &&
		       atomic_read(&w->pending[slot]->xfer) != SL_XFER_NONE &&
		       !READ_ONCE(*w->stop))
			cond_resched();
		sl_lab_wakeup(w->lab, w->cpu, &p, false, false, ++now);
		w->pending[slot] = sl_lab_find(w->lab, &p);
		w->pending_pid[slot] = p.pid;
		sl_lab_migrate(w->lab, &p, true, w->cpu, w->other_cpu);
		sl_lab_switch(w->lab, w->cpu, NULL, false, false, false, &p, ++now, &res);
		sl_lab_switch(w->lab, w->cpu, &p, false, true, true, NULL, ++now, &res);
	}
	return 0;
}

static void lab_inbox_race(struct kunit *test)
{
	struct inbox_worker w[2] = {};
	unsigned int i, started, live = 0, held = 0;
	struct sl_switch_result res;
	struct sl_lab *lab;
	bool stop = false;
	int cpu[2];

	if (!two_online_cpus(cpu))
		kunit_skip(test, "one online CPU");
	lab = new_lab(test, 64, SL_MODEL_CFS);
	for (i = 0; i < 2; i++) {
		w[i].lab = lab;
		w[i].cpu = cpu[i];
		w[i].other_cpu = cpu[!i];
		w[i].drainer = i;
		w[i].stop = &stop;
	}
	started = run_pair(inbox_thread, (void *const[]){ &w[0], &w[1] }, cpu, &stop);
	if (started == 2) {
		/* Each CPU's next event takes in what is left for it. */
		sl_lab_switch(lab, cpu[1], NULL, false, false, false, NULL, U64_MAX, &res);
		sl_lab_switch(lab, cpu[0], NULL, false, false, false, NULL, U64_MAX, &res);
	}
	for (i = 0; i < lab->nr_slots; i++) {
		live += lab->tasks[i].key && !(lab->tasks[i].key & SL_KEY_DEAD);
		held += !sl_task_settled(&lab->tasks[i]);
	}
	kunit_info(test, "%lu tasks lived and died, %lu drains, %u slots still live, %u held, %lld untracked",
		   w[0].rounds, w[1].rounds, live, held,
		   (long long)atomic64_read(&lab->untracked));
	KUNIT_EXPECT_EQ(test, live, 0U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&lab->untracked), 0LL);
	if (started == 2) {
		/* Every dead task evicted, its slot free to take. */
		KUNIT_EXPECT_EQ(test, held, 0U);
		for (i = 0; i < 2; i++) {
			struct sl_cpu *c = per_cpu_ptr(lab->cpu, cpu[i]);

			KUNIT_EXPECT_TRUE(test, llist_empty(&c->inbox));
			KUNIT_EXPECT_EQ(test, c->rq.nr_running, 0U);
		}
	}
	sl_lab_destroy(lab);
	KUNIT_ASSERT_EQ_MSG(test, started, 2U, "could not start a worker thread");
	/* Past the throttle: the drainer evicted tasks. */
	KUNIT_EXPECT_GT(test, w[0].rounds, INBOX_PENDING + 1UL);
	KUNIT_EXPECT_GT(test, w[1].rounds, 0UL);
}

static struct kunit_case sched_lab_cases[] = {
	KUNIT_CASE(hist_bucketing),
	KUNIT_CASE(hist_percentiles),
	KUNIT_CASE(weights_match_kernel),
	KUNIT_CASE(delta_fair),
	KUNIT_CASE(tunables_scale),
	KUNIT_CASE(cfs_placement),
	KUNIT_CASE(cfs_picks),
	KUNIT_CASE(eevdf_eligibility_and_pick),
	KUNIT_CASE(eevdf_delayed_dequeue),
	KUNIT_CASE(flat_delayed_dequeue),
	KUNIT_CASE(flat_lag_limit),
	KUNIT_CASE(flat_delayed_lag),
	KUNIT_CASE(flat_reweight_keeps_lag),
	KUNIT_CASE(lab_latency_and_counts),
	KUNIT_CASE(lab_model_verdicts),
	KUNIT_CASE(lab_flat_grouped),
	KUNIT_CASE(lab_migration),
	KUNIT_CASE(lab_dies_in_transit),
	KUNIT_CASE(lab_pid_reused_while_dying),
	KUNIT_CASE(lab_exec_by_thread),
	KUNIT_CASE(lab_exec_leader_first),
	KUNIT_CASE(lab_stale_slot_retired),
	KUNIT_CASE(lab_table_full),
	KUNIT_CASE(lab_slot_reuse_race),
	KUNIT_CASE(lab_self_wakeup_race),
	KUNIT_CASE(lab_inbox_race),
	{}
};

static struct kunit_suite sched_lab_suite = {
	.name = "sched_lab",
	.test_cases = sched_lab_cases,
};

kunit_test_suite(sched_lab_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for sched_lab's histograms, model and event core");
