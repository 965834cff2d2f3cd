# SPDX-License-Identifier: GPL-2.0
"""The harness self-test: boots of the debug 6.1 kernel (and of the KCSAN
kernel, for a data race) with planted failures (scripts/selftest), each of
which must turn the verdict red and say why, and nothing else may
(SELFTEST_SCENARIOS).
"""

import difflib
import re
import shlex
import subprocess
from pathlib import Path
from typing import Callable, Dict, List

from . import vm
from .build import build_tree, copy_sources, kbuild, step
from .judge import Outcome
from .run import run_units
from .units import SELFTEST_KERNEL, Unit

ROOT = vm.ROOT
SELFTEST_DIR = ROOT / 'scripts' / 'selftest'
HOST_BOOT = SELFTEST_DIR / 'host-boot'


# The harness self-test: each scenario plants failures and lists what the
# verdict must then contain. The test "stall" sleeps, silent: the watchdog
# must stop it and let the boot go on ("pass" runs after it). The test
# "hang" loads kl_selftest_hang, whose init never returns: no signal ends
# that child of the test's timeout(1), and the boot must end as a hang.
# The test "hung-task" loads it in the background and keeps printing, so the
# watchdog waits: the kernel's hung-task detector must end the boot.
# Both wait only SELFTEST_QUIET_S for the watchdog: what they prove does not
# depend on how long it waits, and nothing else in these boots waits idle
# and silent that long. The crash tests "crash-flushed" and
# "crash-unflushed" each write a block to the scratch disk before the boot's
# crash, only the first flushed: only it may be there after the crash
# (crashdisk.py). The test "race" loads kl_selftest_race, whose two
# threads race on a plain int: on the KCSAN kernel (a scenario's 'kernel';
# default SELFTEST_KERNEL), the report must fail the run, charged to it.
# The boots of "panic", "hang" and "hung-task" end before any leak check
# could run: they skip kmemleak's scans ('leakcheck': False).
SELFTEST_QUIET_S = 12
SELFTEST_SCENARIOS = {
	'failures': {
		'tests': ['stall', 'pass', 'fail', 'notok-exit0', 'plan-short', 'warn', 'leak',
			  'crash-flushed', 'crash-unflushed'],
		'expect_fail': [r'kunit kl_selftest\.kl_selftest_fails',
				r'selftest/tests/fail: planted failure$',
				r'selftest/tests/notok-exit0: planted failure under exit status 0$',
				r'selftest/tests/notok-exit0 \(exit status 0, but 1 not ok\)$',
				r'selftest/tests/plan-short \(plan 1\.\.3, 2 results\)$',
				r'selftest/tests/stall \(stopped: it stalled; ',
				r'WARNING: .*kl_selftest_warn.* \(during selftest/test warn\)',
				r'kmemleak: [1-9][0-9]* leaked object\(s\) after selftest',
				r'selftest/tests/crash-unflushed after the crash: the block written before '
				r'the crash is on the disk$'],
		'expect_pass': [r'kunit kl_selftest\.kl_selftest_passes', r'selftest/tests/pass$',
				r'selftest/tests/pass: uname reports Linux$', r'selftest/tests/fail$',
				r'selftest/tests/plan-short: second of three$',
				r'selftest/tests/crash-unflushed before the crash$',
				r'selftest/tests/crash-flushed after the crash: the block written before '
				r'the crash is on the disk$'],
	},
	'panic': {
		'tests': ['panic'],
		'leakcheck': False,
		'expect_fail': [r'guest panic: Kernel panic - not syncing: kl_selftest: deliberate panic, '
				r'during selftest/test panic',
				r'selftest/tests/panic$'],
		'expect_pass': [],
	},
	'hang': {
		'tests': ['hang'],
		'leakcheck': False,
		'expect_fail': [r'guest hang: no progress .*, during selftest/test hang',
				r'selftest/tests/hang$'],
		'expect_pass': [],
	},
	'hung-task': {
		'tests': ['hung-task'],
		'leakcheck': False,
		'expect_fail': [r'guest panic: Kernel panic - not syncing: hung_task: blocked tasks, '
				r'during selftest/test hung-task',
				r'selftest/tests/hung-task$'],
		'expect_pass': [],
	},
	'race': {
		'kernel': 'kcsan-7.3',
		'tests': ['race'],
		'expect_fail': [r'BUG: KCSAN: data-race in .*\[kl_selftest_race\].* \(during selftest/test race\)'],
		'expect_pass': [r'selftest/tests/race$'],
	},
}


def selftest_jobs(kernel: vm.Kernel, ksrc: Path) -> Dict[str, Callable[[], List[Outcome]]]:
	"""Build the planted failures for kernel (in its build_tree()); one
	job per scenario that boots it, each proving that its kind of failure
	turns the verdict red and says why (a failed build fails the
	self-test alone)."""
	scenarios = {name: spec for name, spec in SELFTEST_SCENARIOS.items()
		     if spec.get('kernel', SELFTEST_KERNEL) == kernel.name}
	if not scenarios:
		return {}
	step(f'harness self-test: building the planted failures for {kernel.name}')
	built = build_tree(kernel) / SELFTEST_DIR.relative_to(ROOT)
	try:
		copy_sources(build_tree(kernel))
		kbuild(kernel.build, built)
	except vm.VmError as err:
		failure = Outcome(f'harness-selftest: build for {kernel.name}', 'fail', str(err),
				  kernel=f'selftest:{kernel.name}')
		return {f'build-{kernel.name}': lambda: [failure]}
	return {scenario: lambda scenario=scenario, spec=spec: _selftest(kernel, ksrc, built, scenario, spec)
		for scenario, spec in scenarios.items()}


def _selftest(kernel: vm.Kernel, ksrc: Path, built: Path, scenario: str,
	      spec: Dict) -> List[Outcome]:
	kunit = [built / 'kl_selftest_kunit.ko'] if scenario == 'failures' else []
	tests = [SELFTEST_DIR / 'tests' / t for t in spec['tests']]
	crash = [t for t in tests if t.name.startswith('crash-')]
	unit = Unit('selftest', [], kunit, [t for t in tests if t not in crash], crash_tests=crash)
	install = f'export KL_SELFTEST={shlex.quote(str(built))}\n'
	install += ''.join(f'kl_install_ko {shlex.quote(str(ko))}\n' for ko in kunit)
	outcomes = run_units(f'selftest-{scenario}', kernel, [unit], install, ksrc,
			     spec.get('leakcheck', True),
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
		o.kernel = f'selftest:{kernel.name}'
	return out


def host_boot_state() -> str:
	"""What decides how this machine boots: /boot, the kernel links in /,
	the kernel packages installed (scripts/selftest/host-boot)."""
	return subprocess.run([str(HOST_BOOT)], stdout=subprocess.PIPE, text=True, check=False).stdout


def host_boot_outcome(before: str) -> Outcome:
	"""Whether the host's boot and kernels are as host_boot_state() found
	them before the run: Debian's kernels are unpacked in the cache, never
	installed. A kernel package installed meanwhile by anything else
	(unattended-upgrades) fails it too: the detail shows what changed."""
	name = 'host: /boot, the kernel links, /lib/modules, /usr/src and the kernel packages unchanged'
	if not before.strip():
		return Outcome(name, 'fail', f'{HOST_BOOT} printed nothing before the run')
	diff = difflib.unified_diff(before.splitlines(), host_boot_state().splitlines(),
				    'before make check', 'after', lineterm='')
	text = '\n'.join(diff)
	return Outcome(name, 'fail' if text else 'pass', text)
