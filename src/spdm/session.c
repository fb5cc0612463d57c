// SPDX-License-Identifier: MIT
/*
 * What both roles of an SPDM session share: the caller-owned session
 * object, the session transcript (DSP0274 "Transcript hash": VCA, the
 * hash of the certificate chain Ct for KEY_EXCHANGE, then the messages of
 * the handshake, K and F), the record layer bound to the session's keys,
 * and failure: any error wipes every secret and the session stays dead.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "internal.h"
#include "session_int.h"
#include "spdm_int.h"

/* Secured-message versions (DSP0277) we speak, oldest first. 1.0-1.2
 * differ in nothing this record layer does: the sequence number goes
 * little-endian into the IV (1.2 made that the rule; libspdm does it for
 * all three). */
const uint16_t sess_sm_versions[3] = { SPDM_SM_VERSION_10, SPDM_SM_VERSION_11,
				       SPDM_SM_VERSION_12 };

_Static_assert(sizeof(struct spdm_sess) <= SPDM_SESSION_CTX_SIZE,
	       "struct spdm_sess outgrew SPDM_SESSION_CTX_SIZE");

static bool both(const struct spdm_conn *c, uint32_t flag)
{
	return (c->req_flags & flag) && (c->rsp_flags & flag);
}

int sess_init(void *mem, size_t mem_len, struct doe_ctx *ctx, const struct spdm_conn *conn,
	      const struct spdm_sess_opts *o, bool requester, struct spdm_sess **out)
{
	struct spdm_sess *s = mem;
	const EVP_MD *md;

	*out = NULL;
	if (!mem || mem_len < sizeof(*s) || (uintptr_t)mem % _Alignof(struct spdm_sess))
		return doe_err(ctx, -EINVAL, "session: %zu bytes of aligned memory needed",
			       sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->conn = *conn;
	s->opts = *o;
	s->requester = requester;
	s->psk = o->psk != NULL;
	if (conn->version < SPDM_V11 || conn->version > SPDM_V13)
		return doe_err(ctx, -EINVAL, "session: SPDM %u.%u has no sessions", conn->version >> 4,
			       conn->version & 0xF);
	/* DSP0274 §10.12/§10.14: the capability each exchange needs, on both
	 * sides (both() asks for some bit of it on each: PSK_CAP is 01b on a
	 * requester and 01b or 10b on a responder) */
	if (!both(conn, s->psk ? SPDM_CAP_PSK : SPDM_CAP_KEY_EX))
		return doe_err(ctx, -EOPNOTSUPP, "session: %s not supported by both sides",
			       s->psk ? "PSK_EXCHANGE (PSK_CAP)" : "KEY_EXCHANGE (KEY_EX_CAP)");
	if (!both(conn, SPDM_CAP_ENCRYPT) && !both(conn, SPDM_CAP_MAC))
		return doe_err(ctx, -EOPNOTSUPP, "session: neither ENCRYPT_CAP nor MAC_CAP on both sides");
	if (!s->psk && !spdm_dhe_size(conn->dhe))
		return doe_err(ctx, -EINVAL, "session: DHE group 0x%x not supported", conn->dhe);
	if (!s->psk && (!conn->has_chain || (requester && !conn->peer_key)))
		return doe_err(ctx, -EINVAL, "session: KEY_EXCHANGE needs the responder's certificate chain%s",
			       requester ? " and verified leaf key" : "");
	if (s->psk && (!o->psk_len || o->psk_len > 64 || o->psk_hint_len > SPDM_PSK_HINT_MAX))
		return doe_err(ctx, -EINVAL, "session: PSK of 1-64 bytes and a hint of at most %u needed",
			       SPDM_PSK_HINT_MAX);
	if (!requester && !s->psk && !o->signer)
		return doe_err(ctx, -EINVAL, "session: a responder needs a signer for KEY_EXCHANGE_RSP");
	/* mutual authentication: asked for only where both sides can do it and
	 * a requester key algorithm was negotiated; the encapsulated messages
	 * travel secured, so not with a handshake in the clear */
	if (!requester && o->mut_auth && !s->psk && conn->req_asym_algo &&
	    both(conn, SPDM_CAP_MUT_AUTH) && !both(conn, SPDM_CAP_HANDSHAKE_IN_THE_CLEAR)) {
		if (o->mut_auth != SPDM_MUT_AUTH_ENCAP && o->mut_auth != SPDM_MUT_AUTH_GET_DIGESTS)
			return doe_err(ctx, -EINVAL, "session: MutAuthRequested 0x%02x: only 0x02 and 0x04 (encapsulated) are supported",
				       o->mut_auth);
		if (!o->peer_chain_buf || o->peer_chain_cap < 64)
			return doe_err(ctx, -EINVAL, "session: mutual authentication needs a buffer for the requester's chain");
		s->mut_auth = o->mut_auth;
	}
	TRY(spdm_keys_init(ctx, &s->ks, conn->version, conn->hash_algo, conn->aead));
	s->hash_size = s->ks.hash_size;
	/* HANDSHAKE_IN_THE_CLEAR: both sides, KEY_EXCHANGE only (PSK_FINISH
	 * is always secured) */
	s->in_the_clear = !s->psk && both(conn, SPDM_CAP_HANDSHAKE_IN_THE_CLEAR);
	s->rec.mac_only = !both(conn, SPDM_CAP_ENCRYPT);
	/* DSP0275/DSP0276: MCTP carries 2 bytes of sequence number and allows
	 * random padding; PCIe DOE carries neither (DSP0277 binding tables) */
	s->rec.seq_size = o->binding == SPDM_BINDING_MCTP ? 2 : 0;
	s->rec.max_pad = o->binding == SPDM_BINDING_MCTP && !s->rec.mac_only ? 32 : 0;
	s->rec.align = o->binding == SPDM_BINDING_DOE ? 4 : 1;
	md = spdm_md(conn->hash_algo);
	s->th = EVP_MD_CTX_new();
	if (!s->th || EVP_DigestInit_ex(s->th, md, NULL) != 1) {
		EVP_MD_CTX_free(s->th);
		s->th = NULL;
		return doe_err(ctx, -ENOMEM, "session: out of memory");
	}
	if (sess_th_add(s, conn->vca, conn->vca_len))
		goto fail;
	/* DSP0274 1.3: a multi-key connection puts message D between VCA and
	 * Ct (as libspdm_calculate_th_for_exchange does) */
	if (!s->psk && conn->msg_d_len && sess_th_add(s, conn->msg_d, conn->msg_d_len))
		goto fail;
	/* Ct: the hash of the whole chain as CERTIFICATE delivered it */
	if (!s->psk && sess_th_add(s, conn->chain_hash, s->hash_size))
		goto fail;
	if (!o->half_id) {
		uint16_t id;

		do {
			if (RAND_bytes((uint8_t *)&id, sizeof(id)) != 1)
				goto fail;
		} while (!id);
		s->opts.half_id = id;
	}
	s->state = SPDM_SESS_IDLE;
	*out = s;
	return 0;
fail:
	EVP_MD_CTX_free(s->th);
	s->th = NULL;
	spdm_keys_wipe(&s->ks);
	return doe_err(ctx, -EIO, "session: transcript setup failed");
}

void sess_wipe_keys(struct spdm_sess *s)
{
	spdm_keys_wipe(&s->ks);
	spdm_aead_cache_free(&s->tx_aead);
	spdm_aead_cache_free(&s->rx_aead);
}

/* Any failure ends the session for good: nothing of it may be reused. */
int sess_fail(struct spdm_sess *s, int rc)
{
	sess_wipe_keys(s);
	EVP_PKEY_free(s->dhe);
	s->dhe = NULL;
	EVP_PKEY_free(s->peer_req_key);
	s->peer_req_key = NULL;
	s->state = SPDM_SESS_FAILED;
	s->step = STEP_DONE;
	return rc;
}

int sess_th_add(struct spdm_sess *s, const void *p, size_t len)
{
	if (len && EVP_DigestUpdate(s->th, p, len) != 1)
		return doe_err(s->ctx, -EIO, "session: transcript hash failed");
	return 0;
}

int sess_th_hash(struct spdm_sess *s, uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_MD_CTX_copy_ex(c, s->th) == 1 && EVP_DigestFinal_ex(c, out, NULL) == 1;

	EVP_MD_CTX_free(c);
	return ok ? 0 : doe_err(s->ctx, -EIO, "session: transcript hash failed");
}

struct spdm_neg sess_neg(const struct spdm_sess *s)
{
	struct spdm_neg n = {
		.version = s->conn.version,
		.hash_size = s->hash_size,
		.sig_size = spdm_sig_size(s->conn.asym_algo),
		/* plain messages over DOE come padded to a DW (PCIe §6.30.1) */
		.align = s->opts.binding == SPDM_BINDING_DOE ? 4 : 1,
	};

	return n;
}

/* The direction we send in and the one we receive in. */
static struct spdm_dir_keys *tx(struct spdm_sess *s)
{
	return s->requester ? &s->ks.req : &s->ks.rsp;
}

static struct spdm_dir_keys *rx(struct spdm_sess *s)
{
	return s->requester ? &s->ks.rsp : &s->ks.req;
}

/*
 * Over MCTP the application data of a secured message starts with the
 * MCTP message type of what it carries (0x05, SPDM; DSP0276); over DOE
 * it is the SPDM message alone. The message itself is never longer than
 * a record, so one scratch copy on the stack is bounded.
 */
#define MCTP_TYPE_SPDM 0x05u

int sess_seal(struct spdm_sess *s, const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
	      size_t *out_len)
{
	uint8_t buf[1 + 4096];
	const uint8_t *app = msg;
	size_t alen = len;
	int rc;

	if (s->opts.binding == SPDM_BINDING_MCTP) {
		if (len >= sizeof(buf))
			return doe_err(s->ctx, -EMSGSIZE, "session: %zu-byte message too large", len);
		buf[0] = MCTP_TYPE_SPDM;
		memcpy(buf + 1, msg, len);
		app = buf;
		alen = len + 1;
	}
	rc = spdm_rec_seal_cached(s->ctx, &s->ks, tx(s), &s->tx_aead, &s->rec, app, alen, out, cap,
				  out_len);
	if (app == buf)
		OPENSSL_cleanse(buf, alen);
	/* a full counter ends the session; a buffer too small does not */
	if (rc == -ERANGE)
		return sess_fail(s, rc);
	return rc;
}

int sess_open(struct spdm_sess *s, const uint8_t *in, size_t len, uint8_t *msg, size_t cap,
	      size_t *msg_len)
{
	int rc = spdm_rec_open_cached(s->ctx, &s->ks, rx(s), &s->rx_aead, &s->rec, in, len, msg,
				      cap, msg_len);

	if (rc == -ENOBUFS)
		return rc;
	if (rc)	/* DSP0277: a message that fails to open ends the session */
		return sess_fail(s, rc);
	if (s->opts.binding == SPDM_BINDING_MCTP) {
		if (*msg_len < 1 || msg[0] != MCTP_TYPE_SPDM)
			return sess_fail(s, doe_err(s->ctx, -EBADMSG,
						    "secured message: carries MCTP type 0x%02x, not SPDM",
						    *msg_len ? msg[0] : 0));
		memmove(msg, msg + 1, --*msg_len);
	}
	return 0;
}

/* TH2 is the whole transcript: the data keys follow from it, the
 * transcript and the handshake secrets are no longer needed. */
int sess_data_phase(struct spdm_sess *s)
{
	uint8_t th2[SPDM_MAX_HASH_SIZE];
	int rc = sess_th_hash(s, th2);

	if (!rc)
		rc = spdm_keys_data(s->ctx, &s->ks, th2);
	OPENSSL_cleanse(th2, sizeof(th2));
	if (rc)
		return sess_fail(s, rc);
	EVP_MD_CTX_free(s->th);
	s->th = NULL;
	s->rec.session_id = s->session_id;
	s->state = SPDM_SESS_ESTABLISHED;
	s->step = STEP_DATA;
	return 0;
}

/* ---- public accessors and the data phase ---------------------------- */

int sess_th_chain(struct spdm_sess *s, const uint8_t *chain, size_t len)
{
	uint8_t cm[SPDM_MAX_HASH_SIZE];

	TRY(spdm_hash_all(s->ctx, s->conn.hash_algo, chain, len, cm));
	return sess_th_add(s, cm, s->hash_size);
}

void spdm_sess_fini(struct spdm_sess *s)
{
	if (!s)
		return;
	EVP_MD_CTX_free(s->th);
	EVP_PKEY_free(s->dhe);
	EVP_PKEY_free(s->peer_req_key);
	spdm_aead_cache_free(&s->tx_aead);
	spdm_aead_cache_free(&s->rx_aead);
	OPENSSL_cleanse(s, sizeof(*s));
}

enum spdm_sess_state spdm_sess_state(const struct spdm_sess *s)
{
	return (enum spdm_sess_state)s->state;
}

uint32_t spdm_sess_id(const struct spdm_sess *s)
{
	return s->session_id;
}

bool spdm_sess_is_psk(const struct spdm_sess *s)
{
	return s->psk;
}

bool spdm_sess_is_mutual(const struct spdm_sess *s)
{
	return s->mut_auth != 0;
}

const struct spdm_keys *spdm_sess_keys(const struct spdm_sess *s)
{
	return s->state == SPDM_SESS_ESTABLISHED ? &s->ks : NULL;
}

const struct spdm_rec_params *spdm_sess_rec_params(const struct spdm_sess *s)
{
	return &s->rec;
}

int spdm_sess_seal(struct spdm_sess *s, const uint8_t *msg, size_t len, uint8_t *out,
		   size_t out_cap, size_t *out_len)
{
	if (s->state != SPDM_SESS_ESTABLISHED)
		return doe_err(s->ctx, -ENOTCONN, "session: not established");
	return sess_seal(s, msg, len, out, out_cap, out_len);
}

int spdm_sess_open(struct spdm_sess *s, const uint8_t *in, size_t len, uint8_t *msg,
		   size_t msg_cap, size_t *msg_len)
{
	if (s->state != SPDM_SESS_ESTABLISHED)
		return doe_err(s->ctx, -ENOTCONN, "session: not established");
	return sess_open(s, in, len, msg, msg_cap, msg_len);
}

int spdm_chain_encode(struct doe_ctx *ctx, uint32_t hash_algo, const uint8_t *certs_der,
		      size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	const unsigned char *p = certs_der;
	size_t hs = spdm_hash_size(hash_algo), root_len, total;
	X509 *root;

	if (!hs || !len || len > 0x7fffffff)
		return doe_err(ctx, -EINVAL, "chain: no certificates or hash 0x%x", hash_algo);
	root = d2i_X509(NULL, &p, (long)len);
	if (!root)
		return doe_err(ctx, -EBADMSG, "chain: the first certificate is not DER");
	X509_free(root);
	root_len = (size_t)(p - certs_der);
	total = 4 + hs + len;
	if (total > SPDM_MAX_CHAIN_SIZE || total > cap)
		return doe_err(ctx, -E2BIG, "chain: %zu bytes, room for %zu (at most 65535)", total, cap);
	out[0] = (uint8_t)total;
	out[1] = (uint8_t)(total >> 8);
	out[2] = out[3] = 0;
	TRY(spdm_hash_all(ctx, hash_algo, certs_der, root_len, out + 4));
	memcpy(out + 4 + hs, certs_der, len);
	*out_len = total;
	return 0;
}
