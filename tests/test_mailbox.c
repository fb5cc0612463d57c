// SPDX-License-Identifier: MIT
/*
 * The DOE mailbox engine (src/doe/mailbox.c) end to end against the
 * register-level emulator: every byte crosses Write Data Mailbox, Go,
 * Status and Read Data Mailbox exactly as on hardware (PCIe §6.30.2).
 * Fault knobs make the device misbehave; the step API with a fake clock
 * tests the timeouts to the nanosecond without sleeping.
 */
#include <pthread.h>
#include <stdlib.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include "internal.h"
#include "t.h"

#define ECHO_VID 0x1234u
#define ECHO_TYPE 0x42u
#define TIMEOUT_MS 30u
#define POLL_US 200u
#define MS(x) ((uint64_t)(x) * 1000000u)

static struct doe_ctx *ctx;

/* ---- the echo protocol: the response is the request ---- */

struct echo {
	unsigned int calls;
};

static int echo_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			size_t rsp_cap, size_t *rsp_len)
{
	struct echo *e = priv;

	e->calls++;
	if (req_len > rsp_cap)
		return -ENOSPC;
	if (req_len)
		memcpy(rsp, req, req_len);
	*rsp_len = req_len;
	return 0;
}

/* ---- a spy between the engine and the emulator ---- */

/*
 * Forwards to the emulated function, counts what the engine does with
 * Interrupt Status and Control, and fails accesses to one register on
 * request (a device that went away, a backend error).
 */
struct spy {
	struct doe_cfg *inner;
	uint16_t base;
	uint16_t fail_read;	/* DOE_REG_* whose reads fail, 0 = none */
	uint16_t fail_write;
	unsigned int int_seen;	/* Status reads with Interrupt Status set */
	unsigned int int_clears;	/* RW1C writes of Interrupt Status */
	unsigned int ctrl_int_en;	/* Control writes with Interrupt Enable */
};

static int spy_read32(void *priv, uint16_t off, uint32_t *val)
{
	struct spy *s = priv;
	int rc;

	if (s->fail_read && off == s->base + s->fail_read)
		return doe_err(ctx, -EIO, "spy: injected read failure at 0x%x", off);
	rc = doe_cfg_read32(s->inner, off, val);
	if (rc == 0 && off == s->base + DOE_REG_STATUS && (*val & DOE_STATUS_INT_STATUS))
		s->int_seen++;
	return rc;
}

static int spy_write32(void *priv, uint16_t off, uint32_t val)
{
	struct spy *s = priv;

	if (s->fail_write && off == s->base + s->fail_write)
		return doe_err(ctx, -EIO, "spy: injected write failure at 0x%x", off);
	if (off == s->base + DOE_REG_STATUS && (val & DOE_STATUS_INT_STATUS))
		s->int_clears++;
	if (off == s->base + DOE_REG_CTRL && (val & DOE_CTRL_INT_EN))
		s->ctrl_int_en++;
	return doe_cfg_write32(s->inner, off, val);
}

static const struct doe_cfg_ops spy_ops = { .read32 = spy_read32, .write32 = spy_write32 };

/* ---- fixture: one function, one mailbox with the echo protocol ---- */

struct fx {
	struct emu_fn *fn;
	struct emu_mb *emb;
	struct doe_cfg *cfg;	/* the emulated function */
	struct doe_cfg *spy_cfg;	/* the spy in front of it, when asked */
	struct doe_mb *mb;
	struct echo echo;
	struct spy spy;
};

static int fx_open(struct fx *f, uint8_t cap_version, bool irq, bool with_spy)
{
	struct emu_fn_info info = {
		.bdf = { 0, 0x0d, 0, 0 }, .vendor_id = 0x8086, .device_id = 0x0D93,
		.port_type = EMU_PCIE_ENDPOINT, .link_speed = 5, .link_width = 8,
	};
	struct doe_cfg *use;

	memset(f, 0, sizeof(*f));
	doe_ctx_clear_error(ctx);
	if (emu_fn_new(ctx, &info, &f->fn) || emu_fn_add_doe(f->fn, cap_version, irq, &f->emb) ||
	    emu_mb_add_protocol(f->emb, ECHO_VID, ECHO_TYPE, echo_handler, &f->echo) ||
	    emu_fn_cfg_open(f->fn, &f->cfg))
		return -1;
	use = f->cfg;
	if (with_spy) {
		f->spy.inner = f->cfg;
		f->spy.base = emu_mb_offset(f->emb);
		if (doe_cfg_new(ctx, &spy_ops, &f->spy, "spy", &f->spy_cfg))
			return -1;
		use = f->spy_cfg;
	}
	if (doe_mb_new(use, emu_mb_offset(f->emb), &f->mb) ||
	    doe_mb_set_timeout_ms(f->mb, TIMEOUT_MS) || doe_mb_set_poll_us(f->mb, POLL_US))
		return -1;
	return 0;
}

