// SPDX-License-Identifier: MIT
/*
 * SPDM requester against the SPDM responder, in process, through a
 * loopback transport: every version 1.0-1.3 x every asymmetric algorithm x
 * the hash algorithms, then the failure paths (DSP0274 §10.12 ERROR
 * handling, signatures, nonces, transports that never answer).
 * Each identity is generated once (RSA-4096 key generation is slow).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include <doekit/spdm.h>
#include "t.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* identities by key: RSA sizes serve both RSASSA and RSAPSS */
enum { ID_RSA2048, ID_RSA3072, ID_RSA4096, ID_P256, ID_P384, ID_P521, ID_ED25519, ID_ED448, ID_N };
static const uint32_t id_asym[ID_N] = {
	SPDM_ASYM_RSASSA_2048, SPDM_ASYM_RSASSA_3072, SPDM_ASYM_RSASSA_4096, SPDM_ASYM_ECDSA_P256,
	SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P521, SPDM_ASYM_EDDSA_25519, SPDM_ASYM_EDDSA_448,
};
static struct spdm_identity *ids[ID_N];
static struct doe_ctx *ctx;

static int id_for(uint32_t asym)
{
	switch (asym) {
	case SPDM_ASYM_RSASSA_2048: case SPDM_ASYM_RSAPSS_2048: return ID_RSA2048;
	case SPDM_ASYM_RSASSA_3072: case SPDM_ASYM_RSAPSS_3072: return ID_RSA3072;
	case SPDM_ASYM_RSASSA_4096: case SPDM_ASYM_RSAPSS_4096: return ID_RSA4096;
	case SPDM_ASYM_ECDSA_P256: return ID_P256;
	case SPDM_ASYM_ECDSA_P384: return ID_P384;
	case SPDM_ASYM_ECDSA_P521: return ID_P521;
	case SPDM_ASYM_EDDSA_25519: return ID_ED25519;
	default: return ID_ED448;
	}
}

/* ---- loopback transport with fault hooks ---------------------------- */

struct loop {
	struct spdm_rsp *rsp;
	bool timeout;		/* never answers */
	bool tamper_nonce;	/* flips a CHALLENGE nonce bit on the way */
	uint8_t wrong_code_for;	/* answer this request with DIGESTS */
	uint8_t resynch_for;	/* answer this request once with RequestResynch */
	bool pad4;		/* pad responses to a DW as DOE does */
	uint8_t mangle_code;	/* change a byte of the first response with this code */
	size_t mangle_off;
	uint8_t mangle_xor;
	unsigned exchanges;
};

static int loop_exchange(void *priv, const void *req, size_t len, void *rsp, size_t cap,
			 size_t *rlen)
{
	struct loop *l = priv;
	uint8_t q[256];
	int rc;

	l->exchanges++;
	if (l->timeout)
		return -ETIMEDOUT;
	if (len > sizeof(q))
		return -EMSGSIZE;
	memcpy(q, req, len);
	if (l->tamper_nonce && q[1] == SPDM_CHALLENGE)
		q[4 + 5] ^= 0x20;
	if (l->wrong_code_for && q[1] == l->wrong_code_for) {
		uint8_t d[4] = { q[0], SPDM_DIGESTS, 0, 0 };

		memcpy(rsp, d, 4);
		*rlen = 4;
		return 0;
	}
	if (l->resynch_for && q[1] == l->resynch_for) {
		uint8_t e[4] = { q[0], SPDM_ERROR, SPDM_ERR_REQUEST_RESYNCH, 0 };

		l->resynch_for = 0;
		memcpy(rsp, e, 4);
		*rlen = 4;
		return 0;
	}
	rc = spdm_rsp_handle(l->rsp, q, len, rsp, cap, rlen);
	if (rc == 0 && l->mangle_code && *rlen > l->mangle_off &&
	    ((uint8_t *)rsp)[1] == l->mangle_code) {
		((uint8_t *)rsp)[l->mangle_off] ^= l->mangle_xor;
		l->mangle_code = 0;
	}
	if (rc == 0 && l->pad4)
		while (*rlen % 4 && *rlen < cap)
			((uint8_t *)rsp)[(*rlen)++] = 0;
	return rc;
}

static const struct spdm_transport_ops loop_ops = { .exchange = loop_exchange, .align = 1 };
static const struct spdm_transport_ops loop_ops4 = { .exchange = loop_exchange, .align = 4 };

/* ---- one attestation -------------------------------------------------- */

struct run {
	struct spdm_req_policy pol;
	struct spdm_rsp_config cfg;
	struct loop loop;
	const struct spdm_transport_ops *ops;
	/* out */
	int rc;
	struct spdm_result res;
	char msg[512];
};

static _Alignas(16) uint8_t req_mem[SPDM_REQUESTER_CTX_SIZE];
static _Alignas(16) uint8_t rsp_mem[SPDM_RESPONDER_CTX_SIZE];
static uint8_t chain_buf[8192], meas_buf[2048], rsp_buf[4096];

static void run_init(struct run *r, uint32_t asym, uint32_t hash, uint8_t ver)
{
	memset(r, 0, sizeof(*r));
	spdm_req_policy_init(&r->pol);
	r->pol.versions = (uint8_t)SPDM_VMASK(ver);
	r->pol.asym_algos = asym;
	r->pol.hash_algos = hash;
	r->pol.chain_buf = chain_buf;
	r->pol.chain_cap = sizeof(chain_buf);
	r->pol.meas_buf = meas_buf;
	r->pol.meas_cap = sizeof(meas_buf);
	spdm_rsp_config_init(&r->cfg);
	spdm_identity_apply(ids[id_for(asym)], &r->cfg);
	r->cfg.asym_algo = asym;	/* RSAPSS over the RSA identity */
	r->ops = &loop_ops;
}

