// SPDX-License-Identifier: MIT
/*
 * The verified-chain cache: a warm cache skips GET_CERTIFICATE and never
 * CHALLENGE; a chain that changes under the same slot, other anchors, or
 * other algorithms miss; bad chains never get in; eviction and age bound
 * it; threads may share it. Requests are counted by code on the way to
 * emulated devices' responders.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <doekit/ctx.h>
#include <doekit/emu.h>
#include <doekit/spdm.h>
#include <doekit/spdm_cache.h>
#include "t.h"

static struct doe_ctx *ctx;

struct counter {
	struct emu_fn *fn;
	unsigned sent[256];	/* requests by code */
};

static bool mangle_chain_hash;	/* flip a bit of CHALLENGE_AUTH's CertChainHash */

static int count_exchange(void *priv, const void *req, size_t len, void *rsp, size_t cap,
			  size_t *rlen)
{
	struct counter *c = priv;

	uint8_t *out = rsp;
	int rc;

	if (len >= 2)
		c->sent[((const uint8_t *)req)[1]]++;
	rc = emu_fn_spdm_handle(c->fn, req, len, rsp, cap, rlen);
	if (rc == 0 && mangle_chain_hash && *rlen > 4 && out[1] == SPDM_CHALLENGE_AUTH)
		out[4] ^= 0x01;	/* after the 4-byte header */
	return rc;
}

static const struct spdm_transport_ops count_ops = { .exchange = count_exchange, .align = 1 };

struct att {
	struct counter cnt;
	struct spdm_result res;
	int rc;
	char msg[256];
};

/* One attestation of fn: chain, CHALLENGE, signed measurements. */
static const void *known;	/* policy.known_chain for the next attest() */
static size_t known_len;

static void attest(struct doe_ctx *c, struct emu_fn *fn, struct spdm_chain_cache *cache,
		   const struct spdm_trust *trust, uint32_t asym, struct att *a)
{
	_Alignas(16) static _Thread_local uint8_t mem[SPDM_REQUESTER_CTX_SIZE];
	static _Thread_local uint8_t chain[8192], meas[4096], buf[4096];
	struct spdm_req_policy pol;
	struct spdm_req *req = NULL;

	memset(a, 0, sizeof(*a));
	a->cnt.fn = fn;
	spdm_req_policy_init(&pol);
	pol.chain_buf = chain;
	pol.chain_cap = sizeof(chain);
	pol.meas_buf = meas;
	pol.meas_cap = sizeof(meas);
	pol.trust = trust;
	pol.chain_cache = cache;
	pol.known_chain = known;
	pol.known_chain_len = known_len;
	if (asym)
		pol.asym_algos = asym;
	a->rc = spdm_req_init(mem, sizeof(mem), c, &pol, &req);
	if (a->rc == 0)
		a->rc = spdm_req_run(req, &count_ops, &a->cnt, buf, sizeof(buf), 0);
	if (req)
		a->res = *spdm_req_result(req);
	snprintf(a->msg, sizeof(a->msg), "%s", doe_ctx_errmsg(c));
	spdm_req_fini(req);
}

static struct emu_fn *device(struct emu_topo *topo, uint8_t bus)
{
	struct doe_bdf b = { 0, bus, 0, 0 };

	return emu_topo_find(topo, &b);
}

