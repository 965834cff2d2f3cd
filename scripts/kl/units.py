# SPDX-License-Identifier: GPL-2.0
"""What `make check` runs where: the module directories (MODULES) and
their tests as units (Unit, module_units()), what each kernel runs of them
(DEBUG_61_TESTS, KCSAN_TESTS, STOCK_TESTS, cut_units(), debug_units()), and plan(), the
guest script that runs a boot's units through scripts/vm/check-lib.sh.
"""

import dataclasses
import re
import shlex
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from . import vm

ROOT = vm.ROOT


def _read_modules(path: Path) -> Tuple[str, ...]:
	"""The modules MODULES lists: the first word of each line that begins
	with a name (as Kbuild's awk and dkms.conf read it); any other line
	that is not a comment or blank, or a carriage return, is an error, so
	that the three readers cannot disagree."""
	names = []
	for number, line in enumerate(path.read_text().split('\n'), 1):
		if re.match(r'[a-z][a-z0-9_]*( |$)', line) and '\r' not in line:
			names.append(line.split()[0])
		elif line.strip() and not line.startswith('#'):
			raise ValueError(f'{path}:{number}: not a module line: {line!r}')
	return tuple(names)


# The modules, from MODULES.
MODULE_DIRS = _read_modules(ROOT / 'MODULES')
# The DKMS package's name (dkms.conf's PACKAGE_NAME): dkms.py builds it,
# judge.py looks for it in `dkms status`.
DKMS_NAME = 'kernlabs'

# What the 6.1 debug kernel runs of each module besides its KUnit suite,
# load, unload and leak check (None: every integration test): the tests
# that reach code only 6.1 (and 6.12) compile, so that every compat branch
# runs under KASAN and lockdep somewhere. The 7.3 debug kernel runs every
# test; Documentation/testing.rst has the table.
DEBUG_61_TESTS: Dict[str, Optional[Tuple[str, ...]]] = {
	# insert_requests(at_head) and depth_updated() per hctx (every I/O and
	# switch), the per-word shallow depth (async-depth checks its value),
	# RQF_ELVPRIV's unprepared arm (flushes on kl-anticipatory: ext4),
	# anticipation through the icq (counters), elevator_alloc() in
	# init_sched() and the iosched tunables (tunables), the insert hook's
	# allocation failure (fault-injection), BLK_MQ_F_SHOULD_MERGE and the
	# rotational flag of the test disk (seekdisk); and 6.1's elevator
	# lifecycle, which 7.3 changed most, under I/O and teardown: switching
	# under load, removing the disk, unloading, a zoned disk. Not here:
	# fio-verify and bpftrace-script, the data path and tracepoints, which
	# the tests above reach too (Debian's 6.1 runs both).
	'blk_elevator': ('async-depth', 'counters', 'ext4', 'fault-injection', 'remove-device',
			 'seekdisk', 'switch-under-load', 'tunables', 'unload', 'zoned'),
	# ->d_revalidate(dentry, flags), s_d_op, dumpability from task->mm,
	# and every mount: each test but two. Not here: stress, whose walks
	# reach the lookups and rows the others reach (the KCSAN kernel and
	# Debian's run it), and open-memory, whose accounting has no compat
	# code; on this machine the two took 184 s of the 6.1 boot.
	'namespacefs': ('command-line', 'fault-injection', 'lsns-match', 'ns-id', 'read-only', 'unload',
			'userns-mount', 'visibility'),
	# The CFS model fed live (6.1 has no EEVDF): its picks and vruntimes
	# (weight-ratio), START_DEBIT forks and relative-vruntime migrations
	# (controls' perf bench), grouped tasks left out (grouped). Not here:
	# latency-agreement and bpftrace-script (bpftrace and perf beside the
	# same probes; Debian's 6.1 runs every sched_lab test), unload and
	# fault-injection (debugfs and seq_file, no compat code).
	'sched_lab': ('controls', 'grouped', 'weight-ratio'),
	# register_shrinker(): its failure path, and a scan (drop_caches).
	'pagecache_lab': ('fault-injection', 'writeback'),
	# ring_buffer_unlock_commit(buffer, event), in the benchmark module.
	'printk_ring': ('bench-module',),
	# rdmsrl_safe_on_cpu(), cpuid() from <asm/processor.h>, and
	# handle_guest_split_lock() called as an export.
	'split_lock': ('status', 'detector-inject'),
}