static void run_go(struct run *r)
{
	struct spdm_req *req;
	struct spdm_rsp *rsp;

	doe_ctx_clear_error(ctx);
	r->rc = spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &r->cfg, &rsp);
	if (r->rc)
		return;
	r->loop.rsp = rsp;
	r->rc = spdm_req_init(req_mem, sizeof(req_mem), ctx, &r->pol, &req);
	if (!r->rc)
		r->rc = spdm_req_run(req, r->ops, &r->loop, rsp_buf, sizeof(rsp_buf), 0);
	r->res = *spdm_req_result(req);
	snprintf(r->msg, sizeof(r->msg), "%s", r->rc ? doe_ctx_errmsg(ctx) : "");
	spdm_req_fini(req);
	spdm_rsp_fini(rsp);
}

static const uint32_t all_asym[] = {
	SPDM_ASYM_RSASSA_2048, SPDM_ASYM_RSAPSS_2048, SPDM_ASYM_RSASSA_3072,
	SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_ECDSA_P256, SPDM_ASYM_RSASSA_4096,
	SPDM_ASYM_RSAPSS_4096, SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P521,
	SPDM_ASYM_EDDSA_25519, SPDM_ASYM_EDDSA_448,
};
static const uint32_t all_hash[] = {
	SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512,
	SPDM_HASH_SHA3_256, SPDM_HASH_SHA3_384, SPDM_HASH_SHA3_512,
};

/* The matrix: every version x every asym (EdDSA from 1.2) with a hash that
 * rotates, and every hash for the ECDSA curves. */
static void t_matrix(void)
{
	unsigned v, a, h, runs = 0, ok = 0;

	for (v = SPDM_V10; v <= SPDM_V13; v++) {
		for (a = 0; a < ARRAY_LEN(all_asym); a++) {
			if (v < SPDM_V12 && all_asym[a] & (SPDM_ASYM_EDDSA_25519 | SPDM_ASYM_EDDSA_448))
				continue;
			for (h = 0; h < ARRAY_LEN(all_hash); h++) {
				struct run r;
				bool every = all_asym[a] & (SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384);

				if (!every && h != (v + a) % ARRAY_LEN(all_hash))
					continue;
				if (!spdm_asym_supported(all_asym[a])) {
					printf("matrix: %s skipped: not supported by this libcrypto\n",
					       spdm_asym_name(all_asym[a]));
					continue;
				}
				run_init(&r, all_asym[a], all_hash[h], (uint8_t)v);
				run_go(&r);
				runs++;
				if (r.rc || r.res.version != v || !r.res.chain_verified ||
				    !r.res.challenge_verified || !r.res.meas_verified ||
				    !r.res.summary_hash_checked || r.res.asym_algo != all_asym[a] ||
				    r.res.hash_algo != all_hash[h] || r.res.meas_blocks != 3 ||
				    !strstr(r.res.chain_info.cma_san, "Vendor=1af4")) {
					T_FAIL_("SPDM %x %s %s: rc %d (%s) ver %x chain %d chal %d meas %d summary %d",
						v, spdm_asym_name(all_asym[a]), spdm_hash_name(all_hash[h]),
						r.rc, r.msg, r.res.version, r.res.chain_verified,
						r.res.challenge_verified, r.res.meas_verified,
						r.res.summary_hash_checked);
				} else {
					ok++;
				}
			}
		}
	}
	T_EQ(ok, runs);
	printf("matrix: %u of %u version x asym x hash combinations attested\n", ok, runs);
}

static void t_highest_common_version(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V13);
	r.pol.versions = SPDM_VMASK_ALL;
	r.cfg.versions = SPDM_VMASK(SPDM_V11) | SPDM_VMASK(SPDM_V12);
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.version, SPDM_V12);
}

static void t_summary_hash_types(void)
{
	struct run r;

	/* TCB summary (immutable ROM blocks) and none: signed over, not recomputed */
	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA512, SPDM_V11);
	r.pol.summary_hash_type = SPDM_SUMMARY_TCB;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.summary_hash_len, 64);
	T_TRUE(!r.res.summary_hash_checked);

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA512, SPDM_V13);
	r.pol.summary_hash_type = SPDM_SUMMARY_NONE;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.summary_hash_len, 0);
	T_TRUE(r.res.challenge_verified);
}

static void t_no_common_version(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V13);
	r.cfg.versions = SPDM_VMASK(SPDM_V10) | SPDM_VMASK(SPDM_V11);
	run_go(&r);
	T_EQ(r.rc, -EPROTONOSUPPORT);
	T_CONTAINS(r.msg, "VERSION: no common version (responder offers 1.0 1.1");
}

static void t_bad_signature(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, SPDM_V12);
	r.cfg.corrupt_signature = true;
	run_go(&r);
	T_EQ(r.rc, -EKEYREJECTED);
	T_CONTAINS(r.msg, "CHALLENGE_AUTH: Signature does not verify");
	T_TRUE(!r.res.challenge_verified);
}

static void t_bad_measurement_signature(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_RSAPSS_2048, SPDM_HASH_SHA256, SPDM_V11);
	r.pol.skip_challenge = true;
	r.cfg.corrupt_signature = true;
	run_go(&r);
	T_EQ(r.rc, -EKEYREJECTED);
	T_CONTAINS(r.msg, "MEASUREMENTS: Signature does not verify");
}

static void t_nonce_tampered(void)
{
	struct run r;

	/* a man in the middle changes our nonce: the transcript differs */
	run_init(&r, SPDM_ASYM_EDDSA_25519, SPDM_HASH_SHA512, SPDM_V13);
	r.loop.tamper_nonce = true;
	run_go(&r);
	T_EQ(r.rc, -EKEYREJECTED);
	T_CONTAINS(r.msg, "CHALLENGE_AUTH: Signature does not verify");
}

