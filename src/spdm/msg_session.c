// SPDX-License-Identifier: MIT
/*
 * Codec of the SPDM session messages (DSP0274 1.1-1.3 §10.12-§10.20:
 * KEY_EXCHANGE, FINISH, PSK_EXCHANGE, PSK_FINISH, HEARTBEAT, KEY_UPDATE,
 * END_SESSION) and of the secured-message version negotiation carried
 * in their opaque data (DSP0274 1.2 "General opaque data format",
 * DSP0277 §8). Same rules as msg.c: one cursor, every field named.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "session_int.h"

/* ---- KEY_EXCHANGE / KEY_EXCHANGE_RSP (§10.12) ------------------------ */

int spdm_enc_key_exchange(struct doe_wr *w, uint8_t ver, const struct spdm_key_exchange *k,
			  size_t exchange_len)
{
	spdm_wr_hdr(w, ver, SPDM_KEY_EXCHANGE, k->hash_type, k->slot);
	doe_wr_le16(w, k->session_id);
	doe_wr_u8(w, ver >= SPDM_V12 ? k->session_policy : 0);
	doe_wr_u8(w, 0);
	doe_wr_bytes(w, k->random, SPDM_RANDOM_SIZE);
	doe_wr_bytes(w, k->exchange, exchange_len);
	doe_wr_le16(w, k->opaque_len);
	doe_wr_bytes(w, k->opaque, k->opaque_len);
	return spdm_wr_done(w);
}

static int check_hash_type(struct doe_ctx *ctx, const char *m, uint8_t t)
{
	if (t != SPDM_SUMMARY_NONE && t != SPDM_SUMMARY_TCB && t != SPDM_SUMMARY_ALL)
		return doe_err(ctx, -EBADMSG, "%s: MeasurementSummaryHashType 0x%02x", m, t);
	return 0;
}

int spdm_parse_key_exchange(struct doe_ctx *ctx, const struct spdm_neg *n,
			    const struct spdm_sess_neg *s, const void *msg, size_t len,
			    struct spdm_key_exchange *k)
{
	const char *m = "KEY_EXCHANGE";
	size_t d = spdm_dhe_size(s->dhe);
	struct spdm_hdr h;
	struct doe_rd r;
	uint8_t rsvd;

	memset(k, 0, sizeof(*k));
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, SPDM_KEY_EXCHANGE, m, &h));
	k->hash_type = h.param1;
	k->slot = h.param2;
	TRY(check_hash_type(ctx, m, k->hash_type));
	/* slot 0xFF is a provisioned public key, which we do not have */
	if (k->slot >= 8)
		return doe_err(ctx, -EBADMSG, "%s: SlotID %u > 7", m, k->slot);
	if (!d)
		return doe_err(ctx, -EPROTO, "%s: no DHE group negotiated", m);
	FIELD(doe_rd_le16(&r, &k->session_id), m, "ReqSessionID");
	FIELD(doe_rd_u8(&r, &k->session_policy), m, "SessionPolicy");
	FIELD(doe_rd_u8(&r, &rsvd), m, "Reserved");
	if (n->version < SPDM_V12)
		k->session_policy = 0;	/* reserved before 1.2 */
	FIELD(doe_rd_bytes(&r, k->random, SPDM_RANDOM_SIZE), m, "RandomData");
	CLAIM(k->exchange, d, m, "ExchangeData");
	FIELD(doe_rd_le16(&r, &k->opaque_len), m, "OpaqueDataLength");
	if (k->opaque_len > SPDM_OPAQUE_MAX)
		return doe_err(ctx, -EBADMSG, "%s: OpaqueDataLength %u > %u", m, k->opaque_len,
			       SPDM_OPAQUE_MAX);
	CLAIM(k->opaque, k->opaque_len, m, "OpaqueData (OpaqueDataLength)");
	return spdm_msg_end(ctx, n, &r, m);
}

