/* SPDX-License-Identifier: MIT */
/*
 * CXL Component Command Interface (CCI) messages and the Fabric Manager
 * API (CXL r3.x §7.6, §8.2.9), as carried over MCTP (DSP0234: message type
 * 0x07 FM-API; DSP0281: 0x08 CXL CCI).
 *
 * Three layers:
 * - the codec: the 12-byte CCI message header and, for every command
 *   doekit speaks, an encoder and a decoder of its request payload and of
 *   its response payload. Requester and responder (the emulated switch)
 *   use the same functions: a requester encodes requests and decodes
 *   responses, a responder decodes requests and encodes responses.
 * - the requester, sans-I/O: struct fmapi_req builds request messages
 *   (allocating tags) and checks response messages (tag, category, opcode
 *   echo, length, message-size limits). It never does I/O.
 * - blocking helpers over a struct mctp_chan (mctp.h): fmapi_exchange()
 *   and one typed function per command. They retry Busy/Retry Required a
 *   bounded number of times, and poll Background Operation Status to
 *   completion under a deadline.
 *
 * Messages handed to and returned by this API are CCI messages: header
 * plus payload, without the MCTP message-type byte (mctp_exchange() adds
 * and strips it).
 *
 * Errors: negative errno with a message in the context. A command the
 * device answered with a return code other than Success fails with
 * fmapi_rc_errno(rc) (never -EINVAL, which the CLI reports as a usage
 * error), and the message names the command and the return code.
 */
#ifndef DOEKIT_FMAPI_H
#define DOEKIT_FMAPI_H

#include <doekit/common.h>
#include <doekit/ctx.h>

DOE_BEGIN_DECLS

struct mctp_chan;

/* --- CCI message header (CXL r3.1 Figure 7-19 "CCI Message Format") ---
 * off 0 category (bits 3:0; 7:4 reserved), 1 tag, 2 reserved, 3..4 opcode
 * (LE), 5..7 payload length (bits 20:0; 22:21 reserved; 23 background
 * operation), 8..9 return code, 10..11 vendor-specific extended status. */
#define FMAPI_HDR_LEN 12u
#define FMAPI_CAT_REQ 0u
#define FMAPI_CAT_RSP 1u
#define FMAPI_PAYLOAD_MAX 0x1FFFFFu	/* 21-bit length field */

struct fmapi_hdr {
	uint8_t category;	/* FMAPI_CAT_REQ or FMAPI_CAT_RSP */
	uint8_t tag;		/* the response echoes the request's */
	uint16_t opcode;	/* command set in the high byte */
	uint32_t payload_len;	/* bits 20:0 */
	bool background;	/* bit 23 of the length field */
	uint16_t return_code;	/* responses: FMAPI_RC_* */
	uint16_t vendor_status;	/* vendor-specific extended status */
};

/* Writes exactly FMAPI_HDR_LEN bytes; -EINVAL for a category other than
 * 0/1 or a payload_len over 21 bits, -EMSGSIZE when cap is short. */
DOE_API int fmapi_hdr_encode(struct doe_ctx *ctx, const struct fmapi_hdr *h, void *out,
			     size_t cap);
/* Decodes the first FMAPI_HDR_LEN bytes of in (len bytes; short: -EBADMSG).
 * Category other than request/response: -EPROTO. Reserved bits are
 * ignored (CXL: "ignored by the receiver"; the encoder writes zeros).
 * Does not compare payload_len with len: see fmapi_msg_decode(). */
DOE_API int fmapi_hdr_decode(struct doe_ctx *ctx, const void *in, size_t len,
			     struct fmapi_hdr *h);

/* Whole message: header (payload_len set from plen, h->payload_len
 * ignored) followed by plen payload bytes. */
DOE_API int fmapi_msg_encode(struct doe_ctx *ctx, const struct fmapi_hdr *h, const void *payload,
			     size_t plen, void *out, size_t cap, size_t *out_len);
