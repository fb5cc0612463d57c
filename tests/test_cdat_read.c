// SPDX-License-Identifier: MIT
/*
 * CXL Table Access (CXL r3.1 §8.1.11.1): the reader state machine, and
 * cdat_read() through an emulated function's mailbox over the real register
 * protocol, against the emulator's CDAT responder and each of its faults.
 */
#include <errno.h>
#include <stdlib.h>

#include <doekit/cdat.h>
#include <doekit/doe.h>
#include <doekit/emu.h>
#include "t.h"

static struct doe_ctx *ctx;

/* One emulated type 3 function with a CDAT mailbox, opened for reading. */
struct dev {
	struct emu_fn *fn;
	struct emu_mb *emb;
	struct doe_cfg *cfg;
	struct doe_mb *mb;
};

static int dev_open(struct dev *d, const void *table, size_t len)
{
	struct emu_fn_info info = { .bdf = { 0, 0x0f, 0, 0 }, .vendor_id = 0x8086,
				    .device_id = 0x0d93, .port_type = EMU_PCIE_ENDPOINT,
				    .link_speed = 5, .link_width = 8, .label = "test type 3" };

	memset(d, 0, sizeof(*d));
	if (emu_fn_new(ctx, &info, &d->fn) || emu_fn_add_doe(d->fn, 1, false, &d->emb) ||
	    emu_mb_add_protocol(d->emb, DOE_VENDOR_CXL, DOE_TYPE_CXL_TABLE_ACCESS, NULL, NULL) ||
	    emu_fn_set_cdat(d->fn, table, len) || emu_fn_cfg_open(d->fn, &d->cfg) ||
	    doe_mb_new(d->cfg, emu_mb_offset(d->emb), &d->mb) ||
	    doe_mb_set_timeout_ms(d->mb, 20)) {
		T_FAIL_("cannot set up the emulated device: %s", doe_ctx_errmsg(ctx));
		return -1;
	}
	return 0;
}

static void dev_close(struct dev *d)
{
	doe_mb_free(d->mb);
	doe_cfg_free(d->cfg);
	emu_fn_free(d->fn);
}

static uint64_t requests(const struct dev *d)
{
	struct emu_mb_stats st;

	emu_mb_stats(d->emb, &st);
	return st.requests;
}

/* The built-in type 3 table: 300 bytes, header + 12 structures. */
static uint8_t *type3(size_t *len)
{
	uint8_t *t = NULL;

	T_EQ(emu_cdat_type3_table(ctx, &t, len), 0);
	return t;
}

static void t_req_encode(void)
{
	uint8_t req[4];

	/* DW2: Request Code 0, Table Type 0, Entry Handle 31:16 */
	cdat_ta_req_encode(0x1234, req);
	T_EQ(req[0], 0);
	T_EQ(req[1], 0);
	T_EQ(req[2], 0x34);
	T_EQ(req[3], 0x12);
}

static void t_rsp_parse(void)
{
	const uint8_t ok[] = { 0, 0, 0x03, 0x00, 0xAA, 0xBB };
	const uint8_t code[] = { 1, 0, 0xFF, 0xFF };
	const uint8_t type[] = { 0, 2, 0xFF, 0xFF };
	const uint8_t *entry = NULL;
	size_t entry_len = 0;
	uint16_t next = 0;

	T_EQ(cdat_ta_rsp_parse(ctx, ok, sizeof(ok), &next, &entry, &entry_len), 0);
	T_EQ(next, 3);
	T_EQ(entry_len, 2);
	T_TRUE(entry == ok + 4);
	T_EQ(cdat_ta_rsp_parse(ctx, ok, 3, &next, &entry, &entry_len), -EBADMSG);
	T_STREQ(doe_ctx_errmsg(ctx), "Table Access response: 3 bytes, shorter than its 4-byte header");
	T_EQ(cdat_ta_rsp_parse(ctx, code, sizeof(code), &next, &entry, &entry_len), -EPROTO);
	T_STREQ(doe_ctx_errmsg(ctx), "Table Access response code 1, expected 0 (Read Entry)");
	T_EQ(cdat_ta_rsp_parse(ctx, type, sizeof(type), &next, &entry, &entry_len), -EPROTO);
	T_STREQ(doe_ctx_errmsg(ctx), "Table Access table type 2, expected 0 (CDAT)");
	T_EQ(cdat_ta_rsp_parse(ctx, NULL, 0, &next, &entry, &entry_len), -EBADMSG);
}