int spdm_enc_key_exchange_rsp_head(struct doe_wr *w, uint8_t ver,
				   const struct spdm_key_exchange_rsp *k, size_t exchange_len,
				   size_t hash_len)
{
	spdm_wr_hdr(w, ver, SPDM_KEY_EXCHANGE_RSP, k->heartbeat_period, 0);
	doe_wr_le16(w, k->session_id);
	doe_wr_u8(w, k->mut_auth);
	doe_wr_u8(w, k->req_slot);
	doe_wr_bytes(w, k->random, SPDM_RANDOM_SIZE);
	doe_wr_bytes(w, k->exchange, exchange_len);
	if (k->summary_hash)
		doe_wr_bytes(w, k->summary_hash, hash_len);
	doe_wr_le16(w, k->opaque_len);
	doe_wr_bytes(w, k->opaque, k->opaque_len);
	return spdm_wr_done(w);
}

int spdm_parse_key_exchange_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
				const struct spdm_sess_neg *s, const void *msg, size_t len,
				struct spdm_key_exchange_rsp *k)
{
	const char *m = "KEY_EXCHANGE_RSP";
	size_t d = spdm_dhe_size(s->dhe);
	struct spdm_hdr h;
	struct doe_rd r;

	memset(k, 0, sizeof(*k));
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, SPDM_KEY_EXCHANGE_RSP, m, &h));
	k->heartbeat_period = h.param1;
	if (!d)
		return doe_err(ctx, -EPROTO, "%s: no DHE group negotiated", m);
	FIELD(doe_rd_le16(&r, &k->session_id), m, "RspSessionID");
	FIELD(doe_rd_u8(&r, &k->mut_auth), m, "MutAuthRequested");
	FIELD(doe_rd_u8(&r, &k->req_slot), m, "ReqSlotIDParam");
	/* §10.12: one of the three ways to ask for mutual authentication, or
	 * none; the bits above are reserved and ignored, as libspdm does */
	k->mut_auth &= 0x07u;
	if (k->mut_auth & (k->mut_auth - 1u))
		return doe_err(ctx, -EBADMSG, "%s: MutAuthRequested 0x%02x sets more than one bit", m,
			       k->mut_auth);
	FIELD(doe_rd_bytes(&r, k->random, SPDM_RANDOM_SIZE), m, "RandomData");
	CLAIM(k->exchange, d, m, "ExchangeData");
	if (s->summary_hash)
		CLAIM(k->summary_hash, n->hash_size, m, "MeasurementSummaryHash");
	FIELD(doe_rd_le16(&r, &k->opaque_len), m, "OpaqueDataLength");
	if (k->opaque_len > SPDM_OPAQUE_MAX)
		return doe_err(ctx, -EBADMSG, "%s: OpaqueDataLength %u > %u", m, k->opaque_len,
			       SPDM_OPAQUE_MAX);
	CLAIM(k->opaque, k->opaque_len, m, "OpaqueData (OpaqueDataLength)");
	k->signed_len = r.off;
	CLAIM(k->sig, n->sig_size, m, "Signature");
	k->verify_off = r.off;
	/* §10.12: ResponderVerifyData is absent when the handshake is in the clear */
	if (!s->in_the_clear)
		CLAIM(k->verify_data, n->hash_size, m, "ResponderVerifyData");
	return spdm_msg_end(ctx, n, &r, m);
}

/* ---- FINISH / FINISH_RSP (§10.13) ------------------------------------- */

int spdm_parse_finish(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg, size_t len,
		      struct spdm_finish *f)
{
	const char *m = "FINISH";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(f, 0, sizeof(*f));
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, SPDM_FINISH, m, &h));
	f->attributes = h.param1;
	f->req_slot = h.param2;
	if (f->attributes & ~0x01u)
		return doe_err(ctx, -EBADMSG, "%s: reserved attribute bits 0x%02x", m, f->attributes);
	if (f->attributes & 0x01u)
		CLAIM(f->sig, n->sig_size, m, "Signature");
	f->verify_off = r.off;
	CLAIM(f->verify_data, n->hash_size, m, "RequesterVerifyData");
	return spdm_msg_end(ctx, n, &r, m);
}

