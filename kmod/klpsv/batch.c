// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * batch.c - freeing removed variables a grace period later, per CPU, in bulk
 */

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/spinlock.h>	/* before local_lock.h, for PREEMPT_RT's */
#include <linux/local_lock.h>
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
 * per-CPU workqueue, and after the grace period its variables are kept for
 * the next allocations of the CPU that reclaims them (recycle.c), or go back
 * to their slabs with kfree_bulk(); that is usually the CPU that freed them
 * (where the grace period's callback runs). The slot the variable had is freed at once
 * (KLPSV_SLOT_FREED), and the next insert whose probe passes it takes it:
 * a table that serves allocs and frees of new objects all day is not
 * rebuilt for them.
 *
 * A CPU's batch is touched on that CPU only, under its local_lock: adding
 * to it happens inside a part's lock, which disabled interrupts, so that
 * the local_lock costs a preemption count there; closing it after the delay
 * and keeping the page of a reclaimed one disable interrupts. (On
 * PREEMPT_RT, where a part's lock leaves interrupts and preemption on, the
 * local_lock is a per-CPU spinlock_t.) Only when a CPU goes offline does
 * another touch its batch: klpsv_batch_cpu_dead() closes it once the CPU is
 * dead, when nothing can add to it any more. The delayed work runs on
 * another CPU while its CPU's workers are not bound to it, as the CPU goes
 * offline or before it is fully online, and then leaves the batch alone;
 * klpsv_batch_cpu_online() queues it again when the CPU is online with its
 * workers bound, also when going offline failed. When the CPU has no batch
 * open, adding takes the page of the CPU's last reclaimed batch, or
 * allocates one with GFP_NOWAIT: it works in every context the writers do
 * and never sleeps. When there is no page, the variable stays in
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
 * @lock:	serialises @open and @spare on their CPU: taken inside a
 *		part's lock, or alone with local_lock_irqsave()
 * @open:	the batch being filled, or NULL
 * @spare:	the page of a reclaimed batch, for the next one, or NULL
 * @flush:	closes @open %KLPSV_BATCH_DELAY after it was started
 */
struct klpsv_batch_cpu {
	local_lock_t lock;
	struct klpsv_batch *open;
	struct klpsv_batch *spare;
	struct delayed_work flush;
};

/* Allocated: a delayed_work is too big for the module's static per-CPU area. */
static struct klpsv_batch_cpu __percpu *klpsv_batch_cpus;
static struct workqueue_struct *klpsv_batch_wq;
/* The CPU hotplug states of klpsv_batch_cpu_dead() and _online(). */
static struct klpsv_cpuhp klpsv_batch_cpuhp;

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
	kfree_bulk(klpsv_recycle_keep(addrs, b->n), addrs);

	/* The page is kept for the next batch of this CPU, if it has none. */
	local_lock_irqsave(&klpsv_batch_cpus->lock, flags);
	c = this_cpu_ptr(klpsv_batch_cpus);
	if (!c->spare) {
		c->spare = b;
		b = NULL;
	}
	local_unlock_irqrestore(&klpsv_batch_cpus->lock, flags);
	kfree(b);
}

static void klpsv_batch_close(struct klpsv_batch *b)
{
	INIT_RCU_WORK(&b->reclaim, klpsv_batch_reclaim_fn);
	queue_rcu_work(klpsv_batch_wq, &b->reclaim);
}

/*
 * Closes the batch of the CPU whose work this is, on that CPU. Run on
 * another, that CPU's workers were not bound to it: klpsv_batch_cpu_dead()
 * closes the batch, or klpsv_batch_cpu_online() queues the work again.
 */
static void klpsv_batch_flush_fn(struct work_struct *work)
{
	struct klpsv_batch_cpu *c = container_of(to_delayed_work(work),
						 struct klpsv_batch_cpu, flush);
	struct klpsv_batch *b = NULL;
	unsigned long flags;

	local_lock_irqsave(&klpsv_batch_cpus->lock, flags);
	if (c == this_cpu_ptr(klpsv_batch_cpus)) {
		b = c->open;
		c->open = NULL;
	}
	local_unlock_irqrestore(&klpsv_batch_cpus->lock, flags);
	if (b)
		klpsv_batch_close(b);
}

/*
 * Closes the open batch of @c, whose CPU adds nothing to it any more (dead,
 * or every id emptied at unload); of racing callers, one gets it.
 */
static void klpsv_batch_close_idle(struct klpsv_batch_cpu *c)
{
	struct klpsv_batch *b = xchg(&c->open, NULL);

	if (b)
		klpsv_batch_close(b);
}

