// SPDX-License-Identifier: MIT
/*
 * doe verify-evidence --policy P FILE: the verdicts of doe attest --policy
 * re-derived offline. FILE is what doe attest -j wrote: one device's
 * evidence, an array of them (doe attest -j emu), or a bundle
 *
 *   {"doekit_bundle": 1, "devices": [NODE...]}
 *   NODE = {"device": NAME, "verdict": V, "reasons": [...],
 *           "evidence": EVIDENCE | null, "children": [NODE...]}
 *
 * (docs/policy.md). Each evidence is replayed (evidence_check(), anchored
 * in the verifier's trust store) and the document the replay derives is
 * appraised; nothing the file claims is taken: a recorded verdict is only
 * compared with the derived one, and any difference is named. In a
 * bundle, a node below a node that is not authorized is untrusted_path,
 * its first reason naming that port.
 *
 * The replay itself runs with no requirement of its own (versions,
 * algorithms, measurement mode, authentication): the appraisal applies the
 * policy's, so that each shortfall becomes a reason, not an abort.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appraise.h"
#include "attest.h"
#include "internal.h"
#include "jin.h"
#include "policy.h"

/* A bundle of 1,000 devices' evidence (some 14 MiB): more than one device's cap */
#define VERIFY_MAX_DOC (64u << 20)
#define MAX_DEVICES 65536u

struct vctx {
	struct tool *t;
	struct attest *a;		/* the replay's buffers, reused per device */
	const struct policy *p;
	struct spdm_trust *trust;
	const char *trust_desc;
	const char *file;
	unsigned devices, differ;
	unsigned by_kind[VERDICT_UNTRUSTED_PATH + 1];	/* derived verdicts */
};

/* The evidence a node or an array element holds: absent when the object
 * has neither the replay's policy nor its messages (an unreachable device
 * has nothing to replay). */
static bool has_evidence(struct json_object *ev)
{
	return json_object_is_type(ev, json_type_object) &&
	       (json_object_object_get_ex(ev, "policy", NULL) ||
		json_object_object_get_ex(ev, "messages", NULL));
}

/* One evidence: replayed, then appraised. *derived: the replay's document
 * (NULL when nothing was replayed). */
static int derive(struct vctx *c, const char *label, struct json_object *ev,
		  struct verdict *v, struct json_object **derived)
{
	struct attest *a = c->a;
	struct verifier_policy vp;
	struct spdm_req *req = NULL;
	struct msglog log = { 0 };
	struct jin j = { .ctx = c->t->ctx, .doc = label };
	uint8_t align = 1;
	int rc;

	*derived = NULL;
	memset(a, 0, sizeof(*a));
	a->t = c->t;
	a->trust = c->trust;
	a->trust_desc = c->trust_desc;
	spdm_req_policy_init(&a->pol);
	snprintf(a->name, sizeof(a->name), "%s", label);
	snprintf(a->via, sizeof(a->via), "evidence replay");
	/* the replay requires nothing; freshness (--nonce) stays a hard check:
	 * stale evidence says nothing about the device now */
	verifier_policy_init(&vp);
	vp.meas_mode = SPDM_MEAS_NONE;
	vp.allow_unsigned = true;
	vp.nonce = c->p->vp.nonce;
	rc = evidence_check(a, &vp, &j, ev, &log, &align, &req);
	if (!req) {
		rc = verdict_add(v, CHECK_EVIDENCE, "evidence that can be replayed",
				 doe_ctx_errmsg(c->t->ctx), NULL);
	} else {
		*derived = attest_doc(a, spdm_req_result(req), rc, &log, align, false);
		rc = *derived ? appraise(c->t->ctx, c->p, *derived, v) : -ENOMEM;
		spdm_req_fini(req);
	}
	msglog_free(&log);
	return rc;
}

/* The file's "verdict" (if any) against the derived one. */
static void compare_recorded(struct vctx *c, const char *label, struct json_object *o,
			     const struct verdict *v)
{
	struct json_object *rv;
	enum verdict_kind k;
	char esc[TOOL_ESC_SIZE(96)];

	if (!json_object_object_get_ex(o, "verdict", &rv))
		return;
	if (!json_object_is_type(rv, json_type_string) ||
	    verdict_parse(json_object_get_string(rv), &k)) {
		fprintf(stderr, "%s: %s: %s: verdict: not one doe writes\n", c->t->prog, c->file,
			tool_esc(esc, sizeof(esc), label));
		c->differ++;
		return;
	}
	if (k != v->kind) {
		fprintf(stderr, "%s: %s: %s: verdict: the file says %s, the verifier derives %s\n",
			c->t->prog, c->file, tool_esc(esc, sizeof(esc), label), verdict_name(k),
			verdict_name(v->kind));
		c->differ++;
	}
}

static void count(struct vctx *c, const struct verdict *v)
{
	c->devices++;
	if (v->kind <= VERDICT_UNTRUSTED_PATH)
		c->by_kind[v->kind]++;
}

