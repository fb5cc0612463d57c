// SPDX-License-Identifier: MIT
/*
 * The spdm-emu socket protocol (DMTF spdm-emu spdm_emu_common/command.h;
 * QEMU backends/spdm-socket.c): client, server and the framing codec.
 * See include/doekit/spdm_socket.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <doekit/cursor.h>
#include <doekit/discovery.h>
#include <doekit/doe.h>
#include <doekit/mctp.h>
#include <doekit/spdm_session.h>
#include <doekit/spdm_socket.h>
#include "internal.h"

#define DEFAULT_IDLE_MS 60000u
/* spdm-emu's TEST payloads, NUL included */
static const char client_hello[] = "Client Hello!";
static const char server_hello[] = "Server Hello!";

static const char *const trans_names[] = { "none", "mctp", "pci-doe" };

const char *spdm_sock_trans_name(enum spdm_sock_trans t)
{
	return (unsigned int)t < ARRAY_SIZE(trans_names) ? trans_names[t] : "?";
}

int spdm_sock_trans_parse(const char *name, enum spdm_sock_trans *t)
{
	for (unsigned int i = 0; name && i < ARRAY_SIZE(trans_names); i++) {
		if (!strcmp(name, trans_names[i])) {
			*t = (enum spdm_sock_trans)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- codec ------------------------------------------------------------ */

void spdm_sock_hdr_encode(uint32_t cmd, uint32_t trans, uint32_t size, uint8_t out[12])
{
	struct doe_wr w;

	doe_wr_init(&w, out, SPDM_SOCK_HDR_LEN);
	doe_wr_be32(&w, cmd);
	doe_wr_be32(&w, trans);
	doe_wr_be32(&w, size);
}

int spdm_sock_hdr_parse(struct doe_ctx *ctx, const void *buf, size_t len, uint32_t max,
			uint32_t *cmd, uint32_t *trans, uint32_t *size)
{
	struct doe_rd r;

	doe_rd_init(&r, buf, len);
	doe_rd_be32(&r, cmd);
	doe_rd_be32(&r, trans);
	doe_rd_be32(&r, size);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "socket frame header: %zu bytes, need %u", len,
			       SPDM_SOCK_HDR_LEN);
	if (*size > max)
		return doe_err(ctx, -EMSGSIZE,
			       "socket frame (command 0x%04x): payload size %u exceeds the %u-byte limit",
			       *cmd, *size, max);
	return 0;
}

static uint8_t doe_type_of(enum spdm_sock_kind kind)
{
	return kind == SPDM_SOCK_DISCOVERY ? DOE_TYPE_DISCOVERY
	       : kind == SPDM_SOCK_SECURED ? DOE_TYPE_SECURED_CMA
					   : DOE_TYPE_CMA;
}

int spdm_sock_wrap(struct doe_ctx *ctx, enum spdm_sock_trans t, enum spdm_sock_kind kind,
		   const void *msg, size_t len, void *out, size_t cap, size_t *out_len)
{
	struct doe_wr w;

	doe_wr_init(&w, out, cap);
	switch (t) {
	case SPDM_SOCK_TRANS_NONE:
		if (kind == SPDM_SOCK_DISCOVERY)
			return doe_err(ctx, -EINVAL, "Discovery needs the PCI_DOE transport");
		/* bare SPDM has no way to mark a secured message: sending one
		 * unmarked would make the peer read a record as SPDM */
		if (kind == SPDM_SOCK_SECURED)
			return doe_err(ctx, -EPROTONOSUPPORT,
				       "secured messages need the MCTP or PCI_DOE transport, not NONE");
		break;
	case SPDM_SOCK_TRANS_MCTP:
		if (kind == SPDM_SOCK_DISCOVERY)
			return doe_err(ctx, -EINVAL, "Discovery needs the PCI_DOE transport");
		/* one MCTP codec for every carrier (mctp.h) */
		return mctp_msg_encode(ctx, kind == SPDM_SOCK_SECURED ? MCTP_TYPE_SECURED
								       : MCTP_TYPE_SPDM,
				       msg, len, out, cap, out_len);
	case SPDM_SOCK_TRANS_PCI_DOE: {
		size_t dw = 2 + (len + 3) / 4;

		if (dw > DOE_MAX_OBJECT_DW)
			return doe_err(ctx, -EMSGSIZE, "message of %zu bytes exceeds a DOE object", len);
		doe_wr_le32(&w, DOE_HDR1(DOE_VENDOR_PCISIG, doe_type_of(kind)));
		doe_wr_le32(&w, dw == DOE_MAX_OBJECT_DW ? 0 : (uint32_t)dw);
		break;
	}
	default:
		return doe_err(ctx, -EINVAL, "unknown socket transport %d", (int)t);
	}
	doe_wr_bytes(&w, msg, len);
	if (t == SPDM_SOCK_TRANS_PCI_DOE)
		doe_wr_zero(&w, (4 - len % 4) % 4);
	if (!doe_wr_ok(&w))
		return doe_err(ctx, -EMSGSIZE, "message of %zu bytes does not fit a %zu-byte frame",
			       len, cap);
	*out_len = doe_wr_len(&w);
	return 0;
}

int spdm_sock_unwrap(struct doe_ctx *ctx, enum spdm_sock_trans t, const void *payload, size_t len,
		     enum spdm_sock_kind *kind, const uint8_t **msg, size_t *msg_len)
{
	struct doe_rd r;

	doe_rd_init(&r, payload, len);
	*kind = SPDM_SOCK_SPDM;
	switch (t) {
	case SPDM_SOCK_TRANS_NONE:
		break;
	case SPDM_SOCK_TRANS_MCTP: {
		uint8_t type;

		/* empty: -EBADMSG; integrity check bit (never used by SPDM,
		 * DSP0275): -EPROTO */
		TRY(mctp_msg_decode(ctx, payload, len, &type, msg, msg_len));
		if (type == MCTP_TYPE_SECURED)
			*kind = SPDM_SOCK_SECURED;
		else if (type != MCTP_TYPE_SPDM)
			return doe_err(ctx, -EPROTO, "MCTP message type 0x%02x is not SPDM (0x05/0x06)",
				       type);
		return 0;
	}
	case SPDM_SOCK_TRANS_PCI_DOE: {
		uint32_t h1, h2, dw;

		doe_rd_le32(&r, &h1);
		doe_rd_le32(&r, &h2);
		if (!doe_rd_ok(&r))
			return doe_err(ctx, -EBADMSG, "DOE object: %zu bytes, shorter than its header",
				       len);
		dw = DOE_HDR2_LENGTH(h2) ? DOE_HDR2_LENGTH(h2) : DOE_MAX_OBJECT_DW;
		if ((size_t)dw * 4 != len)
			return doe_err(ctx, -EBADMSG,
				       "DOE object: Length field says %u DW, the frame holds %zu bytes",
				       dw, len);
		if (DOE_HDR1_VID(h1) != DOE_VENDOR_PCISIG ||
		    DOE_HDR1_TYPE(h1) > DOE_TYPE_SECURED_CMA)
			return doe_err(ctx, -EPROTO, "DOE object [vendor %04x, type %02x] is not "
				       "Discovery or CMA/SPDM", DOE_HDR1_VID(h1), DOE_HDR1_TYPE(h1));
		*kind = DOE_HDR1_TYPE(h1) == DOE_TYPE_DISCOVERY ? SPDM_SOCK_DISCOVERY
			: DOE_HDR1_TYPE(h1) == DOE_TYPE_SECURED_CMA ? SPDM_SOCK_SECURED
								   : SPDM_SOCK_SPDM;
		break;
	}
	default:
		return doe_err(ctx, -EINVAL, "unknown socket transport %d", (int)t);
	}
	*msg = r.p + r.off;
	*msg_len = doe_rd_left(&r);
	return 0;
}

/* ---- blocking I/O with deadlines -------------------------------------- */

/* Waits until fd is readable (or writable), at most ms. */
static int wait_fd(struct doe_ctx *ctx, int fd, short ev, uint32_t ms, const char *what)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int rc;

	do
		rc = poll(&p, 1, (int)ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return doe_err(ctx, -errno, "%s: poll: %s", what, strerror(errno));
	if (rc == 0)
		return doe_err(ctx, -ETIMEDOUT, "%s: no data within %u ms", what, ms);
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Reads exactly len bytes within ms in all (a peer that trickles bytes
 * cannot stretch one read without bound); -ECONNRESET when the peer closed
 * mid-way (after 0 bytes: -ENOTCONN, so a clean close between frames can be
 * told apart). */
static int read_full(struct doe_ctx *ctx, int fd, void *buf, size_t len, uint32_t ms,
		     const char *what)
{
	uint64_t deadline = mono_ms() + ms;
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		uint64_t now = mono_ms();
		ssize_t n;

		if (now >= deadline)
			return doe_err(ctx, -ETIMEDOUT, "%s: no data within %u ms", what, ms);
		int rc = wait_fd(ctx, fd, POLLIN, (uint32_t)(deadline - now), what);

		if (rc == -ETIMEDOUT)	/* name the whole budget, not what was left */
			return doe_err(ctx, -ETIMEDOUT, "%s: no data within %u ms", what, ms);
		if (rc < 0)
			return rc;
#ifdef TCP_QUICKACK
		/* The emulators write a frame in four send()s with Nagle on: each
		 * piece after the first waits for our ACK, which Linux delays up
		 * to 40 ms unless asked not to (the flag does not stick). */
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
#endif
		n = recv(fd, p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return doe_err(ctx, -errno, "%s: %s", what, strerror(errno));
		if (n == 0)
			return got ? doe_err(ctx, -ECONNRESET, "%s: peer closed after %zu of %zu bytes",
					     what, got, len)
				   : doe_err(ctx, -ENOTCONN, "%s: peer closed the connection", what);
		got += (size_t)n;
	}
	return 0;
}

static int write_full(struct doe_ctx *ctx, int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return doe_err(ctx, -errno, "socket write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One frame in one write: header and payload copied together. */
static int send_frame(struct doe_ctx *ctx, int fd, uint32_t cmd, uint32_t trans, const void *pl,
		      size_t len)
{
	uint8_t stackbuf[4096], *buf = stackbuf;
	int rc;

	if (len > SPDM_SOCK_MAX_PAYLOAD)
		return doe_err(ctx, -EMSGSIZE, "frame payload of %zu bytes too large", len);
	if (len + SPDM_SOCK_HDR_LEN > sizeof(stackbuf)) {
		buf = malloc(len + SPDM_SOCK_HDR_LEN);
		if (!buf)
			return doe_err(ctx, -ENOMEM, "out of memory");
	}
	spdm_sock_hdr_encode(cmd, trans, (uint32_t)len, buf);
	if (len)
		memcpy(buf + SPDM_SOCK_HDR_LEN, pl, len);
	rc = write_full(ctx, fd, buf, len + SPDM_SOCK_HDR_LEN);
	if (buf != stackbuf)
		free(buf);
	return rc;
}

/* Receives one frame; the payload goes to buf (cap bytes; a larger one is
 * an error, not a truncation). */
static int recv_frame(struct doe_ctx *ctx, int fd, uint32_t ms, uint32_t *cmd, uint32_t *trans,
		      void *buf, size_t cap, size_t *len)
{
	uint8_t hdr[SPDM_SOCK_HDR_LEN];
	uint32_t size;

	TRY(read_full(ctx, fd, hdr, sizeof(hdr), ms, "socket frame header"));
	TRY(spdm_sock_hdr_parse(ctx, hdr, sizeof(hdr), cap < SPDM_SOCK_MAX_PAYLOAD ? (uint32_t)cap
										  : SPDM_SOCK_MAX_PAYLOAD,
				cmd, trans, &size));
	if (size)
		TRY(read_full(ctx, fd, buf, size, ms, "socket frame payload"));
	*len = size;
	return 0;
}

/* "tcp:HOST:PORT", "HOST:PORT", "[V6]:PORT" */
static int split_addr(struct doe_ctx *ctx, const char *addr, char *host, size_t hlen, char *port,
		      size_t plen)
{
	const char *a = strncmp(addr, "tcp:", 4) ? addr : addr + 4, *colon, *h = a;
	size_t n;

	if (*a == '[') {
		const char *end = strchr(a, ']');

		if (!end || end[1] != ':')
			return doe_err(ctx, -EINVAL, "'%s': expected [ADDRESS]:PORT", addr);
		h = a + 1;
		n = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(a, ':');
		if (!colon)
			return doe_err(ctx, -EINVAL, "'%s': expected HOST:PORT", addr);
		n = (size_t)(colon - a);
	}
	if (n == 0 || n >= hlen || !colon[1] || strlen(colon + 1) >= plen)
		return doe_err(ctx, -EINVAL, "'%s': expected HOST:PORT", addr);
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/*
 * A TCP port: decimal digits only, 1-65535, nothing after them; 0 (any
 * free port) only where we listen. getaddrinfo() alone is not enough: it
 * takes 65536 as 0 and so binds a random port instead of failing.
 */
static int parse_port(struct doe_ctx *ctx, const char *addr, const char *s, bool passive,
		      char *out, size_t len)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			break;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || s[i] || v > 65535 || (v == 0 && !passive))
		return doe_err(ctx, -EINVAL, "'%s': port '%s' is not a number from %s to 65535", addr,
			       s, passive ? "0" : "1");
	snprintf(out, len, "%lu", v);
	return 0;
}

static int resolve(struct doe_ctx *ctx, const char *addr, bool passive, struct addrinfo **res)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	char host[256], port[16], num[8];
	int rc;

	TRY(split_addr(ctx, addr, host, sizeof(host), port, sizeof(port)));
	TRY(parse_port(ctx, addr, port, passive, num, sizeof(num)));
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	rc = getaddrinfo(host, num, &hints, res);
	if (rc)
		return doe_err(ctx, -EHOSTUNREACH, "'%s': %s", addr, gai_strerror(rc));
	return 0;
}

static void set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* ---- client ------------------------------------------------------------ */

struct spdm_sock {
	struct doe_ctx *ctx;
	int fd;
	enum spdm_sock_trans trans;
	uint32_t timeout_ms;
	char name[80];				/* the address, for channel names */
	uint8_t frame[SPDM_SOCK_MAX_PAYLOAD];	/* wrap/unwrap space */
};

static int connect_one(struct doe_ctx *ctx, const struct addrinfo *ai, uint32_t ms,
		       const char *addr)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	int err = 0;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return doe_err(ctx, -errno, "%s: socket: %s", addr, strerror(errno));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			goto fail;
		}
		if (wait_fd(ctx, fd, POLLOUT, ms, addr) < 0) {
			close(fd);
			return doe_err(ctx, -ETIMEDOUT, "%s: connect timed out after %u ms", addr, ms);
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			err = errno;
		if (err)
			goto fail;
	}
	/* back to blocking writes; reads are bounded by poll() */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		err = errno;
		goto fail;
	}
	set_nodelay(fd);
	return fd;
fail:
	close(fd);
	return doe_err(ctx, -err, "cannot connect to %s: %s", addr, strerror(err));
}

