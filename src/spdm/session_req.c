// SPDX-License-Identifier: MIT
/*
 * The requester side of an SPDM session (DSP0274 1.1-1.3 §10.12-§10.20):
 *
 *   KEY_EXCHANGE -> KEY_EXCHANGE_RSP   signature over VCA||Ct||K, then
 *                                      the handshake keys from TH1 and
 *                                      ResponderVerifyData checked
 *   FINISH       -> FINISH_RSP         RequesterVerifyData; secured with
 *                                      the handshake keys unless the
 *                                      handshake is in the clear
 *   PSK_EXCHANGE -> PSK_EXCHANGE_RSP   the same with a PSK, no signature
 *   PSK_FINISH   -> PSK_FINISH_RSP     (only if the responder has context)
 *
 * then the data keys from TH2. Each response must be the one the state
 * expects; anything else (an ERROR included) ends the session.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "internal.h"
#include "session_int.h"
#include "spdm_int.h"

int spdm_sess_req_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
		       const struct spdm_conn *conn, const struct spdm_sess_opts *o,
		       struct spdm_sess **out)
{
	struct spdm_sess *s;

	TRY(sess_init(mem, mem_len, ctx, conn, o, true, &s));
	s->step = STEP_START;
	*out = s;
	return 0;
}

/* An ERROR where a response was due: name it, the session is over. */
static int check_error(struct spdm_sess *s, const uint8_t *in, size_t len, const char *want)
{
	struct spdm_hdr h;

	if (spdm_parse_hdr(s->ctx, in, len, &h))
		return sess_fail(s, -EBADMSG);
	if (h.code == SPDM_ERROR)
		return sess_fail(s, doe_err(s->ctx, -EPROTO, "%s: the responder answered ERROR %s (0x%02x, data 0x%02x)",
					    want, spdm_error_name(h.param1), h.param1, h.param2));
	return 0;
}

static int opaque_versions(struct spdm_sess *s, uint8_t *buf, size_t cap, uint16_t *len)
{
	struct doe_wr w;

	doe_wr_init(&w, buf, cap);
	TRY(spdm_enc_opaque_versions(&w, s->conn.opaque_fmt1, sess_sm_versions, 3));
	*len = (uint16_t)doe_wr_len(&w);
	return 0;
}

/* The responder's choice must be one we offered. */
static int check_selection(struct spdm_sess *s, const uint8_t *opaque, size_t len)
{
	uint16_t v;

	TRY(spdm_parse_opaque_selection(s->ctx, s->conn.opaque_fmt1, opaque, len, &v));
	for (size_t i = 0; i < 3; i++)
		if (sess_sm_versions[i] == v)
			return s->sm_version = v, 0;
	return doe_err(s->ctx, -EPROTO, "the responder selected secured-message version %u.%u, which was not offered",
		       v >> 12, (v >> 8) & 0xF);
}

static int send_key_exchange(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t exchange[SPDM_DHE_MAX_SIZE], opaque[64];
	struct spdm_key_exchange k = {
		.hash_type = s->opts.summary_hash_type,
		.slot = s->conn.slot,
		.session_id = s->opts.half_id,
		.session_policy = s->opts.session_policy,
		.exchange = exchange,
		.opaque = opaque,
	};
	struct doe_wr w;

	TRY(opaque_versions(s, opaque, sizeof(opaque), &k.opaque_len));
	TRY(spdm_random(s->ctx, k.random, sizeof(k.random)));
	TRY(spdm_dhe_keygen(s->ctx, s->conn.dhe, &s->dhe, exchange));
	doe_wr_init(&w, out, cap);
	if (spdm_enc_key_exchange(&w, s->conn.version, &k, spdm_dhe_size(s->conn.dhe)))
		return doe_err(s->ctx, -ENOBUFS, "KEY_EXCHANGE: %zu-byte buffer too small", cap);
	*out_len = doe_wr_len(&w);
	return sess_th_add(s, out, *out_len);
}

