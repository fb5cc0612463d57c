/* SPDX-License-Identifier: MIT */
/*
 * SPDM sessions: the key schedule (DSP0274 1.1-1.3 "Key schedule") and the
 * secured-message record layer (DSP0277), as caller-owned objects.
 *
 * struct spdm_keys holds every secret of one session: the handshake and
 * master secrets, each direction's handshake and data-phase secret, AEAD
 * key, IV (salt) and sequence counter. It is plain data (no pointers), so
 * a session context embeds it and a kernel hand-off copies the data-phase
 * part out. spdm_keys_wipe() clears it with OPENSSL_cleanse(); every
 * failure path of these functions leaves no derived secret behind.
 *
 * The record layer is sans-I/O: spdm_rec_seal() turns application data
 * into one secured message, spdm_rec_open() checks and opens one. Any
 * failure to open (length, session ID, sequence number, tag) is reported
 * as one -EBADMSG "secured message rejected" so a peer learns nothing
 * about which check failed; the caller must then end the session.
 */
#ifndef DOEKIT_SPDM_SESSION_H
#define DOEKIT_SPDM_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <doekit/ctx.h>
#include <doekit/spdm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ALGORITHMS DHE named groups and AEAD cipher suites (DSP0274 Table 20/21) */
#define SPDM_DHE_FFDHE2048 0x0001u
#define SPDM_DHE_FFDHE3072 0x0002u
#define SPDM_DHE_FFDHE4096 0x0004u
#define SPDM_DHE_SECP256R1 0x0008u
#define SPDM_DHE_SECP384R1 0x0010u
#define SPDM_DHE_SECP521R1 0x0020u
#define SPDM_DHE_ALL 0x003Fu

/* "secp256r1" .. "ffdhe4096" for one SPDM_DHE_* bit ("unknown" otherwise),
 * and back (-EINVAL for a name that is none of them). */
DOE_API const char *spdm_dhe_name(uint16_t group);
DOE_API int spdm_dhe_parse(const char *name, uint16_t *group);

#define SPDM_AEAD_AES_128_GCM 0x0001u
#define SPDM_AEAD_AES_256_GCM 0x0002u
#define SPDM_AEAD_CHACHA20_POLY1305 0x0004u
#define SPDM_AEAD_ALL 0x0007u

#define SPDM_AEAD_MAX_KEY 32u
#define SPDM_AEAD_IV_SIZE 12u
#define SPDM_AEAD_TAG_SIZE 16u
#define SPDM_KS_MAX_HASH 64u

/* Key-update operations (KEY_UPDATE Param1) */
#define SPDM_KEY_UPDATE_KEY 1u
#define SPDM_KEY_UPDATE_ALL_KEYS 2u
#define SPDM_KEY_UPDATE_VERIFY_NEW_KEY 3u

/* One direction of one phase. */
struct spdm_dir_keys {
	uint8_t secret[SPDM_KS_MAX_HASH];	/* {req,rsp} {hs,app} data secret */
	uint8_t key[SPDM_AEAD_MAX_KEY];
	uint8_t iv[SPDM_AEAD_IV_SIZE];		/* DSP0277 "salt" */
	uint64_t seq;				/* next sequence number */
};

enum spdm_ks_phase { SPDM_KS_NONE, SPDM_KS_HANDSHAKE, SPDM_KS_DATA };

struct spdm_keys {
	uint8_t version;	/* negotiated SPDM version, 0x11..0x13 */
	uint8_t hash_size;
	uint8_t key_size;
	uint8_t phase;		/* enum spdm_ks_phase */
	uint32_t hash_algo;	/* SPDM_HASH_* */
	uint16_t aead;		/* SPDM_AEAD_* */
	uint8_t handshake_secret[SPDM_KS_MAX_HASH];
	uint8_t req_finished_key[SPDM_KS_MAX_HASH];
	uint8_t rsp_finished_key[SPDM_KS_MAX_HASH];
	uint8_t export_master[SPDM_KS_MAX_HASH];
	struct spdm_dir_keys req, rsp;	/* current phase's keys */
	struct spdm_dir_keys req_prev, rsp_prev;	/* before a key update */
	bool req_prev_valid, rsp_prev_valid;
};

/* Starts a key schedule for the negotiated version (1.1-1.3), hash and
 * AEAD. -EINVAL for anything else. */
