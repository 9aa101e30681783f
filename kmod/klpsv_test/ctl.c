// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl.c - klpsv_test.ko: parsing and running the commands written to ctl
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "klpsv_test.h"

/**
 * DOC: commands
 *
 * A command line is split into tokens at spaces, then parsed completely into
 * a &struct klpsv_test_cmd, validating every token and value, before
 * anything is looked up or done: a malformed command fails with -EINVAL and
 * changes nothing. Then the result buffer is allocated, then parent object
 * names are resolved (-ENOENT), and only then does the command act.
 *
 * The grammar is table-driven: klpsv_test_verbs gives, for each verb, the
 * types of its positional tokens and the options it accepts. Options are
 * "key=value" tokens after the positional ones, in any order, each at most
 * once.
 *
 * Numbers are decimal digits, or "0x" and hex digits; nothing else (no sign,
 * no octal), and never above the field's maximum.
 *
 * Context and locking: process context, with klpsv_test_mutex held (asserted
 * with lockdep); parsing uses no shared state.
 */

#define KLPSV_TEST_MAX_TOKENS	6
#define KLPSV_TEST_MAX_POS	3

#define KLPSV_TEST_SIZE_MAX	1048576
#define KLPSV_TEST_OBJ_SIZE_MAX	4096
#define KLPSV_TEST_OBJ_SIZE	64
#define KLPSV_TEST_ERRNO_MAX	4095
#define KLPSV_TEST_THREADS_MAX	8
#define KLPSV_TEST_ITER_MAX	10000000
#define KLPSV_TEST_OBJS_MAX	4096

enum klpsv_test_verb {
	KLPSV_TEST_OBJ_NEW,
	KLPSV_TEST_OBJ_DEL,
	KLPSV_TEST_OBJ_LIST,
	KLPSV_TEST_ALLOC,
	KLPSV_TEST_ALLOC_HUGE,
	KLPSV_TEST_GET_OR_ALLOC,
	KLPSV_TEST_GET,
	KLPSV_TEST_SET,
	KLPSV_TEST_FREE,
	KLPSV_TEST_FREE_ALL,
	KLPSV_TEST_RACE,
	KLPSV_TEST_STRESS,
	KLPSV_TEST_HOLD,
	KLPSV_TEST_RELEASE,
};

enum klpsv_test_pos {
	KLPSV_TEST_P_NAME,	/* NAME */
	KLPSV_TEST_P_OBJ,	/* NAME or "null" */
	KLPSV_TEST_P_ID,	/* ID */
	KLPSV_TEST_P_SIZE,	/* SIZE */
	KLPSV_TEST_P_ANY_SIZE,	/* any size_t, for alloc-huge */
	KLPSV_TEST_P_BYTE,	/* BYTE */
};

enum klpsv_test_opt {
	KLPSV_TEST_O_SIZE,
	KLPSV_TEST_O_CTOR,
	KLPSV_TEST_O_GFP,
	KLPSV_TEST_O_LEN,
	KLPSV_TEST_O_DTOR,
	KLPSV_TEST_O_THREADS,
	KLPSV_TEST_O_ITERATIONS,
	KLPSV_TEST_O_OBJECTS,
	KLPSV_TEST_O_CTX,
	KLPSV_TEST_O_SECONDS,
	KLPSV_TEST_NR_OPTS,
};

static const char * const klpsv_test_opt_names[KLPSV_TEST_NR_OPTS] = {
	[KLPSV_TEST_O_SIZE]		= "size",
	[KLPSV_TEST_O_CTOR]		= "ctor",
	[KLPSV_TEST_O_GFP]		= "gfp",
	[KLPSV_TEST_O_LEN]		= "len",
	[KLPSV_TEST_O_DTOR]		= "dtor",
	[KLPSV_TEST_O_THREADS]		= "threads",
	[KLPSV_TEST_O_ITERATIONS]	= "iterations",
	[KLPSV_TEST_O_OBJECTS]		= "objects",
	[KLPSV_TEST_O_CTX]		= "ctx",
	[KLPSV_TEST_O_SECONDS]		= "seconds",
};

