// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shadow.c - klpsv_test.ko: shadow API calls made by commands
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <klpsv.h>
#include "klpsv_test.h"

/**
 * DOC: shadow calls
 *
 * Each command that calls the shadow API passes the constructor and
 * destructor defined here, which check the arguments klpsv gives them and
 * count their calls, so that the command can report what klpsv did.
 *
 * The constructor's ctor_data is always &klpsv_test_call, which holds the
 * expected parent, the data size, the constructor mode and the counters of
 * the current command. It counts as running in atomic context when
 * klpsv_test_atomic_context(): interrupts disabled, or preempt_count() != 0
 * (preemption, bottom halves or interrupts disabled, or in interrupt).
 * Without CONFIG_PREEMPT_COUNT, the preempt count does not see a plain
 * spin_lock(), but it does see spin_lock_bh(), under which klpsv runs
 * constructors.
 *
 * The destructor has no argument of its own; it counts into the atomics
 * klpsv_test_dtor_calls, klpsv_test_dtor_bad and klpsv_test_dtor_preemptible,
 * which live as long as the module, so a destructor call arriving late would
 * show up in a later command instead of corrupting anything. A destructor
 * call that runs preemptible counts as not atomic: klpsv runs every
 * destructor with preemption disabled.
 *
 * The call is made in the context that gfp= or ctx= asks for (see
 * context.c), with GFP_KERNEL in process context and GFP_ATOMIC in the
 * others.
 *
 * The ids passed to alloc and get-or-alloc, and the other id of a nest
 * constructor, are recorded in klpsv_test_ids, before the call, so that
 * klpsv_test_shadow_exit() can free their shadows.
 *
 * Context and locking: process context, with klpsv_test_mutex held, for
 * every function here. Constructors and destructors run inside the shadow
 * API calls made by those functions, so in the same task with the same mutex
 * held, or, for hardirq calls, in an interrupt of that task while it waits;
 * klpsv guarantees that for destructors ("in the context of the caller")
 * and the destructor asserts it with lockdep, because it looks up the parent
 * object registry.
 */

/**
 * struct klpsv_test_call - the ctor_data of a command's shadow API call
 * @obj:	the parent object the call is for
 * @size:	the data size the call asks for
 * @ctor:	what the constructor does
 * @calls:	constructor calls
 * @ok:		every constructor call passed its checks
 * @atomic:	every constructor call ran in atomic context
 * @nested:	allocations of a nest constructor that klpsv did not refuse
 */
struct klpsv_test_call {
	void *obj;
	size_t size;
	struct klpsv_test_ctor_spec ctor;
	unsigned int calls;
	bool ok;
	bool atomic;
	unsigned int nested;
};

static struct klpsv_test_call klpsv_test_call;

static atomic_long_t klpsv_test_dtor_calls;
static atomic_long_t klpsv_test_dtor_bad;
static atomic_long_t klpsv_test_dtor_preemptible;

/* Data bytes of the shadow a nest constructor tries to allocate. */
#define KLPSV_TEST_NEST_SIZE	8

/* The ids this module allocated with, as value entries. */
static DEFINE_XARRAY(klpsv_test_ids);

static int klpsv_test_ctor(void *obj, void *shadow_data, void *ctor_data)
{
	struct klpsv_test_call *call = &klpsv_test_call;

	call->calls++;
	if (!klpsv_test_atomic_context())
		call->atomic = false;

	/* Do not use an unexpected ctor_data: it may point anywhere. */
	if (ctor_data != call || !shadow_data) {
		call->ok = false;
		return -EINVAL;
	}
	if (obj != call->obj || memchr_inv(shadow_data, 0, call->size))
		call->ok = false;

	switch (call->ctor.mode) {
	case KLPSV_TEST_CTOR_FILL:
		memset(shadow_data, call->ctor.fill, call->size);
		return 0;
	case KLPSV_TEST_CTOR_FAIL:
		return -call->ctor.err;
	case KLPSV_TEST_CTOR_NEST:
		/* A get is allowed in a constructor; a writer is not. */
		klpsv_shadow_get(obj, call->ctor.nest_id);
		if (klpsv_shadow_alloc(obj, call->ctor.nest_id,
				       KLPSV_TEST_NEST_SIZE, GFP_ATOMIC, NULL,
				       NULL))
			call->nested++;
		return 0;
	default:
		return 0;
	}
}

static void klpsv_test_dtor(void *obj, void *shadow_data)
{
	lockdep_assert_held(&klpsv_test_mutex);

	atomic_long_inc(&klpsv_test_dtor_calls);
	if (!klpsv_test_atomic_context())
		atomic_long_inc(&klpsv_test_dtor_preemptible);
	if (!shadow_data || (obj && !klpsv_test_obj_known(obj)))
		atomic_long_inc(&klpsv_test_dtor_bad);
}

