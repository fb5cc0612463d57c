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

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

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

/* --- Linux AF_MCTP carrier --- */
/*
 * The system calls the AF_MCTP carrier makes, as a seam for tests and
 * fuzzers (libnvme's mi-mctp tests are the model): each behaves as its libc
 * namesake (-1 with errno on failure) and gets priv first. A NULL table, or
 * a NULL member, means libc's.
 */
struct mctp_sys_ops {
	int (*socket)(void *priv, int domain, int type, int protocol);
	ssize_t (*sendto)(void *priv, int fd, const void *buf, size_t len, int flags,
			  const struct sockaddr *addr, socklen_t addrlen);
	ssize_t (*recvfrom)(void *priv, int fd, void *buf, size_t len, int flags,
			    struct sockaddr *addr, socklen_t *addrlen);
	int (*poll)(void *priv, struct pollfd *fds, nfds_t n, int timeout_ms);
	int (*close)(void *priv, int fd);
};

/* Linux's address family number and tag-owner bit (include/uapi/linux/mctp.h) */
#define MCTP_AF 45
#define MCTP_TAG_OWNER_BIT 0x08u
#define MCTP_TAG_VALUE_MASK 0x07u

/*
 * A channel to addr over a Linux AF_MCTP datagram socket. Each exchange
 * sends the request body with sendto() (the kernel writes the type byte from
 * smctp_type and allocates a tag: MCTP_TAG_OWNER) and waits, at most
 * timeout_ms in all (0: 5000), for the answer. What reaches the socket is
 * only what the kernel routed to the tag it allocated for it; of that, an
 * answer is taken only when it comes from addr's EID (and network, when
 * one was named), is a response (tag owner bit clear) and has the request's
 * message type. Anything else is dropped and counted, and waiting goes on
 * until the deadline: a wrong endpoint can delay us, never answer for the
 * right one. After a failed exchange the socket is replaced, so that no
 * late answer to it can be taken for the next one's.
 *
 * Errors: -EAFNOSUPPORT "this kernel has no MCTP support" (socket()),
 * -EHOSTUNREACH / -ENETUNREACH naming the EID (no route), -ETIMEDOUT
 * (saying how many messages were dropped and why), -EMSGSIZE for an
 * answer larger than MCTP_MSG_MAX. sys and sys_priv may be NULL.
 */
DOE_API int mctp_sock_open(struct doe_ctx *ctx, const struct mctp_addr *addr,
			   const struct mctp_sys_ops *sys, void *sys_priv, uint32_t timeout_ms,
			   struct mctp_chan **out);

DOE_END_DECLS

#endif
