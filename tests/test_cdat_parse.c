// SPDX-License-Identifier: MIT
/*
 * CDAT parser and validator (CDAT spec 1.0x Tables 1-10): every structure
 * type decoded from hand-built bytes against the spec table, every finding
 * with its exact level, offset and structure index, and the limits.
 */
#include <errno.h>
#include <stdlib.h>

#include <doekit/cdat.h>
#include "t.h"

static struct doe_ctx *ctx;

/* --- a little table builder (little-endian, as CDAT is) --- */
struct tb {
	uint8_t b[8192];
	size_t n;
};

static void put(struct tb *t, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		t->b[t->n++] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
}

static void patch(struct tb *t, size_t off, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		t->b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* header with revision 1, sequence 0x11223344; length and checksum later */
static void tb_header(struct tb *t)
{
	t->n = 0;
	put(t, 0, 4);
	put(t, 1, 1);
	put(t, 0, 1);
	put(t, 0, 6);
	put(t, 0x11223344u, 4);
}

/* header length = bytes so far, checksum so that all bytes sum to 0 */
static void tb_finish(struct tb *t)
{
	uint8_t sum = 0;

	patch(t, 0, t->n, 4);
	t->b[5] = 0;
	for (size_t i = 0; i < t->n; i++)
		sum = (uint8_t)(sum + t->b[i]);
	t->b[5] = (uint8_t)(0x100u - sum);
}

static void dsmas(struct tb *t, uint8_t handle, uint8_t flags, uint64_t base, uint64_t len)
{
	put(t, CDAT_DSMAS, 1), put(t, 0, 1), put(t, 24, 2);
	put(t, handle, 1), put(t, flags, 1), put(t, 0, 2);
	put(t, base, 8), put(t, len, 8);
}

static void dslbis(struct tb *t, uint8_t handle, uint8_t data_type, uint64_t base, uint16_t e0)
{
	put(t, CDAT_DSLBIS, 1), put(t, 0, 1), put(t, 24, 2);
	put(t, handle, 1), put(t, 0, 1), put(t, data_type, 1), put(t, 0, 1);
	put(t, base, 8);
	put(t, e0, 2), put(t, 0x1234, 2), put(t, 0x5678, 2), put(t, 0, 2);
}

/*
 * The reference table, valid, one structure of each type:
 *   @0 header  @16 DSMAS  @40 DSLBIS  @64 DSMSCIS  @84 DSIS  @92 DSEMTS
 *   @116 SSLBIS with SSLBEs @132 and @140; 148 bytes
 */
static void reference(struct tb *t)
{
	tb_header(t);
	dsmas(t, 5, CDAT_DSMAS_NON_VOLATILE | CDAT_DSMAS_SHAREABLE, 0x1122334455667788ull,
	      0x10000000u);
	dslbis(t, 5, CDAT_READ_LATENCY, 10000, 15);
	put(t, CDAT_DSMSCIS, 1), put(t, 0, 1), put(t, 20, 2);
	put(t, 5, 1), put(t, 0, 3), put(t, 0x4000000u, 8), put(t, 0x00401111u, 4);
	put(t, CDAT_DSIS, 1), put(t, 0, 1), put(t, 8, 2);
	put(t, CDAT_DSIS_MEMORY_ATTACHED, 1), put(t, 5, 1), put(t, 0, 2);
	put(t, CDAT_DSEMTS, 1), put(t, 0, 1), put(t, 24, 2);
	put(t, 5, 1), put(t, 1, 1), put(t, 0, 2), put(t, 0x1000, 8), put(t, 0x2000, 8);
	put(t, CDAT_SSLBIS, 1), put(t, 0, 1), put(t, 32, 2);
	put(t, CDAT_ACCESS_BANDWIDTH, 1), put(t, 0, 3), put(t, 1000, 8);
	put(t, 0x0100, 2), put(t, 1, 2), put(t, 48, 2), put(t, 0, 2);
	put(t, 0xFFFF, 2), put(t, 2, 2), put(t, 16, 2), put(t, 0, 2);
	tb_finish(t);
}

static struct cdat_table *parse(const struct tb *t)
{
	struct cdat_table *tab = NULL;

	T_EQ(cdat_parse(ctx, t->b, t->n, &tab), 0);
	return tab;
}

/* CDAT Table 1 */
static void t_header(void)
{
	struct tb t;
	struct cdat_table *tab;

	reference(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->hdr.length, 148);
	T_EQ(tab->hdr.revision, 1);
	T_EQ(tab->hdr.checksum, t.b[5]);
	T_EQ(tab->hdr.reserved, 0);
	T_EQ(tab->hdr.sequence, 0x11223344u);
	T_TRUE(tab->checksum_ok);
	T_EQ(tab->raw_len, 148);
	T_EQ(tab->n_structs, 6);
	T_EQ(tab->n_findings, 0);
	T_EQ(cdat_count_findings(tab, CDAT_ERROR), 0);
	T_EQ(cdat_count_findings(tab, CDAT_WARNING), 0);
	cdat_table_free(tab);
}

/* CDAT Table 3: DSMAS */
static void t_dsmas(void)
{
	struct tb t;
	struct cdat_table *tab;
	const struct cdat_struct *s;

	reference(&t);
	tab = parse(&t);
	if (!tab)
		return;
	s = &tab->structs[0];
	T_EQ(s->type, CDAT_DSMAS);
	T_EQ(s->offset, 16);
	T_EQ(s->length, 24);
	T_TRUE(s->decoded);
	T_TRUE(s->raw == NULL);
	T_EQ(s->u.dsmas.dsmad_handle, 5);
	T_EQ(s->u.dsmas.flags, 0x0C);
	T_EQ(s->u.dsmas.reserved, 0);
	T_TRUE(s->u.dsmas.dpa_base == 0x1122334455667788ull);
	T_EQ(s->u.dsmas.dpa_length, 0x10000000);
	cdat_table_free(tab);
}

/* CDAT Table 5: DSLBIS */
static void t_dslbis(void)
{
	struct tb t;
	struct cdat_table *tab;
	const struct cdat_dslbis *d;

	reference(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->structs[1].type, CDAT_DSLBIS);
	T_EQ(tab->structs[1].offset, 40);
	d = &tab->structs[1].u.dslbis;
	T_EQ(d->handle, 5);
	T_EQ(d->flags, 0);
	T_EQ(d->data_type, CDAT_READ_LATENCY);
	T_EQ(d->entry_base_unit, 10000);
	T_EQ(d->entry[0], 15);
	T_EQ(d->entry[1], 0x1234);
	T_EQ(d->entry[2], 0x5678);
	T_EQ(d->reserved2, 0);
	cdat_table_free(tab);
}

/* CDAT Table 6: DSMSCIS */
static void t_dsmscis(void)
{
	struct tb t;
	struct cdat_table *tab;
	const struct cdat_dsmscis *d;

	reference(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->structs[2].type, CDAT_DSMSCIS);
	T_EQ(tab->structs[2].offset, 64);
	T_EQ(tab->structs[2].length, 20);
	d = &tab->structs[2].u.dsmscis;
	T_EQ(d->dsmas_handle, 5);
	T_EQ(d->reserved, 0);
	T_EQ(d->memory_side_cache_size, 0x4000000);
	T_EQ(d->cache_attributes, 0x00401111);
	cdat_table_free(tab);
}

/* CDAT Table 7: DSIS */
static void t_dsis(void)
{
	struct tb t;
	struct cdat_table *tab;

	reference(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->structs[3].type, CDAT_DSIS);
	T_EQ(tab->structs[3].offset, 84);
	T_EQ(tab->structs[3].length, 8);
	T_EQ(tab->structs[3].u.dsis.flags, CDAT_DSIS_MEMORY_ATTACHED);
	T_EQ(tab->structs[3].u.dsis.handle, 5);
	cdat_table_free(tab);
}

/* CDAT Table 8: DSEMTS */
static void t_dsemts(void)
{
	struct tb t;
	struct cdat_table *tab;
	const struct cdat_dsemts *d;

	reference(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->structs[4].type, CDAT_DSEMTS);
	T_EQ(tab->structs[4].offset, 92);
	d = &tab->structs[4].u.dsemts;
	T_EQ(d->dsmas_handle, 5);
	T_EQ(d->efi_memory_type_attr, 1);
	T_EQ(d->dpa_offset, 0x1000);
	T_EQ(d->dpa_length, 0x2000);
	cdat_table_free(tab);
}

/* CDAT Tables 9 and 10: SSLBIS and its SSLBEs */
static void t_sslbis(void)
{
	struct tb t;
	struct cdat_table *tab;
	const struct cdat_sslbis *d;

	reference(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->structs[5].type, CDAT_SSLBIS);
	T_EQ(tab->structs[5].offset, 116);
	T_EQ(tab->structs[5].length, 32);
	d = &tab->structs[5].u.sslbis;
	T_EQ(d->data_type, CDAT_ACCESS_BANDWIDTH);
	T_EQ(d->entry_base_unit, 1000);
	T_EQ(d->n_entries, 2);
	if (d->n_entries == 2) {
		T_EQ(d->entries[0].port_x_id, CDAT_SSLBIS_PORT_USP);
		T_EQ(d->entries[0].port_y_id, 1);
		T_EQ(d->entries[0].latency_or_bandwidth, 48);
		T_EQ(d->entries[1].port_x_id, CDAT_SSLBIS_ANY_PORT);
		T_EQ(d->entries[1].port_y_id, 2);
		T_EQ(d->entries[1].latency_or_bandwidth, 16);
	}
	cdat_table_free(tab);
}

/* One patch of the reference table and the single finding it must cause. */
struct patch_case {
	const char *name;
	struct {
		size_t off;
		uint64_t val;
		int bytes;
	} p[2];
	bool keep_checksum;	/* don't fix the checksum after patching */
	size_t nfind;		/* total findings expected (0 means 1) */
	enum cdat_level level;
	uint32_t offset;
	int index;
	const char *msg;
};

static const struct patch_case patch_cases[] = {
	{ "checksum", { { 5, 0x42, 1 } }, true, 0, CDAT_ERROR, 5, -1,
	  "checksum 0x42 is wrong: the table sums to" },
	{ "revision 3", { { 4, 3, 1 } }, false, 0, CDAT_WARNING, 4, -1, "revision 3, expected 1 or 2" },
	{ "revision 2 is fine", { { 4, 2, 1 } }, false, 0, 0, 0, 0, NULL },
	{ "header reserved", { { 6, 0x01, 1 } }, false, 0, CDAT_WARNING, 6, -1,
	  "reserved header bytes are 0x000000000001" },
	{ "structure header reserved", { { 17, 0x22, 1 } }, false, 0, CDAT_WARNING, 17, 0,
	  "DSMAS: reserved byte of the structure header is 0x22" },
	{ "DSMAS reserved flag", { { 21, 0x0D, 1 } }, false, 0, CDAT_WARNING, 21, 0,
	  "DSMAS: reserved flag bits set in 0x0d" },
	{ "DSMAS reserved", { { 22, 0x1234, 2 } }, false, 0, CDAT_WARNING, 22, 0,
	  "DSMAS: reserved field is 0x1234" },
	{ "DSMAS range wraps", { { 24, 0xFFFFFFFFFFFFF000ull, 8 } }, false, 0, CDAT_ERROR, 24, 0,
	  "DSMAS: DPA range 0xfffffffffffff000 + 0x10000000 runs past 2^64" },
	/* the DSEMTS inside it no longer fits either */
	{ "DSMAS length 0", { { 32, 0, 8 } }, false, 2, CDAT_WARNING, 32, 0,
	  "DSMAS: DPA length is 0" },
	{ "DSLBIS handle", { { 44, 7, 1 } }, false, 0, CDAT_ERROR, 44, 1,
	  "DSLBIS: DSMAS handle 7 does not exist" },
	{ "DSLBIS hierarchy", { { 45, 5, 1 } }, false, 0, CDAT_WARNING, 45, 1,
	  "DSLBIS: memory hierarchy 5 in flags 0x05 is not 0-3" },
	{ "DSLBIS data type", { { 46, 9, 1 } }, false, 0, CDAT_ERROR, 46, 1,
	  "DSLBIS: data type 9 is not a latency or bandwidth type" },
	{ "DSLBIS reserved", { { 47, 1, 1 } }, false, 0, CDAT_WARNING, 47, 1,
	  "DSLBIS: reserved byte is 0x01" },
	{ "DSLBIS base unit", { { 48, 0, 8 } }, false, 0, CDAT_WARNING, 48, 1,
	  "DSLBIS: entry base unit is 0" },
	{ "DSLBIS reserved2", { { 62, 1, 2 } }, false, 0, CDAT_WARNING, 62, 1,
	  "DSLBIS: reserved field is 0x0001" },
	{ "DSMSCIS handle", { { 68, 7, 1 } }, false, 0, CDAT_ERROR, 68, 2,
	  "DSMSCIS: DSMAS handle 7 does not exist" },
	{ "DSMSCIS reserved", { { 69, 1, 1 } }, false, 0, CDAT_WARNING, 69, 2,
	  "DSMSCIS: reserved bytes are 0x000001" },
	{ "DSIS flags", { { 88, 3, 1 } }, false, 0, CDAT_WARNING, 88, 3,
	  "DSIS: reserved flag bits set in 0x03" },
	{ "DSIS handle", { { 89, 7, 1 } }, false, 0, CDAT_ERROR, 89, 3,
	  "DSIS: DSMAS handle 7 does not exist" },
	/* without memory attached the handle names an initiator, not a DSMAS */
	{ "DSIS handle, no memory", { { 89, 7, 1 }, { 88, 0, 1 } }, false, 0, 0, 0, 0, NULL },
	{ "DSIS reserved", { { 90, 1, 2 } }, false, 0, CDAT_WARNING, 90, 3,
	  "DSIS: reserved field is 0x0001" },
	{ "DSEMTS handle", { { 96, 7, 1 } }, false, 0, CDAT_ERROR, 96, 4,
	  "DSEMTS: DSMAS handle 7 does not exist" },
	{ "DSEMTS EFI type", { { 97, 3, 1 } }, false, 0, CDAT_WARNING, 97, 4,
	  "DSEMTS: EFI memory type and attribute 3 is reserved" },
	{ "DSEMTS reserved", { { 98, 1, 2 } }, false, 0, CDAT_WARNING, 98, 4,
	  "DSEMTS: reserved field is 0x0001" },
	{ "DSEMTS outside", { { 100, 0x0FFFF000u, 8 } }, false, 0, CDAT_ERROR, 100, 4,
	  "DSEMTS: DPA offset 0xffff000 + length 0x2000 lies outside DSMAS handle 5" },
	{ "DSEMTS at the end", { { 100, 0x0FFFE000u, 8 } }, false, 0, 0, 0, 0, NULL },
	{ "SSLBIS data type", { { 120, 6, 1 } }, false, 0, CDAT_ERROR, 120, 5,
	  "SSLBIS: data type 6 is not a latency or bandwidth type" },
	{ "SSLBIS reserved", { { 121, 1, 1 } }, false, 0, CDAT_WARNING, 121, 5,
	  "SSLBIS: reserved bytes are 0x000001" },
	{ "SSLBIS base unit", { { 124, 0, 8 } }, false, 0, CDAT_WARNING, 124, 5,
	  "SSLBIS: entry base unit is 0" },
	{ "SSLBE port X", { { 132, 0x0200, 2 } }, false, 0, CDAT_ERROR, 132, 5,
	  "SSLBIS entry 0: port X ID 0x0200 is not a port" },
	{ "SSLBE port Y", { { 142, 0x0101, 2 } }, false, 0, CDAT_ERROR, 142, 5,
	  "SSLBIS entry 1: port Y ID 0x0101 is not a port" },
	{ "SSLBE same ports", { { 134, 0x0100, 2 } }, false, 0, CDAT_WARNING, 134, 5,
	  "SSLBIS entry 0: port X and port Y are both 0x0100" },
	{ "SSLBE reserved", { { 138, 9, 2 } }, false, 0, CDAT_WARNING, 138, 5,
	  "SSLBIS entry 0: reserved field is 0x0009" },
};

static void t_findings(void)
{
	for (size_t i = 0; i < sizeof(patch_cases) / sizeof(patch_cases[0]); i++) {
		const struct patch_case *c = &patch_cases[i];
		struct cdat_table *tab = NULL;
		size_t want = c->msg ? (c->nfind ? c->nfind : 1) : 0;
		bool found = false;
		struct tb t;

		t_case_name = c->name;
		reference(&t);
		for (int k = 0; k < 2 && c->p[k].bytes; k++)
			patch(&t, c->p[k].off, c->p[k].val, c->p[k].bytes);
		if (!c->keep_checksum)
			tb_finish(&t);
		T_EQ(cdat_parse(ctx, t.b, t.n, &tab), 0);
		if (!tab)
			continue;
		T_EQ(tab->n_findings, want);
		for (size_t k = 0; c->msg && k < tab->n_findings; k++) {
			const struct cdat_finding *f = &tab->findings[k];

			if (f->offset == c->offset && f->index == c->index && f->level == c->level &&
			    strstr(f->msg, c->msg))
				found = true;
		}
		if (c->msg && !found)
			T_FAIL_("no %s at offset %u index %d containing \"%s\" (first: @%u [%d] %s)",
				cdat_level_name(c->level), c->offset, c->index, c->msg,
				tab->n_findings ? tab->findings[0].offset : 0,
				tab->n_findings ? tab->findings[0].index : 0,
				tab->n_findings ? tab->findings[0].msg : "none");
		T_EQ(tab->n_errors + tab->n_warnings, want);
		if (c->keep_checksum)
			T_TRUE(!tab->checksum_ok);
		cdat_table_free(tab);
	}
	t_case_name = "t_findings";
}

/* finds the only finding (asserting there is exactly one) */
static const struct cdat_finding *only(const struct cdat_table *tab)
{
	T_EQ(tab->n_findings, 1);
	return tab->n_findings ? &tab->findings[0] : NULL;
}

#define T_FINDING(f, lvl, off, idx, text)              \
	do {                                           \
		const struct cdat_finding *f_ = (f);   \
		if (f_) {                              \
			T_EQ(f_->level, lvl);          \
			T_EQ(f_->offset, off);         \
			T_EQ(f_->index, idx);          \
			T_CONTAINS(f_->msg, text);     \
		}                                      \
	} while (0)

static void t_too_short(void)
{
	uint8_t b[15] = { 15 };
	struct cdat_table *tab = NULL;

	T_EQ(cdat_parse(ctx, b, sizeof(b), &tab), -EBADMSG);
	T_TRUE(tab == NULL);
	T_STREQ(doe_ctx_errmsg(ctx), "CDAT: 15 bytes, shorter than the 16-byte header");
}

static void t_oversized(void)
{
	size_t n = CDAT_MAX_TABLE_LEN + 1;
	uint8_t *b = calloc(1, n);
	struct cdat_table *tab = NULL;

	if (!b)
		return;
	T_EQ(cdat_parse(ctx, b, n, &tab), -E2BIG);
	T_TRUE(tab == NULL);
	T_STREQ(doe_ctx_errmsg(ctx), "CDAT: 1048577 bytes, more than the 1048576-byte limit");
	/* exactly the limit is parsed (as 262140 four-byte unknown structures) */
	T_EQ(cdat_parse(ctx, b, CDAT_MAX_TABLE_LEN, &tab), 0);
	free(b);
	cdat_table_free(tab);
}

static void t_header_only(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 0);
	T_EQ(tab->n_findings, 0);
	cdat_table_free(tab);
}

