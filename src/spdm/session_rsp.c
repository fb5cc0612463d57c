// SPDX-License-Identifier: MIT
/*
 * The responder side of an SPDM session (DSP0274 1.1-1.3 §10.12-§10.20).
 * Each state accepts exactly the requests the spec allows in it: FINISH
 * only after KEY_EXCHANGE, PSK_FINISH only after PSK_EXCHANGE (mixing the
 * two is CVE-2023-31127), session requests only once established. A
 * refused request is answered with an ERROR and ends the session.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "session_int.h"
#include "spdm_int.h"

int spdm_sess_rsp_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
		       const struct spdm_conn *conn, const struct spdm_sess_opts *o,
		       struct spdm_sess **out)
{
	struct spdm_sess *s;

	TRY(sess_init(mem, mem_len, ctx, conn, o, false, &s));
	s->step = STEP_START;
	*out = s;
	return 0;
}

/* The ERROR that answers a refused request, in the clear: by then the
 * session's keys are gone. */
static int refuse(struct spdm_sess *s, int rc, uint8_t err, uint8_t *out, size_t cap,
		  size_t *out_len, bool *secured)
{
	struct doe_wr w;

	*secured = false;
	*out_len = 0;
	doe_wr_init(&w, out, cap);
	if (spdm_enc_error(&w, s->conn.version, err, 0, NULL, 0) == 0)
		*out_len = doe_wr_len(&w);
	return sess_fail(s, rc);
}

/* Highest secured-message version both sides have. */
static int pick_version(struct spdm_sess *s, const uint8_t *opaque, size_t len)
{
	uint16_t offered[SPDM_SM_MAX_VERSIONS];
	unsigned n;

	TRY(spdm_parse_opaque_versions(s->ctx, s->conn.opaque_fmt1, opaque, len, offered, &n));
	s->sm_version = 0;
	for (unsigned i = 0; i < n; i++)
		for (size_t k = 0; k < 3; k++)
			if (offered[i] == sess_sm_versions[k] && offered[i] > s->sm_version)
				s->sm_version = offered[i];
	if (!s->sm_version)
		return doe_err(s->ctx, -EPROTO, "no common secured-message version");
	return 0;
}

static int selection(struct spdm_sess *s, uint8_t *buf, size_t cap, uint16_t *len)
{
	struct doe_wr w;

	doe_wr_init(&w, buf, cap);
	TRY(spdm_enc_opaque_selection(&w, s->conn.opaque_fmt1, s->sm_version));
	*len = (uint16_t)doe_wr_len(&w);
	return 0;
}

/* The measurement summary hash the request asked for (§10.12). */
static int summary(struct spdm_sess *s, uint8_t type, const uint8_t **out)
{
	*out = NULL;
	if (type == SPDM_SUMMARY_NONE)
		return 0;
	*out = type == SPDM_SUMMARY_TCB ? s->opts.summary_tcb : s->opts.summary_all;
	if (!*out)
		return doe_err(s->ctx, -EOPNOTSUPP, "measurement summary hash 0x%02x requested, none available",
			       type);
	return 0;
}

/* Our verify data over the transcript so far, appended to it. */
static int add_verify_data(struct spdm_sess *s, struct doe_wr *w)
{
	uint8_t th[SPDM_MAX_HASH_SIZE], *vd = doe_wr_take(w, s->hash_size);

	if (!vd)
		return doe_err(s->ctx, -ENOBUFS, "session: response buffer too small");
	TRY(sess_th_hash(s, th));
	TRY(spdm_keys_verify_data(s->ctx, &s->ks, false, th, vd));
	if (s->opts.corrupt_verify_data)
		vd[0] ^= 1;
	return sess_th_add(s, vd, s->hash_size);
}

