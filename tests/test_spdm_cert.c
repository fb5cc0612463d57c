// SPDX-License-Identifier: MIT
/*
 * SPDM certificate chains (src/spdm/cert.c; DSP0274 1.3 §10.7.1): a good
 * chain, then one thing wrong at a time; each failure names the
 * certificate (depth, subject) and the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <doekit/ctx.h>
#include "spdm_int.h"
#include "t.h"

static struct doe_ctx *ctx;
static struct spdm_identity *p256, *p384;

/* Builds an SPDM chain: Length, Reserved, RootHash, then the DER certs
 * given as (offset, length) pieces of the identity's certificates. */
static size_t build(uint8_t *out, const struct spdm_identity *id, uint32_t hash,
		    const size_t *order, size_t n)
{
	size_t all_len, root_len, hs = spdm_hash_size(hash), len = 4 + hs, i;
	const uint8_t *all = spdm_identity_certs(id, &all_len);
	const uint8_t *q;
	size_t off[3], sz[3];

	spdm_identity_root(id, &root_len);
	/* split the DER blob into its three certificates */
	q = all;
	for (i = 0; i < 3; i++) {
		const uint8_t *start = q;
		X509 *x = d2i_X509(NULL, &q, (long)(all + all_len - q));

		X509_free(x);
		off[i] = (size_t)(start - all);
		sz[i] = (size_t)(q - start);
	}
	spdm_hash_all(ctx, hash, all, root_len, out + 4);
	for (i = 0; i < n; i++) {
		memcpy(out + len, all + off[order[i]], sz[order[i]]);
		len += sz[order[i]];
	}
	out[0] = (uint8_t)len;
	out[1] = (uint8_t)(len >> 8);
	out[2] = out[3] = 0;
	return len;
}

static const size_t in_order[] = { 0, 1, 2 };

static void t_good_chain(void)
{
	struct spdm_chain_info info;
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA384, in_order, 3);

	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA384, SPDM_ASYM_ECDSA_P256, NULL, &info), 0);
	T_EQ(info.ncerts, 3);
	T_TRUE(info.root_hash_ok);
	T_TRUE(!info.anchored);	/* no trust store: anchored at its own root only */
	T_CONTAINS(info.leaf_subject, "CN=doekit test device");
	T_STREQ(info.cma_san, "Vendor=1af4:Device=1234:CC=ff0000:REV=01:SSVID=1af4:SSID=0001");
}

static void t_trust_store_file(void)
{
	char path[] = "/tmp/doekit-trust-XXXXXX";
	struct spdm_chain_info info;
	struct spdm_trust *t;
	const uint8_t *der;
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, in_order, 3), rl;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	X509 *root;

	der = spdm_identity_root(p256, &rl);
	root = d2i_X509(NULL, &der, (long)rl);
	PEM_write_X509(f, root);
	fclose(f);
	X509_free(root);

	T_EQ(spdm_trust_new(ctx, path, &t), 0);
	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, t, &info), 0);
	T_TRUE(info.anchored);
	spdm_trust_free(t);
	unlink(path);

	T_EQ(spdm_trust_new(ctx, "/nonexistent/doekit", &t), -ENOENT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "trust store /nonexistent/doekit");
}

static void t_wrong_root(void)
{
	struct spdm_trust *t;
	const uint8_t *der;
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, in_order, 3), rl;

	der = spdm_identity_root(p384, &rl);	/* someone else's root */
	T_EQ(spdm_trust_new(ctx, NULL, &t), 0);
	T_EQ(spdm_trust_add_der(t, der, rl), 0);
	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, t, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "certificate chain: depth 2 (/O=doekit test/CN=doekit test root CA");
	T_CONTAINS(doe_ctx_errmsg(ctx), "self-signed certificate in certificate chain");
	spdm_trust_free(t);
}

