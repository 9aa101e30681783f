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
#include <linux/vmalloc.h>
#include "internal.h"

/**
 * DOC: the table of an id
 *
 * An open-addressed hash table with linear probing, whose slots are one
 * word each: the variable's address, with two bits of its key's hash beside
 * it (see KLPSV_SLOT_TAG), so that a lookup reads one cache line of the
 * table and, but for one probe in four of a slot of another key, only the
 * variable it returns. The key is the variable's @obj, which never changes
 * while it is allocated. A table has any number of slots, not only a power
 * of two: the home slot of a key is a multiply-shift of its hash.
 *
 * An id's variables are spread over %KLPSV_PARTS parts, each a table of its
 * own with its own lock and counts, by the top bits of their key's hash
 * (klpsv_key_hash()): writers of distinct objects of one id, on two CPUs,
 * seldom wait for each other's lock or write each other's cache lines, as
 * writers of two ids never do. Everything below is per part; what is per
 * id (free_all, retiring, the memory held, a walk) goes through the parts
 * one after the other.
 *
 * Lookups take no lock (klpsv_table_lookup()). Writers take the part's
 * spinlock with spin_lock_irqsave(), as the kernel's store takes its own, so
 * that they work in process, softirq and hard interrupt context and with
 * interrupts disabled (not in NMI): inserting fills the first freed slot of
 * the key's probe, else the never-used slot where it ends; removing frees
 * the variable's slot, and hands the variable to its CPU's batch of frees
 * (batch.c), which gives its memory back a grace period later. A freed slot
 * that no live variable's probe goes through becomes never-used again,
 * with the freed slots before it (klpsv_table_vacate()), so that a table
 * that serves allocs and frees all day stays as it was. Nothing
 * moves, and a slot is one word, so a lookup racing with a writer finds
 * what was there before or after.
 *
 * Where no batch could be had (no page for one), and for every variable a
 * free_all removes, the slot is marked dead instead: it keeps its
 * variable's memory, which readers may still be reading, until the table is
 * replaced, and the replaced table, after a grace period, frees its dead
 * variables with itself (reclaim.c). So a variable needs no rcu_head, and
 * no free sleeps or queues a callback per variable.
 *
 * Dead slots, like live ones, lengthen probes, and a table must keep
 * never-used slots, where lookups of absent keys stop. So a table is
 * replaced by a new one, built from its live slots, by a work item when it
 * is used up to 13/16, when its live variables use less than 5/16 of it, or
 * when its dead variables hold more than 1/8 of the memory of the live
 * ones; and, a second after a slot was marked dead, when they still hold
 * 1/64 of it. An
 * insert that finds the table used up to 7/8 (the work item is late) builds
 * the new table itself: one that may sleep builds the whole table, one that
 * may not allocates it atomically and copies one chunk, and so does every
 * atomic insert after it until the rebuild is done, which leaves the 1/16
 * of the table to 15/16 more than enough room; an insert into a table used
 * up to 15/16 fails. The new table has 8/5 as many slots as variables, its
 * allocation rounded up to whole pages beyond 32 KiB (vmalloc()), else to
 * what kmalloc() gives anyway: used to 5/8 at most.
 *
 * Memory per live variable, once deferred work has settled: its slab object
 * (16 bytes of header, the data, rounded up to 8 bytes), plus 8 bytes over
 * the load factor of the table (8 / (5/8) = 12.8 bytes right after a
 * rebuild, 9.8 at 13/16; up to twice that where kmalloc() rounds the table
 * up to a power of two: from 8 to 32 KiB, and beyond where an insert that
 * may not sleep built it, which vmalloc() cannot serve), plus dead
 * variables worth at most 1/64 of the live ones (or of 16 KiB a part,
 * whichever is more, until the work item has run), plus the variables
 * freed in the last grace period or so, waiting in batches. Each id costs
 * besides its structure, with 192 bytes a part, and a table per part of
 * %KLPSV_TABLE_MIN_SLOTS slots at the least.
 *
 * A new table is filled a chunk of the old one at a time, so that writers
 * wait for one chunk at most, never for a whole copy (see
 * klpsv_table_rebuild()), then published with rcu_assign_pointer(); the old
 * one is retired. Lookups still walking it find what it held when it was
 * replaced, and nothing writes to it any more.
 *
 * Emptying a table (free_all) is chunked the same way: a chunk of slots per
 * holding of the lock (klpsv_table_empty_step()). While it runs, no rebuild
 * starts and none in flight is kept, so that the emptying walks one table
 * from its first slot to its last and misses nothing published before it
 * began; and so that the table it removes variables from is not retired
 * under the destructors it calls. Inserts meanwhile go into that table as
 * usual, but one that finds it used to 7/8 and may sleep waits for the
 * emptying to end and then rebuilds it; an atomic one cannot wait, and fails
 * once the table is used to 15/16. The work item rebuilds it when the
 * emptying is done.
 *
 * With the parameter rebuild_work=0 the work items do nothing, as if they
 * were always late: a table is then rebuilt by the insert that finds it at
 * 7/8, and never shrunk. That is for tests, which need the inserting task to
 * do the rebuild (to fail its allocations, for instance) deterministically.
 */

static bool klpsv_rebuild_work = true;
module_param_named(rebuild_work, klpsv_rebuild_work, bool, 0644);
MODULE_PARM_DESC(rebuild_work,
		 "Let work items rebuild tables used to 13/16, sparse ones, and ones holding freed memory; 0 leaves rebuilds to inserts at 7/8, for tests (default: 1)");

#define KLPSV_TABLE_MIN_SLOTS	8U
/*
 * Just under 2^28 slots, 2 GiB less a page: the most kvmalloc() gives (it
 * refuses more than INT_MAX bytes), far beyond any real use.
 */
#define KLPSV_TABLE_MAX_SLOTS	((1U << 28) - PAGE_SIZE / sizeof(unsigned long))

/* The seed of klpsv_key_hash(): drawn at load, before the first id. */
u64 klpsv_hash_seed __read_mostly;

/* Dead variables' memory that never makes the work item rebuild at once. */
#define KLPSV_DEAD_SLACK	16384
/* How long after a removal the settle work item looks at the table. */
#define KLPSV_SETTLE_DELAY	HZ

