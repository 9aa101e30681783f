// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state_show.c - the states and patches files of klpsv's debugfs directory
 */

#include <linux/mutex.h>
#include <linux/seq_file.h>
#include "state.h"

static const char * const klpsv_phase_names[] = {
	[KLPSV_REGISTERED]	= "registered",
	[KLPSV_ENABLING]	= "enabling",
	[KLPSV_ENABLED]		= "enabled",
	[KLPSV_DISABLING]	= "disabling",
	[KLPSV_ORPHAN]		= "orphan",
};

static void klpsv_flags_show(struct seq_file *m, const struct klpsv_state *st)
{
	if (st->is_shadow && st->block_disable)
		seq_puts(m, "shadow+block");
	else if (st->is_shadow)
		seq_puts(m, "shadow");
	else if (st->block_disable)
		seq_puts(m, "block");
	else
		seq_puts(m, "-");
}

/**
 * klpsv_states_show() - the debugfs states file
 * @m:		the file
 *
 * One line per id that a registered patch declares, or whose state is in
 * force or was removed (docs/debugfs.md).
 *
 * Context: process context; takes klpsv_state_mutex.
 */
void klpsv_states_show(struct seq_file *m)
{
	struct klpsv_id_totals t;
	struct klpsv_patch *p, *owner;
	unsigned long index;
	struct klpsv_id *sid;
	bool first;

	mutex_lock(&klpsv_state_mutex);
	seq_puts(m, "id state flags enabled shadows patches\n");
	klpsv_for_each_id(index, sid) {
		unsigned long bits = READ_ONCE(sid->state);

		if (!(bits & (BIT(KLPSV_ID_DECLARED) | BIT(KLPSV_ID_IN_FORCE) |
			      BIT(KLPSV_ID_RETIRED))))
			continue;
		owner = klpsv_owner(index, NULL);
		klpsv_id_totals(sid, &t);
		seq_printf(m, "%lu %s ", index,
			   bits & BIT(KLPSV_ID_IN_FORCE) ? "in-force" :
			   bits & BIT(KLPSV_ID_RETIRED) ? "removed" : "declared");
		if (owner)
			klpsv_flags_show(m, klpsv_supported_by(owner, index));
		else
			seq_puts(m, "-");
		seq_printf(m, " %s %lu ", bits & BIT(KLPSV_ID_ENABLED) ? "yes" : "no",
			   t.live);
		first = true;
		list_for_each_entry(p, &klpsv_patches, node) {
			if (!klpsv_supported_by(p, index))
				continue;
			seq_printf(m, "%s%s", first ? "" : ",", klpsv_name(p));
			first = false;
		}
		seq_puts(m, first ? "-\n" : "\n");
	}
	mutex_unlock(&klpsv_state_mutex);
}

/**
 * klpsv_patches_show() - the debugfs patches file
 * @m:		the file
 *
 * One line per registered patch, oldest first (docs/debugfs.md).
 *
 * Context: process context; takes klpsv_state_mutex.
 */
void klpsv_patches_show(struct seq_file *m)
{
	struct klpsv_patch *p;
	unsigned int i;

	mutex_lock(&klpsv_state_mutex);
	seq_puts(m, "patch phase replace states\n");
	list_for_each_entry(p, &klpsv_patches, node) {
		seq_printf(m, "%s %s %s ", klpsv_name(p), klpsv_phase_names[p->phase],
			   p->patch->replace ? "yes" : "no");
		for (i = 0; i < p->nr_states; i++) {
			seq_printf(m, "%s%lu:", i ? "," : "", p->states[i].id);
			klpsv_flags_show(m, &p->states[i]);
		}
		seq_puts(m, p->nr_states ? "\n" : "-\n");
	}
	mutex_unlock(&klpsv_state_mutex);
}
