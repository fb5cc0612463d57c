// SPDX-License-Identifier: MIT
/*
 * CDAT JSON (tools/doe/cdat_json.c): binary -> JSON text -> binary is byte
 * for byte for the built-in tables and for hand-built ones with nonzero
 * reserved fields, unknown types and 64-bit values; JSON errors name the
 * member; the text rendering shows values with their units.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <doekit/cdat.h>
#include <doekit/emu.h>
#include "cdat_json.h"
#include "jin.h"
#include "t.h"

static struct doe_ctx *ctx;

/* Parses text strictly, as doe does, under the name "t.json". */
static int parse(const char *text, struct json_object **o)
{
	const struct jin j = { .ctx = ctx, .doc = "t.json" };

	return jin_parse(&j, text, strlen(text), o);
}

static int from_json(struct json_object *o, struct cdat_table **tab)
{
	const struct jin j = { .ctx = ctx, .doc = "t.json" };

	return cdat_table_from_json(&j, o, tab);
}

/* bytes -> table -> JSON text -> JSON (strict) -> table -> bytes */
static void round_trip(const uint8_t *bin, size_t len)
{
	struct cdat_table *tab = NULL, *back = NULL;
	struct json_object *o, *parsed;
	uint8_t *out = NULL;
	size_t out_len = 0;

	T_EQ(cdat_parse(ctx, bin, len, &tab), 0);
	if (!tab)
		return;
	o = cdat_table_to_json(tab);
	T_TRUE(o != NULL);
	T_EQ(parse(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), &parsed), 0);
	T_EQ(from_json(parsed, &back), 0);
	if (back) {
		T_EQ(cdat_encode_alloc(ctx, back, &out, &out_len), 0);
		T_EQ(out_len, len);
		if (out && out_len == len)
			T_MEMEQ(out, bin, len);
	} else {
		T_FAIL_("from_json: %s", doe_ctx_errmsg(ctx));
	}
	free(out);
	cdat_table_free(back);
	json_object_put(parsed);
	json_object_put(o);
	cdat_table_free(tab);
}

static void t_round_trip_defaults(void)
{
	const uint8_t ports[] = { 1, 2, 7, 0xFF };
	uint8_t *bin = NULL;
	size_t len = 0;

	T_EQ(emu_cdat_type3_table(ctx, &bin, &len), 0);
	if (bin)
		round_trip(bin, len);
	free(bin);
	bin = NULL;
	T_EQ(emu_cdat_switch_table(ctx, ports, 4, &bin, &len), 0);
	if (bin)
		round_trip(bin, len);
	free(bin);
}

/* little-endian builder */
struct tb {
	uint8_t b[512];
	size_t n;
};

static void put(struct tb *t, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		t->b[t->n++] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
}

static void finish(struct tb *t)
{
	uint8_t sum = 0;

	for (int i = 0; i < 4; i++)
		t->b[i] = (uint8_t)(t->n >> (8 * i));
	t->b[5] = 0;
	for (size_t i = 0; i < t->n; i++)
		sum = (uint8_t)(sum + t->b[i]);
	t->b[5] = (uint8_t)(0x100u - sum);
}

/* Every reserved field nonzero, an unknown type, a DSMAS with a wrong
 * length, 64-bit values above INT64_MAX: still identical after JSON. */
