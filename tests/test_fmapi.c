// SPDX-License-Identifier: MIT
/*
 * FM-API codec: the CCI header and every command's payloads, encoded and
 * decoded against bytes written out here from the spec's layouts (offsets
 * in the comments), never produced by the encoder under test; and every
 * decoder's refusals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/fmapi.h>
#include "t.h"

static struct doe_ctx *ctx;

static const char *msg(void)
{
	return doe_ctx_errmsg(ctx);
}

/* --- header --- */

static void t_hdr_request(void)
{
	/* 0 category, 1 tag, 2 reserved, 3-4 opcode LE, 5-7 length+bg, 8-9 rc, 10-11 vendor */
	static const uint8_t want[12] = { 0x00, 0x5A, 0x00, 0x01, 0x52, 0x06, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00 };
	struct fmapi_hdr h = { .category = FMAPI_CAT_REQ, .tag = 0x5A,
			       .opcode = FMAPI_OP_BIND_VPPB, .payload_len = 6 };
	struct fmapi_hdr d;
	uint8_t out[12];

	T_EQ(fmapi_hdr_encode(ctx, &h, out, sizeof(out)), 0);
	T_MEMEQ(out, want, 12);
	T_EQ(fmapi_hdr_decode(ctx, want, sizeof(want), &d), 0);
	T_EQ(d.category, 0);
	T_EQ(d.tag, 0x5A);
	T_EQ(d.opcode, 0x5201);
	T_EQ(d.payload_len, 6);
	T_EQ(d.background, 0);
}

static void t_hdr_response_bg(void)
{
	/* length 0x012345 with bit 23 (background) set: 45 23 81 */
	static const uint8_t want[12] = { 0x01, 0x07, 0x00, 0x02, 0x52, 0x45, 0x23, 0x81,
					  0x01, 0x00, 0x34, 0x12 };
	struct fmapi_hdr h = { .category = FMAPI_CAT_RSP, .tag = 7, .opcode = 0x5202,
			       .payload_len = 0x012345, .background = true,
			       .return_code = FMAPI_RC_BACKGROUND, .vendor_status = 0x1234 };
	struct fmapi_hdr d;
	uint8_t out[12];

	T_EQ(fmapi_hdr_encode(ctx, &h, out, sizeof(out)), 0);
	T_MEMEQ(out, want, 12);
	T_EQ(fmapi_hdr_decode(ctx, want, sizeof(want), &d), 0);
	T_EQ(d.category, 1);
	T_EQ(d.payload_len, 0x012345);
	T_EQ(d.background, 1);
	T_EQ(d.return_code, 1);
	T_EQ(d.vendor_status, 0x1234);
}

static void t_hdr_reserved_ignored(void)
{
	/* category bits 7:4, byte 2 and length bits 22:21 are reserved */
	static const uint8_t in[12] = { 0xF1, 0x00, 0xFF, 0x01, 0x00, 0x12, 0x00, 0x60,
					0x00, 0x00, 0x00, 0x00 };
	struct fmapi_hdr d;

	T_EQ(fmapi_hdr_decode(ctx, in, sizeof(in), &d), 0);
	T_EQ(d.category, 1);
	T_EQ(d.payload_len, 0x12);
	T_EQ(d.background, 0);
}

static void t_hdr_bad(void)
{
	static const uint8_t cat2[12] = { 0x02 };
	struct fmapi_hdr h = { .category = 2 }, d;
	uint8_t out[12];

	T_EQ(fmapi_hdr_decode(ctx, cat2, sizeof(cat2), &d), -EPROTO);
	T_CONTAINS(msg(), "category 2");
	T_EQ(fmapi_hdr_decode(ctx, cat2, 11, &d), -EBADMSG);
	T_CONTAINS(msg(), "11 bytes");
	T_EQ(fmapi_hdr_encode(ctx, &h, out, sizeof(out)), -EINVAL);
	h.category = 0;
	h.payload_len = 0x200000;
	T_EQ(fmapi_hdr_encode(ctx, &h, out, sizeof(out)), -EINVAL);
	T_CONTAINS(msg(), "21-bit");
	h.payload_len = 0x1FFFFF;
	T_EQ(fmapi_hdr_encode(ctx, &h, out, sizeof(out)), 0);
	T_EQ(fmapi_hdr_encode(ctx, &h, out, 11), -EMSGSIZE);
}

