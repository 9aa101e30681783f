# SPDX-License-Identifier: GPL-2.0-or-later
#
# kernels.sh - the Debian kernels klpsv supports, by name. Source it after
# common.sh; it defines constants and functions only.
#
# A name is a series and a flavour, as Debian 12 ships them:
#
#   name     meta packages                                release, e.g.
#   6.1      linux-image-amd64, linux-headers-amd64       6.1.0-57-amd64
#   6.1-rt   linux-image-rt-amd64, linux-headers-rt-amd64 6.1.0-57-rt-amd64
#   6.12     linux-image-6.12-amd64, ...-headers-...      6.12.117+deb12-amd64
#   6.12-rt  linux-image-6.12-rt-amd64, ...               6.12.117+deb12-rt-amd64
#
# A name stands for the newest installed release of its series and flavour,
# so it follows Debian's security updates (the ABI number moves).

# The matrix: every kernel `make test-matrix` runs on and `scripts/setup`
# installs. KLPSV_KERNELS (the Makefile's KERNELS) narrows or reorders it.
readonly KLPSV_KERNEL_MATRIX=(6.1 6.1-rt 6.12 6.12-rt)
# The kernel of `make test`, `make demo` and `make bench` by default.
readonly KLPSV_DEFAULT_KERNEL=6.1

# True when $1 is a name of the matrix.
kernel_is_name() {
	local name

	for name in "${KLPSV_KERNEL_MATRIX[@]}"; do
		[ "$1" = "$name" ] && return 0
	done
	return 1
}

# kernel_packages NAME: the Debian meta packages of its image and headers.
kernel_packages() {
	local series=${1%-rt} flavour=amd64 prefix=""

	[ "$1" = "$series" ] || flavour=rt-amd64
	# Debian 12's own series has unversioned meta packages.
	[ "$series" = 6.1 ] || prefix=$series-
	echo "linux-image-$prefix$flavour linux-headers-$prefix$flavour"
}

# kernel_matches NAME RELEASE: true when RELEASE (a /boot/vmlinuz-RELEASE) is
# of NAME's series and flavour: 6.1.0-57-amd64 is 6.1, not 6.1-rt or 6.12.
kernel_matches() {
	local series=${1%-rt} flavour=amd64

	[ "$1" = "$series" ] || flavour=rt-amd64
	[[ $2 =~ ^${series//./\\.}\.[0-9][^-]*(-[0-9]+)?-$flavour$ ]]
}

# kernel_names: the names KLPSV_KERNELS lists, or the whole matrix when it is
# empty, one per line; dies (status 2) naming the first that is none.
kernel_names() {
	local name names

	read -r -a names <<<"${KLPSV_KERNELS:-${KLPSV_KERNEL_MATRIX[*]}}"
	for name in "${names[@]}"; do
		kernel_is_name "$name" ||
			DIE_STATUS=2 die "KERNELS: $name is not a kernel of the matrix (${KLPSV_KERNEL_MATRIX[*]})"
	done
	printf '%s\n' "${names[@]}"
}
