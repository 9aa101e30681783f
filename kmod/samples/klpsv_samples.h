/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpsv_samples.h - the system states of the sample livepatches
 *
 * The samples fix klpsv_target.ko in steps, as a distribution would ship
 * cumulative livepatches:
 *
 *  klpsv_fix1	counts the touches of every object: state 1, is_shadow, a
 *		shadow per object
 *  klpsv_fix2	cumulative: keeps state 1, adds state 2, the running total of
 *		touches in one global shadow that its callbacks manage
 *  klpsv_fix3	cumulative: drops state 1 (klpsv frees its shadows), keeps 2
 *  klpsv_limit	raises the object limit: state 7, block_disable, since the
 *		old code cannot cope with the objects the new one allows
 *  klpsv_nap	redirects the target's nap, so that a napping task holds its
 *		transition open: state 8, is_shadow
 */
#ifndef _KLPSV_SAMPLES_H
#define _KLPSV_SAMPLES_H

#include <linux/atomic.h>

#define KLPSV_SAMPLE_TOUCHES	1	/* per-object touch count, is_shadow */
#define KLPSV_SAMPLE_TOTAL	2	/* global touch total, manual lifetime */
#define KLPSV_SAMPLE_LIMIT	7	/* raised object limit, block_disable */
#define KLPSV_SAMPLE_NAP	8	/* the patched nap, is_shadow */

/* The raised limit of klpsv_limit. */
#define KLPSV_SAMPLE_RAISED_LIMIT	4096

/**
 * struct klpsv_sample_touches - shadow of state 1, one per object
 * @touches:	how often the object was touched since it got the shadow
 */
struct klpsv_sample_touches {
	unsigned long touches;
};

/**
 * struct klpsv_sample_total - shadow of state 2, of the NULL object
 * @touches:	touches of every object since state 2 was introduced
 */
struct klpsv_sample_total {
	atomic_long_t touches;
};

#endif /* _KLPSV_SAMPLES_H */
