// SPDX-License-Identifier: MIT
/*
 * FM-API requester: the sans-I/O checks (tags, category, opcode echo,
 * length, message-size limits) and the blocking layer over a scripted
 * MCTP channel (retries, background operations, deadlines). The fake
 * device writes its CCI headers byte by byte from the spec layout, not
 * with the codec under test, and answers on a fake clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/fmapi.h>
#include <doekit/mctp.h>
#include "t.h"

static struct doe_ctx *ctx;

static const char *msg(void)
{
	return doe_ctx_errmsg(ctx);
}

/* --- the scripted device --- */

enum fault { F_NONE, F_TAG, F_CAT, F_OP, F_LEN_MORE, F_LEN_LESS, F_TYPE };

struct step {
	uint16_t rc;
	bool bg;		/* background flag in the header */
	uint8_t pl[64];
	size_t plen;
	enum fault fault;
	size_t big;		/* when set: a payload of this many zero bytes */
};

struct fake {
	struct step steps[16];
	int nsteps, next;	/* past the end, the last step repeats */
	int nreq;
	uint16_t ops[64];
	uint8_t tags[64];
	size_t req_len[64];
};

static int fake_exchange(void *priv, const void *req, size_t req_len, void *rsp, size_t cap,
			 size_t *rsp_len)
{
	struct fake *f = priv;
	const uint8_t *q = req;
	uint8_t *o = rsp;
	const struct step *s;
	uint16_t op;
	uint32_t len;
	size_t plen;

	if (req_len < 13 || q[0] != MCTP_TYPE_FMAPI || q[1] != 0)
		return -EIO;	/* the requester must send well-formed requests */
	op = (uint16_t)(q[4] | q[5] << 8);
	if (f->nreq < 64) {
		f->ops[f->nreq] = op;
		f->tags[f->nreq] = q[2];
		f->req_len[f->nreq] = req_len;
	}
	f->nreq++;
	s = &f->steps[f->next < f->nsteps ? f->next : f->nsteps - 1];
	f->next++;
	plen = s->big ? s->big : s->plen;
	if (13 + plen > cap)
		return -EMSGSIZE;
	len = (uint32_t)plen;
	if (s->fault == F_LEN_MORE)
		len++;
	if (s->fault == F_LEN_LESS)
		len--;
	if (s->fault == F_OP)
		op++;
	o[0] = s->fault == F_TYPE ? MCTP_TYPE_SPDM : MCTP_TYPE_FMAPI;
	o[1] = s->fault == F_CAT ? 0 : 1;			/* category */
	o[2] = (uint8_t)(q[2] + (s->fault == F_TAG));		/* tag */
	o[3] = 0;
	o[4] = (uint8_t)op;
	o[5] = (uint8_t)(op >> 8);
	o[6] = (uint8_t)len;
	o[7] = (uint8_t)(len >> 8);
	o[8] = (uint8_t)((len >> 16) | (s->bg ? 0x80 : 0));
	o[9] = (uint8_t)s->rc;
	o[10] = (uint8_t)(s->rc >> 8);
	o[11] = 0;
	o[12] = 0;
	if (s->big)
		memset(o + 13, 0, plen);
	else if (plen)
		memcpy(o + 13, s->pl, plen);
	*rsp_len = 13 + plen;
	return 0;
}

static const struct mctp_chan_ops fake_ops = { .exchange = fake_exchange };

/* a step answering rc with the given payload bytes */
#define STEP(rc_, ...) \
	((struct step){ .rc = (rc_), .pl = { __VA_ARGS__ }, \
			.plen = sizeof((uint8_t[]){ 0, __VA_ARGS__ }) - 1 })
#define EMPTY(rc_) ((struct step){ .rc = (rc_) })
/* Background Operation Status payload: running/percent, opcode, rc */
#define BG(running, pct, op, rc_) \
	STEP(0, (uint8_t)((pct) << 1 | (running)), 0, (uint8_t)(op), (uint8_t)((op) >> 8), \
	     (uint8_t)(rc_), 0, 0, 0)

struct clock {
	uint64_t now;
	unsigned sleeps;
	bool frozen;
};

