/* SPDX-License-Identifier: MIT */
/*
 * Config-space access: one small ops interface (32-bit read/write at a
 * DW-aligned offset) with pluggable backends. The mailbox engine, the
 * extended-capability walk and every tool work on a struct doe_cfg, so
 * the Linux sysfs backend, the in-process emulator and test doubles are
 * interchangeable.
 */
#ifndef DOEKIT_CFG_H
#define DOEKIT_CFG_H

#include <doekit/common.h>
#include <doekit/ctx.h>

DOE_BEGIN_DECLS

#define DOE_CFG_SPACE_SIZE 4096u

struct doe_cfg_ops {
	/* off is DW aligned and < DOE_CFG_SPACE_SIZE; return 0 or -errno */
	int (*read32)(void *priv, uint16_t off, uint32_t *val);
	int (*write32)(void *priv, uint16_t off, uint32_t val);
	/* optional: called by doe_cfg_free() */
	void (*release)(void *priv);
};

/* Access counters, for benchmarks and the "accesses per DW" figures. */
struct doe_cfg_stats {
	uint64_t reads;
	uint64_t writes;
};

struct doe_cfg;

/* Wraps a backend. name (copied) appears in error messages, e.g. a BDF.
 * On success the cfg owns priv: ops->release(priv) runs at doe_cfg_free(). */
DOE_API int doe_cfg_new(struct doe_ctx *ctx, const struct doe_cfg_ops *ops, void *priv,
			const char *name, struct doe_cfg **out);
DOE_API void doe_cfg_free(struct doe_cfg *cfg);

DOE_API int doe_cfg_read32(struct doe_cfg *cfg, uint16_t off, uint32_t *val);
DOE_API int doe_cfg_write32(struct doe_cfg *cfg, uint16_t off, uint32_t val);

DOE_API const char *doe_cfg_name(const struct doe_cfg *cfg);
DOE_API struct doe_ctx *doe_cfg_ctx(const struct doe_cfg *cfg);
DOE_API void doe_cfg_stats(const struct doe_cfg *cfg, struct doe_cfg_stats *st);
DOE_API void doe_cfg_stats_reset(struct doe_cfg *cfg);

/*
 * Linux sysfs backend: /sys/bus/pci/devices/<DOMAIN:BUS:DEV.FN>/config
 * (under doe_ctx_sysfs_root()). Flags:
 *  DOE_SYSFS_WRITE  open read-write (needed to drive a mailbox)
 *  DOE_SYSFS_LOCK   take the per-device advisory lock so that two doekit
 *                   processes never interleave on one function's mailboxes;
 *                   fails with -EBUSY when another process holds it.
 * Errors: -ENODEV "no such device", -EACCES "needs root", -EIO on a short
 * read (non-root readers see only the first 64 bytes of config space).
 */
#define DOE_SYSFS_WRITE 0x1u
#define DOE_SYSFS_LOCK 0x2u
DOE_API int doe_cfg_sysfs_open(struct doe_ctx *ctx, const char *bdf, unsigned int flags,
			       struct doe_cfg **out);

/*
 * Memory backend over a caller-owned image of config space (len bytes,
 * at most 4096; reads beyond len return all-ones, as a missing register
 * does). Writes land in the image. For tests, fuzzers and offline dumps.
 */
DOE_API int doe_cfg_mem_new(struct doe_ctx *ctx, void *image, size_t len, const char *name,
			    struct doe_cfg **out);

DOE_END_DECLS

#endif
