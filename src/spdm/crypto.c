// SPDX-License-Identifier: MIT
/*
 * SPDM crypto over OpenSSL 3 EVP: hashes, the DSP0274 1.2+ signing
 * context, signatures in SPDM form (ECDSA r||s), key type checks.
 * Signing rules checked against libspdm library/spdm_crypt_lib/
 * libspdm_crypt_asym.c (facts only): 1.0/1.1 sign the transcript hash as a
 * digest; 1.2+ sign prefix||hash, hashed again for ECDSA/RSA, as is for
 * EdDSA; Ed448 takes the context string as its EdDSA context, Ed25519 none;
 * RSA-PSS salt = digest length.
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <doekit/cursor.h>

#include "spdm_int.h"
#include "internal.h"

size_t spdm_hash_size(uint32_t h)
{
	switch (h) {
	case SPDM_HASH_SHA256:
	case SPDM_HASH_SHA3_256:
		return 32;
	case SPDM_HASH_SHA384:
	case SPDM_HASH_SHA3_384:
		return 48;
	case SPDM_HASH_SHA512:
	case SPDM_HASH_SHA3_512:
		return 64;
	}
	return 0;
}

size_t spdm_sig_size(uint32_t a)
{
	switch (a) {
	case SPDM_ASYM_RSASSA_2048:
	case SPDM_ASYM_RSAPSS_2048:
		return 256;
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSAPSS_3072:
		return 384;
	case SPDM_ASYM_RSASSA_4096:
	case SPDM_ASYM_RSAPSS_4096:
		return 512;
	case SPDM_ASYM_ECDSA_P256:
		return 64;
	case SPDM_ASYM_ECDSA_P384:
		return 96;
	case SPDM_ASYM_ECDSA_P521:
		return 132;
	case SPDM_ASYM_EDDSA_25519:
		return 64;
	case SPDM_ASYM_EDDSA_448:
		return 114;
	}
	return 0;
}

bool spdm_asym_supported(uint32_t a)
{
	if (!spdm_sig_size(a))
		return false;
	return a != SPDM_ASYM_EDDSA_448 || spdm_ed448_ctx_supported();
}

const char *spdm_asym_name(uint32_t a)
{
	switch (a) {
	case SPDM_ASYM_RSASSA_2048: return "RSASSA-2048";
	case SPDM_ASYM_RSAPSS_2048: return "RSAPSS-2048";
	case SPDM_ASYM_RSASSA_3072: return "RSASSA-3072";
	case SPDM_ASYM_RSAPSS_3072: return "RSAPSS-3072";
	case SPDM_ASYM_ECDSA_P256: return "ECDSA-P256";
	case SPDM_ASYM_RSASSA_4096: return "RSASSA-4096";
	case SPDM_ASYM_RSAPSS_4096: return "RSAPSS-4096";
	case SPDM_ASYM_ECDSA_P384: return "ECDSA-P384";
	case SPDM_ASYM_ECDSA_P521: return "ECDSA-P521";
	case SPDM_ASYM_EDDSA_25519: return "EdDSA-Ed25519";
	case SPDM_ASYM_EDDSA_448: return "EdDSA-Ed448";
	}
	return "unknown-asym";
}

const char *spdm_hash_name(uint32_t h)
{
	switch (h) {
	case SPDM_HASH_SHA256: return "SHA-256";
	case SPDM_HASH_SHA384: return "SHA-384";
	case SPDM_HASH_SHA512: return "SHA-512";
	case SPDM_HASH_SHA3_256: return "SHA3-256";
	case SPDM_HASH_SHA3_384: return "SHA3-384";
	case SPDM_HASH_SHA3_512: return "SHA3-512";
	}
	return "unknown-hash";
}

const char *spdm_code_name(uint8_t c)
{
	switch (c) {
	case SPDM_DIGESTS: return "DIGESTS";
	case SPDM_CERTIFICATE: return "CERTIFICATE";
	case SPDM_CHALLENGE_AUTH: return "CHALLENGE_AUTH";
	case SPDM_VERSION: return "VERSION";
	case SPDM_MEASUREMENTS: return "MEASUREMENTS";
	case SPDM_CAPABILITIES: return "CAPABILITIES";
	case SPDM_ALGORITHMS: return "ALGORITHMS";
	case SPDM_ERROR: return "ERROR";
	case SPDM_GET_DIGESTS: return "GET_DIGESTS";
	case SPDM_GET_CERTIFICATE: return "GET_CERTIFICATE";
	case SPDM_CHALLENGE: return "CHALLENGE";
	case SPDM_GET_VERSION: return "GET_VERSION";
	case SPDM_GET_MEASUREMENTS: return "GET_MEASUREMENTS";
	case SPDM_GET_CAPABILITIES: return "GET_CAPABILITIES";
	case SPDM_NEGOTIATE_ALGORITHMS: return "NEGOTIATE_ALGORITHMS";
	case SPDM_RESPOND_IF_READY: return "RESPOND_IF_READY";
	case 0x64: return "KEY_EXCHANGE_RSP";
	case 0xE4: return "KEY_EXCHANGE";
	case 0x65: return "FINISH_RSP";
	case 0xE5: return "FINISH";
	case 0x66: return "PSK_EXCHANGE_RSP";
	case 0xE6: return "PSK_EXCHANGE";
	case 0x67: return "PSK_FINISH_RSP";
	case 0xE7: return "PSK_FINISH";
	case 0x68: return "HEARTBEAT_ACK";
	case 0xE8: return "HEARTBEAT";
	case 0x69: return "KEY_UPDATE_ACK";
	case 0xE9: return "KEY_UPDATE";
	case 0x6A: return "ENCAPSULATED_REQUEST";
	case 0xEA: return "GET_ENCAPSULATED_REQUEST";
	case 0x6B: return "ENCAPSULATED_RESPONSE_ACK";
	case 0xEB: return "DELIVER_ENCAPSULATED_RESPONSE";
	case 0x6C: return "END_SESSION_ACK";
	case 0xEC: return "END_SESSION";
	case 0x7E: return "VENDOR_DEFINED_RESPONSE";
	case 0xFE: return "VENDOR_DEFINED_REQUEST";
	}
	return "unknown";
}

const char *spdm_error_name(uint8_t e)
{
	switch (e) {
	case SPDM_ERR_INVALID_REQUEST: return "InvalidRequest";
	case SPDM_ERR_BUSY: return "Busy";
	case SPDM_ERR_UNEXPECTED_REQUEST: return "UnexpectedRequest";
	case SPDM_ERR_UNSPECIFIED: return "Unspecified";
	case 0x06: return "DecryptError";
	case SPDM_ERR_UNSUPPORTED_REQUEST: return "UnsupportedRequest";
	case 0x08: return "RequestInFlight";
	case 0x09: return "InvalidResponseCode";
	case 0x0A: return "SessionLimitExceeded";
	case 0x0B: return "SessionRequired";
	case 0x0C: return "ResetRequired";
	case 0x0D: return "ResponseTooLarge";
	case 0x0E: return "RequestTooLarge";
	case 0x0F: return "LargeResponse";
	case 0x10: return "MessageLost";
	case SPDM_ERR_VERSION_MISMATCH: return "VersionMismatch";
	case SPDM_ERR_RESPONSE_NOT_READY: return "ResponseNotReady";
	case SPDM_ERR_REQUEST_RESYNCH: return "RequestResynch";
	case 0xFF: return "VendorDefined";
	}
	return "unknown";
}

const EVP_MD *spdm_md(uint32_t h)
{
	switch (h) {
	case SPDM_HASH_SHA256: return EVP_sha256();
	case SPDM_HASH_SHA384: return EVP_sha384();
	case SPDM_HASH_SHA512: return EVP_sha512();
	case SPDM_HASH_SHA3_256: return EVP_sha3_256();
	case SPDM_HASH_SHA3_384: return EVP_sha3_384();
	case SPDM_HASH_SHA3_512: return EVP_sha3_512();
	}
	return NULL;
}

const EVP_MD *spdm_md_ctx(struct doe_ctx *ctx, uint32_t h)
{
	static const char *const names[] = { "SHA2-256", "SHA2-384", "SHA2-512",
					     "SHA3-256", "SHA3-384", "SHA3-512" };
	const EVP_MD *md = NULL;
	unsigned slot;

	/* one bit per algorithm: its index is the slot */
	if (spdm_md(h) && !(h & (h - 1))) {
		slot = (unsigned)__builtin_ctz(h);
		if (slot < ARRAY_SIZE(names))
			md = doe_ctx_md(ctx, slot, names[slot]);
	}
	return md ? md : spdm_md(h);
}

