// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for namespacefs's snapshot core (namespacefs/snapshot.c,
 * compiled into this module so that it needs no exports), driven with
 * synthetic namespaces and processes: names, escaping, process counts and
 * lowest PIDs, the pid and user hierarchies, the table (with and without
 * namespace ids), full snapshots and bad parent links.
 */

#include <kunit/test.h>
#include <linux/module.h>

#include "../namespacefs/snapshot.c"

#define TEXT_SIZE	1024

struct snap_size {
	unsigned int max_procs;
	unsigned int max_ns;
};

static int snap_init(struct kunit_resource *res, void *context)
{
	const struct snap_size *size = context;
	struct nsfs_snap *snap = kzalloc(sizeof(*snap), GFP_KERNEL);

	if (!snap)
		return -ENOMEM;
	if (nsfs_snap_alloc(snap, size->max_procs, size->max_ns)) {
		kfree(snap);
		return -ENOMEM;
	}
	res->data = snap;
	return 0;
}

static void snap_release(struct kunit_resource *res)
{
	nsfs_snap_free(res->data);
	kfree(res->data);
}

/* An empty snapshot that lives as long as the test, whatever its outcome. */
static struct nsfs_snap *new_snap(struct kunit *test, unsigned int max_procs,
				  unsigned int max_ns)
{
	struct snap_size size = { max_procs, max_ns };
	struct nsfs_snap *snap;

	snap = kunit_alloc_resource(test, snap_init, snap_release, GFP_KERNEL,
				    &size);
	KUNIT_ASSERT_NOT_NULL(test, snap);
	return snap;
}

static void add_ns(struct kunit *test, struct nsfs_snap *snap,
		   enum nsfs_type type, u32 inum, u32 parent, unsigned int level)
{
	KUNIT_ASSERT_NOT_NULL(test, nsfs_snap_add_ns(snap, type, inum, parent,
						     0, level));
}

/* A process in namespace inum of each type given, 0 elsewhere. */
static void add_proc(struct kunit *test, struct nsfs_snap *snap, pid_t pid,
		     pid_t ppid, const char *comm, const u32 ns[NSFS_NR_TYPES])
{
	struct nsfs_proc *proc = nsfs_snap_add_proc(snap);

	KUNIT_ASSERT_NOT_NULL(test, proc);
	proc->pid = pid;
	proc->ppid = ppid;
	proc->uid = 1000;
	strscpy(proc->comm, comm, sizeof(proc->comm));
	memcpy(proc->ns, ns, sizeof(proc->ns));
}

static struct nsfs_ns *find(struct kunit *test, struct nsfs_snap *snap,
			    u32 inum)
{
	struct nsfs_ns *ns = nsfs_snap_find(snap, inum);

	KUNIT_ASSERT_NOT_NULL(test, ns);
	return ns;
}

/* A seq_buf over a test-lifetime buffer. */
static struct seq_buf *new_buf(struct kunit *test, size_t size)
{
	struct seq_buf *buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	char *text = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, text);
	seq_buf_init(buf, text, size);
	return buf;
}

/* The text printed so far, NUL-terminated. */
static const char *text(struct seq_buf *buf)
{
	buf->buffer[min(buf->len, buf->size - 1)] = '\0';
	return buf->buffer;
}

static int parse(const char *name, enum nsfs_type type, u32 *inum)
{
	return nsfs_parse_name(name, strlen(name), type, inum);
}

