// SPDX-License-Identifier: MIT
/*
 * doe ide [-j] DEV
 * doe ide [-j] --setup --stream N [--selective|--link] [--port-index N]
 *         [--refresh] [--stop] [--trust PATH] [--psk HEX [--psk-hint TEXT]]
 *         [--session ID] [--trans T] DEV
 *
 * PCIe IDE (docs/idekm.md). Without --setup: the function's IDE Extended
 * Capability, decoded from config space. With --setup: an SPDM session
 * (as doe session opens one: attestation, then KEY_EXCHANGE, or
 * PSK_EXCHANGE with --psk), QUERY, then KEY_PROG and K_SET_GO for every
 * sub-stream and direction on the device end, each acknowledgement
 * checked and reported; --refresh programs the other key set, switches to
 * it and retires the first; --stop retires the live set. IDE_KM goes only
 * through the library's session functions, which refuse anything but an
 * established session: there is no path here that sends it in the clear.
 * With --session the flow runs in a session the device already has, kept
 * by doe session --keyring --key-type user: its keys come from that key,
 * the session is left open and the key gets the advanced sequence numbers
 * (revoked instead when the session fails: the device has ended it).
 *
 * The host end: on the emulator the root port above DEV gets the same keys
 * (emu_fn_ide_set_keys(), the platform's part) and both ends' Stream
 * Control Enable bits are set, then the link state is read back from both
 * ends' Stream Status. On real hardware the root port is programmed by the
 * platform's TSM: doekit does not do that and says so.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/idekm.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "attest.h"
#include "session.h"
#include "internal.h"

#define IDE_EXT_CAP_ID 0x30u
/* Stream Control / Status of the first Link block and of Selective block
 * i, as offsets from the IDE Capability register (idekm_cap's regs) */
#define LINK_CTL 0x08u

struct ide_cli {
	struct attest *a;
	bool setup, refresh, stop, selective;
	uint8_t stream, port;
	uint8_t psk[64];
	size_t psk_len;
	const char *psk_hint;
	uint32_t session_id;		/* --session: a kept session; 0: none */
	struct kept_session kept;
	/* outcome */
	_Alignas(16) uint8_t smem[SPDM_SESSION_CTX_SIZE];
	struct spdm_sess *s;
	struct idekm_port_info info;
	bool queried;
	/* per sub-stream and direction: key set and the last step's status */
	int8_t keyset[IDEKM_SUBSTREAMS][2];
	const char *status[IDEKM_SUBSTREAMS][2];
	const char *state;		/* "secure", "insecure", "integrity-failure" */
	const char *host;		/* who programs the host end */
	const char *note;		/* what the device's registers left unclear */
	char host_name[96];
	char port_name[96];		/* PortIndex > 0: the function it named */
	struct json_object *steps;
};

/* ---- capability from config space --------------------------------------- */

static int rd(struct doe_cfg *cfg, uint16_t off, uint8_t *regs, size_t *len)
{
	uint32_t v;

	if (*len + 4 > IDEKM_REGS_MAX || (uint32_t)off + *len + 4 > DOE_CFG_SPACE_SIZE)
		return doe_err(doe_cfg_ctx(cfg), -EBADMSG,
			       "IDE capability at 0x%03x: its registers run past config space", off);
	TRY(doe_cfg_read32(cfg, (uint16_t)(off + *len), &v));
	doe_put_le32(regs + *len, v);
	*len += 4;
	return 0;
}

/* The registers from the IDE Capability register on, as many as the
 * capability's own counts say (each count read before what it counts). */
