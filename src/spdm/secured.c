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
#include "session_int.h"
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

/* A stretch of the AEAD's input and where its output goes (in place
 * allowed), so a record is processed without first being copied together. */
struct seg {
	const uint8_t *in;
	uint8_t *out;
	size_t n;
};

void spdm_aead_cache_free(struct spdm_aead_cache *c)
{
	EVP_CIPHER_CTX_free(c->cc);	/* cleanses the expanded key */
	OPENSSL_cleanse(c, sizeof(*c));
}

/*
 * The cipher context for one message with the per-message IV set. With a
 * cache (a session's, one per direction) the context keyed last time is
 * reused when it holds this direction's key for this operation, and only
 * the IV changes: no allocation, cipher fetch or key expansion per
 * message. Any other key (the handshake keys, a key update, a rollback)
 * keys it anew. Without a cache the context is new and *owned is set.
 */
static EVP_CIPHER_CTX *aead_ctx(const struct spdm_keys *ks, const struct spdm_dir_keys *d,
				struct spdm_aead_cache *c, bool enc, const uint8_t *iv, bool *owned)
{
	const EVP_CIPHER *cipher = aead_cipher(ks->aead);
	EVP_CIPHER_CTX *cc;

	*owned = false;
	if (c && c->cc && c->aead == ks->aead && c->enc == enc &&
	    !CRYPTO_memcmp(c->key, d->key, ks->key_size))
		return EVP_CipherInit_ex2(c->cc, NULL, NULL, iv, enc, NULL) == 1 ? c->cc : NULL;
	if (c)
		spdm_aead_cache_free(c);
	cc = EVP_CIPHER_CTX_new();
	if (!cc || !cipher || EVP_CipherInit_ex2(cc, cipher, d->key, iv, enc, NULL) != 1) {
		EVP_CIPHER_CTX_free(cc);
		return NULL;
	}
	if (!c) {
		*owned = true;
		return cc;
	}
	c->cc = cc;
	c->aead = ks->aead;
	c->enc = enc;
	memcpy(c->key, d->key, ks->key_size);
	return cc;
}

/*
 * One AEAD operation over nseg stretches of input. enc: tag written;
 * !enc: tag checked. aad covers aad_len bytes. Returns 0 or -EBADMSG
 * (authentication failed) / -EIO (libcrypto failure).
 */
static int aead_run(const struct spdm_keys *ks, const struct spdm_dir_keys *d,
		    struct spdm_aead_cache *cache, bool enc, const uint8_t *aad, size_t aad_len,
		    const struct seg *seg, size_t nseg, uint8_t *tag)
{
	uint8_t iv[SPDM_AEAD_IV_SIZE], fin[32];
	EVP_CIPHER_CTX *cc;
	int len, rc = -EIO;
	bool owned;

	make_iv(d, iv);
	cc = aead_ctx(ks, d, cache, enc, iv, &owned);
	if (!cc)
		goto out;
	if (aad_len > 0 && EVP_CipherUpdate(cc, NULL, &len, aad, (int)aad_len) != 1)
		goto out;
	for (size_t i = 0; i < nseg; i++)
		if (seg[i].n > 0 && EVP_CipherUpdate(cc, seg[i].out, &len, seg[i].in, (int)seg[i].n) != 1)
			goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_SET_TAG, SPDM_AEAD_TAG_SIZE, tag) != 1)
		goto out;
	/* AEADs are stream ciphers: Final writes nothing, fin is a formality */
	if (EVP_CipherFinal_ex(cc, fin, &len) != 1) {
		rc = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_GET_TAG, SPDM_AEAD_TAG_SIZE, tag) != 1)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(iv, sizeof(iv));
	if (owned)
		EVP_CIPHER_CTX_free(cc);
	else if (rc == -EIO && cache)	/* a context in an unknown state is not kept */
		spdm_aead_cache_free(cache);
	return rc;
}

