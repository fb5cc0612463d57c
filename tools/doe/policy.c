// SPDX-License-Identifier: MIT
/*
 * doe --policy FILE: the appraisal policy, read strictly (docs/policy.md).
 *
 * A policy decides which devices a machine accepts, so a typo must never
 * quietly weaken it: every member goes through jin (type, range, unknown
 * names refused), every hex string is checked for form and size, indices
 * for range and repetition, and each error names the member's path
 * ("policy.json: devices[0].measurements.1[2]: 47 bytes, not a digest
 * size (32, 48 or 64)").
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest.h"
#include "internal.h"
#include "jin.h"
#include "policy.h"
#include "tool.h"

struct policy *policy_new(void)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (p)
		verifier_policy_init(&p->vp);
	return p;
}

static void values_free(struct policy_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].p);
	free(v);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ntrust; i++)
		free(p->trust[i]);
	free(p->trust);
	for (size_t i = 0; i < p->ndev; i++) {
		for (size_t k = 0; k < p->dev[i].nmeas; k++)
			values_free(p->dev[i].meas[k].v, p->dev[i].meas[k].n);
		free(p->dev[i].meas);
	}
	free(p->dev);
	values_free(p->deny_ski, p->ndeny_ski);
	values_free(p->deny_serial, p->ndeny_serial);
	free(p);
}

/* ---- scalar members ---- */

static const char *const field_names[POLICY_NFIELDS] = {
	"vendor", "device", "class", "revision", "subsystem_vendor", "subsystem"
};
/* hex digits of each field, as config space and the CMA SAN hold them */
static const unsigned field_digits[POLICY_NFIELDS] = { 4, 4, 6, 2, 4, 4 };
/* their names in the CMA SAN (PCIe §6.31.3) */
static const char *const san_keys[POLICY_NFIELDS] = {
	"Vendor", "Device", "CC", "REV", "SSVID", "SSID"
};

const char *policy_field_name(enum policy_field f)
{
	return f < POLICY_NFIELDS ? field_names[f] : "?";
}

/* Exactly digits hex digits (either case) to a number; -1 otherwise. */
static int64_t fixed_hex(const char *s, size_t len, unsigned digits)
{
	int64_t v = 0;

	if (len != digits)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

unsigned policy_san_fields(const char *san, uint32_t value[POLICY_NFIELDS])
{
	unsigned found = 0;

	/* "Key=value" fields separated by ':'; a trailing serial number has
	 * no key and is skipped, as is any key this code does not know */
	while (san && *san) {
		size_t n = strcspn(san, ":");
		const char *eq = memchr(san, '=', n);

		for (int f = 0; eq && f < POLICY_NFIELDS; f++) {
			size_t kl = strlen(san_keys[f]);
			int64_t v;

			if ((size_t)(eq - san) != kl || strncmp(san, san_keys[f], kl))
				continue;
			v = fixed_hex(eq + 1, n - kl - 1, field_digits[f]);
			if (v < 0 || (found & 1u << f))
				return 0;	/* malformed or repeated: not the spec's form */
			value[f] = (uint32_t)v;
			found |= 1u << f;
		}
		san += n;
		if (*san)
			san++;
	}
	return found;
}

static const char *path2(char *buf, size_t len, const char *parent, const char *key)
{
	return jin_path(buf, len, parent, key, 0);
}

static int read_version(const struct jin *j, struct json_object *o, struct policy *p)
{
	const char *s;
	int rc = jin_str(j, o, "", "min_version", JIN_OPT, 8, &s);

	if (rc <= 0)
		return rc;
	if (spdm_version_parse(s, &p->vp.min_version))
		return doe_err(j->ctx, -EINVAL, "%s: min_version: '%s' is not 1.0, 1.1, 1.2 or 1.3",
			       j->doc, s);
	return 0;
}

/* "asym": ["ecdsa-p384", ...] with the names doe attest --asym takes */
static int read_algos(const struct jin *j, struct json_object *o, const char *key,
		      int (*parse)(const char *, uint32_t *), uint32_t *mask)
{
	struct json_object *arr;
	size_t n;
	int rc = jin_arr(j, o, "", key, JIN_OPT, 32, &arr, &n);

	if (rc <= 0)
		return rc;
	if (n == 0)	/* an empty list must not mean "anything" (nor "nothing", silently) */
		return doe_err(j->ctx, -EINVAL, "%s: %s: empty; name at least one algorithm", j->doc,
			       key);
	*mask = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s;
		uint32_t bit;
		char pa[64];

		TRY(jin_at_str(j, arr, key, i, 32, &s));
		if (parse(s, &bit))
			return doe_err(j->ctx, -EINVAL, "%s: %s: '%s' is not an algorithm doekit knows",
				       j->doc, jin_path(pa, sizeof(pa), key, NULL, i), s);
		if (*mask & bit)
			return doe_err(j->ctx, -EINVAL, "%s: %s: '%s' is named twice", j->doc,
				       jin_path(pa, sizeof(pa), key, NULL, i), s);
		*mask |= bit;
	}
	return 0;
}

