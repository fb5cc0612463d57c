// SPDX-License-Identifier: MIT
/*
 * Named emulated topologies. Each profile is a small tree of functions
 * with DOE mailboxes where the specs put them: CMA/SPDM on ports and
 * endpoints (PCIe §6.31), CDAT Table Access on switch upstream ports and
 * CXL endpoints (CXL §8.1.11), Discovery on every mailbox.
 *
 * CDAT mailboxes serve the built-in tables of emu/cdat.c (a type 3 memory
 * device; a switch upstream port with SSLBIS for its downstream ports, which
 * carry PCIe Port Numbers). Handlers that later work plugs in (SPDM) are
 * registered here as placeholders: Discovery lists them; a request sets
 * Error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/discovery.h>
#include <doekit/doe.h>
#include <doekit/spdm.h>
#include "emu_internal.h"
#include "fm_switch.h"
#include "internal.h"

/* emu:fleet:N bounds: 7 switches of 32 endpoints per PCI domain */
#define FLEET_DEFAULT 1000u
#define FLEET_MAX 8192u

struct emu_topo {
	struct doe_ctx *ctx;
	const char *profile;
	char name[32];			/* "fleet:N" and the like */
	struct emu_fn **fns;
	int *parent;			/* index into fns, -1 at the top */
	size_t n, cap;
	struct spdm_identity *ca;	/* fleet: the vendor CA every device's leaf is under */
	size_t fleet;			/* fleet: endpoints */
	struct emu_fmsw *fmsw;		/* cxl-switch: the switch's FM-API model */
	struct emu_mctp_net *mctp;	/* the MCTP endpoints, NULL: none */
};

/* Which protocols a mailbox carries, beyond Discovery */
enum mb_kind { MB_CMA, MB_CMA_SECURED, MB_CDAT, MB_CDAT_CMA };

/* QEMU's CXL models use these IDs; we mirror them so output looks familiar */
#define VID_INTEL 0x8086u
#define VID_HUAWEI 0x19E5u
#define CLASS_PCI_BRIDGE 0x060400u
#define CLASS_CXL_MEM 0x050210u	/* memory controller, CXL, CXL.mem */
#define EXT_CAP_AER 0x0001u
#define EXT_CAP_DVSEC 0x0023u

static int add_mailbox(struct emu_fn *fn, enum mb_kind kind, uint8_t ver, bool irq,
		       struct emu_mb **out)
{
	struct emu_mb *mb;
	int rc = emu_fn_add_doe(fn, ver, irq, &mb);

	if (rc)
		return rc;
	if (kind == MB_CDAT || kind == MB_CDAT_CMA)
		rc = emu_mb_add_protocol(mb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, NULL, NULL);
	if (!rc && (kind == MB_CMA || kind == MB_CMA_SECURED || kind == MB_CDAT_CMA))
		rc = emu_spdm_attach(fn, mb);
	/* emu_spdm_attach() serves secured CMA (type 2) on every CMA mailbox */
	if (out)
		*out = mb;
	return rc;
}

static int add_fn(struct emu_topo *t, int parent, const struct emu_fn_info *info,
		  struct emu_fn **out)
{
	int rc;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct emu_fn **f = realloc(t->fns, cap * sizeof(*f));
		int *p;

		if (!f)
			return -ENOMEM;
		t->fns = f;
		p = realloc(t->parent, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->parent = p;
		t->cap = cap;
	}
	rc = emu_fn_new(t->ctx, info, &t->fns[t->n]);
	if (rc < 0)	/* callers TRY() this and then use *out: set it on every other path */
		return rc;
	t->parent[t->n] = parent;
	emu_fn_set_parent(t->fns[t->n], parent < 0 ? NULL : t->fns[parent]);
	*out = t->fns[t->n++];
	return 0;
}

