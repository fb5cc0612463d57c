// SPDX-License-Identifier: MIT
/*
 * Payloads of the Virtual Switch commands (CXL r3.0 §7.6.7.2: Get Virtual
 * CXL Switch Info, Bind vPPB, Unbind vPPB) and of Get LD Info (§7.6.7.3.1).
 */
#include "fmapi_int.h"

#define VPPB_ENTRY_LEN 4u
#define VCS_BLOCK_LEN 4u

/* Request: start vPPB, vPPB list limit, number of VCSs, VCS ids */
int fmapi_vcs_info_req_encode(struct doe_ctx *ctx, const struct fmapi_vcs_info_req *in,
			      void *out, size_t cap, size_t *len)
{
	struct doe_wr w;

	if (in->num_vcs > FMAPI_MAX_VCS)
		return doe_err(ctx, -EINVAL, "Get Virtual CXL Switch Info: %u VCSs, at most %u",
			       in->num_vcs, FMAPI_MAX_VCS);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, in->start_vppb);
	doe_wr_u8(&w, in->vppb_limit);
	doe_wr_u8(&w, (uint8_t)in->num_vcs);
	doe_wr_bytes(&w, in->vcs_ids, in->num_vcs);
	return fmapi_wr_end(ctx, &w, "Get Virtual CXL Switch Info request", len);
}

int fmapi_vcs_info_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
			      struct fmapi_vcs_info_req *out)
{
	static const char what[] = "Get Virtual CXL Switch Info request";
	struct doe_rd r;
	uint8_t n;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &out->start_vppb);
	doe_rd_u8(&r, &out->vppb_limit);
	if (doe_rd_u8(&r, &n) < 0)
		return fmapi_rd_end(ctx, &r, what);
	if (n > doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "%s: %u VCS ids claimed, %zu present", what, n,
			       doe_rd_left(&r));
	if (n > FMAPI_MAX_VCS)
		return doe_err(ctx, -EMSGSIZE, "%s: %u VCS ids, doekit handles at most %u", what,
			       n, FMAPI_MAX_VCS);
	out->num_vcs = n;
	doe_rd_bytes(&r, out->vcs_ids, n);
	return fmapi_rd_end(ctx, &r, what);
}

/* Response: number of VCSs, 3 reserved, then per VCS a 4-byte block (id,
 * state, USP id, number of vPPBs) followed by 4 bytes per listed vPPB
 * (binding status, bound port id, bound LD id, reserved). */
int fmapi_vcs_info_rsp_encode(struct doe_ctx *ctx, const struct fmapi_vcs_info_rsp *in,
			      void *out, size_t cap, size_t *len)
{
	struct doe_wr w;

	if (in->num_vcs > FMAPI_MAX_VCS)
		return doe_err(ctx, -EINVAL, "Get Virtual CXL Switch Info: %u VCSs, at most %u",
			       in->num_vcs, FMAPI_MAX_VCS);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, (uint8_t)in->num_vcs);
	doe_wr_zero(&w, 3);
	for (unsigned i = 0; i < in->num_vcs; i++) {
		const struct fmapi_vcs_info *v = &in->vcs[i];

		if (v->listed > 255)
			return doe_err(ctx, -EINVAL, "Get Virtual CXL Switch Info: VCS %u lists %u "
				       "vPPBs, at most 255", v->vcs_id, v->listed);
		doe_wr_u8(&w, v->vcs_id);
		doe_wr_u8(&w, v->state);
		doe_wr_u8(&w, v->usp_id);
		doe_wr_u8(&w, v->num_vppbs);
		for (unsigned j = 0; j < v->listed; j++) {
			doe_wr_u8(&w, v->vppbs[j].status);
			doe_wr_u8(&w, v->vppbs[j].port_id);
			doe_wr_u8(&w, v->vppbs[j].ld_id);
			doe_wr_u8(&w, 0);
		}
	}
	return fmapi_wr_end(ctx, &w, "Get Virtual CXL Switch Info", len);
}

