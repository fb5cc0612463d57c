/* SPDX-License-Identifier: MIT */
/*
 * Appraisal: one device's verified evidence against a policy, giving a
 * verdict and every reason for it (docs/policy.md "Verdicts").
 *
 * The evidence is the JSON document doe attest -j writes for one device,
 * as attest_doc() builds it: live from the requester (doe attest), or
 * derived by the replay (doe verify-evidence), never a file's own claims.
 * The chain and signature checks have run when it was built; appraise()
 * reads their outcome and holds the rest against the policy.
 *
 * For the topology walk: per device, build the evidence (or, when the
 * device could not be reached, call verdict_unreachable()), call
 * appraise(), and for each node below a port that is not authorized call
 * verdict_untrusted_path(). verdict_to_json() adds "verdict" and
 * "reasons" to the device's object.
 */
#ifndef DOE_APPRAISE_H
#define DOE_APPRAISE_H

#include <stdbool.h>
#include <json-c/json.h>
#include <doekit/ctx.h>
#include "policy.h"

enum verdict_kind {
	VERDICT_AUTHORIZED = 0,
	VERDICT_REJECTED,
	VERDICT_UNREACHABLE,
	VERDICT_UNTRUSTED_PATH,
};

/* A verdict and its reasons: a JSON array of {check, expected, got} and,
 * when a policy member decided it, "policy" naming that member. */
struct verdict {
	enum verdict_kind kind;
	struct json_object *reasons;	/* owned */
};

/* Reason "check" names (docs/policy.md lists them with their meaning). */
#define CHECK_EVIDENCE "evidence"
#define CHECK_TRUST "trust_anchor"
#define CHECK_CHALLENGE "challenge_signature"
#define CHECK_MEAS_SIG "measurement_signature"
#define CHECK_VERSION "min_version"
#define CHECK_ASYM "asym"
#define CHECK_HASH "hash"
#define CHECK_MEAS_MODE "measurements"
#define CHECK_MEAS_AUTH "measurements_authenticated"
#define CHECK_REQUIRED "measurement_required"
#define CHECK_VALUE "measurement_value"
#define CHECK_DENY_SKI "deny_leaf_ski"
#define CHECK_DENY_SERIAL "deny_leaf_serial"
#define CHECK_REACHABLE "reachable"
#define CHECK_PATH "trusted_path"

/* Authorized, no reasons. -ENOMEM when the reasons array cannot be made. */
int verdict_init(struct verdict *v);
void verdict_fini(struct verdict *v);
/* Adds a reason and makes an authorized verdict rejected. got is the
 * device's word (shown escaped); policy may be NULL. */
int verdict_add(struct verdict *v, const char *check, const char *expected, const char *got,
		const char *policy);
/* The device could not be attested (transport, mailbox, no answer). */
int verdict_unreachable(struct verdict *v, const char *why);
/* A device below port, whose verdict is port_kind: untrusted_path whatever
 * its own result (its own reasons are kept after this one). */
int verdict_untrusted_path(struct verdict *v, const char *port, enum verdict_kind port_kind);

const char *verdict_name(enum verdict_kind k);
/* "authorized" ... to the kind; -EINVAL for anything else. */
int verdict_parse(const char *s, enum verdict_kind *k);

/* Adds "verdict" and "reasons" (a copy) to the object o. */
void verdict_to_json(const struct verdict *v, struct json_object *o);
/* "authorized" or the verdict and one line per reason, each starting with
 * indent; every string escaped. */
void verdict_print(const struct verdict *v, const char *indent);

/*
 * Evidence bundles (docs/policy.md), as doe verify-evidence --policy reads
 * them: {"doekit_bundle": 1, "devices": [NODE...]}, NODE = {"device",
 * "verdict", "reasons", "evidence" (object or null), "children": [NODE...]}.
 * bundle_node_new() takes evidence (NULL: none) and returns the node with
 * an empty "children" array (*children, to append to); bundle_new() takes
 * the array of top-level nodes.
 */
#define BUNDLE_VERSION 1
struct json_object *bundle_node_new(const char *device, const struct verdict *v,
				    struct json_object *evidence, struct json_object **children);
struct json_object *bundle_new(struct json_object *devices);

/* Whether an attestation that ended in rc (<0) failed for want of a
 * device that answers (transport or mailbox), rather than for what the
 * device said: unreachable, not rejected. */
bool appraise_unreachable_rc(int rc);

/*
 * ev against p into v (which verdict_init() made). Returns 0 whatever the
 * verdict, <0 only when the appraisal itself could not run (-ENOMEM).
 * Evidence members missing or of the wrong type are reasons (check
 * "evidence"), never trusted defaults.
 */
int appraise(struct doe_ctx *ctx, const struct policy *p, struct json_object *ev,
	     struct verdict *v);

#endif
