/* SPDX-License-Identifier: MIT */
/*
 * PCIe IDE key management (IDE_KM, PCIe r6 §6.33.3) over an SPDM secured
 * session: the codec of the IDE_KM objects, the decoding of the IDE
 * Extended Capability registers a QUERY_RESP carries, a requester that
 * programs a stream's keys, and a device model that answers IDE_KM.
 *
 * IDE_KM objects travel as SPDM VENDOR_DEFINED_REQUEST (0xFE) /
 * VENDOR_DEFINED_RESPONSE (0x7E) with StandardID 0x0003 (PCI-SIG), a
 * 2-byte VendorID 0x0001, PayloadLength, then ProtocolID 0x00 (IDE_KM)
 * and the object. Layouts: docs/idekm.md (checked against DMTF libspdm
 * include/industry_standard/pci_idekm.h and pcidoe.h; the registers
 * against Linux include/uapi/linux/pci_regs.h PCI_IDE_*).
 *
 * Never in the clear: the requester functions take an established
 * struct spdm_sess and refuse any other; there is no function that sends
 * IDE_KM over a plain transport. The device model is reached only through
 * a responder session's vendor handler (spdm_sess_set_vendor_handler()).
 *
 * Key material: struct idekm_keys and struct idekm_msg (KEY_PROG) hold
 * keys; the caller wipes them with idekm_keys_wipe() / idekm_msg_wipe().
 * The library wipes every copy it makes.
 */
#ifndef DOEKIT_IDEKM_H
#define DOEKIT_IDEKM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <doekit/common.h>
#include <doekit/ctx.h>
#include <doekit/spdm.h>
#include <doekit/spdm_session.h>

DOE_BEGIN_DECLS

/* ---- wire constants --------------------------------------------------- */

#define IDEKM_SPDM_VENDOR_REQUEST 0xFEu	/* VENDOR_DEFINED_REQUEST */
#define IDEKM_SPDM_VENDOR_RESPONSE 0x7Eu	/* VENDOR_DEFINED_RESPONSE */
#define IDEKM_STANDARD_ID_PCISIG 0x0003u	/* DSP0274 registry: PCI-SIG */
#define IDEKM_VENDOR_ID_PCISIG 0x0001u
#define IDEKM_PROTOCOL_ID 0x00u		/* PCI protocol ID of IDE_KM */
/* SPDM header 4, StandardID 2, Len 1, VendorID 2, PayloadLength 2 */
#define IDEKM_VDM_HDR_SIZE 11u

/* ObjectID */
enum idekm_object {
	IDEKM_QUERY = 0x00,
	IDEKM_QUERY_RESP = 0x01,
	IDEKM_KEY_PROG = 0x02,
	IDEKM_KP_ACK = 0x03,
	IDEKM_K_SET_GO = 0x04,
	IDEKM_K_SET_STOP = 0x05,
	IDEKM_K_GOSTOP_ACK = 0x06,
};

/* Sub-streams (bits 7:4 of the KeySet/Direction/SubStream byte) */
enum idekm_substream { IDEKM_PR = 0, IDEKM_NPR = 1, IDEKM_CPL = 2 };
#define IDEKM_SUBSTREAMS 3u
/* Direction (bit 1) and key set (bit 0) */
enum idekm_dir { IDEKM_RX = 0, IDEKM_TX = 1 };
#define IDEKM_KEYSETS 2u

/* KP_ACK Status */
enum idekm_kp_status {
	IDEKM_KP_SUCCESS = 0,
	IDEKM_KP_INCORRECT_LENGTH = 1,
	IDEKM_KP_UNSUPPORTED_PORT = 2,
	IDEKM_KP_UNSUPPORTED_VALUE = 3,
	IDEKM_KP_UNSPECIFIED = 4,
};

/* AES-GCM 256 (the one IDE algorithm): key 8 DW, IFV 2 DW */
#define IDEKM_KEY_SIZE 32u
#define IDEKM_IFV_SIZE 8u

