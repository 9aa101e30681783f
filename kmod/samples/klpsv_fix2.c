// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_fix2.c - sample livepatch: fix 1, plus a running total of touches
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
 * DOC: fix 2
 *
 * A cumulative patch: it carries fix 1 (state 1, the per-object touch
 * counts, whose shadows survive the replace because state 1 is kept) and
 * adds state 2, the total of all touches, in one shadow of the NULL object.
 * State 2 is not is_shadow: its pre_patch allocates the total and its
 * post_unpatch frees it, the classic way. With "fault", that pre_patch
 * fails as if out of memory, and the whole patch is refused.
 */

static bool replace = true;
module_param(replace, bool, 0400);
MODULE_PARM_DESC(replace, "Atomic replace (cumulative patch) (default: 1)");

static bool fault;
module_param(fault, bool, 0400);
MODULE_PARM_DESC(fault, "Make state 2's pre_patch fail with -ENOMEM (default: 0)");

static struct klpsv_target_obj *fix2_obj_alloc(unsigned long serial, gfp_t gfp)
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

static void fix2_obj_free(struct klpsv_target_obj *obj)
{
	klpsv_shadow_free(obj, KLPSV_SAMPLE_TOUCHES, NULL);
	kfree(obj);
}

static void fix2_obj_touch(struct klpsv_target_obj *obj)
{
	struct klpsv_sample_touches *t;
	struct klpsv_sample_total *total;

	if (klpsv_state_enabled(KLPSV_SAMPLE_TOUCHES)) {
		t = klpsv_shadow_get_or_alloc(obj, KLPSV_SAMPLE_TOUCHES,
					      sizeof(*t), GFP_KERNEL, NULL, NULL);
		if (t)
			t->touches++;
	}
	if (klpsv_state_enabled(KLPSV_SAMPLE_TOTAL)) {
		total = klpsv_shadow_get(NULL, KLPSV_SAMPLE_TOTAL);
		if (total)
			atomic_long_inc(&total->touches);
	}
}

static int fix2_obj_show(struct klpsv_target_obj *obj, char *buf, size_t size)
{
	struct klpsv_sample_touches *t;
	struct klpsv_sample_total *total;
	int len;

	t = klpsv_shadow_get(obj, KLPSV_SAMPLE_TOUCHES);
	if (t)
		len = scnprintf(buf, size, "serial %lu fix2 touches %lu",
				obj->serial, t->touches);
	else
		len = scnprintf(buf, size, "serial %lu fix2 touches -",
				obj->serial);
	total = klpsv_shadow_get(NULL, KLPSV_SAMPLE_TOTAL);
	if (total)
		len += scnprintf(buf + len, size - len, " total %ld",
				 atomic_long_read(&total->touches));
	return len;
}

static int fix2_total_pre_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	if (fault) {
		pr_info("state %lu: pre_patch fails (fault injected)\n", state->id);
		return -ENOMEM;
	}
	if (!klpsv_shadow_alloc(NULL, state->id, sizeof(struct klpsv_sample_total),
				GFP_KERNEL, NULL, NULL))
		return -ENOMEM;
	return 0;
}

static void fix2_total_post_unpatch(struct klp_patch *patch, struct klpsv_state *state)
{
	/* Manual lifetime: also after a refused or reversed introduction. */
	klpsv_shadow_free(NULL, state->id, NULL);
}

static void fix2_touches_post_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	pr_info("state %lu: touches are counted from now on\n", state->id);
}

static void fix2_touches_post_unpatch(struct klp_patch *patch, struct klpsv_state *state)
{
	pr_info("state %lu: touches are no longer counted\n", state->id);
}

static struct klp_func fix2_funcs[] = {
	{
		.old_name = "klpsv_target_obj_alloc",
		.new_func = fix2_obj_alloc,
	}, {
		.old_name = "klpsv_target_obj_free",
		.new_func = fix2_obj_free,
	}, {
		.old_name = "klpsv_target_obj_touch",
		.new_func = fix2_obj_touch,
	}, {
		.old_name = "klpsv_target_obj_show",
		.new_func = fix2_obj_show,
	}, { }
};

static struct klp_func fix2_vmlinux_funcs[] = {
	{ }
};

static struct klp_object fix2_objs[] = {
	{
		/* klpsv hooks the callbacks of the vmlinux object */
		.funcs = fix2_vmlinux_funcs,
	}, {
		.name = "klpsv_target",
		.funcs = fix2_funcs,
	}, { }
};

static struct klp_patch fix2_patch = {
	.mod = THIS_MODULE,
	.objs = fix2_objs,
};

static struct klpsv_state fix2_states[] = {
	{
		.id = KLPSV_SAMPLE_TOUCHES,
		.is_shadow = true,
		.callbacks = {
			.post_patch = fix2_touches_post_patch,
			.post_unpatch = fix2_touches_post_unpatch,
		},
	}, {
		.id = KLPSV_SAMPLE_TOTAL,
		.callbacks = {
			.pre_patch = fix2_total_pre_patch,
			.post_unpatch = fix2_total_post_unpatch,
		},
	}, { }
};

static int __init fix2_init(void)
{
	fix2_patch.replace = replace;
	return klpsv_enable_patch(&fix2_patch, fix2_states);
}

static void __exit fix2_exit(void)
{
}

module_init(fix2_init);
module_exit(fix2_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Sample livepatch: fix 1 and a touch total (states 1 and 2)");
MODULE_INFO(livepatch, "Y");
