// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hold.c - the "hold" and "release" commands: a task sleeping in a function
 *	    a livepatch may redirect, to hold its transition open
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/wait.h>
#include "klpsv_test.h"
#include "hold.h"

/**
 * DOC: holding a transition open
 *
 * "hold" starts a kernel thread that calls klpsv_test_hold_sleep(), which
 * sleeps in klpsv_test_hold_wait() until "release". The livepatch core
 * switches a task to a new patch state only when no function of the patch is
 * on its stack, so while the thread sleeps, a patch that redirects
 * klpsv_test_hold_sleep() cannot finish patching (the old function is on
 * the stack) or, once the thread slept in the new function, unpatching. That
 * is how the tests reverse transitions.
 *
 * Commands run under klpsv_test_mutex, which serialises hold and release.
 */

#define KLPSV_TEST_HOLD_ENTER_TIMEOUT	(5 * HZ)

static DECLARE_WAIT_QUEUE_HEAD(klpsv_test_hold_wq);
static DECLARE_COMPLETION(klpsv_test_hold_entered);
static struct task_struct *klpsv_test_holder;
static bool klpsv_test_released;

/**
 * klpsv_test_hold_wait() - sleep until "release"
 *
 * Called by klpsv_test_hold_sleep() and by the functions livepatches
 * redirect it to.
 */
void klpsv_test_hold_wait(void)
{
	complete(&klpsv_test_hold_entered);
	wait_event_interruptible(klpsv_test_hold_wq,
				 READ_ONCE(klpsv_test_released) || kthread_should_stop());
}
EXPORT_SYMBOL_GPL(klpsv_test_hold_wait);

/**
 * klpsv_test_hold_sleep() - the function a test livepatch redirects
 */
noinline void klpsv_test_hold_sleep(void)
{
	klpsv_test_hold_wait();
	barrier();	/* keep the call a call, not a tail jump */
}

static int klpsv_test_hold_thread(void *unused)
{
	klpsv_test_hold_sleep();

	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * klpsv_test_hold_start() - start the holding thread and wait until it sleeps
 *
 * Context: klpsv_test_mutex held.
 * Return: 0, -EBUSY when a thread holds already, or the error of starting it.
 */
int klpsv_test_hold_start(void)
{
	struct task_struct *t;

	lockdep_assert_held(&klpsv_test_mutex);
	if (klpsv_test_holder)
		return -EBUSY;

	WRITE_ONCE(klpsv_test_released, false);
	reinit_completion(&klpsv_test_hold_entered);
	t = kthread_run(klpsv_test_hold_thread, NULL, "klpsv_test_hold");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klpsv_test_holder = t;
	if (!wait_for_completion_timeout(&klpsv_test_hold_entered,
					 KLPSV_TEST_HOLD_ENTER_TIMEOUT))
		pr_warn("hold: the thread did not reach its sleep in time\n");
	return 0;
}

/**
 * klpsv_test_hold_stop() - wake the holding thread and wait until it is gone
 *
 * Context: klpsv_test_mutex held, or module exit.
 * Return: 0, or -ENOENT when no thread holds.
 */
int klpsv_test_hold_stop(void)
{
	struct task_struct *t = klpsv_test_holder;

	if (!t)
		return -ENOENT;
	WRITE_ONCE(klpsv_test_released, true);
	wake_up_all(&klpsv_test_hold_wq);
	kthread_stop(t);
	put_task_struct(t);
	klpsv_test_holder = NULL;
	return 0;
}
