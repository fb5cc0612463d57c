// SPDX-License-Identifier: MIT
/*
 * The emulator's mailbox model as a driver sees it, register by register
 * (PCIe §6.30.2, §7.9.24), and the topology profiles.
 */
#include <stdlib.h>

#include <doekit/cfg.h>
#include <doekit/ctx.h>
#include <doekit/discovery.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include <doekit/pci.h>
#include "internal.h"
#include "t.h"

static struct doe_ctx *ctx;

struct fx {
	struct emu_fn *fn;
	struct emu_mb *emb;
	struct doe_cfg *cfg;
	uint16_t base;
};

static int fx_open(struct fx *f, bool irq)
{
	struct emu_fn_info info = { .bdf = { 0, 0x0d, 0, 0 }, .port_type = EMU_PCIE_ENDPOINT };

	memset(f, 0, sizeof(*f));
	if (emu_fn_new(ctx, &info, &f->fn) || emu_fn_add_doe(f->fn, 2, irq, &f->emb) ||
	    emu_fn_cfg_open(f->fn, &f->cfg))
		return -1;
	f->base = emu_mb_offset(f->emb);
	return 0;
}

static void fx_close(struct fx *f)
{
	doe_cfg_free(f->cfg);
	emu_fn_free(f->fn);
}

#define FX_OPEN(f, irq)                                  \
	do {                                             \
		if (fx_open(f, irq)) {                   \
			T_FAIL_("%s", "fixture");        \
			fx_close(f);                     \
			return;                          \
		}                                        \
	} while (0)

static uint32_t rd(struct fx *f, uint16_t reg)
{
	uint32_t v = 0xDEADBEEF;

	doe_cfg_read32(f->cfg, (uint16_t)(f->base + reg), &v);
	return v;
}

static void wr(struct fx *f, uint16_t reg, uint32_t v)
{
	doe_cfg_write32(f->cfg, (uint16_t)(f->base + reg), v);
}

/* Discovery request for index: three DWs and Go */
static void send_discovery(struct fx *f, uint8_t index)
{
	wr(f, DOE_REG_WRITE, DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY));
	wr(f, DOE_REG_WRITE, 3);
	wr(f, DOE_REG_WRITE, index);
	wr(f, DOE_REG_CTRL, DOE_CTRL_GO);
}

static uint64_t requests(struct fx *f)
{
	struct emu_mb_stats st;

	emu_mb_stats(f->emb, &st);
	return st.requests;
}

static void t_idle_registers(void)
{
	uint32_t hdr = 0;
	struct fx f;

	FX_OPEN(&f, false);
	T_EQ(f.base, 0x100);
	doe_cfg_read32(f.cfg, f.base, &hdr);
	T_EQ(DOE_EXT_CAP_ID(hdr), DOE_EXT_CAP_ID_DOE);
	T_EQ(DOE_EXT_CAP_VER(hdr), 2);
	T_EQ(rd(&f, DOE_REG_CAP), 0);
	T_EQ(rd(&f, DOE_REG_STATUS), 0);
	T_EQ(rd(&f, DOE_REG_CTRL), 0);
	T_EQ(rd(&f, DOE_REG_READ), 0);	/* nothing to read: 0 */
	fx_close(&f);
}

static void t_go_without_request_sets_error(void)
{
	struct fx f;

	FX_OPEN(&f, false);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR);
	T_EQ(requests(&f), 0);
	/* a one-DW request is no object either */
	wr(&f, DOE_REG_CTRL, DOE_CTRL_ABORT);
	wr(&f, DOE_REG_WRITE, DOE_HDR1(DOE_VENDOR_PCISIG, 0));
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR);
	fx_close(&f);
}

static void t_abort_clears(void)
{
	struct emu_mb_stats st;
	struct fx f;

	FX_OPEN(&f, false);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_ABORT);
	T_EQ(rd(&f, DOE_REG_STATUS), 0);
	/* Abort also throws away a response not yet read */
	send_discovery(&f, 0);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_ABORT);
	T_EQ(rd(&f, DOE_REG_STATUS), 0);
	T_EQ(rd(&f, DOE_REG_READ), 0);
	/* and a half-written request: the next one starts afresh */
	wr(&f, DOE_REG_WRITE, 0x12345678);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_ABORT);
	send_discovery(&f, 0);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY);
	emu_mb_stats(f.emb, &st);
	T_EQ(st.aborts, 3);
	fx_close(&f);
}

