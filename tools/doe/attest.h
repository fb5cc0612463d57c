/* SPDX-License-Identifier: MIT */
/* doe attest and doe verify-evidence: shared output helpers. */
#ifndef DOE_ATTEST_H
#define DOE_ATTEST_H

#include <openssl/x509.h>
#include <doekit/spdm.h>
#include "tool.h"

struct chain_cert {
	X509 *x509;
	const uint8_t *der;	/* points into the chain */
	size_t der_len;
};

#define MAX_CHAIN_CERTS 16

void hex_encode(const uint8_t *p, size_t n, char *out);
struct json_object *hex_json(const uint8_t *p, size_t n);
/* Returns the number of certificates (up to max) or -EBADMSG. */
int chain_certs(struct doe_ctx *ctx, const uint8_t *chain, size_t len, size_t hash_size,
		struct chain_cert *out, size_t max);
void chain_certs_free(struct chain_cert *c, int n);
void cert_subject(X509 *x, char *buf, size_t len);
struct json_object *chain_json(const struct chain_cert *c, int n);
const char *meas_type_name(uint8_t type);
int meas_json(struct doe_ctx *ctx, const uint8_t *rec, size_t len, struct json_object **out);
void meas_print(struct doe_ctx *ctx, const uint8_t *rec, size_t len);

/* Algorithm names on the command line: "ecdsa-p384", "sha384", ... */
int asym_parse(const char *s, uint32_t *out);
int hash_parse(const char *s, uint32_t *out);

#endif