static void print_device(const char *name, const struct verdict *v, unsigned depth)
{
	char esc[TOOL_ESC_SIZE(96)];

	char indent[80];

	printf("%*s%-*s %s\n", 2 * (int)depth, "", depth < 13 ? 26 - 2 * (int)depth : 0,
	       tool_esc(esc, sizeof(esc), name), verdict_name(v->kind));
	snprintf(indent, sizeof(indent), "%*s", 2 * (int)depth + 4, "");
	verdict_print(v, indent);
}

/* One flat evidence object (a file of one device, or an array element):
 * the derived document with its verdict, for -j. */
static int verify_flat(struct vctx *c, const char *label, struct json_object *ev,
		       struct json_object **out)
{
	struct json_object *derived = NULL;
	struct verdict v;
	const char *name = label;
	int rc;

	TRY(verdict_init(&v));
	if (!has_evidence(ev)) {
		struct jin j = { .ctx = c->t->ctx, .doc = label };

		/* what the attester called it, if anything: shown escaped */
		if (jin_str(&j, ev, "", "device", JIN_OPT, 95, &name) <= 0)
			name = label;
		rc = verdict_unreachable(&v, "no evidence recorded");
	} else {
		rc = derive(c, label, ev, &v, &derived);
		if (rc == 0 && derived)
			name = c->a->name;	/* as the file names it, once checked */
	}
	if (rc == 0) {
		compare_recorded(c, label, ev, &v);
		count(c, &v);
		if (!derived) {
			derived = json_object_new_object();
			json_object_object_add(derived, "device", json_object_new_string(name));
		}
		if (c->t->json)
			verdict_to_json(&v, derived);
		else
			print_device(name, &v, 0);
		*out = derived;
		derived = NULL;
	}
	json_object_put(derived);
	verdict_fini(&v);
	return rc;
}

/* ---- bundles ---- */

struct above {
	const char *port;		/* the highest node above that is not authorized */
	enum verdict_kind kind;
};

static int verify_node(struct vctx *c, const struct jin *j, struct json_object *node,
		       const char *path, unsigned depth, const struct above *up,
		       struct json_object *out_arr);

static int verify_children(struct vctx *c, const struct jin *j, struct json_object *o,
			   const char *path, const char *key, unsigned depth,
			   const struct above *up, struct json_object *out_arr)
{
	struct json_object *arr;
	char cp[256];
	size_t n;
	int rc = jin_arr(j, o, path, key, path[0] ? JIN_OPT : JIN_REQ, MAX_DEVICES, &arr, &n);

	if (rc <= 0)
		return rc;
	jin_path(cp, sizeof(cp), path, key, 0);
	for (size_t i = 0; i < n; i++) {
		struct json_object *node;
		char np[256];

		TRY(jin_at_obj(j, arr, cp, i, &node));
		TRY(verify_node(c, j, node, jin_path(np, sizeof(np), cp, NULL, i), depth, up,
				out_arr));
	}
	return 0;
}

static int verify_node(struct vctx *c, const struct jin *j, struct json_object *node,
		       const char *path, unsigned depth, const struct above *up,
		       struct json_object *out_arr)
{
	static const char *const known[] = {
		"device", "verdict", "reasons", "evidence", "children", NULL
	};
	struct json_object *ev = NULL, *derived = NULL, *out, *kids;
	const char *name;
	struct verdict v;
	struct above below;
	char label[300];
	int rc;

	if (depth > 32)
		return doe_err(c->t->ctx, -EINVAL, "%s: %s: nested deeper than 32 levels", j->doc,
			       path);
	TRY(jin_only(j, node, path, known));
	TRY(jin_str(j, node, path, "device", JIN_REQ, 95, &name));
	/* the recorded verdict and reasons: their types only; never used */
	TRY(jin_str(j, node, path, "verdict", JIN_REQ, 32, &(const char *){ NULL }));
	TRY(jin_arr(j, node, path, "reasons", JIN_REQ, 4096, &kids, &(size_t){ 0 }));
	if (!json_object_object_get_ex(node, "evidence", &ev))
		return doe_err(c->t->ctx, -EINVAL, "%s: %s.evidence: missing (null: none)", j->doc,
			       path);
	if (ev && !json_object_is_type(ev, json_type_object))
		return doe_err(c->t->ctx, -EINVAL, "%s: %s.evidence: expected an object or null",
			       j->doc, path);
	TRY(verdict_init(&v));
	snprintf(label, sizeof(label), "%s.evidence", path);
	rc = has_evidence(ev) ? derive(c, label, ev, &v, &derived)
			      : verdict_unreachable(&v, "no evidence recorded");
	below = *up;
	if (rc == 0 && !up->port && v.kind != VERDICT_AUTHORIZED) {
		below.port = name;	/* the subtree hangs on this port */
		below.kind = v.kind;
	} else if (rc == 0 && up->port) {
		rc = verdict_untrusted_path(&v, up->port, up->kind);
	}
	if (rc) {
		json_object_put(derived);
		verdict_fini(&v);
		return rc;
	}
	compare_recorded(c, name, node, &v);
	count(c, &v);
	out = bundle_node_new(name, &v, derived, &kids);
	json_object_array_add(out_arr, out);
	if (!c->t->json)
		print_device(name, &v, depth);
	verdict_fini(&v);
	return verify_children(c, j, node, path, "children", depth + 1, &below, kids);
}

