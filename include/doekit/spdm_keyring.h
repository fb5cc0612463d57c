/* SPDX-License-Identifier: MIT */
/*
 * The session hand-off to the kernel: an established SPDM session's
 * data-phase keys as one binary payload, for a Linux key (keyctl, type
 * "logon" or "user") that a kernel consumer (a CMA/IDE or TSM driver)
 * reads. Layout version 1, all integers little-endian, 124 bytes
 * (docs/keyring.md):
 *
 *   off size
 *     0   4  magic "DKSP"
 *     4   1  layout version (1)
 *     5   1  SPDM version of the session (0x11..0x13)
 *     6   1  secured-message version (DSP0277, 0x10..0x12)
 *     7   1  flags: bit 0 MAC only (no encryption); bit 1 the application
 *            data starts with an MCTP message-type byte (MCTP binding)
 *     8   4  session ID
 *    12   2  AEAD (SPDM_AEAD_* bit: 1 AES-128-GCM, 2 AES-256-GCM,
 *            4 ChaCha20-Poly1305)
 *    14   1  bytes of sequence number on the wire (0 DOE, 2 MCTP)
 *    15   1  key length (16 or 32)
 *    16   1  IV length (12)
 *    17   1  largest random padding the sender may add (0 on DOE)
 *    18   2  reserved, 0
 *    20  52  requester to responder: key[32] (zero after key length),
 *            IV[12], next sequence number u64
 *    72  52  responder to requester: the same
 *
 * Each message's AEAD nonce is the IV with the 64-bit sequence number
 * XORed little-endian into its first 8 bytes; the AAD is the record
 * header (session ID, wire sequence number, length). The payload is
 * secret: callers wipe it after use.
 */
#ifndef DOEKIT_SPDM_KEYRING_H
#define DOEKIT_SPDM_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include <doekit/ctx.h>
#include <doekit/spdm_session.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPDM_KEYRING_LAYOUT 1u
#define SPDM_KEYRING_PAYLOAD_SIZE 124u
#define SPDM_KEYRING_MAC_ONLY 0x01u
#define SPDM_KEYRING_MCTP 0x02u

struct spdm_keyring_dir {
	uint8_t key[32];
	uint8_t iv[12];
	uint64_t seq;
};

struct spdm_keyring_payload {
	uint8_t spdm_version;
	uint8_t sm_version;
	uint8_t flags;
	uint32_t session_id;
	uint16_t aead;
	uint8_t seq_size;
	uint8_t key_len;
	uint8_t iv_len;
	uint8_t max_pad;
	struct spdm_keyring_dir req, rsp;
};

/* The payload of an established session (-ENOTCONN otherwise). */
DOE_API int spdm_keyring_export(const struct spdm_sess *s, struct doe_ctx *ctx,
				uint8_t out[SPDM_KEYRING_PAYLOAD_SIZE]);
/* Reads a payload back, every field checked (-EBADMSG naming it). */
DOE_API int spdm_keyring_parse(struct doe_ctx *ctx, const uint8_t *p, size_t len,
			       struct spdm_keyring_payload *out);

/*
 * A requester session resumed from a payload (a session another process
 * set up and kept open, e.g. doe session --keyring with a user key): it
 * starts established, with the payload's keys and next sequence numbers,
 * on the payload's binding (flags: MCTP or PCIe DOE). Application messages
 * (spdm_sess_exchange(), IDE_KM) and END_SESSION work. What needs the
 * handshake is refused with -EOPNOTSUPP: KEY_UPDATE (no data secrets) and
 * HEARTBEAT (the device's CAPABILITIES are not known). A failed message
 * ends it like any session: the device ends it too (DSP0277). Afterwards
 * spdm_keyring_export() gives the payload with the sequence numbers
 * advanced, for whoever goes on with the session next. mem as for
 * spdm_sess_req_init(); spdm_sess_fini() wipes the keys.
 */
DOE_API int spdm_sess_req_resume(void *mem, size_t mem_len, struct doe_ctx *ctx,
				 const struct spdm_keyring_payload *k, struct spdm_sess **out);

#ifdef __cplusplus
}
#endif

#endif