static void t_msg(void)
{
	static const uint8_t pl[2] = { 0x05, 0x02 };
	static const uint8_t want[14] = { 0x00, 0x03, 0x00, 0x02, 0x51, 0x02, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00, 0x05, 0x02 };
	struct fmapi_hdr h = { .tag = 3, .opcode = 0x5102, .payload_len = 99 }, d;
	const uint8_t *p;
	uint8_t out[14], bad[14];
	size_t len, plen;

	T_EQ(fmapi_msg_encode(ctx, &h, pl, 2, out, sizeof(out), &len), 0);
	T_EQ(len, 14);
	T_MEMEQ(out, want, 14);
	T_EQ(fmapi_msg_encode(ctx, &h, pl, 2, out, 13, &len), -EMSGSIZE);
	T_EQ(fmapi_msg_decode(ctx, want, 14, &d, &p, &plen), 0);
	T_EQ(plen, 2);
	T_TRUE(p == want + 12);
	/* the length field against the bytes present, both ways */
	T_EQ(fmapi_msg_decode(ctx, want, 13, &d, &p, &plen), -EBADMSG);
	T_CONTAINS(msg(), "says 2 bytes, 1 present");
	memcpy(bad, want, 14);
	bad[5] = 1;
	T_EQ(fmapi_msg_decode(ctx, bad, 14, &d, &p, &plen), -EBADMSG);
	T_CONTAINS(msg(), "says 1 bytes, 2 present");
	bad[5] = 0;
	bad[6] = 1;	/* 0x0100 */
	T_EQ(fmapi_msg_decode(ctx, bad, 14, &d, &p, &plen), -EBADMSG);
	T_CONTAINS(msg(), "says 256 bytes");
	T_EQ(fmapi_msg_decode(ctx, want, 5, &d, &p, &plen), -EBADMSG);
}

static void t_hdr_response_of(void)
{
	struct fmapi_hdr req = { .category = 0, .tag = 9, .opcode = 0x5400, .payload_len = 3 };
	struct fmapi_hdr rsp;

	fmapi_hdr_response(&req, FMAPI_RC_BUSY, &rsp);
	T_EQ(rsp.category, 1);
	T_EQ(rsp.tag, 9);
	T_EQ(rsp.opcode, 0x5400);
	T_EQ(rsp.return_code, 6);
	T_EQ(rsp.background, 0);
}

/* --- names --- */

static void t_rc_names(void)
{
	static const char *const want[] = {
		"success", "background-command-started", "invalid-input", "unsupported",
		"internal-error", "retry-required", "busy", "media-disabled",
	};

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		T_STREQ(fmapi_rc_name((uint16_t)i), want[i]);
	T_STREQ(fmapi_rc_name(0x15), "unsupported-mailbox-or-cci");
	T_STREQ(fmapi_rc_name(0x16), "invalid-payload-length");
	T_STREQ(fmapi_rc_name(0x1E), "invalid-extent-list");
	/* every code in the table has a distinct name */
	for (unsigned i = 0; i < FMAPI_RC_COUNT; i++) {
		T_TRUE(fmapi_rc_name((uint16_t)i) != NULL);
		for (unsigned j = 0; j < i; j++)
			T_TRUE(strcmp(fmapi_rc_name((uint16_t)i), fmapi_rc_name((uint16_t)j)) != 0);
	}
	T_TRUE(fmapi_rc_name(0x1F) == NULL);
	T_TRUE(fmapi_rc_name(0xFFFF) == NULL);
}

static void t_rc_errno(void)
{
	T_EQ(fmapi_rc_errno(FMAPI_RC_SUCCESS), 0);
	T_EQ(fmapi_rc_errno(FMAPI_RC_BACKGROUND), -EINPROGRESS);
	T_EQ(fmapi_rc_errno(FMAPI_RC_BUSY), -EBUSY);
	T_EQ(fmapi_rc_errno(FMAPI_RC_RETRY), -EBUSY);
	T_EQ(fmapi_rc_errno(FMAPI_RC_UNSUPPORTED), -EOPNOTSUPP);
	T_EQ(fmapi_rc_errno(FMAPI_RC_UNSUPPORTED_MAILBOX), -EOPNOTSUPP);
	T_EQ(fmapi_rc_errno(FMAPI_RC_INVALID_INPUT), -EREMOTEIO);
	T_EQ(fmapi_rc_errno(FMAPI_RC_INTERNAL), -EREMOTEIO);
	T_EQ(fmapi_rc_errno(0x1234), -EREMOTEIO);
	/* a device's verdict never reads as our caller's usage error */
	for (unsigned i = 1; i <= 0xFFFF; i++) {
		int e = fmapi_rc_errno((uint16_t)i);

		if (e == -EINVAL || e >= 0)
			T_FAIL_("rc 0x%x maps to %d", i, e);
	}
}

static void t_op_names(void)
{
	static const struct { uint16_t op; const char *name; } ops[] = {
		{ 0x0001, "identify" },
		{ 0x0002, "background-operation-status" },
		{ 0x0003, "get-response-message-limit" },
		{ 0x0004, "set-response-message-limit" },
		{ 0x5100, "identify-switch-device" },
		{ 0x5101, "get-physical-port-state" },
		{ 0x5102, "physical-port-control" },
		{ 0x5103, "send-ppb-cxl-io-configuration-request" },
		{ 0x5200, "get-virtual-cxl-switch-info" },
		{ 0x5201, "bind-vppb" },
		{ 0x5202, "unbind-vppb" },
		{ 0x5400, "get-ld-info" },
	};

	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		T_STREQ(fmapi_op_name(ops[i].op), ops[i].name);
	T_TRUE(fmapi_op_name(0x0000) == NULL);
	T_TRUE(fmapi_op_name(0x5203) == NULL);
}

