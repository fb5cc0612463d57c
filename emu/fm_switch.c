// SPDX-License-Identifier: MIT
/*
 * The emulated CXL switch's fabric-manager model (see fm_switch.h): port,
 * VCS and background-operation state over the topology's functions.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/cdat.h>
#include <doekit/cursor.h>
#include "emu_internal.h"
#include "fm_switch.h"
#include "internal.h"

int emu_fmsw_new(struct doe_ctx *ctx, struct emu_fn *usp, struct emu_fn *const *dsps,
		 struct emu_fn *const *devs, size_t n, struct emu_fmsw **out)
{
	struct emu_fmsw *sw;

	if (n + 1 > EMU_FMSW_MAX_PORTS || n > EMU_FMSW_MAX_VPPBS)
		return doe_err(ctx, -EINVAL, "emulated switch: %zu downstream ports, at most %u", n,
			       EMU_FMSW_MAX_VPPBS);
	sw = calloc(1, sizeof(*sw));
	if (!sw)
		return doe_err(ctx, -ENOMEM, "out of memory");
	sw->ctx = ctx;
	/* 1 KiB, QEMU's binding size, until Set Response Message Limit */
	sw->rsp_limit = 10;
	sw->ports[0] = (struct emu_fmsw_port){ .id = emu_fn_info(usp)->port_number, .usp = true,
					       .fn = usp };
	for (size_t i = 0; i < n; i++) {
		sw->ports[i + 1] = (struct emu_fmsw_port){ .id = emu_fn_info(dsps[i])->port_number,
							   .fn = dsps[i], .dev = devs[i] };
		sw->vppbs[i] = (struct emu_fmsw_vppb){ .port = sw->ports[i + 1].id,
						       .ld = EMU_FMSW_LD_SLD };
	}
	sw->nports = n + 1;
	sw->nvppbs = n;
	/* a serial number that says which switch it is: its vendor and device */
	sw->serial = (uint64_t)emu_fn_info(usp)->vendor_id << 48 |
		     (uint64_t)emu_fn_info(usp)->device_id << 32 | 0x00000001u;
	*out = sw;
	return 0;
}

void emu_fmsw_free(struct emu_fmsw *sw)
{
	free(sw);
}

struct emu_fmsw_port *emu_fmsw_port(struct emu_fmsw *sw, uint8_t id)
{
	for (size_t i = 0; i < sw->nports; i++)
		if (sw->ports[i].id == id)
			return &sw->ports[i];
	return NULL;
}

int emu_fmsw_vppb_of_port(const struct emu_fmsw *sw, uint8_t id)
{
	for (size_t i = 0; i < sw->nvppbs; i++)
		if (sw->vppbs[i].port == id)
			return (int)i;
	return -1;
}

bool emu_fmsw_link_up(const struct emu_fmsw_port *p)
{
	return !p->usp && !emu_fn_link_holds(p->fn);
}

/* Sets or clears one hold; a device whose link comes back up was reset
 * while it was down (a hot add, PERST# released): it starts afresh. */
static int hold(struct emu_fmsw_port *p, unsigned int which, bool on)
{
	bool was_up = emu_fmsw_link_up(p);

	TRY(emu_fn_link_hold(p->fn, which, on));
	if (!was_up && emu_fmsw_link_up(p) && p->dev)
		emu_fn_reset(p->dev);
	return 0;
}

static int check_vppb(struct emu_fmsw *sw, uint8_t vcs, uint8_t vppb)
{
	if (vcs != 0)
		return doe_err(sw->ctx, -EINVAL, "no VCS %u (the switch has VCS 0)", vcs);
	if (vppb >= sw->nvppbs)
		return doe_err(sw->ctx, -EINVAL, "VCS 0 has no vPPB %u (it has %zu)", vppb,
			       sw->nvppbs);
	return 0;
}

/* CXL r3.1 §7.6.7.2.2: the port must be a downstream port bound to no
 * other vPPB; an SLD binds with LD ID FFFFh. */
int emu_fmsw_bind(struct emu_fmsw *sw, uint8_t vcs, uint8_t vppb, uint8_t port, uint16_t ld)
{
	struct emu_fmsw_port *p = emu_fmsw_port(sw, port);
	struct emu_fmsw_vppb *v;

	TRY(check_vppb(sw, vcs, vppb));
	v = &sw->vppbs[vppb];
	if (!p || p->usp)
		return doe_err(sw->ctx, -EINVAL, "no downstream port %u", port);
	if (ld != EMU_FMSW_LD_SLD)
		return doe_err(sw->ctx, -EINVAL, "port %u has a single logical device: LD ID "
			       "must be 0xFFFF, not %u", port, ld);
	if (v->busy || (sw->bg.running && sw->bg.vppb == vppb))
		return doe_err(sw->ctx, -EBUSY, "vPPB %u is being unbound", vppb);
	if (v->port != EMU_FMSW_UNBOUND)
		return doe_err(sw->ctx, -EINVAL, "vPPB %u is already bound to port %u", vppb,
			       v->port);
	if (emu_fmsw_vppb_of_port(sw, port) >= 0)
		return doe_err(sw->ctx, -EINVAL, "port %u is already bound to vPPB %d", port,
			       emu_fmsw_vppb_of_port(sw, port));
	v->port = port;
	v->ld = ld;
	return hold(p, EMU_LINK_UNBOUND, false);
}

