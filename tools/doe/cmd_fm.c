// SPDX-License-Identifier: MIT
/*
 * doe fm DEV identify | switch | ports | port-control --port N ACTION |
 *           vcs [--vcs N] | bind --vcs N --vppb N --port N [--ld N] |
 *           unbind --vcs N --vppb N | ld-info [--port N]
 *
 * The CXL Fabric Manager API (CXL r3.1 §7.6.7) over MCTP: DEV is an FM-API
 * endpoint, emu[:PROFILE]/mctp:EID (the emulated topology's switch),
 * mctp:[NET,]EID (Linux AF_MCTP) or tcp:HOST:PORT (doe emulate --listen
 * --trans mctp, or any server of the socket protocol with MCTP framing).
 * Every byte goes through the fmapi codec and requester; Get LD Info
 * reaches the devices below the switch through the Tunnel Management
 * Command. With an emulated DEV the tool owns the whole topology, so after
 * bind, unbind and port-control it says what config space now shows below
 * the port: the other view of the same model.
 */
#include <getopt.h>
#include <string.h>

#include <doekit/fmapi_tunnel.h>
#include "fm.h"
#include "internal.h"

enum fm_cmd { FM_IDENTIFY, FM_SWITCH, FM_PORTS, FM_PORT_CONTROL, FM_VCS, FM_BIND, FM_UNBIND,
	      FM_LD_INFO };

static const char *const cmd_names[] = {
	[FM_IDENTIFY] = "identify", [FM_SWITCH] = "switch",	      [FM_PORTS] = "ports",
	[FM_PORT_CONTROL] = "port-control", [FM_VCS] = "vcs",	      [FM_BIND] = "bind",
	[FM_UNBIND] = "unbind",		    [FM_LD_INFO] = "ld-info",
};

/* a usage error already reported: its exit code */
#define TRY_USAGE(x)                 \
	do {                         \
		int rc_ = (x);       \
		if (rc_)             \
			return rc_;  \
	} while (0)

/* Options as given; -1: not given */
struct fm_opts {
	int port, vcs, vppb, ld;
	int action;		/* FMAPI_PORT_OP_*, -1: none */
	const char *fault;
	bool then_list;		/* --then-list: doe list of the emulated topology after */
};

struct fm {
	struct tool *t;
	struct dev d;			/* dev_open_mctp(): the endpoint, its channel */
	struct mctp_chan *chan;		/* owned by d */
	char name[80];
	struct fmapi_req *r, *inner;
};

/* --- opening the endpoint ------------------------------------------------ */

static int fm_open(struct tool *t, const char *spec, struct fm *f)
{
	TRY(dev_open_mctp(t, spec, &f->d));
	TRY(dev_mctp(t, &f->d, &f->chan));
	snprintf(f->name, sizeof(f->name), "%s", f->d.name);
	TRY(fmapi_req_new(t->ctx, &f->r));
	TRY(fmapi_req_new(t->ctx, &f->inner));
	/* --timeout also bounds a background operation (default 10 s) */
	if (t->timeout_ms)
		TRY(fmapi_req_set_bg(f->r, 10, t->timeout_ms));
	return 0;
}

static void fm_close(struct fm *f)
{
	fmapi_req_free(f->r);
	fmapi_req_free(f->inner);
	dev_close(&f->d);
}

/* --fm-fault KIND: the emulated endpoint misbehaves (doe(1)). */
static int apply_fault(struct fm *f, const char *name)
{
	struct emu_mctp_fault fault = { 0 };
	struct mctp_addr a;
	const char *slash = strchr(f->d.name, '/');

	if (!f->d.topo || !slash)
		return doe_err(f->t->ctx, -EINVAL, "--fm-fault is for an emulated DEV "
			       "(emu[:PROFILE]/mctp:EID)");
	if (emu_mctp_fault_parse(name, &fault.kind))
		return doe_err(f->t->ctx, -EINVAL, "--fm-fault '%s': busy, bg-never, wrong-tag or "
			       "truncate", name);
	TRY(mctp_addr_parse(f->t->ctx, slash + 1, &a));
	return emu_mctp_set_fault(f->d.topo, a.eid, &fault);
}

