// SPDX-License-Identifier: MIT
/*
 * The IDE Extended Capability registers a QUERY_RESP carries (PCIe r6
 * §7.9.26, field positions as Linux include/uapi/linux/pci_regs.h
 * PCI_IDE_*; block order as DMTF spdm-emu pci_ide_km_common_lib.h): the
 * IDE Capability and Control registers, a Link IDE block (control,
 * status) per supported TC, then a Selective IDE block per supported
 * stream (capability, control, status, RID association 1 and 2, and as
 * many address association blocks of 3 DW as its capability says). The
 * counts come from the registers; each is checked against the bytes
 * present before a block is read.
 */
#include <errno.h>
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/idekm.h>
#include "internal.h"

#define LINK_BLOCK 8u
#define SEL_FIXED 20u
#define ADDR_BLOCK 12u

static void link_fields(struct idekm_link_stream *l)
{
	l->enabled = l->ctl & IDEKM_CTL_ENABLE;
	l->stream_id = (uint8_t)(l->ctl >> IDEKM_CTL_ID_SHIFT);
	l->state = (uint8_t)(l->sts & IDEKM_STS_STATE_MASK);
}

int idekm_cap_decode(struct doe_ctx *ctx, const uint8_t *regs, size_t len, struct idekm_cap *cap)
{
	struct doe_rd r;

	memset(cap, 0, sizeof(*cap));
	if (len > IDEKM_REGS_MAX)
		return doe_err(ctx, -EBADMSG, "IDE registers: %zu bytes, at most %u", len, IDEKM_REGS_MAX);
	if (len % 4)
		return doe_err(ctx, -EBADMSG, "IDE registers: %zu bytes, not whole DWs", len);
	doe_rd_init(&r, regs, len);
	if (doe_rd_le32(&r, &cap->cap) || doe_rd_le32(&r, &cap->ctl))
		return doe_err(ctx, -EBADMSG, "IDE registers: %zu bytes, no IDE Capability and Control",
			       len);
	cap->link = cap->cap & IDEKM_CAP_LINK;
	cap->selective = cap->cap & IDEKM_CAP_SELECTIVE;
	cap->ide_km = cap->cap & IDEKM_CAP_IDE_KM;
	cap->tee_limited = cap->cap & IDEKM_CAP_TEE_LIMITED;
	cap->algorithms = (uint8_t)((cap->cap & IDEKM_CAP_ALG_MASK) >> IDEKM_CAP_ALG_SHIFT);
	/* §7.9.26.2: both counts are encoded minus one */
	cap->nlink = cap->link ? (uint8_t)(((cap->cap & IDEKM_CAP_TC_MASK) >> IDEKM_CAP_TC_SHIFT) + 1) : 0;
	cap->nsel = cap->selective ? (uint16_t)(((cap->cap & IDEKM_CAP_SEL_MASK) >> IDEKM_CAP_SEL_SHIFT) + 1)
				   : 0;
	if ((size_t)cap->nlink * LINK_BLOCK > doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "IDE registers: %u Link IDE blocks need %u bytes, %zu left",
			       cap->nlink, cap->nlink * LINK_BLOCK, doe_rd_left(&r));
	for (unsigned i = 0; i < cap->nlink; i++) {
		doe_rd_le32(&r, &cap->link_streams[i].ctl);
		doe_rd_le32(&r, &cap->link_streams[i].sts);
		link_fields(&cap->link_streams[i]);
	}
	for (unsigned i = 0; i < cap->nsel; i++) {
		uint32_t scap;
		unsigned naddr;
		size_t need;

		if (doe_rd_left(&r) < 4)
			return doe_err(ctx, -EBADMSG, "IDE registers: Selective IDE block %u of %u missing", i,
				       cap->nsel);
		cap->sel_off[i] = (uint16_t)r.off;
		doe_rd_le32(&r, &scap);
		naddr = scap & IDEKM_SEL_CAP_ASSOC_MASK;
		need = SEL_FIXED - 4 + (size_t)naddr * ADDR_BLOCK;
		if (need > doe_rd_left(&r))
			return doe_err(ctx, -EBADMSG,
				       "IDE registers: Selective IDE block %u with %u address blocks needs %zu more bytes, %zu left",
				       i, naddr, need, doe_rd_left(&r));
		doe_rd_skip(&r, need);
	}
	cap->trailing_dw = (uint32_t)(doe_rd_left(&r) / 4);
	cap->regs_len = len;
	if (len)
		memcpy(cap->regs, regs, len);
	return 0;
}

int idekm_cap_sel(const struct idekm_cap *cap, unsigned i, struct idekm_sel_stream *out)
{
	struct doe_rd r;

	memset(out, 0, sizeof(*out));
	if (i >= cap->nsel)
		return -EINVAL;
	doe_rd_init(&r, cap->regs, cap->regs_len);
	doe_rd_skip(&r, cap->sel_off[i]);
	doe_rd_le32(&r, &out->cap);
	doe_rd_le32(&r, &out->ctl);
	doe_rd_le32(&r, &out->sts);
	doe_rd_le32(&r, &out->rid1);
	doe_rd_le32(&r, &out->rid2);
	out->naddr = (uint8_t)(out->cap & IDEKM_SEL_CAP_ASSOC_MASK);
	out->enabled = out->ctl & IDEKM_CTL_ENABLE;
	out->stream_id = (uint8_t)(out->ctl >> IDEKM_CTL_ID_SHIFT);
	out->state = (uint8_t)(out->sts & IDEKM_STS_STATE_MASK);
	/* RID association: limit in reg 1 23:8; valid, base 23:8, segment 31:24 in reg 2 */
	out->rid_limit = (uint16_t)(out->rid1 >> 8);
	out->rid_valid = out->rid2 & 1u;
	out->rid_base = (uint16_t)(out->rid2 >> 8);
	out->rid_segment = (uint8_t)(out->rid2 >> 24);
	for (unsigned a = 0; a < out->naddr; a++) {
		struct idekm_addr_assoc *x = &out->addr[a];

		doe_rd_le32(&r, &x->reg1);
		doe_rd_le32(&r, &x->reg2);	/* Memory Limit Upper */
		doe_rd_le32(&r, &x->reg3);	/* Memory Base Upper */
		x->valid = x->reg1 & 1u;
		/* base low 19:8 and limit low 31:20 are address bits 31:20 */
		x->base = (uint64_t)x->reg3 << 12 | ((x->reg1 >> 8) & 0xFFFu);
		x->limit = (uint64_t)x->reg2 << 12 | (x->reg1 >> 20);
	}
	/* idekm_cap_decode() checked every block fits */
	return doe_rd_ok(&r) ? 0 : -EBADMSG;
}