/* Object sizes, ObjectID included */
#define IDEKM_QUERY_SIZE 3u
#define IDEKM_QUERY_RESP_FIXED 7u
#define IDEKM_KSET_SIZE 7u		/* KP_ACK, K_SET_GO/STOP, K_GOSTOP_ACK */
#define IDEKM_KEY_PROG_SIZE (7u + IDEKM_KEY_SIZE + IDEKM_IFV_SIZE)

/* Names for logs and output ("PR", "Rx", "unsupported PortIndex", ...);
 * "unknown" for anything else. */
DOE_API const char *idekm_object_name(uint8_t object);
DOE_API const char *idekm_status_name(uint8_t status);
DOE_API const char *idekm_substream_name(uint8_t substream);
DOE_API const char *idekm_dir_name(uint8_t dir);

/* ---- IDE Extended Capability registers (PCIe r6 §7.9.26) -------------- */

/* IDE Capability register */
#define IDEKM_CAP_LINK 0x00000001u		/* Link IDE Stream Supported */
#define IDEKM_CAP_SELECTIVE 0x00000002u		/* Selective IDE Streams Supported */
#define IDEKM_CAP_FLOWTHROUGH 0x00000004u
#define IDEKM_CAP_PARTIAL_HDR 0x00000008u
#define IDEKM_CAP_AGGREGATION 0x00000010u
#define IDEKM_CAP_PCRC 0x00000020u
#define IDEKM_CAP_IDE_KM 0x00000040u
#define IDEKM_CAP_SEL_CFG 0x00000080u
#define IDEKM_CAP_ALG_SHIFT 8u			/* bits 12:8, supported algorithms */
#define IDEKM_CAP_ALG_MASK 0x00001F00u
#define IDEKM_CAP_TC_SHIFT 13u			/* bits 15:13, Link IDE TCs - 1 */
#define IDEKM_CAP_TC_MASK 0x0000E000u
#define IDEKM_CAP_SEL_SHIFT 16u			/* bits 23:16, selective streams - 1 */
#define IDEKM_CAP_SEL_MASK 0x00FF0000u
#define IDEKM_CAP_TEE_LIMITED 0x01000000u
#define IDEKM_ALG_AES_GCM_256 0u		/* algorithm 0: AES-GCM 256, 96-bit MAC */

/* Stream Control (Link and Selective) */
#define IDEKM_CTL_ENABLE 0x00000001u
#define IDEKM_CTL_ALG_SHIFT 14u			/* bits 18:14 */
#define IDEKM_CTL_TC_SHIFT 19u			/* bits 21:19 */
#define IDEKM_CTL_ID_SHIFT 24u			/* bits 31:24, Stream ID */
/* Stream Status */
#define IDEKM_STS_STATE_MASK 0x0000000Fu
#define IDEKM_STS_INSECURE 0u
#define IDEKM_STS_SECURE 2u
#define IDEKM_STS_IDE_FAIL 0x80000000u
/* Selective IDE Stream Capability: bits 3:0 address association blocks */
#define IDEKM_SEL_CAP_ASSOC_MASK 0x0000000Fu

#define IDEKM_MAX_LINK 8u	/* Link IDE register blocks (3-bit TC count) */
#define IDEKM_MAX_SEL 256u	/* Selective IDE register blocks (8-bit count + 1) */
#define IDEKM_MAX_ADDR 15u	/* address association blocks per selective stream */
/* What a QUERY_RESP may carry here: the session layer's messages are at
 * most a few KiB, so registers beyond this cannot arrive. */
#define IDEKM_REGS_MAX 4096u

struct idekm_link_stream {
	uint32_t ctl, sts;
	bool enabled;		/* ctl bit 0 */
	uint8_t stream_id;	/* ctl 31:24 */
	uint8_t state;		/* sts 3:0 */
};

struct idekm_addr_assoc {
	uint32_t reg1, reg2, reg3;	/* valid, base/limit low; limit upper; base upper */
	bool valid;
	uint64_t base, limit;		/* bits 63:20 of the addresses */
};

struct idekm_sel_stream {
	uint32_t cap, ctl, sts, rid1, rid2;
	uint8_t naddr;			/* cap 3:0 */
	bool enabled;
	uint8_t stream_id;
	uint8_t state;
	bool rid_valid;			/* rid2 bit 0 */
	uint16_t rid_base, rid_limit;
	uint8_t rid_segment;
	struct idekm_addr_assoc addr[IDEKM_MAX_ADDR];
};

