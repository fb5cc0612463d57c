// SPDX-License-Identifier: MIT
/*
 * The secured-message record layer (DSP0277) with fixed keys: a key
 * schedule run from constant secrets, so every input sees the same keys
 * and a crash reproduces. Three knob bytes, then the payload:
 *
 *   [0] bits 0-1 sequence bytes on the wire (0, 2, 8), bit 2 MAC only,
 *       bit 3 transport alignment 4, bits 4-5 AEAD, bit 6 data phase
 *       (else handshake keys), bit 7 which direction
 *   [1] bits 0-1 hash, bits 2-4 the expected sequence number (including
 *       the last ones before the counter is exhausted), bit 5 a small
 *       output buffer, bits 6-7 the mode:
 *         0, 1  open the payload as a record
 *         2     round trip: seal the payload as application data, open it,
 *               compare; a replay of it must then be refused
 *         3     forge: the payload is the plaintext of a record (AppLength,
 *               data, padding as the peer chose them), sealed here with
 *               the same keys so the checks after authentication run
 *   [2] largest random padding when sealing (encrypted records)
 *
 * spdm_rec_open() must answer 0 with the counter advanced by one and the
 * application data inside the record, or an error with the counter as it
 * was; never anything else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/spdm.h>
#include <doekit/spdm_session.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SESSION_ID 0xC0DE5EEDu

static const uint8_t seq_sizes[4] = { 0, 2, 8, 0 };
static const uint16_t aeads[4] = { SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
				   SPDM_AEAD_CHACHA20_POLY1305, SPDM_AEAD_AES_256_GCM };
static const uint32_t hashes[4] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512,
				    SPDM_HASH_SHA384 };
/* 0xFFFF..0x10000 carries into the third byte the MCTP binding does not send */
static const uint64_t seqs[8] = { 0, 1, 0xFF, 0xFFFF, 0x10000, UINT64_MAX - 2, UINT64_MAX - 1,
				  UINT64_MAX };

static const uint8_t shared[48] = "a constant DHE secret for the record fuzzer...";
static const uint8_t th1[64] = "TH1: a constant transcript hash, as long as SHA-512";
static const uint8_t th2[64] = "TH2: another constant, for the data phase keys....";