/* Each write to Read Data Mailbox pops one DW; Data Object Ready clears
 * after the last one. */
static void t_pop_and_dor(void)
{
	struct fx f;

	FX_OPEN(&f, false);
	T_EQ(emu_mb_add_protocol(f.emb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, NULL, NULL), 0);
	send_discovery(&f, 0);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY);
	T_EQ(rd(&f, DOE_REG_READ), DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY));
	T_EQ(rd(&f, DOE_REG_READ), DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY)); /* no pop */
	wr(&f, DOE_REG_READ, 0);
	T_EQ(rd(&f, DOE_REG_READ), 3);		/* Length: 3 DW */
	wr(&f, DOE_REG_READ, 0);
	/* Discovery entry 0: itself, next index 1 */
	T_EQ(rd(&f, DOE_REG_READ), DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY) | 1u << 24);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY);
	wr(&f, DOE_REG_READ, 0);
	T_EQ(rd(&f, DOE_REG_STATUS), 0);
	T_EQ(rd(&f, DOE_REG_READ), 0);
	wr(&f, DOE_REG_READ, 0);		/* a pop with nothing there is harmless */
	T_EQ(rd(&f, DOE_REG_STATUS), 0);

	send_discovery(&f, 1);
	wr(&f, DOE_REG_READ, 0);
	wr(&f, DOE_REG_READ, 0);
	T_EQ(rd(&f, DOE_REG_READ), DOE_HDR1(DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS));
	fx_close(&f);
}

/* Go while a response is waiting is ignored, and so are request writes:
 * the response is still the first one. */
static void t_go_while_dor_ignored(void)
{
	struct fx f;

	FX_OPEN(&f, false);
	T_EQ(emu_mb_add_protocol(f.emb, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, NULL, NULL), 0);
	send_discovery(&f, 0);
	T_EQ(requests(&f), 1);
	send_discovery(&f, 1);
	T_EQ(requests(&f), 1);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY);
	wr(&f, DOE_REG_READ, 0);
	wr(&f, DOE_REG_READ, 0);
	T_EQ(rd(&f, DOE_REG_READ) >> 24, 1);	/* entry 0's next index */
	wr(&f, DOE_REG_READ, 0);
	T_EQ(rd(&f, DOE_REG_STATUS), 0);
	/* the writes made while it waited did not leak into the next request */
	send_discovery(&f, 1);
	T_EQ(requests(&f), 2);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY);
	fx_close(&f);
}

/* The Length field must match the DWs written; a mismatch sets Error. */
static void t_length_mismatch(void)
{
	struct fx f;

	FX_OPEN(&f, false);
	wr(&f, DOE_REG_WRITE, DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY));
	wr(&f, DOE_REG_WRITE, 5);
	wr(&f, DOE_REG_WRITE, 0);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR);
	/* an index past the list */
	wr(&f, DOE_REG_CTRL, DOE_CTRL_ABORT);
	send_discovery(&f, 1);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR);
	fx_close(&f);
}

/* A placeholder protocol (NULL handler) is listed, but using it sets Error. */
static void t_placeholder_sets_error(void)
{
	struct fx f;

	FX_OPEN(&f, false);
	T_EQ(emu_mb_add_protocol(f.emb, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, NULL, NULL), 0);
	wr(&f, DOE_REG_WRITE, DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_CMA));
	wr(&f, DOE_REG_WRITE, 2);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR);
	fx_close(&f);
}

