// SPDX-License-Identifier: MIT
/* --emu-cdat BDF=FILE: emulated functions serve a table of the user's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdat_json.h"
#include "internal.h"
#include "tool.h"

/* A file that parses as a JSON object is the -j schema; anything else is a
 * binary table, served byte for byte (malformed ones included: that is what
 * negative tests want). */
static int load_table(struct tool *t, const char *path, uint8_t **bin, size_t *len)
{
	struct json_object *obj = NULL;
	struct cdat_table *tab = NULL;
	uint8_t *buf;
	size_t n, ws = 0;
	int rc;

	TRY(read_file_max(t, path, CDAT_MAX_TABLE_LEN * 4, &buf, &n));
	while (ws < n && strchr(" \t\r\n", buf[ws]))
		ws++;
	if (ws < n && buf[ws] == '{') {
		char *text = malloc(n + 1);

		if (!text) {
			free(buf);
			return doe_err(t->ctx, -ENOMEM, "out of memory");
		}
		memcpy(text, buf, n);
		text[n] = '\0';
		obj = json_tokener_parse(text);
		free(text);
		free(buf);
		if (!obj || !json_object_is_type(obj, json_type_object)) {
			json_object_put(obj);
			return doe_err(t->ctx, -EINVAL, "%s: not a JSON object", path);
		}
		rc = cdat_table_from_json(t->ctx, obj, &tab);
		if (rc == 0)
			rc = cdat_encode_alloc(t->ctx, tab, bin, len);
		json_object_put(obj);
		cdat_table_free(tab);
		if (rc)
			doe_err_prefix(t->ctx, "%s", path);
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
	TRY(load_table(t, file, &bin, &len));
	rc = emu_fn_set_cdat(fn, bin, len);
	free(bin);
	if (rc == -ENOENT)
		return doe_err(t->ctx, -EINVAL, "--emu-cdat: %s has no CDAT mailbox", bdfs);
	return rc;
}

/* --emu-spdm BDF=FILE.json */
static int apply_spdm(struct tool *t, struct emu_topo *topo, const char *spec)
{
	struct json_object *obj;
	const char *file;
	struct emu_fn *fn;
	char bdfs[32];
	int rc;

	TRY(split_spec(t, "--emu-spdm", topo, spec, &fn, &file, bdfs));
	obj = json_object_from_file(file);
	if (!obj)
		return doe_err(t->ctx, -EINVAL, "--emu-spdm: %s: %s", file, json_util_get_last_err());
	rc = emu_spdm_apply(t, fn, obj);
	json_object_put(obj);
	if (rc)
		doe_err_prefix(t->ctx, "--emu-spdm %s", file);
	return rc;
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
