// SPDX-License-Identifier: MIT
/*
 * The sysfs side (src/doe/cfg_sysfs.c, src/doe/sysfs.c) over a fake sysfs
 * tree in a scratch directory: nothing here touches /sys or /run.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/pci.h>
#include <doekit/sysfs.h>
#include "internal.h"
#include "t.h"

static struct doe_ctx *ctx;
static char root[64];
static char lockdir[96];

static int mkdirs(const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	return mkdir(path, 0755);
}

static int write_file(const char *rel, const void *data, size_t len)
{
	char path[512];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fp = fopen(path, "wb");
	if (!fp)
		return -1;
	n = len ? fwrite(data, 1, len, fp) : 0;
	return fclose(fp) == 0 && n == len ? 0 : -1;
}

static void dev_path(char *buf, size_t len, const char *bdf, const char *file)
{
	snprintf(buf, len, "%s/bus/pci/devices/%s%s%s", root, bdf, file ? "/" : "", file ? file : "");
}

/* A config image with AER at 0x100 and a DOE capability at 0x148. */
static void make_config(uint8_t *img)
{
	memset(img, 0, DOE_CFG_SPACE_SIZE);
	doe_put_le32(img, 0x0D938086);
	doe_put_le32(img + 0x100, 0x0001u | 2u << 16 | 0x148u << 20);
	doe_put_le32(img + 0x148, DOE_EXT_CAP_ID_DOE | 1u << 16);
}