static int on_key_exchange(struct spdm_sess *s, const uint8_t *in, size_t len, uint8_t *out,
			   size_t cap, size_t *out_len)
{
	struct spdm_neg n = sess_neg(s);
	struct spdm_sess_neg sn = { .dhe = s->conn.dhe, .in_the_clear = s->in_the_clear };
	uint8_t exchange[SPDM_DHE_MAX_SIZE], shared[SPDM_DHE_MAX_SIZE], opaque[32];
	uint8_t th[SPDM_MAX_HASH_SIZE];
	struct spdm_key_exchange k;
	struct spdm_key_exchange_rsp r = { .heartbeat_period = s->opts.heartbeat_period };
	size_t shared_len = 0, sig_len = spdm_sig_size(s->conn.asym_algo);
	struct doe_wr w;
	uint8_t *sig;
	int rc;

	rc = spdm_parse_key_exchange(s->ctx, &n, &sn, in, len, &k);
	if (rc < 0)
		return rc;
	if (k.slot != s->conn.slot)
		return doe_err(s->ctx, -EINVAL, "KEY_EXCHANGE: slot %u is not provisioned", k.slot);
	if (!k.session_id)
		return doe_err(s->ctx, -EINVAL, "KEY_EXCHANGE: ReqSessionID 0");
	TRY(summary(s, k.hash_type, &r.summary_hash));
	TRY(pick_version(s, k.opaque, k.opaque_len));
	TRY(sess_th_add(s, in, (size_t)rc));
	TRY(spdm_dhe_keygen(s->ctx, s->conn.dhe, &s->dhe, exchange));
	rc = spdm_dhe_derive(s->ctx, s->conn.dhe, s->dhe, k.exchange, shared, &shared_len);
	EVP_PKEY_free(s->dhe);
	s->dhe = NULL;
	if (rc)
		return rc;
	r.session_id = s->opts.half_id;
	r.exchange = exchange;
	r.opaque = opaque;
	r.mut_auth = s->mut_auth;	/* decided at init: both can, and asked for */
	r.req_slot = 0;
	rc = selection(s, opaque, sizeof(opaque), &r.opaque_len);
	if (!rc)
		rc = spdm_random(s->ctx, r.random, sizeof(r.random));
	doe_wr_init(&w, out, cap);
	if (!rc && spdm_enc_key_exchange_rsp_head(&w, s->conn.version, &r,
						  spdm_dhe_size(s->conn.dhe), s->hash_size))
		rc = doe_err(s->ctx, -ENOBUFS, "KEY_EXCHANGE_RSP: buffer too small");
	if (!rc)
		rc = sess_th_add(s, out, doe_wr_len(&w));
	if (!rc)
		rc = sess_th_hash(s, th);
	sig = rc ? NULL : doe_wr_take(&w, sig_len);
	if (!rc && !sig)
		rc = doe_err(s->ctx, -ENOBUFS, "KEY_EXCHANGE_RSP: buffer too small");
	if (!rc)
		rc = spdm_sign_th(s->ctx, s->opts.signer, s->opts.signer_priv, s->conn.version,
				  s->conn.asym_algo, s->conn.hash_algo, SPDM_CODE_KEY_EXCHANGE_RSP, th,
				  sig, sig_len);
	if (!rc)
		rc = sess_th_add(s, sig, sig_len);
	if (!rc)
		rc = sess_th_hash(s, th);
	if (!rc)
		rc = spdm_keys_handshake(s->ctx, &s->ks, shared, shared_len, false, th);
	OPENSSL_cleanse(shared, sizeof(shared));
	if (!rc && !s->in_the_clear)
		rc = add_verify_data(s, &w);
	if (rc)
		return rc;
	s->session_id = (uint32_t)k.session_id | (uint32_t)s->opts.half_id << 16;
	s->rec.session_id = s->session_id;
	*out_len = doe_wr_len(&w);
	return 0;
}