static void t_field_names(void)
{
	T_STREQ(fmapi_component_name(0), "switch");
	T_STREQ(fmapi_component_name(3), "type3-device");
	T_TRUE(fmapi_component_name(1) == NULL);
	T_STREQ(fmapi_port_state_name(3), "dsp");
	T_STREQ(fmapi_port_state_name(4), "usp");
	T_STREQ(fmapi_port_state_name(0xF), "invalid");
	T_TRUE(fmapi_port_state_name(6) == NULL);
	T_STREQ(fmapi_dev_type_name(4), "cxl-type3-sld");
	T_STREQ(fmapi_dev_type_name(5), "cxl-type3-mld");
	T_STREQ(fmapi_dev_type_name(6), "pbr-component");
	T_TRUE(fmapi_dev_type_name(7) == NULL);
	T_STREQ(fmapi_ltssm_name(4), "l0");
	T_STREQ(fmapi_ltssm_name(0xA), "hot-reset");
	T_TRUE(fmapi_ltssm_name(0xB) == NULL);
	T_STREQ(fmapi_port_op_name(2), "reset-ppb");
	T_TRUE(fmapi_port_op_name(3) == NULL);
	T_STREQ(fmapi_vcs_state_name(0xFF), "invalid");
	T_STREQ(fmapi_vppb_status_name(3), "bound-ld");
	T_TRUE(fmapi_vppb_status_name(4) == NULL);
	T_STREQ(fmapi_unbind_option_name(2), "surprise-hot-remove");
	T_TRUE(fmapi_unbind_option_name(3) == NULL);
}

/* --- generic commands --- */

static void t_identify(void)
{
	/* 0 vendor, 2 device, 4 subsystem vendor, 6 subsystem, 8 serial (LE64),
	 * 16 max message size, 17 component type */
	static const uint8_t b[18] = { 0x86, 0x80, 0x34, 0x12, 0xAA, 0x00, 0xBB, 0x00,
				       0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
				       0x09, 0x00 };
	struct fmapi_identify id = { 0 }, in = { 0x8086, 0x1234, 0xAA, 0xBB,
						 0x1122334455667788ull, 9, 0 };
	uint8_t out[32], bad[19];
	size_t len;

	T_EQ(fmapi_identify_rsp_decode(ctx, b, sizeof(b), &id), 0);
	T_EQ(id.vendor_id, 0x8086);
	T_EQ(id.device_id, 0x1234);
	T_EQ(id.subsys_vendor_id, 0xAA);
	T_EQ(id.subsys_id, 0xBB);
	T_EQ(id.serial, 0x1122334455667788ull);
	T_EQ(id.max_msg_size, 9);
	T_EQ(id.component_type, FMAPI_COMPONENT_SWITCH);
	T_EQ(fmapi_identify_rsp_encode(ctx, &in, out, sizeof(out), &len), 0);
	T_EQ(len, 18);
	T_MEMEQ(out, b, 18);
	T_EQ(fmapi_identify_rsp_encode(ctx, &in, out, 17, &len), -EMSGSIZE);
	T_EQ(fmapi_identify_rsp_decode(ctx, b, 17, &id), -EBADMSG);
	T_CONTAINS(msg(), "Identify");
	T_CONTAINS(msg(), "truncated");
	memcpy(bad, b, 18);
	bad[18] = 0;
	T_EQ(fmapi_identify_rsp_decode(ctx, bad, 19, &id), -EBADMSG);
	T_CONTAINS(msg(), "1 trailing");
	bad[16] = 7;
	T_EQ(fmapi_identify_rsp_decode(ctx, bad, 18, &id), -EPROTO);
	T_CONTAINS(msg(), "2^7");
	bad[16] = 21;
	T_EQ(fmapi_identify_rsp_decode(ctx, bad, 18, &id), -EPROTO);
}

