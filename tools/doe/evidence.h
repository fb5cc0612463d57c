/* SPDX-License-Identifier: MIT */
/* Evidence: the logged SPDM exchange, and its replay for verification. */
#ifndef DOE_EVIDENCE_H
#define DOE_EVIDENCE_H

#include <doekit/spdm.h>
#include "tool.h"

#define LOG_MAX_MESSAGES 4096	/* a certificate read in 1 KiB chunks, busy retries... */
/* No logged message is larger than the requester's response buffer. */
#define LOG_MAX_MESSAGE_SIZE 65536u

struct logged {
	uint8_t *req, *rsp;
	size_t req_len, rsp_len;
};

struct msglog {
	struct logged *m;
	size_t n, cap;
};

void msglog_free(struct msglog *l);
struct json_object *msglog_json(const struct msglog *l);
struct jin;
/* The member "messages" of the evidence ev: an array of at most
 * LOG_MAX_MESSAGES {"request": HEX, "response": HEX}, nothing else. */
int msglog_from_json(const struct jin *j, struct json_object *ev, struct msglog *l);
/* The signature of the last logged response with this code (CHALLENGE_AUTH
 * or MEASUREMENTS), located from the message layout; NULL if unsigned. */
struct json_object *logged_signature(const struct msglog *l, uint8_t code,
				     const struct spdm_result *r);

/* A transport that records every exchange of an inner one. */
struct tap {
	struct spdm_transport_ops ops;
	const struct spdm_transport_ops *inner;
	void *inner_priv;
	struct msglog log;
	bool log_failed;
};
void tap_init(struct tap *t, const struct spdm_transport_ops *inner, void *inner_priv);

/* A transport that answers from a log and insists on the same requests. */
struct replay {
	struct spdm_transport_ops ops;
	struct doe_ctx *ctx;
	const struct msglog *log;
	size_t next;
};
void replay_init(struct replay *r, struct doe_ctx *ctx, const struct msglog *log, uint8_t align);

/*
 * What a verifier requires of evidence (doe verify-evidence options). The
 * evidence's own policy only rebuilds the requests and must lie inside
 * this one; evidence_check.c says how each field is applied.
 */
struct verifier_policy {
	uint8_t min_version;		/* SPDM_V10..SPDM_V13: negotiated at least this */
	uint32_t asym_algos;		/* BaseAsymAlgo bits the negotiated one must be in */
	uint32_t hash_algos;		/* BaseHashAlgo bits the negotiated one must be in */
	enum spdm_meas_mode meas_mode;	/* required: NONE, ALL (all or each), EACH, INDEX */
	uint8_t meas_index;		/* INDEX: this block must be present */
	bool allow_unsigned;		/* accept measurements no verified signature covers */
	const uint8_t *nonce;		/* the verifier's 32-byte nonce; NULL: not checked */
};

/* 1.0-1.3, every algorithm doekit implements, all measurements, authenticated. */
void verifier_policy_init(struct verifier_policy *vp);

struct attest;
/* The replay inputs of evidence ev (policy, slot, nonce into a->pol and
 * a->nonce) and its log (caller frees). */
int evidence_read(const struct jin *j, struct json_object *ev, struct attest *a,
		  struct msglog *log, uint8_t *align);
/* The evidence's measurement mode against the required one (before the replay). */
int verifier_meas_mode_check(struct doe_ctx *ctx, const struct verifier_policy *vp,
			     const struct spdm_req_policy *ev);
/* What the replay negotiated and measured against the verifier's policy. */
int verifier_result_check(struct doe_ctx *ctx, const struct verifier_policy *vp,
			  const struct spdm_req_policy *ev, const struct spdm_result *r);
/* Every member of ev equals the derived document's (the exceptions are in
 * evidence_check.c); the first difference is named by its path. */
int evidence_claims_check(const struct jin *j, struct json_object *ev,
			  struct json_object *derived);
/*
 * All of it: reads ev, replays its log with a->trust (set by the caller;
 * NULL anchors the chain at its own root), checks it against vp and the
 * claims against the derived document. 0: the evidence holds; <0: it does
 * not (message in the ctx). *req is the requester once the replay started
 * (its result feeds the report), else NULL; log is the caller's to free.
 */
int evidence_check(struct attest *a, const struct verifier_policy *vp, const struct jin *j,
		   struct json_object *ev, struct msglog *log, uint8_t *align,
		   struct spdm_req **req);

#endif
