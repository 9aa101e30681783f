// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - klpsv_bench.ko: populating a store and timing one workload
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include "bench.h"

/**
 * DOC: method
 *
 * A run draws the access order from @seed (the same sequence for both
 * stores), fills the chosen store with @live shadows of BENCH_ID (untimed),
 * waits two milliseconds per thousand of them for deferred work (a growing
 * table is rebuilt in a work item), runs the workload once untimed as a
 * warm-up, then @reps timed repetitions, and frees everything. Time is
 * ktime_get_ns() around a repetition. Timed loops call cond_resched() every
 * BENCH_RESCHED operations, in both stores alike. A run ends with
 * rcu_barrier(), so that the next one does not share the CPUs with its RCU
 * callbacks.
 *
 * Threads are kernel threads bound one per online CPU; each does the whole
 * @ops, on keys of its own for alloc_free. They start together: each
 * announces itself and spins until the last one has. A repetition lasts
 * from the first start to the last end, and its time per operation counts
 * every thread's operations.
 *
 * With @ms, a repetition is time-boxed instead: each thread goes round its
 * access order until @ms have passed since its start, and counts what it
 * did. That is how throughput is compared between thread counts: a thread
 * slowed by something else on its CPU does less, instead of keeping the
 * repetition open while the other idles.
 */

#define BENCH_RESCHED		4096
#define BENCH_CHUNK		256	/* operations between clock reads, time-boxed */
#define BENCH_SETTLE_PER_MS	500	/* shadows populated per ms of settling */

/**
 * struct bench_thread - one timed thread
 * @params:	the run
 * @order:	the access order, @params->ops indexes
 * @index:	which thread: its keys for alloc_free
 * @ready:	threads that have started, shared
 * @start:	when it started its loop
 * @end:	when it finished it
 * @done:	operations it did
 * @finished:	completed when it has
 * @task:	the thread
 */
struct bench_thread {
	const struct bench_params *params;
	const u32 *order;
	unsigned int index;
	atomic_t *ready;
	u64 start;
	u64 end;
	unsigned long done;
	struct completion finished;
	struct task_struct *task;
};

/* Rounds of xorshift per spin operation: about a get's time under TCG. */
#define BENCH_SPIN_ROUNDS	32

/*
 * Where spin's results go, once per call of bench_loop(), so that the
 * compiler cannot drop the work.
 */
static u32 bench_spin_sink;

/* One spin operation: arithmetic on @x only, no memory. */
static noinline u32 bench_spin_once(u32 x)
{
	unsigned int k;

	for (k = 0; k < BENCH_SPIN_ROUNDS; k++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
	}
	return x;
}

/* Operations @from to @to - 1 of the access order. */
static void bench_loop(const struct bench_params *p, const u32 *order,
		       unsigned int index, unsigned long from, unsigned long to)
{
	unsigned long i, base;
	u32 sink = 0;

	switch (p->workload) {
	case BENCH_GET_HIT:
		for (i = from; i < to; i++) {
			if (unlikely(!bench_get(p->impl, bench_key(order[i]), BENCH_ID)))
				pr_warn_once("a live shadow was not found\n");
			if (!(i % BENCH_RESCHED))
				cond_resched();
		}
		break;
	case BENCH_GET_MISS:
		for (i = from; i < to; i++) {
			if (unlikely(bench_get(p->impl, bench_key(p->live + order[i]), BENCH_ID)))
				pr_warn_once("a missing shadow was found\n");
			if (!(i % BENCH_RESCHED))
				cond_resched();
		}
		break;
	case BENCH_ALLOC_FREE:
		base = p->live + (unsigned long)index * p->ops;
		for (i = from; i < to; i++) {
			void *obj = bench_key(base + order[i]);

			bench_alloc(p->impl, obj, BENCH_ID);
			bench_free(p->impl, obj, BENCH_ID);
			if (!(i % BENCH_RESCHED))
				cond_resched();
		}
		break;
	case BENCH_SPIN:
		for (i = from; i < to; i++) {
			sink += bench_spin_once(order[i] | 1);
			if (!(i % BENCH_RESCHED))
				cond_resched();
		}
		WRITE_ONCE(bench_spin_sink, sink);
		break;
	default:
		break;
	}
}

/*
 * A time-boxed repetition: round the access order, BENCH_CHUNK operations
 * at a time, until @p->ms have passed. Return: the operations done.
 */
static unsigned long bench_loop_for(const struct bench_params *p, const u32 *order,
				    unsigned int index, u64 start)
{
	u64 deadline = start + (u64)p->ms * NSEC_PER_MSEC;
	unsigned long done = 0, pos = 0, to;

	do {
		to = min(pos + BENCH_CHUNK, p->ops);
		bench_loop(p, order, index, pos, to);
		done += to - pos;
		pos = to == p->ops ? 0 : to;
	} while (ktime_get_ns() < deadline);
	return done;
}

