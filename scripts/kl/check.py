# SPDX-License-Identifier: GPL-2.0
"""`make check`: every test of every module, on the four test kernels.

1. The debug kernels (KASAN, lockdep, kmemleak, KUnit), 7.3 and 6.1: the
   modules and the KUnit test modules are built against each, in a copy of
   the tree of its own; each module's KUnit module is loaded, then the
   module, its integration tests run, it is unloaded and kmemleak asked,
   three modules to a boot (units.DEBUG_BOOTS), the two boots side by side:
   a boot's fixed cost (the kernel's boot, kmemleak's first scan) is paid
   twice per kernel, not six times, and a module that panics or hangs
   costs the tests of its boot that come after it.
   7.3 runs every test; 6.1 runs those that reach code only 6.1 compiles
   (DEBUG_61_TESTS). The KCSAN kernel (kcsan-7.3: 7.3 with KCSAN in place
   of KASAN) runs the KUnit suites and the tests in which several CPUs
   reach a module at once (KCSAN_TESTS).
2. The harness self-test (on the 6.1 debug kernel, and a planted data race
   on the KCSAN kernel): planted failures must each turn the verdict red.
3. Debian's stock 6.1 and 6.12: the modules are built by `dkms build` on the
   host and installed by `dkms install` in the guest (the test aids, which
   the package leaves out, by Kbuild), then loaded and tested again, one
   boot per kernel: the tests STOCK_TESTS lists, what only these kernels
   show. In a whole run, 6.12's boot first tests the package
   built as if the kernel lacked the private headers two modules need.

The boots share VM_SLOTS slots, a parallel VM (units.PARALLEL_KERNELS: a
host thread per vCPU) taking one per vCPU, Debian's kernels first (their DKMS packages are built
before anything else); the host's builds run at the lowest priority, so that
they take CPU from no VM. No verdict depends on the host's speed: a guest is
hung when it stalls (vm.STALL_QUIET_S), not when it is slow; each boot's
time limit (BOOT_LIMIT_S) is a last resort.

Any WARNING, BUG, Oops, KASAN or lockdep report or kmemleak leak in a guest
fails the run and is charged to the step that was running; so does a KCSAN
report with a frame in one of our modules, while one wholly in the
kernel's own code is listed ("note"), not failed. The last line is
"N passed, N failed, N skipped", after the commands that re-run what failed.

The parts, each in its own file of scripts/kl/: units.py, what runs where
(the modules and their tests, DEBUG_61_TESTS, STOCK_TESTS) and the guest's
plan; build.py, the host's Kbuild builds and the style and sparse checks;
dkms.py, the DKMS package and each kernel's install step; run.py, the boots
(run_units(), VM_SLOTS, BOOT_LIMIT_S, KL_SLOW); judge.py, what a boot's
results say (Outcome, Tally); selftest.py, the harness self-test; this file,
main() and submit_debug(), which put them together.
"""

import concurrent.futures
import dataclasses
import os
from pathlib import Path
from typing import Dict, List

from . import vm
from .build import docs_check, kernel_source, sparse_check, step, style_check
from .dkms import PARTIAL_KERNEL, StockRun, install_step, prepare_stock
from .judge import Outcome, Tally
from .run import Slots, SlowHost, run_stock, run_units
from .selftest import host_boot_outcome, host_boot_state, selftest_jobs
from .units import Unit, boot_groups, debug_units, module_units, parallel


