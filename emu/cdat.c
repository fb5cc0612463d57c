// SPDX-License-Identifier: MIT
/*
 * Emulated CXL Table Access responder (CXL r3.1 §8.1.11.1) and the built-in
 * CDAT tables of the emulated devices.
 *
 * Entries are served as QEMU's hw/cxl/cxl-cdat.c serves them: handle 0 is
 * the CDAT header, handle i the i-th structure, the next handle i + 1 or
 * 0xFFFF after the last. The table is split once, when it is set, by the
 * structures' own length fields, so malformed tables can be served too.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/cdat.h>
#include <doekit/cursor.h>
#include <doekit/doe.h>
#include "emu_internal.h"
#include "internal.h"

struct cdat_entry {
	uint32_t off;
	uint32_t len;
};

struct emu_cdat {
	uint8_t *table;
	size_t len;
	struct cdat_entry *entries;
	size_t n;
	enum emu_cdat_fault fault;
	uint16_t fault_handle;
};

/* The structure EMU_CDAT_FAULT_EXTRA_ENTRY serves past the end: a DSIS. */
static const uint8_t extra_dsis[CDAT_DSIS_LEN] = { CDAT_DSIS, 0, CDAT_DSIS_LEN, 0, 0, 0, 0, 0 };

static const char *const fault_names[EMU_CDAT_FAULT_COUNT] = {
	[EMU_CDAT_FAULT_NONE] = "none",
	[EMU_CDAT_FAULT_HANDLE_LOOP] = "handle-loop",
	[EMU_CDAT_FAULT_NEXT_BEYOND] = "next-beyond",
	[EMU_CDAT_FAULT_END_EARLY] = "end-early",
	[EMU_CDAT_FAULT_EXTRA_ENTRY] = "extra-entry",
	[EMU_CDAT_FAULT_BAD_RSP_CODE] = "bad-rsp-code",
	[EMU_CDAT_FAULT_BAD_TABLE_TYPE] = "bad-table-type",
	[EMU_CDAT_FAULT_SHORT_RSP] = "short-rsp",
	[EMU_CDAT_FAULT_STALL] = "stall",
};

const char *emu_cdat_fault_name(enum emu_cdat_fault fault)
{
	if ((unsigned int)fault >= EMU_CDAT_FAULT_COUNT)
		return "?";
	return fault_names[fault];
}

int emu_cdat_fault_parse(const char *name, enum emu_cdat_fault *fault)
{
	for (unsigned int i = 0; i < EMU_CDAT_FAULT_COUNT; i++) {
		if (name && !strcmp(name, fault_names[i])) {
			*fault = (enum emu_cdat_fault)i;
			return 0;
		}
	}
	return -EINVAL;
}

void emu_cdat_free(struct emu_cdat *c)
{
	if (!c)
		return;
	free(c->table);
	free(c->entries);
	free(c);
}

/* Splits the bytes into entries: the header, then each structure by its
 * length field; bytes that cannot be split further become one entry. */
static int split(struct emu_cdat *c)
{
	struct doe_rd r;
	size_t cap = 16;

	c->entries = malloc(cap * sizeof(*c->entries));
	if (!c->entries)
		return -ENOMEM;
	doe_rd_init(&r, c->table, c->len);
	c->entries[0] = (struct cdat_entry){ 0, (uint32_t)(c->len < 16 ? c->len : 16) };
	c->n = 1;
	doe_rd_skip(&r, c->entries[0].len);
	while (doe_rd_left(&r)) {
		struct doe_rd peek = r;
		size_t off = r.off, n = doe_rd_left(&r);
		uint16_t slen;

		doe_rd_skip(&peek, 2);
		if (doe_rd_le16(&peek, &slen) == 0 && slen >= CDAT_STRUCT_HEADER_LEN && slen <= n)
			n = slen;
		doe_rd_skip(&r, n);
		if (c->n == CDAT_TA_LAST_HANDLE)	/* handles are 16 bits, 0xFFFF is "end" */
			return -E2BIG;
		if (c->n == cap) {
			struct cdat_entry *e = realloc(c->entries, cap * 2 * sizeof(*e));

			if (!e)
				return -ENOMEM;
			c->entries = e;
			cap *= 2;
		}
		c->entries[c->n++] = (struct cdat_entry){ (uint32_t)off, (uint32_t)n };
	}
	return 0;
}

/* Read Entry (CXL r3.1 §8.1.11.1): request DW2 is Request Code, Table Type,
 * Entry Handle; the response DW2 Response Code, Table Type, next Entry
 * Handle, then the entry. A negative return makes the mailbox set Error. */