/* --- what the emulator shows below a port -------------------------------- */

#define FM_MAX_BELOW 16

struct below {
	struct emu_fn *port;		/* the downstream port's function, NULL: none */
	struct emu_fn *fns[FM_MAX_BELOW];
	bool was[FM_MAX_BELOW];
	size_t n;
};

static bool is_below(struct emu_topo *topo, const struct emu_fn *fn, const struct emu_fn *port)
{
	for (const struct emu_fn *p = emu_topo_parent(topo, fn); p; p = emu_topo_parent(topo, p))
		if (p == port)
			return true;
	return false;
}

/* The functions below the switch downstream port with this port number. */
static void below_port(struct fm *f, int port, struct below *b)
{
	struct emu_topo *topo = f->d.topo;

	memset(b, 0, sizeof(*b));
	if (!topo || port < 0)
		return;
	for (size_t i = 0; i < emu_topo_count(topo); i++) {
		const struct emu_fn_info *fi = emu_fn_info(emu_topo_fn(topo, i));

		if (fi->port_type == EMU_PCIE_SWITCH_DOWN && fi->port_number == port)
			b->port = emu_topo_fn(topo, i);
	}
	for (size_t i = 0; b->port && i < emu_topo_count(topo) && b->n < FM_MAX_BELOW; i++) {
		struct emu_fn *fn = emu_topo_fn(topo, i);

		if (is_below(topo, fn, b->port)) {
			b->was[b->n] = emu_fn_present(fn);
			b->fns[b->n++] = fn;
		}
	}
}

static const char *presence(bool was, bool now)
{
	return now ? (was ? "is present" : "is present again")
		   : (was ? "is no longer present" : "is not present");
}

static void below_report(struct fm *f, const struct below *b, struct json_object *o)
{
	struct json_object *a = json_object_new_array();
	char name[64], pb[DOE_BDF_STRLEN], fb[DOE_BDF_STRLEN];

	if (!b->port) {
		json_object_put(a);
		return;
	}
	doe_bdf_format(&emu_fn_info(b->port)->bdf, pb);
	for (size_t i = 0; i < b->n; i++) {
		bool now = emu_fn_present(b->fns[i]);

		if (o) {
			struct json_object *e = json_object_new_object();

			dev_emu_name(emu_topo_profile(f->d.topo), &emu_fn_info(b->fns[i])->bdf,
				     name, sizeof(name));
			json_object_object_add(e, "function", json_object_new_string(name));
			json_object_object_add(e, "present", json_object_new_boolean(now));
			json_object_object_add(e, "was_present",
					       json_object_new_boolean(b->was[i]));
			json_object_array_add(a, e);
		} else {
			doe_bdf_format(&emu_fn_info(b->fns[i])->bdf, fb);
			printf("  emulator: %s below port %u (%s) %s\n", fb,
			       emu_fn_info(b->port)->port_number, pb, presence(b->was[i], now));
		}
	}
	if (o)
		json_object_object_add(o, "emulator_below_port", a);
	else
		json_object_put(a);
}

/* --- commands ------------------------------------------------------------- */

static int show_identify(struct fm *f)
{
	struct fmapi_identify id;

	TRY(fmapi_identify(f->r, f->chan, &id));
	if (f->t->json) {
		struct json_object *o = fm_identify_json(f->name, &id);

		tool_print_json(o);
		json_object_put(o);
	} else {
		fm_identify_text(f->name, &id);
	}
	return 0;
}

static int show_switch(struct fm *f)
{
	struct fmapi_switch_info si;

	TRY(fmapi_identify_switch(f->r, f->chan, &si));
	if (f->t->json) {
		struct json_object *o = fm_switch_json(f->name, &si);

		tool_print_json(o);
		json_object_put(o);
	} else {
		fm_switch_text(f->name, &si);
	}
	return 0;
}

/* The state of every active port (Identify Switch Device first). */
static int port_states(struct fm *f, struct fmapi_port_state_rsp *rsp)
{
	static struct fmapi_port_state_req req;
	struct fmapi_switch_info si;

	TRY(fmapi_identify_switch(f->r, f->chan, &si));
	req.num_ports = 0;
	for (unsigned int i = 0; i < 256; i++)
		if (si.active_ports[i / 8] & 1u << (i % 8))
			req.ports[req.num_ports++] = (uint8_t)i;
	return fmapi_port_state(f->r, f->chan, &req, rsp);
}