static uint64_t clk_now(void *priv)
{
	return ((struct clock *)priv)->now;
}

static void clk_sleep(void *priv, unsigned ms)
{
	struct clock *c = priv;

	c->sleeps++;
	if (!c->frozen)
		c->now += ms;
}

struct rig {
	struct fake f;
	struct clock clk;
	struct mctp_chan *chan;
	struct fmapi_req *r;
};

static struct rig *rig_new(void)
{
	struct rig *g = calloc(1, sizeof(*g));
	struct fmapi_clock c = { clk_now, clk_sleep, NULL };

	if (!g || mctp_chan_new(ctx, &fake_ops, &g->f, "fake", &g->chan) ||
	    fmapi_req_new(ctx, &g->r))
		abort();
	g->clk.now = 1000;
	c.priv = &g->clk;
	fmapi_req_set_clock(g->r, &c);
	return g;
}

static void rig_free(struct rig *g)
{
	fmapi_req_free(g->r);
	mctp_chan_free(g->chan);
	free(g);
}

static void script(struct rig *g, int n, const struct step *steps)
{
	memcpy(g->f.steps, steps, (size_t)n * sizeof(*steps));
	g->f.nsteps = n;
	g->f.next = 0;
	g->f.nreq = 0;
}

/* --- sans-I/O --- */

static void t_build_tags(void)
{
	struct fmapi_req *r;
	uint8_t out[32];
	size_t len;
	static const uint8_t want[15] = { 0x00, 0x01, 0x00, 0x01, 0x51, 0x03, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x03 };
	static const uint8_t pl[3] = { 2, 1, 3 };

	T_EQ(fmapi_req_new(ctx, &r), 0);
	T_EQ(fmapi_req_build(r, FMAPI_OP_IDENTIFY, NULL, 0, out, sizeof(out), &len), 0);
	T_EQ(len, 12);
	T_EQ(out[1], 0);
	T_EQ(fmapi_req_build(r, FMAPI_OP_GET_PORT_STATE, pl, 3, out, sizeof(out), &len), 0);
	T_EQ(len, 15);
	T_MEMEQ(out, want, 15);
	T_EQ(fmapi_req_build(r, FMAPI_OP_IDENTIFY, NULL, 0, out, 11, &len), -EMSGSIZE);
	/* a failed build does not use up a tag */
	T_EQ(fmapi_req_build(r, FMAPI_OP_IDENTIFY, NULL, 0, out, sizeof(out), &len), 0);
	T_EQ(out[1], 2);
	fmapi_req_free(r);
}

/* builds one request for op and checks rsp (12-byte header + payload) against it */
static int check(struct fmapi_req *r, uint16_t op, const uint8_t *rsp, size_t len,
		 struct fmapi_hdr *h)
{
	uint8_t out[16];
	const uint8_t *p;
	size_t olen, plen;

	if (fmapi_req_build(r, op, NULL, 0, out, sizeof(out), &olen))
		return -999;
	return fmapi_rsp_check(r, rsp, len, h, &p, &plen);
}

static void t_rsp_check(void)
{
	struct fmapi_req *r;
	struct fmapi_hdr h;
	/* response to tag 0, Identify, success, no payload */
	uint8_t ok[12] = { 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0 };
	uint8_t b[12];
	const uint8_t *p;
	size_t plen;

	T_EQ(fmapi_req_new(ctx, &r), 0);
	T_EQ(check(r, FMAPI_OP_IDENTIFY, ok, 12, &h), 0);
	T_EQ(h.return_code, 0);
	/* tag 1 outstanding now; the same answer carries tag 0 */
	T_EQ(check(r, FMAPI_OP_IDENTIFY, ok, 12, &h), -EPROTO);
	T_CONTAINS(msg(), "expected tag 1, got 0");
	/* the request itself echoed back: category 0 */
	memcpy(b, ok, 12);
	b[0] = 0;
	b[1] = 2;
	T_EQ(check(r, FMAPI_OP_IDENTIFY, b, 12, &h), -EPROTO);
	T_CONTAINS(msg(), "expected a response (category 1), got category 0");
	/* another opcode */
	b[0] = 1;
	b[1] = 3;
	b[3] = 0x02;
	T_EQ(check(r, FMAPI_OP_IDENTIFY, b, 12, &h), -EPROTO);
	T_CONTAINS(msg(), "expected opcode 0x0001 echoed, got 0x0002");
	/* truncated header */
	T_EQ(check(r, FMAPI_OP_IDENTIFY, b, 7, &h), -EBADMSG);
	/* nothing outstanding any more */
	T_EQ(fmapi_rsp_check(r, ok, 12, &h, &p, &plen), -EPROTO);
	T_CONTAINS(msg(), "without an outstanding request");
	/* a well-formed failure is the caller's to judge */
	memcpy(b, ok, 12);
	b[1] = 5;
	b[8] = FMAPI_RC_BUSY;
	T_EQ(check(r, FMAPI_OP_IDENTIFY, b, 12, &h), 0);
	T_EQ(h.return_code, FMAPI_RC_BUSY);
	T_EQ(fmapi_req_last_rc(r), FMAPI_RC_BUSY);
	fmapi_req_free(r);
}

