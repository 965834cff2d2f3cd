# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the blk_elevator integration tests: test devices
(null_blk through configfs, loop, the VM's virtio-blk scratch disk),
scheduler switching, tunables, the debugfs counters and fio."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'scripts'))

from ktap import Ktap, skip_all  # noqa: E402,F401 (re-exported for the tests)
from kltest import (bpftrace, dmesg, disks, fio_ok, fio_verify, loop_create,  # noqa: E402,F401 (re-exported)
		    memory_nullb, nullb_create, nullb_remove, run, scratch_disk, wait_for,
		    write_errno)

ELEVATORS = ('kl-deadline', 'kl-anticipatory')
TUNABLES = {
	# name: (default, valid values, invalid values)
	'read_expire': ('500', ('0', '20', '3600000'), ('-1', '3600001', 'abc', '1.5')),
	'write_expire': ('5000', ('0', '1', '3600000'), ('-5', '99999999999', 'x')),
	'prio_aging_expire': ('10000', ('0', '250'), ('3600001', '-1')),
	'fifo_batch': ('16', ('1', '65536'), ('0', '65537', 'many')),
	'writes_starved': ('2', ('0', '65536'), ('65537', '-2')),
	'front_merges': ('1', ('0', '1'), ('2', '-1', 'yes')),
	# Default: three quarters of the disk's nr_requests (tunables computes it).
	'async_depth': (None, ('1', '65536'), ('0', '65537', 'x')),
}
ANTIC_TUNABLE = {'antic_expire': ('6', ('0', '1', '1000'), ('1001', '-1', '6ms'))}


def scheduler(dev: str) -> str:
	"""The scheduler in use on a disk (the bracketed name)."""
	text = Path(f'/sys/block/{dev}/queue/scheduler').read_text()
	match = re.search(r'\[([^\]]+)\]', text)
	return match.group(1) if match else text.strip()


def offered(dev: str) -> list:
	"""The schedulers a disk offers."""
	return Path(f'/sys/block/{dev}/queue/scheduler').read_text().replace('[', '').replace(']', '').split()


def set_scheduler(dev: str, name: str) -> int:
	"""Switch a disk's scheduler; 0 or the errno."""
	return write_errno(f'/sys/block/{dev}/queue/scheduler', name)


def iosched(dev: str) -> Path:
	"""The tunables directory of a disk's scheduler."""
	return Path(f'/sys/block/{dev}/queue/iosched')


def queue_async_depth(dev: str) -> Path:
	"""The queue's own async_depth (Linux 6.19 and later, where it replaces
	the elevator's; the file does not exist before)."""
	return Path(f'/sys/block/{dev}/queue/async_depth')


def async_depth(dev: str) -> Path:
	"""The async_depth the disk's elevator applies: the queue's where it
	has one, else the elevator's tunable."""
	queue = queue_async_depth(dev)
	return queue if queue.exists() else iosched(dev) / 'async_depth'


def stats(dev: str) -> dict:
	"""The elevator's debugfs counters of a disk, as name -> int (or text)."""
	out = {}
	for line in Path(f'/sys/kernel/debug/block/{dev}/sched/stats').read_text().splitlines():
		name, value = line.split()
		out[name] = int(value) if value.isdigit() else value
	return out