/*
 * The registers a QUERY_RESP carries, from the IDE Capability register
 * on (no extended capability header): capability, control, one Link IDE
 * block (control, status) per supported TC, one Selective IDE block per
 * supported stream (capability, control, status, RID association 1 and 2,
 * then naddr address association blocks of 3 DW each). The counts come
 * from the registers themselves and are checked against the bytes
 * present; whole DWs after the last block are tolerated and counted in
 * trailing_dw (spdm-emu's sample device sends a fixed-size buffer).
 * Selective blocks are decoded on demand by idekm_cap_sel().
 */
struct idekm_cap {
	uint32_t cap, ctl;
	bool link, selective, ide_km, tee_limited;
	uint8_t algorithms;		/* cap 12:8, bit n: algorithm n */
	uint8_t nlink;			/* link ? TCs supported : 0 */
	uint16_t nsel;			/* selective ? streams supported : 0 */
	struct idekm_link_stream link_streams[IDEKM_MAX_LINK];
	uint16_t sel_off[IDEKM_MAX_SEL];	/* offset of each selective block in regs */
	uint32_t trailing_dw;
	size_t regs_len;
	uint8_t regs[IDEKM_REGS_MAX];
};

DOE_API int idekm_cap_decode(struct doe_ctx *ctx, const uint8_t *regs, size_t len,
			     struct idekm_cap *cap);
/* Selective stream block i (< cap->nsel). -EINVAL otherwise. */
DOE_API int idekm_cap_sel(const struct idekm_cap *cap, unsigned i, struct idekm_sel_stream *out);

/* ---- objects ----------------------------------------------------------- */

/* One IDE_KM object, decoded or to encode. Which fields count depends on
 * object; key/ifv only for KEY_PROG (wipe with idekm_msg_wipe()). */
struct idekm_msg {
	uint8_t object;			/* enum idekm_object */
	uint8_t spdm_version;		/* SPDM header version (0x10..0x13) */
	uint8_t port_index;
	uint8_t stream_id;		/* KEY_PROG .. K_GOSTOP_ACK */
	uint8_t keyset, dir, substream;	/* KEY_PROG .. K_GOSTOP_ACK */
	uint8_t status;			/* KP_ACK */
	uint8_t key[IDEKM_KEY_SIZE];	/* KEY_PROG */
	uint8_t ifv[IDEKM_IFV_SIZE];
	/* QUERY_RESP */
	uint8_t dev_func, bus, segment, max_port_index;
	const uint8_t *regs;		/* into the decoded message */
	size_t regs_len;
};

DOE_API void idekm_msg_wipe(struct idekm_msg *m);

/* The KeySet/Direction/SubStream byte and back (-EINVAL for a sub-stream
 * above CPL, keyset or dir above 1, or reserved bits 3:2 set). */
DOE_API uint8_t idekm_ksd_byte(uint8_t keyset, uint8_t dir, uint8_t substream);
DOE_API int idekm_ksd_parse(uint8_t b, uint8_t *keyset, uint8_t *dir, uint8_t *substream);

/* Encodes the object alone (ObjectID first), m->object decides the layout. */
DOE_API int idekm_obj_encode(struct doe_ctx *ctx, const struct idekm_msg *m, uint8_t *out,
			     size_t cap, size_t *len);
/* Decodes one object: exact length (KEY_PROG 47, QUERY 3, the
 * acknowledgements 7, QUERY_RESP 7 + registers, DW-aligned), the ObjectID
 * known. m->regs points into obj. */
DOE_API int idekm_obj_decode(struct doe_ctx *ctx, const uint8_t *obj, size_t len,
			     struct idekm_msg *m);

/* Whole SPDM messages: QUERY, KEY_PROG, K_SET_GO and K_SET_STOP go in a
 * VENDOR_DEFINED_REQUEST, the others in a VENDOR_DEFINED_RESPONSE. */
DOE_API int idekm_encode(struct doe_ctx *ctx, const struct idekm_msg *m, uint8_t *out, size_t cap,
			 size_t *len);