int spdm_sock_connect(struct doe_ctx *ctx, const char *addr, enum spdm_sock_trans t,
		      uint32_t timeout_ms, struct spdm_sock **out)
{
	struct addrinfo *res, *ai;
	struct spdm_sock *s;
	int fd = -1;

	if ((unsigned int)t > SPDM_SOCK_TRANS_PCI_DOE)
		return doe_err(ctx, -EINVAL, "unknown socket transport %d", (int)t);
	if (!timeout_ms)
		timeout_ms = 10000;
	TRY(resolve(ctx, addr, false, &res));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ctx, ai, timeout_ms, addr);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fd;
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return doe_err(ctx, -ENOMEM, "out of memory");
	}
	s->ctx = ctx;
	s->fd = fd;
	s->trans = t;
	s->timeout_ms = timeout_ms;
	snprintf(s->name, sizeof(s->name), "%s", addr);
	*out = s;
	return 0;
}

void spdm_sock_close(struct spdm_sock *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

/* Sends cmd with payload and receives the answer to it, which must carry
 * the same command. */
static int client_roundtrip(struct spdm_sock *s, uint32_t cmd, const void *pl, size_t len,
			    size_t *rsp_len)
{
	uint32_t rcmd, rtrans;

	TRY(send_frame(s->ctx, s->fd, cmd, s->trans, pl, len));
	TRY(recv_frame(s->ctx, s->fd, s->timeout_ms, &rcmd, &rtrans, s->frame, sizeof(s->frame),
		       rsp_len));
	if (rcmd != cmd)
		return doe_err(s->ctx, -EPROTO,
			       "socket: answer to command 0x%04x carries command 0x%04x", cmd, rcmd);
	if (rtrans != s->trans)
		return doe_err(s->ctx, -EPROTO,
			       "socket: answer uses transport %u, the connection uses %u (%s)", rtrans,
			       (unsigned int)s->trans, spdm_sock_trans_name(s->trans));
	return 0;
}

/* One NORMAL exchange of a message of kind (SPDM or secured): the answer
 * must be of the same kind. */
static int sock_xfer(struct spdm_sock *s, enum spdm_sock_kind kind, const void *req,
		     size_t req_len, void *rsp, size_t rsp_cap, size_t *rsp_len)
{
	uint8_t wrapped[SPDM_SOCK_HDR_LEN + 8 + 4096], *w = wrapped;
	enum spdm_sock_kind got;
	const uint8_t *msg;
	size_t wlen, flen, mlen;

	/* requests are small; a big one is wrapped in place in the frame buffer */
	if (req_len + 12 > sizeof(wrapped))
		w = s->frame;
	TRY(spdm_sock_wrap(s->ctx, s->trans, kind, req, req_len, w,
			   w == wrapped ? sizeof(wrapped) : sizeof(s->frame), &wlen));
	TRY(client_roundtrip(s, SPDM_SOCK_CMD_NORMAL, w, wlen, &flen));
	TRY(spdm_sock_unwrap(s->ctx, s->trans, s->frame, flen, &got, &msg, &mlen));
	if (got != kind && kind == SPDM_SOCK_SECURED && mlen >= 4 && msg[1] == SPDM_ERROR)
		/* libspdm answers a record it cannot open in the clear */
		return doe_err(s->ctx, -EPROTO,
			       "socket: secured message answered in the clear: ERROR %s (0x%02x)",
			       spdm_error_name(msg[2]), msg[2]);
	if (got != kind)
		return doe_err(s->ctx, -EPROTO, "socket: answer to %s is %s",
			       kind == SPDM_SOCK_SECURED ? "a secured message" : "an SPDM request",
			       got == SPDM_SOCK_SECURED ? "a secured message"
			       : got == SPDM_SOCK_SPDM ? "SPDM in the clear" : "not SPDM");
	if (mlen > rsp_cap) {
		*rsp_len = mlen;
		return doe_err(s->ctx, -EOVERFLOW, "socket: response of %zu bytes > buffer %zu", mlen,
			       rsp_cap);
	}
	memcpy(rsp, msg, mlen);
	*rsp_len = mlen;
	return 0;
}

int spdm_sock_exchange(struct spdm_sock *s, const void *req, size_t req_len, void *rsp,
		       size_t rsp_cap, size_t *rsp_len)
{
	return sock_xfer(s, SPDM_SOCK_SPDM, req, req_len, rsp, rsp_cap, rsp_len);
}

int spdm_sock_exchange_secured(struct spdm_sock *s, const void *req, size_t req_len, void *rsp,
			       size_t rsp_cap, size_t *rsp_len)
{
	return sock_xfer(s, SPDM_SOCK_SECURED, req, req_len, rsp, rsp_cap, rsp_len);
}

int spdm_sock_hello(struct spdm_sock *s)
{
	size_t len;

	TRY(client_roundtrip(s, SPDM_SOCK_CMD_TEST, client_hello, sizeof(client_hello), &len));
	if (len != sizeof(server_hello) || memcmp(s->frame, server_hello, len))
		return doe_err(s->ctx, -EPROTO, "socket: TEST answered without \"%s\"", server_hello);
	return 0;
}

int spdm_sock_continue(struct spdm_sock *s)
{
	size_t len;

	return client_roundtrip(s, SPDM_SOCK_CMD_CONTINUE, NULL, 0, &len);
}

int spdm_sock_shutdown(struct spdm_sock *s)
{
	size_t len;

	return client_roundtrip(s, SPDM_SOCK_CMD_SHUTDOWN, NULL, 0, &len);
}

static int sock_ops_exchange(void *priv, const void *req, size_t req_len, void *rsp,
			     size_t rsp_cap, size_t *rsp_len)
{
	return spdm_sock_exchange(priv, req, req_len, rsp, rsp_cap, rsp_len);
}

static int sock_ops_secured(void *priv, const void *req, size_t req_len, void *rsp,
			    size_t rsp_cap, size_t *rsp_len)
{
	return spdm_sock_exchange_secured(priv, req, req_len, rsp, rsp_cap, rsp_len);
}

/* A channel over an MCTP-framed socket: any MCTP message, whole, is the
 * payload of one NORMAL frame, and so is the answer. */
static int sock_chan_exchange(void *priv, const void *req, size_t req_len, void *rsp,
			      size_t rsp_cap, size_t *rsp_len)
{
	struct spdm_sock *s = priv;
	const uint8_t *body;
	size_t blen, flen;
	uint8_t type;

	TRY(mctp_msg_decode(s->ctx, req, req_len, &type, &body, &blen));
	TRY(client_roundtrip(s, SPDM_SOCK_CMD_NORMAL, req, req_len, &flen));
	/* the channel checks the answer with the same codec (mctp_exchange()) */
	if (flen > rsp_cap)
		return doe_err(s->ctx, -EMSGSIZE, "socket: MCTP answer of %zu bytes exceeds the "
			       "%zu-byte buffer", flen, rsp_cap);
	memcpy(rsp, s->frame, flen);
	*rsp_len = flen;
	return 0;
}

static const struct mctp_chan_ops sock_chan_ops = { .exchange = sock_chan_exchange };

int spdm_sock_mctp_chan(struct spdm_sock *s, struct mctp_chan **out)
{
	if (s->trans != SPDM_SOCK_TRANS_MCTP)
		return doe_err(s->ctx, -EINVAL, "%s: an MCTP channel needs the mctp transport, "
			       "not %s", s->name, spdm_sock_trans_name(s->trans));
	return mctp_chan_new(s->ctx, &sock_chan_ops, s, s->name, out);
}

/* NONE: bare SPDM, no secured messages (nothing could mark them) */
static const struct spdm_transport_ops sock_ops_none = { .exchange = sock_ops_exchange,
							 .align = 1 };
/* MCTP: secured messages are MCTP type 0x06, with DSP0275's record layer */
static const struct spdm_transport_ops sock_ops_mctp = {
	.exchange = sock_ops_exchange,
	.align = 1,
	.exchange_secured = sock_ops_secured,
	.binding = SPDM_BINDING_MCTP,
};
/* PCI_DOE: secured messages are data objects of type 2 (DSP0277 over DOE) */
static const struct spdm_transport_ops sock_ops_doe = {
	.exchange = sock_ops_exchange,
	.align = 4,
	.exchange_secured = sock_ops_secured,
	.binding = SPDM_BINDING_DOE,
};

const struct spdm_transport_ops *spdm_transport_socket(const struct spdm_sock *s)
{
	/* PCI_DOE pads to a DW; the requester learns that from align */
	switch (s->trans) {
	case SPDM_SOCK_TRANS_PCI_DOE:
		return &sock_ops_doe;
	case SPDM_SOCK_TRANS_MCTP:
		return &sock_ops_mctp;
	default:
		return &sock_ops_none;
	}
}

/* ---- server ------------------------------------------------------------ */

struct spdm_sock_listener {
	struct doe_ctx *ctx;
	int fd;
	uint16_t port;
	uint8_t in[SPDM_SOCK_MAX_PAYLOAD];
	uint8_t msg[SPDM_SOCK_MAX_PAYLOAD];
	uint8_t out[SPDM_SOCK_MAX_PAYLOAD];
};

int spdm_sock_listen(struct doe_ctx *ctx, const char *addr, struct spdm_sock_listener **out)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addrinfo *res;
	struct spdm_sock_listener *l;
	int fd, one = 1, e;

	TRY(resolve(ctx, addr, true, &res));
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0) {
		e = errno;
		freeaddrinfo(res);
		return doe_err(ctx, -e, "%s: socket: %s", addr, strerror(e));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 32) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		e = errno;
		freeaddrinfo(res);
		close(fd);
		return doe_err(ctx, -e, "cannot listen on %s: %s", addr, strerror(e));
	}
	freeaddrinfo(res);
	l = calloc(1, sizeof(*l));
	if (!l) {
		close(fd);
		return doe_err(ctx, -ENOMEM, "out of memory");
	}
	l->ctx = ctx;
	l->fd = fd;
	l->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	*out = l;
	return 0;
}

