// SPDX-License-Identifier: MIT
/*
 * Mailbox benchmark: what one DOE exchange costs, in config accesses and in
 * time, through the register-level emulator.
 *
 * Two directions per object size, so that each side of the protocol can be
 * read on its own:
 *   response  a 1-DW request asks for N bytes back (CDAT and certificate
 *             reads look like this)
 *   request   N bytes go out, 4 bytes come back (measurements, large
 *             requests)
 * Accesses are counted by register with a pass-through backend, so the
 * aim of docs/design.md ("Cost per exchange") can be checked: one write
 * per request DW, one read and one pop per response DW, a constant number
 * of Status reads. Time is the median of several runs with CLOCK_MONOTONIC,
 * and is set against a memcpy of the same bytes measured in the same run,
 * so the ratio means something on any machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/emu.h>

#define BENCH_VID 0x1234u
#define BENCH_TYPE 0x43u
#define RUNS 7
#define BYTES_PER_RUN (4u << 20)	/* exchanges per run: about 4 MiB moved */
#define MEMCPY_BYTES_PER_RUN (256u << 20)

#include "bench.h"

/* The responder: the first request DW says how many bytes to send back. */
static int source_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			  size_t rsp_cap, size_t *rsp_len)
{
	struct doe_rd r;
	uint32_t want;

	(void)priv;
	doe_rd_init(&r, req, req_len);
	if (doe_rd_le32(&r, &want) || want > rsp_cap)
		return -EINVAL;
	memset(rsp, 0x5A, want);
	*rsp_len = want;
	return 0;
}

/* ---- counting backend: classifies every access by DOE register ---- */

struct counts {
	uint64_t write_mb;	/* writes of Write Data Mailbox: request DWs */
	uint64_t read_mb;	/* reads of Read Data Mailbox: response DWs */
	uint64_t pops;		/* writes of Read Data Mailbox */
	uint64_t status;	/* reads of Status */
	uint64_t ctrl;		/* writes of Control (Go, Abort) */
};

struct counter {
	struct doe_cfg *inner;
	uint16_t base;
	struct counts c;
};

static int count_read32(void *priv, uint16_t off, uint32_t *val)
{
	struct counter *k = priv;

	if (off == k->base + DOE_REG_READ)
		k->c.read_mb++;
	else if (off == k->base + DOE_REG_STATUS)
		k->c.status++;
	return doe_cfg_read32(k->inner, off, val);
}

static int count_write32(void *priv, uint16_t off, uint32_t val)
{
	struct counter *k = priv;

	if (off == k->base + DOE_REG_WRITE)
		k->c.write_mb++;
	else if (off == k->base + DOE_REG_READ)
		k->c.pops++;
	else if (off == k->base + DOE_REG_CTRL)
		k->c.ctrl++;
	return doe_cfg_write32(k->inner, off, val);
}

static const struct doe_cfg_ops count_ops = { .read32 = count_read32, .write32 = count_write32 };

/* ---- the measured setup ---- */

struct bench {
	struct doe_ctx *ctx;
	struct emu_fn *fn;
	struct emu_mb *emb;
	struct doe_cfg *cfg;		/* the emulated function, for timing */
	struct doe_cfg *count_cfg;	/* the same, through the counter */
	struct doe_mb *mb, *count_mb;
	struct counter counter;
	uint8_t *req, *rsp;
};

static int bench_open(struct bench *b)
{
	struct emu_fn_info info = { .bdf = { 0, 0x0d, 0, 0 }, .port_type = EMU_PCIE_ENDPOINT };
	int rc;

	memset(b, 0, sizeof(*b));
	b->req = calloc(1, DOE_MAX_PAYLOAD);
	b->rsp = calloc(1, DOE_MAX_PAYLOAD);
	if (!b->req || !b->rsp || doe_ctx_new(&b->ctx))
		return -ENOMEM;
	if ((rc = emu_fn_new(b->ctx, &info, &b->fn)) || (rc = emu_fn_add_doe(b->fn, 2, false, &b->emb)) ||
	    (rc = emu_mb_add_protocol(b->emb, BENCH_VID, BENCH_TYPE, source_handler, NULL)) ||
	    (rc = emu_fn_cfg_open(b->fn, &b->cfg)))
		return rc;
	b->counter.inner = b->cfg;
	b->counter.base = emu_mb_offset(b->emb);
	if ((rc = doe_cfg_new(b->ctx, &count_ops, &b->counter, "counter", &b->count_cfg)) ||
	    (rc = doe_mb_new(b->cfg, b->counter.base, &b->mb)) ||
	    (rc = doe_mb_new(b->count_cfg, b->counter.base, &b->count_mb)))
		return rc;
	return 0;
}

static void bench_close(struct bench *b)
{
	doe_mb_free(b->count_mb);
	doe_mb_free(b->mb);
	doe_cfg_free(b->count_cfg);
	doe_cfg_free(b->cfg);
	emu_fn_free(b->fn);
	doe_ctx_free(b->ctx);
	free(b->req);
	free(b->rsp);
}

enum dir { DIR_RESPONSE, DIR_REQUEST };

struct shape {
	size_t req_len, rsp_len;
};

static struct shape shape_of(enum dir d, size_t n)
{
	return d == DIR_RESPONSE ? (struct shape){ 4, n } : (struct shape){ n, 4 };
}

