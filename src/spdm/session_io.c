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
	uint8_t out[256], in[IO_BUF];
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

/*
 * GET_MEASUREMENTS inside the session, unsigned: the session's keys come
 * from a KEY_EXCHANGE whose signature covered the responder's identity (or
 * from a PSK), so every record it carries is already authenticated and
 * bound to this session; a signature would add nothing but work.
 */
int spdm_sess_get_measurements(struct spdm_sess *s, const struct spdm_transport_ops *ops,
			       void *priv, uint8_t operation, uint8_t *record, size_t cap,
			       size_t *len, uint8_t *nblocks)
{
	struct spdm_get_meas g = { .operation = operation };
	struct spdm_neg n = sess_neg(s);
	struct spdm_meas_rsp m;
	uint8_t req[64], rsp[IO_BUF];
	size_t rlen;
	struct doe_wr w;
	int rc;

	if (operation == SPDM_MEAS_OP_COUNT)
		return doe_err(s->ctx, -EINVAL, "session: measurement operation 0 is a count, not a record");
	doe_wr_init(&w, req, sizeof(req));
	TRY(spdm_enc_get_measurements(&w, s->conn.version, &g));
	TRY(spdm_sess_exchange(s, ops, priv, req, doe_wr_len(&w), rsp, sizeof(rsp), &rlen));
	n.align = 1;	/* inside a record nothing is padded */
	if (rlen >= 4 && rsp[1] == SPDM_ERROR)
		return doe_err(s->ctx, -EPROTO, "GET_MEASUREMENTS in the session: ERROR %s (0x%02x)",
			       spdm_error_name(rsp[2]), rsp[2]);
	rc = spdm_parse_measurements(s->ctx, &n, false, rsp, rlen, &m);
	if (rc < 0)
		return rc;
	if (m.record_len > cap)
		return doe_err(s->ctx, -ENOBUFS, "GET_MEASUREMENTS in the session: %u-byte record, room for %zu",
			       m.record_len, cap);
	/* KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP's MeasurementSummaryHash (type
	 * all) is the hash of every block: what was read must be what it said */
	if (operation == SPDM_MEAS_OP_ALL && s->has_summary &&
	    s->opts.summary_hash_type == SPDM_SUMMARY_ALL) {
		uint8_t h[SPDM_MAX_HASH_SIZE];

		TRY(spdm_hash_all(s->ctx, s->conn.hash_algo, m.record, m.record_len, h));
		if (CRYPTO_memcmp(h, s->summary_hash, s->hash_size))
			return doe_err(s->ctx, -EKEYREJECTED,
				       "MeasurementSummaryHash of the session's handshake does not match the measurements read in it");
		s->summary_checked = true;
	}
	memcpy(record, m.record, m.record_len);
	*len = m.record_len;
	*nblocks = m.nblocks;
	return 0;
}

bool spdm_sess_summary_checked(const struct spdm_sess *s)
{
	return s->summary_checked;
}
