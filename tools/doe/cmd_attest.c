// SPDX-License-Identifier: MIT
/*
 * doe attest DEV [--trust PATH] [--version V] [--asym ALG] [--hash ALG]
 *               [--slot N] [--measurements all|N|none] [--nonce HEX]
 *               [--trans pci-doe|mctp|none] [--deadline SEC] [--policy FILE] [-j]
 *
 * CMA/SPDM device attestation: VCA, digests, the certificate chain,
 * CHALLENGE and signed measurements. DEV is an emulated function, a real
 * one (with --raw: the kernel owns the mailbox), tcp:HOST:PORT for a
 * responder behind the spdm-emu socket protocol, or an MCTP endpoint:
 * mctp:[NET,]EID (AF_MCTP) or emu[:PROFILE]/mctp:EID (emulated). Exit 0 only when the chain
 * is anchored in the trust store and every signature verifies.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <doekit/spdm_socket.h>
#include "attest.h"
#include "internal.h"
#include "policy.h"
#include "topology.h"

static const struct {
	const char *name;
	uint32_t bit;
} asym_names[] = {
	{ "rsassa-2048", SPDM_ASYM_RSASSA_2048 }, { "rsapss-2048", SPDM_ASYM_RSAPSS_2048 },
	{ "rsassa-3072", SPDM_ASYM_RSASSA_3072 }, { "rsapss-3072", SPDM_ASYM_RSAPSS_3072 },
	{ "rsassa-4096", SPDM_ASYM_RSASSA_4096 }, { "rsapss-4096", SPDM_ASYM_RSAPSS_4096 },
	{ "ecdsa-p256", SPDM_ASYM_ECDSA_P256 },   { "ecdsa-p384", SPDM_ASYM_ECDSA_P384 },
	{ "ecdsa-p521", SPDM_ASYM_ECDSA_P521 },   { "ed25519", SPDM_ASYM_EDDSA_25519 },
	{ "ed448", SPDM_ASYM_EDDSA_448 },
}, hash_names[] = {
	{ "sha256", SPDM_HASH_SHA256 },	    { "sha384", SPDM_HASH_SHA384 },
	{ "sha512", SPDM_HASH_SHA512 },	    { "sha3-256", SPDM_HASH_SHA3_256 },
	{ "sha3-384", SPDM_HASH_SHA3_384 }, { "sha3-512", SPDM_HASH_SHA3_512 },
};

int asym_parse(const char *s, uint32_t *out)
{
	for (size_t i = 0; i < sizeof(asym_names) / sizeof(asym_names[0]); i++)
		if (!strcasecmp(s, asym_names[i].name))
			return *out = asym_names[i].bit, 0;
	return -EINVAL;
}

int hash_parse(const char *s, uint32_t *out)
{
	for (size_t i = 0; i < sizeof(hash_names) / sizeof(hash_names[0]); i++)
		if (!strcasecmp(s, hash_names[i].name))
			return *out = hash_names[i].bit, 0;
	return -EINVAL;
}

const char *asym_cli_name(uint32_t bit)
{
	for (size_t i = 0; i < sizeof(asym_names) / sizeof(asym_names[0]); i++)
		if (asym_names[i].bit == bit)
			return asym_names[i].name;
	return "none";
}

const char *hash_cli_name(uint32_t bit)
{
	for (size_t i = 0; i < sizeof(hash_names) / sizeof(hash_names[0]); i++)
		if (hash_names[i].bit == bit)
			return hash_names[i].name;
	return "none";
}

/* "a,b,c": every name must parse; an empty list or element is an error
 * (",," must not quietly mean "nothing allowed"). */
int algo_list_parse(const char *s, int (*parse)(const char *, uint32_t *), uint32_t *out)
{
	char name[32];
	uint32_t mask = 0, bit;

	for (;;) {
		size_t n = strcspn(s, ",");

		if (n == 0 || n >= sizeof(name))
			return -EINVAL;
		memcpy(name, s, n);
		name[n] = '\0';
		TRY(parse(name, &bit));
		mask |= bit;
		if (!s[n])
			break;
		s += n + 1;
	}
	*out = mask;
	return 0;
}

