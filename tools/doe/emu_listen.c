// SPDX-License-Identifier: MIT
/*
 * doe emulate --listen tcp:HOST:PORT [--trans T] [--profile P] [--device BDF]
 *                      [--export-root FILE] [--max-clients N]
 *                      [--psk HEX [--psk-hint TEXT | --psk-hint-hex HEX]]
 *                      [--idle-timeout MS] [--frame-timeout MS] [--max-lifetime MS]
 *
 * An emulated device's SPDM responder behind the spdm-emu socket protocol,
 * so that QEMU's spdm-socket and DMTF's spdm_requester_emu can use it as
 * their device. Serves many clients at once, each with a responder of its
 * own that starts fresh at connect (a client cannot inherit another's
 * negotiated state) and session slots of its own: secured messages (MCTP
 * type 0x06, DOE object type 2) go to that connection's sessions only.
 * Serves until a client sends SHUTDOWN or the process gets SIGINT/SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <doekit/spdm_socket.h>
#include "attest.h"
#include "internal.h"
#include "tool.h"

/* responders left by clients that ended with CONTINUE in a session */
#define PARKED_MAX 8u

struct parked {
	struct emu_spdm_conn *c;	/* NULL: free slot */
	uint64_t since;			/* CLOCK_MONOTONIC ms */
};

struct listen_server {
	struct tool *t;
	struct emu_fn *fn;	/* the device served */
	bool mctp;		/* secured messages use the MCTP binding */
	/* --trans mctp in a profile with an MCTP network: the endpoint served,
	 * every connection a channel to it (emu_mctp_open()) */
	struct emu_topo *topo;
	int eid;		/* -1: a function's SPDM responder, as above */
	struct parked park[PARKED_MAX];
	uint32_t park_ms;	/* how long one stays parked: --max-lifetime */
};

/* A connection of the function mode: its responder, and whether it has
 * handled anything yet (only a fresh one may take over a parked one). */