static int cdat_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			size_t rsp_cap, size_t *rsp_len)
{
	const struct emu_cdat *c = priv;
	bool extra = c->fault == EMU_CDAT_FAULT_EXTRA_ENTRY;
	size_t n = c->n + (extra ? 1 : 0);
	uint8_t code, type, rsp_code = CDAT_TA_RSP_READ_ENTRY, rsp_type = CDAT_TA_TABLE_TYPE_CDAT;
	const uint8_t *entry;
	size_t entry_len;
	uint16_t handle, next;
	struct doe_rd r;
	struct doe_wr w;
	bool hit;

	doe_rd_init(&r, req, req_len);
	doe_rd_u8(&r, &code);
	doe_rd_u8(&r, &type);
	doe_rd_le16(&r, &handle);
	if (!doe_rd_ok(&r) || code != CDAT_TA_REQ_READ_ENTRY || type != CDAT_TA_TABLE_TYPE_CDAT)
		return -EINVAL;
	if (handle >= n)
		return -ENOENT;	/* QEMU 7.2 crashes here; we set Error */
	hit = handle == c->fault_handle;
	if (handle < c->n) {
		entry = c->table + c->entries[handle].off;
		entry_len = c->entries[handle].len;
	} else {
		entry = extra_dsis;
		entry_len = sizeof(extra_dsis);
	}
	next = handle + 1u < n ? (uint16_t)(handle + 1u) : CDAT_TA_LAST_HANDLE;
	switch (hit ? c->fault : EMU_CDAT_FAULT_NONE) {
	case EMU_CDAT_FAULT_STALL:
		return EMU_DOE_NO_RESPONSE;
	case EMU_CDAT_FAULT_SHORT_RSP:
		*rsp_len = 0;
		return 0;
	case EMU_CDAT_FAULT_HANDLE_LOOP:
		next = handle ? (uint16_t)(handle - 1u) : 0;
		break;
	case EMU_CDAT_FAULT_NEXT_BEYOND:
		next = (uint16_t)n;
		break;
	case EMU_CDAT_FAULT_END_EARLY:
		next = CDAT_TA_LAST_HANDLE;
		break;
	case EMU_CDAT_FAULT_BAD_RSP_CODE:
		rsp_code = 1;
		break;
	case EMU_CDAT_FAULT_BAD_TABLE_TYPE:
		rsp_type = 1;
		break;
	default:
		break;
	}
	doe_wr_init(&w, rsp, rsp_cap);
	doe_wr_u8(&w, rsp_code);
	doe_wr_u8(&w, rsp_type);
	doe_wr_le16(&w, next);
	doe_wr_bytes(&w, entry, entry_len);
	if (!doe_wr_ok(&w))
		return -ENOSPC;
	*rsp_len = doe_wr_len(&w);
	return 0;
}

static struct emu_mb *table_access_mailbox(const struct emu_fn *fn)
{
	for (size_t i = 0; i < emu_fn_mailbox_count(fn); i++) {
		struct emu_mb *mb = emu_fn_mailbox(fn, i);

		if (emu_mb_has_protocol(mb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS))
			return mb;
	}
	return NULL;
}

int emu_fn_set_cdat(struct emu_fn *fn, const void *table, size_t len)
{
	struct doe_ctx *ctx = emu_fn_ctx(fn);
	struct emu_mb *mb = table_access_mailbox(fn);
	struct emu_cdat **slot = emu_fn_cdat_slot(fn);
	struct emu_cdat *c;
	struct doe_rd r;
	int rc;

	if (!mb)
		return doe_err(ctx, -ENOENT, "emulated %s: no mailbox lists CXL Table Access",
			       emu_fn_info(fn)->label);
	c = calloc(1, sizeof(*c));
	if (!c)
		return doe_err(ctx, -ENOMEM, "out of memory");
	c->len = len;
	c->table = malloc(len ? len : 1);
	doe_rd_init(&r, table, len);
	rc = !c->table ? -ENOMEM : doe_rd_bytes(&r, c->table, len) < 0 ? -EINVAL : 0;
	if (rc < 0) {
		emu_cdat_free(c);
		return doe_err(ctx, rc, "emulated CDAT: no table");
	}
	rc = split(c);
	if (rc < 0) {
		emu_cdat_free(c);
		return doe_err(ctx, rc, "emulated CDAT: %zu bytes cannot be served (%s)", len,
			       rc == -E2BIG ? "more than 65534 entries" : "out of memory");
	}
	rc = emu_mb_add_protocol(mb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, cdat_handler, c);
	if (rc < 0) {
		emu_cdat_free(c);
		return rc;
	}
	emu_cdat_free(*slot);
	*slot = c;
	return 0;
}

int emu_fn_set_cdat_fault(struct emu_fn *fn, enum emu_cdat_fault fault, uint16_t handle)
{
	struct emu_cdat *c = *emu_fn_cdat_slot(fn);

	if (!c)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated %s: no CDAT to make faulty",
			       emu_fn_info(fn)->label);
	if ((unsigned int)fault >= EMU_CDAT_FAULT_COUNT)
		return doe_err(emu_fn_ctx(fn), -EINVAL, "unknown CDAT fault %d", (int)fault);
	c->fault = fault;
	c->fault_handle = handle;
	return 0;
}

/* --- built-in tables ---------------------------------------------------- */

#define MiB (1ull << 20)
#define LATENCY_UNIT_PS 10000u	/* entries in 10 ns, as QEMU's defaults */
#define BANDWIDTH_UNIT_MBPS 1000u	/* entries in GB/s */

