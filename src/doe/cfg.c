// SPDX-License-Identifier: MIT
/* struct doe_cfg: a named config-space backend with access counters. */
#include <stdlib.h>
#include <string.h>

#include <doekit/cfg.h>
#include "internal.h"

struct doe_cfg {
	struct doe_ctx *ctx;
	const struct doe_cfg_ops *ops;
	void *priv;
	struct doe_cfg_stats stats;
	char name[64];
};

int doe_cfg_new(struct doe_ctx *ctx, const struct doe_cfg_ops *ops, void *priv, const char *name,
		struct doe_cfg **out)
{
	struct doe_cfg *cfg;

	if (!ops || !ops->read32 || !ops->write32 || !out)
		return doe_err(ctx, -EINVAL, "config backend without read32/write32");
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return doe_err(ctx, -ENOMEM, "out of memory");
	cfg->ctx = ctx;
	cfg->ops = ops;
	cfg->priv = priv;
	strncpy(cfg->name, name ? name : "?", sizeof(cfg->name) - 1);
	*out = cfg;
	return 0;
}

void doe_cfg_free(struct doe_cfg *cfg)
{
	if (!cfg)
		return;
	if (cfg->ops->release)
		cfg->ops->release(cfg->priv);
	free(cfg);
}

static int check_off(struct doe_cfg *cfg, uint16_t off)
{
	if ((off & 3u) || off >= DOE_CFG_SPACE_SIZE)
		return doe_err(cfg->ctx, -EINVAL, "%s: config offset 0x%x is not a DW in 0..0xffc",
			       cfg->name, off);
	return 0;
}

int doe_cfg_read32(struct doe_cfg *cfg, uint16_t off, uint32_t *val)
{
	TRY(check_off(cfg, off));
	cfg->stats.reads++;
	return cfg->ops->read32(cfg->priv, off, val);
}

int doe_cfg_write32(struct doe_cfg *cfg, uint16_t off, uint32_t val)
{
	TRY(check_off(cfg, off));
	cfg->stats.writes++;
	return cfg->ops->write32(cfg->priv, off, val);
}

const char *doe_cfg_name(const struct doe_cfg *cfg)
{
	return cfg->name;
}

struct doe_ctx *doe_cfg_ctx(const struct doe_cfg *cfg)
{
	return cfg->ctx;
}

void doe_cfg_stats(const struct doe_cfg *cfg, struct doe_cfg_stats *st)
{
	*st = cfg->stats;
}

void doe_cfg_stats_reset(struct doe_cfg *cfg)
{
	memset(&cfg->stats, 0, sizeof(cfg->stats));
}
