// SPDX-License-Identifier: MIT
/*
 * CDAT parser and validator (CDAT spec 1.0x, Tables 1-10).
 *
 * Every byte is read through struct doe_rd. The parser never stops at the
 * first problem: each one becomes a finding with its byte offset and
 * structure index, and decoding goes on as long as the structure chain can
 * be followed. Only a structure header that cannot be trusted (truncated,
 * length below 4 or past the end) ends the walk, because the next
 * structure's position depends on it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cdat.h>
#include <doekit/cursor.h>
#include "internal.h"

struct parser {
	struct cdat_table *t;
	size_t structs_cap;
	size_t findings_cap;
	bool nomem;
};

static void add_finding(struct parser *p, enum cdat_level level, size_t off, int index,
			const char *fmt, ...) DOE_PRINTF(5, 6);
static void add_finding(struct parser *p, enum cdat_level level, size_t off, int index,
			const char *fmt, ...)
{
	struct cdat_table *t = p->t;
	struct cdat_finding *f;
	va_list ap;

	if (level == CDAT_ERROR)
		t->n_errors++;
	else
		t->n_warnings++;
	if (t->n_findings == CDAT_MAX_FINDINGS)
		return;
	if (t->n_findings == p->findings_cap) {
		size_t cap = p->findings_cap ? p->findings_cap * 2 : 16;
		struct cdat_finding *n;

		if (cap > CDAT_MAX_FINDINGS)
			cap = CDAT_MAX_FINDINGS;
		n = realloc(t->findings, cap * sizeof(*n));
		if (!n) {
			p->nomem = true;
			return;
		}
		t->findings = n;
		p->findings_cap = cap;
	}
	f = &t->findings[t->n_findings++];
	f->level = level;
	f->offset = (uint32_t)off;
	f->index = index;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

#define ERR(p, off, idx, ...) add_finding(p, CDAT_ERROR, off, idx, __VA_ARGS__)
#define WARN(p, off, idx, ...) add_finding(p, CDAT_WARNING, off, idx, __VA_ARGS__)

static struct cdat_struct *new_struct(struct parser *p)
{
	struct cdat_table *t = p->t;

	if (t->n_structs == p->structs_cap) {
		size_t cap = p->structs_cap ? p->structs_cap * 2 : 16;
		struct cdat_struct *n = realloc(t->structs, cap * sizeof(*n));

		if (!n) {
			p->nomem = true;
			return NULL;
		}
		t->structs = n;
		p->structs_cap = cap;
	}
	memset(&t->structs[t->n_structs], 0, sizeof(t->structs[0]));
	return &t->structs[t->n_structs++];
}

/* CDAT Table 1: the 16-byte header. Returns where the structures end. */
static size_t parse_header(struct parser *p, struct doe_rd *r, size_t len)
{
	struct cdat_header *h = &p->t->hdr;
	uint32_t rsvd_lo;
	uint16_t rsvd_hi;
	size_t end = len;

	doe_rd_le32(r, &h->length);
	doe_rd_u8(r, &h->revision);
	doe_rd_u8(r, &h->checksum);
	doe_rd_le32(r, &rsvd_lo);
	doe_rd_le16(r, &rsvd_hi);
	doe_rd_le32(r, &h->sequence);
	h->reserved = (uint64_t)rsvd_hi << 32 | rsvd_lo;

	/* Length: "length of the table in bytes, including this header" */
	if (h->length < CDAT_HEADER_LEN)
		ERR(p, 0, -1, "header length %u is shorter than the 16-byte header", h->length);
	else if (h->length > len)
		ERR(p, 0, -1, "header length %u but the table is %zu bytes (truncated)", h->length,
		    len);
	else
		end = h->length;
	if (h->revision < CDAT_REVISION_MIN || h->revision > CDAT_REVISION_MAX)
		WARN(p, 4, -1, "revision %u, expected %u or %u", h->revision, CDAT_REVISION_MIN,
		     CDAT_REVISION_MAX);
	if (h->reserved)
		WARN(p, 6, -1, "reserved header bytes are 0x%012llx, expected 0",
		     (unsigned long long)h->reserved);
	return end;
}

