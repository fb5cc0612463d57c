// SPDX-License-Identifier: MIT
/* The per-mailbox report that `doe list` and `doe discover` print. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "tool.h"

#define MAX_DOE_PER_FN 8

int report_mailboxes(struct tool *t, struct doe_cfg *cfg, bool discover, struct mb_report *out,
		     size_t max)
{
	uint16_t offs[MAX_DOE_PER_FN];
	int n = doe_extcap_find(cfg, DOE_EXT_CAP_ID_DOE, offs, MAX_DOE_PER_FN);

	if (n < 0)
		return n;
	if ((size_t)n > max)
		n = (int)max;
	if (n > MAX_DOE_PER_FN)
		n = MAX_DOE_PER_FN;
	for (int i = 0; i < n; i++) {
		struct mb_report *m = &out[i];
		struct doe_mb *mb;
		int rc;

		memset(m, 0, sizeof(*m));
		m->offset = offs[i];
		rc = tool_mb_new(t, cfg, offs[i], &mb);
		if (rc) {
			m->nprotos = rc;
			doe_ctx_errmsg_copy(t->ctx, m->err, sizeof(m->err));
			continue;
		}
		m->cap_version = doe_mb_cap_version(mb);
		m->capabilities = doe_mb_capabilities(mb);
		if (discover) {
			rc = doe_discover(mb, m->protos, sizeof(m->protos) / sizeof(m->protos[0]));
			m->nprotos = rc;
			if (rc < 0)
				doe_ctx_errmsg_copy(t->ctx, m->err, sizeof(m->err));
			else if ((size_t)rc > sizeof(m->protos) / sizeof(m->protos[0]))
				m->nprotos = (int)(sizeof(m->protos) / sizeof(m->protos[0]));
		}
		doe_mb_free(mb);
	}
	return n;
}

struct json_object *protocols_to_json(const struct doe_protocol *p, int n)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		const char *name = doe_protocol_name(p[i].vid, p[i].type);

		json_object_object_add(o, "vendor_id", json_object_new_int(p[i].vid));
		json_object_object_add(o, "type", json_object_new_int(p[i].type));
		json_object_object_add(o, "name", name ? json_object_new_string(name) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *mailbox_to_json(const struct mb_report *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "offset", json_object_new_int(m->offset));
	json_object_object_add(o, "cap_version", json_object_new_int(m->cap_version));
	json_object_object_add(o, "capabilities", json_object_new_int64(m->capabilities));
	json_object_object_add(o, "interrupt_support",
			       json_object_new_boolean(m->capabilities & DOE_CAP_INT_SUPPORT));
	if (m->nprotos >= 0) {
		json_object_object_add(o, "protocols", protocols_to_json(m->protos, m->nprotos));
	} else {
		json_object_object_add(o, "protocols", json_object_new_array());
		json_object_object_add(o, "error", tool_json_untrusted(m->err, strlen(m->err)));
	}
	return o;
}

void print_protocols(const struct doe_protocol *p, int n, const char *indent)
{
	for (int i = 0; i < n; i++) {
		const char *name = doe_protocol_name(p[i].vid, p[i].type);

		printf("%s%04x:%02x  %s\n", indent, p[i].vid, p[i].type, name ? name : "(unknown)");
	}
}

void print_mailbox(const struct mb_report *m)
{
	printf("  DOE@0x%03x  version %u, capabilities 0x%08x%s\n", m->offset, m->cap_version,
	       m->capabilities,
	       (m->capabilities & DOE_CAP_INT_SUPPORT) ? " (interrupt)" : "");
	if (m->nprotos < 0) {
		fputs("    error: ", stdout);
		tool_fputs_escaped(m->err, stdout);	/* may quote the device */
		putchar('\n');
	}
	else
		print_protocols(m->protos, m->nprotos, "    ");
}

/*
 * Describes one function: its DOE mailboxes and their protocols. An
 * emulated function, or a real one with --raw, is asked by Discovery on
 * each mailbox; a real one without --raw gets the kernel's doe_features
 * (per device, not per mailbox) and its mailboxes are only located.
 * Appends a JSON object to arr (when t->json) or prints text. Returns the
 * number of mailboxes, or -errno when the function could not be read.
 * *failed is set when a mailbox failed (the report still says which).
 */
