// SPDX-License-Identifier: MIT
/*
 * doe cdat --path: the performance of each DSMAS range of a CXL endpoint as
 * seen from its root port, combined hop by hop as Linux does in
 * drivers/cxl/core/cdat.c: the device's DSLBIS, then for every link its
 * latency and bandwidth from the negotiated speed and width, and for every
 * switch its SSLBIS between the upstream port and the downstream port the
 * path takes. Latencies add; bandwidth is the minimum.
 *
 * Linux also adds the host bridge's Generic Port figures from ACPI HMAT;
 * those are the platform's, not the devices', and are left out here.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cdat_json.h"
#include "internal.h"
#include "tool.h"

#define PATH_MAX_FNS 16
#define PCI_CAP_PTR 0x34u
#define PCI_CAP_ID_EXP 0x10u
#define PCI_EXP_FLAGS 0x02u
#define PCI_EXP_LNKCAP 0x0Cu
#define PCI_EXP_LNKSTA 0x12u
#define PCI_EXP_LNKSTA2 0x32u
#define PCI_EXP_LNKSTA2_FLIT 0x0400u	/* PCIe r6.0 Flit Mode Status */

/* What the path needs to know of one function. */
struct pfn {
	struct dev dev;
	int port_type;		/* PCIe Device/Port Type, -1 unknown */
	uint8_t gen, width, port_number;
	bool flit;
	struct cdat_table *cdat;	/* endpoint and switch upstream port */
};

static uint16_t cfg_u16(uint32_t dw, uint16_t off)
{
	return (uint16_t)(off & 2u ? dw >> 16 : dw);
}

/* Walks the legacy capability list for the PCIe capability; a device
 * controls it, so the walk is bounded and pointers are checked. */
static int find_pcie_cap(struct tool *t, struct doe_cfg *cfg, uint16_t *out)
{
	uint32_t dw;
	uint8_t ptr;

	TRY(doe_cfg_read32(cfg, PCI_CAP_PTR, &dw));
	ptr = (uint8_t)(dw & 0xFCu);
	for (int hops = 0; ptr >= 0x40 && hops < 48; hops++) {
		TRY(doe_cfg_read32(cfg, ptr, &dw));
		if ((dw & 0xFFu) == PCI_CAP_ID_EXP) {
			*out = ptr;
			return 0;
		}
		ptr = (uint8_t)((dw >> 8) & 0xFCu);
	}
	return doe_err(t->ctx, -ENOENT, "%s has no PCI Express capability", doe_cfg_name(cfg));
}

static int read_link(struct tool *t, struct pfn *f)
{
	struct doe_cfg *cfg;
	uint16_t cap = 0;
	uint32_t dw;

	TRY(dev_cfg(t, &f->dev, &cfg));
	TRY(find_pcie_cap(t, cfg, &cap));
	TRY(doe_cfg_read32(cfg, cap, &dw));
	f->port_type = (cfg_u16(dw, PCI_EXP_FLAGS) >> 4) & 0xF;
	TRY(doe_cfg_read32(cfg, (uint16_t)(cap + PCI_EXP_LNKCAP), &dw));
	f->port_number = (uint8_t)(dw >> 24);
	TRY(doe_cfg_read32(cfg, (uint16_t)(cap + (PCI_EXP_LNKSTA & ~3u)), &dw));
	f->gen = (uint8_t)(cfg_u16(dw, PCI_EXP_LNKSTA) & 0xF);
	f->width = (uint8_t)((cfg_u16(dw, PCI_EXP_LNKSTA) >> 4) & 0x3F);
	TRY(doe_cfg_read32(cfg, (uint16_t)(cap + (PCI_EXP_LNKSTA2 & ~3u)), &dw));
	f->flit = cfg_u16(dw, PCI_EXP_LNKSTA2) & PCI_EXP_LNKSTA2_FLIT;
	return 0;
}

/* The CDAT of a function on the path: over its mailbox when emulated or
 * with --raw, else from the kernel's attribute. */
static int load_cdat(struct tool *t, struct pfn *f)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (f->dev.emulated || t->raw)
		rc = cdat_from_mailbox(t, &f->dev, &buf, &len);
	else
		rc = cdat_from_kernel(t, f->dev.name, &buf, &len);
	if (rc == 0)
		rc = cdat_parse(t->ctx, buf, len, &f->cdat);
	free(buf);
	/* most messages name the function already: name it once */
	if (rc && !strstr(doe_ctx_errmsg(t->ctx), f->dev.name))
		doe_err_prefix(t->ctx, "CDAT of %s", f->dev.name);
	return rc;
}