/* Only the name nsfs prints parses, so one namespace has one name. */
static void names_parse_only_in_canonical_form(struct kunit *test)
{
	static const char *const bad[] = {
		"net:[0]", "net:[01]", "net:[+5]", "net:[5\n]", "net:[ 5]",
		"net:[]", "net:[4294967296]", "net:[99999999999]", "net:5",
		"net:[5", "net[5]", "pid:[5]", "netx:[5]", "net:[5]]", "",
	};
	unsigned int i;
	u32 inum = 0;

	KUNIT_EXPECT_EQ(test, parse("net:[4026531840]", NSFS_NET, &inum), 0);
	KUNIT_EXPECT_EQ(test, inum, 4026531840U);
	KUNIT_EXPECT_EQ(test, parse("uts:[4294967295]", NSFS_UTS, &inum), 0);
	KUNIT_EXPECT_EQ(test, inum, 4294967295U);
	KUNIT_EXPECT_EQ(test, parse("cgroup:[7]", NSFS_CGROUP, &inum), 0);
	KUNIT_EXPECT_EQ(test, inum, 7U);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, parse(bad[i], NSFS_NET, &inum),
				    -ENOENT, "name \"%s\"", bad[i]);
}

/* What nsfs_print_name() prints, nsfs_parse_name() reads back. */
static void names_round_trip(struct kunit *test)
{
	static const u32 inums[] = { 1, 9, 10, 4026531835U, 4294967295U };
	unsigned int i, t;

	for (t = 0; t < NSFS_NR_TYPES; t++) {
		for (i = 0; i < ARRAY_SIZE(inums); i++) {
			struct nsfs_ns ns = { .type = t, .inum = inums[i] };
			struct seq_buf *buf = new_buf(test, 64);
			u32 inum = 0;

			nsfs_print_name(buf, &ns);
			KUNIT_EXPECT_EQ(test, parse(text(buf), t, &inum), 0);
			KUNIT_EXPECT_EQ(test, inum, inums[i]);
		}
	}
}

/* Raw output escapes what would split a row or is not plain ASCII. */
static void raw_escapes_as_libsmartcols(struct kunit *test)
{
	struct seq_buf *buf = new_buf(test, 128);

	nsfs_print_raw(buf, "sleep 600\t-x\\y\x01\x7f\xc3\xa9~!");
	KUNIT_EXPECT_STREQ(test, text(buf),
			   "sleep\\x20600\\x09-x\\x5cy\\x01\\x7f\\xc3\\xa9~!");
	buf = new_buf(test, 32);
	nsfs_print_raw(buf, " a ");
	nsfs_print_raw(buf, "");
	nsfs_print_raw(buf, "\\");
	KUNIT_EXPECT_STREQ(test, text(buf), "\\x20a\\x20\\x5c");
}

/*
 * Processes added in any order: each namespace counts its processes and
 * keeps the lowest PID; a process's link to a namespace of another type
 * or to none counts nowhere.
 */
static void counts_and_lowest_pid(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 8, 8);
	u32 a[NSFS_NR_TYPES] = { [NSFS_NET] = 10, [NSFS_UTS] = 20 };
	u32 b[NSFS_NR_TYPES] = { [NSFS_NET] = 11, [NSFS_UTS] = 20 };
	u32 wrong[NSFS_NR_TYPES] = { [NSFS_IPC] = 10, [NSFS_MNT] = 99 };
	struct nsfs_ns *ns;

	add_ns(test, snap, NSFS_UTS, 20, 0, 0);
	add_ns(test, snap, NSFS_NET, 11, 0, 0);
	add_ns(test, snap, NSFS_NET, 10, 0, 0);
	add_ns(test, snap, NSFS_NET, 12, 0, 0);
	add_proc(test, snap, 40, 1, "c", a);
	add_proc(test, snap, 7, 1, "a", b);
	add_proc(test, snap, 30, 1, "b", a);
	add_proc(test, snap, 50, 1, "d", wrong);
	nsfs_snap_finish(snap);

	ns = find(test, snap, 10);
	KUNIT_EXPECT_EQ(test, ns->nprocs, 2U);
	KUNIT_EXPECT_EQ(test, snap->procs[ns->proc].pid, 30);
	ns = find(test, snap, 11);
	KUNIT_EXPECT_EQ(test, ns->nprocs, 1U);
	KUNIT_EXPECT_EQ(test, snap->procs[ns->proc].pid, 7);
	ns = find(test, snap, 20);
	KUNIT_EXPECT_EQ(test, ns->nprocs, 3U);
	KUNIT_EXPECT_EQ(test, snap->procs[ns->proc].pid, 7);
	ns = find(test, snap, 12);
	KUNIT_EXPECT_EQ(test, ns->nprocs, 0U);
	KUNIT_EXPECT_EQ(test, ns->proc, NSFS_NONE);
}

