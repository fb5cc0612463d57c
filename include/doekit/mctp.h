/* SPDX-License-Identifier: MIT */
/*
 * MCTP (DMTF DSP0236) as doekit uses it: request/response exchanges of
 * whole MCTP messages with one endpoint. An MCTP message is one
 * message-type byte (bit 7: integrity check present) followed by the
 * body of that type: SPDM (0x05), secured SPDM (0x06, DSP0275), CXL
 * FM-API (0x07, DSP0234) or CXL CCI (0x08, DSP0281).
 *
 * A struct mctp_chan reaches one endpoint over any carrier: a Linux
 * AF_MCTP socket (mctp_sock_open()), the socket protocol of the DMTF
 * emulators with MCTP framing (spdm_sock_mctp_chan()), or the emulator's
 * in-process MCTP network (emu_mctp_open()). Every carrier frames with
 * the one codec here, mctp_msg_encode()/mctp_msg_decode(). SPDM runs over
 * a channel with spdm_transport_mctp(), FM-API with fmapi.h.
 *
 * A channel is not thread-safe; one exchange at a time.
 */
#ifndef DOEKIT_MCTP_H
#define DOEKIT_MCTP_H

#include <doekit/common.h>
#include <doekit/ctx.h>

DOE_BEGIN_DECLS

/* MCTP message types (DSP0239) */
#define MCTP_TYPE_CONTROL 0x00u
#define MCTP_TYPE_PLDM 0x01u
#define MCTP_TYPE_NVME_MI 0x04u
#define MCTP_TYPE_SPDM 0x05u
#define MCTP_TYPE_SECURED 0x06u
#define MCTP_TYPE_FMAPI 0x07u
#define MCTP_TYPE_CCI 0x08u
#define MCTP_TYPE_IC 0x80u	/* integrity check bit of the type byte */

/* Linux's network and address wildcards, and the largest message we send
 * or accept (a 1 MiB SPDM message does not exist in practice; 64 KiB is
 * what the kernel's MCTP stack reassembles). */
#define MCTP_NET_ANY 0u
#define MCTP_ADDR_ANY 0xFFu
#define MCTP_MSG_MAX 65536u

/* "control", "spdm", "secured-spdm", "fm-api", "cxl-cci", or NULL */
DOE_API const char *mctp_type_name(uint8_t type);

/* --- codec --- */
/* type byte + body into out; -EMSGSIZE when cap (or MCTP_MSG_MAX) is too small */
DOE_API int mctp_msg_encode(struct doe_ctx *ctx, uint8_t type, const void *body, size_t len,
			    void *out, size_t cap, size_t *out_len);
/* Splits a received message: *body points into msg. An empty message is
 * -EBADMSG; a message with the integrity-check bit is -EPROTO (none of the
 * types doekit speaks carries one). */
DOE_API int mctp_msg_decode(struct doe_ctx *ctx, const void *msg, size_t len, uint8_t *type,
			    const uint8_t **body, size_t *body_len);

/* --- channels --- */
struct mctp_chan_ops {
	/* Sends one whole MCTP message (type byte first) to the endpoint and
	 * receives its answer (type byte first) into rsp; 0 or -errno with a
	 * message in ctx. Bounded by the carrier's timeout. */
	int (*exchange)(void *priv, const void *req, size_t req_len, void *rsp, size_t rsp_cap,
			size_t *rsp_len);
	/* optional: called by mctp_chan_free() */
	void (*release)(void *priv);
};

struct mctp_chan;
/* Wraps a carrier. name (copied) names the endpoint in messages, e.g.
 * "mctp:1,8". On success the channel owns priv (ops->release at free). */
DOE_API int mctp_chan_new(struct doe_ctx *ctx, const struct mctp_chan_ops *ops, void *priv,
			  const char *name, struct mctp_chan **out);
DOE_API void mctp_chan_free(struct mctp_chan *c);
DOE_API const char *mctp_chan_name(const struct mctp_chan *c);
DOE_API struct doe_ctx *mctp_chan_ctx(const struct mctp_chan *c);

/* One exchange of a message of type: body in, body of the answer out.
 * The answer must be of the same type (-EPROTO naming both otherwise). */
DOE_API int mctp_exchange(struct mctp_chan *c, uint8_t type, const void *req, size_t req_len,
			  void *rsp, size_t rsp_cap, size_t *rsp_len);

/* SPDM over a channel, for spdm_req_run() and the session functions (priv
 * is the struct mctp_chan *): type 0x05 in the clear, 0x06 secured, the
 * MCTP session binding, no alignment. */
struct spdm_transport_ops;
DOE_API const struct spdm_transport_ops *spdm_transport_mctp(void);

/* --- addresses --- */
struct mctp_addr {
	uint32_t net;		/* MCTP_NET_ANY: the default network */
	uint8_t eid;		/* 1..254 */
};
/* "mctp:EID" or "mctp:NET,EID" (decimal or 0x hex, strictly): -EINVAL
 * naming what is wrong. EIDs 0 and 255 are refused (null and broadcast). */
DOE_API int mctp_addr_parse(struct doe_ctx *ctx, const char *spec, struct mctp_addr *out);

DOE_END_DECLS

#endif
