/* SPDX-License-Identifier: MIT */
/*
 * SPDM (DMTF DSP0274 1.0-1.3) device authentication: CMA over DOE.
 *
 * The requester and the responder are sans-I/O state machines: they take a
 * received message and write the next one into a buffer the caller owns.
 * They never block, sleep or touch a transport; the requester reads the
 * time only through its policy's clock (doe_now_ns() unless the caller
 * gives one) to bound an attestation. The blocking helpers at the end of
 * this header run them over a struct spdm_transport_ops.
 *
 * Memory: the caller allocates the requester and responder contexts
 * (SPDM_REQUESTER_CTX_SIZE / SPDM_RESPONDER_CTX_SIZE bytes, aligned like a
 * pointer or max_align_t) and, for the requester, the buffers that keep the
 * certificate chain and the measurement record. The only heap use is
 * libcrypto's own (hash contexts and public keys), released by
 * spdm_req_fini() / spdm_rsp_fini(). Objects ending in _new are heap
 * objects freed by the matching _free.
 *
 * Crypto is OpenSSL 3 libcrypto; the responder's private key is used only
 * through struct spdm_signer_ops, so it may live in an HSM or a TPM.
 *
 * Errors: 0 or a documented positive value on success, negative errno on
 * failure, with a message naming the message and field in the doe_ctx.
 */
#ifndef DOEKIT_SPDM_H
#define DOEKIT_SPDM_H

#include <doekit/common.h>
#include <doekit/ctx.h>

DOE_BEGIN_DECLS

/* Versions (the SPDMVersion byte) and the policy masks that select them */
#define SPDM_V10 0x10u
#define SPDM_V11 0x11u
#define SPDM_V12 0x12u
#define SPDM_V13 0x13u
#define SPDM_VMASK(v) (1u << ((v) - SPDM_V10))	/* SPDM_VMASK(SPDM_V12) */
#define SPDM_VMASK_ALL 0x0Fu

/* Request and response codes (DSP0274 §10; libspdm spdm.h) */
#define SPDM_DIGESTS 0x01u
#define SPDM_CERTIFICATE 0x02u
#define SPDM_CHALLENGE_AUTH 0x03u
#define SPDM_VERSION 0x04u
#define SPDM_MEASUREMENTS 0x60u
#define SPDM_CAPABILITIES 0x61u
#define SPDM_ALGORITHMS 0x63u
#define SPDM_ERROR 0x7Fu
#define SPDM_GET_DIGESTS 0x81u
#define SPDM_GET_CERTIFICATE 0x82u
#define SPDM_CHALLENGE 0x83u
#define SPDM_GET_VERSION 0x84u
#define SPDM_GET_MEASUREMENTS 0xE0u
#define SPDM_GET_CAPABILITIES 0xE1u
#define SPDM_NEGOTIATE_ALGORITHMS 0xE3u
#define SPDM_RESPOND_IF_READY 0xFFu

/* ERROR codes */
#define SPDM_ERR_INVALID_REQUEST 0x01u
#define SPDM_ERR_BUSY 0x03u
#define SPDM_ERR_UNEXPECTED_REQUEST 0x04u
#define SPDM_ERR_UNSPECIFIED 0x05u
#define SPDM_ERR_UNSUPPORTED_REQUEST 0x07u
#define SPDM_ERR_VERSION_MISMATCH 0x41u
#define SPDM_ERR_RESPONSE_NOT_READY 0x42u
#define SPDM_ERR_REQUEST_RESYNCH 0x43u

/* CAPABILITIES flags used here (DSP0274 Table "CAPABILITIES flags") */
#define SPDM_CAP_CACHE 0x00000001u
#define SPDM_CAP_CERT 0x00000002u
#define SPDM_CAP_CHAL 0x00000004u
#define SPDM_CAP_MEAS_NO_SIG 0x00000008u
#define SPDM_CAP_MEAS_SIG 0x00000010u
#define SPDM_CAP_MEAS_FRESH 0x00000020u
/* 1.1+: what a session needs (spdm_req_policy.req_flags, spdm_rsp_config.flags) */
#define SPDM_CAP_ENCRYPT 0x00000040u
#define SPDM_CAP_MAC 0x00000080u
#define SPDM_CAP_MUT_AUTH 0x00000100u
#define SPDM_CAP_KEY_EX 0x00000200u
#define SPDM_CAP_PSK 0x00000C00u		/* two bits: */
#define SPDM_CAP_PSK_REQ 0x00000400u		/*   a requester with PSK, or a responder
						 *   without ResponderContext (01b) */