/* The slots for @n variables: 8/5 as many, so that a new table is used to 5/8. */
static unsigned long klpsv_table_slots_for(unsigned long n)
{
	return max_t(unsigned long, KLPSV_TABLE_MIN_SLOTS, DIV_ROUND_UP(n * 8, 5));
}

/* Used slots beyond which the work item builds a new table: 13/16. */
static bool klpsv_table_crowded(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 16 >= (u64)t->nslots * 13;
}

/* Used slots beyond which an insert builds one: 7/8. */
static bool klpsv_table_full(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 8 >= (u64)t->nslots * 7;
}

/* Used slots beyond which inserts fail: 15/16. */
static bool klpsv_table_overfull(unsigned int used, const struct klpsv_table *t)
{
	return (u64)used * 16 >= (u64)t->nslots * 15;
}

/*
 * Tables bigger than this come from vmalloc(), in whole pages, when the
 * caller may sleep: kmalloc() would round them up to a power of two, up to
 * twice the memory, and the parts of a big id would all pay it.
 */
#define KLPSV_TABLE_VMALLOC_BYTES	(8 * PAGE_SIZE)

/* Whether the slots of a table, @bytes of them, come from vmalloc(). */
static bool klpsv_table_vmalloc(size_t bytes, gfp_t gfp)
{
	return bytes > KLPSV_TABLE_VMALLOC_BYTES && gfpflags_allow_blocking(gfp);
}

/*
 * The bytes of the slots of a table of at least @nslots slots, allocated
 * with @gfp: whole pages from vmalloc(), or rounded up to what kmalloc()
 * gives anyway when the caller may not sleep.
 */
static size_t klpsv_table_bytes(unsigned long nslots, gfp_t gfp)
{
	size_t bytes = array_size(nslots, sizeof(unsigned long));

	if (bytes > KMALLOC_MAX_SIZE || klpsv_table_vmalloc(bytes, gfp))
		return PAGE_ALIGN(bytes);
	return kmalloc_size_roundup(bytes);
}

/*
 * Variables few enough for a table of half the slots, or fewer, to hold at
 * 5/8: below 5/16 of the slots, or fewer where kmalloc() rounds table sizes
 * up to powers of two. A table rebuilt for them is not sparse, whatever the
 * rounding, so that a table does not go back and forth between two sizes.
 */
static __always_inline bool klpsv_table_sparse(unsigned int live,
					       const struct klpsv_table *t)
{
	/* Rounding only adds slots: the first test is the cheap bound. */
	return t->nslots > KLPSV_TABLE_MIN_SLOTS &&
	       (u64)live * 16 < (u64)t->nslots * 5 &&
	       klpsv_table_bytes(klpsv_table_slots_for(live), GFP_KERNEL) * 2 <=
	       (size_t)t->nslots * sizeof(unsigned long);
}

/* Dead variables holding more than 1/8 of the live ones' memory. */
static bool klpsv_table_dead_heavy(const struct klpsv_part *p,
				   const struct klpsv_table *t)
{
	return t->dead_bytes > KLPSV_DEAD_SLACK &&
	       t->dead_bytes * 8 > p->live_bytes;
}

/* Dead variables holding 1/64 of the live ones' memory, or any when none live. */
static bool klpsv_table_unsettled(const struct klpsv_part *p,
				  const struct klpsv_table *t)
{
	return t->dead && t->dead_bytes * 64 >= p->live_bytes;
}

/*
 * A table of at least @nslots slots, empty. Its slots' allocation is
 * rounded up to whole pages, or to what kmalloc() would give anyway (see
 * klpsv_table_bytes()), and every byte of it used.
 */
static struct klpsv_table *klpsv_table_alloc(struct klpsv_part *p,
					     unsigned long nslots, gfp_t gfp)
{
	size_t bytes = klpsv_table_bytes(nslots, gfp);
	struct klpsv_table *t;

	nslots = min_t(unsigned long, bytes / sizeof(unsigned long),
		       KLPSV_TABLE_MAX_SLOTS);

	t = kmalloc(sizeof(*t), gfp);
	if (!t)
		return NULL;
	if (klpsv_table_vmalloc(bytes, gfp))
		t->slots = __vmalloc(bytes, gfp | __GFP_ZERO | __GFP_NOWARN);
	else
		t->slots = kvzalloc(bytes, gfp | __GFP_NOWARN);
	if (!t->slots) {
		kfree(t);
		return NULL;
	}
	t->nslots = nslots;
	t->dead = 0;
	t->seed = p->sid->seed;
	t->bytes = bytes + kmalloc_size_roundup(sizeof(*t));
	t->dead_bytes = 0;
	t->sid = p->sid;
	return t;
}

/**
 * klpsv_table_free() - free a table that no reader can see, alone
 * @t:		the table; its dead variables, if any, are not freed
 *
 * Context: process context, may sleep (kvfree()); any but NMI when @t was
 * allocated with flags that may not sleep, which kvmalloc() serves from
 * kmalloc() only.
 */
void klpsv_table_free(struct klpsv_table *t)
{
	kvfree(t->slots);
	kfree(t);
}

static struct klpsv_table *klpsv_table_locked(struct klpsv_part *p)
{
	return rcu_dereference_protected(p->table, lockdep_is_held(&p->lock));
}

/* No freed slot was met (see klpsv_table_probe()). */
#define KLPSV_NO_SLOT	UINT_MAX

/*
 * The slot of @obj's live variable in the current table @t of @p, or, when
 * it has none, the never-used slot where its probe ends. When @freed is not
 * NULL, it is set to the first freed slot of the probe, or to
 * %KLPSV_NO_SLOT: where a new variable of @obj goes.
 */
