/* SPDX-License-Identifier: MIT */
/*
 * CDAT as JSON and as text, for doe cdat. The JSON schema:
 *
 *   {"length":N, "revision":N, "checksum":N, "checksum_ok":B, "reserved":N,
 *    "sequence":N, "errors":N, "warnings":N,
 *    "structures":[{"type":"DSMAS", "offset":N, "length":N,
 *                   "header_reserved":N, <fields>}, ...],
 *    "findings":[{"level":"error", "offset":N, "index":N, "message":S}, ...]}
 *
 * Fields are raw integers named after the CDAT spec's field names in
 * snake_case: DSMAS dsmad_handle flags reserved dpa_base dpa_length;
 * DSLBIS handle flags data_type reserved entry_base_unit entry[3] reserved2
 * (+ value, unit); DSMSCIS dsmas_handle reserved memory_side_cache_size
 * cache_attributes; DSIS flags handle reserved; DSEMTS dsmas_handle
 * efi_memory_type_attr reserved dpa_offset dpa_length; SSLBIS data_type
 * reserved entry_base_unit entries[{port_x_id port_y_id
 * latency_or_bandwidth reserved (+ value, unit)}]. "value" is the entry
 * times the base unit, "unit" "ps" or "MB/s". A structure that was not
 * decoded (unknown type: "type":"unknown" with "type_code"; or a length
 * wrong for its type) carries "raw": the whole structure in hex.
 *
 * cdat_table_from_json() reads the same schema back. Computed members
 * (length, checksum, checksum_ok, offset, value, unit, errors, warnings,
 * findings, device, source, and a structure's length unless it is raw)
 * are type-checked and ignored; reserved fields default to 0; every other
 * field is required; any other member is an error.
 */
#ifndef DOE_CDAT_JSON_H
#define DOE_CDAT_JSON_H

#include <stdio.h>
#include <json-c/json.h>
#include <doekit/cdat.h>

/* NULL only when out of memory. */
struct json_object *cdat_table_to_json(const struct cdat_table *t);

struct jin;
/*
 * Builds a table (free with cdat_table_free()) for cdat_encode() from a
 * document read with jin_parse()/jin_load(). Every field is an integer
 * of its CDAT width (a u8 field takes 0..255, a u64 one 0..2^64-1; 2^64,
 * -1, null, a string are errors, never clamped); unknown members are
 * errors; computed members are type-checked, then ignored. Errors
 * (-EINVAL) name the document and the member, e.g.
 * "t.json: structures[2].dpa_base: missing",
 * "t.json: structures[0].entries[1].port_y_id: 65536 is out of range 0..65535".
 */
int cdat_table_from_json(const struct jin *j, struct json_object *obj, struct cdat_table **out);

/* Human-readable: header, one line per structure (latency in ns, bandwidth
 * in GB/s or MB/s, base units applied), then the findings with offsets. */
void cdat_table_print(FILE *f, const struct cdat_table *t);

/* "150 ns", "217.948 ns", "500 ps"; "16 GB/s", "4.99 GB/s", "312 MB/s" */
void cdat_format_latency(char *buf, size_t len, uint64_t ps);
void cdat_format_bandwidth(char *buf, size_t len, uint64_t mbps);

#endif
