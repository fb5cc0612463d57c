// SPDX-License-Identifier: MIT
/*
 * The secured-message record layer (DSP0277 1.0-1.2 §6):
 *
 *   SessionID u32 | SequenceNumber (0, 2 or 8 bytes, binding-defined) |
 *   Length u16 | ENC: AEAD(AppLength u16 | AppData | RandomPadding) | MAC
 *               MAC-only: AppData | MAC
 *
 * The AAD is everything before the encrypted part (MAC-only: before the
 * MAC). The per-message IV is the direction's IV with the implicit 64-bit
 * sequence counter XORed, little-endian, into its low bytes (DSP0277 1.2;
 * libspdm's default for earlier versions too). The counter is never
 * trusted from the wire: where the binding carries some of its bytes they
 * must equal the expected ones, so replayed or reordered records fail.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <doekit/cursor.h>
#include <doekit/spdm_session.h>
#include "internal.h"
#include "spdm_int.h"

/* A message in one record's Length field: at most 0xFFFF bytes. */
#define REC_MAX_LENGTH 0xFFFFu

static const EVP_CIPHER *aead_cipher(uint16_t aead)
{
	switch (aead) {
	case SPDM_AEAD_AES_128_GCM: return EVP_aes_128_gcm();
	case SPDM_AEAD_AES_256_GCM: return EVP_aes_256_gcm();
	case SPDM_AEAD_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
	}
	return NULL;
}

size_t spdm_rec_overhead(const struct spdm_rec_params *p)
{
	size_t n = 4u + p->seq_size + 2u + SPDM_AEAD_TAG_SIZE;

	if (!p->mac_only)
		n += 2u + p->max_pad;
	return n;
}

static void make_iv(const struct spdm_dir_keys *d, uint8_t iv[SPDM_AEAD_IV_SIZE])
{
	memcpy(iv, d->iv, SPDM_AEAD_IV_SIZE);
	for (unsigned i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(d->seq >> (8 * i));
}

static bool valid_params(const struct spdm_rec_params *p)
{
	return (p->seq_size == 0 || p->seq_size == 2 || p->seq_size == 8) &&
	       (!p->mac_only || p->max_pad == 0);
}

/*
 * One AEAD operation. enc: in -> out of n bytes, tag written; !enc: in ->
 * out, tag checked. aad covers aad_len bytes. Returns 0 or -EBADMSG
 * (authentication failed) / -EIO (libcrypto failure).
 */
static int aead_run(const struct spdm_keys *ks, const struct spdm_dir_keys *d, bool enc,
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out,
		    size_t n, uint8_t *tag)
{
	const EVP_CIPHER *c = aead_cipher(ks->aead);
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	uint8_t iv[SPDM_AEAD_IV_SIZE], none[1];
	int len, rc = -EIO;

	make_iv(d, iv);
	if (!cc || !c)
		goto out;
	if (EVP_CipherInit_ex2(cc, c, d->key, iv, enc, NULL) != 1)
		goto out;
	if (aad_len > 0 && EVP_CipherUpdate(cc, NULL, &len, aad, (int)aad_len) != 1)
		goto out;
	if (n > 0 && EVP_CipherUpdate(cc, out, &len, in, (int)n) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_SET_TAG, SPDM_AEAD_TAG_SIZE, tag) != 1)
		goto out;
	/* AEAD modes write nothing at the end, but Final still takes an
	 * address; MAC-only records pass no output at all, and NULL + 0 is
	 * undefined (found by fuzz_spdm_record) */
	if (EVP_CipherFinal_ex(cc, out ? out + n : none, &len) != 1) {
		rc = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_GET_TAG, SPDM_AEAD_TAG_SIZE, tag) != 1)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(iv, sizeof(iv));
	EVP_CIPHER_CTX_free(cc);
	return rc;
}

int spdm_rec_seal(struct doe_ctx *ctx, const struct spdm_keys *ks, struct spdm_dir_keys *dir,
		  const struct spdm_rec_params *p, const uint8_t *app, size_t app_len,
		  uint8_t *out, size_t cap, size_t *out_len)
{
	size_t hdr = 4u + p->seq_size + 2u, body, pad = 0;
	struct doe_wr w;
	uint8_t *tag;
	int rc;

	if (!valid_params(p) || !aead_cipher(ks->aead))
		return doe_err(ctx, -EINVAL, "secured message: invalid session parameters");
	if (ks->phase == SPDM_KS_NONE)
		return doe_err(ctx, -EINVAL, "secured message: no keys yet");
	/* DSP0277: the counter must not wrap; its last value is never used,
	 * so the session ends one message early rather than reuse an IV. */
	if (dir->seq == UINT64_MAX)
		return doe_err(ctx, -ERANGE, "secured message: sequence numbers exhausted, the session must end");
	if (!p->mac_only && p->max_pad) {
		uint8_t r;

		TRY(spdm_random(ctx, &r, 1));
		pad = r % (p->max_pad + 1u);
	}
	body = p->mac_only ? app_len : 2u + app_len + pad;
	if (app_len > REC_MAX_LENGTH || body + SPDM_AEAD_TAG_SIZE > REC_MAX_LENGTH)
		return doe_err(ctx, -EMSGSIZE, "secured message: %zu bytes of application data do not fit one record",
			       app_len);
	if (hdr + body + SPDM_AEAD_TAG_SIZE > cap)
		return doe_err(ctx, -ENOBUFS, "secured message: %zu-byte buffer, %zu needed", cap,
			       hdr + body + SPDM_AEAD_TAG_SIZE);
	doe_wr_init(&w, out, cap);
	doe_wr_le32(&w, p->session_id);
	for (unsigned i = 0; i < p->seq_size; i++)
		doe_wr_u8(&w, (uint8_t)(dir->seq >> (8 * i)));
	doe_wr_le16(&w, (uint16_t)(body + SPDM_AEAD_TAG_SIZE));
	if (p->mac_only) {
		doe_wr_bytes(&w, app, app_len);
		tag = out + hdr + body;
		rc = aead_run(ks, dir, true, out, hdr + app_len, NULL, NULL, 0, tag);
	} else {
		uint8_t *plain = out + hdr;

		/* the plaintext is built in place and encrypted over itself */
		doe_wr_le16(&w, (uint16_t)app_len);
		doe_wr_bytes(&w, app, app_len);
		if (pad)
			TRY(spdm_random(ctx, doe_wr_take(&w, pad), pad));
		tag = out + hdr + body;
		rc = aead_run(ks, dir, true, out, hdr, plain, plain, body, tag);
	}
	if (rc || !doe_wr_ok(&w))
		return doe_err(ctx, -EIO, "secured message: AEAD encryption failed");
	dir->seq++;
	*out_len = hdr + body + SPDM_AEAD_TAG_SIZE;
	return 0;
}

