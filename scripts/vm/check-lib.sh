#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest half of `make check`. The host (scripts/kl/units.py) writes a plan:
# a bash script that sources this file and calls the kl_* steps below. Each
# step announces itself in the kernel log ("kernlabs-check: begin UNIT/STEP")
# so that the host can name the step behind any WARNING, KASAN report or
# lockdep splat, and leaves its result under $KL_RESULTS for the host to
# judge: this side records, the host decides.

KL_RESULTS=/run/kl-out/results
# A test that works (uses CPU) this long is stopped; one that stalls (idle
# and silent) is stopped much sooner, at the host's request (kl_stall_watch).
KL_TEST_TIMEOUT=${KL_TEST_TIMEOUT:-900}
KL_UNIT=boot
mkdir -p "$KL_RESULTS"/{kunit,tests,steps,leaks}

# kl_mark STEP: name the step that runs from now on, in the kernel log.
kl_mark() {
	echo "kernlabs-check: begin $KL_UNIT/$1" > /dev/kmsg
}

# kl_record NAME STATUS [DETAIL]: append a step result for the host.
kl_record() {
	printf '%s\t%s\t%s\n' "$KL_UNIT/$1" "$2" "${3:-}" >> "$KL_RESULTS/steps.tsv"
}

# kl_stall_watch: the guest half of the host's watchdog (scripts/kl/vm.py).
# Every 2 s it leaves the guest's CPU times (the "cpu" line of /proc/stat)
# in guest-cpu, from which the host tells a guest that works, however
# slowly its host emulates it, from one that waits. When the
# guest has been idle and silent too long, the host leaves the file
# "stalled" (holding how long): print every blocked task's stack to the
# kernel log and stop the running step (kl_stoppable), noting why in its
# output. Its answer, in stall-answer, once the stacks are printed:
# "none" (no step to stop), "ignored" (the step began after the host last
# saw progress), "stopping PID", then "stuck PIDS" if even SIGKILL left
# tasks of the step's cgroup (a test's child too) asleep in the kernel:
# the host then stops the VM. It acts on that step's own cgroup only: a
# step that ends meanwhile takes its cgroup with it, and the next step's
# is another. Builtins only, but for the rare stall: a fork every 2 s
# costs a debug kernel under TCG a fifth of a CPU.
kl_stall_watch() {
	local quiet pid start cgroup out cpu i
	mkfifo /run/kl-tick && exec 9<> /run/kl-tick || return
	while :; do
		read -r -t 2 -u 9
		read -r cpu < /proc/stat
		echo "$cpu" > /run/kl-out/guest-cpu
		[ -e /run/kl-out/stalled ] || continue
		read -r quiet < /run/kl-out/stalled
		rm -f /run/kl-out/stalled
		read -r pid start cgroup out < /run/kl-step
		if [ -n "$pid" ] && (( EPOCHSECONDS - start < quiet )); then
			echo ignored > /run/kl-out/stall-answer
			continue
		fi
		echo "kernlabs-check: no progress for $quiet s; blocked tasks:" > /dev/kmsg
		echo w > /proc/sysrq-trigger
		if [ -z "$pid" ]; then
			echo none > /run/kl-out/stall-answer
			continue
		fi
		echo "# kernlabs-check: stopped: no progress and the guest idle for $quiet s" \
			"(blocked tasks in console.log)" >> "$out"
		echo "stopping $pid" > /run/kl-out/stall-answer
		# A test's timeout(1) passes SIGTERM on and kills 10 s later.
		kl_cgroup_signal "$cgroup" TERM
		for i in {1..12} kill {1..3}; do
			kl_cgroup_alive "$cgroup" || break
			[ "$i" = kill ] && echo 1 2> /dev/null > "$cgroup/cgroup.kill"
			read -r -t 1 -u 9
		done
		kl_cgroup_alive "$cgroup" &&
			echo "stuck $(kl_cgroup_pids "$cgroup")" > /run/kl-out/stall-answer
	done
}

