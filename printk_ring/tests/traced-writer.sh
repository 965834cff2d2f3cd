# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Run by bpftrace-script under `bpftrace -c`: 50 records of 9 bytes,
# "traced 00" .. "traced 49", at level 3.
for n in $(seq -w 0 49); do
	echo "<3>traced $n" > /sys/kernel/debug/printk_ring/log
done
