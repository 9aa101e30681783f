// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * batch.c - freeing removed variables a grace period later, per CPU, in bulk
 */

#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "internal.h"

/**
 * DOC: batched frees
 *
 * A variable removed by klpsv_shadow_free() may still be read by lookups
 * that found it before, so its memory may go back only a grace period
 * later. It has no rcu_head (that would be 16 bytes in every variable):
 * instead its address goes into a batch of the CPU that removed it, a page
 * of addresses, as kfree_rcu() batches its own. A full batch, or one that
 * has waited %KLPSV_BATCH_DELAY, is handed to queue_rcu_work() on a
 * per-CPU workqueue, and after the grace period its variables go back to
 * their slabs with kfree_bulk(), usually on the CPU that freed them (where
 * the grace period's callback runs), whose slab allocator is the one that
 * will give them out again. The slot the variable had is freed at once
 * (KLPSV_SLOT_FREED), and the next insert whose probe passes it takes it:
 * a table that serves allocs and frees of new objects all day is not
 * rebuilt for them.
 *
 * Adding to a batch takes the CPU's batch lock inside a part's lock. When
 * the CPU has no batch open, it takes the page of the CPU's last reclaimed
 * batch, or allocates one with GFP_NOWAIT: it works in every context the
 * writers do and never sleeps. When there is no page, the variable stays in
 * its slot, dead, and is freed with its table (reclaim.c), as free_all's
 * variables are. The slot is unpublished before the variable goes into a
 * batch, whose grace period may start at once.
 *
 * Each entry names its id, whose per-CPU counter of batched bytes the
 * reclaim decrements: the id's pending memory includes its batched
 * variables. Unload drains the batches (klpsv_batch_drain()) before it
 * frees the ids.
 */

/* How long a batch that is not full waits for more addresses. */
#define KLPSV_BATCH_DELAY	(HZ / 10)

/**
 * struct klpsv_batch_entry - one variable waiting for its grace period
 * @shadow:	the variable, removed from its table
 * @sid:	its id, whose batched bytes count it
 */
struct klpsv_batch_entry {
	struct klpsv_shadow *shadow;
	struct klpsv_id *sid;
};

/**
 * struct klpsv_batch - a page of variables freed together
 * @reclaim:	frees them a grace period after the batch was closed
 * @n:		entries used
 * @entries:	the variables, filling the rest of the page
 */
struct klpsv_batch {
	struct rcu_work reclaim;
	unsigned int n;
	struct klpsv_batch_entry entries[];
};

/*
 * A page, from kmalloc() rather than the page allocator, so that kmemleak
 * scans it: the variables in a batch are referenced from there only.
 */
#define KLPSV_BATCH_BYTES	PAGE_SIZE
#define KLPSV_BATCH_ENTRIES	\
	((KLPSV_BATCH_BYTES - sizeof(struct klpsv_batch)) / sizeof(struct klpsv_batch_entry))

/**
 * struct klpsv_batch_cpu - the batch a CPU fills
 * @lock:	serialises @open with adding to it and closing it; taken
 *		with spin_lock_irqsave(), inside a part's lock or alone
 * @open:	the batch being filled, or NULL
 * @spare:	the page of a reclaimed batch, for the next one, or NULL
 * @flush:	closes @open %KLPSV_BATCH_DELAY after it was started
 */
struct klpsv_batch_cpu {
	spinlock_t lock;
	struct klpsv_batch *open;
	struct klpsv_batch *spare;
	struct delayed_work flush;
};

/* Allocated: a delayed_work is too big for the module's static per-CPU area. */
static struct klpsv_batch_cpu __percpu *klpsv_batch_cpus;
static struct workqueue_struct *klpsv_batch_wq;

