// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hold.c - klpsv_bench.ko: shadows kept between two commands, for memory
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include "bench.h"

/**
 * DOC: memory
 *
 * Memory is measured as the whole system sees it, from user space
 * (`shadowctl bench` reads /proc/meminfo), around two commands that keep
 * shadows in between:
 *
 * - hold: fills @ids ids, BENCH_HOLD_ID on, with @live shadows of 8 data
 *   bytes each, GFP_KERNEL, on distinct opaque keys; then makes @churn
 *   alloc+free pairs of new objects on the first id; then rcu_barrier().
 *   The shadows stay. What the churn freed is given back by each store in
 *   its own time (klpsv: a second and a grace period; the kernel's
 *   kfree_rcu() batches: a few seconds), which the caller waits out.
 * - release: free_all of every id of the hold, and returns at once: what
 *   the store has not given back a second later is what it keeps.
 *
 * One hold at a time, of one store; unload releases it. Both commands are
 * serialised with the runs by the caller.
 */

static struct {
	bool held;
	enum bench_impl impl;
	unsigned int ids;
	unsigned long live;
} bench_held;

static void bench_hold_free(enum bench_impl impl, unsigned int ids)
{
	unsigned int k;

	for (k = 0; k < ids; k++)
		bench_free_all(impl, BENCH_HOLD_ID + k);
}

/**
 * bench_hold() - fill a store and keep what it holds
 * @params:	a hold command, validated by bench_parse()
 *
 * Context: process context, may sleep for long; serialised by the caller.
 * Return: 0; -EBUSY when a hold is kept already; -ENOMEM when the store
 * returned NULL, or -EINTR (a fatal signal), with nothing left allocated.
 */
int bench_hold(const struct bench_params *params)
{
	unsigned long i, n = 0;
	unsigned int k;
	void *obj;
	int err = 0;

	if (bench_held.held)
		return -EBUSY;

	for (k = 0; k < params->ids && !err; k++) {
		for (i = 0; i < params->live; i++, n++) {
			if (!bench_alloc(params->impl, bench_key(i), BENCH_HOLD_ID + k)) {
				err = -ENOMEM;
				break;
			}
			if (!(n % 4096)) {
				cond_resched();
				if (fatal_signal_pending(current)) {
					err = -EINTR;
					break;
				}
			}
		}
	}
	for (i = 0; i < params->churn && !err; i++) {
		obj = bench_key(params->live + i);
		if (!bench_alloc(params->impl, obj, BENCH_HOLD_ID)) {
			err = -ENOMEM;
			break;
		}
		bench_free(params->impl, obj, BENCH_HOLD_ID);
		if (!(i % 4096)) {
			cond_resched();
			if (fatal_signal_pending(current))
				err = -EINTR;
		}
	}
	if (err) {
		bench_hold_free(params->impl, params->ids);
		rcu_barrier();
		return err;
	}
	rcu_barrier();

	bench_held.held = true;
	bench_held.impl = params->impl;
	bench_held.ids = params->ids;
	bench_held.live = params->live;
	return 0;
}

/**
 * bench_release() - free what a hold keeps, without waiting
 * @params:	a release command, of the store of the hold
 * @shadows:	set to the number of shadows freed
 *
 * Context: process context; serialised by the caller.
 * Return: 0, or -EINVAL when no hold of that store is kept.
 */
int bench_release(const struct bench_params *params, unsigned long *shadows)
{
	if (!bench_held.held || bench_held.impl != params->impl)
		return -EINVAL;
	bench_hold_free(bench_held.impl, bench_held.ids);
	*shadows = bench_held.live * bench_held.ids;
	bench_held.held = false;
	return 0;
}

/**
 * bench_hold_exit() - release a hold left at unload, and wait for its frees
 *
 * Context: process context (module exit).
 */
void bench_hold_exit(void)
{
	if (!bench_held.held)
		return;
	bench_hold_free(bench_held.impl, bench_held.ids);
	bench_held.held = false;
	rcu_barrier();
}
