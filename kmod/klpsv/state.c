// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - system states: callbacks and shadow lifetime tied to transitions
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include "internal.h"

/**
 * DOC: system states
 *
 * A livepatch registered with klpsv_enable_patch() declares system states. A
 * state is *supported* by every registered patch that declares it, and it is
 * *in force* from the transition that introduces it (no registered patch
 * supported it before) to the transition that removes it (no registered
 * patch supports it after). Only those two transitions run the state's
 * callbacks; a cumulative replacement that still declares the state keeps it,
 * callbacks and shadows untouched.
 *
 * The stock livepatch core knows nothing of this: klpsv takes over the
 * klp_object callbacks of the patch's vmlinux object (chaining the author's
 * own, which run after klpsv's) and derives, from its own registry, what the
 * transition of that patch introduces and removes:
 *
 * - pre_patch of the patch: introduced states' pre_patch (array order), then,
 *   for an atomic replace, the pre_unpatch of the states it drops. A replace
 *   that would drop a block_disable state is refused with -EBUSY first.
 * - post_patch: dropped states' post_unpatch and the freeing of their
 *   is_shadow shadows, then introduced states' post_patch. When it returns,
 *   klpsv_state_enabled() turns true. A replace unregisters the replaced
 *   patches here.
 * - pre_unpatch (disable): pre_unpatch of the states no other patch supports.
 * - post_unpatch: post_unpatch and shadow freeing of those states. After a
 *   reversed or cancelled enable, it unwinds what pre_patch introduced and
 *   re-enables, through post_patch, what it was dropping.
 *
 * A state removed by a transition is unwound with the description (and as the
 * patch) of the newest registered patch that declares it.
 *
 * The stock core cannot veto "echo 0 > enabled". When a patch whose
 * block_disable state nobody else supports is disabled anyway, klpsv keeps
 * the state in force, enabled, and its shadows alive: it is never reverted.
 * The patch stays registered as an orphan holding a reference on its module
 * (so the state's callbacks and destructor stay valid) until another patch
 * declares the state and adopts it.
 *
 * Locking: klpsv_state_mutex serialises the registry and the state bits;
 * the klp callbacks take it under the livepatch core's klp_mutex, so nothing
 * here calls into the livepatch core while holding it. State callbacks run
 * with it held: they must not register patches. The registry is an RCU list,
 * so klpsv_get_state() works inside callbacks.
 */

bool klpsv_strict;
module_param_named(strict, klpsv_strict, bool, 0644);
MODULE_PARM_DESC(strict,
		 "Refuse shadow allocations of ids that no registered state declares (default: 0)");

enum klpsv_phase {
	KLPSV_REGISTERED,	/* klp_enable_patch() not yet at its pre_patch */
	KLPSV_ENABLING,		/* its pre_patch ran; transition in flight */
	KLPSV_ENABLED,
	KLPSV_DISABLING,	/* its pre_unpatch ran; transition in flight */
	KLPSV_ORPHAN,		/* disabled, kept for its block_disable states */
};

static const char * const klpsv_phase_names[] = {
	[KLPSV_REGISTERED]	= "registered",
	[KLPSV_ENABLING]	= "enabling",
	[KLPSV_ENABLED]		= "enabled",
	[KLPSV_DISABLING]	= "disabling",
	[KLPSV_ORPHAN]		= "orphan",
};

struct klpsv_patch;

/* A state of another patch that an atomic replace drops. */
struct klpsv_drop {
	struct klpsv_patch *owner;
	struct klpsv_state *state;
};

/**
 * struct klpsv_patch - a livepatch registered with klpsv_enable_patch()
 * @node:	link in klpsv_patches, oldest first (RCU)
 * @rcu:	deferred free
 * @patch:	the livepatch
 * @states:	its states
 * @nr_states:	how many
 * @vmlinux:	its vmlinux object, whose callbacks klpsv took over
 * @chained:	the author's own callbacks of @vmlinux
 * @phase:	where it is
 * @changing:	bitmap over @states: introduced (enabling) or removed
 *		(disabling) by the transition in flight
 * @drops:	states of other patches that its replace drops
 * @nr_drops:	how many
 */
