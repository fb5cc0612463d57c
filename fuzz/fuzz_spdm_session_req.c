// SPDX-License-Identifier: MIT
/*
 * The requester session (spdm_sess_req_next, spdm_sess_req_ack) against
 * any response. Two knob bytes pick the connection (session_pair.h); the
 * requester has sent KEY_EXCHANGE (or PSK_EXCHANGE) when the operations
 * start, each an op byte and its operands:
 *
 *   op & 7 == 0  raw: a chunk (u16 length) as the response, secured if op
 *                bit 3: any KEY_EXCHANGE_RSP, ERROR, FINISH_RSP, ACK
 *   op & 7 == 1  step: the real responder answers the requester's last
 *                message; a mask from the input is XORed into the answer
 *                (op bit 3 flips how it travels), so signatures, verify
 *                data and records are genuine until the fuzzer breaks them
 *   op & 7 == 2  sealed: a chunk (u8 length) sealed by the responder with
 *                its current keys, so FINISH_RSP, PSK_FINISH_RSP and the
 *                ACKs reach the parsers whatever they hold
 *   op & 7 == 3  control: the requester's HEARTBEAT, KEY_UPDATE (op bit 3:
 *                all keys) or END_SESSION (op bit 4), for the next step
 *   other        the handshake driven to its end, unmutated
 *
 * The requester may fail, but then for good and with every key wiped;
 * when it sends, the message fits its buffer.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include "session_int.h"
#include "session_pair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What spdm_sess_req_next() / spdm_sess_req_ack() may answer. */
static void check_req(const struct spdm_sess *s, int rc, size_t out_len, bool ack)
{
	enum spdm_sess_state st = spdm_sess_state(s);

	fz_check_wiped(s);
	if (rc > 1 || (rc < 0 && st != SPDM_SESS_FAILED && st != SPDM_SESS_ENDED) ||
	    (rc == 1 && (out_len < 4 || out_len > FZ_BUF)) ||
	    (rc == 0 && st != SPDM_SESS_ESTABLISHED && !(ack && st == SPDM_SESS_ENDED)))
		abort();
}

/* A response for the requester: to the handshake, or to a session request. */
static void to_requester(struct fz_pair *p, const uint8_t *msg, size_t len, bool secured)
{
	bool ack = spdm_sess_state(p->req) == SPDM_SESS_ESTABLISHED;
	int rc;

	p->to_rsp_len = 0;
	if (ack) {
		rc = spdm_sess_req_ack(p->req, msg, len, p->to_rsp, sizeof(p->to_rsp),
				       &p->to_rsp_len);
		p->to_rsp_sec = true;
	} else {
		rc = spdm_sess_req_next(p->req, msg, len, secured, p->to_rsp, sizeof(p->to_rsp),
					&p->to_rsp_len, &p->to_rsp_sec);
	}
	check_req(p->req, rc, p->to_rsp_len, ack);
	if (rc != 1)
		p->to_rsp_len = 0;
}

/* The real responder answers what the requester sent last. */
static bool responder_step(struct fz_pair *p)
{
	uint8_t app[1024];
	size_t app_len;
	int rc;

	if (!p->to_rsp_len)
		return false;
	rc = spdm_sess_rsp_handle(p->rsp, p->to_rsp, p->to_rsp_len, p->to_rsp_sec, p->to_req,
				  sizeof(p->to_req), &p->to_req_len, &p->to_req_sec, app,
				  sizeof(app), &app_len);
	p->to_rsp_len = 0;
	return rc == 0 || (rc < 0 && p->to_req_len);
}

static void control(struct fz_pair *p, uint8_t op)
{
	int rc;

	p->to_rsp_len = 0;
	if (op & 0x10)
		rc = spdm_sess_req_end(p->req, p->to_rsp, sizeof(p->to_rsp), &p->to_rsp_len);
	else if (op & 0x20)
		rc = spdm_sess_req_key_update(p->req, op & 0x08 ? SPDM_KEY_UPDATE_ALL_KEYS
							       : SPDM_KEY_UPDATE_KEY,
					      p->to_rsp, sizeof(p->to_rsp), &p->to_rsp_len);
	else
		rc = spdm_sess_req_heartbeat(p->req, p->to_rsp, sizeof(p->to_rsp), &p->to_rsp_len);
	fz_check_wiped(p->req);
	if (rc)
		p->to_rsp_len = 0;
	p->to_rsp_sec = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_pair pair, *p = &pair;
	struct doe_ctx *ctx;
	struct doe_rd r;
	const uint8_t *chunk;
	size_t len;
	uint8_t op;
	int rc;

	if (size < 2 || doe_ctx_new(&ctx))
		return 0;
	if (!fz_pair_init(p, ctx, data[0], data[1])) {
		doe_ctx_free(ctx);
		return 0;
	}
	/* KEY_EXCHANGE / PSK_EXCHANGE goes out before any input is read */
	rc = spdm_sess_req_next(p->req, NULL, 0, false, p->to_rsp, sizeof(p->to_rsp),
				&p->to_rsp_len, &p->to_rsp_sec);
	if (rc != 1)
		abort();
	doe_rd_init(&r, data + 2, size - 2);
	for (int i = 0; i < 32 && !doe_rd_u8(&r, &op); i++, fz_check_agree(p)) {
		switch (op & 7) {
		case 0:
			if (fz_chunk(&r, true, &chunk, &len))
				to_requester(p, chunk, len, op & 0x08);
			break;
		case 1:
			if (!responder_step(p))
				break;
			fz_mutate(&r, p->to_req, p->to_req_len);
			to_requester(p, p->to_req, p->to_req_len, p->to_req_sec != !!(op & 0x08));
			break;
		case 2: {
			uint8_t wire[FZ_BUF];
			size_t wlen;

			if (!fz_chunk(&r, false, &chunk, &len))
				break;
			p->peer_sealed = true;
			if (p->rsp->ks.phase == SPDM_KS_NONE ||
			    sess_seal(p->rsp, chunk, len, wire, sizeof(wire), &wlen))
				break;
			to_requester(p, wire, wlen, true);
			break;
		}
		case 3:
			control(p, op);
			break;
		default:
			while (spdm_sess_state(p->req) != SPDM_SESS_ESTABLISHED && responder_step(p))
				to_requester(p, p->to_req, p->to_req_len, p->to_req_sec);
			break;
		}
	}
	fz_pair_fini(p);
	doe_ctx_free(ctx);
	return 0;
}
