/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * atomic.h - where the kernel's own store runs constructors and destructors
 * (klpsv_test.ko and the virtual patches check it)
 */
#ifndef _KLPSV_TEST_ATOMIC_H
#define _KLPSV_TEST_ATOMIC_H

#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/sched.h>

/*
 * Whether a constructor or destructor runs where the kernel's own store
 * runs them, under its spinlock_t: in atomic context, that is with
 * interrupts disabled or a non-zero preempt count (preemption or bottom
 * halves disabled, or in interrupt), which is in_atomic() spelled out for a
 * module; on PREEMPT_RT, where a spinlock_t sleeps, at least pinned to the
 * CPU (migration disabled), as a spinlock_t holder is.
 */
static inline bool klpsv_test_atomic_context(void)
{
	if (irqs_disabled() || preempt_count() != 0)
		return true;
#if defined(CONFIG_PREEMPT_RT) && defined(CONFIG_SMP)
	return current->migration_disabled;
#else
	return false;
#endif
}

#endif /* _KLPSV_TEST_ATOMIC_H */
