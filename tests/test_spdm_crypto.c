// SPDX-License-Identifier: MIT
/*
 * SPDM crypto (src/spdm/crypto.c): the DSP0274 1.2+ signing context byte
 * for byte, sign and verify with every algorithm and version rule, a wrong
 * key or key type fails, and signatures are checked independently with
 * plain OpenSSL calls so that both sides cannot share one mistake.
 */
#include <errno.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <doekit/ctx.h>
#include "spdm_int.h"
#include "t.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct doe_ctx *ctx;

#define RSA_MASK 0x6Fu	/* RSASSA and RSAPSS 2048/3072/4096 */

static void t_sizes_and_names(void)
{
	T_EQ(spdm_hash_size(SPDM_HASH_SHA256), 32);
	T_EQ(spdm_hash_size(SPDM_HASH_SHA3_384), 48);
	T_EQ(spdm_hash_size(SPDM_HASH_SHA512 | SPDM_HASH_SHA256), 0);	/* one bit only */
	T_EQ(spdm_sig_size(SPDM_ASYM_ECDSA_P521), 132);
	T_EQ(spdm_sig_size(SPDM_ASYM_EDDSA_448), 114);
	T_EQ(spdm_sig_size(SPDM_ASYM_RSAPSS_4096), 512);
	T_STREQ(spdm_asym_name(SPDM_ASYM_RSAPSS_3072), "RSAPSS-3072");
	T_STREQ(spdm_code_name(SPDM_CHALLENGE_AUTH), "CHALLENGE_AUTH");
	T_STREQ(spdm_error_name(SPDM_ERR_RESPONSE_NOT_READY), "ResponseNotReady");
}

static void t_hash_known_answer(void)
{
	static const uint8_t sha256_abc[4] = { 0xba, 0x78, 0x16, 0xbf };
	static const uint8_t sha3_256_abc[4] = { 0x3a, 0x98, 0x5d, 0xa7 };
	uint8_t h[64];

	T_EQ(spdm_hash_all(ctx, SPDM_HASH_SHA256, "abc", 3, h), 0);
	T_MEMEQ(h, sha256_abc, 4);
	T_EQ(spdm_hash_all(ctx, SPDM_HASH_SHA3_256, "abc", 3, h), 0);
	T_MEMEQ(h, sha3_256_abc, 4);
	T_EQ(spdm_hash_all(ctx, 0x40, "abc", 3, h), -EINVAL);	/* SM3: not ours */
	/* the context's fetched digest, again (kept), and without a context */
	memset(h, 0, sizeof(h));
	T_EQ(spdm_hash_all(ctx, SPDM_HASH_SHA256, "abc", 3, h), 0);
	T_MEMEQ(h, sha256_abc, 4);
	memset(h, 0, sizeof(h));
	T_EQ(spdm_hash_all(NULL, SPDM_HASH_SHA3_256, "abc", 3, h), 0);
	T_MEMEQ(h, sha3_256_abc, 4);
	T_TRUE(spdm_md_ctx(ctx, SPDM_HASH_SHA384) == spdm_md_ctx(ctx, SPDM_HASH_SHA384));
	T_EQ(EVP_MD_get_size(spdm_md_ctx(ctx, SPDM_HASH_SHA3_512)), 64);
	T_TRUE(spdm_md_ctx(ctx, SPDM_HASH_SHA256 | SPDM_HASH_SHA384) == NULL);
}

/* DSP0274 1.2 §15; libspdm libspdm_create_signing_context */
static void t_signing_context_bytes(void)
{
	uint8_t got[SPDM_SIGN_CONTEXT_SIZE], want[SPDM_SIGN_CONTEXT_SIZE];
	unsigned i;

	for (i = 0; i < 4; i++)
		memcpy(want + 16 * i, "dmtf-spdm-v1.2.*", 16);
	memset(want + 64, 0, 4);
	memcpy(want + 68, "responder-challenge_auth signing", 32);
	T_EQ(spdm_signing_context(SPDM_V12, SPDM_CHALLENGE_AUTH, got), 0);
	T_MEMEQ(got, want, sizeof(want));

	for (i = 0; i < 4; i++)
		memcpy(want + 16 * i, "dmtf-spdm-v1.3.*", 16);
	memset(want + 64, 0, 6);
	memcpy(want + 70, "responder-measurements signing", 30);
	T_EQ(spdm_signing_context(SPDM_V13, SPDM_MEASUREMENTS, got), 0);
	T_MEMEQ(got, want, sizeof(want));

	T_EQ(spdm_signing_context(SPDM_V11, SPDM_MEASUREMENTS, got), -EINVAL);	/* 1.2+ only */
}