/* The state machine alone: requests name exactly the handles returned. */
static void t_reader_steps(void)
{
	struct cdat_reader *r = NULL;
	uint8_t req[4], *table = NULL;
	size_t len = 0;
	/* header of a 24-byte table, then one 8-byte DSIS */
	const uint8_t rsp0[] = { 0, 0, 0x07, 0x00, 24, 0, 0, 0, 1, 0, 0, 0,
				 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t rsp7[] = { 0, 0, 0xFF, 0xFF, 3, 0, 8, 0, 1, 2, 0, 0 };

	T_EQ(cdat_reader_new(ctx, &r), 0);
	if (!r)
		return;
	T_EQ(cdat_reader_step(r, NULL, 0, req), 1);
	T_EQ(req[2] | req[3] << 8, 0);
	T_EQ(cdat_reader_step(r, rsp0, sizeof(rsp0), req), 1);
	T_EQ(cdat_reader_handle(r), 7);		/* the handle the device named */
	T_EQ(req[2] | req[3] << 8, 7);
	T_EQ(cdat_reader_take(r, &table, &len), -EINVAL);	/* not complete yet */
	T_EQ(cdat_reader_step(r, rsp7, sizeof(rsp7), req), 0);
	T_EQ(cdat_reader_entries(r), 2);
	T_EQ(cdat_reader_take(r, &table, &len), 0);
	T_EQ(len, 24);
	if (table) {
		T_MEMEQ(table, rsp0 + 4, 16);
		T_MEMEQ(table + 16, rsp7 + 4, 8);
	}
	T_EQ(cdat_reader_step(r, rsp7, sizeof(rsp7), req), -EINVAL);	/* done */
	free(table);
	cdat_reader_free(r);
}

/* Entry 0 is exactly the 16-byte header: 4 bytes more is not a header. */
static void t_reader_header_too_long(void)
{
	const uint8_t rsp0[] = { 0, 0, 0x01, 0x00, 24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
				 0, 0, 0, 0, 0xAA, 0xBB, 0xCC, 0xDD };
	struct cdat_reader *r = NULL;
	uint8_t req[4];

	T_EQ(cdat_reader_new(ctx, &r), 0);
	if (!r)
		return;
	T_EQ(cdat_reader_step(r, NULL, 0, req), 1);
	T_EQ(cdat_reader_step(r, rsp0, sizeof(rsp0), req), -EBADMSG);
	T_STREQ(doe_ctx_errmsg(ctx), "CDAT entry handle 0: header entry is 20 bytes, expected 16");
	cdat_reader_free(r);
}

/* The default type 3 table read over the register protocol, byte for byte,
 * with one request per entry and nothing more. */
static void t_read_type3(void)
{
	size_t len = 0, got_len = 0;
	uint8_t *want = type3(&len), *got = NULL;
	struct cdat_table *tab = NULL;
	struct dev d;

	if (!want || dev_open(&d, want, len))
		goto out;
	T_EQ(len, 300);
	T_EQ(cdat_read(d.mb, &got, &got_len), 0);
	T_EQ(got_len, len);
	if (got && got_len == len)
		T_MEMEQ(got, want, len);
	T_EQ(requests(&d), 13);
	T_EQ(cdat_parse(ctx, got, got_len, &tab), 0);
	if (tab) {
		T_EQ(tab->n_structs, 12);
		T_EQ(tab->n_errors + tab->n_warnings, 0);
	}
	cdat_table_free(tab);
	free(got);
	dev_close(&d);
out:
	free(want);
}

/* The profiles serve the built-in tables: type 3 endpoint and switch
 * upstream port (SSLBIS for downstream ports 1 and 2). */
static void t_profile_tables(void)
{
	const struct {
		const char *bdf;
		bool is_switch;
	} fns[] = { { "0000:0d:00.0", true }, { "0000:0f:00.0", false }, { "0000:10:00.0", false } };
	const uint8_t ports[] = { 1, 2 };
	struct emu_topo *topo = NULL;

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	if (!topo)
		return;
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct doe_bdf bdf;
		struct emu_fn *fn;
		struct doe_cfg *cfg = NULL;
		struct doe_mb *mb = NULL;
		uint8_t *want = NULL, *got = NULL;
		size_t want_len = 0, got_len = 0;

		t_case_name = fns[i].bdf;
		doe_bdf_parse(fns[i].bdf, &bdf);
		fn = emu_topo_find(topo, &bdf);
		if (!fn || emu_fn_cfg_open(fn, &cfg) ||
		    doe_mb_new(cfg, emu_mb_offset(emu_fn_mailbox(fn, 0)), &mb)) {
			T_FAIL_("%s: %s", fns[i].bdf, doe_ctx_errmsg(ctx));
			doe_cfg_free(cfg);
			continue;
		}
		if (fns[i].is_switch)
			T_EQ(emu_cdat_switch_table(ctx, ports, 2, &want, &want_len), 0);
		else
			T_EQ(emu_cdat_type3_table(ctx, &want, &want_len), 0);
		T_EQ(cdat_read(mb, &got, &got_len), 0);
		T_EQ(got_len, want_len);
		if (got && want && got_len == want_len)
			T_MEMEQ(got, want, want_len);
		free(want);
		free(got);
		doe_mb_free(mb);
		doe_cfg_free(cfg);
	}
	t_case_name = "t_profile_tables";
	emu_topo_free(topo);
}

