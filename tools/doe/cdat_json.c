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

/* Where in the document we are, for messages: "structures[2].entries[1]" */
struct where {
	struct doe_ctx *ctx;
	char path[64];
};

static int bad(const struct where *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(const struct where *w, const char *key, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return doe_err(w->ctx, -EINVAL, "%s%s%s: %s", w->path, *w->path ? "." : "", key, msg);
}

/* An unsigned integer no larger than max; key names it in messages. */
static int uint_value(const struct where *w, struct json_object *v, const char *key, uint64_t max,
		      uint64_t *out)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return bad(w, key, "not an integer");
	if (json_object_get_int64(v) < 0)
		return bad(w, key, "%" PRId64 " is negative", json_object_get_int64(v));
	u = json_object_get_uint64(v);
	if (u > max)
		return bad(w, key, "%" PRIu64 " is out of range 0..%" PRIu64, u, max);
	*out = u;
	return 0;
}

/* A member; absent is an error when required, else 0. */
static int get_uint(const struct where *w, struct json_object *o, const char *key, uint64_t max,
		    bool required, uint64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (required)
			return bad(w, key, "missing");
		*out = 0;
		return 0;
	}
	return uint_value(w, v, key, max, out);
}

#define U8 0xFFull
#define U16 0xFFFFull
#define U24 0xFFFFFFull
#define U32 0xFFFFFFFFull
#define U48 0xFFFFFFFFFFFFull
#define U64 UINT64_MAX

/* Reads member key (at most max) into dst; required or defaulting to 0. */
#define GET(w, o, key, max, req, dst)                                     \
	do {                                                              \
		uint64_t v_;                                              \
		TRY(get_uint(w, o, key, max, req, &v_));                  \
		(dst) = v_;                                               \
	} while (0)
#define REQ(w, o, key, max, dst) GET(w, o, key, max, true, dst)
#define OPT(w, o, key, max, dst) GET(w, o, key, max, false, dst)

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An undecoded structure: "raw" holds all of it, header included. */
static int raw_from_json(const struct where *w, struct json_object *o, struct cdat_struct *s,
			 struct json_object *raw, int type_code)
{
	const char *h = json_object_get_string(raw);
	size_t n = json_object_is_type(raw, json_type_string) ? strlen(h) : 1;
	struct doe_rd r;
	uint16_t len_field;