static int read_regs(struct doe_cfg *cfg, uint16_t cap_off, uint8_t *regs, size_t *len)
{
	uint16_t off = (uint16_t)(cap_off + 4);
	uint32_t cap;
	unsigned nlink, nsel;

	*len = 0;
	TRY(rd(cfg, off, regs, len));	/* IDE Capability */
	TRY(rd(cfg, off, regs, len));	/* IDE Control */
	cap = doe_get_le32(regs);
	nlink = cap & IDEKM_CAP_LINK ? ((cap & IDEKM_CAP_TC_MASK) >> IDEKM_CAP_TC_SHIFT) + 1 : 0;
	nsel = cap & IDEKM_CAP_SELECTIVE ? ((cap & IDEKM_CAP_SEL_MASK) >> IDEKM_CAP_SEL_SHIFT) + 1 : 0;
	for (unsigned i = 0; i < 2 * nlink; i++)
		TRY(rd(cfg, off, regs, len));
	for (unsigned i = 0; i < nsel; i++) {
		unsigned naddr;

		TRY(rd(cfg, off, regs, len));
		naddr = doe_get_le32(regs + *len - 4) & IDEKM_SEL_CAP_ASSOC_MASK;
		for (unsigned k = 0; k < 4 + 3 * naddr; k++)
			TRY(rd(cfg, off, regs, len));
	}
	return 0;
}

static int find_ide(struct tool *t, struct doe_cfg *cfg, const char *name, uint16_t *off)
{
	int n = doe_extcap_find(cfg, IDE_EXT_CAP_ID, off, 1);
	char buf[TOOL_ESC_SIZE(96)];

	if (n < 0)
		return n;
	if (n == 0)
		return doe_err(t->ctx, -ENOENT, "%s has no IDE Extended Capability (ID 0x30)",
			       tool_esc(buf, sizeof(buf), name));
	return 0;
}

static const char *state_name(uint8_t st)
{
	return st == IDEKM_STS_SECURE ? "secure" : st == IDEKM_STS_INSECURE ? "insecure" : "other";
}

static const char *alg_name(unsigned alg)
{
	return alg == IDEKM_ALG_AES_GCM_256 ? "aes-gcm-256" : "unknown";
}

/* The stream's state as Status says: bit 31 is the integrity failure */
static const char *sts_word(uint32_t sts)
{
	if (sts & IDEKM_STS_IDE_FAIL)
		return "integrity-failure";
	return state_name((uint8_t)(sts & IDEKM_STS_STATE_MASK));
}

static struct json_object *cap_json(const struct idekm_cap *c)
{
	struct json_object *o = json_object_new_object(), *l = json_object_new_array(),
			   *s = json_object_new_array();

	json_object_object_add(o, "link", json_object_new_boolean(c->link));
	json_object_object_add(o, "selective", json_object_new_boolean(c->selective));
	json_object_object_add(o, "ide_km", json_object_new_boolean(c->ide_km));
	json_object_object_add(o, "tee_limited", json_object_new_boolean(c->tee_limited));
	json_object_object_add(o, "algorithm", json_object_new_string(alg_name(c->algorithms)));
	for (unsigned i = 0; i < c->nlink; i++) {
		const struct idekm_link_stream *ls = &c->link_streams[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "tc", json_object_new_int((int)i));
		json_object_object_add(e, "enabled", json_object_new_boolean(ls->enabled));
		json_object_object_add(e, "stream_id", json_object_new_int(ls->stream_id));
		json_object_object_add(e, "state", json_object_new_string(sts_word(ls->sts)));
		json_object_array_add(l, e);
	}
	for (unsigned i = 0; i < c->nsel; i++) {
		struct idekm_sel_stream ss;
		struct json_object *e = json_object_new_object();

		if (idekm_cap_sel(c, i, &ss)) {
			json_object_put(e);
			continue;
		}
		json_object_object_add(e, "index", json_object_new_int((int)i));
		json_object_object_add(e, "enabled", json_object_new_boolean(ss.enabled));
		json_object_object_add(e, "stream_id", json_object_new_int(ss.stream_id));
		json_object_object_add(e, "state", json_object_new_string(sts_word(ss.sts)));
		json_object_object_add(e, "rid_valid", json_object_new_boolean(ss.rid_valid));
		json_object_object_add(e, "rid_base", json_object_new_int(ss.rid_base));
		json_object_object_add(e, "rid_limit", json_object_new_int(ss.rid_limit));
		json_object_object_add(e, "rid_segment", json_object_new_int(ss.rid_segment));
		json_object_object_add(e, "address_blocks", json_object_new_int(ss.naddr));
		json_object_array_add(s, e);
	}
	json_object_object_add(o, "link_streams", l);
	json_object_object_add(o, "selective_streams", s);
	return o;
}