/* CDAT Table 1: "the entire table, including the Checksum field, must sum
 * to zero". Summed over the bytes the structures were parsed from. */
static void check_checksum(struct parser *p, const void *buf, size_t end)
{
	struct cdat_table *t = p->t;
	struct doe_rd r;
	const uint8_t *q;
	uint8_t sum = 0;

	doe_rd_init(&r, buf, end);
	q = doe_rd_take(&r, end);
	for (size_t i = 0; q && i < end; i++)
		sum = (uint8_t)(sum + q[i]);
	t->checksum_ok = sum == 0;
	if (!t->checksum_ok)
		ERR(p, 5, -1, "checksum 0x%02x is wrong: the table sums to 0x%02x, not 0 "
			      "(0x%02x would be right)",
		    t->hdr.checksum, sum, (uint8_t)(t->hdr.checksum - sum));
}

static void check_base_unit(struct parser *p, const char *name, uint64_t base, size_t off,
			    int idx)
{
	if (!base)
		WARN(p, off, idx, "%s: entry base unit is 0, so every value is 0", name);
}

static void check_data_type(struct parser *p, const char *name, uint8_t dt, size_t off, int idx)
{
	if (cdat_data_type_is_latency(dt) < 0)
		ERR(p, off, idx, "%s: data type %u is not a latency or bandwidth type (0-5)", name,
		    dt);
}

/* CDAT Table 3 */
static void decode_dsmas(struct parser *p, struct cdat_dsmas *d, struct doe_rd *b, size_t off,
			 int idx)
{
	doe_rd_u8(b, &d->dsmad_handle);
	doe_rd_u8(b, &d->flags);
	doe_rd_le16(b, &d->reserved);
	doe_rd_le64(b, &d->dpa_base);
	doe_rd_le64(b, &d->dpa_length);
	/* flags bits 2-5 are defined, 0-1 and 6-7 reserved */
	if (d->flags & ~(CDAT_DSMAS_NON_VOLATILE | CDAT_DSMAS_SHAREABLE | CDAT_DSMAS_HW_COHERENT |
			 CDAT_DSMAS_DYNAMIC_CAPACITY))
		WARN(p, off + 5, idx, "DSMAS: reserved flag bits set in 0x%02x", d->flags);
	if (d->reserved)
		WARN(p, off + 6, idx, "DSMAS: reserved field is 0x%04x, expected 0", d->reserved);
	if (d->dpa_length && d->dpa_base > UINT64_MAX - (d->dpa_length - 1))
		ERR(p, off + 8, idx, "DSMAS: DPA range 0x%llx + 0x%llx runs past 2^64",
		    (unsigned long long)d->dpa_base, (unsigned long long)d->dpa_length);
	else if (!d->dpa_length)
		WARN(p, off + 16, idx, "DSMAS: DPA length is 0");
}

/* CDAT Table 5 */
static void decode_dslbis(struct parser *p, struct cdat_dslbis *d, struct doe_rd *b, size_t off,
			  int idx)
{
	doe_rd_u8(b, &d->handle);
	doe_rd_u8(b, &d->flags);
	doe_rd_u8(b, &d->data_type);
	doe_rd_u8(b, &d->reserved);
	doe_rd_le64(b, &d->entry_base_unit);
	for (int i = 0; i < 3; i++)
		doe_rd_le16(b, &d->entry[i]);
	doe_rd_le16(b, &d->reserved2);
	/* HMAT flags bits 3:0: 0 memory, 1-3 first to third level cache */
	if ((d->flags & 0x0Fu) > 3)
		WARN(p, off + 5, idx, "DSLBIS: memory hierarchy %u in flags 0x%02x is not 0-3",
		     d->flags & 0x0Fu, d->flags);
	check_data_type(p, "DSLBIS", d->data_type, off + 6, idx);
	if (d->reserved)
		WARN(p, off + 7, idx, "DSLBIS: reserved byte is 0x%02x, expected 0", d->reserved);
	check_base_unit(p, "DSLBIS", d->entry_base_unit, off + 8, idx);
	if (d->reserved2)
		WARN(p, off + 22, idx, "DSLBIS: reserved field is 0x%04x, expected 0", d->reserved2);
}

