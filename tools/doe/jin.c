// SPDX-License-Identifier: MIT
/* JSON input: bounded, strictly typed access to untrusted JSON (see jin.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "internal.h"
#include "jin.h"
#include "tool.h"

const char *jin_path(char *buf, size_t len, const char *parent, const char *key, size_t idx)
{
	if (!key)
		snprintf(buf, len, "%s[%zu]", parent, idx);
	else if (parent && *parent)
		snprintf(buf, len, "%s.%s", parent, key);
	else
		snprintf(buf, len, "%s", key);
	return buf;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Where the prescan is, so that a number it refuses is named the way the
 * getters name members ("structures[0].dpa_base"): the user sees which
 * field to fix, not only a byte offset. One level per open '{' or '['.
 */
struct scan_level {
	bool arr;
	bool has_key;		/* objects: after "key": until the next ',' */
	size_t idx;		/* arrays: the element number */
	size_t key, key_len;	/* objects: the member's name, in text */
	size_t obj;		/* objects: their number in text order */
};

struct scan {
	struct scan_level lv[JIN_MAX_DEPTH];
	unsigned depth;
	size_t str, str_len;	/* the last string: a key if ':' follows */
	/* members each object has in the text, objects in text order: json-c
	 * keeps only the last of two equal names, so a duplicate shows as an
	 * object with fewer members than the text gave it (check_duplicates()) */
	uint32_t *keys;
	size_t nobj, cap;
};

/* The member path at the scan's position; key bytes that are not plain
 * printable ASCII are shown as '?' so a message stays one clean line. */
static const char *scan_path(const struct scan *s, const char *text, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < s->depth && n + 1 < len; i++) {
		const struct scan_level *l = &s->lv[i];

		if (l->arr) {
			int w = snprintf(buf + n, len - n, "[%zu]", l->idx);

			n = w < 0 ? n : (size_t)w >= len - n ? len - 1 : n + (size_t)w;
			continue;
		}
		if (!l->has_key)
			break;
		if (n && n + 1 < len)
			buf[n++] = '.';
		for (size_t k = 0; k < l->key_len && k < 40 && n + 1 < len; k++) {
			char c = text[l->key + k];

			buf[n++] = c >= 0x20 && c < 0x7f ? c : '?';
		}
		buf[n] = '\0';
	}
	return buf;
}

/*
 * One integer literal at text[*pos]. json-c turns 2^64 into UINT64_MAX and
 * -2^63-1 into INT64_MIN without a word, so the range is decided here on
 * the digits themselves. Fractions and exponents are refused: no member of
 * any document doe reads is a real number, and a value like 1e3 must not
 * pass as the integer 1000 either.
 */
static int scan_number(const struct jin *j, const struct scan *sc, const char *text, size_t len,
		       size_t *pos)
{
	static const char i64min[] = "9223372036854775808";	/* magnitude of INT64_MIN */
	static const char u64max[] = "18446744073709551615";
	size_t start = *pos, p = start, d0, nd;
	bool neg = text[p] == '-';
	const char *lim;
	char path[128], at[160];

	/* "byte 12: structures[0].dpa_base" (or only the byte at the root) */
	scan_path(sc, text, path, sizeof(path));
	snprintf(at, sizeof(at), "byte %zu%s%s", start, *path ? ": " : "", path);
	if (neg)
		p++;
	d0 = p;
	while (p < len && text[p] >= '0' && text[p] <= '9')
		p++;
	nd = p - d0;
	if (p < len && (text[p] == '.' || text[p] == 'e' || text[p] == 'E'))
		return doe_err(j->ctx, -EINVAL, "%s: %s: not an integer (fractions and exponents are not accepted)",
			       j->doc, at);
	if (nd == 0)
		return doe_err(j->ctx, -EINVAL, "%s: %s: not JSON: '-' without digits", j->doc, at);
	if (nd > 1 && text[d0] == '0')
		return doe_err(j->ctx, -EINVAL, "%s: %s: not JSON: leading zero in a number", j->doc,
			       at);
	lim = neg ? i64min : u64max;
	if (nd > strlen(lim) || (nd == strlen(lim) && memcmp(text + d0, lim, nd) > 0))
		return doe_err(j->ctx, -EINVAL, "%s: %s: %.*s is out of the %s range", j->doc, at,
			       (int)(nd + neg > 40 ? 40 : nd + neg), text + start,
			       neg ? "int64" : "uint64");
	*pos = p;
	return 0;
}

