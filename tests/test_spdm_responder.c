// SPDX-License-Identifier: MIT
/*
 * SPDM responder conformance (src/spdm/responder.c): request bytes in, the
 * exact ERROR (code, ErrorData, SPDMVersion) or response code out, one
 * table row per "shall respond with ERROR" clause of DSP0274 1.0-1.3, and
 * rows for the legal neighbours of each rule so that a fix cannot reject
 * what a conformant requester (libspdm's defaults, our own) sends.
 * Section numbers are DSP0274 1.3; the rules were checked against DMTF
 * libspdm (libspdm_rsp_*.c, spdm.h) and SPDM-Responder-Validator doc/.
 *
 * Clauses covered:
 *  §10.3  GET_VERSION: SPDMVersion other than 1.0 -> VersionMismatch;
 *         trailing bytes -> InvalidRequest; either ERROR in 1.0 whatever
 *         was negotiated, and the connection state unchanged.
 *  §10.4  GET_CAPABILITIES (requester flags, 1.1+; bits reserved in the
 *         negotiated version are ignored):
 *         PSK_CAP 10b/11b reserved; MAC/ENCRYPT/HBEAT/KEY_UPD/
 *         HANDSHAKE_IN_THE_CLEAR_CAP (1.3: EVENT_CAP) need KEY_EX_CAP or
 *         PSK_CAP; KEY_EX_CAP/PSK_CAP need MAC_CAP or ENCRYPT_CAP;
 *         HANDSHAKE_IN_THE_CLEAR_CAP needs KEY_EX_CAP; CERT_CAP excludes
 *         PUB_KEY_ID_CAP; CERT/PUB_KEY_ID need CHAL or KEY_EX (1.3: or
 *         signed EP_INFO); CHAL_CAP/MUT_AUTH_CAP (1.3: signed EP_INFO) need
 *         CERT_CAP or PUB_KEY_ID_CAP; MUT_AUTH_CAP needs KEY_EX or CHAL;
 *         1.1: MUT_AUTH_CAP needs ENCAP_CAP; 1.3: EP_INFO_CAP 11b and
 *         MULTI_KEY_CAP 11b reserved, MULTI_KEY_CAP needs CERT_CAP and not
 *         PUB_KEY_ID_CAP; 1.2+: DataTransferSize >= 42, <= MaxSPDMmsgSize,
 *         equal to it without CHUNK_CAP; 1.3: Param1 SupportedAlgorithms
 *         needs CHUNK_CAP; shorter than the version's layout -> Invalid;
 *         unsupported version -> VersionMismatch (ERROR in 1.0); a second
 *         GET_CAPABILITIES -> UnexpectedRequest.
 *  §10.5  NEGOTIATE_ALGORITHMS: wrong SPDMVersion -> VersionMismatch;
 *         Length not the message, over 64 (1.0) / 128 bytes; ExtAsymCount +
 *         ExtHashCount (+ every ExtAlgCount) over 8 (1.0) / 20 (1.1+);
 *         FixedAlgCount != 2; ExtAlgCount entries missing; AlgType unknown,
 *         repeated or not ascending; no common BaseHashAlgo / BaseAsymAlgo
 *         (when signing); MeasurementSpecification without DMTF; all
 *         InvalidRequest. A second one -> UnexpectedRequest. None offered:
 *         none selected, MeasurementHashAlgo 0, and then GET_MEASUREMENTS
 *         -> UnexpectedRequest, a CHALLENGE summary hash -> InvalidRequest.
 *  §10.6  GET_DIGESTS: without CERT_CAP -> UnsupportedRequest (ErrorData:
 *         the request code); wrong version -> VersionMismatch; before
 *         ALGORITHMS -> UnexpectedRequest.
 *  §10.7  GET_CERTIFICATE: SlotID > 7, slot not provisioned, Offset at or
 *         past the chain end, short -> InvalidRequest; 1.3 SlotSizeRequested
 *         answers the slot size whatever Offset says; Param1 bits 7:4
 *         are reserved and ignored.
 *  §10.8  CHALLENGE: SlotID > 7 (0xFF without PUB_KEY_ID_CAP), slot not
 *         provisioned, MeasurementSummaryHashType not 0/1/0xFF or non-zero
 *         without MEAS_CAP, 1.3 without RequesterContext -> InvalidRequest;
 *         without CHAL_CAP -> UnsupportedRequest.
 *  §10.11 GET_MEASUREMENTS: index not present, signature without
 *         MEAS_CAP=10b, SlotIDParam > 7 or not provisioned, signed request
 *         without SlotIDParam (1.1+) -> InvalidRequest; without MEAS_CAP ->
 *         UnsupportedRequest; SlotIDParam bits 7:4 and (1.0/1.1) Param1
 *         bit 1 are reserved and ignored.
 *  §10.12 A response over the requester's MaxSPDMmsgSize (1.2+) ->
 *         ResponseTooLarge, ExtendedErrorData the response size; a
 *         request over ours -> RequestTooLarge; a request we do not
 *         implement -> UnsupportedRequest (ErrorData: its code) however
 *         long.
 *  §10.13 RESPOND_IF_READY: nothing pending -> UnexpectedRequest;
 *         RequestCode or Token not those of the ResponseNotReady ->
 *         InvalidRequest; wrong version -> VersionMismatch.
 */
#include <errno.h>
#include <doekit/ctx.h>
#include <doekit/spdm.h>
#include "msg.h"
#include "t.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define LE16(x) (uint8_t)(x), (uint8_t)((x) >> 8)
#define LE32(x) (uint8_t)(x), (uint8_t)((x) >> 8), (uint8_t)((x) >> 16), (uint8_t)((x) >> 24)
/* a request given byte by byte; REQN: the rest up to n bytes is zero */
#define REQ(...) { __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define REQN(n, ...) { __VA_ARGS__ }, (n)

/* GET_CAPABILITIES in each layout (CTExponent 12) */
#define CAPS11(f) REQ(0x11, SPDM_GET_CAPABILITIES, 0, 0, 0, 12, 0, 0, LE32(f))
#define CAPS12(f, dts, max) \
	REQ(0x12, SPDM_GET_CAPABILITIES, 0, 0, 0, 12, 0, 0, LE32(f), LE32(dts), LE32(max))
#define CAPS13P(p1, f, dts, max) \
	REQ(0x13, SPDM_GET_CAPABILITIES, p1, 0, 0, 12, 0, 0, LE32(f), LE32(dts), LE32(max))
#define CAPS13(f) CAPS13P(0, f, 1024, 1024)

