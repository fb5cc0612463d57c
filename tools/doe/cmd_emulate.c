// SPDX-License-Identifier: MIT
/* doe emulate --list-profiles [-j]: the emulator's named topologies. */
#include <getopt.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attest.h"
#include "tool.h"

static int list_profiles(struct tool *t)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < emu_profile_count(); i++) {
		const struct emu_profile_desc *p = emu_profile_get(i);
		bool dflt = !strcmp(p->name, EMU_DEFAULT_PROFILE);

		if (!t->json) {
			printf("%-16s %s%s\n", p->name, p->summary, dflt ? " (default)" : "");
			continue;
		}
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(p->name));
		json_object_object_add(o, "summary", json_object_new_string(p->summary));
		json_object_object_add(o, "default", json_object_new_boolean(dflt));
		json_object_array_add(arr, o);
	}
	if (t->json)
		tool_print_json(arr);
	json_object_put(arr);
	return EXIT_OK;
}

int cmd_emulate(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ "list-profiles", no_argument, NULL, 'L' },
		{ "listen", required_argument, NULL, 'l' },
		{ "trans", required_argument, NULL, 'X' },
		{ "profile", required_argument, NULL, 'P' },
		{ "device", required_argument, NULL, 'D' },
		{ "export-root", required_argument, NULL, 'R' },
		{ "identity", required_argument, NULL, 'I' },
		{ "asym", required_argument, NULL, 'A' },
		{ "max-clients", required_argument, NULL, 'M' },
		{ "idle-timeout", required_argument, NULL, 'W' },
		{ "frame-timeout", required_argument, NULL, 'F' },
		{ "max-lifetime", required_argument, NULL, 'T' },
		{ "psk", required_argument, NULL, 'K' },
		{ "psk-hint", required_argument, NULL, 'H' },
		{ "psk-hint-hex", required_argument, NULL, 'x' },
		{ "fm-fault", required_argument, NULL, 'f' },
		{ 0 }
	};
	struct listen_opts lo = { 0 };
	bool list = false, hint = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'L': list = true; continue;
		case 'l': lo.addr = optarg; continue;
		case 'X': lo.trans = optarg; continue;
		case 'P': lo.profile = optarg; continue;
		case 'D': lo.device = optarg; continue;
		case 'R': lo.root_out = optarg; continue;
		case 'I': lo.identity = optarg; continue;
		case 'A': lo.asym = optarg; continue;
		case 'M': lo.max_clients = optarg; continue;
		case 'W': lo.idle = optarg; continue;
		case 'F': lo.frame = optarg; continue;
		case 'T': lo.lifetime = optarg; continue;
		case 'f': lo.fm_fault = optarg; continue;
		case 'K':
			if (hex_decode(optarg, lo.psk, sizeof(lo.psk), &lo.psk_len) ||
			    !lo.psk_len) {
				rc = tool_usage(t, "emulate: bad value for --psk (2 to 128 hex digits)");
				goto out;
			}
			continue;
		case 'H':
			if (hint || strlen(optarg) > sizeof(lo.psk_hint)) {
				rc = tool_usage(t, "emulate: --psk-hint: one, of at most 64 bytes");
				goto out;
			}
			lo.psk_hint_len = strlen(optarg);
			memcpy(lo.psk_hint, optarg, lo.psk_hint_len);
			hint = true;
			continue;
		case 'x':
			/* a hint is opaque bytes: DMTF's sample one ends in a NUL */
			if (hint || hex_decode(optarg, lo.psk_hint, sizeof(lo.psk_hint),
					       &lo.psk_hint_len)) {
				rc = tool_usage(t, "emulate: --psk-hint-hex: one, of at most 64 bytes in hex");
				goto out;
			}
			hint = true;
			continue;
		}
		if ((rc = tool_common_opt(t, c, optarg)) != 0) {
			rc = rc < 0 ? EXIT_USAGE : EXIT_OK;
			goto out;
		}
	}
	if (optind != argc)
		rc = tool_usage(t, "emulate: unexpected argument '%s'", argv[optind]);
	else if (hint && !lo.psk_len)
		rc = tool_usage(t, "emulate: --psk-hint needs --psk");
	else if ((lo.psk_len || hint) && !lo.addr)
		rc = tool_usage(t, "emulate: --psk is for --listen");
	else if (list && !lo.addr)
		rc = list_profiles(t);
	else if (lo.addr && !list)
		rc = emulate_listen(t, &lo);
	else
		rc = tool_usage(t, "emulate: say what to do (--list-profiles or --listen tcp:HOST:PORT)");
out:
	OPENSSL_cleanse(lo.psk, sizeof(lo.psk));
	return rc;
}