static void t_protocol_table_full(void)
{
	struct fx f;
	int added = 0;

	FX_OPEN(&f, false);
	while (emu_mb_add_protocol(f.emb, 0x8086, (uint8_t)(added + 1), NULL, NULL) == 0)
		added++;
	T_EQ(added, 15);	/* 15 fit beside Discovery */
	T_EQ(emu_mb_add_protocol(f.emb, 0x8086, 0xFF, NULL, NULL), -ENOSPC);
	/* replacing an existing one still works */
	T_EQ(emu_mb_add_protocol(f.emb, 0x8086, 1, NULL, NULL), 0);
	fx_close(&f);
}

/* Interrupt Status: set on Data Object Ready or Error when Interrupt
 * Enable is set, and cleared by writing 1 (RW1C). */
static void t_interrupt_status(void)
{
	struct fx f;

	FX_OPEN(&f, true);
	T_EQ(rd(&f, DOE_REG_CAP), DOE_CAP_INT_SUPPORT);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_INT_EN);
	T_EQ(rd(&f, DOE_REG_CTRL), DOE_CTRL_INT_EN);
	wr(&f, DOE_REG_WRITE, DOE_HDR1(DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY));
	wr(&f, DOE_REG_WRITE, 3);
	wr(&f, DOE_REG_WRITE, 0);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO | DOE_CTRL_INT_EN);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY | DOE_STATUS_INT_STATUS);
	wr(&f, DOE_REG_STATUS, 0);		/* writing 0 changes nothing */
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY | DOE_STATUS_INT_STATUS);
	wr(&f, DOE_REG_STATUS, DOE_STATUS_INT_STATUS);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_DATA_OBJECT_READY);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_ABORT | DOE_CTRL_INT_EN);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO | DOE_CTRL_INT_EN);	/* no request: Error */
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR | DOE_STATUS_INT_STATUS);
	fx_close(&f);

	/* without Interrupt Support nothing is raised, enabled or not */
	FX_OPEN(&f, false);
	wr(&f, DOE_REG_CTRL, DOE_CTRL_GO | DOE_CTRL_INT_EN);
	T_EQ(rd(&f, DOE_REG_STATUS), DOE_STATUS_ERROR);
	fx_close(&f);
}

/* Only the DOE registers are writable; the rest of config space is not. */
static void t_config_read_only(void)
{
	uint32_t before = 0, after = 1;
	struct fx f;

	FX_OPEN(&f, false);
	doe_cfg_read32(f.cfg, 0, &before);
	doe_cfg_write32(f.cfg, 0, 0x11112222);
	doe_cfg_read32(f.cfg, 0, &after);
	T_EQ(after, before);
	doe_cfg_read32(f.cfg, f.base, &before);
	doe_cfg_write32(f.cfg, f.base, 0);
	doe_cfg_read32(f.cfg, f.base, &after);
	T_EQ(after, before);
	fx_close(&f);
}

/* ---- topologies ---- */

static void t_profiles_build(void)
{
	T_EQ(emu_profile_count(), 6);
	for (size_t i = 0; i < emu_profile_count(); i++) {
		const struct emu_profile_desc *d = emu_profile_get(i);
		struct emu_topo *topo = NULL;
		size_t mailboxes = 0;

		t_case_name = d->name;
		T_TRUE(d->summary && *d->summary);
		T_EQ(emu_topo_new(ctx, d->name, &topo), 0);
		if (!topo)
			continue;
		T_STREQ(emu_topo_profile(topo), d->name);
		T_TRUE(emu_topo_count(topo) > 0);
		for (size_t k = 0; k < emu_topo_count(topo); k++) {
			struct emu_fn *fn = emu_topo_fn(topo, k);

			mailboxes += emu_fn_mailbox_count(fn);
			if (k > 0) {	/* BDF order */
				const struct doe_bdf *a = &emu_fn_info(emu_topo_fn(topo, k - 1))->bdf;
				const struct doe_bdf *b = &emu_fn_info(fn)->bdf;

				T_TRUE(a->domain < b->domain ||
				       (a->domain == b->domain &&
					(a->bus < b->bus || (a->bus == b->bus && (a->dev << 3 | a->fn) <
								      (b->dev << 3 | b->fn)))));
			}
		}
		T_TRUE(mailboxes > 0);
		T_TRUE(emu_topo_fn(topo, emu_topo_count(topo)) == NULL);
		emu_topo_free(topo);
	}
	T_TRUE(emu_profile_get(emu_profile_count()) == NULL);
}

