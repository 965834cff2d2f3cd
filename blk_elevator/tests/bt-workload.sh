# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Workload for tests/bpftrace-script (run by bpftrace -c, which splits its
# command on spaces): two sequential direct readers on disk $1.
dd if="/dev/$1" of=/dev/null iflag=direct bs=4k count=100 2>/dev/null &
dd if="/dev/$1" of=/dev/null iflag=direct bs=4k count=100 skip=10000 2>/dev/null
wait
