// SPDX-License-Identifier: GPL-2.0
/*
 * namespacefs: a read-only filesystem that shows the live namespaces and
 * how pid and user namespaces nest, as the reader may see them.
 *
 * Nothing is stored: every lookup, readdir, readlink and open takes a fresh
 * snapshot for the task doing it (collect.c), so what one reader sees
 * depends on its pid namespace and credentials, and a namespace that has
 * died is gone at the next access. Dentries are revalidated against a new
 * snapshot each time the dcache would reuse them and are dropped as soon
 * as they are unused; an open file holds the text its open produced.
 */

#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>

#include "compat.h"
#include "namespacefs.h"

/* "NSFS" in capitals: the kernel's own nsfs is 0x6e736673. */
#define NAMESPACEFS_MAGIC	0x4e534653
#define NSFS_TABLE_NAME		"table"

enum nsfs_kind {
	NSFS_K_ROOT,
	NSFS_K_TABLE,
	NSFS_K_TYPE,
	NSFS_K_NS,
	NSFS_K_FILE,
};

/* The entries of a namespace's directory, in readdir order. */
enum nsfs_file {
	NSFS_F_TYPE,
	NSFS_F_INODE,
	NSFS_F_ID,
	NSFS_F_NPROCS,
	NSFS_F_PID,
	NSFS_F_PPID,
	NSFS_F_COMMAND,
	NSFS_F_UID,
	NSFS_F_TASKS,
	NSFS_F_OWNER,
	NSFS_F_PARENT,
	NSFS_F_LEVEL,
	NSFS_F_NODENAME,
	NSFS_F_DOMAINNAME,
	NSFS_NR_FILES,
};

static const char *const nsfs_file_names[NSFS_NR_FILES] = {
	[NSFS_F_TYPE] = "type",
	[NSFS_F_INODE] = "inode",
	[NSFS_F_ID] = "id",
	[NSFS_F_NPROCS] = "nprocs",
	[NSFS_F_PID] = "pid",
	[NSFS_F_PPID] = "ppid",
	[NSFS_F_COMMAND] = "command",
	[NSFS_F_UID] = "uid",
	[NSFS_F_TASKS] = "tasks",
	[NSFS_F_OWNER] = "owner",
	[NSFS_F_PARENT] = "parent",
	[NSFS_F_LEVEL] = "level",
	[NSFS_F_NODENAME] = "nodename",
	[NSFS_F_DOMAINNAME] = "domainname",
};

/*
 * What an inode stands for, packed into i_private: inodes are made afresh
 * by each lookup and never looked up by number, so nothing else is kept.
 */
struct nsfs_id {
	u32 inum;
	u8 kind;
	u8 type;
	u8 file;
};

static void *nsfs_pack(struct nsfs_id id)
{
	BUILD_BUG_ON(sizeof(unsigned long) < 8);
	return (void *)((unsigned long)id.inum << 32 | id.kind << 16 |
			id.type << 8 | id.file);
}

static struct nsfs_id nsfs_ident(const struct inode *inode)
{
	unsigned long v = (unsigned long)inode->i_private;

	return (struct nsfs_id) {
		.inum = v >> 32,
		.kind = (v >> 16) & 0xff,
		.type = (v >> 8) & 0xff,
		.file = v & 0xff,
	};
}

static const struct inode_operations nsfs_dir_iops;
static const struct file_operations nsfs_dir_fops;
static const struct inode_operations nsfs_link_iops;
static const struct file_operations nsfs_file_fops;
static const struct file_operations nsfs_table_fops;

static bool nsfs_file_applies(const struct nsfs_snap *snap,
			      const struct nsfs_ns *ns, enum nsfs_file file)
{
	const struct nsfs_ns *owner;

	switch (file) {
	case NSFS_F_ID:
		return snap->has_id;
	case NSFS_F_PID:
	case NSFS_F_PPID:
	case NSFS_F_COMMAND:
	case NSFS_F_UID:
		return ns->nprocs;
	case NSFS_F_OWNER:
		owner = ns->owner ? nsfs_snap_find(snap, ns->owner) : NULL;
		return owner && owner->type == NSFS_USER;
	case NSFS_F_PARENT:
		return ns->up != NSFS_NONE;
	case NSFS_F_LEVEL:
		return nsfs_type_nests(ns->type);
	case NSFS_F_NODENAME:
	case NSFS_F_DOMAINNAME:
		return ns->type == NSFS_UTS;
	default:
		return true;
	}
}