static void t_round_trip_hand_built(void)
{
	struct tb t = { .n = 0 };

	put(&t, 0, 4), put(&t, 7, 1), put(&t, 0, 1), put(&t, 0xA1B2C3D4E5F6ull, 6),
		put(&t, 0xFFFFFFFFu, 4);
	/* DSMAS, header reserved 0x11, flags with reserved bits, reserved 0xBEEF */
	put(&t, 0, 1), put(&t, 0x11, 1), put(&t, 24, 2), put(&t, 0xFE, 1), put(&t, 0xFF, 1),
		put(&t, 0xBEEF, 2), put(&t, 0xFFFFFFFF00000000ull, 8), put(&t, 0x100000000ull, 8);
	/* DSLBIS with everything reserved set and entries [1..3] */
	put(&t, 1, 1), put(&t, 0x22, 1), put(&t, 24, 2), put(&t, 0xFE, 1), put(&t, 0x0F, 1),
		put(&t, 0xFF, 1), put(&t, 0xAA, 1), put(&t, UINT64_MAX, 8), put(&t, 0xFFFF, 2),
		put(&t, 2, 2), put(&t, 3, 2), put(&t, 0xBBBB, 2);
	/* DSMSCIS reserved 3 bytes */
	put(&t, 2, 1), put(&t, 0, 1), put(&t, 20, 2), put(&t, 0xFE, 1), put(&t, 0xC0FFEE, 3),
		put(&t, 0x8000000000000001ull, 8), put(&t, 0xDEADBEEF, 4);
	/* DSIS */
	put(&t, 3, 1), put(&t, 0, 1), put(&t, 8, 2), put(&t, 0xFF, 1), put(&t, 9, 1),
		put(&t, 0x1234, 2);
	/* DSEMTS */
	put(&t, 4, 1), put(&t, 0, 1), put(&t, 24, 2), put(&t, 0xFE, 1), put(&t, 200, 1),
		put(&t, 0x4321, 2), put(&t, UINT64_MAX, 8), put(&t, UINT64_MAX, 8);
	/* SSLBIS, reserved set, two entries with reserved set and bad port IDs */
	put(&t, 5, 1), put(&t, 0x33, 1), put(&t, 32, 2), put(&t, 0x99, 1), put(&t, 0x010203, 3),
		put(&t, 12345, 8);
	put(&t, 0x0100, 2), put(&t, 0x0FFF, 2), put(&t, 7, 2), put(&t, 0xFFFF, 2);
	put(&t, 0xFFFF, 2), put(&t, 0xFFFF, 2), put(&t, 0, 2), put(&t, 1, 2);
	/* unknown type 77, 7 bytes */
	put(&t, 77, 1), put(&t, 0x44, 1), put(&t, 7, 2), put(&t, 0xABCDEF, 3);
	/* DSMAS with length 12 (wrong): kept raw */
	put(&t, 0, 1), put(&t, 0, 1), put(&t, 12, 2), put(&t, 0x0102030405060708ull, 8);
	/* SSLBIS with no entries */
	put(&t, 5, 1), put(&t, 0, 1), put(&t, 16, 2), put(&t, 0, 4), put(&t, 1, 8);
	finish(&t);
	round_trip(t.b, t.n);
}

static struct json_object *to_json(const uint8_t *bin, size_t len, struct cdat_table **tab)
{
	T_EQ(cdat_parse(ctx, bin, len, tab), 0);
	return *tab ? cdat_table_to_json(*tab) : NULL;
}

static struct json_object *at(struct json_object *o, const char *path)
{
	/* "structures.2.value": object keys and array indices */
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok_r(buf, ".", &save); o && tok; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(o, tok, &o))
			o = NULL;
	}
	if (!o)
		T_FAIL_("no %s in the JSON", path);
	return o;
}

static uint64_t u64_at(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	return v ? json_object_get_uint64(v) : 0xDEAD;
}

static const char *str_at(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	return v ? json_object_get_string(v) : "(missing)";
}

/* The schema: header, fields in snake_case, value and unit on DSLBIS and
 * SSLBE, findings with level, offset, index, message. */