static struct emu_fn_info fn_info(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vid, uint16_t did,
				  uint32_t class_code, enum emu_port_type pt, const char *label)
{
	struct emu_fn_info i = {
		.bdf = { 0, bus, dev, fn },
		.vendor_id = vid,
		.device_id = did,
		.class_code = class_code,
		.port_type = pt,
		.link_speed = 5,	/* 32 GT/s */
		.link_width = 16,
		.label = label,
	};
	return i;
}

/* Root port with CMA, AER and a CXL DVSEC ahead of the DOE capability, so the
 * walk has to follow real next pointers. Returns its index. */
static int root_port(struct emu_topo *t, uint8_t dev, int *idx)
{
	struct emu_fn_info i = fn_info(0, dev, 0, VID_INTEL, 0x7075, CLASS_PCI_BRIDGE,
				       EMU_PCIE_ROOT_PORT, "CXL root port");
	struct emu_fn *fn;

	i.port_number = dev;

	TRY(add_fn(t, -1, &i, &fn));
	TRY(emu_fn_add_extcap(fn, EXT_CAP_AER, 2, 0x48));
	TRY(emu_fn_add_extcap(fn, EXT_CAP_DVSEC, 1, 0x3C));
	TRY(add_mailbox(fn, MB_CMA, 1, false, NULL));
	TRY(emu_fn_add_ide(fn));
	*idx = (int)t->n - 1;
	return 0;
}

/* Serves a malloc'd table on fn's Table Access mailbox and frees it. */
static int serve_cdat(struct emu_fn *fn, int built, uint8_t *table, size_t len)
{
	int rc = built < 0 ? built : emu_fn_set_cdat(fn, table, len);

	if (built == 0)
		free(table);
	return rc;
}

/* The switch's CDAT has an SSLBIS entry per downstream port number. */
static int cxl_switch_upstream(struct emu_topo *t, int parent, uint8_t bus,
			       const uint8_t *dsp_ports, size_t n, int *idx)
{
	struct emu_fn_info i = fn_info(bus, 0, 0, VID_HUAWEI, 0xA128, CLASS_PCI_BRIDGE,
				       EMU_PCIE_SWITCH_UP, "CXL switch upstream port");
	struct emu_fn *fn;
	uint8_t *table = NULL;
	size_t len = 0;
	int built;

	TRY(add_fn(t, parent, &i, &fn));
	TRY(emu_fn_add_extcap(fn, EXT_CAP_DVSEC, 1, 0x3C));
	TRY(add_mailbox(fn, MB_CDAT, 1, false, NULL));
	TRY(add_mailbox(fn, MB_CMA, 1, false, NULL));
	/* before the downstream ports': its IDE_KM answers for them too */
	TRY(emu_fn_add_ide(fn));
	built = emu_cdat_switch_table(t->ctx, dsp_ports, n, &table, &len);
	TRY(serve_cdat(fn, built, table, len));
	*idx = (int)t->n - 1;
	return 0;
}

static int cxl_switch_downstream(struct emu_topo *t, int parent, uint8_t bus, uint8_t dev,
				 uint8_t port_number, int *idx)
{
	struct emu_fn_info i = fn_info(bus, dev, 0, VID_HUAWEI, 0xA129, CLASS_PCI_BRIDGE,
				       EMU_PCIE_SWITCH_DOWN, "CXL switch downstream port");
	struct emu_fn *fn;

	i.port_number = port_number;
	TRY(add_fn(t, parent, &i, &fn));
	TRY(emu_fn_add_extcap(fn, EXT_CAP_DVSEC, 1, 0x3C));
	TRY(add_mailbox(fn, MB_CMA, 1, false, NULL));
	TRY(emu_fn_add_ide(fn));
	*idx = (int)t->n - 1;
	return 0;
}

/* CXL type 3 memory device: CDAT on one mailbox (as QEMU's model does) and
 * CMA plus secured CMA on a second, version 2 mailbox with interrupts. */
static int cxl_type3(struct emu_topo *t, int parent, uint8_t bus, struct emu_fn **out);

