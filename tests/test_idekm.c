// SPDX-License-Identifier: MIT
/*
 * The IDE_KM codec (src/idekm/codec.c, cap.c) against bytes written out
 * by hand from the layouts in docs/idekm.md (PCIe r6 §6.33.3, libspdm
 * pci_idekm.h / pcidoe.h; registers PCIe r6 §7.9.26): every object both
 * ways, the VENDOR_DEFINED wrapping, the IDE capability registers; then
 * every refusal: truncated and oversized objects, each vendor header
 * field, unknown objects, objects travelling the wrong way, register
 * counts larger than the bytes present.
 */
#include <errno.h>

#include <doekit/doekit.h>
#include <doekit/idekm.h>
#include "t.h"

static struct doe_ctx *ctx;

/* SPDM 1.2 VENDOR_DEFINED_REQUEST, PCI-SIG, IDE_KM, QUERY of port 2 */
static const uint8_t query_msg[] = {
	0x12, 0xFE, 0x00, 0x00,	/* SPDM header */
	0x03, 0x00,		/* StandardID: PCI-SIG */
	0x02,			/* Len */
	0x01, 0x00,		/* VendorID */
	0x04, 0x00,		/* PayloadLength: ProtocolID + 3 */
	0x00,			/* ProtocolID: IDE_KM */
	0x00, 0x00, 0x02,	/* QUERY, reserved, PortIndex 2 */
};

/* KEY_PROG stream 4, K1 Tx NPR (0x13), port 0, key 00..1f, IFV a0..a7 */
static const uint8_t key_prog_msg[] = {
	0x12, 0xFE, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00,
	0x30, 0x00,		/* PayloadLength 48 */
	0x00,
	0x02, 0x00, 0x00, 0x04, 0x00, 0x13, 0x00,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
};

/* KP_ACK stream 4, status 0, 0x13, port 0 (a response) */
static const uint8_t kp_ack_msg[] = {
	0x12, 0x7E, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x08, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x04, 0x00, 0x13, 0x00,
};

/* K_SET_GO stream 9, K0 Rx CPL (0x20), port 1 */
static const uint8_t go_msg[] = {
	0x12, 0xFE, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x08, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x09, 0x00, 0x20, 0x01,
};

/* K_SET_STOP stream 9, K1 Tx PR (0x03), port 1 */
static const uint8_t stop_msg[] = {
	0x12, 0xFE, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x08, 0x00, 0x00,
	0x05, 0x00, 0x00, 0x09, 0x00, 0x03, 0x01,
};

/* K_GOSTOP_ACK stream 9, K0 Tx NPR (0x12), port 1 */
static const uint8_t gostop_ack_msg[] = {
	0x12, 0x7E, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x08, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x09, 0x00, 0x12, 0x01,
};