int spdm_version_parse(const char *s, uint8_t *ver)
{
	static const char *const v[] = { "1.0", "1.1", "1.2", "1.3" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, v[i]))
			return *ver = (uint8_t)(SPDM_V10 + i), 0;
	return -EINVAL;
}

/* --deadline SEC: whole seconds 1-3600, digits only ("5s", "+5", "0x5"
 * and " 5" are usage errors, not silently something else) */
static int parse_deadline(const char *s, uint32_t *ms)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || strlen(s) > 4)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 3600)
		return -EINVAL;
	*ms = (uint32_t)v * 1000u;
	return 0;
}

static int parse_version(const char *s, uint8_t *mask)
{
	uint8_t v;

	TRY(spdm_version_parse(s, &v));
	*mask = (uint8_t)SPDM_VMASK(v);
	return 0;
}

/* --measurements all|none|count|N */
int parse_meas_mode(const char *s, struct spdm_req_policy *p)
{
	uint64_t v;

	if (!strcmp(s, "all"))
		p->meas_mode = SPDM_MEAS_ALL;
	else if (!strcmp(s, "none"))
		p->meas_mode = SPDM_MEAS_NONE;
	else if (!strcmp(s, "count"))
		p->meas_mode = SPDM_MEAS_COUNT;
	else if (!strcmp(s, "each"))
		p->meas_mode = SPDM_MEAS_EACH;
	else {
		/* DSP0274 GET_MEASUREMENTS Param2: 1..0xFE one block (0: count,
		 * 0xFF: all, which have names here) */
		if (opt_uint(s, 1, 0xFE, &v))
			return -EINVAL;
		p->meas_mode = SPDM_MEAS_INDEX;
		p->meas_index = (uint8_t)v;
	}
	return 0;
}

/* An emulated MCTP endpoint answers with the identity of a function of its
 * topology (the switch's, in cxl-switch): without --trust, the roots of the
 * topology's functions are the anchors, as one function's root is for it. */
static int trust_emulated_topology(struct attest *a)
{
	struct tool *t = a->t;
	struct emu_topo *topo = a->dev.topo;

	TRY(spdm_trust_new(t->ctx, NULL, &a->trust));
	a->own_trust = true;
	for (size_t i = 0; i < emu_topo_count(topo); i++) {
		struct emu_fn *fn = emu_topo_fn(topo, i);
		const uint8_t *der;
		size_t len;

		if (!emu_fn_has_spdm(fn))
			continue;
		TRY(emu_fn_spdm_root(fn, &der, &len));
		TRY(spdm_trust_add_der(a->trust, der, len));
	}
	a->trust_desc = "the emulator's roots (emulated MCTP endpoint)";
	return 0;
}

/* mctp:[NET,]EID or emu[:PROFILE]/mctp:EID: SPDM over MCTP (DSP0275) */
static int attest_open_mctp(struct attest *a, const char *spec)
{
	struct tool *t = a->t;

	TRY(dev_open(t, spec, &a->dev));
	TRY(dev_mctp(t, &a->dev, &a->chan));
	snprintf(a->name, sizeof(a->name), "%s", a->dev.name);
	snprintf(a->via, sizeof(a->via), "MCTP (%s)",
		 a->dev.emulated ? "emulated network" : "AF_MCTP");
	if (a->dev.emulated && !a->trust)
		TRY(trust_emulated_topology(a));
	return 0;
}

const struct spdm_transport_ops *attest_transport(struct attest *a, void **priv)
{
	if (a->sock) {
		*priv = a->sock;
		return spdm_transport_socket(a->sock);
	}
	if (a->chan) {
		*priv = a->chan;
		return spdm_transport_mctp();
	}
	*priv = a->mb;
	return spdm_transport_doe();
}

/* Connects DEV: a CMA mailbox, a socket or an MCTP endpoint. Sets the
 * trust for emulated devices when none was given. */
