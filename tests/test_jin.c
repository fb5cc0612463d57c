// SPDX-License-Identifier: MIT
/*
 * JSON input layer (tools/doe/jin.c): every way an untrusted document can
 * be wrong is refused with the member's path, never clamped, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jin.h"
#include "t.h"

static struct doe_ctx *ctx;
static const struct jin J = { .doc = "doc.json" };

static int parse(const char *text, struct json_object **o)
{
	struct jin j = J;

	j.ctx = ctx;
	return jin_parse(&j, text, strlen(text), o);
}

/* Documents the parser must refuse, and the words its message must hold. */
static const struct {
	const char *name, *text, *msg;
} bad_docs[] = {
	{ "uint64 overflow", "{\"a\": 18446744073709551616}", "out of the uint64 range" },
	{ "int64 underflow", "{\"a\": -9223372036854775809}", "out of the int64 range" },
	{ "huge literal", "{\"a\": 1000000000000000000000000000000}", "uint64 range" },
	{ "fraction", "{\"a\": 1.5}", "not an integer" },
	{ "exponent", "{\"a\": 1e3}", "not an integer" },
	{ "leading zero", "{\"a\": 07}", "leading zero" },
	{ "lone minus", "{\"a\": -}", "without digits" },
	{ "trailing data", "{\"a\": 1} x", "not JSON" },
	{ "two values", "{} {}", "not JSON" },
	{ "comment", "{\"a\": 1 /* c */}", "not JSON" },
	{ "truncated", "{\"a\": [1, 2", "not JSON" },
	{ "not an object", "[1, 2]", "not a JSON object" },
	{ "single quotes", "{'a': 1}", "not JSON" },
	{ "empty", "", "not JSON" },
};

static void t_bad_documents(void)
{
	for (size_t i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
		struct json_object *o = (struct json_object *)1;

		t_case_name = bad_docs[i].name;
		T_EQ(parse(bad_docs[i].text, &o), -EINVAL);
		T_TRUE(o == NULL);
		if (o)
			json_object_put(o);
		T_CONTAINS(doe_ctx_errmsg(ctx), bad_docs[i].msg);
		T_CONTAINS(doe_ctx_errmsg(ctx), "doc.json");
	}
}

/* A number the prescan refuses is named by its member path, as the
 * getters name members, so the user knows which field to fix. */
static const struct {
	const char *name, *text, *msg;
} path_docs[] = {
	{ "member", "{\"a\": 1, \"dpa_base\": 18446744073709551616}",
	  "doc.json: byte 21: dpa_base: 18446744073709551616 is out of the uint64 range" },
	{ "nested", "{\"s\": [{\"x\": 0}, {\"e\": [1, 2, 1.5]}]}",
	  "doc.json: byte 30: s[1].e[2]: not an integer" },
	{ "after a nested value", "{\"o\": {\"k\": [1]}, \"n\": -01}",
	  "doc.json: byte 23: n: not JSON: leading zero" },
	{ "key with escapes", "{\"a\\\"b\\n\": 1e5}", "a\\\"b\\n: not an integer" },
	{ "root value", "-1.5", "doc.json: byte 0: not an integer" },
};

static void t_number_paths(void)
{
	for (size_t i = 0; i < sizeof(path_docs) / sizeof(path_docs[0]); i++) {
		struct json_object *o = NULL;

		t_case_name = path_docs[i].name;
		T_EQ(parse(path_docs[i].text, &o), -EINVAL);
		T_CONTAINS(doe_ctx_errmsg(ctx), path_docs[i].msg);
		json_object_put(o);
	}
	t_case_name = "t_number_paths";
}

/* An object holding arrays: depth levels in all, then one more. */
static char *nested(unsigned depth)
{
	char *t = malloc(2 * depth + 16), *p = t;

	if (!t)
		return NULL;
	p += sprintf(p, "{\"a\":");
	for (unsigned i = 1; i < depth; i++)
		*p++ = '[';
	*p++ = '1';
	for (unsigned i = 1; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}");
	return t;
}

static void t_depth(void)
{
	char *ok = nested(JIN_MAX_DEPTH), *deep = nested(JIN_MAX_DEPTH + 1);
	struct json_object *o = NULL;

	if (!ok || !deep)
		goto out;
	T_EQ(parse(ok, &o), 0);
	json_object_put(o);
	o = NULL;
	T_EQ(parse(deep, &o), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "nested deeper than 80");
	json_object_put(o);
out:
	free(ok);
	free(deep);
}

static void t_nul_byte(void)
{
	struct jin j = J;
	struct json_object *o;

	j.ctx = ctx;
	T_EQ(jin_parse(&j, "{\"a\":\0 1}", 9, &o), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "NUL byte");
}