uint16_t spdm_sock_listener_port(const struct spdm_sock_listener *l)
{
	return l->port;
}

void spdm_sock_listener_close(struct spdm_sock_listener *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l);
}

/* DOE Discovery over the socket (PCI_DOE): Discovery, CMA, [secured CMA]. */
static int answer_discovery(struct spdm_sock_listener *l, const struct spdm_sock_server *srv,
			    const uint8_t *req, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	const uint8_t types[] = { DOE_TYPE_DISCOVERY, DOE_TYPE_CMA, DOE_TYPE_SECURED_CMA };
	size_t n = srv->secured ? 3 : 2;
	struct doe_rd r;
	uint8_t index;

	doe_rd_init(&r, req, len);
	if (doe_rd_u8(&r, &index))
		return doe_err(l->ctx, -EBADMSG, "Discovery request without an index");
	if (index >= n)
		return doe_err(l->ctx, -EINVAL, "Discovery index %u out of range", index);
	rsp[0] = (uint8_t)DOE_VENDOR_PCISIG;
	rsp[1] = (uint8_t)(DOE_VENDOR_PCISIG >> 8);
	rsp[2] = types[index];
	rsp[3] = (uint8_t)((size_t)index + 1 < n ? index + 1 : 0);
	*rsp_len = 4;
	return 0;
}