struct key {
	uint32_t asym;
	EVP_PKEY *k, *other;
};

static struct key keys[] = {
	{ .asym = SPDM_ASYM_RSASSA_2048 }, { .asym = SPDM_ASYM_RSAPSS_2048 }, { .asym = SPDM_ASYM_RSASSA_3072 },
	{ .asym = SPDM_ASYM_RSAPSS_3072 }, { .asym = SPDM_ASYM_RSASSA_4096 }, { .asym = SPDM_ASYM_RSAPSS_4096 },
	{ .asym = SPDM_ASYM_ECDSA_P256 }, { .asym = SPDM_ASYM_ECDSA_P384 }, { .asym = SPDM_ASYM_ECDSA_P521 },
	{ .asym = SPDM_ASYM_EDDSA_25519 }, { .asym = SPDM_ASYM_EDDSA_448 },
};

static EVP_PKEY *gen(uint32_t asym)
{
	switch (asym) {
	case SPDM_ASYM_ECDSA_P256: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case SPDM_ASYM_ECDSA_P384: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case SPDM_ASYM_ECDSA_P521: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	case SPDM_ASYM_EDDSA_25519: return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case SPDM_ASYM_EDDSA_448: return EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	default: return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", spdm_sig_size(asym) * 8);
	}
}

static void gen_keys(void)
{
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(keys); i++) {
		/* RSASSA and RSAPSS of one size share keys */
		for (j = 0; j < i; j++)
			if (spdm_sig_size(keys[j].asym) == spdm_sig_size(keys[i].asym) &&
			    (keys[i].asym & RSA_MASK) && (keys[j].asym & RSA_MASK))
				break;
		if (j < i && keys[j].k) {
			keys[i].k = keys[j].k;
			keys[i].other = keys[j].other;
			EVP_PKEY_up_ref(keys[i].k);
			if (keys[i].other)
				EVP_PKEY_up_ref(keys[i].other);
			continue;
		}
		keys[i].k = gen(keys[i].asym);
		/* a second RSA-4096 key costs seconds under ASan: the wrong-key
		 * case is covered by the smaller RSA sizes */
		if (spdm_sig_size(keys[i].asym) != 512)
			keys[i].other = gen(keys[i].asym);
	}
}

static void t_sign_verify_every_algo(void)
{
	static const uint8_t vers[] = { SPDM_V10, SPDM_V11, SPDM_V12, SPDM_V13 };
	static const uint32_t hashes[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512,
					   SPDM_HASH_SHA3_256, SPDM_HASH_SHA3_384, SPDM_HASH_SHA3_512 };
	uint8_t th[64], sig[SPDM_MAX_SIG_SIZE];
	size_t i, v, n = 0;

	memset(th, 0x5A, sizeof(th));
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		uint32_t a = keys[i].asym;
		size_t sl = spdm_sig_size(a);

		for (v = 0; v < ARRAY_LEN(vers); v++) {
			uint32_t h = hashes[(i + v) % ARRAY_LEN(hashes)];
			uint8_t op = v % 2 ? SPDM_MEASUREMENTS : SPDM_CHALLENGE_AUTH;
			int rc;

			t_case_name = spdm_asym_name(a);
			if (vers[v] < SPDM_V12 && (a & (SPDM_ASYM_EDDSA_25519 | SPDM_ASYM_EDDSA_448)))
				continue;	/* EdDSA is 1.2+ */
			rc = spdm_sign_th(ctx, spdm_evp_signer(), keys[i].k, vers[v], a, h, op, th, sig, sl);
			if (!spdm_asym_supported(a)) {
				T_EQ(rc, -EOPNOTSUPP);
				T_CONTAINS(doe_ctx_errmsg(ctx), "Ed448 with the SPDM context string needs OpenSSL 3.2");
				continue;
			}
			T_EQ(rc, 0);
			T_EQ(spdm_verify_th(ctx, keys[i].k, vers[v], a, h, op, th, sig, sl), 0);
			/* another key of the same type */
			if (keys[i].other) {
				T_EQ(spdm_verify_th(ctx, keys[i].other, vers[v], a, h, op, th, sig, sl),
				     -EKEYREJECTED);
				T_CONTAINS(doe_ctx_errmsg(ctx), "Signature does not verify");
			}
			/* the same signature for the other operation (context) */
			if (vers[v] >= SPDM_V12)
				T_EQ(spdm_verify_th(ctx, keys[i].k, vers[v], a, h,
						    op == SPDM_MEASUREMENTS ? SPDM_CHALLENGE_AUTH : SPDM_MEASUREMENTS,
						    th, sig, sl), -EKEYREJECTED);
			/* one bit off */
			sig[sl - 1] ^= 1;
			T_EQ(spdm_verify_th(ctx, keys[i].k, vers[v], a, h, op, th, sig, sl), -EKEYREJECTED);
			n++;
		}
	}
	T_TRUE(n >= 38);
}

