// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - klpsv.ko: livepatch shadow variables for stock kernels
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include "internal.h"

/**
 * DOC: module life
 *
 * Livepatch modules that use the exported API depend on klpsv.ko through
 * their symbol references, so the module cannot be unloaded while any of them
 * is loaded. At unload, debugfs goes first, so nothing reads the store while
 * it is torn down; then every variable left is freed and logged.
 */

/*
 * The livepatch cores klpsv was checked against, from Debian's 6.1 to its
 * 6.12 (docs/kernels.md): the state engine relies on when they call a
 * patch's object callbacks, and on when they clear a replaced patch's
 * enabled flag, which no interface promises.
 */
#define KLPSV_KERNEL_FIRST	KERNEL_VERSION(6, 1, 0)
#define KLPSV_KERNEL_LAST	KERNEL_VERSION(6, 12, 255)

#define KLPSV_LIST_MAX_DEFAULT	4096
#define KLPSV_LIST_MAX_LIMIT	65536

unsigned int klpsv_list_max = KLPSV_LIST_MAX_DEFAULT;

static int klpsv_list_max_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int err;

	err = kstrtouint(val, 0, &n);
	if (err)
		return err;
	if (n < 1 || n > KLPSV_LIST_MAX_LIMIT)
		return -EINVAL;
	WRITE_ONCE(klpsv_list_max, n);
	return 0;
}

static const struct kernel_param_ops klpsv_list_max_ops = {
	.set = klpsv_list_max_set,
	.get = param_get_uint,
};
module_param_cb(list_max, &klpsv_list_max_ops, &klpsv_list_max, 0644);
MODULE_PARM_DESC(list_max,
		 "Most shadow variables listed in debugfs klpsv/shadows, 1 to 65536 (default: 4096)");

static int __init klpsv_init(void)
{
	int err;

	if (LINUX_VERSION_CODE < KLPSV_KERNEL_FIRST ||
	    LINUX_VERSION_CODE > KLPSV_KERNEL_LAST) {
		pr_err("Linux %s is not supported: klpsv relies on the livepatch core of Linux 6.1 to 6.12\n",
		       init_utsname()->release);
		return -EOPNOTSUPP;
	}

	err = klpsv_memory_init();
	if (err)
		return err;
	err = klpsv_reclaim_init();
	if (err)
		goto memory;
	err = klpsv_recycle_init();
	if (err)
		goto reclaim;
	err = klpsv_batch_init();
	if (err)
		goto recycle;
	err = klpsv_ids_init();
	if (err)
		goto batch;
	err = klpsv_state_init();
	if (err)
		goto ids;
	klpsv_debugfs_init();
	pr_info("loaded: %u bytes of header per shadow variable\n",
		KLPSV_SHADOW_OVERHEAD);
	return 0;

ids:
	klpsv_ids_exit();
batch:
	klpsv_batch_exit();
recycle:
	klpsv_recycle_exit();
reclaim:
	klpsv_reclaim_exit();
memory:
	klpsv_memory_exit();
	return err;
}
module_init(klpsv_init);

static void __exit klpsv_exit(void)
{
	klpsv_debugfs_exit();
	klpsv_state_exit();
	klpsv_ids_exit();
	klpsv_batch_exit();
	klpsv_recycle_exit();
	klpsv_reclaim_exit();
	klpsv_memory_exit();
	pr_info("unloaded\n");
}
module_exit(klpsv_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Livepatch shadow variables for stock kernels");