/* CDAT Table 6 */
static void decode_dsmscis(struct parser *p, struct cdat_dsmscis *d, struct doe_rd *b,
			   size_t off, int idx)
{
	uint8_t rsvd[3] = { 0 };

	doe_rd_u8(b, &d->dsmas_handle);
	doe_rd_bytes(b, rsvd, 3);
	doe_rd_le64(b, &d->memory_side_cache_size);
	doe_rd_le32(b, &d->cache_attributes);
	d->reserved = (uint32_t)rsvd[0] | (uint32_t)rsvd[1] << 8 | (uint32_t)rsvd[2] << 16;
	if (d->reserved)
		WARN(p, off + 5, idx, "DSMSCIS: reserved bytes are 0x%06x, expected 0", d->reserved);
}

/* CDAT Table 7 */
static void decode_dsis(struct parser *p, struct cdat_dsis *d, struct doe_rd *b, size_t off,
			int idx)
{
	doe_rd_u8(b, &d->flags);
	doe_rd_u8(b, &d->handle);
	doe_rd_le16(b, &d->reserved);
	if (d->flags & ~CDAT_DSIS_MEMORY_ATTACHED)
		WARN(p, off + 4, idx, "DSIS: reserved flag bits set in 0x%02x", d->flags);
	if (d->reserved)
		WARN(p, off + 6, idx, "DSIS: reserved field is 0x%04x, expected 0", d->reserved);
}

/* CDAT Table 8 */
static void decode_dsemts(struct parser *p, struct cdat_dsemts *d, struct doe_rd *b,
			  size_t off, int idx)
{
	doe_rd_u8(b, &d->dsmas_handle);
	doe_rd_u8(b, &d->efi_memory_type_attr);
	doe_rd_le16(b, &d->reserved);
	doe_rd_le64(b, &d->dpa_offset);
	doe_rd_le64(b, &d->dpa_length);
	/* 0 EfiConventionalMemory, 1 the same with EFI_MEMORY_SP,
	 * 2 EfiReservedMemoryType; 3-255 reserved */
	if (d->efi_memory_type_attr > 2)
		WARN(p, off + 5, idx, "DSEMTS: EFI memory type and attribute %u is reserved",
		     d->efi_memory_type_attr);
	if (d->reserved)
		WARN(p, off + 6, idx, "DSEMTS: reserved field is 0x%04x, expected 0", d->reserved);
}

static bool sslbis_port_ok(uint16_t id)
{
	return id <= 0xFFu || id == CDAT_SSLBIS_PORT_USP || id == CDAT_SSLBIS_ANY_PORT;
}

