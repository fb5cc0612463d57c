// SPDX-License-Identifier: MIT
/*
 * IDE end to end through the emulator's real mailbox registers: an SPDM
 * session (KEY_EXCHANGE, secured messages as DOE type 2) with the CXL
 * type 3 endpoint 0f:00.0, IDE_KM inside it, the root port 00:01.0 given
 * the keys by the emulator call (the platform's part), and the link state
 * read back from both ends' IDE Extended Capability in config space. So
 * the keys are shown to have reached both ends, not just acknowledged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/doekit.h>
#include <doekit/emu.h>
#include <doekit/idekm.h>
#include <doekit/cursor.h>
#include <doekit/fmapi.h>
#include <doekit/mctp.h>
#include <doekit/spdm_keyring.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "t.h"
#include "../emu/emu_internal.h"	/* emu_fn_set_parent(): a switch by hand */

static struct doe_ctx *ctx;

#define CAPS (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)
#define LINK_CTL 0x0Cu
#define SEL_CAP 0x14u
#define SEL_CTL 0x18u
#define SEL_STS 0x1Cu

struct rig {
	struct emu_topo *topo;
	struct emu_fn *ep, *rp;
	struct doe_cfg *ep_cfg, *rp_cfg;
	uint16_t ep_off, rp_off;
	struct doe_mb *mb;
	struct spdm_trust *trust;
	struct spdm_req *req;
	struct spdm_req_policy pol;
	struct spdm_sess *s;
	_Alignas(16) uint8_t qmem[SPDM_REQUESTER_CTX_SIZE];
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	uint8_t rbuf[4096], chain[65536], meas[65536];
};

static uint32_t rd(struct doe_cfg *cfg, uint16_t off)
{
	uint32_t v = 0;

	T_EQ(doe_cfg_read32(cfg, off, &v), 0);
	return v;
}

static uint32_t ep_sts(struct rig *r)
{
	return rd(r->ep_cfg, (uint16_t)(r->ep_off + SEL_STS));
}

static uint32_t rp_sts(struct rig *r)
{
	return rd(r->rp_cfg, (uint16_t)(r->rp_off + SEL_STS));
}

static void enable(struct rig *r, uint8_t stream, bool ep_on, bool rp_on)
{
	T_EQ(doe_cfg_write32(r->ep_cfg, (uint16_t)(r->ep_off + SEL_CTL),
			     (uint32_t)stream << 24 | ep_on), 0);
	T_EQ(doe_cfg_write32(r->rp_cfg, (uint16_t)(r->rp_off + SEL_CTL),
			     (uint32_t)stream << 24 | rp_on), 0);
}

/* Topology, both ends' capabilities, the mailbox and an attested
 * connection (no session yet). */
static int rig_up_at(struct rig *r, uint8_t bus)
{
	struct doe_bdf ep = { 0, bus, 0, 0 }, rp = { 0, 0x00, 1, 0 };
	const uint8_t *root;
	size_t root_len;

	memset(r, 0, sizeof(*r));
	if (emu_topo_new(ctx, NULL, &r->topo))
		return -1;
	r->ep = emu_topo_find(r->topo, &ep);
	r->rp = emu_topo_find(r->topo, &rp);
	if (!r->ep || !r->rp || emu_fn_ide_host(r->ep) != r->rp)
		return -1;
	if (emu_fn_cfg_open(r->ep, &r->ep_cfg) || emu_fn_cfg_open(r->rp, &r->rp_cfg) ||
	    doe_extcap_find(r->ep_cfg, 0x30, &r->ep_off, 1) != 1 ||
	    doe_extcap_find(r->rp_cfg, 0x30, &r->rp_off, 1) != 1)
		return -1;
	if (emu_fn_spdm_root(r->ep, &root, &root_len) || spdm_trust_new(ctx, NULL, &r->trust) ||
	    spdm_trust_add_der(r->trust, root, root_len))
		return -1;
	/* the type 3 device and the switch upstream port: CDAT mailbox
	 * first, then CMA (type 1 and 2) */
	if (doe_mb_new(r->ep_cfg, emu_mb_offset(emu_fn_mailbox(r->ep, 1)), &r->mb))
		return -1;
	spdm_req_policy_init(&r->pol);
	r->pol.chain_buf = r->chain;
	r->pol.chain_cap = sizeof(r->chain);
	r->pol.meas_buf = r->meas;
	r->pol.meas_cap = sizeof(r->meas);
	r->pol.req_flags = CAPS;
	r->pol.trust = r->trust;
	r->pol.rsp_align = 4;
	if (spdm_req_init(r->qmem, sizeof(r->qmem), ctx, &r->pol, &r->req) ||
	    spdm_req_run(r->req, spdm_transport_doe(), r->mb, r->rbuf, sizeof(r->rbuf), 0))
		return -1;
	return 0;
}

