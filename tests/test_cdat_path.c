// SPDX-License-Identifier: MIT
/*
 * Path performance (src/cdat/path.c) against hand-computed values, with the
 * rules of Linux drivers/cxl/core/cdat.c and drivers/cxl/core/pci.c.
 */
#include <errno.h>
#include <stdlib.h>

#include <doekit/cdat.h>
#include <doekit/emu.h>
#include "t.h"

static struct doe_ctx *ctx;

/*
 * Link figures by hand. Lane MB/s = Mb/s / 8 in integers (2500/8 = 312);
 * latency = 68 (256 at 64 GT/s) × 10^6 / lane MB/s, integer division:
 *   gen 1: 68000000 / 312  = 217948    gen 4: 68000000 / 2000 = 34000
 *   gen 2: 68000000 / 625  = 108800    gen 5: 68000000 / 4000 = 17000
 *   gen 3: 68000000 / 1000 = 68000     gen 6: 256000000 / 8000 = 32000
 * bandwidth = lane MB/s × width.
 */
static const struct {
	uint8_t gen, width;
	bool flit;
	uint64_t latency_ps, bandwidth;
} links[] = {
	{ 1, 1, false, 217948, 312 },	 { 1, 16, false, 217948, 4992 },
	{ 2, 1, false, 108800, 625 },	 { 2, 4, false, 108800, 2500 },
	{ 3, 8, false, 68000, 8000 },	 { 3, 16, false, 68000, 16000 },
	{ 4, 4, false, 34000, 8000 },	 { 4, 16, false, 34000, 32000 },
	{ 5, 8, false, 17000, 32000 },	 { 5, 16, false, 17000, 64000 },
	{ 6, 2, false, 32000, 16000 },	 { 6, 16, false, 32000, 128000 },
	{ 6, 16, true, 32000, 128000 },	 { 5, 16, true, 64000, 64000 },	/* flit mode at 32 GT/s */
	{ 4, 32, true, 128000, 64000 },	 { 1, 12, false, 217948, 3744 },
};

static void t_link_perf(void)
{
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		struct cdat_perf p;
		char name[48];

		snprintf(name, sizeof(name), "gen %u x%u%s", links[i].gen, links[i].width,
			 links[i].flit ? " flit" : "");
		t_case_name = name;
		T_EQ(cdat_link_perf(links[i].gen, links[i].width, links[i].flit, &p), 0);
		T_EQ(p.read_latency_ps, links[i].latency_ps);
		T_EQ(p.write_latency_ps, links[i].latency_ps);
		T_EQ(p.read_bandwidth_mbps, links[i].bandwidth);
		T_EQ(p.write_bandwidth_mbps, links[i].bandwidth);
		T_EQ(p.valid, CDAT_PERF_ALL);
	}
	t_case_name = "t_link_perf";
}

static void t_link_perf_invalid(void)
{
	struct cdat_perf p;

	T_EQ(cdat_link_perf(0, 16, false, &p), -EINVAL);
	T_EQ(p.valid, 0);
	T_EQ(cdat_link_perf(7, 16, false, &p), -EINVAL);
	T_EQ(cdat_link_perf(5, 0, false, &p), -EINVAL);
	T_EQ(cdat_link_perf(5, 33, false, &p), -EINVAL);
}

static struct cdat_table *type3(void)
{
	struct cdat_table *tab = NULL;
	uint8_t *bin = NULL;
	size_t len = 0;

	T_EQ(emu_cdat_type3_table(ctx, &bin, &len), 0);
	T_EQ(cdat_parse(ctx, bin, len, &tab), 0);
	free(bin);
	return tab;
}

static void t_dsmas_perf_default(void)
{
	struct cdat_table *tab = type3();
	struct cdat_perf p;

	if (!tab)
		return;
	T_EQ(cdat_dsmas_perf(tab, 0, &p), 0);
	T_EQ(p.valid, CDAT_PERF_ALL);
	T_EQ(p.read_latency_ps, 150000);
	T_EQ(p.write_latency_ps, 250000);
	T_EQ(p.read_bandwidth_mbps, 16000);
	T_EQ(p.write_bandwidth_mbps, 12000);
	T_EQ(cdat_dsmas_perf(tab, 1, &p), 0);
	T_EQ(p.read_latency_ps, 300000);
	T_EQ(p.write_latency_ps, 500000);
	T_EQ(p.read_bandwidth_mbps, 8000);
	T_EQ(p.write_bandwidth_mbps, 4000);
	T_EQ(cdat_dsmas_perf(tab, 9, &p), -ENOENT);
	cdat_table_free(tab);
}

/* hand-made tables from structs, as an encoder user would write them */
static struct cdat_struct mk_dsmas(uint8_t h)
{
	struct cdat_struct s = { .type = CDAT_DSMAS, .decoded = true };

	s.u.dsmas.dsmad_handle = h;
	s.u.dsmas.dpa_length = 1u << 20;
	return s;
}

