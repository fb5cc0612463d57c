// SPDX-License-Identifier: MIT
/*
 * Session building blocks: ephemeral DH (src/spdm/dhe.c) and the codec of
 * the session messages and opaque data (src/spdm/msg_session.c), against
 * hand-built bytes (DSP0274 1.1-1.3 §10.12-§10.20, DSP0277 §8).
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/bn.h>

#include <doekit/doekit.h>
#include "session_int.h"
#include "t.h"

static struct doe_ctx *ctx;

static void t_dhe_agree(void)
{
	static const uint16_t groups[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1,
					   SPDM_DHE_SECP521R1, SPDM_DHE_FFDHE2048 };
	static const size_t sizes[] = { 64, 96, 132, 256 }, secrets[] = { 32, 48, 66, 256 };

	for (size_t i = 0; i < 4; i++) {
		uint8_t pa[SPDM_DHE_MAX_SIZE], pb[SPDM_DHE_MAX_SIZE];
		uint8_t sa[SPDM_DHE_MAX_SIZE], sb[SPDM_DHE_MAX_SIZE];
		EVP_PKEY *a, *b;
		size_t la = 0, lb = 0;

		t_case_name = spdm_dhe_name(groups[i]);
		T_EQ(spdm_dhe_size(groups[i]), sizes[i]);
		T_EQ(spdm_dhe_keygen(ctx, groups[i], &a, pa), 0);
		T_EQ(spdm_dhe_keygen(ctx, groups[i], &b, pb), 0);
		T_EQ(spdm_dhe_derive(ctx, groups[i], a, pb, sa, &la), 0);
		T_EQ(spdm_dhe_derive(ctx, groups[i], b, pa, sb, &lb), 0);
		T_EQ(la, secrets[i]);
		T_EQ(lb, la);
		T_MEMEQ(sa, sb, la);
		/* an EC secret is the X coordinate of the shared point: for the
		 * peer's own public value, the derive gives a different X */
		if (i < 3) {
			/* a point not on the curve: Y changed */
			pb[sizes[i] - 1] ^= 1;
			T_EQ(spdm_dhe_derive(ctx, groups[i], a, pb, sa, &la), -EBADMSG);
			T_CONTAINS(doe_ctx_errmsg(ctx), "not a valid public key");
			memset(pb, 0, sizes[i]);	/* the point at infinity */
			T_EQ(spdm_dhe_derive(ctx, groups[i], a, pb, sa, &la), -EBADMSG);
		}
		EVP_PKEY_free(a);
		EVP_PKEY_free(b);
	}
}

/* FFDHE public values outside 1 < y < p-1, or outside the subgroup */
static void t_dhe_ffdhe_bad_values(void)
{
	uint8_t pub[256], peer[256], s[SPDM_DHE_MAX_SIZE];
	EVP_PKEY *k;
	size_t l;

	T_EQ(spdm_dhe_keygen(ctx, SPDM_DHE_FFDHE2048, &k, pub), 0);
	memset(peer, 0, sizeof(peer));
	T_EQ(spdm_dhe_derive(ctx, SPDM_DHE_FFDHE2048, k, peer, s, &l), -EBADMSG);
	peer[255] = 1;
	T_EQ(spdm_dhe_derive(ctx, SPDM_DHE_FFDHE2048, k, peer, s, &l), -EBADMSG);
	memset(peer, 0xff, sizeof(peer));	/* > p */
	T_EQ(spdm_dhe_derive(ctx, SPDM_DHE_FFDHE2048, k, peer, s, &l), -EBADMSG);
	EVP_PKEY_free(k);
	T_EQ(spdm_dhe_keygen(ctx, 0x40, &k, pub), -EINVAL);	/* SM2: not ours */
	T_TRUE(k == NULL);
	T_EQ(spdm_dhe_size(0x40), 0);
}

static const struct spdm_neg N12 = { .version = 0x12, .hash_size = 48, .sig_size = 96, .align = 1 };

