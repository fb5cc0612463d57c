// SPDX-License-Identifier: MIT
/*
 * doe fm output: each FM-API answer as JSON (keys are the CXL spec's field
 * names in snake_case, enumerations as the codec's names) and as text.
 * Nothing here is a string from the device: FM-API answers are numbers.
 */
#include <stdio.h>

#include "fm.h"

#define J_INT(o, k, v) json_object_object_add(o, k, json_object_new_int64((int64_t)(v)))
#define J_STR(o, k, v) json_object_object_add(o, k, json_object_new_string(v))
#define J_BOOL(o, k, v) json_object_object_add(o, k, json_object_new_boolean(v))

const char *fm_rc_str(uint16_t rc, char *buf, size_t len)
{
	const char *n = fmapi_rc_name(rc);

	if (n)
		return n;
	snprintf(buf, len, "0x%04x", rc);
	return buf;
}

/* A name from a codec table, or the number in hex when it has none */
static const char *named(const char *n, unsigned int v, char *buf, size_t len)
{
	if (n)
		return n;
	snprintf(buf, len, "0x%02x", v);
	return buf;
}

struct json_object *fm_identify_json(const char *dev, const struct fmapi_identify *id)
{
	struct json_object *o = json_object_new_object();
	char b[8];

	J_STR(o, "device", dev);
	J_INT(o, "pcie_vendor_id", id->vendor_id);
	J_INT(o, "pcie_device_id", id->device_id);
	J_INT(o, "pcie_subsystem_vendor_id", id->subsys_vendor_id);
	J_INT(o, "pcie_subsystem_id", id->subsys_id);
	json_object_object_add(o, "device_serial_number", json_object_new_uint64(id->serial));
	J_INT(o, "maximum_supported_message_size", id->max_msg_size);
	J_STR(o, "component_type",
	      named(fmapi_component_name(id->component_type), id->component_type, b, sizeof(b)));
	return o;
}

void fm_identify_text(const char *dev, const struct fmapi_identify *id)
{
	char b[8], e[TOOL_ESC_SIZE(80)];

	printf("%s: %s\n", tool_esc(e, sizeof(e), dev),
	       named(fmapi_component_name(id->component_type), id->component_type, b, sizeof(b)));
	printf("  PCIe vendor ID            0x%04x\n", id->vendor_id);
	printf("  PCIe device ID            0x%04x\n", id->device_id);
	printf("  PCIe subsystem vendor ID  0x%04x\n", id->subsys_vendor_id);
	printf("  PCIe subsystem ID         0x%04x\n", id->subsys_id);
	printf("  serial number             0x%016llx\n", (unsigned long long)id->serial);
	if (id->max_msg_size < 32)
		printf("  max message size          2^%u = %lu bytes\n", id->max_msg_size,
		       1ul << id->max_msg_size);
	else
		printf("  max message size          2^%u bytes\n", id->max_msg_size);
}

/* The set bits of a 256-bit bitmask, as their numbers */
static struct json_object *bits_json(const uint8_t mask[32])
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < 256; i++)
		if (mask[i / 8] & 1u << (i % 8))
			json_object_array_add(a, json_object_new_int((int)i));
	return a;
}

static void bits_text(const uint8_t mask[32])
{
	bool any = false;

	for (unsigned int i = 0; i < 256; i++) {
		if (mask[i / 8] & 1u << (i % 8)) {
			printf("%s%u", any ? " " : "", i);
			any = true;
		}
	}
	puts(any ? "" : "none");
}

struct json_object *fm_switch_json(const char *dev, const struct fmapi_switch_info *si)
{
	struct json_object *o = json_object_new_object();

	J_STR(o, "device", dev);
	J_INT(o, "ingress_port_id", si->ingress_port);
	J_INT(o, "number_of_physical_ports", si->num_ports);
	J_INT(o, "number_of_vcss", si->num_vcs);
	json_object_object_add(o, "active_port_bitmask", bits_json(si->active_ports));
	json_object_object_add(o, "active_vcs_bitmask", bits_json(si->active_vcs));
	J_INT(o, "total_number_of_vppbs", si->total_vppbs);
	J_INT(o, "number_of_bound_vppbs", si->bound_vppbs);
	J_INT(o, "number_of_hdm_decoders", si->hdm_decoders);
	return o;
}

void fm_switch_text(const char *dev, const struct fmapi_switch_info *si)
{
	char e[TOOL_ESC_SIZE(80)];

	printf("%s: CXL switch\n", tool_esc(e, sizeof(e), dev));
	printf("  ingress port          %u\n", si->ingress_port);
	printf("  physical ports        %u\n", si->num_ports);
	printf("  active ports          ");
	bits_text(si->active_ports);
	printf("  VCSs                  %u\n", si->num_vcs);
	printf("  active VCSs           ");
	bits_text(si->active_vcs);
	printf("  vPPBs                 %u, %u bound\n", si->total_vppbs, si->bound_vppbs);
	printf("  HDM decoders per USP  %u\n", si->hdm_decoders);
}

struct json_object *fm_port_json(const struct fmapi_port_info *p)
{
	struct json_object *o = json_object_new_object(), *f = json_object_new_object();
	char b[8];

