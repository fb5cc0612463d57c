// SPDX-License-Identifier: MIT
/*
 * The SPDM requester (DSP0274 1.0-1.3): a sans-I/O state machine.
 *
 *   GET_VERSION -> GET_CAPABILITIES -> NEGOTIATE_ALGORITHMS   (VCA)
 *   -> GET_DIGESTS -> GET_CERTIFICATE ... (offset/length loop)
 *   -> CHALLENGE -> GET_MEASUREMENTS -> done
 *
 * Each state accepts exactly its response code or ERROR. ERROR Busy
 * resends (bounded), ResponseNotReady is followed by RESPOND_IF_READY
 * (bounded, with the RDT as a wait hint), RequestResynch restarts at
 * GET_VERSION (bounded), anything else fails naming the code.
 */
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include <doekit/cursor.h>
#include <doekit/doe.h>
#include "msg.h"
#include "spdm_int.h"
#include <doekit/spdm_session.h>
#include "internal.h"

enum req_state {
	RS_START,
	RS_VERSION,
	RS_CAPS,
	RS_ALGS,
	RS_DIGESTS,
	RS_CERT,
	RS_CHALLENGE,
	RS_MEAS,
	RS_DONE,
	RS_FAILED,
};

struct spdm_req {
	struct doe_ctx *ctx;
	struct spdm_req_policy pol;
	enum req_state st;
	int final_rc;
	uint8_t ver;			/* SPDMVersion of our requests */
	struct spdm_result res;
	struct spdm_ts ts;
	uint8_t req[SPDM_MAX_REQUEST_SIZE];	/* the request of this state */
	size_t req_len;
	uint8_t sent[SPDM_MAX_REQUEST_SIZE];	/* what goes out (may be RESPOND_IF_READY) */
	size_t sent_len;
	unsigned busy, not_ready;
	uint64_t wait_us;
	uint8_t slot_digest[SPDM_MAX_HASH_SIZE];
	bool digest_is_chain_hash;	/* the chain read or cached hashes to slot_digest */
	uint32_t chain_total;
	size_t chain_got;
	uint8_t chal_hash_type;
	bool meas_want_sig;
	uint32_t offered_asym, offered_hash;	/* what NEGOTIATE_ALGORITHMS said */
	uint16_t offered_dhe, offered_aead;
	bool opaque_fmt1;		/* ALGORITHMS selected OpaqueDataFmt1 */
	bool multi_key_conn;		/* 1.3: the responder's keys are per connection */
	uint16_t msg_d_len;		/* 1.3 message D: the first DIGESTS after VCA */
	uint8_t msg_d[SPDM_MSG_D_MAX];
	uint8_t meas_idx;		/* SPDM_MEAS_EACH: next index, 0 = count first */
	bool meas_listing;		/* SPDM_MEAS_EACH: the unsigned "all" that lists them */
	uint8_t meas_left;		/* SPDM_MEAS_EACH: indices still to ask for */
	uint8_t meas_present[32];	/* SPDM_MEAS_EACH: bitmap of the indices listed */
	size_t meas_off;		/* bytes of record in meas_buf */
	bool digests_seen;		/* DIGESTS read since GET_VERSION: its SlotMask */
	uint64_t start_ns;		/* first spdm_req_next(): the deadline counts from here */
	uint64_t deadline_ns;		/* policy deadline, defaults applied */
	unsigned max_messages;		/* policy cap, default applied */
	EVP_PKEY *leaf;
	struct spdm_pkey_keep vfy;	/* the leaf's verify context, for every signature */
};

_Static_assert(sizeof(struct spdm_req) <= SPDM_REQUESTER_CTX_SIZE,
	       "SPDM_REQUESTER_CTX_SIZE too small");

void spdm_req_policy_init(struct spdm_req_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->versions = SPDM_VMASK_ALL;
	p->asym_algos = SPDM_ASYM_ALL;
	p->hash_algos = SPDM_HASH_ALL;
	p->summary_hash_type = SPDM_SUMMARY_ALL;
	p->meas_mode = SPDM_MEAS_ALL;
	p->meas_signed = true;
	p->busy_retries = 3;
	p->not_ready_retries = 10;
	p->resynch_limit = 2;
	p->ct_exponent = 20;	/* 2^20 us: about 1 s of crypto time */
	p->max_rsp_size = 4096;
	p->rsp_align = 1;
}

int spdm_req_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
		  const struct spdm_req_policy *pol, struct spdm_req **out)
{
	struct spdm_req *r = mem;

	if (!mem || !pol || !out)
		return doe_err(ctx, -EINVAL, "spdm_req_init: NULL argument");
	if (mem_len < sizeof(*r))
		return doe_err(ctx, -EINVAL, "spdm_req_init: %zu bytes, needs %zu", mem_len,
			       sizeof(*r));
	if ((uintptr_t)mem % _Alignof(struct spdm_req))
		return doe_err(ctx, -EINVAL, "spdm_req_init: memory not aligned");
	if (!(pol->versions & SPDM_VMASK_ALL) || !(pol->hash_algos & SPDM_HASH_ALL) ||
	    !(pol->asym_algos & SPDM_ASYM_ALL))
		return doe_err(ctx, -EINVAL, "SPDM policy: no version, hash or asymmetric algorithm allowed");
	if (pol->slot >= 8)
		return doe_err(ctx, -EINVAL, "SPDM policy: slot %u > 7", pol->slot);
	if (pol->meas_mode == SPDM_MEAS_INDEX && (!pol->meas_index || pol->meas_index == 0xFF))
		return doe_err(ctx, -EINVAL, "SPDM policy: measurement index %u", pol->meas_index);
	if (pol->max_rsp_size < 64)
		return doe_err(ctx, -EINVAL, "SPDM policy: max_rsp_size %u < 64", pol->max_rsp_size);
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->pol = *pol;
	if (!r->pol.rsp_align)
		r->pol.rsp_align = 1;
	r->deadline_ns = (uint64_t)(pol->deadline_ms ? pol->deadline_ms : SPDM_DEFAULT_DEADLINE_MS) *
			 1000000u;
	r->max_messages = pol->max_messages ? pol->max_messages : SPDM_DEFAULT_MAX_MESSAGES;
	spdm_ts_init(&r->ts);
	r->st = RS_START;
	*out = r;
	return 0;
}

void spdm_req_fini(struct spdm_req *r)
{
	if (!r)
		return;
	spdm_ts_free(&r->ts);
	spdm_pkey_keep_free(&r->vfy);
	EVP_PKEY_free(r->leaf);
	r->leaf = NULL;
	OPENSSL_cleanse(r->req, sizeof(r->req));
	OPENSSL_cleanse(r->sent, sizeof(r->sent));
}

const struct spdm_result *spdm_req_result(const struct spdm_req *r)
{
	return &r->res;
}

uint64_t spdm_req_wait_us(const struct spdm_req *r)
{
	return r->wait_us;
}

/* The policy's clock: the requester keeps no time of its own, so a test or
 * an event loop decides what "now" is (as doe_mb_step() takes now_ns). */
static uint64_t now(const struct spdm_req *r)
{
	return r->pol.now_ns ? r->pol.now_ns(r->pol.now_priv) : doe_now_ns();
}

