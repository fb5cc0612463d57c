// SPDX-License-Identifier: MIT
/*
 * IDE_KM objects (PCIe r6 §6.33.3) and the SPDM VENDOR_DEFINED wrapping
 * they travel in (DSP0274 §10.x VENDOR_DEFINED_REQUEST/RESPONSE; PCI-SIG
 * StandardID and VendorID, ProtocolID 0). Layouts as in DMTF libspdm
 * include/industry_standard/pci_idekm.h and pcidoe.h; see docs/idekm.md.
 * Every byte goes through the cursor; every refusal names the field.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <doekit/cursor.h>
#include <doekit/idekm.h>
#include "internal.h"

const char *idekm_object_name(uint8_t object)
{
	static const char *const names[] = { "QUERY", "QUERY_RESP", "KEY_PROG", "KP_ACK",
					     "K_SET_GO", "K_SET_STOP", "K_GOSTOP_ACK" };

	return object < ARRAY_SIZE(names) ? names[object] : "unknown";
}

const char *idekm_status_name(uint8_t status)
{
	static const char *const names[] = { "success", "incorrect length", "unsupported PortIndex",
					     "unsupported value", "unspecified failure" };

	return status < ARRAY_SIZE(names) ? names[status] : "unknown";
}

const char *idekm_substream_name(uint8_t substream)
{
	static const char *const names[] = { "PR", "NPR", "CPL" };

	return substream < ARRAY_SIZE(names) ? names[substream] : "unknown";
}

const char *idekm_dir_name(uint8_t dir)
{
	return dir == IDEKM_RX ? "Rx" : dir == IDEKM_TX ? "Tx" : "unknown";
}

void idekm_msg_wipe(struct idekm_msg *m)
{
	OPENSSL_cleanse(m, sizeof(*m));
}

/* PCIe r6 §6.33.3 (pci_idekm.h): bit 0 key set, bit 1 Rx/Tx, 7:4 sub-stream */
uint8_t idekm_ksd_byte(uint8_t keyset, uint8_t dir, uint8_t substream)
{
	return (uint8_t)((keyset & 1u) | (dir & 1u) << 1 | (substream & 0xFu) << 4);
}

int idekm_ksd_parse(uint8_t b, uint8_t *keyset, uint8_t *dir, uint8_t *substream)
{
	*keyset = b & 1u;
	*dir = (b >> 1) & 1u;
	*substream = b >> 4;
	if (b & 0x0Cu || *substream > IDEKM_CPL)
		return -EINVAL;
	return 0;
}

static bool is_request(uint8_t object)
{
	return object == IDEKM_QUERY || object == IDEKM_KEY_PROG || object == IDEKM_K_SET_GO ||
	       object == IDEKM_K_SET_STOP;
}

/* The stream objects share one 7-byte head: ObjectID, 2 reserved,
 * StreamID, Status (KP_ACK) or reserved, KeySet/Direction/SubStream,
 * PortIndex. */
static int enc_kset(struct doe_wr *w, const struct idekm_msg *m)
{
	doe_wr_u8(w, m->object);
	doe_wr_zero(w, 2);
	doe_wr_u8(w, m->stream_id);
	doe_wr_u8(w, m->object == IDEKM_KP_ACK ? m->status : 0);
	doe_wr_u8(w, idekm_ksd_byte(m->keyset, m->dir, m->substream));
	return doe_wr_u8(w, m->port_index);
}

int idekm_obj_encode(struct doe_ctx *ctx, const struct idekm_msg *m, uint8_t *out, size_t cap,
		     size_t *len)
{
	struct doe_wr w;

	*len = 0;
	doe_wr_init(&w, out, cap);
	switch (m->object) {
	case IDEKM_QUERY:
		doe_wr_u8(&w, m->object);
		doe_wr_u8(&w, 0);
		doe_wr_u8(&w, m->port_index);
		break;
	case IDEKM_QUERY_RESP:
		if (m->regs_len % 4 || m->regs_len > IDEKM_REGS_MAX)
			return doe_err(ctx, -EINVAL, "QUERY_RESP: %zu bytes of registers (whole DWs, at most %u)",
				       m->regs_len, IDEKM_REGS_MAX);
		doe_wr_u8(&w, m->object);
		doe_wr_u8(&w, 0);
		doe_wr_u8(&w, m->port_index);
		doe_wr_u8(&w, m->dev_func);
		doe_wr_u8(&w, m->bus);
		doe_wr_u8(&w, m->segment);
		doe_wr_u8(&w, m->max_port_index);
		doe_wr_bytes(&w, m->regs, m->regs_len);
		break;
	case IDEKM_KEY_PROG:
		enc_kset(&w, m);
		doe_wr_bytes(&w, m->key, IDEKM_KEY_SIZE);
		doe_wr_bytes(&w, m->ifv, IDEKM_IFV_SIZE);
		break;
	case IDEKM_KP_ACK:
	case IDEKM_K_SET_GO:
	case IDEKM_K_SET_STOP:
	case IDEKM_K_GOSTOP_ACK:
		enc_kset(&w, m);
		break;
	default:
		return doe_err(ctx, -EINVAL, "IDE_KM: no object 0x%02x", m->object);
	}
	if (!doe_wr_ok(&w))
		return doe_err(ctx, -EMSGSIZE, "IDE_KM %s: buffer of %zu bytes too small",
			       idekm_object_name(m->object), cap);
	*len = doe_wr_len(&w);
	return 0;
}