static __always_inline unsigned int klpsv_table_probe(struct klpsv_part *p,
				      const struct klpsv_table *t,
				      const void *obj, unsigned int *freed)
{
	u32 hash = klpsv_table_hash(t, obj);
	unsigned long tag = klpsv_slot_tag(hash), slot;
	unsigned int i;

	lockdep_assert_held(&p->lock);
	if (freed)
		*freed = KLPSV_NO_SLOT;
	for (i = klpsv_table_home(t, hash); (slot = t->slots[i]);
	     i = klpsv_table_next(t, i)) {
		if (slot == KLPSV_SLOT_FREED) {
			if (freed && *freed == KLPSV_NO_SLOT)
				*freed = i;
			continue;
		}
		if ((slot & (KLPSV_SLOT_DEAD | KLPSV_SLOT_TAG)) == tag &&
		    klpsv_slot_shadow(slot)->obj == obj)
			break;
	}
	return i;
}

/* The word of a slot holding @shadow, live, in @t. */
static unsigned long klpsv_table_word(const struct klpsv_table *t,
				      struct klpsv_shadow *shadow)
{
	return (unsigned long)shadow |
	       klpsv_slot_tag(klpsv_table_hash(t, shadow->obj));
}

/*
 * Puts @shadow into @t, not published yet, at the first never-used slot from
 * the home of its key on: no check, no ordering needed.
 */
static void klpsv_table_place(struct klpsv_table *t, struct klpsv_shadow *shadow)
{
	unsigned int j = klpsv_table_home(t, klpsv_table_hash(t, shadow->obj));

	while (t->slots[j])
		j = klpsv_table_next(t, j);
	t->slots[j] = klpsv_table_word(t, shadow);
}

/*
 * Frees the slot of @shadow in @t, not published yet: the variable was
 * removed from the current table.
 */
static void klpsv_table_unplace(struct klpsv_table *t, struct klpsv_shadow *shadow)
{
	unsigned long word = klpsv_table_word(t, shadow);
	unsigned int j;

	for (j = klpsv_table_home(t, klpsv_table_hash(t, shadow->obj)); t->slots[j];
	     j = klpsv_table_next(t, j)) {
		if (t->slots[j] == word) {
			t->slots[j] = KLPSV_SLOT_FREED;
			return;
		}
	}
}

/*
 * Drops the rebuild in flight: its table was never published, and holds no
 * dead variable; it is freed through reclaim.c all the same, since this may
 * be atomic context and a big table comes from vmalloc().
 */
static void klpsv_rebuild_abandon(struct klpsv_part *p)
{
	lockdep_assert_held(&p->lock);
	klpsv_table_retire(p->next);
	p->next = NULL;
}

/* Adds one more variable to the new table, or abandons it when full. */
static void klpsv_rebuild_add(struct klpsv_part *p, struct klpsv_shadow *shadow)
{
	lockdep_assert_held(&p->lock);
	if (klpsv_table_full(p->next_used + 1, p->next)) {
		klpsv_rebuild_abandon(p);
		return;
	}
	klpsv_table_place(p->next, shadow);
	p->next_used++;
}

/*
 * A writer changed slot @i of the current table: when a rebuild has copied
 * that slot already, the change goes into the new table too.
 */
static __always_inline void klpsv_rebuild_note(struct klpsv_part *p, unsigned int i,
			       struct klpsv_shadow *shadow, bool inserted)
{
	lockdep_assert_held(&p->lock);
	if (!p->next || i >= p->copied)
		return;
	if (inserted)
		klpsv_rebuild_add(p, shadow);
	else
		klpsv_table_unplace(p->next, shadow);
}

/* Slots of the current table copied per holding of the lock. */
#define KLPSV_REBUILD_CHUNK	256

/*
 * Copies the next chunk of the current table into the rebuild in flight,
 * and publishes the new table after the last chunk.
 *
 * Return: the table replaced, to be retired by the caller, or NULL.
 */
static struct klpsv_table *klpsv_rebuild_step(struct klpsv_part *p)
{
	struct klpsv_table *old = klpsv_table_locked(p);
	unsigned int i, end = min(p->copied + KLPSV_REBUILD_CHUNK, old->nslots);
	unsigned long slot;

	lockdep_assert_held(&p->lock);
	for (i = p->copied; i < end && p->next; i++) {
		slot = old->slots[i];
		if (klpsv_slot_live(slot))
			klpsv_rebuild_add(p, klpsv_slot_shadow(slot));
	}
	if (!p->next)
		return NULL;
	p->copied = end;
	if (end < old->nslots)
		return NULL;

	rcu_assign_pointer(p->table, p->next);
	WRITE_ONCE(p->used, p->next_used);
	p->next = NULL;
	return old;
}

/*
 * Whether @p's table should be replaced: with @extra > 0, because it has
 * no room for @extra more inserts; with @extra == 0, because the work item
 * would replace it, and with @settle too when it still holds dead variables
 * worth 1/64 of the live ones. Never while a free_all empties it.
 */
static bool klpsv_table_wants_rebuild(struct klpsv_part *p, unsigned int extra,
				      bool settle)
{
	struct klpsv_table *t = klpsv_table_locked(p);

	lockdep_assert_held(&p->lock);
	if (p->emptying)
		return false;
	if (extra)
		return klpsv_table_full(p->used + extra, t);
	return klpsv_table_crowded(p->used, t) || klpsv_table_sparse(p->live, t) ||
	       klpsv_table_dead_heavy(p, t) ||
	       (settle && klpsv_table_unsettled(p, t));
}

#define KLPSV_REBUILD_TRIES	3

/*
 * Starts a rebuild when klpsv_table_wants_rebuild(), or finds the one in
 * flight. Each try allocates a table outside the lock; when other writers
 * replaced the table every time one was ready (a few slots of a small table
 * go fast when many CPUs churn distinct objects), the caller gives up after
 * %KLPSV_REBUILD_TRIES and leaves it to them: they rebuild what their
 * inserts need, an insert fails only at 15/16 (klpsv_table_insert() says
 * so), and the next crowded insert queues the work item again.
 *
 * Return: 1 with the lock held (*@flags saved) and p->next set; with the
 * lock released, 0 when no new table is wanted or others keep replacing it,
 * or -ENOMEM, -ENOSPC.
 */