static uint64_t elapsed_ns(const struct spdm_req *r)
{
	uint64_t t = now(r);

	return t > r->start_ns ? t - r->start_ns : 0;	/* a clock that went back: 0 */
}

/* "30 s", or "1500 ms" when the deadline is not whole seconds */
static void deadline_str(const struct spdm_req *r, char *buf, size_t len)
{
	uint64_t ms = r->deadline_ns / 1000000u;

	if (ms % 1000)
		snprintf(buf, len, "%llu ms", (unsigned long long)ms);
	else
		snprintf(buf, len, "%llu s", (unsigned long long)(ms / 1000));
}

static int check_deadline(struct spdm_req *r)
{
	char d[32];

	if (elapsed_ns(r) <= r->deadline_ns)
		return 0;
	deadline_str(r, d, sizeof(d));
	return doe_err(r->ctx, -ETIMEDOUT, "attestation deadline of %s exceeded after %u messages",
		       d, r->res.messages);
}

static struct spdm_neg neg(const struct spdm_req *r)
{
	struct spdm_neg n = {
		.version = r->ver,
		.hash_size = spdm_hash_size(r->res.hash_algo),
		.sig_size = spdm_sig_size(r->res.asym_algo),
		.align = r->pol.rsp_align,
	};
	return n;
}

/* Makes w's content the request of the new state and what is sent. */
static int commit(struct spdm_req *r, struct doe_wr *w, enum req_state next)
{
	if (!doe_wr_ok(w))
		return doe_err(r->ctx, -EMSGSIZE, "request does not fit %zu bytes", sizeof(r->req));
	r->req_len = doe_wr_len(w);
	memcpy(r->sent, r->req, r->req_len);
	r->sent_len = r->req_len;
	r->st = next;
	r->busy = r->not_ready = 0;
	r->wait_us = 0;
	return 1;
}

static int nonce(struct spdm_req *r, uint8_t *out)
{
	if (r->pol.nonce) {
		memcpy(out, r->pol.nonce, SPDM_NONCE_SIZE);
		return 0;
	}
	return spdm_random(r->ctx, out, SPDM_NONCE_SIZE);
}

static void req_context(const struct spdm_req *r, uint8_t *out)
{
	if (r->pol.req_context)
		memcpy(out, r->pol.req_context, SPDM_REQ_CONTEXT_SIZE);
	else
		memset(out, 0, SPDM_REQ_CONTEXT_SIZE);
}

static int send_get_version(struct spdm_req *r)
{
	struct doe_wr w;

	spdm_ts_reset(&r->ts);
	EVP_PKEY_free(r->leaf);
	r->leaf = NULL;
	r->ver = SPDM_V10;
	r->chain_got = 0;
	r->chain_total = 0;
	r->meas_idx = 0;
	r->meas_listing = false;
	r->meas_left = 0;
	memset(r->meas_present, 0, sizeof(r->meas_present));
	r->meas_off = 0;
	r->digests_seen = false;
	r->msg_d_len = 0;
	{	/* keep the counters across a resynch: the bounds are per attestation */
		unsigned b = r->res.busy_seen, n = r->res.not_ready_seen, s = r->res.resynch_seen;
		unsigned m = r->res.messages;

		memset(&r->res, 0, sizeof(r->res));
		r->res.busy_seen = b;
		r->res.not_ready_seen = n;
		r->res.resynch_seen = s;
		r->res.messages = m;
	}
	doe_wr_init(&w, r->req, sizeof(r->req));
	spdm_enc_get_version(&w);
	return commit(r, &w, RS_VERSION);
}

/* Request and response of this state into VCA. */
static int vca_add(struct spdm_req *r, const void *rsp, size_t len)
{
	TRY(spdm_ts_vca(r->ctx, &r->ts, r->req, r->req_len));
	return spdm_ts_vca(r->ctx, &r->ts, rsp, len);
}

static int on_version(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	struct spdm_version_rsp v;
	struct spdm_caps c = { 0 };
	struct doe_wr w;
	char offered[64] = "";
	unsigned i, best = 0;
	int mlen;

	TRY(mlen = spdm_parse_version(r->ctx, &n, in, len, &v));
	for (i = 0; i < v.count && i < SPDM_MAX_VERSION_ENTRIES; i++) {
		unsigned ver = v.entries[i] >> 8, l = strlen(offered);

		if (l + 6 < sizeof(offered))
			snprintf(offered + l, sizeof(offered) - l, " %u.%u", ver >> 4, ver & 0xF);
		if (ver >= SPDM_V10 && ver <= SPDM_V13 && (r->pol.versions & SPDM_VMASK(ver)) &&
		    ver > best)
			best = ver;
	}
	if (!best)
		return doe_err(r->ctx, -EPROTONOSUPPORT,
			       "VERSION: no common version (responder offers%s, policy allows mask 0x%x)",
			       offered, r->pol.versions);
	TRY(vca_add(r, in, (size_t)mlen));
	r->ver = (uint8_t)best;
	r->res.version = r->ver;

	c.ct_exponent = r->pol.ct_exponent;
	/* DSP0274 §10.4: requester flags exist from 1.1 on; the policy's are
	 * session capabilities (attestation alone needs none) */
	c.flags = r->ver >= SPDM_V11 ? r->pol.req_flags : 0;
	r->res.req_flags = c.flags;
	c.data_transfer_size = r->pol.max_rsp_size;
	c.max_msg_size = r->pol.max_rsp_size;
	doe_wr_init(&w, r->req, sizeof(r->req));
	spdm_enc_get_capabilities(&w, r->ver, &c);
	return commit(r, &w, RS_CAPS);
}

static bool want_sig_caps(const struct spdm_req *r)
{
	return !r->pol.skip_challenge || (r->pol.meas_mode != SPDM_MEAS_NONE && r->pol.meas_signed);
}

/* DSP0274 §10.5: sessions need DHE (KEY_EXCHANGE), AEAD and the SPDM key
 * schedule negotiated; DHE and the key schedule are offered only when both
 * sides can have a session of that kind. AEAD is offered whenever both have
 * ENCRYPT_CAP or MAC_CAP as well, session or not: libspdm's responder then
 * requires an AEAD selected and refuses NEGOTIATE_ALGORITHMS without one
 * (libspdm_rsp_algorithms.c; found against spdm_responder_emu with MAC_CAP
 * and KEY_EX_CAP, our requester asking PSK only). */
