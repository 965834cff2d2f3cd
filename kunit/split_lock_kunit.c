// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for split_lock's core (split_lock/core.c, compiled into this
 * module so that its internals are reachable without exporting them): the
 * straddle predicate, split_lock_detect= parsing and the kernel's arming
 * rules, the cost meter's refusal, the status text, the hardware event
 * table, the median, and the offender table (insert, update, eviction,
 * top-N order, reset, allocation failures, concurrent writers).
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../split_lock/core.c"
#include "../split_lock/counters.c"

/* Every size up to two lines at every offset of four lines, in two pages. */
static void straddle_every_size_and_offset(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8, 16, 32, 64, 128 };
	unsigned long base, addr;
	unsigned int i, checked = 0;

	for (base = 0; base <= PAGE_SIZE; base += PAGE_SIZE) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			for (addr = base; addr < base + 4 * SL_CACHE_LINE; addr++) {
				/* Lines of the first and the last byte differ. */
				bool two_lines = addr / SL_CACHE_LINE !=
						 (addr + sizes[i] - 1) / SL_CACHE_LINE;

				bool got = sl_straddles(addr, sizes[i], SL_CACHE_LINE);

				KUNIT_EXPECT_EQ_MSG(test, got, two_lines, "addr %lu size %u",
						    addr, sizes[i]);
				checked++;
			}
		}
	}
	KUNIT_EXPECT_EQ(test, checked, 2 * ARRAY_SIZE(sizes) * 4 * SL_CACHE_LINE);
	/* The meter's operands: offset 62 straddles, offset 128 does not. */
	KUNIT_EXPECT_TRUE(test, sl_straddles(SL_CACHE_LINE - 2, 4, SL_CACHE_LINE));
	KUNIT_EXPECT_FALSE(test, sl_straddles(2 * SL_CACHE_LINE, 4, SL_CACHE_LINE));
}

static const struct {
	const char *cmdline;
	enum sl_mode mode;
	unsigned int ratelimit;
	bool given;
} cmdline_cases[] = {
	{ "", SL_MODE_WARN, 0, false },
	{ "root=/dev/vda console=ttyS0", SL_MODE_WARN, 0, false },
	{ "root=/dev/vda split_lock_detect=off", SL_MODE_OFF, 0, true },
	{ "split_lock_detect=warn", SL_MODE_WARN, 0, true },
	{ "split_lock_detect=fatal quiet", SL_MODE_FATAL, 0, true },
	{ "  split_lock_detect=ratelimit:10\t", SL_MODE_RATELIMIT, 10, true },
	{ "split_lock_detect=ratelimit:1000", SL_MODE_RATELIMIT, 1000, true },
	/* Out of range: the kernel keeps warn. */
	{ "split_lock_detect=ratelimit:1001", SL_MODE_WARN, 0, true },
	{ "split_lock_detect=ratelimit:0", SL_MODE_WARN, 0, true },
	/* "ratelimit:" alone matches its option exactly: no limit set. */
	{ "split_lock_detect=ratelimit:", SL_MODE_RATELIMIT, 0, true },
	{ "split_lock_detect=offx", SL_MODE_WARN, 0, true },
	{ "split_lock_detect=", SL_MODE_WARN, 0, true },
	{ "split_lock_detect", SL_MODE_WARN, 0, false },
	{ "xsplit_lock_detect=fatal", SL_MODE_WARN, 0, false },
	/* The last occurrence wins. */
	{ "split_lock_detect=fatal split_lock_detect=off", SL_MODE_OFF, 0, true },
	/* Values longer than the kernel's 20-byte buffer are cut, then fail. */
	{ "split_lock_detect=fatalfatalfatalfatalfatal", SL_MODE_WARN, 0, true },
};

static void parse_cmdline(struct kunit *test)
{
	struct sl_cmdline_mode m;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmdline_cases); i++) {
		sl_parse_cmdline(cmdline_cases[i].cmdline, &m);
		KUNIT_EXPECT_EQ_MSG(test, m.mode, cmdline_cases[i].mode, "\"%s\"",
				    cmdline_cases[i].cmdline);
		KUNIT_EXPECT_EQ_MSG(test, m.ratelimit, cmdline_cases[i].ratelimit, "\"%s\"",
				    cmdline_cases[i].cmdline);
		KUNIT_EXPECT_EQ_MSG(test, m.given, cmdline_cases[i].given, "\"%s\"",
				    cmdline_cases[i].cmdline);
	}
}

