// SPDX-License-Identifier: MIT
/*
 * doe verify-evidence on any bytes: the evidence JSON goes through the JSON
 * input layer (jin), its replay inputs are read, the requester replays the
 * log (the chain anchored at its own root), the result is held against a
 * verifier policy and every claim against the derived document. Nothing in
 * a hostile file may crash, hang or leak; a replay that "verifies" must
 * have used every message.
 *
 * Most random bytes are not JSON, and most JSON is not evidence: the
 * custom mutator below parses the input as JSON when it can and mutates
 * the values and types of its members, so the fuzzer spends its time past
 * the parser, inside the checks. Hex strings (the logged messages, the
 * signatures) are mutated as the bytes they encode, so a response is
 * changed, not just made into bad hex.
 *
 * Seeds: v10.json and v12.json are only the replay inputs (policy, nonce,
 * slot, messages; they fit run.sh's default 4 KiB -max_len) and reach the
 * replay and the policy checks; full13.json is what doe attest -j writes
 * and reaches the comparison of every claim (FUZZ_MAX_LEN=16384).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include "attest.h"
#include "jin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct attest a;	/* large buffers; cleared each run */
	struct tool t = { .prog = "fuzz" };
	struct verifier_policy vp;
	struct json_object *ev;
	struct msglog log = { 0 };
	struct spdm_req *req = NULL;
	struct jin j;
	uint8_t align;
	int rc;

	if (size > 256 * 1024 || doe_ctx_new(&t.ctx))
		return 0;
	j = (struct jin){ .ctx = t.ctx, .doc = "evidence" };
	memset(&a, 0, sizeof(a));
	a.t = &t;
	spdm_req_policy_init(&a.pol);
	verifier_policy_init(&vp);
	/* the most permissive verifier: every check past the policy runs */
	vp.meas_mode = SPDM_MEAS_NONE;
	vp.allow_unsigned = true;
	if (jin_parse(&j, (const char *)data, size, &ev) == 0) {
		rc = evidence_check(&a, &vp, &j, ev, &log, &align, &req);
		if (rc == 0 && !req)
			abort();	/* "verified" without a replay */
		if (req) {
			/* the report is built from whatever the replay reached */
			struct json_object *o = attest_doc(&a, spdm_req_result(req), rc, &log, align,
							   false);

			json_object_put(o);
			spdm_req_fini(req);
		}
		msglog_free(&log);
		json_object_put(ev);
	}
	doe_ctx_free(t.ctx);
	return 0;
}

/* ---- the structure-aware mutator ---- */

struct rng {
	uint64_t s;
};

static unsigned rnd(struct rng *r, unsigned n)
{
	/* xorshift64: the mutation must depend on the seed alone */
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return n ? (unsigned)(r->s % n) : 0;
}

/* Where a node hangs: a member of an object or an element of an array. */
struct spot {
	struct json_object *parent;
	const char *key;	/* NULL: array element idx */
	size_t idx;
};

static size_t count_nodes(struct json_object *o)
{
	size_t n = 0;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			n += 1 + count_nodes(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			n += 1 + count_nodes(json_object_array_get_idx(o, i));
	}
	return n;
}

/* The k-th node below o, depth first; true when found (*k counts down). */
static bool find_node(struct json_object *o, size_t *k, struct spot *s)
{
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			if ((*k)-- == 0) {
				*s = (struct spot){ o, key, 0 };
				return true;
			}
			if (find_node(v, k, s))
				return true;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			if ((*k)-- == 0) {
				*s = (struct spot){ o, NULL, i };
				return true;
			}
			if (find_node(json_object_array_get_idx(o, i), k, s))
				return true;
		}
	}
	return false;
}

static struct json_object *spot_get(const struct spot *s)
{
	struct json_object *v = NULL;

	if (s->key)
		json_object_object_get_ex(s->parent, s->key, &v);
	else
		v = json_object_array_get_idx(s->parent, s->idx);
	return v;
}

/* Replaces the node (takes v; NULL is JSON null). */
static void spot_set(const struct spot *s, struct json_object *v)
{
	if (s->key)
		json_object_object_add(s->parent, s->key, v);
	else
		json_object_array_put_idx(s->parent, s->idx, v);
}

static bool is_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return n % 2 == 0;
}