# Every step runs in a cgroup of its own below KL_STEP_CGROUP
# (kl_stoppable), with all it starts: new sessions and process groups
# too, which leave a process group. No controller is enabled below the
# root, so the scheduler sees every task in the root task group as
# before. Made when this file is sourced, for make check's plan and make
# vm's set-up alike; so is the FIFO that kl_stoppable waits on (fd 8).
KL_STEP_CGROUP=/sys/fs/cgroup/kl-step
KL_STEP_SEQ=0
mkdir -p "$KL_STEP_CGROUP" || echo "kernlabs-check: no cgroup for the steps" > /dev/kmsg
[ -p /run/kl-wait ] || mkfifo /run/kl-wait
exec 8<> /run/kl-wait

# kl_cgroup_alive CGROUP: whether a task of the cgroup is alive (a zombie
# is not: it has left its cgroup; a thread asleep in the kernel behind a
# zombie leader is). A cgroup removed is not.
kl_cgroup_alive() {
	local key populated
	read -r key populated 2> /dev/null < "$1/cgroup.events"
	[ "$key" = populated ] && [ "$populated" = 1 ]
}

# kl_cgroup_pids CGROUP: its processes' PIDs, on one line.
kl_cgroup_pids() {
	local pid pids=()
	while read -r pid; do
		pids+=("$pid")
	done 2> /dev/null < "$1/cgroup.procs"
	echo "${pids[*]}"
}

# kl_cgroup_signal CGROUP SIG: send SIG to every process of the cgroup.
kl_cgroup_signal() {
	local pid
	for pid in $(kl_cgroup_pids "$1"); do
		kill "-$2" "$pid" 2> /dev/null
	done
}