static void t_header_length_small(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	tb_finish(&t);
	patch(&t, 0, 8, 4);
	t.b[5] = (uint8_t)(t.b[5] + 8);	/* keep the checksum right */
	tab = parse(&t);
	if (!tab)
		return;
	T_FINDING(only(tab), CDAT_ERROR, 0, -1, "header length 8 is shorter than the 16-byte header");
	cdat_table_free(tab);
}

/* header length larger than the bytes: truncated table */
static void t_truncated(void)
{
	struct tb t;
	struct cdat_table *tab;

	reference(&t);
	t.n = 140;	/* 8 bytes short: the SSLBIS at 116 (32 bytes) does not fit */
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 5);
	T_EQ(tab->n_errors, 3);
	T_EQ(tab->n_findings, 3);
	if (tab->n_findings == 3) {
		T_FINDING(&tab->findings[0], CDAT_ERROR, 0, -1,
			  "header length 148 but the table is 140 bytes (truncated)");
		T_FINDING(&tab->findings[1], CDAT_ERROR, 5, -1, "checksum");
		T_FINDING(&tab->findings[2], CDAT_ERROR, 118, 5,
			  "SSLBIS (type 5) length 32 runs past the end of the table (24 bytes left): "
			  "truncated");
	}
	cdat_table_free(tab);
}

