// SPDX-License-Identifier: MIT
/*
 * Verified certificate chains, keyed by what DIGESTS reports (see
 * <doekit/spdm_cache.h>). Buckets of singly linked entries indexed by the
 * digest's first bytes (a digest is uniformly distributed, so no further
 * hashing), plus an insertion-ordered list for eviction. One mutex: a
 * lookup is a memcmp and a memcpy, far below the signature checks around it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <doekit/doe.h>
#include <doekit/spdm_cache.h>
#include "spdm_int.h"
#include "internal.h"

#define CACHE_DEFAULT_ENTRIES 4096u
#define CACHE_CERTS 64u		/* issuer certificates kept parsed */
#define CACHE_MAX_ENTRIES (1u << 20)

struct entry {
	struct entry *next;		/* bucket chain */
	struct entry *older, *newer;	/* age list */
	uint32_t hash_algo, asym_algo;
	uint64_t trust_id;
	uint64_t added_ns;
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	struct spdm_chain_info info;
	EVP_PKEY *leaf;
	size_t len;
	uint8_t chain[];
};

struct spdm_chain_cache {
	struct doe_ctx *ctx;
	pthread_mutex_t lock;
	size_t max_entries, nbuckets;
	uint64_t max_age_ns;
	struct entry **buckets;
	struct entry *oldest, *newest;
	struct spdm_chain_cache_stats st;
	struct {
		uint8_t *der;
		size_t len;
		X509 *x;
	} certs[CACHE_CERTS];
	size_t ncerts, cert_next;	/* next slot to replace when full */
};

int spdm_chain_cache_new(struct doe_ctx *ctx, size_t max_entries, uint32_t max_age_s,
			 struct spdm_chain_cache **out)
{
	struct spdm_chain_cache *c;

