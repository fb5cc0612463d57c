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
/* A kept session's payload (doe ide --session): the "user" key
 * "doekit:spdm:<device>:<id>" in the session, user-session or user keyring.
 * -ENOKEY when there is none, -EKEYREJECTED when it is a logon key (user
 * space cannot read it), -EBADMSG when its size is not a payload's. */
int session_key_load(struct doe_ctx *ctx, const char *device, uint32_t id, int32_t *serial,
		     uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE]);
/* The key's payload replaced (the sequence numbers moved on). */
int session_key_update(struct doe_ctx *ctx, int32_t serial, const uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE]);

struct attest;
/*
 * --session ID: the session a device still holds from an earlier doe
 * session --keyring --key-type user, taken over from its key (found by
 * a->name, the device attest_open() opened) into mem: *s is established,
 * *key the key, *ops and *priv the transport. Refused for a device emulated in
 * this process (nothing earlier lives in it) and where the key's binding is
 * not the transport's. Then session_resume_finish(): the key gets the next
 * sequence numbers, or is revoked (*revoked) when the session is over,
 * ended or failed.
 */
int session_resume(struct attest *a, uint32_t id, void *mem, size_t mem_len,
		   struct spdm_sess **s, int32_t *key, const struct spdm_transport_ops **ops,
		   void **priv);
int session_resume_finish(struct doe_ctx *ctx, struct spdm_sess *s, int32_t key, bool *revoked);
/* rc, with a message that says what a resumed session's failure means. */
int session_resume_failed(struct doe_ctx *ctx, const struct spdm_sess *s, uint32_t id, int rc);

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