static void t_schema(void)
{
	const uint8_t ports[] = { 1, 2 };
	struct cdat_table *tab = NULL;
	struct json_object *o;
	uint8_t *bin = NULL;
	size_t len = 0;

	T_EQ(emu_cdat_type3_table(ctx, &bin, &len), 0);
	o = to_json(bin, len, &tab);
	if (o) {
		T_EQ(u64_at(o, "length"), 300);
		T_EQ(u64_at(o, "revision"), 1);
		T_TRUE(json_object_get_boolean(at(o, "checksum_ok")));
		T_EQ(u64_at(o, "sequence"), 1);
		T_EQ(json_object_array_length(at(o, "structures")), 12);
		T_STREQ(str_at(o, "structures.1.type"), "DSMAS");
		T_EQ(u64_at(o, "structures.1.dsmad_handle"), 1);
		T_EQ(u64_at(o, "structures.1.flags"), CDAT_DSMAS_NON_VOLATILE);
		T_EQ(u64_at(o, "structures.1.dpa_base"), 256u << 20);
		T_EQ(u64_at(o, "structures.1.dpa_length"), 256u << 20);
		T_EQ(u64_at(o, "structures.1.offset"), 40);
		T_STREQ(str_at(o, "structures.3.type"), "DSLBIS");
		T_EQ(u64_at(o, "structures.3.data_type"), CDAT_WRITE_LATENCY);
		T_EQ(u64_at(o, "structures.3.entry_base_unit"), 10000);
		T_EQ(u64_at(o, "structures.3.entry.0"), 25);
		T_EQ(u64_at(o, "structures.3.value"), 250000);
		T_STREQ(str_at(o, "structures.3.unit"), "ps");
		T_EQ(u64_at(o, "structures.4.value"), 16000);
		T_STREQ(str_at(o, "structures.4.unit"), "MB/s");
		T_STREQ(str_at(o, "structures.10.type"), "DSMSCIS");
		T_EQ(u64_at(o, "structures.10.memory_side_cache_size"), 64u << 20);
		T_EQ(u64_at(o, "structures.10.cache_attributes"), 0x00401111);
		T_STREQ(str_at(o, "structures.11.type"), "DSEMTS");
		T_EQ(u64_at(o, "structures.11.efi_memory_type_attr"), 1);
		T_EQ(json_object_array_length(at(o, "findings")), 0);
	}
	json_object_put(o);
	cdat_table_free(tab);
	free(bin);

	bin = NULL;
	tab = NULL;
	T_EQ(emu_cdat_switch_table(ctx, ports, 2, &bin, &len), 0);
	o = to_json(bin, len, &tab);
	if (o) {
		T_STREQ(str_at(o, "structures.0.type"), "SSLBIS");
		T_EQ(u64_at(o, "structures.0.entries.1.port_x_id"), CDAT_SSLBIS_PORT_USP);
		T_EQ(u64_at(o, "structures.0.entries.1.port_y_id"), 2);
		T_EQ(u64_at(o, "structures.0.entries.1.latency_or_bandwidth"), 25);
		T_EQ(u64_at(o, "structures.0.entries.1.value"), 25000);
		T_STREQ(str_at(o, "structures.0.entries.1.unit"), "ps");
		T_STREQ(str_at(o, "structures.1.entries.0.unit"), "MB/s");
		T_EQ(u64_at(o, "structures.1.entries.0.value"), 48000);
	}
	json_object_put(o);
	cdat_table_free(tab);

	/* a bad checksum and an unknown type: findings and raw bytes */
	bin[5] ^= 1;
	bin[16] = 99;
	tab = NULL;
	o = to_json(bin, len, &tab);
	if (o) {
		T_TRUE(!json_object_get_boolean(at(o, "checksum_ok")));
		T_EQ(u64_at(o, "errors"), 1);
		T_EQ(u64_at(o, "warnings"), 1);
		T_STREQ(str_at(o, "findings.0.level"), "error");
		T_EQ(u64_at(o, "findings.0.offset"), 5);
		T_EQ(json_object_get_int(at(o, "findings.0.index")), -1);
		T_CONTAINS(str_at(o, "findings.0.message"), "checksum");
		T_STREQ(str_at(o, "findings.1.level"), "warning");
		T_EQ(u64_at(o, "findings.1.offset"), 16);
		T_EQ(json_object_get_int(at(o, "findings.1.index")), 0);
		T_STREQ(str_at(o, "structures.0.type"), "unknown");
		T_EQ(u64_at(o, "structures.0.type_code"), 99);
		T_TRUE(!strncmp(str_at(o, "structures.0.raw"), "63002000", 8));
	}
	json_object_put(o);
	cdat_table_free(tab);
	free(bin);
}

/*
 * Every integer field at its CDAT 1.03 width: the largest value it holds
 * is accepted, one more, -1, null, a string and a real are refused with
 * the member named, 2^64 already by the parser (never clamped to
 * UINT64_MAX). A document is a template whose "@NAME@" are 0 except the
 * one field under test.
 */
#define HDR_T "{\"revision\":@revision@,\"reserved\":@hdr.reserved@,\"sequence\":@sequence@," \
	      "\"structures\":["
