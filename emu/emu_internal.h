/* SPDX-License-Identifier: MIT */
/* Emulator internals shared by function.c, mailbox.c and topology.c. */
#ifndef DOEKIT_EMU_INTERNAL_H
#define DOEKIT_EMU_INTERNAL_H

#include <doekit/emu.h>

struct emu_mb *emu_mb_new(struct doe_ctx *ctx, uint16_t off, uint8_t cap_version, bool irq);
void emu_mb_free(struct emu_mb *mb);
/* reg is the offset within the capability (DOE_REG_CAP..DOE_REG_READ) */
uint32_t emu_mb_reg_read(struct emu_mb *mb, uint16_t reg);
void emu_mb_reg_write(struct emu_mb *mb, uint16_t reg, uint32_t val);
bool emu_mb_has_protocol(const struct emu_mb *mb, uint16_t vid, uint8_t type);

struct doe_ctx *emu_fn_ctx(const struct emu_fn *fn);
/* The topology links each function to the port above it. */
void emu_fn_set_parent(struct emu_fn *fn, struct emu_fn *parent);
struct emu_fn *emu_fn_parent(const struct emu_fn *fn);
/* The function's CDAT responder state (emu/cdat.c), freed with the function. */
struct emu_cdat;
struct emu_cdat **emu_fn_cdat_slot(struct emu_fn *fn);
void emu_cdat_free(struct emu_cdat *c);
/* The table the function serves (valid until it changes); -ENOENT: none. */
int emu_fn_cdat_bytes(struct emu_fn *fn, const uint8_t **table, size_t *len);
/* The function's SPDM responder (emu/spdm.c), freed with the function. */
struct emu_spdm;
struct emu_spdm **emu_fn_spdm_slot(struct emu_fn *fn);
void emu_spdm_free(struct emu_spdm *s);
/* Serves CMA/SPDM on mb with the function's responder. */
int emu_spdm_attach(struct emu_fn *fn, struct emu_mb *mb);

/* The function's IDE capability and link model (emu/ide.c), freed with
 * the function; emu_ide_write() takes config writes that land in it
 * (true: handled). */
struct emu_ide;
struct emu_ide **emu_fn_ide_slot(struct emu_fn *fn);
void emu_ide_free(struct emu_ide *ide);
bool emu_ide_write(struct emu_fn *fn, uint16_t off, uint32_t val);
void emu_ide_reset(struct emu_fn *fn);
int emu_fn_add_extcap_at(struct emu_fn *fn, uint16_t id, uint8_t version, uint16_t size,
			 uint16_t *off);

/* Resets (emu/fm_switch.c: PERST#, a PPB reset, a hot add): the mailbox
 * forgets any exchange in progress, the responder its negotiated state and
 * sessions; fault knobs and protocols stay (they model the device's design,
 * not its state). emu_fn_reset() does both for every mailbox of fn. */
void emu_mb_reset(struct emu_mb *mb);
void emu_spdm_reset(struct emu_spdm *s);
void emu_fn_reset(struct emu_fn *fn);

/* The cxl-switch profile's fabric-manager model (emu/fm_switch.c, see
 * emu/fm_switch.h) and MCTP network (emu/mctp.c), owned by the topology. */
struct emu_fmsw;
struct emu_mctp_net;
struct emu_fmsw *emu_topo_fmsw(const struct emu_topo *topo);
struct emu_mctp_net *emu_topo_mctp(const struct emu_topo *topo);
void emu_fmsw_free(struct emu_fmsw *sw);
void emu_mctp_net_free(struct emu_mctp_net *net);
struct doe_ctx *emu_topo_ctx(const struct emu_topo *topo);
/* Adds an endpoint (made on first use): FM-API from sw, SPDM with
 * spdm_fn's identity (either may be NULL). Add them in EID order. */
int emu_mctp_net_add(struct emu_mctp_net **net, struct doe_ctx *ctx, uint8_t eid,
		     struct emu_fmsw *sw, struct emu_fn *spdm_fn);

#endif