static void add_session_structs(struct spdm_req *r, uint32_t rsp_flags, struct spdm_algs *a)
{
	bool key_ex = r->res.req_flags & rsp_flags & SPDM_CAP_KEY_EX;
	/* PSK_CAP: two bits, different values per side; some on each is enough */
	bool psk = (r->res.req_flags & SPDM_CAP_PSK) && (rsp_flags & SPDM_CAP_PSK);
	bool aead = r->res.req_flags & rsp_flags & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC);

	r->offered_dhe = 0;
	r->offered_aead = 0;
	if (key_ex) {
		r->offered_dhe = r->pol.dhe_algos ? r->pol.dhe_algos : SPDM_DHE_ALL;
		a->structs[a->nstructs++] = (struct spdm_alg_struct){ SPDM_ALGTYPE_DHE, r->offered_dhe };
	}
	if (key_ex || psk || aead) {
		r->offered_aead = r->pol.aead_algos ? r->pol.aead_algos : SPDM_AEAD_ALL;
		a->structs[a->nstructs++] = (struct spdm_alg_struct){ SPDM_ALGTYPE_AEAD,
								       r->offered_aead };
	}
	/* mutual authentication: the algorithm of our own key (§10.5) */
	if (key_ex && (r->res.req_flags & SPDM_CAP_MUT_AUTH) && r->pol.req_asym_algo)
		a->structs[a->nstructs++] = (struct spdm_alg_struct){ SPDM_ALGTYPE_REQ_ASYM,
								       (uint16_t)r->pol.req_asym_algo };
	if (key_ex || psk)
		a->structs[a->nstructs++] = (struct spdm_alg_struct){ SPDM_ALGTYPE_KEY_SCHEDULE,
								       SPDM_KEY_SCHEDULE_SPDM };
}

/* The session algorithms ALGORITHMS selected: each one of ours. */
static int session_algs(struct spdm_req *r, const struct spdm_algs *a)
{
	for (unsigned i = 0; i < a->nstructs; i++) {
		uint16_t b = a->structs[i].bits;
		const char *what = NULL;

		switch (a->structs[i].type) {
		case SPDM_ALGTYPE_DHE:
			if (b & ~r->offered_dhe)
				what = "DHE";
			r->res.dhe = b;
			break;
		case SPDM_ALGTYPE_AEAD:
			if (b & ~r->offered_aead)
				what = "AEAD";
			r->res.aead = b;
			break;
		case SPDM_ALGTYPE_KEY_SCHEDULE:
			if (b & ~SPDM_KEY_SCHEDULE_SPDM)
				what = "KeySchedule";
			break;
		case SPDM_ALGTYPE_REQ_ASYM:
			if (b & ~r->pol.req_asym_algo)
				what = "ReqBaseAsymAlg";
			r->res.req_asym_algo = b;
			break;
		}
		if (what)
			return doe_err(r->ctx, -EPROTO, "ALGORITHMS: %s 0x%x not one we offered", what, b);
	}
	return 0;
}

static int on_caps(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	struct spdm_algs a = { 0 };
	struct spdm_caps c;
	struct doe_wr w;
	uint32_t f;
	int mlen;

	TRY(mlen = spdm_parse_capabilities(r->ctx, &n, in, len, &c));
	f = c.flags;
	r->res.rsp_flags = f;
	r->res.rsp_ct_exponent = c.ct_exponent;
	r->res.rsp_data_transfer_size = c.data_transfer_size;
	r->res.rsp_max_msg_size = c.max_msg_size;
	/* DSP0274 §10.4: MEAS_CAP 11b is reserved */
	if ((f & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG)) ==
	    (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG))
		return doe_err(r->ctx, -EBADMSG, "CAPABILITIES: Flags 0x%08x: MEAS_CAP is 11b (reserved)", f);
	if (!r->pol.skip_challenge && !(f & SPDM_CAP_CHAL))
		return doe_err(r->ctx, -EOPNOTSUPP, "CAPABILITIES: Flags 0x%08x: no CHAL_CAP, and the policy wants CHALLENGE", f);
	if (!r->pol.skip_challenge && !(f & SPDM_CAP_CERT))
		return doe_err(r->ctx, -EOPNOTSUPP, "CAPABILITIES: Flags 0x%08x: no CERT_CAP", f);
	if (r->pol.meas_mode != SPDM_MEAS_NONE) {
		if (!(f & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG)))
			return doe_err(r->ctx, -EOPNOTSUPP, "CAPABILITIES: Flags 0x%08x: no MEAS_CAP, and the policy wants measurements", f);
		if (r->pol.meas_signed && !(f & SPDM_CAP_MEAS_SIG))
			return doe_err(r->ctx, -EOPNOTSUPP, "CAPABILITIES: Flags 0x%08x: MEAS_CAP without signatures, policy wants them signed", f);
	}
	TRY(vca_add(r, in, (size_t)mlen));

	a.meas_spec = 0x01;	/* DMTF */
	a.other_params = 0x02;	/* 1.2+: OpaqueDataFmt1 */
	a.asym = r->pol.asym_algos & (r->ver >= SPDM_V12 ? SPDM_ASYM_ALL : SPDM_ASYM_ALL_10);
	if (!spdm_asym_supported(SPDM_ASYM_EDDSA_448))
		a.asym &= ~SPDM_ASYM_EDDSA_448;
	a.hash = r->pol.hash_algos & SPDM_HASH_ALL;
	if (!a.asym)
		return doe_err(r->ctx, -EINVAL, "SPDM policy: no asymmetric algorithm usable with SPDM %u.%u",
			       r->ver >> 4, r->ver & 0xF);
	r->offered_asym = a.asym;
	r->offered_hash = a.hash;
	if (r->ver >= SPDM_V11)
		add_session_structs(r, f, &a);
	doe_wr_init(&w, r->req, sizeof(r->req));
	spdm_enc_negotiate_algorithms(&w, r->ver, &a);
	return commit(r, &w, RS_ALGS);
}

static int send_get_digests(struct spdm_req *r)
{
	struct doe_wr w;

	doe_wr_init(&w, r->req, sizeof(r->req));
	spdm_enc_get_digests(&w, r->ver);
	return commit(r, &w, RS_DIGESTS);
}

static int send_challenge(struct spdm_req *r);
static int next_cert_request(struct spdm_req *r);
static int chain_done(struct spdm_req *r);
static int send_measurements(struct spdm_req *r);

static int after_cert(struct spdm_req *r)
{
	if (!r->pol.skip_challenge)
		return send_challenge(r);
	return send_measurements(r);
}