static int klpsv_rebuild_start(struct klpsv_part *p, unsigned int extra,
			       bool settle, gfp_t gfp, unsigned long *flags)
{
	struct klpsv_table *new;
	unsigned long nslots;
	unsigned int tries;

	for (tries = 0;; tries++) {
		spin_lock_irqsave(&p->lock, *flags);
		if (p->next)
			return 1;
		if (!klpsv_table_wants_rebuild(p, extra, settle)) {
			spin_unlock_irqrestore(&p->lock, *flags);
			return 0;
		}
		nslots = klpsv_table_slots_for((unsigned long)p->live + extra);
		spin_unlock_irqrestore(&p->lock, *flags);
		if (tries == KLPSV_REBUILD_TRIES)
			return 0;
		if (nslots > KLPSV_TABLE_MAX_SLOTS)
			return -ENOSPC;

		new = klpsv_table_alloc(p, nslots, gfp);
		if (!new)
			return -ENOMEM;

		spin_lock_irqsave(&p->lock, *flags);
		if (!p->next && klpsv_table_wants_rebuild(p, extra, settle) &&
		    !klpsv_table_crowded(p->live + extra, new)) {
			p->next = new;
			p->copied = 0;
			p->next_used = 0;
			return 1;
		}
		spin_unlock_irqrestore(&p->lock, *flags);
		/* Not published, and allocated with @gfp: freed the same way. */
		klpsv_table_free(new);
	}
}

/*
 * Replaces the table of @p by one built from its live slots, with room for
 * @extra more variables, when klpsv_table_wants_rebuild() says so, or helps
 * the rebuild in flight to its end.
 *
 * The new table is allocated with @gfp, outside the lock; when so many
 * variables were added meanwhile that it would be crowded already, a bigger
 * one is tried, a few times. It is filled %KLPSV_REBUILD_CHUNK slots of the
 * current table at a time, the lock held for each chunk only; writers
 * meanwhile change the current table as usual, and a slot they change that
 * was copied already is changed in the new table too (klpsv_rebuild_note()).
 * Lookups use the current table until the new one is published; then the
 * old one is retired, with its dead variables. A rebuild whose table fills
 * up meanwhile is abandoned; the next crowded insert starts another.
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
static int klpsv_table_rebuild(struct klpsv_part *p, unsigned int extra,
			       bool settle, gfp_t gfp)
{
	bool may_sleep = gfpflags_allow_blocking(gfp);
	struct klpsv_table *target, *old;
	unsigned long flags;
	int ret;

	ret = klpsv_rebuild_start(p, extra, settle, gfp, &flags);
	if (ret <= 0)
		return ret;

	target = p->next;
	for (;;) {
		old = klpsv_rebuild_step(p);
		if (old || p->next != target || !may_sleep)
			break;
		spin_unlock_irqrestore(&p->lock, flags);
		cond_resched();
		spin_lock_irqsave(&p->lock, flags);
		if (p->next != target)
			break;
	}
	if (old)
		klpsv_table_retire(old);
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

static int klpsv_table_rebuild_logged(struct klpsv_part *p, bool settle)
{
	int err;

	if (!READ_ONCE(klpsv_rebuild_work))
		return 0;
	err = klpsv_table_rebuild(p, 0, settle, GFP_KERNEL);
	if (err)
		pr_warn_ratelimited("id %lu: cannot rebuild the table (%d)\n",
				    p->sid->id, err);
	return err;
}

static void klpsv_table_resize_work(struct work_struct *work)
{
	klpsv_table_rebuild_logged(container_of(work, struct klpsv_part, resize), false);
}

/*
 * Queues the work item that rebuilds @p's table, unless it is queued and
 * not started yet: then it will see what the caller changed under the
 * lock, which it takes after clearing its pending bit. An insert into a
 * crowded table calls this every time until the rebuild is done, and
 * queue_work() would disable interrupts for an atomic bit operation.
 *
 * Context: any but NMI, @p's lock not held.
 */
static void klpsv_table_queue_resize(struct klpsv_part *p)
{
	if (!work_pending(&p->resize))
		queue_work(system_unbound_wq, &p->resize);
}

/*
 * After a removal: queues the settle work item, once until it runs.
 * Return: whether the caller must queue it, after dropping the lock.
 */
static bool klpsv_table_arm_settle(struct klpsv_part *p)
{
	lockdep_assert_held(&p->lock);
	if (p->settle_armed)
		return false;
	p->settle_armed = true;
	return true;
}

static void klpsv_table_settle_work(struct work_struct *work)
{
	struct klpsv_part *p = container_of(to_delayed_work(work), struct klpsv_part,
					    settle);
	unsigned long flags;
	bool rearm;

	spin_lock_irqsave(&p->lock, flags);
	p->settle_armed = false;
	spin_unlock_irqrestore(&p->lock, flags);
	/*
	 * Giving dead variables back takes a new table: without memory for
	 * one, try again later, so that an id that goes quiet gives them back
	 * all the same.
	 */
	if (klpsv_table_rebuild_logged(p, true) != -ENOMEM)
		return;
	spin_lock_irqsave(&p->lock, flags);
	rearm = klpsv_table_arm_settle(p);
	spin_unlock_irqrestore(&p->lock, flags);
	if (rearm)
		queue_delayed_work(system_unbound_wq, &p->settle, KLPSV_SETTLE_DELAY);
}


/* Frees the first tables of the parts of @sid, before it was ever seen. */
static void klpsv_table_init_undo(struct klpsv_id *sid)
{
	struct klpsv_part *p;

	klpsv_for_each_part(p, sid)
		if (rcu_access_pointer(p->table))
			klpsv_table_free(rcu_dereference_protected(p->table, true));
}

/**
 * klpsv_table_init() - give each part of a new id its first, smallest table
 * @sid:	the id, zeroed, not yet visible to anyone
 * @gfp:	allocation flags
 *
 * Context: process context (a spare id is built by a work item).
 * Return: 0, or -ENOMEM.
 */
int klpsv_table_init(struct klpsv_id *sid, gfp_t gfp)
{
	struct klpsv_table *t;
	struct klpsv_part *p;

	sid->seed = klpsv_hash_seed;
	init_waitqueue_head(&sid->emptied);
	atomic_long_set(&sid->retired_bytes, 0);
	klpsv_for_each_part(p, sid) {
		p->sid = sid;
		t = klpsv_table_alloc(p, KLPSV_TABLE_MIN_SLOTS, gfp);
		if (!t) {
			klpsv_table_init_undo(sid);
			return -ENOMEM;
		}
		RCU_INIT_POINTER(p->table, t);
		spin_lock_init(&p->lock);
		p->used = 0;
		p->live = 0;
		p->live_bytes = 0;
		p->next = NULL;
		p->emptying = 0;
		p->settle_armed = false;
		INIT_WORK(&p->resize, klpsv_table_resize_work);
		INIT_DELAYED_WORK(&p->settle, klpsv_table_settle_work);
	}
	return 0;
}

