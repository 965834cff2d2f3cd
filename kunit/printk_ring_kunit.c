// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for printk_ring: the ring core (printk_ring/ring.c) on small
 * private rings, the /dev/kmsg parsing and formatting (printk_ring/format.c),
 * and a stress case with writers on every CPU and in hard-IRQ context
 * checked record by record by a concurrent reader.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/hrtimer.h>
#include <linux/jhash.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../printk_ring/compat.h"
#include "../printk_ring/printk_ring.h"

static unsigned int stress_ms = 1000;
module_param(stress_ms, uint, 0444);
MODULE_PARM_DESC(stress_ms, "duration of the stress case in milliseconds (default 1000)");

/* A private ring, freed by ring_exit() when the test ends, pass or fail. */
static struct pring *test_ring(struct kunit *test, unsigned int desc_bits,
			       unsigned int data_bits)
{
	struct pring *ring = pring_alloc(desc_bits, data_bits);

	KUNIT_ASSERT_NOT_NULL(test, ring);
	test->priv = ring;
	return ring;
}

static void ring_exit(struct kunit *test)
{
	pring_free(test->priv);
}

/* Write record @n: @len letters from 'a' + @n on; 0 or the error. */
static int write_record(struct pring *ring, unsigned int n, unsigned int len, u8 level)
{
	struct pring_entry e;
	unsigned int i;
	int err;

	err = pring_reserve(&e, ring, len);
	if (err)
		return err;
	for (i = 0; i < len; i++)
		e.text[i] = 'a' + (n + i) % 26;
	e.info->level = level;
	e.info->caller_id = n;
	pring_final_commit(&e);
	return 0;
}

static bool record_matches(const struct pring_record *r, unsigned int n, unsigned int len)
{
	unsigned int i;

	if (r->info.text_len != len || r->info.caller_id != n)
		return false;
	for (i = 0; i < len; i++)
		if (r->text[i] != 'a' + (n + i) % 26)
			return false;
	return true;
}

static void ring_empty(struct kunit *test)
{
	struct pring *ring = test_ring(test, 4, 10);
	char buf[8];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };

	KUNIT_EXPECT_FALSE(test, pring_read(ring, 0, &r));
	KUNIT_EXPECT_EQ(test, pring_first_seq(ring), 0);
	KUNIT_EXPECT_EQ(test, pring_next_seq(ring), 0);
}

static void one_writer_order_and_content(struct kunit *test)
{
	struct pring *ring = test_ring(test, 6, 12);
	char buf[64];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };
	struct pring_usage u;
	unsigned int n;

	for (n = 0; n < 20; n++)
		KUNIT_ASSERT_EQ(test, 0, write_record(ring, n, 1 + n, n & 7));
	for (n = 0; n < 20; n++) {
		KUNIT_ASSERT_TRUE(test, pring_read(ring, n, &r));
		KUNIT_EXPECT_EQ(test, r.info.seq, n);
		KUNIT_EXPECT_EQ(test, r.info.level, n & 7);
		KUNIT_EXPECT_TRUE(test, record_matches(&r, n, 1 + n));
	}
	KUNIT_EXPECT_FALSE(test, pring_read(ring, 20, &r));
	pring_usage(ring, &u);
	KUNIT_EXPECT_EQ(test, u.records, 20);
	KUNIT_EXPECT_EQ(test, u.bytes, 20 * 21 / 2);
	KUNIT_EXPECT_EQ(test, u.first_seq, 0);
	KUNIT_EXPECT_EQ(test, u.next_seq, 20);
}