static int rig_up(struct rig *r)
{
	return rig_up_at(r, 0x0f);
}

static int rig_session(struct rig *r)
{
	struct spdm_sess_opts so = { 0 };
	struct spdm_conn conn;

	if (spdm_req_conn(r->req, &conn) ||
	    spdm_sess_req_init(r->smem, sizeof(r->smem), ctx, &conn, &so, &r->s))
		return -1;
	return spdm_sess_run(r->s, spdm_transport_doe(), r->mb);
}

static void rig_down(struct rig *r)
{
	spdm_sess_fini(r->s);
	if (r->req)
		spdm_req_fini(r->req);
	doe_mb_free(r->mb);
	doe_cfg_free(r->ep_cfg);
	doe_cfg_free(r->rp_cfg);
	spdm_trust_free(r->trust);
	emu_topo_free(r->topo);
}

/* The capability's registers as config space holds them: read-only but
 * for Stream Control. */
static void t_capability_registers(void)
{
	struct rig r = { 0 };
	uint32_t cap;

	if (emu_topo_new(ctx, NULL, &r.topo)) {
		T_FAIL_("topology: %s", doe_ctx_errmsg(ctx));
		return;
	}
	{
		struct doe_bdf ep = { 0, 0x0f, 0, 0 };

		r.ep = emu_topo_find(r.topo, &ep);
	}
	T_EQ(emu_fn_cfg_open(r.ep, &r.ep_cfg), 0);
	T_EQ(doe_extcap_find(r.ep_cfg, 0x30, &r.ep_off, 1), 1);
	T_EQ(rd(r.ep_cfg, r.ep_off) & 0xFFFFu, 0x30u);
	cap = rd(r.ep_cfg, (uint16_t)(r.ep_off + 4));
	T_EQ(cap, IDEKM_CAP_LINK | IDEKM_CAP_SELECTIVE | IDEKM_CAP_IDE_KM);
	T_EQ(rd(r.ep_cfg, (uint16_t)(r.ep_off + SEL_CAP)), 1u);
	/* Stream Control: Enable, algorithm, TC and Stream ID take writes,
	 * the reserved bits do not */
	T_EQ(doe_cfg_write32(r.ep_cfg, (uint16_t)(r.ep_off + SEL_CTL), 0xFFFFFFFFu), 0);
	T_EQ(rd(r.ep_cfg, (uint16_t)(r.ep_off + SEL_CTL)), 0xFF3FC001u);
	T_EQ(doe_cfg_write32(r.ep_cfg, (uint16_t)(r.ep_off + LINK_CTL), 0x05000001u), 0);
	T_EQ(rd(r.ep_cfg, (uint16_t)(r.ep_off + LINK_CTL)), 0x05000001u);
	/* Status and Capability ignore writes; one enabled end is Insecure */
	T_EQ(doe_cfg_write32(r.ep_cfg, (uint16_t)(r.ep_off + SEL_STS), 2), 0);
	T_EQ(rd(r.ep_cfg, (uint16_t)(r.ep_off + SEL_STS)), 0u);
	T_EQ(doe_cfg_write32(r.ep_cfg, (uint16_t)(r.ep_off + 4), 0), 0);
	T_EQ(rd(r.ep_cfg, (uint16_t)(r.ep_off + 4)), cap);
	/* the root port and a switch port carry one; the port does not answer
	 * IDE_KM (its keys are the platform's) */
	{
		struct doe_bdf rp = { 0, 0x00, 1, 0 }, usp = { 0, 0x0d, 0, 0 };
		struct emu_fn *rpf = emu_topo_find(r.topo, &rp), *uf = emu_topo_find(r.topo, &usp);

		T_TRUE(rpf && emu_fn_has_ide(rpf));
		T_TRUE(rpf && emu_fn_ide_dev(rpf) == NULL);
		T_TRUE(uf && emu_fn_has_ide(uf));
		T_TRUE(emu_fn_ide_dev(r.ep) != NULL);
		/* the endpoint's device end has one port, the upstream port's one
		 * per switch port: itself and its two downstream ports */
		T_EQ(emu_fn_ide_dev(r.ep)->max_port_index, 0);
		T_EQ(emu_fn_ide_dev(uf)->max_port_index, 2);
		/* the platform call refuses what is not a root port and partner */
		{
			struct idekm_keys k = { .stream_id = 1 };

			T_EQ(emu_fn_ide_set_keys(r.ep, r.ep, &k), -EINVAL);
			T_CONTAINS(doe_ctx_errmsg(ctx), "is not a root port");
			T_EQ(emu_fn_ide_set_keys(rpf, rpf, &k), -EINVAL);
			T_CONTAINS(doe_ctx_errmsg(ctx), "partner");
			k.keyset = 2;
			T_EQ(emu_fn_ide_set_keys(rpf, r.ep, &k), -EINVAL);
			T_EQ(emu_fn_ide_clear_keys(rpf, 2), -EINVAL);
			T_EQ(emu_fn_set_ide_faults(r.ep, NULL), 0);
			{
				struct doe_bdf nv = { 0, 0x20, 0, 0 };

				T_EQ(emu_fn_set_ide_faults(emu_topo_find(r.topo, &nv), NULL),
				     -ENOENT);
			}
		}
	}
	doe_cfg_free(r.ep_cfg);
	emu_topo_free(r.topo);
}

