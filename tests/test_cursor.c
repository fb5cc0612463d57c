// SPDX-License-Identifier: MIT
/*
 * The byte cursor (include/doekit/cursor.h): every untrusted byte goes
 * through it, so its bounds are tested one byte either side of the end.
 */
#include <doekit/cursor.h>
#include "t.h"

static const uint8_t buf8[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

static void t_rd_exact_end(void)
{
	struct doe_rd r;
	uint8_t out[8];

	doe_rd_init(&r, buf8, sizeof(buf8));
	T_EQ(doe_rd_bytes(&r, out, 8), 0);
	T_MEMEQ(out, buf8, 8);
	T_EQ(doe_rd_left(&r), 0);
	T_TRUE(doe_rd_ok(&r));
}

static void t_rd_one_past(void)
{
	struct doe_rd r;
	uint8_t out[9];

	doe_rd_init(&r, buf8, sizeof(buf8));
	T_EQ(doe_rd_bytes(&r, out, 9), -EBADMSG);
	T_EQ(r.off, 0);		/* a failed read does not move */
	T_TRUE(!doe_rd_ok(&r));
}

static void t_rd_sticky(void)
{
	struct doe_rd r;
	uint32_t v32;
	uint8_t v8;

	doe_rd_init(&r, buf8, 6);
	T_EQ(doe_rd_le32(&r, &v32), 0);
	T_EQ(doe_rd_le32(&r, &v32), -EBADMSG);	/* 2 left */
	T_EQ(r.off, 4);
	/* a later read that fits succeeds, but the failure stays recorded so a
	 * parser can read a whole header and check once */
	T_EQ(doe_rd_u8(&r, &v8), 0);
	T_EQ(v8, 0x05);
	T_TRUE(!doe_rd_ok(&r));
}

static void t_rd_le_be(void)
{
	struct doe_rd r;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	doe_rd_init(&r, buf8, sizeof(buf8));
	T_EQ(doe_rd_le16(&r, &v16), 0);
	T_EQ(v16, 0x0201);
	T_EQ(doe_rd_be16(&r, &v16), 0);
	T_EQ(v16, 0x0304);
	T_EQ(doe_rd_le32(&r, &v32), 0);
	T_EQ(v32, 0x08070605);

	doe_rd_init(&r, buf8, sizeof(buf8));
	T_EQ(doe_rd_be32(&r, &v32), 0);
	T_EQ(v32, 0x01020304);

	doe_rd_init(&r, buf8, sizeof(buf8));
	T_EQ(doe_rd_le64(&r, &v64), 0);
	T_EQ(v64, 0x0807060504030201ull);
	T_TRUE(doe_rd_ok(&r));
}

/* Each helper one byte short: -EBADMSG, no move, failure flagged. */
static void t_rd_short_each(void)
{
	struct doe_rd r;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	doe_rd_init(&r, buf8, 0);
	T_EQ(doe_rd_u8(&r, &v8), -EBADMSG);
	doe_rd_init(&r, buf8, 1);
	T_EQ(doe_rd_le16(&r, &v16), -EBADMSG);
	T_EQ(doe_rd_be16(&r, &v16), -EBADMSG);
	doe_rd_init(&r, buf8, 3);
	T_EQ(doe_rd_le32(&r, &v32), -EBADMSG);
	T_EQ(doe_rd_be32(&r, &v32), -EBADMSG);
	doe_rd_init(&r, buf8, 7);
	T_EQ(doe_rd_le64(&r, &v64), -EBADMSG);
	T_EQ(r.off, 0);
	T_TRUE(!doe_rd_ok(&r));
	doe_rd_init(&r, buf8, 7);
	T_EQ(doe_rd_skip(&r, 8), -EBADMSG);
	T_EQ(doe_rd_skip(&r, 7), 0);
	T_EQ(doe_rd_left(&r), 0);
}

/* A failed read stores zeros, so a value read in a batch checked once
 * with doe_rd_ok() is never uninitialized memory. */
static void t_rd_fail_stores_zero(void)
{
	uint8_t v8 = 0xEE, bytes[3] = { 0xEE, 0xEE, 0xEE };
	uint16_t v16 = 0xEEEE;
	uint32_t v32 = 0xEEEEEEEE;
	uint64_t v64 = 0xEEEEEEEEEEEEEEEEull;
	struct doe_rd r;

	doe_rd_init(&r, buf8, 0);
	T_EQ(doe_rd_u8(&r, &v8), -EBADMSG);
	T_EQ(v8, 0);
	T_EQ(doe_rd_le16(&r, &v16), -EBADMSG);
	T_EQ(v16, 0);
	v16 = 0xEEEE;
	T_EQ(doe_rd_be16(&r, &v16), -EBADMSG);
	T_EQ(v16, 0);
	T_EQ(doe_rd_le32(&r, &v32), -EBADMSG);
	T_EQ(v32, 0);
	v32 = 0xEEEEEEEE;
	T_EQ(doe_rd_be32(&r, &v32), -EBADMSG);
	T_EQ(v32, 0);
	T_EQ(doe_rd_le64(&r, &v64), -EBADMSG);
	T_EQ(v64, 0);
	T_EQ(doe_rd_bytes(&r, bytes, 3), -EBADMSG);
	T_EQ(bytes[0] | bytes[1] | bytes[2], 0);
}

static void t_rd_sub(void)
{
	struct doe_rd r, sub;
	uint32_t v32;
	uint16_t v16;

	doe_rd_init(&r, buf8, 6);
	T_EQ(doe_rd_sub(&r, 4, &sub), 0);
	T_EQ(r.off, 4);
	T_EQ(doe_rd_left(&sub), 4);
	/* the sub-reader ends where the structure ends, not the buffer */
	T_EQ(doe_rd_le16(&sub, &v16), 0);
	T_EQ(doe_rd_le32(&sub, &v32), -EBADMSG);
	T_TRUE(!doe_rd_ok(&sub));
	T_TRUE(doe_rd_ok(&r));		/* its failure is its own */
	T_EQ(doe_rd_le16(&r, &v16), 0);
	T_EQ(v16, 0x0605);

	doe_rd_init(&r, buf8, 6);
	T_EQ(doe_rd_sub(&r, 7, &sub), -EBADMSG);
	T_EQ(r.off, 0);
	T_TRUE(!doe_rd_ok(&r));
}

static void t_rd_zero(void)
{
	struct doe_rd r, sub;
	uint8_t out[1] = { 0xAA };

	doe_rd_init(&r, buf8, sizeof(buf8));
	T_EQ(doe_rd_skip(&r, 0), 0);
	T_EQ(doe_rd_bytes(&r, out, 0), 0);
	T_EQ(out[0], 0xAA);
	T_EQ(doe_rd_sub(&r, 0, &sub), 0);
	T_EQ(doe_rd_left(&sub), 0);
	T_EQ(r.off, 0);
	T_TRUE(doe_rd_ok(&r));
}

/* A NULL buffer is an empty buffer, whatever length came with it; taking
 * zero bytes of it succeeds (and is not NULL + 0). */
static void t_rd_null(void)
{
	struct doe_rd r, sub;
	uint8_t v8;

	doe_rd_init(&r, NULL, 16);
	T_EQ(doe_rd_left(&r), 0);
	T_EQ(doe_rd_u8(&r, &v8), -EBADMSG);
	T_TRUE(!doe_rd_ok(&r));

	doe_rd_init(&r, NULL, 16);
	T_EQ(doe_rd_skip(&r, 0), 0);
	T_EQ(doe_rd_bytes(&r, &v8, 0), 0);
	T_EQ(doe_rd_sub(&r, 0, &sub), 0);
	T_TRUE(doe_rd_ok(&r));
}

static void t_wr_exact_and_overflow(void)
{
	uint8_t out[8] = { 0 };
	struct doe_wr w;

	doe_wr_init(&w, out, sizeof(out));
	T_EQ(doe_wr_le32(&w, 0x04030201), 0);
	T_EQ(doe_wr_be32(&w, 0x05060708), 0);
	T_EQ(doe_wr_len(&w), 8);
	T_MEMEQ(out, buf8, 8);
	T_TRUE(doe_wr_ok(&w));
	T_EQ(doe_wr_u8(&w, 0xFF), -EMSGSIZE);
	T_EQ(doe_wr_len(&w), 8);
	T_TRUE(!doe_wr_ok(&w));
	T_MEMEQ(out, buf8, 8);	/* nothing written past, nothing clobbered */
}

static void t_wr_short_each(void)
{
	uint8_t out[8];
	struct doe_wr w;

	memset(out, 0x5A, sizeof(out));
	doe_wr_init(&w, out, 1);
	T_EQ(doe_wr_le16(&w, 1), -EMSGSIZE);
	doe_wr_init(&w, out, 3);
	T_EQ(doe_wr_le32(&w, 1), -EMSGSIZE);
	T_EQ(doe_wr_be32(&w, 1), -EMSGSIZE);
	doe_wr_init(&w, out, 7);
	T_EQ(doe_wr_le64(&w, 1), -EMSGSIZE);
	T_EQ(doe_wr_zero(&w, 8), -EMSGSIZE);
	T_EQ(doe_wr_bytes(&w, buf8, 8), -EMSGSIZE);
	T_EQ(doe_wr_len(&w), 0);
	T_TRUE(!doe_wr_ok(&w));
	T_EQ(out[0], 0x5A);
	T_EQ(out[6], 0x5A);
}

static void t_wr_le_helpers(void)
{
	static const uint8_t want[] = { 0xAB, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x08,
					0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00 };
	uint8_t out[sizeof(want)];
	struct doe_wr w;

	doe_wr_init(&w, out, sizeof(out));
	T_EQ(doe_wr_u8(&w, 0xAB), 0);
	T_EQ(doe_wr_le16(&w, 0x1234), 0);
	T_EQ(doe_wr_le32(&w, 0x12345678), 0);
	T_EQ(doe_wr_le64(&w, 0x0102030405060708ull), 0);
	T_EQ(doe_wr_zero(&w, 2), 0);
	T_EQ(doe_wr_len(&w), sizeof(want));
	T_MEMEQ(out, want, sizeof(want));
}

static void t_wr_zero_and_null(void)
{
	uint8_t out[4];
	struct doe_wr w;

	doe_wr_init(&w, out, sizeof(out));
	T_EQ(doe_wr_bytes(&w, buf8, 0), 0);
	T_EQ(doe_wr_zero(&w, 0), 0);
	T_EQ(doe_wr_len(&w), 0);
	T_TRUE(doe_wr_ok(&w));

	doe_wr_init(&w, NULL, 100);	/* no buffer: capacity 0 */
	T_EQ(doe_wr_bytes(&w, buf8, 0), 0);
	T_TRUE(doe_wr_ok(&w));
	T_EQ(doe_wr_u8(&w, 1), -EMSGSIZE);
	T_TRUE(!doe_wr_ok(&w));
}

static void t_get_put_le32(void)
{
	uint8_t b[4];

	doe_put_le32(b, 0xDEADBEEF);
	T_EQ(b[0], 0xEF);
	T_EQ(b[3], 0xDE);
	T_EQ(doe_get_le32(b), 0xDEADBEEF);
}

int main(void)
{
	T_RUN(t_rd_exact_end);
	T_RUN(t_rd_one_past);
	T_RUN(t_rd_sticky);
	T_RUN(t_rd_le_be);
	T_RUN(t_rd_short_each);
	T_RUN(t_rd_fail_stores_zero);
	T_RUN(t_rd_sub);
	T_RUN(t_rd_zero);
	T_RUN(t_rd_null);
	T_RUN(t_wr_exact_and_overflow);
	T_RUN(t_wr_short_each);
	T_RUN(t_wr_le_helpers);
	T_RUN(t_wr_zero_and_null);
	T_RUN(t_get_put_le32);
	return T_DONE();
}
