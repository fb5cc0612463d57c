// SPDX-License-Identifier: MIT
/*
 * The SPDM responder (DSP0274 1.0-1.3): sans-I/O, one request in, one
 * response out. Every request is checked against the connection state
 * (GET_VERSION, then GET_CAPABILITIES, then NEGOTIATE_ALGORITHMS, then the
 * rest); a request out of order gets ERROR UnexpectedRequest, a malformed
 * or invalid one (fields, flag combinations DSP0274 forbids) InvalidRequest,
 * a wrong SPDMVersion VersionMismatch, an unknown or unsupported code
 * UnsupportedRequest, one over our MaxSPDMmsgSize RequestTooLarge (1.2+),
 * and a response over the requester's ResponseTooLarge (1.2+); the
 * responder keeps serving. tests/test_spdm_responder.c lists the clauses.
 */
#include <limits.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <doekit/cursor.h>
#include "msg.h"
#include "spdm_int.h"
#include <doekit/spdm_session.h>
#include "internal.h"

enum rsp_state {
	RP_IDLE,	/* nothing yet: only GET_VERSION */
	RP_VERSION,	/* VERSION sent: GET_CAPABILITIES next */
	RP_CAPS,	/* CAPABILITIES sent: NEGOTIATE_ALGORITHMS next */
	RP_READY,	/* algorithms negotiated */
};

struct spdm_rsp {
	struct doe_ctx *ctx;
	struct spdm_rsp_config cfg;
	enum rsp_state st;
	uint8_t ver;
	struct spdm_ts ts;
	uint32_t hash, meas_hash;
	uint8_t meas_spec;		/* MeasurementSpecificationSel (0: none) */
	uint32_t req_dts;		/* requester DataTransferSize (1.2+) */
	uint32_t req_max;		/* requester MaxSPDMmsgSize (1.2+, else 0) */
	uint8_t req_ver;		/* version for an ERROR before negotiation */
	size_t root_len;		/* DER of the first certificate */
	uint8_t chain_hdr[4 + SPDM_MAX_HASH_SIZE];
	size_t chain_hdr_len;
	size_t chain_len;
	uint8_t chain_digest[SPDM_MAX_HASH_SIZE];
	uint32_t chain_for_hash;	/* chain_hdr/chain_digest are for this hash, 0: none */
	unsigned busy_left, not_ready_left;
	unsigned meas_changed_left;	/* test knob: "content changed" still to report */
	uint8_t pending[SPDM_MAX_REQUEST_SIZE];	/* request answered with ResponseNotReady */
	size_t pending_len;
	uint8_t token;
	bool pending_valid;
	bool authenticated;		/* a CHALLENGE_AUTH went out since GET_VERSION */
	/* for sessions (spdm_rsp_conn) */
	uint32_t req_flags;		/* GET_CAPABILITIES Flags */
	uint16_t dhe, aead;		/* selected in ALGORITHMS, 0: none */
	uint32_t req_asym;		/* ReqBaseAsymAlg selected, 0: none */
	bool opaque_fmt1;
	struct spdm_pkey_keep sign_keep;	/* the software signer's context */
};

_Static_assert(sizeof(struct spdm_rsp) <= SPDM_RESPONDER_CTX_SIZE,
	       "SPDM_RESPONDER_CTX_SIZE too small");

static const uint8_t default_rom[] = "doekit emulated boot ROM";
static const uint8_t default_fw[] = "doekit emulated firmware 0.1";
static const uint8_t default_cfg[] = { 0x01, 0x00, 0x00, 0x00 };
static const struct spdm_meas_value default_meas[] = {
	{ .index = 1, .type = 0, .value = default_rom, .value_size = sizeof(default_rom) - 1 },
	{ .index = 2, .type = 1, .value = default_fw, .value_size = sizeof(default_fw) - 1 },
	{ .index = 3, .type = 3, .raw_only = true, .value = default_cfg,
	  .value_size = sizeof(default_cfg) },
};

void spdm_rsp_config_init(struct spdm_rsp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->versions = SPDM_VMASK_ALL;
	c->hash_algos = SPDM_HASH_ALL;
	c->meas_hash_algos = SPDM_HASH_ALL;
	c->flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG;
	c->dhe_algos = SPDM_DHE_ALL;
	c->aead_algos = SPDM_AEAD_ALL;
	c->req_asym_algos = SPDM_ASYM_ALL;
	c->ct_exponent = 12;
	c->data_transfer_size = 4096;
	c->req_align = 1;
}

int spdm_rsp_init(void *mem, size_t mem_len, struct doe_ctx *ctx,
		  const struct spdm_rsp_config *cfg, struct spdm_rsp **out)
{
	struct spdm_rsp *r = mem;
	const uint8_t *p = NULL;
	size_t root_len = 0;
	X509 *root;

	if (!mem || !cfg || !out)
		return doe_err(ctx, -EINVAL, "spdm_rsp_init: NULL argument");
	if (mem_len < sizeof(*r))
		return doe_err(ctx, -EINVAL, "spdm_rsp_init: %zu bytes, needs %zu", mem_len,
			       sizeof(*r));
	if ((uintptr_t)mem % _Alignof(struct spdm_rsp))
		return doe_err(ctx, -EINVAL, "spdm_rsp_init: memory not aligned");
	if (cfg->flags & (SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_CERT)) {
		if (!spdm_asym_supported(cfg->asym_algo))
			return doe_err(ctx, -EOPNOTSUPP, "SPDM responder: %s not supported by this libcrypto",
				       spdm_asym_name(cfg->asym_algo));
		if (!spdm_sig_size(cfg->asym_algo) || !cfg->certs_der || !cfg->signer ||
		    !cfg->signer->sign)
			return doe_err(ctx, -EINVAL,
				       "SPDM responder: CERT/CHAL/MEAS_SIG need asym_algo, certificates and a signer");
	}
	if ((cfg->flags & (SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG)) && !(cfg->flags & SPDM_CAP_CERT))
		return doe_err(ctx, -EINVAL, "SPDM responder: CHAL_CAP and MEAS_CAP with signatures need CERT_CAP");
	if (cfg->certs_der) {
		p = cfg->certs_der;
		root = d2i_X509(NULL, &p, (long)cfg->certs_der_len);
		if (!root) {
			ERR_clear_error();
			return doe_err(ctx, -EINVAL, "SPDM responder: certs_der does not start with a DER certificate");
		}
		X509_free(root);
		root_len = (size_t)(p - cfg->certs_der);
	}
	if (cfg->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE_12)
		return doe_err(ctx, -EINVAL, "SPDM responder: data_transfer_size %u < 42",
			       cfg->data_transfer_size);
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->cfg = *cfg;
	if (!r->cfg.req_align)
		r->cfg.req_align = 1;
	if (!r->cfg.meas) {
		r->cfg.meas = default_meas;
		r->cfg.meas_count = ARRAY_SIZE(default_meas);
	}
	r->root_len = root_len;
	r->busy_left = cfg->busy_count;
	r->not_ready_left = cfg->not_ready_count;
	r->meas_changed_left = cfg->meas_changed_count;
	spdm_ts_init(&r->ts);
	*out = r;
	return 0;
}