/* Setup, both ends' keys equal, Secure; a wrong host key is the integrity
 * failure; refresh switches key sets; stop retires. */
static void t_stream_end_to_end(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct idekm_keys k0, k1, bad;
	struct idekm_port_info *info = calloc(1, sizeof(*info));
	struct idekm_dev *dev;
	const uint8_t stream = 5;

	if (!r || !info || rig_up(r) || rig_session(r)) {
		T_FAIL_("no session with the emulated device: %s", doe_ctx_errmsg(ctx));
		goto out;
	}
	dev = emu_fn_ide_dev(r->ep);
	/* QUERY_RESP carries the function's own registers */
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 0, info), 0);
	T_EQ(info->bus, 0x0f);
	T_EQ(info->cap.regs_len, 0x30u);
	for (uint16_t i = 0; i < info->cap.regs_len; i += 4)
		T_EQ(doe_get_le32(info->cap.regs + i), rd(r->ep_cfg, (uint16_t)(r->ep_off + 4 + i)));
	T_EQ(info->cap.nsel, 1);

	enable(r, stream, false, false);
	T_EQ(idekm_stream_setup(r->s, spdm_transport_doe(), r->mb, stream, 0, 0, &k0), 0);
	/* the device end holds the keys the requester made */
	for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
		for (uint8_t dir = 0; dir < 2; dir++) {
			uint8_t key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];

			T_EQ(idekm_dev_key(dev, 0, stream, sub, dir, 0, key, ifv), 0);
			T_MEMEQ(key, k0.k[sub][dir].key, IDEKM_KEY_SIZE);
			T_MEMEQ(ifv, k0.k[sub][dir].ifv, IDEKM_IFV_SIZE);
			T_EQ(idekm_dev_active(dev, 0, stream, sub, dir), 0);
		}
	/* keys on the device only, or enable bits missing: Insecure */
	enable(r, stream, true, true);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE);
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k0), 0);
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	T_EQ(rp_sts(r), IDEKM_STS_SECURE);
	enable(r, stream, true, false);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE);
	T_EQ(rp_sts(r), IDEKM_STS_INSECURE);
	enable(r, stream, false, true);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE);
	enable(r, (uint8_t)(stream + 1), true, true);	/* another Stream ID */
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE);
	enable(r, stream, true, true);
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	T_EQ(emu_fn_ide_failures(r->ep), 0u);

	/* a root port key that differs (one bit of CPL Tx), then an IFV */
	bad = k0;
	bad.k[IDEKM_CPL][IDEKM_TX].key[31] ^= 0x80;
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &bad), 0);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE | IDEKM_STS_IDE_FAIL);
	T_EQ(rp_sts(r), IDEKM_STS_INSECURE | IDEKM_STS_IDE_FAIL);
	T_EQ(emu_fn_ide_failures(r->ep), 1u);
	T_EQ(emu_fn_ide_failures(r->rp), 1u);
	bad = k0;
	bad.k[IDEKM_PR][IDEKM_RX].ifv[0] ^= 1;
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &bad), 0);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE | IDEKM_STS_IDE_FAIL);
	T_EQ(emu_fn_ide_failures(r->ep), 1u);	/* still the same failure */
	/* the direction semantics: swapping Rx and Tx is a mismatch too */
	bad = k0;
	for (int sub = 0; sub < 3; sub++) {
		bad.k[sub][IDEKM_RX] = k0.k[sub][IDEKM_TX];
		bad.k[sub][IDEKM_TX] = k0.k[sub][IDEKM_RX];
	}
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &bad), 0);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE | IDEKM_STS_IDE_FAIL);
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k0), 0);
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	T_EQ(rp_sts(r), IDEKM_STS_SECURE);

	/* refresh: K1 live on the device; until the host has it too, the
	 * ends disagree; then Secure on K1 */
	T_EQ(idekm_stream_refresh(r->s, spdm_transport_doe(), r->mb, &k0, &k1), 0);
	T_EQ(k1.keyset, 1);
	T_EQ(idekm_dev_active(dev, 0, stream, IDEKM_NPR, IDEKM_TX), 1);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE | IDEKM_STS_IDE_FAIL);
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k1), 0);
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	/* the root port pairs with one endpoint: keys for another one below
	 * it take the root port away from this stream */
	{
		struct doe_bdf b2 = { 0, 0x10, 0, 0 };
		struct emu_fn *ep2 = emu_topo_find(r->topo, &b2);

		T_TRUE(ep2 && emu_fn_ide_host(ep2) == r->rp);
		if (ep2) {
			T_EQ(emu_fn_ide_set_keys(r->rp, ep2, &k1), 0);
			T_EQ(ep_sts(r), IDEKM_STS_INSECURE);
			T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k1), 0);
			T_EQ(ep_sts(r), IDEKM_STS_SECURE);
		}
	}
	/* stop retires K0: gone from the device, the stream stays on K1 */
	T_EQ(idekm_stream_stop(r->s, spdm_transport_doe(), r->mb, stream, 0, 0), 0);
	T_EQ(emu_fn_ide_clear_keys(r->rp, 0), 0);
	{
		uint8_t key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];

		T_EQ(idekm_dev_key(dev, 0, stream, IDEKM_PR, IDEKM_RX, 0, key, ifv), -ENOENT);
	}
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	/* stopping the live set: Insecure, no failure */
	T_EQ(idekm_stream_stop(r->s, spdm_transport_doe(), r->mb, stream, 0, 1), 0);
	T_EQ(idekm_dev_active(dev, 0, stream, IDEKM_PR, IDEKM_RX), -ENOENT);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE);
	T_EQ(rp_sts(r), IDEKM_STS_INSECURE);
	T_EQ(spdm_sess_control(r->s, spdm_transport_doe(), r->mb, 0xEC /* END_SESSION */, 0), 0);
	idekm_keys_wipe(&k0);
	idekm_keys_wipe(&k1);
	idekm_keys_wipe(&bad);
