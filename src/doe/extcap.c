// SPDX-License-Identifier: MIT
/*
 * Extended capability walk (PCIe §7.6.3). A device controls every header,
 * so the walk refuses next pointers below 0x100 or not DW aligned, and
 * remembers every offset it visited so that a loop ends in an error
 * instead of a hang. 960 DW positions bound the walk in any case.
 */
#include <doekit/pci.h>
#include "internal.h"

#define EXTCAP_SLOTS ((DOE_CFG_SPACE_SIZE - DOE_EXT_CAP_START) / 4)

int doe_extcap_find(struct doe_cfg *cfg, uint16_t cap_id, uint16_t *offs, size_t max)
{
	struct doe_ctx *ctx = doe_cfg_ctx(cfg);
	uint8_t seen[EXTCAP_SLOTS / 8] = { 0 };
	uint32_t off = DOE_EXT_CAP_START;
	int found = 0;

	for (;;) {
		uint32_t hdr, next, slot;

		TRY(doe_cfg_read32(cfg, (uint16_t)off, &hdr));
		/* End of list: all zeros (no capability), or all ones (a missing
		 * register, a function that went away). Linux stops here too. */
		if (hdr == 0 || hdr == 0xFFFFFFFFu)
			return found;
		slot = (off - DOE_EXT_CAP_START) / 4;
		if (seen[slot / 8] & (1u << (slot % 8)))
			return doe_err(ctx, -ELOOP,
				       "%s: extended capability list loops back to 0x%x",
				       doe_cfg_name(cfg), off);
		seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
		if (DOE_EXT_CAP_ID(hdr) == cap_id) {
			if ((size_t)found < max)
				offs[found] = (uint16_t)off;
			found++;
		}
		next = DOE_EXT_CAP_NEXT(hdr);
		if (next == 0)
			return found;
		if (next & 3u)
			return doe_err(ctx, -EBADMSG,
				       "%s: extended capability at 0x%x has misaligned next pointer 0x%x",
				       doe_cfg_name(cfg), off, next);
		if (next < DOE_EXT_CAP_START)
			return doe_err(ctx, -EBADMSG,
				       "%s: extended capability at 0x%x has next pointer 0x%x below 0x100",
				       doe_cfg_name(cfg), off, next);
		off = next;	/* < 0x1000 by construction (12 bits) */
	}
}