/* NEGOTIATE_ALGORITHMS fixed part: what our requester offers (DMTF
 * measurements, OpaqueDataFmt1, P-256, SHA-256/384) unless a row says */
#define NEG_HDR(v, nstructs, length, mspec, asym, hash, ext_asym, ext_hash)                  \
	v, SPDM_NEGOTIATE_ALGORITHMS, nstructs, 0, LE16(length), mspec, v >= 0x12 ? 2 : 0,   \
		LE32(asym), LE32(hash), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ext_asym, ext_hash, 0, 0
#define ALG(type, count, bits) type, count, LE16(bits)

/* PSK_CAP values (bits 11:10), EP_INFO_CAP (23:22), MULTI_KEY_CAP (27:26) */
#define PSK(v) ((uint32_t)(v) << SPDM_CAP_PSK_SHIFT)
#define EP_INFO(v) ((uint32_t)(v) << SPDM_CAP_EP_INFO_SHIFT)
#define MULTI_KEY(v) ((uint32_t)(v) << SPDM_CAP_MULTI_KEY_SHIFT)

/* what a libspdm requester announces by default (spdm-emu): legal */
#define LIBSPDM_REQ_FLAGS                                                                  \
	(SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_MUT_AUTH | \
	 SPDM_CAP_KEY_EX | PSK(1) | SPDM_CAP_ENCAP | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD |       \
	 SPDM_CAP_HANDSHAKE_IN_THE_CLEAR)
#define SESSION (SPDM_CAP_KEY_EX | SPDM_CAP_MAC)
#define CERT_CHAL (SPDM_CAP_CERT | SPDM_CAP_CHAL)

static struct doe_ctx *ctx;
static struct spdm_identity *id;

/* How far the connection goes before the row's request. */
enum stage {
	AT_IDLE,	/* nothing yet */
	AT_VERSION,	/* VERSION sent */
	AT_CAPS,	/* CAPABILITIES sent */
	AT_READY,	/* ALGORITHMS sent */
	AT_NOT_READY,	/* a CHALLENGE was answered ResponseNotReady */
};

/* Responder configurations. */
enum cfgv {
	CFG_DEFAULT,	/* CERT|CHAL|MEAS_SIG, one P-256 chain in slot 0 */
	CFG_MEAS_ONLY,	/* MEAS_NO_SIG and nothing else: no identity */
	CFG_NO_MEAS,	/* CERT|CHAL, no MEAS_CAP */
};

struct rcase {
	const char *name;
	uint8_t ver;		/* negotiated version for the stage */
	enum stage stage;
	enum cfgv cfg;
	uint8_t req[160];
	size_t len;
	uint8_t code;		/* expected response code */
	uint8_t err;		/* ERROR: ErrorCode */
	uint8_t data;		/* ERROR: ErrorData */
	uint8_t err_ver;	/* ERROR: SPDMVersion, 0: the row's ver */
	int8_t token_adj;	/* RESPOND_IF_READY: Token = ResponseNotReady's + this */
};

/* expectations: ERROR e (in the row's version / in v), UnsupportedRequest
 * naming the request, a response code; ETOK: the RESPOND_IF_READY Token is
 * the ResponseNotReady's plus adj */
#define E(e) SPDM_ERROR, SPDM_ERR_##e, 0, 0, 0
#define EV(e, v) SPDM_ERROR, SPDM_ERR_##e, 0, v, 0
#define ETOK(e, adj) SPDM_ERROR, SPDM_ERR_##e, 0, 0, adj
#define EUNSUP(code) SPDM_ERROR, SPDM_ERR_UNSUPPORTED_REQUEST, code, 0, 0
#define OK(code) SPDM_##code, 0, 0, 0, 0

