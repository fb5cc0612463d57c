// SPDX-License-Identifier: MIT
/*
 * SPDM message codec (DSP0274 1.0-1.3). Layouts are those of DMTF libspdm
 * include/industry_standard/spdm.h; section numbers are DSP0274 1.3.
 */
#include "msg.h"
#include "internal.h"

/* FIELD() and CLAIM() live in msg.h */

/* The end of a message: trailing bytes are an error, except up to align-1
 * zero bytes of transport padding. Returns the message length without the
 * padding (what goes into a transcript). */
static int msg_end(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *r,
		   const char *msg)
{
	size_t left = doe_rd_left(r), i;
	uint8_t align = n && n->align > 1 ? n->align : 1;

	if (!left)
		return (int)r->off;
	if (left < align && r->len % align == 0) {
		for (i = r->off; i < r->len; i++)
			if (r->p[i])
				break;
		if (i == r->len)
			return (int)r->off;
	}
	return doe_err(ctx, -EBADMSG, "%s: %zu trailing bytes after the last field (%zu bytes)",
		       msg, left, r->len);
}

/* Header of a message we expect to be `code` in version n->version. */
static int msg_hdr(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *r,
		   uint8_t code, const char *msg, struct spdm_hdr *h)
{
	doe_rd_u8(r, &h->version);
	doe_rd_u8(r, &h->code);
	doe_rd_u8(r, &h->param1);
	doe_rd_u8(r, &h->param2);
	if (!doe_rd_ok(r))
		return doe_err(ctx, -EBADMSG, "%s: %zu bytes, shorter than the 4-byte header",
			       msg, r->len);
	if (h->code != code)
		return doe_err(ctx, -EPROTO, "%s: RequestResponseCode 0x%02x (%s)", msg, h->code,
			       spdm_code_name(h->code));
	if (h->version != n->version)
		return doe_err(ctx, -EPROTO, "%s: SPDMVersion 0x%02x, expected 0x%02x", msg,
			       h->version, n->version);
	return 0;
}

int spdm_parse_hdr(struct doe_ctx *ctx, const void *msg, size_t len, struct spdm_hdr *h)
{
	struct doe_rd r;

	doe_rd_init(&r, msg, len);
	doe_rd_u8(&r, &h->version);
	doe_rd_u8(&r, &h->code);
	doe_rd_u8(&r, &h->param1);
	doe_rd_u8(&r, &h->param2);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "SPDM message: %zu bytes, shorter than the header",
			       len);
	return 0;
}

static int wr_hdr(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t p1, uint8_t p2)
{
	doe_wr_u8(w, ver);
	doe_wr_u8(w, code);
	doe_wr_u8(w, p1);
	return doe_wr_u8(w, p2);
}

static int wr_done(struct doe_wr *w)
{
	return doe_wr_ok(w) ? 0 : -EMSGSIZE;
}

/* ---- GET_VERSION / VERSION (§10.3) ---------------------------------- */

int spdm_enc_get_version(struct doe_wr *w)
{
	wr_hdr(w, SPDM_V10, SPDM_GET_VERSION, 0, 0);	/* always version 1.0 */
	return wr_done(w);
}

int spdm_enc_version(struct doe_wr *w, const uint8_t *versions, unsigned n)
{
	unsigned i;

	wr_hdr(w, SPDM_V10, SPDM_VERSION, 0, 0);
	doe_wr_u8(w, 0);
	doe_wr_u8(w, (uint8_t)n);
	for (i = 0; i < n; i++)	/* major 15:12, minor 11:8, update 7:4, alpha 3:0 */
		doe_wr_le16(w, (uint16_t)(versions[i] << 8));
	return wr_done(w);
}

int spdm_parse_get_version(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			   size_t len)
{
	struct spdm_neg n10 = { .version = SPDM_V10, .align = n ? n->align : 1 };
	struct spdm_hdr h;
	struct doe_rd r;

	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, &n10, &r, SPDM_GET_VERSION, "GET_VERSION", &h));
	return msg_end(ctx, &n10, &r, "GET_VERSION");
}

int spdm_parse_version(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
		       size_t len, struct spdm_version_rsp *v)
{
	struct spdm_neg n10 = { .version = SPDM_V10, .align = n ? n->align : 1 };
	const char *m = "VERSION";
	struct spdm_hdr h;
	struct doe_rd r;
	uint8_t rsvd;
	unsigned i;

	memset(v, 0, sizeof(*v));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, &n10, &r, SPDM_VERSION, m, &h));
	FIELD(doe_rd_u8(&r, &rsvd), m, "Reserved");
	FIELD(doe_rd_u8(&r, &v->count), m, "VersionNumberEntryCount");
	if (!v->count)
		return doe_err(ctx, -EBADMSG, "VERSION: VersionNumberEntryCount is 0");
	if ((size_t)v->count * 2 > doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG,
			       "VERSION: VersionNumberEntryCount %u needs %u bytes, only %zu left",
			       v->count, v->count * 2u, doe_rd_left(&r));
	for (i = 0; i < v->count; i++) {
		uint16_t e;

		doe_rd_le16(&r, &e);
		if (i < SPDM_MAX_VERSION_ENTRIES)
			v->entries[i] = e;
	}
	return msg_end(ctx, n, &r, m);
}

