/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpsv_test.h - klpsv_test.ko internals shared between its files
 */
#ifndef _KLPSV_TEST_H
#define _KLPSV_TEST_H

#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/types.h>
#include <linux/mutex.h>
#include "atomic.h"

/**
 * DOC: klpsv_test.ko internals
 *
 * Context and locking: every function declared here runs in process context
 * with klpsv_test_mutex held (each asserts it with lockdep), but
 * klpsv_test_context_ok() and klpsv_test_atomic_context(), which run
 * anywhere; the mutex is defined in main.c, which takes it around each
 * command and module exit.
 */

/* Longest write to ctl, trailing newline included. */
#define KLPSV_TEST_LINE_MAX	255
/* Longest parent object name. */
#define KLPSV_TEST_NAME_MAX	31
/* Most data bytes shown in a result. */
#define KLPSV_TEST_DATA_MAX	64
/* Room for any result but the one of "obj list", NUL included. */
#define KLPSV_TEST_RESULT_MAX	512

/* Serialises commands; every function below is called with it held. */
extern struct mutex klpsv_test_mutex;

/* objects.c */
int klpsv_test_obj_new(const char *name, size_t size, void **ptr);
int klpsv_test_obj_del(const char *name);
void *klpsv_test_obj_find(const char *name);
bool klpsv_test_obj_known(const void *ptr);
size_t klpsv_test_obj_list_size(void);
size_t klpsv_test_obj_list(char *buf, size_t size);
void klpsv_test_obj_exit(void);

/* shadow.c */

/**
 * enum klpsv_test_ctor_mode - the constructor a command passes to klpsv
 * @KLPSV_TEST_CTOR_NONE:	no constructor (NULL)
 * @KLPSV_TEST_CTOR_FILL:	fill the data with a byte, return 0
 * @KLPSV_TEST_CTOR_FAIL:	touch nothing, return an error
 * @KLPSV_TEST_CTOR_NEST:	allocate a shadow of another id for the same
 *				parent (klpsv must refuse), return 0
 */
enum klpsv_test_ctor_mode {
	KLPSV_TEST_CTOR_NONE,
	KLPSV_TEST_CTOR_FILL,
	KLPSV_TEST_CTOR_FAIL,
	KLPSV_TEST_CTOR_NEST,
};

/**
 * struct klpsv_test_ctor_spec - the constructor asked for by a command
 * @mode:	what the constructor does
 * @fill:	the byte of %KLPSV_TEST_CTOR_FILL
 * @err:	the positive errno of %KLPSV_TEST_CTOR_FAIL
 * @nest_id:	the other id of %KLPSV_TEST_CTOR_NEST
 */
struct klpsv_test_ctor_spec {
	enum klpsv_test_ctor_mode mode;
	u8 fill;
	int err;
	unsigned long nest_id;
};

/**
 * struct klpsv_test_shadow_res - outcome of alloc, get-or-alloc or get
 * @ptr:	the pointer the API returned, only ever printed hashed
 * @ctor:	constructor calls
 * @ctor_ok:	every constructor call passed its checks
 * @ctor_atomic: every constructor call ran in atomic context
 * @ctx_ok:	the call ran in the context asked for
 * @nested:	allocations by a %KLPSV_TEST_CTOR_NEST constructor that
 *		klpsv did not refuse
 * @len:	bytes in @data
 * @data:	the first @len data bytes after the call
 */
struct klpsv_test_shadow_res {
	void *ptr;
	unsigned int ctor;
	bool ctor_ok;
	bool ctor_atomic;
	bool ctx_ok;
	unsigned int nested;
	unsigned int len;
	u8 data[KLPSV_TEST_DATA_MAX];
};

/**
 * struct klpsv_test_dtor_res - outcome of free or free-all
 * @calls:	destructor calls
 * @ok:		every destructor call passed its checks
 * @atomic:	every destructor call ran in atomic context
 * @ctx_ok:	the call ran in the context asked for
 */
struct klpsv_test_dtor_res {
	unsigned long calls;
	bool ok;
	bool atomic;
	bool ctx_ok;
};

/* context.c */