/**
 * struct klpsv_test_verb_desc - the grammar of one verb
 * @word:	first token
 * @sub:	second token, or NULL when the verb is one token
 * @verb:	the verb
 * @npos:	number of positional tokens after the verb
 * @pos:	their types
 * @opts:	options accepted, a mask of BIT(enum klpsv_test_opt)
 * @required:	options required, a subset of @opts
 */
struct klpsv_test_verb_desc {
	const char *word;
	const char *sub;
	enum klpsv_test_verb verb;
	unsigned int npos;
	enum klpsv_test_pos pos[KLPSV_TEST_MAX_POS];
	unsigned long opts;
	unsigned long required;
};

static const struct klpsv_test_verb_desc klpsv_test_verbs[] = {
	{ "obj", "new", KLPSV_TEST_OBJ_NEW, 1, { KLPSV_TEST_P_NAME },
	  BIT(KLPSV_TEST_O_SIZE) },
	{ "obj", "del", KLPSV_TEST_OBJ_DEL, 1, { KLPSV_TEST_P_NAME } },
	{ "obj", "list", KLPSV_TEST_OBJ_LIST, 0 },
	{ "alloc", NULL, KLPSV_TEST_ALLOC, 3,
	  { KLPSV_TEST_P_OBJ, KLPSV_TEST_P_ID, KLPSV_TEST_P_SIZE },
	  BIT(KLPSV_TEST_O_CTOR) | BIT(KLPSV_TEST_O_GFP) },
	{ "alloc-huge", NULL, KLPSV_TEST_ALLOC_HUGE, 3,
	  { KLPSV_TEST_P_OBJ, KLPSV_TEST_P_ID, KLPSV_TEST_P_ANY_SIZE } },
	{ "get-or-alloc", NULL, KLPSV_TEST_GET_OR_ALLOC, 3,
	  { KLPSV_TEST_P_OBJ, KLPSV_TEST_P_ID, KLPSV_TEST_P_SIZE },
	  BIT(KLPSV_TEST_O_CTOR) | BIT(KLPSV_TEST_O_GFP) },
	{ "get", NULL, KLPSV_TEST_GET, 2,
	  { KLPSV_TEST_P_OBJ, KLPSV_TEST_P_ID },
	  BIT(KLPSV_TEST_O_LEN) },
	{ "set", NULL, KLPSV_TEST_SET, 3,
	  { KLPSV_TEST_P_OBJ, KLPSV_TEST_P_ID, KLPSV_TEST_P_BYTE },
	  BIT(KLPSV_TEST_O_LEN), BIT(KLPSV_TEST_O_LEN) },
	{ "free", NULL, KLPSV_TEST_FREE, 2,
	  { KLPSV_TEST_P_OBJ, KLPSV_TEST_P_ID },
	  BIT(KLPSV_TEST_O_DTOR) | BIT(KLPSV_TEST_O_CTX) },
	{ "free-all", NULL, KLPSV_TEST_FREE_ALL, 1, { KLPSV_TEST_P_ID },
	  BIT(KLPSV_TEST_O_DTOR) | BIT(KLPSV_TEST_O_CTX) },
	{ "race", NULL, KLPSV_TEST_RACE, 1, { KLPSV_TEST_P_ID },
	  BIT(KLPSV_TEST_O_THREADS) | BIT(KLPSV_TEST_O_ITERATIONS) |
	  BIT(KLPSV_TEST_O_OBJECTS) },
	{ "stress", NULL, KLPSV_TEST_STRESS, 1, { KLPSV_TEST_P_ID },
	  BIT(KLPSV_TEST_O_SECONDS) | BIT(KLPSV_TEST_O_THREADS) |
	  BIT(KLPSV_TEST_O_OBJECTS), BIT(KLPSV_TEST_O_SECONDS) },
	{ "hold", NULL, KLPSV_TEST_HOLD, 0 },
	{ "release", NULL, KLPSV_TEST_RELEASE, 0 },
};

/**
 * struct klpsv_test_cmd - a parsed command
 * @desc:	its verb
 * @name:	NAME, or the name of OBJ; NULL for OBJ "null"
 * @id:		ID
 * @size:	SIZE, or the size= of "obj new"
 * @byte:	BYTE
 * @ctor:	ctor=
 * @ctx:	gfp= or ctx=
 * @dtor:	dtor=count
 * @len:	len=
 * @threads:	threads=
 * @iterations:	iterations=
 * @objects:	objects=
 * @seconds:	seconds=
 */
