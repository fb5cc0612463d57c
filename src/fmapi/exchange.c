// SPDX-License-Identifier: MIT
/*
 * Blocking FM-API over an MCTP channel: one command with bounded retries
 * of Busy/Retry Required and background-operation polling under a
 * deadline, and the typed command helpers on top.
 */
#include <doekit/mctp.h>
#include "fmapi_req_int.h"

/* One request/response round: *pl points into r->rx. */
static int round_trip(struct fmapi_req *r, struct mctp_chan *chan, uint16_t opcode,
		      const void *in, size_t inlen, struct fmapi_hdr *h, const uint8_t **pl,
		      size_t *plen)
{
	size_t len;
	int rc;

	TRY(fmapi_req_build(r, opcode, in, inlen, r->tx, sizeof(r->tx), &len));
	rc = mctp_exchange(chan, r->mctp_type, r->tx, len, r->rx, sizeof(r->rx), &len);
	if (rc < 0) {
		r->outstanding = false;
		/* the channel may keep its message in its own context */
		if (mctp_chan_ctx(chan) != r->ctx)
			return doe_err(r->ctx, rc, "%s", doe_ctx_errmsg(mctp_chan_ctx(chan)));
		return rc;
	}
	return fmapi_rsp_check(r, r->rx, len, h, pl, plen);
}

static int rc_error(struct fmapi_req *r, uint16_t opcode, uint16_t rc, uint16_t vendor,
		    const char *when)
{
	const char *name = fmapi_rc_name(rc);

	if (vendor)
		return doe_err(r->ctx, fmapi_rc_errno(rc), "FM-API %s (0x%04x)%s: device returned "
			       "%s (%u), vendor status 0x%04x", fmapi_op_label(opcode), opcode, when,
			       name ? name : "an unknown return code", rc, vendor);
	return doe_err(r->ctx, fmapi_rc_errno(rc), "FM-API %s (0x%04x)%s: device returned %s (%u)",
		       fmapi_op_label(opcode), opcode, when,
		       name ? name : "an unknown return code", rc);
}

/* Polls Background Operation Status until opcode's operation ends; its
 * final return code and vendor status become the request's last ones. */
static int bg_wait(struct fmapi_req *r, struct mctp_chan *chan, uint16_t opcode)
{
	uint64_t start = r->clock.now_ms(r->clock.priv);
	/* bounded by the clock and, should the clock stand still, by count */
	unsigned max_polls = r->bg_timeout_ms / r->poll_ms + 2;
	struct fmapi_bg_status st = { 0 };
	struct fmapi_hdr h;
	const uint8_t *pl;
	size_t plen;

	for (unsigned n = 0;; n++) {
		if (n >= max_polls || r->clock.now_ms(r->clock.priv) - start >= r->bg_timeout_ms)
			return doe_err(r->ctx, -ETIMEDOUT, "FM-API %s (0x%04x): background operation "
				       "still running after %u ms (%u%% complete)",
				       fmapi_op_label(opcode), opcode, r->bg_timeout_ms, st.percent);
		r->clock.sleep_ms(r->clock.priv, r->poll_ms);
		TRY(round_trip(r, chan, FMAPI_OP_BG_OP_STATUS, NULL, 0, &h, &pl, &plen));
		/* a busy device is asked again at the next poll, within the deadline */
		if (h.return_code == FMAPI_RC_BUSY || h.return_code == FMAPI_RC_RETRY)
			continue;
		if (h.return_code != FMAPI_RC_SUCCESS)
			return rc_error(r, FMAPI_OP_BG_OP_STATUS, h.return_code, h.vendor_status,
					"");
		TRY(fmapi_bg_status_rsp_decode(r->ctx, pl, plen, &st));
		if (st.opcode != opcode)
			return doe_err(r->ctx, -EPROTO, "FM-API %s (0x%04x): background operation "
				       "status reports opcode 0x%04x", fmapi_op_label(opcode), opcode,
				       st.opcode);
		if (!st.running)
			break;
	}
	r->last_rc = st.return_code;
	r->last_vendor = st.vendor_status;
	return 0;
}

/* The command, retried and waited for; on 0 the payload of its
 * (successful) response is at *pl, inside r->rx. */
