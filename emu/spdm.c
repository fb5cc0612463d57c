// SPDX-License-Identifier: MIT
/*
 * The emulated devices' CMA/SPDM responder (PCIe r6.x §6.31): the library's
 * sans-I/O responder behind the function's CMA mailboxes. Each function
 * has its own identity (root -> intermediate -> leaf with the CMA SAN),
 * made with OpenSSL on first use so that topologies that are only listed
 * cost nothing; all CMA mailboxes of a function share one responder, as
 * they share one device. Every CMA mailbox also carries secured CMA (type
 * 2): up to EMU_SPDM_SESSIONS sessions at once, started by KEY_EXCHANGE or
 * PSK_EXCHANGE on type 1 and ended by END_SESSION, a failure, or
 * GET_VERSION (which starts the connection over).
 *
 * The responder and its session slots form a struct emu_spdm_conn: the
 * mailboxes share the function's one, and emu_fn_spdm_conn_new() makes
 * more with the same settings, e.g. one per client of a socket server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/doe.h>
#include <doekit/idekm.h>
#include <doekit/spdm.h>
#include <doekit/spdm_session.h>
#include <openssl/crypto.h>
#include "emu_internal.h"
#include "internal.h"

#define EMU_SPDM_MAX_MEAS 16
#define EMU_SPDM_MEAS_BYTES 256

#define EMU_SPDM_SESSIONS 4
#define EMU_SPDM_FLAGS (SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG)
#define EMU_SESSION_FLAGS (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | \
			   SPDM_CAP_KEY_UPD | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR)

struct emu_sess {
	_Alignas(16) uint8_t mem[SPDM_SESSION_CTX_SIZE];
	struct spdm_sess *s;	/* NULL: slot free */
	uint8_t summary_tcb[SPDM_MAX_HASH_SIZE], summary_all[SPDM_MAX_HASH_SIZE];
	uint8_t *peer_chain;	/* mutual authentication: the requester's chain */
	unsigned app_msgs;	/* data-phase messages answered (fault knobs) */
	uint8_t last[512];	/* the last sealed answer, for replay_secured */
	size_t last_len;
};

struct emu_spdm;

/* One responder with its sessions: a device as one requester sees it. */
struct emu_spdm_conn {
	struct emu_spdm *dev;		/* settings and identity */
	enum spdm_binding binding;	/* of its secured messages */
	struct spdm_rsp_config cfg;	/* what the responder was made with */
	struct spdm_rsp *rsp;		/* NULL until first use */
	struct emu_sess sess[EMU_SPDM_SESSIONS];
	_Alignas(16) uint8_t mem[SPDM_RESPONDER_CTX_SIZE];
};

struct emu_spdm {
	struct emu_fn *fn;
	struct emu_spdm_opts opts;
	uint8_t psk[64];
	size_t psk_len;
	uint8_t psk_hint[64];		/* opaque bytes (DSP0274 PSKHint) */
	size_t psk_hint_len;
	struct spdm_meas_value meas[EMU_SPDM_MAX_MEAS];
	uint8_t meas_bytes[EMU_SPDM_MAX_MEAS][EMU_SPDM_MEAS_BYTES];
	struct spdm_identity *id;	/* NULL until first use */
	const struct spdm_identity *issuer;	/* made under this CA, if set */
	long serial;
	struct emu_spdm_conn mb;	/* the mailboxes' responder (DOE) */
};

static void sess_free(struct emu_sess *e)
{
	spdm_sess_fini(e->s);
	e->s = NULL;
	free(e->peer_chain);	/* a public chain: nothing to wipe */
	e->peer_chain = NULL;
}

static void end_sessions(struct emu_spdm_conn *c)
{
	for (size_t i = 0; i < EMU_SPDM_SESSIONS; i++)
		sess_free(&c->sess[i]);
}

/* Ends the sessions and drops the responder: made again, with the
 * current settings, on next use. */
static void conn_reset(struct emu_spdm_conn *c)
{
	end_sessions(c);
	spdm_rsp_fini(c->rsp);
	c->rsp = NULL;
}

void emu_spdm_reset(struct emu_spdm *s)
{
	if (s)
		conn_reset(&s->mb);
}

void emu_spdm_free(struct emu_spdm *s)
{
	if (!s)
		return;
	conn_reset(&s->mb);
	OPENSSL_cleanse(s->psk, sizeof(s->psk));
	spdm_identity_free(s->id);
	free(s);
}

