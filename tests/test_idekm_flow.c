// SPDX-License-Identifier: MIT
/*
 * IDE_KM end to end in process: our requester session and our responder
 * session (PSK, as in test_spdm_session_flow.c), the device model plugged
 * into the responder session as its VENDOR_DEFINED handler. The stream
 * flow programs the six sub-stream/direction keys, sets them going, and
 * the device must then hold exactly the keys the requester returned;
 * refresh and stop follow. Every fault knob gives its named error, and
 * nothing IDE_KM leaves a session that is not established. The device's
 * own refusals are checked on hand-built requests.
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include <doekit/doekit.h>
#include <doekit/idekm.h>
#include "session_int.h"
#include "t.h"

static struct doe_ctx *ctx, *dctx;

#define CAPS (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)

static const uint8_t vca[] = "GET_VERSION..ALGORITHMS as both sides saw them";
static const uint8_t psk[32] = "a pre-shared key of 32 bytes...";

/* Capability: Link + Selective + IDE_KM, one TC, one stream without
 * address blocks; nothing enabled yet. */
static const uint8_t dev_regs[] = {
	0x43, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

struct rig {
	_Alignas(16) uint8_t rmem[SPDM_SESSION_CTX_SIZE];
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	struct spdm_sess *req, *rsp;
	struct spdm_conn conn;
	struct spdm_sess_opts ro, so;
	struct idekm_dev dev;
	struct spdm_transport_ops ops;
	unsigned calls;			/* secured messages the transport carried */
	unsigned changes;		/* the device's changed() calls */
};

/* The transport: straight into the responder session. No answer (the
 * device dropped the request) is a transport error, as a mailbox timeout. */
static int xchg_secured(void *priv, const void *req, size_t len, void *rsp, size_t cap,
			size_t *rsp_len)
{
	struct rig *g = priv;
	uint8_t app[4200];
	size_t applen;
	bool sec;
	int rc;

	g->calls++;
	rc = spdm_sess_rsp_handle(g->rsp, req, len, true, rsp, cap, rsp_len, &sec, app, sizeof(app),
				  &applen);
	OPENSSL_cleanse(app, sizeof(app));
	if (rc == 1)
		return -EPROTO;	/* not for these tests: every request has a handler */
	if (rc < 0 && !*rsp_len)
		return -ETIMEDOUT;
	return 0;
}

static int xchg_plain(void *priv, const void *req, size_t len, void *rsp, size_t cap,
		      size_t *rsp_len)
{
	(void)priv, (void)req, (void)len, (void)rsp, (void)cap, (void)rsp_len;
	return -EIO;
}

static void on_changed(void *priv, uint8_t port, uint8_t stream)
{
	(void)port, (void)stream;
	((struct rig *)priv)->changes++;
}

static int handshake(struct rig *g)
{
	uint8_t a[4096], b[4096], app[256];
	size_t alen = 0, blen = 0, applen;
	bool asec = false, bsec = false;
	int rc;

	for (int step = 0;; step++) {
		rc = spdm_sess_req_next(g->req, step ? b : NULL, blen, bsec, a, sizeof(a), &alen, &asec);
		if (rc <= 0)
			return rc;
		rc = spdm_sess_rsp_handle(g->rsp, a, alen, asec, b, sizeof(b), &blen, &bsec, app,
					  sizeof(app), &applen);
		if (rc < 0 && !blen)
			return rc;
	}
}

/* A PSK session pair and a two-port device; established unless told not. */
static void rig_init(struct rig *g, bool establish)
{
	const struct idekm_dev_port_cfg ports[2] = {
		{ .dev_func = 0x08, .bus = 0x3a, .segment = 0, .regs = dev_regs,
		  .regs_len = sizeof(dev_regs) },
		{ .dev_func = 0x09, .bus = 0x3a, .segment = 0, .regs = dev_regs,
		  .regs_len = sizeof(dev_regs) },
	};

	memset(g, 0, sizeof(*g));
	g->conn = (struct spdm_conn){
		.version = 0x12,
		.hash_algo = SPDM_HASH_SHA384,
		.asym_algo = SPDM_ASYM_ECDSA_P384,
		.aead = SPDM_AEAD_AES_256_GCM,
		.req_flags = CAPS | SPDM_CAP_PSK_REQ,
		.rsp_flags = CAPS | SPDM_CAP_PSK_WITH_CONTEXT,
		.opaque_fmt1 = true,
		.vca = vca,
		.vca_len = sizeof(vca),
	};
	g->ro.psk = g->so.psk = psk;
	g->ro.psk_len = g->so.psk_len = sizeof(psk);
	g->ro.psk_hint = g->so.psk_hint = (const uint8_t *)"doekit";
	g->ro.psk_hint_len = g->so.psk_hint_len = 6;
	T_EQ(spdm_sess_req_init(g->rmem, sizeof(g->rmem), ctx, &g->conn, &g->ro, &g->req), 0);
	T_EQ(spdm_sess_rsp_init(g->smem, sizeof(g->smem), ctx, &g->conn, &g->so, &g->rsp), 0);
	T_EQ(idekm_dev_init(&g->dev, dctx, ports, 2), 0);
	g->dev.changed = on_changed;
	g->dev.changed_priv = g;
	spdm_sess_set_vendor_handler(g->rsp, idekm_dev_handle, &g->dev);
	g->ops = (struct spdm_transport_ops){ .exchange = xchg_plain, .align = 4,
					      .exchange_secured = xchg_secured,
					      .binding = SPDM_BINDING_DOE };
	if (establish) {
		T_EQ(handshake(g), 0);
		T_EQ(spdm_sess_state(g->req), SPDM_SESS_ESTABLISHED);
	}
}

static void rig_fini(struct rig *g)
{
	spdm_sess_fini(g->req);
	spdm_sess_fini(g->rsp);
	idekm_dev_fini(&g->dev);
}

/* The device holds exactly keys (key set, stream, port) in every slot. */
static void check_device_keys(const struct rig *g, const struct idekm_keys *k)
{
	for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
		for (uint8_t dir = 0; dir < 2; dir++) {
			uint8_t key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];

			T_EQ(idekm_dev_key(&g->dev, k->port_index, k->stream_id, sub, dir, k->keyset,
					   key, ifv), 0);
			T_MEMEQ(key, k->k[sub][dir].key, IDEKM_KEY_SIZE);
			T_MEMEQ(ifv, k->k[sub][dir].ifv, IDEKM_IFV_SIZE);
			OPENSSL_cleanse(key, sizeof(key));
		}
}

