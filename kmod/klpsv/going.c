// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * going.c - livepatch modules that go away while registered with klpsv
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include "state.h"

/**
 * DOC: modules going away
 *
 * A registered patch normally leaves klpsv through a transition that calls
 * back (see takeover.c). One replaced by a patch that is not registered with
 * klpsv is disabled and freed by the livepatch core without any of its
 * callbacks, and its module may then be unloaded. The module notifier sees
 * that: when the module is going, its exit() has already run, so its states
 * that nobody else supports are removed without calling into it (no state
 * callback, no shadow_dtor), their shadows freed, and the patch forgotten
 * (klpsv_patch_going()).
 */

static int klpsv_module_going(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct klpsv_patch *p, *tmp;
	struct module *mod = data;

	if (action != MODULE_STATE_GOING)
		return NOTIFY_DONE;

	mutex_lock(&klpsv_state_mutex);
	list_for_each_entry_safe(p, tmp, &klpsv_patches, node)
		if (p->patch->mod == mod)
			klpsv_patch_going(p);
	mutex_unlock(&klpsv_state_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block klpsv_module_nb = {
	.notifier_call = klpsv_module_going,
	.priority = INT_MIN,	/* after the livepatch core's own */
};

/**
 * klpsv_state_init() - watch for livepatch modules that go away
 *
 * Return: 0, or the error of register_module_notifier().
 */
int klpsv_state_init(void)
{
	return register_module_notifier(&klpsv_module_nb);
}

/**
 * klpsv_state_exit() - stop watching; no patch is registered any more
 *
 * A registered patch holds a reference on klpsv through its symbols, so the
 * registry is empty when the module is unloaded.
 */
void klpsv_state_exit(void)
{
	unregister_module_notifier(&klpsv_module_nb);
}
