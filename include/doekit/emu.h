/* SPDX-License-Identifier: MIT */
/*
 * The emulator: register-level models of PCIe functions with DOE
 * mailboxes, arranged in named topologies. A function is reached through
 * an ordinary struct doe_cfg, so the engine under test runs exactly the
 * register protocol it runs on hardware.
 *
 * Mailbox model (PCIe §6.30.2): the request is collected from Write Data
 * Mailbox writes; Go hands it to the protocol handler registered for its
 * (vendor ID, type); the response is read DW by DW from Read Data Mailbox,
 * each write to it popping one DW; Data Object Ready clears after the last
 * pop. Abort discards everything. Interrupt Status is set on Data Object
 * Ready or Error when Interrupt Enable is set (RW1C).
 * Discovery is built in and answers from the registered protocol list.
 *
 * Objects are not thread-safe; one topology per thread (or a lock around it).
 */
#ifndef DOEKIT_EMU_H
#define DOEKIT_EMU_H

#include <doekit/common.h>
#include <doekit/cfg.h>
#include <doekit/pci.h>

DOE_BEGIN_DECLS

struct emu_fn;
struct emu_mb;
struct emu_topo;

/*
 * A protocol handler: req/req_len is the request payload (after the two
 * header DWs), rsp/rsp_cap the space for the response payload. Set
 * *rsp_len and return 0; a negative return makes the mailbox set Error.
 */
typedef int (*emu_doe_handler)(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			       size_t rsp_cap, size_t *rsp_len);
/* A handler's return value for "accepted, and never answered": Busy stays
 * set until Abort, as with EMU_FAULT_NEVER_READY, but for this one request
 * (a device that hangs in the middle of a protocol). */
#define EMU_DOE_NO_RESPONSE 1

/* Fault knobs, per mailbox. */
enum emu_fault_kind {
	EMU_FAULT_NONE = 0,
	EMU_FAULT_STUCK_BUSY,		/* Busy always set, Abort cannot clear it */
	EMU_FAULT_ERROR,		/* Go sets Error instead of answering */
	EMU_FAULT_NEVER_READY,		/* Go sets Busy; no response ever */
	EMU_FAULT_DROP_RESPONSE,	/* Go accepted, response lost: idle, no DOR */
	EMU_FAULT_LEN_GARBAGE,		/* Length field = fault.value (default 1) */
	EMU_FAULT_LEN_TOO_LARGE,	/* Length field = real + fault.value (default 4) */
	EMU_FAULT_LEN_TOO_SMALL,	/* Length field = real - fault.value (min 2) */
	EMU_FAULT_WRONG_PROTOCOL,	/* response header names another vendor/type */
	EMU_FAULT_READY_AFTER_POLLS,	/* DOR set after fault.value Status reads */
	EMU_FAULT_ABORT_IGNORED,	/* Abort writes have no effect */
};

struct emu_fault {
	enum emu_fault_kind kind;
	uint32_t value;		/* see each kind; 0 means its default */
	uint32_t count;		/* exchanges it applies to; 0 = until cleared */
	/* a second fault active at the same time, e.g. ERROR + ABORT_IGNORED */
	bool abort_ignored;
};

#define EMU_FAULT_KIND_COUNT 11
/* "none", "stuck-busy", "error", ... (for CLI and test tables) */
DOE_API const char *emu_fault_name(enum emu_fault_kind kind);
DOE_API int emu_fault_parse(const char *name, enum emu_fault_kind *kind);

/* PCIe port types (PCIe capability Device/Port Type field) */
enum emu_port_type {
	EMU_PCIE_ENDPOINT = 0x0,
	EMU_PCIE_ROOT_PORT = 0x4,
	EMU_PCIE_SWITCH_UP = 0x5,
	EMU_PCIE_SWITCH_DOWN = 0x6,
	EMU_PCIE_RCIEP = 0x9,
};