static struct cdat_struct dsmas(uint8_t handle, uint8_t flags, uint64_t base, uint64_t len)
{
	struct cdat_struct s = { .type = CDAT_DSMAS, .decoded = true };

	s.u.dsmas = (struct cdat_dsmas){ .dsmad_handle = handle, .flags = flags,
					  .dpa_base = base, .dpa_length = len };
	return s;
}

static struct cdat_struct dslbis(uint8_t handle, uint8_t data_type, uint16_t value)
{
	struct cdat_struct s = { .type = CDAT_DSLBIS, .decoded = true };
	uint64_t unit = cdat_data_type_is_latency(data_type) ? LATENCY_UNIT_PS : BANDWIDTH_UNIT_MBPS;

	s.u.dslbis = (struct cdat_dslbis){ .handle = handle, .data_type = data_type,
					    .entry_base_unit = unit, .entry = { value, 0, 0 } };
	return s;
}

int emu_cdat_type3_table(struct doe_ctx *ctx, uint8_t **table, size_t *len)
{
	struct cdat_struct s[] = {
		dsmas(0, 0, 0, 256 * MiB),
		dsmas(1, CDAT_DSMAS_NON_VOLATILE, 256 * MiB, 256 * MiB),
		dslbis(0, CDAT_READ_LATENCY, 15),	/* 150 ns */
		dslbis(0, CDAT_WRITE_LATENCY, 25),	/* 250 ns */
		dslbis(0, CDAT_READ_BANDWIDTH, 16),	/* 16000 MB/s */
		dslbis(0, CDAT_WRITE_BANDWIDTH, 12),
		dslbis(1, CDAT_READ_LATENCY, 30),
		dslbis(1, CDAT_WRITE_LATENCY, 50),
		dslbis(1, CDAT_READ_BANDWIDTH, 8),
		dslbis(1, CDAT_WRITE_BANDWIDTH, 4),
		{ .type = CDAT_DSMSCIS, .decoded = true },
		{ .type = CDAT_DSEMTS, .decoded = true },
	};
	struct cdat_table t = { .hdr = { .revision = 1, .sequence = 1 },
				.structs = s, .n_structs = ARRAY_SIZE(s) };

	/* a 64 MiB direct-mapped write-back memory-side cache with 64-byte lines
	 * (HMAT cache attributes: levels 3:0, level 7:4, associativity 11:8,
	 * write policy 15:12, line size 31:16) */
	s[10].u.dsmscis = (struct cdat_dsmscis){ .dsmas_handle = 0,
						  .memory_side_cache_size = 64 * MiB,
						  .cache_attributes = 0x00401111u };
	/* DSMAS 0 as specific-purpose memory (EfiConventionalMemory + EFI_MEMORY_SP) */
	s[11].u.dsemts = (struct cdat_dsemts){ .dsmas_handle = 0, .efi_memory_type_attr = 1,
						.dpa_offset = 0, .dpa_length = 256 * MiB };
	return cdat_encode_alloc(ctx, &t, table, len);
}

int emu_cdat_switch_table(struct doe_ctx *ctx, const uint8_t *dsp_ports, size_t n,
			  uint8_t **table, size_t *len)
{
	struct cdat_sslbe *lat, *bw;
	struct cdat_struct s[2] = {
		{ .type = CDAT_SSLBIS, .decoded = true },
		{ .type = CDAT_SSLBIS, .decoded = true },
	};
	struct cdat_table t = { .hdr = { .revision = 1, .sequence = 1 },
				.structs = s, .n_structs = 2 };
	int rc;

	if (n > 256 || (n && !dsp_ports))
		return doe_err(ctx, -EINVAL, "emulated switch CDAT: %zu downstream ports", n);
	lat = calloc(n ? n : 1, sizeof(*lat));
	bw = calloc(n ? n : 1, sizeof(*bw));
	if (!lat || !bw) {
		free(lat);
		free(bw);
		return doe_err(ctx, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		lat[i] = (struct cdat_sslbe){ CDAT_SSLBIS_PORT_USP, dsp_ports[i],
					      (uint16_t)(20 + 5 * i), 0 };
		bw[i] = (struct cdat_sslbe){ CDAT_SSLBIS_PORT_USP, dsp_ports[i], 48, 0 };
	}
	s[0].u.sslbis = (struct cdat_sslbis){ .data_type = CDAT_ACCESS_LATENCY,
					       .entry_base_unit = 1000,	/* ns */
					       .n_entries = n, .entries = lat };
	s[1].u.sslbis = (struct cdat_sslbis){ .data_type = CDAT_ACCESS_BANDWIDTH,
					       .entry_base_unit = BANDWIDTH_UNIT_MBPS,
					       .n_entries = n, .entries = bw };
	rc = cdat_encode_alloc(ctx, &t, table, len);
	free(lat);
	free(bw);
	return rc;
}

int emu_fn_cdat_bytes(struct emu_fn *fn, const uint8_t **table, size_t *len)
{
	struct emu_cdat *c = *emu_fn_cdat_slot(fn);

	if (!c)
		return -ENOENT;
	*table = c->table;
	*len = c->len;
	return 0;
}