out:
	if (r)
		rig_down(r);
	free(r);
	free(info);
}

/* IDE_KM in the clear (DOE type 1) never reaches the device; a fault knob
 * set through the emulator reaches the requester as its named error. */
static void t_clear_and_faults(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct idekm_msg q = { .object = IDEKM_QUERY, .spdm_version = 0x12 };
	struct idekm_dev_faults f;
	struct idekm_keys k;
	uint8_t req[64], rsp[256];
	size_t len, rlen;

	if (!r || rig_up(r)) {
		T_FAIL_("no connection: %s", doe_ctx_errmsg(ctx));
		goto out;
	}
	T_EQ(idekm_encode(ctx, &q, req, sizeof(req), &len), 0);
	req[0] = spdm_req_result(r->req)->version;
	T_EQ(spdm_transport_doe()->exchange(r->mb, req, len, rsp, sizeof(rsp), &rlen), 0);
	T_EQ(rsp[1], SPDM_ERROR);
	T_EQ(emu_fn_ide_dev(r->ep)->requests, 0u);

	T_EQ(emu_ide_fault_parse("wrong-stream", &f), 0);
	T_TRUE(f.wrong_stream);
	T_EQ(emu_ide_fault_parse("nope", &f), -EINVAL);
	T_EQ(emu_ide_fault_parse("bad-status", &f), 0);
	T_EQ(emu_fn_set_ide_faults(r->ep, &f), 0);
	if (rig_session(r)) {
		T_FAIL_("no session: %s", doe_ctx_errmsg(ctx));
		goto out;
	}
	T_EQ(idekm_stream_setup(r->s, spdm_transport_doe(), r->mb, 2, 0, 0, &k), -EREMOTEIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "unspecified failure");
	T_EQ(emu_fn_set_ide_faults(r->ep, NULL), 0);
	T_EQ(idekm_stream_setup(r->s, spdm_transport_doe(), r->mb, 2, 0, 0, &k), 0);
	/* the host fault: the platform's copy differs */
	T_EQ(emu_fn_ide_corrupt_host(r->ep, true), 0);
	enable(r, 2, true, true);
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k), 0);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE | IDEKM_STS_IDE_FAIL);
	T_EQ(emu_fn_ide_corrupt_host(r->ep, false), 0);
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k), 0);
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	idekm_keys_wipe(&k);
out:
	if (r)
		rig_down(r);
	free(r);
}