static void fx_close(struct fx *f)
{
	doe_mb_free(f->mb);
	doe_cfg_free(f->spy_cfg);
	doe_cfg_free(f->cfg);
	emu_fn_free(f->fn);
}

#define FX_OPEN(f, ver, irq, spy)                          \
	do {                                               \
		if (fx_open(f, ver, irq, spy)) {           \
			T_FAIL_("fixture: %s", doe_ctx_errmsg(ctx)); \
			fx_close(f);                       \
			return;                            \
		}                                          \
	} while (0)

/* One echo of n patterned bytes; 0 when the answer came back intact. */
static int echo_ok(struct fx *f, size_t n)
{
	uint8_t req[64], rsp[64];
	size_t len = 0;
	int rc;

	for (size_t i = 0; i < n && i < sizeof(req); i++)
		req[i] = (uint8_t)(0xC0 + i);
	rc = doe_exchange(f->mb, ECHO_VID, ECHO_TYPE, req, n, rsp, sizeof(rsp), &len);
	if (rc)
		return rc;
	return len == n && !memcmp(req, rsp, n) ? 0 : -EPROTO;
}

static uint64_t emu_aborts(const struct fx *f)
{
	struct emu_mb_stats st;

	emu_mb_stats(f->emb, &st);
	return st.aborts;
}

/* ---- echo sizes: padding of a partial last DW, both Length encodings ---- */

static void echo_size(size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3, len = 0;
	uint8_t *req = malloc(n ? n : 1), *rsp = malloc(padded + 8);
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	for (size_t i = 0; i < n; i++)
		req[i] = (uint8_t)(i * 7 + 1);
	memset(rsp, 0xAA, padded + 8);
	T_EQ(doe_exchange(f.mb, ECHO_VID, ECHO_TYPE, req, n, rsp, padded + 8, &len), 0);
	/* the device saw the request zero-padded to whole DWs, and echoes them */
	T_EQ(len, padded);
	T_MEMEQ(rsp, req, n);
	for (size_t i = n; i < padded; i++)
		T_EQ(rsp[i], 0);
	T_EQ(rsp[padded], 0xAA);	/* nothing stored past the response */
	T_EQ(f.echo.calls, 1);
	T_EQ(emu_aborts(&f), 0);
	fx_close(&f);
	free(req);
	free(rsp);
}

static void t_echo_0(void) { echo_size(0); }
static void t_echo_1(void) { echo_size(1); }
static void t_echo_3(void) { echo_size(3); }
static void t_echo_4(void) { echo_size(4); }
static void t_echo_5(void) { echo_size(5); }
static void t_echo_1k(void) { echo_size(1024); }
static void t_echo_64k(void) { echo_size(65536); }
/* 2^18 DW including the header: the Length field is 0 both ways */
static void t_echo_max(void) { echo_size(DOE_MAX_PAYLOAD); }

static void t_request_too_large(void)
{
	size_t n = DOE_MAX_PAYLOAD + 1, len = 0;
	uint8_t *req = calloc(1, n), rsp[8];
	struct doe_cfg_stats st;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	doe_cfg_stats_reset(f.cfg);
	T_EQ(doe_exchange(f.mb, ECHO_VID, ECHO_TYPE, req, n, rsp, sizeof(rsp), &len), -EMSGSIZE);
	T_CONTAINS(doe_ctx_errmsg(ctx), "request of 1048569 bytes exceeds the 1048568-byte");
	doe_cfg_stats(f.cfg, &st);
	T_EQ(st.reads + st.writes, 0);	/* refused before touching the device */
	T_EQ(echo_ok(&f, 8), 0);
	fx_close(&f);
	free(req);
}