static int read_trust(const struct jin *j, struct json_object *o, const char *dir,
		      struct policy *p)
{
	struct json_object *arr;
	size_t n;
	int rc = jin_arr(j, o, "", "trust", JIN_OPT, POLICY_MAX_TRUST, &arr, &n);

	if (rc <= 0)
		return rc;
	if (n == 0)
		return doe_err(j->ctx, -EINVAL, "%s: trust: empty; name at least one PEM file",
			       j->doc);
	p->trust = calloc(n, sizeof(*p->trust));
	if (!p->trust)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *s;
		char pa[32];
		size_t len;

		TRY(jin_at_str(j, arr, "trust", i, POLICY_MAX_PATH - 1, &s));
		if (!*s)
			return doe_err(j->ctx, -EINVAL, "%s: %s: empty path", j->doc,
				       jin_path(pa, sizeof(pa), "trust", NULL, i));
		/* relative to the policy file, so a policy and its anchors move together */
		len = strlen(s) + (s[0] != '/' && dir ? strlen(dir) + 1 : 0) + 1;
		if (len > POLICY_MAX_PATH)
			return doe_err(j->ctx, -EINVAL, "%s: %s: path too long", j->doc,
				       jin_path(pa, sizeof(pa), "trust", NULL, i));
		p->trust[i] = malloc(len);
		if (!p->trust[i])
			return doe_err(j->ctx, -ENOMEM, "out of memory");
		p->ntrust = i + 1;
		if (s[0] != '/' && dir)
			snprintf(p->trust[i], len, "%s/%s", dir, s);
		else
			snprintf(p->trust[i], len, "%s", s);
	}
	return 0;
}

/* ---- hex values ---- */

/* A digest: the sizes of the BaseHashAlgo hashes (SHA-256/384/512 and
 * SHA3 of the same sizes). */
static bool digest_size(size_t n)
{
	return n == 32 || n == 48 || n == 64;
}

/* arr[i] as hex into a new buffer of at most max bytes. */
static int hex_at(const struct jin *j, struct json_object *arr, const char *path, size_t i,
		  size_t max, struct policy_value *v)
{
	const char *s;
	char pa[160];
	size_t n = 0;

	TRY(jin_at_str(j, arr, path, i, 2 * max, &s));
	jin_path(pa, sizeof(pa), path, NULL, i);
	n = strlen(s);
	if (n == 0 || n % 2)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %s", j->doc, pa,
			       n ? "odd number of hex digits" : "empty");
	v->p = malloc(n / 2);
	if (!v->p)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	if (hex_decode(s, v->p, n / 2, &v->len))
		return doe_err(j->ctx, -EINVAL, "%s: %s: not a hex string", j->doc, pa);
	return 0;
}

