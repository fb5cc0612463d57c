// SPDX-License-Identifier: MIT
/*
 * doe attest --policy FILE: each device's evidence appraised (appraise.c)
 * and reported with its verdict. The evidence is the document doe attest
 * -j writes anyway; the verdict and its reasons are added to it, so a
 * saved report can be re-appraised offline (doe verify-evidence --policy).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "appraise.h"
#include "attest.h"
#include "internal.h"

/* One line per device in a multi-device run, the reasons below it. */
static void print_summary(const char *name, const struct verdict *v)
{
	char esc[TOOL_ESC_SIZE(64)];

	printf("%-26s %s\n", tool_esc(esc, sizeof(esc), name), verdict_name(v->kind));
	verdict_print(v, "    ");
}

/* Emits the report (object o, may be NULL for no evidence) and returns the
 * exit code: 0 only for authorized. */
static int emit(struct attest *a, struct json_object *o, const struct verdict *v)
{
	if (a->t->json) {
		if (!o) {
			o = json_object_new_object();
			json_object_object_add(o, "device", json_object_new_string(a->name));
		}
		verdict_to_json(v, o);
		if (a->collect) {
			json_object_array_add(a->collect, o);
			o = NULL;
		} else {
			tool_print_json(o);
		}
	} else if (a->summary) {
		print_summary(a->name, v);
	}
	json_object_put(o);
	return v->kind == VERDICT_AUTHORIZED ? EXIT_OK : EXIT_FAIL;
}

int attest_policy_report(struct attest *a, struct spdm_req *req, int rc)
{
	const struct spdm_result *r = spdm_req_result(req);
	struct json_object *o;
	struct verdict v;
	int code;

	if (verdict_init(&v))
		return tool_fail(a->t, doe_err(a->t->ctx, -ENOMEM, "out of memory"), NULL);
	o = attest_doc(a, r, rc, &a->tap.log, a->tap.ops.align, !a->tap.log_failed);
	if (a->tap.log_failed)	/* the evidence says it cannot be replayed */
		json_object_object_add(o, "messages", NULL);
	if (rc && appraise_unreachable_rc(rc))
		code = verdict_unreachable(&v, doe_ctx_errmsg(a->t->ctx));
	else
		code = appraise(a->t->ctx, a->policy, o, &v);
	if (code) {
		json_object_put(o);
		verdict_fini(&v);
		return tool_fail(a->t, doe_err(a->t->ctx, code, "out of memory"), NULL);
	}
	if (!a->t->json && !a->summary) {
		struct chain_cert certs[MAX_CHAIN_CERTS];
		int nc = result_certs(a, r, certs);
		const char *why;
		bool ok = attest_verdict(a, r, rc, &why);

		attest_print_text(a, r, ok, rc ? doe_ctx_errmsg(a->t->ctx) : why, certs, nc);
		printf("  appraisal      %s\n", verdict_name(v.kind));
		verdict_print(&v, "    ");
	}
	code = emit(a, o, &v);
	verdict_fini(&v);
	return code;
}

int attest_policy_unreachable(struct attest *a, const char *spec, const char *why)
{
	struct verdict v;
	int code;

	if (verdict_init(&v) || verdict_unreachable(&v, why)) {
		verdict_fini(&v);
		return tool_fail(a->t, doe_err(a->t->ctx, -ENOMEM, "out of memory"), NULL);
	}
	snprintf(a->name, sizeof(a->name), "%s", spec);
	if (!a->t->json && !a->summary) {
		char esc[TOOL_ESC_SIZE(96)];

		printf("%s: appraisal %s\n", tool_esc(esc, sizeof(esc), a->name),
		       verdict_name(v.kind));
		verdict_print(&v, "    ");
	}
	code = emit(a, NULL, &v);
	verdict_fini(&v);
	return code;
}
