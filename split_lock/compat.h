/* SPDX-License-Identifier: GPL-2.0 */
/*
 * split_lock compat: the kernel API differences between Debian's 6.1 and
 * 6.12 and Linux 7.3 that split_lock meets, decided by feature tests in
 * Kbuild (on the target kernel's headers), never by version numbers. Each
 * names the newer API, defined in terms of the older one where only that
 * exists.
 */
#ifndef SPLIT_LOCK_COMPAT_H
#define SPLIT_LOCK_COMPAT_H

#include <asm/msr.h>
#include <asm/processor.h>

/*
 * cpuid() moved to <asm/cpuid/api.h> (Linux 6.15), which <asm/processor.h>
 * stopped including later (by 7.3).
 */
#ifdef COMPAT_HAVE_ASM_CPUID_API_H
#include <asm/cpuid/api.h>
#endif

/* Linux 6.16 renamed the 64-bit MSR accessors rdmsrl_*() rdmsrq_*(). */
#ifndef COMPAT_HAVE_RDMSRQ
#define rdmsrq_safe_on_cpu rdmsrl_safe_on_cpu
#endif

#endif /* SPLIT_LOCK_COMPAT_H */
