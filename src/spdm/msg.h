/* SPDX-License-Identifier: MIT */
/*
 * SPDM message codec (DSP0274 1.0-1.3; layouts checked against DMTF
 * libspdm include/industry_standard/spdm.h). Encoders write through
 * struct doe_wr, parsers read through struct doe_rd; parsed structures
 * point into the caller's buffer. Every rejection names the message and
 * the field. Not installed.
 */
#ifndef DOEKIT_SPDM_MSG_H
#define DOEKIT_SPDM_MSG_H

#include <doekit/cursor.h>
#include <doekit/spdm.h>

#define SPDM_HDR_SIZE 4u
#define SPDM_MAX_VERSION_ENTRIES 16u
#define SPDM_MAX_ALG_STRUCTS 4u
#define SPDM_MIN_DATA_TRANSFER_SIZE_12 42u	/* DSP0274 1.2 §10.4 */
#define SPDM_NEG_ALG_FIXED 32u			/* NEGOTIATE_ALGORITHMS without tables */
#define SPDM_ALGS_FIXED 36u			/* ALGORITHMS without tables */
#define SPDM_MAX_EXT_ALGS_10 8u		/* NEGOTIATE_ALGORITHMS (§10.5) */
#define SPDM_MAX_EXT_ALGS_11 20u

/* CAPABILITIES / GET_CAPABILITIES flags past the public ones in
 * <doekit/spdm.h> (DSP0274 1.3 §10.4, "flag fields"; bit positions as in
 * libspdm spdm.h). Two-bit fields are given as masks. */
/* (the session flags, ENCRYPT .. HANDSHAKE_IN_THE_CLEAR, are public) */
#define SPDM_CAP_PSK_SHIFT 10u
#define SPDM_CAP_PUB_KEY_ID 0x00010000u	/* 1.1+ */
#define SPDM_CAP_CHUNK 0x00020000u		/* 1.2+ */
#define SPDM_CAP_EP_INFO 0x00C00000u		/* 1.3+, two bits */
#define SPDM_CAP_EP_INFO_SHIFT 22u
#define SPDM_CAP_EVENT 0x02000000u		/* 1.3+ */
#define SPDM_CAP_MULTI_KEY 0x0C000000u		/* 1.3+, two bits */
#define SPDM_CAP_MULTI_KEY_SHIFT 26u

/* ERROR codes past the public ones (DSP0274 §10.12) */
#define SPDM_ERR_RESPONSE_TOO_LARGE 0x0Du	/* 1.2+, ExtendedErrorData: size, LE32 */
#define SPDM_ERR_REQUEST_TOO_LARGE 0x0Eu	/* 1.2+ */

/* GET_CAPABILITIES (1.3+) Param1 bit 0: SupportedAlgorithms wanted */
#define SPDM_GET_CAPS_PARAM1_SUPPORTED_ALGS 0x01u

/* GET_CERTIFICATE (1.3+) Param2 bit 0: SlotSizeRequested */
#define SPDM_GET_CERT_PARAM2_SLOT_SIZE 0x01u

/* AlgStruct AlgType (1.1+) */
#define SPDM_ALGTYPE_DHE 2u
#define SPDM_ALGTYPE_AEAD 3u
#define SPDM_ALGTYPE_REQ_ASYM 4u
#define SPDM_ALGTYPE_KEY_SCHEDULE 5u
#define SPDM_KEY_SCHEDULE_SPDM 0x0001u	/* the one KeySchedule there is */
#define SPDM_OTHER_MULTI_KEY_CONN 0x10u	/* ALGORITHMS OtherParamsSelection, 1.3 */
#define SPDM_MSG_D_MAX 600u		/* DIGESTS: 4 + 8 x 64 + 1.3 slot info */


/* GET_MEASUREMENTS attributes */
#define SPDM_MEAS_ATTR_SIGN 0x01u
#define SPDM_MEAS_ATTR_RAW 0x02u
#define SPDM_MEAS_OP_COUNT 0x00u
#define SPDM_MEAS_OP_ALL 0xFFu

/* What parsers need to know about the connection. */
struct spdm_neg {
	uint8_t version;
	size_t hash_size;	/* BaseHashAlgo digest */
	size_t sig_size;	/* BaseAsymAlgo signature */
	uint8_t align;		/* tolerated transport padding (1: none) */
};

