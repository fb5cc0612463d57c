// SPDX-License-Identifier: MIT
/* CDAT to and from JSON, and as text (schema in cdat_json.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>

#include "cdat_json.h"
#include "internal.h"
#include "jin.h"

/* --- to JSON ------------------------------------------------------------ */

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void add_value(struct json_object *o, uint8_t data_type, uint16_t entry, uint64_t base)
{
	const char *unit = cdat_data_type_unit(data_type);

	if (!unit)
		return;	/* unknown data type: no unit to give the value */
	add_u64(o, "value", cdat_scale(entry, base));
	json_object_object_add(o, "unit", json_object_new_string(unit));
}

static char *hex(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0xF];
	}
	s[2 * n] = '\0';
	return s;
}

static void fields_to_json(struct json_object *o, const struct cdat_struct *s)
{
	switch (s->type) {
	case CDAT_DSMAS: {
		const struct cdat_dsmas *d = &s->u.dsmas;

		add_u64(o, "dsmad_handle", d->dsmad_handle);
		add_u64(o, "flags", d->flags);
		add_u64(o, "reserved", d->reserved);
		add_u64(o, "dpa_base", d->dpa_base);
		add_u64(o, "dpa_length", d->dpa_length);
		break;
	}
	case CDAT_DSLBIS: {
		const struct cdat_dslbis *d = &s->u.dslbis;
		struct json_object *e = json_object_new_array();

		add_u64(o, "handle", d->handle);
		add_u64(o, "flags", d->flags);
		add_u64(o, "data_type", d->data_type);
		add_u64(o, "reserved", d->reserved);
		add_u64(o, "entry_base_unit", d->entry_base_unit);
		for (int k = 0; k < 3; k++)
			json_object_array_add(e, json_object_new_uint64(d->entry[k]));
		json_object_object_add(o, "entry", e);
		add_u64(o, "reserved2", d->reserved2);
		/* Linux uses entry[0] only */
		add_value(o, d->data_type, d->entry[0], d->entry_base_unit);
		break;
	}
	case CDAT_DSMSCIS: {
		const struct cdat_dsmscis *d = &s->u.dsmscis;

		add_u64(o, "dsmas_handle", d->dsmas_handle);
		add_u64(o, "reserved", d->reserved);
		add_u64(o, "memory_side_cache_size", d->memory_side_cache_size);
		add_u64(o, "cache_attributes", d->cache_attributes);
		break;
	}
	case CDAT_DSIS: {
		const struct cdat_dsis *d = &s->u.dsis;

		add_u64(o, "flags", d->flags);
		add_u64(o, "handle", d->handle);
		add_u64(o, "reserved", d->reserved);
		break;
	}
	case CDAT_DSEMTS: {
		const struct cdat_dsemts *d = &s->u.dsemts;

		add_u64(o, "dsmas_handle", d->dsmas_handle);
		add_u64(o, "efi_memory_type_attr", d->efi_memory_type_attr);
		add_u64(o, "reserved", d->reserved);
		add_u64(o, "dpa_offset", d->dpa_offset);
		add_u64(o, "dpa_length", d->dpa_length);
		break;
	}
	case CDAT_SSLBIS: {
		const struct cdat_sslbis *d = &s->u.sslbis;
		struct json_object *arr = json_object_new_array();

		add_u64(o, "data_type", d->data_type);
		add_u64(o, "reserved", d->reserved);
		add_u64(o, "entry_base_unit", d->entry_base_unit);
		for (size_t k = 0; k < d->n_entries; k++) {
			const struct cdat_sslbe *e = &d->entries[k];
			struct json_object *eo = json_object_new_object();

			add_u64(eo, "port_x_id", e->port_x_id);
			add_u64(eo, "port_y_id", e->port_y_id);
			add_u64(eo, "latency_or_bandwidth", e->latency_or_bandwidth);
			add_u64(eo, "reserved", e->reserved);
			add_value(eo, d->data_type, e->latency_or_bandwidth, d->entry_base_unit);
			json_object_array_add(arr, eo);
		}
		json_object_object_add(o, "entries", arr);
		break;
	}
	}
}

