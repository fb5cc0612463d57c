/* SPDX-License-Identifier: MIT */
/* Library-internal helpers shared by every module. Not installed. */
#ifndef DOEKIT_INTERNAL_H
#define DOEKIT_INTERNAL_H

#include <errno.h>
#include <doekit/ctx.h>

/* Propagate a negative code unchanged. */
#define TRY(expr)                                   \
	do {                                        \
		int try_rc_ = (expr);               \
		if (try_rc_ < 0)                    \
			return try_rc_;             \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define DOE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DOE_PRINTF(a, b)
#endif

/* Records code and message in ctx and returns code (negative). A NULL ctx
 * is allowed: the code is returned, the message dropped. */
int doe_err(struct doe_ctx *ctx, int code, const char *fmt, ...) DOE_PRINTF(3, 4);
/* Prepends "prefix: " to the current message (to add where it happened). */
void doe_err_prefix(struct doe_ctx *ctx, const char *fmt, ...) DOE_PRINTF(2, 3);
void doe_log(struct doe_ctx *ctx, int prio, const char *fmt, ...) DOE_PRINTF(3, 4);

/* A digest fetched once per context (slot: the caller's index for the
 * algorithm, below DOE_CTX_MD_SLOTS; name: as EVP_MD_fetch takes it). NULL
 * with a NULL ctx or when the fetch fails: the caller then falls back to
 * OpenSSL's implicit fetch. Valid as long as ctx. */
#define DOE_CTX_MD_SLOTS 8
struct evp_md_st;
const struct evp_md_st *doe_ctx_md(struct doe_ctx *ctx, unsigned slot, const char *name);

#define doe_dbg(ctx, ...) doe_log(ctx, DOE_LOG_DEBUG, __VA_ARGS__)

#endif
