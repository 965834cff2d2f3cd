/* SPDX-License-Identifier: GPL-2.0 */
/*
 * namespacefs compat: the kernel API differences between Debian's 6.1 and
 * 6.12 and Linux 7.3 that namespacefs meets, decided by feature tests in
 * Kbuild (which greps the target kernel's headers), never by version
 * numbers. Where a newer API has a name, it is used, and defined in terms
 * of the older one where only that exists.
 */
#ifndef NAMESPACEFS_COMPAT_H
#define NAMESPACEFS_COMPAT_H

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/ns_common.h>

/* Linux 6.6 hid the inode's timestamps behind accessors. */
static inline void compat_inode_init_ts(struct inode *inode)
{
#ifdef COMPAT_SIMPLE_INODE_INIT_TS
	simple_inode_init_ts(inode);
#else
	struct timespec64 now = current_time(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
#endif
}

/*
 * Linux 6.14 passes d_revalidate() the parent directory and the name the
 * dentry was looked up by; the callback is declared with
 * COMPAT_D_REVALIDATE_ARGS, whose dentry and flags are there on both.
 */
#ifdef COMPAT_D_REVALIDATE_DIR_NAME
#define COMPAT_D_REVALIDATE_ARGS struct inode *dir, const struct qstr *name, \
				 struct dentry *dentry, unsigned int flags
#else
#define COMPAT_D_REVALIDATE_ARGS struct dentry *dentry, unsigned int flags
#endif

/* Linux 6.17 made the superblock's default dentry operations private. */
#ifndef COMPAT_HAVE_SET_DEFAULT_D_OP
static inline void set_default_d_op(struct super_block *sb,
				    const struct dentry_operations *ops)
{
	sb->s_d_op = ops;
}
#endif

/*
 * Whether a task is dumpable by its owner, which decides who may inspect
 * it (__ptrace_may_access()) and who owns its /proc files
 * (task_dump_owner()), and the user namespace it was exec'd in (*ns). Linux
 * 7.3 keeps both in task->exec_state, for tasks with and without an mm
 * alike; before, they were the mm's, and a task without one (a kernel
 * thread, an exiting task) passed (*ns: the initial one). Called under RCU, with
 * task_lock(task) held (which keeps task->mm).
 */
#ifdef COMPAT_HAVE_TASK_EXEC_STATE
#include <linux/sched/exec_state.h>

static inline bool compat_task_owner_dumpable(struct task_struct *task,
					      struct user_namespace **ns)
{
	const struct task_exec_state *exec_state = rcu_dereference(task->exec_state);

	*ns = exec_state->user_ns;
	return READ_ONCE(exec_state->dumpable) == TASK_DUMPABLE_OWNER;
}
#else
#include <linux/sched/coredump.h>

static inline bool compat_task_owner_dumpable(struct task_struct *task,
					      struct user_namespace **ns)
{
	struct mm_struct *mm = task->mm;

	*ns = mm ? mm->user_ns : &init_user_ns;
	return !mm || get_dumpable(mm) == SUID_DUMP_USER;
}
#endif

/* Linux 6.18 renamed generic_delete_inode() inode_just_drop(). */
#ifndef COMPAT_HAVE_INODE_JUST_DROP
#define inode_just_drop generic_delete_inode
#endif

/*
 * The 64-bit id of a namespace, which kernels after 6.12 (7.3 here) give
 * every namespace from one counter for all types, never reused until
 * reboot, and report by NS_GET_ID and listns(). 6.1 has no such id, 6.12
 * only one for mount namespaces, from a counter of their own; there none
 * is shown (COMPAT_NS_HAS_ID false, and 0 stands for none). It is set when
 * the namespace is made and never changes, so a plain read suffices.
 */
#ifdef COMPAT_HAVE_NS_ID
#define COMPAT_NS_HAS_ID	true

static inline u64 compat_ns_id(const struct ns_common *ns)
{
	return ns->ns_id;
}
#else
#define COMPAT_NS_HAS_ID	false

static inline u64 compat_ns_id(const struct ns_common *ns)
{
	return 0;
}
#endif

#endif /* NAMESPACEFS_COMPAT_H */