/* A hex string mutated as bytes: libFuzzer's own mutations on what it encodes. */
static struct json_object *mutate_hex(const char *p, size_t n)
{
	size_t len = n / 2, cap = len + 64;
	uint8_t *b = malloc(cap);
	struct json_object *o = NULL;

	if (!b)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned x;

		sscanf(p + 2 * i, "%2x", &x);
		b[i] = (uint8_t)x;
	}
	len = LLVMFuzzerMutate(b, len, cap);
	o = hex_json(b, len);
	free(b);
	return o;
}

static struct json_object *other_type(struct rng *r)
{
	switch (rnd(r, 6)) {
	case 0: return NULL;
	case 1: return json_object_new_boolean(rnd(r, 2));
	case 2: return json_object_new_int64(0);
	case 3: return json_object_new_string("");
	case 4: return json_object_new_object();
	default: return json_object_new_array();
	}
}

static struct json_object *edge_number(struct rng *r)
{
	static const int64_t s[] = { -1, 0, 1, 2, 3, 4, 7, 8, 15, 16, 254, 255, 256, 65535, 65536,
				     INT32_MAX, (int64_t)INT32_MAX + 1, INT64_MAX, INT64_MIN };

	if (rnd(r, 8) == 0)
		return json_object_new_uint64(UINT64_MAX);
	return json_object_new_int64(s[rnd(r, sizeof(s) / sizeof(s[0]))]);
}

static void mutate_one(struct json_object *root, struct rng *r)
{
	size_t n = count_nodes(root), k;
	struct json_object *v;
	struct spot s;

	if (!n)
		return;
	k = rnd(r, (unsigned)n);
	if (!find_node(root, &k, &s))
		return;
	v = spot_get(&s);
	switch (rnd(r, 8)) {
	case 0:		/* drop it */
		if (s.key)
			json_object_object_del(s.parent, s.key);
		else
			json_object_array_del_idx(s.parent, s.idx, 1);
		return;
	case 1:		/* null or another type */
		spot_set(&s, other_type(r));
		return;
	case 2:		/* numbers at the edges, anywhere */
		spot_set(&s, edge_number(r));
		return;
	case 3:		/* a copy of itself next to it: longer arrays */
		if (!s.key && v)
			json_object_array_add(s.parent, json_object_get(v));
		return;
	default:
		break;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *p = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);

		if (is_hex(p, len) && rnd(r, 4)) {
			struct json_object *h = mutate_hex(p, len);

			if (h)
				spot_set(&s, h);
		} else {	/* truncated, possibly to an odd length */
			spot_set(&s, json_object_new_string_len(p, (int)rnd(r, (unsigned)len + 1)));
		}
	} else if (json_object_is_type(v, json_type_int)) {
		int64_t x = json_object_get_int64(v);

		spot_set(&s, json_object_new_int64(rnd(r, 2) ? x ^ (1ll << rnd(r, 63))
						 : x == INT64_MIN ? INT64_MAX : -x));
	} else if (json_object_is_type(v, json_type_boolean)) {
		spot_set(&s, json_object_new_boolean(!json_object_get_boolean(v)));
	} else if (json_object_is_type(v, json_type_array) && json_object_array_length(v)) {
		/* fewer elements */
		json_object_array_del_idx(v, rnd(r, (unsigned)json_object_array_length(v)),
					  1 + rnd(r, 2));
	} else {
		spot_set(&s, other_type(r));
	}
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	struct rng r = { .s = (uint64_t)seed * 0x9E3779B97F4A7C15ull + 1 };
	struct json_tokener *tok;
	struct json_object *root = NULL;
	const char *out;
	size_t len;

	/* now and then the bytes themselves: the parser gets its share */
	if (rnd(&r, 8) == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	tok = json_tokener_new();
	if (tok)
		root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return LLVMFuzzerMutate(data, size, max_size);
	}
	for (unsigned i = 1 + rnd(&r, 3); i; i--)
		mutate_one(root, &r);
	out = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	len = out ? strlen(out) : 0;
	if (!out || len > max_size) {
		json_object_put(root);
		return LLVMFuzzerMutate(data, size, max_size);
	}
	memcpy(data, out, len);
	json_object_put(root);
	return len;
}
