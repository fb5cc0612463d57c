// SPDX-License-Identifier: MIT
/*
 * Appraisal of one device's evidence against the verifier's policy.
 *
 * Order, and why: first what the attestation itself established (chain
 * anchored, signatures good); then what was negotiated (version,
 * algorithms) and the deny lists; then, only for evidence whose chain and
 * signatures hold, the devices entries the CMA SAN or the leaf's SKI
 * select and their reference values: measurements that no verified
 * signature covers prove nothing either way, so comparing them would only
 * add noise to a verdict that is already "rejected". Every failed check
 * is reported, not only the first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "appraise.h"
#include "attest.h"
#include "internal.h"
#include "tool.h"

/* ---- verdicts ---- */

static const char *const kind_names[] = {
	[VERDICT_AUTHORIZED] = "authorized",
	[VERDICT_REJECTED] = "rejected",
	[VERDICT_UNREACHABLE] = "unreachable",
	[VERDICT_UNTRUSTED_PATH] = "untrusted_path",
};

const char *verdict_name(enum verdict_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

int verdict_parse(const char *s, enum verdict_kind *k)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(s, kind_names[i]))
			return *k = (enum verdict_kind)i, 0;
	return -EINVAL;
}

int verdict_init(struct verdict *v)
{
	v->kind = VERDICT_AUTHORIZED;
	v->reasons = json_object_new_array();
	return v->reasons ? 0 : -ENOMEM;
}

void verdict_fini(struct verdict *v)
{
	json_object_put(v->reasons);
	v->reasons = NULL;
}

static struct json_object *str_json(const char *s)
{
	/* any of the three may quote a device (or a policy file): kept JSON-safe */
	return tool_json_untrusted(s, strlen(s));
}

static struct json_object *reason_new(const char *check, const char *expected, const char *got,
				      const char *policy)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "check", json_object_new_string(check));
	json_object_object_add(o, "expected", str_json(expected));
	json_object_object_add(o, "got", str_json(got));
	if (policy)
		json_object_object_add(o, "policy", str_json(policy));
	return o;
}

int verdict_add(struct verdict *v, const char *check, const char *expected, const char *got,
		const char *policy)
{
	struct json_object *o = reason_new(check, expected, got, policy);

	if (!o || json_object_array_add(v->reasons, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	if (v->kind == VERDICT_AUTHORIZED)
		v->kind = VERDICT_REJECTED;
	return 0;
}

int verdict_unreachable(struct verdict *v, const char *why)
{
	TRY(verdict_add(v, CHECK_REACHABLE, "a CMA/SPDM responder that answers", why, NULL));
	v->kind = VERDICT_UNREACHABLE;
	return 0;
}

int verdict_untrusted_path(struct verdict *v, const char *port, enum verdict_kind port_kind)
{
	struct json_object *arr = json_object_new_array(), *o;
	char got[160];

	snprintf(got, sizeof(got), "below %s, which is %s", port, verdict_name(port_kind));
	o = reason_new(CHECK_PATH, "every port above authorized", got, NULL);
	/* first: it is why the device is not trusted, whatever follows (the
	 * json-c we build with has no array insert) */
	if (!arr || !o || json_object_array_add(arr, o)) {
		json_object_put(o);
		json_object_put(arr);
		return -ENOMEM;
	}
	for (size_t i = 0; i < json_object_array_length(v->reasons); i++)
		json_object_array_add(arr, json_object_get(json_object_array_get_idx(v->reasons, i)));
	json_object_put(v->reasons);
	v->reasons = arr;
	v->kind = VERDICT_UNTRUSTED_PATH;
	return 0;
}

void verdict_to_json(const struct verdict *v, struct json_object *o)
{
	struct json_object *copy = NULL;

	json_object_deep_copy(v->reasons, &copy, NULL);
	json_object_object_add(o, "verdict", json_object_new_string(verdict_name(v->kind)));
	json_object_object_add(o, "reasons", copy);
}

struct json_object *bundle_node_new(const char *device, const struct verdict *v,
				    struct json_object *evidence, struct json_object **children)
{
	struct json_object *o = json_object_new_object(), *kids = json_object_new_array();

	json_object_object_add(o, "device", json_object_new_string(device));
	verdict_to_json(v, o);
	json_object_object_add(o, "evidence", evidence);
	json_object_object_add(o, "children", kids);
	if (children)
		*children = kids;
	return o;
}

struct json_object *bundle_new(struct json_object *devices)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "doekit_bundle", json_object_new_int(BUNDLE_VERSION));
	json_object_object_add(o, "devices", devices);
	return o;
}

