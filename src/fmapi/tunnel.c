// SPDX-License-Identifier: MIT
/* Tunnel Management Command (CXL r3.1 §7.6.7.3.1): codec and requester. */
#include <doekit/cursor.h>
#include <doekit/fmapi_tunnel.h>
#include <doekit/mctp.h>
#include <string.h>

#include "internal.h"

int fmapi_tunnel_req_encode(struct doe_ctx *ctx, const struct fmapi_tunnel_req *in, void *out,
			    size_t cap, size_t *len)
{
	struct doe_wr w;

	if (in->msg_len < FMAPI_HDR_LEN || in->msg_len > 0xFFFFu)
		return doe_err(ctx, -EINVAL, "Tunnel Management Command: a message of %zu bytes "
			       "(%u..65535)", in->msg_len, FMAPI_HDR_LEN);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, in->port_id);
	doe_wr_u8(&w, in->target_type);
	doe_wr_le16(&w, (uint16_t)in->msg_len);
	doe_wr_bytes(&w, in->msg, in->msg_len);
	if (!doe_wr_ok(&w))
		return doe_err(ctx, -EMSGSIZE, "Tunnel Management Command: request does not fit "
			       "%zu bytes", cap);
	*len = doe_wr_len(&w);
	return 0;
}

/* The common tail: a 16-bit size, then exactly that many message bytes. */
static int rd_msg(struct doe_ctx *ctx, const char *what, struct doe_rd *r, uint16_t size,
		  const uint8_t **msg, size_t *msg_len)
{
	size_t left = r->len - r->off;

	if (size != left)
		return doe_err(ctx, -EBADMSG, "Tunnel Management Command %s: size %u, but %zu "
			       "message bytes follow", what, size, left);
	if (size < FMAPI_HDR_LEN)
		return doe_err(ctx, -EBADMSG, "Tunnel Management Command %s: a %u-byte message "
			       "has no CCI header", what, size);
	*msg = r->p + r->off;
	*msg_len = size;
	return 0;
}

int fmapi_tunnel_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
			    struct fmapi_tunnel_req *out)
{
	struct doe_rd r;
	uint16_t size = 0;

	doe_rd_init(&r, in, len);
	doe_rd_u8(&r, &out->port_id);
	doe_rd_u8(&r, &out->target_type);
	doe_rd_le16(&r, &size);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "Tunnel Management Command request: %zu bytes, "
			       "the header alone is %u", len, FMAPI_TUNNEL_HDR_LEN);
	if (out->target_type != FMAPI_TUNNEL_TARGET_PORT)
		return doe_err(ctx, -EPROTO, "Tunnel Management Command request: target type %u "
			       "(only 0, port or LD based)", out->target_type);
	return rd_msg(ctx, "request", &r, size, &out->msg, &out->msg_len);
}

int fmapi_tunnel_rsp_encode(struct doe_ctx *ctx, const void *msg, size_t msg_len, void *out,
			    size_t cap, size_t *len)
{
	struct doe_wr w;

	if (msg_len < FMAPI_HDR_LEN || msg_len > 0xFFFFu)
		return doe_err(ctx, -EINVAL, "Tunnel Management Command: a message of %zu bytes "
			       "(%u..65535)", msg_len, FMAPI_HDR_LEN);
	doe_wr_init(&w, out, cap);
	doe_wr_le16(&w, (uint16_t)msg_len);
	doe_wr_le16(&w, 0);
	doe_wr_bytes(&w, msg, msg_len);
	if (!doe_wr_ok(&w))
		return doe_err(ctx, -EMSGSIZE, "Tunnel Management Command: response does not fit "
			       "%zu bytes", cap);
	*len = doe_wr_len(&w);
	return 0;
}

int fmapi_tunnel_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len, const uint8_t **msg,
			    size_t *msg_len)
{
	struct doe_rd r;
	uint16_t size = 0;

	doe_rd_init(&r, in, len);
	doe_rd_le16(&r, &size);
	doe_rd_skip(&r, 2);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "Tunnel Management Command response: %zu bytes, "
			       "the header alone is %u", len, FMAPI_TUNNEL_HDR_LEN);
	return rd_msg(ctx, "response", &r, size, msg, msg_len);
}

int fmapi_tunnel(struct fmapi_req *r, struct fmapi_req *inner, struct mctp_chan *chan,
		 uint8_t port, uint16_t opcode, const void *in, size_t inlen, void *out, size_t cap,
		 size_t *outlen)
{
	struct doe_ctx *ctx = fmapi_req_ctx(r);
	uint8_t msg[1024], req[1024 + FMAPI_TUNNEL_HDR_LEN], rsp[1024 + FMAPI_TUNNEL_HDR_LEN];
	struct fmapi_tunnel_req t = { .port_id = port, .target_type = FMAPI_TUNNEL_TARGET_PORT,
				      .msg = msg };
	const uint8_t *m, *pl;
	struct fmapi_hdr h;
	size_t mlen, rlen, plen, len;
	const char *name = fmapi_op_name(opcode);
	int rc;

	TRY(fmapi_req_build(inner, opcode, in, inlen, msg, sizeof(msg), &t.msg_len));
	TRY(fmapi_tunnel_req_encode(ctx, &t, req, sizeof(req), &len));
	rc = fmapi_exchange(r, chan, FMAPI_OP_TUNNEL, req, len, rsp, sizeof(rsp), &rlen);
	if (rc < 0) {	/* the switch refused or failed: say what was tunnelled where */
		doe_err_prefix(ctx, "%s tunnelled to port %u", name ? name : "command", port);
		return rc;
	}
	TRY(fmapi_tunnel_rsp_decode(ctx, rsp, rlen, &m, &mlen));
	TRY(fmapi_rsp_check(inner, m, mlen, &h, &pl, &plen));
	if (h.return_code != FMAPI_RC_SUCCESS) {
		const char *rcn = fmapi_rc_name(h.return_code);

		return doe_err(ctx, fmapi_rc_errno(h.return_code) ? fmapi_rc_errno(h.return_code)
								  : -EREMOTEIO,
			       "%s (tunnelled to port %u): return code %s (0x%04x)",
			       name ? name : "command", port, rcn ? rcn : "unknown", h.return_code);
	}
	if (plen > cap)
		return doe_err(ctx, -EMSGSIZE, "%s (tunnelled to port %u): %zu-byte answer exceeds "
			       "%zu", name ? name : "command", port, plen, cap);
	memcpy(out, pl, plen);
	*outlen = plen;
	return 0;
}
