/* SPDX-License-Identifier: MIT */
/*
 * Tunnel Management Command (CXL r3.1 §7.6.7.3.1, opcode 5300h): a fabric
 * manager reaches a component below a switch (the FM-owned LD of a type 3
 * device cabled to a downstream port) by wrapping a whole CCI request in a
 * request to the switch; the switch answers with the component's whole CCI
 * response. Layouts cross-checked with QEMU's cmd_tunnel_management_cmd():
 *
 *   request:  0 port or LD ID, 1 target type (0: port or LD based),
 *             2..3 command size (LE), 4.. the CCI request message
 *   response: 0..1 response length (LE), 2..3 reserved, 4.. the CCI
 *             response message
 *
 * (Kept apart from fmapi.h until the FM-API codec takes it in.)
 */
#ifndef DOEKIT_FMAPI_TUNNEL_H
#define DOEKIT_FMAPI_TUNNEL_H

#include <doekit/fmapi.h>

DOE_BEGIN_DECLS

#define FMAPI_OP_TUNNEL 0x5300u
#define FMAPI_TUNNEL_HDR_LEN 4u
#define FMAPI_TUNNEL_TARGET_PORT 0u

struct fmapi_tunnel_req {
	uint8_t port_id;	/* the switch's physical port */
	uint8_t target_type;	/* FMAPI_TUNNEL_TARGET_PORT */
	const uint8_t *msg;	/* the CCI request message (header and payload) */
	size_t msg_len;		/* at least FMAPI_HDR_LEN, at most 0xFFFF */
};
DOE_API int fmapi_tunnel_req_encode(struct doe_ctx *ctx, const struct fmapi_tunnel_req *in,
				    void *out, size_t cap, size_t *len);
/* msg points into in; the command size must equal the bytes after the
 * 4-byte header (-EBADMSG naming both) and hold at least a CCI header. */
DOE_API int fmapi_tunnel_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
				    struct fmapi_tunnel_req *out);
DOE_API int fmapi_tunnel_rsp_encode(struct doe_ctx *ctx, const void *msg, size_t msg_len, void *out,
				    size_t cap, size_t *len);
/* Same checks as the request: *msg points into in. */
DOE_API int fmapi_tunnel_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
				    const uint8_t **msg, size_t *msg_len);

/* One command to the component at port through the switch on chan: r
 * carries the tunnel request (its retries and background polling), inner
 * tags and checks the tunnelled one. A return code other than Success from
 * the component fails with fmapi_rc_errno() and a message naming it. */
DOE_API int fmapi_tunnel(struct fmapi_req *r, struct fmapi_req *inner, struct mctp_chan *chan,
			 uint8_t port, uint16_t opcode, const void *in, size_t inlen, void *out,
			 size_t cap, size_t *outlen);

DOE_END_DECLS

#endif