/* Header, then the payload: *payload points into in. The length field must
 * equal the bytes present after the header (-EBADMSG naming both). */
DOE_API int fmapi_msg_decode(struct doe_ctx *ctx, const void *in, size_t len,
			     struct fmapi_hdr *h, const uint8_t **payload, size_t *plen);
/* The response header for request header req: category response, tag and
 * opcode echoed, return code rc, no background flag, vendor status 0.
 * A responder starting a background operation answers rc
 * FMAPI_RC_BACKGROUND with background set, then reports progress and the
 * final code through Background Operation Status. Typical responder:
 * fmapi_msg_decode() the request, the command's *_req_decode() (or
 * fmapi_empty_decode()), fmapi_hdr_response(), the *_rsp_encode(), then
 * fmapi_msg_encode(). */
DOE_API void fmapi_hdr_response(const struct fmapi_hdr *req, uint16_t rc, struct fmapi_hdr *rsp);

/* --- opcodes --- */
#define FMAPI_OP_IDENTIFY 0x0001u
#define FMAPI_OP_BG_OP_STATUS 0x0002u
#define FMAPI_OP_GET_RSP_MSG_LIMIT 0x0003u
#define FMAPI_OP_SET_RSP_MSG_LIMIT 0x0004u
#define FMAPI_OP_IDENTIFY_SWITCH 0x5100u
#define FMAPI_OP_GET_PORT_STATE 0x5101u
#define FMAPI_OP_PORT_CONTROL 0x5102u
#define FMAPI_OP_SEND_PPB_CONFIG 0x5103u
#define FMAPI_OP_GET_VCS_INFO 0x5200u
#define FMAPI_OP_BIND_VPPB 0x5201u
#define FMAPI_OP_UNBIND_VPPB 0x5202u
#define FMAPI_OP_GET_LD_INFO 0x5400u

/* "identify", "background-operation-status", ..., "get-ld-info"; NULL for
 * an opcode doekit does not know. */
DOE_API const char *fmapi_op_name(uint16_t opcode);

/* --- return codes (CXL r3.0 §8.2.8.4.5.1 "Command Return Codes") --- */
enum fmapi_rc {
	FMAPI_RC_SUCCESS = 0x00,
	FMAPI_RC_BACKGROUND = 0x01,	/* background command started */
	FMAPI_RC_INVALID_INPUT = 0x02,
	FMAPI_RC_UNSUPPORTED = 0x03,
	FMAPI_RC_INTERNAL = 0x04,
	FMAPI_RC_RETRY = 0x05,		/* retry required */
	FMAPI_RC_BUSY = 0x06,
	FMAPI_RC_MEDIA_DISABLED = 0x07,
	FMAPI_RC_FW_IN_PROGRESS = 0x08,
	FMAPI_RC_FW_OUT_OF_ORDER = 0x09,
	FMAPI_RC_FW_AUTH_FAILED = 0x0A,
	FMAPI_RC_FW_INVALID_SLOT = 0x0B,
	FMAPI_RC_FW_ROLLED_BACK = 0x0C,
	FMAPI_RC_FW_COLD_RESET = 0x0D,
	FMAPI_RC_INVALID_HANDLE = 0x0E,
	FMAPI_RC_INVALID_PADDR = 0x0F,
	FMAPI_RC_POISON_LIMIT = 0x10,
	FMAPI_RC_MEDIA_FAILURE = 0x11,
	FMAPI_RC_ABORTED = 0x12,
	FMAPI_RC_INVALID_SECURITY_STATE = 0x13,
	FMAPI_RC_INCORRECT_PASSPHRASE = 0x14,
	FMAPI_RC_UNSUPPORTED_MAILBOX = 0x15,
	FMAPI_RC_INVALID_PAYLOAD_LEN = 0x16,
	FMAPI_RC_INVALID_LOG = 0x17,
	FMAPI_RC_INTERRUPTED = 0x18,
	FMAPI_RC_FEATURE_VERSION = 0x19,
	FMAPI_RC_FEATURE_SELECTION = 0x1A,
	FMAPI_RC_FEATURE_IN_PROGRESS = 0x1B,
	FMAPI_RC_FEATURE_OUT_OF_ORDER = 0x1C,
	FMAPI_RC_RESOURCES_EXHAUSTED = 0x1D,
	FMAPI_RC_INVALID_EXTENT_LIST = 0x1E,
	FMAPI_RC_COUNT			/* one past the last code doekit names */
};
/* "success", "background-command-started", "invalid-input", ...; NULL for
 * a code not in the table (print it as a number). */
