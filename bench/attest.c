// SPDX-License-Identifier: MIT
/*
 * Attestation benchmark: a full CMA/SPDM attestation (VCA, DIGESTS, the
 * certificate chain, CHALLENGE, signed MEASUREMENTS of every block) with
 * requester and responder in one process over a loopback transport, for
 * ECDSA P-256 and P-384, set against the crypto floor measured in the same
 * run: the OpenSSL operations an attestation cannot avoid, done directly
 * with EVP on keys of the same types:
 *   responder: 2 signatures (CHALLENGE_AUTH, MEASUREMENTS)
 *   requester: 2 signature verifications, plus the chain's 2 certificate
 *              signatures (intermediate by root, leaf by intermediate; the
 *              identities' CAs are P-384)
 * Also prints attestations per second on one core and the memory a
 * requester needs. Times are medians of RUNS runs of ITERS attestations,
 * each run followed by a run of the floor (load from other processes falls
 * on both alike).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <doekit/ctx.h>
#include <doekit/spdm.h>
#include <doekit/spdm_cache.h>

#define RUNS 5
#define ITERS 40

#include "bench.h"

static int loop_exchange(void *priv, const void *req, size_t len, void *rsp, size_t cap,
			 size_t *rlen)
{
	return spdm_rsp_handle(priv, req, len, rsp, cap, rlen);
}

static const struct spdm_transport_ops loop_ops = { .exchange = loop_exchange, .align = 1 };

static _Alignas(16) uint8_t req_mem[SPDM_REQUESTER_CTX_SIZE];
static _Alignas(16) uint8_t rsp_mem[SPDM_RESPONDER_CTX_SIZE];
static uint8_t chain_buf[8192], meas_buf[2048], rsp_buf[4096];

struct result {
	uint64_t ns;		/* per attestation */
	size_t chain_len;
	size_t meas_len;
};

static int attest_once(struct doe_ctx *ctx, struct spdm_trust *trust, struct spdm_rsp *rsp,
		       struct spdm_chain_cache *cache, uint32_t asym, uint32_t hash,
		       struct result *res)
{
	struct spdm_req_policy pol;
	struct spdm_req *req;
	const struct spdm_result *r;
	int rc;

	spdm_req_policy_init(&pol);
	pol.asym_algos = asym;
	pol.hash_algos = hash;
	pol.trust = trust;
	pol.chain_buf = chain_buf;
	pol.chain_cap = sizeof(chain_buf);
	pol.meas_buf = meas_buf;
	pol.meas_cap = sizeof(meas_buf);
	pol.chain_cache = cache;
	rc = spdm_req_init(req_mem, sizeof(req_mem), ctx, &pol, &req);
	if (rc)
		return rc;
	rc = spdm_req_run(req, &loop_ops, rsp, rsp_buf, sizeof(rsp_buf), 0);
	r = spdm_req_result(req);
	if (rc == 0 && !(r->chain_verified && r->challenge_verified && r->meas_verified))
		rc = -EKEYREJECTED;
	res->chain_len = r->chain_len;
	res->meas_len = r->meas_record_len;
	spdm_req_fini(req);
	return rc;
}

/* One case's subject: a device (identity, responder), its anchor and, warm,
 * a chain cache that already holds its chain. */
struct subject {
	struct spdm_chain_cache *cache;
	struct spdm_identity *id;
	struct spdm_trust *trust;
	struct spdm_rsp *rsp;
	uint32_t asym, hash;
};

static int subject_init(struct doe_ctx *ctx, uint32_t asym, uint32_t hash, bool warm,
			struct subject *s, struct result *out)
{
	struct spdm_rsp_config cfg;
	const uint8_t *root;
	size_t root_len;
	int rc;

	memset(s, 0, sizeof(*s));
	s->asym = asym;
	s->hash = hash;
	if ((rc = spdm_identity_new(ctx, asym, NULL, &s->id)))
		return rc;
	root = spdm_identity_root(s->id, &root_len);
	if ((rc = spdm_trust_new(ctx, NULL, &s->trust)) ||
	    (rc = spdm_trust_add_der(s->trust, root, root_len)))
		return rc;
	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(s->id, &cfg);
	if ((rc = spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &s->rsp)))
		return rc;
	if (warm && ((rc = spdm_chain_cache_new(ctx, 0, 0, &s->cache)) ||
		     (rc = attest_once(ctx, s->trust, s->rsp, s->cache, asym, hash, out))))
		return rc;
	return 0;
}

static void subject_fini(struct subject *s)
{
	spdm_chain_cache_free(s->cache);
	spdm_rsp_fini(s->rsp);
	spdm_trust_free(s->trust);
	spdm_identity_free(s->id);
}

/* ns per attestation over ITERS attestations */
static int subject_run(struct doe_ctx *ctx, struct subject *s, struct result *out, uint64_t *ns)
{
	uint64_t t0 = doe_now_ns();
	int rc;

	for (int i = 0; i < ITERS; i++)
		if ((rc = attest_once(ctx, s->trust, s->rsp, s->cache, s->asym, s->hash, out)))
			return rc;
	*ns = (doe_now_ns() - t0) / ITERS;
	return 0;
}

/* The floor: sign and verify with EVP directly; chain: also the two
 * certificate signatures (intermediate, leaf) a cold attestation checks. */
static EVP_PKEY *ec_key(const char *curve)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

static int sign_verify(EVP_PKEY *k, const EVP_MD *md, bool sign, const uint8_t *msg, size_t len,
		       uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	if (sign)
		ok = EVP_DigestSignInit(c, NULL, md, NULL, k) == 1 &&
		     EVP_DigestSign(c, sig, sig_len, msg, len) == 1;
	else
		ok = EVP_DigestVerifyInit(c, NULL, md, NULL, k) == 1 &&
		     EVP_DigestVerify(c, sig, *sig_len, msg, len) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -EIO;
}