int spdm_hash_all(struct doe_ctx *ctx, uint32_t h, const void *data, size_t len, uint8_t *out)
{
	const EVP_MD *md = spdm_md_ctx(ctx, h);
	unsigned int n;

	if (!md)
		return doe_err(ctx, -EINVAL, "hash algorithm 0x%x not supported", h);
	if (EVP_Digest(data, len, out, &n, md, NULL) != 1)
		return doe_err(ctx, -EIO, "%s failed", spdm_hash_name(h));
	return 0;
}

int spdm_random(struct doe_ctx *ctx, uint8_t *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1)
		return doe_err(ctx, -EIO, "RAND_bytes failed");
	return 0;
}

static bool is_rsa(uint32_t a)
{
	return a & (SPDM_ASYM_RSASSA_2048 | SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSASSA_4096 |
		    SPDM_ASYM_RSAPSS_2048 | SPDM_ASYM_RSAPSS_3072 | SPDM_ASYM_RSAPSS_4096);
}

static bool is_pss(uint32_t a)
{
	return a & (SPDM_ASYM_RSAPSS_2048 | SPDM_ASYM_RSAPSS_3072 | SPDM_ASYM_RSAPSS_4096);
}

static bool is_ecdsa(uint32_t a)
{
	return a & (SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_ECDSA_P521);
}

