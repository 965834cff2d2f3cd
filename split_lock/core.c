// SPDX-License-Identifier: GPL-2.0
/*
 * split_lock core: the straddle predicate, the kernel's split_lock_detect=
 * parsing and mode logic, the status text, the bounded offender table, the
 * per-model hardware event table and the median used by the cost meter.
 *
 * Nothing here touches hardware, kprobes or debugfs: status.c, detector.c
 * and meter.c collect and feed, this file decides and formats, and KUnit
 * (kunit/split_lock_kunit.c) drives it directly.
 */

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "core.h"

/**
 * sl_straddles() - whether an access crosses a cache-line boundary
 * @addr: first byte accessed
 * @size: bytes accessed (at least 1)
 * @line: cache-line size, a power of two
 *
 * A locked instruction on such an operand cannot be done within one cache
 * line, so the CPU locks the bus: a split lock.
 *
 * Return: true if [@addr, @addr + @size) touches two or more lines.
 */
bool sl_straddles(unsigned long addr, unsigned int size, unsigned int line)
{
	return (addr & (line - 1)) + size > line;
}

/*
 * The kernel's match_option() (arch/x86/kernel/cpu/intel.c, 6.1 and 6.12):
 * @arg holds the first SL_CMDLINE_ARG_MAX - 1 bytes of a value @arglen long.
 */
static bool sl_match_option(const char *arg, int arglen, const char *opt,
			    unsigned int *ratelimit)
{
	int len = strlen(opt), rate;

	if (strncmp(arg, opt, len))
		return false;
	/* 1 to 1000 bus locks per second, as the kernel accepts. */
	if (sscanf(arg, "ratelimit:%d", &rate) == 1 && rate > 0 && rate <= 1000) {
		*ratelimit = rate;
		return true;
	}
	return len == arglen;
}

/**
 * sl_parse_cmdline() - read split_lock_detect= as the kernel does
 * @cmdline: the kernel command line
 * @out: the result
 *
 * Follows cmdline_find_option() (arch/x86/lib/cmdline.c: the last
 * occurrence wins, the value is cut to 19 bytes) and sld_state_setup(): an
 * absent or unknown value means warn.
 */
void sl_parse_cmdline(const char *cmdline, struct sl_cmdline_mode *out)
{
	static const struct {
		const char *option;
		enum sl_mode mode;
	} options[] = {
		{ "off", SL_MODE_OFF },
		{ "warn", SL_MODE_WARN },
		{ "fatal", SL_MODE_FATAL },
		{ "ratelimit:", SL_MODE_RATELIMIT },
	};
	static const char key[] = "split_lock_detect=";
	char arg[SL_CMDLINE_ARG_MAX] = "";
	const char *p = cmdline;
	int arglen = -1;
	unsigned int i;

	while (*p) {
		const char *word;
		size_t wlen;

		while (isspace(*p))
			p++;
		word = p;
		while (*p && !isspace(*p))
			p++;
		wlen = p - word;
		if (wlen < sizeof(key) - 1 || strncmp(word, key, sizeof(key) - 1))
			continue;
		arglen = wlen - (sizeof(key) - 1);
		strscpy(arg, word + sizeof(key) - 1,
			min_t(size_t, arglen + 1, sizeof(arg)));
	}

	out->mode = SL_MODE_WARN;
	out->ratelimit = 0;
	out->given = arglen >= 0;
	if (arglen < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(options); i++) {
		unsigned int rate = 0;

		if (sl_match_option(arg, arglen, options[i].option, &rate)) {
			out->mode = options[i].mode;
			out->ratelimit = rate;
			return;
		}
	}
}

/**
 * sl_mode_name() - the name split_lock_detect= gives a mode
 * @mode: the mode
 *
 * Return: "off", "warn", "fatal" or "ratelimit".
 */
const char *sl_mode_name(enum sl_mode mode)
{
	switch (mode) {
	case SL_MODE_OFF:
		return "off";
	case SL_MODE_WARN:
		return "warn";
	case SL_MODE_FATAL:
		return "fatal";
	case SL_MODE_RATELIMIT:
		return "ratelimit";
	}
	return "?";
}

/**
 * sl_detection_of() - the detection the kernel armed, from its rules
 * @st: the status (features and command line)
 * @det: the result
 *
 * The kernel's sld_state_setup(), split_lock_init() and bus_lock_init():
 * with neither feature nothing is armed; #AC is armed in warn and fatal
 * mode; #DB is armed in ratelimit mode, and in warn and fatal mode when the
 * CPU has no #AC to do the job.
 */