static void t_bg_status(void)
{
	/* 0 status (bit 0 running, 7:1 percent), 1 reserved, 2 opcode, 4 rc, 6 vendor */
	static const uint8_t b[8] = { 0x79, 0x00, 0x01, 0x52, 0x02, 0x00, 0x0D, 0xF0 };
	struct fmapi_bg_status st = { 0 }, in = { true, 60, 0x5201, 2, 0xF00D };
	uint8_t out[8], bad[8];
	size_t len;

	T_EQ(fmapi_bg_status_rsp_decode(ctx, b, 8, &st), 0);
	T_EQ(st.running, 1);
	T_EQ(st.percent, 60);
	T_EQ(st.opcode, 0x5201);
	T_EQ(st.return_code, 2);
	T_EQ(st.vendor_status, 0xF00D);
	T_EQ(fmapi_bg_status_rsp_encode(ctx, &in, out, sizeof(out), &len), 0);
	T_EQ(len, 8);
	T_MEMEQ(out, b, 8);
	memcpy(bad, b, 8);
	bad[0] = 0xCA;	/* 101 % */
	T_EQ(fmapi_bg_status_rsp_decode(ctx, bad, 8, &st), -EPROTO);
	T_CONTAINS(msg(), "101");
	bad[0] = 0xC8;	/* 100 %, done */
	T_EQ(fmapi_bg_status_rsp_decode(ctx, bad, 8, &st), 0);
	T_EQ(st.running, 0);
	T_EQ(st.percent, 100);
	T_EQ(fmapi_bg_status_rsp_decode(ctx, b, 7, &st), -EBADMSG);
	in.percent = 101;
	T_EQ(fmapi_bg_status_rsp_encode(ctx, &in, out, sizeof(out), &len), -EINVAL);
}

static void t_msg_limit(void)
{
	static const uint8_t b[1] = { 0x0A }, lo[1] = { 7 }, hi[1] = { 21 }, two[2] = { 10, 0 };
	uint8_t n = 0, out[1];
	size_t len;

	T_EQ(fmapi_msg_limit_decode(ctx, b, 1, &n), 0);
	T_EQ(n, 10);
	T_EQ(fmapi_msg_limit_encode(ctx, 10, out, 1, &len), 0);
	T_EQ(len, 1);
	T_MEMEQ(out, b, 1);
	T_EQ(fmapi_msg_limit_decode(ctx, lo, 1, &n), -EPROTO);
	T_EQ(fmapi_msg_limit_decode(ctx, hi, 1, &n), -EPROTO);
	T_EQ(fmapi_msg_limit_decode(ctx, b, 0, &n), -EBADMSG);
	T_EQ(fmapi_msg_limit_decode(ctx, two, 2, &n), -EBADMSG);
	T_EQ(fmapi_msg_limit_encode(ctx, 7, out, 1, &len), -EINVAL);
	T_EQ(fmapi_msg_limit_encode(ctx, 21, out, 1, &len), -EINVAL);
	T_EQ(fmapi_msg_limit_encode(ctx, 8, out, 0, &len), -EMSGSIZE);
}

static void t_empty(void)
{
	T_EQ(fmapi_empty_decode(ctx, FMAPI_OP_IDENTIFY, false, 0), 0);
	T_EQ(fmapi_empty_decode(ctx, FMAPI_OP_IDENTIFY, false, 3), -EBADMSG);
	T_CONTAINS(msg(), "identify 0x0001: request has no payload, got 3 bytes");
	T_EQ(fmapi_empty_decode(ctx, FMAPI_OP_BIND_VPPB, true, 1), -EBADMSG);
	T_CONTAINS(msg(), "response");
}

/* --- switch commands --- */

static void t_switch(void)
{
	/* 0 ingress port, 1 reserved, 2 ports, 3 VCSs, 4 active ports[32],
	 * 36 active VCSs[32], 68 total vPPBs, 70 bound vPPBs, 72 HDM decoders */
	uint8_t b[73] = { [0] = 2, [2] = 4, [3] = 1, [4] = 0x0F, [35] = 0x80, [36] = 0x01,
			  [68] = 0x04, [69] = 0x01, [70] = 0x02, [72] = 4 };
	struct fmapi_switch_info s = { 0 };
	uint8_t out[80];
	size_t len;

	T_EQ(fmapi_switch_rsp_decode(ctx, b, 73, &s), 0);
	T_EQ(s.ingress_port, 2);
	T_EQ(s.num_ports, 4);
	T_EQ(s.num_vcs, 1);
	T_EQ(s.active_ports[0], 0x0F);
	T_EQ(s.active_ports[31], 0x80);
	T_EQ(s.active_vcs[0], 0x01);
	T_EQ(s.total_vppbs, 0x104);
	T_EQ(s.bound_vppbs, 2);
	T_EQ(s.hdm_decoders, 4);
	T_EQ(fmapi_switch_rsp_encode(ctx, &s, out, sizeof(out), &len), 0);
	T_EQ(len, 73);
	T_MEMEQ(out, b, 73);
	T_EQ(fmapi_switch_rsp_decode(ctx, b, 72, &s), -EBADMSG);
	T_CONTAINS(msg(), "Identify Switch Device");
	b[71] = 0x02;	/* 0x202 bound of 0x104 */
	T_EQ(fmapi_switch_rsp_decode(ctx, b, 73, &s), -EPROTO);
	T_CONTAINS(msg(), "514 bound vPPBs of 260");
}

