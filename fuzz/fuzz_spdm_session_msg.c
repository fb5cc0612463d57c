// SPDX-License-Identifier: MIT
/*
 * Every parser of the SPDM session messages, both roles, on arbitrary
 * bytes (issue 9 §9). The input starts with five knob bytes:
 *
 *   [0] which parser (see the switch below)
 *   [1] SPDM version 1.1..1.3, and the code spdm_parse_bare() expects
 *   [2] DHE group (one of the six, or none) and hash size
 *   [3] flags: handshake in the clear, summary hash asked, opaque data
 *       format 1, DOE alignment (4) of plain messages
 *   [4] signature size; for the DHE case also the group to derive with
 *
 * and the rest is the message. A parser may refuse anything, but when it
 * accepts, what it returns must lie inside the input: the length it
 * consumed, every pointer with the length it implies, the offsets of the
 * signed part and of the verify data. Where an encoder exists, the
 * parsed message must encode back to bytes the parser accepts again with
 * the same fields, so parser and encoder cannot drift apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/spdm.h>
#include <doekit/spdm_keyring.h>
#include "session_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t dhes[] = { 0, SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1, SPDM_DHE_SECP521R1,
				 SPDM_DHE_FFDHE2048, SPDM_DHE_FFDHE3072, SPDM_DHE_FFDHE4096 };
#define NDHE (sizeof(dhes) / sizeof(dhes[0]))
static const size_t hash_sizes[] = { 32, 48, 64 };
static const size_t sig_sizes[] = { 64, 96, 132, 256, 384, 512 };

/*
 * Our own half of a key agreement, one per group, made on first use:
 * FFDHE key generation takes far longer than one fuzz input should. The
 * only state kept across inputs; it never changes once made.
 */
static EVP_PKEY *own_key[NDHE];

/* p[0..n) lies inside msg[0..len): the parser handed out nothing else. */
static void inside(const uint8_t *msg, size_t len, const uint8_t *p, size_t n)
{
	if (!p) {
		if (n)
			abort();
		return;
	}
	if (p < msg || n > len || (size_t)(p - msg) > len - n)
		abort();
}

/* A parser's return: the consumed length, never more than it was given. */
static size_t consumed(int rc, size_t len)
{
	if (rc < 0 || (size_t)rc > len)
		abort();
	return (size_t)rc;
}

static void key_exchange(struct doe_ctx *ctx, const struct spdm_neg *n,
			 const struct spdm_sess_neg *sn, const uint8_t *msg, size_t len)
{
	struct spdm_key_exchange k, k2;
	uint8_t buf[4096];
	struct doe_wr w;
	size_t used, d = spdm_dhe_size(sn->dhe);
	int rc = spdm_parse_key_exchange(ctx, n, sn, msg, len, &k);

	if (rc < 0)
		return;
	used = consumed(rc, len);
	inside(msg, used, k.exchange, d);
	inside(msg, used, k.opaque, k.opaque_len);
	if (k.opaque_len > SPDM_OPAQUE_MAX || k.slot >= 8)
		abort();
	doe_wr_init(&w, buf, sizeof(buf));
	if (spdm_enc_key_exchange(&w, n->version, &k, d))
		abort();
	rc = spdm_parse_key_exchange(ctx, n, sn, buf, doe_wr_len(&w), &k2);
	if (rc < 0 || (size_t)rc != doe_wr_len(&w) || k2.session_id != k.session_id ||
	    k2.session_policy != k.session_policy || k2.hash_type != k.hash_type ||
	    k2.slot != k.slot || k2.opaque_len != k.opaque_len ||
	    memcmp(k2.random, k.random, sizeof(k.random)) || memcmp(k2.exchange, k.exchange, d) ||
	    (k.opaque_len && memcmp(k2.opaque, k.opaque, k.opaque_len)))
		abort();
}

