/* SPDX-License-Identifier: MIT */
/* doe session: the keyring hand-off (keyring.c) and the command. */
#ifndef DOE_SESSION_H
#define DOE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <doekit/spdm_keyring.h>
#include <doekit/spdm_session.h>

/* Installs the session's keys as a key of type ("logon" or "user") in the
 * keyring spelled "@u", "@s", "@us", "@p", "@t" or as a serial; *serial is
 * the new key. -EPERM when keyctl is refused here (the message says why). */
int session_key_install(struct doe_ctx *ctx, const struct spdm_sess *s, const char *device,
			const char *keyring, const char *type, int32_t *serial);
int session_key_revoke(struct doe_ctx *ctx, int32_t serial);
struct attest;
/* A session kept by an earlier command, taken over by this one. */
struct kept_session {
	uint32_t id;		/* the session ID asked for */
	struct spdm_sess *s;	/* established once session_resume() returned 0 */
	int32_t key;		/* its key; 0: none found */
	int lock_fd;		/* held from before the key is read to after it is updated */
	bool revoked;		/* session_resume_finish() revoked the key */
};
/*
 * --session ID: the session a device still holds from an earlier doe
 * session --keyring --key-type user, taken over from its key (found by
 * a->name, the device attest_open() opened) into mem; *ops and *priv are
 * the transport. One doekit command at a time uses a key: a second one
 * would send with the same sequence numbers, i.e. the same AEAD nonces, so
 * the key's lock (an flock in the lock directory) is taken before the key
 * is read and held until session_resume_finish(); a busy one is -EBUSY.
 * Refused for a device emulated in this process (nothing earlier lives in
 * it) and where the key's binding is not the transport's. Then
 * session_resume_finish() (always, also after a failure), with the result
 * of what the command did in the session: the key gets the next sequence
 * numbers, or is revoked (k->revoked) when the session is over, ended or
 * failed (left alone when no session was made of it); the lock is
 * dropped. It returns flow_rc (its message saying what a failed resumed
 * session means), else its own result.
 */
int session_resume(struct attest *a, uint32_t id, void *mem, size_t mem_len,
		   struct kept_session *k, const struct spdm_transport_ops **ops, void **priv);
int session_resume_finish(struct doe_ctx *ctx, struct kept_session *k, int flow_rc);

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
struct spdm_req;
int session_attest(struct attest *a, bool psk, uint32_t extra_flags, struct spdm_req **req,
		   const struct spdm_transport_ops **ops, void **priv, struct spdm_conn *conn,
		   bool *ran);

#endif
