/* SPDX-License-Identifier: MIT */
/* The requester's state, shared by requester.c and exchange.c. Not installed. */
#ifndef DOEKIT_FMAPI_REQ_INT_H
#define DOEKIT_FMAPI_REQ_INT_H

#include "fmapi_int.h"

/* without device limits: the largest MCTP message body (type byte excluded) */
#define FMAPI_DEFAULT_MAX (65536u - 1u)
#define FMAPI_RETRIES_MAX 100u

struct fmapi_req {
	struct doe_ctx *ctx;
	uint8_t mctp_type;
	uint8_t next_tag;
	uint8_t out_tag;
	uint16_t out_opcode;
	bool outstanding;
	size_t max_req;		/* bytes, header included */
	size_t max_rsp;
	unsigned retries, retry_ms;
	unsigned poll_ms, bg_timeout_ms;
	struct fmapi_clock clock;
	uint16_t last_rc, last_vendor;
	/* whole CCI messages; an MCTP message body is at most this long */
	uint8_t tx[FMAPI_DEFAULT_MAX];
	uint8_t rx[FMAPI_DEFAULT_MAX];
};

/* "bind-vppb", or "command" for an opcode without a name */
static inline const char *fmapi_op_label(uint16_t opcode)
{
	const char *n = fmapi_op_name(opcode);

	return n ? n : "command";
}

#endif