static void key_exchange_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
			     const struct spdm_sess_neg *sn, const uint8_t *msg, size_t len)
{
	struct spdm_key_exchange_rsp k, k2;
	uint8_t buf[4096];
	struct doe_wr w;
	size_t used, d = spdm_dhe_size(sn->dhe);
	int rc = spdm_parse_key_exchange_rsp(ctx, n, sn, msg, len, &k);

	if (rc < 0)
		return;
	used = consumed(rc, len);
	inside(msg, used, k.exchange, d);
	inside(msg, used, k.summary_hash, k.summary_hash ? n->hash_size : 0);
	inside(msg, used, k.opaque, k.opaque_len);
	inside(msg, used, k.sig, n->sig_size);
	inside(msg, used, k.verify_data, k.verify_data ? n->hash_size : 0);
	if ((k.summary_hash != NULL) != sn->summary_hash ||
	    (k.verify_data != NULL) == sn->in_the_clear || k.signed_len > k.verify_off ||
	    k.verify_off > used || k.sig != msg + k.signed_len || (k.mut_auth & (k.mut_auth - 1u)))
		abort();
	/* the head, then the signature and verify data as a responder appends them */
	doe_wr_init(&w, buf, sizeof(buf));
	if (spdm_enc_key_exchange_rsp_head(&w, n->version, &k, d, n->hash_size) ||
	    doe_wr_len(&w) != k.signed_len)
		abort();
	doe_wr_bytes(&w, k.sig, n->sig_size);
	if (k.verify_data)
		doe_wr_bytes(&w, k.verify_data, n->hash_size);
	if (!doe_wr_ok(&w))
		abort();
	rc = spdm_parse_key_exchange_rsp(ctx, n, sn, buf, doe_wr_len(&w), &k2);
	if (rc < 0 || k2.session_id != k.session_id || k2.mut_auth != k.mut_auth ||
	    k2.req_slot != k.req_slot || k2.heartbeat_period != k.heartbeat_period ||
	    k2.opaque_len != k.opaque_len || k2.signed_len != k.signed_len ||
	    k2.verify_off != k.verify_off || memcmp(k2.random, k.random, sizeof(k.random)))
		abort();
}

static void finish(struct doe_ctx *ctx, const struct spdm_neg *n, const uint8_t *msg, size_t len)
{
	struct spdm_finish f;
	size_t used;
	int rc = spdm_parse_finish(ctx, n, msg, len, &f);

	if (rc < 0)
		return;
	used = consumed(rc, len);
	inside(msg, used, f.sig, f.sig ? n->sig_size : 0);
	inside(msg, used, f.verify_data, n->hash_size);
	if (!f.verify_data || f.verify_data != msg + f.verify_off ||
	    (f.sig != NULL) != (f.attributes & 1u))
		abort();
}

static void psk_exchange(struct doe_ctx *ctx, const struct spdm_neg *n, const uint8_t *msg,
			 size_t len)
{
	struct spdm_psk_exchange p, p2;
	uint8_t buf[4096];
	struct doe_wr w;
	size_t used;
	int rc = spdm_parse_psk_exchange(ctx, n, msg, len, &p);

	if (rc < 0)
		return;
	used = consumed(rc, len);
	inside(msg, used, p.hint, p.hint_len);
	inside(msg, used, p.context, p.context_len);
	inside(msg, used, p.opaque, p.opaque_len);
	if (p.hint_len > SPDM_PSK_HINT_MAX || p.context_len > SPDM_PSK_CONTEXT_MAX ||
	    p.context_len < n->hash_size || p.opaque_len > SPDM_OPAQUE_MAX)
		abort();
	doe_wr_init(&w, buf, sizeof(buf));
	if (spdm_enc_psk_exchange(&w, n->version, &p))
		abort();
	rc = spdm_parse_psk_exchange(ctx, n, buf, doe_wr_len(&w), &p2);
	if (rc < 0 || (size_t)rc != doe_wr_len(&w) || p2.session_id != p.session_id ||
	    p2.session_policy != p.session_policy || p2.hash_type != p.hash_type ||
	    p2.hint_len != p.hint_len || p2.context_len != p.context_len ||
	    p2.opaque_len != p.opaque_len || memcmp(p2.context, p.context, p.context_len))
		abort();
}