	J_INT(o, "port_id", p->port_id);
	J_STR(o, "current_port_configuration_state",
	      named(fmapi_port_state_name(p->config_state), p->config_state, b, sizeof(b)));
	J_INT(o, "connected_device_cxl_version", p->dev_cxl_version);
	J_STR(o, "connected_device_type",
	      named(fmapi_dev_type_name(p->dev_type), p->dev_type, b, sizeof(b)));
	J_INT(o, "port_cxl_version_bitmask", p->cxl_versions);
	J_INT(o, "maximum_link_width", p->max_width);
	J_INT(o, "negotiated_link_width", p->width);
	J_INT(o, "supported_link_speeds_vector", p->speeds);
	J_INT(o, "max_link_speed", p->max_speed);
	J_INT(o, "current_link_speed", p->speed);
	J_STR(o, "ltssm_state", named(fmapi_ltssm_name(p->ltssm), p->ltssm, b, sizeof(b)));
	J_INT(o, "first_negotiated_lane_number", p->first_lane);
	J_BOOL(f, "lane_reversal_state", p->link_flags & FMAPI_LINK_LANE_REVERSED);
	J_BOOL(f, "port_pcie_reset_state", p->link_flags & FMAPI_LINK_PERST);
	J_BOOL(f, "port_presence_pin_state", p->link_flags & FMAPI_LINK_PRSNT);
	J_BOOL(f, "power_control_state", p->link_flags & FMAPI_LINK_POWER_OFF);
	json_object_object_add(o, "link_state_flags", f);
	J_INT(o, "supported_ld_count", p->ld_count);
	return o;
}

void fm_port_text(const struct fmapi_port_info *p)
{
	char b1[8], b2[8], b3[8];

	printf("  port %-3u %-18s %-15s x%u/x%u gen %u/%u  %s%s%s\n", p->port_id,
	       named(fmapi_port_state_name(p->config_state), p->config_state, b1, sizeof(b1)),
	       named(fmapi_dev_type_name(p->dev_type), p->dev_type, b2, sizeof(b2)), p->width,
	       p->max_width, p->speed, p->max_speed,
	       named(fmapi_ltssm_name(p->ltssm), p->ltssm, b3, sizeof(b3)),
	       p->link_flags & FMAPI_LINK_PERST ? "  PERST# asserted" : "",
	       p->link_flags & FMAPI_LINK_PRSNT ? "  present" : "");
}

struct json_object *fm_vcs_json(const struct fmapi_vcs_info *v, uint8_t start)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	char b[8];

	J_INT(o, "vcs_id", v->vcs_id);
	J_STR(o, "vcs_state", named(fmapi_vcs_state_name(v->state), v->state, b, sizeof(b)));
	J_INT(o, "usp_id", v->usp_id);
	J_INT(o, "number_of_vppbs", v->num_vppbs);
	for (unsigned int i = 0; i < v->listed; i++) {
		const struct fmapi_vppb_info *e = &v->vppbs[i];
		struct json_object *p = json_object_new_object();

		J_INT(p, "vppb_id", start + i);
		J_STR(p, "binding_status", named(fmapi_vppb_status_name(e->status), e->status, b,
						 sizeof(b)));
		J_INT(p, "bound_port_id", e->port_id);
		J_INT(p, "bound_ld_id", e->ld_id);
		json_object_array_add(a, p);
	}
	json_object_object_add(o, "vppbs", a);
	return o;
}

void fm_vcs_text(const struct fmapi_vcs_info *v, uint8_t start)
{
	char b[8];

	printf("  VCS %u: %s, upstream port %u, %u vPPBs\n", v->vcs_id,
	       named(fmapi_vcs_state_name(v->state), v->state, b, sizeof(b)), v->usp_id,
	       v->num_vppbs);
	for (unsigned int i = 0; i < v->listed; i++) {
		const struct fmapi_vppb_info *e = &v->vppbs[i];

		printf("    vPPB %-3u %s", start + i,
		       named(fmapi_vppb_status_name(e->status), e->status, b, sizeof(b)));
		if (e->status == FMAPI_VPPB_BOUND_PORT)
			printf(" to port %u", e->port_id);
		else if (e->status == FMAPI_VPPB_BOUND_LD)
			printf(" to port %u LD %u", e->port_id, e->ld_id);
		putchar('\n');
	}
}

struct json_object *fm_ld_json(uint8_t port, const struct fmapi_ld_info *li)
{
	struct json_object *o = json_object_new_object(), *q = json_object_new_object();

	J_INT(o, "port_id", port);
	json_object_object_add(o, "memory_size", json_object_new_uint64(li->memory_size));
	J_INT(o, "ld_count", li->ld_count);
	J_BOOL(q, "egress_port_congestion", li->qos_caps & FMAPI_QOS_EGRESS_CONGESTION);
	J_BOOL(q, "temporary_throughput_reduction", li->qos_caps & FMAPI_QOS_TEMP_THROUGHPUT);
	json_object_object_add(o, "qos_telemetry_capability", q);
	return o;
}

void fm_ld_text(uint8_t port, const struct fmapi_ld_info *li)
{
	printf("  port %-3u %llu bytes (%llu MiB) in %u LD%s\n", port,
	       (unsigned long long)li->memory_size, (unsigned long long)(li->memory_size >> 20),
	       li->ld_count, li->ld_count == 1 ? "" : "s");
}
