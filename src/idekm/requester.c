// SPDX-License-Identifier: MIT
/*
 * The IDE_KM requester (PCIe r6 §6.33.3): QUERY, KEY_PROG, K_SET_GO and
 * K_SET_STOP inside an established SPDM session, each acknowledgement
 * checked field by field against what was sent, and the stream flows
 * built on them. Keys come from the OpenSSL RNG and every local copy is
 * wiped; the caller gets the keys for the host end in struct idekm_keys.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <doekit/idekm.h>
#include "internal.h"
#include "../spdm/session_int.h"

/* A QUERY_RESP with the largest register set, in its SPDM wrapping. */
#define RSP_CAP (IDEKM_VDM_HDR_SIZE + 1 + IDEKM_QUERY_RESP_FIXED + IDEKM_REGS_MAX)

static const char *state_name(enum spdm_sess_state st)
{
	switch (st) {
	case SPDM_SESS_IDLE: return "idle (handshake not started)";
	case SPDM_SESS_HANDSHAKE: return "in its handshake";
	case SPDM_SESS_ESTABLISHED: return "established";
	case SPDM_SESS_ENDED: return "ended";
	case SPDM_SESS_FAILED: return "failed";
	}
	return "in an unknown state";
}

/* IDE_KM carries keys: it goes inside an established secure session, never
 * in the clear (PCIe r6 §6.33.3), so nothing is sent before this holds. */
static int check_session(struct spdm_sess *s, const struct spdm_transport_ops *ops)
{
	enum spdm_sess_state st;

	if (!s)
		return -ENOTCONN;
	st = spdm_sess_state(s);
	if (!s->requester)
		return doe_err(s->ctx, -EINVAL, "IDE_KM: the session is a responder's");
	if (st != SPDM_SESS_ESTABLISHED)
		return doe_err(s->ctx, -ENOTCONN,
			       "IDE_KM: the SPDM session is %s, not established; IDE_KM is only sent inside one",
			       state_name(st));
	if (!ops || !ops->exchange_secured)
		return doe_err(s->ctx, -EOPNOTSUPP, "IDE_KM: the transport carries no secured messages");
	return 0;
}

/* One request, its answer decoded; an SPDM ERROR is named. The request
 * buffer (a KEY_PROG holds a key) is wiped. */
static int exchange(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		    const struct idekm_msg *req, struct idekm_msg *rsp, uint8_t *buf, size_t cap)
{
	uint8_t out[IDEKM_VDM_HDR_SIZE + 1 + IDEKM_KEY_PROG_SIZE];
	size_t olen, rlen;
	int rc;

	TRY(check_session(s, ops));
	rc = idekm_encode(s->ctx, req, out, sizeof(out), &olen);
	if (!rc)
		rc = spdm_sess_exchange(s, ops, priv, out, olen, buf, cap, &rlen);
	OPENSSL_cleanse(out, sizeof(out));
	if (rc)
		return rc;
	if (rlen >= 4 && buf[1] == SPDM_ERROR)
		return doe_err(s->ctx, -EPROTO, "IDE_KM %s: the device answered ERROR %s (0x%02x)",
			       idekm_object_name(req->object), spdm_error_name(buf[2]), buf[2]);
	rc = idekm_decode(s->ctx, false, buf, rlen, rsp);
	if (rc) {
		doe_err_prefix(s->ctx, "IDE_KM %s answer", idekm_object_name(req->object));
		return rc;
	}
	return 0;
}

/* The acknowledgement must be the one for req: object, StreamID, the
 * KeySet/Direction/SubStream byte and PortIndex echoed exactly. */
static int check_ack(struct spdm_sess *s, const struct idekm_msg *req, const struct idekm_msg *ack,
		     uint8_t want)
{
	const char *name = idekm_object_name(want);

	if (ack->object != want)
		return doe_err(s->ctx, -EBADMSG, "IDE_KM %s: answered with %s, expected %s",
			       idekm_object_name(req->object), idekm_object_name(ack->object), name);
	if (want == IDEKM_KP_ACK && ack->status != IDEKM_KP_SUCCESS)
		return doe_err(s->ctx, -EREMOTEIO, "KP_ACK: Status %u (%s) for stream %u %s %s K%u",
			       ack->status, idekm_status_name(ack->status), req->stream_id,
			       idekm_substream_name(req->substream), idekm_dir_name(req->dir),
			       req->keyset);
	if (ack->stream_id != req->stream_id)
		return doe_err(s->ctx, -EBADMSG, "%s: StreamID %u, expected %u", name, ack->stream_id,
			       req->stream_id);
	if (ack->keyset != req->keyset || ack->dir != req->dir || ack->substream != req->substream)
		return doe_err(s->ctx, -EBADMSG,
			       "%s: KeySet/Direction/SubStream K%u %s %s, expected K%u %s %s", name,
			       ack->keyset, idekm_dir_name(ack->dir), idekm_substream_name(ack->substream),
			       req->keyset, idekm_dir_name(req->dir), idekm_substream_name(req->substream));
	if (ack->port_index != req->port_index)
		return doe_err(s->ctx, -EBADMSG, "%s: PortIndex %u, expected %u", name, ack->port_index,
			       req->port_index);
	return 0;
}