static bool is_eddsa(uint32_t a)
{
	return a & (SPDM_ASYM_EDDSA_25519 | SPDM_ASYM_EDDSA_448);
}

int spdm_key_check(struct doe_ctx *ctx, EVP_PKEY *key, uint32_t asym, const char *what)
{
	int id = EVP_PKEY_get_base_id(key), bits = EVP_PKEY_get_bits(key);
	char group[32] = "";
	bool ok = false;

	if (is_rsa(asym)) {
		int want = spdm_sig_size(asym) * 8;

		ok = (id == EVP_PKEY_RSA || (id == EVP_PKEY_RSA_PSS && is_pss(asym))) &&
		     bits == want;
	} else if (is_ecdsa(asym)) {
		const char *want = asym == SPDM_ASYM_ECDSA_P256   ? "prime256v1"
				   : asym == SPDM_ASYM_ECDSA_P384 ? "secp384r1"
								  : "secp521r1";

		if (id == EVP_PKEY_EC)
			EVP_PKEY_get_group_name(key, group, sizeof(group), NULL);
		ok = id == EVP_PKEY_EC && !strcmp(group, want);
	} else if (asym == SPDM_ASYM_EDDSA_25519) {
		ok = id == EVP_PKEY_ED25519;
	} else if (asym == SPDM_ASYM_EDDSA_448) {
		ok = id == EVP_PKEY_ED448;
	}
	if (ok)
		return 0;
	return doe_err(ctx, -EKEYREJECTED, "%s key is %s %d bits%s%s, negotiated %s", what,
		       OBJ_nid2sn(id), bits, group[0] ? " " : "", group, spdm_asym_name(asym));
}

const char *spdm_sign_context_string(uint8_t op)
{
	switch (op) {
	case SPDM_CHALLENGE_AUTH: return SPDM_CTX_CHALLENGE_AUTH;
	case SPDM_MEASUREMENTS: return SPDM_CTX_MEASUREMENTS;
	case SPDM_CODE_KEY_EXCHANGE_RSP: return SPDM_CTX_KEY_EXCHANGE_RSP;
	case SPDM_CODE_FINISH: return SPDM_CTX_FINISH;
	}
	return NULL;
}

