// SPDX-License-Identifier: MIT
/*
 * Blocking FM-API over an MCTP channel: one exchange with retries of
 * Busy/Retry Required and background-operation polling, and the typed
 * command helpers.
 */
#include <doekit/mctp.h>
#include "fmapi_req_int.h"

int fmapi_exchange(struct fmapi_req *r, struct mctp_chan *chan, uint16_t opcode, const void *in,
		   size_t inlen, void *out, size_t cap, size_t *outlen)
{
	(void)chan; (void)opcode; (void)in; (void)inlen; (void)out; (void)cap; (void)outlen;
	return doe_err(r->ctx, -ENOSYS, "FM-API: not implemented yet");
}

#define STUB(...) { (void)chan; return doe_err(r->ctx, -ENOSYS, "FM-API: not implemented yet"); }
int fmapi_identify(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_identify *out)
{ (void)out; STUB() }
int fmapi_bg_status(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_bg_status *out)
{ (void)out; STUB() }
int fmapi_get_msg_limit(struct fmapi_req *r, struct mctp_chan *chan, uint8_t *n)
{ (void)n; STUB() }
int fmapi_set_msg_limit(struct fmapi_req *r, struct mctp_chan *chan, uint8_t n, uint8_t *set)
{ (void)n; (void)set; STUB() }
int fmapi_identify_switch(struct fmapi_req *r, struct mctp_chan *chan,
			  struct fmapi_switch_info *out)
{ (void)out; STUB() }
int fmapi_port_state(struct fmapi_req *r, struct mctp_chan *chan,
		     const struct fmapi_port_state_req *in, struct fmapi_port_state_rsp *out)
{ (void)in; (void)out; STUB() }
int fmapi_port_control(struct fmapi_req *r, struct mctp_chan *chan,
		       const struct fmapi_port_control *in)
{ (void)in; STUB() }
int fmapi_ppb_config(struct fmapi_req *r, struct mctp_chan *chan,
		     const struct fmapi_ppb_config *in, uint32_t *data)
{ (void)in; (void)data; STUB() }
int fmapi_vcs_info(struct fmapi_req *r, struct mctp_chan *chan,
		   const struct fmapi_vcs_info_req *in, struct fmapi_vcs_info_rsp *out)
{ (void)in; (void)out; STUB() }
int fmapi_bind(struct fmapi_req *r, struct mctp_chan *chan, const struct fmapi_bind *in)
{ (void)in; STUB() }
int fmapi_unbind(struct fmapi_req *r, struct mctp_chan *chan, const struct fmapi_unbind *in)
{ (void)in; STUB() }
int fmapi_ld_info(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_ld_info *out)
{ (void)out; STUB() }
