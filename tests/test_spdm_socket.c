// SPDX-License-Identifier: MIT
/*
 * The spdm-emu socket protocol: the frame and transport codecs, then a
 * requester attesting our responder over loopback TCP for each transport
 * (NONE, MCTP, PCI_DOE with Discovery), and what a bad peer gets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include <doekit/mctp.h>
#include <doekit/spdm.h>
#include <doekit/spdm_session.h>
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
	/* the MCTP codec's rules: SPDM never carries an integrity check
	 * (DSP0275), and no MCTP message exceeds MCTP_MSG_MAX */
	b[0] = 0x85;
	T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_MCTP, b, 4, &kind, &m, &mlen), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "carries an integrity check");
	{
		static uint8_t big[MCTP_MSG_MAX + 1] = { MCTP_TYPE_SPDM };

		T_EQ(spdm_sock_unwrap(ctx, SPDM_SOCK_TRANS_MCTP, big, sizeof(big), &kind, &m, &mlen),
		     -EMSGSIZE);
		T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_MCTP, SPDM_SOCK_SPDM, big, MCTP_MSG_MAX, big,
				    sizeof(big), &mlen), -EMSGSIZE);
	}
	b[0] = 0x01;
	T_EQ(spdm_sock_unwrap(ctx, (enum spdm_sock_trans)7, b, 4, &kind, &m, &mlen), -EINVAL);
}

/* NONE is bare SPDM: nothing on the wire could mark a record as secured,
 * so one must never leave unmarked for the peer to read as SPDM. */
static void t_wrap_none_secured(void)
{
	const uint8_t rec[8] = { 1, 0, 0, 0xff, 2, 0, 9, 9 };
	uint8_t out[64];
	size_t len = 0;

	T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_NONE, SPDM_SOCK_SECURED, rec, 8, out, 64, &len),
	     -EPROTONOSUPPORT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "need the MCTP or PCI_DOE transport");
	/* PCI_DOE: a secured message is a data object of type 2, vendor 1 */
	T_EQ(spdm_sock_wrap(ctx, SPDM_SOCK_TRANS_PCI_DOE, SPDM_SOCK_SECURED, rec, 8, out, 64, &len),
	     0);
	T_EQ(doe_get_le32(out), 0x00020001u);
	T_EQ(len, 16);
}

/* The ops follow the framing: the session binding and whether secured
 * messages travel at all (spdm-emu: MCTP type 0x06, DOE type 2). */
static void t_socket_ops(void)
{
	static const struct {
		const char *name;
		enum spdm_sock_trans t;
		bool secured;
		uint8_t binding, align;
	} cases[] = {
		{ "none carries no sessions", SPDM_SOCK_TRANS_NONE, false, 0, 1 },
		{ "mctp: MCTP binding", SPDM_SOCK_TRANS_MCTP, true, SPDM_BINDING_MCTP, 1 },
		{ "pci-doe: DOE binding", SPDM_SOCK_TRANS_PCI_DOE, true, SPDM_BINDING_DOE, 4 },
	};
	struct spdm_sock_listener *l;
	char addr[64];

	T_EQ(spdm_sock_listen(ctx, "127.0.0.1:0", &l), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", spdm_sock_listener_port(l));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spdm_sock *sk = NULL;
		const struct spdm_transport_ops *ops;

		t_case_name = cases[i].name;
		T_EQ(spdm_sock_connect(ctx, addr, cases[i].t, 1000, &sk), 0);
		if (!sk)
			continue;
		ops = spdm_transport_socket(sk);
		T_EQ(ops->exchange_secured != NULL, cases[i].secured);
		T_EQ(ops->binding, cases[i].binding);
		T_EQ(ops->align, cases[i].align);
		spdm_sock_close(sk);
	}
	spdm_sock_listener_close(l);
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
	/* the server's mctp_handler (server_start_mctp()) */
	int (*mctp)(void *priv, const uint8_t *msg, size_t len, uint8_t *rsp, size_t cap,
		    size_t *rsp_len);
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

static int server_start_mctp(struct server *s, enum spdm_sock_trans t, uint32_t idle_ms,
			     int (*mctp)(void *, const uint8_t *, size_t, uint8_t *, size_t,
					 size_t *));

static int server_start_idle(struct server *s, enum spdm_sock_trans t, uint32_t idle_ms)
{
	return server_start_mctp(s, t, idle_ms, NULL);
}

static int server_start_mctp(struct server *s, enum spdm_sock_trans t, uint32_t idle_ms,
			     int (*mctp)(void *, const uint8_t *, size_t, uint8_t *, size_t,
					 size_t *))
{
	struct spdm_rsp_config cfg;

	memset(s, 0, sizeof(*s));
	s->mctp = mctp;
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
					    .idle_timeout_ms = idle_ms, .mctp_handler = s->mctp };
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

/* ---- many clients: spdm_sock_run() in a thread -------------------------- */

/* A server as `doe emulate --listen` runs one: a responder per connection,
 * stopped through a pipe; what it logs is kept for the tests to read. */
struct runner {
	struct spdm_sock_listener *l;
	struct spdm_sock_server srv;
	struct spdm_rsp_config cfg;
	struct doe_ctx *ctx;	/* the server thread's own */
	int pipefd[2];
	int rc;
	pthread_mutex_t lock;	/* guards what follows: both threads use it */
	char log[8192];
	size_t log_len;
	int opened, closed;
	pthread_t th;
};

struct run_conn {
	_Alignas(16) uint8_t mem[SPDM_RESPONDER_CTX_SIZE];
	struct spdm_rsp *rsp;
};

static int run_handle(void *priv, enum spdm_sock_kind kind, const uint8_t *req, size_t len,
		      uint8_t *rsp, size_t cap, size_t *rlen)
{
	struct run_conn *c = priv;

	if (kind != SPDM_SOCK_SPDM)
		return -EPROTO;
	return spdm_rsp_handle(c->rsp, req, len, rsp, cap, rlen);
}

static int run_open(void *priv, void **conn_priv)
{
	struct runner *r = priv;
	struct run_conn *c = calloc(1, sizeof(*c));

	if (!c || spdm_rsp_init(c->mem, sizeof(c->mem), r->ctx, &r->cfg, &c->rsp)) {
		free(c);
		return -ENOMEM;
	}
	pthread_mutex_lock(&r->lock);
	r->opened++;
	pthread_mutex_unlock(&r->lock);
	*conn_priv = c;
	return 0;
}

static void run_close(void *priv, void *conn_priv)
{
	struct runner *r = priv;
	struct run_conn *c = conn_priv;

	spdm_rsp_fini(c->rsp);
	free(c);
	pthread_mutex_lock(&r->lock);
	r->closed++;
	pthread_mutex_unlock(&r->lock);
}

static void run_log(void *priv, int prio, const char *msg)
{
	struct runner *r = priv;

	(void)prio;
	pthread_mutex_lock(&r->lock);
	r->log_len += (size_t)snprintf(r->log + r->log_len, sizeof(r->log) - r->log_len, "%s\n",
				       msg);
	if (r->log_len >= sizeof(r->log))
		r->log_len = sizeof(r->log) - 1;
	pthread_mutex_unlock(&r->lock);
}

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->rc = spdm_sock_run(r->l, &r->srv);
	return NULL;
}

