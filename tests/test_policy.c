// SPDX-License-Identifier: MIT
/*
 * The appraisal policy (tools/doe/policy.c) and the appraisal itself
 * (tools/doe/appraise.c): every member's type and range error names the
 * member; every reason comes out of the evidence change that causes it,
 * and nothing else does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <doekit/doekit.h>
#include "appraise.h"
#include "jin.h"
#include "policy.h"
#include "t.h"

static struct doe_ctx *ctx;

static int parse(const char *text, struct policy **p)
{
	struct jin j = { .ctx = ctx, .doc = "p.json" };
	struct json_object *o;
	int rc = jin_parse(&j, text, strlen(text), &o);

	*p = NULL;
	if (rc)
		return rc;
	rc = policy_parse(&j, o, "/etc/doekit", p);
	json_object_put(o);
	return rc;
}

#define D48 "21b685123fcde4fd8fc26d2cb93c4d4debc6b12a7a9a741d7956678a20b99bee0893ba6fd6e233198ceaa9a1ac28c686"
#define D32 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* ---- the parser: one case per error, each naming the member ---- */

static const struct {
	const char *name, *json, *msg;
} bad[] = {
	{ "unknown top member", "{\"trusts\": []}", "p.json: trusts: unknown member" },
	{ "trust not an array", "{\"trust\": \"r.pem\"}", "trust: a string, expected an array" },
	{ "trust empty", "{\"trust\": []}", "trust: empty" },
	{ "trust element not a string", "{\"trust\": [1]}", "trust[0]: an integer, expected a string" },
	{ "trust element empty", "{\"trust\": [\"\"]}", "trust[0]: empty path" },
	{ "min_version out of range", "{\"min_version\": \"1.4\"}", "min_version: '1.4' is not 1.0" },
	{ "min_version a number", "{\"min_version\": 1}", "min_version: an integer, expected a string" },
	{ "asym unknown", "{\"asym\": [\"ecdsa-p385\"]}", "asym[0]: 'ecdsa-p385' is not an algorithm" },
	{ "asym empty", "{\"asym\": []}", "asym: empty" },
	{ "asym twice", "{\"asym\": [\"ed25519\", \"ED25519\"]}", "asym[1]: 'ED25519' is named twice" },
	{ "hash unknown", "{\"hash\": [\"md5\"]}", "hash[0]: 'md5' is not an algorithm" },
	{ "hash null", "{\"hash\": null}", "hash: null, expected an array" },
	{ "devices not an array", "{\"devices\": {}}", "devices: an object, expected an array" },
	{ "device unknown member", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"requires\": []}]}",
	  "devices[0].requires: unknown member" },
	{ "match missing", "{\"devices\": [{}]}", "devices[0].match: missing" },
	{ "match empty", "{\"devices\": [{\"match\": {}}]}", "devices[0].match: empty" },
	{ "match unknown field", "{\"devices\": [{\"match\": {\"vendr\": \"8086\"}}]}",
	  "devices[0].match.vendr: unknown member" },
	{ "vendor too short", "{\"devices\": [{\"match\": {\"vendor\": \"808\"}}]}",
	  "devices[0].match.vendor: '808' is not 4 hex digits" },
	{ "vendor not hex", "{\"devices\": [{\"match\": {\"vendor\": \"80g6\"}}]}",
	  "devices[0].match.vendor: '80g6' is not 4 hex digits" },
	{ "vendor a number", "{\"devices\": [{\"match\": {\"vendor\": 8086}}]}",
	  "devices[0].match.vendor: an integer, expected a string" },
	{ "revision 3 digits", "{\"devices\": [{\"match\": {\"revision\": \"001\"}}]}",
	  "devices[0].match.revision: '001' is not 2 hex digits" },
	{ "class 4 digits", "{\"devices\": [{\"match\": {\"class\": \"0502\"}}]}",
	  "devices[0].match.class: '0502' is not 6 hex digits" },
	{ "subsystem 5 digits", "{\"devices\": [{\"match\": {\"subsystem\": \"00000\"}}]}",
	  "devices[0].match.subsystem: '00000' is not 4 hex digits" },
	{ "subsystem_vendor bad", "{\"devices\": [{\"match\": {\"subsystem_vendor\": \"\"}}]}",
	  "devices[0].match.subsystem_vendor: '' is not 4 hex digits" },
	{ "leaf_ski odd", "{\"devices\": [{\"match\": {\"leaf_ski\": \"abc\"}}]}",
	  "devices[0].match.leaf_ski: not hex" },
	{ "leaf_ski empty", "{\"devices\": [{\"match\": {\"leaf_ski\": \"\"}}]}",
	  "devices[0].match.leaf_ski: empty" },
	{ "require index 0", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"require\": [0]}]}",
	  "devices[0].require[0]: 0 is out of range 1..254" },
	{ "require index 255", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"require\": [1, 255]}]}",
	  "devices[0].require[1]: 255 is out of range 1..254" },
	{ "require twice", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"require\": [2, 2]}]}",
	  "devices[0].require[1]: index 2 given twice" },
	{ "require a string", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"require\": [\"1\"]}]}",
	  "devices[0].require[0]: a string, expected an integer" },
	{ "measurements not an object", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": []}]}",
	  "devices[0].measurements: an array, expected an object" },
	{ "measurements empty", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {}}]}",
	  "devices[0].measurements: empty" },
	{ "index key 0", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"0\": [\"" D32 "\"]}}]}",
	  "devices[0].measurements: '0' is not a measurement index" },
	{ "index key 255", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"255\": [\"" D32 "\"]}}]}",
	  "devices[0].measurements: '255' is not a measurement index" },
	{ "index key leading zero", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"01\": [\"" D32 "\"]}}]}",
	  "devices[0].measurements: '01' is not a measurement index" },
	{ "index key not a number", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"fw\": [\"" D32 "\"]}}]}",
	  "'fw' is not a measurement index" },
	{ "digest odd", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"1\": [\"abc\"]}}]}",
	  "devices[0].measurements.1[0]: odd number of hex digits" },
	{ "digest not hex", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"1\": [\"zz" D32 "\"]}}]}",
	  "devices[0].measurements.1[0]: not a hex string" },
	{ "digest wrong size", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"1\": [\"" D32 "00\"]}}]}",
	  "devices[0].measurements.1[0]: 33 bytes, not a digest size" },
	{ "digest too long", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"1\": [\"" D48 D48 "\"]}}]}",
	  "devices[0].measurements.1[0]: longer than 128 bytes" },
	{ "digest empty list", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"1\": []}}]}",
	  "devices[0].measurements.1: empty" },
	{ "digest twice", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"1\": [\"" D32 "\", \"" D32 "\"]}}]}",
	  "devices[0].measurements.1[1]: the same value as [0]" },
	{ "value a string", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"1\": \"" D32 "\"}}]}",
	  "devices[0].measurements.1: expected a list of digests" },
	{ "text and hex", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"3\": {\"text\": [\"a\"], \"hex\": [\"00\"]}}}]}",
	  "devices[0].measurements.3: give exactly one of text or hex" },
	{ "text not a list", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"3\": {\"text\": \"1.2.3\"}}}]}",
	  "devices[0].measurements.3.text: a string, expected an array" },
	{ "text element a number", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"3\": {\"text\": [1]}}}]}",
	  "devices[0].measurements.3.text[0]: an integer, expected a string" },
	{ "value kind unknown", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"3\": {\"txt\": [\"a\"]}}}]}",
	  "devices[0].measurements.3.txt: unknown member" },
	{ "hex value odd", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": {\"3\": {\"hex\": [\"0\"]}}}]}",
	  "devices[0].measurements.3.hex[0]: odd number of hex digits" },
	{ "deny unknown", "{\"deny\": {\"leaf_skis\": []}}", "deny.leaf_skis: unknown member" },
	{ "deny ski not hex", "{\"deny\": {\"leaf_ski\": [\"xy\"]}}", "deny.leaf_ski[0]: not a hex string" },
	{ "deny serial odd", "{\"deny\": {\"leaf_serial\": [\"123\"]}}", "deny.leaf_serial[0]: odd number" },
	{ "deny serial too long", "{\"deny\": {\"leaf_serial\": [\"" D48 D48 "00\"]}}", "deny.leaf_serial[0]: longer than 128 bytes" },
	{ "deny not an object", "{\"deny\": [\"00\"]}", "deny: an array, expected an object" },
	{ "not JSON", "{\"trust\": [", "p.json: not JSON" },
	{ "index given twice", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"measurements\": "
	  "{\"1\": [\"" D32 "\"], \"2\": [\"" D32 "\"], \"1\": [\"" D48 "\"]}}]}",
	  "p.json: devices[0].measurements: a member name appears twice" },
	{ "top member twice", "{\"min_version\": \"1.3\", \"min_version\": \"1.0\"}",
	  "p.json: the top-level object: a member name appears twice" },
	{ "match field twice", "{\"devices\": [{\"match\": {\"vendor\": \"8086\", \"vendor\": \"1af4\"}}]}",
	  "p.json: devices[0].match: a member name appears twice" },
	{ "a fraction", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, \"require\": [1.5]}]}",
	  "devices[0].require[0]: not an integer" },
};

