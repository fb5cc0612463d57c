// SPDX-License-Identifier: MIT
/*
 * An emulated PCIe function: a 4 KiB config space image with a type 0/1
 * header, a PCIe capability (port type, link speed and width) and an
 * extended capability list that DOE mailboxes are appended to. Config
 * space is read-only except the DOE registers, which the mailbox model
 * synthesizes, and the IDE Stream Control registers (emu/ide.c).
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/doe.h>
#include "emu_internal.h"
#include "internal.h"

#define EMU_MAX_MAILBOXES 8
#define PCIE_CAP_OFF 0x40u

struct emu_fn {
	struct doe_ctx *ctx;
	struct emu_fn_info info;
	char label[64];
	uint8_t image[DOE_CFG_SPACE_SIZE];
	uint16_t ext_end;	/* next free offset for an extended capability */
	uint16_t ext_last;	/* last capability in the list, 0 if none */
	struct emu_mb *mbs[EMU_MAX_MAILBOXES];
	size_t nmbs;
	struct emu_cdat *cdat;	/* CDAT responder, emu/cdat.c */
	struct emu_spdm *spdm;	/* CMA/SPDM responder, emu/spdm.c */
	struct emu_ide *ide;	/* IDE capability and link model, emu/ide.c */
	struct emu_fn *parent;	/* the port above, NULL at the top */
	unsigned int link_holds;	/* EMU_LINK_* keeping this port's link down */
};

