/* SPDX-License-Identifier: MIT */
/*
 * A cache of verified certificate chains for SPDM requesters.
 *
 * DSP0274 lets a requester skip GET_CERTIFICATE when it already holds the
 * chain whose digest DIGESTS reports for the slot. With a cache in the
 * requester's policy (spdm_req_policy.chain_cache), a DIGESTS entry that
 * matches a chain verified earlier — same hash and asymmetric algorithm,
 * same trust anchors — goes straight to CHALLENGE with the cached leaf key:
 * no certificate is read, parsed or verified again. Everything that proves
 * freshness and key possession (CHALLENGE, signed MEASUREMENTS) still runs
 * for every attestation; only the chain's validation is reused.
 *
 * Key: (BaseHashAlgo, BaseAsymAlgo, the slot's digest, the trust store's
 * identity). A chain that changes under the same slot changes its digest,
 * so it is fetched and verified again. A trust store gets a new identity
 * whenever anchors are added to it; with trust NULL (chains anchored at
 * their own root) entries only match other NULL-trust requesters. Entries
 * older than max_age_s are not used (certificates expire; a long-running
 * service that reloads its anchors calls spdm_chain_cache_clear()).
 *
 * One cache may be shared by requesters running in several threads: it
 * takes its own lock. Heap object; the caller owns it and must free it
 * after the last requester that uses it.
 */
#ifndef DOEKIT_SPDM_CACHE_H
#define DOEKIT_SPDM_CACHE_H

#include <doekit/common.h>
#include <doekit/ctx.h>
#include <doekit/spdm.h>

DOE_BEGIN_DECLS

struct spdm_chain_cache;

#define SPDM_CHAIN_CACHE_DEFAULT_AGE_S 3600u

/* max_entries: oldest entries are dropped beyond it (0: 4096);
 * max_age_s: 0 means SPDM_CHAIN_CACHE_DEFAULT_AGE_S. */
DOE_API int spdm_chain_cache_new(struct doe_ctx *ctx, size_t max_entries, uint32_t max_age_s,
				 struct spdm_chain_cache **out);
DOE_API void spdm_chain_cache_free(struct spdm_chain_cache *c);
DOE_API void spdm_chain_cache_clear(struct spdm_chain_cache *c);

/* Verifies a chain (spdm_chain_verify()) and, if it passes, adds it: for a
 * verifier that holds a chain from elsewhere (e.g. saved evidence). */
DOE_API int spdm_chain_cache_add(struct spdm_chain_cache *c, const void *chain, size_t len,
				 uint32_t hash_algo, uint32_t asym_algo,
				 const struct spdm_trust *trust);

struct spdm_chain_cache_stats {
	uint64_t hits, misses, inserts, evictions;
	size_t entries;
};
DOE_API void spdm_chain_cache_stats(struct spdm_chain_cache *c, struct spdm_chain_cache_stats *st);

DOE_END_DECLS

#endif