static int on_algs(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	struct spdm_algs a;
	uint32_t f = r->res.rsp_flags;
	int mlen;

	TRY(mlen = spdm_parse_algorithms(r->ctx, &n, in, len, &a));
	if (a.hash & ~r->offered_hash || !a.hash)
		return doe_err(r->ctx, -EPROTO, "ALGORITHMS: BaseHashSel 0x%x not one we offered (0x%x)",
			       a.hash, r->offered_hash);
	if (a.asym & ~r->offered_asym || (!a.asym && want_sig_caps(r)))
		return doe_err(r->ctx, -EPROTO, "ALGORITHMS: BaseAsymSel 0x%x not one we offered (0x%x)",
			       a.asym, r->offered_asym);
	if (r->ver < SPDM_V12 && (a.asym & ~SPDM_ASYM_ALL_10))
		return doe_err(r->ctx, -EPROTO, "ALGORITHMS: BaseAsymSel %s in SPDM %u.%u",
			       spdm_asym_name(a.asym), r->ver >> 4, r->ver & 0xF);
	if (f & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG)) {
		if (a.meas_spec != 0x01)
			return doe_err(r->ctx, -EPROTO, "ALGORITHMS: MeasurementSpecificationSel 0x%02x, expected DMTF (0x01)",
				       a.meas_spec);
		if (!a.meas_hash || a.meas_hash > (SPDM_HASH_ALL << 1 | 1))
			return doe_err(r->ctx, -EPROTO, "ALGORITHMS: MeasurementHashAlgo 0x%x", a.meas_hash);
	}
	TRY(session_algs(r, &a));
	r->opaque_fmt1 = r->ver >= SPDM_V12 && (a.other_params & 0x03) == 0x02;
	/* DSP0274 1.3 §10.4/§10.5: MULTI_KEY_CAP 01b means only multi-key
	 * connections; 10b leaves it to the MULTI_KEY_CONN selection bit */
	r->multi_key_conn = r->ver >= SPDM_V13 &&
			    (((r->res.rsp_flags & SPDM_CAP_MULTI_KEY) >> SPDM_CAP_MULTI_KEY_SHIFT) == 1 ||
			     (a.other_params & SPDM_OTHER_MULTI_KEY_CONN));
	TRY(vca_add(r, in, (size_t)mlen));
	r->res.asym_algo = a.asym;
	r->res.hash_algo = a.hash;
	r->res.meas_hash_algo = a.meas_hash;
	r->res.meas_spec = a.meas_spec;
	if (a.hash)
		TRY(spdm_ts_start(r->ctx, &r->ts, r->ver, a.hash));
	/* the chain is read for CHALLENGE, or when it can be checked anyway */
	if (!r->pol.skip_challenge || ((f & SPDM_CAP_CERT) && r->pol.chain_buf && a.asym))
		return send_get_digests(r);
	return send_measurements(r);
}

static int on_digests(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	struct spdm_digests d;
	unsigned idx;
	int mlen;

	TRY(mlen = spdm_parse_digests(r->ctx, &n, in, len, &d));
	/* DSP0274 1.3: with MULTI_KEY_CONN the first DIGESTS after VCA (message
	 * D) joins every session's transcript; GET_DIGESTS follows ALGORITHMS
	 * directly here, so this is it */
	if (!r->digests_seen && (size_t)mlen <= sizeof(r->msg_d)) {
		memcpy(r->msg_d, in, (size_t)mlen);
		r->msg_d_len = (uint16_t)mlen;
	}
	r->res.slot_mask = d.slot_mask;
	r->digests_seen = true;
	if (!(d.slot_mask & (1u << r->pol.slot)))
		return doe_err(r->ctx, -ENOENT, "DIGESTS: slot %u has no certificate chain (SlotMask 0x%02x)",
			       r->pol.slot, d.slot_mask);
	idx = (unsigned)__builtin_popcount(d.slot_mask & ((1u << r->pol.slot) - 1));
	memcpy(r->slot_digest, d.digests + idx * n.hash_size, n.hash_size);
	TRY(spdm_ts_m_restart(r->ctx, &r->ts));	/* GET_DIGESTS starts B afresh */
	TRY(spdm_ts_m(r->ctx, &r->ts, r->req, r->req_len));
	TRY(spdm_ts_m(r->ctx, &r->ts, in, (size_t)mlen));
	if (!r->pol.chain_buf || !r->pol.chain_cap)
		return doe_err(r->ctx, -EINVAL, "SPDM policy: no chain_buf for the certificate chain");
	r->chain_got = 0;
	r->chain_total = 0;
	r->res.chain_cached = false;
	r->digest_is_chain_hash = false;
	/* a chain verified before under this digest and these anchors: no
	 * GET_CERTIFICATE (DSP0274 allows it; M1 then holds no CERTIFICATE,
	 * as the responder's does), straight to CHALLENGE with its key */
	if (r->pol.chain_cache) {
		EVP_PKEY *leaf = NULL;
		size_t clen = 0;

		if (spdm_cache_lookup(r->pol.chain_cache, r->res.hash_algo, r->res.asym_algo,
				      r->slot_digest, r->pol.trust, r->pol.chain_buf,
				      r->pol.chain_cap, &clen, &r->res.chain_info, &leaf) == 1) {
			EVP_PKEY_free(r->leaf);
			r->leaf = leaf;
			r->chain_got = clen;
			r->res.chain = r->pol.chain_buf;
			r->res.chain_len = clen;
			r->res.chain_verified = true;
			r->res.chain_cached = true;
			/* cached under this digest after chain_done() checked it */
			r->digest_is_chain_hash = true;
			return after_cert(r);
		}
	}
	/* a chain held already (saved evidence): verified now, as if read */
	if (r->pol.known_chain && r->pol.known_chain_len <= r->pol.chain_cap) {
		uint8_t h[SPDM_MAX_HASH_SIZE];

		TRY(spdm_hash_all(r->ctx, r->res.hash_algo, r->pol.known_chain,
				  r->pol.known_chain_len, h));
		if (!CRYPTO_memcmp(h, r->slot_digest, n.hash_size)) {
			memmove(r->pol.chain_buf, r->pol.known_chain, r->pol.known_chain_len);
			r->chain_got = r->pol.known_chain_len;
			r->res.chain_cached = true;
			return chain_done(r);
		}
	}
	return next_cert_request(r);
}

static int next_cert_request(struct spdm_req *r)
{
	struct spdm_get_cert g = { .slot = r->pol.slot, .offset = (uint16_t)r->chain_got };
	size_t max = r->pol.max_rsp_size, left = r->chain_total - r->chain_got;
	struct doe_wr w;

	if (r->res.rsp_data_transfer_size && r->res.rsp_data_transfer_size < max)
		max = r->res.rsp_data_transfer_size;
	max -= 8;	/* CERTIFICATE header */
	if (max > 0xFFFF)
		max = 0xFFFF;
	/* the first request asks for as much as fits: the total is unknown */
	g.length = (uint16_t)(r->chain_total && left < max ? left : max);
	doe_wr_init(&w, r->req, sizeof(r->req));
	spdm_enc_get_certificate(&w, r->ver, &g);
	return commit(r, &w, RS_CERT);
}

static int chain_done(struct spdm_req *r)
{
	const uint8_t *chain = r->pol.chain_buf;
	uint8_t h[SPDM_MAX_HASH_SIZE];
	size_t hs = spdm_hash_size(r->res.hash_algo);

	r->res.chain = chain;
	r->res.chain_len = r->chain_got;
	/* DSP0274 §10.6: the slot's digest is the hash of the whole chain */
	TRY(spdm_hash_all(r->ctx, r->res.hash_algo, chain, r->chain_got, h));
	if (CRYPTO_memcmp(h, r->slot_digest, hs))
		return doe_err(r->ctx, -EKEYREJECTED,
			       "CERTIFICATE: chain of slot %u does not hash to its DIGESTS entry",
			       r->pol.slot);
	r->digest_is_chain_hash = true;
	EVP_PKEY_free(r->leaf);	/* a resynch may bring us here twice */
	r->leaf = NULL;
	TRY(spdm_chain_check_cached(r->ctx, chain, r->chain_got, r->res.hash_algo,
				    r->res.asym_algo, r->pol.trust, r->pol.chain_cache,
				    &r->res.chain_info, &r->leaf));
	r->res.chain_verified = true;
	if (r->pol.chain_cache)
		spdm_cache_insert(r->pol.chain_cache, r->res.hash_algo, r->res.asym_algo,
				  r->slot_digest, r->pol.trust, chain, r->chain_got,
				  &r->res.chain_info, r->leaf);
	return after_cert(r);
}