/* Built-in measurements: what a simple device reports (DSP0274 Table
 * "DMTFSpecMeasurementValueType"). */
static void set_meas(struct emu_spdm *s, size_t i, uint8_t type, bool raw, int n)
{
	s->meas[i] = (struct spdm_meas_value){
		.index = (uint8_t)(i + 1),
		.type = type,
		.raw_only = raw,
		.value = s->meas_bytes[i],
		.value_size = (uint16_t)(n < 0 ? 0 : n < EMU_SPDM_MEAS_BYTES ? n : EMU_SPDM_MEAS_BYTES - 1),
	};
}

static void default_meas(struct emu_spdm *s)
{
	const struct emu_fn_info *info = emu_fn_info(s->fn);
	char (*b)[EMU_SPDM_MEAS_BYTES] = (char (*)[EMU_SPDM_MEAS_BYTES])s->meas_bytes;

	set_meas(s, 0, 0x00, false,	/* immutable ROM */
		 snprintf(b[0], sizeof(b[0]), "doekit emulated ROM, device %04x", info->device_id));
	set_meas(s, 1, 0x01, false,	/* mutable firmware */
		 snprintf(b[1], sizeof(b[1]), "doekit emulated firmware for %s", info->label));
	set_meas(s, 2, 0x06, true,	/* firmware version number */
		 snprintf(b[2], sizeof(b[2]), "1.2.%u", info->device_id & 0xFu));
	set_meas(s, 3, 0x02, false,	/* hardware configuration */
		 snprintf(b[3], sizeof(b[3]), "hardware configuration %04x", info->vendor_id));
	s->opts.meas = s->meas;
	s->opts.meas_count = 4;
}

static struct emu_spdm *state(struct emu_fn *fn)
{
	struct emu_spdm **slot = emu_fn_spdm_slot(fn);

	if (!*slot) {
		struct emu_spdm *s = calloc(1, sizeof(*s));

		if (!s)
			return NULL;
		s->fn = fn;
		s->mb.dev = s;
		s->mb.binding = SPDM_BINDING_DOE;
		s->opts.asym_algo = SPDM_ASYM_ECDSA_P384;
		default_meas(s);
		*slot = s;
	}
	return *slot;
}

/* The identity, made on first use, and the responder configuration the
 * function's options give. */
static int config(struct emu_spdm *s, struct spdm_rsp_config *cfg)
{
	struct doe_ctx *ctx = emu_fn_ctx(s->fn);
	char san[96];

	if (!s->id) {
		const struct emu_fn_info *info = emu_fn_info(s->fn);

		bool bridge = info->port_type == EMU_PCIE_ROOT_PORT ||
			      info->port_type == EMU_PCIE_SWITCH_UP ||
			      info->port_type == EMU_PCIE_SWITCH_DOWN;

		/* CMA SAN, PCIe §6.31.3: the IDs config space holds (Revision
		 * and Subsystem IDs read 0 here), "SSVID/SSID" only for a type 0
		 * header, no serial number (no DSN capability), in the form
		 * Linux's CMA compares with: a verifier can match on it */
		snprintf(san, sizeof(san), "Vendor=%04x:Device=%04x:CC=%06x:REV=00%s",
			 info->vendor_id, info->device_id, info->class_code & 0xFFFFFFu,
			 bridge ? "" : ":SSVID=0000:SSID=0000");
		if (s->issuer)
			TRY(spdm_identity_issue(ctx, s->issuer, s->opts.asym_algo, san, s->serial,
						&s->id));
		else
			TRY(spdm_identity_new(ctx, s->opts.asym_algo, san, &s->id));
	}
	spdm_rsp_config_init(cfg);
	spdm_identity_apply(s->id, cfg);
	cfg->req_align = 4;	/* DOE pads requests to a DW */
	if (s->opts.versions)
		cfg->versions = s->opts.versions;
	cfg->meas = s->opts.meas;
	cfg->meas_count = s->opts.meas_count;
	cfg->not_ready_count = s->opts.not_ready_count;
	cfg->busy_count = s->opts.busy_count;
	cfg->corrupt_signature = s->opts.corrupt_signature;
	cfg->flags = EMU_SPDM_FLAGS;
	if (!s->opts.no_sessions)
		cfg->flags |= EMU_SESSION_FLAGS | (s->psk_len ? SPDM_CAP_PSK_WITH_CONTEXT : 0);
	if (!s->opts.no_sessions && s->opts.mutual_auth)
		cfg->flags |= SPDM_CAP_MUT_AUTH | SPDM_CAP_ENCAP;
	return 0;
}