struct klpsv_patch {
	struct list_head node;
	struct rcu_head rcu;
	struct klp_patch *patch;
	struct klpsv_state *states;
	unsigned int nr_states;
	struct klp_object *vmlinux;
	struct klp_callbacks chained;
	enum klpsv_phase phase;
	unsigned long *changing;
	struct klpsv_drop *drops;
	unsigned int nr_drops;
};

static LIST_HEAD(klpsv_patches);
static DEFINE_MUTEX(klpsv_state_mutex);

static const char *klpsv_name(struct klpsv_patch *p)
{
	return p->patch->mod->name;
}

static struct klpsv_state *klpsv_state_of(struct klpsv_patch *p, unsigned long id)
{
	unsigned int i;

	for (i = 0; i < p->nr_states; i++)
		if (p->states[i].id == id)
			return &p->states[i];
	return NULL;
}

/*
 * A patch supports its states from its pre_patch on (one whose enable may
 * still fail before that supports nothing), and an orphan only the
 * block_disable states it was kept for.
 */
static struct klpsv_state *klpsv_supported_by(struct klpsv_patch *p, unsigned long id)
{
	struct klpsv_state *st = klpsv_state_of(p, id);

	if (p->phase == KLPSV_REGISTERED)
		return NULL;
	if (st && p->phase == KLPSV_ORPHAN && !st->block_disable)
		return NULL;
	return st;
}

/* The newest registered patch other than @except that supports @id. */
static struct klpsv_patch *klpsv_owner(unsigned long id, struct klpsv_patch *except)
{
	struct klpsv_patch *p;

	list_for_each_entry_reverse(p, &klpsv_patches, node)
		if (p != except && klpsv_supported_by(p, id))
			return p;
	return NULL;
}

static struct klpsv_patch *klpsv_patch_of_obj(struct klp_object *obj)
{
	struct klpsv_patch *p;

	list_for_each_entry(p, &klpsv_patches, node)
		if (p->vmlinux == obj)
			return p;
	return NULL;
}

static struct klpsv_patch *klpsv_patch_find_rcu(struct klp_patch *patch)
{
	struct klpsv_patch *p;

	list_for_each_entry_rcu(p, &klpsv_patches, node)
		if (p->patch == patch)
			return p;
	return NULL;
}

static struct klpsv_id *klpsv_state_id(unsigned long id)
{
	/* Created when the declaring patch registered; never removed. */
	return klpsv_id_find(id);
}

/* Recomputes, for every id, whether it is declared and its state dtor. */
static void klpsv_refresh_ids(void)
{
	struct klpsv_patch *owner;
	struct klpsv_state *st;
	unsigned long index;
	struct klpsv_id *sid;

	klpsv_for_each_id(index, sid) {
		owner = klpsv_owner(index, NULL);
		st = owner ? klpsv_supported_by(owner, index) : NULL;
		if (st)
			set_bit(KLPSV_ID_DECLARED, &sid->state);
		else
			clear_bit(KLPSV_ID_DECLARED, &sid->state);
		if (st && st->is_shadow)
			set_bit(KLPSV_ID_SHADOW_STATE, &sid->state);
		else
			clear_bit(KLPSV_ID_SHADOW_STATE, &sid->state);
		WRITE_ONCE(sid->state_dtor, st ? st->callbacks.shadow_dtor : NULL);
	}
}

static int klpsv_call_pre_patch(struct klpsv_patch *p, struct klpsv_state *st)
{
	pr_info("%s: state %lu: pre_patch\n", klpsv_name(p), st->id);
	return st->callbacks.pre_patch ? st->callbacks.pre_patch(p->patch, st) : 0;
}

static void klpsv_call_post_patch(struct klpsv_patch *p, struct klpsv_state *st)
{
	struct klpsv_id *sid = klpsv_state_id(st->id);

	pr_info("%s: state %lu: post_patch\n", klpsv_name(p), st->id);
	if (st->callbacks.post_patch)
		st->callbacks.post_patch(p->patch, st);
	set_bit(KLPSV_ID_ENABLED, &sid->state);
}