DOE_API int spdm_keys_init(struct doe_ctx *ctx, struct spdm_keys *ks, uint8_t version,
			   uint32_t hash_algo, uint16_t aead);

/*
 * Handshake phase: HandshakeSecret = HKDF-Extract(Salt_0, shared), where
 * shared is the DHE secret (KEY_EXCHANGE) or the PSK (PSK_EXCHANGE; 1.3
 * then uses Salt_0 of all 0xFF bytes), then each direction's handshake
 * secret from TH1, its finished key, AEAD key and IV. th1 is hash_size bytes.
 */
DOE_API int spdm_keys_handshake(struct doe_ctx *ctx, struct spdm_keys *ks, const uint8_t *shared,
				size_t shared_len, bool psk, const uint8_t *th1);

/* RequesterVerifyData / ResponderVerifyData: HMAC(finished_key, th).
 * out gets hash_size bytes. */
DOE_API int spdm_keys_verify_data(struct doe_ctx *ctx, const struct spdm_keys *ks, bool requester,
				  const uint8_t *th, uint8_t *out);
/* Compares verify data in constant time: 0, or -EBADMSG naming which. */
DOE_API int spdm_keys_check_verify_data(struct doe_ctx *ctx, const struct spdm_keys *ks,
					bool requester, const uint8_t *th, const uint8_t *got);

/* Data phase from TH2: master secret, data secrets, export master secret,
 * keys and IVs; sequence numbers restart at 0. The handshake secrets and
 * finished keys are wiped: nothing needs them after FINISH. */
DOE_API int spdm_keys_data(struct doe_ctx *ctx, struct spdm_keys *ks, const uint8_t *th2);

/*
 * KEY_UPDATE: the next secret of a direction is HKDF-Expand(secret,
 * bin_concat("traffic upd")); keys and IV follow, the counter restarts.
 * The previous keys are kept until spdm_keys_update_commit() (the peer
 * proved it has the new key) or restored by spdm_keys_update_rollback().
 */
DOE_API int spdm_keys_update(struct doe_ctx *ctx, struct spdm_keys *ks, bool req_dir, bool rsp_dir);
DOE_API void spdm_keys_update_commit(struct spdm_keys *ks);
DOE_API void spdm_keys_update_rollback(struct spdm_keys *ks);

DOE_API void spdm_keys_wipe(struct spdm_keys *ks);

/* The record layer's framing, fixed per transport binding. */
struct spdm_rec_params {
	uint32_t session_id;
	uint8_t seq_size;	/* bytes of sequence number on the wire: 0 (DOE), 2 (MCTP), 8 */
	uint8_t max_pad;	/* random padding 0..max_pad bytes (ENC only); 0 on DOE */
	bool mac_only;		/* session with MAC_CAP but not ENCRYPT_CAP */
	uint8_t align;		/* the transport pads records to this (DOE: 4); up
				 * to align-1 zero bytes may follow a record */
};

/* Sizes: header (4 + seq_size + 2), plus 2 (ENC: app length) + pad, plus tag. */
DOE_API size_t spdm_rec_overhead(const struct spdm_rec_params *p);

/*
 * Seals app (app_len bytes) with dir's key and sequence number, which is
 * then advanced. out must hold app_len + spdm_rec_overhead(). A counter
 * at its maximum refuses (-ERANGE "sequence numbers exhausted"): the
 * session must end, never wrap and reuse an IV.
 */
DOE_API int spdm_rec_seal(struct doe_ctx *ctx, const struct spdm_keys *ks,
			  struct spdm_dir_keys *dir, const struct spdm_rec_params *p,
			  const uint8_t *app, size_t app_len, uint8_t *out, size_t cap,
			  size_t *out_len);

/*
 * Opens one secured message: the session ID must be p->session_id, the
 * wire sequence number (if any) the expected one, the length exact, the
 * tag valid. On success the plaintext application data is in app,
 * *app_len set, and dir's counter advanced. app must hold the record's
 * Length field less the tag (len is always enough), or -ENOBUFS.
 * On any failure: -EBADMSG with one message; dir is unchanged.
 */
DOE_API int spdm_rec_open(struct doe_ctx *ctx, const struct spdm_keys *ks,
			  struct spdm_dir_keys *dir, const struct spdm_rec_params *p,
			  const uint8_t *in, size_t len, uint8_t *app, size_t cap,
			  size_t *app_len);

