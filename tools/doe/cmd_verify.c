// SPDX-License-Identifier: MIT
/*
 * doe verify-evidence FILE --trust PATH [--nonce HEX] [-j]
 *
 * Re-checks what doe attest -j recorded, offline: the same requester runs
 * again against the logged responses (see evidence.c), verifying the chain
 * against this verifier's trust store and every signature over the
 * transcript it rebuilds. The measurements the evidence lists must be the
 * ones in the signed record. --nonce: the nonce this verifier gave the
 * attester; the evidence must have used it (freshness).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest.h"
#include "internal.h"

static int get_int(struct doe_ctx *ctx, struct json_object *o, const char *key, int64_t min,
		   int64_t max, int64_t *out)
{
	struct json_object *v;

	*out = 0;	/* defined on every path, so -O2 sees no unset use after TRY() */
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return doe_err(ctx, -EINVAL, "evidence: policy.%s: missing or not an integer", key);
	*out = json_object_get_int64(v);
	if (*out < min || *out > max)
		return doe_err(ctx, -EINVAL, "evidence: policy.%s: %lld out of range", key,
			       (long long)*out);
	return 0;
}

/* The policy attest ran with, and its nonce, from the evidence. */
int evidence_load_policy(struct attest *a, struct json_object *ev, uint8_t *align)
{
	struct doe_ctx *ctx = a->t->ctx;
	struct json_object *p, *v;
	int64_t x;
	size_t n;

	if (!json_object_object_get_ex(ev, "policy", &p) || !json_object_is_type(p, json_type_object))
		return doe_err(ctx, -EINVAL, "evidence: no policy (not made by doe attest -j?)");
	TRY(get_int(ctx, p, "versions", 1, SPDM_VMASK_ALL, &x));
	a->pol.versions = (uint8_t)x;
	TRY(get_int(ctx, p, "asym_algos", 1, SPDM_ASYM_ALL, &x));
	a->pol.asym_algos = (uint32_t)x;
	TRY(get_int(ctx, p, "hash_algos", 1, SPDM_HASH_ALL, &x));
	a->pol.hash_algos = (uint32_t)x;
	TRY(get_int(ctx, p, "align", 1, 4, &x));
	*align = (uint8_t)x;
	if (!json_object_object_get_ex(p, "measurements", &v) ||
	    parse_meas_mode(json_object_get_string(v), &a->pol))
		return doe_err(ctx, -EINVAL, "evidence: policy.measurements: missing or invalid");
	if (json_object_object_get_ex(p, "measurements_signed", &v))
		a->pol.meas_signed = json_object_get_boolean(v);
	if (json_object_object_get_ex(ev, "slot", &v)) {
		x = json_object_get_int64(v);
		if (x < 0 || x > 7)
			return doe_err(ctx, -EINVAL, "evidence: slot %lld out of range", (long long)x);
		a->pol.slot = (uint8_t)x;
	}
	if (!json_object_object_get_ex(ev, "nonce", &v) ||
	    hex_decode(json_object_get_string(v), a->nonce, sizeof(a->nonce), &n) ||
	    n != SPDM_NONCE_SIZE)
		return doe_err(ctx, -EINVAL, "evidence: nonce: missing or not 32 bytes of hex");
	return 0;
}