/* CDAT Tables 9 and 10 */
static void decode_sslbis(struct parser *p, struct cdat_sslbis *d, struct doe_rd *b, size_t off,
			  int idx)
{
	uint8_t rsvd[3] = { 0 };
	size_t n = (doe_rd_left(b) - (CDAT_SSLBIS_HDR_LEN - CDAT_STRUCT_HEADER_LEN)) /
		   CDAT_SSLBE_LEN;

	doe_rd_u8(b, &d->data_type);
	doe_rd_bytes(b, rsvd, 3);
	doe_rd_le64(b, &d->entry_base_unit);
	d->reserved = (uint32_t)rsvd[0] | (uint32_t)rsvd[1] << 8 | (uint32_t)rsvd[2] << 16;
	check_data_type(p, "SSLBIS", d->data_type, off + 4, idx);
	if (d->reserved)
		WARN(p, off + 5, idx, "SSLBIS: reserved bytes are 0x%06x, expected 0", d->reserved);
	check_base_unit(p, "SSLBIS", d->entry_base_unit, off + 8, idx);
	if (!n) {
		/* legal by the length formula, but Linux rejects it as malformed */
		WARN(p, off + 2, idx, "SSLBIS has no entries");
		return;
	}
	d->entries = calloc(n, sizeof(*d->entries));
	if (!d->entries) {
		p->nomem = true;
		return;
	}
	d->n_entries = n;
	for (size_t k = 0; k < n; k++) {
		struct cdat_sslbe *e = &d->entries[k];
		size_t eoff = off + CDAT_SSLBIS_HDR_LEN + k * CDAT_SSLBE_LEN;

		doe_rd_le16(b, &e->port_x_id);
		doe_rd_le16(b, &e->port_y_id);
		doe_rd_le16(b, &e->latency_or_bandwidth);
		doe_rd_le16(b, &e->reserved);
		if (!sslbis_port_ok(e->port_x_id))
			ERR(p, eoff, idx, "SSLBIS entry %zu: port X ID 0x%04x is not a port "
					  "(0x00-0xFF, 0x0100 or 0xFFFF)", k, e->port_x_id);
		if (!sslbis_port_ok(e->port_y_id))
			ERR(p, eoff + 2, idx, "SSLBIS entry %zu: port Y ID 0x%04x is not a port "
					      "(0x00-0xFF, 0x0100 or 0xFFFF)", k, e->port_y_id);
		else if (e->port_x_id == e->port_y_id && e->port_x_id != CDAT_SSLBIS_ANY_PORT)
			WARN(p, eoff + 2, idx, "SSLBIS entry %zu: port X and port Y are both 0x%04x",
			     k, e->port_x_id);
		if (e->reserved)
			WARN(p, eoff + 6, idx, "SSLBIS entry %zu: reserved field is 0x%04x, "
					       "expected 0", k, e->reserved);
	}
}

static void keep_raw(struct parser *p, struct cdat_struct *s, struct doe_rd *whole)
{
	s->raw = malloc(s->length);
	if (!s->raw) {
		p->nomem = true;
		return;
	}
	doe_rd_bytes(whole, s->raw, s->length);
	s->raw_len = s->length;
}

static void decode(struct parser *p, struct cdat_struct *s, struct doe_rd *b, int idx)
{
	size_t off = s->offset;

	s->decoded = true;
	switch (s->type) {
	case CDAT_DSMAS:
		decode_dsmas(p, &s->u.dsmas, b, off, idx);
		break;
	case CDAT_DSLBIS:
		decode_dslbis(p, &s->u.dslbis, b, off, idx);
		break;
	case CDAT_DSMSCIS:
		decode_dsmscis(p, &s->u.dsmscis, b, off, idx);
		break;
	case CDAT_DSIS:
		decode_dsis(p, &s->u.dsis, b, off, idx);
		break;
	case CDAT_DSEMTS:
		decode_dsemts(p, &s->u.dsemts, b, off, idx);
		break;
	case CDAT_SSLBIS:
		decode_sslbis(p, &s->u.sslbis, b, off, idx);
		break;
	}
}

/* Is the length right for the type? (CDAT Tables 3-9) */
static bool length_ok(uint8_t type, uint16_t len)
{
	if (type == CDAT_SSLBIS)
		return len >= CDAT_SSLBIS_HDR_LEN && (len - CDAT_SSLBIS_HDR_LEN) % CDAT_SSLBE_LEN == 0;
	return len == cdat_type_length(type);
}