DOE_API const char *fmapi_rc_name(uint16_t rc);
/* The requester's errno for a device return code: 0 for success, -EBUSY
 * for busy/retry required, -EOPNOTSUPP for unsupported, -EINPROGRESS for
 * background command started, -EREMOTEIO for the rest (never -EINVAL). */
DOE_API int fmapi_rc_errno(uint16_t rc);

/* --- payloads --- */
/* Every *_encode writes the payload into out (cap bytes) and sets *len;
 * -EMSGSIZE when it does not fit, -EINVAL for a field out of range.
 * Every *_decode reads exactly len bytes: short -EBADMSG, trailing bytes
 * -EBADMSG, counts claiming more entries than present -EBADMSG, more than
 * the struct holds -EMSGSIZE, a field out of range -EPROTO; each message
 * names the command and the field. */

/* Identify (0x0001) response, CXL r3.0 §8.2.9.1.1, 18 bytes. No request payload. */
#define FMAPI_IDENTIFY_LEN 18u
#define FMAPI_COMPONENT_SWITCH 0x00u
#define FMAPI_COMPONENT_TYPE3 0x03u
struct fmapi_identify {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsys_vendor_id;
	uint16_t subsys_id;
	uint64_t serial;
	uint8_t max_msg_size;	/* n: requests up to 2^n bytes (header included) */
	uint8_t component_type;	/* FMAPI_COMPONENT_* */
};
DOE_API int fmapi_identify_rsp_encode(struct doe_ctx *ctx, const struct fmapi_identify *in,
				      void *out, size_t cap, size_t *len);
DOE_API int fmapi_identify_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
				      struct fmapi_identify *out);
/* "switch", "type3-device", or NULL */
DOE_API const char *fmapi_component_name(uint8_t type);

/* Background Operation Status (0x0002) response, §8.2.9.1.2, 8 bytes.
 * Byte 0: bit 0 operation in progress, bits 7:1 percentage complete. */
#define FMAPI_BG_STATUS_LEN 8u
struct fmapi_bg_status {
	bool running;
	uint8_t percent;	/* 0..100 */
	uint16_t opcode;	/* the command running or last run in the background */
	uint16_t return_code;	/* its return code once finished */
	uint16_t vendor_status;
};
DOE_API int fmapi_bg_status_rsp_encode(struct doe_ctx *ctx, const struct fmapi_bg_status *in,
				       void *out, size_t cap, size_t *len);
DOE_API int fmapi_bg_status_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
				       struct fmapi_bg_status *out);

/* Get (0x0003) / Set (0x0004) Response Message Limit, §8.2.9.1.3-4: one
 * byte n, the limit is 2^n bytes, n in 8..20. Get's response, Set's request
 * and Set's response all have this one-byte payload. */
#define FMAPI_MSG_LIMIT_MIN 8u
#define FMAPI_MSG_LIMIT_MAX 20u
DOE_API int fmapi_msg_limit_encode(struct doe_ctx *ctx, uint8_t n, void *out, size_t cap,
				   size_t *len);
DOE_API int fmapi_msg_limit_decode(struct doe_ctx *ctx, const void *in, size_t len, uint8_t *n);

