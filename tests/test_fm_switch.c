// SPDX-License-Identifier: MIT
/*
 * The emulated CXL switch end to end through the in-process MCTP network
 * (emu_mctp_open()): FM-API answers from the model, the model's changes
 * seen in config space (one model, two views), the fault knobs, and the
 * switch's SPDM identity over MCTP against the one over DOE.
 */
#include <stdlib.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include <doekit/fmapi.h>
#include <doekit/fmapi_tunnel.h>
#include <doekit/mctp.h>
#include <doekit/spdm.h>
#include "internal.h"
#include "t.h"

static struct doe_ctx *ctx;

struct fx {
	struct emu_topo *topo;
	struct mctp_chan *chan;
	uint8_t tag;
};

static int fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	if (emu_topo_new(ctx, "cxl-switch", &f->topo))
		return -1;
	return emu_mctp_open(f->topo, EMU_MCTP_SWITCH_EID, &f->chan);
}

static void fx_close(struct fx *f)
{
	mctp_chan_free(f->chan);
	emu_topo_free(f->topo);
}

#define FX_OPEN(f)                                        \
	do {                                              \
		if (fx_open(f)) {                         \
			T_FAIL_("fixture: %s", doe_ctx_errmsg(ctx)); \
			fx_close(f);                      \
			return;                           \
		}                                         \
	} while (0)

/* One raw exchange, built and checked with the codec alone (no requester
 * logic), so the responder is tested by itself. */
static uint8_t out_buf[8192];
static size_t out_len;

static int cmd(struct fx *f, uint16_t op, const void *pl, size_t plen, struct fmapi_hdr *h)
{
	uint8_t req[1200], rsp[9000];
	struct fmapi_hdr rq = { .category = FMAPI_CAT_REQ, .tag = ++f->tag, .opcode = op };
	const uint8_t *p;
	size_t len, n;

	TRY(fmapi_msg_encode(ctx, &rq, pl, plen, req, sizeof(req), &len));
	TRY(mctp_exchange(f->chan, MCTP_TYPE_FMAPI, req, len, rsp, sizeof(rsp), &len));
	TRY(fmapi_msg_decode(ctx, rsp, len, h, &p, &n));
	memcpy(out_buf, p, n);
	out_len = n;
	return 0;
}

static struct emu_fn *find(struct fx *f, const char *bdf)
{
	struct doe_bdf b;

	return doe_bdf_parse(bdf, &b) ? NULL : emu_topo_find(f->topo, &b);
}

/* Vendor/device ID as config space shows it (all ones when absent) */
static uint32_t cfg_id(struct fx *f, const char *bdf)
{
	struct doe_cfg *cfg = NULL;
	uint32_t v = 0xDEADBEEF;

	if (emu_fn_cfg_open(find(f, bdf), &cfg) == 0)
		doe_cfg_read32(cfg, 0, &v);
	doe_cfg_free(cfg);
	return v;
}

static void t_identify(void)
{
	struct fmapi_identify id = { 0 };
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), 0);
	T_EQ(h.category, FMAPI_CAT_RSP);
	T_EQ(h.tag, f.tag);
	T_EQ(h.opcode, FMAPI_OP_IDENTIFY);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_EQ(fmapi_identify_rsp_decode(ctx, out_buf, out_len, &id), 0);
	/* the same IDs as the upstream port 0d:00.0 in config space */
	T_EQ(id.vendor_id, 0x19E5);
	T_EQ(id.device_id, 0xA128);
	T_EQ(cfg_id(&f, "0d:00.0"), 0xA12819E5u);
	T_EQ(id.component_type, FMAPI_COMPONENT_SWITCH);
	T_EQ(id.max_msg_size, 10);
	/* a payload where none belongs is invalid input */
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, "x", 1, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	T_EQ(out_len, 0);
	fx_close(&f);
}

static void t_identify_switch(void)
{
	struct fmapi_switch_info si = { 0 };
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY_SWITCH, NULL, 0, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_EQ(fmapi_switch_rsp_decode(ctx, out_buf, out_len, &si), 0);
	T_EQ(si.num_ports, 3);
	T_EQ(si.num_vcs, 1);
	T_EQ(si.active_ports[0], 0x07);	/* ports 0 (USP), 1, 2 */
	T_EQ(si.active_vcs[0], 0x01);
	T_EQ(si.total_vppbs, 2);
	T_EQ(si.bound_vppbs, 2);
	fx_close(&f);
}

static int port_state(struct fx *f, const uint8_t *ports, size_t n,
		      struct fmapi_port_state_rsp *rsp, struct fmapi_hdr *h)
{
	static struct fmapi_port_state_req req;
	uint8_t pl[300];
	size_t len;

	req.num_ports = (uint16_t)n;
	memcpy(req.ports, ports, n);
	TRY(fmapi_port_state_req_encode(ctx, &req, pl, sizeof(pl), &len));
	TRY(cmd(f, FMAPI_OP_GET_PORT_STATE, pl, len, h));
	if (h->return_code)
		return 0;
	return fmapi_port_state_rsp_decode(ctx, out_buf, out_len, rsp);
}