static void t_limits_accepted(void)
{
	struct jin j = J;
	struct json_object *o;
	uint64_t u = 0;
	int64_t s = 0;

	j.ctx = ctx;
	T_EQ(parse("{\"u\": 18446744073709551615, \"s\": -9223372036854775808, \"z\": 0,"
		   " \"str\": \"x\\\"[{1.5\"}", &o), 0);
	T_EQ(jin_u64(&j, o, "", "u", JIN_REQ, 0, UINT64_MAX, &u), 1);
	T_TRUE(u == UINT64_MAX);
	T_EQ(jin_i64(&j, o, "", "s", JIN_REQ, INT64_MIN, INT64_MAX, &s), 1);
	T_TRUE(s == INT64_MIN);
	T_EQ(jin_u64(&j, o, "", "z", JIN_REQ, 0, 0, &u), 1);
	T_EQ(u, 0);
	/* above INT64_MAX is not an int64 */
	T_EQ(jin_i64(&j, o, "", "u", JIN_REQ, INT64_MIN, INT64_MAX, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "u: 18446744073709551615 is out of range");
	json_object_put(o);
	T_EQ(parse(" {}\n\t ", &o), 0);	/* whitespace around the value is fine */
	json_object_put(o);
}

static void t_members(void)
{
	struct jin j = J;
	struct json_object *o, *p, *arr;
	const char *s = "unchanged";
	uint64_t u = 42;
	bool b = false;
	size_t n;
	uint8_t buf[4];

	j.ctx = ctx;
	T_EQ(parse("{\"policy\": {\"measurements\": null, \"slot\": -1, \"big\": 256,"
		   " \"ok\": 7, \"flag\": true, \"name\": \"a\\u0000b\", \"hex\": \"0a0B\","
		   " \"list\": [1, \"x\", null]}}", &o), 0);
	T_EQ(jin_obj(&j, o, "", "policy", JIN_REQ, &p), 1);
	/* null is a wrong type, not an absent member */
	T_EQ(jin_str(&j, p, "policy", "measurements", JIN_OPT, 16, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "doc.json: policy.measurements: null, expected a string");
	T_STREQ(s, "unchanged");
	T_EQ(jin_str(&j, p, "policy", "absent", JIN_OPT, 16, &s), 0);
	T_EQ(jin_str(&j, p, "policy", "absent", JIN_REQ, 16, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.absent: missing");
	T_EQ(jin_u64(&j, p, "policy", "slot", JIN_REQ, 0, 7, &u), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.slot: -1 is out of range 0..7");
	T_EQ(jin_u64(&j, p, "policy", "big", JIN_REQ, 0, 255, &u), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.big: 256 is out of range 0..255");
	T_EQ(u, 42);
	T_EQ(jin_u64(&j, p, "policy", "ok", JIN_REQ, 0, 7, &u), 1);
	T_EQ(u, 7);
	T_EQ(jin_u64(&j, p, "policy", "flag", JIN_REQ, 0, 7, &u), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.flag: a boolean, expected an integer");
	T_EQ(jin_bool(&j, p, "policy", "ok", JIN_REQ, &b), -EINVAL);
	T_EQ(jin_bool(&j, p, "policy", "flag", JIN_REQ, &b), 1);
	T_TRUE(b);
	T_EQ(jin_str(&j, p, "policy", "name", JIN_REQ, 16, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.name: contains a NUL");
	T_EQ(jin_str(&j, p, "policy", "hex", JIN_REQ, 3, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "longer than 3 bytes");
	T_EQ(jin_hex(&j, p, "policy", "hex", JIN_REQ, buf, sizeof(buf), 0, &n), 1);
	T_EQ(n, 2);
	T_EQ(buf[1], 0x0b);
	T_EQ(jin_hex(&j, p, "policy", "hex", JIN_REQ, buf, sizeof(buf), 4, &n), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "2 bytes, expected 4");
	T_EQ(jin_hex(&j, p, "policy", "name", JIN_REQ, buf, 1, 0, &n), -EINVAL);
	T_EQ(jin_arr(&j, p, "policy", "list", JIN_REQ, 2, &arr, &n), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.list: 3 elements, at most 2");
	T_EQ(jin_arr(&j, p, "policy", "list", JIN_REQ, 8, &arr, &n), 1);
	T_EQ(jin_at_u64(&j, arr, "policy.list", 0, 0, 1, &u), 1);
	T_EQ(jin_at_u64(&j, arr, "policy.list", 1, 0, 1, &u), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.list[1]: a string, expected an integer");
	T_EQ(jin_at_str(&j, arr, "policy.list", 2, 8, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "policy.list[2]: null, expected a string");
	T_EQ(jin_at_obj(&j, arr, "policy.list", 5, &p), -EINVAL);
	json_object_put(o);
}

static void t_only(void)
{
	static const char *const known[] = { "busy", "not_ready", NULL };
	struct jin j = J;
	struct json_object *o;

	j.ctx = ctx;
	T_EQ(parse("{\"busy\": 1, \"not_ready\": 2}", &o), 0);
	T_EQ(jin_only(&j, o, "", known), 0);
	json_object_put(o);
	T_EQ(parse("{\"busy\": 1, \"bussy\": 2}", &o), 0);
	T_EQ(jin_only(&j, o, "", known), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "bussy: unknown member");
	json_object_put(o);
}

/* A device or FIFO that never ends must stop at the cap, not fill memory. */
static void t_load_bounded(void)
{
	struct jin j = J;
	struct json_object *o;

	j.ctx = ctx;
	T_EQ(jin_load(&j, "/dev/zero", 4096, &o), -EFBIG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "larger than 4096 bytes");
	T_EQ(jin_load(&j, "/nonexistent/doc.json", 4096, &o), -ENOENT);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_bad_documents);
	T_RUN(t_number_paths);
	T_RUN(t_nul_byte);
	T_RUN(t_depth);
	T_RUN(t_limits_accepted);
	T_RUN(t_members);
	T_RUN(t_only);
	T_RUN(t_load_bounded);
	doe_ctx_free(ctx);
	return T_DONE();
}
