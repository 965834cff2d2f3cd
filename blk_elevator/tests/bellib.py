# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the blk_elevator integration tests: test devices
(null_blk through configfs, loop, the VM's virtio-blk scratch disk),
scheduler switching, tunables, the debugfs counters and fio."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'scripts'))

from ktap import Ktap, skip_all  # noqa: E402,F401 (re-exported for the tests)
from kltest import dmesg, write_errno  # noqa: E402,F401 (re-exported)

ELEVATORS = ('kl-deadline', 'kl-anticipatory')
NULLB = Path('/sys/kernel/config/nullb')
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


def run(*args: str, timeout: float = 600, check: bool = False, **kw) -> subprocess.CompletedProcess:
	"""Run a command with its output captured."""
	return subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
			      timeout=timeout, check=check, **kw)




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


def stats(dev: str) -> dict:
	"""The elevator's debugfs counters of a disk, as name -> int (or text)."""
	out = {}
	for line in Path(f'/sys/kernel/debug/block/{dev}/sched/stats').read_text().splitlines():
		name, value = line.split()
		out[name] = int(value) if value.isdigit() else value
	return out


def disks() -> set:
	"""The block devices now."""
	return set(os.listdir('/sys/block'))


def load_null_blk() -> None:
	"""null_blk with no default device: tests make theirs through configfs."""
	if not NULLB.exists():
		res = run('modprobe', 'null_blk', 'nr_devices=0')
		if res.returncode:
			skip_all(f'null_blk does not load: {res.stdout.strip()}')


def nullb_create(name: str, **attrs) -> str:
	"""A null_blk device made through configfs; returns its disk name."""
	load_null_blk()
	conf = NULLB / name
	conf.mkdir()
	for key, value in attrs.items():
		(conf / key).write_text(f'{value}\n')
	before = disks()
	(conf / 'power').write_text('1\n')
	for _ in range(100):
		new = disks() - before
		if new:
			return new.pop()
		time.sleep(0.05)
	raise RuntimeError(f'null_blk {name}: no disk appeared')


def nullb_remove(name: str) -> None:
	"""Power a configfs null_blk device off and delete it."""
	conf = NULLB / name
	if conf.exists():
		(conf / 'power').write_text('0\n')
		conf.rmdir()


def memory_nullb(name: str, size_mb: int = 256, queues: int = 2) -> str:
	"""A memory-backed null_blk disk with several submit queues."""
	return nullb_create(name, size=size_mb, memory_backed=1, submit_queues=queues,
			    blocksize=512, irqmode=0)


def scratch_disk() -> str:
	"""The VM's virtio-blk scratch disk (serial kl-scratch), or '' if none."""
	# No udev in the VM: Debian's kernels need the driver loaded by hand.
	run('modprobe', 'virtio_blk')
	time.sleep(0.5)
	for dev in sorted(disks()):
		serial = Path(f'/sys/block/{dev}/serial')
		if serial.exists() and serial.read_text().strip() == 'kl-scratch':
			return dev
	return ''


def loop_create(path: str, size_mb: int) -> str:
	"""A loop device over a new file; returns its disk name."""
	with open(path, 'wb') as f:
		f.truncate(size_mb << 20)
	run('modprobe', 'loop')		# a module on Debian's kernels; no udev here
	res = run('losetup', '--find', '--show', path, check=True)
	return Path(res.stdout.strip()).name


def fio(dev: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
	"""fio on /dev/dev with direct I/O through libaio; output as JSON is not
	needed: tests look at the exit status and the err= field."""
	return run('fio', '--name=kl', f'--filename=/dev/{dev}', '--direct=1', '--ioengine=libaio',
		   *args, timeout=timeout)


def fio_verify(dev: str, size: str = '32m', extra: tuple = ()) -> subprocess.CompletedProcess:
	"""Random writes with crc32c checksums, then every block read back and
	checked (fio's own verify phase), at queue depth 16 with two jobs on
	disjoint halves."""
	return fio(dev, '--rw=randwrite', '--bs=4k', '--iodepth=16', f'--size={size}',
		   '--numjobs=2', '--offset_increment=' + size, '--verify=crc32c',
		   '--verify_fatal=1', '--do_verify=1', '--group_reporting', *extra)


def fio_ok(res: subprocess.CompletedProcess) -> bool:
	"""fio exited 0 and reported no error."""
	return res.returncode == 0 and 'err= 0' in res.stdout