int spdm_signing_context(uint8_t ver, uint8_t op, uint8_t out[SPDM_SIGN_CONTEXT_SIZE])
{
	const char *s = spdm_sign_context_string(op);
	size_t n, i;

	if (!s || ver < SPDM_V12)
		return -EINVAL;
	/* "dmtf-spdm-v1.X.*" four times: X is the negotiated minor version */
	for (i = 0; i < 4; i++) {
		memcpy(out + 16 * i, "dmtf-spdm-v1.2.*", 16);
		out[16 * i + 11] = (uint8_t)('0' + (ver >> 4));
		out[16 * i + 13] = (uint8_t)('0' + (ver & 0xF));
	}
	/* 36-byte field: zero padding, then the context string at its end */
	n = strlen(s);
	memset(out + SPDM_SIGN_PREFIX_SIZE, 0, 36 - n);
	memcpy(out + SPDM_SIGN_CONTEXT_SIZE - n, s, n);
	return 0;
}

/* What the signer gets for (ver, op, th): a digest for ECDSA/RSA, the whole
 * message for EdDSA, and the EdDSA context (Ed448 only). */
struct tbs {
	uint8_t buf[SPDM_SIGN_CONTEXT_SIZE + SPDM_MAX_HASH_SIZE];
	size_t len;
	const uint8_t *ectx;
	size_t ectx_len;
};

static int prepare(struct doe_ctx *ctx, uint8_t ver, uint32_t asym, uint32_t hash, uint8_t op,
		   const uint8_t *th, struct tbs *t)
{
	size_t hs = spdm_hash_size(hash);

	t->ectx = NULL;
	t->ectx_len = 0;
	if (!hs || !spdm_sig_size(asym))
		return doe_err(ctx, -EINVAL, "signature: algorithm %s / %s not supported",
			       spdm_asym_name(asym), spdm_hash_name(hash));
	if (ver < SPDM_V12) {
		/* 1.0/1.1: the transcript hash itself is signed as a digest */
		memcpy(t->buf, th, hs);
		t->len = hs;
		return 0;
	}
	TRY(spdm_signing_context(ver, op, t->buf));
	memcpy(t->buf + SPDM_SIGN_CONTEXT_SIZE, th, hs);
	t->len = SPDM_SIGN_CONTEXT_SIZE + hs;
	if (is_eddsa(asym)) {
		if (asym == SPDM_ASYM_EDDSA_448) {
			t->ectx = (const uint8_t *)spdm_sign_context_string(op);
			t->ectx_len = strlen((const char *)t->ectx);
		}
		return 0;
	}
	/* ECDSA/RSA: the signature is over hash(context || th) */
	TRY(spdm_hash_all(ctx, hash, t->buf, t->len, t->buf));
	t->len = hs;
	return 0;
}

static int evp_sign_keep(struct spdm_pkey_keep *keep, EVP_PKEY *key, uint32_t asym,
			 uint32_t hash, const uint8_t *data, size_t data_len, uint8_t *sig,
			 size_t sig_len);

int spdm_sign_th(struct doe_ctx *ctx, const struct spdm_signer_ops *ops, void *priv,
		 uint8_t ver, uint32_t asym, uint32_t hash, uint8_t op, const uint8_t *th,
		 uint8_t *sig, size_t sig_len)
{
	return spdm_sign_th_keep(ctx, NULL, ops, priv, ver, asym, hash, op, th, sig, sig_len);
}

int spdm_sign_th_keep(struct doe_ctx *ctx, struct spdm_pkey_keep *keep,
		      const struct spdm_signer_ops *ops, void *priv, uint8_t ver, uint32_t asym,
		      uint32_t hash, uint8_t op, const uint8_t *th, uint8_t *sig, size_t sig_len)
{
	struct tbs t;
	int rc;

	if (sig_len != spdm_sig_size(asym))
		return doe_err(ctx, -EINVAL, "signature: %zu bytes for %s", sig_len,
			       spdm_asym_name(asym));
	TRY(prepare(ctx, ver, asym, hash, op, th, &t));
	if (keep && ops == spdm_evp_signer() && !is_eddsa(asym))
		rc = evp_sign_keep(keep, priv, asym, hash, t.buf, t.len, sig, sig_len);
	else
		rc = ops->sign(priv, asym, hash, t.buf, t.len, t.ectx, t.ectx_len, sig, sig_len);
	OPENSSL_cleanse(&t, sizeof(t));
	ERR_clear_error();
	if (rc < 0 && asym == SPDM_ASYM_EDDSA_448 && ver >= SPDM_V12 && !spdm_ed448_ctx_supported())
		return doe_err(ctx, -EOPNOTSUPP,
			       "%s: Ed448 with the SPDM context string needs OpenSSL 3.2 or later (this is %s)",
			       spdm_code_name(op), OpenSSL_version(OPENSSL_VERSION));
	if (rc < 0)
		return doe_err(ctx, rc, "%s: signing with %s failed", spdm_code_name(op),
			       spdm_asym_name(asym));
	return 0;
}