/* The session ID of a secured message, to find its session (-EBADMSG if
 * shorter than 4 bytes). */
DOE_API int spdm_rec_session_id(const uint8_t *in, size_t len, uint32_t *id);

/* ---- session state machines (session.c, session_req.c, session_rsp.c) ---- */

/*
 * What a session needs from the connection it is set up on: the outcome
 * of VCA (version, algorithms, both sides' CAPABILITIES flags), the VCA
 * bytes themselves (the first part of every session transcript), and for
 * KEY_EXCHANGE the hash of the responder's certificate chain of the slot
 * used. Pointers must outlive the session.
 */
struct spdm_conn {
	uint8_t version;		/* 0x11..0x13 */
	uint32_t hash_algo, asym_algo;	/* BaseHashAlgo, BaseAsymAlgo */
	uint32_t req_asym_algo;		/* ReqBaseAsymAlg (mutual authentication), 0: none */
	uint16_t dhe, aead;		/* one bit each */
	uint32_t req_flags, rsp_flags;	/* CAPABILITIES of requester and responder */
	bool opaque_fmt1;		/* ALGORITHMS OtherParams: OpaqueDataFmt1 (1.2+) */
	const uint8_t *vca;		/* GET_VERSION .. ALGORITHMS, as exchanged */
	size_t vca_len;
	uint8_t slot;			/* certificate slot of the responder's key */
	bool has_chain;			/* KEY_EXCHANGE: chain_hash is set */
	uint8_t chain_hash[SPDM_MAX_HASH_SIZE];	/* Ct: hash of that slot's chain,
					 * as CERTIFICATE delivers it */
	const uint8_t *msg_d;		/* 1.3 multi-key connections: message D (the
					 * first DIGESTS after VCA), else NULL */
	size_t msg_d_len;
	void *peer_key;			/* requester: the verified responder leaf key
					 * (EVP_PKEY *), KEY_EXCHANGE only */
};

/* The connection a responder negotiated (after ALGORITHMS went out);
 * sessions need the session algorithms negotiated, 1.1+. */
DOE_API int spdm_rsp_conn(const struct spdm_rsp *r, struct spdm_conn *c);

/* The measurement summary hash (SPDM_SUMMARY_TCB / _ALL) a responder
 * puts in KEY_EXCHANGE_RSP, for spdm_sess_opts; hash-size bytes. */
DOE_API int spdm_rsp_summary_hash(struct spdm_rsp *r, uint8_t type, uint8_t *out);

/* The connection a finished requester set up (after spdm_req_next()
 * returned 0): 1.1+, session algorithms negotiated (policy req_flags);
 * for KEY_EXCHANGE the verified chain of the policy's slot and its leaf
 * key. The pointers live as long as the requester. */
DOE_API int spdm_req_conn(const struct spdm_req *r, struct spdm_conn *c);

/* KEY_EXCHANGE_RSP MutAuthRequested values a responder can ask for */
#define SPDM_MUT_AUTH_ENCAP 0x02u	/* GET_ENCAPSULATED_REQUEST flow */
#define SPDM_MUT_AUTH_GET_DIGESTS 0x04u	/* the same, GET_DIGESTS implied */

/* A certificate chain in the SPDM format (Length, Reserved, the hash of
 * the root, the certificates) from DER certificates, root first. */
