// SPDX-License-Identifier: MIT
/*
 * DOE Discovery (PCIe §6.30.1.1): the codec on raw bytes, and doe_discover()
 * over emulated mailboxes, honest and broken.
 */
#include <stdlib.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/discovery.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include "internal.h"
#include "t.h"

static struct doe_ctx *ctx;

struct fx {
	struct emu_fn *fn;
	struct emu_mb *emb;
	struct doe_cfg *cfg;
	struct doe_mb *mb;
};

static int fx_open(struct fx *f, uint8_t cap_version)
{
	struct emu_fn_info info = { .bdf = { 0, 0x0f, 0, 0 }, .port_type = EMU_PCIE_ENDPOINT };

	memset(f, 0, sizeof(*f));
	doe_ctx_clear_error(ctx);
	if (emu_fn_new(ctx, &info, &f->fn) || emu_fn_add_doe(f->fn, cap_version, false, &f->emb) ||
	    emu_fn_cfg_open(f->fn, &f->cfg) || doe_mb_new(f->cfg, emu_mb_offset(f->emb), &f->mb) ||
	    doe_mb_set_timeout_ms(f->mb, 20) || doe_mb_set_poll_us(f->mb, 200))
		return -1;
	return 0;
}

static void fx_close(struct fx *f)
{
	doe_mb_free(f->mb);
	doe_cfg_free(f->cfg);
	emu_fn_free(f->fn);
}

#define FX_OPEN(f, ver)                                            \
	do {                                                       \
		if (fx_open(f, ver)) {                             \
			T_FAIL_("fixture: %s", doe_ctx_errmsg(ctx)); \
			fx_close(f);                               \
			return;                                    \
		}                                                  \
	} while (0)

/* ---- codec ---- */

struct parse_case {
	const char *name;
	uint8_t bytes[8];
	size_t len;
	int rc;
	const char *msg;
	uint16_t vid;
	uint8_t type, next;
};

static const struct parse_case parse_cases[] = {
	{ "exact", { 0x98, 0x1E, 0x02, 0x07 }, 4, 0, NULL, 0x1E98, 0x02, 0x07 },
	{ "empty", { 0 }, 0, -EBADMSG, "0 bytes, expected 4 (one DW)", 0, 0, 0 },
	{ "short", { 0x01, 0x00, 0x01 }, 3, -EBADMSG, "3 bytes, expected 4 (one DW)", 0, 0, 0 },
	{ "long", { 0x01, 0x00, 0x01, 0x00, 0xFF }, 5, -EBADMSG, "5 bytes, expected 4 (one DW); 1 extra",
	  0, 0, 0 },
	{ "two DWs", { 0x01, 0x00, 0x01 }, 8, -EBADMSG, "8 bytes, expected 4 (one DW); 4 extra", 0,
	  0, 0 },
};

static void t_parse(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct doe_protocol p = { 0xEEEE, 0xEE };
		uint8_t next = 0xEE;

		t_case_name = c->name;
		T_EQ(doe_discovery_rsp_parse(ctx, c->bytes, c->len, &p, &next), c->rc);
		if (c->msg)
			T_CONTAINS(doe_ctx_errmsg(ctx), c->msg);
		if (c->rc)
			continue;
		T_EQ(p.vid, c->vid);
		T_EQ(p.type, c->type);
		T_EQ(next, c->next);
	}
	t_case_name = "NULL buffer";
	{
		struct doe_protocol p;
		uint8_t next;

		T_EQ(doe_discovery_rsp_parse(ctx, NULL, 0, &p, &next), -EBADMSG);
	}
}

static void t_req_encode_and_version(void)
{
	uint8_t out[4];

	doe_discovery_req_encode(0x7F, 2, out);
	T_EQ(doe_get_le32(out), 0x0000027F);
	T_EQ(doe_discovery_version(1), 0);
	T_EQ(doe_discovery_version(2), 2);
	T_EQ(doe_discovery_version(3), 2);
}

static void t_names(void)
{
	T_STREQ(doe_protocol_name(0x0001, 0x00), "Discovery");
	T_STREQ(doe_protocol_name(0x0001, 0x01), "CMA/SPDM");
	T_STREQ(doe_protocol_name(0x0001, 0x02), "Secured CMA/SPDM");
	T_STREQ(doe_protocol_name(0x1E98, 0x00), "CXL Compliance");
	T_STREQ(doe_protocol_name(0x1E98, 0x02), "CXL Table Access (CDAT)");
	T_TRUE(doe_protocol_name(0x1E98, 0x01) == NULL);
	T_TRUE(doe_protocol_name(0x0001, 0x03) == NULL);
	T_TRUE(doe_protocol_name(0x8086, 0x00) == NULL);
}

