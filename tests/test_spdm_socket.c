// SPDX-License-Identifier: MIT
/*
 * The spdm-emu socket protocol: the frame and transport codecs, then a
 * requester attesting our responder over loopback TCP for each transport
 * (NONE, MCTP, PCI_DOE with Discovery), and what a bad peer gets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/spdm.h>
#include <doekit/spdm_socket.h>
#include "t.h"

static struct doe_ctx *ctx;

/* ---- codec ------------------------------------------------------------ */

static void t_hdr(void)
{
	uint8_t h[12];
	uint32_t cmd, trans, size;

	spdm_sock_hdr_encode(SPDM_SOCK_CMD_NORMAL, SPDM_SOCK_TRANS_PCI_DOE, 0x123, h);
	/* all three fields big-endian (spdm-emu command.h) */
	const uint8_t want[12] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0x23 };
	T_MEMEQ(h, want, 12);
	T_EQ(spdm_sock_hdr_parse(ctx, h, 12, 4096, &cmd, &trans, &size), 0);
	T_EQ(cmd, 1);
	T_EQ(trans, 2);
	T_EQ(size, 0x123);
	T_EQ(spdm_sock_hdr_parse(ctx, h, 11, 4096, &cmd, &trans, &size), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "11 bytes, need 12");
	T_EQ(spdm_sock_hdr_parse(ctx, h, 12, 0x122, &cmd, &trans, &size), -EMSGSIZE);
	T_CONTAINS(doe_ctx_errmsg(ctx), "payload size 291 exceeds the 290-byte limit");
}

static void t_wrap_unwrap(void)
{
	const uint8_t msg[5] = { 0x12, 0x84, 0, 0, 9 };
	uint8_t out[64];
	enum spdm_sock_kind kind;
	const uint8_t *m;
	size_t len, mlen;

	T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_NONE, SPDM_SOCK_SPDM, msg, 5, out, 64, &len), 0);
	T_EQ(len, 5);
	T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_MCTP, SPDM_SOCK_SECURED, msg, 5, out, 64, &len), 0);
	T_EQ(len, 6);
	T_EQ(out[0], 0x06);
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_MCTP, out, len, &kind, &m, &mlen), 0);
	T_EQ(kind, SPDM_SOCK_SECURED);
	T_EQ(mlen, 5);
	T_MEMEQ(m, msg, 5);
	/* PCI_DOE: two header DWs, payload padded to 8 bytes, Length 4 DW */
	T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_PCI_DOE, SPDM_SOCK_SPDM, msg, 5, out, 64, &len), 0);
	T_EQ(len, 16);
	T_EQ(doe_get_le32(out), 0x00010001u);
	T_EQ(doe_get_le32(out + 4), 4);
	T_EQ(out[13] | out[14] | out[15], 0);
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_PCI_DOE, out, len, &kind, &m, &mlen), 0);
	T_EQ(kind, SPDM_SOCK_SPDM);
	T_EQ(mlen, 8);	/* the padding stays: SPDM's align rule deals with it */
	/* too small for the frame */
	T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_PCI_DOE, SPDM_SOCK_SPDM, msg, 5, out, 15, &len),
	     -EMSGSIZE);
	T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_NONE, SPDM_SOCK_DISCOVERY, msg, 5, out, 64, &len),
	     -EINVAL);
}

static void t_unwrap_bad(void)
{
	uint8_t b[16] = { 0x01, 0x00, 0x01, 0x00, 4, 0, 0, 0 };
	enum spdm_sock_kind kind;
	const uint8_t *m;
	size_t mlen;

	/* Length says 4 DW, frame has 12 bytes */
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_PCI_DOE, b, 12, &kind, &m, &mlen), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "Length field says 4 DW, the frame holds 12 bytes");
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_PCI_DOE, b, 7, &kind, &m, &mlen), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "shorter than its header");
	b[0] = 0x98, b[1] = 0x1E, b[2] = 2;	/* CXL Table Access is not for us */
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_PCI_DOE, b, 16, &kind, &m, &mlen), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "[vendor 1e98, type 02]");
	b[0] = 0x01;
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_MCTP, b, 0, &kind, &m, &mlen), -EBADMSG);
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_MCTP, b, 4, &kind, &m, &mlen), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "MCTP message type 0x01 is not SPDM");
	T_EQ(spdm_sock_unwrap(ctx, (enum spdm_sock_trans)7, b, 4, &kind, &m, &mlen), -EINVAL);
}

