# SPDX-License-Identifier: GPL-2.0
"""Read an integration test's output, TAP 13 as kselftest writes it
(scripts/ktap.py): a version line, a plan "1..N" (with "# SKIP reason" when
nothing ran), then one "ok"/"not ok" line per check, numbered from 1, each
optionally with a "# SKIP" directive; "#" lines are diagnostics.

The kernel's kunit.py parse reads this too, but stops at the plan: results
beyond it are not seen, and a program that reports more checks than it
planned would pass. The verdict needs both directions, so this reads the
flat form our tests write and nothing more."""

import dataclasses
import re
from typing import List, Optional, Tuple

_PLAN = re.compile(r'^1\.\.(\d+)\s*(?:#\s*(.*))?$')
_RESULT = re.compile(r'^(ok|not ok)\s+(\d+)\b\s*(?:-\s*)?(.*?)\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$',
		     re.IGNORECASE)


@dataclasses.dataclass
class TapRun:
	"""What one program reported."""
	# (name, 'pass' | 'fail' | 'skip', the "#" lines after it, or a
	# skip's reason) in order
	results: List[Tuple[str, str, str]]
	plan: Optional[int]		# N of "1..N", None if no plan line
	skip_reason: str		# the reason of a "1..0 # SKIP reason" plan
	problems: List[str]		# what makes the document itself wrong

	def count(self, status: str) -> int:
		"""How many results have status."""
		return sum(1 for _, s, _ in self.results if s == status)


def read(text: str) -> TapRun:
	"""Parse a program's output; every departure from the form above is
	listed in problems."""
	run = TapRun([], None, '', [])
	plans = 0
	for line in text.splitlines():
		line = line.rstrip()
		if line.startswith('#') and run.results:
			# A diagnostic belongs to the result before it.
			name, status, diag = run.results[-1]
			run.results[-1] = (name, status, (diag + '\n' if diag else '') + line[1:].strip())
			continue
		plan = _PLAN.match(line)
		if plan:
			plans += 1
			run.plan = int(plan.group(1))
			if run.plan == 0 and (plan.group(2) or '').upper().startswith('SKIP'):
				run.skip_reason = plan.group(2)[4:].strip()
			continue
		result = _RESULT.match(line)
		if not result:
			continue
		word, number, name, directive, reason = result.groups()
		if int(number) != len(run.results) + 1:
			run.problems.append(f'result {number} out of order (expected {len(run.results) + 1})')
		status = 'pass' if word.lower() == 'ok' else 'fail'
		if directive and directive.upper() == 'SKIP':
			status = 'skip'
		run.results.append((name or f'check {number}', status, reason if status == 'skip' else ''))
	if plans != 1:
		run.problems.append('no plan line (1..N)' if not plans else f'{plans} plan lines')
	elif run.plan != len(run.results):
		run.problems.append(f'plan 1..{run.plan}, {len(run.results)} results')
	return run