/*
 * The arming rules of split_lock_init() and bus_lock_init(), case by case:
 * #AC when the CPU has it in warn/fatal; #DB in ratelimit, or in warn/fatal
 * when #AC is missing; nothing in off or without either feature.
 */
static void detection_rules(struct kunit *test)
{
	static const struct {
		bool sld, bld;
		enum sl_mode mode;
		bool ac, db;
	} cases[] = {
		{ false, false, SL_MODE_FATAL, false, false },
		{ true, false, SL_MODE_OFF, false, false },
		{ true, false, SL_MODE_WARN, true, false },
		{ true, false, SL_MODE_FATAL, true, false },
		{ true, false, SL_MODE_RATELIMIT, false, false },
		{ false, true, SL_MODE_OFF, false, false },
		{ false, true, SL_MODE_WARN, false, true },
		{ false, true, SL_MODE_FATAL, false, true },
		{ false, true, SL_MODE_RATELIMIT, false, true },
		{ true, true, SL_MODE_WARN, true, false },
		{ true, true, SL_MODE_FATAL, true, false },
		{ true, true, SL_MODE_RATELIMIT, false, true },
		{ true, true, SL_MODE_OFF, false, false },
	};
	struct sl_status st = { };
	struct sl_detection det;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		enum sl_mode mode = SL_MODE_OFF;

		/* The option counts only when the CPU can detect something. */
		if (cases[i].sld || cases[i].bld)
			mode = cases[i].mode;
		st.has_sld = cases[i].sld;
		st.has_bld = cases[i].bld;
		st.cmdline.mode = cases[i].mode;
		sl_detection_of(&st, &det);
		KUNIT_EXPECT_EQ_MSG(test, det.ac_active, cases[i].ac, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, det.db_active, cases[i].db, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, det.mode, mode, "case %u", i);
	}
}

static void meter_refusal(struct kunit *test)
{
	struct sl_cpu_msrs cpus[2] = {
		{ .cpu = 0, .test_ctrl_err = -EIO, .debugctl_err = -EIO },
		{ .cpu = 1, .test_ctrl_err = -EIO, .debugctl_err = -EIO },
	};
	struct sl_status st = { .nr_cpus = 2, .cpus = cpus,
				.cmdline = { .mode = SL_MODE_WARN } };

	/* A CPU without either feature (QEMU's): unreadable MSRs are expected. */
	KUNIT_EXPECT_NULL(test, sl_meter_refusal(&st));

	st.has_sld = true;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));	/* armed by the rules */
	st.cmdline.mode = SL_MODE_OFF;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));	/* MSR unreadable */
	cpus[0].test_ctrl_err = 0;
	cpus[1].test_ctrl_err = 0;
	KUNIT_EXPECT_NULL(test, sl_meter_refusal(&st));
	cpus[1].test_ctrl = MSR_TEST_CTRL_SPLIT_LOCK_DETECT;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));	/* on, whatever the rules */
	cpus[1].test_ctrl = 0;

	st.has_bld = true;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));	/* DEBUGCTL unreadable */
	cpus[0].debugctl_err = 0;
	cpus[1].debugctl_err = 0;
	KUNIT_EXPECT_NULL(test, sl_meter_refusal(&st));
	cpus[0].debugctl = DEBUGCTLMSR_BUS_LOCK_DETECT;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));
	cpus[0].debugctl = 0;
	st.cmdline.mode = SL_MODE_RATELIMIT;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));	/* #DB armed */
	st.cmdline.mode = SL_MODE_OFF;
	KUNIT_EXPECT_NULL(test, sl_meter_refusal(&st));

	/* A guest: its host may be in fatal mode, but for QEMU's TCG. */
	st.hypervisor = true;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));	/* no signature */
	strscpy(st.hypervisor_sig, "KVMKVMKVM", sizeof(st.hypervisor_sig));
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));
	st.meter_in_guest = true;
	KUNIT_EXPECT_NULL(test, sl_meter_refusal(&st));
	st.meter_in_guest = false;
	strscpy(st.hypervisor_sig, "TCGTCGTCGTCG", sizeof(st.hypervisor_sig));
	KUNIT_EXPECT_NULL(test, sl_meter_refusal(&st));
	/* Forced or not, detection armed still refuses. */
	st.meter_in_guest = true;
	cpus[0].debugctl = DEBUGCTLMSR_BUS_LOCK_DETECT;
	KUNIT_EXPECT_NOT_NULL(test, sl_meter_refusal(&st));
}