static void t_response_overflow(void)
{
	uint8_t req[64], rsp[16];
	size_t len = 0;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	for (size_t i = 0; i < sizeof(req); i++)
		req[i] = (uint8_t)i;
	memset(rsp, 0xAA, sizeof(rsp));
	T_EQ(doe_exchange(f.mb, ECHO_VID, ECHO_TYPE, req, sizeof(req), rsp, 10, &len), -EOVERFLOW);
	T_EQ(len, 64);			/* the full length the device sent */
	T_MEMEQ(rsp, req, 10);		/* the part that fits */
	T_EQ(rsp[10], 0xAA);
	T_CONTAINS(doe_ctx_errmsg(ctx), "response of 64 bytes does not fit the 10-byte buffer");
	T_EQ(emu_aborts(&f), 0);	/* drained, not aborted */
	T_TRUE(!doe_mb_is_dead(f.mb));
	T_EQ(echo_ok(&f, 12), 0);	/* no stale DWs left behind */

	/* no buffer at all: still drained and reported */
	T_EQ(doe_exchange(f.mb, ECHO_VID, ECHO_TYPE, req, 16, NULL, 0, &len), -EOVERFLOW);
	T_EQ(len, 16);
	T_EQ(echo_ok(&f, 4), 0);
	T_EQ(emu_aborts(&f), 0);
	fx_close(&f);
}

static void t_unknown_protocol(void)
{
	uint8_t req[4] = { 1, 2, 3, 4 }, rsp[8];
	size_t len = 0;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	T_EQ(doe_exchange(f.mb, 0xABCD, 0x05, req, sizeof(req), rsp, sizeof(rsp), &len), -EIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "device set Error in response to the request [abcd, 05]");
	T_CONTAINS(doe_ctx_errmsg(ctx), "0000:0d:00.0 DOE@0x100");
	T_EQ(emu_aborts(&f), 1);
	T_EQ(echo_ok(&f, 4), 0);
	fx_close(&f);
}

/* Error already set (Go without a request) when we come to send. */
static void t_error_before_send(void)
{
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	doe_cfg_write32(f.cfg, (uint16_t)(emu_mb_offset(f.emb) + DOE_REG_CTRL), DOE_CTRL_GO);
	T_EQ(echo_ok(&f, 4), -EIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "Error bit set before the request was sent");
	T_EQ(f.echo.calls, 0);
	T_EQ(echo_ok(&f, 4), 0);
	fx_close(&f);
}

/* ---- every fault knob ---- */

struct fault_case {
	struct emu_fault fault;
	int rc;
	const char *msg;	/* names the step that failed */
	const char *msg2;	/* and, for a dead mailbox, says so */
	bool dead;
};

static const struct fault_case fault_cases[] = {
	{ { .kind = EMU_FAULT_NONE }, 0, NULL, NULL, false },
	{ { .kind = EMU_FAULT_STUCK_BUSY }, -EBUSY,
	  "mailbox stayed Busy for 30 ms before the request could be sent",
	  "Abort did not clear Busy/Error within 30 ms: mailbox marked dead", true },
	{ { .kind = EMU_FAULT_ERROR }, -EIO,
	  "device set Error in response to the request [1234, 42]", NULL, false },
	{ { .kind = EMU_FAULT_NEVER_READY }, -ETIMEDOUT,
	  "no response after 30 ms (waiting for Data Object Ready)", NULL, false },
	{ { .kind = EMU_FAULT_DROP_RESPONSE }, -ETIMEDOUT,
	  "no response after 30 ms (waiting for Data Object Ready)", NULL, false },
	{ { .kind = EMU_FAULT_LEN_GARBAGE }, -EIO,
	  "response Length field is 1 DW, less than its 2-DW header", NULL, false },
	/* 16 bytes echoed: 6 DW real, 10 declared */
	{ { .kind = EMU_FAULT_LEN_TOO_LARGE }, -EIO,
	  "response ended before its Length field of 10 DW (Data Object Ready cleared early)",
	  NULL, false },
	{ { .kind = EMU_FAULT_LEN_TOO_SMALL }, -EIO,
	  "response is longer than its Length field of 5 DW", NULL, false },
	{ { .kind = EMU_FAULT_WRONG_PROTOCOL }, -EIO,
	  "response is [vendor 1334, type 43], request was [1234, 42]", NULL, false },
	{ { .kind = EMU_FAULT_READY_AFTER_POLLS, .value = 3 }, 0, NULL, NULL, false },
	/* alone it changes nothing: a healthy exchange never aborts */
	{ { .kind = EMU_FAULT_ABORT_IGNORED }, 0, NULL, NULL, false },
	{ { .kind = EMU_FAULT_ERROR, .abort_ignored = true }, -EIO,
	  "device set Error in response to the request [1234, 42]",
	  "Abort did not clear Busy/Error within 30 ms: mailbox marked dead", true },
};