/* Many wraps of both rings: the newest records are always intact. */
static void wrap_around(struct kunit *test)
{
	struct pring *ring = test_ring(test, 4, 10);	/* 16 records, 1 KiB */
	char buf[128];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };
	unsigned int n, len;
	u64 seq, first;

	for (n = 0; n < 5000; n++) {
		len = 1 + (n * 37) % 120;
		KUNIT_ASSERT_EQ(test, 0, write_record(ring, n, len, 6));
		KUNIT_ASSERT_TRUE(test, pring_read(ring, n, &r));
		KUNIT_ASSERT_EQ(test, r.info.seq, n);
		KUNIT_ASSERT_TRUE(test, record_matches(&r, n, len));
	}
	/* Everything still readable is contiguous and intact. */
	first = pring_first_seq(ring);
	KUNIT_EXPECT_GT(test, first, 4980);
	for (seq = first; seq < 5000; seq++) {
		KUNIT_ASSERT_TRUE(test, pring_read(ring, seq, &r));
		KUNIT_EXPECT_EQ(test, r.info.seq, seq);
		KUNIT_EXPECT_TRUE(test, record_matches(&r, seq, 1 + (seq * 37) % 120));
	}
	KUNIT_EXPECT_EQ(test, pring_next_seq(ring), 5000);
}

/* A record still being written blocks recycling: writers fail fast. */
static void full_ring_fails_fast(struct kunit *test)
{
	struct pring *ring = test_ring(test, 4, 12);
	struct pring_entry held;
	struct pring_usage u;
	unsigned int written = 0;
	int err;

	KUNIT_ASSERT_EQ(test, 0, pring_reserve(&held, ring, 8));
	memcpy(held.text, "blocking", 8);
	while (!(err = write_record(ring, written + 1, 8, 6)) && written < 64)
		written++;
	KUNIT_EXPECT_EQ(test, err, -ENOSPC);
	/*
	 * 16 descriptors, the first still the empty initial tail: the held
	 * record and 14 more fit; the next would need the tail pushed past
	 * the held record.
	 */
	KUNIT_EXPECT_EQ(test, written, 14);
	pring_usage(ring, &u);
	KUNIT_EXPECT_EQ(test, u.fail[PRING_FAIL_DESC], 1);

	pring_final_commit(&held);
	KUNIT_EXPECT_EQ(test, 0, write_record(ring, 100, 8, 6));
}

/* The data ring cannot reclaim a block being written: a lost record. */
static void data_full_marks_lost_record(struct kunit *test)
{
	struct pring *ring = test_ring(test, 6, 8);	/* 64 records, 256 bytes */
	char buf[128];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };
	struct pring_entry held;
	struct pring_usage u;

	KUNIT_ASSERT_EQ(test, 0, pring_reserve(&held, ring, 100));
	KUNIT_EXPECT_EQ(test, 0, write_record(ring, 1, 100, 6));
	/* A third 100-byte block would overwrite the held one. */
	KUNIT_EXPECT_EQ(test, -ENOSPC, write_record(ring, 2, 100, 6));
	pring_usage(ring, &u);
	KUNIT_EXPECT_EQ(test, u.fail[PRING_FAIL_DATA], 1);
	memset(held.text, 'h', 100);
	held.info->caller_id = 0;
	pring_final_commit(&held);

	/* Seq 0 (held) and 1 read; seq 2 was lost, so 3 comes next. */
	KUNIT_EXPECT_EQ(test, 0, write_record(ring, 3, 10, 6));
	KUNIT_ASSERT_TRUE(test, pring_read(ring, 1, &r));
	KUNIT_EXPECT_TRUE(test, record_matches(&r, 1, 100));
	KUNIT_ASSERT_TRUE(test, pring_read(ring, 2, &r));
	KUNIT_EXPECT_EQ(test, r.info.seq, 3);
}

static void oversize_refused(struct kunit *test)
{
	struct pring *ring = test_ring(test, 4, 10);
	unsigned int max = pring_max_text(ring);
	struct pring_usage u;

	KUNIT_EXPECT_EQ(test, max, 512 - sizeof(unsigned long));
	KUNIT_EXPECT_EQ(test, -EMSGSIZE, write_record(ring, 0, max + 1, 6));
	KUNIT_EXPECT_EQ(test, 0, write_record(ring, 1, max, 6));
	KUNIT_EXPECT_EQ(test, 0, write_record(ring, 2, max, 6));
	pring_usage(ring, &u);
	KUNIT_EXPECT_EQ(test, u.fail[PRING_FAIL_SIZE], 1);
	KUNIT_EXPECT_EQ(test, u.records, 2);
}