int emu_fmsw_unbind(struct emu_fmsw *sw, uint8_t vcs, uint8_t vppb)
{
	TRY(check_vppb(sw, vcs, vppb));
	if (sw->bg.running)	/* §8.2.9.1.2: one background operation at a time */
		return doe_err(sw->ctx, -EBUSY, "a background operation (opcode 0x%04x) is "
			       "running", sw->bg.opcode);
	if (sw->vppbs[vppb].port == EMU_FMSW_UNBOUND)
		return doe_err(sw->ctx, -EINVAL, "vPPB %u is not bound", vppb);
	sw->vppbs[vppb].busy = true;
	sw->bg = (struct emu_fmsw_bg){ .running = true, .opcode = 0x5202, .vppb = vppb };
	return 1;
}

/* The unbind takes effect: the port's link goes down below the vPPB. */
static int unbind_finish(struct emu_fmsw *sw, uint8_t vppb)
{
	struct emu_fmsw_vppb *v = &sw->vppbs[vppb];
	struct emu_fmsw_port *p = emu_fmsw_port(sw, v->port);

	v->busy = false;
	v->port = EMU_FMSW_UNBOUND;
	v->ld = EMU_FMSW_LD_SLD;
	return p ? hold(p, EMU_LINK_UNBOUND, true) : 0;
}

void emu_fmsw_bg_poll(struct emu_fmsw *sw, bool stall)
{
	struct emu_fmsw_bg *bg = &sw->bg;

	if (!bg->running)
		return;
	if (stall) {	/* fault knob: half done, for as long as it is set */
		bg->percent = 50;
		return;
	}
	bg->polls++;
	if (bg->polls < EMU_FMSW_BG_POLLS) {
		bg->percent = (uint8_t)(bg->polls * 100u / EMU_FMSW_BG_POLLS);
		return;
	}
	bg->percent = 100;
	bg->running = false;
	bg->result = unbind_finish(sw, bg->vppb);
}

int emu_fmsw_port_control(struct emu_fmsw *sw, uint8_t port, enum emu_fmsw_ppb_op op)
{
	struct emu_fmsw_port *p = emu_fmsw_port(sw, port);

	if (!p || p->usp)	/* PERST# and PPB reset concern downstream ports */
		return doe_err(sw->ctx, -EINVAL, "no downstream port %u", port);
	switch (op) {
	case EMU_FMSW_PERST_ASSERT:
		return hold(p, EMU_LINK_PERST, true);
	case EMU_FMSW_PERST_DEASSERT:
		return hold(p, EMU_LINK_PERST, false);
	case EMU_FMSW_PPB_RESET:
		/* a hot reset: the link drops for a moment, the device below
		 * comes back reset (if the link is up at all) */
		if (p->dev && emu_fmsw_link_up(p))
			emu_fn_reset(p->dev);
		return 0;
	}
	return doe_err(sw->ctx, -EINVAL, "unknown port control operation %d", (int)op);
}

int emu_fmsw_config(struct emu_fmsw *sw, uint8_t port, bool write, uint16_t off, uint8_t be,
		    uint32_t *data)
{
	struct emu_fmsw_port *p = emu_fmsw_port(sw, port);
	struct doe_cfg *cfg;
	uint32_t old = 0, mask = 0;
	int rc;

	if (!p)
		return doe_err(sw->ctx, -EINVAL, "no physical port %u", port);
	if (off & 3u || off >= DOE_CFG_SPACE_SIZE)
		return doe_err(sw->ctx, -EINVAL, "config offset 0x%x is not a DW in 4 KiB", off);
	TRY(emu_fn_cfg_open(p->fn, &cfg));
	rc = doe_cfg_read32(cfg, off, &old);
	if (!rc && write) {
		for (unsigned int i = 0; i < 4; i++)
			if (be & 1u << i)
				mask |= 0xFFu << (8 * i);
		rc = doe_cfg_write32(cfg, off, (old & ~mask) | (*data & mask));
	} else if (!rc) {
		*data = old;
	}
	doe_cfg_free(cfg);
	return rc;
}

uint64_t emu_fmsw_mem_bytes(struct emu_fmsw *sw, const struct emu_fmsw_port *p)
{
	struct cdat_table *t = NULL;
	const uint8_t *bytes;
	uint64_t sum = 0;
	size_t len;

	if (!p->dev || emu_fn_cdat_bytes(p->dev, &bytes, &len) ||
	    cdat_parse(sw->ctx, bytes, len, &t) < 0)
		return 0;
	for (size_t i = 0; i < t->n_structs; i++) {
		const struct cdat_struct *s = &t->structs[i];

		if (s->type == CDAT_DSMAS && s->decoded && sum + s->u.dsmas.dpa_length >= sum)
			sum += s->u.dsmas.dpa_length;
	}
	cdat_table_free(t);
	return sum;
}