static int on_cert(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	struct spdm_cert_rsp c;
	uint8_t *chain = r->pol.chain_buf;
	uint16_t asked;
	size_t total;
	int mlen;

	TRY(mlen = spdm_parse_certificate(r->ctx, &n, in, len, &c));
	asked = (uint16_t)(r->req[6] | r->req[7] << 8);
	if (c.slot != r->pol.slot)
		return doe_err(r->ctx, -EPROTO, "CERTIFICATE: SlotID %u, asked for %u", c.slot, r->pol.slot);
	if (c.portion_len > asked)
		return doe_err(r->ctx, -EBADMSG, "CERTIFICATE: PortionLength %u > Length %u asked for",
			       c.portion_len, asked);
	if (!c.portion_len && c.remainder_len)
		return doe_err(r->ctx, -EBADMSG, "CERTIFICATE: PortionLength 0 with RemainderLength %u",
			       c.remainder_len);
	total = r->chain_got + c.portion_len + c.remainder_len;
	if (r->chain_got && total != r->chain_total)
		return doe_err(r->ctx, -EBADMSG,
			       "CERTIFICATE: offset %zu + PortionLength %u + RemainderLength %u = %zu, earlier responses said %u",
			       r->chain_got, c.portion_len, c.remainder_len, total, r->chain_total);
	if (total > SPDM_MAX_CHAIN_SIZE)
		return doe_err(r->ctx, -EBADMSG, "CERTIFICATE: chain of %zu bytes > 65535", total);
	if (total > r->pol.chain_cap)
		return doe_err(r->ctx, -ENOSPC, "CERTIFICATE: chain of %zu bytes does not fit the %zu-byte chain buffer",
			       total, r->pol.chain_cap);
	r->chain_total = (uint32_t)total;
	memcpy(chain + r->chain_got, c.portion, c.portion_len);
	r->chain_got += c.portion_len;
	TRY(spdm_ts_m(r->ctx, &r->ts, r->req, r->req_len));
	TRY(spdm_ts_m(r->ctx, &r->ts, in, (size_t)mlen));
	if (c.remainder_len)
		return next_cert_request(r);
	return chain_done(r);
}

static int send_challenge(struct spdm_req *r)
{
	struct spdm_challenge c = { .slot = r->pol.slot, .hash_type = r->pol.summary_hash_type };
	struct doe_wr w;

	/* no MEAS_CAP: the summary hash is not available (DSP0274 §10.8) */
	if (!(r->res.rsp_flags & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG)))
		c.hash_type = SPDM_SUMMARY_NONE;
	r->chal_hash_type = c.hash_type;
	TRY(nonce(r, c.nonce));
	req_context(r, c.context);
	doe_wr_init(&w, r->req, sizeof(r->req));
	spdm_enc_challenge(&w, r->ver, &c);
	return commit(r, &w, RS_CHALLENGE);
}

static int on_challenge_auth(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	struct spdm_challenge_auth a;
	uint8_t h[SPDM_MAX_HASH_SIZE], th[SPDM_MAX_HASH_SIZE];
	int rc;

	TRY(spdm_parse_challenge_auth(r->ctx, &n, r->chal_hash_type, in, len, &a));
	if (a.slot != r->pol.slot)
		return doe_err(r->ctx, -EPROTO, "CHALLENGE_AUTH: SlotID %u, challenged slot %u", a.slot,
			       r->pol.slot);
	/* DSP0274 1.2 §10.8 (CHALLENGE_AUTH Param2): SlotMask has bit K set iff
	 * slot K holds a certificate chain, which is what DIGESTS reported in
	 * its Param2 (1.3: ProvisionedSlotMask, the same meaning). Nothing in
	 * between can provision a slot, so the two must agree. CHALLENGE
	 * without GET_DIGESTS since GET_VERSION (not a path this requester
	 * takes today, but allowed by §10.8) leaves only the challenged bit. */
	if (!(a.slot_mask & (1u << r->pol.slot)))
		return doe_err(r->ctx, -EPROTO, "CHALLENGE_AUTH: SlotMask 0x%02x lacks slot %u",
			       a.slot_mask, r->pol.slot);
	if (r->digests_seen && a.slot_mask != r->res.slot_mask)
		return doe_err(r->ctx, -EPROTO,
			       "CHALLENGE_AUTH: SlotMask 0x%02x, but DIGESTS reported 0x%02x",
			       a.slot_mask, r->res.slot_mask);
	/* the chain's hash is its DIGESTS entry, checked when it was read (or
	 * cached): hashing it again would give the same bytes */
	if (r->digest_is_chain_hash)
		memcpy(h, r->slot_digest, n.hash_size);
	else
		TRY(spdm_hash_all(r->ctx, r->res.hash_algo, r->res.chain, r->res.chain_len, h));
	if (CRYPTO_memcmp(h, a.chain_hash, n.hash_size))
		return doe_err(r->ctx, -EKEYREJECTED,
			       "CHALLENGE_AUTH: CertChainHash is not the hash of the chain we read");
	if (a.context && CRYPTO_memcmp(a.context, r->req + 4 + SPDM_NONCE_SIZE, SPDM_REQ_CONTEXT_SIZE))
		return doe_err(r->ctx, -EPROTO, "CHALLENGE_AUTH: RequesterContext differs from the CHALLENGE");
	if (a.summary_hash) {
		memcpy(r->res.summary_hash, a.summary_hash, n.hash_size);
		r->res.summary_hash_len = n.hash_size;
	}
	/* M2 = VCA || B || CHALLENGE || CHALLENGE_AUTH up to the signature */
	TRY(spdm_ts_m(r->ctx, &r->ts, r->req, r->req_len));
	TRY(spdm_ts_m(r->ctx, &r->ts, in, a.signed_len));
	TRY(spdm_ts_m_final(r->ctx, &r->ts, th));
	rc = spdm_verify_th_keep(r->ctx, &r->vfy, r->leaf, r->ver, r->res.asym_algo,
				 r->res.hash_algo, SPDM_CHALLENGE_AUTH, th, a.sig, n.sig_size);
	if (rc)
		return rc;
	r->res.challenge_verified = true;
	return send_measurements(r);
}

static int send_measurements(struct spdm_req *r)
{
	struct spdm_get_meas g = { 0 };
	struct doe_wr w;
	bool last = true;

	switch (r->pol.meas_mode) {
	case SPDM_MEAS_NONE:
		r->st = RS_DONE;
		return 0;
	case SPDM_MEAS_ALL:
		g.operation = SPDM_MEAS_OP_ALL;
		break;
	case SPDM_MEAS_INDEX:
		g.operation = r->pol.meas_index;
		break;
	case SPDM_MEAS_COUNT:
		g.operation = SPDM_MEAS_OP_COUNT;
		break;
	case SPDM_MEAS_EACH:
		/* the count, then all (unsigned) for the indices, which need not
		 * be 1..count (DSP0274 reserves 0xFD and 0xFE), then each of them;
		 * only the last may be signed. No index is asked for that does
		 * not exist: an ERROR would end the L1/L2 window. */
		g.operation = r->meas_listing ? SPDM_MEAS_OP_ALL : r->meas_idx;
		last = !r->meas_listing && r->meas_idx && r->meas_left == 1;
		break;
	}
	r->meas_want_sig = r->pol.meas_signed && last;
	if (r->meas_want_sig) {
		if (!r->leaf)
			return doe_err(r->ctx, -EINVAL,
				       "SPDM policy: signed measurements need the certificate chain");
		g.attributes |= SPDM_MEAS_ATTR_SIGN;
		TRY(nonce(r, g.nonce));
		g.slot = r->pol.slot;
	}
	if (r->pol.meas_raw)
		g.attributes |= SPDM_MEAS_ATTR_RAW;
	req_context(r, g.context);
	doe_wr_init(&w, r->req, sizeof(r->req));
	spdm_enc_get_measurements(&w, r->ver, &g);
	return commit(r, &w, RS_MEAS);
}