static void check_active(const struct rig *g, uint8_t port, uint8_t stream, int want)
{
	for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
		for (uint8_t dir = 0; dir < 2; dir++)
			T_EQ(idekm_dev_active(&g->dev, port, stream, sub, dir), want);
}

static bool all_distinct(const struct idekm_keys *k)
{
	for (unsigned a = 0; a < 6; a++)
		for (unsigned b = a + 1; b < 6; b++)
			if (!memcmp(k->k[a / 2][a % 2].key, k->k[b / 2][b % 2].key, IDEKM_KEY_SIZE))
				return false;
	return true;
}

static void t_query(void)
{
	struct idekm_port_info *pi = calloc(1, sizeof(*pi));
	struct rig g;

	rig_init(&g, true);
	T_EQ(idekm_query(g.req, &g.ops, &g, 1, pi), 0);
	T_EQ(pi->port_index, 1);
	T_EQ(pi->max_port_index, 1);
	T_EQ(pi->dev_func, 0x09);
	T_EQ(pi->bus, 0x3a);
	T_TRUE(pi->cap.link);
	T_TRUE(pi->cap.ide_km);
	T_EQ(pi->cap.nlink, 1);
	T_EQ(pi->cap.nsel, 1);
	/* a port the device does not have: the device answers ERROR */
	T_EQ(idekm_query(g.req, &g.ops, &g, 2, pi), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "ERROR");
	T_EQ(spdm_sess_state(g.req), SPDM_SESS_ESTABLISHED);
	/* the answer must be for the port asked */
	g.dev.faults.wrong_port = true;
	T_EQ(idekm_query(g.req, &g.ops, &g, 0, pi), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "QUERY_RESP: PortIndex 1, expected 0");
	rig_fini(&g);
	free(pi);
}

