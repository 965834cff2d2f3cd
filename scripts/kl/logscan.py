# SPDX-License-Identifier: GPL-2.0
"""Find kernel splats in a guest's log and name the step that caused each.

The guest half of the test runner writes "kernlabs-check: begin UNIT/STEP"
to the kernel log before every step; a splat is charged to the last step
announced before it.
"""

import re
from typing import List, Tuple

MARKER = re.compile(r'kernlabs-check: begin (\S+(?: \S+)?)')

# What fails a run. "BUG:" covers KASAN reports, sleeping in atomic context,
# scheduling while atomic and soft lockups; "WARNING:" covers WARN() and the
# lockdep reports (circular or recursive locking, inconsistent lock state).
# Panics end the VM and kmemleak's findings are read from its debugfs file:
# both are reported from there, not from here.
SPLATS = [
	re.compile(r'WARNING: .*'),
	re.compile(r'BUG: .*'),
	re.compile(r'kernel BUG at .*'),
	re.compile(r'Oops: .*'),
	# die()'s header, "int3: 0000 [#1] ..." on 6.1, where no "Oops:" precedes it.
	re.compile(r'\w[\w ]*: [0-9a-f]{4} \[#\d+\].*'),
	re.compile(r'general protection fault.*'),
	re.compile(r'UBSAN: .*'),
	re.compile(r'INFO: (?:possible|trying to register non-static key|lockdep).*'),
]

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s*')


def splats(log: str) -> List[Tuple[str, str]]:
	"""Return (step, message) for every splat in log, in order."""
	found = []
	step = 'boot'
	for raw in log.splitlines():
		line = TIMESTAMP.sub('', raw.strip())
		marker = MARKER.search(line)
		if marker:
			step = marker.group(1)
			continue
		for pattern in SPLATS:
			match = pattern.search(line)
			if match:
				found.append((step, match.group(0).strip()))
				break
	return found


def first_splat_lines(log: str, count: int) -> str:
	"""The count lines of log from the first splat (or panic) on: its head
	names the fault and the faulting code, which a log's tail does not."""
	lines = log.splitlines()
	for i, raw in enumerate(lines):
		line = TIMESTAMP.sub('', raw.strip())
		if 'Kernel panic' in line or any(p.search(line) for p in SPLATS):
			return '\n'.join(lines[i:i + count])
	return '\n'.join(lines[-count:])


def last_step(log: str) -> str:
	"""The last step announced in log ('boot' if none)."""
	steps = MARKER.findall(log)
	return steps[-1] if steps else 'boot'


def stall_lines(log: str, count: int) -> str:
	"""The count lines of log from the last stall the host's watchdog
	announced on: the blocked tasks' stacks the guest printed for it."""
	lines = log.splitlines()
	for i in range(len(lines) - 1, -1, -1):
		if 'kernlabs-check: no progress' in lines[i]:
			return '\n'.join(lines[i:i + count])
	return '\n'.join(lines[-count:])
