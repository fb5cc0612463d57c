/* SPDX-License-Identifier: MIT */
/*
 * CXL Coherent Device Attribute Table (CDAT spec 1.0x) and the CXL Table
 * Access DOE protocol that reads it (CXL r3.1 §8.1.11).
 *
 *   device --cdat_read()-->  bytes  --cdat_parse()-->  struct cdat_table
 *                            bytes  <--cdat_encode()-- struct cdat_table
 *
 * cdat_parse() never gives up on a bad table: it decodes every structure
 * it can and records a finding (error or warning, byte offset, structure
 * index, message) for everything that is wrong. Structures it cannot decode
 * (unknown type, wrong length) keep their bytes, so cdat_encode() writes
 * them back unchanged: bytes -> table -> bytes is identical for every table
 * whose header length matches the bytes given.
 *
 * The read side is a sans-I/O state machine (struct cdat_reader) that takes
 * each Table Access response and yields the next request; cdat_read() runs
 * it over a DOE mailbox. The path-performance helpers at the end combine
 * DSLBIS, SSLBIS and PCIe link figures the way Linux drivers/cxl/core/cdat.c
 * does.
 */
#ifndef DOEKIT_CDAT_H
#define DOEKIT_CDAT_H

#include <doekit/common.h>
#include <doekit/ctx.h>
#include <doekit/doe.h>

DOE_BEGIN_DECLS

#define CDAT_HEADER_LEN 16u
#define CDAT_STRUCT_HEADER_LEN 4u
#define CDAT_MAX_TABLE_LEN (1u << 20)	/* we refuse larger tables (1 MiB) */

/* CDAT Table 1: Revision. 1 for CDAT 1.0x up to 1.02, 2 from CDAT 1.03
 * (QEMU writes 2); anything else is reported as a warning. */
#define CDAT_REVISION_MIN 1u
#define CDAT_REVISION_MAX 2u

/* CDAT Table 2: structure types */
enum cdat_type {
	CDAT_DSMAS = 0,
	CDAT_DSLBIS = 1,
	CDAT_DSMSCIS = 2,
	CDAT_DSIS = 3,
	CDAT_DSEMTS = 4,
	CDAT_SSLBIS = 5,
};
#define CDAT_TYPE_COUNT 6

/* Fixed lengths (header included); SSLBIS is 16 + 8 per SSLBE. */
#define CDAT_DSMAS_LEN 24u
#define CDAT_DSLBIS_LEN 24u
#define CDAT_DSMSCIS_LEN 20u
#define CDAT_DSIS_LEN 8u
#define CDAT_DSEMTS_LEN 24u
#define CDAT_SSLBIS_HDR_LEN 16u
#define CDAT_SSLBE_LEN 8u
#define CDAT_SSLBIS_MAX_ENTRIES ((0xFFFFu - CDAT_SSLBIS_HDR_LEN) / CDAT_SSLBE_LEN)

/* HMAT data types used by DSLBIS and SSLBIS (ACPI 6.x HMAT SLLBI) */
enum cdat_data_type {
	CDAT_ACCESS_LATENCY = 0,
	CDAT_READ_LATENCY = 1,
	CDAT_WRITE_LATENCY = 2,
	CDAT_ACCESS_BANDWIDTH = 3,
	CDAT_READ_BANDWIDTH = 4,
	CDAT_WRITE_BANDWIDTH = 5,
};

/* DSMAS flags (CDAT Table 3) */
#define CDAT_DSMAS_NON_VOLATILE 0x04u
#define CDAT_DSMAS_SHAREABLE 0x08u
#define CDAT_DSMAS_HW_COHERENT 0x10u
#define CDAT_DSMAS_DYNAMIC_CAPACITY 0x20u
/* DSIS flags (CDAT Table 7): the initiator has memory attached, described
 * by the DSMAS whose handle is in the Handle field */
#define CDAT_DSIS_MEMORY_ATTACHED 0x01u

/* SSLBIS port IDs (CDAT Table 10): 0x0100 is the upstream port, 0xFFFF any
 * port, 0x00..0xFF a downstream port's PCIe Port Number. */
#define CDAT_SSLBIS_PORT_USP 0x0100u
#define CDAT_SSLBIS_ANY_PORT 0xFFFFu

struct cdat_header {
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	uint64_t reserved;	/* 6 bytes, little-endian */
	uint32_t sequence;
};

struct cdat_dsmas {
	uint8_t dsmad_handle;
	uint8_t flags;
	uint16_t reserved;
	uint64_t dpa_base;
	uint64_t dpa_length;
};