static void run_fault_case(const struct fault_case *c)
{
	uint8_t req[16], rsp[64];
	struct doe_cfg_stats st;
	size_t len = 0;
	struct fx f;
	int rc;

	FX_OPEN(&f, 1, false, false);
	memset(req, 0x5C, sizeof(req));
	emu_mb_set_fault(f.emb, &c->fault);
	rc = doe_exchange(f.mb, ECHO_VID, ECHO_TYPE, req, sizeof(req), rsp, sizeof(rsp), &len);
	T_EQ(rc, c->rc);
	if (c->rc == 0) {
		T_EQ(len, sizeof(req));
		T_MEMEQ(rsp, req, sizeof(req));
	}
	if (c->msg)
		T_CONTAINS(doe_ctx_errmsg(ctx), c->msg);
	if (c->msg2)
		T_CONTAINS(doe_ctx_errmsg(ctx), c->msg2);
	/* every failure issues exactly one Abort; a success none */
	T_EQ(emu_aborts(&f), c->rc ? 1 : 0);
	T_EQ(doe_mb_is_dead(f.mb), c->dead);

	/* afterwards, with the device healthy again */
	emu_mb_clear_fault(f.emb);
	if (!c->dead) {
		T_EQ(echo_ok(&f, 8), 0);
	} else {
		doe_cfg_stats_reset(f.cfg);
		T_EQ(echo_ok(&f, 8), -EIO);
		T_CONTAINS(doe_ctx_errmsg(ctx), "mailbox is dead");
		doe_cfg_stats(f.cfg, &st);
		T_EQ(st.reads + st.writes, 0);	/* fails at once */
		/* only an explicit reset revives it */
		T_EQ(doe_mb_reset(f.mb), 0);
		T_TRUE(!doe_mb_is_dead(f.mb));
		T_EQ(echo_ok(&f, 8), 0);
	}
	fx_close(&f);
}

static void t_fault_table(void)
{
	bool covered[EMU_FAULT_KIND_COUNT] = { false };
	char name[64];

	for (size_t i = 0; i < ARRAY_SIZE(fault_cases); i++) {
		const struct fault_case *c = &fault_cases[i];

		snprintf(name, sizeof(name), "fault %s%s", emu_fault_name(c->fault.kind),
			 c->fault.abort_ignored ? "+abort-ignored" : "");
		t_case_name = name;
		covered[c->fault.kind] = true;
		run_fault_case(c);
	}
	/* a new knob in enum emu_fault_kind needs a row here */
	t_case_name = "fault table covers every knob";
	for (int k = 0; k < EMU_FAULT_KIND_COUNT; k++)
		if (!covered[k])
			T_FAIL_("no case for fault %s", emu_fault_name((enum emu_fault_kind)k));
}

/* A fault limited to one exchange clears itself. */
static void t_fault_count(void)
{
	struct emu_fault ft = { .kind = EMU_FAULT_ERROR, .count = 1 };
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	emu_mb_set_fault(f.emb, &ft);
	T_EQ(echo_ok(&f, 4), -EIO);
	T_EQ(echo_ok(&f, 4), 0);
	fx_close(&f);
}

static void t_reset(void)
{
	struct emu_fault stuck = { .kind = EMU_FAULT_STUCK_BUSY };
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	T_EQ(doe_mb_reset(f.mb), 0);	/* a healthy mailbox resets at once */
	T_EQ(emu_aborts(&f), 1);
	emu_mb_set_fault(f.emb, &stuck);
	T_EQ(echo_ok(&f, 4), -EBUSY);
	T_TRUE(doe_mb_is_dead(f.mb));
	/* while the device is still stuck, reset fails and it stays dead */
	T_EQ(doe_mb_reset(f.mb), -EIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "reset; Abort did not clear Busy/Error within 30 ms");
	T_TRUE(doe_mb_is_dead(f.mb));
	emu_mb_clear_fault(f.emb);
	T_EQ(doe_mb_reset(f.mb), 0);
	T_TRUE(!doe_mb_is_dead(f.mb));
	T_EQ(echo_ok(&f, 4), 0);
	fx_close(&f);
}

/* Writing Abort fails: reset must report it and leave the mailbox dead. */
static void t_reset_abort_write_fails(void)
{
	struct fx f;

	FX_OPEN(&f, 1, false, true);
	f.spy.fail_write = DOE_REG_CTRL;
	T_EQ(doe_mb_reset(f.mb), -EIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "writing Abort failed: mailbox marked dead");
	T_TRUE(doe_mb_is_dead(f.mb));
	f.spy.fail_write = 0;
	T_EQ(echo_ok(&f, 4), -EIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "mailbox is dead");
	fx_close(&f);
}

