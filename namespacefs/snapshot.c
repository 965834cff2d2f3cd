// SPDX-License-Identifier: GPL-2.0
/*
 * namespacefs snapshots: ordering, process counts, the pid and user
 * hierarchies, names and the table's rows. See snapshot.h.
 */

#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "snapshot.h"

const char *const nsfs_type_names[NSFS_NR_TYPES] = {
	[NSFS_CGROUP] = "cgroup",
	[NSFS_IPC] = "ipc",
	[NSFS_MNT] = "mnt",
	[NSFS_NET] = "net",
	[NSFS_PID] = "pid",
	[NSFS_TIME] = "time",
	[NSFS_USER] = "user",
	[NSFS_UTS] = "uts",
};

/* Deeper than both pid and user namespaces may nest (32 each). */
#define NSFS_MAX_DEPTH	40

/**
 * nsfs_snap_alloc() - allocate an empty snapshot
 * @snap: the snapshot
 * @max_procs: room for this many processes
 * @max_ns: and this many namespaces
 *
 * Return: 0, or -ENOMEM with nothing allocated.
 */
int nsfs_snap_alloc(struct nsfs_snap *snap, unsigned int max_procs,
		    unsigned int max_ns)
{
	unsigned int hash_size = roundup_pow_of_two(2 * max_ns + 1);

	memset(snap, 0, sizeof(*snap));
	/* Charged to the reader, who decides how many it keeps (open files). */
	snap->ns = kvcalloc(max_ns, sizeof(*snap->ns), GFP_KERNEL_ACCOUNT);
	snap->procs = kvcalloc(max_procs, sizeof(*snap->procs),
			       GFP_KERNEL_ACCOUNT);
	snap->hash = kvcalloc(hash_size, sizeof(*snap->hash),
			      GFP_KERNEL_ACCOUNT);
	if (!snap->ns || !snap->procs || !snap->hash) {
		nsfs_snap_free(snap);
		return -ENOMEM;
	}
	snap->max_ns = max_ns;
	snap->max_procs = max_procs;
	snap->hash_mask = hash_size - 1;
	return 0;
}

/**
 * nsfs_snap_free() - free a snapshot's arrays
 * @snap: the snapshot, allocated or not
 */
void nsfs_snap_free(struct nsfs_snap *snap)
{
	kvfree(snap->ns);
	kvfree(snap->procs);
	kvfree(snap->hash);
	memset(snap, 0, sizeof(*snap));
}

/**
 * nsfs_snap_compact() - trim a finished snapshot to what it holds
 * @snap: the finished snapshot
 *
 * A snapshot is allocated at the size the last one needed, for whichever
 * reader; one that is kept (an open table) is trimmed to its own
 * processes and namespaces, and loses its index: nsfs_snap_find() finds
 * nothing in it.
 *
 * Return: 0, or -ENOMEM with @snap unchanged.
 */
int nsfs_snap_compact(struct nsfs_snap *snap)
{
	struct nsfs_proc *procs;
	struct nsfs_ns *ns;

	/* One more than needed: never a zero-sized allocation. */
	ns = kvmalloc_array(snap->nr_ns + 1, sizeof(*ns), GFP_KERNEL_ACCOUNT);
	procs = kvmalloc_array(snap->nr_procs + 1, sizeof(*procs),
			       GFP_KERNEL_ACCOUNT);
	if (!ns || !procs) {
		kvfree(ns);
		kvfree(procs);
		return -ENOMEM;
	}
	memcpy(ns, snap->ns, snap->nr_ns * sizeof(*ns));
	memcpy(procs, snap->procs, snap->nr_procs * sizeof(*procs));
	kvfree(snap->ns);
	kvfree(snap->procs);
	kvfree(snap->hash);
	snap->ns = ns;
	snap->procs = procs;
	snap->hash = NULL;
	snap->max_ns = snap->nr_ns;
	snap->max_procs = snap->nr_procs;
	return 0;
}

static u32 *nsfs_hash_slot(const struct nsfs_snap *snap, u32 inum)
{
	u32 i = hash_32(inum, 32) & snap->hash_mask;

	/* Never full: it has more than twice as many slots as entries. */
	while (snap->hash[i] && snap->ns[snap->hash[i] - 1].inum != inum)
		i = (i + 1) & snap->hash_mask;
	return &snap->hash[i];
}

