// SPDX-License-Identifier: MIT
/*
 * verify-evidence's checks (tools/doe/evidence_check.c) one by one: the
 * verifier's policy against the evidence's, the replay's result against
 * the policy, the file's claims against the derived document; and the
 * helpers they lean on (algorithm lists, the chain walk).
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/x509v3.h>

#include "attest.h"
#include "evidence.h"
#include "jin.h"
#include "t.h"

static struct doe_ctx *ctx;

/* ---- the measurement mode a verifier requires, against the evidence's ---- */

static const struct {
	const char *name, *required, *evidence, *msg;	/* msg NULL: accepted */
} modes[] = {
	{ "all accepts all", "all", "all", NULL },
	{ "all accepts each (every block, one by one)", "all", "each", NULL },
	{ "all refuses one index", "all", "3", "evidence measurements '3', verifier requires 'all'" },
	{ "all refuses none", "all", "none", "evidence measurements 'none', verifier requires 'all'" },
	{ "all refuses count", "all", "count", "evidence measurements 'count', verifier requires 'all'" },
	{ "each refuses all", "each", "all", "evidence measurements 'all', verifier requires 'each'" },
	{ "each accepts each", "each", "each", NULL },
	{ "index accepts the same index", "3", "3", NULL },
	{ "index refuses another index", "3", "2", "evidence measurements '2', verifier requires '3'" },
	{ "index accepts all (block checked after the replay)", "3", "all", NULL },
	{ "index refuses none", "3", "none", "evidence measurements 'none', verifier requires '3'" },
	{ "none accepts none", "none", "none", NULL },
	{ "none accepts all", "none", "all", NULL },
	{ "none accepts count", "none", "count", NULL },
};

static void t_meas_mode(void)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct spdm_req_policy req = { 0 }, ev = { 0 };
		struct verifier_policy vp;

		t_case_name = modes[i].name;
		verifier_policy_init(&vp);
		T_EQ(parse_meas_mode(modes[i].required, &req), 0);
		T_EQ(parse_meas_mode(modes[i].evidence, &ev), 0);
		vp.meas_mode = req.meas_mode;
		vp.meas_index = req.meas_index;
		if (!modes[i].msg) {
			T_EQ(verifier_meas_mode_check(ctx, &vp, &ev), 0);
		} else {
			T_EQ(verifier_meas_mode_check(ctx, &vp, &ev), -EKEYREJECTED);
			T_CONTAINS(doe_ctx_errmsg(ctx), modes[i].msg);
		}
	}
}

/* ---- what the replay found, against the verifier's policy ---- */

/* one raw block, index 3, "1.2.3" (DSP0274 1.3 §10.11.1) */
static const uint8_t rec3[] = { 0x03, 0x01, 0x08, 0x00, 0x86, 0x05, 0x00, '1', '.', '2', '.', '3' };

enum { SIGNED, SUMMARY, UNAUTH };

