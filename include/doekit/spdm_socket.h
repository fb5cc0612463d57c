/* SPDX-License-Identifier: MIT */
/*
 * The socket protocol that DMTF spdm-emu (spdm_requester_emu,
 * spdm_responder_emu) and QEMU's spdm-socket backend speak: TCP frames of
 * a 12-byte header (command, transport type, payload size; all u32
 * big-endian) and a payload that is one transport message.
 *
 * Transport framings of the payload:
 *   NONE     the SPDM message itself
 *   MCTP     one whole MCTP message (mctp.h's codec): the message-type byte
 *            (0x05 SPDM, 0x06 secured SPDM; others through
 *            spdm_sock_mctp_chan() and mctp_handler), then the body
 *   PCI_DOE  a whole DOE data object: header DW1 (vendor 0x0001, type 1 CMA,
 *            2 secured CMA, 0 Discovery), DW2 (length in DW), payload
 *            padded to a DW
 *
 * Client: spdm_sock_connect() and the spdm_transport_socket() ops for
 * spdm_req_run(). Server: spdm_sock_listen() and spdm_sock_run() (many
 * clients) or spdm_sock_serve() (one at a time), which
 * answers DOE Discovery itself (DMTF's requester asks it first over
 * PCI_DOE) and hands every SPDM message to a handler. Frames are written
 * with one write each on a TCP_NODELAY socket (the emulators leave Nagle
 * on; without this each message can stall ~40 ms). Every read has a
 * timeout; every frame from the peer is checked before use.
 */
#ifndef DOEKIT_SPDM_SOCKET_H
#define DOEKIT_SPDM_SOCKET_H

#include <doekit/common.h>
#include <doekit/ctx.h>
#include <doekit/spdm.h>

DOE_BEGIN_DECLS

#define SPDM_SOCK_CMD_NORMAL 0x0001u
#define SPDM_SOCK_CMD_OOB_ENCAP_KEY_UPDATE 0x8001u
#define SPDM_SOCK_CMD_OOB_ENCAP_ENDPOINT_INFO 0x8002u
#define SPDM_SOCK_CMD_CONTINUE 0xFFFDu
#define SPDM_SOCK_CMD_SHUTDOWN 0xFFFEu
#define SPDM_SOCK_CMD_UNKNOWN 0xFFFFu
#define SPDM_SOCK_CMD_TEST 0xDEADu

enum spdm_sock_trans {
	SPDM_SOCK_TRANS_NONE = 0,
	SPDM_SOCK_TRANS_MCTP = 1,
	SPDM_SOCK_TRANS_PCI_DOE = 2,
};

#define SPDM_SOCK_HDR_LEN 12u
#define SPDM_SOCK_DEFAULT_PORT 2323u
/* Largest payload accepted from a peer: one whole DOE object. */
#define SPDM_SOCK_MAX_PAYLOAD (1u << 20)
#define SPDM_SOCK_MCTP_SPDM 0x05u
#define SPDM_SOCK_MCTP_SECURED 0x06u

/* "none", "mctp", "pci-doe"; parse returns -EINVAL for anything else */
DOE_API const char *spdm_sock_trans_name(enum spdm_sock_trans t);
DOE_API int spdm_sock_trans_parse(const char *name, enum spdm_sock_trans *t);

/* --- sans-I/O codec (tests, fuzzers, other event loops) --- */
DOE_API void spdm_sock_hdr_encode(uint32_t cmd, uint32_t trans, uint32_t size,
				  uint8_t out[SPDM_SOCK_HDR_LEN]);
/* -EBADMSG for a short header, -EMSGSIZE for a size above max */
DOE_API int spdm_sock_hdr_parse(struct doe_ctx *ctx, const void *buf, size_t len, uint32_t max,
				uint32_t *cmd, uint32_t *trans, uint32_t *size);

/* What a transport message carries. */
enum spdm_sock_kind {
	SPDM_SOCK_SPDM = 0,	/* an SPDM message */
	SPDM_SOCK_SECURED,	/* a secured SPDM message (DSP0277) */
	SPDM_SOCK_DISCOVERY,	/* DOE Discovery (PCI_DOE only) */
};