/* Identity and responder, made on first use. */
static int ready(struct emu_spdm_conn *c)
{
	if (c->rsp)
		return 0;
	TRY(config(c->dev, &c->cfg));
	return spdm_rsp_init(c->mem, sizeof(c->mem), emu_fn_ctx(c->dev->fn), &c->cfg, &c->rsp);
}

/* ---- sessions ---------------------------------------------------------- */

static int error_msg(uint8_t ver, uint8_t code, uint8_t *rsp, size_t cap, size_t *len)
{
	if (cap < 4)
		return -EMSGSIZE;
	rsp[0] = ver ? ver : 0x10;
	rsp[1] = SPDM_ERROR;
	rsp[2] = code;
	rsp[3] = 0;
	*len = 4;
	return 0;
}

static void drop_if_done(struct emu_sess *e)
{
	enum spdm_sess_state st = spdm_sess_state(e->s);

	if (st == SPDM_SESS_ENDED || st == SPDM_SESS_FAILED)
		sess_free(e);
}

/* KEY_EXCHANGE / PSK_EXCHANGE: a new session in a free slot. */
static int session_start(struct emu_spdm_conn *c, const uint8_t *req, size_t req_len,
			 uint8_t *rsp, size_t cap, size_t *len)
{
	struct emu_spdm *s = c->dev;
	struct doe_ctx *ctx = emu_fn_ctx(s->fn);
	struct spdm_sess_opts o = { .binding = c->binding };
	struct spdm_conn conn;
	struct emu_sess *e = NULL;
	struct idekm_dev *ide;
	bool sec;
	size_t applen;
	int rc;

	for (size_t i = 0; i < EMU_SPDM_SESSIONS && !e; i++)
		if (!c->sess[i].s)
			e = &c->sess[i];
	if (!e)	/* DSP0274: SessionLimitExceeded */
		return error_msg(req[0], 0x0A, rsp, cap, len);
	if (spdm_rsp_conn(c->rsp, &conn))
		return error_msg(req[0], SPDM_ERR_UNEXPECTED_REQUEST, rsp, cap, len);
	o.signer = c->cfg.signer;
	o.signer_priv = c->cfg.signer_priv;
	o.heartbeat_period = 10;
	o.corrupt_verify_data = s->opts.corrupt_verify_data;
	o.ignore_key_update = s->opts.key_update_mismatch;
	e->app_msgs = 0;
	e->last_len = 0;
	if (s->opts.mutual_auth) {
		/* the requester's chain, read in the handshake; heap, and only
		 * for this session: most devices never ask */
		e->peer_chain = malloc(SPDM_MAX_CHAIN_SIZE);
		if (!e->peer_chain)
			return error_msg(req[0], SPDM_ERR_UNSPECIFIED, rsp, cap, len);
		o.mut_auth = s->opts.mutual_auth;
		o.peer_chain_buf = e->peer_chain;
		o.peer_chain_cap = SPDM_MAX_CHAIN_SIZE;
	}
	if (spdm_rsp_summary_hash(c->rsp, SPDM_SUMMARY_TCB, e->summary_tcb) == 0 &&
	    spdm_rsp_summary_hash(c->rsp, SPDM_SUMMARY_ALL, e->summary_all) == 0) {
		o.summary_tcb = e->summary_tcb;
		o.summary_all = e->summary_all;
	}
	if (req[1] == 0xE6 /* PSK_EXCHANGE */) {
		if (!s->psk_len) {
			sess_free(e);
			return error_msg(req[0], SPDM_ERR_UNSUPPORTED_REQUEST, rsp, cap, len);
		}
		o.psk = s->psk;
		o.psk_len = s->psk_len;
		o.psk_hint = s->psk_hint;
		o.psk_hint_len = s->psk_hint_len;
	}
	rc = spdm_sess_rsp_init(e->mem, sizeof(e->mem), ctx, &conn, &o, &e->s);
	if (rc) {
		sess_free(e);
		return error_msg(req[0], SPDM_ERR_UNSUPPORTED_REQUEST, rsp, cap, len);
	}
	/* an IDE endpoint answers IDE_KM inside its sessions (emu/ide.c) */
	ide = emu_fn_ide_dev(s->fn);
	if (ide)
		spdm_sess_set_vendor_handler(e->s, idekm_dev_handle, ide);
	rc = spdm_sess_rsp_handle(e->s, req, req_len, false, rsp, cap, len, &sec, NULL, 0, &applen);
	drop_if_done(e);
	return rc < 0 && !*len ? rc : 0;
}