# kl_stoppable OUT COMMAND...: run COMMAND in the foreground (a background
# job would start with SIGINT ignored, which a test's bpftrace inherits),
# its output in OUT, where kl_stall_watch can stop it: it runs in a new
# cgroup, and its PID, start time, cgroup and OUT are in /run/kl-step
# while it runs. COMMAND is a program (it is exec'd: no shell function).
# The step ends when the last of its tasks has: what COMMAND left behind
# is killed (and named in OUT), and one that even SIGKILL leaves asleep in
# the kernel (a stopped test's child, say) keeps the step running, for
# the host's watchdog to find. The wait is a builtin read on a FIFO, not
# sleep(1): a fork a second keeps a guest under TCG from looking idle.
kl_stoppable() {
	local out=$1 cgroup=$KL_STEP_CGROUP/$((++KL_STEP_SEQ)) status pid comm left=()
	shift
	: > "$out"
	if ! mkdir "$cgroup"; then
		echo "# kernlabs-check: cannot make the step's cgroup $cgroup" >> "$out"
		return 1
	fi
	# shellcheck disable=SC2094 # OUT is named to the child, not read
	bash -c 'echo $$ > "$1/cgroup.procs" && echo "$$ $EPOCHSECONDS $1 $0" > /run/kl-step &&
		exec "${@:2}"' "$out" "$cgroup" "$@" >> "$out" 2>&1 8>&-
	status=$?
	if kl_cgroup_alive "$cgroup"; then
		for pid in $(kl_cgroup_pids "$cgroup"); do
			read -r comm 2> /dev/null < "/proc/$pid/comm" && left+=("${comm}[$pid]")
		done
		# Tasks that exit meanwhile leave no name: say only what is named.
		(( ${#left[@]} )) &&
			echo "# kernlabs-check: killed what the step left running: ${left[*]}" >> "$out"
		echo 1 > "$cgroup/cgroup.kill"
		while kl_cgroup_alive "$cgroup"; do
			read -r -t 0.5 -u 8
			# Timed out (> 128), or no FIFO: then wait by a fork.
			(( $? > 128 )) || sleep 0.5
		done
	fi
	: > /run/kl-step
	rmdir "$cgroup"
	return $status
}

# kl_begin_run: forget what kmemleak saw during boot, so that every leak
# reported later belongs to a step of the plan; start the stall watch.
kl_begin_run() {
	local fault
	: > /run/kl-step
	kl_stall_watch &
	KL_STALL_WATCH=$!
	# Fault injection (debug kernel) considers GFP_KERNEL allocations and
	# single pages too, so that a task's fail-nth reaches every allocation
	# (KUnit cases use it); with probability 0 nothing fails by itself.
	for fault in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
		[ -d $fault ] && echo N > $fault/ignore-gfp-wait
	done
	[ -d /sys/kernel/debug/fail_page_alloc ] && echo 0 > /sys/kernel/debug/fail_page_alloc/min-order
	# A boot with no leak check (one that ends in a crash by design, or
	# the boot after a crash) skips the scan that only sets its baseline.
	if [ "${1:-}" != noscan ] && [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan > /sys/kernel/debug/kmemleak
		echo clear > /sys/kernel/debug/kmemleak
	fi
	: > "$KL_RESULTS/steps.tsv"
}

# kl_unit NAME: the steps that follow belong to unit NAME (a module dir).
kl_unit() {
	KL_UNIT=$1
}

# kl_step NAME COMMAND...: run one step, keeping its output for the host.
kl_step() {
	local name=$1 out=$KL_RESULTS/steps/${1// /-}.txt
	shift
	kl_mark "$name"
	kl_stoppable "$out" "$@"
	kl_record "$name" $? "$out"
}

# kl_install_ko KO...: install freshly built modules as `make install` would
# (debug kernel, whose modules are not packaged through DKMS).
kl_install_ko() {
	local dir
	dir=/lib/modules/$(uname -r)/extra
	mkdir -p "$dir"
	# shellcheck disable=SC2016 # expanded by that sh, not here
	kl_step install sh -c 'cp "$@" "$0" && depmod -a' "$dir" "$@"
}

# kl_stage_ko KO...: put modules where modprobe finds them once the next
# depmod has run (Debian's kernels: the test aids, before dkms install).
kl_stage_ko() {
	local dir
	dir=/lib/modules/$(uname -r)/extra
	mkdir -p "$dir"
	kl_step stage cp "$@" "$dir"
}

# kl_dkms_install NAME VERSION DKMSTREE SOURCETREE: install the package the
# host built with `dkms build` into this kernel, as a user would.
kl_dkms_install() {
	kl_step dkms-install dkms install -m "$1" -v "$2" -k "$(uname -r)" \
		--dkmstree "$3" --sourcetree "$4" --force
	dkms status --dkmstree "$3" --sourcetree "$4" > "$KL_RESULTS/dkms-status.txt" 2>&1
}

# kl_load MODULE: modprobe one of our modules.
kl_load() {
	kl_step "load $1" modprobe "$1"
}

# kl_bpftrace MODULE: bpftrace on this kernel can attach to MODULE's
# tracepoints (if it has any): a one-liner on every one of them, for two
# seconds, that must exit 0 having attached.
kl_bpftrace() {
	local out=$KL_RESULTS/steps/bpftrace-$1.txt status
	[ -d "/sys/kernel/tracing/events/$1" ] || return 0
	kl_mark "bpftrace $1"
	kl_stoppable "$out" timeout 120 bpftrace -e \
		"tracepoint:$1:* { @[probe] = count(); } interval:s:2 { exit(); }"
	status=$?
	[ $status = 0 ] && ! grep -q '^Attaching' "$out" && status=1
	kl_record "bpftrace $1" $status "$out"
}

# kl_unload MODULE: rmmod it; a module that will not unload is a failure.
kl_unload() {
	kl_step "unload $1" rmmod "$1"
}

# kl_kunit NAME: load an installed KUnit test module (modprobe also loads
# the module it tests), copy the results of every suite it registered, and
# unload both. modprobe's status says nothing about the tests.
kl_kunit() {
	local name=$1 suites suite before
	kl_mark "kunit $name"
	before=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	kl_stoppable "$KL_RESULTS/steps/kunit-$name.txt" modprobe "$name"
	suites=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	: > "$KL_RESULTS/kunit/$name.suites"
	for suite in $suites; do
		case " $before " in *" $suite "*) continue ;; esac
		echo "$suite" >> "$KL_RESULTS/kunit/$name.suites"
		cat "/sys/kernel/debug/kunit/$suite/results" > "$KL_RESULTS/kunit/$suite.ktap"
	done
	modprobe -r "$name" >> "$KL_RESULTS/steps/kunit-$name.txt" 2>&1
	kl_record "kunit $name" $? "$KL_RESULTS/steps/kunit-$name.txt"
}

# kl_test PATH [PHASE]: run one integration test (TAP on stdout) with a
# time limit; a crash test's phase is its argument and part of its record.
kl_test() {
	local path=$1 phase=${2:+.$2} name status
	name=$(basename "$path")
	kl_mark "test $name${2:+ $2}"
	kl_stoppable "$KL_RESULTS/tests/$KL_UNIT--$name$phase.tap" \
		timeout -k 10 "$KL_TEST_TIMEOUT" "$path" ${2:+"$2"}
	status=$?
	echo "$status" > "$KL_RESULTS/tests/$KL_UNIT--$name$phase.rc"
}

# kl_crash: end the run as a power cut would. What the plan recorded is
# kept (its exit status, the kernel log; the host's 9p directory is written
# through), then sysrq b resets the guest at once: no sync, no device shut
# down, no dm target suspended. QEMU's -no-reboot makes the reset its exit;
# the host boots again on the scratch disk as the crash left it, with only
# what was flushed (scripts/kl/crashdisk.py), for the crash tests' after
# phase. The crash's moment is a write to the scratch disk's last 4 KiB,
# never flushed: QEMU flushes the disk as it exits, and the host must not
# take that flush for the guest's.
kl_crash() {
	local dev
	kl_mark crash
	echo 0 > /run/kl-out/status
	dmesg > /run/kl-out/dmesg
	for dev in /sys/block/*; do
		[ "$(cat "$dev/serial" 2>/dev/null)" = kl-scratch ] || continue
		printf 'kernlabs crash marker' |
			dd of="/dev/${dev##*/}" bs=4096 count=1 conv=sync oflag=direct,seek_bytes \
				status=none seek=$(($(cat "$dev/size") * 512 - 4096))
	done
	echo b > /proc/sysrq-trigger
}

# kl_leakcheck: report what kmemleak finds unreferenced now. It takes two
# scans: a scan holds back an unreferenced object whose contents changed
# since the scan before (its checksum, taken only while it is unreferenced),
# so an object must be unreferenced in both. Asynchronous releases that
# follow the last step (RCU callbacks, work items of its rmmod) are given 2 s
# to drop their references first. Objects younger than 5 s when a scan
# starts are never reported: the second starts at least 6 s after the last
# step ended (a debug kernel's first scan under TCG takes that long by
# itself, where the old fixed 6 s sleep came first).
kl_leakcheck() {
	local report=$KL_RESULTS/leaks/$KL_UNIT.txt start=${EPOCHREALTIME/./} wait_us
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	kl_mark leakcheck
	sleep 2
	echo scan > /sys/kernel/debug/kmemleak
	wait_us=$(( start + 6000000 - ${EPOCHREALTIME/./} ))
	(( wait_us > 0 )) && sleep "$(printf '%d.%06d' $((wait_us / 1000000)) $((wait_us % 1000000)))"
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$report"
	echo clear > /sys/kernel/debug/kmemleak
	kl_record leakcheck 0 "$report"
}

# kl_end_run: the plan ran to its end.
kl_end_run() {
	kill "$KL_STALL_WATCH" 2>/dev/null
	KL_UNIT=end
	kl_mark 'done'
	touch "$KL_RESULTS/complete"
}

# kl_report_failures: print the steps that failed so far (for `make vm`).
kl_report_failures() {
	awk -F'\t' '$2 != 0 { print "kernlabs-vm: " $1 " failed; see " $3 }' "$KL_RESULTS/steps.tsv" 2>/dev/null
}
