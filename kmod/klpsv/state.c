// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - system states: callbacks and shadow lifetime tied to transitions
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/livepatch.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include "state.h"

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
 * klp_object callbacks of the patch's vmlinux object (see takeover.c), and
 * this file derives, from klpsv's own registry, what each step of the
 * patch's transition introduces and removes:
 *
 * - klpsv_enable_begin() (pre_patch): introduced states' pre_patch (array
 *   order), then, for an atomic replace, the pre_unpatch of the states it
 *   drops. A replace that would drop a block_disable state is refused with
 *   -EBUSY first.
 * - klpsv_enable_finish() (post_patch): dropped states' post_unpatch and the
 *   freeing of their is_shadow shadows, then introduced states' post_patch.
 *   When it returns, klpsv_state_enabled() turns true. A replace unregisters
 *   the patches the livepatch core replaced: those it turned disabled.
 * - klpsv_disable_begin() (pre_unpatch): pre_unpatch of the states no other
 *   patch supports.
 * - klpsv_disable_finish() (post_unpatch): post_unpatch and shadow freeing of
 *   those states. After a reversed or cancelled enable, klpsv_enable_cancel()
 *   unwinds what pre_patch introduced, putting back the "removed" mark of
 *   the states that had one, and re-enables, through post_patch, what it
 *   was dropping.
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
 * A removed state retires its id: allocations of it are refused. The mark is
 * set before the state's shadows are freed, then the lock of each part of
 * the id is taken and dropped; allocations hold their part's lock while they
 * check it (klpsv_id_retire()), so that no shadow of a removed state is left
 * behind by an allocation racing with the removal.
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

LIST_HEAD(klpsv_patches);
DEFINE_MUTEX(klpsv_state_mutex);

/**
 * klpsv_state_of() - a patch's description of a state
 * @p:		the patch
 * @id:		the state id
 *
 * Context: any; the states of a registered patch never change.
 * Return: the state, or NULL when @p does not declare @id.
 */
struct klpsv_state *klpsv_state_of(struct klpsv_patch *p, unsigned long id)
{
	unsigned int i;

	for (i = 0; i < p->nr_states; i++)
		if (p->states[i].id == id)
			return &p->states[i];
	return NULL;
}

/**
 * klpsv_supported_by() - whether a patch supports a state now
 * @p:		the patch
 * @id:		the state id
 *
 * A patch supports its states from its pre_patch on (one whose enable may
 * still fail before that supports nothing), and an orphan only the
 * block_disable states it was kept for.
 *
 * Context: klpsv_state_mutex held.
 * Return: @p's description of the state, or NULL.
 */
struct klpsv_state *klpsv_supported_by(struct klpsv_patch *p, unsigned long id)
{
	struct klpsv_state *st = klpsv_state_of(p, id);

	lockdep_assert_held(&klpsv_state_mutex);
	if (p->phase == KLPSV_REGISTERED)
		return NULL;
	if (st && p->phase == KLPSV_ORPHAN && !st->block_disable)
		return NULL;
	return st;
}

/**
 * klpsv_owner() - the newest registered patch that supports a state
 * @id:		the state id
 * @except:	a patch not to consider, or NULL
 *
 * Context: klpsv_state_mutex held.
 * Return: the patch, or NULL when no patch but @except supports @id.
 */
struct klpsv_patch *klpsv_owner(unsigned long id, struct klpsv_patch *except)
{
	struct klpsv_patch *p;

	lockdep_assert_held(&klpsv_state_mutex);
	list_for_each_entry_reverse(p, &klpsv_patches, node)
		if (p != except && klpsv_supported_by(p, id))
			return p;
	return NULL;
}

/**
 * klpsv_patch_find() - the registration of a livepatch
 * @patch:	the livepatch
 *
 * Context: klpsv_state_mutex or rcu_read_lock() held.
 * Return: its registration, or NULL.
 */
struct klpsv_patch *klpsv_patch_find(struct klp_patch *patch)
{
	struct klpsv_patch *p;

