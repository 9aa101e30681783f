// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_plain.c - a plain livepatch of klpsv_target, without klpsv
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "../samples/klpsv_target.h"

/**
 * DOC: plain livepatch
 *
 * Redirects the four functions klpsv_fix1 redirects, with the target's own
 * behaviour, and is enabled with klp_enable_patch() directly: no klpsv, no
 * state, no callback. Its enabling and disabling make ftrace rewrite the
 * same four fentry sites as fix 1 does, so a hang seen with fix 1 and seen
 * again with this patch lies in the kernel or below it, not in klpsv.
 * scripts/livelock-repro loads and unloads it in a loop.
 */

static struct klpsv_target_obj *plain_obj_alloc(unsigned long serial, gfp_t gfp)
{
	struct klpsv_target_obj *obj;

	obj = kzalloc(sizeof(*obj), gfp);
	if (obj)
		obj->serial = serial;
	return obj;
}

static void plain_obj_free(struct klpsv_target_obj *obj)
{
	kfree(obj);
}

static void plain_obj_touch(struct klpsv_target_obj *obj)
{
	barrier();	/* keep the empty function a call */
}

static int plain_obj_show(struct klpsv_target_obj *obj, char *buf, size_t size)
{
	return scnprintf(buf, size, "serial %lu plain", obj->serial);
}

static struct klp_func plain_funcs[] = {
	{
		.old_name = "klpsv_target_obj_alloc",
		.new_func = plain_obj_alloc,
	}, {
		.old_name = "klpsv_target_obj_free",
		.new_func = plain_obj_free,
	}, {
		.old_name = "klpsv_target_obj_touch",
		.new_func = plain_obj_touch,
	}, {
		.old_name = "klpsv_target_obj_show",
		.new_func = plain_obj_show,
	}, { }
};

static struct klp_object plain_objs[] = {
	{
		.name = "klpsv_target",
		.funcs = plain_funcs,
	}, { }
};

static struct klp_patch plain_patch = {
	.mod = THIS_MODULE,
	.objs = plain_objs,
};

static int __init plain_init(void)
{
	return klp_enable_patch(&plain_patch);
}

static void __exit plain_exit(void)
{
}

module_init(plain_init);
module_exit(plain_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Plain livepatch of klpsv_target, no klpsv: the ftrace hang reproducer");
MODULE_INFO(livepatch, "Y");
