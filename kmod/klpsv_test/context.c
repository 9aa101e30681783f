// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * context.c - klpsv_test.ko: making a shadow API call in the context asked for
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/spinlock.h>
#include "klpsv_test.h"

/**
 * DOC: calling contexts
 *
 * The gfp= option of alloc and get-or-alloc, and the ctx= option of free and
 * free-all, choose where the command calls klpsv (&enum klpsv_test_ctx):
 *
 * - process: straight from the command's task;
 * - atomic: holding a spinlock taken with spin_lock_bh(), as a caller in
 *   softirq context or under a bottom-half lock would;
 * - irqoff: between local_irq_save() and local_irq_restore();
 * - hardirq: from an irq_work, which on x86 runs in the handler of a self
 *   interrupt (or of the tick), in hard interrupt context; the command
 *   queues it on its own CPU and waits for it with irq_work_sync().
 *
 * Each call checks, inside, that it runs where it was asked to
 * (klpsv_test_context_ok()), so that a test knows a hardirq call really ran
 * in hard interrupt context.
 *
 * Context and locking: process context, klpsv_test_mutex held; the hardirq
 * call runs while the command's task waits for it, so it has the command's
 * data to itself.
 */

/* Held around atomic calls. */
static DEFINE_SPINLOCK(klpsv_test_atomic_lock);

/**
 * struct klpsv_test_irq_call - a call made from hard interrupt context
 * @work:	the irq_work that makes it
 * @fn:		the call
 * @arg:	its argument
 * @ok:		it ran in hard interrupt context, interrupts disabled
 */
struct klpsv_test_irq_call {
	struct irq_work work;
	void (*fn)(void *arg);
	void *arg;
	bool ok;
};

static void klpsv_test_irq_fn(struct irq_work *work)
{
	struct klpsv_test_irq_call *call =
		container_of(work, struct klpsv_test_irq_call, work);

	call->ok = klpsv_test_context_ok(KLPSV_TEST_CTX_HARDIRQ);
	call->fn(call->arg);
}

/**
 * klpsv_test_context_ok() - whether the caller runs in a context
 * @ctx:	the context
 *
 * Context: any.
 * Return: true when the caller runs in @ctx: for process, not in interrupt
 * and preemptible; for atomic, with a non-zero preempt count or bottom
 * halves disabled, and interrupts enabled; for irqoff, with interrupts disabled outside hard interrupt
 * context; for hardirq, in hard interrupt context with interrupts disabled.
 */
bool klpsv_test_context_ok(enum klpsv_test_ctx ctx)
{
	switch (ctx) {
	case KLPSV_TEST_CTX_PROCESS:
		return !in_interrupt() && preemptible();
	case KLPSV_TEST_CTX_ATOMIC:
		/* On PREEMPT_RT bottom halves are off with preemption on. */
		return (preempt_count() != 0 || in_softirq()) && !irqs_disabled();
	case KLPSV_TEST_CTX_IRQOFF:
		return irqs_disabled() && !in_hardirq();
	case KLPSV_TEST_CTX_HARDIRQ:
		return in_hardirq() && irqs_disabled();
	}
	return false;
}

/**
 * klpsv_test_call_in() - call @fn in context @ctx
 * @ctx:	where to call it
 * @fn:		the call
 * @arg:	its argument
 *
 * Context: process context, klpsv_test_mutex held; returns once @fn has.
 * Return: whether @fn ran in @ctx (see klpsv_test_context_ok()).
 */
bool klpsv_test_call_in(enum klpsv_test_ctx ctx, void (*fn)(void *arg),
			void *arg)
{
	struct klpsv_test_irq_call call = {
		.work	= IRQ_WORK_INIT_HARD(klpsv_test_irq_fn),
		.fn	= fn,
		.arg	= arg,
	};
	unsigned long flags;
	bool ok;

	lockdep_assert_held(&klpsv_test_mutex);

	switch (ctx) {
	case KLPSV_TEST_CTX_ATOMIC:
		spin_lock_bh(&klpsv_test_atomic_lock);
		ok = klpsv_test_context_ok(ctx);
		fn(arg);
		spin_unlock_bh(&klpsv_test_atomic_lock);
		return ok;
	case KLPSV_TEST_CTX_IRQOFF:
		local_irq_save(flags);
		ok = klpsv_test_context_ok(ctx);
		fn(arg);
		local_irq_restore(flags);
		return ok;
	case KLPSV_TEST_CTX_HARDIRQ:
		irq_work_queue(&call.work);
		irq_work_sync(&call.work);
		return call.ok;
	default:
		ok = klpsv_test_context_ok(KLPSV_TEST_CTX_PROCESS);
		fn(arg);
		return ok;
	}
}