static void t_limits_sans_io(void)
{
	struct fmapi_req *r;
	uint8_t *big = calloc(1, 1u << 12), out[300];
	size_t len;
	struct fmapi_hdr h;
	const uint8_t *p;
	size_t plen;

	T_EQ(fmapi_req_new(ctx, &r), 0);
	T_EQ(fmapi_req_set_max_req(r, 7), -EINVAL);
	T_EQ(fmapi_req_set_max_req(r, 21), -EINVAL);
	T_EQ(fmapi_req_set_max_req(r, 8), 0);
	/* 12 + 244 = 256 fits 2^8, one more byte does not */
	T_EQ(fmapi_req_build(r, FMAPI_OP_GET_PORT_STATE, big, 244, out, sizeof(out), &len), 0);
	T_EQ(fmapi_req_build(r, FMAPI_OP_GET_PORT_STATE, big, 245, out, sizeof(out), &len),
	     -EMSGSIZE);
	T_CONTAINS(msg(), "request of 257 bytes exceeds the device's limit of 256");
	T_EQ(fmapi_req_set_max_req(r, 0), 0);
	T_EQ(fmapi_req_build(r, FMAPI_OP_GET_PORT_STATE, big, 245, out, sizeof(out), &len), 0);
	/* response limit: 2^8 payload bytes */
	T_EQ(fmapi_req_set_rsp_limit(r, 8), 0);
	big[0] = 1;		/* response to tag 1 (the refused build used none) */
	big[1] = 1;
	big[3] = 0x01;
	big[4] = 0x51;
	big[6] = 0x01;		/* 257 bytes */
	big[5] = 0x01;
	T_EQ(fmapi_rsp_check(r, big, 12 + 257, &h, &p, &plen), -EMSGSIZE);
	T_CONTAINS(msg(), "payload of 257 bytes exceeds the response message limit of 256");
	T_EQ(fmapi_req_build(r, FMAPI_OP_GET_PORT_STATE, NULL, 0, out, sizeof(out), &len), 0);
	big[1] = 2;
	big[5] = 0x00;		/* 256 bytes */
	T_EQ(fmapi_rsp_check(r, big, 12 + 256, &h, &p, &plen), 0);
	T_EQ(fmapi_req_set_mctp_type(r, MCTP_TYPE_SPDM), -EINVAL);
	T_EQ(fmapi_req_set_mctp_type(r, MCTP_TYPE_CCI), 0);
	T_EQ(fmapi_req_set_bg(r, 0, 100), -EINVAL);
	T_EQ(fmapi_req_set_bg(r, 1001, 100), -EINVAL);
	free(big);
	fmapi_req_free(r);
}

/* --- blocking, over the scripted channel --- */

