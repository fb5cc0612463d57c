// SPDX-License-Identifier: MIT
/*
 * doe session [-j] [--trust PATH] [--version V] [--asym A] [--hash H]
 *             [--dhe G] [--aead A] [--psk HEX [--psk-hint TEXT|--psk-hint-hex HEX]]
 *             [--in-the-clear] [--heartbeat N] [--key-update]
 *             [--measurements all|N|none] [--keyring [KR]]
 *             [--key-type logon|user] [--authorize] [--keep] [--end]
 *             [--trans pci-doe|mctp] DEV
 * doe session [-j] --end --session ID [--trans pci-doe|mctp] DEV
 *
 * An SPDM session set up in user space, as a TLS handshake would be:
 * attestation first (VCA, the chain against the trust store, CHALLENGE),
 * then KEY_EXCHANGE (or PSK_EXCHANGE) and FINISH, then the session's
 * exercises inside it: measurements, heartbeats, a key update. With
 * --keyring the data-phase keys become a Linux key for a kernel consumer
 * and the session stays open (--end closes it, and revokes the key).
 *
 * DEV is a CMA mailbox (secured messages as DOE type 2), an MCTP endpoint
 * (mctp:[NET,]EID or emu[:PROFILE]/mctp:EID: type 0x06, DSP0275), or a socket
 * tcp:HOST:PORT of the spdm-emu protocol, whose --trans picks the binding:
 * pci-doe (type 2 objects, DOE's record layer) or mctp (message type 0x06,
 * 2-byte sequence numbers and random padding); none carries no sessions.
 *
 * --end --session ID ends a session an earlier doe session left open with
 * its keys in a user key (--keyring --key-type user): END_SESSION inside
 * it, with the keys and sequence numbers from the key, then the key goes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "attest.h"
#include "internal.h"
#include "session.h"


struct sess_cli {
	struct attest *a;
	uint16_t dhe, aead;
	uint8_t psk[64];
	size_t psk_len;
	uint8_t psk_hint[64];		/* opaque bytes (DSP0274 PSKHint) */
	size_t psk_hint_len;
	bool hint_given;
	unsigned heartbeats;
	bool key_update, keep, end, authorize, in_the_clear;
	uint32_t resume_id;		/* --session: a kept session to end */
	int meas_op;			/* -1 none, 0xFF all, else an index */
	const char *keyring;		/* NULL: no key */
	const char *key_type;
	bool mutual;			/* offer mutual authentication */
	const char *identity;		/* KEY.pem,CHAIN.pem; NULL: a throwaway one */
	uint32_t identity_asym;
	struct spdm_identity *id;
	uint8_t own_chain[65536];
	/* outcome */
	struct spdm_sess *s;
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	uint8_t record[8192];
	size_t record_len;
	uint8_t nblocks;
	bool meas_done, ended, key_updated;
	uint8_t version;
	unsigned beats;
	int32_t serial;
	const char *authorize_note;
};

static const struct {
	const char *name;
	uint16_t bit;
} aead_names[] = {
	{ "aes-128-gcm", SPDM_AEAD_AES_128_GCM },
	{ "aes-256-gcm", SPDM_AEAD_AES_256_GCM },
	{ "chacha20-poly1305", SPDM_AEAD_CHACHA20_POLY1305 },
};

static const char *aead_name(uint16_t b)
{
	for (size_t i = 0; i < sizeof(aead_names) / sizeof(aead_names[0]); i++)
		if (aead_names[i].bit == b)
			return aead_names[i].name;
	return "none";
}

static int aead_parse(const char *s, uint16_t *out)
{
	for (size_t i = 0; i < sizeof(aead_names) / sizeof(aead_names[0]); i++)
		if (!strcmp(s, aead_names[i].name))
			return *out = aead_names[i].bit, 0;
	return -EINVAL;
}

/* DHE group names are the library's: spdm_dhe_name(), spdm_dhe_parse() */
static const char *dhe_name(uint16_t b)
{
	return b ? spdm_dhe_name(b) : "none";
}

/*
 * --authorize: set the kernel's per-device authorization for CMA where it
 * has one. Linux has none for PCI today (docs/doe.1; the TSM
 * "authenticated" attribute is read-only): detect, never guess a path,
 * never write elsewhere.
 */