/* Starts a server; srv gives the limits (trans NONE unless set). */
static int runner_start(struct runner *r, const struct spdm_sock_server *limits)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	if (doe_ctx_new(&r->ctx) || pipe(r->pipefd))
		return -ENOMEM;
	doe_ctx_set_log(r->ctx, run_log, r, DOE_LOG_WARN);
	spdm_rsp_config_init(&r->cfg);
	spdm_identity_apply(id, &r->cfg);
	if (spdm_sock_listen(r->ctx, "127.0.0.1:0", &r->l))
		return -EIO;
	r->srv = *limits;
	r->srv.handler = run_handle;
	r->srv.priv = r;
	r->srv.conn_open = run_open;
	r->srv.conn_close = run_close;
	r->srv.stop_fd = r->pipefd[0];
	return pthread_create(&r->th, NULL, run_thread, r) ? -EIO : 0;
}

/* Stops the server (unless it stopped by itself); its return code. */
static int runner_stop(struct runner *r)
{
	T_EQ(write(r->pipefd[1], "x", 1), 1);
	pthread_join(r->th, NULL);
	T_EQ(r->opened, r->closed);	/* every connection's state was released */
	spdm_sock_listener_close(r->l);
	close(r->pipefd[0]);
	close(r->pipefd[1]);
	doe_ctx_free(r->ctx);
	pthread_mutex_destroy(&r->lock);
	return r->rc;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Whether the server logged a line with needle within ms (a bound on a
 * test that fails, not a speed requirement). */
static bool runner_logged(struct runner *r, const char *needle, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	bool found;

	do {
		pthread_mutex_lock(&r->lock);
		found = strstr(r->log, needle) != NULL;
		pthread_mutex_unlock(&r->lock);
		if (found)
			return true;
		sleep_ms(20);
	} while (now_ms() < end);
	fprintf(stderr, "log so far:\n%s", r->log);
	return false;
}

/* Whether n connections have ended within ms. */
static bool runner_closed(struct runner *r, int n, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	bool done;

	do {
		pthread_mutex_lock(&r->lock);
		done = r->closed >= n;
		pthread_mutex_unlock(&r->lock);
		if (done)
			return true;
		sleep_ms(10);
	} while (now_ms() < end);
	return false;
}

static int raw_connect_port(uint16_t port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	/* before connect, so that the window offered is small from the start */
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads up to cap bytes within ms; what came (0: the server closed). */
static ssize_t raw_read_for(int fd, uint8_t *buf, size_t cap, unsigned int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t end = now_ms() + ms;
	size_t got = 0;

	while (got < cap) {
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
			return got ? (ssize_t)got : -1;
		n = recv(fd, buf + got, cap - got, 0);
		if (n <= 0)
			return (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static const uint8_t test_frame[12 + 14] = {
	0, 0, 0xde, 0xad, 0, 0, 0, 0, 0, 0, 0, 14,
	'C', 'l', 'i', 'e', 'n', 't', ' ', 'H', 'e', 'l', 'l', 'o', '!', 0
};

/* TEST and its answer: the connection is being served. */
static bool raw_hello(int fd)
{
	uint8_t r[26];

	return send(fd, test_frame, sizeof(test_frame), MSG_NOSIGNAL) == sizeof(test_frame) &&
	       raw_read_for(fd, r, sizeof(r), 5000) == sizeof(r) && r[3] == 0xad;
}

static void run_addr(const struct runner *r, char *buf, size_t len)
{
	snprintf(buf, len, "127.0.0.1:%u", spdm_sock_listener_port(r->l));
}

/* A whole attestation on a connection of its own. */
static int run_attest(const struct runner *r)
{
	struct spdm_result res = { 0 };
	struct spdm_sock *sk;
	char addr[64];
	int rc;

	run_addr(r, addr, sizeof(addr));
	rc = spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_NONE, 5000, &sk);
	if (rc)
		return rc;
	rc = attest_over(sk, &res);
	spdm_sock_close(sk);
	return rc ? rc : res.meas_verified ? 0 : -EBADMSG;
}

/* An idle client and one that stopped mid-frame do not keep a third from
 * a whole attestation. */
static void t_run_idle_client(void)
{
	struct runner r;
	int idle, half;

	T_EQ(runner_start(&r, &(struct spdm_sock_server){ 0 }), 0);
	idle = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	half = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	T_TRUE(idle >= 0 && half >= 0);
	T_EQ(send(half, test_frame, 5, 0), 5);
	T_EQ(run_attest(&r), 0);
	T_EQ(runner_stop(&r), 0);
	close(idle);
	close(half);
}

/* Each connection starts with a fresh responder: after one client's VCA
 * and attestation, GET_DIGESTS on a new connection is ERROR
 * UnexpectedRequest (DSP0274 1.3 §10.1: VCA comes first). */
static void t_run_fresh_state(void)
{
	const uint8_t get_digests[4] = { 0x10, SPDM_GET_DIGESTS, 0, 0 };
	uint8_t rsp[64];
	struct spdm_sock *sk;
	struct runner r;
	char addr[64];
	size_t rlen = 0;

	T_EQ(runner_start(&r, &(struct spdm_sock_server){ 0 }), 0);
	T_EQ(run_attest(&r), 0);
	run_addr(&r, addr, sizeof(addr));
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_NONE, 5000, &sk), 0);
	T_EQ(spdm_sock_exchange(sk, get_digests, 4, rsp, sizeof(rsp), &rlen), 0);
	T_EQ(rlen, 4);
	T_EQ(rsp[1], SPDM_ERROR);
	T_EQ(rsp[2], SPDM_ERR_UNEXPECTED_REQUEST);
	spdm_sock_close(sk);
	T_EQ(runner_stop(&r), 0);
	T_EQ(r.opened, 2);
}

/* A client that sends requests and never reads the answers: once its
 * buffers are full the server's write waits, and the frame deadline ends
 * the connection; the server goes on serving others. */
static void t_run_non_reader(void)
{
	struct runner r;
	uint8_t burst[sizeof(test_frame) * 256];
	uint64_t end;
	int fd;

	for (size_t i = 0; i < 256; i++)
		memcpy(burst + i * sizeof(test_frame), test_frame, sizeof(test_frame));
	T_EQ(runner_start(&r, &(struct spdm_sock_server){ .frame_timeout_ms = 300 }), 0);
	fd = raw_connect_port(spdm_sock_listener_port(r.l), 4096);
	T_TRUE(fd >= 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* send until the server drops us (send fails) or 20 s pass */
	end = now_ms() + 20000;
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n = send(fd, burst, sizeof(burst), MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			break;
		if (n < 0)
			poll(&p, 1, 100);
	}
	T_TRUE(now_ms() < end);
	T_TRUE(runner_logged(&r, "dropped: did not take its answer within 300 ms", 5000));
	T_EQ(run_attest(&r), 0);
	close(fd);
	T_EQ(runner_stop(&r), 0);
}

/* A client that sends a frame a byte at a time, each byte well within the
 * idle time but the frame not within the frame deadline. */
static void t_run_trickle(void)
{
	struct runner r;
	int fd;

	T_EQ(runner_start(&r, &(struct spdm_sock_server){ .idle_timeout_ms = 5000,
							  .frame_timeout_ms = 300 }), 0);
	fd = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	T_TRUE(fd >= 0);
	for (size_t i = 0; i < sizeof(test_frame); i++) {
		if (send(fd, test_frame + i, 1, MSG_NOSIGNAL) != 1)
			break;	/* dropped already */
		sleep_ms(60);
	}
	T_TRUE(runner_logged(&r, "dropped: no whole frame within 300 ms", 5000));
	close(fd);
	T_EQ(runner_stop(&r), 0);
}

/* A busy, well-behaved client still ends at the lifetime bound. */
static void t_run_lifetime(void)
{
	struct runner r;
	uint8_t b[32];
	int fd, served = 0;

	T_EQ(runner_start(&r, &(struct spdm_sock_server){ .lifetime_ms = 500 }), 0);
	fd = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	T_TRUE(fd >= 0);
	for (int i = 0; i < 100 && raw_hello(fd); i++, served++)
		sleep_ms(50);
	T_TRUE(served >= 1 && served < 100);
	T_EQ(raw_read_for(fd, b, sizeof(b), 1000), 0);	/* closed */
	T_TRUE(runner_logged(&r, "dropped: connected for 500 ms, the longest allowed", 5000));
	close(fd);
	T_EQ(runner_stop(&r), 0);
}

/* max_clients 2: the third connection is closed unanswered and logged; a
 * slot that frees up is used again. */
static void t_run_cap(void)
{
	struct runner r;
	uint8_t b[32];
	int a, c, d;

	T_EQ(runner_start(&r, &(struct spdm_sock_server){ .max_clients = 2 }), 0);
	a = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	c = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	T_TRUE(raw_hello(a));
	T_TRUE(raw_hello(c));
	d = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	T_TRUE(d >= 0);
	send(d, test_frame, sizeof(test_frame), MSG_NOSIGNAL);
	T_EQ(raw_read_for(d, b, sizeof(b), 5000), 0);
	T_TRUE(runner_logged(&r, "refused: 2 clients connected, the maximum", 5000));
	close(d);
	close(a);
	/* the server frees the slot once it has seen the close */
	T_TRUE(runner_closed(&r, 1, 5000));
	T_EQ(run_attest(&r), 0);
	close(c);
	T_EQ(runner_stop(&r), 0);
	T_EQ(r.opened, 3);
}

/* The stop descriptor ends the server at once, whatever clients do. */
static void t_run_stop(void)
{
	struct runner r;
	uint64_t t0;
	int idle, half;

	T_EQ(runner_start(&r, &(struct spdm_sock_server){ 0 }), 0);
	idle = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	half = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	T_TRUE(raw_hello(idle));
	T_EQ(send(half, test_frame, 3, 0), 3);
	sleep_ms(100);
	t0 = now_ms();
	T_EQ(runner_stop(&r), 0);
	T_TRUE(now_ms() - t0 < 5000);	/* generous: the old server took 60 s */
	T_EQ(r.opened, 2);
	close(idle);
	close(half);
}

/* CONTINUE ends one connection; SHUTDOWN ends the server with 1 once
 * answered. */
static void t_run_continue_shutdown(void)
{
	uint8_t f[12], b[32];
	uint32_t cmd, trans, size;
	struct runner r;
	int fd;

	T_EQ(runner_start(&r, &(struct spdm_sock_server){ 0 }), 0);
	fd = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_CONTINUE, 0, 0, f);
	T_EQ(send(fd, f, 12, 0), 12);
	T_EQ(raw_read_for(fd, b, sizeof(b), 5000), 12);	/* the answer, then EOF */
	close(fd);
	fd = raw_connect_port(spdm_sock_listener_port(r.l), 0);
	spdm_sock_hdr_encode(SPDM_SOCK_CMD_SHUTDOWN, 0, 0, f);
	T_EQ(send(fd, f, 12, 0), 12);
	T_EQ(raw_read_for(fd, b, sizeof(b), 5000), 12);
	T_EQ(spdm_sock_hdr_parse(ctx, b, 12, 0, &cmd, &trans, &size), 0);
	T_EQ(cmd, SPDM_SOCK_CMD_SHUTDOWN);
	pthread_join(r.th, NULL);
	T_EQ(r.rc, 1);
	close(fd);
	spdm_sock_listener_close(r.l);
	close(r.pipefd[0]);
	close(r.pipefd[1]);
	T_EQ(r.opened, r.closed);
	doe_ctx_free(r.ctx);
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

/* Ports are decimal 1-65535 with nothing after them; 0 (any free port)
 * only for a listener. 65536 used to bind a random port. */
static void t_ports(void)
{
	static const struct {
		const char *name, *addr;
		bool listen;
		int rc;
	} cases[] = {
		{ "65536 wraps to 0", "127.0.0.1:65536", true, -EINVAL },
		{ "hex", "127.0.0.1:0x10", true, -EINVAL },
		{ "trailing garbage", "127.0.0.1:80x", true, -EINVAL },
		{ "negative", "127.0.0.1:-1", true, -EINVAL },
		{ "leading space", "127.0.0.1: 80", true, -EINVAL },
		{ "plus sign", "127.0.0.1:+80", true, -EINVAL },
		{ "huge", "127.0.0.1:999999", true, -EINVAL },
		{ "any port to listen", "127.0.0.1:0", true, 0 },
		{ "port 0 to connect", "127.0.0.1:0", false, -EINVAL },
		{ "65536 to connect", "127.0.0.1:65536", false, -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spdm_sock_listener *l = NULL;
		struct spdm_sock *sk = NULL;
		int rc = cases[i].listen
				 ? spdm_sock_listen(ctx, cases[i].addr, &l)
				 : spdm_sock_connect(ctx, cases[i].addr, SPDM_SOCK_TRANS_NONE, 100, &sk);

		if (rc != cases[i].rc)
			fprintf(stderr, "case '%s'\n", cases[i].name);
		T_EQ(rc, cases[i].rc);
		if (rc)
			T_CONTAINS(doe_ctx_errmsg(ctx), "is not a number from");
		spdm_sock_listener_close(l);
		spdm_sock_close(sk);
	}
}

/* ---- sessions: doe emulate --listen's setup, an emulated function ----- */

/* DSP0274 CAPABILITIES: ENCRYPT, MAC, KEY_EX, HBEAT, KEY_UPD (PSK: 0x400) */
#define SESSION_REQ_FLAGS (0x40u | 0x80u | 0x200u | 0x2000u | 0x4000u)
#define LE16(p) ((unsigned)(p)[0] | (unsigned)(p)[1] << 8)

struct sess_server {
	struct spdm_sock_listener *l;
	struct spdm_sock_server srv;
	struct emu_topo *topo;
	struct emu_fn *fn;
	struct doe_ctx *ctx;	/* the server thread's */
	int pipefd[2];
	pthread_t th;
	int rc;
};

static int sess_handle(void *priv, enum spdm_sock_kind kind, const uint8_t *req, size_t len,
		       uint8_t *rsp, size_t cap, size_t *rlen)
{
	return emu_spdm_conn_handle(priv, kind == SPDM_SOCK_SECURED, req, len, rsp, cap, rlen);
}

static int sess_open(void *priv, void **conn_priv)
{
	struct sess_server *s = priv;

	return emu_fn_spdm_conn_new(s->fn, s->srv.trans == SPDM_SOCK_TRANS_MCTP,
				    (struct emu_spdm_conn **)conn_priv);
}

static void sess_close(void *priv, void *conn_priv)
{
	(void)priv;
	emu_spdm_conn_free(conn_priv);
}

static void *sess_thread(void *arg)
{
	struct sess_server *s = arg;

	s->rc = spdm_sock_run(s->l, &s->srv);
	return NULL;
}

static const uint8_t sample_psk[12] = "TestPskData";	/* NUL included, as DMTF's */
static const uint8_t sample_hint[12] = "TestPskHint";

static int sess_server_start(struct sess_server *s, enum spdm_sock_trans t)
{
	struct doe_bdf bdf = { 0, 0x0f, 0, 0 };

	memset(s, 0, sizeof(*s));
	if (doe_ctx_new(&s->ctx) || pipe(s->pipefd) || emu_topo_new(s->ctx, NULL, &s->topo))
		return -ENOMEM;
	s->fn = emu_topo_find(s->topo, &bdf);
	if (!s->fn || emu_fn_set_spdm_psk(s->fn, sample_psk, sizeof(sample_psk), sample_hint,
					  sizeof(sample_hint)))
		return -ENOENT;
	if (spdm_sock_listen(s->ctx, "127.0.0.1:0", &s->l))
		return -EIO;
	s->srv = (struct spdm_sock_server){ .trans = t, .handler = sess_handle, .priv = s,
					    .secured = true, .conn_open = sess_open,
					    .conn_close = sess_close, .stop_fd = s->pipefd[0] };
	return pthread_create(&s->th, NULL, sess_thread, s) ? -EIO : 0;
}

static void sess_server_stop(struct sess_server *s)
{
	T_EQ(write(s->pipefd[1], "x", 1), 1);
	pthread_join(s->th, NULL);
	T_EQ(s->rc, 0);
	spdm_sock_listener_close(s->l);
	emu_topo_free(s->topo);
	close(s->pipefd[0]);
	close(s->pipefd[1]);
	doe_ctx_free(s->ctx);
}

/* The transport with a tap on the first secured request, to see the
 * record layer the binding put on the wire. */
struct tap {
	const struct spdm_transport_ops *inner;
	struct spdm_sock *sk;
	struct spdm_transport_ops ops;
	uint8_t first[64];
	size_t first_len;
};

static int tap_plain(void *priv, const void *req, size_t len, void *rsp, size_t cap, size_t *rlen)
{
	struct tap *t = priv;

	return t->inner->exchange(t->sk, req, len, rsp, cap, rlen);
}

static int tap_secured(void *priv, const void *req, size_t len, void *rsp, size_t cap,
		       size_t *rlen)
{
	struct tap *t = priv;

	if (!t->first_len) {
		t->first_len = len;
		memcpy(t->first, req, len < sizeof(t->first) ? len : sizeof(t->first));
	}
	return t->inner->exchange_secured(t->sk, req, len, rsp, cap, rlen);
}

static void tap_init(struct tap *t, struct spdm_sock *sk)
{
	memset(t, 0, sizeof(*t));
	t->sk = sk;
	t->inner = spdm_transport_socket(sk);
	t->ops = *t->inner;
	t->ops.exchange = tap_plain;
	t->ops.exchange_secured = tap_secured;
}

struct sess_client {
	_Alignas(16) uint8_t qmem[SPDM_REQUESTER_CTX_SIZE];
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	uint8_t cbuf[8192], mbuf[2048], rbuf[4096];
	struct spdm_req *req;
	struct spdm_sess *sess;
	struct spdm_sock *sk;
	struct tap tap;
};

#define STEP(x)                  \
	do {                     \
		int rc_ = (x);   \
		if (rc_ < 0)     \
			return rc_; \
	} while (0)

/* VCA (and for KEY_EXCHANGE the chain) then a session, as doe session does. */
static int sess_client_open(struct sess_client *c, const struct sess_server *s,
			    enum spdm_sock_trans t, bool psk, const uint8_t *hint, size_t hint_len)
{
	struct spdm_req_policy pol;
	struct spdm_sess_opts so = { .summary_hash_type = SPDM_SUMMARY_NONE };
	struct spdm_conn conn;
	char addr[64];

	snprintf(addr, sizeof(addr), "127.0.0.1:%u", spdm_sock_listener_port(s->l));
	STEP(spdm_sock_connect(ctx, addr, t, 5000, &c->sk));
	tap_init(&c->tap, c->sk);
	spdm_req_policy_init(&pol);
	pol.chain_buf = c->cbuf;
	pol.chain_cap = sizeof(c->cbuf);
	pol.meas_buf = c->mbuf;
	pol.meas_cap = sizeof(c->mbuf);
	pol.meas_mode = SPDM_MEAS_NONE;
	pol.req_flags = SESSION_REQ_FLAGS | (psk ? 0x400u : 0);
	STEP(spdm_req_init(c->qmem, sizeof(c->qmem), ctx, &pol, &c->req));
	STEP(spdm_req_run(c->req, &c->tap.ops, &c->tap, c->rbuf, sizeof(c->rbuf), 0));
	STEP(spdm_req_conn(c->req, &conn));
	so.binding = (enum spdm_binding)c->tap.ops.binding;
	if (psk) {
		so.psk = sample_psk;
		so.psk_len = sizeof(sample_psk);
		so.psk_hint = hint;
		so.psk_hint_len = hint_len;
	}
	STEP(spdm_sess_req_init(c->smem, sizeof(c->smem), ctx, &conn, &so, &c->sess));
	return spdm_sess_run(c->sess, &c->tap.ops, &c->tap);
}

static void sess_client_close(struct sess_client *c)
{
	spdm_sess_fini(c->sess);
	if (c->req)
		spdm_req_fini(c->req);
	spdm_sock_close(c->sk);
	memset(c, 0, sizeof(*c));
}

/* KEY_EXCHANGE and PSK sessions over both framings that carry them, with
 * the record layer each binding puts on the wire. */
static void t_session_framings(void)
{
	static const struct {
		const char *name;
		enum spdm_sock_trans t;
		bool psk;
	} cases[] = {
		{ "pci-doe: KEY_EXCHANGE", SPDM_SOCK_TRANS_PCI_DOE, false },
		{ "pci-doe: PSK", SPDM_SOCK_TRANS_PCI_DOE, true },
		{ "mctp: KEY_EXCHANGE", SPDM_SOCK_TRANS_MCTP, false },
		{ "mctp: PSK", SPDM_SOCK_TRANS_MCTP, true },
	};
	static struct sess_client c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool mctp = cases[i].t == SPDM_SOCK_TRANS_MCTP;
		struct sess_server s;
		uint8_t rec[2048], nb = 0;
		size_t reclen = 0, hdr = mctp ? 8 : 6, len;

		t_case_name = cases[i].name;
		T_EQ(sess_server_start(&s, cases[i].t), 0);
		if (sess_client_open(&c, &s, cases[i].t, cases[i].psk, sample_hint,
				     sizeof(sample_hint))) {
			T_FAIL_("no session: %s", doe_ctx_errmsg(ctx));
			goto next;
		}
		T_EQ(spdm_sess_is_psk(c.sess), cases[i].psk);
		/* DSP0277 record: session ID, (MCTP: 2-byte sequence number 0),
		 * Length of what follows; DOE pads the object, not the record */
		T_TRUE(c.tap.first_len > hdr);
		T_EQ(doe_get_le32(c.tap.first), spdm_sess_id(c.sess));
		if (mctp)
			T_EQ(LE16(c.tap.first + 4), 0);
		len = LE16(c.tap.first + hdr - 2);
		T_EQ(hdr + len, c.tap.first_len);
		T_EQ(spdm_sess_get_measurements(c.sess, &c.tap.ops, &c.tap, 0xFF, rec, sizeof(rec),
						&reclen, &nb), 0);
		T_EQ(nb, 4);
		T_EQ(spdm_sess_control(c.sess, &c.tap.ops, &c.tap, 0xE8 /* HEARTBEAT */, 0), 0);
		T_EQ(spdm_sess_control(c.sess, &c.tap.ops, &c.tap, 0xE9 /* KEY_UPDATE */,
				       SPDM_KEY_UPDATE_ALL_KEYS), 0);
		T_EQ(spdm_sess_control(c.sess, &c.tap.ops, &c.tap, 0xEC /* END_SESSION */, 0), 0);
		T_EQ(spdm_sess_state(c.sess), SPDM_SESS_ENDED);
next:
		sess_client_close(&c);
		sess_server_stop(&s);
	}
}

/* Each connection has its own session slots: a record of one client's
 * session, replayed on another connection, finds no session there. A PSK
 * hint is opaque bytes: without DMTF's trailing NUL it names no key. */
static void t_session_per_connection(void)
{
	static struct sess_client a, b;
	struct sess_server s;
	uint8_t hb[64], rsp[256];
	size_t hblen, rlen = 0;

	T_EQ(sess_server_start(&s, SPDM_SOCK_TRANS_MCTP), 0);
	T_EQ(sess_client_open(&a, &s, SPDM_SOCK_TRANS_MCTP, false, NULL, 0), 0);
	T_EQ(sess_client_open(&b, &s, SPDM_SOCK_TRANS_MCTP, false, NULL, 0), 0);
	T_EQ(spdm_sess_req_heartbeat(a.sess, hb, sizeof(hb), &hblen), 0);
	T_EQ(spdm_sock_exchange_secured(b.sk, hb, hblen, rsp, sizeof(rsp), &rlen), 0);
	T_TRUE(rlen >= 4);
	T_EQ(rsp[1], SPDM_ERROR);
	T_EQ(rsp[2], SPDM_ERR_UNEXPECTED_REQUEST);
	/* b's own session is untouched */
	T_EQ(spdm_sess_control(b.sess, &b.tap.ops, &b.tap, 0xE8 /* HEARTBEAT */, 0), 0);
	sess_client_close(&a);
	sess_client_close(&b);
	t_case_name = "hint without its NUL";
	T_EQ(sess_client_open(&a, &s, SPDM_SOCK_TRANS_MCTP, true, sample_hint, 11), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "PSK_EXCHANGE");
	sess_client_close(&a);
	sess_server_stop(&s);
}

/* NONE carries no secured messages: the session says so, never sends. */
static void t_session_none(void)
{
	struct spdm_sock_listener *l;
	struct spdm_sock *sk = NULL;
	uint8_t rsp[64];
	size_t rlen;
	char addr[64];

	T_EQ(spdm_sock_listen(ctx, "127.0.0.1:0", &l), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", spdm_sock_listener_port(l));
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_NONE, 1000, &sk), 0);
	if (sk)
		T_EQ(spdm_sock_exchange_secured(sk, "\1\0\0\0\0\0", 6, rsp, sizeof(rsp), &rlen),
		     -EPROTONOSUPPORT);
	spdm_sock_close(sk);
	spdm_sock_listener_close(l);
}

/* ---- MCTP channels over the socket: any message type ------------------- */

/* mctp_handler for the tests: FM-API (0x07) requests get their body
 * reversed; "bad" answers with an empty message; anything else fails. */
static int fm_echo(void *priv, const uint8_t *msg, size_t len, uint8_t *rsp, size_t cap,
		   size_t *rlen)
{
	(void)priv;
	if (len < 1 || msg[0] != MCTP_TYPE_FMAPI || len > cap)
		return -EPROTO;
	if (len == 4 && !memcmp(msg + 1, "bad", 3)) {
		*rlen = 0;
		return 0;
	}
	rsp[0] = msg[0];
	for (size_t i = 1; i < len; i++)
		rsp[i] = msg[len - i];
	*rlen = len;
	return 0;
}

/* FM-API through mctp_handler and SPDM through the responder, both on one
 * channel over one connection; then what a bad answer does. */
static void t_mctp_chan_socket(void)
{
	struct spdm_sock *sk;
	struct mctp_chan *ch;
	struct server s;
	struct spdm_result res = { 0 };
	uint8_t out[16];
	size_t len;
	char addr[64];

	T_EQ(server_start_mctp(&s, SPDM_SOCK_TRANS_MCTP, 2000, fm_echo), 0);
	addr_of(&s, addr, sizeof(addr));
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_MCTP, 5000, &sk), 0);
	T_EQ(spdm_sock_mctp_chan(sk, &ch), 0);
	T_STREQ(mctp_chan_name(ch), addr);
	T_EQ(mctp_exchange(ch, MCTP_TYPE_FMAPI, "\x01\x02\x03", 3, out, sizeof(out), &len), 0);
	T_EQ(len, 3);
	T_MEMEQ(out, "\x03\x02\x01", 3);
	/* SPDM over the same channel reaches the SPDM handler */
	{
		struct spdm_req_policy pol;
		struct spdm_req *req;

		spdm_req_policy_init(&pol);
		pol.chain_buf = chain_buf;
		pol.chain_cap = sizeof(chain_buf);
		pol.meas_buf = meas_buf;
		pol.meas_cap = sizeof(meas_buf);
		T_EQ(spdm_req_init(req_mem, sizeof(req_mem), ctx, &pol, &req), 0);
		T_EQ(spdm_req_run(req, spdm_transport_mctp(), ch, rsp_buf, sizeof(rsp_buf), 0), 0);
		res = *spdm_req_result(req);
		spdm_req_fini(req);
		T_TRUE(res.chain_verified);
		T_TRUE(res.challenge_verified);
	}
	/* the handler's empty answer is not an MCTP message: connection dropped */
	T_NE(mctp_exchange(ch, MCTP_TYPE_FMAPI, "bad", 3, out, sizeof(out), &len), 0);
	mctp_chan_free(ch);
	spdm_sock_close(sk);
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_MCTP, 5000, &sk), 0);
	T_EQ(spdm_sock_shutdown(sk), 0);
	spdm_sock_close(sk);
	server_stop(&s);
	T_EQ(s.n, 2);
	T_EQ(s.results[0], -EBADMSG);
	T_CONTAINS(s.msgs[0], "MCTP message: empty");
	T_EQ(s.results[1], 1);

	/* without mctp_handler, today's error: the frame ends the connection */
	T_EQ(server_start(&s, SPDM_SOCK_TRANS_MCTP), 0);
	addr_of(&s, addr, sizeof(addr));
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_MCTP, 5000, &sk), 0);
	T_EQ(spdm_sock_mctp_chan(sk, &ch), 0);
	T_NE(mctp_exchange(ch, MCTP_TYPE_FMAPI, "\x01", 1, out, sizeof(out), &len), 0);
	mctp_chan_free(ch);
	spdm_sock_close(sk);
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_MCTP, 5000, &sk), 0);
	T_EQ(spdm_sock_shutdown(sk), 0);
	spdm_sock_close(sk);
	server_stop(&s);
	T_EQ(s.n, 2);
	T_EQ(s.results[0], -EPROTO);
	T_CONTAINS(s.msgs[0], "MCTP message type 0x07 is not SPDM");
	T_EQ(s.results[1], 1);
}

