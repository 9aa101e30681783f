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
 * klpsv_test_dtor_calls and klpsv_test_dtor_bad, which live as long as the
 * module, so a destructor call arriving late would show up in a later
 * command instead of corrupting anything.
 *
 * With gfp=atomic the call is made with GFP_ATOMIC while holding a spinlock
 * taken with spin_lock_bh(): atomic context, as a caller in softirq context
 * or holding a bottom-half lock would be. Interrupts stay enabled: klpsv
 * refuses writers that run with interrupts disabled.
 *
 * The ids passed to alloc and get-or-alloc are recorded in klpsv_test_ids,
 * before the call, so that klpsv_test_shadow_exit() can free their shadows.
 *
 * Context and locking: process context, with klpsv_test_mutex held, for
 * every function here. Constructors and destructors run inside the shadow
 * API calls made by those functions, so in the same task with the same mutex
 * held; klpsv guarantees that for destructors ("in the context of the caller")
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
 */
struct klpsv_test_call {
	void *obj;
	size_t size;
	struct klpsv_test_ctor_spec ctor;
	unsigned int calls;
	bool ok;
	bool atomic;
};

static struct klpsv_test_call klpsv_test_call;

static atomic_long_t klpsv_test_dtor_calls;
static atomic_long_t klpsv_test_dtor_bad;

/* Held around gfp=atomic calls. */
static DEFINE_SPINLOCK(klpsv_test_atomic_lock);

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
	default:
		return 0;
	}
}

static void klpsv_test_dtor(void *obj, void *shadow_data)
{
	lockdep_assert_held(&klpsv_test_mutex);

	atomic_long_inc(&klpsv_test_dtor_calls);
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

static void klpsv_test_call_end(void *ptr, struct klpsv_test_shadow_res *res)
{
	res->ptr = ptr;
	res->ctor = klpsv_test_call.calls;
	res->ctor_ok = klpsv_test_call.ok;
	res->ctor_atomic = klpsv_test_call.atomic;
}

static void klpsv_test_dtor_start(void)
{
	atomic_long_set(&klpsv_test_dtor_calls, 0);
	atomic_long_set(&klpsv_test_dtor_bad, 0);
}

static void klpsv_test_dtor_end(struct klpsv_test_dtor_res *res)
{
	res->calls = atomic_long_read(&klpsv_test_dtor_calls);
	res->ok = !atomic_long_read(&klpsv_test_dtor_bad);
}

static void *klpsv_test_create_call(void *obj, unsigned long id, size_t size,
				    gfp_t gfp, klpsv_shadow_ctor_t fn,
				    bool exist_ok)
{
	if (exist_ok)
		return klpsv_shadow_get_or_alloc(obj, id, size, gfp, fn,
						 &klpsv_test_call);
	return klpsv_shadow_alloc(obj, id, size, gfp, fn, &klpsv_test_call);
}

static void *klpsv_test_create_atomic(void *obj, unsigned long id,
				      size_t size, klpsv_shadow_ctor_t fn,
				      bool exist_ok)
{
	void *ptr;

	spin_lock_bh(&klpsv_test_atomic_lock);
	ptr = klpsv_test_create_call(obj, id, size, GFP_ATOMIC, fn, exist_ok);
	spin_unlock_bh(&klpsv_test_atomic_lock);
	return ptr;
}

static void *klpsv_test_create_irqoff(void *obj, unsigned long id,
				      size_t size, klpsv_shadow_ctor_t fn,
				      bool exist_ok)
{
	unsigned long flags;
	void *ptr;

	local_irq_save(flags);
	ptr = klpsv_test_create_call(obj, id, size, GFP_ATOMIC, fn, exist_ok);
	local_irq_restore(flags);
	return ptr;
}

/**
 * klpsv_test_shadow_create() - klpsv_shadow_alloc() or _get_or_alloc()
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @size:	the data size
 * @ctor:	the constructor to pass
 * @gfp:	the calling context, see &enum klpsv_test_gfp
 * @exist_ok:	call klpsv_shadow_get_or_alloc() rather than _alloc()
 * @res:	the outcome, with the first min(@size, 64) data bytes
 *
 * @id is recorded for klpsv_test_shadow_exit() first; when that fails,
 * nothing is called.
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: 0, or -ENOMEM when @id could not be recorded.
 */
int klpsv_test_shadow_create(void *obj, unsigned long id, size_t size,
			     const struct klpsv_test_ctor_spec *ctor,
			     enum klpsv_test_gfp gfp, bool exist_ok,
			     struct klpsv_test_shadow_res *res)
{
	klpsv_shadow_ctor_t fn = NULL;
	void *ptr;
	int err;

	lockdep_assert_held(&klpsv_test_mutex);

	err = xa_err(xa_store(&klpsv_test_ids, id, xa_mk_value(0), GFP_KERNEL));
	if (err)
		return err;

	if (ctor->mode != KLPSV_TEST_CTOR_NONE)
		fn = klpsv_test_ctor;

	klpsv_test_call_start(obj, size, ctor);
	switch (gfp) {
	case KLPSV_TEST_GFP_ATOMIC:
		ptr = klpsv_test_create_atomic(obj, id, size, fn, exist_ok);
		break;
	case KLPSV_TEST_GFP_IRQOFF:
		ptr = klpsv_test_create_irqoff(obj, id, size, fn, exist_ok);
		break;
	default:
		ptr = klpsv_test_create_call(obj, id, size, GFP_KERNEL, fn,
					     exist_ok);
		break;
	}
	klpsv_test_call_end(ptr, res);

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
	klpsv_test_call_end(ptr, res);
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
 * @res:	the destructor calls and checks
 *
 * Context: process context, klpsv_test_mutex held.
 */
void klpsv_test_shadow_free(void *obj, unsigned long id, bool dtor,
			    struct klpsv_test_dtor_res *res)
{
	lockdep_assert_held(&klpsv_test_mutex);

	klpsv_test_dtor_start();
	klpsv_shadow_free(obj, id, dtor ? klpsv_test_dtor : NULL);
	klpsv_test_dtor_end(res);
}

/**
 * klpsv_test_shadow_free_all() - klpsv_shadow_free_all()
 * @id:		the shadow id
 * @dtor:	pass the counting destructor rather than NULL
 * @res:	the destructor calls and checks
 *
 * Context: process context, klpsv_test_mutex held.
 */
void klpsv_test_shadow_free_all(unsigned long id, bool dtor,
				struct klpsv_test_dtor_res *res)
{
	lockdep_assert_held(&klpsv_test_mutex);

	klpsv_test_dtor_start();
	klpsv_shadow_free_all(id, dtor ? klpsv_test_dtor : NULL);
	klpsv_test_dtor_end(res);
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
			klpsv_test_shadow_free_all(id, true, &res);
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