void sl_detection_of(const struct sl_status *st, struct sl_detection *det)
{
	bool warn_or_fatal;

	if (!st->has_sld && !st->has_bld) {
		*det = (struct sl_detection){ .mode = SL_MODE_OFF };
		return;
	}
	det->mode = st->cmdline.mode;
	warn_or_fatal = det->mode == SL_MODE_WARN || det->mode == SL_MODE_FATAL;
	det->ac_active = st->has_sld && warn_or_fatal;
	det->db_active = st->has_bld &&
			 (det->mode == SL_MODE_RATELIMIT || (!st->has_sld && warn_or_fatal));
}

/**
 * sl_meter_refusal() - why the cost meter must not split-lock in the kernel
 * @st: the status, MSRs included
 *
 * A split lock in kernel mode with #AC armed kills the kernel; one with #DB
 * armed is reported against the kernel. The meter refuses when the kernel's
 * rules arm either, when a CPU's MSR shows either on (whatever the rules
 * say), or when a feature is present but its MSR cannot be read.
 *
 * In a guest, the host decides: a split lock the guest does not trap on
 * may trap on the host, whose split_lock_detect=fatal sends the VMM
 * SIGBUS, killing the whole VM. The meter refuses under a hypervisor
 * unless told it may (@st->meter_in_guest), or the hypervisor is QEMU's
 * TCG, which emulates locked instructions and never traps on the host.
 *
 * Return: NULL if the meter may run, else the reason.
 */
const char *sl_meter_refusal(const struct sl_status *st)
{
	struct sl_detection det;
	unsigned int i;

	sl_detection_of(st, &det);
	if (det.ac_active)
		return "split-lock detection (#AC) is armed: a kernel split lock is fatal";
	if (det.db_active)
		return "bus-lock detection (#DB) is armed: the meter's bus locks would trap";
	for (i = 0; i < st->nr_cpus; i++) {
		const struct sl_cpu_msrs *c = &st->cpus[i];

		if (st->has_sld && (c->test_ctrl_err ||
				    (c->test_ctrl & MSR_TEST_CTRL_SPLIT_LOCK_DETECT)))
			return "MSR_TEST_CTRL shows split-lock detection on, or cannot be read";
		if (st->has_bld && (c->debugctl_err ||
				    (c->debugctl & DEBUGCTLMSR_BUS_LOCK_DETECT)))
			return "DEBUGCTL shows bus-lock detection on, or cannot be read";
	}
	if (st->hypervisor && !st->meter_in_guest &&
	    strcmp(st->hypervisor_sig, SL_TCG_SIGNATURE))
		return "a hypervisor's host may kill the VM for a split lock: set meter_in_guest";
	return NULL;
}

static int sl_msr_format(char *buf, size_t size, const char *name, unsigned int cpu,
			 int err, u64 val, u64 bit, const char *what)
{
	if (err)
		return scnprintf(buf, size, "%s.cpu%u: unreadable (error %d)\n",
				 name, cpu, err);
	return scnprintf(buf, size, "%s.cpu%u: 0x%016llx (%s %s)\n", name, cpu, val,
			 what, val & bit ? "on" : "off");
}

/**
 * sl_status_format() - the status file's text
 * @st: the status
 * @buf: output
 * @size: size of @buf
 *
 * One "key: value" line per fact, so that scripts can read it.
 *
 * Return: bytes written, not counting the terminating NUL.
 */
