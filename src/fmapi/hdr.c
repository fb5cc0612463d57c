// SPDX-License-Identifier: MIT
/*
 * The CCI message header (CXL r3.0 §7.6.3 Figure 7-19 "CCI Message Format";
 * field order confirmed against QEMU hw/cxl/i2c_mctp_cxl.c struct
 * cxl_cci_message and libcxlmi struct cxlmi_cci_msg): category, tag,
 * reserved, opcode (LE16), payload length (21 bits, LE) with the
 * background-operation flag in bit 23, return code, vendor status.
 */
#include <doekit/cursor.h>
#include <doekit/fmapi.h>
#include "internal.h"

#define LEN_MASK 0x1FFFFFu
#define LEN_BG (1u << 23)

int fmapi_hdr_encode(struct doe_ctx *ctx, const struct fmapi_hdr *h, void *out, size_t cap)
{
	struct doe_wr w;
	uint32_t len;

	if (h->category > FMAPI_CAT_RSP)
		return doe_err(ctx, -EINVAL, "CCI header: category %u is neither request (0) nor "
			       "response (1)", h->category);
	if (h->payload_len > LEN_MASK)
		return doe_err(ctx, -EINVAL, "CCI header: payload length %u exceeds the 21-bit field",
			       h->payload_len);
	len = h->payload_len | (h->background ? LEN_BG : 0);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, h->category);
	doe_wr_u8(&w, h->tag);
	doe_wr_u8(&w, 0);
	doe_wr_le16(&w, h->opcode);
	doe_wr_u8(&w, (uint8_t)len);
	doe_wr_u8(&w, (uint8_t)(len >> 8));
	doe_wr_u8(&w, (uint8_t)(len >> 16));
	doe_wr_le16(&w, h->return_code);
	doe_wr_le16(&w, h->vendor_status);
	if (!doe_wr_ok(&w))
		return doe_err(ctx, -EMSGSIZE, "CCI header: %u bytes do not fit %zu", FMAPI_HDR_LEN,
			       cap);
	return 0;
}

int fmapi_hdr_decode(struct doe_ctx *ctx, const void *in, size_t len, struct fmapi_hdr *h)
{
	struct doe_rd r;
	uint8_t cat, rsvd, l0, l1, l2;
	uint32_t plen;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &cat);
	doe_rd_u8(&r, &h->tag);
	doe_rd_u8(&r, &rsvd);
	doe_rd_le16(&r, &h->opcode);
	doe_rd_u8(&r, &l0);
	doe_rd_u8(&r, &l1);
	doe_rd_u8(&r, &l2);
	doe_rd_le16(&r, &h->return_code);
	doe_rd_le16(&r, &h->vendor_status);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "CCI header: %zu bytes, need %u", len, FMAPI_HDR_LEN);
	plen = (uint32_t)l0 | (uint32_t)l1 << 8 | (uint32_t)l2 << 16;
	/* bits 7:4 of the category byte, byte 2 and bits 22:21 of the length
	 * are reserved: ignored here, as the spec asks of receivers */
	h->category = cat & 0x0Fu;
	h->payload_len = plen & LEN_MASK;
	h->background = (plen & LEN_BG) != 0;
	if (h->category > FMAPI_CAT_RSP)
		return doe_err(ctx, -EPROTO, "CCI header: category %u is neither request (0) nor "
			       "response (1)", h->category);
	return 0;
}

int fmapi_msg_encode(struct doe_ctx *ctx, const struct fmapi_hdr *h, const void *payload,
		     size_t plen, void *out, size_t cap, size_t *out_len)
{
	struct fmapi_hdr hh = *h;
	struct doe_wr w;

	if (plen > FMAPI_PAYLOAD_MAX)
		return doe_err(ctx, -EMSGSIZE, "CCI message: payload of %zu bytes exceeds the "
			       "21-bit length field", plen);
	hh.payload_len = (uint32_t)plen;
	if (cap < FMAPI_HDR_LEN || plen > cap - FMAPI_HDR_LEN)
		return doe_err(ctx, -EMSGSIZE, "CCI message: %zu bytes do not fit %zu",
			       FMAPI_HDR_LEN + plen, cap);
	TRY(fmapi_hdr_encode(ctx, &hh, out, cap));
	doe_wr_init(&w, out, cap);
	doe_wr_take(&w, FMAPI_HDR_LEN);
	doe_wr_bytes(&w, payload, plen);
	*out_len = doe_wr_len(&w);
	return 0;
}

int fmapi_msg_decode(struct doe_ctx *ctx, const void *in, size_t len, struct fmapi_hdr *h,
		     const uint8_t **payload, size_t *plen)
{
	struct doe_rd r;

	TRY(fmapi_hdr_decode(ctx, in, len, h));
	doe_rd_init(&r, in, len);
	doe_rd_skip(&r, FMAPI_HDR_LEN);
	if (h->payload_len != doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "CCI message 0x%04x: payload length field says %u "
			       "bytes, %zu present", h->opcode, h->payload_len, doe_rd_left(&r));
	*plen = doe_rd_left(&r);
	*payload = doe_rd_take(&r, *plen);
	return 0;
}

void fmapi_hdr_response(const struct fmapi_hdr *req, uint16_t rc, struct fmapi_hdr *rsp)
{
	*rsp = (struct fmapi_hdr){
		.category = FMAPI_CAT_RSP,
		.tag = req->tag,
		.opcode = req->opcode,
		.return_code = rc,
	};
}
