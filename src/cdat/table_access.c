// SPDX-License-Identifier: MIT
/*
 * CXL Table Access (CXL r3.1 §8.1.11.1, Read Entry) as a sans-I/O reader,
 * and cdat_read() which runs it over a DOE mailbox.
 *
 * Entry handle 0 returns the 16-byte CDAT header; every response names the
 * next handle, 0xFFFF after the last structure. The device chooses the
 * handles, so the reader trusts none of them: it requests only handles the
 * device returned, never one twice, never more entries than the header
 * length leaves room for (QEMU 7.2 crashes when asked past its last entry),
 * and checks that the entries add up to exactly the header length.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cdat.h>
#include <doekit/cursor.h>
#include "internal.h"

enum reader_state { RD_START, RD_WAIT, RD_DONE, RD_FAILED };

struct cdat_reader {
	struct doe_ctx *ctx;
	enum reader_state state;
	uint16_t handle;	/* requested, response pending */
	uint8_t *table;		/* header length bytes, once the header is in */
	size_t length;		/* from the header */
	size_t off;		/* bytes received */
	size_t entries;
	uint8_t asked[0x10000 / 8];	/* handles requested */
};

void cdat_ta_req_encode(uint16_t handle, uint8_t out[4])
{
	struct doe_wr w;

	/* DW2: Request Code 7:0 (0 = Read Entry), Table Type 15:8 (0 = CDAT),
	 * Entry Handle 31:16 */
	doe_wr_init(&w, out, 4);
	doe_wr_u8(&w, CDAT_TA_REQ_READ_ENTRY);
	doe_wr_u8(&w, CDAT_TA_TABLE_TYPE_CDAT);
	doe_wr_le16(&w, handle);
}

int cdat_ta_rsp_parse(struct doe_ctx *ctx, const void *rsp, size_t len, uint16_t *next,
		      const uint8_t **entry, size_t *entry_len)
{
	struct doe_rd r;
	uint8_t code, type;
	uint16_t nx;

	/* DW2: Response Code 7:0, Table Type 15:8, Entry Handle (next) 31:16;
	 * the entry follows */
	doe_rd_init(&r, rsp, len);
	doe_rd_u8(&r, &code);
	doe_rd_u8(&r, &type);
	doe_rd_le16(&r, &nx);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "Table Access response: %zu bytes, shorter than its "
					      "4-byte header", len);
	if (code != CDAT_TA_RSP_READ_ENTRY)
		return doe_err(ctx, -EPROTO, "Table Access response code %u, expected 0 "
					     "(Read Entry)", code);
	if (type != CDAT_TA_TABLE_TYPE_CDAT)
		return doe_err(ctx, -EPROTO, "Table Access table type %u, expected 0 (CDAT)", type);
	*next = nx;
	*entry_len = doe_rd_left(&r);
	*entry = doe_rd_take(&r, *entry_len);
	return 0;
}

int cdat_reader_new(struct doe_ctx *ctx, struct cdat_reader **out)
{
	struct cdat_reader *r;

	if (!out)
		return doe_err(ctx, -EINVAL, "CDAT reader: no output");
	r = calloc(1, sizeof(*r));
	if (!r)
		return doe_err(ctx, -ENOMEM, "out of memory");
	r->ctx = ctx;
	*out = r;
	return 0;
}

void cdat_reader_free(struct cdat_reader *r)
{
	if (!r)
		return;
	free(r->table);
	free(r);
}

uint16_t cdat_reader_handle(const struct cdat_reader *r)
{
	return r->handle;
}

size_t cdat_reader_entries(const struct cdat_reader *r)
{
	return r->entries;
}

static int fail(struct cdat_reader *r, int code, const char *fmt, ...) DOE_PRINTF(3, 4);
static int fail(struct cdat_reader *r, int code, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->state = RD_FAILED;
	return doe_err(r->ctx, code, "CDAT entry handle %u: %s", r->handle, msg);
}

static void ask(struct cdat_reader *r, uint16_t handle, uint8_t req[4])
{
	r->asked[handle / 8] |= (uint8_t)(1u << (handle % 8));
	r->handle = handle;
	r->state = RD_WAIT;
	cdat_ta_req_encode(handle, req);
}

/* Entry 0: the CDAT header (CDAT Table 1), whose length sizes the table. */
static int take_header(struct cdat_reader *r, const uint8_t *entry, size_t len)
{
	struct doe_rd rd;
	uint32_t length;

	if (len != CDAT_HEADER_LEN)
		return fail(r, -EBADMSG, "header entry is %zu bytes, expected 16", len);
	doe_rd_init(&rd, entry, len);
	doe_rd_le32(&rd, &length);
	if (length < CDAT_HEADER_LEN)
		return fail(r, -EBADMSG, "header length %u is shorter than the header", length);
	if (length > CDAT_MAX_TABLE_LEN)
		return fail(r, -E2BIG, "header length %u exceeds the %u-byte limit", length,
			    CDAT_MAX_TABLE_LEN);
	r->table = malloc(length);
	if (!r->table)
		return fail(r, -ENOMEM, "out of memory for a %u-byte table", length);
	r->length = length;
	doe_rd_init(&rd, entry, len);
	doe_rd_bytes(&rd, r->table, CDAT_HEADER_LEN);
	r->off = CDAT_HEADER_LEN;
	return 0;
}

