/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - klpsv.ko internals shared between its files
 */
#ifndef _KLPSV_INTERNAL_H
#define _KLPSV_INTERNAL_H

#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/list.h>
#include <linux/hash.h>
#include <linux/xarray.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <klpsv.h>

/**
 * struct klpsv_shadow - one shadow variable: 16 bytes of bookkeeping, then data
 * @obj:	the parent object, its key in the table of its id (may be NULL)
 * @size:	size of @data
 * @data:	the caller's shadow data
 *
 * The id is not stored: every id has a table of its own. Nothing here
 * changes while the variable is allocated, and a variable removed from its
 * table stays allocated until no reader can have found it: a grace period
 * after its CPU's batch of frees is closed (batch.c), or, removed by a
 * free_all or when no batch could be had, kept by its table, marked dead,
 * until that table is replaced and a grace period has passed (reclaim.c).
 * So a reader that found a variable, even one being freed, reads its key,
 * size and data, with no lock, no retry and no room spent on an rcu_head in
 * every variable.
 */
struct klpsv_shadow {
	void *obj;
	size_t size;
	char data[];
};

#define KLPSV_SHADOW_OVERHEAD	16

/*
 * The largest data size: what kmalloc() can give, the header included.
 * Beyond it the page allocator would WARN; klpsv refuses the call instead.
 */
#define KLPSV_SHADOW_SIZE_MAX	(KMALLOC_MAX_SIZE - KLPSV_SHADOW_OVERHEAD)

/*
 * A slot of a table is one word:
 * - 0: never used; every probe ends at one.
 * - KLPSV_SLOT_FREED: no variable; probes go on past it, an insert may take
 *   it (it is left where klpsv_shadow_free() removed a variable whose
 *   memory went into a batch, and where a variable was removed from a table
 *   being built).
 * - a variable's address, with two bits of its key's hash in
 *   KLPSV_SLOT_TAG, so that most probes skip a slot of another key without
 *   reading its variable: the variable is live.
 * - a variable's address with KLPSV_SLOT_DEAD: it was removed, and its
 *   memory is freed when the table is retired (reclaim.c). Probes go on
 *   past it; nothing else takes the slot.
 * Variables are at least 8-byte aligned, which leaves the three low bits.
 */
#define KLPSV_SLOT_DEAD		1UL
#define KLPSV_SLOT_FREED	KLPSV_SLOT_DEAD
#define KLPSV_SLOT_TAG		6UL
#define KLPSV_SLOT_ADDR		(~7UL)

/* The variable of a slot, live or dead, or NULL. */
static inline struct klpsv_shadow *klpsv_slot_shadow(unsigned long slot)
{
	return (struct klpsv_shadow *)(slot & KLPSV_SLOT_ADDR);
}

/* Whether a slot holds a live variable. */
static inline bool klpsv_slot_live(unsigned long slot)
{
	return slot && !(slot & KLPSV_SLOT_DEAD);
}

/**
 * struct klpsv_table - the slots of one id: open addressing, linear probing
 * @slots:	@nslots words (see KLPSV_SLOT_DEAD above)
 * @nslots:	any number from %KLPSV_TABLE_MIN_SLOTS on, not only powers of two
 * @dead:	slots holding a dead variable (under its part's lock)
 * @seed:	its id's, the hash seed (klpsv_key_hash())
 * @bytes:	the memory of the table itself: @slots and this structure
 * @dead_bytes:	the memory of its dead variables (under its part's lock)
 * @sid:	the id whose table this is, in one of its parts
 * @reclaim:	frees the table and its dead variables after a grace period,
 *		once a new table has replaced it (reclaim.c)
 */
struct klpsv_table {
	unsigned long *slots;
	unsigned int nslots;
	unsigned int dead;
	u64 seed;
	size_t bytes;
	size_t dead_bytes;
	struct klpsv_id *sid;
	struct rcu_work reclaim;
};

/* An id's variables are spread over this many parts (see table.c). */
#define KLPSV_PART_BITS		3
#define KLPSV_PARTS		(1 << KLPSV_PART_BITS)

