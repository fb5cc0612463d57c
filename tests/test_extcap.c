// SPDX-License-Identifier: MIT
/*
 * Extended capability walk (PCIe §7.6.3) over memory images, friendly and
 * hostile, and the PCI address parser.
 */
#include <stdlib.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/pci.h>
#include "t.h"

#define CAP_AER 0x0001u
#define CAP_DVSEC 0x0023u

static struct doe_ctx *ctx;
static uint8_t img[DOE_CFG_SPACE_SIZE];

static void put_cap(uint16_t off, uint16_t id, uint8_t ver, uint32_t next)
{
	doe_put_le32(img + off, (uint32_t)id | (uint32_t)ver << 16 | next << 20);
}

/* Walks img (len bytes) for id; returns the walk's result. */
static int walk(size_t len, uint16_t id, uint16_t *offs, size_t max)
{
	struct doe_cfg *cfg;
	int rc;

	doe_ctx_clear_error(ctx);
	if (doe_cfg_mem_new(ctx, img, len, "img", &cfg))
		return -9999;
	rc = doe_extcap_find(cfg, id, offs, max);
	doe_cfg_free(cfg);
	return rc;
}

static void reset_img(void)
{
	memset(img, 0, sizeof(img));
}

/* AER, DOE, DVSEC, DOE, DOE: the DOEs found in list order. */
static void build_normal(void)
{
	reset_img();
	put_cap(0x100, CAP_AER, 2, 0x148);
	put_cap(0x148, DOE_EXT_CAP_ID_DOE, 1, 0x160);
	put_cap(0x160, CAP_DVSEC, 1, 0x1A0);
	put_cap(0x1A0, DOE_EXT_CAP_ID_DOE, 2, 0x300);
	put_cap(0x300, DOE_EXT_CAP_ID_DOE, 1, 0);
}

static void t_normal_list(void)
{
	uint16_t offs[8] = { 0 };

	build_normal();
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 8), 3);
	T_EQ(offs[0], 0x148);
	T_EQ(offs[1], 0x1A0);
	T_EQ(offs[2], 0x300);
	T_EQ(walk(sizeof(img), CAP_AER, offs, 8), 1);
	T_EQ(offs[0], 0x100);
	T_EQ(walk(sizeof(img), CAP_DVSEC, offs, 8), 1);
	T_EQ(offs[0], 0x160);
	T_EQ(walk(sizeof(img), 0x0BAD, offs, 8), 0);
}

static void t_max_smaller_than_found(void)
{
	uint16_t offs[3] = { 0, 0, 0xBEEF };

	build_normal();
	/* returns how many exist, stores only max */
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 2), 3);
	T_EQ(offs[0], 0x148);
	T_EQ(offs[1], 0x1A0);
	T_EQ(offs[2], 0xBEEF);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, NULL, 0), 3);
}

static void t_empty(void)
{
	uint16_t offs[1];

	reset_img();
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 1), 0);
	doe_put_le32(img + 0x100, 0xFFFFFFFFu);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 1), 0);
	/* no extended config space at all: a 256-byte function reads all-ones */
	reset_img();
	T_EQ(walk(256, DOE_EXT_CAP_ID_DOE, offs, 1), 0);
	T_EQ(doe_ctx_errcode(ctx), 0);
}

/* A header of 0 or all-ones part way along ends the list there too. */
static void t_ends_on_empty_header(void)
{
	uint16_t offs[4];

	build_normal();
	put_cap(0x160, 0, 0, 0);
	doe_put_le32(img + 0x160, 0);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 4), 1);
	doe_put_le32(img + 0x160, 0xFFFFFFFFu);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 4), 1);
}

static void t_loop(void)
{
	uint16_t offs[4];

	reset_img();
	put_cap(0x100, CAP_AER, 1, 0x200);
	put_cap(0x200, DOE_EXT_CAP_ID_DOE, 1, 0x180);
	put_cap(0x180, CAP_DVSEC, 1, 0x200);	/* back to the DOE */
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 4), -ELOOP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "loops back to 0x200");
	T_CONTAINS(doe_ctx_errmsg(ctx), "img");
}

static void t_self_loop(void)
{
	uint16_t offs[4];

	reset_img();
	put_cap(0x100, DOE_EXT_CAP_ID_DOE, 1, 0x100);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 4), -ELOOP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "loops back to 0x100");
}

static void t_next_below_start(void)
{
	uint16_t offs[4];

	reset_img();
	put_cap(0x100, CAP_AER, 1, 0x140);
	put_cap(0x140, DOE_EXT_CAP_ID_DOE, 1, 0x0FC);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 4), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "at 0x140 has next pointer 0xfc below 0x100");
}