static int show_ports(struct fm *f)
{
	static struct fmapi_port_state_rsp rsp;
	char e[TOOL_ESC_SIZE(80)];

	TRY(port_states(f, &rsp));
	if (f->t->json) {
		struct json_object *o = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(o, "device", json_object_new_string(f->name));
		for (unsigned int i = 0; i < rsp.num_ports; i++)
			json_object_array_add(a, fm_port_json(&rsp.ports[i]));
		json_object_object_add(o, "ports", a);
		tool_print_json(o);
		json_object_put(o);
		return 0;
	}
	printf("%s: %u physical port%s\n", tool_esc(e, sizeof(e), f->name), rsp.num_ports,
	       rsp.num_ports == 1 ? "" : "s");
	for (unsigned int i = 0; i < rsp.num_ports; i++)
		fm_port_text(&rsp.ports[i]);
	return 0;
}

static int vcs_info(struct fm *f, int vcs, struct fmapi_vcs_info_req *req,
		    struct fmapi_vcs_info_rsp *rsp)
{
	struct fmapi_switch_info si;

	memset(req, 0, sizeof(*req));
	req->vppb_limit = 255;
	if (vcs >= 0) {
		req->vcs_ids[req->num_vcs++] = (uint8_t)vcs;
	} else {
		TRY(fmapi_identify_switch(f->r, f->chan, &si));
		for (unsigned int i = 0; i < 256 && req->num_vcs < FMAPI_MAX_VCS; i++)
			if (si.active_vcs[i / 8] & 1u << (i % 8))
				req->vcs_ids[req->num_vcs++] = (uint8_t)i;
	}
	return fmapi_vcs_info(f->r, f->chan, req, rsp);
}

static int show_vcs(struct fm *f, int vcs)
{
	static struct fmapi_vcs_info_req req;
	static struct fmapi_vcs_info_rsp rsp;
	char e[TOOL_ESC_SIZE(80)];

	TRY(vcs_info(f, vcs, &req, &rsp));
	if (f->t->json) {
		struct json_object *o = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(o, "device", json_object_new_string(f->name));
		for (unsigned int i = 0; i < rsp.num_vcs; i++)
			json_object_array_add(a, fm_vcs_json(&rsp.vcs[i], req.start_vppb));
		json_object_object_add(o, "vcss", a);
		tool_print_json(o);
		json_object_put(o);
		return 0;
	}
	printf("%s: %u VCS%s\n", tool_esc(e, sizeof(e), f->name), rsp.num_vcs,
	       rsp.num_vcs == 1 ? "" : "s");
	for (unsigned int i = 0; i < rsp.num_vcs; i++)
		fm_vcs_text(&rsp.vcs[i], req.start_vppb);
	return 0;
}

/* Get LD Info of one device, through the switch */
static int ld_info(struct fm *f, uint8_t port, struct fmapi_ld_info *li)
{
	uint8_t out[64];
	size_t len;

	TRY(fmapi_tunnel(f->r, f->inner, f->chan, port, FMAPI_OP_GET_LD_INFO, NULL, 0, out,
			 sizeof(out), &len));
	return fmapi_ld_info_rsp_decode(f->t->ctx, out, len, li);
}

