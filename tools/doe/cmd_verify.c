// SPDX-License-Identifier: MIT
/*
 * doe verify-evidence FILE --trust PATH | --policy FILE [--nonce HEX] [--min-version V]
 *                     [--asym LIST] [--hash LIST]
 *                     [--measurements all|N|none|each] [--allow-unsigned] [-j]
 *
 * Re-checks what doe attest -j recorded, offline, under this verifier's
 * policy: the same requester runs again against the logged responses (see
 * evidence.c), verifying the chain against this verifier's trust store and
 * every signature over the transcript it rebuilds; then every claim of the
 * file must equal what the replay derives (evidence_check.c). --nonce: the
 * nonce this verifier gave the attester (freshness). What is printed, text
 * or JSON, is the derived document, never the file's.
 *
 * Exit: 0 verified; 1 the evidence does not verify (malformed, forged,
 * outside the policy, a claim that differs); 2 usage, the trust store or
 * the file cannot be used at all.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest.h"
#include "internal.h"
#include "jin.h"
#include "policy.h"

#define USAGE "verify-evidence FILE --trust PATH | --policy FILE [--nonce HEX] " \
	      "[--min-version V] [--asym LIST] [--hash LIST] [--measurements all|N|none|each] " \
	      "[--allow-unsigned]"

/* --measurements for a verifier: what must be present (no "count": a
 * count is not a measurement). */
static int parse_required(const char *s, struct verifier_policy *vp)
{
	struct spdm_req_policy p = { 0 };

	/* parse_meas_mode() reads N with opt_uint(): "03" or "0x3" are refused */
	if (parse_meas_mode(s, &p) || p.meas_mode == SPDM_MEAS_COUNT)
		return -EINVAL;
	vp->meas_mode = p.meas_mode;
	vp->meas_index = p.meas_index;
	return 0;
}

/*
 * The options and the policy file, one policy: each option narrows the
 * file's member (the verifier requires both); --measurements and
 * --allow-unsigned have no member in the file and are taken as given.
 */
static int combine(struct tool *t, struct policy *p, const struct verifier_policy *opt,
		   bool meas_given)
{
	TRY(policy_narrow_version(t->ctx, p, opt->min_version));
	TRY(policy_narrow_asym(t->ctx, p, opt->asym_algos));
	TRY(policy_narrow_hash(t->ctx, p, opt->hash_algos));
	if (meas_given) {
		p->vp.meas_mode = opt->meas_mode;
		p->vp.meas_index = opt->meas_index;
	}
	p->vp.allow_unsigned = opt->allow_unsigned;
	p->vp.nonce = opt->nonce;
	return 0;
}

/* Text: the derived report, after a line saying what was replayed. */
static void print_text(struct attest *a, const char *file, const struct spdm_result *r, int rc,
		       const struct verifier_policy *vp)
{
	struct chain_cert certs[MAX_CHAIN_CERTS];
	const char *why;
	int nc = result_certs(a, r, certs);
	bool ok;

	ok = attest_verdict(a, r, rc, &why);
	printf("%s: evidence replayed; device and transport as the attester named them\n", file);
	attest_print_text(a, r, ok, rc ? doe_ctx_errmsg(a->t->ctx) : why, certs, nc);
	if (ok && vp->allow_unsigned && a->pol.meas_mode != SPDM_MEAS_NONE &&
	    !meas_authenticated(r))
		printf("  note           measurements accepted NOT authenticated (--allow-unsigned)\n");
}

