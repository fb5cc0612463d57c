// SPDX-License-Identifier: MIT
/*
 * The CDAT JSON reader (doe cdat --encode, --emu-cdat) on any bytes: what
 * it accepts must encode, and the encoding must parse back with the same
 * number of structures.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <doekit/cdat.h>
#include "cdat_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	struct cdat_table *t = NULL, *back = NULL;
	uint8_t *bin = NULL;
	size_t len;

	if (!tok)
		return 0;
	obj = json_tokener_parse_ex(tok, (const char *)data, (int)(size > 1 << 20 ? 1 << 20 : size));
	json_tokener_free(tok);
	if (obj && cdat_table_from_json(NULL, obj, &t) == 0) {
		if (cdat_encode_alloc(NULL, t, &bin, &len) == 0) {
			if (cdat_parse(NULL, bin, len, &back) != 0 || back->n_structs != t->n_structs)
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
