// SPDX-License-Identifier: MIT
/*
 * What doe attest prints: the certificate chain, the measurement blocks
 * and the verdict, as text and as JSON evidence. Everything is rendered
 * from the requester's result, so text and JSON never disagree.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <doekit/cursor.h>
#include "attest.h"
#include "internal.h"

void hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xF];
	}
	out[2 * n] = '\0';
}

int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = s ? strlen(s) : 0;

	if (!s || n % 2 || n / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

struct json_object *hex_json(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	struct json_object *o;

	if (!s)
		return NULL;
	hex_encode(p, n, s);
	o = json_object_new_string(s);
	free(s);
	return o;
}

/* One DER TLV (definite length of at most 4 bytes) from r: its tag, its
 * value, and the whole element. */
static int der_tlv(struct doe_rd *r, uint8_t *tag, struct doe_rd *val, const uint8_t **whole,
		   size_t *whole_len)
{
	size_t start = r->off, n = 0;
	uint8_t l;

	if (doe_rd_u8(r, tag) || doe_rd_u8(r, &l))
		return -EBADMSG;
	if (l & 0x80) {
		uint8_t k = l & 0x7F, b;

		if (k == 0 || k > 4)
			return -EBADMSG;
		while (k--) {
			if (doe_rd_u8(r, &b))
				return -EBADMSG;
			n = n << 8 | b;
		}
	} else {
		n = l;
	}
	TRY(doe_rd_sub(r, n, val));
	*whole = r->p + start;
	*whole_len = r->off - start;
	return 0;
}

/*
 * A field of a DER certificate's TBSCertificate, as its whole TLV, for
 * OpenSSL to decode alone: d2i_X509 decodes the public key too, which
 * costs more than a signature check (OpenSSL 3.0), and a report or an
 * appraisal of a thousand devices needs only names and identifiers.
 * Fields after the optional [0] version: TBS_SERIAL .. TBS_SPKI in order,
 * TBS_EXTENSIONS the [3] block's content (SEQUENCE OF Extension).
 */
enum tbs_field { TBS_SERIAL, TBS_SIGNATURE, TBS_ISSUER, TBS_VALIDITY, TBS_SUBJECT, TBS_SPKI,
		 TBS_EXTENSIONS };

static int tbs_field(const uint8_t *der, size_t len, enum tbs_field f, const uint8_t **whole,
		     size_t *wlen)
{
	struct doe_rd r, cert, tbs, v;
	uint8_t tag;

	doe_rd_init(&r, der, len);
	TRY(der_tlv(&r, &tag, &cert, whole, wlen));
	TRY(der_tlv(&cert, &tag, &tbs, whole, wlen));
	TRY(der_tlv(&tbs, &tag, &v, whole, wlen));
	if (tag == 0xA0)	/* version: then the serial */
		TRY(der_tlv(&tbs, &tag, &v, whole, wlen));
	if (f != TBS_EXTENSIONS) {
		for (int i = TBS_SERIAL; i < (int)f; i++)
			TRY(der_tlv(&tbs, &tag, &v, whole, wlen));
		return 0;
	}
	for (int i = TBS_SERIAL; i < TBS_SPKI; i++)
		TRY(der_tlv(&tbs, &tag, &v, whole, wlen));
	while (doe_rd_left(&tbs)) {	/* [1], [2] unique IDs, then [3] */
		TRY(der_tlv(&tbs, &tag, &v, whole, wlen));
		if (tag == 0xA3)
			return der_tlv(&v, &tag, &(struct doe_rd){ 0 }, whole, wlen);
	}
	return -ENOENT;
}

