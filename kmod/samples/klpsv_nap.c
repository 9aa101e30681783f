// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_nap.c - sample livepatch: a patched nap that holds its transition
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <klpsv.h>
#include "klpsv_target.h"
#include "klpsv_samples.h"

/**
 * DOC: the nap patch
 *
 * Redirects klpsv_target_nap(). While klpsv_target's napping task sleeps in
 * the old nap, enabling this patch cannot complete; once it sleeps in the
 * new one, disabling cannot: that holds transitions open, so they can be
 * reversed. It also redirects klpsv_target_obj_show() to tell, through
 * klpsv_state_enabled(8), whether patching is complete, as new code that
 * must not make new data before then would check. State 8 is_shadow owns a
 * shadow of the NULL object made by its post_patch, which klpsv frees with
 * the state.
 */

static bool replace;
module_param(replace, bool, 0400);
MODULE_PARM_DESC(replace, "Atomic replace (cumulative patch) (default: 0)");

static void nap_nap(void)
{
	klpsv_target_nap_wait();
	barrier();	/* keep the call a call, not a tail jump */
}

static int nap_obj_show(struct klpsv_target_obj *obj, char *buf, size_t size)
{
	return scnprintf(buf, size, "serial %lu nap %s", obj->serial,
			 klpsv_state_enabled(KLPSV_SAMPLE_NAP) ? "complete" : "in-flight");
}

static void nap_post_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	if (!klpsv_shadow_get_or_alloc(NULL, state->id, sizeof(unsigned long),
				       GFP_KERNEL, NULL, NULL))
		pr_info("state %lu: no memory for its shadow\n", state->id);
}

static struct klp_func nap_funcs[] = {
	{
		.old_name = "klpsv_target_nap",
		.new_func = nap_nap,
	}, {
		.old_name = "klpsv_target_obj_show",
		.new_func = nap_obj_show,
	}, { }
};

static struct klp_func nap_vmlinux_funcs[] = {
	{ }
};

static struct klp_object nap_objs[] = {
	{
		/* klpsv hooks the callbacks of the vmlinux object */
		.funcs = nap_vmlinux_funcs,
	}, {
		.name = "klpsv_target",
		.funcs = nap_funcs,
	}, { }
};

static struct klp_patch nap_patch = {
	.mod = THIS_MODULE,
	.objs = nap_objs,
};

static struct klpsv_state nap_states[] = {
	{
		.id = KLPSV_SAMPLE_NAP,
		.is_shadow = true,
		.callbacks = {
			.post_patch = nap_post_patch,
		},
	}, { }
};

static int __init nap_init(void)
{
	nap_patch.replace = replace;
	return klpsv_enable_patch(&nap_patch, nap_states);
}

static void __exit nap_exit(void)
{
}

module_init(nap_init);
module_exit(nap_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Sample livepatch: a nap that holds transitions open (state 8)");
MODULE_INFO(livepatch, "Y");