/* A command without a payload in this direction: len must be 0 (-EBADMSG
 * naming the opcode otherwise). */
DOE_API int fmapi_empty_decode(struct doe_ctx *ctx, uint16_t opcode, bool response, size_t len);

/* Identify Switch Device (0x5100) response, CXL r3.0 §7.6.7.1.1, 73 bytes. */
#define FMAPI_SWITCH_LEN 73u
struct fmapi_switch_info {
	uint8_t ingress_port;
	uint8_t num_ports;		/* physical ports */
	uint8_t num_vcs;
	uint8_t active_ports[32];	/* bit p of byte p/8: port p active */
	uint8_t active_vcs[32];
	uint16_t total_vppbs;
	uint16_t bound_vppbs;
	uint8_t hdm_decoders;		/* per USP */
};
DOE_API int fmapi_switch_rsp_encode(struct doe_ctx *ctx, const struct fmapi_switch_info *in,
				    void *out, size_t cap, size_t *len);
DOE_API int fmapi_switch_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
				    struct fmapi_switch_info *out);

/* Get Physical Port State (0x5101), §7.6.7.1.2. Request: count, port ids.
 * Response: count, 3 reserved, 16 bytes per port. */
#define FMAPI_MAX_PORTS 256u
#define FMAPI_PORT_INFO_LEN 16u
struct fmapi_port_state_req {
	uint16_t num_ports;			/* 0..255 on the wire */
	uint8_t ports[FMAPI_MAX_PORTS];
};
struct fmapi_port_info {
	uint8_t port_id;
	uint8_t config_state;		/* bits 3:0: FMAPI_PORT_* */
	uint8_t dev_cxl_version;	/* connected device CXL version */
	uint8_t dev_type;		/* connected device type: FMAPI_DEV_* */
	uint8_t cxl_versions;		/* port CXL version bitmask */
	uint8_t max_width;		/* lanes */
	uint8_t width;			/* negotiated lanes */
	uint8_t speeds;			/* supported link speeds vector */
	uint8_t max_speed;
	uint8_t speed;			/* current link speed */
	uint8_t ltssm;			/* LTSSM state */
	uint8_t first_lane;		/* first negotiated lane number */
	uint16_t link_flags;		/* FMAPI_LINK_* */
	uint8_t ld_count;		/* supported LD count */
};
struct fmapi_port_state_rsp {
	uint16_t num_ports;
	struct fmapi_port_info ports[FMAPI_MAX_PORTS];
};
/* Current port configuration state */
#define FMAPI_PORT_DISABLED 0x0u
#define FMAPI_PORT_BIND_IN_PROGRESS 0x1u
#define FMAPI_PORT_UNBIND_IN_PROGRESS 0x2u
#define FMAPI_PORT_DSP 0x3u
#define FMAPI_PORT_USP 0x4u
#define FMAPI_PORT_FABRIC 0x5u
#define FMAPI_PORT_INVALID 0xFu
/* Connected device type */
#define FMAPI_DEV_NONE 0x0u
#define FMAPI_DEV_PCIE 0x1u
#define FMAPI_DEV_TYPE1 0x2u
#define FMAPI_DEV_TYPE2 0x3u
#define FMAPI_DEV_TYPE3_SLD 0x4u
#define FMAPI_DEV_TYPE3_MLD 0x5u
#define FMAPI_DEV_PBR 0x6u		/* PBR component (CXL r3.1+) */
/* Link state flags */
#define FMAPI_LINK_LANE_REVERSED 0x1u
#define FMAPI_LINK_PERST 0x2u		/* PERST# asserted */
#define FMAPI_LINK_PRSNT 0x4u		/* presence pin */
#define FMAPI_LINK_POWER_OFF 0x8u	/* power control state */
DOE_API int fmapi_port_state_req_encode(struct doe_ctx *ctx, const struct fmapi_port_state_req *in,
					void *out, size_t cap, size_t *len);