int attest_open(struct attest *a, const char *spec)
{
	struct tool *t = a->t;

	if (dev_spec_is_mctp(spec))
		return attest_open_mctp(a, spec);

	if (!strncmp(spec, "tcp:", 4)) {
		snprintf(a->name, sizeof(a->name), "%s", spec);
		snprintf(a->via, sizeof(a->via), "socket (%s)", spdm_sock_trans_name(a->trans));
		return spdm_sock_connect(t->ctx, spec, a->trans, t->timeout_ms ? t->timeout_ms : 10000,
					 &a->sock);
	}
	TRY(dev_open(t, spec, &a->dev));
	return attest_open_dev(a);
}

int attest_open_dev(struct attest *a)
{
	struct tool *t = a->t;
	struct doe_cfg *cfg;

	snprintf(a->name, sizeof(a->name), "%s", a->dev.name);
	if (!a->dev.emulated && !t->raw)
		return doe_err(t->ctx, -EPERM,
			       "%s: the kernel owns its DOE mailboxes; attesting it from user space "
			       "needs --raw (see doe(1) KERNEL OWNERSHIP)", a->dev.name);
	if (!a->dev.emulated)
		tool_raw_warning(t, a->dev.name);
	TRY(dev_cfg(t, &a->dev, &cfg));
	TRY(tool_find_mailbox(t, cfg, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, &a->mb));
	snprintf(a->via, sizeof(a->via), "DOE@0x%03x", doe_mb_offset(a->mb));
	if (a->dev.emulated && !a->trust) {
		const uint8_t *der;
		size_t len;

		TRY(emu_fn_spdm_root(a->dev.fn, &der, &len));
		TRY(spdm_trust_new(t->ctx, NULL, &a->trust));
		a->own_trust = true;
		TRY(spdm_trust_add_der(a->trust, der, len));
		a->trust_desc = "the emulator's root (emulated device)";
	}
	return 0;
}

void attest_close(struct attest *a)
{
	/* leave a socket responder ready for the next client (spdm-emu's stops
	 * when a client just goes away); it may already be gone: no matter */
	if (a->sock)
		spdm_sock_continue(a->sock);
	spdm_sock_close(a->sock);
	a->sock = NULL;
	doe_mb_free(a->mb);
	a->mb = NULL;
	a->chan = NULL;		/* dev's: closed with it */
	dev_close(&a->dev);
	if (a->own_trust) {
		spdm_trust_free(a->trust);
		a->trust = NULL;
		a->trust_desc = NULL;
		a->own_trust = false;
	}
}

bool attest_verdict(const struct attest *a, const struct spdm_result *r, int rc, const char **why)
{
	const struct spdm_req_policy *p = &a->pol;

	*why = NULL;
	if (rc)
		*why = "the exchange failed (the error is above)";
	else if (!a->trust)
		*why = "no --trust given: the chain is anchored only at its own root";
	else if (!r->chain_verified)
		*why = "the certificate chain did not verify";
	else if (!p->skip_challenge && !r->challenge_verified)
		*why = "the CHALLENGE_AUTH signature did not verify";
	else if (p->meas_mode != SPDM_MEAS_NONE && p->meas_signed && !r->meas_verified)
		*why = "the measurement signature did not verify";
	return *why == NULL;
}

/* MeasurementHashAlgo (DSP0274 ALGORITHMS): bit 0 raw bit stream, then the BaseHashAlgo bits
 * shifted left by one. */
static const char *meas_hash_name(uint32_t m)
{
	return m == SPDM_MEAS_HASH_RAW ? "raw bit stream" : spdm_hash_name(m >> 1);
}