/* --port N: that device; else every type 3 device whose link is up */
static int show_ld_info(struct fm *f, int port)
{
	static struct fmapi_port_state_rsp rsp;
	struct json_object *a = json_object_new_array(), *o;
	struct fmapi_ld_info li;
	char e[TOOL_ESC_SIZE(80)];
	unsigned int n = 0;
	int rc = 0;

	if (port >= 0) {
		rsp.num_ports = 1;
		rsp.ports[0] = (struct fmapi_port_info){ .port_id = (uint8_t)port };
	} else if ((rc = port_states(f, &rsp))) {
		goto out;
	}
	for (unsigned int i = 0; i < rsp.num_ports; i++) {
		const struct fmapi_port_info *p = &rsp.ports[i];
		bool type3 = p->dev_type == FMAPI_DEV_TYPE3_SLD ||
			     p->dev_type == FMAPI_DEV_TYPE3_MLD;

		if (port < 0 && (!type3 || p->ltssm != 0x04))	/* not a type 3 device in L0 */
			continue;
		if ((rc = ld_info(f, p->port_id, &li)))
			goto out;
		if (!n++ && !f->t->json)	/* a heading only above an answer */
			printf("%s: logical devices\n", tool_esc(e, sizeof(e), f->name));
		if (f->t->json)
			json_object_array_add(a, fm_ld_json(p->port_id, &li));
		else
			fm_ld_text(p->port_id, &li);
	}
	if (!f->t->json && !n)
		printf("%s: no logical device reachable\n", tool_esc(e, sizeof(e), f->name));
	if (f->t->json) {
		o = json_object_new_object();
		json_object_object_add(o, "device", json_object_new_string(f->name));
		json_object_object_add(o, "logical_devices", json_object_get(a));
		tool_print_json(o);
		json_object_put(o);
	}
out:
	json_object_put(a);
	return rc;
}

/* --then-list: what doe list shows of the same topology now (in -j, as
 * the action's "list" member) */
static void then_list(struct fm *f, struct json_object *j)
{
	struct json_object *arr = json_object_new_array();
	bool failed = false;

	if (!j)
		puts("");
	list_topo(f->t, f->d.topo, arr, &failed);
	if (j)
		json_object_object_add(j, "list", arr);
	else
		json_object_put(arr);
}

/* The port an unbind concerns (its vPPB's binding), for the emulator report */
static int bound_port(struct fm *f, int vcs, int vppb)
{
	static struct fmapi_vcs_info_req req;
	static struct fmapi_vcs_info_rsp rsp;

	if (!f->d.topo || vcs_info(f, vcs, &req, &rsp) || rsp.num_vcs != 1 ||
	    vppb >= rsp.vcs[0].listed || rsp.vcs[0].vppbs[vppb].status != FMAPI_VPPB_BOUND_PORT)
		return -1;
	return rsp.vcs[0].vppbs[vppb].port_id;
}

static int do_action(struct fm *f, enum fm_cmd cmd, const struct fm_opts *o)
{
	static const char *const done[] = { [FMAPI_PORT_OP_ASSERT_PERST] = "PERST# asserted",
					    [FMAPI_PORT_OP_DEASSERT_PERST] = "PERST# deasserted",
					    [FMAPI_PORT_OP_RESET_PPB] = "PPB reset" };
	struct json_object *j = NULL;
	struct below b;
	char e[TOOL_ESC_SIZE(80)], rcb[8];
	int port = cmd == FM_UNBIND ? bound_port(f, o->vcs, o->vppb) : o->port;

	below_port(f, port, &b);
	if (cmd == FM_PORT_CONTROL) {
		struct fmapi_port_control pc = { .port_id = (uint8_t)o->port,
						 .op = (uint8_t)o->action };

		TRY(fmapi_port_control(f->r, f->chan, &pc));
	} else if (cmd == FM_BIND) {
		struct fmapi_bind bd = { .vcs_id = (uint8_t)o->vcs, .vppb_id = (uint8_t)o->vppb,
					 .port_id = (uint8_t)o->port,
					 .ld_id = o->ld < 0 ? FMAPI_LD_NONE : (uint16_t)o->ld };

		TRY(fmapi_bind(f->r, f->chan, &bd));
	} else {
		struct fmapi_unbind u = { .vcs_id = (uint8_t)o->vcs, .vppb_id = (uint8_t)o->vppb,
					  .option = FMAPI_UNBIND_WAIT };

		TRY(fmapi_unbind(f->r, f->chan, &u));
	}
	if (f->t->json) {
		j = json_object_new_object();
		json_object_object_add(j, "device", json_object_new_string(f->name));
		json_object_object_add(j, "command", json_object_new_string(cmd_names[cmd]));
		if (cmd != FM_PORT_CONTROL) {
			json_object_object_add(j, "vcs_id", json_object_new_int(o->vcs));
			json_object_object_add(j, "vppb_id", json_object_new_int(o->vppb));
		}
		if (cmd == FM_PORT_CONTROL || cmd == FM_BIND)
			json_object_object_add(j, "physical_port_id", json_object_new_int(o->port));
		if (cmd == FM_BIND)
			json_object_object_add(j, "ld_id", json_object_new_int(o->ld < 0 ? 0xFFFF
											 : o->ld));
		if (cmd == FM_PORT_CONTROL)
			json_object_object_add(j, "port_opcode", json_object_new_string(
						       fmapi_port_op_name((uint8_t)o->action)));
		json_object_object_add(j, "return_code", json_object_new_string(fm_rc_str(
					       fmapi_req_last_rc(f->r), rcb, sizeof(rcb))));
	} else if (cmd == FM_PORT_CONTROL) {
		printf("%s: port %d: %s\n", tool_esc(e, sizeof(e), f->name), o->port,
		       done[o->action]);
	} else if (cmd == FM_BIND) {
		printf("%s: vPPB %d of VCS %d bound to port %d\n", tool_esc(e, sizeof(e), f->name),
		       o->vppb, o->vcs, o->port);
	} else {
		printf("%s: vPPB %d of VCS %d unbound\n", tool_esc(e, sizeof(e), f->name), o->vppb,
		       o->vcs);
	}
	below_report(f, &b, j);
	if (o->then_list)
		then_list(f, j);
	if (j) {
		tool_print_json(j);
		json_object_put(j);
	}
	return 0;
}

