// SPDX-License-Identifier: GPL-2.0
/*
 * namespacefs collector: one pass over the task list under RCU takes the
 * namespaces of every process the current task could inspect through
 * /proc, as numbers, into a snapshot. Nothing here keeps a pointer to a
 * task or a namespace beyond the lock that makes it safe: a task's
 * nsproxy, and so every namespace in it and their owners and parents,
 * cannot be freed while task_lock() is held; creds, struct pid and the pid
 * namespace they pin are freed after an RCU grace period.
 */

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_ns.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/time_namespace.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <net/net_namespace.h>

/* fs/mount.h, from the kernel's source: struct mnt_namespace. */
#include "compat.h"
#include "mount.h"

#include "namespacefs.h"

/*
 * Snapshot sizes that sufficed last time, to start the next one with, so
 * that a large view is not walked again at each doubling (what an open
 * keeps is trimmed to what it used: nsfs_snap_compact()).
 */
static unsigned int nsfs_procs_hint = 64;
static unsigned int nsfs_ns_hint = 64;

static bool nsfs_userns_in_view(const struct user_namespace *ns,
				const struct user_namespace *view)
{
	for (; ns; ns = ns->parent)
		if (ns == view)
			return true;
	return false;
}

/*
 * What ptrace_may_access(task, PTRACE_MODE_READ_FSCREDS) decides, which is
 * how /proc guards /proc/PID/ns: ptrace_may_access() is not exported, so
 * this follows __ptrace_may_access() and the capability LSM's
 * cap_ptrace_access_check() step by step. Other LSMs' ptrace hooks are not
 * consulted (Documentation/namespacefs.rst, Limits). Called with
 * task_lock(task) held, as ptrace_may_access() holds it, and RCU.
 */
static bool nsfs_may_inspect(struct task_struct *task)
{
	const struct cred *cred = current_cred(), *tcred;
	struct user_namespace *exec_ns;

	if (same_thread_group(task, current))
		return true;
	tcred = __task_cred(task);
	if (!(uid_eq(cred->fsuid, tcred->euid) &&
	      uid_eq(cred->fsuid, tcred->suid) &&
	      uid_eq(cred->fsuid, tcred->uid) &&
	      gid_eq(cred->fsgid, tcred->egid) &&
	      gid_eq(cred->fsgid, tcred->sgid) &&
	      gid_eq(cred->fsgid, tcred->gid)) &&
	    !ns_capable_noaudit(tcred->user_ns, CAP_SYS_PTRACE))
		return false;
	/* Pairs with smp_wmb() in commit_creds(), as in ptrace.c. */
	smp_rmb();
	if (!compat_task_owner_dumpable(task, &exec_ns) &&
	    !ns_capable_noaudit(exec_ns, CAP_SYS_PTRACE))
		return false;
	/* cap_ptrace_access_check(): FSCREDS compares effective capabilities. */
	if (cred->user_ns == tcred->user_ns &&
	    cap_issubset(tcred->cap_permitted, cred->cap_effective))
		return true;
	return ns_capable_noaudit(tcred->user_ns, CAP_SYS_PTRACE);
}

/* The owner of /proc/PID, as task_dump_owner() decides it. */
static uid_t nsfs_proc_uid(struct task_struct *task)
{
	kuid_t uid = GLOBAL_ROOT_UID;

	if (!(task->flags & PF_KTHREAD)) {
		struct user_namespace *exec_ns;

		uid = __task_cred(task)->euid;
		if (!compat_task_owner_dumpable(task, &exec_ns)) {
			uid = make_kuid(exec_ns, 0);
			if (!uid_valid(uid))
				uid = GLOBAL_ROOT_UID;
		}
	}
	return from_kuid_munged(current_user_ns(), uid);
}

/* nsfs_snap_add_ns() for one of the kernel's namespaces, with its id. */
static bool nsfs_add_ns(struct nsfs_snap *snap, enum nsfs_type type,
			const struct ns_common *ns, u32 parent, u32 owner,
			unsigned int level)
{
	struct nsfs_ns *entry;

	entry = nsfs_snap_add_ns(snap, type, ns->inum, parent, owner, level);
	if (entry)
		entry->id = compat_ns_id(ns);
	return entry;
}