/* emu:fleet[:N]: N endpoints behind 32-port switches, 7 per domain, all
 * under one vendor CA; sizes parsed strictly. */
static void t_fleet(void)
{
	static const char *const bad[] = { "fleet:", "fleet:0", "fleet:01", "fleet:8193",
					   "fleet:12345", "fleet:1x", "fleet:-1", "fleetx",
					   "fleet: 5" };
	struct emu_topo *topo = NULL;
	const uint8_t *r1, *r2;
	size_t l1, l2, eps = 0, cma = 0;
	struct doe_bdf last = { 4, 0xDD, 0, 0 }, b;

	T_EQ(emu_topo_new(ctx, "fleet", &topo), 0);
	if (!topo)
		return;
	T_STREQ(emu_topo_profile(topo), "fleet");
	for (size_t k = 0; k < emu_topo_count(topo); k++) {
		struct emu_fn *fn = emu_topo_fn(topo, k);

		eps += emu_fn_info(fn)->port_type == EMU_PCIE_ENDPOINT;
		cma += emu_fn_has_spdm(fn);
	}
	T_EQ(eps, 1000);
	T_EQ(cma, 1000 + 32);	/* and each switch's upstream port */
	/* the last endpoint: switch 31 is domain 4's 4th (slot 3): bus 1 + 3 * 34,
	 * its ports' buses start 2 higher; 1000 = 31 * 32 + 8: port 7 */
	last.bus = 1 + 3 * 34 + 2 + 7;
	T_TRUE(emu_topo_find(topo, &last) != NULL);
	T_EQ(emu_fn_info(emu_topo_fn(topo, emu_topo_count(topo) - 1))->bdf.bus, last.bus);
	b = last;
	b.bus++;
	T_TRUE(emu_topo_find(topo, &b) == NULL);
	T_TRUE(emu_topo_parent(topo, emu_topo_find(topo, &last)) != NULL);
	/* one vendor CA: two devices share a root, not a leaf */
	T_EQ(emu_fn_spdm_root(emu_topo_find(topo, &last), &r1, &l1), 0);
	b = (struct doe_bdf){ 0, 3, 0, 0 };
	T_EQ(emu_fn_spdm_root(emu_topo_find(topo, &b), &r2, &l2), 0);
	T_TRUE(l1 == l2 && !memcmp(r1, r2, l1));
	emu_topo_free(topo);

	T_EQ(emu_topo_new(ctx, "fleet:5", &topo), 0);
	if (topo) {
		T_STREQ(emu_topo_profile(topo), "fleet:5");
		T_EQ(emu_topo_count(topo), 2 + 5 * 2);
		emu_topo_free(topo);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		topo = NULL;
		T_EQ(emu_topo_new(ctx, bad[i], &topo), -EINVAL);
		T_TRUE(topo == NULL);
	}
}

static void t_default_profile(void)
{
	struct emu_topo *topo = NULL;

	T_EQ(emu_topo_new(ctx, NULL, &topo), 0);
	if (!topo)
		return;
	T_STREQ(emu_topo_profile(topo), EMU_DEFAULT_PROFILE);
	/* host bridge, 2 root ports, switch up + 2 down, 2 type 3, 3 functions */
	T_EQ(emu_topo_count(topo), 11);
	emu_topo_free(topo);
	T_EQ(emu_topo_new(ctx, "", &topo), 0);
	T_STREQ(emu_topo_profile(topo), "cxl-switch");
	emu_topo_free(topo);
}

static void t_unknown_profile(void)
{
	struct emu_topo *topo = NULL;

	T_EQ(emu_topo_new(ctx, "no-such-profile", &topo), -ENOENT);
	T_CONTAINS(doe_ctx_errmsg(ctx), "unknown emulator profile 'no-such-profile'");
	T_TRUE(topo == NULL);
}

