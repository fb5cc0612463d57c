// SPDX-License-Identifier: MIT
/* The library context: logging, defaults, last error. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <doekit/ctx.h>
#include <doekit/doe.h>
#include "internal.h"

#define ERRMSG_MAX 512

struct doe_ctx {
	pthread_mutex_t lock;	/* guards err and errmsg */
	int err;
	char errmsg[ERRMSG_MAX];
	doe_log_fn log_fn;
	void *log_priv;
	int log_max;
	uint32_t timeout_ms;
	char *sysfs_root;
	char *lock_dir;		/* NULL: the default, see doe_ctx_set_lock_dir() */
	/* Digests fetched once, on first use: OpenSSL 3 otherwise fetches the
	 * implementation (a method-store lookup under a lock) at every
	 * EVP_DigestInit_ex(EVP_sha256()) and EVP_Digest(). Set once by
	 * compare-and-swap, so threads sharing a context need no lock. */
	_Atomic(EVP_MD *) md[DOE_CTX_MD_SLOTS];
};

int doe_ctx_new(struct doe_ctx **out)
{
	struct doe_ctx *ctx;

	if (!out)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->sysfs_root = strdup("/sys");
	if (!ctx->sysfs_root || pthread_mutex_init(&ctx->lock, NULL)) {
		free(ctx->sysfs_root);
		free(ctx);
		return -ENOMEM;
	}
	ctx->timeout_ms = DOE_DEFAULT_TIMEOUT_MS;
	*out = ctx;
	return 0;
}

void doe_ctx_free(struct doe_ctx *ctx)
{
	if (!ctx)
		return;
	pthread_mutex_destroy(&ctx->lock);
	for (unsigned i = 0; i < DOE_CTX_MD_SLOTS; i++)
		EVP_MD_free(atomic_load(&ctx->md[i]));
	free(ctx->sysfs_root);
	free(ctx->lock_dir);
	free(ctx);
}

const EVP_MD *doe_ctx_md(struct doe_ctx *ctx, unsigned slot, const char *name)
{
	EVP_MD *md, *none = NULL;

	if (!ctx || slot >= DOE_CTX_MD_SLOTS)
		return NULL;
	md = atomic_load_explicit(&ctx->md[slot], memory_order_acquire);
	if (md)
		return md;
	md = EVP_MD_fetch(NULL, name, NULL);
	if (!md)
		return NULL;
	/* another thread may have fetched it meanwhile: keep the first */
	if (!atomic_compare_exchange_strong_explicit(&ctx->md[slot], &none, md,
						     memory_order_acq_rel, memory_order_acquire)) {
		EVP_MD_free(md);
		return none;
	}
	return md;
}

void doe_ctx_set_log(struct doe_ctx *ctx, doe_log_fn fn, void *priv, int max_prio)
{
	ctx->log_fn = fn;
	ctx->log_priv = priv;
	ctx->log_max = max_prio;
}

int doe_ctx_set_timeout_ms(struct doe_ctx *ctx, uint32_t ms)
{
	if (!ms)
		return doe_err(ctx, -EINVAL, "timeout must be at least 1 ms");
	ctx->timeout_ms = ms;
	return 0;
}

uint32_t doe_ctx_timeout_ms(const struct doe_ctx *ctx)
{
	return ctx ? ctx->timeout_ms : DOE_DEFAULT_TIMEOUT_MS;
}

int doe_ctx_set_sysfs_root(struct doe_ctx *ctx, const char *root)
{
	char *s;

	if (!root || !*root)
		return doe_err(ctx, -EINVAL, "empty sysfs root");
	s = strdup(root);
	if (!s)
		return -ENOMEM;
	free(ctx->sysfs_root);
	ctx->sysfs_root = s;
	return 0;
}

const char *doe_ctx_sysfs_root(const struct doe_ctx *ctx)
{
	return ctx->sysfs_root;
}

int doe_ctx_set_lock_dir(struct doe_ctx *ctx, const char *dir)
{
	char *s = NULL;

	if (dir && !*dir)
		return doe_err(ctx, -EINVAL, "empty lock directory");
	if (dir && !(s = strdup(dir)))
		return -ENOMEM;
	free(ctx->lock_dir);
	ctx->lock_dir = s;
	return 0;
}

const char *doe_ctx_lock_dir(const struct doe_ctx *ctx)
{
	return ctx->lock_dir;
}

int doe_ctx_errcode(const struct doe_ctx *ctx)
{
	return ctx->err;
}

const char *doe_ctx_errmsg(const struct doe_ctx *ctx)
{
	return ctx->errmsg[0] ? ctx->errmsg : "no error";
}

size_t doe_ctx_errmsg_copy(struct doe_ctx *ctx, char *buf, size_t len)
{
	size_t n;

	if (!len)
		return 0;
	pthread_mutex_lock(&ctx->lock);
	n = strlen(ctx->errmsg);
	if (n >= len)
		n = len - 1;
	memcpy(buf, ctx->errmsg, n);
	buf[n] = '\0';
	pthread_mutex_unlock(&ctx->lock);
	return n;
}

void doe_ctx_clear_error(struct doe_ctx *ctx)
{
	pthread_mutex_lock(&ctx->lock);
	ctx->err = 0;
	ctx->errmsg[0] = '\0';
	pthread_mutex_unlock(&ctx->lock);
}

int doe_err(struct doe_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return code;
	pthread_mutex_lock(&ctx->lock);
	ctx->err = code;
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&ctx->lock);
	if (ctx->log_fn && ctx->log_max >= DOE_LOG_DEBUG)
		ctx->log_fn(ctx->log_priv, DOE_LOG_DEBUG, ctx->errmsg);
	return code;
}

void doe_err_prefix(struct doe_ctx *ctx, const char *fmt, ...)
{
	char prefix[160];
	size_t plen, mlen;
	va_list ap;

	if (!ctx)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	plen = strlen(prefix);
	pthread_mutex_lock(&ctx->lock);
	mlen = strnlen(ctx->errmsg, ERRMSG_MAX - 1);
	if (plen + mlen > ERRMSG_MAX - 1)
		mlen = ERRMSG_MAX - 1 - plen;
	memmove(ctx->errmsg + plen, ctx->errmsg, mlen);
	memcpy(ctx->errmsg, prefix, plen);
	ctx->errmsg[plen + mlen] = '\0';
	pthread_mutex_unlock(&ctx->lock);
}

void doe_log(struct doe_ctx *ctx, int prio, const char *fmt, ...)
{
	char msg[ERRMSG_MAX];
	va_list ap;

	if (!ctx || !ctx->log_fn || prio > ctx->log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_priv, prio, msg);
}