/* Walks the structures in r (positioned at byte 16 of the table). */
static void parse_structs(struct parser *p, struct doe_rd *r)
{
	while (doe_rd_left(r) && !p->nomem) {
		size_t off = r->off;
		int idx = (int)p->t->n_structs;
		struct doe_rd peek = *r, whole, body;
		struct cdat_struct *s;
		uint8_t type, rsvd;
		uint16_t len;
		const char *name;

		if (doe_rd_left(r) < CDAT_STRUCT_HEADER_LEN) {
			ERR(p, off, idx, "structure header truncated: %zu of 4 bytes left",
			    doe_rd_left(r));
			return;
		}
		doe_rd_u8(&peek, &type);
		doe_rd_u8(&peek, &rsvd);
		doe_rd_le16(&peek, &len);
		name = cdat_type_name(type) ? cdat_type_name(type) : "structure";
		if (len < CDAT_STRUCT_HEADER_LEN) {
			ERR(p, off + 2, idx, "%s (type %u) length %u is shorter than its 4-byte "
					     "header", name, type, len);
			return;
		}
		if (doe_rd_sub(r, len, &whole) < 0) {
			ERR(p, off + 2, idx, "%s (type %u) length %u runs past the end of the table "
					     "(%zu bytes left): truncated", name, type, len,
			    doe_rd_left(r));
			return;
		}
		s = new_struct(p);
		if (!s)
			return;
		s->type = type;
		s->hdr_reserved = rsvd;
		s->length = len;
		s->offset = (uint32_t)off;
		if (rsvd)
			WARN(p, off + 1, idx, "%s: reserved byte of the structure header is 0x%02x",
			     name, rsvd);
		body = whole;
		doe_rd_skip(&body, CDAT_STRUCT_HEADER_LEN);
		if (!cdat_type_name(type)) {
			WARN(p, off, idx, "unknown structure type %u (%u bytes) skipped", type, len);
			keep_raw(p, s, &whole);
		} else if (!length_ok(type, len)) {
			if (type == CDAT_SSLBIS)
				ERR(p, off + 2, idx, "SSLBIS length %u is not 16 + 8 × entries", len);
			else
				ERR(p, off + 2, idx, "%s length %u, expected %d", name, len,
				    cdat_type_length(type));
			keep_raw(p, s, &whole);
		} else {
			decode(p, s, &body, idx);
		}
	}
}

/*
 * References between structures (CDAT Tables 5, 6, 7, 8): DSLBIS, DSMSCIS,
 * DSEMTS and a memory-attached DSIS name a DSMAS by its DSMAD handle, which
 * must exist and be unique. Done after the walk: a DSMAS may come later.
 */
static void check_references(struct parser *p)
{
	struct cdat_table *t = p->t;
	int dsmas_of[256];

	for (size_t i = 0; i < ARRAY_SIZE(dsmas_of); i++)
		dsmas_of[i] = -1;
	for (size_t i = 0; i < t->n_structs; i++) {
		const struct cdat_struct *s = &t->structs[i];
		uint8_t h = s->u.dsmas.dsmad_handle;

		if (!s->decoded || s->type != CDAT_DSMAS)
			continue;
		if (dsmas_of[h] >= 0)
			ERR(p, s->offset + 4, (int)i, "DSMAS: DSMAD handle %u is already used by "
						      "structure %d", h, dsmas_of[h]);
		else
			dsmas_of[h] = (int)i;
	}
	for (size_t i = 0; i < t->n_structs; i++) {
		const struct cdat_struct *s = &t->structs[i];
		const struct cdat_dsemts *e = &s->u.dsemts;
		size_t hoff = s->offset + 4;
		int handle = -1;

		if (!s->decoded)
			continue;
		switch (s->type) {
		case CDAT_DSLBIS:
			handle = s->u.dslbis.handle;
			break;
		case CDAT_DSMSCIS:
			handle = s->u.dsmscis.dsmas_handle;
			break;
		case CDAT_DSEMTS:
			handle = e->dsmas_handle;
			break;
		case CDAT_DSIS:
			if (s->u.dsis.flags & CDAT_DSIS_MEMORY_ATTACHED)
				handle = s->u.dsis.handle;
			hoff = s->offset + 5;
			break;
		}
		if (handle < 0)
			continue;
		if (dsmas_of[handle] < 0) {
			ERR(p, hoff, (int)i, "%s: DSMAS handle %d does not exist",
			    cdat_type_name(s->type), handle);
			continue;
		}
		if (s->type == CDAT_DSEMTS) {
			/* the DPA offset is relative to the DSMAS range and must stay in it */
			uint64_t range = t->structs[dsmas_of[handle]].u.dsmas.dpa_length;

			if (e->dpa_offset > range || e->dpa_length > range - e->dpa_offset)
				ERR(p, s->offset + 8, (int)i,
				    "DSEMTS: DPA offset 0x%llx + length 0x%llx lies outside DSMAS "
				    "handle %d (length 0x%llx)", (unsigned long long)e->dpa_offset,
				    (unsigned long long)e->dpa_length, handle,
				    (unsigned long long)range);
		}
	}
}

