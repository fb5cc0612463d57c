// SPDX-License-Identifier: MIT
/*
 * Linux sysfs config-space backend: pread/pwrite on
 * <sysfs>/bus/pci/devices/<bdf>/config.
 *
 * The kernel returns only the first 64 bytes to readers without
 * CAP_SYS_ADMIN (a short read, not an error), and the file is 256 bytes for
 * functions without extended config space. Both are told apart here so the
 * user gets "needs root" rather than a mystery.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doekit/cfg.h>
#include <doekit/cursor.h>
#include <doekit/pci.h>
#include "internal.h"

struct cfg_sysfs {
	struct doe_ctx *ctx;
	int fd;
	int lock_fd;
	off_t size;
	char bdf[DOE_BDF_STRLEN];
};

static int sysfs_read32(void *priv, uint16_t off, uint32_t *val)
{
	struct cfg_sysfs *s = priv;
	uint8_t b[4];
	ssize_t n;

	if ((off_t)off + 4 > s->size) {
		*val = 0xFFFFFFFFu;	/* beyond this function's config space */
		return 0;
	}
	n = pread(s->fd, b, sizeof(b), off);
	if (n < 0)
		return doe_err(s->ctx, -errno, "%s: reading config offset 0x%x: %s", s->bdf, off,
			       strerror(errno));
	if (n != 4) {
		if (geteuid() != 0)
			return doe_err(s->ctx, -EACCES,
				       "%s: reading config space past byte %zd needs root "
				       "(the kernel shows only 64 bytes to other users)",
				       s->bdf, (ssize_t)off + n);
		return doe_err(s->ctx, -EIO, "%s: short read at config offset 0x%x (%zd of 4 bytes)",
			       s->bdf, off, n);
	}
	*val = doe_get_le32(b);
	return 0;
}

static int sysfs_write32(void *priv, uint16_t off, uint32_t val)
{
	struct cfg_sysfs *s = priv;
	uint8_t b[4];
	ssize_t n;

	doe_put_le32(b, val);
	n = pwrite(s->fd, b, sizeof(b), off);
	if (n < 0)
		return doe_err(s->ctx, -errno, "%s: writing config offset 0x%x: %s", s->bdf, off,
			       strerror(errno));
	if (n != 4)
		return doe_err(s->ctx, -EIO, "%s: short write at config offset 0x%x", s->bdf, off);
	return 0;
}

static void sysfs_release(void *priv)
{
	struct cfg_sysfs *s = priv;

	if (s->lock_fd >= 0)
		close(s->lock_fd);	/* drops the flock */
	close(s->fd);
	free(s);
}

static const struct doe_cfg_ops sysfs_ops = {
	.read32 = sysfs_read32,
	.write32 = sysfs_write32,
	.release = sysfs_release,
};

/* Per-device advisory lock, shared by every doekit process on this host. */
static int take_lock(struct cfg_sysfs *s)
{
	const char *dir = doe_ctx_lock_dir(s->ctx);
	char path[PATH_MAX];

	if (!dir)
		dir = access("/run/lock", W_OK) == 0 ? "/run/lock" : "/tmp";

	snprintf(path, sizeof(path), "%s/doekit-%s.lock", dir, s->bdf);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return doe_err(s->ctx, -errno, "%s: cannot open lock file %s: %s", s->bdf, path,
			       strerror(errno));
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(s->lock_fd);
		s->lock_fd = -1;
		if (e == EWOULDBLOCK)
			return doe_err(s->ctx, -EBUSY,
				       "%s: another doekit process is using this device's mailboxes (%s)",
				       s->bdf, path);
		return doe_err(s->ctx, -e, "%s: cannot lock %s: %s", s->bdf, path, strerror(e));
	}
	return 0;
}

int doe_cfg_sysfs_open(struct doe_ctx *ctx, const char *bdf_str, unsigned int flags,
		       struct doe_cfg **out)
{
	char path[PATH_MAX];
	struct doe_bdf bdf;
	struct cfg_sysfs *s;
	struct stat st;
	int rc;

	if (doe_bdf_parse(bdf_str, &bdf))
		return doe_err(ctx, -EINVAL,
			       "invalid PCI address '%s' (expected DDDD:BB:DD.F or BB:DD.F)",
			       bdf_str ? bdf_str : "");
	s = calloc(1, sizeof(*s));
	if (!s)
		return doe_err(ctx, -ENOMEM, "out of memory");
	s->ctx = ctx;
	s->lock_fd = -1;
	doe_bdf_format(&bdf, s->bdf);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", doe_ctx_sysfs_root(ctx),
		 s->bdf);
	s->fd = open(path, ((flags & DOE_SYSFS_WRITE) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (s->fd < 0) {
		int e = errno;

		if (e == ENOENT || e == ENOTDIR)
			rc = doe_err(ctx, -ENODEV, "no such device %s", s->bdf);
		else if (e == EACCES || e == EPERM)
			rc = doe_err(ctx, -EACCES, "%s: opening %s%s needs root", s->bdf, path,
				     (flags & DOE_SYSFS_WRITE) ? " for writing" : "");
		else
			rc = doe_err(ctx, -e, "%s: cannot open %s: %s", s->bdf, path, strerror(e));
		free(s);
		return rc;
	}
	if (fstat(s->fd, &st) < 0 || st.st_size <= 0) {
		close(s->fd);
		free(s);
		return doe_err(ctx, -EIO, "%s: cannot size %s", bdf_str, path);
	}
	s->size = st.st_size > DOE_CFG_SPACE_SIZE ? DOE_CFG_SPACE_SIZE : st.st_size;
	if (flags & DOE_SYSFS_LOCK) {
		rc = take_lock(s);
		if (rc) {
			close(s->fd);
			free(s);
			return rc;
		}
	}
	rc = doe_cfg_new(ctx, &sysfs_ops, s, s->bdf, out);
	if (rc)
		sysfs_release(s);
	return rc;
}