/* A CPU went offline: its batch is closed, not left for its delayed work. */
static int klpsv_batch_cpu_dead(unsigned int cpu)
{
	klpsv_batch_close_idle(per_cpu_ptr(klpsv_batch_cpus, cpu));
	return 0;
}

/*
 * A CPU is online with its workers bound, also when going offline failed:
 * its delayed work may have run elsewhere before and left an open batch,
 * for which no add queues it again.
 */
static int klpsv_batch_cpu_online(unsigned int cpu)
{
	struct klpsv_batch_cpu *c;
	unsigned long flags;
	bool open;

	local_lock_irqsave(&klpsv_batch_cpus->lock, flags);
	c = this_cpu_ptr(klpsv_batch_cpus);
	open = c->open;
	local_unlock_irqrestore(&klpsv_batch_cpus->lock, flags);
	if (open)
		queue_delayed_work_on(cpu, klpsv_batch_wq, &c->flush,
				      KLPSV_BATCH_DELAY);
	return 0;
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
 * Context: any but NMI, @p's lock held, which keeps the caller on its CPU
 * with interrupts disabled (on PREEMPT_RT, pinned to it).
 * Return: true when the variable will be freed, false when no batch could
 * be had (no page): it is the caller's to keep.
 */
bool klpsv_batch_add(struct klpsv_part *p, struct klpsv_shadow *shadow,
		     size_t bytes)
{
	struct klpsv_id *sid = p->sid;
	struct klpsv_batch *b, *full = NULL;
	struct klpsv_batch_cpu *c;
	bool started = false;

	lockdep_assert_held(&p->lock);
	/*
	 * No irqsave: the part's lock disabled interrupts (on PREEMPT_RT it
	 * does not, but there no writer runs in interrupts).
	 */
	local_lock(&klpsv_batch_cpus->lock);
	c = this_cpu_ptr(klpsv_batch_cpus);
	b = c->open;
	if (!b) {
		b = c->spare;
		c->spare = NULL;
		if (!b)
			b = kmalloc(KLPSV_BATCH_BYTES, GFP_NOWAIT | __GFP_NOWARN);
		if (!b) {
			local_unlock(&klpsv_batch_cpus->lock);
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
	local_unlock(&klpsv_batch_cpus->lock);

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
 * Holds CPU hotplug off while it closes the batches: a batch that
 * klpsv_batch_cpu_dead() took is queued before the barrier below.
 *
 * Context: process context, may sleep; nothing may add to batches
 * meanwhile (unload, after every id was emptied).
 */
void klpsv_batch_drain(void)
{
	struct klpsv_batch_cpu *c;
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(klpsv_batch_cpus, cpu);
		cancel_delayed_work_sync(&c->flush);
		klpsv_batch_close_idle(c);
	}
	cpus_read_unlock();
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
 * Return: 0, -ENOMEM, or the error of the CPU hotplug states.
 */
int klpsv_batch_init(void)
{
	struct klpsv_batch_cpu *c;
	int cpu, ret;

	klpsv_batch_cpus = alloc_percpu(struct klpsv_batch_cpu);
	if (!klpsv_batch_cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(klpsv_batch_cpus, cpu);
		local_lock_init(&c->lock);
		c->open = NULL;
		c->spare = NULL;
		INIT_DELAYED_WORK(&c->flush, klpsv_batch_flush_fn);
	}
	klpsv_batch_wq = alloc_workqueue("klpsv_batch", WQ_MEM_RECLAIM, 0);
	if (!klpsv_batch_wq) {
		ret = -ENOMEM;
		goto free;
	}
	ret = klpsv_cpuhp_add(&klpsv_batch_cpuhp, "klpsv/batch:dead",
			      klpsv_batch_cpu_dead, "klpsv/batch:online",
			      klpsv_batch_cpu_online);
	if (ret)
		goto wq;
	return 0;

wq:
	destroy_workqueue(klpsv_batch_wq);
free:
	free_percpu(klpsv_batch_cpus);
	return ret;
}

/**
 * klpsv_batch_exit() - destroy the workqueue of batches, drained
 */
void klpsv_batch_exit(void)
{
	int cpu;

	klpsv_cpuhp_remove(&klpsv_batch_cpuhp);
	klpsv_batch_drain();
	destroy_workqueue(klpsv_batch_wq);
	for_each_possible_cpu(cpu)
		kfree(per_cpu_ptr(klpsv_batch_cpus, cpu)->spare);
	free_percpu(klpsv_batch_cpus);
}