int cmd_verify_evidence(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "trust", required_argument, NULL, 'T' },
		{ "nonce", required_argument, NULL, 'N' },
		{ "min-version", required_argument, NULL, 'V' },
		{ "asym", required_argument, NULL, 'A' },
		{ "hash", required_argument, NULL, 'H' },
		{ "measurements", required_argument, NULL, 'M' },
		{ "allow-unsigned", no_argument, NULL, 'U' },
		{ "policy", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct attest *a = calloc(1, sizeof(*a));
	const char *trust = NULL, *file, *policy_path = NULL;
	struct json_object *ev = NULL;
	struct spdm_req *req = NULL;
	struct verifier_policy opt;
	struct policy *pol = NULL;
	struct msglog log = { 0 };
	uint8_t align = 1, nonce[SPDM_NONCE_SIZE];
	bool meas_given = false;
	struct jin j;
	size_t n;
	int c, rc, code = EXIT_FAIL;

	if (!a)
		return tool_fail(t, doe_err(t->ctx, -ENOMEM, "out of memory"), NULL);
	a->t = t;
	/* the options as given; they meet the policy file's in one policy below */
	verifier_policy_init(&opt);
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'T': trust = optarg; break;
		case 'N':
			rc = hex_decode(optarg, nonce, sizeof(nonce), &n) || n != sizeof(nonce)
				     ? -EINVAL : 0;
			opt.nonce = nonce;
			break;
		case 'V': rc = spdm_version_parse(optarg, &opt.min_version); break;
		case 'A': rc = algo_list_parse(optarg, asym_parse, &opt.asym_algos); break;
		case 'H': rc = algo_list_parse(optarg, hash_parse, &opt.hash_algos); break;
		case 'M':
			rc = parse_required(optarg, &opt);
			meas_given = true;
			break;
		case 'U': opt.allow_unsigned = true; break;
		case 'P': policy_path = optarg; break;
		default:
			rc = tool_common_opt(t, c, optarg);
			if (rc) {
				free(a);
				return rc < 0 ? EXIT_USAGE : EXIT_OK;
			}
			continue;
		}
		if (rc) {
			free(a);
			return tool_usage(t, "verify-evidence: bad value '%s' for --%s", optarg,
					  c == 'N' ? "nonce (64 hex digits)"
					  : c == 'V' ? "min-version (1.0-1.3)"
					  : c == 'A' ? "asym (comma-separated names as attest --asym takes)"
					  : c == 'H' ? "hash (comma-separated names as attest --hash takes)"
					  : "measurements (all, none, each or 1-254)");
		}
	}
	if (argc - optind != 1 || (!trust && !policy_path)) {
		free(a);
		return tool_usage(t, USAGE);
	}
	file = argv[optind];
	/* the verifier's own configuration first: a policy or a trust store
	 * that cannot be read is a usage error, whatever the evidence */
	if (policy_path)
		rc = policy_open(t, policy_path, trust, &pol, &a->trust, &a->trust_desc);
	else if (!(pol = policy_new()))
		rc = doe_err(t->ctx, -ENOMEM, "out of memory");
	else
		rc = spdm_trust_new(t->ctx, trust, &a->trust);
	if (rc == 0 && !a->trust)
		rc = doe_err(t->ctx, -EINVAL,
			     "%s names no trust anchors: add \"trust\" to it or give --trust",
			     policy_path);
	if (rc == 0)
		rc = combine(t, pol, &opt, meas_given);
	if (rc) {
		tool_fail(t, rc, NULL);
		spdm_trust_free(a->trust);
		policy_free(pol);
		free(a);
		return EXIT_USAGE;
	}
	if (!policy_path)
		a->trust_desc = trust;
	if (policy_path) {
		code = verify_with_policy(t, a, pol, file);
		goto out;
	}
	spdm_req_policy_init(&a->pol);
	/* until the file's names are read (after the replay): a report of a
	 * replay that failed names the file */
	snprintf(a->name, sizeof(a->name), "%s", file);
	snprintf(a->via, sizeof(a->via), "evidence replay");
	/* messages name the member ("evidence: policy.measurements: ..."),
	 * the file is named once, in front */
	j = (struct jin){ .ctx = t->ctx, .doc = "evidence" };
	rc = jin_load(&j, file, JIN_MAX_EVIDENCE, &ev);
	if (rc) {
		/* -EINVAL: read, but not JSON (bad evidence); anything else: the
		 * file could not be read or is too large to be evidence at all */
		tool_fail(t, rc, rc == -EINVAL ? file : NULL);
		code = rc == -EINVAL ? EXIT_FAIL : EXIT_USAGE;
		goto out;
	}
	rc = evidence_check(a, &pol->vp, &j, ev, &log, &align, &req);
	if (!req) {		/* nothing was replayed: nothing to report but why */
		tool_fail(t, rc, file);
		code = EXIT_FAIL;
		goto out;
	}
	if (rc)
		fprintf(stderr, "%s: %s: %s\n", t->prog, file, doe_ctx_errmsg(t->ctx));
	if (t->json) {
		struct json_object *o = attest_doc(a, spdm_req_result(req), rc, &log, align, false);

		tool_print_json(o);
		json_object_put(o);
	} else {
		print_text(a, file, spdm_req_result(req), rc, &pol->vp);
	}
	code = attest_verdict(a, spdm_req_result(req), rc, &(const char *){ NULL }) ? EXIT_OK
										    : EXIT_FAIL;
out:
	if (req)
		spdm_req_fini(req);
	msglog_free(&log);
	policy_free(pol);
	spdm_trust_free(a->trust);
	json_object_put(ev);
	free(a);
	return code;
}