static int bench_thread_fn(void *data)
{
	struct bench_thread *t = data;
	const struct bench_params *p = t->params;

	atomic_inc(t->ready);
	while (atomic_read(t->ready) < p->threads)
		cond_resched();
	t->start = ktime_get_ns();
	if (p->ms) {
		t->done = bench_loop_for(p, t->order, t->index, t->start);
	} else {
		bench_loop(p, t->order, t->index, 0, p->ops);
		t->done = p->ops;
	}
	t->end = ktime_get_ns();
	complete(&t->finished);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

/*
 * One repetition on @params->threads threads: its time in ns, or an error;
 * *@done: the operations of all threads together.
 */
static s64 bench_threads(const struct bench_params *params, const u32 *order,
			 unsigned long *done)
{
	struct bench_thread *threads;
	unsigned int i, cpu = 0, started = 0;
	atomic_t ready = ATOMIC_INIT(0);
	u64 start = U64_MAX, end = 0;
	s64 ret;

	threads = kcalloc(params->threads, sizeof(*threads), GFP_KERNEL);
	if (!threads)
		return -ENOMEM;
	for (i = 0; i < params->threads; i++) {
		struct bench_thread *t = &threads[i];

		t->params = params;
		t->order = order;
		t->index = i;
		t->ready = &ready;
		init_completion(&t->finished);
		t->task = kthread_create(bench_thread_fn, t, "klpsv_bench/%u", i);
		if (IS_ERR(t->task)) {
			ret = PTR_ERR(t->task);
			goto stop;
		}
		cpu = i ? cpumask_next(cpu, cpu_online_mask) : cpumask_first(cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		kthread_bind(t->task, cpu);
		started++;
	}
	for (i = 0; i < started; i++)
		wake_up_process(threads[i].task);
	*done = 0;
	for (i = 0; i < started; i++) {
		wait_for_completion(&threads[i].finished);
		start = min(start, threads[i].start);
		end = max(end, threads[i].end);
		*done += threads[i].done;
	}
	ret = end - start;
stop:
	/* A thread created but never woken is stopped before it runs. */
	for (i = 0; i < started; i++)
		kthread_stop(threads[i].task);
	kfree(threads);
	return ret;
}

/* One free_all repetition: @ops shadows of BENCH_ID_OTHER made, then freed. */
static s64 bench_free_all_once(const struct bench_params *p)
{
	unsigned long i;
	u64 start;

	for (i = 0; i < p->ops; i++) {
		if (!bench_alloc(p->impl, bench_key(p->live + i), BENCH_ID_OTHER)) {
			bench_free_all(p->impl, BENCH_ID_OTHER);
			return -ENOMEM;
		}
	}
	start = ktime_get_ns();
	bench_free_all(p->impl, BENCH_ID_OTHER);
	return ktime_get_ns() - start;
}

static int bench_populate(const struct bench_params *p)
{
	unsigned long i;

	for (i = 0; i < p->live; i++) {
		if (!bench_alloc(p->impl, bench_key(i), BENCH_ID))
			return -ENOMEM;
		if (!(i % BENCH_RESCHED))
			cond_resched();
	}
	return 0;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * bench_run() - time one workload on one store
 * @params:	the run, validated by bench_parse()
 * @result:	filled with the time per operation of each repetition, sorted
 *
 * Context: process context, may sleep for long; the caller serialises runs.
 * Return: 0, or -ENOMEM (nothing is left allocated), -EINTR when a fatal
 * signal arrived between repetitions.
 */
int bench_run(const struct bench_params *params, struct bench_result *result)
{
	unsigned long range = params->workload == BENCH_ALLOC_FREE ? params->ops : params->live;
	struct rnd_state rnd;
	unsigned long done;
	unsigned int rep;
	u32 *order;
	s64 ns;
	int err;

	order = vmalloc(array_size(params->ops, sizeof(*order)));
	if (!order)
		return -ENOMEM;
	prandom_seed_state(&rnd, params->seed);
	for (rep = 0; rep < params->ops; rep++)
		order[rep] = prandom_u32_state(&rnd) % range;

	err = bench_populate(params);
	if (err)
		goto out;
	/* klpsv's tables grow in a work item: let it finish, in both stores alike. */
	msleep(DIV_ROUND_UP(params->live, BENCH_SETTLE_PER_MS));
	result->reps = 0;
	/* Repetition 0 is the warm-up. */
	for (rep = 0; rep <= params->reps; rep++) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto out;
		}
		if (params->workload == BENCH_FREE_ALL) {
			ns = bench_free_all_once(params);
			done = 1;	/* one call */
		} else {
			ns = bench_threads(params, order, &done);
		}
		if (ns < 0) {
			err = ns;
			goto out;
		}
		if (rep)
			result->ps[result->reps++] = div64_u64((u64)ns * 1000, done);
	}
	sort(result->ps, result->reps, sizeof(result->ps[0]), bench_cmp_u64, NULL);
out:
	bench_free_all(params->impl, BENCH_ID);
	/* The next run should not pay for this one's deferred frees. */
	rcu_barrier();
	vfree(order);
	return err;
}
