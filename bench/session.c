// SPDX-License-Identifier: MIT
/*
 * Session benchmark (issue 9 §11), two parts, each set against a baseline
 * of raw OpenSSL calls timed in the same run, run by run interleaved:
 *
 * 1. Session setup: KEY_EXCHANGE + FINISH with our requester and responder
 *    sessions in one process, messages handed over in memory (no
 *    transport), SPDM 1.2, AES-256-GCM, encrypted handshake. The floor is
 *    what such a handshake cannot avoid, done with EVP directly:
 *      ECDH: a key pair on each side and the shared secret on each side
 *            (the peer's EVP_PKEY used as it is: no encoding, import or
 *            validation of the peer's point);
 *      ECDSA: one signature (KEY_EXCHANGE_RSP) and one verification, over
 *            a digest;
 *      key schedule: on each side 2 HKDF-Extract and 16 HKDF-Expand (one
 *            EVP_KDF fetched once, one EVP_KDF_CTX per side and phase),
 *            and the 4 HMACs of the two verify data (made and checked).
 *    Also sessions per second, and libcrypto's heap use per session (the
 *    library itself allocates nothing: the sessions live in caller memory),
 *    counted with CRYPTO_set_mem_functions() in this binary only.
 *
 * 2. Secured messages: spdm_sess_seal() on the requester and
 *    spdm_sess_open() on the responder (DOE binding: no sequence number on
 *    the wire, no padding) of 64 B, 1 KiB and 16 KiB of application data,
 *    against EVP AES-256-GCM encryption and decryption of the same sizes
 *    with the same 6-byte AAD, one EVP_CIPHER_CTX per direction keyed once
 *    and a new IV per message.
 *
 * Subject and baseline alternate within each run (one session and one
 * floor; blocks of BLOCK messages), so load from other processes falls on
 * both alike. Times are medians of RUNS runs; the ratios are of those
 * medians, and the spread of the per-run ratios is printed as the noise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <doekit/ctx.h>
#include <doekit/spdm.h>
#include <doekit/spdm_session.h>
#include "session_int.h"	/* sizeof(struct spdm_sess) only */

#define RUNS 9
#define SETUP_ITERS 20
#define BLOCK 8		/* secured messages timed together */

#include "bench.h"

/* ---- heap counting (this binary only) --------------------------------- */

/* Every libcrypto allocation gets a 16-byte header holding its size. */
#define HDR 16u

static struct {
	size_t calls;	/* malloc + realloc */
	size_t bytes;	/* requested, cumulative */
	size_t live, peak;
} heap;

static void heap_add(size_t n)
{
	heap.live += n;
	if (heap.live > heap.peak)
		heap.peak = heap.live;
}

static void *heap_malloc(size_t n, const char *file, int line)
{
	uint8_t *p = malloc(n + HDR);

	(void)file, (void)line;
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	heap.calls++;
	heap.bytes += n;
	heap_add(n);
	return p + HDR;
}

static void heap_free(void *q, const char *file, int line)
{
	uint8_t *p = q;
	size_t n;

	(void)file, (void)line;
	if (!p)
		return;
	memcpy(&n, p - HDR, sizeof(n));
	heap.live -= n;
	free(p - HDR);
}

