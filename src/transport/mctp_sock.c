// SPDX-License-Identifier: MIT
/*
 * MCTP over a Linux AF_MCTP datagram socket (net/mctp, Linux 5.15+): one
 * request/response exchange at a time with one endpoint, every system call
 * behind struct mctp_sys_ops so that tests can script the kernel.
 *
 * What the kernel does and we rely on (net/mctp/af_mctp.c, route.c):
 *  - sendto() takes the message body only; the kernel writes the type byte
 *    from smctp_type. recvfrom() is the mirror: the body in the buffer, the
 *    type in smctp_type. Our channel speaks whole messages (type first), so
 *    the type byte is split off on the way out and put back on the way in.
 *  - With MCTP_TAG_OWNER in smctp_tag the kernel allocates a tag for the
 *    peer and binds it to this socket; only messages from that peer with
 *    that tag (owner bit clear) are routed to an unbound socket like ours,
 *    and the tag is released when the answer is complete. Userspace does
 *    not learn the tag's value (only SIOCMCTPALLOCTAG, Linux 5.19+, would
 *    tell it), so it cannot compare the value itself: the kernel does. What
 *    we check is what the kernel leaves to us (source EID, network, owner
 *    bit, message type), and we close the socket after a failed exchange:
 *    closing drops its tags, so no late answer to a timed-out request can
 *    ever be read as the answer to the next one.
 *  - recvfrom() with MSG_TRUNC returns the message's real length, so an
 *    oversized answer is reported, not silently cut. A message without even
 *    a type byte comes back as 0 bytes with no address.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <doekit/mctp.h>
#include "internal.h"
#include "mctp_abi.h"

#define DEFAULT_TIMEOUT_MS 5000u

/* Why answers were dropped, for the timeout message. */
struct drops {
	unsigned int eid, net, owner, type, empty;
};

struct mctp_sock {
	struct doe_ctx *ctx;
	struct mctp_sys_ops sys;	/* NULL members filled with libc's */
	void *sys_priv;
	struct mctp_addr addr;
	uint32_t timeout_ms;
	int fd;				/* -1: closed after a failed exchange */
	char name[32];
};

/* ---- libc behind the seam ------------------------------------------------ */

static int libc_socket(void *priv, int domain, int type, int protocol)
{
	(void)priv;
	return socket(domain, type, protocol);
}

static ssize_t libc_sendto(void *priv, int fd, const void *buf, size_t len, int flags,
			   const struct sockaddr *addr, socklen_t addrlen)
{
	(void)priv;
	return sendto(fd, buf, len, flags, addr, addrlen);
}

static ssize_t libc_recvfrom(void *priv, int fd, void *buf, size_t len, int flags,
			     struct sockaddr *addr, socklen_t *addrlen)
{
	(void)priv;
	return recvfrom(fd, buf, len, flags, addr, addrlen);
}

static int libc_poll(void *priv, struct pollfd *fds, nfds_t n, int timeout_ms)
{
	(void)priv;
	return poll(fds, n, timeout_ms);
}