struct cdat_dslbis {
	uint8_t handle;		/* a DSMAS DSMAD handle */
	uint8_t flags;		/* HMAT: bits 3:0 memory hierarchy, 0 = memory */
	uint8_t data_type;	/* enum cdat_data_type */
	uint8_t reserved;
	uint64_t entry_base_unit;
	uint16_t entry[3];	/* entry[0] is the value (as Linux reads it) */
	uint16_t reserved2;
};

struct cdat_dsmscis {
	uint8_t dsmas_handle;
	uint32_t reserved;	/* 3 bytes, little-endian */
	uint64_t memory_side_cache_size;
	uint32_t cache_attributes;
};

struct cdat_dsis {
	uint8_t flags;
	uint8_t handle;
	uint16_t reserved;
};

struct cdat_dsemts {
	uint8_t dsmas_handle;
	uint8_t efi_memory_type_attr;
	uint16_t reserved;
	uint64_t dpa_offset;	/* relative to the DSMAS's DPA base */
	uint64_t dpa_length;
};

struct cdat_sslbe {
	uint16_t port_x_id;
	uint16_t port_y_id;
	uint16_t latency_or_bandwidth;
	uint16_t reserved;
};

struct cdat_sslbis {
	uint8_t data_type;
	uint32_t reserved;	/* 3 bytes, little-endian */
	uint64_t entry_base_unit;
	size_t n_entries;
	struct cdat_sslbe *entries;
};

/*
 * One structure as found in the table: type, header reserved byte, length
 * and byte offset exactly as read. decoded is true when the type is known
 * and the length is right for it; then u holds the fields. Otherwise raw
 * holds the whole structure (header included, raw_len == length bytes) and
 * cdat_encode() writes it back verbatim.
 */
struct cdat_struct {
	uint8_t type;
	uint8_t hdr_reserved;
	uint16_t length;
	uint32_t offset;
	bool decoded;
	union {
		struct cdat_dsmas dsmas;
		struct cdat_dslbis dslbis;
		struct cdat_dsmscis dsmscis;
		struct cdat_dsis dsis;
		struct cdat_dsemts dsemts;
		struct cdat_sslbis sslbis;
	} u;
	uint8_t *raw;
	size_t raw_len;
};

enum cdat_level { CDAT_WARNING = 1, CDAT_ERROR = 2 };

struct cdat_finding {
	enum cdat_level level;
	uint32_t offset;	/* byte offset in the table */
	int index;		/* structure index, -1 for the header */
	char msg[160];
};

/* A hostile 1 MiB table could yield a finding per 4 bytes; beyond this many
 * only the counts go on (n_errors, n_warnings). */
#define CDAT_MAX_FINDINGS 1024u

/*
 * A table. From cdat_parse() (or the CLI's JSON reader) every pointer is
 * owned by the table and cdat_table_free() releases it with free(): structs,
 * each SSLBIS's entries, each raw copy, findings. A table built by hand for
 * cdat_encode() may point at anything (stack arrays included) and is not
 * passed to cdat_table_free().
 */
struct cdat_table {
	struct cdat_header hdr;
	bool checksum_ok;
	size_t raw_len;		/* bytes given to cdat_parse */
	struct cdat_struct *structs;
	size_t n_structs;
	struct cdat_finding *findings;	/* sorted by offset, at most CDAT_MAX_FINDINGS */
	size_t n_findings;
	size_t n_errors;	/* all errors found, recorded or not */
	size_t n_warnings;
};

/* "DSMAS", "DSLBIS", ...; NULL for an unknown type */
DOE_API const char *cdat_type_name(uint8_t type);
/* -1 when unknown; 0 for SSLBIS (variable, see CDAT_SSLBIS_HDR_LEN) */
DOE_API int cdat_type_length(uint8_t type);
/* "access latency", "read bandwidth", ...; NULL when unknown */
DOE_API const char *cdat_data_type_name(uint8_t data_type);
/* 1 for latency types (ps), 0 for bandwidth (MB/s), -1 unknown */
DOE_API int cdat_data_type_is_latency(uint8_t data_type);
/* "ps", "MB/s"; NULL when unknown */
DOE_API const char *cdat_data_type_unit(uint8_t data_type);
/* "warning", "error" */
DOE_API const char *cdat_level_name(enum cdat_level level);
/* entry × base unit, saturating at UINT64_MAX */
DOE_API uint64_t cdat_scale(uint16_t entry, uint64_t base_unit);