/* The switch as a fabric manager sees it over MCTP: the same functions. */
static int cxl_switch_fm(struct emu_topo *t, int usp, const int *dsp, struct emu_fn *const *dev,
			 size_t n)
{
	struct emu_fn *dsps[EMU_FMSW_MAX_VPPBS];

	for (size_t i = 0; i < n; i++)
		dsps[i] = t->fns[dsp[i]];
	TRY(emu_fmsw_new(t->ctx, t->fns[usp], dsps, dev, n, &t->fmsw));
	/* the switch's SPDM identity over MCTP is its upstream port's */
	return emu_mctp_net_add(&t->mctp, t->ctx, EMU_MCTP_SWITCH_EID, t->fmsw, t->fns[usp]);
}

static int cxl_type3(struct emu_topo *t, int parent, uint8_t bus, struct emu_fn **out)
{
	struct emu_fn_info i = fn_info(bus, 0, 0, VID_INTEL, 0x0D93, CLASS_CXL_MEM,
				       EMU_PCIE_ENDPOINT, "CXL type 3 memory device");
	struct emu_fn *fn;
	uint8_t *table = NULL;
	size_t len = 0;
	int built;

	i.link_width = 8;
	TRY(add_fn(t, parent, &i, &fn));
	TRY(emu_fn_add_extcap(fn, EXT_CAP_AER, 2, 0x48));
	TRY(emu_fn_add_extcap(fn, EXT_CAP_DVSEC, 1, 0x3C));
	TRY(add_mailbox(fn, MB_CDAT, 1, false, NULL));
	TRY(add_mailbox(fn, MB_CMA_SECURED, 2, true, NULL));
	TRY(emu_fn_add_ide(fn));
	built = emu_cdat_type3_table(t->ctx, &table, &len);
	TRY(serve_cdat(fn, built, table, len));
	if (out)
		*out = fn;
	return 0;
}

/* A three-function device: functions 0 and 1 carry CMA, function 2 none. */
static int multi_function(struct emu_topo *t, int parent, uint8_t bus)
{
	static const char *const labels[] = { "NVMe controller (function 0)",
					      "NVMe controller (function 1)",
					      "Ethernet controller (no DOE)" };
	static const uint32_t classes[] = { 0x010802, 0x010802, 0x020000 };

	for (uint8_t f = 0; f < 3; f++) {
		struct emu_fn_info i = fn_info(bus, 0, f, 0x1B36, (uint16_t)(0x0010 + f),
					       classes[f], EMU_PCIE_ENDPOINT, labels[f]);
		struct emu_fn *fn;

		i.multi_function = true;
		i.link_speed = 4;
		i.link_width = 4;
		TRY(add_fn(t, parent, &i, &fn));
		TRY(emu_fn_add_extcap(fn, EXT_CAP_AER, 2, 0x48));
		if (f < 2)
			TRY(add_mailbox(fn, MB_CMA_SECURED, 2, false, NULL));
	}
	return 0;
}

static int host_bridge(struct emu_topo *t)
{
	struct emu_fn_info i = fn_info(0, 0, 0, VID_INTEL, 0x29C0, 0x060000, EMU_PCIE_RCIEP,
				       "host bridge (no DOE)");
	struct emu_fn *fn;

	i.link_speed = 0;
	i.link_width = 0;
	return add_fn(t, -1, &i, &fn);
}

/* Downstream port numbers of the emulated switch (0e:00.0, 0e:01.0) */
static const uint8_t switch_ports[] = { 1, 2 };

static int build_cxl_switch(struct emu_topo *t)
{
	int rp, rp2, usp, dsp[2];
	struct emu_fn *dev[2];

	TRY(host_bridge(t));
	TRY(root_port(t, 1, &rp));
	TRY(root_port(t, 2, &rp2));
	TRY(cxl_switch_upstream(t, rp, 0x0d, switch_ports, ARRAY_SIZE(switch_ports), &usp));
	TRY(cxl_switch_downstream(t, usp, 0x0e, 0, switch_ports[0], &dsp[0]));
	TRY(cxl_switch_downstream(t, usp, 0x0e, 1, switch_ports[1], &dsp[1]));
	TRY(cxl_type3(t, dsp[0], 0x0f, &dev[0]));
	TRY(cxl_type3(t, dsp[1], 0x10, &dev[1]));
	TRY(cxl_switch_fm(t, usp, dsp, dev, 2));
	return multi_function(t, rp2, 0x20);
}