static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_string))
		return NULL;
	return json_object_get_string(m);
}

/* A member of a reason we made: always there, but never printed as NULL. */
static const char *reason_str(struct json_object *r, const char *key)
{
	const char *s = member_str(r, key);

	return s ? s : "?";
}

void verdict_print(const struct verdict *v, const char *indent)
{
	size_t n = json_object_array_length(v->reasons);

	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(v->reasons, i);
		const char *pol = member_str(r, "policy");

		printf("%s%s", indent, reason_str(r, "check"));
		if (pol) {
			printf(" (");
			tool_fputs_escaped(pol, stdout);
			putchar(')');
		}
		printf(": expected ");
		tool_fputs_escaped(reason_str(r, "expected"), stdout);
		printf(", got ");
		tool_fputs_escaped(reason_str(r, "got"), stdout);
		putchar('\n');
	}
}

bool appraise_unreachable_rc(int rc)
{
	switch (-rc) {
	case ETIMEDOUT: case EIO: case ENODEV: case ENXIO: case EBUSY:
	case ECONNREFUSED: case ECONNRESET: case ECONNABORTED: case EPIPE:
	case ENOTCONN: case EHOSTUNREACH: case ENETUNREACH:
		return true;
	}
	return false;
}

/* ---- reading the evidence ---- */

/* The evidence doc is ours (attest_doc()), but the topology walk and
 * verify-evidence hand it over from elsewhere: read it defensively. */
static bool member_bool(struct json_object *o, const char *key, bool *out)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_boolean))
		return false;
	*out = json_object_get_boolean(m);
	return true;
}

static bool is_null_member(struct json_object *o, const char *key)
{
	struct json_object *m;

	return json_object_object_get_ex(o, key, &m) && !m;
}

/* spdm_asym_name()/spdm_hash_name() spelling back to the bit */
static uint32_t algo_bit(const char *name, const char *(*namefn)(uint32_t))
{
	for (int i = 0; name && i < 32; i++)
		if (!strcmp(namefn(1u << i), name))
			return 1u << i;
	return 0;
}

/* "ecdsa-p256, ecdsa-p384": the names of mask's bits */
static void algo_list(uint32_t mask, const char *(*cli)(uint32_t), char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < 32 && n < len; i++)
		if (mask & 1u << i) {
			int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", cli(1u << i));

			n += w > 0 ? (size_t)w : 0;
		}
}

struct leaf {
	uint8_t ski[POLICY_MAX_ID], serial[POLICY_MAX_ID];
	size_t ski_len, serial_len;	/* 0: none (or longer than any we compare) */
	bool present;
};

/* The leaf: the last certificate of certificate_chain (root first); its
 * PEM to DER, then only the serial and the key identifier decoded (not the
 * public key: der_cert_ids()). */
static void leaf_read(struct json_object *ev, struct leaf *l)
{
	struct json_object *arr, *c;
	ASN1_OCTET_STRING *ski = NULL;
	ASN1_INTEGER *serial = NULL;
	unsigned char *der = NULL;
	char *name = NULL, *header = NULL;
	const char *pem;
	long der_len = 0;
	BIGNUM *bn = NULL;
	BIO *b;
	size_t n;

	memset(l, 0, sizeof(*l));
	if (!json_object_object_get_ex(ev, "certificate_chain", &arr) ||
	    !json_object_is_type(arr, json_type_array) || !(n = json_object_array_length(arr)))
		return;
	c = json_object_array_get_idx(arr, n - 1);
	pem = json_object_is_type(c, json_type_object) ? member_str(c, "pem") : NULL;
	if (!pem || !(b = BIO_new_mem_buf(pem, -1)))
		return;
	if (PEM_read_bio(b, &name, &header, &der, &der_len) == 1 && !strcmp(name, "CERTIFICATE") &&
	    der_cert_ids(der, (size_t)der_len, &serial, &ski) == 0) {
		l->present = true;
		if (ski && ASN1_STRING_length(ski) > 0 && ASN1_STRING_length(ski) <= POLICY_MAX_ID) {
			l->ski_len = (size_t)ASN1_STRING_length(ski);
			memcpy(l->ski, ASN1_STRING_get0_data(ski), l->ski_len);
		}
		/* the serial as its magnitude, big-endian, no leading zero bytes */
		bn = ASN1_INTEGER_to_BN(serial, NULL);
		if (bn && BN_num_bytes(bn) <= POLICY_MAX_ID)
			l->serial_len = (size_t)BN_bn2bin(bn, l->serial);
	}
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	ASN1_OCTET_STRING_free(ski);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(b);
	ERR_clear_error();
}

