// SPDX-License-Identifier: MIT
/*
 * MCTP messages and channels (DSP0236 §8.1, DSP0239): the one codec every
 * MCTP carrier frames with, the channel wrapper, SPDM over a channel, and
 * the "mctp:[NET,]EID" address syntax.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/mctp.h>
#include <doekit/spdm.h>
#include <doekit/spdm_session.h>
#include "internal.h"

const char *mctp_type_name(uint8_t type)
{
	switch (type & 0x7Fu) {
	case MCTP_TYPE_CONTROL:
		return "control";
	case MCTP_TYPE_PLDM:
		return "pldm";
	case MCTP_TYPE_NVME_MI:
		return "nvme-mi";
	case MCTP_TYPE_SPDM:
		return "spdm";
	case MCTP_TYPE_SECURED:
		return "secured-spdm";
	case MCTP_TYPE_FMAPI:
		return "fm-api";
	case MCTP_TYPE_CCI:
		return "cxl-cci";
	default:
		return NULL;
	}
}

int mctp_msg_encode(struct doe_ctx *ctx, uint8_t type, const void *body, size_t len, void *out,
		    size_t cap, size_t *out_len)
{
	struct doe_wr w;

	if (type & MCTP_TYPE_IC)
		return doe_err(ctx, -EINVAL, "MCTP message type 0x%02x: integrity checks are not "
			       "supported", type);
	if (len >= MCTP_MSG_MAX)
		return doe_err(ctx, -EMSGSIZE, "MCTP message body of %zu bytes exceeds %u", len,
			       MCTP_MSG_MAX - 1);
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, type);
	doe_wr_bytes(&w, body, len);
	if (!doe_wr_ok(&w))
		return doe_err(ctx, -EMSGSIZE, "MCTP message of %zu bytes does not fit %zu", len + 1,
			       cap);
	*out_len = doe_wr_len(&w);
	return 0;
}

int mctp_msg_decode(struct doe_ctx *ctx, const void *msg, size_t len, uint8_t *type,
		    const uint8_t **body, size_t *body_len)
{
	const uint8_t *p = msg;

	if (len == 0)
		return doe_err(ctx, -EBADMSG, "MCTP message: empty (no message type)");
	if (len > MCTP_MSG_MAX)
		return doe_err(ctx, -EMSGSIZE, "MCTP message of %zu bytes exceeds %u", len,
			       MCTP_MSG_MAX);
	if (p[0] & MCTP_TYPE_IC)
		return doe_err(ctx, -EPROTO, "MCTP message type 0x%02x carries an integrity check, "
			       "which type 0x%02x never does", p[0], p[0] & 0x7Fu);
	*type = p[0];
	*body = p + 1;
	*body_len = len - 1;
	return 0;
}

struct mctp_chan {
	struct doe_ctx *ctx;
	const struct mctp_chan_ops *ops;
	void *priv;
	char name[64];
	/* whole messages: the type byte plus a body of up to MCTP_MSG_MAX - 1 */
	uint8_t tx[MCTP_MSG_MAX];
	uint8_t rx[MCTP_MSG_MAX];
};

int mctp_chan_new(struct doe_ctx *ctx, const struct mctp_chan_ops *ops, void *priv,
		  const char *name, struct mctp_chan **out)
{
	struct mctp_chan *c;

	if (!ops || !ops->exchange || !out)
		return doe_err(ctx, -EINVAL, "MCTP channel without an exchange operation");
	c = malloc(sizeof(*c));
	if (!c)
		return doe_err(ctx, -ENOMEM, "out of memory");
	c->ctx = ctx;
	c->ops = ops;
	c->priv = priv;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "mctp");
	*out = c;
	return 0;
}

void mctp_chan_free(struct mctp_chan *c)
{
	if (!c)
		return;
	if (c->ops->release)
		c->ops->release(c->priv);
	free(c);
}

const char *mctp_chan_name(const struct mctp_chan *c)
{
	return c->name;
}

