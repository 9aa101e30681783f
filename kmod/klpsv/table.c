// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - the table of one shadow id: <object, variable> slots
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "internal.h"

/**
 * DOC: the table of an id
 *
 * An open-addressed hash table with linear probing, whose slots hold the key
 * beside the pointer (&struct klpsv_slot), so that a lookup reads one cache
 * line of the table, usually one slot, and never a variable it does not
 * return. Under emulation, and on hardware with a table far bigger than the
 * caches, that one random read is what a lookup costs.
 *
 * Lookups take no lock (klpsv_table_lookup()). Writers take the id's
 * spinlock, with bottom halves disabled: inserting fills the first never-used
 * slot of the key's probe sequence, removing marks the variable's slot freed.
 * Neither moves anything, so a lookup racing with them finds what was there
 * before or after, and since a slot is never used twice, a key read beside a
 * variable is that variable's key.
 *
 * Freed slots, like live ones, lengthen probes, and a table must keep
 * never-used slots, where lookups of absent keys stop. So a table is
 * replaced by a new one, built from its live slots, when it is used up to
 * 5/8 (by a work item) or, should the work item be late, to 3/4 (by the next
 * insert that may sleep, or with an atomic allocation); an insert into a
 * table used up to 7/8 fails. The new table has twice as many slots as
 * variables, rounded up to a power of two: used to between 1/4 and 1/2. A
 * table used to less than 1/8 by variables is rebuilt smaller by the work
 * item. Each slot is 16 bytes: between 32 and 64 bytes of table per variable
 * right after a rebuild. (Sizes that are not powers of two would save no
 * memory: kvmalloc() takes tables from 4 KiB to 4 MiB from the page
 * allocator, in powers of two.)
 *
 * A new table is published with rcu_assign_pointer(); the old one is freed
 * after a grace period. Lookups still walking it find what it held when it
 * was replaced, and nothing writes to it any more.
 */

#define KLPSV_TABLE_MIN_BITS	6
/* 2^30 slots, 16 GiB: far beyond any real use, well within the counters. */
#define KLPSV_TABLE_MAX_BITS	30

/*
 * The slots for @n variables: twice as many, so that a new table is used to
 * at most 1/2 and the work item (at 5/8) has something to do next time.
 */
static unsigned int klpsv_table_bits_for(unsigned int n)
{
	if (n <= (1U << KLPSV_TABLE_MIN_BITS) / 2)
		return KLPSV_TABLE_MIN_BITS;
	return order_base_2(n) + 1;
}

/* Used slots beyond which the work item builds a new table: 5/8. */
static bool klpsv_table_crowded(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 8 >= ((u64)t->mask + 1) * 5;
}

/* Used slots beyond which an insert that may sleep builds one: 3/4. */
static bool klpsv_table_full(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 4 >= ((u64)t->mask + 1) * 3;
}

/* Used slots beyond which inserts fail: 7/8. */
static bool klpsv_table_overfull(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 8 >= ((u64)t->mask + 1) * 7;
}

/* Variables below which the work item builds a smaller table: 1/8. */
static bool klpsv_table_sparse(unsigned int live, const struct klpsv_table *t)
{
	return t->bits > KLPSV_TABLE_MIN_BITS &&
	       (u64)live * 8 < (u64)t->mask + 1;
}

static struct klpsv_table *klpsv_table_alloc(unsigned int bits, gfp_t gfp)
{
	struct klpsv_table *t;

	t = kmalloc(sizeof(*t), gfp);
	if (!t)
		return NULL;
	t->slots = kvcalloc(1U << bits, sizeof(*t->slots), gfp | __GFP_NOWARN);
	if (!t->slots) {
		kfree(t);
		return NULL;
	}
	t->bits = bits;
	t->mask = (1U << bits) - 1;
	t->seed = get_random_u64();
	return t;
}

static void klpsv_table_free(struct klpsv_table *t)
{
	kvfree(t->slots);
	kfree(t);
}

static void klpsv_table_free_rcu(struct rcu_head *rcu)
{
	klpsv_table_free(container_of(rcu, struct klpsv_table, rcu));
}