static void t_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy *p;
		int rc = parse(bad[i].json, &p);

		t_case_name = bad[i].name;
		T_EQ(rc, -EINVAL);
		T_TRUE(p == NULL);
		T_CONTAINS(doe_ctx_errmsg(ctx), bad[i].msg);
		policy_free(p);
	}
}

static void t_parse_full(void)
{
	struct policy *p;

	T_EQ(parse("{\"trust\": [\"root.pem\", \"/abs/r.pem\"], \"min_version\": \"1.2\","
		   " \"asym\": [\"ecdsa-p384\", \"ed25519\"], \"hash\": [\"sha384\"],"
		   " \"devices\": [{\"match\": {\"vendor\": \"8086\", \"device\": \"0D93\","
		   " \"class\": \"050210\", \"revision\": \"00\", \"subsystem_vendor\": \"0000\","
		   " \"subsystem\": \"0000\"}, \"require\": [1, 254],"
		   " \"measurements\": {\"1\": [\"" D48 "\", \"" D32 "\"], \"3\": {\"text\": [\"1.2.3\"]},"
		   " \"4\": {\"hex\": [\"00ff\"]}}},"
		   " {\"match\": {\"leaf_ski\": \"0102\"}}],"
		   " \"deny\": {\"leaf_ski\": [\"aa\"], \"leaf_serial\": [\"0bad\", \"00\"]}}", &p), 0);
	if (!p)
		return;
	T_EQ(p->ntrust, 2);
	T_STREQ(p->trust[0], "/etc/doekit/root.pem");	/* relative to the policy */
	T_STREQ(p->trust[1], "/abs/r.pem");
	T_EQ(p->vp.min_version, SPDM_V12);
	T_EQ(p->vp.asym_algos, SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_EDDSA_25519);
	T_EQ(p->vp.hash_algos, SPDM_HASH_SHA384);
	T_EQ(p->ndev, 2);
	T_EQ(p->dev[0].match.fields, (1u << POLICY_NFIELDS) - 1);
	T_EQ(p->dev[0].match.value[POLICY_DEVICE], 0x0d93);
	T_EQ(p->dev[0].match.value[POLICY_CLASS], 0x050210);
	T_TRUE(p->dev[0].require[1] && p->dev[0].require[254] && !p->dev[0].require[2]);
	T_EQ(p->dev[0].nmeas, 3);
	T_EQ(p->dev[0].meas[0].index, 1);
	T_EQ(p->dev[0].meas[0].form, POLICY_DIGEST);
	T_EQ(p->dev[0].meas[0].n, 2);
	T_EQ(p->dev[0].meas[0].v[1].len, 32);
	T_EQ(p->dev[0].meas[1].form, POLICY_TEXT);
	T_EQ(p->dev[0].meas[1].v[0].len, 5);
	T_EQ(p->dev[0].meas[2].form, POLICY_HEX);
	T_EQ(p->dev[1].match.leaf_ski_len, 2);
	T_EQ(p->ndeny_ski, 1);
	T_EQ(p->ndeny_serial, 2);
	policy_free(p);
	/* defaults: everything doekit implements, all measurements */
	T_EQ(parse("{}", &p), 0);
	if (p) {
		T_EQ(p->vp.min_version, SPDM_V10);
		T_EQ(p->vp.asym_algos, SPDM_ASYM_ALL);
		T_EQ(p->vp.meas_mode, SPDM_MEAS_ALL);
		T_EQ(p->ndev, 0);
	}
	policy_free(p);
}