/* Switches below switches, as CXL allows: CASCADE_DEPTH switches of one
 * downstream port each, every port with CMA, a type 3 endpoint at the
 * bottom: 2 x CASCADE_DEPTH + 1 attested levels, a topology whose evidence
 * bundle nests far deeper than the usual tree. */
#define CASCADE_DEPTH 8u

static int build_cascade(struct emu_topo *t)
{
	static const uint8_t one_port[] = { 1 };
	int parent;

	TRY(root_port(t, 1, &parent));
	for (unsigned i = 0; i < CASCADE_DEPTH; i++) {
		uint8_t bus = (uint8_t)(1 + 2 * i);
		int usp;

		TRY(cxl_switch_upstream(t, parent, bus, one_port, 1, &usp));
		TRY(cxl_switch_downstream(t, usp, (uint8_t)(bus + 1), 0, one_port[0], &parent));
	}
	return cxl_type3(t, parent, (uint8_t)(1 + 2 * CASCADE_DEPTH), NULL);
}

static int build_direct(struct emu_topo *t)
{
	int rp;

	TRY(root_port(t, 1, &rp));
	return cxl_type3(t, rp, 0x0d, NULL);
}

static int build_multi_function(struct emu_topo *t)
{
	int rp;

	TRY(root_port(t, 2, &rp));
	return multi_function(t, rp, 0x20);
}

/* Broken Discovery: every answer names index 1 as next, so index 1 is
 * asked again and again. */
static int looping_discovery(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			     size_t rsp_cap, size_t *rsp_len)
{
	(void)priv;
	(void)req;
	(void)req_len;
	if (rsp_cap < 4)
		return -ENOSPC;
	doe_put_le32(rsp, DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_CMA) | 1u << 24);
	*rsp_len = 4;
	return 0;
}

/* Points the last extended capability back at the first. */
static void make_extcap_loop(struct emu_fn *fn)
{
	uint8_t *img = emu_fn_config_image(fn);
	uint32_t off = DOE_EXT_CAP_START, h = doe_get_le32(img + off);

	while (DOE_EXT_CAP_NEXT(h)) {
		off = DOE_EXT_CAP_NEXT(h);
		h = doe_get_le32(img + off);
	}
	doe_put_le32(img + off, (h & 0xFFFFFu) | DOE_EXT_CAP_START << 20);
}

/* The type 3 table with its checksum off by one. */
static int bad_checksum_cdat(struct emu_topo *t, struct emu_fn *fn)
{
	uint8_t *table = NULL;
	size_t len = 0;
	int built = emu_cdat_type3_table(t->ctx, &table, &len);

	if (built == 0)
		table[5] = (uint8_t)(table[5] + 1);	/* CDAT header Checksum */
	return serve_cdat(fn, built, table, len);
}

/*
 * Broken devices, for trying error paths from the command line:
 *  0d:00.0  mailboxes never answer (timeout)
 *  0e:00.0  extended capability list loops
 *  0f:00.0  Discovery on the second mailbox loops
 *  10:00.0  mailboxes answer with a Length field of 1 DW
 *  11:00.0  CDAT checksum is wrong (read works, validation fails)
 *  12:00.0  CDAT Table Access: entry handle 3 names handle 2 as next (loop)
 *  13:00.0  CDAT Table Access: the request for entry handle 3 is never
 *           answered (timeout mid-table)
 */