static void cap_print(const struct idekm_cap *c)
{
	printf("  supports:%s%s%s%s\n", c->link ? " link-IDE" : "",
	       c->selective ? " selective-IDE" : "", c->ide_km ? " IDE_KM" : "",
	       c->tee_limited ? " TEE-limited" : "");
	printf("  algorithm: %s\n", alg_name(c->algorithms));
	for (unsigned i = 0; i < c->nlink; i++) {
		const struct idekm_link_stream *ls = &c->link_streams[i];

		printf("  link stream TC%u: %s, stream ID %u, %s\n", i,
		       ls->enabled ? "enabled" : "disabled", ls->stream_id, sts_word(ls->sts));
	}
	for (unsigned i = 0; i < c->nsel; i++) {
		struct idekm_sel_stream ss;

		if (idekm_cap_sel(c, i, &ss))
			continue;
		printf("  selective stream %u: %s, stream ID %u, %s, RID %04x-%04x segment %u%s, "
		       "%u address block%s\n", i, ss.enabled ? "enabled" : "disabled",
		       ss.stream_id, sts_word(ss.sts), ss.rid_base, ss.rid_limit, ss.rid_segment,
		       ss.rid_valid ? "" : " (not valid)", ss.naddr, ss.naddr == 1 ? "" : "s");
	}
}

static int show(struct tool *t, const char *spec)
{
	struct dev d = { 0 };
	struct doe_cfg *cfg;
	struct idekm_cap *cap = calloc(1, sizeof(*cap));
	uint8_t regs[IDEKM_REGS_MAX];
	char buf[TOOL_ESC_SIZE(96)];
	uint16_t off;
	size_t len;
	int rc;

	if (!cap)
		return doe_err(t->ctx, -ENOMEM, "out of memory");
	rc = dev_open(t, spec, &d);
	if (!rc)
		rc = dev_cfg(t, &d, &cfg);
	if (!rc)
		rc = find_ide(t, cfg, d.name, &off);
	if (!rc)
		rc = read_regs(cfg, off, regs, &len);
	if (!rc)
		rc = idekm_cap_decode(t->ctx, regs, len, cap);
	if (!rc && t->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(d.name));
		json_object_object_add(o, "offset", json_object_new_int(off));
		json_object_object_add(o, "ide", cap_json(cap));
		tool_print_json(o);
		json_object_put(o);
	} else if (!rc) {
		printf("%s  IDE capability at 0x%03x\n", tool_esc(buf, sizeof(buf), d.name), off);
		cap_print(cap);
	}
	free(cap);
	dev_close(&d);
	return rc;
}

/* ---- setup -------------------------------------------------------------- */

static void step(struct ide_cli *c, const char *what, int rc)
{
	struct tool *t = c->a->t;

	if (t->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "step", json_object_new_string(what));
		json_object_object_add(o, "ok", json_object_new_boolean(!rc));
		json_object_array_add(c->steps, o);
		return;
	}
	printf("  %-40s %s\n", what, rc ? "FAILED" : "ok");
}

/* The session, as doe session opens it (session_attest()): attestation
 * first; KEY_EXCHANGE trusts only the key of the chain just verified. */
static int open_session(struct ide_cli *c, struct spdm_req **req, const struct spdm_transport_ops **ops,
			void **priv)
{
	struct spdm_sess_opts so = { 0 };
	struct spdm_conn conn;
	bool ran;

	TRY(session_attest(c->a, c->psk_len != 0, 0, req, ops, priv, &conn, &ran));
	so.binding = (enum spdm_binding)(*ops)->binding;
	if (c->psk_len) {
		so.psk = c->psk;
		so.psk_len = c->psk_len;
		so.psk_hint = (const uint8_t *)c->psk_hint;
		so.psk_hint_len = c->psk_hint ? strlen(c->psk_hint) : 0;
	}
	TRY(spdm_sess_req_init(c->smem, sizeof(c->smem), c->a->t->ctx, &conn, &so, &c->s));
	return spdm_sess_run(c->s, *ops, *priv);
}

/* KEY_PROG for the six keys of one key set, then K_SET_GO (receivers
 * first), each acknowledgement checked by the library and reported. */
static int program(struct ide_cli *c, const struct spdm_transport_ops *ops, void *priv,
		   struct idekm_keys *k)
{
	char what[64];

