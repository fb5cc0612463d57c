/* SPDX-License-Identifier: MIT */
/*
 * A scripted kernel for the AF_MCTP carrier (struct mctp_sys_ops), after
 * libnvme's test/mi-mctp.c: socket() and sendto() results are set up front,
 * and what poll() and recvfrom() see is a list of events consumed in order.
 * Shared by tests/test_mctp.c and fuzz/fuzz_mctp.c.
 */
#ifndef DOEKIT_TESTS_MCTP_DOUBLE_H
#define DOEKIT_TESTS_MCTP_DOUBLE_H

#include <errno.h>
#include <string.h>

#include <doekit/mctp.h>
#include "mctp_abi.h"

enum mctp_ev_kind {
	EV_DGRAM,		/* poll: ready; recvfrom: this datagram */
	EV_EMPTY,		/* poll: ready; recvfrom: 0 bytes, no address */
	EV_POLL_TIMEOUT,	/* poll returns 0 */
	EV_POLL_EINTR,		/* poll fails with EINTR */
	EV_RECV_EINTR,		/* poll: ready; recvfrom fails with EINTR */
	EV_RECV_EAGAIN,		/* poll: ready; recvfrom fails with EAGAIN */
	EV_RECV_ERR,		/* poll: ready; recvfrom fails with err */
};

struct mctp_ev {
	enum mctp_ev_kind kind;
	uint8_t eid, type, tag;
	uint32_t net;
	const uint8_t *body;	/* the message after its type byte */
	size_t len;
	int err;
};

struct mctp_double {
	int socket_errno;	/* socket() fails with this (0: succeeds) */
	int send_errno;		/* sendto() fails with this (0: succeeds) */
	int send_eintr;		/* this many EINTRs before sendto's result */
	const struct mctp_ev *ev;
	size_t nev, next;
	/* what the carrier did */
	int sockets, closes, polls, sends;
	int last_poll_timeout;
	struct doe_sockaddr_mctp sent_to;
	uint8_t sent[512];
	size_t sent_len;
	int socket_type;
};

static int dbl_socket(void *priv, int domain, int type, int protocol)
{
	struct mctp_double *d = priv;

	if (d->socket_errno) {
		errno = d->socket_errno;
		return -1;
	}
	if (domain != MCTP_AF || protocol != 0) {
		errno = EINVAL;
		return -1;
	}
	d->socket_type = type;
	return 100 + d->sockets++;
}

static ssize_t dbl_sendto(void *priv, int fd, const void *buf, size_t len, int flags,
			  const struct sockaddr *addr, socklen_t addrlen)
{
	struct mctp_double *d = priv;

	(void)fd;
	(void)flags;
	if (d->send_eintr) {
		d->send_eintr--;
		errno = EINTR;
		return -1;
	}
	if (d->send_errno) {
		errno = d->send_errno;
		return -1;
	}
	if (addrlen != sizeof(d->sent_to)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&d->sent_to, addr, sizeof(d->sent_to));
	d->sent_len = len < sizeof(d->sent) ? len : sizeof(d->sent);
	memcpy(d->sent, buf, d->sent_len);
	d->sends++;
	return (ssize_t)len;
}

static int dbl_poll(void *priv, struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct mctp_double *d = priv;

	(void)n;
	d->polls++;
	d->last_poll_timeout = timeout_ms;
	if (d->next >= d->nev)
		return 0;	/* nothing more will come: the time runs out */
	switch (d->ev[d->next].kind) {
	case EV_POLL_TIMEOUT:
		d->next++;
		return 0;
	case EV_POLL_EINTR:
		d->next++;
		errno = EINTR;
		return -1;
	default:
		fds[0].revents = POLLIN;
		return 1;
	}
}

static ssize_t dbl_recvfrom(void *priv, int fd, void *buf, size_t len, int flags,
			    struct sockaddr *addr, socklen_t *addrlen)
{
	struct mctp_double *d = priv;
	const struct mctp_ev *e;
	struct doe_sockaddr_mctp sa = { .smctp_family = MCTP_AF };

	(void)fd;
	if (d->next >= d->nev) {
		errno = EAGAIN;
		return -1;
	}
	e = &d->ev[d->next++];
	switch (e->kind) {
	case EV_RECV_EINTR:
		errno = EINTR;
		return -1;
	case EV_RECV_EAGAIN:
		errno = EAGAIN;
		return -1;
	case EV_RECV_ERR:
		errno = e->err;
		return -1;
	case EV_EMPTY:
		*addrlen = 0;	/* as Linux: no type byte, no address */
		return 0;
	default:
		break;
	}
	sa.smctp_network = e->net;
	sa.smctp_addr = e->eid;
	sa.smctp_type = e->type;
	sa.smctp_tag = e->tag;
	if (*addrlen >= sizeof(sa)) {
		memcpy(addr, &sa, sizeof(sa));
		*addrlen = sizeof(sa);
	}
	if (e->len && len)
		memcpy(buf, e->body, e->len < len ? e->len : len);
	/* MSG_TRUNC: the whole length, as net/mctp's recvmsg returns it */
	return (ssize_t)((flags & MSG_TRUNC) || e->len < len ? e->len : len);
}

static int dbl_close(void *priv, int fd)
{
	struct mctp_double *d = priv;

	(void)fd;
	d->closes++;
	return 0;
}

static const struct mctp_sys_ops mctp_double_ops = {
	.socket = dbl_socket,
	.sendto = dbl_sendto,
	.recvfrom = dbl_recvfrom,
	.poll = dbl_poll,
	.close = dbl_close,
};

#endif
