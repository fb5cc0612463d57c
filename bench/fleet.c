// SPDX-License-Identifier: MIT
/*
 * Attestation at fleet scale: doe attest --topology emu:fleet's engine
 * (every CMA function of 1,000 ECDSA P-256 endpoints and their 32
 * switches, --jobs 2, evidence documents built as the CLI builds them)
 * against the fleet's crypto floor measured in the same run.
 *
 * Floor, per attestation: the responder's two signatures (CHALLENGE_AUTH,
 * MEASUREMENTS), the requester's two verifications of them, and the chain:
 * every device has its own leaf (as real devices do), so each chain is
 * distinct and OpenSSL checks its two certificate signatures (intermediate
 * by root, leaf by intermediate) once. With a warm chain cache (a service
 * attesting the fleet again) the chain costs nothing and the floor is the
 * four signature operations. Wall floor = CPU floor / jobs.
 * Emulated identities are made before timing (they are the devices', not
 * the attestation's work).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define RUNS 5
#include "bench.h"
#include "policy.h"
#include "topology.h"

#define JOBS 2

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

static int sign_verify(EVP_PKEY *k, bool sign, const uint8_t *msg, size_t len, uint8_t *sig,
		       size_t *sig_len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	if (sign)
		ok = EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
		     EVP_DigestSign(c, sig, sig_len, msg, len) == 1;
	else
		ok = EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
		     EVP_DigestVerify(c, sig, *sig_len, msg, len) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -EIO;
}

/* CPU ns of one device's floor: 2 signs + (2 + chain_verifies) verifies,
 * over one run of iters devices' worth (a run of the fleet is followed by
 * one of these, so load from other processes falls on both alike). */
static int floor_ns(int chain_verifies, double *ns)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t msg[164], sig[2][80];
	size_t sl[2];
	int rc = k ? 0 : -ENOMEM;
	const int iters = 300;
	uint64_t t0;

	RAND_bytes(msg, sizeof(msg));
	t0 = doe_now_ns();
	for (int i = 0; i < iters && !rc; i++) {
		for (int s = 0; s < 2 && !rc; s++) {
			sl[s] = sizeof(sig[s]);
			rc = sign_verify(k, true, msg, sizeof(msg), sig[s], &sl[s]);
		}
		for (int v = 0; v < 2 + chain_verifies && !rc; v++)
			rc = sign_verify(k, false, msg, sizeof(msg), sig[v % 2], &sl[v % 2]);
	}
	*ns = (double)(doe_now_ns() - t0) / iters;
	EVP_PKEY_free(k);
	return rc;
}

struct timing {
	double wall_s, cpu_s;
	double floor_ns;	/* per device, measured right after this run */
	unsigned authorized;
};

static int run(struct attest *tmpl, struct ttree *tr, struct spdm_chain_cache *cache,
	       struct timing *out)
{
	struct topo_opts o = { .jobs = JOBS, .cache = cache };
	uint64_t w0 = doe_now_ns(), c0 = cpu_ns();
	int rc;

	for (size_t i = 0; i < tr->count; i++) {	/* results of the last run */
		json_object_put(tr->n[i].evidence);
		tr->n[i].evidence = NULL;
		verdict_fini(&tr->n[i].v);
		memset(&tr->n[i].v, 0, sizeof(tr->n[i].v));
	}
	rc = ttree_attest(tmpl, tr, &o);
	out->wall_s = (double)(doe_now_ns() - w0) / 1e9;
	out->cpu_s = (double)(cpu_ns() - c0) / 1e9;
	out->authorized = 0;
	for (size_t i = 0; i < tr->count; i++)
		out->authorized += tr->n[i].cma && tr->n[i].v.kind == VERDICT_AUTHORIZED;
	return rc;
}

static int by_wall(const void *a, const void *b)
{
	const struct timing *x = a, *y = b;

	return x->wall_s < y->wall_s ? -1 : x->wall_s > y->wall_s;
}