/**
 * klpsv_table_quiesce() - stop the work items of an id that is going away
 * @sid:	the id: no variable left, no user left
 *
 * Afterwards nothing rebuilds or retires its tables; tables retired before
 * are freed by klpsv_reclaim_drain().
 *
 * Context: process context, may sleep.
 */
void klpsv_table_quiesce(struct klpsv_id *sid)
{
	struct klpsv_part *p;

	klpsv_for_each_part(p, sid) {
		cancel_work_sync(&p->resize);
		cancel_delayed_work_sync(&p->settle);
	}
}

/**
 * klpsv_table_destroy() - free the tables of an id that is going away
 * @sid:	the id, quiesced (klpsv_table_quiesce()), its retired tables
 *		reclaimed (klpsv_reclaim_drain()), and no reader left
 *
 * Frees the table of each part and its dead variables at once.
 *
 * Context: process context, may sleep.
 */
void klpsv_table_destroy(struct klpsv_id *sid)
{
	struct klpsv_part *p;

	WARN_ON_ONCE(atomic_long_read(&sid->retired_bytes));
	klpsv_for_each_part(p, sid) {
		WARN_ON_ONCE(p->live || p->next || p->emptying);
		klpsv_table_reclaim_now(rcu_dereference_protected(p->table, true));
	}
}

/*
 * Takes the lock of every part of @sid, in order, the first with
 * spin_lock_irqsave(): one lockdep subclass per part.
 */
static void klpsv_id_lock_all(struct klpsv_id *sid, unsigned long *flags)
	__acquires(&sid->parts[0].lock)
{
	int i;

	spin_lock_irqsave(&sid->parts[0].lock, *flags);
	for (i = 1; i < KLPSV_PARTS; i++)
		spin_lock_nested(&sid->parts[i].lock, i);
}

static void klpsv_id_unlock_all(struct klpsv_id *sid, unsigned long flags)
	__releases(&sid->parts[0].lock)
{
	int i;

	for (i = KLPSV_PARTS - 1; i > 0; i--)
		spin_unlock(&sid->parts[i].lock);
	spin_unlock_irqrestore(&sid->parts[0].lock, flags);
}

/**
 * klpsv_id_memory() - the memory an id holds
 * @sid:	the id
 * @mem:	filled in
 *
 * Context: any but NMI.
 */
void klpsv_id_memory(struct klpsv_id *sid, struct klpsv_id_memory *mem)
{
	struct klpsv_table *t;
	struct klpsv_part *p;
	unsigned long flags;
	long batched = 0;
	int cpu;

	mem->variables = 0;
	mem->table = 0;
	/*
	 * Under every lock, where a free moves its bytes from live to batched
	 * and a rebuild its old table from current to retired.
	 */
	klpsv_id_lock_all(sid, &flags);
	mem->pending = atomic_long_read(&sid->retired_bytes);
	for_each_possible_cpu(cpu)
		batched += READ_ONCE(per_cpu_ptr(sid->stats, cpu)->batched);
	klpsv_for_each_part(p, sid) {
		t = klpsv_table_locked(p);
		mem->variables += p->live_bytes;
		mem->table += t->bytes + (p->next ? p->next->bytes : 0);
		mem->pending += t->dead_bytes;
	}
	mem->pending += max(batched, 0L);
	klpsv_id_unlock_all(sid, flags);
}

/**
 * klpsv_id_slots() - the size of an id's tables now
 * @sid:	the id
 * @slots:	set to the slots of the tables of its parts, 8 bytes each
 * @used:	set to those that are not 0
 *
 * Reads each part with no lock: a glance, not a snapshot.
 *
 * Context: any.
 */
void klpsv_id_slots(struct klpsv_id *sid, unsigned long *slots,
		    unsigned long *used)
{
	struct klpsv_part *p;

	*slots = 0;
	*used = 0;
	rcu_read_lock();
	klpsv_for_each_part(p, sid) {
		*slots += klpsv_table_slots(rcu_dereference(p->table));
		*used += READ_ONCE(p->used);
	}
	rcu_read_unlock();
}

/**
 * klpsv_table_reserve() - make room for one more variable
 * @sid:	the id
 * @obj:	the parent object of the variable to insert, which picks the part
 * @gfp:	allocation flags, for a new table
 *
 * Call when klpsv_table_insert() found the table used to 7/8
 * (%KLPSV_INSERT_FULL), outside any lock when @gfp may sleep, then insert
 * again with @reserved set. Builds a new table only when the work item has
 * fallen behind; when @gfp may not sleep, takes one bounded step of that
 * (see klpsv_table_rebuild()), and the insert goes on when that fails: it
 * fails itself only at 15/16. A table that a free_all is emptying is not
 * replaced: when @gfp may sleep, waits for the emptying to end first; when
 * it may not, the insert goes into the emptied table, and fails once that
 * is used to 15/16.
 *
 * Context: any but NMI; may sleep when @gfp allows.
 *
 * Return: 0, -EINTR when a fatal signal ended the wait for a free_all, or,
 * when @gfp may sleep, the error of klpsv_table_rebuild() when no new table
 * could be built.
 */
int klpsv_table_reserve(struct klpsv_id *sid, const void *obj, gfp_t gfp)
{
	struct klpsv_part *p = klpsv_part_of(sid, obj);
	const struct klpsv_table *t;
	bool full;
	int err;

	rcu_read_lock_sched();
	t = rcu_dereference_sched(p->table);
	full = klpsv_table_full(READ_ONCE(p->used) + 1, t);
	rcu_read_unlock_sched();
	if (!full)
		return 0;

	/*
	 * No table is replaced while a free_all empties it: an insert that
	 * may sleep waits for the emptying to end rather than fill the table
	 * to 15/16 and fail, as the kernel's inserts wait for its lock.
	 */
	if (gfpflags_allow_blocking(gfp) &&
	    wait_event_killable(sid->emptied, !READ_ONCE(p->emptying)))
		return -EINTR;
	err = klpsv_table_rebuild(p, 1, false, gfp);
	return gfpflags_allow_blocking(gfp) ? err : 0;
}