struct listen_conn {
	struct listen_server *ls;
	struct emu_spdm_conn *c;
	bool fresh;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void park_expire(struct listen_server *ls, uint64_t now)
{
	for (unsigned i = 0; i < PARKED_MAX; i++)
		if (ls->park[i].c && now - ls->park[i].since >= ls->park_ms) {
			emu_spdm_conn_free(ls->park[i].c);
			ls->park[i].c = NULL;
		}
}

/* The parked responder holding session id, taken out of the park. */
static struct emu_spdm_conn *park_take(struct listen_server *ls, uint32_t id)
{
	park_expire(ls, now_ms());
	for (unsigned i = 0; i < PARKED_MAX; i++)
		if (ls->park[i].c && emu_spdm_conn_has_session(ls->park[i].c, id)) {
			struct emu_spdm_conn *c = ls->park[i].c;

			ls->park[i].c = NULL;
			return c;
		}
	return NULL;
}

/* One message of a connection: its responder answers in the clear or in
 * a session. A fresh connection's first secured message may be for a
 * session a departed client parked: that responder becomes this one's. */
static int handle(void *priv, enum spdm_sock_kind kind, const uint8_t *req, size_t len,
		  uint8_t *rsp, size_t cap, size_t *rlen)
{
	struct listen_conn *lc = priv;
	uint32_t id;

	if (lc->fresh && kind == SPDM_SOCK_SECURED && !spdm_rec_session_id(req, len, &id)) {
		struct emu_spdm_conn *was = park_take(lc->ls, id);

		if (was) {
			doe_log(lc->ls->t->ctx, DOE_LOG_DEBUG, "a client resumes session %08x", id);
			emu_spdm_conn_free(lc->c);
			lc->c = was;
		}
	}
	lc->fresh = false;
	return emu_spdm_conn_handle(lc->c, kind == SPDM_SOCK_SECURED, req, len, rsp, cap, rlen);
}

/* A fresh responder and session slots per connection: a new client starts
 * before VCA, as with a device that was just reset, whatever the last
 * client did, and cannot reach another client's sessions. */
static int conn_open(void *priv, void **conn_priv)
{
	struct listen_server *ls = priv;
	struct listen_conn *lc = calloc(1, sizeof(*lc));
	int rc;

	if (!lc)
		return doe_err(ls->t->ctx, -ENOMEM, "out of memory");
	rc = emu_fn_spdm_conn_new(ls->fn, ls->mctp, &lc->c);
	if (rc) {
		free(lc);
		return rc;
	}
	lc->ls = ls;
	lc->fresh = true;
	*conn_priv = lc;
	return 0;
}

/* CONTINUE with a session held: the responder waits for the session's
 * next user (the oldest parked one makes room). */
static void conn_continue(void *priv, void *conn_priv)
{
	struct listen_server *ls = priv;
	struct listen_conn *lc = conn_priv;
	uint64_t now = now_ms();
	unsigned slot = 0, n = emu_spdm_conn_sessions(lc->c);

	if (!n)
		return;
	park_expire(ls, now);
	for (unsigned i = 0; i < PARKED_MAX; i++) {
		if (!ls->park[i].c) {
			slot = i;
			break;
		}
		if (ls->park[i].since < ls->park[slot].since)
			slot = i;
	}
	emu_spdm_conn_free(ls->park[slot].c);
	ls->park[slot] = (struct parked){ .c = lc->c, .since = now };
	lc->c = NULL;
	doe_log(ls->t->ctx, DOE_LOG_DEBUG, "%u session%s kept for the next client", n,
		n == 1 ? "" : "s");
}

static void conn_close(void *priv, void *conn_priv)
{
	struct listen_conn *lc = conn_priv;

	(void)priv;
	emu_spdm_conn_free(lc->c);
	free(lc);
}

/*
 * The MCTP endpoint mode: each connection is a requester on the emulated
 * MCTP network, with a channel of its own (its own SPDM responder and
 * sessions); all share the one topology, so what one client binds or
 * unbinds over FM-API the others see.
 */
static int ep_open(void *priv, void **conn_priv)
{
	struct listen_server *ls = priv;

	return emu_mctp_open(ls->topo, (uint8_t)ls->eid, (struct mctp_chan **)conn_priv);
}

static void ep_close(void *priv, void *conn_priv)
{
	(void)priv;
	mctp_chan_free(conn_priv);
}

static int ep_spdm(void *priv, enum spdm_sock_kind kind, const uint8_t *req, size_t len,
		   uint8_t *rsp, size_t cap, size_t *rlen)
{
	return mctp_exchange(priv, kind == SPDM_SOCK_SECURED ? MCTP_TYPE_SECURED : MCTP_TYPE_SPDM,
			     req, len, rsp, cap, rlen);
}

/* Any other MCTP message (FM-API): whole messages in and out */
static int ep_other(void *priv, const uint8_t *msg, size_t len, uint8_t *rsp, size_t cap,
		    size_t *rlen)
{
	const uint8_t *body;
	size_t blen;
	uint8_t type;

	if (cap < 1)
		return -EMSGSIZE;
	TRY(mctp_msg_decode(mctp_chan_ctx(priv), msg, len, &type, &body, &blen));
	TRY(mctp_exchange(priv, type, body, blen, rsp + 1, cap - 1, rlen));
	rsp[0] = type;
	*rlen += 1;
	return 0;
}

/* Serves the topology's first MCTP endpoint when --trans mctp and no
 * --device: fn becomes the function with its SPDM identity. */
static int use_endpoint(struct tool *t, const struct listen_opts *o, struct emu_topo *topo,
			struct listen_server *ls, struct spdm_sock_server *srv, struct emu_fn **fn)
{
	uint8_t eid;

	if (srv->trans != SPDM_SOCK_TRANS_MCTP || o->device || !emu_mctp_eids(topo, &eid, 1)) {
		if (o->fm_fault)
			return doe_err(t->ctx, -EINVAL, "--fm-fault is for the MCTP endpoint of a "
				       "profile that has one (--trans mctp, no --device)");
		return 0;
	}
	ls->topo = topo;
	ls->eid = eid;
	*fn = emu_mctp_spdm_fn(topo, eid);
	srv->handler = ep_spdm;
	srv->mctp_handler = ep_other;
	srv->conn_open = ep_open;
	srv->conn_close = ep_close;
	srv->conn_continue = NULL;	/* the MCTP network keeps its own state */
	if (o->fm_fault) {
		struct emu_mctp_fault f = { 0 };

		if (emu_mctp_fault_parse(o->fm_fault, &f.kind))
			return doe_err(t->ctx, -EINVAL, "--fm-fault '%s': busy, bg-never, "
				       "wrong-tag or truncate", o->fm_fault);
		TRY(emu_mctp_set_fault(topo, eid, &f));
	}
	return 0;
}

/* The first function with CMA, endpoints before ports. */
static struct emu_fn *default_fn(struct emu_topo *topo)
{
	struct emu_fn *port = NULL;