/* header length smaller than the bytes: the rest is not part of the table */
static void t_trailing_bytes(void)
{
	struct tb t;
	struct cdat_table *tab;

	reference(&t);
	put(&t, 0x03, 1), put(&t, 0, 1), put(&t, 8, 2), put(&t, 0, 4);	/* a DSIS, outside */
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 6);
	T_TRUE(tab->checksum_ok);	/* summed over the 148 bytes of the table */
	T_FINDING(only(tab), CDAT_ERROR, 148, -1,
		  "8 bytes after the end of the table (header length 148)");
	cdat_table_free(tab);
}

static void t_struct_header_truncated(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	put(&t, CDAT_DSIS, 1), put(&t, 0, 1);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 0);
	T_FINDING(only(tab), CDAT_ERROR, 16, 0, "structure header truncated: 2 of 4 bytes left");
	cdat_table_free(tab);
}

/* a length below 4 cannot be followed (it would loop): the walk stops */
static void t_struct_length_below_header(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	dsmas(&t, 0, 0, 0, 4096);
	put(&t, CDAT_DSIS, 1), put(&t, 0, 1), put(&t, 2, 2), put(&t, 0, 4);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 1);
	T_FINDING(only(tab), CDAT_ERROR, 42, 1,
		  "DSIS (type 3) length 2 is shorter than its 4-byte header");
	cdat_table_free(tab);
}