static int der_subject(const uint8_t *der, size_t len, char *buf, size_t blen)
{
	const uint8_t *whole = NULL;
	size_t wlen = 0;
	X509_NAME *name;
	BIO *b;
	int n = 0;

	TRY(tbs_field(der, len, TBS_SUBJECT, &whole, &wlen));
	name = d2i_X509_NAME(NULL, &whole, (long)wlen);
	if (!name)
		return -EBADMSG;
	buf[0] = '\0';
	b = BIO_new(BIO_s_mem());
	if (b && X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_read(b, buf, (int)blen - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	X509_NAME_free(name);
	return 0;
}

int der_cert_ids(const uint8_t *der, size_t len, ASN1_INTEGER **serial,
		 ASN1_OCTET_STRING **ski)
{
	const uint8_t *whole = NULL;
	size_t wlen = 0;

	*serial = NULL;
	*ski = NULL;
	TRY(tbs_field(der, len, TBS_SERIAL, &whole, &wlen));
	*serial = d2i_ASN1_INTEGER(NULL, &whole, (long)wlen);
	if (!*serial)
		return -EBADMSG;
	if (tbs_field(der, len, TBS_EXTENSIONS, &whole, &wlen) == 0) {
		STACK_OF(X509_EXTENSION) *exts = d2i_X509_EXTENSIONS(NULL, &whole, (long)wlen);

		if (exts)
			*ski = X509V3_get_d2i(exts, NID_subject_key_identifier, NULL, NULL);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	ERR_clear_error();
	return 0;
}

void chain_cert_subject(const struct chain_cert *c, char *buf, size_t len)
{
	buf[0] = '\0';
	if (der_subject(c->der, c->der_len, buf, len))
		snprintf(buf, len, "(not a certificate)");
}

/* PEM straight from the DER bytes: what PEM_write_bio_X509 writes for a
 * certificate that was DER to begin with. */
static struct json_object *der_pem(const uint8_t *der, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	struct json_object *o = NULL;
	char *p;
	long n;

	if (b && PEM_write_bio(b, "CERTIFICATE", "", der, (long)len) > 0 &&
	    (n = BIO_get_mem_data(b, &p)) > 0)
		o = json_object_new_string_len(p, (int)n);
	BIO_free(b);
	return o;
}

int chain_split(struct doe_ctx *ctx, const uint8_t *chain, size_t len, size_t hash_size,
		struct chain_cert *out, size_t max)
{
	struct doe_rd r, v;
	size_t n = 0;

	doe_rd_init(&r, chain, len);
	if (doe_rd_skip(&r, 4 + hash_size))
		return doe_err(ctx, -EBADMSG, "certificate chain: %zu bytes, shorter than its header",
			       len);
	while (doe_rd_left(&r) && n < max) {
		uint8_t tag;

		if (der_tlv(&r, &tag, &v, &out[n].der, &out[n].der_len) || tag != 0x30)
			return doe_err(ctx, -EBADMSG, "certificate chain: certificate %zu is not DER",
				       n);
		n++;
	}
	return (int)n;
}

struct json_object *chain_json(const struct chain_cert *c, int n)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		char subj[256];

		chain_cert_subject(&c[i], subj, sizeof(subj));
		json_object_object_add(o, "subject", tool_json_untrusted(subj, strlen(subj)));
		json_object_object_add(o, "pem", der_pem(c[i].der, c[i].der_len));
		json_object_array_add(arr, o);
	}
	return arr;
}

const char *meas_type_name(uint8_t type)
{
	/* DSP0274 Table "DMTFSpecMeasurementValueType" */
	static const char *const names[] = {
		"immutable ROM", "mutable firmware", "hardware configuration",
		"firmware configuration", "freeform manifest", "device mode",
		"mutable firmware version", "mutable firmware security version",
		"hash-extended measurement", "informational", "structured manifest",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "other";
}

static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7E)
			return false;
	return n > 0;
}

int meas_json(struct doe_ctx *ctx, const uint8_t *rec, size_t len, struct json_object **out)
{
	struct json_object *arr = json_object_new_array();
	struct spdm_meas_block b;
	size_t off = 0;
	int rc;

	while ((rc = spdm_meas_next(ctx, rec, len, &off, &b)) == 1) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "index", json_object_new_int(b.index));
		json_object_object_add(o, "type", json_object_new_int(b.type));
		json_object_object_add(o, "type_name", json_object_new_string(meas_type_name(b.type)));
		json_object_object_add(o, "raw", json_object_new_boolean(b.raw));
		json_object_object_add(o, "value", hex_json(b.value, b.value_size));
		if (b.raw && printable(b.value, b.value_size))
			json_object_object_add(o, "text",
					       json_object_new_string_len((const char *)b.value,
									  b.value_size));
		json_object_array_add(arr, o);
	}
	if (rc < 0) {
		json_object_put(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

void meas_print(struct doe_ctx *ctx, const uint8_t *rec, size_t len)
{
	struct spdm_meas_block b;
	size_t off = 0;

	while (spdm_meas_next(ctx, rec, len, &off, &b) == 1) {
		char hex[2 * 64 + 1];
		size_t show = b.value_size < 64 ? b.value_size : 64;

		hex_encode(b.value, show, hex);
		if (b.raw && printable(b.value, b.value_size)) {
			char text[TOOL_ESC_SIZE(256)];

			/* the device's text: escaped like every device string */
			tool_escape((const char *)b.value, b.value_size, text, sizeof(text));
			printf("    [%u] %-26s raw     \"%s\"\n", b.index, meas_type_name(b.type),
			       text);
		}
		else {
			printf("    [%u] %-26s %s  %s%s\n", b.index, meas_type_name(b.type),
			       b.raw ? "raw   " : "digest", hex, show < b.value_size ? "..." : "");
		}
	}
}
