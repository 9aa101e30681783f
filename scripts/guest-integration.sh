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
# bundle runs from a scratch directory.

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

scratch=$(mktemp -d) || die "no writable temporary directory"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || die "cannot enter $scratch"

export KLPSV_IN_VM=1 KLPSV_KMOD_DIR
unset KLPSV_DEBUGFS
"$bundle" --testing-library swift-testing --filter IntegrationTests
