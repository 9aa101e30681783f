// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - the table of one shadow id: <object, variable> slots
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
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
 * spinlock with spin_lock_irqsave(), as the kernel's store takes its own, so
 * that they work in process, softirq and hard interrupt context and with
 * interrupts disabled (not in NMI): inserting fills the first slot of the
 * key's probe sequence that the same key held before and was freed, else its
 * first never-used slot; removing marks the variable's slot freed. Neither
 * moves anything, so a lookup racing with them finds what was there before
 * or after, and since a slot never holds another key than its first, a key
 * read beside a variable is that variable's key. An object whose shadow is
 * freed and allocated again, over and over, takes one slot, not one per
 * allocation.
 *
 * Freed slots, like live ones, lengthen probes, and a table must keep
 * never-used slots, where lookups of absent keys stop. So a table is
 * replaced by a new one, built from its live slots, when it is used up to
 * 5/8 (by a work item) or, should the work item be late, to 3/4 (by the
 * inserts: one that may sleep builds the whole table, one that may not
 * allocates it atomically and copies one chunk, and so does every atomic
 * insert after it until the rebuild is done, which leaves the 1/8 of the
 * table to 7/8 more than enough room); an insert into a table used up to 7/8
 * fails. The new table has twice as many slots as
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
 *
 * Emptying a table (free_all) is chunked the same way: a chunk of slots per
 * holding of the lock (klpsv_table_empty_step()). While it runs, no rebuild
 * starts and none in flight is kept, so that the emptying walks one table
 * from its first slot to its last and misses nothing published before it
 * began. Inserts meanwhile go into that table as usual, but one that finds
 * it used to 3/4 and may sleep waits for the emptying to end and then
 * rebuilds it; an atomic one cannot wait, and fails once the table is used
 * to 7/8. The work item rebuilds it when the emptying is done.
 *
 * With the parameter rebuild_work=0 the work item does nothing, as if it were
 * always late: a table is then rebuilt by the insert that finds it at 3/4,
 * and never shrunk. That is for tests, which need the inserting task to do
 * the rebuild (to fail its allocations, for instance) deterministically.
 */

static bool klpsv_rebuild_work = true;
module_param_named(rebuild_work, klpsv_rebuild_work, bool, 0644);
MODULE_PARM_DESC(rebuild_work,
		 "Let a work item rebuild tables used to 5/8 or shrink sparse ones; 0 leaves rebuilds to inserts at 3/4, for tests (default: 1)");

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

/* No freed slot of the key was met (see klpsv_table_probe()). */
#define KLPSV_NO_SLOT	UINT_MAX

/*
 * The slot of @obj's variable in the current table @t of @sid, or, when it
 * has none, the never-used slot where its probe ends. When @freed is not
 * NULL, it is set to the first freed slot of the probe that held a variable
 * of @obj, or to %KLPSV_NO_SLOT: where a new variable of @obj goes back.
 */