# What the KCSAN kernel runs of each module besides its KUnit suite (the
# multi-threaded cases: printk_ring's stress writers on every CPU,
# split_lock's recorders), load, unload and leak check: the tests in which
# several CPUs reach the module at once, so that a data race in it can be
# seen. KCSAN needs both vCPUs running at the same time (vm.tcg_threads()).
KCSAN_TESTS: Dict[str, Optional[Tuple[str, ...]]] = {
	# Writers and readers of the log, printk's own writers through the
	# mirror, and a reader blocked while the module goes away.
	'printk_ring': ('log-concurrent', 'mirror-printk', 'rmmod-blocked-reader'),
	# Elevator switches and a disk removed under fio (two jobs).
	'blk_elevator': ('switch-under-load', 'remove-device'),
	# Writers, a reader and the flusher on one small cache; write-back
	# beside an uncached write.
	'pagecache_lab': ('concurrent', 'writeback', 'uncached-write'),
	# Walks while namespaces come and go.
	'namespacefs': ('stress',),
	# The tracepoint probes on both CPUs under perf bench sched
	# messaging, and attached and detached under it.
	'sched_lab': ('attach-under-load', 'controls'),
	# The cost meter's attacker and victim on two CPUs, and two runs
	# asked for at once.
	'split_lock': ('cost-meter',),
}

# The kernels whose VMs run a host thread per vCPU (vm.tcg_threads()), so
# that the vCPUs really run at the same time: the KCSAN kernel, which sees
# a race only then, and Debian's kernels, whose concurrent tests (sched_lab
# attaching its probes under load, pagecache_lab's and namespacefs's
# stress) meet Debian's configuration there. The KASAN kernels' vCPUs take
# turns on one thread: two parallel VMs on this project's two cores ran 3
# to 5 times slower each (run.VM_SLOTS), so they would have to boot one at
# a time. KL_TCG_THREAD=multi runs every VM the parallel way.
PARALLEL_KERNELS = ('kcsan-7.3', '6.1', '6.12')


def parallel(kernel: str) -> bool:
	"""Whether a boot of kernel (by name) runs its vCPUs in parallel."""
	return kernel in PARALLEL_KERNELS


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
# visibility and the unprivileged mount (LSMs), namespacefs's command line
# read from a file of a stopped FUSE daemon (the debug kernels have no
# FUSE; there the test reads it from a plain file), namespacefs's stress and
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
		'namespacefs': ('lsns-match', 'visibility', 'userns-mount', 'stress', 'command-line'),
		'sched_lab': None,
		'split_lock': ('status', 'detector-inject', 'bpftrace-script'),
	},
	'6.12': {
		'printk_ring': ('log-basic', 'bpftrace-script'),
		'blk_elevator': None,
		'pagecache_lab': ('fio-verify', 'table', 'concurrent', 'writeback', 'bpftrace-script'),
		'namespacefs': ('lsns-match', 'visibility', 'userns-mount', 'stress', 'command-line'),
		'sched_lab': None,
		'split_lock': ('status', 'detector-inject', 'bpftrace-script'),
	},
}

# The debug kernel that also runs the harness self-test.
SELFTEST_KERNEL = 'debug-6.1'


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


def loaded_by_default(module: str) -> bool:
	"""Benchmark modules (*_bench) and test aids (*_inject) are loaded by
	their benchmarks and tests only."""
	return not module.endswith(('_bench', '_inject'))


def plan(units: List[Unit], install: str, leakcheck: bool) -> str:
	"""The guest script that runs every unit's steps through check-lib.sh."""
	lines = [f'. {shlex.quote(str(vm.VM_DIR / "check-lib.sh"))}',
		 'kl_begin_run' if leakcheck else 'kl_begin_run noscan', install]
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
	cut to DEBUG_61_TESTS; on the KCSAN kernel, to KCSAN_TESTS."""
	if kernel.name == 'debug-6.1':
		return cut_units(units, DEBUG_61_TESTS, 'DEBUG_61_TESTS')
	if kernel.name.startswith('kcsan-'):
		return cut_units(units, KCSAN_TESTS, 'KCSAN_TESTS')
	return units


# How a debug kernel's units share its boots: two boots, which
# run side by side on the two slots (run.VM_SLOTS; the KCSAN kernel's,
# which take both, one after the other), each unit in one of them (a
# unit not named here gets a boot of its own). A boot's crash tests
# run after all its units' other steps (plan()) and the crash's write
# log covers the whole boot's scratch disk: a crash test never shares a
# boot with blk_elevator, whose tests use that disk. Each boot costs
# about a minute and a half of TCG time before its first test (the
# kernel's boot and kmemleak's first scan): a boot per module cost 12 of
# them per run. The two groups take about as long as each other on the
# 7.3 debug kernel, which takes longest.
DEBUG_BOOTS: Tuple[Tuple[str, ...], ...] = (
	('pagecache_lab', 'split_lock', 'printk_ring'),
	('blk_elevator', 'sched_lab', 'namespacefs'),
)


def boot_groups(units: List[Unit]) -> List[List[Unit]]:
	"""The units in the boots DEBUG_BOOTS shares them into (in its order
	within a boot), the empty ones left out."""
	by_name = {u.name: u for u in units}
	groups = [[by_name.pop(name) for name in group if name in by_name] for group in DEBUG_BOOTS]
	groups += [[u] for u in units if u.name in by_name]
	return [g for g in groups if g]