static void t_busy_bounded(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.cfg.busy_count = 2;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.busy_seen, 2);

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.cfg.busy_count = UINT_MAX;
	run_go(&r);
	T_EQ(r.rc, -EBUSY);
	T_CONTAINS(r.msg, "NEGOTIATE_ALGORITHMS: ERROR Busy, still after 3 retries");
	T_EQ(r.loop.exchanges, 2 + 4);	/* VERSION, CAPS, then 1 + 3 retries */
}

static void t_not_ready_bounded(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V13);
	r.cfg.not_ready_count = 3;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.not_ready_seen, 3);
	T_TRUE(r.res.challenge_verified && r.res.meas_verified);

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V10);
	r.cfg.not_ready_count = UINT_MAX;
	run_go(&r);
	T_EQ(r.rc, -ETIMEDOUT);
	T_CONTAINS(r.msg, "CHALLENGE: ERROR ResponseNotReady, still after 10 RESPOND_IF_READY");
}

static void t_transport_timeout(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.loop.timeout = true;
	run_go(&r);
	T_EQ(r.rc, -ETIMEDOUT);
	T_CONTAINS(r.msg, "GET_VERSION: transport exchange failed");
	T_EQ(r.loop.exchanges, 1);
}

static void t_unexpected_code(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.loop.wrong_code_for = SPDM_GET_CAPABILITIES;
	run_go(&r);
	T_EQ(r.rc, -EPROTO);
	T_CONTAINS(r.msg, "GET_CAPABILITIES: response code 0x01 (DIGESTS), expected CAPABILITIES");
}

static void t_resynch_restarts(void)
{
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.loop.resynch_for = SPDM_GET_DIGESTS;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.resynch_seen, 1);
	T_TRUE(r.res.challenge_verified);
}

static void t_doe_padding(void)
{
	struct run r;

	/* DOE pads every object to a DW: up to 3 zero bytes are tolerated */
	run_init(&r, SPDM_ASYM_ECDSA_P521, SPDM_HASH_SHA512, SPDM_V13);
	r.loop.pad4 = true;
	r.ops = &loop_ops4;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_TRUE(r.res.meas_verified);

	/* without the transport saying so, padding is trailing garbage */
	run_init(&r, SPDM_ASYM_ECDSA_P521, SPDM_HASH_SHA512, SPDM_V13);
	r.loop.pad4 = true;
	run_go(&r);
	T_EQ(r.rc, -EBADMSG);
	T_CONTAINS(r.msg, "trailing bytes");
}

static void t_measurement_modes(void)
{
	struct spdm_meas_block b;
	size_t off = 0;
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA384, SPDM_V12);
	r.pol.meas_mode = SPDM_MEAS_INDEX;
	r.pol.meas_index = 2;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.meas_blocks, 1);
	T_EQ(spdm_meas_next(ctx, r.res.meas_record, r.res.meas_record_len, &off, &b), 1);
	T_EQ(b.index, 2);
	T_EQ(b.type, 1);
	T_TRUE(!b.raw);
	T_EQ(b.value_size, 48);	/* SHA-384 digest of the firmware */

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V11);
	r.pol.meas_mode = SPDM_MEAS_COUNT;
	r.pol.meas_signed = false;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.meas_total, 3);
	T_TRUE(!r.res.meas_signed);

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V13);
	r.pol.meas_raw = true;
	r.pol.meas_signed = false;
	r.cfg.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_NO_SIG;
	run_go(&r);
	T_EQ(r.rc, 0);
	off = 0;
	T_EQ(spdm_meas_next(ctx, r.res.meas_record, r.res.meas_record_len, &off, &b), 1);
	T_TRUE(b.raw);
	T_EQ(b.value_size, 24);	/* "doekit emulated boot ROM" */

	/* count, all (unsigned: which indices), then each index, the last
	 * signed: L1/L2 spans them all */
	for (uint8_t v = SPDM_V10; v <= SPDM_V13; v++) {
		run_init(&r, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA3_256, v);
		r.pol.meas_mode = SPDM_MEAS_EACH;
		run_go(&r);
		T_EQ(r.rc, 0);
		T_EQ(r.res.meas_total, 3);
		T_EQ(r.res.meas_blocks, 3);
		T_TRUE(r.res.meas_verified);
		T_TRUE(r.res.summary_hash_checked);	/* blocks 1..3 are all of them */
		T_EQ(r.loop.exchanges, 3 + 2 + 1 + 1 + 1 + 3);	/* VCA, digests+cert, challenge, count+all+3 */
	}

	/* a responder that only measures (its identity unused): found by
	 * fuzz_spdm_req, the chain was hashed with no root length */
	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.pol.skip_challenge = true;
	r.pol.meas_signed = false;
	r.cfg.flags = SPDM_CAP_MEAS_NO_SIG;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_EQ(r.res.meas_blocks, 3);
	T_TRUE(!r.res.chain_verified);

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.pol.meas_mode = SPDM_MEAS_INDEX;
	r.pol.meas_index = 9;
	run_go(&r);
	T_EQ(r.rc, -EPROTO);
	T_CONTAINS(r.msg, "GET_MEASUREMENTS: ERROR InvalidRequest");
}

static void t_trust_store(void)
{
	struct spdm_trust *good, *other;
	const uint8_t *root;
	size_t len;
	struct run r;

	T_EQ(spdm_trust_new(ctx, NULL, &good), 0);
	T_EQ(spdm_trust_new(ctx, NULL, &other), 0);
	root = spdm_identity_root(ids[ID_P256], &len);
	T_EQ(spdm_trust_add_der(good, root, len), 0);
	root = spdm_identity_root(ids[ID_P384], &len);
	T_EQ(spdm_trust_add_der(other, root, len), 0);

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.pol.trust = good;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_TRUE(r.res.chain_info.anchored);

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.pol.trust = other;
	run_go(&r);
	T_EQ(r.rc, -EKEYREJECTED);
	T_CONTAINS(r.msg, "certificate chain: depth");
	T_CONTAINS(r.msg, "doekit test root CA");
	spdm_trust_free(good);
	spdm_trust_free(other);
}