#define END_T "]}"
static const char *const struct_t[] = {
	"{\"type\":\"DSMAS\",\"header_reserved\":@header_reserved@,\"dsmad_handle\":@dsmad_handle@,"
	"\"flags\":@flags@,\"reserved\":@reserved@,\"dpa_base\":@dpa_base@,\"dpa_length\":@dpa_length@}",
	"{\"type\":\"DSLBIS\",\"handle\":@handle@,\"flags\":@flags@,\"data_type\":@data_type@,"
	"\"reserved\":@reserved@,\"entry_base_unit\":@entry_base_unit@,"
	"\"entry\":[@entry[0]@,@entry[1]@,@entry[2]@],\"reserved2\":@reserved2@}",
	"{\"type\":\"DSMSCIS\",\"dsmas_handle\":@dsmas_handle@,\"reserved\":@reserved@,"
	"\"memory_side_cache_size\":@memory_side_cache_size@,\"cache_attributes\":@cache_attributes@}",
	"{\"type\":\"DSIS\",\"flags\":@flags@,\"handle\":@handle@,\"reserved\":@reserved@}",
	"{\"type\":\"DSEMTS\",\"dsmas_handle\":@dsmas_handle@,\"efi_memory_type_attr\":"
	"@efi_memory_type_attr@,\"reserved\":@reserved@,\"dpa_offset\":@dpa_offset@,"
	"\"dpa_length\":@dpa_length@}",
	"{\"type\":\"SSLBIS\",\"data_type\":@data_type@,\"reserved\":@reserved@,"
	"\"entry_base_unit\":@entry_base_unit@,\"entries\":[{\"port_x_id\":@entries[0].port_x_id@,"
	"\"port_y_id\":@entries[0].port_y_id@,\"latency_or_bandwidth\":"
	"@entries[0].latency_or_bandwidth@,\"reserved\":@entries[0].reserved@}]}",
	"{\"type\":\"unknown\",\"type_code\":@type_code@,\"raw\":\"@raw@\"}",
};

#define W8 0xFFull
#define W16 0xFFFFull
#define W24 0xFFFFFFull
#define W32 0xFFFFFFFFull
#define W48 0xFFFFFFFFFFFFull
#define W64 UINT64_MAX

static const struct {
	int type;		/* index in struct_t; -1: header field of a DSIS table */
	const char *key;	/* the template's name */
	const char *path;	/* as messages name it */
	uint64_t max;
} fields[] = {
	{ -1, "revision", "revision", W8 },
	{ -1, "hdr.reserved", "reserved", W48 },
	{ -1, "sequence", "sequence", W32 },
	{ CDAT_DSMAS, "header_reserved", "structures[0].header_reserved", W8 },
	{ CDAT_DSMAS, "dsmad_handle", "structures[0].dsmad_handle", W8 },
	{ CDAT_DSMAS, "flags", "structures[0].flags", W8 },
	{ CDAT_DSMAS, "reserved", "structures[0].reserved", W16 },
	{ CDAT_DSMAS, "dpa_base", "structures[0].dpa_base", W64 },
	{ CDAT_DSMAS, "dpa_length", "structures[0].dpa_length", W64 },
	{ CDAT_DSLBIS, "handle", "structures[0].handle", W8 },
	{ CDAT_DSLBIS, "flags", "structures[0].flags", W8 },
	{ CDAT_DSLBIS, "data_type", "structures[0].data_type", W8 },
	{ CDAT_DSLBIS, "reserved", "structures[0].reserved", W8 },
	{ CDAT_DSLBIS, "entry_base_unit", "structures[0].entry_base_unit", W64 },
	{ CDAT_DSLBIS, "entry[0]", "structures[0].entry[0]", W16 },
	{ CDAT_DSLBIS, "entry[2]", "structures[0].entry[2]", W16 },
	{ CDAT_DSLBIS, "reserved2", "structures[0].reserved2", W16 },
	{ CDAT_DSMSCIS, "dsmas_handle", "structures[0].dsmas_handle", W8 },
	{ CDAT_DSMSCIS, "reserved", "structures[0].reserved", W24 },
	{ CDAT_DSMSCIS, "memory_side_cache_size", "structures[0].memory_side_cache_size", W64 },
	{ CDAT_DSMSCIS, "cache_attributes", "structures[0].cache_attributes", W32 },
	{ CDAT_DSIS, "flags", "structures[0].flags", W8 },
	{ CDAT_DSIS, "handle", "structures[0].handle", W8 },
	{ CDAT_DSIS, "reserved", "structures[0].reserved", W16 },
	{ CDAT_DSEMTS, "dsmas_handle", "structures[0].dsmas_handle", W8 },
	{ CDAT_DSEMTS, "efi_memory_type_attr", "structures[0].efi_memory_type_attr", W8 },
	{ CDAT_DSEMTS, "reserved", "structures[0].reserved", W16 },
	{ CDAT_DSEMTS, "dpa_offset", "structures[0].dpa_offset", W64 },
	{ CDAT_DSEMTS, "dpa_length", "structures[0].dpa_length", W64 },
	{ CDAT_SSLBIS, "data_type", "structures[0].data_type", W8 },
	{ CDAT_SSLBIS, "reserved", "structures[0].reserved", W24 },
	{ CDAT_SSLBIS, "entry_base_unit", "structures[0].entry_base_unit", W64 },
	{ CDAT_SSLBIS, "entries[0].port_x_id", "structures[0].entries[0].port_x_id", W16 },
	{ CDAT_SSLBIS, "entries[0].port_y_id", "structures[0].entries[0].port_y_id", W16 },
	{ CDAT_SSLBIS, "entries[0].latency_or_bandwidth",
	  "structures[0].entries[0].latency_or_bandwidth", W16 },
	{ CDAT_SSLBIS, "entries[0].reserved", "structures[0].entries[0].reserved", W16 },
	{ 6, "type_code", "structures[0].type_code", W8 },
};