/* Sorted by type then inode; each type's run is where the type says. */
static void types_are_contiguous_and_sorted(struct kunit *test)
{
	static const struct { enum nsfs_type type; u32 inum; } input[] = {
		{ NSFS_USER, 9 }, { NSFS_NET, 5 }, { NSFS_CGROUP, 8 },
		{ NSFS_NET, 3 }, { NSFS_USER, 1 }, { NSFS_NET, 4 },
	};
	struct nsfs_snap *snap = new_snap(test, 1, ARRAY_SIZE(input));
	unsigned int i, count[NSFS_NR_TYPES] = { };
	struct nsfs_ns *ns;

	for (i = 0; i < ARRAY_SIZE(input); i++)
		add_ns(test, snap, input[i].type, input[i].inum, 0, 0);
	nsfs_snap_finish(snap);

	for (i = 0; i < NSFS_NR_TYPES; i++) {
		u32 last = 0;

		for (ns = nsfs_type_first(snap, i); ns < nsfs_type_end(snap, i);
		     ns++) {
			KUNIT_EXPECT_EQ(test, ns->type, i);
			KUNIT_EXPECT_GT(test, ns->inum, last);
			last = ns->inum;
			count[i]++;
		}
	}
	KUNIT_EXPECT_EQ(test, count[NSFS_NET], 3U);
	KUNIT_EXPECT_EQ(test, count[NSFS_USER], 2U);
	KUNIT_EXPECT_EQ(test, count[NSFS_CGROUP], 1U);
	KUNIT_EXPECT_EQ(test, count[NSFS_PID], 0U);
	/* The index still finds every namespace after the sort. */
	for (i = 0; i < ARRAY_SIZE(input); i++)
		KUNIT_EXPECT_EQ(test, find(test, snap, input[i].inum)->type,
				input[i].type);
	KUNIT_EXPECT_NULL(test, nsfs_snap_find(snap, 2));
}

/*
 * A pid tree 100 > {200 > 400, 300}, added leaves first, plus a pid
 * namespace whose parent is out of view (a root of its own) and a net
 * namespace with a parent set (net does not nest).
 */
static void hierarchy_children_depths_paths(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 1, 8);
	struct nsfs_ns *root, *a, *b, *leaf, *orphan, *net;
	struct seq_buf *buf;

	add_ns(test, snap, NSFS_PID, 400, 200, 2);
	add_ns(test, snap, NSFS_PID, 300, 100, 1);
	add_ns(test, snap, NSFS_PID, 200, 100, 1);
	add_ns(test, snap, NSFS_PID, 100, 0, 0);
	add_ns(test, snap, NSFS_PID, 500, 999, 3);
	add_ns(test, snap, NSFS_NET, 600, 100, 0);
	nsfs_snap_finish(snap);
	root = find(test, snap, 100);
	a = find(test, snap, 200);
	b = find(test, snap, 300);
	leaf = find(test, snap, 400);
	orphan = find(test, snap, 500);
	net = find(test, snap, 600);

	KUNIT_EXPECT_EQ(test, root->up, NSFS_NONE);
	KUNIT_EXPECT_PTR_EQ(test, nsfs_snap_ns(snap, root->child), a);
	KUNIT_EXPECT_PTR_EQ(test, nsfs_snap_ns(snap, a->sibling), b);
	KUNIT_EXPECT_EQ(test, b->sibling, NSFS_NONE);
	KUNIT_EXPECT_PTR_EQ(test, nsfs_snap_ns(snap, a->child), leaf);
	KUNIT_EXPECT_PTR_EQ(test, nsfs_snap_ns(snap, leaf->up), a);
	KUNIT_EXPECT_EQ(test, b->child, NSFS_NONE);
	KUNIT_EXPECT_EQ(test, orphan->up, NSFS_NONE);
	KUNIT_EXPECT_EQ(test, net->up, NSFS_NONE);
	KUNIT_EXPECT_EQ(test, root->depth, 1U);
	KUNIT_EXPECT_EQ(test, a->depth, 2U);
	KUNIT_EXPECT_EQ(test, leaf->depth, 3U);
	KUNIT_EXPECT_EQ(test, orphan->depth, 1U);
	KUNIT_EXPECT_EQ(test, net->depth, 1U);

	buf = new_buf(test, 128);
	nsfs_print_path(buf, snap, leaf);
	KUNIT_EXPECT_STREQ(test, text(buf), "pid/pid:[100]/pid:[200]/pid:[400]");
	buf = new_buf(test, 128);
	nsfs_print_path(buf, snap, orphan);
	KUNIT_EXPECT_STREQ(test, text(buf), "pid/pid:[500]");
	buf = new_buf(test, 128);
	nsfs_print_path(buf, snap, net);
	KUNIT_EXPECT_STREQ(test, text(buf), "net/net:[600]");
}

