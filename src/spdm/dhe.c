// SPDX-License-Identifier: MIT
/*
 * Ephemeral Diffie-Hellman for KEY_EXCHANGE (DSP0274 "KEY_EXCHANGE",
 * ExchangeData), on OpenSSL EVP.
 *
 * On the wire: secpNNNr1 sends X || Y, each big-endian and as long as the
 * field (no 0x04 prefix); ffdheNNNN sends the public value big-endian,
 * left-padded to the group's size. The shared secret is the X coordinate
 * of the shared point (field-sized), or the FFDHE secret left-padded to
 * the group size, as libspdm computes them. Every peer value is checked
 * (point on the curve; 1 < y < p-1 and in the subgroup) before use: a
 * small-subgroup or invalid-curve value must not reach the key schedule.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "internal.h"
#include "session_int.h"

static const struct dhe_group {
	uint16_t bit;
	const char *name;	/* ours and the ALGORITHMS table's */
	const char *ossl;	/* OpenSSL group name */
	bool ec;
	uint16_t size;		/* ExchangeData bytes */
	uint16_t secret;	/* shared secret bytes */
} groups[] = {
	{ SPDM_DHE_SECP256R1, "secp256r1", "P-256", true, 64, 32 },
	{ SPDM_DHE_SECP384R1, "secp384r1", "P-384", true, 96, 48 },
	{ SPDM_DHE_SECP521R1, "secp521r1", "P-521", true, 132, 66 },
	{ SPDM_DHE_FFDHE2048, "ffdhe2048", "ffdhe2048", false, 256, 256 },
	{ SPDM_DHE_FFDHE3072, "ffdhe3072", "ffdhe3072", false, 384, 384 },
	{ SPDM_DHE_FFDHE4096, "ffdhe4096", "ffdhe4096", false, 512, 512 },
};

static const struct dhe_group *group(uint16_t bit)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].bit == bit)
			return &groups[i];
	return NULL;
}

size_t spdm_dhe_size(uint16_t bit)
{
	const struct dhe_group *g = group(bit);

	return g ? g->size : 0;
}

size_t spdm_dhe_secret_size(uint16_t bit)
{
	const struct dhe_group *g = group(bit);

	return g ? g->secret : 0;
}

const char *spdm_dhe_name(uint16_t bit)
{
	const struct dhe_group *g = group(bit);

	return g ? g->name : "unknown";
}

int spdm_dhe_parse(const char *name, uint16_t *bit)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcmp(name, groups[i].name))
			return *bit = groups[i].bit, 0;
	return -EINVAL;
}

static int pub_bytes(struct doe_ctx *ctx, const struct dhe_group *g, EVP_PKEY *key,
		     uint8_t *pub)
{
	if (g->ec) {
		uint8_t pt[1 + SPDM_DHE_MAX_SIZE];
		size_t n = 0;

		if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
						    sizeof(pt), &n) != 1 ||
		    n != 1u + g->size || pt[0] != 0x04)
			return doe_err(ctx, -EIO, "%s: cannot encode the public key", g->name);
		memcpy(pub, pt + 1, g->size);
	} else {
		BIGNUM *y = NULL;
		int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) == 1 &&
			 BN_bn2binpad(y, pub, g->size) == g->size;

		BN_free(y);
		if (!ok)
			return doe_err(ctx, -EIO, "%s: cannot encode the public key", g->name);
	}
	return 0;
}

int spdm_dhe_keygen(struct doe_ctx *ctx, uint16_t bit, EVP_PKEY **key, uint8_t *pub)
{
	const struct dhe_group *g = group(bit);
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *pc;
	int rc;

	*key = NULL;
	if (!g)
		return doe_err(ctx, -EINVAL, "DHE group 0x%x not supported", bit);
	pc = EVP_PKEY_CTX_new_from_name(NULL, g->ec ? "EC" : "DH", NULL);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->ossl, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!pc || EVP_PKEY_keygen_init(pc) != 1 || EVP_PKEY_CTX_set_params(pc, params) != 1 ||
	    EVP_PKEY_generate(pc, key) != 1) {
		EVP_PKEY_CTX_free(pc);
		return doe_err(ctx, -EIO, "%s: key generation failed", g->name);
	}
	EVP_PKEY_CTX_free(pc);
	rc = pub_bytes(ctx, g, *key, pub);
	if (rc) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	return rc;
}

