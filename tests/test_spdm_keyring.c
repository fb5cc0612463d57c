// SPDX-License-Identifier: MIT
/*
 * The kernel hand-off payload (src/spdm/keyring.c), played from the
 * consumer's side: with nothing but the payload (read back from a "user"
 * key where the kernel lets us) and OpenSSL, decrypt a secured message the
 * responder sent and encrypt one the responder accepts.
 */
#include <errno.h>
#include <stdlib.h>

#include <keyutils.h>
#include <openssl/evp.h>

#include <doekit/doekit.h>
#include <doekit/spdm_keyring.h>
#include "session_int.h"
#include "t.h"

static struct doe_ctx *ctx;
static struct spdm_identity *id;
static struct spdm_rsp_config idcfg;

struct pair {
	_Alignas(16) uint8_t rmem[SPDM_SESSION_CTX_SIZE];
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	struct spdm_sess *req, *rsp;
};

static const uint8_t vca[] = "VCA";

static int establish(struct pair *p, uint16_t aead, enum spdm_binding b)
{
	struct spdm_conn c = {
		.version = 0x12, .hash_algo = SPDM_HASH_SHA384, .asym_algo = SPDM_ASYM_ECDSA_P384,
		.dhe = SPDM_DHE_SECP384R1, .aead = aead,
		.req_flags = 0x40 | 0x80 | 0x200, .rsp_flags = 0x40 | 0x80 | 0x200,
		.opaque_fmt1 = true, .vca = vca, .vca_len = sizeof(vca), .has_chain = true,
		.peer_key = idcfg.signer_priv,
	};
	struct spdm_sess_opts ro = { .binding = b }, so = ro;
	uint8_t a[4096], bb[4096], app[64];
	size_t alen, blen = 0, applen;
	bool asec, bsec = false;
	int rc;

	so.signer = idcfg.signer;
	so.signer_priv = idcfg.signer_priv;
	if (spdm_sess_req_init(p->rmem, sizeof(p->rmem), ctx, &c, &ro, &p->req) ||
	    spdm_sess_rsp_init(p->smem, sizeof(p->smem), ctx, &c, &so, &p->rsp))
		return -1;
	for (int step = 0;; step++) {
		rc = spdm_sess_req_next(p->req, step ? bb : NULL, blen, bsec, a, sizeof(a), &alen, &asec);
		if (rc <= 0)
			return rc;
		if (spdm_sess_rsp_handle(p->rsp, a, alen, asec, bb, sizeof(bb), &blen, &bsec, app,
					 sizeof(app), &applen) < 0)
			return -1;
	}
}

static const EVP_CIPHER *cipher(uint16_t aead)
{
	return aead == SPDM_AEAD_AES_128_GCM ? EVP_aes_128_gcm()
	       : aead == SPDM_AEAD_AES_256_GCM ? EVP_aes_256_gcm()
					       : EVP_chacha20_poly1305();
}

/* The consumer's own record code: exactly what docs/keyring.md says. */
static int consumer_open(const struct spdm_keyring_payload *k, struct spdm_keyring_dir *d,
			 const uint8_t *rec, size_t len, uint8_t *out, size_t *out_len)
{
	size_t hdr = 4 + k->seq_size + 2, body;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[12];
	int n, ok;

	if (len < hdr + 16 || (size_t)(rec[hdr - 2] | rec[hdr - 1] << 8) != len - hdr)
		return -1;
	body = len - hdr - 16;
	memcpy(iv, d->iv, 12);
	for (int i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(d->seq >> (8 * i));
	ok = EVP_DecryptInit_ex2(c, cipher(k->aead), d->key, iv, NULL) &&
	     EVP_DecryptUpdate(c, NULL, &n, rec, (int)hdr) &&
	     EVP_DecryptUpdate(c, out, &n, rec + hdr, (int)body) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(rec + hdr + body)) &&
	     EVP_DecryptFinal_ex(c, out + n, &n);
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return -1;
	*out_len = (size_t)(out[0] | out[1] << 8);
	memmove(out, out + 2, *out_len);
	/* MCTP: the application data starts with the message type (SPDM) */
	if (k->flags & SPDM_KEYRING_MCTP) {
		if (!*out_len || out[0] != 0x05)
			return -1;
		memmove(out, out + 1, --*out_len);
	}
	d->seq++;
	return 0;
}