static void klpsv_call_pre_unpatch(struct klpsv_patch *p, struct klpsv_state *st)
{
	struct klpsv_id *sid = klpsv_state_id(st->id);

	clear_bit(KLPSV_ID_ENABLED, &sid->state);
	pr_info("%s: state %lu: pre_unpatch\n", klpsv_name(p), st->id);
	if (st->callbacks.pre_unpatch)
		st->callbacks.pre_unpatch(p->patch, st);
}

/*
 * post_unpatch, then the state is gone: its shadows are freed. A removed
 * state retires its id (allocations are refused); one whose introduction was
 * undone (a failed pre_patch, a reversed enable) does not.
 */
static void klpsv_state_remove(struct klpsv_patch *p, struct klpsv_state *st,
			       bool retire)
{
	struct klpsv_id *sid = klpsv_state_id(st->id);
	unsigned long freed = 0;

	clear_bit(KLPSV_ID_ENABLED, &sid->state);
	pr_info("%s: state %lu: post_unpatch\n", klpsv_name(p), st->id);
	if (st->callbacks.post_unpatch)
		st->callbacks.post_unpatch(p->patch, st);
	if (st->is_shadow)
		freed = klpsv_id_free_all(sid, st->callbacks.shadow_dtor, NULL);
	clear_bit(KLPSV_ID_IN_FORCE, &sid->state);
	if (retire)
		set_bit(KLPSV_ID_RETIRED, &sid->state);
	pr_info("%s: state %lu: removed, %lu shadows freed\n",
		klpsv_name(p), st->id, freed);
}

static bool klpsv_dropping(struct klpsv_patch *p, unsigned long id)
{
	unsigned int i;

	for (i = 0; i < p->nr_drops; i++)
		if (p->drops[i].state->id == id)
			return true;
	return false;
}

/* The states of in-force ids that a replace @p does not declare. */
static int klpsv_collect_drops(struct klpsv_patch *p)
{
	struct klpsv_patch *q, *owner;
	struct klpsv_state *st;
	unsigned int i, n = 0;

	list_for_each_entry(q, &klpsv_patches, node)
		n += q->nr_states;
	p->drops = kcalloc(n ?: 1, sizeof(*p->drops), GFP_KERNEL);
	if (!p->drops)
		return -ENOMEM;

	list_for_each_entry(q, &klpsv_patches, node) {
		if (q == p)
			continue;
		for (i = 0; i < q->nr_states; i++) {
			unsigned long id = q->states[i].id;

			if (klpsv_state_of(p, id) || klpsv_dropping(p, id))
				continue;
			owner = klpsv_owner(id, p);
			st = owner ? klpsv_supported_by(owner, id) : NULL;
			if (!st)
				continue;
			if (st->block_disable) {
				pr_warn("%s: refused: the replace would remove state %lu of %s, which has block_disable\n",
					klpsv_name(p), id, klpsv_name(owner));
				return -EBUSY;
			}
			p->drops[p->nr_drops].owner = owner;
			p->drops[p->nr_drops].state = st;
			p->nr_drops++;
		}
	}
	return 0;
}

static void klpsv_forget_drops(struct klpsv_patch *p)
{
	kfree(p->drops);
	p->drops = NULL;
	p->nr_drops = 0;
}

/* Introduces @p's new states; on failure, unwinds those already prepared. */
static int klpsv_introduce(struct klpsv_patch *p)
{
	struct klpsv_state *st;
	struct klpsv_id *sid;
	unsigned int i, j;
	bool was_retired;
	int err;

	for (i = 0; i < p->nr_states; i++) {
		st = &p->states[i];
		sid = klpsv_state_id(st->id);
		if (test_bit(KLPSV_ID_IN_FORCE, &sid->state))
			continue;	/* kept: another patch introduced it */

		was_retired = test_and_clear_bit(KLPSV_ID_RETIRED, &sid->state);
		set_bit(KLPSV_ID_IN_FORCE, &sid->state);
		err = klpsv_call_pre_patch(p, st);
		if (err) {
			clear_bit(KLPSV_ID_IN_FORCE, &sid->state);
			if (was_retired)
				set_bit(KLPSV_ID_RETIRED, &sid->state);
			pr_warn("%s: state %lu: pre_patch failed (%d): patch refused\n",
				klpsv_name(p), st->id, err);
			for (j = 0; j < i; j++)
				if (test_bit(j, p->changing))
					klpsv_state_remove(p, &p->states[j], false);
			bitmap_zero(p->changing, p->nr_states);
			return err;
		}
		__set_bit(i, p->changing);
	}
	return 0;
}