static void t_setup_refresh_stop(void)
{
	struct idekm_keys k0, k1;
	uint8_t key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];
	struct rig g;

	rig_init(&g, true);
	check_active(&g, 0, 3, -ENOENT);
	T_EQ(idekm_stream_setup(g.req, &g.ops, &g, 3, 0, 0, &k0), 0);
	T_EQ(g.calls, 12);	/* 6 KEY_PROG + 6 K_SET_GO */
	T_EQ(g.changes, 12);
	T_EQ(k0.stream_id, 3);
	T_EQ(k0.keyset, 0);
	T_TRUE(all_distinct(&k0));
	check_device_keys(&g, &k0);
	check_active(&g, 0, 3, 0);
	/* nothing reached the other key set, the other port or stream */
	T_EQ(idekm_dev_key(&g.dev, 0, 3, IDEKM_PR, IDEKM_RX, 1, key, ifv), -ENOENT);
	T_EQ(idekm_dev_key(&g.dev, 1, 3, IDEKM_PR, IDEKM_RX, 0, key, ifv), -ENOENT);
	T_EQ(idekm_dev_key(&g.dev, 0, 4, IDEKM_PR, IDEKM_RX, 0, key, ifv), -ENOENT);

	/* refresh: K1 programmed and live, K0 still held until stopped */
	T_EQ(idekm_stream_refresh(g.req, &g.ops, &g, &k0, &k1), 0);
	T_EQ(k1.keyset, 1);
	T_TRUE(memcmp(k0.k, k1.k, sizeof(k0.k)) != 0);
	check_device_keys(&g, &k1);
	check_device_keys(&g, &k0);
	check_active(&g, 0, 3, 1);

	/* stop K0: its keys are gone, K1 keeps going */
	T_EQ(idekm_stream_stop(g.req, &g.ops, &g, 3, 0, 0), 0);
	T_EQ(idekm_dev_key(&g.dev, 0, 3, IDEKM_CPL, IDEKM_TX, 0, key, ifv), -ENOENT);
	check_active(&g, 0, 3, 1);
	/* stop K1: the stream stops */
	T_EQ(idekm_stream_stop(g.req, &g.ops, &g, 3, 0, 1), 0);
	check_active(&g, 0, 3, -ENOENT);
	/* K_SET_GO of a key set that is no longer there: the device refuses */
	T_EQ(idekm_key_set(g.req, &g.ops, &g, true, 3, 0, 1, IDEKM_RX, IDEKM_PR), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "K_SET_GO: the device answered ERROR");

	idekm_keys_wipe(&k0);
	idekm_keys_wipe(&k1);
	T_EQ(k1.k[2][1].key[0] | k1.k[0][0].ifv[7], 0);
	rig_fini(&g);
}

