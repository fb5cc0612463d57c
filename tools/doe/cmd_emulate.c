// SPDX-License-Identifier: MIT
/* doe emulate --list-profiles [-j]: the emulator's named topologies. */
#include <getopt.h>
#include <string.h>

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
		{ 0 }
	};
	struct listen_opts lo = { 0 };
	bool list = false;
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
		}
		if ((rc = tool_common_opt(t, c, optarg)) != 0)
			return rc < 0 ? EXIT_USAGE : EXIT_OK;
	}
	if (optind != argc)
		return tool_usage(t, "emulate: unexpected argument '%s'", argv[optind]);
	if (list && !lo.addr)
		return list_profiles(t);
	if (lo.addr && !list)
		return emulate_listen(t, &lo);
	return tool_usage(t, "emulate: say what to do (--list-profiles or --listen tcp:HOST:PORT)");
}