struct doe_ctx *mctp_chan_ctx(const struct mctp_chan *c)
{
	return c->ctx;
}

int mctp_exchange(struct mctp_chan *c, uint8_t type, const void *req, size_t req_len, void *rsp,
		  size_t rsp_cap, size_t *rsp_len)
{
	const uint8_t *body;
	size_t len, blen;
	uint8_t got;
	int rc;

	TRY(mctp_msg_encode(c->ctx, type, req, req_len, c->tx, sizeof(c->tx), &len));
	rc = c->ops->exchange(c->priv, c->tx, len, c->rx, sizeof(c->rx), &len);
	if (rc < 0)
		return rc;
	if (len > sizeof(c->rx))
		return doe_err(c->ctx, -EMSGSIZE, "%s: carrier returned %zu bytes for a %zu-byte "
			       "buffer", c->name, len, sizeof(c->rx));
	rc = mctp_msg_decode(c->ctx, c->rx, len, &got, &body, &blen);
	if (rc < 0) {
		doe_err_prefix(c->ctx, "%s", c->name);
		return rc;
	}
	if (got != type)
		return doe_err(c->ctx, -EPROTO, "%s: answer is MCTP message type 0x%02x, the "
			       "request was type 0x%02x", c->name, got, type);
	if (blen > rsp_cap)
		return doe_err(c->ctx, -EMSGSIZE, "%s: %zu-byte answer exceeds the %zu-byte buffer",
			       c->name, blen, rsp_cap);
	memcpy(rsp, body, blen);
	*rsp_len = blen;
	return 0;
}

static int spdm_mctp_exchange(void *priv, const void *req, size_t req_len, void *rsp,
			      size_t rsp_cap, size_t *rsp_len)
{
	return mctp_exchange(priv, MCTP_TYPE_SPDM, req, req_len, rsp, rsp_cap, rsp_len);
}

static int spdm_mctp_exchange_secured(void *priv, const void *req, size_t req_len, void *rsp,
				      size_t rsp_cap, size_t *rsp_len)
{
	return mctp_exchange(priv, MCTP_TYPE_SECURED, req, req_len, rsp, rsp_cap, rsp_len);
}

static const struct spdm_transport_ops spdm_mctp_ops = {
	.exchange = spdm_mctp_exchange,
	.align = 1,
	.exchange_secured = spdm_mctp_exchange_secured,
	.binding = SPDM_BINDING_MCTP,
};

const struct spdm_transport_ops *spdm_transport_mctp(void)
{
	return &spdm_mctp_ops;
}

/* A decimal or 0x-hex number of at most max, the whole of [s, end). */
static bool parse_num(const char *s, const char *end, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end || end - s > 10)
		return false;
	for (; s < end; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return false;
		v = v * base + d;
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

int mctp_addr_parse(struct doe_ctx *ctx, const char *spec, struct mctp_addr *out)
{
	const char *p, *comma, *end;
	uint32_t net = MCTP_NET_ANY, eid;

	if (strncmp(spec, "mctp:", 5))
		return doe_err(ctx, -EINVAL, "'%s': expected mctp:[NET,]EID", spec);
	p = spec + 5;
	end = p + strlen(p);
	comma = strchr(p, ',');
	if (comma) {
		if (!parse_num(p, comma, UINT32_MAX, &net))
			return doe_err(ctx, -EINVAL, "'%s': network must be a number 0..4294967295",
				       spec);
		p = comma + 1;
	}
	if (!parse_num(p, end, 0xFF, &eid))
		return doe_err(ctx, -EINVAL, "'%s': EID must be a number 1..254", spec);
	if (eid == 0 || eid == MCTP_ADDR_ANY)
		return doe_err(ctx, -EINVAL, "'%s': EID %u is %s, not an endpoint", spec, eid,
			       eid ? "the broadcast address" : "the null EID");
	out->net = net;
	out->eid = (uint8_t)eid;
	return 0;
}
