// SPDX-License-Identifier: MIT
/*
 * The CDAT parser, encoder and JSON converter on arbitrary bytes.
 *
 * What is guaranteed, and checked:
 *  - cdat_parse() fails only below 16 bytes (-EBADMSG) or above the size
 *    limit (-E2BIG); otherwise every problem is a finding inside the input;
 *  - every parsed table encodes (undecoded structures keep their bytes);
 *  - a consistent table (header length = bytes, checksum right, structures
 *    filling the table) encodes back byte for byte, whatever its other
 *    errors;
 *  - JSON and back gives the same encoding;
 *  - the path helpers accept whatever was parsed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cdat.h>
#include <doekit/ctx.h>
#include "cdat_json.h"
#include "jin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_findings(const struct cdat_table *t, size_t size)
{
	if (t->n_findings > CDAT_MAX_FINDINGS || t->n_errors + t->n_warnings < t->n_findings)
		__builtin_trap();
	for (size_t i = 0; i < t->n_findings; i++) {
		if (t->findings[i].offset > size || !t->findings[i].msg[0])
			__builtin_trap();
		if (i && t->findings[i].offset < t->findings[i - 1].offset)
			__builtin_trap();
		if (t->findings[i].index >= (int)t->n_structs + 1)
			__builtin_trap();
	}
}

static void json_round_trip(struct doe_ctx *ctx, const struct cdat_table *t, const uint8_t *bin,
			    size_t len)
{
	const struct jin j = { .ctx = ctx, .doc = "fuzz" };
	struct json_object *o = cdat_table_to_json(t);
	struct cdat_table *back = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;

	if (!o)
		return;
	if (cdat_table_from_json(&j, o, &back) || cdat_encode_alloc(ctx, back, &out, &out_len) ||
	    out_len != len || memcmp(out, bin, len))
		__builtin_trap();
	free(out);
	cdat_table_free(back);
	json_object_put(o);
}

static void path(const struct cdat_table *t)
{
	struct cdat_perf p, acc = { 0 };

	for (size_t i = 0; i < t->n_structs; i++) {
		if (t->structs[i].decoded && t->structs[i].type == CDAT_DSMAS) {
			if (cdat_dsmas_perf(t, t->structs[i].u.dsmas.dsmad_handle, &p))
				__builtin_trap();
			cdat_perf_add_hop(&acc, &p);
		}
	}
	for (uint16_t port = 0; port < 4; port++) {
		if (cdat_switch_perf(t, CDAT_SSLBIS_PORT_USP, port, &p) < 0)
			__builtin_trap();
		cdat_perf_add_hop(&acc, &p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdat_table *t = NULL;
	struct doe_ctx *ctx;
	uint8_t *out = NULL;
	size_t out_len = 0, total = CDAT_HEADER_LEN;
	int rc;

	if (doe_ctx_new(&ctx))
		return 0;
	rc = cdat_parse(ctx, data, size, &t);
	if (size < CDAT_HEADER_LEN || size > CDAT_MAX_TABLE_LEN) {
		if (rc != (size < CDAT_HEADER_LEN ? -EBADMSG : -E2BIG) || t)
			__builtin_trap();
		goto out;
	}
	if (rc == -ENOMEM)
		goto out;
	if (rc || !t)
		__builtin_trap();
	check_findings(t, size);
	for (size_t i = 0; i < t->n_structs; i++)
		total += t->structs[i].length;
	if (cdat_encode_alloc(ctx, t, &out, &out_len))
		__builtin_trap();
	if (t->checksum_ok && t->hdr.length == size && total == size &&
	    (out_len != size || memcmp(out, data, size)))
		__builtin_trap();
	json_round_trip(ctx, t, out, out_len);
	path(t);
out:
	free(out);
	cdat_table_free(t);
	doe_ctx_free(ctx);
	return 0;
}