/* A list of at most POLICY_MAX_VALUES values, parsed by one(); none twice. */
static int read_values(const struct jin *j, struct json_object *arr, const char *path,
		       enum policy_form form, struct policy_value **out, size_t *count)
{
	size_t n = json_object_array_length(arr);
	struct policy_value *v;
	char pa[160];

	if (n == 0)
		return doe_err(j->ctx, -EINVAL, "%s: %s: empty; list at least one value", j->doc,
			       path);
	if (n > POLICY_MAX_VALUES)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %zu elements, at most %u", j->doc, path, n,
			       POLICY_MAX_VALUES);
	v = calloc(n, sizeof(*v));
	if (!v)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	*out = v;
	for (size_t i = 0; i < n; i++) {
		jin_path(pa, sizeof(pa), path, NULL, i);
		*count = i + 1;	/* policy_free() frees what this one holds, even half-made */
		if (form == POLICY_TEXT) {
			const char *s;

			TRY(jin_at_str(j, arr, path, i, POLICY_MAX_VALUE, &s));
			v[i].len = strlen(s);
			v[i].p = malloc(v[i].len ? v[i].len : 1);
			if (!v[i].p)
				return doe_err(j->ctx, -ENOMEM, "out of memory");
			memcpy(v[i].p, s, v[i].len);
		} else {
			TRY(hex_at(j, arr, path, i, form == POLICY_DIGEST ? 64 : POLICY_MAX_VALUE,
				   &v[i]));
			if (form == POLICY_DIGEST && !digest_size(v[i].len))
				return doe_err(j->ctx, -EINVAL,
					       "%s: %s: %zu bytes, not a digest size (32, 48 or 64)",
					       j->doc, pa, v[i].len);
		}
		for (size_t k = 0; k < i; k++)
			if (v[k].len == v[i].len && !memcmp(v[k].p, v[i].p, v[i].len))
				return doe_err(j->ctx, -EINVAL, "%s: %s: the same value as [%zu]",
					       j->doc, pa, k);
	}
	return 0;
}

/* ---- devices ---- */

/* "1".."254", decimal, no sign, no leading zero: "01" would be a second
 * spelling of index 1, and json-c keeps only one of two equal keys. */
static int index_key(const struct jin *j, const char *path, const char *key, uint8_t *out)
{
	uint64_t v;

	if (opt_uint(key, POLICY_MIN_INDEX, POLICY_MAX_INDEX, &v))
		return doe_err(j->ctx, -EINVAL,
			       "%s: %s: '%.8s' is not a measurement index (1-254, decimal, no leading zero)",
			       j->doc, path, key);
	*out = (uint8_t)v;
	return 0;
}

static int read_one_meas(const struct jin *j, struct json_object *v, const char *path,
			 struct policy_meas *m)
{
	static const char *const known[] = { "text", "hex", NULL };
	struct json_object *arr;
	char pa[160];
	size_t n;
	int rc;

	if (json_object_is_type(v, json_type_array))
		return read_values(j, v, path, m->form = POLICY_DIGEST, &m->v, &m->n);
	if (!json_object_is_type(v, json_type_object))
		return doe_err(j->ctx, -EINVAL,
			       "%s: %s: expected a list of digests or {\"text\": [...]} or {\"hex\": [...]}",
			       j->doc, path);
	TRY(jin_only(j, v, path, known));
	if (json_object_object_length(v) != 1)
		return doe_err(j->ctx, -EINVAL, "%s: %s: give exactly one of text or hex", j->doc,
			       path);
	rc = jin_arr(j, v, path, "text", JIN_OPT, POLICY_MAX_VALUES, &arr, &n);
	if (rc < 0)
		return rc;
	m->form = rc ? POLICY_TEXT : POLICY_HEX;
	if (!rc)
		TRY(jin_arr(j, v, path, "hex", JIN_REQ, POLICY_MAX_VALUES, &arr, &n));
	return read_values(j, arr, path2(pa, sizeof(pa), path, rc ? "text" : "hex"), m->form,
			   &m->v, &m->n);
}