/*
 * Parent links that loop (never from the kernel, but the builder must not
 * hang on them): every namespace gets a finite depth and a path.
 */
static void parent_loops_end(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 1, 4);
	struct seq_buf *buf = new_buf(test, 4096);
	unsigned int i;

	add_ns(test, snap, NSFS_USER, 1, 2, 1);
	add_ns(test, snap, NSFS_USER, 2, 3, 1);
	add_ns(test, snap, NSFS_USER, 3, 1, 1);
	add_ns(test, snap, NSFS_USER, 4, 4, 1);
	nsfs_snap_finish(snap);
	for (i = 0; i < snap->nr_ns; i++) {
		KUNIT_EXPECT_LE(test, snap->ns[i].depth, (unsigned int)NSFS_MAX_DEPTH);
		nsfs_print_path(buf, snap, &snap->ns[i]);
	}
	KUNIT_EXPECT_EQ(test, find(test, snap, 4)->up, NSFS_NONE);
	KUNIT_EXPECT_FALSE(test, seq_buf_has_overflowed(buf));
}

/* Deep but legal nesting (32 levels, the kernel's limit) is kept whole. */
static void deep_nesting_is_kept(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 1, 33);
	unsigned int level;

	for (level = 0; level <= 32; level++)
		add_ns(test, snap, NSFS_USER, 100 + level,
		       level ? 99 + level : 0, level);
	nsfs_snap_finish(snap);
	KUNIT_EXPECT_EQ(test, find(test, snap, 132)->depth, 33U);
	KUNIT_EXPECT_PTR_EQ(test, nsfs_snap_ns(snap, find(test, snap, 132)->up),
			    find(test, snap, 131));
}

/* A full snapshot says so; adding a namespace already there still works. */
static void full_snapshot_says_so(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 1, 2);
	u32 none[NSFS_NR_TYPES] = { };

	add_ns(test, snap, NSFS_NET, 1, 0, 0);
	add_ns(test, snap, NSFS_NET, 2, 0, 0);
	KUNIT_EXPECT_NULL(test, nsfs_snap_add_ns(snap, NSFS_NET, 3, 0, 0, 0));
	KUNIT_EXPECT_PTR_EQ(test, nsfs_snap_add_ns(snap, NSFS_NET, 2, 0, 0, 0),
			    nsfs_snap_find(snap, 2));
	KUNIT_EXPECT_EQ(test, snap->nr_ns, 2U);
	add_proc(test, snap, 1, 0, "init", none);
	KUNIT_EXPECT_NULL(test, nsfs_snap_add_proc(snap));
	KUNIT_EXPECT_EQ(test, snap->nr_procs, 1U);
}

static void command_of(const struct nsfs_proc *proc, char *buf, size_t size)
{
	snprintf(buf, size, "%s --pid %d", proc->comm, proc->pid);
}

/*
 * The table as an open "table" file reads it (fs.c): the header, then each
 * of nsfs_table_rows() printed with its lowest-PID process's command.
 */