struct klpsv_test_cmd {
	const struct klpsv_test_verb_desc *desc;
	const char *name;
	unsigned long id;
	size_t size;
	u8 byte;
	struct klpsv_test_ctor_spec ctor;
	enum klpsv_test_ctx ctx;
	bool dtor;
	unsigned long len;
	unsigned int threads;
	unsigned int iterations;
	unsigned int objects;
	unsigned int seconds;
};

static int klpsv_test_parse_num(const char *s, unsigned long max,
				unsigned long *val)
{
	unsigned int base = 10;
	const char *p;

	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++)
		if (base == 16 ? !isxdigit(*p) : !isdigit(*p))
			return -EINVAL;
	if (kstrtoul(s, base, val) || *val > max)
		return -EINVAL;
	return 0;
}

static int klpsv_test_parse_name(const char *s)
{
	size_t len = strlen(s);
	const char *p;

	if (!len || len > KLPSV_TEST_NAME_MAX || !strcmp(s, "null"))
		return -EINVAL;
	/* The kernel's isalnum() takes Latin-1 letters too: ASCII only. */
	for (p = s; *p; p++)
		if (!isascii(*p) ||
		    (!isalnum(*p) && *p != '_' && *p != '.' && *p != '-'))
			return -EINVAL;
	return 0;
}

static int klpsv_test_parse_ctor(const char *s,
				 struct klpsv_test_ctor_spec *ctor)
{
	unsigned long val;

	if (!strcmp(s, "none")) {
		ctor->mode = KLPSV_TEST_CTOR_NONE;
		return 0;
	}
	if (str_has_prefix(s, "fill:")) {
		if (klpsv_test_parse_num(s + 5, U8_MAX, &val))
			return -EINVAL;
		ctor->mode = KLPSV_TEST_CTOR_FILL;
		ctor->fill = val;
		return 0;
	}
	if (str_has_prefix(s, "fail:")) {
		if (klpsv_test_parse_num(s + 5, KLPSV_TEST_ERRNO_MAX, &val) ||
		    !val)
			return -EINVAL;
		ctor->mode = KLPSV_TEST_CTOR_FAIL;
		ctor->err = val;
		return 0;
	}
	if (str_has_prefix(s, "nest:")) {
		if (klpsv_test_parse_num(s + 5, ULONG_MAX, &val))
			return -EINVAL;
		ctor->mode = KLPSV_TEST_CTOR_NEST;
		ctor->nest_id = val;
		return 0;
	}
	return -EINVAL;
}

/* The contexts of gfp= and ctx=, in enum klpsv_test_ctx order. */
static const char * const klpsv_test_gfp_names[] = {
	"kernel", "atomic", "irqoff", "hardirq",
};
static const char * const klpsv_test_ctx_names[] = {
	"process", "atomic", "irqoff", "hardirq",
};

static int klpsv_test_parse_ctx(const char *s, const char * const *names,
				size_t n, enum klpsv_test_ctx *ctx)
{
	int i = match_string(names, n, s);

	if (i < 0)
		return -EINVAL;
	*ctx = i;
	return 0;
}

static int klpsv_test_parse_pos(struct klpsv_test_cmd *cmd,
				enum klpsv_test_pos type, const char *tok)
{
	unsigned long val;

	switch (type) {
	case KLPSV_TEST_P_NAME:
		if (klpsv_test_parse_name(tok))
			return -EINVAL;
		cmd->name = tok;
		return 0;
	case KLPSV_TEST_P_OBJ:
		if (!strcmp(tok, "null")) {
			cmd->name = NULL;
			return 0;
		}
		if (klpsv_test_parse_name(tok))
			return -EINVAL;
		cmd->name = tok;
		return 0;
	case KLPSV_TEST_P_ID:
		return klpsv_test_parse_num(tok, ULONG_MAX, &cmd->id);
	case KLPSV_TEST_P_SIZE:
		if (klpsv_test_parse_num(tok, KLPSV_TEST_SIZE_MAX, &val))
			return -EINVAL;
		cmd->size = val;
		return 0;
	case KLPSV_TEST_P_ANY_SIZE:
		if (klpsv_test_parse_num(tok, SIZE_MAX, &val))
			return -EINVAL;
		cmd->size = val;
		return 0;
	case KLPSV_TEST_P_BYTE:
		if (klpsv_test_parse_num(tok, U8_MAX, &val))
			return -EINVAL;
		cmd->byte = val;
		return 0;
	}
	return -EINVAL;
}

