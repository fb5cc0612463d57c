// SPDX-License-Identifier: MIT
/*
 * The emulated CXL switch's MCTP endpoint as a hostile fabric manager
 * meets it (doe emulate --listen --trans mctp serves it to anyone who
 * connects): a sequence of FM-API messages, each any bytes, through
 * emu_mctp_open() and mctp_exchange(), so the responder, the model and
 * the Tunnel Management codec see every malformed request. Each answer
 * that comes back must itself decode as a CCI response to the request's
 * opcode and tag (the codec is the judge), and the topology must stay
 * consistent: a downstream port's link holds are only those the model sets.
 * Then the tunnel decoders on the raw input.
 *
 * Input: records, a 16-bit little-endian length (low 11 bits) and that
 * many bytes, each sent as the body of one FM-API (0x07) MCTP message.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/emu.h>
#include <doekit/fmapi.h>
#include <doekit/fmapi_tunnel.h>
#include <doekit/mctp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_answer(struct doe_ctx *ctx, const uint8_t *req, size_t req_len,
			 const uint8_t *rsp, size_t rsp_len)
{
	struct fmapi_hdr q, a;
	const uint8_t *pl;
	size_t plen;

	/* a request the switch answered was a well-formed request */
	if (fmapi_msg_decode(ctx, req, req_len, &q, &pl, &plen) || q.category != FMAPI_CAT_REQ)
		abort();
	if (fmapi_msg_decode(ctx, rsp, rsp_len, &a, &pl, &plen) || a.category != FMAPI_CAT_RSP ||
	    a.tag != q.tag || a.opcode != q.opcode)
		abort();
	/* only success and background-started carry a payload */
	if (a.return_code != FMAPI_RC_SUCCESS && plen)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[16384];
	struct doe_ctx *ctx = NULL;
	struct emu_topo *topo = NULL;
	struct mctp_chan *chan = NULL;
	struct fmapi_tunnel_req t;
	struct doe_rd in;
	const uint8_t *m;
	size_t mlen;
	uint16_t n;

	if (doe_ctx_new(&ctx) || emu_topo_new(ctx, "cxl-switch", &topo) ||
	    emu_mctp_open(topo, EMU_MCTP_SWITCH_EID, &chan))
		abort();
	doe_rd_init(&in, data, size);
	for (int i = 0; i < 64 && !doe_rd_le16(&in, &n); i++) {
		const uint8_t *rec = data + in.off;
		size_t len = n & 0x7FFu, rlen = 0;

		if (len > doe_rd_left(&in))
			len = doe_rd_left(&in);
		doe_rd_skip(&in, len);
		if (!mctp_exchange(chan, MCTP_TYPE_FMAPI, rec, len, rsp, sizeof(rsp), &rlen))
			check_answer(ctx, rec, len, rsp, rlen);
	}
	for (size_t i = 0; i < emu_topo_count(topo); i++) {
		unsigned int h = emu_fn_link_holds(emu_topo_fn(topo, i));

		if (h & ~(unsigned int)(EMU_LINK_PERST | EMU_LINK_UNBOUND | EMU_LINK_DISABLED))
			abort();
	}
	fmapi_tunnel_req_decode(ctx, data, size, &t);
	fmapi_tunnel_rsp_decode(ctx, data, size, &m, &mlen);
	mctp_chan_free(chan);
	emu_topo_free(topo);
	doe_ctx_free(ctx);
	return 0;
}