int idekm_query(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		uint8_t port_index, struct idekm_port_info *out)
{
	struct idekm_msg q = { .object = IDEKM_QUERY, .port_index = port_index }, r;
	uint8_t buf[RSP_CAP];

	memset(out, 0, sizeof(*out));
	TRY(check_session(s, ops));
	q.spdm_version = s->conn.version;
	TRY(exchange(s, ops, priv, &q, &r, buf, sizeof(buf)));
	if (r.object != IDEKM_QUERY_RESP)
		return doe_err(s->ctx, -EBADMSG, "IDE_KM QUERY: answered with %s",
			       idekm_object_name(r.object));
	if (r.port_index != port_index)
		return doe_err(s->ctx, -EBADMSG, "QUERY_RESP: PortIndex %u, expected %u", r.port_index,
			       port_index);
	if (r.max_port_index < port_index)
		return doe_err(s->ctx, -EBADMSG, "QUERY_RESP: MaxPortIndex %u below the PortIndex %u asked",
			       r.max_port_index, port_index);
	out->port_index = r.port_index;
	out->max_port_index = r.max_port_index;
	out->dev_func = r.dev_func;
	out->bus = r.bus;
	out->segment = r.segment;
	if (idekm_cap_decode(s->ctx, r.regs, r.regs_len, &out->cap)) {
		doe_err_prefix(s->ctx, "QUERY_RESP");
		return -EBADMSG;
	}
	return 0;
}

static bool valid_ksd(uint8_t keyset, uint8_t dir, uint8_t substream)
{
	return keyset < IDEKM_KEYSETS && dir <= IDEKM_TX && substream <= IDEKM_CPL;
}

int idekm_key_prog(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		   uint8_t stream_id, uint8_t port_index, uint8_t keyset, uint8_t dir,
		   uint8_t substream, const uint8_t key[IDEKM_KEY_SIZE],
		   const uint8_t ifv[IDEKM_IFV_SIZE])
{
	struct idekm_msg req = { .object = IDEKM_KEY_PROG, .stream_id = stream_id,
				 .port_index = port_index, .keyset = keyset, .dir = dir,
				 .substream = substream }, ack;
	uint8_t buf[64];
	int rc;

	TRY(check_session(s, ops));
	if (!valid_ksd(keyset, dir, substream))
		return doe_err(s->ctx, -EINVAL, "KEY_PROG: key set %u, direction %u, sub-stream %u",
			       keyset, dir, substream);
	req.spdm_version = s->conn.version;
	memcpy(req.key, key, IDEKM_KEY_SIZE);
	memcpy(req.ifv, ifv, IDEKM_IFV_SIZE);
	rc = exchange(s, ops, priv, &req, &ack, buf, sizeof(buf));
	if (!rc)
		rc = check_ack(s, &req, &ack, IDEKM_KP_ACK);
	idekm_msg_wipe(&req);
	return rc;
}

int idekm_key_set(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv, bool go,
		  uint8_t stream_id, uint8_t port_index, uint8_t keyset, uint8_t dir,
		  uint8_t substream)
{
	struct idekm_msg req = { .object = go ? IDEKM_K_SET_GO : IDEKM_K_SET_STOP,
				 .stream_id = stream_id, .port_index = port_index,
				 .keyset = keyset, .dir = dir, .substream = substream }, ack;
	uint8_t buf[64];

	TRY(check_session(s, ops));
	if (!valid_ksd(keyset, dir, substream))
		return doe_err(s->ctx, -EINVAL, "%s: key set %u, direction %u, sub-stream %u",
			       idekm_object_name(req.object), keyset, dir, substream);
	req.spdm_version = s->conn.version;
	TRY(exchange(s, ops, priv, &req, &ack, buf, sizeof(buf)));
	return check_ack(s, &req, &ack, IDEKM_K_GOSTOP_ACK);
}

void idekm_keys_wipe(struct idekm_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int idekm_stream_setup(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		       uint8_t stream_id, uint8_t port_index, uint8_t keyset,
		       struct idekm_keys *keys)
{
	int rc = 0;

	idekm_keys_wipe(keys);
	TRY(check_session(s, ops));
	if (keyset >= IDEKM_KEYSETS)
		return doe_err(s->ctx, -EINVAL, "IDE_KM: key set %u (K0 or K1)", keyset);
	keys->stream_id = stream_id;
	keys->port_index = port_index;
	keys->keyset = keyset;
	/* PCIe r6 §6.33.4: AES-GCM 256, a fresh key per sub-stream and direction */
	if (RAND_bytes((uint8_t *)keys->k, (int)sizeof(keys->k)) != 1)
		rc = doe_err(s->ctx, -EIO, "IDE_KM: the OpenSSL RNG failed");
	for (uint8_t dir = 0; !rc && dir < 2; dir++)
		for (uint8_t sub = 0; !rc && sub < IDEKM_SUBSTREAMS; sub++)
			rc = idekm_key_prog(s, ops, priv, stream_id, port_index, keyset, dir, sub,
					    keys->k[sub][dir].key, keys->k[sub][dir].ifv);
	/* the receivers first, so no Tx starts before its peer can decrypt */
	for (uint8_t dir = 0; !rc && dir < 2; dir++)
		for (uint8_t sub = 0; !rc && sub < IDEKM_SUBSTREAMS; sub++)
			rc = idekm_key_set(s, ops, priv, true, stream_id, port_index, keyset, dir, sub);
	if (rc)
		idekm_keys_wipe(keys);
	return rc;
}

int idekm_stream_refresh(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
			 const struct idekm_keys *cur, struct idekm_keys *next)
{
	return idekm_stream_setup(s, ops, priv, cur->stream_id, cur->port_index,
				  (uint8_t)(cur->keyset ^ 1u), next);
}

int idekm_stream_stop(struct spdm_sess *s, const struct spdm_transport_ops *ops, void *priv,
		      uint8_t stream_id, uint8_t port_index, uint8_t keyset)
{
	for (uint8_t dir = 0; dir < 2; dir++)
		for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
			TRY(idekm_key_set(s, ops, priv, false, stream_id, port_index, keyset, dir,
					  sub));
	return 0;
}
