// SPDX-License-Identifier: MIT
/*
 * SPDM certificate chains (DSP0274 1.3 §10.7.1, Table "Certificate chain
 * format"): Length u16 (whole chain), Reserved u16, RootHash (negotiated
 * hash of the root certificate's DER), then ASN.1 DER X.509 v3
 * certificates, root (or one signed by the root) first, leaf last.
 * Checked with OpenSSL X509_STORE; the CMA SAN (PCIe §6.31.3: otherName
 * 2.23.147) of the leaf is reported.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <doekit/cursor.h>
#include <doekit/doe.h>
#include "spdm_int.h"
#include "internal.h"

#define CHAIN_MAX_CERTS 16u
#define CMA_SAN_OID "2.23.147"
/* DSP0274 1.2+ Annex (OID reference), checked against libspdm spdm.h
 * SPDM_OID_DMTF_EKU_*: { id-DMTF-spdm 3 } and { id-DMTF-spdm 4 } */
#define EKU_RESPONDER_AUTH_OID "1.3.6.1.4.1.412.274.3"
#define EKU_REQUESTER_AUTH_OID "1.3.6.1.4.1.412.274.4"

struct spdm_trust {
	struct doe_ctx *ctx;
	X509_STORE *store;
	uint64_t id;		/* new whenever anchors change: chain caches key on it */
};

/* Random, so that a freed store's address reused by a new one never
 * matches an old cache entry; 0 is kept for "no trust store". */
static void new_id(struct spdm_trust *t)
{
	do {
		if (RAND_bytes((unsigned char *)&t->id, sizeof(t->id)) != 1)
			t->id = (uint64_t)(uintptr_t)t ^ doe_now_ns();
	} while (t->id == 0);
}

uint64_t spdm_trust_id(const struct spdm_trust *t)
{
	return t ? t->id : 0;
}

/*
 * A directory: OpenSSL's hashed lookup (c_rehash, as -CApath) and, so that a
 * plain folder of certificates works too, every *.pem / *.crt / *.cer file
 * in it. Returns the number of files loaded, or -1 when none could be read.
 */
static int load_dir(X509_STORE *store, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		char file[PATH_MAX];

		if (!dot || (strcmp(dot, ".pem") && strcmp(dot, ".crt") && strcmp(dot, ".cer")))
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", path, de->d_name) >= (int)sizeof(file))
			continue;
		if (X509_STORE_load_file(store, file) == 1)
			n++;
	}
	closedir(d);
	return n;
}

/* Whether dir holds a certificate under a c_rehash name (8 hex digits, '.',
 * a digit): what OpenSSL's hashed lookup would find. */
static bool has_hashed(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d))) {
		const char *n = de->d_name;

		found = strlen(n) >= 10 && strspn(n, "0123456789abcdef") == 8 && n[8] == '.' &&
			n[9] >= '0' && n[9] <= '9';
	}
	if (d)
		closedir(d);
	return found;
}

int spdm_trust_new(struct doe_ctx *ctx, const char *path, struct spdm_trust **out)
{
	struct spdm_trust *t;
	struct stat st;
	int ok;

	if (!out)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->store = X509_STORE_new())) {
		free(t);
		return doe_err(ctx, -ENOMEM, "trust store: out of memory");
	}
	t->ctx = ctx;
	new_id(t);
	if (path) {
		if (stat(path, &st) < 0) {
			int e = errno;

			spdm_trust_free(t);
			return doe_err(ctx, -e, "trust store %s: %s", path, strerror(e));
		}
		if (S_ISDIR(st.st_mode)) {
			/* both lookups, not the first that works; load_path() takes
			 * any directory, so it alone does not show a certificate */
			int hashed = X509_STORE_load_path(t->store, path) == 1 && has_hashed(path);
			int files = load_dir(t->store, path) > 0;

			ok = hashed || files;
		} else
			ok = X509_STORE_load_file(t->store, path);
		if (ok != 1) {
			spdm_trust_free(t);
			ERR_clear_error();
			return doe_err(ctx, -EINVAL, "trust store %s: no PEM certificate %s", path,
				       S_ISDIR(st.st_mode) ? "in this directory (*.pem, *.crt, *.cer "
							     "or c_rehash names)"
							   : "in this file");
		}
	}
	*out = t;
	return 0;
}

int spdm_trust_add_der(struct spdm_trust *t, const void *der, size_t len)
{
	const uint8_t *p = der, *end = p + len;

	while (p < end) {
		X509 *x = d2i_X509(NULL, &p, (long)(end - p));

		if (!x) {
			ERR_clear_error();
			return doe_err(t->ctx, -EBADMSG, "trust store: not a DER certificate");
		}
		if (X509_STORE_add_cert(t->store, x) != 1) {
			X509_free(x);
			ERR_clear_error();
			return doe_err(t->ctx, -EIO, "trust store: cannot add certificate");
		}
		X509_free(x);
		new_id(t);
	}
	return 0;
}

