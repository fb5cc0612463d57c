// SPDX-License-Identifier: MIT
/*
 * Test and emulator identities: root CA -> intermediate CA -> leaf, made
 * with OpenSSL at run time. Root and intermediate are ECDSA P-384 (fast to
 * make, whatever the leaf is); the leaf key is of the requested SPDM
 * algorithm and carries the CMA SAN otherName 2.23.147 (PCIe §6.31.3).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "spdm_int.h"
#include "internal.h"

#define DEFAULT_CMA_SAN "Vendor=1af4:Device=1234:CC=ff0000:REV=01:SSVID=1af4:SSID=0001"

struct spdm_identity {
	uint32_t asym;
	EVP_PKEY *leaf_key;
	uint8_t *certs;		/* root, intermediate, leaf DER */
	size_t certs_len;
	size_t root_len;
	/* made by spdm_identity_new(): what spdm_identity_issue() signs with */
	EVP_PKEY *int_key;
	X509 *inter;
	size_t ca_len;		/* root + intermediate DER */
};

static EVP_PKEY *keygen(uint32_t asym)
{
	switch (asym) {
	case SPDM_ASYM_RSASSA_2048:
	case SPDM_ASYM_RSAPSS_2048:
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSAPSS_3072:
	case SPDM_ASYM_RSASSA_4096:
	case SPDM_ASYM_RSAPSS_4096:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)spdm_sig_size(asym) * 8);
	case SPDM_ASYM_ECDSA_P256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case SPDM_ASYM_ECDSA_P384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case SPDM_ASYM_ECDSA_P521:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	case SPDM_ASYM_EDDSA_25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case SPDM_ASYM_EDDSA_448:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	}
	return NULL;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* One certificate for key, signed by issuer_key (self-signed if issuer is NULL). */
