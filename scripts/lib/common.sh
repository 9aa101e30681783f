# SPDX-License-Identifier: GPL-2.0-or-later
#
# common.sh - shell helpers shared by scripts/setup, scripts/vm and
# scripts/kernel. Source it; it defines functions and constants only.
#
# The sourcing script sets KLPSV_TAG (the "setup"/"vm"/"kernel" prefix of its
# messages) before calling say/warn/die.

# Repository root: this file lives in scripts/lib/.
KLPSV_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly KLPSV_REPO

# The project's Python venv holding virtme-ng, and the pinned version.
readonly KLPSV_VENV=$KLPSV_REPO/.venv
readonly KLPSV_VIRTME_NG_VERSION=1.42
# Present once virtme-ng is installed at that version into the venv.
readonly KLPSV_VENV_STAMP=$KLPSV_VENV/.klpsv-virtme-ng-$KLPSV_VIRTME_NG_VERSION

# VM state: accel cache, logs, per-run folders, and the guest's output folder.
# KLPSV_VM_STATE=DIR gives a run a folder of its own, so that two VMs can run
# from one checkout at once (.ci/run's debug lane beside `make test`).
KLPSV_VM_STATE=${KLPSV_VM_STATE:-$KLPSV_REPO/.vm}
readonly KLPSV_VM_STATE

# Progress line on stdout.
say() {
	echo "${KLPSV_TAG:-klpsv}: $*"
}

# Diagnostic on stderr.
warn() {
	echo "${KLPSV_TAG:-klpsv}: $*" >&2
}

# Error on stderr, then exit (status $DIE_STATUS, default 1).
die() {
	warn "$@"
	exit "${DIE_STATUS:-1}"
}

# True when a Debian package is fully installed.
pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