DOE_API int fmapi_port_state_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
					struct fmapi_port_state_req *out);
DOE_API int fmapi_port_state_rsp_encode(struct doe_ctx *ctx, const struct fmapi_port_state_rsp *in,
					void *out, size_t cap, size_t *len);
DOE_API int fmapi_port_state_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
					struct fmapi_port_state_rsp *out);
/* "disabled", "bind-in-progress", "unbind-in-progress", "dsp", "usp",
 * "fabric", "invalid"; NULL otherwise */
DOE_API const char *fmapi_port_state_name(uint8_t state);
/* "none", "pcie", "cxl-type1", "cxl-type2", "cxl-type3-sld", "cxl-type3-mld",
 * "pbr-component"; NULL otherwise */
DOE_API const char *fmapi_dev_type_name(uint8_t type);
/* "detect", "polling", "configuration", "recovery", "l0", "l0s", "l1", "l2",
 * "disabled", "loopback", "hot-reset"; NULL otherwise */
DOE_API const char *fmapi_ltssm_name(uint8_t state);

/* Physical Port Control (0x5102) request, §7.6.7.1.3: port, opcode. No response payload. */
#define FMAPI_PORT_CONTROL_LEN 2u
#define FMAPI_PORT_OP_ASSERT_PERST 0x0u
#define FMAPI_PORT_OP_DEASSERT_PERST 0x1u
#define FMAPI_PORT_OP_RESET_PPB 0x2u
struct fmapi_port_control {
	uint8_t port_id;
	uint8_t op;	/* FMAPI_PORT_OP_* */
};
DOE_API int fmapi_port_control_req_encode(struct doe_ctx *ctx, const struct fmapi_port_control *in,
					  void *out, size_t cap, size_t *len);
DOE_API int fmapi_port_control_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
					  struct fmapi_port_control *out);
/* "assert-perst", "deassert-perst", "reset-ppb"; NULL otherwise */
DOE_API const char *fmapi_port_op_name(uint8_t op);

/* Send PPB CXL.io Configuration Request (0x5103), §7.6.7.1.4. Request: PPB
 * id; 3 bytes: register number 7:0, extended register number 11:8, first
 * dword byte enable 15:12, transaction type bit 23 (1 write); 4 bytes of
 * transaction data (writes; zero for reads). Response: 4 bytes of return
 * data (a read's value; fmapi_ppb_config() also accepts an empty response
 * to a write). */
#define FMAPI_PPB_CONFIG_LEN 8u
struct fmapi_ppb_config {
	uint8_t port_id;
	uint8_t reg;		/* register number (dword index, 7:0) */
	uint8_t ext_reg;	/* extended register number, 0..15 */
	uint8_t byte_enable;	/* first dword byte enable, 0..15 */
	bool write;
	uint32_t data;		/* writes */
};
DOE_API int fmapi_ppb_config_req_encode(struct doe_ctx *ctx, const struct fmapi_ppb_config *in,
					void *out, size_t cap, size_t *len);
DOE_API int fmapi_ppb_config_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
					struct fmapi_ppb_config *out);
/* The response: 4 bytes of return data. */
DOE_API int fmapi_ppb_config_rsp_encode(struct doe_ctx *ctx, uint32_t data, void *out, size_t cap,
					size_t *len);
DOE_API int fmapi_ppb_config_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
					uint32_t *data);

/* Get Virtual CXL Switch Info (0x5200), §7.6.7.2.1. Request: start vPPB,
 * vPPB list limit, number of VCSs, VCS ids. Response: number of VCSs, 3
 * reserved, per VCS: id, state, USP id, number of vPPBs, then 4 bytes per
 * listed vPPB (binding status, bound port, bound LD id, reserved). */