int fmapi_vcs_info_rsp_decode(struct doe_ctx *ctx, const struct fmapi_vcs_info_req *req,
			      const void *in, size_t len, struct fmapi_vcs_info_rsp *out)
{
	static const char what[] = "Get Virtual CXL Switch Info";
	struct doe_rd r;
	uint8_t n;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &n);
	doe_rd_skip(&r, 3);
	if (!doe_rd_ok(&r))
		return fmapi_rd_end(ctx, &r, what);
	if ((size_t)n * VCS_BLOCK_LEN > doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "%s: %u VCSs claimed, %zu bytes follow", what, n,
			       doe_rd_left(&r));
	if (n > FMAPI_MAX_VCS)
		return doe_err(ctx, -EMSGSIZE, "%s: %u VCSs, doekit handles at most %u", what, n,
			       FMAPI_MAX_VCS);
	out->num_vcs = n;
	for (unsigned i = 0; i < n; i++) {
		struct fmapi_vcs_info *v = &out->vcs[i];
		unsigned cnt;

		doe_rd_u8(&r, &v->vcs_id);
		doe_rd_u8(&r, &v->state);
		doe_rd_u8(&r, &v->usp_id);
		if (doe_rd_u8(&r, &v->num_vppbs) < 0)
			return fmapi_rd_end(ctx, &r, what);
		/* the list starts at the request's start vPPB and holds at
		 * most its limit; nothing follows a VCS with fewer vPPBs */
		cnt = v->num_vppbs > req->start_vppb ? v->num_vppbs - req->start_vppb : 0;
		if (cnt > req->vppb_limit)
			cnt = req->vppb_limit;
		if ((size_t)cnt * VPPB_ENTRY_LEN > doe_rd_left(&r))
			return doe_err(ctx, -EBADMSG, "%s: VCS %u has %u vPPBs from %u (limit %u): "
				       "%u entries need %u bytes, %zu present", what, v->vcs_id,
				       v->num_vppbs, req->start_vppb, req->vppb_limit, cnt,
				       cnt * VPPB_ENTRY_LEN, doe_rd_left(&r));
		v->listed = (uint16_t)cnt;
		for (unsigned j = 0; j < cnt; j++) {
			doe_rd_u8(&r, &v->vppbs[j].status);
			doe_rd_u8(&r, &v->vppbs[j].port_id);
			doe_rd_u8(&r, &v->vppbs[j].ld_id);
			doe_rd_skip(&r, 1);
		}
	}
	return fmapi_rd_end(ctx, &r, what);
}

/* Bind vPPB request: VCS id, vPPB id, physical port id, reserved, LE16 LD id */
int fmapi_bind_req_encode(struct doe_ctx *ctx, const struct fmapi_bind *in, void *out, size_t cap,
			  size_t *len)
{
	struct doe_wr w;

	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, in->vcs_id);
	doe_wr_u8(&w, in->vppb_id);
	doe_wr_u8(&w, in->port_id);
	doe_wr_u8(&w, 0);
	doe_wr_le16(&w, in->ld_id);
	return fmapi_wr_end(ctx, &w, "Bind vPPB", len);
}

int fmapi_bind_req_decode(struct doe_ctx *ctx, const void *in, size_t len, struct fmapi_bind *out)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &out->vcs_id);
	doe_rd_u8(&r, &out->vppb_id);
	doe_rd_u8(&r, &out->port_id);
	doe_rd_skip(&r, 1);
	doe_rd_le16(&r, &out->ld_id);
	return fmapi_rd_end(ctx, &r, "Bind vPPB");
}

/* Unbind vPPB request: VCS id, vPPB id, unbind option (bits 3:0) */
int fmapi_unbind_req_encode(struct doe_ctx *ctx, const struct fmapi_unbind *in, void *out,
			    size_t cap, size_t *len)
{
	struct doe_wr w;

	if (!fmapi_unbind_option_name(in->option))
		return doe_err(ctx, -EINVAL, "Unbind vPPB: unknown unbind option %u", in->option);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, in->vcs_id);
	doe_wr_u8(&w, in->vppb_id);
	doe_wr_u8(&w, in->option);
	return fmapi_wr_end(ctx, &w, "Unbind vPPB", len);
}

int fmapi_unbind_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
			    struct fmapi_unbind *out)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &out->vcs_id);
	doe_rd_u8(&r, &out->vppb_id);
	doe_rd_u8(&r, &out->option);
	TRY(fmapi_rd_end(ctx, &r, "Unbind vPPB"));
	out->option &= 0x0Fu;	/* 7:4 reserved */
	if (!fmapi_unbind_option_name(out->option))
		return doe_err(ctx, -EPROTO, "Unbind vPPB: unknown unbind option %u", out->option);
	return 0;
}

/* Get LD Info response: LE64 memory size, LE16 LD count, QoS telemetry capability */
int fmapi_ld_info_rsp_encode(struct doe_ctx *ctx, const struct fmapi_ld_info *in, void *out,
			     size_t cap, size_t *len)
{
	struct doe_wr w;

	doe_wr_init(&w, out, cap);
	doe_wr_le32(&w, (uint32_t)in->memory_size);
	doe_wr_le32(&w, (uint32_t)(in->memory_size >> 32));
	doe_wr_le16(&w, in->ld_count);
	doe_wr_u8(&w, in->qos_caps);
	return fmapi_wr_end(ctx, &w, "Get LD Info", len);
}

int fmapi_ld_info_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
			     struct fmapi_ld_info *out)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_le64(&r, &out->memory_size);
	doe_rd_le16(&r, &out->ld_count);
	doe_rd_u8(&r, &out->qos_caps);
	return fmapi_rd_end(ctx, &r, "Get LD Info");
}
