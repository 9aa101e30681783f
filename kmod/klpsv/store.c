// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * store.c - the shadow-variable store: the exported klpsv_shadow_*() API
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/overflow.h>
#include <linux/hardirq.h>
#include "internal.h"

/**
 * DOC: the shadow-variable store
 *
 * A shadow variable is found by <obj, id>: the id selects a hash table (see
 * idtable.c), the parent object is the key within it (see table.c): tables
 * grow and shrink with their contents, lookups take no lock, and writers
 * take the lock of the id for the few instructions that change a slot.
 *
 * Context and locking:
 *
 * - klpsv_shadow_get() takes no lock and may be called in any context. The
 *   data it returns stays allocated until the caller's RCU read-side critical
 *   section ends, even when another CPU frees the variable meanwhile.
 *
 * - klpsv_shadow_alloc(), klpsv_shadow_get_or_alloc(), klpsv_shadow_free()
 *   and klpsv_shadow_free_all() may be called in process or softirq context,
 *   holding spinlocks when @gfp_flags do not allow sleeping, but not in hard
 *   interrupt context nor with interrupts disabled: the id's lock disables
 *   bottom halves. Such a call is refused with one log line (the allocators
 *   return NULL, the others do nothing).
 *
 * - Allocation is serialised per id by the id's lock (see table.c), so that
 *   the constructor runs only when the variable does not exist yet, exactly
 *   once, before any reader can find it. The constructor runs under that
 *   lock, with bottom halves disabled: atomic context. It may get shadow
 *   variables, and allocate and free those of other ids, but not of its own
 *   (as with the kernel's, where a constructor holds the one global lock).
 *
 * - Destructors run with no klpsv lock held, in the context of the caller of
 *   klpsv_shadow_free() or klpsv_shadow_free_all(). Removal decides who
 *   frees: a variable is released once even when free and free_all race.
 */

static bool klpsv_writer_context_ok(const char *caller, unsigned long id)
{
	if (likely(!in_hardirq() && !in_nmi() && !irqs_disabled()))
		return true;

	pr_warn_ratelimited("%s: id %lu: refused with interrupts disabled or in hard interrupt context\n",
			    caller, id);
	return false;
}

