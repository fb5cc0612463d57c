/* SPDX-License-Identifier: MIT */
/* SPDM internals shared by src/spdm/: crypto, certificates, transcripts.
 * Not installed. */
#ifndef DOEKIT_SPDM_INT_H
#define DOEKIT_SPDM_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <doekit/spdm.h>

/* DSP0274 1.2+ §15: the signing context is 64 bytes of version prefix and a
 * 36-byte field that ends with the context string. */
#define SPDM_SIGN_PREFIX_SIZE 64u
#define SPDM_SIGN_CONTEXT_SIZE 100u
#define SPDM_CTX_CHALLENGE_AUTH "responder-challenge_auth signing"
#define SPDM_CTX_MEASUREMENTS "responder-measurements signing"
#define SPDM_CTX_KEY_EXCHANGE_RSP "responder-key_exchange_rsp signing"
#define SPDM_CTX_FINISH "requester-finish signing"
/* Codes of the signed session messages (also in session_int.h) */
#define SPDM_CODE_KEY_EXCHANGE_RSP 0x64u
#define SPDM_CODE_FINISH 0xE5u

/* The context string of a signed message (op: its code), NULL if none. */
const char *spdm_sign_context_string(uint8_t op);

const EVP_MD *spdm_md(uint32_t hash_algo);
/* The same digest fetched once per context (spdm_md()'s legacy object makes
 * OpenSSL 3 fetch at every use); spdm_md()'s when ctx is NULL. */
const EVP_MD *spdm_md_ctx(struct doe_ctx *ctx, uint32_t hash_algo);
/* Whether this libcrypto honours the Ed448 context string (3.2+). */
bool spdm_ed448_ctx_supported(void);
int spdm_hash_all(struct doe_ctx *ctx, uint32_t hash_algo, const void *data, size_t len,
		  uint8_t *out);
int spdm_random(struct doe_ctx *ctx, uint8_t *buf, size_t len);

/* Builds the 100-byte signing context for version ver (1.2+) and the
 * signed message op (CHALLENGE_AUTH, MEASUREMENTS, KEY_EXCHANGE_RSP,
 * FINISH). */
int spdm_signing_context(uint8_t ver, uint8_t op, uint8_t out[SPDM_SIGN_CONTEXT_SIZE]);

/* Signs / verifies the transcript hash th (hash_algo-sized) the way
 * DSP0274 says for version ver and operation op. */
int spdm_sign_th(struct doe_ctx *ctx, const struct spdm_signer_ops *ops, void *priv,
		 uint8_t ver, uint32_t asym, uint32_t hash, uint8_t op, const uint8_t *th,
		 uint8_t *sig, size_t sig_len);
int spdm_verify_th(struct doe_ctx *ctx, EVP_PKEY *pub, uint8_t ver, uint32_t asym,
		   uint32_t hash, uint8_t op, const uint8_t *th, const uint8_t *sig,
		   size_t sig_len);

/* An EVP_PKEY_CTX kept across messages for one key, algorithm pair and
 * direction: making one per signature costs OpenSSL 3 a fetch of the
 * signature and of the digest under its lock, and its allocations. The
 * context holds a reference to the key, so the key's address identifies it
 * for as long as it is kept. Owned by one requester or responder (not
 * shared between threads); zeroed = empty. */
struct spdm_pkey_keep {
	EVP_PKEY_CTX *pc;
	const EVP_PKEY *key;
	uint32_t asym, hash;
	bool sign;
};
void spdm_pkey_keep_free(struct spdm_pkey_keep *k);
/* spdm_sign_th() / spdm_verify_th() with a kept context (keep may be NULL:
 * a context per call). Only the software signer (spdm_evp_signer()) and
 * ECDSA/RSA keep one; the checks are those of the plain calls. */
int spdm_sign_th_keep(struct doe_ctx *ctx, struct spdm_pkey_keep *keep,
		      const struct spdm_signer_ops *ops, void *priv, uint8_t ver, uint32_t asym,
		      uint32_t hash, uint8_t op, const uint8_t *th, uint8_t *sig, size_t sig_len);
int spdm_verify_th_keep(struct doe_ctx *ctx, struct spdm_pkey_keep *keep, EVP_PKEY *pub,
			uint8_t ver, uint32_t asym, uint32_t hash, uint8_t op, const uint8_t *th,
			const uint8_t *sig, size_t sig_len);

/* ECDSA signatures between SPDM's r||s (2 * half bytes) and DER: the DER
 * length (0: cap too short), and 0 or -EIO for DER that is not two
 * non-negative INTEGERs fitting half bytes. */
size_t spdm_ecdsa_rs_to_der(const uint8_t *sig, size_t half, uint8_t *out, size_t cap);
int spdm_ecdsa_der_to_rs(const uint8_t *der, size_t len, uint8_t *sig, size_t half);