static void t_small_chunks(void)
{
	struct run r;

	/* a small DataTransferSize forces the GET_CERTIFICATE loop */
	run_init(&r, SPDM_ASYM_RSASSA_3072, SPDM_HASH_SHA256, SPDM_V12);
	r.cfg.data_transfer_size = 200;
	run_go(&r);
	T_EQ(r.rc, 0);
	T_TRUE(r.res.chain_len > 1000);
	T_TRUE(r.res.chain_verified);
}

/* ---- issue 8 §4: a hostile responder gets bounded work ----------------- */

/* A fake clock that moves step_ns each time it is read. */
struct fake_clock {
	uint64_t t, step_ns;
	unsigned reads;
};

static uint64_t fake_now(void *priv)
{
	struct fake_clock *c = priv;

	c->reads++;
	return c->t += c->step_ns;
}

/* The deadline (fake clock: one read when the attestation starts, one per
 * response) and the message cap, each named when hit. */
static void t_bounded_work(void)
{
	static const struct {
		const char *name;
		uint32_t deadline_ms;
		uint64_t step_ns;		/* fake clock per read; 0: real clock */
		unsigned max_messages;
		uint16_t portion;		/* responder's CERTIFICATE portion cap */
		bool busy_forever;
		int rc;
		const char *msg;
		unsigned exchanges;		/* 0: not checked */
	} cases[] = {
		{ "deadline 5 s, 1 s a message", 5000, 1000000000ull, 0, 0, false, -ETIMEDOUT,
		  "attestation deadline of 5 s exceeded after 6 messages", 6 },
		{ "deadline in ms", 1500, 1000000000ull, 0, 0, false, -ETIMEDOUT,
		  "attestation deadline of 1500 ms exceeded after 2 messages", 2 },
		{ "default deadline 30 s", 0, 10000000000ull, 0, 0, false, -ETIMEDOUT,
		  "attestation deadline of 30 s exceeded after 4 messages", 4 },
		{ "a whole attestation within the deadline", 30000, 1000000000ull, 0, 0, false, 0, "", 0 },
		{ "1-byte portions hit the cap", 0, 0, 300, 1, false, -E2BIG,
		  "attestation exceeded 300 messages (next: GET_CERTIFICATE)", 300 },
		{ "Busy forever hits the default cap", 0, 0, 0, 0, true, -E2BIG,
		  "attestation exceeded 4096 messages (next: NEGOTIATE_ALGORITHMS)", 4096 },
		{ "small portions within the cap", 0, 0, 600, 8, false, 0, "", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct fake_clock clk = { 0, cases[i].step_ns, 0 };
		struct run r;

		t_case_name = cases[i].name;
		run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
		r.pol.deadline_ms = cases[i].deadline_ms;
		r.pol.max_messages = cases[i].max_messages;
		if (cases[i].step_ns) {
			r.pol.now_ns = fake_now;
			r.pol.now_priv = &clk;
		}
		r.cfg.cert_portion_max = cases[i].portion;
		if (cases[i].busy_forever) {
			r.cfg.busy_count = UINT_MAX;
			r.pol.busy_retries = 100000;	/* ends without the cap too */
		}
		run_go(&r);
		T_EQ(r.rc, cases[i].rc);
		T_CONTAINS(r.msg, cases[i].msg);
		if (cases[i].exchanges) {
			T_EQ(r.loop.exchanges, cases[i].exchanges);
			T_EQ(r.res.messages, cases[i].exchanges);
		}
		if (!cases[i].rc)
			T_TRUE(r.res.chain_verified && r.res.meas_verified);
	}
}

/* DSP0274 1.2 §10.8: CHALLENGE_AUTH SlotMask (Param2) names the slots with
 * a chain, as DIGESTS did; a responder that signs a different one is
 * caught (the signature itself is good, so only the check can). */
static void t_challenge_slot_mask(void)
{
	static const struct {
		const char *name;
		uint8_t ver;
		uint8_t mask;	/* what the responder sends; DIGESTS says 0x01 */
		int rc;
		const char *msg;
	} cases[] = {
		{ "the DIGESTS mask", SPDM_V12, 0x01, 0, "" },
		{ "lacks the challenged slot", SPDM_V12, 0x02, -EPROTO,
		  "CHALLENGE_AUTH: SlotMask 0x02 lacks slot 0" },
		{ "a slot DIGESTS did not report", SPDM_V12, 0x03, -EPROTO,
		  "CHALLENGE_AUTH: SlotMask 0x03, but DIGESTS reported 0x01" },
		{ "1.0", SPDM_V10, 0x81, -EPROTO, "CHALLENGE_AUTH: SlotMask 0x81, but DIGESTS reported 0x01" },
		{ "1.3 ProvisionedSlotMask", SPDM_V13, 0x05, -EPROTO,
		  "CHALLENGE_AUTH: SlotMask 0x05, but DIGESTS reported 0x01" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct run r;

		t_case_name = cases[i].name;
		run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, cases[i].ver);
		r.cfg.chal_slot_mask = cases[i].mask;
		run_go(&r);
		T_EQ(r.rc, cases[i].rc);
		T_CONTAINS(r.msg, cases[i].msg);
	}
}

/* DSP0274 1.2 §10.11 MEASUREMENTS Param2 bits 5:4: a change reported in
 * the signed response that ends a one-by-one sequence starts it over
 * (bounded); elsewhere it is only reported. */
static void t_meas_content_changed(void)
{
	static const struct {
		const char *name;
		uint8_t ver;
		enum spdm_meas_mode mode;
		unsigned changes;	/* signed responses that say "changed" */
		int rc;
		const char *msg;
		unsigned restarts;
		uint8_t reported;	/* result.meas_content_changed */
		unsigned exchanges;	/* 0: not checked */
	} cases[] = {
		{ "each: no change", SPDM_V12, SPDM_MEAS_EACH, 0, 0, "", 0,
		  SPDM_MEAS_CONTENT_NO_DETECTION, 3 + 2 + 1 + 5 },
		{ "each: one change, one restart", SPDM_V12, SPDM_MEAS_EACH, 1, 0, "", 1,
		  SPDM_MEAS_CONTENT_UNCHANGED, 3 + 2 + 1 + 5 + 5 },
		{ "each: two changes, 1.3", SPDM_V13, SPDM_MEAS_EACH, 2, 0, "", 2,
		  SPDM_MEAS_CONTENT_UNCHANGED, 3 + 2 + 1 + 5 * 3 },
		{ "each: changing all the time", SPDM_V12, SPDM_MEAS_EACH, 100, -ESTALE,
		  "MEASUREMENTS: content changed during the one-by-one sequence, still after 2 restarts",
		  2, SPDM_MEAS_CONTENT_CHANGED, 3 + 2 + 1 + 5 * 3 },
		{ "all: reported, nothing to mix", SPDM_V12, SPDM_MEAS_ALL, 1, 0, "", 0,
		  SPDM_MEAS_CONTENT_CHANGED, 3 + 2 + 1 + 1 },
		{ "each in 1.1: no such bits", SPDM_V11, SPDM_MEAS_EACH, 1, 0, "", 0,
		  SPDM_MEAS_CONTENT_NO_DETECTION, 3 + 2 + 1 + 5 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct run r;

		t_case_name = cases[i].name;
		run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, cases[i].ver);
		r.pol.meas_mode = cases[i].mode;
		r.cfg.meas_changed_count = cases[i].changes;
		run_go(&r);
		T_EQ(r.rc, cases[i].rc);
		T_CONTAINS(r.msg, cases[i].msg);
		T_EQ(r.res.meas_restarts, cases[i].restarts);
		T_EQ(r.res.meas_content_changed, cases[i].reported);
		if (cases[i].exchanges)
			T_EQ(r.loop.exchanges, cases[i].exchanges);
		if (!cases[i].rc && cases[i].mode == SPDM_MEAS_EACH) {
			/* one sequence's blocks, not several glued together */
			T_EQ(r.res.meas_blocks, 3);
			T_TRUE(r.res.meas_verified && r.res.summary_hash_checked);
		}
	}
}

/* CMA over a DOE mailbox: the emulator's mailbox model carries the
 * messages, padded to DWs both ways (PCIe §6.31.3). */
static int cma_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
		       size_t rsp_cap, size_t *rsp_len)
{
	return spdm_rsp_handle(priv, req, req_len, rsp, rsp_cap, rsp_len);
}