static int consumer_seal(const struct spdm_keyring_payload *k, struct spdm_keyring_dir *d,
			 const uint8_t *msg, size_t len, uint8_t *rec, size_t *rec_len)
{
	size_t pre = k->flags & SPDM_KEYRING_MCTP ? 1 : 0;
	size_t hdr = 4 + k->seq_size + 2, body = 2 + pre + len;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[12], plain[256];
	int n, ok;

	rec[0] = (uint8_t)k->session_id;
	rec[1] = (uint8_t)(k->session_id >> 8);
	rec[2] = (uint8_t)(k->session_id >> 16);
	rec[3] = (uint8_t)(k->session_id >> 24);
	for (int i = 0; i < k->seq_size; i++)
		rec[4 + i] = (uint8_t)(d->seq >> (8 * i));
	rec[hdr - 2] = (uint8_t)(body + 16);
	rec[hdr - 1] = (uint8_t)((body + 16) >> 8);
	plain[0] = (uint8_t)(len + pre);
	plain[1] = (uint8_t)((len + pre) >> 8);
	plain[2] = 0x05;
	memcpy(plain + 2 + pre, msg, len);
	memcpy(iv, d->iv, 12);
	for (int i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(d->seq >> (8 * i));
	ok = EVP_EncryptInit_ex2(c, cipher(k->aead), d->key, iv, NULL) &&
	     EVP_EncryptUpdate(c, NULL, &n, rec, (int)hdr) &&
	     EVP_EncryptUpdate(c, rec + hdr, &n, plain, (int)body) &&
	     EVP_EncryptFinal_ex(c, rec + hdr + body, &n) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, rec + hdr + body);
	EVP_CIPHER_CTX_free(c);
	*rec_len = hdr + body + 16;
	d->seq++;
	return ok ? 0 : -1;
}

/* The payload through the kernel: a "user" key in the process keyring,
 * read back. Returns 1 when the kernel refused keyrings (skip), 0 done. */
static int through_keyring(const uint8_t *payload, uint8_t *back)
{
	key_serial_t k = add_key("user", "doekit:spdm:test:keyring", payload,
				 SPDM_KEYRING_PAYLOAD_SIZE, KEY_SPEC_PROCESS_KEYRING);
	long n;

	if (k < 0) {
		printf("SKIP keyring round trip: add_key: %s\n", strerror(errno));
		return 1;
	}
	n = keyctl_read(k, (char *)back, SPDM_KEYRING_PAYLOAD_SIZE);
	T_EQ(n, SPDM_KEYRING_PAYLOAD_SIZE);
	T_EQ(keyctl_revoke(k), 0);
	/* revoked: nothing can read it any more */
	T_TRUE(keyctl_read(k, (char *)back + 0, 0) < 0);
	return 0;
}