static void *heap_realloc(void *q, size_t n, const char *file, int line)
{
	uint8_t *p;
	size_t old;

	if (!q)
		return heap_malloc(n, file, line);
	memcpy(&old, (uint8_t *)q - HDR, sizeof(old));
	p = realloc((uint8_t *)q - HDR, n + HDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	heap.calls++;
	heap.bytes += n;
	heap.live -= old;
	heap_add(n);
	return p + HDR;
}

/* ---- our sessions ----------------------------------------------------- */

#define CAPS (SPDM_CAP_CERT | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX)

static const uint8_t vca[] = "GET_VERSION .. ALGORITHMS, as both sides exchanged them";
static _Alignas(16) uint8_t req_mem[SPDM_SESSION_CTX_SIZE];
static _Alignas(16) uint8_t rsp_mem[SPDM_SESSION_CTX_SIZE];

struct setup_case {
	const char *name, *curve, *md;
	uint32_t asym, hash;
	uint16_t dhe;
};

struct pair {
	struct spdm_conn conn;
	struct spdm_sess_opts ro, so;
	struct spdm_sess *req, *rsp;
};

static int pair_conn(struct doe_ctx *ctx, struct spdm_identity *id, const struct setup_case *c,
		     struct pair *p)
{
	struct spdm_rsp_config cfg;
	size_t certs_len;
	const uint8_t *certs = spdm_identity_certs(id, &certs_len);

	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	memset(p, 0, sizeof(*p));
	p->conn = (struct spdm_conn){
		.version = 0x12,
		.hash_algo = c->hash,
		.asym_algo = c->asym,
		.dhe = c->dhe,
		.aead = SPDM_AEAD_AES_256_GCM,
		.req_flags = CAPS,
		.rsp_flags = CAPS,
		.opaque_fmt1 = true,
		.vca = vca,
		.vca_len = sizeof(vca),
		.has_chain = true,
		.peer_key = cfg.signer_priv,	/* the leaf key; its public half verifies */
	};
	/* stands in for the hash of the chain as CERTIFICATE delivers it */
	(void)ctx;
	if (EVP_Digest(certs, certs_len, p->conn.chain_hash, NULL,
		       EVP_get_digestbyname(c->md), NULL) != 1)
		return -EIO;
	p->so.signer = cfg.signer;
	p->so.signer_priv = cfg.signer_priv;
	return 0;
}

/* KEY_EXCHANGE .. FINISH_RSP, messages handed over in memory. */
static int handshake(struct doe_ctx *ctx, struct pair *p)
{
	uint8_t a[4096], b[4096], app[64];
	size_t alen = 0, blen = 0, applen;
	bool asec = false, bsec = false;
	int rc, step = 0;

	if ((rc = spdm_sess_req_init(req_mem, sizeof(req_mem), ctx, &p->conn, &p->ro, &p->req)) ||
	    (rc = spdm_sess_rsp_init(rsp_mem, sizeof(rsp_mem), ctx, &p->conn, &p->so, &p->rsp)))
		return rc;
	for (;;) {
		rc = spdm_sess_req_next(p->req, step ? b : NULL, blen, bsec, a, sizeof(a), &alen,
					&asec);
		if (rc <= 0)
			break;
		rc = spdm_sess_rsp_handle(p->rsp, a, alen, asec, b, sizeof(b), &blen, &bsec, app,
					  sizeof(app), &applen);
		if (rc)
			break;
		step++;
	}
	if (rc == 0 && (spdm_sess_state(p->req) != SPDM_SESS_ESTABLISHED ||
			spdm_sess_state(p->rsp) != SPDM_SESS_ESTABLISHED))
		rc = -EPROTO;
	return rc < 0 ? rc : 0;
}

static void pair_fini(struct pair *p)
{
	spdm_sess_fini(p->req);
	spdm_sess_fini(p->rsp);
	p->req = p->rsp = NULL;
}

/* ---- the floor: raw OpenSSL ------------------------------------------- */

struct floor {
	const struct setup_case *c;
	EVP_PKEY *leaf;
	EVP_KDF *kdf;
	EVP_MAC *mac;
	size_t h;
	uint8_t th[64];		/* stands in for a transcript hash */
};

static EVP_PKEY *ecdh_keygen(const char *curve)
{
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;

	if (!pc || EVP_PKEY_keygen_init(pc) != 1 || EVP_PKEY_CTX_set_params(pc, params) != 1 ||
	    EVP_PKEY_generate(pc, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(pc);
	return k;
}

static int ecdh_derive(EVP_PKEY *ours, EVP_PKEY *peer, uint8_t *secret, size_t *len)
{
	EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL);
	int ok = dc && EVP_PKEY_derive_init(dc) == 1 &&
		 EVP_PKEY_derive_set_peer_ex(dc, peer, 0) == 1 &&
		 EVP_PKEY_derive(dc, secret, len) == 1;

	EVP_PKEY_CTX_free(dc);
	return ok ? 0 : -EIO;
}

static int ecdsa(EVP_PKEY *k, bool sign, const uint8_t *dgst, size_t dlen, uint8_t *sig,
		 size_t *sig_len)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	int ok = pc && (sign ? EVP_PKEY_sign_init(pc) == 1 &&
				       EVP_PKEY_sign(pc, sig, sig_len, dgst, dlen) == 1
			     : EVP_PKEY_verify_init(pc) == 1 &&
				       EVP_PKEY_verify(pc, sig, *sig_len, dgst, dlen) == 1);

	EVP_PKEY_CTX_free(pc);
	return ok ? 0 : -EIO;
}

static int kdf_run(EVP_KDF_CTX *kc, int mode, const uint8_t *key, size_t key_len,
		   const uint8_t *salt, size_t salt_len, uint8_t *out, size_t out_len)
{
	static const uint8_t info[] = "\x20\x00spdm1.2 req hs data0123456789abcdef0123456789abcdef";
	OSSL_PARAM params[5], *p = params;

	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	else
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
							 sizeof(info) - 1);
	*p = OSSL_PARAM_construct_end();
	return EVP_KDF_derive(kc, out, out_len, params) == 1 ? 0 : -EIO;
}