/* A reader that fell behind gets the oldest record and sees the gap. */
static void lost_records_detected(struct kunit *test)
{
	struct pring *ring = test_ring(test, 4, 12);
	char buf[32];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };
	unsigned int n;

	for (n = 0; n < 40; n++)
		KUNIT_ASSERT_EQ(test, 0, write_record(ring, n, 16, 6));
	KUNIT_ASSERT_TRUE(test, pring_read(ring, 0, &r));
	KUNIT_EXPECT_EQ(test, r.info.seq, pring_first_seq(ring));
	KUNIT_EXPECT_EQ(test, r.info.seq, 40 - 16);
	KUNIT_EXPECT_TRUE(test, record_matches(&r, r.info.seq, 16));
}

/* committed records become readable when finalized, not before. */
static void commit_then_finalize(struct kunit *test)
{
	struct pring *ring = test_ring(test, 4, 10);
	char buf[16];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };
	struct pring_entry e;

	KUNIT_ASSERT_EQ(test, 0, pring_reserve(&e, ring, 4));
	memcpy(e.text, "open", 4);
	pring_commit(&e);
	KUNIT_EXPECT_FALSE(test, pring_read(ring, 0, &r));
	KUNIT_EXPECT_EQ(test, 0, write_record(ring, 1, 4, 6));
	KUNIT_ASSERT_TRUE(test, pring_read(ring, 0, &r));
	KUNIT_EXPECT_EQ(test, r.info.seq, 0);
	KUNIT_EXPECT_EQ(test, 0, memcmp(buf, "open", 4));
	KUNIT_EXPECT_TRUE(test, pring_read(ring, 1, &r));
}

static void truncated_read(struct kunit *test)
{
	struct pring *ring = test_ring(test, 4, 10);
	char buf[4];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };

	KUNIT_ASSERT_EQ(test, 0, write_record(ring, 0, 50, 6));
	KUNIT_ASSERT_TRUE(test, pring_read(ring, 0, &r));
	KUNIT_EXPECT_EQ(test, r.info.text_len, 50);
	KUNIT_EXPECT_EQ(test, 0, memcmp(buf, "abcd", 4));
}

/*
 * Fail each allocation of pring_alloc() in turn with the kernel's fault
 * injection (the task's fail-nth counter). Each failure must give NULL or,
 * where the failure is absorbed (kvmalloc() falling back from kmalloc() to
 * vmalloc(), say), a ring that works; kmemleak, run after the suite, sees
 * nothing left behind.
 */
static void alloc_failures(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned int nth, refused = 0;
	struct pring *ring;
	char buf[8];
	struct pring_record r = { .text = buf, .text_size = sizeof(buf) };

	for (nth = 1; nth < 100; nth++) {
		WRITE_ONCE(current->fail_nth, nth);
		ring = pring_alloc(6, 20);	/* 1 MiB of data: the vmalloc path */
		if (READ_ONCE(current->fail_nth)) {
			/* Fewer than nth allocations: each one has failed once. */
			WRITE_ONCE(current->fail_nth, 0);
			pring_free(ring);
			break;
		}
		if (!ring) {
			refused++;
			continue;
		}
		KUNIT_EXPECT_EQ(test, 0, write_record(ring, nth, 8, 6));
		KUNIT_EXPECT_TRUE(test, pring_read(ring, 0, &r) && record_matches(&r, nth, 8));
		pring_free(ring);
	}
	kunit_info(test, "%u allocations, %u failures refused the ring", nth - 1, refused);
	KUNIT_EXPECT_LT_MSG(test, nth, 100, "the allocations never ran out");
	/*
	 * How many points there are, and which failures are absorbed (the
	 * vmalloc fallback, kmemleak's own metadata falling back to its
	 * pool, per-CPU caches that happen to be warm) varies from run to
	 * run; the first, the ring itself, is always refused.
	 */
	KUNIT_EXPECT_GE(test, refused, 1);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

static struct kunit_case pring_core_cases[] = {
	KUNIT_CASE(ring_empty),
	KUNIT_CASE(one_writer_order_and_content),
	KUNIT_CASE(wrap_around),
	KUNIT_CASE(full_ring_fails_fast),
	KUNIT_CASE(data_full_marks_lost_record),
	KUNIT_CASE(oversize_refused),
	KUNIT_CASE(lost_records_detected),
	KUNIT_CASE(commit_then_finalize),
	KUNIT_CASE(truncated_read),
	KUNIT_CASE(alloc_failures),
	{}
};

static struct kunit_suite pring_core_suite = {
	.name = "printk_ring_core",
	.exit = ring_exit,
	.test_cases = pring_core_cases,
};

#define PARSE(buf, max)	printk_ring_parse_write(buf, sizeof(buf) - 1, max, 4, \
						&facility, &level, &text, &len)