static int send_psk_exchange(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t context[SPDM_MAX_HASH_SIZE], opaque[64];
	struct spdm_psk_exchange p = {
		.hash_type = s->opts.summary_hash_type,
		.session_policy = s->opts.session_policy,
		.session_id = s->opts.half_id,
		.hint_len = (uint16_t)s->opts.psk_hint_len,
		.hint = s->opts.psk_hint,
		.context_len = s->hash_size,	/* §10.14: a nonce of the hash size */
		.context = context,
		.opaque = opaque,
	};
	struct doe_wr w;

	TRY(opaque_versions(s, opaque, sizeof(opaque), &p.opaque_len));
	TRY(spdm_random(s->ctx, context, s->hash_size));
	doe_wr_init(&w, out, cap);
	if (spdm_enc_psk_exchange(&w, s->conn.version, &p))
		return doe_err(s->ctx, -ENOBUFS, "PSK_EXCHANGE: %zu-byte buffer too small", cap);
	*out_len = doe_wr_len(&w);
	return sess_th_add(s, out, *out_len);
}

static struct spdm_sess_neg sneg(const struct spdm_sess *s)
{
	struct spdm_sess_neg n = {
		.dhe = s->conn.dhe,
		.in_the_clear = s->in_the_clear,
		.summary_hash = s->opts.summary_hash_type != SPDM_SUMMARY_NONE,
	};

	return n;
}

/* The handshake keys from TH1 and the responder's verify data over it. */
static int handshake_keys(struct spdm_sess *s, const uint8_t *shared, size_t shared_len,
			  const uint8_t *verify_data)
{
	uint8_t th1[SPDM_MAX_HASH_SIZE];
	int rc = sess_th_hash(s, th1);

	if (!rc)
		rc = spdm_keys_handshake(s->ctx, &s->ks, shared, shared_len, s->psk, th1);
	if (!rc && verify_data)
		rc = spdm_keys_check_verify_data(s->ctx, &s->ks, false, th1, verify_data);
	if (!rc && verify_data)
		rc = sess_th_add(s, verify_data, s->hash_size);
	OPENSSL_cleanse(th1, sizeof(th1));
	return rc;
}

static int recv_key_exchange_rsp(struct spdm_sess *s, const uint8_t *in, size_t len)
{
	struct spdm_neg n = sess_neg(s);
	struct spdm_sess_neg sn = sneg(s);
	struct spdm_key_exchange_rsp k;
	uint8_t th[SPDM_MAX_HASH_SIZE], shared[SPDM_DHE_MAX_SIZE];
	size_t shared_len = 0;
	int rc;

	TRY(check_error(s, in, len, "KEY_EXCHANGE"));
	rc = spdm_parse_key_exchange_rsp(s->ctx, &n, &sn, in, len, &k);
	if (rc < 0)
		return rc;
	if (!k.session_id)
		return doe_err(s->ctx, -EBADMSG, "KEY_EXCHANGE_RSP: RspSessionID 0");
	if (k.mut_auth) {
		/* §10.12: only if we said MUT_AUTH_CAP and have a key to sign with */
		if (!(s->conn.req_flags & SPDM_CAP_MUT_AUTH) || !s->conn.req_asym_algo)
			return doe_err(s->ctx, -EPROTO, "KEY_EXCHANGE_RSP: mutual authentication requested (0x%02x) but not offered",
				       k.mut_auth);
		if (!s->opts.signer || !s->opts.own_chain)
			return doe_err(s->ctx, -EPROTO, "KEY_EXCHANGE_RSP: mutual authentication requested; no requester identity given");
		s->mut_auth = k.mut_auth;
		s->req_slot = k.req_slot & 0x0F;
	}
	TRY(check_selection(s, k.opaque, k.opaque_len));
	/* the signature covers VCA || Ct || KEY_EXCHANGE || the response up
	 * to the signature, signed as "responder-key_exchange_rsp signing" */
	TRY(sess_th_add(s, in, k.signed_len));
	TRY(sess_th_hash(s, th));
	TRY(spdm_verify_th(s->ctx, s->conn.peer_key, s->conn.version, s->conn.asym_algo,
			   s->conn.hash_algo, SPDM_CODE_KEY_EXCHANGE_RSP, th, k.sig,
			   spdm_sig_size(s->conn.asym_algo)));
	TRY(sess_th_add(s, k.sig, spdm_sig_size(s->conn.asym_algo)));
	rc = spdm_dhe_derive(s->ctx, s->conn.dhe, s->dhe, k.exchange, shared, &shared_len);
	EVP_PKEY_free(s->dhe);
	s->dhe = NULL;
	if (!rc)
		rc = handshake_keys(s, shared, shared_len, k.verify_data);
	OPENSSL_cleanse(shared, sizeof(shared));
	if (rc)
		return rc;
	s->session_id = (uint32_t)s->opts.half_id | (uint32_t)k.session_id << 16;
	s->rec.session_id = s->session_id;
	s->heartbeat_period = k.heartbeat_period;
	if ((s->has_summary = k.summary_hash != NULL))
		memcpy(s->summary_hash, k.summary_hash, s->hash_size);
	return 0;
}

