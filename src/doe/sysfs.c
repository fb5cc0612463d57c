// SPDX-License-Identifier: MIT
/* Reading what the kernel publishes about PCI functions and their DOE. */
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

int doe_sysfs_list_functions(struct doe_ctx *ctx, struct doe_bdf *out, size_t max)
{
	char path[PATH_MAX];
	struct dirent *de;
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
		if ((size_t)n < max)
			out[n] = b;
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n < max ? (size_t)n : max, sizeof(*out), bdf_cmp);
	return n;
}

static int proto_cmp(const void *a, const void *b)
{
	const struct doe_protocol *x = a, *y = b;
	uint32_t kx = (uint32_t)x->vid << 8 | x->type, ky = (uint32_t)y->vid << 8 | y->type;

	return kx < ky ? -1 : kx > ky;
}

/* "VVVV:TT" as the kernel names a feature attribute */
static int parse_feature(const char *s, struct doe_protocol *p)
{
	unsigned int vid, type;
	char tail;

	if (strlen(s) != 7 || s[4] != ':' || sscanf(s, "%4x:%2x%c", &vid, &type, &tail) != 2)
		return -EINVAL;
	p->vid = (uint16_t)vid;
	p->type = (uint8_t)type;
	return 0;
}

int doe_sysfs_features(struct doe_ctx *ctx, const struct doe_bdf *bdf, struct doe_protocol *out,
		       size_t max)
{
	char path[PATH_MAX], name[DOE_BDF_STRLEN];
	struct dirent *de;
	DIR *d;
	int n = 0;

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
		if ((size_t)n < max)
			out[n] = p;
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n < max ? (size_t)n : max, sizeof(*out), proto_cmp);
	return n;
}