static struct json_object *struct_to_json(const struct cdat_struct *s)
{
	struct json_object *o = json_object_new_object();
	const char *name = cdat_type_name(s->type);

	json_object_object_add(o, "type", json_object_new_string(name ? name : "unknown"));
	if (!name)
		add_u64(o, "type_code", s->type);
	add_u64(o, "offset", s->offset);
	add_u64(o, "length", s->length);
	add_u64(o, "header_reserved", s->hdr_reserved);
	if (s->decoded) {
		fields_to_json(o, s);
	} else {
		char *h = hex(s->raw, s->raw_len);

		json_object_object_add(o, "raw", json_object_new_string(h ? h : ""));
		free(h);
	}
	return o;
}

struct json_object *cdat_table_to_json(const struct cdat_table *t)
{
	struct json_object *o = json_object_new_object();
	struct json_object *structs = json_object_new_array();
	struct json_object *findings = json_object_new_array();

	if (!o || !structs || !findings) {
		json_object_put(o);
		json_object_put(structs);
		json_object_put(findings);
		return NULL;
	}
	add_u64(o, "length", t->hdr.length);
	add_u64(o, "revision", t->hdr.revision);
	add_u64(o, "checksum", t->hdr.checksum);
	json_object_object_add(o, "checksum_ok", json_object_new_boolean(t->checksum_ok));
	add_u64(o, "reserved", t->hdr.reserved);
	add_u64(o, "sequence", t->hdr.sequence);
	add_u64(o, "errors", t->n_errors);
	add_u64(o, "warnings", t->n_warnings);
	for (size_t i = 0; i < t->n_structs; i++)
		json_object_array_add(structs, struct_to_json(&t->structs[i]));
	json_object_object_add(o, "structures", structs);
	for (size_t i = 0; i < t->n_findings; i++) {
		const struct cdat_finding *f = &t->findings[i];
		struct json_object *fo = json_object_new_object();

		json_object_object_add(fo, "level", json_object_new_string(cdat_level_name(f->level)));
		add_u64(fo, "offset", f->offset);
		json_object_object_add(fo, "index", json_object_new_int(f->index));
		json_object_object_add(fo, "message", json_object_new_string(f->msg));
		json_object_array_add(findings, fo);
	}
	json_object_object_add(o, "findings", findings);
	return o;
}

/* --- from JSON ---------------------------------------------------------- */

/* Field widths of the CDAT header and structures, the largest value each holds */
#define U8 0xFFull
#define U16 0xFFFFull
#define U24 0xFFFFFFull
#define U32 0xFFFFFFFFull
#define U48 0xFFFFFFFFFFFFull
#define U64 UINT64_MAX

/* Member key of o, an integer that fits the field (0..max), into dst.
 * Optional (reserved) fields left out stay 0: dst was zeroed by calloc. */
#define FIELD(j, o, path, key, req, max, dst)                                  \
	do {                                                                   \
		uint64_t v_ = 0;                                               \
		TRY(jin_u64(j, o, path, key, req, 0, max, &v_));               \
		(dst) = v_;                                                    \
	} while (0)
#define REQ(j, o, path, key, max, dst) FIELD(j, o, path, key, JIN_REQ, max, dst)
#define OPT(j, o, path, key, max, dst) FIELD(j, o, path, key, JIN_OPT, max, dst)