static int libc_close(void *priv, int fd)
{
	(void)priv;
	return close(fd);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the socket ------------------------------------------------------------ */

static int sock_open_fd(struct mctp_sock *m)
{
	int fd = m->sys.socket(m->sys_priv, MCTP_AF, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		m->fd = fd;
		return 0;
	}
	/* EAFNOSUPPORT: no net/mctp in this kernel (CONFIG_MCTP=n, or the
	 * module is not loaded and cannot be) */
	if (errno == EAFNOSUPPORT)
		return doe_err(m->ctx, -EAFNOSUPPORT, "%s: this kernel has no MCTP support "
			       "(AF_MCTP, CONFIG_MCTP)", m->name);
	return doe_err(m->ctx, -errno, "%s: socket(AF_MCTP): %s", m->name, strerror(errno));
}

static void sock_close_fd(struct mctp_sock *m)
{
	if (m->fd >= 0)
		m->sys.close(m->sys_priv, m->fd);
	m->fd = -1;
}

static int send_request(struct mctp_sock *m, uint8_t type, const uint8_t *body, size_t len)
{
	struct doe_sockaddr_mctp sa = {
		.smctp_family = MCTP_AF,
		.smctp_network = m->addr.net,
		.smctp_addr = m->addr.eid,
		.smctp_type = type,
		.smctp_tag = MCTP_TAG_OWNER_BIT,	/* the kernel allocates the tag */
	};
	ssize_t n;

	do
		n = m->sys.sendto(m->sys_priv, m->fd, body, len, 0, (const struct sockaddr *)&sa,
				  sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;

		if (e == EHOSTUNREACH || e == ENETUNREACH)
			return doe_err(m->ctx, -e, "%s: no route to EID %u (%s; see 'mctp route' and "
				       "'mctp neigh')", m->name, m->addr.eid, strerror(e));
		if (e == EACCES || e == EPERM)
			return doe_err(m->ctx, -e, "%s: sending on AF_MCTP needs CAP_NET_RAW on this "
				       "kernel (%s)", m->name, strerror(e));
		return doe_err(m->ctx, -e, "%s: sendto: %s", m->name, strerror(e));
	}
	if ((size_t)n != len)
		return doe_err(m->ctx, -EIO, "%s: sendto took %zd of %zu bytes", m->name, n, len);
	return 0;
}

/* Is this datagram the answer? Counts it in d when not. */
static bool is_answer(const struct mctp_sock *m, const struct doe_sockaddr_mctp *sa,
		      socklen_t salen, uint8_t type, struct drops *d)
{
	if (salen < (socklen_t)sizeof(*sa)) {
		d->empty++;	/* no type byte, so no address either */
		return false;
	}
	if (sa->smctp_addr != m->addr.eid) {
		d->eid++;
		return false;
	}
	/* MCTP_NET_ANY: the kernel's default network, whose number we do not know */
	if (m->addr.net != MCTP_NET_ANY && sa->smctp_network != m->addr.net) {
		d->net++;
		return false;
	}
	/* DSP0236 §8.4: a response has Tag Owner clear; set, it is a request
	 * of the peer's own, not our answer */
	if (sa->smctp_tag & MCTP_TAG_OWNER_BIT) {
		d->owner++;
		return false;
	}
	if (sa->smctp_type != type) {
		d->type++;
		return false;
	}
	return true;
}

static int timed_out(struct mctp_sock *m, const struct drops *d)
{
	unsigned int n = d->eid + d->net + d->owner + d->type + d->empty;

	if (!n)
		return doe_err(m->ctx, -ETIMEDOUT, "%s: no answer within %u ms", m->name,
			       m->timeout_ms);
	return doe_err(m->ctx, -ETIMEDOUT, "%s: no answer within %u ms (%u message%s dropped: "
		       "%u from another EID, %u from another network, %u not a response, "
		       "%u of another type, %u empty)", m->name, m->timeout_ms, n,
		       n == 1 ? "" : "s", d->eid, d->net, d->owner, d->type, d->empty);
}

/* Waits for the answer until deadline; the body goes to rsp + 1. */
static int recv_answer(struct mctp_sock *m, uint8_t type, uint64_t deadline, uint8_t *rsp,
		       size_t cap, size_t *rsp_len)
{
	struct drops d = { 0 };

	for (;;) {
		struct pollfd p = { .fd = m->fd, .events = POLLIN };
		struct doe_sockaddr_mctp sa;
		socklen_t salen = sizeof(sa);
		uint64_t now = mono_ms();
		ssize_t n;
		int rc;

		if (now >= deadline)
			return timed_out(m, &d);
		rc = m->sys.poll(m->sys_priv, &p, 1, (int)(deadline - now));
		if (rc < 0 && errno == EINTR)
			continue;	/* within what is left of the deadline */
		if (rc < 0)
			return doe_err(m->ctx, -errno, "%s: poll: %s", m->name, strerror(errno));
		if (rc == 0)
			return timed_out(m, &d);
		memset(&sa, 0, sizeof(sa));
		/* MSG_TRUNC: the return value is the whole message's length */
		n = m->sys.recvfrom(m->sys_priv, m->fd, rsp + 1, cap - 1, MSG_DONTWAIT | MSG_TRUNC,
				    (struct sockaddr *)&sa, &salen);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0)
			return doe_err(m->ctx, -errno, "%s: recvfrom: %s", m->name, strerror(errno));
		if (!is_answer(m, &sa, salen, type, &d))
			continue;
		if ((size_t)n > cap - 1)
			return doe_err(m->ctx, -EMSGSIZE, "%s: answer of %zu bytes exceeds the %zu-byte "
				       "limit", m->name, (size_t)n + 1, cap);
		rsp[0] = sa.smctp_type;	/* the kernel took the type byte off */
		*rsp_len = (size_t)n + 1;
		return 0;
	}
}