/* Undoes a transition to patched that did not complete. */
static void klpsv_unwind_enable(struct klpsv_patch *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_states; i++)
		if (test_bit(i, p->changing))
			klpsv_state_remove(p, &p->states[i], false);
	for (i = 0; i < p->nr_drops; i++)
		klpsv_call_post_patch(p->drops[i].owner, p->drops[i].state);
	bitmap_zero(p->changing, p->nr_states);
	klpsv_forget_drops(p);
}

static void klpsv_unregister(struct klpsv_patch *p)
{
	struct klp_callbacks *cb = &p->vmlinux->callbacks;

	list_del_rcu(&p->node);
	klpsv_refresh_ids();
	cb->pre_patch = p->chained.pre_patch;
	cb->post_patch = p->chained.post_patch;
	cb->pre_unpatch = p->chained.pre_unpatch;
	cb->post_unpatch = p->chained.post_unpatch;
	if (p->phase == KLPSV_ORPHAN) {
		pr_info("%s: orphan released: its block_disable states were adopted\n",
			klpsv_name(p));
		module_put(p->patch->mod);
	}
	/* No reader may still use its states, nor their shadow_dtor. */
	synchronize_rcu();
	klpsv_forget_drops(p);
	bitmap_free(p->changing);
	kfree(p);
}

/* Orphans whose kept states another patch now supports are let go. */
static void klpsv_release_orphans(void)
{
	struct klpsv_patch *p, *tmp;
	unsigned int i;
	bool adopted;

	list_for_each_entry_safe(p, tmp, &klpsv_patches, node) {
		if (p->phase != KLPSV_ORPHAN)
			continue;
		adopted = true;
		for (i = 0; i < p->nr_states; i++) {
			struct klpsv_state *st = &p->states[i];
			struct klpsv_patch *owner;

			if (!st->block_disable)
				continue;
			owner = klpsv_owner(st->id, p);
			if (!owner || owner->phase == KLPSV_ORPHAN)
				adopted = false;
		}
		if (adopted)
			klpsv_unregister(p);
	}
}

static int klpsv_pre_patch(struct klp_object *obj)
{
	struct klpsv_patch *p;
	unsigned int i;
	int err;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (!p) {
		mutex_unlock(&klpsv_state_mutex);
		pr_err("pre_patch of an unregistered patch\n");
		return -EINVAL;
	}
	bitmap_zero(p->changing, p->nr_states);
	err = p->patch->replace ? klpsv_collect_drops(p) : 0;
	if (!err)
		err = klpsv_introduce(p);
	if (err) {
		klpsv_forget_drops(p);
		mutex_unlock(&klpsv_state_mutex);
		return err;
	}
	for (i = 0; i < p->nr_drops; i++)
		klpsv_call_pre_unpatch(p->drops[i].owner, p->drops[i].state);
	p->phase = KLPSV_ENABLING;
	klpsv_refresh_ids();
	mutex_unlock(&klpsv_state_mutex);

	if (!p->chained.pre_patch)
		return 0;
	err = p->chained.pre_patch(obj);
	if (err) {
		mutex_lock(&klpsv_state_mutex);
		klpsv_unwind_enable(p);
		mutex_unlock(&klpsv_state_mutex);
	}
	return err;
}

static void klpsv_post_patch(struct klp_object *obj)
{
	struct klpsv_patch *p, *q, *tmp;
	unsigned int i;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (!p)
		goto out;

	if (p->phase == KLPSV_ENABLING) {
		for (i = 0; i < p->nr_drops; i++)
			klpsv_state_remove(p->drops[i].owner, p->drops[i].state, true);
		klpsv_forget_drops(p);
	}
	/* Introduced states, or those a reversed disable was removing. */
	for (i = 0; i < p->nr_states; i++)
		if (test_bit(i, p->changing))
			klpsv_call_post_patch(p, &p->states[i]);
	bitmap_zero(p->changing, p->nr_states);
	p->phase = KLPSV_ENABLED;

	if (p->patch->replace) {
		list_for_each_entry_safe(q, tmp, &klpsv_patches, node)
			if (q != p)
				klpsv_unregister(q);
	}
	klpsv_release_orphans();
	klpsv_refresh_ids();
out:
	mutex_unlock(&klpsv_state_mutex);
	if (p && p->chained.post_patch)
		p->chained.post_patch(obj);
}

