// SPDX-License-Identifier: MIT
/*
 * What doe attest prints: the certificate chain, the measurement blocks
 * and the verdict, as text and as JSON evidence. Everything is rendered
 * from the requester's result, so text and JSON never disagree.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = s ? strlen(s) : 0;

	if (!s || n % 2 || n / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

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

/* The DER certificates of an SPDM chain (DSP0274 §10.7.1: Length u16,
 * Reserved u16, RootHash, certificates root first). The chain was checked
 * by the library; this walk is bounded all the same. */
int chain_certs(struct doe_ctx *ctx, const uint8_t *chain, size_t len, size_t hash_size,
		struct chain_cert *out, size_t max)
{
	struct doe_rd r;
	size_t n = 0;

	doe_rd_init(&r, chain, len);
	if (doe_rd_skip(&r, 4 + hash_size))
		return doe_err(ctx, -EBADMSG, "certificate chain: %zu bytes, shorter than its header",
			       len);
	while (doe_rd_left(&r) && n < max) {
		const unsigned char *p = r.p + r.off, *start = p;
		X509 *x = d2i_X509(NULL, &p, (long)doe_rd_left(&r));

		if (!x) {
			/* the caller gets none of them: free what was parsed */
			chain_certs_free(out, (int)n);
			return doe_err(ctx, -EBADMSG, "certificate chain: certificate %zu is not DER",
				       n);
		}
		out[n].x509 = x;
		out[n].der = start;
		out[n].der_len = (size_t)(p - start);
		doe_rd_skip(&r, out[n].der_len);
		n++;
	}
	return (int)n;
}

void chain_certs_free(struct chain_cert *c, int n)
{
	for (int i = 0; i < n; i++)
		X509_free(c[i].x509);
}

void cert_subject(X509 *x, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	buf[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_read(b, buf, (int)len - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

static struct json_object *cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	struct json_object *o = NULL;
	char *p;
	long n;

	if (b && PEM_write_bio_X509(b, x) == 1 && (n = BIO_get_mem_data(b, &p)) > 0)
		o = json_object_new_string_len(p, (int)n);
	BIO_free(b);
	return o;
}

struct json_object *chain_json(const struct chain_cert *c, int n)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		char subj[256];

		cert_subject(c[i].x509, subj, sizeof(subj));
		json_object_object_add(o, "subject", tool_json_untrusted(subj, strlen(subj)));
		json_object_object_add(o, "pem", cert_pem(c[i].x509));
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