static void status_format(struct kunit *test)
{
	struct sl_cpu_msrs cpus[2] = {
		{ .cpu = 0, .test_ctrl = MSR_TEST_CTRL_SPLIT_LOCK_DETECT, .debugctl = 0 },
		{ .cpu = 3, .test_ctrl_err = -EIO, .debugctl = DEBUGCTLMSR_BUS_LOCK_DETECT },
	};
	struct sl_status st = {
		.vendor = "GenuineIntel", .model_name = "Test CPU",
		.family = 6, .model = 0x8f, .stepping = 8,
		.has_sld = true, .has_bld = true,
		.cmdline = { .mode = SL_MODE_RATELIMIT, .ratelimit = 7, .given = true },
		.mitigate = 1, .nr_cpus = 2, .cpus = cpus,
	};
	static const char *const expected[] = {
		"vendor: GenuineIntel\n", "family: 6\n", "model: 0x8f\n", "stepping: 8\n",
		"model_name: Test CPU\n", "hypervisor: no\n",
		"split_lock_detect: supported (#AC)\n", "bus_lock_detect: supported (#DB)\n",
		"cmdline: split_lock_detect=ratelimit:7\n", "mode: ratelimit:7\n",
		"ac_detection: off\n", "db_detection: armed\n", "split_lock_mitigate: 1\n",
		"msr_test_ctrl.cpu0: 0x0000000020000000 (split-lock #AC on)\n",
		"msr_debugctl.cpu0: 0x0000000000000000 (bus-lock #DB off)\n",
		"msr_test_ctrl.cpu3: unreadable (error -5)\n",
		"msr_debugctl.cpu3: 0x0000000000000004 (bus-lock #DB on)\n",
		"cost_meter: refused: bus-lock detection (#DB) is armed",
	};
	static const char *const expected_bare[] = {
		"hypervisor: yes (TCGTCGTCGTCG)\n",
		"split_lock_detect: not supported (never enabled under a hypervisor)\n",
		"cmdline: split_lock_detect not given (default warn)\n",
		"mode: off (no detection on this CPU)\n",
		"split_lock_mitigate: not present\n",
		"cost_meter: allowed\n",
	};
	char *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	char small[32];
	unsigned int i;
	int len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = sl_status_format(&st, buf, 4096);
	KUNIT_EXPECT_EQ(test, len, (int)strlen(buf));
	for (i = 0; i < ARRAY_SIZE(expected); i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, expected[i]), "missing: %s",
					  expected[i]);

	/* No features, under a hypervisor, no option, no sysctl. */
	memset(&st, 0, sizeof(st));
	st.hypervisor = true;
	strscpy(st.hypervisor_sig, "TCGTCGTCGTCG", sizeof(st.hypervisor_sig));
	st.mitigate = -1;
	st.cmdline.mode = SL_MODE_WARN;
	sl_status_format(&st, buf, 4096);
	for (i = 0; i < ARRAY_SIZE(expected_bare); i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, expected_bare[i]), "missing: %s",
					  expected_bare[i]);

	/* A short buffer is filled, terminated and never overrun. */
	memset(small, 'x', sizeof(small));
	len = sl_status_format(&st, small, sizeof(small) - 8);
	KUNIT_EXPECT_LT(test, len, (int)sizeof(small) - 8);
	KUNIT_EXPECT_EQ(test, small[len], '\0');
	KUNIT_EXPECT_EQ(test, small[sizeof(small) - 1], 'x');
}