/* Physical Port Control through the switch's FM-API (MCTP EID 8). */
static int perst(struct emu_topo *topo, uint8_t port, uint8_t op)
{
	struct fmapi_port_control pc = { .port_id = port, .op = op };
	struct fmapi_hdr rq = { .category = FMAPI_CAT_REQ, .tag = op, .opcode = FMAPI_OP_PORT_CONTROL };
	struct fmapi_hdr h;
	struct mctp_chan *chan = NULL;
	uint8_t pl[4], req[64], rsp[256];
	const uint8_t *p;
	size_t len, n;
	int rc;

	rc = emu_mctp_open(topo, EMU_MCTP_SWITCH_EID, &chan);
	if (rc)
		return rc;
	rc = fmapi_port_control_req_encode(ctx, &pc, pl, sizeof(pl), &len);
	if (!rc)
		rc = fmapi_msg_encode(ctx, &rq, pl, len, req, sizeof(req), &len);
	if (!rc)
		rc = mctp_exchange(chan, MCTP_TYPE_FMAPI, req, len, rsp, sizeof(rsp), &len);
	if (!rc)
		rc = fmapi_msg_decode(ctx, rsp, len, &h, &p, &n);
	mctp_chan_free(chan);
	return rc ? rc : h.return_code;
}

/* A device reset (PERST# through the switch) loses what IDE_KM programmed
 * and its Stream Control: the stream goes Insecure on both ends. */
static void t_reset_loses_keys(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct idekm_keys k;

	if (!r || rig_up(r) || rig_session(r)) {
		T_FAIL_("no session: %s", doe_ctx_errmsg(ctx));
		goto out;
	}
	enable(r, 4, false, false);
	T_EQ(idekm_stream_setup(r->s, spdm_transport_doe(), r->mb, 4, 0, 0, &k), 0);
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k), 0);
	enable(r, 4, true, true);
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	T_EQ(perst(r->topo, 1, FMAPI_PORT_OP_ASSERT_PERST), 0);
	T_EQ(perst(r->topo, 1, FMAPI_PORT_OP_DEASSERT_PERST), 0);
	T_EQ(idekm_dev_active(emu_fn_ide_dev(r->ep), 0, 4, IDEKM_PR, IDEKM_RX), -ENOENT);
	T_EQ(rd(r->ep_cfg, (uint16_t)(r->ep_off + SEL_CTL)), 0u);
	T_EQ(ep_sts(r), IDEKM_STS_INSECURE);
	T_EQ(rp_sts(r), IDEKM_STS_INSECURE);
	idekm_keys_wipe(&k);
out:
	if (r)
		rig_down(r);
	free(r);
}


/* A VENDOR_DEFINED_REQUEST of the PCI-SIG (StandardID 3, VendorID 1) for
 * protocol proto, carrying body. */
static size_t pcisig_vendor_req(uint8_t version, uint8_t proto, const uint8_t *body, size_t blen,
				uint8_t *out)
{
	size_t n = 0;

	out[n++] = version;
	out[n++] = 0xFE;	/* VENDOR_DEFINED_REQUEST */
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 0x03;	/* StandardID PCI-SIG */
	out[n++] = 0x00;
	out[n++] = 2;		/* Len of VendorID */
	out[n++] = 0x01;	/* VendorID PCI-SIG */
	out[n++] = 0x00;
	out[n++] = (uint8_t)(blen + 1);
	out[n++] = (uint8_t)((blen + 1) >> 8);
	out[n++] = proto;
	memcpy(out + n, body, blen);
	return n + blen;
}

/*
 * What DMTF spdm-emu's requester does in its APP step, against the switch
 * upstream port 0d:00.0 over its own mailbox and a real session: QUERY
 * PortIndex 1 (the first downstream port, 0e:00.0), then per sub-stream
 * KEY_PROG (stream 0, port 1) immediately followed by K_SET_GO of that
 * sub-stream alone, then TDISP GET_VERSION (protocol 1), which is not
 * served: an SPDM ERROR, and the session goes on.
 */