/* The config backend fails while the response is read. */
static void t_config_read_fails(void)
{
	struct fx f;

	FX_OPEN(&f, 1, false, true);
	f.spy.fail_read = DOE_REG_READ;
	T_EQ(echo_ok(&f, 8), -EIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "config access failed while reading the response");
	T_CONTAINS(doe_ctx_errmsg(ctx), "spy: injected read failure");
	T_EQ(emu_aborts(&f), 1);
	f.spy.fail_read = 0;
	T_EQ(echo_ok(&f, 8), 0);
	fx_close(&f);
}

static void t_mb_new_checks(void)
{
	struct emu_fn_info info = { .bdf = { 0, 1, 2, 3 }, .port_type = EMU_PCIE_ENDPOINT };
	struct emu_fn *fn = NULL;
	struct emu_mb *emb = NULL;
	struct doe_cfg *cfg = NULL;
	struct doe_mb *mb = NULL;

	T_EQ(emu_fn_new(ctx, &info, &fn), 0);
	T_EQ(emu_fn_add_extcap(fn, 0x0001, 2, 0x48), 0);
	T_EQ(emu_fn_add_doe(fn, 2, true, &emb), 0);
	T_EQ(emu_mb_offset(emb), 0x148);
	T_EQ(emu_fn_cfg_open(fn, &cfg), 0);
	T_EQ(doe_mb_new(cfg, 0x100, &mb), -ENODEV);
	T_CONTAINS(doe_ctx_errmsg(ctx), "no DOE capability at 0x100 (found ID 0x0001)");
	T_EQ(doe_mb_new(cfg, 0x14A, &mb), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "0x14a is not a possible DOE capability offset");
	T_EQ(doe_mb_new(cfg, 0xFF0, &mb), -EINVAL);
	T_EQ(doe_mb_new(cfg, 0x148, &mb), 0);
	T_EQ(doe_mb_offset(mb), 0x148);
	T_EQ(doe_mb_cap_version(mb), 2);
	T_EQ(doe_mb_capabilities(mb) & DOE_CAP_INT_SUPPORT, DOE_CAP_INT_SUPPORT);
	T_EQ(doe_mb_set_timeout_ms(mb, 0), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "timeout 0 ms out of range");
	T_EQ(doe_mb_set_poll_us(mb, 0), -EINVAL);
	doe_mb_free(mb);
	doe_cfg_free(cfg);
	emu_fn_free(fn);
}

/* ---- step API with a fake clock ---- */

#define T0 ((uint64_t)5000000000u)

static void xfer_init(struct doe_xfer *x, const void *req, size_t req_len, void *rsp, size_t cap)
{
	memset(x, 0, sizeof(*x));
	x->vid = ECHO_VID;
	x->type = ECHO_TYPE;
	x->req = req;
	x->req_len = req_len;
	x->rsp = rsp;
	x->rsp_cap = cap;
}