/*
 * Parses and validates a whole table. Returns 0 with *out set (even for a
 * table full of errors: read the findings), or a negative code when nothing
 * can be decoded at all: fewer than 16 bytes (-EBADMSG), more than
 * CDAT_MAX_TABLE_LEN (-E2BIG), out of memory (-ENOMEM).
 *
 * Structures are read from byte 16 up to the header length (or the end of
 * the bytes, whichever is first). Errors: header length disagreeing with
 * the bytes, checksum, truncated structure, length wrong for the type,
 * DSMAD handle used twice or named but missing, DPA range overflow, DSEMTS
 * outside its DSMAS, unknown data type, SSLBIS port ID not a port. Warnings:
 * revision, nonzero reserved fields and bits, unknown structure type
 * (skipped, bytes kept), zero base unit, SSLBIS without entries.
 */
DOE_API int cdat_parse(struct doe_ctx *ctx, const void *buf, size_t len, struct cdat_table **out);
DOE_API void cdat_table_free(struct cdat_table *t);
/* Errors or warnings found (n_errors / n_warnings), recorded or not. */
DOE_API size_t cdat_count_findings(const struct cdat_table *t, enum cdat_level level);

/*
 * Encodes a table: header length and checksum are computed, each decoded
 * structure's length follows from its type (SSLBIS from its entry count),
 * undecoded ones are written from raw as they are; every other field,
 * reserved ones included, is written as stored. With buf NULL only *len is
 * computed. -EMSGSIZE when cap is too small (*len still set), -EINVAL for a
 * structure that cannot be written (undecoded without raw bytes, SSLBIS
 * with more than CDAT_SSLBIS_MAX_ENTRIES), -E2BIG past CDAT_MAX_TABLE_LEN.
 */
DOE_API int cdat_encode(struct doe_ctx *ctx, const struct cdat_table *t, uint8_t *buf, size_t cap,
			size_t *len);
/* Same, into a malloc'd buffer the caller frees. */
DOE_API int cdat_encode_alloc(struct doe_ctx *ctx, const struct cdat_table *t, uint8_t **buf,
			      size_t *len);

/* --- Table Access (CXL r3.1 §8.1.11.1): Read Entry ---------------------- */
#define CDAT_TA_REQ_READ_ENTRY 0u
#define CDAT_TA_RSP_READ_ENTRY 0u
#define CDAT_TA_TABLE_TYPE_CDAT 0u
#define CDAT_TA_LAST_HANDLE 0xFFFFu
#define CDAT_TA_REQ_LEN 4u
#define CDAT_TA_RSP_HDR_LEN 4u
/* The largest response payload: the TA header and a 65535-byte structure,
 * padded to whole DWs. */
#define CDAT_TA_RSP_MAX (CDAT_TA_RSP_HDR_LEN + 0x10000u)

/* Request payload (one DW): Read Entry, table type CDAT, entry handle. */
DOE_API void cdat_ta_req_encode(uint16_t handle, uint8_t out[4]);
/*
 * Parses a Read Entry response payload: response code and table type must
 * be 0 (-EPROTO otherwise), at least the 4-byte header must be there
 * (-EBADMSG). Returns the next handle and the entry bytes, pointing into rsp
 * (the DOE payload, possibly with up to 3 bytes of DW padding at the end).
 */
DOE_API int cdat_ta_rsp_parse(struct doe_ctx *ctx, const void *rsp, size_t len, uint16_t *next,
			      const uint8_t **entry, size_t *entry_len);

/*
 * The reader state machine:
 *
 *   cdat_reader_new(ctx, &r);
 *   rc = cdat_reader_step(r, NULL, 0, req);          // 1: send req (handle 0)
 *   while (rc == 1) {
 *       exchange req, get rsp/rsp_len (ask the mailbox for CDAT_TA_RSP_MAX)
 *       rc = cdat_reader_step(r, rsp, rsp_len, req);  // 1 again, 0 done, <0
 *   }
 *   cdat_reader_take(r, &table, &len);
 *
 * Guards, each with its own code and a message naming the entry handle:
 * an entry handle the device named twice (-ELOOP); a header length above
 * CDAT_MAX_TABLE_LEN (-E2BIG) or below 16 (-EBADMSG); the device naming
 * another entry after the header length is used up, or an entry that does
 * not fit in it (-E2BIG); 0xFFFF before the header length is reached
 * (-EBADMSG, "ended early"); an entry whose length does not match the
 * response (-EBADMSG); response code or table type not 0 (-EPROTO). Only
 * handles the device returned are ever requested.
 * Size: the reader is about 8 KiB (a bit per possible handle) plus the
 * table, allocated when the header arrives.
 */
