/* SPDX-License-Identifier: GPL-2.0 */
/*
 * split_lock core: the logic of the split-lock detector and cost meter that
 * needs no hardware, kprobe or debugfs, so that KUnit can drive it with
 * synthetic inputs (kunit/split_lock_kunit.c includes core.c).
 */
#ifndef SPLIT_LOCK_CORE_H
#define SPLIT_LOCK_CORE_H

#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* What the kernel trapped on; the order is the order of the columns. */
enum sl_kind {
	SL_KIND_SPLIT_LOCK,		/* #AC in user mode */
	SL_KIND_BUS_LOCK,		/* #DB after a user-mode bus lock */
	SL_KIND_GUEST_SPLIT_LOCK,	/* #AC in a KVM guest, seen by the host */
	SL_NR_KINDS,
};

/* The kernel's split_lock_detect= modes (enum split_lock_detect_state). */
enum sl_mode {
	SL_MODE_OFF,
	SL_MODE_WARN,
	SL_MODE_FATAL,
	SL_MODE_RATELIMIT,
};

#define SL_CACHE_LINE		64

/* CPUID 0x40000000's signature under QEMU's TCG, which has no host #AC. */
#define SL_TCG_SIGNATURE	"TCGTCGTCGTCG"
#define SL_TABLE_MIN		8
#define SL_TABLE_MAX		4096
/* The kernel parses split_lock_detect= into a 20-byte buffer. */
#define SL_CMDLINE_ARG_MAX	20

/**
 * struct sl_cmdline_mode - split_lock_detect= as the kernel reads it
 * @mode: the mode the option selects, %SL_MODE_WARN when absent or invalid
 * @ratelimit: bus locks per second for %SL_MODE_RATELIMIT, else 0
 * @given: the option is on the command line (valid or not)
 */
struct sl_cmdline_mode {
	enum sl_mode mode;
	unsigned int ratelimit;
	bool given;
};

/**
 * struct sl_cpu_msrs - one CPU's detection MSRs, as read with the _safe accessors
 * @cpu: CPU number
 * @test_ctrl_err: 0, or the error reading MSR_TEST_CTRL
 * @test_ctrl: MSR_TEST_CTRL (bit 29: split-lock #AC enabled)
 * @debugctl_err: 0, or the error reading MSR_IA32_DEBUGCTLMSR
 * @debugctl: MSR_IA32_DEBUGCTLMSR (bit 2: bus-lock #DB enabled)
 */
struct sl_cpu_msrs {
	unsigned int cpu;
	int test_ctrl_err;
	u64 test_ctrl;
	int debugctl_err;
	u64 debugctl;
};

/**
 * struct sl_status - what the machine supports and what the kernel does
 * @vendor: CPUID vendor string
 * @model_name: CPUID brand string
 * @family: display family
 * @model: display model
 * @stepping: stepping
 * @has_sld: X86_FEATURE_SPLIT_LOCK_DETECT (set by the kernel only after it
 *	has verified MSR_TEST_CTRL on a model known to have it)
 * @has_bld: X86_FEATURE_BUS_LOCK_DETECT
 * @hypervisor: X86_FEATURE_HYPERVISOR (the kernel then never enables #AC)
 * @hypervisor_sig: CPUID 0x40000000 signature, "" if none
 * @meter_in_guest: the meter may run under any hypervisor (meter_in_guest=1)
 * @cmdline_err: 0, or the error reading the command line
 * @cmdline: split_lock_detect= parsed as the kernel parses it
 * @mitigate: kernel.split_lock_mitigate, or -1 where it does not exist
 * @nr_cpus: number of entries in @cpus
 * @cpus: per online CPU MSR readings
 */
struct sl_status {
	char vendor[16];
	char model_name[64];
	unsigned int family;
	unsigned int model;
	unsigned int stepping;
	bool has_sld;
	bool has_bld;
	bool hypervisor;
	char hypervisor_sig[13];
	bool meter_in_guest;
	int cmdline_err;
	struct sl_cmdline_mode cmdline;
	int mitigate;
	unsigned int nr_cpus;
	struct sl_cpu_msrs *cpus;
};

