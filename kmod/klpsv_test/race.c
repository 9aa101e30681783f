// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * race.c - klpsv_test.ko: the "race" command, kernel threads racing on klpsv
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/lockdep.h>
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <klpsv.h>
#include "klpsv_test.h"

/**
 * DOC: race
 *
 * "race" starts kernel threads that hammer one shadow id over a set of parent
 * objects private to the race, so that no other shadow of the id is ever
 * touched: each iteration picks an object and does get_or_alloc (the
 * constructor writes the object's address, then %KLPSV_RACE_MAGIC), get
 * (inside an RCU read-side section, checking that the shadow found is the
 * object's and whole) or free (counting destructor, checking the same).
 * At the end the shadows left are freed with klpsv_shadow_free() on each
 * private object, never with klpsv_shadow_free_all(), which would also free
 * the shadows of other parents.
 *
 * Each thread has its own xorshift64 generator with a fixed seed, so each
 * thread's sequence of operations is the same on every run; their
 * interleaving is not.
 *
 * The threads wait for a start completion, so that they start together, and
 * complete their own completion when done. The command waits for all of them
 * (killable: a fatal signal stops the threads early) and then reaps them
 * with kthread_stop(), holding a task reference, so that no thread still runs
 * module code when the command returns.
 *
 * Context and locking: klpsv_test_race() runs in process context with
 * klpsv_test_mutex held, so one race runs at a time; klpsv_race_cur points to
 * it while its threads may call the constructor or destructor, which have no
 * other way to find the race. The constructor runs in the thread that calls
 * get_or_alloc and counts into that thread's counters; the destructor may
 * run in any of the threads, so its counters are atomic. Per-thread counters
 * are read by the command only after the thread completed.
 */

#define KLPSV_RACE_SIZE		16
#define KLPSV_RACE_MAGIC	0x5a

/**
 * struct klpsv_race_obj - a private parent object of a race
 * @index:	its index, so that objects have a size and are distinct
 */
struct klpsv_race_obj {
	unsigned long index;
};

struct klpsv_race;

/**
 * struct klpsv_race_thread - one racing thread
 * @race:	the race
 * @task:	the thread
 * @done:	completed when the thread is done with klpsv
 * @rnd:	xorshift64 state
 * @obj:	the object of the get_or_alloc in progress, for the constructor
 * @gets:	get operations
 * @hits:	get operations that found a shadow
 * @ctor:	constructor calls
 * @errors:	failed checks, besides the destructor's
 */
struct klpsv_race_thread {
	struct klpsv_race *race;
	struct task_struct *task;
	struct completion done;
	u64 rnd;
	void *obj;
	unsigned long gets;
	unsigned long hits;
	unsigned long ctor;
	unsigned long errors;
};

/**
 * struct klpsv_race - one race
 * @id:		the shadow id
 * @iterations:	iterations per thread
 * @nobjs:	number of @objs
 * @objs:	the private parent objects
 * @start:	completed when all threads are created
 * @stop:	tells the threads to stop early
 * @dtor:	destructor calls
 * @dtor_errors: destructor calls that failed their checks
 * @nthreads:	number of @threads
 * @threads:	the threads
 */
struct klpsv_race {
	unsigned long id;
	unsigned int iterations;
	unsigned int nobjs;
	struct klpsv_race_obj *objs;
	struct completion start;
	bool stop;
	atomic_long_t dtor;
	atomic_long_t dtor_errors;
	unsigned int nthreads;
	struct klpsv_race_thread threads[];
};

static struct klpsv_race *klpsv_race_cur;

static bool klpsv_race_is_obj(struct klpsv_race *race, void *obj)
{
	unsigned long base = (unsigned long)race->objs;
	unsigned long p = (unsigned long)obj;

	return p >= base && (p - base) % sizeof(*race->objs) == 0 &&
	       (p - base) / sizeof(*race->objs) < race->nobjs;
}

static struct klpsv_race_thread *klpsv_race_thread_of(struct klpsv_race *race,
						      void *ctor_data)
{
	unsigned int i;

	for (i = 0; i < race->nthreads; i++)
		if (ctor_data == &race->threads[i] &&
		    race->threads[i].task == current)
			return &race->threads[i];
	return NULL;
}

static int klpsv_race_ctor(void *obj, void *shadow_data, void *ctor_data)
{
	struct klpsv_race *race = READ_ONCE(klpsv_race_cur);
	struct klpsv_race_thread *th;

	if (WARN_ON_ONCE(!race))
		return -EINVAL;
	/* Counts nowhere when ctor_data is not the calling thread's. */
	th = klpsv_race_thread_of(race, ctor_data);
	if (WARN_ON_ONCE(!th))
		return -EINVAL;

	th->ctor++;
	if (obj != th->obj || !shadow_data ||
	    memchr_inv(shadow_data, 0, KLPSV_RACE_SIZE) ||
	    !klpsv_test_atomic_context()) {
		th->errors++;
		if (!shadow_data)
			return -EINVAL;
	}
	memcpy(shadow_data, &obj, sizeof(obj));
	memset(shadow_data + sizeof(obj), KLPSV_RACE_MAGIC,
	       KLPSV_RACE_SIZE - sizeof(obj));
	return 0;
}

