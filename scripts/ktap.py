# SPDX-License-Identifier: GPL-2.0
"""KTAP output for the integration tests, as tools/testing/selftests/kselftest.h
writes it: a plan, one "ok"/"not ok" line per check, exit status 0 (all
passed), 1 (a check failed) or 4 (skipped, kselftest's KSFT_SKIP)."""

import sys

KSFT_SKIP = 4


class Ktap:
	"""One test program's checks."""

	def __init__(self, planned: int) -> None:
		self.planned = planned
		self.count = 0
		self.failed = 0
		print('TAP version 13', flush=True)
		print(f'1..{planned}', flush=True)

	def ok(self, cond: bool, name: str, diag: str = '') -> bool:
		"""Report one check; diag is printed as a comment when it fails."""
		self.count += 1
		print(f'{"ok" if cond else "not ok"} {self.count} {name}', flush=True)
		if not cond:
			self.failed += 1
			for line in str(diag).splitlines():
				print(f'# {line}', flush=True)
		return cond

	def skip(self, name: str, reason: str) -> None:
		"""Report one check that cannot run here, and why."""
		self.count += 1
		print(f'ok {self.count} {name} # SKIP {reason}', flush=True)

	def finish(self) -> None:
		"""Exit with kselftest's status; an unmet plan is a failure."""
		if self.count != self.planned:
			print(f'# planned {self.planned} checks, ran {self.count}', flush=True)
			sys.exit(1)
		sys.exit(1 if self.failed else 0)


def skip_all(reason: str) -> None:
	"""Skip the whole program, as kselftest does."""
	print('TAP version 13')
	print(f'1..0 # SKIP {reason}')
	sys.exit(KSFT_SKIP)