	for (uint8_t dir = 0; dir < 2; dir++)
		for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++) {
			int rc;

			if (RAND_bytes(k->k[sub][dir].key, IDEKM_KEY_SIZE) != 1 ||
			    RAND_bytes(k->k[sub][dir].ifv, IDEKM_IFV_SIZE) != 1)
				return doe_err(c->a->t->ctx, -EIO, "the OpenSSL RNG failed");
			rc = idekm_key_prog(c->s, ops, priv, c->stream, c->port, k->keyset, dir, sub,
					    k->k[sub][dir].key, k->k[sub][dir].ifv);
			snprintf(what, sizeof(what), "KEY_PROG K%u %s %s", k->keyset,
				 idekm_dir_name(dir), idekm_substream_name(sub));
			step(c, what, rc);
			if (rc)
				return rc;
			c->keyset[sub][dir] = (int8_t)k->keyset;
			c->status[sub][dir] = "programmed";
		}
	for (uint8_t dir = 0; dir < 2; dir++)
		for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++) {
			int rc = idekm_key_set(c->s, ops, priv, true, c->stream, c->port, k->keyset,
					       dir, sub);

			snprintf(what, sizeof(what), "K_SET_GO K%u %s %s", k->keyset,
				 idekm_dir_name(dir), idekm_substream_name(sub));
			step(c, what, rc);
			if (rc)
				return rc;
			c->status[sub][dir] = "live";
		}
	return 0;
}

static int retire(struct ide_cli *c, const struct spdm_transport_ops *ops, void *priv,
		  uint8_t keyset, bool live)
{
	char what[64];

	for (uint8_t dir = 0; dir < 2; dir++)
		for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++) {
			int rc = idekm_key_set(c->s, ops, priv, false, c->stream, c->port, keyset,
					       dir, sub);

			snprintf(what, sizeof(what), "K_SET_STOP K%u %s %s", keyset,
				 idekm_dir_name(dir), idekm_substream_name(sub));
			step(c, what, rc);
			if (rc)
				return rc;
			if (live)
				c->status[sub][dir] = "stopped";
		}
	return 0;
}

/* Stream Control of the chosen block, relative to the IDE capability:
 * Link TC 0, or Selective block 0. */
static int ctl_reg(const struct idekm_cap *cap, bool selective, uint16_t *reg)
{
	if (selective) {
		if (!cap->nsel)
			return -ENOENT;
		*reg = (uint16_t)(4 + cap->sel_off[0] + 4);
	} else {
		if (!cap->nlink)
			return -ENOENT;
		*reg = 4 + LINK_CTL;
	}
	return 0;
}

/* Emulated only: Stream ID (and Enable when on) in both ends' Stream
 * Control, as the TSM and the driver would write them. */
static int emu_control(struct ide_cli *c, struct doe_cfg *ep, uint16_t ep_off,
		       struct doe_cfg *rp, uint16_t rp_off, uint16_t reg, bool on)
{
	uint32_t v = (uint32_t)c->stream << IDEKM_CTL_ID_SHIFT | (on ? IDEKM_CTL_ENABLE : 0);

	TRY(doe_cfg_write32(ep, (uint16_t)(ep_off + reg), v));
	return doe_cfg_write32(rp, (uint16_t)(rp_off + reg), v);
}

static int read_state(struct doe_cfg *cfg, uint16_t off, uint16_t reg, uint32_t *sts)
{
	return doe_cfg_read32(cfg, (uint16_t)(off + reg + 4), sts);
}

