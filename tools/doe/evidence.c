// SPDX-License-Identifier: MIT
/*
 * Verifiable evidence. doe attest records every SPDM request and response
 * it exchanged (a tap on the transport); the evidence JSON carries that
 * log with the policy and the nonce. doe verify-evidence runs the same
 * requester again against a transport that replays the log: each request
 * it makes must be byte for byte the logged one, each response is the
 * logged one. So the remote verifier re-checks the chain against its own
 * trust store and every signature over the transcript it rebuilds itself,
 * with exactly the checks doe attest made, and nothing the device said is
 * taken on trust. The nonce is the verifier's to choose (--nonce) and to
 * compare.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>
#include "attest.h"
#include "evidence.h"
#include "internal.h"
#include "jin.h"

void msglog_free(struct msglog *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->m[i].req);
		free(l->m[i].rsp);
	}
	free(l->m);
	memset(l, 0, sizeof(*l));
}

static int msglog_add(struct msglog *l, const void *req, size_t req_len, const void *rsp,
		      size_t rsp_len)
{
	struct logged *m;

	if (l->n == LOG_MAX_MESSAGES)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		struct logged *p = realloc(l->m, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->m = p;
		l->cap = cap;
	}
	m = &l->m[l->n];
	m->req = malloc(req_len ? req_len : 1);
	m->rsp = malloc(rsp_len ? rsp_len : 1);
	if (!m->req || !m->rsp) {
		free(m->req);
		free(m->rsp);
		return -ENOMEM;
	}
	memcpy(m->req, req, req_len);
	memcpy(m->rsp, rsp, rsp_len);
	m->req_len = req_len;
	m->rsp_len = rsp_len;
	l->n++;
	return 0;
}

/* ---- the tap: records what goes through the real transport ---- */

static int tap_exchange(void *priv, const void *req, size_t req_len, void *rsp, size_t rsp_cap,
			size_t *rsp_len)
{
	struct tap *t = priv;
	int rc = t->inner->exchange(t->inner_priv, req, req_len, rsp, rsp_cap, rsp_len);

	if (rc == 0 && msglog_add(&t->log, req, req_len, rsp, *rsp_len))
		t->log_failed = true;	/* the attestation goes on; evidence says so */
	return rc;
}

void tap_init(struct tap *t, const struct spdm_transport_ops *inner, void *inner_priv)
{
	memset(t, 0, sizeof(*t));
	t->inner = inner;
	t->inner_priv = inner_priv;
	t->ops.exchange = tap_exchange;
	t->ops.align = inner->align;
}

/* ---- the replay: answers from the log, checking every request ---- */

static int replay_exchange(void *priv, const void *req, size_t req_len, void *rsp,
			   size_t rsp_cap, size_t *rsp_len)
{
	struct replay *r = priv;
	const struct logged *m;

	if (r->next >= r->log->n)
		return doe_err(r->ctx, -EBADMSG,
			       "evidence: the requester sent message %zu, the log ends after %zu",
			       r->next + 1, r->log->n);
	m = &r->log->m[r->next];
	if (m->req_len != req_len || memcmp(m->req, req, req_len))
		return doe_err(r->ctx, -EBADMSG,
			       "evidence: request %zu differs from the logged one (policy or nonce "
			       "do not match the log, or the log was altered)", r->next + 1);
	if (m->rsp_len > rsp_cap)
		return doe_err(r->ctx, -EMSGSIZE, "evidence: response %zu is too large",
			       r->next + 1);
	memcpy(rsp, m->rsp, m->rsp_len);
	*rsp_len = m->rsp_len;
	r->next++;
	return 0;
}

void replay_init(struct replay *r, struct doe_ctx *ctx, const struct msglog *log, uint8_t align)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->log = log;
	r->ops.exchange = replay_exchange;
	r->ops.align = align;
}

/* ---- JSON ---- */

struct json_object *msglog_json(const struct msglog *l)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < l->n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "request", hex_json(l->m[i].req, l->m[i].req_len));
		json_object_object_add(o, "response", hex_json(l->m[i].rsp, l->m[i].rsp_len));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* One hex member of a logged message, into a buffer of its own. */