static struct cdat_struct mk_dslbis(uint8_t h, uint8_t flags, uint8_t dt, uint64_t base,
				    uint16_t e0)
{
	struct cdat_struct s = { .type = CDAT_DSLBIS, .decoded = true };

	s.u.dslbis = (struct cdat_dslbis){ .handle = h, .flags = flags, .data_type = dt,
					    .entry_base_unit = base, .entry = { e0, 0, 0 } };
	return s;
}

/* Linux cdat_dslbis_handler() rules */
static void t_dsmas_perf_rules(void)
{
	struct cdat_struct s[] = {
		mk_dsmas(2),
		/* access latency sets read and write */
		mk_dslbis(2, 0, CDAT_ACCESS_LATENCY, 1000, 100),
		/* a later one overrides the write half */
		mk_dslbis(2, 0, CDAT_WRITE_LATENCY, 1000, 120),
		/* not memory (hierarchy 1: a cache level): ignored */
		mk_dslbis(2, 1, CDAT_READ_LATENCY, 1000, 5),
		/* entry 0 and 0xFFFF mean "no value" */
		mk_dslbis(2, 0, CDAT_READ_BANDWIDTH, 1000, 0),
		mk_dslbis(2, 0, CDAT_WRITE_BANDWIDTH, 1000, 0xFFFF),
		/* another handle */
		mk_dslbis(3, 0, CDAT_READ_BANDWIDTH, 1000, 7),
		/* an overflowing product gives no value either */
		mk_dslbis(2, 0, CDAT_READ_BANDWIDTH, UINT64_MAX / 2, 3),
		/* unknown data type ignored */
		mk_dslbis(2, 0, 9, 1, 1),
	};
	struct cdat_table t = { .structs = s, .n_structs = sizeof(s) / sizeof(s[0]) };
	struct cdat_perf p;

	T_EQ(cdat_dsmas_perf(&t, 2, &p), 0);
	T_EQ(p.valid, CDAT_PERF_READ_LATENCY | CDAT_PERF_WRITE_LATENCY);
	T_EQ(p.read_latency_ps, 100000);
	T_EQ(p.write_latency_ps, 120000);
	/* a DSMAS that was not decoded does not count */
	s[0].decoded = false;
	T_EQ(cdat_dsmas_perf(&t, 2, &p), -ENOENT);
}

static void t_switch_perf(void)
{
	struct cdat_sslbe lat[] = {
		{ CDAT_SSLBIS_PORT_USP, 1, 20, 0 },
		{ 2, CDAT_SSLBIS_PORT_USP, 25, 0 },
		{ CDAT_SSLBIS_ANY_PORT, 3, 40, 0 },
		{ CDAT_SSLBIS_PORT_USP, 4, 10, 0 },
		{ CDAT_SSLBIS_PORT_USP, 4, 11, 0 },	/* later overrides */
		{ 5, 6, 99, 0 },			/* DSP to DSP */
	};
	struct cdat_sslbe bw[] = {
		{ CDAT_SSLBIS_ANY_PORT, CDAT_SSLBIS_ANY_PORT, 48, 0 },
	};
	struct cdat_struct s[2] = {
		{ .type = CDAT_SSLBIS, .decoded = true },
		{ .type = CDAT_SSLBIS, .decoded = true },
	};
	struct cdat_table t = { .structs = s, .n_structs = 2 };
	struct cdat_perf p;

	s[0].u.sslbis = (struct cdat_sslbis){ .data_type = CDAT_ACCESS_LATENCY,
					       .entry_base_unit = 1000, .n_entries = 6,
					       .entries = lat };
	s[1].u.sslbis = (struct cdat_sslbis){ .data_type = CDAT_READ_BANDWIDTH,
					       .entry_base_unit = 1000, .n_entries = 1,
					       .entries = bw };
	T_EQ(cdat_switch_perf(&t, CDAT_SSLBIS_PORT_USP, 1, &p), 2);
	T_EQ(p.valid, CDAT_PERF_READ_LATENCY | CDAT_PERF_WRITE_LATENCY | CDAT_PERF_READ_BANDWIDTH);
	T_EQ(p.read_latency_ps, 20000);
	T_EQ(p.write_latency_ps, 20000);
	T_EQ(p.read_bandwidth_mbps, 48000);
	/* either order */
	T_EQ(cdat_switch_perf(&t, 1, CDAT_SSLBIS_PORT_USP, &p), 2);
	T_EQ(p.read_latency_ps, 20000);
	T_EQ(cdat_switch_perf(&t, CDAT_SSLBIS_PORT_USP, 2, &p), 2);
	T_EQ(p.read_latency_ps, 25000);
	/* 0xFFFF matches any port */
	T_EQ(cdat_switch_perf(&t, CDAT_SSLBIS_PORT_USP, 3, &p), 2);
	T_EQ(p.read_latency_ps, 40000);
	T_EQ(cdat_switch_perf(&t, CDAT_SSLBIS_PORT_USP, 4, &p), 3);
	T_EQ(p.read_latency_ps, 11000);
	/* the DSP-to-DSP entry is not a USP path (Linux would apply it to port 5) */
	T_EQ(cdat_switch_perf(&t, CDAT_SSLBIS_PORT_USP, 5, &p), 1);
	T_EQ(p.valid, CDAT_PERF_READ_BANDWIDTH);
	T_EQ(cdat_switch_perf(&t, 6, 5, &p), 2);
	T_EQ(p.read_latency_ps, 99000);
	/* nothing about port 9 but the any-any bandwidth */
	s[1].decoded = false;
	T_EQ(cdat_switch_perf(&t, CDAT_SSLBIS_PORT_USP, 9, &p), 0);
	T_EQ(p.valid, 0);
}