/* One side's key schedule: handshake phase then data phase, 18 HKDF
 * operations in two contexts, like DSP0274's schedule. */
static int floor_schedule(struct floor *f, const uint8_t *shared, size_t shared_len)
{
	OSSL_PARAM md[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)f->c->md, 0),
		OSSL_PARAM_END,
	};
	uint8_t salt[64] = { 0 }, sec[64], out[64];
	int rc = 0;

	for (int phase = 0; phase < 2 && !rc; phase++) {
		EVP_KDF_CTX *kc = EVP_KDF_CTX_new(f->kdf);

		if (!kc || EVP_KDF_CTX_set_params(kc, md) != 1) {
			EVP_KDF_CTX_free(kc);
			return -EIO;
		}
		/* handshake: extract + 8 expands; data: 1 expand, extract, 7 expands */
		rc = kdf_run(kc, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, phase ? salt : shared,
			     phase ? f->h : shared_len, salt, f->h, sec, f->h);
		for (int i = 0; i < 8 && !rc; i++)
			rc = kdf_run(kc, EVP_KDF_HKDF_MODE_EXPAND_ONLY, sec, f->h, NULL, 0, out,
				     i % 4 == 3 ? 12 : f->h);
		EVP_KDF_CTX_free(kc);
	}
	OPENSSL_cleanse(sec, sizeof(sec));
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

static int floor_hmac(struct floor *f, uint8_t *out)
{
	OSSL_PARAM md[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)f->c->md, 0),
		OSSL_PARAM_END,
	};
	EVP_MAC_CTX *mc = EVP_MAC_CTX_new(f->mac);
	size_t n = 0;
	int ok = mc && EVP_MAC_init(mc, f->th, f->h, md) == 1 &&
		 EVP_MAC_update(mc, f->th, f->h) == 1 && EVP_MAC_final(mc, out, &n, 64) == 1;

	EVP_MAC_CTX_free(mc);
	return ok ? 0 : -EIO;
}

static int floor_once(struct floor *f)
{
	EVP_PKEY *a = ecdh_keygen(f->c->curve), *b = ecdh_keygen(f->c->curve);
	uint8_t sa[66], sb[66], sig[160], mac[64];
	size_t la = sizeof(sa), lb = sizeof(sb), sl = sizeof(sig);
	int rc = a && b ? 0 : -EIO;

	if (!rc)
		rc = ecdh_derive(b, a, sb, &lb);	/* responder */
	if (!rc)
		rc = ecdsa(f->leaf, true, f->th, f->h, sig, &sl);
	if (!rc)
		rc = floor_schedule(f, sb, lb);
	if (!rc)
		rc = floor_hmac(f, mac);	/* ResponderVerifyData */
	if (!rc)
		rc = ecdsa(f->leaf, false, f->th, f->h, sig, &sl);	/* requester */
	if (!rc)
		rc = ecdh_derive(a, b, sa, &la);
	if (!rc)
		rc = floor_schedule(f, sa, la);
	for (int i = 0; i < 3 && !rc; i++)	/* check RVD, make and check ReqVD */
		rc = floor_hmac(f, mac);
	if (!rc && (la != lb || memcmp(sa, sb, la)))
		rc = -EIO;
	OPENSSL_cleanse(sa, sizeof(sa));
	OPENSSL_cleanse(sb, sizeof(sb));
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return rc;
}

/* ---- part 1: session setup --------------------------------------------- */

struct setup_result {
	uint64_t sess_ns, floor_ns;
	double ratio_lo, ratio_hi;
	size_t heap_calls, heap_bytes, heap_peak;
};

