// SPDX-License-Identifier: MIT
/*
 * doe attest --topology: the hierarchy as a tree, verdicts down the tree,
 * text and JSON output, enforcement. The attestation itself runs in
 * attest_jobs.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <doekit/sysfs.h>
#include "internal.h"
#include "topology.h"

static uint64_t bdf_key(const struct doe_bdf *b)
{
	return (uint64_t)b->domain << 16 | (uint64_t)b->bus << 8 | (uint64_t)b->dev << 3 | b->fn;
}

/* nodes are in BDF order: a binary search */
static int find_idx(const struct ttree *tr, const struct doe_bdf *bdf)
{
	uint64_t key = bdf_key(bdf);
	size_t lo = 0, hi = tr->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k = bdf_key(&tr->n[mid].bdf);

		if (k == key)
			return (int)mid;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* first_child/next_sibling from parent, children in BDF order */
static void link_children(struct ttree *tr)
{
	for (size_t i = tr->count; i-- > 0;) {
		struct tnode *n = &tr->n[i];

		if (n->parent >= 0) {
			n->next_sibling = tr->n[n->parent].first_child;
			tr->n[n->parent].first_child = (int)i;
		}
	}
}

static void node_init(struct tnode *n)
{
	memset(n, 0, sizeof(*n));
	n->parent = n->first_child = n->next_sibling = n->blocker = -1;
}

int ttree_emu(struct tool *t, const char *profile, struct ttree *tr)
{
	size_t count;

	memset(tr, 0, sizeof(*tr));
	TRY(tool_topo_new(t, profile, &tr->topo));
	tr->scope = emu_topo_profile(tr->topo);
	count = emu_topo_count(tr->topo);
	tr->n = calloc(count ? count : 1, sizeof(*tr->n));
	if (!tr->n)
		return doe_err(t->ctx, -ENOMEM, "out of memory");
	tr->count = count;
	for (size_t i = 0; i < count; i++) {
		struct emu_fn *fn = emu_topo_fn(tr->topo, i);
		const struct emu_fn_info *info = emu_fn_info(fn);
		struct tnode *n = &tr->n[i];

		node_init(n);
		n->fn = fn;
		n->bdf = info->bdf;
		n->cma = emu_fn_has_spdm(fn);
		n->port = info->port_type == EMU_PCIE_ROOT_PORT ||
			  info->port_type == EMU_PCIE_SWITCH_DOWN;
		snprintf(n->label, sizeof(n->label), "%s", info->label ? info->label : "");
		dev_emu_name(tr->scope, &info->bdf, n->name, sizeof(n->name));
	}
	for (size_t i = 0; i < count; i++) {
		struct emu_fn *p = emu_topo_parent(tr->topo, tr->n[i].fn);

		tr->n[i].parent = p ? find_idx(tr, &emu_fn_info(p)->bdf) : -1;
	}
	link_children(tr);
	return 0;
}

#define SYSFS_MAX_FUNCTIONS 4096

/* "[vvvv:dddd]" from config space (its first 64 bytes need no root) */
static void id_label(struct tool *t, const char *bdf, char *out, size_t len)
{
	struct doe_cfg *cfg = NULL;
	uint32_t id = 0xFFFFFFFFu;

	if (doe_cfg_sysfs_open(t->ctx, bdf, 0, &cfg) == 0)
		doe_cfg_read32(cfg, 0, &id);
	doe_cfg_free(cfg);
	doe_ctx_clear_error(t->ctx);
	snprintf(out, len, "[%04x:%04x]", id & 0xFFFFu, id >> 16);
}

static bool has_cma(struct tool *t, const struct doe_bdf *bdf)
{
	struct doe_protocol p[32];
	int n = doe_sysfs_features(t->ctx, bdf, p, 32);

	for (int i = 0; i < n; i++)
		if (p[i].vid == DOE_VENDOR_PCISIG && p[i].type == DOE_TYPE_CMA)
			return true;
	if (n == -ENOENT && t->raw) {	/* an older kernel: ask the mailboxes */
		struct doe_cfg *cfg = NULL;
		struct doe_mb *mb = NULL;
		char name[DOE_BDF_STRLEN];
		bool found;

		doe_bdf_format(bdf, name);
		if (doe_cfg_sysfs_open(t->ctx, name, DOE_SYSFS_WRITE | DOE_SYSFS_LOCK, &cfg))
			return false;
		found = tool_find_mailbox(t, cfg, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, &mb) == 0;
		doe_mb_free(mb);
		doe_cfg_free(cfg);
		return found;
	}
	return false;
}

static bool below(const struct ttree *tr, int i, int root)
{
	for (; i >= 0; i = tr->n[i].parent)
		if (i == root)
			return true;
	return false;
}

int ttree_sysfs(struct tool *t, const struct doe_bdf *root, struct ttree *tr)
{
	struct doe_bdf *all = calloc(SYSFS_MAX_FUNCTIONS, sizeof(*all));
	int n, rc = 0;

	memset(tr, 0, sizeof(*tr));
	tr->scope = "system";
	if (!all)
		return doe_err(t->ctx, -ENOMEM, "out of memory");
	n = doe_sysfs_list_functions(t->ctx, all, SYSFS_MAX_FUNCTIONS);
	if (n < 0) {
		free(all);
		return n;
	}
	if (n > SYSFS_MAX_FUNCTIONS) {
		free(all);
		return doe_err(t->ctx, -E2BIG, "%d PCI functions: more than the %d a topology holds",
			       n, SYSFS_MAX_FUNCTIONS);
	}
	tr->n = calloc((size_t)n + 1, sizeof(*tr->n));
	if (!tr->n) {
		free(all);
		return doe_err(t->ctx, -ENOMEM, "out of memory");
	}
	tr->count = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct tnode *nd = &tr->n[i];
		node_init(nd);
		nd->bdf = all[i];
		doe_bdf_format(&all[i], nd->name);
		id_label(t, nd->name, nd->label, sizeof(nd->label));
		nd->cma = has_cma(t, &all[i]);
	}
	for (int i = 0; i < n && !rc; i++) {
		struct doe_bdf p;
		int r = doe_sysfs_parent(t->ctx, &all[i], &p);

		if (r < 0)
			rc = r;
		else if (r == 1)
			tr->n[i].parent = find_idx(tr, &p);
	}
	free(all);
	if (rc)
		return rc;
	if (root) {	/* keep the subtree: drop the rest, renumbering parents */
		int r = find_idx(tr, root), *map;
		size_t k = 0;
		char name[DOE_BDF_STRLEN];

		doe_bdf_format(root, name);
		if (r < 0)
			return doe_err(t->ctx, -ENODEV, "no such device %s", name);
		map = malloc(tr->count * sizeof(*map) + 1);
		if (!map)
			return doe_err(t->ctx, -ENOMEM, "out of memory");
		for (size_t i = 0; i < tr->count; i++)
			map[i] = below(tr, (int)i, r) ? (int)k++ : -1;
		for (size_t i = 0, j = 0; i < tr->count; i++) {
			if (map[i] < 0)
				continue;
			tr->n[j] = tr->n[i];
			tr->n[j].parent = (int)i == r || tr->n[j].parent < 0 ? -1 : map[tr->n[j].parent];
			j++;
		}
		tr->count = k;
		free(map);
	}
	/* a bridge with functions below it is a port whose subtree goes with it */
	for (size_t i = 0; i < tr->count; i++)
		if (tr->n[i].parent >= 0)
			tr->n[tr->n[i].parent].port = true;
	link_children(tr);
	return 0;
}