/* See klpsv_in_constructor(). */
DEFINE_PER_CPU(struct klpsv_ctor_frame *, klpsv_ctor_frames);

/*
 * Runs @ctor with its frame on this CPU's list of constructors, so that the
 * writers it calls are refused (klpsv_in_constructor()).
 *
 * Context: @p's lock held, which keeps the caller on this CPU.
 */
static int klpsv_table_construct(struct klpsv_part *p, struct klpsv_shadow *shadow,
				 klpsv_shadow_ctor_t ctor, void *ctor_data)
{
	struct klpsv_ctor_frame frame = { .task = current }, **link;
	int err;

	lockdep_assert_held(&p->lock);
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
 * @obj:	the parent object
 * @size:	the size of the variable's data
 * @shadow:	the new variable, its @obj and @size set, its data zeroed; or
 *		NULL, for @size of a cached size (memory.c), to take one that
 *		this CPU keeps (recycle.c) once the checks have passed
 * @ctor:	called on @shadow's data before it is published, unless the
 *		object has a variable already (optional)
 * @ctor_data:	passed to @ctor
 * @reserved:	klpsv_table_reserve() was called for this insert: go on up
 *		to 15/16
 * @existing:	set to the object's variable when it has one, to the new
 *		variable when it was published, else to NULL
 * @ctor_err:	set to what @ctor returned, when it failed
 *
 * An insert that needs a never-used slot of a table used to 7/8 returns
 * %KLPSV_INSERT_FULL unless @reserved: the caller makes room with
 * klpsv_table_reserve(), outside the lock, and inserts again. So the usual
 * insert checks the room under the lock it takes anyway, in one call.
 *
 * The checks (the id's state allows it, the object has no variable, there
 * is room), @ctor and the publication happen under the part's lock, so that of
 * racing inserts for one object one constructs and publishes, no reader sees
 * the data before @ctor has returned, and an insert that klpsv_id_retire()
 * did not refuse is seen by the free_all after it. @ctor runs under that
 * lock, as the kernel's constructors run under its store's: with
 * interrupts disabled, or on PREEMPT_RT pinned to the CPU; klpsv writers
 * it calls are refused (klpsv_in_constructor()).
 *
 * Context: any but NMI.
 * Return: %KLPSV_INSERTED when @shadow, or a kept one, was published
 * (*@existing). Otherwise @shadow stays the caller's, and no kept one is
 * left taken: %KLPSV_INSERT_EXISTS when the object had a variable
 * (*@existing), %KLPSV_INSERT_FULL (see above), %KLPSV_INSERT_NOMEM when
 * @shadow was NULL and this CPU keeps none, %KLPSV_INSERT_RETIRED or
 * %KLPSV_INSERT_UNDECLARED when the id's state refuses it (see
 * klpsv_id_refusal()), %KLPSV_INSERT_NOSPC when the table is used up to
 * 15/16 (many inserts raced past the reservation),
 * %KLPSV_INSERT_CTOR_FAILED (*@ctor_err).
 */
enum klpsv_insert_result klpsv_table_insert(struct klpsv_id *sid,
					    void *obj, size_t size,
					    struct klpsv_shadow *shadow,
					    klpsv_shadow_ctor_t ctor,
					    void *ctor_data, bool reserved,
					    struct klpsv_shadow **existing,
					    int *ctor_err)
{
	struct klpsv_part *p = klpsv_part_of(sid, obj);
	size_t bytes = klpsv_shadow_footprint(size);
	enum klpsv_insert_result res;
	bool crowded, kept = false;
	struct klpsv_table *t;
	unsigned int i, freed;
	unsigned long flags;

	spin_lock_irqsave(&p->lock, flags);
	t = klpsv_table_locked(p);
	i = klpsv_table_probe(p, t, obj, &freed);
	*existing = klpsv_slot_shadow(t->slots[i]);
	res = KLPSV_INSERT_EXISTS;
	if (*existing)
		goto unlock;
	res = klpsv_id_refusal(sid);
	if (res != KLPSV_INSERTED)
		goto unlock;
	if (freed == KLPSV_NO_SLOT) {
		/* Full first: an insert that did not reserve makes room, even at 15/16. */
		res = KLPSV_INSERT_FULL;
		if (!reserved && klpsv_table_full(p->used + 1, t))
			goto unlock;
		res = KLPSV_INSERT_NOSPC;
		if (klpsv_table_overfull(p->used + 1, t))
			goto unlock;
	}
	if (!shadow) {
		res = KLPSV_INSERT_NOMEM;
		shadow = klpsv_recycle_take(bytes);
		if (!shadow)
			goto unlock;
		kept = true;
		memset(shadow, 0, bytes);
		shadow->obj = obj;
		shadow->size = size;
	}
	*ctor_err = klpsv_table_construct(p, shadow, ctor, ctor_data);
	res = KLPSV_INSERT_CTOR_FAILED;
	if (*ctor_err) {
		/* Never published: back to the slab allocator at once. */
		if (kept)
			kfree(shadow);
		goto unlock;
	}
	*existing = shadow;

	if (freed != KLPSV_NO_SLOT)
		i = freed;	/* not never-used: no slot is used up */
	else
		/* Read without the lock by klpsv_table_reserve(). */
		WRITE_ONCE(p->used, p->used + 1);
	/* Pairs with the acquire of klpsv_table_lookup(). */
	smp_store_release(&t->slots[i], klpsv_table_word(t, shadow));
	p->live++;
	p->live_bytes += bytes;
	klpsv_rebuild_note(p, i, shadow, true);
	crowded = klpsv_table_crowded(p->used, t);
	spin_unlock_irqrestore(&p->lock, flags);

	if (crowded)
		klpsv_table_queue_resize(p);
	return KLPSV_INSERTED;

unlock:
	spin_unlock_irqrestore(&p->lock, flags);
	return res;
}

