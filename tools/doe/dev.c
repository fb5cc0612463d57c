// SPDX-License-Identifier: MIT
/* Naming and opening devices for the doe CLI, and shared output helpers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "tool.h"

int topo_spec(const char *spec, const char **profile)
{
	if (!strcmp(spec, "emu")) {
		*profile = EMU_DEFAULT_PROFILE;
		return 1;
	}
	/* "emu:PROFILE/BDF" is one function of it, not the topology */
	if (!strncmp(spec, "emu:", 4) && !strchr(spec, '/')) {
		*profile = spec + 4;
		return 1;
	}
	return 0;
}

void dev_emu_name(const char *profile, const struct doe_bdf *bdf, char *buf, size_t len)
{
	char b[DOE_BDF_STRLEN];

	doe_bdf_format(bdf, b);
	if (!strcmp(profile, EMU_DEFAULT_PROFILE))
		snprintf(buf, len, "emu/%s", b);
	else
		snprintf(buf, len, "emu:%s/%s", profile, b);
}

bool dev_spec_is_mctp(const char *spec)
{
	const char *slash = strchr(spec, '/');

	return !strncmp(spec, "mctp:", 5) ||
	       (!strncmp(spec, "emu", 3) && slash && !strncmp(slash + 1, "mctp:", 5));
}

/* "mctp:[NET,]EID": this machine's AF_MCTP network */
static int open_mctp(struct tool *t, const char *spec, struct dev *d)
{
	struct mctp_addr a;

	TRY(mctp_addr_parse(t->ctx, spec, &a));
	TRY(mctp_sock_open(t->ctx, &a, NULL, NULL, t->timeout_ms, &d->mctp));
	snprintf(d->name, sizeof(d->name), "%s", mctp_chan_name(d->mctp));
	return 0;
}

/* "emu[:PROFILE]/mctp:EID": an endpoint of a fresh emulated topology */
static int open_emulated_mctp(struct tool *t, const char *spec, const char *profile,
			      const char *addr, struct dev *d)
{
	struct mctp_addr a;
	int rc;

	TRY(mctp_addr_parse(t->ctx, addr, &a));
	if (a.net != MCTP_NET_ANY)
		return doe_err(t->ctx, -EINVAL, "'%s': the emulated MCTP network has no network "
			       "numbers (emu[:PROFILE]/mctp:EID)", spec);
	TRY(tool_topo_new(t, profile, &d->topo));
	doe_ctx_clear_error(t->ctx);
	rc = emu_mctp_open(d->topo, a.eid, &d->mctp);
	if (rc < 0 && !doe_ctx_errcode(t->ctx))
		doe_err(t->ctx, rc, "no MCTP endpoint at EID %u in emulator profile '%s'", a.eid,
			profile);
	if (rc < 0)
		return rc;
	d->emulated = true;
	if (!strcmp(emu_topo_profile(d->topo), EMU_DEFAULT_PROFILE))
		snprintf(d->name, sizeof(d->name), "emu/mctp:%u", a.eid);
	else
		snprintf(d->name, sizeof(d->name), "emu:%s/mctp:%u", emu_topo_profile(d->topo),
			 a.eid);
	return 0;
}

int dev_mctp(struct tool *t, struct dev *d, struct mctp_chan **out)
{
	if (!d->mctp)
		return doe_err(t->ctx, -EINVAL, "%s is not an MCTP endpoint (mctp:[NET,]EID or "
			       "emu[:PROFILE]/mctp:EID)", d->name);
	*out = d->mctp;
	return 0;
}

