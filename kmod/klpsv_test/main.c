// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - klpsv_test.ko: module init/exit and the debugfs file "ctl"
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "klpsv_test.h"

/**
 * DOC: the ctl file
 *
 * /sys/kernel/debug/klpsv_test/ctl (mode 0600) takes one command per write()
 * and keeps the result of the last successful command written on each open
 * file, in that file's &struct klpsv_test_file, for pread() at offset 0. A
 * write() also sets the file position to 0, so that a plain read() after it
 * returns the new result. The protocol is in docs/test-hooks.md.
 *
 * Context and locking: file operations run in process context.
 * klpsv_test_mutex serialises commands from all files, and module exit's
 * cleanup; it is taken killable, since a race may hold it for long. Each
 * open file's result is protected by its own mutex, taken inside
 * klpsv_test_mutex by write() (so results are stored in the order commands
 * ran) and alone by read() (so reading never waits for a command). debugfs
 * removal waits for running file operations, and open files hold a module
 * reference, so module exit runs after the last command.
 */

static bool cleanup_on_exit = true;
module_param(cleanup_on_exit, bool, 0644);
MODULE_PARM_DESC(cleanup_on_exit,
		 "On unload, free the shadows of every id this module allocated with (default: 1)");

DEFINE_MUTEX(klpsv_test_mutex);

static struct dentry *klpsv_test_dir;

/**
 * struct klpsv_test_file - an open ctl file
 * @lock:	protects @result and @len
 * @result:	result of the last successful command, or NULL
 * @len:	its length
 */
struct klpsv_test_file {
	struct mutex lock;
	char *result;
	size_t len;
};

static int klpsv_test_open(struct inode *inode, struct file *file)
{
	struct klpsv_test_file *kf;

	kf = kzalloc(sizeof(*kf), GFP_KERNEL);
	if (!kf)
		return -ENOMEM;
	mutex_init(&kf->lock);
	file->private_data = kf;
	return 0;
}

static int klpsv_test_release(struct inode *inode, struct file *file)
{
	struct klpsv_test_file *kf = file->private_data;

	mutex_destroy(&kf->lock);
	kfree(kf->result);
	kfree(kf);
	return 0;
}

static ssize_t klpsv_test_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct klpsv_test_file *kf = file->private_data;
	ssize_t ret;

	mutex_lock(&kf->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, kf->result, kf->len);
	mutex_unlock(&kf->lock);
	return ret;
}

static ssize_t klpsv_test_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct klpsv_test_file *kf = file->private_data;
	char line[KLPSV_TEST_LINE_MAX + 1];
	size_t n = count, len;
	char *result;
	int err;

	if (!count || count > KLPSV_TEST_LINE_MAX)
		return -EINVAL;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[n] = '\0';
	if (line[n - 1] == '\n')
		line[--n] = '\0';
	if (strnlen(line, n) != n || memchr(line, '\n', n))
		return -EINVAL;

	err = mutex_lock_killable(&klpsv_test_mutex);
	if (err)
		return err;
	err = klpsv_test_ctl_exec(line, &result, &len);
	if (!err) {
		mutex_lock(&kf->lock);
		swap(kf->result, result);
		kf->len = len;
		mutex_unlock(&kf->lock);
		kfree(result);
	}
	mutex_unlock(&klpsv_test_mutex);
	if (err)
		return err;

	*ppos = 0;
	return count;
}

static const struct file_operations klpsv_test_fops = {
	.owner		= THIS_MODULE,
	.open		= klpsv_test_open,
	.release	= klpsv_test_release,
	.read		= klpsv_test_read,
	.write		= klpsv_test_write,
	.llseek		= default_llseek,
};

static int __init klpsv_test_init(void)
{
	struct dentry *ctl;
	int err;

	klpsv_test_dir = debugfs_create_dir("klpsv_test", NULL);
	if (IS_ERR(klpsv_test_dir))
		return PTR_ERR(klpsv_test_dir);

	ctl = debugfs_create_file("ctl", 0600, klpsv_test_dir, NULL,
				  &klpsv_test_fops);
	if (IS_ERR(ctl)) {
		err = PTR_ERR(ctl);
		goto err_dir;
	}
	return 0;

err_dir:
	debugfs_remove_recursive(klpsv_test_dir);
	return err;
}

static void __exit klpsv_test_exit(void)
{
	debugfs_remove_recursive(klpsv_test_dir);

	mutex_lock(&klpsv_test_mutex);
	klpsv_test_hold_stop();
	klpsv_test_shadow_exit(READ_ONCE(cleanup_on_exit));
	klpsv_test_obj_exit();
	mutex_unlock(&klpsv_test_mutex);
}

module_init(klpsv_test_init);
module_exit(klpsv_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test hooks for klpsv: drive its shadow store through debugfs");
MODULE_AUTHOR("klpsv developers");