struct cdat_reader;
DOE_API int cdat_reader_new(struct doe_ctx *ctx, struct cdat_reader **out);
DOE_API void cdat_reader_free(struct cdat_reader *r);
DOE_API int cdat_reader_step(struct cdat_reader *r, const void *rsp, size_t rsp_len,
			     uint8_t req[4]);
/* The entry handle of the request in flight (the one an error concerns). */
DOE_API uint16_t cdat_reader_handle(const struct cdat_reader *r);
/* Entries received so far. */
DOE_API size_t cdat_reader_entries(const struct cdat_reader *r);
/* After step returned 0: hands over the table (malloc'd, caller frees). */
DOE_API int cdat_reader_take(struct cdat_reader *r, uint8_t **table, size_t *len);

/*
 * Reads the whole CDAT over a mailbox that serves Table Access, with the
 * reader above and a CDAT_TA_RSP_MAX response buffer, both freed before it
 * returns. On success *table (malloc'd, caller frees) holds the raw table. Any failure names the entry handle, e.g.
 *   "CDAT entry handle 3: 0000:0d:00.0 DOE@0x1a0: no response after 1000 ms ..."
 * and returns the mailbox's code (-ETIMEDOUT, -EIO, ...) or the reader's.
 */
DOE_API int cdat_read(struct doe_mb *mb, uint8_t **table, size_t *len);

/* --- Path performance (as Linux drivers/cxl/core/cdat.c) ---------------- */

#define CDAT_PERF_READ_LATENCY 0x1u
#define CDAT_PERF_WRITE_LATENCY 0x2u
#define CDAT_PERF_READ_BANDWIDTH 0x4u
#define CDAT_PERF_WRITE_BANDWIDTH 0x8u
#define CDAT_PERF_ALL 0xFu

/* Latency in picoseconds, bandwidth in MB/s; valid says which are known. */
struct cdat_perf {
	uint64_t read_latency_ps;
	uint64_t write_latency_ps;
	uint64_t read_bandwidth_mbps;
	uint64_t write_bandwidth_mbps;
	unsigned int valid;	/* CDAT_PERF_* */
};

/*
 * What a device's DSLBIS structures say about one DSMAS range. Like Linux
 * cdat_dslbis_handler(): only decoded DSLBIS naming the handle with memory
 * hierarchy 0 (flags bits 3:0) count; the value is entry[0] × base unit;
 * access types set both read and write; an entry of 0 or 0xFFFF, or one
 * that overflows, gives no value; a later structure overrides an earlier.
 * -ENOENT when no DSMAS has the handle. (Linux rounds latency up to ns; we
 * keep picoseconds.)
 */
DOE_API int cdat_dsmas_perf(const struct cdat_table *t, uint8_t dsmad_handle,
			    struct cdat_perf *perf);

/*
 * What a switch's SSLBIS structures say about the path between two of its
 * ports (port IDs as in SSLBE; CDAT_SSLBIS_PORT_USP for the upstream port).
 * An SSLBE matches when its pair equals (x, y) in either order, with 0xFFFF
 * matching any port; a later entry overrides an earlier one, as in Linux
 * cdat_sslbis_handler(). Difference: Linux applies an SSLBE whose port X is
 * a downstream port to that port whatever port Y is; we require the pair.
 * Returns the number of matching entries (0: perf.valid == 0).
 */
DOE_API int cdat_switch_perf(const struct cdat_table *t, uint16_t port_x, uint16_t port_y,
			     struct cdat_perf *perf);

/*
 * One PCIe link as Linux cxl_pci_get_latency() / cxl_pci_get_bandwidth():
 *   lane MB/s  = pcie_link_speed_mbps / 8  (2500, 5000, 8000, 16000, 32000,
 *                64000 Mb/s for gen 1..6; no encoding overhead is taken off)
 *   latency ps = flit bytes × 10^6 / lane MB/s, flit 68 bytes, or 256 in
 *                PCIe Flit Mode (Link Status 2 bit 10; always at 64 GT/s)
 *   bandwidth  = lane MB/s × negotiated width, for read and write
 * gen is the Link Status Current Link Speed (1..6), width the Negotiated
 * Link Width (1..32). -EINVAL otherwise.
 */
DOE_API int cdat_link_perf(uint8_t gen, uint8_t width, bool flit_mode, struct cdat_perf *perf);

/*
 * Adds one hop to a path: latencies add, bandwidth is the minimum (Linux
 * cxl_coordinates_combine()). A figure the hop does not know leaves the
 * accumulated one as it is; a figure only the hop knows is taken from it.
 * Start from a zeroed struct.
 */
DOE_API void cdat_perf_add_hop(struct cdat_perf *acc, const struct cdat_perf *hop);

DOE_END_DECLS

#endif