/*
 * Marks slot @i of @t, holding the live @shadow, dead: the table keeps the
 * variable's memory until it is retired.
 */
static void klpsv_table_kill(struct klpsv_part *p, struct klpsv_table *t,
			     unsigned int i, struct klpsv_shadow *shadow)
{
	size_t bytes = klpsv_shadow_footprint(shadow->size);

	lockdep_assert_held(&p->lock);
	WRITE_ONCE(t->slots[i], (unsigned long)shadow | KLPSV_SLOT_DEAD);
	t->dead++;
	t->dead_bytes += bytes;
	p->live--;
	p->live_bytes -= bytes;
}

/* Slots after a freed one that klpsv_slot_passed() looks at, at most. */
#define KLPSV_VACATE_SCAN	8

/*
 * Whether slot @i of @t lies on the probe of a live variable after it in
 * its run: one whose home is @i or before. Dead and freed slots are on no
 * lookup's way. A run that goes on beyond %KLPSV_VACATE_SCAN slots is
 * taken to have one, so that a crowded table costs a removal a few slots
 * at most.
 */
static bool klpsv_slot_passed(const struct klpsv_table *t, unsigned int i)
{
	unsigned int j = i, n, home, ahead;
	unsigned long slot;

	for (n = 1; n <= KLPSV_VACATE_SCAN; n++) {
		j = klpsv_table_next(t, j);
		slot = t->slots[j];
		if (!slot)
			return false;
		if (!klpsv_slot_live(slot))
			continue;
		home = klpsv_table_home(t, klpsv_table_hash(t, klpsv_slot_shadow(slot)->obj));
		/* How far after @i its probe starts: 1 to n when it skips @i. */
		ahead = home >= i ? home - i : home + t->nslots - i;
		if (!ahead || ahead > n)
			return true;
	}
	return true;
}

/*
 * Slot @i of the current table @t was just freed: when no live variable's
 * probe goes through it (klpsv_slot_passed()), it becomes never-used
 * again, and so do the freed slots before it, so that removals there cost
 * later probes nothing and use up no slot. Otherwise it stays freed, for
 * an insert to fill, until the table is rebuilt. Every slot between a
 * key's home and its slot stays non-zero, so no lookup, not even one in
 * flight, can miss a key for this.
 *
 * Without this, a table that serves allocs and frees of new objects all
 * day fills up with freed slots (at 1000 variables, two removals in three
 * left one), and is rebuilt every few hundred operations.
 */
static void klpsv_table_vacate(struct klpsv_part *p, struct klpsv_table *t,
			       unsigned int i)
{
	unsigned int used = p->used;

	lockdep_assert_held(&p->lock);
	if (klpsv_slot_passed(t, i))
		return;
	do {
		WRITE_ONCE(t->slots[i], 0);
		used--;
		i = i ? i - 1 : t->nslots - 1;
	} while (t->slots[i] == KLPSV_SLOT_FREED);
	/* Read without the lock by klpsv_table_reserve(). */
	WRITE_ONCE(p->used, used);
}

/**
 * klpsv_table_remove() - unpublish the variable of a parent object
 * @sid:	the id
 * @obj:	the parent object
 *
 * Lookups may find the variable until the end of their read-side critical
 * sections. Its memory goes into this CPU's batch of frees (batch.c), or,
 * when no batch could be had, stays with the table, marked dead, and the
 * table may be retired at any time after this returns; either way it is
 * freed only a grace period later: so the caller may use the variable until
 * its own read-side critical section ends. Of racing removes of one
 * variable, one gets it.
 *
 * Context: any but NMI, in an RCU read-side critical section (any flavour).
 * Return: the variable, now the caller's to release, or NULL when @obj had
 * none.
 */
struct klpsv_shadow *klpsv_table_remove(struct klpsv_id *sid, void *obj)
{
	struct klpsv_part *p = klpsv_part_of(sid, obj);
	struct klpsv_shadow *shadow;
	bool resize, settle = false;
	struct klpsv_table *t;
	unsigned long flags;
	unsigned int i;
	size_t bytes;

	RCU_LOCKDEP_WARN(!rcu_read_lock_any_held(),
			 "klpsv_table_remove() outside an RCU read-side critical section");
	spin_lock_irqsave(&p->lock, flags);
	t = klpsv_table_locked(p);
	i = klpsv_table_probe(p, t, obj, NULL);
	shadow = klpsv_slot_shadow(t->slots[i]);
	if (shadow) {
		bytes = klpsv_shadow_footprint(shadow->size);
		/* Unpublished before its batch can start a grace period. */
		WRITE_ONCE(t->slots[i], KLPSV_SLOT_FREED);
		if (klpsv_batch_add(p, shadow, bytes)) {
			klpsv_table_vacate(p, t, i);
			p->live--;
			p->live_bytes -= bytes;
		} else {
			klpsv_table_kill(p, t, i, shadow);
			settle = klpsv_table_arm_settle(p);
		}
		klpsv_rebuild_note(p, i, shadow, false);
	}
	resize = shadow && (klpsv_table_sparse(p->live, t) ||
			    klpsv_table_dead_heavy(p, t));
	spin_unlock_irqrestore(&p->lock, flags);

	if (resize)
		klpsv_table_queue_resize(p);
	if (settle)
		queue_delayed_work(system_unbound_wq, &p->settle, KLPSV_SETTLE_DELAY);
	return shadow;
}

/**
 * klpsv_table_empty_begin() - start removing every variable of an id
 * @sid:	the id
 *
 * Until the matching klpsv_table_empty_end(), the tables of @sid are not
 * replaced: a rebuild in flight is dropped (it would be built for nothing),
 * and none starts. So the variables the steps remove stay allocated until
 * then.
 *
 * Context: any but NMI.
 */
void klpsv_table_empty_begin(struct klpsv_id *sid)
{
	struct klpsv_part *p;
	unsigned long flags;

	klpsv_for_each_part(p, sid) {
		spin_lock_irqsave(&p->lock, flags);
		if (p->next)
			klpsv_rebuild_abandon(p);
		/* Read without the lock by klpsv_table_reserve(). */
		WRITE_ONCE(p->emptying, p->emptying + 1);
		spin_unlock_irqrestore(&p->lock, flags);
	}
}

