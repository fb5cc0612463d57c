// SPDX-License-Identifier: MIT
/* Usage text and the options every subcommand shares. */
#include <errno.h>
#include <stdlib.h>

#include "tool.h"

void tool_help(FILE *f)
{
	fputs("usage: doe COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "  doe list [-j] [--raw] [emu[:PROFILE]]   functions with DOE mailboxes and their protocols\n"
	      "  doe discover [-j] [--raw] DEV           one function's mailboxes and protocols\n"
	      "  doe cdat [-j] [--raw] [--validate] DEV  a CXL device's or switch's CDAT, decoded\n"
	      "  doe cdat --file F [-j] [--validate]     the same from a file ('-': stdin)\n"
	      "  doe cdat --encode F.json -o F.bin       JSON (as cdat -j prints it) to binary CDAT\n"
	      "  doe cdat --path [-j] DEV                latency and bandwidth from the root port\n"
	      "  doe attest [-j] [--trust PATH] [--version V] [--asym ALG] [--hash ALG] [--slot N]\n"
	      "             [--measurements all|N|none|count|each] [--unsigned] [--nonce HEX]\n"
	      "             [--trans T] [--deadline SEC] [--policy FILE] DEV\n"
	      "                                          CMA/SPDM attestation (DEV may be tcp:HOST:PORT)\n"
	      "  doe attest --topology [-j] [--jobs N] [--enforce[=remove]] [--then-list]\n"
	      "             [--policy FILE] [attest options] [emu[:PROFILE]|BDF]\n"
	      "                                          the hierarchy attested and appraised, a\n"
	      "                                          verdict per function (doe(1))\n"
	      "  doe verify-evidence [-j] FILE --trust PATH|--policy FILE [--nonce HEX] [--min-version V]\n"
	      "             [--asym LIST] [--hash LIST] [--measurements all|N|none|each]\n"
	      "             [--allow-unsigned]\n"
	      "                                          re-check attest -j evidence offline, under\n"
	      "                                          this verifier's policy (doe(1))\n"
	      "  doe session [-j] [--trust PATH] [--version V] [--asym ALG] [--hash ALG]\n"
	      "             [--dhe G] [--aead A] [--psk HEX [--psk-hint TEXT|--psk-hint-hex HEX]]\n"
	      "             [--in-the-clear] [--heartbeat N] [--key-update]\n"
	      "             [--measurements all|N|none] [--keyring [KR]] [--key-type logon|user]\n"
	      "             [--authorize] [--keep | --end] [--trans pci-doe|mctp]\n"
	      "             [--mutual [--identity KEY.pem,CHAIN.pem [--identity-asym ALG]]] DEV\n"
	      "                                          an SPDM secure session; with --keyring its\n"
	      "                                          keys go to the kernel (docs/keyring.md)\n"
	      "  doe session [-j] --end --session ID [--trans T] DEV\n"
	      "                                          end a session kept with a user key\n"
	      "  doe ide [-j] DEV                        the IDE Extended Capability, decoded\n"
	      "  doe ide [-j] --setup --stream N [--selective|--link] [--port-index N]\n"
	      "             [--refresh] [--stop] [--trust PATH] [--psk HEX [--psk-hint TEXT]]\n"
	      "             [--session ID] DEV\n"
	      "                                          IDE_KM in an SPDM session: program the\n"
	      "                                          device end (emulated: both ends, to Secure);\n"
	      "                                          --session: in a kept session (user key)\n"
	      "  doe emulate --list-profiles [-j]        the emulated topologies\n"
	      "  doe emulate --listen tcp:HOST:PORT [--trans T] [--profile P] [--device BDF]\n"
	      "             [--export-root FILE] [--identity KEY.pem,CHAIN.pem [--asym ALG]]\n"
	      "             [--max-clients N] [--idle-timeout MS] [--frame-timeout MS]\n"
	      "             [--max-lifetime MS] [--psk HEX [--psk-hint TEXT|--psk-hint-hex HEX]]\n"
	      "                                          an emulated SPDM responder on a socket\n"
	      "                                          (--trans mctp: the switch's MCTP endpoint,\n"
	      "                                          FM-API and SPDM; --fm-fault KIND)\n"
	      "  doe fm [-j] [--timeout MS] DEV identify | switch | ports | vcs [--vcs N] |\n"
	      "             port-control --port N --reset|--perst-assert|--perst-deassert |\n"
	      "             bind --vcs N --vppb N --port N [--ld N] | unbind --vcs N --vppb N |\n"
	      "             ld-info [--port N]\n"
	      "                                          CXL Fabric Manager API over MCTP (DEV:\n"
	      "                                          emu[:PROFILE]/mctp:EID, mctp:[NET,]EID or\n"
	      "                                          tcp:HOST:PORT)\n"
	      "\n"
	      "DEV is a PCI address (DDDD:BB:DD.F or BB:DD.F) or emu[:PROFILE]/BDF for an\n"
	      "emulated function. Without an argument, list shows this machine's devices;\n"
	      "'emu' is the default emulated topology (profile " EMU_DEFAULT_PROFILE ").\n"
	      "attest and session also take an MCTP endpoint: mctp:[NET,]EID (Linux AF_MCTP)\n"
	      "or emu[:PROFILE]/mctp:EID (the emulated topology's MCTP network).\n"
	      "\n"
	      "options:\n"
	      "  -j, --json        JSON output (schema in doe(1))\n"
	      "      --raw         drive a real device's mailbox registers (the kernel owns them;\n"
	      "                    see doe(1) KERNEL OWNERSHIP)\n"
	      "  -t, --timeout MS  mailbox timeout per wait, 1..3600000 (default 1000); for\n"
	      "                    mctp:EID the bound of each exchange (default 5000)\n"
	      "      --emu-cdat BDF=FILE\n"
	      "                    the emulated function BDF serves this CDAT (JSON as cdat -j\n"
	      "                    prints it, or binary, served as is even when malformed)\n"
	      "      --emu-spdm BDF=FILE.json\n"
	      "                    how the emulated function's SPDM responder behaves (doe(1))\n"
	      "  -h, --help        this text\n"
	      "\n"
	      "Integer values are plain decimal (no sign, 0x or leading zero). Device strings\n"
	      "are printed with control and non-ASCII bytes as \\xNN.\n"
	      "\n"
	      "exit status: 0 success, 1 the device or evidence failed (protocol, verification),\n"
	      "2 the command cannot run as given (bad option, missing file or trust, no such\n"
	      "device, unwritable output, unusable lock dir). See doe(1).\n",
	      f);
}

int tool_common_opt(struct tool *t, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 'j':
		t->json = true;
		return 0;
	case 'r':
		t->raw = true;
		return 0;
	case 't':
		if (opt_uint(arg, 1, 3600000, &v)) {
			tool_usage(t, "--timeout takes milliseconds, 1..3600000, not '%s'", arg);
			return -1;
		}
		t->timeout_ms = (uint32_t)v;
		return 0;
	case 'h':
		tool_help(stdout);
		return 1;
	case 'C':
		if (t->n_emu_cdat == (int)(sizeof(t->emu_cdat) / sizeof(t->emu_cdat[0]))) {
			tool_usage(t, "--emu-cdat: at most %d", t->n_emu_cdat);
			return -1;
		}
		t->emu_cdat[t->n_emu_cdat++] = arg;
		return 0;
	case 'Q':
		if (t->n_emu_spdm == (int)(sizeof(t->emu_spdm) / sizeof(t->emu_spdm[0]))) {
			tool_usage(t, "--emu-spdm: at most %d", t->n_emu_spdm);
			return -1;
		}
		t->emu_spdm[t->n_emu_spdm++] = arg;
		return 0;
	default:	/* getopt already said what was wrong */
		tool_usage(t, "bad option");
		return -1;
	}
}