/* Range checks that depend on the verb are done by klpsv_test_parse(). */
static int klpsv_test_parse_opt(struct klpsv_test_cmd *cmd,
				enum klpsv_test_opt opt, const char *val)
{
	unsigned long n;

	switch (opt) {
	case KLPSV_TEST_O_SIZE:
		if (klpsv_test_parse_num(val, KLPSV_TEST_OBJ_SIZE_MAX, &n) || !n)
			return -EINVAL;
		cmd->size = n;
		return 0;
	case KLPSV_TEST_O_CTOR:
		return klpsv_test_parse_ctor(val, &cmd->ctor);
	case KLPSV_TEST_O_GFP:
		return klpsv_test_parse_ctx(val, klpsv_test_gfp_names,
					    ARRAY_SIZE(klpsv_test_gfp_names),
					    &cmd->ctx);
	case KLPSV_TEST_O_CTX:
		return klpsv_test_parse_ctx(val, klpsv_test_ctx_names,
					    ARRAY_SIZE(klpsv_test_ctx_names),
					    &cmd->ctx);
	case KLPSV_TEST_O_LEN:
		return klpsv_test_parse_num(val, KLPSV_TEST_SIZE_MAX, &cmd->len);
	case KLPSV_TEST_O_DTOR:
		if (!strcmp(val, "count"))
			cmd->dtor = true;
		else if (!strcmp(val, "none"))
			cmd->dtor = false;
		else
			return -EINVAL;
		return 0;
	case KLPSV_TEST_O_THREADS:
		if (klpsv_test_parse_num(val, KLPSV_TEST_THREADS_MAX, &n) || !n)
			return -EINVAL;
		cmd->threads = n;
		return 0;
	case KLPSV_TEST_O_ITERATIONS:
		if (klpsv_test_parse_num(val, KLPSV_TEST_ITER_MAX, &n) || !n)
			return -EINVAL;
		cmd->iterations = n;
		return 0;
	case KLPSV_TEST_O_OBJECTS:
		if (klpsv_test_parse_num(val, KLPSV_TEST_OBJS_MAX, &n) || !n)
			return -EINVAL;
		cmd->objects = n;
		return 0;
	case KLPSV_TEST_O_SECONDS:
		if (klpsv_test_parse_num(val, KLPSV_TEST_STRESS_SECONDS_MAX,
					 &n) || !n)
			return -EINVAL;
		cmd->seconds = n;
		return 0;
	default:
		return -EINVAL;
	}
}

static int klpsv_test_parse_opts(struct klpsv_test_cmd *cmd, char **tok,
				 int ntok)
{
	const struct klpsv_test_verb_desc *desc = cmd->desc;
	unsigned long seen = 0;
	char *val;
	int i, opt;

	for (i = 0; i < ntok; i++) {
		val = strchr(tok[i], '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		opt = match_string(klpsv_test_opt_names, KLPSV_TEST_NR_OPTS,
				   tok[i]);
		if (opt < 0 || !(desc->opts & BIT(opt)) || (seen & BIT(opt)))
			return -EINVAL;
		seen |= BIT(opt);
		if (klpsv_test_parse_opt(cmd, opt, val))
			return -EINVAL;
	}
	if ((seen & desc->required) != desc->required)
		return -EINVAL;
	return 0;
}

