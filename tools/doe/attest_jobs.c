// SPDX-License-Identifier: MIT
/*
 * Attesting every CMA function of a tree, --jobs at a time. Each worker
 * thread has its own doe_ctx (errors stay its own), its own requester and
 * buffers, and takes the next device from a shared counter; devices are
 * independent objects (an emulated function is driven by one thread at a
 * time), so the only shared state is that counter, the progress line and
 * the chain cache, which locks itself. Results land in each node.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "internal.h"
#include "policy.h"
#include "topology.h"

#define MAX_JOBS 256u
#define MAX_ROOTS 64u

/* Emulated devices without --trust are anchored at their own root; devices
 * of one vendor share it, and so share one trust store (and chain cache
 * entries keyed by it) instead of parsing the root once per device. */
struct root_pool {
	pthread_mutex_t lock;
	struct {
		uint8_t *der;
		size_t len;
		struct spdm_trust *trust;
	} e[MAX_ROOTS];
	size_t n;
};

struct jobs {
	struct attest *tmpl;
	struct ttree *tr;
	struct spdm_chain_cache *cache;
	int *todo;
	size_t ntodo;
	atomic_size_t next, done;
	bool progress;
	pthread_mutex_t lock;	/* the progress line */
	uint64_t t0, last;
	struct root_pool roots;
};

/* The pooled trust store for this root (made on first use); NULL when the
 * pool is full or out of memory: the caller makes its own. */
static struct spdm_trust *pooled_trust(struct jobs *j, struct doe_ctx *ctx, const uint8_t *der,
				       size_t len)
{
	struct root_pool *p = &j->roots;
	struct spdm_trust *t = NULL;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->n && !t; i++)
		if (p->e[i].len == len && !memcmp(p->e[i].der, der, len))
			t = p->e[i].trust;
	if (!t && p->n < MAX_ROOTS && (p->e[p->n].der = malloc(len))) {
		if (spdm_trust_new(ctx, NULL, &t) == 0 && spdm_trust_add_der(t, der, len) == 0) {
			memcpy(p->e[p->n].der, der, len);
			p->e[p->n].len = len;
			p->e[p->n++].trust = t;
		} else {
			spdm_trust_free(t);
			free(p->e[p->n].der);
			t = NULL;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return t;
}

/* One device with the template's policy and trust; a is the worker's. */
static void attest_node(struct jobs *j, struct tool *wt, struct attest *a, struct tnode *n)
{
	struct spdm_req *req = NULL;
	int rc;

	/* the template without its buffers: those are the worker's own */
	memcpy(a, j->tmpl, offsetof(struct attest, mem));
	a->t = wt;
	memset(&a->dev, 0, sizeof(a->dev));
	memset(&a->tap, 0, sizeof(a->tap));
	a->mb = NULL;
	a->sock = NULL;
	a->collect = NULL;
	a->dev.emulated = n->fn != NULL;
	a->dev.fn = n->fn;
	a->dev.bdf = n->bdf;
	snprintf(a->dev.name, sizeof(a->dev.name), "%s", n->name);
	attest_use_buffers(a);
	a->pol.chain_cache = j->cache;
	if (n->fn && !a->trust) {
		const uint8_t *der;
		size_t len;

		if (emu_fn_spdm_root(n->fn, &der, &len) == 0 &&
		    (a->trust = pooled_trust(j, wt->ctx, der, len)))
			a->trust_desc = "the emulator's root (emulated device)";
	}
	if (!a->nonce_given && RAND_bytes(a->nonce, sizeof(a->nonce)) != 1)
		rc = doe_err(wt->ctx, -EIO, "RAND_bytes failed");
	else
		rc = attest_open_dev(a);
	a->pol.nonce = a->nonce;
	if (rc == 0)
		rc = attest_run(a, &req);
	/* the appraisal reads what the requester found from the evidence, as
	 * verify-evidence --policy does from the replay's */
	if (req)
		n->evidence = attest_doc(a, spdm_req_result(req), rc, &a->tap.log,
					 a->tap.ops.align, !a->tap.log_failed);
	if (verdict_init(&n->v) == 0) {
		if (rc && (!n->evidence || appraise_unreachable_rc(rc)))
			verdict_unreachable(&n->v, doe_ctx_errmsg(wt->ctx));
		else
			appraise(wt->ctx, j->tmpl->policy, n->evidence, &n->v);
	}
	n->own = n->v.kind;
	spdm_req_fini(req);
	msglog_free(&a->tap.log);
	attest_close(a);
	doe_ctx_clear_error(wt->ctx);
}

static void progress(struct jobs *j)
{
	size_t done = atomic_load(&j->done), total = j->ntodo;
	uint64_t now = doe_now_ns();
	double s, rate;

	pthread_mutex_lock(&j->lock);
	if (done == total || now - j->last > 100000000u) {
		j->last = now;
		s = (double)(now - j->t0) / 1e9;
		rate = s > 0 ? (double)done / s : 0;
		fprintf(stderr, "\rattested %zu/%zu  %.0f/s  ETA %.1f s   ", done, total, rate,
			rate > 0 ? (double)(total - done) / rate : 0.0);
		if (done == total)
			fputc('\n', stderr);
	}
	pthread_mutex_unlock(&j->lock);
}

static void *worker(void *p)
{
	struct jobs *j = p;
	struct tool wt = *j->tmpl->t;
	struct attest *a = malloc(sizeof(*a));
	const char *lock = doe_ctx_lock_dir(j->tmpl->t->ctx);

	wt.ctx = NULL;
	if (!a || doe_ctx_new(&wt.ctx) ||
	    doe_ctx_set_sysfs_root(wt.ctx, doe_ctx_sysfs_root(j->tmpl->t->ctx)) ||
	    (lock && doe_ctx_set_lock_dir(wt.ctx, lock)) ||
	    doe_ctx_set_timeout_ms(wt.ctx, doe_ctx_timeout_ms(j->tmpl->t->ctx))) {
		free(a);
		doe_ctx_free(wt.ctx);
		return (void *)(intptr_t)-ENOMEM;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);

		if (i >= j->ntodo)
			break;
		attest_node(j, &wt, a, &j->tr->n[j->todo[i]]);
		atomic_fetch_add(&j->done, 1);
		if (j->progress)
			progress(j);
	}
	free(a);
	doe_ctx_free(wt.ctx);
	return NULL;
}