static void t_warm_cache_skips_certificate_not_challenge(void)
{
	struct emu_topo *topo = NULL;
	struct spdm_chain_cache *cache = NULL;
	struct spdm_chain_cache_stats st;
	struct att a;

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	T_EQ(spdm_chain_cache_new(ctx, 0, 0, &cache), 0);
	if (!topo || !cache)
		goto out;
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(a.cnt.sent[SPDM_GET_CERTIFICATE] > 0);
	T_TRUE(a.res.chain_verified && !a.res.chain_cached);
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_EQ(a.cnt.sent[SPDM_GET_CERTIFICATE], 0);
	T_EQ(a.cnt.sent[SPDM_GET_DIGESTS], 1);
	T_EQ(a.cnt.sent[SPDM_CHALLENGE], 1);
	T_TRUE(a.res.chain_verified && a.res.chain_cached && a.res.challenge_verified);
	T_TRUE(a.res.meas_verified);
	T_TRUE(a.res.chain_len > 0 && a.res.chain_info.ncerts == 3);
	spdm_chain_cache_stats(cache, &st);
	T_EQ(st.hits, 1);
	T_EQ(st.misses, 1);
	T_EQ(st.entries, 1);

	/* the key is still proven every time: a device that cannot sign
	 * fails CHALLENGE although its chain is cached */
	{
		struct emu_spdm_opts o = { .corrupt_signature = true };

		T_EQ(emu_fn_set_spdm(device(topo, 0x0f), &o), 0);
		attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
		T_EQ(a.rc, -EKEYREJECTED);
		T_EQ(a.cnt.sent[SPDM_GET_CERTIFICATE], 0);
		T_EQ(a.cnt.sent[SPDM_CHALLENGE], 1);
		T_CONTAINS(a.msg, "CHALLENGE_AUTH");
	}
out:
	spdm_chain_cache_free(cache);
	emu_topo_free(topo);
}

/* With the chain cached, CHALLENGE_AUTH's CertChainHash is still checked
 * against the chain (its DIGESTS entry, which it hashes to). */
static void t_warm_cache_checks_chain_hash(void)
{
	struct emu_topo *topo = NULL;
	struct spdm_chain_cache *cache = NULL;
	struct att a;

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	T_EQ(spdm_chain_cache_new(ctx, 0, 0, &cache), 0);
	if (!topo || !cache)
		goto out;
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	mangle_chain_hash = true;
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	mangle_chain_hash = false;
	T_EQ(a.rc, -EKEYREJECTED);
	T_EQ(a.cnt.sent[SPDM_GET_CERTIFICATE], 0);
	T_CONTAINS(a.msg, "CHALLENGE_AUTH: CertChainHash is not the hash of the chain we read");
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(a.res.chain_cached && a.res.challenge_verified);
out:
	spdm_chain_cache_free(cache);
	emu_topo_free(topo);
}

/* A new chain in the same slot has a new digest: fetched and verified
 * again, and judged against the anchors (here: only the old root). */