static void t_over_doe_mailbox(void)
{
	struct emu_fn_info info = {
		.bdf = { 0, 0x0d, 0, 0 }, .vendor_id = 0x1af4, .device_id = 0x1234,
		.port_type = EMU_PCIE_ENDPOINT, .link_speed = 5, .link_width = 8,
	};
	struct spdm_req *req;
	struct spdm_rsp *rsp;
	struct emu_fn *fn = NULL;
	struct emu_mb *emb;
	struct doe_cfg *cfg = NULL;
	struct doe_mb *mb = NULL;
	struct run r;

	run_init(&r, SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA384, SPDM_V13);
	r.cfg.req_align = 4;
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &r.cfg, &rsp), 0);
	T_EQ(spdm_req_init(req_mem, sizeof(req_mem), ctx, &r.pol, &req), 0);
	if (emu_fn_new(ctx, &info, &fn) || emu_fn_add_doe(fn, 2, false, &emb) ||
	    emu_mb_add_protocol(emb, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, cma_handler, rsp) ||
	    emu_fn_cfg_open(fn, &cfg) || doe_mb_new(cfg, emu_mb_offset(emb), &mb)) {
		T_FAIL_("emulator: %s", doe_ctx_errmsg(ctx));
		goto out;
	}
	T_EQ(spdm_req_run(req, spdm_transport_doe(), mb, rsp_buf, sizeof(rsp_buf), 0), 0);
	T_TRUE(spdm_req_result(req)->challenge_verified);
	T_TRUE(spdm_req_result(req)->meas_verified);
	T_EQ(spdm_req_result(req)->version, SPDM_V13);
out:
	doe_mb_free(mb);
	doe_cfg_free(cfg);
	emu_fn_free(fn);
	spdm_req_fini(req);
	spdm_rsp_fini(rsp);
}

