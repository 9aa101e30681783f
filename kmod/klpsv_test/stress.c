// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stress.c - klpsv_test.ko: the "stress" command, a timed mix of every
 *	      writer, reader and free_all on one id, with invariants checked
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/livepatch.h>
#include <linux/lockdep.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <klpsv.h>
#include "klpsv_test.h"

/**
 * DOC: stress
 *
 * "stress" runs kernel threads for a number of seconds over parent objects
 * private to the run, all on one shadow id, mixing every way of using it:
 *
 * - get, inside an RCU read-side section, checking that a shadow found is
 *   the object's own and whole (the constructor wrote the object's address,
 *   then %KLPSV_STRESS_MAGIC);
 * - get_or_alloc with GFP_KERNEL from the thread, and with GFP_ATOMIC with
 *   bottom halves disabled or with interrupts disabled, checking the data it
 *   returns the same way while it cannot be freed (see
 *   klpsv_stress_get_or_alloc());
 * - free, from the thread, with bottom halves or with interrupts disabled;
 * - on PREEMPT_RT, where the writers (like the kernel's) may not be called
 *   with interrupts disabled, the calls meant for that context run with
 *   bottom halves disabled;
 * - free_all of the id, by the first thread every %KLPSV_STRESS_FREE_ALL_MS,
 *   which empties the id's table; between two of them the others fill it
 *   again, so the table is rebuilt bigger as it fills and smaller once
 *   emptied (by klpsv's work item), over and over.
 *
 * An atomic get_or_alloc may return NULL while a free_all empties the
 * table: klpsv replaces no table meanwhile, and an insert that cannot wait
 * fails once the table is used to 7/8 (see table.c). Those calls are
 * counted, not failed: that they ran no constructor, or one whose shadow
 * stayed, is what the balance below checks. A GFP_KERNEL one waits for the
 * emptying to end and rebuilds the table itself, so its NULL is a failed
 * check.
 *
 * Every constructor call is counted by the thread that made the call, every
 * destructor call (of free or free_all, wherever it runs) in one atomic
 * counter. Once the threads are done, the shadows left are counted (each
 * checked like a get) and freed with klpsv_shadow_free(), one per object:
 * constructions must equal the destructions during the run plus the shadows
 * left, and the destructions in all.
 *
 * The id must be private to the run: free_all frees every shadow of the id,
 * and a destructor call on another parent counts as a failed check.
 *
 * Each thread has its own xorshift64 generator with a fixed seed. The threads
 * wait for a start completion, run until the deadline, or until a fatal
 * signal stops the command, and complete their own completion; the command
 * reaps them with kthread_stop(), holding a task reference, so that no
 * thread still runs module code when the command returns. Interrupts and
 * bottom halves are disabled around one call at a time.
 *
 * The threads sleep now and then, as a kernel thread must for the livepatch
 * core: every iteration ends with cond_resched(), but being preempted is not
 * a quiescent state of RCU Tasks, which the end of a transition waits for
 * (ftrace_shutdown()), so every %KLPSV_STRESS_RUN_MS a thread sleeps for a
 * moment (a voluntary context switch). And while a livepatch transition is
 * in progress (the task's patch_state is set), a thread naps for a jiffy
 * every %KLPSV_STRESS_NAP_EVERY iterations and keeps working in between:
 * 6.1 switches a kernel thread to the new patch state only when the
 * transition's work item finds it off its CPU, and from 6.4 on starting
 * and ending a transition rewrites every cond_resched() call site
 * (klp_cond_resched_enable(), text_poke_bp() per site, each with IPIs to
 * every CPU). Under an emulator a CPU that never idles takes those IPIs
 * late: with threads napping only every %KLPSV_STRESS_RUN_MS, an enable on
 * 6.12 took 45 s under the stress (1.4 s idle), with these naps 2.9 s.
 *
 * Context and locking: klpsv_test_stress() runs in process context with
 * klpsv_test_mutex held, so one stress (or race) runs at a time;
 * klpsv_stress_cur points to it while its threads may call the constructor
 * or destructor. Per-thread counters are read only after the thread
 * completed.
 */

#define KLPSV_STRESS_SIZE		24
#define KLPSV_STRESS_MAGIC		0xa5
#define KLPSV_STRESS_FREE_ALL_MS	200
#define KLPSV_STRESS_NAP_EVERY		16
#define KLPSV_STRESS_RUN_MS		20
#define KLPSV_STRESS_SLEEP_US		100
#define KLPSV_STRESS_REPORTS		5