#define FMAPI_MAX_VCS 16u
#define FMAPI_MAX_VPPB 256u
struct fmapi_vcs_info_req {
	uint8_t start_vppb;
	uint8_t vppb_limit;		/* list at most this many vPPBs per VCS */
	uint16_t num_vcs;		/* 0..FMAPI_MAX_VCS */
	uint8_t vcs_ids[FMAPI_MAX_VCS];
};
struct fmapi_vppb_info {
	uint8_t status;		/* FMAPI_VPPB_* */
	uint8_t port_id;
	uint8_t ld_id;
};
struct fmapi_vcs_info {
	uint8_t vcs_id;
	uint8_t state;		/* FMAPI_VCS_* */
	uint8_t usp_id;
	uint8_t num_vppbs;	/* vPPBs in the VCS */
	uint16_t listed;	/* entries in vppbs[] (from start_vppb, up to vppb_limit) */
	struct fmapi_vppb_info vppbs[FMAPI_MAX_VPPB];
};
struct fmapi_vcs_info_rsp {
	uint16_t num_vcs;
	struct fmapi_vcs_info vcs[FMAPI_MAX_VCS];
};
#define FMAPI_VCS_DISABLED 0x00u
#define FMAPI_VCS_ENABLED 0x01u
#define FMAPI_VCS_INVALID 0xFFu
#define FMAPI_VPPB_UNBOUND 0x0u
#define FMAPI_VPPB_IN_PROGRESS 0x1u
#define FMAPI_VPPB_BOUND_PORT 0x2u
#define FMAPI_VPPB_BOUND_LD 0x3u
DOE_API int fmapi_vcs_info_req_encode(struct doe_ctx *ctx, const struct fmapi_vcs_info_req *in,
				      void *out, size_t cap, size_t *len);
DOE_API int fmapi_vcs_info_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
				      struct fmapi_vcs_info_req *out);
/* Encodes vcs[i].listed entries per VCS (the responder sets listed from the
 * request's start and limit). */
DOE_API int fmapi_vcs_info_rsp_encode(struct doe_ctx *ctx, const struct fmapi_vcs_info_rsp *in,
				      void *out, size_t cap, size_t *len);
/* How many vPPB entries follow each VCS block depends on the request, so
 * the decoder takes it: min(vppb_limit, num_vppbs - start_vppb) entries
 * (none when start_vppb >= num_vppbs). */
DOE_API int fmapi_vcs_info_rsp_decode(struct doe_ctx *ctx, const struct fmapi_vcs_info_req *req,
				      const void *in, size_t len, struct fmapi_vcs_info_rsp *out);
/* "disabled", "enabled", "invalid"; NULL otherwise */
DOE_API const char *fmapi_vcs_state_name(uint8_t state);
/* "unbound", "in-progress", "bound-port", "bound-ld"; NULL otherwise */
DOE_API const char *fmapi_vppb_status_name(uint8_t status);

/* Bind vPPB (0x5201) request, §7.6.7.2.2: VCS id, vPPB id, port id,
 * reserved, LD id (LE16; 0xFFFF: not an MLD port). No response payload;
 * usually answered "background command started". */
#define FMAPI_BIND_LEN 6u
#define FMAPI_LD_NONE 0xFFFFu
struct fmapi_bind {
	uint8_t vcs_id;
	uint8_t vppb_id;
	uint8_t port_id;
	uint16_t ld_id;
};
DOE_API int fmapi_bind_req_encode(struct doe_ctx *ctx, const struct fmapi_bind *in, void *out,
				  size_t cap, size_t *len);
DOE_API int fmapi_bind_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
				  struct fmapi_bind *out);

/* Unbind vPPB (0x5202) request, §7.6.7.2.3: VCS id, vPPB id, unbind option
 * (bits 3:0). No response payload; background like bind. */
