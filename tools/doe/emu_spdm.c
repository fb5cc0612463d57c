// SPDX-License-Identifier: MIT
/*
 * --emu-spdm BDF=FILE.json: how an emulated function's SPDM responder
 * behaves. The file (all members optional, no others allowed):
 *   { "asym": "ecdsa-p256", "versions": ["1.2", "1.3"],
 *     "measurements": [ { "index": 1, "type": 1, "raw": false,
 *                         "value": "HEX" | "text": "..." } ],
 *     "not_ready": N, "busy": N, "corrupt_signature": true }
 *
 * The file is a test fixture, but a typo in one ("bussy": 3) or a null
 * must not silently give a responder other than the one the test meant,
 * so every member goes through jin: type, range and unknown names are
 * errors naming the member.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <doekit/spdm.h>
#include <doekit/spdm_session.h>
#include <doekit/idekm.h>
#include "attest.h"
#include "internal.h"
#include "jin.h"

#define MAX_MEAS 16		/* EMU_SPDM_MAX_MEAS */
#define MAX_MEAS_BYTES 256	/* EMU_SPDM_MEAS_BYTES */
#define MAX_RETRY_COUNT 1000000u	/* Busy / ResponseNotReady answers before the real one */

/* DSP0274 §10.11 (GET_MEASUREMENTS): measurement indices 1-0xEF name
 * measurements, 0xFD the manifest, 0xFE the device mode; 0 and 0xFF are
 * request operations and 0xF0-0xFC are reserved. */
static bool meas_index_ok(uint64_t x)
{
	return (x >= 1 && x <= 0xEF) || x == 0xFD || x == 0xFE;
}

static int parse_one_meas(const struct jin *j, struct json_object *o, const char *path,
			  size_t i, struct spdm_meas_value *m, uint8_t *bytes)
{
	static const char *const known[] = { "index", "type", "raw", "value", "text", NULL };
	uint64_t index = i + 1, type = 1;	/* DMTF type 1: mutable firmware */
	const char *text;
	size_t n = 0;
	bool raw = false;
	int has_text, has_value;
	char p[128];

	TRY(jin_only(j, o, path, known));
	TRY(jin_u64(j, o, path, "index", JIN_OPT, 1, 0xFE, &index));
	if (!meas_index_ok(index))
		return doe_err(j->ctx, -EINVAL, "%s: %s: %llu is reserved (1-239, 253 or 254)",
			       j->doc, jin_path(p, sizeof(p), path, "index", 0),
			       (unsigned long long)index);
	/* DSP0274 §10.11.1: DMTFSpecMeasurementValueType is bits 6:0, bit 7 "raw" */
	TRY(jin_u64(j, o, path, "type", JIN_OPT, 0, 0x7F, &type));
	TRY(jin_bool(j, o, path, "raw", JIN_OPT, &raw));
	has_text = jin_str(j, o, path, "text", JIN_OPT, MAX_MEAS_BYTES, &text);
	if (has_text < 0)
		return has_text;
	has_value = jin_hex(j, o, path, "value", JIN_OPT, bytes, MAX_MEAS_BYTES, 0, &n);
	if (has_value < 0)
		return has_value;
	if (has_text && has_value)
		return doe_err(j->ctx, -EINVAL, "%s: %s: give value or text, not both", j->doc,
			       path);
	if (!has_text && !has_value)
		return doe_err(j->ctx, -EINVAL, "%s: %s: missing (or give text)", j->doc,
			       jin_path(p, sizeof(p), path, "value", 0));
	if (has_text) {
		n = strlen(text);
		memcpy(bytes, text, n);
	}
	*m = (struct spdm_meas_value){ .index = (uint8_t)index, .type = (uint8_t)type,
				       .raw_only = raw, .value = bytes,
				       .value_size = (uint16_t)n };
	return 0;
}

static int parse_meas(const struct jin *j, struct json_object *o, struct spdm_meas_value *m,
		      uint8_t (*bytes)[MAX_MEAS_BYTES], size_t *count)
{
	struct json_object *arr;
	size_t n;
	int rc = jin_arr(j, o, "", "measurements", JIN_OPT, MAX_MEAS, &arr, &n);

	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e;
		char p[48];

		jin_path(p, sizeof(p), "measurements", NULL, i);
		TRY(jin_at_obj(j, arr, "measurements", i, &e));
		TRY(parse_one_meas(j, e, p, i, &m[i], bytes[i]));
		/* a GET_MEASUREMENTS of one index must have one answer */
		for (size_t k = 0; k < i; k++)
			if (m[k].index == m[i].index)
				return doe_err(j->ctx, -EINVAL, "%s: %s.index: %u is also measurements[%zu]'s",
					       j->doc, p, m[i].index, k);
	}
	*count = n;
	return 1;
}

static int parse_versions(const struct jin *j, struct json_object *o, uint8_t *mask)
{
	static const char *const names[] = { "1.0", "1.1", "1.2", "1.3" };
	struct json_object *arr;
	size_t n;
	int rc = jin_arr(j, o, "", "versions", JIN_OPT, ARRAY_SIZE(names), &arr, &n);

	if (rc <= 0)
		return rc;
	/* the emulator reads a mask of 0 as "all versions": an empty list
	 * must not mean that */
	if (n == 0)
		return doe_err(j->ctx, -EINVAL, "%s: versions: empty; name at least one of 1.0-1.3",
			       j->doc);
	*mask = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t k;

		TRY(jin_at_str(j, arr, "versions", i, 8, &s));
		for (k = 0; k < ARRAY_SIZE(names) && strcmp(s, names[k]); k++)
			;
		if (k == ARRAY_SIZE(names))
			return doe_err(j->ctx, -EINVAL, "%s: versions[%zu]: '%s' is not 1.0-1.3",
				       j->doc, i, s);
		*mask |= (uint8_t)SPDM_VMASK(SPDM_V10 + k);
	}
	return 1;
}