/* 0 if key is of the BaseAsymAlgo asym, else -EKEYREJECTED naming both. */
int spdm_key_check(struct doe_ctx *ctx, EVP_PKEY *key, uint32_t asym, const char *what);

/* spdm_chain_verify() that also hands out the checked leaf key (a new
 * reference, *leaf untouched on failure; NULL: not wanted). */
int spdm_chain_check(struct doe_ctx *ctx, const void *chain, size_t len, uint32_t hash_algo,
		     uint32_t asym_algo, const struct spdm_trust *trust,
		     struct spdm_chain_info *info, EVP_PKEY **leaf);

/* spdm_chain_check() reusing (and adding to) cache's parsed issuer
 * certificates; cache may be NULL. */
struct spdm_chain_cache;
int spdm_chain_check_cached(struct doe_ctx *ctx, const void *chain, size_t len,
			    uint32_t hash_algo, uint32_t asym_algo, const struct spdm_trust *trust,
			    struct spdm_chain_cache *cache, struct spdm_chain_info *info,
			    EVP_PKEY **leaf);
/* Parsed certificates by DER (chain_cache.c): get returns a new reference
 * to the certificate whose DER starts der (at most len bytes) exactly, or
 * NULL; put keeps a reference (best effort). */
X509 *spdm_cache_cert_get(struct spdm_chain_cache *c, const uint8_t *der, size_t len,
			  size_t *der_len);
void spdm_cache_cert_put(struct spdm_chain_cache *c, const uint8_t *der, size_t len, X509 *x);

/* The trust store's identity for chain caches (0 for NULL). */
uint64_t spdm_trust_id(const struct spdm_trust *t);

/* Chain cache (chain_cache.c), for the requester. lookup: 1 with the chain
 * copied to buf, its info and a new reference to the leaf key; 0 on a miss
 * (also when the chain does not fit cap). insert: best effort. */
struct spdm_chain_cache;
int spdm_cache_lookup(struct spdm_chain_cache *c, uint32_t hash_algo, uint32_t asym_algo,
		      const uint8_t *digest, const struct spdm_trust *trust, void *buf,
		      size_t cap, size_t *len, struct spdm_chain_info *info, EVP_PKEY **leaf);
void spdm_cache_insert(struct spdm_chain_cache *c, uint32_t hash_algo, uint32_t asym_algo,
		       const uint8_t *digest, const struct spdm_trust *trust, const void *chain,
		       size_t len, const struct spdm_chain_info *info, EVP_PKEY *leaf);

/*
 * Transcripts (DSP0274 §15 / §10.8 / §10.11): VCA is kept as bytes (it is
 * needed before the hash is known and again for each of M and L, and a
 * later session's TH starts from it); M1/M2 and L1/L2 are running hashes.
 * GET_VERSION resets everything.
 */
#define SPDM_VCA_MAX 640u

struct spdm_ts {
	uint8_t vca[SPDM_VCA_MAX];
	size_t vca_len;
	uint8_t version;
	uint32_t hash_algo;
	EVP_MD *md;		/* hash_algo's digest, one reference held */
	EVP_MD_CTX *m;		/* M1/M2: VCA, B (digests, certificate), C (challenge) */
	EVP_MD_CTX *l;		/* L1/L2: (1.2+ VCA), measurement exchanges */
};

void spdm_ts_init(struct spdm_ts *ts);
void spdm_ts_reset(struct spdm_ts *ts);	/* GET_VERSION: back to empty */
int spdm_ts_vca(struct doe_ctx *ctx, struct spdm_ts *ts, const void *p, size_t len);
/* After ALGORITHMS: hashes start, with VCA where DSP0274 puts it. */
int spdm_ts_start(struct doe_ctx *ctx, struct spdm_ts *ts, uint8_t ver, uint32_t hash_algo);
int spdm_ts_m(struct doe_ctx *ctx, struct spdm_ts *ts, const void *p, size_t len);
int spdm_ts_l(struct doe_ctx *ctx, struct spdm_ts *ts, const void *p, size_t len);
/* Final hash of M (resp. L) into out; the transcript restarts at VCA. */
int spdm_ts_m_final(struct doe_ctx *ctx, struct spdm_ts *ts, uint8_t *out);
int spdm_ts_l_final(struct doe_ctx *ctx, struct spdm_ts *ts, uint8_t *out);
/* Restarts L (any request but GET_MEASUREMENTS) or M (GET_DIGESTS starts B
 * afresh; GET_MEASUREMENTS before CHALLENGE completes drops B and C), as
 * libspdm_reset_message_buffer_via_request_code does. */
int spdm_ts_l_restart(struct doe_ctx *ctx, struct spdm_ts *ts);
int spdm_ts_m_restart(struct doe_ctx *ctx, struct spdm_ts *ts);
void spdm_ts_free(struct spdm_ts *ts);

#endif