static void t_narrow(void)
{
	struct policy *p;

	T_EQ(parse("{\"min_version\": \"1.2\", \"asym\": [\"ecdsa-p384\", \"ecdsa-p256\"]}", &p), 0);
	if (!p)
		return;
	/* an option never widens the file */
	T_EQ(policy_narrow_version(ctx, p, SPDM_V11), 0);
	T_EQ(p->vp.min_version, SPDM_V12);
	T_EQ(policy_narrow_version(ctx, p, SPDM_V13), 0);
	T_EQ(p->vp.min_version, SPDM_V13);
	T_EQ(policy_narrow_asym(ctx, p, SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_EDDSA_25519), 0);
	T_EQ(p->vp.asym_algos, SPDM_ASYM_ECDSA_P256);
	T_EQ(policy_narrow_asym(ctx, p, SPDM_ASYM_ECDSA_P384), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "--asym and the policy's asym allow no algorithm together");
	T_EQ(policy_narrow_hash(ctx, p, SPDM_HASH_SHA512), 0);
	T_EQ(p->vp.hash_algos, SPDM_HASH_SHA512);
	policy_free(p);
}

static void t_san(void)
{
	uint32_t v[POLICY_NFIELDS] = { 0 };

	T_EQ(policy_san_fields("Vendor=8086:Device=0d93:CC=050210:REV=01:SSVID=1af4:SSID=0001:"
			       "0123456789abcdef", v), (1u << POLICY_NFIELDS) - 1);
	T_EQ(v[POLICY_VENDOR], 0x8086);
	T_EQ(v[POLICY_REVISION], 1);
	T_EQ(v[POLICY_SUBSYSTEM_VENDOR], 0x1af4);
	T_EQ(v[POLICY_SUBSYSTEM], 1);
	T_EQ(policy_san_fields("Vendor=19e5:Device=a128:CC=060400:REV=00", v), 0xF);
	/* not the spec's form: no field can be believed */
	T_EQ(policy_san_fields("8086:0D93:EMU-0F000", v), 0);
	T_EQ(policy_san_fields("Vendor=808:Device=0d93", v), 0);
	T_EQ(policy_san_fields("Vendor=8086:Vendor=8087", v), 0);
	T_EQ(policy_san_fields("", v), 0);
	T_EQ(policy_san_fields(NULL, v), 0);
}