void attest_print_text(struct attest *a, const struct spdm_result *r, bool ok, const char *why,
		       const struct chain_cert *c, int nc)
{
	char esc[TOOL_ESC_SIZE(256)];

	/* a->name: the user's tcp: address or evidence file name */
	printf("%s: CMA/SPDM over %s\n", tool_esc(esc, sizeof(esc), a->name), a->via);
	if (!r->version) {	/* nothing was negotiated */
		printf("  verdict        NOT verified: %s\n", why);
		return;
	}
	printf("  version        %u.%u\n", (unsigned)(r->version >> 4), (unsigned)(r->version & 0xF));
	if (r->asym_algo) {	/* not before ALGORITHMS came back */
		printf("  algorithms     %s, %s", spdm_asym_name(r->asym_algo),
		       spdm_hash_name(r->hash_algo));
		if (r->meas_hash_algo)
			printf(" (measurements %s)", meas_hash_name(r->meas_hash_algo));
		putchar('\n');
	}
	printf("  trust          %s\n",
	       a->trust_desc ? tool_esc(esc, sizeof(esc), a->trust_desc) : "none given");
	printf("  certificate chain, slot %u: %s\n", a->pol.slot,
	       r->chain_verified ? "verified" : "NOT verified");
	for (int i = 0; i < nc; i++) {
		char subj[256];

		/* names and SAN are the device's words, printed before the
		 * verdict: escaped, so they cannot rewrite it on the terminal */
		chain_cert_subject(&c[i], subj, sizeof(subj));
		printf("    [%d] %s%s\n", i, tool_esc(esc, sizeof(esc), subj),
		       i == nc - 1 ? "  (leaf)" : i == 0 ? "  (root)" : "");
	}
	if (r->chain_info.cma_san[0])
		printf("    CMA SAN: %s\n", tool_esc(esc, sizeof(esc), r->chain_info.cma_san));
	if (!a->pol.skip_challenge)
		printf("  challenge      %s\n", r->challenge_verified ? "signature verified"
								  : "signature NOT verified");
	if (a->pol.meas_mode != SPDM_MEAS_NONE) {
		/* unsigned is not the same as unauthenticated: say which it is */
		printf("  measurements   %u block%s%s\n", r->meas_blocks, r->meas_blocks == 1 ? "" : "s",
		       r->meas_signed ? (r->meas_verified ? ", signature verified"
							  : ", signature NOT verified")
		       : meas_authenticated(r) ? ", unsigned, authenticated by the CHALLENGE_AUTH summary hash"
		       : ", unsigned: NOT authenticated");
		meas_print(a->t->ctx, r->meas_record, r->meas_record_len);
	}
	if (ok)
		printf("  verdict        verified\n");
	else
		printf("  verdict        NOT verified: %s\n", why);
}

struct json_object *attest_evidence_json(struct attest *a, const struct spdm_result *r, bool ok,
					 const char *why, int rc, const struct chain_cert *c,
					 int nc)
{
	struct json_object *o = json_object_new_object(), *m = NULL;
	char ver[8];

	snprintf(ver, sizeof(ver), "%u.%u", (unsigned)(r->version >> 4), (unsigned)(r->version & 0xF));

	json_object_object_add(o, "device", json_object_new_string(a->name));
	json_object_object_add(o, "transport", json_object_new_string(a->via));
	json_object_object_add(o, "verified", json_object_new_boolean(ok));
	if (!ok) {
		const char *reason = rc ? doe_ctx_errmsg(a->t->ctx) : why;

		/* the message may quote the device's certificate names */
		json_object_object_add(o, "reason", tool_json_untrusted(reason, strlen(reason)));
	}
	json_object_object_add(o, "version", r->version ? json_object_new_string(ver) : NULL);
	json_object_object_add(o, "base_asym_algo",
			       r->asym_algo ? json_object_new_string(spdm_asym_name(r->asym_algo)) : NULL);
	json_object_object_add(o, "base_hash_algo",
			       r->hash_algo ? json_object_new_string(spdm_hash_name(r->hash_algo)) : NULL);
	json_object_object_add(o, "measurement_hash_algo",
			       r->meas_hash_algo ? json_object_new_string(meas_hash_name(r->meas_hash_algo))
						 : NULL);
	json_object_object_add(o, "slot", json_object_new_int(a->pol.slot));
	json_object_object_add(o, "trust", a->trust_desc ? json_object_new_string(a->trust_desc) : NULL);
	json_object_object_add(o, "chain_verified", json_object_new_boolean(r->chain_verified));
	/* only when true: evidence from before the cache stays verifiable */
	if (r->chain_cached)
		json_object_object_add(o, "chain_cached", json_object_new_boolean(true));
	json_object_object_add(o, "cma_san", r->chain_info.cma_san[0]
						     ? tool_json_untrusted(r->chain_info.cma_san,
									   strlen(r->chain_info.cma_san))
						     : NULL);
	json_object_object_add(o, "certificate_chain", chain_json(c, nc));
	json_object_object_add(o, "certificate_chain_spdm",
			       r->chain ? hex_json(r->chain, r->chain_len) : NULL);
	json_object_object_add(o, "challenge_verified", json_object_new_boolean(r->challenge_verified));
	if (r->summary_hash_len)
		json_object_object_add(o, "measurement_summary_hash",
				       hex_json(r->summary_hash, r->summary_hash_len));
	if (r->meas_record && meas_json(a->t->ctx, r->meas_record, r->meas_record_len, &m) == 0)
		json_object_object_add(o, "measurements", m);
	json_object_object_add(o, "measurements_signed", json_object_new_boolean(r->meas_signed));
	json_object_object_add(o, "measurements_verified", json_object_new_boolean(r->meas_verified));
	json_object_object_add(o, "measurements_authenticated",
			       json_object_new_boolean(meas_authenticated(r)));
	json_object_object_add(o, "nonce", hex_json(a->nonce, sizeof(a->nonce)));
	return o;
}