void ttree_free(struct ttree *tr)
{
	for (size_t i = 0; i < tr->count; i++) {
		json_object_put(tr->n[i].evidence);
		verdict_fini(&tr->n[i].v);
	}
	free(tr->n);
	emu_topo_free(tr->topo);
	memset(tr, 0, sizeof(*tr));
}

static bool failing(const struct tnode *n)
{
	return n->cma && (n->own == VERDICT_REJECTED || n->own == VERDICT_UNREACHABLE);
}

/* The highest failing attested function above each node makes it
 * untrusted_path (as verify-evidence --policy derives it from a bundle). */
void ttree_propagate(struct ttree *tr)
{
	for (size_t i = 0; i < tr->count; i++) {
		struct tnode *n = &tr->n[i];

		n->blocker = -1;
		for (int p = n->parent; p >= 0; p = tr->n[p].parent)
			if (failing(&tr->n[p]))
				n->blocker = p;
		if (n->blocker < 0)
			continue;
		if (!n->v.reasons && verdict_init(&n->v))
			continue;
		verdict_untrusted_path(&n->v, tr->n[n->blocker].name, tr->n[n->blocker].own);
	}
}

/* ---- output ------------------------------------------------------------ */

static void print_node(struct tool *t, const struct ttree *tr, int i, char *prefix, size_t plen,
		       bool last)
{
	const struct tnode *n = &tr->n[i];
	char esc[TOOL_ESC_SIZE(64)], why[TOOL_ESC_SIZE(200)] = "";
	char b[DOE_BDF_STRLEN];
	size_t len = strlen(prefix);

	doe_bdf_format(&n->bdf, b);
	bool shown = n->cma || n->blocker >= 0;

	if (shown && n->v.kind != VERDICT_AUTHORIZED && n->v.reasons &&
	    json_object_array_length(n->v.reasons)) {
		struct json_object *r = json_object_array_get_idx(n->v.reasons, 0), *g;

		if (json_object_object_get_ex(r, "got", &g))
			tool_esc(why, sizeof(why), json_object_get_string(g));
	}
	printf("%s%s%s  %s%s%s%s%s\n", prefix, len || n->parent >= 0 ? (last ? "`-" : "|-") : "",
	       b, tool_esc(esc, sizeof(esc), n->label), shown ? "  " : "",
	       shown ? verdict_name(n->v.kind) : "", *why ? ": " : "", why);
	if (len + 4 < plen && (n->parent >= 0 || len))
		strcat(prefix, last ? "  " : "| ");
	for (int c = n->first_child; c >= 0; c = tr->n[c].next_sibling)
		print_node(t, tr, c, prefix, plen, tr->n[c].next_sibling < 0);
	prefix[len] = '\0';
}