static const struct {
	const char *name;
	uint8_t version;
	uint32_t asym, hash;
	const char *ev_mode;
	int auth;
	const char *min_version, *asym_list, *hash_list, *required;
	bool allow_unsigned;
	const char *msg;
} results[] = {
	{ "defaults accept 1.2, signed", SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "all",
	  SIGNED, NULL, NULL, NULL, NULL, false, NULL },
	{ "below --min-version", SPDM_V11, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "all", SIGNED,
	  "1.2", NULL, NULL, NULL, false, "evidence negotiated SPDM 1.1, verifier requires >= 1.2" },
	{ "at --min-version", SPDM_V13, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "all", SIGNED,
	  "1.3", NULL, NULL, NULL, false, NULL },
	{ "asym outside --asym", SPDM_V12, SPDM_ASYM_RSASSA_2048, SPDM_HASH_SHA384, "all", SIGNED,
	  NULL, "ecdsa-p384,ed25519", NULL, NULL, false,
	  "evidence asym rsassa-2048 not in verifier's --asym" },
	{ "hash outside --hash", SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA256, "all", SIGNED,
	  NULL, NULL, "sha384,sha512", NULL, false, "evidence hash sha256 not in verifier's --hash" },
	{ "no asym negotiated", SPDM_V12, 0, SPDM_HASH_SHA384, "all", SIGNED, NULL, NULL, NULL, NULL,
	  false, "evidence asym none not in verifier's --asym" },
	{ "unsigned, summary hash covers it", SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "all",
	  SUMMARY, NULL, NULL, NULL, NULL, false, NULL },
	{ "unsigned index: not authenticated", SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "3",
	  UNAUTH, NULL, NULL, NULL, "3", false, "evidence measurements are NOT authenticated" },
	{ "unsigned index, --allow-unsigned", SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "3",
	  UNAUTH, NULL, NULL, NULL, "3", true, NULL },
	{ "unauthenticated even when none required", SPDM_V12, SPDM_ASYM_ECDSA_P384,
	  SPDM_HASH_SHA384, "3", UNAUTH, NULL, NULL, NULL, "none", false,
	  "evidence measurements are NOT authenticated" },
	{ "required block present in all", SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "all",
	  SIGNED, NULL, NULL, NULL, "3", false, NULL },
	{ "required block absent from all", SPDM_V12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "all",
	  SIGNED, NULL, NULL, NULL, "4", false,
	  "evidence has no measurement block 4, verifier requires it" },
};

static void t_result(void)
{
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++) {
		struct spdm_req_policy ev = { 0 }, req = { 0 };
		struct spdm_result r = { 0 };
		struct verifier_policy vp;

		t_case_name = results[i].name;
		verifier_policy_init(&vp);
		if (results[i].min_version)
			T_EQ(spdm_version_parse(results[i].min_version, &vp.min_version), 0);
		if (results[i].asym_list)
			T_EQ(algo_list_parse(results[i].asym_list, asym_parse, &vp.asym_algos), 0);
		if (results[i].hash_list)
			T_EQ(algo_list_parse(results[i].hash_list, hash_parse, &vp.hash_algos), 0);
		if (results[i].required) {
			T_EQ(parse_meas_mode(results[i].required, &req), 0);
			vp.meas_mode = req.meas_mode;
			vp.meas_index = req.meas_index;
		}
		vp.allow_unsigned = results[i].allow_unsigned;
		T_EQ(parse_meas_mode(results[i].ev_mode, &ev), 0);
		r.version = results[i].version;
		r.asym_algo = results[i].asym;
		r.hash_algo = results[i].hash;
		r.meas_record = rec3;
		r.meas_record_len = sizeof(rec3);
		r.meas_blocks = 1;
		r.challenge_verified = true;
		r.meas_signed = r.meas_verified = results[i].auth == SIGNED;
		r.summary_hash_checked = results[i].auth == SUMMARY;
		if (!results[i].msg) {
			T_EQ(verifier_result_check(ctx, &vp, &ev, &r), 0);
		} else {
			T_EQ(verifier_result_check(ctx, &vp, &ev, &r), -EKEYREJECTED);
			T_CONTAINS(doe_ctx_errmsg(ctx), results[i].msg);
		}
	}
}

/* ---- algorithm lists ---- */

static const struct {
	const char *name, *list;
	int rc;
	uint32_t mask;
} lists[] = {
	{ "one", "ecdsa-p384", 0, SPDM_ASYM_ECDSA_P384 },
	{ "two, any case", "ECDSA-P384,ed25519", 0, SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_EDDSA_25519 },
	{ "empty", "", -EINVAL, 0 },
	{ "trailing comma", "ecdsa-p384,", -EINVAL, 0 },
	{ "leading comma", ",ecdsa-p384", -EINVAL, 0 },
	{ "empty element", "ecdsa-p384,,ed25519", -EINVAL, 0 },
	{ "unknown", "ecdsa-p384,md5", -EINVAL, 0 },
	{ "longer than any name", "ecdsa-p384-ecdsa-p384-ecdsa-p384-ecdsa-p384", -EINVAL, 0 },
};