/* The switch downstream ports carry their Port Number (Link Capabilities
 * 31:24), which SSLBIS names them by. */
static void t_port_numbers(void)
{
	struct emu_topo *topo = NULL;
	const char *bdfs[] = { "0000:0e:00.0", "0000:0e:01.0" };

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	if (!topo)
		return;
	for (int i = 0; i < 2; i++) {
		struct doe_bdf bdf;
		struct doe_cfg *cfg = NULL;
		uint32_t lnkcap = 0;

		doe_bdf_parse(bdfs[i], &bdf);
		T_EQ(emu_fn_cfg_open(emu_topo_find(topo, &bdf), &cfg), 0);
		T_EQ(doe_cfg_read32(cfg, 0x40 + 0x0C, &lnkcap), 0);
		T_EQ(lnkcap >> 24, i + 1);
		T_EQ(lnkcap & 0xF, 5);		/* 32 GT/s */
		T_EQ((lnkcap >> 4) & 0x3F, 16);	/* x16 */
		doe_cfg_free(cfg);
	}
	emu_topo_free(topo);
}

/* Each responder fault: exact code, message naming the entry handle, and
 * how many requests the reader made (it never asks for a handle the device
 * did not name, nor beyond the header length). */
static const struct fault_case {
	const char *name;
	enum emu_cdat_fault fault;
	uint16_t handle;
	int rc;
	const char *msg;
	uint64_t requests;
} fault_cases[] = {
	{ "handle loop", EMU_CDAT_FAULT_HANDLE_LOOP, 3, -ELOOP,
	  "CDAT entry handle 3: the device names entry handle 2 next, which was already read "
	  "(loop after 4 entries)", 4 },
	{ "handle loop at the header", EMU_CDAT_FAULT_HANDLE_LOOP, 0, -ELOOP,
	  "CDAT entry handle 0: the device names entry handle 0 next, which was already read", 1 },
	{ "next beyond the last, mid-table", EMU_CDAT_FAULT_NEXT_BEYOND, 5, -EIO,
	  "CDAT entry handle 13: 0000:0f:00.0 DOE@0x100: device set Error", 7 },
	{ "next beyond the last, at the end", EMU_CDAT_FAULT_NEXT_BEYOND, 12, -E2BIG,
	  "CDAT entry handle 12: the device names entry handle 13 next, but only 0 of the 300 "
	  "bytes in the header length are left: more entries than the header allows", 13 },
	{ "extra entry past the header length", EMU_CDAT_FAULT_EXTRA_ENTRY, 0, -E2BIG,
	  "CDAT entry handle 12: the device names entry handle 13 next, but only 0 of the 300", 13 },
	{ "table ends early", EMU_CDAT_FAULT_END_EARLY, 4, -EBADMSG,
	  "CDAT entry handle 4: the device ended the table after 112 of 300 bytes (header "
	  "length): table ended early", 5 },
	{ "bad response code", EMU_CDAT_FAULT_BAD_RSP_CODE, 2, -EPROTO,
	  "CDAT entry handle 2: Table Access response code 1, expected 0 (Read Entry)", 3 },
	{ "bad table type", EMU_CDAT_FAULT_BAD_TABLE_TYPE, 0, -EPROTO,
	  "CDAT entry handle 0: Table Access table type 1, expected 0 (CDAT)", 1 },
	{ "short response", EMU_CDAT_FAULT_SHORT_RSP, 1, -EBADMSG,
	  "CDAT entry handle 1: Table Access response: 0 bytes, shorter than its 4-byte header", 2 },
	{ "stops answering", EMU_CDAT_FAULT_STALL, 3, -ETIMEDOUT,
	  "CDAT entry handle 3: 0000:0f:00.0 DOE@0x100: no response after 20 ms (waiting for Data "
	  "Object Ready)", 4 },
	{ "fault on an entry never read", EMU_CDAT_FAULT_STALL, 40, 0, NULL, 13 },
};