/* A pass over the raw text before json-c parses it: numbers as above,
 * nesting depth, and no NUL byte (json-c would stop reading there). The
 * structure is only followed far enough to name members; json-c still
 * decides whether the document is well-formed. */
static int prescan(const struct jin *j, const char *text, size_t len, struct scan *out)
{
	struct scan sc = { .depth = 0 };
	bool in_str = false;

	*out = sc;

	for (size_t p = 0; p < len;) {
		struct scan_level *top = sc.depth ? &sc.lv[sc.depth - 1] : NULL;
		char c = text[p];

		if (c == '\0') {
			free(sc.keys);
			return doe_err(j->ctx, -EINVAL, "%s: byte %zu: NUL byte", j->doc, p);
		}
		if (in_str) {
			if (c == '\\' && p + 1 < len) {
				p++;
			} else if (c == '"') {
				in_str = false;
				sc.str_len = p - sc.str;
			}
			p++;
			continue;
		}
		if (c == '"') {
			in_str = true;
			sc.str = p + 1;
		} else if (c == '\'' || c == '/') {
			free(sc.keys);
			/* json-c takes single quotes and comments even when strict */
			return doe_err(j->ctx, -EINVAL, "%s: byte %zu: not JSON: unexpected '%c'",
				       j->doc, p, c);
		} else if (c == '{' || c == '[') {
			if (sc.depth >= JIN_MAX_DEPTH) {
				free(sc.keys);
				return doe_err(j->ctx, -EINVAL, "%s: byte %zu: nested deeper than %d",
					       j->doc, p, JIN_MAX_DEPTH);
			}
			if (c == '{' && sc.nobj == sc.cap) {
				size_t cap = sc.cap ? 2 * sc.cap : 64;
				uint32_t *k = realloc(sc.keys, cap * sizeof(*k));

				if (!k) {
					free(sc.keys);
					return doe_err(j->ctx, -ENOMEM, "out of memory");
				}
				sc.keys = k;
				sc.cap = cap;
			}
			sc.lv[sc.depth++] = (struct scan_level){ .arr = c == '[', .obj = sc.nobj };
			if (c == '{')
				sc.keys[sc.nobj++] = 0;
		} else if (c == '}' || c == ']') {
			if (sc.depth)
				sc.depth--;
		} else if (c == ':' && top && !top->arr) {
			if (sc.keys[top->obj] < UINT32_MAX)
				sc.keys[top->obj]++;
			top->has_key = true;
			top->key = sc.str;
			top->key_len = sc.str_len;
		} else if (c == ',' && top) {
			top->idx++;
			top->has_key = false;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			int rc = scan_number(j, &sc, text, len, &p);

			if (rc) {
				free(sc.keys);
				return rc;
			}
			continue;
		}
		p++;
	}
	*out = sc;
	return 0;
}

/* Objects in text order (pre-order) against the member counts the prescan
 * saw: the first object json-c holds fewer members of had a name twice. */
static int check_duplicates(const struct jin *j, struct json_object *o, const char *path,
			    const struct scan *sc, size_t *next)
{
	char p[128];

	if (json_object_is_type(o, json_type_object)) {
		if (*next >= sc->nobj ||
		    (size_t)json_object_object_length(o) != sc->keys[(*next)++])
			return doe_err(j->ctx, -EINVAL, "%s: %s: a member name appears twice", j->doc,
				       *path ? path : "the top-level object");
		/* the paths spelled here, not with jin_path(): gcc -O2 cannot see
		 * through the recursion that path is never NULL */
		json_object_object_foreach(o, key, val) {
			snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
			TRY(check_duplicates(j, val, p, sc, next));
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			snprintf(p, sizeof(p), "%s[%zu]", path, i);
			TRY(check_duplicates(j, json_object_array_get_idx(o, i), p, sc, next));
		}
	}
	return 0;
}

