// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch_cmdline_reads.c - a livepatch built against the installed klpsv
 *
 * Upstream's samples/livepatch/livepatch-sample.c, with a shadow variable:
 * /proc/cmdline says it has been live patched and how often it was read
 * since. The count is a global shadow (the NULL object) of id 1, which the
 * patch's state 1 owns (is_shadow): klpsv frees it when a transition removes
 * the state, so disabling the patch leaves nothing behind.
 *
 * Built out of the tree against the klpsv-dkms package: see
 * docs/authoring.md and the Makefile beside this file.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <klpsv.h>

#define CMDLINE_READS 1

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	atomic_long_t *reads;

	reads = klpsv_shadow_get_or_alloc(NULL, CMDLINE_READS, sizeof(*reads),
					  GFP_KERNEL, NULL, NULL);
	if (!reads)
		return -ENOMEM;
	seq_printf(m, "this has been live patched, read %ld times\n",
		   atomic_long_inc_return(reads));
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		/* name being NULL means vmlinux */
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static struct klpsv_state states[] = {
	{
		.id = CMDLINE_READS,
		.is_shadow = true,
	}, { }
};

static int __init livepatch_init(void)
{
	return klpsv_enable_patch(&patch, states);
}

static void __exit livepatch_exit(void)
{
}

module_init(livepatch_init);
module_exit(livepatch_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Livepatch of /proc/cmdline counting its reads in a klpsv shadow variable");
MODULE_INFO(livepatch, "Y");
MODULE_SOFTDEP("pre: klpsv");