struct emu_fn_info {
	struct doe_bdf bdf;
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code;		/* 24 bits */
	enum emu_port_type port_type;
	bool multi_function;
	uint8_t link_speed;		/* PCIe gen (1..6), for Link Status */
	uint8_t link_width;		/* lanes */
	uint8_t port_number;		/* PCIe Port Number (Link Capabilities 31:24);
					 * a switch downstream port's ID in SSLBIS */
	const char *label;		/* e.g. "CXL switch upstream port" */
};

/* A function with config header, PCIe capability and an (initially empty)
 * extended capability list. */
DOE_API int emu_fn_new(struct doe_ctx *ctx, const struct emu_fn_info *info, struct emu_fn **out);
DOE_API void emu_fn_free(struct emu_fn *fn);
DOE_API const struct emu_fn_info *emu_fn_info(const struct emu_fn *fn);

/* Appends a non-DOE extended capability (id, version) of size bytes. */
DOE_API int emu_fn_add_extcap(struct emu_fn *fn, uint16_t id, uint8_t version, uint16_t size);
/* Appends a DOE capability; cap_version 1 or 2; irq adds Interrupt Support. */
DOE_API int emu_fn_add_doe(struct emu_fn *fn, uint8_t cap_version, bool irq, struct emu_mb **out);
DOE_API size_t emu_fn_mailbox_count(const struct emu_fn *fn);
DOE_API struct emu_mb *emu_fn_mailbox(const struct emu_fn *fn, size_t i);

/*
 * Links. A function answers config reads only while the link of every
 * downstream-facing port above it (root port, switch downstream port) is
 * up; below a port that is down it reads all ones and ignores writes, as
 * an absent device does. Holds that keep a port's link down (any number at
 * once; Link Status' Data Link Layer Link Active clears while one is held):
 */
enum emu_link_hold {
	EMU_LINK_DISABLED = 0x1,	/* Link Control Link Disable (also a config
					 * write of bit 4 at the PCIe cap + 0x10) */
	EMU_LINK_PERST = 0x2,		/* PERST# asserted (FM-API Physical Port Control) */
	EMU_LINK_UNBOUND = 0x4,		/* no vPPB bound to this switch port (FM-API) */
};
/* -EINVAL for a function that is not a root or switch downstream port */
DOE_API int emu_fn_link_hold(struct emu_fn *port, unsigned int hold, bool on);
DOE_API unsigned int emu_fn_link_holds(const struct emu_fn *fn);
/* Whether config reads reach fn: every port above it has its link up. */
DOE_API bool emu_fn_present(const struct emu_fn *fn);

/* Raw image of the function's config space (4096 bytes), for hostile-list
 * tests. DOE registers are synthesized on read and not stored here. */
DOE_API uint8_t *emu_fn_config_image(struct emu_fn *fn);

/* A doe_cfg that reaches this function; the fn must outlive it. */
DOE_API int emu_fn_cfg_open(struct emu_fn *fn, struct doe_cfg **out);
/* The same, reporting to ctx instead of the topology's: a thread that
 * drives some functions of a shared topology keeps its errors its own.
 * Different functions may be driven from different threads at once (one
 * function by one thread at a time); the topology itself is read-only then. */
DOE_API int emu_fn_cfg_open_ctx(struct emu_fn *fn, struct doe_ctx *ctx, struct doe_cfg **out);

/* Registers a protocol on a mailbox (after Discovery, in call order).
 * handler may be NULL: the protocol is listed but every request sets Error
 * (a placeholder until its responder exists). Registering a (vid, type)
 * that is already there replaces its handler; for Discovery (0x0001, 0x00)
 * that replaces the built-in responder (to model broken devices). */
DOE_API int emu_mb_add_protocol(struct emu_mb *mb, uint16_t vid, uint8_t type,
				emu_doe_handler handler, void *priv);
DOE_API uint16_t emu_mb_offset(const struct emu_mb *mb);
DOE_API void emu_mb_set_fault(struct emu_mb *mb, const struct emu_fault *fault);
DOE_API void emu_mb_clear_fault(struct emu_mb *mb);
/* Largest response the handler may produce (bytes); default 1 MiB - 8. */
DOE_API void emu_mb_set_rsp_limit(struct emu_mb *mb, size_t max);