static void t_algo_list(void)
{
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		uint32_t m = 0xDEAD;

		t_case_name = lists[i].name;
		T_EQ(algo_list_parse(lists[i].list, asym_parse, &m), lists[i].rc);
		T_EQ(m, lists[i].rc ? 0xDEAD : lists[i].mask);
	}
}

/* ---- the claims against the derived document ---- */

static const char derived_doc[] =
	"{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true,"
	" \"none\": null, \"verified\": true, \"trust\": \"mine\"}";

static const struct {
	const char *name, *file, *msg;	/* msg NULL: equal */
} claims[] = {
	{ "equal", "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true,"
		   " \"none\": null, \"verified\": true, \"trust\": \"mine\"}", NULL },
	{ "verdict and trust are the verifier's",
	  "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true,"
	  " \"none\": null, \"verified\": false, \"reason\": \"x\", \"trust\": \"theirs\"}", NULL },
	{ "scalar differs",
	  "{\"version\": \"1.2\", \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true,"
	  " \"none\": null}", "evidence: version: the file says \"1.2\", the replay derives \"1.3\"" },
	{ "nested member differs",
	  "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = other\"}], \"ok\": true,"
	  " \"none\": null}", "evidence: chain[0].subject: the file says \"CN = other\"" },
	{ "nested member added",
	  "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\", \"x\": 1}], \"ok\": true,"
	  " \"none\": null}", "evidence: chain[0].x: the replay derives no such member" },
	{ "array shorter",
	  "{\"version\": \"1.3\", \"chain\": [], \"ok\": true, \"none\": null}",
	  "evidence: chain: 0 elements, the replay derives 1" },
	{ "type differs", "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}],"
			  " \"ok\": \"true\", \"none\": null}",
	  "evidence: ok: the file has a string, the replay derives a boolean" },
	{ "null where a value is derived", "{\"version\": null, \"chain\": [{\"subject\": \"CN = leaf\"}],"
					   " \"ok\": true, \"none\": null}",
	  "evidence: version: the file has null, the replay derives a string" },
	{ "value where null is derived", "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}],"
					 " \"ok\": true, \"none\": 0}",
	  "evidence: none: the file has an integer, the replay derives null" },
	{ "member missing", "{\"version\": \"1.3\", \"ok\": true, \"none\": null}",
	  "evidence: chain: missing" },
	{ "member added", "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true,"
			  " \"none\": null, \"extra\": 1}", "evidence: extra: the replay derives no such member" },
	{ "a member name with controls is not echoed raw",
	  "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true,"
	  " \"none\": null, \"\\u001b[2J\": 1}", "evidence: ?[2J: the replay derives no such member" },
	{ "a long member name is cut",
	  "{\"version\": \"1.3\", \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true,"
	  " \"none\": null, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\": 1}",
	  "evidence: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...: the replay" },
	{ "long values are shown by size",
	  "{\"version\": \"1.3.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	  " \"chain\": [{\"subject\": \"CN = leaf\"}], \"ok\": true, \"none\": null}",
	  "(69 characters)" },
};

static void t_claims(void)
{
	struct jin j = { .ctx = ctx, .doc = "evidence" };
	struct json_object *want;

	T_EQ(jin_parse(&j, derived_doc, strlen(derived_doc), &want), 0);
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		struct json_object *have;

		t_case_name = claims[i].name;
		T_EQ(jin_parse(&j, claims[i].file, strlen(claims[i].file), &have), 0);
		if (!claims[i].msg) {
			T_EQ(evidence_claims_check(&j, have, want), 0);
		} else {
			T_EQ(evidence_claims_check(&j, have, want), -EBADMSG);
			T_CONTAINS(doe_ctx_errmsg(ctx), claims[i].msg);
		}
		json_object_put(have);
	}
	json_object_put(want);
}