static void t_faults(void)
{
	size_t len = 0;
	uint8_t *table = type3(&len);

	for (size_t i = 0; table && i < sizeof(fault_cases) / sizeof(fault_cases[0]); i++) {
		const struct fault_case *c = &fault_cases[i];
		uint8_t *got = NULL;
		size_t got_len = 0;
		struct dev d;

		t_case_name = c->name;
		if (dev_open(&d, table, len))
			break;
		T_EQ(emu_fn_set_cdat_fault(d.fn, c->fault, c->handle), 0);
		T_EQ(cdat_read(d.mb, &got, &got_len), c->rc);
		if (c->msg)
			T_CONTAINS(doe_ctx_errmsg(ctx), c->msg);
		T_EQ(requests(&d), c->requests);
		if (c->rc)
			T_TRUE(got == NULL);
		/* the mailbox is still usable afterwards (Abort cleared a stall) */
		emu_fn_set_cdat_fault(d.fn, EMU_CDAT_FAULT_NONE, 0);
		free(got);
		got = NULL;
		T_EQ(cdat_read(d.mb, &got, &got_len), 0);
		T_EQ(got_len, len);
		free(got);
		dev_close(&d);
	}
	t_case_name = "t_faults";
	free(table);
}

/* Malformed tables served as they are. */
static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
	p[3] = (uint8_t)(v >> 24);
}