#define SPDM_CAP_PSK_WITH_CONTEXT 0x00000800u	/*   a responder with context (10b) */
#define SPDM_CAP_ENCAP 0x00001000u
#define SPDM_CAP_HBEAT 0x00002000u
#define SPDM_CAP_KEY_UPD 0x00004000u
#define SPDM_CAP_HANDSHAKE_IN_THE_CLEAR 0x00008000u

/* BaseAsymAlgo */
#define SPDM_ASYM_RSASSA_2048 0x00000001u
#define SPDM_ASYM_RSAPSS_2048 0x00000002u
#define SPDM_ASYM_RSASSA_3072 0x00000004u
#define SPDM_ASYM_RSAPSS_3072 0x00000008u
#define SPDM_ASYM_ECDSA_P256 0x00000010u
#define SPDM_ASYM_RSASSA_4096 0x00000020u
#define SPDM_ASYM_RSAPSS_4096 0x00000040u
#define SPDM_ASYM_ECDSA_P384 0x00000080u
#define SPDM_ASYM_ECDSA_P521 0x00000100u
#define SPDM_ASYM_EDDSA_25519 0x00000400u	/* SPDM 1.2+ */
#define SPDM_ASYM_EDDSA_448 0x00000800u	/* SPDM 1.2+ */
#define SPDM_ASYM_ALL_10 0x000001FFu	/* what 1.0/1.1 may negotiate */
#define SPDM_ASYM_ALL 0x00000DFFu	/* everything doekit implements (no SM2) */

/* BaseHashAlgo */
#define SPDM_HASH_SHA256 0x01u
#define SPDM_HASH_SHA384 0x02u
#define SPDM_HASH_SHA512 0x04u
#define SPDM_HASH_SHA3_256 0x08u
#define SPDM_HASH_SHA3_384 0x10u
#define SPDM_HASH_SHA3_512 0x20u
#define SPDM_HASH_ALL 0x3Fu

/* MeasurementHashAlgo (bit 0 is raw bit stream only, the rest one up) */
#define SPDM_MEAS_HASH_RAW 0x01u
#define SPDM_MEAS_HASH_FROM_BASE(h) ((uint32_t)(h) << 1)

#define SPDM_NONCE_SIZE 32u
#define SPDM_REQ_CONTEXT_SIZE 8u		/* 1.3 RequesterContext */
#define SPDM_MAX_HASH_SIZE 64u
#define SPDM_MAX_SIG_SIZE 512u			/* RSA-4096 */
#define SPDM_MAX_CHAIN_SIZE 0xFFFFu		/* Length is 16 bits before 1.4 */
#define SPDM_MAX_OPAQUE_SIZE 1024u
#define SPDM_MAX_REQUEST_SIZE 160u		/* largest request doekit sends or accepts */

/* CHALLENGE / KEY_EXCHANGE MeasurementSummaryHashType */
#define SPDM_SUMMARY_NONE 0x00u
#define SPDM_SUMMARY_TCB 0x01u
#define SPDM_SUMMARY_ALL 0xFFu

/* ---- algorithms and crypto helpers ---------------------------------- */

/* Digest size of one BaseHashAlgo bit, 0 if not exactly one known bit. */
DOE_API size_t spdm_hash_size(uint32_t hash_algo);
/* Signature size of one BaseAsymAlgo bit, 0 if unknown. */
DOE_API size_t spdm_sig_size(uint32_t asym_algo);
/* Whether this build's libcrypto can do asym_algo as SPDM requires: Ed448
 * needs OpenSSL 3.2+ (its SPDM context string is silently ignored before). */
DOE_API bool spdm_asym_supported(uint32_t asym_algo);
/* Names for messages and logs ("ECDSA-P384", "SHA3-256", "CHALLENGE_AUTH",
 * "ResponseNotReady"); never NULL. */
DOE_API const char *spdm_asym_name(uint32_t asym_algo);
DOE_API const char *spdm_hash_name(uint32_t hash_algo);
DOE_API const char *spdm_code_name(uint8_t code);
DOE_API const char *spdm_error_name(uint8_t error_code);