	for (size_t i = 0; i < emu_topo_count(topo); i++) {
		struct emu_fn *fn = emu_topo_fn(topo, i);

		if (!emu_fn_has_spdm(fn))
			continue;
		if (emu_fn_info(fn)->port_type == EMU_PCIE_ENDPOINT)
			return fn;
		if (!port)
			port = fn;
	}
	return port;
}

static int export_root(struct tool *t, struct emu_fn *fn, const char *path)
{
	const uint8_t *der, *p;
	size_t len;
	X509 *x;
	FILE *f;
	int ok;

	TRY(emu_fn_spdm_root(fn, &der, &len));
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	f = fopen(path, "w");
	if (!f) {	/* an unwritable output is the caller's to fix: same code as cdat -o */
		int e = errno;

		X509_free(x);
		return doe_err(t->ctx, -e, "cannot write the root certificate to %s: %s", path,
			       strerror(e));
	}
	ok = x && f && PEM_write_X509(f, x) == 1;
	if (f && fclose(f))
		ok = 0;
	X509_free(x);
	if (!ok)
		return doe_err(t->ctx, -EIO, "cannot write the root certificate to %s", path);
	return 0;
}

/* The write end of the self-pipe: a signal makes the server's poll() see
 * the read end readable at once, whatever the clients are doing. It lives
 * here, in the tool: the library keeps no global state. */
static volatile sig_atomic_t stop_wr = -1;

static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (stop_wr >= 0 && write(stop_wr, "", 1) < 0) {
		/* a full pipe already says stop */
	}
	errno = saved;
}

/* Library log lines (a client refused or dropped, and why) go to stderr. */
static void log_line(void *priv, int prio, const char *msg)
{
	const struct tool *t = priv;

	fprintf(stderr, "%s: %s%s\n", t->prog, prio <= DOE_LOG_WARN ? "" : "debug: ", msg);
}

/* A count or milliseconds: decimal digits only, min..max, nothing after. */
static int parse_num(struct tool *t, const char *opt, const char *s, unsigned long min,
		     unsigned long max, uint32_t *out)
{
	uint64_t v;

	if (opt_uint(s, min, max, &v))
		return tool_usage(t, "bad value '%s' for %s: a number from %lu to %lu", s, opt, min,
				  max);
	*out = (uint32_t)v;
	return 0;
}

/* The server limits from the options; usage errors return EXIT_USAGE. */
static int parse_limits(struct tool *t, const struct listen_opts *o, struct spdm_sock_server *srv)
{
	uint32_t v = 16;

	if (o->max_clients && parse_num(t, "--max-clients", o->max_clients, 1, 1024, &v))
		return EXIT_USAGE;
	srv->max_clients = v;
	v = 60000;
	if (o->idle && parse_num(t, "--idle-timeout", o->idle, 1, 86400000, &v))
		return EXIT_USAGE;
	srv->idle_timeout_ms = v;
	v = 10000;
	if (o->frame && parse_num(t, "--frame-timeout", o->frame, 1, 3600000, &v))
		return EXIT_USAGE;
	srv->frame_timeout_ms = v;
	v = 300000;
	if (o->lifetime && parse_num(t, "--max-lifetime", o->lifetime, 1, 86400000, &v))
		return EXIT_USAGE;
	srv->lifetime_ms = v;
	return 0;
}

/* --identity KEY.pem,CHAIN.pem [--asym ALG]: a key and chain of the user's */
static int load_identity(struct tool *t, struct emu_fn *fn, const char *spec, const char *asym_name)
{
	char key[1024];
	const char *comma = strchr(spec, ',');
	struct spdm_identity *id;
	uint32_t asym = SPDM_ASYM_ECDSA_P384;

	if (!comma || (size_t)(comma - spec) >= sizeof(key) || !comma[1])
		return doe_err(t->ctx, -EINVAL, "--identity '%s': expected KEY.pem,CHAIN.pem", spec);
	if (asym_name && asym_parse(asym_name, &asym))
		return doe_err(t->ctx, -EINVAL, "--asym '%s': not an algorithm", asym_name);
	memcpy(key, spec, (size_t)(comma - spec));
	key[comma - spec] = '\0';
	TRY(spdm_identity_load(t->ctx, asym, key, comma + 1, &id));
	return emu_fn_set_spdm_identity(fn, id, asym);
}

/* Serves until SHUTDOWN or a signal; banner is the line that says so. */
static int serve(struct tool *t, struct spdm_sock_listener *l, struct spdm_sock_server *srv,
		 const char *banner)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	int pipefd[2], rc;

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK))
		return doe_err(t->ctx, -errno, "pipe: %s", strerror(errno));
	stop_wr = pipefd[1];
	srv->stop_fd = pipefd[0];
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* only now: whoever waits for this line may signal us right away */
	printf("%s\n", banner);
	fflush(stdout);
	rc = spdm_sock_run(l, srv);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	stop_wr = -1;
	close(pipefd[0]);
	close(pipefd[1]);
	return rc < 0 ? rc : 0;	/* SHUTDOWN and a signal both end cleanly */
}

