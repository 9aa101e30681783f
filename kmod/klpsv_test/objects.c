// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * objects.c - klpsv_test.ko: the registry of named parent objects
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "klpsv_test.h"

/**
 * DOC: parent objects
 *
 * "obj new" creates a parent object: a zeroed kmalloc() block, known by the
 * name the command gave it, that shadow variables can be attached to. The
 * registry is a list in creation order, so that "obj list" shows them in
 * that order; it is short (objects are made one command at a time), so it is
 * searched linearly.
 *
 * Deleting an object frees the block only: shadows attached to it stay in
 * klpsv, and their parent is no longer a known one for the counting
 * destructor (see shadow.c).
 *
 * Context and locking: process context, with klpsv_test_mutex held, for
 * every function here (asserted with lockdep). That includes
 * klpsv_test_obj_known(), which the counting destructor calls from inside a
 * klpsv_shadow_free() or klpsv_shadow_free_all() made by a command: klpsv runs
 * destructors in its caller's context.
 */

/**
 * struct klpsv_test_obj - one named parent object
 * @node:	link in klpsv_test_objs, in creation order
 * @ptr:	the object itself
 * @name:	its name
 */
struct klpsv_test_obj {
	struct list_head node;
	void *ptr;
	char name[KLPSV_TEST_NAME_MAX + 1];
};

static LIST_HEAD(klpsv_test_objs);
static unsigned long klpsv_test_nr_objs;

static struct klpsv_test_obj *klpsv_test_obj_lookup(const char *name)
{
	struct klpsv_test_obj *o;

	list_for_each_entry(o, &klpsv_test_objs, node)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/**
 * klpsv_test_obj_new() - create a named parent object
 * @name:	its name, already validated (1 to %KLPSV_TEST_NAME_MAX chars)
 * @size:	its size in bytes, already validated
 * @ptr:	where to store the new object
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: 0, -EEXIST when @name is taken, or -ENOMEM.
 */
int klpsv_test_obj_new(const char *name, size_t size, void **ptr)
{
	struct klpsv_test_obj *o;
	int err;

	lockdep_assert_held(&klpsv_test_mutex);

	if (klpsv_test_obj_lookup(name))
		return -EEXIST;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;

	o->ptr = kzalloc(size, GFP_KERNEL);
	if (!o->ptr) {
		err = -ENOMEM;
		goto err_free;
	}

	strscpy(o->name, name, sizeof(o->name));
	list_add_tail(&o->node, &klpsv_test_objs);
	klpsv_test_nr_objs++;
	*ptr = o->ptr;
	pr_debug("obj %s created\n", o->name);
	return 0;

err_free:
	kfree(o);
	return err;
}

/**
 * klpsv_test_obj_del() - free a named parent object, not its shadows
 * @name:	its name
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: 0, or -ENOENT when there is no such object.
 */
int klpsv_test_obj_del(const char *name)
{
	struct klpsv_test_obj *o;

	lockdep_assert_held(&klpsv_test_mutex);

	o = klpsv_test_obj_lookup(name);
	if (!o)
		return -ENOENT;

	list_del(&o->node);
	klpsv_test_nr_objs--;
	pr_debug("obj %s deleted\n", o->name);
	kfree(o->ptr);
	kfree(o);
	return 0;
}

/**
 * klpsv_test_obj_find() - look a parent object up by name
 * @name:	its name
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: the object, or NULL when there is no such object.
 */
void *klpsv_test_obj_find(const char *name)
{
	struct klpsv_test_obj *o;

	lockdep_assert_held(&klpsv_test_mutex);

	o = klpsv_test_obj_lookup(name);
	return o ? o->ptr : NULL;
}

/**
 * klpsv_test_obj_known() - tell whether a pointer is a live parent object
 * @ptr:	the pointer
 *
 * Context: process context, klpsv_test_mutex held; may be called from a
 * destructor run by klpsv on behalf of a command.
 * Return: true when @ptr is an object created and not yet deleted.
 */
bool klpsv_test_obj_known(const void *ptr)
{
	struct klpsv_test_obj *o;

	lockdep_assert_held(&klpsv_test_mutex);

	list_for_each_entry(o, &klpsv_test_objs, node)
		if (o->ptr == ptr)
			return true;
	return false;
}

/**
 * klpsv_test_obj_list_size() - room needed by klpsv_test_obj_list()
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: the size of the "obj list" result, terminating NUL included.
 */
size_t klpsv_test_obj_list_size(void)
{
	struct klpsv_test_obj *o;
	/* "count=" + 20 digits + " names=" + "\n" + NUL */
	size_t size = 6 + 20 + 7 + 1 + 1;

	lockdep_assert_held(&klpsv_test_mutex);

	list_for_each_entry(o, &klpsv_test_objs, node)
		size += strlen(o->name) + 1;
	return size;
}

/**
 * klpsv_test_obj_list() - format the "obj list" result
 * @buf:	where to write it
 * @size:	room in @buf, from klpsv_test_obj_list_size()
 *
 * Context: process context, klpsv_test_mutex held.
 * Return: the length of the result, terminating NUL excluded.
 */
size_t klpsv_test_obj_list(char *buf, size_t size)
{
	struct klpsv_test_obj *o;
	const char *sep = "";
	size_t len;

	lockdep_assert_held(&klpsv_test_mutex);

	len = scnprintf(buf, size, "count=%lu names=", klpsv_test_nr_objs);
	list_for_each_entry(o, &klpsv_test_objs, node) {
		len += scnprintf(buf + len, size - len, "%s%s", sep, o->name);
		sep = ",";
	}
	len += scnprintf(buf + len, size - len, "\n");
	return len;
}

/**
 * klpsv_test_obj_exit() - free every parent object, on module unload
 *
 * Context: process context, klpsv_test_mutex held.
 */
void klpsv_test_obj_exit(void)
{
	struct klpsv_test_obj *o, *tmp;
	unsigned long n = 0;

	lockdep_assert_held(&klpsv_test_mutex);

	list_for_each_entry_safe(o, tmp, &klpsv_test_objs, node) {
		list_del(&o->node);
		kfree(o->ptr);
		kfree(o);
		n++;
	}
	klpsv_test_nr_objs = 0;
	if (n)
		pr_info("freed %lu parent objects on exit\n", n);
}