/*
 * A signing key, wherever it lives. sign() receives what DSP0274 says is
 * signed, already prepared: for ECDSA and RSA the digest to sign (hash_algo
 * names it: sign it as a digest, PKCS#1 v1.5 DigestInfo or PSS with salt =
 * digest length), for EdDSA the whole message (pure EdDSA; for Ed448 with
 * ctx as its context string, which is NULL/0 for Ed25519). It writes exactly
 * spdm_sig_size(asym_algo) bytes in SPDM form (ECDSA: r||s big-endian, each
 * padded to the field size). Returns 0 or a negative errno.
 */
struct spdm_signer_ops {
	int (*sign)(void *priv, uint32_t asym_algo, uint32_t hash_algo, const uint8_t *data,
		    size_t data_len, const uint8_t *ctx, size_t ctx_len, uint8_t *sig,
		    size_t sig_len);
};

/* A software signer over an OpenSSL EVP_PKEY (pass the EVP_PKEY * as priv). */
DOE_API const struct spdm_signer_ops *spdm_evp_signer(void);

/* ---- certificate chains and trust ----------------------------------- */

/* Trust anchors for chain verification: a PEM file, or a directory (every
 * *.pem, *.crt, *.cer file in it, and OpenSSL's hashed lookup as for
 * openssl verify -CApath). Heap object. */
struct spdm_trust;
DOE_API int spdm_trust_new(struct doe_ctx *ctx, const char *path, struct spdm_trust **out);
/* Adds DER certificates (concatenated) as anchors, e.g. a test root. */
DOE_API int spdm_trust_add_der(struct spdm_trust *t, const void *der, size_t len);
DOE_API void spdm_trust_free(struct spdm_trust *t);

/* What a chain check found. */
struct spdm_chain_info {
	unsigned ncerts;		/* DER certificates in the chain */
	bool root_hash_ok;		/* RootHash == hash(root certificate) */
	bool anchored;			/* verified up to a trust store anchor; false:
					 * only to the chain's own root */
	char leaf_subject[128];
	char cma_san[192];		/* otherName 2.23.147 of the leaf, "" if none */
};

/*
 * Checks an SPDM certificate chain (Length u16, Reserved u16, RootHash,
 * DER certificates root first): layout, RootHash, each signature and
 * validity with OpenSSL against trust (NULL: the chain's own root is the
 * anchor), the leaf key against asym_algo and the leaf's usage (KeyUsage,
 * if present, with digitalSignature; no ExtendedKeyUsage that names SPDM
 * requester but not responder authentication). Returns 0, -EBADMSG for a
 * malformed chain, -EKEYREJECTED for a chain that does not verify (the
 * message names depth, subject and reason), -EINVAL for bad arguments.
 */
DOE_API int spdm_chain_verify(struct doe_ctx *ctx, const void *chain, size_t len,
			      uint32_t hash_algo, uint32_t asym_algo,
			      const struct spdm_trust *trust, struct spdm_chain_info *info);

/* ---- measurements ---------------------------------------------------- */

/* One decoded measurement block (DSP0274 §10.11.1, DMTF specification). */
struct spdm_meas_block {
	uint8_t index;
	uint8_t spec;		/* MeasurementSpecification: 0x01 DMTF */
	uint8_t type;		/* DMTFSpecMeasurementValueType bits 6:0 */
	bool raw;		/* bit 7: raw bit stream, else a digest */
	const uint8_t *value;	/* points into the record */
	uint16_t value_size;
};

/* Iterates a measurement record: *off starts at 0; returns 1 with a block,
 * 0 at the end, -EBADMSG (message names the block) if malformed. */
DOE_API int spdm_meas_next(struct doe_ctx *ctx, const void *record, size_t len, size_t *off,
			   struct spdm_meas_block *blk);

/* ---- requester -------------------------------------------------------- */

enum spdm_meas_mode {
	SPDM_MEAS_NONE = 0,	/* no GET_MEASUREMENTS */
	SPDM_MEAS_ALL,		/* one request for every block (operation 0xFF) */
	SPDM_MEAS_INDEX,	/* one block: meas_index */
	SPDM_MEAS_COUNT,	/* only the number of blocks (operation 0) */
	SPDM_MEAS_EACH,		/* the count, all blocks unsigned (which indices
				 * there are: not necessarily 1..count), then each
				 * index one by one; only the last is signed, so
				 * L1/L2 covers them all. A 1.2+ responder that
				 * reports a change in that signed response makes
				 * the sequence start over (SPDM_MEAS_MAX_RESTARTS);
				 * unsigned, a change cannot be detected */
};