void spdm_rsp_fini(struct spdm_rsp *r)
{
	if (!r)
		return;
	spdm_ts_free(&r->ts);
	spdm_pkey_keep_free(&r->sign_keep);
	OPENSSL_cleanse(r->pending, sizeof(r->pending));
}

/* ---- helpers ------------------------------------------------------------ */

struct reply {
	struct doe_wr w;
	size_t *out_len;
};

/* DSP0274 §10.12: an ERROR carries the negotiated version; before that,
 * the version of the request when we support it, else 1.0. */
static uint8_t err_version(const struct spdm_rsp *r)
{
	return r->st >= RP_CAPS ? r->ver : r->req_ver;
}

static int error_rsp_ver(struct reply *o, uint8_t ver, uint8_t code, uint8_t data)
{
	o->w.off = 0;
	o->w.failed = false;
	spdm_enc_error(&o->w, ver, code, data, NULL, 0);
	if (!doe_wr_ok(&o->w))
		return -EMSGSIZE;
	*o->out_len = doe_wr_len(&o->w);
	return 0;
}

static int error_rsp(struct spdm_rsp *r, struct reply *o, uint8_t code, uint8_t data)
{
	return error_rsp_ver(o, err_version(r), code, data);
}

/* A request that failed to parse: the message says why (kept in ctx). */
static int invalid(struct spdm_rsp *r, struct reply *o)
{
	return error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
}

static int done(struct spdm_rsp *r, struct reply *o)
{
	if (!doe_wr_ok(&o->w)) {
		doe_err(r->ctx, -EMSGSIZE, "SPDM responder: response does not fit %zu bytes",
			o->w.cap);
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	}
	*o->out_len = doe_wr_len(&o->w);
	return 0;
}

static struct spdm_neg neg(const struct spdm_rsp *r)
{
	struct spdm_neg n = {
		.version = r->ver,
		.hash_size = spdm_hash_size(r->hash),
		.sig_size = spdm_sig_size(r->cfg.asym_algo),
		.align = r->cfg.req_align,
	};
	return n;
}

static bool version_ok(const struct spdm_rsp *r, uint8_t v)
{
	return v >= SPDM_V10 && v <= SPDM_V13 && (r->cfg.versions & SPDM_VMASK(v));
}

static uint32_t pick(uint32_t offered, const uint32_t *order, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (offered & order[i])
			return order[i];
	return 0;
}

/* Bytes [off, off+n) of the SPDM chain: header, RootHash, DER certs. */
static void chain_copy(const struct spdm_rsp *r, size_t off, size_t n, uint8_t *dst)
{
	while (n) {
		size_t k;

		if (off < r->chain_hdr_len) {
			k = r->chain_hdr_len - off;
			k = k < n ? k : n;
			memcpy(dst, r->chain_hdr + off, k);
		} else {
			k = n;
			memcpy(dst, r->cfg.certs_der + (off - r->chain_hdr_len), k);
		}
		dst += k;
		off += k;
		n -= k;
	}
}

