# SPDX-License-Identifier: GPL-2.0
"""System helpers shared by the integration tests of every module (each
module's tests/*lib.py re-exports what it uses)."""

import os
import subprocess


def write_errno(path, data: str) -> int:
	"""Write data in one write(); 0 or the errno it failed with."""
	try:
		fd = os.open(path, os.O_WRONLY)
	except OSError as err:
		return err.errno
	try:
		os.write(fd, data.encode())
	except OSError as err:
		return err.errno
	finally:
		os.close(fd)
	return 0


def modprobe(*args: str) -> subprocess.CompletedProcess:
	"""modprobe with its output captured."""
	return subprocess.run(['modprobe', *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
			      text=True, check=False)


def dmesg() -> str:
	"""The kernel log."""
	return subprocess.run(['dmesg'], stdout=subprocess.PIPE, text=True, check=False).stdout


def each_failure(fail_nth: int, op) -> tuple:
	"""Fail the 1st, 2nd, ... fault-injection point of op (through
	fail_nth, an open /proc/thread-self/fail-nth) until op passes them all;
	return (points, errnos seen), points None if it never did."""
	errors = []
	for nth in range(1, 2000):
		os.pwrite(fail_nth, str(nth).encode(), 0)
		try:
			op()
			error = 0
		except OSError as err:
			error = err.errno
		left = int(os.pread(fail_nth, 32, 0))
		os.pwrite(fail_nth, b'0', 0)
		if left:
			return nth - 1, errors
		errors.append(error)
	return None, errors
