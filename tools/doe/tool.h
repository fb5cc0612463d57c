/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the doe CLI: naming and opening devices (real or
 * emulated), exit codes, output helpers. One file per subcommand.
 */
#ifndef DOE_TOOL_H
#define DOE_TOOL_H

#include <stdio.h>
#include <json-c/json.h>
#include <doekit/doekit.h>

/*
 * Exit codes (doe(1) EXIT STATUS). One cause has one code in every command:
 *
 *   EXIT_OK     0  success; attest and verify-evidence: verified
 *   EXIT_FAIL   1  the device, the peer or the evidence failed: protocol
 *                  error, timeout, malformed CDAT or evidence, a chain or
 *                  signature that does not verify, a nonce that is not fresh,
 *                  a responder that cannot be reached
 *   EXIT_USAGE  2  the command cannot run as given: bad option or value,
 *                  missing or unreadable input file, missing trust path or one
 *                  without a certificate, no such device (or no DOE mailbox
 *                  for the protocol), unwritable output, unusable lock
 *                  directory, needs root or --raw
 *
 * tool_fail() maps an error code to these: -EINVAL, -ENODEV, -ENOENT,
 * -ENOTDIR, -EISDIR, -EACCES, -EPERM, -EROFS and -ENAMETOOLONG are the
 * caller's or the system's (2), everything else the device's (1). Code that
 * knows better (an evidence file that is JSON but wrong is bad evidence)
 * decides itself.
 */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct tool {
	struct doe_ctx *ctx;
	const char *prog;
	bool json;
	bool raw;		/* drive a real device's mailbox registers */
	bool verbose;
	uint32_t timeout_ms;	/* 0: library default */
	bool printed;		/* text output so far: separate the next block */
	bool raw_warned;	/* the --raw warning was shown: once a run is enough */
	/* --emu-cdat BDF=FILE: tables the emulated functions serve instead */
	const char *emu_cdat[8];
	int n_emu_cdat;
	/* --emu-spdm BDF=FILE.json: how their SPDM responders behave */
	const char *emu_spdm[8];
	int n_emu_spdm;
};

/*
 * A device as the user names it: "DDDD:BB:DD.F" / "BB:DD.F" (a real
 * function), "emu[:PROFILE]/BDF" (a function of an emulated topology),
 * "mctp:[NET,]EID" (an MCTP endpoint on this machine's AF_MCTP network) or
 * "emu[:PROFILE]/mctp:EID" (an endpoint of the emulated topology's MCTP
 * network). dev.name is the canonical spelling every command accepts.
 * An MCTP endpoint has mctp set and no config space (dev_cfg() refuses).
 */
struct dev {
	char name[64];
	struct doe_bdf bdf;
	bool emulated;
	struct emu_topo *topo;	/* owned, emulated only */
	struct emu_fn *fn;	/* emulated functions only */
	struct doe_cfg *cfg;	/* NULL until dev_cfg() */
	struct mctp_chan *mctp;	/* owned, MCTP endpoints only */
	struct spdm_sock *sock;	/* owned, tcp:HOST:PORT of dev_open_mctp() only */
};

/* Parses "emu" or "emu:PROFILE" (a topology, no function); returns 1 when
 * spec names an emulated topology, 0 when not, <0 on a bad profile. */
int topo_spec(const char *spec, const char **profile);

/* Builds an emulated topology with the --emu-cdat tables applied. */
int tool_topo_new(struct tool *t, const char *profile, struct emu_topo **out);

/* Opens a device. Real devices: config space read-only unless t->raw, in
 * which case it is opened for writing with the per-device lock. */
int dev_open(struct tool *t, const char *spec, struct dev *d);
void dev_close(struct dev *d);
/* The config-space accessor, opened on first use. */
int dev_cfg(struct tool *t, struct dev *d, struct doe_cfg **out);
/* Whether spec names an MCTP endpoint ("mctp:..." or "emu[:P]/mctp:..."). */
bool dev_spec_is_mctp(const char *spec);
/*
 * The MCTP channel of a device dev_open() opened from an MCTP spec (still
 * owned by d; dev_close() frees it), for any MCTP message type: SPDM with
 * spdm_transport_mctp(), FM-API with mctp_exchange(). -EINVAL naming the
 * device when it is not an MCTP endpoint. A real one uses AF_MCTP with
 * --timeout as the bound of each exchange; without MCTP in the kernel,
 * dev_open() already failed with -EAFNOSUPPORT ("this kernel has no MCTP
 * support"), exit 1.
 */
