// SPDX-License-Identifier: MIT
/*
 * The emulated switch's FM-API responder (CXL r3.1 §7.6.7, §8.2.9.1): one
 * CCI request message in, one response message out, every byte through
 * the fmapi codec; the answers come from the model (fm_switch.c). The
 * devices below the switch answer the commands a fabric manager tunnels
 * to them (Tunnel Management Command): Identify and Get LD Info, as an
 * FM-owned LD does.
 */
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/fmapi.h>
#include <doekit/fmapi_tunnel.h>
#include "emu_internal.h"
#include "fm_switch.h"
#include "internal.h"

/* Identify's max message size: 2^10 bytes, about the 1088 bytes QEMU's
 * MCTP binding allows an FM-API message */
#define FM_MAX_MSG_LOG2 10u
#define FM_HDM_DECODERS 4u
/* Get Physical Port State: CXL 2.0 (bit 1) for port and device, as QEMU reports */
#define FM_CXL_VERSIONS 0x02u
#define FM_LTSSM_DETECT 0x00u
#define FM_LTSSM_L0 0x04u
#define FM_LTSSM_DISABLED 0x08u

/* A command's answer: return code and payload (into out, *len bytes). */
struct fm_io {
	struct emu_fmsw *sw;
	const uint8_t *in;
	size_t inlen;
	uint8_t *out;
	size_t cap, len;
	bool stall_bg;		/* fault knob: background operations never finish */
};

/* The model's errors as return codes (CXL r3.1 Table 8-34) */
static uint16_t rc_of(int err)
{
	switch (err) {
	case 0:
		return FMAPI_RC_SUCCESS;
	case 1:
		return FMAPI_RC_BACKGROUND;
	case -EBUSY:
		return FMAPI_RC_BUSY;
	case -EOPNOTSUPP:
		return FMAPI_RC_UNSUPPORTED;
	case -E2BIG:		/* over the response message limit */
		return FMAPI_RC_INVALID_PAYLOAD_LEN;
	case -EINVAL:
	case -EBADMSG:
	case -EPROTO:
	case -EMSGSIZE:
		return FMAPI_RC_INVALID_INPUT;
	default:
		return FMAPI_RC_INTERNAL;
	}
}

static int no_payload(struct fm_io *io, uint16_t op)
{
	return fmapi_empty_decode(io->sw->ctx, op, false, io->inlen);
}

static int do_identify(struct fm_io *io)
{
	const struct emu_fn_info *usp = emu_fn_info(io->sw->ports[0].fn);
	struct fmapi_identify id = {
		.vendor_id = usp->vendor_id,
		.device_id = usp->device_id,
		.serial = io->sw->serial,
		.max_msg_size = FM_MAX_MSG_LOG2,
		.component_type = FMAPI_COMPONENT_SWITCH,	/* no subsystem IDs for a USP */
	};

	TRY(no_payload(io, FMAPI_OP_IDENTIFY));
	return fmapi_identify_rsp_encode(io->sw->ctx, &id, io->out, io->cap, &io->len);
}

static int do_bg_status(struct fm_io *io)
{
	struct emu_fmsw_bg *bg = &io->sw->bg;
	struct fmapi_bg_status st;

	TRY(no_payload(io, FMAPI_OP_BG_OP_STATUS));
	emu_fmsw_bg_poll(io->sw, io->stall_bg);
	st = (struct fmapi_bg_status){
		.running = bg->running,
		.percent = bg->percent,
		.opcode = bg->opcode,
		.return_code = bg->running || !bg->opcode ? 0 : rc_of(bg->result),
	};
	return fmapi_bg_status_rsp_encode(io->sw->ctx, &st, io->out, io->cap, &io->len);
}

static int do_msg_limit(struct fm_io *io, bool set)
{
	uint8_t n;

	if (set) {
		TRY(fmapi_msg_limit_decode(io->sw->ctx, io->in, io->inlen, &n));
		io->sw->rsp_limit = n;
	} else {
		TRY(no_payload(io, FMAPI_OP_GET_RSP_MSG_LIMIT));
	}
	return fmapi_msg_limit_encode(io->sw->ctx, io->sw->rsp_limit, io->out, io->cap, &io->len);
}

