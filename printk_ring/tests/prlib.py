# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the printk_ring integration tests."""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts'))

from ktap import Ktap, skip_all  # noqa: E402,F401 (re-exported for the tests)
from kltest import bpftrace, modprobe  # noqa: E402,F401 (re-exported)

DEBUGFS = Path('/sys/kernel/debug/printk_ring')
LOG = DEBUGFS / 'log'
PARAMS = Path('/sys/module/printk_ring/parameters')
RECORD = re.compile(rb'^(\d+),(\d+),(\d+),-,caller=([TC])(\d+);(.*)\n((?: [A-Z]+=.*\n)*)$', re.S)


def open_log(flags: int = os.O_RDWR) -> int:
	"""A new file of the log: its position is the oldest record."""
	return os.open(LOG, flags)


def write(fd: int, text) -> int:
	"""One write() of text (str or bytes)."""
	return os.write(fd, text.encode() if isinstance(text, str) else text)


def read(fd: int, size: int = 65536 * 4 + 256) -> dict:
	"""One read(): one record, parsed."""
	data = os.read(fd, size)
	match = RECORD.match(data)
	if not match:
		raise ValueError(f'malformed record {data[:200]!r}')
	return {'level': int(match.group(1)), 'seq': int(match.group(2)),
		'usec': int(match.group(3)), 'caller': match.group(4).decode() + match.group(5).decode(),
		'text': match.group(6), 'dict': match.group(7).decode(), 'raw': data}


def stats() -> dict:
	"""The stats file as a dict of ints."""
	return {k: int(v) for k, v in (line.split(': ') for line in
				      (DEBUGFS / 'stats').read_text().splitlines())}


def drain(fd: int) -> list:
	"""Read records until none is left (the file must be O_NONBLOCK)."""
	out = []
	while True:
		try:
			out.append(read(fd))
		except BlockingIOError:
			return out
