// SPDX-License-Identifier: MIT
/* Reading what the kernel publishes about PCI functions and their DOE. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/sysfs.h>
#include "internal.h"

static int bdf_cmp(const void *a, const void *b)
{
	const struct doe_bdf *x = a, *y = b;
	uint32_t kx = (uint32_t)x->bus << 8 | (uint32_t)x->dev << 3 | x->fn;
	uint32_t ky = (uint32_t)y->bus << 8 | (uint32_t)y->dev << 3 | y->fn;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return kx < ky ? -1 : kx > ky;
}

/*
 * Inserts e into the sorted array a of *n elements (at most max kept), so
 * that a truncated result holds the smallest entries and not whichever
 * ones readdir() happened to return first (its order depends on the
 * filesystem). Returns false, storing nothing, when e is already there.
 */
static bool insert_sorted(void *a, size_t *n, size_t max, const void *e, size_t size,
			  int (*cmp)(const void *, const void *))
{
	uint8_t *base = a;
	size_t pos = 0;

	while (pos < *n && cmp(base + pos * size, e) < 0)
		pos++;
	if (pos < *n && cmp(base + pos * size, e) == 0)
		return false;
	if (pos < max) {
		size_t keep = *n < max ? *n : max - 1;	/* the last one falls off */

		memmove(base + (pos + 1) * size, base + pos * size, (keep - pos) * size);
		memcpy(base + pos * size, e, size);
		if (*n < max)
			(*n)++;
	}
	return true;
}

int doe_sysfs_list_functions(struct doe_ctx *ctx, struct doe_bdf *out, size_t max)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t stored = 0;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/devices", doe_ctx_sysfs_root(ctx));
	d = opendir(path);
	if (!d)
		return doe_err(ctx, -errno, "cannot list PCI devices in %s: %s", path,
			       strerror(errno));
	while ((de = readdir(d))) {
		struct doe_bdf b;

		if (doe_bdf_parse(de->d_name, &b))
			continue;
		if (insert_sorted(out, &stored, max, &b, sizeof(b), bdf_cmp))
			n++;
	}
	closedir(d);
	return n;
}

static int proto_cmp(const void *a, const void *b)
{
	const struct doe_protocol *x = a, *y = b;
	uint32_t kx = (uint32_t)x->vid << 8 | x->type, ky = (uint32_t)y->vid << 8 | y->type;

	return kx < ky ? -1 : kx > ky;
}

/* "VVVV:TT" as the kernel names a feature attribute. Every digit is
 * checked: sscanf("%x") would also take "+001", "-001", " 001" or "0x01". */
static int parse_feature(const char *s, struct doe_protocol *p)
{
	if (strlen(s) != 7 || s[4] != ':')
		return -EINVAL;
	for (int i = 0; i < 7; i++)
		if (i != 4 && !isxdigit((unsigned char)s[i]))
			return -EINVAL;
	p->vid = (uint16_t)strtoul(s, NULL, 16);
	p->type = (uint8_t)strtoul(s + 5, NULL, 16);
	return 0;
}

int doe_sysfs_features(struct doe_ctx *ctx, const struct doe_bdf *bdf, struct doe_protocol *out,
		       size_t max)
{
	char path[PATH_MAX], name[DOE_BDF_STRLEN];
	struct dirent *de;
	size_t stored = 0;
	DIR *d;

	doe_bdf_format(bdf, name);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/doe_features", doe_ctx_sysfs_root(ctx),
		 name);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return doe_err(ctx, -ENOENT, "%s: the kernel lists no doe_features", name);
		return doe_err(ctx, -errno, "%s: cannot read %s: %s", name, path, strerror(errno));
	}
	while ((de = readdir(d))) {
		struct doe_protocol p;

		if (!strcmp(de->d_name, "doe_discovery")) {
			p.vid = DOE_VENDOR_PCISIG;
			p.type = DOE_TYPE_DISCOVERY;
		} else if (parse_feature(de->d_name, &p)) {
			continue;
		}
		/* a set: the kernel names Discovery "doe_discovery", but a tree
		 * copied by hand may also hold "0001:00" */
		insert_sorted(out, &stored, max, &p, sizeof(p), proto_cmp);
	}
	closedir(d);
	return (int)stored;
}

/*
 * The bridge above a function: <root>/bus/pci/devices/<bdf> is a link into
 * /sys/devices/pci<DDDD:BB>/<bridge>/.../<bdf>; the path component before
 * the function's own, when it is a BDF, is its parent (a root port or a
 * switch port). The host bridge directory ("pci0000:00") is not a function.
 */
int doe_sysfs_parent(struct doe_ctx *ctx, const struct doe_bdf *bdf, struct doe_bdf *parent)
{
	char path[PATH_MAX], real[PATH_MAX], name[DOE_BDF_STRLEN];
	char *last, *prev;

	doe_bdf_format(bdf, name);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", doe_ctx_sysfs_root(ctx), name);
	if (!realpath(path, real))
		return doe_err(ctx, -errno, "%s: %s", path, strerror(errno));
	last = strrchr(real, '/');
	if (!last || strcmp(last + 1, name))
		return doe_err(ctx, -EBADMSG, "%s resolves to %s, not a directory named %s", path,
			       real, name);
	*last = '\0';
	prev = strrchr(real, '/');
	if (!prev || doe_bdf_parse(prev + 1, parent))
		return 0;	/* directly below the host bridge */
	/* only a full DDDD:BB:DD.F component is a function; "BB:DD.F"
	 * would parse too, but no sysfs directory is named so */
	return strlen(prev + 1) == DOE_BDF_STRLEN - 1 ? 1 : 0;
}