static int run_setup(struct ide_cli *c, const char *spec)
{
	struct attest *a = c->a;
	struct tool *t = a->t;
	const struct spdm_transport_ops *ops = NULL;
	struct spdm_req *req = NULL;
	struct idekm_keys *k = calloc(2, sizeof(*k));
	struct emu_fn *host = NULL, *end = NULL;	/* end: the function keyed */
	struct doe_cfg *ep_cfg = NULL, *rp_cfg = NULL, *port_cfg = NULL;
	uint16_t ep_off = 0, rp_off = 0, reg = 0;
	uint8_t cur = 0;
	char vb[TOOL_ESC_SIZE(96)];
	void *priv = NULL;
	int rc;

	if (!k)
		return doe_err(t->ctx, -ENOMEM, "out of memory");
	rc = attest_open(a, spec);
	if (!rc && a->dev.emulated && !c->session_id) {
		host = emu_fn_ide_host(a->dev.fn);
		if (emu_fn_info(a->dev.fn)->port_type == EMU_PCIE_ROOT_PORT)
			rc = doe_err(t->ctx, -EINVAL, "%s is a root port: the host end, keyed by the "
				     "platform, not by IDE_KM; set up the device below it", a->name);
		else if (!emu_fn_has_ide(a->dev.fn) || !host)
			rc = doe_err(t->ctx, -ENOENT, "%s: no IDE capability with a root port "
				     "above it that has one", a->name);
		if (!rc)
			rc = dev_cfg(t, &a->dev, &ep_cfg);
		if (!rc)
			rc = find_ide(t, ep_cfg, a->name, &ep_off);
		if (!rc)
			rc = emu_fn_cfg_open_ctx(host, t->ctx, &rp_cfg);
		if (!rc)
			rc = find_ide(t, rp_cfg, "the root port", &rp_off);
		if (!rc) {
			dev_emu_name(emu_topo_profile(a->dev.topo), &emu_fn_info(host)->bdf,
				     c->host_name, sizeof(c->host_name));
			c->host = c->host_name;
		}
	} else if (!rc) {
		c->host = NULL;	/* the platform's TSM */
	}
	if (!rc && !t->json)
		printf("%s  via %s\n", tool_esc(vb, sizeof(vb), a->name), a->via);
	if (!rc && c->session_id) {
		char what[64];

		rc = session_resume(a, c->session_id, c->smem, sizeof(c->smem), &c->kept, &ops,
				    &priv);
		c->s = c->kept.s;
		snprintf(what, sizeof(what), "SPDM session %08x resumed (kept)", c->session_id);
		step(c, what, rc);
	} else if (!rc) {
		rc = open_session(c, &req, &ops, &priv);
		step(c, c->psk_len ? "SPDM session (PSK_EXCHANGE)" : "SPDM session (KEY_EXCHANGE)", rc);
	}
	if (!rc) {
		rc = idekm_query(c->s, ops, priv, c->port, &c->info);
		c->queried = !rc;
		step(c, "QUERY", rc);
	}
	/* a switch's upstream port answers IDE_KM for its downstream ports too
	 * (PortIndex 1..N): the keys are the function's QUERY_RESP names, and
	 * so are the Stream Control and the link the root port pairs with */
	end = host ? a->dev.fn : NULL;
	if (!rc && host && c->port) {
		struct doe_bdf b = { .domain = c->info.segment, .bus = c->info.bus,
				     .dev = (uint8_t)(c->info.dev_func >> 3),
				     .fn = (uint8_t)(c->info.dev_func & 7) };
		char pb[TOOL_ESC_SIZE(96)];

		end = emu_topo_find(a->dev.topo, &b);
		snprintf(pb, sizeof(pb), "%04x:%02x:%02x.%x", b.domain, b.bus, b.dev, b.fn);
		if (!end || !emu_fn_has_ide(end) || emu_fn_ide_host(end) != host)
			rc = doe_err(t->ctx, -ENOENT, "%s: port index %u is %s, which has no IDE "
				     "capability below %s", a->name, c->port, pb, c->host_name);
		if (!rc)
			rc = emu_fn_cfg_open_ctx(end, t->ctx, &port_cfg);
		if (!rc)
			rc = find_ide(t, port_cfg, pb, &ep_off);
		if (!rc) {
			ep_cfg = port_cfg;
			dev_emu_name(emu_topo_profile(a->dev.topo), &b, c->port_name,
				     sizeof(c->port_name));
		}
	}
	/* the emulated ends need the register block; another device gets its
	 * keys anyway (spdm-emu's sample device reports no stream at all) */
	if (!rc && ctl_reg(&c->info.cap, c->selective, &reg)) {
		if (host)
			rc = doe_err(t->ctx, -EOPNOTSUPP, "%s: the device reports no %s IDE stream",
				     a->name, c->selective ? "selective" : "link");
		else
			c->note = c->selective ? "QUERY_RESP reports no selective IDE stream"
					       : "QUERY_RESP reports no link IDE stream";
	}
	/* the Stream ID first: devices may want it before keys arrive */
	if (!rc && host)
		rc = emu_control(c, ep_cfg, ep_off, rp_cfg, rp_off, reg, false);
	k[0].stream_id = k[1].stream_id = c->stream;
	k[0].port_index = k[1].port_index = c->port;
	k[0].keyset = 0;
	k[1].keyset = 1;
	if (!rc)
		rc = program(c, ops, priv, &k[0]);
	if (!rc && host) {
		rc = emu_fn_ide_set_keys(host, end, &k[0]);
		step(c, "host end keys K0 (emulator root port)", rc);
	}
	if (!rc && host) {
		rc = emu_control(c, ep_cfg, ep_off, rp_cfg, rp_off, reg, true);
		step(c, "Stream Control Enable, both ends", rc);
	}
	if (!rc && c->refresh) {
		rc = program(c, ops, priv, &k[1]);
		if (!rc && host) {
			rc = emu_fn_ide_set_keys(host, end, &k[1]);
			step(c, "host end keys K1 (emulator root port)", rc);
		}
		if (!rc)
			rc = retire(c, ops, priv, 0, false);
		if (!rc && host)
			rc = emu_fn_ide_clear_keys(host, 0);
		cur = 1;
	}
	if (!rc && c->stop) {
		rc = retire(c, ops, priv, cur, true);
		if (!rc && host) {
			rc = emu_control(c, ep_cfg, ep_off, rp_cfg, rp_off, reg, false);
			if (!rc)
				rc = emu_fn_ide_clear_keys(host, cur);
			step(c, "host end: disabled, keys cleared", rc);
		}
	}
	idekm_keys_wipe(&k[0]);
	idekm_keys_wipe(&k[1]);
	free(k);
	/* the link as both ends' Stream Status report it */
	if (!rc && host) {
		uint32_t es, hs;

		rc = read_state(ep_cfg, ep_off, reg, &es);
		if (!rc)
			rc = read_state(rp_cfg, rp_off, reg, &hs);
		if (!rc) {
			c->state = sts_word(es);
			if (strcmp(sts_word(hs), c->state))
				c->state = "inconsistent";
		}
		if (!rc && !c->stop && ((es | hs) & IDEKM_STS_IDE_FAIL))
			rc = doe_err(t->ctx, -EIO, "%s: stream %u: IDE integrity failure (Stream "
				     "Status insecure, IDE Fail Message Received: the two ends' "
				     "keys differ)", a->name, c->stream);
		else if (!rc && !c->stop && strcmp(c->state, "secure"))
			rc = doe_err(t->ctx, -EIO, "%s: stream %u is %s after setup", a->name,
				     c->stream, c->state);
	}	/* elsewhere the host end is not ours: no link state to read */
	if (c->session_id)	/* the session stays for its owner */
		rc = session_resume_finish(t->ctx, &c->kept, rc);
	else if (c->s && spdm_sess_state(c->s) == SPDM_SESS_ESTABLISHED) {
		(void)spdm_sess_control(c->s, ops, priv, 0xEC /* END_SESSION */, 0);
	}
	spdm_sess_fini(c->s);
	c->s = NULL;
	if (req)
		spdm_req_fini(req);
	doe_cfg_free(rp_cfg);
	doe_cfg_free(port_cfg);
	return rc;
}

