// SPDX-License-Identifier: MIT
/*
 * doe session --keyring: the session's data-phase keys as a Linux key
 * (libkeyutils), description "doekit:spdm:<device>:<session id>", payload
 * layout 1 of include/doekit/spdm_keyring.h. Type "logon" by default, so
 * user space cannot read the keys back; "user" for tests and debugging.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>
#include <openssl/crypto.h>

#include <doekit/spdm_keyring.h>
#include "internal.h"
#include "session.h"

/* "@u" and friends, or a key serial in decimal. */
static int keyring_id(struct doe_ctx *ctx, const char *spec, key_serial_t *out)
{
	static const struct {
		const char *name;
		key_serial_t id;
	} special[] = {
		{ "@u", KEY_SPEC_USER_KEYRING },    { "@s", KEY_SPEC_SESSION_KEYRING },
		{ "@us", KEY_SPEC_USER_SESSION_KEYRING }, { "@p", KEY_SPEC_PROCESS_KEYRING },
		{ "@t", KEY_SPEC_THREAD_KEYRING },
	};
	unsigned long v = 0;

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (!strcmp(spec, special[i].name))
			return *out = special[i].id, 0;
	if (!*spec || strlen(spec) > 10)
		return doe_err(ctx, -EINVAL, "--keyring '%s': not @u, @s, @us, @p, @t or a key serial", spec);
	for (const char *p = spec; *p; p++) {
		if (*p < '0' || *p > '9' || (p == spec && *p == '0'))
			return doe_err(ctx, -EINVAL, "--keyring '%s': not @u, @s, @us, @p, @t or a key serial",
				       spec);
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 0x7fffffffUL)
		return doe_err(ctx, -EINVAL, "--keyring '%s': key serial out of range", spec);
	*out = (key_serial_t)v;
	return 0;
}

int session_key_install(struct doe_ctx *ctx, const struct spdm_sess *s, const char *device,
			const char *keyring, const char *type, int32_t *serial)
{
	uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE];
	char desc[160];
	key_serial_t ring = 0, k;

	TRY(keyring_id(ctx, keyring, &ring));
	TRY(spdm_keyring_export(s, ctx, payload));
	snprintf(desc, sizeof(desc), "doekit:spdm:%s:%08x", device, spdm_sess_id(s));
	k = add_key(type, desc, payload, sizeof(payload), ring);
	OPENSSL_cleanse(payload, sizeof(payload));
	if (k < 0) {
		int e = errno;

		/* seccomp or a kernel without keys: say so, the caller exits 1 */
		return doe_err(ctx, e == ENOSYS || e == EPERM || e == EACCES ? -EPERM : -e,
			       "keyctl refused the key (%s): %s", strerror(e),
			       e == ENOSYS ? "this kernel has no key retention service"
			       : e == EPERM || e == EACCES ? "not allowed here (seccomp or permissions)"
							   : "see keyrings(7)");
	}
	*serial = k;
	return 0;
}

int session_key_revoke(struct doe_ctx *ctx, int32_t serial)
{
	if (keyctl_revoke(serial) < 0)
		return doe_err(ctx, -errno, "revoking key %d: %s", serial, strerror(errno));
	return 0;
}