/* Wraps msg in the transport framing; -EMSGSIZE when cap is too small. */
DOE_API int spdm_sock_wrap(struct doe_ctx *ctx, enum spdm_sock_trans t, enum spdm_sock_kind kind,
			   const void *msg, size_t len, void *out, size_t cap, size_t *out_len);
/* Checks and strips the framing; *msg points into payload. PCI_DOE: the
 * Length field must match the payload; vendor/type must be one we know.
 * MCTP: the message type must be SPDM or secured SPDM. */
DOE_API int spdm_sock_unwrap(struct doe_ctx *ctx, enum spdm_sock_trans t, const void *payload,
			     size_t len, enum spdm_sock_kind *kind, const uint8_t **msg,
			     size_t *msg_len);

/* --- client --- */
struct spdm_sock;
/* addr: "HOST:PORT" (also "tcp:HOST:PORT"; "[v6]:PORT"); timeout_ms bounds
 * connect and every response. */
DOE_API int spdm_sock_connect(struct doe_ctx *ctx, const char *addr, enum spdm_sock_trans t,
			      uint32_t timeout_ms, struct spdm_sock **out);
DOE_API void spdm_sock_close(struct spdm_sock *s);
/* One NORMAL exchange of an SPDM message (framing added and removed). */
DOE_API int spdm_sock_exchange(struct spdm_sock *s, const void *req, size_t req_len, void *rsp,
			       size_t rsp_cap, size_t *rsp_len);
/* One NORMAL exchange of a secured message (DSP0277 record): MCTP message
 * type 0x06, or DOE data object type 2; the answer must be one too (a
 * libspdm peer answers a record it could not open with an ERROR in the
 * clear: -EPROTO naming it). NONE cannot carry one: -EPROTONOSUPPORT. */
DOE_API int spdm_sock_exchange_secured(struct spdm_sock *s, const void *req, size_t req_len,
				       void *rsp, size_t rsp_cap, size_t *rsp_len);
/* TEST ("Client Hello!" / "Server Hello!"), SHUTDOWN (the responder exits)
 * and CONTINUE (the responder keeps serving the next client: spdm-emu's
 * responder stops when a client just closes). */
DOE_API int spdm_sock_hello(struct spdm_sock *s);
DOE_API int spdm_sock_shutdown(struct spdm_sock *s);
DOE_API int spdm_sock_continue(struct spdm_sock *s);
/* ops for spdm_req_run() and the session functions over s (priv is s):
 * align follows its transport, and so does the session binding (MCTP:
 * SPDM_BINDING_MCTP; PCI_DOE: SPDM_BINDING_DOE); NONE carries no secured
 * messages (exchange_secured is NULL). */
DOE_API const struct spdm_transport_ops *spdm_transport_socket(const struct spdm_sock *s);

/* An MCTP channel (mctp.h) over s, which must use SPDM_SOCK_TRANS_MCTP:
 * every MCTP message, of any type (FM-API 0x07, CXL CCI 0x08, SPDM...),
 * travels whole as the payload of one NORMAL frame, and its answer too.
 * The channel does not own s: free the channel first, then close s. */
struct mctp_chan;
DOE_API int spdm_sock_mctp_chan(struct spdm_sock *s, struct mctp_chan **out);

/* --- server --- */
struct spdm_sock_listener;
/* Binds and listens on addr ("HOST:PORT"; port 0 picks a free one). */
DOE_API int spdm_sock_listen(struct doe_ctx *ctx, const char *addr,
			     struct spdm_sock_listener **out);
DOE_API uint16_t spdm_sock_listener_port(const struct spdm_sock_listener *l);
DOE_API void spdm_sock_listener_close(struct spdm_sock_listener *l);

/* Answers one SPDM (or secured) message; the response is written to rsp.
 * Return 0, or <0 to drop the connection. */
typedef int (*spdm_sock_handler)(void *priv, enum spdm_sock_kind kind, const uint8_t *req,
				 size_t req_len, uint8_t *rsp, size_t rsp_cap, size_t *rsp_len);