/* ---- the appraisal ---- */

static char leaf_pem[4096];

/* A leaf with SKI 0102030405 and serial 0x0bad (the deny-list cases). */
static void make_leaf(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *e;
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x0bad);
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_key_identifier, "01:02:03:04:05");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, k, EVP_sha256());
	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &p);
	snprintf(leaf_pem, sizeof(leaf_pem), "%.*s", (int)n, p);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* What doe attest -j writes for an emulated CXL type 3 device, trimmed to
 * what the appraisal reads. */
static struct json_object *evidence(void)
{
	struct json_object *o = json_tokener_parse(
		"{\"device\": \"emu/0000:0f:00.0\", \"verified\": true, \"version\": \"1.3\","
		" \"base_asym_algo\": \"ECDSA-P384\", \"base_hash_algo\": \"SHA-384\","
		" \"trust\": \"root.pem\", \"chain_verified\": true,"
		" \"cma_san\": \"Vendor=8086:Device=0d93:CC=050210:REV=00:SSVID=0000:SSID=0000\","
		" \"certificate_chain_spdm\": \"00\", \"challenge_verified\": true,"
		" \"measurements\": [{\"index\": 1, \"raw\": false, \"value\": \"" D48 "\"},"
		" {\"index\": 3, \"raw\": true, \"value\": \"312e322e33\", \"text\": \"1.2.3\"}],"
		" \"measurements_signed\": true, \"measurements_verified\": true,"
		" \"measurements_authenticated\": true, \"policy\": {\"measurements\": \"all\"}}");
	struct json_object *chain = json_object_new_array(), *leaf = json_object_new_object();