/* ---- GET_CAPABILITIES / CAPABILITIES (§10.4) ------------------------- */

int spdm_enc_get_capabilities(struct doe_wr *w, uint8_t ver, const struct spdm_caps *c)
{
	wr_hdr(w, ver, SPDM_GET_CAPABILITIES, 0, 0);
	if (ver >= SPDM_V11) {
		doe_wr_u8(w, 0);
		doe_wr_u8(w, c->ct_exponent);
		doe_wr_le16(w, 0);
		doe_wr_le32(w, c->flags);
	}
	if (ver >= SPDM_V12) {
		doe_wr_le32(w, c->data_transfer_size);
		doe_wr_le32(w, c->max_msg_size);
	}
	return wr_done(w);
}

int spdm_enc_capabilities(struct doe_wr *w, uint8_t ver, const struct spdm_caps *c)
{
	wr_hdr(w, ver, SPDM_CAPABILITIES, 0, 0);
	doe_wr_u8(w, 0);
	doe_wr_u8(w, c->ct_exponent);
	doe_wr_le16(w, 0);
	doe_wr_le32(w, c->flags);
	if (ver >= SPDM_V12) {
		doe_wr_le32(w, c->data_transfer_size);
		doe_wr_le32(w, c->max_msg_size);
	}
	return wr_done(w);
}

static int caps_body(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *rp,
		     const char *m, bool always, struct spdm_caps *c)
{
	struct doe_rd r = *rp;
	uint16_t rsvd16;
	uint8_t rsvd;

	if (n->version >= SPDM_V11 || always) {
		FIELD(doe_rd_u8(&r, &rsvd), m, "Reserved");
		FIELD(doe_rd_u8(&r, &c->ct_exponent), m, "CTExponent");
		FIELD(doe_rd_le16(&r, &rsvd16), m, "Reserved");
		FIELD(doe_rd_le32(&r, &c->flags), m, "Flags");
	}
	if (n->version >= SPDM_V12) {
		FIELD(doe_rd_le32(&r, &c->data_transfer_size), m, "DataTransferSize");
		FIELD(doe_rd_le32(&r, &c->max_msg_size), m, "MaxSPDMmsgSize");
		/* DSP0274 1.2 §10.4: DataTransferSize >= MinDataTransferSize (42),
		 * MaxSPDMmsgSize >= DataTransferSize */
		if (c->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE_12)
			return doe_err(ctx, -EBADMSG, "%s: DataTransferSize %u < %u", m,
				       c->data_transfer_size, SPDM_MIN_DATA_TRANSFER_SIZE_12);
		if (c->max_msg_size < c->data_transfer_size)
			return doe_err(ctx, -EBADMSG,
				       "%s: MaxSPDMmsgSize %u < DataTransferSize %u", m,
				       c->max_msg_size, c->data_transfer_size);
	}
	*rp = r;
	return 0;
}

int spdm_parse_get_capabilities(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
				size_t len, struct spdm_caps *c)
{
	const char *m = "GET_CAPABILITIES";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(c, 0, sizeof(*c));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_GET_CAPABILITIES, m, &h));
	TRY(caps_body(ctx, n, &r, m, false, c));
	return msg_end(ctx, n, &r, m);
}

int spdm_parse_capabilities(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			    size_t len, struct spdm_caps *c)
{
	const char *m = "CAPABILITIES";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(c, 0, sizeof(*c));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_CAPABILITIES, m, &h));
	/* 1.0 CAPABILITIES already has CTExponent and Flags */
	TRY(caps_body(ctx, n, &r, m, true, c));
	if (n->version >= SPDM_V13 && (h.param1 & 0x01))
		return doe_err(ctx, -EBADMSG,
			       "CAPABILITIES: Param1 SupportedAlgorithms set, but not requested");
	return msg_end(ctx, n, &r, m);
}

/* ---- NEGOTIATE_ALGORITHMS / ALGORITHMS (§10.5) ------------------------ */

static int wr_structs(struct doe_wr *w, const struct spdm_algs *a)
{
	unsigned i;

	for (i = 0; i < a->nstructs && i < SPDM_MAX_ALG_STRUCTS; i++) {
		doe_wr_u8(w, a->structs[i].type);
		doe_wr_u8(w, 0x20);	/* FixedAlgCount 2 (7:4), ExtAlgCount 0 (3:0) */
		doe_wr_le16(w, a->structs[i].bits);
	}
	return wr_done(w);
}