static const char *authorize(struct sess_cli *c)
{
	if (c->a->dev.emulated || c->a->sock)
		return "an emulated or socket device has no kernel authorization attribute";
	if (c->a->chan)
		return "an MCTP endpoint has no kernel authorization attribute";
	if (!tool_sysfs_attr_writable(c->a->t, c->a->dev.name, "authorized"))
		return "this kernel exposes no per-device CMA authorization attribute; nothing was written";
	if (tool_sysfs_attr_write(c->a->t, c->a->dev.name, "authorized", "1\n") == 0)
		return "authorized";
	doe_ctx_clear_error(c->a->t->ctx);	/* a note, not the command's error */
	return "writing the authorization attribute failed";
}

static int exercises(struct sess_cli *c, const struct spdm_transport_ops *ops, void *priv)
{
	struct tool *t = c->a->t;

	if (c->meas_op >= 0) {
		TRY(spdm_sess_get_measurements(c->s, ops, priv, (uint8_t)c->meas_op, c->record,
					       sizeof(c->record), &c->record_len, &c->nblocks));
		c->meas_done = true;
	}
	for (; c->beats < c->heartbeats; c->beats++)
		TRY(spdm_sess_control(c->s, ops, priv, 0xE8 /* HEARTBEAT */, 0));
	if (c->key_update) {
		TRY(spdm_sess_control(c->s, ops, priv, 0xE9 /* KEY_UPDATE */, SPDM_KEY_UPDATE_ALL_KEYS));
		c->key_updated = true;
	}
	if (c->keyring)
		TRY(session_key_install(t->ctx, c->s, c->a->name, c->keyring, c->key_type,
					&c->serial));
	if (c->authorize)
		c->authorize_note = authorize(c);
	/* END_SESSION unless the session is to stay (--keep, or a key handed
	 * to the kernel); ending it revokes that key */
	if (c->end || (!c->keep && !c->keyring)) {
		TRY(spdm_sess_control(c->s, ops, priv, 0xEC /* END_SESSION */, 0));
		c->ended = true;
		if (c->serial)
			TRY(session_key_revoke(t->ctx, c->serial));
	}
	return 0;
}

static void report(struct sess_cli *c, int rc)
{
	struct attest *a = c->a;
	struct tool *t = a->t;
	char id[16] = "", buf[TOOL_ESC_SIZE(96)];
	bool up = c->s && (spdm_sess_state(c->s) == SPDM_SESS_ESTABLISHED || c->ended);
	const struct spdm_rec_params *rp = c->s ? spdm_sess_rec_params(c->s) : NULL;

	if (rp && up)
		snprintf(id, sizeof(id), "%08x", rp->session_id);
	if (t->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(a->name));
		json_object_object_add(o, "version", json_object_new_string(
			(const char *[]){ "1.0", "1.1", "1.2", "1.3" }[(c->version & 0xF) & 3]));
		json_object_object_add(o, "established", json_object_new_boolean(up));
		json_object_object_add(o, "session_id", up ? json_object_new_string(id) : NULL);
		json_object_object_add(o, "session_type",
				       json_object_new_string(c->psk_len ? "psk" : "key_exchange"));
		json_object_object_add(o, "dhe", json_object_new_string(c->psk_len ? "none" : dhe_name(c->dhe)));
		json_object_object_add(o, "aead", json_object_new_string(aead_name(c->aead)));
		json_object_object_add(o, "handshake_in_the_clear", json_object_new_boolean(c->in_the_clear));
		json_object_object_add(o, "mutual", json_object_new_boolean(up && spdm_sess_is_mutual(c->s)));
		json_object_object_add(o, "heartbeats", json_object_new_int((int)c->beats));
		json_object_object_add(o, "key_update", json_object_new_boolean(c->key_updated));
		json_object_object_add(o, "measurements_verified", json_object_new_boolean(c->meas_done));
		json_object_object_add(o, "summary_hash_verified",
				       json_object_new_boolean(c->s && spdm_sess_summary_checked(c->s)));
		if (c->meas_done) {
			struct json_object *m = NULL;

			if (meas_json(t->ctx, c->record, c->record_len, &m) == 0)
				json_object_object_add(o, "measurements", m);
		}
		json_object_object_add(o, "ended", json_object_new_boolean(c->ended));
		if (c->keyring)
			json_object_object_add(o, "key_serial",
					       c->serial ? json_object_new_int(c->serial) : NULL);
		if (c->authorize_note)
			json_object_object_add(o, "authorize", json_object_new_string(c->authorize_note));
		if (rc)
			json_object_object_add(o, "error", json_object_new_string(doe_ctx_errmsg(t->ctx)));
		tool_print_json(o);
		json_object_put(o);
		return;
	}
	printf("%s  via %s\n", tool_esc(buf, sizeof(buf), a->name), a->via);
	if (!up) {
		printf("  session: NOT established\n");
		return;
	}
	printf("  session %s  %s, %s, %s%s%s\n", id, c->psk_len ? "PSK" : "KEY_EXCHANGE",
	       c->psk_len ? "no DHE" : dhe_name(c->dhe), aead_name(c->aead),
	       c->in_the_clear ? ", handshake in the clear" : "",
	       spdm_sess_is_mutual(c->s) ? ", mutual" : "");
	if (c->meas_done) {
		printf("  measurements (inside the session: authenticated by it%s): %u block%s\n",
		       spdm_sess_summary_checked(c->s) ? "; equal to the handshake's summary hash" : "",
		       c->nblocks, c->nblocks == 1 ? "" : "s");
		meas_print(t->ctx, c->record, c->record_len);
	}
	if (c->beats)
		printf("  heartbeats: %u\n", c->beats);
	if (c->key_updated)
		printf("  key update: all keys, verified\n");
	if (c->keyring)
		printf("  key: %d (%s, \"doekit:spdm:%s:%s\")%s\n", c->serial, c->key_type,
		       tool_esc(buf, sizeof(buf), a->name), id, c->ended ? ", revoked" : "");
	if (c->authorize_note)
		printf("  authorize: %s\n", c->authorize_note);
	printf("  session: %s\n", c->ended ? "ended" : "left open");
}