/* A responder whose answers are wrong in one field: the requester names it. */
static void t_hostile_responses(void)
{
	static const struct {
		const char *name;
		uint8_t ver;
		bool unsigned_meas;
		uint8_t code;
		size_t off;
		uint8_t xor_;
		int rc;
		const char *msg;
		uint32_t dts;	/* responder DataTransferSize, 0: default */
	} cases[] = {
		{ "VERSION in 1.1", SPDM_V12, false, SPDM_VERSION, 0, 0x10 ^ 0x11, -EPROTO,
		  "VERSION: SPDMVersion 0x11, expected 0x10", 0 },
		{ "MEAS_CAP 11b", SPDM_V12, false, SPDM_CAPABILITIES, 8, 0x08, -EBADMSG,
		  "MEAS_CAP is 11b (reserved)", 0 },
		{ "hash not offered", SPDM_V12, false, SPDM_ALGORITHMS, 16, 0x01 ^ 0x02, -EPROTO,
		  "ALGORITHMS: BaseHashSel 0x2 not one we offered (0x1)", 0 },
		{ "asym not offered", SPDM_V12, false, SPDM_ALGORITHMS, 12, 0x10 ^ 0x80, -EPROTO,
		  "ALGORITHMS: BaseAsymSel 0x80 not one we offered (0x10)", 0 },
		{ "slot not provisioned", SPDM_V12, false, SPDM_DIGESTS, 3, 0x01 ^ 0x02, -ENOENT,
		  "DIGESTS: slot 0 has no certificate chain (SlotMask 0x02)", 0 },
		{ "digest wrong", SPDM_V12, false, SPDM_DIGESTS, 4, 0x01, -EKEYREJECTED,
		  "CERTIFICATE: chain of slot 0 does not hash to its DIGESTS entry", 0 },
		{ "certificate slot", SPDM_V12, false, SPDM_CERTIFICATE, 2, 0x01, -EPROTO,
		  "CERTIFICATE: SlotID 1, asked for 0", 0 },
		{ "certificate remainder", SPDM_V12, false, SPDM_CERTIFICATE, 6, 0x01, -EBADMSG,
		  "earlier responses said", 200 },
		{ "certificate past the end", SPDM_V12, false, SPDM_CERTIFICATE, 7, 0x01, -EPROTO,
		  "GET_CERTIFICATE: ERROR InvalidRequest", 0 },
		{ "chain hash", SPDM_V12, false, SPDM_CHALLENGE_AUTH, 4, 0x01, -EKEYREJECTED,
		  "CHALLENGE_AUTH: CertChainHash is not the hash of the chain we read", 0 },
		{ "challenge slot", SPDM_V12, false, SPDM_CHALLENGE_AUTH, 2, 0x02, -EPROTO,
		  "CHALLENGE_AUTH: SlotID 2, challenged slot 0", 0 },
		{ "requester context", SPDM_V13, false, SPDM_CHALLENGE_AUTH, 4 + 32 + 32 + 32 + 2, 0x01,
		  -EPROTO, "CHALLENGE_AUTH: RequesterContext differs from the CHALLENGE", 0 },
		{ "block count", SPDM_V12, false, SPDM_MEASUREMENTS, 4, 0x03 ^ 0x02, -EBADMSG,
		  "MEASUREMENTS: NumberOfBlocks 2, record holds 3", 0 },
		{ "content changed unsigned", SPDM_V12, true, SPDM_MEASUREMENTS, 3, 0x10, -EBADMSG,
		  "MEASUREMENTS: Param2 0x10: content changed bits in an unsigned response", 0 },
		{ "content changed 11b", SPDM_V12, false, SPDM_MEASUREMENTS, 3, 0x30, -EBADMSG,
		  "MEASUREMENTS: Param2 0x30: content changed 11b is reserved", 0 },
		{ "block index 0", SPDM_V12, false, SPDM_MEASUREMENTS, 8, 0x01, -EBADMSG,
		  "MEASUREMENTS: measurement block at offset 0: Index 0x00 is not a block index", 0 },
		{ "block index 0xFF", SPDM_V13, false, SPDM_MEASUREMENTS, 8, 0x01 ^ 0xFF, -EBADMSG,
		  "MEASUREMENTS: measurement block at offset 0: Index 0xff is not a block index", 0 },
		{ "summary hash", SPDM_V12, true, SPDM_MEASUREMENTS, 8 + 7, 0x01, -EKEYREJECTED,
		  "CHALLENGE_AUTH: MeasurementSummaryHash does not match the MEASUREMENTS record", 0 },
		{ "not ready for another request", SPDM_V12, false, SPDM_ERROR, 5, 0x01, -EPROTO,
		  "ERROR ResponseNotReady: RequestCode 0x82, but we sent CHALLENGE", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct run r;

		t_case_name = cases[i].name;
		run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, cases[i].ver);
		if (cases[i].unsigned_meas) {
			r.pol.meas_signed = false;
			r.cfg.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_NO_SIG;
		}
		if (cases[i].code == SPDM_ERROR)
			r.cfg.not_ready_count = 1;
		if (cases[i].dts)
			r.cfg.data_transfer_size = cases[i].dts;
		r.loop.mangle_code = cases[i].code;
		r.loop.mangle_off = cases[i].off;
		r.loop.mangle_xor = cases[i].xor_;
		run_go(&r);
		T_EQ(r.rc, cases[i].rc);
		T_CONTAINS(r.msg, cases[i].msg);
	}
}

