// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse.c - klpsv_bench.ko: the run command written to the ctl file
 */

#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "bench.h"

/**
 * DOC: the run command
 *
 * One line: "WORKLOAD IMPL key=value...", WORKLOAD one of get_hit, get_miss,
 * alloc_free, free_all, spin, IMPL klpsv or kernel, and the keys live (1 to
 * BENCH_LIVE_MAX, required), ops (1 to BENCH_OPS_MAX, default 100000),
 * reps (1 to BENCH_REPS_MAX, default 5), threads (1 to the online CPUs and
 * BENCH_THREADS_MAX, get_hit, alloc_free and spin only, default 1), ms (0
 * to BENCH_MS_MAX, default 0; not 0: time-boxed repetitions, get_hit,
 * alloc_free and spin only) and seed (default 1), each at most once.
 *
 * Or the memory commands (see hold.c): "hold IMPL live=N [ids=N]
 * [churn=N]", ids 1 to BENCH_IDS_MAX (default 1), live times ids at most
 * BENCH_LIVE_MAX, churn 0 to BENCH_OPS_MAX (default 0), and "release IMPL",
 * which takes no key.
 *
 * Numbers are decimal. Anything else is -EINVAL.
 *
 * spin touches no store: its operation is arithmetic on registers, about as
 * long as a get under emulation, so that its throughput on 2 threads over 1
 * is what the machine gives two CPUs that share nothing. It is the ceiling
 * of every scaling figure of the same boot. IMPL only labels it; the store
 * is populated with @live shadows all the same, as for the runs it is
 * compared with.
 */

const char * const bench_workload_names[BENCH_NR_WORKLOADS] = {
	[BENCH_GET_HIT]		= "get_hit",
	[BENCH_GET_MISS]	= "get_miss",
	[BENCH_ALLOC_FREE]	= "alloc_free",
	[BENCH_FREE_ALL]	= "free_all",
	[BENCH_SPIN]		= "spin",
	[BENCH_HOLD]		= "hold",
	[BENCH_RELEASE]		= "release",
};

const char * const bench_impl_names[BENCH_NR_IMPLS] = {
	[BENCH_KLPSV]	= "klpsv",
	[BENCH_KERNEL]	= "kernel",
};

static int bench_number(const char *text, u64 min, u64 max, u64 *value)
{
	if (!isdigit(*text) || kstrtou64(text, 10, value))
		return -EINVAL;
	return *value < min || *value > max ? -EINVAL : 0;
}

/**
 * bench_parse() - parse a run command
 * @line:	the command, NUL-terminated; split in place
 * @params:	filled on success
 *
 * Return: 0, or -EINVAL for a malformed command.
 */
int bench_parse(char *line, struct bench_params *params)
{
	unsigned int threads_max = min_t(unsigned int, num_online_cpus(), BENCH_THREADS_MAX);
	bool seen_live = false, seen_ops = false, seen_reps = false;
	bool seen_threads = false, seen_ms = false, seen_seed = false;
	bool seen_ids = false, seen_churn = false;
	char *token, *value;
	u64 number;
	int i;

	*params = (struct bench_params) {
		.ops = 100000, .reps = 5, .threads = 1, .seed = 1, .ids = 1,
	};
	token = strsep(&line, " ");
	i = token ? match_string(bench_workload_names, BENCH_NR_WORKLOADS, token) : -EINVAL;
	if (i < 0)
		return -EINVAL;
	params->workload = i;
	token = strsep(&line, " ");
	i = token ? match_string(bench_impl_names, BENCH_NR_IMPLS, token) : -EINVAL;
	if (i < 0)
		return -EINVAL;
	params->impl = i;

	while ((token = strsep(&line, " "))) {
		bool *seen;

		value = strchr(token, '=');
		if (!value)
			return -EINVAL;
		*value++ = '\0';
		if (!strcmp(token, "live")) {
			seen = &seen_live;
			if (bench_number(value, 1, BENCH_LIVE_MAX, &number))
				return -EINVAL;
			params->live = number;
		} else if (!strcmp(token, "ops")) {
			seen = &seen_ops;
			if (bench_number(value, 1, BENCH_OPS_MAX, &number))
				return -EINVAL;
			params->ops = number;
		} else if (!strcmp(token, "reps")) {
			seen = &seen_reps;
			if (bench_number(value, 1, BENCH_REPS_MAX, &number))
				return -EINVAL;
			params->reps = number;
		} else if (!strcmp(token, "threads")) {
			seen = &seen_threads;
			if (bench_number(value, 1, threads_max, &number))
				return -EINVAL;
			params->threads = number;
		} else if (!strcmp(token, "ms")) {
			seen = &seen_ms;
			if (bench_number(value, 0, BENCH_MS_MAX, &number))
				return -EINVAL;
			params->ms = number;
		} else if (!strcmp(token, "seed")) {
			seen = &seen_seed;
			if (bench_number(value, 0, U64_MAX, &params->seed))
				return -EINVAL;
		} else if (!strcmp(token, "ids")) {
			seen = &seen_ids;
			if (bench_number(value, 1, BENCH_IDS_MAX, &number))
				return -EINVAL;
			params->ids = number;
		} else if (!strcmp(token, "churn")) {
			seen = &seen_churn;
			if (bench_number(value, 0, BENCH_OPS_MAX, &number))
				return -EINVAL;
			params->churn = number;
		} else {
			return -EINVAL;
		}
		if (*seen)
			return -EINVAL;
		*seen = true;
	}
	if (params->workload == BENCH_RELEASE)
		return seen_live || seen_ops || seen_reps || seen_threads ||
		       seen_ms || seen_seed || seen_ids || seen_churn ? -EINVAL : 0;
	if (!seen_live)
		return -EINVAL;
	/* At most BENCH_LIVE_MAX shadows in all: a hold must not OOM the VM. */
	if (params->workload == BENCH_HOLD)
		return seen_ops || seen_reps || seen_threads || seen_ms || seen_seed ||
		       params->live * params->ids > BENCH_LIVE_MAX ? -EINVAL : 0;
	if (seen_ids || seen_churn)
		return -EINVAL;
	if ((params->threads > 1 || params->ms) &&
	    params->workload != BENCH_GET_HIT &&
	    params->workload != BENCH_ALLOC_FREE &&
	    params->workload != BENCH_SPIN)
		return -EINVAL;
	return 0;
}
