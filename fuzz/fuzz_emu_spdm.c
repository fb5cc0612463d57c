// SPDX-License-Identifier: MIT
/*
 * doe --emu-spdm BDF=FILE.json on any bytes: the file is read as doe reads
 * it (jin_parse, then emu_spdm_apply() on the CMA function 0f:00.0 of the
 * default emulated topology). Whatever the file says, nothing may crash,
 * hang or leak, and what is accepted must give a working responder: a
 * requester then asks it for VERSION..MEASUREMENTS over its DOE mailbox,
 * which must not crash on any configuration the reader let through.
 *
 * The topology lives across runs (making one per input would dominate
 * the time); emu_spdm_apply() sets every knob on each run, so one input
 * does not leak into the next, except the signing algorithm, which is
 * put back to ECDSA P-384 after an input that changed it so that RSA key
 * generation (seconds) is paid only by inputs that ask for RSA, and those
 * are applied but not run.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <doekit/emu.h>
#include <doekit/spdm.h>
#include "jin.h"
#include "tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct doe_ctx *ctx;
static struct emu_topo *topo;
static struct emu_fn *fn;
static struct doe_mb *mb;

static void setup(void)
{
	struct tool t = { .prog = "fuzz" };
	struct doe_cfg *cfg;
	struct doe_bdf bdf;

	if (doe_ctx_new(&ctx) || emu_topo_new(ctx, NULL, &topo) ||
	    doe_bdf_parse("0f:00.0", &bdf) || !(fn = emu_topo_find(topo, &bdf)) ||
	    emu_fn_cfg_open(fn, &cfg))
		abort();
	t.ctx = ctx;
	if (tool_find_mailbox(&t, cfg, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, &mb))
		abort();
	/* cfg stays open for mb; both live as long as the process */
}

/* VERSION, CAPABILITIES, ALGORITHMS, certificate chain and every
 * measurement, unsigned, no CHALLENGE: the responder's use of the
 * measurements and knobs, at the least signing cost. */
static void attest(void)
{
	static _Alignas(16) uint8_t mem[SPDM_REQUESTER_CTX_SIZE];
	static uint8_t chain[65536], meas[8192], rsp[65536];
	static const uint8_t nonce[32] = { 7 };
	struct spdm_req_policy pol;
	struct spdm_req *req;

	spdm_req_policy_init(&pol);
	pol.chain_buf = chain;
	pol.chain_cap = sizeof(chain);
	pol.meas_buf = meas;
	pol.meas_cap = sizeof(meas);
	pol.max_rsp_size = sizeof(rsp);
	pol.nonce = nonce;
	pol.skip_challenge = true;
	pol.meas_signed = false;
	pol.meas_mode = SPDM_MEAS_ALL;
	pol.rsp_align = 4;	/* DOE pads to a DW */
	/* a file may ask for a million Busy answers: give up after a few */
	pol.busy_retries = 2;
	pol.not_ready_retries = 2;
	if (spdm_req_init(mem, sizeof(mem), ctx, &pol, &req))
		abort();
	spdm_req_run(req, spdm_transport_doe(), mb, rsp, sizeof(rsp), 0);
	spdm_req_fini(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *obj, *asym = NULL;
	bool rsa = false;
	struct jin j;

	if (!topo)
		setup();
	j = (struct jin){ .ctx = ctx, .doc = "fuzz.json" };
	if (size > JIN_MAX_EMU_SPDM)	/* what --emu-spdm reads at most */
		return 0;
	if (jin_parse(&j, (const char *)data, size, &obj))
		return 0;
	if (json_object_object_get_ex(obj, "asym", &asym) &&
	    json_object_is_type(asym, json_type_string))
		rsa = !strncasecmp(json_object_get_string(asym), "rsa", 3);
	if (emu_spdm_apply(&j, fn, obj) == 0 && !rsa)
		attest();
	if (asym)
		emu_fn_set_spdm(fn, &(struct emu_spdm_opts){ .asym_algo = SPDM_ASYM_ECDSA_P384 });
	json_object_put(obj);
	return 0;
}
