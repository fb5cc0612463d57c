/* SPDX-License-Identifier: MIT */
/*
 * doe attest --topology: the PCIe hierarchy (emulated or sysfs) as a tree,
 * every function with CMA attested (concurrently), verdicts propagated
 * down the tree, enforcement on the ports above what failed.
 */
#ifndef DOE_TOPOLOGY_H
#define DOE_TOPOLOGY_H

#include <json-c/json.h>
#include <doekit/emu.h>
#include <doekit/spdm_cache.h>
#include "appraise.h"
#include "attest.h"

struct tnode {
	char name[64];		/* as the user names it: emu:P/BDF or BDF */
	struct doe_bdf bdf;
	int parent;		/* index, -1 at the top */
	int first_child, next_sibling;	/* -1: none */
	bool cma;		/* has a CMA mailbox: attested */
	bool port;		/* root or switch downstream port: has a link to disable */
	char label[64];
	struct emu_fn *fn;	/* emulated */
	/* results (cma only: a function without CMA is not attested and
	 * blocks nothing) */
	enum verdict_kind own;	/* its own appraisal */
	struct verdict v;	/* after propagation: untrusted_path below a failure */
	int blocker;		/* untrusted_path: the highest failing node above, else -1 */
	struct json_object *evidence;	/* attest_doc() of its attestation */
};

struct ttree {
	struct tnode *n;
	size_t count;
	const char *scope;	/* "emu:fleet", "0000:00:01.0", "system" */
	struct emu_topo *topo;	/* emulated: owned */
};

enum enforce_mode { ENFORCE_PLAN = 0, ENFORCE_ON, ENFORCE_REMOVE };

struct topo_opts {
	unsigned jobs;		/* 0: one per CPU */
	enum enforce_mode enforce;
	bool progress;		/* done/total, rate and ETA on stderr */
	bool then_list;		/* emulated: doe list of the topology after enforcement */
	/* shared by every attestation; NULL: one for the run */
	struct spdm_chain_cache *cache;
};

/* Builds the tree of an emulated topology (profile) or the real hierarchy
 * below root (NULL: all of it). */
int ttree_emu(struct tool *t, const char *profile, struct ttree *tr);
int ttree_sysfs(struct tool *t, const struct doe_bdf *root, struct ttree *tr);
void ttree_free(struct ttree *tr);

/* Attests every CMA node with tmpl's trust and appraises it with
 * tmpl->policy (which must be set), jobs at a time; then propagates
 * (untrusted_path). Returns 0 or a setup error. */
int ttree_attest(struct attest *tmpl, struct ttree *tr, const struct topo_opts *o);
/* Marks nodes below failing ones untrusted_path, naming the nearest. */
void ttree_propagate(struct ttree *tr);

/* Text (like lspci -t), or the JSON bundle of appraise.h (what
 * verify-evidence --policy reads) with "scope" and "summary": its nodes
 * are the attested functions, each under the nearest attested one above. */
void ttree_print_text(struct tool *t, const struct ttree *tr);
struct json_object *ttree_bundle(const struct ttree *tr);

/* Acts on (or, ENFORCE_PLAN, prints) the ports above rejected and
 * unreachable nodes; returns 0 or the first error. */
int ttree_enforce(struct tool *t, struct ttree *tr, enum enforce_mode mode);

/* doe attest --topology: the whole command after option parsing. */
int attest_topology(struct attest *tmpl, const char *scope, const struct topo_opts *o);

#endif