/* The document of fields[f] with value in its place, every other 0. */
static void fill(char *out, size_t cap, size_t f, const char *value)
{
	char tmpl[1024];
	const char *p;
	size_t n = 0;

	snprintf(tmpl, sizeof(tmpl), "%s%s%s", HDR_T,
		 struct_t[fields[f].type < 0 ? CDAT_DSIS : fields[f].type], END_T);
	for (p = tmpl; *p && n + 1 < cap;) {
		const char *end = *p == '@' ? strchr(p + 1, '@') : NULL;

		if (!end) {
			out[n++] = *p++;
			continue;
		}
		if ((size_t)(end - p - 1) == strlen(fields[f].key) &&
		    !strncmp(p + 1, fields[f].key, strlen(fields[f].key)))
			n += (size_t)snprintf(out + n, cap - n, "%s", value);
		else if (!strncmp(p + 1, "raw@", 4))	/* its type byte: type_code's */
			n += (size_t)snprintf(out + n, cap - n, "%02x000400",
					      !strcmp(fields[f].key, "type_code") ? atoi(value) & 0xFF : 0);
		else
			out[n++] = '0';
		p = end + 1;
	}
	out[n] = '\0';
}

static void t_field_widths(void)
{
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		const char *path = fields[f].path;
		uint64_t max = fields[f].max;
		char doc[1024], val[32], want[256];
		struct cdat_table *tab = NULL;
		struct json_object *o = NULL;

		t_case_name = path;
		/* the largest value of the field: accepted */
		snprintf(val, sizeof(val), "%" PRIu64, max);
		fill(doc, sizeof(doc), f, val);
		T_EQ(parse(doc, &o), 0);
		T_EQ(from_json(o, &tab), 0);
		cdat_table_free(tab);
		json_object_put(o);
		tab = NULL;

		/* one more: the field's range (2^64: the parser's) */
		if (max == UINT64_MAX) {
			fill(doc, sizeof(doc), f, "18446744073709551616");
			T_EQ(parse(doc, &o), -EINVAL);
			snprintf(want, sizeof(want), ": %s: 18446744073709551616 is out of the uint64 range",
				 path);
			T_CONTAINS(doe_ctx_errmsg(ctx), want);
			T_CONTAINS(doe_ctx_errmsg(ctx), "t.json: byte ");
		} else {
			snprintf(val, sizeof(val), "%" PRIu64, max + 1);
			fill(doc, sizeof(doc), f, val);
			T_EQ(parse(doc, &o), 0);
			T_EQ(from_json(o, &tab), -EINVAL);
			snprintf(want, sizeof(want), "t.json: %s: %s is out of range 0..%" PRIu64, path,
				 val, max);
			T_STREQ(doe_ctx_errmsg(ctx), want);
			T_TRUE(tab == NULL);
			json_object_put(o);
		}

		static const struct {
			const char *value, *msg;
		} wrong[] = {
			{ "-1", NULL },	/* "-1 is out of range 0..<max>" */
			{ "null", "null, expected an integer" },
			{ "\"0\"", "a string, expected an integer" },
			{ "true", "a boolean, expected an integer" },
			{ "[0]", "an array, expected an integer" },
		};
		for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
			char msg[64];

			fill(doc, sizeof(doc), f, wrong[w].value);
			T_EQ(parse(doc, &o), 0);
			T_EQ(from_json(o, &tab), -EINVAL);
			if (wrong[w].msg)
				snprintf(msg, sizeof(msg), "%s", wrong[w].msg);
			else
				snprintf(msg, sizeof(msg), "-1 is out of range 0..%" PRIu64, max);
			snprintf(want, sizeof(want), "t.json: %s: %s", path, msg);
			T_STREQ(doe_ctx_errmsg(ctx), want);
			T_TRUE(tab == NULL);
			json_object_put(o);
		}
		/* a real number is not an integer, even 1.0 */
		fill(doc, sizeof(doc), f, "1.0");
		T_EQ(parse(doc, &o), -EINVAL);
		snprintf(want, sizeof(want), ": %s: not an integer", path);
		T_CONTAINS(doe_ctx_errmsg(ctx), want);
	}
	t_case_name = "t_field_widths";
}

