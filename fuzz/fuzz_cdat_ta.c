// SPDX-License-Identifier: MIT
/*
 * CXL Table Access, three ways:
 *  1. cdat_ta_rsp_parse() on the raw input;
 *  2. the reader state machine fed the input's records as responses,
 *     checking that it only ever requests a handle the previous response
 *     named, never one twice, and that a finished table has exactly the
 *     header's length;
 *  3. cdat_read() over an emulated mailbox whose Table Access responder
 *     replays the same records, so the DOE engine, its DW padding and the
 *     reader meet every answer a broken device could give.
 *
 * Input: records, one per response: a 16-bit little-endian length (low 12
 * bits) and that many bytes. When the records run out the responder sets
 * Error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cdat.h>
#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/emu.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next record, or false when there is none. */
static bool next_record(struct doe_rd *in, const uint8_t **rec, size_t *len)
{
	uint16_t n;

	if (doe_rd_le16(in, &n))
		return false;
	n &= 0x0FFF;
	if (n > doe_rd_left(in))
		n = (uint16_t)doe_rd_left(in);
	*len = n;
	*rec = doe_rd_take(in, n);
	return *rec != NULL;
}

static void parse_raw(struct doe_ctx *ctx, const uint8_t *data, size_t size)
{
	const uint8_t *entry;
	size_t entry_len;
	uint16_t next;
	int rc = cdat_ta_rsp_parse(ctx, data, size, &next, &entry, &entry_len);
	bool ok = size >= 4 && data[0] == 0 && data[1] == 0;

	if (ok != (rc == 0) || (rc && rc != -EBADMSG && rc != -EPROTO))
		__builtin_trap();
	if (rc == 0 && (entry_len != size - 4 || entry != data + 4 ||
			next != (uint16_t)(data[2] | data[3] << 8)))
		__builtin_trap();
}

static bool known_failure(int rc)
{
	switch (rc) {
	case -ELOOP: case -E2BIG: case -EBADMSG: case -EPROTO: case -EIO: case -ETIMEDOUT:
	case -ENOMEM:
		return true;
	}
	return false;
}

static void reader(struct doe_ctx *ctx, const uint8_t *data, size_t size)
{
	static uint8_t asked[0x10000 / 8];
	struct cdat_reader *r = NULL;
	struct doe_rd in;
	uint8_t req[4], *table = NULL;
	size_t len = 0;
	int rc;

	if (cdat_reader_new(ctx, &r))
		return;
	memset(asked, 0, sizeof(asked));
	doe_rd_init(&in, data, size);
	rc = cdat_reader_step(r, NULL, 0, req);
	while (rc == 1) {
		uint16_t h = (uint16_t)(req[2] | req[3] << 8);
		const uint8_t *rec;
		size_t n;

		if (req[0] != 0 || req[1] != 0 || h != cdat_reader_handle(r))
			__builtin_trap();
		if (asked[h / 8] & (1u << (h % 8)))
			__builtin_trap();	/* asked twice */
		asked[h / 8] |= (uint8_t)(1u << (h % 8));
		if (!next_record(&in, &rec, &n)) {
			rc = 0;
			break;
		}
		rc = cdat_reader_step(r, rec, n, req);
		/* the next request names exactly the handle this response named */
		if (rc == 1 && (n < 4 || req[2] != rec[2] || req[3] != rec[3]))
			__builtin_trap();
		if (rc < 0 && (!known_failure(rc) || strncmp(doe_ctx_errmsg(ctx), "CDAT entry handle ", 18)))
			__builtin_trap();
	}
	if (rc == 0 && cdat_reader_take(r, &table, &len) == 0) {
		uint32_t hdr_len;
		struct doe_rd tr;

		doe_rd_init(&tr, table, len);
		if (doe_rd_le32(&tr, &hdr_len) || hdr_len != len || len > CDAT_MAX_TABLE_LEN)
			__builtin_trap();
		free(table);
	}
	cdat_reader_free(r);
}

struct replay {
	struct doe_rd in;
};

static int replay_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			  size_t rsp_cap, size_t *rsp_len)
{
	struct replay *rp = priv;
	const uint8_t *rec;
	size_t n;

	(void)req;
	(void)req_len;
	if (!next_record(&rp->in, &rec, &n))
		return -EIO;
	if (n > rsp_cap)
		n = rsp_cap;
	memcpy(rsp, rec, n);
	*rsp_len = n;
	return 0;
}

static void read_emulated(struct doe_ctx *ctx, const uint8_t *data, size_t size)
{
	struct emu_fn_info info = { .bdf = { 0, 1, 0, 0 }, .port_type = EMU_PCIE_ENDPOINT };
	struct replay rp;
	struct emu_fn *fn = NULL;
	struct emu_mb *emb;
	struct doe_cfg *cfg = NULL;
	struct doe_mb *mb = NULL;
	uint8_t *table = NULL;
	size_t len = 0;
	int rc;

	doe_rd_init(&rp.in, data, size);
	if (emu_fn_new(ctx, &info, &fn) || emu_fn_add_doe(fn, 1, false, &emb))
		goto out;
	emu_mb_set_rsp_limit(emb, 4096 + 8);	/* records are at most 4095 bytes */
	if (emu_mb_add_protocol(emb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, replay_handler,
				&rp) ||
	    emu_fn_cfg_open(fn, &cfg) || doe_mb_new(cfg, emu_mb_offset(emb), &mb) ||
	    doe_mb_set_timeout_ms(mb, 1))
		goto out;
	rc = cdat_read(mb, &table, &len);
	if (rc < 0 && (!known_failure(rc) || strncmp(doe_ctx_errmsg(ctx), "CDAT entry handle ", 18)))
		__builtin_trap();
	if (rc == 0 && (len < CDAT_HEADER_LEN || len > CDAT_MAX_TABLE_LEN))
		__builtin_trap();
	free(table);
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
	reader(ctx, data, size);
	read_emulated(ctx, data, size);
	doe_ctx_free(ctx);
	return 0;
}
