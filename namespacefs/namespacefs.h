/* SPDX-License-Identifier: GPL-2.0 */
/*
 * namespacefs: what the filesystem (fs.c) asks of the collector
 * (collect.c), which reads the task list as the current task may see it.
 */
#ifndef NAMESPACEFS_H
#define NAMESPACEFS_H

#include <linux/types.h>

#include "snapshot.h"

struct pid_namespace;
struct user_namespace;

int nsfs_collect(struct nsfs_snap *snap, struct user_namespace *view);
void nsfs_read_command(const struct nsfs_proc *proc,
		       struct pid_namespace *pid_ns, char *buf, size_t size);
int nsfs_read_uts(u32 inum, struct user_namespace *view, char *nodename,
		  char *domainname);

#endif /* NAMESPACEFS_H */
