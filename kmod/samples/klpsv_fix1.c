// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_fix1.c - sample livepatch: a touch count for every target object
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <klpsv.h>
#include "klpsv_target.h"
#include "klpsv_samples.h"

/**
 * DOC: fix 1
 *
 * klpsv_target keeps no record of how often an object is used. This patch
 * counts the touches of each object in a shadow variable of id 1, which
 * state 1 owns (is_shadow): klpsv frees every such shadow when a later
 * transition removes the state, whatever became of the objects.
 *
 * Objects that exist before the patch (in-flight parents) have no shadow:
 * they get one at their first touch. New objects get one at birth, but only
 * once klpsv_state_enabled() says patching is complete: until then a task
 * still running the old klpsv_target_obj_free() could destroy the object
 * and leave its shadow behind.
 */

static bool replace = true;
module_param(replace, bool, 0400);
MODULE_PARM_DESC(replace, "Atomic replace (cumulative patch) (default: 1)");

static struct klpsv_target_obj *fix1_obj_alloc(unsigned long serial, gfp_t gfp)
{
	struct klpsv_target_obj *obj;

	obj = kzalloc(sizeof(*obj), gfp);
	if (!obj)
		return NULL;
	obj->serial = serial;
	if (klpsv_state_enabled(KLPSV_SAMPLE_TOUCHES))
		klpsv_shadow_alloc(obj, KLPSV_SAMPLE_TOUCHES,
				   sizeof(struct klpsv_sample_touches), gfp,
				   NULL, NULL);
	return obj;
}

static void fix1_obj_free(struct klpsv_target_obj *obj)
{
	klpsv_shadow_free(obj, KLPSV_SAMPLE_TOUCHES, NULL);
	kfree(obj);
}

static void fix1_obj_touch(struct klpsv_target_obj *obj)
{
	struct klpsv_sample_touches *t;

	if (!klpsv_state_enabled(KLPSV_SAMPLE_TOUCHES))
		return;
	t = klpsv_shadow_get_or_alloc(obj, KLPSV_SAMPLE_TOUCHES, sizeof(*t),
				      GFP_KERNEL, NULL, NULL);
	if (t)
		t->touches++;
}

static int fix1_obj_show(struct klpsv_target_obj *obj, char *buf, size_t size)
{
	struct klpsv_sample_touches *t;

	t = klpsv_shadow_get(obj, KLPSV_SAMPLE_TOUCHES);
	if (!t)
		return scnprintf(buf, size, "serial %lu fix1 touches -",
				 obj->serial);
	return scnprintf(buf, size, "serial %lu fix1 touches %lu", obj->serial,
			 t->touches);
}

static void fix1_post_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	pr_info("state %lu: touches are counted from now on\n", state->id);
}

static void fix1_post_unpatch(struct klp_patch *patch, struct klpsv_state *state)
{
	pr_info("state %lu: touches are no longer counted\n", state->id);
}

static struct klp_func fix1_funcs[] = {
	{
		.old_name = "klpsv_target_obj_alloc",
		.new_func = fix1_obj_alloc,
	}, {
		.old_name = "klpsv_target_obj_free",
		.new_func = fix1_obj_free,
	}, {
		.old_name = "klpsv_target_obj_touch",
		.new_func = fix1_obj_touch,
	}, {
		.old_name = "klpsv_target_obj_show",
		.new_func = fix1_obj_show,
	}, { }
};

static struct klp_func fix1_vmlinux_funcs[] = {
	{ }
};

static struct klp_object fix1_objs[] = {
	{
		/* klpsv hooks the callbacks of the vmlinux object */
		.funcs = fix1_vmlinux_funcs,
	}, {
		.name = "klpsv_target",
		.funcs = fix1_funcs,
	}, { }
};

static struct klp_patch fix1_patch = {
	.mod = THIS_MODULE,
	.objs = fix1_objs,
};

static struct klpsv_state fix1_states[] = {
	{
		.id = KLPSV_SAMPLE_TOUCHES,
		.is_shadow = true,
		.callbacks = {
			.post_patch = fix1_post_patch,
			.post_unpatch = fix1_post_unpatch,
		},
	}, { }
};

static int __init fix1_init(void)
{
	fix1_patch.replace = replace;
	return klpsv_enable_patch(&fix1_patch, fix1_states);
}

static void __exit fix1_exit(void)
{
}

module_init(fix1_init);
module_exit(fix1_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Sample livepatch: touch counts in shadows owned by state 1");
MODULE_INFO(livepatch, "Y");
