// SPDX-License-Identifier: MIT
/*
 * CDAT encoder: struct cdat_table to bytes, every write through struct
 * doe_wr. The header's length and checksum and each structure's length are
 * computed; everything else (reserved fields included) is written as stored,
 * so a parsed table comes back byte for byte. The result is a whole table,
 * header included: what QEMU's cxl-type3 cdat=FILE property loads.
 */
#include <stdlib.h>

#include <doekit/cdat.h>
#include <doekit/cursor.h>
#include "internal.h"

#define MAX_24BIT 0xFFFFFFu
#define MAX_48BIT 0xFFFFFFFFFFFFull

/* The length structure i will have, or -EINVAL when it cannot be written
 * (*len is then 0: every path defines it, so no caller, and no optimiser
 * that inlines this and loses track of doe_err()'s sign, sees it unset). */
static int struct_length(struct doe_ctx *ctx, const struct cdat_struct *s, size_t i, size_t *len)
{
	*len = 0;
	if (!s->decoded) {
		struct doe_rd r;
		uint16_t raw_len_field;

		/* written verbatim: its own length field must describe it */
		doe_rd_init(&r, s->raw, s->raw_len);
		doe_rd_skip(&r, 2);
		if (doe_rd_le16(&r, &raw_len_field) < 0 || raw_len_field != s->raw_len)
			return doe_err(ctx, -EINVAL,
				       "CDAT structure %zu: undecoded structure without consistent "
				       "raw bytes (%zu bytes)", i, s->raw ? s->raw_len : 0);
		*len = s->raw_len;
		return 0;
	}
	if (s->type == CDAT_SSLBIS) {
		const struct cdat_sslbis *d = &s->u.sslbis;

		if (d->n_entries > CDAT_SSLBIS_MAX_ENTRIES || (d->n_entries && !d->entries))
			return doe_err(ctx, -EINVAL, "CDAT structure %zu: SSLBIS with %zu entries "
						     "(at most %u fit)", i, d->n_entries,
				       CDAT_SSLBIS_MAX_ENTRIES);
		*len = CDAT_SSLBIS_HDR_LEN + d->n_entries * CDAT_SSLBE_LEN;
		return 0;
	}
	if (cdat_type_length(s->type) <= 0)
		return doe_err(ctx, -EINVAL, "CDAT structure %zu: type %u cannot be decoded, so it "
					     "needs raw bytes", i, s->type);
	*len = (size_t)cdat_type_length(s->type);
	return 0;
}

static void write_le24(struct doe_wr *w, uint32_t v)
{
	doe_wr_u8(w, (uint8_t)v);
	doe_wr_le16(w, (uint16_t)(v >> 8));
}

static int check_reserved(struct doe_ctx *ctx, const struct cdat_struct *s, size_t i)
{
	uint32_t r24 = 0;

	if (s->type == CDAT_DSMSCIS)
		r24 = s->u.dsmscis.reserved;
	else if (s->type == CDAT_SSLBIS)
		r24 = s->u.sslbis.reserved;
	if (r24 > MAX_24BIT)
		return doe_err(ctx, -EINVAL, "CDAT structure %zu: %s reserved field 0x%x does not "
					     "fit in 3 bytes", i, cdat_type_name(s->type), r24);
	return 0;
}