/* A handler for what the transport carries: SPDM, or (MCTP) other types. */
static bool srv_valid(const struct spdm_sock_server *srv)
{
	return srv && (unsigned int)srv->trans <= SPDM_SOCK_TRANS_PCI_DOE &&
	       (srv->handler || (srv->trans == SPDM_SOCK_TRANS_MCTP && srv->mctp_handler));
}

/* What the server does with a frame: the answer, and what comes after. */
enum reply_then { THEN_READ, THEN_CLOSE, THEN_SHUTDOWN };

struct reply {
	uint32_t cmd;
	const uint8_t *pl;	/* points into the listener's scratch or a constant */
	size_t len;
	enum reply_then then;
};

/* One NORMAL frame: unwrap, answer, wrap into l->out. */
static int answer_normal(struct spdm_sock_listener *l, const struct spdm_sock_server *srv,
			 void *priv, const uint8_t *in, size_t len, struct reply *r)
{
	enum spdm_sock_kind kind;
	const uint8_t *msg;
	size_t mlen, rlen = 0, wlen;
	uint8_t type;

	/* MCTP messages other than SPDM go whole to mctp_handler (FM-API, ...) */
	if (srv->trans == SPDM_SOCK_TRANS_MCTP && srv->mctp_handler) {
		TRY(mctp_msg_decode(l->ctx, in, len, &type, &msg, &mlen));
		if (type != MCTP_TYPE_SPDM && type != MCTP_TYPE_SECURED) {
			TRY(srv->mctp_handler(priv, in, len, l->out, sizeof(l->out), &rlen));
			if (rlen > sizeof(l->out))
				return doe_err(l->ctx, -EMSGSIZE, "MCTP handler answered %zu bytes",
					       rlen);
			/* its answer is a whole MCTP message too: checked like any */
			TRY(mctp_msg_decode(l->ctx, l->out, rlen, &type, &msg, &mlen));
			r->pl = l->out;
			r->len = rlen;
			return 0;
		}
	}
	TRY(spdm_sock_unwrap(l->ctx, srv->trans, in, len, &kind, &msg, &mlen));
	if (kind != SPDM_SOCK_DISCOVERY && !srv->handler)
		return doe_err(l->ctx, -EPROTO, "socket: this server answers no SPDM");
	if (kind == SPDM_SOCK_DISCOVERY)
		TRY(answer_discovery(l, srv, msg, mlen, l->msg, &rlen));
	else
		TRY(srv->handler(priv, kind, msg, mlen, l->msg, sizeof(l->msg) - 16, &rlen));
	TRY(spdm_sock_wrap(l->ctx, srv->trans, kind, l->msg, rlen, l->out, sizeof(l->out), &wlen));
	r->pl = l->out;
	r->len = wlen;
	return 0;
}