static void t_wrong_key_type(void)
{
	uint8_t th[32] = { 0 }, sig[96] = { 0 };

	/* a P-256 key offered for P-384 */
	T_EQ(spdm_verify_th(ctx, keys[6].k, SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA256,
			    SPDM_CHALLENGE_AUTH, th, sig, 96), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "negotiated ECDSA-P384");
	/* an RSA-2048 key for RSA-3072 */
	T_EQ(spdm_key_check(ctx, keys[0].k, SPDM_ASYM_RSASSA_3072, "leaf"), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "leaf key is rsaEncryption 2048 bits, negotiated RSASSA-3072");
	T_EQ(spdm_key_check(ctx, keys[9].k, SPDM_ASYM_EDDSA_448, "leaf"), -EKEYREJECTED);
	/* signature of the wrong length */
	T_EQ(spdm_verify_th(ctx, keys[7].k, SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA256,
			    SPDM_CHALLENGE_AUTH, th, sig, 64), -EBADMSG);
}

/* The same signatures checked without doekit: ECDSA 1.2 is over
 * hash(context || th) in r||s form, ECDSA 1.0 over th as a digest,
 * RSA-PSS with salt = digest length, Ed25519 pure over context || th. */
/* One kept sign context and one kept verify context across keys, algorithms
 * and hashes, as a responder and a requester keep theirs: each signature is
 * made with the key asked for and checked against the key given, never
 * against the one the context was kept for before. */
static void t_kept_contexts(void)
{
	struct spdm_pkey_keep sk = { 0 }, vk = { 0 };
	uint8_t th[64], sig[SPDM_MAX_SIG_SIZE];
	size_t i, round;

	memset(th, 0x4D, sizeof(th));
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ARRAY_LEN(keys); i++) {
			uint32_t a = keys[i].asym, h = round ? SPDM_HASH_SHA384 : SPDM_HASH_SHA256;
			uint32_t h2 = round ? SPDM_HASH_SHA256 : SPDM_HASH_SHA512;
			EVP_PKEY *k = round ? keys[i].other : keys[i].k;
			EVP_PKEY *wrong = round ? keys[i].k : keys[i].other;
			size_t sl = spdm_sig_size(a);

			t_case_name = spdm_asym_name(a);
			if (!k || !wrong || !spdm_asym_supported(a))
				continue;
			/* the same key with the other hash next: a context kept
			 * for the first must not be reused */
			for (int twice = 0; twice < 2; twice++) {
				uint32_t hh = twice ? h2 : h, other = twice ? h : h2;

				T_EQ(spdm_sign_th_keep(ctx, &sk, spdm_evp_signer(), k, SPDM_V12, a, hh,
						       SPDM_MEASUREMENTS, th, sig, sl), 0);
				/* made with k: the plain verify agrees */
				T_EQ(spdm_verify_th(ctx, k, SPDM_V12, a, hh, SPDM_MEASUREMENTS, th, sig,
						    sl), 0);
				T_EQ(spdm_verify_th_keep(ctx, &vk, k, SPDM_V12, a, hh,
							 SPDM_MEASUREMENTS, th, sig, sl), 0);
				T_EQ(spdm_verify_th_keep(ctx, &vk, wrong, SPDM_V12, a, hh,
							 SPDM_MEASUREMENTS, th, sig, sl), -EKEYREJECTED);
				T_EQ(spdm_verify_th_keep(ctx, &vk, k, SPDM_V12, a, other,
							 SPDM_MEASUREMENTS, th, sig, sl), -EKEYREJECTED);
				sig[sl / 2] ^= 1;
				T_EQ(spdm_verify_th_keep(ctx, &vk, k, SPDM_V12, a, hh,
							 SPDM_MEASUREMENTS, th, sig, sl), -EKEYREJECTED);
			}
		}
	}
	/* one keep for both directions: made again for each */
	t_case_name = "sign then verify, one keep";
	for (i = 0; i < 2; i++) {
		T_EQ(spdm_sign_th_keep(ctx, &sk, spdm_evp_signer(), keys[6].k, SPDM_V12,
				       SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_CHALLENGE_AUTH, th,
				       sig, 64), 0);
		T_EQ(spdm_verify_th_keep(ctx, &sk, keys[6].k, SPDM_V12, SPDM_ASYM_ECDSA_P256,
					 SPDM_HASH_SHA256, SPDM_CHALLENGE_AUTH, th, sig, 64), 0);
	}
	spdm_pkey_keep_free(&sk);
	spdm_pkey_keep_free(&vk);
	spdm_pkey_keep_free(&vk);	/* twice: emptied the first time */
}

