// SPDX-License-Identifier: MIT
/*
 * Payloads of the FM-API switch commands: Physical Switch (0x51xx, CXL
 * r3.0 §7.6.7.1), Virtual Switch (0x52xx, §7.6.7.2) and MLD Components
 * (0x54xx, §7.6.7.3). Cross-checks against QEMU and libcxlmi are listed in
 * docs/fmapi.md.
 */
#include "fmapi_int.h"

/* §7.6.7.1.1 Identify Switch Device response payload (73 bytes) */
int fmapi_switch_rsp_encode(struct doe_ctx *ctx, const struct fmapi_switch_info *in, void *out,
			    size_t cap, size_t *len)
{
	struct doe_wr w;

	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, in->ingress_port);
	doe_wr_u8(&w, 0);
	doe_wr_u8(&w, in->num_ports);
	doe_wr_u8(&w, in->num_vcs);
	doe_wr_bytes(&w, in->active_ports, sizeof(in->active_ports));
	doe_wr_bytes(&w, in->active_vcs, sizeof(in->active_vcs));
	doe_wr_le16(&w, in->total_vppbs);
	doe_wr_le16(&w, in->bound_vppbs);
	doe_wr_u8(&w, in->hdm_decoders);
	return fmapi_wr_end(ctx, &w, "Identify Switch Device", len);
}

int fmapi_switch_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
			    struct fmapi_switch_info *out)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &out->ingress_port);
	doe_rd_skip(&r, 1);
	doe_rd_u8(&r, &out->num_ports);
	doe_rd_u8(&r, &out->num_vcs);
	doe_rd_bytes(&r, out->active_ports, sizeof(out->active_ports));
	doe_rd_bytes(&r, out->active_vcs, sizeof(out->active_vcs));
	doe_rd_le16(&r, &out->total_vppbs);
	doe_rd_le16(&r, &out->bound_vppbs);
	doe_rd_u8(&r, &out->hdm_decoders);
	TRY(fmapi_rd_end(ctx, &r, "Identify Switch Device"));
	if (out->bound_vppbs > out->total_vppbs)
		return doe_err(ctx, -EPROTO, "Identify Switch Device: %u bound vPPBs of %u",
			       out->bound_vppbs, out->total_vppbs);
	return 0;
}

/* Get Physical Port State request payload (r3.1 Table 7-17): count, port ids */
int fmapi_port_state_req_encode(struct doe_ctx *ctx, const struct fmapi_port_state_req *in,
				void *out, size_t cap, size_t *len)
{
	struct doe_wr w;

	if (in->num_ports > 255)
		return doe_err(ctx, -EINVAL, "Get Physical Port State: %u ports, at most 255",
			       in->num_ports);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, (uint8_t)in->num_ports);
	doe_wr_bytes(&w, in->ports, in->num_ports);
	return fmapi_wr_end(ctx, &w, "Get Physical Port State request", len);
}

int fmapi_port_state_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
				struct fmapi_port_state_req *out)
{
	struct doe_rd r;
	uint8_t n;

	doe_rd_init(&r, in, len);
	if (doe_rd_u8(&r, &n) < 0)
		return fmapi_rd_end(ctx, &r, "Get Physical Port State request");
	if (n > doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "Get Physical Port State request: %u ports claimed, "
			       "%zu present", n, doe_rd_left(&r));
	out->num_ports = n;
	doe_rd_bytes(&r, out->ports, n);
	return fmapi_rd_end(ctx, &r, "Get Physical Port State request");
}

/* Response (r3.1 Table 7-18): count, 3 reserved, then one 16-byte Port
 * Information Block (r3.2 Table 7-19) per port. */
int fmapi_port_state_rsp_encode(struct doe_ctx *ctx, const struct fmapi_port_state_rsp *in,
				void *out, size_t cap, size_t *len)
{
	struct doe_wr w;

	if (in->num_ports > 255)
		return doe_err(ctx, -EINVAL, "Get Physical Port State: %u ports, at most 255",
			       in->num_ports);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, (uint8_t)in->num_ports);
	doe_wr_zero(&w, 3);
	for (unsigned i = 0; i < in->num_ports; i++) {
		const struct fmapi_port_info *p = &in->ports[i];

		doe_wr_u8(&w, p->port_id);
		doe_wr_u8(&w, p->config_state & 0x0Fu);
		doe_wr_u8(&w, p->dev_cxl_version);
		doe_wr_u8(&w, 0);
		doe_wr_u8(&w, p->dev_type);
		doe_wr_u8(&w, p->cxl_versions);
		doe_wr_u8(&w, p->max_width);
		doe_wr_u8(&w, p->width);
		doe_wr_u8(&w, p->speeds);
		doe_wr_u8(&w, p->max_speed);
		doe_wr_u8(&w, p->speed);
		doe_wr_u8(&w, p->ltssm);
		doe_wr_u8(&w, p->first_lane);
		doe_wr_le16(&w, p->link_flags);
		doe_wr_u8(&w, p->ld_count);
	}
	return fmapi_wr_end(ctx, &w, "Get Physical Port State", len);
}