/* The answer to one whole frame from a client (both servers share it). */
static int answer_frame(struct spdm_sock_listener *l, const struct spdm_sock_server *srv,
			void *priv, uint32_t cmd, uint32_t trans, const uint8_t *in, size_t len,
			struct reply *r)
{
	*r = (struct reply){ .cmd = cmd, .then = THEN_READ };
	if (cmd == SPDM_SOCK_CMD_NORMAL && trans != (uint32_t)srv->trans)
		return doe_err(l->ctx, -EPROTO,
			       "socket: client uses transport %u, this server %u (%s)", trans,
			       (unsigned int)srv->trans, spdm_sock_trans_name(srv->trans));
	switch (cmd) {
	case SPDM_SOCK_CMD_NORMAL:
		return answer_normal(l, srv, priv, in, len, r);
	case SPDM_SOCK_CMD_TEST:
		r->pl = (const uint8_t *)server_hello;
		r->len = sizeof(server_hello);
		return 0;
	case SPDM_SOCK_CMD_SHUTDOWN:
		r->then = THEN_SHUTDOWN;
		return 0;
	case SPDM_SOCK_CMD_CONTINUE:
		r->then = THEN_CLOSE;
		return 0;
	default:
		r->cmd = SPDM_SOCK_CMD_UNKNOWN;
		return 0;
	}
}