struct spdm_chain_cache;
struct spdm_req_policy {
	uint8_t versions;		/* SPDM_VMASK bits allowed; the highest common wins */
	uint32_t asym_algos;		/* BaseAsymAlgo offered */
	uint32_t hash_algos;		/* BaseHashAlgo offered */
	uint8_t slot;			/* certificate slot 0-7 */
	uint8_t summary_hash_type;	/* CHALLENGE HashType (SPDM_SUMMARY_*) */
	bool skip_challenge;
	enum spdm_meas_mode meas_mode;
	uint8_t meas_index;		/* for SPDM_MEAS_INDEX, 1-0xFE */
	bool meas_signed;		/* ask for a signature on the (last) measurements */
	bool meas_raw;			/* RawBitStreamRequested */
	unsigned busy_retries;		/* ERROR Busy: resend at most this often */
	unsigned not_ready_retries;	/* ResponseNotReady: RESPOND_IF_READY at most */
	unsigned resynch_limit;		/* RequestResynch: restarts at most */
	uint8_t ct_exponent;		/* our CTExponent (1.1+) */
	uint32_t max_rsp_size;		/* response buffer the caller will use; announced as
					 * DataTransferSize/MaxSPDMmsgSize (1.2+) */
	uint8_t rsp_align;		/* transport pads messages to this (DOE: 4); up to
					 * align-1 trailing zero bytes are accepted */
	void *chain_buf;		/* receives the certificate chain (required unless
					 * the responder has no CERT_CAP) */
	size_t chain_cap;
	void *meas_buf;			/* receives the measurement record */
	size_t meas_cap;
	const struct spdm_trust *trust;	/* NULL: chain anchored at its own root */
	const uint8_t *nonce;		/* tests: 32 bytes used for every nonce; NULL: RNG */
	const uint8_t *req_context;	/* 1.3 RequesterContext (8 bytes); NULL: zeros */
	/* Bounds on one attestation, so that a hostile responder (1-byte
	 * certificate portions, endless Busy) gets bounded work. Both count
	 * from the first spdm_req_next() and across RequestResynch restarts;
	 * hitting one fails with a message naming it. The deadline is checked
	 * as each response comes in, so an exchange in flight can overrun it
	 * by the transport's own timeout (DOE: 1 s), no more. */
	uint32_t deadline_ms;		/* 0: SPDM_DEFAULT_DEADLINE_MS (-ETIMEDOUT) */
	unsigned max_messages;		/* requests sent, retries included; 0:
					 * SPDM_DEFAULT_MAX_MESSAGES (-E2BIG) */
	uint64_t (*now_ns)(void *priv);	/* monotonic ns; NULL: doe_now_ns() */
	void *now_priv;
	/* sessions (spdm_session.h): the CAPABILITIES flags we announce (1.1+;
	 * 0: none, attestation only) and, when they include KEY_EX_CAP or
	 * PSK_CAP, the DHE groups and AEAD suites offered in
	 * NEGOTIATE_ALGORITHMS (0: all doekit has) */
	uint32_t req_flags;
	uint16_t dhe_algos;
	uint16_t aead_algos;
	uint32_t req_asym_algo;		/* mutual authentication (MUT_AUTH_CAP in
					 * req_flags): our key's algorithm, offered as
					 * ReqBaseAsymAlg */
	/* verified chains to reuse and to add to (<doekit/spdm_cache.h>);
	 * NULL: every chain is read and verified */
	struct spdm_chain_cache *chain_cache;
	/* a chain the caller holds (e.g. from saved evidence; may be chain_buf
	 * itself): when DIGESTS names its hash, it is verified as if read and
	 * no GET_CERTIFICATE is sent (chain_cached is set) */
	const void *known_chain;
	size_t known_chain_len;
};