static size_t structs_len(uint8_t ver, const struct spdm_algs *a)
{
	return ver >= SPDM_V11 ? 4u * a->nstructs : 0;
}

int spdm_enc_negotiate_algorithms(struct doe_wr *w, uint8_t ver, const struct spdm_algs *a)
{
	size_t total = SPDM_NEG_ALG_FIXED + structs_len(ver, a);

	wr_hdr(w, ver, SPDM_NEGOTIATE_ALGORITHMS, ver >= SPDM_V11 ? a->nstructs : 0, 0);
	doe_wr_le16(w, (uint16_t)total);
	doe_wr_u8(w, a->meas_spec);
	doe_wr_u8(w, ver >= SPDM_V12 ? a->other_params : 0);
	doe_wr_le32(w, a->asym);
	doe_wr_le32(w, a->hash);
	doe_wr_zero(w, 12);	/* 1.4 PqcAsymAlgo, Reserved */
	doe_wr_u8(w, 0);	/* ExtAsymCount */
	doe_wr_u8(w, 0);	/* ExtHashCount */
	doe_wr_u8(w, 0);
	doe_wr_u8(w, 0);	/* 1.3 MELspecification */
	if (ver >= SPDM_V11)
		wr_structs(w, a);
	return wr_done(w);
}

int spdm_enc_algorithms(struct doe_wr *w, uint8_t ver, const struct spdm_algs *a)
{
	size_t total = SPDM_ALGS_FIXED + structs_len(ver, a);

	wr_hdr(w, ver, SPDM_ALGORITHMS, ver >= SPDM_V11 ? a->nstructs : 0, 0);
	doe_wr_le16(w, (uint16_t)total);
	doe_wr_u8(w, a->meas_spec);
	doe_wr_u8(w, ver >= SPDM_V12 ? a->other_params : 0);
	doe_wr_le32(w, a->meas_hash);
	doe_wr_le32(w, a->asym);
	doe_wr_le32(w, a->hash);
	doe_wr_zero(w, 4 + 7 + 1);	/* PqcAsymSel, Reserved, MELspecificationSel */
	doe_wr_u8(w, 0);		/* ExtAsymSelCount */
	doe_wr_u8(w, 0);		/* ExtHashSelCount */
	doe_wr_le16(w, 0);
	if (ver >= SPDM_V11)
		wr_structs(w, a);
	return wr_done(w);
}

/* ExtAsym/ExtHash entries and AlgStruct tables: the variable tail shared
 * by request and response. */
static int algs_tail(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *rp,
		     const char *m, uint8_t ext_asym, uint8_t ext_hash, uint8_t nstructs,
		     struct spdm_algs *a)
{
	struct doe_rd r = *rp;
	const uint8_t *skip;
	unsigned i, j;

	CLAIM(skip, 4u * ext_asym, m, "ExtAsym");
	CLAIM(skip, 4u * ext_hash, m, "ExtHash");
	(void)skip;
	if (n->version < SPDM_V11 && nstructs)
		return doe_err(ctx, -EBADMSG, "%s: Param1 %u AlgStructs in version 1.0", m,
			       nstructs);
	for (i = 0; i < nstructs; i++) {
		uint8_t type, count, fixed, ext;
		uint16_t bits;

		FIELD(doe_rd_u8(&r, &type), m, "AlgStruct AlgType");
		FIELD(doe_rd_u8(&r, &count), m, "AlgStruct AlgCount");
		fixed = count >> 4;
		ext = count & 0xF;
		/* DSP0274 §10.5: FixedAlgCount is 2 for every type defined in 1.1-1.3 */
		if (fixed != 2)
			return doe_err(ctx, -EBADMSG, "%s: AlgStruct %u AlgCount 0x%02x: FixedAlgCount %u, expected 2",
				       m, i, count, fixed);
		if (type < SPDM_ALGTYPE_DHE || type > SPDM_ALGTYPE_KEY_SCHEDULE)
			return doe_err(ctx, -EBADMSG, "%s: AlgStruct %u AlgType %u unknown", m,
				       i, type);
		for (j = 0; j < a->nstructs; j++)
			if (a->structs[j].type == type)
				return doe_err(ctx, -EBADMSG,
					       "%s: AlgStruct AlgType %u appears twice", m, type);
		/* DSP0274 §10.5: AlgStructs in increasing AlgType order */
		if (a->nstructs && type < a->structs[a->nstructs - 1].type)
			return doe_err(ctx, -EBADMSG,
				       "%s: AlgStruct AlgType %u after AlgType %u (not ascending)",
				       m, type, a->structs[a->nstructs - 1].type);
		FIELD(doe_rd_le16(&r, &bits), m, "AlgStruct AlgSupported");
		CLAIM(skip, 4u * ext, m, "AlgStruct AlgExternal");
		a->structs[a->nstructs].type = type;
		a->structs[a->nstructs].bits = bits;
		a->nstructs++;
	}
	*rp = r;
	return 0;
}