/* Frees the variables of a batch, its grace period over, then the batch. */
static void klpsv_batch_reclaim_fn(struct work_struct *work)
{
	struct klpsv_batch *b = container_of(to_rcu_work(work), struct klpsv_batch,
					     reclaim);
	void **addrs = (void **)b->entries;
	struct klpsv_id *sid = b->entries[0].sid;
	struct klpsv_batch_cpu *c;
	struct klpsv_shadow *shadow;
	unsigned long flags;
	size_t bytes = 0;
	unsigned int i;

	/*
	 * Compacts the addresses in place (entry i is read before addrs[i]
	 * is written), counting the bytes of each run of one id's entries.
	 */
	for (i = 0; i < b->n; i++) {
		if (b->entries[i].sid != sid) {
			this_cpu_sub(sid->stats->batched, bytes);
			sid = b->entries[i].sid;
			bytes = 0;
		}
		shadow = b->entries[i].shadow;
		bytes += klpsv_shadow_footprint(shadow->size);
		addrs[i] = shadow;
	}
	this_cpu_sub(sid->stats->batched, bytes);
	kfree_bulk(b->n, addrs);

	/* The page is kept for the next batch of this CPU, if it has none. */
	c = raw_cpu_ptr(klpsv_batch_cpus);
	spin_lock_irqsave(&c->lock, flags);
	if (!c->spare) {
		c->spare = b;
		b = NULL;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	kfree(b);
}

static void klpsv_batch_close(struct klpsv_batch *b)
{
	INIT_RCU_WORK(&b->reclaim, klpsv_batch_reclaim_fn);
	queue_rcu_work(klpsv_batch_wq, &b->reclaim);
}

static void klpsv_batch_flush_fn(struct work_struct *work)
{
	struct klpsv_batch_cpu *c = container_of(to_delayed_work(work),
						 struct klpsv_batch_cpu, flush);
	struct klpsv_batch *b;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	b = c->open;
	c->open = NULL;
	spin_unlock_irqrestore(&c->lock, flags);
	if (b)
		klpsv_batch_close(b);
}

/**
 * klpsv_batch_add() - free a removed variable a grace period from now
 * @p:		the part of its id
 * @shadow:	the variable, just removed from @p's table
 * @bytes:	its footprint, klpsv_shadow_footprint()
 *
 * The caller's own RCU read-side critical section, which the removal was
 * made in, delays the grace period as usual: the variable may be used
 * until it ends.
 *
 * Context: any but NMI, @p's lock held, which keeps the caller on its CPU.
 * Return: true when the variable will be freed, false when no batch could
 * be had (no page): it is the caller's to keep.
 */
bool klpsv_batch_add(struct klpsv_part *p, struct klpsv_shadow *shadow,
		     size_t bytes)
{
	struct klpsv_id *sid = p->sid;
	struct klpsv_batch_cpu *c = this_cpu_ptr(klpsv_batch_cpus);
	struct klpsv_batch *b, *full = NULL;
	bool started = false;

	lockdep_assert_held(&p->lock);
	/*
	 * No irqsave: the part's lock disabled interrupts (on PREEMPT_RT it
	 * does not, but there no writer runs in interrupts).
	 */
	spin_lock(&c->lock);
	b = c->open;
	if (!b) {
		b = c->spare;
		c->spare = NULL;
		if (!b)
			b = kmalloc(KLPSV_BATCH_BYTES, GFP_NOWAIT | __GFP_NOWARN);
		if (!b) {
			spin_unlock(&c->lock);
			return false;
		}
		b->n = 0;
		c->open = b;
		started = true;
	}
	b->entries[b->n].shadow = shadow;
	b->entries[b->n].sid = sid;
	if (++b->n == KLPSV_BATCH_ENTRIES) {
		c->open = NULL;
		full = b;
	}
	spin_unlock(&c->lock);

	this_cpu_add(sid->stats->batched, bytes);
	if (full)
		klpsv_batch_close(full);
	else if (started)
		queue_delayed_work_on(smp_processor_id(), klpsv_batch_wq, &c->flush,
				      KLPSV_BATCH_DELAY);
	return true;
}

/**
 * klpsv_batch_drain() - free every batched variable now
 *
 * Context: process context, may sleep; nothing may add to batches
 * meanwhile (unload, after every id was emptied).
 */
void klpsv_batch_drain(void)
{
	struct klpsv_batch_cpu *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(klpsv_batch_cpus, cpu);
		cancel_delayed_work_sync(&c->flush);
		klpsv_batch_flush_fn(&c->flush.work);
	}
	/* The grace periods of queue_rcu_work() first, then the work. */
	rcu_barrier();
	flush_workqueue(klpsv_batch_wq);
}

/**
 * klpsv_batch_init() - set up every CPU's batch, and their workqueue
 *
 * The workqueue is per-CPU, so that a batch is usually freed on the CPU it
 * was filled on, and has a rescuer (WQ_MEM_RECLAIM): it gives memory back.
 *
 * Return: 0, or -ENOMEM.
 */
int klpsv_batch_init(void)
{
	struct klpsv_batch_cpu *c;
	int cpu;

	klpsv_batch_cpus = alloc_percpu(struct klpsv_batch_cpu);
	if (!klpsv_batch_cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(klpsv_batch_cpus, cpu);
		spin_lock_init(&c->lock);
		c->open = NULL;
		c->spare = NULL;
		INIT_DELAYED_WORK(&c->flush, klpsv_batch_flush_fn);
	}
	klpsv_batch_wq = alloc_workqueue("klpsv_batch", WQ_MEM_RECLAIM, 0);
	if (!klpsv_batch_wq) {
		free_percpu(klpsv_batch_cpus);
		return -ENOMEM;
	}
	return 0;
}

/**
 * klpsv_batch_exit() - destroy the workqueue of batches, drained
 */
void klpsv_batch_exit(void)
{
	int cpu;

	klpsv_batch_drain();
	destroy_workqueue(klpsv_batch_wq);
	for_each_possible_cpu(cpu)
		kfree(per_cpu_ptr(klpsv_batch_cpus, cpu)->spare);
	free_percpu(klpsv_batch_cpus);
}
