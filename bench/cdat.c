// SPDX-License-Identifier: MIT
/*
 * CDAT benchmark, each figure beside a memcpy of the same bytes measured in
 * the same run (compare ratios between machines, not times):
 *   read + decode  a 4 KiB CDAT fetched entry by entry with Table Access
 *                  through the register-level emulated mailbox (cdat_read),
 *                  then parsed and validated (cdat_parse)
 *   decode         a 64 KiB table parsed and validated (cdat_parse)
 * Both tables are valid: one DSMAS per 16 DSLBIS, so every reference is
 * checked and resolved. Times are medians of RUNS runs, CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cdat.h>
#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/doe.h>
#include <doekit/emu.h>

#define RUNS 7
#define WORK_BYTES_PER_RUN (2u << 20)	/* table bytes handled per run */
#define MEMCPY_BYTES_PER_RUN (256u << 20)

#include "bench.h"

/* A valid table of exactly len bytes: 16 + 24 × n structures. */
static int build_table(struct doe_ctx *ctx, size_t len, uint8_t **out, size_t *out_len)
{
	size_t n = (len - CDAT_HEADER_LEN) / CDAT_DSLBIS_LEN, ndsmas = (n + 16) / 17;
	struct cdat_struct *s = calloc(n, sizeof(*s));
	struct cdat_table t = { .hdr = { .revision = 1 }, .structs = s, .n_structs = n };
	int rc;

	if (!s)
		return -ENOMEM;
	if (ndsmas > 256)
		ndsmas = 256;
	for (size_t i = 0; i < n; i++) {
		if (i < ndsmas) {
			s[i].type = CDAT_DSMAS;
			s[i].u.dsmas.dsmad_handle = (uint8_t)i;
			s[i].u.dsmas.dpa_base = (uint64_t)i << 28;
			s[i].u.dsmas.dpa_length = 1ull << 28;
		} else {
			s[i].type = CDAT_DSLBIS;
			s[i].u.dslbis.handle = (uint8_t)(i % ndsmas);
			s[i].u.dslbis.data_type = (uint8_t)(i % 6);
			s[i].u.dslbis.entry_base_unit = 1000;
			s[i].u.dslbis.entry[0] = (uint16_t)(100 + i % 50);
		}
		s[i].decoded = true;
	}
	rc = cdat_encode_alloc(ctx, &t, out, out_len);
	free(s);
	return rc;
}

/* One parse + validation; 0 when the table came out clean. */
static int decode(struct doe_ctx *ctx, const uint8_t *buf, size_t len)
{
	struct cdat_table *t = NULL;
	int rc = cdat_parse(ctx, buf, len, &t);

	if (rc == 0 && (t->n_errors || t->n_warnings))
		rc = -EBADMSG;
	cdat_table_free(t);
	return rc;
}

static int read_decode(struct doe_ctx *ctx, struct doe_mb *mb, size_t want)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = cdat_read(mb, &buf, &len);

	if (rc == 0 && len != want)
		rc = -EPROTO;
	if (rc == 0)
		rc = decode(ctx, buf, len);
	free(buf);
	return rc;
}

static int time_read_decode(struct doe_ctx *ctx, struct doe_mb *mb, size_t len, double *ns)
{
	size_t iters = WORK_BYTES_PER_RUN / len;
	uint64_t t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = doe_now_ns();

		for (size_t i = 0; i < iters; i++)
			if (read_decode(ctx, mb, len))
				return -1;
		t[r] = doe_now_ns() - t0;
	}
	*ns = (double)bench_median(t, RUNS) / (double)iters;
	return 0;
}

static int time_decode(struct doe_ctx *ctx, const uint8_t *buf, size_t len, double *ns)
{
	size_t iters = WORK_BYTES_PER_RUN / len;
	uint64_t t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = doe_now_ns();

		for (size_t i = 0; i < iters; i++)
			if (decode(ctx, buf, len))
				return -1;
		t[r] = doe_now_ns() - t0;
	}
	*ns = (double)bench_median(t, RUNS) / (double)iters;
	return 0;
}