DOE_API int spdm_chain_encode(struct doe_ctx *ctx, uint32_t hash_algo, const uint8_t *certs_der,
			      size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Transport bindings: where sequence numbers and padding go, and whether
 * application data starts with an MCTP message-type byte. */
enum spdm_binding { SPDM_BINDING_DOE, SPDM_BINDING_MCTP };

struct spdm_sess_opts {
	enum spdm_binding binding;
	uint8_t summary_hash_type;	/* requester: SPDM_SUMMARY_* asked in KEY_EXCHANGE */
	uint8_t session_policy;		/* requester, 1.2+ */
	uint16_t half_id;		/* our half of the session ID; 0: random */
	/* PSK sessions: both sides; the responder picks by hint */
	const uint8_t *psk;
	size_t psk_len;
	const uint8_t *psk_hint;
	size_t psk_hint_len;
	/* our key: the responder signs KEY_EXCHANGE_RSP with it, a requester
	 * FINISH (mutual authentication) */
	const struct spdm_signer_ops *signer;
	void *signer_priv;
	/* mutual authentication, requester: our chain in the SPDM format for
	 * the negotiated hash (spdm_chain_encode()), served from slot 0 */
	const uint8_t *own_chain;
	size_t own_chain_len;
	/* mutual authentication, responder: MutAuthRequested to ask for
	 * (SPDM_MUT_AUTH_ENCAP or SPDM_MUT_AUTH_GET_DIGESTS; 0: none), the
	 * anchors of the requester's chain (NULL: its own root) and where that
	 * chain goes while it is read */
	uint8_t mut_auth;
	const struct spdm_trust *peer_trust;
	uint8_t *peer_chain_buf;
	size_t peer_chain_cap;
	/* responder */
	const uint8_t *summary_tcb;	/* measurement summary hashes (hash size) */
	const uint8_t *summary_all;
	uint8_t heartbeat_period;	/* seconds, 0: no heartbeat */
	/* test knobs (responder) */
	bool corrupt_verify_data;	/* flip a bit of ResponderVerifyData */
	bool ignore_key_update;		/* ACK KEY_UPDATE, keep the old keys */
};

enum spdm_sess_state {
	SPDM_SESS_IDLE,		/* nothing sent or received yet */
	SPDM_SESS_HANDSHAKE,	/* KEY_EXCHANGE/PSK_EXCHANGE done, FINISH pending */
	SPDM_SESS_ESTABLISHED,	/* data phase */
	SPDM_SESS_ENDED,	/* END_SESSION acknowledged: keys wiped */
	SPDM_SESS_FAILED,	/* any failure: keys wiped, nothing more */
};

/* 1,176 bytes are used on x86-64 today; beside them libcrypto holds the
 * transcript hash and the ephemeral key during the handshake only, and a
 * responder asking for mutual authentication the requester's leaf key. */
#define SPDM_SESSION_CTX_SIZE 2048u
struct spdm_sess;

/* Requester and responder sessions in caller memory (>= SPDM_SESSION_CTX_SIZE).
 * spdm_sess_fini() wipes every secret and frees libcrypto objects. */
DOE_API int spdm_sess_req_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
			       const struct spdm_conn *conn, const struct spdm_sess_opts *o,
			       struct spdm_sess **out);
DOE_API int spdm_sess_rsp_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
			       const struct spdm_conn *conn, const struct spdm_sess_opts *o,
			       struct spdm_sess **out);
DOE_API void spdm_sess_fini(struct spdm_sess *s);

DOE_API enum spdm_sess_state spdm_sess_state(const struct spdm_sess *s);
DOE_API uint32_t spdm_sess_id(const struct spdm_sess *s);
DOE_API bool spdm_sess_is_psk(const struct spdm_sess *s);
/* Whether the requester authenticated too (MutAuthRequested, FINISH signed). */
DOE_API bool spdm_sess_is_mutual(const struct spdm_sess *s);
/* The session's keys (for the kernel hand-off): data phase only. */
DOE_API const struct spdm_keys *spdm_sess_keys(const struct spdm_sess *s);
DOE_API const struct spdm_rec_params *spdm_sess_rec_params(const struct spdm_sess *s);

/*
 * Requester handshake, one step at a time like spdm_req_next(): pass the
 * response to the last request (NULL/0 first); the next request goes to
 * out. *secured says how it travels (DOE: data object type 2 instead of 1;
 * MCTP: message type 0x06 instead of 0x05), in_secured how the response
 * came. Returns 1 (send out), 0 (established), <0 (failed: session dead).
 */
DOE_API int spdm_sess_req_next(struct spdm_sess *s, const uint8_t *in, size_t in_len,
			       bool in_secured, uint8_t *out, size_t out_cap, size_t *out_len,
			       bool *secured);

/* Data phase: seal an application message (an SPDM request or response
 * as the role implies) / open one from the peer. A failed open ends the
 * session. The session keeps one keyed AEAD context per direction
 * (libcrypto's heap, about 1 KiB each, freed when the keys are wiped), so
 * a message costs an IV change, not a key setup; spdm_rec_seal() and
 * spdm_rec_open() alone key a context per message. */
DOE_API int spdm_sess_seal(struct spdm_sess *s, const uint8_t *msg, size_t len, uint8_t *out,
			   size_t out_cap, size_t *out_len);