#define SPDM_DEFAULT_DEADLINE_MS 30000u
/*
 * The largest legitimate attestation, counted in requests: a 0xFFFF-byte
 * chain read at the smallest DataTransferSize a 1.2+ responder may have
 * (42, DSP0274 1.2 §10.4) holds 42 - 8 = 34 bytes of chain per CERTIFICATE,
 * ceil(65535 / 34) = 1928 GET_CERTIFICATE; plus VCA (3), GET_DIGESTS,
 * CHALLENGE and SPDM_MEAS_EACH over 254 indices (count + list + 254) =
 * 2189, and 256 more for each SPDM_MEAS_EACH restart (at most 2701). 4096
 * leaves room for Busy/ResponseNotReady retries on some of them; a
 * responder forcing 1-byte portions (65535 requests) does not fit. (A
 * RequestResynch in that worst case would repeat it all: raise the cap for
 * such a device.)
 */
#define SPDM_DEFAULT_MAX_MESSAGES 4096u

/* Fills a policy with defaults: all versions and algorithms, slot 0,
 * summary hash ALL, signed measurements of everything, 3 Busy retries,
 * 10 ResponseNotReady retries, 2 resynchs, max_rsp_size 4096, align 1,
 * deadline and message cap 0 (their defaults above), clock doe_now_ns. */
DOE_API void spdm_req_policy_init(struct spdm_req_policy *p);

/* Everything the requester learned; valid after spdm_req_next() returned 0
 * (and partially after an error). Pointers point into the policy's buffers. */
struct spdm_result {
	uint8_t version;
	uint32_t rsp_flags;		/* CAPABILITIES flags */
	uint8_t rsp_ct_exponent;
	uint32_t rsp_data_transfer_size, rsp_max_msg_size;
	uint32_t asym_algo, hash_algo, meas_hash_algo;
	uint8_t meas_spec;
	uint8_t slot_mask;		/* DIGESTS: provisioned slots */
	const uint8_t *chain;
	size_t chain_len;
	struct spdm_chain_info chain_info;
	bool chain_verified;		/* spdm_chain_verify() passed, digest matched */
	bool chain_cached;		/* ... not read: taken from the chain cache or
					 * known_chain, no GET_CERTIFICATE was sent */
	bool challenge_verified;	/* CHALLENGE_AUTH signature verified */
	uint8_t summary_hash[SPDM_MAX_HASH_SIZE];
	size_t summary_hash_len;
	bool summary_hash_checked;	/* recomputed from MEASUREMENTS (all) and equal */
	uint8_t meas_total;		/* TotalNumberOfMeasurementIndices (COUNT, EACH) */
	uint8_t meas_blocks;		/* blocks in meas_record */
	const uint8_t *meas_record;
	size_t meas_record_len;
	bool meas_signed;		/* the record was signed ... */
	bool meas_verified;		/* ... and the signature verified */
	uint8_t meas_content_changed;	/* 1.2+ signed MEASUREMENTS Param2 bits 5:4
					 * (SPDM_MEAS_CONTENT_*) of the last one */
	unsigned meas_restarts;		/* SPDM_MEAS_EACH sequences begun again */
	unsigned busy_seen, not_ready_seen, resynch_seen;
	unsigned messages;		/* requests sent in this attestation */
	uint32_t req_flags;		/* CAPABILITIES flags we sent */
	uint16_t dhe, aead;		/* ALGORITHMS: selected for sessions, 0 if none */
	uint32_t req_asym_algo;		/* ALGORITHMS: ReqBaseAsymAlg selected, 0 if none */
};

/* MEASUREMENTS Param2 bits 5:4, MeasurementRecord content changed (1.2+,
 * signed responses; libspdm SPDM_MEASUREMENTS_RESPONSE_CONTENT_*) */
#define SPDM_MEAS_CONTENT_NO_DETECTION 0x00u
#define SPDM_MEAS_CONTENT_CHANGED 0x10u
#define SPDM_MEAS_CONTENT_UNCHANGED 0x20u
#define SPDM_MEAS_CONTENT_MASK 0x30u
/* SPDM_MEAS_EACH starts over at most this often when the responder reports
 * a change during the sequence, then fails (-ESTALE) */
#define SPDM_MEAS_MAX_RESTARTS 2u

#define SPDM_REQUESTER_CTX_SIZE 4096u
struct spdm_req;

/* Initializes a requester in mem (>= SPDM_REQUESTER_CTX_SIZE bytes). The
 * policy is copied; its buffers and trust must outlive the requester. */
