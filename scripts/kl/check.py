# SPDX-License-Identifier: GPL-2.0
"""`make check`: every test of every module, on the four test kernels.

1. The debug kernels (KASAN, lockdep, kmemleak, KUnit), 7.3 and 6.1: the
   modules and the KUnit test modules are built against each, in a copy of
   the tree of its own; one boot per module loads its KUnit module and the
   module, runs its integration tests, unloads it and asks kmemleak, so
   that a module that panics, hangs or is slow costs only its own tests.
   7.3 runs every test; 6.1 runs those that reach code only 6.1 compiles
   (DEBUG_61_TESTS).
2. The harness self-test (on the 6.1 debug kernel): planted failures must
   each turn the verdict red.
3. Debian's stock 6.1 and 6.12: the modules are built by `dkms build` on the
   host and installed by `dkms install` in the guest (the test aids, which
   the package leaves out, by Kbuild), then loaded and tested again, one
   boot per kernel: the tests STOCK_TESTS lists, what only these kernels
   show. In a whole run, 6.12's boot first tests the package
   built as if the kernel lacked the private headers two modules need.

Each VM emulates its CPUs on one host thread (vm._accel()), so the boots run
VM_SLOTS at a time, Debian's kernels first (their DKMS packages are built
before anything else); the host's builds run at the lowest priority, so that
they take CPU from no VM. No verdict depends on the host's speed: a guest is
hung when it stalls (vm.STALL_QUIET_S), not when it is slow; each boot's
time limit (BOOT_LIMIT_S) is a last resort.

Any WARNING, BUG, Oops, KASAN or lockdep report or kmemleak leak in a guest
fails the run and is charged to the step that was running. The last line is
"N passed, N failed, N skipped", after the commands that re-run what failed.
"""

import concurrent.futures
import dataclasses
import filecmp
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from . import logscan, tap, vm

ROOT = vm.ROOT
BUILD = Path(os.environ.get('KL_BUILD_DIR') or ROOT / 'build')
# The modules, from MODULES: the first word of each line that begins with
# a name.
MODULE_DIRS = tuple(line.split()[0] for line in (ROOT / 'MODULES').read_text().splitlines()
		    if line[:1].isalpha() and line[:1].islower())
SELFTEST_DIR = ROOT / 'scripts' / 'selftest'
DKMS_NAME = 'kernlabs'

# What the 6.1 debug kernel runs of each module besides its KUnit suite,
# load, unload and leak check (None: every integration test): the tests
# that reach code only 6.1 (and 6.12) compile, so that every compat branch
# runs under KASAN and lockdep somewhere. The 7.3 debug kernel runs every
# test; Documentation/testing.rst has the table.
DEBUG_61_TESTS: Dict[str, Optional[Tuple[str, ...]]] = {
	# insert_requests(at_head) and depth_updated() per hctx (every I/O and
	# switch: all of these), the per-word shallow depth (async-depth checks
	# its value), RQF_ELVPRIV's unprepared arm (flushes on kl-anticipatory:
	# ext4), anticipation through the icq (counters), elevator_alloc() in
	# init_sched() and the iosched tunables (tunables), the insert hook's
	# allocation failure (fault-injection), BLK_MQ_F_SHOULD_MERGE and the
	# rotational flag of the test disk (seekdisk).
	'blk_elevator': ('async-depth', 'counters', 'ext4', 'fault-injection', 'seekdisk',
			 'tunables'),
	# ->d_revalidate(dentry, flags) (fault-injection reaches it past its
	# early returns, and its -ENOMEM), s_d_op, the hand-set timestamps and
	# generic_delete_inode on every mount, no namespace id (lsns-match),
	# dumpability from task->mm (visibility; stress's exiting tasks).
	'namespacefs': ('fault-injection', 'lsns-match', 'stress', 'visibility'),
	# The CFS model fed live (6.1 has no EEVDF): its picks and vruntimes
	# (weight-ratio), START_DEBIT forks and relative-vruntime migrations
	# (controls' perf bench), grouped tasks left out (grouped).
	'sched_lab': ('controls', 'grouped', 'weight-ratio'),
	# register_shrinker(): its failure path, and a scan (drop_caches).
	'pagecache_lab': ('fault-injection', 'writeback'),
	# ring_buffer_unlock_commit(buffer, event), in the benchmark module.
	'printk_ring': ('bench-module',),
	# rdmsrl_safe_on_cpu(), cpuid() from <asm/processor.h>, and
	# handle_guest_split_lock() called as an export.
	'split_lock': ('status', 'detector-inject'),
}

# What Debian's kernels run of each module besides the DKMS install, load,
# a bpftrace one-liner on every tracepoint and unload (None: every
# integration test, crash tests included). Every compat branch already runs
# under KASAN and lockdep on a debug kernel; these boots show what only they
# can: the package as users install it, and the modules against Debian's
# own configuration and tools, which the debug kernels (tinyconfig plus
# debug options) lack: LSMs (yama, AppArmor, Landlock, lockdown), voluntary
# preemption (RCU readers and cond_resched() that a preemptible kernel
# forgives), block cgroups, writeback throttling, memcg, autogroup, and
# Debian's bpftrace and util-linux. So: a test's data path once each
# (fio-verify, log-basic), the bpftrace tools, the lsns comparison,
# visibility and the unprivileged mount (LSMs), namespacefs's stress and
# pagecache_lab's concurrent and writeback (long walks and scans, voluntary
# preemption), blk_elevator switching under load (block cgroups, wbt), and
# all of sched_lab, whose model meets Debian's scheduler (autogroup, 6.12's
# EEVDF) nowhere else. 6.12 also runs all of blk_elevator: Debian's 6.12
# pairs 6.12's elevator hooks with the whole-bitmap shallow depth, a
# combination no debug kernel has.
STOCK_TESTS: Dict[str, Dict[str, Optional[Tuple[str, ...]]]] = {
	'6.1': {
		'printk_ring': ('log-basic', 'bpftrace-script'),
		'blk_elevator': ('fio-verify', 'switch-under-load', 'bpftrace-script'),
		'pagecache_lab': ('fio-verify', 'table', 'concurrent', 'writeback', 'bpftrace-script'),
		'namespacefs': ('lsns-match', 'visibility', 'userns-mount', 'stress'),
		'sched_lab': None,
		'split_lock': ('status', 'detector-inject', 'bpftrace-script'),
	},
	'6.12': {
		'printk_ring': ('log-basic', 'bpftrace-script'),
		'blk_elevator': None,
		'pagecache_lab': ('fio-verify', 'table', 'concurrent', 'writeback', 'bpftrace-script'),
		'namespacefs': ('lsns-match', 'visibility', 'userns-mount', 'stress'),
		'sched_lab': None,
		'split_lock': ('status', 'detector-inject', 'bpftrace-script'),
	},
}