static void parse_write(struct kunit *test)
{
	char in1[] = "<3>hello\n", in2[] = "plain", in3[] = "<14>user", in4[] = "\n";
	char in5[] = "<x>text", in6[] = "<7>", in7[] = "toolong", in8[] = "<>zero";
	char in9[] = "<163>local4";
	unsigned int len;
	u8 facility, level;
	char *text;

	/* No facility, or the kernel's: user space gets "user" (1). */
	KUNIT_EXPECT_EQ(test, 0, PARSE(in1, 100));
	KUNIT_EXPECT_EQ(test, level, 3);
	KUNIT_EXPECT_EQ(test, facility, 1);
	KUNIT_EXPECT_EQ(test, len, 5);
	KUNIT_EXPECT_EQ(test, 0, memcmp(text, "hello", 5));
	KUNIT_EXPECT_EQ(test, 0, PARSE(in2, 100));
	KUNIT_EXPECT_EQ(test, level, 4);
	KUNIT_EXPECT_EQ(test, facility, 1);
	KUNIT_EXPECT_EQ(test, len, 5);
	KUNIT_EXPECT_EQ(test, 0, PARSE(in3, 100));
	KUNIT_EXPECT_EQ(test, level, 6);
	KUNIT_EXPECT_EQ(test, facility, 1);
	KUNIT_EXPECT_EQ(test, 0, PARSE(in9, 100));
	KUNIT_EXPECT_EQ(test, level, 3);
	KUNIT_EXPECT_EQ(test, facility, 20);
	/* "<>" is level 0, as /dev/kmsg reads it. */
	KUNIT_EXPECT_EQ(test, 0, PARSE(in8, 100));
	KUNIT_EXPECT_EQ(test, level, 0);
	KUNIT_EXPECT_EQ(test, len, 4);
	KUNIT_EXPECT_EQ(test, -EINVAL, PARSE(in4, 100));
	/* Not a level prefix: kept as text. */
	KUNIT_EXPECT_EQ(test, 0, PARSE(in5, 100));
	KUNIT_EXPECT_EQ(test, len, 7);
	KUNIT_EXPECT_EQ(test, -EINVAL, PARSE(in6, 100));
	KUNIT_EXPECT_EQ(test, -EMSGSIZE, PARSE(in7, 6));
}

static void unescape(struct kunit *test)
{
	static const char in[] = "a\\x5cb\\x0a\\xzz\\x4";
	char out[sizeof(in)];
	unsigned int len;

	len = printk_ring_unescape(out, in, sizeof(in) - 1);
	KUNIT_EXPECT_EQ(test, len, 11);
	KUNIT_EXPECT_EQ(test, 0, memcmp(out, "a\\b\n\\xzz\\x4", len));
}

