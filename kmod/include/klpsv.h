/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpsv.h - livepatch shadow variables for stock kernels
 *
 * The interface livepatch modules compile against. The shadow-variable
 * functions keep the contract of the kernel's klp_shadow_*() (see
 * Documentation/livepatch/shadow-vars.rst); only the prefix differs, because
 * the kernel already exports the klp_shadow_ names.
 *
 * Context, as for the kernel's: klpsv_shadow_get() works anywhere; the
 * writers (alloc, get_or_alloc, free, free_all) work in process and softirq
 * context, with interrupts disabled and in hard interrupt context, with
 * GFP flags that fit the context (GFP_ATOMIC where it cannot sleep); on
 * PREEMPT_RT, where the kernel's store takes a sleeping spinlock_t, where a
 * spinlock_t may be taken: not with interrupts or preemption disabled, nor
 * in hard interrupt context. They are refused, with one log line, where
 * they may not be called, and from a constructor.
 */
#ifndef _KLPSV_H
#define _KLPSV_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/livepatch.h>

/**
 * typedef klpsv_shadow_ctor_t - shadow variable constructor
 * @obj:	the parent object (may be NULL)
 * @shadow_data: the new shadow data, already zeroed
 * @ctor_data:	the caller's @ctor_data
 *
 * Runs in atomic context, under the lock of the variable's id with
 * interrupts disabled, at most once per created variable, before any reader
 * can find the variable; on PREEMPT_RT, where that lock is a sleeping
 * spinlock_t as the kernel's store's is, pinned to its CPU and preemptible,
 * in the context the kernel's constructors run in there. It may read shadow
 * variables (klpsv_shadow_get()), but must not sleep (on PREEMPT_RT: but on
 * a spinlock_t), and must not allocate or free any: a klpsv writer
 * called from a constructor is refused (one log line; it returns NULL or
 * does nothing), since constructors of two ids calling each other's would
 * deadlock.
 *
 * Return: 0 to keep the variable, -errno to have it thrown away.
 */
typedef int (*klpsv_shadow_ctor_t)(void *obj, void *shadow_data, void *ctor_data);

/**
 * typedef klpsv_shadow_dtor_t - shadow variable destructor
 * @obj:	the parent object (may be NULL)
 * @shadow_data: the shadow data being freed
 *
 * Runs once per freed variable, in atomic context: with preemption disabled
 * and no klpsv lock held, in the context of the caller of klpsv_shadow_free()
 * or klpsv_shadow_free_all() (or, for a state's shadow_dtor, of the state
 * engine removing the state, in process context). The same rule holds for
 * every destructor, explicit or a state's, wherever it is called from: it
 * must not sleep. On PREEMPT_RT it runs as the kernel's destructors run
 * under their store's spinlock_t there: pinned to its CPU, preemptible, in
 * an RCU read-side critical section; it may take a spinlock_t and free
 * memory, but not sleep otherwise. Readers that found the variable before
 * it was removed may still use the memory until their RCU read-side
 * critical section ends.
 */
typedef void (*klpsv_shadow_dtor_t)(void *obj, void *shadow_data);

void *klpsv_shadow_get(void *obj, unsigned long id);
void *klpsv_shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp_flags,
			 klpsv_shadow_ctor_t ctor, void *ctor_data);
void *klpsv_shadow_get_or_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp_flags,
				klpsv_shadow_ctor_t ctor, void *ctor_data);
void klpsv_shadow_free(void *obj, unsigned long id, klpsv_shadow_dtor_t dtor);
void klpsv_shadow_free_all(unsigned long id, klpsv_shadow_dtor_t dtor);

/* ---- system states (the 2025 upstream proposal, on stock kernels) ---- */
struct klpsv_state;

/**
 * struct klpsv_state_callbacks - what runs when a transition introduces or
 *	removes a state
 * @pre_patch:	before the transition that introduces the state; an error
 *		refuses the whole patch
 * @post_patch:	after the transition that introduced the state
 * @pre_unpatch: before the transition that removes the state
 * @post_unpatch: after the transition that removed the state, also after a
 *		reversed or refused introduction whose @pre_patch ran
 * @shadow_dtor: destructor of the shadow variables with the state's id, when
 *		they are freed with the state or freed with a NULL destructor;
 *		runs in atomic context, as every &klpsv_shadow_dtor_t; never
 *		called once the patch's module is going (a replace that klpsv
 *		was not told of): those shadows are freed without it
 *
 * All are optional. The four callbacks run in process context, under
 * klpsv's and the livepatch core's mutexes: they must not enable or disable
 * livepatches.
 */
struct klpsv_state_callbacks {
	int  (*pre_patch)(struct klp_patch *patch, struct klpsv_state *state);
	void (*post_patch)(struct klp_patch *patch, struct klpsv_state *state);
	void (*pre_unpatch)(struct klp_patch *patch, struct klpsv_state *state);
	void (*post_unpatch)(struct klp_patch *patch, struct klpsv_state *state);
	klpsv_shadow_dtor_t shadow_dtor;
};

/**
 * struct klpsv_state - a system state that a livepatch introduces or keeps
 * @id:		non-zero, unique within one patch
 * @is_shadow:	shadow variables with this id live and die with the state
 * @block_disable: the state cannot be reverted
 * @callbacks:	see &struct klpsv_state_callbacks
 */
struct klpsv_state {
	unsigned long id;
	bool is_shadow;
	bool block_disable;
	struct klpsv_state_callbacks callbacks;
};

int klpsv_enable_patch(struct klp_patch *patch, struct klpsv_state *states);
struct klpsv_state *klpsv_get_state(struct klp_patch *patch, unsigned long id);
bool klpsv_state_enabled(unsigned long id);

#endif /* _KLPSV_H */