static void t_identify_sets_limit(void)
{
	struct rig *g = rig_new();
	struct fmapi_identify id;
	struct fmapi_port_state_req q = { .num_ports = 250 };
	struct fmapi_port_state_rsp *ps = calloc(1, sizeof(*ps));
	struct step s[] = { STEP(0, 0x86, 0x80, 0x34, 0x12, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
				 8, 0) };

	script(g, 1, s);
	T_EQ(fmapi_identify(g->r, g->chan, &id), 0);
	T_EQ(id.vendor_id, 0x8086);
	T_EQ(id.serial, 0x0807060504030201ull);
	T_EQ(g->f.nreq, 1);
	T_EQ(g->f.ops[0], FMAPI_OP_IDENTIFY);
	T_EQ(g->f.req_len[0], 13);
	/* 12 + 1 + 250 bytes > 2^8: refused before anything is sent */
	T_EQ(fmapi_port_state(g->r, g->chan, &q, ps), -EMSGSIZE);
	T_CONTAINS(msg(), "263 bytes exceeds the device's limit of 256");
	T_EQ(g->f.nreq, 1);
	free(ps);
	rig_free(g);
}

static void t_busy_retried(void)
{
	struct rig *g = rig_new();
	struct fmapi_ld_info li;
	struct step s[] = { EMPTY(FMAPI_RC_BUSY), EMPTY(FMAPI_RC_RETRY),
			    STEP(0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1) };

	script(g, 3, s);
	T_EQ(fmapi_ld_info(g->r, g->chan, &li), 0);
	T_EQ(li.memory_size, 1ull << 32);
	T_EQ(li.ld_count, 2);
	T_EQ(g->f.nreq, 3);
	/* each attempt is a new request with a new tag */
	T_EQ(g->f.tags[0], 0);
	T_EQ(g->f.tags[1], 1);
	T_EQ(g->f.tags[2], 2);
	T_EQ(g->clk.sleeps, 2);
	rig_free(g);
}

static void t_busy_bounded(void)
{
	struct rig *g = rig_new();
	struct fmapi_ld_info li;
	struct step s[] = { EMPTY(FMAPI_RC_BUSY) };

	script(g, 1, s);
	fmapi_req_set_retries(g->r, 2, 5);
	T_EQ(fmapi_ld_info(g->r, g->chan, &li), -EBUSY);
	T_CONTAINS(msg(), "get-ld-info (0x5400): device returned busy (6)");
	T_EQ(g->f.nreq, 3);
	fmapi_req_set_retries(g->r, 0, 0);
	script(g, 1, s);
	T_EQ(fmapi_ld_info(g->r, g->chan, &li), -EBUSY);
	T_EQ(g->f.nreq, 1);
	rig_free(g);
}

static void t_every_rc(void)
{
	struct rig *g = rig_new();
	uint8_t out[8];
	size_t len;

	fmapi_req_set_retries(g->r, 0, 0);
	for (uint16_t rc = 2; rc <= 0x20; rc++) {
		struct step s[] = { EMPTY(rc) };
		const char *name = fmapi_rc_name(rc);
		char num[16];

		script(g, 1, s);
		T_EQ(fmapi_exchange(g->r, g->chan, FMAPI_OP_IDENTIFY_SWITCH, NULL, 0, out,
				    sizeof(out), &len), fmapi_rc_errno(rc));
		T_CONTAINS(msg(), name ? name : "an unknown return code");
		snprintf(num, sizeof(num), "(%u)", rc);
		T_CONTAINS(msg(), num);
		T_CONTAINS(msg(), "identify-switch-device (0x5100)");
		T_EQ(fmapi_req_last_rc(g->r), rc);
	}
	rig_free(g);
}

static void t_bg_completes(void)
{
	struct rig *g = rig_new();
	struct fmapi_bind b = { .vcs_id = 0, .vppb_id = 1, .port_id = 3, .ld_id = FMAPI_LD_NONE };
	struct step s[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true },
			    BG(1, 10, 0x5201, 0), BG(1, 60, 0x5201, 0), BG(0, 100, 0x5201, 0) };

	script(g, 4, s);
	T_EQ(fmapi_bind(g->r, g->chan, &b), 0);
	T_EQ(g->f.nreq, 4);
	T_EQ(g->f.ops[0], FMAPI_OP_BIND_VPPB);
	T_EQ(g->f.req_len[0], 1 + 12 + 6);
	T_EQ(g->f.ops[1], FMAPI_OP_BG_OP_STATUS);
	T_EQ(g->f.ops[3], FMAPI_OP_BG_OP_STATUS);
	T_EQ(g->clk.sleeps, 3);
	T_EQ(fmapi_req_last_rc(g->r), 0);
	rig_free(g);
}

