#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-integration.sh - run klpsv's IntegrationTests inside the test VM.
#
# Runs, as it is, the Swift test bundle built on the host by
# 'swift build --build-tests' (the guest has no build environment), with
# Swift Testing and only the IntegrationTests target:
#
#     .build/debug/klpsvPackageTests.xctest \
#         --testing-library swift-testing --filter IntegrationTests
#
# Needs root and KLPSV_KMOD_DIR, the directory holding klpsv.ko and
# klpsv_test.ko. KLPSV_TEST_BUNDLE overrides the bundle's path. Prints the
# Swift Testing report and exits with the bundle's status: 0 only when
# every test passed. Writes nothing into the (read-only) repository: the
# bundle runs from a scratch directory. KLPSV_TEST_FILTER narrows the run
# to the tests it matches (a Swift Testing --filter; default: all of
# IntegrationTests). KLPSV_TEST_SHARD=I/N runs the I-th of N shares of
# those tests, whole suites each (see shard_filter), so that N VMs can run
# one suite between them (scripts/test-debug --shards N).
#
# On a debug kernel (make test-debug), KLPSV_CHECKERS names its flavour
# (kasan or kcsan): the run then fails unless kmemleak and lock debugging
# are on and the kernel reported nothing at boot, and, after the tests,
# unless lock debugging is still on and a last kmemleak scan finds nothing
# of klpsv's (the tests scan after each unload too; see Kmemleak.swift).

set -u

die() {
	echo "guest-integration: $*" >&2
	exit 1
}

repo=$(cd "$(dirname "$0")/.." && pwd)
bundle=${KLPSV_TEST_BUNDLE:-$repo/.build/debug/klpsvPackageTests.xctest}

[ -n "${KLPSV_KMOD_DIR:-}" ] || die "set KLPSV_KMOD_DIR to the directory holding klpsv.ko and klpsv_test.ko"
[ -f "$KLPSV_KMOD_DIR/klpsv.ko" ] || die "no klpsv.ko in $KLPSV_KMOD_DIR"
[ -f "$KLPSV_KMOD_DIR/klpsv_test.ko" ] || die "no klpsv_test.ko in $KLPSV_KMOD_DIR"
[ -x "$bundle" ] || die "no test bundle at $bundle (run 'swift build --build-tests' on the host)"
[ "$(id -u)" -eq 0 ] || die "must run as root"

if ! grep -q '^[^ ]* /sys/kernel/debug debugfs ' /proc/mounts; then
	mount -t debugfs none /sys/kernel/debug || die "cannot mount debugfs"
fi