void spdm_trust_free(struct spdm_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	free(t);
}

struct chain {
	X509 *certs[CHAIN_MAX_CERTS];
	const uint8_t *der[CHAIN_MAX_CERTS];
	size_t der_len[CHAIN_MAX_CERTS];
	unsigned n;
	const uint8_t *root_hash;
};

static void chain_free(struct chain *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		X509_free(c->certs[i]);
	c->n = 0;
}

static void subject_of(X509 *x, char *buf, size_t len)
{
	if (!x || !X509_NAME_oneline(X509_get_subject_name(x), buf, (int)len))
		snprintf(buf, len, "?");
}

/* Layout only: Length, RootHash, DER certificates that fill the rest. */
static int chain_parse(struct doe_ctx *ctx, const uint8_t *p, size_t len, uint32_t hash,
		       struct spdm_chain_cache *cache, struct chain *c)
{
	size_t hs = spdm_hash_size(hash);
	struct doe_rd r;
	uint16_t length, rsvd;

	memset(c, 0, sizeof(*c));
	if (!hs)
		return doe_err(ctx, -EINVAL, "certificate chain: hash 0x%x not supported", hash);
	doe_rd_init(&r, p, len);
	doe_rd_le16(&r, &length);
	doe_rd_le16(&r, &rsvd);
	c->root_hash = doe_rd_take(&r, hs);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG,
			       "certificate chain: %zu bytes, shorter than Length, Reserved and RootHash (%zu)",
			       len, 4 + hs);
	if (length != len)
		return doe_err(ctx, -EBADMSG, "certificate chain: Length %u, chain has %zu bytes",
			       length, len);
	if (!doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "certificate chain: no certificates");
	while (doe_rd_left(&r)) {
		const uint8_t *q = r.p + r.off, *start = q;
		X509 *x;

		if (c->n == CHAIN_MAX_CERTS) {
			chain_free(c);
			return doe_err(ctx, -EBADMSG, "certificate chain: more than %u certificates",
				       CHAIN_MAX_CERTS);
		}
		/* a certificate verified before (a vendor's CA, shared by a
		 * fleet) is not parsed again: OpenSSL 3.0's d2i_X509 costs
		 * more than a P-256 signature check */
		size_t dl = 0;

		x = cache ? spdm_cache_cert_get(cache, q, doe_rd_left(&r), &dl) : NULL;
		if (x)
			q += dl;
		else
			x = d2i_X509(NULL, &q, (long)doe_rd_left(&r));
		if (!x) {
			size_t off = r.off;
			unsigned idx = c->n;

			ERR_clear_error();
			chain_free(c);
			return doe_err(ctx, -EBADMSG,
				       "certificate chain: certificate %u at offset %zu is not DER X.509 (truncated or corrupt)",
				       idx, off);
		}
		c->certs[c->n] = x;
		c->der[c->n] = start;
		c->der_len[c->n] = (size_t)(q - start);
		doe_rd_skip(&r, c->der_len[c->n]);
		c->n++;
	}
	return 0;
}

static bool self_signed(X509 *x)
{
	return X509_check_issued(x, x) == X509_V_OK;
}

/* RootHash against the chain's first certificate when it is the root, or
 * against an anchor in the trust store. */
static int check_root_hash(struct doe_ctx *ctx, const struct chain *c, uint32_t hash,
			   const struct spdm_trust *trust, bool *ok)
{
	uint8_t h[SPDM_MAX_HASH_SIZE];
	size_t hs = spdm_hash_size(hash);
	char subj[128];

	*ok = false;
	if (self_signed(c->certs[0])) {
		TRY(spdm_hash_all(ctx, hash, c->der[0], c->der_len[0], h));
		if (CRYPTO_memcmp(h, c->root_hash, hs)) {
			subject_of(c->certs[0], subj, sizeof(subj));
			return doe_err(ctx, -EKEYREJECTED,
				       "certificate chain: RootHash does not match the root certificate (depth %u, %s)",
				       c->n - 1, subj);
		}
		*ok = true;
		return 0;
	}
	if (trust) {
		STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(trust->store);
		int i;

		for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
			X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
			uint8_t *der = NULL;
			int dl;

			if (!x || (dl = i2d_X509(x, &der)) <= 0)
				continue;
			spdm_hash_all(ctx, hash, der, (size_t)dl, h);
			OPENSSL_free(der);
			if (!CRYPTO_memcmp(h, c->root_hash, hs)) {
				*ok = true;
				return 0;
			}
		}
	}
	subject_of(c->certs[0], subj, sizeof(subj));
	return doe_err(ctx, -EKEYREJECTED,
		       "certificate chain: RootHash matches no root (first certificate %s is not self-signed%s)",
		       subj, trust ? " and no trust anchor has that hash" : "");
}