static int build_faulty(struct emu_topo *t)
{
	struct emu_fault never = { .kind = EMU_FAULT_NEVER_READY };
	struct emu_fault garbage = { .kind = EMU_FAULT_LEN_GARBAGE, .value = 1 };
	struct emu_fn *fn;
	int rp;

	TRY(root_port(t, 1, &rp));
	TRY(cxl_type3(t, rp, 0x0d, &fn));
	emu_mb_set_fault(emu_fn_mailbox(fn, 0), &never);
	emu_mb_set_fault(emu_fn_mailbox(fn, 1), &never);
	TRY(cxl_type3(t, rp, 0x0e, &fn));
	make_extcap_loop(fn);
	TRY(cxl_type3(t, rp, 0x0f, &fn));
	TRY(emu_mb_add_protocol(emu_fn_mailbox(fn, 1), DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY,
				looping_discovery, NULL));
	TRY(cxl_type3(t, rp, 0x10, &fn));
	emu_mb_set_fault(emu_fn_mailbox(fn, 0), &garbage);
	emu_mb_set_fault(emu_fn_mailbox(fn, 1), &garbage);
	TRY(cxl_type3(t, rp, 0x11, &fn));
	TRY(bad_checksum_cdat(t, fn));
	TRY(cxl_type3(t, rp, 0x12, &fn));
	TRY(emu_fn_set_cdat_fault(fn, EMU_CDAT_FAULT_HANDLE_LOOP, 3));
	TRY(cxl_type3(t, rp, 0x13, &fn));
	TRY(emu_fn_set_cdat_fault(fn, EMU_CDAT_FAULT_STALL, 3));
	return 0;
}

/*
 * emu:fleet[:N]: N CXL type 3 endpoints (ECDSA P-256 leaves, each its own
 * key and serial, all under one vendor CA made for the topology, ECDSA
 * P-256 throughout: a P-256 fleet's chains are P-256 too) behind
 * switches of 32 downstream ports, seven switches per PCI domain (a
 * domain's 256 buses hold 7 x 34). Root ports carry no mailbox; each
 * switch's upstream port has CMA (a switch to attest, whose subtree a
 * failure makes untrusted); downstream ports have none.
 */
#define FLEET_PORTS 32u
#define FLEET_SWITCHES_PER_DOMAIN 7u

static int fleet_endpoint(struct emu_topo *t, int parent, uint16_t dom, uint8_t bus, long serial)
{
	struct emu_fn_info i = fn_info(bus, 0, 0, VID_INTEL, 0x0D93, CLASS_CXL_MEM,
				       EMU_PCIE_ENDPOINT, "CXL type 3 memory device");
	struct emu_spdm_opts o = { .asym_algo = SPDM_ASYM_ECDSA_P256 };
	struct emu_fn *fn;

	i.bdf.domain = dom;
	i.link_width = 8;
	TRY(add_fn(t, parent, &i, &fn));
	TRY(add_mailbox(fn, MB_CMA_SECURED, 2, true, NULL));
	TRY(emu_fn_set_spdm(fn, &o));
	return emu_fn_set_spdm_issuer(fn, t->ca, serial);
}