static void psk_exchange_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
			     const struct spdm_sess_neg *sn, const uint8_t *msg, size_t len)
{
	struct spdm_psk_exchange_rsp p, p2;
	uint8_t buf[4096];
	struct doe_wr w;
	size_t used;
	int rc = spdm_parse_psk_exchange_rsp(ctx, n, sn, msg, len, &p);

	if (rc < 0)
		return;
	used = consumed(rc, len);
	inside(msg, used, p.summary_hash, p.summary_hash ? n->hash_size : 0);
	inside(msg, used, p.context, p.context_len);
	inside(msg, used, p.opaque, p.opaque_len);
	inside(msg, used, p.verify_data, n->hash_size);
	if (!p.verify_data || p.verify_data != msg + p.verify_off ||
	    (p.summary_hash != NULL) != sn->summary_hash || p.context_len > SPDM_PSK_CONTEXT_MAX ||
	    p.opaque_len > SPDM_OPAQUE_MAX)
		abort();
	doe_wr_init(&w, buf, sizeof(buf));
	if (spdm_enc_psk_exchange_rsp_head(&w, n->version, &p, n->hash_size) ||
	    doe_wr_len(&w) != p.verify_off)
		abort();
	doe_wr_bytes(&w, p.verify_data, n->hash_size);
	rc = spdm_parse_psk_exchange_rsp(ctx, n, sn, buf, doe_wr_len(&w), &p2);
	if (rc < 0 || p2.session_id != p.session_id || p2.context_len != p.context_len ||
	    p2.opaque_len != p.opaque_len || p2.verify_off != p.verify_off ||
	    memcmp(p2.verify_data, p.verify_data, n->hash_size))
		abort();
}

static void one_verify_data(int rc, size_t len, const uint8_t *msg, const uint8_t *vd,
			    size_t vd_len)
{
	if (rc < 0)
		return;
	inside(msg, consumed(rc, len), vd, vd_len);
}

static void bare(struct doe_ctx *ctx, const struct spdm_neg *n, uint8_t code, const uint8_t *msg,
		 size_t len)
{
	uint8_t p1 = 0, p2 = 0, buf[4];
	struct doe_wr w;
	int rc = spdm_parse_bare(ctx, n, code, msg, len, &p1, &p2);

	if (rc < 0)
		return;
	if (consumed(rc, len) != 4)
		abort();
	doe_wr_init(&w, buf, sizeof(buf));
	if (spdm_enc_bare(&w, n->version, code, p1, p2) || memcmp(buf, msg, 4))
		abort();
}

static void opaque(struct doe_ctx *ctx, bool fmt1, bool versions, const uint8_t *p, size_t len)
{
	uint16_t v[SPDM_SM_MAX_VERSIONS], v2[SPDM_SM_MAX_VERSIONS], sel;
	uint8_t buf[64];
	unsigned n = 0, n2 = 0;
	struct doe_wr w;

	doe_wr_init(&w, buf, sizeof(buf));
	if (!versions) {
		if (spdm_parse_opaque_selection(ctx, fmt1, p, len, &sel))
			return;
		if (spdm_enc_opaque_selection(&w, fmt1, sel) ||
		    spdm_parse_opaque_selection(ctx, fmt1, buf, doe_wr_len(&w), &v[0]) || v[0] != sel)
			abort();
		return;
	}
	if (spdm_parse_opaque_versions(ctx, fmt1, p, len, v, &n))
		return;
	if (n == 0 || n > SPDM_SM_MAX_VERSIONS)
		abort();
	if (spdm_enc_opaque_versions(&w, fmt1, v, n) ||
	    spdm_parse_opaque_versions(ctx, fmt1, buf, doe_wr_len(&w), v2, &n2) || n2 != n ||
	    memcmp(v, v2, n * sizeof(v[0])))
		abort();
}

static void keyring(struct doe_ctx *ctx, const uint8_t *p, size_t len)
{
	struct spdm_keyring_payload k;

	if (spdm_keyring_parse(ctx, p, len, &k))
		return;
	/* accepted: every field is one docs/keyring.md allows, so a kernel
	 * consumer can trust what it sizes buffers and builds nonces by */
	if (len != SPDM_KEYRING_PAYLOAD_SIZE || (k.key_len != 16 && k.key_len != 32) ||
	    k.iv_len != SPDM_AEAD_IV_SIZE || k.spdm_version < 0x11 || k.spdm_version > 0x13 ||
	    k.sm_version < 0x10 || k.sm_version > 0x12 ||
	    ((k.flags & SPDM_KEYRING_MAC_ONLY) && k.max_pad))
		abort();
	for (size_t i = k.key_len; i < sizeof(k.req.key); i++)
		if (k.req.key[i] || k.rsp.key[i])
			abort();
	/* a session resumed from it (when its framing fits a binding) writes
	 * the very same payload back, and can seal a message at once */
	{
		_Alignas(16) static uint8_t mem[SPDM_SESSION_CTX_SIZE];
		uint8_t back[SPDM_KEYRING_PAYLOAD_SIZE], rec[64];
		static const uint8_t msg[4] = { 0x12, 0xFE, 0, 0 };
		struct spdm_sess *s;
		size_t rlen;

		if (spdm_sess_req_resume(mem, sizeof(mem), ctx, &k, &s))
			return;
		if (spdm_keyring_export(s, ctx, back) || memcmp(back, p, sizeof(back)))
			abort();
		/* the last sequence number refuses rather than wraps */
		if (spdm_sess_seal(s, msg, sizeof(msg), rec, sizeof(rec), &rlen) &&
		    k.req.seq != UINT64_MAX)
			abort();
		spdm_sess_fini(s);
	}
}