/* ---- the chain walk: whole certificates, or an error when one is not DER ---- */

static void t_chain_split(void)
{
	static const struct {
		const char *name;
		size_t keep;	/* bytes of the DER certificates kept */
		bool garbage;	/* then bytes that are no certificate */
		int rc;
	} cases[] = {
		{ "whole chain", SIZE_MAX, false, 3 },
		{ "a certificate, then garbage", 0, true, -EBADMSG },
		{ "header only", 0, false, 0 },
	};
	struct spdm_identity *id;
	const uint8_t *der;
	size_t der_len, first;

	T_EQ(spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P256, NULL, &id), 0);
	der = spdm_identity_certs(id, &der_len);
	/* the length of the first DER certificate: SEQUENCE, long form, 2 bytes */
	first = 4 + ((size_t)der[2] << 8 | der[3]);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct chain_cert c[MAX_CHAIN_CERTS];
		uint8_t buf[8192] = { 0 };
		size_t n = cases[i].keep == SIZE_MAX ? der_len : cases[i].garbage ? first : 0;
		size_t len = 4 + 48 + n;
		int rc;

		t_case_name = cases[i].name;
		memcpy(buf + 4 + 48, der, n);
		if (cases[i].garbage) {
			memset(buf + len, 0x30, 16);	/* a SEQUENCE that never ends */
			len += 16;
		}
		rc = chain_split(ctx, buf, len, 48, c, MAX_CHAIN_CERTS);
		T_EQ(rc, cases[i].rc);
		/* each piece is one whole certificate: OpenSSL parses it to its
		 * end, and the subject decoded alone is the one it prints */
		for (int k = 0; k < rc; k++) {
			const unsigned char *p = c[k].der;
			X509 *x = d2i_X509(NULL, &p, (long)c[k].der_len);
			char want[256] = "", got[256];
			BIO *b = BIO_new(BIO_s_mem());
			int bn = 0;

			T_TRUE(x && p == c[k].der + c[k].der_len);
			if (x && b && X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
							 XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0)
				bn = BIO_read(b, want, (int)sizeof(want) - 1);
			want[bn > 0 ? bn : 0] = '\0';
			chain_cert_subject(&c[k], got, sizeof(got));
			T_STREQ(got, want);
			T_CONTAINS(got, "CN = doekit test");
			/* serial and key identifier, decoded alone, as OpenSSL
			 * finds them in the whole certificate */
			{
				ASN1_INTEGER *serial = NULL;
				ASN1_OCTET_STRING *ski = NULL;
				const ASN1_OCTET_STRING *want_ski = x ? X509_get0_subject_key_id(x) : NULL;

				T_EQ(der_cert_ids(c[k].der, c[k].der_len, &serial, &ski), 0);
				T_TRUE(x && serial && !ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(x)));
				T_TRUE(want_ski != NULL);
				T_TRUE(ski && want_ski && !ASN1_OCTET_STRING_cmp(ski, want_ski));
				ASN1_INTEGER_free(serial);
				ASN1_OCTET_STRING_free(ski);
			}
			BIO_free(b);
			X509_free(x);
		}
		if (rc > 0) {
			struct json_object *j = chain_json(c, rc);

			T_EQ((int)json_object_array_length(j), rc);
			T_CONTAINS(json_object_to_json_string(j), "BEGIN CERTIFICATE");
			json_object_put(j);
		}
		/* on an error nothing is left to free: LeakSanitizer checks */
	}
	spdm_identity_free(id);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_meas_mode);
	T_RUN(t_result);
	T_RUN(t_algo_list);
	T_RUN(t_claims);
	T_RUN(t_chain_split);
	doe_ctx_free(ctx);
	return T_DONE();
}