/*
 * A task's patch_state outside any livepatch transition: KLP_UNDEFINED in
 * 6.1, KLP_TRANSITION_IDLE from 6.10 on.
 */
#ifdef KLP_TRANSITION_IDLE
#define KLPSV_STRESS_NO_TRANSITION	KLP_TRANSITION_IDLE
#else
#define KLPSV_STRESS_NO_TRANSITION	KLP_UNDEFINED
#endif

/* Whether a livepatch transition is in progress, as current sees it. */
static bool klpsv_stress_in_transition(void)
{
	return READ_ONCE(current->patch_state) != KLPSV_STRESS_NO_TRANSITION;
}

/**
 * struct klpsv_stress_obj - a private parent object of a stress run
 * @index:	its index, so that objects have a size and are distinct
 */
struct klpsv_stress_obj {
	unsigned long index;
};

struct klpsv_stress;

/**
 * struct klpsv_stress_thread - one stress thread
 * @stress:	the run
 * @task:	the thread
 * @done:	completed when the thread is done with klpsv
 * @rnd:	xorshift64 state
 * @obj:	the object of the get_or_alloc in progress, for the constructor
 * @res:	its counters
 */
struct klpsv_stress_thread {
	struct klpsv_stress *stress;
	struct task_struct *task;
	struct completion done;
	u64 rnd;
	void *obj;
	struct klpsv_test_stress_res res;
};

/**
 * struct klpsv_stress - one stress run
 * @id:		the shadow id
 * @deadline:	jiffies at which the threads stop
 * @nobjs:	number of @objs
 * @objs:	the private parent objects
 * @start:	completed when all threads are created
 * @stop:	tells the threads to stop early
 * @dtor:	destructor calls
 * @dtor_errors: destructor calls that failed their checks
 * @reported:	failed checks logged so far (klpsv_stress_report())
 * @nthreads:	number of @threads
 * @threads:	the threads
 */
struct klpsv_stress {
	unsigned long id;
	unsigned long deadline;
	unsigned int nobjs;
	struct klpsv_stress_obj *objs;
	struct completion start;
	bool stop;
	atomic_long_t dtor;
	atomic_long_t dtor_errors;
	atomic_t reported;
	unsigned int nthreads;
	struct klpsv_stress_thread threads[];
};

static struct klpsv_stress *klpsv_stress_cur;

static bool klpsv_stress_is_obj(struct klpsv_stress *stress, void *obj)
{
	unsigned long base = (unsigned long)stress->objs;
	unsigned long p = (unsigned long)obj;

	return p >= base && (p - base) % sizeof(*stress->objs) == 0 &&
	       (p - base) / sizeof(*stress->objs) < stress->nobjs;
}

/* The index of @obj among the run's objects, or -1 when it is none of them. */
static long klpsv_stress_index(struct klpsv_stress *stress, const void *obj)
{
	return klpsv_stress_is_obj(stress, (void *)obj) ?
	       ((struct klpsv_stress_obj *)obj)->index : -1;
}

/*
 * Logs a failed check of the run: what failed, the object, and the shadow
 * data with the object its first word names, for the first
 * %KLPSV_STRESS_REPORTS of them. The caller counts it. Any context.
 */
static void klpsv_stress_report(struct klpsv_stress *stress, const char *what,
				const void *obj, const void *data)
{
	void *owner = NULL;

	if (atomic_inc_return(&stress->reported) > KLPSV_STRESS_REPORTS)
		return;
	if (data)
		memcpy(&owner, data, sizeof(owner));
	pr_err("stress: failed check: %s: object %ld, data %s of object %ld: %*ph\n",
	       what, klpsv_stress_index(stress, obj), data ? "written" : "NULL",
	       klpsv_stress_index(stress, owner),
	       data ? KLPSV_STRESS_SIZE : 0, data);
}

/* Whether @data is what the constructor wrote for @obj. */
static bool klpsv_stress_data_ok(void *obj, const void *data)
{
	void *owner;

	memcpy(&owner, data, sizeof(owner));
	return owner == obj &&
	       !memchr_inv(data + sizeof(owner), KLPSV_STRESS_MAGIC,
			   KLPSV_STRESS_SIZE - sizeof(owner));
}

