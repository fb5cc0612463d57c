// SPDX-License-Identifier: MIT
/*
 * FM-API benchmark: what one fabric-manager command costs end to end
 * through the emulated MCTP network (emu_mctp_open()): the requester
 * builds and tags the request, the channel frames it as an MCTP message,
 * the emulated switch decodes it, asks its model and encodes the answer,
 * and the requester checks and decodes that. Each figure is set against
 * a memcpy of the bytes that cross the channel (request and response
 * messages), measured in the same run, so the ratio means something on
 * any machine. Time is the median of several runs (CLOCK_MONOTONIC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include <doekit/fmapi.h>
#include <doekit/fmapi_tunnel.h>
#include <doekit/mctp.h>
#include "internal.h"

#define RUNS 9
#define ITERS 2000
#define MEMCPY_BYTES_PER_RUN (64u << 20)

#include "bench.h"

struct bench {
	struct doe_ctx *ctx;
	struct emu_topo *topo;
	struct mctp_chan *chan;
	struct fmapi_req *r, *inner;
	struct fmapi_port_state_req ps_req;
	struct fmapi_port_state_rsp ps_rsp;
};

enum op { OP_IDENTIFY_SWITCH, OP_PORT_STATE, OP_TUNNEL_LD_INFO, OP_RAW_IDENTIFY_SWITCH };

static const struct {
	const char *name;
	size_t bytes;	/* MCTP type byte + CCI messages, request plus response */
} ops[] = {
	[OP_IDENTIFY_SWITCH] = { "Identify Switch Device", 1 + 12 + 1 + 12 + 73 },
	[OP_PORT_STATE] = { "Get Physical Port State (3 ports)", 1 + 12 + 4 + 1 + 12 + 4 + 48 },
	[OP_TUNNEL_LD_INFO] = { "Get LD Info, tunnelled to port 1",
				1 + 12 + 4 + 12 + 1 + 12 + 4 + 12 + 11 },
	[OP_RAW_IDENTIFY_SWITCH] = { "Identify Switch Device, no requester",
				     1 + 12 + 1 + 12 + 73 },
};

/* The channel and responder alone: a pre-built request, no checks. */
static int raw_identify_switch(struct bench *b)
{
	static const uint8_t req[12] = { 0, 1, 0, 0x00, 0x51 };
	uint8_t rsp[128];
	size_t len;

	return mctp_exchange(b->chan, MCTP_TYPE_FMAPI, req, sizeof(req), rsp, sizeof(rsp), &len);
}

static int run_op(struct bench *b, enum op op)
{
	struct fmapi_switch_info si;
	uint8_t out[64];
	size_t len;

	switch (op) {
	case OP_IDENTIFY_SWITCH:
		return fmapi_identify_switch(b->r, b->chan, &si);
	case OP_PORT_STATE:
		return fmapi_port_state(b->r, b->chan, &b->ps_req, &b->ps_rsp);
	case OP_TUNNEL_LD_INFO:
		return fmapi_tunnel(b->r, b->inner, b->chan, 1, FMAPI_OP_GET_LD_INFO, NULL, 0, out,
				    sizeof(out), &len);
	case OP_RAW_IDENTIFY_SWITCH:
		return raw_identify_switch(b);
	}
	return -EINVAL;
}

/* Median ns of one round trip */
static double time_op(struct bench *b, enum op op)
{
	uint64_t t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = doe_now_ns();

		for (int i = 0; i < ITERS; i++) {
			if (run_op(b, op)) {
				fprintf(stderr, "%s failed: %s\n", ops[op].name,
					doe_ctx_errmsg(b->ctx));
				exit(1);
			}
		}
		t[r] = doe_now_ns() - t0;
	}
	return (double)bench_median(t, RUNS) / ITERS;
}

int main(void)
{
	static struct bench b;
	static uint8_t src[256], dst[256];

	if (doe_ctx_new(&b.ctx) || emu_topo_new(b.ctx, "cxl-switch", &b.topo) ||
	    emu_mctp_open(b.topo, EMU_MCTP_SWITCH_EID, &b.chan) || fmapi_req_new(b.ctx, &b.r) ||
	    fmapi_req_new(b.ctx, &b.inner)) {
		fprintf(stderr, "setup: %s\n", doe_ctx_errmsg(b.ctx));
		return 1;
	}
	b.ps_req.num_ports = 3;
	b.ps_req.ports[1] = 1;
	b.ps_req.ports[2] = 2;
	memset(src, 0x5A, sizeof(src));
	printf("FM-API round trips through the emulated MCTP network (emu/mctp:8), median of %d "
	       "runs of %d\n\n", RUNS, ITERS);
	printf("| command | bytes | round trip | memcpy of the bytes | round trip / memcpy |\n");
	printf("|---------|------:|-----------:|--------------------:|--------------------:|\n");
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		double rt = time_op(&b, (enum op)i);
		double mc = bench_time_memcpy(dst, src, ops[i].bytes, MEMCPY_BYTES_PER_RUN);

		printf("| %s | %zu | %.0f ns | %.1f ns | %.0f |\n", ops[i].name, ops[i].bytes,
		       rt, mc, rt / mc);
	}
	fmapi_req_free(b.r);
	fmapi_req_free(b.inner);
	mctp_chan_free(b.chan);
	emu_topo_free(b.topo);
	doe_ctx_free(b.ctx);
	return 0;
}