static void pmu_events(struct kunit *test)
{
	const struct sl_pmu_event *ev;
	unsigned int i, j;

	ev = sl_pmu_event_lookup(X86_VENDOR_INTEL, 6, 0x5e);		/* Skylake */
	KUNIT_ASSERT_NOT_NULL(test, ev);
	KUNIT_EXPECT_STREQ(test, ev->name, "SQ_MISC.SPLIT_LOCK");
	KUNIT_EXPECT_EQ(test, sl_pmu_event_config(ev), 0x10f4ULL);
	ev = sl_pmu_event_lookup(X86_VENDOR_INTEL, 6, 0x8f);		/* Sapphire Rapids */
	KUNIT_ASSERT_NOT_NULL(test, ev);
	KUNIT_EXPECT_STREQ(test, ev->name, "SQ_MISC.BUS_LOCK");
	KUNIT_EXPECT_EQ(test, sl_pmu_event_config(ev), 0x102cULL);
	ev = sl_pmu_event_lookup(X86_VENDOR_INTEL, 6, 0x86);		/* Snow Ridge */
	KUNIT_ASSERT_NOT_NULL(test, ev);
	KUNIT_EXPECT_EQ(test, sl_pmu_event_config(ev), 0x40063ULL);	/* edge */
	ev = sl_pmu_event_lookup(X86_VENDOR_AMD, 0x19, 0x61);		/* Zen 4 */
	KUNIT_ASSERT_NOT_NULL(test, ev);
	KUNIT_EXPECT_STREQ(test, ev->name, "ls_locks.bus_lock");
	KUNIT_EXPECT_EQ(test, sl_pmu_event_config(ev), 0x125ULL);
	KUNIT_EXPECT_NULL(test, sl_pmu_event_lookup(X86_VENDOR_INTEL, 6, 0x97));	/* hybrid */
	KUNIT_EXPECT_NULL(test, sl_pmu_event_lookup(X86_VENDOR_INTEL, 15, 0x6));
	KUNIT_EXPECT_NULL(test, sl_pmu_event_lookup(X86_VENDOR_AMD, 0x15, 0x2));
	KUNIT_EXPECT_NULL(test, sl_pmu_event_lookup(X86_VENDOR_HYGON, 0x18, 0x0));

	/* No model listed twice: a lookup must not depend on table order. */
	for (i = 0; i < ARRAY_SIZE(sl_intel_fam6_events); i++)
		for (j = i + 1; j < ARRAY_SIZE(sl_intel_fam6_events); j++)
			KUNIT_EXPECT_NE_MSG(test, sl_intel_fam6_events[i].model,
					    sl_intel_fam6_events[j].model,
					    "entries %u and %u", i, j);
}

static void median(struct kunit *test)
{
	u64 odd[] = { 9, 1, 5, 7, 3 }, even[] = { 40, 10, 30, 20 }, dup[] = { 2, 2, 1, 2 };
	u64 one[] = { 42 };

	KUNIT_EXPECT_EQ(test, sl_median(odd, ARRAY_SIZE(odd)), 5ULL);
	KUNIT_EXPECT_EQ(test, sl_median(even, ARRAY_SIZE(even)), 20ULL);
	KUNIT_EXPECT_EQ(test, sl_median(dup, ARRAY_SIZE(dup)), 2ULL);
	KUNIT_EXPECT_EQ(test, sl_median(one, 1), 42ULL);
	KUNIT_EXPECT_EQ(test, sl_median(NULL, 0), 0ULL);
	/* Sorted in place. */
	KUNIT_EXPECT_EQ(test, odd[0], 1ULL);
	KUNIT_EXPECT_EQ(test, odd[4], 9ULL);
}

static struct kunit_case core_cases[] = {
	KUNIT_CASE(straddle_every_size_and_offset),
	KUNIT_CASE(parse_cmdline),
	KUNIT_CASE(detection_rules),
	KUNIT_CASE(meter_refusal),
	KUNIT_CASE(status_format),
	KUNIT_CASE(pmu_events),
	KUNIT_CASE(median),
	{}
};

static struct kunit_suite core_suite = {
	.name = "split_lock_core",
	.test_cases = core_cases,
};

/* A table freed by table_exit() when the test ends, pass or fail. */
static struct sl_table *test_table(struct kunit *test, unsigned int capacity)
{
	struct sl_table *table = sl_table_alloc(capacity, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, table);
	test->priv = table;
	return table;
}

static void table_exit(struct kunit *test)
{
	sl_table_free(test->priv);
}

static void record(struct sl_table *table, pid_t pid, enum sl_kind kind,
		   unsigned long ip, u64 ns)
{
	struct sl_event ev = {
		.kind = kind, .pid = pid, .tgid = pid / 10 * 10, .comm = "worker",
		.ip = ip, .cpu = pid % 4, .ns = ns,
	};

	sl_table_record(table, &ev);
}

/* The rows, sorted, in a test-managed array. */
static unsigned int rows_of(struct kunit *test, struct sl_table *table,
			    struct sl_offender **rows, u64 *recorded, u64 *evictions)
{
	unsigned int n;

	*rows = kunit_kcalloc(test, table->capacity, sizeof(**rows), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *rows);
	n = sl_table_snapshot(table, *rows, recorded, evictions);
	sl_offenders_sort(*rows, n);
	return n;
}