int cmd_verify_evidence(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "trust", required_argument, NULL, 'T' },
		{ "nonce", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct attest *a = calloc(1, sizeof(*a));
	const char *trust = NULL, *nonce = NULL;
	struct json_object *ev = NULL, *v, *claimed = NULL, *derived = NULL;
	struct spdm_req *req = NULL;
	struct msglog log = { 0 };
	struct replay rp;
	uint8_t align = 1;
	int c, rc, code = EXIT_FAIL;

	if (!a)
		return tool_fail(t, doe_err(t->ctx, -ENOMEM, "out of memory"), NULL);
	a->t = t;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'T') {
			trust = optarg;
		} else if (c == 'N') {
			uint8_t want[SPDM_NONCE_SIZE];
			size_t n;

			/* a typo is a usage error, not evidence that is "not fresh" */
			if (hex_decode(optarg, want, sizeof(want), &n) || n != sizeof(want)) {
				free(a);
				return tool_usage(t, "verify-evidence: bad value '%s' for --nonce "
						  "(64 hex digits)", optarg);
			}
			nonce = optarg;
		} else if ((rc = tool_common_opt(t, c, optarg)) != 0) {
			free(a);
			return rc < 0 ? EXIT_USAGE : EXIT_OK;
		}
	}
	if (argc - optind != 1 || !trust) {
		free(a);
		return tool_usage(t, "verify-evidence FILE --trust PATH [--nonce HEX]");
	}
	snprintf(a->name, sizeof(a->name), "%s", argv[optind]);
	snprintf(a->via, sizeof(a->via), "evidence replay");
	spdm_req_policy_init(&a->pol);
	/* what the command was given comes first: a missing or empty trust
	 * store or evidence file is a usage error (2), bad evidence is not */
	if ((rc = spdm_trust_new(t->ctx, trust, &a->trust))) {
		code = tool_fail(t, rc, NULL);
		goto out_usage;
	}
	if (access(argv[optind], R_OK)) {
		rc = doe_err(t->ctx, errno == ENOENT ? -ENOENT : -EACCES, "cannot open %s: %s",
			     argv[optind], strerror(errno));
		code = tool_fail(t, rc, NULL);
		goto out_usage;
	}
	ev = json_object_from_file(argv[optind]);
	if (!ev) {
		rc = doe_err(t->ctx, -EBADMSG, "%s: %s", argv[optind], json_util_get_last_err());
		goto out;
	}
	if ((rc = evidence_load_policy(a, ev, &align)))
		goto out;
	if (nonce) {
		char have[2 * SPDM_NONCE_SIZE + 1];

		hex_encode(a->nonce, SPDM_NONCE_SIZE, have);
		if (strcasecmp(have, nonce)) {
			rc = doe_err(t->ctx, -EKEYREJECTED,
				     "evidence used nonce %s, not the one given (%s): not fresh", have,
				     nonce);
			goto out;
		}
	}
	if (!json_object_object_get_ex(ev, "messages", &v)) {
		rc = doe_err(t->ctx, -EINVAL, "evidence: no messages");
		goto out;
	}
	if ((rc = msglog_from_json(t->ctx, v, &log)))
		goto out;
	a->trust_desc = trust;
	a->pol.trust = a->trust;
	a->pol.nonce = a->nonce;
	a->pol.chain_buf = a->chain;
	a->pol.chain_cap = sizeof(a->chain);
	a->pol.meas_buf = a->meas;
	a->pol.meas_cap = sizeof(a->meas);
	a->pol.max_rsp_size = sizeof(a->rsp);
	if ((rc = spdm_req_init(a->mem, sizeof(a->mem), t->ctx, &a->pol, &req)))
		goto out;
	replay_init(&rp, t->ctx, &log, align);
	rc = spdm_req_run(req, &rp.ops, &rp, a->rsp, sizeof(a->rsp), 0);
	if (rc == 0 && rp.next != log.n)
		rc = doe_err(t->ctx, -EBADMSG, "evidence: %zu logged messages were not used",
			     log.n - rp.next);
	/* the human-readable measurements must be the signed ones */
	if (rc == 0 && json_object_object_get_ex(ev, "measurements", &claimed)) {
		const struct spdm_result *r = spdm_req_result(req);

		if (meas_json(t->ctx, r->meas_record, r->meas_record_len, &derived) == 0 &&
		    !json_object_equal(claimed, derived))
			rc = doe_err(t->ctx, -EBADMSG,
				     "evidence: its measurements list differs from the signed record");
		json_object_put(derived);
	}
	code = attest_report(a, req, rc, false);
	rc = 0;
out:
	if (rc) {
		tool_fail(t, rc, NULL);
		code = EXIT_FAIL;	/* the evidence is bad, whatever the code says */
	}
out_usage:
	if (req)
		spdm_req_fini(req);
	msglog_free(&log);
	spdm_trust_free(a->trust);
	json_object_put(ev);
	free(a);
	return code;
}