const char *meas_mode_name(const struct spdm_req_policy *p, char *buf, size_t len)
{
	switch (p->meas_mode) {
	case SPDM_MEAS_NONE: return "none";
	case SPDM_MEAS_ALL: return "all";
	case SPDM_MEAS_COUNT: return "count";
	case SPDM_MEAS_EACH: return "each";
	case SPDM_MEAS_INDEX: break;
	}
	snprintf(buf, len, "%u", p->meas_index);
	return buf;
}

bool meas_authenticated(const struct spdm_result *r)
{
	/* DSP0274 1.3 §10.9: CHALLENGE_AUTH's MeasurementSummaryHash covers
	 * every measurement block; the requester compared it with the record
	 * (summary_hash_checked) and the signature over it verified */
	return r->meas_verified || (r->challenge_verified && r->summary_hash_checked);
}

/* What verify-evidence needs to run the same requester again. */
static void add_replay_data(struct attest *a, const struct spdm_result *r,
			    const struct msglog *log, uint8_t align, bool messages,
			    struct json_object *o)
{
	struct json_object *p = json_object_new_object();
	char buf[8];

	json_object_object_add(p, "versions", json_object_new_int(a->pol.versions));
	json_object_object_add(p, "asym_algos", json_object_new_int64(a->pol.asym_algos));
	json_object_object_add(p, "hash_algos", json_object_new_int64(a->pol.hash_algos));
	json_object_object_add(p, "measurements", json_object_new_string(meas_mode_name(&a->pol, buf, sizeof(buf))));
	json_object_object_add(p, "measurements_signed", json_object_new_boolean(a->pol.meas_signed));
	json_object_object_add(p, "align", json_object_new_int(align));
	json_object_object_add(o, "policy", p);
	json_object_object_add(o, "signature", logged_signature(log, SPDM_MEASUREMENTS, r));
	json_object_object_add(o, "challenge_signature",
			       logged_signature(log, SPDM_CHALLENGE_AUTH, r));
	if (messages)
		json_object_object_add(o, "messages", msglog_json(log));
}

int result_certs(struct attest *a, const struct spdm_result *r, struct chain_cert *certs)
{
	int nc = 0;

	/* split, not parsed: the report shows subjects, which are decoded
	 * alone (d2i_X509 decodes each public key too, in OpenSSL 3.0 the
	 * dearest part of a one-shot doe attest) */
	if (r->chain && r->chain_len)
		nc = chain_split(a->t->ctx, r->chain, r->chain_len, spdm_hash_size(r->hash_algo),
				 certs, MAX_CHAIN_CERTS);
	return nc < 0 ? 0 : nc;	/* a chain that does not split shows no certificates */
}