static int do_identify_switch(struct fm_io *io)
{
	struct emu_fmsw *sw = io->sw;
	/* ingress_port 0: over MCTP the request enters through no PCIe port
	 * (QEMU answers 0 there too) */
	struct fmapi_switch_info si = {
		.num_ports = (uint8_t)sw->nports,
		.num_vcs = 1,
		.total_vppbs = (uint16_t)sw->nvppbs,
		.hdm_decoders = FM_HDM_DECODERS,
	};

	TRY(no_payload(io, FMAPI_OP_IDENTIFY_SWITCH));
	for (size_t i = 0; i < sw->nports; i++)
		si.active_ports[sw->ports[i].id / 8] |= (uint8_t)(1u << (sw->ports[i].id % 8));
	si.active_vcs[0] = 0x01;
	for (size_t i = 0; i < sw->nvppbs; i++)
		if (sw->vppbs[i].port != EMU_FMSW_UNBOUND)
			si.bound_vppbs++;
	return fmapi_switch_rsp_encode(sw->ctx, &si, io->out, io->cap, &io->len);
}

/* One port's state, read from its function and the device below */
static void port_info(struct emu_fmsw *sw, const struct emu_fmsw_port *p,
		      struct fmapi_port_info *o)
{
	const struct emu_fn_info *fi = emu_fn_info(p->fn);
	unsigned int holds = emu_fn_link_holds(p->fn);
	int v = emu_fmsw_vppb_of_port(sw, p->id);
	bool up = p->usp || !holds;
	uint8_t width = fi->link_width;

	if (!p->usp && p->dev && emu_fn_info(p->dev)->link_width < width)
		width = emu_fn_info(p->dev)->link_width;
	*o = (struct fmapi_port_info){
		.port_id = p->id,
		.config_state = p->usp ? FMAPI_PORT_USP : FMAPI_PORT_DSP,
		.dev_cxl_version = p->dev ? FM_CXL_VERSIONS : 0,
		.dev_type = p->dev ? FMAPI_DEV_TYPE3_SLD : FMAPI_DEV_NONE,
		.cxl_versions = FM_CXL_VERSIONS,
		.max_width = fi->link_width,
		.width = up && (p->usp || p->dev) ? width : 0,
		.speeds = (uint8_t)((1u << fi->link_speed) - 1u),
		.max_speed = fi->link_speed,
		.speed = up && (p->usp || p->dev) ? fi->link_speed : 0,
		.ltssm = holds & EMU_LINK_DISABLED ? FM_LTSSM_DISABLED
			 : up && (p->usp || p->dev) ? FM_LTSSM_L0 : FM_LTSSM_DETECT,
		.link_flags = (uint16_t)((holds & EMU_LINK_PERST ? FMAPI_LINK_PERST : 0) |
					 (p->dev ? FMAPI_LINK_PRSNT : 0)),
		.ld_count = p->dev ? 1 : 0,
	};
	if (v >= 0 && sw->vppbs[v].busy)
		o->config_state = FMAPI_PORT_UNBIND_IN_PROGRESS;
}

static int do_port_state(struct fm_io *io)
{
	struct emu_fmsw *sw = io->sw;
	struct fmapi_port_state_req *req = &sw->ps_req;
	struct fmapi_port_state_rsp *rsp = &sw->ps_rsp;

	TRY(fmapi_port_state_req_decode(sw->ctx, io->in, io->inlen, req));
	rsp->num_ports = req->num_ports;
	for (size_t i = 0; i < req->num_ports; i++) {
		const struct emu_fmsw_port *p = emu_fmsw_port(sw, req->ports[i]);

		if (!p)	/* QEMU: a port that does not exist is invalid input */
			return doe_err(sw->ctx, -EINVAL, "no physical port %u", req->ports[i]);
		port_info(sw, p, &rsp->ports[i]);
	}
	return fmapi_port_state_rsp_encode(sw->ctx, rsp, io->out, io->cap, &io->len);
}

static int do_port_control(struct fm_io *io)
{
	static const enum emu_fmsw_ppb_op ops[] = {
		[FMAPI_PORT_OP_ASSERT_PERST] = EMU_FMSW_PERST_ASSERT,
		[FMAPI_PORT_OP_DEASSERT_PERST] = EMU_FMSW_PERST_DEASSERT,
		[FMAPI_PORT_OP_RESET_PPB] = EMU_FMSW_PPB_RESET,
	};
	struct fmapi_port_control pc;

	TRY(fmapi_port_control_req_decode(io->sw->ctx, io->in, io->inlen, &pc));
	if (pc.op >= ARRAY_SIZE(ops))
		return doe_err(io->sw->ctx, -EINVAL, "port control operation %u", pc.op);
	return emu_fmsw_port_control(io->sw, pc.port_id, ops[pc.op]);
}

static int do_ppb_config(struct fm_io *io)
{
	struct fmapi_ppb_config c;
	uint32_t data;

	TRY(fmapi_ppb_config_req_decode(io->sw->ctx, io->in, io->inlen, &c));
	data = c.data;
	TRY(emu_fmsw_config(io->sw, c.port_id, c.write,
			    (uint16_t)(((unsigned int)c.ext_reg << 8 | c.reg) * 4u), c.byte_enable,
			    &data));
	if (c.write)
		return 0;
	return fmapi_ppb_config_rsp_encode(io->sw->ctx, data, io->out, io->cap, &io->len);
}