/**
 * nsfs_snap_find() - look a namespace up by inode number
 * @snap: the snapshot
 * @inum: its inode number
 *
 * Return: the namespace, or NULL.
 */
struct nsfs_ns *nsfs_snap_find(const struct nsfs_snap *snap, u32 inum)
{
	u32 slot;

	if (!snap->hash)
		return NULL;	/* compacted */
	slot = *nsfs_hash_slot(snap, inum);

	return slot ? &snap->ns[slot - 1] : NULL;
}

/**
 * nsfs_snap_add_ns() - add a namespace unless it is there
 * @snap: the snapshot, not finished
 * @type: its type
 * @inum: its inode number
 * @parent: its parent's inode number, 0 if none
 * @owner: its owning user namespace's inode number, 0 if none
 * @level: its nesting level
 *
 * Return: the namespace (the one there before if any), or NULL if the
 * snapshot is full: the caller grows it and starts again.
 */
struct nsfs_ns *nsfs_snap_add_ns(struct nsfs_snap *snap, enum nsfs_type type,
				 u32 inum, u32 parent, u32 owner,
				 unsigned int level)
{
	u32 *slot = nsfs_hash_slot(snap, inum);
	struct nsfs_ns *ns;

	if (*slot)
		return &snap->ns[*slot - 1];
	if (snap->nr_ns == snap->max_ns)
		return NULL;
	ns = &snap->ns[snap->nr_ns++];
	*ns = (struct nsfs_ns) {
		.inum = inum,
		.parent = parent,
		.owner = owner,
		.type = type,
		.level = level,
	};
	*slot = snap->nr_ns;
	return ns;
}

/**
 * nsfs_snap_add_proc() - add a process
 * @snap: the snapshot, not finished
 *
 * Return: a zeroed entry for the caller to fill in, or NULL if the
 * snapshot is full.
 */
struct nsfs_proc *nsfs_snap_add_proc(struct nsfs_snap *snap)
{
	struct nsfs_proc *proc;

	if (snap->nr_procs == snap->max_procs)
		return NULL;
	proc = &snap->procs[snap->nr_procs++];
	memset(proc, 0, sizeof(*proc));
	return proc;
}

static int nsfs_cmp_ns(const void *a, const void *b)
{
	const struct nsfs_ns *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return 0;
}

static int nsfs_cmp_proc(const void *a, const void *b)
{
	const struct nsfs_proc *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return 0;
}

/*
 * Count each process in its namespace of each type, in PID order so that
 * the first one counted is the lowest PID, as lsns reports it.
 */
static void nsfs_count_procs(struct nsfs_snap *snap)
{
	unsigned int i, t;

	for (i = 0; i < snap->nr_procs; i++) {
		for (t = 0; t < NSFS_NR_TYPES; t++) {
			struct nsfs_ns *ns;

			if (!snap->procs[i].ns[t])
				continue;
			ns = nsfs_snap_find(snap, snap->procs[i].ns[t]);
			if (!ns || ns->type != t)
				continue;
			if (!ns->nprocs++)
				ns->proc = i;
		}
	}
}

/* Link each nesting namespace to its parent, children in inode order. */
static void nsfs_link_tree(struct nsfs_snap *snap)
{
	unsigned int i, d;
	int n;

	for (n = snap->nr_ns - 1; n >= 0; n--) {
		struct nsfs_ns *ns = &snap->ns[n], *up;

		if (!nsfs_type_nests(ns->type) || !ns->parent)
			continue;
		up = nsfs_snap_find(snap, ns->parent);
		if (!up || up->type != ns->type || up == ns)
			continue;
		ns->up = nsfs_ns_index(snap, up);
		ns->sibling = up->child;
		up->child = n;
	}
	for (i = 0; i < snap->nr_ns; i++) {
		struct nsfs_ns *ns = &snap->ns[i];
		int up = ns->up;

		/* A parent loop in bad input ends at the depth limit. */
		for (d = 1; up != NSFS_NONE && d < NSFS_MAX_DEPTH; d++)
			up = snap->ns[up].up;
		if (up != NSFS_NONE) {
			ns->up = NSFS_NONE;
			d = 1;
		}
		ns->depth = d;
	}
}