static int klpsv_test_parse(char *line, struct klpsv_test_cmd *cmd)
{
	const struct klpsv_test_verb_desc *desc = NULL;
	char *tok[KLPSV_TEST_MAX_TOKENS];
	int ntok = 0, nverb, i;
	char *s;

	while ((s = strsep(&line, " "))) {
		if (!*s)
			continue;
		if (ntok == KLPSV_TEST_MAX_TOKENS)
			return -EINVAL;
		tok[ntok++] = s;
	}
	if (!ntok)
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(klpsv_test_verbs); i++) {
		if (strcmp(tok[0], klpsv_test_verbs[i].word))
			continue;
		if (klpsv_test_verbs[i].sub &&
		    (ntok < 2 || strcmp(tok[1], klpsv_test_verbs[i].sub)))
			continue;
		desc = &klpsv_test_verbs[i];
		break;
	}
	if (!desc)
		return -EINVAL;
	nverb = desc->sub ? 2 : 1;
	if (ntok < nverb + desc->npos)
		return -EINVAL;

	*cmd = (struct klpsv_test_cmd) {
		.desc		= desc,
		.size		= KLPSV_TEST_OBJ_SIZE,
		.ctor		= { .mode = KLPSV_TEST_CTOR_NONE },
		.ctx		= KLPSV_TEST_CTX_PROCESS,
		.dtor		= true,
		.threads	= 2,
		.iterations	= 100000,
		.objects	= 16,
	};

	for (i = 0; i < desc->npos; i++)
		if (klpsv_test_parse_pos(cmd, desc->pos[i], tok[nverb + i]))
			return -EINVAL;
	if (klpsv_test_parse_opts(cmd, tok + nverb + desc->npos,
				  ntok - nverb - desc->npos))
		return -EINVAL;

	if (desc->verb == KLPSV_TEST_GET && cmd->len > KLPSV_TEST_DATA_MAX)
		return -EINVAL;
	if (desc->verb == KLPSV_TEST_SET && !cmd->len)
		return -EINVAL;
	return 0;
}

static size_t klpsv_test_shadow_result(char *buf, size_t size,
				       const struct klpsv_test_shadow_res *res)
{
	if (!res->ptr)
		return scnprintf(buf, size,
				 "found=0 ctor=%u ctor_ok=%d ctor_atomic=%d ctx_ok=%d nested=%u\n",
				 res->ctor, res->ctor_ok, res->ctor_atomic,
				 res->ctx_ok, res->nested);
	return scnprintf(buf, size,
			 "found=1 ptr=%p ctor=%u ctor_ok=%d ctor_atomic=%d ctx_ok=%d nested=%u data=%*phN\n",
			 res->ptr, res->ctor, res->ctor_ok, res->ctor_atomic,
			 res->ctx_ok, res->nested, (int)res->len, res->data);
}