/* Fills fns[0] (the endpoint) up to the root port; returns the count. */
static int walk_emulated(struct tool *t, struct dev *ep, struct pfn *fns)
{
	const struct emu_fn *fn = ep->fn;
	int n = 0;

	while (fn && n < PATH_MAX_FNS) {
		struct pfn *f = &fns[n++];

		f->dev.emulated = true;
		f->dev.fn = (struct emu_fn *)fn;
		f->dev.bdf = emu_fn_info(fn)->bdf;
		dev_emu_name(emu_topo_profile(ep->topo), &f->dev.bdf, f->dev.name,
			     sizeof(f->dev.name));
		TRY(read_link(t, f));
		if (f->port_type == EMU_PCIE_ROOT_PORT)
			return n;
		fn = emu_topo_parent(ep->topo, fn);
	}
	return doe_err(t->ctx, -ENOENT, "%s: no root port above it", ep->name);
}

/* Real devices: the ancestors are the BDF-named directories of the
 * function's path under /sys/devices. */
static int walk_sysfs(struct tool *t, struct dev *ep, struct pfn *fns)
{
	char link[PATH_MAX], real[PATH_MAX];
	const char *names[PATH_MAX_FNS];
	int n = 0;

	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", doe_ctx_sysfs_root(t->ctx), ep->name);
	if (!realpath(link, real))
		return doe_err(t->ctx, -ENODEV, "no such device %s", ep->name);
	for (char *tok = strtok(real, "/"); tok; tok = strtok(NULL, "/")) {
		struct doe_bdf b;

		if (doe_bdf_parse(tok, &b) == 0 && strlen(tok) == 12 && n < PATH_MAX_FNS)
			names[n++] = tok;
	}
	/* names is root-first; the path is endpoint-first */
	for (int i = 0; i < n; i++) {
		struct pfn *f = &fns[i];
		int rc = 0;

		if (i == 0 && !strcmp(names[n - 1], ep->name)) {
			/* the endpoint is open already, with --raw under its lock:
			 * a second open would wait for a lock this process holds */
			f->dev = *ep;
			ep->cfg = NULL;
		} else {
			rc = dev_open(t, names[n - 1 - i], &f->dev);
		}
		if (rc)
			return rc;
		TRY(read_link(t, f));
		if (f->port_type == EMU_PCIE_ROOT_PORT)
			return i + 1;
	}
	return doe_err(t->ctx, -ENOENT, "%s: no root port above it", ep->name);
}

enum hop_kind { HOP_DEVICE, HOP_LINK, HOP_SWITCH };

struct hop {
	enum hop_kind kind;
	const struct pfn *f;		/* the function the figures come from */
	const struct pfn *dsp;		/* HOP_SWITCH: the downstream port taken */
	struct cdat_perf perf;
};

static const char *const hop_kinds[] = { "device", "link", "switch" };

/* The hops of the path below the root port, for one DSMAS handle. */
static int path_hops(struct tool *t, struct pfn *fns, int n, uint8_t handle, struct hop *hops,
		     int *nhops)
{
	int k = 0;

	hops[k] = (struct hop){ .kind = HOP_DEVICE, .f = &fns[0] };
	TRY(cdat_dsmas_perf(fns[0].cdat, handle, &hops[k++].perf));
	for (int i = 0; i + 1 < n; i++) {
		struct pfn *f = &fns[i];

		if (f->port_type == EMU_PCIE_ENDPOINT || f->port_type == EMU_PCIE_SWITCH_UP) {
			/* the link above this function, as it negotiated it */
			hops[k] = (struct hop){ .kind = HOP_LINK, .f = f };
			if (cdat_link_perf(f->gen, f->width, f->flit, &hops[k].perf))
				return doe_err(t->ctx, -EPROTO,
					       "%s: link speed %u / width %u not usable",
					       f->dev.name, f->gen, f->width);
			k++;
		}
		if (f->port_type == EMU_PCIE_SWITCH_DOWN && fns[i + 1].cdat) {
			struct hop *h = &hops[k++];

			*h = (struct hop){ .kind = HOP_SWITCH, .f = &fns[i + 1], .dsp = f };
			cdat_switch_perf(fns[i + 1].cdat, CDAT_SSLBIS_PORT_USP, f->port_number,
					 &h->perf);
		}
	}
	*nhops = k;
	return 0;
}