static int recv_psk_exchange_rsp(struct spdm_sess *s, const uint8_t *in, size_t len)
{
	struct spdm_neg n = sess_neg(s);
	struct spdm_sess_neg sn = sneg(s);
	struct spdm_psk_exchange_rsp p;
	int rc;

	TRY(check_error(s, in, len, "PSK_EXCHANGE"));
	rc = spdm_parse_psk_exchange_rsp(s->ctx, &n, &sn, in, len, &p);
	if (rc < 0)
		return rc;
	if (!p.session_id)
		return doe_err(s->ctx, -EBADMSG, "PSK_EXCHANGE_RSP: RspSessionID 0");
	TRY(check_selection(s, p.opaque, p.opaque_len));
	/* §10.15: PSK_FINISH follows only when the responder has context */
	s->psk_finish = (s->conn.rsp_flags & SPDM_CAP_PSK) == SPDM_CAP_PSK_WITH_CONTEXT;
	if (s->psk_finish != (p.context_len > 0))
		return doe_err(s->ctx, -EBADMSG, "PSK_EXCHANGE_RSP: ResponderContextLength %u contradicts PSK_CAP",
			       p.context_len);
	TRY(sess_th_add(s, in, p.verify_off));
	TRY(handshake_keys(s, s->opts.psk, s->opts.psk_len, p.verify_data));
	s->session_id = (uint32_t)s->opts.half_id | (uint32_t)p.session_id << 16;
	s->rec.session_id = s->session_id;
	s->heartbeat_period = p.heartbeat_period;
	if ((s->has_summary = p.summary_hash != NULL))
		memcpy(s->summary_hash, p.summary_hash, s->hash_size);
	return 0;
}

/* FINISH (or PSK_FINISH): header, RequesterVerifyData over the
 * transcript through the header; secured unless in the clear. */
static int send_finish(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *out_len,
		       bool *secured)
{
	uint8_t msg[4 + SPDM_MAX_SIG_SIZE + SPDM_MAX_HASH_SIZE], th[SPDM_MAX_HASH_SIZE];
	size_t sig = s->mut_auth ? spdm_sig_size(s->conn.req_asym_algo) : 0;
	size_t mlen = 4u + sig + s->hash_size;
	int rc;

	msg[0] = s->conn.version;
	msg[1] = s->psk ? SPDM_PSK_FINISH : SPDM_FINISH;
	msg[2] = sig ? 0x01 : 0;	/* SignatureIncluded: mutual authentication */
	msg[3] = sig ? s->req_slot : 0;
	if (sig)	/* CM: our chain, between K and F (§15 TH for FINISH) */
		TRY(sess_th_chain(s, s->opts.own_chain, s->opts.own_chain_len));
	TRY(sess_th_add(s, msg, 4));
	if (sig) {
		TRY(sess_th_hash(s, th));
		TRY(spdm_sign_th(s->ctx, s->opts.signer, s->opts.signer_priv, s->conn.version,
				 s->conn.req_asym_algo, s->conn.hash_algo, SPDM_CODE_FINISH, th, msg + 4,
				 sig));
		TRY(sess_th_add(s, msg + 4, sig));
	}
	TRY(sess_th_hash(s, th));
	rc = spdm_keys_verify_data(s->ctx, &s->ks, true, th, msg + 4 + sig);
	if (!rc)
		rc = sess_th_add(s, msg + 4 + sig, s->hash_size);
	if (!rc && s->in_the_clear) {
		if (mlen > cap)
			rc = doe_err(s->ctx, -ENOBUFS, "FINISH: buffer too small");
		else
			memcpy(out, msg, mlen), *out_len = mlen;
	} else if (!rc) {
		rc = sess_seal(s, msg, mlen, out, cap, out_len);
	}
	*secured = !s->in_the_clear;
	OPENSSL_cleanse(msg, sizeof(msg));
	return rc;
}

