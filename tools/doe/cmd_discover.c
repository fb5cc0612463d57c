// SPDX-License-Identifier: MIT
/* doe discover [-j] [--raw] DEV: one function's mailboxes and protocols. */
#include <errno.h>
#include <getopt.h>

#include "internal.h"
#include "tool.h"

int cmd_discover(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ 0 }
	};
	struct json_object *arr;
	bool failed = false;
	struct dev d;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jt:h", opts, NULL)) != -1)
		if ((rc = tool_common_opt(t, c, optarg)) != 0)
			return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (argc - optind != 1)
		return tool_usage(t, "discover takes one device");
	rc = dev_open(t, argv[optind], &d);
	if (rc) {
		dev_close(&d);
		return tool_fail(t, rc, NULL);
	}
	arr = json_object_new_array();
	rc = describe_device(t, &d, arr, &failed);
	if (rc == 0)
		rc = doe_err(t->ctx, -ENODEV, "%s has no DOE capability", d.name);
	if (rc > 0 && t->json)
		tool_print_json(json_object_array_get_idx(arr, 0));
	json_object_put(arr);
	dev_close(&d);
	if (rc < 0)
		return tool_fail(t, rc, NULL);
	return failed ? EXIT_FAIL : EXIT_OK;
}