/* "emu[:PROFILE]/BDF" */
static int open_emulated(struct tool *t, const char *spec, struct dev *d)
{
	const char *slash = strchr(spec, '/');
	char profile[48];
	size_t plen;
	int rc;

	if (!slash || slash == spec)
		return doe_err(t->ctx, -EINVAL, "'%s': expected emu[:PROFILE]/BDF", spec);
	if (!strncmp(spec, "emu:", 4)) {
		plen = (size_t)(slash - spec) - 4;
		if (plen == 0 || plen >= sizeof(profile))
			return doe_err(t->ctx, -EINVAL, "'%s': bad profile name", spec);
		memcpy(profile, spec + 4, plen);
		profile[plen] = '\0';
	} else if (slash - spec == 3) {
		strcpy(profile, EMU_DEFAULT_PROFILE);
	} else {
		return doe_err(t->ctx, -EINVAL, "'%s': expected emu[:PROFILE]/BDF", spec);
	}
	if (!strncmp(slash + 1, "mctp:", 5))
		return open_emulated_mctp(t, spec, profile, slash + 1, d);
	if (doe_bdf_parse(slash + 1, &d->bdf))
		return doe_err(t->ctx, -EINVAL,
			       "'%s': invalid PCI address (expected DDDD:BB:DD.F or BB:DD.F)", spec);
	rc = tool_topo_new(t, profile, &d->topo);
	if (rc)
		return rc;
	d->fn = emu_topo_find(d->topo, &d->bdf);
	if (!d->fn) {
		char b[DOE_BDF_STRLEN];

		doe_bdf_format(&d->bdf, b);
		return doe_err(t->ctx, -ENODEV, "no such device %s in emulator profile '%s' "
			       "(see doe list emu:%s)", b, profile, profile);
	}
	d->emulated = true;
	dev_emu_name(emu_topo_profile(d->topo), &d->bdf, d->name, sizeof(d->name));
	return 0;
}

int dev_open_mctp(struct tool *t, const char *spec, struct dev *d)
{
	int rc;

	memset(d, 0, sizeof(*d));	/* dev_close() is safe whatever happens */
	if (strncmp(spec, "tcp:", 4)) {
		if (!dev_spec_is_mctp(spec))
			return doe_err(t->ctx, -EINVAL, "'%s' is not an MCTP endpoint (expected "
				       "mctp:[NET,]EID, emu[:PROFILE]/mctp:EID or tcp:HOST:PORT)", spec);
		return dev_open(t, spec, d);
	}
	snprintf(d->name, sizeof(d->name), "%s", spec);
	rc = spdm_sock_connect(t->ctx, spec, SPDM_SOCK_TRANS_MCTP,
			       t->timeout_ms ? t->timeout_ms : 10000, &d->sock);
	if (rc == 0)
		rc = spdm_sock_mctp_chan(d->sock, &d->mctp);
	if (rc)
		dev_close(d);
	return rc;
}

int dev_open(struct tool *t, const char *spec, struct dev *d)
{
	int rc;

	memset(d, 0, sizeof(*d));
	if (!strncmp(spec, "mctp:", 5)) {
		rc = open_mctp(t, spec, d);
		if (rc)
			dev_close(d);
		return rc;
	}
	if (!strncmp(spec, "emu", 3) && (spec[3] == '/' || spec[3] == ':')) {
		rc = open_emulated(t, spec, d);
		if (rc)
			dev_close(d);
		return rc;
	}
	if (doe_bdf_parse(spec, &d->bdf))
		return doe_err(t->ctx, -EINVAL,
			       "'%s' is not a device (expected DDDD:BB:DD.F, BB:DD.F, "
			       "emu[:PROFILE]/BDF or mctp:[NET,]EID)", spec);
	doe_bdf_format(&d->bdf, d->name);
	/* Open now so that a missing device is reported before anything else */
	return dev_cfg(t, d, &(struct doe_cfg *){ NULL });
}

int dev_cfg(struct tool *t, struct dev *d, struct doe_cfg **out)
{
	if (!d->cfg) {
		if (d->mctp)
			return doe_err(t->ctx, -EINVAL, "%s is an MCTP endpoint, not a PCI function: "
				       "it has no config space or DOE mailboxes", d->name);
		if (d->emulated)
			TRY(emu_fn_cfg_open_ctx(d->fn, t->ctx, &d->cfg));
		else
			TRY(doe_cfg_sysfs_open(t->ctx, d->name,
						    t->raw ? DOE_SYSFS_WRITE | DOE_SYSFS_LOCK : 0,
						    &d->cfg));
	}
	*out = d->cfg;
	return 0;
}