static struct emu_fn *find(struct emu_topo *topo, const char *bdf)
{
	struct doe_bdf b;

	if (doe_bdf_parse(bdf, &b))
		return NULL;
	return emu_topo_find(topo, &b);
}

static void t_find_and_parent(void)
{
	struct emu_topo *topo = NULL;
	struct emu_fn *ep, *dsp, *usp, *rp;

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	if (!topo)
		return;
	ep = find(topo, "0000:0f:00.0");
	dsp = find(topo, "0000:0e:00.0");
	usp = find(topo, "0000:0d:00.0");
	rp = find(topo, "0000:00:01.0");
	T_TRUE(ep && dsp && usp && rp);
	T_EQ(emu_fn_info(ep)->port_type, EMU_PCIE_ENDPOINT);
	T_EQ(emu_fn_info(usp)->port_type, EMU_PCIE_SWITCH_UP);
	T_TRUE(emu_topo_parent(topo, ep) == dsp);
	T_TRUE(emu_topo_parent(topo, dsp) == usp);
	T_TRUE(emu_topo_parent(topo, usp) == rp);
	T_TRUE(emu_topo_parent(topo, rp) == NULL);
	T_TRUE(emu_topo_parent(topo, find(topo, "0000:10:00.0")) == find(topo, "0000:0e:01.0"));
	T_TRUE(emu_topo_parent(topo, find(topo, "0000:20:00.2")) == find(topo, "0000:00:02.0"));
	T_TRUE(find(topo, "0000:99:00.0") == NULL);
	/* the type 3 device: CDAT on the first mailbox, CMA on a second,
	 * version 2 with interrupts */
	T_EQ(emu_fn_mailbox_count(ep), 2);
	T_TRUE(emu_fn_mailbox(ep, 2) == NULL);
	emu_topo_free(topo);
}

static uint32_t cfg_rd(struct emu_fn *fn, uint16_t off)
{
	struct doe_cfg *cfg = NULL;
	uint32_t v = 0;

	T_EQ(emu_fn_cfg_open(fn, &cfg), 0);
	if (cfg)
		T_EQ(doe_cfg_read32(cfg, off, &v), 0);
	doe_cfg_free(cfg);
	return v;
}

/* A port whose link is down hides everything below it, and only that:
 * Link Disable written through config space, or a hold (PERST#, unbound
 * vPPB) set by the emulator; holds stack. */
static void t_link_holds(void)
{
	struct emu_topo *topo = NULL;
	struct emu_fn *ep, *dsp, *usp, *rp, *other;
	struct doe_cfg *cfg = NULL;

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	if (!topo)
		return;
	ep = find(topo, "0000:0f:00.0");
	dsp = find(topo, "0000:0e:00.0");
	usp = find(topo, "0000:0d:00.0");
	rp = find(topo, "0000:00:01.0");
	other = find(topo, "0000:10:00.0");
	T_TRUE(emu_fn_present(ep) && emu_fn_present(other));
	T_EQ(cfg_rd(ep, 0), 0x0D938086u);
	/* Data Link Layer Link Active while up */
	T_EQ(cfg_rd(dsp, 0x50) >> 16 & 0x2000u, 0x2000u);

	T_EQ(emu_fn_link_hold(dsp, EMU_LINK_UNBOUND, true), 0);
	T_TRUE(!emu_fn_present(ep));
	T_TRUE(emu_fn_present(dsp) && emu_fn_present(other));
	T_EQ(cfg_rd(ep, 0), 0xFFFFFFFFu);
	T_EQ(cfg_rd(dsp, 0x50) >> 16 & 0x2000u, 0);
	T_EQ(emu_fn_link_hold(dsp, EMU_LINK_PERST, true), 0);
	T_EQ(emu_fn_link_hold(dsp, EMU_LINK_UNBOUND, false), 0);
	T_TRUE(!emu_fn_present(ep));	/* PERST# still held */
	T_EQ(emu_fn_link_hold(dsp, EMU_LINK_PERST, false), 0);
	T_TRUE(emu_fn_present(ep));

	/* Link Disable through the root port's Link Control: the whole switch goes */
	T_EQ(emu_fn_cfg_open(rp, &cfg), 0);
	if (cfg) {
		T_EQ(doe_cfg_write32(cfg, 0x50, 0x10), 0);
		T_EQ(emu_fn_link_holds(rp), EMU_LINK_DISABLED);
		T_TRUE(!emu_fn_present(usp) && !emu_fn_present(dsp) && !emu_fn_present(ep));
		T_EQ(cfg_rd(rp, 0x50) & 0x10u, 0x10u);
		T_EQ(doe_cfg_write32(cfg, 0x50, 0), 0);
		T_TRUE(emu_fn_present(usp) && emu_fn_present(ep));
	}
	doe_cfg_free(cfg);
	/* endpoints and upstream ports have no link to hold */
	T_EQ(emu_fn_link_hold(ep, EMU_LINK_DISABLED, true), -EINVAL);
	T_EQ(emu_fn_link_hold(usp, EMU_LINK_DISABLED, true), -EINVAL);
	T_EQ(emu_fn_link_hold(dsp, 0x80, true), -EINVAL);
	emu_topo_free(topo);
}