static void print_table(struct kunit *test, struct seq_buf *buf,
			const struct nsfs_snap *snap)
{
	const struct nsfs_ns **rows;
	unsigned int i, n = ~0U;
	char command[64];

	rows = nsfs_table_rows(snap, &n);
	KUNIT_ASSERT_NOT_NULL(test, rows);
	KUNIT_EXPECT_LE(test, n, snap->nr_ns);
	nsfs_print_table_header(buf, snap);
	for (i = 0; i < n; i++) {
		command_of(&snap->procs[rows[i]->proc], command,
			   sizeof(command));
		nsfs_print_table_row(buf, snap, rows[i], command);
	}
	kvfree(rows);
}

/*
 * The table: lsns's header (no ids, as on kernels that have none), then one
 * row per namespace with a process in ascending inode order across types;
 * namespaces with no process (seen only as parents or owners) have none.
 */
static void table_rows(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 4, 8);
	struct seq_buf *buf = new_buf(test, TEXT_SIZE);
	u32 one[NSFS_NR_TYPES] = { [NSFS_NET] = 30, [NSFS_USER] = 20 };
	u32 two[NSFS_NR_TYPES] = { [NSFS_NET] = 10, [NSFS_USER] = 20 };

	add_ns(test, snap, NSFS_USER, 5, 0, 0);
	add_ns(test, snap, NSFS_USER, 20, 5, 1);
	add_ns(test, snap, NSFS_NET, 30, 0, 0);
	add_ns(test, snap, NSFS_NET, 10, 0, 0);
	add_proc(test, snap, 9, 2, "b c", two);
	add_proc(test, snap, 4, 1, "a", one);
	nsfs_snap_finish(snap);
	print_table(test, buf, snap);
	KUNIT_EXPECT_STREQ(test, text(buf),
			   "NS TYPE NPROCS PID PPID COMMAND UID\n"
			   "10 net 1 9 2 b\\x20c\\x20--pid\\x209 1000\n"
			   "20 user 2 4 1 a\\x20--pid\\x204 1000\n"
			   "30 net 1 4 1 a\\x20--pid\\x204 1000\n");
}

/*
 * Where the kernel has namespace ids, the table has an ID column, last, so
 * that the columns before it stay lsns's; the ids are 64-bit, and each
 * stays with its namespace when the snapshot is sorted.
 */
static void table_id_column(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 2, 4);
	struct seq_buf *buf = new_buf(test, TEXT_SIZE);
	u32 ns[NSFS_NR_TYPES] = { [NSFS_NET] = 20, [NSFS_USER] = 30 };

	add_ns(test, snap, NSFS_USER, 30, 0, 0);
	add_ns(test, snap, NSFS_NET, 20, 0, 0);
	find(test, snap, 30)->id = 3;
	find(test, snap, 20)->id = 0x100000009ULL;
	add_proc(test, snap, 1, 0, "init", ns);
	snap->has_id = true;
	nsfs_snap_finish(snap);
	KUNIT_EXPECT_EQ(test, find(test, snap, 20)->id, 0x100000009ULL);
	print_table(test, buf, snap);
	KUNIT_EXPECT_STREQ(test, text(buf),
			   "NS TYPE NPROCS PID PPID COMMAND UID ID\n"
			   "20 net 1 1 0 init\\x20--pid\\x201 1000 4294967305\n"
			   "30 user 1 1 0 init\\x20--pid\\x201 1000 3\n");
}

/* A snapshot with no process has a table of the header alone. */
static void table_without_processes(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 1, 2);
	struct seq_buf *buf = new_buf(test, TEXT_SIZE);

	add_ns(test, snap, NSFS_USER, 5, 0, 0);
	nsfs_snap_finish(snap);
	print_table(test, buf, snap);
	KUNIT_EXPECT_STREQ(test, text(buf), "NS TYPE NPROCS PID PPID COMMAND UID\n");
}

/*
 * The longest row fits fs.c's row buffer (NSFS_ROW_MAX): a command line of
 * NSFS_COMMAND_MAX - 1 bytes, each escaped, with the widest numbers.
 */