/* Bad documents: -EINVAL and the member named, exactly. */
static const struct {
	const char *json;
	const char *msg;
} bad_cases[] = {
	{ "{\"revision\":1,\"sequence\":0}", "t.json: structures: missing" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":{}}",
	  "t.json: structures: an object, expected an array" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":null}",
	  "t.json: structures: null, expected an array" },
	{ "{\"sequence\":0,\"structures\":[]}", "t.json: revision: missing" },
	{ "{\"revision\":1,\"structures\":[]}", "t.json: sequence: missing" },
	/* a typo in a reserved field must not silently encode 0 */
	{ "{\"revision\":1,\"sequence\":0,\"reserverd\":5,\"structures\":[]}",
	  "t.json: reserverd: unknown member" },
	/* computed members are ignored, but only when they are well-formed */
	{ "{\"revision\":1,\"sequence\":0,\"length\":null,\"structures\":[]}",
	  "t.json: length: null, expected an integer" },
	{ "{\"revision\":1,\"sequence\":0,\"checksum\":256,\"structures\":[]}",
	  "t.json: checksum: 256 is out of range 0..255" },
	{ "{\"revision\":1,\"sequence\":0,\"checksum_ok\":1,\"structures\":[]}",
	  "t.json: checksum_ok: an integer, expected a boolean" },
	{ "{\"revision\":1,\"sequence\":0,\"findings\":{},\"structures\":[]}",
	  "t.json: findings: an object, expected an array" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":[7]}",
	  "t.json: structures[0]: an integer, expected an object" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":[null]}",
	  "t.json: structures[0]: null, expected an object" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":[{}]}", "t.json: structures[0].type: missing" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":[{\"type\":null}]}",
	  "t.json: structures[0].type: null, expected a string" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":[{\"type\":\"FOO\"}]}",
	  "t.json: structures[0].type: 'FOO' is not DSMAS, DSLBIS, DSMSCIS, DSIS, DSEMTS, SSLBIS or unknown" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSIS\",\"flags\":0,\"handle\":0},"
	  "{\"type\":\"DSIS\",\"flags\":0,\"handle\":0},"
	  "{\"type\":\"DSMAS\",\"dsmad_handle\":0,\"flags\":0,\"dpa_length\":1}]}",
	  "t.json: structures[2].dpa_base: missing" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSIS\",\"flags\":0,\"handle\":0,\"dpa_base\":0}]}",
	  "t.json: structures[0].dpa_base: unknown member" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSIS\",\"flags\":0,\"handle\":0,\"offset\":-1}]}",
	  "t.json: structures[0].offset: -1 is out of range 0..4294967295" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSLBIS\",\"handle\":0,\"flags\":0,\"data_type\":0,\"entry_base_unit\":1,"
	  "\"entry\":[1,2]}]}",
	  "t.json: structures[0].entry: 2 elements, expected 3" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSLBIS\",\"handle\":0,\"flags\":0,\"data_type\":0,\"entry_base_unit\":1,"
	  "\"entry\":[1,2,3,4]}]}",
	  "t.json: structures[0].entry: 4 elements, at most 3" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSLBIS\",\"handle\":0,\"flags\":0,\"data_type\":0,\"entry_base_unit\":1,"
	  "\"entry\":[1,2,3],\"unit\":5}]}",
	  "t.json: structures[0].unit: an integer, expected a string" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"SSLBIS\",\"data_type\":0,\"entry_base_unit\":1,\"entries\":["
	  "{\"port_x_id\":256,\"port_y_id\":1,\"latency_or_bandwidth\":1},"
	  "{\"port_x_id\":256,\"latency_or_bandwidth\":1}]}]}",
	  "t.json: structures[0].entries[1].port_y_id: missing" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"SSLBIS\",\"data_type\":0,\"entry_base_unit\":1,\"entries\":[null]}]}",
	  "t.json: structures[0].entries[0]: null, expected an object" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"SSLBIS\",\"data_type\":0,\"entry_base_unit\":1,\"entries\":["
	  "{\"port_x_id\":1,\"port_y_id\":1,\"latency_or_bandwidth\":1,\"port_z_id\":1}]}]}",
	  "t.json: structures[0].entries[0].port_z_id: unknown member" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":[{\"type\":\"unknown\"}]}",
	  "t.json: structures[0].raw: missing (a structure of unknown type needs its bytes)" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"unknown\",\"raw\":\"09000400\"}]}",
	  "t.json: structures[0].type_code: missing" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSMAS\",\"type_code\":0,\"raw\":\"00000400\"}]}",
	  "t.json: structures[0].type_code: unknown member" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"unknown\",\"type_code\":9,\"raw\":null}]}",
	  "t.json: structures[0].raw: null, expected a string" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"unknown\",\"type_code\":9,\"raw\":\"0900zz00\"}]}",
	  "t.json: structures[0].raw: not hex of at most 65535 bytes" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"unknown\",\"type_code\":9,\"raw\":\"090008000000\"}]}",
	  "t.json: structures[0].raw: its length field says 8 bytes, it holds 6" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"unknown\",\"type_code\":9,\"raw\":\"090004\"}]}",
	  "t.json: structures[0].raw: 3 bytes; a structure has 4 to 65535" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"DSMAS\",\"raw\":\"09000400\"}]}",
	  "t.json: structures[0].raw: its type byte is 9, the structure says type 0" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"unknown\",\"type_code\":9,\"raw\":\"090\"}]}",
	  "t.json: structures[0].raw: not hex of at most 65535 bytes" },
	{ "{\"revision\":1,\"sequence\":0,\"structures\":["
	  "{\"type\":\"unknown\",\"type_code\":9,\"raw\":\"09000400\",\"header_reserved\":null}]}",
	  "t.json: structures[0].header_reserved: null, expected an integer" },
};