int spdm_rec_session_id(const uint8_t *in, size_t len, uint32_t *id)
{
	struct doe_rd r;

	doe_rd_init(&r, in, len);
	return doe_rd_le32(&r, id);
}

/* After the record's Length bytes, only the transport's alignment
 * padding may follow (PCIe DOE pads every object to a DW): fewer than
 * align bytes, all zero. */
static bool padding_ok(const struct doe_rd *r, size_t length, uint8_t align)
{
	size_t extra = doe_rd_left(r) - length;

	if (extra >= (align ? align : 1u))
		return false;
	for (size_t i = r->len - extra; i < r->len; i++)
		if (r->p[i])
			return false;
	return true;
}

/* Every way a record can be wrong gets this one answer (DSP0277: a
 * decryption failure must not tell the sender which check failed). */
static int rejected(struct doe_ctx *ctx)
{
	return doe_err(ctx, -EBADMSG, "secured message rejected");
}

int spdm_rec_open(struct doe_ctx *ctx, const struct spdm_keys *ks, struct spdm_dir_keys *dir,
		  const struct spdm_rec_params *p, const uint8_t *in, size_t len, uint8_t *app,
		  size_t cap, size_t *app_len)
{
	size_t hdr = 4u + p->seq_size + 2u, body;
	uint8_t tag[SPDM_AEAD_TAG_SIZE];
	const uint8_t *ct;
	uint32_t sid;
	uint16_t length, alen = 0;
	bool bad = false;
	struct doe_rd r;
	int rc;

	if (!valid_params(p) || !aead_cipher(ks->aead) || ks->phase == SPDM_KS_NONE)
		return doe_err(ctx, -EINVAL, "secured message: invalid session parameters");
	if (dir->seq == UINT64_MAX)
		return doe_err(ctx, -ERANGE, "secured message: sequence numbers exhausted, the session must end");
	doe_rd_init(&r, in, len);
	doe_rd_le32(&r, &sid);
	for (unsigned i = 0; i < p->seq_size; i++) {
		uint8_t b = 0;

		doe_rd_u8(&r, &b);
		bad |= b != (uint8_t)(dir->seq >> (8 * i));
	}
	doe_rd_le16(&r, &length);
	if (!doe_rd_ok(&r) || sid != p->session_id || bad || length > doe_rd_left(&r) ||
	    !padding_ok(&r, length, p->align) ||
	    length < SPDM_AEAD_TAG_SIZE + (p->mac_only ? 0u : 2u))
		return rejected(ctx);
	body = length - SPDM_AEAD_TAG_SIZE;
	ct = doe_rd_take(&r, body);
	doe_rd_bytes(&r, tag, SPDM_AEAD_TAG_SIZE);
	if (p->mac_only) {
		rc = aead_run(ks, dir, false, in, hdr + body, NULL, NULL, 0, tag);
		if (rc)
			return rejected(ctx);
		if (body > cap)
			return doe_err(ctx, -ENOBUFS, "secured message: %zu bytes of application data, room for %zu",
				       body, cap);
		memcpy(app, ct, body);
		*app_len = body;
	} else {
		struct doe_rd pr;

		/* decrypted straight into the caller's buffer: no 64 KiB copy
		 * on the stack; AppLength and padding are then cut away */
		if (body > cap)
			return doe_err(ctx, -ENOBUFS, "secured message: %zu-byte record, room for %zu",
				       body, cap);
		rc = aead_run(ks, dir, false, in, hdr, ct, app, body, tag);
		if (rc) {
			OPENSSL_cleanse(app, body);
			return rejected(ctx);
		}
		doe_rd_init(&pr, app, body);
		doe_rd_le16(&pr, &alen);
		/* authenticated, so a wrong AppLength is the peer's bug, not an
		 * attacker's probe; the session still ends */
		if (!doe_rd_ok(&pr) || alen > doe_rd_left(&pr)) {
			OPENSSL_cleanse(app, body);
			return rejected(ctx);
		}
		memmove(app, app + 2, alen);
		OPENSSL_cleanse(app + alen, body - alen);
		*app_len = alen;
	}
	dir->seq++;
	return 0;
}