static void t_truncated(void)
{
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, in_order, 3), cut;

	/* Length says the whole, the buffer is short */
	T_EQ(spdm_chain_verify(ctx, c, n - 1, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "Length");
	/* Length agrees, the last certificate is cut */
	for (cut = 1; cut < 200; cut += 37) {
		size_t m = n - cut;

		c[0] = (uint8_t)m;
		c[1] = (uint8_t)(m >> 8);
		T_EQ(spdm_chain_verify(ctx, c, m, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EBADMSG);
		T_CONTAINS(doe_ctx_errmsg(ctx), "certificate 2 at offset");
	}
	/* header only */
	c[0] = 4 + 32;
	c[1] = 0;
	T_EQ(spdm_chain_verify(ctx, c, 36, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "no certificates");
	T_EQ(spdm_chain_verify(ctx, c, 10, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "shorter than Length, Reserved and RootHash");
}

static void t_reordered(void)
{
	static const size_t swapped[] = { 0, 2, 1 };
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, swapped, 3);

	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "depth 1 (/O=doekit test/CN=doekit test device) is not issued by the certificate before it");
}

static void t_missing_intermediate(void)
{
	static const size_t no_int[] = { 0, 2 };
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, no_int, 2);

	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "depth 0 (/O=doekit test/CN=doekit test device)");
}

static void t_leaf_is_a_ca(void)
{
	static const size_t to_intermediate[] = { 0, 1 };
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, to_intermediate, 2);

	/* root -> intermediate: valid X.509, but the "leaf" is a CA (P-384) */
	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P384, NULL, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "depth 0 (/O=doekit test/CN=doekit test intermediate CA): the leaf certificate is a CA certificate");
}

static void t_wrong_leaf_key_type(void)
{
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, in_order, 3);

	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P384, NULL, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "certificate chain: depth 0 (/O=doekit test/CN=doekit test device): leaf certificate key is id-ecPublicKey 256 bits prime256v1, negotiated ECDSA-P384");
	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_RSASSA_2048, NULL, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "negotiated RSASSA-2048");
}

static void t_root_hash_mismatch(void)
{
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA512, in_order, 3);

	c[4 + 10] ^= 1;
	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA512, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "RootHash does not match the root certificate (depth 2, /O=doekit test/CN=doekit test root CA)");
	/* the chain's RootHash made with another hash than the negotiated one */
	c[4 + 10] ^= 1;
	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA3_512, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EKEYREJECTED);
}

static void t_corrupt_signature_in_chain(void)
{
	uint8_t c[4096];
	size_t n = build(c, p256, SPDM_HASH_SHA256, in_order, 3);

	c[n - 3] ^= 0x01;	/* inside the leaf's signature value */
	T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL), -EKEYREJECTED);
	T_CONTAINS(doe_ctx_errmsg(ctx), "depth 0");
}

/* ---- leaf KeyUsage / ExtendedKeyUsage ---------------------------------- */

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!e)
		return -1;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok == 1 ? 0 : -1;
}

/* A P-256 certificate for key, signed by ikey/issuer (self-signed if NULL);
 * ku / eku in openssl.cnf syntax, NULL: no such extension. */