/* Slots of a table emptied per holding of the lock, at most. */
#define KLPSV_EMPTY_CHUNK	256

/*
 * A position of an emptying: the part in the bits above
 * %KLPSV_EMPTY_POS_SHIFT, the slot of its table below (fewer than
 * %KLPSV_TABLE_MAX_SLOTS).
 */
#define KLPSV_EMPTY_POS_SHIFT	28
#define KLPSV_EMPTY_POS_SLOT	((1U << KLPSV_EMPTY_POS_SHIFT) - 1)

/**
 * klpsv_table_empty_step() - remove the variables of the next slots
 * @sid:	the id, between klpsv_table_empty_begin() and _end()
 * @pos:	where to go on, 0 to start (the first slot of the first part);
 *		advanced
 * @batch:	room for %KLPSV_EMPTY_BATCH variables
 * @n:		set to the number of variables removed into @batch, now the
 *		caller's to release; they stay allocated until
 *		klpsv_table_empty_end()
 *
 * Holds one part's lock for %KLPSV_EMPTY_CHUNK slots at most; walks the
 * parts one after the other. Every variable published before
 * klpsv_table_empty_begin() is removed by one of the steps; one published
 * later may be.
 *
 * Context: any but NMI.
 * Return: false once the table of every part has been walked.
 */
bool klpsv_table_empty_step(struct klpsv_id *sid, unsigned int *pos,
			    struct klpsv_shadow **batch, unsigned int *n)
{
	unsigned int part = *pos >> KLPSV_EMPTY_POS_SHIFT;
	unsigned int i = *pos & KLPSV_EMPTY_POS_SLOT, end;
	struct klpsv_table *t;
	struct klpsv_part *p;
	unsigned long flags;
	bool more;

	*n = 0;
	if (WARN_ON_ONCE(part >= KLPSV_PARTS))
		return false;
	p = &sid->parts[part];
	spin_lock_irqsave(&p->lock, flags);
	t = klpsv_table_locked(p);
	end = min(i + KLPSV_EMPTY_CHUNK, t->nslots);
	for (; p->live && i < end && *n < KLPSV_EMPTY_BATCH; i++) {
		if (!klpsv_slot_live(t->slots[i]))
			continue;
		batch[*n] = klpsv_slot_shadow(t->slots[i]);
		klpsv_table_kill(p, t, i, batch[*n]);
		(*n)++;
	}
	more = p->live && i < t->nslots;
	spin_unlock_irqrestore(&p->lock, flags);

	if (!more) {
		part++;
		i = 0;
	}
	*pos = part << KLPSV_EMPTY_POS_SHIFT | i;
	return part < KLPSV_PARTS;
}

/**
 * klpsv_table_empty_end() - done removing every variable of an id
 * @sid:	the id
 *
 * The tables may be replaced again: the inserts waiting for that are woken,
 * and a table left too big for what it holds, or holding the memory of the
 * variables removed, is rebuilt by its part's work item, which frees them.
 *
 * Context: any but NMI.
 */
void klpsv_table_empty_end(struct klpsv_id *sid)
{
	bool rebuild, done, settle, wake = false;
	struct klpsv_part *p;
	unsigned long flags;

	klpsv_for_each_part(p, sid) {
		spin_lock_irqsave(&p->lock, flags);
		WRITE_ONCE(p->emptying, p->emptying - 1);
		done = !p->emptying;
		rebuild = klpsv_table_wants_rebuild(p, 0, false);
		settle = done && klpsv_table_locked(p)->dead &&
			 klpsv_table_arm_settle(p);
		spin_unlock_irqrestore(&p->lock, flags);

		wake |= done;
		if (rebuild)
			klpsv_table_queue_resize(p);
		if (settle)
			queue_delayed_work(system_unbound_wq, &p->settle,
					   KLPSV_SETTLE_DELAY);
	}
	if (wake)
		wake_up_all(&sid->emptied);
}

/**
 * klpsv_id_retire() - refuse every later allocation of an id
 * @sid:	the id
 *
 * Sets %KLPSV_ID_RETIRED, then takes and drops the lock of each part, which
 * every insert holds while it checks the bit and publishes
 * (klpsv_table_insert()). So an insert either was refused, or published its
 * variable before this returned: a free_all started after this call sees
 * it. The state engine retires an id this way before the free_all of its
 * removed state.
 *
 * Context: any but NMI.
 */
void klpsv_id_retire(struct klpsv_id *sid)
{
	struct klpsv_part *p;
	unsigned long flags;

	set_bit(KLPSV_ID_RETIRED, &sid->state);
	klpsv_for_each_part(p, sid) {
		spin_lock_irqsave(&p->lock, flags);
		spin_unlock_irqrestore(&p->lock, flags);
	}
}

/**
 * klpsv_id_walk() - call @fn for every variable of an id
 * @sid:	the id
 * @fn:		called for each variable with its parent object; returns
 *		false to stop the walk
 * @arg:	passed to @fn
 *
 * Variables added or removed during the walk may or may not be seen; none
 * is seen twice. A variable seen may be being freed: @fn may read its
 * @obj, @size and @data, which stay until the caller's read-side critical
 * section ends.
 *
 * Context: rcu_read_lock() held; @fn must not sleep.
 * Return: false when @fn stopped the walk, true otherwise.
 */
bool klpsv_id_walk(struct klpsv_id *sid,
		   bool (*fn)(void *obj, struct klpsv_shadow *shadow, void *arg),
		   void *arg)
{
	const struct klpsv_table *t;
	struct klpsv_shadow *shadow;
	struct klpsv_part *p;
	unsigned long slot;
	unsigned int i;

	klpsv_for_each_part(p, sid) {
		t = rcu_dereference(p->table);
		for (i = 0; i < t->nslots; i++) {
			/* Pairs with the release of klpsv_table_insert(). */
			slot = smp_load_acquire(&t->slots[i]);
			if (!klpsv_slot_live(slot))
				continue;
			shadow = klpsv_slot_shadow(slot);
			if (!fn(shadow->obj, shadow, arg))
				return false;
		}
	}
	return true;
}
