/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - the registry of the state engine, shared by its files: the
 * engine (state.c), the livepatch callbacks it takes over (takeover.c), the
 * module notifier (going.c) and the debugfs views (state_show.c)
 */
#ifndef _KLPSV_STATE_H
#define _KLPSV_STATE_H

#include <linux/livepatch.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include "internal.h"

enum klpsv_phase {
	KLPSV_REGISTERED,	/* klp_enable_patch() not yet at its pre_patch */
	KLPSV_ENABLING,		/* its pre_patch ran; transition in flight */
	KLPSV_ENABLED,
	KLPSV_DISABLING,	/* its pre_unpatch ran; transition in flight */
	KLPSV_ORPHAN,		/* disabled, kept for its block_disable states */
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
 * @was_removed: bitmap over @states: of those @changing introduces, the ones
 *		that had been removed before, and are again if the
 *		introduction is undone
 * @drops:	states of other patches that its replace drops
 * @nr_drops:	how many
 *
 * Everything but @node and @states is read and written under
 * klpsv_state_mutex.
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
	unsigned long *was_removed;
	struct klpsv_drop *drops;
	unsigned int nr_drops;
};

extern struct list_head klpsv_patches;
extern struct mutex klpsv_state_mutex;

static inline const char *klpsv_name(const struct klpsv_patch *p)
{
	return p->patch->mod->name;
}

/* state.c: the registry */
struct klpsv_state *klpsv_state_of(struct klpsv_patch *p, unsigned long id);
struct klpsv_state *klpsv_supported_by(struct klpsv_patch *p, unsigned long id);
struct klpsv_patch *klpsv_owner(unsigned long id, struct klpsv_patch *except);
struct klpsv_patch *klpsv_patch_new(struct klp_patch *patch, struct klpsv_state *states,
				    unsigned int nr_states, struct klp_object *vmlinux);
struct klpsv_patch *klpsv_patch_find(struct klp_patch *patch);
void klpsv_patch_add(struct klpsv_patch *p);
void klpsv_patch_unregister(struct klpsv_patch *p);
void klpsv_patch_free(struct klpsv_patch *p);

/* state.c: what each step of a transition does to the states */
int klpsv_enable_begin(struct klpsv_patch *p);
void klpsv_enable_cancel(struct klpsv_patch *p);
void klpsv_enable_finish(struct klpsv_patch *p);
void klpsv_disable_begin(struct klpsv_patch *p);
bool klpsv_disable_finish(struct klpsv_patch *p);
void klpsv_patch_going(struct klpsv_patch *p);

/* takeover.c */
void klpsv_takeover_undo(struct klpsv_patch *p);

#endif /* _KLPSV_STATE_H */