/* ---- the software signer and the verifier ------------------------------ */

static EVP_PKEY_CTX *pkey_ctx_for(EVP_PKEY *key, uint32_t asym, uint32_t hash, bool sign)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);

	if (!pc)
		return NULL;
	if ((sign ? EVP_PKEY_sign_init(pc) : EVP_PKEY_verify_init(pc)) != 1)
		goto fail;
	if (is_rsa(asym) && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, is_pss(asym) ? RSA_PKCS1_PSS_PADDING
							 : RSA_PKCS1_PADDING) != 1)
		goto fail;
	if (EVP_PKEY_CTX_set_signature_md(pc, spdm_md(hash)) != 1)
		goto fail;
	if (is_pss(asym) && EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) != 1)
		goto fail;
	return pc;
fail:
	EVP_PKEY_CTX_free(pc);
	return NULL;
}

void spdm_pkey_keep_free(struct spdm_pkey_keep *k)
{
	if (!k)
		return;
	EVP_PKEY_CTX_free(k->pc);
	memset(k, 0, sizeof(*k));
}

/* The context for (key, asym, hash, sign): keep's when it is for those,
 * else a new one, kept. NULL keep: a new one the caller frees. */
static EVP_PKEY_CTX *keep_ctx(struct spdm_pkey_keep *k, EVP_PKEY *key, uint32_t asym,
			      uint32_t hash, bool sign)
{
	if (!k)
		return pkey_ctx_for(key, asym, hash, sign);
	if (k->pc && k->key == key && k->asym == asym && k->hash == hash && k->sign == sign)
		return k->pc;
	spdm_pkey_keep_free(k);
	k->pc = pkey_ctx_for(key, asym, hash, sign);
	if (k->pc) {
		k->key = key;
		k->asym = asym;
		k->hash = hash;
		k->sign = sign;
	}
	return k->pc;
}

/* After use: a context nobody keeps is freed; a kept one is dropped after
 * a failure (it is not reused in a state we did not test). */
static void keep_done(struct spdm_pkey_keep *k, EVP_PKEY_CTX *pc, bool ok)
{
	if (!k)
		EVP_PKEY_CTX_free(pc);
	else if (!ok)
		spdm_pkey_keep_free(k);
}

/* OpenSSL before 3.2 accepts and silently ignores the Ed448 context string,
 * which would make signatures that no other SPDM implementation verifies:
 * refuse instead. */
bool spdm_ed448_ctx_supported(void)
{
	EVP_SIGNATURE *sig = EVP_SIGNATURE_fetch(NULL, "ED448", NULL);
	const OSSL_PARAM *p = sig ? EVP_SIGNATURE_settable_ctx_params(sig) : NULL;
	bool ok = p && OSSL_PARAM_locate_const(p, "context-string");

	EVP_SIGNATURE_free(sig);
	return ok;
}

static int eddsa_init(EVP_MD_CTX *mc, EVP_PKEY *key, const uint8_t *ectx, size_t ectx_len,
		      bool sign)
{
	OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };

	if (ectx_len && !spdm_ed448_ctx_supported())
		return 0;
	if (ectx_len)
		params[0] = OSSL_PARAM_construct_octet_string("context-string", (void *)ectx,
							      ectx_len);
	return sign ? EVP_DigestSignInit_ex(mc, NULL, NULL, NULL, NULL, key, params)
		    : EVP_DigestVerifyInit_ex(mc, NULL, NULL, NULL, NULL, key, params);
}