/* The namespace an inode of a namespace or of its file stands for. */
static struct nsfs_ns *nsfs_find(const struct nsfs_snap *snap,
				 struct nsfs_id id)
{
	struct nsfs_ns *ns = nsfs_snap_find(snap, id.inum);

	return ns && ns->type == id.type ? ns : NULL;
}

static int nsfs_snapshot(struct super_block *sb, struct nsfs_snap *snap)
{
	return nsfs_collect(snap, sb->s_user_ns);
}

static struct inode *nsfs_new_inode(struct super_block *sb, struct nsfs_id id)
{
	struct inode *inode = new_inode(sb);
	kuid_t uid = make_kuid(sb->s_user_ns, 0);
	kgid_t gid = make_kgid(sb->s_user_ns, 0);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode->i_private = nsfs_pack(id);
	inode->i_uid = uid_valid(uid) ? uid : GLOBAL_ROOT_UID;
	inode->i_gid = gid_valid(gid) ? gid : GLOBAL_ROOT_GID;
	compat_inode_init_ts(inode);
	/* Directories keep one link: no count for find's leaf optimisation. */
	if (id.kind == NSFS_K_ROOT || id.kind == NSFS_K_TYPE ||
	    id.kind == NSFS_K_NS) {
		inode->i_mode = S_IFDIR | 0555;
		inode->i_op = &nsfs_dir_iops;
		inode->i_fop = &nsfs_dir_fops;
	} else if (id.kind == NSFS_K_FILE && id.file == NSFS_F_OWNER) {
		inode->i_mode = S_IFLNK | 0777;
		inode->i_op = &nsfs_link_iops;
	} else {
		inode->i_mode = S_IFREG | 0444;
		inode->i_fop = id.kind == NSFS_K_TABLE ? &nsfs_table_fops :
							 &nsfs_file_fops;
	}
	return inode;
}

static bool nsfs_name_is(const struct qstr *name, const char *str)
{
	return name->len == strlen(str) && !memcmp(name->name, str, name->len);
}

static int nsfs_lookup_root(const struct qstr *name, struct nsfs_id *child)
{
	unsigned int t;

	if (nsfs_name_is(name, NSFS_TABLE_NAME)) {
		child->kind = NSFS_K_TABLE;
		return 0;
	}
	for (t = 0; t < NSFS_NR_TYPES; t++) {
		if (nsfs_name_is(name, nsfs_type_names[t])) {
			child->kind = NSFS_K_TYPE;
			child->type = t;
			return 0;
		}
	}
	return -ENOENT;
}

/* A namespace's directory: its files, then (pid, user) its children. */
static int nsfs_lookup_in(const struct nsfs_snap *snap, struct nsfs_id id,
			  const struct qstr *name, struct nsfs_id *child)
{
	const struct nsfs_ns *parent = NULL, *ns;
	unsigned int f;
	u32 inum;

	if (id.kind == NSFS_K_NS) {
		parent = nsfs_find(snap, id);
		if (!parent)
			return -ENOENT;
		for (f = 0; f < NSFS_NR_FILES; f++) {
			if (!nsfs_name_is(name, nsfs_file_names[f]))
				continue;
			if (!nsfs_file_applies(snap, parent, f))
				return -ENOENT;
			*child = (struct nsfs_id) {
				.kind = NSFS_K_FILE, .type = id.type,
				.inum = id.inum, .file = f,
			};
			return 0;
		}
		if (!nsfs_type_nests(id.type))
			return -ENOENT;
	}
	if (nsfs_parse_name(name->name, name->len, id.type, &inum))
		return -ENOENT;
	ns = nsfs_find(snap, (struct nsfs_id) { .inum = inum, .type = id.type });
	/* In a type's directory only the roots of its hierarchy. */
	if (!ns || nsfs_snap_ns(snap, ns->up) != parent)
		return -ENOENT;
	*child = (struct nsfs_id) {
		.kind = NSFS_K_NS, .type = id.type, .inum = inum,
	};
	return 0;
}