DOE_API int spdm_sess_open(struct spdm_sess *s, const uint8_t *in, size_t len, uint8_t *msg,
			   size_t msg_cap, size_t *msg_len);

/* Requester session requests, sealed into out: HEARTBEAT, KEY_UPDATE
 * (op SPDM_KEY_UPDATE_KEY / _ALL_KEYS; the VerifyNewKey that must follow
 * is made by spdm_sess_req_ack()), END_SESSION. */
DOE_API int spdm_sess_req_heartbeat(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *len);
DOE_API int spdm_sess_req_key_update(struct spdm_sess *s, uint8_t op, uint8_t *out, size_t cap,
				     size_t *len);
DOE_API int spdm_sess_req_end(struct spdm_sess *s, uint8_t *out, size_t cap, size_t *len);
/* The sealed answer to the last of those. Returns 0 (done), 1 (another
 * request is in out: KEY_UPDATE VerifyNewKey), <0 (session failed). */
DOE_API int spdm_sess_req_ack(struct spdm_sess *s, const uint8_t *in, size_t in_len, uint8_t *out,
			      size_t cap, size_t *len);

/*
 * Responder: one message for this session (KEY_EXCHANGE or PSK_EXCHANGE
 * in the clear, anything else secured). Returns
 *   0  a response is in out (*secured: how it travels);
 *   1  in held an application request, now plain in app[0..*app_len):
 *      answer it (e.g. spdm_rsp_handle()) and spdm_sess_seal() the answer;
 *  <0  the message was refused; out holds an ERROR to send if *out_len.
 */
DOE_API int spdm_sess_rsp_handle(struct spdm_sess *s, const uint8_t *in, size_t in_len,
				 bool in_secured, uint8_t *out, size_t out_cap, size_t *out_len,
				 bool *secured, uint8_t *app, size_t app_cap, size_t *app_len);

/*
 * Responder: a handler for VENDOR_DEFINED_REQUEST (0xFE) in the data
 * phase (e.g. IDE_KM, idekm_dev_handle()). With one set, such a request
 * is no longer handed to the caller as an application message (1):
 * spdm_sess_rsp_handle() calls fn with the plain request and seals its
 * answer (0). fn answers anything it cannot serve itself (an SPDM ERROR
 * is an answer); a negative return means nothing is sent, and the session
 * fails as for a refused request. NULL fn removes the handler.
 */
typedef int (*spdm_vendor_fn)(void *priv, const uint8_t *req, size_t len, uint8_t *rsp,
			      size_t cap, size_t *rsp_len);
DOE_API void spdm_sess_set_vendor_handler(struct spdm_sess *s, spdm_vendor_fn fn, void *priv);

/* ---- blocking layer (session_io.c) ------------------------------------ */

/* Runs the requester handshake over a transport that carries secured
 * messages (ops->exchange_secured); ops->binding must be the session's.
 * 0 when established. */
DOE_API int spdm_sess_run(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv);
/* One application request in the session and its response (plain). */
DOE_API int spdm_sess_exchange(struct spdm_sess *s, const struct spdm_transport_ops *ops,
			       void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			       size_t rsp_cap, size_t *rsp_len);
/* A session request to completion: code HEARTBEAT (0xE8), KEY_UPDATE
 * (0xE9, op SPDM_KEY_UPDATE_KEY/_ALL_KEYS, VerifyNewKey included) or
 * END_SESSION (0xEC). */
DOE_API int spdm_sess_control(struct spdm_sess *s, const struct spdm_transport_ops *ops,
			      void *priv, uint8_t code, uint8_t op);
/* GET_MEASUREMENTS inside the session (operation 0xFF: all, or an index),
 * unsigned: the session authenticates it. The measurement record goes to
 * record (cap bytes). */
DOE_API int spdm_sess_get_measurements(struct spdm_sess *s, const struct spdm_transport_ops *ops,
				       void *priv, uint8_t operation, uint8_t *record, size_t cap,
				       size_t *len, uint8_t *nblocks);
/* Whether the handshake's MeasurementSummaryHash (asked as SPDM_SUMMARY_ALL)
 * was found equal to all the measurements read in the session; reading
 * them (0xFF) with a different hash fails with -EKEYREJECTED. */
DOE_API bool spdm_sess_summary_checked(const struct spdm_sess *s);

#ifdef __cplusplus
}
#endif

#endif