static int build_fleet(struct emu_topo *t)
{
	size_t left = t->fleet;
	long serial = 0x1000;

	TRY(spdm_identity_new_ca(t->ctx, SPDM_ASYM_ECDSA_P256, &t->ca));
	for (unsigned sw = 0; left; sw++) {
		uint16_t dom = (uint16_t)(sw / FLEET_SWITCHES_PER_DOMAIN);
		unsigned slot = sw % FLEET_SWITCHES_PER_DOMAIN;
		uint8_t bus = (uint8_t)(1 + slot * (FLEET_PORTS + 2));
		struct emu_fn_info i = fn_info(0, (uint8_t)(slot + 1), 0, VID_INTEL, 0x7075,
					       CLASS_PCI_BRIDGE, EMU_PCIE_ROOT_PORT, "root port");
		struct emu_fn_info u = fn_info(bus, 0, 0, VID_HUAWEI, 0xA128, CLASS_PCI_BRIDGE,
					       EMU_PCIE_SWITCH_UP, "CXL switch upstream port");
		struct emu_spdm_opts o = { .asym_algo = SPDM_ASYM_ECDSA_P256 };
		struct emu_fn *fn;
		int rp, usp;

		i.bdf.domain = dom;
		i.port_number = (uint8_t)(slot + 1);
		TRY(add_fn(t, -1, &i, &fn));
		rp = (int)t->n - 1;
		u.bdf.domain = dom;
		TRY(add_fn(t, rp, &u, &fn));
		usp = (int)t->n - 1;
		TRY(add_mailbox(fn, MB_CMA, 1, false, NULL));
		TRY(emu_fn_set_spdm(fn, &o));
		TRY(emu_fn_set_spdm_issuer(fn, t->ca, serial++));
		for (unsigned port = 0; port < FLEET_PORTS && left; port++, left--) {
			struct emu_fn_info d = fn_info((uint8_t)(bus + 1), (uint8_t)port, 0, VID_HUAWEI,
						       0xA129, CLASS_PCI_BRIDGE,
						       EMU_PCIE_SWITCH_DOWN,
						       "CXL switch downstream port");

			d.bdf.domain = dom;
			d.port_number = (uint8_t)(port + 1);
			TRY(add_fn(t, usp, &d, &fn));
			TRY(fleet_endpoint(t, (int)t->n - 1, dom, (uint8_t)(bus + 2 + port),
					   serial++));
		}
	}
	return 0;
}

struct profile {
	struct emu_profile_desc desc;
	int (*build)(struct emu_topo *t);
};

static const struct profile profiles[] = {
	{ { "cxl-switch", "root ports, a CXL switch (1 upstream, 2 downstream ports), two CXL "
			  "type 3 endpoints, a multi-function device" }, build_cxl_switch },
	{ { "direct", "one CXL type 3 endpoint directly below a root port" }, build_direct },
	{ { "cascade", "8 CXL switches in a chain below one root port, every port with CMA, a "
		       "CXL type 3 endpoint at the bottom" }, build_cascade },
	{ { "multi-function", "a three-function device, two functions with DOE" },
	  build_multi_function },
	{ { "faulty", "devices that misbehave: timeout, capability loop, Discovery loop, "
		      "bad length, bad CDAT checksum, CDAT handle loop, CDAT stall" },
	  build_faulty },
	{ { "fleet", "fleet[:N]: N CXL type 3 endpoints (default 1000, ECDSA P-256, one vendor "
		     "CA) behind switches of 32 ports, for attestation at scale" }, build_fleet },
};

size_t emu_profile_count(void)
{
	return ARRAY_SIZE(profiles);
}

const struct emu_profile_desc *emu_profile_get(size_t i)
{
	return i < ARRAY_SIZE(profiles) ? &profiles[i].desc : NULL;
}

static uint64_t bdf_key(const struct emu_fn *fn)
{
	const struct doe_bdf *b = &emu_fn_info(fn)->bdf;

	return (uint64_t)b->domain << 16 | (uint64_t)b->bus << 8 | (uint64_t)b->dev << 3 | b->fn;
}

struct order {
	uint64_t key;
	size_t was;	/* index before sorting */
};