/* a known type with the wrong length is kept, undecoded, bytes and all */
static void t_length_mismatch(void)
{
	struct tb t;
	struct cdat_table *tab;
	uint8_t out[64];
	size_t len = 0;

	tb_header(&t);
	put(&t, CDAT_DSMAS, 1), put(&t, 0, 1), put(&t, 20, 2);
	put(&t, 0x0102030405060708ull, 8), put(&t, 0x1112131415161718ull, 8);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 1);
	T_FINDING(only(tab), CDAT_ERROR, 18, 0, "DSMAS length 20, expected 24");
	if (tab->n_structs == 1) {
		T_TRUE(!tab->structs[0].decoded);
		T_EQ(tab->structs[0].raw_len, 20);
		if (tab->structs[0].raw)
			T_MEMEQ(tab->structs[0].raw, t.b + 16, 20);
	}
	T_EQ(cdat_encode(ctx, tab, out, sizeof(out), &len), 0);
	T_EQ(len, t.n);
	T_MEMEQ(out, t.b, t.n);
	cdat_table_free(tab);
}

static void t_sslbis_lengths(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	put(&t, CDAT_SSLBIS, 1), put(&t, 0, 1), put(&t, 20, 2), put(&t, 0, 16);
	tb_finish(&t);
	tab = parse(&t);
	if (tab) {
		T_FINDING(only(tab), CDAT_ERROR, 18, 0, "SSLBIS length 20 is not 16 + 8 × entries");
		cdat_table_free(tab);
	}
	/* 16 bytes is the formula with n = 0: legal, but Linux rejects it */
	tb_header(&t);
	put(&t, CDAT_SSLBIS, 1), put(&t, 0, 1), put(&t, 16, 2), put(&t, 0, 4), put(&t, 1, 8);
	tb_finish(&t);
	tab = parse(&t);
	if (tab) {
		T_FINDING(only(tab), CDAT_WARNING, 18, 0, "SSLBIS has no entries");
		T_TRUE(tab->structs[0].decoded);
		T_EQ(tab->structs[0].u.sslbis.n_entries, 0);
		cdat_table_free(tab);
	}
}

