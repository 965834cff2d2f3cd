# SPDX-License-Identifier: GPL-2.0
"""The boots: run_units() boots a kernel once for some units (and again
after their crash tests' crash, after_crash()) and judges what they left;
run_stock() runs one of Debian's kernels; Slots runs the boots VM_SLOTS at a
time and keeps how long each took (DURATIONS); SlowHost is KL_SLOW.
"""

import collections
import heapq
import json
import os
import re
import shlex
import shutil
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from . import crashdisk, vm
from .build import BUILD, step
from .dkms import PARTIAL_TEST, StockRun
from .judge import Outcome, Tally, judge, test_outcomes
from .units import Unit, parallel, plan

# Host threads the VMs may keep busy at once (this project's machines have
# two cores). A VM whose vCPUs take turns on one thread takes one slot; one whose
# vCPUs run in parallel (vm.host_threads(), units.PARALLEL_KERNELS) takes a
# slot per vCPU: with a vCPU thread descheduled, its partner waits (on a
# lock the other holds, on an IPI it must answer), and two such VMs on two
# cores ran 3 to 5 times slower each than one alone (measured:
# Documentation/testing.rst, "The VM").
VM_SLOTS = 2

# A boot still working after this long per unit it holds is stopped: a
# last resort against a guest that loops forever, far above any unit's
# time on a host twice as slow as ours (KL_SLOW=2: 1481 s for the slowest,
# with its crash boot). Hangs are the watchdog's (vm.STALL_QUIET_S).
BOOT_LIMIT_S = 2400

# How long each boot took last time on this machine, in the cache (so that
# a fresh clone orders its boots too): only an order, never a limit.
DURATIONS = vm.CACHE / 'check-durations.json'


class _TestWatch:
	"""Called while a boot runs: judges each of the units' integration
	tests (crash tests' before phase too) once it has ended (its exit
	status is in its .rc file) and reports its outcomes, counting them in
	reported so that the boot's verdict leaves them out. Anything else that
	leaves a .rc (the DKMS package test) is judged at the boot's end."""

	def __init__(self, label: str, kernel: str, out_dir: Path, units: List[Unit],
		     report: Callable[[Outcome], None], reported: collections.Counter) -> None:
		tests = out_dir / 'results' / 'tests'
		self.pending = {tests / f'{u.name}--{t.name}': (u.name, f'{label}: {u.name}/tests/{t.name}')
				for u in units for t in u.tests}
		self.pending.update({tests / f'{u.name}--{t.name}.before':
				     (u.name, f'{label}: {u.name}/tests/{t.name} before the crash')
				     for u in units for t in u.crash_tests})
		self.kernel, self.report, self.reported = kernel, report, reported

	def __call__(self) -> None:
		for base, (unit, name) in list(self.pending.items()):
			try:
				status = Path(f'{base}.rc').read_text().strip()
			except OSError:
				continue
			if not status.isdigit():
				continue	# its status not yet written
			del self.pending[base]
			for o in test_outcomes(name, base):
				o.kernel, o.module = self.kernel, unit
				self.reported[o.name, o.status] += 1
				self.report(o)


def run_units(label: str, kernel: vm.Kernel, units: List[Unit], install: str,
	      ksrc: Path, leakcheck: bool, out_name: str = '',
	      stall_quiet_s: float = vm.STALL_QUIET_S,
	      report: Optional[Callable[[Outcome], None]] = None) -> List[Outcome]:
	"""Boot kernel once, run every unit's steps (then the crash tests'
	second boot, if any) and judge; out_name names the output directory
	(default: label); stall_quiet_s is the hang watchdog's quiet time.
	With report, each integration test's outcomes go to it as soon as the
	test ends, and are left out of those returned."""
	out_dir = BUILD / 'check' / (out_name or label)
	shutil.rmtree(out_dir, ignore_errors=True)
	names = ', '.join(u.name for u in units)
	step(f'{label}: booting {kernel.release} for {names}; log in {out_dir}')
	scratch = out_dir / 'scratch.img' if any(u.crash_tests for u in units) else None
	write_log = out_dir / 'scratch.log' if scratch else None
	reported: collections.Counter = collections.Counter()
	watch = _TestWatch(label, kernel.name, out_dir, units, report, reported) if report else None
	res = vm.run(kernel, plan(units, install, leakcheck), out_dir, BOOT_LIMIT_S * max(1, len(units)),
		     scratch=scratch,
		     watchdog=stall_quiet_s, on_poll=watch, parallel=parallel(kernel.name),
		     write_log=write_log)
	outcomes = []
	for o in judge(label, res, units, ksrc, kernel):
		if reported[o.name, o.status]:
			reported[o.name, o.status] -= 1
		else:
			outcomes.append(o)
	step(f'{label}: {names}: VM ran {res.elapsed:.0f} s'
	     + (f', {res.stalls} stalled test(s) stopped' if res.stalls else ''))
	not_after = 'the boot before the crash failed' if res.failure() else ''
	if write_log and not not_after:
		# The scratch disk as a power cut leaves it: what was flushed.
		try:
			dropped = crashdisk.durable(scratch, write_log)
			step(f'{label}: the crash dropped {dropped} unflushed write(s) to the scratch disk')
			write_log.unlink()
		except (OSError, crashdisk.LogError) as err:
			not_after = f'the scratch disk\'s write log ({write_log}, kept): {err}'
	elif write_log:
		write_log.unlink(missing_ok=True)
	if scratch and not_after:
		scratch.unlink(missing_ok=True)
		outcomes += [Outcome(f'{label}: {u.name}/tests/{t.name} after the crash', 'fail',
				     f'did not run: {not_after}')
			     for u in units for t in u.crash_tests]
	elif scratch:
		outcomes += after_crash(label, kernel, units, scratch, ksrc, out_dir.name)
	for o in outcomes:
		o.kernel = o.kernel or kernel.name
		if o.module:
			# judge() knew it (a KUnit case, a leak after a unit).
			continue
		if len(units) == 1:
			o.module = units[0].name
		else:
			named = [u.name for u in units if re.search(rf'\b{u.name}/', o.name)]
			o.module = named[0] if len(named) == 1 else ''
	return outcomes