/* Every knob, its named error; the device's own KP_ACK statuses too. */
static void t_faults(void)
{
	static const struct {
		const char *name;
		struct idekm_dev_faults f;
		uint8_t port;
		int rc;
		const char *msg;
		bool session_fails;
	} v[] = {
		{ "KP_ACK status", { .kp_status = IDEKM_KP_UNSUPPORTED_VALUE }, 0, -EREMOTEIO,
		  "KP_ACK: Status 3 (unsupported value)", false },
		{ "KP_ACK unspecified", { .kp_status = IDEKM_KP_UNSPECIFIED }, 0, -EREMOTEIO,
		  "Status 4 (unspecified failure)", false },
		{ "wrong StreamID", { .wrong_stream = true }, 0, -EBADMSG,
		  "KP_ACK: StreamID 6, expected 5", false },
		{ "wrong key set", { .ksd_xor = 0x01 }, 0, -EBADMSG,
		  "KP_ACK: KeySet/Direction/SubStream K1 Rx PR, expected K0 Rx PR", false },
		{ "wrong direction", { .ksd_xor = 0x02 }, 0, -EBADMSG,
		  "KP_ACK: KeySet/Direction/SubStream K0 Tx PR, expected K0 Rx PR", false },
		{ "wrong sub-stream", { .ksd_xor = 0x20 }, 0, -EBADMSG,
		  "KP_ACK: KeySet/Direction/SubStream K0 Rx CPL, expected K0 Rx PR", false },
		{ "wrong object", { .wrong_object = true }, 0, -EBADMSG,
		  "KEY_PROG: answered with K_GOSTOP_ACK, expected KP_ACK", false },
		{ "wrong PortIndex", { .wrong_port = true }, 1, -EBADMSG,
		  "KP_ACK: PortIndex 2, expected 1", false },
		{ "dropped K_SET_GO", { .drop_go = true }, 0, -ETIMEDOUT, "transport", true },
		{ "K_SET_GO answered ERROR", { .error_go = true }, 0, -EPROTO,
		  "K_SET_GO: the device answered ERROR", false },
		{ "unsupported PortIndex", { 0 }, 5, -EREMOTEIO, "Status 2 (unsupported PortIndex)",
		  false },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct idekm_keys k;
		struct rig g;

		t_case_name = v[i].name;
		rig_init(&g, true);
		g.dev.faults = v[i].f;
		memset(&k, 0x5A, sizeof(k));
		T_EQ(idekm_stream_setup(g.req, &g.ops, &g, 5, v[i].port, 0, &k), v[i].rc);
		T_CONTAINS(doe_ctx_errmsg(ctx), v[i].msg);
		/* on failure the caller is left no key */
		T_EQ(k.k[0][0].key[0] | k.k[2][1].ifv[7] | k.stream_id, 0);
		T_EQ(spdm_sess_state(g.req),
		     v[i].session_fails ? SPDM_SESS_FAILED : SPDM_SESS_ESTABLISHED);
		rig_fini(&g);
	}
	/* the echo checks of K_GOSTOP_ACK, on a programmed key */
	{
		uint8_t key[IDEKM_KEY_SIZE] = { 1 }, ifv[IDEKM_IFV_SIZE] = { 2 };
		struct rig g;

		t_case_name = "K_GOSTOP_ACK echo";
		rig_init(&g, true);
		T_EQ(idekm_key_prog(g.req, &g.ops, &g, 7, 0, 0, IDEKM_TX, IDEKM_CPL, key, ifv), 0);
		g.dev.faults.wrong_stream = true;
		T_EQ(idekm_key_set(g.req, &g.ops, &g, true, 7, 0, 0, IDEKM_TX, IDEKM_CPL), -EBADMSG);
		T_CONTAINS(doe_ctx_errmsg(ctx), "K_GOSTOP_ACK: StreamID 8, expected 7");
		g.dev.faults = (struct idekm_dev_faults){ .ksd_xor = 0x01 };
		T_EQ(idekm_key_set(g.req, &g.ops, &g, false, 7, 0, 0, IDEKM_TX, IDEKM_CPL), -EBADMSG);
		T_CONTAINS(doe_ctx_errmsg(ctx), "K_GOSTOP_ACK: KeySet/Direction/SubStream K1 Tx CPL");
		g.dev.faults = (struct idekm_dev_faults){ 0 };
		T_EQ(idekm_key_prog(g.req, &g.ops, &g, 7, 0, 0, IDEKM_TX, IDEKM_CPL, key, ifv), 0);
		g.dev.faults.wrong_object = true;
		T_EQ(idekm_key_set(g.req, &g.ops, &g, true, 7, 0, 0, IDEKM_TX, IDEKM_CPL), -EBADMSG);
		T_CONTAINS(doe_ctx_errmsg(ctx), "K_SET_GO: answered with KP_ACK, expected K_GOSTOP_ACK");
		rig_fini(&g);
	}
}