static void hex_short(const uint8_t *p, size_t n, char *out, size_t cap)
{
	/* cap >= 2 * n + 1 for the whole; else cut with "..." */
	if (2 * n + 1 <= cap) {
		hex_encode(p, n, out);
		return;
	}
	hex_encode(p, (cap - 4) / 2, out);
	strcat(out, "...");
}

/* ---- the checks ---- */

/* What the attestation established: chain, signatures. False: it failed. */
static int check_attestation(struct json_object *ev, struct verdict *v, bool *held)
{
	const char *why = member_str(ev, "reason");
	const char *trust = member_str(ev, "trust");
	bool verified = false, chain = false, chal = false, msig = false, mver = false;

	*held = false;
	if (!member_bool(ev, "verified", &verified))
		return verdict_add(v, CHECK_EVIDENCE, "an evidence document of doe attest",
				   "no boolean \"verified\"", NULL);
	if (verified) {
		*held = true;
		return 0;
	}
	if (!why)
		why = "not verified";
	member_bool(ev, "chain_verified", &chain);
	member_bool(ev, "challenge_verified", &chal);
	member_bool(ev, "measurements_signed", &msig);
	member_bool(ev, "measurements_verified", &mver);
	if (!trust)
		return verdict_add(v, CHECK_TRUST, "a chain anchored in the verifier's trust anchors",
				   "no trust anchors given: the chain is anchored only at its own root",
				   "trust");
	if (!chain && !is_null_member(ev, "certificate_chain_spdm"))
		return verdict_add(v, CHECK_TRUST, "a chain anchored in the verifier's trust anchors",
				   why, "trust");
	if (chain && !chal)
		return verdict_add(v, CHECK_CHALLENGE, "a CHALLENGE_AUTH signature that verifies",
				   why, NULL);
	if (chain && msig && !mver)
		return verdict_add(v, CHECK_MEAS_SIG, "a MEASUREMENTS signature that verifies", why,
				   NULL);
	return verdict_add(v, CHECK_EVIDENCE, "a completed attestation", why, NULL);
}

static int check_negotiated(const struct policy *p, struct json_object *ev, struct verdict *v)
{
	const char *ver = member_str(ev, "version");
	const char *asym = member_str(ev, "base_asym_algo"), *hash = member_str(ev, "base_hash_algo");
	uint32_t abit = algo_bit(asym, spdm_asym_name), hbit = algo_bit(hash, spdm_hash_name);
	char want[256];
	uint8_t x;

	if (ver && spdm_version_parse(ver, &x) == 0 && x < p->vp.min_version) {
		snprintf(want, sizeof(want), ">= %u.%u", p->vp.min_version >> 4,
			 p->vp.min_version & 0xF);
		TRY(verdict_add(v, CHECK_VERSION, want, ver, "min_version"));
	}
	/* nothing negotiated (the attestation failed before ALGORITHMS):
	 * that failure is the reason, not the algorithms */
	if (asym && !(abit & p->vp.asym_algos)) {
		algo_list(p->vp.asym_algos, asym_cli_name, want, sizeof(want));
		TRY(verdict_add(v, CHECK_ASYM, want, abit ? asym_cli_name(abit) : asym, "asym"));
	}
	if (hash && !(hbit & p->vp.hash_algos)) {
		algo_list(p->vp.hash_algos, hash_cli_name, want, sizeof(want));
		TRY(verdict_add(v, CHECK_HASH, want, hbit ? hash_cli_name(hbit) : hash, "hash"));
	}
	return 0;
}

static bool bytes_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return an == bn && !memcmp(a, b, an);
}

/* Serial numbers compare as numbers: "00ab" and "ab" are the same one. */
static bool serial_eq(const struct policy_value *d, const struct leaf *l)
{
	const uint8_t *p = d->p;
	size_t n = d->len;

	while (n > 1 && !*p)
		p++, n--;
	if (l->serial_len == 0)	/* serial zero */
		return n == 1 && !*p;
	return bytes_eq(p, n, l->serial, l->serial_len);
}