static void t_trans_names(void)
{
	enum spdm_sock_trans t;

	T_EQ(spdm_sock_trans_parse("pci-doe", &t), 0);
	T_EQ(t, SPDM_SOCK_TRANS_PCI_DOE);
	T_STREQ(spdm_sock_trans_name(SPDM_SOCK_TRANS_MCTP), "mctp");
	T_EQ(spdm_sock_trans_parse("tcp", &t), -EINVAL);
}

/* ---- server in a thread ---------------------------------------------- */

struct server {
	struct spdm_sock_listener *l;
	struct spdm_sock_server srv;
	struct spdm_rsp *rsp;
	struct doe_ctx *ctx;	/* the server thread's own */
	int results[4];
	char msgs[4][256];	/* the reason each connection ended */
	int n;
	pthread_t th;
};

static _Alignas(16) uint8_t rsp_mem[SPDM_RESPONDER_CTX_SIZE];
static struct spdm_identity *id;

static int handle(void *priv, enum spdm_sock_kind kind, const uint8_t *req, size_t len,
		  uint8_t *rsp, size_t cap, size_t *rlen)
{
	struct server *s = priv;

	if (kind != SPDM_SOCK_SPDM)
		return -EPROTO;
	return spdm_rsp_handle(s->rsp, req, len, rsp, cap, rlen);
}

static void *serve_thread(void *arg)
{
	struct server *s = arg;

	/* serve until SHUTDOWN or n connections */
	while (s->n < 4) {
		int rc = spdm_sock_serve(s->l, &s->srv);

		doe_ctx_errmsg_copy(s->ctx, s->msgs[s->n], sizeof(s->msgs[0]));
		doe_ctx_clear_error(s->ctx);
		s->results[s->n++] = rc;
		if (rc == 1)
			break;
	}
	return NULL;
}

static int server_start_idle(struct server *s, enum spdm_sock_trans t, uint32_t idle_ms)
{
	struct spdm_rsp_config cfg;

	memset(s, 0, sizeof(*s));
	if (doe_ctx_new(&s->ctx))
		return -ENOMEM;
	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	if (t == SPDM_SOCK_TRANS_PCI_DOE)
		cfg.req_align = 4;
	if (spdm_rsp_init(rsp_mem, sizeof(rsp_mem), s->ctx, &cfg, &s->rsp))
		return -EIO;
	if (spdm_sock_listen(s->ctx, "127.0.0.1:0", &s->l))
		return -EIO;
	s->srv = (struct spdm_sock_server){ .trans = t, .handler = handle, .priv = s,
					    .idle_timeout_ms = idle_ms };
	return pthread_create(&s->th, NULL, serve_thread, s) ? -EIO : 0;
}

static int server_start(struct server *s, enum spdm_sock_trans t)
{
	return server_start_idle(s, t, 2000);
}

static void server_stop(struct server *s)
{
	pthread_join(s->th, NULL);
	spdm_sock_listener_close(s->l);
	spdm_rsp_fini(s->rsp);
	doe_ctx_free(s->ctx);
}

static void addr_of(const struct server *s, char *buf, size_t len)
{
	snprintf(buf, len, "127.0.0.1:%u", spdm_sock_listener_port(s->l));
}

static _Alignas(16) uint8_t req_mem[SPDM_REQUESTER_CTX_SIZE];
static uint8_t chain_buf[8192], meas_buf[4096], rsp_buf[4096];

static int attest_over(struct spdm_sock *sk, struct spdm_result *res)
{
	struct spdm_req_policy pol;
	struct spdm_req *req;
	int rc;

	spdm_req_policy_init(&pol);
	pol.chain_buf = chain_buf;
	pol.chain_cap = sizeof(chain_buf);
	pol.meas_buf = meas_buf;
	pol.meas_cap = sizeof(meas_buf);
	rc = spdm_req_init(req_mem, sizeof(req_mem), ctx, &pol, &req);
	if (rc)
		return rc;
	rc = spdm_req_run(req, spdm_transport_socket(sk), sk, rsp_buf, sizeof(rsp_buf), 0);
	*res = *spdm_req_result(req);
	spdm_req_fini(req);
	return rc;
}