static void t_from_json_errors(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct json_object *o = NULL;
		struct cdat_table *tab = NULL;

		t_case_name = bad_cases[i].msg;
		T_EQ(parse(bad_cases[i].json, &o), 0);
		T_EQ(from_json(o, &tab), -EINVAL);
		T_STREQ(doe_ctx_errmsg(ctx), bad_cases[i].msg);
		T_TRUE(tab == NULL);
		json_object_put(o);
	}
	/* the root must be an object even when the caller did not use jin_parse */
	t_case_name = "root not an object";
	{
		struct json_object *arr = json_object_new_array();
		struct cdat_table *tab = NULL;

		T_EQ(from_json(arr, &tab), -EINVAL);
		T_STREQ(doe_ctx_errmsg(ctx), "t.json: not a JSON object");
		json_object_put(arr);
	}
	t_case_name = "t_from_json_errors";
}

/* Computed members are ignored; reserved fields default to 0. */
static void t_from_json_minimal(void)
{
	const char *json = "{\"revision\":1,\"sequence\":5,\"length\":1,\"checksum\":7,"
			   "\"structures\":[{\"type\":\"DSIS\",\"flags\":1,\"handle\":3,"
			   "\"offset\":999,\"length\":1}]}";
	const uint8_t want[] = { 24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0,
				 3, 0, 8, 0, 1, 3, 0, 0 };
	struct json_object *o = NULL;
	struct cdat_table *tab = NULL;
	uint8_t out[64];
	size_t len = 0;
	uint8_t sum = 0;

	T_EQ(parse(json, &o), 0);
	T_EQ(from_json(o, &tab), 0);
	if (tab) {
		T_EQ(cdat_encode(ctx, tab, out, sizeof(out), &len), 0);
		T_EQ(len, sizeof(want));
		for (size_t i = 0; i < len; i++)
			sum = (uint8_t)(sum + out[i]);
		T_EQ(sum, 0);
		out[5] = 0;	/* checksum checked above */
		T_MEMEQ(out, want, sizeof(want));
	}
	cdat_table_free(tab);
	json_object_put(o);
}

