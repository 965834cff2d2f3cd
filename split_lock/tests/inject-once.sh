# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Run by bpftrace-script under `bpftrace -c`: three injected guest split
# locks, each from its own shell (the kernel sends each SIGBUS).
for ip in 0x5001 0x5002 0x5003; do
	sh -c "echo $ip > /sys/kernel/debug/split_lock_inject/guest_split_lock"
done
exit 0