/* A user namespace and its ancestors up to the view's root. */
static int nsfs_add_user(struct nsfs_snap *snap, struct user_namespace *ns,
			 struct user_namespace *view)
{
	for (;;) {
		struct user_namespace *parent = ns->parent;
		u32 up = parent ? parent->ns.inum : 0;

		if (nsfs_snap_find(snap, ns->ns.inum))
			return 0;
		if (!nsfs_add_ns(snap, NSFS_USER, &ns->ns, up, up,
				 ns->level - view->level))
			return -ENOSPC;
		if (ns == view)
			return 0;
		ns = parent;
	}
}

/*
 * A pid namespace, which is the reader's or a descendant, and its
 * ancestors up to the reader's: NS_GET_PARENT reveals them as far.
 */
static int nsfs_add_pid(struct nsfs_snap *snap, struct pid_namespace *ns,
			struct pid_namespace *top, struct user_namespace *view)
{
	for (;;) {
		u32 up = ns->parent ? ns->parent->ns.inum : 0;

		if (nsfs_snap_find(snap, ns->ns.inum))
			return 0;
		if (!nsfs_userns_in_view(ns->user_ns, view))
			return 0;
		if (!nsfs_add_ns(snap, NSFS_PID, &ns->ns, up,
				 ns->user_ns->ns.inum, ns->level - top->level) ||
		    nsfs_add_user(snap, ns->user_ns, view))
			return -ENOSPC;
		if (ns == top || !ns->parent)
			return 0;
		ns = ns->parent;
	}
}

/*
 * One namespace of a process: returns its inode number, 0 if it is out of
 * the view, or -ENOSPC.
 */
static s64 nsfs_add_one(struct nsfs_snap *snap, enum nsfs_type type,
			struct ns_common *ns, struct pid_namespace *top,
			struct user_namespace *view)
{
	struct user_namespace *user = container_of(ns, struct user_namespace, ns);
	struct pid_namespace *pid = container_of(ns, struct pid_namespace, ns);
	struct user_namespace *owner;
	int err;

	/*
	 * A type the kernel was built without has no namespace at all (see
	 * nsfs_task_namespaces()) or, without its _NS option, only its
	 * initial one, with no operations: /proc/PID/ns has no link for it,
	 * and namespacefs no directory.
	 */
	if (!ns || !ns->ops)
		return 0;
	switch (type) {
	case NSFS_USER:
		if (!nsfs_userns_in_view(user, view))
			return 0;
		err = nsfs_add_user(snap, user, view);
		break;
	case NSFS_PID:
		if (!nsfs_userns_in_view(pid->user_ns, view))
			return 0;
		err = nsfs_add_pid(snap, pid, top, view);
		break;
	default:
		owner = ns->ops->owner(ns);
		if (!nsfs_userns_in_view(owner, view))
			return 0;
		if (nsfs_snap_find(snap, ns->inum))
			return ns->inum;
		if (!nsfs_add_ns(snap, type, ns, 0, owner->ns.inum, 0))
			return -ENOSPC;
		err = nsfs_add_user(snap, owner, view);
		break;
	}
	return err ? err : ns->inum;
}

/* Called with task_lock(task) held and nsproxy not NULL. */
static void nsfs_task_namespaces(struct task_struct *task,
				 struct ns_common *ns[NSFS_NR_TYPES])
{
	struct nsproxy *nsproxy = task->nsproxy;

