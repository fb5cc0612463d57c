// SPDX-License-Identifier: MIT
/*
 * MCTP: the message codec, the "mctp:[NET,]EID" syntax, channels and
 * mctp_exchange(), SPDM over a channel (attestation of an emulated function
 * whose answers travel as MCTP messages), and the Linux AF_MCTP carrier
 * against a scripted kernel (tests/mctp_double.h).
 *
 * "test_mctp --real" is a test of its own (test_mctp_real): a real
 * AF_MCTP socket, skipped (exit 77) with the reason on a kernel without
 * MCTP, which is every build machine we have.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/emu.h>
#include <doekit/mctp.h>
#include <doekit/spdm.h>
#include <doekit/spdm_session.h>
#include "internal.h"
#include "mctp_double.h"
#include "t.h"

#define SKIP_CODE 77

int mctp_abi_checked(void);	/* tests/mctp_abi_check.c */

static struct doe_ctx *ctx;

/* ---- codec ------------------------------------------------------------ */

static void t_codec(void)
{
	uint8_t out[8];
	const uint8_t *body;
	size_t len, blen;
	uint8_t type;

	T_EQ(mctp_msg_encode(ctx, MCTP_TYPE_SPDM, "\x10\x84\x00", 3, out, sizeof(out), &len), 0);
	T_EQ(len, 4);
	T_MEMEQ(out, "\x05\x10\x84\x00", 4);
	T_EQ(mctp_msg_decode(ctx, out, len, &type, &body, &blen), 0);
	T_EQ(type, MCTP_TYPE_SPDM);
	T_EQ(blen, 3);
	T_TRUE(body == out + 1);
	/* a message of only a type byte is a message */
	T_EQ(mctp_msg_encode(ctx, MCTP_TYPE_FMAPI, NULL, 0, out, sizeof(out), &len), 0);
	T_EQ(len, 1);
	T_EQ(mctp_msg_decode(ctx, out, 1, &type, &body, &blen), 0);
	T_EQ(blen, 0);
}

static void t_codec_bad(void)
{
	static uint8_t big[MCTP_MSG_MAX + 1];
	const uint8_t *body;
	uint8_t out[4], type;
	size_t len, blen;

	T_EQ(mctp_msg_encode(ctx, 0x85, "x", 1, out, sizeof(out), &len), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "integrity checks are not supported");
	T_EQ(mctp_msg_encode(ctx, MCTP_TYPE_SPDM, "abcd", 4, out, sizeof(out), &len), -EMSGSIZE);
	T_CONTAINS(doe_ctx_errmsg(ctx), "5 bytes does not fit 4");
	T_EQ(mctp_msg_encode(ctx, MCTP_TYPE_SPDM, big, MCTP_MSG_MAX, big, sizeof(big), &len),
	     -EMSGSIZE);
	T_CONTAINS(doe_ctx_errmsg(ctx), "exceeds 65535");
	T_EQ(mctp_msg_decode(ctx, out, 0, &type, &body, &blen), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "empty (no message type)");
	T_EQ(mctp_msg_decode(ctx, "\x85\x10", 2, &type, &body, &blen), -EPROTO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "carries an integrity check");
	T_EQ(mctp_msg_decode(ctx, big, sizeof(big), &type, &body, &blen), -EMSGSIZE);
	T_CONTAINS(doe_ctx_errmsg(ctx), "65537 bytes exceeds 65536");
}

static void t_type_names(void)
{
	T_STREQ(mctp_type_name(MCTP_TYPE_SPDM), "spdm");
	T_STREQ(mctp_type_name(MCTP_TYPE_SECURED), "secured-spdm");
	T_STREQ(mctp_type_name(MCTP_TYPE_FMAPI), "fm-api");
	T_STREQ(mctp_type_name(MCTP_TYPE_CCI), "cxl-cci");
	T_TRUE(mctp_type_name(0x42) == NULL);
}

/* ---- addresses ---------------------------------------------------------- */