static char *print(const struct cdat_table *tab)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (!f)
		return NULL;
	cdat_table_print(f, tab);
	fclose(f);
	return text;
}

static void t_print(void)
{
	const uint8_t ports[] = { 1, 2 };
	struct cdat_table *tab = NULL;
	uint8_t *bin = NULL;
	size_t len = 0;
	char *text;

	T_EQ(emu_cdat_type3_table(ctx, &bin, &len), 0);
	T_EQ(cdat_parse(ctx, bin, len, &tab), 0);
	if (!tab)
		return;
	text = print(tab);
	T_CONTAINS(text, "CDAT length 300, revision 1, checksum 0x");
	T_CONTAINS(text, "(ok), sequence 1, 12 structures\n");
	T_CONTAINS(text, "  [0] DSMAS @16: handle 0, DPA 0x0 + 256 MiB, volatile\n");
	T_CONTAINS(text, "  [1] DSMAS @40: handle 1, DPA 0x10000000 + 256 MiB, non-volatile\n");
	T_CONTAINS(text, "  [2] DSLBIS @64: DSMAS 0, read latency 150 ns (15 × 10000 ps)\n");
	T_CONTAINS(text, "  [5] DSLBIS @136: DSMAS 0, write bandwidth 12 GB/s (12 × 1000 MB/s)\n");
	T_CONTAINS(text, "  [10] DSMSCIS @256: DSMAS 0, memory-side cache 64 MiB, attributes "
			 "0x00401111\n");
	T_CONTAINS(text, "  [11] DSEMTS @276: DSMAS 0, EfiConventionalMemory, EFI_MEMORY_SP, DPA "
			 "offset 0x0 + 256 MiB\n");
	T_CONTAINS(text, "0 errors, 0 warnings\n");
	free(text);
	cdat_table_free(tab);
	free(bin);

	bin = NULL;
	tab = NULL;
	T_EQ(emu_cdat_switch_table(ctx, ports, 2, &bin, &len), 0);
	bin[5] = (uint8_t)(bin[5] + 1);
	T_EQ(cdat_parse(ctx, bin, len, &tab), 0);
	if (tab) {
		text = print(tab);
		T_CONTAINS(text, "  [0] SSLBIS @16: access latency, 2 entries\n"
				 "        upstream port <-> port 1: 20 ns\n"
				 "        upstream port <-> port 2: 25 ns\n");
		T_CONTAINS(text, "        upstream port <-> port 2: 48 GB/s\n");
		T_CONTAINS(text, "1 error, 0 warnings\n  error   @5 header: checksum");
		free(text);
	}
	cdat_table_free(tab);
	free(bin);
}

static void t_format(void)
{
	char b[32];

	cdat_format_latency(b, sizeof(b), 500);
	T_STREQ(b, "500 ps");
	cdat_format_latency(b, sizeof(b), 150000);
	T_STREQ(b, "150 ns");
	cdat_format_latency(b, sizeof(b), 217948);
	T_STREQ(b, "217.948 ns");
	cdat_format_latency(b, sizeof(b), 17005);
	T_STREQ(b, "17.005 ns");
	cdat_format_bandwidth(b, sizeof(b), 312);
	T_STREQ(b, "312 MB/s");
	cdat_format_bandwidth(b, sizeof(b), 16000);
	T_STREQ(b, "16 GB/s");
	cdat_format_bandwidth(b, sizeof(b), 4992);
	T_STREQ(b, "4.99 GB/s");
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_round_trip_defaults);
	T_RUN(t_round_trip_hand_built);
	T_RUN(t_schema);
	T_RUN(t_field_widths);
	T_RUN(t_from_json_errors);
	T_RUN(t_from_json_minimal);
	T_RUN(t_print);
	T_RUN(t_format);
	doe_ctx_free(ctx);
	return T_DONE();
}