/* A FINISH in the clear (HANDSHAKE_IN_THE_CLEAR) names no session: it is
 * for the one whose handshake is under way. */
static struct emu_sess *handshaking(struct emu_spdm_conn *c)
{
	for (size_t i = 0; i < EMU_SPDM_SESSIONS; i++)
		if (c->sess[i].s && spdm_sess_state(c->sess[i].s) == SPDM_SESS_HANDSHAKE)
			return &c->sess[i];
	return NULL;
}

/* An SPDM message in the clear (DOE type 1, MCTP type 0x05). */
static int conn_plain(struct emu_spdm_conn *c, const uint8_t *req, size_t req_len, uint8_t *rsp,
		      size_t rsp_cap, size_t *rsp_len)
{
	TRY(ready(c));
	if (req_len >= 2) {
		switch (req[1]) {
		case SPDM_GET_VERSION:
			end_sessions(c);	/* a new connection ends every session */
			break;
		case 0xE4:	/* KEY_EXCHANGE */
		case 0xE6:	/* PSK_EXCHANGE */
			return session_start(c, req, req_len, rsp, rsp_cap, rsp_len);
		case 0xE5: {	/* FINISH in the clear */
			struct emu_sess *e = handshaking(c);
			size_t applen;
			bool sec;
			int rc;

			if (!e)
				return error_msg(req[0], SPDM_ERR_UNEXPECTED_REQUEST, rsp, rsp_cap,
						 rsp_len);
			rc = spdm_sess_rsp_handle(e->s, req, req_len, false, rsp, rsp_cap, rsp_len,
						  &sec, NULL, 0, &applen);
			drop_if_done(e);
			return rc < 0 && !*rsp_len ? rc : 0;
		}
		}
	}
	return spdm_rsp_handle(c->rsp, req, req_len, rsp, rsp_cap, rsp_len);
}

/* A secured message: the record's session ID picks the session; an
 * application request inside it goes to the same responder as the
 * messages in the clear do. */
static int conn_secured(struct emu_spdm_conn *c, const uint8_t *req, size_t req_len,
			uint8_t *rsp, size_t rsp_cap, size_t *rsp_len)
{
	uint8_t app[4096], ans[4096];
	struct emu_sess *e = NULL;
	size_t applen, anslen;
	bool sec, established;
	uint32_t id;
	int rc;

	*rsp_len = 0;
	TRY(ready(c));
	if (spdm_rec_session_id(req, req_len, &id) == 0)
		for (size_t i = 0; i < EMU_SPDM_SESSIONS && !e; i++)
			if (c->sess[i].s && spdm_sess_id(c->sess[i].s) == id)
				e = &c->sess[i];
	if (!e)
		return error_msg(0x11, SPDM_ERR_UNEXPECTED_REQUEST, rsp, rsp_cap, rsp_len);
	established = spdm_sess_state(e->s) == SPDM_SESS_ESTABLISHED;
	rc = spdm_sess_rsp_handle(e->s, req, req_len, true, rsp, rsp_cap, rsp_len, &sec, app,
				  sizeof(app), &applen);
	if (rc == 1) {
		rc = spdm_rsp_handle(c->rsp, app, applen, ans, sizeof(ans), &anslen);
		if (rc == 0)
			rc = spdm_sess_seal(e->s, ans, anslen, rsp, rsp_cap, rsp_len);
		OPENSSL_cleanse(app, sizeof(app));
		OPENSSL_cleanse(ans, sizeof(ans));
	}
	/* fault knobs, on the data phase's messages (the session has seen
	 * each one: only its answer goes wrong) */
	if (established && rc == 0) {
		struct emu_spdm *s = c->dev;

		e->app_msgs++;
		if (s->opts.drop_secured && e->app_msgs == 1)
			return -EIO;	/* no answer: the mailbox reports Error */
		if (s->opts.replay_secured && e->app_msgs == 2 && e->last_len &&
		    e->last_len <= rsp_cap) {
			memcpy(rsp, e->last, e->last_len);
			*rsp_len = e->last_len;
		} else if (*rsp_len <= sizeof(e->last)) {
			memcpy(e->last, rsp, *rsp_len);
			e->last_len = *rsp_len;
		}
		if (s->opts.end_session_after && e->app_msgs >= s->opts.end_session_after) {
			sess_free(e);	/* as if the device had reset */
			return 0;
		}
	}
	drop_if_done(e);
	return rc < 0 && !*rsp_len ? rc : 0;
}