/* Nothing IDE_KM leaves a session that is not established. */
static void t_not_established(void)
{
	uint8_t key[IDEKM_KEY_SIZE] = { 0 }, ifv[IDEKM_IFV_SIZE] = { 0 };
	struct idekm_port_info *pi = calloc(1, sizeof(*pi));
	struct idekm_keys k;
	struct rig g;

	t_case_name = "before the handshake";
	rig_init(&g, false);
	T_EQ(idekm_query(g.req, &g.ops, &g, 0, pi), -ENOTCONN);
	T_CONTAINS(doe_ctx_errmsg(ctx), "session is idle");
	T_EQ(idekm_stream_setup(g.req, &g.ops, &g, 1, 0, 0, &k), -ENOTCONN);
	T_EQ(idekm_key_prog(g.req, &g.ops, &g, 1, 0, 0, 0, 0, key, ifv), -ENOTCONN);
	T_EQ(idekm_key_set(g.req, &g.ops, &g, true, 1, 0, 0, 0, 0), -ENOTCONN);
	T_EQ(idekm_stream_stop(g.req, &g.ops, &g, 1, 0, 0), -ENOTCONN);
	T_EQ(g.calls, 0);
	T_EQ(g.dev.requests, 0);
	rig_fini(&g);

	t_case_name = "after END_SESSION";
	rig_init(&g, true);
	T_EQ(spdm_sess_control(g.req, &g.ops, &g, SPDM_END_SESSION, 0), 0);
	g.calls = 0;
	T_EQ(idekm_stream_setup(g.req, &g.ops, &g, 1, 0, 0, &k), -ENOTCONN);
	T_CONTAINS(doe_ctx_errmsg(ctx), "session is ended");
	T_EQ(g.calls, 0);
	T_EQ(g.dev.requests, 0);
	rig_fini(&g);

	t_case_name = "values the wire cannot carry";
	rig_init(&g, true);
	T_EQ(idekm_key_prog(g.req, &g.ops, &g, 1, 0, 0, IDEKM_RX, 3, key, ifv), -EINVAL);
	T_EQ(idekm_key_set(g.req, &g.ops, &g, true, 1, 0, 2, IDEKM_RX, IDEKM_PR), -EINVAL);
	T_EQ(idekm_key_set(g.req, &g.ops, &g, false, 1, 0, 0, 2, IDEKM_PR), -EINVAL);
	T_EQ(idekm_stream_setup(g.req, &g.ops, &g, 1, 0, 2, &k), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "key set 2");
	T_EQ(g.calls, 0);
	rig_fini(&g);

	t_case_name = "a responder session";
	rig_init(&g, true);
	T_EQ(idekm_query(g.rsp, &g.ops, &g, 0, pi), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "responder");
	t_case_name = "a transport without sessions";
	g.ops.exchange_secured = NULL;
	T_EQ(idekm_query(g.req, &g.ops, &g, 0, pi), -EOPNOTSUPP);
	T_EQ(g.dev.requests, 0);
	rig_fini(&g);
	free(pi);
}

static int silent(void *priv, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
		  size_t *rsp_len)
{
	(void)priv, (void)req, (void)len, (void)rsp, (void)cap;
	*rsp_len = 0;
	return 0;
}

/* Without a handler a VENDOR_DEFINED_REQUEST is an application message,
 * as before; with one it is answered inside the session. */