static int exchange(struct bench *b, struct doe_mb *mb, struct shape s)
{
	size_t got = 0;
	int rc;

	doe_put_le32(b->req, (uint32_t)s.rsp_len);
	rc = doe_exchange(mb, BENCH_VID, BENCH_TYPE, b->req, s.req_len, b->rsp, s.rsp_len, &got);
	if (rc == 0 && got != s.rsp_len)
		rc = -EPROTO;
	if (rc)
		fprintf(stderr, "exchange failed (%d): %s\n", rc, doe_ctx_errmsg(b->ctx));
	return rc;
}

/* Median time of one exchange, in ns (fractional). */
static int time_exchange(struct bench *b, struct shape s, size_t n, double *ns)
{
	size_t iters = BYTES_PER_RUN / n ? BYTES_PER_RUN / n : 1;
	uint64_t t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = doe_now_ns();

		for (size_t i = 0; i < iters; i++)
			if (exchange(b, b->mb, s))
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

struct row {
	const char *object;
	enum dir dir;
	size_t n;
	uint64_t req_dw, rsp_dw;	/* whole objects, header included */
	struct doe_cfg_stats st;
	struct counts c;
	double ns, memcpy_ns;
};

static int measure(struct bench *b, struct row *row)
{
	struct shape s = shape_of(row->dir, row->n);

	row->req_dw = 2 + (s.req_len + 3) / 4;
	row->rsp_dw = 2 + (s.rsp_len + 3) / 4;
	/* one counted exchange: accesses are the same every time */
	memset(&b->counter.c, 0, sizeof(b->counter.c));
	doe_cfg_stats_reset(b->count_cfg);
	if (exchange(b, b->count_mb, s))
		return -1;
	doe_cfg_stats(b->count_cfg, &row->st);
	row->c = b->counter.c;
	if (time_exchange(b, s, row->n, &row->ns))
		return -1;
	row->memcpy_ns = bench_time_memcpy(b->rsp, b->req, row->n, MEMCPY_BYTES_PER_RUN);
	return 0;
}

static void print_counts(const struct row *rows, size_t n)
{
	printf("Config accesses per exchange (doe_cfg_stats; per-register split by a counting "
	       "backend)\n\n");
	printf("%-8s %-9s %8s %8s %9s %9s %11s %10s %10s %7s %7s\n", "object", "direction",
	       "req DW", "rsp DW", "cfg reads", "cfg writes", "wr/req DW", "rd/rsp DW",
	       "pop/rspDW", "Status", "Control");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		printf("%-8s %-9s %8llu %8llu %9llu %9llu %11.4f %10.4f %10.4f %7llu %7llu\n",
		       r->object, r->dir == DIR_RESPONSE ? "response" : "request",
		       (unsigned long long)r->req_dw, (unsigned long long)r->rsp_dw,
		       (unsigned long long)r->st.reads, (unsigned long long)r->st.writes,
		       (double)r->c.write_mb / (double)r->req_dw,
		       (double)r->c.read_mb / (double)r->rsp_dw,
		       (double)r->c.pops / (double)r->rsp_dw, (unsigned long long)r->c.status,
		       (unsigned long long)r->c.ctrl);
	}
}

static void print_times(const struct row *rows, size_t n)
{
	printf("\nTime per exchange (median of %d runs) against memcpy of the same bytes\n\n", RUNS);
	printf("%-8s %-9s %12s %10s %12s %10s %12s\n", "object", "direction", "exchange",
	       "ns/DW", "memcpy", "ratio", "MB/s");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char t1[32], t2[32];
		double dw = (double)(r->req_dw + r->rsp_dw);

		fmt_time(t1, sizeof(t1), r->ns);
		fmt_time(t2, sizeof(t2), r->memcpy_ns);
		printf("%-8s %-9s %12s %10.2f %12s %10.0f %12.1f\n", r->object,
		       r->dir == DIR_RESPONSE ? "response" : "request", t1, r->ns / dw, t2,
		       r->ns / r->memcpy_ns, (double)r->n / (r->ns / 1e9) / 1e6);
	}
}

int main(void)
{
	/* "1 MiB" is the largest object: 2^18 DW including the header */
#define ROW(obj, d, bytes) { .object = obj, .dir = d, .n = bytes }
	struct row rows[] = {
		ROW("1 KiB", DIR_RESPONSE, 1024), ROW("1 KiB", DIR_REQUEST, 1024),
		ROW("64 KiB", DIR_RESPONSE, 65536), ROW("64 KiB", DIR_REQUEST, 65536),
		ROW("1 MiB", DIR_RESPONSE, DOE_MAX_PAYLOAD), ROW("1 MiB", DIR_REQUEST, DOE_MAX_PAYLOAD),
	};
#undef ROW
	struct bench b;
	int rc = 1;

	if (bench_open(&b)) {
		fprintf(stderr, "doe_bench_mailbox: setup failed: %s\n",
			b.ctx ? doe_ctx_errmsg(b.ctx) : "out of memory");
		goto out;
	}
	printf("doe_bench_mailbox: emulated DOE mailbox, register by register; "
	       "\"1 MiB\" = %zu-byte payload (2^18 DW object)\n\n", (size_t)DOE_MAX_PAYLOAD);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (measure(&b, &rows[i]))
			goto out;
	print_counts(rows, sizeof(rows) / sizeof(rows[0]));
	print_times(rows, sizeof(rows) / sizeof(rows[0]));
	rc = 0;
out:
	bench_close(&b);
	return rc;
}