/* attested functions by verdict */
static void count(const struct ttree *tr, unsigned *by)
{
	for (size_t i = 0; i < tr->count; i++)
		if (tr->n[i].cma)
			by[tr->n[i].v.kind]++;
}

void ttree_print_text(struct tool *t, const struct ttree *tr)
{
	unsigned by[VERDICT_UNTRUSTED_PATH + 1] = { 0 };
	char prefix[256] = "";

	printf("%s\n", tr->scope);
	for (size_t i = 0; i < tr->count; i++)
		if (tr->n[i].parent < 0)
			print_node(t, tr, (int)i, prefix, sizeof(prefix), false);
	count(tr, by);
	printf("\n%u authorized, %u rejected, %u unreachable, %u untrusted_path\n",
	       by[VERDICT_AUTHORIZED], by[VERDICT_REJECTED], by[VERDICT_UNREACHABLE],
	       by[VERDICT_UNTRUSTED_PATH]);
}

/* Attested nodes only, each in the children of the nearest attested node
 * above: a function without CMA has no verdict to give or to check. */
static void add_nodes(const struct ttree *tr, int i, struct json_object *into)
{
	const struct tnode *n = &tr->n[i];
	struct json_object *kids = into;

	if (n->cma)
		json_object_array_add(into, bundle_node_new(n->name, &n->v,
							    json_object_get(n->evidence), &kids));
	for (int c = n->first_child; c >= 0; c = tr->n[c].next_sibling)
		add_nodes(tr, c, kids);
}

struct json_object *ttree_bundle(const struct ttree *tr)
{
	struct json_object *devs = json_object_new_array(), *o, *sum = json_object_new_object();
	unsigned by[VERDICT_UNTRUSTED_PATH + 1] = { 0 };

	for (size_t i = 0; i < tr->count; i++)
		if (tr->n[i].parent < 0)
			add_nodes(tr, (int)i, devs);
	o = bundle_new(devs);
	count(tr, by);
	for (int v = VERDICT_AUTHORIZED; v <= VERDICT_UNTRUSTED_PATH; v++)
		json_object_object_add(sum, verdict_name((enum verdict_kind)v),
				       json_object_new_int((int)by[v]));
	json_object_object_add(o, "scope", json_object_new_string(tr->scope));
	json_object_object_add(o, "summary", sum);
	return o;
}

/* ---- enforcement ------------------------------------------------------- */

