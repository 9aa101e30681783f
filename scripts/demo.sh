#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo.sh - the klpsv walkthrough, run inside the test VM by 'make demo'.
#
# Loads klpsv.ko and its test hooks, walks through the use cases of
# Documentation/livepatch/shadow-vars.rst with shadowctl, then through the
# life of system states on real livepatches of a real module (kmod/samples:
# klpsv_target, fix 1, cumulative fix 2, fix 3 dropping state 1, a
# block_disable patch, a transition held open), showing the objects, states
# and statistics after each step. Needs root and KLPSV_KMOD_DIR.

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

kmod=${KLPSV_KMOD_DIR:?set KLPSV_KMOD_DIR}
readonly SETTLE_TRIES=150	# x 0.2 s: how long a transition or a module reference may take
livepatch=/sys/kernel/livepatch

# Waits, bounded, for livepatch $1's transition to finish.
wait_transition() {
	local i state

	for ((i = 0; i < SETTLE_TRIES; i++)); do
		# The directory goes away when a disabled patch is freed.
		state=$(cat "$livepatch/$1/transition" 2>/dev/null) || return 0
		[ "$state" = 0 ] && return 0
		sleep 0.2
	done
	echo "demo: the transition of $1 did not finish" >&2
	exit 1
}

# Loads livepatch module $1 (with its parameters) with shadowctl, which
# waits for the transition and tells what it did to the states.
patch_load() {
	run patch load "$@"
}

# Disables livepatch $1 (with shadowctl's options) and waits likewise.
patch_disable() {
	run patch disable "$@"
}

# Runs shadowctl, expecting it to refuse (exit status 1).
run_refused() {
	local status=0

	printf '%s$ shadowctl %s%s\n' "$bold" "$*" "$plain"
	"$shadowctl" "$@" 2>&1 | sed 's/^/   /' || status=$?
	if [ "$status" -ne 1 ]; then
		echo "demo: expected exit status 1 (refused), got $status" >&2
		exit 1
	fi
}

# Unloads livepatch module $1 once the livepatch core has let it go.
patch_unload() {
	run patch unload "$1"
}

target() {
	printf '%s# echo %s > %s/ctl%s\n' "$bold" "$*" "$target_dir" "$plain"
	echo "$*" >"$target_dir/ctl"
}

objects() {
	printf '%s# cat %s/objects%s\n' "$bold" "$target_dir" "$plain"
	sed 's/^/   /' "$target_dir/objects"
}

show_states() {
	run states
	run patches
}

# Shows the kernel log lines logged since the last call (state callbacks).
log_seen=$(dmesg | wc -l)
new_log() {
	local total

	total=$(dmesg | wc -l)
	dmesg | tail -n "$((total - log_seen))" | sed 's/^\[[^]]*\] //' |
		grep -E '^klpsv: .*(: state [0-9]+: |refused|block_disable|orphan)|^klpsv_(fix[0-9]|limit|nap): ' |
		sed 's/^/   kernel: /' || true
	log_seen=$total
}

readonly patches="klpsv_nap klpsv_vp1 klpsv_limit klpsv_fix3 klpsv_fix2 klpsv_fix1"
readonly target_dir=/sys/kernel/debug/klpsv_target

cleanup() {
	local p

	[ -e "$target_dir/ctl" ] && echo release >"$target_dir/ctl" 2>/dev/null
	for p in $patches; do
		[ -e "$livepatch/$p" ] && echo 0 >"$livepatch/$p/enabled" 2>/dev/null
		wait_transition "$p"
	done
	for p in $patches; do rmmod "$p" 2>/dev/null; done
	rmmod klpsv_target 2>/dev/null
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

say "The shadows of this walkthrough are done with:"
run free sta2 2
run free null 3
run obj del sta2
run obj del sta3
stats

step "7. System states: real livepatches of a real module"
say "klpsv_target.ko keeps objects that come and go. Its sample livepatches call"
say "klpsv_enable_patch(patch, states) instead of klp_enable_patch(patch)."
printf '%s# insmod klpsv_target.ko%s\n' "$bold" "$plain"
insmod "$kmod/klpsv_target.ko"
target new 3
objects

step "8. Fix 1 counts touches per object: state 1, is_shadow"
say "New objects get their shadow at birth, once patching is complete"
say "(klpsv_state_enabled); older ones (in-flight parents) at their first touch."
new_log >/dev/null
patch_load klpsv_fix1
new_log
target new 2
target touch
target touch
objects
show_states
stats

step "9. Cumulative fix 2 keeps state 1 and adds state 2, a running total"
patch_load klpsv_fix2
new_log
say "No callback for state 1: its shadows, and the counts, survive the replace."
target touch
objects
show_states
patch_unload klpsv_fix1

step "10. Cumulative fix 3 drops state 1: klpsv frees its shadows"
patch_load klpsv_fix3
new_log
target touch
objects
show_states
stats
patch_unload klpsv_fix2

step "11. block_disable: a raised limit that must never be reverted (state 7)"
patch_load klpsv_limit
new_log
target new 1000
say "1005 objects now: more than the old code's limit of 1000."
say "A replace that would drop state 7 is refused before anything changes:"
run_refused patch load klpsv_fix1
new_log
say "shadowctl will not disable the last patch that supports state 7:"
run_refused patch disable klpsv_limit
say "But the stock kernel cannot veto 'echo 0 > enabled' (--force does just that);"
say "klpsv keeps the state in force and the patch as an orphan, its module loaded:"
patch_disable klpsv_limit --force
new_log
run_refused patch unload klpsv_limit
show_states
say "A later patch that declares state 7 adopts it, and the orphan is released:"
patch_load klpsv_vp1 states=7
new_log
show_states
patch_unload klpsv_limit
target clear
patch_disable klpsv_vp1
new_log
patch_unload klpsv_vp1

step "12. The patching-complete switch, seen by new code (state 8)"
say "A task naps in klpsv_target_nap(); klpsv_nap redirects it, so its transition"
say "stays open until the task wakes. Its new code asks klpsv_state_enabled(8)."
target hold
say "shadowctl waits 3 s for the transition, then names the task holding it up:"
run_refused patch load klpsv_nap --timeout 3
new_log
target new 1
objects
run states
target release
wait_transition klpsv_nap
new_log
objects

step "Clean up: disable the patches, unload the target and klpsv"
patch_disable klpsv_nap
new_log
patch_unload klpsv_nap
patch_disable klpsv_fix3
new_log
patch_unload klpsv_fix3
printf '%s# rmmod klpsv_target%s\n' "$bold" "$plain"
rmmod klpsv_target
stats
run unload

step "What klpsv wrote to the kernel log about shadows"
klpsv_log "$log_start" | grep -v -E 'klpsv_vp|: state [0-9]+:'
trap - EXIT
