/* SPDX-License-Identifier: MIT */
/*
 * doe_ctx: the library context. It holds logging, defaults and the last
 * error message. Every doekit object records the context it was made
 * with; there is no global state.
 *
 * Threads: a context may be shared by threads; the error message is
 * stored per context under a lock, so read it with doe_ctx_errmsg_copy()
 * when several threads use one context, or give each thread its own.
 */
#ifndef DOEKIT_CTX_H
#define DOEKIT_CTX_H

#include <doekit/common.h>

DOE_BEGIN_DECLS

struct doe_ctx;

/* syslog-style priorities for the log callback */
enum doe_log_prio { DOE_LOG_ERR = 3, DOE_LOG_WARN = 4, DOE_LOG_INFO = 6, DOE_LOG_DEBUG = 7 };

typedef void (*doe_log_fn)(void *priv, int prio, const char *msg);

/* Allocates a context; free with doe_ctx_free(). Logging is off until
 * doe_ctx_set_log() is called: the library never prints by itself. */
DOE_API int doe_ctx_new(struct doe_ctx **out);
DOE_API void doe_ctx_free(struct doe_ctx *ctx);

DOE_API void doe_ctx_set_log(struct doe_ctx *ctx, doe_log_fn fn, void *priv, int max_prio);

/* Default mailbox timeout for mailboxes made after the call (ms, >0). */
DOE_API int doe_ctx_set_timeout_ms(struct doe_ctx *ctx, uint32_t ms);
DOE_API uint32_t doe_ctx_timeout_ms(const struct doe_ctx *ctx);

/* Root of sysfs (default "/sys"); tests and containers point it elsewhere.
 * The string is copied. */
DOE_API int doe_ctx_set_sysfs_root(struct doe_ctx *ctx, const char *root);
DOE_API const char *doe_ctx_sysfs_root(const struct doe_ctx *ctx);

/* Directory of the per-device lock files taken with DOE_SYSFS_LOCK.
 * NULL (the default) means /run/lock, or /tmp when /run/lock is not
 * writable. Every process that shares devices must use the same
 * directory; tests point it at a scratch directory. The string is copied. */
DOE_API int doe_ctx_set_lock_dir(struct doe_ctx *ctx, const char *dir);
DOE_API const char *doe_ctx_lock_dir(const struct doe_ctx *ctx);	/* NULL: default */

/* Last error: code (negative errno) and message naming what was wrong.
 * The pointer returned by doe_ctx_errmsg() stays valid until the next
 * failing call on this context. */
DOE_API int doe_ctx_errcode(const struct doe_ctx *ctx);
DOE_API const char *doe_ctx_errmsg(const struct doe_ctx *ctx);
DOE_API size_t doe_ctx_errmsg_copy(struct doe_ctx *ctx, char *buf, size_t len);
DOE_API void doe_ctx_clear_error(struct doe_ctx *ctx);

DOE_END_DECLS

#endif
