# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the namespacefs integration tests: mounting, lsns with
the table's columns, and the kernel's own nsfs (/proc/PID/ns and its ioctls)
as the oracle for inode numbers, ids, owners and parents."""

import atexit
import errno
import fcntl
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'scripts'))

from ktap import Ktap, skip_all  # noqa: E402,F401 (re-exported for the tests)
from kltest import (dmesg, dmesg_since, each_failure, kmsg_mark,  # noqa: E402,F401 (re-exported)
		    modprobe, wait_for, write_errno)

MNT = Path('/sys/fs/namespaces')
TYPES = ('cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts')
LSNS = ['lsns', '--list', '--raw', '-o', 'NS,TYPE,NPROCS,PID,PPID,COMMAND,UID']
# linux/nsfs.h: _IO(0xb7, 1) and _IO(0xb7, 2).
NS_GET_USERNS = 0xb701
NS_GET_PARENT = 0xb702
# linux/nsfs.h: _IOR(0xb7, 13, __u64), _IOC_READ in the top two bits.
NS_GET_ID = 2 << 30 | 8 << 16 | 0xb7 << 8 | 13


def mount(path: Path = MNT) -> None:
	"""Mount namespacefs at path unless it is there, and unmount it when
	the test exits, however it exits: the harness unloads the module after
	the tests, which a mount left behind would refuse."""
	if subprocess.run(['mountpoint', '-q', str(path)], check=False).returncode:
		subprocess.run(['mount', '-t', 'namespacefs', 'none', str(path)], check=True)
		atexit.register(umount, path)


def umount(path: Path = MNT) -> None:
	"""Unmount it if mounted."""
	if not subprocess.run(['mountpoint', '-q', str(path)], check=False).returncode:
		subprocess.run(['umount', str(path)], check=True)


def run(cmd, **kw) -> str:
	"""A command's standard output (its errors go to the log)."""
	return subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False, **kw).stdout


def fd_ns_id(fd: int) -> int:
	"""The 64-bit id of the namespace an nsfs file descriptor refers to."""
	return struct.unpack('Q', fcntl.ioctl(fd, NS_GET_ID, bytes(8)))[0]


def ns_id(path: str) -> int:
	"""The 64-bit id of the namespace at path (/proc/PID/ns/TYPE)."""
	fd = os.open(path, os.O_RDONLY)
	try:
		return fd_ns_id(fd)
	finally:
		os.close(fd)


def _kernel_has_ns_id() -> bool:
	try:
		ns_id('/proc/self/ns/user')
	except OSError as e:
		if e.errno != errno.ENOTTY:	# nsfs's answer to an unknown ioctl
			raise
		return False
	return True


# Whether the running kernel has 64-bit namespace ids: then namespacefs
# shows them (an id file, the table's last column, ID), else nowhere.
HAVE_NS_ID = _kernel_has_ns_id()


def lsns_columns(table: str) -> str:
	"""The table's columns that lsns has: all but ID, the last, which the
	table has exactly where the kernel has namespace ids."""
	if not HAVE_NS_ID:
		return table
	return ''.join(line.rsplit(' ', 1)[0] + '\n' for line in table.splitlines())


def table_and_lsns(prefix=(), path: Path = MNT, tries: int = 8):
	"""The table, read by cat, with lsns's columns (lsns_columns()), and
	lsns's output, taken while nothing changed: lsns twice around the read,
	until both agree. One process of each (cat, lsns) is counted in the
	reader's namespaces either way."""
	prefix = list(prefix)
	for _ in range(tries):
		before = run(prefix + LSNS)
		ours = lsns_columns(run(prefix + ['cat', str(path / 'table')]))
		after = run(prefix + LSNS)
		if before == after:
			break
		time.sleep(0.2)
	return ours, after


def ns_inum(pid: int, kind: str) -> int:
	"""Inode number of a process's namespace, from /proc."""
	return os.stat(f'/proc/{pid}/ns/{kind}').st_ino


def related_inum(pid: int, kind: str, request: int) -> int:
	"""Inode number of its owner (NS_GET_USERNS) or parent (NS_GET_PARENT)
	namespace, or 0 where nsfs refuses (the initial one)."""
	fd = os.open(f'/proc/{pid}/ns/{kind}', os.O_RDONLY)
	try:
		rel = fcntl.ioctl(fd, request)
	except OSError:
		return 0
	finally:
		os.close(fd)
	try:
		return os.fstat(rel).st_ino
	finally:
		os.close(rel)


def children(pid: int) -> list:
	"""PIDs of a process's children."""
	text = run(['pgrep', '-P', str(pid)])
	return [int(x) for x in text.split()]


def walk(path: Path = MNT) -> dict:
	"""Every namespace directory under the type directories: inode number
	to (type, path)."""
	found = {}
	for kind in TYPES:
		for dirpath, dirnames, _ in os.walk(path / kind):
			for name in dirnames:
				if ':[' not in name:
					continue	# the owner link
				inum = int(name[name.index('[') + 1:-1])
				found[inum] = (kind, Path(dirpath) / name)
	return found