int session_attest(struct attest *a, bool psk, uint32_t extra_flags, struct spdm_req **req,
		   const struct spdm_transport_ops **ops, void **priv, struct spdm_conn *conn,
		   bool *ran)
{
	struct tool *t = a->t;
	const struct spdm_result *r;

	*req = NULL;
	*ran = false;
	attest_use_buffers(a);
	a->pol.meas_mode = SPDM_MEAS_NONE;	/* measurements come inside the session */
	/* the CAPABILITIES a session requester announces (DSP0274 §10.4) */
	a->pol.req_flags = SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD |
			   (psk ? SPDM_CAP_PSK_REQ : SPDM_CAP_KEY_EX) | extra_flags;
	*ops = attest_transport(a, priv);
	a->pol.trust = a->trust;
	TRY(spdm_req_init(a->mem, sizeof(a->mem), t->ctx, &a->pol, req));
	TRY(spdm_req_run(*req, *ops, *priv, a->rsp, sizeof(a->rsp), 2000000));
	*ran = true;
	r = spdm_req_result(*req);
	/* KEY_EXCHANGE trusts the key of the chain just verified, only */
	if (!psk && (!r->chain_verified || !r->challenge_verified))
		return doe_err(t->ctx, -EKEYREJECTED,
			       "%s: not attested (chain %s, CHALLENGE %s): no session with it",
			       a->name, r->chain_verified ? "ok" : "not verified",
			       r->challenge_verified ? "ok" : "not verified");
	return spdm_req_conn(*req, conn);
}

