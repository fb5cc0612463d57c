// SPDX-License-Identifier: MIT
/*
 * Session key schedule and secured-message record layer
 * (src/spdm/key_schedule.c, src/spdm/secured.c).
 *
 * Each derived value is recomputed here independently: OpenSSL's HKDF
 * through the EVP_PKEY interface (not the EVP_KDF one the library uses)
 * with the DSP0274 bin_concat info strings spelled out as literal bytes,
 * and the record layout rebuilt by hand with raw EVP AEAD. So a wrong
 * label, length, version prefix, IV or AAD layout fails here.
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include <doekit/doekit.h>
#include "t.h"

static struct doe_ctx *ctx;

static void hkdf_ref(const EVP_MD *md, int mode, const uint8_t *key, size_t klen,
		     const uint8_t *salt, size_t slen, const uint8_t *info, size_t ilen,
		     uint8_t *out, size_t olen)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);

	T_TRUE(pc && EVP_PKEY_derive_init(pc) == 1);
	T_EQ(EVP_PKEY_CTX_set_hkdf_mode(pc, mode), 1);
	T_EQ(EVP_PKEY_CTX_set_hkdf_md(pc, md), 1);
	T_EQ(EVP_PKEY_CTX_set1_hkdf_key(pc, key, (int)klen), 1);
	if (salt)
		T_EQ(EVP_PKEY_CTX_set1_hkdf_salt(pc, salt, (int)slen), 1);
	if (info)
		T_EQ(EVP_PKEY_CTX_add1_hkdf_info(pc, info, (int)ilen), 1);
	T_EQ(EVP_PKEY_derive(pc, out, &olen), 1);
	EVP_PKEY_CTX_free(pc);
}

/* info = len(u16 LE) | "spdm1.V " | label | context, spelled out */
static size_t info_ref(uint8_t *out, uint16_t len, char minor, const char *label,
		       const uint8_t *context, size_t clen)
{
	size_t n = 0;

	out[n++] = (uint8_t)(len & 0xff);
	out[n++] = (uint8_t)(len >> 8);
	memcpy(out + n, "spdm1.", 6);
	n += 6;
	out[n++] = (uint8_t)minor;
	out[n++] = ' ';
	memcpy(out + n, label, strlen(label));
	n += strlen(label);
	if (context) {
		memcpy(out + n, context, clen);
		n += clen;
	}
	return n;
}

static void expand_ref(const EVP_MD *md, char minor, const uint8_t *secret, size_t h,
		       const char *label, const uint8_t *context, uint8_t *out, size_t olen)
{
	uint8_t info[128];
	size_t n = info_ref(info, (uint16_t)olen, minor, label, context, context ? h : 0);

	hkdf_ref(md, EVP_PKEY_HKDEF_MODE_EXPAND_ONLY, secret, h, NULL, 0, info, n, out, olen);
}

static const struct ks_case {
	const char *name;
	uint8_t version;
	uint32_t hash;
	uint16_t aead;
	bool psk;
} ks_cases[] = {
	{ "1.1 sha256 aes128 dhe", 0x11, SPDM_HASH_SHA256, SPDM_AEAD_AES_128_GCM, false },
	{ "1.2 sha384 aes256 dhe", 0x12, SPDM_HASH_SHA384, SPDM_AEAD_AES_256_GCM, false },
	{ "1.3 sha512 chacha dhe", 0x13, SPDM_HASH_SHA512, SPDM_AEAD_CHACHA20_POLY1305, false },
	{ "1.2 sha256 aes256 psk", 0x12, SPDM_HASH_SHA256, SPDM_AEAD_AES_256_GCM, true },
	{ "1.3 sha384 aes256 psk (salt 0xff)", 0x13, SPDM_HASH_SHA384, SPDM_AEAD_AES_256_GCM, true },
	{ "1.3 sha3-256 aes128 dhe", 0x13, SPDM_HASH_SHA3_256, SPDM_AEAD_AES_128_GCM, false },
};

