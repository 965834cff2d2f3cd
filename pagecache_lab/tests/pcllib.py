# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the pagecache_lab integration tests: pagecache
targets through dmsetup, their status counters, dm-flakey under them, and
page-sized direct I/O from Python."""

import atexit
import mmap
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'scripts'))

from ktap import Ktap, skip_all  # noqa: E402,F401 (re-exported for the tests)
import kltest  # noqa: E402
from kltest import (bpftrace, dmesg, dmesg_since, fio_ok, fio_verify,  # noqa: E402,F401 (re-exported)
		    kmsg_mark, nullb_remove, run)

PAGE = 4096
SECTOR = 512
POLICIES = ('two-list', 'lru', 's3fifo')

# What a test made, for cleanup if it stops half-way: dm devices (newest
# last, so upper devices go first) and null_blk devices.
made_dm = []
made_nullb = []
open_fds = set()


@atexit.register
def cleanup() -> None:
	"""Close what a test left open; remove the dm and null_blk devices it
	left behind."""
	for fd in open_fds:
		os.close(fd)
	for name in reversed(made_dm):
		if Path(f'/dev/mapper/{name}').exists():
			run('dmsetup', 'remove', name)
	for name in made_nullb:
		kltest.nullb_remove(name)


def nullb_create(name: str, **attrs) -> str:
	"""A null_blk device (kltest.nullb_create), removed at exit."""
	made_nullb.append(name)
	return kltest.nullb_create(name, **attrs)


def memory_nullb(name: str, size_mb: int) -> str:
	"""A memory-backed null_blk device, removed at exit."""
	made_nullb.append(name)
	return kltest.memory_nullb(name, size_mb=size_mb)


def sectors(path: str) -> int:
	"""A block device's size in sectors (a name in /dev, or a path)."""
	path = path if path.startswith('/') else f'/dev/{path}'
	return int(run('blockdev', '--getsz', path, check=True).stdout)


def dm_create(name: str, table: str):
	"""dmsetup create; then the /dev/mapper node, which no udev makes here."""
	made_dm.append(name)
	res = run('dmsetup', 'create', name, '--table', table)
	if res.returncode == 0:
		run('dmsetup', 'mknodes', name, check=True)
	return res


def create(name: str, backing: str, pages: int, *options: str, length: int = 0):
	"""dmsetup create NAME with a pagecache table over /dev/BACKING (or a
	path); the whole device unless length (sectors) is given."""
	path = backing if backing.startswith('/') else f'/dev/{backing}'
	table = f'0 {length or sectors(path)} pagecache {path} {pages} {" ".join(options)}'.rstrip()
	return dm_create(name, table)


def create_ok(name: str, backing: str, pages: int, *options: str, length: int = 0) -> str:
	"""create(), which must work; returns the device's path."""
	res = create(name, backing, pages, *options, length=length)
	if res.returncode:
		raise RuntimeError(f'dmsetup create {name}: {res.stdout}')
	return f'/dev/mapper/{name}'


def remove(name: str):
	"""dmsetup remove NAME."""
	return run('dmsetup', 'remove', name)


def status(name: str) -> dict:
	"""The target's counters from dmsetup status, as name -> int (policy: str)."""
	res = run('dmsetup', 'status', name, check=True)
	out = {}
	for field in res.stdout.split()[3:]:
		key, _, value = field.partition('=')
		out[key] = int(value) if value.isdigit() else value
	return out


def message(name: str, *words: str):
	"""dmsetup message NAME 0 WORDS."""
	return run('dmsetup', 'message', name, '0', *words)


def flakey(name: str, backing: str, *features: str, up: bool = True) -> str:
	"""Load (or reload) dm-flakey NAME over /dev/BACKING: up passes all
	I/O; down fails it as features say (none: every bio fails; error_writes:
	writes only). Returns the device's path."""
	run('modprobe', 'dm-flakey')
	size = sectors(backing)
	up_down = '1 0' if up else '0 1'
	feats = f' {len(features)} {" ".join(features)}' if features else ''
	table = f'0 {size} flakey /dev/{backing} 0 {up_down}{feats}'
	if Path(f'/dev/mapper/{name}').exists():
		run('dmsetup', 'suspend', '--nolockfs', '--noflush', name, check=True)
		run('dmsetup', 'load', name, '--table', table, check=True)
		run('dmsetup', 'resume', name, check=True)
	elif dm_create(name, table).returncode:
		raise RuntimeError(f'dm-flakey {name} was not created')
	return f'/dev/mapper/{name}'


class Direct:
	"""A block device opened with O_DIRECT, read and written in
	page-aligned buffers at any sector."""

	def __init__(self, path: str, flags: int = 0):
		self.fd = os.open(path, os.O_RDWR | os.O_DIRECT | flags)
		open_fds.add(self.fd)

	def close(self) -> None:
		"""Close the device."""
		open_fds.discard(self.fd)
		os.close(self.fd)

	def read(self, offset: int, size: int) -> bytes:
		"""size bytes at offset (both multiples of 512); raises OSError."""
		buf = mmap.mmap(-1, max(size, PAGE))
		try:
			got = os.preadv(self.fd, [memoryview(buf)[:size]], offset)
			return bytes(buf[:got])
		finally:
			buf.close()

	def write(self, offset: int, data: bytes, flags: int = 0) -> None:
		"""Write data (a multiple of 512 bytes) at offset, with pwritev2()'s
		flags (os.RWF_DSYNC: a REQ_FUA write); raises OSError."""
		buf = mmap.mmap(-1, max(len(data), PAGE))
		try:
			buf[:len(data)] = data
			os.pwritev(self.fd, [memoryview(buf)[:len(data)]], offset, flags)
		finally:
			buf.close()

	def read_page(self, index: int) -> bytes:
		"""The page at a page index."""
		return self.read(index * PAGE, PAGE)


def pattern(tag: int, size: int = PAGE) -> bytes:
	"""size bytes that say tag in every 8 bytes: distinct per tag."""
	return (tag.to_bytes(8, 'little') * (size // 8 + 1))[:size]