static int bench_setup(struct doe_ctx *ctx, const struct setup_case *c, struct setup_result *res)
{
	struct spdm_identity *id = NULL;
	struct floor f = { .c = c };
	uint64_t ts[RUNS], tf[RUNS];
	double ratio[RUNS];
	struct spdm_rsp_config cfg;
	struct pair p;
	int rc;

	if ((rc = spdm_identity_new(ctx, c->asym, NULL, &id)) || (rc = pair_conn(ctx, id, c, &p)))
		goto out;
	spdm_rsp_config_init(&cfg);
	spdm_identity_apply(id, &cfg);
	f.leaf = cfg.signer_priv;
	f.h = spdm_hash_size(c->hash);
	f.kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	f.mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	RAND_bytes(f.th, sizeof(f.th));
	rc = f.kdf && f.mac ? 0 : -EIO;
	/* warm up both, then measure the heap of one session */
	for (int i = 0; i < 3 && !rc; i++) {
		rc = handshake(ctx, &p);
		pair_fini(&p);
		if (!rc)
			rc = floor_once(&f);
	}
	if (!rc) {
		size_t live0 = heap.live;

		heap.calls = heap.bytes = 0;
		heap.peak = live0;
		rc = handshake(ctx, &p);
		pair_fini(&p);
		res->heap_calls = heap.calls;
		res->heap_bytes = heap.bytes;
		res->heap_peak = heap.peak - live0;
	}
	/* session and floor alternate one by one, so a run's share of the
	 * other engineers' load falls on both alike */
	for (int run = 0; run < RUNS && !rc; run++) {
		ts[run] = tf[run] = 0;
		for (int i = 0; i < SETUP_ITERS && !rc; i++) {
			uint64_t t0 = doe_now_ns(), t1;

			rc = handshake(ctx, &p);
			pair_fini(&p);
			t1 = doe_now_ns();
			if (!rc)
				rc = floor_once(&f);
			ts[run] += t1 - t0;
			tf[run] += doe_now_ns() - t1;
		}
		ts[run] /= SETUP_ITERS;
		tf[run] /= SETUP_ITERS;
		ratio[run] = (double)ts[run] / (double)tf[run];
	}
	if (!rc) {
		res->ratio_lo = res->ratio_hi = ratio[0];
		for (int i = 1; i < RUNS; i++) {
			if (ratio[i] < res->ratio_lo)
				res->ratio_lo = ratio[i];
			if (ratio[i] > res->ratio_hi)
				res->ratio_hi = ratio[i];
		}
		res->sess_ns = bench_median(ts, RUNS);
		res->floor_ns = bench_median(tf, RUNS);
	}
out:
	EVP_KDF_free(f.kdf);
	EVP_MAC_free(f.mac);
	spdm_identity_free(id);
	return rc;
}

/* ---- part 2: secured-message throughput --------------------------------- */

struct raw_aead {
	EVP_CIPHER_CTX *enc, *dec;
	uint8_t iv[12];
	uint64_t seq;
};

