// SPDX-License-Identifier: MIT
/*
 * doe --policy FILE on any bytes: the file is read as doe reads it
 * (jin_parse(), then policy_parse()). Whatever it says, nothing may crash,
 * hang or leak; what is accepted is then used: the policy appraises a
 * fixed evidence document (a verified device with a CMA SAN, a leaf and
 * measurements), which must give a verdict without error. Trust files
 * are never opened (policy_parse() names them only).
 */
#include <stdlib.h>
#include <string.h>

#include "appraise.h"
#include "jin.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct doe_ctx *ctx;
static struct json_object *ev;

static void setup(void)
{
	if (doe_ctx_new(&ctx))
		abort();
	ev = json_tokener_parse(
		"{\"device\": \"emu/0000:0f:00.0\", \"verified\": true, \"version\": \"1.2\","
		" \"base_asym_algo\": \"ECDSA-P384\", \"base_hash_algo\": \"SHA-384\","
		" \"trust\": \"root.pem\", \"chain_verified\": true,"
		" \"cma_san\": \"Vendor=8086:Device=0d93:CC=050210:REV=00:SSVID=0000:SSID=0000\","
		" \"certificate_chain\": [], \"certificate_chain_spdm\": \"00\","
		" \"challenge_verified\": true, \"measurements\": ["
		"  {\"index\": 1, \"raw\": false, \"value\": \"" "00112233445566778899aabbccddeeff"
		"00112233445566778899aabbccddeeff\"},"
		"  {\"index\": 3, \"raw\": true, \"value\": \"312e322e33\", \"text\": \"1.2.3\"}],"
		" \"measurements_signed\": true, \"measurements_verified\": true,"
		" \"measurements_authenticated\": true, \"policy\": {\"measurements\": \"all\"}}");
	if (!ev)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jin j = { .doc = "policy.json" };
	struct json_object *o;
	struct policy *p;
	struct verdict v;

	if (!ctx)
		setup();
	j.ctx = ctx;
	if (size > POLICY_MAX_BYTES)	/* what --policy reads at most */
		return 0;
	if (jin_parse(&j, (const char *)data, size, &o))
		return 0;
	if (policy_parse(&j, o, "/etc/doekit", &p) == 0) {
		if (verdict_init(&v) || appraise(ctx, p, ev, &v))
			abort();	/* only out of memory may fail */
		verdict_fini(&v);
		policy_free(p);
	}
	json_object_put(o);
	return 0;
}
