// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nap.c - a task napping in a patchable function, to hold a transition open
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/wait.h>
#include "../klpsv_target.h"
#include "internal.h"

/**
 * DOC: napping
 *
 * "hold" starts a kernel thread, klpsv_target_nap, that calls
 * klpsv_target_nap() and sleeps there until "release". The livepatch core
 * switches a task to the new patch state only when no function of the patch
 * is on its stack, so while the thread naps, a patch that redirects
 * klpsv_target_nap() cannot finish patching (the old function is on the
 * stack) or, when the thread started napping after the patch was applied,
 * unpatching. That is how transitions are held open and reversed.
 */

#define KLPSV_TARGET_NAP_ENTER_TIMEOUT	(5 * HZ)

static DECLARE_WAIT_QUEUE_HEAD(klpsv_target_nap_wq);
static DECLARE_COMPLETION(klpsv_target_nap_entered);
static struct task_struct *klpsv_target_napper;
static bool klpsv_target_woken;

/**
 * klpsv_target_nap_wait() - sleep until "release"
 *
 * Called by klpsv_target_nap() and by the functions livepatches redirect it
 * to.
 */
void klpsv_target_nap_wait(void)
{
	complete(&klpsv_target_nap_entered);
	wait_event_interruptible(klpsv_target_nap_wq,
				 READ_ONCE(klpsv_target_woken) || kthread_should_stop());
}
EXPORT_SYMBOL_GPL(klpsv_target_nap_wait);

/**
 * klpsv_target_nap() - the nap a livepatch can redirect
 */
noinline void klpsv_target_nap(void)
{
	klpsv_target_nap_wait();
	barrier();	/* keep the call a call, not a tail jump */
}

static int klpsv_target_nap_thread(void *unused)
{
	klpsv_target_nap();

	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * klpsv_target_hold_start() - start the napping thread; wait until it naps
 *
 * Context: klpsv_target_mutex held.
 * Return: 0, -EBUSY when a thread naps already, or the error of starting it.
 */
int klpsv_target_hold_start(void)
{
	struct task_struct *t;

	lockdep_assert_held(&klpsv_target_mutex);
	if (klpsv_target_napper)
		return -EBUSY;

	WRITE_ONCE(klpsv_target_woken, false);
	reinit_completion(&klpsv_target_nap_entered);
	t = kthread_run(klpsv_target_nap_thread, NULL, "klpsv_target_nap");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klpsv_target_napper = t;
	if (!wait_for_completion_timeout(&klpsv_target_nap_entered,
					 KLPSV_TARGET_NAP_ENTER_TIMEOUT))
		pr_info("hold: the thread did not reach its nap in time\n");
	return 0;
}

/**
 * klpsv_target_hold_stop() - wake the napping thread; wait until it is gone
 *
 * Context: klpsv_target_mutex held.
 * Return: 0, or -ENOENT when no thread naps.
 */
int klpsv_target_hold_stop(void)
{
	struct task_struct *t = klpsv_target_napper;

	lockdep_assert_held(&klpsv_target_mutex);
	if (!t)
		return -ENOENT;
	WRITE_ONCE(klpsv_target_woken, true);
	wake_up_all(&klpsv_target_nap_wq);
	kthread_stop(t);
	put_task_struct(t);
	klpsv_target_napper = NULL;
	return 0;
}