/*
 * The hash of a key: a multiplicative hash of its address, with a seed
 * drawn once per load of klpsv, the same for every id. Its top
 * %KLPSV_PART_BITS bits pick the part of the id (klpsv_part_of()), the 32
 * bits below them the home slot and tag in that part's table
 * (klpsv_table_hash()): so the keys of one part spread over the whole of
 * its table, one multiplication serving both, and an object falls in the
 * same part of every id.
 */
static __always_inline u64 klpsv_key_hash(u64 seed, const void *obj)
{
	return ((u64)(unsigned long)obj ^ seed) * GOLDEN_RATIO_64;
}

extern u64 klpsv_hash_seed;

/* The hash in a part's table of a key of hash @h (see klpsv_key_hash()). */
static __always_inline u32 klpsv_table_hash_of(u64 h)
{
	return (u32)(h >> (32 - KLPSV_PART_BITS));
}

/* The hash of @obj in @t: where its probe starts, and its slot tag. */
static __always_inline u32 klpsv_table_hash(const struct klpsv_table *t,
					    const void *obj)
{
	return klpsv_table_hash_of(klpsv_key_hash(t->seed, obj));
}

/* The first slot of the probe of a key of @hash: a multiply, no division. */
static __always_inline unsigned int klpsv_table_home(const struct klpsv_table *t,
						     u32 hash)
{
	return ((u64)hash * t->nslots) >> 32;
}

/* The slot tag of a key of @hash: its two low bits. */
static __always_inline unsigned long klpsv_slot_tag(u32 hash)
{
	return ((unsigned long)hash << 1) & KLPSV_SLOT_TAG;
}

/* The slot after @i in a probe, wrapping around. */
static __always_inline unsigned int klpsv_table_next(const struct klpsv_table *t,
						     unsigned int i)
{
	return ++i == t->nslots ? 0 : i;
}

/* The number of slots of @t: 8 bytes each. */
static inline unsigned int klpsv_table_slots(const struct klpsv_table *t)
{
	return t->nslots;
}

/**
 * struct klpsv_id_stats - per-CPU counters of one id
 * @allocs:	variables created
 * @frees:	variables freed
 * @bytes_in:	data bytes of created variables
 * @bytes_out:	data bytes of freed variables
 * @batched:	memory of freed variables waiting in a batch for their grace
 *		period (batch.c): added on the CPU that freed, subtracted on the
 *		one that reclaims, so only the sum means anything
 */
struct klpsv_id_stats {
	unsigned long allocs;
	unsigned long frees;
	unsigned long bytes_in;
	unsigned long bytes_out;
	long batched;
};

/*
 * Bits of &struct klpsv_id.state, written under klpsv_state_mutex.
 * KLPSV_ID_RETIRED is set with klpsv_id_retire() only, which then takes the
 * lock of every part, where inserts read the bits (see klpsv_table_insert()).
 */
enum {
	KLPSV_ID_DECLARED,	/* a registered patch declares a state with this id */
	KLPSV_ID_IN_FORCE,	/* the state has been introduced, not yet removed */
	KLPSV_ID_ENABLED,	/* klpsv_state_enabled(): post_patch has returned */
	KLPSV_ID_RETIRED,	/* the state was removed: allocations are refused */
	KLPSV_ID_SHADOW_STATE,	/* the declaring state has is_shadow */
};

/**
 * struct klpsv_part - one part of an id's variables: a table and its lock
 * @lock:	serialises the writers of @table, and replacing it; taken
 *		with spin_lock_irqsave(), so that writers work in any context
 *		but NMI
 * @used:	slots of @table that are not 0 (under @lock)
 * @live:	slots of @table that hold a live variable (under @lock)
 * @live_bytes:	the memory of the live variables (under @lock)
 * @next:	the table being built to replace @table, or NULL (under @lock)
 * @copied:	slots of @table copied into @next so far (under @lock)
 * @next_used:	slots of @next that are not 0 (under @lock)
 * @emptying:	free_all calls in progress, which keep @table from being
 *		replaced (under @lock)
 * @settle_armed: @settle has been queued since it last ran (under @lock)
 * @resize:	builds a new table when the current one is too full of used
 *		slots, too big for its variables, or holds too much memory
 *		of dead ones
 * @settle:	a second after a slot was marked dead, builds a new table
 *		when the current one still holds dead variables worth 1/64 of
 *		the live ones: what is freed is given back soon, whatever
 *		comes next
 * @sid:	the id it is part of
 * @table:	its variables, keyed by parent object (RCU)
 *
 * Every insert and remove writes @lock, @used and @live, on the first cache
 * line; every lookup reads @table, last, past the work items, which are
 * written only when queued: so readers and writers of a part share no line
 * that writers write all the time, in 192 bytes a part.
 */