/* unknown types are skipped with a warning, and their bytes kept */
static void t_unknown_type(void)
{
	struct tb t;
	struct cdat_table *tab;
	uint8_t out[64];
	size_t len = 0;

	tb_header(&t);
	put(&t, 9, 1), put(&t, 0x5A, 1), put(&t, 10, 2), put(&t, 0x060504030201ull, 6);
	dsmas(&t, 1, 0, 0, 4096);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 2);
	T_EQ(tab->n_findings, 2);
	if (tab->n_findings == 2) {
		T_FINDING(&tab->findings[0], CDAT_WARNING, 16, 0,
			  "unknown structure type 9 (10 bytes) skipped");
		T_FINDING(&tab->findings[1], CDAT_WARNING, 17, 0,
			  "structure: reserved byte of the structure header is 0x5a");
	}
	if (tab->n_structs == 2) {
		T_TRUE(!tab->structs[0].decoded);
		T_EQ(tab->structs[0].type, 9);
		T_EQ(tab->structs[0].hdr_reserved, 0x5A);
		T_EQ(tab->structs[0].raw_len, 10);
		/* the walk goes on after it, 10 bytes later */
		T_EQ(tab->structs[1].offset, 26);
		T_TRUE(tab->structs[1].decoded);
	}
	T_EQ(cdat_encode(ctx, tab, out, sizeof(out), &len), 0);
	T_EQ(len, t.n);
	T_MEMEQ(out, t.b, t.n);
	cdat_table_free(tab);
}