static void klpsv_test_call_start(void *obj, size_t size,
				  const struct klpsv_test_ctor_spec *ctor)
{
	klpsv_test_call = (struct klpsv_test_call) {
		.obj	= obj,
		.size	= size,
		.ok	= true,
		.atomic	= true,
	};
	if (ctor)
		klpsv_test_call.ctor = *ctor;
}

static void klpsv_test_call_end(void *ptr, bool ctx_ok,
				struct klpsv_test_shadow_res *res)
{
	res->ptr = ptr;
	res->ctor = klpsv_test_call.calls;
	res->ctor_ok = klpsv_test_call.ok;
	res->ctor_atomic = klpsv_test_call.atomic;
	res->ctx_ok = ctx_ok;
	res->nested = klpsv_test_call.nested;
}

static void klpsv_test_dtor_start(void)
{
	atomic_long_set(&klpsv_test_dtor_calls, 0);
	atomic_long_set(&klpsv_test_dtor_bad, 0);
	atomic_long_set(&klpsv_test_dtor_preemptible, 0);
}

static void klpsv_test_dtor_end(bool ctx_ok, struct klpsv_test_dtor_res *res)
{
	res->calls = atomic_long_read(&klpsv_test_dtor_calls);
	res->ok = !atomic_long_read(&klpsv_test_dtor_bad);
	res->atomic = !atomic_long_read(&klpsv_test_dtor_preemptible);
	res->ctx_ok = ctx_ok;
}

/**
 * struct klpsv_test_args - one shadow API call, made by klpsv_test_call_in()
 * @obj:	the parent object
 * @id:		the shadow id
 * @size:	the data size (alloc, get-or-alloc)
 * @gfp:	the allocation flags (alloc, get-or-alloc)
 * @ctor:	the constructor (alloc, get-or-alloc)
 * @dtor:	the destructor (free, free-all)
 * @exist_ok:	get-or-alloc rather than alloc
 * @ret:	what the API returned (alloc, get-or-alloc)
 */
struct klpsv_test_args {
	void *obj;
	unsigned long id;
	size_t size;
	gfp_t gfp;
	klpsv_shadow_ctor_t ctor;
	klpsv_shadow_dtor_t dtor;
	bool exist_ok;
	void *ret;
};

static void klpsv_test_do_create(void *arg)
{
	struct klpsv_test_args *a = arg;

	if (a->exist_ok)
		a->ret = klpsv_shadow_get_or_alloc(a->obj, a->id, a->size, a->gfp,
						   a->ctor, &klpsv_test_call);
	else
		a->ret = klpsv_shadow_alloc(a->obj, a->id, a->size, a->gfp,
					    a->ctor, &klpsv_test_call);
}

static void klpsv_test_do_free(void *arg)
{
	struct klpsv_test_args *a = arg;

	klpsv_shadow_free(a->obj, a->id, a->dtor);
}

static void klpsv_test_do_free_all(void *arg)
{
	struct klpsv_test_args *a = arg;

	klpsv_shadow_free_all(a->id, a->dtor);
}

/**
 * klpsv_test_shadow_create() - klpsv_shadow_alloc() or _get_or_alloc()
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @size:	the data size
 * @ctor:	the constructor to pass
 * @ctx:	the calling context, see &enum klpsv_test_ctx
 * @exist_ok:	call klpsv_shadow_get_or_alloc() rather than _alloc()
 * @res:	the outcome, with the first min(@size, 64) data bytes
 *
 * @id (and the other id of a nest constructor) is recorded for
 * klpsv_test_shadow_exit() first; when that fails, nothing is called. A
 * shadow that a nest constructor managed to allocate is freed after the
 * call, so that none is left behind.
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: 0, or -ENOMEM when @id could not be recorded.
 */
int klpsv_test_shadow_create(void *obj, unsigned long id, size_t size,
			     const struct klpsv_test_ctor_spec *ctor,
			     enum klpsv_test_ctx ctx, bool exist_ok,
			     struct klpsv_test_shadow_res *res)
{
	struct klpsv_test_args args = {
		.obj		= obj,
		.id		= id,
		.size		= size,
		.gfp		= ctx == KLPSV_TEST_CTX_PROCESS ? GFP_KERNEL : GFP_ATOMIC,
		.exist_ok	= exist_ok,
	};
	void *ptr;
	bool ok;
	int err;

	lockdep_assert_held(&klpsv_test_mutex);

	err = xa_err(xa_store(&klpsv_test_ids, id, xa_mk_value(0), GFP_KERNEL));
	if (!err && ctor->mode == KLPSV_TEST_CTOR_NEST)
		err = xa_err(xa_store(&klpsv_test_ids, ctor->nest_id,
				      xa_mk_value(0), GFP_KERNEL));
	if (err)
		return err;

	if (ctor->mode != KLPSV_TEST_CTOR_NONE)
		args.ctor = klpsv_test_ctor;

	klpsv_test_call_start(obj, size, ctor);
	ok = klpsv_test_call_in(ctx, klpsv_test_do_create, &args);
	ptr = args.ret;
	klpsv_test_call_end(ptr, ok, res);
	if (klpsv_test_call.nested)
		klpsv_shadow_free(obj, ctor->nest_id, NULL);