#define FMAPI_UNBIND_LEN 3u
#define FMAPI_UNBIND_WAIT 0x0u		/* wait for port link down */
#define FMAPI_UNBIND_MANAGED 0x1u	/* simulate managed hot-remove */
#define FMAPI_UNBIND_SURPRISE 0x2u	/* simulate surprise hot-remove */
struct fmapi_unbind {
	uint8_t vcs_id;
	uint8_t vppb_id;
	uint8_t option;		/* FMAPI_UNBIND_* */
};
DOE_API int fmapi_unbind_req_encode(struct doe_ctx *ctx, const struct fmapi_unbind *in, void *out,
				    size_t cap, size_t *len);
DOE_API int fmapi_unbind_req_decode(struct doe_ctx *ctx, const void *in, size_t len,
				    struct fmapi_unbind *out);
/* "wait", "managed-hot-remove", "surprise-hot-remove"; NULL otherwise */
DOE_API const char *fmapi_unbind_option_name(uint8_t option);

/* Get LD Info (0x5400) response, §7.6.7.3.1, 11 bytes. No request payload. */
#define FMAPI_LD_INFO_LEN 11u
#define FMAPI_QOS_EGRESS_CONGESTION 0x1u
#define FMAPI_QOS_TEMP_THROUGHPUT 0x2u
struct fmapi_ld_info {
	uint64_t memory_size;	/* bytes */
	uint16_t ld_count;
	uint8_t qos_caps;	/* QoS telemetry capability: FMAPI_QOS_* */
};
DOE_API int fmapi_ld_info_rsp_encode(struct doe_ctx *ctx, const struct fmapi_ld_info *in,
				     void *out, size_t cap, size_t *len);
DOE_API int fmapi_ld_info_rsp_decode(struct doe_ctx *ctx, const void *in, size_t len,
				     struct fmapi_ld_info *out);

/* --- requester (sans-I/O) --- */
struct fmapi_req;

/* Defaults: MCTP type FM-API (0x07), no known device limits (requests and
 * responses up to FMAPI_HDR_LEN + 64 KiB - 1, the MCTP message size),
 * 3 retries of Busy/Retry Required 10 ms apart, background operations
 * polled every 10 ms for at most 10 s. */
DOE_API int fmapi_req_new(struct doe_ctx *ctx, struct fmapi_req **out);
DOE_API void fmapi_req_free(struct fmapi_req *r);
DOE_API struct doe_ctx *fmapi_req_ctx(const struct fmapi_req *r);

/* MCTP_TYPE_FMAPI (default) or MCTP_TYPE_CCI: what fmapi_exchange() sends. */
DOE_API int fmapi_req_set_mctp_type(struct fmapi_req *r, uint8_t type);
/* The largest request the device accepts, 2^n bytes (Identify's max message
 * size); 0 forgets it. fmapi_identify() sets it. */
DOE_API int fmapi_req_set_max_req(struct fmapi_req *r, uint8_t n);
/* The device's response message limit, 2^n bytes; fmapi_get_msg_limit()
 * and fmapi_set_msg_limit() set it; 0 forgets it. A response whose payload
 * exceeds it is refused (the spec counts the whole message, QEMU the
 * payload: checking the payload accepts both). */
DOE_API int fmapi_req_set_rsp_limit(struct fmapi_req *r, uint8_t n);
/* Busy/Retry Required: at most retries more attempts, delay_ms apart. */
DOE_API void fmapi_req_set_retries(struct fmapi_req *r, unsigned retries, unsigned delay_ms);
/* Background operations: poll every poll_ms (1..1000), give up after
 * timeout_ms (-ETIMEDOUT naming the opcode and the last percentage). */
DOE_API int fmapi_req_set_bg(struct fmapi_req *r, unsigned poll_ms, unsigned timeout_ms);
/* Time source for retries and polling (tests). NULL restores the real
 * clock (CLOCK_MONOTONIC, nanosleep). */