static int recv_finish_rsp(struct spdm_sess *s, const uint8_t *in, size_t len, bool in_secured)
{
	uint8_t buf[4 + SPDM_MAX_HASH_SIZE + 64], th[SPDM_MAX_HASH_SIZE];
	struct spdm_neg n = sess_neg(s);
	struct spdm_sess_neg sn = sneg(s);
	const uint8_t *msg = in, *vd;
	size_t mlen = len;
	uint8_t p1, p2;
	int rc;

	/* a responder that refused FINISH answers ERROR in the clear: say which */
	if (!in_secured && !s->in_the_clear)
		TRY(check_error(s, in, len, s->psk ? "PSK_FINISH" : "FINISH"));
	if (in_secured == s->in_the_clear)
		return doe_err(s->ctx, -EPROTO, "%s: came %s, expected %s", s->psk ? "PSK_FINISH_RSP" : "FINISH_RSP",
			       in_secured ? "secured" : "in the clear",
			       s->in_the_clear ? "in the clear" : "secured");
	if (in_secured) {
		TRY(sess_open(s, in, len, buf, sizeof(buf), &mlen));
		msg = buf;
	}
	TRY(check_error(s, msg, mlen, s->psk ? "PSK_FINISH" : "FINISH"));
	if (s->psk) {
		rc = spdm_parse_bare(s->ctx, &n, SPDM_PSK_FINISH_RSP, msg, mlen, &p1, &p2);
		if (rc < 0)
			return rc;
		return sess_th_add(s, msg, (size_t)rc);
	}
	rc = spdm_parse_finish_rsp(s->ctx, &n, &sn, msg, mlen, &vd);
	if (rc < 0)
		return rc;
	TRY(sess_th_add(s, msg, 4));
	if (vd) {	/* in the clear: ResponderVerifyData over ... || FINISH_RSP header */
		TRY(sess_th_hash(s, th));
		TRY(spdm_keys_check_verify_data(s->ctx, &s->ks, false, th, vd));
		TRY(sess_th_add(s, vd, s->hash_size));
	}
	return 0;
}

/* ---- mutual authentication: answering the responder's encapsulated
 * GET_DIGESTS and GET_CERTIFICATE from our own chain (slot 0) ---------- */

#define ENCAP_PORTION_MAX 1024u
#define SPDM_ENCAP_MAX_ROUNDS 128u

static int encap_answer(struct spdm_sess *s, const uint8_t *req, size_t len, struct doe_wr *w)
{
	struct spdm_neg n = sess_neg(s);
	const uint8_t *chain = s->opts.own_chain;
	size_t clen = s->opts.own_chain_len;
	struct spdm_hdr h;

	n.align = 1;
	TRY(spdm_parse_hdr(s->ctx, req, len, &h));
	if (h.code == SPDM_GET_DIGESTS && spdm_parse_get_digests(s->ctx, &n, req, len) >= 0) {
		uint8_t d[SPDM_MAX_HASH_SIZE];

		TRY(spdm_hash_all(s->ctx, s->conn.hash_algo, chain, clen, d));
		return spdm_enc_digests(w, s->conn.version, 0x01, 0x01, d, s->hash_size);
	}
	if (h.code == SPDM_GET_CERTIFICATE) {
		struct spdm_get_cert g;
		size_t portion;

		if (spdm_parse_get_certificate(s->ctx, &n, req, len, &g) >= 0 && g.slot == 0 &&
		    g.offset < clen) {
			portion = clen - g.offset;
			if (portion > g.length)
				portion = g.length;
			if (portion > ENCAP_PORTION_MAX)
				portion = ENCAP_PORTION_MAX;
			spdm_enc_certificate_hdr(w, s->conn.version, 0, (uint16_t)portion,
						 (uint16_t)(clen - g.offset - portion));
			doe_wr_bytes(w, chain + g.offset, portion);
			return spdm_wr_done(w);
		}
		return spdm_enc_error(w, s->conn.version, SPDM_ERR_INVALID_REQUEST, 0, NULL, 0);
	}
	/* §10.16: a requester answers what it implements; nothing else */
	return spdm_enc_error(w, s->conn.version, SPDM_ERR_UNSUPPORTED_REQUEST, h.code, NULL, 0);
}