# Whether a systemd-udevd process still runs: one killed stays a zombie
# until init reaps it, which a busy debug kernel's init may not do at once.
udev_alive() {
	local pid

	for pid in $(pgrep -x systemd-udevd); do
		[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" = Z ] || return 0
	done
	return 1
}

# udev has done its part, the devices of the boot (virtme-ng-init waits for
# its coldplug, or gives up after 5 minutes on a debug kernel). The tests
# need no device events, and every module load and unload, and each of
# klpsv's slab caches, is one: udev's workers would handle them on the same
# emulated CPU as the tests, and on a debug kernel still be busy with the
# coldplug when the tests begin. So udev stops first, given 20 s to finish
# what it is doing, then killed.
stop_udev() {
	local waited=0

	udev_alive || return 0
	timeout 20 udevadm control --exit 2>/dev/null || pkill -KILL -x systemd-udevd
	while udev_alive && [ "$waited" -lt 5 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	! udev_alive || die "cannot stop systemd-udevd"
	echo "guest-integration: udev stopped (the tests need no device events)" >&2
}
stop_udev

readonly KMEMLEAK=/sys/kernel/debug/kmemleak
# kmemleak reports only objects older than this many seconds.
readonly KMEMLEAK_MIN_AGE=6
# The kernel's own alarms, and checkers turning themselves off.
readonly ALARMS='WARNING:|BUG:|Oops|general protection|Call Trace:|Disabling lock debugging|suspicious RCU usage|ODEBUG:|list_(add|del) corruption'

debug_locks_on() {
	grep -Eq '^ *debug_locks: *1$' /proc/lockdep_stats 2>/dev/null
}

# Prints the kernel's alarms so far. A KCSAN report (its lines from the
# rule line before "BUG: KCSAN:" to the next) counts when its title, or a
# frame of one of its accesses' stacks ("func+0x1c/0x90 [klpsv_test]") above
# the entry of the interrupt or exception that made the access (asm_*),
# names a klpsv module: below that entry is only the code the interrupt
# happened to stop. The others are listed apart. (Not any "klpsv" in it:
# the debug kernels' release, in the report's "CPU:" line, is
# 6.1.x-klpsv-FLAVOUR.)
alarms() {
	dmesg --notime | awk -v alarms="$ALARMS" '
		function close_report() {
			if (report_named)
				print title
			else
				print "guest-integration: KCSAN, not in klpsv (not counted): " title > "/dev/stderr"
			in_report = 0
		}
		/^=+$/ && length($0) == 66 {
			if (in_report) { close_report(); next }
			rule = 1
			next
		}
		rule && /^BUG: KCSAN:/ { in_report = 1; title = $0; report_named = /klpsv/; below_entry = 0; rule = 0; next }
		{ rule = 0 }
		in_report && / on cpu [0-9]+:$/ { below_entry = 0; next }
		in_report && /^ asm_/ { below_entry = 1; next }
		in_report { if (!below_entry && /^ .*\[klpsv/) report_named = 1; next }
		$0 ~ alarms { print }
		END { if (in_report) close_report() }
	'
}

checkers_before() {
	local boot

	[ -e "$KMEMLEAK" ] || die "no $KMEMLEAK: kmemleak is off, so the run would prove nothing"
	debug_locks_on || die "lock debugging is off (/proc/lockdep_stats), so the run would prove nothing"
	boot=$(alarms)
	if [ -n "$boot" ]; then
		echo "$boot" >&2
		die "the debug kernel reported the above before any test"
	fi
	echo clear >"$KMEMLEAK" || die "cannot clear $KMEMLEAK"
	echo "guest-integration: checkers on ($KLPSV_CHECKERS, lockdep, kmemleak), boot log clean" >&2
}

checkers_after() {
	local leaks

	debug_locks_on || die "lock debugging turned itself off during the run (see the kernel log)"
	sleep "$KMEMLEAK_MIN_AGE"
	echo scan >"$KMEMLEAK" || die "cannot scan with $KMEMLEAK"
	leaks=$(grep -c '\[klpsv' "$KMEMLEAK" || true)
	if [ "$leaks" -ne 0 ]; then
		cat "$KMEMLEAK" >&2
		die "kmemleak: $leaks backtrace lines of klpsv modules in unreferenced objects"
	fi
	echo "guest-integration: checkers still on, last kmemleak scan clean" >&2
}

# shard_filter FILTER I N: a filter for the I-th of N shares of the suites
# whose tests FILTER matches. Suites go, most tests first, to the share with
# the fewest tests so far (the lowest on a tie): every suite in exactly one
# share, the same shares on every run of the same bundle.
shard_filter() {
	local filter=$1 index=$2 count=$3 suites

	suites=$("$bundle" --testing-library swift-testing --list-tests 2>/dev/null |
		grep -E -- "$filter" | sed 's|/[^/]*$||' | sort | uniq -c |
		sort -k1,1nr -k2,2 | awk -v index_="$index" -v count="$count" '
		{
			best = 1
			for (i = 2; i <= count; i++)
				if (load[i] < load[best])
					best = i
			load[best] += $1
			if (best == index_)
				printf "%s%s", (n++ ? "|" : ""), $2
		}')
	[ -n "$suites" ] || return 1
	# Suite ids hold dots, which are literal here.
	printf '(%s)/' "$(printf '%s' "$suites" | sed 's/\./\\./g')"
}

filter=${KLPSV_TEST_FILTER:-IntegrationTests}
if [ -n "${KLPSV_TEST_SHARD:-}" ]; then
	case $KLPSV_TEST_SHARD in
	[1-9]/[1-9]) ;;
	*) die "KLPSV_TEST_SHARD takes I/N, 1 <= I <= N <= 9, not '$KLPSV_TEST_SHARD'" ;;
	esac
	shard=${KLPSV_TEST_SHARD%/*} shards=${KLPSV_TEST_SHARD#*/}
	[ "$shard" -le "$shards" ] || die "KLPSV_TEST_SHARD $KLPSV_TEST_SHARD: no such share"
	filter=$(shard_filter "$filter" "$shard" "$shards") ||
		die "share $KLPSV_TEST_SHARD of '${KLPSV_TEST_FILTER:-IntegrationTests}' holds no suite"
	echo "guest-integration: share $KLPSV_TEST_SHARD: $filter" >&2
fi

[ -z "${KLPSV_CHECKERS:-}" ] || checkers_before

scratch=$(mktemp -d) || die "no writable temporary directory"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || die "cannot enter $scratch"

export KLPSV_IN_VM=1 KLPSV_KMOD_DIR
unset KLPSV_DEBUGFS
"$bundle" --testing-library swift-testing --filter "$filter"
status=$?
[ -z "${KLPSV_CHECKERS:-}" ] || checkers_after
exit "$status"