static void t_duplicate_handle(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	dsmas(&t, 3, 0, 0, 4096);
	dsmas(&t, 3, 0, 4096, 4096);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_FINDING(only(tab), CDAT_ERROR, 44, 1,
		  "DSMAS: DSMAD handle 3 is already used by structure 0");
	cdat_table_free(tab);
}

/* a DSMAS may come after the structures that name it */
static void t_forward_reference(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	dslbis(&t, 4, CDAT_READ_LATENCY, 1000, 100);
	dsmas(&t, 4, 0, 0, 4096);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_findings, 0);
	cdat_table_free(tab);
}

/* reference findings come from a second pass but are sorted in by offset */
static void t_findings_sorted(void)
{
	struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	dslbis(&t, 7, CDAT_READ_LATENCY, 1000, 100);	/* @16: handle 7 missing (@20) */
	dsmas(&t, 4, 0x01, 0, 4096);			/* @40: reserved flag (@45) */
	tb_finish(&t);
	t.b[4] = 9;	/* revision (@4) */
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_findings, 3);
	if (tab->n_findings == 3) {
		T_EQ(tab->findings[0].offset, 4);
		T_EQ(tab->findings[1].offset, 20);
		T_EQ(tab->findings[2].offset, 45);
	}
	cdat_table_free(tab);
}