static void t_malformed_tables(void)
{
	static const struct {
		const char *name;
		uint32_t hdr_len;	/* header length field */
		size_t bytes;		/* bytes of the 300-byte type 3 table served */
		int patch_off;		/* patch a 16-bit field, -1 for none */
		uint16_t patch_val;
		int rc;
		const char *msg;
	} cases[] = {
		{ "oversized", 2u << 20, 300, -1, 0, -E2BIG,
		  "CDAT entry handle 0: header length 2097152 exceeds the 1048576-byte limit" },
		{ "header length below 16", 8, 300, -1, 0, -EBADMSG,
		  "CDAT entry handle 0: header length 8 is shorter than the header" },
		{ "header entry short", 300, 8, -1, 0, -EBADMSG,
		  "CDAT entry handle 0: header entry is 8 bytes, expected 16" },
		{ "total below header length", 400, 300, -1, 0, -EBADMSG,
		  "CDAT entry handle 12: the device ended the table after 300 of 400 bytes" },
		{ "structure past header length", 100, 300, -1, 0, -E2BIG,
		  "CDAT entry handle 4: structure of 24 bytes goes past the header length 100 "
		  "(88 bytes read)" },
		/* last structure (DSEMTS @276) claims 40 bytes; 24 are left, served as one entry */
		{ "structure longer than the response", 300, 300, 278, 40, -EBADMSG,
		  "CDAT entry handle 12: structure length 40 but the response carries 24 bytes" },
		{ "structure length below 4", 300, 300, 18, 2, -EBADMSG,
		  "CDAT entry handle 1: structure length 2 is shorter than its header" },
	};
	size_t len = 0;
	uint8_t *table = type3(&len);

	for (size_t i = 0; table && i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[300], *got = NULL;
		size_t got_len = 0;
		struct dev d;

		t_case_name = cases[i].name;
		memcpy(buf, table, sizeof(buf));
		put_le32(buf, cases[i].hdr_len);
		if (cases[i].patch_off >= 0) {
			buf[cases[i].patch_off] = (uint8_t)cases[i].patch_val;
			buf[cases[i].patch_off + 1] = (uint8_t)(cases[i].patch_val >> 8);
		}
		if (dev_open(&d, buf, cases[i].bytes))
			break;
		T_EQ(cdat_read(d.mb, &got, &got_len), cases[i].rc);
		T_CONTAINS(doe_ctx_errmsg(ctx), cases[i].msg);
		T_TRUE(got == NULL);
		dev_close(&d);
	}
	t_case_name = "t_malformed_tables";
	free(table);
}

/* A structure whose length is not a whole number of DWs arrives padded;
 * the reader keeps exactly its length. */
static void t_unaligned_structure(void)
{
	uint8_t table[16 + 6] = { 22, 0, 0, 0, 1 };
	uint8_t *got = NULL;
	size_t got_len = 0;
	struct dev d;

	table[16] = 0x42, table[18] = 6, table[20] = 0xAB, table[21] = 0xCD;	/* unknown type */
	if (dev_open(&d, table, sizeof(table)))
		return;
	T_EQ(cdat_read(d.mb, &got, &got_len), 0);
	T_EQ(got_len, sizeof(table));
	if (got && got_len == sizeof(table))
		T_MEMEQ(got, table, sizeof(table));
	free(got);
	dev_close(&d);
}