static struct dentry *nsfs_lookup(struct inode *dir, struct dentry *dentry,
				  unsigned int flags)
{
	struct nsfs_id id = nsfs_ident(dir), child = {};
	struct nsfs_snap snap;
	struct inode *inode;
	int err;

	if (id.kind == NSFS_K_ROOT) {
		err = nsfs_lookup_root(&dentry->d_name, &child);
	} else {
		err = nsfs_snapshot(dir->i_sb, &snap);
		if (err)
			return ERR_PTR(err);
		err = nsfs_lookup_in(&snap, id, &dentry->d_name, &child);
		nsfs_snap_free(&snap);
	}
	/*
	 * A negative dentry, so that creating the name fails with EROFS; it is
	 * never reused (revalidation fails it), as the name may exist for the
	 * next reader.
	 */
	if (err == -ENOENT)
		return d_splice_alias(NULL, dentry);
	if (err)
		return ERR_PTR(err);
	inode = nsfs_new_inode(dir->i_sb, child);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	return d_splice_alias(inode, dentry);
}

/*
 * A dentry of a namespace or of its file is valid while the current
 * reader sees that namespace at that place in the tree, with that file.
 */
static int nsfs_d_revalidate(COMPAT_D_REVALIDATE_ARGS)
{
	struct inode *inode = d_inode(dentry);
	struct nsfs_id id, parent_id;
	const struct nsfs_ns *ns, *up;
	struct dentry *parent;
	struct nsfs_snap snap;
	int valid;

	if (flags & LOOKUP_RCU)
		return -ECHILD;
	if (!inode)
		return 0;
	id = nsfs_ident(inode);
	if (id.kind != NSFS_K_NS && id.kind != NSFS_K_FILE)
		return 1;
	parent = dget_parent(dentry);
	parent_id = nsfs_ident(d_inode(parent));
	dput(parent);
	valid = nsfs_snapshot(inode->i_sb, &snap);
	if (valid)
		return valid;
	ns = nsfs_find(&snap, id);
	if (!ns) {
		valid = 0;
	} else if (id.kind == NSFS_K_FILE) {
		valid = nsfs_file_applies(&snap, ns, id.file);
	} else {
		up = nsfs_snap_ns(&snap, ns->up);
		valid = parent_id.kind == NSFS_K_TYPE ? !up :
			up && up->inum == parent_id.inum;
	}
	nsfs_snap_free(&snap);
	return valid;
}

static const struct dentry_operations nsfs_dops = {
	.d_revalidate = nsfs_d_revalidate,
	.d_delete = always_delete_dentry,
};

static bool nsfs_emit_ns(struct dir_context *ctx, const struct nsfs_ns *ns)
{
	char name[32];
	struct seq_buf buf;

	seq_buf_init(&buf, name, sizeof(name));
	nsfs_print_name(&buf, ns);
	return dir_emit(ctx, name, buf.len, ns->inum, DT_DIR);
}

/*
 * Positions: 0 and 1 are the dots, then the fixed entries, then each
 * namespace at its inode number, so that a readdir resumed after
 * namespaces came or went neither skips nor repeats one.
 */
