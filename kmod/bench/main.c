// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - klpsv_bench.ko: module init/exit and its debugfs files
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "bench.h"

/**
 * DOC: debugfs files
 *
 * /sys/kernel/debug/klpsv_bench/ctl (0600): a write() of a run command (see
 * parse.c) runs it to the end, then a read() of the same open file returns
 * its result as one line (read() or pread() at offset 0):
 *
 *   WORKLOAD IMPL live=N ops=N reps=N threads=N ms=N seed=N median_ps=N min_ps=N max_ps=N ps=N,N,...
 *
 * times in picoseconds per operation, ps sorted. Runs are serialised; one
 * that finds another in progress fails with -EBUSY. A fatal signal stops a
 * run between repetitions (-EINTR). Nothing stays allocated after a run.
 *
 * The memory commands answer "hold IMPL live=N ids=N churn=N shadows=N" and
 * "release IMPL shadows=N" (see hold.c).
 */

#define BENCH_LINE_MAX	160
#define BENCH_RESULT_MAX	(256 + BENCH_REPS_MAX * 21)

static DEFINE_MUTEX(bench_mutex);
static struct dentry *bench_dir;

static int bench_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

static int bench_ctl_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t bench_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	const char *result = file->private_data;

	if (!result)
		return 0;
	return simple_read_from_buffer(buf, count, ppos, result, strlen(result));
}

static char *bench_format(const struct bench_params *p, const struct bench_result *r)
{
	char *text = kmalloc(BENCH_RESULT_MAX, GFP_KERNEL);
	unsigned int i;
	int len;

	if (!text)
		return NULL;
	len = scnprintf(text, BENCH_RESULT_MAX,
			"%s %s live=%lu ops=%lu reps=%u threads=%u ms=%u seed=%llu median_ps=%llu min_ps=%llu max_ps=%llu ps=",
			bench_workload_names[p->workload], bench_impl_names[p->impl],
			p->live, p->ops, p->reps, p->threads, p->ms, p->seed,
			r->ps[r->reps / 2], r->ps[0], r->ps[r->reps - 1]);
	for (i = 0; i < r->reps; i++)
		len += scnprintf(text + len, BENCH_RESULT_MAX - len, "%s%llu",
				 i ? "," : "", r->ps[i]);
	scnprintf(text + len, BENCH_RESULT_MAX - len, "\n");
	return text;
}

/* Runs a hold or release command: its result line, or an ERR_PTR(). */
static char *bench_memory_command(const struct bench_params *p)
{
	unsigned long shadows = p->live * p->ids;
	char *text;
	int err;

	text = kmalloc(BENCH_LINE_MAX, GFP_KERNEL);
	if (!text)
		return ERR_PTR(-ENOMEM);
	if (!mutex_trylock(&bench_mutex)) {
		kfree(text);
		return ERR_PTR(-EBUSY);
	}
	if (p->workload == BENCH_HOLD)
		err = bench_hold(p);
	else
		err = bench_release(p, &shadows);
	mutex_unlock(&bench_mutex);
	if (err) {
		kfree(text);
		return ERR_PTR(err);
	}
	if (p->workload == BENCH_HOLD)
		scnprintf(text, BENCH_LINE_MAX, "hold %s live=%lu ids=%u churn=%lu shadows=%lu\n",
			  bench_impl_names[p->impl], p->live, p->ids, p->churn, shadows);
	else
		scnprintf(text, BENCH_LINE_MAX, "release %s shadows=%lu\n",
			  bench_impl_names[p->impl], shadows);
	return text;
}

static ssize_t bench_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct bench_params params;
	struct bench_result *result;
	char line[BENCH_LINE_MAX];
	char *text;
	int err;

	if (count == 0 || count >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, buf, count))
		return -EFAULT;
	line[count] = '\0';
	if (line[count - 1] == '\n')
		line[count - 1] = '\0';
	if (bench_parse(line, &params))
		return -EINVAL;

	if (params.workload == BENCH_HOLD || params.workload == BENCH_RELEASE) {
		text = bench_memory_command(&params);
		if (IS_ERR(text))
			return PTR_ERR(text);
		goto done;
	}

	result = kzalloc(sizeof(*result), GFP_KERNEL);
	if (!result)
		return -ENOMEM;
	if (!mutex_trylock(&bench_mutex)) {
		kfree(result);
		return -EBUSY;
	}
	err = bench_run(&params, result);
	mutex_unlock(&bench_mutex);
	if (err) {
		kfree(result);
		return err;
	}
	text = bench_format(&params, result);
	kfree(result);
	if (!text)
		return -ENOMEM;
done:
	kfree(file->private_data);
	file->private_data = text;
	return count;
}

static const struct file_operations bench_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= bench_open,
	.release	= bench_ctl_release,
	.read		= bench_read,
	.write		= bench_write,
	.llseek		= default_llseek,
};

static int __init bench_init(void)
{
	bench_dir = debugfs_create_dir("klpsv_bench", NULL);
	if (IS_ERR(bench_dir))
		return PTR_ERR(bench_dir);
	debugfs_create_file("ctl", 0600, bench_dir, NULL, &bench_ctl_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove(bench_dir);
	bench_hold_exit();
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_DESCRIPTION("klpsv benchmark: klpsv_shadow_* against the kernel's klp_shadow_*");
MODULE_LICENSE("GPL");