void dev_close(struct dev *d)
{
	mctp_chan_free(d->mctp);	/* before the topology or socket it uses */
	spdm_sock_close(d->sock);
	doe_cfg_free(d->cfg);
	emu_topo_free(d->topo);
	memset(d, 0, sizeof(*d));
}

int tool_mb_new(struct tool *t, struct doe_cfg *cfg, uint16_t off, struct doe_mb **out)
{
	int rc = doe_mb_new(cfg, off, out);

	if (rc == 0 && t->timeout_ms && (rc = doe_mb_set_timeout_ms(*out, t->timeout_ms)))
		doe_mb_free(*out);
	return rc;
}

int tool_exit_code(int rc)
{
	switch (rc) {
	case -EINVAL:		/* bad option, address or argument */
	case -ENODEV:		/* no such device */
	case -ENOENT:		/* no such file, or no mailbox for the protocol */
	case -ENOTDIR:
	case -EISDIR:
	case -EACCES:		/* needs root, unwritable output or lock directory */
	case -EPERM:		/* needs --raw */
	case -EROFS:
	case -ENAMETOOLONG:
		return EXIT_USAGE;
	default:
		return EXIT_FAIL;
	}
}

int tool_fail(struct tool *t, int rc, const char *what)
{
	const char *msg = doe_ctx_errmsg(t->ctx), *base = what ? strrchr(what, '/') : NULL;

	fprintf(stderr, "%s: ", t->prog);
	/* library messages name their device already ("0000:01:00.0: ..."),
	 * by its BDF also when the user named it "emu/0000:01:00.0" */
	if (what && !strstr(msg, what) && !(base && base[1] && strstr(msg, base + 1))) {
		tool_fputs_escaped(what, stderr);
		fputs(": ", stderr);
	}
	/* the one place every error is printed: it may quote a device's
	 * certificate names, so it is escaped here once for all callers */
	tool_fputs_escaped(msg, stderr);
	fputc('\n', stderr);
	return tool_exit_code(rc);
}

int tool_usage(struct tool *t, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	/* it quotes the user's arguments: escaped like any other message */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: ", t->prog);
	tool_fputs_escaped(msg, stderr);
	fprintf(stderr, " (see %s --help)\n", t->prog);
	return EXIT_USAGE;
}

void tool_print_json(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_SPACED |
						 JSON_C_TO_STRING_NOSLASHESCAPE));
}

void tool_raw_warning(struct tool *t, const char *name)
{
	if (t->raw_warned)
		return;
	t->raw_warned = true;
	fprintf(stderr,
		"%s: warning: driving the DOE mailbox registers of %s%s directly (--raw).\n"
		"  Since Linux 6.5 the kernel owns DOE mailboxes; an exchange it runs at the same\n"
		"  time can be corrupted. Use only when no driver is bound or on a test system.\n",
		t->prog, name ? "" : "each function", name ? name : "");
}

/* <sysfs>/bus/pci/devices/<bdf>/<attr> */
static void attr_path(struct tool *t, const char *bdf, const char *attr, char *buf, size_t len)
{
	snprintf(buf, len, "%s/bus/pci/devices/%s/%s", doe_ctx_sysfs_root(t->ctx), bdf, attr);
}

bool tool_sysfs_attr_writable(struct tool *t, const char *bdf, const char *attr)
{
	char path[PATH_MAX];

	attr_path(t, bdf, attr, path, sizeof(path));
	return access(path, W_OK) == 0;
}

int tool_sysfs_attr_write(struct tool *t, const char *bdf, const char *attr, const char *val)
{
	char path[PATH_MAX];
	int fd, rc = 0;

	attr_path(t, bdf, attr, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return doe_err(t->ctx, -errno, "%s: %s", path, strerror(errno));
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = doe_err(t->ctx, -errno ? -errno : -EIO, "%s: %s", path, strerror(errno));
	close(fd);
	return rc;
}