static void klpsv_pre_unpatch(struct klp_object *obj)
{
	struct klpsv_state *st;
	struct klpsv_patch *p;
	unsigned int i;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (!p)
		goto out;

	bitmap_zero(p->changing, p->nr_states);
	for (i = 0; i < p->nr_states; i++) {
		st = &p->states[i];
		if (klpsv_owner(st->id, p))
			continue;	/* kept by another patch */
		if (st->block_disable) {
			pr_warn("%s: disabled although state %lu has block_disable: the state stays in force and is never reverted\n",
				klpsv_name(p), st->id);
			continue;
		}
		__set_bit(i, p->changing);
		klpsv_call_pre_unpatch(p, st);
	}
	p->phase = KLPSV_DISABLING;
out:
	mutex_unlock(&klpsv_state_mutex);
	if (p && p->chained.pre_unpatch)
		p->chained.pre_unpatch(obj);
}

static bool klpsv_keeps_blocked_state(struct klpsv_patch *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_states; i++)
		if (p->states[i].block_disable && !klpsv_owner(p->states[i].id, p))
			return true;
	return false;
}

static void klpsv_post_unpatch(struct klp_object *obj)
{
	struct klpsv_patch *p;
	unsigned int i;

	mutex_lock(&klpsv_state_mutex);
	p = klpsv_patch_of_obj(obj);
	if (!p) {
		mutex_unlock(&klpsv_state_mutex);
		return;
	}

	if (p->phase == KLPSV_ENABLING) {
		/* A reversed or cancelled enable. */
		klpsv_unwind_enable(p);
	} else {
		for (i = 0; i < p->nr_states; i++)
			if (test_bit(i, p->changing))
				klpsv_state_remove(p, &p->states[i], true);
		bitmap_zero(p->changing, p->nr_states);
	}

	if (p->phase == KLPSV_DISABLING && klpsv_keeps_blocked_state(p) &&
	    try_module_get(p->patch->mod)) {
		p->phase = KLPSV_ORPHAN;
		pr_warn("%s: kept as an orphan for its block_disable states\n",
			klpsv_name(p));
		klpsv_refresh_ids();
		mutex_unlock(&klpsv_state_mutex);
		if (p->chained.post_unpatch)
			p->chained.post_unpatch(obj);
		return;
	}

	/* The livepatch core frees the patch next: forget it first. */
	obj->callbacks.post_unpatch = p->chained.post_unpatch;
	klpsv_unregister(p);
	mutex_unlock(&klpsv_state_mutex);
	if (obj->callbacks.post_unpatch)
		obj->callbacks.post_unpatch(obj);
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
	unsigned int i, count;
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

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->changing = bitmap_zalloc(count ?: 1, GFP_KERNEL);
	if (!p->changing) {
		err = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < count; i++) {
		if (!klpsv_id_find_or_create(states[i].id, GFP_KERNEL)) {
			err = -ENOMEM;
			goto err_free;
		}
	}
	p->patch = patch;
	p->states = states;
	p->nr_states = count;
	p->vmlinux = vmlinux;
	p->chained = vmlinux->callbacks;

	mutex_lock(&klpsv_state_mutex);
	rcu_read_lock();
	if (klpsv_patch_find_rcu(patch)) {
		rcu_read_unlock();
		mutex_unlock(&klpsv_state_mutex);
		pr_err("%s: %s: already registered\n", patch->mod->name, __func__);
		err = -EEXIST;
		goto err_free;
	}
	rcu_read_unlock();
	vmlinux->callbacks.pre_patch = klpsv_pre_patch;
	vmlinux->callbacks.post_patch = klpsv_post_patch;
	vmlinux->callbacks.pre_unpatch = klpsv_pre_unpatch;
	vmlinux->callbacks.post_unpatch = klpsv_post_unpatch;
	p->phase = KLPSV_REGISTERED;
	list_add_tail_rcu(&p->node, &klpsv_patches);
	klpsv_refresh_ids();
	mutex_unlock(&klpsv_state_mutex);

	err = klp_enable_patch(patch);
	if (err) {
		mutex_lock(&klpsv_state_mutex);
		/* Still there when the core failed before calling back. */
		list_for_each_entry(p, &klpsv_patches, node) {
			if (p->patch == patch) {
				klpsv_unregister(p);
				break;
			}
		}
		mutex_unlock(&klpsv_state_mutex);
	}
	return err;

err_free:
	bitmap_free(p->changing);
	kfree(p);
	return err;
}
EXPORT_SYMBOL_GPL(klpsv_enable_patch);