static int read_meas(const struct jin *j, struct json_object *d, const char *path,
		     struct policy_device *pd)
{
	struct json_object *o;
	char mp[96];
	size_t n, i = 0;
	int rc = jin_obj(j, d, path, "measurements", JIN_OPT, &o);

	if (rc <= 0)
		return rc;
	path2(mp, sizeof(mp), path, "measurements");
	n = (size_t)json_object_object_length(o);
	if (n == 0)
		return doe_err(j->ctx, -EINVAL, "%s: %s: empty", j->doc, mp);
	if (n > POLICY_MAX_INDEX)
		return doe_err(j->ctx, -EINVAL, "%s: %s: more than %u indices", j->doc, mp,
			       POLICY_MAX_INDEX);
	pd->meas = calloc(n, sizeof(*pd->meas));
	if (!pd->meas)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	json_object_object_foreach(o, key, v) {
		struct policy_meas *m = &pd->meas[i];
		char kp[160];

		TRY(index_key(j, mp, key, &m->index));
		pd->nmeas = ++i;
		for (size_t k = 0; k + 1 < i; k++)
			if (pd->meas[k].index == m->index)
				return doe_err(j->ctx, -EINVAL, "%s: %s: index %u given twice", j->doc,
					       mp, m->index);
		TRY(read_one_meas(j, v, path2(kp, sizeof(kp), mp, key), m));
	}
	return 0;
}

static int read_require(const struct jin *j, struct json_object *d, const char *path,
			struct policy_device *pd)
{
	struct json_object *arr;
	char rp[96];
	size_t n;
	int rc = jin_arr(j, d, path, "require", JIN_OPT, POLICY_MAX_INDEX, &arr, &n);

	if (rc <= 0)
		return rc;
	path2(rp, sizeof(rp), path, "require");
	for (size_t i = 0; i < n; i++) {
		uint64_t x;
		char pa[128];

		TRY(jin_at_u64(j, arr, rp, i, POLICY_MIN_INDEX, POLICY_MAX_INDEX, &x));
		if (pd->require[x])
			return doe_err(j->ctx, -EINVAL, "%s: %s: index %u given twice", j->doc,
				       jin_path(pa, sizeof(pa), rp, NULL, i), (unsigned)x);
		pd->require[x] = true;
	}
	return 0;
}

static int read_match(const struct jin *j, struct json_object *d, const char *path,
		      struct policy_match *m)
{
	static const char *const known[] = {
		"vendor", "device", "class", "revision", "subsystem_vendor", "subsystem",
		"leaf_ski", NULL
	};
	struct json_object *o;
	char mp[96], pa[128];
	size_t n;

	TRY(jin_obj(j, d, path, "match", JIN_REQ, &o));
	path2(mp, sizeof(mp), path, "match");
	TRY(jin_only(j, o, mp, known));
	for (int f = 0; f < POLICY_NFIELDS; f++) {
		const char *s;
		int64_t v;

		if (jin_str(j, o, mp, field_names[f], JIN_OPT, 16, &s) <= 0) {
			if (json_object_object_get_ex(o, field_names[f], NULL))
				return -EINVAL;	/* present but not a string: named already */
			continue;
		}
		v = fixed_hex(s, strlen(s), field_digits[f]);
		if (v < 0)
			return doe_err(j->ctx, -EINVAL, "%s: %s: '%s' is not %u hex digits", j->doc,
				       path2(pa, sizeof(pa), mp, field_names[f]), s,
				       field_digits[f]);
		m->value[f] = (uint32_t)v;
		m->fields |= 1u << f;
	}
	if (json_object_object_get_ex(o, "leaf_ski", NULL)) {
		TRY(jin_hex(j, o, mp, "leaf_ski", JIN_REQ, m->leaf_ski, sizeof(m->leaf_ski), 0, &n));
		if (n == 0)
			return doe_err(j->ctx, -EINVAL, "%s: %s.leaf_ski: empty", j->doc, mp);
		m->leaf_ski_len = n;
	}
	if (!m->fields && !m->leaf_ski_len)	/* {} would match every device by accident */
		return doe_err(j->ctx, -EINVAL,
			       "%s: %s: empty; name CMA SAN fields or leaf_ski", j->doc, mp);
	return 0;
}