static void t_vendor_hook(void)
{
	static const uint8_t query[] = { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0, 0x04, 0, 0,
					 0x00, 0x00, 0x00 };
	uint8_t wire[512], out[512], app[256], msg[512];
	size_t wlen, olen, applen, mlen;
	struct idekm_msg m;
	bool sec;
	struct rig g;

	rig_init(&g, true);
	spdm_sess_set_vendor_handler(g.rsp, NULL, NULL);
	T_EQ(spdm_sess_seal(g.req, query, sizeof(query), wire, sizeof(wire), &wlen), 0);
	T_EQ(spdm_sess_rsp_handle(g.rsp, wire, wlen, true, out, sizeof(out), &olen, &sec, app,
				  sizeof(app), &applen), 1);
	T_EQ(applen, sizeof(query));
	T_EQ(g.dev.requests, 0);
	spdm_sess_set_vendor_handler(g.rsp, idekm_dev_handle, &g.dev);
	T_EQ(spdm_sess_seal(g.req, query, sizeof(query), wire, sizeof(wire), &wlen), 0);
	T_EQ(spdm_sess_rsp_handle(g.rsp, wire, wlen, true, out, sizeof(out), &olen, &sec, app,
				  sizeof(app), &applen), 0);
	T_TRUE(sec);
	T_EQ(applen, 0);
	T_EQ(g.dev.requests, 1);
	T_EQ(spdm_sess_open(g.req, out, olen, msg, sizeof(msg), &mlen), 0);
	T_EQ(idekm_decode(ctx, false, msg, mlen, &m), 0);
	T_EQ(m.object, IDEKM_QUERY_RESP);
	/* in the clear, the handler is never reached */
	T_TRUE(spdm_sess_rsp_handle(g.rsp, query, sizeof(query), false, out, sizeof(out), &olen,
				    &sec, app, sizeof(app), &applen) < 0);
	T_EQ(g.dev.requests, 1);
	rig_fini(&g);

	/* a handler that gives nothing: nothing is sealed, the session ends */
	rig_init(&g, true);
	spdm_sess_set_vendor_handler(g.rsp, silent, NULL);
	T_EQ(spdm_sess_seal(g.req, query, sizeof(query), wire, sizeof(wire), &wlen), 0);
	T_EQ(spdm_sess_rsp_handle(g.rsp, wire, wlen, true, out, sizeof(out), &olen, &sec, app,
				  sizeof(app), &applen), -EPROTO);
	T_EQ(olen, 0);
	T_CONTAINS(doe_ctx_errmsg(ctx), "vendor handler gave no answer");
	T_EQ(spdm_sess_state(g.rsp), SPDM_SESS_FAILED);
	rig_fini(&g);
}