static const EVP_MD *md_of(uint32_t h)
{
	switch (h) {
	case SPDM_HASH_SHA256: return EVP_sha256();
	case SPDM_HASH_SHA384: return EVP_sha384();
	case SPDM_HASH_SHA512: return EVP_sha512();
	case SPDM_HASH_SHA3_256: return EVP_sha3_256();
	}
	return NULL;
}

static void t_key_schedule(void)
{
	for (size_t i = 0; i < sizeof(ks_cases) / sizeof(ks_cases[0]); i++) {
		const struct ks_case *c = &ks_cases[i];
		const EVP_MD *md = md_of(c->hash);
		size_t h = (size_t)EVP_MD_get_size(md), klen = c->aead == SPDM_AEAD_AES_128_GCM ? 16 : 32;
		char minor = (char)('0' + (c->version & 0xf));
		uint8_t shared[48], th1[64], th2[64], salt0[64], hs[64], sec[64], fk[64], key[32];
		uint8_t iv[12], salt1[64], ms[64], zeros[64] = { 0 }, vd[64], want[64];
		unsigned int vlen;
		struct spdm_keys ks;

		t_case_name = c->name;
		for (size_t k = 0; k < sizeof(shared); k++)
			shared[k] = (uint8_t)(k * 7 + 1);
		for (size_t k = 0; k < sizeof(th1); k++) {
			th1[k] = (uint8_t)(0xA0 ^ k);
			th2[k] = (uint8_t)(0x5C + k);
		}
		T_EQ(spdm_keys_init(ctx, &ks, c->version, c->hash, c->aead), 0);
		T_EQ(spdm_keys_handshake(ctx, &ks, shared, sizeof(shared), c->psk, th1), 0);

		memset(salt0, c->psk && c->version >= 0x13 ? 0xff : 0, h);
		hkdf_ref(md, EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, shared, sizeof(shared), salt0, h, NULL,
			 0, hs, h);
		T_MEMEQ(ks.handshake_secret, hs, h);
		expand_ref(md, minor, hs, h, "req hs data", th1, sec, h);
		T_MEMEQ(ks.req.secret, sec, h);
		expand_ref(md, minor, sec, h, "finished", NULL, fk, h);
		T_MEMEQ(ks.req_finished_key, fk, h);
		expand_ref(md, minor, sec, h, "key", NULL, key, klen);
		T_MEMEQ(ks.req.key, key, klen);
		expand_ref(md, minor, sec, h, "iv", NULL, iv, 12);
		T_MEMEQ(ks.req.iv, iv, 12);
		expand_ref(md, minor, hs, h, "rsp hs data", th1, sec, h);
		T_MEMEQ(ks.rsp.secret, sec, h);
		expand_ref(md, minor, sec, h, "finished", NULL, fk, h);
		T_MEMEQ(ks.rsp_finished_key, fk, h);

		/* ResponderVerifyData = HMAC(rsp finished key, TH) */
		T_TRUE(HMAC(md, fk, (int)h, th2, h, want, &vlen) != NULL);
		T_EQ(spdm_keys_verify_data(ctx, &ks, false, th2, vd), 0);
		T_MEMEQ(vd, want, h);
		T_EQ(spdm_keys_check_verify_data(ctx, &ks, false, th2, want), 0);
		want[h - 1] ^= 1;
		T_EQ(spdm_keys_check_verify_data(ctx, &ks, false, th2, want), -EBADMSG);
		T_CONTAINS(doe_ctx_errmsg(ctx), "ResponderVerifyData");
		T_EQ(spdm_keys_check_verify_data(ctx, &ks, true, th2, vd), -EBADMSG);

		/* data phase */
		T_EQ(spdm_keys_data(ctx, &ks, th2), 0);
		expand_ref(md, minor, hs, h, "derived", NULL, salt1, h);
		hkdf_ref(md, EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, zeros, h, salt1, h, NULL, 0, ms, h);
		expand_ref(md, minor, ms, h, "rsp app data", th2, sec, h);
		T_MEMEQ(ks.rsp.secret, sec, h);
		expand_ref(md, minor, sec, h, "key", NULL, key, klen);
		T_MEMEQ(ks.rsp.key, key, klen);
		expand_ref(md, minor, ms, h, "req app data", th2, sec, h);
		T_MEMEQ(ks.req.secret, sec, h);
		expand_ref(md, minor, ms, h, "exp master", th2, fk, h);
		T_MEMEQ(ks.export_master, fk, h);
		/* handshake material is gone once the data keys exist */
		T_MEMEQ(ks.handshake_secret, zeros, h);
		T_MEMEQ(ks.req_finished_key, zeros, h);
		T_EQ(spdm_keys_verify_data(ctx, &ks, true, th2, vd), -EINVAL);

		/* key update of the requester direction only */
		T_EQ(spdm_keys_update(ctx, &ks, true, false), 0);
		expand_ref(md, minor, sec, h, "traffic upd", NULL, fk, h);
		T_MEMEQ(ks.req.secret, fk, h);
		expand_ref(md, minor, fk, h, "iv", NULL, iv, 12);
		T_MEMEQ(ks.req.iv, iv, 12);
		T_EQ(spdm_keys_update(ctx, &ks, true, true), -EBUSY);
		spdm_keys_update_rollback(&ks);
		T_MEMEQ(ks.req.secret, sec, h);
		T_EQ(spdm_keys_update(ctx, &ks, true, true), 0);
		spdm_keys_update_commit(&ks);
		T_MEMEQ(ks.req.secret, fk, h);
		T_TRUE(!ks.req_prev_valid && !ks.rsp_prev_valid);
		T_MEMEQ(ks.req_prev.secret, zeros, h);

		spdm_keys_wipe(&ks);
		T_MEMEQ(&ks, zeros, 64);
	}
}