static int build_tree(void)
{
	static const char *const devs[] = { "0001:00:00.0", "0000:0e:00.0", "0000:0d:00.1",
					    "0000:0d:00.0", "0000:00:01.0", "0000:00:20.0",
					    "foo" };
	static const char *const feats[] = { "0001:00", "0001:01", "1e98:02", "doe_discovery",
					     "junk", "0x01:01", "-001:01", "0001:1", "0001:001" };
	static uint8_t img[DOE_CFG_SPACE_SIZE];
	char rel[256];

	snprintf(root, sizeof(root), "/tmp/doekit-sysfs-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	make_config(img);
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s", devs[i]);
		if (mkdirs(rel))
			return -1;
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/config", devs[i]);
		/* 0d:00.1 is what a non-root reader of a real device gets */
		if (write_file(rel, img, strcmp(devs[i], "0000:0d:00.1") ? sizeof(img) : 64))
			return -1;
	}
	if (mkdirs("bus/pci/devices/0000:0d:00.0/doe_features"))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(feats); i++) {
		snprintf(rel, sizeof(rel), "bus/pci/devices/0000:0d:00.0/doe_features/%s", feats[i]);
		if (write_file(rel, "", 0))
			return -1;
	}
	snprintf(lockdir, sizeof(lockdir), "%s/lock", root);
	if (mkdir(lockdir, 0755))
		return -1;
	return doe_ctx_set_sysfs_root(ctx, root) || doe_ctx_set_lock_dir(ctx, lockdir);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(void)
{
	if (root[0])
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- config backend ---- */

static void t_open_and_read(void)
{
	struct doe_cfg *cfg = NULL;
	struct doe_mb *mb = NULL;
	uint16_t offs[2];
	uint32_t v = 0;

	T_EQ(doe_cfg_sysfs_open(ctx, "0d:00.0", 0, &cfg), 0);
	if (!cfg)
		return;
	T_STREQ(doe_cfg_name(cfg), "0000:0d:00.0");
	T_EQ(doe_cfg_read32(cfg, 0, &v), 0);
	T_EQ(v, 0x0D938086);
	T_EQ(doe_extcap_find(cfg, DOE_EXT_CAP_ID_DOE, offs, 2), 1);
	T_EQ(offs[0], 0x148);
	T_EQ(doe_mb_new(cfg, 0x148, &mb), 0);
	T_EQ(doe_mb_cap_version(mb), 1);
	doe_mb_free(mb);
	doe_cfg_free(cfg);
}

static void t_write_lands_in_file(void)
{
	struct doe_cfg *cfg = NULL;
	char path[512];
	uint8_t b[4] = { 0 };
	int fd;

	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0e:00.0", DOE_SYSFS_WRITE, &cfg), 0);
	if (!cfg)
		return;
	T_EQ(doe_cfg_write32(cfg, 0x40, 0xCAFEF00D), 0);
	doe_cfg_free(cfg);
	dev_path(path, sizeof(path), "0000:0e:00.0", "config");
	fd = open(path, O_RDONLY);
	T_EQ(pread(fd, b, 4, 0x40), 4);
	close(fd);
	T_EQ(doe_get_le32(b), 0xCAFEF00D);
}

static void t_no_such_device(void)
{
	struct doe_cfg *cfg = NULL;

	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:00.2", 0, &cfg), -ENODEV);
	T_CONTAINS(doe_ctx_errmsg(ctx), "no such device 0000:0d:00.2");
	T_TRUE(cfg == NULL);
}

static void t_bad_bdf(void)
{
	struct doe_cfg *cfg = NULL;

	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:20.0", 0, &cfg), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "invalid PCI address '0000:0d:20.0'");
	T_EQ(doe_cfg_sysfs_open(ctx, NULL, 0, &cfg), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "invalid PCI address ''");
}

/* A 64-byte config file: the function's config space ends there, and a
 * register beyond reads as a missing one (all ones), so the walk finds
 * no extended capabilities rather than failing. */
static void t_short_config_file(void)
{
	struct doe_cfg *cfg = NULL;
	uint16_t offs[2];
	uint32_t v = 0;

	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:00.1", 0, &cfg), 0);
	if (!cfg)
		return;
	T_EQ(doe_cfg_read32(cfg, 0x3C, &v), 0);
	T_EQ(doe_cfg_read32(cfg, 0x40, &v), 0);
	T_EQ(v, 0xFFFFFFFFu);
	T_EQ(doe_extcap_find(cfg, DOE_EXT_CAP_ID_DOE, offs, 2), 0);
	doe_cfg_free(cfg);
}

/* The file shrinks after open (a size that says 4096 and a read that
 * returns less, which is what a non-root reader of real sysfs sees):
 * -EACCES "needs root" for non-root, -EIO "short read" for root. */
static void t_short_read(void)
{
	struct doe_cfg *cfg = NULL;
	char path[512];
	uint32_t v = 0;

	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0e:00.0", 0, &cfg), 0);
	if (!cfg)
		return;
	dev_path(path, sizeof(path), "0000:0e:00.0", "config");
	T_EQ(truncate(path, 64), 0);
	T_EQ(doe_cfg_read32(cfg, 0x3C, &v), 0);
	if (geteuid() == 0) {
		T_EQ(doe_cfg_read32(cfg, 0x100, &v), -EIO);
		T_CONTAINS(doe_ctx_errmsg(ctx),
			   "0000:0e:00.0: short read at config offset 0x100 (0 of 4 bytes)");
	} else {
		T_EQ(doe_cfg_read32(cfg, 0x100, &v), -EACCES);
		T_CONTAINS(doe_ctx_errmsg(ctx), "past byte 256 needs root");
	}
	T_EQ(truncate(path, DOE_CFG_SPACE_SIZE), 0);
	doe_cfg_free(cfg);
}

/* flock() locks belong to an open file description, so two opens in one
 * process exclude each other just as two processes do. */
static void t_lock(void)
{
	struct doe_cfg *a = NULL, *b = NULL, *c = NULL;
	char path[512];

	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:00.0", DOE_SYSFS_WRITE | DOE_SYSFS_LOCK, &a), 0);
	snprintf(path, sizeof(path), "%s/doekit-0000:0d:00.0.lock", lockdir);
	T_EQ(access(path, F_OK), 0);	/* in our directory, not /run/lock */
	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:00.0", DOE_SYSFS_WRITE | DOE_SYSFS_LOCK, &b), -EBUSY);
	T_CONTAINS(doe_ctx_errmsg(ctx), "another doekit process is using this device's mailboxes");
	T_CONTAINS(doe_ctx_errmsg(ctx), path);
	T_TRUE(b == NULL);
	/* a reader without the lock is not stopped */
	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:00.0", 0, &b), 0);
	/* another function has its own lock */
	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0e:00.0", DOE_SYSFS_LOCK, &c), 0);
	doe_cfg_free(c);
	doe_cfg_free(b);
	doe_cfg_free(a);	/* releases it */
	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:00.0", DOE_SYSFS_LOCK, &a), 0);
	doe_cfg_free(a);
}

static void t_lock_dir_missing(void)
{
	struct doe_cfg *a = NULL;
	char missing[128];

	snprintf(missing, sizeof(missing), "%s/no-such-dir", root);
	T_EQ(doe_ctx_set_lock_dir(ctx, missing), 0);
	T_STREQ(doe_ctx_lock_dir(ctx), missing);
	T_EQ(doe_cfg_sysfs_open(ctx, "0000:0d:00.0", DOE_SYSFS_LOCK, &a), -ENOENT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "cannot open lock file");
	T_CONTAINS(doe_ctx_errmsg(ctx), missing);
	T_EQ(doe_ctx_set_lock_dir(ctx, ""), -EINVAL);
	T_EQ(doe_ctx_set_lock_dir(ctx, NULL), 0);
	T_TRUE(doe_ctx_lock_dir(ctx) == NULL);
	T_EQ(doe_ctx_set_lock_dir(ctx, lockdir), 0);
}

/* ---- what the kernel lists ---- */

static void t_list_functions(void)
{
	static const char *const want[] = { "0000:00:01.0", "0000:0d:00.0", "0000:0d:00.1",
					    "0000:0e:00.0", "0001:00:00.0" };
	struct doe_bdf b[8];
	char s[DOE_BDF_STRLEN];

	/* "foo" and "0000:00:20.0" (device 32) are not functions */
	T_EQ(doe_sysfs_list_functions(ctx, b, 8), 5);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		doe_bdf_format(&b[i], s);
		T_STREQ(s, want[i]);
	}
	/* truncated: the count is the full one, the two stored are the
	 * smallest, whatever order the directory lists them in */
	memset(b, 0, sizeof(b));
	T_EQ(doe_sysfs_list_functions(ctx, b, 2), 5);
	doe_bdf_format(&b[0], s);
	T_STREQ(s, "0000:00:01.0");
	doe_bdf_format(&b[1], s);
	T_STREQ(s, "0000:0d:00.0");
	T_EQ(b[2].bus, 0);
	T_EQ(doe_sysfs_list_functions(ctx, NULL, 0), 5);
}

