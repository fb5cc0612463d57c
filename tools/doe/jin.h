/* SPDX-License-Identifier: MIT */
/*
 * JSON input: the one way the doe CLI reads JSON it did not make itself
 * (evidence, --emu-spdm, --emu-cdat, doe cdat --encode).
 *
 * Every such document is untrusted. json-c alone would let a member be
 * null, the wrong type, or an integer it silently clamped to INT64_MAX /
 * UINT64_MAX, and json_object_get_string(NULL) would crash the caller. So:
 *  - jin_parse() rejects, before json-c sees it, any integer literal that
 *    does not fit int64 (negative) or uint64 (non-negative), any non-
 *    integer number, nesting deeper than JIN_MAX_DEPTH, and trailing data,
 *    and after it, an object with a member name given twice (json-c would
 *    keep the last silently: {"1": A, "1": B} must not quietly mean B);
 *  - jin_load() reads the file bounded (FIFOs and devices included) first;
 *  - member getters check presence, type (null is never a value), length
 *    and range, and name the member's path in every error:
 *    "evidence.json: policy.measurements: null, expected a string".
 *
 * Getters return 1 when the member is present and valid, 0 when it is
 * absent and optional (output untouched), or -EINVAL (message in ctx).
 * A path is the parent's spelling ("" for the root, "policy",
 * "measurements[2]"); jin_path() builds child paths.
 */
#ifndef DOE_JIN_H
#define DOE_JIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <doekit/ctx.h>

/* Deep enough for a topology bundle of verify-evidence's 32 device levels
 * (each level is a children array and an object, an attestation's evidence
 * about 8 more); json-c frees recursively, and 80 frames are nothing. */
#define JIN_MAX_DEPTH 80

/* Input-size caps, one per kind of document, each well above what doe
 * itself writes (evidence of an attestation with two 64 KiB chains and
 * their messages, hex-encoded, stays under 1 MiB). */
#define JIN_MAX_EVIDENCE (4u << 20)
#define JIN_MAX_EMU_SPDM (1u << 20)
#define JIN_MAX_CDAT_JSON (4u << 20)

enum { JIN_OPT = 0, JIN_REQ = 1 };

struct jin {
	struct doe_ctx *ctx;
	const char *doc;	/* names the document in messages, e.g. the file */
	bool array_ok;		/* the root may be an array too (verify-evidence) */
};

/* Parses text[0..len) (need not be NUL-terminated). The root must be an
 * object. Caller puts *out. */
int jin_parse(const struct jin *j, const char *text, size_t len, struct json_object **out);
/* Reads path ("-": stdin) up to max bytes, then jin_parse(). -ENOENT/-EACCES
 * etc. for a file that cannot be read, -EFBIG past max, -EINVAL bad JSON. */
int jin_load(const struct jin *j, const char *path, size_t max, struct json_object **out);

/* "parent.key" or "key"; "parent[i]" when key is NULL. Truncates safely. */
const char *jin_path(char *buf, size_t len, const char *parent, const char *key, size_t idx);

int jin_obj(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, struct json_object **out);
/* An array of at most max elements. */
int jin_arr(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, size_t max, struct json_object **out, size_t *n);
/* A string of at most max bytes, no embedded NUL. */
int jin_str(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, size_t max, const char **out);
int jin_bool(const struct jin *j, struct json_object *o, const char *path, const char *key,
	     int req, bool *out);
int jin_u64(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, uint64_t min, uint64_t max, uint64_t *out);
int jin_i64(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, int64_t min, int64_t max, int64_t *out);
/* A hex string decoding to at most cap bytes (exactly want bytes if want). */
int jin_hex(const struct jin *j, struct json_object *o, const char *path, const char *key,
	    int req, uint8_t *buf, size_t cap, size_t want, size_t *n);

/* Array elements: the same checks on arr[i] (path is the array's path). */
int jin_at_obj(const struct jin *j, struct json_object *arr, const char *path, size_t i,
	       struct json_object **out);
int jin_at_str(const struct jin *j, struct json_object *arr, const char *path, size_t i,
	       size_t max, const char **out);
int jin_at_u64(const struct jin *j, struct json_object *arr, const char *path, size_t i,
	       uint64_t min, uint64_t max, uint64_t *out);

/* Rejects members other than those listed (NULL-terminated), naming the
 * first unknown one: a typo in a config must not be silently ignored. */
int jin_only(const struct jin *j, struct json_object *o, const char *path,
	     const char *const *known);

#endif
