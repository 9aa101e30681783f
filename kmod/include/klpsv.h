/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpsv.h - livepatch shadow variables for stock kernels
 *
 * The interface livepatch modules compile against. The shadow-variable
 * functions keep the contract of the kernel's klp_shadow_*() (see
 * Documentation/livepatch/shadow-vars.rst); only the prefix differs, because
 * the kernel already exports the klp_shadow_ names.
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
 * Runs in atomic context, at most once per created variable, before any
 * reader can find the variable.
 *
 * Return: 0 to keep the variable, -errno to have it thrown away.
 */
typedef int (*klpsv_shadow_ctor_t)(void *obj, void *shadow_data, void *ctor_data);

/**
 * typedef klpsv_shadow_dtor_t - shadow variable destructor
 * @obj:	the parent object (may be NULL)
 * @shadow_data: the shadow data being freed
 *
 * Runs once per freed variable, with no klpsv lock held, in the context of
 * the caller of klpsv_shadow_free() or klpsv_shadow_free_all(). Readers that
 * found the variable before it was removed may still use the memory until
 * their RCU read-side critical section ends.
 */
typedef void (*klpsv_shadow_dtor_t)(void *obj, void *shadow_data);

void *klpsv_shadow_get(void *obj, unsigned long id);
void *klpsv_shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp_flags,
			 klpsv_shadow_ctor_t ctor, void *ctor_data);
void *klpsv_shadow_get_or_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp_flags,
				klpsv_shadow_ctor_t ctor, void *ctor_data);
void klpsv_shadow_free(void *obj, unsigned long id, klpsv_shadow_dtor_t dtor);
void klpsv_shadow_free_all(unsigned long id, klpsv_shadow_dtor_t dtor);

#endif /* _KLPSV_H */