/**
 * klpsv_get_state() - a patch's own description of a state
 * @patch:	a patch registered with klpsv_enable_patch()
 * @id:		the state id
 *
 * Works inside state callbacks. Any context.
 *
 * Return: the &struct klpsv_state of @patch with @id, or NULL.
 */
struct klpsv_state *klpsv_get_state(struct klp_patch *patch, unsigned long id)
{
	struct klpsv_state *st = NULL;
	struct klpsv_patch *p;

	rcu_read_lock();
	p = klpsv_patch_find_rcu(patch);
	if (p)
		st = klpsv_state_of(p, id);
	rcu_read_unlock();
	return st;
}
EXPORT_SYMBOL_GPL(klpsv_get_state);

/**
 * klpsv_state_enabled() - the "patching complete" switch of a state
 * @id:		the state id
 *
 * True from the return of the state's post_patch, at the end of the
 * transition that introduced it, to the start of the transition that removes
 * it (before its pre_unpatch). New code checks it before it creates v2 data.
 * Lock-free; any context.
 *
 * Return: whether state @id is enabled.
 */
bool klpsv_state_enabled(unsigned long id)
{
	struct klpsv_id *sid = klpsv_id_find(id);

	return sid && test_bit(KLPSV_ID_ENABLED, &sid->state);
}
EXPORT_SYMBOL_GPL(klpsv_state_enabled);

/*
 * A registered patch whose module goes away without a transition that told
 * klpsv (a replace by a patch not registered with klpsv): its states that
 * nobody else supports are removed without callbacks, their shadows freed.
 */
static int klpsv_module_going(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct klpsv_patch *p, *tmp;
	struct klpsv_state *st;
	struct module *mod = data;
	struct klpsv_id *sid;
	unsigned int i;

	if (action != MODULE_STATE_GOING)
		return NOTIFY_DONE;

	mutex_lock(&klpsv_state_mutex);
	list_for_each_entry_safe(p, tmp, &klpsv_patches, node) {
		if (p->patch->mod != mod)
			continue;
		pr_warn("%s: module going while registered: its states are dropped without callbacks\n",
			mod->name);
		for (i = 0; i < p->nr_states; i++) {
			st = &p->states[i];
			sid = klpsv_state_id(st->id);
			if (klpsv_owner(st->id, p) ||
			    !test_bit(KLPSV_ID_IN_FORCE, &sid->state))
				continue;
			clear_bit(KLPSV_ID_ENABLED, &sid->state);
			if (st->is_shadow)
				klpsv_id_free_all(sid, st->callbacks.shadow_dtor, NULL);
			clear_bit(KLPSV_ID_IN_FORCE, &sid->state);
			set_bit(KLPSV_ID_RETIRED, &sid->state);
		}
		klpsv_unregister(p);
	}
	mutex_unlock(&klpsv_state_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block klpsv_module_nb = {
	.notifier_call = klpsv_module_going,
	.priority = INT_MIN,	/* after the livepatch core's own */
};

/**
 * klpsv_state_init() - watch for livepatch modules that go away
 *
 * Return: 0, or the error of register_module_notifier().
 */
int klpsv_state_init(void)
{
	return register_module_notifier(&klpsv_module_nb);
}

/**
 * klpsv_state_exit() - stop watching; no patch is registered any more
 *
 * A registered patch holds a reference on klpsv through its symbols, so the
 * registry is empty when the module is unloaded.
 */
void klpsv_state_exit(void)
{
	unregister_module_notifier(&klpsv_module_nb);
}

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
