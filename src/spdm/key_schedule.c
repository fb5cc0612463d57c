// SPDX-License-Identifier: MIT
/*
 * The SPDM key schedule (DSP0274 1.1-1.3, "Key schedule"), on OpenSSL's
 * HKDF and HMAC. Every label goes through bin_concat():
 *
 *   bin_concat(Length, Label, Context) =
 *       Length (u16 LE) || "spdm1.N " || Label || Context
 *
 * with N the negotiated minor version: 1.1, 1.2 and 1.3 sessions differ in
 * this prefix, so a version mix-up shows up as a verify-data mismatch, not
 * as silently shared keys.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <doekit/spdm_session.h>
#include "internal.h"
#include "spdm_int.h"

#define BIN_CONCAT_MAX (2 + 8 + 16 + SPDM_KS_MAX_HASH)

/* Returns the bytes written to out (BIN_CONCAT_MAX bytes available). */
static size_t bin_concat(const struct spdm_keys *ks, uint16_t length, const char *label,
			 const uint8_t *context, uint8_t *out)
{
	size_t n = 0, ll = strlen(label);

	out[n++] = (uint8_t)length;
	out[n++] = (uint8_t)(length >> 8);
	memcpy(out + n, "spdm1.x ", 8);
	out[n + 6] = (uint8_t)('0' + (ks->version & 0xF));
	n += 8;
	memcpy(out + n, label, ll);
	n += ll;
	if (context) {
		memcpy(out + n, context, ks->hash_size);
		n += ks->hash_size;
	}
	return n;
}

/*
 * One HKDF context per step of the schedule (handshake, data phase, a
 * direction's update): fetched and given its digest once, then each
 * derivation passes only mode, key, salt and info. Freeing it wipes the
 * key and info it holds.
 */
static EVP_KDF_CTX *kdf_new(struct doe_ctx *ctx, const struct spdm_keys *ks)
{
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)EVP_MD_get0_name(spdm_md(ks->hash_algo)), 0),
		OSSL_PARAM_END,
	};
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;

	EVP_KDF_free(kdf);	/* kc holds its own reference */
	if (kc && EVP_KDF_CTX_set_params(kc, params) != 1) {
		EVP_KDF_CTX_free(kc);
		kc = NULL;
	}
	if (!kc)
		doe_err(ctx, -ENOMEM, "HKDF unavailable");
	return kc;
}

static int hkdf(struct doe_ctx *ctx, EVP_KDF_CTX *kc, int mode, const uint8_t *key,
		size_t key_len, const uint8_t *salt, size_t salt_len, const uint8_t *info,
		size_t info_len, uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[5], *p = params;

	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
							 salt_len);
	if (info)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
							 info_len);
	*p = OSSL_PARAM_construct_end();
	return EVP_KDF_derive(kc, out, out_len, params) == 1 ? 0 : doe_err(ctx, -EIO, "HKDF failed");
}

/* HKDF-Expand(secret, bin_concat(out_len, label, context)) */
static int expand(struct doe_ctx *ctx, EVP_KDF_CTX *kc, const struct spdm_keys *ks,
		  const uint8_t *secret, const char *label, const uint8_t *context, uint8_t *out,
		  size_t out_len)
{
	uint8_t info[BIN_CONCAT_MAX];
	size_t n = bin_concat(ks, (uint16_t)out_len, label, context, info);

	return hkdf(ctx, kc, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, ks->hash_size, NULL, 0, info,
		    n, out, out_len);
}

int spdm_keys_init(struct doe_ctx *ctx, struct spdm_keys *ks, uint8_t version,
		   uint32_t hash_algo, uint16_t aead)
{
	memset(ks, 0, sizeof(*ks));
	if (version < 0x11 || version > 0x13)
		return doe_err(ctx, -EINVAL, "sessions need SPDM 1.1-1.3, not %u.%u", version >> 4,
			       version & 0xF);
	if (!spdm_md(hash_algo))
		return doe_err(ctx, -EINVAL, "session hash 0x%x not supported", hash_algo);
	switch (aead) {
	case SPDM_AEAD_AES_128_GCM: ks->key_size = 16; break;
	case SPDM_AEAD_AES_256_GCM:
	case SPDM_AEAD_CHACHA20_POLY1305: ks->key_size = 32; break;
	default: return doe_err(ctx, -EINVAL, "AEAD 0x%x not supported", aead);
	}
	ks->version = version;
	ks->hash_algo = hash_algo;
	ks->hash_size = (uint8_t)spdm_hash_size(hash_algo);
	ks->aead = aead;
	return 0;
}

