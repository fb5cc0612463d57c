// SPDX-License-Identifier: MIT
/* Config space backed by a caller-owned memory image. */
#include <stdlib.h>

#include <doekit/cfg.h>
#include <doekit/cursor.h>
#include "internal.h"

struct cfg_mem {
	uint8_t *image;
	size_t len;
};

static int mem_read32(void *priv, uint16_t off, uint32_t *val)
{
	struct cfg_mem *m = priv;

	/* beyond the image reads as a missing register does */
	*val = (size_t)off + 4 <= m->len ? doe_get_le32(m->image + off) : 0xFFFFFFFFu;
	return 0;
}

static int mem_write32(void *priv, uint16_t off, uint32_t val)
{
	struct cfg_mem *m = priv;

	if ((size_t)off + 4 <= m->len)
		doe_put_le32(m->image + off, val);
	return 0;
}

static void mem_release(void *priv)
{
	free(priv);
}

static const struct doe_cfg_ops mem_ops = {
	.read32 = mem_read32,
	.write32 = mem_write32,
	.release = mem_release,
};

int doe_cfg_mem_new(struct doe_ctx *ctx, void *image, size_t len, const char *name,
		    struct doe_cfg **out)
{
	struct cfg_mem *m;
	int rc;

	if (!image || len > DOE_CFG_SPACE_SIZE)
		return doe_err(ctx, -EINVAL, "memory config image must be 0..4096 bytes");
	m = calloc(1, sizeof(*m));
	if (!m)
		return doe_err(ctx, -ENOMEM, "out of memory");
	m->image = image;
	m->len = len;
	rc = doe_cfg_new(ctx, &mem_ops, m, name ? name : "memory", out);
	if (rc)
		free(m);
	return rc;
}