static void fmt_time(char *buf, size_t len, double ns)
{
	if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else
		snprintf(buf, len, "%.1f ns", ns);
}

static void row(const char *what, size_t len, size_t entries, double ns, double memcpy_ns)
{
	char t1[32], t2[32];

	fmt_time(t1, sizeof(t1), ns);
	fmt_time(t2, sizeof(t2), memcpy_ns);
	printf("%-14s %7zu %8zu %12s %10.1f %12s %9.0f %9.1f\n", what, len, entries, t1,
	       ns / (double)entries, t2, ns / memcpy_ns, (double)len / (ns / 1e9) / 1e6);
}

int main(void)
{
	struct emu_fn_info info = { .bdf = { 0, 0x0f, 0, 0 }, .port_type = EMU_PCIE_ENDPOINT,
				    .label = "bench" };
	struct doe_ctx *ctx = NULL;
	struct emu_fn *fn = NULL;
	struct emu_mb *emb;
	struct doe_cfg *cfg = NULL;
	struct doe_mb *mb = NULL;
	struct doe_cfg_stats st;
	uint8_t *small = NULL, *big = NULL, *dst = NULL;
	size_t small_len = 0, big_len = 0;
	double rd_ns, dec_ns, cp_small, cp_big;
	int rc = 1;

	if (doe_ctx_new(&ctx) || build_table(ctx, 4096, &small, &small_len) ||
	    build_table(ctx, 65536, &big, &big_len) || !(dst = malloc(big_len)) ||
	    emu_fn_new(ctx, &info, &fn) || emu_fn_add_doe(fn, 1, false, &emb) ||
	    emu_mb_add_protocol(emb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, NULL, NULL) ||
	    emu_fn_set_cdat(fn, small, small_len) || emu_fn_cfg_open(fn, &cfg) ||
	    doe_mb_new(cfg, emu_mb_offset(emb), &mb)) {
		fprintf(stderr, "doe_bench_cdat: setup failed: %s\n",
			ctx ? doe_ctx_errmsg(ctx) : "out of memory");
		goto out;
	}
	/* one counted read: the accesses are the same every time */
	doe_cfg_stats_reset(cfg);
	if (read_decode(ctx, mb, small_len))
		goto fail;
	doe_cfg_stats(cfg, &st);

	if (time_read_decode(ctx, mb, small_len, &rd_ns))
		goto fail;
	cp_small = bench_time_memcpy(dst, small, small_len, MEMCPY_BYTES_PER_RUN);
	if (time_decode(ctx, big, big_len, &dec_ns))
		goto fail;
	cp_big = bench_time_memcpy(dst, big, big_len, MEMCPY_BYTES_PER_RUN);

	printf("doe_bench_cdat: CDAT read through the emulated DOE mailbox, and decode\n\n");
	printf("read of %zu bytes: %zu entries (header + %zu structures), %llu config reads, "
	       "%llu config writes\n\n", small_len, 1 + (small_len - 16) / 24,
	       (small_len - 16) / 24, (unsigned long long)st.reads, (unsigned long long)st.writes);
	printf("%-14s %7s %8s %12s %10s %12s %9s %9s\n", "", "bytes", "entries", "time",
	       "ns/entry", "memcpy", "ratio", "MB/s");
	row("read + decode", small_len, 1 + (small_len - 16) / 24, rd_ns, cp_small);
	row("decode", big_len, 1 + (big_len - 16) / 24, dec_ns, cp_big);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "doe_bench_cdat: %s\n", doe_ctx_errmsg(ctx));
out:
	doe_mb_free(mb);
	doe_cfg_free(cfg);
	emu_fn_free(fn);
	free(small);
	free(big);
	free(dst);
	doe_ctx_free(ctx);
	return rc;
}