/* Decodes a VENDOR_DEFINED message: request says which code is expected
 * (a responder decodes requests, a requester responses); the object must
 * be one that travels that way. StandardID, Len, VendorID, PayloadLength
 * and ProtocolID are checked and named when wrong. */
DOE_API int idekm_decode(struct doe_ctx *ctx, bool request, const uint8_t *msg, size_t len,
			 struct idekm_msg *m);

/* ---- requester ---------------------------------------------------------- */

/* QUERY_RESP, decoded. */
struct idekm_port_info {
	uint8_t port_index, max_port_index;
	uint8_t dev_func, bus, segment;
	struct idekm_cap cap;
};

/*
 * Every requester function runs inside s, a requester session in the
 * established state (anything else: -ENOTCONN, naming the state), over
 * ops->exchange_secured. Acknowledgements are checked field by field:
 *   -EREMOTEIO  KP_ACK Status not success (named);
 *   -EBADMSG    a wrong object, or an echo that differs: "StreamID",
 *               "KeySet/Direction/SubStream", "PortIndex" named;
 *   -EPROTO     the device answered with an SPDM ERROR (named).
 * A transport failure (no answer) comes back as the transport's error and
 * the session fails (spdm_sess_exchange()).
 */
DOE_API int idekm_query(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
			uint8_t port_index, struct idekm_port_info *out);

/* One KEY_PROG and its KP_ACK. */
DOE_API int idekm_key_prog(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
			   uint8_t stream_id, uint8_t port_index, uint8_t keyset, uint8_t dir,
			   uint8_t substream, const uint8_t key[IDEKM_KEY_SIZE],
			   const uint8_t ifv[IDEKM_IFV_SIZE]);
/* One K_SET_GO (go true) or K_SET_STOP and its K_GOSTOP_ACK. */
DOE_API int idekm_key_set(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
			  bool go, uint8_t stream_id, uint8_t port_index, uint8_t keyset,
			  uint8_t dir, uint8_t substream);

/*
 * The keys of one key set of a stream, as programmed into the device end
 * ([substream][dir], dir as the device sees it: its Rx key is the one the
 * host end transmits with). Caller-owned; idekm_keys_wipe() clears it.
 */
struct idekm_keys {
	uint8_t stream_id, port_index, keyset;
	struct {
		uint8_t key[IDEKM_KEY_SIZE];
		uint8_t ifv[IDEKM_IFV_SIZE];
	} k[IDEKM_SUBSTREAMS][2];
};

DOE_API void idekm_keys_wipe(struct idekm_keys *k);

/*
 * Stream setup on the device end: for each sub-stream (PR, NPR, CPL) and
 * direction a fresh 256-bit key and IFV from the OpenSSL RNG, one KEY_PROG
 * each (6), every KP_ACK checked; then K_SET_GO for the Rx sub-streams and
 * then the Tx ones (6), every K_GOSTOP_ACK checked. The keys go to *keys
 * (for the host end: the platform or the emulator's root port); on
 * failure *keys is wiped. Local copies are wiped.
 */
DOE_API int idekm_stream_setup(struct spdm_sess *s, const struct spdm_transport_ops *ops,
			       void *priv, uint8_t stream_id, uint8_t port_index, uint8_t keyset,
			       struct idekm_keys *keys);
/* Key refresh: the same on the other key set (1 - cur->keyset), which then
 * goes live; *next gets its keys. The old set stays until stopped. */
DOE_API int idekm_stream_refresh(struct spdm_sess *s, const struct spdm_transport_ops *ops,
				 void *priv, const struct idekm_keys *cur, struct idekm_keys *next);
/* K_SET_STOP for every sub-stream and direction of one key set. */
DOE_API int idekm_stream_stop(struct spdm_sess *s, const struct spdm_transport_ops *ops,
			      void *priv, uint8_t stream_id, uint8_t port_index, uint8_t keyset);

/* ---- device model (responder) -------------------------------------------- */

#define IDEKM_DEV_MAX_PORTS 8u
#define IDEKM_DEV_MAX_STREAMS 8u	/* streams with keys at once, per port */

/* One port of the device: where QUERY_RESP says it is and its IDE
 * Extended Capability registers (from the IDE Capability register on).
 * regs is the caller's and may change between requests (an emulator's
 * register model); it must outlive the device. */