static int raw_init(struct raw_aead *r)
{
	uint8_t key[32];

	RAND_bytes(key, sizeof(key));
	RAND_bytes(r->iv, sizeof(r->iv));
	r->seq = 0;
	r->enc = EVP_CIPHER_CTX_new();
	r->dec = EVP_CIPHER_CTX_new();
	if (!r->enc || !r->dec ||
	    EVP_CipherInit_ex2(r->enc, EVP_aes_256_gcm(), key, NULL, 1, NULL) != 1 ||
	    EVP_CipherInit_ex2(r->dec, EVP_aes_256_gcm(), key, NULL, 0, NULL) != 1)
		return -EIO;
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

/* One message through: encrypt in -> wire (+ tag), decrypt wire -> out. */
static int raw_once(struct raw_aead *r, const uint8_t *in, uint8_t *wire, uint8_t *out, size_t n)
{
	static const uint8_t aad[6] = { 1, 2, 3, 4, 5, 6 };
	uint8_t iv[12];
	int len, ok;

	memcpy(iv, r->iv, sizeof(iv));
	for (unsigned i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(r->seq >> (8 * i));
	r->seq++;
	ok = EVP_CipherInit_ex2(r->enc, NULL, NULL, iv, 1, NULL) == 1 &&
	     EVP_CipherUpdate(r->enc, NULL, &len, aad, sizeof(aad)) == 1 &&
	     EVP_CipherUpdate(r->enc, wire, &len, in, (int)n) == 1 &&
	     EVP_CipherFinal_ex(r->enc, wire + n, &len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(r->enc, EVP_CTRL_AEAD_GET_TAG, 16, wire + n) == 1 &&
	     EVP_CipherInit_ex2(r->dec, NULL, NULL, iv, 0, NULL) == 1 &&
	     EVP_CipherUpdate(r->dec, NULL, &len, aad, sizeof(aad)) == 1 &&
	     EVP_CipherUpdate(r->dec, out, &len, wire, (int)n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_AEAD_SET_TAG, 16, wire + n) == 1 &&
	     EVP_CipherFinal_ex(r->dec, out + n, &len) == 1;
	return ok ? 0 : -EIO;
}

static int sess_once(struct pair *p, const uint8_t *in, uint8_t *wire, size_t wcap,
		     uint8_t *out, size_t n)
{
	size_t wlen, olen;
	int rc = spdm_sess_seal(p->req, in, n, wire, wcap, &wlen);

	if (!rc)
		rc = spdm_sess_open(p->rsp, wire, wlen, out, n + 64, &olen);
	return rc ? rc : olen == n ? 0 : -EIO;
}

struct tput_result {
	size_t size;
	double sess_ns, raw_ns;	/* per message, seal + open */
	double ratio_lo, ratio_hi;	/* raw / ours, per run */
};

static int bench_tput(struct doe_ctx *ctx, const struct setup_case *c, struct tput_result *res,
		      size_t nres, size_t *ctx_heap)
{
	static uint8_t in[16384], wire[16384 + 64], out[16384 + 64];
	struct spdm_identity *id = NULL;
	struct raw_aead raw = { 0 };
	struct pair p = { 0 };
	int rc;

	RAND_bytes(in, sizeof(in));
	if ((rc = spdm_identity_new(ctx, c->asym, NULL, &id)) || (rc = pair_conn(ctx, id, c, &p)) ||
	    (rc = handshake(ctx, &p)) || (rc = raw_init(&raw)))
		goto out;
	for (size_t k = 0; k < nres && !rc; k++) {
		size_t n = res[k].size, iters = (8u << 20) / (n + 1024);
		uint64_t ts[RUNS], tr[RUNS];
		double ratio[RUNS];

		for (size_t i = 0; i < 64 && !rc; i++)	/* warm up */
		{
			rc = sess_once(&p, in, wire, sizeof(wire), out, n);
			if (!rc)
				rc = raw_once(&raw, in, wire, out, n);
		}
		/* blocks of BLOCK messages, ours and raw alternating */
		for (int run = 0; run < RUNS && !rc; run++) {
			ts[run] = tr[run] = 0;
			for (size_t b = 0; b < iters / BLOCK && !rc; b++) {
				uint64_t t0 = doe_now_ns(), t1;

				for (size_t i = 0; i < BLOCK && !rc; i++)
					rc = sess_once(&p, in, wire, sizeof(wire), out, n);
				t1 = doe_now_ns();
				for (size_t i = 0; i < BLOCK && !rc; i++)
					rc = raw_once(&raw, in, wire, out, n);
				ts[run] += t1 - t0;
				tr[run] += doe_now_ns() - t1;
			}
			ratio[run] = (double)tr[run] / (double)ts[run];
		}
		iters = iters / BLOCK * BLOCK;
		if (rc)
			break;
		res[k].ratio_lo = res[k].ratio_hi = ratio[0];
		for (int i = 1; i < RUNS; i++) {
			if (ratio[i] < res[k].ratio_lo)
				res[k].ratio_lo = ratio[i];
			if (ratio[i] > res[k].ratio_hi)
				res[k].ratio_hi = ratio[i];
		}
		res[k].sess_ns = (double)bench_median(ts, RUNS) / (double)iters;
		res[k].raw_ns = (double)bench_median(tr, RUNS) / (double)iters;
	}
	/* what an established session holds: its two kept AEAD contexts
	 * (keyed since FINISH; transcript and ephemeral key are gone) */
	*ctx_heap = heap.live;
	pair_fini(&p);
	*ctx_heap = (*ctx_heap - heap.live) / 2;
out:
	pair_fini(&p);
	EVP_CIPHER_CTX_free(raw.enc);
	EVP_CIPHER_CTX_free(raw.dec);
	spdm_identity_free(id);
	return rc;
}

int main(void)
{
	static const struct setup_case cases[] = {
		{ "ECDSA P-256 + secp256r1, SHA-256", "P-256", "SHA256", SPDM_ASYM_ECDSA_P256,
		  SPDM_HASH_SHA256, SPDM_DHE_SECP256R1 },
		{ "ECDSA P-384 + secp384r1, SHA-384", "P-384", "SHA384", SPDM_ASYM_ECDSA_P384,
		  SPDM_HASH_SHA384, SPDM_DHE_SECP384R1 },
	};
	struct tput_result tput[] = { { .size = 64 }, { .size = 1024 }, { .size = 16384 } };
	struct setup_result sr[2];
	struct doe_ctx *ctx;
	size_t aead_heap = 0;

	/* before libcrypto allocates anything */
	if (!CRYPTO_set_mem_functions(heap_malloc, heap_realloc, heap_free) || doe_ctx_new(&ctx))
		return 1;
	printf("Session setup (KEY_EXCHANGE + FINISH, SPDM 1.2, AES-256-GCM, encrypted handshake),\n"
	       "requester and responder in one process; floor = 2 ECDH keygens + 2 derives,\n"
	       "1 ECDSA sign + 1 verify, 36 HKDF + 4 HMAC, raw EVP. Medians of %d runs of %d,\n"
	       "interleaved.\n\n", RUNS, SETUP_ITERS);
	printf("| algorithms | session setup | crypto floor | setup / floor | per-run range | "
	       "sessions/s (one core) |\n|---|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < 2; i++) {
		if (bench_setup(ctx, &cases[i], &sr[i])) {
			fprintf(stderr, "%s: %s\n", cases[i].name, doe_ctx_errmsg(ctx));
			return 1;
		}
		printf("| %s | %.1f µs | %.1f µs | %.2f | %.2f-%.2f | %.0f |\n", cases[i].name,
		       sr[i].sess_ns / 1e3, sr[i].floor_ns / 1e3,
		       (double)sr[i].sess_ns / (double)sr[i].floor_ns, sr[i].ratio_lo, sr[i].ratio_hi,
		       1e9 / (double)sr[i].sess_ns);
	}
	printf("\nHeap per session pair (requester + responder, setup and teardown; all of it\n"
	       "libcrypto's, the sessions live in caller memory of SPDM_SESSION_CTX_SIZE = %u,\n"
	       "sizeof(struct spdm_sess) = %zu):\n", SPDM_SESSION_CTX_SIZE, sizeof(struct spdm_sess));
	for (size_t i = 0; i < 2; i++)
		printf("  %s: %zu allocations, %zu bytes allocated, peak %zu bytes live\n",
		       cases[i].name, sr[i].heap_calls, sr[i].heap_bytes, sr[i].heap_peak);

	if (bench_tput(ctx, &cases[0], tput, sizeof(tput) / sizeof(tput[0]), &aead_heap)) {
		fprintf(stderr, "secured messages: %s\n", doe_ctx_errmsg(ctx));
		return 1;
	}
	printf("\nSecured messages: spdm_sess_seal + spdm_sess_open (DOE binding, AES-256-GCM)\n"
	       "against EVP AES-256-GCM encrypt + decrypt, one keyed context per direction.\n"
	       "Medians of %d runs, interleaved; %% of raw = raw time / our time.\n\n", RUNS);
	printf("| app data | seal + open | raw EVP | %% of raw | per-run range | MB/s (seal + open) |\n"
	       "|---:|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < sizeof(tput) / sizeof(tput[0]); k++)
		printf("| %zu B | %.2f µs | %.2f µs | %.0f %% | %.0f-%.0f %% | %.0f |\n", tput[k].size,
		       tput[k].sess_ns / 1e3, tput[k].raw_ns / 1e3,
		       100.0 * tput[k].raw_ns / tput[k].sess_ns, 100.0 * tput[k].ratio_lo,
		       100.0 * tput[k].ratio_hi, (double)tput[k].size * 1e3 / tput[k].sess_ns);
	printf("\nAn established session holds %zu bytes of libcrypto's heap: one keyed AEAD\n"
	       "context per direction, freed by spdm_sess_fini() or when the session ends.\n",
	       aead_heap);
	doe_ctx_free(ctx);
	return 0;
}