int spdm_parse_negotiate_algorithms(struct doe_ctx *ctx, const struct spdm_neg *n,
				    const void *msg, size_t len, struct spdm_algs *a)
{
	const char *m = "NEGOTIATE_ALGORITHMS";
	uint8_t ext_asym, ext_hash, rsvd8[12], mel, rsvd;
	struct spdm_hdr h;
	struct doe_rd r;
	uint16_t length;
	size_t maxlen = n->version >= SPDM_V11 ? 0x80 : 0x40, ext_total;

	memset(a, 0, sizeof(*a));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_NEGOTIATE_ALGORITHMS, m, &h));
	FIELD(doe_rd_le16(&r, &length), m, "Length");
	FIELD(doe_rd_u8(&r, &a->meas_spec), m, "MeasurementSpecification");
	FIELD(doe_rd_u8(&r, &a->other_params), m, "OtherParamsSupport");
	FIELD(doe_rd_le32(&r, &a->asym), m, "BaseAsymAlgo");
	FIELD(doe_rd_le32(&r, &a->hash), m, "BaseHashAlgo");
	FIELD(doe_rd_bytes(&r, rsvd8, sizeof(rsvd8)), m, "Reserved");
	FIELD(doe_rd_u8(&r, &ext_asym), m, "ExtAsymCount");
	FIELD(doe_rd_u8(&r, &ext_hash), m, "ExtHashCount");
	FIELD(doe_rd_u8(&r, &rsvd), m, "Reserved");
	FIELD(doe_rd_u8(&r, &mel), m, "MELspecification");
	/* DSP0274 §10.5: Length is the whole request, at most 64 (1.0) / 128 bytes */
	if (length > maxlen)
		return doe_err(ctx, -EBADMSG, "%s: Length %u > %zu", m, length, maxlen);
	if (length != len && !(len > length && len - length < (n->align ? n->align : 1u)))
		return doe_err(ctx, -EBADMSG, "%s: Length %u, message has %zu bytes", m, length,
			       len);
	if (h.param1 > SPDM_MAX_ALG_STRUCTS)
		return doe_err(ctx, -EBADMSG, "%s: Param1 %u AlgStructs, at most %u", m,
			       h.param1, SPDM_MAX_ALG_STRUCTS);
	TRY(algs_tail(ctx, n, &r, m, ext_asym, ext_hash, h.param1, a));
	if (r.off != length)
		return doe_err(ctx, -EBADMSG, "%s: Length %u, fields end at %zu", m, length,
			       r.off);
	/* DSP0274 §10.5: at most 8 (1.0) / 20 (1.1+) external algorithms in
	 * all, ExtAsym + ExtHash + every AlgStruct's ExtAlgCount; each is 4
	 * bytes, and every other byte past the fixed part is an AlgStruct
	 * header. (1.0 cannot exceed it within 64 bytes; 1.1+ can.) */
	ext_total = (r.off - SPDM_NEG_ALG_FIXED - 4u * a->nstructs) / 4u;
	if (ext_total > (n->version >= SPDM_V11 ? SPDM_MAX_EXT_ALGS_11 : SPDM_MAX_EXT_ALGS_10))
		return doe_err(ctx, -EBADMSG, "%s: %zu external algorithms, at most %u", m,
			       ext_total,
			       n->version >= SPDM_V11 ? SPDM_MAX_EXT_ALGS_11 : SPDM_MAX_EXT_ALGS_10);
	return msg_end(ctx, n, &r, m);
}

static bool one_bit_or_zero(uint32_t v)
{
	return (v & (v - 1)) == 0;
}