static int run(struct sess_cli *c, const char *spec)
{
	struct attest *a = c->a;
	struct tool *t = a->t;
	const struct spdm_transport_ops *ops = NULL;
	/* asking for the summary of all measurements binds the ones read in
	 * the session to the signed handshake */
	struct spdm_sess_opts so = { .summary_hash_type = c->meas_op == 0xFF ? SPDM_SUMMARY_ALL
									  : SPDM_SUMMARY_NONE };
	struct spdm_req *req = NULL;
	struct spdm_conn conn;
	void *priv = NULL;
	bool ran;
	int rc;

	a->pol.dhe_algos = c->dhe;
	a->pol.aead_algos = c->aead;
	if (c->mutual)
		a->pol.req_asym_algo = c->identity_asym;
	rc = attest_open(a, spec);
	if (rc)
		return rc;
	rc = session_attest(a, c->psk_len != 0,
			    (c->in_the_clear ? SPDM_CAP_HANDSHAKE_IN_THE_CLEAR : 0) |
			    (c->mutual ? SPDM_CAP_MUT_AUTH | SPDM_CAP_CERT | SPDM_CAP_ENCAP : 0),
			    &req, &ops, &priv, &conn, &ran);
	if (ran) {
		const struct spdm_result *r = spdm_req_result(req);

		c->version = r->version;
		c->dhe = r->dhe;
		c->aead = r->aead;
	}
	/* the record layer follows the framing (MCTP: DSP0275; DOE: PCIe) */
	if (ops)
		so.binding = (enum spdm_binding)ops->binding;
	if (!rc && c->psk_len) {
		so.psk = c->psk;
		so.psk_len = c->psk_len;
		so.psk_hint = c->psk_hint;
		so.psk_hint_len = c->psk_hint_len;
	}
	if (!rc && c->mutual) {
		struct spdm_rsp_config idc;
		size_t certs_len, chain_len;
		const uint8_t *certs = spdm_identity_certs(c->id, &certs_len);

		/* our chain in the negotiated hash, served from slot 0 when the
		 * device asks (it may not: then the session is one-sided) */
		spdm_rsp_config_init(&idc);
		spdm_identity_apply(c->id, &idc);
		so.signer = idc.signer;
		so.signer_priv = idc.signer_priv;
		rc = spdm_chain_encode(t->ctx, conn.hash_algo, certs, certs_len, c->own_chain,
				       sizeof(c->own_chain), &chain_len);
		so.own_chain = c->own_chain;
		so.own_chain_len = chain_len;
	}
	if (!rc)
		rc = spdm_sess_req_init(c->smem, sizeof(c->smem), t->ctx, &conn, &so, &c->s);
	if (!rc)
		rc = spdm_sess_run(c->s, ops, priv);
	if (!rc)
		rc = exercises(c, ops, priv);
	report(c, rc);
	spdm_sess_fini(c->s);
	c->s = NULL;
	if (req)
		spdm_req_fini(req);
	return rc;
}

/* --end --session ID: END_SESSION in a kept session, then its key goes
 * (revoked also when the device no longer had the session). */
static int end_kept(struct sess_cli *c, const char *spec)
{
	struct attest *a = c->a;
	struct tool *t = a->t;
	const struct spdm_transport_ops *ops = NULL;
	struct kept_session k = { .lock_fd = -1 };
	void *priv = NULL;
	char id[12], vb[TOOL_ESC_SIZE(96)];
	int rc = attest_open(a, spec);

	if (!rc)
		rc = session_resume(a, c->resume_id, c->smem, sizeof(c->smem), &k, &ops, &priv);
	c->s = k.s;
	if (!rc)
		rc = spdm_sess_control(c->s, ops, priv, 0xEC /* END_SESSION */, 0);
	rc = session_resume_finish(t->ctx, &k, rc);
	snprintf(id, sizeof(id), "%08x", c->resume_id);
	if (t->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(a->name));
		json_object_object_add(o, "session_id", json_object_new_string(id));
		json_object_object_add(o, "resumed", json_object_new_boolean(c->s != NULL));
		json_object_object_add(o, "ended", json_object_new_boolean(
			c->s && spdm_sess_state(c->s) == SPDM_SESS_ENDED));
		json_object_object_add(o, "key_serial", k.key > 0 ? json_object_new_int(k.key) : NULL);
		json_object_object_add(o, "key_revoked", json_object_new_boolean(k.revoked));
		if (rc)
			json_object_object_add(o, "error", json_object_new_string(doe_ctx_errmsg(t->ctx)));
		tool_print_json(o);
		json_object_put(o);
	} else if (!rc) {
		printf("%s  via %s\n  session %s ended; key %d revoked\n",
		       tool_esc(vb, sizeof(vb), a->name), a->via, id, k.key);
	} else if (k.revoked) {
		printf("%s  via %s\n  session %s failed; key %d revoked\n",
		       tool_esc(vb, sizeof(vb), a->name), a->via, id, k.key);
	}
	spdm_sess_fini(c->s);
	c->s = NULL;
	return rc;
}