static void t_bg_status_busy(void)
{
	struct rig *g = rig_new();
	struct fmapi_bind b = { .vppb_id = 1, .port_id = 3, .ld_id = FMAPI_LD_NONE };
	struct step s[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true }, EMPTY(FMAPI_RC_BUSY),
			    BG(0, 100, 0x5201, 0) };
	struct step busy[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true }, EMPTY(FMAPI_RC_BUSY) };

	script(g, 3, s);
	T_EQ(fmapi_bind(g->r, g->chan, &b), 0);
	T_EQ(g->f.nreq, 3);
	/* busy for ever: the deadline still holds */
	script(g, 2, busy);
	T_EQ(fmapi_req_set_bg(g->r, 10, 50), 0);
	T_EQ(fmapi_bind(g->r, g->chan, &b), -ETIMEDOUT);
	T_EQ(g->f.nreq, 1 + 5);
	rig_free(g);
}

static void t_bg_final_failure(void)
{
	struct rig *g = rig_new();
	struct fmapi_unbind u = { .vcs_id = 0, .vppb_id = 1, .option = FMAPI_UNBIND_WAIT };
	struct step s[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true },
			    BG(0, 100, 0x5202, FMAPI_RC_INVALID_INPUT) };

	script(g, 2, s);
	T_EQ(fmapi_unbind(g->r, g->chan, &u), -EREMOTEIO);
	T_CONTAINS(msg(), "unbind-vppb (0x5202) in the background: device returned "
		   "invalid-input (2)");
	T_EQ(fmapi_req_last_rc(g->r), FMAPI_RC_INVALID_INPUT);
	rig_free(g);
}

static void t_bg_never_finishes(void)
{
	struct rig *g = rig_new();
	struct fmapi_bind b = { .vppb_id = 1, .port_id = 3, .ld_id = FMAPI_LD_NONE };
	struct step s[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true }, BG(1, 40, 0x5201, 0) };

	script(g, 2, s);
	T_EQ(fmapi_req_set_bg(g->r, 10, 100), 0);
	T_EQ(fmapi_bind(g->r, g->chan, &b), -ETIMEDOUT);
	T_CONTAINS(msg(), "bind-vppb (0x5201)");
	T_CONTAINS(msg(), "after 100 ms (40% complete)");
	/* 100 ms at 10 ms a poll */
	T_EQ(g->f.nreq, 1 + 10);
	rig_free(g);
}

static void t_bg_clock_frozen(void)
{
	struct rig *g = rig_new();
	struct fmapi_bind b = { .vppb_id = 1, .port_id = 3, .ld_id = FMAPI_LD_NONE };
	struct step s[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true }, BG(1, 5, 0x5201, 0) };

	script(g, 2, s);
	g->clk.frozen = true;
	T_EQ(fmapi_req_set_bg(g->r, 10, 100), 0);
	T_EQ(fmapi_bind(g->r, g->chan, &b), -ETIMEDOUT);
	/* bounded by the poll count when time stands still */
	T_TRUE(g->f.nreq <= 1 + 100 / 10 + 2);
	rig_free(g);
}

static void t_bg_wrong_opcode(void)
{
	struct rig *g = rig_new();
	struct fmapi_bind b = { .vppb_id = 1, .port_id = 3, .ld_id = FMAPI_LD_NONE };
	struct step s[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true }, BG(1, 5, 0x5202, 0) };

	script(g, 2, s);
	T_EQ(fmapi_bind(g->r, g->chan, &b), -EPROTO);
	T_CONTAINS(msg(), "bind-vppb (0x5201): background operation status reports opcode "
		   "0x5202");
	rig_free(g);
}

static void t_bg_status_fails(void)
{
	struct rig *g = rig_new();
	struct fmapi_bind b = { .vppb_id = 1, .port_id = 3, .ld_id = FMAPI_LD_NONE };
	struct step s[] = { { .rc = FMAPI_RC_BACKGROUND, .bg = true },
			    EMPTY(FMAPI_RC_UNSUPPORTED) };

	script(g, 2, s);
	T_EQ(fmapi_bind(g->r, g->chan, &b), -EOPNOTSUPP);
	T_CONTAINS(msg(), "background-operation-status (0x0002)");
	rig_free(g);
}