/* DELIVER_ENCAPSULATED_RESPONSE with our answer to inner, sealed. */
static int encap_deliver(struct spdm_sess *s, uint8_t id, const uint8_t *inner, size_t ilen,
			 uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t ans[4200], msg[4300];
	struct spdm_encap e = { .request_id = id, .payload = ans };
	struct doe_wr w;

	/* a responder could ask forever: a 64 KiB chain in the smallest
	 * portions we give (1 KiB) is 64 requests, plus DIGESTS */
	if (++s->encap_rounds > SPDM_ENCAP_MAX_ROUNDS)
		return doe_err(s->ctx, -E2BIG, "the responder's encapsulated requests went past %u",
			       SPDM_ENCAP_MAX_ROUNDS);
	doe_wr_init(&w, ans, sizeof(ans));
	TRY(encap_answer(s, inner, ilen, &w));
	e.payload_len = doe_wr_len(&w);
	doe_wr_init(&w, msg, sizeof(msg));
	TRY(spdm_enc_encap(&w, s->conn.version, SPDM_DELIVER_ENCAP_RESPONSE, &e));
	s->encap_id = id;
	return sess_seal(s, msg, doe_wr_len(&w), out, cap, out_len);
}

/* Starts the encapsulated flow MutAuthRequested asked for. */
static int encap_start(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t get[4] = { s->conn.version, SPDM_GET_ENCAP_REQUEST, 0, 0 };

	if (s->mut_auth & SPDM_MUT_AUTH_WITH_GET_DIGESTS) {
		/* §10.12: GET_DIGESTS is implied, RequestID 0 */
		uint8_t gd[4] = { s->conn.version, SPDM_GET_DIGESTS, 0, 0 };

		return encap_deliver(s, 0, gd, sizeof(gd), out, cap, out_len);
	}
	s->encap_id = 0xFF;	/* nothing delivered yet */
	return sess_seal(s, get, sizeof(get), out, cap, out_len);
}

/* ENCAPSULATED_REQUEST or _RESPONSE_ACK: 1 with the next request in out,
 * 0 when the exchange is over (then FINISH follows). */
static int encap_step(struct spdm_sess *s, const uint8_t *in, size_t in_len, uint8_t *out,
		      size_t cap, size_t *out_len)
{
	struct spdm_neg n = sess_neg(s);
	uint8_t msg[4300];
	struct spdm_encap e;
	size_t mlen;
	uint8_t code;

	n.align = 1;
	TRY(sess_open(s, in, in_len, msg, sizeof(msg), &mlen));
	TRY(check_error(s, msg, mlen, "the encapsulated exchange"));
	code = s->encap_id == 0xFF ? SPDM_ENCAP_REQUEST : SPDM_ENCAP_RESPONSE_ACK;
	if (spdm_parse_encap(s->ctx, &n, code, msg, mlen, &e) < 0)
		return -EBADMSG;
	if (code == SPDM_ENCAP_REQUEST) {
		TRY(encap_deliver(s, e.request_id, e.payload, e.payload_len, out, cap, out_len));
		return 1;
	}
	/* §10.17 (1.2+): the ACK names the response it acknowledges */
	if (s->conn.version >= SPDM_V12 && e.ack_request_id != s->encap_id)
		return doe_err(s->ctx, -EBADMSG, "ENCAPSULATED_RESPONSE_ACK: AckRequestID %u, delivered %u",
			       e.ack_request_id, s->encap_id);
	if (e.payload_type == SPDM_ENCAP_PAYLOAD_PRESENT) {
		TRY(encap_deliver(s, e.request_id, e.payload, e.payload_len, out, cap, out_len));
		return 1;
	}
	if (e.payload_type == SPDM_ENCAP_PAYLOAD_REQ_SLOT) {
		if (e.payload[0] > 7)
			return doe_err(s->ctx, -EBADMSG, "ENCAPSULATED_RESPONSE_ACK: ReqSlotID %u", e.payload[0]);
		s->req_slot = e.payload[0];
	}
	return 0;
}