int describe_device(struct tool *t, struct dev *d, struct json_object *arr, bool *failed)
{
	struct mb_report mbs[MAX_DOE_PER_FN];
	struct doe_protocol kprotos[32];
	bool ask = d->emulated || t->raw;
	struct json_object *o, *ma;
	struct doe_cfg *cfg;
	uint32_t id = 0;
	int n, nk = -1;

	TRY(dev_cfg(t, d, &cfg));
	TRY(doe_cfg_read32(cfg, 0, &id));
	if (ask && !d->emulated)
		tool_raw_warning(t, d->name);
	n = report_mailboxes(t, cfg, ask, mbs, MAX_DOE_PER_FN);
	if (n <= 0)
		return n;
	if (!ask) {
		nk = doe_sysfs_features(t->ctx, &d->bdf, kprotos, 32);
		if (nk > 32)
			nk = 32;
	}
	for (int i = 0; i < n; i++) {
		if (mbs[i].nprotos < 0) {
			/* in the report, and on stderr for whoever reads only that */
			fprintf(stderr, "%s: ", t->prog);
			tool_fputs_escaped(mbs[i].err, stderr);
			fputc('\n', stderr);
			*failed = true;
		}
	}
	if (!t->json) {
		if (t->printed)
			putchar('\n');
		t->printed = true;
		printf("%s  [%04x:%04x]%s%s\n", d->name, id & 0xFFFFu, id >> 16,
		       d->emulated ? "  " : "", d->emulated ? emu_fn_info(d->fn)->label : "");
		for (int i = 0; i < n; i++) {
			if (ask) {
				print_mailbox(&mbs[i]);
			} else {
				printf("  DOE@0x%03x  version %u, capabilities 0x%08x\n",
				       mbs[i].offset, mbs[i].cap_version, mbs[i].capabilities);
			}
		}
		if (!ask && nk >= 0) {
			printf("  protocols (kernel doe_features):\n");
			print_protocols(kprotos, nk, "    ");
		} else if (!ask) {
			printf("  protocols: the kernel lists none (no doe_features); "
			       "use --raw to run Discovery\n");
		}
		return n;
	}
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(d->name));
	json_object_object_add(o, "vendor_id", json_object_new_int((int)(id & 0xFFFFu)));
	json_object_object_add(o, "device_id", json_object_new_int((int)(id >> 16)));
	if (d->emulated)
		json_object_object_add(o, "label", json_object_new_string(emu_fn_info(d->fn)->label));
	ma = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *m = mailbox_to_json(&mbs[i]);

		if (!ask)	/* we did not ask the mailbox: say so, not [] */
			json_object_object_del(m, "protocols");
		json_object_array_add(ma, m);
	}
	json_object_object_add(o, "mailboxes", ma);
	if (!ask) {
		json_object_object_add(o, "protocols",
				       nk >= 0 ? protocols_to_json(kprotos, nk) : NULL);
		json_object_object_add(o, "protocols_source",
				       json_object_new_string("kernel doe_features"));
	}
	json_object_array_add(arr, o);
	return n;
}

/* The first mailbox of cfg whose Discovery lists (vid, type). */
int tool_find_mailbox(struct tool *t, struct doe_cfg *cfg, uint16_t vid, uint8_t type,
		      struct doe_mb **out)
{
	uint16_t offs[MAX_DOE_PER_FN];
	int n = doe_extcap_find(cfg, DOE_EXT_CAP_ID_DOE, offs, MAX_DOE_PER_FN);
	const char *name = doe_protocol_name(vid, type);

	if (n < 0)
		return n;
	if (n > MAX_DOE_PER_FN)
		n = MAX_DOE_PER_FN;
	for (int i = 0; i < n; i++) {
		struct doe_protocol p[32];
		struct doe_mb *mb;
		int np;

		TRY(tool_mb_new(t, cfg, offs[i], &mb));
		np = doe_discover(mb, p, 32);
		if (np < 0) {
			doe_mb_free(mb);
			return np;
		}
		for (int k = 0; k < np && k < 32; k++) {
			if (p[k].vid == vid && p[k].type == type) {
				*out = mb;
				return 0;
			}
		}
		doe_mb_free(mb);
	}
	return doe_err(t->ctx, -ENOENT, "%s has no DOE mailbox that serves %s", doe_cfg_name(cfg),
		       name ? name : "this protocol");
}
