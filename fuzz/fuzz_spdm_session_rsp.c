// SPDX-License-Identifier: MIT
/*
 * The responder session (spdm_sess_rsp_handle) against anything, from
 * every state. Two knob bytes pick the connection (session_pair.h); then
 * a sequence of operations, each an op byte and its operands:
 *
 *   op & 7 == 0  raw: a chunk (u8 length; u16 if op bit 4) handed to the
 *                responder as it is, secured if op bit 3 (a record that
 *                will not open) or in the clear (any message)
 *   op & 7 == 1  step: the real requester takes the responder's last
 *                answer and makes its next handshake message; a mask
 *                from the input is XORed into it before the responder
 *                gets it (op bit 3 flips how it travels)
 *   op & 7 == 2  sealed: a chunk sealed by the requester with its current
 *                keys, handshake or data phase: any FINISH, PSK_FINISH,
 *                HEARTBEAT, KEY_UPDATE, END_SESSION or application
 *                request the responder has to open and then parse
 *   op & 7 == 3  control: the requester's HEARTBEAT, KEY_UPDATE (op bit 3:
 *                all keys) or END_SESSION (op bit 4), its ACK handled
 *   other        the handshake driven to its end, unmutated, so the
 *                fuzzer reaches the data phase with few bytes
 *
 * Every answer must be one spdm_sess_rsp_handle() documents (session_pair.c:
 * fz_check_rsp), and a failed or ended session must hold no key.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include "session_int.h"
#include "session_pair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The responder takes one message; its answer is kept for the requester. */
static void to_responder(struct fz_pair *p, const uint8_t *msg, size_t len, bool secured)
{
	uint8_t app[1024];
	size_t app_len = 0;
	int rc;

	rc = spdm_sess_rsp_handle(p->rsp, msg, len, secured, p->to_req, sizeof(p->to_req),
				  &p->to_req_len, &p->to_req_sec, app, sizeof(app), &app_len);
	fz_check_rsp(p->rsp, rc, p->to_req, p->to_req_len, p->to_req_sec, app_len, sizeof(app));
}

/* The requester's next handshake message from the responder's last answer. */
static bool requester_step(struct fz_pair *p)
{
	/* before KEY_EXCHANGE the requester takes no input */
	bool first = p->req->step == STEP_START;
	int rc;

	if (spdm_sess_state(p->req) == SPDM_SESS_ESTABLISHED)
		return false;
	rc = spdm_sess_req_next(p->req, first ? NULL : p->to_req, p->to_req_len, p->to_req_sec,
				p->to_rsp, sizeof(p->to_rsp), &p->to_rsp_len, &p->to_rsp_sec);
	fz_check_wiped(p->req);
	return rc == 1;
}

static void control(struct fz_pair *p, uint8_t op)
{
	uint8_t wire[256], app[256];
	size_t len, app_len = 0;
	int rc;

	if (op & 0x10)
		rc = spdm_sess_req_end(p->req, wire, sizeof(wire), &len);
	else if (op & 0x20)
		rc = spdm_sess_req_key_update(p->req, op & 0x08 ? SPDM_KEY_UPDATE_ALL_KEYS
							       : SPDM_KEY_UPDATE_KEY,
					      wire, sizeof(wire), &len);
	else
		rc = spdm_sess_req_heartbeat(p->req, wire, sizeof(wire), &len);
	/* KEY_UPDATE takes a second round: VerifyNewKey */
	for (int round = 0; rc == 0 && round < 2; round++) {
		rc = spdm_sess_rsp_handle(p->rsp, wire, len, true, p->to_req, sizeof(p->to_req),
					  &p->to_req_len, &p->to_req_sec, app, sizeof(app), &app_len);
		fz_check_rsp(p->rsp, rc, p->to_req, p->to_req_len, p->to_req_sec, app_len,
			     sizeof(app));
		if (rc != 0 || !p->to_req_sec)
			return;
		rc = spdm_sess_req_ack(p->req, p->to_req, p->to_req_len, wire, sizeof(wire), &len);
		fz_check_wiped(p->req);
		/* 1: the requester has VerifyNewKey in wire for a second round */
		rc = rc == 1 ? 0 : -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_pair pair, *p = &pair;
	struct doe_ctx *ctx;
	struct doe_rd r;
	const uint8_t *chunk;
	size_t len;
	uint8_t op;

	if (size < 2 || doe_ctx_new(&ctx))
		return 0;
	if (!fz_pair_init(p, ctx, data[0], data[1])) {
		doe_ctx_free(ctx);
		return 0;
	}
	doe_rd_init(&r, data + 2, size - 2);
	for (int i = 0; i < 32 && !doe_rd_u8(&r, &op); i++, fz_check_agree(p)) {
		switch (op & 7) {
		case 0:
			if (fz_chunk(&r, op & 0x10, &chunk, &len))
				to_responder(p, chunk, len, op & 0x08);
			break;
		case 1:
			if (!requester_step(p))
				break;
			fz_mutate(&r, p->to_rsp, p->to_rsp_len);
			to_responder(p, p->to_rsp, p->to_rsp_len, p->to_rsp_sec != !!(op & 0x08));
			break;
		case 2: {
			uint8_t wire[FZ_BUF];
			size_t wlen;

			if (!fz_chunk(&r, false, &chunk, &len))
				break;
			p->peer_sealed = true;
			if (p->req->ks.phase == SPDM_KS_NONE ||
			    sess_seal(p->req, chunk, len, wire, sizeof(wire), &wlen))
				break;
			to_responder(p, wire, wlen, true);
			break;
		}
		case 3:
			control(p, op);
			break;
		default:
			while (requester_step(p))
				to_responder(p, p->to_rsp, p->to_rsp_len, p->to_rsp_sec);
			break;
		}
	}
	fz_pair_fini(p);
	doe_ctx_free(ctx);
	return 0;
}