static X509 *cert(EVP_PKEY *key, EVP_PKEY *ikey, X509 *issuer, const char *cn, bool ca,
		  const char *ku, const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *name = x ? X509_get_subject_name(x) : NULL;

	if (!x || X509_set_version(x, 2) != 1 || ASN1_INTEGER_set(X509_get_serialNumber(x), 7) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 3600) || X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) != 1 ||
	    add_ext(x, issuer ? issuer : x, NID_basic_constraints,
		    ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    (ku && add_ext(x, issuer ? issuer : x, NID_key_usage, ku)) ||
	    (eku && add_ext(x, issuer ? issuer : x, NID_ext_key_usage, eku)) ||
	    !X509_sign(x, ikey ? ikey : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* SPDM chain (SHA-256 RootHash) of root and a leaf with these usages */
static size_t usage_chain(uint8_t *out, size_t cap, const char *ku, const char *eku)
{
	EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *lk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *root = rk ? cert(rk, NULL, NULL, "usage root", true, "critical,keyCertSign", NULL) : NULL;
	X509 *leaf = root && lk ? cert(lk, rk, root, "usage leaf", false, ku, eku) : NULL;
	int rl = root ? i2d_X509(root, NULL) : -1, ll = leaf ? i2d_X509(leaf, NULL) : -1;
	size_t len = 0;

	if (rl > 0 && ll > 0 && 4 + 32 + (size_t)rl + (size_t)ll <= cap) {
		uint8_t *p = out + 4 + 32;

		i2d_X509(root, &p);
		spdm_hash_all(ctx, SPDM_HASH_SHA256, out + 4 + 32, (size_t)rl, out + 4);
		i2d_X509(leaf, &p);
		len = (size_t)(p - out);
		out[0] = (uint8_t)len;
		out[1] = (uint8_t)(len >> 8);
		out[2] = out[3] = 0;
	}
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(lk);
	EVP_PKEY_free(rk);
	return len;
}

static void t_leaf_usage(void)
{
	static const struct {
		const char *name;
		const char *ku, *eku;
		int rc;
		const char *msg;
	} cases[] = {
		{ "KU digitalSignature", "critical,digitalSignature", NULL, 0, "" },
		{ "no KU, no EKU", NULL, NULL, 0, "" },
		{ "KU without digitalSignature", "critical,keyEncipherment,keyAgreement", NULL, -EKEYREJECTED,
		  "depth 0 (/CN=usage leaf): KeyUsage 0x0028 lacks digitalSignature" },
		{ "EKU responder-auth", "digitalSignature", "1.3.6.1.4.1.412.274.3", 0, "" },
		{ "EKU requester-auth and responder-auth", "digitalSignature",
		  "1.3.6.1.4.1.412.274.4,1.3.6.1.4.1.412.274.3", 0, "" },
		{ "EKU requester-auth only", "digitalSignature", "critical,1.3.6.1.4.1.412.274.4", -EKEYREJECTED,
		  "depth 0 (/CN=usage leaf): ExtendedKeyUsage has SPDM requester authentication (1.3.6.1.4.1.412.274.4) but not responder authentication (1.3.6.1.4.1.412.274.3)" },
		{ "EKU requester-auth with TLS purposes", "digitalSignature",
		  "serverAuth,clientAuth,1.3.6.1.4.1.412.274.4", -EKEYREJECTED,
		  "but not responder authentication" },
		/* DMTF spdm-emu's end_responder (libspdm sample_key v3_end) */
		{ "EKU without SPDM purposes (DMTF sample)", "nonRepudiation,digitalSignature,keyEncipherment",
		  "critical,serverAuth,clientAuth,OCSPSigning", 0, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t c[2048];
		size_t n;

		t_case_name = cases[i].name;
		n = usage_chain(c, sizeof(c), cases[i].ku, cases[i].eku);
		T_TRUE(n > 0);
		doe_ctx_clear_error(ctx);
		T_EQ(spdm_chain_verify(ctx, c, n, SPDM_HASH_SHA256, SPDM_ASYM_ECDSA_P256, NULL, NULL),
		     cases[i].rc);
		T_CONTAINS(doe_ctx_errmsg(ctx), cases[i].msg);
	}
}

int main(void)
{
	if (doe_ctx_new(&ctx) || spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P256, NULL, &p256) ||
	    spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P384, NULL, &p384))
		return 1;
	T_RUN(t_good_chain);
	T_RUN(t_trust_store_file);
	T_RUN(t_wrong_root);
	T_RUN(t_truncated);
	T_RUN(t_reordered);
	T_RUN(t_missing_intermediate);
	T_RUN(t_leaf_is_a_ca);
	T_RUN(t_wrong_leaf_key_type);
	T_RUN(t_root_hash_mismatch);
	T_RUN(t_corrupt_signature_in_chain);
	T_RUN(t_leaf_usage);
	spdm_identity_free(p256);
	spdm_identity_free(p384);
	doe_ctx_free(ctx);
	return T_DONE();
}