	list_for_each_entry_rcu(p, &klpsv_patches, node, lockdep_is_held(&klpsv_state_mutex))
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

	lockdep_assert_held(&klpsv_state_mutex);
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

/*
 * klpsv_state_enabled() turns true: whoever sees it true also sees what the
 * state's post_patch wrote (pairs with the acquire in klpsv_state_enabled()).
 */
static void klpsv_id_publish_enabled(struct klpsv_id *sid)
{
	smp_mb__before_atomic();
	set_bit(KLPSV_ID_ENABLED, &sid->state);
}

static int klpsv_call_pre_patch(struct klpsv_patch *p, struct klpsv_state *st)
{
	pr_info("%s: state %lu: pre_patch\n", klpsv_name(p), st->id);
	return st->callbacks.pre_patch ? st->callbacks.pre_patch(p->patch, st) : 0;
}

static void klpsv_call_post_patch(struct klpsv_patch *p, struct klpsv_state *st)
{
	pr_info("%s: state %lu: post_patch\n", klpsv_name(p), st->id);
	if (st->callbacks.post_patch)
		st->callbacks.post_patch(p->patch, st);
	klpsv_id_publish_enabled(klpsv_state_id(st->id));
}

static void klpsv_call_pre_unpatch(struct klpsv_patch *p, struct klpsv_state *st)
{
	clear_bit(KLPSV_ID_ENABLED, &klpsv_state_id(st->id)->state);
	pr_info("%s: state %lu: pre_unpatch\n", klpsv_name(p), st->id);
	if (st->callbacks.pre_unpatch)
		st->callbacks.pre_unpatch(p->patch, st);
}

/*
 * post_unpatch, then the state is gone: its shadows are freed. A removed
 * state retires its id (allocations are refused), before its shadows are
 * freed; one whose introduction was undone (a failed pre_patch, a reversed
 * enable) gets back the mark it had before the attempt: @removed.
 */
static void klpsv_state_remove(struct klpsv_patch *p, struct klpsv_state *st,
			       bool removed)
{
	struct klpsv_id *sid = klpsv_state_id(st->id);
	unsigned long freed = 0;

	clear_bit(KLPSV_ID_ENABLED, &sid->state);
	pr_info("%s: state %lu: post_unpatch\n", klpsv_name(p), st->id);
	if (st->callbacks.post_unpatch)
		st->callbacks.post_unpatch(p->patch, st);
	if (removed)
		klpsv_id_retire(sid);
	if (st->is_shadow)
		freed = klpsv_id_free_all(sid, st->callbacks.shadow_dtor, NULL);
	clear_bit(KLPSV_ID_IN_FORCE, &sid->state);
	pr_info("%s: state %lu: removed, %lu shadows freed\n",
		klpsv_name(p), st->id, freed);
}

/* Frees nothing but the shadow itself. */
static void klpsv_no_dtor(void *obj, void *shadow_data)
{
}

/*
 * Removes a state without calling into its patch's module, which is going:
 * no callback, its shadows freed without a destructor.
 */
static void klpsv_state_drop(struct klpsv_patch *p, struct klpsv_state *st)
{
	struct klpsv_id *sid = klpsv_state_id(st->id);
	unsigned long freed = 0;

	clear_bit(KLPSV_ID_ENABLED, &sid->state);
	klpsv_id_retire(sid);
	if (st->is_shadow)
		freed = klpsv_id_free_all(sid, klpsv_no_dtor, NULL);
	clear_bit(KLPSV_ID_IN_FORCE, &sid->state);
	pr_warn("%s: state %lu: removed without callbacks, %lu shadows freed without their destructor\n",
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

/* Undoes the introduction of the states @p's attempt introduced so far. */
static void klpsv_unwind_introduced(struct klpsv_patch *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_states; i++)
		if (test_bit(i, p->changing))
			klpsv_state_remove(p, &p->states[i], test_bit(i, p->was_removed));
	bitmap_zero(p->changing, p->nr_states);
	bitmap_zero(p->was_removed, p->nr_states);
}

/* Introduces @p's new states; on failure, unwinds those already prepared. */
static int klpsv_introduce(struct klpsv_patch *p)
{
	struct klpsv_state *st;
	struct klpsv_id *sid;
	unsigned int i;
	int err;

	for (i = 0; i < p->nr_states; i++) {
		st = &p->states[i];
		sid = klpsv_state_id(st->id);
		if (test_bit(KLPSV_ID_IN_FORCE, &sid->state))
			continue;	/* kept: another patch introduced it */

		/* Allowing allocations again needs no lock. */
		if (test_and_clear_bit(KLPSV_ID_RETIRED, &sid->state))
			__set_bit(i, p->was_removed);
		set_bit(KLPSV_ID_IN_FORCE, &sid->state);
		err = klpsv_call_pre_patch(p, st);
		if (err) {
			clear_bit(KLPSV_ID_IN_FORCE, &sid->state);
			if (test_bit(i, p->was_removed))
				klpsv_id_retire(sid);
			pr_warn("%s: state %lu: pre_patch failed (%d): patch refused\n",
				klpsv_name(p), st->id, err);
			klpsv_unwind_introduced(p);
			return err;
		}
		__set_bit(i, p->changing);
	}
	return 0;
}

/**
 * klpsv_enable_begin() - the states' side of a patch's pre_patch
 * @p:		the patch whose transition to patched starts
 *
 * Context: klpsv_state_mutex held; process context.
 * Return: 0, or the error of a state's pre_patch, -EBUSY for a replace that
 * would drop a block_disable state, -ENOMEM; on error nothing changed.
 */
int klpsv_enable_begin(struct klpsv_patch *p)
{
	unsigned int i;
	int err;

	lockdep_assert_held(&klpsv_state_mutex);
	bitmap_zero(p->changing, p->nr_states);
	bitmap_zero(p->was_removed, p->nr_states);
	err = p->patch->replace ? klpsv_collect_drops(p) : 0;
	if (!err)
		err = klpsv_introduce(p);
	if (err) {
		klpsv_forget_drops(p);
		return err;
	}
	for (i = 0; i < p->nr_drops; i++)
		klpsv_call_pre_unpatch(p->drops[i].owner, p->drops[i].state);
	p->phase = KLPSV_ENABLING;
	klpsv_refresh_ids();
	return 0;
}

/**
 * klpsv_enable_cancel() - undo a transition to patched that did not complete
 * @p:		the patch: its pre_patch ran, the transition was reversed or
 *		cancelled
 *
 * Context: klpsv_state_mutex held; process context.
 */
void klpsv_enable_cancel(struct klpsv_patch *p)
{
	unsigned int i;

	lockdep_assert_held(&klpsv_state_mutex);
	klpsv_unwind_introduced(p);
	for (i = 0; i < p->nr_drops; i++)
		klpsv_call_post_patch(p->drops[i].owner, p->drops[i].state);
	klpsv_forget_drops(p);
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
			klpsv_patch_unregister(p);
	}
}

/*
 * The patches an atomic replace @p took the place of: those the livepatch
 * core disabled when @p's transition completed (klp_unpatch_replaced_patches()
 * clears their enabled flag before the post_patch callbacks run). Not a
 * patch enabled after @p (whose post_patch runs again when a disable of @p
 * is reversed), nor one still waiting for klp_mutex in klp_enable_patch().
 */
static bool klpsv_replaced_by(struct klpsv_patch *q, struct klpsv_patch *p)
{
	return q != p && q->phase == KLPSV_ENABLED && !q->patch->enabled;
}

/**
 * klpsv_enable_finish() - the states' side of a patch's post_patch
 * @p:		the patch whose transition to patched completed (also after a
 *		reversed disable)
 *
 * Context: klpsv_state_mutex held, and the livepatch core's klp_mutex;
 * process context.
 */
void klpsv_enable_finish(struct klpsv_patch *p)
{
	struct klpsv_patch *q, *tmp;
	unsigned int i;

	lockdep_assert_held(&klpsv_state_mutex);
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
	bitmap_zero(p->was_removed, p->nr_states);
	p->phase = KLPSV_ENABLED;

	if (p->patch->replace) {
		list_for_each_entry_safe(q, tmp, &klpsv_patches, node)
			if (klpsv_replaced_by(q, p))
				klpsv_patch_unregister(q);
	}
	klpsv_release_orphans();
	klpsv_refresh_ids();
}

/**
 * klpsv_disable_begin() - the states' side of a patch's pre_unpatch
 * @p:		the patch whose transition to unpatched starts
 *
 * Context: klpsv_state_mutex held; process context.
 */
void klpsv_disable_begin(struct klpsv_patch *p)
{
	struct klpsv_state *st;
	unsigned int i;

	lockdep_assert_held(&klpsv_state_mutex);
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
}

static bool klpsv_keeps_blocked_state(struct klpsv_patch *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_states; i++)
		if (p->states[i].block_disable && !klpsv_owner(p->states[i].id, p))
			return true;
	return false;
}