/* ECDSA-Sig-Value (SEC 1, RFC 5480): SEQUENCE { r INTEGER, s INTEGER } in
 * DER; SPDM carries r||s, each half big-endian and zero-padded. Converted
 * here by hand: ECDSA_SIG and two BIGNUMs cost six allocations per
 * signature for a few bytes of framing. */

/* Length of a half as a DER INTEGER (minimal: leading zero bytes dropped,
 * one kept for zero, 0x00 in front when the top bit is set). */
static size_t der_uint_len(const uint8_t *v, size_t n)
{
	while (n > 1 && !v[0]) {
		v++;
		n--;
	}
	return 2 + n + (v[0] >> 7);
}

static void der_put_uint(struct doe_wr *w, const uint8_t *v, size_t n)
{
	while (n > 1 && !v[0]) {
		v++;
		n--;
	}
	doe_wr_u8(w, 0x02);
	doe_wr_u8(w, (uint8_t)(n + (v[0] >> 7)));
	if (v[0] & 0x80)
		doe_wr_u8(w, 0x00);
	doe_wr_bytes(w, v, n);
}

/* r||s (2 * half bytes, half <= 66) as DER in out; its length, 0 if cap is
 * short. The bytes i2d_ECDSA_SIG() makes (DER has one encoding). */
size_t spdm_ecdsa_rs_to_der(const uint8_t *sig, size_t half, uint8_t *out, size_t cap)
{
	size_t body = der_uint_len(sig, half) + der_uint_len(sig + half, half);
	struct doe_wr w;

	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, 0x30);
	if (body >= 0x80)
		doe_wr_u8(&w, 0x81);	/* at most 2 * 69 bytes: one length byte */
	doe_wr_u8(&w, (uint8_t)body);
	der_put_uint(&w, sig, half);
	der_put_uint(&w, sig + half, half);
	return doe_wr_ok(&w) ? doe_wr_len(&w) : 0;
}

/* Our signer's DER back to r||s: exactly two non-negative INTEGERs that
 * fit half bytes each, nothing after them; else -EIO. */
int spdm_ecdsa_der_to_rs(const uint8_t *der, size_t len, uint8_t *sig, size_t half)
{
	struct doe_rd r;
	uint8_t tag, l;
	size_t body;

	doe_rd_init(&r, der, len);
	if (doe_rd_u8(&r, &tag) || tag != 0x30 || doe_rd_u8(&r, &l))
		return -EIO;
	body = l;
	if (l == 0x81) {
		if (doe_rd_u8(&r, &l) || l < 0x80)
			return -EIO;
		body = l;
	} else if (l & 0x80) {
		return -EIO;
	}
	if (body != doe_rd_left(&r))
		return -EIO;
	for (size_t i = 0; i < 2; i++) {
		const uint8_t *v;
		size_t n;

		if (doe_rd_u8(&r, &tag) || tag != 0x02 || doe_rd_u8(&r, &l) || !l || (l & 0x80) ||
		    !(v = doe_rd_take(&r, l)) || (v[0] & 0x80))
			return -EIO;
		for (n = l; n > 1 && !v[0]; n--)
			v++;
		if (n > half)
			return -EIO;
		memset(sig + i * half, 0, half - n);
		memcpy(sig + i * half + half - n, v, n);
	}
	return doe_rd_left(&r) ? -EIO : 0;
}

static int evp_sign(void *priv, uint32_t asym, uint32_t hash, const uint8_t *data,
		    size_t data_len, const uint8_t *ectx, size_t ectx_len, uint8_t *sig,
		    size_t sig_len)
{
	EVP_PKEY *key = priv;
	size_t n;
	int rc = -EIO;

	if (is_eddsa(asym)) {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();

		n = sig_len;
		if (mc && eddsa_init(mc, key, ectx, ectx_len, true) == 1 &&
		    EVP_DigestSign(mc, sig, &n, data, data_len) == 1 && n == sig_len)
			rc = 0;
		EVP_MD_CTX_free(mc);
		return rc;
	}
	return evp_sign_keep(NULL, key, asym, hash, data, data_len, sig, sig_len);
}

