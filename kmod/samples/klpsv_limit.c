// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_limit.c - sample livepatch: a raised object limit, never reverted
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <klpsv.h>
#include "klpsv_target.h"
#include "klpsv_samples.h"

/**
 * DOC: the limit patch
 *
 * Raises klpsv_target_limit() from 1000 to 4096 objects. Once more than
 * 1000 objects exist, the old code's assumption no longer holds, so state 7
 * has block_disable: klpsv refuses a replace that would drop it (-EBUSY),
 * and if an operator disables this patch anyway, klpsv keeps the state in
 * force and this patch registered as an orphan (docs/states.md). Not a
 * cumulative patch by default: it stacks on the fixes.
 */

static bool replace;
module_param(replace, bool, 0400);
MODULE_PARM_DESC(replace, "Atomic replace (cumulative patch) (default: 0)");

static unsigned long limit_limit(void)
{
	return KLPSV_SAMPLE_RAISED_LIMIT;
}

static void limit_post_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	pr_info("state %lu: up to %d objects\n", state->id, KLPSV_SAMPLE_RAISED_LIMIT);
}

static struct klp_func limit_funcs[] = {
	{
		.old_name = "klpsv_target_limit",
		.new_func = limit_limit,
	}, { }
};

static struct klp_func limit_vmlinux_funcs[] = {
	{ }
};

static struct klp_object limit_objs[] = {
	{
		/* klpsv hooks the callbacks of the vmlinux object */
		.funcs = limit_vmlinux_funcs,
	}, {
		.name = "klpsv_target",
		.funcs = limit_funcs,
	}, { }
};

static struct klp_patch limit_patch = {
	.mod = THIS_MODULE,
	.objs = limit_objs,
};

static struct klpsv_state limit_states[] = {
	{
		.id = KLPSV_SAMPLE_LIMIT,
		.block_disable = true,
		.callbacks = {
			.post_patch = limit_post_patch,
		},
	}, { }
};

static int __init limit_init(void)
{
	limit_patch.replace = replace;
	return klpsv_enable_patch(&limit_patch, limit_states);
}

static void __exit limit_exit(void)
{
}

module_init(limit_init);
module_exit(limit_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Sample livepatch: a raised object limit (state 7, block_disable)");
MODULE_INFO(livepatch, "Y");
