// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * debugfs.c - /sys/kernel/debug/klpsv_target/{ctl,objects}
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "internal.h"

/**
 * DOC: control files
 *
 * ``ctl`` (0200) takes one command per write():
 *
 * ``new N``	make N objects (1 to 1000); -ENOSPC beyond the limit
 * ``free N``	destroy the N oldest (1 to 1000); -ERANGE if fewer exist
 * ``clear``	destroy every object
 * ``touch``	touch every object once
 * ``hold``	start a task napping in klpsv_target_nap(); -EBUSY if one naps
 * ``release``	wake it and wait until it is gone; -ENOENT if none naps
 *
 * Anything else fails with -EINVAL and changes nothing. ``objects`` (0400)
 * shows one line per object, oldest first, as klpsv_target_obj_show()
 * describes it: what the code in force sees.
 */

#define KLPSV_TARGET_CMD_MAX	32

static struct dentry *klpsv_target_dir;

static int klpsv_target_count_arg(const char *arg, unsigned int *count)
{
	if (kstrtouint(arg, 10, count) || !*count ||
	    *count > KLPSV_TARGET_BATCH_MAX)
		return -EINVAL;
	return 0;
}

static int klpsv_target_run(char *line)
{
	char *verb = strsep(&line, " ");
	unsigned int count;
	int err;

	if (!strcmp(verb, "new") || !strcmp(verb, "free")) {
		if (!line)
			return -EINVAL;
		err = klpsv_target_count_arg(line, &count);
		if (err)
			return err;
		if (verb[0] == 'n')
			return klpsv_target_new(count);
		return klpsv_target_free_oldest(count);
	}
	if (line)
		return -EINVAL;
	if (!strcmp(verb, "clear")) {
		klpsv_target_clear();
		return 0;
	}
	if (!strcmp(verb, "touch")) {
		klpsv_target_touch_all();
		return 0;
	}
	if (!strcmp(verb, "hold"))
		return klpsv_target_hold_start();
	if (!strcmp(verb, "release"))
		return klpsv_target_hold_stop();
	return -EINVAL;
}

static ssize_t klpsv_target_ctl_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	char line[KLPSV_TARGET_CMD_MAX];
	int err;

	if (!count || count >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';
	if (line[count - 1] == '\n')
		line[count - 1] = '\0';

	mutex_lock(&klpsv_target_mutex);
	err = klpsv_target_run(line);
	mutex_unlock(&klpsv_target_mutex);
	return err ? err : count;
}

static const struct file_operations klpsv_target_ctl_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= klpsv_target_ctl_write,
	.llseek	= noop_llseek,
};

static int klpsv_target_objects_show(struct seq_file *m, void *unused)
{
	mutex_lock(&klpsv_target_mutex);
	klpsv_target_show_all(m);
	mutex_unlock(&klpsv_target_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klpsv_target_objects);

/**
 * klpsv_target_debugfs_init() - create /sys/kernel/debug/klpsv_target
 *
 * Return: 0, or the error of creating it (nothing is left behind).
 */
int klpsv_target_debugfs_init(void)
{
	struct dentry *file;

	klpsv_target_dir = debugfs_create_dir("klpsv_target", NULL);
	if (IS_ERR(klpsv_target_dir))
		return PTR_ERR(klpsv_target_dir);
	file = debugfs_create_file("ctl", 0200, klpsv_target_dir, NULL,
				   &klpsv_target_ctl_fops);
	if (IS_ERR(file))
		goto fail;
	file = debugfs_create_file("objects", 0400, klpsv_target_dir, NULL,
				   &klpsv_target_objects_fops);
	if (IS_ERR(file))
		goto fail;
	return 0;

fail:
	debugfs_remove_recursive(klpsv_target_dir);
	return PTR_ERR(file);
}

/**
 * klpsv_target_debugfs_exit() - remove /sys/kernel/debug/klpsv_target
 *
 * Waits for the writers and readers in flight.
 */
void klpsv_target_debugfs_exit(void)
{
	debugfs_remove_recursive(klpsv_target_dir);
}
