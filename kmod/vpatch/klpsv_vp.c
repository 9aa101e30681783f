// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_vp.c - a virtual livepatch: system states, no function redirected
 *
 * Included by klpsv_vp1.c .. klpsv_vp4.c, so that the tests have several
 * livepatch modules with distinct names from one source.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <klpsv.h>
#include "../klpsv_test/atomic.h"
#include "../klpsv_test/hold.h"

/**
 * DOC: virtual patches
 *
 * A livepatch whose only object is vmlinux with no function: its transitions
 * complete at once (no task can be inside a patched function), so tests can
 * walk every transition of klpsv's state engine quickly. The states come
 * from the "states" parameter, the replace flag from "replace". Every state
 * callback logs one line naming the patch it was given, whether
 * klpsv_state_enabled() was true and whether klpsv_get_state() of that patch
 * returns the state it was given. A state with is_shadow allocates a global
 * shadow (NULL object) in its post_patch; its shadow_dtor logs, saying
 * whether it ran in atomic context (preemption disabled; on PREEMPT_RT,
 * pinned to the CPU), as klpsv runs every destructor. With
 * "plain", the patch bypasses klpsv, as a livepatch built without it would.
 * With "hold", it also redirects klpsv_test_hold_sleep(): while klpsv_test's
 * "hold" task sleeps in the old or the new function, the transition cannot
 * finish, so the tests can reverse it. With "slow_post" set to N, the end of
 * its transitions to patched holds the livepatch core's klp_mutex N ms
 * longer, before klpsv's post_patch runs: the post_patch callback of its
 * klpsv_test object, which comes before vmlinux, sleeps (and logs that it
 * does), so that a test can start another enable meanwhile. With
 * "deferred", init enables nothing: writing 1 to the "enable" parameter does
 * (once), so that a test can call klpsv_enable_patch() while another patch
 * holds klp_mutex, which loading a module would wait for first.
 */

#define KLPSV_VP_MAX_STATES	8
#define KLPSV_VP_SHADOW_SIZE	16

static char *states = "";
module_param(states, charp, 0400);
MODULE_PARM_DESC(states,
		 "States, comma separated: ID followed by flags s (is_shadow), b (block_disable), f (pre_patch fails with -EIO) (default: none)");

static bool replace;
module_param(replace, bool, 0400);
MODULE_PARM_DESC(replace, "Atomic replace (cumulative patch) (default: 0)");

static bool plain;
module_param(plain, bool, 0400);
MODULE_PARM_DESC(plain,
		 "Enable with klp_enable_patch(), bypassing klpsv (states ignored) (default: 0)");

static bool hold;
module_param(hold, bool, 0400);
MODULE_PARM_DESC(hold,
		 "Also redirect klpsv_test_hold_sleep(), so that a task klpsv_test holds there holds the transition open (default: 0)");

#define KLPSV_VP_SLOW_POST_MAX	10000

static unsigned int slow_post;
module_param(slow_post, uint, 0400);
MODULE_PARM_DESC(slow_post,
		 "Sleep this many ms under klp_mutex before klpsv's post_patch (0..10000) (default: 0)");

static bool deferred;
module_param(deferred, bool, 0400);
MODULE_PARM_DESC(deferred,
		 "Enable when 1 is written to the enable parameter, not at init (default: 0)");

static struct klpsv_state klpsv_vp_states[KLPSV_VP_MAX_STATES + 1];
static unsigned long klpsv_vp_failing;	/* bitmap over klpsv_vp_states */

static void klpsv_vp_log(const char *what, struct klp_patch *patch,
			 struct klpsv_state *state)
{
	pr_info("state %lu: %s by %s (enabled=%d own=%d)\n", state->id, what,
		patch->mod->name, klpsv_state_enabled(state->id),
		klpsv_get_state(patch, state->id) == state);
}

static int klpsv_vp_pre_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	klpsv_vp_log("pre_patch", patch, state);
	if (test_bit(state - klpsv_vp_states, &klpsv_vp_failing))
		return -EIO;
	return 0;
}

static void klpsv_vp_post_patch(struct klp_patch *patch, struct klpsv_state *state)
{
	klpsv_vp_log("post_patch", patch, state);
	if (state->is_shadow &&
	    !klpsv_shadow_get_or_alloc(NULL, state->id, KLPSV_VP_SHADOW_SIZE,
				       GFP_KERNEL, NULL, NULL))
		pr_warn("state %lu: no global shadow\n", state->id);
}

static void klpsv_vp_pre_unpatch(struct klp_patch *patch, struct klpsv_state *state)
{
	klpsv_vp_log("pre_unpatch", patch, state);
}

static void klpsv_vp_post_unpatch(struct klp_patch *patch, struct klpsv_state *state)
{
	klpsv_vp_log("post_unpatch", patch, state);
}

static void klpsv_vp_shadow_dtor(void *obj, void *shadow_data)
{
	pr_info("shadow_dtor (%s, %s)\n", obj ? "object" : "global",
		klpsv_test_atomic_context() ? "atomic" : "preemptible");
}