/* The peer's ExchangeData against our key of the group: refused or a
 * secret of the group's size, never anything else. */
static void dhe(struct doe_ctx *ctx, uint8_t sel, const uint8_t *p, size_t len)
{
	size_t g = 1u + sel % (NDHE - 1u), n = 0;
	uint8_t pub[SPDM_DHE_MAX_SIZE], secret[SPDM_DHE_MAX_SIZE];
	int rc;

	if (len < spdm_dhe_size(dhes[g]))
		return;
	if (!own_key[g] && spdm_dhe_keygen(ctx, dhes[g], &own_key[g], pub))
		abort();
	rc = spdm_dhe_derive(ctx, dhes[g], own_key[g], p, secret, &n);
	if (rc && rc != -EBADMSG)
		abort();
	if (!rc && n != spdm_dhe_secret_size(dhes[g]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the bare messages: the seven session codes, or any code at all */
	static const uint8_t bare_codes[] = { SPDM_HEARTBEAT, SPDM_HEARTBEAT_ACK, SPDM_KEY_UPDATE,
					      SPDM_KEY_UPDATE_ACK, SPDM_END_SESSION,
					      SPDM_END_SESSION_ACK, SPDM_PSK_FINISH_RSP };
	struct spdm_neg n;
	struct spdm_sess_neg sn;
	struct doe_ctx *ctx;
	const uint8_t *msg;
	uint8_t code, *copy;
	size_t len;
	const uint8_t *vd;

	if (size < 5 || doe_ctx_new(&ctx))
		return 0;
	n.version = (uint8_t)(0x11 + data[1] % 3);
	n.hash_size = hash_sizes[(data[2] >> 4) % 3];
	n.sig_size = sig_sizes[data[4] % 6];
	n.align = data[3] & 0x08 ? 4 : 1;
	sn.dhe = dhes[(data[2] & 0x0F) % NDHE];
	sn.in_the_clear = data[3] & 0x01;
	sn.summary_hash = data[3] & 0x02;
	code = data[1] >> 3 < 7 ? bare_codes[data[1] >> 3] : data[1];
	/* a copy of exactly the message: ASan then catches any read past it */
	len = size - 5;
	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 5, len);
	msg = copy;
	switch (data[0] % 13) {
	case 0: key_exchange(ctx, &n, &sn, msg, len); break;
	case 1: key_exchange_rsp(ctx, &n, &sn, msg, len); break;
	case 2: finish(ctx, &n, msg, len); break;
	case 3:
		one_verify_data(spdm_parse_finish_rsp(ctx, &n, &sn, msg, len, &vd), len, msg, vd,
				vd ? n.hash_size : 0);
		if (vd && !sn.in_the_clear)
			abort();
		break;
	case 4: psk_exchange(ctx, &n, msg, len); break;
	case 5: psk_exchange_rsp(ctx, &n, &sn, msg, len); break;
	case 6:
		one_verify_data(spdm_parse_psk_finish(ctx, &n, msg, len, &vd), len, msg, vd,
				n.hash_size);
		break;
	case 7: bare(ctx, &n, code, msg, len); break;
	case 8: opaque(ctx, data[3] & 0x04, true, msg, len); break;
	case 9: opaque(ctx, data[3] & 0x04, false, msg, len); break;
	case 10: keyring(ctx, msg, len); break;
	case 11: dhe(ctx, data[4] >> 3, msg, len); break;
	case 12: {
		uint32_t id;

		if (!spdm_rec_session_id(msg, len, &id) && len < 4)
			abort();
		break;
	}
	}
	free(copy);
	doe_ctx_free(ctx);
	return 0;
}