static void table_insert_update(struct kunit *test)
{
	struct sl_table *table = test_table(test, SL_TABLE_MIN);
	struct sl_offender *rows;
	u64 recorded, evictions;

	record(table, 11, SL_KIND_SPLIT_LOCK, 0x1000, 1);
	record(table, 22, SL_KIND_BUS_LOCK, 0x2000, 2);
	record(table, 11, SL_KIND_GUEST_SPLIT_LOCK, 0x1004, 3);
	KUNIT_ASSERT_EQ(test, rows_of(test, table, &rows, &recorded, &evictions), 2U);
	KUNIT_EXPECT_EQ(test, recorded, 3ULL);
	KUNIT_EXPECT_EQ(test, evictions, 0ULL);

	KUNIT_EXPECT_EQ(test, rows[0].pid, 11);
	KUNIT_EXPECT_EQ(test, rows[0].tgid, 10);
	KUNIT_EXPECT_STREQ(test, rows[0].comm, "worker");
	KUNIT_EXPECT_EQ(test, rows[0].total, 2ULL);
	KUNIT_EXPECT_EQ(test, rows[0].count[SL_KIND_SPLIT_LOCK], 1ULL);
	KUNIT_EXPECT_EQ(test, rows[0].count[SL_KIND_BUS_LOCK], 0ULL);
	KUNIT_EXPECT_EQ(test, rows[0].count[SL_KIND_GUEST_SPLIT_LOCK], 1ULL);
	KUNIT_EXPECT_EQ(test, rows[0].last_kind, SL_KIND_GUEST_SPLIT_LOCK);
	KUNIT_EXPECT_EQ(test, rows[0].last_ip, 0x1004UL);
	KUNIT_EXPECT_EQ(test, rows[0].first_ns, 1ULL);
	KUNIT_EXPECT_EQ(test, rows[0].last_ns, 3ULL);

	KUNIT_EXPECT_EQ(test, rows[1].pid, 22);
	KUNIT_EXPECT_EQ(test, rows[1].count[SL_KIND_BUS_LOCK], 1ULL);
	KUNIT_EXPECT_EQ(test, rows[1].last_cpu, 2U);
}

/* A full table evicts the row with the fewest traps, the oldest of those. */
static void table_eviction(struct kunit *test)
{
	struct sl_table *table = test_table(test, SL_TABLE_MIN);
	struct sl_offender *rows;
	u64 recorded, evictions, ns = 0;
	unsigned int i, j, n;
	bool seen[SL_TABLE_MIN + 3] = { };

	/* pid i traps i + 1 times; pids 0 and 1 have the fewest. */
	for (i = 0; i < SL_TABLE_MIN; i++)
		for (j = 0; j <= i; j++)
			record(table, i, SL_KIND_SPLIT_LOCK, i, ++ns);
	record(table, 0, SL_KIND_SPLIT_LOCK, 0, ++ns);	/* pid 0: 2 traps, newer than pid 1 */

	record(table, SL_TABLE_MIN, SL_KIND_BUS_LOCK, 0, ++ns);	/* evicts pid 1 */
	record(table, SL_TABLE_MIN + 1, SL_KIND_BUS_LOCK, 0, ++ns); /* evicts pid SL_TABLE_MIN */
	n = rows_of(test, table, &rows, &recorded, &evictions);
	KUNIT_EXPECT_EQ(test, n, SL_TABLE_MIN);
	KUNIT_EXPECT_EQ(test, evictions, 2ULL);
	KUNIT_EXPECT_EQ(test, recorded, (u64)SL_TABLE_MIN * (SL_TABLE_MIN + 1) / 2 + 3);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_LT(test, rows[i].pid, SL_TABLE_MIN + 2);
		seen[rows[i].pid] = true;
	}
	KUNIT_EXPECT_TRUE(test, seen[0]);
	KUNIT_EXPECT_FALSE(test, seen[1]);
	KUNIT_EXPECT_FALSE(test, seen[SL_TABLE_MIN]);
	KUNIT_EXPECT_TRUE(test, seen[SL_TABLE_MIN + 1]);
	/* The heaviest offender survives every eviction and comes first. */
	KUNIT_EXPECT_EQ(test, rows[0].pid, SL_TABLE_MIN - 1);
	KUNIT_EXPECT_EQ(test, rows[0].total, (u64)SL_TABLE_MIN);
	/* A returning task starts a new row: its history went with the eviction. */
	record(table, 1, SL_KIND_SPLIT_LOCK, 0, ++ns);
	n = rows_of(test, table, &rows, &recorded, &evictions);
	for (i = 0; i < n; i++)
		if (rows[i].pid == 1)
			KUNIT_EXPECT_EQ(test, rows[i].total, 1ULL);
}