static int klpsv_stress_ctor(void *obj, void *shadow_data, void *ctor_data)
{
	struct klpsv_stress *stress = READ_ONCE(klpsv_stress_cur);
	struct klpsv_stress_thread *th = ctor_data;

	if (WARN_ON_ONCE(!stress || !th || th->stress != stress ||
			 th->task != current))
		return -EINVAL;

	th->res.ctor++;
	if (obj != th->obj || !shadow_data ||
	    memchr_inv(shadow_data, 0, KLPSV_STRESS_SIZE) ||
	    !klpsv_test_atomic_context()) {
		th->res.errors++;
		klpsv_stress_report(stress, obj != th->obj ? "ctor of another object" :
				    !shadow_data ? "ctor without data" :
				    !klpsv_test_atomic_context() ? "ctor not atomic" :
				    "ctor of data not zeroed", obj, shadow_data);
		if (!shadow_data)
			return -EINVAL;
	}
	memcpy(shadow_data, &obj, sizeof(obj));
	memset(shadow_data + sizeof(obj), KLPSV_STRESS_MAGIC,
	       KLPSV_STRESS_SIZE - sizeof(obj));
	return 0;
}

static void klpsv_stress_dtor(void *obj, void *shadow_data)
{
	struct klpsv_stress *stress = READ_ONCE(klpsv_stress_cur);

	if (WARN_ON_ONCE(!stress))
		return;

	atomic_long_inc(&stress->dtor);
	if (!klpsv_stress_is_obj(stress, obj) || !shadow_data ||
	    !klpsv_stress_data_ok(obj, shadow_data) ||
	    !klpsv_test_atomic_context()) {
		atomic_long_inc(&stress->dtor_errors);
		klpsv_stress_report(stress, !klpsv_stress_is_obj(stress, obj) ?
				    "dtor of another object" : !shadow_data ?
				    "dtor without data" : !klpsv_test_atomic_context() ?
				    "dtor not atomic" : "dtor of wrong data",
				    obj, shadow_data);
	}
}

static u64 klpsv_stress_rnd(struct klpsv_stress_thread *th)
{
	u64 x = th->rnd;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	th->rnd = x;
	return x;
}

/*
 * get_or_alloc of @obj with @gfp; returns false when it returned NULL.
 *
 * The data it returned is checked only while it cannot be freed: another
 * thread may free @obj's shadow at any moment, and klpsv gives its memory
 * back to the slab after an RCU grace period, as the kernel's store does
 * (the kernel's contract leaves a shadow's lifetime to its user). An atomic
 * call runs with bottom halves or interrupts disabled, which is an RCU
 * read-side critical section, so its data is checked at once. A GFP_KERNEL
 * call's caller holds no such section (the call may sleep), so its data is
 * checked inside one, and only while a get still finds it there.
 */
static bool klpsv_stress_get_or_alloc(struct klpsv_stress_thread *th,
				      void *obj, gfp_t gfp)
{
	struct klpsv_stress *stress = th->stress;
	bool ok = true;
	void *data;

	th->obj = obj;
	data = klpsv_shadow_get_or_alloc(obj, stress->id, KLPSV_STRESS_SIZE,
					 gfp, klpsv_stress_ctor, th);
	if (!data)
		return false;
	if (gfpflags_allow_blocking(gfp)) {
		rcu_read_lock();
		if (klpsv_shadow_get(obj, stress->id) == data)
			ok = klpsv_stress_data_ok(obj, data);
		if (!ok)
			klpsv_stress_report(stress, "GFP_KERNEL get_or_alloc returned wrong data",
					    obj, data);
		rcu_read_unlock();
	} else {
		ok = klpsv_stress_data_ok(obj, data);
		if (!ok)
			klpsv_stress_report(stress, "atomic get_or_alloc returned wrong data",
					    obj, data);
	}
	if (!ok)
		th->res.errors++;
	return true;
}

static void klpsv_stress_get(struct klpsv_stress_thread *th, void *obj)
{
	void *data;

	th->res.gets++;
	rcu_read_lock();
	data = klpsv_shadow_get(obj, th->stress->id);
	if (data) {
		th->res.hits++;
		if (!klpsv_stress_data_ok(obj, data)) {
			th->res.errors++;
			klpsv_stress_report(th->stress, "get returned wrong data",
					    obj, data);
		}
	}
	rcu_read_unlock();
}

/*
 * Interrupts disabled where the writers may be called so: not on
 * PREEMPT_RT, where they (like the kernel's) take a sleeping spinlock_t;
 * there the calls meant for that context run with bottom halves disabled.
 */
#define KLPSV_STRESS_IRQOFF	(!IS_ENABLED(CONFIG_PREEMPT_RT))

/*
 * Enters an atomic context, with interrupts disabled when @irqoff, with
 * bottom halves disabled otherwise, and checks that it did.
 */
