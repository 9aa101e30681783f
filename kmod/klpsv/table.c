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
 * A new table is filled a chunk of the old one at a time, so that writers
 * wait for one chunk at most, never for a whole copy (see
 * klpsv_table_rebuild()), then published with rcu_assign_pointer(); the old
 * one is freed after a grace period. Lookups still walking it find what it
 * held when it was replaced, and nothing writes to it any more.
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
	return (u64)used * 8 >= (u64)klpsv_table_slots(t) * 5;
}

/* Used slots beyond which an insert that may sleep builds one: 3/4. */
static bool klpsv_table_full(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 4 >= (u64)klpsv_table_slots(t) * 3;
}

/* Used slots beyond which inserts fail: 7/8. */
static bool klpsv_table_overfull(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 8 >= (u64)klpsv_table_slots(t) * 7;
}

/* Variables below which the work item builds a smaller table: 1/8. */
static bool klpsv_table_sparse(unsigned int live, const struct klpsv_table *t)
{
	return t->bits > KLPSV_TABLE_MIN_BITS &&
	       (u64)live * 8 < klpsv_table_slots(t);
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

/*
 * The slot of @obj's variable in @t, or, when it has none, the never-used
 * slot where its probe ends: where a new variable of @obj goes. Lock held.
 */
static unsigned int klpsv_table_probe(const struct klpsv_table *t,
				      const void *obj)
{
	unsigned int i;

	for (i = klpsv_table_hash(t, obj); t->slots[i].shadow; i = klpsv_table_next(t, i)) {
		if (t->slots[i].shadow != KLPSV_SLOT_FREED && t->slots[i].obj == obj)
			break;
	}
	return i;
}

/*
 * Puts @shadow into @t, not published yet, at the first never-used slot from
 * the hash of @obj on: no check, no ordering needed.
 */
static void klpsv_table_place(struct klpsv_table *t, void *obj,
			      struct klpsv_shadow *shadow)
{
	unsigned int j = klpsv_table_hash(t, obj);

	while (t->slots[j].shadow)
		j = klpsv_table_next(t, j);
	t->slots[j].obj = obj;
	t->slots[j].shadow = shadow;
}

/* Marks the slot of @shadow in @t, not published yet, freed. */
static void klpsv_table_unplace(struct klpsv_table *t, void *obj,
				struct klpsv_shadow *shadow)
{
	unsigned int j;

	for (j = klpsv_table_hash(t, obj); t->slots[j].shadow; j = klpsv_table_next(t, j)) {
		if (t->slots[j].shadow == shadow) {
			t->slots[j].shadow = KLPSV_SLOT_FREED;
			return;
		}
	}
}

/* Drops the rebuild in flight: its table was never published. */
static void klpsv_rebuild_abandon(struct klpsv_id *sid)
{
	call_rcu(&sid->next->rcu, klpsv_table_free_rcu);
	sid->next = NULL;
}

/* Adds one more variable to the new table, or abandons it when full. */
static void klpsv_rebuild_add(struct klpsv_id *sid, void *obj,
			      struct klpsv_shadow *shadow)
{
	if (klpsv_table_full(sid->next_used + 1, sid->next)) {
		klpsv_rebuild_abandon(sid);
		return;
	}
	klpsv_table_place(sid->next, obj, shadow);
	sid->next_used++;
}

/*
 * A writer changed slot @i of the current table: when a rebuild has copied
 * that slot already, the change goes into the new table too. Lock held.
 */
static void klpsv_rebuild_note(struct klpsv_id *sid, unsigned int i, void *obj,
			       struct klpsv_shadow *shadow, bool inserted)
{
	if (!sid->next || i >= sid->copied)
		return;
	if (inserted)
		klpsv_rebuild_add(sid, obj, shadow);
	else
		klpsv_table_unplace(sid->next, obj, shadow);
}

/* Slots of the current table copied per holding of the lock. */
#define KLPSV_REBUILD_CHUNK	256

/*
 * Copies the next chunk of the current table into the rebuild in flight,
 * and publishes the new table after the last chunk. Lock held.
 *
 * Return: the table replaced, to be freed after a grace period, or NULL.
 */
static struct klpsv_table *klpsv_rebuild_step(struct klpsv_id *sid)
{
	struct klpsv_table *old = klpsv_table_locked(sid);
	unsigned int i, end = min(sid->copied + KLPSV_REBUILD_CHUNK,
				  klpsv_table_slots(old));
	struct klpsv_shadow *shadow;

	for (i = sid->copied; i < end && sid->next; i++) {
		shadow = old->slots[i].shadow;
		if (klpsv_slot_live(shadow))
			klpsv_rebuild_add(sid, old->slots[i].obj, shadow);
	}
	if (!sid->next)
		return NULL;
	sid->copied = end;
	if (end < klpsv_table_slots(old))
		return NULL;

	rcu_assign_pointer(sid->table, sid->next);
	WRITE_ONCE(sid->used, sid->next_used);
	sid->next = NULL;
	return old;
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
 * @extra more variables, when klpsv_table_wants_rebuild() says so, or helps
 * the rebuild in flight to its end.
 *
 * The new table is allocated with @gfp, outside the lock; when so many
 * variables were added meanwhile that it would be crowded already, a bigger
 * one is tried, a few times (one sized for more variables than are left is
 * used all the same). It is filled %KLPSV_REBUILD_CHUNK slots of the current
 * table at a time, the lock held for each chunk only, rescheduling between
 * chunks when @gfp allows; writers meanwhile change the current table as
 * usual, and a slot they change that was copied already is changed in the
 * new table too (klpsv_rebuild_note()). Lookups use the current table until
 * the new one is published. A rebuild whose table fills up meanwhile is
 * abandoned; the next crowded insert starts another.
 *
 * Return: 0 (also when no new table was needed), -ENOMEM, -EBUSY, or
 * -ENOSPC beyond 2^30 slots.
 */
static int klpsv_table_rebuild(struct klpsv_id *sid, unsigned int extra, gfp_t gfp)
{
	struct klpsv_table *new, *target, *old = NULL;
	unsigned int bits, tries;

	for (tries = 0;; tries++) {
		spin_lock_bh(&sid->lock);
		if (sid->next)
			break;
		if (!klpsv_table_wants_rebuild(sid, extra)) {
			spin_unlock_bh(&sid->lock);
			return 0;
		}
		bits = klpsv_table_bits_for(sid->live + extra);
		spin_unlock_bh(&sid->lock);
		if (tries == KLPSV_REBUILD_TRIES)
			return -EBUSY;
		if (bits > KLPSV_TABLE_MAX_BITS)
			return -ENOSPC;

		new = klpsv_table_alloc(bits, gfp);
		if (!new)
			return -ENOMEM;

		spin_lock_bh(&sid->lock);
		if (!sid->next && klpsv_table_wants_rebuild(sid, extra) &&
		    !klpsv_table_crowded(sid->live + extra, new)) {
			sid->next = new;
			sid->copied = 0;
			sid->next_used = 0;
			break;
		}
		spin_unlock_bh(&sid->lock);
		klpsv_table_free(new);
	}

	target = sid->next;
	for (;;) {
		old = klpsv_rebuild_step(sid);
		if (old || sid->next != target)
			break;
		spin_unlock_bh(&sid->lock);
		if (gfpflags_allow_blocking(gfp))
			cond_resched();
		spin_lock_bh(&sid->lock);
		if (sid->next != target)
			break;
	}
	spin_unlock_bh(&sid->lock);

	if (old)
		call_rcu(&old->rcu, klpsv_table_free_rcu);
	return 0;
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
	sid->next = NULL;
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
	WARN_ON_ONCE(sid->live || sid->next);
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

	spin_lock_bh(&sid->lock);
	t = klpsv_table_locked(sid);
	i = klpsv_table_probe(t, shadow->obj);
	cur = t->slots[i].shadow;
	*existing = cur;
	err = -EEXIST;
	if (cur)
		goto unlock;
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
	klpsv_rebuild_note(sid, i, shadow->obj, shadow, true);
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
	i = klpsv_table_probe(t, obj);
	shadow = t->slots[i].shadow;
	if (shadow) {
		WRITE_ONCE(t->slots[i].shadow, KLPSV_SLOT_FREED);
		sid->live--;
		klpsv_rebuild_note(sid, i, obj, shadow, false);
		sparse = klpsv_table_sparse(sid->live, t);
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
	/* A new table would be built for nothing. */
	if (sid->next)
		klpsv_rebuild_abandon(sid);
	t = klpsv_table_locked(sid);
	for (i = 0; sid->live && i < klpsv_table_slots(t); i++) {
		shadow = t->slots[i].shadow;
		if (!klpsv_slot_live(shadow))
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

	for (i = 0; i < klpsv_table_slots(t); i++) {
		/* Pairs with the release of klpsv_table_insert(). */
		shadow = smp_load_acquire(&t->slots[i].shadow);
		if (klpsv_slot_live(shadow) && !fn(shadow, arg))
			return false;
	}
	return true;
}