int spdm_parse_finish_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
			  const struct spdm_sess_neg *s, const void *msg, size_t len,
			  const uint8_t **verify_data)
{
	const char *m = "FINISH_RSP";
	struct spdm_hdr h;
	struct doe_rd r;

	*verify_data = NULL;
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, SPDM_FINISH_RSP, m, &h));
	/* §10.13: ResponderVerifyData only when the handshake was in the clear */
	if (s->in_the_clear)
		CLAIM(*verify_data, n->hash_size, m, "ResponderVerifyData");
	return spdm_msg_end(ctx, n, &r, m);
}

/* ---- PSK_EXCHANGE / PSK_EXCHANGE_RSP / PSK_FINISH (§10.14-§10.15) ----- */

int spdm_enc_psk_exchange(struct doe_wr *w, uint8_t ver, const struct spdm_psk_exchange *p)
{
	spdm_wr_hdr(w, ver, SPDM_PSK_EXCHANGE, p->hash_type,
		    ver >= SPDM_V12 ? p->session_policy : 0);
	doe_wr_le16(w, p->session_id);
	doe_wr_le16(w, p->hint_len);
	doe_wr_le16(w, p->context_len);
	doe_wr_le16(w, p->opaque_len);
	doe_wr_bytes(w, p->hint, p->hint_len);
	doe_wr_bytes(w, p->context, p->context_len);
	doe_wr_bytes(w, p->opaque, p->opaque_len);
	return spdm_wr_done(w);
}

int spdm_parse_psk_exchange(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			    size_t len, struct spdm_psk_exchange *p)
{
	const char *m = "PSK_EXCHANGE";
	struct spdm_hdr h;
	struct doe_rd r;

	memset(p, 0, sizeof(*p));
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, SPDM_PSK_EXCHANGE, m, &h));
	p->hash_type = h.param1;
	p->session_policy = n->version >= SPDM_V12 ? h.param2 : 0;
	TRY(check_hash_type(ctx, m, p->hash_type));
	FIELD(doe_rd_le16(&r, &p->session_id), m, "ReqSessionID");
	FIELD(doe_rd_le16(&r, &p->hint_len), m, "PSKHintLength");
	FIELD(doe_rd_le16(&r, &p->context_len), m, "RequesterContextLength");
	FIELD(doe_rd_le16(&r, &p->opaque_len), m, "OpaqueDataLength");
	if (p->hint_len > SPDM_PSK_HINT_MAX)
		return doe_err(ctx, -EBADMSG, "%s: PSKHintLength %u > %u", m, p->hint_len,
			       SPDM_PSK_HINT_MAX);
	/* §10.14: RequesterContext is at least the hash size (a nonce) */
	if (p->context_len < n->hash_size || p->context_len > SPDM_PSK_CONTEXT_MAX)
		return doe_err(ctx, -EBADMSG, "%s: RequesterContextLength %u outside %zu..%u", m,
			       p->context_len, n->hash_size, SPDM_PSK_CONTEXT_MAX);
	if (p->opaque_len > SPDM_OPAQUE_MAX)
		return doe_err(ctx, -EBADMSG, "%s: OpaqueDataLength %u > %u", m, p->opaque_len,
			       SPDM_OPAQUE_MAX);
	CLAIM(p->hint, p->hint_len, m, "PSKHint");
	CLAIM(p->context, p->context_len, m, "RequesterContext");
	CLAIM(p->opaque, p->opaque_len, m, "OpaqueData");
	return spdm_msg_end(ctx, n, &r, m);
}

int spdm_enc_psk_exchange_rsp_head(struct doe_wr *w, uint8_t ver,
				   const struct spdm_psk_exchange_rsp *p, size_t hash_len)
{
	spdm_wr_hdr(w, ver, SPDM_PSK_EXCHANGE_RSP, p->heartbeat_period, 0);
	doe_wr_le16(w, p->session_id);
	doe_wr_le16(w, 0);
	doe_wr_le16(w, p->context_len);
	doe_wr_le16(w, p->opaque_len);
	if (p->summary_hash)
		doe_wr_bytes(w, p->summary_hash, hash_len);
	doe_wr_bytes(w, p->context, p->context_len);
	doe_wr_bytes(w, p->opaque, p->opaque_len);
	return spdm_wr_done(w);
}