def after_crash(label: str, kernel: vm.Kernel, units: List[Unit], scratch: Path,
		ksrc: Path, out_name: str) -> List[Outcome]:
	"""Boot kernel again on the scratch disk a crash left (no module of
	ours loaded) and run the crash tests' after phase."""
	out_dir = BUILD / 'check' / f'{out_name}-after-crash'
	shutil.rmtree(out_dir, ignore_errors=True)
	step(f'{label}: booting again after the crash; log in {out_dir}')
	lines = [f'. {shlex.quote(str(vm.VM_DIR / "check-lib.sh"))}', 'kl_begin_run noscan']
	for unit in (u for u in units if u.crash_tests):
		lines.append(f'kl_unit {shlex.quote(unit.name)}')
		lines += [f'kl_test {shlex.quote(str(t))} after' for t in unit.crash_tests]
	lines.append('kl_end_run')
	res = vm.run(kernel, '\n'.join(lines) + '\n', out_dir, BOOT_LIMIT_S, scratch=scratch,
		     watchdog=vm.STALL_QUIET_S, parallel=parallel(kernel.name))
	scratch.unlink(missing_ok=True)
	step(f'{label}: VM ran {res.elapsed:.0f} s after the crash')
	outcomes = judge(f'{label} after the crash', res, [], ksrc, kernel)
	for unit in units:
		for test in unit.crash_tests:
			outcomes += test_outcomes(f'{label}: {unit.name}/tests/{test.name} after the crash',
						  res.out / 'results' / 'tests' / f'{unit.name}--{test.name}.after')
	return outcomes


def run_stock(run: StockRun, ksrc: Path,
	      report: Optional[Callable[[Outcome], None]] = None) -> List[Outcome]:
	"""Boot one of Debian's kernels once for every module; its outcomes."""
	if run.error or run.kernel is None:
		return [Outcome(f'{run.name}: harness', 'fail', run.error, kernel=run.name)]
	if not run.units:
		return [Outcome(f'{run.name}: DKMS install and integration tests', 'skip',
				'no module directory exists yet')]
	outcomes = run_units(run.name, run.kernel, run.units, run.install, ksrc, False, report=report)
	if run.partial:
		outcomes.append(run.partial)
	if run.partial_test:
		tests = test_outcomes(f'{run.name}: dkms/{PARTIAL_TEST.name}: the package without private '
				      'headers installs, its modules load, it uninstalls',
				      BUILD / 'check' / run.name / 'results' / 'tests' / f'dkms--{PARTIAL_TEST.name}')
		for test in tests:
			test.kernel = run.name
		outcomes += tests
	return outcomes


def durations() -> Dict[str, float]:
	"""How long each boot took last time on this machine (DURATIONS)."""
	try:
		took = json.loads(DURATIONS.read_text())
	except (FileNotFoundError, ValueError):
		return {}
	return took if isinstance(took, dict) else {}