static int nsfs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file_inode(file);
	struct nsfs_id id = nsfs_ident(dir);
	const struct nsfs_ns *parent = NULL, *ns;
	struct nsfs_snap snap;
	int err;

	if (!dir_emit_dots(file, ctx))
		return 0;
	if (id.kind == NSFS_K_ROOT) {
		if (ctx->pos == 2) {
			if (!dir_emit(ctx, NSFS_TABLE_NAME,
				      strlen(NSFS_TABLE_NAME), 2, DT_REG))
				return 0;
			ctx->pos++;
		}
		for (; ctx->pos < 3 + NSFS_NR_TYPES; ctx->pos++) {
			const char *name = nsfs_type_names[ctx->pos - 3];

			if (!dir_emit(ctx, name, strlen(name), ctx->pos, DT_DIR))
				return 0;
		}
		return 0;
	}
	err = nsfs_snapshot(dir->i_sb, &snap);
	if (err)
		return err;
	if (id.kind == NSFS_K_NS) {
		parent = nsfs_find(&snap, id);
		if (!parent)
			goto out;
		for (; ctx->pos < 2 + NSFS_NR_FILES; ctx->pos++) {
			unsigned int f = ctx->pos - 2;
			const char *name = nsfs_file_names[f];

			if (!nsfs_file_applies(&snap, parent, f))
				continue;
			if (!dir_emit(ctx, name, strlen(name), ctx->pos,
				      f == NSFS_F_OWNER ? DT_LNK : DT_REG))
				goto out;
		}
		for (ns = nsfs_snap_ns(&snap, parent->child); ns;
		     ns = nsfs_snap_ns(&snap, ns->sibling)) {
			if (ns->inum < ctx->pos)
				continue;
			if (!nsfs_emit_ns(ctx, ns))
				goto out;
			ctx->pos = (loff_t)ns->inum + 1;
		}
	} else {
		for (ns = nsfs_type_first(&snap, id.type);
		     ns < nsfs_type_end(&snap, id.type); ns++) {
			if (ns->up != NSFS_NONE || ns->inum < ctx->pos)
				continue;
			if (!nsfs_emit_ns(ctx, ns))
				goto out;
			ctx->pos = (loff_t)ns->inum + 1;
		}
	}
out:
	nsfs_snap_free(&snap);
	return 0;
}

static const struct inode_operations nsfs_dir_iops = {
	.lookup = nsfs_lookup,
};

static const struct file_operations nsfs_dir_fops = {
	.llseek = generic_file_llseek,
	.read = generic_read_dir,
	.iterate_shared = nsfs_readdir,
};

/* "owner": a relative link to the owning user namespace's directory. */
static const char *nsfs_get_link(struct dentry *dentry, struct inode *inode,
				 struct delayed_call *done)
{
	const struct nsfs_ns *ns, *owner = NULL;
	struct nsfs_snap snap;
	struct seq_buf buf;
	unsigned int i;
	char *target;
	int err;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	err = nsfs_snapshot(inode->i_sb, &snap);
	if (err)
		return ERR_PTR(err);
	ns = nsfs_find(&snap, nsfs_ident(inode));
	if (ns && nsfs_file_applies(&snap, ns, NSFS_F_OWNER))
		owner = nsfs_snap_find(&snap, ns->owner);
	target = owner ? kmalloc(PATH_MAX, GFP_KERNEL) : NULL;
	if (!target) {
		nsfs_snap_free(&snap);
		return ERR_PTR(owner ? -ENOMEM : -ENOENT);
	}
	/* Up from the namespace's directory and its type's to the root. */
	seq_buf_init(&buf, target, PATH_MAX - 1);
	for (i = 0; i <= ns->depth; i++)
		seq_buf_printf(&buf, "%s", "../");
	nsfs_print_path(&buf, &snap, owner);
	nsfs_snap_free(&snap);
	if (seq_buf_has_overflowed(&buf)) {
		kfree(target);
		return ERR_PTR(-ENAMETOOLONG);
	}
	target[buf.len] = '\0';
	set_delayed_call(done, kfree_link, target);
	return target;
}

static const struct inode_operations nsfs_link_iops = {
	.get_link = nsfs_get_link,
};

/* The text of an open file: what the snapshot taken at open said. */
struct nsfs_text {
	size_t len;
	char data[];
};

