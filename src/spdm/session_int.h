/* SPDX-License-Identifier: MIT */
/*
 * SPDM session internals shared by src/spdm/: ephemeral DH and the codec
 * of the session messages (KEY_EXCHANGE .. END_SESSION) and of the
 * secured-message opaque data. Layouts: DSP0274 1.1-1.3, checked against
 * DMTF libspdm include/industry_standard/spdm.h and spdm_secured_message.h.
 * Not installed.
 */
#ifndef DOEKIT_SESSION_INT_H
#define DOEKIT_SESSION_INT_H

#include <openssl/evp.h>
#include <doekit/cursor.h>
#include <doekit/spdm_session.h>
#include "msg.h"

/* ERROR codes of sessions (DSP0274 Table "ERROR codes") */
#define SPDM_ERR_DECRYPT_ERROR 0x06u

/* Request/response codes of the session messages */
#define SPDM_KEY_EXCHANGE 0xE4u
#define SPDM_KEY_EXCHANGE_RSP 0x64u
#define SPDM_FINISH 0xE5u
#define SPDM_FINISH_RSP 0x65u
#define SPDM_PSK_EXCHANGE 0xE6u
#define SPDM_PSK_EXCHANGE_RSP 0x66u
#define SPDM_PSK_FINISH 0xE7u
#define SPDM_PSK_FINISH_RSP 0x67u
#define SPDM_HEARTBEAT 0xE8u
#define SPDM_HEARTBEAT_ACK 0x68u
#define SPDM_KEY_UPDATE 0xE9u
#define SPDM_KEY_UPDATE_ACK 0x69u
#define SPDM_END_SESSION 0xECu
#define SPDM_END_SESSION_ACK 0x6Cu
#define SPDM_GET_ENCAP_REQUEST 0xEAu
#define SPDM_ENCAP_REQUEST 0x6Au
#define SPDM_DELIVER_ENCAP_RESPONSE 0xEBu
#define SPDM_ENCAP_RESPONSE_ACK 0x6Bu
#define SPDM_VENDOR_DEFINED_REQUEST 0xFEu

/* ENCAPSULATED_RESPONSE_ACK Param2 PayloadType */
#define SPDM_ENCAP_PAYLOAD_ABSENT 0u
#define SPDM_ENCAP_PAYLOAD_PRESENT 1u
#define SPDM_ENCAP_PAYLOAD_REQ_SLOT 2u	/* 1.2+ */

#define SPDM_RANDOM_SIZE 32u
#define SPDM_DHE_MAX_SIZE 512u		/* ffdhe4096 */
#define SPDM_PSK_CONTEXT_MAX 64u
#define SPDM_PSK_HINT_MAX 64u
#define SPDM_OPAQUE_MAX 1024u		/* DSP0274: OpaqueDataLength <= 1024 */

/* KEY_EXCHANGE_RSP MutAuthRequested */
#define SPDM_MUT_AUTH_REQUESTED 0x01u
#define SPDM_MUT_AUTH_WITH_ENCAP 0x02u
#define SPDM_MUT_AUTH_WITH_GET_DIGESTS 0x04u

/* Secured-message versions (DSP0277), as opaque data spells them */
#define SPDM_SM_VERSION_10 0x1000u
#define SPDM_SM_VERSION_11 0x1100u
#define SPDM_SM_VERSION_12 0x1200u
#define SPDM_SM_MAX_VERSIONS 8u

/* ---- ephemeral DH (dhe.c) ---- */
size_t spdm_dhe_size(uint16_t group);		/* ExchangeData bytes; 0: unknown */
size_t spdm_dhe_secret_size(uint16_t group);
/* New key pair (caller frees *key); pub gets spdm_dhe_size() bytes. */
int spdm_dhe_keygen(struct doe_ctx *ctx, uint16_t group, EVP_PKEY **key, uint8_t *pub);
/* Shared secret with the peer's ExchangeData (validated first); secret
 * holds SPDM_DHE_MAX_SIZE bytes, *len gets spdm_dhe_secret_size(). */