static const struct rcase cases[] = {
	/* ---- §10.3 GET_VERSION ---- */
	{ "GET_VERSION 1.2 -> VersionMismatch in 1.0", 0x12, AT_IDLE, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_VERSION, 0, 0), EV(VERSION_MISMATCH, 0x10) },
	{ "GET_VERSION trailing byte", 0x10, AT_IDLE, CFG_DEFAULT,
	  REQ(0x10, SPDM_GET_VERSION, 0, 0, 0), E(INVALID_REQUEST) },
	{ "GET_VERSION 1.1 after negotiation -> VersionMismatch in 1.0", 0x12, AT_READY,
	  CFG_DEFAULT, REQ(0x11, SPDM_GET_VERSION, 0, 0), EV(VERSION_MISMATCH, 0x10) },
	{ "GET_VERSION trailing byte after negotiation -> ERROR in 1.0", 0x12, AT_READY,
	  CFG_DEFAULT, REQ(0x10, SPDM_GET_VERSION, 0, 0, 0), EV(INVALID_REQUEST, 0x10) },
	{ "GET_DIGESTS before GET_VERSION", 0x10, AT_IDLE, CFG_DEFAULT,
	  REQ(0x10, SPDM_GET_DIGESTS, 0, 0), E(UNEXPECTED_REQUEST) },

	/* ---- §10.4 GET_CAPABILITIES: legal flag sets ---- */
	{ "1.0 GET_CAPABILITIES", 0x10, AT_VERSION, CFG_DEFAULT,
	  REQ(0x10, SPDM_GET_CAPABILITIES, 0, 0), OK(CAPABILITIES) },
	{ "1.1 libspdm default flags", 0x11, AT_VERSION, CFG_DEFAULT,
	  CAPS11(LIBSPDM_REQ_FLAGS), OK(CAPABILITIES) },
	{ "1.2 libspdm default flags + CHUNK", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(LIBSPDM_REQ_FLAGS | SPDM_CAP_CHUNK, 4096, 65536), OK(CAPABILITIES) },
	{ "1.3 libspdm default flags", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(LIBSPDM_REQ_FLAGS), OK(CAPABILITIES) },
	{ "1.3 spdm-emu requester default flags", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13P(0, LIBSPDM_REQ_FLAGS | SPDM_CAP_CHUNK | MULTI_KEY(2) | EP_INFO(2) | 0x80000000u,
		  4096, 65536),
	  OK(CAPABILITIES) },
	{ "1.3 spdm-emu requester, public key mode", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13P(0, (LIBSPDM_REQ_FLAGS & ~SPDM_CAP_CERT) | SPDM_CAP_PUB_KEY_ID | SPDM_CAP_CHUNK |
			     EP_INFO(2),
		  4096, 65536),
	  OK(CAPABILITIES) },
	{ "1.2 no flags (doekit requester)", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(0, 4096, 4096), OK(CAPABILITIES) },
	{ "1.2 MUT_AUTH without ENCAP is legal after 1.1", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(CERT_CHAL | SPDM_CAP_MUT_AUTH, 4096, 4096), OK(CAPABILITIES) },
	{ "1.2 ignores 1.3 EP_INFO_CAP 11b (reserved there)", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(EP_INFO(3) | MULTI_KEY(3), 4096, 4096), OK(CAPABILITIES) },
	{ "1.1 ignores reserved bit 31", 0x11, AT_VERSION, CFG_DEFAULT,
	  CAPS11(0x80000000u), OK(CAPABILITIES) },
	{ "1.3 CERT with signed EP_INFO only", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(SPDM_CAP_CERT | EP_INFO(2)), OK(CAPABILITIES) },
	{ "1.3 MULTI_KEY with CERT", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(CERT_CHAL | MULTI_KEY(1)), OK(CAPABILITIES) },
	{ "1.2 PSK with ENCRYPT only", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(PSK(1) | SPDM_CAP_ENCRYPT | SPDM_CAP_HBEAT, 4096, 4096), OK(CAPABILITIES) },

	/* ---- §10.4 GET_CAPABILITIES: InvalidRequest ---- */
	{ "PSK_CAP 11b reserved", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(PSK(3) | SPDM_CAP_MAC, 4096, 4096), E(INVALID_REQUEST) },
	{ "PSK_CAP 10b reserved for a requester", 0x11, AT_VERSION, CFG_DEFAULT,
	  CAPS11(PSK(2) | SPDM_CAP_MAC), E(INVALID_REQUEST) },
	{ "MAC_CAP without KEY_EX/PSK", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(SPDM_CAP_MAC, 4096, 4096), E(INVALID_REQUEST) },
	{ "ENCRYPT_CAP without KEY_EX/PSK", 0x11, AT_VERSION, CFG_DEFAULT,
	  CAPS11(SPDM_CAP_ENCRYPT), E(INVALID_REQUEST) },
	{ "HBEAT_CAP without KEY_EX/PSK", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(SPDM_CAP_HBEAT), E(INVALID_REQUEST) },
	{ "KEY_UPD_CAP without KEY_EX/PSK", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(SPDM_CAP_KEY_UPD, 4096, 4096), E(INVALID_REQUEST) },
	{ "HANDSHAKE_IN_THE_CLEAR without KEY_EX/PSK", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(SPDM_CAP_HANDSHAKE_IN_THE_CLEAR, 4096, 4096), E(INVALID_REQUEST) },
	{ "HANDSHAKE_IN_THE_CLEAR with PSK only", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(PSK(1) | SPDM_CAP_MAC | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR, 4096, 4096),
	  E(INVALID_REQUEST) },
	{ "KEY_EX_CAP without MAC/ENCRYPT", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(CERT_CHAL | SPDM_CAP_KEY_EX, 4096, 4096), E(INVALID_REQUEST) },
	{ "PSK_CAP without MAC/ENCRYPT", 0x11, AT_VERSION, CFG_DEFAULT,
	  CAPS11(PSK(1)), E(INVALID_REQUEST) },
	{ "CERT_CAP with PUB_KEY_ID_CAP", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(CERT_CHAL | SPDM_CAP_PUB_KEY_ID, 4096, 4096), E(INVALID_REQUEST) },
	{ "CERT_CAP with nothing that uses the key", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(SPDM_CAP_CERT, 4096, 4096), E(INVALID_REQUEST) },
	{ "1.3 CERT_CAP with unsigned EP_INFO only", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(SPDM_CAP_CERT | EP_INFO(1)), E(INVALID_REQUEST) },
	{ "CHAL_CAP without CERT/PUB_KEY_ID", 0x11, AT_VERSION, CFG_DEFAULT,
	  CAPS11(SPDM_CAP_CHAL), E(INVALID_REQUEST) },
	{ "MUT_AUTH_CAP without CERT/PUB_KEY_ID", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(SESSION | SPDM_CAP_MUT_AUTH, 4096, 4096), E(INVALID_REQUEST) },
	{ "1.3 MUT_AUTH_CAP without KEY_EX/CHAL", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(SPDM_CAP_CERT | EP_INFO(2) | SPDM_CAP_MUT_AUTH), E(INVALID_REQUEST) },
	{ "1.1 MUT_AUTH_CAP without ENCAP_CAP", 0x11, AT_VERSION, CFG_DEFAULT,
	  CAPS11(CERT_CHAL | SPDM_CAP_MUT_AUTH), E(INVALID_REQUEST) },
	{ "1.3 EVENT_CAP without KEY_EX/PSK", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(SPDM_CAP_EVENT), E(INVALID_REQUEST) },
	{ "1.3 EP_INFO_CAP 11b reserved", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(CERT_CHAL | EP_INFO(3)), E(INVALID_REQUEST) },
	{ "1.3 signed EP_INFO_CAP without CERT/PUB_KEY_ID", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(EP_INFO(2)), E(INVALID_REQUEST) },
	{ "1.3 MULTI_KEY_CAP 11b reserved", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(CERT_CHAL | MULTI_KEY(3)), E(INVALID_REQUEST) },
	{ "1.3 MULTI_KEY_CAP with PUB_KEY_ID", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13(SPDM_CAP_PUB_KEY_ID | SPDM_CAP_CHAL | MULTI_KEY(1)), E(INVALID_REQUEST) },
	{ "1.2 DataTransferSize 41", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(0, 41, 41), E(INVALID_REQUEST) },
	{ "1.2 DataTransferSize > MaxSPDMmsgSize", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(SPDM_CAP_CHUNK, 4097, 4096), E(INVALID_REQUEST) },
	{ "1.2 MaxSPDMmsgSize != DataTransferSize without CHUNK", 0x12, AT_VERSION, CFG_DEFAULT,
	  CAPS12(0, 1024, 4096), E(INVALID_REQUEST) },
	{ "1.3 SupportedAlgorithms without CHUNK_CAP", 0x13, AT_VERSION, CFG_DEFAULT,
	  CAPS13P(SPDM_GET_CAPS_PARAM1_SUPPORTED_ALGS, 0, 1024, 1024), E(INVALID_REQUEST) },
	{ "1.2 GET_CAPABILITIES in the 1.1 layout", 0x12, AT_VERSION, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_CAPABILITIES, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0), E(INVALID_REQUEST) },
	{ "1.1 GET_CAPABILITIES in the 1.0 layout", 0x11, AT_VERSION, CFG_DEFAULT,
	  REQ(0x11, SPDM_GET_CAPABILITIES, 0, 0), E(INVALID_REQUEST) },
	{ "GET_CAPABILITIES 1.4 -> VersionMismatch in 1.0", 0x14, AT_VERSION, CFG_DEFAULT,
	  REQ(0x14, SPDM_GET_CAPABILITIES, 0, 0), EV(VERSION_MISMATCH, 0x10) },
	{ "GET_CAPABILITIES twice", 0x12, AT_CAPS, CFG_DEFAULT,
	  CAPS12(0, 4096, 4096), E(UNEXPECTED_REQUEST) },

	/* ---- §10.5 NEGOTIATE_ALGORITHMS ---- */
	{ "NEGOTIATE_ALGORITHMS with 4 AlgStructs", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 4, 48, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0), ALG(2, 0x20, 0x18),
	      ALG(3, 0x20, 0x2), ALG(4, 0x20, 0x10), ALG(5, 0x20, 0x1)),
	  OK(ALGORITHMS) },
	{ "NEGOTIATE_ALGORITHMS 20 external algorithms", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQN(32 + 4 * 16 + 4 + 4 * 4, NEG_HDR(0x12, 1, 32 + 4 * 16 + 4 + 4 * 4, 1,
						 SPDM_ASYM_ECDSA_P256, 0x3, 10, 6),
	       [32 + 4 * 16] = 2, 0x24),
	  OK(ALGORITHMS) },
	{ "NEGOTIATE_ALGORITHMS in 1.1 at 1.2", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x11, 0, 32, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0)), E(VERSION_MISMATCH) },
	{ "NEGOTIATE_ALGORITHMS Length-1", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 0, 31, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0)), E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS Length+1", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 0, 33, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0)), E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS Length > 128", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQN(132, NEG_HDR(0x12, 0, 132, 1, SPDM_ASYM_ECDSA_P256, 0x3, 25, 0)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS ExtAsymCount 21", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQN(32 + 4 * 21, NEG_HDR(0x12, 0, 32 + 4 * 21, 1, SPDM_ASYM_ECDSA_P256, 0x3, 21, 0)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS ExtHashCount 21", 0x11, AT_CAPS, CFG_DEFAULT,
	  REQN(32 + 4 * 21, NEG_HDR(0x11, 0, 32 + 4 * 21, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 21)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS ExtAsym+ExtHash+ExtAlg 21", 0x13, AT_CAPS, CFG_DEFAULT,
	  REQN(32 + 4 * 16 + 4 + 4 * 5, NEG_HDR(0x13, 1, 32 + 4 * 16 + 4 + 4 * 5, 1,
						 SPDM_ASYM_ECDSA_P256, 0x3, 8, 8),
	       [32 + 4 * 16] = 2, 0x25),
	  E(INVALID_REQUEST) },
	{ "1.0 NEGOTIATE_ALGORITHMS 9 external algorithms", 0x10, AT_CAPS, CFG_DEFAULT,
	  REQN(32 + 4 * 9, NEG_HDR(0x10, 0, 32 + 4 * 9, 1, SPDM_ASYM_ECDSA_P256, 0x3, 5, 4)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS FixedAlgCount 1", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 1, 36, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0), ALG(2, 0x10, 0x18)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS FixedAlgCount 3", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 1, 36, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0), ALG(2, 0x30, 0x18)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS ExtAlgCount 15 absent", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 1, 36, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0), ALG(2, 0x2F, 0x18)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS AlgType descending", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 2, 40, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0), ALG(3, 0x20, 0x2),
	      ALG(2, 0x20, 0x18)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS AlgType twice", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 2, 40, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0), ALG(2, 0x20, 0x2),
	      ALG(2, 0x20, 0x18)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS AlgType 6 before 1.4", 0x13, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x13, 1, 36, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0), ALG(6, 0x20, 0x1)),
	  E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS no common BaseHashAlgo", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 0, 32, 1, SPDM_ASYM_ECDSA_P256, 0x40, 0, 0)), E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS no common BaseAsymAlgo", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 0, 32, 1, SPDM_ASYM_RSASSA_2048, 0x3, 0, 0)), E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS no asym, none needed", 0x12, AT_CAPS, CFG_MEAS_ONLY,
	  REQ(NEG_HDR(0x12, 0, 32, 1, SPDM_ASYM_RSASSA_2048, 0x3, 0, 0)), OK(ALGORITHMS) },
	{ "NEGOTIATE_ALGORITHMS MeasurementSpecification not DMTF", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 0, 32, 2, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0)), E(INVALID_REQUEST) },
	{ "NEGOTIATE_ALGORITHMS without MeasurementSpecification", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 0, 32, 0, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0)), OK(ALGORITHMS) },
	{ "NEGOTIATE_ALGORITHMS twice", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(NEG_HDR(0x12, 0, 32, 1, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0)), E(UNEXPECTED_REQUEST) },

	/* ---- §10.6 GET_DIGESTS ---- */
	{ "GET_DIGESTS before ALGORITHMS", 0x12, AT_CAPS, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_DIGESTS, 0, 0), E(UNEXPECTED_REQUEST) },
	{ "GET_DIGESTS in 1.3 at 1.2", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x13, SPDM_GET_DIGESTS, 0, 0), E(VERSION_MISMATCH) },
	{ "GET_DIGESTS without CERT_CAP", 0x12, AT_READY, CFG_MEAS_ONLY,
	  REQ(0x12, SPDM_GET_DIGESTS, 0, 0), EUNSUP(SPDM_GET_DIGESTS) },
	{ "GET_DIGESTS", 0x12, AT_READY, CFG_DEFAULT, REQ(0x12, SPDM_GET_DIGESTS, 0, 0),
	  OK(DIGESTS) },

	/* ---- §10.7 GET_CERTIFICATE ---- */
	{ "GET_CERTIFICATE SlotID 8", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_CERTIFICATE, 8, 0, 0, 0, LE16(0x400)), E(INVALID_REQUEST) },
	{ "GET_CERTIFICATE slot 1 not provisioned", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_CERTIFICATE, 1, 0, 0, 0, LE16(0x400)), E(INVALID_REQUEST) },
	{ "GET_CERTIFICATE Offset 0xFFFF", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_CERTIFICATE, 0, 0, LE16(0xFFFF), LE16(0x400)), E(INVALID_REQUEST) },
	{ "GET_CERTIFICATE short", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_CERTIFICATE, 0, 0, 0, 0), E(INVALID_REQUEST) },
	{ "GET_CERTIFICATE without CERT_CAP", 0x12, AT_READY, CFG_MEAS_ONLY,
	  REQ(0x12, SPDM_GET_CERTIFICATE, 0, 0, 0, 0, LE16(0x400)),
	  EUNSUP(SPDM_GET_CERTIFICATE) },
	{ "1.3 GET_CERTIFICATE SlotSizeRequested ignores Offset", 0x13, AT_READY, CFG_DEFAULT,
	  REQ(0x13, SPDM_GET_CERTIFICATE, 0, SPDM_GET_CERT_PARAM2_SLOT_SIZE, LE16(0xFFFF),
	      LE16(0xAA55)),
	  OK(CERTIFICATE) },
	{ "1.3 GET_CERTIFICATE SlotSizeRequested slot 2 not provisioned", 0x13, AT_READY,
	  CFG_DEFAULT,
	  REQ(0x13, SPDM_GET_CERTIFICATE, 2, SPDM_GET_CERT_PARAM2_SLOT_SIZE, 0, 0, 0, 0),
	  E(INVALID_REQUEST) },
	{ "1.2 GET_CERTIFICATE Param2 bit 0 reserved: Offset counts", 0x12, AT_READY,
	  CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_CERTIFICATE, 0, SPDM_GET_CERT_PARAM2_SLOT_SIZE, LE16(0xFFFF),
	      LE16(0x400)),
	  E(INVALID_REQUEST) },
	{ "GET_CERTIFICATE Param1 reserved bits ignored", 0x13, AT_READY, CFG_DEFAULT,
	  REQ(0x13, SPDM_GET_CERTIFICATE, 0xF0, 0, 0, 0, LE16(0x400)), OK(CERTIFICATE) },
	{ "GET_CERTIFICATE", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_CERTIFICATE, 0, 0, 0, 0, LE16(0x400)), OK(CERTIFICATE) },

	/* ---- §10.8 CHALLENGE ---- */
	{ "CHALLENGE SlotID 8", 0x12, AT_READY, CFG_DEFAULT,
	  REQN(36, 0x12, SPDM_CHALLENGE, 8, 0), E(INVALID_REQUEST) },
	{ "CHALLENGE SlotID 0xFF without PUB_KEY_ID_CAP", 0x12, AT_READY, CFG_DEFAULT,
	  REQN(36, 0x12, SPDM_CHALLENGE, 0xFF, 0), E(INVALID_REQUEST) },
	{ "CHALLENGE slot 3 not provisioned", 0x12, AT_READY, CFG_DEFAULT,
	  REQN(36, 0x12, SPDM_CHALLENGE, 3, 0), E(INVALID_REQUEST) },
	{ "CHALLENGE MeasurementSummaryHashType 2", 0x12, AT_READY, CFG_DEFAULT,
	  REQN(36, 0x12, SPDM_CHALLENGE, 0, 2), E(INVALID_REQUEST) },
	{ "CHALLENGE summary hash without MEAS_CAP", 0x12, AT_READY, CFG_NO_MEAS,
	  REQN(36, 0x12, SPDM_CHALLENGE, 0, 1), E(INVALID_REQUEST) },
	{ "1.3 CHALLENGE without RequesterContext", 0x13, AT_READY, CFG_DEFAULT,
	  REQN(36, 0x13, SPDM_CHALLENGE, 0, 0), E(INVALID_REQUEST) },
	{ "CHALLENGE without CHAL_CAP", 0x12, AT_READY, CFG_MEAS_ONLY,
	  REQN(36, 0x12, SPDM_CHALLENGE, 0, 0), EUNSUP(SPDM_CHALLENGE) },
	{ "1.3 CHALLENGE", 0x13, AT_READY, CFG_DEFAULT, REQN(44, 0x13, SPDM_CHALLENGE, 0, 0xFF),
	  OK(CHALLENGE_AUTH) },

	/* ---- §10.11 GET_MEASUREMENTS ---- */
	{ "GET_MEASUREMENTS index 0x77 absent", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_MEASUREMENTS, 0, 0x77), E(INVALID_REQUEST) },
	{ "GET_MEASUREMENTS signature without MEAS_CAP 10b", 0x12, AT_READY, CFG_MEAS_ONLY,
	  REQN(37, 0x12, SPDM_GET_MEASUREMENTS, 1, 0xFF), E(INVALID_REQUEST) },
	{ "GET_MEASUREMENTS SlotIDParam 1 not provisioned", 0x12, AT_READY, CFG_DEFAULT,
	  REQN(37, 0x12, SPDM_GET_MEASUREMENTS, 1, 0xFF, [36] = 1), E(INVALID_REQUEST) },
	{ "GET_MEASUREMENTS SlotIDParam 8", 0x11, AT_READY, CFG_DEFAULT,
	  REQN(37, 0x11, SPDM_GET_MEASUREMENTS, 1, 0xFF, [36] = 8), E(INVALID_REQUEST) },
	{ "GET_MEASUREMENTS SlotIDParam reserved bits ignored", 0x12, AT_READY, CFG_DEFAULT,
	  REQN(37, 0x12, SPDM_GET_MEASUREMENTS, 1, 0xFF, [36] = 0xF0), OK(MEASUREMENTS) },
	{ "1.2 signed GET_MEASUREMENTS without SlotIDParam", 0x12, AT_READY, CFG_DEFAULT,
	  REQN(36, 0x12, SPDM_GET_MEASUREMENTS, 1, 0xFF), E(INVALID_REQUEST) },
	{ "GET_MEASUREMENTS without MEAS_CAP", 0x12, AT_READY, CFG_NO_MEAS,
	  REQ(0x12, SPDM_GET_MEASUREMENTS, 0, 0), EUNSUP(SPDM_GET_MEASUREMENTS) },
	{ "GET_MEASUREMENTS count", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_GET_MEASUREMENTS, 0, 0), OK(MEASUREMENTS) },

	/* ---- §10.13 RESPOND_IF_READY ---- */
	{ "RESPOND_IF_READY with nothing pending", 0x12, AT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_RESPOND_IF_READY, SPDM_CHALLENGE, 1), E(UNEXPECTED_REQUEST) },
	{ "RESPOND_IF_READY wrong RequestCode", 0x12, AT_NOT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_RESPOND_IF_READY, SPDM_GET_MEASUREMENTS, 0), E(INVALID_REQUEST) },
	{ "RESPOND_IF_READY RequestCode RESPOND_IF_READY", 0x12, AT_NOT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_RESPOND_IF_READY, SPDM_RESPOND_IF_READY, 0), E(INVALID_REQUEST) },
	{ "RESPOND_IF_READY wrong Token", 0x12, AT_NOT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_RESPOND_IF_READY, SPDM_CHALLENGE, 0), ETOK(INVALID_REQUEST, 1) },
	{ "RESPOND_IF_READY in 1.1 at 1.2", 0x12, AT_NOT_READY, CFG_DEFAULT,
	  REQ(0x11, SPDM_RESPOND_IF_READY, SPDM_CHALLENGE, 0), E(VERSION_MISMATCH) },
	{ "RESPOND_IF_READY", 0x12, AT_NOT_READY, CFG_DEFAULT,
	  REQ(0x12, SPDM_RESPOND_IF_READY, SPDM_CHALLENGE, 0), OK(CHALLENGE_AUTH) },
};