static int logged_bytes(const struct jin *j, struct json_object *m, const char *path,
			const char *key, uint8_t **out, size_t *len)
{
	const char *s;
	size_t cap;

	TRY(jin_str(j, m, path, key, JIN_REQ, 2 * LOG_MAX_MESSAGE_SIZE, &s));
	/* sized by the string itself: a log of small messages stays small */
	cap = strlen(s) / 2;
	*out = malloc(cap ? cap : 1);
	if (!*out)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	if (hex_decode(s, *out, cap, len)) {
		free(*out);
		*out = NULL;
		return doe_err(j->ctx, -EINVAL, "%s: %s.%s: not a hex string", j->doc, path, key);
	}
	return 0;
}

int msglog_from_json(const struct jin *j, struct json_object *ev, struct msglog *l)
{
	static const char *const known[] = { "request", "response", NULL };
	struct json_object *arr;
	size_t n;

	memset(l, 0, sizeof(*l));
	TRY(jin_arr(j, ev, "", "messages", JIN_REQ, LOG_MAX_MESSAGES, &arr, &n));
	for (size_t i = 0; i < n; i++) {
		struct json_object *o;
		uint8_t *req = NULL, *rsp = NULL;
		size_t ql = 0, sl = 0;
		char path[32];
		int rc;

		jin_path(path, sizeof(path), "messages", NULL, i);
		rc = jin_at_obj(j, arr, "messages", i, &o);
		if (rc >= 0)
			rc = jin_only(j, o, path, known);
		if (rc >= 0)
			rc = logged_bytes(j, o, path, "request", &req, &ql);
		if (rc >= 0)
			rc = logged_bytes(j, o, path, "response", &rsp, &sl);
		if (rc >= 0 && msglog_add(l, req, ql, rsp, sl))
			rc = doe_err(j->ctx, -ENOMEM, "out of memory");
		free(req);
		free(rsp);
		if (rc < 0) {
			msglog_free(l);
			return rc;
		}
	}
	return 0;
}

/*
 * Where the signature of a logged response starts, from its layout
 * (DSP0274 1.3 §10.9 CHALLENGE_AUTH, §10.11 MEASUREMENTS): a transport
 * such as DOE pads messages, so "the last S bytes" would be wrong.
 */
static size_t sig_offset(const struct logged *m, const struct spdm_result *r)
{
	size_t h = spdm_hash_size(r->hash_algo), ctx13 = r->version >= SPDM_V13 ? 8 : 0;
	struct doe_rd rd;
	uint16_t opaque;
	uint32_t len24;
	uint8_t b[3];

	doe_rd_init(&rd, m->rsp, m->rsp_len);
	if (m->rsp[1] == SPDM_CHALLENGE_AUTH) {
		doe_rd_skip(&rd, 4 + h + SPDM_NONCE_SIZE + r->summary_hash_len);
	} else {
		doe_rd_skip(&rd, 5);
		doe_rd_bytes(&rd, b, 3);
		len24 = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
		doe_rd_skip(&rd, len24 + SPDM_NONCE_SIZE);
	}
	doe_rd_le16(&rd, &opaque);
	doe_rd_skip(&rd, opaque + ctx13);
	return doe_rd_ok(&rd) ? rd.off : SIZE_MAX;
}

/* The signature of the last logged response with this code. */
struct json_object *logged_signature(const struct msglog *l, uint8_t code,
				     const struct spdm_result *r)
{
	size_t sig_len = r->asym_algo ? spdm_sig_size(r->asym_algo) : 0;

	for (size_t i = l->n; i-- > 0;) {
		const struct logged *m = &l->m[i];
		size_t off;

		if (m->rsp_len < 4 || m->rsp[1] != code)
			continue;
		off = sig_offset(m, r);
		if (!sig_len || off == SIZE_MAX || m->rsp_len - off < sig_len)
			return NULL;	/* unsigned, or not what the requester accepted */
		return hex_json(m->rsp + off, sig_len);
	}
	return NULL;
}