/* ---- doe_discover on the built-in responder ---- */

static void t_discover_cdat_cma(void)
{
	struct doe_protocol p[8];
	struct fx f;

	FX_OPEN(&f, 1);
	T_EQ(emu_mb_add_protocol(f.emb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, NULL, NULL), 0);
	T_EQ(emu_mb_add_protocol(f.emb, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, NULL, NULL), 0);
	T_EQ(doe_discover(f.mb, p, 8), 3);
	T_STREQ(doe_protocol_name(p[0].vid, p[0].type), "Discovery");
	T_STREQ(doe_protocol_name(p[1].vid, p[1].type), "CXL Table Access (CDAT)");
	T_STREQ(doe_protocol_name(p[2].vid, p[2].type), "CMA/SPDM");
	/* fewer slots than protocols: the count is still the full one */
	memset(p, 0, sizeof(p));
	T_EQ(doe_discover(f.mb, p, 1), 3);
	T_EQ(p[0].vid, DOE_VENDOR_PCISIG);
	T_EQ(p[1].vid, 0);
	T_EQ(doe_discover(f.mb, NULL, 0), 3);
	fx_close(&f);
}

static void t_discover_only_discovery(void)
{
	struct doe_protocol p[2];
	struct fx f;

	FX_OPEN(&f, 2);
	T_EQ(doe_discover(f.mb, p, 2), 1);
	T_EQ(p[0].vid, DOE_VENDOR_PCISIG);
	T_EQ(p[0].type, DOE_TYPE_DISCOVERY);
	fx_close(&f);
}

/* A mailbox that never answers: the message says where, as in design.md. */
static void t_discover_timeout(void)
{
	struct emu_fault never = { .kind = EMU_FAULT_NEVER_READY };
	struct doe_protocol p[2];
	struct fx f;

	FX_OPEN(&f, 1);
	emu_mb_set_fault(f.emb, &never);
	T_EQ(doe_discover(f.mb, p, 2), -ETIMEDOUT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "Discovery index 0: 0000:0f:00.0 DOE@0x100: no response "
					"after 20 ms (waiting for Data Object Ready)");
	fx_close(&f);
}

/* ---- custom Discovery handlers: capture and misbehave ---- */

enum disc_mode {
	DISC_LIST,		/* entries 0..n-1 of a fixed list */
	DISC_LOOP,		/* next is always 1 */
	DISC_EIGHT_BYTES,	/* a second DW nobody asked for */
	DISC_TWELVE_BYTES,	/* more than the 8-byte buffer */
	DISC_WRAP,		/* next = index + 1, wrapping 255 to wrap_to */
};

struct disc {
	enum disc_mode mode;
	uint8_t wrap_to;
	unsigned int calls;
	uint8_t req[8];
	size_t req_len;
};

static int disc_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			size_t rsp_cap, size_t *rsp_len)
{
	struct disc *d = priv;
	uint8_t index = req_len ? req[0] : 0, next;

	d->calls++;
	d->req_len = req_len;
	memcpy(d->req, req, req_len < sizeof(d->req) ? req_len : sizeof(d->req));
	if (rsp_cap < 12)
		return -ENOSPC;
	switch (d->mode) {
	case DISC_LIST:
		next = index < 2 ? (uint8_t)(index + 1) : 0;
		doe_put_le32(rsp, DOE_HDR1(index == 1 ? DOE_VENDOR_CXL : DOE_VENDOR_PCISIG,
					   index == 1 ? DOE_TYPE_CXL_TABLE_ACCESS : index) |
				      (uint32_t)next << 24);
		*rsp_len = 4;
		return 0;
	case DISC_LOOP:
		doe_put_le32(rsp, DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_CMA) | 1u << 24);
		*rsp_len = 4;
		return 0;
	case DISC_EIGHT_BYTES:
	case DISC_TWELVE_BYTES:
		memset(rsp, 0, 12);
		*rsp_len = d->mode == DISC_EIGHT_BYTES ? 8 : 12;
		return 0;
	case DISC_WRAP:
		next = index == 255 ? d->wrap_to : (uint8_t)(index + 1);
		doe_put_le32(rsp, DOE_HDR1(0x8086, index) | (uint32_t)next << 24);
		*rsp_len = 4;
		return 0;
	}
	return -EINVAL;
}