static void t_switch_ports(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct idekm_port_info *info = calloc(1, sizeof(*info));
	struct doe_bdf b_dsp = { 0, 0x0e, 0, 0 };
	struct doe_cfg *dcfg = NULL;
	struct idekm_keys k = { .stream_id = 0, .port_index = 1, .keyset = 0 };
	struct idekm_dev *dev;
	struct emu_fn *dsp;
	uint16_t doff = 0;
	uint8_t req[64], rsp[256], ver;
	size_t len, rlen = 0;

	if (!r || !info || rig_up_at(r, 0x0d) || rig_session(r)) {
		T_FAIL_("no session with the switch upstream port: %s", doe_ctx_errmsg(ctx));
		goto out;
	}
	dsp = emu_topo_find(r->topo, &b_dsp);
	dev = emu_fn_ide_dev(r->ep);
	if (!dsp || !dev || emu_fn_cfg_open(dsp, &dcfg) ||
	    doe_extcap_find(dcfg, 0x30, &doff, 1) != 1) {
		T_FAIL_("%s", "no downstream port 0e:00.0 with IDE");
		goto out;
	}
	/* PortIndex 0: the upstream port itself */
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 0, info), 0);
	T_EQ(info->bus, 0x0d);
	T_EQ(info->dev_func, 0);
	T_EQ(info->max_port_index, 2);
	/* PortIndex 1: the downstream port's own BDF and live registers */
	T_EQ(doe_cfg_write32(dcfg, (uint16_t)(doff + SEL_CTL), 0x07000000u), 0);
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 1, info), 0);
	T_EQ(info->port_index, 1);
	T_EQ(info->max_port_index, 2);
	T_EQ(info->bus, 0x0e);
	T_EQ(info->dev_func, 0);
	T_EQ(info->segment, 0);
	T_EQ(info->cap.regs_len, 0x30u);
	for (uint16_t i = 0; i < info->cap.regs_len; i += 4)
		T_EQ(doe_get_le32(info->cap.regs + i), rd(dcfg, (uint16_t)(doff + 4 + i)));
	/* PortIndex 2: the other downstream port, 0e:01.0 */
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 2, info), 0);
	T_EQ(info->bus, 0x0e);
	T_EQ(info->dev_func, 1 << 3);

	/* spdm-emu's order: KEY_PROG then at once K_SET_GO, per sub-stream */
	for (uint8_t dir = 0; dir < 2; dir++)
		for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++) {
			T_TRUE(RAND_bytes(k.k[sub][dir].key, IDEKM_KEY_SIZE) == 1);
			memset(k.k[sub][dir].ifv, 0, IDEKM_IFV_SIZE);
			k.k[sub][dir].ifv[4] = 1;	/* iv[0] = 0, iv[1] = 1 */
			T_EQ(idekm_key_prog(r->s, spdm_transport_doe(), r->mb, 0, 1, 0, dir, sub,
					    k.k[sub][dir].key, k.k[sub][dir].ifv), 0);
			T_EQ(idekm_key_set(r->s, spdm_transport_doe(), r->mb, true, 0, 1, 0, dir,
					   sub), 0);
			T_EQ(idekm_dev_active(dev, 1, 0, sub, dir), 0);
		}
	/* the keys are the downstream port's (index 1), not the upstream port's */
	for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
		for (uint8_t dir = 0; dir < 2; dir++) {
			uint8_t key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];

			T_EQ(idekm_dev_key(dev, 1, 0, sub, dir, 0, key, ifv), 0);
			T_MEMEQ(key, k.k[sub][dir].key, IDEKM_KEY_SIZE);
			T_MEMEQ(ifv, k.k[sub][dir].ifv, IDEKM_IFV_SIZE);
			T_EQ(idekm_dev_active(dev, 0, 0, sub, dir), -ENOENT);
		}
	/* and the link model sees them as the downstream port's: its stream
	 * with the root port given the same keys reads Secure */
	T_EQ(doe_cfg_write32(dcfg, (uint16_t)(doff + SEL_CTL), 0x00000001u), 0);
	T_EQ(doe_cfg_write32(r->rp_cfg, (uint16_t)(r->rp_off + SEL_CTL), 0x00000001u), 0);
	T_EQ(emu_fn_ide_set_keys(r->rp, dsp, &k), 0);
	T_EQ(rd(dcfg, (uint16_t)(doff + SEL_STS)), IDEKM_STS_SECURE);
	T_EQ(rp_sts(r), IDEKM_STS_SECURE);
	/* the same keys, live on PortIndex 2 as well, are 0e:01.0's there:
	 * named for PortIndex 2 they are not this port's */
	for (uint8_t dir = 0; dir < 2; dir++)
		for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++) {
			T_EQ(idekm_key_prog(r->s, spdm_transport_doe(), r->mb, 0, 2, 0, dir, sub,
					    k.k[sub][dir].key, k.k[sub][dir].ifv), 0);
			T_EQ(idekm_key_set(r->s, spdm_transport_doe(), r->mb, true, 0, 2, 0, dir,
					   sub), 0);
		}
	k.port_index = 2;
	T_EQ(emu_fn_ide_set_keys(r->rp, dsp, &k), 0);
	T_EQ(rd(dcfg, (uint16_t)(doff + SEL_STS)), IDEKM_STS_INSECURE);
	k.port_index = 1;
	T_EQ(emu_fn_ide_set_keys(r->rp, dsp, &k), 0);
	T_EQ(rd(dcfg, (uint16_t)(doff + SEL_STS)), IDEKM_STS_SECURE);
	/* an IDE_KM change on PortIndex 1 is the downstream port's: one
	 * sub-stream stopped there and its stream is no longer Secure */
	T_EQ(idekm_key_set(r->s, spdm_transport_doe(), r->mb, false, 0, 1, 0, IDEKM_RX, IDEKM_PR),
	     0);
	T_EQ(rd(dcfg, (uint16_t)(doff + SEL_STS)), IDEKM_STS_INSECURE);
	T_EQ(rp_sts(r), IDEKM_STS_INSECURE);

	/* TDISP GET_VERSION (TDISP 1.0, type 0x81, InterfaceID 0xBEEF): not
	 * served, answered ERROR UnsupportedRequest inside the session */
	ver = spdm_req_result(r->req)->version;
	{
		static const uint8_t get_version[16] = { 0x10, 0x81, 0, 0, 0xEF, 0xBE };

		len = pcisig_vendor_req(ver, 0x01, get_version, sizeof(get_version), req);
		T_EQ(spdm_sess_exchange(r->s, spdm_transport_doe(), r->mb, req, len, rsp,
					sizeof(rsp), &rlen), 0);
		T_TRUE(rlen >= 4);
		T_EQ(rsp[0], ver);
		T_EQ(rsp[1], SPDM_ERROR);
		T_EQ(rsp[2], SPDM_ERR_UNSUPPORTED_REQUEST);
	}
	/* the session goes on: IDE_KM still answers */
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 1, info), 0);
	T_EQ(info->bus, 0x0e);

	/* beyond MaxPortIndex: QUERY answered ERROR InvalidRequest, KEY_PROG
	 * acknowledged with Status 2 (unsupported PortIndex), K_SET_GO ERROR */
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 3, info), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "InvalidRequest");
	T_EQ(idekm_key_prog(r->s, spdm_transport_doe(), r->mb, 0, 3, 0, 0, 0, k.k[0][0].key,
			    k.k[0][0].ifv), -EREMOTEIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "Status 2");
	T_EQ(idekm_key_set(r->s, spdm_transport_doe(), r->mb, true, 0, 3, 0, 0, 0), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "InvalidRequest");
	/* a K_SET_GO for a key set never programmed (K1), and for the one
	 * just stopped */
	T_EQ(idekm_key_set(r->s, spdm_transport_doe(), r->mb, true, 0, 2, 1, 0, 0), -EPROTO);
	T_EQ(idekm_key_set(r->s, spdm_transport_doe(), r->mb, true, 0, 1, 0, IDEKM_RX, IDEKM_PR),
	     -EPROTO);
	/* still usable after all the refusals */
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 0, info), 0);
	T_EQ(spdm_sess_control(r->s, spdm_transport_doe(), r->mb, 0xEC /* END_SESSION */, 0), 0);
