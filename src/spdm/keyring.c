// SPDX-License-Identifier: MIT
/* The session hand-off payload (include/doekit/spdm_keyring.h). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <doekit/cursor.h>
#include <doekit/spdm_keyring.h>
#include "internal.h"
#include "session_int.h"

static const uint8_t magic[4] = { 'D', 'K', 'S', 'P' };

static void wr_dir(struct doe_wr *w, const struct spdm_dir_keys *d, size_t key_len)
{
	doe_wr_bytes(w, d->key, key_len);
	doe_wr_zero(w, 32 - key_len);
	doe_wr_bytes(w, d->iv, SPDM_AEAD_IV_SIZE);
	doe_wr_le64(w, d->seq);
}

int spdm_keyring_export(const struct spdm_sess *s, struct doe_ctx *ctx,
			uint8_t out[SPDM_KEYRING_PAYLOAD_SIZE])
{
	const struct spdm_keys *ks = spdm_sess_keys(s);
	const struct spdm_rec_params *rp = spdm_sess_rec_params(s);
	struct doe_wr w;
	uint8_t flags = 0;

	if (!ks)
		return doe_err(ctx, -ENOTCONN, "keyring: the session is not established");
	if (rp->mac_only)
		flags |= SPDM_KEYRING_MAC_ONLY;
	if (s->opts.binding == SPDM_BINDING_MCTP)
		flags |= SPDM_KEYRING_MCTP;
	doe_wr_init(&w, out, SPDM_KEYRING_PAYLOAD_SIZE);
	doe_wr_bytes(&w, magic, sizeof(magic));
	doe_wr_u8(&w, SPDM_KEYRING_LAYOUT);
	doe_wr_u8(&w, ks->version);
	doe_wr_u8(&w, (uint8_t)(s->sm_version >> 8));
	doe_wr_u8(&w, flags);
	doe_wr_le32(&w, spdm_sess_id(s));
	doe_wr_le16(&w, ks->aead);
	doe_wr_u8(&w, rp->seq_size);
	doe_wr_u8(&w, ks->key_size);
	doe_wr_u8(&w, SPDM_AEAD_IV_SIZE);
	doe_wr_u8(&w, rp->max_pad);
	doe_wr_le16(&w, 0);
	wr_dir(&w, &ks->req, ks->key_size);
	wr_dir(&w, &ks->rsp, ks->key_size);
	if (!doe_wr_ok(&w) || doe_wr_len(&w) != SPDM_KEYRING_PAYLOAD_SIZE) {
		OPENSSL_cleanse(out, SPDM_KEYRING_PAYLOAD_SIZE);
		return doe_err(ctx, -EIO, "keyring: payload layout");
	}
	return 0;
}

static int rd_dir(struct doe_rd *r, struct spdm_keyring_dir *d)
{
	doe_rd_bytes(r, d->key, sizeof(d->key));
	doe_rd_bytes(r, d->iv, sizeof(d->iv));
	return doe_rd_le64(r, &d->seq);
}

static bool zero_after(const uint8_t key[32], size_t key_len)
{
	uint8_t any = 0;

	for (size_t i = key_len; i < 32; i++)
		any |= key[i];
	return !any;
}

int spdm_keyring_parse(struct doe_ctx *ctx, const uint8_t *p, size_t len,
		       struct spdm_keyring_payload *out)
{
	uint8_t m[4], layout;
	uint16_t rsvd;
	struct doe_rd r;

	memset(out, 0, sizeof(*out));
	if (len != SPDM_KEYRING_PAYLOAD_SIZE)
		return doe_err(ctx, -EBADMSG, "keyring payload: %zu bytes, layout 1 has %u", len,
			       SPDM_KEYRING_PAYLOAD_SIZE);
	doe_rd_init(&r, p, len);
	doe_rd_bytes(&r, m, sizeof(m));
	doe_rd_u8(&r, &layout);
	doe_rd_u8(&r, &out->spdm_version);
	doe_rd_u8(&r, &out->sm_version);
	doe_rd_u8(&r, &out->flags);
	doe_rd_le32(&r, &out->session_id);
	doe_rd_le16(&r, &out->aead);
	doe_rd_u8(&r, &out->seq_size);
	doe_rd_u8(&r, &out->key_len);
	doe_rd_u8(&r, &out->iv_len);
	doe_rd_u8(&r, &out->max_pad);
	doe_rd_le16(&r, &rsvd);
	rd_dir(&r, &out->req);
	rd_dir(&r, &out->rsp);
	if (!doe_rd_ok(&r) || memcmp(m, magic, sizeof(m)))
		return doe_err(ctx, -EBADMSG, "keyring payload: no DKSP magic");
	if (layout != SPDM_KEYRING_LAYOUT)
		return doe_err(ctx, -EBADMSG, "keyring payload: layout %u, only 1 is known", layout);
	if (out->spdm_version < 0x11 || out->spdm_version > 0x13)
		return doe_err(ctx, -EBADMSG, "keyring payload: SPDM version 0x%02x", out->spdm_version);
	if (out->flags & ~(SPDM_KEYRING_MAC_ONLY | SPDM_KEYRING_MCTP) || rsvd)
		return doe_err(ctx, -EBADMSG, "keyring payload: reserved bits set");
	if ((out->aead == SPDM_AEAD_AES_128_GCM) != (out->key_len == 16) ||
	    (out->aead != SPDM_AEAD_AES_128_GCM && out->aead != SPDM_AEAD_AES_256_GCM &&
	     out->aead != SPDM_AEAD_CHACHA20_POLY1305) ||
	    (out->key_len != 16 && out->key_len != 32))
		return doe_err(ctx, -EBADMSG, "keyring payload: AEAD 0x%x with a %u-byte key", out->aead,
			       out->key_len);
	if (out->iv_len != SPDM_AEAD_IV_SIZE || (out->seq_size != 0 && out->seq_size != 2 &&
						  out->seq_size != 8))
		return doe_err(ctx, -EBADMSG, "keyring payload: IV length %u / sequence bytes %u",
			       out->iv_len, out->seq_size);
	/* DSP0277 1.0-1.2 are the record layers there are; a consumer that
	 * switches on this byte must not meet another */
	if (out->sm_version < 0x10 || out->sm_version > 0x12)
		return doe_err(ctx, -EBADMSG, "keyring payload: secured-message version 0x%02x",
			       out->sm_version);
	/* a MAC-only record has no encrypted part to hide padding in */
	if ((out->flags & SPDM_KEYRING_MAC_ONLY) && out->max_pad)
		return doe_err(ctx, -EBADMSG, "keyring payload: %u bytes of padding in a MAC-only session",
			       out->max_pad);
	/* the key field is 32 bytes; past a 16-byte key it is zero, so a
	 * consumer that copies all 32 cannot pick up bytes that are not key */
	if (!zero_after(out->req.key, out->key_len) || !zero_after(out->rsp.key, out->key_len))
		return doe_err(ctx, -EBADMSG, "keyring payload: key bytes after the %u-byte key",
			       out->key_len);
	return 0;
}