static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *issuer_key, X509 *issuer, const char *cn,
		       bool ca, const char *san, long serial)
{
	X509 *x = X509_new();
	X509_NAME *name;
	char sanv[256];

	if (!x)
		return NULL;
	name = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 || ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 20L * 365 * 24 * 3600) ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"doekit test",
				       -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) != 1)
		goto fail;
	if (add_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    add_ext(x, issuer, NID_key_usage,
		    ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") ||
	    add_ext(x, issuer, NID_subject_key_identifier, "hash") ||
	    (issuer && add_ext(x, issuer, NID_authority_key_identifier, "keyid:always")))
		goto fail;
	if (san) {
		snprintf(sanv, sizeof(sanv), "otherName:2.23.147;UTF8:%s", san);
		if (add_ext(x, issuer, NID_subject_alt_name, sanv))
			goto fail;
	}
	if (!X509_sign(x, issuer_key, EVP_sha384()))
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

static int append_der(struct spdm_identity *id, X509 *x)
{
	int n = i2d_X509(x, NULL);
	uint8_t *p, *q;

	if (n <= 0)
		return -EIO;
	p = realloc(id->certs, id->certs_len + (size_t)n);
	if (!p)
		return -ENOMEM;
	id->certs = p;
	q = p + id->certs_len;
	i2d_X509(x, &q);
	id->certs_len += (size_t)n;
	return 0;
}

int spdm_identity_new(struct doe_ctx *ctx, uint32_t asym, const char *san,
		      struct spdm_identity **out)
{
	EVP_PKEY *root_key = NULL, *int_key = NULL;
	X509 *root = NULL, *inter = NULL, *leaf = NULL;
	struct spdm_identity *id;
	int rc = -EIO;

	if (!out || !spdm_sig_size(asym))
		return doe_err(ctx, -EINVAL, "identity: algorithm 0x%x not supported", asym);
	id = calloc(1, sizeof(*id));
	if (!id)
		return doe_err(ctx, -ENOMEM, "identity: out of memory");
	id->asym = asym;
	root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	int_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	id->leaf_key = keygen(asym);
	if (!root_key || !int_key || !id->leaf_key)
		goto out;
	root = make_cert(root_key, root_key, NULL, "doekit test root CA", true, NULL, 1);
	inter = root ? make_cert(int_key, root_key, root, "doekit test intermediate CA", true,
				 NULL, 2) : NULL;
	leaf = inter ? make_cert(id->leaf_key, int_key, inter, "doekit test device", false,
				 san ? san : DEFAULT_CMA_SAN, 3) : NULL;
	if (!leaf)
		goto out;
	if ((rc = append_der(id, root)) < 0)
		goto out;
	id->root_len = id->certs_len;
	if ((rc = append_der(id, inter)) < 0)
		goto out;
	id->ca_len = id->certs_len;
	if ((rc = append_der(id, leaf)) < 0)
		goto out;
	id->int_key = int_key;
	id->inter = inter;
	int_key = NULL;
	inter = NULL;
	rc = 0;
out:
	ERR_clear_error();
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(int_key);
	if (rc) {
		spdm_identity_free(id);
		return doe_err(ctx, rc, "identity: making a %s chain failed", spdm_asym_name(asym));
	}
	*out = id;
	return 0;
}

int spdm_identity_new_ca(struct doe_ctx *ctx, uint32_t asym, struct spdm_identity **out)
{
	const char *curve = asym == SPDM_ASYM_ECDSA_P256   ? "P-256"
			    : asym == SPDM_ASYM_ECDSA_P384 ? "P-384"
							   : NULL;
	EVP_PKEY *root_key = NULL;
	X509 *root = NULL;
	struct spdm_identity *id;
	int rc = -EIO;

	if (!out || !curve)
		return doe_err(ctx, -EINVAL, "identity: a CA key is ECDSA P-256 or P-384");
	id = calloc(1, sizeof(*id));
	if (!id)
		return doe_err(ctx, -ENOMEM, "identity: out of memory");
	id->asym = asym;
	root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	id->int_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	if (!root_key || !id->int_key)
		goto out;
	root = make_cert(root_key, root_key, NULL, "doekit test vendor root CA", true, NULL, 1);
	id->inter = root ? make_cert(id->int_key, root_key, root, "doekit test vendor device CA",
				     true, NULL, 2) : NULL;
	if (!id->inter || (rc = append_der(id, root)) < 0)
		goto out;
	id->root_len = id->certs_len;
	if ((rc = append_der(id, id->inter)) < 0)
		goto out;
	id->ca_len = id->certs_len;
	rc = 0;
out:
	ERR_clear_error();
	X509_free(root);
	EVP_PKEY_free(root_key);
	if (rc) {
		spdm_identity_free(id);
		return doe_err(ctx, rc ? rc : -EIO, "identity: making a CA failed");
	}
	*out = id;
	return 0;
}

void spdm_identity_free(struct spdm_identity *id)
{
	if (!id)
		return;
	EVP_PKEY_free(id->leaf_key);
	EVP_PKEY_free(id->int_key);
	X509_free(id->inter);
	free(id->certs);
	free(id);
}

int spdm_identity_issue(struct doe_ctx *ctx, const struct spdm_identity *ca, uint32_t asym,
			const char *san, long serial, struct spdm_identity **out)
{
	struct spdm_identity *id;
	X509 *leaf = NULL;
	int rc = -EIO;

	if (!out || !spdm_sig_size(asym))
		return doe_err(ctx, -EINVAL, "identity: algorithm 0x%x not supported", asym);
	if (!ca || !ca->int_key)
		return doe_err(ctx, -EINVAL, "identity: the issuer has no CA key (only identities "
			       "made by spdm_identity_new() issue others)");
	if (serial < 4)
		return doe_err(ctx, -EINVAL, "identity: serial %ld is the issuer's own (1-3)", serial);
	id = calloc(1, sizeof(*id));
	if (!id)
		return doe_err(ctx, -ENOMEM, "identity: out of memory");
	id->asym = asym;
	id->leaf_key = keygen(asym);
	if (id->leaf_key)
		leaf = make_cert(id->leaf_key, ca->int_key, ca->inter, "doekit test device", false,
				 san ? san : DEFAULT_CMA_SAN, serial);
	if (!leaf)
		goto out;
	id->certs = malloc(ca->ca_len);
	if (!id->certs) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(id->certs, ca->certs, ca->ca_len);
	id->certs_len = ca->ca_len;
	id->root_len = ca->root_len;
	rc = append_der(id, leaf);
out:
	ERR_clear_error();
	X509_free(leaf);
	if (rc) {
		spdm_identity_free(id);
		return doe_err(ctx, rc, "identity: issuing a %s leaf failed", spdm_asym_name(asym));
	}
	*out = id;
	return 0;
}

const uint8_t *spdm_identity_certs(const struct spdm_identity *id, size_t *len)
{
	*len = id->certs_len;
	return id->certs;
}

const uint8_t *spdm_identity_root(const struct spdm_identity *id, size_t *len)
{
	*len = id->root_len;
	return id->certs;
}

void spdm_identity_apply(const struct spdm_identity *id, struct spdm_rsp_config *c)
{
	c->asym_algo = id->asym;
	c->certs_der = id->certs;
	c->certs_der_len = id->certs_len;
	c->signer = spdm_evp_signer();
	c->signer_priv = id->leaf_key;
}

/* ---- files ---------------------------------------------------------------- */

static FILE *open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

int spdm_identity_save(struct doe_ctx *ctx, const struct spdm_identity *id, const char *key_path,
		       const char *chain_path)
{
	const uint8_t *p = id->certs, *end = id->certs + id->certs_len;
	FILE *kf = NULL, *cf = NULL;
	int rc = -EIO;

	kf = open_private(key_path);
	if (!kf)
		return doe_err(ctx, -errno, "identity: %s: %s", key_path, strerror(errno));
	cf = fopen(chain_path, "we");
	if (!cf) {
		rc = doe_err(ctx, -errno, "identity: %s: %s", chain_path, strerror(errno));
		fclose(kf);
		return rc;
	}
	if (PEM_write_PrivateKey(kf, id->leaf_key, NULL, NULL, 0, NULL, NULL) != 1)
		goto out;
	while (p < end) {
		X509 *x = d2i_X509(NULL, &p, (long)(end - p));
		int ok = x && PEM_write_X509(cf, x) == 1;

		X509_free(x);
		if (!ok)
			goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	if (fclose(kf) || fclose(cf))
		rc = -EIO;
	return rc ? doe_err(ctx, rc, "identity: writing %s / %s failed", key_path, chain_path) : 0;
}

static bool self_signed(X509 *x)
{
	return X509_check_issued(x, x) == X509_V_OK;
}

int spdm_identity_load(struct doe_ctx *ctx, uint32_t asym, const char *key_path,
		       const char *chain_path, struct spdm_identity **out)
{
	X509 *certs[16];
	struct spdm_identity *id;
	unsigned n = 0, i;
	FILE *f;
	int rc = -EINVAL;

	if (!out || !spdm_sig_size(asym))
		return doe_err(ctx, -EINVAL, "identity: algorithm 0x%x not supported", asym);
	id = calloc(1, sizeof(*id));
	if (!id)
		return doe_err(ctx, -ENOMEM, "identity: out of memory");
	id->asym = asym;
	f = fopen(key_path, "re");
	if (!f) {
		rc = doe_err(ctx, -errno, "identity: %s: %s", key_path, strerror(errno));
		goto fail;
	}
	id->leaf_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!id->leaf_key) {
		rc = doe_err(ctx, -EINVAL, "identity: %s: no PEM private key", key_path);
		goto fail;
	}
	f = fopen(chain_path, "re");
	if (!f) {
		rc = doe_err(ctx, -errno, "identity: %s: %s", chain_path, strerror(errno));
		goto fail;
	}
	while (n < ARRAY_SIZE(certs) && (certs[n] = PEM_read_X509(f, NULL, NULL, NULL)))
		n++;
	fclose(f);
	ERR_clear_error();
	if (!n) {
		rc = doe_err(ctx, -EINVAL, "identity: %s: no PEM certificates", chain_path);
		goto fail;
	}
	/* SPDM wants the root first; PEM bundles often start at the leaf */
	if (!self_signed(certs[0]) && self_signed(certs[n - 1])) {
		for (i = 0; i < n / 2; i++) {
			X509 *t = certs[i];

			certs[i] = certs[n - 1 - i];
			certs[n - 1 - i] = t;
		}
	}
	if (!self_signed(certs[0])) {
		rc = doe_err(ctx, -EINVAL, "identity: %s: no self-signed root at either end", chain_path);
		goto free_certs;
	}
	if (X509_check_private_key(certs[n - 1], id->leaf_key) != 1) {
		rc = doe_err(ctx, -EINVAL, "identity: %s does not match the leaf certificate of %s",
			     key_path, chain_path);
		goto free_certs;
	}
	rc = spdm_key_check(ctx, id->leaf_key, asym, "identity");
	for (i = 0; !rc && i < n; i++) {
		rc = append_der(id, certs[i]);
		if (!i && !rc)
			id->root_len = id->certs_len;
	}
free_certs:
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	ERR_clear_error();
	if (!rc) {
		*out = id;
		return 0;
	}
fail:
	spdm_identity_free(id);
	return rc;
}