/* The device's answers to hand-built requests (idekm_dev_handle alone). */
static void t_device_refusals(void)
{
	static const uint8_t kp_head[] = { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0 };
	static const struct {
		const char *name;
		uint8_t ksd, port;
		size_t obj_len;		/* KEY_PROG object bytes sent */
		uint8_t status;
	} kp[] = {
		{ "KEY_PROG ok", 0x12, 0, 47, IDEKM_KP_SUCCESS },
		{ "KEY_PROG short", 0x12, 0, 40, IDEKM_KP_INCORRECT_LENGTH },
		{ "KEY_PROG long", 0x12, 0, 48, IDEKM_KP_INCORRECT_LENGTH },
		{ "KEY_PROG port", 0x12, 2, 47, IDEKM_KP_UNSUPPORTED_PORT },
		{ "KEY_PROG sub-stream 3", 0x30, 0, 47, IDEKM_KP_UNSUPPORTED_VALUE },
		{ "KEY_PROG reserved bits", 0x04, 0, 47, IDEKM_KP_UNSUPPORTED_VALUE },
	};
	static const struct {
		const char *name;
		uint8_t msg[20];
		size_t len;
		uint8_t error;
	} bad[] = {
		{ "not IDE_KM", { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0, 0x04, 0, 0x01, 0, 0, 0 }, 15,
		  SPDM_ERR_UNSUPPORTED_REQUEST },
		{ "not PCI-SIG", { 0x12, 0xFE, 0, 0, 0x04, 0, 2, 0x01, 0, 0x04, 0, 0, 0, 0, 0 }, 15,
		  SPDM_ERR_INVALID_REQUEST },
		{ "QUERY short", { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0, 0x03, 0, 0, 0, 0 }, 14,
		  SPDM_ERR_INVALID_REQUEST },
		{ "KP_ACK sent to the device", { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0, 0x08, 0, 0, 0x03,
		  0, 0, 1, 0, 0, 0 }, 19, SPDM_ERR_INVALID_REQUEST },
		{ "K_SET_GO unknown stream", { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0, 0x08, 0, 0, 0x04,
		  0, 0, 9, 0, 0, 0 }, 19, SPDM_ERR_INVALID_REQUEST },
		{ "truncated header", { 0x12, 0xFE, 0, 0, 0x03 }, 5, SPDM_ERR_INVALID_REQUEST },
		{ "short KEY_PROG, not PCI-SIG", { 0x12, 0xFE, 0, 0, 0x04, 0, 2, 0x01, 0, 0x08, 0, 0, 0x02,
		  0, 0, 1, 0, 0, 0 }, 19, SPDM_ERR_INVALID_REQUEST },
		{ "short KEY_PROG, wrong Len", { 0x12, 0xFE, 0, 0, 0x03, 0, 3, 0x01, 0, 0x08, 0, 0, 0x02,
		  0, 0, 1, 0, 0, 0 }, 19, SPDM_ERR_INVALID_REQUEST },
		{ "short KEY_PROG, other vendor", { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x02, 0, 0x08, 0, 0, 0x02,
		  0, 0, 1, 0, 0, 0 }, 19, SPDM_ERR_INVALID_REQUEST },
		{ "short KEY_PROG, PayloadLength", { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0, 0x09, 0, 0, 0x02,
		  0, 0, 1, 0, 0, 0 }, 19, SPDM_ERR_INVALID_REQUEST },
		{ "short KEY_PROG, other protocol", { 0x12, 0xFE, 0, 0, 0x03, 0, 2, 0x01, 0, 0x08, 0, 0x01,
		  0x02, 0, 0, 1, 0, 0, 0 }, 19, SPDM_ERR_UNSUPPORTED_REQUEST },
		{ "short KEY_PROG as a response", { 0x12, 0x7E, 0, 0, 0x03, 0, 2, 0x01, 0, 0x08, 0, 0,
		  0x02, 0, 0, 1, 0, 0, 0 }, 19, SPDM_ERR_INVALID_REQUEST },
	};
	struct idekm_dev_port_cfg port = { .regs = dev_regs, .regs_len = sizeof(dev_regs) };
	struct idekm_dev dev;

	T_EQ(idekm_dev_init(&dev, dctx, &port, 1), 0);
	for (size_t i = 0; i < sizeof(kp) / sizeof(kp[0]); i++) {
		uint8_t req[80] = { 0 }, rsp[64], key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];
		size_t rlen;
		struct idekm_msg m;

		t_case_name = kp[i].name;
		memcpy(req, kp_head, sizeof(kp_head));
		req[9] = (uint8_t)(kp[i].obj_len + 1);
		req[12] = IDEKM_KEY_PROG;
		req[15] = 6;		/* StreamID */
		req[17] = kp[i].ksd;
		req[18] = kp[i].port;
		memset(req + 19, 0xC3, 40);
		T_EQ(idekm_dev_handle(&dev, req, 12 + kp[i].obj_len, rsp, sizeof(rsp), &rlen), 0);
		T_EQ(idekm_decode(ctx, false, rsp, rlen, &m), 0);
		T_EQ(m.object, IDEKM_KP_ACK);
		T_EQ(m.status, kp[i].status);
		T_EQ(m.stream_id, 6);
		T_EQ(m.port_index, kp[i].port);
		T_EQ(idekm_dev_key(&dev, 0, 6, 1, 1, 0, key, ifv), 0);	/* from the first case */
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t rsp[64];
		size_t rlen;

		t_case_name = bad[i].name;
		T_EQ(idekm_dev_handle(&dev, bad[i].msg, bad[i].len, rsp, sizeof(rsp), &rlen), 0);
		T_EQ(rlen, 4);
		T_EQ(rsp[1], SPDM_ERROR);
		T_EQ(rsp[2], bad[i].error);
	}
	idekm_dev_fini(&dev);
	t_case_name = "device init";
	T_EQ(idekm_dev_init(&dev, dctx, &port, 0), -EINVAL);
	T_EQ(idekm_dev_init(&dev, dctx, &port, IDEKM_DEV_MAX_PORTS + 1), -EINVAL);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	if (doe_ctx_new(&dctx))
		return 1;
	T_RUN(t_query);
	T_RUN(t_setup_refresh_stop);
	T_RUN(t_faults);
	T_RUN(t_not_established);
	T_RUN(t_vendor_hook);
	T_RUN(t_device_refusals);
	doe_ctx_free(ctx);
	doe_ctx_free(dctx);
	return T_DONE();
}