/* The sans-I/O API by hand: the caller moves every byte and waits the RDT. */
static void t_step_api(void)
{
	struct spdm_req *req;
	struct spdm_rsp *rsp;
	struct run r;
	uint8_t out[SPDM_MAX_REQUEST_SIZE], in[4096], stale[8];
	size_t out_len, in_len = 0, stale_len = 0;
	const void *inp = NULL;
	unsigned steps = 0, rif = 0;
	int rc;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	r.cfg.not_ready_count = 1;
	r.cfg.not_ready_rdt_exponent = 5;
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &r.cfg, &rsp), 0);
	T_EQ(spdm_req_init(req_mem, sizeof(req_mem), ctx, &r.pol, &req), 0);
	while ((rc = spdm_req_next(req, inp, in_len, out, sizeof(out), &out_len)) == 1) {
		steps++;
		if (out[1] == SPDM_RESPOND_IF_READY) {
			rif++;
			T_EQ(spdm_req_wait_us(req), 32);	/* 2^RDTExponent us */
			T_EQ(out[2], SPDM_CHALLENGE);		/* the request being waited for */
			memcpy(stale, out, out_len);
			stale_len = out_len;
		} else {
			T_EQ(spdm_req_wait_us(req), 0);
		}
		T_EQ(spdm_rsp_handle(rsp, out, out_len, in, sizeof(in), &in_len), 0);
		inp = in;
	}
	T_EQ(rc, 0);
	T_EQ(rif, 1);
	T_EQ(steps, 3 + 2 + 2 + 1);	/* VCA, digests, cert, challenge + RIF, measurements */
	T_TRUE(spdm_req_result(req)->meas_verified);
	/* done stays done */
	T_EQ(spdm_req_next(req, NULL, 0, out, sizeof(out), &out_len), 0);
	T_EQ(out_len, 0);
	/* the responder refuses a RESPOND_IF_READY with nothing pending */
	T_EQ(spdm_rsp_handle(rsp, stale, stale_len, in, sizeof(in), &in_len), 0);
	T_EQ(in[1], SPDM_ERROR);
	T_EQ(in[2], SPDM_ERR_UNEXPECTED_REQUEST);
	spdm_req_fini(req);
	spdm_rsp_fini(rsp);

	/* a failed requester keeps failing with the same code */
	T_EQ(spdm_req_init(req_mem, sizeof(req_mem), ctx, &r.pol, &req), 0);
	T_EQ(spdm_req_next(req, NULL, 0, out, sizeof(out), &out_len), 1);
	T_EQ(spdm_req_next(req, "\x10", 1, out, sizeof(out), &out_len), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "response to GET_VERSION");
	T_EQ(spdm_req_next(req, NULL, 0, out, sizeof(out), &out_len), -EBADMSG);
	spdm_req_fini(req);
}

static void t_identity_files(void)
{
	char key[] = "/tmp/doekit-key-XXXXXX", chain[] = "/tmp/doekit-chain-XXXXXX";
	struct spdm_identity *loaded = NULL;
	size_t a_len, b_len;
	const uint8_t *a, *b;
	struct run r;

	close(mkstemp(key));
	close(mkstemp(chain));
	T_EQ(spdm_identity_save(ctx, ids[ID_ED25519], key, chain), 0);
	T_EQ(spdm_identity_load(ctx, SPDM_ASYM_EDDSA_25519, key, chain, &loaded), 0);
	if (loaded) {
		a = spdm_identity_certs(ids[ID_ED25519], &a_len);
		b = spdm_identity_certs(loaded, &b_len);
		T_EQ(a_len, b_len);
		T_TRUE(a_len == b_len && !memcmp(a, b, a_len));
		run_init(&r, SPDM_ASYM_EDDSA_25519, SPDM_HASH_SHA384, SPDM_V12);
		spdm_identity_apply(loaded, &r.cfg);
		run_go(&r);
		T_EQ(r.rc, 0);
		T_TRUE(r.res.challenge_verified);
		spdm_identity_free(loaded);
	}
	/* the wrong key for the chain */
	T_EQ(spdm_identity_save(ctx, ids[ID_P256], key, "/dev/null"), 0);
	T_EQ(spdm_identity_load(ctx, SPDM_ASYM_EDDSA_25519, key, chain, &loaded), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "does not match the leaf certificate");
	unlink(key);
	unlink(chain);
}

/* One responder, one connection after another with another hash each
 * time: the chain's header and digest it keeps are those of the hash
 * negotiated now (the requester checks both against the chain). */
static void t_responder_hash_per_connection(void)
{
	static const uint32_t hashes[] = { SPDM_HASH_SHA384, SPDM_HASH_SHA256, SPDM_HASH_SHA256,
					   SPDM_HASH_SHA512, SPDM_HASH_SHA384 };
	struct spdm_req *req;
	struct spdm_rsp *rsp;
	struct run r;

	run_init(&r, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_V12);
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &r.cfg, &rsp), 0);
	r.loop.rsp = rsp;
	for (size_t i = 0; i < ARRAY_LEN(hashes); i++) {
		t_case_name = spdm_hash_name(hashes[i]);
		r.pol.hash_algos = hashes[i];
		T_EQ(spdm_req_init(req_mem, sizeof(req_mem), ctx, &r.pol, &req), 0);
		T_EQ(spdm_req_run(req, &loop_ops, &r.loop, rsp_buf, sizeof(rsp_buf), 0), 0);
		T_EQ(spdm_req_result(req)->hash_algo, hashes[i]);
		T_TRUE(spdm_req_result(req)->chain_verified &&
		       spdm_req_result(req)->challenge_verified);
		spdm_req_fini(req);
	}
	spdm_rsp_fini(rsp);
}

