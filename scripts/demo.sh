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

# Loads virtual livepatch klpsv_vpN with its parameters, and waits.
patch_load() {
	local name=klpsv_vp$1

	shift
	printf '%s# insmod %s.ko %s%s\n' "$bold" "$name" "$*" "$plain"
	insmod "$kmod/$name.ko" "$@" || return
	wait_transition "$name"
}

patch_disable() {
	printf '%s# echo 0 > %s/klpsv_vp%s/enabled%s\n' "$bold" "$livepatch" "$1" "$plain"
	echo 0 >"$livepatch/klpsv_vp$1/enabled"
	wait_transition "klpsv_vp$1"
}

# Unloads klpsv_vpN once the livepatch core has let it go.
patch_unload() {
	local i

	for ((i = 0; i < SETTLE_TRIES; i++)); do
		rmmod "klpsv_vp$1" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "demo: klpsv_vp$1 could not be unloaded" >&2
	exit 1
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
		grep -E '^klpsv_vp[0-9]: |^klpsv: .*(removed|refused|block_disable|orphan)' |
		sed 's/^/   kernel: /' || true
	log_seen=$total
}

cleanup() {
	local n

	for n in 1 2 3 4; do
		[ -e "$livepatch/klpsv_vp$n" ] && echo 0 >"$livepatch/klpsv_vp$n/enabled" 2>/dev/null
	done
	for n in 1 2 3 4; do rmmod "klpsv_vp$n" 2>/dev/null; done
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

step "7. System states: a livepatch declares what it changes"
say "A livepatch calls klpsv_enable_patch(patch, states) instead of klp_enable_patch()."
say "klpsv_vp1 is a virtual livepatch (states, no function redirected): it introduces"
say "state 1 (is_shadow: shadows with id 1 live and die with it) and state 2."
new_log >/dev/null
patch_load 1 states=1s,2
new_log
say "state 1's post_patch made a global shadow; sta2 and sta3 get one each:"
run alloc sta2 1 64 --ctor fill:0x21
run alloc sta3 1 64 --ctor fill:0x31
show_states

step "8. A cumulative replacement that keeps state 1, drops state 2 and adds state 3"
patch_load 2 states=1s,3 replace=1
new_log
say "No callback for state 1, and its shadows survive the replacement:"
run get sta2 1 --len 8
show_states
patch_unload 1

step "9. A cumulative replacement that drops state 1: its shadows go with it"
patch_load 3 states=3 replace=1
new_log
stats
say "An id whose state was removed is refused:"
run_expect_null alloc sta2 1 8
new_log
patch_unload 2

step "10. block_disable: a state that must never be reverted"
patch_load 4 states=5b
new_log
say "The stock kernel cannot veto 'echo 0 > enabled'; klpsv keeps the state in force:"
patch_disable 4
new_log
show_states
say "A replacement that would drop state 5 is refused before anything changes:"
printf '%s# insmod klpsv_vp1.ko states=6 replace=1%s\n' "$bold" "$plain"
if insmod "$kmod/klpsv_vp1.ko" states=6 replace=1 2>&1 | sed 's/^/   /'; then :; fi
new_log
say "One that declares state 5 adopts it, and the orphan is released:"
patch_load 1 states=3,5 replace=1
new_log
show_states
patch_unload 3
patch_unload 4

step "Clean up: disable the last patch, free what is left, unload"
patch_disable 1
new_log
patch_unload 1
run free sta2 2
run free null 3
run obj del sta2
run obj del sta3
stats
run unload

step "What klpsv wrote to the kernel log about shadows"
klpsv_log "$log_start" | grep -v -E 'klpsv_vp|: state [0-9]+:'
trap - EXIT