static int on_psk_exchange(struct spdm_sess *s, const uint8_t *in, size_t len, uint8_t *out,
			   size_t cap, size_t *out_len)
{
	struct spdm_neg n = sess_neg(s);
	struct spdm_psk_exchange p;
	struct spdm_psk_exchange_rsp r = { .heartbeat_period = s->opts.heartbeat_period };
	uint8_t context[SPDM_MAX_HASH_SIZE], opaque[32], th[SPDM_MAX_HASH_SIZE];
	struct doe_wr w;
	int rc;

	rc = spdm_parse_psk_exchange(s->ctx, &n, in, len, &p);
	if (rc < 0)
		return rc;
	/* the hint names the PSK; ours is the only one this session knows */
	if (p.hint_len != s->opts.psk_hint_len ||
	    (p.hint_len && memcmp(p.hint, s->opts.psk_hint, p.hint_len)))
		return doe_err(s->ctx, -EINVAL, "PSK_EXCHANGE: unknown PSKHint");
	if (!p.session_id)
		return doe_err(s->ctx, -EINVAL, "PSK_EXCHANGE: ReqSessionID 0");
	TRY(summary(s, p.hash_type, &r.summary_hash));
	TRY(pick_version(s, p.opaque, p.opaque_len));
	TRY(sess_th_add(s, in, (size_t)rc));
	s->psk_finish = (s->conn.rsp_flags & SPDM_CAP_PSK) == SPDM_CAP_PSK_WITH_CONTEXT;
	if (s->psk_finish) {
		TRY(spdm_random(s->ctx, context, s->hash_size));
		r.context = context;
		r.context_len = s->hash_size;
	}
	r.session_id = s->opts.half_id;
	r.opaque = opaque;
	TRY(selection(s, opaque, sizeof(opaque), &r.opaque_len));
	doe_wr_init(&w, out, cap);
	if (spdm_enc_psk_exchange_rsp_head(&w, s->conn.version, &r, s->hash_size))
		return doe_err(s->ctx, -ENOBUFS, "PSK_EXCHANGE_RSP: buffer too small");
	TRY(sess_th_add(s, out, doe_wr_len(&w)));
	TRY(sess_th_hash(s, th));
	TRY(spdm_keys_handshake(s->ctx, &s->ks, s->opts.psk, s->opts.psk_len, true, th));
	TRY(add_verify_data(s, &w));
	s->session_id = (uint32_t)p.session_id | (uint32_t)s->opts.half_id << 16;
	s->rec.session_id = s->session_id;
	*out_len = doe_wr_len(&w);
	return 0;
}

/* FINISH / PSK_FINISH: RequesterVerifyData checked, then our answer
 * (sealed with the handshake key unless in the clear), then data keys. */
static int on_finish(struct spdm_sess *s, const uint8_t *msg, size_t mlen, uint8_t *out,
		     size_t cap, size_t *out_len, bool *secured)
{
	struct spdm_neg n = sess_neg(s);
	uint8_t th[SPDM_MAX_HASH_SIZE], rsp[4 + SPDM_MAX_HASH_SIZE];
	const uint8_t *vd;
	size_t voff = 4, rlen = 4;
	struct doe_wr w;
	int rc;

	const uint8_t *sig = NULL;

	if (s->psk) {
		rc = spdm_parse_psk_finish(s->ctx, &n, msg, mlen, &vd);
	} else {
		struct spdm_finish f;

		/* a signature, when asked for, is of the requester's algorithm */
		n.sig_size = s->mut_auth ? spdm_sig_size(s->conn.req_asym_algo) : n.sig_size;
		rc = spdm_parse_finish(s->ctx, &n, msg, mlen, &f);
		if (rc >= 0 && !!f.sig != !!s->mut_auth)	/* §10.13 */
			return doe_err(s->ctx, -EINVAL, "FINISH: %s", f.sig ? "a signature without MutAuthRequested"
									   : "no signature, mutual authentication was asked for");
		if (rc >= 0 && f.sig && f.req_slot != s->req_slot)
			return doe_err(s->ctx, -EINVAL, "FINISH: ReqSlotID %u, expected %u", f.req_slot,
				       s->req_slot);
		vd = f.verify_data;
		voff = f.verify_off;
		sig = f.sig;
	}
	if (rc < 0)
		return rc;
	if (sig) {	/* TH: VCA || Ct || K || CM || FINISH header, signed by the requester */
		TRY(sess_th_add(s, msg, 4));
		TRY(sess_th_hash(s, th));
		if (spdm_verify_th(s->ctx, s->peer_req_key, s->conn.version, s->conn.req_asym_algo,
				   s->conn.hash_algo, SPDM_CODE_FINISH, th, sig, voff - 4))
			return -EKEYREJECTED;
		TRY(sess_th_add(s, sig, voff - 4));
	} else {
		TRY(sess_th_add(s, msg, voff));
	}
	TRY(sess_th_hash(s, th));
	if (spdm_keys_check_verify_data(s->ctx, &s->ks, true, th, vd))
		return -EKEYREJECTED;
	TRY(sess_th_add(s, vd, s->hash_size));
	doe_wr_init(&w, rsp, sizeof(rsp));
	spdm_enc_bare(&w, s->conn.version, s->psk ? SPDM_PSK_FINISH_RSP : SPDM_FINISH_RSP, 0, 0);
	TRY(sess_th_add(s, rsp, 4));
	if (s->in_the_clear) {	/* §10.13: FINISH_RSP then carries ResponderVerifyData */
		TRY(add_verify_data(s, &w));
		rlen = doe_wr_len(&w);
		if (rlen > cap)
			return doe_err(s->ctx, -ENOBUFS, "FINISH_RSP: buffer too small");
		memcpy(out, rsp, rlen);
		*out_len = rlen;
		*secured = false;
	} else {
		TRY(sess_seal(s, rsp, rlen, out, cap, out_len));
		*secured = true;
	}
	return sess_data_phase(s);
}