class Slots:
	"""Runs VM jobs in VM_SLOTS slots, each taking as many as its VM
	keeps host threads busy (vm.host_threads()), the longest waiting job
	first (as long as it took last time; one not timed yet first of all),
	whichever kernel it is for, so that the slots finish together; the
	longest waits for enough slots, and no shorter one overtakes it. Each
	job's outcomes reach the tally as soon as it ends, and its time is kept
	to order the next run's jobs."""

	def __init__(self, tally: Tally) -> None:
		self.tally = tally
		self.took = durations()
		# A heap: (-expected, seq, slots, name, job, kernel, module).
		self.pending: List[tuple] = []
		self.free = VM_SLOTS
		self.cond = threading.Condition()
		self.closed = False
		self.seq = 0
		self.workers = [threading.Thread(target=self._work, daemon=True) for _ in range(VM_SLOTS)]
		for worker in self.workers:
			worker.start()

	def submit(self, name: str, job: Callable[[], List[Outcome]], kernel: str, module: str) -> None:
		"""Queue job; a harness error in it fails it, not the run."""
		self.submit_all([(name, job, kernel, module)])

	def submit_all(self, jobs: List[Tuple[str, Callable[[], List[Outcome]], str, str]]) -> None:
		"""Queue (name, job, kernel, module) jobs at once: a free slot
		takes the longest of them, not the first queued."""
		with self.cond:
			if self.closed:
				raise RuntimeError('Slots: a job queued after wait() or cancel()')
			for name, job, kernel, module in jobs:
				self.seq += 1
				heapq.heappush(self.pending, (-self.took.get(name, BOOT_LIMIT_S), self.seq,
							      min(vm.host_threads(parallel(kernel)), VM_SLOTS),
							      name, job, kernel, module))
			self.cond.notify_all()

	def _work(self) -> None:
		while True:
			with self.cond:
				while not (self.pending and self.free >= self.pending[0][2]) \
						and not (self.closed and not self.pending):
					self.cond.wait()
				if not self.pending:
					return
				_, _, taken, name, job, kernel, module = heapq.heappop(self.pending)
				self.free -= taken
			start = time.monotonic()
			try:
				outcomes = job()
			except Exception as err:	# pylint: disable=broad-except
				outcomes = [Outcome(f'{name}: harness', 'fail', repr(err), kernel=kernel,
						    module=module)]
			finally:
				with self.cond:
					self.free += taken
					self.cond.notify_all()
			self.took[name] = round(time.monotonic() - start)
			for o in outcomes:
				self.tally.add(o)

	def cancel(self) -> None:
		"""Drop the jobs not yet begun (make check was interrupted)."""
		with self.cond:
			self.pending.clear()
			self.closed = True
			self.cond.notify_all()

	def wait(self) -> None:
		"""Wait for every job queued; keep their times."""
		with self.cond:
			self.closed = True
			self.cond.notify_all()
		for worker in self.workers:
			worker.join()
		DURATIONS.parent.mkdir(parents=True, exist_ok=True)
		DURATIONS.write_text(json.dumps(self.took, indent=1) + '\n')


class SlowHost:
	"""KL_SLOW=N: make check runs with 1/N of the host's CPU time (a CPU
	quota on a cgroup holding it and everything it starts), to show that
	no verdict depends on the host's speed."""

	NAME = 'kernlabs-slow'

	def __init__(self, setting: str) -> None:
		try:
			factor = float(setting)
		except ValueError:
			factor = 0
		if factor < 1:
			raise vm.VmError(f'KL_SLOW={setting}: not a number of 1 or more')
		period = 100000
		quota = int(period * (os.cpu_count() or 1) / factor)
		v2, v1 = Path('/sys/fs/cgroup'), Path('/sys/fs/cgroup/cpu')
		own = Path('/proc/self/cgroup').read_text().splitlines()
		try:
			if (v2 / 'cgroup.controllers').exists():
				self.parent = v2 / next(line[3:] for line in own if line.startswith('0::')).lstrip('/')
				self.dir = self.parent / self.NAME
				limit = (self.dir / 'cpu.max', f'{quota} {period}')
				if 'cpu' not in (self.parent / 'cgroup.subtree_control').read_text().split():
					(self.parent / 'cgroup.subtree_control').write_text('+cpu')
			elif (v1 / 'cpu.cfs_quota_us').exists():
				self.parent = v1 / next(line.split(':', 2)[2] for line in own
							if ':cpu:' in line or ':cpu,' in line).lstrip('/')
				self.dir = self.parent / self.NAME
				limit = (self.dir / 'cpu.cfs_quota_us', str(quota))
			else:
				raise vm.VmError('KL_SLOW needs the cgroup cpu controller')
			self.dir.mkdir(exist_ok=True)
			limit[0].write_text(limit[1])
			(self.dir / 'cgroup.procs').write_text(str(os.getpid()))
		except (OSError, StopIteration) as err:
			raise vm.VmError(f'KL_SLOW: cannot make a cgroup with a CPU quota: {err}') from None
		step(f'KL_SLOW={factor:g}: make check runs on {quota / period:g} of '
		     f'{os.cpu_count()} CPU(s) ({self.dir})')

	def close(self) -> None:
		"""Go back to the cgroup make check started in, and remove this one."""
		try:
			(self.parent / 'cgroup.procs').write_text(str(os.getpid()))
			self.dir.rmdir()
		except OSError as err:
			print(f'KL_SLOW: could not remove {self.dir}: {err}')