static void t_step_healthy(void)
{
	uint8_t req[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, rsp[8];
	struct doe_xfer x;
	uint64_t next = 0;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	xfer_init(&x, req, sizeof(req), rsp, sizeof(rsp));
	T_EQ(doe_mb_begin(f.mb, &x, T0), 0);
	T_EQ(doe_mb_step(f.mb, T0, &next), 0);	/* the emulator answers at once */
	T_EQ(x.rsp_len, 8);
	T_EQ(x.rsp_full_len, 8);
	T_MEMEQ(rsp, req, 8);
	T_EQ(doe_mb_step(f.mb, T0, &next), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "no exchange in flight");
	fx_close(&f);
}

static void t_step_timeout_exact(void)
{
	struct emu_fault never = { .kind = EMU_FAULT_NEVER_READY };
	uint8_t req[4] = { 0 }, rsp[8];
	uint64_t deadline = T0 + MS(TIMEOUT_MS), next = 0;
	struct doe_xfer x;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	emu_mb_set_fault(f.emb, &never);
	xfer_init(&x, req, sizeof(req), rsp, sizeof(rsp));
	T_EQ(doe_mb_begin(f.mb, &x, T0), 0);
	T_EQ(doe_mb_step(f.mb, T0, &next), DOE_AGAIN);
	T_EQ(next, T0 + POLL_US * 1000u);
	T_EQ(doe_mb_step(f.mb, deadline - MS(1), &next), DOE_AGAIN);
	T_EQ(doe_mb_step(f.mb, deadline - 1, &next), DOE_AGAIN);
	T_EQ(next, deadline);		/* the poll is clamped to the deadline */
	T_EQ(emu_aborts(&f), 0);	/* not a nanosecond early */
	T_EQ(doe_mb_step(f.mb, deadline, &next), -ETIMEDOUT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "no response after 30 ms (waiting for Data Object Ready)");
	T_EQ(emu_aborts(&f), 1);
	T_TRUE(!doe_mb_is_dead(f.mb));
	fx_close(&f);
}

/* Stuck Busy: the wait before sending, then the wait after Abort, each
 * exactly one timeout long, and then the mailbox is dead. */
static void t_step_busy_then_dead_exact(void)
{
	struct emu_fault stuck = { .kind = EMU_FAULT_STUCK_BUSY };
	uint64_t d1 = T0 + MS(TIMEOUT_MS), d2 = d1 + MS(TIMEOUT_MS), next = 0;
	uint8_t req[4] = { 0 }, rsp[8];
	struct doe_xfer x;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	emu_mb_set_fault(f.emb, &stuck);
	xfer_init(&x, req, sizeof(req), rsp, sizeof(rsp));
	T_EQ(doe_mb_begin(f.mb, &x, T0), 0);
	T_EQ(doe_mb_step(f.mb, T0, &next), DOE_AGAIN);
	T_EQ(doe_mb_step(f.mb, d1 - 1, &next), DOE_AGAIN);
	T_EQ(emu_aborts(&f), 0);
	T_EQ(doe_mb_step(f.mb, d1, &next), DOE_AGAIN);	/* Abort written, waiting */
	T_EQ(emu_aborts(&f), 1);
	T_EQ(doe_mb_step(f.mb, d2 - 1, &next), DOE_AGAIN);
	T_EQ(next, d2);
	T_TRUE(!doe_mb_is_dead(f.mb));
	T_EQ(doe_mb_step(f.mb, d2, &next), -EBUSY);
	T_TRUE(doe_mb_is_dead(f.mb));
	T_EQ(doe_mb_begin(f.mb, &x, d2), -EIO);
	T_CONTAINS(doe_ctx_errmsg(ctx), "mailbox is dead");
	fx_close(&f);
}

static void t_step_second_begin_busy(void)
{
	uint8_t req[4] = { 9, 9, 9, 9 }, rsp1[8], rsp2[8];
	struct doe_xfer x1, x2;
	uint64_t next;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	xfer_init(&x1, req, sizeof(req), rsp1, sizeof(rsp1));
	xfer_init(&x2, req, sizeof(req), rsp2, sizeof(rsp2));
	T_EQ(doe_mb_begin(f.mb, &x1, T0), 0);
	T_EQ(doe_mb_begin(f.mb, &x2, T0), -EBUSY);
	T_CONTAINS(doe_ctx_errmsg(ctx), "another exchange is in flight");
	T_EQ(doe_exchange(f.mb, ECHO_VID, ECHO_TYPE, req, 4, rsp2, 8, NULL), -EBUSY);
	T_EQ(doe_mb_step(f.mb, T0, &next), 0);	/* the first one is unharmed */
	T_EQ(x1.rsp_len, 4);
	T_EQ(doe_mb_begin(f.mb, &x2, T0), 0);
	T_EQ(doe_mb_step(f.mb, T0, &next), 0);
	T_EQ(x2.rsp_len, 4);
	fx_close(&f);
}

static void t_step_cancel(void)
{
	struct emu_fault never = { .kind = EMU_FAULT_NEVER_READY };
	uint8_t req[4] = { 0 }, rsp[8];
	struct doe_xfer x;
	uint64_t next;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	emu_mb_set_fault(f.emb, &never);
	xfer_init(&x, req, sizeof(req), rsp, sizeof(rsp));
	T_EQ(doe_mb_cancel(f.mb, T0), 0);	/* nothing in flight: no-op */
	T_EQ(emu_aborts(&f), 0);
	T_EQ(doe_mb_begin(f.mb, &x, T0), 0);
	T_EQ(doe_mb_step(f.mb, T0, &next), DOE_AGAIN);
	T_EQ(doe_mb_cancel(f.mb, T0 + 1000), 0);
	T_EQ(emu_aborts(&f), 1);
	/* Abort cleared the device at once: the exchange ended as cancelled */
	T_EQ(doe_ctx_errcode(ctx), -ECANCELED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "exchange cancelled");
	T_EQ(doe_mb_step(f.mb, T0 + 2000, &next), -EINVAL);
	emu_mb_clear_fault(f.emb);
	T_EQ(doe_mb_begin(f.mb, &x, T0 + 3000), 0);
	T_EQ(doe_mb_step(f.mb, T0 + 3000, &next), 0);
	fx_close(&f);
}

/* Cancel while the device ignores Abort: stepping continues until the
 * Abort wait runs out, then the cancelled exchange leaves a dead mailbox. */
static void t_step_cancel_abort_ignored(void)
{
	struct emu_fault ft = { .kind = EMU_FAULT_NEVER_READY, .abort_ignored = true };
	uint8_t req[4] = { 0 }, rsp[8];
	uint64_t t1 = T0 + MS(5), next;
	struct doe_xfer x;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	emu_mb_set_fault(f.emb, &ft);
	xfer_init(&x, req, sizeof(req), rsp, sizeof(rsp));
	T_EQ(doe_mb_begin(f.mb, &x, T0), 0);
	T_EQ(doe_mb_step(f.mb, T0, &next), DOE_AGAIN);
	T_EQ(doe_mb_cancel(f.mb, t1), 0);
	T_EQ(doe_mb_step(f.mb, t1 + MS(TIMEOUT_MS) - 1, &next), DOE_AGAIN);
	T_EQ(doe_mb_step(f.mb, t1 + MS(TIMEOUT_MS), &next), -ECANCELED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "exchange cancelled; Abort did not clear Busy/Error");
	T_TRUE(doe_mb_is_dead(f.mb));
	fx_close(&f);
}

/* ---- interrupts ---- */

struct waiter {
	unsigned int calls;
	int rc;
	uint64_t last_deadline;
};

static int count_wait(void *priv, struct doe_mb *mb, uint64_t deadline_ns)
{
	struct waiter *w = priv;

	(void)mb;
	w->calls++;
	w->last_deadline = deadline_ns;
	return w->rc;	/* a spurious wake-up: the engine re-reads Status */
}

static const struct doe_wait_ops count_wait_ops = { .wait = count_wait };

static void t_irq(void)
{
	struct emu_fault slow = { .kind = EMU_FAULT_READY_AFTER_POLLS, .value = 3 };
	struct waiter w = { 0 };
	uint32_t st = 0, ctrl = 0;
	uint64_t before;
	struct fx f;

	FX_OPEN(&f, 2, true, true);
	T_EQ(doe_mb_enable_irq(f.mb, true), 0);
	doe_mb_set_wait(f.mb, &count_wait_ops, &w);
	emu_mb_set_fault(f.emb, &slow);
	before = doe_now_ns();
	T_EQ(echo_ok(&f, 8), 0);
	/* Status read 1 and 2 after Go: not ready, wait; read 3: ready */
	T_EQ(w.calls, 2);
	T_TRUE(w.last_deadline > before);
	/* the device raised Interrupt Status once (Data Object Ready), the
	 * engine saw it and cleared it by writing 1 */
	T_EQ(f.spy.int_seen, 1);
	T_EQ(f.spy.int_clears, 1);
	T_TRUE(f.spy.ctrl_int_en >= 1);
	doe_cfg_read32(f.cfg, (uint16_t)(emu_mb_offset(f.emb) + DOE_REG_STATUS), &st);
	T_EQ(st & DOE_STATUS_INT_STATUS, 0);
	doe_cfg_read32(f.cfg, (uint16_t)(emu_mb_offset(f.emb) + DOE_REG_CTRL), &ctrl);
	T_EQ(ctrl, DOE_CTRL_INT_EN);

	/* switched off: Control no longer carries Interrupt Enable, so the
	 * device raises nothing */
	T_EQ(doe_mb_enable_irq(f.mb, false), 0);
	f.spy.int_seen = f.spy.int_clears = 0;
	T_EQ(echo_ok(&f, 8), 0);
	T_EQ(f.spy.int_seen, 0);
	doe_cfg_read32(f.cfg, (uint16_t)(emu_mb_offset(f.emb) + DOE_REG_CTRL), &ctrl);
	T_EQ(ctrl, 0);
	fx_close(&f);
}

static void t_irq_unsupported(void)
{
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	T_EQ(doe_mb_enable_irq(f.mb, true), -EOPNOTSUPP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "mailbox has no Interrupt Support");
	T_EQ(doe_mb_enable_irq(f.mb, false), 0);
	T_EQ(echo_ok(&f, 4), 0);
	fx_close(&f);
}

static void t_wait_fails(void)
{
	struct emu_fault slow = { .kind = EMU_FAULT_READY_AFTER_POLLS, .value = 3 };
	struct waiter w = { .rc = -EINTR };
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	doe_mb_set_wait(f.mb, &count_wait_ops, &w);
	emu_mb_set_fault(f.emb, &slow);
	T_EQ(echo_ok(&f, 4), -EINTR);
	T_CONTAINS(doe_ctx_errmsg(ctx), "wait failed (-4)");
	T_EQ(w.calls, 1);
	T_EQ(emu_aborts(&f), 1);
	emu_mb_clear_fault(f.emb);
	T_EQ(echo_ok(&f, 4), 0);
	fx_close(&f);
}

/* ---- cost per exchange (docs/design.md) ---- */

struct cost_case {
	const char *name;
	size_t bytes;
	uint64_t reads, writes, status_reads;
};

/*
 * Writes: request DWs + 2 header + Go, then one pop per response DW
 * (header included). Reads: one per response DW (header included) and
 * four of Status: before sending, after Go, before the last pop, after
 * it. An empty payload has no "before the last pop" read: its last pop
 * is the header's.
 */
static const struct cost_case cost_cases[] = {
	{ "0 bytes", 0, 2 + 3, (0 + 3) + (0 + 2), 3 },
	{ "4 bytes", 4, 1 + 2 + 4, (1 + 3) + (1 + 2), 4 },
	{ "16 bytes", 16, 4 + 2 + 4, (4 + 3) + (4 + 2), 4 },
	{ "1 KiB", 1024, 256 + 2 + 4, (256 + 3) + (256 + 2), 4 },
};

static void t_cost_per_exchange(void)
{
	static uint8_t req[1024], rsp[1024];

	for (size_t i = 0; i < ARRAY_SIZE(cost_cases); i++) {
		const struct cost_case *c = &cost_cases[i];
		struct emu_mb_stats es;
		struct doe_cfg_stats st;
		size_t len;
		struct fx f;

		t_case_name = c->name;
		FX_OPEN(&f, 1, false, false);
		doe_cfg_stats_reset(f.cfg);
		T_EQ(doe_exchange(f.mb, ECHO_VID, ECHO_TYPE, req, c->bytes, rsp, sizeof(rsp), &len), 0);
		doe_cfg_stats(f.cfg, &st);
		emu_mb_stats(f.emb, &es);
		T_EQ(st.reads, c->reads);
		T_EQ(st.writes, c->writes);
		T_EQ(es.status_reads, c->status_reads);
		T_EQ(es.requests, 1);
		fx_close(&f);
	}
}

/* ---- two threads, one mailbox ---- */

#define ROUNDS 200

struct worker {
	struct fx *f;
	uint8_t id;
	int ok;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		uint8_t req[12], rsp[12];
		size_t len = 0;

		memset(req, w->id, sizeof(req));
		memcpy(req, &i, sizeof(i));
		if (doe_exchange(w->f->mb, ECHO_VID, ECHO_TYPE, req, sizeof(req), rsp, sizeof(rsp),
				 &len) == 0 && len == sizeof(req) && !memcmp(req, rsp, len))
			w->ok++;
	}
	return NULL;
}

