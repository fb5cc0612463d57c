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
/* The function's SPDM responder (emu/spdm.c), freed with the function. */
struct emu_spdm;
struct emu_spdm **emu_fn_spdm_slot(struct emu_fn *fn);
void emu_spdm_free(struct emu_spdm *s);
/* Serves CMA/SPDM on mb with the function's responder. */
int emu_spdm_attach(struct emu_fn *fn, struct emu_mb *mb);

#endif