/*
 * A disabled patch keeps its block_disable states in force as an orphan,
 * holding a reference on its module. The livepatch core holds one until
 * after post_unpatch, so taking ours fails only for a module that is being
 * unloaded by force: then the states cannot be kept, and go without calling
 * into the module.
 */
static bool klpsv_keep_orphan(struct klpsv_patch *p)
{
	unsigned int i;

	if (try_module_get(p->patch->mod)) {
		p->phase = KLPSV_ORPHAN;
		pr_warn("%s: kept as an orphan for its block_disable states\n",
			klpsv_name(p));
		klpsv_refresh_ids();
		return true;
	}
	pr_err("%s: cannot be kept as an orphan for its block_disable states: its module is going\n",
	       klpsv_name(p));
	for (i = 0; i < p->nr_states; i++)
		if (p->states[i].block_disable && !klpsv_owner(p->states[i].id, p))
			klpsv_state_drop(p, &p->states[i]);
	return false;
}

/**
 * klpsv_disable_finish() - the states' side of a patch's post_unpatch
 * @p:		the patch whose transition to unpatched completed: a disable,
 *		or a reversed or cancelled enable
 *
 * Context: klpsv_state_mutex held; process context.
 * Return: true when @p stays registered as an orphan, false when the caller
 * unregisters it (the livepatch core frees the patch next).
 */