int emulate_listen(struct tool *t, const struct listen_opts *o)
{
	struct listen_server ls = { .t = t, .eid = -1 };
	struct spdm_sock_listener *l = NULL;
	struct spdm_sock_server srv = { .handler = handle, .priv = &ls, .conn_open = conn_open,
					.conn_close = conn_close, .conn_continue = conn_continue };
	struct emu_topo *topo = NULL;
	struct emu_fn *fn = NULL;
	struct doe_bdf b;
	char name[64], banner[256];
	int rc;

	if (o->trans && spdm_sock_trans_parse(o->trans, &srv.trans))
		return tool_usage(t, "--trans takes pci-doe, mctp or none");
	if (!o->trans)
		srv.trans = SPDM_SOCK_TRANS_PCI_DOE;
	if (parse_limits(t, o, &srv))
		return EXIT_USAGE;
	/* first, so that a bad address is a usage error before any key is made */
	if ((rc = spdm_sock_listen(t->ctx, o->addr, &l)))
		return tool_fail(t, rc, NULL);
	rc = tool_topo_new(t, o->profile, &topo);
	if (rc)
		goto out;
	if ((rc = use_endpoint(t, o, topo, &ls, &srv, &fn)))
		goto out;
	if (fn) {
		/* the endpoint's SPDM identity */
	} else if (o->device) {
		fn = doe_bdf_parse(o->device, &b) ? NULL : emu_topo_find(topo, &b);
		if (!fn) {
			rc = doe_err(t->ctx, -ENODEV, "no such device %s in emulator profile '%s'",
				     o->device, emu_topo_profile(topo));
			goto out;
		}
	} else if (!(fn = default_fn(topo))) {
		rc = doe_err(t->ctx, -ENODEV, "profile '%s' has no device with CMA/SPDM",
			     emu_topo_profile(topo));
		goto out;
	}
	dev_emu_name(emu_topo_profile(topo), &emu_fn_info(fn)->bdf, name, sizeof(name));
	if (o->identity && (rc = load_identity(t, fn, o->identity, o->asym)))
		goto out;
	if (o->psk_len && (rc = emu_fn_set_spdm_psk(fn, o->psk, o->psk_len, o->psk_hint,
						    o->psk_hint_len)))
		goto out;
	/* each connection gets a responder with the function's settings
	 * (--emu-spdm, --identity, --psk); sessions bind to the framing */
	ls.fn = fn;
	ls.mctp = srv.trans == SPDM_SOCK_TRANS_MCTP;
	srv.secured = srv.trans == SPDM_SOCK_TRANS_PCI_DOE;	/* Discovery lists type 2 */
	/* one responder now: a device that cannot be served (a key this
	 * libcrypto cannot sign with) fails here, not at every client */
	{
		struct emu_spdm_conn *probe;

		if ((rc = emu_fn_spdm_conn_new(fn, ls.mctp, &probe)))
			goto out;
		emu_spdm_conn_free(probe);
	}
	if (o->root_out && (rc = export_root(t, fn, o->root_out)))
		goto out;
	if (!getenv("DOE_DEBUG"))	/* DOE_DEBUG already logs everything */
		doe_ctx_set_log(t->ctx, log_line, t, DOE_LOG_WARN);
	if (ls.eid >= 0) {
		char ep[64];

		if (!strcmp(emu_topo_profile(topo), EMU_DEFAULT_PROFILE))
			snprintf(ep, sizeof(ep), "emu/mctp:%d", ls.eid);
		else
			snprintf(ep, sizeof(ep), "emu:%s/mctp:%d", emu_topo_profile(topo), ls.eid);
		snprintf(banner, sizeof(banner), "listening on port %u: %s (FM-API, and SPDM as "
			 "%s, %s), transport %s", spdm_sock_listener_port(l), ep, name,
			 emu_fn_info(fn)->label, spdm_sock_trans_name(srv.trans));
	} else {
		snprintf(banner, sizeof(banner), "listening on port %u: %s (%s), transport %s",
			 spdm_sock_listener_port(l), name, emu_fn_info(fn)->label,
			 spdm_sock_trans_name(srv.trans));
	}
	ls.park_ms = srv.lifetime_ms;
	rc = serve(t, l, &srv, banner);
out:
	for (unsigned i = 0; i < PARKED_MAX; i++)
		emu_spdm_conn_free(ls.park[i].c);
	spdm_sock_listener_close(l);
	emu_topo_free(topo);
	return rc ? tool_fail(t, rc, NULL) : EXIT_OK;
}
