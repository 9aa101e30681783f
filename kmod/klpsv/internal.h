/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - klpsv.ko internals shared between its files
 */
#ifndef _KLPSV_INTERNAL_H
#define _KLPSV_INTERNAL_H

#include <linux/rhashtable.h>
#include <linux/percpu.h>
#include <linux/list.h>
#include <linux/hash.h>
#include <linux/xarray.h>
#include <linux/seq_file.h>
#include <klpsv.h>

/**
 * struct klpsv_shadow - one shadow variable: 32 bytes of bookkeeping, then data
 * @node:	link in the hash table of its id
 * @obj:	the parent object, the hash key (may be NULL)
 * @size:	size of @data
 * @reaped:	next variable in a list of removed ones, while being freed
 * @rcu:	deferred free, once the variable has been removed and released
 * @data:	the caller's shadow data
 *
 * The id is not stored: every id has a table of its own. @size, @reaped and
 * @rcu share their space: @size and @reaped are read for the last time
 * before @rcu is used.
 */
struct klpsv_shadow {
	struct rhash_head node;
	void *obj;
	union {
		struct {
			size_t size;
			struct klpsv_shadow *reaped;
		};
		struct rcu_head rcu;
	};
	char data[];
};

#define KLPSV_SHADOW_OVERHEAD	32

static inline u32 klpsv_obj_hashfn(const void *data, u32 len, u32 seed)
{
	return hash_64((u64)(unsigned long)*(void * const *)data ^ seed, 32);
}

/* Compares the pointer itself: no out-of-line memcmp() on every lookup. */
static inline int klpsv_obj_cmpfn(struct rhashtable_compare_arg *arg,
				  const void *ptr)
{
	const struct klpsv_shadow *shadow = ptr;

	return shadow->obj != *(void * const *)arg->key;
}

/* Constant, so that the inline rhashtable functions fold it. */
static const struct rhashtable_params klpsv_shadow_params __maybe_unused = {
	.head_offset		= offsetof(struct klpsv_shadow, node),
	.key_offset		= offsetof(struct klpsv_shadow, obj),
	.key_len		= sizeof(void *),
	.hashfn			= klpsv_obj_hashfn,
	.obj_cmpfn		= klpsv_obj_cmpfn,
	.automatic_shrinking	= true,
};

/**
 * struct klpsv_id_stats - per-CPU counters of one id
 * @allocs:	variables created
 * @frees:	variables freed
 * @bytes_in:	data bytes of created variables
 * @bytes_out:	data bytes of freed variables
 */
struct klpsv_id_stats {
	unsigned long allocs;
	unsigned long frees;
	unsigned long bytes_in;
	unsigned long bytes_out;
};

/* Bits of &struct klpsv_id.state, written under klpsv_state_mutex. */
enum {
	KLPSV_ID_DECLARED,	/* a registered patch declares a state with this id */
	KLPSV_ID_IN_FORCE,	/* the state has been introduced, not yet removed */
	KLPSV_ID_ENABLED,	/* klpsv_state_enabled(): post_patch has returned */
	KLPSV_ID_RETIRED,	/* the state was removed: allocations are refused */
	KLPSV_ID_SHADOW_STATE,	/* the declaring state has is_shadow */
};

/**
 * struct klpsv_id - the shadow variables of one id, and its system state
 * @id:		the shadow id
 * @ht:		its variables, keyed by parent object
 * @stats:	per-CPU counters
 * @spare:	link in the pool of spare ids, until the id is taken into use
 * @state:	KLPSV_ID_* bits
 * @state_dtor:	shadow_dtor of the newest enabled patch declaring the state,
 *		the destructor of a free with a NULL one (RCU)
 */
struct klpsv_id {
	unsigned long id;
	struct klpsv_id_stats __percpu *stats;
	unsigned long state;
	klpsv_shadow_dtor_t state_dtor;
	struct list_head spare;
	struct rhashtable ht;
};

/**
 * struct klpsv_id_totals - the counters of one id, summed over all CPUs
 * @live:	variables that exist now
 * @bytes:	data bytes of those variables
 * @allocs:	variables ever created
 * @frees:	variables ever freed
 */
struct klpsv_id_totals {
	unsigned long live;
	unsigned long bytes;
	unsigned long allocs;
	unsigned long frees;
};

/* idtable.c */
extern struct xarray klpsv_ids;
#define klpsv_for_each_id(index, sid)	xa_for_each(&klpsv_ids, index, sid)

int klpsv_ids_init(void);
void klpsv_ids_exit(void);
#define KLPSV_ID_CACHE_BITS	6

extern struct klpsv_id *klpsv_id_cache[1 << KLPSV_ID_CACHE_BITS];
struct klpsv_id *klpsv_id_find_slow(unsigned long id);

/**
 * klpsv_id_find() - the table of a shadow id
 * @id:		the shadow id
 *
 * The xarray of ids is as deep as the largest id is long (six levels for a
 * 32-bit id), and every shadow lookup starts here. So a direct-mapped
 * cache of the tables found recently, indexed by id hash, is tried first,
 * inline. It needs no lock: a table, once published, stays until the
 * module goes, and a slot holds one pointer, read and written whole; a
 * stale or colliding slot only costs one xarray walk.
 *
 * Any context.
 *
 * Return: the table, or NULL when @id was never used.
 */
static inline struct klpsv_id *klpsv_id_find(unsigned long id)
{
	struct klpsv_id *sid = READ_ONCE(klpsv_id_cache[hash_long(id, KLPSV_ID_CACHE_BITS)]);

	if (likely(sid && sid->id == id))
		return sid;
	return klpsv_id_find_slow(id);
}

struct klpsv_id *klpsv_id_find_or_create(unsigned long id, gfp_t gfp);
void klpsv_id_totals(struct klpsv_id *sid, struct klpsv_id_totals *t);
bool klpsv_id_walk(struct klpsv_id *sid,
		   bool (*fn)(struct klpsv_shadow *shadow, void *arg), void *arg);

/* memory.c */
int klpsv_memory_init(void);
void klpsv_memory_exit(void);
struct klpsv_shadow *klpsv_shadow_zalloc(size_t data_size, gfp_t gfp);
void klpsv_shadow_free_deferred(struct klpsv_shadow *shadow);

/* store.c */
void klpsv_store_init(void);
unsigned long klpsv_id_free_all(struct klpsv_id *sid, klpsv_shadow_dtor_t dtor,
				unsigned long *bytes);

/* state.c */
extern bool klpsv_strict;
int klpsv_state_init(void);
void klpsv_state_exit(void);
void klpsv_states_show(struct seq_file *m);
void klpsv_patches_show(struct seq_file *m);

/* debugfs.c */
extern unsigned int klpsv_list_max;
void klpsv_debugfs_init(void);
void klpsv_debugfs_exit(void);

#endif /* _KLPSV_INTERNAL_H */