/* The faulty profile's CDAT devices, as emu/topology.c documents them. */
static void t_faulty_profile(void)
{
	static const struct {
		const char *bdf;
		int rc;
		const char *msg;
	} cases[] = {
		{ "0000:11:00.0", 0, NULL },
		{ "0000:12:00.0", -ELOOP, "CDAT entry handle 3: the device names entry handle 2 next" },
		{ "0000:13:00.0", -ETIMEDOUT,
		  "CDAT entry handle 3: 0000:13:00.0 DOE@0x184: no response after 20 ms" },
	};
	struct emu_topo *topo = NULL;

	T_EQ(emu_topo_new(ctx, "faulty", &topo), 0);
	for (size_t i = 0; topo && i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct doe_bdf bdf;
		struct emu_fn *fn;
		struct doe_cfg *cfg = NULL;
		struct doe_mb *mb = NULL;
		struct cdat_table *tab = NULL;
		uint8_t *got = NULL;
		size_t got_len = 0;

		t_case_name = cases[i].bdf;
		doe_bdf_parse(cases[i].bdf, &bdf);
		fn = emu_topo_find(topo, &bdf);
		if (!fn || emu_fn_cfg_open(fn, &cfg) ||
		    doe_mb_new(cfg, emu_mb_offset(emu_fn_mailbox(fn, 0)), &mb)) {
			T_FAIL_("%s missing", cases[i].bdf);
			doe_cfg_free(cfg);
			continue;
		}
		doe_mb_set_timeout_ms(mb, 20);
		T_EQ(cdat_read(mb, &got, &got_len), cases[i].rc);
		if (cases[i].msg)
			T_CONTAINS(doe_ctx_errmsg(ctx), cases[i].msg);
		if (got) {
			/* 11:00.0: read fine, the checksum is what is wrong */
			T_EQ(cdat_parse(ctx, got, got_len, &tab), 0);
			if (tab) {
				T_TRUE(!tab->checksum_ok);
				T_EQ(tab->n_errors, 1);
				T_EQ(tab->n_findings ? tab->findings[0].offset : 0, 5);
			}
			cdat_table_free(tab);
		}
		free(got);
		doe_mb_free(mb);
		doe_cfg_free(cfg);
	}
	t_case_name = "t_faulty_profile";
	emu_topo_free(topo);
}

static void t_set_cdat_errors(void)
{
	struct emu_fn_info info = { .bdf = { 0, 1, 0, 0 }, .port_type = EMU_PCIE_ENDPOINT,
				    .label = "no CDAT mailbox" };
	struct emu_fn *fn = NULL;
	uint8_t table[16] = { 16 };

	T_EQ(emu_fn_new(ctx, &info, &fn), 0);
	if (!fn)
		return;
	T_EQ(emu_fn_add_doe(fn, 1, false, NULL), 0);
	T_EQ(emu_fn_set_cdat(fn, table, sizeof(table)), -ENOENT);
	T_STREQ(doe_ctx_errmsg(ctx), "emulated no CDAT mailbox: no mailbox lists CXL Table Access");
	T_EQ(emu_fn_set_cdat_fault(fn, EMU_CDAT_FAULT_STALL, 1), -ENOENT);
	emu_fn_free(fn);
}

static void t_fault_names(void)
{
	for (int k = 0; k < EMU_CDAT_FAULT_COUNT; k++) {
		enum emu_cdat_fault back = EMU_CDAT_FAULT_NONE;

		T_EQ(emu_cdat_fault_parse(emu_cdat_fault_name((enum emu_cdat_fault)k), &back), 0);
		T_EQ(back, k);
	}
	T_STREQ(emu_cdat_fault_name(EMU_CDAT_FAULT_HANDLE_LOOP), "handle-loop");
	T_STREQ(emu_cdat_fault_name(EMU_CDAT_FAULT_STALL), "stall");
	T_STREQ(emu_cdat_fault_name((enum emu_cdat_fault)EMU_CDAT_FAULT_COUNT), "?");
	T_EQ(emu_cdat_fault_parse("bogus", &(enum emu_cdat_fault){ 0 }), -EINVAL);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_req_encode);
	T_RUN(t_rsp_parse);
	T_RUN(t_reader_steps);
	T_RUN(t_reader_header_too_long);
	T_RUN(t_read_type3);
	T_RUN(t_profile_tables);
	T_RUN(t_port_numbers);
	T_RUN(t_faults);
	T_RUN(t_malformed_tables);
	T_RUN(t_unaligned_structure);
	T_RUN(t_faulty_profile);
	T_RUN(t_set_cdat_errors);
	T_RUN(t_fault_names);
	doe_ctx_free(ctx);
	return T_DONE();
}