/* Summary hash of CHALLENGE_AUTH (HashType all) against the blocks read. */
static int check_summary(struct spdm_req *r)
{
	uint8_t h[SPDM_MAX_HASH_SIZE];

	if (r->chal_hash_type != SPDM_SUMMARY_ALL || !r->res.summary_hash_len || r->pol.meas_raw ||
	    (r->pol.meas_mode != SPDM_MEAS_ALL && r->pol.meas_mode != SPDM_MEAS_EACH))
		return 0;
	/* libspdm: hash of the concatenated measurement blocks */
	TRY(spdm_hash_all(r->ctx, r->res.hash_algo, r->res.meas_record, r->res.meas_record_len, h));
	if (CRYPTO_memcmp(h, r->res.summary_hash, r->res.summary_hash_len))
		return doe_err(r->ctx, -EKEYREJECTED,
			       "CHALLENGE_AUTH: MeasurementSummaryHash does not match the MEASUREMENTS record");
	r->res.summary_hash_checked = true;
	return 0;
}

/* NumberOfBlocks and the blocks against the operation asked for. */
static int check_blocks(struct spdm_req *r, uint8_t op, const struct spdm_meas_rsp *m)
{
	struct spdm_meas_block b;
	size_t off = 0;
	unsigned count = 0;
	int rc;

	if (op == SPDM_MEAS_OP_COUNT) {
		if (m->nblocks || m->record_len)
			return doe_err(r->ctx, -EBADMSG,
				       "MEASUREMENTS: NumberOfBlocks %u / MeasurementRecordLength %u for a count request",
				       m->nblocks, m->record_len);
		return 0;
	}
	if (op == SPDM_MEAS_OP_ALL ? !m->nblocks : m->nblocks != 1)
		return doe_err(r->ctx, -EBADMSG, "MEASUREMENTS: NumberOfBlocks %u for %s", m->nblocks,
			       op == SPDM_MEAS_OP_ALL ? "all measurements" : "one index");
	while ((rc = spdm_meas_next(r->ctx, m->record, m->record_len, &off, &b)) > 0) {
		count++;
		if (op != SPDM_MEAS_OP_ALL && b.index != op)
			return doe_err(r->ctx, -EBADMSG, "MEASUREMENTS: block index %u, asked for %u",
				       b.index, op);
	}
	if (rc < 0) {
		doe_err_prefix(r->ctx, "MEASUREMENTS");
		return rc;
	}
	if (count != m->nblocks)
		return doe_err(r->ctx, -EBADMSG, "MEASUREMENTS: NumberOfBlocks %u, record holds %u",
			       m->nblocks, count);
	return 0;
}

/*
 * SPDM_MEAS_EACH, after a signed MEASUREMENTS that reports "content
 * changed" (DSP0274 1.2 §10.11, Param2 bits 5:4 = 01b): the blocks read one
 * by one may come from before and after the change, a state the device was
 * never in. Start the sequence over rather than fail: the signed response
 * closed L1/L2 on both sides, so the new sequence is signed on its own with
 * nothing stale in it, and a change (a firmware activation) is usually a
 * one-off. Bounded, so a responder that always says "changed" ends too.
 */
static int restart_meas_each(struct spdm_req *r)
{
	if (r->res.meas_restarts >= SPDM_MEAS_MAX_RESTARTS)
		return doe_err(r->ctx, -ESTALE,
			       "MEASUREMENTS: content changed during the one-by-one sequence, still after %u restarts",
			       SPDM_MEAS_MAX_RESTARTS);
	r->res.meas_restarts++;
	r->meas_idx = 0;
	r->meas_listing = false;
	r->meas_left = 0;
	memset(r->meas_present, 0, sizeof(r->meas_present));
	r->meas_off = 0;
	r->res.meas_total = 0;
	r->res.meas_blocks = 0;
	r->res.meas_record_len = 0;
	r->res.meas_signed = false;
	r->res.meas_verified = false;
	return send_measurements(r);
}

/* SPDM_MEAS_EACH: ask for the next index the "all" response listed. */
static int next_meas_index(struct spdm_req *r)
{
	unsigned i = r->meas_idx;

	while (++i < SPDM_MEAS_OP_ALL && !(r->meas_present[i / 8] & (1u << (i % 8))))
		;
	r->meas_idx = (uint8_t)i;
	return send_measurements(r);
}