static void format_record(struct kunit *test)
{
	struct pring_info info = {
		.seq = 42, .ts_nsec = 1234567890, .caller_id = 77, .level = 6,
		.text_len = 6, .ctx = PRING_CTX_TASK,
	};
	char out[PRINTK_RING_PREFIX_MAX + 4 * 6 + 1];

	KUNIT_EXPECT_EQ(test, printk_ring_format_max(6), sizeof(out));
	printk_ring_format(out, sizeof(out), &info, "a\\b\x01\n\xff");
	KUNIT_EXPECT_STREQ(test, out, "6,42,1234567,-,caller=T77;a\\x5cb\\x01\\x0a\\xff\n");

	info.caller_id = PRING_CALLER_CPU | 3;
	info.ctx = PRING_CTX_NMI;
	info.facility = 1;
	info.text_len = 2;
	printk_ring_format(out, sizeof(out), &info, "hi");
	KUNIT_EXPECT_STREQ(test, out, "14,42,1234567,-,caller=C3;hi\n CONTEXT=nmi\n");
}

static struct kunit_case format_cases[] = {
	KUNIT_CASE(parse_write),
	KUNIT_CASE(unescape),
	KUNIT_CASE(format_record),
	{}
};

static struct kunit_suite format_suite = {
	.name = "printk_ring_format",
	.test_cases = format_cases,
};

/*
 * Stress: one writer kthread per online CPU plus one hrtimer per CPU
 * writing from hard-IRQ context, all into one small ring, while one reader
 * checks every record it gets: well formed, checksum right, and each
 * writer's counter increasing by exactly one unless the ring reported a gap.
 */
#define STRESS_PAYLOAD		48

struct stress_record {
	u32	writer;
	u32	n;
	u32	sum;
	char	payload[STRESS_PAYLOAD];
} __packed;

#define STRESS_HEADER		offsetof(struct stress_record, payload)

/* One writer: a kthread or an hrtimer, with its own record counter. */
struct stress_writer {
	struct pring		*ring;
	bool			*stop;
	unsigned int		id;
	u32			next_n;
	struct hrtimer		timer;
	struct task_struct	*thread;
};

static void stress_write(struct stress_writer *w)
{
	unsigned int payload = 1 + w->next_n % STRESS_PAYLOAD;
	struct stress_record rec;
	struct pring_entry e;
	unsigned int i;

	rec.writer = w->id;
	rec.n = w->next_n;
	for (i = 0; i < payload; i++)
		rec.payload[i] = w->id * 31 + rec.n + i;
	rec.sum = jhash(rec.payload, payload, rec.n);
	/* A failed reservation is retried with the same n next time. */
	if (pring_reserve(&e, w->ring, STRESS_HEADER + payload))
		return;
	memcpy(e.text, &rec, STRESS_HEADER + payload);
	pring_final_commit(&e);
	w->next_n++;
}

static int stress_thread(void *data)
{
	struct stress_writer *w = data;

	while (!READ_ONCE(*w->stop)) {
		stress_write(w);
		cond_resched();
	}
	return 0;
}

static enum hrtimer_restart stress_timer(struct hrtimer *t)
{
	struct stress_writer *w = container_of(t, struct stress_writer, timer);

	if (READ_ONCE(*w->stop))
		return HRTIMER_NORESTART;
	stress_write(w);
	hrtimer_forward_now(t, ms_to_ktime(1));
	return HRTIMER_RESTART;
}

/* Runs on the timer's CPU, so that the pinned timer fires there. */
static void stress_start_timer(void *data)
{
	struct stress_writer *w = data;

	hrtimer_start(&w->timer, ms_to_ktime(1), HRTIMER_MODE_REL_PINNED_HARD);
}

/*
 * Read every record from *@seq on and check it: well formed, checksum
 * right, and each writer's n one more than its last, unless the ring
 * reported a gap (then any writer may have lost records: only order is
 * checked until each writer is seen again). Returns the records checked.
 */