/* The record layer's nonce: the IV with the counter XORed in, little-endian. */
static void nonce(const struct spdm_dir_keys *d, uint8_t iv[SPDM_AEAD_IV_SIZE])
{
	memcpy(iv, d->iv, SPDM_AEAD_IV_SIZE);
	for (unsigned i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(d->seq >> (8 * i));
}

static const EVP_CIPHER *cipher(uint16_t aead)
{
	return aead == SPDM_AEAD_AES_128_GCM	? EVP_aes_128_gcm()
	       : aead == SPDM_AEAD_AES_256_GCM ? EVP_aes_256_gcm()
					       : EVP_chacha20_poly1305();
}

/*
 * Seals plain (n bytes, the whole encrypted part of a record as the peer
 * chose it) into rec after a header written here; independent of
 * spdm_rec_seal() so that a bug there cannot hide the same bug in open.
 * MAC only: plain is the application data and only authenticated.
 */
static size_t forge(const struct spdm_keys *ks, const struct spdm_dir_keys *d,
		    const struct spdm_rec_params *p, const uint8_t *plain, size_t n, uint8_t *rec,
		    size_t cap)
{
	size_t hdr = 4u + p->seq_size + 2u, total = hdr + n + SPDM_AEAD_TAG_SIZE;
	EVP_CIPHER_CTX *c;
	uint8_t iv[SPDM_AEAD_IV_SIZE];
	struct doe_wr w;
	int len, ok;

	if (total > cap || n + SPDM_AEAD_TAG_SIZE > 0xFFFFu)
		return 0;
	doe_wr_init(&w, rec, cap);
	doe_wr_le32(&w, p->session_id);
	for (unsigned i = 0; i < p->seq_size; i++)
		doe_wr_u8(&w, (uint8_t)(d->seq >> (8 * i)));
	doe_wr_le16(&w, (uint16_t)(n + SPDM_AEAD_TAG_SIZE));
	doe_wr_bytes(&w, plain, n);
	if (!doe_wr_ok(&w))
		abort();
	nonce(d, iv);
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_EncryptInit_ex2(c, cipher(ks->aead), d->key, iv, NULL) == 1;
	if (p->mac_only) {
		ok = ok && EVP_EncryptUpdate(c, NULL, &len, rec, (int)(hdr + n)) == 1;
	} else {
		ok = ok && EVP_EncryptUpdate(c, NULL, &len, rec, (int)hdr) == 1;
		ok = ok && (n == 0 || EVP_EncryptUpdate(c, rec + hdr, &len, rec + hdr, (int)n) == 1);
	}
	ok = ok && EVP_EncryptFinal_ex(c, rec + hdr + n, &len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, SPDM_AEAD_TAG_SIZE, rec + hdr + n) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		abort();
	return total;
}

/* One open, and what it may answer. */
static int open_checked(struct doe_ctx *ctx, const struct spdm_keys *ks,
			const struct spdm_dir_keys *d, const struct spdm_rec_params *p,
			const uint8_t *rec, size_t len, uint8_t *app, size_t cap, size_t *app_len)
{
	struct spdm_dir_keys dir = *d;
	int rc;

	*app_len = SIZE_MAX;
	rc = spdm_rec_open(ctx, ks, &dir, p, rec, len, app, cap, app_len);
	if (rc == 0) {
		if (dir.seq != d->seq + 1 || *app_len > len || *app_len > cap)
			abort();
		return 0;
	}
	if (dir.seq != d->seq || (rc != -EBADMSG && rc != -ENOBUFS && rc != -ERANGE) ||
	    (rc == -ERANGE && d->seq != UINT64_MAX))
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_rec_params p = { .session_id = SESSION_ID };
	struct spdm_dir_keys *dir;
	struct spdm_keys ks;
	struct doe_ctx *ctx;
	const uint8_t *pl;
	uint8_t *rec, *app;
	size_t plen, cap, app_cap, rlen, alen, body;
	int rc;

	if (size < 3 || doe_ctx_new(&ctx))
		return 0;
	p.seq_size = seq_sizes[data[0] & 3];
	p.mac_only = data[0] & 0x04;
	p.align = data[0] & 0x08 ? 4 : 1;
	p.max_pad = p.mac_only ? 0 : data[2] % 33;
	if (spdm_keys_init(ctx, &ks, 0x12, hashes[data[1] & 3], aeads[(data[0] >> 4) & 3]) ||
	    spdm_keys_handshake(ctx, &ks, shared, sizeof(shared), false, th1) ||
	    ((data[0] & 0x40) && spdm_keys_data(ctx, &ks, th2)))
		abort();
	dir = data[0] & 0x80 ? &ks.rsp : &ks.req;
	dir->seq = seqs[(data[1] >> 2) & 7];
	pl = data + 3;
	plen = size - 3;
	/* room for any record made from the payload, padding to 4 included */
	cap = plen + spdm_rec_overhead(&p) + 8;
	app_cap = data[1] & 0x20 ? plen / 2 : plen + 8;
	rec = malloc(cap);
	app = malloc(app_cap ? app_cap : 1);
	if (!rec || !app)
		abort();
	switch (data[1] >> 6) {
	case 0:
	case 1:
		open_checked(ctx, &ks, dir, &p, pl, plen, app, app_cap, &alen);
		break;
	case 2: {
		struct spdm_dir_keys tx = *dir;

		rc = spdm_rec_seal(ctx, &ks, &tx, &p, pl, plen, rec, cap, &rlen);
		if (rc == -ERANGE && dir->seq == UINT64_MAX)
			break;
		if (rc || rlen > cap || tx.seq != dir->seq + 1)
			abort();
		/* the encrypted part: what open needs room for */
		body = rlen - (4u + p.seq_size + 2u) - SPDM_AEAD_TAG_SIZE;
		/* what a DOE mailbox does to it: zeros up to the next DW */
		while (p.align == 4 && rlen % 4)
			rec[rlen++] = 0;
		rc = open_checked(ctx, &ks, dir, &p, rec, rlen, app, app_cap, &alen);
		if (rc == -ENOBUFS && body > app_cap)
			break;
		if (rc || alen != plen || (plen && memcmp(app, pl, plen)))
			abort();
		/* the same record again: the counter moved on, it must not open */
		tx = *dir;
		tx.seq++;
		if (tx.seq != UINT64_MAX &&
		    open_checked(ctx, &ks, &tx, &p, rec, rlen, app, app_cap, &alen) != -EBADMSG)
			abort();
		break;
	}
	case 3:
		if (dir->seq == UINT64_MAX)
			break;
		rlen = forge(&ks, dir, &p, pl, plen, rec, cap);
		if (!rlen)
			break;
		rc = open_checked(ctx, &ks, dir, &p, rec, rlen, app, app_cap, &alen);
		/* authentic: only a body too short for AppLength, or AppLength
		 * past the body, or too small a buffer may refuse it */
		if (rc == 0 && !p.mac_only && (plen < 2 || alen != (size_t)(pl[0] | pl[1] << 8)))
			abort();
		if (rc == 0 && p.mac_only && (alen != plen || memcmp(app, pl, plen)))
			abort();
		if (rc == -EBADMSG && (p.mac_only || (plen >= 2 && (size_t)(pl[0] | pl[1] << 8) <= plen - 2)))
			abort();
		break;
	}
	free(rec);
	free(app);
	spdm_keys_wipe(&ks);
	doe_ctx_free(ctx);
	return 0;
}