static int check_deny(const struct policy *p, const struct leaf *l, struct verdict *v)
{
	char got[2 * POLICY_MAX_ID + 1], pol[48];

	for (size_t i = 0; l->ski_len && i < p->ndeny_ski; i++)
		if (bytes_eq(p->deny_ski[i].p, p->deny_ski[i].len, l->ski, l->ski_len)) {
			hex_encode(l->ski, l->ski_len, got);
			snprintf(pol, sizeof(pol), "deny.leaf_ski[%zu]", i);
			TRY(verdict_add(v, CHECK_DENY_SKI, "a leaf key not on the deny list", got, pol));
		}
	for (size_t i = 0; l->present && i < p->ndeny_serial; i++)
		if (serial_eq(&p->deny_serial[i], l)) {
			hex_encode(l->serial, l->serial_len, got);
			snprintf(pol, sizeof(pol), "deny.leaf_serial[%zu]", i);
			TRY(verdict_add(v, CHECK_DENY_SERIAL, "a leaf serial not on the deny list",
					l->serial_len ? got : "00", pol));
		}
	return 0;
}

/* The measurement mode the evidence used (its "policy.measurements"). */
static const char *meas_mode_of(struct json_object *ev)
{
	struct json_object *pol;

	if (!json_object_object_get_ex(ev, "policy", &pol) ||
	    !json_object_is_type(pol, json_type_object))
		return NULL;
	return member_str(pol, "measurements");
}

/* The block of this index in the evidence's "measurements", or NULL. */
static struct json_object *block_of(struct json_object *ev, unsigned index)
{
	struct json_object *arr, *idx;

	if (!json_object_object_get_ex(ev, "measurements", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *b = json_object_array_get_idx(arr, i);

		if (json_object_is_type(b, json_type_object) &&
		    json_object_object_get_ex(b, "index", &idx) &&
		    json_object_is_type(idx, json_type_int) &&
		    json_object_get_int64(idx) == (int64_t)index)
			return b;
	}
	return NULL;
}

/* The verifier's measurement requirement (--measurements, default all)
 * and that what was measured is authenticated. */
static int check_meas_mode(const struct policy *p, struct json_object *ev, struct verdict *v)
{
	const char *mode = meas_mode_of(ev);
	bool every, authed = false;
	char want[8];
	bool ok;

	if (!mode)
		return verdict_add(v, CHECK_EVIDENCE, "policy.measurements in the evidence",
				   "missing", NULL);
	every = !strcmp(mode, "all") || !strcmp(mode, "each");
	switch (p->vp.meas_mode) {
	case SPDM_MEAS_ALL:
		ok = every;
		snprintf(want, sizeof(want), "all");
		break;
	case SPDM_MEAS_EACH:
		ok = !strcmp(mode, "each");
		snprintf(want, sizeof(want), "each");
		break;
	case SPDM_MEAS_INDEX:
		snprintf(want, sizeof(want), "%u", p->vp.meas_index);
		ok = every || !strcmp(mode, want);
		if (ok && !block_of(ev, p->vp.meas_index))
			TRY(verdict_add(v, CHECK_REQUIRED, want, "absent", "--measurements"));
		break;
	default:
		ok = true;
		want[0] = '\0';
		break;
	}
	if (!ok)
		TRY(verdict_add(v, CHECK_MEAS_MODE, want, mode, NULL));
	if (strcmp(mode, "none") && !p->vp.allow_unsigned &&
	    !(member_bool(ev, "measurements_authenticated", &authed) && authed))
		TRY(verdict_add(v, CHECK_MEAS_AUTH,
				"measurements covered by a verified signature",
				"unsigned, and no verified CHALLENGE_AUTH summary hash covers them",
				NULL));
	return 0;
}

static bool entry_matches(const struct policy_match *m, unsigned san_fields,
			  const uint32_t *san, const struct leaf *l)
{
	for (int f = 0; f < POLICY_NFIELDS; f++)
		if ((m->fields & 1u << f) && (!(san_fields & 1u << f) || san[f] != m->value[f]))
			return false;
	if (m->leaf_ski_len && !bytes_eq(m->leaf_ski, m->leaf_ski_len, l->ski, l->ski_len))
		return false;
	return true;
}

/* "one of: a, b, c" (the first few; the rest counted) */
static void expected_values(const struct policy_meas *m, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s",
				    m->form == POLICY_DIGEST ? "digest " : m->form == POLICY_TEXT
				    ? "raw text " : "raw value ");