int spdm_parse_psk_exchange_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
				const struct spdm_sess_neg *s, const void *msg, size_t len,
				struct spdm_psk_exchange_rsp *p)
{
	const char *m = "PSK_EXCHANGE_RSP";
	struct spdm_hdr h;
	struct doe_rd r;
	uint16_t rsvd;

	memset(p, 0, sizeof(*p));
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, SPDM_PSK_EXCHANGE_RSP, m, &h));
	p->heartbeat_period = h.param1;
	FIELD(doe_rd_le16(&r, &p->session_id), m, "RspSessionID");
	FIELD(doe_rd_le16(&r, &rsvd), m, "Reserved");
	FIELD(doe_rd_le16(&r, &p->context_len), m, "ResponderContextLength");
	FIELD(doe_rd_le16(&r, &p->opaque_len), m, "OpaqueDataLength");
	if (p->context_len > SPDM_PSK_CONTEXT_MAX)
		return doe_err(ctx, -EBADMSG, "%s: ResponderContextLength %u > %u", m,
			       p->context_len, SPDM_PSK_CONTEXT_MAX);
	if (p->opaque_len > SPDM_OPAQUE_MAX)
		return doe_err(ctx, -EBADMSG, "%s: OpaqueDataLength %u > %u", m, p->opaque_len,
			       SPDM_OPAQUE_MAX);
	if (s->summary_hash)
		CLAIM(p->summary_hash, n->hash_size, m, "MeasurementSummaryHash");
	CLAIM(p->context, p->context_len, m, "ResponderContext");
	CLAIM(p->opaque, p->opaque_len, m, "OpaqueData");
	p->verify_off = r.off;
	CLAIM(p->verify_data, n->hash_size, m, "ResponderVerifyData");
	return spdm_msg_end(ctx, n, &r, m);
}

int spdm_parse_psk_finish(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			  size_t len, const uint8_t **verify_data)
{
	const char *m = "PSK_FINISH";
	struct spdm_hdr h;
	struct doe_rd r;

	*verify_data = NULL;
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, SPDM_PSK_FINISH, m, &h));
	CLAIM(*verify_data, n->hash_size, m, "RequesterVerifyData");
	return spdm_msg_end(ctx, n, &r, m);
}

/* ---- header-only messages -------------------------------------------- */

static const char *bare_name(uint8_t code)
{
	return spdm_code_name(code);
}

int spdm_parse_bare(struct doe_ctx *ctx, const struct spdm_neg *n, uint8_t code,
		    const void *msg, size_t len, uint8_t *param1, uint8_t *param2)
{
	struct spdm_hdr h;
	struct doe_rd r;

	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, code, bare_name(code), &h));
	*param1 = h.param1;
	*param2 = h.param2;
	return spdm_msg_end(ctx, n, &r, bare_name(code));
}

int spdm_enc_bare(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t param1, uint8_t param2)
{
	spdm_wr_hdr(w, ver, code, param1, param2);
	return spdm_wr_done(w);
}

/* ---- encapsulated requests (§10.16-§10.17) ---------------------------- */

static bool is_ack(uint8_t code)
{
	return code == SPDM_ENCAP_RESPONSE_ACK;
}

int spdm_enc_encap(struct doe_wr *w, uint8_t ver, uint8_t code, const struct spdm_encap *e)
{
	spdm_wr_hdr(w, ver, code, e->request_id, is_ack(code) ? e->payload_type : 0);
	if (is_ack(code) && ver >= SPDM_V12) {
		doe_wr_u8(w, e->ack_request_id);
		doe_wr_zero(w, 3);
	}
	doe_wr_bytes(w, e->payload, e->payload_len);
	return spdm_wr_done(w);
}

