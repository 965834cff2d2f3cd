# SPDX-License-Identifier: GPL-2.0
"""A process whose command line (mm->arg_start..arg_end) is moved to a
page of the test's choosing, as its owner could arrange for its own argv
(mmap() over it, mprotect()): run as root, for prctl(PR_SET_MM), by the
test command-line. In a uts namespace of its own, so that it is the
process the table shows for that namespace.

Usage: argv-target.py MODE TEXT [FILE]. MODE is "anon" (a readable
anonymous page holding TEXT), "protnone" (that page made PROT_NONE) or
"file" (FILE, which holds TEXT, mapped read-only). Prints "ready" and
sleeps until killed."""

import ctypes
import os
import sys
import time

PROT_NONE, PROT_READ, PROT_WRITE = 0, 1, 2
MAP_PRIVATE, MAP_ANONYMOUS = 0x02, 0x20
CLONE_NEWUTS = 0x04000000
PR_SET_MM, PR_SET_MM_ARG_START, PR_SET_MM_ARG_END = 35, 8, 9
PAGE = os.sysconf('SC_PAGE_SIZE')

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
		      ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
		       ctypes.c_ulong]


def check(ret: int, what: str) -> None:
	if ret:
		err = ctypes.get_errno()
		sys.exit(f'argv-target: {what}: {os.strerror(err)}')


mode, text = sys.argv[1], sys.argv[2].encode() + b'\0'
check(libc.unshare(CLONE_NEWUTS), 'unshare')
if mode == 'file':
	fd = os.open(sys.argv[3], os.O_RDONLY)
	addr = libc.mmap(None, PAGE, PROT_READ, MAP_PRIVATE, fd, 0)
else:
	addr = libc.mmap(None, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
if addr in (None, ctypes.c_void_p(-1).value):
	sys.exit(f'argv-target: mmap: {os.strerror(ctypes.get_errno())}')
if mode != 'file':
	ctypes.memmove(addr, text, len(text))
if mode == 'protnone':
	check(libc.mprotect(addr, PAGE, PROT_NONE), 'mprotect')
# The new range lies below the stack, where the old one is: start first,
# so that start <= end holds after each call.
check(libc.prctl(PR_SET_MM, PR_SET_MM_ARG_START, addr, 0, 0), 'PR_SET_MM_ARG_START')
check(libc.prctl(PR_SET_MM, PR_SET_MM_ARG_END, addr + len(text), 0, 0), 'PR_SET_MM_ARG_END')
print('ready', flush=True)
time.sleep(600)