static int on_measurements(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	struct spdm_meas_rsp m;
	uint8_t th[SPDM_MAX_HASH_SIZE], op = r->req[3], changed;
	int rc, mlen;

	TRY(mlen = spdm_parse_measurements(r->ctx, &n, r->meas_want_sig, in, len, &m));
	TRY(check_blocks(r, op, &m));
	changed = m.param2 & SPDM_MEAS_CONTENT_MASK;
	/* DSP0274 1.2 §10.11: content changed is reported in a signed response
	 * and reserved otherwise (libspdm rejects it there too); 11b is reserved */
	if (n.version >= SPDM_V12 && changed && !r->meas_want_sig)
		return doe_err(r->ctx, -EBADMSG,
			       "MEASUREMENTS: Param2 0x%02x: content changed bits in an unsigned response",
			       m.param2);
	if (n.version >= SPDM_V12 && changed == SPDM_MEAS_CONTENT_MASK)
		return doe_err(r->ctx, -EBADMSG,
			       "MEASUREMENTS: Param2 0x%02x: content changed 11b is reserved", m.param2);
	if (r->meas_want_sig && n.version >= SPDM_V11 && (m.param2 & 0xF) != r->pol.slot)
		return doe_err(r->ctx, -EPROTO, "MEASUREMENTS: Param2 SlotID %u, asked for %u",
			       m.param2 & 0xF, r->pol.slot);
	if (m.context && CRYPTO_memcmp(m.context, r->req + r->req_len - SPDM_REQ_CONTEXT_SIZE,
				       SPDM_REQ_CONTEXT_SIZE))
		return doe_err(r->ctx, -EPROTO, "MEASUREMENTS: RequesterContext differs from the request");
	if (r->meas_listing) {	/* SPDM_MEAS_EACH: which indices there are */
		struct spdm_meas_block b;
		size_t off = 0;

		if (m.nblocks != r->res.meas_total)
			return doe_err(r->ctx, -EBADMSG,
				       "MEASUREMENTS: %u blocks for all, but TotalNumberOfMeasurementIndices %u",
				       m.nblocks, r->res.meas_total);
		while (spdm_meas_next(r->ctx, m.record, m.record_len, &off, &b) > 0) {
			if (r->meas_present[b.index / 8] & (1u << (b.index % 8)))
				return doe_err(r->ctx, -EBADMSG, "MEASUREMENTS: index %u twice",
					       b.index);
			r->meas_present[b.index / 8] |= (uint8_t)(1u << (b.index % 8));
		}
		TRY(spdm_ts_l(r->ctx, &r->ts, r->req, r->req_len));
		TRY(spdm_ts_l(r->ctx, &r->ts, in, (size_t)mlen));
		r->meas_listing = false;
		r->meas_left = m.nblocks;
		r->meas_idx = 0;
		return next_meas_index(r);
	}
	if (m.record_len) {
		if (!r->pol.meas_buf || m.record_len > r->pol.meas_cap - r->meas_off)
			return doe_err(r->ctx, -ENOSPC,
				       "MEASUREMENTS: record of %u bytes does not fit the %zu-byte measurement buffer (%zu used)",
				       m.record_len, r->pol.meas_buf ? r->pol.meas_cap : 0, r->meas_off);
		memcpy((uint8_t *)r->pol.meas_buf + r->meas_off, m.record, m.record_len);
		r->meas_off += m.record_len;
	}
	if (op == SPDM_MEAS_OP_COUNT) {
		/* SPDM_MEAS_EACH asks each index; 0xFF would mean "all" */
		if (r->pol.meas_mode == SPDM_MEAS_EACH && m.total > 0xFE)
			return doe_err(r->ctx, -EBADMSG,
				       "MEASUREMENTS: TotalNumberOfMeasurementIndices %u > 254", m.total);
		r->res.meas_total = m.total;
	}
	r->res.meas_blocks = (uint8_t)(r->res.meas_blocks + m.nblocks);
	r->res.meas_record = r->pol.meas_buf;
	r->res.meas_record_len = r->meas_off;
	/* L1/L2 takes every GET_MEASUREMENTS/MEASUREMENTS pair since the last
	 * signed one; the signed response without its signature */
	TRY(spdm_ts_l(r->ctx, &r->ts, r->req, r->req_len));
	TRY(spdm_ts_l(r->ctx, &r->ts, in, r->meas_want_sig ? m.signed_len : (size_t)mlen));
	if (r->meas_want_sig) {
		r->res.meas_signed = true;
		TRY(spdm_ts_l_final(r->ctx, &r->ts, th));
		rc = spdm_verify_th_keep(r->ctx, &r->vfy, r->leaf, r->ver, r->res.asym_algo,
					 r->res.hash_algo, SPDM_MEASUREMENTS, th, m.sig, n.sig_size);
		if (rc)
			return rc;
		r->res.meas_verified = true;
		if (n.version >= SPDM_V12)
			r->res.meas_content_changed = changed;
		if (r->pol.meas_mode == SPDM_MEAS_EACH && changed == SPDM_MEAS_CONTENT_CHANGED)
			return restart_meas_each(r);
	}
	if (r->pol.meas_mode == SPDM_MEAS_EACH && op == SPDM_MEAS_OP_COUNT && r->res.meas_total) {
		r->meas_listing = true;
		return send_measurements(r);
	}
	if (r->pol.meas_mode == SPDM_MEAS_EACH && op != SPDM_MEAS_OP_COUNT && --r->meas_left)
		return next_meas_index(r);
	TRY(check_summary(r));
	r->st = RS_DONE;
	return 0;
}

static uint8_t expected_code(enum req_state st)
{
	switch (st) {
	case RS_VERSION: return SPDM_VERSION;
	case RS_CAPS: return SPDM_CAPABILITIES;
	case RS_ALGS: return SPDM_ALGORITHMS;
	case RS_DIGESTS: return SPDM_DIGESTS;
	case RS_CERT: return SPDM_CERTIFICATE;
	case RS_CHALLENGE: return SPDM_CHALLENGE_AUTH;
	case RS_MEAS: return SPDM_MEASUREMENTS;
	default: return 0;
	}
}

static int on_error(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_neg n = neg(r);
	const char *reqname = spdm_code_name(r->req[1]);
	struct spdm_error e;
	struct doe_wr w;

	if (r->st == RS_VERSION)
		n.version = SPDM_V10;
	TRY(spdm_parse_error(r->ctx, &n, in, len, &e));
	switch (e.code) {
	case SPDM_ERR_BUSY:
		r->res.busy_seen++;
		if (r->busy++ >= r->pol.busy_retries)
			return doe_err(r->ctx, -EBUSY, "%s: ERROR Busy, still after %u retries", reqname,
				       r->pol.busy_retries);
		r->wait_us = 0;
		return 1;	/* resend what we sent */
	case SPDM_ERR_RESPONSE_NOT_READY:
		r->res.not_ready_seen++;
		/* DSP0274 §10.12: RequestCode names the request being worked on */
		if (e.req_code != r->req[1])
			return doe_err(r->ctx, -EPROTO,
				       "ERROR ResponseNotReady: RequestCode 0x%02x, but we sent %s",
				       e.req_code, reqname);
		if (r->not_ready++ >= r->pol.not_ready_retries)
			return doe_err(r->ctx, -ETIMEDOUT,
				       "%s: ERROR ResponseNotReady, still after %u RESPOND_IF_READY",
				       reqname, r->pol.not_ready_retries);
		doe_wr_init(&w, r->sent, sizeof(r->sent));
		spdm_enc_respond_if_ready(&w, r->ver, e.req_code, e.token);
		r->sent_len = doe_wr_len(&w);
		/* RDT = 2^RDTExponent us; the caller waits before sending */
		r->wait_us = (uint64_t)1 << (e.rdt_exponent > 40 ? 40 : e.rdt_exponent);
		return 1;
	case SPDM_ERR_REQUEST_RESYNCH:
		if (r->res.resynch_seen++ >= r->pol.resynch_limit)
			return doe_err(r->ctx, -EPROTO, "%s: ERROR RequestResynch, still after %u restarts",
				       reqname, r->pol.resynch_limit);
		return send_get_version(r);
	default:
		return doe_err(r->ctx, e.code == SPDM_ERR_VERSION_MISMATCH ? -EPROTONOSUPPORT : -EPROTO,
			       "%s: ERROR %s (0x%02x, data 0x%02x)", reqname, spdm_error_name(e.code),
			       e.code, e.data);
	}
}

static int step(struct spdm_req *r, const uint8_t *in, size_t len)
{
	struct spdm_hdr h;
	uint8_t want = expected_code(r->st);

	if (spdm_parse_hdr(r->ctx, in, len, &h) < 0) {
		doe_err_prefix(r->ctx, "response to %s", spdm_code_name(r->req[1]));
		return -EBADMSG;
	}
	if (h.code == SPDM_ERROR)
		return on_error(r, in, len);
	if (h.code != want)
		return doe_err(r->ctx, -EPROTO, "%s: response code 0x%02x (%s), expected %s",
			       spdm_code_name(r->req[1]), h.code, spdm_code_name(h.code),
			       spdm_code_name(want));
	switch (r->st) {
	case RS_VERSION: return on_version(r, in, len);
	case RS_CAPS: return on_caps(r, in, len);
	case RS_ALGS: return on_algs(r, in, len);
	case RS_DIGESTS: return on_digests(r, in, len);
	case RS_CERT: return on_cert(r, in, len);
	case RS_CHALLENGE: return on_challenge_auth(r, in, len);
	case RS_MEAS: return on_measurements(r, in, len);
	default: return doe_err(r->ctx, -EPROTO, "requester in no state to take a response");
	}
}