static unsigned long stress_check(struct kunit *test, struct pring *ring, u64 *seq,
				  u32 *last_n, unsigned int nr_writers, unsigned long *bad)
{
	struct stress_record rec;
	struct pring_record r = { .text = (char *)&rec, .text_size = sizeof(rec) };
	unsigned long checked = 0;
	unsigned int payload;
	bool ok;

	while (pring_read(ring, *seq, &r)) {
		bool gap = r.info.seq != *seq;

		if (gap)
			memset(last_n, 0xff, sizeof(u32) * nr_writers);
		payload = r.info.text_len - STRESS_HEADER;
		ok = r.info.text_len > STRESS_HEADER && r.info.text_len <= sizeof(rec) &&
		     rec.writer < nr_writers && rec.sum == jhash(rec.payload, payload, rec.n);
		if (ok && last_n[rec.writer] != U32_MAX)
			ok = rec.n == last_n[rec.writer] + 1;
		if (ok) {
			last_n[rec.writer] = rec.n;
		} else {
			(*bad)++;
			kunit_err(test, "bad record: seq %llu len %u writer %u n %u",
				  r.info.seq, r.info.text_len, rec.writer, rec.n);
		}
		*seq = r.info.seq + 1;
		checked++;
	}
	return checked;
}

/*
 * Stress: one writer kthread per online CPU and one hrtimer per CPU writing
 * from hard-IRQ context, all into one small ring, while this test reads and
 * checks every record for stress_ms milliseconds.
 */
static void stress_many_writers(struct kunit *test)
{
	unsigned int nr = 2 * num_online_cpus(), i = 0, started = 0;
	unsigned long checked = 0, bad = 0, deadline;
	struct stress_writer *w;
	struct pring_usage u;
	struct pring *ring;
	bool stop = false;
	u64 seq = 0;
	u32 *last_n;
	int cpu;

	ring = test_ring(test, 6, 12);
	w = kunit_kcalloc(test, nr, sizeof(*w), GFP_KERNEL);
	last_n = kunit_kmalloc_array(test, nr, sizeof(*last_n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, last_n);
	memset(last_n, 0xff, nr * sizeof(*last_n));

	for_each_online_cpu(cpu) {
		w[i].ring = ring;
		w[i + 1].ring = ring;
		w[i].stop = &stop;
		w[i + 1].stop = &stop;
		w[i].id = i;
		w[i + 1].id = i + 1;
		w[i].thread = kthread_create_on_cpu(stress_thread, &w[i], cpu, "pring_stress/%u");
		if (IS_ERR(w[i].thread))
			break;
		wake_up_process(w[i].thread);
		hrtimer_setup(&w[i + 1].timer, stress_timer, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_PINNED_HARD);
		smp_call_function_single(cpu, stress_start_timer, &w[i + 1], 1);
		started += 2;
		i += 2;
	}

	deadline = jiffies + msecs_to_jiffies(stress_ms);
	while (started == nr && time_before(jiffies, deadline)) {
		checked += stress_check(test, ring, &seq, last_n, nr, &bad);
		usleep_range(100, 200);
	}
	WRITE_ONCE(stop, true);
	for (i = 0; i < started; i += 2) {
		hrtimer_cancel(&w[i + 1].timer);
		kthread_stop(w[i].thread);
	}
	KUNIT_ASSERT_EQ_MSG(test, started, nr, "could not start a writer thread");
	checked += stress_check(test, ring, &seq, last_n, nr, &bad);

	pring_usage(ring, &u);
	kunit_info(test, "%lu records written, %lu checked, %lu reservations failed",
		   u.records, checked, u.fail[PRING_FAIL_DESC] + u.fail[PRING_FAIL_DATA]);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_GT(test, checked, 0);
	KUNIT_EXPECT_EQ(test, seq, pring_next_seq(ring));
}

static struct kunit_case stress_cases[] = {
	KUNIT_CASE(stress_many_writers),
	{}
};

static struct kunit_suite stress_suite = {
	.name = "printk_ring_stress",
	.exit = ring_exit,
	.test_cases = stress_cases,
};

kunit_test_suites(&pring_core_suite, &format_suite, &stress_suite);

MODULE_DESCRIPTION("KUnit tests for printk_ring");
MODULE_LICENSE("GPL");