	json_object_object_add(leaf, "pem", json_object_new_string(leaf_pem));
	json_object_array_add(chain, leaf);
	json_object_object_add(o, "certificate_chain", chain);
	return o;
}

#define POL_8086 "{\"devices\": [{\"match\": {\"vendor\": \"8086\", \"device\": \"0d93\"}, "
static const struct {
	const char *name, *policy;
	/* the evidence edit: a JSON object whose members replace the
	 * evidence's, or "-NAME": that member deleted; NULL: none */
	const char *edit;
	const char *verdict, *checks;	/* the checks of every reason, in order */
} cases[] = {
	{ "authorized by reference values", POL_8086 "\"require\": [1, 3], \"measurements\": "
	  "{\"1\": [\"" D32 "\", \"" D48 "\"], \"3\": {\"text\": [\"1.2.2\", \"1.2.3\"]}}}]}",
	  NULL, "authorized", "" },
	{ "no match: chain and signatures alone", "{\"devices\": [{\"match\": {\"vendor\": \"1af4\"}, "
	  "\"require\": [9]}]}", NULL, "authorized", "" },
	{ "match by leaf_ski", "{\"devices\": [{\"match\": {\"leaf_ski\": \"0102030405\"}, "
	  "\"require\": [9]}]}", NULL, "rejected", "measurement_required" },
	{ "another leaf_ski: no match", "{\"devices\": [{\"match\": {\"leaf_ski\": \"01020304\"}, "
	  "\"require\": [9]}]}", NULL, "authorized", "" },
	{ "leaf_ski and SAN must both match", "{\"devices\": [{\"match\": {\"vendor\": \"1af4\", "
	  "\"leaf_ski\": \"0102030405\"}, \"require\": [9]}]}", NULL, "authorized", "" },
	{ "every matching entry applies", "{\"devices\": [{\"match\": {\"vendor\": \"8086\"}, "
	  "\"require\": [7]}, {\"match\": {\"device\": \"0d93\"}, \"require\": [8]}]}", NULL,
	  "rejected", "measurement_required,measurement_required" },
	{ "unknown anchor", "{}", "{\"verified\": false, \"chain_verified\": false}", "rejected", "trust_anchor" },
	/* "verified" is the attestation's verdict: a flag alone does not decide */
	{ "challenge flag alone", "{}", "{\"challenge_verified\": false}", "authorized", "" },
	{ "version below policy", "{\"min_version\": \"1.3\"}", "{\"version\": \"1.2\"}", "rejected",
	  "min_version" },
	{ "version at policy", "{\"min_version\": \"1.2\"}", "{\"version\": \"1.2\"}", "authorized", "" },
	{ "asym not allowed", "{\"asym\": [\"ecdsa-p256\", \"rsapss-3072\"]}", NULL,
	  "rejected", "asym" },
	{ "hash not allowed", "{\"hash\": [\"sha256\", \"sha512\"]}", NULL, "rejected",
	  "hash" },
	{ "required index missing", POL_8086 "\"require\": [1, 2, 3]}]}", NULL, "rejected",
	  "measurement_required" },
	{ "reference index missing", POL_8086 "\"measurements\": {\"2\": [\"" D48 "\"]}}]}", NULL, "rejected", "measurement_required" },
	{ "digest mismatch", POL_8086 "\"measurements\": {\"1\": [\"" D32 "\"]}}]}", NULL,
	  "rejected", "measurement_value" },
	{ "text value not in list", POL_8086 "\"measurements\": {\"3\": {\"text\": [\"1.2.4\", "
	  "\"1.3.0\"]}}}]}", NULL, "rejected", "measurement_value" },
	{ "hex value equal", POL_8086 "\"measurements\": {\"3\": {\"hex\": [\"312e322e33\"]}}}]}",
	  NULL, "authorized", "" },
	{ "digest policy, raw block", POL_8086 "\"measurements\": {\"3\": [\"" D32 "\"]}}]}",
	  NULL, "rejected", "measurement_value" },
	{ "deny-listed SKI", "{\"deny\": {\"leaf_ski\": [\"ff\", \"0102030405\"]}}", NULL,
	  "rejected", "deny_leaf_ski" },
	{ "deny-listed serial", "{\"deny\": {\"leaf_serial\": [\"000bad\"]}}", NULL,
	  "rejected", "deny_leaf_serial" },
	{ "serial not deny-listed", "{\"deny\": {\"leaf_serial\": [\"0bae\"], \"leaf_ski\": "
	  "[\"01020304\"]}}", NULL, "authorized", "" },
	{ "unauthenticated measurements", "{}", "{\"measurements_authenticated\": false}", "rejected",
	  "measurements_authenticated" },
	{ "measurements of one index only", "{}", "{\"policy\": {\"measurements\": \"3\"}}", "rejected",
	  "measurements" },
	{ "evidence without verified", "{}", "-verified", "rejected", "evidence" },
	/* a failed attestation: reference values of unauthenticated data are not compared */
	{ "failed: values not compared", POL_8086 "\"measurements\": {\"1\": [\"" D32 "\"]}}]}",
	  "{\"verified\": false, \"chain_verified\": false}", "rejected", "trust_anchor" },
	{ "failed: deny still applies", "{\"deny\": {\"leaf_ski\": [\"0102030405\"]}}",
	  "{\"verified\": false, \"chain_verified\": false}", "rejected", "trust_anchor,deny_leaf_ski" },
	{ "SAN not in the spec's form", POL_8086 "\"require\": [9]}]}", "{\"cma_san\": \"8086:0D93:EMU-0F000\"}", "authorized", "" },
};