struct floor {
	EVP_PKEY *leaf, *ca;
	const EVP_MD *md;
	bool chain;
	uint8_t msg[164], sig[2][160], casig[160];
	size_t sl[2], cl;
};

static int floor_init(struct floor *f, const char *curve, const EVP_MD *md, bool chain)
{
	memset(f, 0, sizeof(*f));
	f->leaf = ec_key(curve);
	f->ca = ec_key("P-384");
	f->md = md;
	f->chain = chain;
	if (!f->leaf || !f->ca)
		return -ENOMEM;
	RAND_bytes(f->msg, sizeof(f->msg));	/* signing context + transcript hash */
	f->cl = sizeof(f->casig);
	return sign_verify(f->ca, EVP_sha384(), true, f->msg, sizeof(f->msg), f->casig, &f->cl);
}

static void floor_fini(struct floor *f)
{
	EVP_PKEY_free(f->leaf);
	EVP_PKEY_free(f->ca);
}

/* ns per attestation's worth of floor over ITERS of them */
static int floor_run(struct floor *f, uint64_t *ns)
{
	uint64_t t0 = doe_now_ns();
	int rc = 0;

	for (int i = 0; i < ITERS && !rc; i++) {
		for (int k = 0; k < 2 && !rc; k++) {
			f->sl[k] = sizeof(f->sig[k]);
			rc = sign_verify(f->leaf, f->md, true, f->msg, sizeof(f->msg), f->sig[k],
					 &f->sl[k]);
		}
		for (int k = 0; k < 2 && !rc; k++)
			rc = sign_verify(f->leaf, f->md, false, f->msg, sizeof(f->msg), f->sig[k],
					 &f->sl[k]);
		for (int k = 0; k < 2 && f->chain && !rc; k++)
			rc = sign_verify(f->ca, EVP_sha384(), false, f->msg, sizeof(f->msg), f->casig,
					 &f->cl);
	}
	*ns = (doe_now_ns() - t0) / ITERS;
	return rc;
}

/* Subject and floor alternate run by run, so load from other processes
 * falls on both alike; medians of RUNS each. */
static int bench_case(struct doe_ctx *ctx, const char *curve, const EVP_MD *md, uint32_t asym,
		      uint32_t hash, bool warm, struct result *out, uint64_t *floor_ns)
{
	uint64_t ta[RUNS], tf[RUNS];
	struct subject s;
	struct floor f;
	int rc;

	rc = subject_init(ctx, asym, hash, warm, &s, out);
	if (!rc)
		rc = floor_init(&f, curve, md, !warm);
	for (int run = 0; run < RUNS && !rc; run++) {
		rc = subject_run(ctx, &s, out, &ta[run]);
		if (!rc)
			rc = floor_run(&f, &tf[run]);
	}
	if (!rc) {
		out->ns = bench_median(ta, RUNS);
		*floor_ns = bench_median(tf, RUNS);
	}
	floor_fini(&f);
	subject_fini(&s);
	return rc;
}

/* argv[1], if given, runs only the cases whose name contains it (e.g.
 * "P-256, SHA-256, warm" under callgrind) */
int main(int argc, char **argv)
{
	static const struct {
		const char *name, *curve;
		uint32_t asym, hash;
		const EVP_MD *(*md)(void);
		bool warm;
	} cases[] = {
		{ "ECDSA P-256, SHA-256", "P-256", SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, EVP_sha256,
		  false },
		{ "ECDSA P-256, SHA-256, warm chain cache", "P-256", SPDM_ASYM_ECDSA_P256,
		  SPDM_HASH_SHA256, EVP_sha256, true },
		{ "ECDSA P-384, SHA-384", "P-384", SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, EVP_sha384,
		  false },
		{ "ECDSA P-384, SHA-384, warm chain cache", "P-384", SPDM_ASYM_ECDSA_P384,
		  SPDM_HASH_SHA384, EVP_sha384, true },
	};
	struct doe_ctx *ctx;

	if (doe_ctx_new(&ctx))
		return 1;
	printf("Full attestation (VCA, digests, certificate, challenge, signed measurements),\n"
	       "requester and responder in one process; floor = 2 signs + 4 verifies with EVP.\n"
	       "Warm chain cache: the chain was verified before (no GET_CERTIFICATE); floor =\n"
	       "2 signs + 2 verifies.\n"
	       "Medians of %d runs of %d attestations, each run followed by a run of the floor.\n\n",
	       RUNS, ITERS);
	printf("| algorithms | attestation | crypto floor | attestation / floor | attestations/s "
	       "(one core) |\n|---|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r;
		uint64_t floor_ns;

		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		if (bench_case(ctx, cases[i].curve, cases[i].md(), cases[i].asym, cases[i].hash,
			       cases[i].warm, &r, &floor_ns)) {
			fprintf(stderr, "%s: %s\n", cases[i].name, doe_ctx_errmsg(ctx));
			return 1;
		}
		printf("| %s | %.1f µs | %.1f µs | %.2f | %.0f |\n", cases[i].name, r.ns / 1e3,
		       floor_ns / 1e3, (double)r.ns / (double)floor_ns, 1e9 / (double)r.ns);
		if (argc == 1 && i == sizeof(cases) / sizeof(cases[0]) - 1)
			printf("\nMemory per requester: %u bytes of context (SPDM_REQUESTER_CTX_SIZE) "
			       "+ the chain it keeps (%zu bytes here) + the measurement record "
			       "(%zu bytes here); no other allocation but libcrypto's.\n",
			       SPDM_REQUESTER_CTX_SIZE, r.chain_len, r.meas_len);
	}
	doe_ctx_free(ctx);
	return 0;
}
