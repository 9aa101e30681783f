/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpsv_target.h - the sample module that the sample livepatches patch
 *
 * klpsv_target.ko keeps a list of objects that are created and destroyed
 * over time. The functions declared here are the ones the samples redirect;
 * a livepatch that replaces one must keep its signature and its contract.
 */
#ifndef _KLPSV_TARGET_H
#define _KLPSV_TARGET_H

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/types.h>

/* How many objects may exist at once, as klpsv_target_limit() returns it. */
#define KLPSV_TARGET_LIMIT	1000

/**
 * struct klpsv_target_obj - an object of the target module
 * @node:	in the target's list, oldest first
 * @serial:	its number, unique for the module's life, from 1
 *
 * Livepatches do not change this layout: new data goes in shadow variables.
 */
struct klpsv_target_obj {
	struct list_head node;
	unsigned long serial;
};

/* The patchable functions (kmod/samples/target/objects.c and nap.c). */
struct klpsv_target_obj *klpsv_target_obj_alloc(unsigned long serial, gfp_t gfp);
void klpsv_target_obj_free(struct klpsv_target_obj *obj);
void klpsv_target_obj_touch(struct klpsv_target_obj *obj);
int klpsv_target_obj_show(struct klpsv_target_obj *obj, char *buf, size_t size);
unsigned long klpsv_target_limit(void);
void klpsv_target_nap(void);

/* Exported: the sleep of klpsv_target_nap(), for the patch that redirects it. */
void klpsv_target_nap_wait(void);

#endif /* _KLPSV_TARGET_H */