/* Stable merge sort by offset (findings from the reference pass come after
 * those of the walk but belong among them). */
static int sort_findings(struct cdat_finding *f, size_t n)
{
	struct cdat_finding *tmp;

	if (n < 2)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, k = lo;

			while (a < mid && b < hi)
				tmp[k++] = f[b].offset < f[a].offset ? f[b++] : f[a++];
			while (a < mid)
				tmp[k++] = f[a++];
			while (b < hi)
				tmp[k++] = f[b++];
		}
		memcpy(f, tmp, n * sizeof(*f));
	}
	free(tmp);
	return 0;
}

int cdat_parse(struct doe_ctx *ctx, const void *buf, size_t len, struct cdat_table **out)
{
	struct parser p = { 0 };
	struct doe_rd r;
	size_t end;

	if (!out || (!buf && len))
		return doe_err(ctx, -EINVAL, "CDAT: no table");
	if (len > CDAT_MAX_TABLE_LEN)
		return doe_err(ctx, -E2BIG, "CDAT: %zu bytes, more than the %u-byte limit", len,
			       CDAT_MAX_TABLE_LEN);
	if (len < CDAT_HEADER_LEN)
		return doe_err(ctx, -EBADMSG, "CDAT: %zu bytes, shorter than the 16-byte header",
			       len);
	p.t = calloc(1, sizeof(*p.t));
	if (!p.t)
		return doe_err(ctx, -ENOMEM, "out of memory");
	p.t->raw_len = len;
	doe_rd_init(&r, buf, len);
	end = parse_header(&p, &r, len);
	check_checksum(&p, buf, end);
	/* the structures live between the header and the table's end */
	doe_rd_init(&r, buf, end);
	doe_rd_skip(&r, CDAT_HEADER_LEN);
	parse_structs(&p, &r);
	if (end < len)
		ERR(&p, end, -1, "%zu bytes after the end of the table (header length %u)",
		    len - end, p.t->hdr.length);
	check_references(&p);
	if (p.nomem || sort_findings(p.t->findings, p.t->n_findings) < 0) {
		cdat_table_free(p.t);
		return doe_err(ctx, -ENOMEM, "CDAT: out of memory");
	}
	*out = p.t;
	return 0;
}

void cdat_table_free(struct cdat_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_structs; i++) {
		struct cdat_struct *s = &t->structs[i];

		if (s->decoded && s->type == CDAT_SSLBIS)
			free(s->u.sslbis.entries);
		free(s->raw);
	}
	free(t->structs);
	free(t->findings);
	free(t);
}

size_t cdat_count_findings(const struct cdat_table *t, enum cdat_level level)
{
	if (!t)
		return 0;
	return level == CDAT_ERROR ? t->n_errors : t->n_warnings;
}
