// SPDX-License-Identifier: MIT
/*
 * The doe CLI's untrusted-text helpers on any bytes: tool_escape() must
 * leave nothing but printable ASCII and say the length it wrote;
 * tool_json_untrusted() must serialize to JSON that json-c parses back,
 * with no control byte and the same value wherever the input was UTF-8;
 * opt_uint() must accept exactly the canonical decimal numbers in range.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include "tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escape(const char *in, size_t len)
{
	size_t cap = TOOL_ESC_SIZE(len), n;
	char *out = malloc(cap);

	if (!out)
		return;
	n = tool_escape(in, len, out, cap);
	if (n != strlen(out) || n >= cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			abort();
	free(out);
}

static void check_json(const char *in, size_t len)
{
	struct json_object *o = tool_json_untrusted(in, len), *back;
	const char *text;

	if (!o)
		return;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
	back = json_tokener_parse(text);
	if (!back || !json_object_is_type(back, json_type_string))
		abort();
	/* no byte replaced: the value comes back as it went in */
	if (!strstr(text, "\\ufffd") &&
	    ((size_t)json_object_get_string_len(back) != len ||
	     memcmp(json_object_get_string(back), in, len)))
		abort();
	json_object_put(back);
	json_object_put(o);
}

static void check_uint(const char *in, size_t len)
{
	char *s = malloc(len + 1), again[24];
	uint64_t v = 0, max = len ? (uint8_t)in[0] * 1000003ull : 7;

	if (!s)
		return;
	memcpy(s, in, len);
	s[len] = '\0';
	if (opt_uint(s, 0, max, &v) == 0) {
		/* accepted: canonical decimal in range, nothing else */
		snprintf(again, sizeof(again), "%" PRIu64, v);
		if (v > max || strcmp(again, s))
			abort();
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;

	if (size > 64 * 1024)
		return 0;
	check_escape(in, size);
	check_json(in, size);
	check_uint(in, size);
	return 0;
}