struct spdm_sock_server {
	enum spdm_sock_trans trans;
	spdm_sock_handler handler;
	void *priv;
	bool secured;		/* Discovery also lists Secured CMA (PCI_DOE) */
	uint32_t idle_timeout_ms;	/* a connection silent this long is dropped
					 * (0: 60 s) */
	/* optional: called when a connection ends, to reset responder state
	 * (spdm_sock_serve() only: spdm_sock_run() has conn_open/conn_close) */
	void (*reset)(void *priv);

	/* spdm_sock_run() only; 0 picks the default in brackets */
	unsigned int max_clients;	/* connections served at once [16]; more
					 * are closed at accept, with a log line */
	uint32_t frame_timeout_ms;	/* to receive a frame once its first byte
					 * came, and to write one answer [10 s] */
	uint32_t lifetime_ms;		/* a connection's whole life [300 s] */
	/* > 0: spdm_sock_run() returns 0 as soon as this descriptor is
	 * readable (e.g. a pipe a signal handler writes to); 0: none */
	int stop_fd;
	/* optional per-connection state: conn_open() runs at accept, and what
	 * it stores in *conn_priv is the handler's priv for that connection;
	 * conn_close() runs when the connection ends, however it ends. A
	 * failing conn_open() closes the connection. */
	int (*conn_open)(void *priv, void **conn_priv);
	void (*conn_close)(void *priv, void *conn_priv);
	/* optional, with conn_open: the client ended with CONTINUE, which in
	 * the spdm-emu protocol leaves the device's state for the next client
	 * (spdm_responder_emu keeps its sessions); called just before
	 * conn_close, which still follows. A server may keep what it needs. */
	void (*conn_continue)(void *priv, void *conn_priv);
	/*
	 * optional, MCTP transport only: answers one MCTP message whose type is
	 * neither SPDM (0x05) nor secured SPDM (0x06), e.g. FM-API (0x07).
	 * msg is the whole message, type byte first; the answer written to rsp
	 * (at most cap bytes) must be a whole MCTP message too, and is sent as
	 * the NORMAL frame's payload. priv is the one handler gets (conn_open's
	 * per connection). Return 0, or <0 to drop the connection. Without it,
	 * such messages end the connection as a bad frame, as before; with it,
	 * handler may be NULL (a server of other types only).
	 */
	int (*mctp_handler)(void *priv, const uint8_t *msg, size_t len, uint8_t *rsp, size_t cap,
			    size_t *rsp_len);
};

/*
 * Accepts one connection and serves it until the peer closes it, sends
 * SHUTDOWN, or misbehaves (a bad frame ends the connection, with the reason
 * in ctx). Returns 1 after SHUTDOWN, 0 when the connection ended otherwise,
 * <0 when accepting failed (-EINTR when a signal interrupted the wait) or
 * the connection was dropped for a bad frame. Call it in a loop to serve
 * several clients. One client at a time: a server facing untrusted
 * clients wants spdm_sock_run().
 */
DOE_API int spdm_sock_serve(struct spdm_sock_listener *l, const struct spdm_sock_server *srv);

/*
 * Serves many clients at once from one thread: poll() over non-blocking
 * sockets, each connection with its own frame buffers and (through
 * conn_open) its own handler state, so that a slow or hostile client only
 * ever costs its own connection. A connection is dropped when it is idle
 * longer than idle_timeout_ms, takes longer than frame_timeout_ms to send
 * a frame or to take an answer, lives longer than lifetime_ms, sends a bad
 * frame, or its handler fails; each drop and each refusal (max_clients
 * reached) is logged at DOE_LOG_WARN on the listener's ctx with the
 * reason. CONTINUE ends the client's connection only.
 *
 * Returns 1 after a client's SHUTDOWN (once its answer is written or
 * dropped), 0 when stop_fd became readable, <0 when the listener failed.
 * Every connection is closed (conn_close called) before it returns.
 */
DOE_API int spdm_sock_run(struct spdm_sock_listener *l, const struct spdm_sock_server *srv);

DOE_END_DECLS

#endif