struct json_object *attest_doc(struct attest *a, const struct spdm_result *r, int rc,
			       const struct msglog *log, uint8_t align, bool messages)
{
	struct chain_cert certs[MAX_CHAIN_CERTS];
	struct json_object *o;
	const char *why;
	int nc = result_certs(a, r, certs);
	bool ok;

	ok = attest_verdict(a, r, rc, &why);
	o = attest_evidence_json(a, r, ok, why, rc, certs, nc);
	if (log)
		add_replay_data(a, r, log, align, messages, o);
	return o;
}

int attest_report(struct attest *a, struct spdm_req *req, int rc, bool with_log)
{
	struct tool *t = a->t;
	struct chain_cert certs[MAX_CHAIN_CERTS];
	const struct spdm_result *r = spdm_req_result(req);
	const char *why;
	int nc = result_certs(a, r, certs);
	bool ok;

	if (rc)
		tool_fail(t, rc, a->name);	/* escaped, the name said once */
	if (a->policy && with_log)
		return attest_policy_report(a, req, rc);
	ok = attest_verdict(a, r, rc, &why);
	if (t->json) {
		struct json_object *o;

		if (with_log) {
			o = attest_doc(a, r, rc, &a->tap.log, a->tap.ops.align, !a->tap.log_failed);
			if (a->tap.log_failed)	/* the evidence says it cannot be replayed */
				json_object_object_add(o, "messages", NULL);
		} else {
			o = attest_evidence_json(a, r, ok, why, rc, certs, nc);
		}
		if (a->collect) {
			json_object_array_add(a->collect, o);
		} else {
			tool_print_json(o);
			json_object_put(o);
		}
	} else if (a->summary) {
		char esc[TOOL_ESC_SIZE(256)];

		if (ok)
			printf("%-26s verified      SPDM %u.%u, %s, %s, %u measurement%s\n", a->name,
			       (unsigned)(r->version >> 4), (unsigned)(r->version & 0xF), spdm_asym_name(r->asym_algo),
			       spdm_hash_name(r->hash_algo), r->meas_blocks,
			       r->meas_blocks == 1 ? "" : "s");
		else
			printf("%-26s NOT verified  %s\n", a->name,
			       rc ? tool_esc(esc, sizeof(esc), doe_ctx_errmsg(t->ctx)) : why);
	} else {
		attest_print_text(a, r, ok, why, certs, nc);
	}
	return ok ? EXIT_OK : EXIT_FAIL;
}

void attest_use_buffers(struct attest *a)
{
	a->pol.chain_buf = a->chain;
	a->pol.chain_cap = sizeof(a->chain);
	a->pol.meas_buf = a->meas;
	a->pol.meas_cap = sizeof(a->meas);
	a->pol.max_rsp_size = sizeof(a->rsp);
}

int attest_run(struct attest *a, struct spdm_req **req)
{
	const struct spdm_transport_ops *ops;
	void *priv;

	*req = NULL;
	a->pol.trust = a->trust;
	TRY(spdm_req_init(a->mem, sizeof(a->mem), a->t->ctx, &a->pol, req));
	ops = attest_transport(a, &priv);
	tap_init(&a->tap, ops, priv);
	return spdm_req_run(*req, &a->tap.ops, &a->tap, a->rsp, sizeof(a->rsp), 2000000);
}

/* Attests one device with a's policy; prints the report (or adds it to
 * a->collect) and returns the exit code. */
