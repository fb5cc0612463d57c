// SPDX-License-Identifier: MIT
/*
 * Path performance primitives, following Linux drivers/cxl/core/cdat.c
 * (cdat_dslbis_handler, cdat_sslbis_handler, cxl_coordinates_combine) and
 * drivers/cxl/core/pci.c (cxl_pci_get_latency, cxl_pci_get_bandwidth).
 * Pure computation: the caller walks its topology and adds hops.
 */
#include <doekit/cdat.h>
#include "internal.h"

/*
 * entry × base unit, or false when there is no usable value: Linux
 * cdat_normalize() treats 0 and 0xFFFF as "no value" and drops overflows.
 */
static bool scaled(uint16_t entry, uint64_t base, uint64_t *out)
{
	if (entry == 0 || entry == 0xFFFFu || !base || base > UINT64_MAX / entry)
		return false;
	*out = (uint64_t)entry * base;
	return true;
}

/* Linux __cxl_access_coordinate_set(): access types set read and write. */
static void perf_set(struct cdat_perf *p, uint8_t data_type, uint64_t v)
{
	switch (data_type) {
	case CDAT_ACCESS_LATENCY:
		p->read_latency_ps = p->write_latency_ps = v;
		p->valid |= CDAT_PERF_READ_LATENCY | CDAT_PERF_WRITE_LATENCY;
		break;
	case CDAT_READ_LATENCY:
		p->read_latency_ps = v;
		p->valid |= CDAT_PERF_READ_LATENCY;
		break;
	case CDAT_WRITE_LATENCY:
		p->write_latency_ps = v;
		p->valid |= CDAT_PERF_WRITE_LATENCY;
		break;
	case CDAT_ACCESS_BANDWIDTH:
		p->read_bandwidth_mbps = p->write_bandwidth_mbps = v;
		p->valid |= CDAT_PERF_READ_BANDWIDTH | CDAT_PERF_WRITE_BANDWIDTH;
		break;
	case CDAT_READ_BANDWIDTH:
		p->read_bandwidth_mbps = v;
		p->valid |= CDAT_PERF_READ_BANDWIDTH;
		break;
	case CDAT_WRITE_BANDWIDTH:
		p->write_bandwidth_mbps = v;
		p->valid |= CDAT_PERF_WRITE_BANDWIDTH;
		break;
	}
}

int cdat_dsmas_perf(const struct cdat_table *t, uint8_t dsmad_handle, struct cdat_perf *perf)
{
	bool found = false;

	*perf = (struct cdat_perf){ 0 };
	for (size_t i = 0; i < t->n_structs; i++) {
		const struct cdat_struct *s = &t->structs[i];

		if (s->decoded && s->type == CDAT_DSMAS && s->u.dsmas.dsmad_handle == dsmad_handle)
			found = true;
	}
	if (!found)
		return -ENOENT;
	for (size_t i = 0; i < t->n_structs; i++) {
		const struct cdat_struct *s = &t->structs[i];
		const struct cdat_dslbis *d = &s->u.dslbis;
		uint64_t v;

		if (!s->decoded || s->type != CDAT_DSLBIS || d->handle != dsmad_handle)
			continue;
		/* Linux: "Not a memory type, skip" (HMAT flags bits 3:0 memory hierarchy) */
		if ((d->flags & 0x0Fu) != 0)
			continue;
		if (scaled(d->entry[0], d->entry_base_unit, &v))
			perf_set(perf, d->data_type, v);
	}
	return 0;
}

static bool port_matches(uint16_t entry_id, uint16_t id)
{
	return entry_id == id || entry_id == CDAT_SSLBIS_ANY_PORT;
}

int cdat_switch_perf(const struct cdat_table *t, uint16_t port_x, uint16_t port_y,
		     struct cdat_perf *perf)
{
	int matches = 0;

	*perf = (struct cdat_perf){ 0 };
	for (size_t i = 0; i < t->n_structs; i++) {
		const struct cdat_struct *s = &t->structs[i];
		const struct cdat_sslbis *d = &s->u.sslbis;

		if (!s->decoded || s->type != CDAT_SSLBIS)
			continue;
		for (size_t k = 0; k < d->n_entries; k++) {
			const struct cdat_sslbe *e = &d->entries[k];
			uint64_t v;

			/* the path between two ports has no direction: (x, y) or (y, x) */
			if (!(port_matches(e->port_x_id, port_x) && port_matches(e->port_y_id, port_y)) &&
			    !(port_matches(e->port_x_id, port_y) && port_matches(e->port_y_id, port_x)))
				continue;
			matches++;
			if (scaled(e->latency_or_bandwidth, d->entry_base_unit, &v))
				perf_set(perf, d->data_type, v);
		}
	}
	return matches;
}

/* Linux pcie_link_speed_mbps(): Mb/s per lane for Current Link Speed 1..6 */
static const uint32_t lane_mbps[] = { 0, 2500, 5000, 8000, 16000, 32000, 64000 };

int cdat_link_perf(uint8_t gen, uint8_t width, bool flit_mode, struct cdat_perf *perf)
{
	uint64_t lane_mbytes, flit;

	*perf = (struct cdat_perf){ 0 };
	if (gen < 1 || gen >= ARRAY_SIZE(lane_mbps) || width < 1 || width > 32)
		return -EINVAL;
	lane_mbytes = lane_mbps[gen] / 8u;	/* BITS_PER_BYTE, integer as in Linux */
	/* CXL r3.0 §6.2.3 Table 6-4: 256-byte flits in PCIe Flit Mode, which
	 * 64 GT/s always uses (PCIe r6.0 §4.2.1); 68-byte flits otherwise */
	flit = flit_mode || gen >= 6 ? 256 : 68;
	/* CXL Memory Device SW Guide 2.11.4: link latency = flit size / link
	 * bandwidth (propagation and retimer latency taken as 0), in ps */
	perf->read_latency_ps = perf->write_latency_ps = flit * 1000000u / lane_mbytes;
	perf->read_bandwidth_mbps = perf->write_bandwidth_mbps = lane_mbytes * width;
	perf->valid = CDAT_PERF_ALL;
	return 0;
}

static void add_latency(uint64_t *acc, const uint64_t *hop, unsigned int bit, unsigned int *valid,
			unsigned int hop_valid)
{
	if (!(hop_valid & bit))
		return;
	*acc = (*valid & bit) ? (*acc > UINT64_MAX - *hop ? UINT64_MAX : *acc + *hop) : *hop;
	*valid |= bit;
}

static void min_bandwidth(uint64_t *acc, const uint64_t *hop, unsigned int bit,
			  unsigned int *valid, unsigned int hop_valid)
{
	if (!(hop_valid & bit))
		return;
	if (!(*valid & bit) || *hop < *acc)
		*acc = *hop;
	*valid |= bit;
}

void cdat_perf_add_hop(struct cdat_perf *acc, const struct cdat_perf *hop)
{
	add_latency(&acc->read_latency_ps, &hop->read_latency_ps, CDAT_PERF_READ_LATENCY,
		    &acc->valid, hop->valid);
	add_latency(&acc->write_latency_ps, &hop->write_latency_ps, CDAT_PERF_WRITE_LATENCY,
		    &acc->valid, hop->valid);
	min_bandwidth(&acc->read_bandwidth_mbps, &hop->read_bandwidth_mbps,
		      CDAT_PERF_READ_BANDWIDTH, &acc->valid, hop->valid);
	min_bandwidth(&acc->write_bandwidth_mbps, &hop->write_bandwidth_mbps,
		      CDAT_PERF_WRITE_BANDWIDTH, &acc->valid, hop->valid);
}