int dev_mctp(struct tool *t, struct dev *d, struct mctp_chan **out);
/*
 * Opens an MCTP endpoint for a command that speaks MCTP only (doe fm): what
 * dev_open() takes for MCTP, and also "tcp:HOST:PORT", the spdm-emu socket
 * protocol with MCTP framing (doe emulate --listen --trans mctp serves it),
 * whose channel carries any message type as one NORMAL frame. -EINVAL for
 * a PCI function. Then dev_mctp() and dev_close() as for any device.
 */
int dev_open_mctp(struct tool *t, const char *spec, struct dev *d);
/* Canonical device name of an emulated function. */
void dev_emu_name(const char *profile, const struct doe_bdf *bdf, char *buf, size_t len);

/* Makes a mailbox object with the tool's timeout applied. */
int tool_mb_new(struct tool *t, struct doe_cfg *cfg, uint16_t off, struct doe_mb **out);

/* Prints "doe: [WHAT: ]<message from the context>", escaped (it may quote
 * device strings), and returns the exit code for rc (see EXIT_OK). WHAT is
 * left out when the message already names it: say each thing once. */
int tool_fail(struct tool *t, int rc, const char *what);
/* The exit code for an error code rc (<0), as tool_fail() picks it. */
int tool_exit_code(int rc);

/*
 * Strict integer option values (opt.c): decimal digits only, no sign, no
 * blanks, no leading zero ("07", "0x3" are refused), no trailing garbage,
 * checked against [min, max] before anything narrows it. Returns 0 with
 * *out set, -EINVAL when s is not such a number, -ERANGE when out of range.
 */
int opt_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* 0-15 for a hex digit (either case), -1 otherwise */
int hex_digit(char c);
/* A 32-bit identifier in hex ("fffe0001", "0xFFFE0001"): 1-8 digits, no
 * sign or blanks. -EINVAL / -ERANGE (more than 8 digits) as above. */
int opt_hex32(const char *s, uint32_t *out);

/*
 * Text output of strings a device, a file or the user supplied (escape.c):
 * printable ASCII is kept, every other byte and '\' become "\xNN", so no
 * device can send the terminal a control sequence. UTF-8 is escaped too.
 *
 * tool_escape() writes at most outlen bytes (NUL included, never half an
 * escape) and returns the length the whole escaped text needs, like
 * snprintf. TOOL_ESC_SIZE(n) holds any n input bytes. tool_esc() escapes a
 * NUL-terminated s into buf and returns buf, for use as a printf argument.
 */
#define TOOL_ESC_SIZE(n) (4 * (n) + 1)
size_t tool_escape(const char *in, size_t len, char *out, size_t outlen);
const char *tool_esc(char *buf, size_t buflen, const char *s);
void tool_fputs_escaped(const char *s, FILE *f);
/* A JSON string of len bytes a device chose: serialized with DEL and C1
 * controls as \u00XX too and bytes that are not UTF-8 as \ufffd, so the
 * output stays JSON and safe on a terminal. json_object_get_string()
 * still gives the bytes as they are. */
struct json_object *tool_json_untrusted(const char *s, size_t len);
/* The struct option entries every subcommand takes, handled by
 * tool_common_opt(): -j, --raw, -t/--timeout, --emu-cdat, --emu-spdm, -h. */
#define TOOL_COMMON_OPTIONS                                        \
	{ "json", no_argument, NULL, 'j' },                       \
	{ "raw", no_argument, NULL, 'r' },                        \
	{ "timeout", required_argument, NULL, 't' },              \
	{ "emu-cdat", required_argument, NULL, 'C' },             \
	{ "emu-spdm", required_argument, NULL, 'Q' },             \
	{ "help", no_argument, NULL, 'h' }

/* Options every subcommand takes (-j, --raw, --timeout, --help). Returns 0
 * when handled, 1 when the command should exit 0 (help shown), -1 on a
 * usage error (already reported). */