/* Counters the tests and benchmarks read. */
struct emu_mb_stats {
	uint64_t requests;	/* Go with a complete request */
	uint64_t aborts;
	uint64_t status_reads;
	uint64_t resets;	/* the function was reset (PERST#, FM-API PPB reset) */
};
DOE_API void emu_mb_stats(const struct emu_mb *mb, struct emu_mb_stats *st);

/*
 * CDAT over CXL Table Access (CXL r3.1 §8.1.11, responder side).
 * emu_fn_set_cdat() copies a table and serves it on the function's mailbox
 * that lists Table Access (0x1E98, 2), replacing the placeholder handler:
 * entry handle 0 is the first 16 bytes (the header), handle i the i-th
 * structure, split by the structures' own length fields; the next handle is
 * i + 1, or 0xFFFF after the last, as QEMU serves it. The bytes need not be
 * a valid table (that is the point of negative tests); a structure length
 * that cannot be followed makes the rest of the bytes one last entry.
 * Asking for a handle past the last entry sets Error. -ENOENT when no
 * mailbox of the function lists Table Access.
 */
DOE_API int emu_fn_set_cdat(struct emu_fn *fn, const void *table, size_t len);

/* Misbehaviour of the CDAT responder, applied to one entry handle. */
enum emu_cdat_fault {
	EMU_CDAT_FAULT_NONE = 0,
	EMU_CDAT_FAULT_HANDLE_LOOP,	/* the entry names handle - 1 as next (0 for 0) */
	EMU_CDAT_FAULT_NEXT_BEYOND,	/* the entry names a handle past the last as next */
	EMU_CDAT_FAULT_END_EARLY,	/* the entry names 0xFFFF as next */
	EMU_CDAT_FAULT_EXTRA_ENTRY,	/* an 8-byte DSIS is served after the last structure,
					 * beyond the header length (handle not used) */
	EMU_CDAT_FAULT_BAD_RSP_CODE,	/* response code 1 instead of 0 */
	EMU_CDAT_FAULT_BAD_TABLE_TYPE,	/* table type 1 instead of 0 (CDAT) */
	EMU_CDAT_FAULT_SHORT_RSP,	/* response without payload (no Table Access header) */
	EMU_CDAT_FAULT_STALL,		/* the request is never answered (Busy until Abort) */
};
#define EMU_CDAT_FAULT_COUNT 9
/* "none", "handle-loop", "next-beyond", "end-early", "extra-entry",
 * "bad-rsp-code", "bad-table-type", "short-rsp", "stall" */
DOE_API const char *emu_cdat_fault_name(enum emu_cdat_fault fault);
DOE_API int emu_cdat_fault_parse(const char *name, enum emu_cdat_fault *fault);
/* After emu_fn_set_cdat(); -ENOENT without a CDAT. */
DOE_API int emu_fn_set_cdat_fault(struct emu_fn *fn, enum emu_cdat_fault fault, uint16_t handle);

/*
 * The built-in tables (malloc'd; the caller frees), built with cdat_encode():
 * type 3 endpoint: DSMAS 0 volatile 256 MiB at DPA 0, DSMAS 1 persistent
 *   256 MiB at 256 MiB; for each read/write latency and bandwidth DSLBIS
 *   (150/250 ns, 16000/12000 MB/s volatile; 300/500 ns, 8000/4000 MB/s
 *   persistent); a 64 MiB DSMSCIS and a DSEMTS (EFI_MEMORY_SP) for DSMAS 0.
 * switch upstream port: an access-latency and an access-bandwidth SSLBIS
 *   with one SSLBE (0x0100, port) per downstream port number given:
 *   latency 20 ns + 5 ns × its position in the list, bandwidth 48000 MB/s.
 */
DOE_API int emu_cdat_type3_table(struct doe_ctx *ctx, uint8_t **table, size_t *len);
DOE_API int emu_cdat_switch_table(struct doe_ctx *ctx, const uint8_t *dsp_ports, size_t n,
				  uint8_t **table, size_t *len);

