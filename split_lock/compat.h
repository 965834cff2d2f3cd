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

/*
 * The kernel's handler of a guest's split-lock #AC, for the test aid
 * (inject.c). Exported to every GPL module up to Linux 6.17; since 6.18
 * only to KVM's own modules (EXPORT_SYMBOL_FOR_KVM), so there it is found
 * as kprobes find a symbol and called through its address. A kprobe on a
 * function's entry sits after its ENDBR, which an indirect call must land
 * on. A function never address-taken has its ENDBR sealed (made a NOP) at
 * boot, and on kCFI kernels its hash poisoned too: an indirect call there
 * traps on a CPU enforcing IBT, or under CFI, so those fail -EOPNOTSUPP.
 */
typedef bool (*compat_guest_split_lock_fn)(unsigned long ip);

#ifdef COMPAT_GUEST_SPLIT_LOCK_EXPORTED
#include <asm/cpu.h>

static inline int compat_find_guest_split_lock(compat_guest_split_lock_fn *fn)
{
	*fn = handle_guest_split_lock;
	return 0;
}
#else
#include <linux/kprobes.h>
#include <asm/cpufeature.h>
#include <asm/ibt.h>

static inline int compat_find_guest_split_lock(compat_guest_split_lock_fn *fn)
{
	struct kprobe kp = { .symbol_name = "handle_guest_split_lock" };
	u32 *entry;
	int ret;

	ret = register_kprobe(&kp);
	if (ret)
		return ret == -ENOENT || ret == -EINVAL ? -EOPNOTSUPP : ret;
	entry = (u32 *)kp.addr;
	unregister_kprobe(&kp);
#ifdef CONFIG_X86_KERNEL_IBT
	if (entry[-1] == gen_endbr_poison() &&
	    (cpu_feature_enabled(X86_FEATURE_IBT) || IS_ENABLED(CONFIG_CFI) ||
	     IS_ENABLED(CONFIG_CFI_CLANG)))
		return -EOPNOTSUPP;
	if (entry[-1] == gen_endbr() || entry[-1] == gen_endbr_poison())
		entry--;
#endif
	*fn = (compat_guest_split_lock_fn)entry;
	return 0;
}
#endif

#endif /* SPLIT_LOCK_COMPAT_H */