static void write_struct(struct doe_wr *w, const struct cdat_struct *s, size_t len)
{
	if (!s->decoded) {
		doe_wr_bytes(w, s->raw, s->raw_len);
		return;
	}
	doe_wr_u8(w, s->type);
	doe_wr_u8(w, s->hdr_reserved);
	doe_wr_le16(w, (uint16_t)len);
	switch (s->type) {
	case CDAT_DSMAS: {
		const struct cdat_dsmas *d = &s->u.dsmas;

		doe_wr_u8(w, d->dsmad_handle);
		doe_wr_u8(w, d->flags);
		doe_wr_le16(w, d->reserved);
		doe_wr_le64(w, d->dpa_base);
		doe_wr_le64(w, d->dpa_length);
		break;
	}
	case CDAT_DSLBIS: {
		const struct cdat_dslbis *d = &s->u.dslbis;

		doe_wr_u8(w, d->handle);
		doe_wr_u8(w, d->flags);
		doe_wr_u8(w, d->data_type);
		doe_wr_u8(w, d->reserved);
		doe_wr_le64(w, d->entry_base_unit);
		for (int k = 0; k < 3; k++)
			doe_wr_le16(w, d->entry[k]);
		doe_wr_le16(w, d->reserved2);
		break;
	}
	case CDAT_DSMSCIS: {
		const struct cdat_dsmscis *d = &s->u.dsmscis;

		doe_wr_u8(w, d->dsmas_handle);
		write_le24(w, d->reserved);
		doe_wr_le64(w, d->memory_side_cache_size);
		doe_wr_le32(w, d->cache_attributes);
		break;
	}
	case CDAT_DSIS: {
		const struct cdat_dsis *d = &s->u.dsis;

		doe_wr_u8(w, d->flags);
		doe_wr_u8(w, d->handle);
		doe_wr_le16(w, d->reserved);
		break;
	}
	case CDAT_DSEMTS: {
		const struct cdat_dsemts *d = &s->u.dsemts;

		doe_wr_u8(w, d->dsmas_handle);
		doe_wr_u8(w, d->efi_memory_type_attr);
		doe_wr_le16(w, d->reserved);
		doe_wr_le64(w, d->dpa_offset);
		doe_wr_le64(w, d->dpa_length);
		break;
	}
	case CDAT_SSLBIS: {
		const struct cdat_sslbis *d = &s->u.sslbis;

		doe_wr_u8(w, d->data_type);
		write_le24(w, d->reserved);
		doe_wr_le64(w, d->entry_base_unit);
		for (size_t k = 0; k < d->n_entries; k++) {
			doe_wr_le16(w, d->entries[k].port_x_id);
			doe_wr_le16(w, d->entries[k].port_y_id);
			doe_wr_le16(w, d->entries[k].latency_or_bandwidth);
			doe_wr_le16(w, d->entries[k].reserved);
		}
		break;
	}
	}
}

int cdat_encode(struct doe_ctx *ctx, const struct cdat_table *t, uint8_t *buf, size_t cap,
		size_t *len)
{
	size_t total = CDAT_HEADER_LEN;
	struct doe_wr w;
	uint8_t sum = 0;

	if (!t || !len || (t->n_structs && !t->structs))
		return doe_err(ctx, -EINVAL, "CDAT: no table to encode");
	if (t->hdr.reserved > MAX_48BIT)
		return doe_err(ctx, -EINVAL, "CDAT header: reserved field 0x%llx does not fit in "
					     "6 bytes", (unsigned long long)t->hdr.reserved);
	for (size_t i = 0; i < t->n_structs; i++) {
		size_t l;

		TRY(struct_length(ctx, &t->structs[i], i, &l));
		TRY(check_reserved(ctx, &t->structs[i], i));
		total += l;
		if (total > CDAT_MAX_TABLE_LEN)
			return doe_err(ctx, -E2BIG, "CDAT: encoded table exceeds %u bytes at "
						    "structure %zu", CDAT_MAX_TABLE_LEN, i);
	}
	*len = total;
	if (!buf)
		return 0;
	if (cap < total)
		return doe_err(ctx, -EMSGSIZE, "CDAT: table needs %zu bytes, buffer holds %zu",
			       total, cap);

	/* CDAT Table 1, with the checksum written last */
	doe_wr_init(&w, buf, total);
	doe_wr_le32(&w, (uint32_t)total);
	doe_wr_u8(&w, t->hdr.revision);
	doe_wr_u8(&w, 0);
	doe_wr_le32(&w, (uint32_t)t->hdr.reserved);
	doe_wr_le16(&w, (uint16_t)(t->hdr.reserved >> 32));
	doe_wr_le32(&w, t->hdr.sequence);
	for (size_t i = 0; i < t->n_structs; i++) {
		size_t l = 0;

		struct_length(ctx, &t->structs[i], i, &l);
		write_struct(&w, &t->structs[i], l);
	}
	if (!doe_wr_ok(&w) || doe_wr_len(&w) != total)
		return doe_err(ctx, -EFAULT, "CDAT: encoder wrote %zu of %zu bytes", doe_wr_len(&w),
			       total);
	/* "the entire table, including the Checksum field, must sum to zero" */
	for (size_t i = 0; i < total; i++)
		sum = (uint8_t)(sum + buf[i]);
	buf[5] = (uint8_t)(0x100u - sum);
	return 0;
}

int cdat_encode_alloc(struct doe_ctx *ctx, const struct cdat_table *t, uint8_t **buf,
		      size_t *len)
{
	uint8_t *p;
	size_t n;
	int rc;

	if (!buf)
		return doe_err(ctx, -EINVAL, "CDAT: no output buffer");
	TRY(cdat_encode(ctx, t, NULL, 0, &n));
	p = malloc(n);
	if (!p)
		return doe_err(ctx, -ENOMEM, "out of memory");
	rc = cdat_encode(ctx, t, p, n, len);
	if (rc < 0) {
		free(p);
		return rc;
	}
	*buf = p;
	return 0;
}