out:
	idekm_keys_wipe(&k);
	doe_cfg_free(dcfg);
	if (r)
		rig_down(r);
	free(r);
	free(info);
}

/* The upstream port's IDE_KM ports are its downstream ports with IDE,
 * added after it: at most 7 (PortIndex 1..7), and fixed once it has
 * made its device end. */
static void t_switch_port_limits(void)
{
	struct emu_fn_info ui = { .bdf = { 0, 0x30, 0, 0 }, .port_type = EMU_PCIE_SWITCH_UP };
	struct emu_fn *usp = NULL, *usp2 = NULL, *dsp[9] = { 0 };
	struct idekm_dev *dev;

	T_EQ(emu_fn_new(ctx, &ui, &usp), 0);
	T_EQ(emu_fn_add_ide(usp), 0);
	for (uint8_t i = 0; i < 9; i++) {
		struct emu_fn_info di = { .bdf = { 0, 0x31, i, 0 },
					  .port_type = EMU_PCIE_SWITCH_DOWN };

		T_EQ(emu_fn_new(ctx, &di, &dsp[i]), 0);
		emu_fn_set_parent(dsp[i], usp);
	}
	for (uint8_t i = 0; i < 7; i++)
		T_EQ(emu_fn_add_ide(dsp[i]), 0);
	T_EQ(emu_fn_add_ide(dsp[7]), -ENOSPC);
	T_CONTAINS(doe_ctx_errmsg(ctx), "at most 7 downstream ports");
	T_TRUE(!emu_fn_has_ide(dsp[7]));
	dev = emu_fn_ide_dev(usp);
	T_TRUE(dev != NULL);
	if (dev) {
		T_EQ(dev->max_port_index, 7);
		T_EQ(dev->port[7].dev_func, 6 << 3);
		T_EQ(dev->port[7].bus, 0x31);
	}
	/* a downstream port's own device end is one port, itself */
	T_EQ(emu_fn_ide_dev(dsp[0])->max_port_index, 0);
	/* another upstream port with one downstream port: once it has made
	 * its device end (answered), its ports are fixed */
	ui.bdf.bus = 0x40;
	T_EQ(emu_fn_new(ctx, &ui, &usp2), 0);
	T_EQ(emu_fn_add_ide(usp2), 0);
	emu_fn_set_parent(dsp[7], usp2);
	emu_fn_set_parent(dsp[8], usp2);
	T_EQ(emu_fn_add_ide(dsp[7]), 0);
	T_TRUE(emu_fn_ide_dev(usp2) != NULL);
	T_EQ(emu_fn_ide_dev(usp2)->max_port_index, 1);
	T_EQ(emu_fn_add_ide(dsp[8]), -ENOSPC);
	T_CONTAINS(doe_ctx_errmsg(ctx), "fixed once it has answered");
	T_EQ(emu_fn_ide_dev(usp2)->max_port_index, 1);
	for (uint8_t i = 0; i < 9; i++)
		emu_fn_free(dsp[i]);
	emu_fn_free(usp);
	emu_fn_free(usp2);
}