/**
 * struct sl_detection - the detection the kernel has armed
 * @mode: effective mode (%SL_MODE_OFF when the CPU detects nothing)
 * @ac_active: split locks raise #AC
 * @db_active: bus locks raise #DB
 */
struct sl_detection {
	enum sl_mode mode;
	bool ac_active;
	bool db_active;
};

/**
 * struct sl_event - one trap, as a probe saw it
 * @kind: which trap
 * @pid: thread ID of the offender
 * @tgid: its process ID
 * @comm: its command name
 * @ip: instruction pointer the kernel reported
 * @cpu: CPU it trapped on
 * @ns: time of the trap (local clock)
 */
struct sl_event {
	enum sl_kind kind;
	pid_t pid;
	pid_t tgid;
	const char *comm;
	unsigned long ip;
	unsigned int cpu;
	u64 ns;
};

/**
 * struct sl_offender - one task's row in the offender table
 * @pid: thread ID
 * @tgid: process ID
 * @comm: command name at the last trap
 * @count: traps per &enum sl_kind
 * @total: sum of @count
 * @last_kind: kind of the last trap
 * @last_ip: instruction pointer of the last trap
 * @last_cpu: CPU of the last trap
 * @first_ns: time of the first trap
 * @last_ns: time of the last trap
 */
struct sl_offender {
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	u64 count[SL_NR_KINDS];
	u64 total;
	enum sl_kind last_kind;
	unsigned long last_ip;
	unsigned int last_cpu;
	u64 first_ns;
	u64 last_ns;
};

/**
 * struct sl_table - bounded table of offending tasks
 * @lock: protects everything below; taken from kprobe handlers
 * @capacity: number of @slots
 * @used: slots in use
 * @recorded: traps recorded since the last reset
 * @evictions: rows evicted to make room since the last reset
 * @slots: the rows
 */
struct sl_table {
	raw_spinlock_t lock;
	unsigned int capacity;
	unsigned int used;
	u64 recorded;
	u64 evictions;
	struct sl_offender slots[];
};

/**
 * struct sl_pmu_event - a hardware event that counts split or bus locks
 * @name: the event's name in the vendor's documentation (and perf list)
 * @event: event select
 * @umask: unit mask
 * @edge: count rising edges (occurrences, not cycles)
 */
struct sl_pmu_event {
	const char *name;
	u8 event;
	u8 umask;
	bool edge;
};

bool sl_straddles(unsigned long addr, unsigned int size, unsigned int line);

void sl_parse_cmdline(const char *cmdline, struct sl_cmdline_mode *out);
const char *sl_mode_name(enum sl_mode mode);
void sl_detection_of(const struct sl_status *st, struct sl_detection *det);
const char *sl_meter_refusal(const struct sl_status *st);
int sl_status_format(const struct sl_status *st, char *buf, size_t size);

struct sl_table *sl_table_alloc(unsigned int capacity, gfp_t gfp);
void sl_table_free(struct sl_table *table);
void sl_table_record(struct sl_table *table, const struct sl_event *ev);
void sl_table_reset(struct sl_table *table);
unsigned int sl_table_snapshot(struct sl_table *table, struct sl_offender *out,
			       u64 *recorded, u64 *evictions);
void sl_offenders_sort(struct sl_offender *rows, unsigned int n);
const char *sl_kind_name(enum sl_kind kind);

const struct sl_pmu_event *sl_pmu_event_lookup(u8 vendor, unsigned int family,
					       unsigned int model);
u64 sl_pmu_event_config(const struct sl_pmu_event *ev);

u64 sl_median(u64 *values, unsigned int n);

/* counters.c: a pinned kernel perf counter per online CPU. */
int sl_cpu_counters_create(struct perf_event_attr *attr,
			   perf_overflow_handler_t handler, void *context,
			   struct perf_event **counters, unsigned int *failed_cpu);
void sl_cpu_counters_release(struct perf_event **counters);

#endif /* SPLIT_LOCK_CORE_H */
