// SPDX-License-Identifier: MIT
/*
 * The emulator's in-process MCTP network: a topology's endpoints by EID.
 * An endpoint answers FM-API from a switch model (fm_switch.c) and SPDM
 * with a function's identity; a profile adds endpoints with
 * emu_mctp_net_add() (topology.c). A channel from emu_mctp_open() is one
 * requester: its own SPDM responder and sessions, made on the first SPDM
 * message, as a connection to a real endpoint would have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/emu.h>
#include <doekit/mctp.h>
#include "emu_internal.h"
#include "fm_switch.h"
#include "internal.h"

#define EMU_MCTP_MAX_EPS 8

struct emu_mctp_ep {
	uint8_t eid;
	struct emu_fmsw *sw;		/* FM-API (0x07), or NULL */
	struct emu_fn *spdm_fn;		/* SPDM (0x05/0x06) with its identity, or NULL */
	struct emu_mctp_fault fault;
	uint32_t fault_left;		/* answers left when fault.count != 0 */
};

struct emu_mctp_net {
	struct doe_ctx *ctx;
	struct emu_mctp_ep eps[EMU_MCTP_MAX_EPS];
	size_t n;
};

static const char *const fault_names[EMU_MCTP_FAULT_COUNT] = {
	[EMU_MCTP_FAULT_NONE] = "none",
	[EMU_MCTP_FAULT_BUSY] = "busy",
	[EMU_MCTP_FAULT_BG_NEVER] = "bg-never",
	[EMU_MCTP_FAULT_WRONG_TAG] = "wrong-tag",
	[EMU_MCTP_FAULT_TRUNCATE] = "truncate",
};

const char *emu_mctp_fault_name(enum emu_mctp_fault_kind kind)
{
	return (unsigned int)kind < EMU_MCTP_FAULT_COUNT ? fault_names[kind] : "?";
}