static int req_step(struct spdm_sess *s, const uint8_t *in, size_t in_len, bool in_secured,
		    uint8_t *out, size_t cap, size_t *out_len, bool *secured)
{
	*secured = false;
	switch (s->step) {
	case STEP_START:
		TRY(s->psk ? send_psk_exchange(s, out, cap, out_len)
			   : send_key_exchange(s, out, cap, out_len));
		s->step = STEP_WAIT_EXCHANGE_RSP;
		return 1;
	case STEP_WAIT_EXCHANGE_RSP:
		if (in_secured || !in)
			return doe_err(s->ctx, -EPROTO, "%s_RSP must come in the clear",
				       s->psk ? "PSK_EXCHANGE" : "KEY_EXCHANGE");
		TRY(s->psk ? recv_psk_exchange_rsp(s, in, in_len)
			   : recv_key_exchange_rsp(s, in, in_len));
		s->state = SPDM_SESS_HANDSHAKE;
		if (s->psk && !s->psk_finish)
			return sess_data_phase(s);
		if (s->mut_auth & (SPDM_MUT_AUTH_WITH_ENCAP | SPDM_MUT_AUTH_WITH_GET_DIGESTS)) {
			TRY(encap_start(s, out, cap, out_len));
			*secured = true;
			s->step = STEP_ENCAP;
			return 1;
		}
		TRY(send_finish(s, out, cap, out_len, secured));
		s->step = STEP_WAIT_FINISH_RSP;
		return 1;
	case STEP_ENCAP: {
		int rc;

		if (!in || !in_secured)
			return doe_err(s->ctx, -EPROTO, "the encapsulated exchange must be secured");
		rc = encap_step(s, in, in_len, out, cap, out_len);
		if (rc < 0)
			return rc;
		*secured = true;
		if (rc == 1)
			return 1;
		TRY(send_finish(s, out, cap, out_len, secured));
		s->step = STEP_WAIT_FINISH_RSP;
		return 1;
	}
	case STEP_WAIT_FINISH_RSP:
		if (!in)
			return doe_err(s->ctx, -EPROTO, "FINISH_RSP: no response");
		TRY(recv_finish_rsp(s, in, in_len, in_secured));
		return sess_data_phase(s);
	}
	return doe_err(s->ctx, -EINVAL, "session: handshake already %s",
		       s->state == SPDM_SESS_ESTABLISHED ? "complete" : "failed");
}

int spdm_sess_req_next(struct spdm_sess *s, const uint8_t *in, size_t in_len, bool in_secured,
		       uint8_t *out, size_t out_cap, size_t *out_len, bool *secured)
{
	int rc;

	if (!s->requester)
		return doe_err(s->ctx, -EINVAL, "session: not a requester");
	if (s->state == SPDM_SESS_FAILED || s->state == SPDM_SESS_ENDED)
		return doe_err(s->ctx, -ENOTCONN, "session: no longer usable");
	rc = req_step(s, in, in_len, in_secured, out, out_cap, out_len, secured);
	if (rc < 0 && s->state != SPDM_SESS_FAILED)
		sess_fail(s, rc);
	return rc;
}

/* ---- in-session requests: HEARTBEAT, KEY_UPDATE, END_SESSION ---------- */

static int send_bare(struct spdm_sess *s, uint8_t code, uint8_t p1, uint8_t p2, uint8_t *out,
		     size_t cap, size_t *len)
{
	uint8_t msg[4] = { s->conn.version, code, p1, p2 };

	if (s->state != SPDM_SESS_ESTABLISHED || s->step != STEP_DATA)
		return doe_err(s->ctx, -ENOTCONN, "session: %s needs an established session with no request pending",
			       spdm_code_name(code));
	TRY(sess_seal(s, msg, sizeof(msg), out, cap, len));
	s->pend_code = code;
	s->pend_p1 = p1;
	s->pend_p2 = p2;
	s->step = STEP_WAIT_ACK;
	return 0;
}

int spdm_sess_req_heartbeat(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *len)
{
	if (s->resumed)
		return doe_err(s->ctx, -EOPNOTSUPP, "HEARTBEAT: a resumed session does not know "
			       "whether the device has HBEAT_CAP (VCA was not seen here)");
	if (!(s->conn.req_flags & s->conn.rsp_flags & SPDM_CAP_HBEAT))
		return doe_err(s->ctx, -EOPNOTSUPP, "HEARTBEAT: HBEAT_CAP not on both sides");
	return send_bare(s, SPDM_HEARTBEAT, 0, 0, out, cap, len);
}