static int sign_into(struct spdm_rsp *r, struct reply *o, uint8_t op, const uint8_t *th)
{
	size_t sl = spdm_sig_size(r->cfg.asym_algo);
	uint8_t *sig = doe_wr_take(&o->w, sl);
	int rc;

	if (!sig)
		return done(r, o);
	rc = spdm_sign_th_keep(r->ctx, &r->sign_keep, r->cfg.signer, r->cfg.signer_priv, r->ver,
			       r->cfg.asym_algo, r->hash, op, th, sig, sl);
	if (rc < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	if (r->cfg.corrupt_signature)
		sig[sl / 2] ^= 0x01;
	return done(r, o);
}

/* ---- VCA ---------------------------------------------------------------- */

static int h_get_version(struct spdm_rsp *r, const uint8_t *req, size_t len, struct reply *o)
{
	uint8_t vers[4];
	unsigned n = 0, v;
	int mlen;

	/* DSP0274 §10.3: GET_VERSION is always 1.0, and so is an ERROR to a
	 * bad one, whatever was negotiated; being an error, it changes no
	 * state (libspdm_get_response_version does not reset either) */
	if ((mlen = spdm_parse_get_version(r->ctx, NULL, req, len)) < 0)
		return error_rsp_ver(o, SPDM_V10,
				     req[0] != SPDM_V10 ? SPDM_ERR_VERSION_MISMATCH
							: SPDM_ERR_INVALID_REQUEST,
				     0);
	/* GET_VERSION resets the connection and every transcript */
	spdm_ts_reset(&r->ts);
	r->st = RP_IDLE;
	r->req_dts = 0;
	r->req_max = 0;
	r->pending_valid = false;
	r->authenticated = false;
	for (v = SPDM_V10; v <= SPDM_V13; v++)
		if (version_ok(r, (uint8_t)v))
			vers[n++] = (uint8_t)v;
	spdm_enc_version(&o->w, vers, n);
	if (!doe_wr_ok(&o->w))
		return done(r, o);
	if (spdm_ts_vca(r->ctx, &r->ts, req, (size_t)mlen) < 0 ||
	    spdm_ts_vca(r->ctx, &r->ts, o->w.p, doe_wr_len(&o->w)) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	r->st = RP_VERSION;
	return done(r, o);
}

/* The requester flags DSP0274 defines in version ver; the rest are
 * reserved there and ignored, as a receiver does with any reserved field
 * (libspdm_mask_capability_flags does the same). A 1.0 GET_CAPABILITIES
 * has no Flags at all. */
static uint32_t req_flags_defined(uint8_t ver)
{
	uint32_t m = 0;

	if (ver >= SPDM_V11)
		m |= SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC |
		     SPDM_CAP_MUT_AUTH | SPDM_CAP_KEY_EX | SPDM_CAP_PSK | SPDM_CAP_ENCAP |
		     SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR |
		     SPDM_CAP_PUB_KEY_ID;
	if (ver >= SPDM_V12)
		m |= SPDM_CAP_CHUNK;
	if (ver >= SPDM_V13)
		m |= SPDM_CAP_EP_INFO | SPDM_CAP_EVENT | SPDM_CAP_MULTI_KEY;
	return m;
}

/*
 * The combinations of requester flags that DSP0274 forbids, in the order
 * libspdm_check_request_flag_compatibility tests them. Returns NULL when
 * the flags are consistent, else the broken rule for the error message.
 * (Requester CHAL_CAP is defined from 1.1 on: it announces that the
 * requester can answer an encapsulated CHALLENGE for mutual auth.)
 */
static const char *req_flags_conflict(uint8_t ver, uint32_t f)
{
	unsigned psk = (f & SPDM_CAP_PSK) >> SPDM_CAP_PSK_SHIFT;
	unsigned ep_info = (f & SPDM_CAP_EP_INFO) >> SPDM_CAP_EP_INFO_SHIFT;
	unsigned multi_key = (f & SPDM_CAP_MULTI_KEY) >> SPDM_CAP_MULTI_KEY_SHIFT;
	bool key_ex = f & SPDM_CAP_KEY_EX, cert = f & SPDM_CAP_CERT;
	bool pub_key = f & SPDM_CAP_PUB_KEY_ID, chal = f & SPDM_CAP_CHAL;

	if (ver < SPDM_V11)
		return NULL;
	/* §10.4 requester PSK_CAP: 01b is the only defined non-zero value
	 * (10b, PSK with context, is a responder value) */
	if (psk >= 2)
		return "PSK_CAP is a reserved value";
	/* §10.4: a session needs MAC_CAP or ENCRYPT_CAP; without KEY_EX_CAP
	 * and PSK_CAP there is no session for the session flags to apply to */
	if (key_ex || psk) {
		if (!(f & (SPDM_CAP_MAC | SPDM_CAP_ENCRYPT)))
			return "KEY_EX_CAP or PSK_CAP without MAC_CAP or ENCRYPT_CAP";
	} else {
		if (f & (SPDM_CAP_MAC | SPDM_CAP_ENCRYPT | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD |
			 SPDM_CAP_HANDSHAKE_IN_THE_CLEAR))
			return "MAC/ENCRYPT/HBEAT/KEY_UPD/HANDSHAKE_IN_THE_CLEAR_CAP without KEY_EX_CAP or PSK_CAP";
		if (ver >= SPDM_V13 && (f & SPDM_CAP_EVENT))
			return "EVENT_CAP without KEY_EX_CAP or PSK_CAP";
	}
	/* §10.4: HANDSHAKE_IN_THE_CLEAR_CAP qualifies KEY_EXCHANGE only */
	if (!key_ex && psk && (f & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR))
		return "HANDSHAKE_IN_THE_CLEAR_CAP without KEY_EX_CAP";
	if (cert || pub_key) {
		/* §10.4: a certificate chain and a provisioned public key
		 * exclude each other */
		if (cert && pub_key)
			return "CERT_CAP together with PUB_KEY_ID_CAP";
		/* ... and the key must be usable: CHALLENGE, KEY_EXCHANGE or
		 * (1.3) signed endpoint info */
		if (!chal && !key_ex && (ver < SPDM_V13 || ep_info < 2))
			return "CERT_CAP or PUB_KEY_ID_CAP with nothing that uses the key";
	} else {
		if (chal || (f & SPDM_CAP_MUT_AUTH))
			return "CHAL_CAP or MUT_AUTH_CAP without CERT_CAP or PUB_KEY_ID_CAP";
		if (ver >= SPDM_V13 && ep_info == 2)
			return "signed EP_INFO_CAP without CERT_CAP or PUB_KEY_ID_CAP";
	}
	/* §10.4: mutual authentication runs in CHALLENGE or in KEY_EXCHANGE */
	if ((f & SPDM_CAP_MUT_AUTH) && !key_ex && !chal)
		return "MUT_AUTH_CAP without KEY_EX_CAP or CHAL_CAP";
	/* DSP0274 1.1 §10.4: in 1.1 mutual authentication is always
	 * encapsulated (1.2 added the optimized flow) */
	if (ver == SPDM_V11 && (f & SPDM_CAP_MUT_AUTH) && !(f & SPDM_CAP_ENCAP))
		return "MUT_AUTH_CAP without ENCAP_CAP (1.1)";
	if (ver >= SPDM_V13) {
		if (ep_info == 3)
			return "EP_INFO_CAP is a reserved value";
		if (multi_key == 3)
			return "MULTI_KEY_CAP is a reserved value";
		/* §10.4: multiple keys are certificate slots */
		if (multi_key && (pub_key || !cert))
			return "MULTI_KEY_CAP without CERT_CAP, or with PUB_KEY_ID_CAP";
	}
	return NULL;
}

/* Everything in a parsed GET_CAPABILITIES that DSP0274 says makes it an
 * invalid request; 0 or -EINVAL with the reason in ctx. */
static int check_get_capabilities(struct spdm_rsp *r, const uint8_t *req, size_t len,
				  const struct spdm_caps *rc)
{
	uint32_t f = rc->flags & req_flags_defined(r->ver);
	struct spdm_hdr h;
	const char *why = req_flags_conflict(r->ver, f);

	if (why)
		return doe_err(r->ctx, -EINVAL, "GET_CAPABILITIES: Flags 0x%08x: %s", rc->flags,
			       why);
	/* DSP0274 1.2.2/1.3 §10.4: without CHUNK_CAP there is nothing to
	 * reassemble, so MaxSPDMmsgSize shall equal DataTransferSize (libspdm
	 * enforces this from 1.2 on; its requester sends them equal) */
	if (r->ver >= SPDM_V12 && !(f & SPDM_CAP_CHUNK) &&
	    rc->max_msg_size != rc->data_transfer_size)
		return doe_err(r->ctx, -EINVAL,
			       "GET_CAPABILITIES: MaxSPDMmsgSize %u != DataTransferSize %u without CHUNK_CAP",
			       rc->max_msg_size, rc->data_transfer_size);
	/* DSP0274 1.3 §10.4: the SupportedAlgorithms block comes as a Large
	 * SPDM message, so asking for it needs CHUNK_CAP */
	if (r->ver >= SPDM_V13 && spdm_parse_hdr(r->ctx, req, len, &h) == 0 &&
	    (h.param1 & SPDM_GET_CAPS_PARAM1_SUPPORTED_ALGS) && !(f & SPDM_CAP_CHUNK))
		return doe_err(r->ctx, -EINVAL,
			       "GET_CAPABILITIES: Param1 SupportedAlgorithms without CHUNK_CAP");
	return 0;
}

static int h_get_capabilities(struct spdm_rsp *r, const uint8_t *req, size_t len,
			      struct reply *o)
{
	struct spdm_caps rc, c = { 0 };
	struct spdm_neg n;
	int mlen;

	/* DSP0274 §10.4: GET_CAPABILITIES only right after VERSION (an
	 * ordering error), then the version it carries must be one we offered */
	if (r->st != RP_VERSION)
		return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (!version_ok(r, req[0]))
		return error_rsp(r, o, SPDM_ERR_VERSION_MISMATCH, 0);
	r->ver = req[0];
	n = neg(r);
	if ((mlen = spdm_parse_get_capabilities(r->ctx, &n, req, len, &rc)) < 0 ||
	    check_get_capabilities(r, req, len, &rc) < 0)
		return invalid(r, o);
	r->req_dts = rc.data_transfer_size;
	r->req_max = rc.max_msg_size;
	r->req_flags = r->ver >= SPDM_V11 ? rc.flags : 0;
	c.ct_exponent = r->cfg.ct_exponent;
	c.flags = r->cfg.flags;
	c.data_transfer_size = r->cfg.data_transfer_size;
	c.max_msg_size = r->cfg.data_transfer_size;
	spdm_enc_capabilities(&o->w, r->ver, &c);
	if (!doe_wr_ok(&o->w))
		return done(r, o);
	if (spdm_ts_vca(r->ctx, &r->ts, req, (size_t)mlen) < 0 ||
	    spdm_ts_vca(r->ctx, &r->ts, o->w.p, doe_wr_len(&o->w)) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	r->st = RP_CAPS;
	return done(r, o);
}

static const uint32_t hash_order[] = {
	SPDM_HASH_SHA384, SPDM_HASH_SHA256, SPDM_HASH_SHA512,
	SPDM_HASH_SHA3_384, SPDM_HASH_SHA3_256, SPDM_HASH_SHA3_512,
};

static int prepare_chain(struct spdm_rsp *r)
{
	size_t hs = spdm_hash_size(r->hash);
	uint8_t *chain_hash_input;
	EVP_MD_CTX *mc;
	unsigned int dl;
	int ok;

	/* the certificates are fixed for the responder's life (cfg is a copy,
	 * an emulated device with new ones makes a new responder): the
	 * header and digest are those of the last connection with this hash */
	if (r->chain_for_hash == r->hash)
		return 0;
	r->chain_for_hash = 0;
	r->chain_hdr_len = 4 + hs;
	r->chain_len = r->chain_hdr_len + r->cfg.certs_der_len;
	if (r->chain_len > SPDM_MAX_CHAIN_SIZE)
		return doe_err(r->ctx, -E2BIG, "SPDM responder: chain of %zu bytes > 65535",
			       r->chain_len);
	r->chain_hdr[0] = (uint8_t)r->chain_len;
	r->chain_hdr[1] = (uint8_t)(r->chain_len >> 8);
	r->chain_hdr[2] = 0;
	r->chain_hdr[3] = 0;
	TRY(spdm_hash_all(r->ctx, r->hash, r->cfg.certs_der, r->root_len, r->chain_hdr + 4));
	chain_hash_input = r->chain_hdr;
	mc = EVP_MD_CTX_new();
	ok = mc && EVP_DigestInit_ex(mc, spdm_md_ctx(r->ctx, r->hash), NULL) == 1 &&
	     EVP_DigestUpdate(mc, chain_hash_input, r->chain_hdr_len) == 1 &&
	     EVP_DigestUpdate(mc, r->cfg.certs_der, r->cfg.certs_der_len) == 1 &&
	     EVP_DigestFinal_ex(mc, r->chain_digest, &dl) == 1;
	EVP_MD_CTX_free(mc);
	if (!ok)
		return doe_err(r->ctx, -EIO, "SPDM responder: hashing the chain failed");
	r->chain_for_hash = r->hash;
	return 0;
}

static const uint32_t dhe_order[] = {
	SPDM_DHE_SECP384R1, SPDM_DHE_SECP256R1, SPDM_DHE_SECP521R1,
	SPDM_DHE_FFDHE3072, SPDM_DHE_FFDHE4096, SPDM_DHE_FFDHE2048,
};
static const uint32_t req_asym_order[] = {
	SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P521, SPDM_ASYM_EDDSA_25519,
	SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_RSASSA_3072, SPDM_ASYM_RSAPSS_2048, SPDM_ASYM_RSASSA_2048,
	SPDM_ASYM_RSAPSS_4096, SPDM_ASYM_RSASSA_4096, SPDM_ASYM_EDDSA_448,
};
static const uint32_t aead_order[] = {
	SPDM_AEAD_AES_256_GCM, SPDM_AEAD_CHACHA20_POLY1305, SPDM_AEAD_AES_128_GCM,
};

/* Our pick in one AlgStruct: only when both of us can hold a session of
 * the kind the struct serves. ReqBaseAsymAlg (mutual authentication) is
 * not ours to choose without MUT_AUTH_CAP. */
static uint16_t select_struct(struct spdm_rsp *r, const struct spdm_alg_struct *a)
{
	/* PSK_CAP is two bits and the two sides use different values (a
	 * requester 01b, a responder 01b or 10b): each only needs some */
	bool key_ex = r->req_flags & r->cfg.flags & SPDM_CAP_KEY_EX;
	bool psk = (r->req_flags & SPDM_CAP_PSK) && (r->cfg.flags & SPDM_CAP_PSK);
	/* libspdm's requester wants an AEAD whenever both sides have
	 * ENCRYPT_CAP or MAC_CAP, even with no session kind in common, and
	 * refuses ALGORITHMS without one (libspdm_req_negotiate_algorithms.c;
	 * found with spdm_requester_emu asking PSK of a responder without) */
	bool aead = r->req_flags & r->cfg.flags & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC);

	switch (a->type) {
	case SPDM_ALGTYPE_DHE:
		if (key_ex)
			r->dhe = (uint16_t)pick(a->bits & r->cfg.dhe_algos, dhe_order,
						ARRAY_SIZE(dhe_order));
		return r->dhe;
	case SPDM_ALGTYPE_AEAD:
		if (key_ex || psk || aead)
			r->aead = (uint16_t)pick(a->bits & r->cfg.aead_algos, aead_order,
						 ARRAY_SIZE(aead_order));
		return r->aead;
	case SPDM_ALGTYPE_KEY_SCHEDULE:
		return (key_ex || psk) ? a->bits & SPDM_KEY_SCHEDULE_SPDM : 0;
	case SPDM_ALGTYPE_REQ_ASYM:
		/* only when we will ask the requester to sign (MUT_AUTH_CAP) */
		if (key_ex && (r->req_flags & r->cfg.flags & SPDM_CAP_MUT_AUTH))
			r->req_asym = pick(a->bits & r->cfg.req_asym_algos, req_asym_order,
					   ARRAY_SIZE(req_asym_order));
		return (uint16_t)r->req_asym;
	}
	return 0;
}

static int h_negotiate_algorithms(struct spdm_rsp *r, const uint8_t *req, size_t len,
				  struct reply *o)
{
	struct spdm_neg n = neg(r);
	struct spdm_algs a, s = { 0 };
	bool meas = r->cfg.flags & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG);
	unsigned i;
	int mlen;

	if (r->st != RP_CAPS)
		return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (req[0] != r->ver)
		return error_rsp(r, o, SPDM_ERR_VERSION_MISMATCH, 0);
	if ((mlen = spdm_parse_negotiate_algorithms(r->ctx, &n, req, len, &a)) < 0)
		return invalid(r, o);
	/* DSP0274 §10.5: DMTF (bit 0) is the only measurement specification;
	 * a requester that offers some and not that one cannot read our
	 * measurements (libspdm_get_response_algorithms: InvalidRequest) */
	if (meas && a.meas_spec && !(a.meas_spec & 0x01)) {
		doe_err(r->ctx, -EINVAL, "NEGOTIATE_ALGORITHMS: MeasurementSpecification 0x%02x without DMTF",
			a.meas_spec);
		return invalid(r, o);
	}
	s.hash = pick(a.hash & r->cfg.hash_algos, hash_order, ARRAY_SIZE(hash_order));
	if (a.asym & r->cfg.asym_algo &
	    (r->ver >= SPDM_V12 ? SPDM_ASYM_ALL : SPDM_ASYM_ALL_10))
		s.asym = r->cfg.asym_algo;
	if (meas) {
		uint32_t mh = s.hash & r->cfg.meas_hash_algos
				      ? s.hash
				      : pick(r->cfg.meas_hash_algos, hash_order, ARRAY_SIZE(hash_order));

		s.meas_spec = a.meas_spec & 0x01;
		s.meas_hash = mh ? SPDM_MEAS_HASH_FROM_BASE(mh) : SPDM_MEAS_HASH_RAW;
		/* A requester that offers no measurement specification gets
		 * none, and no MeasurementHashAlgo with it (as libspdm) */
		if (!s.meas_spec)
			s.meas_hash = 0;
	}
	if (r->ver >= SPDM_V12)
		s.other_params = a.other_params & 0x02 ? 0x02 : a.other_params & 0x01;
	/* AlgStructs echoed, with a selection where both sides can hold a
	 * session (DSP0274 §10.5: one bit of what was offered, or none) */
	s.nstructs = a.nstructs;
	r->dhe = r->aead = 0;
	r->req_asym = 0;
	for (i = 0; i < a.nstructs; i++) {
		s.structs[i].type = a.structs[i].type;
		s.structs[i].bits = select_struct(r, &a.structs[i]);
	}
	r->opaque_fmt1 = s.other_params == 0x02;
	/* No common BaseHashAlgo, or no common BaseAsymAlgo while we sign:
	 * the request offers nothing this connection can run on. DSP0274
	 * names no ErrorCode for it; libspdm answers InvalidRequest, and so
	 * do we (Unspecified would claim a fault of ours). */
	if (!s.hash || (!s.asym && (r->cfg.flags & (SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG)))) {
		doe_err(r->ctx, -EPROTO, "NEGOTIATE_ALGORITHMS: no common %s (offered 0x%x)",
			s.hash ? "BaseAsymAlgo" : "BaseHashAlgo", s.hash ? a.asym : a.hash);
		return invalid(r, o);
	}
	r->hash = s.hash;
	r->meas_hash = s.meas_hash;
	r->meas_spec = s.meas_spec;
	if ((r->cfg.flags & SPDM_CAP_CERT) && prepare_chain(r) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	spdm_enc_algorithms(&o->w, r->ver, &s);
	if (!doe_wr_ok(&o->w))
		return done(r, o);
	if (spdm_ts_vca(r->ctx, &r->ts, req, (size_t)mlen) < 0 ||
	    spdm_ts_vca(r->ctx, &r->ts, o->w.p, doe_wr_len(&o->w)) < 0 ||
	    spdm_ts_start(r->ctx, &r->ts, r->ver, r->hash) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	r->st = RP_READY;
	return done(r, o);
}

/* ---- certificates and CHALLENGE ------------------------------------------ */

static int m_add(struct spdm_rsp *r, const uint8_t *req, size_t mlen, struct reply *o)
{
	if (spdm_ts_m(r->ctx, &r->ts, req, mlen) < 0 ||
	    spdm_ts_m(r->ctx, &r->ts, o->w.p, doe_wr_len(&o->w)) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	return done(r, o);
}

static int h_get_digests(struct spdm_rsp *r, const uint8_t *req, size_t len, struct reply *o)
{
	struct spdm_neg n = neg(r);
	int mlen;

	if (!(r->cfg.flags & SPDM_CAP_CERT))
		return error_rsp(r, o, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_GET_DIGESTS);
	if ((mlen = spdm_parse_get_digests(r->ctx, &n, req, len)) < 0)
		return invalid(r, o);
	spdm_enc_digests(&o->w, r->ver, 0x01, 0x01, r->chain_digest, n.hash_size);
	if (!doe_wr_ok(&o->w))
		return done(r, o);
	return m_add(r, req, (size_t)mlen, o);
}

static int h_get_certificate(struct spdm_rsp *r, const uint8_t *req, size_t len,
			     struct reply *o)
{
	struct spdm_neg n = neg(r);
	struct spdm_get_cert g;
	struct spdm_hdr h;
	size_t max, portion;
	uint8_t *dst;
	int mlen;

	if (!(r->cfg.flags & SPDM_CAP_CERT))
		return error_rsp(r, o, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_GET_CERTIFICATE);
	if ((mlen = spdm_parse_get_certificate(r->ctx, &n, req, len, &g)) < 0 ||
	    spdm_parse_hdr(r->ctx, req, len, &h) < 0)
		return invalid(r, o);
	/* DSP0274 1.3 §10.7: SlotSizeRequested (Param2 bit 0) asks for the
	 * slot's size alone: PortionLength 0, RemainderLength the size, and
	 * Offset and Length are ignored. Before 1.3 Param2 is reserved. */
	if (r->ver >= SPDM_V13 && (h.param2 & SPDM_GET_CERT_PARAM2_SLOT_SIZE)) {
		if (g.slot != 0) {
			doe_err(r->ctx, -EINVAL, "GET_CERTIFICATE: SlotID %u not provisioned",
				g.slot);
			return invalid(r, o);
		}
		spdm_enc_certificate_hdr(&o->w, r->ver, 0, 0, (uint16_t)r->chain_len);
		if (!doe_wr_ok(&o->w))
			return done(r, o);
		return m_add(r, req, (size_t)mlen, o);
	}
	/* §10.7: a slot with no chain, or an Offset at or past its end */
	if (g.slot != 0 || g.offset >= r->chain_len) {
		doe_err(r->ctx, -EINVAL, "GET_CERTIFICATE: SlotID %u Offset %u (chain of %zu in slot 0)",
			g.slot, g.offset, r->chain_len);
		return invalid(r, o);
	}
	/* a portion fits both sides' DataTransferSize (1.2+) and our buffer */
	max = r->cfg.data_transfer_size;
	if (r->ver >= SPDM_V12 && r->req_dts && r->req_dts < max)
		max = r->req_dts;
	if (o->w.cap < max)
		max = o->w.cap;
	if (max < 8 + 1)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	portion = r->chain_len - g.offset;
	if (portion > g.length)
		portion = g.length;
	if (portion > max - 8)
		portion = max - 8;
	/* test knob: a responder that hands out its chain in tiny portions */
	if (r->cfg.cert_portion_max && portion > r->cfg.cert_portion_max)
		portion = r->cfg.cert_portion_max;
	spdm_enc_certificate_hdr(&o->w, r->ver, 0, (uint16_t)portion,
				 (uint16_t)(r->chain_len - g.offset - portion));
	dst = doe_wr_take(&o->w, portion);
	if (!dst)
		return done(r, o);
	chain_copy(r, g.offset, portion, dst);
	return m_add(r, req, (size_t)mlen, o);
}

static bool in_summary(const struct spdm_meas_value *v, uint8_t hash_type)
{
	/* TCB: the immutable ROM measurements (as libspdm's sample) */
	return hash_type == SPDM_SUMMARY_ALL || v->type == 0;
}

/* One DMTF measurement block: the 7 header bytes and the value (raw, or
 * its digest under MeasurementHashAlgo). */
struct block {
	uint8_t hdr[7];
	const uint8_t *value;
	size_t size;
	uint8_t digest[SPDM_MAX_HASH_SIZE];
};

static int make_block(struct spdm_rsp *r, const struct spdm_meas_value *v, bool raw_wanted,
		      struct block *b)
{
	bool raw = v->raw_only || raw_wanted || r->meas_hash == SPDM_MEAS_HASH_RAW;
	uint32_t mh = r->meas_hash >> 1;

	b->size = raw ? v->value_size : spdm_hash_size(mh);
	b->value = raw ? v->value : b->digest;
	if (!raw)
		TRY(spdm_hash_all(r->ctx, mh, v->value, v->value_size, b->digest));
	if (b->size + 3 > 0xFFFF)
		return doe_err(r->ctx, -E2BIG, "measurement %u: %zu bytes", v->index, b->size);
	b->hdr[0] = v->index;
	b->hdr[1] = 0x01;	/* DMTF */
	b->hdr[2] = (uint8_t)(3 + b->size);
	b->hdr[3] = (uint8_t)((3 + b->size) >> 8);
	b->hdr[4] = (uint8_t)((v->type & 0x7F) | (raw ? 0x80 : 0));
	b->hdr[5] = (uint8_t)b->size;
	b->hdr[6] = (uint8_t)(b->size >> 8);
	return 0;
}

static int write_block(struct spdm_rsp *r, struct doe_wr *w, const struct spdm_meas_value *v,
		       bool raw_wanted)
{
	struct block b;

	TRY(make_block(r, v, raw_wanted, &b));
	doe_wr_bytes(w, b.hdr, sizeof(b.hdr));
	return doe_wr_bytes(w, b.value, b.size);
}

/* Summary hash: hash of the concatenated blocks (libspdm's sample),
 * streamed so measurements of any size fit. */
static int summary_hash(struct spdm_rsp *r, uint8_t hash_type, uint8_t *out)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	unsigned int dl;
	struct block b;
	size_t i;
	int ok = mc && EVP_DigestInit_ex(mc, spdm_md_ctx(r->ctx, r->hash), NULL) == 1;

	for (i = 0; ok && i < r->cfg.meas_count; i++) {
		if (!in_summary(&r->cfg.meas[i], hash_type))
			continue;
		ok = make_block(r, &r->cfg.meas[i], false, &b) == 0 &&
		     EVP_DigestUpdate(mc, b.hdr, sizeof(b.hdr)) == 1 &&
		     EVP_DigestUpdate(mc, b.value, b.size) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(mc, out, &dl) == 1;
	EVP_MD_CTX_free(mc);
	return ok ? 0 : doe_err(r->ctx, -EIO, "CHALLENGE_AUTH: measurement summary hash failed");
}

static int h_challenge(struct spdm_rsp *r, const uint8_t *req, size_t len, struct reply *o)
{
	struct spdm_neg n = neg(r);
	/* a summary hash needs measurements, and a negotiated format for them */
	bool meas = (r->cfg.flags & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG)) && r->meas_spec;
	uint8_t th[SPDM_MAX_HASH_SIZE], *p;
	struct spdm_challenge c;
	int mlen;

	if (!(r->cfg.flags & SPDM_CAP_CHAL))
		return error_rsp(r, o, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_CHALLENGE);
	if ((mlen = spdm_parse_challenge(r->ctx, &n, req, len, &c)) < 0)
		return invalid(r, o);
	if (c.slot != 0 || (c.hash_type != SPDM_SUMMARY_NONE && !meas)) {
		doe_err(r->ctx, -EINVAL, "CHALLENGE: SlotID %u, HashType 0x%02x", c.slot, c.hash_type);
		return invalid(r, o);
	}
	doe_wr_u8(&o->w, r->ver);
	doe_wr_u8(&o->w, SPDM_CHALLENGE_AUTH);
	doe_wr_u8(&o->w, 0);		/* ResponseAttribute: slot 0 */
	/* SlotMask: slot 0 only, unless a test knob makes it disagree */
	doe_wr_u8(&o->w, r->cfg.chal_slot_mask ? r->cfg.chal_slot_mask : 0x01);
	doe_wr_bytes(&o->w, r->chain_digest, n.hash_size);
	p = doe_wr_take(&o->w, SPDM_NONCE_SIZE);
	if (p && spdm_random(r->ctx, p, SPDM_NONCE_SIZE) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	if (c.hash_type != SPDM_SUMMARY_NONE) {
		p = doe_wr_take(&o->w, n.hash_size);
		if (p && summary_hash(r, c.hash_type, p) < 0)
			return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	}
	doe_wr_le16(&o->w, 0);		/* OpaqueDataLength */
	if (r->ver >= SPDM_V13)
		doe_wr_bytes(&o->w, c.context, SPDM_REQ_CONTEXT_SIZE);
	if (!doe_wr_ok(&o->w))
		return done(r, o);
	if (spdm_ts_m(r->ctx, &r->ts, req, (size_t)mlen) < 0 ||
	    spdm_ts_m(r->ctx, &r->ts, o->w.p, doe_wr_len(&o->w)) < 0 ||
	    spdm_ts_m_final(r->ctx, &r->ts, th) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	r->authenticated = true;
	return sign_into(r, o, SPDM_CHALLENGE_AUTH, th);
}

/* ---- GET_MEASUREMENTS ------------------------------------------------------ */

static int h_get_measurements(struct spdm_rsp *r, const uint8_t *req, size_t len,
			      struct reply *o)
{
	struct spdm_neg n = neg(r);
	struct spdm_get_meas g;
	uint8_t th[SPDM_MAX_HASH_SIZE], *hdr, *p;
	bool sign, raw;
	size_t i, rec_start, count = 0;
	int mlen;

	if (!(r->cfg.flags & (SPDM_CAP_MEAS_NO_SIG | SPDM_CAP_MEAS_SIG)))
		return error_rsp(r, o, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_GET_MEASUREMENTS);
	/* NEGOTIATE_ALGORITHMS chose no MeasurementSpecification: there is no
	 * format to answer in on this connection (libspdm: UnexpectedRequest) */
	if (!r->meas_spec) {
		doe_err(r->ctx, -EPROTO, "GET_MEASUREMENTS: no MeasurementSpecification negotiated");
		return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	}
	if ((mlen = spdm_parse_get_measurements(r->ctx, &n, req, len, &g)) < 0)
		return invalid(r, o);
	sign = g.attributes & SPDM_MEAS_ATTR_SIGN;
	/* DSP0274 1.2 §10.11 added RawBitStreamRequested; in 1.0/1.1 the bit
	 * is reserved and must not change the answer */
	raw = r->ver >= SPDM_V12 && (g.attributes & SPDM_MEAS_ATTR_RAW);
	if ((sign && !(r->cfg.flags & SPDM_CAP_MEAS_SIG)) || g.slot != 0) {
		doe_err(r->ctx, -EINVAL, "GET_MEASUREMENTS: signature or slot %u not supported", g.slot);
		return invalid(r, o);
	}
	hdr = doe_wr_take(&o->w, 8);
	if (!hdr)
		return done(r, o);
	rec_start = doe_wr_len(&o->w);
	if (g.operation == SPDM_MEAS_OP_ALL) {
		for (i = 0; i < r->cfg.meas_count; i++, count++)
			if (write_block(r, &o->w, &r->cfg.meas[i], raw) < 0)
				return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	} else if (g.operation != SPDM_MEAS_OP_COUNT) {
		for (i = 0; i < r->cfg.meas_count; i++)
			if (r->cfg.meas[i].index == g.operation)
				break;
		if (i == r->cfg.meas_count) {
			doe_err(r->ctx, -ENOENT, "GET_MEASUREMENTS: no measurement index %u",
				g.operation);
			return invalid(r, o);
		}
		if (write_block(r, &o->w, &r->cfg.meas[i], raw) < 0)
			return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
		count = 1;
	}
	if (!doe_wr_ok(&o->w))
		return done(r, o);
	{
		size_t rl = doe_wr_len(&o->w) - rec_start;

		hdr[0] = r->ver;
		hdr[1] = SPDM_MEASUREMENTS;
		hdr[2] = g.operation == SPDM_MEAS_OP_COUNT ? (uint8_t)r->cfg.meas_count : 0;
		hdr[3] = sign && r->ver >= SPDM_V11 ? g.slot : 0;
		/* DSP0274 1.2 MEASUREMENTS Param2 bits 5:4, signed responses only;
		 * the knob says "changed" this often, then "no change" */
		if (sign && r->ver >= SPDM_V12 && r->cfg.meas_changed_count) {
			hdr[3] |= r->meas_changed_left ? SPDM_MEAS_CONTENT_CHANGED
						      : SPDM_MEAS_CONTENT_UNCHANGED;
			if (r->meas_changed_left)
				r->meas_changed_left--;
		}
		hdr[4] = (uint8_t)count;
		hdr[5] = (uint8_t)rl;
		hdr[6] = (uint8_t)(rl >> 8);
		hdr[7] = (uint8_t)(rl >> 16);
	}
	p = doe_wr_take(&o->w, SPDM_NONCE_SIZE);
	if (p && spdm_random(r->ctx, p, SPDM_NONCE_SIZE) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	doe_wr_le16(&o->w, 0);	/* OpaqueDataLength */
	if (r->ver >= SPDM_V13)
		doe_wr_bytes(&o->w, g.context, SPDM_REQ_CONTEXT_SIZE);
	if (!doe_wr_ok(&o->w))
		return done(r, o);
	if (spdm_ts_l(r->ctx, &r->ts, req, (size_t)mlen) < 0 ||
	    spdm_ts_l(r->ctx, &r->ts, o->w.p, doe_wr_len(&o->w)) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	if (!sign)
		return done(r, o);
	if (spdm_ts_l_final(r->ctx, &r->ts, th) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	return sign_into(r, o, SPDM_MEASUREMENTS, th);
}

/* ---- dispatch -------------------------------------------------------------- */

static bool takes_time(uint8_t code)
{
	return code == SPDM_CHALLENGE || code == SPDM_GET_MEASUREMENTS;
}

static int not_ready(struct spdm_rsp *r, const uint8_t *req, size_t len, struct reply *o)
{
	uint8_t ext[4];

	if (r->not_ready_left != UINT_MAX)
		r->not_ready_left--;
	if (req != r->pending) {
		if (len > sizeof(r->pending))
			return invalid(r, o);
		memcpy(r->pending, req, len);
		r->pending_len = len;
		r->token++;
	}
	r->pending_valid = true;
	ext[0] = r->cfg.not_ready_rdt_exponent;	/* RDTExponent */
	ext[1] = req[1];			/* RequestCode */
	ext[2] = r->token;			/* Token */
	ext[3] = 1;				/* RDTM */
	o->w.off = 0;
	spdm_enc_error(&o->w, r->ver, SPDM_ERR_RESPONSE_NOT_READY, 0, ext, sizeof(ext));
	return done(r, o);
}

static int dispatch(struct spdm_rsp *r, const uint8_t *req, size_t len, struct reply *o)
{
	uint8_t code = req[1];

	if (code == SPDM_GET_VERSION)
		return h_get_version(r, req, len, o);
	if (r->st == RP_IDLE)
		return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (r->st >= RP_CAPS && req[0] != r->ver)
		return error_rsp(r, o, SPDM_ERR_VERSION_MISMATCH, 0);
	if (code != SPDM_GET_CAPABILITIES && r->busy_left) {
		if (r->busy_left != UINT_MAX)
			r->busy_left--;
		return error_rsp(r, o, SPDM_ERR_BUSY, 0);
	}
	switch (code) {
	case SPDM_GET_CAPABILITIES:
		return h_get_capabilities(r, req, len, o);
	case SPDM_NEGOTIATE_ALGORITHMS:
		return h_negotiate_algorithms(r, req, len, o);
	case SPDM_GET_DIGESTS:
	case SPDM_GET_CERTIFICATE:
	case SPDM_CHALLENGE:
	case SPDM_GET_MEASUREMENTS:
		if (r->st != RP_READY)
			return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
		break;
	case SPDM_RESPOND_IF_READY:
		return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	default:
		return error_rsp(r, o, SPDM_ERR_UNSUPPORTED_REQUEST, code);
	}
	/* Transcript windows (libspdm_reset_message_buffer_via_request_code):
	 * L1/L2 covers consecutive GET_MEASUREMENTS only; GET_DIGESTS starts
	 * M1/M2's B afresh; GET_MEASUREMENTS before CHALLENGE completed drops
	 * B and C. */
	if (code != SPDM_GET_MEASUREMENTS && spdm_ts_l_restart(r->ctx, &r->ts) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	if ((code == SPDM_GET_DIGESTS || (code == SPDM_GET_MEASUREMENTS && !r->authenticated)) &&
	    spdm_ts_m_restart(r->ctx, &r->ts) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	if (takes_time(code) && r->not_ready_left && req != r->pending)
		return not_ready(r, req, len, o);
	switch (code) {
	case SPDM_GET_DIGESTS:
		return h_get_digests(r, req, len, o);
	case SPDM_GET_CERTIFICATE:
		return h_get_certificate(r, req, len, o);
	case SPDM_CHALLENGE:
		return h_challenge(r, req, len, o);
	default: {
		int rc = h_get_measurements(r, req, len, o);

		/* An ERROR to GET_MEASUREMENTS (e.g. an index that does not
		 * exist) ends the L1/L2 window: libspdm resets message M when it
		 * sends one (libspdm_get_response_measurements) and when it
		 * receives one, so its requester, which probes indices one by
		 * one, signs only what follows the last ERROR. */
		if (!rc && *o->out_len >= 2 && o->w.p[1] == SPDM_ERROR &&
		    spdm_ts_l_restart(r->ctx, &r->ts) < 0)
			return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
		return rc;
	}
	}
}

/* The request codes this responder answers other than with
 * UnsupportedRequest. */
static bool implemented(uint8_t code)
{
	switch (code) {
	case SPDM_GET_VERSION:
	case SPDM_GET_CAPABILITIES:
	case SPDM_NEGOTIATE_ALGORITHMS:
	case SPDM_GET_DIGESTS:
	case SPDM_GET_CERTIFICATE:
	case SPDM_CHALLENGE:
	case SPDM_GET_MEASUREMENTS:
	case SPDM_RESPOND_IF_READY:
		return true;
	default:
		return false;
	}
}

static int respond_if_ready(struct spdm_rsp *r, const uint8_t *req, size_t len, struct reply *o)
{
	struct spdm_neg n = neg(r);
	uint8_t code, token;

	if (r->st < RP_CAPS)
		return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (req[0] != r->ver)
		return error_rsp(r, o, SPDM_ERR_VERSION_MISMATCH, 0);
	if (spdm_parse_respond_if_ready(r->ctx, &n, req, len, &code, &token) < 0)
		return invalid(r, o);
	/* Nothing to be ready with: a valid request at the wrong time */
	if (!r->pending_valid) {
		doe_err(r->ctx, -EPROTO, "RESPOND_IF_READY: no ResponseNotReady outstanding");
		return error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	}
	/* DSP0274 §10.13: RequestCode and Token shall be those of the
	 * ResponseNotReady; others are invalid fields (libspdm: InvalidRequest),
	 * and the pending request stays pending for the right ones */
	if (code != r->pending[1] || token != r->token) {
		doe_err(r->ctx, -EINVAL,
			"RESPOND_IF_READY: RequestCode 0x%02x Token %u, pending 0x%02x Token %u", code,
			token, r->pending[1], r->token);
		return invalid(r, o);
	}
	if (r->not_ready_left)
		return not_ready(r, r->pending, r->pending_len, o);
	r->pending_valid = false;
	return dispatch(r, r->pending, r->pending_len, o);
}

/*
 * DSP0274 1.2 §10.12 (and "Large SPDM message transfer"): a response
 * larger than the requester's MaxSPDMmsgSize shall be ERROR
 * ResponseTooLarge, whose ExtendedErrorData is the response size. We do
 * not chunk, so whatever the handler built and did not fit is replaced;
 * it was never sent, so the transcripts it went into start over (as after
 * any ERROR the requester sees).
 */
static int fit_requester(struct spdm_rsp *r, struct reply *o, int rc)
{
	size_t n = *o->out_len;
	uint8_t ext[4];

	if (rc < 0 || !r->req_max || n <= r->req_max)
		return rc;
	doe_err(r->ctx, -EMSGSIZE, "SPDM responder: %s of %zu bytes > requester MaxSPDMmsgSize %u",
		spdm_code_name(o->w.p[1]), n, r->req_max);
	if (o->w.p[1] == SPDM_CHALLENGE_AUTH)
		r->authenticated = false;
	if (spdm_ts_m_restart(r->ctx, &r->ts) < 0 || spdm_ts_l_restart(r->ctx, &r->ts) < 0)
		return error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
	ext[0] = (uint8_t)n;
	ext[1] = (uint8_t)(n >> 8);
	ext[2] = (uint8_t)(n >> 16);
	ext[3] = (uint8_t)(n >> 24);
	o->w.off = 0;
	o->w.failed = false;
	spdm_enc_error(&o->w, r->ver, SPDM_ERR_RESPONSE_TOO_LARGE, 0, ext, sizeof(ext));
	return done(r, o);
}

int spdm_rsp_handle(struct spdm_rsp *r, const void *req, size_t req_len, void *out,
		    size_t out_cap, size_t *out_len)
{
	const uint8_t *q = req;
	struct reply o;

	if (!r || !out || !out_len)
		return -EINVAL;
	*out_len = 0;
	doe_wr_init(&o.w, out, out_cap);
	o.out_len = out_len;
	if (out_cap < 8)
		return doe_err(r->ctx, -EMSGSIZE, "SPDM responder: out_cap %zu < 8", out_cap);
	r->req_ver = SPDM_V10;
	if (!q || req_len < 4) {
		doe_err(r->ctx, -EBADMSG, "SPDM request: %zu bytes, shorter than the header", req_len);
		return invalid(r, &o);
	}
	r->req_ver = q[1] != SPDM_GET_VERSION && version_ok(r, q[0]) ? q[0] : SPDM_V10;
	/* DSP0274 1.2+: a request over the MaxSPDMmsgSize we announced shall
	 * get RequestTooLarge (or be dropped), whatever it is */
	if (r->st >= RP_CAPS && r->ver >= SPDM_V12 &&
	    req_len > r->cfg.data_transfer_size + (r->cfg.req_align - 1u)) {
		doe_err(r->ctx, -EMSGSIZE, "SPDM request: %zu bytes > our MaxSPDMmsgSize %u", req_len,
			r->cfg.data_transfer_size);
		return error_rsp(r, &o, SPDM_ERR_REQUEST_TOO_LARGE, 0);
	}
	/* None of the requests we implement is that long; a longer request
	 * we do not implement (SET_CERTIFICATE, VENDOR_DEFINED_REQUEST...) is
	 * still UnsupportedRequest, from dispatch (§10.12) */
	if (implemented(q[1]) && req_len > SPDM_MAX_REQUEST_SIZE + (r->cfg.req_align - 1u)) {
		doe_err(r->ctx, -EBADMSG, "SPDM request: %zu bytes, longer than any %s", req_len,
			spdm_code_name(q[1]));
		return invalid(r, &o);
	}
	if (q[1] == SPDM_RESPOND_IF_READY)
		return fit_requester(r, &o, respond_if_ready(r, q, req_len, &o));
	if (q[1] != SPDM_GET_VERSION)
		r->pending_valid = false;	/* a new request abandons the pending one */
	return fit_requester(r, &o, dispatch(r, q, req_len, &o));
}

/* ---- what a session needs from this connection ----------------------- */

int spdm_rsp_conn(const struct spdm_rsp *r, struct spdm_conn *c)
{
	if (r->st != RP_READY)
		return doe_err(r->ctx, -EINVAL, "session: the connection is not set up");
	if (r->ver < SPDM_V11 || !r->aead)
		return doe_err(r->ctx, -EOPNOTSUPP, "session: SPDM %u.%u connection without session algorithms (AEAD)",
			       r->ver >> 4, r->ver & 0xF);
	memset(c, 0, sizeof(*c));
	c->version = r->ver;
	c->hash_algo = r->hash;
	c->asym_algo = r->cfg.asym_algo;
	c->req_asym_algo = r->req_asym;
	c->dhe = r->dhe;
	c->aead = r->aead;
	c->req_flags = r->req_flags;
	c->rsp_flags = r->cfg.flags;
	c->opaque_fmt1 = r->opaque_fmt1;
	c->vca = r->ts.vca;
	c->vca_len = r->ts.vca_len;
	c->slot = 0;
	if (r->cfg.flags & SPDM_CAP_CERT) {
		memcpy(c->chain_hash, r->chain_digest, spdm_hash_size(r->hash));
		c->has_chain = true;
	}
	return 0;
}

int spdm_rsp_summary_hash(struct spdm_rsp *r, uint8_t type, uint8_t *out)
{
	if (r->st != RP_READY || !r->meas_spec)
		return doe_err(r->ctx, -EINVAL, "no measurements negotiated for a summary hash");
	if (type != SPDM_SUMMARY_TCB && type != SPDM_SUMMARY_ALL)
		return doe_err(r->ctx, -EINVAL, "summary hash type 0x%02x", type);
	return summary_hash(r, type, out);
}