int sl_status_format(const struct sl_status *st, char *buf, size_t size)
{
	struct sl_detection det;
	const char *refusal;
	int n = 0;
	unsigned int i;

	sl_detection_of(st, &det);
	refusal = sl_meter_refusal(st);

	n += scnprintf(buf + n, size - n, "vendor: %s\nfamily: %u\nmodel: 0x%x\nstepping: %u\n",
		       st->vendor, st->family, st->model, st->stepping);
	n += scnprintf(buf + n, size - n, "model_name: %s\n", st->model_name);
	n += scnprintf(buf + n, size - n, "hypervisor: %s%s%s%s\n",
		       st->hypervisor ? "yes" : "no",
		       st->hypervisor_sig[0] ? " (" : "", st->hypervisor_sig,
		       st->hypervisor_sig[0] ? ")" : "");
	n += scnprintf(buf + n, size - n, "split_lock_detect: %s\n",
		       st->has_sld ? "supported (#AC)" :
		       st->hypervisor ? "not supported (never enabled under a hypervisor)" :
		       "not supported");
	n += scnprintf(buf + n, size - n, "bus_lock_detect: %s\n",
		       st->has_bld ? "supported (#DB)" : "not supported");
	if (st->cmdline_err)
		n += scnprintf(buf + n, size - n, "cmdline: unreadable (error %d)\n",
			       st->cmdline_err);
	else if (!st->cmdline.given)
		n += scnprintf(buf + n, size - n, "cmdline: %s\n",
			       "split_lock_detect not given (default warn)");
	else if (st->cmdline.mode == SL_MODE_RATELIMIT)
		n += scnprintf(buf + n, size - n, "cmdline: split_lock_detect=ratelimit:%u\n",
			       st->cmdline.ratelimit);
	else
		n += scnprintf(buf + n, size - n, "cmdline: split_lock_detect=%s\n",
			       sl_mode_name(st->cmdline.mode));
	if (!st->has_sld && !st->has_bld)
		n += scnprintf(buf + n, size - n, "mode: off (no detection on this CPU)\n");
	else if (det.mode == SL_MODE_RATELIMIT)
		n += scnprintf(buf + n, size - n, "mode: ratelimit:%u\n", st->cmdline.ratelimit);
	else
		n += scnprintf(buf + n, size - n, "mode: %s\n", sl_mode_name(det.mode));
	n += scnprintf(buf + n, size - n, "ac_detection: %s\ndb_detection: %s\n",
		       det.ac_active ? "armed" : "off", det.db_active ? "armed" : "off");
	if (st->mitigate < 0)
		n += scnprintf(buf + n, size - n, "split_lock_mitigate: not present\n");
	else
		n += scnprintf(buf + n, size - n, "split_lock_mitigate: %d\n", st->mitigate);
	for (i = 0; i < st->nr_cpus; i++) {
		const struct sl_cpu_msrs *c = &st->cpus[i];

		n += sl_msr_format(buf + n, size - n, "msr_test_ctrl", c->cpu,
				   c->test_ctrl_err, c->test_ctrl,
				   MSR_TEST_CTRL_SPLIT_LOCK_DETECT, "split-lock #AC");
		n += sl_msr_format(buf + n, size - n, "msr_debugctl", c->cpu,
				   c->debugctl_err, c->debugctl,
				   DEBUGCTLMSR_BUS_LOCK_DETECT, "bus-lock #DB");
	}
	n += scnprintf(buf + n, size - n, "cost_meter: %s%s\n",
		       refusal ? "refused: " : "allowed", refusal ?: "");
	return n;
}

/**
 * sl_table_alloc() - allocate an empty offender table
 * @capacity: rows, %SL_TABLE_MIN to %SL_TABLE_MAX
 * @gfp: allocation flags
 *
 * Return: the table, or NULL if @capacity is out of range or memory is short.
 */
struct sl_table *sl_table_alloc(unsigned int capacity, gfp_t gfp)
{
	struct sl_table *table;

	if (capacity < SL_TABLE_MIN || capacity > SL_TABLE_MAX)
		return NULL;
	table = kvzalloc(struct_size(table, slots, capacity), gfp);
	if (!table)
		return NULL;
	raw_spin_lock_init(&table->lock);
	table->capacity = capacity;
	return table;
}

/**
 * sl_table_free() - free an offender table
 * @table: the table, or NULL
 */
void sl_table_free(struct sl_table *table)
{
	kvfree(table);
}

/* The row to reuse when the table is full: fewest traps, then oldest. */
static struct sl_offender *sl_table_victim(struct sl_table *table)
{
	struct sl_offender *victim = &table->slots[0];
	unsigned int i;

	for (i = 1; i < table->used; i++) {
		struct sl_offender *row = &table->slots[i];

		if (row->total < victim->total ||
		    (row->total == victim->total && row->last_ns < victim->last_ns))
			victim = row;
	}
	return victim;
}

/**
 * sl_table_record() - count one trap against its task
 * @table: the table
 * @ev: the trap
 *
 * Updates the task's row, or starts one; when the table is full the row
 * with the fewest traps (the oldest of those) is evicted, so that a
 * persistent offender is never pushed out by a crowd of one-off ones.
 *
 * Context: any context; takes a raw spinlock with interrupts off, for a
 * linear scan of at most %SL_TABLE_MAX rows. Traps cost far more than that.
 */