static int run(struct fm *f, enum fm_cmd cmd, const struct fm_opts *o)
{
	switch (cmd) {
	case FM_IDENTIFY:
		return show_identify(f);
	case FM_SWITCH:
		return show_switch(f);
	case FM_PORTS:
		return show_ports(f);
	case FM_VCS:
		return show_vcs(f, o->vcs);
	case FM_LD_INFO:
		return show_ld_info(f, o->port);
	default:
		return do_action(f, cmd, o);
	}
}

/* --- options -------------------------------------------------------------- */

/* Which options each command takes: bits P(ort) V(cs) B (vppb) L(d) A(ction) */
enum { O_PORT = 1, O_VCS = 2, O_VPPB = 4, O_LD = 8, O_ACTION = 16 };
static const unsigned int allowed[FM_LD_INFO + 1] = {
	[FM_IDENTIFY] = 0, [FM_SWITCH] = 0, [FM_PORTS] = 0,
	[FM_PORT_CONTROL] = O_PORT | O_ACTION, [FM_VCS] = O_VCS,
	[FM_BIND] = O_PORT | O_VCS | O_VPPB | O_LD, [FM_UNBIND] = O_VCS | O_VPPB,
	[FM_LD_INFO] = O_PORT,
};
static const unsigned int required[FM_LD_INFO + 1] = {
	[FM_PORT_CONTROL] = O_PORT | O_ACTION, [FM_BIND] = O_PORT | O_VCS | O_VPPB,
	[FM_UNBIND] = O_VCS | O_VPPB,
};

static int int_opt(struct tool *t, const char *opt, const char *arg, uint64_t max, int *out)
{
	uint64_t v;

	if (*out >= 0)
		return tool_usage(t, "fm: %s given twice", opt);
	if (opt_uint(arg, 0, max, &v))
		return tool_usage(t, "fm: bad value '%s' for %s: a number from 0 to %llu", arg, opt,
				  (unsigned long long)max);
	*out = (int)v;
	return 0;
}

static int check_opts(struct tool *t, enum fm_cmd cmd, const struct fm_opts *o)
{
	static const char *const names[] = { "--port", "--vcs", "--vppb", "--ld",
					     "--reset, --perst-assert or --perst-deassert" };
	unsigned int given = (o->port >= 0 ? O_PORT : 0) | (o->vcs >= 0 ? O_VCS : 0) |
			     (o->vppb >= 0 ? O_VPPB : 0) | (o->ld >= 0 ? O_LD : 0) |
			     (o->action >= 0 ? O_ACTION : 0);

	for (unsigned int i = 0; i < 5; i++) {
		if (given & ~allowed[cmd] & 1u << i)
			return tool_usage(t, "fm %s does not take %s", cmd_names[cmd], names[i]);
		if (~given & required[cmd] & 1u << i)
			return tool_usage(t, "fm %s needs %s", cmd_names[cmd], names[i]);
	}
	return 0;
}