static void t_device_faults(void)
{
	static const struct { enum fault f; int rc; const char *say; } cases[] = {
		{ F_TAG, -EPROTO, "expected tag" },
		{ F_CAT, -EPROTO, "got category 0" },
		{ F_OP, -EPROTO, "expected opcode 0x5400 echoed, got 0x5401" },
		{ F_LEN_MORE, -EBADMSG, "says 12 bytes, 11 present" },
		{ F_LEN_LESS, -EBADMSG, "says 10 bytes, 11 present" },
		{ F_TYPE, -EPROTO, "MCTP message type 0x05" },
	};
	struct rig *g = rig_new();
	struct fmapi_ld_info li;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct step s[] = { STEP(0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1) };

		s[0].fault = cases[i].f;
		script(g, 1, s);
		T_EQ(fmapi_ld_info(g->r, g->chan, &li), cases[i].rc);
		T_CONTAINS(msg(), cases[i].say);
	}
	rig_free(g);
}

static void t_truncated_payload(void)
{
	struct rig *g = rig_new();
	struct fmapi_ld_info li;
	struct fmapi_switch_info sw;
	struct step s[] = { STEP(0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0) };
	struct step e[] = { EMPTY(0) };

	script(g, 1, s);
	T_EQ(fmapi_ld_info(g->r, g->chan, &li), -EBADMSG);
	T_CONTAINS(msg(), "Get LD Info: payload of 10 bytes is truncated");
	script(g, 1, e);
	T_EQ(fmapi_identify_switch(g->r, g->chan, &sw), -EBADMSG);
	rig_free(g);
}

static void t_response_limits(void)
{
	struct rig *g = rig_new();
	uint8_t n = 0, out[16];
	size_t len;
	struct step lim[] = { STEP(0, 8) };
	struct step big[] = { { .rc = 0, .big = 300 } };
	struct step set[] = { STEP(0, 9) };

	script(g, 1, lim);
	T_EQ(fmapi_get_msg_limit(g->r, g->chan, &n), 0);
	T_EQ(n, 8);
	script(g, 1, big);
	T_EQ(fmapi_exchange(g->r, g->chan, FMAPI_OP_IDENTIFY_SWITCH, NULL, 0, out, sizeof(out),
			    &len), -EMSGSIZE);
	T_CONTAINS(msg(), "exceeds the response message limit of 256");
	script(g, 1, set);
	T_EQ(fmapi_set_msg_limit(g->r, g->chan, 9, &n), 0);
	T_EQ(n, 9);
	T_EQ(g->f.req_len[0], 1 + 12 + 1);
	/* now it fits the limit, but not our buffer */
	script(g, 1, big);
	T_EQ(fmapi_exchange(g->r, g->chan, FMAPI_OP_IDENTIFY_SWITCH, NULL, 0, out, sizeof(out),
			    &len), -EMSGSIZE);
	T_CONTAINS(msg(), "300 bytes exceeds the 16-byte buffer");
	T_EQ(fmapi_set_msg_limit(g->r, g->chan, 21, &n), -EINVAL);
	rig_free(g);
}

static void t_port_state_over_chan(void)
{
	struct rig *g = rig_new();
	struct fmapi_port_state_req q = { .num_ports = 1, .ports = { 3 } };
	struct fmapi_port_state_rsp *ps = calloc(1, sizeof(*ps));
	struct step ok[] = { STEP(0, 1, 0, 0, 0, 3, 3, 2, 0, 4, 6, 16, 8, 0x1F, 5, 4, 4, 0, 0, 0,
				  1) };
	struct step other[] = { STEP(0, 1, 0, 0, 0, 4, 3, 2, 0, 4, 6, 16, 8, 0x1F, 5, 4, 4, 0, 0,
				     0, 1) };

	script(g, 1, ok);
	T_EQ(fmapi_port_state(g->r, g->chan, &q, ps), 0);
	T_EQ(ps->ports[0].dev_type, FMAPI_DEV_TYPE3_SLD);
	T_EQ(g->f.req_len[0], 1 + 12 + 2);
	script(g, 1, other);
	T_EQ(fmapi_port_state(g->r, g->chan, &q, ps), -EPROTO);
	T_CONTAINS(msg(), "entry 0 is port 4, asked for port 3");
	/* two asked for, one answered */
	q.num_ports = 2;
	q.ports[1] = 4;
	script(g, 1, ok);
	T_EQ(fmapi_port_state(g->r, g->chan, &q, ps), -EPROTO);
	T_CONTAINS(msg(), "asked for 2 ports, got 1");
	free(ps);
	rig_free(g);
}

