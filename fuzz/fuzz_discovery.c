// SPDX-License-Identifier: MIT
/*
 * Discovery, two ways:
 *  1. doe_discovery_rsp_parse() on the raw input;
 *  2. doe_discover() over an emulated mailbox whose Discovery responder
 *     replays the input, so the engine and the Discovery loop meet every
 *     answer a broken device could give.
 *
 * Input for 2: one flags byte, then records, one per Discovery request:
 * a length byte (low 4 bits: 0..15 response bytes) and that many bytes.
 * When the records run out the responder sets Error.
 *   flags bits 3:0  a mailbox fault for the first exchange (enum emu_fault_kind)
 *   flags bit 4     capability version 2 (request version 2)
 *   flags bit 5     Abort is ignored as well
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/discovery.h>
#include <doekit/doe.h>
#include <doekit/emu.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct replay {
	struct doe_rd in;
};

static int replay_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			  size_t rsp_cap, size_t *rsp_len)
{
	struct replay *r = priv;
	uint8_t n;

	(void)req;
	(void)req_len;
	if (doe_rd_u8(&r->in, &n))
		return -EIO;
	n &= 0x0F;
	if (n > doe_rd_left(&r->in))
		n = (uint8_t)doe_rd_left(&r->in);
	if (n > rsp_cap)
		n = (uint8_t)rsp_cap;
	doe_rd_bytes(&r->in, rsp, n);
	*rsp_len = n;
	return 0;
}

static void parse_raw(struct doe_ctx *ctx, const uint8_t *data, size_t size)
{
	struct doe_protocol p;
	uint8_t next;
	int rc = doe_discovery_rsp_parse(ctx, data, size, &p, &next);

	/* exactly one DW parses, anything else is -EBADMSG */
	if ((size == 4) != (rc == 0) || (rc && rc != -EBADMSG))
		__builtin_trap();
}

static bool known_failure(int rc)
{
	switch (rc) {
	case -ELOOP: case -E2BIG: case -EBADMSG: case -EIO: case -ETIMEDOUT: case -EBUSY:
		return true;
	}
	return false;
}

static void discover(struct doe_ctx *ctx, const uint8_t *data, size_t size)
{
	struct emu_fn_info info = { .bdf = { 0, 1, 0, 0 }, .port_type = EMU_PCIE_ENDPOINT };
	struct emu_fault fault = { .count = 1 };
	struct doe_protocol out[8];
	struct replay rp;
	struct emu_fn *fn = NULL;
	struct emu_mb *emb;
	struct doe_cfg *cfg = NULL;
	struct doe_mb *mb = NULL;
	uint8_t flags;
	int rc;

	if (!size)
		return;
	flags = data[0];
	doe_rd_init(&rp.in, data + 1, size - 1);
	if (emu_fn_new(ctx, &info, &fn) || emu_fn_add_doe(fn, (flags & 0x10) ? 2 : 1, false, &emb))
		goto out;
	emu_mb_set_rsp_limit(emb, 64);	/* keep the per-input buffers small */
	if (emu_mb_add_protocol(emb, DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY, replay_handler, &rp) ||
	    emu_fn_cfg_open(fn, &cfg) || doe_mb_new(cfg, emu_mb_offset(emb), &mb) ||
	    doe_mb_set_timeout_ms(mb, 1))
		goto out;
	fault.kind = (enum emu_fault_kind)((flags & 0x0F) % EMU_FAULT_KIND_COUNT);
	fault.abort_ignored = flags & 0x20;
	emu_mb_set_fault(emb, &fault);
	rc = doe_discover(mb, out, 8);
	if (rc < 0 ? !known_failure(rc) || !*doe_ctx_errmsg(ctx) : rc > DOE_DISCOVERY_MAX)
		__builtin_trap();
out:
	doe_mb_free(mb);
	doe_cfg_free(cfg);
	emu_fn_free(fn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doe_ctx *ctx;

	if (doe_ctx_new(&ctx))
		return 0;
	parse_raw(ctx, data, size);
	discover(ctx, data, size);
	doe_ctx_free(ctx);
	return 0;
}
