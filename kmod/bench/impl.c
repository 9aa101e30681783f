// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * impl.c - klpsv_bench.ko: the two stores behind one set of calls
 *
 * Each wrapper is a switch on the implementation around a direct call, and
 * is inlined into nothing: both stores pay the same call into this file,
 * and neither pays an indirect (retpoline) call.
 */

#include <linux/livepatch.h>
#include <linux/slab.h>
#include <klpsv.h>
#include "bench.h"

void *bench_get(enum bench_impl impl, void *obj, unsigned long id)
{
	if (impl == BENCH_KLPSV)
		return klpsv_shadow_get(obj, id);
	return klp_shadow_get(obj, id);
}

void *bench_alloc(enum bench_impl impl, void *obj, unsigned long id)
{
	if (impl == BENCH_KLPSV)
		return klpsv_shadow_alloc(obj, id, BENCH_DATA_SIZE, GFP_KERNEL,
					  NULL, NULL);
	return klp_shadow_alloc(obj, id, BENCH_DATA_SIZE, GFP_KERNEL, NULL, NULL);
}

void bench_free(enum bench_impl impl, void *obj, unsigned long id)
{
	if (impl == BENCH_KLPSV)
		klpsv_shadow_free(obj, id, NULL);
	else
		klp_shadow_free(obj, id, NULL);
}

void bench_free_all(enum bench_impl impl, unsigned long id)
{
	if (impl == BENCH_KLPSV)
		klpsv_shadow_free_all(id, NULL);
	else
		klp_shadow_free_all(id, NULL);
}