/* ---- mutual authentication: reading the requester's chain with
 * encapsulated GET_DIGESTS / GET_CERTIFICATE (§10.16-§10.17) ---------- */

#define ENCAP_CERT_CHUNK 1024u

static int encap_send(struct spdm_sess *s, uint8_t code, uint8_t payload_type, uint8_t ack_id,
		      const uint8_t *inner, size_t ilen, uint8_t *out, size_t cap, size_t *out_len)
{
	struct spdm_encap e = { .request_id = s->encap_id, .payload_type = payload_type,
				.ack_request_id = ack_id, .payload = inner, .payload_len = ilen };
	uint8_t msg[64];
	struct doe_wr w;

	doe_wr_init(&w, msg, sizeof(msg));
	TRY(spdm_enc_encap(&w, s->conn.version, code, &e));
	return sess_seal(s, msg, doe_wr_len(&w), out, cap, out_len);
}

/* The next GET_CERTIFICATE for slot 0, in an ACK for delivered id. */
static int next_cert(struct spdm_sess *s, uint8_t ack_id, uint8_t *out, size_t cap,
		     size_t *out_len)
{
	struct spdm_get_cert g = { .slot = 0, .offset = (uint16_t)s->peer_chain_len,
				   .length = ENCAP_CERT_CHUNK };
	uint8_t req[16];
	struct doe_wr w;

	doe_wr_init(&w, req, sizeof(req));
	TRY(spdm_enc_get_certificate(&w, s->conn.version, &g));
	s->encap_id++;
	s->encap_want = SPDM_CERTIFICATE;
	return encap_send(s, SPDM_ENCAP_RESPONSE_ACK, SPDM_ENCAP_PAYLOAD_PRESENT, ack_id, req,
			  doe_wr_len(&w), out, cap, out_len);
}

static int chain_done(struct spdm_sess *s, uint8_t ack_id, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	const uint8_t slot = 0;

	/* the requester's chain against our anchors, its leaf of the
	 * negotiated ReqBaseAsymAlg; CM then joins the transcript */
	TRY(spdm_chain_check(s->ctx, s->opts.peer_chain_buf, s->peer_chain_len, s->conn.hash_algo,
			     s->conn.req_asym_algo, s->opts.peer_trust, NULL, &s->peer_req_key));
	TRY(sess_th_chain(s, s->opts.peer_chain_buf, s->peer_chain_len));
	s->req_slot = slot;
	s->encap_id++;
	s->step = STEP_WAIT_FINISH;
	if (s->conn.version >= SPDM_V12)
		return encap_send(s, SPDM_ENCAP_RESPONSE_ACK, SPDM_ENCAP_PAYLOAD_REQ_SLOT, ack_id, &slot,
				  1, out, cap, out_len);
	return encap_send(s, SPDM_ENCAP_RESPONSE_ACK, SPDM_ENCAP_PAYLOAD_ABSENT, ack_id, NULL, 0,
			  out, cap, out_len);
}