static char checks_buf[512];

static const char *checks_of(const struct verdict *v)
{
	size_t n = 0;

	checks_buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(v->reasons); i++) {
		struct json_object *r = json_object_array_get_idx(v->reasons, i), *c;

		json_object_object_get_ex(r, "check", &c);
		n += (size_t)snprintf(checks_buf + n, sizeof(checks_buf) - n, "%s%s", i ? "," : "",
				      json_object_get_string(c));
	}
	return checks_buf;
}

static void t_appraise(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *ev = evidence();
		struct policy *p;
		struct verdict v;

		t_case_name = cases[i].name;
		if (cases[i].edit && cases[i].edit[0] == '-') {
			json_object_object_del(ev, cases[i].edit + 1);
		} else if (cases[i].edit) {
			struct json_object *e = json_tokener_parse(cases[i].edit);

			json_object_object_foreach(e, k, val)
				json_object_object_add(ev, k, json_object_get(val));
			json_object_put(e);
		}
		T_EQ(parse(cases[i].policy, &p), 0);
		T_EQ(verdict_init(&v), 0);
		if (p)
			T_EQ(appraise(ctx, p, ev, &v), 0);
		T_STREQ(verdict_name(v.kind), cases[i].verdict);
		T_STREQ(checks_of(&v), cases[i].checks);
		verdict_fini(&v);
		policy_free(p);
		json_object_put(ev);
	}
}

static void t_failed_signatures(void)
{
	struct json_object *ev = evidence();
	struct policy *p;
	struct verdict v;

	parse("{}", &p);
	/* attested without trust anchors: the chain is anchored only at its own root */
	json_object_object_add(ev, "verified", json_object_new_boolean(false));
	json_object_object_add(ev, "trust", NULL);
	verdict_init(&v);
	appraise(ctx, p, ev, &v);
	T_STREQ(checks_of(&v), "trust_anchor");
	verdict_fini(&v);
	json_object_object_add(ev, "trust", json_object_new_string("root.pem"));
	/* the chain held, CHALLENGE_AUTH did not */
	json_object_object_add(ev, "verified", json_object_new_boolean(false));
	json_object_object_add(ev, "challenge_verified", json_object_new_boolean(false));
	json_object_object_add(ev, "reason", json_object_new_string("CHALLENGE_AUTH: Signature does not verify"));
	verdict_init(&v);
	appraise(ctx, p, ev, &v);
	T_STREQ(checks_of(&v), "challenge_signature");
	verdict_fini(&v);
	/* CHALLENGE held, MEASUREMENTS' signature did not */
	json_object_object_add(ev, "challenge_verified", json_object_new_boolean(true));
	json_object_object_add(ev, "measurements_verified", json_object_new_boolean(false));
	verdict_init(&v);
	appraise(ctx, p, ev, &v);
	T_STREQ(checks_of(&v), "measurement_signature");
	verdict_fini(&v);
	policy_free(p);
	json_object_put(ev);
}