def submit_debug(kernel: vm.Kernel, units: List[Unit], ksrc: Path, slots: 'Slots', tally: Tally,
		 selftest: bool) -> None:
	"""Build the modules for a debug kernel, run sparse (but on the KCSAN
	kernel), and queue its boots (units.boot_groups(); and the self-test's
	on this kernel, if asked)."""
	name = kernel.name
	units = debug_units(kernel, [dataclasses.replace(u) for u in units])
	install = install_step(kernel, units)
	# The KCSAN kernel is the 7.3 debug kernel's source with KCSAN for
	# KASAN: sparse over it would repeat what it says over 7.3's.
	if units and not name.startswith('kcsan-'):
		sparse_check(kernel, tally)
	jobs = []
	for group in boot_groups(units):
		label = '+'.join(u.name for u in group)
		# A boot of one module can be re-run by its name (MODULE=).
		module = group[0].name if len(group) == 1 else ''
		jobs.append((f'{name}/{label}',
			     lambda group=group, label=label: run_units(name, kernel, group, install, ksrc, True,
									 f'{name}-{label}', report=tally.add),
			     module))
	if selftest:
		jobs += [(f'selftest/{job_name}', job, '') for job_name, job in selftest_jobs(kernel, ksrc).items()]
	slots.submit_all([(job_name, job, name, module) for job_name, job, module in jobs])


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
	boot_before = host_boot_state()
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
		if 'kcsan-7.3' in wanted and vm.vcpu_threads(parallel('kcsan-7.3')) == 'single':
			# KCSAN's watchpoints last microseconds: on one host
			# thread the other vCPU never runs inside one.
			wanted.remove('kcsan-7.3')
			tally.add(Outcome('kcsan-7.3: every boot', 'skip',
					  'its vCPUs would take turns on one host thread (QEMU before '
					  f'{".".join(map(str, vm.MTTCG_QEMU))} or KL_TCG_THREAD=single), '
					  'where KCSAN sees almost no race'))
		if len(wanted) > 1 and 'KL_JOBS' not in os.environ:
			# Two kernels building at once share the CPUs (and memory).
			os.environ['KL_JOBS'] = str(max(1, (os.cpu_count() or 1) // len(wanted)))
		# Fetching Debian's 6.1 can take linux-source-6.1 to the image's
		# version, and that tarball is the 6.1 debug kernel's source: it
		# must not change under that kernel's build. A fetch that fails
		# fails Debian's 6.1 alone (and is not tried again, below).
		fetch_errors: Dict[str, str] = {}
		if '6.1' in kernels and 'debug-6.1' in wanted:
			try:
				vm.find_kernel('6.1')
			except vm.VmError as err:
				fetch_errors['6.1'] = str(err)
		debug = {builds.submit(vm.find_kernel, name): name for name in wanted}
		for name in debug.values():
			step(f'{name} kernel: build or reuse')
		# Each of Debian's kernels boots as soon as its packages are
		# built; the partial package is tested in a whole run only.
		for name in (k for k in kernels if k in vm.STOCK_KERNELS):
			if name in fetch_errors:
				run = StockRun(name, None, [], '', fetch_errors[name])
			else:
				run = prepare_stock(name, units, not args.module and name == PARTIAL_KERNEL)
			# Timed by module set, as the debug boots are: a MODULE=
			# run's short boot must not order a whole run's jobs.
			label = '+'.join(u.name for u in run.units)
			slots.submit(f'{run.name}/{label}' if label else run.name,
				     lambda run=run: run_stock(run, ksrc, tally.add), run.name, args.module or '')
		style_check(tally)
		docs_check(tally)
		for future in concurrent.futures.as_completed(debug):
			name = debug[future]
			try:
				kernel = future.result()
			except vm.VmError as err:
				tally.add(Outcome(f'{name}: harness', 'fail', str(err), kernel=name))
				continue
			try:
				submit_debug(kernel, units, ksrc, slots, tally,
					     not args.no_selftest and not args.module)
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
	tally.add(host_boot_outcome(boot_before))

	step('every boot has ended')
	reruns = tally.reruns()
	if reruns:
		print('Re-run what failed with:')
		for cmd in reruns:
			print(f'  {cmd}')
	skipped = tally.count('skip')
	listed = tally.count('listed')
	print(f'{tally.count("pass")} passed, {tally.count("fail")} failed'
	      + (f', {skipped} skipped' if skipped else '')
	      + (f', {listed} data races in the kernel\'s own code listed' if listed else ''))
	return 1 if tally.count('fail') or not tally.count('pass') else 0
