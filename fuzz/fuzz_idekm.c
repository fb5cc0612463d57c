// SPDX-License-Identifier: MIT
/*
 * IDE_KM on fuzzer input, both roles. The first byte picks what runs:
 *   0  idekm_decode() of a request (the responder's parser)
 *   1  idekm_decode() of a response (the requester's parser)
 *   2  idekm_obj_decode() of a bare object
 *   3  idekm_cap_decode() of QUERY_RESP registers, then every selective block
 *   4  the device model (idekm_dev_handle()) on a request, the second byte
 *      its fault knobs; registers of its port from the input's tail
 *   5  the requester (query, stream setup, refresh, stop) in a real
 *      session whose device answers with the input's chunks
 *   6  the device plugged into a real responder session (the vendor
 *      handler hook): each chunk of the input sealed as a request
 * What a decoder accepts must encode back to the same bytes (objects) and
 * decode again to the same fields; a refusal must carry a message; the
 * device's every answer must be an ERROR or a response our requester's
 * parser accepts; the requester must end, wiping the keys on failure.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/idekm.h>
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_refusal(struct doe_ctx *ctx, int rc)
{
	const char *m = doe_ctx_errmsg(ctx);

	if (rc < 0 && (!m || !*m))
		abort();
}

/* Decoded fields survive encode + decode. */
static void roundtrip(struct doe_ctx *ctx, const struct idekm_msg *m, const uint8_t *obj,
		      size_t len, bool whole)
{
	uint8_t buf[IDEKM_VDM_HDR_SIZE + 1 + IDEKM_QUERY_RESP_FIXED + IDEKM_REGS_MAX];
	struct idekm_msg again;
	size_t blen;
	int rc = whole ? idekm_encode(ctx, m, buf, sizeof(buf), &blen)
		       : idekm_obj_encode(ctx, m, buf, sizeof(buf), &blen);

	if (rc)
		abort();
	/* the object's bytes come back, reserved bytes as zero */
	if (!whole && blen != len)
		abort();
	(void)obj;
	rc = whole ? idekm_decode(ctx, m->object == IDEKM_QUERY || m->object == IDEKM_KEY_PROG ||
					       m->object == IDEKM_K_SET_GO ||
					       m->object == IDEKM_K_SET_STOP,
				  buf, blen, &again)
		   : idekm_obj_decode(ctx, buf, blen, &again);
	if (rc || again.object != m->object || again.port_index != m->port_index ||
	    again.stream_id != m->stream_id || again.keyset != m->keyset || again.dir != m->dir ||
	    again.substream != m->substream || again.status != m->status ||
	    again.regs_len != m->regs_len || memcmp(again.key, m->key, sizeof(m->key)) ||
	    memcmp(again.ifv, m->ifv, sizeof(m->ifv)) ||
	    (m->regs_len && memcmp(again.regs, m->regs, m->regs_len)))
		abort();
	OPENSSL_cleanse(buf, sizeof(buf));
}

static void fuzz_decoders(struct doe_ctx *ctx, uint8_t which, const uint8_t *p, size_t n)
{
	struct idekm_msg m;
	int rc;

	if (which == 2)
		rc = idekm_obj_decode(ctx, p, n, &m);
	else
		rc = idekm_decode(ctx, which == 0, p, n, &m);
	check_refusal(ctx, rc);
	if (!rc)
		roundtrip(ctx, &m, p, n, which != 2);
}

static void fuzz_cap(struct doe_ctx *ctx, const uint8_t *p, size_t n)
{
	struct idekm_cap *cap = malloc(sizeof(*cap));
	struct idekm_sel_stream sel;
	int rc;

	if (!cap)
		return;
	rc = idekm_cap_decode(ctx, p, n, cap);
	check_refusal(ctx, rc);
	if (!rc) {
		if (cap->nlink > IDEKM_MAX_LINK || cap->nsel > IDEKM_MAX_SEL)
			abort();
		for (unsigned i = 0; i < cap->nsel; i++)
			if (idekm_cap_sel(cap, i, &sel) || sel.naddr > IDEKM_MAX_ADDR)
				abort();
	}
	free(cap);
}

/* An ERROR or a response our requester parses; a knob may drop the
 * request, and wrong_object may turn a refusing KP_ACK (which echoes an
 * invalid value) into an acknowledgement that cannot carry it. */
static void check_answer(struct doe_ctx *ctx, int rc, const uint8_t *rsp, size_t len,
			 size_t cap, bool may_drop, bool odd)
{
	struct idekm_msg m;

	if (rc == -ETIMEDOUT && may_drop && !len)
		return;
	if (rc || !len || len > cap)
		abort();
	if (len >= 2 && rsp[1] == SPDM_ERROR)
		return;
	if (idekm_decode(ctx, false, rsp, len, &m) && !odd)
		abort();
}