/**
 * nsfs_snap_finish() - order a filled snapshot and compute its relations
 * @snap: the snapshot
 *
 * Sorts the namespaces by type and inode number and the processes by PID,
 * counts each namespace's processes and finds the lowest PID, links pid and
 * user namespaces to their parents where the parent is in the snapshot (the
 * others are roots of their type's directory) and computes depths.
 */
void nsfs_snap_finish(struct nsfs_snap *snap)
{
	unsigned int i, t;

	sort(snap->ns, snap->nr_ns, sizeof(*snap->ns), nsfs_cmp_ns, NULL);
	sort(snap->procs, snap->nr_procs, sizeof(*snap->procs), nsfs_cmp_proc,
	     NULL);
	memset(snap->hash, 0, (snap->hash_mask + 1) * sizeof(*snap->hash));
	for (i = 0; i < snap->nr_ns; i++) {
		struct nsfs_ns *ns = &snap->ns[i];

		*nsfs_hash_slot(snap, ns->inum) = i + 1;
		ns->nprocs = 0;
		ns->proc = NSFS_NONE;
		ns->up = NSFS_NONE;
		ns->child = NSFS_NONE;
		ns->sibling = NSFS_NONE;
	}
	for (t = 0, i = 0; t <= NSFS_NR_TYPES; t++) {
		while (i < snap->nr_ns && snap->ns[i].type < t)
			i++;
		snap->type_start[t] = i;
	}
	snap->type_start[NSFS_NR_TYPES] = snap->nr_ns;
	nsfs_count_procs(snap);
	nsfs_link_tree(snap);
}

/**
 * nsfs_parse_name() - parse a directory name such as ``net:[4026531840]``
 * @name: the name, not NUL-terminated
 * @len: its length
 * @type: the type its directory holds
 * @inum: the inode number, on success
 *
 * Only the form nsfs_print_name() prints is accepted, so that one
 * namespace has one name.
 *
 * Return: 0, or -ENOENT.
 */
int nsfs_parse_name(const char *name, size_t len, enum nsfs_type type,
		    u32 *inum)
{
	size_t prefix = strlen(nsfs_type_names[type]);
	char digits[11];
	size_t n;

	if (len < prefix + 4 || memcmp(name, nsfs_type_names[type], prefix) ||
	    name[prefix] != ':' || name[prefix + 1] != '[' ||
	    name[len - 1] != ']')
		return -ENOENT;
	n = len - prefix - 3;
	if (n >= sizeof(digits) || name[prefix + 2] == '0')
		return -ENOENT;
	memcpy(digits, name + prefix + 2, n);
	digits[n] = '\0';
	/* Digits only: kstrtou32() would also take "+5" and "5\n". */
	if (strspn(digits, "0123456789") != n || kstrtou32(digits, 10, inum))
		return -ENOENT;
	return 0;
}

/**
 * nsfs_print_name() - print a namespace's name, as nsfs names it
 * @buf: the buffer
 * @ns: the namespace
 */
void nsfs_print_name(struct seq_buf *buf, const struct nsfs_ns *ns)
{
	seq_buf_printf(buf, "%s:[%u]", nsfs_type_names[ns->type], ns->inum);
}

/**
 * nsfs_print_path() - print a namespace directory's path from the root
 * @buf: the buffer
 * @snap: the finished snapshot
 * @ns: the namespace
 *
 * For example ``user/user:[4026531837]/user:[4026532201]``.
 */
void nsfs_print_path(struct seq_buf *buf, const struct nsfs_snap *snap,
		     const struct nsfs_ns *ns)
{
	const struct nsfs_ns *chain[NSFS_MAX_DEPTH];
	unsigned int n = 0;

	for (; ns && n < ARRAY_SIZE(chain); ns = nsfs_snap_ns(snap, ns->up))
		chain[n++] = ns;
	seq_buf_printf(buf, "%s", nsfs_type_names[chain[0]->type]);
	while (n--) {
		seq_buf_printf(buf, "%c", '/');
		nsfs_print_name(buf, chain[n]);
	}
}