int spdm_parse_algorithms(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			  size_t len, struct spdm_algs *a)
{
	const char *m = "ALGORITHMS";
	uint8_t ext_asym, ext_hash, rsvd[12];
	struct spdm_hdr h;
	struct doe_rd r;
	uint16_t length, rsvd16;
	unsigned i;

	memset(a, 0, sizeof(*a));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_ALGORITHMS, m, &h));
	FIELD(doe_rd_le16(&r, &length), m, "Length");
	FIELD(doe_rd_u8(&r, &a->meas_spec), m, "MeasurementSpecificationSel");
	FIELD(doe_rd_u8(&r, &a->other_params), m, "OtherParamsSelection");
	FIELD(doe_rd_le32(&r, &a->meas_hash), m, "MeasurementHashAlgo");
	FIELD(doe_rd_le32(&r, &a->asym), m, "BaseAsymSel");
	FIELD(doe_rd_le32(&r, &a->hash), m, "BaseHashSel");
	FIELD(doe_rd_bytes(&r, rsvd, sizeof(rsvd)), m, "Reserved");
	FIELD(doe_rd_u8(&r, &ext_asym), m, "ExtAsymSelCount");
	FIELD(doe_rd_u8(&r, &ext_hash), m, "ExtHashSelCount");
	FIELD(doe_rd_le16(&r, &rsvd16), m, "Reserved");
	if (length != len && !(len > length && len - length < (n->align ? n->align : 1u)))
		return doe_err(ctx, -EBADMSG, "%s: Length %u, message has %zu bytes", m, length,
			       len);
	/* DSP0274 §10.5: the responder selects at most one of each */
	if (ext_asym > 1 || ext_hash > 1)
		return doe_err(ctx, -EBADMSG, "%s: ExtAsymSelCount %u / ExtHashSelCount %u > 1",
			       m, ext_asym, ext_hash);
	if (h.param1 > SPDM_MAX_ALG_STRUCTS)
		return doe_err(ctx, -EBADMSG, "%s: Param1 %u AlgStructs, at most %u", m,
			       h.param1, SPDM_MAX_ALG_STRUCTS);
	if (!one_bit_or_zero(a->meas_hash) || !one_bit_or_zero(a->asym) ||
	    !one_bit_or_zero(a->hash) || !one_bit_or_zero(a->meas_spec))
		return doe_err(ctx, -EBADMSG,
			       "%s: more than one bit selected (MeasurementHashAlgo 0x%x, BaseAsymSel 0x%x, BaseHashSel 0x%x)",
			       m, a->meas_hash, a->asym, a->hash);
	TRY(algs_tail(ctx, n, &r, m, ext_asym, ext_hash, h.param1, a));
	for (i = 0; i < a->nstructs; i++)
		if (!one_bit_or_zero(a->structs[i].bits))
			return doe_err(ctx, -EBADMSG, "%s: AlgStruct AlgType %u selects 0x%x", m,
				       a->structs[i].type, a->structs[i].bits);
	if (r.off != length)
		return doe_err(ctx, -EBADMSG, "%s: Length %u, fields end at %zu", m, length,
			       r.off);
	return msg_end(ctx, n, &r, m);
}

/* ---- GET_DIGESTS / DIGESTS (§10.6) ------------------------------------ */

int spdm_enc_get_digests(struct doe_wr *w, uint8_t ver)
{
	wr_hdr(w, ver, SPDM_GET_DIGESTS, 0, 0);
	return wr_done(w);
}

int spdm_enc_digests(struct doe_wr *w, uint8_t ver, uint8_t supported, uint8_t slot_mask,
		     const uint8_t *digests, size_t total)
{
	wr_hdr(w, ver, SPDM_DIGESTS, ver >= SPDM_V13 ? supported : 0, slot_mask);
	doe_wr_bytes(w, digests, total);
	return wr_done(w);
}

int spdm_parse_get_digests(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			   size_t len)
{
	struct spdm_hdr h;
	struct doe_rd r;

	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_GET_DIGESTS, "GET_DIGESTS", &h));
	return msg_end(ctx, n, &r, "GET_DIGESTS");
}

int spdm_parse_digests(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
		       size_t len, struct spdm_digests *d)
{
	const char *m = "DIGESTS";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(d, 0, sizeof(*d));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_DIGESTS, m, &h));
	d->supported_mask = n->version >= SPDM_V13 ? h.param1 : 0;
	d->slot_mask = h.param2;
	d->count = (unsigned)__builtin_popcount(h.param2);
	/* DSP0274 1.3 §10.6: provisioned slots are a subset of supported ones */
	if (n->version >= SPDM_V13 && (h.param2 & ~h.param1))
		return doe_err(ctx, -EBADMSG,
			       "DIGESTS: ProvisionedSlotMask 0x%02x not within SupportedSlotMask 0x%02x",
			       h.param2, h.param1);
	CLAIM(d->digests, d->count * n->hash_size, m, "Digest");
	return msg_end(ctx, n, &r, m);
}

/* ---- GET_CERTIFICATE / CERTIFICATE (§10.7) ---------------------------- */

int spdm_enc_get_certificate(struct doe_wr *w, uint8_t ver, const struct spdm_get_cert *g)
{
	wr_hdr(w, ver, SPDM_GET_CERTIFICATE, g->slot & 0xF, 0);
	doe_wr_le16(w, g->offset);
	doe_wr_le16(w, g->length);
	return wr_done(w);
}

