// SPDX-License-Identifier: MIT
/*
 * doe cdat DEV [-j] [--raw] [--validate]     read, decode and check a CDAT
 * doe cdat --file F [-j] [--validate]        the same from a file ("-": stdin)
 * doe cdat --encode F.json -o F.bin          JSON (the -j schema) to binary
 * doe cdat --path DEV [-j]                   performance from the root port
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdat_json.h"
#include "internal.h"
#include "jin.h"
#include "tool.h"

/* A real device: the kernel's attribute when it has one, else --raw. */
static int cdat_from_device(struct tool *t, const char *spec, char *name, size_t namelen,
			    const char **source, uint8_t **buf, size_t *len)
{
	struct dev d;
	int rc = dev_open(t, spec, &d);

	if (rc == 0) {
		snprintf(name, namelen, "%s", d.name);
		if (d.emulated || t->raw) {
			if (!d.emulated)
				tool_raw_warning(t, d.name);
			*source = "doe";
			rc = cdat_from_mailbox(t, &d, buf, len);
		} else {
			*source = "kernel";
			rc = cdat_from_kernel(t, d.name, buf, len);
		}
	}
	dev_close(&d);
	return rc;
}

static int show(struct tool *t, const char *name, const char *source, const uint8_t *buf,
		size_t len, bool validate)
{
	struct cdat_table *tab;
	size_t errors;
	int rc = cdat_parse(t->ctx, buf, len, &tab);

	if (rc)
		return tool_fail(t, rc, name);
	errors = cdat_count_findings(tab, CDAT_ERROR);
	if (t->json) {
		struct json_object *o = cdat_table_to_json(tab);

		json_object_object_add(o, "device", json_object_new_string(name));
		json_object_object_add(o, "source", json_object_new_string(source));
		tool_print_json(o);
		json_object_put(o);
	} else {
		char esc[TOOL_ESC_SIZE(PATH_MAX)];

		/* name may be the user's file name */
		printf("%s: CDAT from %s, %zu bytes\n", tool_esc(esc, sizeof(esc), name), source, len);
		cdat_table_print(stdout, tab);
	}
	cdat_table_free(tab);
	if (validate && errors) {
		fprintf(stderr, "%s: ", t->prog);
		tool_fputs_escaped(name, stderr);
		fprintf(stderr, ": CDAT has %zu error%s\n", errors, errors == 1 ? "" : "s");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * The input is the user's file: whatever is wrong with it (unreadable,
 * larger than JIN_MAX_CDAT_JSON, not strict JSON, a member of the wrong
 * type or out of its field's range, a table that cannot be encoded) is a
 * usage error, exit 2, with the message naming the member.
 */
static int encode(struct tool *t, const char *in, const char *out)
{
	const struct jin j = { .ctx = t->ctx, .doc = strcmp(in, "-") ? in : "stdin" };
	struct json_object *obj = NULL;
	struct cdat_table *tab = NULL;
	uint8_t *bin = NULL;
	size_t binlen;
	int rc, fd;

	if (!out)
		return tool_usage(t, "--encode needs -o FILE");
	rc = jin_load(&j, in, JIN_MAX_CDAT_JSON, &obj);
	if (rc == 0)
		rc = cdat_table_from_json(&j, obj, &tab);
	if (rc == 0 && (rc = cdat_encode_alloc(t->ctx, tab, &bin, &binlen)) != 0)
		doe_err_prefix(t->ctx, "%s", j.doc);
	json_object_put(obj);
	cdat_table_free(tab);
	if (rc) {
		tool_fail(t, rc, NULL);
		return EXIT_USAGE;
	}
	fd = strcmp(out, "-") ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
			      : STDOUT_FILENO;
	if (fd < 0 || write(fd, bin, binlen) != (ssize_t)binlen) {
		rc = doe_err(t->ctx, -errno, "writing %s: %s", out, strerror(errno));
	}
	if (fd >= 0 && fd != STDOUT_FILENO && close(fd) && !rc)
		rc = doe_err(t->ctx, -errno, "writing %s: %s", out, strerror(errno));
	free(bin);
	return rc ? tool_fail(t, rc, NULL) : EXIT_OK;
}

int cmd_cdat(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		TOOL_COMMON_OPTIONS,
		{ "validate", no_argument, NULL, 'V' },
		{ "file", required_argument, NULL, 'f' },
		{ "encode", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "path", no_argument, NULL, 'p' },
		{ 0 }
	};
	const char *file = NULL, *enc = NULL, *out = NULL, *source = "file";
	bool validate = false, path = false;
	char name[PATH_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jt:f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'V': validate = true; continue;
		case 'f': file = optarg; continue;
		case 'e': enc = optarg; continue;
		case 'o': out = optarg; continue;
		case 'p': path = true; continue;
		}
		if ((rc = tool_common_opt(t, c, optarg)) != 0)
			return rc < 0 ? EXIT_USAGE : EXIT_OK;
	}
	if (enc) {
		if (optind != argc || file || path)
			return tool_usage(t, "cdat --encode F.json -o F.bin takes nothing else");
		return encode(t, enc, out);
	}
	if (out)
		return tool_usage(t, "-o goes with --encode");
	if (path) {
		if (argc - optind != 1 || file)
			return tool_usage(t, "cdat --path takes one device");
		return cdat_path(t, argv[optind]);
	}
	if (file) {
		if (optind != argc)
			return tool_usage(t, "cdat --file F takes no device");
		snprintf(name, sizeof(name), "%s", strcmp(file, "-") ? file : "stdin");
		rc = read_file_max(t, file, CDAT_MAX_TABLE_LEN, &buf, &len);
	} else {
		if (argc - optind != 1)
			return tool_usage(t, "cdat takes one device (or --file F)");
		rc = cdat_from_device(t, argv[optind], name, sizeof(name), &source, &buf, &len);
	}
	if (rc)
		return tool_fail(t, rc, NULL);
	rc = show(t, name, source, buf, len, validate);
	free(buf);
	return rc;
}
