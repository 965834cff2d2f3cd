# SPDX-License-Identifier: GPL-2.0
"""Find kernel splats in a guest's log and name the step that caused each.

The guest half of the test runner writes "kernlabs-check: begin UNIT/STEP"
to the kernel log before every step; a splat is charged to the last step
announced before it.

A KCSAN data-race report fails the run when one of its frames is in a
module the kernel does not ship (ours: nothing else is loaded from outside
it); one wholly in the kernel's own code is listed, not failed
(kernel_races()).
"""

import re
from pathlib import Path
from typing import FrozenSet, Iterator, List, Tuple

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

# "BUG: KCSAN: data-race in f [mod] / g", then each access's stack, whose
# frames end in "[mod]" when they are in a module, up to a line of "=". A
# module is named after a symbol ("f [mod]", "f+0x1/0x2 [mod]", with
# CONFIG_STACKTRACE_BUILD_ID "[mod ID]"): the taint flags ("Tainted:
# [O]=OOT_MODULE") are not. A race "at unknown origin" shows the reader's
# stack alone: one whose writer was our module (through code KCSAN does not
# instrument) and whose reader was the kernel's is listed, not failed.
KCSAN_HEAD = re.compile(r'BUG: KCSAN: ')
KCSAN_END = re.compile(r'^={20,}$')
MODULE_TAG = re.compile(r'[\w.]+(?:\+0x[0-9a-f]+/0x[0-9a-f]+)? \[(\w+)(?: [0-9a-f]+)?\]')


def kernel_modules(moddir: Path) -> FrozenSet[str]:
	"""The names of the modules a kernel ships (its modules.order in
	moddir; none if it has no such file), as frames name them."""
	try:
		order = (moddir / 'modules.order').read_text()
	except FileNotFoundError:
		return frozenset()
	return frozenset(Path(line).name.removesuffix('.ko').replace('-', '_')
			 for line in order.split())


def _scan(log: str, shipped: FrozenSet[str]) -> Iterator[Tuple[str, str, bool]]:
	"""Yield (step, message, the kernel's own) for every splat in log:
	only a KCSAN report none of whose lines names a module outside
	shipped is the kernel's own."""
	step = 'boot'
	lines = [TIMESTAMP.sub('', raw.strip()) for raw in log.splitlines()]
	for i, line in enumerate(lines):
		marker = MARKER.search(line)
		if marker:
			step = marker.group(1)
			continue
		if KCSAN_HEAD.search(line):
			end = next((j for j in range(i + 1, len(lines)) if KCSAN_END.match(lines[j])),
				   len(lines))
			named = {m for text in lines[i:end] for m in MODULE_TAG.findall(text)}
			yield step, line[KCSAN_HEAD.search(line).start():], not named - shipped
			continue
		for pattern in SPLATS:
			match = pattern.search(line)
			if match:
				yield step, match.group(0).strip(), False
				break


def splats(log: str, shipped: FrozenSet[str] = frozenset()) -> List[Tuple[str, str]]:
	"""Return (step, message) for every splat in log that fails a run, in
	order; shipped: the kernel's own modules (kernel_modules())."""
	return [(step, msg) for step, msg, own in _scan(log, shipped) if not own]


def kernel_races(log: str, shipped: FrozenSet[str]) -> List[Tuple[str, str]]:
	"""Return (step, message) for every KCSAN report in log wholly in the
	kernel's own code (vmlinux and the modules in shipped)."""
	return [(step, msg) for step, msg, own in _scan(log, shipped) if own]


def first_splat_lines(log: str, count: int, shipped: FrozenSet[str] = frozenset()) -> str:
	"""The count lines of log from the first splat that fails a run (or
	panic) on: its head names the fault and the faulting code, which a
	log's tail does not; shipped as for splats()."""
	lines = log.splitlines()
	failing = {msg for _, msg in splats(log, shipped)}
	for i, raw in enumerate(lines):
		line = TIMESTAMP.sub('', raw.strip())
		if 'Kernel panic' in line or any(msg in line for msg in failing):
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
