// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * store.c - the shadow-variable store: the exported klpsv_shadow_*() API
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/overflow.h>
#include <linux/hardirq.h>
#include <linux/preempt.h>
#include "internal.h"

/**
 * DOC: the shadow-variable store
 *
 * A shadow variable is found by <obj, id>: the id selects its 8 hash tables
 * (see idtable.c), the parent object picks one of them and is the key within
 * it (see table.c): tables grow and shrink with their contents, lookups take
 * no lock, and writers take that table's lock for the few instructions that
 * change a slot.
 *
 * Context and locking, as for the kernel's klp_shadow_*():
 *
 * - klpsv_shadow_get() takes no lock and may be called in any context. The
 *   data it returns stays allocated until the caller's RCU read-side critical
 *   section ends, even when another CPU frees the variable meanwhile.
 *
 * - klpsv_shadow_alloc(), klpsv_shadow_get_or_alloc(), klpsv_shadow_free()
 *   and klpsv_shadow_free_all() may be called in process and softirq
 *   context, with interrupts disabled and in hard interrupt context, with
 *   @gfp_flags that fit the context (GFP_ATOMIC when it cannot sleep): the
 *   ids' locks, the pool of spare ids and the registry of ids are taken with
 *   interrupts disabled. On PREEMPT_RT these are spinlock_t, which sleep,
 *   as the kernel's store's lock is: there the writers may be called where
 *   a spinlock_t may be taken (process and softirq context, bottom halves
 *   disabled, under another spinlock_t), not with interrupts or preemption
 *   disabled nor in hard interrupt context. Not in NMI context, nor from a
 *   constructor (see below). A call where it may not be made is refused
 *   with one log line (the allocators return NULL, the others do nothing).
 *
 * - Allocation of a variable is serialised by the lock of the part of its
 *   id that holds its object (see table.c), so that
 *   the constructor runs only when the variable does not exist yet, exactly
 *   once, before any reader can find it. The constructor runs under that
 *   lock, with interrupts disabled: atomic context (on PREEMPT_RT: pinned to
 *   its CPU, preemptible, as under any spinlock_t). It may get shadow
 *   variables, of any id, but must not allocate or free any: klpsv refuses
 *   every writer called from a constructor (one log line; NULL, or nothing
 *   done), since two constructors using each other's ids would deadlock.
 *
 * - Destructors run with no klpsv lock held, with preemption disabled (on
 *   PREEMPT_RT: pinned to the CPU, in an RCU read-side critical section), in
 *   the context of the caller of klpsv_shadow_free() or
 *   klpsv_shadow_free_all() (see free.c): the same context whoever frees.
 *   Removal decides who frees: a variable is released once even when free
 *   and free_all race.
 *
 * - A removed state's id refuses allocations, decided under its parts' locks
 *   (see klpsv_id_retire()), and so does, with strict=1, an id no state
 *   declares.
 */

/*
 * Writers are refused where the kernel's are not usable either: in NMI
 * context, where its lock is not NMI-safe, and on PREEMPT_RT, where its
 * lock is a sleeping spinlock_t, wherever a spinlock_t may not be taken
 * (interrupts or preemption disabled, hard interrupt context); and from a
 * constructor, which holds the lock of a part of an id.
 */
static noinline bool klpsv_writer_context_refused(const char *caller,
						  unsigned long id)
{
	if (in_nmi()) {
		pr_warn_ratelimited("%s: id %lu: refused in NMI context\n",
				    caller, id);
		return true;
	}
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && !preemptible()) {
		pr_warn_ratelimited("%s: id %lu: refused in atomic context on PREEMPT_RT (interrupts or preemption disabled)\n",
				    caller, id);
		return true;
	}
	if (klpsv_in_constructor()) {
		pr_warn_ratelimited("%s: id %lu: refused: called from a shadow constructor\n",
				    caller, id);
		return true;
	}
	return false;
}

/* The checks above, inline where they pass: every writer makes them. */
static __always_inline bool klpsv_writer_context_ok(const char *caller,
						    unsigned long id)
{
	if (likely(!in_nmi() &&
		   (!IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible()) &&
		   !raw_cpu_read(klpsv_ctor_frames)))
		return true;
	return !klpsv_writer_context_refused(caller, id);
}

/**
 * klpsv_shadow_get() - retrieve a shadow variable's data
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 *
 * Lock-free; any context.
 *
 * Return: the variable's data, or NULL when <@obj, @id> has none.
 */
void *klpsv_shadow_get(void *obj, unsigned long id)
{
	struct klpsv_shadow *shadow = NULL;
	struct klpsv_id *sid;

	/*
	 * An RCU-sched reader: with preemption disabled inline, rather than
	 * the out-of-line calls of a preemptible rcu_read_lock(), for the
	 * hottest path; the shadow stays valid as long as the caller's own
	 * protection of it (see the contract) lasts.
	 */
	rcu_read_lock_sched();
	sid = klpsv_id_find(id);
	if (sid)
		shadow = klpsv_table_lookup(sid, obj);
	rcu_read_unlock_sched();

	return shadow ? shadow->data : NULL;
}
EXPORT_SYMBOL_GPL(klpsv_shadow_get);