static int on_encap(struct spdm_sess *s, const struct spdm_hdr *h, const uint8_t *msg,
		    size_t mlen, uint8_t *out, size_t cap, size_t *out_len)
{
	struct spdm_neg n = sess_neg(s);
	struct spdm_encap e;
	uint8_t p1, p2;

	n.align = 1;
	if (h->code == SPDM_GET_ENCAP_REQUEST) {
		uint8_t gd[4] = { s->conn.version, SPDM_GET_DIGESTS, 0, 0 };

		if (s->mut_auth != SPDM_MUT_AUTH_ENCAP || s->encap_started)
			return doe_err(s->ctx, -EPROTO, "GET_ENCAPSULATED_REQUEST out of turn");
		TRY(spdm_parse_bare(s->ctx, &n, h->code, msg, mlen, &p1, &p2));
		s->encap_started = true;
		s->encap_id = 1;
		s->encap_want = SPDM_DIGESTS;
		return encap_send(s, SPDM_ENCAP_REQUEST, 0, 0, gd, sizeof(gd), out, cap, out_len);
	}
	if (h->code != SPDM_DELIVER_ENCAP_RESPONSE ||
	    (s->mut_auth == SPDM_MUT_AUTH_ENCAP && !s->encap_started))
		return doe_err(s->ctx, -EPROTO, "%s during the encapsulated exchange",
			       spdm_code_name(h->code));
	if (spdm_parse_encap(s->ctx, &n, h->code, msg, mlen, &e) < 0)
		return -EINVAL;
	if (e.request_id != s->encap_id)
		return doe_err(s->ctx, -EINVAL, "DELIVER_ENCAPSULATED_RESPONSE: RequestID %u, expected %u",
			       e.request_id, s->encap_id);
	if (e.payload_len >= 2 && e.payload[1] == SPDM_ERROR)
		return doe_err(s->ctx, -EPROTO, "the requester answered the encapsulated request with ERROR");
	if (s->encap_want == SPDM_DIGESTS) {
		struct spdm_digests d;

		if (spdm_parse_digests(s->ctx, &n, e.payload, e.payload_len, &d) < 0)
			return -EINVAL;
		if (!(d.slot_mask & 0x01))
			return doe_err(s->ctx, -EINVAL, "the requester's DIGESTS has no slot 0");
		s->peer_chain_len = s->peer_chain_total = 0;
		return next_cert(s, e.request_id, out, cap, out_len);
	}
	{
		struct spdm_cert_rsp c;
		uint32_t total;

		if (spdm_parse_certificate(s->ctx, &n, e.payload, e.payload_len, &c) < 0 || c.slot)
			return -EINVAL;
		total = s->peer_chain_len + c.portion_len + c.remainder_len;
		if (!c.portion_len || (s->peer_chain_total && total != s->peer_chain_total) ||
		    total > s->opts.peer_chain_cap || total > SPDM_MAX_CHAIN_SIZE)
			return doe_err(s->ctx, -EINVAL, "the requester's CERTIFICATE: %u bytes in all, room for %zu",
				       total, s->opts.peer_chain_cap);
		s->peer_chain_total = total;
		memcpy(s->opts.peer_chain_buf + s->peer_chain_len, c.portion, c.portion_len);
		s->peer_chain_len += c.portion_len;
		if (c.remainder_len)
			return next_cert(s, e.request_id, out, cap, out_len);
		return chain_done(s, e.request_id, out, cap, out_len);
	}
}

/* HEARTBEAT, KEY_UPDATE, END_SESSION in the data phase (§10.18-§10.20). */
static int on_session_request(struct spdm_sess *s, const struct spdm_hdr *h, const uint8_t *msg,
			      size_t mlen, uint8_t *out, size_t cap, size_t *out_len)
{
	struct spdm_neg n = sess_neg(s);
	uint8_t p1, p2, ack[4];
	int rc = spdm_parse_bare(s->ctx, &n, h->code, msg, mlen, &p1, &p2);

	if (rc < 0)
		return rc;
	ack[0] = s->conn.version;
	ack[2] = 0;
	ack[3] = 0;
	switch (h->code) {
	case SPDM_HEARTBEAT:
		if (!(s->conn.rsp_flags & SPDM_CAP_HBEAT))
			return doe_err(s->ctx, -EOPNOTSUPP, "HEARTBEAT without HBEAT_CAP");
		ack[1] = SPDM_HEARTBEAT_ACK;
		return sess_seal(s, ack, 4, out, cap, out_len);
	case SPDM_END_SESSION:
		ack[1] = SPDM_END_SESSION_ACK;
		TRY(sess_seal(s, ack, 4, out, cap, out_len));
		sess_wipe_keys(s);
		s->state = SPDM_SESS_ENDED;
		s->step = STEP_DONE;
		return 0;
	}
	/* KEY_UPDATE: ACK echoes operation and tag */
	if (!(s->conn.rsp_flags & SPDM_CAP_KEY_UPD))
		return doe_err(s->ctx, -EOPNOTSUPP, "KEY_UPDATE without KEY_UPD_CAP");
	ack[1] = SPDM_KEY_UPDATE_ACK;
	ack[2] = p1;
	ack[3] = p2;
	/* §10.19: an update is confirmed by VerifyNewKey before the next one;
	 * refuse before anything is sealed, so no ACK precedes the ERROR */
	if (p1 != SPDM_KEY_UPDATE_VERIFY_NEW_KEY && (s->ks.req_prev_valid || s->ks.rsp_prev_valid))
		return doe_err(s->ctx, -EPROTO, "KEY_UPDATE before the last one was verified (VerifyNewKey)");
	/* test knob: a responder that says it updated and did not */
	if (s->opts.ignore_key_update && p1 != SPDM_KEY_UPDATE_VERIFY_NEW_KEY)
		return sess_seal(s, ack, 4, out, cap, out_len);
	switch (p1) {
	case SPDM_KEY_UPDATE_KEY:
		TRY(sess_seal(s, ack, 4, out, cap, out_len));
		return spdm_keys_update(s->ctx, &s->ks, true, false);
	case SPDM_KEY_UPDATE_ALL_KEYS:
		/* the ACK already goes with our new key */
		TRY(spdm_keys_update(s->ctx, &s->ks, false, true));
		TRY(sess_seal(s, ack, 4, out, cap, out_len));
		return spdm_keys_update(s->ctx, &s->ks, true, false);
	case SPDM_KEY_UPDATE_VERIFY_NEW_KEY:
		/* it opened with the new key: the old ones can go */
		spdm_keys_update_commit(&s->ks);
		return sess_seal(s, ack, 4, out, cap, out_len);
	}
	return doe_err(s->ctx, -EINVAL, "KEY_UPDATE: operation %u", p1);
}

