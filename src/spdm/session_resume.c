// SPDX-License-Identifier: MIT
/*
 * A requester session taken over from the payload another process exported
 * (include/doekit/spdm_keyring.h): the device still holds the session, so
 * the data phase goes on where that process left it, with the same keys
 * and the next sequence numbers. Nothing of the handshake is known here
 * (transcript, secrets, the connection's CAPABILITIES), so what needs it is
 * refused by name: KEY_UPDATE (its keys derive from the data secrets) and
 * HEARTBEAT (whether the device has HBEAT_CAP was VCA's to say).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <doekit/spdm_keyring.h>
#include "internal.h"
#include "session_int.h"

static void dir_from(struct spdm_dir_keys *d, const struct spdm_keyring_dir *k, size_t key_len)
{
	memcpy(d->key, k->key, key_len);
	memcpy(d->iv, k->iv, sizeof(d->iv));
	d->seq = k->seq;
}

int spdm_sess_req_resume(void *mem, size_t mem_len, struct doe_ctx *ctx,
			 const struct spdm_keyring_payload *k, struct spdm_sess **out)
{
	struct spdm_sess *s = mem;
	bool mctp = k->flags & SPDM_KEYRING_MCTP;

	*out = NULL;
	if (!mem || mem_len < sizeof(*s) || (uintptr_t)mem % _Alignof(struct spdm_sess))
		return doe_err(ctx, -EINVAL, "session: %zu bytes of aligned memory needed",
			       sizeof(*s));
	/* what spdm_keyring_parse() guarantees, checked again for callers that
	 * fill the payload themselves */
	if (k->spdm_version < SPDM_V11 || k->spdm_version > SPDM_V13 ||
	    (k->key_len != 16 && k->key_len != 32) || k->iv_len != SPDM_AEAD_IV_SIZE ||
	    (k->aead == SPDM_AEAD_AES_128_GCM) != (k->key_len == 16) ||
	    (k->aead != SPDM_AEAD_AES_128_GCM && k->aead != SPDM_AEAD_AES_256_GCM &&
	     k->aead != SPDM_AEAD_CHACHA20_POLY1305))
		return doe_err(ctx, -EINVAL, "session resume: SPDM 0x%02x, AEAD 0x%x, %u-byte key: "
			       "not a session this requester can run", k->spdm_version, k->aead,
			       k->key_len);
	/* the record layer is the binding's: a payload whose framing differs
	 * from it (DOE records with MCTP sequence numbers) is not one we made */
	if (k->seq_size != (mctp ? 2 : 0) || (!mctp && k->max_pad) || k->max_pad > 32 ||
	    ((k->flags & SPDM_KEYRING_MAC_ONLY) && k->max_pad))
		return doe_err(ctx, -EINVAL, "session resume: %u sequence bytes and %u of padding "
			       "do not fit the %s binding", k->seq_size, k->max_pad,
			       mctp ? "MCTP" : "PCIe DOE");
	if (!k->session_id)
		return doe_err(ctx, -EINVAL, "session resume: session ID 0");
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->requester = true;
	s->resumed = true;
	s->opts.binding = mctp ? SPDM_BINDING_MCTP : SPDM_BINDING_DOE;
	s->conn.version = k->spdm_version;
	s->conn.aead = k->aead;
	s->session_id = k->session_id;
	s->sm_version = (uint16_t)(k->sm_version << 8);
	s->ks.version = k->spdm_version;
	s->ks.aead = k->aead;
	s->ks.key_size = k->key_len;
	s->ks.phase = SPDM_KS_DATA;
	dir_from(&s->ks.req, &k->req, k->key_len);
	dir_from(&s->ks.rsp, &k->rsp, k->key_len);
	s->rec = (struct spdm_rec_params){
		.session_id = k->session_id,
		.seq_size = k->seq_size,
		.max_pad = k->max_pad,
		.mac_only = k->flags & SPDM_KEYRING_MAC_ONLY,
		.align = mctp ? 1 : 4,
	};
	s->state = SPDM_SESS_ESTABLISHED;
	s->step = STEP_DATA;
	*out = s;
	return 0;
}