/* a hostile table yields at most CDAT_MAX_FINDINGS records, counts go on */
static void t_findings_capped(void)
{
	static struct tb t;
	struct cdat_table *tab;

	tb_header(&t);
	for (int i = 0; i < 1100; i++)
		put(&t, 200, 1), put(&t, 0, 1), put(&t, 4, 2);
	tb_finish(&t);
	tab = parse(&t);
	if (!tab)
		return;
	T_EQ(tab->n_structs, 1100);
	T_EQ(tab->n_findings, CDAT_MAX_FINDINGS);
	T_EQ(tab->n_warnings, 1100);
	T_EQ(cdat_count_findings(tab, CDAT_WARNING), 1100);
	cdat_table_free(tab);
}

/* Bad input never crashes: mutate the reference table byte by byte and at
 * random, and cut it at every length. Where the table is consistent (header
 * length = bytes, checksum right, structures filling it) it re-encodes
 * byte for byte. */
static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void check_any(const uint8_t *b, size_t n)
{
	struct cdat_table *tab = NULL;
	uint8_t out[256];
	size_t len = 0, total = CDAT_HEADER_LEN;
	int rc = cdat_parse(ctx, b, n, &tab);

	if (n < CDAT_HEADER_LEN) {
		T_EQ(rc, -EBADMSG);
		return;
	}
	T_EQ(rc, 0);
	if (!tab)
		return;
	for (size_t i = 0; i < tab->n_structs; i++)
		total += tab->structs[i].length;
	T_EQ(cdat_encode(ctx, tab, out, sizeof(out), &len), 0);
	if (tab->checksum_ok && tab->hdr.length == n && total == n) {
		T_EQ(len, n);
		T_MEMEQ(out, b, n);
	}
	for (size_t i = 0; i < tab->n_findings; i++)
		T_TRUE(tab->findings[i].offset <= n);
	cdat_table_free(tab);
}