int spdm_enc_certificate_hdr(struct doe_wr *w, uint8_t ver, uint8_t slot, uint16_t portion,
			     uint16_t remainder)
{
	wr_hdr(w, ver, SPDM_CERTIFICATE, slot & 0xF, 0);
	doe_wr_le16(w, portion);
	doe_wr_le16(w, remainder);
	return wr_done(w);
}

int spdm_parse_get_certificate(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			       size_t len, struct spdm_get_cert *g)
{
	const char *m = "GET_CERTIFICATE";
	struct spdm_hdr h;
	struct doe_rd r;

	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_GET_CERTIFICATE, m, &h));
	/* DSP0274 1.3 §10.7: Param1 bits 7:4 are reserved, so ignored (1.4
	 * puts LargeCertChain there; libspdm masks them too) */
	g->slot = h.param1 & 0xF;
	if (g->slot >= 8)
		return doe_err(ctx, -EBADMSG, "%s: SlotID %u > 7", m, g->slot);
	FIELD(doe_rd_le16(&r, &g->offset), m, "Offset");
	FIELD(doe_rd_le16(&r, &g->length), m, "Length");
	return msg_end(ctx, n, &r, m);
}

int spdm_parse_certificate(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			   size_t len, struct spdm_cert_rsp *c)
{
	const char *m = "CERTIFICATE";
	struct spdm_hdr h;
	struct doe_rd r;

	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_CERTIFICATE, m, &h));
	c->slot = h.param1 & 0xF;
	FIELD(doe_rd_le16(&r, &c->portion_len), m, "PortionLength");
	FIELD(doe_rd_le16(&r, &c->remainder_len), m, "RemainderLength");
	CLAIM(c->portion, c->portion_len, m, "CertChain (PortionLength)");
	return msg_end(ctx, n, &r, m);
}

/* ---- CHALLENGE / CHALLENGE_AUTH (§10.8) ------------------------------- */

int spdm_enc_challenge(struct doe_wr *w, uint8_t ver, const struct spdm_challenge *c)
{
	wr_hdr(w, ver, SPDM_CHALLENGE, c->slot, c->hash_type);
	doe_wr_bytes(w, c->nonce, SPDM_NONCE_SIZE);
	if (ver >= SPDM_V13)
		doe_wr_bytes(w, c->context, SPDM_REQ_CONTEXT_SIZE);
	return wr_done(w);
}

int spdm_parse_challenge(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			 size_t len, struct spdm_challenge *c)
{
	const char *m = "CHALLENGE";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(c, 0, sizeof(*c));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_CHALLENGE, m, &h));
	c->slot = h.param1;
	c->hash_type = h.param2;
	/* slot 0xFF is a provisioned public key (1.1+), which we do not have */
	if (c->slot >= 8)
		return doe_err(ctx, -EBADMSG, "%s: SlotID %u > 7", m, c->slot);
	if (c->hash_type != SPDM_SUMMARY_NONE && c->hash_type != SPDM_SUMMARY_TCB &&
	    c->hash_type != SPDM_SUMMARY_ALL)
		return doe_err(ctx, -EBADMSG, "%s: MeasurementSummaryHashType 0x%02x", m,
			       c->hash_type);
	FIELD(doe_rd_bytes(&r, c->nonce, SPDM_NONCE_SIZE), m, "Nonce");
	if (n->version >= SPDM_V13)
		FIELD(doe_rd_bytes(&r, c->context, SPDM_REQ_CONTEXT_SIZE), m, "RequesterContext");
	return msg_end(ctx, n, &r, m);
}

int spdm_parse_challenge_auth(struct doe_ctx *ctx, const struct spdm_neg *n, uint8_t hash_type,
			      const void *msg, size_t len, struct spdm_challenge_auth *a)
{
	const char *m = "CHALLENGE_AUTH";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(a, 0, sizeof(*a));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_CHALLENGE_AUTH, m, &h));
	a->slot = h.param1 & 0xF;
	a->slot_mask = h.param2;
	CLAIM(a->chain_hash, n->hash_size, m, "CertChainHash");
	CLAIM(a->nonce, SPDM_NONCE_SIZE, m, "Nonce");
	/* DSP0274 §10.8: MeasurementSummaryHash is absent when HashType is 0 */
	if (hash_type != SPDM_SUMMARY_NONE)
		CLAIM(a->summary_hash, n->hash_size, m, "MeasurementSummaryHash");
	FIELD(doe_rd_le16(&r, &a->opaque_len), m, "OpaqueDataLength");
	if (a->opaque_len > SPDM_MAX_OPAQUE_SIZE)
		return doe_err(ctx, -EBADMSG, "%s: OpaqueDataLength %u > %u", m, a->opaque_len,
			       SPDM_MAX_OPAQUE_SIZE);
	CLAIM(a->opaque, a->opaque_len, m, "OpaqueData (OpaqueDataLength)");
	if (n->version >= SPDM_V13)
		CLAIM(a->context, SPDM_REQ_CONTEXT_SIZE, m, "RequesterContext");
	a->signed_len = r.off;
	CLAIM(a->sig, n->sig_size, m, "Signature");
	return msg_end(ctx, n, &r, m);
}