void sl_table_record(struct sl_table *table, const struct sl_event *ev)
{
	struct sl_offender *row = NULL;
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&table->lock, flags);
	table->recorded++;
	for (i = 0; i < table->used; i++) {
		if (table->slots[i].pid == ev->pid) {
			row = &table->slots[i];
			break;
		}
	}
	if (!row) {
		if (table->used < table->capacity) {
			row = &table->slots[table->used++];
		} else {
			row = sl_table_victim(table);
			table->evictions++;
		}
		memset(row, 0, sizeof(*row));
		row->pid = ev->pid;
		row->first_ns = ev->ns;
	}
	row->tgid = ev->tgid;
	strscpy(row->comm, ev->comm, sizeof(row->comm));
	row->count[ev->kind]++;
	row->total++;
	row->last_kind = ev->kind;
	row->last_ip = ev->ip;
	row->last_cpu = ev->cpu;
	row->last_ns = ev->ns;
	raw_spin_unlock_irqrestore(&table->lock, flags);
}

/**
 * sl_table_reset() - forget every row and zero the counters
 * @table: the table
 */
void sl_table_reset(struct sl_table *table)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&table->lock, flags);
	table->used = 0;
	table->recorded = 0;
	table->evictions = 0;
	raw_spin_unlock_irqrestore(&table->lock, flags);
}

/**
 * sl_table_snapshot() - copy the table's rows out
 * @table: the table
 * @out: room for @table->capacity rows
 * @recorded: traps recorded since the last reset
 * @evictions: rows evicted since the last reset
 *
 * Return: rows copied, in table order (see sl_offenders_sort()).
 */
unsigned int sl_table_snapshot(struct sl_table *table, struct sl_offender *out,
			       u64 *recorded, u64 *evictions)
{
	unsigned long flags;
	unsigned int used;

	raw_spin_lock_irqsave(&table->lock, flags);
	used = table->used;
	memcpy(out, table->slots, used * sizeof(*out));
	*recorded = table->recorded;
	*evictions = table->evictions;
	raw_spin_unlock_irqrestore(&table->lock, flags);
	return used;
}

static int sl_offender_cmp(const void *a, const void *b)
{
	const struct sl_offender *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->last_ns != y->last_ns)
		return x->last_ns > y->last_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/**
 * sl_offenders_sort() - order rows for the top-N list
 * @rows: rows from sl_table_snapshot()
 * @n: number of rows
 *
 * Most traps first; among equals, the most recent first, then by PID.
 */
void sl_offenders_sort(struct sl_offender *rows, unsigned int n)
{
	sort(rows, n, sizeof(*rows), sl_offender_cmp, NULL);
}

/**
 * sl_kind_name() - short name of a trap kind
 * @kind: the kind
 *
 * Return: "split_lock", "bus_lock" or "guest_split_lock".
 */
const char *sl_kind_name(enum sl_kind kind)
{
	switch (kind) {
	case SL_KIND_SPLIT_LOCK:
		return "split_lock";
	case SL_KIND_BUS_LOCK:
		return "bus_lock";
	case SL_KIND_GUEST_SPLIT_LOCK:
		return "guest_split_lock";
	case SL_NR_KINDS:
		break;
	}
	return "?";
}

/*
 * Events that count split locks or bus locks, from the vendors' event lists
 * as perf ships them (tools/perf/pmu-events/arch/x86/ in linux-source-6.12,
 * mapfile.csv for the models). Hybrid models (Alder Lake, Meteor Lake) are
 * left out: their event exists on the P-cores' PMU only.
 */
static const struct sl_pmu_event sl_sq_misc_split_lock = {
	.name = "SQ_MISC.SPLIT_LOCK", .event = 0xf4, .umask = 0x10,
};

static const struct sl_pmu_event sl_sq_misc_bus_lock_f4 = {
	.name = "SQ_MISC.BUS_LOCK", .event = 0xf4, .umask = 0x10,
};

static const struct sl_pmu_event sl_sq_misc_bus_lock_2c = {
	.name = "SQ_MISC.BUS_LOCK", .event = 0x2c, .umask = 0x10,
};

static const struct sl_pmu_event sl_bus_lock_self_locks = {
	.name = "BUS_LOCK.SELF_LOCKS", .event = 0x63, .umask = 0x00, .edge = true,
};

static const struct sl_pmu_event sl_ls_locks_bus_lock = {
	.name = "ls_locks.bus_lock", .event = 0x25, .umask = 0x01,
};