static void report(struct ide_cli *c, int rc)
{
	struct tool *t = c->a->t;
	char buf[TOOL_ESC_SIZE(96)];

	if (t->json) {
		struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

		json_object_object_add(o, "device", json_object_new_string(c->a->name));
		json_object_object_add(o, "stream_id", json_object_new_int(c->stream));
		json_object_object_add(o, "port_index", json_object_new_int(c->port));
		if (c->port_name[0])
			json_object_object_add(o, "port_device", json_object_new_string(c->port_name));
		json_object_object_add(o, "kind",
				       json_object_new_string(c->selective ? "selective" : "link"));
		for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
			for (uint8_t dir = 0; dir < 2; dir++) {
				struct json_object *e = json_object_new_object();

				json_object_object_add(e, "substream",
						       json_object_new_string(idekm_substream_name(sub)));
				json_object_object_add(e, "direction",
						       json_object_new_string(idekm_dir_name(dir)));
				json_object_object_add(e, "key_set", c->keyset[sub][dir] < 0 ? NULL :
						       json_object_new_int(c->keyset[sub][dir]));
				json_object_object_add(e, "status", json_object_new_string(
					c->status[sub][dir] ? c->status[sub][dir] : "not programmed"));
				json_object_array_add(arr, e);
			}
		json_object_object_add(o, "substreams", arr);
		json_object_object_add(o, "state", c->state ? json_object_new_string(c->state) : NULL);
		json_object_object_add(o, "host", json_object_new_string(
			c->host ? c->host : "platform (TSM): not programmed by doekit"));
		if (c->queried)
			json_object_object_add(o, "ide", cap_json(&c->info.cap));
		if (c->note)
			json_object_object_add(o, "note", json_object_new_string(c->note));
		if (c->session_id) {
			struct json_object *sj = json_object_new_object();
			char id[12];

			snprintf(id, sizeof(id), "%08x", c->session_id);
			json_object_object_add(sj, "id", json_object_new_string(id));
			json_object_object_add(sj, "resumed", json_object_new_boolean(true));
			json_object_object_add(sj, "key", c->kept.key > 0 ? json_object_new_int(c->kept.key)
								     : NULL);
			json_object_object_add(sj, "key_state", json_object_new_string(
				c->kept.key <= 0 ? "not found" : c->kept.revoked ? "revoked: the session failed"
								     : "sequence numbers updated"));
			json_object_object_add(o, "session", sj);
		}
		json_object_object_add(o, "steps", json_object_get(c->steps));
		if (rc)
			json_object_object_add(o, "error", json_object_new_string(doe_ctx_errmsg(t->ctx)));
		tool_print_json(o);
		json_object_put(o);
		return;
	}
	if (rc) {
		if (c->kept.revoked)
			printf("  key %d revoked: session %08x failed\n", c->kept.key, c->session_id);
		return;	/* the failed step is shown; tool_fail() says why */
	}
	printf("  stream %u (%s), port index %u:", c->stream, c->selective ? "selective" : "link",
	       c->port);
	for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
		for (uint8_t dir = 0; dir < 2; dir++)
			if (c->keyset[sub][dir] >= 0)
				printf(" %s/%s K%d %s", idekm_substream_name(sub),
				       idekm_dir_name(dir), c->keyset[sub][dir],
				       c->status[sub][dir]);
	printf("\n");
	if (c->port_name[0])
		printf("  port index %u: %s (a port of this switch)\n", c->port,
		       tool_esc(buf, sizeof(buf), c->port_name));
	if (c->note)
		printf("  note: %s; keys programmed as asked\n", c->note);
	if (c->host)
		printf("  host end: %s (emulated root port, keys set by the emulator)\n",
		       tool_esc(buf, sizeof(buf), c->host));
	else
		printf("  host end: programmed by the platform's TSM, not by doekit\n");
	if (c->state)
		printf("  link state: %s\n", c->state);
	if (c->session_id)
		printf("  session %08x left open; key %d holds its next sequence numbers\n",
		       c->session_id, c->kept.key);
}