struct spdm_hdr {
	uint8_t version, code, param1, param2;
};

struct spdm_version_rsp {
	uint8_t count;				/* entries in the message */
	uint16_t entries[SPDM_MAX_VERSION_ENTRIES];	/* the first 16 */
};

struct spdm_caps {
	uint8_t ct_exponent;
	uint32_t flags;
	uint32_t data_transfer_size;	/* 1.2+ */
	uint32_t max_msg_size;		/* 1.2+ */
};

struct spdm_alg_struct {
	uint8_t type;
	uint16_t bits;
};

/* NEGOTIATE_ALGORITHMS and ALGORITHMS share this; meas_hash only in the
 * response. */
struct spdm_algs {
	uint8_t meas_spec;
	uint8_t other_params;
	uint32_t meas_hash;
	uint32_t asym;
	uint32_t hash;
	uint8_t nstructs;
	struct spdm_alg_struct structs[SPDM_MAX_ALG_STRUCTS];
};

struct spdm_digests {
	uint8_t supported_mask;		/* 1.3 param1 */
	uint8_t slot_mask;		/* param2 (provisioned in 1.3) */
	const uint8_t *digests;		/* popcount(slot_mask) x hash_size */
	unsigned count;
};

struct spdm_get_cert {
	uint8_t slot;
	uint16_t offset, length;
};

struct spdm_cert_rsp {
	uint8_t slot;
	uint16_t portion_len, remainder_len;
	const uint8_t *portion;
};

struct spdm_challenge {
	uint8_t slot;
	uint8_t hash_type;
	uint8_t nonce[SPDM_NONCE_SIZE];
	uint8_t context[SPDM_REQ_CONTEXT_SIZE];	/* 1.3 */
};

struct spdm_challenge_auth {
	uint8_t slot;			/* param1 bits 3:0 */
	uint8_t slot_mask;		/* param2 */
	const uint8_t *chain_hash;
	const uint8_t *nonce;
	const uint8_t *summary_hash;	/* NULL when HashType was 0 */
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *context;		/* 1.3 */
	const uint8_t *sig;
	size_t signed_len;		/* bytes before the signature */
};

struct spdm_get_meas {
	uint8_t attributes;
	uint8_t operation;
	bool has_nonce;			/* signature requested */
	uint8_t nonce[SPDM_NONCE_SIZE];
	uint8_t slot;			/* 1.1+, signed only */
	uint8_t context[SPDM_REQ_CONTEXT_SIZE];	/* 1.3 */
};

struct spdm_meas_rsp {
	uint8_t total;			/* param1 */
	uint8_t param2;			/* slot 3:0, content changed 5:4 (1.2+) */
	uint8_t nblocks;
	uint32_t record_len;
	const uint8_t *record;
	const uint8_t *nonce;
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *context;		/* 1.3 */
	const uint8_t *sig;		/* NULL when unsigned */
	size_t signed_len;
};

struct spdm_error {
	uint8_t code, data;
	/* ResponseNotReady */
	uint8_t rdt_exponent, req_code, token, rdtm;
};

/* Parsers return the message length without transport padding (> 0, the
 * bytes a transcript takes) or a negative errno with the field named.
 * Encoders return 0 or -EMSGSIZE. */

/* Codec building blocks (msg.c), shared with the session messages. In
 * a parser with `ctx` and a `struct doe_rd r` in scope: */
/* A field read that ran short: name the message and the field. */
#define FIELD(expr, msg, field)                                                              \
	do {                                                                                 \
		if ((expr) < 0)                                                              \
			return doe_err(ctx, -EBADMSG, "%s: message ends inside %s (%zu bytes)", \
				       msg, field, r.len);                                   \
	} while (0)

/* Claims a variable-length field whose size the message itself declared. */
#define CLAIM(ptr, n, msg, field)                                                               \
	do {                                                                                    \
		size_t claim_n_ = (n);                                                          \
		if (claim_n_ > doe_rd_left(&r))                                                 \
			return doe_err(ctx, -EBADMSG,                                           \
				       "%s: %s needs %zu bytes, only %zu left of %zu", msg,     \
				       field, claim_n_, doe_rd_left(&r), r.len);                \
		(ptr) = doe_rd_take(&r, claim_n_);                                              \
	} while (0)