void spdm_sess_set_vendor_handler(struct spdm_sess *s, spdm_vendor_fn fn, void *priv)
{
	s->vendor_fn = fn;
	s->vendor_priv = fn ? priv : NULL;
}

/* VENDOR_DEFINED_REQUEST to the registered handler; its answer sealed.
 * The plain request and answer are wiped: they may carry keys (IDE_KM). */
static int on_vendor(struct spdm_sess *s, const uint8_t *msg, size_t mlen, uint8_t *out,
		     size_t cap, size_t *out_len)
{
	uint8_t ans[4200];	/* an IDE_KM QUERY_RESP with IDEKM_REGS_MAX of registers */
	size_t alen = 0;
	int rc = s->vendor_fn(s->vendor_priv, msg, mlen, ans, sizeof(ans), &alen);

	if (!rc && (!alen || alen > sizeof(ans)))
		rc = doe_err(s->ctx, -EPROTO, "session: the vendor handler gave %s",
			     alen ? "more than its buffer holds" : "no answer");
	if (!rc)
		rc = sess_seal(s, ans, alen, out, cap, out_len);
	OPENSSL_cleanse(ans, sizeof(ans));
	return rc;
}

static uint8_t error_for(int rc)
{
	switch (rc) {
	case -EPROTO: return SPDM_ERR_UNEXPECTED_REQUEST;
	case -EOPNOTSUPP: return SPDM_ERR_UNSUPPORTED_REQUEST;
	case -EKEYREJECTED: return SPDM_ERR_DECRYPT_ERROR;
	case -EBADMSG: return SPDM_ERR_DECRYPT_ERROR;
	}
	return SPDM_ERR_INVALID_REQUEST;
}