static int nsfs_print_file(struct seq_buf *buf, struct super_block *sb,
			   const struct nsfs_snap *snap, struct nsfs_id id,
			   char *scratch)
{
	const struct nsfs_ns *ns = nsfs_find(snap, id);
	const struct nsfs_proc *proc;
	char *domainname;
	unsigned int i;
	int err;

	if (!ns || !nsfs_file_applies(snap, ns, id.file))
		return -ENOENT;
	proc = ns->nprocs ? &snap->procs[ns->proc] : NULL;
	switch (id.file) {
	case NSFS_F_TYPE:
		seq_buf_printf(buf, "%s\n", nsfs_type_names[ns->type]);
		break;
	case NSFS_F_INODE:
		seq_buf_printf(buf, "%u\n", ns->inum);
		break;
	case NSFS_F_ID:
		seq_buf_printf(buf, "%llu\n", ns->id);
		break;
	case NSFS_F_NPROCS:
		seq_buf_printf(buf, "%u\n", ns->nprocs);
		break;
	case NSFS_F_PID:
		seq_buf_printf(buf, "%d\n", proc->pid);
		break;
	case NSFS_F_PPID:
		seq_buf_printf(buf, "%d\n", proc->ppid);
		break;
	case NSFS_F_COMMAND:
		nsfs_read_command(proc, task_active_pid_ns(current), scratch,
				  NSFS_COMMAND_MAX);
		seq_buf_printf(buf, "%s\n", scratch);
		break;
	case NSFS_F_UID:
		seq_buf_printf(buf, "%u\n", proc->uid);
		break;
	case NSFS_F_TASKS:
		for (i = 0; i < snap->nr_procs; i++)
			if (snap->procs[i].ns[ns->type] == ns->inum)
				seq_buf_printf(buf, "%d\n", snap->procs[i].pid);
		break;
	case NSFS_F_PARENT:
		seq_buf_printf(buf, "%u\n", snap->ns[ns->up].inum);
		break;
	case NSFS_F_LEVEL:
		seq_buf_printf(buf, "%u\n", ns->level);
		break;
	case NSFS_F_NODENAME:
	case NSFS_F_DOMAINNAME:
		/* Two names of __NEW_UTS_LEN + 1 bytes fit in scratch. */
		domainname = scratch + __NEW_UTS_LEN + 1;
		err = nsfs_read_uts(ns->inum, sb->s_user_ns, scratch,
				    domainname);
		if (err)
			return err;
		seq_buf_printf(buf, "%s\n", id.file == NSFS_F_NODENAME ?
			       scratch : domainname);
		break;
	}
	return 0;
}

/*
 * A namespace's file: its text is made at open from a snapshot taken then,
 * and kept until close. It is short (a few numbers or names; "tasks" a PID
 * per process of the namespace), and charged to the opener.
 */
static int nsfs_file_open(struct inode *inode, struct file *file)
{
	struct nsfs_id id = nsfs_ident(inode);
	struct nsfs_text *text = NULL;
	struct nsfs_snap snap;
	size_t size = PAGE_SIZE;
	struct seq_buf buf;
	char *scratch;
	int err;

	scratch = kmalloc(NSFS_COMMAND_MAX, GFP_KERNEL_ACCOUNT);
	if (!scratch)
		return -ENOMEM;
	err = nsfs_snapshot(inode->i_sb, &snap);
	if (err)
		goto out_scratch;
	/* Format again into twice the room until it fits. */
	for (;;) {
		text = kvmalloc(struct_size(text, data, size),
				GFP_KERNEL_ACCOUNT);
		if (!text) {
			err = -ENOMEM;
			break;
		}
		seq_buf_init(&buf, text->data, size);
		err = nsfs_print_file(&buf, inode->i_sb, &snap, id, scratch);
		if (err || !seq_buf_has_overflowed(&buf))
			break;
		kvfree(text);
		text = NULL;
		size *= 2;
	}
	nsfs_snap_free(&snap);
	if (!err) {
		text->len = buf.len;
		file->private_data = text;
	} else {
		kvfree(text);
	}
out_scratch:
	kfree(scratch);
	return err;
}

static ssize_t nsfs_file_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct nsfs_text *text = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, text->data,
				       text->len);
}

