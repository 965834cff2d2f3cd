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