static void t_never_crashes(void)
{
	struct tb ref, t;

	reference(&ref);
	for (size_t n = 0; n <= ref.n; n++)
		check_any(ref.b, n);
	for (size_t i = 0; i < ref.n; i++) {
		for (unsigned int v = 0; v < 256; v += 51) {
			t = ref;
			t.b[i] = (uint8_t)v;
			check_any(t.b, t.n);
			tb_finish(&t);
			check_any(t.b, t.n);
		}
	}
	for (int k = 0; k < 2000; k++) {
		t = ref;
		for (int m = (int)(next_rand() % 4); m >= 0; m--)
			t.b[next_rand() % t.n] = (uint8_t)next_rand();
		if (next_rand() % 2)
			tb_finish(&t);
		check_any(t.b, next_rand() % 3 ? t.n : next_rand() % (t.n + 1));
	}
}

static void t_names(void)
{
	T_STREQ(cdat_type_name(CDAT_DSMAS), "DSMAS");
	T_STREQ(cdat_type_name(CDAT_SSLBIS), "SSLBIS");
	T_TRUE(cdat_type_name(6) == NULL);
	T_EQ(cdat_type_length(CDAT_DSMSCIS), 20);
	T_EQ(cdat_type_length(CDAT_DSIS), 8);
	T_EQ(cdat_type_length(CDAT_SSLBIS), 0);
	T_EQ(cdat_type_length(6), -1);
	T_STREQ(cdat_data_type_name(CDAT_WRITE_BANDWIDTH), "write bandwidth");
	T_TRUE(cdat_data_type_name(6) == NULL);
	T_EQ(cdat_data_type_is_latency(CDAT_WRITE_LATENCY), 1);
	T_EQ(cdat_data_type_is_latency(CDAT_ACCESS_BANDWIDTH), 0);
	T_EQ(cdat_data_type_is_latency(6), -1);
	T_STREQ(cdat_data_type_unit(CDAT_ACCESS_LATENCY), "ps");
	T_STREQ(cdat_data_type_unit(CDAT_READ_BANDWIDTH), "MB/s");
	T_TRUE(cdat_data_type_unit(200) == NULL);
	T_EQ(cdat_scale(15, 10000), 150000);
	T_TRUE(cdat_scale(0xFFFF, UINT64_MAX / 2) == UINT64_MAX);
	T_STREQ(cdat_level_name(CDAT_ERROR), "error");
	T_STREQ(cdat_level_name(CDAT_WARNING), "warning");
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_header);
	T_RUN(t_dsmas);
	T_RUN(t_dslbis);
	T_RUN(t_dsmscis);
	T_RUN(t_dsis);
	T_RUN(t_dsemts);
	T_RUN(t_sslbis);
	T_RUN(t_findings);
	T_RUN(t_too_short);
	T_RUN(t_oversized);
	T_RUN(t_header_only);
	T_RUN(t_header_length_small);
	T_RUN(t_truncated);
	T_RUN(t_trailing_bytes);
	T_RUN(t_struct_header_truncated);
	T_RUN(t_struct_length_below_header);
	T_RUN(t_length_mismatch);
	T_RUN(t_sslbis_lengths);
	T_RUN(t_unknown_type);
	T_RUN(t_duplicate_handle);
	T_RUN(t_forward_reference);
	T_RUN(t_findings_sorted);
	T_RUN(t_findings_capped);
	T_RUN(t_never_crashes);
	T_RUN(t_names);
	doe_ctx_free(ctx);
	return T_DONE();
}
