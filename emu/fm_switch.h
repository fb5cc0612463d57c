/* SPDX-License-Identifier: MIT */
/*
 * The emulated CXL switch as its fabric manager sees it (CXL r3.1 §7.6.7):
 * physical ports (the upstream port and the downstream ports, by their PCIe
 * Port Numbers), one virtual CXL switch (VCS 0) whose vPPBs are bound to
 * downstream ports, and at most one background operation at a time.
 *
 * The model does not copy the topology: a port is its emu_fn, and every
 * change is made on the functions themselves (link holds), so the config
 * space view (doe list emu) and the FM-API view are one model. Binding and
 * unbinding hold EMU_LINK_UNBOUND on the downstream port, PERST# holds
 * EMU_LINK_PERST; a device whose link comes back is reset (emu_fn_reset()).
 *
 * The model knows nothing of CCI bytes: emu/fm_responder.c answers FM-API
 * with the fmapi codec and calls these. Errors are negative errno values
 * the responder maps to return codes: -EINVAL Invalid Input, -EBUSY Busy,
 * -EOPNOTSUPP Unsupported (and, in the responder, -E2BIG Invalid Payload
 * Length for an answer over the response message limit).
 */
#ifndef DOEKIT_EMU_FM_SWITCH_H
#define DOEKIT_EMU_FM_SWITCH_H

#include <doekit/cfg.h>
#include <doekit/emu.h>
#include <doekit/fmapi.h>

#define EMU_FMSW_MAX_PORTS 8
#define EMU_FMSW_MAX_VPPBS 8
#define EMU_FMSW_UNBOUND 0xFFu	/* a vPPB bound to no port */
#define EMU_FMSW_LD_SLD 0xFFFFu	/* LD ID of a binding to a single logical device */

/* Polls of Background Operation Status an operation takes to complete */
#define EMU_FMSW_BG_POLLS 3u

struct emu_fmsw_port {
	uint8_t id;		/* physical port ID: the function's PCIe Port Number */
	bool usp;
	struct emu_fn *fn;	/* the port's function */
	struct emu_fn *dev;	/* downstream ports: the device cabled to it, or NULL */
};

struct emu_fmsw_vppb {
	uint8_t port;		/* EMU_FMSW_UNBOUND or a physical port ID */
	uint16_t ld;		/* EMU_FMSW_LD_SLD for a single logical device */
	bool busy;		/* an unbind of it is under way */
};

/* The background operation (CXL r3.1 §8.2.9.1.2) */
struct emu_fmsw_bg {
	bool running;
	uint16_t opcode;	/* of the last operation, 0 if none */
	uint8_t percent;	/* percentage complete */
	int result;		/* when finished: 0 or -errno (a return code) */
	unsigned polls;		/* status polls so far */
	uint8_t vppb;		/* what it works on */
};

struct emu_fmsw {
	struct doe_ctx *ctx;
	uint8_t rsp_limit;	/* Set Response Message Limit: 2^n bytes */
	struct emu_fmsw_port ports[EMU_FMSW_MAX_PORTS];
	size_t nports;
	struct emu_fmsw_vppb vppbs[EMU_FMSW_MAX_VPPBS];	/* of VCS 0 */
	size_t nvppbs;
	struct emu_fmsw_bg bg;
	uint64_t serial;	/* the switch's serial number (Identify) */
	/* the responder's work space (big: 256 ports, 16 VCSs of 256 vPPBs) */
	struct fmapi_port_state_req ps_req;
	struct fmapi_port_state_rsp ps_rsp;
	struct fmapi_vcs_info_req vcs_req;
	struct fmapi_vcs_info_rsp vcs_rsp;
	uint8_t out[8192];	/* a response payload */
};

/* A switch above usp whose downstream ports dsps[i] (with the device below
 * each, or NULL) are bound to vPPB i of VCS 0. */
int emu_fmsw_new(struct doe_ctx *ctx, struct emu_fn *usp, struct emu_fn *const *dsps,
		 struct emu_fn *const *devs, size_t n, struct emu_fmsw **out);

/* The port with physical port ID id, or NULL. */
struct emu_fmsw_port *emu_fmsw_port(struct emu_fmsw *sw, uint8_t id);
/* The vPPB of VCS 0 bound to port id, or -1. */
int emu_fmsw_vppb_of_port(const struct emu_fmsw *sw, uint8_t id);

/* Bind vPPB (CXL r3.1 §7.6.7.2.2): done at once. */
int emu_fmsw_bind(struct emu_fmsw *sw, uint8_t vcs, uint8_t vppb, uint8_t port, uint16_t ld);
/* Unbind vPPB (§7.6.7.2.3): a background operation; returns 1 (started).
 * The port's link goes down when it completes. */
int emu_fmsw_unbind(struct emu_fmsw *sw, uint8_t vcs, uint8_t vppb);
/* Background Operation Status: each call is one poll and moves a running
 * operation on (stall: the "never finishes" fault knob holds it at 50%);
 * the state after it is in sw->bg. */
void emu_fmsw_bg_poll(struct emu_fmsw *sw, bool stall);

enum emu_fmsw_ppb_op {
	EMU_FMSW_PERST_ASSERT,
	EMU_FMSW_PERST_DEASSERT,
	EMU_FMSW_PPB_RESET,
};
/* Physical Port Control (§7.6.7.1.3), on a downstream port. */
int emu_fmsw_port_control(struct emu_fmsw *sw, uint8_t port, enum emu_fmsw_ppb_op op);

/* Send PPB CXL.io Configuration Request (§7.6.7.1.4): one DW of the port's
 * config space through its emu_fn, as the switch's PPB would see it; a
 * write changes the bytes whose byte-enable bit (3:0) is set. */
int emu_fmsw_config(struct emu_fmsw *sw, uint8_t port, bool write, uint16_t off, uint8_t be,
		    uint32_t *data);

/* The memory of the device below a port: the sum of the DSMAS lengths of
 * the CDAT it serves now (so --emu-cdat tables change it too); 0 without. */
uint64_t emu_fmsw_mem_bytes(struct emu_fmsw *sw, const struct emu_fmsw_port *p);

/* Misbehaviour for the fault knobs (emu_mctp_set_fault()), per answer */
struct emu_fmsw_fault {
	bool busy;		/* answer Busy, do nothing */
	bool stall_bg;		/* Background Operation Status stays at 50% */
	bool wrong_tag;		/* the response's tag is the request's + 1 */
	bool truncate;		/* the response loses its last bytes */
};
/* The FM-API responder (fm_responder.c): one CCI request message (no MCTP
 * type byte) in, its response message out. A message that is no request
 * is dropped: <0, nothing to send. */
int emu_fmsw_answer(struct emu_fmsw *sw, const struct emu_fmsw_fault *f, const uint8_t *req,
		    size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len);

/* Whether the link of a downstream port is up (no hold). */
bool emu_fmsw_link_up(const struct emu_fmsw_port *p);

#endif