static int read_devices(const struct jin *j, struct json_object *o, struct policy *p)
{
	static const char *const known[] = { "match", "require", "measurements", NULL };
	struct json_object *arr;
	size_t n;
	int rc = jin_arr(j, o, "", "devices", JIN_OPT, POLICY_MAX_DEVICES, &arr, &n);

	if (rc <= 0)
		return rc;
	p->dev = calloc(n ? n : 1, sizeof(*p->dev));
	if (!p->dev)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct policy_device *pd = &p->dev[i];
		struct json_object *d;
		char dp[32];

		jin_path(dp, sizeof(dp), "devices", NULL, i);
		TRY(jin_at_obj(j, arr, "devices", i, &d));
		p->ndev = i + 1;
		TRY(jin_only(j, d, dp, known));
		TRY(read_match(j, d, dp, &pd->match));
		TRY(read_require(j, d, dp, pd));
		TRY(read_meas(j, d, dp, pd));
	}
	return 0;
}

static int read_deny_list(const struct jin *j, struct json_object *o, const char *key,
			  struct policy_value **out, size_t *count)
{
	struct json_object *arr;
	char pa[32];
	size_t n;
	int rc = jin_arr(j, o, "deny", key, JIN_OPT, POLICY_MAX_DENY, &arr, &n);

	if (rc <= 0)
		return rc;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	path2(pa, sizeof(pa), "deny", key);
	for (size_t i = 0; i < n; i++) {
		*count = i + 1;
		TRY(hex_at(j, arr, pa, i, POLICY_MAX_ID, &(*out)[i]));
	}
	return 0;
}

static int read_deny(const struct jin *j, struct json_object *o, struct policy *p)
{
	static const char *const known[] = { "leaf_ski", "leaf_serial", NULL };
	struct json_object *d;
	int rc = jin_obj(j, o, "", "deny", JIN_OPT, &d);

	if (rc <= 0)
		return rc;
	TRY(jin_only(j, d, "deny", known));
	TRY(read_deny_list(j, d, "leaf_ski", &p->deny_ski, &p->ndeny_ski));
	return read_deny_list(j, d, "leaf_serial", &p->deny_serial, &p->ndeny_serial);
}

int policy_parse(const struct jin *j, struct json_object *o, const char *dir,
		 struct policy **out)
{
	static const char *const known[] = {
		"trust", "min_version", "asym", "hash", "devices", "deny", NULL
	};
	struct policy *p = policy_new();
	int rc;

	*out = NULL;
	if (!p)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	rc = jin_only(j, o, "", known);
	if (rc >= 0)
		rc = read_trust(j, o, dir, p);
	if (rc >= 0)
		rc = read_version(j, o, p);
	if (rc >= 0)
		rc = read_algos(j, o, "asym", asym_parse, &p->vp.asym_algos);
	if (rc >= 0)
		rc = read_algos(j, o, "hash", hash_parse, &p->vp.hash_algos);
	if (rc >= 0)
		rc = read_devices(j, o, p);
	if (rc >= 0)
		rc = read_deny(j, o, p);
	if (rc < 0) {
		policy_free(p);
		return rc;
	}
	snprintf(p->source, sizeof(p->source), "%s", j->doc);
	*out = p;
	return 0;
}

int policy_load(struct doe_ctx *ctx, const char *path, struct policy **out)
{
	struct jin j = { .ctx = ctx, .doc = path };
	struct json_object *o;
	char dir[POLICY_MAX_PATH];
	const char *slash = strrchr(path, '/');
	int rc;

	*out = NULL;
	TRY(jin_load(&j, path, POLICY_MAX_BYTES, &o));
	if (!strcmp(path, "-"))
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	rc = policy_parse(&j, o, dir, out);
	json_object_put(o);
	return rc;
}