static struct klpsv_table *klpsv_table_locked(struct klpsv_id *sid)
{
	return rcu_dereference_protected(sid->table, lockdep_is_held(&sid->lock));
}

/* Copies the live slots of @old into the empty @new, not yet published. */
static unsigned int klpsv_table_copy(struct klpsv_table *new,
				     const struct klpsv_table *old)
{
	struct klpsv_shadow *shadow;
	unsigned int i, j, copied = 0;

	for (i = 0; i <= old->mask; i++) {
		shadow = old->slots[i].shadow;
		if (!shadow || shadow == KLPSV_SLOT_FREED)
			continue;
		j = klpsv_table_hash(new, old->slots[i].obj);
		while (new->slots[j].shadow)
			j = (j + 1) & new->mask;
		new->slots[j].obj = old->slots[i].obj;
		new->slots[j].shadow = shadow;
		copied++;
	}
	return copied;
}

/*
 * Whether @sid's table should be replaced: with @extra > 0, because it has
 * no room for @extra more inserts; with @extra == 0, because the work item
 * would replace it. Called with the lock held.
 */
static bool klpsv_table_wants_rebuild(struct klpsv_id *sid, unsigned int extra)
{
	struct klpsv_table *t = klpsv_table_locked(sid);

	if (extra)
		return klpsv_table_full(sid->used + extra, t);
	return klpsv_table_crowded(sid->used, t) || klpsv_table_sparse(sid->live, t);
}

#define KLPSV_REBUILD_TRIES	3

/*
 * Replaces the table of @sid by one built from its live slots, with room for
 * @extra more variables, when klpsv_table_wants_rebuild() says so. Allocates
 * with @gfp, outside the lock; when so many variables were added meanwhile
 * that the new table would be crowded already, tries again with a bigger
 * one, a few times. One sized for more variables than are left is used
 * all the same.
 *
 * Return: 0 (also when no new table was needed), -ENOMEM, -EBUSY, or
 * -ENOSPC beyond 2^30 slots.
 */
static int klpsv_table_rebuild(struct klpsv_id *sid, unsigned int extra, gfp_t gfp)
{
	struct klpsv_table *old, *new;
	unsigned int bits, tries;

	for (tries = 0; tries < KLPSV_REBUILD_TRIES; tries++) {
		spin_lock_bh(&sid->lock);
		if (!klpsv_table_wants_rebuild(sid, extra)) {
			spin_unlock_bh(&sid->lock);
			return 0;
		}
		bits = klpsv_table_bits_for(sid->live + extra);
		spin_unlock_bh(&sid->lock);
		if (bits > KLPSV_TABLE_MAX_BITS)
			return -ENOSPC;

		new = klpsv_table_alloc(bits, gfp);
		if (!new)
			return -ENOMEM;

		spin_lock_bh(&sid->lock);
		if (!klpsv_table_wants_rebuild(sid, extra)) {
			spin_unlock_bh(&sid->lock);
			klpsv_table_free(new);
			return 0;
		}
		/* Variables added meanwhile: as long as it is not crowded. */
		if (klpsv_table_crowded(sid->live + extra, new)) {
			spin_unlock_bh(&sid->lock);
			klpsv_table_free(new);
			continue;
		}
		old = klpsv_table_locked(sid);
		WRITE_ONCE(sid->used, klpsv_table_copy(new, old));
		WARN_ON_ONCE(sid->used != sid->live);
		rcu_assign_pointer(sid->table, new);
		spin_unlock_bh(&sid->lock);

		call_rcu(&old->rcu, klpsv_table_free_rcu);
		return 0;
	}
	return -EBUSY;
}

static void klpsv_table_resize_work(struct work_struct *work)
{
	struct klpsv_id *sid = container_of(work, struct klpsv_id, resize);
	int err;

	err = klpsv_table_rebuild(sid, 0, GFP_KERNEL);
	if (err)
		pr_warn_ratelimited("id %lu: cannot rebuild the table (%d)\n",
				    sid->id, err);
}