/* Whether @data is what the constructor wrote for @obj. */
static bool klpsv_race_data_ok(void *obj, const void *data)
{
	void *owner;

	memcpy(&owner, data, sizeof(owner));
	return owner == obj &&
	       !memchr_inv(data + sizeof(owner), KLPSV_RACE_MAGIC,
			   KLPSV_RACE_SIZE - sizeof(owner));
}

static void klpsv_race_dtor(void *obj, void *shadow_data)
{
	struct klpsv_race *race = READ_ONCE(klpsv_race_cur);

	if (WARN_ON_ONCE(!race))
		return;

	atomic_long_inc(&race->dtor);
	if (!klpsv_race_is_obj(race, obj) || !shadow_data ||
	    !klpsv_race_data_ok(obj, shadow_data))
		atomic_long_inc(&race->dtor_errors);
}

static u64 klpsv_race_rnd(struct klpsv_race_thread *th)
{
	u64 x = th->rnd;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	th->rnd = x;
	return x;
}

static void klpsv_race_step(struct klpsv_race_thread *th)
{
	struct klpsv_race *race = th->race;
	u64 r = klpsv_race_rnd(th);
	void *obj = &race->objs[(u32)(r >> 32) % race->nobjs];
	void *data;

	switch ((u32)r % 3) {
	case 0:
		th->obj = obj;
		if (!klpsv_shadow_get_or_alloc(obj, race->id, KLPSV_RACE_SIZE,
					       GFP_KERNEL, klpsv_race_ctor, th))
			th->errors++;
		break;
	case 1:
		th->gets++;
		rcu_read_lock();
		data = klpsv_shadow_get(obj, race->id);
		if (data) {
			th->hits++;
			if (!klpsv_race_data_ok(obj, data))
				th->errors++;
		}
		rcu_read_unlock();
		break;
	default:
		klpsv_shadow_free(obj, race->id, klpsv_race_dtor);
		break;
	}
}

static int klpsv_race_thread_fn(void *arg)
{
	struct klpsv_race_thread *th = arg;
	struct klpsv_race *race = th->race;
	unsigned int i;

	wait_for_completion(&race->start);
	for (i = 0; i < race->iterations && !READ_ONCE(race->stop); i++) {
		klpsv_race_step(th);
		cond_resched();
	}
	complete(&th->done);
	return 0;
}

/**
 * klpsv_test_race() - run a race
 * @id:		the shadow id
 * @nthreads:	threads, 1 to 8
 * @iterations:	iterations per thread
 * @nobjs:	private parent objects
 * @res:	the outcome, filled in on success
 *
 * Leaves no shadow of <private object, @id> behind, also on failure.
 *
 * Context: process context, klpsv_test_mutex held; sleeps until the race is
 * over.
 * Return: 0, -ENOMEM, -EINTR when a fatal signal stopped the race or thread
 * creation, or another error of kthread_create().
 */
int klpsv_test_race(unsigned long id, unsigned int nthreads,
		    unsigned int iterations, unsigned int nobjs,
		    struct klpsv_test_race_res *res)
{
	struct klpsv_race_thread *th;
	struct task_struct *task;
	struct klpsv_race *race;
	unsigned int i, started = 0;
	int err = 0;

	lockdep_assert_held(&klpsv_test_mutex);

	race = kzalloc(struct_size(race, threads, nthreads), GFP_KERNEL);
	if (!race)
		return -ENOMEM;

	race->objs = kcalloc(nobjs, sizeof(*race->objs), GFP_KERNEL);
	if (!race->objs) {
		err = -ENOMEM;
		goto out_race;
	}
	for (i = 0; i < nobjs; i++)
		race->objs[i].index = i;

	race->id = id;
	race->iterations = iterations;
	race->nobjs = nobjs;
	race->nthreads = nthreads;
	init_completion(&race->start);
	atomic_long_set(&race->dtor, 0);
	atomic_long_set(&race->dtor_errors, 0);
	WRITE_ONCE(klpsv_race_cur, race);

	for (i = 0; i < nthreads; i++) {
		th = &race->threads[i];
		th->race = race;
		th->rnd = 0x9e3779b97f4a7c15ULL * (i + 1);
		init_completion(&th->done);
		task = kthread_create(klpsv_race_thread_fn, th, "klpsv_race/%u",
				      i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			WRITE_ONCE(race->stop, true);
			break;
		}
		get_task_struct(task);
		th->task = task;
		wake_up_process(task);
		started++;
	}
	complete_all(&race->start);

	for (i = 0; i < started; i++) {
		th = &race->threads[i];
		if (wait_for_completion_killable(&th->done)) {
			WRITE_ONCE(race->stop, true);
			if (!err)
				err = -EINTR;
			wait_for_completion(&th->done);
		}
		kthread_stop(th->task);
		put_task_struct(th->task);
	}

	for (i = 0; i < nobjs; i++)
		klpsv_shadow_free(&race->objs[i], id, klpsv_race_dtor);
	WRITE_ONCE(klpsv_race_cur, NULL);

	if (!err) {
		memset(res, 0, sizeof(*res));
		for (i = 0; i < nthreads; i++) {
			th = &race->threads[i];
			res->gets += th->gets;
			res->hits += th->hits;
			res->ctor += th->ctor;
			res->errors += th->errors;
		}
		res->dtor = atomic_long_read(&race->dtor);
		res->errors += atomic_long_read(&race->dtor_errors);
	}

	kfree(race->objs);
out_race:
	kfree(race);
	return err;
}
