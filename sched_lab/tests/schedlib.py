# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the sched_lab integration tests."""

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'scripts'))

from ktap import Ktap, skip_all  # noqa: E402,F401 (re-exported for the tests)
from kltest import bpftrace, dmesg, each_failure, modprobe, write_errno  # noqa: E402,F401 (re-exported)

DEBUGFS = Path('/sys/kernel/debug/sched_lab')


def read(name: str) -> str:
	"""A debugfs file of sched_lab, as text."""
	return (DEBUGFS / name).read_text()


def fields(name: str) -> dict:
	"""A "key value" debugfs file (model, stats, a histogram's summary)."""
	return dict(line.split(' ', 1) for line in read(name).splitlines()
		    if ' ' in line and not line.startswith('['))


def tasks() -> list:
	"""The task table, as dicts keyed by column name."""
	lines = read('tasks').splitlines()
	columns = lines[0].split()
	return [dict(zip(columns, line.split())) for line in lines[1:]]


def control(command: str) -> None:
	"""start, stop or reset."""
	(DEBUGFS / 'control').write_text(command)


def fresh_start() -> None:
	"""Recording from nothing, for every task."""
	control('stop')
	control('reset')
	(DEBUGFS / 'filter').write_text('none')
	control('start')


def spin(cpu: int, nice: int) -> subprocess.Popen:
	"""A CPU-bound shell loop pinned to one CPU at a nice level, returned
	once it runs the loop.

	The child is pinned and niced before its exec, and the caller waits
	for the exec: started through taskset(1) and nice(1), the process spent
	its first second of the debug kernel under TCG loading those two
	programs at nice 0, CPU-bound on that CPU, and a measurement that
	began then saw a 1:1 share."""
	def pin_and_nice():
		os.sched_setaffinity(0, {cpu})
		os.nice(nice)

	proc = subprocess.Popen(['sh', '-c', 'while :; do :; done'], preexec_fn=pin_and_nice)
	comm = Path(f'/proc/{proc.pid}/comm')
	while comm.read_text() != 'sh\n':
		time.sleep(0.05)
	return proc


def stopped_workload(cmd) -> subprocess.Popen:
	"""A command started stopped (SIGSTOP), so that its PID can be used
	before it runs; SIGCONT starts it."""
	proc = subprocess.Popen(['sh', '-c', 'kill -STOP $$; exec "$@"', 'sh', *cmd],
				stdout=subprocess.DEVNULL)
	subprocess.run(['sh', '-c', f'while ! grep -q "^State:.*T" /proc/{proc.pid}/status; do sleep 0.05; done'],
		       check=True, timeout=30)
	return proc


def proc_runtime_ns(pid: int) -> int:
	"""The kernel's own CPU time for a task (/proc/PID/schedstat)."""
	return int(Path(f'/proc/{pid}/schedstat').read_text().split()[0])


def sched_entity(pid: int) -> dict:
	"""A task's se.vruntime and se.sum_exec_runtime (/proc/PID/sched,
	printed in ms with six decimals), in ns."""
	entity = {}
	for line in Path(f'/proc/{pid}/sched').read_text().splitlines():
		key, _, value = line.partition(':')
		if key.strip() in ('se.vruntime', 'se.sum_exec_runtime'):
			entity[key.strip()] = round(float(value) * 1e6)
	return entity


def stop_all(procs) -> None:
	"""Kill and reap."""
	for p in procs:
		p.kill()
	for p in procs:
		p.wait()


def cpus() -> int:
	"""Online CPUs."""
	return os.cpu_count() or 1


EINVAL = errno.EINVAL
