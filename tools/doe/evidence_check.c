// SPDX-License-Identifier: MIT
/*
 * doe verify-evidence: the verifier decides, never the file.
 *
 * An evidence file is a claim made by whoever wrote it. What it may
 * contribute is the input of the replay, and only because the replay
 * needs it: the requester's policy at attestation time (it shaped every
 * request, and each must be rebuilt byte for byte), the slot, the nonce,
 * the transport framing (align) and the logged messages. So:
 *
 *  1. those inputs are read strictly (jin.h: type, range, no null);
 *  2. the file's measurement mode must give what the verifier requires;
 *  3. the requester runs again against the log (evidence.c), anchored in
 *     the verifier's trust store;
 *  4. what it negotiated, and whether the measurements are authenticated,
 *     are held against the verifier's policy (struct verifier_policy);
 *  5. the document the replay derives, built by attest_doc() exactly as
 *     doe attest builds it, must equal the file member by member.
 *
 * Members step 5 does not compare, and why:
 *  - "verified", "reason", "trust", and with --policy "verdict" and
 *    "reasons": the attester's verdict against its own trust store (or
 *    none) and policy. The verifier makes its own with its own; a
 *    file claiming "verified": true gains nothing by it.
 *  - "messages": the replay's input itself; every message must be used.
 *  - "device", "transport": the attester's names for where it reached the
 *    responder. No SPDM message carries them, so no replay can derive
 *    them. They are checked for the forms doe attest writes and against
 *    the framing the log used (policy.align), and are reported as claimed;
 *    the device's identity is its verified certificate chain and CMA SAN.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attest.h"
#include "evidence.h"
#include "internal.h"
#include "jin.h"

void verifier_policy_init(struct verifier_policy *vp)
{
	memset(vp, 0, sizeof(*vp));
	vp->min_version = SPDM_V10;
	vp->asym_algos = SPDM_ASYM_ALL;
	vp->hash_algos = SPDM_HASH_ALL;
	vp->meas_mode = SPDM_MEAS_ALL;
}

/* ---- 1. the replay inputs ---- */

static int read_mask(const struct jin *j, struct json_object *p, const char *key, uint32_t all,
		     uint32_t *out)
{
	uint64_t x;

	TRY(jin_u64(j, p, "policy", key, JIN_REQ, 1, all, &x));
	if (x & ~(uint64_t)all)
		return doe_err(j->ctx, -EINVAL, "%s: policy.%s: 0x%llx has bits doekit does not know",
			       j->doc, key, (unsigned long long)x);
	*out = (uint32_t)x;
	return 0;
}

static int read_policy(const struct jin *j, struct json_object *ev, struct attest *a,
		       uint8_t *align)
{
	static const char *const known[] = {
		"versions", "asym_algos", "hash_algos", "measurements", "measurements_signed",
		"align", NULL
	};
	struct json_object *p;
	const char *mode = NULL;
	uint64_t a64 = 0;
	uint32_t x = 0;	/* set on success; -O2 cannot see TRY() returns otherwise */

	TRY(jin_obj(j, ev, "", "policy", JIN_REQ, &p));
	TRY(jin_only(j, p, "policy", known));
	TRY(read_mask(j, p, "versions", SPDM_VMASK_ALL, &x));
	a->pol.versions = (uint8_t)x;
	TRY(read_mask(j, p, "asym_algos", SPDM_ASYM_ALL, &a->pol.asym_algos));
	TRY(read_mask(j, p, "hash_algos", SPDM_HASH_ALL, &a->pol.hash_algos));
	TRY(jin_u64(j, p, "policy", "align", JIN_REQ, 1, 4, &a64));	/* check_transport() */
	*align = (uint8_t)a64;
	TRY(jin_str(j, p, "policy", "measurements", JIN_REQ, 8, &mode));
	if (parse_meas_mode(mode, &a->pol))
		return doe_err(j->ctx, -EINVAL,
			       "%s: policy.measurements: '%s' is not all, none, count, each or 1-254",
			       j->doc, mode);
	TRY(jin_bool(j, p, "policy", "measurements_signed", JIN_REQ, &a->pol.meas_signed));
	return 0;
}

/* A name printed back to the user must not carry terminal controls. */
static int read_name(const struct jin *j, struct json_object *ev, const char *key, char *buf,
		     size_t len)
{
	const char *s;

	TRY(jin_str(j, ev, "", key, JIN_REQ, len - 1, &s));
	for (const char *c = s; *c; c++)
		if (*c < 0x20 || *c > 0x7E)
			return doe_err(j->ctx, -EINVAL, "%s: %s: control or non-ASCII character",
				       j->doc, key);
	snprintf(buf, len, "%s", s);
	return 0;
}