static int cma_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
		       size_t rsp_cap, size_t *rsp_len)
{
	struct emu_spdm *s = priv;

	return conn_plain(&s->mb, req, req_len, rsp, rsp_cap, rsp_len);
}

/* Secured CMA (DOE type 2) */
static int secured_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
			   size_t rsp_cap, size_t *rsp_len)
{
	struct emu_spdm *s = priv;

	return conn_secured(&s->mb, req, req_len, rsp, rsp_cap, rsp_len);
}

int emu_fn_spdm_conn_new(struct emu_fn *fn, bool mctp, struct emu_spdm_conn **out)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);
	struct emu_spdm_conn *c;
	int rc;

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	c = calloc(1, sizeof(*c));
	if (!c)
		return doe_err(emu_fn_ctx(fn), -ENOMEM, "out of memory");
	c->dev = s;
	c->binding = mctp ? SPDM_BINDING_MCTP : SPDM_BINDING_DOE;
	rc = ready(c);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int emu_spdm_conn_handle(struct emu_spdm_conn *c, bool secured, const void *req, size_t req_len,
			 void *rsp, size_t rsp_cap, size_t *rsp_len)
{
	return secured ? conn_secured(c, req, req_len, rsp, rsp_cap, rsp_len)
		       : conn_plain(c, req, req_len, rsp, rsp_cap, rsp_len);
}

void emu_spdm_conn_free(struct emu_spdm_conn *c)
{
	if (!c)
		return;
	conn_reset(c);
	free(c);
}

static bool established(const struct emu_sess *e)
{
	return e->s && spdm_sess_state(e->s) == SPDM_SESS_ESTABLISHED;
}

unsigned emu_spdm_conn_sessions(const struct emu_spdm_conn *c)
{
	unsigned n = 0;

	for (size_t i = 0; i < EMU_SPDM_SESSIONS; i++)
		n += established(&c->sess[i]);
	return n;
}

bool emu_spdm_conn_has_session(const struct emu_spdm_conn *c, uint32_t session_id)
{
	for (size_t i = 0; i < EMU_SPDM_SESSIONS; i++)
		if (established(&c->sess[i]) && spdm_sess_id(c->sess[i].s) == session_id)
			return true;
	return false;
}

int emu_spdm_attach(struct emu_fn *fn, struct emu_mb *mb)
{
	struct emu_spdm *s = state(fn);

	if (!s)
		return -ENOMEM;
	TRY(emu_mb_add_protocol(mb, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, cma_handler, s));
	return emu_mb_add_protocol(mb, DOE_VENDOR_PCISIG, DOE_TYPE_SECURED_CMA, secured_handler, s);
}

int emu_fn_set_spdm_psk(struct emu_fn *fn, const uint8_t *psk, size_t psk_len,
			const uint8_t *hint, size_t hint_len)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	if (psk && (!psk_len || psk_len > sizeof(s->psk)))
		return doe_err(emu_fn_ctx(fn), -EINVAL, "PSK of 1-%zu bytes", sizeof(s->psk));
	if (hint_len > sizeof(s->psk_hint))
		return doe_err(emu_fn_ctx(fn), -EINVAL, "PSK hint of at most %zu bytes",
			       sizeof(s->psk_hint));
	conn_reset(&s->mb);	/* PSK_CAP follows the key */
	OPENSSL_cleanse(s->psk, sizeof(s->psk));
	s->psk_len = 0;
	s->psk_hint_len = 0;
	if (psk) {
		memcpy(s->psk, psk, psk_len);
		s->psk_len = psk_len;
		if (hint_len)
			memcpy(s->psk_hint, hint, hint_len);
		s->psk_hint_len = hint_len;
	}
	return 0;
}

