/* SPDX-License-Identifier: MIT */
/* doe session: the keyring hand-off (keyring.c) and the command. */
#ifndef DOE_SESSION_H
#define DOE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <doekit/spdm_session.h>

/* Installs the session's keys as a key of type ("logon" or "user") in the
 * keyring spelled "@u", "@s", "@us", "@p", "@t" or as a serial; *serial is
 * the new key. -EPERM when keyctl is refused here (the message says why). */
int session_key_install(struct doe_ctx *ctx, const struct spdm_sess *s, const char *device,
			const char *keyring, const char *type, int32_t *serial);
int session_key_revoke(struct doe_ctx *ctx, int32_t serial);

/*
 * The attestation a session starts with (doe session, doe ide), on the
 * device attest_open() opened: a->pol gets a's buffers, no measurements
 * (they come inside the session) and the CAPABILITIES a session requester
 * announces plus extra_flags (PSK_CAP when psk, else KEY_EX_CAP); then VCA
 * to CHALLENGE. For KEY_EXCHANGE the chain and CHALLENGE must have
 * verified: the handshake trusts the key of that chain, only. *req (to be
 * finished by the caller, also on failure), the transport and the
 * connection a session is set up on come back; *ran says the requester got
 * to the end (its result is whole), whatever the verdict.
 */
struct attest;
struct spdm_req;
int session_attest(struct attest *a, bool psk, uint32_t extra_flags, struct spdm_req **req,
		   const struct spdm_transport_ops **ops, void **priv, struct spdm_conn *conn,
		   bool *ran);

#endif
