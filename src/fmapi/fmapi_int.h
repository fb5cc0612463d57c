/* SPDX-License-Identifier: MIT */
/* FM-API internals shared by the codec files. Not installed. */
#ifndef DOEKIT_FMAPI_INT_H
#define DOEKIT_FMAPI_INT_H

#include <doekit/cursor.h>
#include <doekit/fmapi.h>
#include "internal.h"

/* A decoder's last step: everything read, nothing left over. */
static inline int fmapi_rd_end(struct doe_ctx *ctx, const struct doe_rd *r, const char *what)
{
	if (!doe_rd_ok(r))
		return doe_err(ctx, -EBADMSG, "%s: payload of %zu bytes is truncated", what,
			       r->len);
	if (doe_rd_left(r))
		return doe_err(ctx, -EBADMSG, "%s: %zu trailing bytes after %zu", what,
			       doe_rd_left(r), r->off);
	return 0;
}

/* An encoder's last step. */
static inline int fmapi_wr_end(struct doe_ctx *ctx, const struct doe_wr *w, const char *what,
			       size_t *len)
{
	if (!doe_wr_ok(w))
		return doe_err(ctx, -EMSGSIZE, "%s: payload does not fit %zu bytes", what, w->cap);
	*len = doe_wr_len(w);
	return 0;
}

#endif
