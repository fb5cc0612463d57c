/* SPDX-License-Identifier: MIT */
/*
 * PCI addressing and the extended capability walk.
 */
#ifndef DOEKIT_PCI_H
#define DOEKIT_PCI_H

#include <doekit/common.h>
#include <doekit/cfg.h>

DOE_BEGIN_DECLS

struct doe_bdf {
	uint16_t domain;
	uint8_t bus;
	uint8_t dev;	/* 0..31 */
	uint8_t fn;	/* 0..7 */
};

#define DOE_BDF_STRLEN 13	/* "dddd:bb:dd.f" plus NUL */

/* Parses "DDDD:BB:DD.F" or "BB:DD.F" (domain 0), hex, case-insensitive.
 * Returns 0 or -EINVAL. */
DOE_API int doe_bdf_parse(const char *s, struct doe_bdf *out);
/* Writes the canonical lower-case "dddd:bb:dd.f". */
DOE_API void doe_bdf_format(const struct doe_bdf *bdf, char buf[DOE_BDF_STRLEN]);

#define DOE_EXT_CAP_START 0x100u
#define DOE_EXT_CAP_ID_DOE 0x002Eu
#define DOE_EXT_CAP_ID(h) ((h) & 0xFFFFu)
#define DOE_EXT_CAP_VER(h) (((h) >> 16) & 0xFu)
#define DOE_EXT_CAP_NEXT(h) (((h) >> 20) & 0xFFFu)	/* raw: bits 1:0 must be 0 */

/*
 * Walks the extended capability list from 0x100 and stores the offsets of
 * every capability with ID cap_id, in list order, into offs (up to max).
 * Returns the number found (which may exceed max; only max are stored).
 * A header of 0 or 0xFFFFFFFF at 0x100 means "no extended capabilities"
 * and returns 0. A hostile list fails with a message naming the offset:
 * next pointer below 0x100 or misaligned (-EBADMSG), a loop (-ELOOP).
 */
DOE_API int doe_extcap_find(struct doe_cfg *cfg, uint16_t cap_id, uint16_t *offs, size_t max);

DOE_END_DECLS

#endif