	(void)o;
	if (!json_object_is_type(raw, json_type_string) || n % 2)
		return bad(w, "raw", "not a string of hex digit pairs");
	if (n / 2 < CDAT_STRUCT_HEADER_LEN || n / 2 > 0xFFFF)
		return bad(w, "raw", "%zu bytes; a structure has 4 to 65535", n / 2);
	s->raw = malloc(n / 2);
	if (!s->raw)
		return doe_err(w->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = unhex(h[2 * i]), lo = unhex(h[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return bad(w, "raw", "'%c%c' at byte %zu is not hex", h[2 * i], h[2 * i + 1],
				   i);
		s->raw[i] = (uint8_t)(hi << 4 | lo);
	}
	s->raw_len = n / 2;
	doe_rd_init(&r, s->raw, s->raw_len);
	doe_rd_u8(&r, &s->type);
	doe_rd_u8(&r, &s->hdr_reserved);
	doe_rd_le16(&r, &len_field);
	if (len_field != s->raw_len)
		return bad(w, "raw", "its length field says %u bytes, it holds %zu", len_field,
			   s->raw_len);
	if (type_code >= 0 && s->type != type_code)
		return bad(w, "raw", "its type byte is %u, the structure says type %d", s->type,
			   type_code);
	s->length = len_field;
	return 0;
}

static int sslbis_from_json(const struct where *w, struct json_object *o, struct cdat_sslbis *d)
{
	struct json_object *arr;
	struct where ew = { w->ctx, "" };

	REQ(w, o, "data_type", U8, d->data_type);
	GET(w, o, "reserved", U24, false, d->reserved);
	REQ(w, o, "entry_base_unit", U64, d->entry_base_unit);
	if (!json_object_object_get_ex(o, "entries", &arr))
		return bad(w, "entries", "missing");
	if (!json_object_is_type(arr, json_type_array))
		return bad(w, "entries", "not an array");
	if (json_object_array_length(arr) > CDAT_SSLBIS_MAX_ENTRIES)
		return bad(w, "entries", "%zu entries, at most %u fit in a structure",
			   json_object_array_length(arr), CDAT_SSLBIS_MAX_ENTRIES);
	d->n_entries = json_object_array_length(arr);
	d->entries = calloc(d->n_entries ? d->n_entries : 1, sizeof(*d->entries));
	if (!d->entries)
		return doe_err(w->ctx, -ENOMEM, "out of memory");
	for (size_t k = 0; k < d->n_entries; k++) {
		struct json_object *e = json_object_array_get_idx(arr, k);
		struct cdat_sslbe *x = &d->entries[k];

		snprintf(ew.path, sizeof(ew.path), "%.32s.entries[%zu]", w->path, k);
		if (!json_object_is_type(e, json_type_object))
			return doe_err(w->ctx, -EINVAL, "%s: not an object", ew.path);
		REQ(&ew, e, "port_x_id", U16, x->port_x_id);
		REQ(&ew, e, "port_y_id", U16, x->port_y_id);
		REQ(&ew, e, "latency_or_bandwidth", U16, x->latency_or_bandwidth);
		OPT(&ew, e, "reserved", U16, x->reserved);
	}
	return 0;
}

static int fields_from_json(const struct where *w, struct json_object *o, struct cdat_struct *s)
{
	switch (s->type) {
	case CDAT_DSMAS: {
		struct cdat_dsmas *d = &s->u.dsmas;

		REQ(w, o, "dsmad_handle", U8, d->dsmad_handle);
		REQ(w, o, "flags", U8, d->flags);
		OPT(w, o, "reserved", U16, d->reserved);
		REQ(w, o, "dpa_base", U64, d->dpa_base);
		REQ(w, o, "dpa_length", U64, d->dpa_length);
		return 0;
	}
	case CDAT_DSLBIS: {
		struct cdat_dslbis *d = &s->u.dslbis;
		struct json_object *e;

		REQ(w, o, "handle", U8, d->handle);
		REQ(w, o, "flags", U8, d->flags);
		REQ(w, o, "data_type", U8, d->data_type);
		OPT(w, o, "reserved", U8, d->reserved);
		REQ(w, o, "entry_base_unit", U64, d->entry_base_unit);
		if (!json_object_object_get_ex(o, "entry", &e))
			return bad(w, "entry", "missing");
		if (!json_object_is_type(e, json_type_array) || json_object_array_length(e) != 3)
			return bad(w, "entry", "not an array of 3 integers");
		for (size_t k = 0; k < 3; k++) {
			char key[16];
			uint64_t v;

			snprintf(key, sizeof(key), "entry[%zu]", k);
			TRY(uint_value(w, json_object_array_get_idx(e, k), key, U16, &v));
			d->entry[k] = (uint16_t)v;
		}
		OPT(w, o, "reserved2", U16, d->reserved2);
		return 0;
	}
	case CDAT_DSMSCIS: {
		struct cdat_dsmscis *d = &s->u.dsmscis;

		REQ(w, o, "dsmas_handle", U8, d->dsmas_handle);
		GET(w, o, "reserved", U24, false, d->reserved);
		REQ(w, o, "memory_side_cache_size", U64, d->memory_side_cache_size);
		REQ(w, o, "cache_attributes", U32, d->cache_attributes);
		return 0;
	}
	case CDAT_DSIS: {
		struct cdat_dsis *d = &s->u.dsis;

		REQ(w, o, "flags", U8, d->flags);
		REQ(w, o, "handle", U8, d->handle);
		OPT(w, o, "reserved", U16, d->reserved);
		return 0;
	}
	case CDAT_DSEMTS: {
		struct cdat_dsemts *d = &s->u.dsemts;

		REQ(w, o, "dsmas_handle", U8, d->dsmas_handle);
		REQ(w, o, "efi_memory_type_attr", U8, d->efi_memory_type_attr);
		OPT(w, o, "reserved", U16, d->reserved);
		REQ(w, o, "dpa_offset", U64, d->dpa_offset);
		REQ(w, o, "dpa_length", U64, d->dpa_length);
		return 0;
	}
	case CDAT_SSLBIS:
		return sslbis_from_json(w, o, &s->u.sslbis);
	}
	return -EINVAL;
}

static int struct_from_json(struct doe_ctx *ctx, struct json_object *o, size_t i,
			    struct cdat_struct *s)
{
	struct where w = { ctx, "" };
	struct json_object *type, *raw;
	const char *name;
	int code = -1;

	snprintf(w.path, sizeof(w.path), "structures[%zu]", i);
	if (!json_object_is_type(o, json_type_object))
		return doe_err(ctx, -EINVAL, "%s: not an object", w.path);
	if (!json_object_object_get_ex(o, "type", &type))
		return bad(&w, "type", "missing");
	if (!json_object_is_type(type, json_type_string))
		return bad(&w, "type", "not a string");
	name = json_object_get_string(type);
	for (uint8_t k = 0; k < CDAT_TYPE_COUNT; k++)
		if (!strcmp(name, cdat_type_name(k)))
			code = k;
	if (code < 0 && strcmp(name, "unknown"))
		return bad(&w, "type", "'%s' is not DSMAS, DSLBIS, DSMSCIS, DSIS, DSEMTS, SSLBIS "
				       "or unknown", name);
	if (json_object_object_get_ex(o, "raw", &raw)) {
		if (code < 0) {
			uint64_t tc;

			TRY(get_uint(&w, o, "type_code", U8, true, &tc));
			code = (int)tc;
		}
		return raw_from_json(&w, o, s, raw, code);
	}
	if (code < 0)
		return bad(&w, "raw", "missing (a structure of unknown type needs its bytes)");
	s->type = (uint8_t)code;
	s->decoded = true;
	OPT(&w, o, "header_reserved", U8, s->hdr_reserved);
	return fields_from_json(&w, o, s);
}

int cdat_table_from_json(struct doe_ctx *ctx, struct json_object *obj, struct cdat_table **out)
{
	struct where w = { ctx, "" };
	struct json_object *arr;
	struct cdat_table *t;
	uint64_t rev = 0, seq = 0;
	size_t n;
	int rc;

	if (!json_object_is_type(obj, json_type_object))
		return doe_err(ctx, -EINVAL, "CDAT JSON: not an object");
	if (!json_object_object_get_ex(obj, "structures", &arr))
		return bad(&w, "structures", "missing");
	if (!json_object_is_type(arr, json_type_array))
		return bad(&w, "structures", "not an array");
	n = json_object_array_length(arr);
	if (n > (CDAT_MAX_TABLE_LEN - CDAT_HEADER_LEN) / CDAT_STRUCT_HEADER_LEN)
		return bad(&w, "structures", "%zu structures cannot fit in a %u-byte table", n,
			   CDAT_MAX_TABLE_LEN);
	t = calloc(1, sizeof(*t));
	if (!t || !(t->structs = calloc(n ? n : 1, sizeof(*t->structs)))) {
		free(t);
		return doe_err(ctx, -ENOMEM, "out of memory");
	}
	rc = get_uint(&w, obj, "revision", U8, true, &rev);
	if (rc == 0)
		rc = get_uint(&w, obj, "reserved", U48, false, &t->hdr.reserved);
	if (rc == 0)
		rc = get_uint(&w, obj, "sequence", U32, true, &seq);
	t->hdr.revision = (uint8_t)rev;
	t->hdr.sequence = (uint32_t)seq;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = struct_from_json(ctx, json_object_array_get_idx(arr, i), i, &t->structs[i]);
		t->n_structs = i + 1;	/* so that cdat_table_free() sees what was allocated */
	}
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
