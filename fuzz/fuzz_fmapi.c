// SPDX-License-Identifier: MIT
/*
 * Every FM-API decoder on fuzzer input. The first byte picks the decoder
 * (and, for Get Virtual CXL Switch Info, the next two are the request's
 * start vPPB and list limit); the rest is the payload or message. What a
 * decoder accepts must survive encode + decode unchanged, and a refusal
 * must carry a message. The requester's response check runs on the same
 * bytes as a whole CCI message, and the blocking requester runs against a
 * device whose answers are the input (length-prefixed chunks), on a fake
 * clock: it must end, whatever the answers.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/fmapi.h>
#include <doekit/mctp.h>
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { D_HDR, D_IDENTIFY, D_BG, D_LIMIT, D_SWITCH, D_PS_REQ, D_PS_RSP, D_PC, D_PPB_REQ,
       D_PPB_RSP, D_VCS_REQ, D_VCS_RSP, D_BIND, D_UNBIND, D_LD, D_RSP_CHECK, D_EXCHANGE, D_COUNT };

/* the big ones live on the heap, zeroed, so padding compares equal */
struct all {
	struct fmapi_hdr h;
	struct fmapi_identify id;
	struct fmapi_bg_status bg;
	uint8_t n;
	struct fmapi_switch_info sw;
	struct fmapi_port_state_req psq;
	struct fmapi_port_state_rsp psr;
	struct fmapi_port_control pc;
	struct fmapi_ppb_config ppb;
	uint32_t data;
	struct fmapi_vcs_info_req vq;
	struct fmapi_vcs_info_rsp vr;
	struct fmapi_bind bind;
	struct fmapi_unbind unbind;
	struct fmapi_ld_info ld;
};

static uint8_t enc[70000];

/* decode in into a, encode a, decode that into b: a and b must agree */
#define ROUND(dec, encf, field)                                                         \
	do {                                                                            \
		size_t l_;                                                              \
		if (dec(ctx, in, len, &a->field) < 0) {                                 \
			if (!doe_ctx_errmsg(ctx)[0])                                    \
				__builtin_trap();                                       \
			break;                                                          \
		}                                                                       \
		if (encf(ctx, &a->field, enc, sizeof(enc), &l_) < 0)                    \
			__builtin_trap();                                               \
		if (dec(ctx, enc, l_, &b->field) < 0 ||                                 \
		    memcmp(&a->field, &b->field, sizeof(a->field)))                     \
			__builtin_trap();                                               \
	} while (0)

/* --- the blocking requester against answers from the input --- */
struct script {
	struct doe_ctx *ctx;
	const uint8_t *p;
	size_t len, off;
	unsigned calls;
};

static int script_exchange(void *priv, const void *req, size_t req_len, void *rsp, size_t cap,
			   size_t *rsp_len)
{
	struct script *s = priv;
	uint8_t *o = rsp;
	size_t n;

	(void)req;
	(void)req_len;
	s->calls++;
	if (s->off >= s->len)
		return doe_err(s->ctx, -EIO, "fuzz: no more answers");
	n = s->p[s->off++];
	if (n > s->len - s->off)
		n = s->len - s->off;
	if (n + 1 > cap)
		return doe_err(s->ctx, -EMSGSIZE, "fuzz: answer too long");
	o[0] = MCTP_TYPE_FMAPI;
	memcpy(o + 1, s->p + s->off, n);
	s->off += n;
	*rsp_len = n + 1;
	return 0;
}

static uint64_t fake_now(void *priv)
{
	return *(uint64_t *)priv;
}

static void fake_sleep(void *priv, unsigned ms)
{
	*(uint64_t *)priv += ms;
}

static void exchange(struct doe_ctx *ctx, const uint8_t *in, size_t len, struct all *a)
{
	static const struct mctp_chan_ops ops = { .exchange = script_exchange };
	struct script s = { .ctx = ctx, .p = in + 1, .len = len ? len - 1 : 0 };
	uint64_t now = 0;
	struct fmapi_clock clk = { fake_now, fake_sleep, &now };
	struct fmapi_bind b = { .vppb_id = 1, .port_id = 2, .ld_id = FMAPI_LD_NONE };
	struct fmapi_vcs_info_req vq = { .start_vppb = 0, .vppb_limit = 4, .num_vcs = 2,
					 .vcs_ids = { 0, 1 } };
	struct fmapi_port_state_req pq = { .num_ports = 2, .ports = { 0, 1 } };
	struct mctp_chan *chan;
	struct fmapi_req *r;
	int rc;

	if (!len || mctp_chan_new(ctx, &ops, &s, "fuzz", &chan) < 0)
		return;
	if (fmapi_req_new(ctx, &r) < 0) {
		mctp_chan_free(chan);
		return;
	}
	fmapi_req_set_clock(r, &clk);
	switch (in[0] % 6) {
	case 0:
		rc = fmapi_bind(r, chan, &b);
		break;
	case 1:
		rc = fmapi_vcs_info(r, chan, &vq, &a->vr);
		break;
	case 2:
		rc = fmapi_port_state(r, chan, &pq, &a->psr);
		break;
	case 3:
		rc = fmapi_identify(r, chan, &a->id);
		break;
	case 4:
		rc = fmapi_set_msg_limit(r, chan, 9, NULL);
		break;
	default:
		rc = fmapi_ld_info(r, chan, &a->ld);
		break;
	}
	/* every failure explained; no more polls than the deadline allows */
	if ((rc < 0 && !doe_ctx_errmsg(ctx)[0]) || rc > 0 || s.calls > 1 + 4 * 1002 ||
	    now > 3 * 10000 + 1000)
		__builtin_trap();
	fmapi_req_free(r);
	mctp_chan_free(chan);
}