static void t_addr_parse(void)
{
	static const struct {
		const char *spec;
		int rc;
		uint32_t net;
		uint8_t eid;
		const char *msg;
	} cases[] = {
		{ "mctp:8", 0, MCTP_NET_ANY, 8, NULL },
		{ "mctp:1,8", 0, 1, 8, NULL },
		{ "mctp:0x1,0xfe", 0, 1, 0xFE, NULL },
		{ "mctp:0XA", 0, MCTP_NET_ANY, 10, NULL },
		{ "mctp:4294967295,254", 0, 4294967295u, 254, NULL },
		{ "mctp:0,1", 0, 0, 1, NULL },
		{ "", -EINVAL, 0, 0, "expected mctp:[NET,]EID" },
		{ "mctp", -EINVAL, 0, 0, "expected mctp:[NET,]EID" },
		{ "MCTP:8", -EINVAL, 0, 0, "expected mctp:[NET,]EID" },
		{ "mctp:", -EINVAL, 0, 0, "EID must be a number 1..254" },
		{ "mctp:0", -EINVAL, 0, 0, "EID 0 is the null EID" },
		{ "mctp:255", -EINVAL, 0, 0, "EID 255 is the broadcast address" },
		{ "mctp:0xff", -EINVAL, 0, 0, "broadcast" },
		{ "mctp:256", -EINVAL, 0, 0, "EID must be a number 1..254" },
		{ "mctp:1,2,3", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:x", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:0x", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:8x", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:+8", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:-8", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp: 8", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:8 ", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:,8", -EINVAL, 0, 0, "network must be a number" },
		{ "mctp:1,", -EINVAL, 0, 0, "EID must be a number" },
		{ "mctp:-1,8", -EINVAL, 0, 0, "network must be a number" },
		{ "mctp:4294967296,8", -EINVAL, 0, 0, "network must be a number 0..4294967295" },
		{ "mctp:99999999999,8", -EINVAL, 0, 0, "network must be a number" },
		{ "mctp:0x100000000,8", -EINVAL, 0, 0, "network must be a number" },
		{ "mctp:00000000000000000008", -EINVAL, 0, 0, "EID must be a number" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mctp_addr a = { 77, 77 };
		int rc = mctp_addr_parse(ctx, cases[i].spec, &a);

		t_case_name = cases[i].spec;
		T_EQ(rc, cases[i].rc);
		if (cases[i].rc == 0) {
			T_EQ(a.net, cases[i].net);
			T_EQ(a.eid, cases[i].eid);
		} else {
			T_CONTAINS(doe_ctx_errmsg(ctx), cases[i].msg);
			T_EQ(a.eid, 77);	/* untouched on failure */
		}
	}
}

/* ---- channels ----------------------------------------------------------- */

/* A carrier that answers what it is told to. */
struct fake_carrier {
	int rc;			/* <0: the exchange fails with it */
	uint8_t answer[64];
	size_t answer_len;	/* may exceed the buffer: a lying carrier */
	uint8_t got[64];
	size_t got_len;
	int released;
};

static int fake_exchange(void *priv, const void *req, size_t req_len, void *rsp, size_t cap,
			 size_t *rsp_len)
{
	struct fake_carrier *f = priv;

	(void)cap;
	f->got_len = req_len < sizeof(f->got) ? req_len : sizeof(f->got);
	memcpy(f->got, req, f->got_len);
	if (f->rc < 0)
		return doe_err(ctx, f->rc, "carrier broke");
	/* a lying answer_len is reported, never copied */
	memcpy(rsp, f->answer, f->answer_len < sizeof(f->answer) ? f->answer_len : 1);
	*rsp_len = f->answer_len;
	return 0;
}

static void fake_release(void *priv)
{
	((struct fake_carrier *)priv)->released++;
}

static const struct mctp_chan_ops fake_ops = { .exchange = fake_exchange,
					       .release = fake_release };

static void t_chan_exchange(void)
{
	static const struct {
		const char *name;
		int carrier_rc;
		const char *answer;
		size_t answer_len;
		size_t rsp_cap;
		int rc;
		const char *msg;
	} cases[] = {
		{ "answer", 0, "\x07\xAA\xBB", 3, 16, 0, NULL },
		{ "wrong answer type", 0, "\x05\xAA", 2, 16, -EPROTO,
		  "fm: answer is MCTP message type 0x05, the request was type 0x07" },
		{ "empty answer", 0, "", 0, 16, -EBADMSG, "fm: MCTP message: empty" },
		{ "integrity check bit", 0, "\x87\xAA", 2, 16, -EPROTO, "integrity check" },
		{ "answer larger than the caller's buffer", 0, "\x07\x01\x02\x03", 4, 2, -EMSGSIZE,
		  "fm: 3-byte answer exceeds the 2-byte buffer" },
		{ "carrier claims more than its buffer", 0, "\x07", MCTP_MSG_MAX + 1, 16, -EMSGSIZE,
		  "carrier returned 65537 bytes" },
		{ "carrier error", -ETIMEDOUT, "", 0, 16, -ETIMEDOUT, "carrier broke" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fake_carrier f = { .rc = cases[i].carrier_rc };
		struct mctp_chan *c;
		uint8_t rsp[16];
		size_t len = 0;

		t_case_name = cases[i].name;
		memcpy(f.answer, cases[i].answer, cases[i].answer_len < 8 ? cases[i].answer_len : 1);
		f.answer_len = cases[i].answer_len;
		T_EQ(mctp_chan_new(ctx, &fake_ops, &f, "fm", &c), 0);
		T_EQ(mctp_exchange(c, MCTP_TYPE_FMAPI, "\x01\x02", 2, rsp, cases[i].rsp_cap, &len),
		     cases[i].rc);
		/* the carrier saw the whole message, type byte first */
		T_EQ(f.got_len, 3);
		T_MEMEQ(f.got, "\x07\x01\x02", 3);
		if (cases[i].rc == 0) {
			T_EQ(len, 2);
			T_MEMEQ(rsp, "\xAA\xBB", 2);
		} else {
			T_CONTAINS(doe_ctx_errmsg(ctx), cases[i].msg);
		}
		mctp_chan_free(c);
		T_EQ(f.released, 1);
	}
}

static void t_chan_misc(void)
{
	struct fake_carrier f = { 0 };
	struct mctp_chan *c;
	uint8_t rsp[4];
	size_t len;

	T_EQ(mctp_chan_new(ctx, &(struct mctp_chan_ops){ 0 }, &f, "x", &c), -EINVAL);
	T_EQ(mctp_chan_new(ctx, &fake_ops, &f, NULL, &c), 0);
	T_STREQ(mctp_chan_name(c), "mctp");
	T_TRUE(mctp_chan_ctx(c) == ctx);
	/* the request is checked before anything is sent */
	T_EQ(mctp_exchange(c, 0x85, "x", 1, rsp, sizeof(rsp), &len), -EINVAL);
	T_EQ(f.got_len, 0);
	mctp_chan_free(c);
	mctp_chan_free(NULL);
}

/* ---- SPDM over a channel --------------------------------------------------- */

/* An endpoint that answers SPDM (type 0x05) with an emulated function's
 * responder, framed with the codec both ways. */
struct spdm_ep {
	struct emu_fn *fn;
	uint8_t last_type;
	int secured_seen;
};

static int spdm_ep_exchange(void *priv, const void *req, size_t req_len, void *rsp, size_t cap,
			    size_t *rsp_len)
{
	struct spdm_ep *ep = priv;
	static uint8_t body[MCTP_MSG_MAX];
	const uint8_t *in;
	size_t inlen, blen;
	uint8_t type;

	TRY(mctp_msg_decode(ctx, req, req_len, &type, &in, &inlen));
	ep->last_type = type;
	if (type != MCTP_TYPE_SPDM)
		return doe_err(ctx, -EPROTO, "test endpoint: type 0x%02x", type);
	TRY(emu_fn_spdm_handle(ep->fn, in, inlen, body, sizeof(body), &blen));
	return mctp_msg_encode(ctx, MCTP_TYPE_SPDM, body, blen, rsp, cap, rsp_len);
}

static const struct mctp_chan_ops spdm_ep_ops = { .exchange = spdm_ep_exchange };

static void t_spdm_over_chan(void)
{
	static _Alignas(16) uint8_t mem[SPDM_REQUESTER_CTX_SIZE];
	static uint8_t chain[65536], meas[8192], rsp[65536];
	const struct spdm_transport_ops *ops = spdm_transport_mctp();
	struct spdm_req_policy pol;
	struct spdm_trust *trust;
	struct emu_topo *topo;
	struct spdm_req *req;
	struct mctp_chan *c;
	struct doe_bdf bdf;
	struct spdm_ep ep;
	const uint8_t *der;
	size_t der_len;

	T_EQ(ops->align, 1);
	T_EQ(ops->binding, SPDM_BINDING_MCTP);
	T_TRUE(ops->exchange_secured != NULL);
	T_EQ(emu_topo_new(ctx, NULL, &topo), 0);
	T_EQ(doe_bdf_parse("0d:00.0", &bdf), 0);
	ep.fn = emu_topo_find(topo, &bdf);
	T_TRUE(ep.fn != NULL);
	if (!ep.fn)
		return;
	T_EQ(emu_fn_spdm_root(ep.fn, &der, &der_len), 0);
	T_EQ(spdm_trust_new(ctx, NULL, &trust), 0);
	T_EQ(spdm_trust_add_der(trust, der, der_len), 0);
	T_EQ(mctp_chan_new(ctx, &spdm_ep_ops, &ep, "ep", &c), 0);
	spdm_req_policy_init(&pol);
	pol.trust = trust;
	pol.chain_buf = chain;
	pol.chain_cap = sizeof(chain);
	pol.meas_buf = meas;
	pol.meas_cap = sizeof(meas);
	T_EQ(spdm_req_init(mem, sizeof(mem), ctx, &pol, &req), 0);
	T_EQ(spdm_req_run(req, ops, c, rsp, sizeof(rsp), 0), 0);
	T_TRUE(spdm_req_result(req)->chain_verified);
	T_TRUE(spdm_req_result(req)->challenge_verified);
	T_TRUE(spdm_req_result(req)->meas_verified);
	T_EQ(ep.last_type, MCTP_TYPE_SPDM);
	spdm_req_fini(req);
	/* secured messages go out as type 0x06 (DSP0275) */
	{
		size_t len;
		uint8_t out[8];

		T_EQ(ops->exchange_secured(c, "\x01\x02", 2, out, sizeof(out), &len), -EPROTO);
		T_EQ(ep.last_type, MCTP_TYPE_SECURED);
	}
	mctp_chan_free(c);
	spdm_trust_free(trust);
	emu_topo_free(topo);
}

/* ---- AF_MCTP against the scripted kernel -------------------------------------- */

static const uint8_t answer_body[] = { 0x12, 0x04, 0x00, 0x00 };	/* SPDM VERSION-ish */

#define DGRAM(eid_, net_, type_, tag_, body_, len_) \
	{ .kind = EV_DGRAM, .eid = (eid_), .net = (net_), .type = (type_), .tag = (tag_), \
	  .body = (body_), .len = (len_) }
#define GOOD DGRAM(8, 1, MCTP_TYPE_SPDM, 3, answer_body, sizeof(answer_body))

static uint8_t big_body[MCTP_MSG_MAX + 10];

struct sock_case {
	const char *name;
	struct mctp_addr addr;
	int socket_errno, send_errno, send_eintr;
	struct mctp_ev ev[6];
	size_t nev;
	int rc;
	const char *msg;
	int polls;		/* how many poll() calls (0: do not check) */
	bool kept;		/* the carrier succeeded; the failure is the caller's */
};

static const struct sock_case sock_cases[] = {
	{ "answer", { 1, 8 }, 0, 0, 0, { GOOD }, 1, 0, NULL, 1, false },
	{ "answer on the default network", { MCTP_NET_ANY, 8 }, 0, 0, 0,
	  { DGRAM(8, 7, MCTP_TYPE_SPDM, 0, answer_body, 4) }, 1, 0, NULL, 1, false },
	{ "type-only answer (empty body)", { 1, 8 }, 0, 0, 0,
	  { DGRAM(8, 1, MCTP_TYPE_SPDM, 3, NULL, 0) }, 1, 0, NULL, 1, false },
	{ "empty message dropped, then the answer", { 1, 8 }, 0, 0, 0,
	  { { .kind = EV_EMPTY }, GOOD }, 2, 0, NULL, 2, false },
	{ "only an empty message", { 1, 8 }, 0, 0, 0, { { .kind = EV_EMPTY } }, 1, -ETIMEDOUT,
	  "1 message dropped: 0 from another EID, 0 from another network, 0 not a response, "
	  "0 of another type, 1 empty", 2, false },
	{ "wrong EID dropped, then the answer", { 1, 8 }, 0, 0, 0,
	  { DGRAM(9, 1, MCTP_TYPE_SPDM, 3, answer_body, 4), GOOD }, 2, 0, NULL, 2, false },
	{ "wrong EID only", { 1, 8 }, 0, 0, 0,
	  { DGRAM(9, 1, MCTP_TYPE_SPDM, 3, answer_body, 4) }, 1, -ETIMEDOUT,
	  "mctp:1,8: no answer within 500 ms (1 message dropped: 1 from another EID", 2, false },
	{ "wrong network only", { 1, 8 }, 0, 0, 0,
	  { DGRAM(8, 2, MCTP_TYPE_SPDM, 3, answer_body, 4) }, 1, -ETIMEDOUT,
	  "1 from another network", 2, false },
	{ "tag owner set (a request, not our answer)", { 1, 8 }, 0, 0, 0,
	  { DGRAM(8, 1, MCTP_TYPE_SPDM, 0x08 | 3, answer_body, 4) }, 1, -ETIMEDOUT,
	  "1 not a response", 2, false },
	{ "wrong type only", { 1, 8 }, 0, 0, 0,
	  { DGRAM(8, 1, MCTP_TYPE_FMAPI, 3, answer_body, 4) }, 1, -ETIMEDOUT,
	  "1 of another type", 2, false },
	{ "integrity-check bit is another type", { 1, 8 }, 0, 0, 0,
	  { DGRAM(8, 1, MCTP_TYPE_SPDM | 0x80, 3, answer_body, 4) }, 1, -ETIMEDOUT,
	  "1 of another type", 2, false },
	{ "five wrong answers, then the right one", { 1, 8 }, 0, 0, 0,
	  { DGRAM(9, 1, MCTP_TYPE_SPDM, 3, answer_body, 4),
	    DGRAM(8, 2, MCTP_TYPE_SPDM, 3, answer_body, 4),
	    DGRAM(8, 1, MCTP_TYPE_SPDM, 0x0B, answer_body, 4),
	    DGRAM(8, 1, MCTP_TYPE_FMAPI, 3, answer_body, 4), { .kind = EV_EMPTY }, GOOD },
	  6, 0, NULL, 6, false },
	{ "timeout", { 1, 8 }, 0, 0, 0, { { .kind = EV_POLL_TIMEOUT } }, 1, -ETIMEDOUT,
	  "mctp:1,8: no answer within 500 ms", 1, false },
	{ "EINTR on poll", { 1, 8 }, 0, 0, 0, { { .kind = EV_POLL_EINTR }, GOOD }, 2, 0, NULL, 2, false },
	{ "EINTR on recvfrom", { 1, 8 }, 0, 0, 0, { { .kind = EV_RECV_EINTR }, GOOD }, 2, 0,
	  NULL, 2, false },
	{ "EAGAIN on recvfrom (spurious wakeup)", { 1, 8 }, 0, 0, 0,
	  { { .kind = EV_RECV_EAGAIN }, GOOD }, 2, 0, NULL, 2, false },
	{ "recvfrom error", { 1, 8 }, 0, 0, 0, { { .kind = EV_RECV_ERR, .err = ENOMEM } }, 1,
	  -ENOMEM, "mctp:1,8: recvfrom: ", 1, false },
	{ "EINTR on sendto", { 1, 8 }, 0, 0, 2, { GOOD }, 1, 0, NULL, 1, false },
	{ "ENETUNREACH on sendto", { 1, 8 }, 0, ENETUNREACH, 0, { GOOD }, 1, -ENETUNREACH,
	  "mctp:1,8: no route to EID 8", 0, false },
	{ "EHOSTUNREACH on sendto", { MCTP_NET_ANY, 9 }, 0, EHOSTUNREACH, 0, { GOOD }, 1,
	  -EHOSTUNREACH, "mctp:9: no route to EID 9", 0, false },
	{ "EACCES on sendto", { 1, 8 }, 0, EACCES, 0, { GOOD }, 1, -EACCES, "CAP_NET_RAW", 0, false },
	{ "oversized answer (MSG_TRUNC)", { 1, 8 }, 0, 0, 0,
	  { DGRAM(8, 1, MCTP_TYPE_SPDM, 3, big_body, MCTP_MSG_MAX) }, 1, -EMSGSIZE,
	  "answer of 65537 bytes exceeds the 65536-byte limit", 1, false },
	{ "largest answer", { 1, 8 }, 0, 0, 0,
	  { DGRAM(8, 1, MCTP_TYPE_SPDM, 3, big_body, MCTP_MSG_MAX - 1) }, 1, -EMSGSIZE,
	  "65535-byte answer exceeds the 4096-byte buffer", 1, true },
	{ "no MCTP in the kernel", { 1, 8 }, EAFNOSUPPORT, 0, 0, { GOOD }, 1, -EAFNOSUPPORT,
	  "mctp:1,8: this kernel has no MCTP support (AF_MCTP, CONFIG_MCTP)", 0, false },
	{ "socket fails otherwise", { 1, 8 }, EMFILE, 0, 0, { GOOD }, 1, -EMFILE,
	  "mctp:1,8: socket(AF_MCTP): ", 0, false },
};

static void t_sock(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(sock_cases); i++) {
		const struct sock_case *k = &sock_cases[i];
		struct mctp_double d = { .socket_errno = k->socket_errno,
					 .send_errno = k->send_errno,
					 .send_eintr = k->send_eintr, .ev = k->ev, .nev = k->nev };
		struct mctp_chan *c = NULL;
		uint8_t rsp[4096];
		size_t len = 0;
		int rc;

		t_case_name = k->name;
		rc = mctp_sock_open(ctx, &k->addr, &mctp_double_ops, &d, 500, &c);
		if (rc == 0)
			rc = mctp_exchange(c, MCTP_TYPE_SPDM, "\x10\x84\x00\x00", 4, rsp, sizeof(rsp),
					   &len);
		T_EQ(rc, k->rc);
		if (k->msg)
			T_CONTAINS(doe_ctx_errmsg(ctx), k->msg);
		if (k->polls)
			T_EQ(d.polls, k->polls);
		if (!k->socket_errno) {
			/* the body went out without its type byte, which the
			 * kernel writes from smctp_type; the tag is the kernel's */
			T_EQ(d.socket_type & SOCK_DGRAM, SOCK_DGRAM);
			if (!k->send_errno) {
				T_EQ(d.sent_len, 4);
				T_MEMEQ(d.sent, "\x10\x84\x00\x00", 4);
				T_EQ(d.sent_to.smctp_family, MCTP_AF);
				T_EQ(d.sent_to.smctp_addr, k->addr.eid);
				T_EQ(d.sent_to.smctp_network, k->addr.net);
				T_EQ(d.sent_to.smctp_type, MCTP_TYPE_SPDM);
				T_EQ(d.sent_to.smctp_tag, MCTP_TAG_OWNER_BIT);
			}
			/* the deadline bounds every wait */
			if (d.polls)
				T_TRUE(d.last_poll_timeout >= 0 && d.last_poll_timeout <= 500);
			/* a failed exchange gives up its socket, and its tag with it */
			T_EQ(d.closes, rc == 0 || k->kept ? 0 : 1);
		}
		if (rc == 0 && k->ev[k->nev - 1].len == sizeof(answer_body)) {
			T_EQ(len, sizeof(answer_body));
			T_MEMEQ(rsp, answer_body, sizeof(answer_body));
		}
		mctp_chan_free(c);
		if (!k->socket_errno)
			T_EQ(d.closes, d.sockets);	/* nothing leaks */
	}
}

/* After a timeout the next exchange runs on a fresh socket. */
static void t_sock_reopen(void)
{
	const struct mctp_ev ev[] = { { .kind = EV_POLL_TIMEOUT }, GOOD };
	struct mctp_double d = { .ev = ev, .nev = 2 };
	struct mctp_addr a = { 1, 8 };
	struct mctp_chan *c;
	uint8_t rsp[16];
	size_t len;

	T_EQ(mctp_sock_open(ctx, &a, &mctp_double_ops, &d, 500, &c), 0);
	T_STREQ(mctp_chan_name(c), "mctp:1,8");
	T_EQ(d.sockets, 1);
	T_EQ(mctp_exchange(c, MCTP_TYPE_SPDM, "\x10", 1, rsp, sizeof(rsp), &len), -ETIMEDOUT);
	T_EQ(d.closes, 1);
	T_EQ(mctp_exchange(c, MCTP_TYPE_SPDM, "\x10", 1, rsp, sizeof(rsp), &len), 0);
	T_EQ(d.sockets, 2);
	T_EQ(d.sends, 2);
	mctp_chan_free(c);
	T_EQ(d.closes, 2);
}

static void t_sock_bad_args(void)
{
	struct mctp_double d = { 0 };
	struct mctp_chan *c;

	T_EQ(mctp_sock_open(ctx, &(struct mctp_addr){ 0, 0 }, &mctp_double_ops, &d, 0, &c), -EINVAL);
	T_EQ(mctp_sock_open(ctx, &(struct mctp_addr){ 0, 255 }, &mctp_double_ops, &d, 0, &c),
	     -EINVAL);
	T_EQ(d.sockets, 0);
	T_EQ(mctp_sock_open(ctx, NULL, &mctp_double_ops, &d, 0, &c), -EINVAL);
	T_EQ(mctp_abi_checked(), 1);	/* Debian 12 and later ship <linux/mctp.h> */
}

/* ---- the real kernel ----------------------------------------------------------- */

/* Exit 77 (ctest: skipped) with the reason when the kernel has no MCTP. */
static int real_socket(void)
{
	struct mctp_addr a = { MCTP_NET_ANY, 8 };
	struct mctp_chan *c;
	uint8_t rsp[64];
	size_t len;
	int rc;

	rc = mctp_sock_open(ctx, &a, NULL, NULL, 200, &c);
	if (rc == -EAFNOSUPPORT) {
		printf("SKIP: %s\n", doe_ctx_errmsg(ctx));
		return strstr(doe_ctx_errmsg(ctx), "this kernel has no MCTP support") ? SKIP_CODE : 1;
	}
	if (rc) {
		fprintf(stderr, "socket(AF_MCTP): %s\n", doe_ctx_errmsg(ctx));
		return 1;
	}
	/* a kernel with MCTP: EID 8 is most likely unrouted here; whatever the
	 * answer, it must be an answer or a named error, within the time */
	rc = mctp_exchange(c, MCTP_TYPE_SPDM, "\x10\x84\x00\x00", 4, rsp, sizeof(rsp), &len);
	printf("exchange with mctp:8: %d (%s)\n", rc, rc ? doe_ctx_errmsg(ctx) : "answered");
	mctp_chan_free(c);
	return rc == 0 || strstr(doe_ctx_errmsg(ctx), "mctp:8: ") ? 0 : 1;
}

int main(int argc, char **argv)
{
	int rc;

	if (doe_ctx_new(&ctx))
		return 1;
	if (argc > 1 && !strcmp(argv[1], "--real")) {
		rc = real_socket();
		doe_ctx_free(ctx);
		return rc;
	}
	T_RUN(t_codec);
	T_RUN(t_codec_bad);
	T_RUN(t_type_names);
	T_RUN(t_addr_parse);
	T_RUN(t_chan_exchange);
	T_RUN(t_chan_misc);
	T_RUN(t_spdm_over_chan);
	T_RUN(t_sock);
	T_RUN(t_sock_reopen);
	T_RUN(t_sock_bad_args);
	rc = T_DONE();
	doe_ctx_free(ctx);
	return rc;
}