	/*
	 * A kernel built without a type (CONFIG_TIME_NS=n, CONFIG_NET=n,
	 * neither SYSVIPC nor POSIX_MQUEUE, CONFIG_CGROUPS=n) has a NULL
	 * pointer for it here; /proc/PID/ns has no link for it.
	 */
	ns[NSFS_CGROUP] = nsproxy->cgroup_ns ? &nsproxy->cgroup_ns->ns : NULL;
	ns[NSFS_IPC] = nsproxy->ipc_ns ? &nsproxy->ipc_ns->ns : NULL;
	ns[NSFS_MNT] = &nsproxy->mnt_ns->ns;
	ns[NSFS_NET] = nsproxy->net_ns ? &nsproxy->net_ns->ns : NULL;
	ns[NSFS_PID] = &task_active_pid_ns(task)->ns;
	ns[NSFS_TIME] = nsproxy->time_ns ? &nsproxy->time_ns->ns : NULL;
	ns[NSFS_USER] = &__task_cred(task)->user_ns->ns;
	ns[NSFS_UTS] = &nsproxy->uts_ns->ns;
}

static int nsfs_collect_proc(struct nsfs_snap *snap, struct task_struct *task,
			     pid_t pid, struct pid_namespace *top,
			     struct user_namespace *view)
{
	struct ns_common *ns[NSFS_NR_TYPES];
	struct nsfs_proc *proc;
	unsigned int t;
	int err = 0;

	task_lock(task);
	/* An exiting task has dropped its namespaces; /proc shows none. */
	if (!task->nsproxy || !nsfs_may_inspect(task))
		goto out;
	proc = nsfs_snap_add_proc(snap);
	if (!proc) {
		err = -ENOSPC;
		goto out;
	}
	nsfs_task_namespaces(task, ns);
	for (t = 0; t < NSFS_NR_TYPES; t++) {
		s64 inum = nsfs_add_one(snap, t, ns[t], top, view);

		if (inum < 0) {
			err = inum;
			goto out;
		}
		proc->ns[t] = inum;
	}
	proc->pid = pid;
	proc->start_time = task->start_boottime;
	proc->ppid = task_tgid_nr_ns(rcu_dereference(task->real_parent), top);
	proc->uid = nsfs_proc_uid(task);
	strscpy_pad(proc->comm, task->comm, sizeof(proc->comm));
out:
	task_unlock(task);
	return err;
}

static int nsfs_collect_once(struct nsfs_snap *snap,
			     struct user_namespace *view)
{
	struct pid_namespace *top = task_active_pid_ns(current);
	struct task_struct *task;
	int err = 0;

	rcu_read_lock();
	for_each_process(task) {
		/* Visible to the reader: it has a PID in the reader's namespace. */
		pid_t pid = task_tgid_nr_ns(task, top);

		if (!pid)
			continue;
		err = nsfs_collect_proc(snap, task, pid, top, view);
		if (err)
			break;
	}
	rcu_read_unlock();
	return err;
}

/**
 * nsfs_collect() - take a snapshot of what the current task may see
 * @snap: the snapshot, allocated here; nsfs_snap_free() it
 * @view: the user namespace whose subtree the mount shows
 *
 * Every process with a PID in the current task's pid namespace that the
 * current task may inspect (/proc's rule for /proc/PID/ns) is recorded with
 * its namespaces; namespaces owned outside @view's subtree are left out.
 * Pid namespaces are recorded up to the reader's own, user namespaces up to
 * @view, with the owner of each namespace, so that every directory has its
 * parents and every owner link a target; and each one's 64-bit id where
 * the kernel has them.
 *
 * Return: 0 with @snap finished, or -ENOMEM.
 */
int nsfs_collect(struct nsfs_snap *snap, struct user_namespace *view)
{
	unsigned int max_procs = READ_ONCE(nsfs_procs_hint);
	unsigned int max_ns = READ_ONCE(nsfs_ns_hint);
	int err;

	for (;;) {
		err = nsfs_snap_alloc(snap, max_procs, max_ns);
		if (err)
			return err;
		err = nsfs_collect_once(snap, view);
		if (err != -ENOSPC)
			break;
		if (snap->nr_procs == max_procs)
			max_procs *= 2;
		else
			max_ns *= 2;
		nsfs_snap_free(snap);
	}
	WRITE_ONCE(nsfs_procs_hint, max_procs);
	WRITE_ONCE(nsfs_ns_hint, max_ns);
	snap->has_id = COMPAT_NS_HAS_ID;
	nsfs_snap_finish(snap);
	return 0;
}