static void one(struct doe_ctx *ctx, unsigned which, const uint8_t *in, size_t len,
		struct all *a, struct all *b)
{
	switch (which) {
	case D_HDR: {
		const uint8_t *p;
		size_t plen;

		if (fmapi_msg_decode(ctx, in, len, &a->h, &p, &plen) < 0)
			break;
		if (a->h.category > 1 || plen != a->h.payload_len || plen + FMAPI_HDR_LEN != len)
			__builtin_trap();
		if (fmapi_msg_encode(ctx, &a->h, p, plen, enc, sizeof(enc), &plen) < 0 ||
		    plen != len)
			__builtin_trap();
		break;
	}
	case D_IDENTIFY:
		ROUND(fmapi_identify_rsp_decode, fmapi_identify_rsp_encode, id);
		break;
	case D_BG:
		ROUND(fmapi_bg_status_rsp_decode, fmapi_bg_status_rsp_encode, bg);
		break;
	case D_LIMIT: {
		size_t l;

		if (fmapi_msg_limit_decode(ctx, in, len, &a->n) < 0)
			break;
		if (fmapi_msg_limit_encode(ctx, a->n, enc, sizeof(enc), &l) < 0 || l != 1 ||
		    enc[0] != a->n)
			__builtin_trap();
		break;
	}
	case D_SWITCH:
		ROUND(fmapi_switch_rsp_decode, fmapi_switch_rsp_encode, sw);
		break;
	case D_PS_REQ:
		ROUND(fmapi_port_state_req_decode, fmapi_port_state_req_encode, psq);
		break;
	case D_PS_RSP:
		ROUND(fmapi_port_state_rsp_decode, fmapi_port_state_rsp_encode, psr);
		break;
	case D_PC:
		ROUND(fmapi_port_control_req_decode, fmapi_port_control_req_encode, pc);
		break;
	case D_PPB_REQ: {
		size_t l;

		if (fmapi_ppb_config_req_decode(ctx, in, len, &a->ppb) < 0)
			break;
		if (fmapi_ppb_config_req_encode(ctx, &a->ppb, enc, sizeof(enc), &l) < 0 ||
		    fmapi_ppb_config_req_decode(ctx, enc, l, &b->ppb) < 0)
			__builtin_trap();
		if (!a->ppb.write)	/* a read's data field is sent as zero */
			a->ppb.data = 0;
		if (memcmp(&a->ppb, &b->ppb, sizeof(a->ppb)))
			__builtin_trap();
		break;
	}
	case D_PPB_RSP:
		if (fmapi_ppb_config_rsp_decode(ctx, in, len, &a->data) == 0 && len != 4)
			__builtin_trap();
		break;
	case D_VCS_REQ:
		ROUND(fmapi_vcs_info_req_decode, fmapi_vcs_info_req_encode, vq);
		break;
	case D_VCS_RSP: {
		struct fmapi_vcs_info_req q = { 0 };
		size_t l;

		if (len < 2)
			break;
		q.start_vppb = in[0];
		q.vppb_limit = in[1];
		if (fmapi_vcs_info_rsp_decode(ctx, &q, in + 2, len - 2, &a->vr) < 0) {
			if (!doe_ctx_errmsg(ctx)[0])
				__builtin_trap();
			break;
		}
		if (fmapi_vcs_info_rsp_encode(ctx, &a->vr, enc, sizeof(enc), &l) < 0 ||
		    fmapi_vcs_info_rsp_decode(ctx, &q, enc, l, &b->vr) < 0 ||
		    memcmp(&a->vr, &b->vr, sizeof(a->vr)))
			__builtin_trap();
		break;
	}
	case D_BIND:
		ROUND(fmapi_bind_req_decode, fmapi_bind_req_encode, bind);
		break;
	case D_UNBIND:
		ROUND(fmapi_unbind_req_decode, fmapi_unbind_req_encode, unbind);
		break;
	case D_LD:
		ROUND(fmapi_ld_info_rsp_decode, fmapi_ld_info_rsp_encode, ld);
		break;
	case D_RSP_CHECK: {
		struct fmapi_req *r;
		const uint8_t *p;
		size_t plen, l;
		uint16_t op = len >= 5 ? (uint16_t)(in[3] | in[4] << 8) : 0;

		if (fmapi_req_new(ctx, &r) < 0)
			break;
		if (fmapi_req_build(r, op, NULL, 0, enc, sizeof(enc), &l) == 0 &&
		    fmapi_rsp_check(r, in, len, &a->h, &p, &plen) == 0 &&
		    (a->h.category != FMAPI_CAT_RSP || a->h.tag != 0 || a->h.opcode != op ||
		     p + plen != in + len))
			__builtin_trap();
		fmapi_req_free(r);
		break;
	}
	case D_EXCHANGE:
		exchange(ctx, in, len, a);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doe_ctx *ctx;
	struct all *a, *b;
	uint8_t *in;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	/* an exact-size copy, so ASan sees any read past the input */
	in = malloc(len ? len : 1);
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	if (!in || !a || !b || doe_ctx_new(&ctx)) {
		free(in);
		free(a);
		free(b);
		return 0;
	}
	if (len)
		memcpy(in, data + 1, len);
	one(ctx, data[0] % D_COUNT, in, len, a, b);
	doe_ctx_free(ctx);
	free(in);
	free(a);
	free(b);
	return 0;
}
