#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The workload of the bpftrace-script test, run under `bpftrace -c` once the
# script is attached: sched_lab records this process alone (its TGID stays
# across the exec) from before perf bench starts.
echo "tgid $$" > /sys/kernel/debug/sched_lab/filter
echo start > /sys/kernel/debug/sched_lab/control
exec perf bench sched messaging -t -g 1 -l 10 > /dev/null