	n += (size_t)snprintf(buf + n, len - n, "%s", m->n > 1 ? "one of " : "");
	for (size_t i = 0; i < m->n && i < 4 && n < len; i++) {
		char h[2 * 48 + 4];

		if (m->form == POLICY_TEXT)
			n += (size_t)snprintf(buf + n, len - n, "%s\"%.*s\"", i ? ", " : "",
					      (int)(m->v[i].len < 64 ? m->v[i].len : 64),
					      (const char *)m->v[i].p);
		else {
			hex_short(m->v[i].p, m->v[i].len, h, sizeof(h));
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", h);
		}
	}
	if (m->n > 4 && n < len)
		snprintf(buf + n, len - n, ", ... (%zu values)", m->n);
}

static int check_value(const struct policy_meas *m, struct json_object *blk, const char *pol,
		       struct verdict *v)
{
	const char *hex = member_str(blk, "value");
	uint8_t val[POLICY_MAX_VALUE];
	char want[512], got[2 * 48 + 64];
	size_t n = 0;
	bool raw = false;

	member_bool(blk, "raw", &raw);
	if (!hex || hex_decode(hex, val, sizeof(val), &n)) {
		/* longer than any value a policy can hold: it matches none */
		n = SIZE_MAX;
	}
	if (n != SIZE_MAX && raw == (m->form != POLICY_DIGEST))
		for (size_t i = 0; i < m->n; i++)
			if (bytes_eq(m->v[i].p, m->v[i].len, val, n))
				return 0;
	expected_values(m, want, sizeof(want));
	if (n == SIZE_MAX)
		snprintf(got, sizeof(got), "%s value of %zu hex digits", raw ? "a raw" : "a digest",
			 hex ? strlen(hex) : 0);
	else if (raw && m->form == POLICY_TEXT)
		snprintf(got, sizeof(got), "raw text \"%.*s\"", (int)(n < 64 ? n : 64),
			 (const char *)val);
	else {
		char h[2 * 48 + 4];

		hex_short(val, n, h, sizeof(h));
		snprintf(got, sizeof(got), "%s %s", raw ? "raw value" : "digest", h);
	}
	return verdict_add(v, CHECK_VALUE, want, got, pol);
}

/* An index with reference values is reported missing under its
 * measurements member, not twice. */
static bool has_reference(const struct policy_device *d, unsigned index)
{
	for (size_t k = 0; k < d->nmeas; k++)
		if (d->meas[k].index == index)
			return true;
	return false;
}

static int check_entry(const struct policy_device *d, size_t i, struct json_object *ev,
		       struct verdict *v)
{
	char pol[64], want[16];

	for (unsigned x = POLICY_MIN_INDEX; x <= POLICY_MAX_INDEX; x++)
		if (d->require[x] && !has_reference(d, x) && !block_of(ev, x)) {
			snprintf(pol, sizeof(pol), "devices[%zu].require", i);
			snprintf(want, sizeof(want), "index %u", x);
			TRY(verdict_add(v, CHECK_REQUIRED, want, "absent", pol));
		}
	for (size_t k = 0; k < d->nmeas; k++) {
		const struct policy_meas *m = &d->meas[k];
		struct json_object *blk = block_of(ev, m->index);

		snprintf(pol, sizeof(pol), "devices[%zu].measurements.%u", i, m->index);
		/* a reference value implies the block must be there: a device
		 * must not pass by leaving out the measurement that fails */
		if (!blk) {
			snprintf(want, sizeof(want), "index %u", m->index);
			TRY(verdict_add(v, CHECK_REQUIRED, want, "absent", pol));
			continue;
		}
		TRY(check_value(m, blk, pol, v));
	}
	return 0;
}

int appraise(struct doe_ctx *ctx, const struct policy *p, struct json_object *ev,
	     struct verdict *v)
{
	uint32_t san[POLICY_NFIELDS] = { 0 };
	unsigned fields;
	struct leaf leaf;
	bool held;

	(void)ctx;
	if (!json_object_is_type(ev, json_type_object))
		return verdict_add(v, CHECK_EVIDENCE, "an evidence object", "not an object", NULL);
	TRY(check_attestation(ev, v, &held));
	TRY(check_negotiated(p, ev, v));
	leaf_read(ev, &leaf);
	TRY(check_deny(p, &leaf, v));
	if (!held)
		return 0;
	TRY(check_meas_mode(p, ev, v));
	fields = policy_san_fields(member_str(ev, "cma_san"), san);
	/* every entry that matches applies: a device matched by its class
	 * and by its key must satisfy both */
	for (size_t i = 0; i < p->ndev; i++)
		if (entry_matches(&p->dev[i].match, fields, san, &leaf))
			TRY(check_entry(&p->dev[i], i, ev, v));
	return 0;
}