static void t_key_exchange_codec(void)
{
	struct spdm_sess_neg s = { .dhe = SPDM_DHE_SECP384R1 };
	struct spdm_key_exchange k = { .hash_type = 1, .slot = 2, .session_id = 0xBEEF,
				       .session_policy = 1, .opaque_len = 4 };
	uint8_t ex[96], buf[256], opaque[4] = { 1, 2, 3, 4 };
	struct spdm_key_exchange got;
	struct doe_wr w;
	size_t len;

	memset(ex, 0xE5, sizeof(ex));
	memset(k.random, 0x52, sizeof(k.random));
	k.exchange = ex;
	k.opaque = opaque;
	doe_wr_init(&w, buf, sizeof(buf));
	T_EQ(spdm_enc_key_exchange(&w, 0x12, &k, sizeof(ex)), 0);
	len = doe_wr_len(&w);
	T_EQ(len, 4 + 4 + 32 + 96 + 2 + 4);
	/* hand check: header, ReqSessionID LE, SessionPolicy, reserved */
	T_EQ(buf[0], 0x12);
	T_EQ(buf[1], 0xE4);
	T_EQ(buf[2], 1);
	T_EQ(buf[3], 2);
	T_EQ(buf[4], 0xEF);
	T_EQ(buf[5], 0xBE);
	T_EQ(buf[6], 1);
	T_EQ(buf[7], 0);
	T_EQ(buf[8 + 32 + 96], 4);	/* OpaqueDataLength */
	T_EQ(spdm_parse_key_exchange(ctx, &N12, &s, buf, len, &got), (int)len);
	T_EQ(got.session_id, 0xBEEF);
	T_EQ(got.session_policy, 1);
	T_MEMEQ(got.exchange, ex, sizeof(ex));
	T_MEMEQ(got.opaque, opaque, 4);
	/* truncated anywhere, or one byte too many */
	for (size_t cut = 0; cut < len; cut++)
		T_TRUE(spdm_parse_key_exchange(ctx, &N12, &s, buf, cut, &got) < 0);
	T_EQ(spdm_parse_key_exchange(ctx, &N12, &s, buf, len + 1, &got), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "trailing");
	/* the ExchangeData size follows the negotiated group */
	s.dhe = SPDM_DHE_SECP256R1;
	T_TRUE(spdm_parse_key_exchange(ctx, &N12, &s, buf, len, &got) < 0);
	s.dhe = SPDM_DHE_SECP384R1;
	buf[3] = 8;	/* SlotID 8 */
	T_EQ(spdm_parse_key_exchange(ctx, &N12, &s, buf, len, &got), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "SlotID");
	buf[3] = 2;
	buf[2] = 2;	/* HashType 2 is reserved */
	T_EQ(spdm_parse_key_exchange(ctx, &N12, &s, buf, len, &got), -EBADMSG);
	buf[2] = 1;
	buf[8 + 32 + 96] = 5;	/* OpaqueDataLength beyond the message */
	T_EQ(spdm_parse_key_exchange(ctx, &N12, &s, buf, len, &got), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "OpaqueData");
}

static void t_key_exchange_rsp_codec(void)
{
	struct spdm_sess_neg s = { .dhe = SPDM_DHE_SECP256R1, .summary_hash = true };
	struct spdm_key_exchange_rsp k = { .heartbeat_period = 5, .session_id = 0x1234,
					   .mut_auth = 0 };
	uint8_t ex[64], hash[48], buf[512];
	struct spdm_key_exchange_rsp got;
	struct doe_wr w;
	size_t head, len;

	memset(ex, 0x11, sizeof(ex));
	memset(hash, 0x22, sizeof(hash));
	k.exchange = ex;
	k.summary_hash = hash;
	doe_wr_init(&w, buf, sizeof(buf));
	T_EQ(spdm_enc_key_exchange_rsp_head(&w, 0x12, &k, sizeof(ex), sizeof(hash)), 0);
	head = doe_wr_len(&w);
	T_EQ(head, 4 + 4 + 32 + 64 + 48 + 2);
	memset(buf + head, 0x5A, 96);		/* signature */
	memset(buf + head + 96, 0xA5, 48);	/* ResponderVerifyData */
	len = head + 96 + 48;
	T_EQ(spdm_parse_key_exchange_rsp(ctx, &N12, &s, buf, len, &got), (int)len);
	T_EQ(got.heartbeat_period, 5);
	T_EQ(got.session_id, 0x1234);
	T_EQ(got.signed_len, head);
	T_EQ(got.verify_off, head + 96);
	T_TRUE(got.verify_data == buf + head + 96);
	/* in the clear there is no ResponderVerifyData: 48 bytes too many */
	s.in_the_clear = true;
	T_EQ(spdm_parse_key_exchange_rsp(ctx, &N12, &s, buf, len, &got), -EBADMSG);
	T_EQ(spdm_parse_key_exchange_rsp(ctx, &N12, &s, buf, len - 48, &got), (int)(len - 48));
	T_TRUE(got.verify_data == NULL);
	s.in_the_clear = false;
	/* without a requested summary hash the layout shifts */
	s.summary_hash = false;
	T_EQ(spdm_parse_key_exchange_rsp(ctx, &N12, &s, buf, len, &got), -EBADMSG);
	s.summary_hash = true;
	/* MutAuthRequested: one of 1, 2, 4 */
	for (uint8_t m = 0; m < 8; m++) {
		buf[6] = m;
		T_EQ(spdm_parse_key_exchange_rsp(ctx, &N12, &s, buf, len, &got),
		     m == 3 || m >= 5 ? -EBADMSG : (int)len);
	}
}