static void fuzz_device(struct doe_ctx *ctx, const uint8_t *p, size_t n)
{
	struct idekm_dev *d = malloc(sizeof(*d));
	struct idekm_dev_port_cfg port[2] = { { .dev_func = 1 }, { .dev_func = 2 } };
	uint8_t knobs, rsp[IDEKM_VDM_HDR_SIZE + 1 + IDEKM_QUERY_RESP_FIXED + IDEKM_REGS_MAX];
	size_t rlen, split, regs_len;
	struct doe_rd r;

	doe_rd_init(&r, p, n);
	if (!d || doe_rd_u8(&r, &knobs)) {
		free(d);
		return;
	}
	/* the input's last quarter, in whole DWs, is the ports' registers */
	regs_len = (doe_rd_left(&r) / 4) & ~(size_t)3;
	split = doe_rd_left(&r) - regs_len;
	port[0].regs = port[1].regs = p + 1 + split;
	port[0].regs_len = port[1].regs_len = regs_len > IDEKM_REGS_MAX ? 0 : regs_len;
	if (idekm_dev_init(d, ctx, port, 1 + (knobs >> 7)))
		abort();
	d->faults = (struct idekm_dev_faults){
		.kp_status = (knobs & 1) ? IDEKM_KP_UNSPECIFIED : 0,
		.wrong_stream = knobs & 2,
		.ksd_xor = (knobs & 4) ? 0x03 : 0,	/* key set and direction: still valid values */
		.wrong_port = knobs & 8,
		.drop_go = knobs & 16,
		.error_go = knobs & 32,
		.wrong_object = knobs & 64,
	};
	/* the request, then again (state: a KEY_PROG then a K_SET_GO) */
	for (int i = 0; i < 2; i++) {
		int rc = idekm_dev_handle(d, p + 1, split, rsp, sizeof(rsp), &rlen);

		check_answer(ctx, rc, rsp, rlen, sizeof(rsp), d->faults.drop_go,
			     d->faults.wrong_object);
	}
	idekm_dev_fini(d);
	free(d);
}

/* ---- the requester against answers from the input ------------------------ */

#define CAPS (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)

struct rig {
	_Alignas(16) uint8_t rmem[SPDM_SESSION_CTX_SIZE];
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	struct spdm_sess *req, *rsp;
	struct doe_rd in;	/* the answers: u16 LE length, bytes */
};

static const uint8_t vca[] = "VCA";
static const uint8_t psk[32] = "a pre-shared key of 32 bytes...";

/* The device side opens the request for real and seals the next chunk of
 * the input as its answer; no chunk left is a transport failure. */
static int xchg(void *priv, const void *req, size_t len, void *rsp, size_t cap, size_t *rsp_len)
{
	struct rig *g = priv;
	uint8_t app[4200], out[64];
	const uint8_t *ans;
	size_t applen, olen;
	uint16_t n;
	bool sec;
	int rc = spdm_sess_rsp_handle(g->rsp, req, len, true, out, sizeof(out), &olen, &sec, app,
				      sizeof(app), &applen);

	OPENSSL_cleanse(app, sizeof(app));
	if (rc != 1 || doe_rd_le16(&g->in, &n))
		return -EIO;
	if (n > doe_rd_left(&g->in))
		n = (uint16_t)doe_rd_left(&g->in);
	ans = doe_rd_take(&g->in, n);
	return spdm_sess_seal(g->rsp, ans, n, rsp, cap, rsp_len) ? -EIO : 0;
}

static int never(void *priv, const void *req, size_t len, void *rsp, size_t cap, size_t *rsp_len)
{
	(void)priv, (void)req, (void)len, (void)rsp, (void)cap, (void)rsp_len;
	abort();	/* IDE_KM never goes in the clear */
}

static bool rig_up(struct rig *g, struct doe_ctx *ctx)
{
	struct spdm_conn conn = { .version = 0x12, .hash_algo = SPDM_HASH_SHA256,
				  .asym_algo = SPDM_ASYM_ECDSA_P256, .aead = SPDM_AEAD_AES_256_GCM,
				  .req_flags = CAPS | SPDM_CAP_PSK_REQ, .rsp_flags = CAPS | SPDM_CAP_PSK_REQ,
				  .opaque_fmt1 = true, .vca = vca, .vca_len = sizeof(vca) };
	struct spdm_sess_opts o = { .psk = psk, .psk_len = sizeof(psk),
				    .psk_hint = (const uint8_t *)"fz", .psk_hint_len = 2 };
	uint8_t a[1024], b[1024], app[64];
	size_t alen = 0, blen = 0, applen;
	bool asec = false, bsec = false;

	if (spdm_sess_req_init(g->rmem, sizeof(g->rmem), ctx, &conn, &o, &g->req) ||
	    spdm_sess_rsp_init(g->smem, sizeof(g->smem), ctx, &conn, &o, &g->rsp))
		abort();
	for (int step = 0;; step++) {
		int rc = spdm_sess_req_next(g->req, step ? b : NULL, blen, bsec, a, sizeof(a), &alen,
					    &asec);

		if (rc == 0)
			return true;
		if (rc < 0)
			abort();
		if (spdm_sess_rsp_handle(g->rsp, a, alen, asec, b, sizeof(b), &blen, &bsec, app,
					 sizeof(app), &applen) < 0)
			abort();
	}
}

