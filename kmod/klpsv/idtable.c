// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * idtable.c - the registry of shadow ids
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "internal.h"

/**
 * DOC: shadow ids
 *
 * Every shadow id has a hash table of its own, keyed by parent object, so that
 * freeing all the variables of one id never looks at another id, and so that a
 * variable needs no room for its id. The tables are found through an xarray
 * indexed by id: lookups take no lock (RCU); insertion takes the xarray's lock
 * with interrupts disabled (XA_FLAGS_LOCK_IRQ, with xa_lock_irqsave()), and
 * so does the pool of spares below, so that the first allocation of an id
 * may come from any context but NMI.
 *
 * A table is created by the first allocation of its id. Building one may sleep
 * and enter filesystem and I/O reclaim (alloc_percpu() uses GFP_KERNEL), so a
 * caller whose flags forbid either (GFP_ATOMIC, GFP_NOWAIT, GFP_NOFS,
 * GFP_NOIO) takes a prebuilt table from a small pool of spares, which a work
 * item refills (schedule_work() may be called from hard interrupt context). When the pool is empty such an allocation fails, as any
 * atomic allocation may; new ids are rare (they are constants of a
 * livepatch), so the pool is small.
 *
 * Ids are only removed when the module is unloaded: a table emptied by
 * klpsv_shadow_free_all() stays, to be used again and to keep its counters
 * visible in debugfs. So a &struct klpsv_id found once stays valid.
 */

#define KLPSV_SPARE_IDS		4
/* See klpsv_id_find(). */
struct klpsv_id *klpsv_id_cache[1 << KLPSV_ID_CACHE_BITS];

DEFINE_XARRAY_FLAGS(klpsv_ids, XA_FLAGS_LOCK_IRQ);

static LIST_HEAD(klpsv_spares);
static unsigned int klpsv_nr_spares;
static DEFINE_SPINLOCK(klpsv_spares_lock);

static void klpsv_spares_refill(struct work_struct *work);
static DECLARE_WORK(klpsv_spares_work, klpsv_spares_refill);

static struct klpsv_id *klpsv_id_build(gfp_t gfp)
{
	struct klpsv_id *sid;

	sid = kzalloc(sizeof(*sid), gfp);
	if (!sid)
		return NULL;

	sid->stats = alloc_percpu_gfp(struct klpsv_id_stats, gfp);
	if (!sid->stats)
		goto err_free;

	if (klpsv_table_init(sid, gfp))
		goto err_stats;

	INIT_LIST_HEAD(&sid->spare);
	return sid;

err_stats:
	free_percpu(sid->stats);
err_free:
	kfree(sid);
	return NULL;
}

/* Frees an id: quiesced, its retired tables reclaimed (klpsv_ids_exit()). */
static void klpsv_id_destroy(struct klpsv_id *sid)
{
	klpsv_table_destroy(sid);
	free_percpu(sid->stats);
	kfree(sid);
}

static void klpsv_spare_put(struct klpsv_id *sid)
{
	unsigned long flags;

	spin_lock_irqsave(&klpsv_spares_lock, flags);
	list_add(&sid->spare, &klpsv_spares);
	klpsv_nr_spares++;
	spin_unlock_irqrestore(&klpsv_spares_lock, flags);
}

static struct klpsv_id *klpsv_spare_take(void)
{
	struct klpsv_id *sid;
	unsigned long flags;

	spin_lock_irqsave(&klpsv_spares_lock, flags);
	sid = list_first_entry_or_null(&klpsv_spares, struct klpsv_id, spare);
	if (sid) {
		list_del_init(&sid->spare);
		klpsv_nr_spares--;
	}
	spin_unlock_irqrestore(&klpsv_spares_lock, flags);

	schedule_work(&klpsv_spares_work);
	return sid;
}

static bool klpsv_spares_full(void)
{
	unsigned long flags;
	bool full;

	spin_lock_irqsave(&klpsv_spares_lock, flags);
	full = klpsv_nr_spares >= KLPSV_SPARE_IDS;
	spin_unlock_irqrestore(&klpsv_spares_lock, flags);
	return full;
}

static void klpsv_spares_refill(struct work_struct *work)
{
	struct klpsv_id *sid;

	while (!klpsv_spares_full()) {
		sid = klpsv_id_build(GFP_KERNEL);
		if (!sid)
			return;	/* tried again by the next klpsv_spare_take() */
		klpsv_spare_put(sid);
	}
}

/**
 * klpsv_id_find_slow() - the table of a shadow id, from the xarray
 * @id:		the shadow id
 *
 * The miss path of klpsv_id_find(): looks @id up and caches the table.
 *
 * Context: any.
 * Return: the table, or NULL when @id was never used.
 */
struct klpsv_id *klpsv_id_find_slow(unsigned long id)
{
	struct klpsv_id *sid = xa_load(&klpsv_ids, id);