int spdm_dhe_derive(struct doe_ctx *ctx, uint16_t group, EVP_PKEY *key, const uint8_t *peer,
		    uint8_t *secret, size_t *len);

/* ---- the record layer with a kept cipher context (secured.c) ---- */

/*
 * One direction's AEAD context, keyed, kept by a session between messages
 * so that each message only sets its IV. key is the key it holds (the
 * cache is used only while the direction's key is the same, so key
 * updates and rollbacks need no bookkeeping). Zeroed: empty.
 * spdm_aead_cache_free() frees the context and wipes the key.
 */
struct spdm_aead_cache {
	EVP_CIPHER_CTX *cc;
	uint16_t aead;
	bool enc;
	uint8_t key[SPDM_AEAD_MAX_KEY];
};

void spdm_aead_cache_free(struct spdm_aead_cache *c);
/* spdm_rec_seal() / spdm_rec_open() with a cache (NULL: none). */
int spdm_rec_seal_cached(struct doe_ctx *ctx, const struct spdm_keys *ks,
			 struct spdm_dir_keys *dir, struct spdm_aead_cache *cache,
			 const struct spdm_rec_params *p, const uint8_t *app, size_t app_len,
			 uint8_t *out, size_t cap, size_t *out_len);
int spdm_rec_open_cached(struct doe_ctx *ctx, const struct spdm_keys *ks,
			 struct spdm_dir_keys *dir, struct spdm_aead_cache *cache,
			 const struct spdm_rec_params *p, const uint8_t *in, size_t len,
			 uint8_t *app, size_t cap, size_t *app_len);

/* ---- session messages (msg_session.c) ---- */
struct spdm_key_exchange {
	uint8_t hash_type;		/* param1: measurement summary hash type */
	uint8_t slot;			/* param2 */
	uint16_t session_id;		/* ReqSessionID */
	uint8_t session_policy;		/* 1.2+ */
	uint8_t random[SPDM_RANDOM_SIZE];
	const uint8_t *exchange;	/* spdm_dhe_size() bytes */
	uint16_t opaque_len;
	const uint8_t *opaque;
};

struct spdm_key_exchange_rsp {
	uint8_t heartbeat_period;	/* param1 */
	uint16_t session_id;		/* RspSessionID */
	uint8_t mut_auth;		/* MutAuthRequested */
	uint8_t req_slot;		/* ReqSlotIDParam */
	uint8_t random[SPDM_RANDOM_SIZE];
	const uint8_t *exchange;
	const uint8_t *summary_hash;	/* NULL when HashType was 0 */
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *sig;
	size_t signed_len;		/* bytes before the signature */
	const uint8_t *verify_data;	/* NULL in the clear (HANDSHAKE_IN_THE_CLEAR) */
	size_t verify_off;		/* bytes before the verify data */
};

struct spdm_finish {
	uint8_t attributes;		/* bit 0: signature included */
	uint8_t req_slot;
	const uint8_t *sig;		/* NULL without */
	const uint8_t *verify_data;
	size_t verify_off;
};

struct spdm_psk_exchange {
	uint8_t hash_type;
	uint8_t session_policy;		/* param2, 1.2+ */
	uint16_t session_id;
	uint16_t hint_len, context_len, opaque_len;
	const uint8_t *hint, *context, *opaque;
};

struct spdm_psk_exchange_rsp {
	uint8_t heartbeat_period;
	uint16_t session_id;
	const uint8_t *summary_hash;
	uint16_t context_len, opaque_len;
	const uint8_t *context, *opaque;
	const uint8_t *verify_data;
	size_t verify_off;
};

/* What session parsers need beyond struct spdm_neg. */
struct spdm_sess_neg {
	uint16_t dhe;			/* KEY_EXCHANGE: ExchangeData size from it */
	bool in_the_clear;		/* HANDSHAKE_IN_THE_CLEAR negotiated */
	bool summary_hash;		/* the request asked for a summary hash */
};

int spdm_enc_key_exchange(struct doe_wr *w, uint8_t ver, const struct spdm_key_exchange *k,
			  size_t exchange_len);