/**
 * enum klpsv_test_ctx - where a command calls klpsv (gfp=, ctx=)
 * @KLPSV_TEST_CTX_PROCESS: from the command's task; allocates with GFP_KERNEL
 * @KLPSV_TEST_CTX_ATOMIC: under a bottom-half spinlock; GFP_ATOMIC
 * @KLPSV_TEST_CTX_IRQOFF: with interrupts disabled; GFP_ATOMIC
 * @KLPSV_TEST_CTX_HARDIRQ: in hard interrupt context (irq_work); GFP_ATOMIC
 */
enum klpsv_test_ctx {
	KLPSV_TEST_CTX_PROCESS,
	KLPSV_TEST_CTX_ATOMIC,
	KLPSV_TEST_CTX_IRQOFF,
	KLPSV_TEST_CTX_HARDIRQ,
};

bool klpsv_test_context_ok(enum klpsv_test_ctx ctx);
bool klpsv_test_call_in(enum klpsv_test_ctx ctx, void (*fn)(void *arg),
			void *arg);

/* shadow.c */
int klpsv_test_shadow_create(void *obj, unsigned long id, size_t size,
			     const struct klpsv_test_ctor_spec *ctor,
			     enum klpsv_test_ctx ctx, bool exist_ok,
			     struct klpsv_test_shadow_res *res);
void klpsv_test_shadow_get(void *obj, unsigned long id, unsigned int len,
			   struct klpsv_test_shadow_res *res);
void *klpsv_test_shadow_set(void *obj, unsigned long id, u8 byte, size_t len);
void klpsv_test_shadow_free(void *obj, unsigned long id, bool dtor,
			    enum klpsv_test_ctx ctx,
			    struct klpsv_test_dtor_res *res);
void klpsv_test_shadow_free_all(unsigned long id, bool dtor,
				enum klpsv_test_ctx ctx,
				struct klpsv_test_dtor_res *res);
void klpsv_test_shadow_exit(bool cleanup);

/* race.c */

/**
 * struct klpsv_test_race_res - outcome of a race
 * @gets:	get operations
 * @hits:	get operations that found a shadow
 * @ctor:	constructor calls
 * @dtor:	destructor calls
 * @errors:	failed checks
 */
struct klpsv_test_race_res {
	unsigned long gets;
	unsigned long hits;
	unsigned long ctor;
	unsigned long dtor;
	unsigned long errors;
};

int klpsv_test_race(unsigned long id, unsigned int nthreads,
		    unsigned int iterations, unsigned int nobjs,
		    struct klpsv_test_race_res *res);

/* stress.c */

/* Longest "stress" run: a minute, with room to spare. */
#define KLPSV_TEST_STRESS_SECONDS_MAX	120

/**
 * struct klpsv_test_stress_res - outcome of a stress run
 * @gets:	get operations
 * @hits:	get operations that found a shadow
 * @allocs:	get_or_alloc operations with GFP_KERNEL
 * @atomic_allocs: get_or_alloc operations with GFP_ATOMIC, with bottom
 *		halves or interrupts disabled
 * @failed:	GFP_KERNEL get_or_alloc operations that returned NULL
 * @atomic_failed: GFP_ATOMIC get_or_alloc operations that returned NULL
 * @frees:	free operations
 * @atomic_frees: free operations with bottom halves or interrupts disabled
 * @free_alls:	free_all operations
 * @ctor:	constructor calls
 * @dtor_run:	destructor calls while the threads ran
 * @dtor:	destructor calls in all, the final cleanup's included
 * @live:	shadows left when the threads were done
 * @errors:	failed checks
 */
struct klpsv_test_stress_res {
	unsigned long gets;
	unsigned long hits;
	unsigned long allocs;
	unsigned long atomic_allocs;
	unsigned long failed;
	unsigned long atomic_failed;
	unsigned long frees;
	unsigned long atomic_frees;
	unsigned long free_alls;
	unsigned long ctor;
	unsigned long dtor_run;
	unsigned long dtor;
	unsigned long live;
	unsigned long errors;
};

int klpsv_test_stress(unsigned long id, unsigned int seconds,
		      unsigned int nthreads, unsigned int nobjs,
		      struct klpsv_test_stress_res *res);

/* hold.c */
int klpsv_test_hold_start(void);
int klpsv_test_hold_stop(void);

/* ctl.c */
int klpsv_test_ctl_exec(char *line, char **result, size_t *len);

#endif /* _KLPSV_TEST_H */