	if (sid)
		WRITE_ONCE(klpsv_id_cache[hash_long(id, KLPSV_ID_CACHE_BITS)], sid);
	return sid;
}

/**
 * klpsv_id_find_or_create() - the table of a shadow id, created if needed
 * @id:		the shadow id
 * @gfp:	the caller's allocation flags; unless they allow everything
 *		GFP_KERNEL does (building a table allocates with GFP_KERNEL),
 *		a prebuilt table is taken from the pool of spares
 *
 * Context: any but NMI; may sleep when @gfp allows.
 * Return: the table, or NULL when there is no memory for it.
 */
struct klpsv_id *klpsv_id_find_or_create(unsigned long id, gfp_t gfp)
{
	struct klpsv_id *sid, *old;
	unsigned long flags;

	sid = xa_load(&klpsv_ids, id);
	if (likely(sid))
		return sid;

	if ((gfp & GFP_KERNEL) == GFP_KERNEL)
		sid = klpsv_id_build(GFP_KERNEL);
	else
		sid = klpsv_spare_take();
	if (!sid)
		return NULL;
	sid->id = id;

	/*
	 * With @gfp that may sleep, __xa_cmpxchg() drops the lock around its
	 * allocations with xa_unlock_irq(): interrupts are enabled then, as
	 * they must be for such a @gfp.
	 */
	xa_lock_irqsave(&klpsv_ids, flags);
	old = __xa_cmpxchg(&klpsv_ids, id, NULL, sid, gfp);
	xa_unlock_irqrestore(&klpsv_ids, flags);
	if (likely(!old))
		return sid;

	/* Lost a race for the same id, or no memory for the xarray. */
	klpsv_spare_put(sid);
	return xa_is_err(old) ? NULL : old;
}

/**
 * klpsv_id_totals() - the counters of an id, summed over all CPUs
 * @sid:	the id
 * @t:		filled in
 *
 * The sum is not a snapshot: while variables are created and freed, @t->live
 * may be off by the operations in flight (never below zero).
 *
 * Context: any.
 */
void klpsv_id_totals(struct klpsv_id *sid, struct klpsv_id_totals *t)
{
	unsigned long bytes_in = 0, bytes_out = 0;
	int cpu;

	t->allocs = 0;
	t->frees = 0;
	for_each_possible_cpu(cpu) {
		const struct klpsv_id_stats *s = per_cpu_ptr(sid->stats, cpu);

		t->allocs += READ_ONCE(s->allocs);
		t->frees += READ_ONCE(s->frees);
		bytes_in += READ_ONCE(s->bytes_in);
		bytes_out += READ_ONCE(s->bytes_out);
	}
	t->live = t->allocs > t->frees ? t->allocs - t->frees : 0;
	t->bytes = bytes_in > bytes_out ? bytes_in - bytes_out : 0;
}

/**
 * klpsv_ids_init() - draw the hash seed, fill the pool of spare tables
 *
 * Context: process context (module init).
 * Return: 0, or -ENOMEM.
 */
int klpsv_ids_init(void)
{
	struct klpsv_id *sid;

	klpsv_hash_seed = get_random_u64();
	while (!klpsv_spares_full()) {
		sid = klpsv_id_build(GFP_KERNEL);
		if (!sid) {
			klpsv_ids_exit();
			return -ENOMEM;
		}
		klpsv_spare_put(sid);
	}
	return 0;
}

/**
 * klpsv_ids_exit() - free every variable left, every table and every spare
 *
 * Called at unload, when no user of the exported API is left. Destructors are
 * not called: they belonged to modules that are gone. What had been left is
 * logged, one line per id.
 *
 * Context: process context (module exit or failed init), may sleep.
 */
void klpsv_ids_exit(void)
{
	unsigned long index, count, bytes;
	struct klpsv_id *sid, *tmp;

	cancel_work_sync(&klpsv_spares_work);
	memset(klpsv_id_cache, 0, sizeof(klpsv_id_cache));

	klpsv_for_each_id(index, sid) {
		bytes = 0;
		count = klpsv_id_free_all(sid, NULL, &bytes);
		if (count)
			pr_info("id %lu: freed %lu leftover shadows (%lu bytes) at unload\n",
				index, count, bytes);
		klpsv_table_quiesce(sid);
	}
	/* Batches and the tables retired before: their reclaim updates their ids. */
	klpsv_batch_drain();
	klpsv_reclaim_drain();
	klpsv_for_each_id(index, sid) {
		xa_erase_irq(&klpsv_ids, index);
		klpsv_id_destroy(sid);
	}
	xa_destroy(&klpsv_ids);

	list_for_each_entry_safe(sid, tmp, &klpsv_spares, spare) {
		list_del(&sid->spare);
		klpsv_table_quiesce(sid);
		klpsv_id_destroy(sid);
	}
	klpsv_nr_spares = 0;
}
