// SPDX-License-Identifier: MIT
/*
 * doe verify-evidence on any bytes: the evidence JSON goes through the JSON
 * input layer (jin), its replay inputs are read, the requester replays the
 * log (the chain anchored at its own root), the result is held against a
 * verifier policy and every claim against the derived document. Nothing in
 * a hostile file may crash, hang or leak; a replay that "verifies" must
 * have used every message.
 *
 * Most random bytes are not JSON, and most JSON is not evidence: the
 * custom mutator below parses the input as JSON when it can and mutates
 * the values and types of its members, so the fuzzer spends its time past
 * the parser, inside the checks.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include "attest.h"
#include "jin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct attest a;	/* large buffers; cleared each run */
	struct tool t = { .prog = "fuzz" };
	struct verifier_policy vp;
	struct json_object *ev;
	struct msglog log = { 0 };
	struct spdm_req *req = NULL;
	struct jin j;
	uint8_t align;
	int rc;

	if (size > 256 * 1024 || doe_ctx_new(&t.ctx))
		return 0;
	j = (struct jin){ .ctx = t.ctx, .doc = "evidence" };
	memset(&a, 0, sizeof(a));
	a.t = &t;
	spdm_req_policy_init(&a.pol);
	verifier_policy_init(&vp);
	/* the most permissive verifier: every check past the policy runs */
	vp.meas_mode = SPDM_MEAS_NONE;
	vp.allow_unsigned = true;
	if (jin_parse(&j, (const char *)data, size, &ev) == 0) {
		rc = evidence_check(&a, &vp, &j, ev, &log, &align, &req);
		if (rc == 0 && !req)
			abort();	/* "verified" without a replay */
		if (req) {
			/* the report is built from whatever the replay reached */
			struct json_object *o = attest_doc(&a, spdm_req_result(req), rc, &log, align,
							   false);

			json_object_put(o);
			spdm_req_fini(req);
		}
		msglog_free(&log);
		json_object_put(ev);
	}
	doe_ctx_free(t.ctx);
	return 0;
}
