// SPDX-License-Identifier: MIT
/*
 * The CDAT JSON reader (doe cdat --encode, --emu-cdat) on any bytes, read
 * as doe reads it (jin_parse, then cdat_table_from_json): what it accepts
 * must encode, and the encoding must parse back with the same number of
 * structures.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <doekit/cdat.h>
#include "cdat_json.h"
#include "jin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct doe_ctx *ctx;	/* messages are built too: they index paths */
	struct json_object *obj = NULL;
	struct cdat_table *t = NULL, *back = NULL;
	uint8_t *bin = NULL;
	size_t len;

	struct jin j;

	if (size > JIN_MAX_CDAT_JSON)	/* what doe reads at most */
		return 0;
	if (!ctx && doe_ctx_new(&ctx))
		abort();
	j = (struct jin){ .ctx = ctx, .doc = "fuzz.json" };
	if (jin_parse(&j, (const char *)data, size, &obj) == 0 &&
	    cdat_table_from_json(&j, obj, &t) == 0) {
		if (cdat_encode_alloc(ctx, t, &bin, &len) == 0) {
			if (cdat_parse(ctx, bin, len, &back) != 0 || back->n_structs != t->n_structs)
				abort();
			/* and the JSON of it must be writable */
			json_object_put(cdat_table_to_json(back));
		}
	}
	cdat_table_free(back);
	cdat_table_free(t);
	free(bin);
	json_object_put(obj);
	return 0;
}