static void t_key_schedule_misuse(void)
{
	struct spdm_keys ks;
	uint8_t th[64] = { 0 }, s[32] = { 1 };

	T_EQ(spdm_keys_init(ctx, &ks, 0x10, SPDM_HASH_SHA256, SPDM_AEAD_AES_128_GCM), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "1.1-1.3");
	T_EQ(spdm_keys_init(ctx, &ks, 0x14, SPDM_HASH_SHA256, SPDM_AEAD_AES_128_GCM), -EINVAL);
	T_EQ(spdm_keys_init(ctx, &ks, 0x12, 0x80, SPDM_AEAD_AES_128_GCM), -EINVAL);
	T_EQ(spdm_keys_init(ctx, &ks, 0x12, SPDM_HASH_SHA256, 0x8), -EINVAL);
	T_EQ(spdm_keys_init(ctx, &ks, 0x12, SPDM_HASH_SHA256, SPDM_AEAD_AES_256_GCM), 0);
	T_EQ(spdm_keys_data(ctx, &ks, th), -EINVAL);
	T_EQ(spdm_keys_update(ctx, &ks, true, true), -EINVAL);
	T_EQ(spdm_keys_handshake(ctx, &ks, s, 0, false, th), -EINVAL);
	T_EQ(spdm_keys_handshake(ctx, &ks, s, sizeof(s), false, th), 0);
	T_EQ(spdm_keys_handshake(ctx, &ks, s, sizeof(s), false, th), -EINVAL);
	spdm_keys_wipe(&ks);
}

static void session_keys(struct spdm_keys *ks, uint16_t aead)
{
	uint8_t shared[32] = { 9 }, th[32] = { 3 };

	T_EQ(spdm_keys_init(ctx, ks, 0x12, SPDM_HASH_SHA256, aead), 0);
	T_EQ(spdm_keys_handshake(ctx, ks, shared, sizeof(shared), false, th), 0);
	T_EQ(spdm_keys_data(ctx, ks, th), 0);
}