int jin_parse(const struct jin *j, const char *text, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *obj;
	struct scan sc;
	size_t end, next = 0;
	int rc;

	*out = NULL;
	if (len > INT_MAX)
		return doe_err(j->ctx, -EFBIG, "%s: too large", j->doc);
	TRY(prescan(j, text, len, &sc));
	tok = json_tokener_new_ex(JIN_MAX_DEPTH + 1);
	if (!tok) {
		free(sc.keys);
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (!obj) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		json_tokener_free(tok);
		free(sc.keys);
		return doe_err(j->ctx, -EINVAL, "%s: not JSON: %s", j->doc,
			       e == json_tokener_continue ? "unexpected end of input"
							   : json_tokener_error_desc(e));
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < len && is_ws(text[end]))
		end++;
	if (end < len) {
		json_object_put(obj);
		free(sc.keys);
		return doe_err(j->ctx, -EINVAL, "%s: byte %zu: trailing data after the JSON value",
			       j->doc, end);
	}
	rc = check_duplicates(j, obj, "", &sc, &next);
	free(sc.keys);
	if (rc) {
		json_object_put(obj);
		return rc;
	}
	if (!json_object_is_type(obj, json_type_object) &&
	    !(j->array_ok && json_object_is_type(obj, json_type_array))) {
		json_object_put(obj);
		return doe_err(j->ctx, -EINVAL, "%s: not a JSON object%s", j->doc,
			       j->array_ok ? " or array" : "");
	}
	*out = obj;
	return 0;
}

int jin_load(const struct jin *j, const char *path, size_t max, struct json_object **out)
{
	struct tool t = { .ctx = j->ctx };
	uint8_t *buf;
	size_t n;
	int rc;

	*out = NULL;
	TRY(read_file_max(&t, path, max, &buf, &n));
	rc = jin_parse(j, (const char *)buf, n, out);
	free(buf);
	return rc;
}

static const char *type_name(enum json_type t)
{
	switch (t) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a real number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "unknown";
}

/* The member key of o (or o itself when key is NULL), checked for type.
 * A member present with the value null is reported as null, never absent:
 * "measurements": null must not fall back to a default. */
static int member(const struct jin *j, struct json_object *o, const char *path, const char *key,
		  int req, enum json_type want, struct json_object **v)
{
	char p[128];
	bool present = json_object_object_get_ex(o, key, v);

	if (!present) {
		if (req)
			return doe_err(j->ctx, -EINVAL, "%s: %s: missing", j->doc,
				       jin_path(p, sizeof(p), path, key, 0));
		return 0;
	}
	if (!json_object_is_type(*v, want))
		return doe_err(j->ctx, -EINVAL, "%s: %s: %s, expected %s", j->doc,
			       jin_path(p, sizeof(p), path, key, 0), type_name(json_object_get_type(*v)),
			       type_name(want));
	return 1;
}

static int elem(const struct jin *j, struct json_object *arr, const char *path, size_t i,
		enum json_type want, struct json_object **v)
{
	char p[128];

	*v = json_object_array_get_idx(arr, i);
	if (!json_object_is_type(*v, want))
		return doe_err(j->ctx, -EINVAL, "%s: %s: %s, expected %s", j->doc,
			       jin_path(p, sizeof(p), path, NULL, i),
			       type_name(json_object_get_type(*v)), type_name(want));
	return 1;
}

int jin_obj(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, struct json_object **out)
{
	struct json_object *v;
	int rc = member(j, o, path, key, req, json_type_object, &v);

	if (rc > 0)
		*out = v;
	return rc;
}

int jin_arr(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, size_t max, struct json_object **out, size_t *n)
{
	struct json_object *v;
	char p[128];
	int rc = member(j, o, path, key, req, json_type_array, &v);
	size_t len;

	if (rc <= 0)
		return rc;
	len = json_object_array_length(v);
	if (len > max)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %zu elements, at most %zu", j->doc,
			       jin_path(p, sizeof(p), path, key, 0), len, max);
	*out = v;
	*n = len;
	return 1;
}

static int check_str(const struct jin *j, struct json_object *v, const char *p, size_t max,
		     const char **out)
{
	size_t len = (size_t)json_object_get_string_len(v);
	const char *s = json_object_get_string(v);

	if (len > max)
		return doe_err(j->ctx, -EINVAL, "%s: %s: longer than %zu bytes", j->doc, p, max);
	if (strlen(s) != len)
		return doe_err(j->ctx, -EINVAL, "%s: %s: contains a NUL character", j->doc, p);
	*out = s;
	return 1;
}

int jin_str(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, size_t max, const char **out)
{
	struct json_object *v;
	char p[128];
	int rc = member(j, o, path, key, req, json_type_string, &v);

	if (rc <= 0)
		return rc;
	return check_str(j, v, jin_path(p, sizeof(p), path, key, 0), max, out);
}