/* ---- GET_MEASUREMENTS / MEASUREMENTS (§10.11) ------------------------- */

int spdm_enc_get_measurements(struct doe_wr *w, uint8_t ver, const struct spdm_get_meas *g)
{
	wr_hdr(w, ver, SPDM_GET_MEASUREMENTS, g->attributes, g->operation);
	if (g->attributes & SPDM_MEAS_ATTR_SIGN) {
		doe_wr_bytes(w, g->nonce, SPDM_NONCE_SIZE);
		if (ver >= SPDM_V11)
			doe_wr_u8(w, g->slot & 0xF);
	}
	if (ver >= SPDM_V13)	/* RequesterContext is there signed or not */
		doe_wr_bytes(w, g->context, SPDM_REQ_CONTEXT_SIZE);
	return wr_done(w);
}

int spdm_parse_get_measurements(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
				size_t len, struct spdm_get_meas *g)
{
	const char *m = "GET_MEASUREMENTS";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(g, 0, sizeof(*g));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_GET_MEASUREMENTS, m, &h));
	g->attributes = h.param1;
	g->operation = h.param2;
	if (g->attributes & SPDM_MEAS_ATTR_SIGN) {
		g->has_nonce = true;
		FIELD(doe_rd_bytes(&r, g->nonce, SPDM_NONCE_SIZE), m, "Nonce");
		if (n->version >= SPDM_V11) {
			FIELD(doe_rd_u8(&r, &g->slot), m, "SlotIDParam");
			/* DSP0274 §10.11: bits 7:4 are reserved, so ignored
			 * (libspdm masks them too); 0xF would be a provisioned
			 * public key, which the responder does not have */
			g->slot &= 0x0F;
			if (g->slot >= 8)
				return doe_err(ctx, -EBADMSG, "%s: SlotIDParam %u > 7", m, g->slot);
		}
	}
	if (n->version >= SPDM_V13)
		FIELD(doe_rd_bytes(&r, g->context, SPDM_REQ_CONTEXT_SIZE), m, "RequesterContext");
	return msg_end(ctx, n, &r, m);
}

int spdm_parse_measurements(struct doe_ctx *ctx, const struct spdm_neg *n, bool signed_,
			    const void *msg, size_t len, struct spdm_meas_rsp *mr)
{
	const char *m = "MEASUREMENTS";
	struct spdm_hdr h;
	struct doe_rd r;
	uint8_t l3[3];

	memset(mr, 0, sizeof(*mr));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_MEASUREMENTS, m, &h));
	mr->total = h.param1;
	mr->param2 = h.param2;
	FIELD(doe_rd_u8(&r, &mr->nblocks), m, "NumberOfBlocks");
	FIELD(doe_rd_bytes(&r, l3, 3), m, "MeasurementRecordLength");
	mr->record_len = (uint32_t)l3[0] | (uint32_t)l3[1] << 8 | (uint32_t)l3[2] << 16;
	CLAIM(mr->record, mr->record_len, m, "MeasurementRecord (MeasurementRecordLength)");
	/* Nonce and OpaqueDataLength are present signed or not (libspdm agrees) */
	CLAIM(mr->nonce, SPDM_NONCE_SIZE, m, "Nonce");
	FIELD(doe_rd_le16(&r, &mr->opaque_len), m, "OpaqueDataLength");
	if (mr->opaque_len > SPDM_MAX_OPAQUE_SIZE)
		return doe_err(ctx, -EBADMSG, "%s: OpaqueDataLength %u > %u", m, mr->opaque_len,
			       SPDM_MAX_OPAQUE_SIZE);
	CLAIM(mr->opaque, mr->opaque_len, m, "OpaqueData (OpaqueDataLength)");
	if (n->version >= SPDM_V13)
		CLAIM(mr->context, SPDM_REQ_CONTEXT_SIZE, m, "RequesterContext");
	mr->signed_len = r.off;
	if (signed_)
		CLAIM(mr->sig, n->sig_size, m, "Signature");
	return msg_end(ctx, n, &r, m);
}

/* ---- ERROR, RESPOND_IF_READY (§10.12, §10.13) ------------------------- */

int spdm_enc_error(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t data,
		   const uint8_t *ext, size_t ext_len)
{
	wr_hdr(w, ver, SPDM_ERROR, code, data);
	if (ext_len)
		doe_wr_bytes(w, ext, ext_len);
	return wr_done(w);
}