static void t_next_misaligned(void)
{
	uint16_t offs[4];

	reset_img();
	put_cap(0x100, CAP_AER, 1, 0x142);	/* Linux would mask this to 0x140 */
	put_cap(0x140, DOE_EXT_CAP_ID_DOE, 1, 0);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 4), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "at 0x100 has misaligned next pointer 0x142");
}

/* Every DW from 0x100 to 0xFFC a capability: 960 of them, and the walk
 * still ends, with or without a final loop. */
static void t_longest_list(void)
{
	uint16_t *offs = calloc(960, sizeof(*offs));

	reset_img();
	for (uint32_t off = 0x100; off < DOE_CFG_SPACE_SIZE; off += 4)
		put_cap((uint16_t)off, DOE_EXT_CAP_ID_DOE, 1,
			off + 4 < DOE_CFG_SPACE_SIZE ? off + 4 : 0);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 960), 960);
	T_EQ(offs[0], 0x100);
	T_EQ(offs[959], 0xFFC);
	put_cap(0xFFC, DOE_EXT_CAP_ID_DOE, 1, 0x100);
	T_EQ(walk(sizeof(img), DOE_EXT_CAP_ID_DOE, offs, 960), -ELOOP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "loops back to 0x100");
	free(offs);
}

/* The list runs off a short image: the missing register ends it. */
static void t_short_image(void)
{
	uint16_t offs[4];

	build_normal();
	T_EQ(walk(0x1A0, DOE_EXT_CAP_ID_DOE, offs, 4), 1);
}

struct bdf_case {
	const char *name;
	const char *in;
	int rc;
	struct doe_bdf want;
	const char *canonical;
};

static const struct bdf_case bdf_cases[] = {
	{ "with domain", "0000:0d:00.0", 0, { 0, 0x0d, 0, 0 }, "0000:0d:00.0" },
	{ "without domain", "0d:1f.7", 0, { 0, 0x0d, 31, 7 }, "0000:0d:1f.7" },
	{ "upper case", "ABCD:EF:1F.7", 0, { 0xabcd, 0xef, 31, 7 }, "abcd:ef:1f.7" },
	{ "lower case", "ffff:ff:1e.6", 0, { 0xffff, 0xff, 30, 6 }, "ffff:ff:1e.6" },
	{ "device 0x20", "0000:00:20.0", -EINVAL, { 0 }, NULL },
	{ "function 8", "0000:00:00.8", -EINVAL, { 0 }, NULL },
	{ "trailing junk", "0000:00:00.0x", -EINVAL, { 0 }, NULL },
	{ "trailing newline", "00:00.0\n", -EINVAL, { 0 }, NULL },
	{ "empty", "", -EINVAL, { 0 }, NULL },
	{ "NULL", NULL, -EINVAL, { 0 }, NULL },
	{ "no dot", "0000:00:00:0", -EINVAL, { 0 }, NULL },
	{ "short bus", "0000:0:00.0", -EINVAL, { 0 }, NULL },
	{ "not hex", "0000:0g:00.0", -EINVAL, { 0 }, NULL },
	{ "sign", "+000:00:00.0", -EINVAL, { 0 }, NULL },
	{ "five-digit domain", "00000:00:00.0", -EINVAL, { 0 }, NULL },
};

static void t_bdf(void)
{
	for (size_t i = 0; i < sizeof(bdf_cases) / sizeof(bdf_cases[0]); i++) {
		const struct bdf_case *c = &bdf_cases[i];
		struct doe_bdf b = { 0x1111, 0x22, 3, 4 };
		char s[DOE_BDF_STRLEN];

		t_case_name = c->name;
		T_EQ(doe_bdf_parse(c->in, &b), c->rc);
		if (c->rc)
			continue;
		T_EQ(b.domain, c->want.domain);
		T_EQ(b.bus, c->want.bus);
		T_EQ(b.dev, c->want.dev);
		T_EQ(b.fn, c->want.fn);
		doe_bdf_format(&b, s);
		T_STREQ(s, c->canonical);
	}
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_normal_list);
	T_RUN(t_max_smaller_than_found);
	T_RUN(t_empty);
	T_RUN(t_ends_on_empty_header);
	T_RUN(t_loop);
	T_RUN(t_self_loop);
	T_RUN(t_next_below_start);
	T_RUN(t_next_misaligned);
	T_RUN(t_longest_list);
	T_RUN(t_short_image);
	T_RUN(t_bdf);
	doe_ctx_free(ctx);
	return T_DONE();
}