/* A session handed on (doe session --keyring, then doe ide --session): the
 * first requester sets it up over the mailbox and is gone; a second one,
 * made from the exported payload alone, runs IDE_KM in it through the same
 * mailbox registers to a Secure link, and its own export carries the
 * sequence numbers on. A stale payload (numbers the device has seen) is
 * refused by the device, which ends the session. */
static void t_resumed_session(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	_Alignas(16) static uint8_t mem[SPDM_SESSION_CTX_SIZE];
	uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE], after[SPDM_KEYRING_PAYLOAD_SIZE];
	struct spdm_keyring_payload k, k2;
	struct idekm_port_info info;
	struct idekm_keys k0;
	struct spdm_sess *s = NULL;
	const uint8_t stream = 4;

	if (!r || rig_up(r) || rig_session(r)) {
		T_FAIL_("no session with the emulated device: %s", doe_ctx_errmsg(ctx));
		goto out;
	}
	/* one message in the first requester's hands, then the hand-off */
	T_EQ(idekm_query(r->s, spdm_transport_doe(), r->mb, 0, &info), 0);
	T_EQ(spdm_keyring_export(r->s, ctx, payload), 0);
	spdm_sess_fini(r->s);
	r->s = NULL;
	T_EQ(spdm_keyring_parse(ctx, payload, sizeof(payload), &k), 0);
	T_EQ(k.flags & SPDM_KEYRING_MCTP, 0);

	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &k, &s), 0);
	if (!s)
		goto out;
	enable(r, stream, false, false);
	T_EQ(idekm_stream_setup(s, spdm_transport_doe(), r->mb, stream, 0, 0, &k0), 0);
	enable(r, stream, true, true);
	T_EQ(emu_fn_ide_set_keys(r->rp, r->ep, &k0), 0);
	T_EQ(ep_sts(r), IDEKM_STS_SECURE);
	T_EQ(rp_sts(r), IDEKM_STS_SECURE);
	/* 6 KEY_PROG + 6 K_SET_GO: 12 more each way */
	T_EQ(spdm_keyring_export(s, ctx, after), 0);
	T_EQ(spdm_keyring_parse(ctx, after, sizeof(after), &k2), 0);
	T_EQ(k2.req.seq, k.req.seq + 12);
	T_EQ(k2.rsp.seq, k.rsp.seq + 12);
	/* no KEY_UPDATE without the secrets: the device's keys stay as they are */
	T_EQ(spdm_sess_control(s, spdm_transport_doe(), r->mb, 0xE9, SPDM_KEY_UPDATE_ALL_KEYS),
	     -EOPNOTSUPP);
	T_EQ(spdm_sess_state(s), SPDM_SESS_ESTABLISHED);
	spdm_sess_fini(s);

	/* the stale payload: its first request reuses a sequence number */
	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &k, &s), 0);
	T_TRUE(idekm_query(s, spdm_transport_doe(), r->mb, 0, &info) < 0);
	T_EQ(spdm_sess_state(s), SPDM_SESS_FAILED);
	spdm_sess_fini(s);
	/* and the device ended the session: the fresh payload is no good now */
	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &k2, &s), 0);
	T_TRUE(idekm_query(s, spdm_transport_doe(), r->mb, 0, &info) < 0);
	spdm_sess_fini(s);
	idekm_keys_wipe(&k0);
out:
	OPENSSL_cleanse(payload, sizeof(payload));
	OPENSSL_cleanse(after, sizeof(after));
	if (r)
		rig_down(r);
	free(r);
}

int main(void)
{
	T_EQ(doe_ctx_new(&ctx), 0);
	T_RUN(t_capability_registers);
	T_RUN(t_stream_end_to_end);
	T_RUN(t_clear_and_faults);
	T_RUN(t_reset_loses_keys);
	T_RUN(t_switch_ports);
	T_RUN(t_switch_port_limits);
	T_RUN(t_resumed_session);
	doe_ctx_free(ctx);
	return T_DONE();
}