static bool nsfs_raw_plain(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '\\';
}

/**
 * nsfs_print_raw() - print a string as ``lsns --raw`` does
 * @buf: the buffer
 * @str: the string
 *
 * libsmartcols' raw output writes a backslash, white space, control
 * characters and (in the C locale) every byte above 0x7e as ``\xHH``, so
 * that a row splits on spaces.
 */
void nsfs_print_raw(struct seq_buf *buf, const char *str)
{
	while (*str) {
		size_t plain = 0;

		/* Runs of plain characters in one call: commands are long. */
		while (nsfs_raw_plain(str[plain]))
			plain++;
		if (plain) {
			seq_buf_printf(buf, "%.*s", (int)plain, str);
			str += plain;
		} else {
			seq_buf_printf(buf, "\\x%02x", (unsigned char)*str++);
		}
	}
}

/**
 * nsfs_print_table_header() - print the table's header line
 * @buf: the buffer
 * @snap: the snapshot
 *
 * The columns of ``lsns --raw -o NS,TYPE,NPROCS,PID,PPID,COMMAND,UID``,
 * then ID where the kernel has namespace ids: last, so that the columns
 * before it stay lsns's.
 */
void nsfs_print_table_header(struct seq_buf *buf,
			     const struct nsfs_snap *snap)
{
	seq_buf_printf(buf, "%s%s\n", "NS TYPE NPROCS PID PPID COMMAND UID",
		       snap->has_id ? " ID" : "");
}

/**
 * nsfs_print_table_row() - print one namespace's row of the table
 * @buf: the buffer
 * @snap: the finished snapshot
 * @ns: the namespace; it must have a process
 * @command: the command line of its lowest-PID process
 */
void nsfs_print_table_row(struct seq_buf *buf, const struct nsfs_snap *snap,
			  const struct nsfs_ns *ns, const char *command)
{
	const struct nsfs_proc *proc = &snap->procs[ns->proc];

	seq_buf_printf(buf, "%u %s %u %d %d ", ns->inum,
		       nsfs_type_names[ns->type], ns->nprocs, proc->pid,
		       proc->ppid);
	nsfs_print_raw(buf, command);
	if (snap->has_id)
		seq_buf_printf(buf, " %u %llu\n", proc->uid, ns->id);
	else
		seq_buf_printf(buf, " %u\n", proc->uid);
}

static int nsfs_cmp_inum(const void *a, const void *b)
{
	const struct nsfs_ns *x = *(const struct nsfs_ns **)a;
	const struct nsfs_ns *y = *(const struct nsfs_ns **)b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return 0;
}

/**
 * nsfs_table_rows() - the rows of the table, in order
 * @snap: the finished snapshot
 * @nr_rows: set to the number of rows
 *
 * What ``lsns --raw -o NS,TYPE,NPROCS,PID,PPID,COMMAND,UID`` prints (and
 * each namespace's id, where the kernel has them) is a header, then one
 * row per namespace with a process, in ascending inode order across types:
 * namespaces in the snapshot only as parents or owners have no row. The
 * caller prints each with nsfs_print_table_row() as it is read, so that
 * no more than a row of text is kept per open file.
 *
 * Return: the rows, to be kvfree()d (charged to the current task's memory
 * cgroup), or NULL for -ENOMEM.
 */
const struct nsfs_ns **nsfs_table_rows(const struct nsfs_snap *snap,
				       unsigned int *nr_rows)
{
	const struct nsfs_ns **rows;
	unsigned int i, n = 0;

	/* One more than needed: never a zero-sized allocation. */
	rows = kvmalloc_array(snap->nr_ns + 1, sizeof(*rows),
			      GFP_KERNEL_ACCOUNT);
	if (!rows)
		return NULL;
	for (i = 0; i < snap->nr_ns; i++)
		if (snap->ns[i].nprocs)
			rows[n++] = &snap->ns[i];
	sort(rows, n, sizeof(*rows), nsfs_cmp_inum, NULL);
	*nr_rows = n;
	return rows;
}
