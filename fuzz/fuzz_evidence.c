// SPDX-License-Identifier: MIT
/*
 * doe verify-evidence on any bytes: the evidence JSON (policy, nonce,
 * message log) is parsed and the requester replays the log, with the
 * chain anchored at its own root. Nothing in a hostile file may crash,
 * hang or leak; a replay that "verifies" must have used every message.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include "attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct attest a;	/* large buffers; cleared each run */
	struct tool t = { .prog = "fuzz" };
	struct json_tokener *tok;
	struct json_object *ev;
	struct msglog log = { 0 };
	struct json_object *v;
	struct spdm_req *req;
	struct replay rp;
	uint8_t align;

	if (size > 256 * 1024 || doe_ctx_new(&t.ctx))
		return 0;
	tok = json_tokener_new();
	ev = tok ? json_tokener_parse_ex(tok, (const char *)data, (int)size) : NULL;
	json_tokener_free(tok);
	memset(&a, 0, sizeof(a));
	a.t = &t;
	spdm_req_policy_init(&a.pol);
	if (ev && evidence_load_policy(&a, ev, &align) == 0 &&
	    json_object_object_get_ex(ev, "messages", &v) &&
	    msglog_from_json(t.ctx, v, &log) == 0) {
		a.pol.nonce = a.nonce;
		a.pol.chain_buf = a.chain;
		a.pol.chain_cap = sizeof(a.chain);
		a.pol.meas_buf = a.meas;
		a.pol.meas_cap = sizeof(a.meas);
		a.pol.max_rsp_size = sizeof(a.rsp);
		a.pol.busy_retries = 2;
		if (spdm_req_init(a.mem, sizeof(a.mem), t.ctx, &a.pol, &req) == 0) {
			replay_init(&rp, t.ctx, &log, align);
			if (spdm_req_run(req, &rp.ops, &rp, a.rsp, sizeof(a.rsp), 0) == 0 &&
			    rp.next > log.n)
				abort();
			spdm_req_fini(req);
		}
	}
	msglog_free(&log);
	json_object_put(ev);
	doe_ctx_free(t.ctx);
	return 0;
}
