// SPDX-License-Identifier: MIT
/*
 * Extended capability walk over a config-space image the fuzzer writes:
 * the input is the image (up to 4 KiB; shorter images read as all-ones
 * past their end, as a missing register does). The walk must end, and
 * what it returns must be true of the image.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/pci.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* what the walk claims must hold: a DW-aligned offset in extended space
 * whose header carries the ID asked for */
static void check_found(const uint8_t *img, size_t len, uint16_t id, const uint16_t *offs,
			int n)
{
	for (int i = 0; i < n; i++) {
		uint16_t off = offs[i];

		if (off < DOE_EXT_CAP_START || (off & 3u) || (size_t)off + 4 > len ||
		    DOE_EXT_CAP_ID(doe_get_le32(img + off)) != id)
			__builtin_trap();
	}
}

static void walk(struct doe_ctx *ctx, struct doe_cfg *cfg, const uint8_t *img, size_t len,
		 uint16_t id)
{
	uint16_t offs[8];
	int rc = doe_extcap_find(cfg, id, offs, 8);

	if (rc < 0) {
		/* a hostile list fails with one of the documented codes, named */
		if ((rc != -ELOOP && rc != -EBADMSG) || !strstr(doe_ctx_errmsg(ctx), "0x"))
			__builtin_trap();
		return;
	}
	if (rc > 960)	/* one capability per DW at most */
		__builtin_trap();
	check_found(img, len, id, offs, rc < 8 ? rc : 8);
	/* a DOE capability found is one a mailbox can be made for */
	for (int i = 0; id == DOE_EXT_CAP_ID_DOE && i < rc && i < 8; i++) {
		struct doe_mb *mb;

		if (offs[i] > DOE_CFG_SPACE_SIZE - DOE_REG_BLOCK_SIZE)
			continue;
		if (doe_mb_new(cfg, offs[i], &mb))
			__builtin_trap();
		doe_mb_free(mb);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size < DOE_CFG_SPACE_SIZE ? size : DOE_CFG_SPACE_SIZE;
	/* an exact-size copy, so ASan sees any read past the image */
	uint8_t *img = malloc(len ? len : 1);
	struct doe_ctx *ctx;
	struct doe_cfg *cfg;

	if (!img || doe_ctx_new(&ctx)) {
		free(img);
		return 0;
	}
	if (len)
		memcpy(img, data, len);
	if (doe_cfg_mem_new(ctx, img, len, "fuzz", &cfg) == 0) {
		walk(ctx, cfg, img, len, DOE_EXT_CAP_ID_DOE);
		/* and the ID of the first capability, whatever it is */
		if (len >= DOE_EXT_CAP_START + 4)
			walk(ctx, cfg, img, len,
			     (uint16_t)DOE_EXT_CAP_ID(doe_get_le32(img + DOE_EXT_CAP_START)));
		doe_cfg_free(cfg);
	}
	doe_ctx_free(ctx);
	free(img);
	return 0;
}