/* Reads the header of a message expected to be `code` in n->version. */
int spdm_msg_hdr(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *r, uint8_t code,
		 const char *msg, struct spdm_hdr *h);
/* The end of a message: trailing bytes are an error, except transport
 * padding; returns the length without padding. */
int spdm_msg_end(struct doe_ctx *ctx, const struct spdm_neg *n, struct doe_rd *r,
		 const char *msg);
int spdm_wr_hdr(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t p1, uint8_t p2);
int spdm_wr_done(struct doe_wr *w);	/* 0 or -EMSGSIZE */

/* Header of any message; -EBADMSG under 4 bytes. */
int spdm_parse_hdr(struct doe_ctx *ctx, const void *msg, size_t len, struct spdm_hdr *h);

/* Encoders: each writes a whole message for the given version. */
int spdm_enc_get_version(struct doe_wr *w);
int spdm_enc_version(struct doe_wr *w, const uint8_t *versions, unsigned n);
int spdm_enc_get_capabilities(struct doe_wr *w, uint8_t ver, const struct spdm_caps *c);
int spdm_enc_capabilities(struct doe_wr *w, uint8_t ver, const struct spdm_caps *c);
int spdm_enc_negotiate_algorithms(struct doe_wr *w, uint8_t ver, const struct spdm_algs *a);
int spdm_enc_algorithms(struct doe_wr *w, uint8_t ver, const struct spdm_algs *a);
int spdm_enc_get_digests(struct doe_wr *w, uint8_t ver);
int spdm_enc_digests(struct doe_wr *w, uint8_t ver, uint8_t supported, uint8_t slot_mask,
		     const uint8_t *digests, size_t total);
int spdm_enc_get_certificate(struct doe_wr *w, uint8_t ver, const struct spdm_get_cert *g);
int spdm_enc_certificate_hdr(struct doe_wr *w, uint8_t ver, uint8_t slot, uint16_t portion,
			     uint16_t remainder);
int spdm_enc_challenge(struct doe_wr *w, uint8_t ver, const struct spdm_challenge *c);
int spdm_enc_get_measurements(struct doe_wr *w, uint8_t ver, const struct spdm_get_meas *g);
int spdm_enc_error(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t data,
		   const uint8_t *ext, size_t ext_len);
int spdm_enc_respond_if_ready(struct doe_wr *w, uint8_t ver, uint8_t code, uint8_t token);

/* Response parsers (requester side). n->version is the negotiated version
 * (VERSION: ignored; it must be 0x10). */
int spdm_parse_version(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
		       size_t len, struct spdm_version_rsp *v);
int spdm_parse_capabilities(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			    size_t len, struct spdm_caps *c);
int spdm_parse_algorithms(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			  size_t len, struct spdm_algs *a);
int spdm_parse_digests(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
		       size_t len, struct spdm_digests *d);
int spdm_parse_certificate(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			   size_t len, struct spdm_cert_rsp *c);
int spdm_parse_challenge_auth(struct doe_ctx *ctx, const struct spdm_neg *n, uint8_t hash_type,
			      const void *msg, size_t len, struct spdm_challenge_auth *a);
int spdm_parse_measurements(struct doe_ctx *ctx, const struct spdm_neg *n, bool signed_,
			    const void *msg, size_t len, struct spdm_meas_rsp *m);
int spdm_parse_error(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg, size_t len,
		     struct spdm_error *e);

/* Request parsers (responder side). */
int spdm_parse_get_version(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			   size_t len);
int spdm_parse_get_capabilities(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
				size_t len, struct spdm_caps *c);
int spdm_parse_negotiate_algorithms(struct doe_ctx *ctx, const struct spdm_neg *n,
				    const void *msg, size_t len, struct spdm_algs *a);
int spdm_parse_get_digests(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			   size_t len);
int spdm_parse_get_certificate(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			       size_t len, struct spdm_get_cert *g);
int spdm_parse_challenge(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
			 size_t len, struct spdm_challenge *c);
int spdm_parse_get_measurements(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
				size_t len, struct spdm_get_meas *g);
int spdm_parse_respond_if_ready(struct doe_ctx *ctx, const struct spdm_neg *n, const void *msg,
				size_t len, uint8_t *code, uint8_t *token);

#endif