struct fmapi_clock {
	uint64_t (*now_ms)(void *priv);
	void (*sleep_ms)(void *priv, unsigned ms);
	void *priv;
};
DOE_API void fmapi_req_set_clock(struct fmapi_req *r, const struct fmapi_clock *clock);

/* Builds a request message (header + payload) with the next tag and
 * records it as outstanding. -EMSGSIZE when the message exceeds the
 * device's limit (before anything is sent) or cap. */
DOE_API int fmapi_req_build(struct fmapi_req *r, uint16_t opcode, const void *payload, size_t len,
			    void *out, size_t cap, size_t *out_len);
/* Checks a response message against the outstanding request: category
 * response, same tag, opcode echoed (-EPROTO naming expected and got),
 * length field equal to the bytes present (-EBADMSG), within the
 * response limit. On 0, *hdr holds the header (return code included: a
 * well-formed failure response is still 0 here) and *payload and *plen the
 * payload inside in. The request stops being outstanding either way. */
DOE_API int fmapi_rsp_check(struct fmapi_req *r, const void *in, size_t len,
			    struct fmapi_hdr *hdr, const uint8_t **payload, size_t *plen);
/* The return code and vendor status of the last response checked (after
 * a background operation: its final ones). */
DOE_API uint16_t fmapi_req_last_rc(const struct fmapi_req *r);
DOE_API uint16_t fmapi_req_last_vendor_status(const struct fmapi_req *r);

/* --- blocking, over an MCTP channel --- */
/* One command: request payload in, response payload out (*outlen bytes).
 * Busy/Retry Required are retried; "background command started" is
 * followed by Background Operation Status polls until the operation ends,
 * and its final return code counts. Any return code but Success fails
 * with fmapi_rc_errno() and a message naming the command and the code. */
DOE_API int fmapi_exchange(struct fmapi_req *r, struct mctp_chan *chan, uint16_t opcode,
			   const void *in, size_t inlen, void *out, size_t cap, size_t *outlen);

/* Typed commands. fmapi_identify() also records the device's max message
 * size; the message-limit functions record the response limit. */
DOE_API int fmapi_identify(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_identify *out);
DOE_API int fmapi_bg_status(struct fmapi_req *r, struct mctp_chan *chan,
			    struct fmapi_bg_status *out);
DOE_API int fmapi_get_msg_limit(struct fmapi_req *r, struct mctp_chan *chan, uint8_t *n);
/* Asks for 2^n; *set (may be NULL) receives what the device set. */
DOE_API int fmapi_set_msg_limit(struct fmapi_req *r, struct mctp_chan *chan, uint8_t n,
				uint8_t *set);
DOE_API int fmapi_identify_switch(struct fmapi_req *r, struct mctp_chan *chan,
				  struct fmapi_switch_info *out);
DOE_API int fmapi_port_state(struct fmapi_req *r, struct mctp_chan *chan,
			     const struct fmapi_port_state_req *in, struct fmapi_port_state_rsp *out);
DOE_API int fmapi_port_control(struct fmapi_req *r, struct mctp_chan *chan,
			       const struct fmapi_port_control *in);
/* *data (may be NULL for writes) receives a read's data. */
DOE_API int fmapi_ppb_config(struct fmapi_req *r, struct mctp_chan *chan,
			     const struct fmapi_ppb_config *in, uint32_t *data);
DOE_API int fmapi_vcs_info(struct fmapi_req *r, struct mctp_chan *chan,
			   const struct fmapi_vcs_info_req *in, struct fmapi_vcs_info_rsp *out);
DOE_API int fmapi_bind(struct fmapi_req *r, struct mctp_chan *chan, const struct fmapi_bind *in);
DOE_API int fmapi_unbind(struct fmapi_req *r, struct mctp_chan *chan,
			 const struct fmapi_unbind *in);
DOE_API int fmapi_ld_info(struct fmapi_req *r, struct mctp_chan *chan, struct fmapi_ld_info *out);

DOE_END_DECLS

#endif