int spdm_parse_key_exchange(struct doe_ctx *ctx, const struct spdm_neg *n,
			    const struct spdm_sess_neg *s, const void *msg, size_t len,
			    struct spdm_key_exchange *k);
/* Writes everything up to the signature; the caller appends the
 * signature and (not in the clear) the verify data, each computed over
 * the transcript so far. */
int spdm_enc_key_exchange_rsp_head(struct doe_wr *w, uint8_t ver,
				   const struct spdm_key_exchange_rsp *k, size_t exchange_len,
				   size_t hash_len);
int spdm_parse_key_exchange_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
				const struct spdm_sess_neg *s, const void *msg, size_t len,
				struct spdm_key_exchange_rsp *k);
int spdm_parse_finish(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg, size_t len,
		      struct spdm_finish *f);
/* FINISH_RSP carries ResponderVerifyData only in the clear. */
int spdm_parse_finish_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
			  const struct spdm_sess_neg *s, const void *msg, size_t len,
			  const uint8_t **verify_data);
int spdm_enc_psk_exchange(struct doe_wr *w, uint8_t ver, const struct spdm_psk_exchange *p);
int spdm_parse_psk_exchange(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			    size_t len, struct spdm_psk_exchange *p);
int spdm_enc_psk_exchange_rsp_head(struct doe_wr *w, uint8_t ver,
				   const struct spdm_psk_exchange_rsp *p, size_t hash_len);
int spdm_parse_psk_exchange_rsp(struct doe_ctx *ctx, const struct spdm_neg *n,
				const struct spdm_sess_neg *s, const void *msg, size_t len,
				struct spdm_psk_exchange_rsp *p);
/* PSK_FINISH: header and RequesterVerifyData. */
int spdm_parse_psk_finish(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			  size_t len, const uint8_t **verify_data);
/* Messages that are a header only (HEARTBEAT, PSK_FINISH_RSP, ...) or a
 * header with the two params (KEY_UPDATE(_ACK), END_SESSION): checks the
 * code and the exact length, returns the params. */
int spdm_parse_bare(struct doe_ctx *ctx, const struct spdm_neg *n, uint8_t code,
		    const void *msg, size_t len, uint8_t *param1, uint8_t *param2);
int spdm_enc_bare(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t param1, uint8_t param2);

/*
 * Encapsulated requests (DSP0274 §10.16-§10.17, mutual authentication):
 * ENCAPSULATED_REQUEST and DELIVER_ENCAPSULATED_RESPONSE carry one SPDM
 * message after a header whose Param1 is the RequestID; the ACK adds (1.2+)
 * the AckRequestID and three reserved bytes before its payload.
 */
struct spdm_encap {
	uint8_t request_id;	/* Param1 */
	uint8_t payload_type;	/* ACK: Param2 */
	uint8_t ack_request_id;	/* ACK, 1.2+ */
	const uint8_t *payload;
	size_t payload_len;
};

int spdm_enc_encap(struct doe_wr *w, uint8_t ver, uint8_t code, const struct spdm_encap *e);
int spdm_parse_encap(struct doe_ctx *ctx, const struct spdm_neg *n, uint8_t code, const void *msg,
		     size_t len, struct spdm_encap *e);

/*
 * Secured-message version negotiation in opaque data (DSP0274 1.2 Annex
 * "General opaque data format" / DSP0277): the requester lists supported
 * versions, the responder names the one selected. fmt1: the 1.2+
 * OpaqueDataFmt1 header; otherwise the 1.0/1.1 "DMTF" spec-ID header.
 */
int spdm_enc_opaque_versions(struct doe_wr *w, bool fmt1, const uint16_t *versions, unsigned n);
int spdm_enc_opaque_selection(struct doe_wr *w, bool fmt1, uint16_t version);
int spdm_parse_opaque_versions(struct doe_ctx *ctx, bool fmt1, const uint8_t *p, size_t len,
			       uint16_t *versions, unsigned *n);
int spdm_parse_opaque_selection(struct doe_ctx *ctx, bool fmt1, const uint8_t *p, size_t len,
				uint16_t *version);