/* The record rebuilt by hand with raw EVP: header, IV = iv ^ seq (LE), AAD. */
static void check_layout(const struct spdm_keys *ks, const struct spdm_dir_keys *d,
			 const struct spdm_rec_params *p, uint64_t seq, const uint8_t *rec,
			 size_t len, const uint8_t *app, size_t app_len)
{
	size_t hdr = 4 + p->seq_size + 2, body = len - hdr - 16;
	const EVP_CIPHER *c = ks->aead == SPDM_AEAD_AES_128_GCM ? EVP_aes_128_gcm()
			      : ks->aead == SPDM_AEAD_AES_256_GCM ? EVP_aes_256_gcm()
								  : EVP_chacha20_poly1305();
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	uint8_t iv[12], out[4096];
	int n;

	T_EQ(doe_get_le32(rec), p->session_id);
	for (unsigned i = 0; i < p->seq_size; i++)
		T_EQ(rec[4 + i], (uint8_t)(seq >> (8 * i)));
	T_EQ(rec[hdr - 2] | rec[hdr - 1] << 8, len - hdr);
	memcpy(iv, d->iv, 12);
	for (unsigned i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(seq >> (8 * i));
	T_EQ(EVP_DecryptInit_ex2(cc, c, d->key, iv, NULL), 1);
	if (p->mac_only) {
		T_EQ(EVP_DecryptUpdate(cc, NULL, &n, rec, (int)(hdr + body)), 1);
		T_EQ(body, app_len);
		T_MEMEQ(rec + hdr, app, app_len);
	} else {
		T_EQ(EVP_DecryptUpdate(cc, NULL, &n, rec, (int)hdr), 1);
		T_EQ(EVP_DecryptUpdate(cc, out, &n, rec + hdr, (int)body), 1);
		T_EQ(out[0] | out[1] << 8, app_len);
		T_MEMEQ(out + 2, app, app_len);
		T_TRUE(body - 2 - app_len <= p->max_pad);
	}
	T_EQ(EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(rec + hdr + body)), 1);
	T_EQ(EVP_DecryptFinal_ex(cc, out, &n), 1);
	EVP_CIPHER_CTX_free(cc);
}

static void t_record_round_trip(void)
{
	static const uint16_t aeads[] = { SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
					  SPDM_AEAD_CHACHA20_POLY1305 };
	static const struct spdm_rec_params params[] = {
		{ 0xFFFE0001u, 0, 0, false, 1 },	/* PCI DOE: no sequence number, no padding */
		{ 0x12345678u, 2, 32, false, 1 },	/* MCTP: 2 bytes, random padding */
		{ 0x00000001u, 8, 0, false, 1 },
		{ 0xCAFEF00Du, 2, 0, true, 1 },	/* MAC only */
	};
	uint8_t app[300], rec[400], got[400];

	for (size_t i = 0; i < sizeof(app); i++)
		app[i] = (uint8_t)i;
	for (size_t a = 0; a < 3; a++) {
		for (size_t k = 0; k < sizeof(params) / sizeof(params[0]); k++) {
			const struct spdm_rec_params *p = &params[k];
			struct spdm_keys tx, rx;
			size_t len, glen;

			session_keys(&tx, aeads[a]);
			session_keys(&rx, aeads[a]);
			for (uint64_t m = 0; m < 3; m++) {
				size_t alen = m == 0 ? 0 : m == 1 ? 1 : sizeof(app);

				T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, p, app, alen, rec, sizeof(rec),
						   &len), 0);
				T_TRUE(len <= alen + spdm_rec_overhead(p));
				check_layout(&tx, &rx.req, p, m, rec, len, app, alen);
				T_EQ(spdm_rec_open(ctx, &rx, &rx.req, p, rec, len, got, sizeof(got),
						   &glen), 0);
				T_EQ(glen, alen);
				T_MEMEQ(got, app, alen);
				/* a replay of the same record fails: the counter moved */
				T_EQ(spdm_rec_open(ctx, &rx, &rx.req, p, rec, len, got, sizeof(got),
						   &glen), -EBADMSG);
			}
			T_EQ(tx.req.seq, 3);
			T_EQ(rx.req.seq, 3);
			/* the other direction's keys cannot open it */
			T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, p, app, 10, rec, sizeof(rec), &len), 0);
			T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, p, rec, len, got, sizeof(got), &glen),
			     -EBADMSG);
			spdm_keys_wipe(&tx);
			spdm_keys_wipe(&rx);
		}
	}
}