# The DKMS package on a kernel that lacks the private headers two modules
# need: in a whole run, Debian's 6.12 boot first installs and tests a build
# of it made with their search pointed at an empty directory, then the real
# one (partial_package()).
PARTIAL_KERNEL = '6.12'
PARTIAL_SKIPS = {'blk_elevator': 'BLK_ELEVATOR_BLOCK_DIR', 'namespacefs': 'NAMESPACEFS_FS_DIR'}
PARTIAL_TEST = ROOT / 'scripts' / 'vm' / 'dkms-partial'

# The debug kernel that also runs the harness self-test.
SELFTEST_KERNEL = 'debug-6.1'

# kselftest's exit status for "skipped".
KSFT_SKIP = 4

# VMs booted at once: each emulates on one host thread (vm._accel()).
VM_SLOTS = 2

# What the guest's kl_stall_watch adds to the output of a test it stopped.
STALL_NOTE = '# kernlabs-check: stopped: no progress'

# A boot still working after this long is stopped: a last resort against a
# guest that loops forever, far above any boot's time on a host twice as
# slow as ours (KL_SLOW=2). Hangs are the watchdog's (vm.STALL_QUIET_S).
BOOT_LIMIT_S = 2400

# How long each boot took last time on this machine, in the cache (so that
# a fresh clone orders its boots too): only an order, never a limit.
DURATIONS = vm.CACHE / 'check-durations.json'


@dataclasses.dataclass
class Outcome:
	"""One counted result: a KUnit case, an integration test, or a failure."""
	name: str
	status: str		# 'pass', 'fail' or 'skip'
	detail: str = ''
	# What re-runs it: `make check KERNELS=kernel MODULE=module` (no
	# module: every module; kernel 'selftest': the harness self-test).
	kernel: str = ''
	module: str = ''


class Tally:
	"""Collects outcomes (from several VM slots) and prints them as they come."""

	def __init__(self) -> None:
		self.outcomes: List[Outcome] = []
		self.lock = threading.Lock()

	def add(self, outcome: Outcome) -> None:
		"""Record one outcome; print it unless it passed."""
		with self.lock:
			self._add(outcome)

	def _add(self, outcome: Outcome) -> None:
		self.outcomes.append(outcome)
		if outcome.status == 'fail':
			print(f'FAIL {outcome.name}')
			for line in outcome.detail.rstrip().splitlines()[-25:]:
				print(f'     {line}')
		elif outcome.status == 'skip':
			print(f'SKIP {outcome.name}: {outcome.detail}')
		else:
			print(f'ok   {outcome.name}')

	def count(self, status: str) -> int:
		"""How many outcomes have this status."""
		return sum(1 for o in self.outcomes if o.status == status)

	def reruns(self) -> List[str]:
		"""The commands that re-run what failed, one per module and kernel."""
		cmds = []
		for o in self.outcomes:
			if o.status != 'fail' or not o.kernel:
				continue
			if o.kernel == 'selftest':
				cmd = f'make check KERNELS={SELFTEST_KERNEL}   # includes the harness self-test'
			else:
				cmd = 'make check ' + ' '.join(filter(None, [
					f'MODULE={o.module}' if o.module else '', f'KERNELS={o.kernel}']))
			if cmd not in cmds:
				cmds.append(cmd)
		return cmds


@dataclasses.dataclass
class Unit:
	"""A module directory, or a harness self-test scenario laid out like one."""
	name: str
	modules: List[str]	# module names to load and unload
	kunit: List[Path]	# KUnit test modules
	tests: List[Path]	# integration test executables
	leakcheck: bool = True
	bpftrace: bool = False	# run the generic bpftrace one-liner on its modules
	# Crash tests (tests/crash-*): run "before" at the end of the boot,
	# which then dies (kl_crash), and "after" on the next boot.
	crash_tests: List[Path] = dataclasses.field(default_factory=list)


def step(msg: str) -> None:
	"""Print a progress line."""
	print(f'== {msg}', flush=True)


def sh(args: List[str], **kw) -> subprocess.CompletedProcess:
	"""Run a command, echoing it; raise with its output if it fails."""
	res = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
			     check=False, **kw)
	if res.returncode:
		raise vm.VmError(f'{shlex.join(args)} failed:\n{res.stdout[-4000:]}')
	return res


def module_units(selected: Optional[str]) -> List[Unit]:
	"""The module directories present (or the one selected), before building."""
	names = [d for d in MODULE_DIRS if (ROOT / d / 'Kbuild').exists()]
	if selected:
		if selected not in MODULE_DIRS:
			raise vm.VmError(f'MODULE={selected}: not one of {", ".join(MODULE_DIRS)}')
		if selected not in names:
			raise vm.VmError(f'MODULE={selected}: {selected}/Kbuild does not exist yet')
		names = [selected]
	units = []
	for name in names:
		# A test is a file of tests/ whose name has no dot: helpers are
		# named for their language (bellib.py, bt-workload.sh, seekdisk.c).
		# One that is not executable fails when it runs.
		tests = sorted(p for p in (ROOT / name / 'tests').glob('*')
			       if p.is_file() and '.' not in p.name)
		crash = [p for p in tests if p.name.startswith('crash-')]
		units.append(Unit(name, [], [], [p for p in tests if p not in crash], crash_tests=crash))
	return units