static int verify_bundle(struct vctx *c, const struct jin *j, struct json_object *doc,
			 struct json_object **out)
{
	static const char *const known[] = { "doekit_bundle", "scope", "summary", "devices", NULL };
	const char *kinds[VERDICT_UNTRUSTED_PATH + 2] = { NULL };
	struct json_object *arr = json_object_new_array(), *sum = NULL;
	struct above top = { 0 };
	uint64_t ver;
	int rc;

	*out = NULL;
	for (int k = VERDICT_AUTHORIZED; k <= VERDICT_UNTRUSTED_PATH; k++)
		kinds[k] = verdict_name((enum verdict_kind)k);	/* the summary's members */
	rc = jin_only(j, doc, "", known);
	if (rc == 0)
		rc = jin_u64(j, doc, "", "doekit_bundle", JIN_REQ, BUNDLE_VERSION, BUNDLE_VERSION, &ver) < 0 ? -EINVAL : 0;
	/* doe attest --topology adds where it looked and what it found:
	 * the scope is a name, the summary a claim checked below */
	if (rc == 0)
		rc = jin_str(j, doc, "", "scope", JIN_OPT, 64, &(const char *){ NULL }) < 0 ? -EINVAL : 0;
	if (rc == 0 && jin_obj(j, doc, "", "summary", JIN_OPT, &sum) > 0)
		rc = jin_only(j, sum, "summary", kinds);
	if (rc == 0)
		rc = verify_children(c, j, doc, "", "devices", 0, &top, arr);
	for (int k = 0; rc == 0 && sum && kinds[k]; k++) {
		uint64_t n = 0;

		rc = jin_u64(j, sum, "summary", kinds[k], JIN_REQ, 0, MAX_DEVICES, &n) < 0 ? -EINVAL
											: 0;
		if (rc == 0 && n != c->by_kind[k]) {
			fprintf(stderr, "%s: %s: summary.%s: recorded %llu, derived %u\n", c->t->prog,
				j->doc, kinds[k], (unsigned long long)n, c->by_kind[k]);
			c->differ++;
		}
	}
	if (rc) {
		json_object_put(arr);
		return rc;
	}
	*out = bundle_new(arr);
	return 0;
}

int verify_with_policy(struct tool *t, struct attest *a, const struct policy *p,
		       const char *file)
{
	struct vctx c = { .t = t, .a = a, .p = p, .trust = a->trust,
			  .trust_desc = a->trust_desc, .file = file };
	struct jin j = { .ctx = t->ctx, .doc = file, .array_ok = true };
	struct json_object *doc, *out = NULL;
	int rc;

	rc = jin_load(&j, file, VERIFY_MAX_DOC, &doc);
	if (rc) {
		tool_fail(t, rc, NULL);
		return rc == -EINVAL ? EXIT_FAIL : EXIT_USAGE;
	}
	if (json_object_is_type(doc, json_type_array)) {
		size_t n = json_object_array_length(doc);

		out = json_object_new_array();
		for (size_t i = 0; rc == 0 && i < n; i++) {
			struct json_object *ev, *o = NULL;
			char label[64];

			snprintf(label, sizeof(label), "%s[%zu]", file, i);
			rc = jin_at_obj(&j, doc, "", i, &ev);
			if (rc >= 0)
				rc = verify_flat(&c, label, ev, &o);
			if (o)
				json_object_array_add(out, o);
		}
	} else if (json_object_object_get_ex(doc, "doekit_bundle", NULL)) {
		rc = verify_bundle(&c, &j, doc, &out);
	} else {
		rc = verify_flat(&c, file, doc, &out);
	}
	json_object_put(doc);
	if (rc) {
		json_object_put(out);
		tool_fail(t, rc, NULL);
		return EXIT_FAIL;	/* the document is not what doe attest writes */
	}
	if (t->json)
		tool_print_json(out);
	json_object_put(out);
	if (c.differ)
		fprintf(stderr, "%s: %s: %u recorded verdict%s differ%s from the derived one%s\n",
			t->prog, file, c.differ, c.differ == 1 ? "" : "s", c.differ == 1 ? "s" : "",
			c.differ == 1 ? "" : "s");
	return c.devices && c.by_kind[VERDICT_AUTHORIZED] == c.devices && !c.differ ? EXIT_OK : EXIT_FAIL;
}