/*
 * The process a snapshot recorded, if it still exists and the current
 * credentials may still inspect it: its PID may have been reused, or its
 * credentials changed (an exec of a setuid program) since the snapshot.
 * (An exec racing with this check is not excluded, as exec_update_lock
 * would: the command line is what /proc/PID/cmdline shows anyone.)
 */
static struct task_struct *nsfs_get_proc_task(const struct nsfs_proc *proc,
					      struct pid_namespace *pid_ns)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_pid_ns(proc->pid, pid_ns), PIDTYPE_PID);
	if (task && task->start_boottime != proc->start_time)
		task = NULL;
	if (task) {
		bool may;

		task_lock(task);
		may = nsfs_may_inspect(task);
		task_unlock(task);
		if (may)
			get_task_struct(task);
		else
			task = NULL;
	}
	rcu_read_unlock();
	return task;
}

/**
 * nsfs_read_command() - a process's command line, as lsns shows it
 * @proc: the process, from a snapshot taken with the current credentials
 * @pid_ns: the pid namespace the snapshot was taken in (its PIDs' numbering)
 * @buf: the buffer
 * @size: its size
 *
 * The arguments joined by spaces, read as /proc/PID/cmdline reads them:
 * from anonymous memory only (FOLL_ANON) and never forcing past the
 * owner's protections (no FOLL_FORCE). An argv its owner mapped from a
 * file (one of their FUSE mounts, say), made PROT_NONE or registered with
 * userfaultfd is then not read: no filesystem is asked for a page. Like
 * /proc and ps, the read still takes the target's mmap_lock (killably). The
 * command name if there are no arguments (kernel threads), they cannot be
 * read, or the process is gone or no longer the one recorded.
 */
void nsfs_read_command(const struct nsfs_proc *proc,
		       struct pid_namespace *pid_ns, char *buf, size_t size)
{
	struct task_struct *task = nsfs_get_proc_task(proc, pid_ns);
	int len = 0, i;

	if (task) {
		struct mm_struct *mm = get_task_mm(task);

		if (mm) {
			unsigned long start, end;

			spin_lock(&mm->arg_lock);
			start = mm->arg_start;
			end = mm->arg_end;
			spin_unlock(&mm->arg_lock);
			if (end > start)
				len = access_process_vm(task, start, buf,
							min_t(unsigned long,
							      end - start,
							      size - 1),
							FOLL_ANON);
			mmput(mm);
		}
		put_task_struct(task);
	}
	len = max(len, 0);
	for (i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = ' ';
	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
	if (!len)
		strscpy(buf, proc->comm, size);
}

/**
 * nsfs_read_uts() - the names of a uts namespace the current task may see
 * @inum: its inode number
 * @view: the user namespace whose subtree the mount shows
 * @nodename: its nodename, __NEW_UTS_LEN + 1 bytes
 * @domainname: its domainname, as long
 *
 * Return: 0, or -ENOENT if no process the current task may see is in it.
 */
int nsfs_read_uts(u32 inum, struct user_namespace *view, char *nodename,
		  char *domainname)
{
	struct pid_namespace *top = task_active_pid_ns(current);
	struct task_struct *task;
	int err = -ENOENT;

	rcu_read_lock();
	for_each_process(task) {
		struct uts_namespace *uts;

		if (!task_tgid_nr_ns(task, top))
			continue;
		task_lock(task);
		uts = task->nsproxy ? task->nsproxy->uts_ns : NULL;
		if (uts && uts->ns.inum == inum &&
		    nsfs_userns_in_view(uts->user_ns, view) &&
		    nsfs_may_inspect(task)) {
			/* uts_sem is not exported: a racing sethostname() may tear. */
			strscpy(nodename, uts->name.nodename, __NEW_UTS_LEN + 1);
			strscpy(domainname, uts->name.domainname,
				__NEW_UTS_LEN + 1);
			err = 0;
		}
		task_unlock(task);
		if (!err)
			break;
	}
	rcu_read_unlock();
	return err;
}