static int attest_one(struct attest *a, const char *spec)
{
	struct tool *t = a->t;
	struct spdm_req *req = NULL;
	int rc, exit_code;

	attest_use_buffers(a);
	/* One nonce for CHALLENGE and GET_MEASUREMENTS, from the OpenSSL RNG unless
	 * the verifier chose it: the evidence records it and a replay reuses it. */
	if (!a->nonce_given && RAND_bytes(a->nonce, sizeof(a->nonce)) != 1)
		return tool_fail(t, doe_err(t->ctx, -EIO, "RAND_bytes failed"), NULL);
	a->pol.nonce = a->nonce;
	rc = attest_open(a, spec);
	if (rc) {
		char why[256];

		exit_code = tool_fail(t, rc, NULL);
		snprintf(why, sizeof(why), "%s", doe_ctx_errmsg(t->ctx));
		attest_close(a);
		if (exit_code == EXIT_USAGE || rc == -EPERM)
			return EXIT_USAGE;
		/* the device is there but cannot be attested at all */
		return a->policy ? attest_policy_unreachable(a, spec, why) : EXIT_FAIL;
	}
	rc = attest_run(a, &req);
	exit_code = req ? attest_report(a, req, rc, true) : tool_fail(t, rc, NULL);
	if (req)
		spdm_req_fini(req);
	msglog_free(&a->tap.log);
	attest_close(a);
	return exit_code;
}

/* "emu[:PROFILE]": every function of the topology with CMA, one line each
 * (or an array of evidence with -j). Each gets its own fresh nonce. */
static int attest_all(struct attest *tmpl, const char *profile)
{
	struct tool *t = tmpl->t;
	struct json_object *arr = json_object_new_array();
	struct emu_topo *topo;
	int rc, worst = EXIT_OK, n = 0;

	rc = tool_topo_new(t, profile, &topo);
	if (rc) {
		json_object_put(arr);
		return tool_fail(t, rc, NULL);
	}
	for (size_t i = 0; i < emu_topo_count(topo); i++) {
		struct emu_fn *fn = emu_topo_fn(topo, i);
		struct attest *a;
		char spec[64];

		if (!emu_fn_has_spdm(fn))
			continue;
		a = malloc(sizeof(*a));
		if (!a)
			break;
		/* tmpl's policy and --trust; without --trust, attest_open() anchors
		 * each device at its own emulator root and attest_close() frees it */
		memcpy(a, tmpl, sizeof(*a));
		a->collect = arr;
		a->summary = true;
		dev_emu_name(emu_topo_profile(topo), &emu_fn_info(fn)->bdf, spec, sizeof(spec));
		rc = attest_one(a, spec);
		if (rc > worst)
			worst = rc;
		free(a);
		n++;
	}
	emu_topo_free(topo);
	if (t->json)
		tool_print_json(arr);
	json_object_put(arr);
	if (n == 0) {
		fprintf(stderr, "%s: no emulated device with CMA/SPDM in profile '%s'\n", t->prog,
			profile);
		return EXIT_USAGE;
	}
	return worst;
}