/* r||s to DER and back against OpenSSL's ECDSA_SIG: leading zeros, top
 * bits set, zero, and P-521's long-form SEQUENCE length. */
static void t_ecdsa_der(void)
{
	static const size_t halves[] = { 32, 48, 66 };
	uint8_t rs[132], back[132], der[160], *ref;
	size_t h, k, n;

	for (h = 0; h < ARRAY_LEN(halves); h++) {
		size_t half = halves[h];

		for (k = 0; k < 8; k++) {
			ECDSA_SIG *es = ECDSA_SIG_new();
			int rl;

			memset(rs, 0x5C, 2 * half);
			if (k & 1)
				rs[0] = 0x80 | (uint8_t)k;	/* r needs a 0x00 in front */
			if (k & 2)
				memset(rs + half, 0, half / 2 + k);	/* s has leading zeros */
			if (k & 4)
				memset(rs, 0, half);	/* r = 0 */
			if (k == 7)
				rs[2 * half - 1] = 0x01, memset(rs + half, 0, half - 1);	/* s = 1 */
			ECDSA_SIG_set0(es, BN_bin2bn(rs, (int)half, NULL),
				       BN_bin2bn(rs + half, (int)half, NULL));
			ref = NULL;
			rl = i2d_ECDSA_SIG(es, &ref);
			n = spdm_ecdsa_rs_to_der(rs, half, der, sizeof(der));
			T_EQ(n, (size_t)rl);
			if (rl > 0 && n == (size_t)rl)
				T_MEMEQ(der, ref, n);
			memset(back, 0xEE, sizeof(back));
			T_EQ(spdm_ecdsa_der_to_rs(der, n, back, half), 0);
			T_MEMEQ(back, rs, 2 * half);
			OPENSSL_free(ref);
			ECDSA_SIG_free(es);
		}
		T_EQ(spdm_ecdsa_rs_to_der(rs, half, der, 4), 0);	/* too short */
	}
	/* what our signer never makes, refused: a negative r, r longer than
	 * the half, bytes after the SEQUENCE, a third INTEGER in it, a SEQUENCE length
	 * that lies */
	{
		static const uint8_t neg[] = { 0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01 };
		static const uint8_t trail[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00 };
		static const uint8_t three[] = { 0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01,
						 0x02, 0x01, 0x01 };
		static const uint8_t lies[] = { 0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
		static const uint8_t ok[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
		uint8_t big[2 + 2 + 33 + 3] = { 0x30, 2 + 33 + 3, 0x02, 33, 0x01 };

		big[2 + 2 + 33] = 0x02;
		big[2 + 2 + 33 + 1] = 0x01;
		big[2 + 2 + 33 + 2] = 0x01;
		T_EQ(spdm_ecdsa_der_to_rs(ok, sizeof(ok), back, 32), 0);
		T_EQ(back[31], 1);
		T_EQ(spdm_ecdsa_der_to_rs(neg, sizeof(neg), back, 32), -EIO);
		T_EQ(spdm_ecdsa_der_to_rs(trail, sizeof(trail), back, 32), -EIO);
		T_EQ(spdm_ecdsa_der_to_rs(lies, sizeof(lies), back, 32), -EIO);
		T_EQ(spdm_ecdsa_der_to_rs(three, sizeof(three), back, 32), -EIO);
		T_EQ(spdm_ecdsa_der_to_rs(big, sizeof(big), back, 32), -EIO);
		T_EQ(spdm_ecdsa_der_to_rs(big, sizeof(big), back, 48), 0);
	}
}

static void t_independent_verify(void)
{
	uint8_t th[48], sig[512], msg[SPDM_SIGN_CONTEXT_SIZE + 48], *der = NULL;
	EVP_MD_CTX *mc;
	EVP_PKEY_CTX *pc;
	ECDSA_SIG *es;
	int dl;

	memset(th, 0x33, sizeof(th));
	spdm_signing_context(SPDM_V12, SPDM_CHALLENGE_AUTH, msg);
	memcpy(msg + SPDM_SIGN_CONTEXT_SIZE, th, 48);

	/* ECDSA P-384, SPDM 1.2, SHA-384 */
	T_EQ(spdm_sign_th(ctx, spdm_evp_signer(), keys[7].k, SPDM_V12, SPDM_ASYM_ECDSA_P384,
			  SPDM_HASH_SHA384, SPDM_CHALLENGE_AUTH, th, sig, 96), 0);
	es = ECDSA_SIG_new();
	ECDSA_SIG_set0(es, BN_bin2bn(sig, 48, NULL), BN_bin2bn(sig + 48, 48, NULL));
	dl = i2d_ECDSA_SIG(es, &der);
	mc = EVP_MD_CTX_new();
	EVP_DigestVerifyInit(mc, NULL, EVP_sha384(), NULL, keys[7].k);
	T_EQ(EVP_DigestVerify(mc, der, (size_t)dl, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(mc);
	OPENSSL_free(der);
	der = NULL;
	ECDSA_SIG_free(es);

	/* ECDSA P-384, SPDM 1.0: the transcript hash is the digest */
	T_EQ(spdm_sign_th(ctx, spdm_evp_signer(), keys[7].k, SPDM_V10, SPDM_ASYM_ECDSA_P384,
			  SPDM_HASH_SHA384, SPDM_CHALLENGE_AUTH, th, sig, 96), 0);
	es = ECDSA_SIG_new();
	ECDSA_SIG_set0(es, BN_bin2bn(sig, 48, NULL), BN_bin2bn(sig + 48, 48, NULL));
	dl = i2d_ECDSA_SIG(es, &der);
	pc = EVP_PKEY_CTX_new(keys[7].k, NULL);
	EVP_PKEY_verify_init(pc);
	T_EQ(EVP_PKEY_verify(pc, der, (size_t)dl, th, 48), 1);
	EVP_PKEY_CTX_free(pc);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);

	/* RSAPSS-2048, SPDM 1.2, SHA-384 */
	T_EQ(spdm_sign_th(ctx, spdm_evp_signer(), keys[1].k, SPDM_V12, SPDM_ASYM_RSAPSS_2048,
			  SPDM_HASH_SHA384, SPDM_CHALLENGE_AUTH, th, sig, 256), 0);
	mc = EVP_MD_CTX_new();
	EVP_DigestVerifyInit(mc, &pc, EVP_sha384(), NULL, keys[1].k);
	EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING);
	EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 48);
	T_EQ(EVP_DigestVerify(mc, sig, 256, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(mc);

	/* Ed25519, SPDM 1.2: pure EdDSA over context || th */
	T_EQ(spdm_sign_th(ctx, spdm_evp_signer(), keys[9].k, SPDM_V12, SPDM_ASYM_EDDSA_25519,
			  SPDM_HASH_SHA384, SPDM_CHALLENGE_AUTH, th, sig, 64), 0);
	mc = EVP_MD_CTX_new();
	EVP_DigestVerifyInit(mc, NULL, NULL, NULL, keys[9].k);
	T_EQ(EVP_DigestVerify(mc, sig, 64, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(mc);
}

static void t_random(void)
{
	uint8_t a[32], b[32];

	T_EQ(spdm_random(ctx, a, sizeof(a)), 0);
	T_EQ(spdm_random(ctx, b, sizeof(b)), 0);
	T_TRUE(memcmp(a, b, sizeof(a)) != 0);
}

int main(void)
{
	size_t i;

	if (doe_ctx_new(&ctx))
		return 1;
	gen_keys();
	T_RUN(t_sizes_and_names);
	T_RUN(t_hash_known_answer);
	T_RUN(t_signing_context_bytes);
	T_RUN(t_sign_verify_every_algo);
	T_RUN(t_wrong_key_type);
	T_RUN(t_independent_verify);
	T_RUN(t_kept_contexts);
	T_RUN(t_ecdsa_der);
	T_RUN(t_random);
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		EVP_PKEY_free(keys[i].k);
		EVP_PKEY_free(keys[i].other);
	}
	doe_ctx_free(ctx);
	return T_DONE();
}
