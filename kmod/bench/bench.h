/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench.h - klpsv_bench.ko: klpsv against the kernel's klp_shadow_*
 */
#ifndef _KLPSV_BENCH_H
#define _KLPSV_BENCH_H

#include <linux/types.h>

/* Shadow ids of the benchmark: unlikely to meet anybody else's. */
#define BENCH_ID		0x6b6c7073UL	/* "klps" */
#define BENCH_ID_OTHER		0x6b6c7074UL
/* The ids of a hold: BENCH_HOLD_ID + 0 to BENCH_IDS_MAX - 1. */
#define BENCH_HOLD_ID		0x6b6c7100UL
#define BENCH_IDS_MAX		64

#define BENCH_LIVE_MAX		(1UL << 22)
#define BENCH_OPS_MAX		10000000UL
#define BENCH_REPS_MAX		31
#define BENCH_THREADS_MAX	8
#define BENCH_MS_MAX		10000
#define BENCH_DATA_SIZE		8

enum bench_workload {
	BENCH_GET_HIT,		/* get of live shadows, random order */
	BENCH_GET_MISS,		/* get of objects without a shadow */
	BENCH_ALLOC_FREE,	/* alloc then free of a new shadow */
	BENCH_FREE_ALL,		/* free_all(id) of @ops shadows among @live others */
	BENCH_SPIN,		/* work on registers only, no store: the ceiling */
	BENCH_HOLD,		/* fill ids with @live shadows each and keep them */
	BENCH_RELEASE,		/* free_all of what the hold keeps, at once */
	BENCH_NR_WORKLOADS,
};

enum bench_impl {
	BENCH_KLPSV,
	BENCH_KERNEL,
	BENCH_NR_IMPLS,
};

/**
 * struct bench_params - one benchmark run, as written to the ctl file
 * @workload:	what to time
 * @impl:	whose store
 * @live:	shadows alive while timing
 * @ops:	operations per repetition (shadows freed per call for free_all)
 * @reps:	timed repetitions, after one untimed warm-up
 * @threads:	kernel threads doing @ops each at once (get_hit, alloc_free, spin)
 * @ms:		if not 0, a repetition lasts this many milliseconds instead:
 *		each thread goes round its @ops accesses until then, and the
 *		operations done are counted (get_hit, alloc_free, spin)
 * @seed:	seed of the random access order
 * @ids:	ids filled by a hold
 * @churn:	alloc+free pairs of new objects on the first id of a hold,
 *		after it is filled
 */
struct bench_params {
	enum bench_workload workload;
	enum bench_impl impl;
	unsigned long live;
	unsigned long ops;
	unsigned int reps;
	unsigned int threads;
	unsigned int ms;
	u64 seed;
	unsigned int ids;
	unsigned long churn;
};

/**
 * struct bench_result - what a run measured
 * @ps:		picoseconds per operation of each repetition, sorted
 * @reps:	number of entries of @ps
 *
 * For free_all, one operation is one free_all() call. With several
 * threads, the time of a repetition runs from the first thread's start to
 * the last one's end, and every thread's operations count.
 */
struct bench_result {
	u64 ps[BENCH_REPS_MAX];
	unsigned int reps;
};

extern const char * const bench_workload_names[BENCH_NR_WORKLOADS];
extern const char * const bench_impl_names[BENCH_NR_IMPLS];

int bench_parse(char *line, struct bench_params *params);
int bench_run(const struct bench_params *params, struct bench_result *result);

int bench_hold(const struct bench_params *params);
int bench_release(const struct bench_params *params, unsigned long *shadows);
void bench_hold_exit(void);

/* The stores, called directly so that no indirect call is timed. */
void *bench_get(enum bench_impl impl, void *obj, unsigned long id);
void *bench_alloc(enum bench_impl impl, void *obj, unsigned long id);
void bench_free(enum bench_impl impl, void *obj, unsigned long id);
void bench_free_all(enum bench_impl impl, unsigned long id);

/**
 * bench_key() - the parent object of shadow @i
 * @i:	index
 *
 * Objects are opaque keys to both stores, never dereferenced: distinct,
 * 64-byte aligned addresses in a range no allocation uses.
 */
static inline void *bench_key(unsigned long i)
{
	return (void *)(0xffffc90000000000UL + (i << 6));
}

#endif /* _KLPSV_BENCH_H */