int fmapi_port_state_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
				struct fmapi_port_state_rsp *out)
{
	struct doe_rd r;
	uint8_t n;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &n);
	doe_rd_skip(&r, 3);
	if (!doe_rd_ok(&r))
		return fmapi_rd_end(ctx, &r, "Get Physical Port State");
	if ((size_t)n * FMAPI_PORT_INFO_LEN > doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "Get Physical Port State: %u ports claimed, %zu "
			       "bytes hold %zu", n, doe_rd_left(&r),
			       doe_rd_left(&r) / FMAPI_PORT_INFO_LEN);
	out->num_ports = n;
	for (unsigned i = 0; i < n; i++) {
		struct fmapi_port_info *p = &out->ports[i];

		doe_rd_u8(&r, &p->port_id);
		doe_rd_u8(&r, &p->config_state);
		p->config_state &= 0x0Fu;	/* 7:4 reserved */
		doe_rd_u8(&r, &p->dev_cxl_version);
		doe_rd_skip(&r, 1);
		doe_rd_u8(&r, &p->dev_type);
		doe_rd_u8(&r, &p->cxl_versions);
		doe_rd_u8(&r, &p->max_width);
		doe_rd_u8(&r, &p->width);
		doe_rd_u8(&r, &p->speeds);
		doe_rd_u8(&r, &p->max_speed);
		doe_rd_u8(&r, &p->speed);
		doe_rd_u8(&r, &p->ltssm);
		doe_rd_u8(&r, &p->first_lane);
		doe_rd_le16(&r, &p->link_flags);
		doe_rd_u8(&r, &p->ld_count);
	}
	return fmapi_rd_end(ctx, &r, "Get Physical Port State");
}

/* §7.6.7.1.3 Physical Port Control request payload: PPB id, port opcode */
int fmapi_port_control_req_encode(struct doe_ctx *ctx, const struct fmapi_port_control *in,
				  void *out, size_t cap, size_t *len)
{
	struct doe_wr w;

	if (!fmapi_port_op_name(in->op))
		return doe_err(ctx, -EINVAL, "Physical Port Control: unknown port opcode %u",
			       in->op);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, in->port_id);
	doe_wr_u8(&w, in->op);
	return fmapi_wr_end(ctx, &w, "Physical Port Control", len);
}

int fmapi_port_control_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
				  struct fmapi_port_control *out)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &out->port_id);
	doe_rd_u8(&r, &out->op);
	TRY(fmapi_rd_end(ctx, &r, "Physical Port Control"));
	if (!fmapi_port_op_name(out->op))
		return doe_err(ctx, -EPROTO, "Physical Port Control: unknown port opcode %u",
			       out->op);
	return 0;
}

/* §7.6.7.1.4 Send PPB CXL.io Configuration Request input payload */
#define PPB_WRITE (1u << 23)

int fmapi_ppb_config_req_encode(struct doe_ctx *ctx, const struct fmapi_ppb_config *in,
				void *out, size_t cap, size_t *len)
{
	struct doe_wr w;
	uint32_t f;

	if (in->ext_reg > 0xF || in->byte_enable > 0xF)
		return doe_err(ctx, -EINVAL, "Send PPB CXL.io Configuration Request: extended "
			       "register %u and byte enable 0x%x must fit 4 bits", in->ext_reg,
			       in->byte_enable);
	f = (uint32_t)in->reg | (uint32_t)in->ext_reg << 8 | (uint32_t)in->byte_enable << 12 |
	    (in->write ? PPB_WRITE : 0);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, in->port_id);
	doe_wr_u8(&w, (uint8_t)f);
	doe_wr_u8(&w, (uint8_t)(f >> 8));
	doe_wr_u8(&w, (uint8_t)(f >> 16));
	doe_wr_le32(&w, in->write ? in->data : 0);
	return fmapi_wr_end(ctx, &w, "Send PPB CXL.io Configuration Request", len);
}

int fmapi_ppb_config_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
				struct fmapi_ppb_config *out)
{
	struct doe_rd r;
	uint8_t b0, b1, b2;
	uint32_t f;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &out->port_id);
	doe_rd_u8(&r, &b0);
	doe_rd_u8(&r, &b1);
	doe_rd_u8(&r, &b2);
	doe_rd_le32(&r, &out->data);
	TRY(fmapi_rd_end(ctx, &r, "Send PPB CXL.io Configuration Request"));
	f = (uint32_t)b0 | (uint32_t)b1 << 8 | (uint32_t)b2 << 16;
	out->reg = (uint8_t)f;
	out->ext_reg = (f >> 8) & 0xFu;
	out->byte_enable = (f >> 12) & 0xFu;
	out->write = (f & PPB_WRITE) != 0;
	return 0;
}

int fmapi_ppb_config_rsp_encode(struct doe_ctx *ctx, uint32_t data, void *out, size_t cap,
				size_t *len)
{
	struct doe_wr w;

	doe_wr_init(&w, out, cap);
	doe_wr_le32(&w, data);
	return fmapi_wr_end(ctx, &w, "Send PPB CXL.io Configuration Request response", len);
}

int fmapi_ppb_config_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len, uint32_t *data)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_le32(&r, data);
	return fmapi_rd_end(ctx, &r, "Send PPB CXL.io Configuration Request response");
}
