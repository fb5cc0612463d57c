// SPDX-License-Identifier: MIT
/*
 * Where a CDAT comes from: a DOE mailbox that serves CXL Table Access
 * (emulated, or a real device with --raw), the kernel's CDAT attribute of
 * a CXL port or endpoint, or a file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "tool.h"

int cdat_from_mailbox(struct tool *t, struct dev *d, uint8_t **buf, size_t *len)
{
	struct doe_cfg *cfg;
	struct doe_mb *mb;
	int rc;

	TRY(dev_cfg(t, d, &cfg));
	TRY(tool_find_mailbox(t, cfg, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, &mb));
	rc = cdat_read(mb, buf, len);
	doe_mb_free(mb);
	return rc;
}

/* Reads a whole file (or stdin for "-") of at most max bytes. */
int read_file_max(struct tool *t, const char *path, size_t max, uint8_t **buf, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	size_t cap = 0, n = 0;
	uint8_t *p = NULL;
	int rc = 0;

	if (fd < 0)
		return doe_err(t->ctx, errno == ENOENT ? -ENOENT : -errno, "cannot open %s: %s", path,
			       strerror(errno));
	for (;;) {
		ssize_t r;

		if (n == cap) {
			uint8_t *q;

			if (cap > max) {	/* one byte past max is enough to know */
				rc = doe_err(t->ctx, -EFBIG, "%s is larger than %zu bytes", path, max);
				break;
			}
			cap = cap ? cap * 2 : 4096;
			q = realloc(p, cap);
			if (!q) {
				rc = doe_err(t->ctx, -ENOMEM, "out of memory reading %s", path);
				break;
			}
			p = q;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			/* ENXIO: the kernel's CDAT attribute of a port that has none */
			rc = errno == ENXIO ? doe_err(t->ctx, -ENOENT, "%s: the device provides no CDAT", path)
					    : doe_err(t->ctx, -errno, "reading %s: %s", path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc == 0 && n > max)
		rc = doe_err(t->ctx, -EFBIG, "%s is larger than %zu bytes", path, max);
	if (rc) {
		free(p);
		return rc;
	}
	*buf = p;
	*len = n;
	return 0;
}

/*
 * The kernel's CDAT attribute for a PCI function: a CXL port whose uport is
 * the function (switch upstream port, a root port's host bridge has none)
 * or an endpoint whose uport is a memdev below the function
 * (/sys/bus/cxl/devices/{portN,endpointN}/CDAT, root only, ENXIO without
 * a CDAT). Returns -ENOENT when the kernel has no CXL object for it.
 */
int cdat_sysfs_path(struct tool *t, const char *bdf, char *out, size_t outlen)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/bus/cxl/devices", doe_ctx_sysfs_root(t->ctx));
	d = opendir(dir);
	if (!d)
		return doe_err(t->ctx, -ENOENT, "%s: the kernel has no CXL devices (%s); use --raw to "
			       "read it over DOE", bdf, dir);
	while ((de = readdir(d))) {
		char link[PATH_MAX], real[PATH_MAX], *base, *slash;

		if (strncmp(de->d_name, "port", 4) && strncmp(de->d_name, "endpoint", 8))
			continue;
		if (snprintf(link, sizeof(link), "%s/%s/uport", dir, de->d_name) >=
			    (int)sizeof(link) ||
		    !realpath(link, real))
			continue;
		slash = strrchr(real, '/');
		base = slash ? slash + 1 : real;
		if (!strncmp(base, "mem", 3) && slash) {	/* endpoint: memdev's parent */
			*slash = '\0';
			slash = strrchr(real, '/');
			base = slash ? slash + 1 : real;
		}
		if (!strcmp(base, bdf)) {
			int w = snprintf(out, outlen, "%s/%s/CDAT", dir, de->d_name);

			closedir(d);
			if (w < 0 || (size_t)w >= outlen)
				return doe_err(t->ctx, -ENAMETOOLONG, "%s: sysfs path too long", bdf);
			return 0;
		}
	}
	closedir(d);
	return doe_err(t->ctx, -ENOENT, "%s: no CXL port or endpoint of the kernel's is this device; "
		       "use --raw to read it over DOE", bdf);
}

int cdat_from_kernel(struct tool *t, const char *bdf, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *obj;

	TRY(cdat_sysfs_path(t, bdf, path, sizeof(path)));
	/*
	 * Linux 6.1 reads CDAT for endpoints only: a switch's portN exists but
	 * has no CDAT attribute (newer kernels read switch CDAT too). Say what
	 * the kernel lacks, not only that a file is missing.
	 */
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	obj = strrchr(dir, '/');
	if (obj && !strncmp(obj + 1, "port", 4) && access(path, F_OK) && errno == ENOENT)
		return doe_err(t->ctx, -ENOENT,
			       "%s: this kernel does not publish CDAT for switch ports (%s has no "
			       "CDAT; newer kernels have it); use --raw to read it over DOE",
			       bdf, obj + 1);
	return read_file_max(t, path, CDAT_MAX_TABLE_LEN, buf, len);
}