static void t_list_no_sysfs(void)
{
	struct doe_ctx *c2;
	struct doe_bdf b[2];
	char missing[128];

	T_EQ(doe_ctx_new(&c2), 0);
	snprintf(missing, sizeof(missing), "%s/nothing", root);
	T_EQ(doe_ctx_set_sysfs_root(c2, missing), 0);
	T_EQ(doe_sysfs_list_functions(c2, b, 2), -ENOENT);
	T_CONTAINS(doe_ctx_errmsg(c2), "cannot list PCI devices in");
	T_CONTAINS(doe_ctx_errmsg(c2), missing);
	doe_ctx_free(c2);
}

static void t_features(void)
{
	struct doe_bdf bdf = { 0, 0x0d, 0, 0 };
	struct doe_protocol p[8];

	memset(p, 0, sizeof(p));
	/* junk names skipped; "0001:00" and "doe_discovery" are one protocol */
	T_EQ(doe_sysfs_features(ctx, &bdf, p, 8), 3);
	T_EQ(p[0].vid, DOE_VENDOR_PCISIG);
	T_EQ(p[0].type, DOE_TYPE_DISCOVERY);
	T_EQ(p[1].vid, DOE_VENDOR_PCISIG);
	T_EQ(p[1].type, DOE_TYPE_CMA);
	T_EQ(p[2].vid, DOE_VENDOR_CXL);
	T_EQ(p[2].type, DOE_TYPE_CXL_TABLE_ACCESS);
	T_EQ(p[3].vid, 0);
	/* truncated: the smallest two, sorted */
	memset(p, 0, sizeof(p));
	T_EQ(doe_sysfs_features(ctx, &bdf, p, 2), 2);
	T_EQ(p[0].type, DOE_TYPE_DISCOVERY);
	T_EQ(p[1].type, DOE_TYPE_CMA);
	T_EQ(p[2].vid, 0);
}