static void table_top_order(struct kunit *test)
{
	struct sl_table *table = test_table(test, 16);
	struct sl_offender *rows;
	u64 recorded, evictions;
	static const pid_t expected[] = { 5, 7, 3, 4, 9 };
	unsigned int i;

	record(table, 3, SL_KIND_SPLIT_LOCK, 0, 10);
	record(table, 5, SL_KIND_SPLIT_LOCK, 0, 11);
	record(table, 5, SL_KIND_SPLIT_LOCK, 0, 12);
	record(table, 5, SL_KIND_SPLIT_LOCK, 0, 13);
	record(table, 7, SL_KIND_BUS_LOCK, 0, 14);
	record(table, 7, SL_KIND_BUS_LOCK, 0, 15);
	record(table, 4, SL_KIND_SPLIT_LOCK, 0, 10);	/* ties pid 3 on count and time */
	record(table, 9, SL_KIND_SPLIT_LOCK, 0, 9);	/* ties on count, older */
	KUNIT_ASSERT_EQ(test, rows_of(test, table, &rows, &recorded, &evictions),
			(unsigned int)ARRAY_SIZE(expected));
	for (i = 0; i < ARRAY_SIZE(expected); i++)
		KUNIT_EXPECT_EQ_MSG(test, rows[i].pid, expected[i], "rank %u", i);
}

static void table_reset(struct kunit *test)
{
	struct sl_table *table = test_table(test, SL_TABLE_MIN);
	struct sl_offender *rows;
	u64 recorded, evictions;
	unsigned int i;

	for (i = 0; i < 3 * SL_TABLE_MIN; i++)
		record(table, i, SL_KIND_SPLIT_LOCK, 0, i);
	sl_table_reset(table);
	KUNIT_EXPECT_EQ(test, rows_of(test, table, &rows, &recorded, &evictions), 0U);
	KUNIT_EXPECT_EQ(test, recorded, 0ULL);
	KUNIT_EXPECT_EQ(test, evictions, 0ULL);
	record(table, 42, SL_KIND_SPLIT_LOCK, 0, 1);
	KUNIT_EXPECT_EQ(test, rows_of(test, table, &rows, &recorded, &evictions), 1U);
	KUNIT_EXPECT_EQ(test, rows[0].total, 1ULL);
}

