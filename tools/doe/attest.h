/* SPDX-License-Identifier: MIT */
/* doe attest and doe verify-evidence: shared output helpers. */
#ifndef DOE_ATTEST_H
#define DOE_ATTEST_H

#include <openssl/x509.h>
#include <doekit/spdm.h>
#include <doekit/spdm_socket.h>
#include "evidence.h"
#include "tool.h"

/* One certificate of a chain, as DER: split, never parsed whole
 * (d2i_X509 decodes the public key too, which costs more than checking a
 * signature in OpenSSL 3.0; a report needs the subject and the bytes). */
struct chain_cert {
	const uint8_t *der;	/* points into the chain */
	size_t der_len;
};

#define MAX_CHAIN_CERTS 16

void hex_encode(const uint8_t *p, size_t n, char *out);
struct json_object *hex_json(const uint8_t *p, size_t n);
/* Hex digits to bytes (at most cap); -EINVAL for anything but pairs of
 * hex digits. */
int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *len);
/* The DER certificates of an SPDM chain (DSP0274 §10.7.1: Length u16,
 * Reserved u16, RootHash, certificates root first), bounded: the number
 * (up to max) or -EBADMSG. */
int chain_split(struct doe_ctx *ctx, const uint8_t *chain, size_t len, size_t hash_size,
		struct chain_cert *out, size_t max);
/* A certificate's subject, one line ("(not a certificate)" when its DER
 * does not reach the subject); chain_json(): subject and PEM of each. */
void chain_cert_subject(const struct chain_cert *c, char *buf, size_t len);
/* A DER certificate's serial number and (NULL without one) subject key
 * identifier, each decoded alone; the caller frees them. -EBADMSG when
 * the DER does not reach the serial. */
int der_cert_ids(const uint8_t *der, size_t len, ASN1_INTEGER **serial,
		 ASN1_OCTET_STRING **ski);
struct json_object *chain_json(const struct chain_cert *c, int n);
const char *meas_type_name(uint8_t type);
int meas_json(struct doe_ctx *ctx, const uint8_t *rec, size_t len, struct json_object **out);
void meas_print(struct doe_ctx *ctx, const uint8_t *rec, size_t len);

struct attest {
	struct tool *t;
	struct spdm_req_policy pol;
	struct spdm_trust *trust;
	const char *trust_desc;
	enum spdm_sock_trans trans;
	char name[96];
	char via[64];
	uint8_t nonce[SPDM_NONCE_SIZE];
	bool nonce_given;
	/* what the transport needs */
	struct dev dev;
	struct doe_mb *mb;
	struct spdm_sock *sock;
	struct mctp_chan *chan;		/* an MCTP endpoint: dev's channel, not owned */
	struct tap tap;			/* records the exchange for the evidence */
	bool own_trust;			/* trust made for this device (emulator root) */
	struct json_object *collect;	/* -j with several devices: reports go here */
	bool summary;			/* several devices: one line each */
	const struct policy *policy;	/* --policy: appraise and report a verdict */
	/* caller-owned requester memory and buffers */
	_Alignas(16) uint8_t mem[SPDM_REQUESTER_CTX_SIZE];
	uint8_t chain[65536 + 4 + SPDM_MAX_HASH_SIZE];
	uint8_t meas[65536];
	uint8_t rsp[65536];
};

bool attest_verdict(const struct attest *a, const struct spdm_result *r, int rc, const char **why);
/* Whether the measurement record is covered by a verified signature: its
 * own (MEASUREMENTS), or CHALLENGE_AUTH's over a MeasurementSummaryHash the
 * requester recomputed from this very record. Unsigned measurements of one
 * index (or count) are neither: they are the responder's word only. */
bool meas_authenticated(const struct spdm_result *r);
void attest_print_text(struct attest *a, const struct spdm_result *r, bool ok, const char *why,
		       const struct chain_cert *c, int nc);
struct json_object *attest_evidence_json(struct attest *a, const struct spdm_result *r, bool ok,
					 const char *why, int rc, const struct chain_cert *c,
					 int nc);
const char *meas_mode_name(const struct spdm_req_policy *p, char *buf, size_t len);
int parse_meas_mode(const char *s, struct spdm_req_policy *p);
/* Prints (text or JSON) what a finished requester found; returns the exit code. */
int attest_report(struct attest *a, struct spdm_req *req, int rc, bool with_log);
/*
 * The evidence document of a finished requester: attest_evidence_json()
 * with the verdict for rc, then, when log is given, what a replay needs
 * (policy with align, the two signatures) and, when messages, the log
 * itself. Both doe attest and doe verify-evidence build it here, so the
 * verifier derives exactly the document the attester wrote.
 */
struct json_object *attest_doc(struct attest *a, const struct spdm_result *r, int rc,
			       const struct msglog *log, uint8_t align, bool messages);

/* The device (emulated, real with --raw, or tcp:HOST:PORT) and its CMA
 * mailbox or socket; the emulator's root is trusted for an emulated one. */
/* The certificates of the result's chain (split), 0 when there is none or
 * it does not split. */
int result_certs(struct attest *a, const struct spdm_result *r, struct chain_cert *certs);
int attest_open(struct attest *a, const char *spec);
/* a->pol's chain, measurement and response buffers: a's own */
void attest_use_buffers(struct attest *a);
/* The requester with a->pol over a's transport (attest_transport()), each
 * exchange logged in a->tap for the evidence. *req (NULL when it could not
 * be made) is the caller's to finish, with a->tap.log. */
int attest_run(struct attest *a, struct spdm_req **req);
/* The same for a device already in a->dev (e.g. a function of a topology
 * the caller keeps: dev.topo NULL, dev.fn set). */
int attest_open_dev(struct attest *a);
void attest_close(struct attest *a);
/* The SPDM transport of what attest_open() connected, and its priv: the
 * socket, the MCTP channel or the CMA mailbox. */
const struct spdm_transport_ops *attest_transport(struct attest *a, void **priv);

/* Algorithm names on the command line: "ecdsa-p384", "sha384", ... */
int asym_parse(const char *s, uint32_t *out);
int hash_parse(const char *s, uint32_t *out);
/* The command-line name of one algorithm bit ("none" for none). */
const char *asym_cli_name(uint32_t bit);
const char *hash_cli_name(uint32_t bit);
/* "name,name,...": the union of the bits, with parse() for each name. */
int algo_list_parse(const char *s, int (*parse)(const char *, uint32_t *), uint32_t *out);
/* "1.0".."1.3" to SPDM_V10..SPDM_V13 */
int spdm_version_parse(const char *s, uint8_t *ver);

/* --policy (attest_policy.c): the finished requester's evidence appraised
 * against a->policy and reported with its verdict; a device that could not
 * be opened (why: the message), reported unreachable. Return the exit
 * code: 0 only for authorized. */
int attest_policy_report(struct attest *a, struct spdm_req *req, int rc);
int attest_policy_unreachable(struct attest *a, const char *spec, const char *why);
/* verify-evidence --policy (verify_policy.c): every device of FILE (one
 * evidence, an array, or a bundle) replayed and appraised; a->trust set.
 * Returns the exit code. */
struct policy;
int verify_with_policy(struct tool *t, struct attest *a, const struct policy *p,
		       const char *file);

#endif
