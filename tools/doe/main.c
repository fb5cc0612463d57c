// SPDX-License-Identifier: MIT
/* doe: the command-line tool. Dispatches to one file per subcommand. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct command {
	const char *name;
	int (*run)(struct tool *t, int argc, char **argv);
};

static const struct command commands[] = {
	{ "list", cmd_list },
	{ "discover", cmd_discover },
	{ "emulate", cmd_emulate },
	{ "cdat", cmd_cdat },
	{ "attest", cmd_attest },
	{ "verify-evidence", cmd_verify_evidence },
	{ "session", cmd_session },
	{ "ide", cmd_ide },
	{ "fm", cmd_fm },
};

static void log_stderr(void *priv, int prio, const char *msg)
{
	(void)prio;
	fprintf(stderr, "%s: debug: ", (const char *)priv);
	tool_fputs_escaped(msg, stderr);	/* may quote what a device sent */
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	struct tool t = { .prog = "doe" };
	const char *root;
	int rc;

	if (argc < 2) {
		tool_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		tool_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("doe (doekit) %s\n", DOEKIT_VERSION_STRING);
		return EXIT_OK;
	}
	if (doe_ctx_new(&t.ctx)) {
		fprintf(stderr, "doe: out of memory\n");
		return EXIT_FAIL;
	}
	if (getenv("DOE_DEBUG"))
		doe_ctx_set_log(t.ctx, log_stderr, (void *)t.prog, DOE_LOG_DEBUG);
	/* Tests and containers point the tool at another sysfs tree */
	root = getenv("DOE_SYSFS_ROOT");
	if (root && *root)
		doe_ctx_set_sysfs_root(t.ctx, root);
	root = getenv("DOE_LOCK_DIR");
	if (root && *root)
		doe_ctx_set_lock_dir(t.ctx, root);
	rc = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			rc = commands[i].run(&t, argc - 1, argv + 1);
			break;
		}
	}
	if (rc < 0)
		rc = tool_usage(&t, "unknown command '%s'", argv[1]);
	doe_ctx_free(t.ctx);
	return rc;
}