/*
 * CMA/SPDM (PCIe r6.x §6.31) on the function's CMA mailboxes: the library's
 * responder with an identity (root -> intermediate -> leaf carrying the CMA
 * SAN) generated with OpenSSL on first use. Defaults: ECDSA P-384, every
 * SPDM version, four measurements (ROM, firmware, firmware version,
 * hardware configuration). emu_fn_set_spdm() copies what it is given;
 * -ENOENT when the function has no CMA mailbox.
 */
struct spdm_meas_value;
struct emu_spdm_opts {
	uint32_t asym_algo;		/* SPDM_ASYM_*; 0: keep */
	uint8_t versions;		/* SPDM_VMASK bits; 0: all */
	const struct spdm_meas_value *meas;	/* NULL: keep */
	size_t meas_count;		/* at most 16, values at most 256 bytes */
	unsigned not_ready_count;	/* ResponseNotReady this often first */
	unsigned busy_count;		/* Busy this often first */
	bool corrupt_signature;		/* flip a bit in every signature */
	/* sessions: every CMA mailbox also answers secured CMA (type 2) */
	const uint8_t *psk;		/* PSK_EXCHANGE with this key (copied, 1-64
					 * bytes); NULL: no PSK_CAP */
	size_t psk_len;
	const char *psk_hint;		/* copied, at most 64 bytes */
	bool corrupt_verify_data;	/* flip a bit of ResponderVerifyData */
	bool no_sessions;		/* answer as a device without session caps */
	/* session faults, on the messages of a session's data phase */
	bool drop_secured;		/* the first goes unanswered (mailbox Error) */
	bool replay_secured;		/* the second gets the first one's answer again */
	bool key_update_mismatch;	/* KEY_UPDATE acknowledged, keys not updated */
	unsigned end_session_after;	/* forget the session after this many (0: never) */
	uint8_t mutual_auth;		/* ask sessions for mutual authentication:
					 * 0x02 (GET_ENCAPSULATED_REQUEST) or 0x04
					 * (GET_DIGESTS implied); the requester's chain
					 * must end in a self-signed root: the emulated
					 * device has no anchors of its own */
};
DOE_API int emu_fn_set_spdm(struct emu_fn *fn, const struct emu_spdm_opts *o);
/* Whether the function has a CMA mailbox (and so a responder); cheap: no
 * identity is made. */
DOE_API bool emu_fn_has_spdm(struct emu_fn *fn);
/* The DER root certificate of the function's identity (made if needed);
 * valid until the function is freed or its algorithm changes. */
DOE_API int emu_fn_spdm_root(struct emu_fn *fn, const uint8_t **der, size_t *len);
/* Gives the function an identity (e.g. from spdm_identity_load()) whose
 * leaf key is of asym_algo; the function owns it from then on. */
struct spdm_identity;
DOE_API int emu_fn_set_spdm_identity(struct emu_fn *fn, struct spdm_identity *id,
				     uint32_t asym_algo);
/* The function's identity, when first needed, is a new leaf issued by ca
 * (spdm_identity_issue(), with this serial) instead of a chain of its own:
 * devices of one vendor. ca is borrowed: it must outlive fn. */
DOE_API int emu_fn_set_spdm_issuer(struct emu_fn *fn, const struct spdm_identity *ca,
				   long serial);
/* The configuration of the function's responder (its identity made if
 * needed), for a caller that runs responders of its own, e.g. one per
 * socket connection. What it points to belongs to fn: valid until fn is
 * freed or its SPDM options or identity change. */
struct spdm_rsp_config;
DOE_API int emu_fn_spdm_config(struct emu_fn *fn, struct spdm_rsp_config *cfg);
/* Replaces the PSK (1-64 bytes; NULL: none, and no PSK_CAP) and its hint
 * (opaque bytes, at most 64: DMTF's samples count a trailing NUL), keeping
 * every other SPDM setting. Copied; ends the mailboxes' sessions. */
DOE_API int emu_fn_set_spdm_psk(struct emu_fn *fn, const uint8_t *psk, size_t psk_len,
				const uint8_t *hint, size_t hint_len);