static int by_key(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Sorts functions by BDF, keeping parent links. */
static int sort_by_bdf(struct emu_topo *t)
{
	struct order *o = malloc(t->n * sizeof(*o) + 1);
	size_t *rank = malloc(t->n * sizeof(*rank) + 1);
	struct emu_fn **fns = malloc(t->n * sizeof(*fns) + 1);
	int *parent = malloc(t->n * sizeof(*parent) + 1);

	if (!o || !rank || !fns || !parent) {
		free(o);
		free(rank);
		free(fns);
		free(parent);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n; i++)
		o[i] = (struct order){ bdf_key(t->fns[i]), i };
	qsort(o, t->n, sizeof(*o), by_key);
	for (size_t k = 0; k < t->n; k++)
		rank[o[k].was] = k;
	for (size_t k = 0; k < t->n; k++) {
		int p = t->parent[o[k].was];

		fns[k] = t->fns[o[k].was];
		parent[k] = p < 0 ? -1 : (int)rank[p];
	}
	free(t->fns);
	free(t->parent);
	t->fns = fns;
	t->parent = parent;
	free(o);
	free(rank);
	return 0;
}

/* "fleet" or "fleet:N", N endpoints 1..FLEET_MAX, digits only */
static int fleet_size(const char *profile, size_t *n)
{
	const char *p;
	size_t v = 0;

	if (strncmp(profile, "fleet", 5))
		return 0;
	if (!profile[5]) {
		*n = FLEET_DEFAULT;
		return 1;
	}
	if (profile[5] != ':' || !profile[6] || strlen(profile + 6) > 4)
		return -1;
	for (p = profile + 6; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (v < 1 || v > FLEET_MAX || profile[6] == '0')
		return -1;
	*n = v;
	return 1;
}

int emu_topo_new(struct doe_ctx *ctx, const char *profile, struct emu_topo **out)
{
	const struct profile *p = NULL;
	struct emu_topo *t;
	size_t fleet = 0;
	int rc;

	if (!profile || !*profile)
		profile = EMU_DEFAULT_PROFILE;
	rc = fleet_size(profile, &fleet);
	if (rc < 0)
		return doe_err(ctx, -EINVAL, "emulator profile '%s': expected fleet:N with N "
			       "endpoints, 1-%u", profile, FLEET_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		if (!strcmp(profiles[i].desc.name, rc ? "fleet" : profile))
			p = &profiles[i];
	if (!p)
		return doe_err(ctx, -ENOENT,
			       "unknown emulator profile '%s' (see doe emulate --list-profiles)",
			       profile);
	t = calloc(1, sizeof(*t));
	if (!t)
		return doe_err(ctx, -ENOMEM, "out of memory");
	t->ctx = ctx;
	if (fleet && fleet != FLEET_DEFAULT)
		snprintf(t->name, sizeof(t->name), "fleet:%zu", fleet);
	else
		snprintf(t->name, sizeof(t->name), "%s", p->desc.name);
	t->profile = t->name;
	t->fleet = fleet;
	rc = p->build(t);
	if (rc == 0)
		rc = sort_by_bdf(t);
	if (rc) {
		emu_topo_free(t);
		return doe_err(ctx, rc, "building emulator profile '%s' failed", profile);
	}
	*out = t;
	return 0;
}

void emu_topo_free(struct emu_topo *t)
{
	if (!t)
		return;
	emu_mctp_net_free(t->mctp);
	emu_fmsw_free(t->fmsw);
	for (size_t i = 0; i < t->n; i++)
		emu_fn_free(t->fns[i]);
	free(t->fns);
	free(t->parent);
	spdm_identity_free(t->ca);	/* after the functions that borrowed it */
	free(t);
}

struct doe_ctx *emu_topo_ctx(const struct emu_topo *t)
{
	return t->ctx;
}

struct emu_fmsw *emu_topo_fmsw(const struct emu_topo *t)
{
	return t->fmsw;
}

struct emu_mctp_net *emu_topo_mctp(const struct emu_topo *t)
{
	return t->mctp;
}

const char *emu_topo_profile(const struct emu_topo *t)
{
	return t->profile;
}

size_t emu_topo_count(const struct emu_topo *t)
{
	return t->n;
}

struct emu_fn *emu_topo_fn(const struct emu_topo *t, size_t i)
{
	return i < t->n ? t->fns[i] : NULL;
}

/* functions are sorted by BDF: a binary search */
struct emu_fn *emu_topo_find(const struct emu_topo *t, const struct doe_bdf *bdf)
{
	uint64_t key = (uint64_t)bdf->domain << 16 | (uint64_t)bdf->bus << 8 |
		       (uint64_t)bdf->dev << 3 | bdf->fn;
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k = bdf_key(t->fns[mid]);

		if (k == key)
			return t->fns[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct emu_fn *emu_topo_parent(const struct emu_topo *t, const struct emu_fn *fn)
{
	(void)t;
	return emu_fn_parent(fn);
}