static int sock_exchange(void *priv, const void *req, size_t req_len, void *rsp, size_t rsp_cap,
			 size_t *rsp_len)
{
	struct mctp_sock *m = priv;
	uint64_t deadline = mono_ms() + m->timeout_ms;
	const uint8_t *body;
	size_t blen;
	uint8_t type;
	int rc;

	TRY(mctp_msg_decode(m->ctx, req, req_len, &type, &body, &blen));
	if (rsp_cap < 1)
		return doe_err(m->ctx, -EMSGSIZE, "%s: no room for an answer", m->name);
	if (m->fd < 0)
		TRY(sock_open_fd(m));
	rc = send_request(m, type, body, blen);
	if (rc == 0)
		rc = recv_answer(m, type, deadline, rsp, rsp_cap, rsp_len);
	if (rc < 0)
		sock_close_fd(m);	/* its tag goes with it (see the top) */
	return rc;
}

static void sock_release(void *priv)
{
	struct mctp_sock *m = priv;

	sock_close_fd(m);
	free(m);
}

static const struct mctp_chan_ops sock_chan_ops = {
	.exchange = sock_exchange,
	.release = sock_release,
};

int mctp_sock_open(struct doe_ctx *ctx, const struct mctp_addr *addr,
		   const struct mctp_sys_ops *sys, void *sys_priv, uint32_t timeout_ms,
		   struct mctp_chan **out)
{
	struct mctp_sock *m;
	int rc;

	if (!addr || !out)
		return doe_err(ctx, -EINVAL, "mctp_sock_open: no address");
	if (addr->eid == 0 || addr->eid == MCTP_ADDR_ANY)
		return doe_err(ctx, -EINVAL, "EID %u is not an endpoint", addr->eid);
	m = calloc(1, sizeof(*m));
	if (!m)
		return doe_err(ctx, -ENOMEM, "out of memory");
	m->ctx = ctx;
	m->sys_priv = sys_priv;
	m->sys.socket = sys && sys->socket ? sys->socket : libc_socket;
	m->sys.sendto = sys && sys->sendto ? sys->sendto : libc_sendto;
	m->sys.recvfrom = sys && sys->recvfrom ? sys->recvfrom : libc_recvfrom;
	m->sys.poll = sys && sys->poll ? sys->poll : libc_poll;
	m->sys.close = sys && sys->close ? sys->close : libc_close;
	m->addr = *addr;
	m->timeout_ms = timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS;
	m->fd = -1;
	if (addr->net == MCTP_NET_ANY)
		snprintf(m->name, sizeof(m->name), "mctp:%u", addr->eid);
	else
		snprintf(m->name, sizeof(m->name), "mctp:%u,%u", addr->net, addr->eid);
	/* now, so that a kernel without MCTP is reported before anything else */
	rc = sock_open_fd(m);
	if (rc == 0)
		rc = mctp_chan_new(ctx, &sock_chan_ops, m, m->name, out);
	if (rc < 0) {
		sock_close_fd(m);
		free(m);
	}
	return rc;
}
