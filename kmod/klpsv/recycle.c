// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recycle.c - freed variables kept for their CPU's next allocations
 */

#include <linux/spinlock.h>	/* before local_lock.h, for PREEMPT_RT's */
#include <linux/local_lock.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "internal.h"

/**
 * DOC: recycled variables
 *
 * An alloc + free pair costs the slab allocator twice: an object taken out
 * of its cache, and, a grace period after the free, one put back
 * (kfree_bulk() of a batch, batch.c). A workload that frees and allocates
 * shadows all day pays both for nothing. So when a batch's grace period is
 * over, its variables of the cached sizes (memory.c) are kept instead, on
 * lists of the CPU that reclaims them, one per cache, linked through their
 * first word, up to %KLPSV_RECYCLE_BYTES on each (4,096 variables of 8
 * data bytes, 768 of 112, the largest cached); the rest go back to the
 * slab allocator as before. An insert of a variable of a cached size takes
 * one from its CPU's list, under the part's lock, and zeroes it: no reader
 * can reach a kept variable any more, since its grace period is over.
 * klpsv_shadow_create() asks klpsv_recycle_ready() first, without a lock,
 * and allocates from the slab before it takes the part's lock when the list
 * is empty.
 *
 * A CPU's lists are touched on that CPU only, under its local_lock: taking
 * happens under a part's lock, which disabled interrupts, so the
 * local_lock costs a preemption count there (on PREEMPT_RT, where a part's
 * lock leaves interrupts and preemption on, it is a per-CPU spinlock_t);
 * keeping and giving back disable interrupts.
 *
 * What a CPU keeps is given back to the slab allocator once it has taken
 * none of it for %KLPSV_RECYCLE_AGE (a delayed work item per CPU, queued
 * when variables are kept and when the CPU comes online), when the CPU
 * goes offline, and at unload: at most %KLPSV_RECYCLE_BYTES of each size
 * per CPU wait, and not for long once allocations stop. The memory they
 * hold is counted in the "pending" memory of the total in debugfs
 * (klpsv_recycle_bytes()).
 *
 * With KASAN, nothing is kept unless the parameter recycle=1 says so: its
 * quarantine of freed objects is what catches a use after free, and a kept
 * variable is neither freed nor poisoned. recycle=0 keeps nothing on any
 * kernel: every variable goes back to the slab allocator.
 */

/*
 * The memory of the variables kept per cache and CPU, at most: enough for
 * the frees of a grace period under churn (with 256 variables of 8 data
 * bytes, only 5% of the allocations of the bench's alloc + free found one).
 */
#define KLPSV_RECYCLE_BYTES	(96 * 1024)
/* How long a CPU keeps variables that it does not take. */
#define KLPSV_RECYCLE_AGE	HZ

/* A kept variable: its first word links it to the next one. */
struct klpsv_recycle_link {
	struct klpsv_recycle_link *next;
};

/**
 * struct klpsv_recycle_list - the variables a CPU keeps of one cache
 * @head:	the last one kept, or NULL
 * @n:		how many (read without the lock by klpsv_recycle_ready())
 */
struct klpsv_recycle_list {
	struct klpsv_recycle_link *head;
	unsigned int n;
};

/**
 * struct klpsv_recycle_cpu - what a CPU keeps
 * @lock:	serialises the rest on its CPU
 * @taken:	a variable was taken since @age last ran
 * @lists:	one per cache of memory.c
 * @age:	gives back what was not taken for %KLPSV_RECYCLE_AGE
 */
struct klpsv_recycle_cpu {
	local_lock_t lock;
	bool taken;
	struct klpsv_recycle_list lists[KLPSV_NR_CACHES];
	struct delayed_work age;
};

static struct klpsv_recycle_cpu __percpu *klpsv_recycle_cpus;
/* The CPU hotplug states of klpsv_recycle_cpu_dead() and _online(). */
static struct klpsv_cpuhp klpsv_recycle_cpuhp;

/* Set at load only: nothing is kept while it is off. */
static bool klpsv_recycle = !IS_ENABLED(CONFIG_KASAN);
module_param_named(recycle, klpsv_recycle, bool, 0444);
MODULE_PARM_DESC(recycle,
		 "Keep freed shadows for the next allocations of their CPU (default: 1, 0 with KASAN)");

static bool klpsv_recycle_enabled(void)
{
	return klpsv_recycle;
}