/* A direction's key and IV from its (handshake or data) secret. */
static int dir_keys(struct doe_ctx *ctx, EVP_KDF_CTX *kc, const struct spdm_keys *ks,
		    struct spdm_dir_keys *d)
{
	TRY(expand(ctx, kc, ks, d->secret, "key", NULL, d->key, ks->key_size));
	TRY(expand(ctx, kc, ks, d->secret, "iv", NULL, d->iv, SPDM_AEAD_IV_SIZE));
	d->seq = 0;
	return 0;
}

int spdm_keys_handshake(struct doe_ctx *ctx, struct spdm_keys *ks, const uint8_t *shared,
			size_t shared_len, bool psk, const uint8_t *th1)
{
	uint8_t salt0[SPDM_KS_MAX_HASH];
	size_t h = ks->hash_size;
	EVP_KDF_CTX *kc;
	int rc;

	if (!h || ks->phase != SPDM_KS_NONE)
		return doe_err(ctx, -EINVAL, "key schedule: handshake out of order");
	if (!shared_len)
		return doe_err(ctx, -EINVAL, "key schedule: empty %s", psk ? "PSK" : "DHE secret");
	if (!(kc = kdf_new(ctx, ks)))
		return -ENOMEM;
	/* DSP0274 1.3 "Key schedule": a PSK session's Salt_0 is all 0xFF from
	 * 1.3 on (so a PSK can never yield the same keys as an equal DHE
	 * secret); zeros before and for DHE. */
	memset(salt0, psk && ks->version >= 0x13 ? 0xFF : 0x00, h);
	rc = hkdf(ctx, kc, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, shared, shared_len, salt0, h, NULL, 0,
		  ks->handshake_secret, h);
	if (!rc)
		rc = expand(ctx, kc, ks, ks->handshake_secret, "req hs data", th1, ks->req.secret, h);
	if (!rc)
		rc = expand(ctx, kc, ks, ks->handshake_secret, "rsp hs data", th1, ks->rsp.secret, h);
	if (!rc)
		rc = expand(ctx, kc, ks, ks->req.secret, "finished", NULL, ks->req_finished_key, h);
	if (!rc)
		rc = expand(ctx, kc, ks, ks->rsp.secret, "finished", NULL, ks->rsp_finished_key, h);
	if (!rc)
		rc = dir_keys(ctx, kc, ks, &ks->req);
	if (!rc)
		rc = dir_keys(ctx, kc, ks, &ks->rsp);
	EVP_KDF_CTX_free(kc);
	if (rc) {
		spdm_keys_wipe(ks);
		return rc;
	}
	ks->phase = SPDM_KS_HANDSHAKE;
	return 0;
}

int spdm_keys_verify_data(struct doe_ctx *ctx, const struct spdm_keys *ks, bool requester,
			  const uint8_t *th, uint8_t *out)
{
	const uint8_t *key = requester ? ks->req_finished_key : ks->rsp_finished_key;
	const char *md = EVP_MD_get0_name(spdm_md(ks->hash_algo));
	size_t n = 0;

	if (ks->phase != SPDM_KS_HANDSHAKE)
		return doe_err(ctx, -EINVAL, "key schedule: verify data outside the handshake");
	if (!EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key, ks->hash_size, th, ks->hash_size, out,
		       ks->hash_size, &n) ||
	    n != ks->hash_size)
		return doe_err(ctx, -EIO, "HMAC failed");
	return 0;
}