static void vcs_block(struct emu_fmsw *sw, const struct fmapi_vcs_info_req *req, uint8_t id,
		      struct fmapi_vcs_info *o)
{
	memset(o, 0, sizeof(*o));
	o->vcs_id = id;
	if (id != 0) {
		o->state = FMAPI_VCS_INVALID;
		return;
	}
	o->state = FMAPI_VCS_ENABLED;
	o->usp_id = sw->ports[0].id;
	o->num_vppbs = (uint8_t)sw->nvppbs;
	for (size_t v = req->start_vppb; v < sw->nvppbs && o->listed < req->vppb_limit; v++) {
		const struct emu_fmsw_vppb *b = &sw->vppbs[v];
		struct fmapi_vppb_info *e = &o->vppbs[o->listed++];

		e->status = b->busy ? FMAPI_VPPB_IN_PROGRESS
			    : b->port == EMU_FMSW_UNBOUND ? FMAPI_VPPB_UNBOUND
							 : FMAPI_VPPB_BOUND_PORT;
		e->port_id = b->port == EMU_FMSW_UNBOUND ? 0 : b->port;
		e->ld_id = b->port == EMU_FMSW_UNBOUND || b->ld == EMU_FMSW_LD_SLD ? 0
										  : (uint8_t)b->ld;
	}
}

static int do_vcs_info(struct fm_io *io)
{
	struct fmapi_vcs_info_req *req = &io->sw->vcs_req;
	struct fmapi_vcs_info_rsp *rsp = &io->sw->vcs_rsp;

	TRY(fmapi_vcs_info_req_decode(io->sw->ctx, io->in, io->inlen, req));
	rsp->num_vcs = req->num_vcs;
	for (size_t i = 0; i < req->num_vcs; i++)
		vcs_block(io->sw, req, req->vcs_ids[i], &rsp->vcs[i]);
	return fmapi_vcs_info_rsp_encode(io->sw->ctx, rsp, io->out, io->cap, &io->len);
}

static int do_bind(struct fm_io *io)
{
	struct fmapi_bind b;

	TRY(fmapi_bind_req_decode(io->sw->ctx, io->in, io->inlen, &b));
	return emu_fmsw_bind(io->sw, b.vcs_id, b.vppb_id, b.port_id, b.ld_id);
}

static int do_unbind(struct fm_io *io)
{
	struct fmapi_unbind u;

	TRY(fmapi_unbind_req_decode(io->sw->ctx, io->in, io->inlen, &u));
	/* the three options differ in what the host is told (nothing, a
	 * managed or a surprise hot-remove); with no host OS to tell, each
	 * takes the port's link down when the operation completes */
	return emu_fmsw_unbind(io->sw, u.vcs_id, u.vppb_id);
}

/* An FM-owned LD of a device below the switch (CXL r3.1 §7.6.7.4) */
static int device_command(struct emu_fmsw *sw, const struct emu_fmsw_port *p, uint16_t op,
			  size_t inlen, uint8_t *out, size_t cap, size_t *len)
{
	const struct emu_fn_info *fi = emu_fn_info(p->dev);

	if (op == FMAPI_OP_IDENTIFY) {
		struct fmapi_identify id = {
			.vendor_id = fi->vendor_id,
			.device_id = fi->device_id,
			.serial = (uint64_t)fi->vendor_id << 48 | (uint64_t)fi->device_id << 32 |
				  (uint64_t)fi->bdf.bus << 8 | fi->bdf.dev,
			.max_msg_size = FM_MAX_MSG_LOG2,
			.component_type = FMAPI_COMPONENT_TYPE3,
		};

		TRY(fmapi_empty_decode(sw->ctx, op, false, inlen));
		return fmapi_identify_rsp_encode(sw->ctx, &id, out, cap, len);
	}
	if (op == FMAPI_OP_GET_LD_INFO) {
		struct fmapi_ld_info li = { .memory_size = emu_fmsw_mem_bytes(sw, p),
					     .ld_count = 1 };

		TRY(fmapi_empty_decode(sw->ctx, op, false, inlen));
		return fmapi_ld_info_rsp_encode(sw->ctx, &li, out, cap, len);
	}
	return -EOPNOTSUPP;
}

/* Tunnel Management Command: the inner request goes to the device cabled
 * to the port, which must be there and reachable (bound, out of reset). */
