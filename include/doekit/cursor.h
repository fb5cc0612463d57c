/* SPDX-License-Identifier: MIT */
/*
 * The one bounds-checked byte cursor. Every byte that comes from a device,
 * a socket or a file is read through struct doe_rd; every message we build
 * is written through struct doe_wr. Nothing else indexes untrusted buffers.
 *
 * Reads past the end return -EBADMSG, leave the cursor where it was and
 * store zeros (so a value read is always defined, whether or not the read
 * fitted); writes past the capacity return -EMSGSIZE. Both also set a
 * sticky failure flag, so a parser may read several fields and check once
 * with doe_rd_ok(). Multi-byte helpers are little-endian (PCIe, SPDM, CDAT) or
 * big-endian (the emulator socket protocol) as their names say.
 */
#ifndef DOEKIT_CURSOR_H
#define DOEKIT_CURSOR_H

#include <errno.h>
#include <string.h>
#include <doekit/common.h>

DOE_BEGIN_DECLS

struct doe_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool failed;	/* sticky: a read ran short */
};

struct doe_wr {
	uint8_t *p;
	size_t cap;
	size_t off;
	bool failed;	/* sticky: a write did not fit */
};

static inline void doe_rd_init(struct doe_rd *r, const void *p, size_t len)
{
	r->p = (const uint8_t *)p;
	r->len = p ? len : 0;
	r->off = 0;
	r->failed = false;
}

static inline size_t doe_rd_left(const struct doe_rd *r) { return r->len - r->off; }
static inline bool doe_rd_ok(const struct doe_rd *r) { return !r->failed; }

/* Claims n bytes; returns a pointer to them or NULL (and marks failure). */
static inline const uint8_t *doe_rd_take(struct doe_rd *r, size_t n)
{
	static const uint8_t empty[1] = { 0 };
	const uint8_t *q;

	/* Claiming nothing succeeds, also on a reader over NULL, where NULL + 0
	 * would be undefined and NULL would mean failure. Tested first, on n
	 * alone: an optimiser that inlines a claim of 2 bytes then sees that
	 * `empty` cannot be returned, rather than warn that it is too small. */
	if (n == 0)
		return r->p ? r->p + r->off : empty;
	if (n > r->len - r->off) {
		r->failed = true;
		return NULL;
	}
	q = r->p + r->off;
	r->off += n;
	return q;
}

static inline int doe_rd_skip(struct doe_rd *r, size_t n)
{
	return doe_rd_take(r, n) ? 0 : -EBADMSG;
}

static inline int doe_rd_bytes(struct doe_rd *r, void *dst, size_t n)
{
	const uint8_t *q = doe_rd_take(r, n);

	if (!q) {
		memset(dst, 0, n);	/* n > 0 here: an empty read cannot fail */
		return -EBADMSG;
	}
	if (n)
		memcpy(dst, q, n);
	return 0;
}

static inline int doe_rd_u8(struct doe_rd *r, uint8_t *v)
{
	const uint8_t *q = doe_rd_take(r, 1);

	if (!q) {
		*v = 0;
		return -EBADMSG;
	}
	*v = q[0];
	return 0;
}

static inline int doe_rd_le16(struct doe_rd *r, uint16_t *v)
{
	const uint8_t *q = doe_rd_take(r, 2);

	if (!q) {
		*v = 0;
		return -EBADMSG;
	}
	*v = (uint16_t)(q[0] | (uint16_t)q[1] << 8);
	return 0;
}

static inline int doe_rd_le32(struct doe_rd *r, uint32_t *v)
{
	const uint8_t *q = doe_rd_take(r, 4);

	if (!q) {
		*v = 0;
		return -EBADMSG;
	}
	*v = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
	return 0;
}