static _Alignas(16) uint8_t rsp_mem[SPDM_RESPONDER_CTX_SIZE];

/* One exchange that must succeed with response code `code`. */
static int step(struct spdm_rsp *rsp, const uint8_t *req, size_t len, uint8_t code,
		uint8_t *out, size_t cap, size_t *out_len)
{
	if (spdm_rsp_handle(rsp, req, len, out, cap, out_len) < 0 || *out_len < 4 ||
	    out[1] != code) {
		fprintf(stderr, "setup: request 0x%02x got 0x%02x 0x%02x (%s)\n", req[1],
			*out_len >= 2 ? out[1] : 0, *out_len >= 3 ? out[2] : 0,
			doe_ctx_errmsg(ctx));
		return -1;
	}
	return 0;
}

/* Drives a fresh responder to the row's stage the way our requester does;
 * *token gets the ResponseNotReady Token at AT_NOT_READY. */
static int drive_caps(struct spdm_rsp *rsp, uint8_t ver, enum stage st, uint8_t *token,
		      uint32_t dts)
{
	static const uint8_t get_version[] = { 0x10, SPDM_GET_VERSION, 0, 0 };
	struct spdm_caps caps = { .ct_exponent = 12, .data_transfer_size = dts,
				  .max_msg_size = dts };
	struct spdm_algs algs = { .meas_spec = 1, .other_params = 2,
				  .asym = SPDM_ASYM_ECDSA_P256,
				  .hash = SPDM_HASH_SHA256 | SPDM_HASH_SHA384 };
	uint8_t req[64], out[1024];
	struct spdm_challenge ch = { 0 };
	struct doe_wr w;
	size_t n;

	if (st == AT_IDLE)
		return 0;
	if (step(rsp, get_version, sizeof(get_version), SPDM_VERSION, out, sizeof(out), &n))
		return -1;
	if (st == AT_VERSION)
		return 0;
	doe_wr_init(&w, req, sizeof(req));
	spdm_enc_get_capabilities(&w, ver, &caps);
	if (step(rsp, req, doe_wr_len(&w), SPDM_CAPABILITIES, out, sizeof(out), &n))
		return -1;
	if (st == AT_CAPS)
		return 0;
	doe_wr_init(&w, req, sizeof(req));
	spdm_enc_negotiate_algorithms(&w, ver, &algs);
	if (step(rsp, req, doe_wr_len(&w), SPDM_ALGORITHMS, out, sizeof(out), &n))
		return -1;
	if (st == AT_READY)
		return 0;
	doe_wr_init(&w, req, sizeof(req));
	spdm_enc_challenge(&w, ver, &ch);
	if (step(rsp, req, doe_wr_len(&w), SPDM_ERROR, out, sizeof(out), &n) || n < 8 ||
	    out[2] != SPDM_ERR_RESPONSE_NOT_READY)
		return -1;
	*token = out[6];	/* ExtendedErrorData: RDTExponent, RequestCode, Token, RDTM */
	return 0;
}

