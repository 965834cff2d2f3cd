# SPDX-License-Identifier: GPL-2.0
"""Harness self-test, a crash test's two phases: before the crash, write one
block to the scratch disk with O_DIRECT (to the disk's volatile cache),
flushed or not; after it, expect the block on the disk. The harness's crash
disk (scripts/kl/crashdisk.py) keeps what was flushed and drops the rest:
crash-flushed must pass after the crash, crash-unflushed must fail.

The self-test runs crash-flushed first (SELFTEST_SCENARIOS' order): a flush
after the unflushed write would flush it too."""

import mmap
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import kltest  # noqa: E402
from ktap import Ktap, skip_all  # noqa: E402

BLOCK = 4096


def main(offset: int, flush: bool) -> None:
	"""Run the phase sys.argv names on the block at offset."""
	if len(sys.argv) != 2 or sys.argv[1] not in ('before', 'after'):
		sys.exit(f'usage: {sys.argv[0]} before|after (a crash test: scripts/kl/run.py runs it)')
	disk = kltest.scratch_disk()
	if not disk:
		skip_all('no scratch disk (kl-scratch) in this VM')
	pattern = (f'kernlabs crash self-test at {offset} '.encode() * BLOCK)[:BLOCK]
	buf = mmap.mmap(-1, BLOCK)	# page-aligned, as O_DIRECT needs
	fd = os.open(f'/dev/{disk}', os.O_RDWR | os.O_DIRECT)
	t = Ktap(1)
	if sys.argv[1] == 'before':
		buf.write(pattern)
		done = os.pwritev(fd, [buf], offset)
		if flush:
			os.fsync(fd)
		t.ok(done == BLOCK, f'one block written at {offset}, ' + ('flushed' if flush else 'not flushed'))
	else:
		done = os.preadv(fd, [buf], offset)
		t.ok(done == BLOCK and buf[:] == pattern, 'the block written before the crash is on the disk')
	os.close(fd)
	t.finish()
