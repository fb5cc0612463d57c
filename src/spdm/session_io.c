// SPDX-License-Identifier: MIT
/*
 * The thin blocking layer over the sans-I/O session (like spdm_req_run()
 * over the requester): the handshake, one application exchange, and the
 * session requests, each over a struct spdm_transport_ops that carries
 * secured messages.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "session_int.h"
#include "spdm_int.h"

/* Records are at most 4 + 8 + 2 + 0xFFFF bytes; the messages doekit sends
 * and expects in a session are far smaller, so a few KiB on the stack are
 * enough and a larger response is an error, not a truncation. */
#define IO_BUF 4200

static int xfer(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		bool secured, const uint8_t *out, size_t out_len, uint8_t *in, size_t cap,
		size_t *in_len)
{
	int rc;

	if (secured && !ops->exchange_secured)
		return doe_err(s->ctx, -EOPNOTSUPP, "session: this transport carries no secured messages");
	rc = secured ? ops->exchange_secured(priv, out, out_len, in, cap, in_len)
		     : ops->exchange(priv, out, out_len, in, cap, in_len);
	if (rc < 0)
		return doe_err(s->ctx, rc, "session: transport: %s", strerror(-rc));
	return 0;
}

int spdm_sess_run(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv)
{
	uint8_t out[IO_BUF], in[IO_BUF];
	size_t out_len = 0, in_len = 0;
	bool out_sec = false;
	int rc;

	if ((enum spdm_binding)ops->binding != s->opts.binding)
		return doe_err(s->ctx, -EINVAL, "session: set up for the %s binding, transport is %s",
			       s->opts.binding == SPDM_BINDING_MCTP ? "MCTP" : "DOE",
			       ops->binding == SPDM_BINDING_MCTP ? "MCTP" : "DOE");
	for (bool first = true;; first = false) {
		rc = spdm_sess_req_next(s, first ? NULL : in, in_len, out_sec, out, sizeof(out),
					&out_len, &out_sec);
		if (rc <= 0)
			break;
		rc = xfer(s, ops, priv, out_sec, out, out_len, in, sizeof(in), &in_len);
		if (rc) {
			sess_fail(s, rc);
			break;
		}
	}
	OPENSSL_cleanse(out, sizeof(out));
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

int spdm_sess_exchange(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		       const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
		       size_t *rsp_len)
{
	uint8_t out[IO_BUF], in[IO_BUF];
	size_t out_len, in_len;
	int rc = spdm_sess_seal(s, req, req_len, out, sizeof(out), &out_len);

	if (!rc) {
		rc = xfer(s, ops, priv, true, out, out_len, in, sizeof(in), &in_len);
		if (rc)
			sess_fail(s, rc);
	}
	if (!rc)
		rc = spdm_sess_open(s, in, in_len, rsp, rsp_cap, rsp_len);
	OPENSSL_cleanse(out, sizeof(out));
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

int spdm_sess_control(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		      uint8_t code, uint8_t op)
{
	uint8_t out[256], in[256];
	size_t out_len, in_len;
	int rc;

	switch (code) {
	case SPDM_HEARTBEAT:
		rc = spdm_sess_req_heartbeat(s, out, sizeof(out), &out_len);
		break;
	case SPDM_KEY_UPDATE:
		rc = spdm_sess_req_key_update(s, op, out, sizeof(out), &out_len);
		break;
	case SPDM_END_SESSION:
		rc = spdm_sess_req_end(s, out, sizeof(out), &out_len);
		break;
	default:
		return doe_err(s->ctx, -EINVAL, "session: 0x%02x is not a session request", code);
	}
	/* KEY_UPDATE takes two round trips: the update, then VerifyNewKey */
	while (rc == 0 || rc == 1) {
		rc = xfer(s, ops, priv, true, out, out_len, in, sizeof(in), &in_len);
		if (rc) {
			sess_fail(s, rc);
			break;
		}
		rc = spdm_sess_req_ack(s, in, in_len, out, sizeof(out), &out_len);
		if (rc == 0)
			break;
	}
	return rc;
}