static int drive(struct spdm_rsp *rsp, uint8_t ver, enum stage st, uint8_t *token)
{
	return drive_caps(rsp, ver, st, token, 4096);
}

static void run_case(const struct rcase *c)
{
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t req[sizeof(c->req)], out[2048], token = 0;
	size_t n = 0;

	spdm_rsp_config_init(&cfg);
	if (c->cfg == CFG_MEAS_ONLY)
		cfg.flags = SPDM_CAP_MEAS_NO_SIG;
	else
		spdm_identity_apply(id, &cfg);
	if (c->cfg == CFG_NO_MEAS)
		cfg.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL;
	if (c->stage == AT_NOT_READY)
		cfg.not_ready_count = 1;
	if (spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp)) {
		T_FAIL_("spdm_rsp_init: %s", doe_ctx_errmsg(ctx));
		return;
	}
	T_EQ(drive(rsp, c->ver, c->stage, &token), 0);
	memcpy(req, c->req, c->len);
	if (c->stage == AT_NOT_READY && req[1] == SPDM_RESPOND_IF_READY)
		req[3] = (uint8_t)(token + c->token_adj);
	T_EQ(spdm_rsp_handle(rsp, req, c->len, out, sizeof(out), &n), 0);
	T_TRUE(n >= 4);
	T_EQ(out[1], c->code);
	if (c->code == SPDM_ERROR) {
		T_EQ(out[0], c->err_ver ? c->err_ver : c->ver);
		T_EQ(out[2], c->err);
		T_EQ(out[3], c->data);
		T_EQ(n, 4);	/* none of these ErrorCodes has ExtendedErrorData */
	} else {
		T_EQ(out[0], c->ver);
	}
	spdm_rsp_fini(rsp);
}