static void klpsv_stress_atomic_enter(struct klpsv_stress_thread *th, void *obj,
				      bool irqoff, unsigned long *flags)
{
	if (irqoff)
		local_irq_save(*flags);
	else
		local_bh_disable();
	if (!klpsv_test_context_ok(irqoff ? KLPSV_TEST_CTX_IRQOFF : KLPSV_TEST_CTX_ATOMIC)) {
		th->res.errors++;
		klpsv_stress_report(th->stress, irqoff ? "not irq-disabled" : "not bh-disabled",
				    obj, NULL);
	}
}

static void klpsv_stress_atomic_exit(bool irqoff, unsigned long flags)
{
	if (irqoff)
		local_irq_restore(flags);
	else
		local_bh_enable();
}

static void klpsv_stress_step(struct klpsv_stress_thread *th)
{
	struct klpsv_stress *stress = th->stress;
	u64 r = klpsv_stress_rnd(th);
	void *obj = &stress->objs[(u32)(r >> 32) % stress->nobjs];
	unsigned int op = (u32)r % 16;
	unsigned long flags;
	bool irqoff;

	switch (op) {
	case 0 ... 5:
		klpsv_stress_get(th, obj);
		break;
	case 6 ... 8:
		th->res.allocs++;
		if (!klpsv_stress_get_or_alloc(th, obj, GFP_KERNEL)) {
			th->res.failed++;
			th->res.errors++;
			klpsv_stress_report(stress, "GFP_KERNEL get_or_alloc failed",
					    obj, NULL);
		}
		break;
	case 9 ... 10:
		irqoff = op == 10 && KLPSV_STRESS_IRQOFF;
		th->res.atomic_allocs++;
		klpsv_stress_atomic_enter(th, obj, irqoff, &flags);
		if (!klpsv_stress_get_or_alloc(th, obj, GFP_ATOMIC))
			th->res.atomic_failed++;
		klpsv_stress_atomic_exit(irqoff, flags);
		break;
	case 11 ... 13:
		th->res.frees++;
		klpsv_shadow_free(obj, stress->id, klpsv_stress_dtor);
		break;
	default:
		irqoff = op == 15 && KLPSV_STRESS_IRQOFF;
		th->res.atomic_frees++;
		klpsv_stress_atomic_enter(th, obj, irqoff, &flags);
		klpsv_shadow_free(obj, stress->id, klpsv_stress_dtor);
		klpsv_stress_atomic_exit(irqoff, flags);
		break;
	}
}

static int klpsv_stress_thread_fn(void *arg)
{
	struct klpsv_stress_thread *th = arg;
	struct klpsv_stress *stress = th->stress;
	unsigned long next_free_all, next_sleep, i = 0;

	wait_for_completion(&stress->start);
	next_free_all = jiffies + msecs_to_jiffies(KLPSV_STRESS_FREE_ALL_MS);
	next_sleep = jiffies + msecs_to_jiffies(KLPSV_STRESS_RUN_MS);
	while (!READ_ONCE(stress->stop) &&
	       time_before(jiffies, stress->deadline)) {
		if (th == &stress->threads[0] &&
		    time_after_eq(jiffies, next_free_all)) {
			th->res.free_alls++;
			klpsv_shadow_free_all(stress->id, klpsv_stress_dtor);
			next_free_all = jiffies +
					msecs_to_jiffies(KLPSV_STRESS_FREE_ALL_MS);
		} else {
			klpsv_stress_step(th);
		}
		if (time_after_eq(jiffies, next_sleep)) {
			usleep_range(KLPSV_STRESS_SLEEP_US,
				     2 * KLPSV_STRESS_SLEEP_US);
			next_sleep = jiffies +
				     msecs_to_jiffies(KLPSV_STRESS_RUN_MS);
		} else if (++i % KLPSV_STRESS_NAP_EVERY == 0 &&
			   klpsv_stress_in_transition()) {
			schedule_timeout_interruptible(1);
		} else {
			cond_resched();
		}
	}
	complete(&th->done);
	return 0;
}

/* Counts, checks and frees the shadows left; returns how many there were. */
static unsigned long klpsv_stress_cleanup(struct klpsv_stress *stress,
					  unsigned long *errors)
{
	unsigned long live = 0;
	unsigned int i;
	void *obj, *data;

	for (i = 0; i < stress->nobjs; i++) {
		obj = &stress->objs[i];
		rcu_read_lock();
		data = klpsv_shadow_get(obj, stress->id);
		if (data) {
			live++;
			if (!klpsv_stress_data_ok(obj, data)) {
				(*errors)++;
				klpsv_stress_report(stress, "shadow left with wrong data",
						    obj, data);
			}
		}
		rcu_read_unlock();
		klpsv_shadow_free(obj, stress->id, klpsv_stress_dtor);
		cond_resched();
	}
	return live;
}