int cmd_session(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ "trust", required_argument, NULL, 'T' },
		{ "version", required_argument, NULL, 'V' },
		{ "asym", required_argument, NULL, 'A' },
		{ "hash", required_argument, NULL, 'H' },
		{ "dhe", required_argument, NULL, 'G' },
		{ "aead", required_argument, NULL, 'E' },
		{ "psk", required_argument, NULL, 'P' },
		{ "psk-hint", required_argument, NULL, 'I' },
		{ "psk-hint-hex", required_argument, NULL, 'x' },
		{ "in-the-clear", no_argument, NULL, 'c' },
		{ "heartbeat", required_argument, NULL, 'B' },
		{ "key-update", no_argument, NULL, 'K' },
		{ "measurements", required_argument, NULL, 'M' },
		{ "keyring", optional_argument, NULL, 'R' },
		{ "key-type", required_argument, NULL, 'Y' },
		{ "authorize", no_argument, NULL, 'Z' },
		{ "keep", no_argument, NULL, 'k' },
		{ "end", no_argument, NULL, 'e' },
		{ "mutual", no_argument, NULL, 'm' },
		{ "identity", required_argument, NULL, 'i' },
		{ "identity-asym", required_argument, NULL, 'a' },
		{ "trans", required_argument, NULL, 'X' },
		{ "session", required_argument, NULL, 'U' },
		{ 0 }
	};
	struct sess_cli *c = calloc(1, sizeof(*c));
	const char *trust_path = NULL, *bad = NULL;
	int ch, rc = 0, code;
	uint64_t v;

	if (!c || !(c->a = calloc(1, sizeof(*c->a)))) {
		free(c);
		return tool_fail(t, doe_err(t->ctx, -ENOMEM, "out of memory"), NULL);
	}
	c->a->t = t;
	c->a->trans = SPDM_SOCK_TRANS_PCI_DOE;
	c->meas_op = 0xFF;
	c->key_type = "logon";
	spdm_req_policy_init(&c->a->pol);
	c->a->pol.versions = SPDM_VMASK(SPDM_V11) | SPDM_VMASK(SPDM_V12) | SPDM_VMASK(SPDM_V13);
	while ((ch = getopt_long(argc, argv, "jt:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'T': trust_path = optarg; break;
		case 'V': {
			uint8_t ver;

			if (spdm_version_parse(optarg, &ver) || ver < SPDM_V11)
				bad = "version (1.1-1.3: sessions start at 1.1)";
			else
				c->a->pol.versions = (uint8_t)SPDM_VMASK(ver);
			break;
		}
		case 'A':
			if (asym_parse(optarg, &c->a->pol.asym_algos))
				bad = "asym";
			break;
		case 'H':
			if (hash_parse(optarg, &c->a->pol.hash_algos))
				bad = "hash";
			break;
		case 'G':
			if (spdm_dhe_parse(optarg, &c->dhe))
				bad = "dhe (secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072, ffdhe4096)";
			break;
		case 'E':
			if (aead_parse(optarg, &c->aead))
				bad = "aead (aes-128-gcm, aes-256-gcm, chacha20-poly1305)";
			break;
		case 'P':
			if (hex_decode(optarg, c->psk, sizeof(c->psk), &c->psk_len) || !c->psk_len)
				bad = "psk (2 to 128 hex digits)";
			break;
		case 'I':
			if (c->hint_given || strlen(optarg) > sizeof(c->psk_hint)) {
				bad = "psk-hint (one, of at most 64 bytes)";
				break;
			}
			c->psk_hint_len = strlen(optarg);
			memcpy(c->psk_hint, optarg, c->psk_hint_len);
			c->hint_given = true;
			break;
		case 'x':
			/* a hint is opaque: DMTF's sample one ends in a NUL */
			if (c->hint_given || hex_decode(optarg, c->psk_hint, sizeof(c->psk_hint),
							&c->psk_hint_len))
				bad = "psk-hint-hex (one hint, of at most 64 bytes in hex)";
			c->hint_given = true;
			break;
		case 'c': c->in_the_clear = true; break;
		case 'B':
			if (opt_uint(optarg, 0, 1000, &v))
				bad = "heartbeat (0-1000)";
			c->heartbeats = (unsigned)v;
			break;
		case 'K': c->key_update = true; break;
		case 'M':
			if (!strcmp(optarg, "all"))
				c->meas_op = 0xFF;
			else if (!strcmp(optarg, "none"))
				c->meas_op = -1;
			else if (opt_uint(optarg, 1, 254, &v))
				bad = "measurements (all, none or 1-254)";
			else
				c->meas_op = (int)v;
			break;
		case 'R':
			/* --keyring @s (as doe(1) spells it) as well as --keyring=@s;
			 * a serial needs the = form */
			if (!optarg && optind < argc - 1 && argv[optind][0] == '@')
				optarg = argv[optind++];
			c->keyring = optarg ? optarg : "@u";
			break;
		case 'Y':
			if (strcmp(optarg, "logon") && strcmp(optarg, "user"))
				bad = "key-type (logon or user)";
			c->key_type = optarg;
			break;
		case 'Z': c->authorize = true; break;
		case 'X':
			if (spdm_sock_trans_parse(optarg, &c->a->trans))
				bad = "trans (pci-doe, mctp)";
			break;
		case 'U':
			if (opt_hex32(optarg, &c->resume_id) || !c->resume_id)
				bad = "session (the session ID doe session printed: 1 to 8 hex digits, not 0)";
			break;
		case 'k': c->keep = true; break;
		case 'e': c->end = true; break;
		case 'm': c->mutual = true; break;
		case 'i': c->identity = optarg; break;
		case 'a':
			if (asym_parse(optarg, &c->identity_asym))
				bad = "identity-asym";
			break;
		default:
			rc = tool_common_opt(t, ch, optarg);
			if (rc) {
				code = rc < 0 ? EXIT_USAGE : EXIT_OK;
				goto out;
			}
			continue;
		}
		if (bad) {
			code = tool_usage(t, "session: bad value '%s' for --%s", optarg ? optarg : "",
					  bad);
			goto out;
		}
	}
	if (argc - optind != 1) {
		code = tool_usage(t, "session takes one device");
		goto out;
	}
	if (c->hint_given && !c->psk_len) {
		code = tool_usage(t, "session: --psk-hint needs --psk");
		goto out;
	}
	if ((c->identity || c->identity_asym) && !c->mutual) {
		code = tool_usage(t, "session: --identity and --identity-asym go with --mutual");
		goto out;
	}
	if (c->mutual) {
		const char *comma = c->identity ? strchr(c->identity, ',') : NULL;
		char key[4096];

		if (!c->identity_asym)
			c->identity_asym = SPDM_ASYM_ECDSA_P384;
		if (c->identity && (!comma || comma == c->identity || !comma[1] ||
				    (size_t)(comma - c->identity) >= sizeof(key))) {
			code = tool_usage(t, "session: --identity '%s': expected KEY.pem,CHAIN.pem",
					  c->identity);
			goto out;
		}
		if (c->identity) {
			memcpy(key, c->identity, (size_t)(comma - c->identity));
			key[comma - c->identity] = '\0';
			rc = spdm_identity_load(t->ctx, c->identity_asym, key, comma + 1, &c->id);
		} else {	/* a throwaway identity: enough for an emulated device */
			rc = spdm_identity_new(t->ctx, c->identity_asym, NULL, &c->id);
		}
		if (rc) {
			code = tool_fail(t, rc, "--identity");
			goto out;
		}
	}
	/* NONE is bare SPDM: nothing could mark a secured message */
	if (!strncmp(argv[optind], "tcp:", 4) && c->a->trans == SPDM_SOCK_TRANS_NONE) {
		code = tool_usage(t, "session: --trans none cannot carry secured messages (use pci-doe or mctp)");
		goto out;
	}
	if (c->resume_id && (!c->end || c->keep || c->keyring || c->psk_len || c->mutual ||
			     c->heartbeats || c->key_update || c->authorize || trust_path ||
			     c->in_the_clear)) {
		code = tool_usage(t, "session: --session ID goes with --end alone (it ends a kept "
				  "session)");
		goto out;
	}
	if (c->resume_id) {
		rc = end_kept(c, argv[optind]);
		code = rc ? tool_fail(t, rc, NULL) : EXIT_OK;
		goto out;
	}
	if (c->keep && c->end) {
		code = tool_usage(t, "session: --keep and --end contradict each other");
		goto out;
	}
	if (trust_path) {
		rc = spdm_trust_new(t->ctx, trust_path, &c->a->trust);
		c->a->trust_desc = trust_path;
		if (rc) {
			code = tool_fail(t, rc, NULL);
			goto out;
		}
	}
	rc = run(c, argv[optind]);
	code = rc ? tool_fail(t, rc, NULL) : EXIT_OK;
	/* keyctl refused: the session worked, the hand-off did not (exit 1) */
	if (rc == -EPERM && c->keyring)
		code = EXIT_FAIL;
out:
	spdm_identity_free(c->id);
	attest_close(c->a);
	spdm_trust_free(c->a->trust);
	OPENSSL_cleanse(c->psk, sizeof(c->psk));
	free(c->a);
	free(c);
	return code;
}