static int serve_conn(struct spdm_sock_listener *l, const struct spdm_sock_server *srv, int fd)
{
	uint32_t idle = srv->idle_timeout_ms ? srv->idle_timeout_ms : DEFAULT_IDLE_MS;

	for (;;) {
		uint32_t cmd, trans;
		struct reply r;
		size_t len;
		int rc = recv_frame(l->ctx, fd, idle, &cmd, &trans, l->in, sizeof(l->in), &len);

		if (rc == -ENOTCONN)
			return 0;	/* the client closed between frames */
		if (rc)
			return rc;
		TRY(answer_frame(l, srv, srv->priv, cmd, trans, l->in, len, &r));
		TRY(send_frame(l->ctx, fd, r.cmd, trans, r.pl, r.len));
		if (r.then == THEN_SHUTDOWN)
			return 1;
		if (r.then == THEN_CLOSE)	/* keep the responder's state for the next client */
			return 2;
	}
}

int spdm_sock_serve(struct spdm_sock_listener *l, const struct spdm_sock_server *srv)
{
	uint32_t idle;
	int fd, rc;

	if (!srv_valid(srv))
		return doe_err(l->ctx, -EINVAL, "socket server: no handler or unknown transport");
	idle = srv->idle_timeout_ms ? srv->idle_timeout_ms : DEFAULT_IDLE_MS;
	/* EINTR is returned, not retried: a signal is how a server is stopped */
	fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return doe_err(l->ctx, -errno, "accept: %s", strerror(errno));
	set_nodelay(fd);
	/* a client that stops reading must not block our send() for ever */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO,
		   &(struct timeval){ .tv_sec = idle / 1000, .tv_usec = idle % 1000 * 1000 },
		   sizeof(struct timeval));
	rc = serve_conn(l, srv, fd);
	close(fd);
	if (rc != 2 && srv->reset)
		srv->reset(srv->priv);
	return rc == 2 ? 0 : rc;
}

/* ---- many clients: one poll() loop --------------------------------------- */

#define DEFAULT_MAX_CLIENTS 16u
#define DEFAULT_FRAME_MS 10000u
#define DEFAULT_LIFETIME_MS 300000u

/* One client of spdm_sock_run(). It is either reading a frame or writing
 * the answer to one, never both: the protocol is strictly one request,
 * one answer, so a client that does not read its answers stops being read
 * and its write deadline ends it. */
struct conn {
	int fd;
	unsigned int id;
	char peer[64];
	void *priv;		/* conn_open()'s, or srv->priv */
	bool writing;
	bool continued;		/* ended with CONTINUE (its answer written) */
	enum reply_then then;
	uint8_t hdr[SPDM_SOCK_HDR_LEN];
	size_t got;		/* bytes of the current frame, header included */
	uint32_t cmd, trans, size;
	uint8_t *in;		/* the frame's payload, size bytes */
	uint8_t *out;		/* the answer frame */
	size_t out_len, out_off;
	uint64_t born;		/* accept time */
	uint64_t since;		/* start of the current wait (idle, frame or write) */
};

struct run {
	struct spdm_sock_listener *l;
	const struct spdm_sock_server *srv;
	struct conn *conns;	/* max slots; fd < 0 is a free slot */
	unsigned int max, count, next_id;
	uint32_t idle_ms, frame_ms, life_ms;
	int shutdown;		/* 1 once a SHUTDOWN has been answered */
};