static int by_floor(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static double median_floor(const struct timing *t)
{
	double f[RUNS];

	for (int r = 0; r < RUNS; r++)
		f[r] = t[r].floor_ns;
	qsort(f, RUNS, sizeof(f[0]), by_floor);
	return f[RUNS / 2];
}

int main(int argc, char **argv)
{
	const char *profile = argc > 1 ? argv[1] : "fleet";
	struct tool t = { .prog = "bench_fleet" };
	struct attest *tmpl = calloc(1, sizeof(*tmpl));
	struct spdm_chain_cache *warm = NULL;
	struct policy *pol;
	struct timing cold[RUNS], hot[RUNS];
	struct ttree tr;
	size_t devices = 0;
	double fcold, fwarm;

	if (!tmpl || doe_ctx_new(&t.ctx))
		return 1;
	tmpl->t = &t;
	spdm_req_policy_init(&tmpl->pol);
	pol = policy_new();	/* chain, signatures, measurements: the default */
	if (!pol)
		return 1;
	tmpl->policy = pol;
	if (ttree_emu(&t, profile, &tr)) {
		fprintf(stderr, "%s\n", doe_ctx_errmsg(t.ctx));
		return 1;
	}
	for (size_t i = 0; i < tr.count; i++) {	/* the devices' identities, untimed */
		const uint8_t *der;
		size_t len;

		if (tr.n[i].cma && emu_fn_spdm_root(tr.n[i].fn, &der, &len) == 0) {
			/* the vendor CA's root, as --trust gives it: a service
			 * keeps its anchors, and so its chain cache, across runs */
			if (!tmpl->trust && (spdm_trust_new(t.ctx, NULL, &tmpl->trust) ||
					     spdm_trust_add_der(tmpl->trust, der, len)))
				return 1;
			devices++;
		}
	}
	if (spdm_chain_cache_new(t.ctx, 0, 0, &warm))
		return 1;
	for (int r = 0; r < RUNS; r++) {
		struct spdm_chain_cache *c = NULL;

		if (spdm_chain_cache_new(t.ctx, 0, 0, &c) || run(tmpl, &tr, c, &cold[r]) ||
		    floor_ns(2, &cold[r].floor_ns))
			return fprintf(stderr, "%s\n", doe_ctx_errmsg(t.ctx)), 1;
		spdm_chain_cache_free(c);
	}
	if (run(tmpl, &tr, warm, &hot[0]))	/* fills the cache */
		return 1;
	for (int r = 0; r < RUNS; r++)
		if (run(tmpl, &tr, warm, &hot[r]) || floor_ns(0, &hot[r].floor_ns))
			return 1;
	fcold = median_floor(cold);
	fwarm = median_floor(hot);
	qsort(cold, RUNS, sizeof(*cold), by_wall);
	qsort(hot, RUNS, sizeof(*hot), by_wall);
	if (cold[RUNS / 2].authorized != devices || hot[RUNS / 2].authorized != devices) {
		fprintf(stderr, "only %u of %zu devices authorized\n", cold[RUNS / 2].authorized,
			devices);
		return 1;
	}
	printf("doe attest --topology emu:%s --jobs %d: %zu CMA functions (ECDSA P-256,\n"
	       "SHA-256, all measurements signed), evidence built for each; medians of %d runs.\n"
	       "Floor per attestation: 2 signs + 4 verifies cold (2 of them the distinct\n"
	       "chain's certificates), 2 signs + 2 verifies warm; wall floor = CPU floor / %d.\n\n",
	       profile, JOBS, devices, RUNS, JOBS);
	printf("| chain cache | wall | wall floor | wall / floor | CPU | CPU floor | CPU / floor "
	       "| attestations/s |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int k = 0; k < 2; k++) {
		const struct timing *m = k ? &hot[RUNS / 2] : &cold[RUNS / 2];
		double cpu_floor = (k ? fwarm : fcold) * (double)devices / 1e9;

		printf("| %s | %.3f s | %.3f s | %.2f | %.3f s | %.3f s | %.2f | %.0f |\n",
		       k ? "warm" : "cold", m->wall_s, cpu_floor / JOBS,
		       m->wall_s / (cpu_floor / JOBS), m->cpu_s, cpu_floor, m->cpu_s / cpu_floor,
		       (double)devices / m->wall_s);
	}
	spdm_chain_cache_free(warm);
	ttree_free(&tr);
	spdm_trust_free(tmpl->trust);
	policy_free(pol);
	free(tmpl);
	doe_ctx_free(t.ctx);
	return 0;
}