int emu_fn_set_spdm(struct emu_fn *fn, const struct emu_spdm_opts *o)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	if (o->meas_count > EMU_SPDM_MAX_MEAS)
		return doe_err(emu_fn_ctx(fn), -E2BIG, "at most %d measurements", EMU_SPDM_MAX_MEAS);
	/* a new identity only when the algorithm changes */
	if (o->asym_algo && o->asym_algo != s->opts.asym_algo) {
		spdm_identity_free(s->id);
		s->id = NULL;
	}
	if (o->psk && (!o->psk_len || o->psk_len > sizeof(s->psk)))
		return doe_err(emu_fn_ctx(fn), -EINVAL, "PSK of 1-%zu bytes", sizeof(s->psk));
	if (o->psk_hint && strlen(o->psk_hint) > sizeof(s->psk_hint))
		return doe_err(emu_fn_ctx(fn), -EINVAL, "PSK hint of at most %zu bytes",
			       sizeof(s->psk_hint));
	TRY(emu_fn_set_spdm_psk(fn, o->psk, o->psk_len, (const uint8_t *)o->psk_hint,
				o->psk_hint ? strlen(o->psk_hint) : 0));
	if (o->mutual_auth && o->mutual_auth != SPDM_MUT_AUTH_ENCAP &&
	    o->mutual_auth != SPDM_MUT_AUTH_GET_DIGESTS)
		return doe_err(emu_fn_ctx(fn), -EINVAL, "mutual_auth 0x%02x: 0x02 or 0x04", o->mutual_auth);
	s->opts.corrupt_verify_data = o->corrupt_verify_data;
	s->opts.drop_secured = o->drop_secured;
	s->opts.replay_secured = o->replay_secured;
	s->opts.key_update_mismatch = o->key_update_mismatch;
	s->opts.end_session_after = o->end_session_after;
	s->opts.mutual_auth = o->mutual_auth;
	s->opts.no_sessions = o->no_sessions;
	s->opts.psk = NULL;
	s->opts.psk_hint = NULL;
	s->opts.asym_algo = o->asym_algo ? o->asym_algo : s->opts.asym_algo;
	s->opts.versions = o->versions;
	s->opts.not_ready_count = o->not_ready_count;
	s->opts.busy_count = o->busy_count;
	s->opts.corrupt_signature = o->corrupt_signature;
	if (o->meas) {
		for (size_t i = 0; i < o->meas_count; i++) {
			uint16_t n = o->meas[i].value_size;

			if (n > EMU_SPDM_MEAS_BYTES)
				return doe_err(emu_fn_ctx(fn), -E2BIG,
					       "measurement %u: %u bytes, at most %d", o->meas[i].index,
					       n, EMU_SPDM_MEAS_BYTES);
			s->meas[i] = o->meas[i];
			memcpy(s->meas_bytes[i], o->meas[i].value, n);
			s->meas[i].value = s->meas_bytes[i];
		}
		s->opts.meas = s->meas;
		s->opts.meas_count = o->meas_count;
	}
	return 0;
}

bool emu_fn_has_spdm(struct emu_fn *fn)
{
	return *emu_fn_spdm_slot(fn) != NULL;
}

int emu_fn_spdm_root(struct emu_fn *fn, const uint8_t **der, size_t *len)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	TRY(ready(&s->mb));
	*der = spdm_identity_root(s->id, len);
	return 0;
}

int emu_fn_spdm_handle(struct emu_fn *fn, const void *req, size_t req_len, void *rsp,
		       size_t rsp_cap, size_t *rsp_len)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	return cma_handler(s, req, req_len, rsp, rsp_cap, rsp_len);
}

int emu_fn_spdm_config(struct emu_fn *fn, struct spdm_rsp_config *cfg)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	return config(s, cfg);
}

int emu_fn_set_spdm_issuer(struct emu_fn *fn, const struct spdm_identity *ca, long serial)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	conn_reset(&s->mb);
	spdm_identity_free(s->id);
	s->id = NULL;
	s->issuer = ca;
	s->serial = serial;
	return 0;
}

int emu_fn_set_spdm_identity(struct emu_fn *fn, struct spdm_identity *id, uint32_t asym_algo)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s) {
		spdm_identity_free(id);
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	}
	conn_reset(&s->mb);
	spdm_identity_free(s->id);
	s->id = id;
	s->opts.asym_algo = asym_algo;
	return 0;
}