static void put16(uint8_t *img, uint16_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void sync_link_status(struct emu_fn *fn);

static bool is_bridge(enum emu_port_type t)
{
	return t == EMU_PCIE_ROOT_PORT || t == EMU_PCIE_SWITCH_UP || t == EMU_PCIE_SWITCH_DOWN;
}

int emu_fn_new(struct doe_ctx *ctx, const struct emu_fn_info *info, struct emu_fn **out)
{
	struct emu_fn *fn = calloc(1, sizeof(*fn));
	uint8_t *img;

	if (!fn)
		return -ENOMEM;
	fn->ctx = ctx;
	fn->info = *info;
	strncpy(fn->label, info->label ? info->label : "", sizeof(fn->label) - 1);
	fn->info.label = fn->label;
	img = fn->image;
	put16(img, 0x00, info->vendor_id);
	put16(img, 0x02, info->device_id);
	put16(img, 0x06, 0x0010);		/* Status: Capabilities List */
	img[0x09] = (uint8_t)info->class_code;
	img[0x0A] = (uint8_t)(info->class_code >> 8);
	img[0x0B] = (uint8_t)(info->class_code >> 16);
	img[0x0E] = (uint8_t)((is_bridge(info->port_type) ? 0x01 : 0x00) |
			      (info->multi_function ? 0x80 : 0x00));
	img[0x34] = PCIE_CAP_OFF;
	/* PCIe capability: ID 0x10, version 2, Device/Port Type in 7:4 */
	img[PCIE_CAP_OFF] = 0x10;
	put16(img, PCIE_CAP_OFF + 0x02, (uint16_t)(0x2 | (unsigned int)info->port_type << 4));
	/* Link Capabilities (max speed 3:0, width 9:4, Port Number 31:24) and
	 * Link Status (speed 3:0, width 9:4) */
	doe_put_le32(img + PCIE_CAP_OFF + 0x0C,
		     (info->link_speed & 0xFu) | (uint32_t)(info->link_width & 0x3Fu) << 4 |
			     (uint32_t)info->port_number << 24);
	put16(img, PCIE_CAP_OFF + 0x12,
	      (uint16_t)((info->link_speed & 0xFu) | (unsigned int)(info->link_width & 0x3Fu) << 4));
	fn->ext_end = DOE_EXT_CAP_START;
	sync_link_status(fn);
	*out = fn;
	return 0;
}

void emu_fn_free(struct emu_fn *fn)
{
	if (!fn)
		return;
	for (size_t i = 0; i < fn->nmbs; i++)
		emu_mb_free(fn->mbs[i]);
	emu_cdat_free(fn->cdat);
	emu_spdm_free(fn->spdm);
	emu_ide_free(fn->ide);
	free(fn);
}

struct doe_ctx *emu_fn_ctx(const struct emu_fn *fn)
{
	return fn->ctx;
}

struct emu_cdat **emu_fn_cdat_slot(struct emu_fn *fn)
{
	return &fn->cdat;
}

struct emu_spdm **emu_fn_spdm_slot(struct emu_fn *fn)
{
	return &fn->spdm;
}

struct emu_ide **emu_fn_ide_slot(struct emu_fn *fn)
{
	return &fn->ide;
}

const struct emu_fn_info *emu_fn_info(const struct emu_fn *fn)
{
	return &fn->info;
}

uint8_t *emu_fn_config_image(struct emu_fn *fn)
{
	return fn->image;
}

static int append_extcap(struct emu_fn *fn, uint16_t id, uint8_t version, uint16_t size,
			 uint16_t *where)
{
	uint16_t off = fn->ext_end;

	size = (uint16_t)((size + 3u) & ~3u);
	if (size < 4 || (uint32_t)off + size > DOE_CFG_SPACE_SIZE)
		return -ENOSPC;
	doe_put_le32(fn->image + off, (uint32_t)id | (uint32_t)(version & 0xFu) << 16);
	if (fn->ext_last) {
		uint32_t h = doe_get_le32(fn->image + fn->ext_last);

		doe_put_le32(fn->image + fn->ext_last, (h & 0x000FFFFFu) | (uint32_t)off << 20);
	}
	fn->ext_last = off;
	fn->ext_end = (uint16_t)(off + size);
	*where = off;
	return 0;
}

int emu_fn_add_extcap(struct emu_fn *fn, uint16_t id, uint8_t version, uint16_t size)
{
	uint16_t off;

	return append_extcap(fn, id, version, size, &off);
}

int emu_fn_add_extcap_at(struct emu_fn *fn, uint16_t id, uint8_t version, uint16_t size,
			 uint16_t *off)
{
	return append_extcap(fn, id, version, size, off);
}

int emu_fn_add_doe(struct emu_fn *fn, uint8_t cap_version, bool irq, struct emu_mb **out)
{
	struct emu_mb *mb;
	uint16_t off;
	int rc;

	if (fn->nmbs == EMU_MAX_MAILBOXES)
		return -ENOSPC;
	rc = append_extcap(fn, DOE_EXT_CAP_ID_DOE, cap_version, DOE_REG_BLOCK_SIZE, &off);
	if (rc)
		return rc;
	mb = emu_mb_new(fn->ctx, off, cap_version, irq);
	if (!mb)
		return -ENOMEM;
	fn->mbs[fn->nmbs++] = mb;
	if (out)
		*out = mb;
	return 0;
}

size_t emu_fn_mailbox_count(const struct emu_fn *fn)
{
	return fn->nmbs;
}

struct emu_mb *emu_fn_mailbox(const struct emu_fn *fn, size_t i)
{
	return i < fn->nmbs ? fn->mbs[i] : NULL;
}

/* The mailbox whose registers (not header) contain off, if any. */
static struct emu_mb *mb_at(struct emu_fn *fn, uint16_t off, uint16_t *reg)
{
	for (size_t i = 0; i < fn->nmbs; i++) {
		uint16_t base = emu_mb_offset(fn->mbs[i]);

		if (off > base && off < base + DOE_REG_BLOCK_SIZE) {
			*reg = (uint16_t)(off - base);
			return fn->mbs[i];
		}
	}
	return NULL;
}

static bool is_downstream_port(enum emu_port_type t)
{
	return t == EMU_PCIE_ROOT_PORT || t == EMU_PCIE_SWITCH_DOWN;
}

void emu_fn_set_parent(struct emu_fn *fn, struct emu_fn *parent)
{
	fn->parent = parent;
}

struct emu_fn *emu_fn_parent(const struct emu_fn *fn)
{
	return fn->parent;
}

/* Link Status: Data Link Layer Link Active (bit 13) follows the holds. */
static void sync_link_status(struct emu_fn *fn)
{
	uint16_t off = PCIE_CAP_OFF + 0x12;
	uint16_t st = (uint16_t)(fn->image[off] | fn->image[off + 1] << 8);

	st = (uint16_t)(fn->link_holds ? st & ~0x2000u : st | 0x2000u);
	put16(fn->image, off, st);
	/* Link Control bit 4 mirrors the Link Disable hold */
	fn->image[PCIE_CAP_OFF + 0x10] = (uint8_t)((fn->image[PCIE_CAP_OFF + 0x10] & ~0x10u) |
						   (fn->link_holds & EMU_LINK_DISABLED ? 0x10u : 0));
}

int emu_fn_link_hold(struct emu_fn *port, unsigned int hold, bool on)
{
	if (!is_downstream_port(port->info.port_type))
		return doe_err(port->ctx, -EINVAL, "%02x:%02x.%x is not a root or switch downstream "
			       "port: it has no link to hold down", port->info.bdf.bus,
			       port->info.bdf.dev, port->info.bdf.fn);
	if (hold & ~(unsigned int)(EMU_LINK_DISABLED | EMU_LINK_PERST | EMU_LINK_UNBOUND))
		return doe_err(port->ctx, -EINVAL, "unknown link hold 0x%x", hold);
	port->link_holds = on ? port->link_holds | hold : port->link_holds & ~hold;
	sync_link_status(port);
	return 0;
}

unsigned int emu_fn_link_holds(const struct emu_fn *fn)
{
	return fn->link_holds;
}

void emu_fn_reset(struct emu_fn *fn)
{
	for (size_t i = 0; i < fn->nmbs; i++)
		emu_mb_reset(fn->mbs[i]);
	emu_spdm_reset(fn->spdm);
	emu_ide_reset(fn);
}

bool emu_fn_present(const struct emu_fn *fn)
{
	for (const struct emu_fn *p = fn->parent; p; p = p->parent)
		if (p->link_holds)
			return false;
	return true;
}

static int fn_read32(void *priv, uint16_t off, uint32_t *val)
{
	struct emu_fn *fn = priv;
	struct emu_mb *mb;
	uint16_t reg;

	/* below a port whose link is down: Unsupported Request, all ones */
	if (!emu_fn_present(fn)) {
		*val = 0xFFFFFFFFu;
		return 0;
	}
	mb = mb_at(fn, off, &reg);
	*val = mb ? emu_mb_reg_read(mb, reg) : doe_get_le32(fn->image + off);
	return 0;
}

static int fn_write32(void *priv, uint16_t off, uint32_t val)
{
	struct emu_fn *fn = priv;
	struct emu_mb *mb;
	uint16_t reg;

	if (!emu_fn_present(fn))
		return 0;
	/* Link Control's Link Disable (bit 4) on a downstream port */
	if (off == PCIE_CAP_OFF + 0x10 && is_downstream_port(fn->info.port_type))
		return emu_fn_link_hold(fn, EMU_LINK_DISABLED, val & 0x10u);
	if (emu_ide_write(fn, off, val))
		return 0;
	mb = mb_at(fn, off, &reg);
	if (mb)
		emu_mb_reg_write(mb, reg, val);
	return 0;
}

static const struct doe_cfg_ops fn_ops = {
	.read32 = fn_read32,
	.write32 = fn_write32,
};

int emu_fn_cfg_open(struct emu_fn *fn, struct doe_cfg **out)
{
	return emu_fn_cfg_open_ctx(fn, fn->ctx, out);
}

int emu_fn_cfg_open_ctx(struct emu_fn *fn, struct doe_ctx *ctx, struct doe_cfg **out)
{
	char name[DOE_BDF_STRLEN];

	doe_bdf_format(&fn->info.bdf, name);
	return doe_cfg_new(ctx, &fn_ops, fn, name, out);
}