static void peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		} else if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		}
	}
	snprintf(buf, len, "%s:%u", host, port);
}

static void conn_end(struct run *run, struct conn *c)
{
	if (c->continued && run->srv->conn_open && run->srv->conn_continue)
		run->srv->conn_continue(run->srv->priv, c->priv);
	if (run->srv->conn_open && run->srv->conn_close)
		run->srv->conn_close(run->srv->priv, c->priv);
	close(c->fd);
	free(c->in);
	free(c->out);
	*c = (struct conn){ .fd = -1 };
	run->count--;
}

static void conn_drop(struct run *run, struct conn *c, const char *why)
{
	doe_log(run->l->ctx, DOE_LOG_WARN, "client %u (%s): dropped: %s", c->id, c->peer, why);
	conn_end(run, c);
}

/* Accepts what is pending; past max_clients a connection is closed at
 * once, so that the listen backlog cannot hold clients waiting unseen. */
static int accept_pending(struct run *run, uint64_t now)
{
	for (;;) {
		int fd = accept4(run->l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct conn *c = NULL;
		char peer[64];

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			if (errno == ECONNABORTED || errno == EPERM || errno == EPROTO)
				continue;	/* that client is gone; others may wait */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				doe_log(run->l->ctx, DOE_LOG_WARN, "accept: %s", strerror(errno));
				return 0;
			}
			return doe_err(run->l->ctx, -errno, "accept: %s", strerror(errno));
		}
		peer_name(fd, peer, sizeof(peer));
		if (run->count >= run->max) {
			doe_log(run->l->ctx, DOE_LOG_WARN,
				"client from %s: refused: %u clients connected, the maximum", peer,
				run->count);
			close(fd);
			continue;
		}
		for (unsigned int i = 0; i < run->max && !c; i++)
			if (run->conns[i].fd < 0)
				c = &run->conns[i];
		*c = (struct conn){ .fd = fd, .id = ++run->next_id, .priv = run->srv->priv,
				    .born = now, .since = now };
		memcpy(c->peer, peer, sizeof(peer));
		run->count++;
		set_nodelay(fd);
		if (run->srv->conn_open && run->srv->conn_open(run->srv->priv, &c->priv)) {
			doe_log(run->l->ctx, DOE_LOG_WARN, "client %u (%s): refused: %s", c->id,
				peer, doe_ctx_errmsg(run->l->ctx));
			/* conn_close is not owed for a failed open */
			close(c->fd);
			*c = (struct conn){ .fd = -1 };
			run->count--;
			continue;
		}
		doe_log(run->l->ctx, DOE_LOG_DEBUG, "client %u (%s): connected", c->id, peer);
	}
}

/* Frames the answer into c->out for writing. */
static int conn_queue(struct run *run, struct conn *c, const struct reply *r)
{
	c->out = malloc(SPDM_SOCK_HDR_LEN + r->len);
	if (!c->out)
		return doe_err(run->l->ctx, -ENOMEM, "out of memory");
	spdm_sock_hdr_encode(r->cmd, c->trans, (uint32_t)r->len, c->out);
	if (r->len)
		memcpy(c->out + SPDM_SOCK_HDR_LEN, r->pl, r->len);
	c->out_len = SPDM_SOCK_HDR_LEN + r->len;
	c->out_off = 0;
	c->then = r->then;
	c->writing = true;
	return 0;
}

/* Writes what the socket takes now; done once the answer is out. */
static int conn_write(struct run *run, struct conn *c, uint64_t now)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;	/* poll says when it takes more */
		if (n < 0)
			return doe_err(run->l->ctx, -errno, "socket write: %s", strerror(errno));
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->writing = false;
	c->got = 0;
	c->since = now;
	if (c->then == THEN_SHUTDOWN)
		run->shutdown = 1;
	c->continued = c->then == THEN_CLOSE;
	return c->then == THEN_READ ? 0 : 1;
}

/* Reads what has arrived of the current frame and answers it once whole.
 * Returns 1 when the client closed between frames. */
static int conn_read(struct run *run, struct conn *c, uint64_t now)
{
	struct doe_ctx *ctx = run->l->ctx;
	bool in_hdr = c->got < SPDM_SOCK_HDR_LEN;
	uint8_t *dst = in_hdr ? c->hdr + c->got : c->in + (c->got - SPDM_SOCK_HDR_LEN);
	size_t want = in_hdr ? SPDM_SOCK_HDR_LEN - c->got
			     : SPDM_SOCK_HDR_LEN + c->size - c->got;
	struct reply r;
	ssize_t n;

#ifdef TCP_QUICKACK
	/* as in read_full(): the emulators' four-piece frames wait for our ACK */
	setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
#endif
	n = recv(c->fd, dst, want, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n < 0)
		return doe_err(ctx, -errno, "socket read: %s", strerror(errno));
	if (n == 0) {
		if (!c->got)
			return 1;
		return doe_err(ctx, -ECONNRESET, "peer closed after %zu bytes of a frame", c->got);
	}
	if (!c->got)
		c->since = now;	/* the frame deadline runs from its first byte */
	c->got += (size_t)n;
	if (in_hdr && c->got == SPDM_SOCK_HDR_LEN) {
		TRY(spdm_sock_hdr_parse(ctx, c->hdr, SPDM_SOCK_HDR_LEN, SPDM_SOCK_MAX_PAYLOAD,
					&c->cmd, &c->trans, &c->size));
		free(c->in);
		/* allocated to the announced size only: idle clients cost little */
		c->in = malloc(c->size ? c->size : 1);
		if (!c->in)
			return doe_err(ctx, -ENOMEM, "out of memory");
	}
	if (c->got < SPDM_SOCK_HDR_LEN || c->got < SPDM_SOCK_HDR_LEN + c->size)
		return 0;
	TRY(answer_frame(run->l, run->srv, c->priv, c->cmd, c->trans, c->in, c->size, &r));
	free(c->in);
	c->in = NULL;
	TRY(conn_queue(run, c, &r));
	c->since = now;	/* the write deadline runs from here */
	return conn_write(run, c, now);
}

