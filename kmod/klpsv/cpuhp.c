// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cpuhp.c - the CPU hotplug states of klpsv's per-CPU work
 */

#include <linux/cpuhotplug.h>
#include "internal.h"

/**
 * DOC: per-CPU work and CPU hotplug
 *
 * A CPU's batch of frees (batch.c) and the variables a CPU keeps
 * (recycle.c) are touched on their CPU only, and each has a delayed work
 * item that leaves them alone when it runs on another CPU: it does while
 * the CPU's workers are not bound to it, as the CPU goes offline, before it
 * is fully online, and when going offline failed and was rolled back. Two
 * CPU hotplug states cover those cases: one called on another CPU once the
 * CPU is dead, which empties what the CPU had, since nothing runs there
 * any more; and one called on the CPU once its workers are bound to it
 * again, which queues the work again where it is needed. The second is a
 * %CPUHP_AP_ONLINE_DYN state, after the workqueues' own, and its callback
 * also runs when a failed offline is rolled back.
 */

/**
 * klpsv_cpuhp_add() - set up the two CPU hotplug states of per-CPU work
 * @hp:		the states, for klpsv_cpuhp_remove()
 * @dead_name:	the first one's name, a string that outlives the states
 * @dead:	called on another CPU once a CPU is dead (a BP state)
 * @online_name: the second one's name, as @dead_name
 * @online:	called on a CPU that is online with its workers bound to it
 *		(an AP state)
 *
 * Neither callback is called for the CPUs online now.
 *
 * Context: process context, may sleep; not under the CPU hotplug lock.
 * Return: 0, or the error of cpuhp_setup_state_nocalls(), nothing set up.
 */
int klpsv_cpuhp_add(struct klpsv_cpuhp *hp, const char *dead_name,
		    int (*dead)(unsigned int cpu), const char *online_name,
		    int (*online)(unsigned int cpu))
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, dead_name, NULL,
					dead);
	if (ret < 0)
		return ret;
	hp->dead = ret;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, online_name,
					online, NULL);
	if (ret < 0) {
		cpuhp_remove_state_nocalls(hp->dead);
		return ret;
	}
	hp->online = ret;
	return 0;
}

/**
 * klpsv_cpuhp_remove() - remove the states of klpsv_cpuhp_add()
 * @hp:	the states
 *
 * Returns once no callback of theirs runs, and none will.
 *
 * Context: process context, may sleep; not under the CPU hotplug lock.
 */
void klpsv_cpuhp_remove(struct klpsv_cpuhp *hp)
{
	cpuhp_remove_state_nocalls(hp->online);
	cpuhp_remove_state_nocalls(hp->dead);
}
