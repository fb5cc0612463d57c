// SPDX-License-Identifier: MIT
/*
 * --emu-spdm BDF=FILE.json: how an emulated function's SPDM responder
 * behaves. The file (all members optional):
 *   { "asym": "ecdsa-p256", "versions": ["1.2", "1.3"],
 *     "measurements": [ { "index": 1, "type": 1, "raw": false,
 *                         "value": "HEX" | "text": "..." } ],
 *     "not_ready": N, "busy": N, "corrupt_signature": true }
 */
#include <errno.h>
#include <string.h>

#include <doekit/spdm.h>
#include "attest.h"
#include "internal.h"

#define MAX_MEAS 16
#define MAX_MEAS_BYTES 256

static int member_uint(struct doe_ctx *ctx, struct json_object *o, const char *key,
		       const char *where, uint64_t max, uint64_t *out)
{
	struct json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return doe_err(ctx, -EINVAL, "%s%s: not an integer", where, key);
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x > max)
		return doe_err(ctx, -EINVAL, "%s%s: %lld is out of range 0..%llu", where, key,
			       (long long)x, (unsigned long long)max);
	*out = (uint64_t)x;
	return 1;
}

static int parse_meas(struct doe_ctx *ctx, struct json_object *arr, struct spdm_meas_value *m,
		      uint8_t (*bytes)[MAX_MEAS_BYTES], size_t *n)
{
	size_t len = json_object_array_length(arr);

	if (len > MAX_MEAS)
		return doe_err(ctx, -EINVAL, "measurements: at most %d", MAX_MEAS);
	for (size_t i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		char where[32];
		uint64_t x;
		const char *s;
		size_t sl;

		snprintf(where, sizeof(where), "measurements[%zu].", i);
		if (!json_object_is_type(o, json_type_object))
			return doe_err(ctx, -EINVAL, "measurements[%zu]: not an object", i);
		memset(&m[i], 0, sizeof(m[i]));
		x = i + 1;
		TRY(member_uint(ctx, o, "index", where, 0xFE, &x));
		m[i].index = (uint8_t)x;
		x = 1;
		TRY(member_uint(ctx, o, "type", where, 0x7F, &x));
		m[i].type = (uint8_t)x;
		if (json_object_object_get_ex(o, "raw", &v))
			m[i].raw_only = json_object_get_boolean(v);
		if (json_object_object_get_ex(o, "text", &v)) {
			s = json_object_get_string(v);
			sl = strlen(s);
			if (sl > MAX_MEAS_BYTES)
				return doe_err(ctx, -EINVAL, "%stext: longer than %d bytes", where,
					       MAX_MEAS_BYTES);
			memcpy(bytes[i], s, sl);
		} else if (json_object_object_get_ex(o, "value", &v)) {
			if (hex_decode(json_object_get_string(v), bytes[i], MAX_MEAS_BYTES, &sl))
				return doe_err(ctx, -EINVAL, "%svalue: not hex of at most %d bytes",
					       where, MAX_MEAS_BYTES);
		} else {
			return doe_err(ctx, -EINVAL, "%svalue: missing (or give text)", where);
		}
		m[i].value = bytes[i];
		m[i].value_size = (uint16_t)sl;
	}
	*n = len;
	return 0;
}

static int parse_versions(struct doe_ctx *ctx, struct json_object *arr, uint8_t *mask)
{
	static const char *const v[] = { "1.0", "1.1", "1.2", "1.3" };

	*mask = 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
		int k;

		for (k = 0; k < 4 && strcmp(s ? s : "", v[k]); k++)
			;
		if (k == 4)
			return doe_err(ctx, -EINVAL, "versions[%zu]: '%s' is not 1.0-1.3", i,
				       s ? s : "");
		*mask |= (uint8_t)(1u << k);
	}
	return 0;
}

int emu_spdm_apply(struct tool *t, struct emu_fn *fn, struct json_object *o)
{
	struct spdm_meas_value meas[MAX_MEAS];	/* emu_fn_set_spdm() copies them */
	uint8_t bytes[MAX_MEAS][MAX_MEAS_BYTES];
	struct emu_spdm_opts opts = { 0 };
	struct json_object *v;
	uint64_t x;

	if (!json_object_is_type(o, json_type_object))
		return doe_err(t->ctx, -EINVAL, "not a JSON object");
	if (json_object_object_get_ex(o, "asym", &v) &&
	    asym_parse(json_object_get_string(v), &opts.asym_algo))
		return doe_err(t->ctx, -EINVAL, "asym: '%s' is not an algorithm doe attest knows",
			       json_object_get_string(v));
	if (json_object_object_get_ex(o, "versions", &v))
		TRY(parse_versions(t->ctx, v, &opts.versions));
	if (json_object_object_get_ex(o, "measurements", &v)) {
		TRY(parse_meas(t->ctx, v, meas, bytes, &opts.meas_count));
		opts.meas = meas;
	}
	if (member_uint(t->ctx, o, "not_ready", "", 1000000, &x) > 0)
		opts.not_ready_count = (unsigned)x;
	if (member_uint(t->ctx, o, "busy", "", 1000000, &x) > 0)
		opts.busy_count = (unsigned)x;
	if (json_object_object_get_ex(o, "corrupt_signature", &v))
		opts.corrupt_signature = json_object_get_boolean(v);
	return emu_fn_set_spdm(fn, &opts);
}