DOE_API int spdm_req_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
			  const struct spdm_req_policy *pol, struct spdm_req **out);

/*
 * One step. Pass the response to the last request (NULL/0 on the first
 * call); the next request is written to out. Returns:
 *   1  a request is in out[0..*out_len): send it (after spdm_req_wait_us())
 *   0  done: spdm_req_result() holds the outcome
 *  <0  failed: the message names the message and field, or the ERROR
 * A response that is not the one expected for the state fails with -EPROTO
 * naming it. After 0 or <0 the requester stays in that state.
 */
DOE_API int spdm_req_next(struct spdm_req *req, const void *in, size_t in_len, void *out,
			  size_t out_cap, size_t *out_len);
/* How long to wait before sending the request just produced (ResponseNotReady
 * RDT, 2^RDTExponent us), in microseconds; 0 normally. */
DOE_API uint64_t spdm_req_wait_us(const struct spdm_req *req);
DOE_API const struct spdm_result *spdm_req_result(const struct spdm_req *req);
DOE_API void spdm_req_fini(struct spdm_req *req);

/* ---- responder -------------------------------------------------------- */

/* A measurement the responder reports; the value is given raw and is
 * hashed with the negotiated MeasurementHashAlgo unless a raw bit stream
 * is requested or raw_only is set. */
struct spdm_meas_value {
	uint8_t index;		/* 1-0xEF, or 0xFD manifest / 0xFE device mode */
	uint8_t type;		/* DMTFSpecMeasurementValueType bits 6:0 */
	bool raw_only;
	const uint8_t *value;
	uint16_t value_size;
};

struct spdm_rsp_config {
	uint8_t versions;		/* SPDM_VMASK bits */
	uint32_t hash_algos;		/* BaseHashAlgo supported */
	uint32_t meas_hash_algos;	/* BaseHashAlgo bits usable for measurements */
	uint32_t flags;			/* CAPABILITIES flags (CERT|CHAL|MEAS_SIG default) */
	uint8_t ct_exponent;
	uint32_t data_transfer_size;	/* 1.2+ (default 4096) */
	uint8_t req_align;		/* transport padding of requests (DOE: 4) */
	/* identity: slot 0 */
	uint32_t asym_algo;		/* the one algorithm the key does */
	const uint8_t *certs_der;	/* DER certificates, root first, leaf last */
	size_t certs_der_len;
	const struct spdm_signer_ops *signer;
	void *signer_priv;
	const struct spdm_meas_value *meas;
	size_t meas_count;
	/* sessions (spdm_session.h), when flags include KEY_EX_CAP or PSK_CAP:
	 * the DHE groups and AEAD suites we accept (default: all) */
	uint16_t dhe_algos;
	uint16_t aead_algos;
	uint32_t req_asym_algos;	/* with MUT_AUTH_CAP: requester keys we verify
					 * (default: all) */
	/* test knobs */
	unsigned not_ready_count;	/* answer ResponseNotReady this often (UINT_MAX: always) */
	uint8_t not_ready_rdt_exponent;
	unsigned busy_count;		/* answer Busy this often (UINT_MAX: always) */
	bool corrupt_signature;		/* flip a bit in every signature */
	uint16_t cert_portion_max;	/* CERTIFICATE portions of at most this many
					 * bytes (0: as many as fit) */
	unsigned meas_changed_count;	/* report "content changed" (1.2+) in this
					 * many signed MEASUREMENTS, then "no change" */
	uint8_t chal_slot_mask;		/* CHALLENGE_AUTH SlotMask to send (0: the
					 * true one, slot 0 alone) */
};

DOE_API void spdm_rsp_config_init(struct spdm_rsp_config *c);

#define SPDM_RESPONDER_CTX_SIZE 4096u
struct spdm_rsp;

/* Initializes a responder in mem; the config is copied, what it points
 * to must outlive the responder. */
DOE_API int spdm_rsp_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
			  const struct spdm_rsp_config *cfg, struct spdm_rsp **out);
/*
 * Handles one request and writes the response (always one: an ERROR when
 * the request is wrong; the ctx message says why). Returns 0 with a
 * response in out, or -EMSGSIZE when out_cap (< 8) cannot hold even an
 * ERROR. Local failures (signer, crypto, a response larger than out_cap)
 * answer ERROR Unspecified. A malformed request never stops the
 * responder: it answers and keeps serving.
 */
