// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reclaim.c - giving back the memory of replaced tables and dead variables
 */

#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "internal.h"

/**
 * DOC: reclaim
 *
 * A variable that a free_all removes, or that klpsv_shadow_free() removes
 * when no batch of frees could be had (batch.c), stays in its table's slot,
 * marked dead, because lookups that found it before may still read it (see
 * table.c). When a new
 * table replaces that one, nothing can find the old table or its dead
 * variables any more but readers that started before: so the old table is
 * retired with queue_rcu_work(), and a grace period later a work item frees
 * every dead variable it holds, then the table itself.
 *
 * That batches frees by the table: no variable carries an rcu_head (16
 * bytes each, the size of its header), and a free_all neither allocates
 * nor queues a callback per variable, in any context. The cost is the time
 * a dead variable's memory waits: until its table is rebuilt, which the
 * work items of table.c do once dead variables hold 1/8 of the memory of
 * the live ones (and 16 KiB), and a second after a slot was marked dead
 * once they hold 1/64 of it; a free_all's variables wait for its end. A rebuild needs memory for
 * the new table: without it, the work item tries again a second later.
 *
 * The work runs on a workqueue of klpsv's own, with a rescuer
 * (WQ_MEM_RECLAIM), since it is what gives memory back; unload drains it
 * (klpsv_reclaim_drain()) before it frees the ids whose counters it updates.
 */

static struct workqueue_struct *klpsv_reclaim_wq;

/* Frees the dead variables of @t, then @t. */
static void klpsv_table_reclaim_fn(struct work_struct *work)
{
	struct klpsv_table *t = container_of(to_rcu_work(work), struct klpsv_table,
					     reclaim);
	long bytes = t->bytes + t->dead_bytes;
	struct klpsv_id *sid = t->sid;

	klpsv_table_reclaim_now(t);
	atomic_long_sub(bytes, &sid->retired_bytes);
}

/* Dead variables freed per kfree_bulk() call. */
#define KLPSV_RECLAIM_BATCH	64

/**
 * klpsv_table_reclaim_now() - free a table and its dead variables at once
 * @t:		a table no reader can reach any more
 *
 * The variables go back to their slabs %KLPSV_RECLAIM_BATCH at a time with
 * kfree_bulk(), which frees the objects of one slab page together: a
 * million of them in a fraction of the time of one kfree() each.
 *
 * Context: process context, may sleep.
 */
void klpsv_table_reclaim_now(struct klpsv_table *t)
{
	void *batch[KLPSV_RECLAIM_BATCH];
	unsigned int i, n = 0;
	unsigned long slot;

	for (i = 0; i < t->nslots; i++) {
		if (!(i % 4096))
			cond_resched();
		slot = t->slots[i];
		if (!(slot & KLPSV_SLOT_DEAD) || !klpsv_slot_shadow(slot))
			continue;
		batch[n++] = klpsv_slot_shadow(slot);
		if (n == KLPSV_RECLAIM_BATCH) {
			kfree_bulk(n, batch);
			n = 0;
		}
	}
	if (n)
		kfree_bulk(n, batch);
	klpsv_table_free(t);
}

/**
 * klpsv_table_retire() - free a replaced table after a grace period
 * @t:		the table, no longer published (or never published)
 *
 * Its memory and that of its dead variables counts as pending for its id
 * until then.
 *
 * Context: any but NMI.
 */
void klpsv_table_retire(struct klpsv_table *t)
{
	atomic_long_add(t->bytes + t->dead_bytes, &t->sid->retired_bytes);
	INIT_RCU_WORK(&t->reclaim, klpsv_table_reclaim_fn);
	queue_rcu_work(klpsv_reclaim_wq, &t->reclaim);
}

/**
 * klpsv_reclaim_drain() - wait until every retired table is freed
 *
 * Context: process context, may sleep; nothing may retire tables
 * meanwhile (unload, after every id's work items were stopped).
 */
void klpsv_reclaim_drain(void)
{
	/* The grace periods of queue_rcu_work() first, then the work. */
	rcu_barrier();
	flush_workqueue(klpsv_reclaim_wq);
}

/**
 * klpsv_reclaim_init() - create the workqueue of reclaim
 *
 * Return: 0, or -ENOMEM.
 */
int klpsv_reclaim_init(void)
{
	klpsv_reclaim_wq = alloc_workqueue("klpsv_reclaim",
					   WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return klpsv_reclaim_wq ? 0 : -ENOMEM;
}

/**
 * klpsv_reclaim_exit() - destroy the workqueue of reclaim, drained
 */
void klpsv_reclaim_exit(void)
{
	klpsv_reclaim_drain();
	destroy_workqueue(klpsv_reclaim_wq);
}