/* The peer's ExchangeData as a checked public key; ours gives the group. */
static int peer_key(struct doe_ctx *ctx, const struct dhe_group *g, EVP_PKEY *ours,
		    const uint8_t *peer, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *b = NULL;
	uint8_t pt[1 + SPDM_DHE_MAX_SIZE];
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL, *cc = NULL;
	BIGNUM *y = NULL;
	int rc = -EIO;
	bool ok;

	*out = NULL;
	if (g->ec) {
		/* our key's group copied, the point set on it: OpenSSL builds
		 * no new group from its name (as importing by name would) */
		pt[0] = 0x04;	/* uncompressed point: the wire carries X || Y */
		memcpy(pt + 1, peer, g->size);
		if (!(*out = EVP_PKEY_new()) || EVP_PKEY_copy_parameters(*out, ours) != 1)
			goto out;
		rc = -EBADMSG;	/* not on the curve: oct2point refuses it */
		if (EVP_PKEY_set1_encoded_public_key(*out, pt, 1u + g->size) != 1)
			goto out;
		goto check;
	}
	/* FFDHE: the public value imported with the group's name */
	b = OSSL_PARAM_BLD_new();
	y = BN_bin2bn(peer, g->size, NULL);
	ok = b && y && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl, 0) &&
	     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PUB_KEY, y);
	params = ok ? OSSL_PARAM_BLD_to_param(b) : NULL;
	pc = params ? EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL) : NULL;
	if (!pc || EVP_PKEY_fromdata_init(pc) != 1)
		goto out;
	rc = -EBADMSG;
	if (EVP_PKEY_fromdata(pc, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	/*
	 * secpNNNr1 have cofactor 1, so every point on the curve but infinity
	 * has the group's order: partial validation (not infinity, coordinates
	 * in range, on the curve; NIST SP 800-56A rev. 3 §5.6.2.3.4) is the
	 * whole check, and the full one would only add a scalar multiplication
	 * by the order. FFDHE keeps the full check (1 < y < p-1, y^q = 1).
	 */
check:
	cc = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
	if (!cc || (g->ec ? EVP_PKEY_public_check_quick(cc) : EVP_PKEY_public_check(cc)) != 1)
		goto out;
	rc = 0;
out:
	if (rc) {
		EVP_PKEY_free(*out);
		*out = NULL;
		rc = rc == -EBADMSG ? doe_err(ctx, rc, "%s: the peer's ExchangeData is not a valid public key",
					      g->name)
				    : doe_err(ctx, rc, "%s: cannot import the peer's key", g->name);
	}
	EVP_PKEY_CTX_free(cc);
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_free(y);
	return rc;
}

int spdm_dhe_derive(struct doe_ctx *ctx, uint16_t bit, EVP_PKEY *key, const uint8_t *peer,
		    uint8_t *secret, size_t *len)
{
	const struct dhe_group *g = group(bit);
	EVP_PKEY_CTX *dc = NULL;
	EVP_PKEY *pk = NULL;
	size_t n;
	int rc;

	if (!g || !key)
		return doe_err(ctx, -EINVAL, "DHE group 0x%x not supported", bit);
	TRY(peer_key(ctx, g, key, peer, &pk));
	n = g->secret;
	dc = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	/* pk was checked by peer_key(): no second check in set_peer */
	rc = dc && EVP_PKEY_derive_init(dc) == 1 && EVP_PKEY_derive_set_peer_ex(dc, pk, 0) == 1 &&
	     (g->ec || EVP_PKEY_CTX_set_dh_pad(dc, 1) == 1) &&
	     EVP_PKEY_derive(dc, secret, &n) == 1 && n == g->secret ? 0 : -EIO;
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(pk);
	if (rc) {
		OPENSSL_cleanse(secret, g->secret);
		return doe_err(ctx, rc, "%s: key agreement failed", g->name);
	}
	*len = n;
	return 0;
}