struct klpsv_part {
	spinlock_t lock;
	unsigned int used;
	unsigned int live;
	size_t live_bytes;
	struct klpsv_table *next;
	unsigned int copied;
	unsigned int next_used;
	unsigned int emptying;
	bool settle_armed;
	struct work_struct resize;
	struct delayed_work settle;
	struct klpsv_id *sid;
	struct klpsv_table __rcu *table;
} ____cacheline_aligned_in_smp;

/**
 * struct klpsv_id - the shadow variables of one id, and its system state
 * @id:		the shadow id
 * @seed:	the hash seed (klpsv_key_hash()), copied here for lookups
 * @stats:	per-CPU counters
 * @state:	KLPSV_ID_* bits
 * @state_dtor:	shadow_dtor of the newest enabled patch declaring the state,
 *		the destructor of a free with a NULL one (RCU)
 * @spare:	link in the pool of spare ids, until the id is taken into use
 * @emptied:	woken when the last free_all in progress in a part is done,
 *		for the inserts that may sleep and wait for it
 *		(klpsv_table_reserve())
 * @retired_bytes: the memory of replaced tables and of their dead
 *		variables, waiting for their grace period (reclaim.c)
 * @parts:	its variables, each in the part the hash of its parent object
 *		picks (klpsv_part_of()), so that writers of distinct objects
 *		seldom wait for one another
 */
struct klpsv_id {
	unsigned long id;
	u64 seed;
	struct klpsv_id_stats __percpu *stats;
	unsigned long state;
	klpsv_shadow_dtor_t state_dtor;
	struct list_head spare;
	wait_queue_head_t emptied;
	atomic_long_t retired_bytes;

	struct klpsv_part parts[KLPSV_PARTS];
};

/* Every part of @sid, in order. */
#define klpsv_for_each_part(p, sid) \
	for ((p) = (sid)->parts; (p) < (sid)->parts + KLPSV_PARTS; (p)++)

/* The part of @sid that holds the variable of a key of hash @h. */
static __always_inline struct klpsv_part *klpsv_part_of_hash(struct klpsv_id *sid,
							      u64 h)
{
	return &sid->parts[h >> (64 - KLPSV_PART_BITS)];
}

/* The part of @sid that holds the variable of @obj (see klpsv_key_hash()). */
static __always_inline struct klpsv_part *klpsv_part_of(struct klpsv_id *sid,
							 const void *obj)
{
	return klpsv_part_of_hash(sid, klpsv_key_hash(sid->seed, obj));
}

/**
 * struct klpsv_id_memory - what an id holds, in bytes
 * @variables:	its live variables, as allocated (header, data, rounding)
 * @table:	its table, and the one being built to replace it
 * @pending:	freed variables waiting in batches, dead ones, and replaced
 *		tables, not yet given back
 */