static void t_consumer(void)
{
	static const uint16_t aeads[] = { SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
					  SPDM_AEAD_CHACHA20_POLY1305 };

	for (size_t i = 0; i < 3; i++) {
		for (int b = 0; b < 2; b++) {
			struct pair p;
			struct spdm_keyring_payload k;
			uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE], back[SPDM_KEYRING_PAYLOAD_SIZE];
			uint8_t rec[512], msg[256], out[512], app[256];
			size_t rlen, mlen, olen, applen;
			bool sec;
			static const uint8_t answer[] = { 0x12, 0x60, 0x00, 0x00, 'o', 'k' };
			static const uint8_t ask[] = { 0x12, 0xE0, 0x00, 0x00 };

			t_case_name = b ? "MCTP binding" : "DOE binding";
			memset(&p, 0, sizeof(p));
			T_EQ(establish(&p, aeads[i], b ? SPDM_BINDING_MCTP : SPDM_BINDING_DOE), 0);
			if (spdm_sess_state(p.req) != SPDM_SESS_ESTABLISHED)
				continue;
			T_EQ(spdm_keyring_export(p.req, ctx, payload), 0);
			memcpy(back, payload, sizeof(back));
			if (b == 0)
				through_keyring(payload, back);
			T_EQ(spdm_keyring_parse(ctx, back, sizeof(back), &k), 0);
			T_EQ(k.session_id, spdm_sess_id(p.req));
			T_EQ(k.aead, aeads[i]);
			/* the responder answers; the consumer reads it */
			T_EQ(spdm_sess_seal(p.rsp, answer, sizeof(answer), rec, sizeof(rec), &rlen), 0);
			T_EQ(consumer_open(&k, &k.rsp, rec, rlen, msg, &mlen), 0);
			T_EQ(mlen, sizeof(answer));
			T_MEMEQ(msg, answer, sizeof(answer));
			/* the consumer asks; the responder accepts */
			T_EQ(consumer_seal(&k, &k.req, ask, sizeof(ask), out, &olen), 0);
			T_EQ(spdm_sess_rsp_handle(p.rsp, out, olen, true, rec, sizeof(rec), &rlen, &sec,
						  app, sizeof(app), &applen), 1);
			T_EQ(applen, sizeof(ask));
			T_MEMEQ(app, ask, sizeof(ask));
			/* a tampered record is refused by the consumer as well */
			T_EQ(spdm_sess_seal(p.rsp, answer, sizeof(answer), rec, sizeof(rec), &rlen), 0);
			rec[rlen - 1] ^= 1;
			T_EQ(consumer_open(&k, &k.rsp, rec, rlen, msg, &mlen), -1);
			spdm_sess_fini(p.req);
			spdm_sess_fini(p.rsp);
		}
	}
}

