# SPDX-License-Identifier: GPL-2.0
"""System helpers shared by the integration tests of every module (each
module's tests/*lib.py re-exports what it uses)."""

import os
import subprocess
import time
from pathlib import Path

from ktap import skip_all

NULLB = Path('/sys/kernel/config/nullb')


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


def wait_for(cond, timeout: float = 30.0) -> bool:
	"""Poll cond until it holds or timeout seconds pass."""
	end = time.monotonic() + timeout
	while time.monotonic() < end:
		if cond():
			return True
		time.sleep(0.1)
	return False


def bpftrace(command: str, *script: str, timeout: float = 600) -> str:
	"""Run bpftrace on a workload; what it printed (its maps last).

	The workload is bpftrace's child (`bpftrace -c`): bpftrace starts it
	once every probe is attached and ends when it exits, printing its maps.
	Never SIGINT: bpftrace 0.17 (Debian 12) notices a SIGINT only when it
	interrupts epoll_wait() in BPFtrace::poll_perf_events(); one that
	arrives anywhere else (while probes attach, between two polls) only
	sets a flag that loop never reads, and it polls forever (fixed upstream
	when the loop began to read the flag, bpftrace 0.18). command is split
	on spaces and executed without a shell: a pipeline goes in a script
	file. A bpftrace still running after timeout seconds is killed (it
	would keep its probes attached for every later test), its threads'
	states and kernel stacks appended to what it printed; one that stalls,
	idle, is stopped sooner by the harness's watchdog."""
	proc = subprocess.Popen(['bpftrace', '-c', command, *script], stdout=subprocess.PIPE,
				stderr=subprocess.STDOUT, text=True)
	try:
		return proc.communicate(timeout=timeout)[0]
	except subprocess.TimeoutExpired as err:
		stuck = stuck_report(proc.pid)
		proc.kill()
		try:
			out = proc.communicate(timeout=10)[0]
		except subprocess.TimeoutExpired:
			# The workload's children hold the pipe; TimeoutExpired keeps bytes.
			out = (err.stdout or b'').decode(errors='replace')
		return f'{out}\n(bpftrace did not exit within {timeout} s)\n{stuck}'


def stuck_report(pid: int) -> str:
	"""Where a process that does not exit is: each thread's state and
	kernel stack, to print before it is killed."""
	lines = []
	for task in sorted(Path(f'/proc/{pid}/task').glob('*')):
		try:
			state = next(line for line in (task / 'status').read_text().splitlines()
				     if line.startswith('State:'))
			lines += [f'thread {task.name}: {state}', (task / 'stack').read_text().rstrip()]
		except (OSError, StopIteration):
			pass
	return '\n'.join(lines)


def modprobe(*args: str) -> subprocess.CompletedProcess:
	"""modprobe with its output captured, its messages in English (tests
	match them)."""
	return subprocess.run(['modprobe', *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
			      text=True, check=False, env={**os.environ, 'LC_ALL': 'C'})


def dmesg() -> str:
	"""The kernel log."""
	return subprocess.run(['dmesg'], stdout=subprocess.PIPE, text=True, check=False).stdout


def _kmsg() -> list:
	"""The kernel log's records as (sequence number, "[seconds] text"),
	read from /dev/kmsg (records overwritten while it reads are skipped)."""
	records = []
	fd = os.open('/dev/kmsg', os.O_RDONLY | os.O_NONBLOCK)
	try:
		while True:
			try:
				raw = os.read(fd, 8192).decode(errors='replace')
			except BlockingIOError:
				break
			except BrokenPipeError:
				continue
			head, _, text = raw.partition(';')
			fields = head.split(',')
			records.append((int(fields[1]), f'[{int(fields[2]) / 1e6:12.6f}] {text.splitlines()[0]}'))
	finally:
		os.close(fd)
	return records


def kmsg_mark() -> int:
	"""Where the kernel log ends now: the sequence number of its last
	record, for dmesg_since()."""
	records = _kmsg()
	return records[-1][0] if records else -1


def dmesg_since(mark: int) -> str:
	"""What the kernel logged after kmsg_mark() returned mark, one record a
	line. By sequence number, since neither the log's length nor a line in
	it is a position: a full log buffer drops its oldest records (60 fault
	injection backtraces fill a debug kernel's 128 KiB)."""
	return ''.join(f'{text}\n' for seq, text in _kmsg() if seq > mark)


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


def run(*args: str, timeout: float = 600, check: bool = False, **kw) -> subprocess.CompletedProcess:
	"""Run a command with its output captured."""
	return subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
			      timeout=timeout, check=check, **kw)


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