static void t_two_threads(void)
{
	struct worker w[2];
	pthread_t th[2];
	struct emu_mb_stats es;
	struct fx f;

	FX_OPEN(&f, 1, false, false);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){ &f, (uint8_t)(0xA0 + i), 0 };
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	T_EQ(w[0].ok, ROUNDS);
	T_EQ(w[1].ok, ROUNDS);
	emu_mb_stats(f.emb, &es);
	T_EQ(es.requests, 2 * ROUNDS);
	T_EQ(es.aborts, 0);
	fx_close(&f);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_echo_0);
	T_RUN(t_echo_1);
	T_RUN(t_echo_3);
	T_RUN(t_echo_4);
	T_RUN(t_echo_5);
	T_RUN(t_echo_1k);
	T_RUN(t_echo_64k);
	T_RUN(t_echo_max);
	T_RUN(t_request_too_large);
	T_RUN(t_response_overflow);
	T_RUN(t_unknown_protocol);
	T_RUN(t_error_before_send);
	T_RUN(t_fault_table);
	T_RUN(t_fault_count);
	T_RUN(t_reset);
	T_RUN(t_reset_abort_write_fails);
	T_RUN(t_config_read_fails);
	T_RUN(t_mb_new_checks);
	T_RUN(t_step_healthy);
	T_RUN(t_step_timeout_exact);
	T_RUN(t_step_busy_then_dead_exact);
	T_RUN(t_step_second_begin_busy);
	T_RUN(t_step_cancel);
	T_RUN(t_step_cancel_abort_ignored);
	T_RUN(t_irq);
	T_RUN(t_irq_unsupported);
	T_RUN(t_wait_fails);
	T_RUN(t_cost_per_exchange);
	T_RUN(t_two_threads);
	doe_ctx_free(ctx);
	return T_DONE();
}