struct klpsv_id_memory {
	size_t variables;
	size_t table;
	size_t pending;
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

/* An RCU dereference valid in a reader of any flavour. */
#define klpsv_deref(p)	rcu_dereference_check(p, rcu_read_lock_any_held())

/* table.c */
int klpsv_table_init(struct klpsv_id *sid, gfp_t gfp);
void klpsv_table_quiesce(struct klpsv_id *sid);
void klpsv_table_destroy(struct klpsv_id *sid);
int klpsv_table_reserve(struct klpsv_id *sid, const void *obj, gfp_t gfp);
void klpsv_table_free(struct klpsv_table *t);
void klpsv_id_memory(struct klpsv_id *sid, struct klpsv_id_memory *mem);
void klpsv_id_slots(struct klpsv_id *sid, unsigned long *slots,
		    unsigned long *used);

/**
 * enum klpsv_insert_result - what klpsv_table_insert() did
 * @KLPSV_INSERTED:		the variable was published
 * @KLPSV_INSERT_EXISTS:	the object has a variable of the id already
 * @KLPSV_INSERT_RETIRED:	the id's state has been removed
 * @KLPSV_INSERT_UNDECLARED:	strict=1, and no state declares the id
 * @KLPSV_INSERT_FULL:		the table is used to 7/8: call
 *				klpsv_table_reserve(), then insert again
 * @KLPSV_INSERT_NOMEM:		no variable was given and this CPU keeps none
 *				of the size (recycle.c): allocate one, and
 *				insert again
 * @KLPSV_INSERT_NOSPC:		the table is full
 * @KLPSV_INSERT_CTOR_FAILED:	the constructor returned an error
 */
enum klpsv_insert_result {
	KLPSV_INSERTED,
	KLPSV_INSERT_EXISTS,
	KLPSV_INSERT_RETIRED,
	KLPSV_INSERT_UNDECLARED,
	KLPSV_INSERT_FULL,
	KLPSV_INSERT_NOMEM,
	KLPSV_INSERT_NOSPC,
	KLPSV_INSERT_CTOR_FAILED,
};

enum klpsv_insert_result klpsv_table_insert(struct klpsv_id *sid,
					    void *obj, size_t size,
					    struct klpsv_shadow *shadow,
					    klpsv_shadow_ctor_t ctor,
					    void *ctor_data, bool reserved,
					    struct klpsv_shadow **existing,
					    int *ctor_err);
struct klpsv_shadow *klpsv_table_remove(struct klpsv_id *sid, void *obj);
void klpsv_table_empty_begin(struct klpsv_id *sid);

/* Variables removed per step of emptying a table, at most. */
#define KLPSV_EMPTY_BATCH	16

bool klpsv_table_empty_step(struct klpsv_id *sid, unsigned int *pos,
			    struct klpsv_shadow **batch, unsigned int *n);
void klpsv_table_empty_end(struct klpsv_id *sid);
void klpsv_id_retire(struct klpsv_id *sid);
bool klpsv_id_walk(struct klpsv_id *sid,
		   bool (*fn)(void *obj, struct klpsv_shadow *shadow, void *arg),
		   void *arg);

/**
 * struct klpsv_ctor_frame - a constructor running on a CPU
 * @task:	the task that runs it
 * @next:	the frame of a constructor that @task preempted on the same
 *		CPU, or NULL
 *
 * Lives on the stack of klpsv_table_construct(), in the list of its CPU
 * (klpsv_ctor_frames) while the constructor runs. A constructor runs under
 * its part's lock: with interrupts disabled, so that the list holds one frame
 * at most; on PREEMPT_RT, where that lock sleeps and leaves interrupts and
 * preemption on, pinned to its CPU, so that a task running a constructor
 * finds its frame on the list of the CPU it runs on, however many other
 * tasks preempted it there inside constructors of their own.
 */
struct klpsv_ctor_frame {
	struct task_struct *task;
	struct klpsv_ctor_frame *next;
};

DECLARE_PER_CPU(struct klpsv_ctor_frame *, klpsv_ctor_frames);

/**
 * klpsv_in_constructor() - whether the caller is a shadow constructor
 *
 * A caller that is not in a constructor usually finds its CPU's list empty,
 * and answers with one per-CPU read; the list is walked, with preemption
 * disabled (the tasks of one CPU change it only so), when it is not.
 *
 * Context: any.
 * Return: true inside a constructor.
 */
static inline bool klpsv_in_constructor(void)
{
	struct klpsv_ctor_frame *frame;
	bool in = false;

	if (likely(!raw_cpu_read(klpsv_ctor_frames)))
		return false;
	preempt_disable();
	for (frame = __this_cpu_read(klpsv_ctor_frames); frame; frame = frame->next) {
		if (frame->task == current) {
			in = true;
			break;
		}
	}
	preempt_enable();
	return in;
}

/**
 * klpsv_dtor_enter() - start the section a destructor runs in
 *
 * The kernel's destructors run under its store's spinlock_t. klpsv runs
 * them with no lock held, in the context that lock gives: without
 * PREEMPT_RT, with preemption disabled (RCU-sched read side), so that a
 * destructor that sleeps is caught the first time it runs; with
 * PREEMPT_RT, where a spinlock_t sleeps, pinned to the CPU inside an RCU
 * read-side critical section, preemptible, so that a destructor may take
 * spinlock_t locks and free memory there as it may under the kernel's lock.
 * Either section is one that synchronize_rcu() waits for.
 *
 * Context: any but NMI; pair with klpsv_dtor_exit().
 */
static inline void klpsv_dtor_enter(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		rcu_read_lock();
		migrate_disable();
	} else {
		rcu_read_lock_sched();
	}
}