/* Only an MCTP-framed socket gives a channel. */
static void t_mctp_chan_needs_mctp(void)
{
	struct spdm_sock *sk;
	struct mctp_chan *ch = NULL;
	struct server s;
	char addr[64];

	T_EQ(server_start(&s, SPDM_SOCK_TRANS_PCI_DOE), 0);
	addr_of(&s, addr, sizeof(addr));
	T_EQ(spdm_sock_connect(ctx, addr, SPDM_SOCK_TRANS_PCI_DOE, 5000, &sk), 0);
	T_EQ(spdm_sock_mctp_chan(sk, &ch), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "needs the mctp transport, not pci-doe");
	T_EQ(spdm_sock_shutdown(sk), 0);
	spdm_sock_close(sk);
	server_stop(&s);
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
	T_RUN(t_wrap_none_secured);
	T_RUN(t_socket_ops);
	T_RUN(t_session_framings);
	T_RUN(t_session_per_connection);
	T_RUN(t_session_none);
	T_RUN(t_attest_none);
	T_RUN(t_attest_mctp);
	T_RUN(t_attest_pci_doe);
	T_RUN(t_mctp_chan_socket);
	T_RUN(t_mctp_chan_needs_mctp);
	T_RUN(t_server_bad_peers);
	T_RUN(t_server_trickle);
	T_RUN(t_client_timeout);
	T_RUN(t_connect_errors);
	T_RUN(t_ports);
	T_RUN(t_run_idle_client);
	T_RUN(t_run_fresh_state);
	T_RUN(t_run_non_reader);
	T_RUN(t_run_trickle);
	T_RUN(t_run_lifetime);
	T_RUN(t_run_cap);
	T_RUN(t_run_stop);
	T_RUN(t_run_continue_shutdown);
	spdm_identity_free(id);
	doe_ctx_free(ctx);
	return T_DONE();
}