static void klpsv_shadow_refused(enum klpsv_insert_result res, int ctor_err,
				 unsigned long id, const char *caller)
{
	switch (res) {
	case KLPSV_INSERT_EXISTS:
		pr_warn_ratelimited("%s: id %lu: shadow variable already exists for this object\n",
				    caller, id);
		break;
	case KLPSV_INSERT_RETIRED:
		pr_warn_ratelimited("%s: id %lu: refused: its state has been removed\n",
				    caller, id);
		break;
	case KLPSV_INSERT_UNDECLARED:
		pr_warn_ratelimited("%s: id %lu: refused: no state declares it (strict=1)\n",
				    caller, id);
		break;
	case KLPSV_INSERT_NOSPC:
		pr_warn_ratelimited("%s: id %lu: no room in the id's table\n",
				    caller, id);
		break;
	case KLPSV_INSERT_CTOR_FAILED:
		pr_warn_ratelimited("%s: id %lu: constructor failed (%d)\n",
				    caller, id, ctor_err);
		break;
	case KLPSV_INSERTED:
	case KLPSV_INSERT_FULL:		/* made room for by klpsv_shadow_create() */
	case KLPSV_INSERT_NOMEM:	/* allocated by klpsv_shadow_create() */
		break;
	}
}

/* A new zeroed variable of @obj, @size bytes of data, from the slab. */
static struct klpsv_shadow *klpsv_shadow_new(void *obj, size_t size, gfp_t gfp)
{
	struct klpsv_shadow *new = klpsv_shadow_zalloc(size, gfp);

	if (new) {
		new->obj = obj;
		new->size = size;
	}
	return new;
}

/* Inserts a caller that may sleep tries after the table was full. */
#define KLPSV_INSERT_TRIES	4

static void *klpsv_shadow_create(void *obj, unsigned long id, size_t size,
				 gfp_t gfp_flags, klpsv_shadow_ctor_t ctor,
				 void *ctor_data, bool exist_ok,
				 const char *caller)
{
	enum klpsv_insert_result res;
	struct klpsv_shadow *new, *shadow;
	struct klpsv_id *sid;
	int err, ctor_err = 0;
	bool reserved = false;
	unsigned int tries;

	if (!klpsv_writer_context_ok(caller, id))
		return NULL;
	if (unlikely(size > KLPSV_SHADOW_SIZE_MAX)) {
		pr_warn_ratelimited("%s: id %lu: refused: size %zu is beyond the largest shadow (%lu bytes)\n",
				    caller, id, size, KLPSV_SHADOW_SIZE_MAX);
		return NULL;
	}

	sid = klpsv_id_find(id);
	/* Fails early; klpsv_table_insert() decides. */
	res = klpsv_id_refusal(sid);
	if (unlikely(res != KLPSV_INSERTED)) {
		klpsv_shadow_refused(res, 0, id, caller);
		return NULL;
	}

	if (exist_ok && sid) {
		rcu_read_lock_sched();
		shadow = klpsv_table_lookup(sid, obj);
		rcu_read_unlock_sched();
		if (shadow)
			return shadow->data;
	}

	/*
	 * The variable first, so that when there is no memory for it, no id
	 * has been created (ids stay until unload) and no table rebuilt;
	 * unless this CPU keeps one of the size, which the insert takes
	 * (recycle.c).
	 */
	new = NULL;
	if (!sid || !klpsv_recycle_ready(size)) {
		new = klpsv_shadow_new(obj, size, gfp_flags);
		if (!new)
			return NULL;
	}

	if (!sid)
		sid = klpsv_id_find_or_create(id, gfp_flags);
	if (!sid) {
		pr_warn_ratelimited("%s: id %lu: no memory for the id's table\n",
				    caller, id);
		goto err_free;
	}

	/*
	 * An insert that finds the table used to 7/8 makes room and inserts
	 * again; one that finds no kept variable allocates one and inserts
	 * again. Inserts that raced past the reservation may fill the table
	 * up to 15/16 before a rebuild gets in: a caller that may sleep makes
	 * room again and retries, as the kernel's would wait for its lock; an
	 * atomic one fails.
	 */
	for (tries = 0;;) {
		res = klpsv_table_insert(sid, obj, size, new, ctor, ctor_data,
					 reserved, &shadow, &ctor_err);
		if (res == KLPSV_INSERT_FULL) {
			err = klpsv_table_reserve(sid, obj, gfp_flags);
			if (err) {
				pr_warn_ratelimited("%s: id %lu: no room in the id's table (%d)\n",
						    caller, id, err);
				goto err_free;
			}
			reserved = true;
			continue;
		}
		if (res == KLPSV_INSERT_NOMEM) {
			/* The CPU's kept ones went meanwhile. */
			new = klpsv_shadow_new(obj, size, gfp_flags);
			if (!new)
				return NULL;
			continue;
		}
		if (res != KLPSV_INSERT_NOSPC || !gfpflags_allow_blocking(gfp_flags) ||
		    tries++ == KLPSV_INSERT_TRIES)
			break;
		reserved = false;
	}
	if (likely(res == KLPSV_INSERTED)) {
		this_cpu_inc(sid->stats->allocs);
		this_cpu_add(sid->stats->bytes_in, size);
		return shadow->data;
	}

	kfree(new);
	if (res == KLPSV_INSERT_EXISTS && exist_ok)
		return shadow->data;
	klpsv_shadow_refused(res, ctor_err, id, caller);
	return NULL;

err_free:
	kfree(new);
	return NULL;
}