int spdm_parse_encap(struct doe_ctx *ctx, const struct spdm_neg *n, uint8_t code, const void *msg,
		     size_t len, struct spdm_encap *e)
{
	const char *m = spdm_code_name(code);
	struct spdm_hdr h;
	struct doe_rd r;

	memset(e, 0, sizeof(*e));
	doe_rd_init(&r, msg, len);
	TRY(spdm_msg_hdr(ctx, n, &r, code, m, &h));
	e->request_id = h.param1;
	if (is_ack(code)) {
		e->payload_type = h.param2;
		if (e->payload_type > SPDM_ENCAP_PAYLOAD_REQ_SLOT ||
		    (e->payload_type == SPDM_ENCAP_PAYLOAD_REQ_SLOT && n->version < SPDM_V12))
			return doe_err(ctx, -EBADMSG, "%s: PayloadType %u", m, e->payload_type);
		if (n->version >= SPDM_V12) {
			FIELD(doe_rd_u8(&r, &e->ack_request_id), m, "AckRequestID");
			FIELD(doe_rd_skip(&r, 3), m, "Reserved");
		}
	}
	/* the payload is one SPDM message, or (ACK) one slot byte */
	e->payload_len = doe_rd_left(&r);
	e->payload = doe_rd_take(&r, e->payload_len);
	if (is_ack(code) && e->payload_type == SPDM_ENCAP_PAYLOAD_ABSENT)
		return e->payload_len ? doe_err(ctx, -EBADMSG, "%s: %zu bytes after an absent payload",
						m, e->payload_len) : (int)r.off;
	if (is_ack(code) && e->payload_type == SPDM_ENCAP_PAYLOAD_REQ_SLOT)
		return e->payload_len == 1 ? (int)r.off
					   : doe_err(ctx, -EBADMSG, "%s: ReqSlotID payload of %zu bytes",
						     m, e->payload_len);
	if (e->payload_len < SPDM_HDR_SIZE)
		return doe_err(ctx, -EBADMSG, "%s: encapsulated message of %zu bytes", m,
			       e->payload_len);
	return (int)r.off;
}

/* ---- secured-message version negotiation in opaque data --------------- */

#define OPAQUE_SPEC_ID 0x444D5446u	/* "DMTF", the 1.0/1.1 header */
#define SM_DATA_VERSION 1u
#define SM_ID_SELECTION 0u
#define SM_ID_SUPPORTED 1u
#define REGISTRY_DMTF 0u

/* Table header, then one DMTF element whose data is sm (sm_len bytes),
 * padded to 4 bytes as the general opaque data format requires. */
static int wr_opaque(struct doe_wr *w, bool fmt1, const uint8_t *sm, size_t sm_len)
{
	size_t pad = (4u - (4u + sm_len) % 4u) % 4u;

	if (fmt1) {
		doe_wr_u8(w, 1);	/* TotalElements */
		doe_wr_zero(w, 3);
	} else {
		doe_wr_le32(w, OPAQUE_SPEC_ID);
		doe_wr_u8(w, 1);	/* OpaqueVersion */
		doe_wr_u8(w, 1);	/* TotalElements */
		doe_wr_le16(w, 0);
	}
	doe_wr_u8(w, REGISTRY_DMTF);
	doe_wr_u8(w, 0);		/* VendorIDLen */
	doe_wr_le16(w, (uint16_t)sm_len);
	doe_wr_bytes(w, sm, sm_len);
	doe_wr_zero(w, pad);
	return spdm_wr_done(w);
}

int spdm_enc_opaque_versions(struct doe_wr *w, bool fmt1, const uint16_t *versions, unsigned n)
{
	uint8_t sm[3 + 2 * SPDM_SM_MAX_VERSIONS];

	if (n == 0 || n > SPDM_SM_MAX_VERSIONS)
		return -EINVAL;
	sm[0] = SM_DATA_VERSION;
	sm[1] = SM_ID_SUPPORTED;
	sm[2] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		sm[3 + 2 * i] = (uint8_t)versions[i];
		sm[4 + 2 * i] = (uint8_t)(versions[i] >> 8);
	}
	return wr_opaque(w, fmt1, sm, 3u + 2u * n);
}

int spdm_enc_opaque_selection(struct doe_wr *w, bool fmt1, uint16_t version)
{
	const uint8_t sm[4] = { SM_DATA_VERSION, SM_ID_SELECTION, (uint8_t)version,
				(uint8_t)(version >> 8) };

	return wr_opaque(w, fmt1, sm, sizeof(sm));
}