static void t_finish_codec(void)
{
	struct spdm_sess_neg s = { 0 };
	uint8_t buf[4 + 96 + 48] = { 0x12, 0xE5, 0x00, 0x00 };
	const uint8_t *vd;
	struct spdm_finish f;

	T_EQ(spdm_parse_finish(ctx, &N12, buf, 4 + 48, &f), 4 + 48);
	T_TRUE(f.sig == NULL);
	T_EQ(f.verify_off, 4);
	buf[2] = 1;	/* signature included */
	T_EQ(spdm_parse_finish(ctx, &N12, buf, sizeof(buf), &f), (int)sizeof(buf));
	T_TRUE(f.sig == buf + 4);
	T_EQ(f.verify_off, 100);
	T_TRUE(spdm_parse_finish(ctx, &N12, buf, sizeof(buf) - 1, &f) < 0);
	buf[2] = 2;
	T_EQ(spdm_parse_finish(ctx, &N12, buf, sizeof(buf), &f), -EBADMSG);
	/* PSK_FINISH is not FINISH: code checked (CVE-2023-31127 class) */
	buf[1] = 0xE7;
	buf[2] = 0;
	T_EQ(spdm_parse_finish(ctx, &N12, buf, 4 + 48, &f), -EPROTO);
	T_EQ(spdm_parse_psk_finish(ctx, &N12, buf, 4 + 48, &vd), 4 + 48);
	buf[1] = 0x65;
	T_EQ(spdm_parse_finish_rsp(ctx, &N12, &s, buf, 4, &vd), 4);
	T_TRUE(vd == NULL);
	T_EQ(spdm_parse_finish_rsp(ctx, &N12, &s, buf, 4 + 48, &vd), -EBADMSG);
	s.in_the_clear = true;
	T_EQ(spdm_parse_finish_rsp(ctx, &N12, &s, buf, 4 + 48, &vd), 4 + 48);
	T_TRUE(vd == buf + 4);
}

static void t_psk_codec(void)
{
	struct spdm_sess_neg s = { .summary_hash = false };
	uint8_t hint[5] = "hint!", rctx[48], opaque[8] = { 0 }, buf[512];
	struct spdm_psk_exchange p = { .hash_type = 0, .session_policy = 0, .session_id = 0xFFFE,
				       .hint_len = 5, .context_len = 48, .opaque_len = 8 },
				 got;
	struct spdm_psk_exchange_rsp r = { .session_id = 0x77, .context_len = 48 }, rgot;
	struct doe_wr w;
	size_t len;

	memset(rctx, 0xC7, sizeof(rctx));
	p.hint = hint;
	p.context = rctx;
	p.opaque = opaque;
	doe_wr_init(&w, buf, sizeof(buf));
	T_EQ(spdm_enc_psk_exchange(&w, 0x12, &p), 0);
	len = doe_wr_len(&w);
	T_EQ(len, 12 + 5 + 48 + 8);
	T_EQ(buf[6], 5);	/* PSKHintLength */
	T_EQ(spdm_parse_psk_exchange(ctx, &N12, buf, len, &got), (int)len);
	T_MEMEQ(got.hint, "hint!", 5);
	T_EQ(got.context_len, 48);
	/* RequesterContext shorter than the hash: not a nonce */
	buf[8] = 47;
	T_EQ(spdm_parse_psk_exchange(ctx, &N12, buf, len - 1, &got), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "RequesterContextLength 47");
	buf[8] = 48;
	buf[6] = 200;	/* PSKHintLength past the end */
	T_EQ(spdm_parse_psk_exchange(ctx, &N12, buf, len, &got), -EBADMSG);

	r.context = rctx;
	doe_wr_init(&w, buf, sizeof(buf));
	T_EQ(spdm_enc_psk_exchange_rsp_head(&w, 0x12, &r, 48), 0);
	len = doe_wr_len(&w);
	memset(buf + len, 0x99, 48);
	T_EQ(spdm_parse_psk_exchange_rsp(ctx, &N12, &s, buf, len + 48, &rgot), (int)(len + 48));
	T_EQ(rgot.session_id, 0x77);
	T_EQ(rgot.verify_off, len);
	T_TRUE(spdm_parse_psk_exchange_rsp(ctx, &N12, &s, buf, len + 47, &rgot) < 0);
}