static void klpsv_stress_add(struct klpsv_test_stress_res *sum,
			     const struct klpsv_test_stress_res *res)
{
	sum->gets += res->gets;
	sum->hits += res->hits;
	sum->allocs += res->allocs;
	sum->atomic_allocs += res->atomic_allocs;
	sum->failed += res->failed;
	sum->atomic_failed += res->atomic_failed;
	sum->frees += res->frees;
	sum->atomic_frees += res->atomic_frees;
	sum->free_alls += res->free_alls;
	sum->ctor += res->ctor;
	sum->errors += res->errors;
}

/**
 * klpsv_test_stress() - run a stress
 * @id:		the shadow id, private to the run
 * @seconds:	how long the threads run, 1 to %KLPSV_TEST_STRESS_SECONDS_MAX
 * @nthreads:	threads, 1 to 8
 * @nobjs:	private parent objects
 * @res:	the outcome, filled in on success
 *
 * Leaves no shadow of <private object, @id> behind, also on failure. The
 * invariants are checked into @res: @res->errors counts every failed check
 * of a constructor, destructor, get or get_or_alloc, and @res->live and
 * @res->dtor_run let the caller check that constructions balance
 * destructions.
 *
 * Context: process context, klpsv_test_mutex held; sleeps (killable) until
 * the run is over.
 * Return: 0, -EINVAL for @seconds out of range, -ENOMEM, -EINTR when a fatal
 * signal stopped the run or thread creation, or another error of
 * kthread_create().
 */
int klpsv_test_stress(unsigned long id, unsigned int seconds,
		      unsigned int nthreads, unsigned int nobjs,
		      struct klpsv_test_stress_res *res)
{
	struct klpsv_stress_thread *th;
	struct task_struct *task;
	struct klpsv_stress *stress;
	unsigned int i, started = 0;
	unsigned long errors = 0;
	unsigned long dtor_run, live;
	int err = 0;

	lockdep_assert_held(&klpsv_test_mutex);

	if (!seconds || seconds > KLPSV_TEST_STRESS_SECONDS_MAX)
		return -EINVAL;

	stress = kzalloc(struct_size(stress, threads, nthreads), GFP_KERNEL);
	if (!stress)
		return -ENOMEM;

	stress->objs = kcalloc(nobjs, sizeof(*stress->objs), GFP_KERNEL);
	if (!stress->objs) {
		err = -ENOMEM;
		goto out_stress;
	}
	for (i = 0; i < nobjs; i++)
		stress->objs[i].index = i;

	stress->id = id;
	stress->nobjs = nobjs;
	stress->nthreads = nthreads;
	init_completion(&stress->start);
	atomic_long_set(&stress->dtor, 0);
	atomic_long_set(&stress->dtor_errors, 0);
	atomic_set(&stress->reported, 0);
	WRITE_ONCE(klpsv_stress_cur, stress);

	for (i = 0; i < nthreads; i++) {
		th = &stress->threads[i];
		th->stress = stress;
		th->rnd = 0x2545f4914f6cdd1dULL * (i + 1);
		init_completion(&th->done);
		task = kthread_create(klpsv_stress_thread_fn, th,
				      "klpsv_stress/%u", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			WRITE_ONCE(stress->stop, true);
			break;
		}
		get_task_struct(task);
		th->task = task;
		wake_up_process(task);
		started++;
	}
	stress->deadline = jiffies + seconds * HZ;
	complete_all(&stress->start);

	for (i = 0; i < started; i++) {
		th = &stress->threads[i];
		if (wait_for_completion_killable(&th->done)) {
			WRITE_ONCE(stress->stop, true);
			if (!err)
				err = -EINTR;
			wait_for_completion(&th->done);
		}
		kthread_stop(th->task);
		put_task_struct(th->task);
	}

	dtor_run = atomic_long_read(&stress->dtor);
	live = klpsv_stress_cleanup(stress, &errors);
	WRITE_ONCE(klpsv_stress_cur, NULL);

	if (!err) {
		memset(res, 0, sizeof(*res));
		for (i = 0; i < nthreads; i++)
			klpsv_stress_add(res, &stress->threads[i].res);
		res->live = live;
		res->dtor_run = dtor_run;
		res->dtor = atomic_long_read(&stress->dtor);
		res->errors += errors + atomic_long_read(&stress->dtor_errors);
	}

	kfree(stress->objs);
out_stress:
	kfree(stress);
	return err;
}
