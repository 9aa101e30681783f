// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - klpsv_target.ko: the module the sample livepatches patch
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "internal.h"

/**
 * DOC: the target
 *
 * A module whose objects are created and destroyed over time, through
 * debugfs commands (debugfs.c) or a background churn (churn.c), and whose
 * object functions (objects.c) and nap (nap.c) the samples in kmod/samples
 * redirect. It knows nothing of klpsv: like any module a livepatch fixes,
 * it was written before the fix.
 */

static int __init klpsv_target_init(void)
{
	int err;

	err = klpsv_target_debugfs_init();
	if (err)
		klpsv_target_churn_stop();
	return err;
}

static void __exit klpsv_target_exit(void)
{
	klpsv_target_churn_stop();
	klpsv_target_debugfs_exit();
	mutex_lock(&klpsv_target_mutex);
	klpsv_target_hold_stop();
	klpsv_target_clear();
	mutex_unlock(&klpsv_target_mutex);
}

module_init(klpsv_target_init);
module_exit(klpsv_target_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Sample target of the klpsv livepatches: objects that come and go");