/* each reason says what was expected and what the device gave */
static void t_reason_text(void)
{
	struct json_object *ev = evidence(), *r, *m;
	struct policy *p;
	struct verdict v;

	parse(POL_8086 "\"measurements\": {\"3\": {\"text\": [\"1.2.4\"]}}}], \"min_version\": \"1.3\"}", &p);
	json_object_object_add(ev, "version", json_object_new_string("1.1"));
	verdict_init(&v);
	appraise(ctx, p, ev, &v);
	T_EQ(json_object_array_length(v.reasons), 2);
	r = json_object_array_get_idx(v.reasons, 0);
	json_object_object_get_ex(r, "expected", &m);
	T_STREQ(json_object_get_string(m), ">= 1.3");
	json_object_object_get_ex(r, "got", &m);
	T_STREQ(json_object_get_string(m), "1.1");
	r = json_object_array_get_idx(v.reasons, 1);
	json_object_object_get_ex(r, "expected", &m);
	T_STREQ(json_object_get_string(m), "raw text \"1.2.4\"");
	json_object_object_get_ex(r, "got", &m);
	T_STREQ(json_object_get_string(m), "raw text \"1.2.3\"");
	json_object_object_get_ex(r, "policy", &m);
	T_STREQ(json_object_get_string(m), "devices[0].measurements.3");
	verdict_fini(&v);
	policy_free(p);
	json_object_put(ev);
}

static void t_verdicts(void)
{
	struct verdict v;
	enum verdict_kind k;
	struct json_object *r, *c;

	T_EQ(verdict_init(&v), 0);
	T_EQ(verdict_add(&v, CHECK_VERSION, ">= 1.2", "1.1", "min_version"), 0);
	T_EQ(verdict_untrusted_path(&v, "emu/0000:0d:00.0", VERDICT_REJECTED), 0);
	T_STREQ(verdict_name(v.kind), "untrusted_path");
	/* the path comes first, the device's own reasons after it */
	T_EQ(json_object_array_length(v.reasons), 2);
	r = json_object_array_get_idx(v.reasons, 0);
	json_object_object_get_ex(r, "got", &c);
	T_STREQ(json_object_get_string(c), "below emu/0000:0d:00.0, which is rejected");
	verdict_fini(&v);
	T_EQ(verdict_init(&v), 0);
	T_EQ(verdict_unreachable(&v, "no response after 20 ms"), 0);
	T_STREQ(verdict_name(v.kind), "unreachable");
	verdict_fini(&v);
	T_EQ(verdict_parse("untrusted_path", &k), 0);
	T_EQ(k, VERDICT_UNTRUSTED_PATH);
	T_EQ(verdict_parse("Authorized", &k), -EINVAL);
	T_TRUE(appraise_unreachable_rc(-ETIMEDOUT));
	T_TRUE(!appraise_unreachable_rc(-EKEYREJECTED));
	T_TRUE(!appraise_unreachable_rc(-EPROTO));
}

/* verify-evidence --policy reads arrays of evidence: only it asks for them */
static void t_jin_array(void)
{
	struct jin j = { .ctx = ctx, .doc = "ev.json" };
	struct json_object *o;

	T_EQ(jin_parse(&j, "[{}]", 4, &o), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "ev.json: not a JSON object");
	j.array_ok = true;
	T_EQ(jin_parse(&j, "[{}]", 4, &o), 0);
	T_TRUE(json_object_is_type(o, json_type_array));
	json_object_put(o);
	T_EQ(jin_parse(&j, "\"x\"", 3, &o), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "not a JSON object or array");
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	make_leaf();
	T_RUN(t_parse_errors);
	T_RUN(t_parse_full);
	T_RUN(t_narrow);
	T_RUN(t_san);
	T_RUN(t_appraise);
	T_RUN(t_failed_signatures);
	T_RUN(t_reason_text);
	T_RUN(t_verdicts);
	T_RUN(t_jin_array);
	doe_ctx_free(ctx);
	return T_DONE();
}