static void t_clauses(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int before = t_failed_checks;

		t_case_name = cases[i].name;
		run_case(&cases[i]);
		if (t_failed_checks != before)
			fprintf(stderr, "FAIL %s\n", cases[i].name);
	}
	t_case_name = "t_clauses";
}

/* After an InvalidRequest the responder is still waiting for a good
 * GET_CAPABILITIES: the error changes no state (DSP0274 §10.12). */
static void t_invalid_caps_then_valid(void)
{
	static const struct rcase bad = { "bad", 0x12, AT_VERSION, CFG_DEFAULT,
					  CAPS12(SPDM_CAP_MAC, 4096, 4096), E(INVALID_REQUEST) };
	static const struct rcase good = { "good", 0x12, AT_VERSION, CFG_DEFAULT,
					   CAPS12(0, 4096, 4096), OK(CAPABILITIES) };
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[256];
	size_t n;

	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
	T_EQ(drive(rsp, 0x12, AT_VERSION, NULL), 0);
	T_EQ(spdm_rsp_handle(rsp, bad.req, bad.len, out, sizeof(out), &n), 0);
	T_EQ(out[1], SPDM_ERROR);
	T_EQ(out[2], SPDM_ERR_INVALID_REQUEST);
	T_CONTAINS(doe_ctx_errmsg(ctx), "MAC/ENCRYPT");
	T_EQ(spdm_rsp_handle(rsp, good.req, good.len, out, sizeof(out), &n), 0);
	T_EQ(out[1], SPDM_CAPABILITIES);
	spdm_rsp_fini(rsp);
}