static int nsfs_file_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static const struct file_operations nsfs_file_fops = {
	.open = nsfs_file_open,
	.read = nsfs_file_read,
	.llseek = default_llseek,
	.release = nsfs_file_release,
};

/**
 * struct nsfs_table - an open "table"
 * @snap: the snapshot taken at open
 * @rows: the namespaces with a process, in inode order (nsfs_table_rows())
 * @nr_rows: how many
 * @pid_ns: the opener's pid namespace, in which the snapshot's PIDs count
 * @command: a row's command line, read as the row is; only during a read
 * @command_of: the process (index in @snap.procs) @command is of, or -1
 * @row: the row's text; only during a read
 *
 * The table is printed a row at a time as it is read (seq_file), and each
 * row's command line read then, in read(), with the opener's credentials
 * and pid namespace: what an open keeps between reads is the snapshot's
 * numbers, trimmed to what it holds, and the seq_file's buffer (a page,
 * or as long as the longest row read), all charged to the opener's memory
 * cgroup.
 */
struct nsfs_table {
	struct nsfs_snap snap;
	const struct nsfs_ns **rows;
	unsigned int nr_rows;
	struct pid_namespace *pid_ns;
	char *command;
	int command_of;
	char *row;
};

static void nsfs_table_put_buffers(struct nsfs_table *table)
{
	kvfree(table->row);
	kfree(table->command);
	table->row = NULL;
	table->command = NULL;
}

/* Position 0 is the header, n the n-th row: the iterator is position + 1. */
static void *nsfs_table_start(struct seq_file *m, loff_t *pos)
{
	struct nsfs_table *table = m->private;

	if (*pos > table->nr_rows)
		return NULL;
	if (!table->row) {
		table->command = kmalloc(NSFS_COMMAND_MAX, GFP_KERNEL_ACCOUNT);
		table->row = kvmalloc(NSFS_ROW_MAX, GFP_KERNEL_ACCOUNT);
		if (!table->command || !table->row) {
			nsfs_table_put_buffers(table);
			return ERR_PTR(-ENOMEM);
		}
		table->command_of = -1;
	}
	return (void *)(uintptr_t)(*pos + 1);
}

static void *nsfs_table_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct nsfs_table *table = m->private;

	++*pos;
	return *pos <= table->nr_rows ? (void *)(uintptr_t)(*pos + 1) : NULL;
}

static void nsfs_table_stop(struct seq_file *m, void *v)
{
	nsfs_table_put_buffers(m->private);
}

static int nsfs_table_show(struct seq_file *m, void *v)
{
	struct nsfs_table *table = m->private;
	unsigned int index = (uintptr_t)v - 1;
	struct seq_buf buf;

	seq_buf_init(&buf, table->row, NSFS_ROW_MAX);
	if (!index) {
		nsfs_print_table_header(&buf, &table->snap);
	} else {
		const struct nsfs_ns *ns = table->rows[index - 1];

		/*
		 * A container's namespaces are made together: their rows
		 * follow each other, with the same lowest-PID process.
		 */
		if (table->command_of != ns->proc) {
			const struct cred *old;

			old = override_creds(m->file->f_cred);
			nsfs_read_command(&table->snap.procs[ns->proc],
					  table->pid_ns, table->command,
					  NSFS_COMMAND_MAX);
			revert_creds(old);
			table->command_of = ns->proc;
		}
		nsfs_print_table_row(&buf, &table->snap, ns, table->command);
	}
	/* NSFS_ROW_MAX is the longest row (the KUnit suite checks it). */
	if (WARN_ON_ONCE(seq_buf_has_overflowed(&buf)))
		return -EOVERFLOW;
	seq_write(m, table->row, buf.len);
	return 0;
}

static const struct seq_operations nsfs_table_seq_ops = {
	.start = nsfs_table_start,
	.next = nsfs_table_next,
	.stop = nsfs_table_stop,
	.show = nsfs_table_show,
};