/*
 * KEY_UPDATE (§10.19), as libspdm sequences it: the request goes with the
 * old requester key; for UpdateAllKeys the ACK already comes with the new
 * responder key. After the ACK our new key is used, and VerifyNewKey (sent
 * with it) proves the responder has it too; only then are the old keys
 * dropped.
 */
int spdm_sess_req_key_update(struct spdm_sess *s, uint8_t op, uint8_t *out, size_t cap,
			     size_t *len)
{
	uint8_t tag;

	if (s->resumed)
		return doe_err(s->ctx, -EOPNOTSUPP, "KEY_UPDATE: a resumed session holds its keys, "
			       "not the secrets new keys derive from");
	if (!(s->conn.req_flags & s->conn.rsp_flags & SPDM_CAP_KEY_UPD))
		return doe_err(s->ctx, -EOPNOTSUPP, "KEY_UPDATE: KEY_UPD_CAP not on both sides");
	if (op != SPDM_KEY_UPDATE_KEY && op != SPDM_KEY_UPDATE_ALL_KEYS)
		return doe_err(s->ctx, -EINVAL, "KEY_UPDATE: operation %u", op);
	TRY(spdm_random(s->ctx, &tag, 1));
	if (op == SPDM_KEY_UPDATE_ALL_KEYS)
		TRY(spdm_keys_update(s->ctx, &s->ks, false, true));
	return send_bare(s, SPDM_KEY_UPDATE, op, tag, out, cap, len);
}

int spdm_sess_req_end(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *len)
{
	return send_bare(s, SPDM_END_SESSION, 0, 0, out, cap, len);
}

static uint8_t ack_of(uint8_t code)
{
	return code == SPDM_HEARTBEAT ? SPDM_HEARTBEAT_ACK
	       : code == SPDM_KEY_UPDATE ? SPDM_KEY_UPDATE_ACK
					 : SPDM_END_SESSION_ACK;
}

static int req_ack(struct spdm_sess *s, const uint8_t *in, size_t in_len, uint8_t *out,
		   size_t cap, size_t *len)
{
	struct spdm_neg n = sess_neg(s);
	uint8_t msg[4096], p1, p2, op = s->pend_p1;	/* any record opens, so a wrong one is "rejected" */
	size_t mlen;
	int rc;

	if (s->step != STEP_WAIT_ACK)
		return doe_err(s->ctx, -EPROTO, "session: no session request pending");
	rc = sess_open(s, in, in_len, msg, sizeof(msg), &mlen);
	if (rc)
		return rc;
	TRY(check_error(s, msg, mlen, spdm_code_name(s->pend_code)));
	rc = spdm_parse_bare(s->ctx, &n, ack_of(s->pend_code), msg, mlen, &p1, &p2);
	if (rc < 0)
		return rc;
	/* §10.19: KEY_UPDATE_ACK echoes the operation and the tag */
	if (s->pend_code == SPDM_KEY_UPDATE && (p1 != s->pend_p1 || p2 != s->pend_p2))
		return doe_err(s->ctx, -EBADMSG, "KEY_UPDATE_ACK: operation %u tag 0x%02x, sent %u 0x%02x",
			       p1, p2, s->pend_p1, s->pend_p2);
	s->step = STEP_DATA;
	switch (s->pend_code) {
	case SPDM_END_SESSION:
		sess_wipe_keys(s);
		s->state = SPDM_SESS_ENDED;
		s->step = STEP_DONE;
		return 0;
	case SPDM_KEY_UPDATE:
		if (op == SPDM_KEY_UPDATE_VERIFY_NEW_KEY) {
			spdm_keys_update_commit(&s->ks);
			return 0;
		}
		TRY(spdm_keys_update(s->ctx, &s->ks, true, false));
		TRY(send_bare(s, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_VERIFY_NEW_KEY, p2, out, cap, len));
		return 1;
	}
	return 0;
}

int spdm_sess_req_ack(struct spdm_sess *s, const uint8_t *in, size_t in_len, uint8_t *out,
		      size_t cap, size_t *len)
{
	int rc;

	if (s->state != SPDM_SESS_ESTABLISHED)
		return doe_err(s->ctx, -ENOTCONN, "session: not established");
	rc = req_ack(s, in, in_len, out, cap, len);
	if (rc < 0 && s->state != SPDM_SESS_FAILED)
		sess_fail(s, rc);
	return rc;
}