int tool_common_opt(struct tool *t, int c, const char *arg);
void tool_help(FILE *f);
int tool_usage(struct tool *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tool_print_json(struct json_object *obj);
/* The --raw warning: the kernel owns DOE mailboxes since Linux 6.5. Shown
 * once per run; name is the device, NULL for several. */
void tool_raw_warning(struct tool *t, const char *name);
/* A writable attribute of a real PCI function (<sysfs>/bus/pci/devices/
 * <bdf>/<attr>), and writing one (errors name the path). */
bool tool_sysfs_attr_writable(struct tool *t, const char *bdf, const char *attr);
int tool_sysfs_attr_write(struct tool *t, const char *bdf, const char *attr, const char *val);

/* Mailboxes of one function, as list and discover report them. */
struct mb_report {
	uint16_t offset;
	uint8_t cap_version;
	uint32_t capabilities;
	int nprotos;			/* <0: error, message in err */
	struct doe_protocol protos[32];
	char err[256];
};

/* Discovery on every DOE mailbox of cfg, or (no mailbox access) only the
 * offsets and capability registers when discover is false. Returns the
 * number of mailboxes (stored up to max) or -errno. */
int report_mailboxes(struct tool *t, struct doe_cfg *cfg, bool discover, struct mb_report *out,
		     size_t max);
struct json_object *protocols_to_json(const struct doe_protocol *p, int n);
struct json_object *mailbox_to_json(const struct mb_report *m);
void print_protocols(const struct doe_protocol *p, int n, const char *indent);
void print_mailbox(const struct mb_report *m);

int tool_find_mailbox(struct tool *t, struct doe_cfg *cfg, uint16_t vid, uint8_t type,
		      struct doe_mb **out);
int describe_device(struct tool *t, struct dev *d, struct json_object *arr, bool *failed);

/* CDAT sources (cdat_source.c) and the path report (cdat_path.c) */
int cdat_from_mailbox(struct tool *t, struct dev *d, uint8_t **buf, size_t *len);
int cdat_sysfs_path(struct tool *t, const char *bdf, char *out, size_t outlen);
/* The kernel's CDAT attribute of a real function (cdat_sysfs_path()), with
 * the message saying what the kernel lacks when it has none. */
int cdat_from_kernel(struct tool *t, const char *bdf, uint8_t **buf, size_t *len);
int read_file_max(struct tool *t, const char *path, size_t max, uint8_t **buf, size_t *len);
int cdat_path(struct tool *t, const char *spec);

int cmd_list(struct tool *t, int argc, char **argv);
int cmd_discover(struct tool *t, int argc, char **argv);
int cmd_emulate(struct tool *t, int argc, char **argv);
int cmd_cdat(struct tool *t, int argc, char **argv);
int cmd_attest(struct tool *t, int argc, char **argv);
int cmd_verify_evidence(struct tool *t, int argc, char **argv);
int cmd_session(struct tool *t, int argc, char **argv);
int cmd_ide(struct tool *t, int argc, char **argv);
int cmd_fm(struct tool *t, int argc, char **argv);
/* doe list of an emulated topology as it is now (cmd_list.c; doe fm
 * --then-list): the functions shown, or <0 */
int list_topo(struct tool *t, struct emu_topo *topo, struct json_object *arr, bool *failed);
struct jin;
/* --emu-spdm: applies the parsed file o to fn; -EINVAL naming the member. */
int emu_spdm_apply(const struct jin *j, struct emu_fn *fn, struct json_object *o);
/* doe emulate --listen: the options as given (NULL: not given) */
struct listen_opts {
	const char *addr, *trans, *profile, *device, *root_out, *identity, *asym;
	const char *max_clients, *idle, *frame, *lifetime;
	const char *fm_fault;		/* --fm-fault KIND (--trans mctp, the switch) */
	uint8_t psk[64];		/* --psk (psk_len 0: none) */
	size_t psk_len;
	uint8_t psk_hint[64];		/* --psk-hint TEXT or --psk-hint-hex HEX */
	size_t psk_hint_len;
};
int emulate_listen(struct tool *t, const struct listen_opts *o);

#endif
