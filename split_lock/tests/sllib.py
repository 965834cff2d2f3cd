# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the split_lock integration tests."""

import errno
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'scripts'))

from ktap import Ktap, skip_all  # noqa: E402,F401 (re-exported for the tests)
from kltest import bpftrace, dmesg, each_failure, modprobe, write_errno  # noqa: E402,F401 (re-exported)

DEBUGFS = Path('/sys/kernel/debug/split_lock')
INJECT = Path('/sys/kernel/debug/split_lock_inject/guest_split_lock')
KPROBES = Path('/sys/kernel/debug/kprobes/list')
HANDLERS = ('handle_user_split_lock', 'handle_bus_lock', 'handle_guest_split_lock')


def read(name: str) -> str:
	"""A debugfs file of split_lock, as text."""
	return (DEBUGFS / name).read_text()


def fields(name: str) -> dict:
	"""A "key: value" debugfs file of split_lock, as a dict."""
	return dict(line.split(': ', 1) for line in read(name).splitlines() if ': ' in line)


def probed_symbols() -> set:
	"""Symbols with a kprobe on them, from the kernel's own list (at their
	entry: +0x0, or +0x4 past the ENDBR of a kernel built with IBT)."""
	return {m.group(1) for m in re.finditer(r'\s(\w+)\+0x[04]\b', KPROBES.read_text())}


def offenders() -> tuple:
	"""The offenders file: (header dict, rows as dicts)."""
	head, rows, columns = {}, [], None
	for line in read('offenders').splitlines():
		if ': ' in line and columns is None:
			key, value = line.split(': ', 1)
			head[key] = value
		elif columns is None:
			columns = line.split()
		else:
			rows.append(dict(zip(columns, line.split())))
	return head, rows


EINVAL = errno.EINVAL
EPERM = errno.EPERM