static void t_port_state_req(void)
{
	static const uint8_t b[3] = { 0x02, 0x01, 0x03 }, over[3] = { 0x03, 0x01, 0x03 };
	static const uint8_t trail[4] = { 0x02, 0x01, 0x03, 0x00 };
	struct fmapi_port_state_req r = { 0 };
	uint8_t out[8];
	size_t len;

	T_EQ(fmapi_port_state_req_decode(ctx, b, 3, &r), 0);
	T_EQ(r.num_ports, 2);
	T_EQ(r.ports[0], 1);
	T_EQ(r.ports[1], 3);
	T_EQ(fmapi_port_state_req_encode(ctx, &r, out, sizeof(out), &len), 0);
	T_EQ(len, 3);
	T_MEMEQ(out, b, 3);
	T_EQ(fmapi_port_state_req_decode(ctx, over, 3, &r), -EBADMSG);
	T_CONTAINS(msg(), "3 ports claimed, 2 present");
	T_EQ(fmapi_port_state_req_decode(ctx, trail, 4, &r), -EBADMSG);
	T_CONTAINS(msg(), "trailing");
	T_EQ(fmapi_port_state_req_decode(ctx, b, 0, &r), -EBADMSG);
	r.num_ports = 256;
	T_EQ(fmapi_port_state_req_encode(ctx, &r, out, sizeof(out), &len), -EINVAL);
	r.num_ports = 8;
	T_EQ(fmapi_port_state_req_encode(ctx, &r, out, sizeof(out), &len), -EMSGSIZE);
}

static void t_port_state_rsp(void)
{
	/* 0 count, 1-3 reserved, then 16 bytes per port: 0 port id, 1 config
	 * state, 2 connected device CXL version, 3 reserved, 4 connected device
	 * type, 5 CXL version bitmask, 6 max width, 7 negotiated width, 8 speeds
	 * vector, 9 max speed, 10 current speed, 11 LTSSM, 12 first lane,
	 * 13-14 link state flags, 15 supported LD count */
	static const uint8_t b[20] = { 0x01, 0x00, 0x00, 0x00,
				       0x03, 0x03, 0x02, 0x00, 0x04, 0x06, 0x10, 0x08,
				       0x1F, 0x05, 0x04, 0x04, 0x01, 0x02, 0x01, 0x03 };
	struct fmapi_port_state_rsp *r = calloc(1, sizeof(*r));
	uint8_t out[32], bad[21];
	size_t len;

	T_EQ(fmapi_port_state_rsp_decode(ctx, b, 20, r), 0);
	T_EQ(r->num_ports, 1);
	T_EQ(r->ports[0].port_id, 3);
	T_EQ(r->ports[0].config_state, FMAPI_PORT_DSP);
	T_EQ(r->ports[0].dev_cxl_version, 2);
	T_EQ(r->ports[0].dev_type, FMAPI_DEV_TYPE3_SLD);
	T_EQ(r->ports[0].cxl_versions, 6);
	T_EQ(r->ports[0].max_width, 16);
	T_EQ(r->ports[0].width, 8);
	T_EQ(r->ports[0].speeds, 0x1F);
	T_EQ(r->ports[0].max_speed, 5);
	T_EQ(r->ports[0].speed, 4);
	T_EQ(r->ports[0].ltssm, 4);
	T_EQ(r->ports[0].first_lane, 1);
	T_EQ(r->ports[0].link_flags, 0x0102);
	T_EQ(r->ports[0].ld_count, 3);
	T_EQ(fmapi_port_state_rsp_encode(ctx, r, out, sizeof(out), &len), 0);
	T_EQ(len, 20);
	T_MEMEQ(out, b, 20);
	memcpy(bad, b, 20);
	bad[0] = 2;	/* two ports claimed, one present */
	T_EQ(fmapi_port_state_rsp_decode(ctx, bad, 20, r), -EBADMSG);
	T_CONTAINS(msg(), "2 ports claimed");
	bad[0] = 1;
	bad[20] = 0;
	T_EQ(fmapi_port_state_rsp_decode(ctx, bad, 21, r), -EBADMSG);
	T_CONTAINS(msg(), "trailing");
	T_EQ(fmapi_port_state_rsp_decode(ctx, b, 19, r), -EBADMSG);
	T_EQ(fmapi_port_state_rsp_decode(ctx, b, 3, r), -EBADMSG);
	bad[5] = 0xF3;	/* config state bits 7:4 reserved */
	T_EQ(fmapi_port_state_rsp_decode(ctx, bad, 20, r), 0);
	T_EQ(r->ports[0].config_state, 3);
	free(r);
}

