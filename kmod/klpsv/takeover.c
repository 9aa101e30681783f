// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * takeover.c - klpsv_enable_patch(): the livepatch callbacks klpsv takes over
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include "state.h"

/**
 * DOC: the callback takeover
 *
 * The stock livepatch core calls the callbacks of a patch's objects around
 * its transitions, and nothing else: klpsv_enable_patch() points the
 * callbacks of the patch's vmlinux object at klpsv's, which run the state
 * engine (state.c) under klpsv_state_mutex and then the author's own
 * callbacks of that object, with the mutex released. The author's callbacks
 * are put back when the patch is unregistered.
 *
 * Every callback runs in process context under the core's klp_mutex.
 */

static struct klpsv_patch *klpsv_patch_of_obj(struct klp_object *obj)
{
	struct klpsv_patch *p;

	lockdep_assert_held(&klpsv_state_mutex);
	list_for_each_entry(p, &klpsv_patches, node)
		if (p->vmlinux == obj)
			return p;
	return NULL;
}

static int klpsv_pre_patch(struct klp_object *obj)
{
	struct klpsv_patch *p;
	int err;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (!p) {
		mutex_unlock(&klpsv_state_mutex);
		pr_err("pre_patch of an unregistered patch\n");
		return -EINVAL;
	}
	err = klpsv_enable_begin(p);
	mutex_unlock(&klpsv_state_mutex);
	if (err || !p->chained.pre_patch)
		return err;

	err = p->chained.pre_patch(obj);
	if (err) {
		mutex_lock(&klpsv_state_mutex);
		klpsv_enable_cancel(p);
		mutex_unlock(&klpsv_state_mutex);
	}
	return err;
}

static void klpsv_post_patch(struct klp_object *obj)
{
	void (*chained)(struct klp_object *obj) = NULL;
	struct klpsv_patch *p;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (p) {
		klpsv_enable_finish(p);
		chained = p->chained.post_patch;
	}
	mutex_unlock(&klpsv_state_mutex);
	if (chained)
		chained(obj);
}

static void klpsv_pre_unpatch(struct klp_object *obj)
{
	void (*chained)(struct klp_object *obj) = NULL;
	struct klpsv_patch *p;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (p) {
		klpsv_disable_begin(p);
		chained = p->chained.pre_unpatch;
	}
	mutex_unlock(&klpsv_state_mutex);
	if (chained)
		chained(obj);
}

static void klpsv_post_unpatch(struct klp_object *obj)
{
	void (*chained)(struct klp_object *obj) = NULL;
	struct klpsv_patch *p;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (p) {
		chained = p->chained.post_unpatch;
		/* Unless kept, the livepatch core frees the patch next. */
		if (!klpsv_disable_finish(p))
			klpsv_patch_unregister(p);
	}
	mutex_unlock(&klpsv_state_mutex);
	if (chained)
		chained(obj);
}

static void klpsv_takeover(struct klpsv_patch *p)
{
	struct klp_callbacks *cb = &p->vmlinux->callbacks;

	p->chained = *cb;
	cb->pre_patch = klpsv_pre_patch;
	cb->post_patch = klpsv_post_patch;
	cb->pre_unpatch = klpsv_pre_unpatch;
	cb->post_unpatch = klpsv_post_unpatch;
}

/**
 * klpsv_takeover_undo() - give a patch's vmlinux object its own callbacks
 * @p:		the patch, being unregistered
 *
 * Context: klpsv_state_mutex held.
 */
void klpsv_takeover_undo(struct klpsv_patch *p)
{
	struct klp_callbacks *cb = &p->vmlinux->callbacks;

	lockdep_assert_held(&klpsv_state_mutex);
	/* Not post_unpatch_enabled: the core's own bookkeeping. */
	cb->pre_patch = p->chained.pre_patch;
	cb->post_patch = p->chained.post_patch;
	cb->pre_unpatch = p->chained.pre_unpatch;
	cb->post_unpatch = p->chained.post_unpatch;
}

static struct klp_object *klpsv_vmlinux_object(struct klp_patch *patch)
{
	struct klp_object *obj;

	for (obj = patch->objs; obj->funcs || obj->name; obj++)
		if (!obj->name)
			return obj;
	return NULL;
}

static int klpsv_check_states(struct klp_patch *patch, struct klpsv_state *states,
			      unsigned int *count)
{
	unsigned int i, j;

	for (i = 0; states && states[i].id; i++)
		for (j = 0; j < i; j++)
			if (states[j].id == states[i].id) {
				pr_err("%s: state %lu is declared twice\n",
				       patch->mod->name, states[i].id);
				return -EINVAL;
			}
	*count = i;
	return 0;
}

/**
 * klpsv_enable_patch() - register a livepatch's states and enable it
 * @patch:	the livepatch, as for klp_enable_patch()
 * @states:	its states, an array ended by an entry whose id is 0; may be NULL
 *
 * Call from the livepatch module's init instead of klp_enable_patch(). The
 * patch needs a vmlinux object (its callbacks are taken over; the author's
 * own still run, after klpsv's). Each state id is non-zero and unique within
 * the patch.
 *
 * Context: process context; may sleep.
 * Return: 0, or the error of the validation (-EINVAL), of a pre_patch
 * callback, of a refused replace (-EBUSY), or of klp_enable_patch(). On error
 * nothing of the patch stays registered.
 */
int klpsv_enable_patch(struct klp_patch *patch, struct klpsv_state *states)
{
	struct klp_object *vmlinux;
	struct klpsv_patch *p;
	unsigned int count;
	int err;

	if (!patch || !patch->mod || !patch->objs) {
		pr_err("%s: a patch with a module and objects is required\n", __func__);
		return -EINVAL;
	}
	vmlinux = klpsv_vmlinux_object(patch);
	if (!vmlinux) {
		pr_err("%s: %s: the patch has no vmlinux object\n",
		       patch->mod->name, __func__);
		return -EINVAL;
	}
	err = klpsv_check_states(patch, states, &count);
	if (err)
		return err;

	p = klpsv_patch_new(patch, states, count, vmlinux);
	if (!p)
		return -ENOMEM;

	mutex_lock(&klpsv_state_mutex);
	if (klpsv_patch_find(patch)) {
		mutex_unlock(&klpsv_state_mutex);
		pr_err("%s: %s: already registered\n", patch->mod->name, __func__);
		klpsv_patch_free(p);
		return -EEXIST;
	}
	klpsv_takeover(p);
	klpsv_patch_add(p);
	mutex_unlock(&klpsv_state_mutex);

	err = klp_enable_patch(patch);
	if (err) {
		mutex_lock(&klpsv_state_mutex);
		/* Still there when the core failed before calling back. */
		p = klpsv_patch_find(patch);
		if (p)
			klpsv_patch_unregister(p);
		mutex_unlock(&klpsv_state_mutex);
	}
	return err;
}
EXPORT_SYMBOL_GPL(klpsv_enable_patch);