int spdm_req_next(struct spdm_req *r, const void *in, size_t in_len, void *out, size_t out_cap,
		  size_t *out_len)
{
	int rc;

	if (!r || !out_len)
		return -EINVAL;
	*out_len = 0;
	switch (r->st) {
	case RS_DONE:
		return 0;
	case RS_FAILED:
		return r->final_rc;
	case RS_START:
		r->start_ns = now(r);
		rc = send_get_version(r);
		break;
	default:
		if (!in)
			return doe_err(r->ctx, -EINVAL, "spdm_req_next: no response to %s",
				       spdm_code_name(r->req[1]));
		/* a response after the deadline is not looked at: the work a
		 * responder can cause is bounded in time as well as in count */
		rc = check_deadline(r);
		if (rc == 0)
			rc = step(r, in, in_len);
		break;
	}
	if (rc < 0) {
		r->st = RS_FAILED;
		r->final_rc = rc;
		return rc;
	}
	if (rc == 0) {
		r->st = RS_DONE;
		return 0;
	}
	if (r->res.messages >= r->max_messages) {
		r->st = RS_FAILED;
		r->final_rc = doe_err(r->ctx, -E2BIG, "attestation exceeded %u messages (next: %s)",
				      r->max_messages, spdm_code_name(r->sent[1]));
		return r->final_rc;
	}
	if (r->sent_len > out_cap) {
		r->st = RS_FAILED;
		r->final_rc = doe_err(r->ctx, -EMSGSIZE, "%s: request of %zu bytes > out_cap %zu",
				      spdm_code_name(r->sent[1]), r->sent_len, out_cap);
		return r->final_rc;
	}
	memcpy(out, r->sent, r->sent_len);
	*out_len = r->sent_len;
	r->res.messages++;
	return 1;
}

int spdm_req_run(struct spdm_req *r, const struct spdm_transport_ops *ops, void *priv,
		 void *rsp_buf, size_t rsp_cap, uint64_t max_wait_us)
{
	uint8_t out[SPDM_MAX_REQUEST_SIZE];
	const void *in = NULL;
	size_t in_len = 0, out_len;
	int rc;

	if (!r || !ops || !ops->exchange || !rsp_buf)
		return -EINVAL;
	if (rsp_cap < r->pol.max_rsp_size)
		return doe_err(r->ctx, -EINVAL,
			       "spdm_req_run: response buffer of %zu bytes < policy max_rsp_size %u",
			       rsp_cap, r->pol.max_rsp_size);
	if (ops->align > r->pol.rsp_align)
		r->pol.rsp_align = ops->align;
	for (;;) {
		uint64_t w;

		rc = spdm_req_next(r, in, in_len, out, sizeof(out), &out_len);
		if (rc <= 0)
			return rc;
		w = spdm_req_wait_us(r);
		if (w > max_wait_us)
			w = max_wait_us;
		if (w) {	/* sleeping past the deadline would only delay the failure */
			uint64_t el = elapsed_ns(r), left_us;

			left_us = el < r->deadline_ns ? (r->deadline_ns - el) / 1000u : 0;
			if (w > left_us)
				w = left_us;
		}
		if (w) {
			struct timespec ts = { (time_t)(w / 1000000), (long)(w % 1000000) * 1000 };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		if (r->ctx)
			doe_ctx_clear_error(r->ctx);
		rc = ops->exchange(priv, out, out_len, rsp_buf, rsp_cap, &in_len);
		if (rc < 0) {
			r->st = RS_FAILED;
			r->final_rc = rc;
			if (r->ctx && doe_ctx_errcode(r->ctx) == rc)
				doe_err_prefix(r->ctx, "%s: transport", spdm_code_name(out[1]));
			else
				doe_err(r->ctx, rc, "%s: transport exchange failed: %s",
					spdm_code_name(out[1]), strerror(-rc));
			return rc;
		}
		if (in_len > rsp_cap) {
			r->st = RS_FAILED;
			r->final_rc = doe_err(r->ctx, -EOVERFLOW, "%s: response of %zu bytes > buffer %zu",
					      spdm_code_name(out[1]), in_len, rsp_cap);
			return r->final_rc;
		}
		in = rsp_buf;
	}
}

/* ---- what a session needs from this connection ----------------------- */

int spdm_req_conn(const struct spdm_req *r, struct spdm_conn *c)
{
	if (r->st != RS_DONE)
		return doe_err(r->ctx, -EINVAL, "session: the connection is not set up");
	if (r->ver < SPDM_V11)
		return doe_err(r->ctx, -EOPNOTSUPP, "session: SPDM 1.0 has no sessions");
	/* an AEAD alone (ENCRYPT_CAP or MAC_CAP on both) is no session: one
	 * kind of session must be common too */
	if (!r->res.aead ||
	    !((r->res.req_flags & r->res.rsp_flags & SPDM_CAP_KEY_EX) ||
	      ((r->res.req_flags & SPDM_CAP_PSK) && (r->res.rsp_flags & SPDM_CAP_PSK))))
		return doe_err(r->ctx, -EOPNOTSUPP, "session: the responder offers no %s (CAPABILITIES 0x%08x)",
			       r->res.req_flags & SPDM_CAP_PSK ? "PSK_CAP: it has no pre-shared key"
							       : "KEY_EX_CAP with ENCRYPT_CAP or MAC_CAP",
			       r->res.rsp_flags);
	memset(c, 0, sizeof(*c));
	c->version = r->ver;
	c->hash_algo = r->res.hash_algo;
	c->asym_algo = r->res.asym_algo;
	c->req_asym_algo = r->res.req_asym_algo;
	c->dhe = r->res.dhe;
	c->aead = r->res.aead;
	c->req_flags = r->res.req_flags;
	c->rsp_flags = r->res.rsp_flags;
	c->opaque_fmt1 = r->opaque_fmt1;
	c->vca = r->ts.vca;
	c->vca_len = r->ts.vca_len;
	c->slot = r->pol.slot;
	/* KEY_EXCHANGE signs for the chain we verified, with its leaf key */
	if (r->res.chain_verified && r->leaf) {
		TRY(spdm_hash_all(r->ctx, r->res.hash_algo, r->res.chain, r->res.chain_len,
				  c->chain_hash));
		c->has_chain = true;
		c->peer_key = r->leaf;
	}
	if (r->multi_key_conn) {
		if (!r->msg_d_len)
			return doe_err(r->ctx, -EOPNOTSUPP, "session: multi-key connection without the DIGESTS its transcript needs");
		c->msg_d = r->msg_d;
		c->msg_d_len = r->msg_d_len;
	}
	return 0;
}
