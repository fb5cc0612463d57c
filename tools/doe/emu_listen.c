// SPDX-License-Identifier: MIT
/*
 * doe emulate --listen tcp:HOST:PORT [--trans T] [--profile P] [--device BDF]
 *                      [--export-root FILE]
 *
 * An emulated device's SPDM responder behind the spdm-emu socket protocol,
 * so that QEMU's spdm-socket and DMTF's spdm_requester_emu can use it as
 * their device. Serves one client after another until a client sends
 * SHUTDOWN or the process gets SIGINT/SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <doekit/spdm_socket.h>
#include "attest.h"
#include "internal.h"
#include "tool.h"

static int handle(void *priv, enum spdm_sock_kind kind, const uint8_t *req, size_t len,
		  uint8_t *rsp, size_t cap, size_t *rlen)
{
	if (kind != SPDM_SOCK_SPDM)
		return -EPROTONOSUPPORT;	/* secured messages: the sessions work */
	return emu_fn_spdm_handle(priv, req, len, rsp, cap, rlen);
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

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
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

int emulate_listen(struct tool *t, const char *addr, const char *trans_name, const char *profile,
		   const char *bdf, const char *root_out, const char *identity, const char *asym)
{
	struct spdm_sock_listener *l = NULL;
	struct spdm_sock_server srv = { .handler = handle };
	struct sigaction sa = { .sa_handler = on_signal };
	struct emu_topo *topo = NULL;
	struct emu_fn *fn;
	struct doe_bdf b;
	char name[64];
	int rc;

	if (trans_name && spdm_sock_trans_parse(trans_name, &srv.trans))
		return tool_usage(t, "--trans takes pci-doe, mctp or none");
	if (!trans_name)
		srv.trans = SPDM_SOCK_TRANS_PCI_DOE;
	rc = tool_topo_new(t, profile, &topo);
	if (rc)
		return tool_fail(t, rc, NULL);
	if (bdf) {
		fn = doe_bdf_parse(bdf, &b) ? NULL : emu_topo_find(topo, &b);
		if (!fn) {
			rc = doe_err(t->ctx, -ENODEV, "no such device %s in emulator profile '%s'", bdf,
				     emu_topo_profile(topo));
			goto out;
		}
	} else if (!(fn = default_fn(topo))) {
		rc = doe_err(t->ctx, -ENODEV, "profile '%s' has no device with CMA/SPDM",
			     emu_topo_profile(topo));
		goto out;
	}
	dev_emu_name(emu_topo_profile(topo), &emu_fn_info(fn)->bdf, name, sizeof(name));
	srv.priv = fn;
	if (identity && (rc = load_identity(t, fn, identity, asym)))
		goto out;
	if ((rc = emu_fn_spdm_root(fn, &(const uint8_t *){ NULL }, &(size_t){ 0 })))
		goto out;
	if (root_out && (rc = export_root(t, fn, root_out)))
		goto out;
	if ((rc = spdm_sock_listen(t->ctx, addr, &l)))
		goto out;
	/* no SA_RESTART: a signal ends accept() and the loop */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("listening on port %u: %s (%s), transport %s\n", spdm_sock_listener_port(l), name,
	       emu_fn_info(fn)->label, spdm_sock_trans_name(srv.trans));
	fflush(stdout);
	while (!stop) {
		rc = spdm_sock_serve(l, &srv);
		if (rc == 1) {
			rc = 0;
			break;
		}
		if (rc == -EINTR && stop) {
			rc = 0;
			break;
		}
		if (rc < 0)	/* one bad client does not stop the server */
			tool_fail(t, -EPROTO, "client");
		rc = 0;
	}
out:
	spdm_sock_listener_close(l);
	emu_topo_free(topo);
	return rc ? tool_fail(t, rc, NULL) : EXIT_OK;
}