static void fuzz_requester(struct doe_ctx *ctx, const uint8_t *p, size_t n)
{
	static const struct idekm_keys zero;
	struct rig *g = malloc(sizeof(*g));
	struct idekm_port_info *pi = malloc(sizeof(*pi));
	const struct spdm_transport_ops ops = { .exchange = never, .align = 4,
						.exchange_secured = xchg,
						.binding = SPDM_BINDING_DOE };
	struct idekm_keys k0, k1;
	int rc;

	if (!g || !pi || !rig_up(g, ctx))
		goto out;
	doe_rd_init(&g->in, p, n);
	rc = idekm_query(g->req, &ops, g, 0, pi);
	check_refusal(ctx, rc);
	rc = idekm_stream_setup(g->req, &ops, g, 1, 0, 0, &k0);
	check_refusal(ctx, rc);
	if (rc && memcmp(&k0, &zero, sizeof(zero)))
		abort();	/* a failed setup leaves no key behind */
	if (!rc) {
		rc = idekm_stream_refresh(g->req, &ops, g, &k0, &k1);
		if (rc && memcmp(&k1, &zero, sizeof(zero)))
			abort();
		idekm_stream_stop(g->req, &ops, g, 1, 0, 0);
	}
	idekm_keys_wipe(&k0);
	idekm_keys_wipe(&k1);
	spdm_sess_fini(g->req);
	spdm_sess_fini(g->rsp);
out:
	free(pi);
	free(g);
}

static void fuzz_session_device(struct doe_ctx *ctx, const uint8_t *p, size_t n)
{
	static const uint8_t regs[8] = { 0x43 };
	const struct idekm_dev_port_cfg port = { .regs = regs, .regs_len = sizeof(regs) };
	struct rig *g = malloc(sizeof(*g));
	struct idekm_dev *d = malloc(sizeof(*d));
	uint8_t wire[4400], out[4400], app[4200], msg[4400];
	size_t wlen, olen, applen, mlen;
	bool sec;
	uint16_t len;

	if (!g || !d || !rig_up(g, ctx) || idekm_dev_init(d, ctx, &port, 1))
		goto out;
	spdm_sess_set_vendor_handler(g->rsp, idekm_dev_handle, d);
	doe_rd_init(&g->in, p, n);
	while (!doe_rd_le16(&g->in, &len) && spdm_sess_state(g->rsp) == SPDM_SESS_ESTABLISHED) {
		const uint8_t *req;
		struct idekm_msg m;
		int rc;

		if (len > doe_rd_left(&g->in))
			len = (uint16_t)doe_rd_left(&g->in);
		req = doe_rd_take(&g->in, len);
		/* session requests (HEARTBEAT .. END_SESSION) have their own fuzzer;
		 * KEY_UPDATE would leave this requester behind on purpose */
		if (len >= 2 && req[1] >= 0xE8 && req[1] <= 0xEC)
			continue;
		if (spdm_sess_seal(g->req, req, len, wire, sizeof(wire), &wlen))
			break;
		rc = spdm_sess_rsp_handle(g->rsp, wire, wlen, true, out, sizeof(out), &olen, &sec,
					  app, sizeof(app), &applen);
		if (rc == 1) {
			/* not a VENDOR_DEFINED_REQUEST: the caller's to answer */
			if (len >= 2 && req[1] == 0xFE)
				abort();
			if (spdm_sess_seal(g->rsp, (const uint8_t *)"\x12\x7f\x07\x00", 4, out,
					   sizeof(out), &olen))
				abort();
		} else if (rc < 0) {
			if (spdm_sess_state(g->rsp) != SPDM_SESS_FAILED)
				abort();
			break;
		}
		/* the answer opens on the requester's side: an ERROR or IDE_KM */
		if (spdm_sess_open(g->req, out, olen, msg, sizeof(msg), &mlen))
			abort();
		if (rc == 0 && len >= 2 && req[1] == 0xFE && !(mlen >= 2 && msg[1] == SPDM_ERROR) &&
		    idekm_decode(ctx, false, msg, mlen, &m))
			abort();
		OPENSSL_cleanse(msg, sizeof(msg));
	}
	idekm_dev_fini(d);
	spdm_sess_fini(g->req);
	spdm_sess_fini(g->rsp);
out:
	free(d);
	free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doe_ctx *ctx;

	if (size < 1 || doe_ctx_new(&ctx))
		return 0;
	switch (data[0] % 7) {
	case 0:
	case 1:
	case 2:
		fuzz_decoders(ctx, data[0] % 7, data + 1, size - 1);
		break;
	case 3:
		fuzz_cap(ctx, data + 1, size - 1);
		break;
	case 4:
		fuzz_device(ctx, data + 1, size - 1);
		break;
	case 5:
		fuzz_requester(ctx, data + 1, size - 1);
		break;
	case 6:
		fuzz_session_device(ctx, data + 1, size - 1);
		break;
	}
	doe_ctx_free(ctx);
	return 0;
}