def source_files() -> List[str]:
	"""The tree's files as git sees them (tracked, or new and not ignored)."""
	files = sh(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
		   cwd=ROOT).stdout.split('\0')
	return [rel for rel in files if rel and (ROOT / rel).is_file()]


def copy_sources(dest: Path) -> None:
	"""Bring dest up to date with the tree's sources: copy the files that
	differ (with a new mtime, so that Kbuild rebuilds what they feed) and
	delete those the tree no longer has (listed in dest/.kl-sources by the
	last copy); build products are left for Kbuild to reuse."""
	manifest = dest / '.kl-sources'
	files = source_files()
	old = set(manifest.read_text().split('\0')) if manifest.exists() else set()
	for rel in sorted(old - set(files) - {''}):
		(dest / rel).unlink(missing_ok=True)
	for rel in files:
		src, dst = ROOT / rel, dest / rel
		if dst.exists() and filecmp.cmp(src, dst, shallow=False):
			continue
		dst.parent.mkdir(parents=True, exist_ok=True)
		shutil.copy(src, dst)
	manifest.write_text('\0'.join(files))


def build_tree(kernel: vm.Kernel) -> Path:
	"""Where the modules are built for a debug kernel: a copy of the tree
	of its own, so that two kernels' builds never share an object file."""
	return BUILD / 'kbuild' / kernel.name


def kbuild(kdir: Path, src: Path) -> subprocess.CompletedProcess:
	"""Build the modules in src against kdir with W=1, warnings as errors."""
	return sh([*vm.NICE, 'make', '-C', str(kdir), f'M={src}', 'W=1', 'KCFLAGS=-Werror',
		   f'-j{os.cpu_count()}', 'modules'])


def loaded_by_default(module: str) -> bool:
	"""Benchmark modules (*_bench) and test aids (*_inject) are loaded by
	their benchmarks and tests only."""
	return not module.endswith(('_bench', '_inject'))


def built_modules(tree: Path, unit: Unit) -> List[Path]:
	"""The .ko files Kbuild produced in tree for a unit, found in its
	modules.order."""
	order = tree / unit.name / 'modules.order'
	if not order.exists():
		return []
	return [tree / unit.name / Path(line.strip()).with_suffix('.ko').name
		for line in order.read_text().splitlines() if line.strip()]


def kunit_modules(tree: Path, unit: Unit) -> List[Path]:
	"""KUnit test modules for a unit: kunit/<unit>_kunit.ko."""
	ko = tree / 'kunit' / f'{unit.name}_kunit.ko'
	return [ko] if ko.exists() else []


def plan(units: List[Unit], install: str, leakcheck: bool) -> str:
	"""The guest script that runs every unit's steps through check-lib.sh."""
	lines = [f'. {shlex.quote(str(vm.VM_DIR / "check-lib.sh"))}', 'kl_begin_run', install]
	for unit in units:
		lines.append(f'kl_unit {shlex.quote(unit.name)}')
		lines += [f'kl_kunit {ko.stem}' for ko in unit.kunit]
		lines += [f'kl_load {m}' for m in unit.modules]
		lines += [f'kl_test {shlex.quote(str(t))}' for t in unit.tests]
		lines += [f'kl_bpftrace {m}' for m in unit.modules if unit.bpftrace]
		lines += [f'kl_unload {m}' for m in reversed(unit.modules)]
		if leakcheck and unit.leakcheck:
			lines.append('kl_leakcheck')
	# Crash tests come last: the boot ends with their crash.
	for unit in (u for u in units if u.crash_tests):
		lines.append(f'kl_unit {shlex.quote(unit.name)}')
		lines += [f'kl_test {shlex.quote(str(t))} before' for t in unit.crash_tests]
	lines.append('kl_end_run')
	if any(u.crash_tests for u in units):
		lines.append('kl_crash')
	return '\n'.join(lines) + '\n'