static void table_bounds(struct kunit *test)
{
	struct sl_table *table;

	KUNIT_EXPECT_NULL(test, sl_table_alloc(SL_TABLE_MIN - 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, sl_table_alloc(SL_TABLE_MAX + 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, sl_table_alloc(0, GFP_KERNEL));
	table = sl_table_alloc(SL_TABLE_MAX, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, table);
	sl_table_free(table);
	sl_table_free(NULL);
}

/*
 * Fail each allocation of sl_table_alloc() in turn (the task's fail-nth),
 * for a small table (one kmalloc) and the largest (kvzalloc(), which falls
 * back from kmalloc() to vmalloc()): each failure must give NULL or a table
 * that works; kmemleak, after the suite, sees nothing left behind.
 */
static void table_alloc_failures(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	static const unsigned int capacities[] = { SL_TABLE_MIN, SL_TABLE_MAX };
	unsigned int c, nth, points = 0, refused[ARRAY_SIZE(capacities)] = { };
	struct sl_table *table;
	struct sl_offender *rows;
	u64 recorded, evictions;

	for (c = 0; c < ARRAY_SIZE(capacities); c++) {
		for (nth = 1; nth < 100; nth++) {
			WRITE_ONCE(current->fail_nth, nth);
			table = sl_table_alloc(capacities[c], GFP_KERNEL);
			if (READ_ONCE(current->fail_nth)) {
				/* Fewer than nth points: each has failed once. */
				WRITE_ONCE(current->fail_nth, 0);
				sl_table_free(table);
				break;
			}
			points++;
			if (!table) {
				refused[c]++;
				continue;
			}
			test->priv = table;
			record(table, 1, SL_KIND_SPLIT_LOCK, 0, 1);
			KUNIT_EXPECT_EQ(test, 1U,
					rows_of(test, table, &rows, &recorded, &evictions));
			sl_table_free(table);
			test->priv = NULL;
		}
		kunit_info(test, "capacity %u: %u failures refused the table", capacities[c],
			   refused[c]);
	}
	/* Fault injection spares sleeping allocations unless told otherwise. */
	if (!points)
		kunit_skip(test, "nothing failed: needs ignore-gfp-wait=N");
	/* One kmalloc: its failure is the table's. */
	KUNIT_EXPECT_EQ(test, refused[0], 1U);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

#define CONCURRENT_EVENTS 20000

struct recorder {
	struct sl_table *table;
	pid_t first_pid;
};

/* Records, then waits for kthread_stop(), which must find it alive. */
static int recorder_fn(void *arg)
{
	struct recorder *r = arg;
	unsigned int i;

	for (i = 0; i < CONCURRENT_EVENTS; i++) {
		record(r->table, r->first_pid + i % 100, i % SL_NR_KINDS, i, i);
		if (i % 1000 == 0)
			cond_resched();
	}
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Writers on two CPUs and in this thread: no trap is lost or counted twice. */
static void table_concurrent(struct kunit *test)
{
	struct sl_table *table = test_table(test, 512);
	struct recorder r[2];
	struct task_struct *task[2];
	struct sl_offender *rows;
	u64 recorded, evictions, sum = 0, kinds[SL_NR_KINDS] = { };
	unsigned int i, k, n, started;

	for (started = 0; started < ARRAY_SIZE(r); started++) {
		r[started] = (struct recorder){ .table = table,
						.first_pid = 1000 + started * 50 };
		task[started] = kthread_run(recorder_fn, &r[started], "sl_kunit/%u", started);
		if (IS_ERR(task[started]))
			break;
	}
	if (started == ARRAY_SIZE(r))
		for (i = 0; i < CONCURRENT_EVENTS; i++)
			record(table, 5000 + i % 7, SL_KIND_BUS_LOCK, i, i);
	for (i = 0; i < started; i++)
		kthread_stop(task[i]);
	KUNIT_ASSERT_EQ(test, started, (unsigned int)ARRAY_SIZE(r));

	n = rows_of(test, table, &rows, &recorded, &evictions);
	KUNIT_EXPECT_EQ(test, evictions, 0ULL);
	/* Pids 1000-1099 and 1050-1149 overlap by 50, plus 7 of this thread. */
	KUNIT_EXPECT_EQ(test, n, 150U + 7U);
	for (i = 0; i < n; i++) {
		u64 row = 0;

		for (k = 0; k < SL_NR_KINDS; k++) {
			row += rows[i].count[k];
			kinds[k] += rows[i].count[k];
		}
		KUNIT_EXPECT_EQ(test, row, rows[i].total);
		sum += rows[i].total;
	}
	KUNIT_EXPECT_EQ(test, recorded, 3ULL * CONCURRENT_EVENTS);
	KUNIT_EXPECT_EQ(test, sum, 3ULL * CONCURRENT_EVENTS);
	KUNIT_EXPECT_GT(test, kinds[SL_KIND_BUS_LOCK], (u64)CONCURRENT_EVENTS);
}

static struct kunit_case table_cases[] = {
	KUNIT_CASE(table_insert_update),
	KUNIT_CASE(table_eviction),
	KUNIT_CASE(table_top_order),
	KUNIT_CASE(table_reset),
	KUNIT_CASE(table_bounds),
	KUNIT_CASE(table_alloc_failures),
	KUNIT_CASE(table_concurrent),
	{}
};

static struct kunit_suite table_suite = {
	.name = "split_lock_table",
	.exit = table_exit,
	.test_cases = table_cases,
};

/*
 * The detector's per-CPU counters, driven with a software event: a cpu-clock
 * counter sampling each millisecond (an hrtimer on its CPU) calls its
 * overflow handler for as long as it exists, so a counter left behind shows
 * as calls after sl_cpu_counters_create() has returned.
 */
#define COUNTER_PERIOD_NS	NSEC_PER_MSEC
#define COUNTER_WATCH_MS	50

static void counter_overflow(struct perf_event *event, struct perf_sample_data *data,
			     struct pt_regs *regs)
{
	atomic_inc(event->overflow_handler_context);
}

static struct perf_event_attr counter_attr = {
	.type		= PERF_TYPE_SOFTWARE,
	.config		= PERF_COUNT_SW_CPU_CLOCK,
	.size		= sizeof(counter_attr),
	.sample_period	= COUNTER_PERIOD_NS,
	.pinned		= 1,
};

/*
 * The overflow calls of the counters a case makes. Not on the case's
 * stack: a counter left behind by a regression calls on after the case.
 */
static atomic_t counter_calls;

static struct perf_event **test_counters(struct kunit *test)
{
	struct perf_event **counters;

	atomic_set(&counter_calls, 0);
	counters = kunit_kcalloc(test, nr_cpu_ids, sizeof(*counters), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, counters);
	test->priv = counters;
	return counters;
}

static void counters_exit(struct kunit *test)
{
	if (test->priv)
		sl_cpu_counters_release(test->priv);
}

/* Overflow calls within COUNTER_WATCH_MS of now. */
static int calls_while_watching(void)
{
	int before = atomic_read(&counter_calls);

	msleep(COUNTER_WATCH_MS);
	return atomic_read(&counter_calls) - before;
}

/* A counter on each online CPU, that counts until released, then stops. */
static void counters_create_release(struct kunit *test)
{
	struct perf_event **counters = test_counters(test);
	unsigned int cpu, made = 0, failed_cpu;

	KUNIT_ASSERT_EQ(test, 0, sl_cpu_counters_create(&counter_attr, counter_overflow,
							&counter_calls, counters, &failed_cpu));
	for_each_possible_cpu(cpu) {
		KUNIT_EXPECT_EQ(test, !!counters[cpu], cpu_online(cpu));
		made += !!counters[cpu];
	}
	KUNIT_EXPECT_EQ(test, made, num_online_cpus());
	/* What the failure test below relies on to see a counter left behind. */
	KUNIT_EXPECT_GT(test, calls_while_watching(), 0);
	sl_cpu_counters_release(counters);
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_NULL(test, counters[cpu]);
	KUNIT_EXPECT_EQ(test, calls_while_watching(), 0);
}

/*
 * Fail each allocation of sl_cpu_counters_create() in turn (the task's
 * fail-nth): a failure on a later CPU must release the counters made on
 * the earlier ones (pinned kernel counters, else alive until reboot). How
 * many allocations a call makes varies (a slab may need a new page), so
 * the sweep goes to COUNTER_MAX_POINTS and is repeated until a failure on
 * a CPU after the first has been seen COUNTER_LATER_FAILURES times. The
 * first counter left ends the case (after releasing it), so that one
 * regression makes one message.
 */
#define COUNTER_MAX_POINTS	32
#define COUNTER_MAX_SWEEPS	16
#define COUNTER_LATER_FAILURES	2U

static void counters_alloc_failures(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned int cpu, nth, sweep, failed = 0, later = 0, left, failed_cpu;
	unsigned int first = cpumask_first(cpu_online_mask);
	struct perf_event **counters;
	int err, calls;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 online CPUs: a failure on the first leaves nothing");
	counters = test_counters(test);

	for (sweep = 0; sweep < COUNTER_MAX_SWEEPS && later < COUNTER_LATER_FAILURES; sweep++) {
		for (nth = 1; nth <= COUNTER_MAX_POINTS; nth++) {
			failed_cpu = UINT_MAX;
			WRITE_ONCE(current->fail_nth, nth);
			err = sl_cpu_counters_create(&counter_attr, counter_overflow,
						     &counter_calls, counters, &failed_cpu);
			WRITE_ONCE(current->fail_nth, 0);
			if (!err) {
				/* Fewer than nth points, or perf absorbed it. */
				sl_cpu_counters_release(counters);
				continue;
			}
			failed++;
			later += failed_cpu != first;
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			KUNIT_EXPECT_TRUE(test, cpu_online(failed_cpu));
			left = 0;
			for_each_possible_cpu(cpu)
				left += !!counters[cpu];
			calls = calls_while_watching();
			sl_cpu_counters_release(counters);
			KUNIT_ASSERT_EQ_MSG(test, left, 0U, "counters left after cpu%u's failure",
					    failed_cpu);
			KUNIT_ASSERT_EQ_MSG(test, calls, 0, "a counter outlived cpu%u's failure",
					    failed_cpu);
		}
	}
	kunit_info(test, "%u sweeps: %u failures refused the counters, %u on a CPU after the first",
		   sweep, failed, later);
	/* Fault injection spares sleeping allocations unless told otherwise. */
	if (!failed)
		kunit_skip(test, "nothing failed: needs ignore-gfp-wait=N");
	KUNIT_EXPECT_GE(test, later, COUNTER_LATER_FAILURES);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

static struct kunit_case counters_cases[] = {
	KUNIT_CASE(counters_create_release),
	KUNIT_CASE(counters_alloc_failures),
	{}
};

static struct kunit_suite counters_suite = {
	.name = "split_lock_counters",
	.exit = counters_exit,
	.test_cases = counters_cases,
};

kunit_test_suites(&core_suite, &table_suite, &counters_suite);

MODULE_DESCRIPTION("KUnit tests for split_lock");
MODULE_LICENSE("GPL");
