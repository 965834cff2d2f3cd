# SPDX-License-Identifier: GPL-2.0
"""The kernlabs test VM, in the manner of virtme-ng.

QEMU boots a kernel with a small generated initramfs that mounts the host's
root read-only over 9p (multidevs=remap), writable overlays on it and the
output directory, and runs scripts/vm/guest-init, which runs one command
from the output directory and records its exit status there. The output directory is the
second 9p share (tag kl-out): the command, its environment, its exit status,
its output (the guest's ttyS1) and the console log (ttyS0) all live in it.
"""

import bisect
import dataclasses
import functools
import hashlib
import lzma
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from . import crashdisk

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'kernlabs'
VM_DIR = ROOT / 'scripts' / 'vm'

# The modules Debian's kernels need to mount a 9p root over virtio-pci, and
# the overlays that make parts of it writable (scripts/vm/initramfs-init).
ROOT_MODULES = ('virtio_pci', '9pnet_virtio', '9p', 'overlay')

STOCK_KERNELS = ('6.1', '6.12')
# Debug kernels built from source (scripts/kernel/build-debug-kernel NAME),
# by name: 'debug-LINE' (KASAN, lockdep, kmemleak, KUnit; NAME is LINE) and
# 'kcsan-LINE' (KCSAN in place of KASAN, which it excludes; NAME is the same).
DEBUG_KERNELS = ('debug-7.3', 'debug-6.1', 'kcsan-7.3')
ALL_KERNELS = DEBUG_KERNELS + STOCK_KERNELS

# Builds may run beside a VM (make check boots Debian's kernels while the
# debug kernel's side builds): at the lowest priority they take only the
# CPU the VM's emulator thread leaves.
NICE = ['nice', '-n', '19']

# kmem caches a test fails through failslab's cache filter (debug kernel):
# pagecache_lab's page descriptors, allocated in workqueue threads.
FAILSLAB_CACHES = ('pcl_pd',)

# The VM's vCPUs.
VM_CPUS = int(os.environ.get('KL_VM_CPUS', '2'))

# Size of the VM's virtio-blk scratch disk (a sparse file on the host).
SCRATCH_DISK_MB = 512

# The hang watchdog (run(..., watchdog=STALL_QUIET_S)). A guest has
# stalled when for STALL_QUIET_S (the watchdog's quiet time) nothing new
# appeared in its output directory (console, each step's announcement,
# output, results) and its CPUs were busy less than STALL_IDLE_SHARE of the
# time by its own account: its CPU times, which it copies to GUEST_CPU
# every 2 s (check-lib.sh's kl_stall_watch). A guest's clock is the host's
# (tsc_early_khz), so a guest that works stays busy however slowly its host
# emulates it (down to a tenth of a host CPU for a tickless kernel, whose
# busy time is counted in ticks it may then miss). A guest that stopped
# copying is idle too; one that never began (still booting) gets
# BOOT_QUIET_S. No test waits that long idle and silent: tests poll for
# what they wait for. The host then asks the guest (STALL_REQUEST) for its
# blocked tasks' stacks and to stop the running step. The guest answers
# (STALL_ANSWER): a step stopped within STALL_GRACE_S lets the boot go on;
# one that would not die, or no step to stop, is a hang once the stacks had
# STALL_DUMP_S to reach the console.
STALL_QUIET_S = 30
BOOT_QUIET_S = 120
STALL_IDLE_SHARE = 0.1
STALL_GRACE_S = 30
STALL_DUMP_S = 5
GUEST_CPU = 'guest-cpu'
STALL_REQUEST = 'stalled'
STALL_ANSWER = 'stall-answer'


class VmError(Exception):
	"""A VM could not be prepared (missing kernel, failed build)."""


@dataclasses.dataclass
class Kernel:
	"""One bootable kernel and what is needed to build modules for it."""
	name: str             # one of ALL_KERNELS
	image: Path           # bzImage / vmlinuz
	release: str          # uname -r
	build: Path           # KDIR for out-of-tree modules
	moddir: Path          # its modules' directory (RELEASE's), in the cache


def is_debug(kernel: Kernel) -> bool:
	"""Whether kernel is one of ours, built from source with KASAN & co."""
	return kernel.name in DEBUG_KERNELS