static int parse(struct tool *t, int argc, char **argv, struct fm_opts *o, const char **dev,
		 enum fm_cmd *cmd)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ "port", required_argument, NULL, 'p' },
		{ "vcs", required_argument, NULL, 'v' },
		{ "vppb", required_argument, NULL, 'b' },
		{ "ld", required_argument, NULL, 'l' },
		{ "reset", no_argument, NULL, 'R' },
		{ "perst-assert", no_argument, NULL, 'A' },
		{ "perst-deassert", no_argument, NULL, 'D' },
		{ "fm-fault", required_argument, NULL, 'F' },
		{ "then-list", no_argument, NULL, 'T' },
		{ 0 }
	};
	int c, rc, action;

	while ((c = getopt_long(argc, argv, "jht:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			TRY_USAGE(int_opt(t, "--port", optarg, 255, &o->port));
			continue;
		case 'v':
			TRY_USAGE(int_opt(t, "--vcs", optarg, 255, &o->vcs));
			continue;
		case 'b':
			TRY_USAGE(int_opt(t, "--vppb", optarg, 255, &o->vppb));
			continue;
		case 'l':	/* 0xFFFF is "no LD": leave --ld out for that */
			TRY_USAGE(int_opt(t, "--ld", optarg, 0xFFFE, &o->ld));
			continue;
		case 'R':
		case 'A':
		case 'D':
			action = c == 'R' ? FMAPI_PORT_OP_RESET_PPB
				 : c == 'A' ? FMAPI_PORT_OP_ASSERT_PERST
					    : FMAPI_PORT_OP_DEASSERT_PERST;
			if (o->action >= 0 && o->action != action)
				return tool_usage(t, "fm port-control: one of --reset, "
						  "--perst-assert, --perst-deassert");
			o->action = action;
			continue;
		case 'F':
			o->fault = optarg;
			continue;
		case 'T':
			o->then_list = true;
			continue;
		}
		if ((rc = tool_common_opt(t, c, optarg)) != 0)
			return rc < 0 ? EXIT_USAGE : -1;	/* -1: help shown */
	}
	if (argc - optind != 2)
		return tool_usage(t, "fm: expected DEV and a command (identify, switch, ports, "
				  "port-control, vcs, bind, unbind, ld-info)");
	*dev = argv[optind];
	for (size_t i = 0; i < ARRAY_SIZE(cmd_names); i++) {
		if (!strcmp(argv[optind + 1], cmd_names[i])) {
			*cmd = (enum fm_cmd)i;
			if (o->then_list && (*cmd < FM_PORT_CONTROL || *cmd == FM_VCS ||
					     *cmd == FM_LD_INFO))
				return tool_usage(t, "fm: --then-list follows bind, unbind or "
						  "port-control");
			return check_opts(t, *cmd, o);
		}
	}
	return tool_usage(t, "fm: unknown command '%s' (identify, switch, ports, port-control, "
			  "vcs, bind, unbind, ld-info)", argv[optind + 1]);
}

int cmd_fm(struct tool *t, int argc, char **argv)
{
	struct fm_opts o = { .port = -1, .vcs = -1, .vppb = -1, .ld = -1, .action = -1 };
	struct fm f = { .t = t };
	const char *dev = NULL;
	enum fm_cmd cmd = FM_IDENTIFY;
	int rc = parse(t, argc, argv, &o, &dev, &cmd);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	rc = fm_open(t, dev, &f);
	if (!rc && o.then_list && !f.d.topo)
		rc = doe_err(t->ctx, -EINVAL, "--then-list is for an emulated DEV "
			     "(emu[:PROFILE]/mctp:EID)");
	if (!rc && o.fault)
		rc = apply_fault(&f, o.fault);
	if (!rc)
		rc = run(&f, cmd, &o);
	if (rc)
		rc = tool_fail(t, rc, f.name[0] ? f.name : dev);
	fm_close(&f);
	return rc;
}