static void t_bare(void)
{
	uint8_t buf[8];
	struct doe_wr w;
	uint8_t p1, p2;

	doe_wr_init(&w, buf, sizeof(buf));
	T_EQ(spdm_enc_bare(&w, 0x12, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_ALL_KEYS, 0x3C), 0);
	T_EQ(doe_wr_len(&w), 4);
	T_EQ(spdm_parse_bare(ctx, &N12, SPDM_KEY_UPDATE, buf, 4, &p1, &p2), 4);
	T_EQ(p1, 2);
	T_EQ(p2, 0x3C);
	T_EQ(spdm_parse_bare(ctx, &N12, SPDM_KEY_UPDATE_ACK, buf, 4, &p1, &p2), -EPROTO);
	T_EQ(spdm_parse_bare(ctx, &N12, SPDM_KEY_UPDATE, buf, 5, &p1, &p2), -EBADMSG);
	T_EQ(spdm_parse_bare(ctx, &N12, SPDM_KEY_UPDATE, buf, 3, &p1, &p2), -EBADMSG);
	buf[0] = 0x11;
	T_EQ(spdm_parse_bare(ctx, &N12, SPDM_KEY_UPDATE, buf, 4, &p1, &p2), -EPROTO);
}

static void t_opaque(void)
{
	static const uint16_t vers[] = { SPDM_SM_VERSION_10, SPDM_SM_VERSION_11 };
	/* OpaqueDataFmt1: TotalElements 1, reserved; element: DMTF, no vendor,
	 * length 7, SMDataVersion 1, SupportedVersion, count 2, 1.0, 1.1, pad 1 */
	static const uint8_t fmt1[] = { 1, 0, 0, 0, 0, 0, 7, 0, 1, 1, 2, 0x00, 0x10, 0x00, 0x11, 0 };
	/* 1.0/1.1 spec-ID header "DMTF", selection of 1.1 */
	static const uint8_t spec[] = { 0x46, 0x54, 0x4D, 0x44, 1, 1, 0, 0,
					0, 0, 4, 0, 1, 0, 0x00, 0x11 };
	uint8_t buf[64], odd[64];
	uint16_t got[8], sel;
	unsigned n;
	struct doe_wr w;

	doe_wr_init(&w, buf, sizeof(buf));
	T_EQ(spdm_enc_opaque_versions(&w, true, vers, 2), 0);
	T_EQ(doe_wr_len(&w), sizeof(fmt1));
	T_MEMEQ(buf, fmt1, sizeof(fmt1));
	T_EQ(spdm_parse_opaque_versions(ctx, true, fmt1, sizeof(fmt1), got, &n), 0);
	T_EQ(n, 2);
	T_EQ(got[1], SPDM_SM_VERSION_11);
	doe_wr_init(&w, buf, sizeof(buf));
	T_EQ(spdm_enc_opaque_selection(&w, false, SPDM_SM_VERSION_11), 0);
	T_EQ(doe_wr_len(&w), sizeof(spec));
	T_MEMEQ(buf, spec, sizeof(spec));
	T_EQ(spdm_parse_opaque_selection(ctx, false, spec, sizeof(spec), &sel), 0);
	T_EQ(sel, SPDM_SM_VERSION_11);
	/* the wrong format, a selection where versions are wanted, truncation */
	T_TRUE(spdm_parse_opaque_selection(ctx, true, spec, sizeof(spec), &sel) < 0);
	T_EQ(spdm_parse_opaque_versions(ctx, false, spec, sizeof(spec), got, &n), -ENOENT);
	for (size_t cut = 0; cut < sizeof(fmt1) - 1; cut++)
		T_TRUE(spdm_parse_opaque_versions(ctx, true, fmt1, cut, got, &n) < 0);
	/* a vendor element before ours is skipped */
	memcpy(odd, (const uint8_t[]){ 2, 0, 0, 0, 3, 2, 0xAB, 0xCD, 1, 0, 0x77, 0 }, 12);
	memcpy(odd + 12, fmt1 + 4, sizeof(fmt1) - 4);
	T_EQ(spdm_parse_opaque_versions(ctx, true, odd, 12 + sizeof(fmt1) - 4, got, &n), 0);
	T_EQ(n, 2);
	/* a count that overruns its element */
	memcpy(buf, fmt1, sizeof(fmt1));
	buf[10] = 5;
	T_EQ(spdm_parse_opaque_versions(ctx, true, buf, sizeof(fmt1), got, &n), -EBADMSG);
	buf[10] = 0;
	T_EQ(spdm_parse_opaque_versions(ctx, true, buf, sizeof(fmt1), got, &n), -EBADMSG);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_dhe_agree);
	T_RUN(t_dhe_ffdhe_bad_values);
	T_RUN(t_key_exchange_codec);
	T_RUN(t_key_exchange_rsp_codec);
	T_RUN(t_finish_codec);
	T_RUN(t_psk_codec);
	T_RUN(t_bare);
	T_RUN(t_opaque);
	doe_ctx_free(ctx);
	return T_DONE();
}
