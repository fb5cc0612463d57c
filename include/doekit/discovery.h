/* SPDX-License-Identifier: MIT */
/*
 * DOE Discovery (PCIe §6.30.1.1): which (vendor ID, type) pairs a mailbox
 * serves, and the names doekit knows them by.
 */
#ifndef DOEKIT_DISCOVERY_H
#define DOEKIT_DISCOVERY_H

#include <doekit/common.h>
#include <doekit/doe.h>

DOE_BEGIN_DECLS

struct doe_protocol {
	uint16_t vid;
	uint8_t type;
};

#define DOE_DISCOVERY_MAX 256	/* index is 8 bits */

/* "Discovery", "CMA/SPDM", "Secured CMA/SPDM", "CXL Compliance",
 * "CXL Table Access (CDAT)"; NULL when unknown. */
DOE_API const char *doe_protocol_name(uint16_t vid, uint8_t type);

/* Discovery request version field: 2 when the capability version is >= 2
 * (PCIe r6.1+), else 0 (as Linux does). */
DOE_API uint8_t doe_discovery_version(uint8_t cap_version);

/* Sans-I/O codec, exposed for tests, fuzzers and other transports. */
DOE_API void doe_discovery_req_encode(uint8_t index, uint8_t version, uint8_t out[4]);
DOE_API int doe_discovery_rsp_parse(struct doe_ctx *ctx, const void *rsp, size_t len,
				    struct doe_protocol *proto, uint8_t *next_index);

/*
 * Runs Discovery on a mailbox: index 0, then each next index until 0.
 * Stores up to max protocols and returns how many were found.
 * Guards: an index asked twice (-ELOOP), more than 256 entries (-E2BIG).
 */
DOE_API int doe_discover(struct doe_mb *mb, struct doe_protocol *out, size_t max);

DOE_END_DECLS

#endif