/**
 * klpsv_table_init() - give a new id its first, smallest table
 * @sid:	the id, not yet visible to anyone
 * @gfp:	allocation flags
 *
 * Return: 0, or -ENOMEM.
 */
int klpsv_table_init(struct klpsv_id *sid, gfp_t gfp)
{
	struct klpsv_table *t = klpsv_table_alloc(KLPSV_TABLE_MIN_BITS, gfp);

	if (!t)
		return -ENOMEM;
	RCU_INIT_POINTER(sid->table, t);
	spin_lock_init(&sid->lock);
	sid->used = 0;
	sid->live = 0;
	INIT_WORK(&sid->resize, klpsv_table_resize_work);
	return 0;
}

/**
 * klpsv_table_destroy() - free the table of an id that is going away
 * @sid:	the id: no variable left, no user left
 *
 * Waits for the work item; older tables wait for their grace period, which
 * the rcu_barrier() of unload covers.
 */
void klpsv_table_destroy(struct klpsv_id *sid)
{
	cancel_work_sync(&sid->resize);
	WARN_ON_ONCE(sid->live);
	klpsv_table_free(rcu_dereference_protected(sid->table, true));
}

/**
 * klpsv_table_reserve() - make room for one more variable
 * @sid:	the id
 * @gfp:	allocation flags, for a new table
 *
 * Call before klpsv_table_insert(), outside any lock when @gfp may sleep.
 * Builds a new table only when the work item has fallen behind.
 *
 * Return: 0, or the error of klpsv_table_rebuild() when no new table could
 * be built.
 */
int klpsv_table_reserve(struct klpsv_id *sid, gfp_t gfp)
{
	const struct klpsv_table *t;
	bool full;

	rcu_read_lock_sched();
	t = rcu_dereference_sched(sid->table);
	full = klpsv_table_full(READ_ONCE(sid->used) + 1, t);
	rcu_read_unlock_sched();

	return full ? klpsv_table_rebuild(sid, 1, gfp) : 0;
}

/**
 * klpsv_table_insert() - publish a new variable, unless its object has one
 * @sid:	the id
 * @shadow:	the new variable, its @obj set, its data zeroed
 * @ctor:	called on @shadow's data before it is published, unless the
 *		object has a variable already (optional)
 * @ctor_data:	passed to @ctor
 * @existing:	set to the object's variable when it has one, else to NULL
 *
 * The check, @ctor and the publication happen under the id's lock, so that
 * of racing inserts for one object one constructs and publishes, and no
 * reader sees the data before @ctor has returned. @ctor runs in atomic
 * context, with bottom halves disabled, and must not use the id's writers.
 *
 * Any context where bottom halves may be disabled.
 *
 * Return: 0 when @shadow was published. Otherwise @shadow stays the
 * caller's, and the return value is -EEXIST when the object had a variable
 * (*@existing), -ENOSPC when the table is used up to 7/8 (the caller did not
 * reserve, or many inserts raced past the reservation), or what @ctor
 * returned.
 */
int klpsv_table_insert(struct klpsv_id *sid, struct klpsv_shadow *shadow,
		       klpsv_shadow_ctor_t ctor, void *ctor_data,
		       struct klpsv_shadow **existing)
{
	struct klpsv_shadow *cur;
	struct klpsv_table *t;
	bool crowded;
	unsigned int i;
	int err;

	*existing = NULL;
	spin_lock_bh(&sid->lock);
	t = klpsv_table_locked(sid);
	for (i = klpsv_table_hash(t, shadow->obj);; i = (i + 1) & t->mask) {
		cur = t->slots[i].shadow;
		if (!cur)
			break;
		if (cur != KLPSV_SLOT_FREED && t->slots[i].obj == shadow->obj) {
			*existing = cur;
			err = -EEXIST;
			goto unlock;
		}
	}
	err = -ENOSPC;
	if (klpsv_table_overfull(sid->used + 1, t))
		goto unlock;
	err = ctor ? ctor(shadow->obj, shadow->data, ctor_data) : 0;
	if (err)
		goto unlock;