static int nsfs_table_open(struct inode *inode, struct file *file)
{
	struct nsfs_table *table;
	int err;

	/* Zeroed, and charged to the opener as the seq_file's buffer is. */
	table = __seq_open_private(file, &nsfs_table_seq_ops, sizeof(*table));
	if (!table)
		return -ENOMEM;
	err = nsfs_snapshot(inode->i_sb, &table->snap);
	if (err)
		goto err_release;
	/* Trimmed first: the rows point into it. */
	err = nsfs_snap_compact(&table->snap);
	if (err)
		goto err_snap;
	table->rows = nsfs_table_rows(&table->snap, &table->nr_rows);
	if (!table->rows) {
		err = -ENOMEM;
		goto err_snap;
	}
	table->pid_ns = get_pid_ns(task_active_pid_ns(current));
	return 0;
err_snap:
	nsfs_snap_free(&table->snap);
err_release:
	seq_release_private(inode, file);
	return err;
}

static int nsfs_table_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct nsfs_table *table = m->private;

	put_pid_ns(table->pid_ns);
	kvfree(table->rows);
	nsfs_snap_free(&table->snap);
	return seq_release_private(inode, file);
}

static const struct file_operations nsfs_table_fops = {
	.open = nsfs_table_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = nsfs_table_release,
};

static const struct super_operations nsfs_sops = {
	.statfs = simple_statfs,
	.drop_inode = inode_just_drop,
};

static int nsfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;

	sb->s_magic = NAMESPACEFS_MAGIC;
	sb->s_op = &nsfs_sops;
	set_default_d_op(sb, &nsfs_dops);
	sb->s_time_gran = 1;
	/* Directory positions are inode numbers, above 2^31. */
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	root = nsfs_new_inode(sb, (struct nsfs_id) { .kind = NSFS_K_ROOT });
	if (!root)
		return -ENOMEM;
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int nsfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, nsfs_fill_super);
}

static int nsfs_reconfigure(struct fs_context *fc)
{
	if ((fc->sb_flags_mask & SB_RDONLY) && !(fc->sb_flags & SB_RDONLY))
		return invalfc(fc, "namespacefs is read-only");
	return 0;
}

static const struct fs_context_operations nsfs_context_ops = {
	.get_tree = nsfs_get_tree,
	.reconfigure = nsfs_reconfigure,
};

/*
 * Read-only: every write, create, unlink or rename fails with EROFS. A new
 * mount is made read-only here; a remount keeps the flags it asks for, so
 * that nsfs_reconfigure() can refuse read-write.
 */
static int nsfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &nsfs_context_ops;
	if (fc->purpose == FS_CONTEXT_FOR_MOUNT)
		fc->sb_flags |= SB_RDONLY;
	return 0;
}

/*
 * Mountable inside a user namespace by whoever holds CAP_SYS_ADMIN there:
 * such a mount shows that user namespace's subtree only (s_user_ns), and
 * no reader sees more than its pid namespace and credentials allow.
 */
static struct file_system_type nsfs_fs_type = {
	.owner = THIS_MODULE,
	.name = "namespacefs",
	.init_fs_context = nsfs_init_fs_context,
	.kill_sb = kill_anon_super,
	.fs_flags = FS_USERNS_MOUNT,
};
MODULE_ALIAS_FS("namespacefs");

static int __init namespacefs_init(void)
{
	int err;

	err = sysfs_create_mount_point(fs_kobj, "namespaces");
	if (err)
		return err;
	err = register_filesystem(&nsfs_fs_type);
	if (err)
		sysfs_remove_mount_point(fs_kobj, "namespaces");
	return err;
}

/* Never while mounted: each superblock holds a reference to the module. */
static void __exit namespacefs_exit(void)
{
	unregister_filesystem(&nsfs_fs_type);
	sysfs_remove_mount_point(fs_kobj, "namespaces");
}

module_init(namespacefs_init);
module_exit(namespacefs_exit);

MODULE_DESCRIPTION("namespacefs: the live namespace hierarchy as a filesystem");
MODULE_LICENSE("GPL");