/*
 * A responder of the function's own, with its own session slots (as the
 * function's mailboxes have), for a caller that serves several requesters
 * at once, e.g. one per socket connection. mctp picks the secured-message
 * binding (DSP0275: 2-byte sequence numbers, random padding, application
 * data led by the MCTP type) instead of DOE's. It uses the function's
 * settings and identity as they are now: free it before changing them or
 * freeing fn. emu_spdm_conn_handle() answers one message, in the clear or
 * (secured) a DSP0277 record; emu_spdm_conn_free() wipes its sessions.
 */
struct emu_spdm_conn;
DOE_API int emu_fn_spdm_conn_new(struct emu_fn *fn, bool mctp, struct emu_spdm_conn **out);
DOE_API int emu_spdm_conn_handle(struct emu_spdm_conn *c, bool secured, const void *req,
				 size_t req_len, void *rsp, size_t rsp_cap, size_t *rsp_len);
DOE_API void emu_spdm_conn_free(struct emu_spdm_conn *c);
/* How many established sessions c holds, and whether one has this ID: a
 * server that keeps a departed client's responder finds it again by these. */
DOE_API unsigned emu_spdm_conn_sessions(const struct emu_spdm_conn *c);
DOE_API bool emu_spdm_conn_has_session(const struct emu_spdm_conn *c, uint32_t session_id);
/* One SPDM request to the function's responder, without a mailbox. */
DOE_API int emu_fn_spdm_handle(struct emu_fn *fn, const void *req, size_t req_len, void *rsp,
			       size_t rsp_cap, size_t *rsp_len);

/*
 * IDE (PCIe r6 §6.33) on the emulator, docs/idekm.md "The emulated link".
 * emu_fn_add_ide() appends an IDE Extended Capability (ID 0x30): Link and
 * Selective IDE and IDE_KM supported, AES-GCM 256, one Link TC (Link IDE
 * Stream Control/Status at +0x0C/+0x10) and one Selective stream with one
 * address association block (Capability +0x14, Control +0x18, Status
 * +0x1C). Stream Control's Enable, algorithm, TC and Stream ID are
 * writable by config writes; Status is the link model's. The profiles
 * give one to every root port, switch port and CXL type 3 endpoint with a
 * CMA mailbox (not the fleet's).
 *
 * An endpoint's SPDM sessions answer IDE_KM (VENDOR_DEFINED, PCI-SIG) with
 * emu_fn_ide_dev(), whose QUERY_RESP registers are this capability's. A
 * switch upstream port answers for the switch: PortIndex 0 itself, 1..N
 * its downstream ports with IDE (added after it), each with its own
 * registers and BDF. A root port does not: its keys come from the
 * platform (the TSM on a real host), here emu_fn_ide_set_keys().
 *
 * A stream (the Link block or the Selective block, matched by position)
 * reads Secure in both ends' Status when: both Enable bits are set with
 * the same Stream ID; the root port was given keys for this endpoint (its
 * partner) and that stream; and for every sub-stream (PR, NPR, CPL) and
 * direction the endpoint's live key set is the root port's live set and
 * holds the same key and IFV. Keys are in the device's view (struct
 * idekm_keys): the root port transmits with k[sub][IDEKM_RX] and receives
 * with k[sub][IDEKM_TX]. When both ends hold keys that differ, the stream
 * is the emulated IDE integrity failure: Status Insecure with bit 31 (IDE
 * Fail Message Received) set on both ends, and emu_fn_ide_failures()
 * counts one more on each. Switches in between are transparent. A reset
 * of the endpoint (PERST#, FM-API) loses its IDE_KM keys and Stream Control.
 * The link model writes both ends' Status: drive the IDE of functions below
 * one root port from one thread at a time (or under one lock).
 */
struct idekm_keys;
struct idekm_dev;
struct idekm_dev_faults;
DOE_API int emu_fn_add_ide(struct emu_fn *fn);
DOE_API bool emu_fn_has_ide(struct emu_fn *fn);
/* The root port above fn when it has an IDE capability (the host end of
 * fn's streams), else NULL. */