	if (!out || max_entries > CACHE_MAX_ENTRIES)
		return doe_err(ctx, -EINVAL, "chain cache: at most %u entries", CACHE_MAX_ENTRIES);
	c = calloc(1, sizeof(*c));
	if (!c)
		return doe_err(ctx, -ENOMEM, "out of memory");
	c->ctx = ctx;
	c->max_entries = max_entries ? max_entries : CACHE_DEFAULT_ENTRIES;
	c->max_age_ns = (uint64_t)(max_age_s ? max_age_s : SPDM_CHAIN_CACHE_DEFAULT_AGE_S) *
			1000000000u;
	for (c->nbuckets = 16; c->nbuckets < c->max_entries; c->nbuckets <<= 1)
		;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets || pthread_mutex_init(&c->lock, NULL)) {
		free(c->buckets);
		free(c);
		return doe_err(ctx, -ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

static size_t bucket_of(const struct spdm_chain_cache *c, const uint8_t *digest)
{
	size_t h;

	memcpy(&h, digest, sizeof(h));
	return h & (c->nbuckets - 1);
}

static void certs_clear(struct spdm_chain_cache *c);

/* Unlinks e from its bucket and the age list, and frees it. Locked. */
static void drop(struct spdm_chain_cache *c, struct entry *e)
{
	struct entry **pp = &c->buckets[bucket_of(c, e->digest)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	EVP_PKEY_free(e->leaf);
	free(e);
	c->st.entries--;
}

void spdm_chain_cache_clear(struct spdm_chain_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	while (c->oldest)
		drop(c, c->oldest);
	certs_clear(c);
	pthread_mutex_unlock(&c->lock);
}

static void certs_clear(struct spdm_chain_cache *c)
{
	for (size_t i = 0; i < c->ncerts; i++) {
		X509_free(c->certs[i].x);
		free(c->certs[i].der);
	}
	c->ncerts = c->cert_next = 0;
}

/* The length of the DER element at der (a SEQUENCE with a definite
 * length of at most 4 bytes), 0 if it does not fit len. */
static size_t der_len(const uint8_t *der, size_t len)
{
	size_t n, hdr;

	if (len < 2 || der[0] != 0x30)
		return 0;
	if (der[1] < 0x80) {
		n = der[1];
		hdr = 2;
	} else {
		size_t k = der[1] & 0x7Fu;

		if (k == 0 || k > 4 || len < 2 + k)
			return 0;
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = n << 8 | der[2 + i];
		hdr = 2 + k;
	}
	return n <= len - hdr ? hdr + n : 0;
}

X509 *spdm_cache_cert_get(struct spdm_chain_cache *c, const uint8_t *der, size_t len,
			  size_t *out_len)
{
	size_t n = der_len(der, len);
	X509 *x = NULL;

	if (!n)
		return NULL;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->ncerts && !x; i++)
		if (c->certs[i].len == n && !memcmp(c->certs[i].der, der, n) &&
		    X509_up_ref(c->certs[i].x) == 1)
			x = c->certs[i].x;
	pthread_mutex_unlock(&c->lock);
	if (x)
		*out_len = n;
	return x;
}

void spdm_cache_cert_put(struct spdm_chain_cache *c, const uint8_t *der, size_t len, X509 *x)
{
	uint8_t *copy;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->ncerts; i++)
		if (c->certs[i].len == len && !memcmp(c->certs[i].der, der, len))
			goto out;	/* have it */
	copy = malloc(len);
	if (!copy || X509_up_ref(x) != 1) {
		free(copy);
		goto out;
	}
	memcpy(copy, der, len);
	if (c->ncerts < CACHE_CERTS) {
		i = c->ncerts++;
	} else {
		i = c->cert_next;
		c->cert_next = (c->cert_next + 1) % CACHE_CERTS;
		X509_free(c->certs[i].x);
		free(c->certs[i].der);
	}
	c->certs[i].der = copy;
	c->certs[i].len = len;
	c->certs[i].x = x;
out:
	pthread_mutex_unlock(&c->lock);
}

void spdm_chain_cache_free(struct spdm_chain_cache *c)
{
	if (!c)
		return;
	spdm_chain_cache_clear(c);
	certs_clear(c);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

/* Locked. Expired entries found on the way are dropped. */
static struct entry *find(struct spdm_chain_cache *c, uint32_t hash_algo, uint32_t asym_algo,
			  const uint8_t *digest, uint64_t trust_id)
{
	size_t hs = spdm_hash_size(hash_algo);
	uint64_t now = doe_now_ns();
	struct entry *e = c->buckets[bucket_of(c, digest)], *next;

	for (; e; e = next) {
		next = e->next;
		if (now - e->added_ns > c->max_age_ns) {
			drop(c, e);
			continue;
		}
		if (e->hash_algo == hash_algo && e->asym_algo == asym_algo &&
		    e->trust_id == trust_id && !memcmp(e->digest, digest, hs))
			return e;
	}
	return NULL;
}

int spdm_cache_lookup(struct spdm_chain_cache *c, uint32_t hash_algo, uint32_t asym_algo,
		      const uint8_t *digest, const struct spdm_trust *trust, void *buf,
		      size_t cap, size_t *len, struct spdm_chain_info *info, EVP_PKEY **leaf)
{
	struct entry *e;
	int hit = 0;

	if (!spdm_hash_size(hash_algo))
		return 0;
	pthread_mutex_lock(&c->lock);
	e = find(c, hash_algo, asym_algo, digest, spdm_trust_id(trust));
	if (e && e->len <= cap && EVP_PKEY_up_ref(e->leaf) == 1) {
		memcpy(buf, e->chain, e->len);
		*len = e->len;
		*info = e->info;
		*leaf = e->leaf;
		hit = 1;
	}
	if (hit)
		c->st.hits++;
	else
		c->st.misses++;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void spdm_cache_insert(struct spdm_chain_cache *c, uint32_t hash_algo, uint32_t asym_algo,
		       const uint8_t *digest, const struct spdm_trust *trust, const void *chain,
		       size_t len, const struct spdm_chain_info *info, EVP_PKEY *leaf)
{
	size_t hs = spdm_hash_size(hash_algo);
	struct entry *e;

	if (!hs || !leaf)
		return;
	e = malloc(sizeof(*e) + len);
	if (!e)
		return;	/* a cache that cannot grow is a cache that misses */
	if (EVP_PKEY_up_ref(leaf) != 1) {
		free(e);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->hash_algo = hash_algo;
	e->asym_algo = asym_algo;
	e->trust_id = spdm_trust_id(trust);
	e->added_ns = doe_now_ns();
	memcpy(e->digest, digest, hs);
	e->info = *info;
	e->leaf = leaf;
	e->len = len;
	memcpy(e->chain, chain, len);

	pthread_mutex_lock(&c->lock);
	{
		struct entry *old = find(c, hash_algo, asym_algo, digest, e->trust_id);
		size_t b = bucket_of(c, digest);

		if (old)	/* two threads verified the same chain */
			drop(c, old);
		while (c->st.entries >= c->max_entries) {
			drop(c, c->oldest);
			c->st.evictions++;
		}
		e->next = c->buckets[b];
		c->buckets[b] = e;
		e->older = c->newest;
		if (c->newest)
			c->newest->newer = e;
		else
			c->oldest = e;
		c->newest = e;
		c->st.entries++;
		c->st.inserts++;
	}
	pthread_mutex_unlock(&c->lock);
}

int spdm_chain_cache_add(struct spdm_chain_cache *c, const void *chain, size_t len,
			 uint32_t hash_algo, uint32_t asym_algo, const struct spdm_trust *trust)
{
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	struct spdm_chain_info info;
	EVP_PKEY *leaf = NULL;

	TRY(spdm_chain_check_cached(c->ctx, chain, len, hash_algo, asym_algo, trust, c, &info,
				    &leaf));
	if (spdm_hash_all(c->ctx, hash_algo, chain, len, digest) < 0) {
		EVP_PKEY_free(leaf);
		return -EIO;
	}
	spdm_cache_insert(c, hash_algo, asym_algo, digest, trust, chain, len, &info, leaf);
	EVP_PKEY_free(leaf);
	return 0;
}

void spdm_chain_cache_stats(struct spdm_chain_cache *c, struct spdm_chain_cache_stats *st)
{
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	pthread_mutex_unlock(&c->lock);
}
