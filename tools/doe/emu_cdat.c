// SPDX-License-Identifier: MIT
/* --emu-cdat BDF=FILE: emulated functions serve a table of the user's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdat_json.h"
#include "internal.h"
#include "jin.h"
#include "tool.h"

/* A file whose first non-blank byte is '{' is the -j schema, strictly
 * (jin_parse, cdat_table_from_json); anything else is a binary table,
 * served byte for byte (malformed ones included: that is what negative
 * tests want). The read is capped at the JSON cap, the larger of the two,
 * so that a device or FIFO cannot make us read without end. */
static int load_table(struct tool *t, const char *path, uint8_t **bin, size_t *len)
{
	const struct jin j = { .ctx = t->ctx, .doc = path };
	struct json_object *obj = NULL;
	struct cdat_table *tab = NULL;
	uint8_t *buf;
	size_t n, ws = 0;
	int rc;

	TRY(read_file_max(t, path, JIN_MAX_CDAT_JSON, &buf, &n));
	while (ws < n && strchr(" \t\r\n", buf[ws]))
		ws++;
	if (ws < n && buf[ws] == '{') {
		rc = jin_parse(&j, (const char *)buf, n, &obj);
		free(buf);
		if (rc == 0)
			rc = cdat_table_from_json(&j, obj, &tab);
		if (rc == 0 && (rc = cdat_encode_alloc(t->ctx, tab, bin, len)) != 0)
			doe_err_prefix(t->ctx, "%s", path);
		json_object_put(obj);
		cdat_table_free(tab);
		return rc;
	}
	if (n > CDAT_MAX_TABLE_LEN) {
		free(buf);
		return doe_err(t->ctx, -EFBIG, "%s: larger than %u bytes", path, CDAT_MAX_TABLE_LEN);
	}
	*bin = buf;
	*len = n;
	return 0;
}

/*
 * A file given with --emu-cdat or --emu-spdm is configuration: whatever is
 * wrong with it (missing, unreadable, too large, bad JSON, a bad member),
 * the user has to fix the command line, so it is a usage error (exit 2 via
 * tool_fail's -EINVAL) and not a device failure. Only running out of
 * memory stays what it is.
 */
static int config_error(int rc)
{
	return rc == -ENOMEM ? rc : -EINVAL;
}

/* "BDF=FILE" of --emu-cdat / --emu-spdm: the function and the file. */
static int split_spec(struct tool *t, const char *opt, struct emu_topo *topo, const char *spec,
		      struct emu_fn **fn, const char **file, char bdfs[32])
{
	const char *eq = strchr(spec, '=');
	struct doe_bdf bdf;

	if (!eq || (size_t)(eq - spec) >= 32 || !eq[1])
		return doe_err(t->ctx, -EINVAL, "%s '%s': expected BDF=FILE", opt, spec);
	memcpy(bdfs, spec, (size_t)(eq - spec));
	bdfs[eq - spec] = '\0';
	if (doe_bdf_parse(bdfs, &bdf))
		return doe_err(t->ctx, -EINVAL, "%s '%s': invalid PCI address", opt, spec);
	*fn = emu_topo_find(topo, &bdf);
	if (!*fn)
		return doe_err(t->ctx, -ENODEV, "%s: no such device %s in profile '%s'", opt, bdfs,
			       emu_topo_profile(topo));
	*file = eq + 1;
	return 0;
}

static int apply(struct tool *t, struct emu_topo *topo, const char *spec)
{
	const char *file;
	struct emu_fn *fn;
	char bdfs[32];
	uint8_t *bin;
	size_t len;
	int rc;

	TRY(split_spec(t, "--emu-cdat", topo, spec, &fn, &file, bdfs));
	rc = load_table(t, file, &bin, &len);
	if (rc) {
		doe_err_prefix(t->ctx, "--emu-cdat");
		return config_error(rc);
	}
	rc = emu_fn_set_cdat(fn, bin, len);
	free(bin);
	if (rc == -ENOENT)
		return doe_err(t->ctx, -EINVAL, "--emu-cdat: %s has no CDAT mailbox", bdfs);
	return rc;
}

/* --emu-spdm BDF=FILE.json, read with the cap for such files */
static int apply_spdm(struct tool *t, struct emu_topo *topo, const char *spec)
{
	struct jin j = { .ctx = t->ctx };
	struct json_object *obj;
	struct emu_fn *fn;
	char bdfs[32];
	int rc;

	TRY(split_spec(t, "--emu-spdm", topo, spec, &fn, &j.doc, bdfs));
	rc = jin_load(&j, j.doc, JIN_MAX_EMU_SPDM, &obj);
	if (rc) {
		doe_err_prefix(t->ctx, "--emu-spdm");
		return config_error(rc);
	}
	rc = emu_spdm_apply(&j, fn, obj);
	json_object_put(obj);
	if (rc == -ENOENT)	/* emu_fn_set_spdm(): the function has no responder */
		return doe_err(t->ctx, -EINVAL, "--emu-spdm: %s has no CMA mailbox", bdfs);
	if (rc) {
		doe_err_prefix(t->ctx, "--emu-spdm");
		return config_error(rc);
	}
	return 0;
}

int tool_topo_new(struct tool *t, const char *profile, struct emu_topo **out)
{
	struct emu_topo *topo;
	int rc = 0;

	TRY(emu_topo_new(t->ctx, profile, &topo));
	for (int i = 0; i < t->n_emu_cdat && !rc; i++)
		rc = apply(t, topo, t->emu_cdat[i]);
	for (int i = 0; i < t->n_emu_spdm && !rc; i++)
		rc = apply_spdm(t, topo, t->emu_spdm[i]);
	if (rc) {
		emu_topo_free(topo);
		return rc;
	}
	*out = topo;
	return 0;
}