/* ---- the session object (session.c, session_req.c, session_rsp.c) ---- */

enum sess_step {
	STEP_START,		/* requester: nothing sent */
	STEP_WAIT_EXCHANGE_RSP,	/* requester: KEY_EXCHANGE / PSK_EXCHANGE sent */
	STEP_WAIT_FINISH,	/* responder: *_EXCHANGE_RSP sent */
	STEP_WAIT_FINISH_RSP,	/* requester: FINISH / PSK_FINISH sent */
	STEP_ENCAP,		/* requester: an encapsulated exchange is out */
	STEP_WAIT_ENCAP,	/* responder: reading the requester's chain */
	STEP_DATA,		/* established */
	STEP_WAIT_ACK,		/* requester: a session request is out */
	STEP_DONE,
};

struct spdm_sess {
	struct doe_ctx *ctx;
	struct spdm_conn conn;
	struct spdm_sess_opts opts;
	bool requester, psk, in_the_clear, psk_finish;
	bool resumed;			/* spdm_sess_req_resume(): data-phase keys only */
	uint8_t step;
	uint8_t state;			/* enum spdm_sess_state */
	uint8_t hash_size;
	uint32_t session_id;
	uint16_t sm_version;		/* selected secured-message version */
	EVP_MD_CTX *th;			/* VCA || Ct || K || F, running */
	EVP_PKEY *dhe;			/* our ephemeral key until the secret is derived */
	struct spdm_keys ks;
	struct spdm_aead_cache tx_aead, rx_aead;	/* our direction's, the peer's */
	struct spdm_rec_params rec;
	uint8_t heartbeat_period;
	/* the session request waiting for its ACK (requester) */
	uint8_t pend_code, pend_p1, pend_p2;
	uint8_t summary_hash[SPDM_MAX_HASH_SIZE];	/* from *_EXCHANGE_RSP */
	bool has_summary;
	bool summary_checked;		/* equal to the measurements read (all) */
	/* mutual authentication */
	uint8_t mut_auth;		/* MutAuthRequested in effect */
	uint8_t req_slot;		/* the requester's slot, FINISH Param2 */
	uint8_t encap_id;		/* RequestID of the encapsulated request out */
	uint16_t encap_rounds;		/* requester: encapsulated requests answered */
	uint8_t encap_want;		/* responder: SPDM_DIGESTS or SPDM_CERTIFICATE */
	bool encap_started;		/* responder: GET_ENCAPSULATED_REQUEST seen */
	uint32_t peer_chain_len, peer_chain_total;
	EVP_PKEY *peer_req_key;		/* responder: the requester's verified leaf */
	/* responder: VENDOR_DEFINED_REQUEST handler (spdm_sess_set_vendor_handler) */
	spdm_vendor_fn vendor_fn;
	void *vendor_priv;
};

/* Common steps (session.c) */
int sess_init(void *mem, size_t mem_len, struct doe_ctx *ctx, const struct spdm_conn *conn,
	      const struct spdm_sess_opts *o, bool requester, struct spdm_sess **out);
int sess_fail(struct spdm_sess *s, int rc);
/* Wipes the keys and frees the kept cipher contexts (which hold them too). */
void sess_wipe_keys(struct spdm_sess *s);
int sess_th_add(struct spdm_sess *s, const void *p, size_t len);
int sess_th_hash(struct spdm_sess *s, uint8_t *out);	/* hash so far, TH continues */
struct spdm_neg sess_neg(const struct spdm_sess *s);
/* Seal / open with the current phase's keys in our / the peer's direction. */
int sess_seal(struct spdm_sess *s, const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
	      size_t *out_len);
int sess_open(struct spdm_sess *s, const uint8_t *in, size_t len, uint8_t *msg, size_t cap,
	      size_t *msg_len);
/* The opaque data both sides put in *_EXCHANGE(_RSP) */
extern const uint16_t sess_sm_versions[3];
int sess_data_phase(struct spdm_sess *s);
/* CM: the hash of the requester's chain joins the transcript (mutual). */
int sess_th_chain(struct spdm_sess *s, const uint8_t *chain, size_t len);

#endif
