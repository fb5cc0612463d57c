/* SPDX-License-Identifier: MIT */
/* Evidence: the logged SPDM exchange, and its replay for verification. */
#ifndef DOE_EVIDENCE_H
#define DOE_EVIDENCE_H

#include <doekit/spdm.h>
#include "tool.h"

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
int msglog_from_json(struct doe_ctx *ctx, struct json_object *arr, struct msglog *l);
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

#endif
