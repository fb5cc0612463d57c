/* SPDX-License-Identifier: MIT */
/*
 * A requester session and a responder session on one made-up connection,
 * for the session fuzzers (fuzz_spdm_session_rsp, fuzz_spdm_session_req):
 * one side is fuzzed, the other is real and produces the genuine messages
 * the fuzzer then mutates. Also the invariants both harnesses check after
 * every call into a session.
 */
#ifndef DOEKIT_FUZZ_SESSION_PAIR_H
#define DOEKIT_FUZZ_SESSION_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <doekit/cursor.h>
#include <doekit/spdm_session.h>

#define FZ_BUF 4096

struct fz_pair {
	_Alignas(16) uint8_t rmem[SPDM_SESSION_CTX_SIZE];
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	struct spdm_sess *req, *rsp;
	struct spdm_conn conn;
	struct spdm_sess_opts ro, so;
	/* the last message each side produced, for the other to take */
	uint8_t to_rsp[FZ_BUF], to_req[FZ_BUF];
	size_t to_rsp_len, to_req_len;
	bool to_rsp_sec, to_req_sec;
	/* the fuzzer had a side seal a message of its choosing: the two
	 * sides may then legitimately disagree */
	bool peer_sealed;
};

/*
 * Sets up both sessions from two knob bytes:
 *   k0: bits 0-1 version (1.1, 1.2, 1.3, 1.3), bit 2 PSK, bit 3 PSK with
 *       responder context, bit 4 handshake in the clear, bit 5 MCTP,
 *       bit 6 MAC only, bit 7 a measurement summary hash asked for
 *   k1: bits 0-1 DHE group, bits 2-3 AEAD, bits 4-5 hash, bit 6 the
 *       responder without HEARTBEAT/KEY_UPDATE, bit 7 without summaries
 * Returns false if this combination cannot make a session (that is the
 * init functions' business, also checked: they must refuse cleanly).
 */
bool fz_pair_init(struct fz_pair *p, struct doe_ctx *ctx, uint8_t k0, uint8_t k1);
void fz_pair_fini(struct fz_pair *p);

/* Reads one length-prefixed chunk of the input (u8 length, or u16 LE if
 * wide: whole handshake messages); false at the end. */
bool fz_chunk(struct doe_rd *r, bool wide, const uint8_t **p, size_t *len);
/* XORs a mask from the input into msg: offset u8, then a chunk. */
void fz_mutate(struct doe_rd *r, uint8_t *msg, size_t len);

/* After a call into a session: a failed or ended session holds no key. */
void fz_check_wiped(const struct spdm_sess *s);
/*
 * Authentication: while the fuzzer only tampers with messages in flight
 * (as a man in the middle can), two sessions that both reached the data
 * phase with nothing pending agree on the session ID and on every key,
 * IV and sequence number. A side that went there on a forged or altered
 * handshake would not.
 */
void fz_check_agree(const struct fz_pair *p);
/* What spdm_sess_rsp_handle() may answer. */
void fz_check_rsp(const struct spdm_sess *s, int rc, const uint8_t *out, size_t out_len,
		  bool secured, size_t app_len, size_t app_cap);

#endif
