# SPDX-License-Identifier: GPL-2.0
"""What a boot's results mean: the outcomes (Outcome) judge() reads in
what a VM run left behind (results/, dmesg, the console), an integration
test's from its exit status and KTAP (test_outcomes()), a KUnit suite's
through the kernel's kunit.py; and Tally, which collects the outcomes,
prints them and names the commands that re-run what failed.
"""

import collections
import dataclasses
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, List

from . import logscan, tap, vm
from .units import DKMS_NAME, Unit

# kselftest's exit status for "skipped".
KSFT_SKIP = 4

# What the guest's kl_stall_watch adds to the output of a test it stopped.
STALL_NOTE = '# kernlabs-check: stopped: no progress'


@dataclasses.dataclass
class Outcome:
	"""One counted result: a KUnit case, an integration test, or a failure."""
	name: str
	status: str		# 'pass', 'fail', 'skip' or 'listed' (a kernel's own data race)
	detail: str = ''
	# What re-runs it: `make check KERNELS=kernel MODULE=module` (no
	# module: every module; kernel 'selftest:KERNEL': the harness
	# self-test's boots of KERNEL).
	kernel: str = ''
	module: str = ''


class Tally:
	"""Collects outcomes (from several VM slots) and prints them as they come."""

	def __init__(self) -> None:
		self.outcomes: List[Outcome] = []
		self.lock = threading.Lock()

	def add(self, outcome: Outcome) -> None:
		"""Record one outcome and print it."""
		with self.lock:
			self._add(outcome)

	def _add(self, outcome: Outcome) -> None:
		self.outcomes.append(outcome)
		if outcome.status == 'fail':
			lines = [f'FAIL {outcome.name}']
			lines += [f'     {line}' for line in outcome.detail.rstrip().splitlines()[-25:]]
		elif outcome.status == 'skip':
			lines = [f'SKIP {outcome.name}: {outcome.detail}']
		elif outcome.status == 'listed':
			lines = [f'note {outcome.name}']
		else:
			lines = [f'ok   {outcome.name}']
		# One write, as build.step() does: a progress line from another
		# slot must not land inside a failure's detail.
		print(''.join(line + '\n' for line in lines), end='', flush=True)

	def count(self, status: str) -> int:
		"""How many outcomes have this status."""
		return sum(1 for o in self.outcomes if o.status == status)

	def reruns(self) -> List[str]:
		"""The commands that re-run what failed, one per module and kernel."""
		cmds = []
		for o in self.outcomes:
			if o.status != 'fail' or not o.kernel:
				continue
			if o.kernel.startswith('selftest:'):
				cmd = (f'make check KERNELS={o.kernel.removeprefix("selftest:")}'
				       '   # includes the harness self-test')
			else:
				cmd = 'make check ' + ' '.join(filter(None, [
					f'MODULE={o.module}' if o.module else '', f'KERNELS={o.kernel}']))
			if cmd not in cmds:
				cmds.append(cmd)
		return cmds


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
	out = [Outcome(f'{name}: {check}', status, (diag or _tail(tap_file)) if status == 'fail' else diag)
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
	  kernel: vm.Kernel) -> List[Outcome]:
	"""Turn what a VM run left behind into outcomes."""
	out: List[Outcome] = []
	results = res.out / 'results'
	log = (res.out / 'dmesg').read_text(errors='replace') if (res.out / 'dmesg').exists() \
		else res.console

	failure = res.failure()
	if failure:
		out.append(Outcome(f'{label}: {failure}, during {logscan.last_step(res.console)}', 'fail',
				   res.vcpus + '\n' + logscan.stall_lines(res.console, 40) if res.hung
				   else logscan.first_splat_lines(res.console, 25,
								  logscan.kernel_modules(kernel.moddir))))
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
				out.append(Outcome(f'{label}: {unit.name}: {ko.name} did not run', 'fail',
						   module=unit.name))
				continue
			suites = suites_file.read_text().split()
			if not suites:
				out.append(Outcome(f'{label}: {unit.name}: {ko.name} registered no KUnit suite',
						   'fail', _tail(results / 'steps' / f'kunit-{ko.stem}.txt'),
						   module=unit.name))
			for suite in suites:
				ktap = results / 'kunit' / f'{suite}.ktap'
				cases = list(_kunit_cases(kunit_parse(ksrc, ktap), ''))
				if not cases:
					out.append(Outcome(f'{label}: kunit {suite}: no test case parsed', 'fail',
							   _tail(ktap), module=unit.name))
				for case, status in cases:
					verdict = {'PASS': 'pass', 'SKIP': 'skip'}.get(status, 'fail')
					out.append(Outcome(f'{label}: kunit {case}', verdict,
							   _tail(ktap, 40) if verdict == 'fail' else 'skipped',
							   module=unit.name))
		for test in unit.tests:
			out += test_outcomes(f'{label}: {unit.name}/tests/{test.name}',
					     results / 'tests' / f'{unit.name}--{test.name}')
		for test in unit.crash_tests:
			out += test_outcomes(f'{label}: {unit.name}/tests/{test.name} before the crash',
					     results / 'tests' / f'{unit.name}--{test.name}.before')

	dkms_status = results / 'dkms-status.txt'
	if dkms_status.exists():
		text = dkms_status.read_text(errors='replace')
		installed = re.search(rf'^{DKMS_NAME}/[^,]+, {re.escape(kernel.release)}, x86_64: installed$',
				      text, re.M)
		out.append(Outcome(f'{label}: dkms status: {DKMS_NAME} installed for {kernel.release}',
				   'pass' if installed else 'fail', text))

	shipped = logscan.kernel_modules(kernel.moddir)
	for where, msg in logscan.splats(log, shipped):
		out.append(Outcome(f'{label}: {msg} (during {where})', 'fail'))
	# The kernel's own races are listed once each, not failed.
	races = collections.Counter(msg for _, msg in logscan.kernel_races(log, shipped))
	for msg, times in races.items():
		out.append(Outcome(f'{label}: in the kernel\'s own code: {msg}'
				   + (f' ({times} reports)' if times > 1 else ''), 'listed'))
	for report in sorted((results / 'leaks').glob('*.txt')) if (results / 'leaks').exists() else []:
		text = report.read_text(errors='replace')
		leaks = text.count('unreferenced object')
		if leaks:
			# The report is named after the unit whose steps came
			# before it (kl_leakcheck).
			out.append(Outcome(f'{label}: kmemleak: {leaks} leaked object(s) after {report.stem}',
					   'fail', '\n'.join(text.splitlines()[:20]), module=report.stem))
	return out