/* QUERY_RESP with 2 bytes of registers, and one cut inside its head */
static const uint8_t qr_half[] = {
	0x12, 0x7E, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x0a, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xaa, 0xbb,
};
static const uint8_t qr_short[] = {
	0x12, 0x7E, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00, 0x07, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * IDE registers: Capability 0x00010043 (Link, Selective, IDE_KM; one TC;
 * two selective streams), Control 0; one Link block (stream 5 enabled,
 * secure); Selective 0 with one address block (stream 7 enabled, secure,
 * RIDs 0x0100..0xffff valid, addresses 0x1001xxxxx..0x201xxxxx); Selective
 * 1 with none.
 */
static const uint8_t regs[] = {
	0x43, 0x00, 0x01, 0x00,	/* IDE Capability */
	0x00, 0x00, 0x00, 0x00,	/* IDE Control */
	0x01, 0x00, 0x00, 0x05,	/* Link 0 control: enable, stream 5 */
	0x02, 0x00, 0x00, 0x00,	/* Link 0 status: secure */
	0x01, 0x00, 0x00, 0x00,	/* Sel 0 capability: 1 address block */
	0x01, 0x00, 0x00, 0x07,	/* Sel 0 control: enable, stream 7 */
	0x02, 0x00, 0x00, 0x00,	/* Sel 0 status: secure */
	0x00, 0xff, 0xff, 0x00,	/* RID 1: limit 0xffff */
	0x01, 0x00, 0x01, 0x00,	/* RID 2: valid, base 0x0100, segment 0 */
	0x01, 0x01, 0x10, 0x20,	/* Addr 1: valid, base low 0x001, limit low 0x201 */
	0x00, 0x00, 0x00, 0x00,	/* Addr 2: limit upper */
	0x01, 0x00, 0x00, 0x00,	/* Addr 3: base upper */
	0x00, 0x00, 0x00, 0x00,	/* Sel 1 capability: no address blocks */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void t_query(void)
{
	struct idekm_msg m = { .object = IDEKM_QUERY, .spdm_version = 0x12, .port_index = 2 };
	uint8_t buf[64];
	size_t len;

	T_EQ(idekm_encode(ctx, &m, buf, sizeof(buf), &len), 0);
	T_EQ(len, sizeof(query_msg));
	T_MEMEQ(buf, query_msg, sizeof(query_msg));
	memset(&m, 0xAA, sizeof(m));
	T_EQ(idekm_decode(ctx, true, query_msg, sizeof(query_msg), &m), 0);
	T_EQ(m.object, IDEKM_QUERY);
	T_EQ(m.port_index, 2);
	T_EQ(m.spdm_version, 0x12);
}

static void t_key_prog(void)
{
	struct idekm_msg m = { .object = IDEKM_KEY_PROG, .spdm_version = 0x12, .stream_id = 4,
			       .keyset = 1, .dir = IDEKM_TX, .substream = IDEKM_NPR };
	uint8_t buf[96];
	size_t len;

	for (unsigned i = 0; i < 32; i++)
		m.key[i] = (uint8_t)i;
	for (unsigned i = 0; i < 8; i++)
		m.ifv[i] = (uint8_t)(0xa0 + i);
	T_EQ(idekm_encode(ctx, &m, buf, sizeof(buf), &len), 0);
	T_EQ(len, sizeof(key_prog_msg));
	T_MEMEQ(buf, key_prog_msg, sizeof(key_prog_msg));
	T_EQ(idekm_encode(ctx, &m, buf, sizeof(key_prog_msg) - 1, &len), -EMSGSIZE);
	memset(&m, 0, sizeof(m));
	T_EQ(idekm_decode(ctx, true, key_prog_msg, sizeof(key_prog_msg), &m), 0);
	T_EQ(m.object, IDEKM_KEY_PROG);
	T_EQ(m.stream_id, 4);
	T_EQ(m.keyset, 1);
	T_EQ(m.dir, IDEKM_TX);
	T_EQ(m.substream, IDEKM_NPR);
	T_EQ(m.port_index, 0);
	T_MEMEQ(m.key, key_prog_msg + 19, 32);
	T_MEMEQ(m.ifv, key_prog_msg + 51, 8);
	idekm_msg_wipe(&m);
	T_EQ(m.key[5], 0);
}

static void t_acks(void)
{
	static const struct {
		const char *name;
		const uint8_t *msg;
		size_t len;
		struct idekm_msg m;
		bool request;
	} v[] = {
		{ "KP_ACK", kp_ack_msg, sizeof(kp_ack_msg),
		  { .object = IDEKM_KP_ACK, .spdm_version = 0x12, .stream_id = 4, .keyset = 1,
		    .dir = 1, .substream = 1 }, false },
		{ "K_SET_GO", go_msg, sizeof(go_msg),
		  { .object = IDEKM_K_SET_GO, .spdm_version = 0x12, .stream_id = 9,
		    .substream = IDEKM_CPL, .port_index = 1 }, true },
		{ "K_SET_STOP", stop_msg, sizeof(stop_msg),
		  { .object = IDEKM_K_SET_STOP, .spdm_version = 0x12, .stream_id = 9, .keyset = 1,
		    .dir = 1, .port_index = 1 }, true },
		{ "K_GOSTOP_ACK", gostop_ack_msg, sizeof(gostop_ack_msg),
		  { .object = IDEKM_K_GOSTOP_ACK, .spdm_version = 0x12, .stream_id = 9, .dir = 1,
		    .substream = IDEKM_NPR, .port_index = 1 }, false },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct idekm_msg m;
		uint8_t buf[64];
		size_t len;

		t_case_name = v[i].name;
		T_EQ(idekm_encode(ctx, &v[i].m, buf, sizeof(buf), &len), 0);
		T_EQ(len, v[i].len);
		T_MEMEQ(buf, v[i].msg, v[i].len);
		T_EQ(idekm_decode(ctx, v[i].request, v[i].msg, v[i].len, &m), 0);
		T_EQ(m.object, v[i].m.object);
		T_EQ(m.stream_id, v[i].m.stream_id);
		T_EQ(m.keyset, v[i].m.keyset);
		T_EQ(m.dir, v[i].m.dir);
		T_EQ(m.substream, v[i].m.substream);
		T_EQ(m.port_index, v[i].m.port_index);
		T_EQ(m.status, 0);
		/* the other way is refused: requests are not responses */
		T_EQ(idekm_decode(ctx, !v[i].request, v[i].msg, v[i].len, &m), -EBADMSG);
	}
	/* KP_ACK Status at offset 4 */
	{
		uint8_t b[sizeof(kp_ack_msg)];
		struct idekm_msg m;

		t_case_name = "KP_ACK status";
		memcpy(b, kp_ack_msg, sizeof(b));
		b[12 + 4] = IDEKM_KP_UNSUPPORTED_PORT;
		T_EQ(idekm_decode(ctx, false, b, sizeof(b), &m), 0);
		T_EQ(m.status, 2);
		T_STREQ(idekm_status_name(m.status), "unsupported PortIndex");
		/* a refusing KP_ACK echoes a bad sub-stream as sent; a success may not */
		b[12 + 5] = 0x30;
		b[12 + 4] = IDEKM_KP_UNSUPPORTED_VALUE;
		T_EQ(idekm_decode(ctx, false, b, sizeof(b), &m), 0);
		T_EQ(m.substream, 3);
		b[12 + 4] = IDEKM_KP_SUCCESS;
		T_EQ(idekm_decode(ctx, false, b, sizeof(b), &m), -EBADMSG);
	}
}

static void t_query_resp(void)
{
	uint8_t msg[256], buf[256];
	struct idekm_msg m = { .object = IDEKM_QUERY_RESP, .spdm_version = 0x12, .port_index = 1,
			       .dev_func = 0x08, .bus = 0x3a, .segment = 0, .max_port_index = 3,
			       .regs = regs, .regs_len = sizeof(regs) };
	static const uint8_t head[] = { 0x12, 0x7E, 0x00, 0x00, 0x03, 0x00, 0x02, 0x01, 0x00,
					0x4c, 0x00,	/* 1 + 7 + 68 */
					0x00, 0x01, 0x00, 0x01, 0x08, 0x3a, 0x00, 0x03 };
	struct idekm_sel_stream sel;
	struct idekm_cap cap;
	size_t len;

	T_EQ(sizeof(regs), 68);
	memcpy(msg, head, sizeof(head));
	memcpy(msg + sizeof(head), regs, sizeof(regs));
	T_EQ(idekm_encode(ctx, &m, buf, sizeof(buf), &len), 0);
	T_EQ(len, sizeof(head) + sizeof(regs));
	T_MEMEQ(buf, msg, len);
	T_EQ(idekm_decode(ctx, false, msg, len, &m), 0);
	T_EQ(m.object, IDEKM_QUERY_RESP);
	T_EQ(m.port_index, 1);
	T_EQ(m.dev_func, 0x08);
	T_EQ(m.bus, 0x3a);
	T_EQ(m.max_port_index, 3);
	T_EQ(m.regs_len, sizeof(regs));
	T_TRUE(m.regs == msg + sizeof(head));

	T_EQ(idekm_cap_decode(ctx, m.regs, m.regs_len, &cap), 0);
	T_EQ(cap.cap, 0x00010043);
	T_TRUE(cap.link);
	T_TRUE(cap.selective);
	T_TRUE(cap.ide_km);
	T_TRUE(!cap.tee_limited);
	T_EQ(cap.algorithms, 0);
	T_EQ(cap.nlink, 1);
	T_EQ(cap.nsel, 2);
	T_EQ(cap.trailing_dw, 0);
	T_TRUE(cap.link_streams[0].enabled);
	T_EQ(cap.link_streams[0].stream_id, 5);
	T_EQ(cap.link_streams[0].state, IDEKM_STS_SECURE);
	T_EQ(idekm_cap_sel(&cap, 0, &sel), 0);
	T_EQ(sel.naddr, 1);
	T_TRUE(sel.enabled);
	T_EQ(sel.stream_id, 7);
	T_EQ(sel.state, IDEKM_STS_SECURE);
	T_TRUE(sel.rid_valid);
	T_EQ(sel.rid_base, 0x0100);
	T_EQ(sel.rid_limit, 0xffff);
	T_EQ(sel.rid_segment, 0);
	T_TRUE(sel.addr[0].valid);
	T_EQ(sel.addr[0].base, 0x1001);
	T_EQ(sel.addr[0].limit, 0x201);
	T_EQ(idekm_cap_sel(&cap, 1, &sel), 0);
	T_EQ(sel.naddr, 0);
	T_TRUE(!sel.enabled);
	T_EQ(idekm_cap_sel(&cap, 2, &sel), -EINVAL);
}

/* The registers: every count checked against the bytes present. */
static void t_cap_counts(void)
{
	static const struct {
		const char *name;
		uint32_t cap;		/* replaces the IDE Capability register */
		size_t len;		/* bytes of regs[] kept */
		int sel0_naddr;		/* >= 0: replaces Sel 0's address block count */
		int rc;
		const char *msg;
		uint32_t trailing;
	} v[] = {
		{ "as built", 0x00010043, 68, -1, 0, NULL, 0 },
		{ "trailing DWs tolerated", 0x00000040, 68, -1, 0, NULL, 15 },
		{ "no link, no selective", 0x00000040, 8, -1, 0, NULL, 0 },
		{ "two TCs, one link block", 0x00012043, 68, -1, -EBADMSG, "Selective IDE block", 0 },
		{ "eight TCs, 68 bytes", 0x0001E041, 68, -1, -EBADMSG, "8 Link IDE blocks need 64 bytes", 0 },
		{ "three streams in 68 bytes", 0x00020043, 68, -1, -EBADMSG,
		  "Selective IDE block 2 of 3 missing", 0 },
		{ "15 address blocks", 0x00010043, 68, 15, -EBADMSG, "15 address blocks needs", 0 },
		{ "cut inside sel 1", 0x00010043, 64, -1, -EBADMSG, "block 1 with 0 address blocks", 0 },
		{ "no control register", 0x00000000, 4, -1, -EBADMSG, "no IDE Capability and Control", 0 },
		{ "half a DW", 0x00010043, 66, -1, -EBADMSG, "not whole DWs", 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t b[sizeof(regs)];
		struct idekm_cap cap;

		t_case_name = v[i].name;
		memcpy(b, regs, sizeof(b));
		doe_put_le32(b, v[i].cap);
		if (v[i].sel0_naddr >= 0)
			b[16] = (uint8_t)v[i].sel0_naddr;
		T_EQ(idekm_cap_decode(ctx, b, v[i].len, &cap), v[i].rc);
		if (v[i].msg)
			T_CONTAINS(doe_ctx_errmsg(ctx), v[i].msg);
		if (!v[i].rc)
			T_EQ(cap.trailing_dw, v[i].trailing);
	}
}

/* Every field of the wrapping and every object length, refused by name. */
static void t_refusals(void)
{
	static const struct {
		const char *name;
		const uint8_t *base;
		size_t base_len;
		int at;			/* byte to change, -1: none */
		uint8_t val;
		int cut;		/* bytes cut off (negative: added) */
		bool request;
		int rc;
		const char *msg;
	} v[] = {
		{ "StandardID", query_msg, sizeof(query_msg), 4, 0x04, 0, true, -EBADMSG, "StandardID 0x0004" },
		{ "Len", query_msg, sizeof(query_msg), 6, 0x04, 0, true, -EBADMSG, "VendorID Len 4" },
		{ "VendorID", query_msg, sizeof(query_msg), 7, 0x86, 0, true, -EBADMSG, "VendorID 0x0086" },
		{ "PayloadLength", query_msg, sizeof(query_msg), 9, 0x05, 0, true, -EBADMSG, "PayloadLength 5" },
		{ "ProtocolID", query_msg, sizeof(query_msg), 11, 0x01, 0, true, -EPROTONOSUPPORT,
		  "ProtocolID 0x01" },
		{ "SPDM code", query_msg, sizeof(query_msg), 1, 0xE0, 0, true, -EBADMSG,
		  "where VENDOR_DEFINED_REQUEST was expected" },
		{ "no header", query_msg, sizeof(query_msg), -1, 0, (int)sizeof(query_msg) - 3, true,
		  -EBADMSG, "no SPDM header" },
		{ "cut in VendorID", query_msg, sizeof(query_msg), -1, 0, (int)sizeof(query_msg) - 8,
		  true, -EBADMSG, "inside VendorID" },
		{ "empty payload", query_msg, sizeof(query_msg), 9, 0x00, 4, true, -EBADMSG, "no ProtocolID" },
		{ "unknown object", query_msg, sizeof(query_msg), 12, 0x07, 0, true, -EBADMSG,
		  "unknown ObjectID 0x07" },
		{ "QUERY oversized", query_msg, sizeof(query_msg), 9, 0x05, -1, true, -EBADMSG,
		  "QUERY: 4 bytes, expected 3" },
		{ "KEY_PROG truncated", key_prog_msg, sizeof(key_prog_msg), 9, 0x2f, 1, true, -EBADMSG,
		  "KEY_PROG: 46 bytes, expected 47" },
		{ "KEY_PROG oversized", key_prog_msg, sizeof(key_prog_msg), 9, 0x31, -1, true, -EBADMSG,
		  "KEY_PROG: 48 bytes, expected 47" },
		{ "KP_ACK truncated", kp_ack_msg, sizeof(kp_ack_msg), 9, 0x07, 1, false, -EBADMSG,
		  "KP_ACK: 6 bytes, expected 7" },
		{ "KP_ACK oversized", kp_ack_msg, sizeof(kp_ack_msg), 9, 0x09, -1, false, -EBADMSG,
		  "KP_ACK: 8 bytes, expected 7" },
		{ "K_SET_GO sub-stream 3", go_msg, sizeof(go_msg), 17, 0x30, 0, true, -EBADMSG,
		  "KeySet/Direction/SubStream 0x30" },
		{ "K_SET_GO reserved bits", go_msg, sizeof(go_msg), 17, 0x24, 0, true, -EBADMSG,
		  "KeySet/Direction/SubStream 0x24" },
		{ "K_GOSTOP_ACK truncated", gostop_ack_msg, sizeof(gostop_ack_msg), 9, 0x07, 1, false,
		  -EBADMSG, "K_GOSTOP_ACK: 6 bytes" },
		{ "KP_ACK as a request", kp_ack_msg, sizeof(kp_ack_msg), 1, 0xFE, 0, true, -EBADMSG,
		  "KP_ACK in a VENDOR_DEFINED_REQUEST" },
		{ "QUERY_RESP half DW", qr_half, sizeof(qr_half), -1, 0, 0, false, -EBADMSG,
		  "2 bytes of registers, not whole DWs" },
		{ "QUERY_RESP too short", qr_short, sizeof(qr_short), -1, 0, 0, false, -EBADMSG,
		  "QUERY_RESP: 6 bytes, at least 7" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t b[128] = { 0 };
		struct idekm_msg m;
		size_t len = (size_t)((int)v[i].base_len - v[i].cut);

		t_case_name = v[i].name;
		memcpy(b, v[i].base, v[i].base_len);
		if (v[i].at >= 0)
			b[v[i].at] = v[i].val;
		T_EQ(idekm_decode(ctx, v[i].request, b, len, &m), v[i].rc);
		T_CONTAINS(doe_ctx_errmsg(ctx), v[i].msg);
	}
}

static void t_names(void)
{
	T_STREQ(idekm_object_name(IDEKM_K_GOSTOP_ACK), "K_GOSTOP_ACK");
	T_STREQ(idekm_object_name(7), "unknown");
	T_STREQ(idekm_status_name(IDEKM_KP_INCORRECT_LENGTH), "incorrect length");
	T_STREQ(idekm_status_name(IDEKM_KP_UNSPECIFIED), "unspecified failure");
	T_STREQ(idekm_status_name(5), "unknown");
	T_STREQ(idekm_substream_name(IDEKM_CPL), "CPL");
	T_STREQ(idekm_substream_name(3), "unknown");
	T_STREQ(idekm_dir_name(IDEKM_TX), "Tx");
	T_STREQ(idekm_dir_name(IDEKM_RX), "Rx");
	T_EQ(idekm_ksd_byte(1, IDEKM_TX, IDEKM_CPL), 0x23);
	{
		uint8_t k, d, s;

		T_EQ(idekm_ksd_parse(0x23, &k, &d, &s), 0);
		T_EQ(k, 1);
		T_EQ(d, 1);
		T_EQ(s, 2);
		T_EQ(idekm_ksd_parse(0x08, &k, &d, &s), -EINVAL);
		T_EQ(idekm_ksd_parse(0xF0, &k, &d, &s), -EINVAL);
	}
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_query);
	T_RUN(t_key_prog);
	T_RUN(t_acks);
	T_RUN(t_query_resp);
	T_RUN(t_cap_counts);
	T_RUN(t_refusals);
	T_RUN(t_names);
	doe_ctx_free(ctx);
	return T_DONE();
}