/* Ids of removed states, and with strict=1 undeclared ids, are refused. */
static bool klpsv_id_allows_alloc(struct klpsv_id *sid, unsigned long id,
				  const char *caller)
{
	unsigned long bits = sid ? READ_ONCE(sid->state) : 0;

	if (unlikely(bits & BIT(KLPSV_ID_RETIRED))) {
		pr_warn_ratelimited("%s: id %lu: refused: its state has been removed\n",
				    caller, id);
		return false;
	}
	if (unlikely(READ_ONCE(klpsv_strict) &&
		     !(bits & (BIT(KLPSV_ID_DECLARED) | BIT(KLPSV_ID_IN_FORCE))))) {
		pr_warn_ratelimited("%s: id %lu: refused: no state declares it (strict=1)\n",
				    caller, id);
		return false;
	}
	return true;
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

static void *klpsv_shadow_create(void *obj, unsigned long id, size_t size,
				 gfp_t gfp_flags, klpsv_shadow_ctor_t ctor,
				 void *ctor_data, bool exist_ok,
				 const char *caller)
{
	struct klpsv_shadow *new, *shadow;
	struct klpsv_id *sid;
	int err;

	if (!klpsv_writer_context_ok(caller, id))
		return NULL;

	sid = klpsv_id_find(id);
	if (!klpsv_id_allows_alloc(sid, id, caller))
		return NULL;
	if (!sid)
		sid = klpsv_id_find_or_create(id, gfp_flags);
	if (!sid) {
		pr_warn_ratelimited("%s: id %lu: no memory for the id's table\n",
				    caller, id);
		return NULL;
	}

	if (exist_ok) {
		rcu_read_lock_sched();
		shadow = klpsv_table_lookup(sid, obj);
		rcu_read_unlock_sched();
		if (shadow)
			return shadow->data;
	}

	err = klpsv_table_reserve(sid, gfp_flags);
	if (err) {
		pr_warn_ratelimited("%s: id %lu: no room in the id's table (%d)\n",
				    caller, id, err);
		return NULL;
	}

	new = klpsv_shadow_zalloc(size, gfp_flags);
	if (!new)
		return NULL;
	new->obj = obj;
	new->size = size;

	err = klpsv_table_insert(sid, new, ctor, ctor_data, &shadow);
	if (likely(!err)) {
		this_cpu_inc(sid->stats->allocs);
		this_cpu_add(sid->stats->bytes_in, size);
		return new->data;
	}

	kfree(new);
	if (shadow) {
		if (exist_ok)
			return shadow->data;
		pr_warn_ratelimited("%s: id %lu: shadow variable already exists for this object\n",
				    caller, id);
	} else if (err == -ENOSPC) {
		pr_warn_ratelimited("%s: id %lu: no room in the id's table\n",
				    caller, id);
	} else {
		pr_warn_ratelimited("%s: id %lu: constructor failed (%d)\n",
				    caller, id, err);
	}
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
 * fails, nothing is left behind.
 *
 * Not in hard interrupt context nor with interrupts disabled.
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
 * Not in hard interrupt context nor with interrupts disabled.
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

static void klpsv_shadow_release(struct klpsv_id *sid, struct klpsv_shadow *shadow,
				 klpsv_shadow_dtor_t dtor)
{
	size_t size = shadow->size;
	klpsv_shadow_dtor_t state_dtor;

	if (dtor) {
		dtor(shadow->obj, shadow->data);
	} else if (READ_ONCE(sid->state_dtor)) {
		/* The state's module cannot go while we are in here. */
		rcu_read_lock();
		state_dtor = READ_ONCE(sid->state_dtor);
		if (state_dtor)
			state_dtor(shadow->obj, shadow->data);
		rcu_read_unlock();
	}
	this_cpu_inc(sid->stats->frees);
	this_cpu_add(sid->stats->bytes_out, size);
	klpsv_shadow_free_deferred(shadow);
}

/**
 * klpsv_shadow_free() - detach and free a shadow variable
 * @obj:	the parent object (may be NULL)
 * @id:		the shadow id
 * @dtor:	destructor (optional), called once, with no klpsv lock held;
 *		when NULL, the shadow_dtor of the newest registered patch that
 *		declares state @id is called instead, in an RCU read-side
 *		critical section
 *
 * Nothing happens when <@obj, @id> has no variable.
 * Not in hard interrupt context nor with interrupts disabled.
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

	shadow = klpsv_table_remove(sid, obj);
	if (shadow)
		klpsv_shadow_release(sid, shadow, dtor);
}
EXPORT_SYMBOL_GPL(klpsv_shadow_free);

/**
 * klpsv_id_free_all() - free every variable of an id
 * @sid:	the id
 * @dtor:	destructor (optional)
 * @bytes:	if not NULL, the data bytes freed are added to it
 *
 * The variables are removed in one pass under the id's lock, then released
 * outside of it, so that @dtor runs in the caller's context. The cost is
 * proportional to the size of this id's table, whatever other ids hold.
 *
 * Return: the number of variables freed.
 */
unsigned long klpsv_id_free_all(struct klpsv_id *sid, klpsv_shadow_dtor_t dtor,
				unsigned long *bytes)
{
	struct klpsv_shadow *shadow, *next;
	unsigned long count = 0;

	for (shadow = klpsv_table_remove_all(sid); shadow; shadow = next) {
		next = shadow->reaped;
		if (bytes)
			*bytes += shadow->size;
		klpsv_shadow_release(sid, shadow, dtor);
		count++;
	}
	return count;
}

/**
 * klpsv_shadow_free_all() - detach and free all <*, id> shadow variables
 * @id:		the shadow id
 * @dtor:	destructor (optional), called once per variable, with no klpsv
 *		lock held; when NULL, as for klpsv_shadow_free()
 *
 * Costs O(variables of @id). Variables created while it runs may be left.
 * Not in hard interrupt context nor with interrupts disabled.
 */
void klpsv_shadow_free_all(unsigned long id, klpsv_shadow_dtor_t dtor)
{
	struct klpsv_id *sid;

	if (!klpsv_writer_context_ok(__func__, id))
		return;

	sid = klpsv_id_find(id);
	if (sid)
		klpsv_id_free_all(sid, dtor, NULL);
}
EXPORT_SYMBOL_GPL(klpsv_shadow_free_all);