static int use_handler(struct fx *f, struct disc *d)
{
	return emu_mb_add_protocol(f->emb, DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY, disc_handler, d);
}

/* PCIe r6.1: request version 2 on a version 2 capability, else 0 (Linux). */
static void t_request_version(void)
{
	static const struct { uint8_t cap_version, want; } cases[] = { { 1, 0 }, { 2, 2 } };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct disc d = { .mode = DISC_LIST };
		struct doe_protocol p[4];
		struct fx f;

		FX_OPEN(&f, cases[i].cap_version);
		T_EQ(use_handler(&f, &d), 0);
		T_EQ(doe_discover(f.mb, p, 4), 3);
		T_EQ(d.calls, 3);
		T_EQ(d.req_len, 4);
		T_EQ(d.req[0], 2);	/* the last index asked */
		T_EQ(d.req[1], cases[i].want);
		T_EQ(d.req[2], 0);
		T_EQ(d.req[3], 0);
		T_EQ(p[1].vid, DOE_VENDOR_CXL);
		T_EQ(p[1].type, DOE_TYPE_CXL_TABLE_ACCESS);
		T_EQ(p[2].type, 2);
		fx_close(&f);
	}
}

static void t_loop(void)
{
	struct disc d = { .mode = DISC_LOOP };
	struct doe_protocol p[4];
	struct fx f;

	FX_OPEN(&f, 1);
	T_EQ(use_handler(&f, &d), 0);
	T_EQ(doe_discover(f.mb, p, 4), -ELOOP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "Discovery next index 1 was already asked (loop after 2 entries)");
	T_EQ(d.calls, 2);
	fx_close(&f);
}

static void t_eight_bytes(void)
{
	struct disc d = { .mode = DISC_EIGHT_BYTES };
	struct doe_protocol p[4];
	struct fx f;

	FX_OPEN(&f, 1);
	T_EQ(use_handler(&f, &d), 0);
	T_EQ(doe_discover(f.mb, p, 4), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "DOE@0x100 index 0: Discovery response: 8 bytes, expected 4");
	fx_close(&f);
}

static void t_twelve_bytes(void)
{
	struct disc d = { .mode = DISC_TWELVE_BYTES };
	struct doe_protocol p[4];
	struct fx f;

	FX_OPEN(&f, 1);
	T_EQ(use_handler(&f, &d), 0);
	T_EQ(doe_discover(f.mb, p, 4), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "Discovery response for index 0 is 12 bytes, expected 4");
	/* drained, not aborted: the mailbox still works */
	d.mode = DISC_LIST;
	T_EQ(doe_discover(f.mb, p, 4), 3);
	fx_close(&f);
}

/*
 * The index is 8 bits, so a device can list at most 256 protocols: one
 * that counts up and wraps to 0 ends after exactly 256 entries. One that
 * wraps to 1 instead must be stopped; the asked-index set catches it as a
 * loop on the 257th request, before the -E2BIG count guard could (that
 * guard cannot fire while indices are unique).
 */
static void t_256_entries(void)
{
	struct disc d = { .mode = DISC_WRAP, .wrap_to = 0 };
	struct doe_protocol *p = calloc(DOE_DISCOVERY_MAX, sizeof(*p));
	struct fx f;

	FX_OPEN(&f, 1);
	T_EQ(use_handler(&f, &d), 0);
	T_EQ(doe_discover(f.mb, p, DOE_DISCOVERY_MAX), 256);
	T_EQ(p[255].vid, 0x8086);
	T_EQ(p[255].type, 255);
	T_EQ(d.calls, 256);

	d.wrap_to = 1;
	d.calls = 0;
	T_EQ(doe_discover(f.mb, p, DOE_DISCOVERY_MAX), -ELOOP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "next index 1 was already asked (loop after 256 entries)");
	T_EQ(d.calls, 256);
	fx_close(&f);
	free(p);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_parse);
	T_RUN(t_req_encode_and_version);
	T_RUN(t_names);
	T_RUN(t_discover_cdat_cma);
	T_RUN(t_discover_only_discovery);
	T_RUN(t_discover_timeout);
	T_RUN(t_request_version);
	T_RUN(t_loop);
	T_RUN(t_eight_bytes);
	T_RUN(t_twelve_bytes);
	T_RUN(t_256_entries);
	doe_ctx_free(ctx);
	return T_DONE();
}