/* Ends the section of klpsv_dtor_enter(). */
static inline void klpsv_dtor_exit(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		migrate_enable();
		rcu_read_unlock();
	} else {
		rcu_read_unlock_sched();
	}
}

/**
 * klpsv_table_lookup() - the variable of a parent object in an id's table
 * @sid:	the id
 * @obj:	the parent object
 *
 * Inline, since every klpsv_shadow_get() is one: a multiplication picks the
 * part, another the home slot in its table, then the slots from there on
 * until a never-used one or the key. A slot whose tag is not the key's, or
 * that is dead or freed, is passed without reading its variable; so a
 * lookup usually reads one cache line of the table and the variable it
 * returns. The table always has never-used slots (see table.c).
 *
 * Context: any RCU read-side critical section, rcu_read_lock() or
 * rcu_read_lock_sched(): variables and tables are freed after a normal grace
 * period, which waits for both.
 *
 * Return: the variable, or NULL.
 */
static __always_inline struct klpsv_shadow *klpsv_table_lookup(struct klpsv_id *sid,
								 void *obj)
{
	/* One multiplication: every table of @sid has its seed. */
	u64 h = klpsv_key_hash(sid->seed, obj);
	const struct klpsv_table *t = klpsv_deref(klpsv_part_of_hash(sid, h)->table);
	u32 hash = klpsv_table_hash_of(h);
	unsigned long tag = klpsv_slot_tag(hash), slot;
	unsigned int i = klpsv_table_home(t, hash);
	struct klpsv_shadow *shadow;

	for (;; i = klpsv_table_next(t, i)) {
		/* Pairs with the release that publishes a slot's variable. */
		slot = smp_load_acquire(&t->slots[i]);
		if (!slot)
			return NULL;
		if ((slot & (KLPSV_SLOT_DEAD | KLPSV_SLOT_TAG)) != tag)
			continue;
		shadow = klpsv_slot_shadow(slot);
		if (shadow->obj == obj)
			return shadow;
	}
}

/**
 * struct klpsv_cpuhp - the CPU hotplug states of per-CPU work (cpuhp.c)
 * @dead:	called on another CPU once a CPU is dead
 * @online:	called on a CPU online with its workers bound to it
 */
struct klpsv_cpuhp {
	int dead;
	int online;
};

/* cpuhp.c */
int klpsv_cpuhp_add(struct klpsv_cpuhp *hp, const char *dead_name,
		    int (*dead)(unsigned int cpu), const char *online_name,
		    int (*online)(unsigned int cpu));
void klpsv_cpuhp_remove(struct klpsv_cpuhp *hp);

/* batch.c */
int klpsv_batch_init(void);
void klpsv_batch_exit(void);
bool klpsv_batch_add(struct klpsv_part *p, struct klpsv_shadow *shadow,
		     size_t bytes);
void klpsv_batch_drain(void);

/* reclaim.c */
int klpsv_reclaim_init(void);
void klpsv_reclaim_exit(void);
void klpsv_table_retire(struct klpsv_table *t);
void klpsv_reclaim_drain(void);
void klpsv_table_reclaim_now(struct klpsv_table *t);