/**
 * klpsv_shadow_alloc() - allocate and add a new shadow variable
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @size:	size of the shadow data
 * @gfp_flags:	allocation flags
 * @ctor:	constructor (optional), called in atomic context on zeroed data
 * @ctor_data:	passed to @ctor
 *
 * When <@obj, @id> already has a variable, nothing is allocated, @ctor is not
 * called, one line is logged (rate limited), and NULL is returned. When @ctor
 * fails, no variable is left behind (the id is: ids stay until unload); when
 * there is no memory, nothing is: no id was created, no table rebuilt. A
 * @size beyond what kmalloc() can give is refused with one line.
 *
 * Context: any but NMI and a constructor (on PREEMPT_RT, where a spinlock_t
 * may be taken); @gfp_flags must fit the context
 * (GFP_ATOMIC in hard interrupt context or with interrupts disabled).
 *
 * Return: the new variable's data, or NULL.
 */
void *klpsv_shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp_flags,
			 klpsv_shadow_ctor_t ctor, void *ctor_data)
{
	return klpsv_shadow_create(obj, id, size, gfp_flags, ctor, ctor_data,
				   false, __func__);
}
EXPORT_SYMBOL_GPL(klpsv_shadow_alloc);

/**
 * klpsv_shadow_get_or_alloc() - get an existing or allocate a new shadow variable
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @size:	size of the shadow data
 * @gfp_flags:	allocation flags
 * @ctor:	constructor (optional), called in atomic context on zeroed data
 *		only when the variable is created
 * @ctor_data:	passed to @ctor
 *
 * Context: as for klpsv_shadow_alloc().
 *
 * Return: the data of the existing or new variable, or NULL when it did not
 * exist and could not be created.
 */
void *klpsv_shadow_get_or_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp_flags,
				klpsv_shadow_ctor_t ctor, void *ctor_data)
{
	return klpsv_shadow_create(obj, id, size, gfp_flags, ctor, ctor_data,
				   true, __func__);
}
EXPORT_SYMBOL_GPL(klpsv_shadow_get_or_alloc);

/**
 * klpsv_shadow_free() - detach and free a shadow variable
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @dtor:	destructor (optional), called once, with no klpsv lock held
 *		and preemption disabled; when NULL, the shadow_dtor of the
 *		newest enabled patch that declares state @id is called instead,
 *		the same way
 *
 * Nothing happens when <@obj, @id> has no variable.
 *
 * Context: any but NMI and a constructor (on PREEMPT_RT, where a spinlock_t
 * may be taken).
 */
void klpsv_shadow_free(void *obj, unsigned long id, klpsv_shadow_dtor_t dtor)
{
	struct klpsv_shadow *shadow = NULL;
	struct klpsv_id *sid;

	if (!klpsv_writer_context_ok(__func__, id))
		return;

	sid = klpsv_id_find(id);
	if (!sid)
		return;

	/* Its memory stays until a grace period after this section ends. */
	klpsv_dtor_enter();
	shadow = klpsv_table_remove(sid, obj);
	if (shadow)
		klpsv_shadow_release(sid, shadow, dtor);
	klpsv_dtor_exit();
}
EXPORT_SYMBOL_GPL(klpsv_shadow_free);

/**
 * klpsv_shadow_free_all() - detach and free all <*, id> shadow variables
 * @id:		the shadow id
 * @dtor:	destructor (optional), called once per variable, with no klpsv
 *		lock held and preemption disabled; when NULL, as for
 *		klpsv_shadow_free()
 *
 * Costs O(variables of @id), holding the lock of one part of the id for a
 * few hundred slots of its table at a time, and rescheduling between destructor calls when
 * the caller is preemptible. Variables created while it runs may be left.
 *
 * Context: any but NMI and a constructor (on PREEMPT_RT, where a spinlock_t
 * may be taken).
 */
void klpsv_shadow_free_all(unsigned long id, klpsv_shadow_dtor_t dtor)
{
	struct klpsv_id *sid;

	if (!klpsv_writer_context_ok(__func__, id))
		return;

	sid = klpsv_id_find(id);
	if (sid)
		klpsv_id_empty(sid, dtor, NULL,
			       preemptible() && !rcu_preempt_depth());
}
EXPORT_SYMBOL_GPL(klpsv_shadow_free_all);