static void t_changed_chain_is_refetched(void)
{
	struct emu_topo *topo = NULL;
	struct spdm_chain_cache *cache = NULL;
	struct spdm_trust *old_root = NULL;
	struct spdm_identity *id = NULL;
	const uint8_t *der;
	size_t len;
	struct att a;

	T_EQ(emu_topo_new(ctx, "direct", &topo), 0);
	T_EQ(spdm_chain_cache_new(ctx, 0, 0, &cache), 0);
	T_EQ(spdm_trust_new(ctx, NULL, &old_root), 0);
	if (!topo || !cache || !old_root)
		goto out;
	T_EQ(emu_fn_spdm_root(device(topo, 0x0d), &der, &len), 0);
	T_EQ(spdm_trust_add_der(old_root, der, len), 0);
	attest(ctx, device(topo, 0x0d), cache, old_root, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(a.res.chain_info.anchored);

	T_EQ(spdm_identity_new(ctx, SPDM_ASYM_ECDSA_P384, NULL, &id), 0);
	T_EQ(emu_fn_set_spdm_identity(device(topo, 0x0d), id, SPDM_ASYM_ECDSA_P384), 0);
	attest(ctx, device(topo, 0x0d), cache, old_root, 0, &a);
	T_EQ(a.rc, -EKEYREJECTED);
	T_TRUE(a.cnt.sent[SPDM_GET_CERTIFICATE] > 0);
	T_TRUE(!a.res.chain_cached);
out:
	spdm_trust_free(old_root);
	spdm_chain_cache_free(cache);
	emu_topo_free(topo);
}

/* Entries verified under one set of anchors never serve another, nor
 * requesters without anchors; adding an anchor makes a store new. */
static void t_trust_and_algorithms_are_part_of_the_key(void)
{
	struct emu_topo *topo = NULL;
	struct spdm_chain_cache *cache = NULL;
	struct spdm_trust *t1 = NULL;
	const uint8_t *der;
	size_t len;
	struct att a;

	T_EQ(emu_topo_new(ctx, "direct", &topo), 0);
	T_EQ(spdm_chain_cache_new(ctx, 0, 0, &cache), 0);
	T_EQ(spdm_trust_new(ctx, NULL, &t1), 0);
	if (!topo || !cache || !t1)
		goto out;
	T_EQ(emu_fn_spdm_root(device(topo, 0x0d), &der, &len), 0);
	T_EQ(spdm_trust_add_der(t1, der, len), 0);
	attest(ctx, device(topo, 0x0d), cache, t1, 0, &a);
	T_EQ(a.rc, 0);
	attest(ctx, device(topo, 0x0d), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(!a.res.chain_cached);
	attest(ctx, device(topo, 0x0d), cache, t1, 0, &a);
	T_TRUE(a.res.chain_cached);
	/* the store changed: what was verified against it before is not reused */
	T_EQ(spdm_trust_add_der(t1, der, len), 0);
	attest(ctx, device(topo, 0x0d), cache, t1, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(!a.res.chain_cached);
	/* clear empties it */
	spdm_chain_cache_clear(cache);
	attest(ctx, device(topo, 0x0d), cache, t1, 0, &a);
	T_TRUE(!a.res.chain_cached);
out:
	spdm_trust_free(t1);
	spdm_chain_cache_free(cache);
	emu_topo_free(topo);
}

/* spdm_chain_cache_add() verifies before it stores. */
static void t_add_verifies(void)
{
	struct emu_topo *topo = NULL;
	struct spdm_chain_cache *cache = NULL;
	struct spdm_chain_cache_stats st;
	struct att a;
	uint8_t chain[8192];
	size_t len;

	T_EQ(emu_topo_new(ctx, "direct", &topo), 0);
	T_EQ(spdm_chain_cache_new(ctx, 0, 0, &cache), 0);
	if (!topo || !cache)
		goto out;
	/* learn the device's chain with a cache of its own */
	{
		struct spdm_chain_cache *probe = NULL;

		T_EQ(spdm_chain_cache_new(ctx, 0, 0, &probe), 0);
		attest(ctx, device(topo, 0x0d), probe, NULL, 0, &a);
		spdm_chain_cache_free(probe);
	}
	T_EQ(a.rc, 0);
	len = a.res.chain_len;
	T_TRUE(len <= sizeof(chain));
	if (len > sizeof(chain))
		goto out;
	memcpy(chain, a.res.chain, len);
	chain[len - 20] ^= 1;	/* inside the leaf's signature */
	T_EQ(spdm_chain_cache_add(cache, chain, len, a.res.hash_algo, a.res.asym_algo, NULL),
	     -EKEYREJECTED);
	T_EQ(spdm_chain_cache_add(cache, chain, 10, a.res.hash_algo, a.res.asym_algo, NULL),
	     -EBADMSG);
	spdm_chain_cache_stats(cache, &st);
	T_EQ(st.entries, 0);
	chain[len - 20] ^= 1;
	T_EQ(spdm_chain_cache_add(cache, chain, len, a.res.hash_algo, a.res.asym_algo, NULL), 0);
	attest(ctx, device(topo, 0x0d), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(a.res.chain_cached);
	/* the same chain offered for another algorithm is not the same entry */
	T_EQ(spdm_chain_cache_add(cache, chain, len, a.res.hash_algo, SPDM_ASYM_ECDSA_P256, NULL),
	     -EKEYREJECTED);
out:
	spdm_chain_cache_free(cache);
	emu_topo_free(topo);
}

/* max_entries bounds it, oldest first; max_age_s retires entries. */
static void t_eviction_and_age(void)
{
	struct emu_topo *topo = NULL;
	struct spdm_chain_cache *cache = NULL;
	struct spdm_chain_cache_stats st;
	struct att a;

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	T_EQ(spdm_chain_cache_new(ctx, 1, 1, &cache), 0);
	if (!topo || !cache)
		goto out;
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	attest(ctx, device(topo, 0x10), cache, NULL, 0, &a);
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(!a.res.chain_cached);
	spdm_chain_cache_stats(cache, &st);
	T_EQ(st.entries, 1);
	T_EQ(st.evictions, 2);
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	T_TRUE(a.res.chain_cached);
	usleep(1100 * 1000);
	attest(ctx, device(topo, 0x0f), cache, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(!a.res.chain_cached);
	T_EQ(spdm_chain_cache_new(ctx, (size_t)1 << 21, 0, &(struct spdm_chain_cache *){ NULL }),
	     -EINVAL);
out:
	spdm_chain_cache_free(cache);
	emu_topo_free(topo);
}

/* Threads attesting their own devices share one cache. */
struct worker {
	struct spdm_chain_cache *cache;
	int failures, cached;
};

static void *work(void *p)
{
	struct worker *w = p;
	struct doe_ctx *c = NULL;
	struct emu_topo *topo = NULL;
	struct att a;

	if (doe_ctx_new(&c) || emu_topo_new(c, "cxl-switch", &topo)) {
		w->failures++;
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		attest(c, device(topo, i % 2 ? 0x10 : 0x0f), w->cache, NULL, 0, &a);
		w->failures += a.rc != 0;
		w->cached += a.res.chain_cached;
	}
out:
	emu_topo_free(topo);
	doe_ctx_free(c);
	return NULL;
}

static void t_shared_between_threads(void)
{
	struct spdm_chain_cache *cache = NULL;
	struct worker w[4] = { 0 };
	pthread_t th[4];

	T_EQ(spdm_chain_cache_new(ctx, 0, 0, &cache), 0);
	if (!cache)
		return;
	for (int i = 0; i < 4; i++) {
		w[i].cache = cache;
		T_EQ(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		T_EQ(w[i].failures, 0);
		/* each topology has its own identities: its second round hits */
		T_TRUE(w[i].cached >= 2);
	}
	spdm_chain_cache_free(cache);
}

/* A chain held from elsewhere (saved evidence) is used when DIGESTS names
 * it, and verified like a chain read; another chain is read as usual. */
static void t_known_chain(void)
{
	struct emu_topo *topo = NULL;
	struct spdm_trust *other = NULL;
	static uint8_t chain[8192];
	const uint8_t *der;
	size_t len;
	struct att a;

	T_EQ(emu_topo_new(ctx, "cxl-switch", &topo), 0);
	if (!topo)
		return;
	attest(ctx, device(topo, 0x0f), NULL, NULL, 0, &a);
	T_EQ(a.rc, 0);
	len = a.res.chain_len;
	memcpy(chain, a.res.chain, len);
	known = chain;
	known_len = len;
	attest(ctx, device(topo, 0x0f), NULL, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_EQ(a.cnt.sent[SPDM_GET_CERTIFICATE], 0);
	T_TRUE(a.res.chain_cached && a.res.chain_verified && a.res.challenge_verified);
	/* the other device's DIGESTS names another chain: it is read */
	attest(ctx, device(topo, 0x10), NULL, NULL, 0, &a);
	T_EQ(a.rc, 0);
	T_TRUE(a.cnt.sent[SPDM_GET_CERTIFICATE] > 0 && !a.res.chain_cached);
	/* held, but not anchored in these anchors: refused like a chain read */
	T_EQ(spdm_trust_new(ctx, NULL, &other), 0);
	T_EQ(emu_fn_spdm_root(device(topo, 0x10), &der, &len), 0);
	if (other)
		T_EQ(spdm_trust_add_der(other, der, len), 0);
	attest(ctx, device(topo, 0x0f), NULL, other, 0, &a);
	T_EQ(a.rc, -EKEYREJECTED);
	T_EQ(a.cnt.sent[SPDM_GET_CERTIFICATE], 0);
	known = NULL;
	known_len = 0;
	spdm_trust_free(other);
	emu_topo_free(topo);
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	T_RUN(t_warm_cache_skips_certificate_not_challenge);
	T_RUN(t_warm_cache_checks_chain_hash);
	T_RUN(t_changed_chain_is_refetched);
	T_RUN(t_trust_and_algorithms_are_part_of_the_key);
	T_RUN(t_add_verifies);
	T_RUN(t_eviction_and_age);
	T_RUN(t_shared_between_threads);
	T_RUN(t_known_chain);
	doe_ctx_free(ctx);
	return T_DONE();
}