int spdm_sess_rsp_handle(struct spdm_sess *s, const uint8_t *in, size_t in_len, bool in_secured,
			 uint8_t *out, size_t out_cap, size_t *out_len, bool *secured,
			 uint8_t *app, size_t app_cap, size_t *app_len)
{
	uint8_t buf[4200];	/* FINISH, or an encapsulated CERTIFICATE of up to 1 KiB */
	const uint8_t *msg = in;
	size_t mlen = in_len;
	struct spdm_hdr h;
	int rc;

	*out_len = 0;
	*secured = true;
	if (s->requester)
		return doe_err(s->ctx, -EINVAL, "session: not a responder");
	if (s->state == SPDM_SESS_FAILED || s->state == SPDM_SESS_ENDED)
		return refuse(s, doe_err(s->ctx, -ENOTCONN, "session: no longer usable"),
			      SPDM_ERR_UNEXPECTED_REQUEST, out, out_cap, out_len, secured);
	if (in_secured) {
		if (s->step == STEP_START)
			return refuse(s, doe_err(s->ctx, -EPROTO, "secured message before KEY_EXCHANGE"),
				      SPDM_ERR_UNEXPECTED_REQUEST, out, out_cap, out_len, secured);
		/* the data phase hands application messages straight to app */
		if (s->step == STEP_DATA) {
			rc = sess_open(s, in, in_len, app, app_cap, app_len);
			if (rc)
				return refuse(s, rc, SPDM_ERR_DECRYPT_ERROR, out, out_cap, out_len,
					      secured);
			msg = app;
			mlen = *app_len;
		} else {
			rc = sess_open(s, in, in_len, buf, sizeof(buf), &mlen);
			if (rc)
				return refuse(s, rc, SPDM_ERR_DECRYPT_ERROR, out, out_cap, out_len,
					      secured);
			msg = buf;
		}
	}
	if (spdm_parse_hdr(s->ctx, msg, mlen, &h))
		return refuse(s, -EBADMSG, SPDM_ERR_INVALID_REQUEST, out, out_cap, out_len, secured);
	switch (s->step) {
	case STEP_START:
		if (h.code == (s->psk ? SPDM_PSK_EXCHANGE : SPDM_KEY_EXCHANGE)) {
			rc = s->psk ? on_psk_exchange(s, msg, mlen, out, out_cap, out_len)
				    : on_key_exchange(s, msg, mlen, out, out_cap, out_len);
			if (rc)
				break;
			*secured = false;
			s->state = SPDM_SESS_HANDSHAKE;
			if (s->psk && !s->psk_finish)
				return sess_data_phase(s);
			s->step = s->mut_auth ? STEP_WAIT_ENCAP : STEP_WAIT_FINISH;
			s->encap_id = 0;	/* GET_DIGESTS implied: RequestID 0 */
			s->encap_want = SPDM_DIGESTS;
			return 0;
		}
		rc = doe_err(s->ctx, -EPROTO, "%s before %s", spdm_code_name(h.code),
			     s->psk ? "PSK_EXCHANGE" : "KEY_EXCHANGE");
		break;
	case STEP_WAIT_FINISH:
		/* FINISH in the clear only when both said HANDSHAKE_IN_THE_CLEAR;
		 * PSK_FINISH on a KEY_EXCHANGE session (or FINISH on a PSK one)
		 * is refused whatever its contents */
		if (h.code != (s->psk ? SPDM_PSK_FINISH : SPDM_FINISH) ||
		    in_secured == (!s->psk && s->in_the_clear)) {
			rc = doe_err(s->ctx, -EPROTO, "%s %s while waiting for %s",
				     spdm_code_name(h.code), in_secured ? "secured" : "in the clear",
				     s->psk ? "PSK_FINISH" : "FINISH");
			break;
		}
		rc = on_finish(s, msg, mlen, out, out_cap, out_len, secured);
		if (!rc)
			return 0;
		break;
	case STEP_WAIT_ENCAP:
		if (!in_secured) {
			rc = doe_err(s->ctx, -EPROTO, "%s in the clear during the encapsulated exchange",
				     spdm_code_name(h.code));
			break;
		}
		rc = on_encap(s, &h, msg, mlen, out, out_cap, out_len);
		if (!rc)
			return 0;
		break;
	case STEP_DATA:
		if (!in_secured) {
			rc = doe_err(s->ctx, -EPROTO, "%s in the clear inside a session",
				     spdm_code_name(h.code));
			break;
		}
		if (h.code == SPDM_HEARTBEAT || h.code == SPDM_KEY_UPDATE ||
		    h.code == SPDM_END_SESSION) {
			rc = on_session_request(s, &h, msg, mlen, out, out_cap, out_len);
			if (!rc)
				return 0;
			break;
		}
		if (h.code == SPDM_KEY_EXCHANGE || h.code == SPDM_PSK_EXCHANGE ||
		    h.code == SPDM_FINISH || h.code == SPDM_PSK_FINISH) {
			rc = doe_err(s->ctx, -EPROTO, "%s inside an established session",
				     spdm_code_name(h.code));
			break;
		}
		if (h.code == SPDM_VENDOR_DEFINED_REQUEST && s->vendor_fn) {
			rc = on_vendor(s, msg, mlen, out, out_cap, out_len);
			OPENSSL_cleanse(app, *app_len);	/* a KEY_PROG carries a key */
			*app_len = 0;
			if (!rc)
				return 0;
			*out_len = 0;	/* the handler chose not to answer */
			*secured = false;
			return sess_fail(s, rc);
		}
		return 1;	/* an application request, plain in app */
	default:
		rc = doe_err(s->ctx, -EINVAL, "session: no request expected");
		break;
	}
	return refuse(s, rc, error_for(rc), out, out_cap, out_len, secured);
}