/*
 * Finds the DMTF secured-message element with the given SMDataID and
 * returns a reader over its data after SMDataVersion/SMDataID. Elements
 * of other registries (or vendors) are skipped: opaque data may carry
 * things we do not know, and that is not an error.
 */
static int find_sm(struct doe_ctx *ctx, bool fmt1, const uint8_t *p, size_t len, uint8_t id,
		   struct doe_rd *out)
{
	const char *m = "opaque data";
	struct doe_rd r;
	uint8_t total = 0;
	uint32_t spec;

	doe_rd_init(&r, p, len);
	if (fmt1) {
		FIELD(doe_rd_u8(&r, &total), m, "TotalElements");
		FIELD(doe_rd_skip(&r, 3), m, "Reserved");
	} else {
		uint8_t over;

		FIELD(doe_rd_le32(&r, &spec), m, "SpecID");
		FIELD(doe_rd_u8(&r, &over), m, "OpaqueVersion");
		FIELD(doe_rd_u8(&r, &total), m, "TotalElements");
		FIELD(doe_rd_skip(&r, 2), m, "Reserved");
		if (spec != OPAQUE_SPEC_ID || over != 1)
			return doe_err(ctx, -EBADMSG, "%s: SpecID 0x%08x / OpaqueVersion %u is not DMTF's 1",
				       m, spec, over);
	}
	for (unsigned i = 0; i < total; i++) {
		uint8_t reg, vlen, ver = 0, sid = 0;
		uint16_t dlen;
		struct doe_rd e;
		size_t pad;

		FIELD(doe_rd_u8(&r, &reg), m, "element ID");
		FIELD(doe_rd_u8(&r, &vlen), m, "VendorIDLen");
		FIELD(doe_rd_skip(&r, vlen), m, "VendorID");
		FIELD(doe_rd_le16(&r, &dlen), m, "OpaqueElementDataLen");
		if (dlen > doe_rd_left(&r))
			return doe_err(ctx, -EBADMSG, "%s: element %u: %u bytes of data, %zu left", m,
				       i, dlen, doe_rd_left(&r));
		doe_rd_sub(&r, dlen, &e);
		/* each element is padded so the next starts 4-byte aligned */
		pad = (4u - (4u + vlen + dlen) % 4u) % 4u;
		if (pad > doe_rd_left(&r))
			pad = doe_rd_left(&r);
		doe_rd_skip(&r, pad);
		if (reg != REGISTRY_DMTF || vlen)
			continue;
		doe_rd_u8(&e, &ver);
		doe_rd_u8(&e, &sid);
		if (!doe_rd_ok(&e) || ver != SM_DATA_VERSION || sid != id)
			continue;
		*out = e;
		return 0;
	}
	return doe_err(ctx, -ENOENT, "%s: no secured-message %s element", m,
		       id == SM_ID_SELECTION ? "version selection" : "supported versions");
}

int spdm_parse_opaque_versions(struct doe_ctx *ctx, bool fmt1, const uint8_t *p, size_t len,
			       uint16_t *versions, unsigned *n)
{
	struct doe_rd e;
	uint8_t count;

	TRY(find_sm(ctx, fmt1, p, len, SM_ID_SUPPORTED, &e));
	if (doe_rd_u8(&e, &count) || count == 0)
		return doe_err(ctx, -EBADMSG, "opaque data: supported versions: empty list");
	*n = 0;
	for (unsigned i = 0; i < count; i++) {
		uint16_t v;

		if (doe_rd_le16(&e, &v))
			return doe_err(ctx, -EBADMSG, "opaque data: supported versions: %u listed, list ends after %u",
				       count, i);
		if (*n < SPDM_SM_MAX_VERSIONS)
			versions[(*n)++] = v;
	}
	return 0;
}

int spdm_parse_opaque_selection(struct doe_ctx *ctx, bool fmt1, const uint8_t *p, size_t len,
				uint16_t *version)
{
	struct doe_rd e;

	TRY(find_sm(ctx, fmt1, p, len, SM_ID_SELECTION, &e));
	if (doe_rd_le16(&e, version))
		return doe_err(ctx, -EBADMSG, "opaque data: version selection: SelectedVersion missing");
	return 0;
}
