// SPDX-License-Identifier: MIT
/* DOE Discovery (PCIe r6.x §6.30.1.1). */
#include <doekit/cursor.h>
#include <doekit/discovery.h>
#include "internal.h"

const char *doe_protocol_name(uint16_t vid, uint8_t type)
{
	if (vid == DOE_VENDOR_PCISIG) {
		switch (type) {
		case DOE_TYPE_DISCOVERY:
			return "Discovery";
		case DOE_TYPE_CMA:
			return "CMA/SPDM";
		case DOE_TYPE_SECURED_CMA:
			return "Secured CMA/SPDM";
		}
	} else if (vid == DOE_VENDOR_CXL) {
		switch (type) {
		case DOE_TYPE_CXL_COMPLIANCE:
			return "CXL Compliance";
		case DOE_TYPE_CXL_TABLE_ACCESS:
			return "CXL Table Access (CDAT)";
		}
	}
	return NULL;
}

uint8_t doe_discovery_version(uint8_t cap_version)
{
	return cap_version >= 2 ? 2 : 0;
}

void doe_discovery_req_encode(uint8_t index, uint8_t version, uint8_t out[4])
{
	/* DW2: Index 7:0, Discovery Version 15:8 (PCIe r6.1), rest reserved */
	out[0] = index;
	out[1] = version;
	out[2] = 0;
	out[3] = 0;
}

int doe_discovery_rsp_parse(struct doe_ctx *ctx, const void *rsp, size_t len,
			    struct doe_protocol *proto, uint8_t *next_index)
{
	struct doe_rd r;
	uint16_t vid;
	uint8_t type, next;

	/* DW2: Vendor ID 15:0, Data Object Type 23:16, Next Index 31:24 */
	doe_rd_init(&r, rsp, len);
	doe_rd_le16(&r, &vid);
	doe_rd_u8(&r, &type);
	doe_rd_u8(&r, &next);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG,
			       "Discovery response: %zu bytes, expected 4 (one DW)", len);
	if (doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG,
			       "Discovery response: %zu bytes, expected 4 (one DW); %zu extra", len,
			       doe_rd_left(&r));
	proto->vid = vid;
	proto->type = type;
	*next_index = next;
	return 0;
}

int doe_discover(struct doe_mb *mb, struct doe_protocol *out, size_t max)
{
	struct doe_ctx *ctx = doe_cfg_ctx(doe_mb_cfg(mb));
	uint8_t asked[DOE_DISCOVERY_MAX / 8] = { 0 };
	uint8_t version = doe_discovery_version(doe_mb_cap_version(mb));
	unsigned int index = 0;
	int count = 0;

	for (;;) {
		struct doe_protocol p;
		uint8_t req[4], rsp[8], next;
		size_t rsp_len;
		int rc;

		/* Guard: a device whose next index revisits one we asked loops */
		if (asked[index / 8] & (1u << (index % 8)))
			return doe_err(ctx, -ELOOP,
				       "%s DOE@0x%03x: Discovery next index %u was already asked "
				       "(loop after %d entries)",
				       doe_cfg_name(doe_mb_cfg(mb)), doe_mb_offset(mb), index, count);
		asked[index / 8] |= (uint8_t)(1u << (index % 8));
		if (count >= DOE_DISCOVERY_MAX)
			return doe_err(ctx, -E2BIG, "%s DOE@0x%03x: more than %d Discovery entries",
				       doe_cfg_name(doe_mb_cfg(mb)), doe_mb_offset(mb),
				       DOE_DISCOVERY_MAX);
		doe_discovery_req_encode((uint8_t)index, version, req);
		rc = doe_exchange(mb, DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY, req, sizeof(req), rsp,
				  sizeof(rsp), &rsp_len);
		if (rc == -EOVERFLOW)
			return doe_err(ctx, -EBADMSG,
				       "%s DOE@0x%03x: Discovery response for index %u is %zu bytes, "
				       "expected 4",
				       doe_cfg_name(doe_mb_cfg(mb)), doe_mb_offset(mb), index, rsp_len);
		if (rc < 0) {
			doe_err_prefix(ctx, "Discovery index %u", index);
			return rc;
		}
		rc = doe_discovery_rsp_parse(ctx, rsp, rsp_len, &p, &next);
		if (rc < 0) {
			doe_err_prefix(ctx, "%s DOE@0x%03x index %u", doe_cfg_name(doe_mb_cfg(mb)),
				       doe_mb_offset(mb), index);
			return rc;
		}
		if ((size_t)count < max)
			out[count] = p;
		count++;
		if (next == 0)
			return count;
		index = next;
	}
}