/* memory.c */
int klpsv_memory_init(void);
void klpsv_memory_exit(void);
struct klpsv_shadow *klpsv_shadow_zalloc(size_t data_size, gfp_t gfp);

/* The caches of memory.c: one per 8 bytes of shadow size, header included. */
#define KLPSV_CACHE_STEP	8
#define KLPSV_CACHED_MIN	(KLPSV_SHADOW_OVERHEAD + KLPSV_CACHE_STEP)
#define KLPSV_CACHED_MAX	128
#define KLPSV_NR_CACHES		\
	((KLPSV_CACHED_MAX - KLPSV_CACHED_MIN) / KLPSV_CACHE_STEP + 1)

/* The cache of a footprint (klpsv_shadow_footprint()) of at most %KLPSV_CACHED_MAX. */
static inline unsigned int klpsv_cache_index(size_t bytes)
{
	return (bytes - KLPSV_CACHED_MIN) / KLPSV_CACHE_STEP;
}

/**
 * klpsv_shadow_footprint() - the memory a shadow takes
 * @data_size:	bytes of data after the header
 *
 * Its slab object: the header and data rounded up to its cache's size, or to
 * kmalloc()'s size class beyond the caches. Inline: every alloc and free
 * counts it.
 *
 * Return: bytes.
 */
static inline size_t klpsv_shadow_footprint(size_t data_size)
{
	size_t size = KLPSV_SHADOW_OVERHEAD + data_size;

	if (likely(size <= KLPSV_CACHED_MAX))
		return max_t(size_t, round_up(size, KLPSV_CACHE_STEP), KLPSV_CACHED_MIN);
	return kmalloc_size_roundup(size);
}

/* recycle.c */
int klpsv_recycle_init(void);
void klpsv_recycle_exit(void);
bool klpsv_recycle_ready(size_t data_size);
struct klpsv_shadow *klpsv_recycle_take(size_t bytes);
unsigned int klpsv_recycle_keep(void **addrs, unsigned int n);
size_t klpsv_recycle_bytes(void);

/* free.c */
void klpsv_shadow_release(struct klpsv_id *sid, struct klpsv_shadow *shadow,
			  klpsv_shadow_dtor_t dtor);
unsigned long klpsv_id_empty(struct klpsv_id *sid, klpsv_shadow_dtor_t dtor,
			     unsigned long *bytes, bool may_sleep);
unsigned long klpsv_id_free_all(struct klpsv_id *sid, klpsv_shadow_dtor_t dtor,
				unsigned long *bytes);

/* the state engine: state.c, going.c, state_show.c */
extern bool klpsv_strict;

/**
 * klpsv_id_refusal() - whether the state of an id refuses new variables
 * @sid:	the id, or NULL for one never used
 *
 * Ids of removed states are refused, and with strict=1 ids that no state
 * declares. klpsv_table_insert() asks under the part's lock, where the answer
 * holds until the variable is published (see klpsv_id_retire()); a caller
 * may ask before, without it, to fail early.
 *
 * Context: any.
 * Return: %KLPSV_INSERTED when allowed, else %KLPSV_INSERT_RETIRED or
 * %KLPSV_INSERT_UNDECLARED.
 */
static inline enum klpsv_insert_result klpsv_id_refusal(struct klpsv_id *sid)
{
	unsigned long bits = sid ? READ_ONCE(sid->state) : 0;

	if (unlikely(bits & BIT(KLPSV_ID_RETIRED)))
		return KLPSV_INSERT_RETIRED;
	if (unlikely(READ_ONCE(klpsv_strict) &&
		     !(bits & (BIT(KLPSV_ID_DECLARED) | BIT(KLPSV_ID_IN_FORCE)))))
		return KLPSV_INSERT_UNDECLARED;
	return KLPSV_INSERTED;
}
int klpsv_state_init(void);
void klpsv_state_exit(void);
void klpsv_states_show(struct seq_file *m);
void klpsv_patches_show(struct seq_file *m);

/* debugfs.c */
extern unsigned int klpsv_list_max;
void klpsv_debugfs_init(void);
void klpsv_debugfs_exit(void);

#endif /* _KLPSV_INTERNAL_H */