int cmd_ide(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ "setup", no_argument, NULL, 'S' },
		{ "stream", required_argument, NULL, 's' },
		{ "selective", no_argument, NULL, 'l' },
		{ "link", no_argument, NULL, 'L' },
		{ "port-index", required_argument, NULL, 'p' },
		{ "refresh", no_argument, NULL, 'F' },
		{ "stop", no_argument, NULL, 'O' },
		{ "trust", required_argument, NULL, 'T' },
		{ "psk", required_argument, NULL, 'P' },
		{ "psk-hint", required_argument, NULL, 'I' },
		{ "trans", required_argument, NULL, 'X' },
		{ "session", required_argument, NULL, 'K' },
		{ 0 }
	};
	struct ide_cli *c = calloc(1, sizeof(*c));
	const char *trust_path = NULL, *bad = NULL;
	bool stream_given = false, link = false, sel_given = false;
	int ch, rc = 0, code;
	uint64_t v;

	if (!c || !(c->a = calloc(1, sizeof(*c->a)))) {
		free(c);
		return tool_fail(t, doe_err(t->ctx, -ENOMEM, "out of memory"), NULL);
	}
	c->a->t = t;
	c->a->trans = SPDM_SOCK_TRANS_PCI_DOE;
	spdm_req_policy_init(&c->a->pol);
	c->a->pol.versions = SPDM_VMASK(SPDM_V11) | SPDM_VMASK(SPDM_V12) | SPDM_VMASK(SPDM_V13);
	memset(c->keyset, -1, sizeof(c->keyset));
	c->kept.lock_fd = -1;
	c->selective = true;
	while ((ch = getopt_long(argc, argv, "jt:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'S': c->setup = true; break;
		case 's':
			if (opt_uint(optarg, 0, 255, &v))
				bad = "stream (0-255)";
			c->stream = (uint8_t)v;
			stream_given = true;
			break;
		case 'l': sel_given = true; break;
		case 'L': link = true; break;
		case 'p':
			if (opt_uint(optarg, 0, 255, &v))
				bad = "port-index (0-255)";
			c->port = (uint8_t)v;
			break;
		case 'F': c->refresh = true; break;
		case 'O': c->stop = true; break;
		case 'T': trust_path = optarg; break;
		case 'P':
			if (hex_decode(optarg, c->psk, sizeof(c->psk), &c->psk_len) || !c->psk_len)
				bad = "psk (2 to 128 hex digits)";
			break;
		case 'I':
			if (strlen(optarg) > 64)
				bad = "psk-hint (at most 64 bytes)";
			c->psk_hint = optarg;
			break;
		case 'K':
			if (opt_hex32(optarg, &c->session_id) || !c->session_id)
				bad = "session (the session ID doe session printed: 1 to 8 hex digits, not 0)";
						break;
		case 'X':
			if (spdm_sock_trans_parse(optarg, &c->a->trans) ||
			    c->a->trans == SPDM_SOCK_TRANS_NONE)
				bad = "trans (pci-doe, mctp)";
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
			code = tool_usage(t, "ide: bad value '%s' for --%s", optarg ? optarg : "", bad);
			goto out;
		}
	}
	if (argc - optind != 1) {
		code = tool_usage(t, "ide takes one device");
		goto out;
	}
	if (link && sel_given) {
		code = tool_usage(t, "ide: --link and --selective contradict each other");
		goto out;
	}
	if (link)
		c->selective = false;
	if (!c->setup && (stream_given || c->refresh || c->stop || link || c->psk_len ||
			  trust_path || c->port || sel_given)) {
		code = tool_usage(t, "ide: --stream, --link, --selective, --port-index, --refresh, "
				  "--stop, --psk and --trust go with --setup");
		goto out;
	}
	if (c->session_id && (c->psk_len || trust_path)) {
		code = tool_usage(t, "ide: --session reuses a session attested when it was set up: "
				  "--psk and --trust are for a new one");
		goto out;
	}
	if (c->session_id && !c->setup) {
		code = tool_usage(t, "ide: --session goes with --setup");
		goto out;
	}
	if (c->psk_hint && !c->psk_len) {
		code = tool_usage(t, "ide: --psk-hint needs --psk");
		goto out;
	}
	if (c->setup && !stream_given) {
		code = tool_usage(t, "ide: --setup needs --stream N");
		goto out;
	}
	if (!c->setup) {
		if (!strncmp(argv[optind], "tcp:", 4) || dev_spec_is_mctp(argv[optind])) {
			code = tool_usage(t, "ide: showing the IDE capability needs config space "
					  "(a PCI or emulated function); --setup works over sockets");
			goto out;
		}
		rc = show(t, argv[optind]);
		code = rc ? tool_fail(t, rc, NULL) : EXIT_OK;
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
	c->steps = json_object_new_array();
	rc = run_setup(c, argv[optind]);
	report(c, rc);
	code = rc ? tool_fail(t, rc, NULL) : EXIT_OK;
out:
	json_object_put(c->steps);
	attest_close(c->a);
	spdm_trust_free(c->a->trust);
	OPENSSL_cleanse(c->psk, sizeof(c->psk));
	free(c->a);
	free(c);
	return code;
}
