#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo.sh - the klpsv walkthrough, run inside the test VM by 'make demo'.
#
# Loads klpsv.ko and its test hooks, then walks through the use cases of
# Documentation/livepatch/shadow-vars.rst with shadowctl, showing the store's
# statistics after each step. Needs root and KLPSV_KMOD_DIR.

set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
shadowctl=${SHADOWCTL:-$repo/.build/debug/shadowctl}

[ -x "$shadowctl" ] || { echo "demo: no shadowctl at $shadowctl (run 'swift build')" >&2; exit 1; }

bold=$(printf '\033[1m') plain=$(printf '\033[0m')
[ -t 1 ] || { bold='' plain=''; }

step() {
	printf '\n%s== %s%s\n' "$bold" "$*" "$plain"
}

say() {
	printf '   %s\n' "$@"
}

# Runs shadowctl, showing the command line first.
run() {
	printf '%s$ shadowctl %s%s\n' "$bold" "$*" "$plain"
	"$shadowctl" "$@"
}

# Like run, for a command that is expected to report "not found" (exit 5).
run_expect_null() {
	local status=0

	printf '%s$ shadowctl %s%s\n' "$bold" "$*" "$plain"
	"$shadowctl" "$@" || status=$?
	if [ "$status" -ne 5 ]; then
		echo "demo: expected exit status 5 (NULL), got $status" >&2
		exit 1
	fi
	say "(exit status 5: the API returned NULL, as it should)"
}

stats() {
	run stats
}

klpsv_log() {
	dmesg | grep -E 'klpsv(_test)?:' | sed -n "$1"',$p' | sed 's/^/   kernel: /'
}

cleanup() {
	"$shadowctl" unload >/dev/null 2>&1 || true
}
trap cleanup EXIT

log_start=$(( $(dmesg | grep -c -E 'klpsv(_test)?:' || true) + 1 ))

step "Load klpsv.ko and the test hooks (klpsv_test.ko)"
run load --hooks
run status

step "1. Matching the parent's lifecycle: PS_LOCK (id 1) is allocated with each sta_info"
say "A livepatched sta_info_alloc() attaches a shadow spinlock to every new parent,"
say "and sta_info_free() frees it with the parent."
run obj new sta1
run obj new sta2
run alloc sta1 1 64 --ctor fill:0x11
run alloc sta2 1 64 --ctor fill:0x22
run get sta1 1
stats
say "sta1 goes away: its shadow first, then the parent."
run free sta1 1
run obj del sta1
stats

step "2. In-flight parents: get-or-alloc attaches a shadow only when first needed"
run obj new sta3
run_expect_null get sta3 1
run get-or-alloc sta3 1 64 --ctor fill:0x33
say "A second call finds the same variable; the constructor does not run again."
run get-or-alloc sta3 1 64 --ctor fill:0x44
stats

step "3. A flag shadow (id 2): its existence is the information"
say "New code marks the objects it created; the size may be zero."
run alloc sta2 2 0
run get sta2 2
run_expect_null get sta3 2

step "4. A global shadow on the NULL object (id 3): state handed from one livepatch to the next"
run alloc null 3 16 --ctor fill:0x7f
run get null 3
run list

step "5. Misuse is refused without a splat: a second alloc of <sta2, 1>"
run_expect_null alloc sta2 1 64 --ctor fill:0x55
say "The data of the existing variable is untouched:"
run get sta2 1

step "6. free_all(1): every PS_LOCK at once, and nothing of ids 2 and 3"
run free-all 1
stats
run list

step "Clean up: the remaining shadows and parents, then unload"
run free sta2 2
run free null 3
run obj del sta2
run obj del sta3
stats
run unload

step "What klpsv and the hooks wrote to the kernel log"
klpsv_log "$log_start"
trap - EXIT
