// SPDX-License-Identifier: MIT
/*
 * The SPDM responder against arbitrary requests. The input is a sequence
 * of requests, each a record: length u16 (little-endian), then that many
 * bytes; the first byte picks test knobs. Every request must get exactly
 * one well-formed response (a response code, at least the header, within
 * the buffer), and the responder must keep serving: after the fuzzed
 * requests, a GET_VERSION still gets VERSION.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/spdm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct spdm_identity *id;	/* made once: key generation is slow */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(16) uint8_t mem[SPDM_RESPONDER_CTX_SIZE];
	static const uint8_t get_version[4] = { 0x10, SPDM_GET_VERSION, 0, 0 };
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	struct doe_ctx *ctx;
	uint8_t out[2048], sel;
	size_t out_len;
	struct doe_rd r;
	int i;

	if (size < 1 || doe_ctx_new(&ctx))
		return 0;
	if (!id && spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P256, NULL, &id))
		abort();
	sel = data[0];
	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	cfg.busy_count = sel & 1;
	cfg.not_ready_count = (sel >> 1) & 3;
	cfg.req_align = sel & 0x08 ? 4 : 1;
	cfg.data_transfer_size = sel & 0x10 ? 64 : 1024;
	if (sel & 0x20)
		cfg.flags = SPDM_CAP_MEAS_NO_SIG;	/* no identity in use */
	if (spdm_rsp_init(mem, sizeof(mem), ctx, &cfg, &rsp))
		abort();
	doe_rd_init(&r, data + 1, size - 1);
	for (i = 0; i < 64; i++) {
		const uint8_t *req;
		uint16_t len;

		if (doe_rd_le16(&r, &len) < 0)
			break;
		if (len > doe_rd_left(&r))
			len = (uint16_t)doe_rd_left(&r);
		req = doe_rd_take(&r, len);
		if (spdm_rsp_handle(rsp, req, len, out, sizeof(out), &out_len) < 0 ||
		    out_len < 4 || out_len > sizeof(out) || out[1] >= 0x80)
			abort();
	}
	if (spdm_rsp_handle(rsp, get_version, sizeof(get_version), out, sizeof(out), &out_len) ||
	    out[1] != SPDM_VERSION)
		abort();
	spdm_rsp_fini(rsp);
	doe_ctx_free(ctx);
	return 0;
}