static void perf_json(struct json_object *o, const struct cdat_perf *p)
{
	static const struct {
		unsigned int bit;
		const char *name;
		size_t off;
	} fields[] = {
		{ CDAT_PERF_READ_LATENCY, "read_latency_ps", offsetof(struct cdat_perf, read_latency_ps) },
		{ CDAT_PERF_WRITE_LATENCY, "write_latency_ps", offsetof(struct cdat_perf, write_latency_ps) },
		{ CDAT_PERF_READ_BANDWIDTH, "read_bandwidth_mbps", offsetof(struct cdat_perf, read_bandwidth_mbps) },
		{ CDAT_PERF_WRITE_BANDWIDTH, "write_bandwidth_mbps", offsetof(struct cdat_perf, write_bandwidth_mbps) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t v;

		memcpy(&v, (const uint8_t *)p + fields[i].off, sizeof(v));
		json_object_object_add(o, fields[i].name,
				       (p->valid & fields[i].bit) ? json_object_new_uint64(v) : NULL);
	}
}

/* none: what a missing figure reads as ("-" in a hop, "unknown" in a total) */
static void fmt_lat(char *buf, size_t len, const struct cdat_perf *p, unsigned int bit, uint64_t ps,
		    const char *none)
{
	if (p->valid & bit)
		cdat_format_latency(buf, len, ps);
	else
		snprintf(buf, len, "%s", none);
}

static void fmt_bw(char *buf, size_t len, const struct cdat_perf *p, unsigned int bit, uint64_t mbps,
		   const char *none)
{
	if (p->valid & bit)
		cdat_format_bandwidth(buf, len, mbps);
	else
		snprintf(buf, len, "%s", none);
}

static void print_row(const char *what, const struct cdat_perf *p, const char *none)
{
	char rl[32], wl[32], rb[32], wb[32];

	fmt_lat(rl, sizeof(rl), p, CDAT_PERF_READ_LATENCY, p->read_latency_ps, none);
	fmt_lat(wl, sizeof(wl), p, CDAT_PERF_WRITE_LATENCY, p->write_latency_ps, none);
	fmt_bw(rb, sizeof(rb), p, CDAT_PERF_READ_BANDWIDTH, p->read_bandwidth_mbps, none);
	fmt_bw(wb, sizeof(wb), p, CDAT_PERF_WRITE_BANDWIDTH, p->write_bandwidth_mbps, none);
	printf("    %-46s %12s %12s %14s %14s\n", what, rl, wl, rb, wb);
}

static void hop_label(const struct hop *h, char *buf, size_t len)
{
	switch (h->kind) {
	case HOP_DEVICE:
		snprintf(buf, len, "device %s (DSLBIS)", h->f->dev.name);
		break;
	case HOP_LINK:
		snprintf(buf, len, "link above %s (gen %u x%u%s)", h->f->dev.name, h->f->gen,
			 h->f->width, h->f->flit ? ", flit" : "");
		break;
	case HOP_SWITCH:
		snprintf(buf, len, "switch %s (SSLBIS USP-port %u)", h->f->dev.name,
			 h->dsp->port_number);
		break;
	}
}

static struct json_object *hop_json(const struct hop *h)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(hop_kinds[h->kind]));
	json_object_object_add(o, "device", json_object_new_string(h->f->dev.name));
	if (h->kind == HOP_LINK) {
		json_object_object_add(o, "link_gen", json_object_new_int(h->f->gen));
		json_object_object_add(o, "link_width", json_object_new_int(h->f->width));
		json_object_object_add(o, "flit_mode", json_object_new_boolean(h->f->flit));
	}
	if (h->kind == HOP_SWITCH) {
		json_object_object_add(o, "port_x", json_object_new_int(CDAT_SSLBIS_PORT_USP));
		json_object_object_add(o, "port_y", json_object_new_int(h->dsp->port_number));
		json_object_object_add(o, "downstream_port", json_object_new_string(h->dsp->dev.name));
	}
	perf_json(o, &h->perf);
	return o;
}

/* One DSMAS range: its hops and the total, as text or into arr. */
static int report_range(struct tool *t, struct pfn *fns, int n, const struct cdat_dsmas *m,
			struct json_object *arr)
{
	struct hop hops[2 * PATH_MAX_FNS + 1];
	struct cdat_perf total = { 0 };
	struct json_object *o = NULL, *ha = NULL;
	unsigned int known = ~0u;
	int nh = 0;