bool klpsv_disable_finish(struct klpsv_patch *p)
{
	unsigned int i;

	lockdep_assert_held(&klpsv_state_mutex);
	if (p->phase == KLPSV_ENABLING) {
		/* A reversed or cancelled enable. */
		klpsv_enable_cancel(p);
		return false;
	}
	for (i = 0; i < p->nr_states; i++)
		if (test_bit(i, p->changing))
			klpsv_state_remove(p, &p->states[i], true);
	bitmap_zero(p->changing, p->nr_states);

	if (p->phase == KLPSV_DISABLING && klpsv_keeps_blocked_state(p))
		return klpsv_keep_orphan(p);
	return false;
}

/**
 * klpsv_patch_going() - a registered patch's module goes away untold
 * @p:		the patch: no transition told klpsv it ended (a replace by a
 *		patch not registered with klpsv)
 *
 * The module's exit() has run: nothing of it may be called any more. The
 * patch is unregistered first, so that no free with a NULL destructor finds
 * its shadow_dtor, then its states that nobody else supports are removed
 * without callbacks, their shadows freed without a destructor. @p is freed.
 *
 * Context: klpsv_state_mutex held; process context.
 */
void klpsv_patch_going(struct klpsv_patch *p)
{
	struct klpsv_state *st;
	unsigned int i;

	lockdep_assert_held(&klpsv_state_mutex);
	pr_warn("%s: module going while registered: its states are dropped without callbacks\n",
		klpsv_name(p));
	bitmap_zero(p->changing, p->nr_states);
	for (i = 0; i < p->nr_states; i++) {
		st = &p->states[i];
		if (!klpsv_owner(st->id, p) &&
		    test_bit(KLPSV_ID_IN_FORCE, &klpsv_state_id(st->id)->state))
			__set_bit(i, p->changing);
	}
	list_del_rcu(&p->node);
	klpsv_refresh_ids();
	synchronize_rcu();
	for (i = 0; i < p->nr_states; i++)
		if (test_bit(i, p->changing))
			klpsv_state_drop(p, &p->states[i]);
	klpsv_patch_free(p);
}