/* DSP0274 §10.7.1: each certificate is issued by the one before it (a
 * chain in any other order is malformed, whatever OpenSSL could build). */
static int check_order(struct doe_ctx *ctx, const struct chain *c)
{
	char subj[128], issuer[128];
	unsigned i;

	for (i = 1; i < c->n; i++) {
		int e = X509_check_issued(c->certs[i - 1], c->certs[i]);

		if (e == X509_V_OK)
			continue;
		subject_of(c->certs[i], subj, sizeof(subj));
		subject_of(c->certs[i - 1], issuer, sizeof(issuer));
		return doe_err(ctx, -EKEYREJECTED,
			       "certificate chain: depth %u (%s) is not issued by the certificate before it (%s): %s",
			       c->n - 1 - i, subj, issuer, X509_verify_cert_error_string(e));
	}
	return 0;
}

static void cma_san(X509 *leaf, char *out, size_t len)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	int i;

	out[0] = 0;
	for (i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		char oid[32];
		ASN1_TYPE *v;

		if (gn->type != GEN_OTHERNAME)
			continue;
		OBJ_obj2txt(oid, sizeof(oid), gn->d.otherName->type_id, 1);
		v = gn->d.otherName->value;
		if (strcmp(oid, CMA_SAN_OID) || !v || v->type != V_ASN1_UTF8STRING)
			continue;
		snprintf(out, len, "%.*s", ASN1_STRING_length(v->value.utf8string),
			 (const char *)ASN1_STRING_get0_data(v->value.utf8string));
		break;
	}
	GENERAL_NAMES_free(names);
}

/*
 * What the leaf may be used for. KeyUsage, when present, must allow
 * digitalSignature: every SPDM use of the key is a signature (RFC 5280
 * §4.2.1.3; DSP0274 leaf certificate requirements).
 *
 * ExtendedKeyUsage: DSP0274 1.2 defines id-DMTF-eku-responder-auth and
 * -requester-auth. A leaf that names SPDM requester authentication but not
 * responder authentication was issued to a requester and is rejected. An
 * EKU that names neither (serverAuth, clientAuth, ...) is accepted: that is
 * what DMTF's reference (libspdm libspdm_verify_leaf_cert_spdm_eku) does,
 * and DMTF's own sample responder certificates (spdm-emu end_responder,
 * "serverAuth, clientAuth, OCSPSigning") would otherwise fail.
 */
static int check_leaf_usage(struct doe_ctx *ctx, X509 *leaf, const char *subj)
{
	uint32_t ku = X509_get_key_usage(leaf);	/* UINT32_MAX: no extension */
	EXTENDED_KEY_USAGE *eku;
	bool rsp = false, req = false;
	int crit, i;

	if (ku != UINT32_MAX && !(ku & KU_DIGITAL_SIGNATURE))
		return doe_err(ctx, -EKEYREJECTED,
			       "certificate chain: depth 0 (%s): KeyUsage 0x%04x lacks digitalSignature",
			       subj, ku);
	eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, &crit, NULL);
	if (!eku) {
		ERR_clear_error();
		if (crit == -1)		/* no ExtendedKeyUsage */
			return 0;
		return doe_err(ctx, -EKEYREJECTED,
			       "certificate chain: depth 0 (%s): ExtendedKeyUsage %s", subj,
			       crit == -2 ? "appears more than once" : "is not valid DER");
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		char oid[64];

		if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1) <= 0)
			continue;
		rsp = rsp || !strcmp(oid, EKU_RESPONDER_AUTH_OID);
		req = req || !strcmp(oid, EKU_REQUESTER_AUTH_OID);
	}
	EXTENDED_KEY_USAGE_free(eku);
	if (req && !rsp)
		return doe_err(ctx, -EKEYREJECTED,
			       "certificate chain: depth 0 (%s): ExtendedKeyUsage has SPDM requester authentication (%s) but not responder authentication (%s)",
			       subj, EKU_REQUESTER_AUTH_OID, EKU_RESPONDER_AUTH_OID);
	return 0;
}