int ttree_attest(struct attest *tmpl, struct ttree *tr, const struct topo_opts *o)
{
	struct tool *t = tmpl->t;
	struct jobs j = { .tmpl = tmpl, .tr = tr, .cache = o->cache, .progress = o->progress };
	pthread_t th[MAX_JOBS];
	unsigned jobs = o->jobs, started = 0;
	int rc = 0;

	j.todo = malloc(tr->count * sizeof(*j.todo) + 1);
	if (!j.todo)
		return doe_err(t->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < tr->count; i++)
		if (tr->n[i].cma)
			j.todo[j.ntodo++] = (int)i;
	if (!jobs) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	if (jobs > j.ntodo)
		jobs = j.ntodo ? (unsigned)j.ntodo : 1;
	if (!tr->topo && !t->raw_warned)
		tool_raw_warning(t, tr->scope);	/* once, before the workers copy t */
	pthread_mutex_init(&j.lock, NULL);
	pthread_mutex_init(&j.roots.lock, NULL);
	j.t0 = j.last = doe_now_ns();
	atomic_init(&j.next, 0);
	atomic_init(&j.done, 0);
	for (; started < jobs; started++)
		if (pthread_create(&th[started], NULL, worker, &j))
			break;
	if (!started)
		worker(&j);	/* no thread to be had: do it here */
	for (unsigned i = 0; i < started; i++) {
		void *ret = NULL;

		pthread_join(th[i], &ret);
		if (ret)
			rc = (int)(intptr_t)ret;
	}
	pthread_mutex_destroy(&j.lock);
	for (size_t i = 0; i < j.roots.n; i++) {
		spdm_trust_free(j.roots.e[i].trust);
		free(j.roots.e[i].der);
	}
	pthread_mutex_destroy(&j.roots.lock);
	free(j.todo);
	if (rc)
		return doe_err(t->ctx, rc, "topology: a worker could not start");
	ttree_propagate(tr);
	return 0;
}

/* "emu", "emu:PROFILE", a BDF (its subtree) or NULL (the whole machine) */
int attest_topology(struct attest *tmpl, const char *scope, const struct topo_opts *o)
{
	struct tool *t = tmpl->t;
	struct topo_opts opts = *o;
	struct spdm_chain_cache *own = NULL;
	struct policy *own_policy = NULL;
	struct ttree tr = { 0 };
	const char *profile;
	int rc, exit_code = EXIT_OK;

	if (scope && topo_spec(scope, &profile)) {
		rc = ttree_emu(t, profile, &tr);
	} else if (!t->raw) {
		rc = doe_err(t->ctx, -EPERM, "the kernel owns the DOE mailboxes of real devices; "
			     "attesting them from user space needs --raw (see doe(1) KERNEL "
			     "OWNERSHIP)");
	} else if (scope) {
		struct doe_bdf b;

		rc = doe_bdf_parse(scope, &b)
			     ? doe_err(t->ctx, -EINVAL, "'%s' is not a topology (expected emu, "
				       "emu:PROFILE or a BDF)", scope)
			     : ttree_sysfs(t, &b, &tr);
	} else {
		rc = ttree_sysfs(t, NULL, &tr);
	}
	if (rc == 0 && !opts.cache)
		rc = spdm_chain_cache_new(t->ctx, 0, 0, &own);
	/* without --policy: chain, signatures and measurements authenticated,
	 * as a device that matches no entry of a policy is judged */
	if (rc == 0 && !tmpl->policy) {
		own_policy = policy_new();
		rc = own_policy ? 0 : doe_err(t->ctx, -ENOMEM, "out of memory");
		tmpl->policy = own_policy;
	}
	if (rc == 0) {
		opts.cache = opts.cache ? opts.cache : own;
		rc = ttree_attest(tmpl, &tr, &opts);
	}
	if (rc) {
		exit_code = tool_fail(t, rc, NULL);
		goto out;
	}
	if (t->json) {
		struct json_object *b = ttree_bundle(&tr);

		tool_print_json(b);
		json_object_put(b);
	} else {
		ttree_print_text(t, &tr);
	}
	for (size_t i = 0; i < tr.count; i++)
		if (tr.n[i].cma && tr.n[i].v.kind != VERDICT_AUTHORIZED)
			exit_code = EXIT_FAIL;
	rc = ttree_enforce(t, &tr, opts.enforce);
	if (rc)
		exit_code = tool_fail(t, rc, NULL) == EXIT_USAGE ? EXIT_USAGE : EXIT_FAIL;
	if (opts.then_list && tr.topo) {	/* what doe list shows of it now */
		struct json_object *arr = json_object_new_array();
		bool failed = false;

		printf("\n$ doe list %s\n", tr.scope);
		list_topo(t, tr.topo, arr, &failed);
		json_object_put(arr);
	}
out:
	if (own_policy) {
		tmpl->policy = NULL;
		policy_free(own_policy);
	}
	spdm_chain_cache_free(own);
	ttree_free(&tr);
	return exit_code;
}
