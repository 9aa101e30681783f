# SPDX-License-Identifier: GPL-2.0-or-later
# The objects of klpsv.ko, for kmod/Kbuild and for the Kbuild of the DKMS
# package (debian/klpsv-dkms.Kbuild), which builds klpsv.ko alone.
klpsv-y := klpsv/main.o klpsv/store.o klpsv/table.o klpsv/memory.o \
	   klpsv/free.o klpsv/batch.o klpsv/recycle.o klpsv/cpuhp.o klpsv/reclaim.o klpsv/idtable.o klpsv/state.o klpsv/takeover.o \
	   klpsv/going.o klpsv/state_show.o klpsv/debugfs.o