def debug_kernel_tree(line: str, build: bool = True) -> Path:
	"""Return a debug kernel's cache directory, building it if asked."""
	script = ROOT / 'scripts' / 'kernel' / 'build-debug-kernel'
	args = [*NICE, str(script), line] if build else [str(script), '--print', line]
	res = subprocess.run(args, stdout=subprocess.PIPE, text=True, check=False)
	if res.returncode:
		raise VmError(f'building the {line} debug kernel failed')
	return Path(res.stdout.strip().splitlines()[-1])


def find_kernel(name: str, build: bool = True) -> Kernel:
	"""Resolve one of ALL_KERNELS to a kernel on this machine."""
	if name in DEBUG_KERNELS:
		line = name.removeprefix('debug-')
		tree = debug_kernel_tree(line, build)
		if not (tree / '.built').exists():
			raise VmError(f'the {line} debug kernel is not built: run '
				      f'scripts/kernel/build-debug-kernel {line}')
		release = (tree / 'release').read_text().strip()
		return Kernel(name, tree / 'linux/arch/x86/boot/bzImage', release,
			      tree / 'linux', tree / 'modroot/lib/modules' / release)
	if name not in STOCK_KERNELS:
		raise VmError(f'unknown kernel {name!r}: use one of {", ".join(ALL_KERNELS)}')
	# Unpacked in the cache, not installed: nothing goes into /boot.
	res = subprocess.run([str(ROOT / 'scripts' / 'kernel' / 'fetch-debian-kernel'), name],
			     stdout=subprocess.PIPE, text=True, check=False)
	if res.returncode:
		raise VmError(f'fetching Debian\'s {name} kernel failed')
	root_text, release = res.stdout.strip().splitlines()[-2:]
	root = Path(root_text)
	return Kernel(name, root / 'boot' / f'vmlinuz-{release}', release,
		      root / 'usr' / 'src' / f'linux-headers-{release}', root / 'lib' / 'modules' / release)


