/* SPDX-License-Identifier: MIT */
/* doe session: the keyring hand-off (keyring.c) and the command. */
#ifndef DOE_SESSION_H
#define DOE_SESSION_H

#include <stdint.h>
#include <doekit/spdm_session.h>

/* Installs the session's keys as a key of type ("logon" or "user") in the
 * keyring spelled "@u", "@s", "@us", "@p", "@t" or as a serial; *serial is
 * the new key. -EPERM when keyctl is refused here (the message says why). */
int session_key_install(struct doe_ctx *ctx, const struct spdm_sess *s, const char *device,
			const char *keyring, const char *type, int32_t *serial);
int session_key_revoke(struct doe_ctx *ctx, int32_t serial);

#endif