/* Any other entry: one structure, its length in its own header, padded to
 * whole DWs by the DOE transport. */
static int take_struct(struct cdat_reader *r, const uint8_t *entry, size_t len)
{
	struct doe_rd rd;
	uint16_t slen;

	doe_rd_init(&rd, entry, len);
	doe_rd_skip(&rd, 2);
	if (doe_rd_le16(&rd, &slen) < 0)
		return fail(r, -EBADMSG, "entry is %zu bytes, shorter than a structure header",
			    len);
	if (slen < CDAT_STRUCT_HEADER_LEN)
		return fail(r, -EBADMSG, "structure length %u is shorter than its header", slen);
	if (((size_t)slen + 3u) / 4u * 4u != len)
		return fail(r, -EBADMSG, "structure length %u but the response carries %zu bytes",
			    slen, len);
	if (slen > r->length - r->off)
		return fail(r, -E2BIG, "structure of %u bytes goes past the header length %zu "
				       "(%zu bytes read)", slen, r->length, r->off);
	doe_rd_init(&rd, entry, len);
	doe_rd_bytes(&rd, r->table + r->off, slen);
	r->off += slen;
	return 0;
}

int cdat_reader_step(struct cdat_reader *r, const void *rsp, size_t rsp_len, uint8_t req[4])
{
	const uint8_t *entry;
	size_t entry_len;
	uint16_t next;
	int rc;

	switch (r->state) {
	case RD_START:
		ask(r, 0, req);
		return 1;
	case RD_WAIT:
		break;
	default:
		return doe_err(r->ctx, -EINVAL, "CDAT reader: no read in progress");
	}
	rc = cdat_ta_rsp_parse(r->ctx, rsp, rsp_len, &next, &entry, &entry_len);
	if (rc < 0) {
		r->state = RD_FAILED;
		doe_err_prefix(r->ctx, "CDAT entry handle %u", r->handle);
		return rc;
	}
	rc = r->handle == 0 ? take_header(r, entry, entry_len) : take_struct(r, entry, entry_len);
	if (rc < 0)
		return rc;
	r->entries++;
	if (next == CDAT_TA_LAST_HANDLE) {
		if (r->off != r->length)
			return fail(r, -EBADMSG, "the device ended the table after %zu of %zu "
						 "bytes (header length): table ended early",
				    r->off, r->length);
		r->state = RD_DONE;
		return 0;
	}
	/* every structure is at least its 4-byte header */
	if (r->length - r->off < CDAT_STRUCT_HEADER_LEN)
		return fail(r, -E2BIG, "the device names entry handle %u next, but only %zu of the "
				       "%zu bytes in the header length are left: more entries than "
				       "the header allows", next, r->length - r->off, r->length);
	if (r->asked[next / 8] & (1u << (next % 8)))
		return fail(r, -ELOOP, "the device names entry handle %u next, which was already "
				       "read (loop after %zu entries)", next, r->entries);
	ask(r, next, req);
	return 1;
}

int cdat_reader_take(struct cdat_reader *r, uint8_t **table, size_t *len)
{
	if (r->state != RD_DONE || !r->table)
		return doe_err(r->ctx, -EINVAL, "CDAT reader: the table is not complete");
	*table = r->table;
	*len = r->length;
	r->table = NULL;
	r->state = RD_FAILED;	/* taken: nothing more to give */
	return 0;
}

int cdat_read(struct doe_mb *mb, uint8_t **table, size_t *len)
{
	struct doe_ctx *ctx = doe_cfg_ctx(doe_mb_cfg(mb));
	struct cdat_reader *r = NULL;
	uint8_t req[CDAT_TA_REQ_LEN];
	uint8_t *rsp;
	int rc;

	if (!table || !len)
		return doe_err(ctx, -EINVAL, "CDAT: no output");
	rsp = malloc(CDAT_TA_RSP_MAX);
	if (!rsp)
		return doe_err(ctx, -ENOMEM, "out of memory");
	rc = cdat_reader_new(ctx, &r);
	if (rc == 0)
		rc = cdat_reader_step(r, NULL, 0, req);
	while (rc == 1) {
		size_t rsp_len = 0;

		rc = doe_exchange(mb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, req, sizeof(req), rsp,
				  CDAT_TA_RSP_MAX, &rsp_len);
		if (rc == -EOVERFLOW) {
			rc = doe_err(ctx, -EBADMSG, "CDAT entry handle %u: response of %zu bytes is "
						    "longer than any entry", cdat_reader_handle(r),
				     rsp_len);
			break;
		}
		if (rc < 0) {
			doe_err_prefix(ctx, "CDAT entry handle %u", cdat_reader_handle(r));
			break;
		}
		rc = cdat_reader_step(r, rsp, rsp_len, req);
	}
	if (rc == 0)
		rc = cdat_reader_take(r, table, len);
	cdat_reader_free(r);
	free(rsp);
	return rc;
}