/**
 * klpsv_patch_new() - a patch, not registered yet
 * @patch:	the livepatch
 * @states:	its states, checked
 * @nr_states:	how many
 * @vmlinux:	its vmlinux object
 *
 * Creates the ids of @states, so that they exist for as long as the patch
 * is registered.
 *
 * Context: process context; may sleep.
 * Return: the patch, or NULL when there is no memory.
 */
struct klpsv_patch *klpsv_patch_new(struct klp_patch *patch, struct klpsv_state *states,
				    unsigned int nr_states, struct klp_object *vmlinux)
{
	struct klpsv_patch *p;
	unsigned int i;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	p->changing = bitmap_zalloc(nr_states ?: 1, GFP_KERNEL);
	p->was_removed = bitmap_zalloc(nr_states ?: 1, GFP_KERNEL);
	if (!p->changing || !p->was_removed)
		goto err_free;
	for (i = 0; i < nr_states; i++)
		if (!klpsv_id_find_or_create(states[i].id, GFP_KERNEL))
			goto err_free;
	p->patch = patch;
	p->states = states;
	p->nr_states = nr_states;
	p->vmlinux = vmlinux;
	p->phase = KLPSV_REGISTERED;
	return p;

err_free:
	klpsv_patch_free(p);
	return NULL;
}

/**
 * klpsv_patch_add() - register a patch: newest last
 * @p:		from klpsv_patch_new(), its callbacks taken over
 *
 * Context: klpsv_state_mutex held.
 */
void klpsv_patch_add(struct klpsv_patch *p)
{
	lockdep_assert_held(&klpsv_state_mutex);
	list_add_tail_rcu(&p->node, &klpsv_patches);
	klpsv_refresh_ids();
}

/**
 * klpsv_patch_free() - free a patch that is not, or no longer, registered
 * @p:		the patch
 */
void klpsv_patch_free(struct klpsv_patch *p)
{
	klpsv_forget_drops(p);
	bitmap_free(p->changing);
	bitmap_free(p->was_removed);
	kfree(p);
}

/**
 * klpsv_patch_unregister() - forget a registered patch
 * @p:		the patch; freed
 *
 * Gives the patch's vmlinux object its own callbacks back, and an orphan's
 * module its reference.
 *
 * Context: klpsv_state_mutex held; process context (waits for a grace
 * period, so that no reader still uses its states nor their shadow_dtor).
 */
void klpsv_patch_unregister(struct klpsv_patch *p)
{
	lockdep_assert_held(&klpsv_state_mutex);
	list_del_rcu(&p->node);
	klpsv_refresh_ids();
	klpsv_takeover_undo(p);
	if (p->phase == KLPSV_ORPHAN) {
		pr_info("%s: orphan released: its block_disable states were adopted\n",
			klpsv_name(p));
		module_put(p->patch->mod);
	}
	synchronize_rcu();
	klpsv_patch_free(p);
}

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
	p = klpsv_patch_find(patch);
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
 * it (before its pre_unpatch). New code checks it before it creates v2 data:
 * a caller that sees true also sees everything post_patch wrote.
 * Lock-free; any context.
 *
 * Return: whether state @id is enabled.
 */
bool klpsv_state_enabled(unsigned long id)
{
	struct klpsv_id *sid = klpsv_id_find(id);

	/* Pairs with klpsv_id_publish_enabled(). */
	return sid && test_bit_acquire(KLPSV_ID_ENABLED, &sid->state);
}
EXPORT_SYMBOL_GPL(klpsv_state_enabled);