/* DSP0274 1.3 §10.7: SlotSizeRequested answers PortionLength 0 and the
 * slot size in RemainderLength; our slot holds exactly the chain, whose
 * first two bytes are its Length. */
static void t_slot_size(void)
{
	static const uint8_t size_req[] = { 0x13, SPDM_GET_CERTIFICATE, 0,
					    SPDM_GET_CERT_PARAM2_SLOT_SIZE, 0xFF, 0xFF, 0x55, 0xAA };
	static const uint8_t head_req[] = { 0x13, SPDM_GET_CERTIFICATE, 0, 0, 0, 0, 4, 0 };
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[256], remainder[2];
	size_t n;

	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
	T_EQ(drive(rsp, 0x13, AT_READY, NULL), 0);
	T_EQ(spdm_rsp_handle(rsp, size_req, sizeof(size_req), out, sizeof(out), &n), 0);
	T_EQ(n, 8);
	T_EQ(out[1], SPDM_CERTIFICATE);
	T_EQ(out[4] | out[5] << 8, 0);		/* PortionLength */
	memcpy(remainder, out + 6, 2);
	T_EQ(spdm_rsp_handle(rsp, head_req, sizeof(head_req), out, sizeof(out), &n), 0);
	T_EQ(n, 8 + 4);
	T_EQ(out[1], SPDM_CERTIFICATE);
	T_MEMEQ(out + 8, remainder, 2);		/* the chain's Length */
	/* §10.7: the last byte can be read, the one past it cannot */
	{
		uint16_t end = (uint16_t)(remainder[0] | remainder[1] << 8);
		uint8_t at[8] = { 0x13, SPDM_GET_CERTIFICATE, 0, 0, LE16(end - 1), 0x10, 0 };

		T_EQ(spdm_rsp_handle(rsp, at, sizeof(at), out, sizeof(out), &n), 0);
		T_EQ(out[1], SPDM_CERTIFICATE);
		T_EQ(n, 8 + 1);
		at[4] = (uint8_t)end;
		at[5] = (uint8_t)(end >> 8);
		T_EQ(spdm_rsp_handle(rsp, at, sizeof(at), out, sizeof(out), &n), 0);
		T_EQ(out[1], SPDM_ERROR);
		T_EQ(out[2], SPDM_ERR_INVALID_REQUEST);
	}
	spdm_rsp_fini(rsp);
}

/* GET_MEASUREMENTS Param1 bit 1 (RawBitStreamRequested) exists from 1.2
 * on (DSP0274 1.2 §10.11); in 1.1 it is reserved: index 1 comes as a
 * digest whether the bit is set or not. */
static void t_raw_bit_reserved_before_12(void)
{
	static const struct {
		const char *name;
		uint8_t ver, param1;
		bool raw;
	} rows[] = {
		{ "1.1 digest", 0x11, 0, false },
		{ "1.1 bit 1 reserved", 0x11, SPDM_MEAS_ATTR_RAW, false },
		{ "1.2 digest", 0x12, 0, false },
		{ "1.2 RawBitStreamRequested", 0x12, SPDM_MEAS_ATTR_RAW, true },
	};
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[512];
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(rows); i++) {
		uint8_t req[4] = { rows[i].ver, SPDM_GET_MEASUREMENTS, rows[i].param1, 1 };

		t_case_name = rows[i].name;
		spdm_rsp_config_init(&cfg);
		spdm_identity_apply(id, &cfg);
		T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
		T_EQ(drive(rsp, rows[i].ver, AT_READY, NULL), 0);
		T_EQ(spdm_rsp_handle(rsp, req, sizeof(req), out, sizeof(out), &n), 0);
		T_EQ(out[1], SPDM_MEASUREMENTS);
		T_TRUE(n > 8 + 7);
		/* the block's DMTFSpecMeasurementValueType, bit 7: raw */
		T_EQ(n > 8 + 7 ? out[8 + 4] & 0x80 : 0xFF, rows[i].raw ? 0x80 : 0);
		spdm_rsp_fini(rsp);
	}
	t_case_name = "t_raw_bit_reserved_before_12";
}

/* DSP0274 1.2 §10.12: a response larger than the requester's
 * MaxSPDMmsgSize is ERROR ResponseTooLarge carrying the response size;
 * responses that fit still go out, and a CHALLENGE that did not is not
 * counted as authentication. */
static void t_response_too_large(void)
{
	static const uint8_t digests[] = { 0x12, SPDM_GET_DIGESTS, 0, 0 };
	uint8_t challenge[36] = { 0x12, SPDM_CHALLENGE, 0, 0 };
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[512];
	size_t n, whole;

	/* the CHALLENGE_AUTH a 4096-byte requester gets */
	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
	T_EQ(drive(rsp, 0x12, AT_READY, NULL), 0);
	T_EQ(spdm_rsp_handle(rsp, challenge, sizeof(challenge), out, sizeof(out), &whole), 0);
	T_EQ(out[1], SPDM_CHALLENGE_AUTH);
	spdm_rsp_fini(rsp);

	/* a requester that takes 64 bytes */
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
	T_EQ(drive_caps(rsp, 0x12, AT_READY, NULL, 64), 0);
	T_EQ(spdm_rsp_handle(rsp, challenge, sizeof(challenge), out, sizeof(out), &n), 0);
	T_EQ(n, 8);
	T_EQ(out[0], 0x12);
	T_EQ(out[1], SPDM_ERROR);
	T_EQ(out[2], SPDM_ERR_RESPONSE_TOO_LARGE);
	T_EQ(out[3], 0);
	T_EQ(out[4] | out[5] << 8 | out[6] << 16 | (uint32_t)out[7] << 24, whole);
	T_CONTAINS(doe_ctx_errmsg(ctx), "MaxSPDMmsgSize 64");
	/* DIGESTS (4 + 48 bytes) fits */
	T_EQ(spdm_rsp_handle(rsp, digests, sizeof(digests), out, sizeof(out), &n), 0);
	T_EQ(out[1], SPDM_DIGESTS);
	T_EQ(n, 4 + 48);
	spdm_rsp_fini(rsp);
}

