# SPDX-License-Identifier: GPL-2.0
"""The DKMS package and what installs the modules in a guest: the package
built on the host by `dkms build` in a private DKMS tree (dkms_build()), the
test aids it leaves out (test_aids()), install_step() (the guest step that
installs a boot's modules, on a debug kernel or one of Debian's), and a
Debian kernel's boot made ready (StockRun, prepare_stock()), with the
package built as if the private headers were missing (partial_package()).
"""

import dataclasses
import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from . import vm
from .build import build_tree, built_modules, copy_sources, kbuild, kunit_modules, sh, source_files, step
from .judge import Outcome
from .units import DKMS_NAME, STOCK_TESTS, Unit, cut_units, loaded_by_default

ROOT = vm.ROOT

# The DKMS package on a kernel that lacks the private headers two modules
# need: in a whole run, Debian's 6.12 boot first installs and tests a build
# of it made with their search pointed at an empty directory, then the real
# one (partial_package()).
PARTIAL_KERNEL = '6.12'
PARTIAL_SKIPS = {'blk_elevator': 'BLK_ELEVATOR_BLOCK_DIR', 'namespacefs': 'NAMESPACEFS_FS_DIR'}
PARTIAL_TEST = ROOT / 'scripts' / 'vm' / 'dkms-partial'


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
	# Resolved: dkms takes a package as installed when `readlink -f` of
	# its link equals the tree's path as given, which a tree reached
	# through a symlink (a ~/.cache that links elsewhere) never does.
	base = base.resolve()
	tree, srctree = base / 'tree', base / 'src'
	pkg_src = srctree / f'{DKMS_NAME}-{version}'
	if not (kernel.build / 'Makefile').exists():
		raise vm.VmError(f'no headers for {kernel.release} in {kernel.build}: remove '
				 f'{kernel.build.parents[3]} and scripts/kernel/fetch-debian-kernel fetches them again')
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
	sh([*vm.NICE, 'dkms', 'build', '-m', DKMS_NAME, '-v', version, '-k', kernel.release, '--force', *opts,
	    '--kernelsourcedir', str(kernel.build)],
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
	# The aids go in place first: dkms install's depmod then covers them
	# too (each depmod of Debian's module tree costs the guest about a
	# minute under TCG).
	return ('kl_stage_ko ' + ' '.join(shlex.quote(str(k)) for k in kos) + '\n' if kos else '') + install


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