static void t_add_hop(void)
{
	struct cdat_perf acc = { 0 };
	struct cdat_perf a = { 100, 200, 5000, 6000, CDAT_PERF_ALL };
	struct cdat_perf b = { 10, 20, 7000, 3000, CDAT_PERF_ALL };
	struct cdat_perf lat_only = { 1, 2, 1, 1, CDAT_PERF_READ_LATENCY | CDAT_PERF_WRITE_LATENCY };
	struct cdat_perf none = { 5, 5, 5, 5, 0 };

	cdat_perf_add_hop(&acc, &a);
	T_EQ(acc.read_latency_ps, 100);
	T_EQ(acc.read_bandwidth_mbps, 5000);
	T_EQ(acc.valid, CDAT_PERF_ALL);
	cdat_perf_add_hop(&acc, &b);
	T_EQ(acc.read_latency_ps, 110);	/* latencies add */
	T_EQ(acc.write_latency_ps, 220);
	T_EQ(acc.read_bandwidth_mbps, 5000);	/* bandwidth is the minimum */
	T_EQ(acc.write_bandwidth_mbps, 3000);
	/* what a hop does not know leaves the path as it is */
	cdat_perf_add_hop(&acc, &lat_only);
	T_EQ(acc.read_latency_ps, 111);
	T_EQ(acc.write_latency_ps, 222);
	T_EQ(acc.read_bandwidth_mbps, 5000);
	cdat_perf_add_hop(&acc, &none);
	T_EQ(acc.read_latency_ps, 111);
	T_EQ(acc.write_bandwidth_mbps, 3000);
	/* what only the hop knows is taken from it */
	acc = (struct cdat_perf){ 0 };
	cdat_perf_add_hop(&acc, &lat_only);
	cdat_perf_add_hop(&acc, &b);
	T_EQ(acc.read_bandwidth_mbps, 7000);
	T_EQ(acc.read_latency_ps, 11);
}

/*
 * The cxl-switch profile's path to the type 3 device at 0f:00.0, as Linux
 * combines it: DSLBIS (DSMAS 0: 150/250 ns, 16000/12000 MB/s), the device's
 * link (32 GT/s x8: 17 ns, 32000 MB/s), the switch SSLBIS between the USP
 * and downstream port 1 (20 ns, 48000 MB/s), the switch's upstream link
 * (32 GT/s x16: 17 ns, 64000 MB/s).
 *   read  latency 150 + 17 + 20 + 17 = 204 ns, write 250 + 54 = 304 ns
 *   read  bandwidth min(16000, 32000, 48000, 64000) = 16000, write 12000
 */
static void t_path(void)
{
	const uint8_t ports[] = { 1, 2 };
	struct cdat_table *ep = type3(), *sw = NULL;
	struct cdat_perf acc = { 0 }, hop;
	uint8_t *bin = NULL;
	size_t len = 0;

	T_EQ(emu_cdat_switch_table(ctx, ports, 2, &bin, &len), 0);
	T_EQ(cdat_parse(ctx, bin, len, &sw), 0);
	free(bin);
	if (!ep || !sw)
		goto out;
	T_EQ(cdat_dsmas_perf(ep, 0, &hop), 0);
	cdat_perf_add_hop(&acc, &hop);
	T_EQ(cdat_link_perf(5, 8, false, &hop), 0);
	cdat_perf_add_hop(&acc, &hop);
	T_EQ(cdat_switch_perf(sw, CDAT_SSLBIS_PORT_USP, 1, &hop), 2);
	cdat_perf_add_hop(&acc, &hop);
	T_EQ(cdat_link_perf(5, 16, false, &hop), 0);
	cdat_perf_add_hop(&acc, &hop);
	T_EQ(acc.read_latency_ps, 204000);
	T_EQ(acc.write_latency_ps, 304000);
	T_EQ(acc.read_bandwidth_mbps, 16000);
	T_EQ(acc.write_bandwidth_mbps, 12000);
	T_EQ(acc.valid, CDAT_PERF_ALL);
out:
	cdat_table_free(ep);
	cdat_table_free(sw);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_link_perf);
	T_RUN(t_link_perf_invalid);
	T_RUN(t_dsmas_perf_default);
	T_RUN(t_dsmas_perf_rules);
	T_RUN(t_switch_perf);
	T_RUN(t_add_hop);
	T_RUN(t_path);
	doe_ctx_free(ctx);
	return T_DONE();
}
