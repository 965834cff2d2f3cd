/* SPDX-License-Identifier: GPL-2.0 */
/*
 * namespacefs snapshots: the namespaces one reader may see at one instant,
 * as plain numbers. The collector (collect.c) fills a snapshot from the
 * task list; this part orders it, counts processes, builds the pid and user
 * hierarchies and formats rows, with no task, VFS or namespace pointer in
 * it, so that KUnit drives it with synthetic input.
 */
#ifndef NAMESPACEFS_SNAPSHOT_H
#define NAMESPACEFS_SNAPSHOT_H

#include <linux/seq_buf.h>
#include <linux/types.h>

/* In the order of their directories; names are nsfs's (/proc/PID/ns/). */
enum nsfs_type {
	NSFS_CGROUP,
	NSFS_IPC,
	NSFS_MNT,
	NSFS_NET,
	NSFS_PID,
	NSFS_TIME,
	NSFS_USER,
	NSFS_UTS,
	NSFS_NR_TYPES,
};

extern const char *const nsfs_type_names[NSFS_NR_TYPES];

/* Only these two nest without reference to the user namespace. */
static inline bool nsfs_type_nests(enum nsfs_type type)
{
	return type == NSFS_PID || type == NSFS_USER;
}

#define NSFS_NONE	(-1)

/**
 * struct nsfs_ns - one namespace in a snapshot
 * @id: its 64-bit id (NS_GET_ID), 0 where the kernel has none
 * @inum: its nsfs inode number, unique across all types
 * @parent: inode number of the parent (pid, user), 0 if none
 * @owner: inode number of the owning user namespace, 0 for none (the initial
 *	user namespace)
 * @type: &enum nsfs_type
 * @level: nesting depth (pid, user; 0 for the initial namespace)
 * @nprocs: processes in it that the reader may see
 * @proc: index in &nsfs_snap.procs of the lowest-PID one, or %NSFS_NONE
 * @up: index of the parent in the snapshot, %NSFS_NONE for a root of its
 *	type's hierarchy (or for a type that does not nest)
 * @child: index of the first child (ascending inode order), or %NSFS_NONE
 * @sibling: index of the next sibling, or %NSFS_NONE
 * @depth: directories between the type's directory and this one, plus one
 *
 * The fields from @nprocs on are computed by nsfs_snap_finish().
 */
struct nsfs_ns {
	u64 id;
	u32 inum;
	u32 parent;
	u32 owner;
	u8 type;
	u8 level;
	u32 nprocs;
	int proc;
	int up;
	int child;
	int sibling;
	unsigned int depth;
};

/**
 * struct nsfs_proc - one process the reader may see
 * @pid: its PID (thread-group ID) in the reader's pid namespace
 * @ppid: its parent's, 0 if the parent is not visible there
 * @start_time: when it started (boot-based ns): with @pid, which process it
 *	was, when the PID may since have been reused
 * @uid: owner of its /proc directory, in the reader's user namespace
 * @comm: its command name
 * @ns: inode number of its namespace of each type, 0 where it is out of view
 */
struct nsfs_proc {
	pid_t pid;
	pid_t ppid;
	u64 start_time;
	u32 uid;
	char comm[16];
	u32 ns[NSFS_NR_TYPES];
};

/**
 * struct nsfs_snap - a snapshot
 * @ns: namespaces; sorted by (type, inode) once finished
 * @nr_ns: entries used in @ns
 * @max_ns: entries allocated in @ns
 * @procs: processes; sorted by PID once finished
 * @nr_procs: entries used in @procs
 * @max_procs: entries allocated in @procs
 * @hash: open-addressing index of @ns by inode number (index + 1, 0 free)
 * @hash_mask: size of @hash minus one (a power of two above 2 * @max_ns)
 * @type_start: index of the first namespace of each type, once finished,
 *	and of the end at [%NSFS_NR_TYPES]
 * @has_id: the kernel gives namespaces 64-bit ids (&nsfs_ns.id): the table
 *	has an ID column
 */
struct nsfs_snap {
	struct nsfs_ns *ns;
	unsigned int nr_ns;
	unsigned int max_ns;
	struct nsfs_proc *procs;
	unsigned int nr_procs;
	unsigned int max_procs;
	u32 *hash;
	u32 hash_mask;
	unsigned int type_start[NSFS_NR_TYPES + 1];
	bool has_id;
};

int nsfs_snap_alloc(struct nsfs_snap *snap, unsigned int max_procs,
		    unsigned int max_ns);
void nsfs_snap_free(struct nsfs_snap *snap);
struct nsfs_ns *nsfs_snap_find(const struct nsfs_snap *snap, u32 inum);
struct nsfs_ns *nsfs_snap_add_ns(struct nsfs_snap *snap, enum nsfs_type type,
				 u32 inum, u32 parent, u32 owner,
				 unsigned int level);
struct nsfs_proc *nsfs_snap_add_proc(struct nsfs_snap *snap);
void nsfs_snap_finish(struct nsfs_snap *snap);
int nsfs_snap_compact(struct nsfs_snap *snap);

/*
 * The namespaces of one type in a finished snapshot are the run
 * [nsfs_type_first(), nsfs_type_end()), in inode number order.
 */
static inline struct nsfs_ns *nsfs_type_first(const struct nsfs_snap *snap,
					      enum nsfs_type type)
{
	return &snap->ns[snap->type_start[type]];
}

static inline struct nsfs_ns *nsfs_type_end(const struct nsfs_snap *snap,
					    enum nsfs_type type)
{
	return &snap->ns[snap->type_start[type + 1]];
}

static inline int nsfs_ns_index(const struct nsfs_snap *snap,
				const struct nsfs_ns *ns)
{
	return ns - snap->ns;
}

static inline struct nsfs_ns *nsfs_snap_ns(const struct nsfs_snap *snap,
					   int index)
{
	return index == NSFS_NONE ? NULL : &snap->ns[index];
}

int nsfs_parse_name(const char *name, size_t len, enum nsfs_type type,
		    u32 *inum);
void nsfs_print_name(struct seq_buf *buf, const struct nsfs_ns *ns);
void nsfs_print_path(struct seq_buf *buf, const struct nsfs_snap *snap,
		     const struct nsfs_ns *ns);
void nsfs_print_raw(struct seq_buf *buf, const char *str);
/* The longest command line shown; /proc's has no limit. */
#define NSFS_COMMAND_MAX	4096
/*
 * The longest row of the table: a command line (NUL excluded) whose every
 * byte is escaped as \xHH, and the numbers around it.
 */
#define NSFS_ROW_MAX		(4 * (NSFS_COMMAND_MAX - 1) + 128)

void nsfs_print_table_header(struct seq_buf *buf,
			     const struct nsfs_snap *snap);
void nsfs_print_table_row(struct seq_buf *buf, const struct nsfs_snap *snap,
			  const struct nsfs_ns *ns, const char *command);

const struct nsfs_ns **nsfs_table_rows(const struct nsfs_snap *snap,
				       unsigned int *nr_rows);

#endif /* NAMESPACEFS_SNAPSHOT_H */
