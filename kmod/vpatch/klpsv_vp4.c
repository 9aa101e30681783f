// SPDX-License-Identifier: GPL-2.0-or-later
/* klpsv_vp4.ko: one of the virtual test patches (see klpsv_vp.c) */
#include "klpsv_vp.c"