static int bad(const struct jin *j, const char *path, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(const struct jin *j, const char *path, const char *key, const char *fmt, ...)
{
	char msg[160], p[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return doe_err(j->ctx, -EINVAL, "%s: %s: %s", j->doc, jin_path(p, sizeof(p), path, key, 0),
		       msg);
}

/*
 * Members doe cdat -j writes that cdat_table_from_json() recomputes or
 * does not need (length, checksum, offsets, value and unit, findings...).
 * They are accepted so that -j output encodes as it is, but they are
 * still checked: "length": null is a broken document, not a thing to skip.
 */
enum computed_kind { C_U8, C_U16, C_U32, C_U64, C_BOOL, C_STR, C_ARR };

struct computed {
	const char *key;
	enum computed_kind kind;
};

static int check_computed(const struct jin *j, struct json_object *o, const char *path,
			  const struct computed *c)
{
	static const uint64_t max[] = { [C_U8] = U8, [C_U16] = U16, [C_U32] = U32, [C_U64] = U64 };

	for (; c->key; c++) {
		struct json_object *arr;
		const char *str;
		uint64_t u;
		size_t n;
		bool b;

		switch (c->kind) {
		case C_U8:
		case C_U16:
		case C_U32:
		case C_U64:
			TRY(jin_u64(j, o, path, c->key, JIN_OPT, 0, max[c->kind], &u));
			break;
		case C_BOOL:
			TRY(jin_bool(j, o, path, c->key, JIN_OPT, &b));
			break;
		case C_STR:
			TRY(jin_str(j, o, path, c->key, JIN_OPT, 256, &str));
			break;
		case C_ARR:
			TRY(jin_arr(j, o, path, c->key, JIN_OPT, SIZE_MAX, &arr, &n));
			break;
		}
	}
	return 0;
}

static const struct computed table_computed[] = {
	{ "length", C_U32 }, { "checksum", C_U8 }, { "checksum_ok", C_BOOL },
	{ "errors", C_U64 }, { "warnings", C_U64 }, { "findings", C_ARR },
	{ "device", C_STR }, { "source", C_STR }, { NULL, C_U8 }
};
static const struct computed struct_computed[] = {
	{ "offset", C_U32 }, { "length", C_U16 }, { NULL, C_U8 }
};
/* DSLBIS and SSLBE: the entry times the base unit, and its unit */
static const struct computed value_computed[] = {
	{ "value", C_U64 }, { "unit", C_STR }, { NULL, C_U8 }
};

/* The members each kind of object may have; anything else is a typo. */
#define STRUCT_KEYS "type", "offset", "length", "header_reserved"
static const char *const table_keys[] = {
	"revision", "reserved", "sequence", "structures", "length", "checksum", "checksum_ok",
	"errors", "warnings", "findings", "device", "source", NULL
};
static const char *const raw_keys[] = { STRUCT_KEYS, "raw", NULL };
static const char *const raw_unknown_keys[] = { STRUCT_KEYS, "raw", "type_code", NULL };
static const char *const *const field_keys[CDAT_TYPE_COUNT] = {
	[CDAT_DSMAS] = (const char *const[]){ STRUCT_KEYS, "dsmad_handle", "flags", "reserved",
					      "dpa_base", "dpa_length", NULL },
	[CDAT_DSLBIS] = (const char *const[]){ STRUCT_KEYS, "handle", "flags", "data_type",
					       "reserved", "entry_base_unit", "entry", "reserved2",
					       "value", "unit", NULL },
	[CDAT_DSMSCIS] = (const char *const[]){ STRUCT_KEYS, "dsmas_handle", "reserved",
						"memory_side_cache_size", "cache_attributes", NULL },
	[CDAT_DSIS] = (const char *const[]){ STRUCT_KEYS, "flags", "handle", "reserved", NULL },
	[CDAT_DSEMTS] = (const char *const[]){ STRUCT_KEYS, "dsmas_handle", "efi_memory_type_attr",
					       "reserved", "dpa_offset", "dpa_length", NULL },
	[CDAT_SSLBIS] = (const char *const[]){ STRUCT_KEYS, "data_type", "reserved",
					       "entry_base_unit", "entries", NULL },
};
static const char *const sslbe_keys[] = { "port_x_id", "port_y_id", "latency_or_bandwidth",
					  "reserved", "value", "unit", NULL };

/* An undecoded structure: "raw" holds all of it, header included. */
static int raw_from_json(const struct jin *j, struct json_object *o, const char *path,
			 struct cdat_struct *s, int type_code)
{
	struct doe_rd r;
	uint16_t len_field;
	uint8_t *buf, *fit;
	size_t n;
	int rc;

	/* CDAT: a structure's Length is 16 bits and covers its header.
	 * Decoded into the largest, kept at its size: a table may hold many. */
	buf = malloc(U16);
	if (!buf)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	rc = jin_hex(j, o, path, "raw", JIN_REQ, buf, U16, 0, &n);
	if (rc >= 0 && n < CDAT_STRUCT_HEADER_LEN)
		rc = bad(j, path, "raw", "%zu bytes; a structure has 4 to 65535", n);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	fit = realloc(buf, n);
	s->raw = fit ? fit : buf;
	s->raw_len = n;
	doe_rd_init(&r, s->raw, s->raw_len);
	doe_rd_u8(&r, &s->type);
	doe_rd_u8(&r, &s->hdr_reserved);
	doe_rd_le16(&r, &len_field);
	if (len_field != s->raw_len)
		return bad(j, path, "raw", "its length field says %u bytes, it holds %zu", len_field,
			   s->raw_len);
	if (s->type != type_code)
		return bad(j, path, "raw", "its type byte is %u, the structure says type %d", s->type,
			   type_code);
	s->length = len_field;
	/* header_reserved is in the bytes; a member beside them is checked only */
	return check_computed(j, o, path, (const struct computed[]){ { "header_reserved", C_U8 },
								      { NULL, C_U8 } });
}

static int sslbis_from_json(const struct jin *j, struct json_object *o, const char *path,
			    struct cdat_sslbis *d)
{
	struct json_object *arr;

	REQ(j, o, path, "data_type", U8, d->data_type);
	OPT(j, o, path, "reserved", U24, d->reserved);
	REQ(j, o, path, "entry_base_unit", U64, d->entry_base_unit);
	TRY(jin_arr(j, o, path, "entries", JIN_REQ, CDAT_SSLBIS_MAX_ENTRIES, &arr, &d->n_entries));
	d->entries = calloc(d->n_entries ? d->n_entries : 1, sizeof(*d->entries));
	if (!d->entries)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	for (size_t k = 0; k < d->n_entries; k++) {
		struct cdat_sslbe *x = &d->entries[k];
		struct json_object *e;
		char arrp[128], ep[128];

		jin_path(arrp, sizeof(arrp), path, "entries", 0);
		jin_path(ep, sizeof(ep), arrp, NULL, k);
		TRY(jin_at_obj(j, arr, arrp, k, &e));
		TRY(jin_only(j, e, ep, sslbe_keys));
		REQ(j, e, ep, "port_x_id", U16, x->port_x_id);
		REQ(j, e, ep, "port_y_id", U16, x->port_y_id);
		REQ(j, e, ep, "latency_or_bandwidth", U16, x->latency_or_bandwidth);
		OPT(j, e, ep, "reserved", U16, x->reserved);
		TRY(check_computed(j, e, ep, value_computed));
	}
	return 0;
}

static int dslbis_from_json(const struct jin *j, struct json_object *o, const char *path,
			    struct cdat_dslbis *d)
{
	struct json_object *e;
	char ep[128];
	size_t n;

	REQ(j, o, path, "handle", U8, d->handle);
	REQ(j, o, path, "flags", U8, d->flags);
	REQ(j, o, path, "data_type", U8, d->data_type);
	OPT(j, o, path, "reserved", U8, d->reserved);
	REQ(j, o, path, "entry_base_unit", U64, d->entry_base_unit);
	TRY(jin_arr(j, o, path, "entry", JIN_REQ, 3, &e, &n));
	if (n != 3)	/* DSLBIS: Entry[0..2], no more, no fewer */
		return bad(j, path, "entry", "%zu elements, expected 3", n);
	jin_path(ep, sizeof(ep), path, "entry", 0);
	for (size_t k = 0; k < 3; k++) {
		uint64_t v;

		TRY(jin_at_u64(j, e, ep, k, 0, U16, &v));
		d->entry[k] = (uint16_t)v;
	}
	OPT(j, o, path, "reserved2", U16, d->reserved2);
	return check_computed(j, o, path, value_computed);
}

static int fields_from_json(const struct jin *j, struct json_object *o, const char *path,
			    struct cdat_struct *s)
{
	switch (s->type) {
	case CDAT_DSMAS: {
		struct cdat_dsmas *d = &s->u.dsmas;

		REQ(j, o, path, "dsmad_handle", U8, d->dsmad_handle);
		REQ(j, o, path, "flags", U8, d->flags);
		OPT(j, o, path, "reserved", U16, d->reserved);
		REQ(j, o, path, "dpa_base", U64, d->dpa_base);
		REQ(j, o, path, "dpa_length", U64, d->dpa_length);
		return 0;
	}
	case CDAT_DSLBIS:
		return dslbis_from_json(j, o, path, &s->u.dslbis);
	case CDAT_DSMSCIS: {
		struct cdat_dsmscis *d = &s->u.dsmscis;

		REQ(j, o, path, "dsmas_handle", U8, d->dsmas_handle);
		OPT(j, o, path, "reserved", U24, d->reserved);
		REQ(j, o, path, "memory_side_cache_size", U64, d->memory_side_cache_size);
		REQ(j, o, path, "cache_attributes", U32, d->cache_attributes);
		return 0;
	}
	case CDAT_DSIS: {
		struct cdat_dsis *d = &s->u.dsis;

		REQ(j, o, path, "flags", U8, d->flags);
		REQ(j, o, path, "handle", U8, d->handle);
		OPT(j, o, path, "reserved", U16, d->reserved);
		return 0;
	}
	case CDAT_DSEMTS: {
		struct cdat_dsemts *d = &s->u.dsemts;

		REQ(j, o, path, "dsmas_handle", U8, d->dsmas_handle);
		REQ(j, o, path, "efi_memory_type_attr", U8, d->efi_memory_type_attr);
		OPT(j, o, path, "reserved", U16, d->reserved);
		REQ(j, o, path, "dpa_offset", U64, d->dpa_offset);
		REQ(j, o, path, "dpa_length", U64, d->dpa_length);
		return 0;
	}
	case CDAT_SSLBIS:
		return sslbis_from_json(j, o, path, &s->u.sslbis);
	}
	return -EINVAL;
}

static int struct_from_json(const struct jin *j, struct json_object *arr, size_t i,
			    struct cdat_struct *s)
{
	struct json_object *o;
	const char *name;
	char path[48];
	int code = -1;

	jin_path(path, sizeof(path), "structures", NULL, i);
	TRY(jin_at_obj(j, arr, "structures", i, &o));
	TRY(jin_str(j, o, path, "type", JIN_REQ, 16, &name));
	for (uint8_t k = 0; k < CDAT_TYPE_COUNT; k++)
		if (!strcmp(name, cdat_type_name(k)))
			code = k;
	if (code < 0 && strcmp(name, "unknown"))
		return bad(j, path, "type", "'%s' is not DSMAS, DSLBIS, DSMSCIS, DSIS, DSEMTS, SSLBIS "
					    "or unknown", name);
	TRY(check_computed(j, o, path, struct_computed));
	if (json_object_object_get_ex(o, "raw", NULL)) {
		TRY(jin_only(j, o, path, code < 0 ? raw_unknown_keys : raw_keys));
		if (code < 0) {
			uint64_t tc;

			TRY(jin_u64(j, o, path, "type_code", JIN_REQ, 0, U8, &tc));
			code = (int)tc;
		}
		return raw_from_json(j, o, path, s, code);
	}
	if (code < 0)
		return bad(j, path, "raw", "missing (a structure of unknown type needs its bytes)");
	TRY(jin_only(j, o, path, field_keys[code]));
	s->type = (uint8_t)code;
	s->decoded = true;
	OPT(j, o, path, "header_reserved", U8, s->hdr_reserved);
	return fields_from_json(j, o, path, s);
}

static int table_from_json(const struct jin *j, struct json_object *obj, struct cdat_table *t)
{
	struct json_object *arr;
	size_t n;

	TRY(jin_only(j, obj, "", table_keys));
	REQ(j, obj, "", "revision", U8, t->hdr.revision);
	OPT(j, obj, "", "reserved", U48, t->hdr.reserved);
	REQ(j, obj, "", "sequence", U32, t->hdr.sequence);
	TRY(check_computed(j, obj, "", table_computed));
	/* each structure takes at least its 4-byte header */
	TRY(jin_arr(j, obj, "", "structures", JIN_REQ,
		    (CDAT_MAX_TABLE_LEN - CDAT_HEADER_LEN) / CDAT_STRUCT_HEADER_LEN, &arr, &n));
	t->structs = calloc(n ? n : 1, sizeof(*t->structs));
	if (!t->structs)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		t->n_structs = i + 1;	/* so that cdat_table_free() sees what was allocated */
		TRY(struct_from_json(j, arr, i, &t->structs[i]));
	}
	return 0;
}

int cdat_table_from_json(const struct jin *j, struct json_object *obj, struct cdat_table **out)
{
	struct cdat_table *t;
	int rc;

	if (!json_object_is_type(obj, json_type_object))
		return doe_err(j->ctx, -EINVAL, "%s: not a JSON object", j->doc);
	t = calloc(1, sizeof(*t));
	if (!t)
		return doe_err(j->ctx, -ENOMEM, "out of memory");
	rc = table_from_json(j, obj, t);
	if (rc) {
		cdat_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* --- text --------------------------------------------------------------- */

void cdat_format_latency(char *buf, size_t len, uint64_t ps)
{
	if (ps < 1000)
		snprintf(buf, len, "%" PRIu64 " ps", ps);
	else if (ps % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 " ns", ps / 1000);
	else
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " ns", ps / 1000, ps % 1000);
}

void cdat_format_bandwidth(char *buf, size_t len, uint64_t mbps)
{
	if (mbps < 1000)
		snprintf(buf, len, "%" PRIu64 " MB/s", mbps);
	else if (mbps % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 " GB/s", mbps / 1000);
	else
		snprintf(buf, len, "%.2f GB/s", (double)mbps / 1000.0);
}

static void format_size(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	size_t u = 0;

	while (u + 1 < ARRAY_SIZE(units) && n && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", n, units[u]);
}

static void format_value(char *buf, size_t len, uint8_t data_type, uint16_t entry, uint64_t base)
{
	uint64_t v = cdat_scale(entry, base);

	switch (cdat_data_type_is_latency(data_type)) {
	case 1:
		cdat_format_latency(buf, len, v);
		break;
	case 0:
		cdat_format_bandwidth(buf, len, v);
		break;
	default:
		snprintf(buf, len, "%u × %" PRIu64, entry, base);
	}
}

static void format_port(char *buf, size_t len, uint16_t id)
{
	if (id == CDAT_SSLBIS_PORT_USP)
		snprintf(buf, len, "upstream port");
	else if (id == CDAT_SSLBIS_ANY_PORT)
		snprintf(buf, len, "any port");
	else
		snprintf(buf, len, "port %u", id);
}

static const char *data_type_text(uint8_t dt)
{
	return cdat_data_type_name(dt) ? cdat_data_type_name(dt) : "unknown data type";
}

static void print_struct(FILE *f, const struct cdat_struct *s, size_t i)
{
	const char *name = cdat_type_name(s->type);
	char a[48], b[48];

	fprintf(f, "  [%zu] %s @%u: ", i, name ? name : "unknown type", s->offset);
	if (!s->decoded) {
		if (name)
			fprintf(f, "%u bytes, not decoded\n", s->length);
		else
			fprintf(f, "type %u, %u bytes, skipped\n", s->type, s->length);
		return;
	}
	switch (s->type) {
	case CDAT_DSMAS: {
		const struct cdat_dsmas *d = &s->u.dsmas;

		format_size(a, sizeof(a), d->dpa_length);
		fprintf(f, "handle %u, DPA 0x%" PRIx64 " + %s, %s%s%s%s\n", d->dsmad_handle,
			d->dpa_base, a,
			d->flags & CDAT_DSMAS_NON_VOLATILE ? "non-volatile" : "volatile",
			d->flags & CDAT_DSMAS_SHAREABLE ? ", shareable" : "",
			d->flags & CDAT_DSMAS_HW_COHERENT ? ", HW-managed coherency" : "",
			d->flags & CDAT_DSMAS_DYNAMIC_CAPACITY ? ", dynamic capacity" : "");
		break;
	}
	case CDAT_DSLBIS: {
		const struct cdat_dslbis *d = &s->u.dslbis;

		format_value(a, sizeof(a), d->data_type, d->entry[0], d->entry_base_unit);
		fprintf(f, "DSMAS %u, %s %s (%u × %" PRIu64 " %s)%s\n", d->handle,
			data_type_text(d->data_type), a, d->entry[0], d->entry_base_unit,
			cdat_data_type_unit(d->data_type) ? cdat_data_type_unit(d->data_type) : "",
			d->flags & 0x0Fu ? " (cache level, not memory)" : "");
		break;
	}
	case CDAT_DSMSCIS: {
		const struct cdat_dsmscis *d = &s->u.dsmscis;

		format_size(a, sizeof(a), d->memory_side_cache_size);
		fprintf(f, "DSMAS %u, memory-side cache %s, attributes 0x%08x\n", d->dsmas_handle, a,
			d->cache_attributes);
		break;
	}
	case CDAT_DSIS: {
		const struct cdat_dsis *d = &s->u.dsis;

		fprintf(f, "initiator handle %u%s\n", d->handle,
			d->flags & CDAT_DSIS_MEMORY_ATTACHED ? ", memory attached (DSMAS handle)"
							     : "");
		break;
	}
	case CDAT_DSEMTS: {
		static const char *const efi[] = { "EfiConventionalMemory",
						   "EfiConventionalMemory, EFI_MEMORY_SP",
						   "EfiReservedMemoryType" };
		const struct cdat_dsemts *d = &s->u.dsemts;

		format_size(a, sizeof(a), d->dpa_length);
		fprintf(f, "DSMAS %u, %s, DPA offset 0x%" PRIx64 " + %s\n", d->dsmas_handle,
			d->efi_memory_type_attr < ARRAY_SIZE(efi) ? efi[d->efi_memory_type_attr]
								  : "reserved EFI type",
			d->dpa_offset, a);
		break;
	}
	case CDAT_SSLBIS: {
		const struct cdat_sslbis *d = &s->u.sslbis;

		fprintf(f, "%s, %zu entr%s\n", data_type_text(d->data_type), d->n_entries,
			d->n_entries == 1 ? "y" : "ies");
		for (size_t k = 0; k < d->n_entries; k++) {
			const struct cdat_sslbe *e = &d->entries[k];
			char v[48];

			format_port(a, sizeof(a), e->port_x_id);
			format_port(b, sizeof(b), e->port_y_id);
			format_value(v, sizeof(v), d->data_type, e->latency_or_bandwidth,
				     d->entry_base_unit);
			fprintf(f, "        %s <-> %s: %s\n", a, b, v);
		}
		break;
	}
	}
}

void cdat_table_print(FILE *f, const struct cdat_table *t)
{
	fprintf(f, "CDAT length %u, revision %u, checksum 0x%02x (%s), sequence %u, %zu "
		   "structure%s\n", t->hdr.length, t->hdr.revision, t->hdr.checksum,
		t->checksum_ok ? "ok" : "wrong", t->hdr.sequence, t->n_structs,
		t->n_structs == 1 ? "" : "s");
	for (size_t i = 0; i < t->n_structs; i++)
		print_struct(f, &t->structs[i], i);
	fprintf(f, "%zu error%s, %zu warning%s\n", t->n_errors, t->n_errors == 1 ? "" : "s",
		t->n_warnings, t->n_warnings == 1 ? "" : "s");
	for (size_t i = 0; i < t->n_findings; i++) {
		const struct cdat_finding *fd = &t->findings[i];

		if (fd->index < 0)
			fprintf(f, "  %-7s @%u header: %s\n", cdat_level_name(fd->level), fd->offset,
				fd->msg);
		else
			fprintf(f, "  %-7s @%u [%d]: %s\n", cdat_level_name(fd->level), fd->offset,
				fd->index, fd->msg);
	}
	if (t->n_errors + t->n_warnings > t->n_findings)
		fprintf(f, "  (%zu more not listed)\n",
			t->n_errors + t->n_warnings - t->n_findings);
}
