// SPDX-License-Identifier: MIT
/* See session_pair.h. */
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/spdm.h>
#include "session_int.h"
#include "session_pair.h"

/*
 * The responder's signing identity, made on first use and kept: key and
 * certificate generation per input would be most of the run time. The
 * one piece of state the session fuzzers keep across inputs; it is never
 * written after it is made.
 */
static struct fz_identity {
	struct spdm_identity *id;
	struct spdm_rsp_config cfg;
} ident;

static const uint8_t vca[] = "GET_VERSION..ALGORITHMS, as both sides saw them";
static const uint8_t chain_hash[SPDM_MAX_HASH_SIZE] = "Ct: the hash of the responder's chain";
static const uint8_t summary[SPDM_MAX_HASH_SIZE] = "a measurement summary hash";
static const uint8_t psk[32] = "a pre-shared key of 32 bytes...";

static const uint16_t dhes[4] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1, SPDM_DHE_SECP256R1,
				  SPDM_DHE_FFDHE2048 };
static const uint16_t aeads[4] = { SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
				   SPDM_AEAD_CHACHA20_POLY1305, SPDM_AEAD_AES_256_GCM };
static const uint32_t hashes[4] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512,
				    SPDM_HASH_SHA384 };

#define CAPS (SPDM_CAP_CERT | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | \
	      SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)

bool fz_pair_init(struct fz_pair *p, struct doe_ctx *ctx, uint8_t k0, uint8_t k1)
{
	static const uint8_t versions[4] = { 0x11, 0x12, 0x13, 0x13 };
	bool is_psk = k0 & 0x04;
	uint32_t flags = CAPS;
	int rc;

	if (!ident.id) {
		if (spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P256, NULL, &ident.id))
			abort();
		spdm_identity_apply(ident.id, &ident.cfg);
	}
	memset(p, 0, sizeof(*p));
	if (k0 & 0x10)
		flags |= SPDM_CAP_HANDSHAKE_IN_THE_CLEAR;
	if (k0 & 0x40)
		flags &= ~SPDM_CAP_ENCRYPT;
	if (is_psk)
		flags = (flags & ~SPDM_CAP_KEY_EX) | (k0 & 0x08 ? SPDM_CAP_PSK_WITH_CONTEXT : (1u << SPDM_CAP_PSK_SHIFT));
	p->conn = (struct spdm_conn){
		.version = versions[k0 & 3],
		.hash_algo = hashes[(k1 >> 4) & 3],
		.asym_algo = SPDM_ASYM_ECDSA_P256,
		.dhe = is_psk ? 0 : dhes[k1 & 3],
		.aead = aeads[(k1 >> 2) & 3],
		/* the requester's PSK_CAP is one bit: it never has context */
		.req_flags = is_psk ? (flags & ~SPDM_CAP_PSK) | (1u << SPDM_CAP_PSK_SHIFT) : flags,
		.rsp_flags = k1 & 0x40 ? flags & ~(SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD) : flags,
		.opaque_fmt1 = versions[k0 & 3] >= 0x12,
		.vca = vca,
		.vca_len = sizeof(vca),
		.has_chain = !is_psk,
		.peer_key = is_psk ? NULL : ident.cfg.signer_priv,
	};
	memcpy(p->conn.chain_hash, chain_hash, sizeof(chain_hash));
	p->ro.binding = p->so.binding = k0 & 0x20 ? SPDM_BINDING_MCTP : SPDM_BINDING_DOE;
	p->ro.summary_hash_type = k0 & 0x80 ? SPDM_SUMMARY_ALL : SPDM_SUMMARY_NONE;
	p->ro.half_id = 0x1111;
	p->so.half_id = 0x2222;
	if (!(k1 & 0x80)) {
		p->so.summary_tcb = summary;
		p->so.summary_all = summary;
	}
	p->so.heartbeat_period = 5;
	if (is_psk) {
		p->ro.psk = p->so.psk = psk;
		p->ro.psk_len = p->so.psk_len = sizeof(psk);
		p->ro.psk_hint = p->so.psk_hint = (const uint8_t *)"doekit";
		p->ro.psk_hint_len = p->so.psk_hint_len = 6;
	} else {
		p->so.signer = ident.cfg.signer;
		p->so.signer_priv = ident.cfg.signer_priv;
	}
	rc = spdm_sess_req_init(p->rmem, sizeof(p->rmem), ctx, &p->conn, &p->ro, &p->req);
	if (!rc)
		rc = spdm_sess_rsp_init(p->smem, sizeof(p->smem), ctx, &p->conn, &p->so, &p->rsp);
	if (rc) {
		fz_pair_fini(p);
		return false;
	}
	return true;
}

