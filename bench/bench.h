/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark shares: medians of runs and the memcpy baseline
 * each figure is set against. Times come from doe_now_ns()
 * (CLOCK_MONOTONIC). A benchmark defines RUNS before including this.
 */
#ifndef DOEKIT_BENCH_H
#define DOEKIT_BENCH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/doe.h>

#ifndef RUNS
#error "define RUNS before including bench.h"
#endif

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v in place. */
static inline uint64_t bench_median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	return v[n / 2];
}

/* Called through a volatile pointer so the copy cannot be optimized away. */
static void *(*volatile bench_copy)(void *, const void *, size_t) = memcpy;

/* Median time of one memcpy of n bytes, in ns (fractional), copying about
 * total bytes per run. */
static inline double bench_time_memcpy(uint8_t *dst, const uint8_t *src, size_t n, size_t total)
{
	size_t iters = total / n ? total / n : 1;
	uint64_t t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = doe_now_ns();

		for (size_t i = 0; i < iters; i++)
			bench_copy(dst, src, n);
		t[r] = doe_now_ns() - t0;
	}
	return (double)bench_median(t, RUNS) / (double)iters;
}

#endif