def kunit_parse(ksrc: Path, ktap: Path) -> Dict:
	"""Parse one suite's debugfs results with the kernel's kunit.py."""
	out = ktap.with_suffix('.json')
	res = subprocess.run([sys.executable, str(ksrc / 'tools/testing/kunit/kunit.py'), 'parse',
			      f'--json={out}', str(ktap)],
			     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
	if not out.exists():
		raise vm.VmError(f'kunit.py parse {ktap} wrote no JSON:\n{res.stdout}')
	return json.loads(out.read_text())


def _kunit_cases(group: Dict, prefix: str):
	"""Yield (name, status) for every leaf case in kunit.py's JSON."""
	for case in group.get('test_cases', []):
		yield f'{prefix}{case["name"]}', case['status']
	for sub in group.get('sub_groups', []):
		yield from _kunit_cases(sub, f'{prefix}{sub["name"]}.')


def _tail(path: Path, lines: int = 20) -> str:
	try:
		return '\n'.join(path.read_text(errors='replace').splitlines()[-lines:])
	except FileNotFoundError:
		return ''


def test_outcomes(name: str, base: Path) -> List[Outcome]:
	"""An integration test's outcomes, from base.rc and base.tap: one per
	check it reported ("name: check"), and one for the program (name),
	which fails if its exit status disagrees with its checks (0 with a
	"not ok", or any other status but kselftest's 1 and 4), if its plan
	is not met, or if it reported no check at all; the reasons are part of
	its name. Exit status 4 (KSFT_SKIP) with no failed check is a skip."""
	rc_file = Path(f'{base}.rc')
	if not rc_file.exists():
		return [Outcome(name, 'fail', 'did not run')]
	rc = int(rc_file.read_text())
	tap_file = Path(f'{base}.tap')
	run = tap.read(tap_file.read_text(errors='replace') if tap_file.exists() else '')
	out = [Outcome(f'{name}: {check}', status, (diag or _tail(tap_file)) if status == 'fail' else '')
	       for check, status, diag in run.results]
	failed = run.count('fail')
	if rc == KSFT_SKIP and not failed:
		return out + [Outcome(name, 'skip', run.skip_reason or _tail(tap_file, 1))]
	reasons = []
	if STALL_NOTE in _tail(tap_file, 5):
		reasons.append('stopped: it stalled')
	if rc == 0 and failed:
		reasons.append(f'exit status 0, but {failed} not ok')
	elif rc != 0 and not failed:
		reasons.append(f'exit status {rc}, but no check failed')
	elif rc not in (0, 1):
		reasons.append(f'exit status {rc}')
	reasons += run.problems
	if not run.results and not run.problems:
		reasons.append('no check reported')
	if reasons:
		return out + [Outcome(f'{name} ({"; ".join(reasons)})', 'fail', _tail(tap_file))]
	return out + [Outcome(name, 'pass')]


def judge(label: str, res: vm.VmResult, units: List[Unit], ksrc: Path,
	  release: str) -> List[Outcome]:
	"""Turn what a VM run left behind into outcomes."""
	out: List[Outcome] = []
	results = res.out / 'results'
	log = (res.out / 'dmesg').read_text(errors='replace') if (res.out / 'dmesg').exists() \
		else res.console

	failure = res.failure()
	if failure:
		out.append(Outcome(f'{label}: {failure}, during {logscan.last_step(res.console)}', 'fail',
				   res.vcpus + '\n' + logscan.stall_lines(res.console, 40) if res.hung
				   else logscan.first_splat_lines(res.console, 25)))
	elif res.status != 0 or not (results / 'complete').exists():
		out.append(Outcome(f'{label}: the test plan stopped early (status {res.status})', 'fail',
				   _tail(res.out / 'output')))

	steps = (results / 'steps.tsv').read_text().splitlines() if (results / 'steps.tsv').exists() else []
	for row in steps:
		name, status, detail = (row.split('\t') + ['', ''])[:3]
		if status != '0':
			out.append(Outcome(f'{label}: {name} failed (exit {status})', 'fail',
					   _tail(Path(detail.replace('/run/kl-out', str(res.out))))))

	for unit in units:
		for ko in unit.kunit:
			suites_file = results / 'kunit' / f'{ko.stem}.suites'
			if not suites_file.exists():
				out.append(Outcome(f'{label}: {unit.name}: {ko.name} did not run', 'fail'))
				continue
			suites = suites_file.read_text().split()
			if not suites:
				out.append(Outcome(f'{label}: {unit.name}: {ko.name} registered no KUnit suite',
						   'fail', _tail(results / 'steps' / f'kunit-{ko.stem}.txt')))
			for suite in suites:
				ktap = results / 'kunit' / f'{suite}.ktap'
				cases = list(_kunit_cases(kunit_parse(ksrc, ktap), ''))
				if not cases:
					out.append(Outcome(f'{label}: kunit {suite}: no test case parsed', 'fail',
							   _tail(ktap)))
				for case, status in cases:
					verdict = {'PASS': 'pass', 'SKIP': 'skip'}.get(status, 'fail')
					out.append(Outcome(f'{label}: kunit {case}', verdict,
							   _tail(ktap, 40) if verdict == 'fail' else 'skipped'))
		for test in unit.tests:
			out += test_outcomes(f'{label}: {unit.name}/tests/{test.name}',
					     results / 'tests' / f'{unit.name}--{test.name}')
		for test in unit.crash_tests:
			out += test_outcomes(f'{label}: {unit.name}/tests/{test.name} before the crash',
					     results / 'tests' / f'{unit.name}--{test.name}.before')

	dkms_status = results / 'dkms-status.txt'
	if dkms_status.exists():
		text = dkms_status.read_text(errors='replace')
		installed = re.search(rf'^{DKMS_NAME}/[^,]+, {re.escape(release)}, x86_64: installed$',
				      text, re.M)
		out.append(Outcome(f'{label}: dkms status: {DKMS_NAME} installed for {release}',
				   'pass' if installed else 'fail', text))

	for where, msg in logscan.splats(log):
		out.append(Outcome(f'{label}: {msg} (during {where})', 'fail'))
	for report in sorted((results / 'leaks').glob('*.txt')) if (results / 'leaks').exists() else []:
		text = report.read_text(errors='replace')
		leaks = text.count('unreferenced object')
		if leaks:
			out.append(Outcome(f'{label}: kmemleak: {leaks} leaked object(s) after {report.stem}',
					   'fail', '\n'.join(text.splitlines()[:20])))
	return out


def run_units(label: str, kernel: vm.Kernel, units: List[Unit], install: str,
	      ksrc: Path, leakcheck: bool, out_name: str = '',
	      stall_quiet_s: float = vm.STALL_QUIET_S) -> List[Outcome]:
	"""Boot kernel once, run every unit's steps (then the crash tests'
	second boot, if any) and judge; out_name names the output directory
	(default: label); stall_quiet_s is the hang watchdog's quiet time."""
	out_dir = BUILD / 'check' / (out_name or label)
	shutil.rmtree(out_dir, ignore_errors=True)
	names = ', '.join(u.name for u in units)
	step(f'{label}: booting {kernel.release} for {names}; log in {out_dir}')
	scratch = out_dir / 'scratch.img' if any(u.crash_tests for u in units) else None
	res = vm.run(kernel, plan(units, install, leakcheck), out_dir, BOOT_LIMIT_S, scratch=scratch,
		     watchdog=stall_quiet_s)
	outcomes = judge(label, res, units, ksrc, kernel.release)
	step(f'{label}: {names}: VM ran {res.elapsed:.0f} s'
	     + (f', {res.stalls} stalled test(s) stopped' if res.stalls else ''))
	if scratch and res.failure():
		scratch.unlink(missing_ok=True)
		outcomes += [Outcome(f'{label}: {u.name}/tests/{t.name} after the crash', 'fail',
				     'did not run: the boot before the crash failed')
			     for u in units for t in u.crash_tests]
	elif scratch:
		outcomes += after_crash(label, kernel, units, scratch, ksrc, out_dir.name)
	for o in outcomes:
		o.kernel = o.kernel or kernel.name
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
	lines = [f'. {shlex.quote(str(vm.VM_DIR / "check-lib.sh"))}', 'kl_begin_run']
	for unit in (u for u in units if u.crash_tests):
		lines.append(f'kl_unit {shlex.quote(unit.name)}')
		lines += [f'kl_test {shlex.quote(str(t))} after' for t in unit.crash_tests]
	lines.append('kl_end_run')
	res = vm.run(kernel, '\n'.join(lines) + '\n', out_dir, BOOT_LIMIT_S, scratch=scratch,
		     watchdog=vm.STALL_QUIET_S)
	scratch.unlink(missing_ok=True)
	step(f'{label}: VM ran {res.elapsed:.0f} s after the crash')
	outcomes = judge(f'{label} after the crash', res, [], ksrc, kernel.release)
	for unit in units:
		for test in unit.crash_tests:
			outcomes += test_outcomes(f'{label}: {unit.name}/tests/{test.name} after the crash',
						  res.out / 'results' / 'tests' / f'{unit.name}--{test.name}.after')
	return outcomes


def kernel_source() -> Path:
	"""The unpacked linux-source-6.1 tree (for kunit.py and checkpatch.pl)."""
	res = sh([str(ROOT / 'scripts' / 'kernel' / 'source-tree')])
	return Path(res.stdout.strip().splitlines()[-1])


# The harness self-test: each scenario plants failures and lists what the
# verdict must then contain. The test "stall" sleeps, silent: the watchdog
# must stop it and let the boot go on ("pass" runs after it). The test
# "hang" loads kl_selftest_hang, whose init never returns: no signal ends
# that child of the test's timeout(1), and the boot must end as a hang.
# Both wait only SELFTEST_QUIET_S for the watchdog: what they prove does not
# depend on how long it waits, and nothing else in these boots waits idle
# and silent that long.
SELFTEST_QUIET_S = 12
SELFTEST_SCENARIOS = {
	'failures': {
		'tests': ['stall', 'pass', 'fail', 'notok-exit0', 'plan-short', 'warn', 'leak'],
		'expect_fail': [r'kunit kl_selftest\.kl_selftest_fails',
				r'selftest/tests/fail: planted failure$',
				r'selftest/tests/notok-exit0: planted failure under exit status 0$',
				r'selftest/tests/notok-exit0 \(exit status 0, but 1 not ok\)$',
				r'selftest/tests/plan-short \(plan 1\.\.3, 2 results\)$',
				r'selftest/tests/stall \(stopped: it stalled; ',
				r'WARNING: .*kl_selftest_warn.* \(during selftest/test warn\)',
				r'kmemleak: [1-9][0-9]* leaked object\(s\) after selftest'],
		'expect_pass': [r'kunit kl_selftest\.kl_selftest_passes', r'selftest/tests/pass$',
				r'selftest/tests/pass: uname reports Linux$', r'selftest/tests/fail$',
				r'selftest/tests/plan-short: second of three$'],
	},
	'panic': {
		'tests': ['panic'],
		'expect_fail': [r'guest panic: Kernel panic - not syncing: kl_selftest: deliberate panic, '
				r'during selftest/test panic',
				r'selftest/tests/panic$'],
		'expect_pass': [],
	},
	'hang': {
		'tests': ['hang'],
		'expect_fail': [r'guest hang: no progress .*, during selftest/test hang',
				r'selftest/tests/hang$'],
		'expect_pass': [],
	},
}


def selftest_jobs(kernel: vm.Kernel, ksrc: Path) -> Dict[str, Callable[[], List[Outcome]]]:
	"""Build the planted failures; one job per scenario, each proving that
	its kind of failure turns the verdict red and says why (a failed
	build fails the self-test alone)."""
	step('harness self-test: building the planted failures')
	try:
		kbuild(kernel.build, SELFTEST_DIR)
	except vm.VmError as err:
		failure = Outcome('harness-selftest: build', 'fail', str(err), kernel='selftest')
		return {'build': lambda: [failure]}
	return {scenario: lambda scenario=scenario, spec=spec: _selftest(kernel, ksrc, scenario, spec)
		for scenario, spec in SELFTEST_SCENARIOS.items()}


def _selftest(kernel: vm.Kernel, ksrc: Path, scenario: str, spec: Dict) -> List[Outcome]:
	kunit = [SELFTEST_DIR / 'kl_selftest_kunit.ko'] if scenario == 'failures' else []
	tests = [SELFTEST_DIR / 'tests' / t for t in spec['tests']]
	unit = Unit('selftest', [], kunit, tests)
	install = f'export KL_SELFTEST={shlex.quote(str(SELFTEST_DIR))}\n'
	install += ''.join(f'kl_install_ko {shlex.quote(str(ko))}\n' for ko in kunit)
	outcomes = run_units(f'selftest-{scenario}', kernel, [unit], install, ksrc, True,
			     stall_quiet_s=SELFTEST_QUIET_S)
	failed = [o.name for o in outcomes if o.status == 'fail']
	passed = [o.name for o in outcomes if o.status == 'pass']
	out = []
	for pattern in spec['expect_fail']:
		caught = any(re.search(pattern, name) for name in failed)
		out.append(Outcome(f'harness-selftest: {scenario}: reported as failure: {pattern}',
				   'pass' if caught else 'fail', 'verdict was:\n' + '\n'.join(failed + passed)))
	for pattern in spec['expect_pass']:
		ok = any(re.search(pattern, name) for name in passed)
		out.append(Outcome(f'harness-selftest: {scenario}: counted as pass: {pattern}',
				   'pass' if ok else 'fail', 'passes were:\n' + '\n'.join(passed)))
	# Nothing beyond the planted failures may go wrong.
	unexpected = [n for n in failed if not any(re.search(p, n) for p in spec['expect_fail'])]
	out.append(Outcome(f'harness-selftest: {scenario}: no failure beyond the planted ones',
			   'fail' if unexpected else 'pass', '\n'.join(unexpected)))
	for o in out:
		o.kernel = 'selftest'
	return out


def dkms_version() -> str:
	"""PACKAGE_VERSION from dkms.conf."""
	match = re.search(r'^PACKAGE_VERSION="?([^"\n]+)"?', (ROOT / 'dkms.conf').read_text(), re.M)
	if not match:
		raise vm.VmError('dkms.conf has no PACKAGE_VERSION')
	return match.group(1)


def dkms_build(kernel: vm.Kernel, base: Path, env: Dict[str, str]) -> Tuple[str, Path]:
	"""dkms add + build for a stock kernel in a private DKMS tree under
	base, env added to make's environment; return the package's arguments
	for kl_dkms_install (NAME VERSION DKMSTREE SOURCETREE) and where dkms
	keeps the build (module/, log/make.log). The host's /var/lib/dkms is
	not touched."""
	version = dkms_version()
	tree, srctree = base / 'tree', base / 'src'
	pkg_src = srctree / f'{DKMS_NAME}-{version}'
	if not (kernel.build / 'Makefile').exists():
		raise vm.VmError(f'no headers for {kernel.release}: apt-get install linux-headers-{kernel.release}')
	shutil.rmtree(pkg_src, ignore_errors=True)
	shutil.rmtree(tree / DKMS_NAME / version / kernel.release, ignore_errors=True)
	pkg_src.parent.mkdir(parents=True, exist_ok=True)
	tree.mkdir(parents=True, exist_ok=True)
	for rel in source_files():
		(pkg_src / rel).parent.mkdir(parents=True, exist_ok=True)
		shutil.copy2(ROOT / rel, pkg_src / rel)
	opts = ['--dkmstree', str(tree), '--sourcetree', str(srctree)]
	if not (tree / DKMS_NAME / version / 'source').exists():
		sh(['dkms', 'add', '-m', DKMS_NAME, '-v', version, *opts])
	# DKMS passes the environment to make: warnings in our code fail here
	# too, though not in a user's build.
	sh([*vm.NICE, 'dkms', 'build', '-m', DKMS_NAME, '-v', version, '-k', kernel.release, '--force', *opts],
	   env={**os.environ, 'KCFLAGS': '-Werror', **env})
	return (shlex.join([DKMS_NAME, version, str(tree), str(srctree)]),
		tree / DKMS_NAME / version / kernel.release / 'x86_64')


def test_aids(unit: Unit) -> List[str]:
	"""The modules a directory's Kbuild lists in obj-m that only its tests
	and benchmark load (not loaded_by_default()), which the DKMS package
	leaves out."""
	kbuild_file = (ROOT / unit.name / 'Kbuild').read_text()
	objs = ' '.join(re.findall(r'^obj-m\s*\+=(.*)$', kbuild_file, re.M))
	return [m for m in re.findall(r'(\w+)\.o\b', objs) if not loaded_by_default(m)]


def install_step(kernel: vm.Kernel, units: List[Unit]) -> str:
	"""Build the units' modules for kernel and fill in unit.modules (and,
	on the debug kernel, unit.kunit); return the guest step installing them.

	A debug kernel gets a plain Kbuild build with W=1 -Werror (in
	build_tree()), installed in the guest as `make install` would; Debian's
	kernels get the DKMS package, which installs one module per directory,
	named after it, and the test aids it leaves out (test_aids()) from a
	Kbuild build against the same headers.
	"""
	if not units:
		return ''
	tree = build_tree(kernel)
	if vm.is_debug(kernel):
		step(f'{kernel.name} ({kernel.release}): building modules with W=1 -Werror in {tree}')
		copy_sources(tree)
		kbuild(kernel.build, tree)
		kos: List[Path] = []
		for unit in units:
			built = built_modules(tree, unit)
			unit.modules = [ko.stem for ko in built if loaded_by_default(ko.stem)]
			unit.kunit = kunit_modules(tree, unit)
			kos += built + unit.kunit
		return 'kl_install_ko ' + ' '.join(shlex.quote(str(k)) for k in kos) if kos else ''
	step(f'{kernel.name} ({kernel.release}): dkms build')
	package, _ = dkms_build(kernel, vm.CACHE / 'dkms', {})
	install = f'kl_dkms_install {package}'
	aids = [(unit, test_aids(unit)) for unit in units]
	aids = [(unit, names) for unit, names in aids if names]
	if aids:
		step(f'{kernel.name} ({kernel.release}): building the test aids with W=1 -Werror in {tree}')
		copy_sources(tree)
	kos = []
	for unit, names in aids:
		out = kbuild(kernel.build, tree / unit.name).stdout
		for name in names:
			ko = tree / unit.name / f'{name}.ko'
			if not ko.exists():
				raise vm.VmError(f'Kbuild did not build {ko}:\n{out[-2000:]}')
			kos.append(ko)
	for unit in units:
		unit.modules = [unit.name]
	return install + ('\nkl_install_ko ' + ' '.join(shlex.quote(str(k)) for k in kos) if kos else '')


def style_check(tally: Tally) -> None:
	"""make style."""
	res = subprocess.run([*vm.NICE, str(ROOT / 'scripts' / 'style')], stdout=subprocess.PIPE,
			     stderr=subprocess.STDOUT, text=True, check=False)
	tally.add(Outcome('style: checkpatch.pl --strict, codespell', 'fail' if res.returncode else 'pass',
			  res.stdout))


def sparse_check(kernel: vm.Kernel, tally: Tally) -> None:
	"""sparse over every module built against a debug kernel, in its
	build_tree()."""
	res = subprocess.run([*vm.NICE, 'make', '-C', str(kernel.build), f'M={build_tree(kernel)}', 'C=2',
			      'CHECK=sparse', 'W=1', 'KCFLAGS=-Werror', f'-j{os.cpu_count()}', 'modules'],
			     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
	complaints = [line for line in res.stdout.splitlines() if re.search(r': (warning|error):', line)]
	tally.add(Outcome(f'sparse: make C=2 against {kernel.name}',
			  'fail' if res.returncode or complaints else 'pass',
			  '\n'.join(complaints) or res.stdout[-2000:], kernel=kernel.name))


@dataclasses.dataclass
class StockRun:
	"""One of Debian's kernels, its DKMS package built, ready to boot."""
	name: str
	kernel: Optional[vm.Kernel]
	units: List[Unit]
	install: str
	error: str = ''
	# The host half of the partial package's test, and whether the guest
	# runs its other half (partial_package()).
	partial: Optional[Outcome] = None
	partial_test: bool = False


def partial_package(kernel: vm.Kernel, units: List[Unit]) -> Tuple[Outcome, str]:
	"""Build the package for kernel as if PARTIAL_SKIPS' private headers
	were missing (their search pointed at an empty directory): the build
	must succeed, its make.log give a reason for each of those modules
	and for no other, and it must hold every other module. Return that
	outcome and the guest steps running PARTIAL_TEST on it, to come before
	the real package is installed (the test installs and uninstalls it)."""
	base = vm.CACHE / 'dkms-partial'
	(base / 'empty').mkdir(parents=True, exist_ok=True)
	name = (f'{kernel.name}: dkms build without private headers: '
		f'{", ".join(PARTIAL_SKIPS)} skipped with a reason, the others built')
	step(f'{kernel.name} ({kernel.release}): dkms build without private headers')
	try:
		package, built = dkms_build(kernel, base, {var: str(base / 'empty')
							   for var in PARTIAL_SKIPS.values()})
	except vm.VmError as err:
		return Outcome(name, 'fail', str(err), kernel=kernel.name), ''
	reasons = re.findall(r'^kernlabs: (\w+) not built: .+$', (built / 'log' / 'make.log').read_text(), re.M)
	have = sorted(ko.name.split('.')[0] for ko in (built / 'module').glob('*.ko*'))
	want = sorted(u.name for u in units if u.name not in PARTIAL_SKIPS)
	ok = sorted(reasons) == sorted(PARTIAL_SKIPS) and have == want
	guest = (f'kl_unit dkms\nKL_DKMS_PARTIAL={shlex.quote(package)} '
		 f'KL_DKMS_SKIPPED={shlex.quote(" ".join(PARTIAL_SKIPS))} kl_test {shlex.quote(str(PARTIAL_TEST))}\n'
		 'kl_unit boot\n')
	return Outcome(name, 'pass' if ok else 'fail',
		       f'skipped with a reason in {built}/log/make.log: {reasons}\n'
		       f'built: {have}\nexpected: {want}', kernel=kernel.name), guest


def prepare_stock(name: str, units: List[Unit], partial: bool) -> StockRun:
	"""Find one of Debian's kernels and build the DKMS package for it (and
	the partial package too, if partial)."""
	stock_units = [Unit(u.name, [], [], u.tests, leakcheck=False, bpftrace=True,
			    crash_tests=u.crash_tests) for u in units]
	try:
		stock_units = cut_units(stock_units, STOCK_TESTS[name], f'STOCK_TESTS[{name!r}]')
		kernel = vm.find_kernel(name)
		install = install_step(kernel, stock_units) if stock_units else ''
	except vm.VmError as err:
		return StockRun(name, None, stock_units, '', str(err))
	run = StockRun(name, kernel, stock_units, install)
	if partial and stock_units:
		run.partial, guest = partial_package(kernel, stock_units)
		run.partial_test = bool(guest)
		run.install = guest + install
	return run


def run_stock(run: StockRun, ksrc: Path) -> List[Outcome]:
	"""Boot one of Debian's kernels once for every module; its outcomes."""
	if run.error or run.kernel is None:
		return [Outcome(f'{run.name}: harness', 'fail', run.error, kernel=run.name)]
	if not run.units:
		return [Outcome(f'{run.name}: DKMS install and integration tests', 'skip',
				'no module directory exists yet')]
	outcomes = run_units(run.name, run.kernel, run.units, run.install, ksrc, False)
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
	"""Runs VM jobs VM_SLOTS at a time; each job's outcomes reach the tally
	as soon as it ends, and its time is kept to order the next run's jobs."""

	def __init__(self, tally: Tally) -> None:
		self.tally = tally
		self.pool = concurrent.futures.ThreadPoolExecutor(VM_SLOTS)
		self.futures: List[concurrent.futures.Future] = []
		self.took = durations()

	def submit(self, name: str, job: Callable[[], List[Outcome]], kernel: str, module: str) -> None:
		"""Queue job; a harness error in it fails it, not the run."""
		def run() -> None:
			start = time.monotonic()
			try:
				outcomes = job()
			except Exception as err:	# pylint: disable=broad-except
				outcomes = [Outcome(f'{name}: harness', 'fail', repr(err), kernel=kernel,
						    module=module)]
			self.took[name] = round(time.monotonic() - start)
			for o in outcomes:
				self.tally.add(o)
		self.futures.append(self.pool.submit(run))

	def cancel(self) -> None:
		"""Drop the jobs not yet begun (make check was interrupted)."""
		self.pool.shutdown(wait=False, cancel_futures=True)

	def wait(self) -> None:
		"""Wait for every job begun; keep their times."""
		self.pool.shutdown()
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


def cut_units(units: List[Unit], keep_of: Dict[str, Optional[Tuple[str, ...]]],
	      table: str) -> List[Unit]:
	"""The units with each module's tests cut to what keep_of (named table)
	lists for it (None or no entry: all)."""
	out = []
	for unit in units:
		keep = keep_of.get(unit.name)
		if keep is None:
			out.append(unit)
			continue
		missing = set(keep) - {t.name for t in unit.tests + unit.crash_tests}
		if missing:
			raise vm.VmError(f'{table} names tests {unit.name}/tests/ does not have: '
					 f'{", ".join(sorted(missing))}')
		out.append(dataclasses.replace(unit, tests=[t for t in unit.tests if t.name in keep],
					       crash_tests=[t for t in unit.crash_tests if t.name in keep]))
	return out


def debug_units(kernel: vm.Kernel, units: List[Unit]) -> List[Unit]:
	"""The units as a debug kernel runs them: on 6.1, each module's tests
	cut to DEBUG_61_TESTS."""
	if kernel.name != 'debug-6.1':
		return units
	return cut_units(units, DEBUG_61_TESTS, 'DEBUG_61_TESTS')


def submit_debug(kernel: vm.Kernel, units: List[Unit], ksrc: Path, slots: 'Slots', tally: Tally,
		 selftest: bool) -> None:
	"""Build the modules for a debug kernel, run sparse, and queue one boot
	per module (and the self-test's, if asked)."""
	name = kernel.name
	units = debug_units(kernel, [dataclasses.replace(u) for u in units])
	install = install_step(kernel, units)
	if units:
		sparse_check(kernel, tally)
	jobs = [(f'{name}/{u.name}',
		 lambda u=u: run_units(name, kernel, [u], install, ksrc, True, f'{name}-{u.name}'), u.name)
		for u in units]
	if selftest:
		jobs += [(f'selftest/{job_name}', job, '') for job_name, job in selftest_jobs(kernel, ksrc).items()]
	# Longest first, as long as they took last time (a module not timed
	# yet first of all), so that the slots finish together.
	jobs.sort(key=lambda j: -slots.took.get(j[0], BOOT_LIMIT_S))
	for job_name, job, module in jobs:
		slots.submit(job_name, job, name, module)


def main(argv: List[str]) -> int:
	"""Entry point of scripts/check."""
	import argparse
	parser = argparse.ArgumentParser(description='Run every kernlabs test in the test VM.')
	parser.add_argument('--module', help='only this module directory')
	parser.add_argument('--no-selftest', action='store_true', help='skip the harness self-test')
	parser.add_argument('--kernels', default=','.join(vm.ALL_KERNELS),
			    help='comma-separated kernels to test')
	args = parser.parse_args(argv)

	tally = Tally()
	slow = None
	slots = Slots(tally)
	builds = concurrent.futures.ThreadPoolExecutor(len(vm.DEBUG_KERNELS))
	try:
		if os.environ.get('KL_SLOW', '1') not in ('', '1'):
			slow = SlowHost(os.environ['KL_SLOW'])
		ksrc = kernel_source()
		units = module_units(args.module)
		kernels = args.kernels.split(',')
		unknown = [k for k in kernels if k not in vm.ALL_KERNELS]
		if unknown:
			raise vm.VmError(f'KERNELS: {", ".join(unknown)}: not one of {", ".join(vm.ALL_KERNELS)}')
		# The debug kernels build (or are found built) side by side, at
		# the lowest priority, while Debian's kernels boot; each one's
		# modules are built and its boots queued as soon as it is ready.
		wanted = [name for name in vm.DEBUG_KERNELS if name in kernels]
		if len(wanted) > 1 and 'KL_JOBS' not in os.environ:
			# Two kernels building at once share the CPUs (and memory).
			os.environ['KL_JOBS'] = str(max(1, (os.cpu_count() or 1) // len(wanted)))
		debug = {builds.submit(vm.find_kernel, name): name for name in wanted}
		for name in debug.values():
			step(f'{name} kernel: build or reuse')
		# Each of Debian's kernels boots as soon as its packages are
		# built; the partial package is tested in a whole run only.
		for name in (k for k in kernels if k in vm.STOCK_KERNELS):
			run = prepare_stock(name, units, not args.module and name == PARTIAL_KERNEL)
			slots.submit(run.name, lambda run=run: run_stock(run, ksrc), run.name, args.module or '')
		style_check(tally)
		for future in concurrent.futures.as_completed(debug):
			name = debug[future]
			try:
				kernel = future.result()
			except vm.VmError as err:
				tally.add(Outcome(f'{name}: harness', 'fail', str(err), kernel=name))
				continue
			try:
				submit_debug(kernel, units, ksrc, slots, tally,
					     not args.no_selftest and not args.module and name == SELFTEST_KERNEL)
			except vm.VmError as err:
				# One kernel's failed build costs only its own tests.
				tally.add(Outcome(f'{name}: harness', 'fail', str(err), kernel=name))
	except vm.VmError as err:
		tally.add(Outcome('harness', 'fail', str(err)))
	except BaseException:
		slots.cancel()
		builds.shutdown(wait=False, cancel_futures=True)
		raise
	finally:
		builds.shutdown()
		slots.wait()
		if slow:
			slow.close()

	reruns = tally.reruns()
	if reruns:
		print('Re-run what failed with:')
		for cmd in reruns:
			print(f'  {cmd}')
	skipped = tally.count('skip')
	print(f'{tally.count("pass")} passed, {tally.count("fail")} failed'
	      + (f', {skipped} skipped' if skipped else ''))
	return 1 if tally.count('fail') or not tally.count('pass') else 0