static inline int doe_rd_le64(struct doe_rd *r, uint64_t *v)
{
	uint32_t lo, hi;

	if (doe_rd_left(r) < 8) {
		r->failed = true;
		*v = 0;
		return -EBADMSG;
	}
	doe_rd_le32(r, &lo);
	doe_rd_le32(r, &hi);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static inline int doe_rd_be16(struct doe_rd *r, uint16_t *v)
{
	const uint8_t *q = doe_rd_take(r, 2);

	if (!q) {
		*v = 0;
		return -EBADMSG;
	}
	*v = (uint16_t)((uint16_t)q[0] << 8 | q[1]);
	return 0;
}

static inline int doe_rd_be32(struct doe_rd *r, uint32_t *v)
{
	const uint8_t *q = doe_rd_take(r, 4);

	if (!q) {
		*v = 0;
		return -EBADMSG;
	}
	*v = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | (uint32_t)q[3];
	return 0;
}

/* A sub-reader over the next n bytes (for length-prefixed structures). */
static inline int doe_rd_sub(struct doe_rd *r, size_t n, struct doe_rd *sub)
{
	const uint8_t *q = doe_rd_take(r, n);

	if (!q)
		return -EBADMSG;
	doe_rd_init(sub, q, n);
	return 0;
}

static inline void doe_wr_init(struct doe_wr *w, void *p, size_t cap)
{
	w->p = (uint8_t *)p;
	w->cap = p ? cap : 0;
	w->off = 0;
	w->failed = false;
}

static inline size_t doe_wr_len(const struct doe_wr *w) { return w->off; }
static inline bool doe_wr_ok(const struct doe_wr *w) { return !w->failed; }

static inline uint8_t *doe_wr_take(struct doe_wr *w, size_t n)
{
	static uint8_t empty[1];	/* never written: only returned for n == 0 */
	uint8_t *q;

	if (n == 0)	/* as in doe_rd_take(), and tested first for the same reason */
		return w->p ? w->p + w->off : empty;
	if (n > w->cap - w->off) {
		w->failed = true;
		return NULL;
	}
	q = w->p + w->off;
	w->off += n;
	return q;
}

static inline int doe_wr_bytes(struct doe_wr *w, const void *src, size_t n)
{
	uint8_t *q = doe_wr_take(w, n);

	if (!q)
		return -EMSGSIZE;
	if (n)
		memcpy(q, src, n);
	return 0;
}

static inline int doe_wr_zero(struct doe_wr *w, size_t n)
{
	uint8_t *q = doe_wr_take(w, n);

	if (!q)
		return -EMSGSIZE;
	if (n)
		memset(q, 0, n);
	return 0;
}

static inline int doe_wr_u8(struct doe_wr *w, uint8_t v)
{
	uint8_t *q = doe_wr_take(w, 1);

	if (!q)
		return -EMSGSIZE;
	q[0] = v;
	return 0;
}

static inline int doe_wr_le16(struct doe_wr *w, uint16_t v)
{
	uint8_t *q = doe_wr_take(w, 2);

	if (!q)
		return -EMSGSIZE;
	q[0] = (uint8_t)v;
	q[1] = (uint8_t)(v >> 8);
	return 0;
}

static inline int doe_wr_le32(struct doe_wr *w, uint32_t v)
{
	uint8_t *q = doe_wr_take(w, 4);

	if (!q)
		return -EMSGSIZE;
	q[0] = (uint8_t)v;
	q[1] = (uint8_t)(v >> 8);
	q[2] = (uint8_t)(v >> 16);
	q[3] = (uint8_t)(v >> 24);
	return 0;
}

static inline int doe_wr_le64(struct doe_wr *w, uint64_t v)
{
	if (w->cap - w->off < 8) {
		w->failed = true;
		return -EMSGSIZE;
	}
	doe_wr_le32(w, (uint32_t)v);
	doe_wr_le32(w, (uint32_t)(v >> 32));
	return 0;
}

static inline int doe_wr_be32(struct doe_wr *w, uint32_t v)
{
	uint8_t *q = doe_wr_take(w, 4);

	if (!q)
		return -EMSGSIZE;
	q[0] = (uint8_t)(v >> 24);
	q[1] = (uint8_t)(v >> 16);
	q[2] = (uint8_t)(v >> 8);
	q[3] = (uint8_t)v;
	return 0;
}

/* Little-endian helpers for fixed, already-bounded DW buffers. */
static inline uint32_t doe_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void doe_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

DOE_END_DECLS

#endif
