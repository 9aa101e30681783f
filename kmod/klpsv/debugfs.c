// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * debugfs.c - read-only introspection of the store
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include "internal.h"

/**
 * DOC: debugfs
 *
 * /sys/kernel/debug/klpsv/ holds two read-only files, described for users in
 * docs/debugfs.md:
 *
 * - stats: per id, the live variables, their bytes, lifetime counters, who
 *   frees them, the slots of the id's table and how many of them are
 *   taken, and the memory the id holds: in all, then its live variables,
 *   its table, and what waits to be given back; then the totals, whose
 *   pending memory includes the freed variables kept for reuse.
 * - shadows: one line per live variable, at most klpsv_list_max of them. The
 *   parent is printed with %p, which the kernel hashes: no address leaks.
 *
 * Both are produced from the same structures the API uses, under RCU but
 * for a moment of each id's locks to read its memory, so reading them never
 * blocks a user of the API for long. A variable freed while the listing is
 * produced may still be shown, with its parent and size: a removed variable
 * is not changed until it is freed (see &struct klpsv_shadow), so nothing
 * but hashed pointers and real sizes is ever printed.
 */

static struct dentry *klpsv_debugfs_dir;

static void klpsv_stats_line(struct seq_file *m, const char *id,
			     const struct klpsv_id_totals *t, const char *lifetime,
			     unsigned long slots, unsigned long used,
			     const struct klpsv_id_memory *mem)
{
	seq_printf(m, "%-20s %10lu %14lu %12lu %12lu %8s %12lu %12lu %14zu %14zu %14zu %14zu\n",
		   id, t->live, t->bytes, t->allocs, t->frees, lifetime, slots,
		   used, mem->variables + mem->table + mem->pending,
		   mem->variables, mem->table, mem->pending);
}

/* "state" when an is_shadow state owns the id's shadows, else "manual". */
static const char *klpsv_lifetime(struct klpsv_id *sid)
{
	return test_bit(KLPSV_ID_SHADOW_STATE, &sid->state) ? "state" : "manual";
}

static int klpsv_stats_show(struct seq_file *m, void *unused)
{
	unsigned long index, slots, used, sum_slots = 0, sum_used = 0;
	struct klpsv_id_memory mem, sum_mem = {};
	struct klpsv_id_totals t, sum = {};
	struct klpsv_id *sid;
	char id[24];

	seq_printf(m, "%-20s %10s %14s %12s %12s %8s %12s %12s %14s %14s %14s %14s\n",
		   "id", "live", "bytes", "allocs", "frees", "lifetime", "slots",
		   "used", "memory", "variables", "table", "pending");
	klpsv_for_each_id(index, sid) {
		klpsv_id_totals(sid, &t);
		klpsv_id_memory(sid, &mem);
		klpsv_id_slots(sid, &slots, &used);
		snprintf(id, sizeof(id), "%lu", index);
		klpsv_stats_line(m, id, &t, klpsv_lifetime(sid), slots, used, &mem);
		sum.live += t.live;
		sum.bytes += t.bytes;
		sum.allocs += t.allocs;
		sum.frees += t.frees;
		sum_slots += slots;
		sum_used += used;
		sum_mem.variables += mem.variables;
		sum_mem.table += mem.table;
		sum_mem.pending += mem.pending;
	}
	/* Freed variables kept for reuse belong to no id (recycle.c). */
	sum_mem.pending += klpsv_recycle_bytes();
	klpsv_stats_line(m, "total", &sum, "-", sum_slots, sum_used, &sum_mem);
	return 0;
}

struct klpsv_lister {
	struct seq_file *m;
	unsigned long id;
	unsigned int shown;
	unsigned long more;
};

static bool klpsv_list_one(void *obj, struct klpsv_shadow *shadow, void *arg)
{
	struct klpsv_lister *l = arg;

	if (l->shown >= READ_ONCE(klpsv_list_max)) {
		l->more++;
		return true;
	}
	if (obj)
		seq_printf(l->m, "%lu %p %zu\n", l->id, obj, READ_ONCE(shadow->size));
	else
		seq_printf(l->m, "%lu null %zu\n", l->id, READ_ONCE(shadow->size));
	l->shown++;
	return true;
}

static int klpsv_shadows_show(struct seq_file *m, void *unused)
{
	struct klpsv_lister l = { .m = m };
	unsigned long index;
	struct klpsv_id *sid;

	seq_puts(m, "id obj size\n");
	klpsv_for_each_id(index, sid) {
		l.id = index;
		rcu_read_lock();
		klpsv_id_walk(sid, klpsv_list_one, &l);
		rcu_read_unlock();
	}
	if (l.more)
		seq_printf(m, "# truncated: %lu more\n", l.more);
	return 0;
}

/*
 * Mode 0400 does not stop root, so refuse opening for writing here: the
 * files are read-only for everyone.
 */
#define KLPSV_READONLY_ATTRIBUTE(name)					\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	if (file->f_mode & FMODE_WRITE)					\
		return -EPERM;						\
	return single_open(file, name##_show, inode->i_private);	\
}									\
									\
static const struct file_operations name##_fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= name##_open,					\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}

static int klpsv_states_file_show(struct seq_file *m, void *unused)
{
	klpsv_states_show(m);
	return 0;
}

static int klpsv_patches_file_show(struct seq_file *m, void *unused)
{
	klpsv_patches_show(m);
	return 0;
}

KLPSV_READONLY_ATTRIBUTE(klpsv_stats);
KLPSV_READONLY_ATTRIBUTE(klpsv_shadows);
KLPSV_READONLY_ATTRIBUTE(klpsv_states_file);
KLPSV_READONLY_ATTRIBUTE(klpsv_patches_file);

/**
 * klpsv_debugfs_init() - create /sys/kernel/debug/klpsv/
 *
 * Like every debugfs user, the module works without the files when debugfs
 * is not available.
 */
void klpsv_debugfs_init(void)
{
	klpsv_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0400, klpsv_debugfs_dir, NULL,
			    &klpsv_stats_fops);
	debugfs_create_file("shadows", 0400, klpsv_debugfs_dir, NULL,
			    &klpsv_shadows_fops);
	debugfs_create_file("states", 0400, klpsv_debugfs_dir, NULL,
			    &klpsv_states_file_fops);
	debugfs_create_file("patches", 0400, klpsv_debugfs_dir, NULL,
			    &klpsv_patches_file_fops);
}

/**
 * klpsv_debugfs_exit() - remove /sys/kernel/debug/klpsv/
 */
void klpsv_debugfs_exit(void)
{
	debugfs_remove(klpsv_debugfs_dir);
}
