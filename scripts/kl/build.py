# SPDX-License-Identifier: GPL-2.0
"""The host's builds for `make check`: the tree's sources copied to a build
tree of each debug kernel's own (build_tree()), built there by Kbuild with
W=1 -Werror, the modules and KUnit modules that came out, the kernel source
tree (for kunit.py and checkpatch.pl), and the style and sparse checks; also
step() and sh(), the progress line and the command runner every part uses.
"""

import filecmp
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import List

from . import vm
from .judge import Outcome, Tally
from .units import Unit

ROOT = vm.ROOT
BUILD = Path(os.environ.get('KL_BUILD_DIR') or ROOT / 'build')


# When this process started: each progress line says how long ago, so
# that a run's log (CI's too) shows where its time went.
_START = time.monotonic()


def step(msg: str) -> None:
	"""Print a progress line, minutes and seconds into the run."""
	elapsed = round(time.monotonic() - _START)
	# One write with its newline: print() writes the newline apart, and
	# two VM slots' lines then run together.
	print(f'== [{elapsed // 60:3d}:{elapsed % 60:02d}] {msg}\n', end='', flush=True)


def sh(args: List[str], **kw) -> subprocess.CompletedProcess:
	"""Run a command, echoing it; raise with its output if it fails."""
	res = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
			     check=False, **kw)
	if res.returncode:
		raise vm.VmError(f'{shlex.join(args)} failed:\n{res.stdout[-4000:]}')
	return res


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


def kernel_source() -> Path:
	"""The unpacked linux-source-6.1 tree (for kunit.py and checkpatch.pl)."""
	res = sh([str(ROOT / 'scripts' / 'kernel' / 'source-tree')])
	return Path(res.stdout.strip().splitlines()[-1])


def style_check(tally: Tally) -> None:
	"""make style."""
	res = subprocess.run([*vm.NICE, str(ROOT / 'scripts' / 'style')], stdout=subprocess.PIPE,
			     stderr=subprocess.STDOUT, text=True, check=False)
	tally.add(Outcome('style: checkpatch.pl --strict, kernel-doc, shellcheck, flake8, codespell',
			  'fail' if res.returncode else 'pass',
			  res.stdout))


def docs_check(tally: Tally) -> None:
	"""make htmldocs: Documentation/ through Sphinx, warnings as errors."""
	res = subprocess.run([*vm.NICE, 'make', '-s', '-C', str(ROOT), 'htmldocs'], stdout=subprocess.PIPE,
			     stderr=subprocess.STDOUT, text=True, check=False)
	tally.add(Outcome('htmldocs: Sphinx, warnings as errors', 'fail' if res.returncode else 'pass',
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
