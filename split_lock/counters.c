// SPDX-License-Identifier: GPL-2.0
/*
 * split_lock counters: one pinned kernel perf counter on each online CPU,
 * created all or none. The detector counts the CPU's split/bus-lock event
 * with them; KUnit (kunit/split_lock_kunit.c includes this file) drives the
 * same code with a software event and failed allocations, since a machine
 * without a PMU (a TCG guest) cannot create the hardware one.
 */

#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/perf_event.h>

#include "core.h"

/**
 * sl_cpu_counters_release() - release the counters sl_cpu_counters_create() made
 * @counters: nr_cpu_ids slots; each one set is released and cleared
 */
void sl_cpu_counters_release(struct perf_event **counters)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (counters[cpu]) {
			perf_event_release_kernel(counters[cpu]);
			counters[cpu] = NULL;
		}
	}
}

/**
 * sl_cpu_counters_create() - create a kernel counter on each online CPU
 * @attr: the event to count
 * @handler: called on each overflow of a sampling @attr, or NULL
 * @context: passed to @handler
 * @counters: nr_cpu_ids slots, all NULL; slot N gets CPU N's counter
 * @failed_cpu: on failure, the CPU whose counter could not be made
 *
 * A CPU brought online later gets no counter. The counters are pinned
 * kernel counters: nothing but perf_event_release_kernel() ever removes
 * them, so a failure on one CPU releases those made on the others before
 * it returns (else they would count until the next reboot).
 *
 * Return: 0 with a counter on each online CPU, or the first CPU's error
 * (-ENOMEM, or -ENOENT/-EOPNOTSUPP and the like for an event the CPU
 * does not have) with every slot NULL.
 */
int sl_cpu_counters_create(struct perf_event_attr *attr,
			   perf_overflow_handler_t handler, void *context,
			   struct perf_event **counters, unsigned int *failed_cpu)
{
	unsigned int cpu;
	int err = 0;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct perf_event *event;

		event = perf_event_create_kernel_counter(attr, cpu, NULL, handler, context);
		if (IS_ERR(event)) {
			err = PTR_ERR(event);
			*failed_cpu = cpu;
			break;
		}
		counters[cpu] = event;
	}
	cpus_read_unlock();
	if (err)
		sl_cpu_counters_release(counters);
	return err;
}