/* Every single-bit flip anywhere in a record is caught, with one message. */
static void t_record_tamper(void)
{
	static const struct spdm_rec_params ps[] = { { 7, 2, 0, false, 1 }, { 7, 0, 0, true, 1 } };
	uint8_t app[40] = "GET_MEASUREMENTS inside a session", rec[128], got[128];

	for (size_t k = 0; k < 2; k++) {
		struct spdm_keys tx, rx;
		size_t len, glen;

		session_keys(&tx, SPDM_AEAD_AES_256_GCM);
		session_keys(&rx, SPDM_AEAD_AES_256_GCM);
		T_EQ(spdm_rec_seal(ctx, &tx, &tx.rsp, &ps[k], app, sizeof(app), rec, sizeof(rec), &len),
		     0);
		for (size_t i = 0; i < len; i++) {
			for (int bit = 0; bit < 8; bit += 7) {
				rec[i] ^= (uint8_t)(1 << bit);
				T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &ps[k], rec, len, got, sizeof(got),
						   &glen), -EBADMSG);
				T_STREQ(doe_ctx_errmsg(ctx), "secured message rejected");
				rec[i] ^= (uint8_t)(1 << bit);
			}
		}
		/* truncated and extended records */
		for (size_t cut = 0; cut < len; cut += 5)
			T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &ps[k], rec, cut, got, sizeof(got), &glen),
			     -EBADMSG);
		rec[len] = 0;
		T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &ps[k], rec, len + 1, got, sizeof(got), &glen),
		     -EBADMSG);
		/* DOE alignment: up to 3 zero bytes after the record, no more, none set */
		{
			struct spdm_rec_params a = ps[k];

			a.align = 4;
			memset(rec + len, 0, 4);
			T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &a, rec, len + 4, got, sizeof(got),
					   &glen), -EBADMSG);
			rec[len + 1] = 1;
			T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &a, rec, len + 2, got, sizeof(got),
					   &glen), -EBADMSG);
			rec[len + 1] = 0;
			T_EQ(rx.rsp.seq, 0);
			T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &a, rec, len + 3, got, sizeof(got),
					   &glen), 0);
			rx.rsp.seq = 0;
		}
		T_EQ(rx.rsp.seq, 0);	/* nothing consumed by the failures */
		T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &ps[k], rec, len, got, sizeof(got), &glen), 0);
		spdm_keys_wipe(&tx);
		spdm_keys_wipe(&rx);
	}
}

static void t_record_session_and_order(void)
{
	struct spdm_rec_params p = { 0x11112222u, 2, 0, false, 1 }, q = p;
	uint8_t rec1[64], rec2[64], got[64];
	struct spdm_keys tx, rx;
	size_t l1, l2, glen;

	session_keys(&tx, SPDM_AEAD_AES_128_GCM);
	session_keys(&rx, SPDM_AEAD_AES_128_GCM);
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, (const uint8_t *)"one", 3, rec1, sizeof(rec1), &l1), 0);
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, (const uint8_t *)"two", 3, rec2, sizeof(rec2), &l2), 0);
	q.session_id = 0x11112223u;
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &q, rec1, l1, got, sizeof(got), &glen), -EBADMSG);
	/* reordered: the second record first */
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &p, rec2, l2, got, sizeof(got), &glen), -EBADMSG);
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &p, rec1, l1, got, sizeof(got), &glen), 0);
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &p, rec2, l2, got, sizeof(got), &glen), 0);
	T_MEMEQ(got, "two", 3);
	/* DOE binding (no wire sequence number): reorder still fails on the tag */
	p.seq_size = 0;
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, (const uint8_t *)"a", 1, rec1, sizeof(rec1), &l1), 0);
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, (const uint8_t *)"b", 1, rec2, sizeof(rec2), &l2), 0);
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &p, rec2, l2, got, sizeof(got), &glen), -EBADMSG);
	T_EQ(spdm_rec_session_id(rec2, l2, &q.session_id), 0);
	T_EQ(q.session_id, 0x11112222u);
	T_EQ(spdm_rec_session_id(rec2, 3, &q.session_id), -EBADMSG);
	spdm_keys_wipe(&tx);
	spdm_keys_wipe(&rx);
}