	TRY(path_hops(t, fns, n, m->dsmad_handle, hops, &nh));
	if (t->json) {
		o = json_object_new_object();
		ha = json_object_new_array();
		json_object_object_add(o, "dsmad_handle", json_object_new_int(m->dsmad_handle));
		json_object_object_add(o, "dpa_base", json_object_new_uint64(m->dpa_base));
		json_object_object_add(o, "dpa_length", json_object_new_uint64(m->dpa_length));
	} else {
		printf("  DSMAS handle %u: DPA 0x%llx, length 0x%llx%s\n", m->dsmad_handle,
		       (unsigned long long)m->dpa_base, (unsigned long long)m->dpa_length,
		       (m->flags & 0x04) ? " (non-volatile)" : "");
		printf("    %-46s %12s %12s %14s %14s\n", "hop", "read lat", "write lat", "read bw",
		       "write bw");
	}
	for (int i = 0; i < nh; i++) {
		cdat_perf_add_hop(&total, &hops[i].perf);
		known &= hops[i].perf.valid;
		if (t->json) {
			json_object_array_add(ha, hop_json(&hops[i]));
		} else {
			char label[128];

			hop_label(&hops[i], label, sizeof(label));
			print_row(label, &hops[i].perf, "-");
		}
	}
	/* cdat_perf_add_hop() skips a hop without a figure; but a latency
	 * summed without one hop is not the path's, so the total is unknown */
	total.valid &= known;
	if (t->json) {
		struct json_object *to = json_object_new_object();

		perf_json(to, &total);
		json_object_object_add(o, "hops", ha);
		json_object_object_add(o, "total", to);
		json_object_array_add(arr, o);
	} else {
		print_row("total from the root port", &total, "unknown");
	}
	return 0;
}

int cdat_path(struct tool *t, const char *spec)
{
	struct pfn fns[PATH_MAX_FNS];
	struct json_object *out = NULL, *ranges = NULL, *pa;
	struct dev ep;
	int n, rc, nranges = 0;

	memset(fns, 0, sizeof(fns));
	rc = dev_open(t, spec, &ep);
	if (rc) {
		dev_close(&ep);
		return tool_fail(t, rc, NULL);
	}
	if (t->raw && !ep.emulated)
		tool_raw_warning(t, NULL);
	n = ep.emulated ? walk_emulated(t, &ep, fns) : walk_sysfs(t, &ep, fns);
	if (n < 0) {
		rc = n;
		goto out;
	}
	if (fns[0].port_type != EMU_PCIE_ENDPOINT) {
		rc = doe_err(t->ctx, -EINVAL, "%s is not an endpoint (PCIe port type %d)", ep.name,
			     fns[0].port_type);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (i == 0 || fns[i].port_type == EMU_PCIE_SWITCH_UP) {
			rc = load_cdat(t, &fns[i]);
			if (rc)
				goto out;
		}
	}
	if (t->json) {
		out = json_object_new_object();
		pa = json_object_new_array();
		json_object_object_add(out, "device", json_object_new_string(ep.name));
		for (int i = 0; i < n; i++)
			json_object_array_add(pa, json_object_new_string(fns[i].dev.name));
		json_object_object_add(out, "path", pa);
		ranges = json_object_new_array();
		json_object_object_add(out, "ranges", ranges);
	} else {
		printf("%s: performance from root port %s\n", ep.name, fns[n - 1].dev.name);
	}
	for (size_t i = 0; i < fns[0].cdat->n_structs; i++) {
		const struct cdat_struct *s = &fns[0].cdat->structs[i];

		if (s->type != CDAT_DSMAS || !s->decoded)
			continue;
		rc = report_range(t, fns, n, &s->u.dsmas, ranges);
		if (rc)
			goto out;
		nranges++;
	}
	if (nranges == 0)
		rc = doe_err(t->ctx, -ENOENT, "%s: its CDAT has no DSMAS range", ep.name);
	else if (t->json)
		tool_print_json(out);
out:
	json_object_put(out);
	for (int i = 0; i < PATH_MAX_FNS; i++) {
		cdat_table_free(fns[i].cdat);
		if (!fns[i].dev.emulated)
			dev_close(&fns[i].dev);
		else
			doe_cfg_free(fns[i].dev.cfg);
	}
	dev_close(&ep);
	return rc ? tool_fail(t, rc, NULL) : EXIT_OK;
}
