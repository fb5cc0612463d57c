// SPDX-License-Identifier: MIT
/* doe list [-j] [--raw] [emu[:PROFILE]]: every function with a DOE mailbox. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define MAX_FUNCTIONS 4096

static int list_emulated(struct tool *t, const char *profile, struct json_object *arr,
			 bool *failed)
{
	struct emu_topo *topo;
	int rc = tool_topo_new(t, profile, &topo);

	if (rc)
		return rc;
	rc = list_topo(t, topo, arr, failed);
	emu_topo_free(topo);
	return rc;
}

int list_topo(struct tool *t, struct emu_topo *topo, struct json_object *arr, bool *failed)
{
	int rc, shown = 0;

	for (size_t i = 0; i < emu_topo_count(topo); i++) {
		struct dev d = { .emulated = true, .topo = NULL, .fn = emu_topo_fn(topo, i) };

		/* below a port whose link is down: config space reads all
		 * ones, and lspci would not show it either */
		if (!emu_fn_present(d.fn))
			continue;
		d.bdf = emu_fn_info(d.fn)->bdf;
		dev_emu_name(emu_topo_profile(topo), &d.bdf, d.name, sizeof(d.name));
		rc = describe_device(t, &d, arr, failed);
		doe_cfg_free(d.cfg);
		if (rc < 0) {
			/* a broken function (e.g. a looping capability list) is
			 * reported and the listing goes on */
			char b[DOE_BDF_STRLEN];

			/* the library's message names the function by its BDF */
			doe_bdf_format(&d.bdf, b);
			tool_fail(t, rc, b);
			*failed = true;
			continue;
		}
		shown += rc > 0;
	}
	return shown;
}

static int list_real(struct tool *t, struct json_object *arr, bool *failed)
{
	struct doe_bdf *fns = calloc(MAX_FUNCTIONS, sizeof(*fns));
	int n, shown = 0;

	if (!fns)
		return -ENOMEM;
	if (t->raw)
		tool_raw_warning(t, NULL);	/* once, not once per function */
	n = doe_sysfs_list_functions(t->ctx, fns, MAX_FUNCTIONS);
	if (n > MAX_FUNCTIONS)
		n = MAX_FUNCTIONS;
	for (int i = 0; i < n; i++) {
		char name[DOE_BDF_STRLEN];
		struct dev d;
		int rc;

		doe_bdf_format(&fns[i], name);
		rc = dev_open(t, name, &d);
		if (rc == 0) {
			rc = describe_device(t, &d, arr, failed);
		}
		dev_close(&d);
		if (rc != -ENODEV && tool_exit_code(rc) == EXIT_USAGE) {
			/* needs root, an unusable lock directory: the same for
			 * every function, so say it once and exit as any command
			 * would (a function that went away is only skipped) */
			free(fns);
			return rc;
		}
		if (rc < 0) {
			tool_fail(t, rc, name);
			*failed = true;
			continue;
		}
		shown += rc > 0;
	}
	free(fns);
	return n < 0 ? n : shown;
}

int cmd_list(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ 0 }
	};
	struct json_object *arr = json_object_new_array();
	const char *profile = NULL;
	bool failed = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jt:h", opts, NULL)) != -1) {
		if ((rc = tool_common_opt(t, c, optarg)) != 0) {
			json_object_put(arr);
			return rc < 0 ? EXIT_USAGE : EXIT_OK;
		}
	}
	if (argc - optind > 1 || (argc - optind == 1 && !topo_spec(argv[optind], &profile))) {
		json_object_put(arr);
		return tool_usage(t, "list takes at most one argument: emu or emu:PROFILE");
	}
	rc = profile ? list_emulated(t, profile, arr, &failed) : list_real(t, arr, &failed);
	if (rc < 0) {
		json_object_put(arr);
		return tool_fail(t, rc, NULL);
	}
	if (t->json)
		tool_print_json(arr);
	else if (rc == 0)
		printf("no PCI function with a DOE capability%s\n",
		       profile ? " in this profile" : " (try: doe list emu)");
	json_object_put(arr);
	return failed ? EXIT_FAIL : EXIT_OK;
}
