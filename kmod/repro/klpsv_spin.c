// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpsv_spin.c - a CPU stuck on purpose: the lockup that scripts/vm must end
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>

/**
 * DOC: spin
 *
 * For scripts/vm-lockup-test only, never for a real system: the module's
 * init spins for secs seconds with preemption disabled, as a CPU caught in
 * a loop would, so that the guest's soft-lockup watchdog (20 s) and RCU
 * stall detector (21 s) fire. Under scripts/vm they panic the guest and
 * the run ends with the kernel's report; elsewhere init returns 0 once the
 * time is up. Interrupts stay enabled: the watchdog's timer must run.
 */

#define KLPSV_SPIN_SECS_MAX	600

static unsigned int secs = 60;
module_param(secs, uint, 0400);
MODULE_PARM_DESC(secs, "How long init spins with preemption disabled, 1..600 s (default: 60)");

static int __init spin_init(void)
{
	unsigned long end;

	if (!secs || secs > KLPSV_SPIN_SECS_MAX)
		return -EINVAL;
	pr_info("spinning for %u s with preemption disabled\n", secs);
	end = jiffies + secs * HZ;
	preempt_disable();
	while (time_before(jiffies, end))
		udelay(100);
	preempt_enable();
	pr_info("done spinning\n");
	return 0;
}

static void __exit spin_exit(void)
{
}

module_init(spin_init);
module_exit(spin_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klpsv developers");
MODULE_DESCRIPTION("Test only: spin with preemption disabled, to provoke a soft lockup");