static void t_ports(void)
{
	static struct fmapi_port_state_rsp rsp;
	static const uint8_t all[] = { 0, 1, 2 }, bad[] = { 1, 3 };
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(port_state(&f, all, 3, &rsp, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_EQ(rsp.num_ports, 3);
	T_EQ(rsp.ports[0].port_id, 0);
	T_EQ(rsp.ports[0].config_state, FMAPI_PORT_USP);
	T_EQ(rsp.ports[0].dev_type, FMAPI_DEV_NONE);
	T_EQ(rsp.ports[1].port_id, 1);
	T_EQ(rsp.ports[1].config_state, FMAPI_PORT_DSP);
	T_EQ(rsp.ports[1].dev_type, FMAPI_DEV_TYPE3_SLD);
	T_EQ(rsp.ports[1].max_width, 16);
	T_EQ(rsp.ports[1].width, 8);	/* the x8 device below the x16 port */
	T_EQ(rsp.ports[1].max_speed, 5);
	T_EQ(rsp.ports[1].speed, 5);
	T_EQ(rsp.ports[1].ltssm, 0x04);	/* L0 */
	T_EQ(rsp.ports[1].link_flags, FMAPI_LINK_PRSNT);
	T_EQ(rsp.ports[2].port_id, 2);
	/* a port that does not exist */
	T_EQ(port_state(&f, bad, 2, &rsp, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	fx_close(&f);
}

static int vcs_info(struct fx *f, uint8_t vcs, struct fmapi_vcs_info_rsp *rsp)
{
	static struct fmapi_vcs_info_req req;
	struct fmapi_hdr h;
	uint8_t pl[64];
	size_t len;

	memset(&req, 0, sizeof(req));
	req.vppb_limit = 255;
	req.num_vcs = 1;
	req.vcs_ids[0] = vcs;
	TRY(fmapi_vcs_info_req_encode(ctx, &req, pl, sizeof(pl), &len));
	TRY(cmd(f, FMAPI_OP_GET_VCS_INFO, pl, len, &h));
	if (h.return_code)
		return -EREMOTEIO;
	return fmapi_vcs_info_rsp_decode(ctx, &req, out_buf, out_len, rsp);
}

static void t_vcs(void)
{
	static struct fmapi_vcs_info_rsp rsp;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(vcs_info(&f, 0, &rsp), 0);
	T_EQ(rsp.num_vcs, 1);
	T_EQ(rsp.vcs[0].vcs_id, 0);
	T_EQ(rsp.vcs[0].state, FMAPI_VCS_ENABLED);
	T_EQ(rsp.vcs[0].usp_id, 0);
	T_EQ(rsp.vcs[0].num_vppbs, 2);
	T_EQ(rsp.vcs[0].listed, 2);
	T_EQ(rsp.vcs[0].vppbs[0].status, FMAPI_VPPB_BOUND_PORT);
	T_EQ(rsp.vcs[0].vppbs[0].port_id, 1);
	T_EQ(rsp.vcs[0].vppbs[1].status, FMAPI_VPPB_BOUND_PORT);
	T_EQ(rsp.vcs[0].vppbs[1].port_id, 2);
	/* a VCS the switch does not have is listed as invalid */
	T_EQ(vcs_info(&f, 3, &rsp), 0);
	T_EQ(rsp.vcs[0].state, FMAPI_VCS_INVALID);
	fx_close(&f);
}

/* Get LD Info tunnelled to the device on a port, with the codec alone. */
static int ld_info_raw(struct fx *f, uint8_t port, struct fmapi_hdr *outer, struct fmapi_hdr *inner,
		       struct fmapi_ld_info *li)
{
	struct fmapi_hdr rq = { .category = FMAPI_CAT_REQ, .tag = 0x42,
				.opcode = FMAPI_OP_GET_LD_INFO };
	uint8_t msg[32], pl[64];
	struct fmapi_tunnel_req t = { .port_id = port, .msg = msg };
	const uint8_t *m, *p;
	size_t len, mlen, plen;

	TRY(fmapi_msg_encode(ctx, &rq, NULL, 0, msg, sizeof(msg), &t.msg_len));
	TRY(fmapi_tunnel_req_encode(ctx, &t, pl, sizeof(pl), &len));
	TRY(cmd(f, FMAPI_OP_TUNNEL, pl, len, outer));
	if (outer->return_code)
		return 0;
	TRY(fmapi_tunnel_rsp_decode(ctx, out_buf, out_len, &m, &mlen));
	TRY(fmapi_msg_decode(ctx, m, mlen, inner, &p, &plen));
	T_EQ(inner->tag, 0x42);
	if (inner->return_code)
		return 0;
	return fmapi_ld_info_rsp_decode(ctx, p, plen, li);
}

static void t_ld_info(void)
{
	struct fmapi_ld_info li = { 0 };
	struct fmapi_hdr o, i;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(ld_info_raw(&f, 1, &o, &i, &li), 0);
	T_EQ(o.return_code, FMAPI_RC_SUCCESS);
	T_EQ(i.return_code, FMAPI_RC_SUCCESS);
	T_EQ(i.opcode, FMAPI_OP_GET_LD_INFO);
	/* the CDAT's two DSMAS: 256 MiB volatile + 256 MiB persistent */
	T_EQ(li.memory_size, 512ull << 20);
	T_EQ(li.ld_count, 1);
	/* the switch itself has no memory; port 0 is no device; no port 7 */
	T_EQ(cmd(&f, FMAPI_OP_GET_LD_INFO, NULL, 0, &o), 0);
	T_EQ(o.return_code, FMAPI_RC_UNSUPPORTED);
	T_EQ(ld_info_raw(&f, 0, &o, &i, &li), 0);
	T_EQ(o.return_code, FMAPI_RC_INVALID_INPUT);
	T_EQ(ld_info_raw(&f, 7, &o, &i, &li), 0);
	T_EQ(o.return_code, FMAPI_RC_INVALID_INPUT);
	fx_close(&f);
}

static int unbind_raw(struct fx *f, uint8_t vppb, struct fmapi_hdr *h)
{
	struct fmapi_unbind u = { .vcs_id = 0, .vppb_id = vppb };
	uint8_t pl[8];
	size_t len;

	TRY(fmapi_unbind_req_encode(ctx, &u, pl, sizeof(pl), &len));
	return cmd(f, FMAPI_OP_UNBIND_VPPB, pl, len, h);
}

static int bind_raw(struct fx *f, uint8_t vppb, uint8_t port, uint16_t ld, struct fmapi_hdr *h)
{
	struct fmapi_bind b = { .vcs_id = 0, .vppb_id = vppb, .port_id = port, .ld_id = ld };
	uint8_t pl[8];
	size_t len;

	TRY(fmapi_bind_req_encode(ctx, &b, pl, sizeof(pl), &len));
	return cmd(f, FMAPI_OP_BIND_VPPB, pl, len, h);
}

static int bg_status(struct fx *f, struct fmapi_bg_status *st)
{
	struct fmapi_hdr h;

	TRY(cmd(f, FMAPI_OP_BG_OP_STATUS, NULL, 0, &h));
	return fmapi_bg_status_rsp_decode(ctx, out_buf, out_len, st);
}

/* Unbind vPPB 1: background operation; at completion port 2's device
 * (10:00.0) is gone from config space; bind brings it back. */
static void t_unbind_bind(void)
{
	static struct fmapi_vcs_info_rsp vcs;
	struct fmapi_bg_status st = { 0 };
	struct emu_fn *dev, *other;
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	dev = find(&f, "10:00.0");
	other = find(&f, "0f:00.0");
	T_EQ(cfg_id(&f, "10:00.0"), 0x0D938086u);
	T_EQ(unbind_raw(&f, 1, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_BACKGROUND);
	T_TRUE(h.background);
	/* still there until the operation completes */
	T_TRUE(emu_fn_present(dev));
	T_EQ(vcs_info(&f, 0, &vcs), 0);
	T_EQ(vcs.vcs[0].vppbs[1].status, FMAPI_VPPB_IN_PROGRESS);
	/* a second background command while one runs: Busy */
	T_EQ(unbind_raw(&f, 0, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_BUSY);
	T_EQ(bg_status(&f, &st), 0);
	T_TRUE(st.running);
	T_EQ(st.percent, 33);
	T_EQ(st.opcode, FMAPI_OP_UNBIND_VPPB);
	T_EQ(bg_status(&f, &st), 0);
	T_TRUE(st.running);
	T_EQ(st.percent, 66);
	T_TRUE(emu_fn_present(dev));
	T_EQ(bg_status(&f, &st), 0);
	T_TRUE(!st.running);
	T_EQ(st.percent, 100);
	T_EQ(st.return_code, FMAPI_RC_SUCCESS);
	/* the other view: config space below port 2 reads all ones */
	T_TRUE(!emu_fn_present(dev));
	T_EQ(cfg_id(&f, "10:00.0"), 0xFFFFFFFFu);
	T_EQ(emu_fn_link_holds(find(&f, "0e:01.0")), EMU_LINK_UNBOUND);
	T_TRUE(emu_fn_present(other));	/* port 1 untouched */
	T_EQ(vcs_info(&f, 0, &vcs), 0);
	T_EQ(vcs.vcs[0].vppbs[1].status, FMAPI_VPPB_UNBOUND);
	/* unbinding it again: nothing bound */
	T_EQ(unbind_raw(&f, 1, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);

	/* bind errors: no such vPPB, port, a port already bound, an LD ID on an SLD */
	T_EQ(bind_raw(&f, 5, 2, FMAPI_LD_NONE, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	T_EQ(bind_raw(&f, 1, 9, FMAPI_LD_NONE, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	T_EQ(bind_raw(&f, 1, 1, FMAPI_LD_NONE, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	T_EQ(bind_raw(&f, 1, 2, 0, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	T_TRUE(!emu_fn_present(dev));
	T_EQ(bind_raw(&f, 1, 2, FMAPI_LD_NONE, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_TRUE(emu_fn_present(dev));
	T_EQ(cfg_id(&f, "10:00.0"), 0x0D938086u);
	T_EQ(emu_fn_link_holds(find(&f, "0e:01.0")), 0);
	T_EQ(vcs_info(&f, 0, &vcs), 0);
	T_EQ(vcs.vcs[0].vppbs[1].status, FMAPI_VPPB_BOUND_PORT);
	T_EQ(vcs.vcs[0].vppbs[1].port_id, 2);
	fx_close(&f);
}

static int port_control(struct fx *f, uint8_t port, uint8_t op, struct fmapi_hdr *h)
{
	struct fmapi_port_control pc = { .port_id = port, .op = op };
	uint8_t pl[4];
	size_t len;

	TRY(fmapi_port_control_req_encode(ctx, &pc, pl, sizeof(pl), &len));
	return cmd(f, FMAPI_OP_PORT_CONTROL, pl, len, h);
}

static uint64_t resets(struct emu_fn *fn)
{
	struct emu_mb_stats st;

	emu_mb_stats(emu_fn_mailbox(fn, 0), &st);
	return st.resets;
}

/* The response code of a GET_CAPABILITIES (SPDM 1.0) to the function's
 * own responder: CAPABILITIES after GET_VERSION, ERROR before. */
static int caps_code(struct emu_fn *fn)
{
	static const uint8_t get_caps[] = { 0x10, 0xE1, 0x00, 0x00 };
	uint8_t rsp[64];
	size_t len = 0;

	if (emu_fn_spdm_handle(fn, get_caps, sizeof(get_caps), rsp, sizeof(rsp), &len) || len < 2)
		return -1;
	return rsp[1];
}

/* A PPB reset resets the device's SPDM responder: what it negotiated is
 * gone (GET_CAPABILITIES after GET_VERSION is answered; after a reset it is
 * out of order). The device on the other port keeps its state. */
static void t_reset_spdm(void)
{
	static const uint8_t get_version[] = { 0x10, 0x84, 0x00, 0x00 };
	struct emu_fn *dev, *other;
	uint8_t rsp[64];
	size_t len;
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	dev = find(&f, "0f:00.0");
	other = find(&f, "10:00.0");
	T_EQ(emu_fn_spdm_handle(dev, get_version, sizeof(get_version), rsp, sizeof(rsp), &len), 0);
	T_EQ(emu_fn_spdm_handle(other, get_version, sizeof(get_version), rsp, sizeof(rsp), &len),
	     0);
	T_EQ(port_control(&f, 1, FMAPI_PORT_OP_RESET_PPB, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_EQ(caps_code(dev), 0x7F);	/* ERROR: GET_VERSION first */
	T_EQ(caps_code(other), 0x61);	/* CAPABILITIES */
	fx_close(&f);
}

static void t_port_control(void)
{
	static struct fmapi_port_state_rsp rsp;
	static const uint8_t p1[] = { 1 };
	struct emu_fn *dev;
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	dev = find(&f, "0f:00.0");
	T_EQ(port_control(&f, 1, FMAPI_PORT_OP_ASSERT_PERST, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_TRUE(!emu_fn_present(dev));
	T_EQ(cfg_id(&f, "0f:00.0"), 0xFFFFFFFFu);
	T_EQ(port_state(&f, p1, 1, &rsp, &h), 0);
	T_EQ(rsp.ports[0].link_flags, FMAPI_LINK_PERST | FMAPI_LINK_PRSNT);
	T_EQ(rsp.ports[0].ltssm, 0x00);	/* Detect */
	T_EQ(rsp.ports[0].width, 0);
	T_EQ(resets(dev), 0);
	T_EQ(port_control(&f, 1, FMAPI_PORT_OP_DEASSERT_PERST, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_TRUE(emu_fn_present(dev));
	T_EQ(resets(dev), 1);	/* out of reset: afresh */
	T_EQ(cfg_id(&f, "0f:00.0"), 0x0D938086u);
	/* a PPB reset: back at once, reset */
	T_EQ(port_control(&f, 1, FMAPI_PORT_OP_RESET_PPB, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_TRUE(emu_fn_present(dev));
	T_EQ(resets(dev), 2);
	/* the upstream port and ports that do not exist have no PERST# to drive */
	T_EQ(port_control(&f, 0, FMAPI_PORT_OP_ASSERT_PERST, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	T_EQ(port_control(&f, 5, FMAPI_PORT_OP_RESET_PPB, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	T_TRUE(emu_fn_present(find(&f, "0d:00.0")));
	fx_close(&f);
}

static int ppb_config(struct fx *f, uint8_t port, bool write, uint16_t off, uint32_t data,
		      struct fmapi_hdr *h, uint32_t *got)
{
	struct fmapi_ppb_config c = { .port_id = port, .reg = (uint8_t)(off / 4),
				      .ext_reg = (uint8_t)(off >> 10), .byte_enable = 0xF,
				      .write = write, .data = data };
	uint8_t pl[16];
	size_t len;

	TRY(fmapi_ppb_config_req_encode(ctx, &c, pl, sizeof(pl), &len));
	TRY(cmd(f, FMAPI_OP_SEND_PPB_CONFIG, pl, len, h));
	if (!write && !h->return_code)
		TRY(fmapi_ppb_config_rsp_decode(ctx, out_buf, out_len, got));
	return 0;
}

static void t_ppb_config(void)
{
	struct fmapi_hdr h;
	uint32_t v = 0;
	struct fx f;

	FX_OPEN(&f);
	/* the downstream ports' own IDs, as config space has them */
	T_EQ(ppb_config(&f, 1, false, 0, 0, &h, &v), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_EQ(v, 0xA12919E5u);
	T_EQ(v, cfg_id(&f, "0e:00.0"));
	T_EQ(ppb_config(&f, 2, false, 0x40 + 0x0C, 0, &h, &v), 0);
	T_EQ(v >> 24, 2);	/* Link Capabilities: Port Number 2 */
	/* an extended-space register: the first extended capability header */
	T_EQ(ppb_config(&f, 2, false, 0x100, 0, &h, &v), 0);
	T_EQ(v & 0xFFFFu, 0x0023);	/* DVSEC */
	/* a write of Link Control's Link Disable takes port 2's link down */
	T_EQ(ppb_config(&f, 2, true, 0x50, 0x10, &h, NULL), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_TRUE(!emu_fn_present(find(&f, "10:00.0")));
	T_EQ(ppb_config(&f, 2, true, 0x50, 0, &h, NULL), 0);
	T_TRUE(emu_fn_present(find(&f, "10:00.0")));
	T_EQ(ppb_config(&f, 9, false, 0, 0, &h, &v), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_INPUT);
	fx_close(&f);
}

/* The knobs, seen by a raw requester: what reaches the wire. */
static void t_faults_raw(void)
{
	struct emu_mctp_fault busy2 = { EMU_MCTP_FAULT_BUSY, 2 };
	struct emu_mctp_fault tag = { EMU_MCTP_FAULT_WRONG_TAG, 0 };
	struct emu_mctp_fault trunc = { EMU_MCTP_FAULT_TRUNCATE, 1 };
	struct emu_mctp_fault never = { EMU_MCTP_FAULT_BG_NEVER, 0 };
	struct fmapi_bg_status st;
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(emu_mctp_set_fault(f.topo, EMU_MCTP_SWITCH_EID, &busy2), 0);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_BUSY);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_BUSY);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);

	T_EQ(emu_mctp_set_fault(f.topo, EMU_MCTP_SWITCH_EID, &tag), 0);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), 0);
	T_EQ(h.tag, (uint8_t)(f.tag + 1));
	T_EQ(emu_mctp_set_fault(f.topo, EMU_MCTP_SWITCH_EID, NULL), 0);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), 0);
	T_EQ(h.tag, f.tag);

	/* the length field says 18, 14 bytes follow */
	T_EQ(emu_mctp_set_fault(f.topo, EMU_MCTP_SWITCH_EID, &trunc), 0);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), -EBADMSG);
	T_EQ(cmd(&f, FMAPI_OP_IDENTIFY, NULL, 0, &h), 0);	/* count 1: over */

	T_EQ(emu_mctp_set_fault(f.topo, EMU_MCTP_SWITCH_EID, &never), 0);
	T_EQ(unbind_raw(&f, 0, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_BACKGROUND);
	for (int i = 0; i < 5; i++) {
		T_EQ(bg_status(&f, &st), 0);
		T_TRUE(st.running);
		T_EQ(st.percent, 50);
	}
	T_TRUE(emu_fn_present(find(&f, "0f:00.0")));
	/* cleared, it goes on to the end */
	T_EQ(emu_mctp_set_fault(f.topo, EMU_MCTP_SWITCH_EID, NULL), 0);
	for (int i = 0; i < 3; i++)
		T_EQ(bg_status(&f, &st), 0);
	T_TRUE(!st.running);
	T_TRUE(!emu_fn_present(find(&f, "0f:00.0")));
	fx_close(&f);
}

static void t_endpoints(void)
{
	struct emu_topo *topo = NULL;
	struct mctp_chan *chan = NULL;
	struct emu_mctp_fault bad = { (enum emu_mctp_fault_kind)9, 0 };
	enum emu_mctp_fault_kind k;
	uint8_t eids[4], rsp[64];
	size_t len;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(emu_mctp_eids(f.topo, eids, 4), 1);
	T_EQ(eids[0], EMU_MCTP_SWITCH_EID);
	T_STREQ(mctp_chan_name(f.chan), "emu/mctp:8");
	T_TRUE(emu_mctp_spdm_fn(f.topo, 8) == find(&f, "0d:00.0"));
	T_TRUE(emu_mctp_spdm_fn(f.topo, 9) == NULL);
	T_EQ(emu_mctp_open(f.topo, 9, &chan), -ENOENT);
	T_CONTAINS(doe_ctx_errmsg(ctx),
		   "no MCTP endpoint at EID 9 in emulator profile 'cxl-switch'");
	T_CONTAINS(doe_ctx_errmsg(ctx), "endpoints: 8");
	T_EQ(emu_mctp_set_fault(f.topo, 9, NULL), -ENOENT);
	T_EQ(emu_mctp_set_fault(f.topo, 8, &bad), -EINVAL);
	/* a message type the endpoint does not speak */
	T_EQ(mctp_exchange(f.chan, MCTP_TYPE_PLDM, "\x80\x02", 2, rsp, sizeof(rsp), &len),
	     -EPROTONOSUPPORT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "emu/mctp:8 does not answer MCTP message type 0x01 (pldm)");
	/* a CCI message that is not a request is dropped */
	T_EQ(mctp_exchange(f.chan, MCTP_TYPE_FMAPI, "\x01\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00"
			   "\x00", 12, rsp, sizeof(rsp), &len), -ETIMEDOUT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "emu/mctp:8: no answer");
	T_EQ(mctp_exchange(f.chan, MCTP_TYPE_FMAPI, "\x00\x01", 2, rsp, sizeof(rsp), &len),
	     -ETIMEDOUT);
	fx_close(&f);
	/* profiles without endpoints */
	T_EQ(emu_topo_new(ctx, "direct", &topo), 0);
	if (topo) {
		T_EQ(emu_mctp_open(topo, 8, &chan), -ENOENT);
		T_CONTAINS(doe_ctx_errmsg(ctx),
			   "emulator profile 'direct' (it has no MCTP endpoints)");
		T_EQ(emu_mctp_eids(topo, eids, 4), 0);
	}
	emu_topo_free(topo);
	for (int i = 0; i < EMU_MCTP_FAULT_COUNT; i++) {
		T_EQ(emu_mctp_fault_parse(emu_mctp_fault_name((enum emu_mctp_fault_kind)i), &k), 0);
		T_EQ(k, i);
	}
	T_EQ(emu_mctp_fault_parse("slow", &k), -EINVAL);
	T_STREQ(emu_mctp_fault_name(EMU_MCTP_FAULT_BG_NEVER), "bg-never");
}

/* ---- Tunnel Management Command codec (CXL r3.1 §7.6.7.3.1) ------------- */

static void t_tunnel_codec(void)
{
	/* port 2, target type 0, size 12, then Get LD Info (tag 5), as QEMU lays it out */
	static const uint8_t req[] = { 0x02, 0x00, 0x0C, 0x00, 0x00, 0x05, 0x00, 0x00, 0x54,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	/* response length 12, 2 reserved, then a response header */
	static const uint8_t rsp[] = { 0x0C, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x54,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const struct {
		const char *name;
		uint8_t bytes[20];
		size_t len;
		bool response;
		int rc;
		const char *msg;
	} bad[] = {
		{ "request shorter than its header", { 0x02, 0x00, 0x0C }, 3, false, -EBADMSG,
		  "the header alone is 4" },
		{ "request size over the bytes",
		  { 0x02, 0x00, 0x0D, 0x00, 0, 1, 0, 0, 0x54, 0, 0, 0, 0, 0, 0, 0 }, 16, false,
		  -EBADMSG, "size 13, but 12 message bytes follow" },
		{ "request size under the bytes",
		  { 0x02, 0x00, 0x0B, 0x00, 0, 1, 0, 0, 0x54, 0, 0, 0, 0, 0, 0, 0 }, 16, false,
		  -EBADMSG, "size 11, but 12 message bytes follow" },
		{ "request message without a CCI header", { 0x02, 0x00, 0x02, 0x00, 0, 1 }, 6,
		  false, -EBADMSG, "a 2-byte message has no CCI header" },
		{ "request target type 1",
		  { 0x02, 0x01, 0x0C, 0x00, 0, 1, 0, 0, 0x54, 0, 0, 0, 0, 0, 0, 0 }, 16, false,
		  -EPROTO, "target type 1" },
		{ "response shorter than its header", { 0x0C, 0x00 }, 2, true, -EBADMSG,
		  "response: 2 bytes" },
		{ "response size over the bytes",
		  { 0x10, 0x00, 0, 0, 1, 1, 0, 0, 0x54, 0, 0, 0, 0, 0, 0, 0 }, 16, true, -EBADMSG,
		  "size 16, but 12 message bytes follow" },
	};
	struct fmapi_tunnel_req t;
	const uint8_t *m;
	uint8_t out[32];
	size_t len, mlen;

	T_EQ(fmapi_tunnel_req_decode(ctx, req, sizeof(req), &t), 0);
	T_EQ(t.port_id, 2);
	T_EQ(t.target_type, 0);
	T_EQ(t.msg_len, 12);
	T_TRUE(t.msg == req + 4);
	T_EQ(fmapi_tunnel_req_encode(ctx, &t, out, sizeof(out), &len), 0);
	T_EQ(len, sizeof(req));
	T_TRUE(!memcmp(out, req, sizeof(req)));
	T_EQ(fmapi_tunnel_req_encode(ctx, &t, out, 15, &len), -EMSGSIZE);
	t.msg_len = 11;
	T_EQ(fmapi_tunnel_req_encode(ctx, &t, out, sizeof(out), &len), -EINVAL);
	T_EQ(fmapi_tunnel_rsp_decode(ctx, rsp, sizeof(rsp), &m, &mlen), 0);
	T_TRUE(m == rsp + 4 && mlen == 12);
	T_EQ(fmapi_tunnel_rsp_encode(ctx, rsp + 4, 12, out, sizeof(out), &len), 0);
	T_EQ(len, sizeof(rsp));
	T_TRUE(!memcmp(out, rsp, sizeof(rsp)));
	T_EQ(fmapi_tunnel_rsp_encode(ctx, rsp + 4, 12, out, 8, &len), -EMSGSIZE);
	T_EQ(fmapi_tunnel_rsp_encode(ctx, rsp + 4, 3, out, sizeof(out), &len), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc = bad[i].response
				 ? fmapi_tunnel_rsp_decode(ctx, bad[i].bytes, bad[i].len, &m, &mlen)
				 : fmapi_tunnel_req_decode(ctx, bad[i].bytes, bad[i].len, &t);

		if (rc != bad[i].rc || !strstr(doe_ctx_errmsg(ctx), bad[i].msg))
			T_FAIL_("%s: got %d '%s', expected %d '%s'", bad[i].name, rc,
				doe_ctx_errmsg(ctx), bad[i].rc, bad[i].msg);
	}
}

/* Requests the switch cannot use are refused with a return code, never
 * run: each decoder's check reaches the wire as Invalid Input. */
static void t_bad_requests(void)
{
	static const struct {
		const char *name;
		uint16_t op;
		uint8_t pl[8];
		size_t len;
		uint16_t rc;
	} cases[] = {
		{ "unknown opcode", 0x4500, { 0 }, 0, FMAPI_RC_UNSUPPORTED },
		{ "MLD opcode", 0x5301, { 0 }, 0, FMAPI_RC_UNSUPPORTED },
		{ "bind, 5 of 6 bytes", FMAPI_OP_BIND_VPPB, { 0, 1, 2, 0, 0xFF }, 5,
		  FMAPI_RC_INVALID_INPUT },
		{ "unbind, 2 of 3 bytes", FMAPI_OP_UNBIND_VPPB, { 0, 1 }, 2,
		  FMAPI_RC_INVALID_INPUT },
		{ "port control, opcode 3", FMAPI_OP_PORT_CONTROL, { 1, 3 }, 2,
		  FMAPI_RC_INVALID_INPUT },
		{ "port state, count 2 with 1 port", FMAPI_OP_GET_PORT_STATE, { 2, 1 }, 2,
		  FMAPI_RC_INVALID_INPUT },
		{ "ppb config, 7 of 8 bytes", FMAPI_OP_SEND_PPB_CONFIG, { 1, 0, 0, 0, 0, 0, 0 }, 7,
		  FMAPI_RC_INVALID_INPUT },
		{ "bg status with a payload", FMAPI_OP_BG_OP_STATUS, { 0 }, 1,
		  FMAPI_RC_INVALID_INPUT },
		{ "set limit 2^7", FMAPI_OP_SET_RSP_MSG_LIMIT, { 7 }, 1, FMAPI_RC_INVALID_INPUT },
		{ "tunnel to port 1, truncated", 0x5300, { 1, 0, 12, 0, 0 }, 5,
		  FMAPI_RC_INVALID_INPUT },
	};
	struct fmapi_hdr h;
	struct fx f;

	FX_OPEN(&f);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = cmd(&f, cases[i].op, cases[i].pl, cases[i].len, &h);

		if (rc || h.return_code != cases[i].rc || out_len != 0)
			T_FAIL_("%s: rc %d, return code %u, %zu payload bytes", cases[i].name, rc,
				h.return_code, out_len);
	}
	/* nothing changed */
	T_TRUE(emu_fn_present(find(&f, "0f:00.0")) && emu_fn_present(find(&f, "10:00.0")));
	fx_close(&f);
}

/* Set Response Message Limit bounds the answers that follow. */
static void t_msg_limit(void)
{
	static struct fmapi_port_state_rsp rsp;
	uint8_t many[20];
	struct fmapi_hdr h;
	uint8_t n = 0;
	struct fx f;

	FX_OPEN(&f);
	T_EQ(cmd(&f, FMAPI_OP_GET_RSP_MSG_LIMIT, NULL, 0, &h), 0);
	T_EQ(fmapi_msg_limit_decode(ctx, out_buf, out_len, &n), 0);
	T_EQ(n, 10);
	n = 8;
	T_EQ(cmd(&f, FMAPI_OP_SET_RSP_MSG_LIMIT, &n, 1, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	/* 20 port blocks: 12 + 4 + 320 bytes, over 2^8 */
	memset(many, 1, sizeof(many));
	T_EQ(port_state(&f, many, sizeof(many), &rsp, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_INVALID_PAYLOAD_LEN);
	T_EQ(port_state(&f, many, 10, &rsp, &h), 0);	/* 176 bytes */
	T_EQ(h.return_code, FMAPI_RC_SUCCESS);
	T_EQ(rsp.num_ports, 10);
	fx_close(&f);
}

/* ---- the same over the requester (fmapi.h) ---------------------------- */

/* A clock that only moves when the requester sleeps: no real waiting. */
static uint64_t fake_ms;
static uint64_t fake_now(void *priv)
{
	(void)priv;
	return fake_ms;
}
static void fake_sleep(void *priv, unsigned ms)
{
	(void)priv;
	fake_ms += ms;
}
static const struct fmapi_clock fake_clock = { fake_now, fake_sleep, NULL };

static struct fmapi_req *req_new(void)
{
	struct fmapi_req *r = NULL;

	if (fmapi_req_new(ctx, &r) == 0)
		fmapi_req_set_clock(r, &fake_clock);
	return r;
}

static void t_requester(void)
{
	static struct fmapi_vcs_info_req vq;
	static struct fmapi_vcs_info_rsp vr;
	struct fmapi_req *r = req_new(), *inner = req_new();
	struct fmapi_identify id = { 0 };
	struct fmapi_switch_info si = { 0 };
	struct fmapi_unbind u = { .vcs_id = 0, .vppb_id = 1 };
	struct fmapi_bind b = { .vcs_id = 0, .vppb_id = 1, .port_id = 2, .ld_id = FMAPI_LD_NONE };
	struct fmapi_ld_info li = { 0 };
	size_t len;
	struct fx f;

	FX_OPEN(&f);
	if (!r || !inner)
		goto out;
	T_EQ(fmapi_identify(r, f.chan, &id), 0);
	T_EQ(id.vendor_id, 0x19E5);
	T_EQ(fmapi_identify_switch(r, f.chan, &si), 0);
	T_EQ(si.num_ports, 3);
	T_EQ(fmapi_unbind(r, f.chan, &u), 0);	/* polled to completion */
	T_TRUE(!emu_fn_present(find(&f, "10:00.0")));
	vq.vppb_limit = 255;
	vq.num_vcs = 1;
	T_EQ(fmapi_vcs_info(r, f.chan, &vq, &vr), 0);
	T_EQ(vr.vcs[0].vppbs[1].status, FMAPI_VPPB_UNBOUND);
	/* the device is gone: nothing to tunnel to */
	T_EQ(fmapi_tunnel(r, inner, f.chan, 2, FMAPI_OP_GET_LD_INFO, NULL, 0, out_buf,
			  sizeof(out_buf), &len), fmapi_rc_errno(FMAPI_RC_INVALID_INPUT));
	T_EQ(fmapi_bind(r, f.chan, &b), 0);
	T_TRUE(emu_fn_present(find(&f, "10:00.0")));
	T_EQ(fmapi_tunnel(r, inner, f.chan, 2, FMAPI_OP_GET_LD_INFO, NULL, 0, out_buf,
			  sizeof(out_buf), &len), 0);
	T_EQ(fmapi_ld_info_rsp_decode(ctx, out_buf, len, &li), 0);
	T_EQ(li.memory_size, 512ull << 20);
	/* a command the device does not know, tunnelled: named */
	T_EQ(fmapi_tunnel(r, inner, f.chan, 2, FMAPI_OP_IDENTIFY_SWITCH, NULL, 0, out_buf,
			  sizeof(out_buf), &len), -EOPNOTSUPP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "tunnelled to port 2");
out:
	fmapi_req_free(r);
	fmapi_req_free(inner);
	fx_close(&f);
}

/* Each knob, as the requester reports it. */
static void t_faults_requester(void)
{
	static const struct {
		const char *name;
		struct emu_mctp_fault f;
		bool unbind;
		int rc;
	} cases[] = {
		{ "busy twice: retried", { EMU_MCTP_FAULT_BUSY, 2 }, false, 0 },
		{ "busy always", { EMU_MCTP_FAULT_BUSY, 0 }, false, -EBUSY },
		{ "wrong tag", { EMU_MCTP_FAULT_WRONG_TAG, 0 }, false, -EPROTO },
		{ "truncated", { EMU_MCTP_FAULT_TRUNCATE, 0 }, false, -EBADMSG },
		{ "background never ends", { EMU_MCTP_FAULT_BG_NEVER, 0 }, true, -ETIMEDOUT },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fmapi_req *r = req_new();
		struct fmapi_identify id;
		struct fmapi_unbind u = { 0 };
		struct fx f;
		int rc;

		FX_OPEN(&f);
		T_EQ(emu_mctp_set_fault(f.topo, EMU_MCTP_SWITCH_EID, &cases[i].f), 0);
		rc = cases[i].unbind ? fmapi_unbind(r, f.chan, &u) : fmapi_identify(r, f.chan, &id);
		if (rc != cases[i].rc)
			T_FAIL_("%s: got %d (%s), expected %d", cases[i].name, rc,
				doe_ctx_errmsg(ctx), cases[i].rc);
		fmapi_req_free(r);
		fx_close(&f);
	}
}

/* ---- SPDM over MCTP: the switch's identity is its upstream port's ------ */

static _Alignas(16) uint8_t req_mem[SPDM_REQUESTER_CTX_SIZE];
static uint8_t chain_a[8192], chain_b[8192], meas_buf[4096], rsp_buf[4096];

static int attest(const struct spdm_transport_ops *ops, void *priv, const struct spdm_trust *trust,
		  uint8_t *chain, struct spdm_result *res)
{
	struct spdm_req_policy pol;
	struct spdm_req *req;
	int rc;

	spdm_req_policy_init(&pol);
	pol.chain_buf = chain;
	pol.chain_cap = sizeof(chain_a);
	pol.meas_buf = meas_buf;
	pol.meas_cap = sizeof(meas_buf);
	pol.trust = trust;
	TRY(spdm_req_init(req_mem, sizeof(req_mem), ctx, &pol, &req));
	rc = spdm_req_run(req, ops, priv, rsp_buf, sizeof(rsp_buf), 0);
	*res = *spdm_req_result(req);
	spdm_req_fini(req);
	return rc;
}

static void t_spdm_identity(void)
{
	struct spdm_result over_mctp = { 0 }, over_doe = { 0 };
	struct spdm_trust *trust = NULL, *other = NULL;
	struct emu_fn *usp;
	struct doe_cfg *cfg = NULL;
	struct doe_mb *mb = NULL;
	const uint8_t *der;
	size_t len;
	struct fx f;

	FX_OPEN(&f);
	usp = find(&f, "0d:00.0");
	T_EQ(emu_fn_spdm_root(usp, &der, &len), 0);
	T_EQ(spdm_trust_new(ctx, NULL, &trust), 0);
	if (!trust)
		goto out;
	T_EQ(spdm_trust_add_der(trust, der, len), 0);
	T_EQ(attest(spdm_transport_mctp(), f.chan, trust, chain_a, &over_mctp), 0);
	T_TRUE(over_mctp.chain_verified && over_mctp.chain_info.anchored);
	T_TRUE(over_mctp.challenge_verified && over_mctp.meas_verified);
	/* the same device over its DOE mailbox (mailbox 1: CMA) */
	T_EQ(emu_fn_cfg_open(usp, &cfg), 0);
	T_EQ(doe_mb_new(cfg, emu_mb_offset(emu_fn_mailbox(usp, 1)), &mb), 0);
	if (mb) {
		T_EQ(attest(spdm_transport_doe(), mb, trust, chain_b, &over_doe), 0);
		T_TRUE(over_doe.chain_verified && over_doe.chain_info.anchored);
		T_EQ(over_doe.chain_len, over_mctp.chain_len);
		T_TRUE(over_doe.chain_len == over_mctp.chain_len &&
		       !memcmp(over_doe.chain, over_mctp.chain, over_doe.chain_len));
	}
	/* another device's root does not anchor the switch */
	T_EQ(emu_fn_spdm_root(find(&f, "0f:00.0"), &der, &len), 0);
	T_EQ(spdm_trust_new(ctx, NULL, &other), 0);
	if (other) {
		T_EQ(spdm_trust_add_der(other, der, len), 0);
		T_EQ(attest(spdm_transport_mctp(), f.chan, other, chain_a, &over_mctp),
		     -EKEYREJECTED);
	}
out:
	doe_mb_free(mb);
	doe_cfg_free(cfg);
	spdm_trust_free(trust);
	spdm_trust_free(other);
	fx_close(&f);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_identify);
	T_RUN(t_identify_switch);
	T_RUN(t_ports);
	T_RUN(t_vcs);
	T_RUN(t_ld_info);
	T_RUN(t_unbind_bind);
	T_RUN(t_port_control);
	T_RUN(t_reset_spdm);
	T_RUN(t_ppb_config);
	T_RUN(t_faults_raw);
	T_RUN(t_endpoints);
	T_RUN(t_tunnel_codec);
	T_RUN(t_bad_requests);
	T_RUN(t_msg_limit);
	T_RUN(t_requester);
	T_RUN(t_faults_requester);
	T_RUN(t_spdm_identity);
	doe_ctx_free(ctx);
	return T_DONE();
}