static const struct {
	u8 model;
	const struct sl_pmu_event *event;
} sl_intel_fam6_events[] = {
	/* Nehalem, Westmere, Sandy/Ivy Bridge, Haswell, Broadwell, Skylake */
	{ 0x1a, &sl_sq_misc_split_lock }, { 0x1e, &sl_sq_misc_split_lock },
	{ 0x1f, &sl_sq_misc_split_lock }, { 0x2e, &sl_sq_misc_split_lock },
	{ 0x25, &sl_sq_misc_split_lock }, { 0x2c, &sl_sq_misc_split_lock },
	{ 0x2f, &sl_sq_misc_split_lock }, { 0x2a, &sl_sq_misc_split_lock },
	{ 0x2d, &sl_sq_misc_split_lock }, { 0x3a, &sl_sq_misc_split_lock },
	{ 0x3e, &sl_sq_misc_split_lock }, { 0x3c, &sl_sq_misc_split_lock },
	{ 0x45, &sl_sq_misc_split_lock }, { 0x46, &sl_sq_misc_split_lock },
	{ 0x3f, &sl_sq_misc_split_lock }, { 0x3d, &sl_sq_misc_split_lock },
	{ 0x47, &sl_sq_misc_split_lock }, { 0x56, &sl_sq_misc_split_lock },
	{ 0x4f, &sl_sq_misc_split_lock }, { 0x4e, &sl_sq_misc_split_lock },
	{ 0x5e, &sl_sq_misc_split_lock }, { 0x8e, &sl_sq_misc_split_lock },
	{ 0x9e, &sl_sq_misc_split_lock }, { 0xa5, &sl_sq_misc_split_lock },
	{ 0xa6, &sl_sq_misc_split_lock },
	/* Skylake-SP and Cascade Lake-SP */
	{ 0x55, &sl_sq_misc_split_lock },
	/* Ice Lake, Ice Lake-SP, Tiger Lake, Rocket Lake */
	{ 0x7d, &sl_sq_misc_bus_lock_f4 }, { 0x7e, &sl_sq_misc_bus_lock_f4 },
	{ 0x6a, &sl_sq_misc_bus_lock_f4 }, { 0x6c, &sl_sq_misc_bus_lock_f4 },
	{ 0x8c, &sl_sq_misc_bus_lock_f4 }, { 0x8d, &sl_sq_misc_bus_lock_f4 },
	{ 0xa7, &sl_sq_misc_bus_lock_f4 },
	/* Sapphire Rapids, Emerald Rapids, Granite Rapids */
	{ 0x8f, &sl_sq_misc_bus_lock_2c }, { 0xcf, &sl_sq_misc_bus_lock_2c },
	{ 0xad, &sl_sq_misc_bus_lock_2c }, { 0xae, &sl_sq_misc_bus_lock_2c },
	/* Snow Ridge, Elkhart Lake (Tremont) */
	{ 0x86, &sl_bus_lock_self_locks }, { 0x96, &sl_bus_lock_self_locks },
	{ 0x9c, &sl_bus_lock_self_locks },
};

/**
 * sl_pmu_event_lookup() - the hardware event counting split/bus locks
 * @vendor: X86_VENDOR_*
 * @family: display family
 * @model: display model
 *
 * Return: the event, or NULL if none is known for this CPU.
 */
const struct sl_pmu_event *sl_pmu_event_lookup(u8 vendor, unsigned int family,
					       unsigned int model)
{
	unsigned int i;

	if (vendor == X86_VENDOR_AMD && family >= 0x17 && family <= 0x1a)
		return &sl_ls_locks_bus_lock;	/* Zen 1 to Zen 5 */
	if (vendor != X86_VENDOR_INTEL || family != 6)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(sl_intel_fam6_events); i++)
		if (sl_intel_fam6_events[i].model == model)
			return sl_intel_fam6_events[i].event;
	return NULL;
}

/**
 * sl_pmu_event_config() - perf_event_attr.config of a raw event
 * @ev: the event
 *
 * Return: event select in bits 0-7, unit mask in 8-15, edge detect in 18,
 * the layout Intel and AMD share for these events.
 */
u64 sl_pmu_event_config(const struct sl_pmu_event *ev)
{
	return ev->event | (u64)ev->umask << 8 | (u64)ev->edge << 18;
}

static int sl_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * sl_median() - median of samples (sorts them in place)
 * @values: the samples
 * @n: how many; 0 gives 0
 *
 * Return: the middle value, or the lower of the two middle ones.
 */
u64 sl_median(u64 *values, unsigned int n)
{
	if (!n)
		return 0;
	sort(values, n, sizeof(*values), sl_u64_cmp, NULL);
	return values[(n - 1) / 2];
}
