#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The workload of the bpftrace-script test, run under `bpftrace -c`:
reads of 300 pages twice through a 64-page cache and of the last ten
again (hits), writes of 50 pages,
fsync (write-back), and drop_caches=2 (the shrinker)."""

import os
import sys

import pcllib

dev = pcllib.Direct(sys.argv[1])
for _ in range(2):
	for i in range(300):
		dev.read_page(i)
for i in range(290, 300):
	dev.read_page(i)
dev.write(0, pcllib.pattern(9, 50 * pcllib.PAGE))
os.fsync(dev.fd)
dev.close()
with open('/proc/sys/vm/drop_caches', 'w') as f:
	f.write('2\n')