struct idekm_dev_port_cfg {
	uint8_t dev_func, bus, segment;
	const uint8_t *regs;
	size_t regs_len;
};

/* Fault knobs (tests, the emulator). */
struct idekm_dev_faults {
	uint8_t kp_status;	/* nonzero: every KP_ACK carries it, no key kept */
	bool wrong_stream;	/* acknowledgements echo StreamID + 1 */
	uint8_t ksd_xor;	/* ... XORed into KeySet/Direction/SubStream (0x01
				 * key set, 0x02 direction, 0x10.. sub-stream) */
	bool wrong_object;	/* KEY_PROG answered with K_GOSTOP_ACK, K_SET_* with KP_ACK */
	bool wrong_port;	/* ... PortIndex + 1 (QUERY_RESP too) */
	bool drop_go;		/* K_SET_GO: no answer at all */
	bool error_go;		/* K_SET_GO: an SPDM ERROR */
};

struct idekm_slot {
	bool programmed;
	uint8_t key[IDEKM_KEY_SIZE];
	uint8_t ifv[IDEKM_IFV_SIZE];
};

struct idekm_dev_stream {
	bool used;
	uint8_t stream_id;
	struct idekm_slot slot[IDEKM_SUBSTREAMS][2][IDEKM_KEYSETS];	/* [sub][dir][keyset] */
	int8_t active[IDEKM_SUBSTREAMS][2];	/* key set in use, -1: stopped */
};

/*
 * The device end of IDE_KM: ports, per-stream key slots and which key set
 * is live. Plain data, caller-owned; idekm_dev_fini() wipes the keys.
 * changed (may be NULL) is told after a key was programmed, set going or
 * stopped, so an emulator can update its registers and link model.
 */
struct idekm_dev {
	struct doe_ctx *ctx;
	uint8_t max_port_index;
	uint8_t nports;
	struct idekm_dev_port_cfg port[IDEKM_DEV_MAX_PORTS];
	struct idekm_dev_stream streams[IDEKM_DEV_MAX_PORTS][IDEKM_DEV_MAX_STREAMS];
	struct idekm_dev_faults faults;
	void (*changed)(void *priv, uint8_t port_index, uint8_t stream_id);
	void *changed_priv;
	unsigned requests;		/* IDE_KM requests seen */
};

/* nports ports (1..IDEKM_DEV_MAX_PORTS); MaxPortIndex is nports - 1. */
DOE_API int idekm_dev_init(struct idekm_dev *d, struct doe_ctx *ctx,
			   const struct idekm_dev_port_cfg *ports, unsigned nports);
DOE_API void idekm_dev_fini(struct idekm_dev *d);

/*
 * One VENDOR_DEFINED_REQUEST (plain, from inside a session) and its
 * answer: an IDE_KM response, or an SPDM ERROR for a request it cannot
 * answer (not PCI-SIG/IDE_KM: UnsupportedRequest; malformed, unknown port
 * or stream, K_SET_GO of a key set never programmed: InvalidRequest).
 * KEY_PROG problems the object can still be echoed for are answered with
 * a KP_ACK status instead: wrong length, PortIndex, sub-stream. Returns 0,
 * or -ETIMEDOUT when a fault knob drops the request (nothing to send).
 * Signature of spdm_vendor_fn: pass d as its priv.
 */
DOE_API int idekm_dev_handle(void *d, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
			     size_t *rsp_len);

/* What reached the device: the key and IFV in a slot (-ENOENT if never
 * programmed or stopped), and the live key set of a sub-stream and
 * direction (0 or 1; -ENOENT when not going). */
DOE_API int idekm_dev_key(const struct idekm_dev *d, uint8_t port_index, uint8_t stream_id,
			  uint8_t substream, uint8_t dir, uint8_t keyset,
			  uint8_t key[IDEKM_KEY_SIZE], uint8_t ifv[IDEKM_IFV_SIZE]);
DOE_API int idekm_dev_active(const struct idekm_dev *d, uint8_t port_index, uint8_t stream_id,
			     uint8_t substream, uint8_t dir);

DOE_END_DECLS

#endif