DOE_API struct emu_fn *emu_fn_ide_host(struct emu_fn *fn);
/* The endpoint's IDE_KM device end (made on first use; NULL for a root
 * port or a function without IDE), for tests to look at its keys. */
DOE_API struct idekm_dev *emu_fn_ide_dev(struct emu_fn *fn);
/* The platform's part: the root port port gets the keys of one key set
 * of partner's stream (copied; that set becomes the root port's live
 * one). A root port pairs with one partner and one stream at a time:
 * keys for another partner take it from the previous one. -EINVAL unless port is a root port with IDE and partner an IDE
 * function below it. */
DOE_API int emu_fn_ide_set_keys(struct emu_fn *port, struct emu_fn *partner,
				const struct idekm_keys *k);
/* Wipes one key set of the root port (its live set falls back to the
 * other one if held). */
DOE_API int emu_fn_ide_clear_keys(struct emu_fn *port, uint8_t keyset);
/* A fault of the host end, not the device: while on, the keys the root
 * port gets for fn's streams have one bit of the PR Rx key flipped, so
 * the stream goes to the integrity failure ("host-mismatch" in
 * --emu-spdm's ide_fault). */
DOE_API int emu_fn_ide_corrupt_host(struct emu_fn *fn, bool on);
/* Integrity failures seen at this end. */
DOE_API unsigned emu_fn_ide_failures(struct emu_fn *fn);
/* Fault knobs of the endpoint's IDE_KM device (NULL: none); -ENOENT
 * without IDE. emu_ide_fault_parse() maps "none", "bad-status" (KP_ACK
 * Status unspecified failure), "wrong-stream", "wrong-keyset",
 * "wrong-port", "wrong-object", "drop-go", "error-go" to knobs;
 * -EINVAL for another name. emu_ide_fault_names() lists them. */
DOE_API int emu_fn_set_ide_faults(struct emu_fn *fn, const struct idekm_dev_faults *f);
DOE_API int emu_ide_fault_parse(const char *name, struct idekm_dev_faults *f);
DOE_API const char *emu_ide_fault_names(void);

/* Topologies: named profiles of functions. */
struct emu_profile_desc {
	const char *name;
	const char *summary;
};
/*
 * CDAT in the profiles (emu/topology.c). Every CXL type 3 endpoint serves
 * emu_cdat_type3_table() on its first mailbox; the switch upstream port
 * (cxl-switch 0d:00.0) serves emu_cdat_switch_table() for its downstream
 * ports 0e:00.0 and 0e:01.0, whose PCIe Port Numbers are 1 and 2; root
 * ports carry their device number as Port Number. In "faulty":
 *   11:00.0  CDAT checksum off by one (reads fine, validation fails)
 *   12:00.0  entry handle 3 names handle 2 as next (EMU_CDAT_FAULT_HANDLE_LOOP)
 *   13:00.0  the request for entry handle 3 is never answered (..._STALL)
 * besides 0d:00.0 (no mailbox answers at all) and the non-CDAT faults.
 */
DOE_API size_t emu_profile_count(void);
DOE_API const struct emu_profile_desc *emu_profile_get(size_t i);
#define EMU_DEFAULT_PROFILE "cxl-switch"

/* profile NULL means EMU_DEFAULT_PROFILE; -ENOENT for an unknown name. */
DOE_API int emu_topo_new(struct doe_ctx *ctx, const char *profile, struct emu_topo **out);
DOE_API void emu_topo_free(struct emu_topo *topo);
DOE_API const char *emu_topo_profile(const struct emu_topo *topo);
DOE_API size_t emu_topo_count(const struct emu_topo *topo);
/* Functions in BDF order. */
DOE_API struct emu_fn *emu_topo_fn(const struct emu_topo *topo, size_t i);
DOE_API struct emu_fn *emu_topo_find(const struct emu_topo *topo, const struct doe_bdf *bdf);
/* Parent (upstream) function in the tree, NULL for a root port or RCiEP. */
DOE_API struct emu_fn *emu_topo_parent(const struct emu_topo *topo, const struct emu_fn *fn);