static void t_parse_refusals(void)
{
	struct pair p;
	struct spdm_keyring_payload k;
	uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE], bad[SPDM_KEYRING_PAYLOAD_SIZE];
	static const struct { const char *name; size_t off; uint8_t val; const char *msg; } c[] = {
		{ "magic", 0, 'X', "magic" },
		{ "layout 2", 4, 2, "layout 2" },
		{ "SPDM 1.0", 5, 0x10, "SPDM version" },
		{ "reserved flag", 7, 0x80, "reserved" },
		{ "AES-128 with a 32-byte key", 12, 1, "AEAD" },
		{ "unknown AEAD", 12, 8, "AEAD" },
		{ "sequence bytes 3", 14, 3, "sequence" },
		{ "IV length 16", 16, 16, "IV length" },
		{ "reserved field", 18, 1, "reserved" },
		/* found by fuzz_spdm_session_msg: both were accepted */
		{ "secured-message version 2.0", 6, 0x20, "secured-message version" },
		{ "secured-message version 0.9", 6, 0x09, "secured-message version" },
	};

	memset(&p, 0, sizeof(p));
	T_EQ(establish(&p, SPDM_AEAD_AES_256_GCM, SPDM_BINDING_DOE), 0);
	T_EQ(spdm_keyring_export(p.req, ctx, payload), 0);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		t_case_name = c[i].name;
		memcpy(bad, payload, sizeof(bad));
		bad[c[i].off] = c[i].val;
		T_EQ(spdm_keyring_parse(ctx, bad, sizeof(bad), &k), -EBADMSG);
		T_CONTAINS(doe_ctx_errmsg(ctx), c[i].msg);
	}
	T_EQ(spdm_keyring_parse(ctx, payload, sizeof(payload) - 1, &k), -EBADMSG);
	/* found by fuzz_spdm_session_msg: a 16-byte key with 16 more bytes
	 * behind it, and padding in a MAC-only session, were accepted */
	t_case_name = "key bytes after a 16-byte key";
	memcpy(bad, payload, sizeof(bad));
	bad[12] = SPDM_AEAD_AES_128_GCM;
	bad[15] = 16;
	T_EQ(spdm_keyring_parse(ctx, bad, sizeof(bad), &k), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "key bytes after");
	memset(bad + 20 + 16, 0, 16);
	memset(bad + 72 + 16, 0, 16);
	T_EQ(spdm_keyring_parse(ctx, bad, sizeof(bad), &k), 0);
	t_case_name = "padding with MAC only";
	bad[7] |= SPDM_KEYRING_MAC_ONLY;
	bad[17] = 32;
	T_EQ(spdm_keyring_parse(ctx, bad, sizeof(bad), &k), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "MAC-only");
	bad[17] = 0;
	T_EQ(spdm_keyring_parse(ctx, bad, sizeof(bad), &k), 0);
	/* not established: nothing to hand over */
	spdm_sess_fini(p.req);
	spdm_sess_fini(p.rsp);
	memset(&p, 0, sizeof(p));
	{
		struct spdm_conn cn = { .version = 0x12, .hash_algo = SPDM_HASH_SHA256,
					.aead = SPDM_AEAD_AES_256_GCM, .req_flags = 0xC80,
					.rsp_flags = 0xC80, .vca = vca, .vca_len = 3 };
		struct spdm_sess_opts o = { .psk = payload, .psk_len = 32 };

		T_EQ(spdm_sess_req_init(p.rmem, sizeof(p.rmem), ctx, &cn, &o, &p.req), 0);
		T_EQ(spdm_keyring_export(p.req, ctx, bad), -ENOTCONN);
		spdm_sess_fini(p.req);
	}
}

/* A session resumed from the payload goes on where the exporter left it:
 * the responder (which never knew) accepts its requests and it opens the
 * answers; afterwards the payload carries the advanced sequence numbers,
 * and what needs the handshake is refused by name. */
