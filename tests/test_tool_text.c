// SPDX-License-Identifier: MIT
/*
 * The doe CLI's text helpers: the one integer parser every option uses
 * (opt.c) and the escaping of strings a device or file supplied (escape.c).
 */
#include <errno.h>
#include <stdint.h>

#include "t.h"
#include "tool.h"

static const struct {
	const char *name, *in;
	uint64_t min, max;
	int rc;
	uint64_t want;
} uint_cases[] = {
	{ "zero", "0", 0, 7, 0, 0 },
	{ "upper bound", "7", 0, 7, 0, 7 },
	{ "slot 256 does not wrap to 0", "256", 0, 7, -ERANGE, 0 },
	{ "below min", "0", 1, 254, -ERANGE, 0 },
	{ "hex refused", "0x3", 1, 254, -EINVAL, 0 },
	{ "leading zero refused", "07", 0, 254, -EINVAL, 0 },
	{ "double zero refused", "00", 0, 254, -EINVAL, 0 },
	{ "empty", "", 0, 7, -EINVAL, 0 },
	{ "minus sign", "-1", 0, UINT64_MAX, -EINVAL, 0 },
	{ "plus sign", "+1", 0, 7, -EINVAL, 0 },
	{ "leading blank", " 1", 0, 7, -EINVAL, 0 },
	{ "trailing garbage", "1x", 0, 7, -EINVAL, 0 },
	{ "trailing blank", "1 ", 0, 7, -EINVAL, 0 },
	{ "u64 max", "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX },
	{ "u64 overflow", "18446744073709551616", 0, UINT64_MAX, -ERANGE, 0 },
	{ "2^32 is not 0", "4294967296", 0, 3600000, -ERANGE, 0 },
	{ "timeout max", "3600000", 1, 3600000, 0, 3600000 },
};

static void t_opt_uint(void)
{
	for (size_t i = 0; i < sizeof(uint_cases) / sizeof(uint_cases[0]); i++) {
		uint64_t v = 12345;

		t_case_name = uint_cases[i].name;
		T_EQ(opt_uint(uint_cases[i].in, uint_cases[i].min, uint_cases[i].max, &v),
		     uint_cases[i].rc);
		T_EQ(v, uint_cases[i].rc ? 12345 : uint_cases[i].want);	/* untouched on error */
	}
}

static const struct {
	const char *name, *in;
	size_t len;
	const char *want;
} esc_cases[] = {
	{ "printable ASCII as is", "CN = leaf", 9, "CN = leaf" },
	{ "ESC sequence", "\x1b[2J\x1b[32mVERIFIED", 17, "\\x1b[2J\\x1b[32mVERIFIED" },
	{ "backslash", "a\\x1b", 5, "a\\x5cx1b" },
	{ "DEL and newline", "\x7f\n\r", 3, "\\x7f\\x0a\\x0d" },
	{ "UTF-8 and C1 CSI", "\xc3\xa9\xc2\x9b", 4, "\\xc3\\xa9\\xc2\\x9b" },
	{ "embedded NUL", "a\0b", 3, "a\\x00b" },
};

static void t_escape(void)
{
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		char out[128];

		t_case_name = esc_cases[i].name;
		T_EQ(tool_escape(esc_cases[i].in, esc_cases[i].len, out, sizeof(out)),
		     strlen(esc_cases[i].want));
		T_STREQ(out, esc_cases[i].want);
	}
}

/* A short buffer gets whole escapes only, and the length still says how
 * much the whole text needs. */
static void t_escape_truncated(void)
{
	char out[6];

	T_EQ(tool_escape("ab\x1b" "cd", 5, out, sizeof(out)), 8);
	T_STREQ(out, "ab");
	T_EQ(tool_escape("abcdefgh", 8, out, sizeof(out)), 8);
	T_STREQ(out, "abcde");
	T_EQ(tool_escape("\x1b", 1, NULL, 0), 4);
}

/* tool_fputs_escaped() escapes in slices: an escape never straddles one */
static void t_fputs_escaped(void)
{
	char in[300], buf[2048] = { 0 };
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	for (size_t i = 0; i < sizeof(in) - 1; i++)
		in[i] = i % 3 ? 'a' : '\x1b';
	in[sizeof(in) - 1] = '\0';
	tool_fputs_escaped(in, f);
	fclose(f);
	T_EQ(strlen(buf), 100 * 4 + 199);
	T_TRUE(!strchr(buf, '\x1b'));
	T_TRUE(!strncmp(buf, "\\x1baa\\x1baa", 12));
}

/* JSON of device strings: what json-c leaves raw is escaped too */
static const struct {
	const char *name, *in;
	size_t len;
	const char *want;
} json_cases[] = {
	{ "plain", "CN = leaf", 9, "\"CN = leaf\"" },
	{ "C0 controls", "\x1b[2J\n", 5, "\"\\u001b[2J\\u000a\"" },
	{ "DEL", "a\x7f", 2, "\"a\\u007f\"" },
	{ "C1 CSI U+009B", "\xc2\x9b" "31m", 5, "\"\\u009b31m\"" },
	{ "valid UTF-8 kept", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92", 9,
	  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92\"" },
	{ "lone continuation byte", "a\x80" "b", 3, "\"a\\ufffdb\"" },
	{ "invalid lead byte", "\xff", 1, "\"\\ufffd\"" },
	{ "overlong slash", "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },
	{ "surrogate", "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "truncated sequence", "\xe2\x82", 2, "\"\\ufffd\\ufffd\"" },
	{ "beyond U+10FFFF", "\xf4\x90\x80\x80", 4,
	  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "quote and backslash", "\"\\", 2, "\"\\\"\\\\\"" },
};

static void t_json_untrusted(void)
{
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		struct json_object *o = tool_json_untrusted(json_cases[i].in, json_cases[i].len);

		t_case_name = json_cases[i].name;
		T_STREQ(json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE),
			json_cases[i].want);
		/* the value itself is the device's bytes */
		T_EQ(json_object_get_string_len(o), json_cases[i].len);
		json_object_put(o);
	}
}

int main(void)
{
	T_RUN(t_opt_uint);
	T_RUN(t_escape);
	T_RUN(t_escape_truncated);
	T_RUN(t_fputs_escaped);
	T_RUN(t_json_untrusted);
	return T_DONE();
}