DOE_API int spdm_rsp_handle(struct spdm_rsp *rsp, const void *req, size_t req_len, void *out,
			    size_t out_cap, size_t *out_len);
DOE_API void spdm_rsp_fini(struct spdm_rsp *rsp);

/* ---- test / emulator identities -------------------------------------- */

/* root -> intermediate -> leaf, made with OpenSSL now: the leaf key is of
 * asym_algo and carries the CMA SAN otherName (2.23.147) given (NULL: a
 * default); root and intermediate are ECDSA P-384. Heap object. */
struct spdm_identity;
DOE_API int spdm_identity_new(struct doe_ctx *ctx, uint32_t asym_algo, const char *cma_san,
			      struct spdm_identity **out);
DOE_API void spdm_identity_free(struct spdm_identity *id);
/* A vendor CA alone: root -> intermediate, both ECDSA of asym_algo (P-256
 * or P-384), to issue device identities from; it has no leaf and cannot
 * answer as a responder itself. */
DOE_API int spdm_identity_new_ca(struct doe_ctx *ctx, uint32_t asym_algo,
				 struct spdm_identity **out);
/* A new leaf (key of asym_algo, the CMA SAN given, serial >= 4) under the
 * root and intermediate of ca, which must come from spdm_identity_new() or
 * spdm_identity_new_ca():
 * devices of one vendor CA, as a fleet has. ca may issue from several
 * threads at once. */
DOE_API int spdm_identity_issue(struct doe_ctx *ctx, const struct spdm_identity *ca,
				uint32_t asym_algo, const char *cma_san, long serial,
				struct spdm_identity **out);
/* DER certificates root first (for spdm_rsp_config.certs_der) */
DOE_API const uint8_t *spdm_identity_certs(const struct spdm_identity *id, size_t *len);
/* The root alone (DER), to put in a trust store */
DOE_API const uint8_t *spdm_identity_root(const struct spdm_identity *id, size_t *len);
/* Writes the leaf private key (PEM, mode 0600) and the chain (PEM, root
 * first), e.g. for an emulator that must keep its identity across runs. */
DOE_API int spdm_identity_save(struct doe_ctx *ctx, const struct spdm_identity *id,
			       const char *key_path, const char *chain_path);
/* Loads an identity: a PEM private key and a PEM chain (root first or leaf
 * first, with the self-signed root); the key must match the leaf and be of
 * asym_algo. */
DOE_API int spdm_identity_load(struct doe_ctx *ctx, uint32_t asym_algo, const char *key_path,
			       const char *chain_path, struct spdm_identity **out);
/* Fills the identity part of a responder config (asym, certs, signer). */
DOE_API void spdm_identity_apply(const struct spdm_identity *id, struct spdm_rsp_config *c);

/* ---- transports and the blocking layer --------------------------------- */

/* One request/response exchange. Returns 0 with *rsp_len set, or -errno
 * (-ETIMEDOUT: no answer). align: the transport pads to this many bytes. */
struct spdm_transport_ops {
	int (*exchange)(void *priv, const void *req, size_t req_len, void *rsp, size_t rsp_cap,
			size_t *rsp_len);
	uint8_t align;
	/* Sessions (spdm_session.h): one secured message out, one back (DOE:
	 * data object type 2; MCTP: message type 0x06). NULL: the transport
	 * carries no sessions. binding is an enum spdm_binding. */
	int (*exchange_secured)(void *priv, const void *req, size_t req_len, void *rsp,
				size_t rsp_cap, size_t *rsp_len);
	uint8_t binding;
};

/* CMA over DOE: doe_exchange() with vendor 0x0001 type 1; priv is a
 * struct doe_mb *. */
DOE_API const struct spdm_transport_ops *spdm_transport_doe(void);

/* Runs an initialized requester to the end over a transport, sleeping
 * for ResponseNotReady as told (at most max_wait_us each). rsp_buf
 * receives responses (policy.max_rsp_size bytes). Returns as
 * spdm_req_next(), or the transport's error (named). */
DOE_API int spdm_req_run(struct spdm_req *req, const struct spdm_transport_ops *ops, void *priv,
			 void *rsp_buf, size_t rsp_cap, uint64_t max_wait_us);

DOE_END_DECLS

#endif