int evidence_read(const struct jin *j, struct json_object *ev, struct attest *a,
		  struct msglog *log, uint8_t *align)
{
	uint64_t slot;
	bool cached = false;
	size_t n;

	memset(log, 0, sizeof(*log));
	TRY(read_policy(j, ev, a, align));
	TRY(jin_u64(j, ev, "", "slot", JIN_REQ, 0, 7, &slot));
	a->pol.slot = (uint8_t)slot;
	TRY(jin_hex(j, ev, "", "nonce", JIN_REQ, a->nonce, sizeof(a->nonce), SPDM_NONCE_SIZE, &n));
	/* The attester reused a chain it had verified before: the log has no
	 * CERTIFICATE, so the replay takes the chain from the evidence. It is
	 * verified against our own anchors, and DIGESTS in the log must name
	 * its hash, or the replay asks for it and fails. */
	TRY(jin_bool(j, ev, "", "chain_cached", JIN_OPT, &cached));
	if (cached) {
		TRY(jin_hex(j, ev, "", "certificate_chain_spdm", JIN_REQ, a->chain,
			    sizeof(a->chain), 0, &n));
		a->pol.known_chain = a->chain;
		a->pol.known_chain_len = n;
	}
	return msglog_from_json(j, ev, log);
}

/* The members that are not derived: the names (taken as claimed, checked
 * by check_transport()) and the attester's verdict (ignored, but it must
 * still have the types doe attest writes). */
static int read_underived(const struct jin *j, struct json_object *ev, struct attest *a)
{
	struct json_object *v;
	bool b;

	TRY(read_name(j, ev, "device", a->name, sizeof(a->name)));
	TRY(read_name(j, ev, "transport", a->via, sizeof(a->via)));
	TRY(jin_bool(j, ev, "", "verified", JIN_REQ, &b));
	if (!json_object_object_get_ex(ev, "trust", &v) || v)	/* null: attested without one */
		TRY(jin_str(j, ev, "", "trust", JIN_REQ, 4096, &(const char *){ NULL }));
	TRY(jin_str(j, ev, "", "reason", JIN_OPT, 4096, &(const char *){ NULL }));
	return 0;
}

/* transport: "DOE@0x%03x" or "socket (T)", as doe attest names them, and
 * framed as the log was: DOE and the spdm-emu PCI_DOE framing pad to a DW. */
static int check_transport(const struct jin *j, const struct attest *a, uint8_t align)
{
	static const struct {
		const char *name;
		uint8_t align;
	} socks[] = { { "socket (pci-doe)", 4 }, { "socket (mctp)", 1 }, { "socket (none)", 1 } };
	bool sock = !strncmp(a->name, "tcp:", 4), known = false;
	uint8_t want = 0;
	unsigned off;
	char canon[16];

	if (sscanf(a->via, "DOE@0x%3x", &off) == 1 && off >= 0x100 && off <= 0xFFC && !(off % 4)) {
		snprintf(canon, sizeof(canon), "DOE@0x%03x", off);
		known = !strcmp(canon, a->via);
		want = 4;
		if (known && sock)
			return doe_err(j->ctx, -EBADMSG,
				       "%s: device: '%s' is a socket, transport '%s' a DOE mailbox",
				       j->doc, a->name, a->via);
	}
	for (size_t i = 0; !known && i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (strcmp(a->via, socks[i].name))
			continue;
		known = true;
		want = socks[i].align;
		if (!sock)
			return doe_err(j->ctx, -EBADMSG,
				       "%s: device: '%s' is no tcp:HOST:PORT, transport '%s' a socket",
				       j->doc, a->name, a->via);
	}
	if (!known)
		return doe_err(j->ctx, -EBADMSG, "%s: transport: '%s' is not one doe attest names",
			       j->doc, a->via);
	if (want != align)
		return doe_err(j->ctx, -EBADMSG,
			       "%s: transport: '%s' pads messages to %u bytes, the log was made with policy.align %u",
			       j->doc, a->via, want, align);
	return 0;
}

/* ---- 2. and 4. the verifier's policy ---- */

static const char *mode_name(enum spdm_meas_mode m, uint8_t index, char *buf, size_t len)
{
	struct spdm_req_policy p = { .meas_mode = m, .meas_index = index };

	return meas_mode_name(&p, buf, len);
}