static int do_tunnel(struct fm_io *io)
{
	struct emu_fmsw *sw = io->sw;
	struct fmapi_tunnel_req t;
	struct fmapi_hdr h, rh;
	const uint8_t *pl;
	const struct emu_fmsw_port *p;
	uint8_t inner[256], msg[256 + FMAPI_HDR_LEN];
	size_t plen, ilen = 0, mlen;
	int rc;

	TRY(fmapi_tunnel_req_decode(sw->ctx, io->in, io->inlen, &t));
	p = emu_fmsw_port(sw, t.port_id);
	if (!p || p->usp || !p->dev || !emu_fn_present(p->dev))
		return doe_err(sw->ctx, -EINVAL, "no device reachable at port %u", t.port_id);
	TRY(fmapi_msg_decode(sw->ctx, t.msg, t.msg_len, &h, &pl, &plen));
	if (h.category != FMAPI_CAT_REQ)
		return doe_err(sw->ctx, -EINVAL, "tunnelled message is not a request");
	rc = device_command(sw, p, h.opcode, plen, inner, sizeof(inner), &ilen);
	fmapi_hdr_response(&h, rc_of(rc), &rh);
	if (rc)
		ilen = 0;
	TRY(fmapi_msg_encode(sw->ctx, &rh, inner, ilen, msg, sizeof(msg), &mlen));
	return fmapi_tunnel_rsp_encode(sw->ctx, msg, mlen, io->out, io->cap, &io->len);
}

static int dispatch(struct fm_io *io, uint16_t op)
{
	switch (op) {
	case FMAPI_OP_IDENTIFY:
		return do_identify(io);
	case FMAPI_OP_BG_OP_STATUS:
		return do_bg_status(io);
	case FMAPI_OP_GET_RSP_MSG_LIMIT:
		return do_msg_limit(io, false);
	case FMAPI_OP_SET_RSP_MSG_LIMIT:
		return do_msg_limit(io, true);
	case FMAPI_OP_IDENTIFY_SWITCH:
		return do_identify_switch(io);
	case FMAPI_OP_GET_PORT_STATE:
		return do_port_state(io);
	case FMAPI_OP_PORT_CONTROL:
		return do_port_control(io);
	case FMAPI_OP_SEND_PPB_CONFIG:
		return do_ppb_config(io);
	case FMAPI_OP_GET_VCS_INFO:
		return do_vcs_info(io);
	case FMAPI_OP_BIND_VPPB:
		return do_bind(io);
	case FMAPI_OP_UNBIND_VPPB:
		return do_unbind(io);
	case FMAPI_OP_TUNNEL:
		return do_tunnel(io);
	default:	/* Get LD Info too: the switch has no memory of its own */
		return -EOPNOTSUPP;
	}
}

/* Cuts a response short for the truncate fault: 4 payload bytes (fewer
 * when the payload is shorter; one header byte when it has none). */
static size_t truncated(size_t len)
{
	size_t plen = len - FMAPI_HDR_LEN;

	return plen ? len - (plen < 4 ? plen : 4) : len - 1;
}

int emu_fmsw_answer(struct emu_fmsw *sw, const struct emu_fmsw_fault *f, const uint8_t *req,
		    size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	struct fm_io io = { .sw = sw, .stall_bg = f && f->stall_bg };
	struct fmapi_hdr h, rh;
	int rc;

	/* a message that is not a request is dropped, as a device would */
	TRY(fmapi_msg_decode(sw->ctx, req, len, &h, &io.in, &io.inlen));
	if (h.category != FMAPI_CAT_REQ)
		return doe_err(sw->ctx, -EPROTO, "emulated switch: CCI message is not a request "
			       "(category %u)", h.category);
	io.out = sw->out;
	io.cap = sizeof(sw->out);
	if (f && f->busy)
		rc = -EBUSY;
	else
		rc = dispatch(&io, h.opcode);
	/* a response over the requester's limit (Set Response Message Limit) */
	if (rc == 0 && FMAPI_HDR_LEN + io.len > (size_t)1 << sw->rsp_limit)
		rc = doe_err(sw->ctx, -E2BIG, "response of %zu bytes over the limit of %zu",
			     FMAPI_HDR_LEN + io.len, (size_t)1 << sw->rsp_limit);
	fmapi_hdr_response(&h, rc_of(rc), &rh);
	rh.background = rc == 1;
	if (rc)
		io.len = 0;
	if (f && f->wrong_tag)
		rh.tag = (uint8_t)(rh.tag + 1);
	TRY(fmapi_msg_encode(sw->ctx, &rh, io.out, io.len, rsp, cap, rsp_len));
	if (f && f->truncate)
		*rsp_len = truncated(*rsp_len);
	return 0;
}