/* When the connection's current wait ends, and what to call it then. */
static uint64_t conn_deadline(const struct run *run, const struct conn *c, char *why, size_t len)
{
	uint64_t life = c->born + run->life_ms, d;

	if (c->writing) {
		d = c->since + run->frame_ms;
		snprintf(why, len, "did not take its answer within %u ms", run->frame_ms);
	} else if (c->got) {
		d = c->since + run->frame_ms;
		snprintf(why, len, "no whole frame within %u ms", run->frame_ms);
	} else {
		d = c->since + run->idle_ms;
		snprintf(why, len, "idle for %u ms", run->idle_ms);
	}
	if (life <= d) {
		d = life;
		snprintf(why, len, "connected for %u ms, the longest allowed", run->life_ms);
	}
	return d;
}

static void run_close_all(struct run *run)
{
	for (unsigned int i = 0; i < run->max; i++)
		if (run->conns[i].fd >= 0)
			conn_end(run, &run->conns[i]);
}

/* One poll() round: wait for I/O or the nearest deadline, then serve. */
static int run_round(struct run *run, struct pollfd *pfd, unsigned int *slot)
{
	const struct spdm_sock_server *srv = run->srv;
	uint64_t now = mono_ms(), next = UINT64_MAX;
	unsigned int n = 0, base;
	char why[96];
	int rc, timeout;

	pfd[n++] = (struct pollfd){ .fd = run->l->fd, .events = POLLIN };
	if (srv->stop_fd > 0)
		pfd[n++] = (struct pollfd){ .fd = srv->stop_fd, .events = POLLIN };
	base = n;
	for (unsigned int i = 0; i < run->max; i++) {
		struct conn *c = &run->conns[i];

		if (c->fd < 0)
			continue;
		slot[n] = i;
		pfd[n++] = (struct pollfd){ .fd = c->fd, .events = c->writing ? POLLOUT : POLLIN };
		uint64_t d = conn_deadline(run, c, why, sizeof(why));

		if (d < next)
			next = d;
	}
	timeout = next == UINT64_MAX ? -1 : next <= now ? 0
		  : next - now > INT32_MAX ? INT32_MAX : (int)(next - now);
	rc = poll(pfd, n, timeout);
	if (rc < 0 && errno == EINTR)
		return 0;	/* the stop descriptor, not EINTR, says whether to stop */
	if (rc < 0)
		return doe_err(run->l->ctx, -errno, "poll: %s", strerror(errno));
	now = mono_ms();
	if (srv->stop_fd > 0 && pfd[1].revents)
		return 2;
	for (unsigned int k = base; k < n; k++) {
		struct conn *c = &run->conns[slot[k]];

		if (pfd[k].revents) {
			rc = c->writing ? conn_write(run, c, now) : conn_read(run, c, now);
			if (rc < 0) {
				conn_drop(run, c, doe_ctx_errmsg(run->l->ctx));
				doe_ctx_clear_error(run->l->ctx);
				continue;
			}
			if (rc > 0) {
				doe_log(run->l->ctx, DOE_LOG_DEBUG, "client %u (%s): closed", c->id,
					c->peer);
				conn_end(run, c);
				continue;
			}
			if (run->shutdown)
				return 1;
		}
		if (conn_deadline(run, c, why, sizeof(why)) <= now)
			conn_drop(run, c, why);
	}
	if (run->shutdown)
		return 1;
	/* accepted last, so that a new client's deadline starts after this round */
	if (pfd[0].revents)
		TRY(accept_pending(run, now));
	return 0;
}

int spdm_sock_run(struct spdm_sock_listener *l, const struct spdm_sock_server *srv)
{
	struct run run = { .l = l, .srv = srv };
	struct pollfd *pfd = NULL;
	unsigned int *slot = NULL;
	int flags, rc = 0;

	if (!srv_valid(srv))
		return doe_err(l->ctx, -EINVAL, "socket server: no handler or unknown transport");
	run.max = srv->max_clients ? srv->max_clients : DEFAULT_MAX_CLIENTS;
	run.idle_ms = srv->idle_timeout_ms ? srv->idle_timeout_ms : DEFAULT_IDLE_MS;
	run.frame_ms = srv->frame_timeout_ms ? srv->frame_timeout_ms : DEFAULT_FRAME_MS;
	run.life_ms = srv->lifetime_ms ? srv->lifetime_ms : DEFAULT_LIFETIME_MS;
	run.conns = calloc(run.max, sizeof(*run.conns));
	pfd = calloc((size_t)run.max + 2, sizeof(*pfd));
	slot = calloc((size_t)run.max + 2, sizeof(*slot));
	if (!run.conns || !pfd || !slot) {
		rc = doe_err(l->ctx, -ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < run.max; i++)
		run.conns[i].fd = -1;
	/* accept only after poll() said so, and never wait in it: the client
	 * may have gone in between */
	flags = fcntl(l->fd, F_GETFL);
	if (flags < 0 || fcntl(l->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		rc = doe_err(l->ctx, -errno, "listener: fcntl: %s", strerror(errno));
		goto out;
	}
	while (!(rc = run_round(&run, pfd, slot)))
		;
	if (rc == 2)
		rc = 0;
	run_close_all(&run);
	fcntl(l->fd, F_SETFL, flags);	/* spdm_sock_serve() expects to block */
out:
	free(slot);
	free(pfd);
	free(run.conns);
	return rc;
}