static void t_record_limits(void)
{
	struct spdm_rec_params p = { 1, 8, 0, false, 1 };
	static uint8_t big[70000], rec[70100];
	uint8_t got[16];
	struct spdm_keys tx, rx;
	size_t len, glen;

	session_keys(&tx, SPDM_AEAD_AES_256_GCM);
	session_keys(&rx, SPDM_AEAD_AES_256_GCM);
	/* the last counter value is never used: the session must end */
	tx.req.seq = UINT64_MAX - 1;
	rx.req.seq = UINT64_MAX - 1;
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 4, rec, sizeof(rec), &len), 0);
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &p, rec, len, got, sizeof(got), &glen), 0);
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 4, rec, sizeof(rec), &len), -ERANGE);
	T_CONTAINS(doe_ctx_errmsg(ctx), "exhausted");
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &p, rec, len, got, sizeof(got), &glen), -ERANGE);
	tx.req.seq = 0;
	/* one record carries at most 0xFFFF bytes after the header */
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 0xFFFF - 16 - 2, rec, sizeof(rec), &len), 0);
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 0xFFFF - 16 - 1, rec, sizeof(rec), &len),
	     -EMSGSIZE);
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 100, rec, 100, &len), -ENOBUFS);
	/* a receive buffer too small is not confused with a forgery */
	rx.req.seq = 0;
	tx.req.seq = 0;
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 100, rec, sizeof(rec), &len), 0);
	T_EQ(spdm_rec_open(ctx, &rx, &rx.req, &p, rec, len, got, sizeof(got), &glen), -ENOBUFS);
	T_EQ(rx.req.seq, 0);
	/* padding is refused for MAC-only sessions, sequence sizes are 0/2/8 */
	p.mac_only = true;
	p.max_pad = 4;
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 1, rec, sizeof(rec), &len), -EINVAL);
	p.mac_only = false;
	p.seq_size = 4;
	T_EQ(spdm_rec_seal(ctx, &tx, &tx.req, &p, big, 1, rec, sizeof(rec), &len), -EINVAL);
	spdm_keys_wipe(&tx);
	spdm_keys_wipe(&rx);
}

/* A record opened in place: the application data may go where its
 * ciphertext was (the record layer then decrypts over it and moves it). */
static void t_record_in_place(void)
{
	static const struct spdm_rec_params ps[] = {
		{ 7, 0, 0, false, 4 },	/* DOE */
		{ 7, 2, 32, false, 1 },	/* MCTP, random padding */
	};
	uint8_t msg[300], rec[400];
	struct spdm_keys tx, rx;
	size_t len, glen;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	session_keys(&tx, SPDM_AEAD_AES_128_GCM);
	session_keys(&rx, SPDM_AEAD_AES_128_GCM);
	for (size_t k = 0; k < 2; k++) {
		size_t hdr = 4u + ps[k].seq_size + 2u;

		t_case_name = k ? "MCTP" : "DOE";
		T_EQ(spdm_rec_seal(ctx, &tx, &tx.rsp, &ps[k], msg, sizeof(msg), rec, sizeof(rec), &len), 0);
		T_EQ(spdm_rec_open(ctx, &rx, &rx.rsp, &ps[k], rec, len, rec + hdr, len - hdr, &glen), 0);
		T_EQ(glen, sizeof(msg));
		T_MEMEQ(rec + hdr, msg, sizeof(msg));
	}
	spdm_keys_wipe(&tx);
	spdm_keys_wipe(&rx);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_key_schedule);
	T_RUN(t_key_schedule_misuse);
	T_RUN(t_record_round_trip);
	T_RUN(t_record_tamper);
	T_RUN(t_record_session_and_order);
	T_RUN(t_record_limits);
	T_RUN(t_record_in_place);
	doe_ctx_free(ctx);
	return T_DONE();
}
