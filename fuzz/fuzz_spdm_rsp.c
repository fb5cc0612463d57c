// SPDX-License-Identifier: MIT
/*
 * The requester side of SPDM against responses a device could send:
 *  1. every response parser (and the measurement block walker and the
 *     certificate chain check) on the raw input, for the version and sizes
 *     chosen by the first byte;
 *  2. the requester state machine fed the input as a sequence of responses,
 *     each a record: length u16 (little-endian), then that many bytes.
 * Nothing may crash, hang, leak or read past a buffer.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/spdm.h>
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t hashes[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512,
				   SPDM_HASH_SHA3_256 };
static const uint32_t asyms[] = { SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P384,
				  SPDM_ASYM_RSASSA_2048, SPDM_ASYM_EDDSA_25519 };

static void parsers(struct doe_ctx *ctx, uint8_t sel, const uint8_t *p, size_t n)
{
	struct spdm_neg neg = {
		.version = (uint8_t)(SPDM_V10 + (sel & 3)),
		.hash_size = spdm_hash_size(hashes[(sel >> 2) & 3]),
		.sig_size = spdm_sig_size(asyms[(sel >> 4) & 3]),
		.align = sel & 0x40 ? 4 : 1,
	};
	union {
		struct spdm_version_rsp v;
		struct spdm_caps c;
		struct spdm_algs a;
		struct spdm_digests d;
		struct spdm_cert_rsp cr;
		struct spdm_challenge_auth ca;
		struct spdm_meas_rsp m;
		struct spdm_error e;
	} u;
	struct spdm_meas_block b;
	struct spdm_chain_info info;
	size_t off = 0;
	int i;

	spdm_parse_version(ctx, &neg, p, n, &u.v);
	spdm_parse_capabilities(ctx, &neg, p, n, &u.c);
	spdm_parse_algorithms(ctx, &neg, p, n, &u.a);
	spdm_parse_digests(ctx, &neg, p, n, &u.d);
	spdm_parse_certificate(ctx, &neg, p, n, &u.cr);
	spdm_parse_challenge_auth(ctx, &neg, sel & 0x80 ? 0xFF : 0, p, n, &u.ca);
	spdm_parse_measurements(ctx, &neg, sel & 0x80, p, n, &u.m);
	spdm_parse_error(ctx, &neg, p, n, &u.e);
	for (i = 0; i < 256 && spdm_meas_next(ctx, p, n, &off, &b) > 0; i++)
		;
	spdm_chain_verify(ctx, p, n, hashes[(sel >> 2) & 3], asyms[(sel >> 4) & 3], NULL, &info);
}

static void requester(struct doe_ctx *ctx, uint8_t sel, const uint8_t *p, size_t n)
{
	static _Alignas(16) uint8_t mem[SPDM_REQUESTER_CTX_SIZE];
	static uint8_t chain[4096], meas[1024];
	static const uint8_t fixed_nonce[32] = { 7 };
	struct spdm_req_policy pol;
	struct spdm_req *req;
	uint8_t out[SPDM_MAX_REQUEST_SIZE];
	const uint8_t *in = NULL;
	size_t in_len = 0, out_len;
	struct doe_rd r;
	int steps;

	spdm_req_policy_init(&pol);
	pol.chain_buf = chain;
	pol.chain_cap = sizeof(chain);
	pol.meas_buf = meas;
	pol.meas_cap = sizeof(meas);
	pol.nonce = fixed_nonce;
	pol.rsp_align = sel & 0x40 ? 4 : 1;
	pol.meas_mode = (enum spdm_meas_mode)((sel & 3) + (sel >> 7));	/* 0x83: EACH */
	pol.meas_index = 1;
	pol.skip_challenge = sel & 0x04;
	pol.meas_signed = !(sel & 0x08);
	if (spdm_req_init(mem, sizeof(mem), ctx, &pol, &req))
		abort();
	doe_rd_init(&r, p, n);
	for (steps = 0; steps < 64; steps++) {
		uint16_t len;

		if (spdm_req_next(req, in, in_len, out, sizeof(out), &out_len) <= 0)
			break;
		if (out_len < 4 || out_len > sizeof(out))
			abort();
		if (doe_rd_le16(&r, &len) < 0)
			break;
		if (len > doe_rd_left(&r))
			len = (uint16_t)doe_rd_left(&r);
		in = doe_rd_take(&r, len);
		in_len = len;
	}
	spdm_req_fini(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doe_ctx *ctx;

	if (size < 1 || doe_ctx_new(&ctx))
		return 0;
	parsers(ctx, data[0], data + 1, size - 1);
	requester(ctx, data[0], data + 1, size - 1);
	doe_ctx_free(ctx);
	return 0;
}
