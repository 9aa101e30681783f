// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * objects.c - the target's objects and the functions livepatches redirect
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/slab.h>
#include "../klpsv_target.h"
#include "internal.h"

/**
 * DOC: objects
 *
 * The module keeps a list of &struct klpsv_target_obj, oldest first, under
 * klpsv_target_mutex. Every object is made by klpsv_target_obj_alloc() and
 * destroyed by klpsv_target_obj_free(); "touch" calls
 * klpsv_target_obj_touch() on each, and the "objects" file shows each with
 * klpsv_target_obj_show(). Those functions are noinline and global so that
 * livepatches can redirect them: that is how the samples attach new data
 * (shadow variables) to objects the unpatched code knows nothing of.
 */

DEFINE_MUTEX(klpsv_target_mutex);

static LIST_HEAD(klpsv_target_objs);
static unsigned long klpsv_target_nr_objs;
static unsigned long klpsv_target_next_serial = 1;

/**
 * klpsv_target_obj_alloc() - make an object
 * @serial:	its number
 * @gfp:	allocation flags
 *
 * Return: the object, or NULL when out of memory.
 */
noinline struct klpsv_target_obj *klpsv_target_obj_alloc(unsigned long serial,
							  gfp_t gfp)
{
	struct klpsv_target_obj *obj;

	obj = kzalloc(sizeof(*obj), gfp);
	if (obj)
		obj->serial = serial;
	return obj;
}

/**
 * klpsv_target_obj_free() - destroy an object made by klpsv_target_obj_alloc()
 * @obj:	the object, off the list
 */
noinline void klpsv_target_obj_free(struct klpsv_target_obj *obj)
{
	kfree(obj);
}

/**
 * klpsv_target_obj_touch() - use an object
 * @obj:	the object
 *
 * The unpatched module keeps no record of it.
 */
noinline void klpsv_target_obj_touch(struct klpsv_target_obj *obj)
{
	barrier();	/* keep the empty function a call */
}

/**
 * klpsv_target_obj_show() - describe an object in one line, without newline
 * @obj:	the object
 * @buf:	where to write
 * @size:	its size
 *
 * Return: the number of characters written, as scnprintf().
 */
noinline int klpsv_target_obj_show(struct klpsv_target_obj *obj, char *buf,
				   size_t size)
{
	return scnprintf(buf, size, "serial %lu", obj->serial);
}

/**
 * klpsv_target_limit() - how many objects may exist at once
 *
 * Return: %KLPSV_TARGET_LIMIT.
 */
noinline unsigned long klpsv_target_limit(void)
{
	return KLPSV_TARGET_LIMIT;
}

/**
 * klpsv_target_new() - make @count objects and add them to the list
 * @count:	how many, 1 to %KLPSV_TARGET_BATCH_MAX
 *
 * All or nothing: on failure, the objects made so far are destroyed.
 *
 * Context: klpsv_target_mutex held.
 * Return: 0, -ENOSPC beyond klpsv_target_limit(), or -ENOMEM.
 */
int klpsv_target_new(unsigned int count)
{
	struct klpsv_target_obj *obj, *tmp;
	LIST_HEAD(batch);
	unsigned int i;

	lockdep_assert_held(&klpsv_target_mutex);
	if (klpsv_target_nr_objs + count > klpsv_target_limit())
		return -ENOSPC;
	for (i = 0; i < count; i++) {
		obj = klpsv_target_obj_alloc(klpsv_target_next_serial + i,
					     GFP_KERNEL);
		if (!obj)
			goto nomem;
		list_add_tail(&obj->node, &batch);
	}
	klpsv_target_next_serial += count;
	klpsv_target_nr_objs += count;
	list_splice_tail(&batch, &klpsv_target_objs);
	return 0;

nomem:
	list_for_each_entry_safe(obj, tmp, &batch, node) {
		list_del(&obj->node);
		klpsv_target_obj_free(obj);
	}
	return -ENOMEM;
}

/**
 * klpsv_target_free_oldest() - destroy the @count oldest objects
 * @count:	how many, at most the number of objects
 *
 * Context: klpsv_target_mutex held.
 * Return: 0, or -ERANGE when fewer objects exist (nothing is destroyed).
 */
int klpsv_target_free_oldest(unsigned int count)
{
	struct klpsv_target_obj *obj;

	lockdep_assert_held(&klpsv_target_mutex);
	if (count > klpsv_target_nr_objs)
		return -ERANGE;
	while (count--) {
		obj = list_first_entry(&klpsv_target_objs,
				       struct klpsv_target_obj, node);
		list_del(&obj->node);
		klpsv_target_nr_objs--;
		klpsv_target_obj_free(obj);
	}
	return 0;
}

/**
 * klpsv_target_count() - how many objects exist
 *
 * Context: klpsv_target_mutex held.
 * Return: the number of objects.
 */
unsigned long klpsv_target_count(void)
{
	lockdep_assert_held(&klpsv_target_mutex);
	return klpsv_target_nr_objs;
}

/**
 * klpsv_target_touch_all() - touch every object once, oldest first
 *
 * Context: klpsv_target_mutex held.
 */
void klpsv_target_touch_all(void)
{
	struct klpsv_target_obj *obj;

	lockdep_assert_held(&klpsv_target_mutex);
	list_for_each_entry(obj, &klpsv_target_objs, node)
		klpsv_target_obj_touch(obj);
}

/**
 * klpsv_target_show_all() - one line per object, oldest first
 * @m:		where to print
 *
 * Context: klpsv_target_mutex held.
 */
void klpsv_target_show_all(struct seq_file *m)
{
	struct klpsv_target_obj *obj;
	char line[128];

	lockdep_assert_held(&klpsv_target_mutex);
	list_for_each_entry(obj, &klpsv_target_objs, node) {
		klpsv_target_obj_show(obj, line, sizeof(line));
		seq_printf(m, "%s\n", line);
	}
}

/**
 * klpsv_target_clear() - destroy every object
 *
 * Context: klpsv_target_mutex held.
 */
void klpsv_target_clear(void)
{
	klpsv_target_free_oldest(klpsv_target_nr_objs);
}