static void longest_row_fits(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 1, 2);
	struct seq_buf *buf = new_buf(test, NSFS_ROW_MAX);
	u32 ns[NSFS_NR_TYPES] = { [NSFS_CGROUP] = U32_MAX };
	char *command = kunit_kzalloc(test, NSFS_COMMAND_MAX, GFP_KERNEL);
	struct nsfs_ns *row;

	KUNIT_ASSERT_NOT_NULL(test, command);
	memset(command, ' ', NSFS_COMMAND_MAX - 1);
	add_ns(test, snap, NSFS_CGROUP, U32_MAX, 0, 0);
	add_proc(test, snap, INT_MAX, INT_MAX, "init", ns);
	snap->procs[0].uid = U32_MAX;
	snap->has_id = true;
	nsfs_snap_finish(snap);
	row = find(test, snap, U32_MAX);
	row->id = U64_MAX;
	row->nprocs = U32_MAX;
	nsfs_print_table_row(buf, snap, row, command);
	KUNIT_EXPECT_FALSE(test, seq_buf_has_overflowed(buf));
	KUNIT_EXPECT_GT(test, buf->len, 4 * (NSFS_COMMAND_MAX - 1));
}

/*
 * A kept snapshot is trimmed to what it holds, with its contents and
 * order unchanged and no index left: the table needs neither.
 */
static void compact_keeps_contents(struct kunit *test)
{
	struct nsfs_snap *snap = new_snap(test, 64, 64);
	u32 one[NSFS_NR_TYPES] = { [NSFS_NET] = 30, [NSFS_USER] = 20 };
	struct nsfs_snap before;

	add_ns(test, snap, NSFS_USER, 20, 0, 0);
	add_ns(test, snap, NSFS_NET, 30, 0, 0);
	add_proc(test, snap, 4, 1, "a", one);
	nsfs_snap_finish(snap);
	before = *snap;
	before.ns = kunit_kmalloc_array(test, 2, sizeof(*before.ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before.ns);
	memcpy(before.ns, snap->ns, 2 * sizeof(*before.ns));
	KUNIT_ASSERT_EQ(test, nsfs_snap_compact(snap), 0);
	KUNIT_EXPECT_EQ(test, snap->max_ns, 2U);
	KUNIT_EXPECT_EQ(test, snap->max_procs, 1U);
	KUNIT_EXPECT_EQ(test, memcmp(snap->ns, before.ns, 2 * sizeof(*snap->ns)), 0);
	KUNIT_EXPECT_EQ(test, snap->procs[0].pid, 4);
	KUNIT_EXPECT_STREQ(test, snap->procs[0].comm, "a");
	KUNIT_EXPECT_NULL(test, nsfs_snap_find(snap, 20));
}

static struct kunit_case namespacefs_snapshot_cases[] = {
	KUNIT_CASE(names_parse_only_in_canonical_form),
	KUNIT_CASE(names_round_trip),
	KUNIT_CASE(raw_escapes_as_libsmartcols),
	KUNIT_CASE(counts_and_lowest_pid),
	KUNIT_CASE(types_are_contiguous_and_sorted),
	KUNIT_CASE(hierarchy_children_depths_paths),
	KUNIT_CASE(parent_loops_end),
	KUNIT_CASE(deep_nesting_is_kept),
	KUNIT_CASE(full_snapshot_says_so),
	KUNIT_CASE(table_rows),
	KUNIT_CASE(table_id_column),
	KUNIT_CASE(table_without_processes),
	KUNIT_CASE(longest_row_fits),
	KUNIT_CASE(compact_keeps_contents),
	{}
};

static struct kunit_suite namespacefs_snapshot_suite = {
	.name = "namespacefs_snapshot",
	.test_cases = namespacefs_snapshot_cases,
};

kunit_test_suite(namespacefs_snapshot_suite);

MODULE_DESCRIPTION("KUnit tests for namespacefs's snapshot core");
MODULE_LICENSE("GPL");