/* ---- trust anchors ---- */

static int add_pem_file(struct doe_ctx *ctx, struct spdm_trust *t, const char *path, size_t i)
{
	FILE *f = fopen(path, "r");
	int n = 0, rc = 0;
	X509 *x;

	if (!f)
		return doe_err(ctx, -errno, "policy trust[%zu]: cannot open %s: %s", i, path,
			       strerror(errno));
	while (rc == 0 && (x = PEM_read_X509(f, NULL, NULL, NULL))) {
		unsigned char *der = NULL;
		int len = i2d_X509(x, &der);

		rc = len > 0 ? spdm_trust_add_der(t, der, (size_t)len) : -ENOMEM;
		OPENSSL_free(der);
		X509_free(x);
		n++;
	}
	ERR_clear_error();	/* the end of the file reads as an error */
	/* fopen() opens a directory; reading it fails: no certificate */
	fclose(f);
	if (rc)
		return doe_err(ctx, rc, "policy trust[%zu]: %s: certificate not usable as an anchor",
			       i, path);
	if (n == 0)
		return doe_err(ctx, -EINVAL, "policy trust[%zu]: %s: no PEM certificate in it", i,
			       path);
	return 0;
}

int policy_trust_new(struct doe_ctx *ctx, const struct policy *p, struct spdm_trust **out)
{
	struct spdm_trust *t;

	*out = NULL;
	if (!p->ntrust)
		return 0;
	TRY(spdm_trust_new(ctx, NULL, &t));
	for (size_t i = 0; i < p->ntrust; i++) {
		int rc = add_pem_file(ctx, t, p->trust[i], i);

		if (rc) {
			spdm_trust_free(t);
			return rc;
		}
	}
	*out = t;
	return 0;
}

/* ---- options narrow the policy ---- */

int policy_narrow_version(struct doe_ctx *ctx, struct policy *p, uint8_t min_version)
{
	(void)ctx;
	if (min_version > p->vp.min_version)
		p->vp.min_version = min_version;
	return 0;
}

static int narrow(struct doe_ctx *ctx, uint32_t *have, uint32_t mask, const char *what)
{
	if (!(*have & mask))
		return doe_err(ctx, -EINVAL,
			       "--%s and the policy's %s allow no algorithm together", what, what);
	*have &= mask;
	return 0;
}

int policy_narrow_asym(struct doe_ctx *ctx, struct policy *p, uint32_t mask)
{
	return narrow(ctx, &p->vp.asym_algos, mask, "asym");
}

int policy_narrow_hash(struct doe_ctx *ctx, struct policy *p, uint32_t mask)
{
	return narrow(ctx, &p->vp.hash_algos, mask, "hash");
}

int policy_open(struct tool *t, const char *path, const char *trust_path, struct policy **out,
		struct spdm_trust **trust, const char **desc)
{
	struct policy *p;
	int rc;

	*out = NULL;
	*trust = NULL;
	*desc = NULL;
	TRY(policy_load(t->ctx, path, &p));
	if (p->ntrust && trust_path) {
		policy_free(p);
		return doe_err(t->ctx, -EINVAL,
			       "%s names trust anchors and --trust gives others: give them in one place",
			       path);
	}
	if (p->ntrust) {
		rc = policy_trust_new(t->ctx, p, trust);
		snprintf(p->trust_desc, sizeof(p->trust_desc), "%s (trust)", path);
	} else if (trust_path) {
		rc = spdm_trust_new(t->ctx, trust_path, trust);
		snprintf(p->trust_desc, sizeof(p->trust_desc), "%s", trust_path);
	} else {
		rc = 0;
	}
	if (rc) {
		policy_free(p);
		return rc;
	}
	*desc = *trust ? p->trust_desc : NULL;
	*out = p;
	return 0;
}
