// SPDX-License-Identifier: MIT
/*
 * The FM-API requester, sans-I/O: tags, the outstanding request, the
 * device's message-size limits, and the check of every response against
 * the request it answers.
 */
#include <stdlib.h>
#include <time.h>

#include <doekit/mctp.h>
#include "fmapi_req_int.h"

static uint64_t real_now_ms(void *priv)
{
	struct timespec ts;

	(void)priv;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void real_sleep_ms(void *priv, unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };

	(void)priv;
	/* an interrupted sleep only shortens one poll interval; the
	 * deadline is measured on the clock, so it still holds */
	nanosleep(&ts, NULL);
}

static const struct fmapi_clock real_clock = { real_now_ms, real_sleep_ms, NULL };

int fmapi_req_new(struct doe_ctx *ctx, struct fmapi_req **out)
{
	struct fmapi_req *r = calloc(1, sizeof(*r));

	if (!r)
		return doe_err(ctx, -ENOMEM, "FM-API requester: out of memory");
	r->ctx = ctx;
	r->mctp_type = MCTP_TYPE_FMAPI;
	r->max_req = FMAPI_DEFAULT_MAX;
	r->max_rsp = FMAPI_DEFAULT_MAX;
	r->retries = 3;
	r->retry_ms = 10;
	r->poll_ms = 10;
	r->bg_timeout_ms = 10000;
	r->clock = real_clock;
	*out = r;
	return 0;
}

void fmapi_req_free(struct fmapi_req *r)
{
	free(r);
}

struct doe_ctx *fmapi_req_ctx(const struct fmapi_req *r)
{
	return r->ctx;
}

int fmapi_req_set_mctp_type(struct fmapi_req *r, uint8_t type)
{
	if (type != MCTP_TYPE_FMAPI && type != MCTP_TYPE_CCI)
		return doe_err(r->ctx, -EINVAL, "FM-API: MCTP message type 0x%02x is neither "
			       "FM-API (0x07) nor CXL CCI (0x08)", type);
	r->mctp_type = type;
	return 0;
}

static int limit_bytes(struct fmapi_req *r, const char *what, uint8_t n, size_t *out)
{
	if (n == 0) {
		*out = FMAPI_DEFAULT_MAX;
		return 0;
	}
	if (n < FMAPI_MSG_LIMIT_MIN || n > FMAPI_MSG_LIMIT_MAX)
		return doe_err(r->ctx, -EINVAL, "FM-API: %s 2^%u is outside 2^%u..2^%u", what, n,
			       FMAPI_MSG_LIMIT_MIN, FMAPI_MSG_LIMIT_MAX);
	*out = (size_t)1 << n;
	return 0;
}

int fmapi_req_set_max_req(struct fmapi_req *r, uint8_t n)
{
	return limit_bytes(r, "max request size", n, &r->max_req);
}

int fmapi_req_set_rsp_limit(struct fmapi_req *r, uint8_t n)
{
	return limit_bytes(r, "response message limit", n, &r->max_rsp);
}

void fmapi_req_set_retries(struct fmapi_req *r, unsigned retries, unsigned delay_ms)
{
	r->retries = retries > FMAPI_RETRIES_MAX ? FMAPI_RETRIES_MAX : retries;
	r->retry_ms = delay_ms > 1000 ? 1000 : delay_ms;
}

int fmapi_req_set_bg(struct fmapi_req *r, unsigned poll_ms, unsigned timeout_ms)
{
	if (poll_ms < 1 || poll_ms > 1000)
		return doe_err(r->ctx, -EINVAL, "FM-API: background poll interval %u ms is "
			       "outside 1..1000", poll_ms);
	r->poll_ms = poll_ms;
	r->bg_timeout_ms = timeout_ms;
	return 0;
}

void fmapi_req_set_clock(struct fmapi_req *r, const struct fmapi_clock *clock)
{
	r->clock = clock && clock->now_ms && clock->sleep_ms ? *clock : real_clock;
}

int fmapi_req_build(struct fmapi_req *r, uint16_t opcode, const void *payload, size_t len,
		    void *out, size_t cap, size_t *out_len)
{
	const char *name = fmapi_op_name(opcode);
	struct fmapi_hdr h = { .category = FMAPI_CAT_REQ, .opcode = opcode };

	if (len > FMAPI_PAYLOAD_MAX || FMAPI_HDR_LEN + len > r->max_req)
		return doe_err(r->ctx, -EMSGSIZE, "FM-API %s (0x%04x): request of %zu bytes "
			       "exceeds the device's limit of %zu", name ? name : "command",
			       opcode, FMAPI_HDR_LEN + len, r->max_req);
	h.tag = r->next_tag;
	TRY(fmapi_msg_encode(r->ctx, &h, payload, len, out, cap, out_len));
	r->next_tag++;
	r->out_tag = h.tag;
	r->out_opcode = opcode;
	r->outstanding = true;
	return 0;
}

int fmapi_rsp_check(struct fmapi_req *r, const void *in, size_t len, struct fmapi_hdr *hdr,
		    const uint8_t **payload, size_t *plen)
{
	const char *name = fmapi_op_name(r->out_opcode);
	uint16_t op = r->out_opcode;
	uint8_t tag = r->out_tag;

	if (!name)
		name = "command";
	if (!r->outstanding)
		return doe_err(r->ctx, -EPROTO, "FM-API: response without an outstanding request");
	r->outstanding = false;
	TRY(fmapi_msg_decode(r->ctx, in, len, hdr, payload, plen));
	/* The spec counts the whole message against the limit, QEMU only the
	 * payload; this accepts both and still catches a device that ignores
	 * the limit it announced. */
	if (*plen > r->max_rsp)
		return doe_err(r->ctx, -EMSGSIZE, "FM-API %s (0x%04x): response payload of %zu "
			       "bytes exceeds the response message limit of %zu", name, op, *plen,
			       r->max_rsp);
	if (hdr->category != FMAPI_CAT_RSP)
		return doe_err(r->ctx, -EPROTO, "FM-API %s (0x%04x): expected a response "
			       "(category 1), got category %u", name, op, hdr->category);
	if (hdr->tag != tag)
		return doe_err(r->ctx, -EPROTO, "FM-API %s (0x%04x): expected tag %u, got %u",
			       name, op, tag, hdr->tag);
	if (hdr->opcode != op)
		return doe_err(r->ctx, -EPROTO, "FM-API %s: expected opcode 0x%04x echoed, got "
			       "0x%04x", name, op, hdr->opcode);
	r->last_rc = hdr->return_code;
	r->last_vendor = hdr->vendor_status;
	return 0;
}

uint16_t fmapi_req_last_rc(const struct fmapi_req *r)
{
	return r->last_rc;
}

uint16_t fmapi_req_last_vendor_status(const struct fmapi_req *r)
{
	return r->last_vendor;
}
