// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_fix3.c - sample livepatch: the total of touches only
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
 * DOC: fix 3
 *
 * A cumulative patch that gives up the per-object counts: it does not
 * declare state 1, so the replace removes it and klpsv frees every shadow
 * of id 1 right after the transition, with no code of this patch involved.
 * It keeps state 2, the total, whose shadow survives the replace.
 *
 * While the replace is in flight, tasks still running fix 2 may touch or
 * free objects (state 1 is no longer enabled, so they make no new shadow);
 * objects destroyed by this patch's code may still carry a shadow of id 1
 * until then, so its free drops it, as fix 2's did.
 */

static bool replace = true;
module_param(replace, bool, 0400);
MODULE_PARM_DESC(replace, "Atomic replace (cumulative patch) (default: 1)");

static void fix3_obj_free(struct klpsv_target_obj *obj)
{
	klpsv_shadow_free(obj, KLPSV_SAMPLE_TOUCHES, NULL);
	kfree(obj);
}

static void fix3_obj_touch(struct klpsv_target_obj *obj)
{
	struct klpsv_sample_total *total;

	if (!klpsv_state_enabled(KLPSV_SAMPLE_TOTAL))
		return;
	total = klpsv_shadow_get(NULL, KLPSV_SAMPLE_TOTAL);
	if (total)
		atomic_long_inc(&total->touches);
}

static int fix3_obj_show(struct klpsv_target_obj *obj, char *buf, size_t size)
{
	struct klpsv_sample_total *total;

	total = klpsv_shadow_get(NULL, KLPSV_SAMPLE_TOTAL);
	if (!total)
		return scnprintf(buf, size, "serial %lu fix3", obj->serial);
	return scnprintf(buf, size, "serial %lu fix3 total %ld", obj->serial,
			 atomic_long_read(&total->touches));
}

static int fix3_total_pre_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	if (!klpsv_shadow_alloc(NULL, state->id, sizeof(struct klpsv_sample_total),
				GFP_KERNEL, NULL, NULL))
		return -ENOMEM;
	return 0;
}

static void fix3_total_post_unpatch(struct klp_patch *patch, struct klpsv_state *state)
{
	klpsv_shadow_free(NULL, state->id, NULL);
}

static struct klp_func fix3_funcs[] = {
	{
		.old_name = "klpsv_target_obj_free",
		.new_func = fix3_obj_free,
	}, {
		.old_name = "klpsv_target_obj_touch",
		.new_func = fix3_obj_touch,
	}, {
		.old_name = "klpsv_target_obj_show",
		.new_func = fix3_obj_show,
	}, { }
};

static struct klp_func fix3_vmlinux_funcs[] = {
	{ }
};

static struct klp_object fix3_objs[] = {
	{
		/* klpsv hooks the callbacks of the vmlinux object */
		.funcs = fix3_vmlinux_funcs,
	}, {
		.name = "klpsv_target",
		.funcs = fix3_funcs,
	}, { }
};

static struct klp_patch fix3_patch = {
	.mod = THIS_MODULE,
	.objs = fix3_objs,
};

static struct klpsv_state fix3_states[] = {
	{
		.id = KLPSV_SAMPLE_TOTAL,
		.callbacks = {
			.pre_patch = fix3_total_pre_patch,
			.post_unpatch = fix3_total_post_unpatch,
		},
	}, { }
};

static int __init fix3_init(void)
{
	fix3_patch.replace = replace;
	return klpsv_enable_patch(&fix3_patch, fix3_states);
}

static void __exit fix3_exit(void)
{
}

module_init(fix3_init);
module_exit(fix3_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Sample livepatch: the touch total alone (drops state 1, keeps 2)");
MODULE_INFO(livepatch, "Y");