int spdm_keys_check_verify_data(struct doe_ctx *ctx, const struct spdm_keys *ks, bool requester,
				const uint8_t *th, const uint8_t *got)
{
	uint8_t want[SPDM_KS_MAX_HASH];
	int rc = spdm_keys_verify_data(ctx, ks, requester, th, want);

	if (rc == 0 && CRYPTO_memcmp(want, got, ks->hash_size))
		rc = doe_err(ctx, -EBADMSG, "%s does not match (a wrong key or a changed handshake)",
			     requester ? "RequesterVerifyData" : "ResponderVerifyData");
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int spdm_keys_data(struct doe_ctx *ctx, struct spdm_keys *ks, const uint8_t *th2)
{
	uint8_t salt1[SPDM_KS_MAX_HASH], zeros[SPDM_KS_MAX_HASH] = { 0 };
	uint8_t master[SPDM_KS_MAX_HASH];
	size_t h = ks->hash_size;
	EVP_KDF_CTX *kc;
	int rc;

	if (ks->phase != SPDM_KS_HANDSHAKE)
		return doe_err(ctx, -EINVAL, "key schedule: data keys before the handshake");
	if (!(kc = kdf_new(ctx, ks)))
		return -ENOMEM;
	rc = expand(ctx, kc, ks, ks->handshake_secret, "derived", NULL, salt1, h);
	if (!rc)	/* Master-Secret = HKDF-Extract(Salt_1, 0_filled) */
		rc = hkdf(ctx, kc, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, zeros, h, salt1, h, NULL, 0,
			  master, h);
	if (!rc)
		rc = expand(ctx, kc, ks, master, "req app data", th2, ks->req.secret, h);
	if (!rc)
		rc = expand(ctx, kc, ks, master, "rsp app data", th2, ks->rsp.secret, h);
	if (!rc)
		rc = expand(ctx, kc, ks, master, "exp master", th2, ks->export_master, h);
	if (!rc)
		rc = dir_keys(ctx, kc, ks, &ks->req);
	if (!rc)
		rc = dir_keys(ctx, kc, ks, &ks->rsp);
	EVP_KDF_CTX_free(kc);
	OPENSSL_cleanse(salt1, sizeof(salt1));
	OPENSSL_cleanse(master, sizeof(master));
	if (rc) {
		spdm_keys_wipe(ks);
		return rc;
	}
	OPENSSL_cleanse(ks->handshake_secret, sizeof(ks->handshake_secret));
	OPENSSL_cleanse(ks->req_finished_key, sizeof(ks->req_finished_key));
	OPENSSL_cleanse(ks->rsp_finished_key, sizeof(ks->rsp_finished_key));
	ks->phase = SPDM_KS_DATA;
	return 0;
}

static int update_dir(struct doe_ctx *ctx, const struct spdm_keys *ks, struct spdm_dir_keys *d,
		      struct spdm_dir_keys *prev, bool *prev_valid)
{
	struct spdm_dir_keys next;
	EVP_KDF_CTX *kc;
	int rc;

	if (!(kc = kdf_new(ctx, ks)))
		return -ENOMEM;
	memset(&next, 0, sizeof(next));
	rc = expand(ctx, kc, ks, d->secret, "traffic upd", NULL, next.secret, ks->hash_size);
	if (!rc)
		rc = dir_keys(ctx, kc, ks, &next);
	EVP_KDF_CTX_free(kc);
	if (rc) {
		OPENSSL_cleanse(&next, sizeof(next));
		return rc;
	}
	*prev = *d;
	*prev_valid = true;
	*d = next;
	OPENSSL_cleanse(&next, sizeof(next));
	return 0;
}

int spdm_keys_update(struct doe_ctx *ctx, struct spdm_keys *ks, bool req_dir, bool rsp_dir)
{
	if (ks->phase != SPDM_KS_DATA)
		return doe_err(ctx, -EINVAL, "key schedule: key update before the data phase");
	/* one unconfirmed update per direction: its old keys are the only way
	 * back if the peer did not follow */
	if ((req_dir && ks->req_prev_valid) || (rsp_dir && ks->rsp_prev_valid))
		return doe_err(ctx, -EBUSY, "key schedule: a key update is still unconfirmed");
	if (req_dir)
		TRY(update_dir(ctx, ks, &ks->req, &ks->req_prev, &ks->req_prev_valid));
	if (rsp_dir) {
		int rc = update_dir(ctx, ks, &ks->rsp, &ks->rsp_prev, &ks->rsp_prev_valid);

		if (rc) {
			if (req_dir) {
				ks->req = ks->req_prev;
				OPENSSL_cleanse(&ks->req_prev, sizeof(ks->req_prev));
				ks->req_prev_valid = false;
			}
			return rc;
		}
	}
	return 0;
}

void spdm_keys_update_commit(struct spdm_keys *ks)
{
	OPENSSL_cleanse(&ks->req_prev, sizeof(ks->req_prev));
	OPENSSL_cleanse(&ks->rsp_prev, sizeof(ks->rsp_prev));
	ks->req_prev_valid = ks->rsp_prev_valid = false;
}

void spdm_keys_update_rollback(struct spdm_keys *ks)
{
	if (ks->req_prev_valid)
		ks->req = ks->req_prev;
	if (ks->rsp_prev_valid)
		ks->rsp = ks->rsp_prev;
	spdm_keys_update_commit(ks);
}

void spdm_keys_wipe(struct spdm_keys *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}