int verifier_meas_mode_check(struct doe_ctx *ctx, const struct verifier_policy *vp,
			     const struct spdm_req_policy *ev)
{
	bool every = ev->meas_mode == SPDM_MEAS_ALL || ev->meas_mode == SPDM_MEAS_EACH;
	char have[8], want[8];
	bool ok;

	switch (vp->meas_mode) {
	case SPDM_MEAS_NONE:
		ok = true;
		break;
	case SPDM_MEAS_ALL:		/* every block, asked at once or one by one */
		ok = every;
		break;
	case SPDM_MEAS_INDEX:		/* that block; with all/each checked after the replay */
		ok = every || (ev->meas_mode == SPDM_MEAS_INDEX && ev->meas_index == vp->meas_index);
		break;
	default:			/* each, count: as asked */
		ok = ev->meas_mode == vp->meas_mode;
		break;
	}
	if (ok)
		return 0;
	return doe_err(ctx, -EKEYREJECTED, "evidence measurements '%s', verifier requires '%s'",
		       meas_mode_name(ev, have, sizeof(have)),
		       mode_name(vp->meas_mode, vp->meas_index, want, sizeof(want)));
}

static bool has_block(struct doe_ctx *ctx, const struct spdm_result *r, uint8_t index)
{
	struct spdm_meas_block b;
	size_t off = 0;

	while (spdm_meas_next(ctx, r->meas_record, r->meas_record_len, &off, &b) == 1)
		if (b.index == index)
			return true;
	return false;
}

int verifier_result_check(struct doe_ctx *ctx, const struct verifier_policy *vp,
			  const struct spdm_req_policy *ev, const struct spdm_result *r)
{
	if (r->version < vp->min_version)
		return doe_err(ctx, -EKEYREJECTED,
			       "evidence negotiated SPDM %u.%u, verifier requires >= %u.%u",
			       r->version >> 4, r->version & 0xF, vp->min_version >> 4,
			       vp->min_version & 0xF);
	if (!r->asym_algo || (r->asym_algo & ~vp->asym_algos))
		return doe_err(ctx, -EKEYREJECTED, "evidence asym %s not in verifier's --asym",
			       asym_cli_name(r->asym_algo));
	if (!r->hash_algo || (r->hash_algo & ~vp->hash_algos))
		return doe_err(ctx, -EKEYREJECTED, "evidence hash %s not in verifier's --hash",
			       hash_cli_name(r->hash_algo));
	if (ev->meas_mode == SPDM_MEAS_NONE)
		return 0;
	if (vp->meas_mode == SPDM_MEAS_INDEX && ev->meas_mode != SPDM_MEAS_INDEX &&
	    !has_block(ctx, r, vp->meas_index))
		return doe_err(ctx, -EKEYREJECTED,
			       "evidence has no measurement block %u, verifier requires it",
			       vp->meas_index);
	/* whatever the verifier asked for, it reports nothing it cannot vouch for */
	if (!meas_authenticated(r) && !vp->allow_unsigned)
		return doe_err(ctx, -EKEYREJECTED,
			       "evidence measurements are NOT authenticated: unsigned, and no verified "
			       "CHALLENGE_AUTH summary hash covers them (--allow-unsigned accepts that)");
	return 0;
}

/* ---- 5. the claims against the derived document ---- */

static const char *kind(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a real number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

/* A value for a message: short ones as JSON (escaped), long ones by size. */
static const char *show(struct json_object *v, char *buf, size_t len)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s);

	if (n <= 48)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%.40s... (%zu characters)", s, n);
	return buf;
}

/* A member name from the file, for a message: it may hold anything, so
 * only printable ASCII goes to the terminal, and not much of it. */
static const char *key_show(const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 4 < len; i++)
		buf[i] = key[i] >= 0x20 && key[i] < 0x7F ? key[i] : '?';
	if (key[i])
		memcpy(buf + i++, "...", 3), i += 2;
	buf[i] = '\0';
	return buf;
}

static int differs(const struct jin *j, const char *path, struct json_object *have,
		   struct json_object *want)
{
	char p[128], a[96], b[96];

