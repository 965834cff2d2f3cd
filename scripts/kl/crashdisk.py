# SPDX-License-Identifier: GPL-2.0
"""The crash tests' scratch disk as a power cut leaves it: only what the
guest flushed survives.

While the boot before the crash runs, QEMU's blklogwrites filter logs every
write and flush that reaches the scratch disk, in dm-log-writes' format.
The guest marks the crash's moment (check-lib.sh's kl_crash) with a write to
the disk's last MARKER bytes, never flushed: QEMU flushes the disk as it
exits, after the guest is gone, and that flush must not count. durable()
then makes the image the next boot sees: the writes logged before the last
flush that precedes the marker, applied to the image as it was before the
boot (all zeros). The writes after that flush are dropped, as a disk's
volatile write cache drops them: a flush that never reached the device fails
the test that counted on it (QEMU's cache=unsafe would keep them all).
"""

import mmap
import struct
from pathlib import Path

# dm-log-writes' format (drivers/md/dm-log-writes.c), which QEMU's
# block/blklogwrites.c writes: a superblock in sector 0, then each entry's
# header in a sector of its own, followed by its data (none for a flush or
# a discard), all in log sectors of LOG_SECTOR bytes (log-sector-size).
LOG_SECTOR = 512
LOG_MAGIC = 0x6a736677736872
LOG_FLUSH, LOG_FUA, LOG_DISCARD = 1, 2, 4
SUPER = struct.Struct('<QQQI')		# magic, version, nr_entries, sectorsize
ENTRY = struct.Struct('<QQQQ')		# sector, nr_sectors, flags, data_len
# The crash marker: kl_crash writes MARKER_TEXT, padded with zeros, to the
# disk's last MARKER bytes.
MARKER = 4096
MARKER_TEXT = b'kernlabs crash marker'


class LogError(Exception):
	"""The log is not one blklogwrites wrote, or has no crash marker."""


def _entries(log, size: int):
	"""Yield (sector, nr_sectors, flags, data offset) for each entry, up to
	the first that was never written (a header of zeros: no entry writes
	nothing) or that the log ends inside; size: the disk's, in bytes."""
	magic, _, _, sectorsize = SUPER.unpack_from(log, 0) if len(log) >= SUPER.size else (0, 0, 0, 0)
	if magic != LOG_MAGIC or sectorsize != LOG_SECTOR:
		raise LogError(f'no blklogwrites superblock with {LOG_SECTOR}-byte sectors')
	pos = LOG_SECTOR
	while pos + ENTRY.size <= len(log):
		sector, count, flags, _ = ENTRY.unpack_from(log, pos)
		# blklogwrites writes no mark (whose data dm-log-writes counts
		# in bytes, not sectors).
		if flags & ~(LOG_FLUSH | LOG_FUA | LOG_DISCARD):
			raise LogError(f'entry at byte {pos}: flags {flags:#x}')
		if not flags and not count:
			return
		if (sector + count) * LOG_SECTOR > size:
			raise LogError(f'entry at byte {pos}: sectors {sector}+{count} beyond the disk')
		data = pos + LOG_SECTOR
		pos = data + (0 if flags & (LOG_DISCARD | LOG_FLUSH) else count * LOG_SECTOR)
		if pos > len(log):
			return
		yield sector, count, flags, data


def _is_marker(log, entry, marker: int) -> bool:
	"""Whether entry writes the crash marker (at sector marker), alone or
	merged with the writes before it."""
	sector, count, flags, start = entry
	if flags or not sector <= marker < sector + count:
		return False
	at = start + (marker - sector) * LOG_SECTOR
	return log[at:at + len(MARKER_TEXT)] == MARKER_TEXT


def durable(image: Path, log: Path) -> int:
	"""Rewrite image, which started the logged boot all zeros, to hold only
	the writes the log shows flushed before the crash marker (and FUA
	writes before it); return how many logged writes were dropped."""
	with open(log, 'rb') as f, open(image, 'r+b') as img:
		data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if log.stat().st_size else b''
		size = img.seek(0, 2)
		entries = list(_entries(data, size))
		marker = (size - MARKER) // LOG_SECTOR
		crash = max((i for i, e in enumerate(entries) if _is_marker(data, e, marker)), default=None)
		if crash is None:
			raise LogError('no crash marker: the guest did not reach kl_crash')
		last_flush = max((i for i, e in enumerate(entries[:crash]) if e[2] & LOG_FLUSH), default=-1)
		img.truncate(0)
		img.truncate(size)
		dropped = 0
		view = memoryview(data)
		for i, (sector, count, flags, start) in enumerate(entries):
			if flags & LOG_FLUSH or not count or i == crash:
				continue
			if i > last_flush and not (flags & LOG_FUA and i < crash):
				dropped += 1
				continue
			img.seek(sector * LOG_SECTOR)
			if flags & LOG_DISCARD:
				img.write(bytes(count * LOG_SECTOR))
			else:
				img.write(view[start:start + count * LOG_SECTOR])
		view.release()
		return dropped