/* Requests longer than anything we implement: one we do not implement is
 * UnsupportedRequest however long (§10.12); one over the MaxSPDMmsgSize
 * we announced (1.2+) is RequestTooLarge; one we implement is invalid. */
static void t_long_requests(void)
{
	static const struct {
		const char *name;
		uint32_t our_size;	/* responder DataTransferSize = MaxSPDMmsgSize */
		uint8_t code;
		size_t len;
		uint8_t err, data;
	} rows[] = {
		{ "SET_CERTIFICATE 1 KB", 4096, 0xEE, 1024, SPDM_ERR_UNSUPPORTED_REQUEST, 0xEE },
		{ "VENDOR_DEFINED_REQUEST 200 bytes", 4096, 0xFE, 200,
		  SPDM_ERR_UNSUPPORTED_REQUEST, 0xFE },
		{ "GET_DIGESTS 200 bytes", 4096, SPDM_GET_DIGESTS, 200, SPDM_ERR_INVALID_REQUEST, 0 },
		{ "VENDOR_DEFINED_REQUEST over our MaxSPDMmsgSize", 64, 0xFE, 65,
		  SPDM_ERR_REQUEST_TOO_LARGE, 0 },
		{ "GET_DIGESTS over our MaxSPDMmsgSize", 64, SPDM_GET_DIGESTS, 1024,
		  SPDM_ERR_REQUEST_TOO_LARGE, 0 },
	};
	static uint8_t req[1024];
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[256];
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(rows); i++) {
		t_case_name = rows[i].name;
		spdm_rsp_config_init(&cfg);
		spdm_identity_apply(id, &cfg);
		cfg.data_transfer_size = rows[i].our_size;
		T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
		T_EQ(drive(rsp, 0x12, AT_READY, NULL), 0);
		memset(req, 0, sizeof(req));
		req[0] = 0x12;
		req[1] = rows[i].code;
		T_EQ(spdm_rsp_handle(rsp, req, rows[i].len, out, sizeof(out), &n), 0);
		T_EQ(n, 4);
		T_EQ(out[0], 0x12);
		T_EQ(out[1], SPDM_ERROR);
		T_EQ(out[2], rows[i].err);
		T_EQ(out[3], rows[i].data);
		spdm_rsp_fini(rsp);
	}
	t_case_name = "t_long_requests";
}

/* A requester that negotiates no MeasurementSpecification gets none and
 * no MeasurementHashAlgo; GET_MEASUREMENTS is then out of place
 * (UnexpectedRequest) and a CHALLENGE summary hash invalid (libspdm). */
static void t_no_measurement_spec(void)
{
	static const uint8_t neg[] = { NEG_HDR(0x12, 0, 32, 0, SPDM_ASYM_ECDSA_P256, 0x3, 0, 0) };
	static const uint8_t meas[] = { 0x12, SPDM_GET_MEASUREMENTS, 0, 0 };
	uint8_t challenge[36] = { 0x12, SPDM_CHALLENGE, 0, SPDM_SUMMARY_ALL };
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[512];
	size_t n;

	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
	T_EQ(drive(rsp, 0x12, AT_CAPS, NULL), 0);
	T_EQ(spdm_rsp_handle(rsp, neg, sizeof(neg), out, sizeof(out), &n), 0);
	T_EQ(out[1], SPDM_ALGORITHMS);
	T_EQ(out[6], 0);					/* MeasurementSpecificationSel */
	T_EQ(out[8] | out[9] << 8 | out[10] << 16 | (uint32_t)out[11] << 24, 0); /* MeasurementHashAlgo */
	T_EQ(spdm_rsp_handle(rsp, meas, sizeof(meas), out, sizeof(out), &n), 0);
	T_EQ(out[1], SPDM_ERROR);
	T_EQ(out[2], SPDM_ERR_UNEXPECTED_REQUEST);
	T_EQ(spdm_rsp_handle(rsp, challenge, sizeof(challenge), out, sizeof(out), &n), 0);
	T_EQ(out[1], SPDM_ERROR);
	T_EQ(out[2], SPDM_ERR_INVALID_REQUEST);
	challenge[3] = SPDM_SUMMARY_NONE;
	T_EQ(spdm_rsp_handle(rsp, challenge, sizeof(challenge), out, sizeof(out), &n), 0);
	T_EQ(out[1], SPDM_CHALLENGE_AUTH);
	spdm_rsp_fini(rsp);
}

/* A bad GET_VERSION is an error and leaves the connection as it was
 * (DSP0274 §10.3, libspdm): GET_DIGESTS still works afterwards. */
static void t_bad_get_version_keeps_state(void)
{
	static const uint8_t bad[][5] = {
		{ 0x12, SPDM_GET_VERSION, 0, 0 },
		{ 0x10, SPDM_GET_VERSION, 0, 0, 0 },
	};
	static const uint8_t digests[] = { 0x12, SPDM_GET_DIGESTS, 0, 0 };
	struct spdm_rsp_config cfg;
	struct spdm_rsp *rsp;
	uint8_t out[256];
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		spdm_rsp_config_init(&cfg);
		spdm_identity_apply(id, &cfg);
		T_EQ(spdm_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &cfg, &rsp), 0);
		T_EQ(drive(rsp, 0x12, AT_READY, NULL), 0);
		T_EQ(spdm_rsp_handle(rsp, bad[i], i ? 5 : 4, out, sizeof(out), &n), 0);
		T_EQ(out[1], SPDM_ERROR);
		T_EQ(spdm_rsp_handle(rsp, digests, sizeof(digests), out, sizeof(out), &n), 0);
		T_EQ(out[0], 0x12);
		T_EQ(out[1], SPDM_DIGESTS);
		spdm_rsp_fini(rsp);
	}
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	if (spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P256, NULL, &id)) {
		fprintf(stderr, "identity: %s\n", doe_ctx_errmsg(ctx));
		return 1;
	}
	T_RUN(t_clauses);
	T_RUN(t_invalid_caps_then_valid);
	T_RUN(t_slot_size);
	T_RUN(t_raw_bit_reserved_before_12);
	T_RUN(t_response_too_large);
	T_RUN(t_long_requests);
	T_RUN(t_no_measurement_spec);
	T_RUN(t_bad_get_version_keeps_state);
	spdm_identity_free(id);
	doe_ctx_free(ctx);
	return T_DONE();
}