static int want_len(struct doe_ctx *ctx, uint8_t object, size_t len, size_t want)
{
	if (len != want)
		return doe_err(ctx, -EBADMSG, "IDE_KM %s: %zu bytes, expected %zu",
			       idekm_object_name(object), len, want);
	return 0;
}

int idekm_obj_decode(struct doe_ctx *ctx, const uint8_t *obj, size_t len, struct idekm_msg *m)
{
	struct doe_rd r;
	uint8_t ksd;

	memset(m, 0, sizeof(*m));
	doe_rd_init(&r, obj, len);
	if (doe_rd_u8(&r, &m->object))
		return doe_err(ctx, -EBADMSG, "IDE_KM: empty object");
	switch (m->object) {
	case IDEKM_QUERY:
		TRY(want_len(ctx, m->object, len, IDEKM_QUERY_SIZE));
		doe_rd_skip(&r, 1);
		doe_rd_u8(&r, &m->port_index);
		return 0;
	case IDEKM_QUERY_RESP:
		if (len < IDEKM_QUERY_RESP_FIXED)
			return doe_err(ctx, -EBADMSG, "IDE_KM QUERY_RESP: %zu bytes, at least %u", len,
				       IDEKM_QUERY_RESP_FIXED);
		doe_rd_skip(&r, 1);
		doe_rd_u8(&r, &m->port_index);
		doe_rd_u8(&r, &m->dev_func);
		doe_rd_u8(&r, &m->bus);
		doe_rd_u8(&r, &m->segment);
		doe_rd_u8(&r, &m->max_port_index);
		m->regs_len = doe_rd_left(&r);
		/* registers are DWs (pci_ide_km_query_resp: uint32_t blocks) */
		if (m->regs_len % 4)
			return doe_err(ctx, -EBADMSG, "IDE_KM QUERY_RESP: %zu bytes of registers, not whole DWs",
				       m->regs_len);
		if (m->regs_len > IDEKM_REGS_MAX)
			return doe_err(ctx, -EBADMSG, "IDE_KM QUERY_RESP: %zu bytes of registers, at most %u",
				       m->regs_len, IDEKM_REGS_MAX);
		m->regs = doe_rd_take(&r, m->regs_len);
		return 0;
	case IDEKM_KEY_PROG:
		TRY(want_len(ctx, m->object, len, IDEKM_KEY_PROG_SIZE));
		break;
	case IDEKM_KP_ACK:
	case IDEKM_K_SET_GO:
	case IDEKM_K_SET_STOP:
	case IDEKM_K_GOSTOP_ACK:
		TRY(want_len(ctx, m->object, len, IDEKM_KSET_SIZE));
		break;
	default:
		return doe_err(ctx, -EBADMSG, "IDE_KM: unknown ObjectID 0x%02x", m->object);
	}
	doe_rd_skip(&r, 2);
	doe_rd_u8(&r, &m->stream_id);
	doe_rd_u8(&r, &m->status);
	if (m->object != IDEKM_KP_ACK)
		m->status = 0;	/* reserved */
	doe_rd_u8(&r, &ksd);
	doe_rd_u8(&r, &m->port_index);
	/* a KP_ACK that refuses a value echoes it, whatever it was */
	if (idekm_ksd_parse(ksd, &m->keyset, &m->dir, &m->substream) &&
	    !(m->object == IDEKM_KP_ACK && m->status != IDEKM_KP_SUCCESS))
		return doe_err(ctx, -EBADMSG, "IDE_KM %s: KeySet/Direction/SubStream 0x%02x (sub-stream %u)",
			       idekm_object_name(m->object), ksd, ksd >> 4);
	if (m->object == IDEKM_KEY_PROG) {
		doe_rd_bytes(&r, m->key, IDEKM_KEY_SIZE);
		doe_rd_bytes(&r, m->ifv, IDEKM_IFV_SIZE);
	}
	return doe_rd_ok(&r) ? 0 : doe_err(ctx, -EBADMSG, "IDE_KM: object ends early");
}