/* Gives every variable of @lists back to the slab allocator. */
static void klpsv_recycle_free(struct klpsv_recycle_list *lists)
{
	struct klpsv_recycle_link *v, *next;
	unsigned int i;

	for (i = 0; i < KLPSV_NR_CACHES; i++) {
		for (v = lists[i].head; v; v = next) {
			next = v->next;
			kfree(v);
		}
		lists[i].head = NULL;
		WRITE_ONCE(lists[i].n, 0);
	}
}

/**
 * klpsv_recycle_ready() - whether this CPU keeps a variable for some data
 * @data_size:	bytes of data after the header
 *
 * A hint, read without a lock: klpsv_recycle_take() may still find none,
 * and the caller may have moved to another CPU meanwhile.
 *
 * Context: any.
 * Return: true when klpsv_recycle_take() will likely find one; false for
 * a size beyond the caches, of which none is kept.
 */
bool klpsv_recycle_ready(size_t data_size)
{
	size_t bytes = klpsv_shadow_footprint(data_size);

	if (!klpsv_recycle_enabled() || bytes > KLPSV_CACHED_MAX)
		return false;
	return READ_ONCE(raw_cpu_ptr(klpsv_recycle_cpus)->lists[klpsv_cache_index(bytes)].n);
}

/**
 * klpsv_recycle_take() - a kept variable of this CPU, for a new one
 * @bytes:	its footprint, klpsv_shadow_footprint(), at most
 *		%KLPSV_CACHED_MAX
 *
 * Context: a part's lock held, which keeps the caller on its CPU with
 * interrupts disabled (on PREEMPT_RT, pinned to it).
 * Return: the variable, not zeroed, or NULL when the CPU keeps none.
 */
struct klpsv_shadow *klpsv_recycle_take(size_t bytes)
{
	struct klpsv_recycle_list *list;
	struct klpsv_recycle_link *v;
	struct klpsv_recycle_cpu *c;

	if (!klpsv_recycle_enabled())
		return NULL;
	local_lock(&klpsv_recycle_cpus->lock);
	c = this_cpu_ptr(klpsv_recycle_cpus);
	list = &c->lists[klpsv_cache_index(bytes)];
	v = list->head;
	if (v) {
		list->head = v->next;
		WRITE_ONCE(list->n, list->n - 1);
		c->taken = true;
	}
	local_unlock(&klpsv_recycle_cpus->lock);
	return (struct klpsv_shadow *)v;
}

/**
 * klpsv_recycle_keep() - keep variables whose grace period is over
 * @addrs:	the variables, freed from every table and batch
 * @n:		how many
 *
 * Those of the cached sizes are kept on this CPU's lists while there is
 * room; the others are moved to the front of @addrs.
 *
 * Context: process context, no klpsv lock held.
 * Return: how many are left at the front of @addrs, for the caller to free.
 */
unsigned int klpsv_recycle_keep(void **addrs, unsigned int n)
{
	struct klpsv_recycle_list *list;
	struct klpsv_recycle_link *v;
	struct klpsv_recycle_cpu *c;
	unsigned int i, left = 0;
	unsigned long flags;
	bool kept = false;
	size_t bytes;

	if (!klpsv_recycle_enabled())
		return n;
	local_lock_irqsave(&klpsv_recycle_cpus->lock, flags);
	c = this_cpu_ptr(klpsv_recycle_cpus);
	for (i = 0; i < n; i++) {
		bytes = klpsv_shadow_footprint(((struct klpsv_shadow *)addrs[i])->size);
		list = bytes <= KLPSV_CACHED_MAX ? &c->lists[klpsv_cache_index(bytes)] : NULL;
		if (!list || (list->n + 1) * bytes > KLPSV_RECYCLE_BYTES) {
			addrs[left++] = addrs[i];
			continue;
		}
		v = addrs[i];
		v->next = list->head;
		list->head = v;
		WRITE_ONCE(list->n, list->n + 1);
		kept = true;
	}
	if (kept && !delayed_work_pending(&c->age))
		queue_delayed_work_on(smp_processor_id(), system_wq, &c->age,
				      KLPSV_RECYCLE_AGE);
	local_unlock_irqrestore(&klpsv_recycle_cpus->lock, flags);
	return left;
}

/*
 * Gives back what the CPU of @work keeps when it took none of it since the
 * last run; looks again later otherwise. Run on another CPU, that CPU's
 * workers were not bound to it: klpsv_recycle_cpu_dead() gives the
 * variables back, or klpsv_recycle_cpu_online() queues the work again.
 */