int emu_mctp_fault_parse(const char *name, enum emu_mctp_fault_kind *kind)
{
	for (unsigned int i = 0; i < EMU_MCTP_FAULT_COUNT; i++) {
		if (name && !strcmp(name, fault_names[i])) {
			*kind = (enum emu_mctp_fault_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

int emu_mctp_net_add(struct emu_mctp_net **netp, struct doe_ctx *ctx, uint8_t eid,
		     struct emu_fmsw *sw, struct emu_fn *spdm_fn)
{
	struct emu_mctp_net *net = *netp;

	if (!net) {
		net = calloc(1, sizeof(*net));
		if (!net)
			return -ENOMEM;
		net->ctx = ctx;
		*netp = net;
	}
	if (net->n == EMU_MCTP_MAX_EPS)
		return -ENOSPC;
	net->eps[net->n++] = (struct emu_mctp_ep){ .eid = eid, .sw = sw, .spdm_fn = spdm_fn };
	return 0;
}

void emu_mctp_net_free(struct emu_mctp_net *net)
{
	free(net);
}

static struct emu_mctp_ep *find_ep(struct emu_mctp_net *net, uint8_t eid)
{
	for (size_t i = 0; net && i < net->n; i++)
		if (net->eps[i].eid == eid)
			return &net->eps[i];
	return NULL;
}

size_t emu_mctp_eids(const struct emu_topo *topo, uint8_t *eids, size_t max)
{
	struct emu_mctp_net *net = emu_topo_mctp(topo);
	size_t n = net ? net->n : 0;

	/* profiles add endpoints in EID order */
	for (size_t i = 0; i < n && i < max; i++)
		eids[i] = net->eps[i].eid;
	return n;
}

struct emu_fn *emu_mctp_spdm_fn(const struct emu_topo *topo, uint8_t eid)
{
	struct emu_mctp_ep *ep = find_ep(emu_topo_mctp(topo), eid);

	return ep ? ep->spdm_fn : NULL;
}

static int no_endpoint(struct emu_topo *topo, uint8_t eid)
{
	struct emu_mctp_net *net = emu_topo_mctp(topo);
	char list[64] = "";
	size_t off = 0;

	for (size_t i = 0; net && i < net->n && off < sizeof(list) - 8; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%u", i ? ", " : "",
					net->eps[i].eid);
	return doe_err(emu_topo_ctx(topo), -ENOENT,
		       "no MCTP endpoint at EID %u in emulator profile '%s' (%s%s)", eid,
		       emu_topo_profile(topo), off ? "endpoints: " : "it has no MCTP endpoints",
		       list);
}

int emu_mctp_set_fault(struct emu_topo *topo, uint8_t eid, const struct emu_mctp_fault *f)
{
	struct emu_mctp_ep *ep = find_ep(emu_topo_mctp(topo), eid);

	if (!ep)
		return no_endpoint(topo, eid);
	if (f && (unsigned int)f->kind >= EMU_MCTP_FAULT_COUNT)
		return doe_err(emu_topo_ctx(topo), -EINVAL, "unknown MCTP fault %d", (int)f->kind);
	ep->fault = f ? *f : (struct emu_mctp_fault){ 0 };
	ep->fault_left = ep->fault.count;
	return 0;
}

/* The fault for this answer, counted down. */
static struct emu_fmsw_fault take_fault(struct emu_mctp_ep *ep)
{
	struct emu_fmsw_fault f = { 0 };

	switch (ep->fault.kind) {
	case EMU_MCTP_FAULT_NONE:
		return f;
	case EMU_MCTP_FAULT_BUSY:
		f.busy = true;
		break;
	case EMU_MCTP_FAULT_BG_NEVER:
		f.stall_bg = true;
		break;
	case EMU_MCTP_FAULT_WRONG_TAG:
		f.wrong_tag = true;
		break;
	case EMU_MCTP_FAULT_TRUNCATE:
		f.truncate = true;
		break;
	}
	if (ep->fault.count && --ep->fault_left == 0)
		ep->fault.kind = EMU_MCTP_FAULT_NONE;
	return f;
}

/* One requester's link to an endpoint. */
struct emu_mctp_link {
	struct emu_topo *topo;
	struct emu_mctp_ep *ep;
	struct emu_spdm_conn *spdm;	/* made on the first SPDM message */
	char name[64];
};

static int link_spdm(struct emu_mctp_link *l, bool secured, const uint8_t *req, size_t len,
		     uint8_t *rsp, size_t cap, size_t *rlen)
{
	if (!l->spdm)
		TRY(emu_fn_spdm_conn_new(l->ep->spdm_fn, true, &l->spdm));
	return emu_spdm_conn_handle(l->spdm, secured, req, len, rsp, cap, rlen);
}

static int link_exchange(void *priv, const void *req, size_t req_len, void *rsp, size_t rsp_cap,
			 size_t *rsp_len)
{
	struct emu_mctp_link *l = priv;
	struct emu_mctp_ep *ep = l->ep;
	struct doe_ctx *ctx = emu_topo_ctx(l->topo);
	const uint8_t *body;
	uint8_t type, *out = rsp;
	size_t blen, olen = 0;
	int rc;

	TRY(mctp_msg_decode(ctx, req, req_len, &type, &body, &blen));
	if (rsp_cap < 1)
		return doe_err(ctx, -EMSGSIZE, "%s: no room for an answer", l->name);
	if (type == MCTP_TYPE_FMAPI && ep->sw) {
		struct emu_fmsw_fault f = take_fault(ep);

		rc = emu_fmsw_answer(ep->sw, &f, body, blen, out + 1, rsp_cap - 1, &olen);
		if (rc < 0) {	/* dropped: a real requester would time out */
			doe_err_prefix(ctx, "%s: no answer, the endpoint dropped the request",
				       l->name);
			return -ETIMEDOUT;
		}
	} else if ((type == MCTP_TYPE_SPDM || type == MCTP_TYPE_SECURED) && ep->spdm_fn) {
		TRY(link_spdm(l, type == MCTP_TYPE_SECURED, body, blen, out + 1, rsp_cap - 1,
			      &olen));
	} else {
		const char *n = mctp_type_name(type);

		return doe_err(ctx, -EPROTONOSUPPORT, "%s does not answer MCTP message type "
			       "0x%02x%s%s%s", l->name, type, n ? " (" : "", n ? n : "",
			       n ? ")" : "");
	}
	out[0] = type;
	*rsp_len = olen + 1;
	return 0;
}

static void link_release(void *priv)
{
	struct emu_mctp_link *l = priv;

	emu_spdm_conn_free(l->spdm);
	free(l);
}

static const struct mctp_chan_ops link_ops = {
	.exchange = link_exchange,
	.release = link_release,
};

int emu_mctp_open(struct emu_topo *topo, uint8_t eid, struct mctp_chan **out)
{
	struct emu_mctp_ep *ep = find_ep(emu_topo_mctp(topo), eid);
	struct emu_mctp_link *l;
	int rc;

	if (!ep)
		return no_endpoint(topo, eid);
	l = calloc(1, sizeof(*l));
	if (!l)
		return doe_err(emu_topo_ctx(topo), -ENOMEM, "out of memory");
	l->topo = topo;
	l->ep = ep;
	if (!strcmp(emu_topo_profile(topo), EMU_DEFAULT_PROFILE))
		snprintf(l->name, sizeof(l->name), "emu/mctp:%u", eid);
	else
		snprintf(l->name, sizeof(l->name), "emu:%s/mctp:%u", emu_topo_profile(topo), eid);
	rc = mctp_chan_new(emu_topo_ctx(topo), &link_ops, l, l->name, out);
	if (rc)
		free(l);
	return rc;
}