int spdm_parse_error(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg, size_t len,
		     struct spdm_error *e)
{
	const char *m = "ERROR";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(e, 0, sizeof(*e));
	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_ERROR, m, &h));
	e->code = h.param1;
	e->data = h.param2;
	if (e->code == SPDM_ERR_RESPONSE_NOT_READY) {
		FIELD(doe_rd_u8(&r, &e->rdt_exponent), m, "ResponseNotReady RDTExponent");
		FIELD(doe_rd_u8(&r, &e->req_code), m, "ResponseNotReady RequestCode");
		FIELD(doe_rd_u8(&r, &e->token), m, "ResponseNotReady Token");
		FIELD(doe_rd_u8(&r, &e->rdtm), m, "ResponseNotReady RDTM");
		return msg_end(ctx, n, &r, m);
	}
	/* Other codes: at most 32 bytes of ExtendedErrorData, which we ignore */
	if (doe_rd_left(&r) > 32 + (n->align > 1 ? n->align - 1u : 0u))
		return doe_err(ctx, -EBADMSG, "ERROR: %zu bytes of ExtendedErrorData, at most 32",
			       doe_rd_left(&r));
	return 0;
}

int spdm_enc_respond_if_ready(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t token)
{
	wr_hdr(w, ver, SPDM_RESPOND_IF_READY, code, token);
	return wr_done(w);
}

int spdm_parse_respond_if_ready(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
				size_t len, uint8_t *code, uint8_t *token)
{
	struct spdm_hdr h;
	struct doe_rd r;

	doe_rd_init(&r, msg, len);
	TRY(msg_hdr(ctx, n, &r, SPDM_RESPOND_IF_READY, "RESPOND_IF_READY", &h));
	*code = h.param1;
	*token = h.param2;
	return msg_end(ctx, n, &r, "RESPOND_IF_READY");
}

/* ---- measurement blocks (§10.11.1) ------------------------------------ */

int spdm_meas_next(struct doe_ctx *ctx, const void *record, size_t len, size_t *off,
		   struct spdm_meas_block *blk)
{
	struct doe_rd r, sub;
	uint16_t size, vsize;
	uint8_t vtype;
	size_t start = *off;

	if (start >= len)
		return 0;
	doe_rd_init(&r, record, len);
	r.off = start;
	doe_rd_u8(&r, &blk->index);
	doe_rd_u8(&r, &blk->spec);
	doe_rd_le16(&r, &size);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "measurement block at offset %zu: header cut short",
			       start);
	/* DSP0274 1.2 §10.11 (GET_MEASUREMENTS Param2): 0x00 asks for the count
	 * and 0xFF for all blocks; a block's Index is one of 0x01-0xFE */
	if (blk->index == SPDM_MEAS_OP_COUNT || blk->index == SPDM_MEAS_OP_ALL)
		return doe_err(ctx, -EBADMSG,
			       "measurement block at offset %zu: Index 0x%02x is not a block index (1-0xFE)",
			       start, blk->index);
	if (doe_rd_sub(&r, size, &sub) < 0)
		return doe_err(ctx, -EBADMSG,
			       "measurement block %u: MeasurementSize %u larger than the %zu bytes left",
			       blk->index, size, len - start - 4);
	if (blk->spec != 0x01)	/* only the DMTF format is defined */
		return doe_err(ctx, -EBADMSG, "measurement block %u: MeasurementSpecification 0x%02x",
			       blk->index, blk->spec);
	doe_rd_u8(&sub, &vtype);
	doe_rd_le16(&sub, &vsize);
	if (!doe_rd_ok(&sub))
		return doe_err(ctx, -EBADMSG,
			       "measurement block %u: MeasurementSize %u too small for the DMTF header",
			       blk->index, size);
	if (vsize != doe_rd_left(&sub))
		return doe_err(ctx, -EBADMSG,
			       "measurement block %u: DMTFSpecMeasurementValueSize %u, MeasurementSize leaves %zu",
			       blk->index, vsize, doe_rd_left(&sub));
	blk->type = vtype & 0x7F;
	blk->raw = vtype & 0x80;
	blk->value = doe_rd_take(&sub, vsize);
	blk->value_size = vsize;
	*off = r.off;
	return 1;
}

/* ---- building blocks for the session messages (msg_session.c) ------- */

int spdm_msg_hdr(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *r, uint8_t code,
		 const char *msg, struct spdm_hdr *h)
{
	return msg_hdr(ctx, n, r, code, msg, h);
}

int spdm_msg_end(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *r,
		 const char *msg)
{
	return msg_end(ctx, n, r, msg);
}

int spdm_wr_hdr(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t p1, uint8_t p2)
{
	return wr_hdr(w, ver, code, p1, p2);
}

int spdm_wr_done(struct doe_wr *w)
{
	return wr_done(w);
}