static void t_resume(void)
{
	for (int b = 0; b < 2; b++) {
		struct pair p;
		_Alignas(16) uint8_t mem[SPDM_SESSION_CTX_SIZE];
		struct spdm_sess *s = NULL;
		struct spdm_keyring_payload k, k2;
		uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE], rec[512], rsp[512], app[256], msg[256];
		size_t rlen, plen, applen, mlen;
		bool sec;
		static const uint8_t ask[] = { 0x12, 0xFE, 0x00, 0x00, 'i', 'd', 'e' };
		static const uint8_t answer[] = { 0x12, 0x7E, 0x00, 0x00, 'o', 'k' };

		t_case_name = b ? "MCTP binding" : "DOE binding";
		memset(&p, 0, sizeof(p));
		T_EQ(establish(&p, SPDM_AEAD_AES_256_GCM, b ? SPDM_BINDING_MCTP : SPDM_BINDING_DOE), 0);
		if (spdm_sess_state(p.req) != SPDM_SESS_ESTABLISHED)
			continue;
		/* the first process talks once, then hands the session on */
		T_EQ(spdm_sess_seal(p.req, ask, sizeof(ask), rec, sizeof(rec), &rlen), 0);
		T_EQ(spdm_sess_rsp_handle(p.rsp, rec, rlen, true, rsp, sizeof(rsp), &plen, &sec, app,
					  sizeof(app), &applen), 1);
		T_EQ(spdm_sess_seal(p.rsp, answer, sizeof(answer), rsp, sizeof(rsp), &plen), 0);
		T_EQ(spdm_sess_open(p.req, rsp, plen, msg, sizeof(msg), &mlen), 0);
		T_EQ(spdm_keyring_export(p.req, ctx, payload), 0);
		spdm_sess_fini(p.req);
		T_EQ(spdm_keyring_parse(ctx, payload, sizeof(payload), &k), 0);
		T_EQ(k.req.seq, 1u);
		T_EQ(k.rsp.seq, 1u);

		T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &k, &s), 0);
		if (!s)
			goto next;
		T_EQ(spdm_sess_state(s), SPDM_SESS_ESTABLISHED);
		T_EQ(spdm_sess_id(s), k.session_id);
		for (int i = 0; i < 3; i++) {
			T_EQ(spdm_sess_seal(s, ask, sizeof(ask), rec, sizeof(rec), &rlen), 0);
			T_EQ(spdm_sess_rsp_handle(p.rsp, rec, rlen, true, rsp, sizeof(rsp), &plen,
						  &sec, app, sizeof(app), &applen), 1);
			T_EQ(applen, sizeof(ask));
			T_MEMEQ(app, ask, sizeof(ask));
			T_EQ(spdm_sess_seal(p.rsp, answer, sizeof(answer), rsp, sizeof(rsp), &plen), 0);
			T_EQ(spdm_sess_open(s, rsp, plen, msg, sizeof(msg), &mlen), 0);
			T_EQ(mlen, sizeof(answer));
		}
		/* the hand-off's next holder starts after these */
		T_EQ(spdm_keyring_export(s, ctx, payload), 0);
		T_EQ(spdm_keyring_parse(ctx, payload, sizeof(payload), &k2), 0);
		T_EQ(k2.req.seq, 4u);
		T_EQ(k2.rsp.seq, 4u);
		T_EQ(k2.session_id, k.session_id);
		T_EQ(k2.flags, k.flags);
		T_EQ(k2.seq_size, k.seq_size);
		T_EQ(k2.max_pad, k.max_pad);
		T_EQ(k2.sm_version, k.sm_version);
		T_MEMEQ(k2.req.key, k.req.key, sizeof(k.req.key));
		/* no secrets, no CAPABILITIES: no KEY_UPDATE, no HEARTBEAT */
		T_EQ(spdm_sess_req_key_update(s, SPDM_KEY_UPDATE_KEY, rec, sizeof(rec), &rlen),
		     -EOPNOTSUPP);
		T_CONTAINS(doe_ctx_errmsg(ctx), "secrets");
		T_EQ(spdm_sess_req_heartbeat(s, rec, sizeof(rec), &rlen), -EOPNOTSUPP);
		T_CONTAINS(doe_ctx_errmsg(ctx), "HBEAT_CAP");
		T_EQ(spdm_sess_state(s), SPDM_SESS_ESTABLISHED);
		/* END_SESSION works and the responder ends too */
		T_EQ(spdm_sess_req_end(s, rec, sizeof(rec), &rlen), 0);
		T_EQ(spdm_sess_rsp_handle(p.rsp, rec, rlen, true, rsp, sizeof(rsp), &plen, &sec, app,
					  sizeof(app), &applen), 0);
		T_EQ(spdm_sess_req_ack(s, rsp, plen, rec, sizeof(rec), &rlen), 0);
		T_EQ(spdm_sess_state(s), SPDM_SESS_ENDED);
		T_EQ(spdm_sess_state(p.rsp), SPDM_SESS_ENDED);
		spdm_sess_fini(s);
next:
		spdm_sess_fini(p.rsp);
	}
}

/* A session resumed from k sends one request; p's responder cannot take
 * it and ends its session. */
static void resumed_refused(struct pair *p, const struct spdm_keyring_payload *k)
{
	_Alignas(16) uint8_t mem[SPDM_SESSION_CTX_SIZE];
	static const uint8_t ask[] = { 0x12, 0xFE, 0x00, 0x00 };
	uint8_t rec[512], rsp[512], app[256];
	size_t rlen, plen, applen;
	struct spdm_sess *s = NULL;
	bool sec;

	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, k, &s), 0);
	if (!s)
		return;
	T_EQ(spdm_sess_seal(s, ask, sizeof(ask), rec, sizeof(rec), &rlen), 0);
	T_TRUE(spdm_sess_rsp_handle(p->rsp, rec, rlen, true, rsp, sizeof(rsp), &plen, &sec, app,
				    sizeof(app), &applen) < 0);
	T_EQ(spdm_sess_state(p->rsp), SPDM_SESS_FAILED);
	spdm_sess_fini(s);
}

