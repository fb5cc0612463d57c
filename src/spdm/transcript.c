// SPDX-License-Identifier: MIT
/*
 * SPDM transcripts (DSP0274 1.3 §15; libspdm spdm_common_lib
 * libspdm_calculate_m1m2 / libspdm_calculate_l1l2):
 *   VCA   = GET_VERSION, VERSION, GET_CAPABILITIES, CAPABILITIES,
 *           NEGOTIATE_ALGORITHMS, ALGORITHMS
 *   M1/M2 = VCA || GET_DIGESTS, DIGESTS, GET_CERTIFICATE, CERTIFICATE ... ||
 *           CHALLENGE || CHALLENGE_AUTH without the signature
 *   L1/L2 = (1.2+: VCA ||) GET_MEASUREMENTS, MEASUREMENTS ... up to the last
 *           MEASUREMENTS without its signature
 * Both sides feed the same bytes in the same order; a request that got an
 * ERROR is not part of any transcript.
 */
#include <string.h>
#include "spdm_int.h"
#include "internal.h"

void spdm_ts_init(struct spdm_ts *ts)
{
	memset(ts, 0, sizeof(*ts));
}

void spdm_ts_reset(struct spdm_ts *ts)
{
	EVP_MD_CTX_free(ts->m);
	EVP_MD_CTX_free(ts->l);
	EVP_MD_free(ts->md);
	spdm_ts_init(ts);
}

void spdm_ts_free(struct spdm_ts *ts)
{
	spdm_ts_reset(ts);
}

int spdm_ts_vca(struct doe_ctx *ctx, struct spdm_ts *ts, const void *p, size_t len)
{
	if (len > SPDM_VCA_MAX - ts->vca_len)
		return doe_err(ctx, -EMSGSIZE, "VCA transcript would exceed %u bytes",
			       SPDM_VCA_MAX);
	memcpy(ts->vca + ts->vca_len, p, len);
	ts->vca_len += len;
	return 0;
}

static int restart(struct doe_ctx *ctx, struct spdm_ts *ts, EVP_MD_CTX **mc, bool with_vca)
{
	if (!*mc && !(*mc = EVP_MD_CTX_new()))
		return doe_err(ctx, -ENOMEM, "transcript: no memory for a hash context");
	if (EVP_DigestInit_ex(*mc, ts->md, NULL) != 1 ||
	    (with_vca && EVP_DigestUpdate(*mc, ts->vca, ts->vca_len) != 1))
		return doe_err(ctx, -EIO, "transcript: %s failed", spdm_hash_name(ts->hash_algo));
	return 0;
}

static bool l_has_vca(const struct spdm_ts *ts)
{
	return ts->version >= SPDM_V12;	/* DSP0274 1.2: L1/L2 starts with VCA */
}

int spdm_ts_start(struct doe_ctx *ctx, struct spdm_ts *ts, uint8_t ver, uint32_t hash_algo)
{
	if (!spdm_md(hash_algo))
		return doe_err(ctx, -EINVAL, "transcript: hash 0x%x not supported", hash_algo);
	ts->version = ver;
	ts->hash_algo = hash_algo;
	/* fetched once: each restart below would fetch it again */
	EVP_MD_free(ts->md);
	ts->md = (EVP_MD *)spdm_md_ctx(ctx, hash_algo);
	if (!EVP_MD_up_ref(ts->md)) {
		ts->md = NULL;
		return doe_err(ctx, -ENOMEM, "transcript: no memory for %s",
			       spdm_hash_name(hash_algo));
	}
	TRY(restart(ctx, ts, &ts->m, true));
	return restart(ctx, ts, &ts->l, l_has_vca(ts));
}

static int add(struct doe_ctx *ctx, struct spdm_ts *ts, EVP_MD_CTX *mc, const void *p,
	       size_t len)
{
	if (!mc)
		return doe_err(ctx, -EPROTO, "transcript used before ALGORITHMS");
	if (EVP_DigestUpdate(mc, p, len) != 1)
		return doe_err(ctx, -EIO, "transcript: %s failed", spdm_hash_name(ts->hash_algo));
	return 0;
}

int spdm_ts_m(struct doe_ctx *ctx, struct spdm_ts *ts, const void *p, size_t len)
{
	return add(ctx, ts, ts->m, p, len);
}

int spdm_ts_l(struct doe_ctx *ctx, struct spdm_ts *ts, const void *p, size_t len)
{
	return add(ctx, ts, ts->l, p, len);
}

static int final(struct doe_ctx *ctx, struct spdm_ts *ts, EVP_MD_CTX **mc, bool with_vca,
		 uint8_t *out)
{
	unsigned int n;

	if (!*mc)
		return doe_err(ctx, -EPROTO, "transcript used before ALGORITHMS");
	if (EVP_DigestFinal_ex(*mc, out, &n) != 1)
		return doe_err(ctx, -EIO, "transcript: %s failed", spdm_hash_name(ts->hash_algo));
	return restart(ctx, ts, mc, with_vca);
}

int spdm_ts_m_final(struct doe_ctx *ctx, struct spdm_ts *ts, uint8_t *out)
{
	return final(ctx, ts, &ts->m, true, out);
}

int spdm_ts_l_final(struct doe_ctx *ctx, struct spdm_ts *ts, uint8_t *out)
{
	return final(ctx, ts, &ts->l, l_has_vca(ts), out);
}

int spdm_ts_l_restart(struct doe_ctx *ctx, struct spdm_ts *ts)
{
	if (!ts->l)
		return 0;
	return restart(ctx, ts, &ts->l, l_has_vca(ts));
}

int spdm_ts_m_restart(struct doe_ctx *ctx, struct spdm_ts *ts)
{
	if (!ts->m)
		return 0;
	return restart(ctx, ts, &ts->m, true);
}
