// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memory.c - where shadow variables live: slab caches of klpsv's own
 */

#include <linux/slab.h>
#include <linux/rcupdate.h>
#include "internal.h"

/**
 * DOC: shadow memory
 *
 * kzalloc() rounds a shadow up to its kmalloc size class: the 72 bytes of a
 * shadow with 56 data bytes take 96, on pages shared with every other 96-byte
 * allocation in the kernel. Shadows of up to %KLPSV_CACHED_MAX bytes, header
 * included, come instead from caches of klpsv's own, one per 8 bytes of size
 * ("klpsv_shadow_24" and so on in /proc/slabinfo): no rounding beyond that,
 * and pages that hold shadows only, so that the shadows of a big table sit
 * on as few pages as they can, which every lookup in it feels. Each cache
 * whitelists the data for copy_to_user() under hardened usercopy, as the
 * kmalloc caches do, and that keeps SLUB from merging it into another
 * cache. Larger shadows use kzalloc().
 *
 * A shadow of 8 data bytes takes 24 bytes in "klpsv_shadow_24", where the
 * kernel's takes 64 in kmalloc-64 (48 bytes of header, rounded up).
 *
 * Removed shadows are freed with kfree_bulk(), which frees from a cache as
 * from kmalloc, a grace period after their batch was closed (batch.c) or
 * after their table was replaced (reclaim.c), or at unload; unload drains
 * both before the caches go. A batch's shadows of the cached sizes may
 * first be kept, for the next allocations of their CPU (recycle.c), which
 * then take no object from the cache; unload gives them back too.
 */

static struct kmem_cache *klpsv_caches[KLPSV_NR_CACHES];

/*
 * The cache of shadows of @size bytes, header included, or NULL; a shadow
 * without data takes the smallest.
 */
static struct kmem_cache *klpsv_cache(size_t size)
{
	if (size > KLPSV_CACHED_MAX)
		return NULL;
	size = max_t(size_t, round_up(size, KLPSV_CACHE_STEP), KLPSV_CACHED_MIN);
	return klpsv_caches[klpsv_cache_index(size)];
}

/**
 * klpsv_memory_init() - create the shadow caches
 *
 * Return: 0, or -ENOMEM with none created.
 */
int klpsv_memory_init(void)
{
	char name[32];
	unsigned int i;
	size_t size;

	BUILD_BUG_ON(sizeof(struct klpsv_shadow) != KLPSV_SHADOW_OVERHEAD);
	BUILD_BUG_ON(KLPSV_SHADOW_OVERHEAD % KLPSV_CACHE_STEP);
	/* A slot keeps three bits beside a shadow's address (see table.c). */
	BUILD_BUG_ON(ARCH_SLAB_MINALIGN < 8 || ARCH_KMALLOC_MINALIGN < 8);
	BUILD_BUG_ON(KLPSV_CACHE_STEP % 8);

	for (i = 0; i < KLPSV_NR_CACHES; i++) {
		size = KLPSV_CACHED_MIN + i * KLPSV_CACHE_STEP;
		snprintf(name, sizeof(name), "klpsv_shadow_%zu", size);
		klpsv_caches[i] = kmem_cache_create_usercopy(name, size, 0, 0,
				offsetof(struct klpsv_shadow, data),
				size - offsetof(struct klpsv_shadow, data), NULL);
		if (!klpsv_caches[i]) {
			klpsv_memory_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * klpsv_memory_exit() - destroy the shadow caches
 *
 * Every shadow must have been freed: klpsv_ids_exit() (which drains the
 * batches and the retired tables), klpsv_batch_exit() and
 * klpsv_reclaim_exit() free the last ones.
 */
void klpsv_memory_exit(void)
{
	unsigned int i;

	for (i = 0; i < KLPSV_NR_CACHES; i++) {
		kmem_cache_destroy(klpsv_caches[i]);
		klpsv_caches[i] = NULL;
	}
}

/**
 * klpsv_shadow_zalloc() - allocate a zeroed shadow
 * @data_size:	bytes of data after the header
 * @gfp:	allocation flags
 *
 * Return: the shadow, or NULL (also when the size overflows).
 */
struct klpsv_shadow *klpsv_shadow_zalloc(size_t data_size, gfp_t gfp)
{
	struct klpsv_shadow *shadow;
	size_t size = struct_size(shadow, data, data_size);
	struct kmem_cache *cache = klpsv_cache(size);

	if (cache)
		return kmem_cache_zalloc(cache, gfp);
	return kzalloc(size, gfp);
}