/*
 * The topology's MCTP network, in process: endpoints by EID, each answering
 * whole MCTP messages. In "cxl-switch" the switch answers at
 * EMU_MCTP_SWITCH_EID:
 *  - FM-API (type 0x07, CXL r3.1 §7.6.7) from a model of the switch that
 *    is the topology itself: physical port 0 is the upstream port 0d:00.0,
 *    ports 1 and 2 the downstream ports 0e:00.0 and 0e:01.0 (their PCIe
 *    Port Numbers), each with a CXL type 3 SLD (0f:00.0, 10:00.0: 512 MiB
 *    each, the sum of their CDAT DSMAS); VCS 0 has vPPBs 0 and 1, bound to
 *    ports 1 and 2 at start. Unbind vPPB is a background operation that
 *    completes after three Background Operation Status polls; then the
 *    port holds EMU_LINK_UNBOUND and the device below it is gone from
 *    config space (emu_fn_present() false, doe list emu skips it); Bind
 *    vPPB (LD ID 0xFFFF) brings it back at once. Physical Port Control
 *    asserts and deasserts PERST# (EMU_LINK_PERST) or resets the PPB; a
 *    device whose link comes back up is reset (its mailboxes idle, its
 *    SPDM responder back before VCA). Send PPB CXL.io Configuration
 *    Request reads and writes the port function's config space. The
 *    devices answer Identify and Get LD Info tunnelled to them (Tunnel
 *    Management Command, fmapi_tunnel.h).
 *  - SPDM (0x05) and secured SPDM (0x06) with the upstream port's identity
 *    (the same certificates as over its DOE mailbox), one responder and
 *    set of sessions per channel.
 * Other message types fail the exchange with -EPROTONOSUPPORT. The channel
 * must be freed before the topology; -ENOENT (naming the profile) when no
 * endpoint has that EID.
 */
#define EMU_MCTP_SWITCH_EID 8u
struct mctp_chan;
DOE_API int emu_mctp_open(struct emu_topo *topo, uint8_t eid, struct mctp_chan **out);
/* The EIDs the topology's endpoints answer at, ascending; returns how many
 * there are (up to max stored). */
DOE_API size_t emu_mctp_eids(const struct emu_topo *topo, uint8_t *eids, size_t max);

/* The function whose SPDM identity the endpoint answers with (cxl-switch
 * EID 8: the upstream port 0d:00.0), e.g. to give it --identity or a PSK
 * before channels are opened; NULL when eid has no endpoint or no SPDM. */
DOE_API struct emu_fn *emu_mctp_spdm_fn(const struct emu_topo *topo, uint8_t eid);

/* Fault knobs of an endpoint's FM-API responder (SPDM is not affected). */
enum emu_mctp_fault_kind {
	EMU_MCTP_FAULT_NONE = 0,
	EMU_MCTP_FAULT_BUSY,		/* requests are answered Busy, not run */
	EMU_MCTP_FAULT_BG_NEVER,	/* background operations stay at 50% */
	EMU_MCTP_FAULT_WRONG_TAG,	/* responses carry the request's tag + 1 */
	EMU_MCTP_FAULT_TRUNCATE,	/* responses lose their last 4 payload bytes
					 * (a header byte when there is no payload) */
};
#define EMU_MCTP_FAULT_COUNT 5
struct emu_mctp_fault {
	enum emu_mctp_fault_kind kind;
	uint32_t count;		/* FM-API answers it applies to; 0 = until cleared
				 * (busy 2: two Busy answers, then the real one) */
};
/* "none", "busy", "bg-never", "wrong-tag", "truncate" */
DOE_API const char *emu_mctp_fault_name(enum emu_mctp_fault_kind kind);
DOE_API int emu_mctp_fault_parse(const char *name, enum emu_mctp_fault_kind *kind);
/* Sets (NULL or kind NONE: clears) the endpoint's fault; -ENOENT for an
 * EID without an endpoint. Channels already open see it at once. */
DOE_API int emu_mctp_set_fault(struct emu_topo *topo, uint8_t eid, const struct emu_mctp_fault *f);

DOE_END_DECLS

#endif