static void t_features_absent(void)
{
	struct doe_bdf bdf = { 0, 0x0e, 0, 0 };
	struct doe_protocol p[2];

	T_EQ(doe_sysfs_features(ctx, &bdf, p, 2), -ENOENT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "0000:0e:00.0: the kernel lists no doe_features");
}

/* The real layout: bus/pci/devices/<bdf> are links into the device
 * hierarchy under devices/pci<DDDD:BB>/, where a function's directory
 * sits inside its bridge's. */
static void t_parent(void)
{
	static const char *const chain[] = { "0000:00:01.0", "0000:0d:00.0", "0000:0e:00.0",
					     "0000:0f:00.0" };
	char dir[512] = "devices/pci0000:00", link[600], target[600];
	struct doe_ctx *c = NULL;
	struct doe_bdf b, p;
	char r[64];

	snprintf(r, sizeof(r), "/tmp/doekit-sysfs-real-XXXXXX");
	T_TRUE(mkdtemp(r) != NULL);
	T_EQ(doe_ctx_new(&c), 0);
	T_EQ(doe_ctx_set_sysfs_root(c, r), 0);
	snprintf(link, sizeof(link), "%s/bus/pci/devices", r);
	snprintf(target, sizeof(target), "%s/bus", r);
	mkdir(target, 0755);
	snprintf(target, sizeof(target), "%s/bus/pci", r);
	mkdir(target, 0755);
	mkdir(link, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(chain); i++) {
		char path[600];

		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", chain[i]);
		snprintf(path, sizeof(path), "%s/%s", r, dir);
		for (char *q = path + strlen(r) + 1; (q = strchr(q, '/')); q++) {
			*q = '\0';
			mkdir(path, 0755);
			*q = '/';
		}
		T_EQ(mkdir(path, 0755), 0);
		snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", r, chain[i]);
		snprintf(target, sizeof(target), "../../../%s", dir);
		T_EQ(symlink(target, link), 0);
	}
	T_EQ(doe_bdf_parse("0000:0f:00.0", &b), 0);
	T_EQ(doe_sysfs_parent(c, &b, &p), 1);
	T_EQ(p.bus, 0x0e);
	T_EQ(doe_bdf_parse("0000:0d:00.0", &b), 0);
	T_EQ(doe_sysfs_parent(c, &b, &p), 1);
	T_EQ(p.bus, 0x00);
	T_EQ(p.dev, 0x01);
	T_EQ(doe_bdf_parse("0000:00:01.0", &b), 0);
	T_EQ(doe_sysfs_parent(c, &b, &p), 0);
	T_EQ(doe_bdf_parse("0000:42:00.0", &b), 0);
	T_EQ(doe_sysfs_parent(c, &b, &p), -ENOENT);
	doe_ctx_free(c);
	{
		char *saved = strdup(root);

		snprintf(root, sizeof(root), "%s", r);
		remove_tree();
		snprintf(root, sizeof(root), "%s", saved);
		free(saved);
	}
}

int main(void)
{
	int rc;

	if (doe_ctx_new(&ctx))
		return 1;
	if (build_tree()) {
		perror("building the fake sysfs tree");
		remove_tree();
		return 1;
	}
	T_RUN(t_open_and_read);
	T_RUN(t_write_lands_in_file);
	T_RUN(t_no_such_device);
	T_RUN(t_bad_bdf);
	T_RUN(t_short_config_file);
	T_RUN(t_short_read);
	T_RUN(t_lock);
	T_RUN(t_lock_dir_missing);
	T_RUN(t_list_functions);
	T_RUN(t_list_no_sysfs);
	T_RUN(t_features);
	T_RUN(t_features_absent);
	T_RUN(t_parent);
	rc = T_DONE();
	remove_tree();
	doe_ctx_free(ctx);
	return rc;
}