/* A whole attestation over each framing, then TEST and SHUTDOWN. */
static void attest_transport(enum spdm_sock_trans t)
{
	struct spdm_result res = { 0 };
	struct spdm_sock *sk;
	struct server s;
	char addr[64];

	T_EQ(server_start(&s, t), 0);
	addr_of(&s, addr, sizeof(addr));
	T_EQ(spdm_sock_connect(ctx, addr, t, 5000, &sk), 0);
	T_EQ(spdm_sock_hello(sk), 0);
	T_EQ(attest_over(sk, &res), 0);
	T_EQ(res.version, SPDM_V13);
	T_TRUE(res.chain_verified);
	T_TRUE(res.challenge_verified);
	T_TRUE(res.meas_verified);
	T_EQ(spdm_sock_continue(sk), 0);	/* the server waits for the next client */
	spdm_sock_close(sk);
	T_EQ(spdm_sock_connect(ctx, addr, t, 5000, &sk), 0);
	T_EQ(attest_over(sk, &res), 0);
	T_EQ(spdm_sock_shutdown(sk), 0);
	spdm_sock_close(sk);
	server_stop(&s);
	T_EQ(s.n, 2);
	T_EQ(s.results[0], 0);	/* CONTINUE */
	T_EQ(s.results[1], 1);	/* SHUTDOWN */
}

static void t_attest_none(void) { attest_transport(SPDM_SOCK_TRANS_NONE); }
static void t_attest_mctp(void) { attest_transport(SPDM_SOCK_TRANS_MCTP); }
static void t_attest_pci_doe(void) { attest_transport(SPDM_SOCK_TRANS_PCI_DOE); }

/* Raw client: send bytes, read what comes back. */
static int raw_connect(const struct server *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(spdm_sock_listener_port(s->l)) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static ssize_t raw_read_all(int fd, uint8_t *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap && (n = recv(fd, buf + got, cap - got, 0)) > 0)
		got += (size_t)n;
	return (ssize_t)got;
}

/* Discovery over PCI_DOE lists Discovery and CMA; an unknown command gets
 * UNKNOWN; an oversized frame ends the connection (and the server goes on
 * to the next one). */
static void t_server_bad_peers(void)
{
	struct server s;
	uint8_t f[64], r[64];
	uint32_t cmd, trans, size;
	int fd;

	T_EQ(server_start(&s, SPDM_SOCK_TRANS_PCI_DOE), 0);
	/* Discovery index 0 */
	fd = raw_connect(&s);
	T_TRUE(fd >= 0);
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_NORMAL, 2, 12, f);
	doe_put_le32(f + 12, DOE_HDR1(1, 0));
	doe_put_le32(f + 16, 3);
	doe_put_le32(f + 20, 0);
	T_EQ(send(fd, f, 24, 0), 24);
	/* unknown command 0x1234 */
	spdm_sock_hdr_encode(0x1234, 2, 0, f);
	T_EQ(send(fd, f, 12, 0), 12);
	shutdown(fd, SHUT_WR);
	T_EQ(raw_read_all(fd, r, sizeof(r)), 24 + 12);
	T_EQ(spdm_sock_hdr_parse(ctx, r, 12, 64, &cmd, &trans, &size), 0);
	T_EQ(cmd, SPDM_SOCK_CMD_NORMAL);
	T_EQ(size, 12);
	T_EQ(doe_get_le32(r + 12), DOE_HDR1(1, 0));
	T_EQ(doe_get_le32(r + 20), 0x01000001u);	/* Discovery, next index 1 */
	T_EQ(spdm_sock_hdr_parse(ctx, r + 24, 12, 64, &cmd, &trans, &size), 0);
	T_EQ(cmd, SPDM_SOCK_CMD_UNKNOWN);
	close(fd);
	/* a frame claiming 16 MiB: dropped, nothing answered */
	fd = raw_connect(&s);
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_NORMAL, 2, 16u << 20, f);
	T_EQ(send(fd, f, 12, 0), 12);
	T_EQ(raw_read_all(fd, r, sizeof(r)), 0);
	close(fd);
	/* a DOE object whose Length lies: dropped too */
	fd = raw_connect(&s);
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_NORMAL, 2, 12, f);
	doe_put_le32(f + 12, DOE_HDR1(1, 1));
	doe_put_le32(f + 16, 9);
	T_EQ(send(fd, f, 24, 0), 24);
	T_EQ(raw_read_all(fd, r, sizeof(r)), 0);
	close(fd);
	/* then a well-behaved SHUTDOWN still works */
	fd = raw_connect(&s);
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_SHUTDOWN, 2, 0, f);
	T_EQ(send(fd, f, 12, 0), 12);
	T_EQ(raw_read_all(fd, r, sizeof(r)), 12);
	close(fd);
	server_stop(&s);
	T_EQ(s.n, 4);
	T_EQ(s.results[0], 0);
	T_EQ(s.results[1], -EMSGSIZE);
	T_EQ(s.results[2], -EBADMSG);
	T_EQ(s.results[3], 1);
	T_CONTAINS(s.msgs[1], "payload size 16777216 exceeds");
	T_CONTAINS(s.msgs[2], "Length field says 9 DW, the frame holds 12 bytes");
}