	t->slots[i].obj = shadow->obj;
	/* Pairs with the acquire of klpsv_table_lookup(). */
	smp_store_release(&t->slots[i].shadow, shadow);
	/* Read without the lock by klpsv_table_reserve(). */
	WRITE_ONCE(sid->used, sid->used + 1);
	sid->live++;
	crowded = klpsv_table_crowded(sid->used, t);
	spin_unlock_bh(&sid->lock);

	if (crowded)
		schedule_work(&sid->resize);
	return 0;

unlock:
	spin_unlock_bh(&sid->lock);
	return err;
}

/**
 * klpsv_table_remove() - unpublish the variable of a parent object
 * @sid:	the id
 * @obj:	the parent object
 *
 * Lookups may find the variable until the end of their read-side critical
 * sections: free it after a grace period. Of racing removes of one variable,
 * one gets it.
 *
 * Any context where bottom halves may be disabled.
 *
 * Return: the variable, now the caller's to free, or NULL when @obj had none.
 */
struct klpsv_shadow *klpsv_table_remove(struct klpsv_id *sid, void *obj)
{
	struct klpsv_shadow *shadow;
	struct klpsv_table *t;
	bool sparse = false;
	unsigned int i;

	spin_lock_bh(&sid->lock);
	t = klpsv_table_locked(sid);
	for (i = klpsv_table_hash(t, obj);; i = (i + 1) & t->mask) {
		shadow = t->slots[i].shadow;
		if (!shadow)
			break;
		if (shadow != KLPSV_SLOT_FREED && t->slots[i].obj == obj) {
			WRITE_ONCE(t->slots[i].shadow, KLPSV_SLOT_FREED);
			sid->live--;
			sparse = klpsv_table_sparse(sid->live, t);
			break;
		}
	}
	spin_unlock_bh(&sid->lock);

	if (sparse)
		schedule_work(&sid->resize);
	return shadow;
}

/**
 * klpsv_table_remove_all() - unpublish every variable of an id
 * @sid:	the id
 *
 * One pass over the table, under the lock: every variable published before
 * the call is removed. As for klpsv_table_remove(), free them after a grace
 * period.
 *
 * Any context where bottom halves may be disabled.
 *
 * Return: the removed variables, linked through their @reaped.
 */
struct klpsv_shadow *klpsv_table_remove_all(struct klpsv_id *sid)
{
	struct klpsv_shadow *shadow, *head = NULL;
	struct klpsv_table *t;
	bool sparse;
	unsigned int i;

	spin_lock_bh(&sid->lock);
	t = klpsv_table_locked(sid);
	for (i = 0; sid->live && i <= t->mask; i++) {
		shadow = t->slots[i].shadow;
		if (!shadow || shadow == KLPSV_SLOT_FREED)
			continue;
		WRITE_ONCE(t->slots[i].shadow, KLPSV_SLOT_FREED);
		sid->live--;
		shadow->reaped = head;
		head = shadow;
	}
	sparse = klpsv_table_sparse(sid->live, t);
	spin_unlock_bh(&sid->lock);

	if (sparse)
		schedule_work(&sid->resize);
	return head;
}

/**
 * klpsv_id_walk() - call @fn for every variable of an id
 * @sid:	the id
 * @fn:		called for each variable; returns false to stop the walk
 * @arg:	passed to @fn
 *
 * The caller holds rcu_read_lock(); @fn must not sleep. Variables added or
 * removed during the walk may or may not be seen; none is seen twice.
 *
 * Return: false when @fn stopped the walk, true otherwise.
 */
bool klpsv_id_walk(struct klpsv_id *sid,
		   bool (*fn)(struct klpsv_shadow *shadow, void *arg), void *arg)
{
	const struct klpsv_table *t = rcu_dereference(sid->table);
	struct klpsv_shadow *shadow;
	unsigned int i;

	for (i = 0; i <= t->mask; i++) {
		/* Pairs with the release of klpsv_table_insert(). */
		shadow = smp_load_acquire(&t->slots[i].shadow);
		if (shadow && shadow != KLPSV_SLOT_FREED && !fn(shadow, arg))
			return false;
	}
	return true;
}