/* The faulty profile's broken devices misbehave as documented. */
static void t_faulty_profile(void)
{
	struct emu_topo *topo = NULL;
	struct doe_cfg *cfg = NULL;
	uint16_t offs[4];

	T_EQ(emu_topo_new(ctx, "faulty", &topo), 0);
	if (!topo)
		return;
	T_EQ(emu_fn_cfg_open(find(topo, "0000:0e:00.0"), &cfg), 0);
	T_EQ(doe_extcap_find(cfg, DOE_EXT_CAP_ID_DOE, offs, 4), -ELOOP);
	T_CONTAINS(doe_ctx_errmsg(ctx), "0000:0e:00.0: extended capability list loops back to 0x100");
	doe_cfg_free(cfg);
	T_EQ(emu_fn_cfg_open(find(topo, "0000:0f:00.0"), &cfg), 0);
	T_EQ(doe_extcap_find(cfg, DOE_EXT_CAP_ID_DOE, offs, 4), 2);
	doe_cfg_free(cfg);
	emu_topo_free(topo);
}

static void t_fault_names(void)
{
	for (int k = 0; k < EMU_FAULT_KIND_COUNT; k++) {
		const char *name = emu_fault_name((enum emu_fault_kind)k);
		enum emu_fault_kind back = EMU_FAULT_NONE;

		T_TRUE(name && strcmp(name, "?"));
		T_EQ(emu_fault_parse(name, &back), 0);
		T_EQ(back, k);
	}
	T_STREQ(emu_fault_name(EMU_FAULT_STUCK_BUSY), "stuck-busy");
	T_STREQ(emu_fault_name(EMU_FAULT_ABORT_IGNORED), "abort-ignored");
	T_STREQ(emu_fault_name((enum emu_fault_kind)EMU_FAULT_KIND_COUNT), "?");
	{
		enum emu_fault_kind k = EMU_FAULT_ERROR;

		T_EQ(emu_fault_parse("bogus", &k), -EINVAL);
		T_EQ(emu_fault_parse(NULL, &k), -EINVAL);
		T_EQ(k, EMU_FAULT_ERROR);
	}
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_idle_registers);
	T_RUN(t_go_without_request_sets_error);
	T_RUN(t_abort_clears);
	T_RUN(t_pop_and_dor);
	T_RUN(t_go_while_dor_ignored);
	T_RUN(t_length_mismatch);
	T_RUN(t_placeholder_sets_error);
	T_RUN(t_protocol_table_full);
	T_RUN(t_interrupt_status);
	T_RUN(t_config_read_only);
	T_RUN(t_profiles_build);
	T_RUN(t_default_profile);
	T_RUN(t_unknown_profile);
	T_RUN(t_find_and_parent);
	T_RUN(t_link_holds);
	T_RUN(t_fleet);
	T_RUN(t_faulty_profile);
	T_RUN(t_fault_names);
	doe_ctx_free(ctx);
	return T_DONE();
}
