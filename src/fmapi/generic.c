// SPDX-License-Identifier: MIT
/*
 * Payloads of the generic component commands (CXL §8.2.9.1
 * "Information and Status Command Set": Identify, Background Operation
 * Status, Get/Set Response Message Limit; section numbers as in r3.1).
 * Layouts confirmed against QEMU
 * hw/cxl/cxl-mailbox-utils.c (cmd_infostat_identify, cmd_infostat_bg_op_sts,
 * cmd_get_response_msg_limit, cmd_set_response_msg_limit); see docs/fmapi.md.
 */
#include "fmapi_int.h"

/* §8.2.9.1.1 Identify output payload: 4 x LE16 ids, LE64 serial number,
 * max supported message size (2^n), component type. */
int fmapi_identify_rsp_encode(struct doe_ctx *ctx, const struct fmapi_identify *in, void *out,
			      size_t cap, size_t *len)
{
	struct doe_wr w;

	doe_wr_init(&w, out, cap);
	doe_wr_le16(&w, in->vendor_id);
	doe_wr_le16(&w, in->device_id);
	doe_wr_le16(&w, in->subsys_vendor_id);
	doe_wr_le16(&w, in->subsys_id);
	doe_wr_le32(&w, (uint32_t)in->serial);
	doe_wr_le32(&w, (uint32_t)(in->serial >> 32));
	doe_wr_u8(&w, in->max_msg_size);
	doe_wr_u8(&w, in->component_type);
	return fmapi_wr_end(ctx, &w, "Identify", len);
}

int fmapi_identify_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
			      struct fmapi_identify *out)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_le16(&r, &out->vendor_id);
	doe_rd_le16(&r, &out->device_id);
	doe_rd_le16(&r, &out->subsys_vendor_id);
	doe_rd_le16(&r, &out->subsys_id);
	doe_rd_le64(&r, &out->serial);
	doe_rd_u8(&r, &out->max_msg_size);
	doe_rd_u8(&r, &out->component_type);
	TRY(fmapi_rd_end(ctx, &r, "Identify"));
	/* a limit under the 256-byte minimum or over 1 MiB cannot be meant */
	if (out->max_msg_size < FMAPI_MSG_LIMIT_MIN || out->max_msg_size > FMAPI_MSG_LIMIT_MAX)
		return doe_err(ctx, -EPROTO, "Identify: max supported message size 2^%u is "
			       "outside 2^%u..2^%u", out->max_msg_size, FMAPI_MSG_LIMIT_MIN,
			       FMAPI_MSG_LIMIT_MAX);
	return 0;
}

/* §8.2.9.1.2 Background Operation Status output payload: status byte (bit 0
 * in progress, 7:1 percent), reserved, LE16 opcode, LE16 return code, LE16
 * vendor status. */
int fmapi_bg_status_rsp_encode(struct doe_ctx *ctx, const struct fmapi_bg_status *in, void *out,
			       size_t cap, size_t *len)
{
	struct doe_wr w;

	if (in->percent > 100)
		return doe_err(ctx, -EINVAL, "Background Operation Status: percentage %u > 100",
			       in->percent);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, (uint8_t)(in->percent << 1 | (in->running ? 1u : 0u)));
	doe_wr_u8(&w, 0);
	doe_wr_le16(&w, in->opcode);
	doe_wr_le16(&w, in->return_code);
	doe_wr_le16(&w, in->vendor_status);
	return fmapi_wr_end(ctx, &w, "Background Operation Status", len);
}

int fmapi_bg_status_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
			       struct fmapi_bg_status *out)
{
	struct doe_rd r;
	uint8_t st;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &st);
	doe_rd_skip(&r, 1);
	doe_rd_le16(&r, &out->opcode);
	doe_rd_le16(&r, &out->return_code);
	doe_rd_le16(&r, &out->vendor_status);
	TRY(fmapi_rd_end(ctx, &r, "Background Operation Status"));
	out->running = st & 1u;
	out->percent = st >> 1;
	if (out->percent > 100)
		return doe_err(ctx, -EPROTO, "Background Operation Status: percentage complete "
			       "%u > 100", out->percent);
	return 0;
}

/* §8.2.9.1.3-4: one byte, n of 2^n, 8..20. */
int fmapi_msg_limit_encode(struct doe_ctx *ctx, uint8_t n, void *out, size_t cap, size_t *len)
{
	struct doe_wr w;

	if (n < FMAPI_MSG_LIMIT_MIN || n > FMAPI_MSG_LIMIT_MAX)
		return doe_err(ctx, -EINVAL, "response message limit 2^%u is outside 2^%u..2^%u", n,
			       FMAPI_MSG_LIMIT_MIN, FMAPI_MSG_LIMIT_MAX);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, n);
	return fmapi_wr_end(ctx, &w, "Response Message Limit", len);
}

int fmapi_msg_limit_decode(struct doe_ctx *ctx, const void *in, size_t len, uint8_t *n)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, n);
	TRY(fmapi_rd_end(ctx, &r, "Response Message Limit"));
	if (*n < FMAPI_MSG_LIMIT_MIN || *n > FMAPI_MSG_LIMIT_MAX)
		return doe_err(ctx, -EPROTO, "Response Message Limit: 2^%u is outside 2^%u..2^%u",
			       *n, FMAPI_MSG_LIMIT_MIN, FMAPI_MSG_LIMIT_MAX);
	return 0;
}

int fmapi_empty_decode(struct doe_ctx *ctx, uint16_t opcode, bool response, size_t len)
{
	const char *name = fmapi_op_name(opcode);

	if (len)
		return doe_err(ctx, -EBADMSG, "%s 0x%04x: %s has no payload, got %zu bytes",
			       name ? name : "command", opcode, response ? "response" : "request",
			       len);
	return 0;
}
