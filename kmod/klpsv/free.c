// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * free.c - the end of shadow variables: destructors, counters, free_all
 */

#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include "internal.h"

/**
 * DOC: freeing shadow variables
 *
 * A variable removed from its table (klpsv_table_remove(), or a step of
 * emptying it) is the remover's alone: removal decides who frees, so a
 * variable is released once even when free and free_all race. Releasing it
 * calls the destructor and counts it; its memory is given back a grace
 * period later, since lookups may still be reading it: from its CPU's batch
 * of frees (batch.c), or, for free_all, with its table (reclaim.c).
 *
 * Every destructor runs the same way, wherever it is called from: in the
 * context of the caller of klpsv_shadow_free() or klpsv_shadow_free_all(),
 * or of the state engine's free_all, with no klpsv lock held, and always in
 * the section of klpsv_dtor_enter(): with preemption disabled (an RCU-sched
 * read-side critical section), or on PREEMPT_RT pinned to the CPU in an RCU
 * read-side critical section. So a destructor runs in the context the
 * kernel's run in under their store's spinlock_t, and one that sleeps
 * where that is not allowed is caught the first time it runs, not only when
 * the caller happened to hold a lock. The same critical section keeps the
 * module of a state's shadow_dtor: the state engine waits for a grace
 * period before it lets a patch's module go. klpsv_shadow_free() enters it
 * before the removal, so that the variable cannot be reclaimed before its
 * destructor has run; free_all keeps its table from being replaced instead.
 *
 * free_all empties the id's table a chunk of slots at a time (see table.c)
 * and releases each chunk's variables outside the lock; between two
 * chunks it reschedules when its caller may sleep. Its cost is the size of
 * the id's table, which a work item keeps proportional to the id's
 * variables.
 */

/**
 * klpsv_shadow_release() - destroy a removed variable
 * @sid:	its id
 * @shadow:	the variable, removed from the table by the caller
 * @dtor:	the destructor; when NULL, the shadow_dtor of the newest
 *		enabled patch that declares state @sid, if any
 *
 * Context: any but NMI, no klpsv lock held, in the section of
 * klpsv_dtor_enter() that the removal was made in (or, for free_all,
 * between klpsv_table_empty_begin() and _end()).
 */
void klpsv_shadow_release(struct klpsv_id *sid, struct klpsv_shadow *shadow,
			  klpsv_shadow_dtor_t dtor)
{
	if (!dtor)
		dtor = READ_ONCE(sid->state_dtor);
	if (dtor)
		dtor(shadow->obj, shadow->data);

	this_cpu_inc(sid->stats->frees);
	this_cpu_add(sid->stats->bytes_out, shadow->size);
}

/**
 * klpsv_id_empty() - free every variable of an id
 * @sid:	the id
 * @dtor:	destructor (optional), as for klpsv_shadow_release()
 * @bytes:	if not NULL, the data bytes freed are added to it
 * @may_sleep:	the caller may sleep: reschedule between chunks
 *
 * Every variable published before the call is freed; one published while it
 * runs may be left. The lock of one part of the id is held for one chunk of
 * its table at a time, and the destructors run outside of it.
 *
 * Context: any but NMI, no klpsv lock held.
 * Return: the number of variables freed.
 */
unsigned long klpsv_id_empty(struct klpsv_id *sid, klpsv_shadow_dtor_t dtor,
			     unsigned long *bytes, bool may_sleep)
{
	struct klpsv_shadow *batch[KLPSV_EMPTY_BATCH];
	unsigned long count = 0;
	unsigned int pos = 0, n, i;
	bool more;

	klpsv_table_empty_begin(sid);
	do {
		more = klpsv_table_empty_step(sid, &pos, batch, &n);
		klpsv_dtor_enter();
		for (i = 0; i < n; i++) {
			if (bytes)
				*bytes += batch[i]->size;
			klpsv_shadow_release(sid, batch[i], dtor);
		}
		klpsv_dtor_exit();
		count += n;
		if (may_sleep)
			cond_resched();
	} while (more);
	klpsv_table_empty_end(sid);
	return count;
}

/**
 * klpsv_id_free_all() - free every variable of an id, from process context
 * @sid:	the id
 * @dtor:	destructor (optional), as for klpsv_shadow_release()
 * @bytes:	if not NULL, the data bytes freed are added to it
 *
 * klpsv_id_empty() for callers that may sleep (the state engine, unload),
 * rescheduling between chunks. For an id whose state is being removed, call
 * klpsv_id_retire() first: then no variable is left.
 *
 * Context: process context, may sleep, no klpsv lock held.
 * Return: the number of variables freed.
 */
unsigned long klpsv_id_free_all(struct klpsv_id *sid, klpsv_shadow_dtor_t dtor,
				unsigned long *bytes)
{
	might_sleep();
	return klpsv_id_empty(sid, dtor, bytes, true);
}