static void t_responder_keeps_serving(void)
{
	static const struct {
		const char *name;
		uint8_t req[40];
		size_t len;
		uint8_t err;	/* 0: not an ERROR */
		uint8_t code;	/* the response code when not an ERROR */
	} cases[] = {
		{ "short", { 0x10 }, 1, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "GET_DIGESTS before VCA", { 0x10, SPDM_GET_DIGESTS, 0, 0 }, 4, SPDM_ERR_UNEXPECTED_REQUEST, 0 },
		{ "GET_VERSION in 1.2", { 0x12, SPDM_GET_VERSION, 0, 0 }, 4, SPDM_ERR_VERSION_MISMATCH, 0 },
		{ "GET_VERSION", { 0x10, SPDM_GET_VERSION, 0, 0 }, 4, 0, 0 },
		{ "GET_VERSION trailing", { 0x10, SPDM_GET_VERSION, 0, 0, 1 }, 5, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "GET_VERSION again", { 0x10, SPDM_GET_VERSION, 0, 0 }, 4, 0, 0 },
		{ "NEGOTIATE before CAPS", { 0x12, SPDM_NEGOTIATE_ALGORITHMS, 0, 0 }, 4, SPDM_ERR_UNEXPECTED_REQUEST, 0 },
		{ "GET_CAPABILITIES 1.4", { 0x14, SPDM_GET_CAPABILITIES, 0, 0 }, 4, SPDM_ERR_VERSION_MISMATCH, 0 },
		{ "GET_CAPABILITIES short", { 0x12, SPDM_GET_CAPABILITIES, 0, 0, 0, 0 }, 6, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "KEY_EXCHANGE", { 0x10, 0xE4, 0, 0 }, 4, SPDM_ERR_UNSUPPORTED_REQUEST, 0 },
		{ "RESPOND_IF_READY unprompted", { 0x10, SPDM_RESPOND_IF_READY, 0, 0 }, 4, SPDM_ERR_UNEXPECTED_REQUEST, 0 },
		{ "GET_VERSION to negotiate", { 0x10, SPDM_GET_VERSION, 0, 0 }, 4, 0, SPDM_VERSION },
		{ "GET_CAPABILITIES 1.2", { 0x12, SPDM_GET_CAPABILITIES, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0,
					    0, 0x10, 0, 0, 0, 0x10, 0, 0 }, 20, 0, SPDM_CAPABILITIES },
		{ "GET_CAPABILITIES twice", { 0x12, SPDM_GET_CAPABILITIES, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0,
					      0, 0x10, 0, 0, 0, 0x10, 0, 0 }, 20, SPDM_ERR_UNEXPECTED_REQUEST, 0 },
		{ "NEGOTIATE_ALGORITHMS Length wrong", { 0x12, SPDM_NEGOTIATE_ALGORITHMS, 0, 0, 33, 0, 1, 2,
							 0x10, 0, 0, 0, 1 }, 32, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "NEGOTIATE_ALGORITHMS", { 0x12, SPDM_NEGOTIATE_ALGORITHMS, 0, 0, 32, 0, 1, 2, 0x10, 0, 0, 0, 1 },
		  32, 0, SPDM_ALGORITHMS },
		{ "GET_DIGESTS in 1.1", { 0x11, SPDM_GET_DIGESTS, 0, 0 }, 4, SPDM_ERR_VERSION_MISMATCH, 0 },
		{ "GET_CERTIFICATE past the chain", { 0x12, SPDM_GET_CERTIFICATE, 0, 0, 0xFF, 0xFF, 0x10, 0 }, 8,
		  SPDM_ERR_INVALID_REQUEST, 0 },
		{ "GET_CERTIFICATE slot 9", { 0x12, SPDM_GET_CERTIFICATE, 9, 0, 0, 0, 0x10, 0 }, 8,
		  SPDM_ERR_INVALID_REQUEST, 0 },
		{ "GET_DIGESTS", { 0x12, SPDM_GET_DIGESTS, 0, 0 }, 4, 0, SPDM_DIGESTS },
		{ "CHALLENGE short", { 0x12, SPDM_CHALLENGE, 0, 0xFF, 1, 2, 3 }, 7, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "CHALLENGE HashType 7", { 0x12, SPDM_CHALLENGE, 0, 7 }, 36, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "GET_MEASUREMENTS index 0x77", { 0x12, SPDM_GET_MEASUREMENTS, 0, 0x77 }, 4, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "GET_MEASUREMENTS count", { 0x12, SPDM_GET_MEASUREMENTS, 0, 0 }, 4, 0, SPDM_MEASUREMENTS },
		{ "CHALLENGE", { 0x12, SPDM_CHALLENGE, 0, 0 }, 36, 0, SPDM_CHALLENGE_AUTH },
		{ "GET_VERSION at the end", { 0x10, SPDM_GET_VERSION, 0, 0 }, 4, 0, SPDM_VERSION },
	};
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[256];
	size_t i, n;

	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(ids[ID_P256], &cfg);
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		t_case_name = cases[i].name;
		T_EQ(spdm_rsp_handle(rsp, cases[i].req, cases[i].len, out, sizeof(out), &n), 0);
		T_TRUE(n >= 4);
		if (cases[i].err) {
			T_EQ(out[1], SPDM_ERROR);
			T_EQ(out[2], cases[i].err);
		} else {
			T_EQ(out[1], cases[i].code ? cases[i].code : SPDM_VERSION);
		}
	}
	spdm_rsp_fini(rsp);
}

int main(void)
{
	unsigned i;

	if (doe_ctx_new(&ctx))
		return 1;
	for (i = 0; i < ID_N; i++) {
		if (spdm_identity_new(ctx, id_asym[i], NULL, &ids[i])) {
			fprintf(stderr, "identity %s: %s\n", spdm_asym_name(id_asym[i]),
				doe_ctx_errmsg(ctx));
			return 1;
		}
	}
	T_RUN(t_matrix);
	T_RUN(t_highest_common_version);
	T_RUN(t_summary_hash_types);
	T_RUN(t_no_common_version);
	T_RUN(t_bad_signature);
	T_RUN(t_bad_measurement_signature);
	T_RUN(t_nonce_tampered);
	T_RUN(t_busy_bounded);
	T_RUN(t_not_ready_bounded);
	T_RUN(t_transport_timeout);
	T_RUN(t_unexpected_code);
	T_RUN(t_resynch_restarts);
	T_RUN(t_doe_padding);
	T_RUN(t_measurement_modes);
	T_RUN(t_trust_store);
	T_RUN(t_small_chunks);
	T_RUN(t_bounded_work);
	T_RUN(t_challenge_slot_mask);
	T_RUN(t_meas_content_changed);
	T_RUN(t_over_doe_mailbox);
	T_RUN(t_hostile_responses);
	T_RUN(t_step_api);
	T_RUN(t_identity_files);
	T_RUN(t_responder_keeps_serving);
	T_RUN(t_responder_hash_per_connection);
	for (i = 0; i < ID_N; i++)
		spdm_identity_free(ids[i]);
	doe_ctx_free(ctx);
	return T_DONE();
}