static int x509_verify(struct doe_ctx *ctx, const struct chain *c,
		       const struct spdm_trust *trust, bool *anchored)
{
	X509_STORE *own = NULL, *store;
	X509_STORE_CTX *sc = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	int rc = -ENOMEM;
	unsigned i;

	*anchored = trust != NULL;
	if (trust) {
		store = trust->store;
	} else {
		/* no trust store: the chain's own root is the anchor (the
		 * caller learns that from info->anchored) */
		own = X509_STORE_new();
		if (!own || X509_STORE_add_cert(own, c->certs[0]) != 1)
			goto out;
		store = own;
	}
	if (!sc || !untrusted)
		goto out;
	for (i = 0; i + 1 < c->n; i++)
		if (!sk_X509_push(untrusted, c->certs[i]))
			goto out;
	if (X509_STORE_CTX_init(sc, store, c->certs[c->n - 1], untrusted) != 1)
		goto out;
	if (!trust && !self_signed(c->certs[0]))
		X509_STORE_CTX_set_flags(sc, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(sc) == 1) {
		rc = 0;
	} else {
		int err = X509_STORE_CTX_get_error(sc), depth = X509_STORE_CTX_get_error_depth(sc);
		char subj[160];

		subject_of(X509_STORE_CTX_get_current_cert(sc), subj, sizeof(subj));
		rc = doe_err(ctx, -EKEYREJECTED,
			     "certificate chain: depth %d (%s; 0 is the leaf): %s", depth, subj,
			     X509_verify_cert_error_string(err));
	}
out:
	ERR_clear_error();
	X509_STORE_CTX_free(sc);
	sk_X509_free(untrusted);
	X509_STORE_free(own);
	if (rc == -ENOMEM)
		return doe_err(ctx, rc, "certificate chain: out of memory");
	return rc;
}

int spdm_chain_check(struct doe_ctx *ctx, const void *chain, size_t len, uint32_t hash_algo,
		     uint32_t asym_algo, const struct spdm_trust *trust,
		     struct spdm_chain_info *info, EVP_PKEY **leaf)
{
	return spdm_chain_check_cached(ctx, chain, len, hash_algo, asym_algo, trust, NULL, info,
				       leaf);
}

int spdm_chain_check_cached(struct doe_ctx *ctx, const void *chain, size_t len,
			    uint32_t hash_algo, uint32_t asym_algo, const struct spdm_trust *trust,
			    struct spdm_chain_cache *cache, struct spdm_chain_info *info,
			    EVP_PKEY **leaf)
{
	struct spdm_chain_info tmp;
	struct chain c;
	EVP_PKEY *key;
	int rc;

	if (!info)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	if (!chain || !spdm_sig_size(asym_algo))
		return doe_err(ctx, -EINVAL, "certificate chain: bad arguments");
	TRY(chain_parse(ctx, chain, len, hash_algo, cache, &c));
	info->ncerts = c.n;
	subject_of(c.certs[c.n - 1], info->leaf_subject, sizeof(info->leaf_subject));
	cma_san(c.certs[c.n - 1], info->cma_san, sizeof(info->cma_san));
	rc = check_root_hash(ctx, &c, hash_algo, trust, &info->root_hash_ok);
	if (rc)
		goto out;
	rc = check_order(ctx, &c);
	if (rc)
		goto out;
	rc = x509_verify(ctx, &c, trust, &info->anchored);
	if (rc)
		goto out;
	/* DSP0274 §10.7: the leaf key is the one negotiated in BaseAsymSel */
	key = X509_get0_pubkey(c.certs[c.n - 1]);
	if (!key) {
		rc = doe_err(ctx, -EKEYREJECTED, "certificate chain: depth 0 (%s): no public key",
			     info->leaf_subject);
		goto out;
	}
	rc = spdm_key_check(ctx, key, asym_algo, "leaf certificate");
	if (rc) {
		doe_err_prefix(ctx, "certificate chain: depth 0 (%s)", info->leaf_subject);
		goto out;
	}
	/* DSP0274 Annex "leaf certificate": an end entity, not a CA */
	if (c.n > 1 && X509_check_ca(c.certs[c.n - 1]))
		rc = doe_err(ctx, -EKEYREJECTED,
			     "certificate chain: depth 0 (%s): the leaf certificate is a CA certificate",
			     info->leaf_subject);
	if (rc == 0)
		rc = check_leaf_usage(ctx, c.certs[c.n - 1], info->leaf_subject);
	/* the issuers of a chain that verified are worth keeping parsed */
	if (rc == 0 && cache)
		for (unsigned i = 0; i + 1 < c.n; i++)
			spdm_cache_cert_put(cache, c.der[i], c.der_len[i], c.certs[i]);
	/* hand the checked key out rather than parse the chain again */
	if (rc == 0 && leaf) {
		if (EVP_PKEY_up_ref(key) != 1)
			rc = doe_err(ctx, -ENOMEM, "certificate chain: cannot keep the leaf key");
		else
			*leaf = key;
	}
out:
	chain_free(&c);
	return rc;
}

int spdm_chain_verify(struct doe_ctx *ctx, const void *chain, size_t len, uint32_t hash_algo,
		      uint32_t asym_algo, const struct spdm_trust *trust,
		      struct spdm_chain_info *info)
{
	return spdm_chain_check(ctx, chain, len, hash_algo, asym_algo, trust, info, NULL);
}