def _root_module_files(kernel: Kernel) -> List[Path]:
	"""The .ko files (in load order) the kernel needs for its 9p root and
	the writable overlays on it."""
	if is_debug(kernel):
		return []		# the debug kernel has them built in
	files: List[Path] = []
	root = kernel.moddir.parents[2]	# what holds lib/modules/RELEASE
	for module in ROOT_MODULES:
		res = subprocess.run(['modprobe', '-d', str(root), '-S', kernel.release, '--show-depends', module],
				     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
		if res.returncode:
			raise VmError(f'modprobe --show-depends {module} for {kernel.release}: {res.stderr.strip()}')
		for line in res.stdout.splitlines():
			words = line.split()
			if words and words[0] == 'insmod' and Path(words[1]) not in files:
				files.append(Path(words[1]))
	return files


# The drivers a guest of Debian's kernels keeps of kernel/drivers/: its
# devices are virtio ones, and the tests' are block (null_blk, loop, brd)
# and device-mapper targets. Debian ships about 4000 modules, three in four
# of them drivers for hardware the VM does not have (sound/ too); over 9p
# under TCG, depmod and dkms's search for an original module read each
# one, which took 188 s of the 6.1 boot's `dkms install`.
GUEST_DRIVER_DIRS = ('block', 'char', 'md', 'virtio')
_GUEST_MODDIR_LOCK = threading.Lock()


def guest_moddir(kernel: Kernel) -> Path:
	"""The module directory the guest sees as /lib/modules/RELEASE: a
	debug kernel's own; for one of Debian's, a copy (hard links, indexed
	by depmod, made once per release in the cache) of its package's
	without the drivers GUEST_DRIVER_DIRS leaves out."""
	if is_debug(kernel):
		return kernel.moddir
	with _GUEST_MODDIR_LOCK:
		return _guest_moddir(kernel)


def _guest_moddir(kernel: Kernel) -> Path:
	root = kernel.moddir.parents[3] / 'guest-root'
	out = root / 'lib' / 'modules' / kernel.release
	if (root / '.done').exists():
		return out
	tmp = root.with_name('guest-root.tmp')
	shutil.rmtree(tmp, ignore_errors=True)
	for path in kernel.moddir.rglob('*'):
		rel = path.relative_to(kernel.moddir)
		if rel.parts[0] == 'kernel' and len(rel.parts) > 2 and (
				rel.parts[1] == 'sound' or
				(rel.parts[1] == 'drivers' and rel.parts[2] not in GUEST_DRIVER_DIRS)):
			continue
		copy = tmp / out.relative_to(root) / rel
		if path.is_symlink():
			copy.parent.mkdir(parents=True, exist_ok=True)
			os.symlink(os.readlink(path), copy)
		elif path.is_file():
			copy.parent.mkdir(parents=True, exist_ok=True)
			os.link(path, copy)
	res = subprocess.run(['depmod', '-b', str(tmp), kernel.release],
			     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
	if res.returncode:
		raise VmError(f'depmod of the guest\'s modules for {kernel.release}: {res.stdout.strip()}')
	(tmp / '.done').touch()
	shutil.rmtree(root, ignore_errors=True)
	tmp.rename(root)
	return out


# What scripts/vm/initramfs-init runs, as links to the static busybox.
INITRAMFS_APPLETS = ('sh', 'mount', 'umount', 'insmod', 'mkdir', 'cat', 'echo', 'ln',
		     'hostname', 'uname', 'readlink', 'switch_root', 'reboot')

# make check boots several VMs at once: one builds a kernel's initramfs
# while the others wait for it.
_INITRAMFS_LOCK = threading.Lock()


def initramfs(kernel: Kernel) -> Path:
	"""Build (or reuse) the initramfs for a kernel and return its path."""
	with _INITRAMFS_LOCK:
		return _initramfs(kernel)


def _initramfs(kernel: Kernel) -> Path:
	init = (VM_DIR / 'initramfs-init').read_bytes()
	busybox = shutil.which('busybox')
	if busybox is None:
		raise VmError('busybox missing: apt-get install busybox-static')
	modules = _root_module_files(kernel)
	digest = hashlib.sha256(init + kernel.release.encode() + ' '.join(INITRAMFS_APPLETS).encode()
				+ str(os.stat(busybox).st_mtime_ns).encode())
	for ko in modules:
		digest.update(str(ko).encode() + str(ko.stat().st_mtime_ns).encode())
	out = CACHE / 'initramfs' / f'{kernel.release}-{digest.hexdigest()[:12]}.cpio.gz'
	if out.exists():
		return out
	out.parent.mkdir(parents=True, exist_ok=True)
	with tempfile.TemporaryDirectory() as tmp:
		staging = Path(tmp)
		for sub in ('bin', 'dev', 'proc', 'modules', 'newroot'):
			(staging / sub).mkdir()
		shutil.copy2(busybox, staging / 'bin/busybox')
		for applet in INITRAMFS_APPLETS:
			os.symlink('busybox', staging / 'bin' / applet)
		(staging / 'init').write_bytes(init)
		(staging / 'init').chmod(0o755)
		order = []
		for ko in modules:
			name = ko.name
			data = ko.read_bytes()
			# busybox insmod cannot read compressed modules.
			if name.endswith('.xz'):
				data, name = lzma.decompress(data), name[:-3]
			(staging / 'modules' / name).write_bytes(data)
			order.append(name)
		(staging / 'modules.order').write_text(''.join(f'{n}\n' for n in order))
		partial = out.with_suffix('.tmp')
		with open(partial, 'wb') as cpio_out:
			subprocess.run('find . -print0 | cpio --null -o -H newc -R 0:0 --quiet | gzip -1',
				       shell=True, cwd=staging, stdout=cpio_out, check=True)
		partial.rename(out)
	return out


@dataclasses.dataclass
class VmResult:
	"""How one VM run ended."""
	status: Optional[int]   # the command's exit status, None if never reported
	timed_out: bool		# killed at the time limit while still working
	elapsed: float
	out: Path
	hung: bool = False	# killed by the watchdog: no progress, guest idle
	quiet_s: float = 0	# how long the watchdog waited before it asked
	stalls: int = 0		# stall requests the guest answered by going on
	vcpus: str = ''		# where each vCPU was when a hung guest was killed

	@property
	def console(self) -> str:
		"""The guest's console log (kernel messages), possibly empty."""
		try:
			return (self.out / 'console.log').read_text(errors='replace')
		except FileNotFoundError:
			return ''

	def failure(self) -> Optional[str]:
		"""A one-line reason the VM itself failed, or None if it ran to the end."""
		if self.status is not None:
			return None
		panic = re.search(r'Kernel panic - not syncing:.*', self.console)
		if panic:
			return f'guest panic: {panic.group(0).strip()}'
		if self.hung:
			return (f'guest hang: no progress for {self.quiet_s:.0f} s with its CPUs idle, '
				'and the stalled step could not be stopped')
		if self.timed_out:
			return f'time limit: the guest was still working after {self.elapsed:.0f} s'
		return 'guest stopped without reporting an exit status (crash or reboot)'


@functools.lru_cache(maxsize=None)
def _kvm_usable() -> bool:
	"""Whether QEMU can really start a KVM guest here.

	/dev/kvm can be present yet unusable (nested virtualisation that
	refuses QEMU's MSRs), so start a paused guest and see if it survives.
	"""
	if os.environ.get('KL_ACCEL') in ('tcg', 'kvm'):
		return os.environ['KL_ACCEL'] == 'kvm'
	if not os.access('/dev/kvm', os.R_OK | os.W_OK):
		return False
	try:
		subprocess.run(['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-machine', 'q35',
				'-nodefaults', '-display', 'none', '-monitor', 'none', '-S'],
			       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=2, check=False)
	except subprocess.TimeoutExpired:
		return True
	return False


@functools.lru_cache(maxsize=None)
def qemu_version() -> Tuple[int, int]:
	"""QEMU's (major, minor) version, (0, 0) if it does not say."""
	res = subprocess.run(['qemu-system-x86_64', '--version'], stdout=subprocess.PIPE, text=True, check=False)
	match = re.search(r'version (\d+)\.(\d+)', res.stdout)
	return (int(match[1]), int(match[2])) if match else (0, 0)


# The QEMU on which the stale-translation scenario (below) was re-run with a
# thread per vCPU and never oopsed; scripts/deps installs it.
MTTCG_QEMU = (10, 0)


def tcg_threads(parallel: bool = True) -> str:
	"""TCG's threading: "multi" (each vCPU on a host thread of its own, so
	that they really run at the same time) for a parallel VM with QEMU 10
	or later, else "single" (the vCPUs take turns on one host thread);
	KL_TCG_THREAD overrides either way.

	Multi-threaded TCG in Debian 12's QEMU (7.2) does not lock a code page
	while it translates it (later QEMUs do, tb_lock_page0()): a
	vCPU translating kernel text while another vCPU patches it can keep a
	stale translation. The kernel patches its text whenever a tracepoint
	or static key flips (jump labels, static calls, text_poke_bp()), and a
	stale copy of text_poke_bp()'s INT3 oopsed once the patch was done
	("int3" in __schedule() when sched_lab's probes attached under load).
	No feature test shows the fix: the version is the test, and the one
	required is the one the stale-translation scenario was re-run on
	(Documentation/testing.rst).
	"""
	forced = os.environ.get('KL_TCG_THREAD')
	if forced in ('single', 'multi'):
		return forced
	return 'multi' if parallel and qemu_version() >= MTTCG_QEMU else 'single'


def vcpu_threads(parallel: bool = True) -> str:
	"""How a VM's vCPUs run: "kvm", or TCG's "multi" or "single"
	(tcg_threads()); the guest reads it in KL_VCPU_THREADS."""
	return 'kvm' if _kvm_usable() else tcg_threads(parallel)


def host_threads(parallel: bool = True) -> int:
	"""How many host threads a VM keeps busy at most: one per vCPU,
	unless its vCPUs take turns on one."""
	return 1 if vcpu_threads(parallel) == 'single' else VM_CPUS


def _accel(parallel: bool) -> List[str]:
	"""QEMU's accelerator: KVM if usable, else TCG (tcg_threads(parallel)).

	TCG's "max" CPU has 5-level paging, which 6.1 with KASAN cannot boot
	safely: identify_cpu() clears and refills the boot CPU's feature
	bits, pgtable_l5_enabled() reads them until alternatives are patched,
	and an interrupt in between had KASAN take the direct map's 5-level
	address for a 4-level one ("wild-memory-access" in handle_edge_irq()
	at boot, seen once). No test needs 5-level paging: la57 is off.
	"""
	if _kvm_usable():
		return ['-accel', 'kvm', '-cpu', 'host']
	return ['-accel', f'tcg,thread={tcg_threads(parallel)}', '-cpu', 'max,la57=off']


@functools.lru_cache(maxsize=None)
def _host_tsc_khz() -> Optional[int]:
	"""The host's TSC rate, as its kernel measured it at boot: from its
	log, or its journal once the log has wrapped (None if neither has it,
	with a warning)."""
	for cmd in (['dmesg'], ['journalctl', '-k', '-b', '0', '--no-pager', '-g', 'tsc:']):
		try:
			log = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
					     check=False).stdout
		except FileNotFoundError:
			continue
		rates = re.findall(r'tsc: (?:Refined TSC clocksource calibration:|Detected) ([\d.]+) MHz', log)
		if rates:
			return round(float(rates[-1]) * 1000)
	print("warning: the host's TSC rate is not in its kernel log or journal: the guest calibrates "
	      'its own, and on a busy host its clock may run fast', file=sys.stderr)
	return None


def run(kernel: Kernel, cmd: Optional[str], out: Path, timeout: float,
	env: Optional[Dict[str, str]] = None, interactive: bool = False,
	echo: bool = False, scratch: Optional[Path] = None, watchdog: float = 0,
	on_poll: Optional[Callable[[], None]] = None, parallel: bool = True,
	write_log: Optional[Path] = None) -> VmResult:
	"""Boot a kernel, run cmd as root in the guest and return how it ended.

	cmd is a bash script; its output is written to out/output and, with
	echo, to stdout as it arrives. interactive gives a shell on the
	console instead. timeout is a last resort against a guest that works
	forever: the run is killed after that many seconds. With watchdog
	(seconds, STALL_QUIET_S but for the harness's self-test), a guest that
	stalls that long is asked to stop its running step, and killed as hung
	if that brings no progress. The scratch
	disk is a new one that goes with the run, unless scratch names an
	image to use and keep (made if missing): crash tests see it again on
	the next boot. on_poll, if given, is called every half second while
	the guest runs (make check reports each test as it ends). parallel:
	whether the vCPUs really run at the same time (tcg_threads()). With
	write_log (a crash tests' boot), QEMU logs each write and flush to the
	scratch disk there, for crashdisk.durable().
	"""
	out.mkdir(parents=True, exist_ok=True)
	for stale in ('status', 'dmesg', 'output', 'console.log', STALL_REQUEST, f'{STALL_REQUEST}.tmp',
		      STALL_ANSWER, GUEST_CPU):
		(out / stale).unlink(missing_ok=True)
	guest_env = {'KL_ROOT': str(ROOT), 'KL_KERNEL': kernel.name,
		     # Resolved here: the initramfs mounts it before switch_root,
		     # where an absolute symlink on the way (a ~/.cache that links
		     # elsewhere) points into the initramfs, not the host's root.
		     'KL_MODDIR': str(guest_moddir(kernel).resolve()),
		     # How the vCPUs run: "kvm", or TCG's "multi" or "single".
		     'KL_VCPU_THREADS': vcpu_threads(parallel),
		     'KL_INTERACTIVE': '1' if interactive else '0',
		     'TERM': os.environ.get('TERM', 'linux') if interactive else 'dumb'}
	guest_env.update(env or {})
	(out / 'env').write_text(''.join(f'export {k}={shlex.quote(v)}\n' for k, v in guest_env.items()))
	(out / 'cmd').write_text(cmd or 'true\n')

	cmdline = ' '.join([
		'console=ttyS0,115200', 'panic=-1',
		# A CPU stuck in the kernel for 2 x 60 s ends the VM with its
		# backtrace; 60 s, not the default 10, because the host may stall
		# the emulator.
		'watchdog_thresh=60', 'softlockup_panic=1', 'rcupdate.rcu_cpu_stall_timeout=300',
		# A task asleep uninterruptibly for 120 s (the kernels' default
		# hung_task_timeout_secs) ends the VM with its stack. Under TCG
		# no task of ours legitimately waits that long unscheduled. A
		# sysctl, not a boot parameter: hung_task.c has no __setup().
		'sysctl.kernel.hung_task_panic=1',
		'no_hash_pointers',
		f'kl.init={VM_DIR / "guest-init"}'])
	if not _kvm_usable():
		# TCG derives every vCPU's TSC from one host clock, so it is
		# synchronised; but on one emulator thread the vCPUs never run
		# at once, the kernel's TSC sync check fails and sched_clock goes
		# unstable (clamped to ticks), which skews the CPU time the
		# scheduler charges (nice 0 : nice 5 got 2.22, not 3.06).
		cmdline += ' tsc=reliable'
		# That TSC is the host's, so its rate is the host's. A guest that
		# calibrates it while the host is busy can be far off (585 MHz
		# against 2596, the debug kernel's PIT calibration with four VMs
		# on two cores): its clock then ran 4.4 times too fast.
		khz = _host_tsc_khz()
		if khz:
			cmdline += f' tsc_early_khz={khz}'
	if is_debug(kernel):
		# failslab's cache filter fails only caches flagged SLAB_FAILSLAB,
		# which 6.1 sets from slub_debug's 'a' option alone (the sysfs
		# attribute is read-only): the kmem caches whose allocations
		# tests fail that way. Nothing fails until a test sets the filter.
		cmdline += ' slub_debug=a,' + ','.join(FAILSLAB_CACHES)
		# A boot holds several modules (units.DEBUG_BOOTS): KASAN's
		# report on one must not silence the reports on the next.
		if not kernel.name.startswith('kcsan-'):
			cmdline += ' kasan_multi_shot'
	console = out / 'console.log'
	args = ['qemu-system-x86_64', *_accel(parallel), '-smp', str(VM_CPUS),
		'-m', os.environ.get('KL_VM_MEM', '2048'),
		'-machine', 'q35', '-nodefaults', '-no-reboot', '-display', 'none',
		'-kernel', str(kernel.image), '-initrd', str(initramfs(kernel)),
		'-append', cmdline,
		'-fsdev', 'local,id=root,path=/,security_model=none,readonly=on,multidevs=remap',
		'-device', 'virtio-9p-pci,fsdev=root,mount_tag=/dev/root',
		'-fsdev', f'local,id=out,path={out},security_model=none,multidevs=remap',
		'-device', 'virtio-9p-pci,fsdev=out,mount_tag=kl-out']
	# A scratch disk for block-layer tests: virtio-blk, serial kl-scratch,
	# over a sparse file that lives only as long as the run.
	keep_scratch = scratch is not None
	scratch = scratch or out / 'scratch.img'
	if not keep_scratch or not scratch.exists():
		with open(scratch, 'wb') as img:
			img.truncate(SCRATCH_DISK_MB << 20)
	if write_log:
		# Every write and flush logged (crashdisk.durable() keeps what
		# was flushed); the host's own flushes are not needed for that.
		write_log.write_bytes(b'')
		args += ['-blockdev', f'driver=file,filename={scratch},node-name=scratch-file,cache.no-flush=on',
			 '-blockdev', f'driver=file,filename={write_log},node-name=scratch-log,cache.no-flush=on',
			 '-blockdev', 'driver=blklogwrites,node-name=scratch,file=scratch-file,log=scratch-log,'
			 f'log-sector-size={crashdisk.LOG_SECTOR}',
			 '-device', 'virtio-blk-pci,drive=scratch,serial=kl-scratch,write-cache=on']
	else:
		args += ['-drive', f'file={scratch},if=none,id=scratch,format=raw,cache=unsafe',
			 '-device', 'virtio-blk-pci,drive=scratch,serial=kl-scratch']
	monitor: Optional[Path] = None
	if interactive:
		args += ['-chardev', f'stdio,id=con,mux=on,signal=off,logfile={console}',
			 '-serial', 'chardev:con', '-mon', 'chardev=con,mode=readline']
	else:
		# The monitor's socket lives outside out/, which the guest sees,
		# and under a short path (a socket's path has at most 107 bytes).
		monitor = Path(tempfile.mkdtemp(prefix='kl-mon-', dir='/tmp')) / 'sock'
		args += ['-chardev', f'file,id=con,path={console}', '-serial', 'chardev:con',
			 '-chardev', f'file,id=output,path={out / "output"}', '-serial', 'chardev:output',
			 '-monitor', f'unix:{monitor},server=on,wait=off']
	start = time.monotonic()
	timed_out = hung = False
	vcpus = ''
	dog = None
	try:
		with subprocess.Popen(args, stdin=None if interactive else subprocess.DEVNULL) as qemu:
			shown = 0
			try:
				dog = _Watchdog(out, watchdog) if watchdog else None
				while True:
					try:
						qemu.wait(timeout=0.5)
						break
					except subprocess.TimeoutExpired:
						pass
					if echo:
						shown = _echo_new(out / 'output', shown)
					if on_poll:
						try:
							on_poll()
						except Exception as err:	# pylint: disable=broad-except
							# The boot goes on; its end reports the rest.
							print(f'warning: {out.name}: live report stopped: {err!r}',
							      file=sys.stderr)
							on_poll = None
					hung = dog is not None and dog.hung()
					timed_out = time.monotonic() - start > timeout
					if hung and monitor:
						vcpus = _vcpu_report(monitor, kernel.build / 'System.map'
								     if is_debug(kernel) else None)
						(out / 'vcpus.txt').write_text(vcpus + '\n')
					if hung or timed_out:
						break
			finally:
				# Also when the harness itself fails or is interrupted.
				if qemu.poll() is None:
					qemu.kill()
			if echo:
				_echo_new(out / 'output', shown)
	finally:
		if monitor:
			shutil.rmtree(monitor.parent, ignore_errors=True)
	elapsed = time.monotonic() - start
	if not keep_scratch:
		scratch.unlink(missing_ok=True)
	status = None
	try:
		status = int((out / 'status').read_text().strip())
	except (FileNotFoundError, ValueError):
		pass
	return VmResult(status, timed_out and not hung, elapsed, out, hung, watchdog,
			dog.stalls if dog else 0, vcpus)


def _vcpu_report(monitor: Path, system_map: Optional[Path]) -> str:
	"""Where each vCPU of a guest that stopped answering is: QEMU's monitor
	(`info registers -a`) gives each one's instruction pointer, privilege
	level, whether it is halted (idle) and whether interrupts are enabled;
	System.map names the function, for the debug kernels only (they have no
	KASLR; Debian's kernels do, and ship no System.map). A vCPU
	spinning with interrupts off is a lockup the kernel's own detectors
	could not report before the watchdog gave up on the guest."""
	data = b''
	try:
		with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as mon:
			mon.settimeout(5)
			mon.connect(str(monitor))
			mon.sendall(b'info registers -a\n')
			deadline = time.monotonic() + 5
			while time.monotonic() < deadline:
				try:
					chunk = mon.recv(65536)
				except socket.timeout:
					break
				if not chunk:
					break
				data += chunk
				if b'CPU#' in data and data.rstrip().endswith(b'(qemu)'):
					break
	except OSError as err:
		return f'(no vCPU state: the monitor did not answer: {err})'
	symbols = []
	try:
		lines = system_map.read_text().splitlines() if system_map else []
	except OSError:
		lines = []
	for line in lines:
		fields = line.split()
		if len(fields) == 3 and fields[1] in 'tTwW' and re.fullmatch(r'[0-9a-f]+', fields[0]):
			symbols.append((int(fields[0], 16), fields[2]))
	symbols.sort()
	report = []
	text = data.decode(errors='replace')
	for cpu, regs in re.findall(r'CPU#(\d+)(.*?)(?=CPU#|\Z)', text, re.S):
		rip = re.search(r'RIP=([0-9a-f]+)', regs)
		rfl = re.search(r'RFL=([0-9a-f]+)', regs)
		if not rip:
			continue
		addr = int(rip.group(1), 16)
		i = bisect.bisect_right(symbols, (addr, '\uffff')) - 1
		where = f' {symbols[i][1]}+{addr - symbols[i][0]:#x}' if i >= 0 and addr - symbols[i][0] < 1 << 20 else ''
		irqs = 'on' if rfl and int(rfl.group(1), 16) & 0x200 else 'off'
		cpl = re.search(r'CPL=(\d)', regs)
		mode = ', user mode' if cpl and cpl.group(1) == '3' else ''
		halted = ', halted' if re.search(r'HLT=1', regs) else ''
		report.append(f'vCPU {cpu}: RIP {addr:#x}{where}{mode}, interrupts {irqs}{halted}')
	return '\n'.join(report) or f'(no vCPU state in the monitor\'s answer: {text[-300:]!r})'


class _Watchdog:
	"""Tells a guest that has stalled from one that works slowly.

	Progress is anything new in the output directory: the console (every
	step announces itself there), the command's output, the results.
	"""

	def __init__(self, out: Path, quiet_s: float) -> None:
		self.out = out
		self.quiet_s = quiet_s
		self.progress = self._progress()
		self.since = time.monotonic()
		# (host time, guest ticks, guest idle ticks), one per copy the
		# guest made, over the last quiet_s.
		self.cpu: List[tuple] = []
		self.requested: Optional[float] = None
		self.done_then: tuple = ()
		self.stalls = 0

	def _progress(self) -> tuple:
		files, size, newest = 0, 0, 0
		for path in self.out.rglob('*'):
			if path.name in ('scratch.img', 'scratch.log', STALL_REQUEST, f'{STALL_REQUEST}.tmp',
					 STALL_ANSWER, GUEST_CPU):
				continue
			try:
				st = path.stat()
			except FileNotFoundError:
				continue
			files, size, newest = files + 1, size + st.st_size, max(newest, st.st_mtime_ns)
		return files, size, newest

	def _done(self) -> tuple:
		"""What records a step's end (not its output, which the guest's
		note of a stall adds to)."""
		results = self.out / 'results'
		steps = results / 'steps.tsv'
		return (len(list(results.glob('tests/*.rc'))), len(list(results.glob('kunit/*'))),
			steps.stat().st_size if steps.exists() else 0, (results / 'complete').exists())

	def _sample_cpu(self, now: float) -> None:
		"""Keep the guest's latest CPU times (the "cpu" line of its
		/proc/stat: all ticks, and idle and iowait ticks)."""
		try:
			ticks = [int(n) for n in (self.out / GUEST_CPU).read_text().split()[1:9]]
		except (FileNotFoundError, ValueError):
			return
		if len(ticks) < 8:
			return
		sample = (now, sum(ticks), ticks[3] + ticks[4])
		if not self.cpu or self.cpu[-1][1] != sample[1]:
			self.cpu.append(sample)
		while len(self.cpu) > 2 and self.cpu[1][0] < now - self.quiet_s:
			self.cpu.pop(0)

	def _idle(self, now: float) -> bool:
		"""Whether the guest's CPUs idled over the last quiet_s (or it
		stopped reporting them)."""
		if not self.cpu:
			return now - self.since > BOOT_QUIET_S
		if self.cpu[-1][0] < now - self.quiet_s:
			return True
		(_, total0, idle0), (_, total1, idle1) = self.cpu[0], self.cpu[-1]
		if total1 <= total0:
			return False	# one copy only: too early to tell
		return (total1 - total0) - (idle1 - idle0) < STALL_IDLE_SHARE * (total1 - total0)

	def _answer(self) -> str:
		try:
			return (self.out / STALL_ANSWER).read_text().strip()
		except FileNotFoundError:
			return ''

	def hung(self) -> bool:
		"""Called every half second: whether the guest has hung."""
		now = time.monotonic()
		self._sample_cpu(now)
		if self.requested is not None:
			return self._after_request(now)
		progress = self._progress()
		if progress != self.progress:
			self.progress, self.since = progress, now
			return False
		if now - self.since < self.quiet_s or not self._idle(now):
			return False
		self.done_then = self._done()
		(self.out / STALL_ANSWER).unlink(missing_ok=True)
		# Written whole, then renamed: the guest never reads half a request.
		partial = self.out / f'{STALL_REQUEST}.tmp'
		partial.write_text(f'{now - self.since:.0f}\n')
		partial.rename(self.out / STALL_REQUEST)
		self.requested = now
		return False

	def _after_request(self, now: float) -> bool:
		"""Whether the guest's answer to a stall request means it hung."""
		answer = self._answer()
		if answer == 'ignored' or self._done() != self.done_then:
			# A new step had begun, or the stopped one ended.
			self.stalls += answer != 'ignored'
			self.requested, self.progress, self.since = None, self._progress(), now
			return False
		if answer == 'none' or answer.startswith('stuck'):
			return time.time() - (self.out / STALL_ANSWER).stat().st_mtime > STALL_DUMP_S
		return now - self.requested > STALL_GRACE_S


def _echo_new(path: Path, shown: int) -> int:
	"""Copy what was appended to path since offset shown to stdout."""
	try:
		with open(path, 'rb') as f:
			f.seek(shown)
			data = f.read()
	except FileNotFoundError:
		return shown
	if data:
		sys.stdout.buffer.write(data)
		sys.stdout.flush()
	return shown + len(data)