static int run(struct fmapi_req *r, struct mctp_chan *chan, uint16_t opcode, const void *in,
	       size_t inlen, const uint8_t **pl, size_t *plen)
{
	struct fmapi_hdr h;

	for (unsigned attempt = 0;; attempt++) {
		TRY(round_trip(r, chan, opcode, in, inlen, &h, pl, plen));
		if (h.return_code != FMAPI_RC_BUSY && h.return_code != FMAPI_RC_RETRY)
			break;
		if (attempt >= r->retries)
			return rc_error(r, opcode, h.return_code, h.vendor_status, "");
		r->clock.sleep_ms(r->clock.priv, r->retry_ms);
	}
	if (h.return_code == FMAPI_RC_BACKGROUND) {
		TRY(bg_wait(r, chan, opcode));
		/* what the command answered when it started is all there is */
		*pl = NULL;
		*plen = 0;
		if (r->last_rc != FMAPI_RC_SUCCESS)
			return rc_error(r, opcode, r->last_rc, r->last_vendor,
					" in the background");
		return 0;
	}
	if (h.return_code != FMAPI_RC_SUCCESS)
		return rc_error(r, opcode, h.return_code, h.vendor_status, "");
	return 0;
}

int fmapi_exchange(struct fmapi_req *r, struct mctp_chan *chan, uint16_t opcode, const void *in,
		   size_t inlen, void *out, size_t cap, size_t *outlen)
{
	const uint8_t *pl;
	size_t plen;

	TRY(run(r, chan, opcode, in, inlen, &pl, &plen));
	if (plen > cap)
		return doe_err(r->ctx, -EMSGSIZE, "FM-API %s (0x%04x): response payload of %zu "
			       "bytes exceeds the %zu-byte buffer", fmapi_op_label(opcode), opcode,
			       plen, cap);
	if (plen)
		memcpy(out, pl, plen);
	*outlen = plen;
	return 0;
}

int fmapi_identify(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_identify *out)
{
	const uint8_t *pl;
	size_t plen;

	TRY(run(r, chan, FMAPI_OP_IDENTIFY, NULL, 0, &pl, &plen));
	TRY(fmapi_identify_rsp_decode(r->ctx, pl, plen, out));
	return fmapi_req_set_max_req(r, out->max_msg_size);
}

int fmapi_bg_status(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_bg_status *out)
{
	const uint8_t *pl;
	size_t plen;

	TRY(run(r, chan, FMAPI_OP_BG_OP_STATUS, NULL, 0, &pl, &plen));
	return fmapi_bg_status_rsp_decode(r->ctx, pl, plen, out);
}

int fmapi_get_msg_limit(struct fmapi_req *r, struct mctp_chan *chan, uint8_t *n)
{
	const uint8_t *pl;
	size_t plen;

	TRY(run(r, chan, FMAPI_OP_GET_RSP_MSG_LIMIT, NULL, 0, &pl, &plen));
	TRY(fmapi_msg_limit_decode(r->ctx, pl, plen, n));
	return fmapi_req_set_rsp_limit(r, *n);
}

int fmapi_set_msg_limit(struct fmapi_req *r, struct mctp_chan *chan, uint8_t n, uint8_t *set)
{
	uint8_t req[1], got;
	const uint8_t *pl;
	size_t len, plen;

	TRY(fmapi_msg_limit_encode(r->ctx, n, req, sizeof(req), &len));
	TRY(run(r, chan, FMAPI_OP_SET_RSP_MSG_LIMIT, req, len, &pl, &plen));
	TRY(fmapi_msg_limit_decode(r->ctx, pl, plen, &got));
	TRY(fmapi_req_set_rsp_limit(r, got));
	if (set)
		*set = got;
	return 0;
}

int fmapi_identify_switch(struct fmapi_req *r, struct mctp_chan *chan,
			  struct fmapi_switch_info *out)
{
	const uint8_t *pl;
	size_t plen;

	TRY(run(r, chan, FMAPI_OP_IDENTIFY_SWITCH, NULL, 0, &pl, &plen));
	return fmapi_switch_rsp_decode(r->ctx, pl, plen, out);
}

int fmapi_port_state(struct fmapi_req *r, struct mctp_chan *chan,
		     const struct fmapi_port_state_req *in, struct fmapi_port_state_rsp *out)
{
	uint8_t req[1 + FMAPI_MAX_PORTS];
	const uint8_t *pl;
	size_t len, plen;

	TRY(fmapi_port_state_req_encode(r->ctx, in, req, sizeof(req), &len));
	TRY(run(r, chan, FMAPI_OP_GET_PORT_STATE, req, len, &pl, &plen));
	TRY(fmapi_port_state_rsp_decode(r->ctx, pl, plen, out));
	/* one block per port asked for, in the order asked */
	if (out->num_ports != in->num_ports)
		return doe_err(r->ctx, -EPROTO, "FM-API get-physical-port-state: asked for %u "
			       "ports, got %u", in->num_ports, out->num_ports);
	for (unsigned i = 0; i < in->num_ports; i++)
		if (out->ports[i].port_id != in->ports[i])
			return doe_err(r->ctx, -EPROTO, "FM-API get-physical-port-state: entry %u "
				       "is port %u, asked for port %u", i, out->ports[i].port_id,
				       in->ports[i]);
	return 0;
}