	if (json_object_get_type(have) != json_object_get_type(want))
		return doe_err(j->ctx, -EBADMSG, "%s: %s: the file has %s, the replay derives %s",
			       j->doc, path, kind(have), kind(want));
	if (json_object_is_type(want, json_type_object)) {
		json_object_object_foreach(want, key, wv) {
			struct json_object *hv;

			jin_path(p, sizeof(p), path, key, 0);
			if (!json_object_object_get_ex(have, key, &hv))
				return doe_err(j->ctx, -EBADMSG,
					       "%s: %s: missing, the replay derives %s", j->doc, p,
					       show(wv, b, sizeof(b)));
			TRY(differs(j, p, hv, wv));
		}
		json_object_object_foreach(have, hkey, hv) {
			(void)hv;
			if (!json_object_object_get_ex(want, hkey, NULL))
				return doe_err(j->ctx, -EBADMSG,
					       "%s: %s: the replay derives no such member", j->doc,
					       jin_path(p, sizeof(p), path,
							key_show(hkey, a, sizeof(a)), 0));
		}
		return 0;
	}
	if (json_object_is_type(want, json_type_array)) {
		size_t n = json_object_array_length(want);

		if (json_object_array_length(have) != n)
			return doe_err(j->ctx, -EBADMSG,
				       "%s: %s: %zu elements, the replay derives %zu", j->doc, path,
				       json_object_array_length(have), n);
		for (size_t i = 0; i < n; i++)
			TRY(differs(j, jin_path(p, sizeof(p), path, NULL, i),
				    json_object_array_get_idx(have, i),
				    json_object_array_get_idx(want, i)));
		return 0;
	}
	if (!json_object_equal(have, want))
		return doe_err(j->ctx, -EBADMSG, "%s: %s: the file says %s, the replay derives %s",
			       j->doc, path, show(have, a, sizeof(a)), show(want, b, sizeof(b)));
	return 0;
}

static bool not_compared(const char *key)
{
	/* "verdict", "reasons": doe attest --policy's appraisal, as
	 * attester-side as "verified"; verify-evidence --policy re-derives it */
	static const char *const skip[] = { "verified", "reason", "trust", "messages", "verdict",
					    "reasons" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(key, skip[i]))
			return true;
	return false;
}

int evidence_claims_check(const struct jin *j, struct json_object *ev,
			  struct json_object *derived)
{
	char b[96], k[48];

	json_object_object_foreach(derived, key, wv) {
		struct json_object *hv;

		if (not_compared(key))
			continue;
		if (!json_object_object_get_ex(ev, key, &hv))
			return doe_err(j->ctx, -EBADMSG, "%s: %s: missing, the replay derives %s",
				       j->doc, key, show(wv, b, sizeof(b)));
		TRY(differs(j, key, hv, wv));
	}
	json_object_object_foreach(ev, hkey, hv) {
		(void)hv;
		if (!not_compared(hkey) && !json_object_object_get_ex(derived, hkey, NULL))
			return doe_err(j->ctx, -EBADMSG, "%s: %s: the replay derives no such member",
				       j->doc, key_show(hkey, k, sizeof(k)));
	}
	return 0;
}

/* ---- all of it ---- */

int evidence_check(struct attest *a, const struct verifier_policy *vp, const struct jin *j,
		   struct json_object *ev, struct msglog *log, uint8_t *align,
		   struct spdm_req **req)
{
	struct doe_ctx *ctx = a->t->ctx;
	const struct spdm_result *r;
	struct json_object *derived;
	struct replay rp;
	int rc;

	*req = NULL;
	TRY(evidence_read(j, ev, a, log, align));
	if (vp->nonce && memcmp(vp->nonce, a->nonce, SPDM_NONCE_SIZE)) {
		char have[2 * SPDM_NONCE_SIZE + 1], want[2 * SPDM_NONCE_SIZE + 1];

		hex_encode(a->nonce, SPDM_NONCE_SIZE, have);
		hex_encode(vp->nonce, SPDM_NONCE_SIZE, want);
		return doe_err(ctx, -EKEYREJECTED,
			       "evidence used nonce %s, not the one given (%s): not fresh", have,
			       want);
	}
	TRY(verifier_meas_mode_check(ctx, vp, &a->pol));
	a->pol.trust = a->trust;
	a->pol.nonce = a->nonce;
	attest_use_buffers(a);
	TRY(spdm_req_init(a->mem, sizeof(a->mem), ctx, &a->pol, req));
	replay_init(&rp, ctx, log, *align);
	TRY(spdm_req_run(*req, &rp.ops, &rp, a->rsp, sizeof(a->rsp), 0));
	if (rp.next != log->n)
		return doe_err(ctx, -EBADMSG, "evidence: %zu logged messages were not used",
			       log->n - rp.next);
	r = spdm_req_result(*req);
	TRY(verifier_result_check(ctx, vp, &a->pol, r));
	/* only now: the replay needs none of them, and a fuzzer's seed may
	 * then be just the replay inputs */
	TRY(read_underived(j, ev, a));
	TRY(check_transport(j, a, *align));
	derived = attest_doc(a, r, 0, log, *align, false);
	if (!derived)
		return doe_err(ctx, -ENOMEM, "out of memory");
	rc = evidence_claims_check(j, ev, derived);
	json_object_put(derived);
	return rc;
}