int jin_bool(const struct jin *j, struct json_object *o, const char *path, const char *key,
	     int req, bool *out)
{
	struct json_object *v;
	int rc = member(j, o, path, key, req, json_type_boolean, &v);

	if (rc > 0)
		*out = json_object_get_boolean(v);
	return rc;
}

/*
 * json-c keeps integers as int64 or, above INT64_MAX, uint64; the prescan
 * guarantees neither was clamped. A negative value is read with get_int64
 * only, a non-negative one with get_uint64, so no cast loses a sign.
 */
static int check_u64(const struct jin *j, struct json_object *v, const char *p, uint64_t min,
		     uint64_t max, uint64_t *out)
{
	int64_t s = json_object_get_int64(v);
	uint64_t u;

	if (s < 0)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %" PRId64 " is out of range %" PRIu64
			       "..%" PRIu64, j->doc, p, s, min, max);
	u = json_object_get_uint64(v);
	if (u < min || u > max)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %" PRIu64 " is out of range %" PRIu64
			       "..%" PRIu64, j->doc, p, u, min, max);
	*out = u;
	return 1;
}

int jin_u64(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, uint64_t min, uint64_t max, uint64_t *out)
{
	struct json_object *v;
	char p[128];
	int rc = member(j, o, path, key, req, json_type_int, &v);

	if (rc <= 0)
		return rc;
	return check_u64(j, v, jin_path(p, sizeof(p), path, key, 0), min, max, out);
}

int jin_i64(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, int64_t min, int64_t max, int64_t *out)
{
	struct json_object *v;
	char p[128];
	int rc = member(j, o, path, key, req, json_type_int, &v);
	int64_t x;

	if (rc <= 0)
		return rc;
	jin_path(p, sizeof(p), path, key, 0);
	x = json_object_get_int64(v);
	/* above INT64_MAX json-c holds a uint64 and get_int64 saturates */
	if (x == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %" PRIu64 " is out of range", j->doc, p,
			       json_object_get_uint64(v));
	if (x < min || x > max)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %" PRId64 " is out of range %" PRId64
			       "..%" PRId64, j->doc, p, x, min, max);
	*out = x;
	return 1;
}

int jin_hex(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, uint8_t *buf, size_t cap, size_t want, size_t *n)
{
	const char *s = NULL;	/* set when rc > 0; said for -O2's sake */
	char p[128];
	size_t got;
	int rc = jin_str(j, o, path, key, req, 2 * cap, &s);

	if (rc <= 0)
		return rc;
	jin_path(p, sizeof(p), path, key, 0);
	if (hex_decode(s, buf, cap, &got))
		return doe_err(j->ctx, -EINVAL, "%s: %s: not hex of at most %zu bytes", j->doc, p,
			       cap);
	if (want && got != want)
		return doe_err(j->ctx, -EINVAL, "%s: %s: %zu bytes, expected %zu", j->doc, p, got,
			       want);
	*n = got;
	return 1;
}

int jin_at_obj(const struct jin *j, struct json_object *arr, const char *path, size_t i,
	       struct json_object **out)
{
	return elem(j, arr, path, i, json_type_object, out);
}

int jin_at_str(const struct jin *j, struct json_object *arr, const char *path, size_t i,
	       size_t max, const char **out)
{
	struct json_object *v;
	char p[128];

	TRY(elem(j, arr, path, i, json_type_string, &v));
	return check_str(j, v, jin_path(p, sizeof(p), path, NULL, i), max, out);
}

int jin_at_u64(const struct jin *j, struct json_object *arr, const char *path, size_t i,
	       uint64_t min, uint64_t max, uint64_t *out)
{
	struct json_object *v;
	char p[128];

	TRY(elem(j, arr, path, i, json_type_int, &v));
	return check_u64(j, v, jin_path(p, sizeof(p), path, NULL, i), min, max, out);
}

int jin_only(const struct jin *j, struct json_object *o, const char *path,
	     const char *const *known)
{
	json_object_object_foreach(o, key, val) {
		const char *const *k;
		char p[128];

		(void)val;
		for (k = known; *k && strcmp(*k, key); k++)
			;
		if (!*k)
			return doe_err(j->ctx, -EINVAL, "%s: %s: unknown member", j->doc,
				       jin_path(p, sizeof(p), path, key, 0));
	}
	return 0;
}