static void t_vcs_over_chan(void)
{
	struct rig *g = rig_new();
	struct fmapi_vcs_info_req q = { .start_vppb = 0, .vppb_limit = 4, .num_vcs = 1 };
	struct fmapi_vcs_info_rsp *v = calloc(1, sizeof(*v));
	struct step ok[] = { STEP(0, 1, 0, 0, 0, 0, 1, 0, 2, 2, 3, 0xFF, 0, 0, 0, 0, 0) };
	struct step two[] = { STEP(0, 2, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0) };

	script(g, 1, ok);
	T_EQ(fmapi_vcs_info(g->r, g->chan, &q, v), 0);
	T_EQ(v->vcs[0].listed, 2);
	T_EQ(v->vcs[0].vppbs[0].port_id, 3);
	script(g, 1, two);
	T_EQ(fmapi_vcs_info(g->r, g->chan, &q, v), -EPROTO);
	T_CONTAINS(msg(), "asked for 1 VCSs, got 2");
	free(v);
	rig_free(g);
}

static void t_port_control_ppb(void)
{
	struct rig *g = rig_new();
	struct fmapi_port_control pc = { .port_id = 2, .op = FMAPI_PORT_OP_ASSERT_PERST };
	struct fmapi_ppb_config rd = { .port_id = 2, .reg = 0, .byte_enable = 0xF };
	struct fmapi_ppb_config wr = { .port_id = 2, .reg = 1, .byte_enable = 0xF, .write = true,
				       .data = 7 };
	struct step empty[] = { EMPTY(0) };
	struct step data[] = { STEP(0, 0x86, 0x80, 0x34, 0x12) };
	struct step junk[] = { STEP(0, 1) };
	uint32_t v = 0;

	script(g, 1, empty);
	T_EQ(fmapi_port_control(g->r, g->chan, &pc), 0);
	T_EQ(g->f.ops[0], FMAPI_OP_PORT_CONTROL);
	script(g, 1, junk);
	T_EQ(fmapi_port_control(g->r, g->chan, &pc), -EBADMSG);
	script(g, 1, data);
	T_EQ(fmapi_ppb_config(g->r, g->chan, &rd, &v), 0);
	T_EQ(v, 0x12348086);
	script(g, 1, empty);
	T_EQ(fmapi_ppb_config(g->r, g->chan, &rd, &v), -EBADMSG);
	T_EQ(fmapi_ppb_config(g->r, g->chan, &wr, NULL), 0);
	script(g, 1, data);
	T_EQ(fmapi_ppb_config(g->r, g->chan, &wr, NULL), 0);
	rig_free(g);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_build_tags);
	T_RUN(t_rsp_check);
	T_RUN(t_limits_sans_io);
	T_RUN(t_identify_sets_limit);
	T_RUN(t_busy_retried);
	T_RUN(t_busy_bounded);
	T_RUN(t_every_rc);
	T_RUN(t_bg_completes);
	T_RUN(t_bg_status_busy);
	T_RUN(t_bg_final_failure);
	T_RUN(t_bg_never_finishes);
	T_RUN(t_bg_clock_frozen);
	T_RUN(t_bg_wrong_opcode);
	T_RUN(t_bg_status_fails);
	T_RUN(t_device_faults);
	T_RUN(t_truncated_payload);
	T_RUN(t_response_limits);
	T_RUN(t_port_state_over_chan);
	T_RUN(t_vcs_over_chan);
	T_RUN(t_port_control_ppb);
	doe_ctx_free(ctx);
	return T_DONE();
}