/* A stale payload (sequence numbers already used) or a wrong key is
 * caught by the responder, which ends the session; a payload that does not
 * fit a binding or an AEAD is refused before anything is sent. */
static void t_resume_refusals(void)
{
	struct pair p;
	_Alignas(16) uint8_t mem[SPDM_SESSION_CTX_SIZE];
	struct spdm_sess *s = NULL;
	struct spdm_keyring_payload k, bad;
	uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE], rec[512], rsp[512], app[256];
	size_t rlen, plen, applen;
	bool sec;
	static const uint8_t ask[] = { 0x12, 0xFE, 0x00, 0x00 };

	memset(&p, 0, sizeof(p));
	T_EQ(establish(&p, SPDM_AEAD_AES_128_GCM, SPDM_BINDING_DOE), 0);
	if (spdm_sess_state(p.req) != SPDM_SESS_ESTABLISHED)
		return;
	T_EQ(spdm_keyring_export(p.req, ctx, payload), 0);
	T_EQ(spdm_keyring_parse(ctx, payload, sizeof(payload), &k), 0);

	/* refused before use: framing of another binding, AEAD/key length
	 * mismatch, no session ID, memory too small */
	bad = k;
	bad.seq_size = 2;
	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &bad, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "PCIe DOE");
	bad = k;
	bad.flags |= SPDM_KEYRING_MCTP;
	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &bad, &s), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(ctx), "MCTP");
	bad = k;
	bad.key_len = 32;
	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &bad, &s), -EINVAL);
	bad = k;
	bad.spdm_version = 0x10;
	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &bad, &s), -EINVAL);
	bad = k;
	bad.session_id = 0;
	T_EQ(spdm_sess_req_resume(mem, sizeof(mem), ctx, &bad, &s), -EINVAL);
	T_EQ(spdm_sess_req_resume(mem, 16, ctx, &k, &s), -EINVAL);
	T_TRUE(s == NULL);

	/* a wrong key: the responder cannot open it and ends the session */
	bad = k;
	bad.req.key[0] ^= 1;
	resumed_refused(&p, &bad);
	spdm_sess_fini(p.req);
	spdm_sess_fini(p.rsp);

	/* a stale payload: its first sequence number was used already */
	memset(&p, 0, sizeof(p));
	T_EQ(establish(&p, SPDM_AEAD_AES_128_GCM, SPDM_BINDING_DOE), 0);
	T_EQ(spdm_keyring_export(p.req, ctx, payload), 0);
	T_EQ(spdm_keyring_parse(ctx, payload, sizeof(payload), &k), 0);
	T_EQ(spdm_sess_seal(p.req, ask, sizeof(ask), rec, sizeof(rec), &rlen), 0);
	T_EQ(spdm_sess_rsp_handle(p.rsp, rec, rlen, true, rsp, sizeof(rsp), &plen, &sec, app,
				  sizeof(app), &applen), 1);
	resumed_refused(&p, &k);
	spdm_sess_fini(p.req);
	spdm_sess_fini(p.rsp);
}

int main(void)
{
	if (doe_ctx_new(&ctx) || spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P384, NULL, &id))
		return 1;
	spdm_rsp_config_init(&idcfg);
	spdm_identity_apply(id, &idcfg);
	T_RUN(t_consumer);
	T_RUN(t_parse_refusals);
	T_RUN(t_resume);
	T_RUN(t_resume_refusals);
	spdm_identity_free(id);
	doe_ctx_free(ctx);
	return T_DONE();
}