static void klpsv_recycle_age_fn(struct work_struct *work)
{
	struct klpsv_recycle_cpu *c = container_of(to_delayed_work(work),
						   struct klpsv_recycle_cpu, age);
	struct klpsv_recycle_list old[KLPSV_NR_CACHES] = {};
	unsigned long flags;
	unsigned int i;

	local_lock_irqsave(&klpsv_recycle_cpus->lock, flags);
	if (c == this_cpu_ptr(klpsv_recycle_cpus)) {
		if (c->taken) {
			c->taken = false;
			queue_delayed_work_on(smp_processor_id(), system_wq,
					      &c->age, KLPSV_RECYCLE_AGE);
		} else {
			for (i = 0; i < KLPSV_NR_CACHES; i++) {
				old[i] = c->lists[i];
				c->lists[i].head = NULL;
				WRITE_ONCE(c->lists[i].n, 0);
			}
		}
	}
	local_unlock_irqrestore(&klpsv_recycle_cpus->lock, flags);
	klpsv_recycle_free(old);
}

/*
 * A CPU went offline: what it kept goes back to the slab allocator. Nothing
 * takes or keeps on a dead CPU, and its work item, run elsewhere, leaves
 * its lists alone.
 */
static int klpsv_recycle_cpu_dead(unsigned int cpu)
{
	klpsv_recycle_free(per_cpu_ptr(klpsv_recycle_cpus, cpu)->lists);
	return 0;
}

/*
 * A CPU is online with its workers bound, also when going offline failed:
 * its age work may have run elsewhere before and left what it keeps, for
 * which only the next keep would queue it again.
 */
static int klpsv_recycle_cpu_online(unsigned int cpu)
{
	struct klpsv_recycle_cpu *c;
	unsigned long flags;
	unsigned int i;

	local_lock_irqsave(&klpsv_recycle_cpus->lock, flags);
	c = this_cpu_ptr(klpsv_recycle_cpus);
	for (i = 0; i < KLPSV_NR_CACHES; i++) {
		if (c->lists[i].n) {
			queue_delayed_work_on(cpu, system_wq, &c->age,
					      KLPSV_RECYCLE_AGE);
			break;
		}
	}
	local_unlock_irqrestore(&klpsv_recycle_cpus->lock, flags);
	return 0;
}

/**
 * klpsv_recycle_bytes() - the memory of the variables kept
 *
 * Read without the locks: a snapshot, as any counter.
 *
 * Context: any.
 * Return: bytes.
 */
size_t klpsv_recycle_bytes(void)
{
	struct klpsv_recycle_cpu *c;
	size_t bytes = 0;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(klpsv_recycle_cpus, cpu);
		for (i = 0; i < KLPSV_NR_CACHES; i++)
			bytes += (size_t)READ_ONCE(c->lists[i].n) *
				 (KLPSV_CACHED_MIN + i * KLPSV_CACHE_STEP);
	}
	return bytes;
}

/**
 * klpsv_recycle_init() - set up every CPU's lists
 *
 * Return: 0, -ENOMEM, or the error of the CPU hotplug states.
 */
int klpsv_recycle_init(void)
{
	struct klpsv_recycle_cpu *c;
	int cpu, ret;

	klpsv_recycle_cpus = alloc_percpu(struct klpsv_recycle_cpu);
	if (!klpsv_recycle_cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(klpsv_recycle_cpus, cpu);
		local_lock_init(&c->lock);
		INIT_DELAYED_WORK(&c->age, klpsv_recycle_age_fn);
	}
	ret = klpsv_cpuhp_add(&klpsv_recycle_cpuhp, "klpsv/recycle:dead",
			      klpsv_recycle_cpu_dead, "klpsv/recycle:online",
			      klpsv_recycle_cpu_online);
	if (ret)
		free_percpu(klpsv_recycle_cpus);
	return ret;
}

/**
 * klpsv_recycle_exit() - give back everything kept
 *
 * Context: process context, after klpsv_batch_exit(): nothing keeps or
 * takes any more.
 */
void klpsv_recycle_exit(void)
{
	struct klpsv_recycle_cpu *c;
	int cpu;

	klpsv_cpuhp_remove(&klpsv_recycle_cpuhp);
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(klpsv_recycle_cpus, cpu);
		cancel_delayed_work_sync(&c->age);
		klpsv_recycle_free(c->lists);
	}
	free_percpu(klpsv_recycle_cpus);
}