int spdm_rec_seal_cached(struct doe_ctx *ctx, const struct spdm_keys *ks,
			 struct spdm_dir_keys *dir, struct spdm_aead_cache *cache,
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
		rc = aead_run(ks, dir, cache, true, out, hdr + app_len, NULL, 0, tag);
	} else {
		uint8_t alen[2] = { (uint8_t)app_len, (uint8_t)(app_len >> 8) };
		uint8_t *ct = doe_wr_take(&w, body);

		if (!ct)	/* cannot happen: cap was checked above */
			return doe_err(ctx, -ENOBUFS, "secured message: buffer too small");
		struct seg seg[3] = {
			{ alen, ct, 2 },
			{ app, ct + 2, app_len },	/* encrypted straight from the caller's buffer */
			{ ct + 2 + app_len, ct + 2 + app_len, pad },
		};

		if (pad)
			TRY(spdm_random(ctx, ct + 2 + app_len, pad));
		tag = out + hdr + body;
		rc = aead_run(ks, dir, cache, true, out, hdr, seg, 3, tag);
	}
	if (rc || !doe_wr_ok(&w))
		return doe_err(ctx, -EIO, "secured message: AEAD encryption failed");
	dir->seq++;
	*out_len = hdr + body + SPDM_AEAD_TAG_SIZE;
	return 0;
}

int spdm_rec_seal(struct doe_ctx *ctx, const struct spdm_keys *ks, struct spdm_dir_keys *dir,
		  const struct spdm_rec_params *p, const uint8_t *app, size_t app_len,
		  uint8_t *out, size_t cap, size_t *out_len)
{
	return spdm_rec_seal_cached(ctx, ks, dir, NULL, p, app, app_len, out, cap, out_len);
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

int spdm_rec_open_cached(struct doe_ctx *ctx, const struct spdm_keys *ks,
			 struct spdm_dir_keys *dir, struct spdm_aead_cache *cache,
			 const struct spdm_rec_params *p, const uint8_t *in, size_t len,
			 uint8_t *app, size_t cap, size_t *app_len)
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
		rc = aead_run(ks, dir, cache, false, in, hdr + body, NULL, 0, tag);
		if (rc)
			return rejected(ctx);
		if (body > cap)
			return doe_err(ctx, -ENOBUFS, "secured message: %zu bytes of application data, room for %zu",
				       body, cap);
		memcpy(app, ct, body);
		*app_len = body;
	} else {
		/* decrypted straight into app, AppLength aside: no move
		 * afterwards. A caller opening in place (app inside in) gets the
		 * whole body decrypted over itself and moved, as before: EVP
		 * allows in == out but promises nothing for buffers that
		 * overlap at an offset. */
		bool in_place = (uintptr_t)app < (uintptr_t)(in + len) &&
				(uintptr_t)in < (uintptr_t)(app + cap);
		uint8_t alen_le[2];
		struct seg seg[2] = {
			{ ct, in_place ? app : alen_le, in_place ? body : 2 },
			{ ct + 2, app, body - 2 },
		};
		size_t got;

		if (body > cap)
			return doe_err(ctx, -ENOBUFS, "secured message: %zu-byte record, room for %zu",
				       body, cap);
		rc = aead_run(ks, dir, cache, false, in, hdr, seg, in_place ? 1 : 2, tag);
		if (in_place) {
			memcpy(alen_le, app, 2);
			memmove(app, app + 2, body - 2);
		}
		got = body - 2;
		alen = (uint16_t)(alen_le[0] | alen_le[1] << 8);
		/* authenticated, so a wrong AppLength is the peer's bug, not an
		 * attacker's probe; the session still ends */
		if (rc || alen > got) {
			OPENSSL_cleanse(app, in_place ? body : got);
			OPENSSL_cleanse(alen_le, sizeof(alen_le));
			return rejected(ctx);
		}
		OPENSSL_cleanse(app + alen, (in_place ? body : got) - alen);
		*app_len = alen;
	}
	dir->seq++;
	return 0;
}

int spdm_rec_open(struct doe_ctx *ctx, const struct spdm_keys *ks, struct spdm_dir_keys *dir,
		  const struct spdm_rec_params *p, const uint8_t *in, size_t len, uint8_t *app,
		  size_t cap, size_t *app_len)
{
	return spdm_rec_open_cached(ctx, ks, dir, NULL, p, in, len, app, cap, app_len);
}
