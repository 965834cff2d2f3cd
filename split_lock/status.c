// SPDX-License-Identifier: GPL-2.0
/*
 * split_lock status: gather what the CPU supports and what the kernel
 * armed. Reads only: CPUID, the boot CPU's feature bits, each online CPU's
 * MSR_TEST_CTRL and DEBUGCTL through rdmsrq_safe_on_cpu() (a CPU without
 * the MSR gives an error, not a #GP), the command line and the
 * kernel.split_lock_mitigate sysctl.
 */

#include <linux/cpu.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/cpufeature.h>

#include "compat.h"
#include "split_lock.h"

/*
 * The kernel keeps its split_lock_detect state and the command line it
 * parsed (saved_command_line) to itself, and a sysctl's value is reachable
 * only through its file: read both the way a user would, from procfs. A
 * reader without procfs in its mount namespace gets an error in the status.
 */
static int sl_read_proc(const char *path, char *buf, size_t size)
{
	struct file *file;
	loff_t pos = 0;
	ssize_t len;

	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	len = kernel_read(file, buf, size - 1, &pos);
	fput(file);
	if (len < 0)
		return len;
	buf[len] = '\0';
	return 0;
}

static void sl_status_hypervisor(struct sl_status *st)
{
	u32 eax, sig[3];

	st->hypervisor = boot_cpu_has(X86_FEATURE_HYPERVISOR);
	if (!st->hypervisor)
		return;
	cpuid(0x40000000, &eax, &sig[0], &sig[1], &sig[2]);
	memcpy(st->hypervisor_sig, sig, sizeof(sig));
	st->hypervisor_sig[sizeof(sig)] = '\0';
}

/**
 * sl_status_collect() - read the machine's split-lock state
 * @st: filled in; release with sl_status_release()
 *
 * Context: process context; sends an IPI per online CPU and MSR.
 * Return: 0, or -ENOMEM.
 */
int sl_status_collect(struct sl_status *st)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	char *text;
	unsigned int cpu, i = 0;
	int err;

	memset(st, 0, sizeof(*st));
	text = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	st->cpus = kcalloc(num_possible_cpus(), sizeof(*st->cpus), GFP_KERNEL);
	if (!st->cpus) {
		kfree(text);
		return -ENOMEM;
	}

	strscpy(st->vendor, c->x86_vendor_id, sizeof(st->vendor));
	strscpy(st->model_name, c->x86_model_id, sizeof(st->model_name));
	st->family = c->x86;
	st->model = c->x86_model;
	st->stepping = c->x86_stepping;
	st->has_sld = boot_cpu_has(X86_FEATURE_SPLIT_LOCK_DETECT);
	st->has_bld = boot_cpu_has(X86_FEATURE_BUS_LOCK_DETECT);
	sl_status_hypervisor(st);
	st->meter_in_guest = READ_ONCE(sl_meter_in_guest);

	/* Unreadable, the command line counts as the kernel's default. */
	st->cmdline.mode = SL_MODE_WARN;
	st->cmdline_err = sl_read_proc("/proc/cmdline", text, PAGE_SIZE);
	if (!st->cmdline_err)
		sl_parse_cmdline(text, &st->cmdline);

	st->mitigate = -1;
	err = sl_read_proc("/proc/sys/kernel/split_lock_mitigate", text, PAGE_SIZE);
	if (!err && kstrtoint(strim(text), 10, &st->mitigate))
		st->mitigate = -1;
	kfree(text);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct sl_cpu_msrs *m = &st->cpus[i++];

		m->cpu = cpu;
		m->test_ctrl_err = rdmsrq_safe_on_cpu(cpu, MSR_TEST_CTRL, &m->test_ctrl);
		m->debugctl_err = rdmsrq_safe_on_cpu(cpu, MSR_IA32_DEBUGCTLMSR, &m->debugctl);
	}
	cpus_read_unlock();
	st->nr_cpus = i;
	return 0;
}

/**
 * sl_status_release() - free what sl_status_collect() allocated
 * @st: the status
 */
void sl_status_release(struct sl_status *st)
{
	kfree(st->cpus);
	st->cpus = NULL;
	st->nr_cpus = 0;
}