static void t_port_control(void)
{
	static const uint8_t b[2] = { 0x05, 0x02 }, bad[2] = { 0x05, 0x03 };
	struct fmapi_port_control pc = { 0 };
	uint8_t out[2];
	size_t len;

	T_EQ(fmapi_port_control_req_decode(ctx, b, 2, &pc), 0);
	T_EQ(pc.port_id, 5);
	T_EQ(pc.op, FMAPI_PORT_OP_RESET_PPB);
	T_EQ(fmapi_port_control_req_encode(ctx, &pc, out, sizeof(out), &len), 0);
	T_MEMEQ(out, b, 2);
	T_EQ(fmapi_port_control_req_decode(ctx, bad, 2, &pc), -EPROTO);
	T_CONTAINS(msg(), "port opcode 3");
	T_EQ(fmapi_port_control_req_decode(ctx, b, 1, &pc), -EBADMSG);
	pc.op = 3;
	T_EQ(fmapi_port_control_req_encode(ctx, &pc, out, sizeof(out), &len), -EINVAL);
}

static void t_ppb_config(void)
{
	/* 0 PPB id; 1-3: register 7:0, extended register 11:8, byte enable
	 * 15:12, transaction type bit 23; 4-7 data */
	static const uint8_t wr[8] = { 0x04, 0x10, 0xF2, 0x80, 0xEF, 0xBE, 0xAD, 0xDE };
	static const uint8_t rd[8] = { 0x04, 0x04, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t data[4] = { 0x78, 0x56, 0x34, 0x12 };
	struct fmapi_ppb_config c = { 0 };
	uint8_t out[8];
	uint32_t v = 0;
	size_t len;

	T_EQ(fmapi_ppb_config_req_decode(ctx, wr, 8, &c), 0);
	T_EQ(c.port_id, 4);
	T_EQ(c.reg, 0x10);
	T_EQ(c.ext_reg, 2);
	T_EQ(c.byte_enable, 0xF);
	T_EQ(c.write, 1);
	T_EQ(c.data, 0xDEADBEEF);
	T_EQ(fmapi_ppb_config_req_encode(ctx, &c, out, sizeof(out), &len), 0);
	T_EQ(len, 8);
	T_MEMEQ(out, wr, 8);
	T_EQ(fmapi_ppb_config_req_decode(ctx, rd, 8, &c), 0);
	T_EQ(c.reg, 4);
	T_EQ(c.ext_reg, 0);
	T_EQ(c.byte_enable, 3);
	T_EQ(c.write, 0);
	c.data = 0x55;	/* a read carries no data */
	T_EQ(fmapi_ppb_config_req_encode(ctx, &c, out, sizeof(out), &len), 0);
	T_MEMEQ(out, rd, 8);
	T_EQ(fmapi_ppb_config_req_decode(ctx, rd, 7, &c), -EBADMSG);
	c.ext_reg = 16;
	T_EQ(fmapi_ppb_config_req_encode(ctx, &c, out, sizeof(out), &len), -EINVAL);
	T_EQ(fmapi_ppb_config_rsp_decode(ctx, data, 4, &v), 0);
	T_EQ(v, 0x12345678);
	T_EQ(fmapi_ppb_config_rsp_encode(ctx, 0x12345678, out, sizeof(out), &len), 0);
	T_EQ(len, 4);
	T_MEMEQ(out, data, 4);
	T_EQ(fmapi_ppb_config_rsp_decode(ctx, data, 3, &v), -EBADMSG);
}

/* --- virtual switch and MLD commands --- */

static void t_vcs_req(void)
{
	/* 0 start vPPB, 1 vPPB list limit, 2 number of VCSs, 3.. VCS ids */
	static const uint8_t b[5] = { 0x00, 0x08, 0x02, 0x00, 0x01 };
	static const uint8_t over[5] = { 0x00, 0x08, 0x03, 0x00, 0x01 };
	uint8_t many[3 + 17] = { 0, 8, 17 };
	struct fmapi_vcs_info_req r = { 0 };
	uint8_t out[8];
	size_t len;

	T_EQ(fmapi_vcs_info_req_decode(ctx, b, 5, &r), 0);
	T_EQ(r.start_vppb, 0);
	T_EQ(r.vppb_limit, 8);
	T_EQ(r.num_vcs, 2);
	T_EQ(r.vcs_ids[1], 1);
	T_EQ(fmapi_vcs_info_req_encode(ctx, &r, out, sizeof(out), &len), 0);
	T_EQ(len, 5);
	T_MEMEQ(out, b, 5);
	T_EQ(fmapi_vcs_info_req_decode(ctx, over, 5, &r), -EBADMSG);
	T_CONTAINS(msg(), "3 VCS ids claimed, 2 present");
	T_EQ(fmapi_vcs_info_req_decode(ctx, many, sizeof(many), &r), -EMSGSIZE);
	T_CONTAINS(msg(), "17 VCS ids");
	T_EQ(fmapi_vcs_info_req_decode(ctx, b, 2, &r), -EBADMSG);
	r.num_vcs = 17;
	T_EQ(fmapi_vcs_info_req_encode(ctx, &r, out, sizeof(out), &len), -EINVAL);
}

static void t_vcs_rsp(void)
{
	/* 0 number of VCSs, 1-3 reserved; per VCS: 0 id, 1 state, 2 USP id,
	 * 3 number of vPPBs, then per listed vPPB: binding status, bound port,
	 * bound LD id, reserved. Request: start 1, limit 2; VCS 0 has 4 vPPBs
	 * (vPPBs 1 and 2 listed), VCS 1 has 1 vPPB (none listed from 1). */
	static const uint8_t b[] = { 0x02, 0x00, 0x00, 0x00,
				     0x00, 0x01, 0x00, 0x04,
				     0x02, 0x03, 0xFF, 0x00,
				     0x03, 0x05, 0x01, 0x00,
				     0x01, 0xFF, 0x09, 0x01 };
	struct fmapi_vcs_info_req q = { .start_vppb = 1, .vppb_limit = 2, .num_vcs = 2,
					.vcs_ids = { 0, 1 } };
	struct fmapi_vcs_info_rsp *r = calloc(1, sizeof(*r));
	uint8_t out[64], bad[sizeof(b)];
	size_t len;

	T_EQ(fmapi_vcs_info_rsp_decode(ctx, &q, b, sizeof(b), r), 0);
	T_EQ(r->num_vcs, 2);
	T_EQ(r->vcs[0].vcs_id, 0);
	T_EQ(r->vcs[0].state, FMAPI_VCS_ENABLED);
	T_EQ(r->vcs[0].usp_id, 0);
	T_EQ(r->vcs[0].num_vppbs, 4);
	T_EQ(r->vcs[0].listed, 2);
	T_EQ(r->vcs[0].vppbs[0].status, FMAPI_VPPB_BOUND_PORT);
	T_EQ(r->vcs[0].vppbs[0].port_id, 3);
	T_EQ(r->vcs[0].vppbs[0].ld_id, 0xFF);
	T_EQ(r->vcs[0].vppbs[1].status, FMAPI_VPPB_BOUND_LD);
	T_EQ(r->vcs[0].vppbs[1].port_id, 5);
	T_EQ(r->vcs[0].vppbs[1].ld_id, 1);
	T_EQ(r->vcs[1].vcs_id, 1);
	T_EQ(r->vcs[1].state, FMAPI_VCS_INVALID);
	T_EQ(r->vcs[1].usp_id, 9);
	T_EQ(r->vcs[1].num_vppbs, 1);
	T_EQ(r->vcs[1].listed, 0);
	T_EQ(fmapi_vcs_info_rsp_encode(ctx, r, out, sizeof(out), &len), 0);
	T_EQ(len, sizeof(b));
	T_MEMEQ(out, b, sizeof(b));
	/* from start 0 with limit 8, VCS 0's four vPPBs would all be listed */
	q.start_vppb = 0;
	q.vppb_limit = 8;
	T_EQ(fmapi_vcs_info_rsp_decode(ctx, &q, b, sizeof(b), r), -EBADMSG);
	T_CONTAINS(msg(), "VCS 0 has 4 vPPBs from 0 (limit 8)");
	q.start_vppb = 1;
	q.vppb_limit = 2;
	T_EQ(fmapi_vcs_info_rsp_decode(ctx, &q, b, sizeof(b) - 1, r), -EBADMSG);
	memcpy(bad, b, sizeof(b));
	bad[0] = 6;	/* 6 VCS blocks cannot fit 16 bytes */
	T_EQ(fmapi_vcs_info_rsp_decode(ctx, &q, bad, sizeof(bad), r), -EBADMSG);
	T_CONTAINS(msg(), "6 VCSs claimed");
	bad[0] = 1;	/* the second block is left over */
	T_EQ(fmapi_vcs_info_rsp_decode(ctx, &q, bad, sizeof(bad), r), -EBADMSG);
	T_CONTAINS(msg(), "trailing");
	free(r);
}

static void t_vcs_rsp_too_many(void)
{
	/* 17 VCS blocks without vPPBs: all present, but more than the struct holds */
	uint8_t b[4 + 17 * 4] = { 17 };
	struct fmapi_vcs_info_req q = { .start_vppb = 0, .vppb_limit = 8 };
	struct fmapi_vcs_info_rsp *r = calloc(1, sizeof(*r));

	T_EQ(fmapi_vcs_info_rsp_decode(ctx, &q, b, sizeof(b), r), -EMSGSIZE);
	T_CONTAINS(msg(), "17 VCSs");
	b[0] = 16;
	T_EQ(fmapi_vcs_info_rsp_decode(ctx, &q, b, sizeof(b) - 4, r), 0);
	T_EQ(r->num_vcs, 16);
	r->vcs[0].listed = 256;
	T_EQ(fmapi_vcs_info_rsp_encode(ctx, r, b, sizeof(b), &(size_t){ 0 }), -EINVAL);
	free(r);
}

static void t_bind(void)
{
	/* 0 VCS, 1 vPPB, 2 physical port, 3 reserved, 4-5 LD id */
	static const uint8_t b[6] = { 0x00, 0x01, 0x03, 0x00, 0xFF, 0xFF };
	static const uint8_t ld[6] = { 0x02, 0x04, 0x06, 0x00, 0x01, 0x00 };
	struct fmapi_bind bi = { 0 };
	uint8_t out[6];
	size_t len;

	T_EQ(fmapi_bind_req_decode(ctx, b, 6, &bi), 0);
	T_EQ(bi.vcs_id, 0);
	T_EQ(bi.vppb_id, 1);
	T_EQ(bi.port_id, 3);
	T_EQ(bi.ld_id, FMAPI_LD_NONE);
	T_EQ(fmapi_bind_req_encode(ctx, &bi, out, sizeof(out), &len), 0);
	T_EQ(len, 6);
	T_MEMEQ(out, b, 6);
	T_EQ(fmapi_bind_req_decode(ctx, ld, 6, &bi), 0);
	T_EQ(bi.vcs_id, 2);
	T_EQ(bi.ld_id, 1);
	T_EQ(fmapi_bind_req_decode(ctx, b, 5, &bi), -EBADMSG);
	T_CONTAINS(msg(), "Bind vPPB");
	T_EQ(fmapi_bind_req_encode(ctx, &bi, out, 5, &len), -EMSGSIZE);
}

static void t_unbind(void)
{
	/* 0 VCS, 1 vPPB, 2 unbind option (bits 3:0) */
	static const uint8_t b[3] = { 0x00, 0x01, 0x01 }, rsvd[3] = { 0x00, 0x01, 0x12 };
	static const uint8_t bad[3] = { 0x00, 0x01, 0xF3 };
	struct fmapi_unbind u = { 0 };
	uint8_t out[3];
	size_t len;

	T_EQ(fmapi_unbind_req_decode(ctx, b, 3, &u), 0);
	T_EQ(u.vppb_id, 1);
	T_EQ(u.option, FMAPI_UNBIND_MANAGED);
	T_EQ(fmapi_unbind_req_encode(ctx, &u, out, sizeof(out), &len), 0);
	T_EQ(len, 3);
	T_MEMEQ(out, b, 3);
	T_EQ(fmapi_unbind_req_decode(ctx, rsvd, 3, &u), 0);
	T_EQ(u.option, FMAPI_UNBIND_SURPRISE);
	T_EQ(fmapi_unbind_req_decode(ctx, bad, 3, &u), -EPROTO);
	T_CONTAINS(msg(), "unbind option 3");
	T_EQ(fmapi_unbind_req_decode(ctx, b, 2, &u), -EBADMSG);
	u.option = 3;
	T_EQ(fmapi_unbind_req_encode(ctx, &u, out, sizeof(out), &len), -EINVAL);
}

static void t_ld_info(void)
{
	/* 0 memory size LE64, 8 LD count LE16, 10 QoS telemetry capability */
	static const uint8_t b[11] = { 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
				       0x04, 0x00, 0x03 };
	struct fmapi_ld_info li = { 0 };
	uint8_t out[11];
	size_t len;

	T_EQ(fmapi_ld_info_rsp_decode(ctx, b, 11, &li), 0);
	T_EQ(li.memory_size, 0x100000000ull);
	T_EQ(li.ld_count, 4);
	T_EQ(li.qos_caps, 3);
	T_EQ(fmapi_ld_info_rsp_encode(ctx, &li, out, sizeof(out), &len), 0);
	T_EQ(len, 11);
	T_MEMEQ(out, b, 11);
	T_EQ(fmapi_ld_info_rsp_decode(ctx, b, 10, &li), -EBADMSG);
	T_CONTAINS(msg(), "Get LD Info");
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_hdr_request);
	T_RUN(t_hdr_response_bg);
	T_RUN(t_hdr_reserved_ignored);
	T_RUN(t_hdr_bad);
	T_RUN(t_msg);
	T_RUN(t_hdr_response_of);
	T_RUN(t_rc_names);
	T_RUN(t_rc_errno);
	T_RUN(t_op_names);
	T_RUN(t_field_names);
	T_RUN(t_identify);
	T_RUN(t_bg_status);
	T_RUN(t_msg_limit);
	T_RUN(t_empty);
	T_RUN(t_switch);
	T_RUN(t_port_state_req);
	T_RUN(t_port_state_rsp);
	T_RUN(t_port_control);
	T_RUN(t_ppb_config);
	T_RUN(t_vcs_req);
	T_RUN(t_vcs_rsp);
	T_RUN(t_vcs_rsp_too_many);
	T_RUN(t_bind);
	T_RUN(t_unbind);
	T_RUN(t_ld_info);
	doe_ctx_free(ctx);
	return T_DONE();
}