int fmapi_port_control(struct fmapi_req *r, struct mctp_chan *chan,
		       const struct fmapi_port_control *in)
{
	uint8_t req[FMAPI_PORT_CONTROL_LEN];
	const uint8_t *pl;
	size_t len, plen;

	TRY(fmapi_port_control_req_encode(r->ctx, in, req, sizeof(req), &len));
	TRY(run(r, chan, FMAPI_OP_PORT_CONTROL, req, len, &pl, &plen));
	return fmapi_empty_decode(r->ctx, FMAPI_OP_PORT_CONTROL, true, plen);
}

int fmapi_ppb_config(struct fmapi_req *r, struct mctp_chan *chan,
		     const struct fmapi_ppb_config *in, uint32_t *data)
{
	uint8_t req[FMAPI_PPB_CONFIG_LEN];
	const uint8_t *pl;
	size_t len, plen;
	uint32_t v = 0;

	TRY(fmapi_ppb_config_req_encode(r->ctx, in, req, sizeof(req), &len));
	TRY(run(r, chan, FMAPI_OP_SEND_PPB_CONFIG, req, len, &pl, &plen));
	/* the 4-byte return data field carries a read's data; a write's
	 * response may carry the field (ignored) or nothing */
	if (in->write && plen == 0)
		return 0;
	TRY(fmapi_ppb_config_rsp_decode(r->ctx, pl, plen, &v));
	if (data && !in->write)
		*data = v;
	return 0;
}

int fmapi_vcs_info(struct fmapi_req *r, struct mctp_chan *chan,
		   const struct fmapi_vcs_info_req *in, struct fmapi_vcs_info_rsp *out)
{
	uint8_t req[3 + FMAPI_MAX_VCS];
	const uint8_t *pl;
	size_t len, plen;

	TRY(fmapi_vcs_info_req_encode(r->ctx, in, req, sizeof(req), &len));
	TRY(run(r, chan, FMAPI_OP_GET_VCS_INFO, req, len, &pl, &plen));
	TRY(fmapi_vcs_info_rsp_decode(r->ctx, in, pl, plen, out));
	if (out->num_vcs != in->num_vcs)
		return doe_err(r->ctx, -EPROTO, "FM-API get-virtual-cxl-switch-info: asked for %u "
			       "VCSs, got %u", in->num_vcs, out->num_vcs);
	for (unsigned i = 0; i < in->num_vcs; i++)
		if (out->vcs[i].vcs_id != in->vcs_ids[i])
			return doe_err(r->ctx, -EPROTO, "FM-API get-virtual-cxl-switch-info: entry "
				       "%u is VCS %u, asked for VCS %u", i, out->vcs[i].vcs_id,
				       in->vcs_ids[i]);
	return 0;
}

int fmapi_bind(struct fmapi_req *r, struct mctp_chan *chan, const struct fmapi_bind *in)
{
	uint8_t req[FMAPI_BIND_LEN];
	const uint8_t *pl;
	size_t len, plen;

	TRY(fmapi_bind_req_encode(r->ctx, in, req, sizeof(req), &len));
	TRY(run(r, chan, FMAPI_OP_BIND_VPPB, req, len, &pl, &plen));
	return fmapi_empty_decode(r->ctx, FMAPI_OP_BIND_VPPB, true, plen);
}

int fmapi_unbind(struct fmapi_req *r, struct mctp_chan *chan, const struct fmapi_unbind *in)
{
	uint8_t req[FMAPI_UNBIND_LEN];
	const uint8_t *pl;
	size_t len, plen;

	TRY(fmapi_unbind_req_encode(r->ctx, in, req, sizeof(req), &len));
	TRY(run(r, chan, FMAPI_OP_UNBIND_VPPB, req, len, &pl, &plen));
	return fmapi_empty_decode(r->ctx, FMAPI_OP_UNBIND_VPPB, true, plen);
}

int fmapi_ld_info(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_ld_info *out)
{
	const uint8_t *pl;
	size_t plen;

	TRY(run(r, chan, FMAPI_OP_GET_LD_INFO, NULL, 0, &pl, &plen));
	return fmapi_ld_info_rsp_decode(r->ctx, pl, plen, out);
}