int idekm_encode(struct doe_ctx *ctx, const struct idekm_msg *m, uint8_t *out, size_t cap,
		 size_t *len)
{
	size_t olen;
	struct doe_wr w;

	*len = 0;
	if (cap < IDEKM_VDM_HDR_SIZE + 1)
		return doe_err(ctx, -EMSGSIZE, "IDE_KM: buffer of %zu bytes too small", cap);
	/* the object goes after the vendor header and ProtocolID */
	TRY(idekm_obj_encode(ctx, m, out + IDEKM_VDM_HDR_SIZE + 1, cap - IDEKM_VDM_HDR_SIZE - 1,
			     &olen));
	doe_wr_init(&w, out, cap);
	doe_wr_u8(&w, m->spdm_version ? m->spdm_version : 0x10);
	doe_wr_u8(&w, is_request(m->object) ? IDEKM_SPDM_VENDOR_REQUEST : IDEKM_SPDM_VENDOR_RESPONSE);
	doe_wr_zero(&w, 2);			/* Param1, Param2 */
	doe_wr_le16(&w, IDEKM_STANDARD_ID_PCISIG);
	doe_wr_u8(&w, 2);			/* Len: VendorID is 2 bytes */
	doe_wr_le16(&w, IDEKM_VENDOR_ID_PCISIG);
	doe_wr_le16(&w, (uint16_t)(olen + 1));	/* ProtocolID + object */
	doe_wr_u8(&w, IDEKM_PROTOCOL_ID);
	*len = doe_wr_len(&w) + olen;
	return 0;
}

int idekm_decode(struct doe_ctx *ctx, bool request, const uint8_t *msg, size_t len,
		 struct idekm_msg *m)
{
	const char *what = request ? "VENDOR_DEFINED_REQUEST" : "VENDOR_DEFINED_RESPONSE";
	uint8_t version, code, vlen, proto;
	uint16_t std, vendor, plen;
	struct doe_rd r;
	int rc;

	memset(m, 0, sizeof(*m));
	doe_rd_init(&r, msg, len);
	doe_rd_u8(&r, &version);
	doe_rd_u8(&r, &code);
	doe_rd_skip(&r, 2);
	if (!doe_rd_ok(&r))
		return doe_err(ctx, -EBADMSG, "IDE_KM: %zu bytes, no SPDM header", len);
	if (code != (request ? IDEKM_SPDM_VENDOR_REQUEST : IDEKM_SPDM_VENDOR_RESPONSE))
		return doe_err(ctx, -EBADMSG, "IDE_KM: %s (0x%02x) where %s was expected",
			       spdm_code_name(code), code, what);
	if (doe_rd_le16(&r, &std) || doe_rd_u8(&r, &vlen))
		return doe_err(ctx, -EBADMSG, "%s: message ends inside StandardID/Len", what);
	if (std != IDEKM_STANDARD_ID_PCISIG)
		return doe_err(ctx, -EBADMSG, "%s: StandardID 0x%04x, not PCI-SIG (0x%04x)", what, std,
			       IDEKM_STANDARD_ID_PCISIG);
	if (vlen != 2)
		return doe_err(ctx, -EBADMSG, "%s: VendorID Len %u, PCI-SIG's is 2", what, vlen);
	if (doe_rd_le16(&r, &vendor) || doe_rd_le16(&r, &plen))
		return doe_err(ctx, -EBADMSG, "%s: message ends inside VendorID/PayloadLength", what);
	if (vendor != IDEKM_VENDOR_ID_PCISIG)
		return doe_err(ctx, -EBADMSG, "%s: VendorID 0x%04x, not PCI-SIG (0x%04x)", what, vendor,
			       IDEKM_VENDOR_ID_PCISIG);
	if (plen != doe_rd_left(&r))
		return doe_err(ctx, -EBADMSG, "%s: PayloadLength %u, %zu bytes follow", what, plen,
			       doe_rd_left(&r));
	if (doe_rd_u8(&r, &proto))
		return doe_err(ctx, -EBADMSG, "%s: empty payload, no ProtocolID", what);
	if (proto != IDEKM_PROTOCOL_ID)
		return doe_err(ctx, -EPROTONOSUPPORT, "%s: ProtocolID 0x%02x is not IDE_KM", what, proto);
	rc = idekm_obj_decode(ctx, msg + r.off, doe_rd_left(&r), m);
	if (rc)
		return rc;
	m->spdm_version = version;
	if (is_request(m->object) != request)
		return doe_err(ctx, -EBADMSG, "IDE_KM: %s in a %s", idekm_object_name(m->object), what);
	return 0;
}