/* A client that sends its frame a byte at a time, slower than the idle
 * timeout allows for the whole frame: the server gives up on it in time. */
static void t_server_trickle(void)
{
	struct server s;
	uint8_t f[12];
	int fd;

	T_EQ(server_start_idle(&s, SPDM_SOCK_TRANS_NONE, 300), 0);
	fd = raw_connect(&s);
	T_TRUE(fd >= 0);
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_TEST, 0, 0, f);
	for (int i = 0; i < 12; i++) {
		struct timespec ts = { 0, 60 * 1000 * 1000 };

		if (send(fd, f + i, 1, MSG_NOSIGNAL) != 1)
			break;	/* the server already dropped us */
		nanosleep(&ts, NULL);
	}
	close(fd);
	fd = raw_connect(&s);	/* then SHUTDOWN ends the server */
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_SHUTDOWN, 0, 0, f);
	T_EQ(send(fd, f, 12, 0), 12);
	close(fd);
	server_stop(&s);
	T_EQ(s.results[0], -ETIMEDOUT);
	T_CONTAINS(s.msgs[0], "no data within 300 ms");
}

/* A server that accepts and never answers: the client's wait is bounded. */
static void t_client_timeout(void)
{
	struct spdm_sock_listener *l;
	struct spdm_sock *sk;
	uint8_t rsp[64];
	size_t rlen;
	char addr[64];
	const uint8_t get_version[4] = { 0x10, 0x84, 0, 0 };

	T_EQ(spdm_sock_listen(ctx, "127.0.0.1:0", &l), 0);
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%u", spdm_sock_listener_port(l));
	/* the kernel completes the handshake from the backlog; nobody reads */
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_NONE, 100, &sk), 0);
	T_EQ(spdm_sock_exchange(sk, get_version, 4, rsp, sizeof(rsp), &rlen), -ETIMEDOUT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "no data within 100 ms");
	spdm_sock_close(sk);
	spdm_sock_listener_close(l);
}

static void t_connect_errors(void)
{
	struct spdm_sock *sk;

	T_EQ(spdm_sock_connect(ctx, "localhost", SPDM_SOCK_TRANS_NONE, 100, &sk), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "expected HOST:PORT");
	T_EQ(spdm_sock_connect(ctx, "[::1:5", SPDM_SOCK_TRANS_NONE, 100, &sk), -EINVAL);
	/* port 1 on loopback: refused */
	T_TRUE(spdm_sock_connect(ctx, "127.0.0.1:1", SPDM_SOCK_TRANS_NONE, 100, &sk) < 0);
	T_CONTAINS(doe_ctx_errmsg(ctx), "127.0.0.1:1");
}

int main(void)
{
	if (doe_ctx_new(&ctx) || spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P256, NULL, &id)) {
		fprintf(stderr, "setup: %s\n", ctx ? doe_ctx_errmsg(ctx) : "no memory");
		return 1;
	}
	T_RUN(t_hdr);
	T_RUN(t_wrap_unwrap);
	T_RUN(t_unwrap_bad);
	T_RUN(t_trans_names);
	T_RUN(t_attest_none);
	T_RUN(t_attest_mctp);
	T_RUN(t_attest_pci_doe);
	T_RUN(t_server_bad_peers);
	T_RUN(t_server_trickle);
	T_RUN(t_client_timeout);
	T_RUN(t_connect_errors);
	spdm_identity_free(id);
	doe_ctx_free(ctx);
	return T_DONE();
}