static unsigned int klpsv_table_probe(struct klpsv_id *sid,
				      const struct klpsv_table *t,
				      const void *obj, unsigned int *freed)
{
	struct klpsv_shadow *shadow;
	unsigned int i;

	lockdep_assert_held(&sid->lock);
	if (freed)
		*freed = KLPSV_NO_SLOT;
	for (i = klpsv_table_hash(t, obj); (shadow = t->slots[i].shadow);
	     i = klpsv_table_next(t, i)) {
		if (t->slots[i].obj != obj)
			continue;
		if (shadow != KLPSV_SLOT_FREED)
			break;
		if (freed && *freed == KLPSV_NO_SLOT)
			*freed = i;
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
	lockdep_assert_held(&sid->lock);
	call_rcu(&sid->next->rcu, klpsv_table_free_rcu);
	sid->next = NULL;
}

/* Adds one more variable to the new table, or abandons it when full. */
static void klpsv_rebuild_add(struct klpsv_id *sid, void *obj,
			      struct klpsv_shadow *shadow)
{
	lockdep_assert_held(&sid->lock);
	if (klpsv_table_full(sid->next_used + 1, sid->next)) {
		klpsv_rebuild_abandon(sid);
		return;
	}
	klpsv_table_place(sid->next, obj, shadow);
	sid->next_used++;
}

/*
 * A writer changed slot @i of the current table: when a rebuild has copied
 * that slot already, the change goes into the new table too.
 */
static void klpsv_rebuild_note(struct klpsv_id *sid, unsigned int i, void *obj,
			       struct klpsv_shadow *shadow, bool inserted)
{
	lockdep_assert_held(&sid->lock);
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
 * and publishes the new table after the last chunk.
 *
 * Return: the table replaced, to be freed after a grace period, or NULL.
 */
static struct klpsv_table *klpsv_rebuild_step(struct klpsv_id *sid)
{
	struct klpsv_table *old = klpsv_table_locked(sid);
	unsigned int i, end = min(sid->copied + KLPSV_REBUILD_CHUNK,
				  klpsv_table_slots(old));
	struct klpsv_shadow *shadow;

	lockdep_assert_held(&sid->lock);
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
 * would replace it. Never while a free_all empties it.
 */
static bool klpsv_table_wants_rebuild(struct klpsv_id *sid, unsigned int extra)
{
	struct klpsv_table *t = klpsv_table_locked(sid);

	lockdep_assert_held(&sid->lock);
	if (sid->emptying)
		return false;
	if (extra)
		return klpsv_table_full(sid->used + extra, t);
	return klpsv_table_crowded(sid->used, t) || klpsv_table_sparse(sid->live, t);
}

#define KLPSV_REBUILD_TRIES	3

/*
 * Starts a rebuild when klpsv_table_wants_rebuild(), or finds the one in
 * flight. Each try allocates a table outside the lock; when other writers
 * replaced the table every time one was ready (a few slots of a small table
 * go fast when many CPUs churn distinct objects), the caller gives up after
 * %KLPSV_REBUILD_TRIES and leaves it to them: they rebuild what their
 * inserts need, an insert fails only at 7/8 (klpsv_table_insert() says so),
 * and the next crowded insert queues the work item again.
 *
 * Return: 1 with the lock held (*@flags saved) and sid->next set; with the
 * lock released, 0 when no new table is wanted or others keep replacing it,
 * or -ENOMEM, -ENOSPC.
 */
static int klpsv_rebuild_start(struct klpsv_id *sid, unsigned int extra,
			       gfp_t gfp, unsigned long *flags)
{
	struct klpsv_table *new;
	unsigned int bits, tries;

	for (tries = 0;; tries++) {
		spin_lock_irqsave(&sid->lock, *flags);
		if (sid->next)
			return 1;
		if (!klpsv_table_wants_rebuild(sid, extra)) {
			spin_unlock_irqrestore(&sid->lock, *flags);
			return 0;
		}
		bits = klpsv_table_bits_for(sid->live + extra);
		spin_unlock_irqrestore(&sid->lock, *flags);
		if (tries == KLPSV_REBUILD_TRIES)
			return 0;
		if (bits > KLPSV_TABLE_MAX_BITS)
			return -ENOSPC;

		new = klpsv_table_alloc(bits, gfp);
		if (!new)
			return -ENOMEM;

		spin_lock_irqsave(&sid->lock, *flags);
		if (!sid->next && klpsv_table_wants_rebuild(sid, extra) &&
		    !klpsv_table_crowded(sid->live + extra, new)) {
			sid->next = new;
			sid->copied = 0;
			sid->next_used = 0;
			return 1;
		}
		spin_unlock_irqrestore(&sid->lock, *flags);
		/* Not published, and allocated with @gfp: freed the same way. */
		klpsv_table_free(new);
	}
}

/*
 * Replaces the table of @sid by one built from its live slots, with room for
 * @extra more variables, when klpsv_table_wants_rebuild() says so, or helps
 * the rebuild in flight to its end.
 *
 * The new table is allocated with @gfp, outside the lock; when so many
 * variables were added meanwhile that it would be crowded already, a bigger
 * one is tried, a few times (one sized for more variables than are left is
 * used all the same). It is filled %KLPSV_REBUILD_CHUNK slots of the current
 * table at a time, the lock held for each chunk only; writers meanwhile
 * change the current table as usual, and a slot they change that was copied
 * already is changed in the new table too (klpsv_rebuild_note()). Lookups
 * use the current table until the new one is published. A rebuild whose
 * table fills up meanwhile is abandoned; the next crowded insert starts
 * another.
 *
 * When @gfp may sleep, the whole table is copied, rescheduling between
 * chunks. When it may not, the caller may be in hard interrupt context or
 * have interrupts disabled: one chunk is copied, and the next atomic insert
 * copies the next (see the DOC above), so that no caller spends more than
 * one chunk (and one allocation) in here.
 *
 * Return: 0 (also when no new table was needed, or others keep replacing
 * it), -ENOMEM, or -ENOSPC beyond 2^30 slots.
 */
static int klpsv_table_rebuild(struct klpsv_id *sid, unsigned int extra, gfp_t gfp)
{
	bool may_sleep = gfpflags_allow_blocking(gfp);
	struct klpsv_table *target, *old;
	unsigned long flags;
	int ret;

	ret = klpsv_rebuild_start(sid, extra, gfp, &flags);
	if (ret <= 0)
		return ret;

	target = sid->next;
	for (;;) {
		old = klpsv_rebuild_step(sid);
		if (old || sid->next != target || !may_sleep)
			break;
		spin_unlock_irqrestore(&sid->lock, flags);
		cond_resched();
		spin_lock_irqsave(&sid->lock, flags);
		if (sid->next != target)
			break;
	}
	spin_unlock_irqrestore(&sid->lock, flags);

	if (old)
		call_rcu(&old->rcu, klpsv_table_free_rcu);
	return 0;
}

static void klpsv_table_resize_work(struct work_struct *work)
{
	struct klpsv_id *sid = container_of(work, struct klpsv_id, resize);
	int err;

	if (!READ_ONCE(klpsv_rebuild_work))
		return;
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
 * Context: process context (a spare id is built by a work item).
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
	sid->emptying = 0;
	init_waitqueue_head(&sid->emptied);
	INIT_WORK(&sid->resize, klpsv_table_resize_work);
	return 0;
}

/**
 * klpsv_table_destroy() - free the table of an id that is going away
 * @sid:	the id: no variable left, no user left
 *
 * Waits for the work item; older tables wait for their grace period, which
 * the rcu_barrier() of unload covers.
 *
 * Context: process context, may sleep.
 */
void klpsv_table_destroy(struct klpsv_id *sid)
{
	cancel_work_sync(&sid->resize);
	WARN_ON_ONCE(sid->live || sid->next || sid->emptying);
	klpsv_table_free(rcu_dereference_protected(sid->table, true));
}

/**
 * klpsv_table_reserve() - make room for one more variable
 * @sid:	the id
 * @gfp:	allocation flags, for a new table
 *
 * Call before klpsv_table_insert(), outside any lock when @gfp may sleep.
 * Builds a new table only when the work item has fallen behind; when @gfp
 * may not sleep, takes one bounded step of that (see klpsv_table_rebuild()).
 * A table that a free_all is emptying is not replaced: when @gfp may sleep,
 * waits for the emptying to end first; when it may not, the insert goes
 * into the emptied table, and fails once that is used to 7/8.
 *
 * Context: any but NMI; may sleep when @gfp allows.
 *
 * Return: 0, -EINTR when a fatal signal ended the wait for a free_all, or
 * the error of klpsv_table_rebuild() when no new table could be built.
 */
int klpsv_table_reserve(struct klpsv_id *sid, gfp_t gfp)
{
	const struct klpsv_table *t;
	bool full;

	rcu_read_lock_sched();
	t = rcu_dereference_sched(sid->table);
	full = klpsv_table_full(READ_ONCE(sid->used) + 1, t);
	rcu_read_unlock_sched();
	if (!full)
		return 0;

	/*
	 * No table is replaced while a free_all empties it: an insert that
	 * may sleep waits for the emptying to end rather than fill the table
	 * to 7/8 and fail, as the kernel's inserts wait for its lock.
	 */
	if (gfpflags_allow_blocking(gfp) &&
	    wait_event_killable(sid->emptied, !READ_ONCE(sid->emptying)))
		return -EINTR;
	return klpsv_table_rebuild(sid, 1, gfp);
}

/* See klpsv_in_constructor(). */
DEFINE_PER_CPU(struct klpsv_ctor_frame *, klpsv_ctor_frames);

/*
 * Runs @ctor with its frame on this CPU's list of constructors, so that the
 * writers it calls are refused (klpsv_in_constructor()).
 *
 * Context: @sid's lock held, which keeps the caller on this CPU.
 */
static int klpsv_table_construct(struct klpsv_id *sid, struct klpsv_shadow *shadow,
				 klpsv_shadow_ctor_t ctor, void *ctor_data)
{
	struct klpsv_ctor_frame frame = { .task = current }, **link;
	int err;

	lockdep_assert_held(&sid->lock);
	if (!ctor)
		return 0;

	preempt_disable();
	frame.next = __this_cpu_read(klpsv_ctor_frames);
	__this_cpu_write(klpsv_ctor_frames, &frame);
	preempt_enable();

	err = ctor(shadow->obj, shadow->data, ctor_data);

	/* On PREEMPT_RT another task may have pushed its frame meanwhile. */
	preempt_disable();
	for (link = this_cpu_ptr(&klpsv_ctor_frames); *link != &frame; link = &(*link)->next)
		;
	*link = frame.next;
	preempt_enable();
	return err;
}

/**
 * klpsv_table_insert() - publish a new variable, unless its object has one
 * @sid:	the id
 * @shadow:	the new variable, its @obj set, its data zeroed
 * @ctor:	called on @shadow's data before it is published, unless the
 *		object has a variable already (optional)
 * @ctor_data:	passed to @ctor
 * @existing:	set to the object's variable when it has one, else to NULL
 * @ctor_err:	set to what @ctor returned, when it failed
 *
 * The checks (the id's state allows it, the object has no variable, there
 * is room), @ctor and the publication happen under the id's lock, so that of
 * racing inserts for one object one constructs and publishes, no reader sees
 * the data before @ctor has returned, and an insert that klpsv_id_retire()
 * did not refuse is seen by the free_all after it. @ctor runs under that
 * lock, as the kernel's constructors run under its store's: with
 * interrupts disabled, or on PREEMPT_RT pinned to the CPU; klpsv writers
 * it calls are refused (klpsv_in_constructor()).
 *
 * Context: any but NMI.
 * Return: %KLPSV_INSERTED when @shadow was published. Otherwise @shadow
 * stays the caller's: %KLPSV_INSERT_EXISTS when the object had a variable
 * (*@existing), %KLPSV_INSERT_RETIRED or %KLPSV_INSERT_UNDECLARED when the
 * id's state refuses it (see klpsv_id_refusal()), %KLPSV_INSERT_NOSPC when
 * the table is used up to 7/8 (the caller did not reserve, or many inserts
 * raced past the reservation), %KLPSV_INSERT_CTOR_FAILED (*@ctor_err).
 */
enum klpsv_insert_result klpsv_table_insert(struct klpsv_id *sid,
					    struct klpsv_shadow *shadow,
					    klpsv_shadow_ctor_t ctor,
					    void *ctor_data,
					    struct klpsv_shadow **existing,
					    int *ctor_err)
{
	enum klpsv_insert_result res;
	struct klpsv_shadow *cur;
	struct klpsv_table *t;
	unsigned int i, freed;
	unsigned long flags;
	bool crowded;

	spin_lock_irqsave(&sid->lock, flags);
	t = klpsv_table_locked(sid);
	i = klpsv_table_probe(sid, t, shadow->obj, &freed);
	cur = t->slots[i].shadow;
	*existing = cur;
	res = KLPSV_INSERT_EXISTS;
	if (cur)
		goto unlock;
	res = klpsv_id_refusal(sid);
	if (res != KLPSV_INSERTED)
		goto unlock;
	res = KLPSV_INSERT_NOSPC;
	if (freed == KLPSV_NO_SLOT && klpsv_table_overfull(sid->used + 1, t))
		goto unlock;
	*ctor_err = klpsv_table_construct(sid, shadow, ctor, ctor_data);
	res = KLPSV_INSERT_CTOR_FAILED;
	if (*ctor_err)
		goto unlock;

	if (freed != KLPSV_NO_SLOT) {
		/* Its key is @obj already, and stays: no slot is used up. */
		i = freed;
	} else {
		t->slots[i].obj = shadow->obj;
		/* Read without the lock by klpsv_table_reserve(). */
		WRITE_ONCE(sid->used, sid->used + 1);
	}
	/* Pairs with the acquire of klpsv_table_lookup(). */
	smp_store_release(&t->slots[i].shadow, shadow);
	sid->live++;
	klpsv_rebuild_note(sid, i, shadow->obj, shadow, true);
	crowded = klpsv_table_crowded(sid->used, t);
	spin_unlock_irqrestore(&sid->lock, flags);

	if (crowded)
		schedule_work(&sid->resize);
	return KLPSV_INSERTED;

unlock:
	spin_unlock_irqrestore(&sid->lock, flags);
	return res;
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
 * Context: any but NMI.
 * Return: the variable, now the caller's to free, or NULL when @obj had none.
 */
struct klpsv_shadow *klpsv_table_remove(struct klpsv_id *sid, void *obj)
{
	struct klpsv_shadow *shadow;
	struct klpsv_table *t;
	unsigned long flags;
	bool sparse = false;
	unsigned int i;

	spin_lock_irqsave(&sid->lock, flags);
	t = klpsv_table_locked(sid);
	i = klpsv_table_probe(sid, t, obj, NULL);
	shadow = t->slots[i].shadow;
	if (shadow) {
		WRITE_ONCE(t->slots[i].shadow, KLPSV_SLOT_FREED);
		sid->live--;
		klpsv_rebuild_note(sid, i, obj, shadow, false);
		sparse = klpsv_table_sparse(sid->live, t);
	}
	spin_unlock_irqrestore(&sid->lock, flags);

	if (sparse)
		schedule_work(&sid->resize);
	return shadow;
}

/**
 * klpsv_table_empty_begin() - start removing every variable of an id
 * @sid:	the id
 *
 * Until the matching klpsv_table_empty_end(), the table of @sid is not
 * replaced: a rebuild in flight is dropped (it would be built for nothing),
 * and none starts.
 *
 * Context: any but NMI.
 */
void klpsv_table_empty_begin(struct klpsv_id *sid)
{
	unsigned long flags;

	spin_lock_irqsave(&sid->lock, flags);
	if (sid->next)
		klpsv_rebuild_abandon(sid);
	/* Read without the lock by klpsv_table_reserve(). */
	WRITE_ONCE(sid->emptying, sid->emptying + 1);
	spin_unlock_irqrestore(&sid->lock, flags);
}

/* Slots of a table emptied per holding of the lock. */
#define KLPSV_EMPTY_CHUNK	256

/**
 * klpsv_table_empty_step() - remove the variables of the next chunk of slots
 * @sid:	the id, between klpsv_table_empty_begin() and _end()
 * @pos:	the first slot of the chunk, 0 to start; advanced
 * @reaped:	set to the removed variables, linked through their @reaped
 *		(NULL when none), now the caller's to free after a grace period
 *
 * Holds the lock for %KLPSV_EMPTY_CHUNK slots at most. Every variable
 * published before klpsv_table_empty_begin() is removed by one of the steps;
 * one published later may be.
 *
 * Context: any but NMI.
 * Return: false once the whole table has been walked.
 */
bool klpsv_table_empty_step(struct klpsv_id *sid, unsigned int *pos,
			    struct klpsv_shadow **reaped)
{
	struct klpsv_shadow *shadow, *head = NULL;
	struct klpsv_table *t;
	unsigned long flags;
	unsigned int i, end;
	bool more;

	spin_lock_irqsave(&sid->lock, flags);
	t = klpsv_table_locked(sid);
	end = min(*pos + KLPSV_EMPTY_CHUNK, klpsv_table_slots(t));
	for (i = *pos; sid->live && i < end; i++) {
		shadow = t->slots[i].shadow;
		if (!klpsv_slot_live(shadow))
			continue;
		WRITE_ONCE(t->slots[i].shadow, KLPSV_SLOT_FREED);
		sid->live--;
		shadow->reaped = head;
		head = shadow;
	}
	more = sid->live && end < klpsv_table_slots(t);
	spin_unlock_irqrestore(&sid->lock, flags);

	*pos = end;
	*reaped = head;
	return more;
}

/**
 * klpsv_table_empty_end() - done removing every variable of an id
 * @sid:	the id
 *
 * The table may be replaced again: the inserts waiting for that are woken,
 * and a table left too big for what it holds is rebuilt smaller by the work
 * item.
 *
 * Context: any but NMI.
 */
void klpsv_table_empty_end(struct klpsv_id *sid)
{
	unsigned long flags;
	bool rebuild, done;

	spin_lock_irqsave(&sid->lock, flags);
	WRITE_ONCE(sid->emptying, sid->emptying - 1);
	done = !sid->emptying;
	rebuild = klpsv_table_wants_rebuild(sid, 0);
	spin_unlock_irqrestore(&sid->lock, flags);

	if (done)
		wake_up_all(&sid->emptied);
	if (rebuild)
		schedule_work(&sid->resize);
}

/**
 * klpsv_id_retire() - refuse every later allocation of an id
 * @sid:	the id
 *
 * Sets %KLPSV_ID_RETIRED under the id's lock, which every insert holds while
 * it checks the bit and publishes (klpsv_table_insert()). So an insert
 * either was refused, or published its variable before this returned: a
 * free_all started after this call sees it. The state engine retires an id
 * this way before the free_all of its removed state.
 *
 * Context: any but NMI.
 */
void klpsv_id_retire(struct klpsv_id *sid)
{
	unsigned long flags;

	spin_lock_irqsave(&sid->lock, flags);
	set_bit(KLPSV_ID_RETIRED, &sid->state);
	spin_unlock_irqrestore(&sid->lock, flags);
}

/**
 * klpsv_id_walk() - call @fn for every variable of an id
 * @sid:	the id
 * @fn:		called for each variable with its parent object, read from
 *		the table's slot; returns false to stop the walk
 * @arg:	passed to @fn
 *
 * Variables added or removed during the walk may or may not be seen; none
 * is seen twice. A variable seen may be being freed: @fn may read its
 * @size and @data, which stay until the caller's read-side critical section
 * ends, but not its @obj, which call_rcu() overwrites.
 *
 * Context: rcu_read_lock() held; @fn must not sleep.
 * Return: false when @fn stopped the walk, true otherwise.
 */
bool klpsv_id_walk(struct klpsv_id *sid,
		   bool (*fn)(void *obj, struct klpsv_shadow *shadow, void *arg),
		   void *arg)
{
	const struct klpsv_table *t = rcu_dereference(sid->table);
	struct klpsv_shadow *shadow;
	unsigned int i;

	for (i = 0; i < klpsv_table_slots(t); i++) {
		/* Pairs with the release of klpsv_table_insert(). */
		shadow = smp_load_acquire(&t->slots[i].shadow);
		if (klpsv_slot_live(shadow) &&
		    !fn(READ_ONCE(t->slots[i].obj), shadow, arg))
			return false;
	}
	return true;
}