/* ECDSA/RSA signing with keep's context (NULL: one for this call). */
static int evp_sign_keep(struct spdm_pkey_keep *keep, EVP_PKEY *key, uint32_t asym,
			 uint32_t hash, const uint8_t *data, size_t data_len, uint8_t *sig,
			 size_t sig_len)
{
	uint8_t der[SPDM_MAX_SIG_SIZE + 16];
	size_t n = sizeof(der);
	int rc = -EIO;
	EVP_PKEY_CTX *pc = keep_ctx(keep, key, asym, hash, true);

	if (!pc)
		return -EIO;
	if (EVP_PKEY_sign(pc, der, &n, data, data_len) != 1)
		goto out;
	if (is_rsa(asym)) {
		if (n == sig_len) {
			memcpy(sig, der, n);
			rc = 0;
		}
	} else {
		rc = spdm_ecdsa_der_to_rs(der, n, sig, sig_len / 2);
	}
out:
	OPENSSL_cleanse(der, sizeof(der));
	keep_done(keep, pc, rc == 0);
	return rc;
}

static const struct spdm_signer_ops evp_signer = { .sign = evp_sign };

const struct spdm_signer_ops *spdm_evp_signer(void)
{
	return &evp_signer;
}

int spdm_verify_th(struct doe_ctx *ctx, EVP_PKEY *pub, uint8_t ver, uint32_t asym,
		   uint32_t hash, uint8_t op, const uint8_t *th, const uint8_t *sig,
		   size_t sig_len)
{
	return spdm_verify_th_keep(ctx, NULL, pub, ver, asym, hash, op, th, sig, sig_len);
}

int spdm_verify_th_keep(struct doe_ctx *ctx, struct spdm_pkey_keep *keep, EVP_PKEY *pub,
			uint8_t ver, uint32_t asym, uint32_t hash, uint8_t op, const uint8_t *th,
			const uint8_t *sig, size_t sig_len)
{
	const char *what = spdm_code_name(op);
	struct tbs t;
	int ok = 0;

	if (sig_len != spdm_sig_size(asym))
		return doe_err(ctx, -EBADMSG, "%s: Signature is %zu bytes, %s needs %zu", what,
			       sig_len, spdm_asym_name(asym), spdm_sig_size(asym));
	TRY(spdm_key_check(ctx, pub, asym, "leaf certificate"));
	TRY(prepare(ctx, ver, asym, hash, op, th, &t));
	if (is_eddsa(asym)) {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();

		ok = mc && eddsa_init(mc, pub, t.ectx, t.ectx_len, false) == 1 &&
		     EVP_DigestVerify(mc, sig, sig_len, t.buf, t.len) == 1;
		EVP_MD_CTX_free(mc);
	} else if (is_rsa(asym)) {
		EVP_PKEY_CTX *pc = keep_ctx(keep, pub, asym, hash, false);

		ok = pc && EVP_PKEY_verify(pc, sig, sig_len, t.buf, t.len) == 1;
		keep_done(keep, pc, ok);
	} else {
		/* SPDM carries r||s; OpenSSL verifies DER: rebuild it */
		uint8_t der[SPDM_MAX_SIG_SIZE + 16];
		size_t dlen = spdm_ecdsa_rs_to_der(sig, sig_len / 2, der, sizeof(der));

		if (dlen) {
			EVP_PKEY_CTX *pc = keep_ctx(keep, pub, asym, hash, false);

			ok = pc && EVP_PKEY_verify(pc, der, dlen, t.buf, t.len) == 1;
			keep_done(keep, pc, ok);
		}
	}
	ERR_clear_error();	/* a failed verify leaves reasons in the thread's queue */
	if (!ok && t.ectx_len && !spdm_ed448_ctx_supported())
		return doe_err(ctx, -EOPNOTSUPP,
			       "%s: Ed448 with the SPDM context string needs OpenSSL 3.2 or later (this is %s)",
			       what, OpenSSL_version(OPENSSL_VERSION));
	if (!ok)
		return doe_err(ctx, -EKEYREJECTED, "%s: Signature does not verify (%s, %s, SPDM %u.%u)",
			       what, spdm_asym_name(asym), spdm_hash_name(hash), ver >> 4, ver & 0xF);
	return 0;
}