static int klpsv_vp_parse(void)
{
	char *spec, *cursor, *tok;
	unsigned int n = 0;
	unsigned long id;
	char *flags;
	int err = 0;

	spec = kstrdup(states, GFP_KERNEL);
	if (!spec)
		return -ENOMEM;
	cursor = spec;
	while ((tok = strsep(&cursor, ",")) && *tok) {
		struct klpsv_state *st = &klpsv_vp_states[n];

		if (n == KLPSV_VP_MAX_STATES)
			goto invalid;
		flags = tok;
		while (isdigit(*flags))
			flags++;
		if (flags == tok)
			goto invalid;
		if (strspn(flags, "sbf") != strlen(flags))
			goto invalid;
		if (strchr(flags, 'f'))
			__set_bit(n, &klpsv_vp_failing);
		st->is_shadow = strchr(flags, 's');
		st->block_disable = strchr(flags, 'b');
		*flags = '\0';
		if (kstrtoul(tok, 10, &id) || !id)
			goto invalid;
		st->id = id;
		st->callbacks.pre_patch = klpsv_vp_pre_patch;
		st->callbacks.post_patch = klpsv_vp_post_patch;
		st->callbacks.pre_unpatch = klpsv_vp_pre_unpatch;
		st->callbacks.post_unpatch = klpsv_vp_post_unpatch;
		st->callbacks.shadow_dtor = klpsv_vp_shadow_dtor;
		n++;
	}
	goto out;
invalid:
	pr_err("invalid states parameter\n");
	err = -EINVAL;
out:
	kfree(spec);
	return err;
}

/* The new klpsv_test_hold_sleep(): sleeps the same way, in this module. */
static void klpsv_vp_hold_sleep(void)
{
	klpsv_test_hold_wait();
	barrier();	/* keep the call a call, not a tail jump */
}

static struct klp_func klpsv_vp_funcs[] = {
	{ }
};

/* The post_patch of the klpsv_test object, with slow_post set. */
static void klpsv_vp_slow_post_patch(struct klp_object *obj)
{
	pr_info("slow post_patch: sleeping %u ms\n", slow_post);
	msleep(slow_post);
}

static struct klp_func klpsv_vp_hold_funcs[] = {
	{
		.old_name = "klpsv_test_hold_sleep",
		.new_func = klpsv_vp_hold_sleep,
	}, { }
};

static struct klp_object klpsv_vp_objs[] = {
	{
		/* name being NULL means vmlinux */
		.funcs = klpsv_vp_funcs,
	}, {
		/* with hold=0, replaced by the terminator at init */
		.name = "klpsv_test",
		.funcs = klpsv_vp_hold_funcs,
	}, { }
};

/* With slow_post: the klpsv_test object first, its callback run first. */
static struct klp_object klpsv_vp_slow_objs[] = {
	{
		.name = "klpsv_test",
		.funcs = klpsv_vp_hold_funcs,
		.callbacks.post_patch = klpsv_vp_slow_post_patch,
	}, {
		.funcs = klpsv_vp_funcs,
	}, { }
};

static struct klp_patch klpsv_vp_patch = {
	.mod = THIS_MODULE,
	.objs = klpsv_vp_objs,
};

static int klpsv_vp_enable(void);

static int __init klpsv_vp_init(void)
{
	int err;

	err = klpsv_vp_parse();
	if (err)
		return err;
	if (slow_post > KLPSV_VP_SLOW_POST_MAX) {
		pr_err("slow_post is at most %u ms\n", KLPSV_VP_SLOW_POST_MAX);
		return -EINVAL;
	}
	klpsv_vp_patch.replace = replace;
	if (!hold) {
		memset(&klpsv_vp_objs[1], 0, sizeof(klpsv_vp_objs[1]));
		klpsv_vp_slow_objs[0].funcs = klpsv_vp_funcs;
	}
	if (slow_post)
		klpsv_vp_patch.objs = klpsv_vp_slow_objs;
	return deferred ? 0 : klpsv_vp_enable();
}

static int klpsv_vp_enable(void)
{
	if (plain)
		return klp_enable_patch(&klpsv_vp_patch);
	return klpsv_enable_patch(&klpsv_vp_patch, klpsv_vp_states);
}

/* Serialises writes of the enable parameter; set once one succeeded. */
static DEFINE_MUTEX(klpsv_vp_enable_mutex);
static bool klpsv_vp_enabled;

static int klpsv_vp_enable_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	if (!on || !deferred)
		return -EINVAL;
	mutex_lock(&klpsv_vp_enable_mutex);
	err = klpsv_vp_enabled ? -EBUSY : klpsv_vp_enable();
	if (!err)
		klpsv_vp_enabled = true;
	mutex_unlock(&klpsv_vp_enable_mutex);
	return err;
}

static const struct kernel_param_ops klpsv_vp_enable_ops = {
	.set = klpsv_vp_enable_set,
};
module_param_cb(enable, &klpsv_vp_enable_ops, NULL, 0200);
MODULE_PARM_DESC(enable, "With deferred=1, write 1 to enable the patch, once");

static void __exit klpsv_vp_exit(void)
{
}

module_init(klpsv_vp_init);
module_exit(klpsv_vp_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Virtual livepatch with klpsv states, for tests");
MODULE_INFO(livepatch, "Y");