/* The PCIe capability (ID 0x10) in the standard list, 0 if none. */
static uint16_t pcie_cap(struct doe_cfg *cfg)
{
	uint32_t v;
	uint16_t off;

	if (doe_cfg_read32(cfg, 0x34, &v))
		return 0;
	off = (uint16_t)(v & 0xFC);
	for (int hops = 0; off >= 0x40 && hops < 48; hops++) {
		if (doe_cfg_read32(cfg, off, &v))
			return 0;
		if ((v & 0xFF) == 0x10)
			return off;
		off = (uint16_t)((v >> 8) & 0xFC);
	}
	return 0;
}

/* Link Control Link Disable (bit 4) on an emulated port: never on real
 * hardware, where only kernel interfaces are used. */
static int emu_link_disable(struct tool *t, struct tnode *port)
{
	struct doe_cfg *cfg = NULL;
	uint16_t cap;
	uint32_t v = 0;
	int rc;

	TRY(emu_fn_cfg_open_ctx(port->fn, t->ctx, &cfg));
	cap = pcie_cap(cfg);
	rc = cap ? doe_cfg_read32(cfg, (uint16_t)(cap + 0x10), &v) : -ENODEV;
	if (rc == 0)	/* Link Status (upper half) is RW1C: write zeros there */
		rc = doe_cfg_write32(cfg, (uint16_t)(cap + 0x10), (v & 0xFFFFu) | 0x10u);
	doe_cfg_free(cfg);
	if (rc == -ENODEV)
		return doe_err(t->ctx, rc, "%s has no PCIe capability", port->name);
	return rc;
}

/* Enforcement reports on stdout, or stderr when stdout carries JSON. */
#define EOUT (t->json ? stderr : stdout)

/* One failing node: what is done about it (or would be). */
static int enforce_one(struct tool *t, struct ttree *tr, struct tnode *n, enum enforce_mode mode)
{
	struct tnode *port = n->parent >= 0 ? &tr->n[n->parent] : NULL;
	const char *v = verdict_name(n->own);


	if (tr->topo) {
		if (!port || !port->port) {
			fprintf(EOUT, "enforce: %s is %s, but no port above it has a link to disable\n",
			       n->name, v);
			return 0;
		}
		if (mode == ENFORCE_PLAN) {
			fprintf(EOUT, "plan: disable the link of %s (above %s, %s)\n", port->name, n->name, v);
			return 0;
		}
		TRY(emu_link_disable(t, port));
		fprintf(EOUT, "enforce: disabled the link of %s (above %s, %s)\n", port->name, n->name, v);
		return 0;
	}
	/* real hardware: kernel interfaces only */
	if (mode == ENFORCE_PLAN) {
		fprintf(EOUT, "plan: %s %s (%s)\n",
		       tool_sysfs_attr_writable(t, n->name, "authorized") ? "deauthorize" : "remove (needs "
		       "--enforce=remove)", n->name, v);
		return 0;
	}
	if (mode == ENFORCE_ON) {
		if (!tool_sysfs_attr_writable(t, n->name, "authorized"))
			return doe_err(t->ctx, -EOPNOTSUPP, "%s: this kernel has no CMA authorization "
				       "attribute (authorized) for it; --enforce=remove removes the "
				       "device and everything below it instead", n->name);
		TRY(tool_sysfs_attr_write(t, n->name, "authorized", "0"));
		fprintf(EOUT, "enforce: deauthorized %s (%s)\n", n->name, v);
		return 0;
	}
	TRY(tool_sysfs_attr_write(t, n->name, "remove", "1"));
	fprintf(EOUT, "enforce: removed %s and everything below it (%s)\n", n->name, v);
	return 0;
}

int ttree_enforce(struct tool *t, struct ttree *tr, enum enforce_mode mode)
{
	int first = 0;

	for (size_t i = 0; i < tr->count; i++) {
		struct tnode *n = &tr->n[i];
		int rc;

		/* below another failing node: enforcing there covers it */
		if (!failing(n) || n->blocker >= 0)
			continue;
		rc = enforce_one(t, tr, n, mode);
		if (rc && !first)
			first = rc;
	}
	if (tr->topo && mode != ENFORCE_PLAN)
		for (size_t i = 0; i < tr->count; i++)
			if (!emu_fn_present(tr->n[i].fn))
				fprintf(EOUT, "gone: %s\n", tr->n[i].name);
	return first;
}
