/* SPDX-License-Identifier: MIT */
/*
 * The verifier's appraisal policy (docs/policy.md): trust anchors, minimum
 * SPDM version, allowed algorithms, reference values per device class and
 * deny lists. It comes from the verifier's own configuration only: a
 * --policy file and the verify-evidence options, which feed this one
 * structure (policy_narrow_*()); never from evidence.
 *
 * Ownership: policy_parse()/policy_load() allocate the policy, policy_free()
 * releases it and everything it holds.
 */
#ifndef DOE_POLICY_H
#define DOE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <doekit/spdm.h>
#include "evidence.h"

/* Caps: far above any policy we can imagine, low enough that a hostile
 * file cannot make us allocate without bound. */
#define POLICY_MAX_BYTES (1u << 20)	/* the file */
#define POLICY_MAX_TRUST 64		/* trust anchor files */
#define POLICY_MAX_DEVICES 1024		/* devices entries */
#define POLICY_MAX_VALUES 256		/* acceptable values of one index */
#define POLICY_MAX_VALUE 1024		/* bytes of one text or hex value */
#define POLICY_MAX_DENY 4096		/* entries of each deny list */
#define POLICY_MAX_ID 64		/* bytes of an SKI or a serial number */
#define POLICY_MAX_PATH 4096

/* DSP0274 GET_MEASUREMENTS: indices 1..0xFE name blocks (0: count, 0xFF: all) */
#define POLICY_MIN_INDEX 1
#define POLICY_MAX_INDEX 254

/* What a measurement block must hold (one form per index). */
enum policy_form {
	POLICY_DIGEST,		/* ["HEX", ...]: a digest (not raw) equal to one of them */
	POLICY_TEXT,		/* {"text": [...]}: a raw value equal to one of the strings */
	POLICY_HEX,		/* {"hex": [...]}: a raw value equal to one of the byte strings */
};

struct policy_value {
	uint8_t *p;
	size_t len;
};

struct policy_meas {
	uint8_t index;
	enum policy_form form;
	struct policy_value *v;
	size_t n;
};

/* The CMA SAN fields (PCIe §6.31.3 "Vendor=vvvv:Device=dddd:CC=cccccc:
 * REV=rr:SSVID=ssss:SSID=ssss"), as the policy's match names them. */
enum policy_field {
	POLICY_VENDOR,
	POLICY_DEVICE,
	POLICY_CLASS,
	POLICY_REVISION,
	POLICY_SUBSYSTEM_VENDOR,
	POLICY_SUBSYSTEM,
	POLICY_NFIELDS
};

struct policy_match {
	unsigned fields;		/* bit (1 << enum policy_field): given */
	uint32_t value[POLICY_NFIELDS];
	uint8_t leaf_ski[POLICY_MAX_ID];
	size_t leaf_ski_len;		/* 0: not given */
};

struct policy_device {
	struct policy_match match;
	bool require[POLICY_MAX_INDEX + 1];
	struct policy_meas *meas;
	size_t nmeas;
};

struct policy {
	/* what the replay and the result must satisfy: min_version, asym_algos,
	 * hash_algos, meas_mode/meas_index, allow_unsigned, nonce */
	struct verifier_policy vp;
	char **trust;			/* anchor files, relative ones resolved */
	size_t ntrust;
	struct policy_device *dev;
	size_t ndev;
	struct policy_value *deny_ski, *deny_serial;
	size_t ndeny_ski, ndeny_serial;
	char source[256];		/* the file, for messages ("" built from options) */
	char trust_desc[300];		/* how reports name its anchors */
};

/* An empty policy: verifier_policy_init()'s defaults, no anchors, no
 * devices, no deny lists. NULL on allocation failure. */
struct policy *policy_new(void);
void policy_free(struct policy *p);

/* The document o (already through jin_parse()) into a new policy; relative
 * trust paths are taken relative to dir (NULL: as given). -EINVAL naming
 * the member path on anything out of type or range. Opens no file. */
struct jin;
int policy_parse(const struct jin *j, struct json_object *o, const char *dir,
		 struct policy **out);
/* Reads path through jin_load() and parses it relative to its directory.
 * Errors are the caller's fault (exit 2): -EINVAL bad policy, -ENOENT... */
int policy_load(struct doe_ctx *ctx, const char *path, struct policy **out);

/* The trust anchors the policy names, as one trust store (*out NULL when
 * it names none). -ENOENT/-EACCES/-EISDIR for a file that cannot be read,
 * -EINVAL for one without a PEM certificate; the message names trust[i]. */
int policy_trust_new(struct doe_ctx *ctx, const struct policy *p, struct spdm_trust **out);

/*
 * --policy FILE for a command: loads it and makes the trust store, from the
 * policy's "trust" or else from --trust (trust_path, may be NULL); both at
 * once is -EINVAL ("give the anchors in one place"). *trust NULL when
 * neither names any; *desc names them for reports. Every error here is
 * the caller's configuration (exit 2).
 */
struct tool;
int policy_open(struct tool *t, const char *path, const char *trust_path, struct policy **out,
		struct spdm_trust **trust, const char **desc);

/*
 * Command-line verifier options against a policy file: an option narrows
 * the policy, never widens it (the verifier requires both). An empty
 * result is -EINVAL ("nothing would be allowed"), message in ctx.
 */
int policy_narrow_version(struct doe_ctx *ctx, struct policy *p, uint8_t min_version);
int policy_narrow_asym(struct doe_ctx *ctx, struct policy *p, uint32_t mask);
int policy_narrow_hash(struct doe_ctx *ctx, struct policy *p, uint32_t mask);

/* "Vendor=8086:Device=0d93:..." to field values; returns the bits of the
 * fields found (enum policy_field), 0 when san is not in that form. */
unsigned policy_san_fields(const char *san, uint32_t value[POLICY_NFIELDS]);
const char *policy_field_name(enum policy_field f);

#endif