	/*
	 * Read the data through a lookup in an RCU read-side section, so that
	 * it cannot be freed under us even when someone else frees it.
	 */
	res->len = 0;
	if (ptr) {
		rcu_read_lock();
		if (klpsv_shadow_get(obj, id) == ptr) {
			res->len = min_t(size_t, size, KLPSV_TEST_DATA_MAX);
			memcpy(res->data, ptr, res->len);
		}
		rcu_read_unlock();
	}
	return 0;
}

/**
 * klpsv_test_shadow_get() - klpsv_shadow_get()
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @len:	data bytes to copy into @res (at most 64); the caller promises
 *		the shadow has that many
 * @res:	the outcome
 *
 * Context: process context, klpsv_test_mutex held.
 */
void klpsv_test_shadow_get(void *obj, unsigned long id, unsigned int len,
			   struct klpsv_test_shadow_res *res)
{
	void *ptr;

	lockdep_assert_held(&klpsv_test_mutex);

	klpsv_test_call_start(obj, 0, NULL);
	res->len = 0;
	rcu_read_lock();
	ptr = klpsv_shadow_get(obj, id);
	if (ptr) {
		res->len = min_t(unsigned int, len, KLPSV_TEST_DATA_MAX);
		memcpy(res->data, ptr, res->len);
	}
	rcu_read_unlock();
	klpsv_test_call_end(ptr, true, res);
}

/**
 * klpsv_test_shadow_set() - fill the first bytes of an existing shadow
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @byte:	the fill byte
 * @len:	bytes to fill; the caller promises the shadow has that many
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: the shadow's data (to be printed hashed only), or NULL if none.
 */
void *klpsv_test_shadow_set(void *obj, unsigned long id, u8 byte, size_t len)
{
	void *ptr;

	lockdep_assert_held(&klpsv_test_mutex);

	rcu_read_lock();
	ptr = klpsv_shadow_get(obj, id);
	if (ptr)
		memset(ptr, byte, len);
	rcu_read_unlock();
	return ptr;
}

/**
 * klpsv_test_shadow_free() - klpsv_shadow_free()
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @dtor:	pass the counting destructor rather than NULL
 * @ctx:	the calling context, see &enum klpsv_test_ctx
 * @res:	the destructor calls and checks
 *
 * Context: process context, klpsv_test_mutex held.
 */
void klpsv_test_shadow_free(void *obj, unsigned long id, bool dtor,
			    enum klpsv_test_ctx ctx,
			    struct klpsv_test_dtor_res *res)
{
	struct klpsv_test_args args = {
		.obj	= obj,
		.id	= id,
		.dtor	= dtor ? klpsv_test_dtor : NULL,
	};
	bool ok;

	lockdep_assert_held(&klpsv_test_mutex);

	klpsv_test_dtor_start();
	ok = klpsv_test_call_in(ctx, klpsv_test_do_free, &args);
	klpsv_test_dtor_end(ok, res);
}

/**
 * klpsv_test_shadow_free_all() - klpsv_shadow_free_all()
 * @id:		the shadow id
 * @dtor:	pass the counting destructor rather than NULL
 * @ctx:	the calling context, see &enum klpsv_test_ctx
 * @res:	the destructor calls and checks
 *
 * Context: process context, klpsv_test_mutex held.
 */
void klpsv_test_shadow_free_all(unsigned long id, bool dtor,
				enum klpsv_test_ctx ctx,
				struct klpsv_test_dtor_res *res)
{
	struct klpsv_test_args args = {
		.id	= id,
		.dtor	= dtor ? klpsv_test_dtor : NULL,
	};
	bool ok;

	lockdep_assert_held(&klpsv_test_mutex);

	klpsv_test_dtor_start();
	ok = klpsv_test_call_in(ctx, klpsv_test_do_free_all, &args);
	klpsv_test_dtor_end(ok, res);
}

/**
 * klpsv_test_shadow_exit() - on unload, free the shadows of the ids used
 * @cleanup:	free them, through the counting destructor; when false,
 *		leave them in klpsv
 *
 * Logs one line per id that had shadows to free. Must be called before the
 * parent objects are freed, for the destructor's checks.
 *
 * Context: process context, klpsv_test_mutex held.
 */
void klpsv_test_shadow_exit(bool cleanup)
{
	struct klpsv_test_dtor_res res;
	unsigned long id;
	void *entry;

	lockdep_assert_held(&klpsv_test_mutex);

	if (cleanup) {
		xa_for_each(&klpsv_test_ids, id, entry) {
			klpsv_test_shadow_free_all(id, true, KLPSV_TEST_CTX_PROCESS,
						   &res);
			if (res.calls)
				pr_info("freed %lu shadows of id %lu on exit\n",
					res.calls, id);
			if (!res.ok)
				pr_warn("id %lu: destructor checks failed on exit\n",
					id);
		}
	}
	xa_destroy(&klpsv_test_ids);
}