static int klpsv_test_run(const struct klpsv_test_cmd *cmd, void *obj,
			  char *buf, size_t size, size_t *len)
{
	struct klpsv_test_shadow_res sres;
	struct klpsv_test_dtor_res dres;
	struct klpsv_test_race_res rres;
	struct klpsv_test_stress_res xres;
	void *ptr;
	int err;

	switch (cmd->desc->verb) {
	case KLPSV_TEST_OBJ_NEW:
		err = klpsv_test_obj_new(cmd->name, cmd->size, &ptr);
		if (err)
			return err;
		*len = scnprintf(buf, size, "obj=%s ptr=%p\n", cmd->name, ptr);
		return 0;
	case KLPSV_TEST_OBJ_DEL:
		err = klpsv_test_obj_del(cmd->name);
		if (err)
			return err;
		*len = scnprintf(buf, size, "obj=%s\n", cmd->name);
		return 0;
	case KLPSV_TEST_OBJ_LIST:
		*len = klpsv_test_obj_list(buf, size);
		return 0;
	case KLPSV_TEST_ALLOC:
	case KLPSV_TEST_ALLOC_HUGE:
	case KLPSV_TEST_GET_OR_ALLOC:
		err = klpsv_test_shadow_create(obj, cmd->id, cmd->size,
					       &cmd->ctor, cmd->ctx,
					       cmd->desc->verb == KLPSV_TEST_GET_OR_ALLOC,
					       &sres);
		if (err)
			return err;
		*len = klpsv_test_shadow_result(buf, size, &sres);
		return 0;
	case KLPSV_TEST_GET:
		klpsv_test_shadow_get(obj, cmd->id, cmd->len, &sres);
		*len = klpsv_test_shadow_result(buf, size, &sres);
		return 0;
	case KLPSV_TEST_SET:
		ptr = klpsv_test_shadow_set(obj, cmd->id, cmd->byte, cmd->len);
		if (ptr)
			*len = scnprintf(buf, size, "found=1 ptr=%p\n", ptr);
		else
			*len = scnprintf(buf, size, "found=0\n");
		return 0;
	case KLPSV_TEST_FREE:
	case KLPSV_TEST_FREE_ALL:
		if (cmd->desc->verb == KLPSV_TEST_FREE)
			klpsv_test_shadow_free(obj, cmd->id, cmd->dtor, cmd->ctx,
					       &dres);
		else
			klpsv_test_shadow_free_all(cmd->id, cmd->dtor, cmd->ctx,
						   &dres);
		*len = scnprintf(buf, size,
				 "dtor=%lu dtor_ok=%d dtor_atomic=%d ctx_ok=%d\n",
				 dres.calls, dres.ok, dres.atomic, dres.ctx_ok);
		return 0;
	case KLPSV_TEST_RACE:
		err = klpsv_test_race(cmd->id, cmd->threads, cmd->iterations,
				      cmd->objects, &rres);
		if (err)
			return err;
		*len = scnprintf(buf, size,
				 "ok=%d threads=%u iterations=%u gets=%lu hits=%lu ctor=%lu dtor=%lu errors=%lu\n",
				 !rres.errors && rres.ctor == rres.dtor,
				 cmd->threads, cmd->iterations, rres.gets,
				 rres.hits, rres.ctor, rres.dtor, rres.errors);
		return 0;
	case KLPSV_TEST_STRESS:
		err = klpsv_test_stress(cmd->id, cmd->seconds, cmd->threads,
					cmd->objects, &xres);
		if (err)
			return err;
		*len = scnprintf(buf, size,
				 "ok=%d seconds=%u threads=%u gets=%lu hits=%lu allocs=%lu atomic_allocs=%lu failed=%lu atomic_failed=%lu frees=%lu atomic_frees=%lu free_alls=%lu ctor=%lu dtor_run=%lu live=%lu dtor=%lu errors=%lu\n",
				 !xres.errors &&
				 xres.ctor == xres.dtor_run + xres.live &&
				 xres.ctor == xres.dtor,
				 cmd->seconds, cmd->threads, xres.gets, xres.hits,
				 xres.allocs, xres.atomic_allocs, xres.failed,
				 xres.atomic_failed, xres.frees, xres.atomic_frees,
				 xres.free_alls, xres.ctor, xres.dtor_run,
				 xres.live, xres.dtor, xres.errors);
		return 0;
	case KLPSV_TEST_HOLD:
	case KLPSV_TEST_RELEASE:
		err = cmd->desc->verb == KLPSV_TEST_HOLD ? klpsv_test_hold_start() :
							   klpsv_test_hold_stop();
		if (err)
			return err;
		*len = scnprintf(buf, size, "held=%d\n",
				 cmd->desc->verb == KLPSV_TEST_HOLD);
		return 0;
	}
	return -EINVAL;
}

/**
 * klpsv_test_ctl_exec() - parse and run one command
 * @line:	the command, NUL-terminated, without newline; modified
 * @result:	on success, the result line (kmalloc()ed, the caller frees it)
 * @len:	on success, its length
 *
 * On failure nothing was done.
 *
 * Context: process context, klpsv_test_mutex held; may sleep for as long as
 * the command runs.
 * Return: 0, -EINVAL for a malformed command, -ENOENT for an unknown parent
 * object, -EEXIST for "obj new" of an existing name, -ENOMEM, or an error of
 * "race" or "stress" (see klpsv_test_race() and klpsv_test_stress()).
 */
int klpsv_test_ctl_exec(char *line, char **result, size_t *len)
{
	struct klpsv_test_cmd cmd;
	void *obj = NULL;
	size_t size;
	char *buf;
	int err;

	lockdep_assert_held(&klpsv_test_mutex);

	err = klpsv_test_parse(line, &cmd);
	if (err)
		return err;

	if (cmd.desc->verb == KLPSV_TEST_OBJ_LIST)
		size = klpsv_test_obj_list_size();
	else
		size = KLPSV_TEST_RESULT_MAX;
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	if (cmd.name && cmd.desc->pos[0] == KLPSV_TEST_P_OBJ) {
		obj = klpsv_test_obj_find(cmd.name);
		if (!obj) {
			err = -ENOENT;
			goto err_free;
		}
	}

	err = klpsv_test_run(&cmd, obj, buf, size, len);
	if (err)
		goto err_free;

	*result = buf;
	return 0;

err_free:
	kfree(buf);
	return err;
}