int emu_spdm_apply(const struct jin *j, struct emu_fn *fn, struct json_object *o)
{
	static const char *const known[] = { "asym", "versions", "measurements", "not_ready",
					     "busy", "corrupt_signature", "psk", "psk_hint",
					     "sessions", "corrupt_verify_data", "drop_secured",
					     "replay_secured", "key_update_mismatch",
					     "end_session_after", "mutual_auth", "ide_fault", NULL };
	const char *mutual = NULL, *ide_fault = NULL;
	struct idekm_dev_faults ide_f;
	bool host_mismatch;
	uint64_t end_after = 0;
	uint8_t psk[64];
	size_t psk_len = 0;
	const char *hint = NULL;
	bool sessions = true;
	struct spdm_meas_value meas[MAX_MEAS];	/* emu_fn_set_spdm() copies them */
	uint8_t bytes[MAX_MEAS][MAX_MEAS_BYTES];
	struct emu_spdm_opts opts = { 0 };
	uint64_t not_ready = 0, busy = 0;
	const char *asym;
	int rc;

	TRY(jin_only(j, o, "", known));
	rc = jin_str(j, o, "", "asym", JIN_OPT, 32, &asym);
	if (rc < 0)
		return rc;
	if (rc > 0 && asym_parse(asym, &opts.asym_algo))
		return doe_err(j->ctx, -EINVAL, "%s: asym: '%s' is not an algorithm doe attest knows",
			       j->doc, asym);
	TRY(parse_versions(j, o, &opts.versions));
	rc = parse_meas(j, o, meas, bytes, &opts.meas_count);
	if (rc < 0)
		return rc;
	opts.meas = rc > 0 ? meas : NULL;
	TRY(jin_u64(j, o, "", "not_ready", JIN_OPT, 0, MAX_RETRY_COUNT, &not_ready));
	TRY(jin_u64(j, o, "", "busy", JIN_OPT, 0, MAX_RETRY_COUNT, &busy));
	opts.not_ready_count = (unsigned)not_ready;
	opts.busy_count = (unsigned)busy;
	TRY(jin_bool(j, o, "", "corrupt_signature", JIN_OPT, &opts.corrupt_signature));
	/* sessions: a PSK (hex, 1-64 bytes) and its hint, or none at all */
	rc = jin_hex(j, o, "", "psk", JIN_OPT, psk, sizeof(psk), 0, &psk_len);
	if (rc < 0)
		return rc;
	if (rc > 0 && !psk_len)
		return doe_err(j->ctx, -EINVAL, "%s: psk: empty", j->doc);
	TRY(jin_str(j, o, "", "psk_hint", JIN_OPT, 64, &hint));
	if (hint && !psk_len)
		return doe_err(j->ctx, -EINVAL, "%s: psk_hint: without psk", j->doc);
	TRY(jin_bool(j, o, "", "sessions", JIN_OPT, &sessions));
	TRY(jin_bool(j, o, "", "corrupt_verify_data", JIN_OPT, &opts.corrupt_verify_data));
	TRY(jin_bool(j, o, "", "drop_secured", JIN_OPT, &opts.drop_secured));
	TRY(jin_bool(j, o, "", "replay_secured", JIN_OPT, &opts.replay_secured));
	TRY(jin_bool(j, o, "", "key_update_mismatch", JIN_OPT, &opts.key_update_mismatch));
	TRY(jin_u64(j, o, "", "end_session_after", JIN_OPT, 0, 1000000, &end_after));
	opts.end_session_after = (unsigned)end_after;
	TRY(jin_str(j, o, "", "mutual_auth", JIN_OPT, 16, &mutual));
	if (mutual && strcmp(mutual, "encap") && strcmp(mutual, "get_digests"))
		return doe_err(j->ctx, -EINVAL, "%s: mutual_auth: '%s' is not encap or get_digests",
			       j->doc, mutual);
	opts.mutual_auth = !mutual ? 0 : !strcmp(mutual, "encap") ? SPDM_MUT_AUTH_ENCAP
								  : SPDM_MUT_AUTH_GET_DIGESTS;
	/* the IDE_KM device's misbehaviour (emu/ide.c), on an IDE function;
	 * set (or cleared) on every apply, as the other knobs are */
	TRY(jin_str(j, o, "", "ide_fault", JIN_OPT, 32, &ide_fault));
	if (ide_fault && !emu_fn_has_ide(fn))
		return doe_err(j->ctx, -EINVAL, "%s: ide_fault: this function has no IDE capability",
			       j->doc);
	host_mismatch = ide_fault && !strcmp(ide_fault, "host-mismatch");
	if (ide_fault && !host_mismatch && emu_ide_fault_parse(ide_fault, &ide_f))
		return doe_err(j->ctx, -EINVAL, "%s: ide_fault: '%s' is not one of %s, host-mismatch",
			       j->doc, ide_fault, emu_ide_fault_names());
	if (emu_fn_has_ide(fn)) {
		TRY(emu_fn_ide_corrupt_host(fn, host_mismatch));
		TRY(emu_fn_set_ide_faults(fn, ide_fault && !host_mismatch ? &ide_f : NULL));
	}
	opts.psk = psk_len ? psk : NULL;
	opts.psk_len = psk_len;
	opts.psk_hint = hint;
	opts.no_sessions = !sessions;
	rc = emu_fn_set_spdm(fn, &opts);
	OPENSSL_cleanse(psk, sizeof(psk));
	return rc;
}
