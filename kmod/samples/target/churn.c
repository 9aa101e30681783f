// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * churn.c - objects created and destroyed over time, in the background
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>
#include "../klpsv_target.h"
#include "internal.h"

/**
 * DOC: churn
 *
 * Like the kernel's livepatch-shadow-mod sample, the target can make and
 * destroy objects on its own: with the parameter churn_ms set to N (10 to
 * 60000), a work item makes one object every N milliseconds and destroys the
 * oldest while more than churn_keep exist. So objects are born and die
 * while livepatches come and go, in tasks that switch patch state on their
 * own schedule (kworkers). 0, the default, stops it. Both parameters can be
 * changed at run time in /sys/module/klpsv_target/parameters/; values out of
 * range are refused with -EINVAL and change nothing.
 */

#define KLPSV_TARGET_CHURN_MS_MIN	10
#define KLPSV_TARGET_CHURN_MS_MAX	60000

static unsigned int churn_ms;
static unsigned int churn_keep = 16;

static void klpsv_target_churn(struct work_struct *work);
static DECLARE_DELAYED_WORK(klpsv_target_churn_work, klpsv_target_churn);

/* Serialises parameter writes with each other and with module exit. */
static DEFINE_MUTEX(klpsv_target_churn_mutex);
static bool klpsv_target_churn_stopped;

static void klpsv_target_churn(struct work_struct *work)
{
	unsigned int period = READ_ONCE(churn_ms);
	unsigned int keep = READ_ONCE(churn_keep);
	unsigned long count;
	int err;

	if (!period)
		return;
	mutex_lock(&klpsv_target_mutex);
	err = klpsv_target_new(1);
	count = klpsv_target_count();
	if (count > keep)
		klpsv_target_free_oldest(count - keep);
	mutex_unlock(&klpsv_target_mutex);
	if (err)
		pr_info_ratelimited("churn: no new object (%d)\n", err);
	schedule_delayed_work(&klpsv_target_churn_work, msecs_to_jiffies(period));
}

static int klpsv_target_churn_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int period;
	int err;

	err = kstrtouint(val, 0, &period);
	if (err)
		return err;
	if (period && (period < KLPSV_TARGET_CHURN_MS_MIN ||
		       period > KLPSV_TARGET_CHURN_MS_MAX))
		return -EINVAL;

	mutex_lock(&klpsv_target_churn_mutex);
	if (klpsv_target_churn_stopped) {
		mutex_unlock(&klpsv_target_churn_mutex);
		return -ENODEV;
	}
	WRITE_ONCE(churn_ms, period);
	if (period)
		mod_delayed_work(system_wq, &klpsv_target_churn_work,
				 msecs_to_jiffies(period));
	else
		cancel_delayed_work_sync(&klpsv_target_churn_work);
	mutex_unlock(&klpsv_target_churn_mutex);
	return 0;
}

static const struct kernel_param_ops klpsv_target_churn_ms_ops = {
	.set = klpsv_target_churn_ms_set,
	.get = param_get_uint,
};
module_param_cb(churn_ms, &klpsv_target_churn_ms_ops, &churn_ms, 0644);
MODULE_PARM_DESC(churn_ms,
		 "Make an object every N ms and destroy the oldest beyond churn_keep; 0 stops (10..60000, default: 0)");

static int klpsv_target_churn_keep_set(const char *val, const struct kernel_param *kp)
{
	unsigned int keep;
	int err;

	err = kstrtouint(val, 0, &keep);
	if (err)
		return err;
	if (keep < 1 || keep > KLPSV_TARGET_LIMIT)
		return -EINVAL;
	WRITE_ONCE(churn_keep, keep);
	return 0;
}

static const struct kernel_param_ops klpsv_target_churn_keep_ops = {
	.set = klpsv_target_churn_keep_set,
	.get = param_get_uint,
};
module_param_cb(churn_keep, &klpsv_target_churn_keep_ops, &churn_keep, 0644);
MODULE_PARM_DESC(churn_keep, "Objects the churn keeps (1..1000, default: 16)");

/**
 * klpsv_target_churn_stop() - stop the churn for good (module exit)
 *
 * Waits for a churn step in flight; later parameter writes fail.
 */
void klpsv_target_churn_stop(void)
{
	mutex_lock(&klpsv_target_churn_mutex);
	klpsv_target_churn_stopped = true;
	WRITE_ONCE(churn_ms, 0);
	mutex_unlock(&klpsv_target_churn_mutex);
	cancel_delayed_work_sync(&klpsv_target_churn_work);
}