int cmd_attest(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ "trust", required_argument, NULL, 'T' },
		{ "version", required_argument, NULL, 'V' },
		{ "asym", required_argument, NULL, 'A' },
		{ "hash", required_argument, NULL, 'H' },
		{ "slot", required_argument, NULL, 'S' },
		{ "measurements", required_argument, NULL, 'M' },
		{ "nonce", required_argument, NULL, 'N' },
		{ "trans", required_argument, NULL, 'X' },
		{ "unsigned", no_argument, NULL, 'U' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "policy", required_argument, NULL, 'P' },
		{ "topology", no_argument, NULL, 'O' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "enforce", optional_argument, NULL, 'E' },
		{ "then-list", no_argument, NULL, 'L' },
		{ 0 }
	};
	struct topo_opts topo = { .progress = isatty(STDERR_FILENO) };
	bool topology = false, enforce_given = false;
	struct attest *a = calloc(1, sizeof(*a));
	const char *trust_path = NULL, *policy_path = NULL, *profile;
	struct policy *policy = NULL;
	int c, rc, exit_code;
	size_t nlen;
	uint64_t v;

	if (!a)
		return tool_fail(t, doe_err(t->ctx, -ENOMEM, "out of memory"), NULL);
	a->t = t;
	a->trans = SPDM_SOCK_TRANS_PCI_DOE;
	spdm_req_policy_init(&a->pol);
	while ((c = getopt_long(argc, argv, "jt:h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'T': trust_path = optarg; break;
		case 'V': rc = parse_version(optarg, &a->pol.versions); break;
		case 'A': rc = asym_parse(optarg, &a->pol.asym_algos); break;
		case 'H': rc = hash_parse(optarg, &a->pol.hash_algos); break;
		case 'S':	/* DSP0274: SlotID 0..7 */
			rc = opt_uint(optarg, 0, 7, &v);
			if (rc == 0)
				a->pol.slot = (uint8_t)v;
			break;
		case 'M': rc = parse_meas_mode(optarg, &a->pol); break;
		case 'N':
			rc = hex_decode(optarg, a->nonce, sizeof(a->nonce), &nlen) ||
			     nlen != sizeof(a->nonce) ? -EINVAL : 0;
			a->nonce_given = true;
			break;
		case 'X': rc = spdm_sock_trans_parse(optarg, &a->trans); break;
		case 'U': a->pol.meas_signed = false; break;
		case 'D': rc = parse_deadline(optarg, &a->pol.deadline_ms); break;
		case 'P': policy_path = optarg; break;
		case 'O': topology = true; break;
		case 'L': topo.then_list = true; break;
		case 'J':
			rc = opt_uint(optarg, 1, 256, &v);
			topo.jobs = (unsigned)v;
			break;
		case 'E':
			enforce_given = true;
			topo.enforce = !optarg ? ENFORCE_ON : !strcmp(optarg, "remove") ? ENFORCE_REMOVE
										   : ENFORCE_PLAN;
			rc = optarg && strcmp(optarg, "remove") ? -EINVAL : 0;
			break;
		default:
			rc = tool_common_opt(t, c, optarg);
			if (rc) {
				free(a);
				return rc < 0 ? EXIT_USAGE : EXIT_OK;
			}
			continue;
		}
		if (rc) {
			free(a);
			return tool_usage(t, "attest: bad value '%s' for --%s", optarg,
					  c == 'T' ? "trust" : c == 'V' ? "version (1.0-1.3)"
					  : c == 'A' ? "asym" : c == 'H' ? "hash" : c == 'S' ? "slot (0-7)"
					  : c == 'M' ? "measurements (all, none, count, each or 1-254)"
					  : c == 'N' ? "nonce (64 hex digits)"
					  : c == 'D' ? "deadline (seconds, 1-3600)"
					  : c == 'J' ? "jobs (1-256)" : c == 'E' ? "enforce (no value, or =remove)"
					  : "trans (pci-doe, mctp, none)");
		}
	}
	if (!topology && (enforce_given || topo.jobs || topo.then_list)) {
		free(a);
		return tool_usage(t, "attest: --%s needs --topology", enforce_given ? "enforce"
				  : topo.jobs ? "jobs" : "then-list");
	}
	if (topo.then_list && t->json) {
		free(a);
		return tool_usage(t, "attest: --then-list is for text output (without -j)");
	}
	if (topology && argc - optind > 1) {
		free(a);
		return tool_usage(t, "attest --topology takes at most one scope (emu[:PROFILE] or a BDF)");
	}
	if (!topology && argc - optind != 1) {
		free(a);
		return tool_usage(t, "attest takes one device (or tcp:HOST:PORT)");
	}
	rc = 0;
	if (policy_path) {
		rc = policy_open(t, policy_path, trust_path, &policy, &a->trust, &a->trust_desc);
		a->policy = policy;
	} else if (trust_path) {
		rc = spdm_trust_new(t->ctx, trust_path, &a->trust);
		a->trust_desc = trust_path;
	}
	if (rc) {
		policy_free(policy);
		free(a);
		/* the verifier's own configuration: never the device's fault */
		tool_fail(t, rc, NULL);
		return EXIT_USAGE;
	}
	if (topology)
		exit_code = attest_topology(a, optind < argc ? argv[optind] : NULL, &topo);
	else
		exit_code = topo_spec(argv[optind], &profile) ? attest_all(a, profile)
							       : attest_one(a, argv[optind]);
	spdm_trust_free(a->trust);
	policy_free(policy);
	free(a);
	return exit_code;
}