void fz_pair_fini(struct fz_pair *p)
{
	spdm_sess_fini(p->req);
	spdm_sess_fini(p->rsp);
	p->req = p->rsp = NULL;
}

bool fz_chunk(struct doe_rd *r, bool wide, const uint8_t **p, size_t *len)
{
	uint16_t n;
	uint8_t n8;

	if (wide ? doe_rd_le16(r, &n) : doe_rd_u8(r, &n8))
		return false;
	if (!wide)
		n = n8;
	*len = n < doe_rd_left(r) ? n : doe_rd_left(r);
	*p = doe_rd_take(r, *len);
	return true;
}

void fz_mutate(struct doe_rd *r, uint8_t *msg, size_t len)
{
	const uint8_t *mask;
	size_t n;
	uint8_t off;

	if (doe_rd_u8(r, &off) || !fz_chunk(r, false, &mask, &n) || !len)
		return;
	for (size_t i = 0; i < n; i++)
		msg[(off + i) % len] ^= mask[i];
}

void fz_check_wiped(const struct spdm_sess *s)
{
	static const struct spdm_keys zero;

	if (spdm_sess_state(s) != SPDM_SESS_FAILED && spdm_sess_state(s) != SPDM_SESS_ENDED)
		return;
	if (memcmp(&s->ks, &zero, sizeof(zero)) || s->dhe || spdm_sess_keys(s))
		abort();
}

static bool same_dir(const struct spdm_dir_keys *a, const struct spdm_dir_keys *b)
{
	return !memcmp(a->key, b->key, sizeof(a->key)) && !memcmp(a->iv, b->iv, sizeof(a->iv)) &&
	       a->seq == b->seq;
}

void fz_check_agree(const struct fz_pair *p)
{
	const struct spdm_keys *a = spdm_sess_keys(p->req), *b = spdm_sess_keys(p->rsp);

	if (p->peer_sealed || !a || !b || p->req->step != STEP_DATA || p->rsp->step != STEP_DATA)
		return;
	if (spdm_sess_id(p->req) != spdm_sess_id(p->rsp) || !same_dir(&a->req, &b->req) ||
	    !same_dir(&a->rsp, &b->rsp))
		abort();
}

void fz_check_rsp(const struct spdm_sess *s, int rc, const uint8_t *out, size_t out_len,
		  bool secured, size_t app_len, size_t app_cap)
{
	fz_check_wiped(s);
	if (rc > 1 || out_len > FZ_BUF)
		abort();
	if (rc < 0) {
		/* refused: the session is over, and the ERROR goes in the clear */
		if (spdm_sess_state(s) != SPDM_SESS_FAILED ||
		    (out_len && (secured || out_len < 4 || out[1] != 0x7F)))
			abort();
		return;
	}
	if (rc == 1) {
		if (spdm_sess_state(s) != SPDM_SESS_ESTABLISHED || app_len > app_cap || out_len)
			abort();
		return;
	}
	/* an answer: the handshake responses in the clear, anything else sealed */
	if (!out_len || (!secured && (out_len < 4 || (out[1] != SPDM_KEY_EXCHANGE_RSP &&
						      out[1] != SPDM_PSK_EXCHANGE_RSP &&
						      out[1] != SPDM_FINISH_RSP))))
		abort();
}
