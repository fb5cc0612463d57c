/* SPDX-License-Identifier: MIT */
/*
 * What the Linux PCI core already tells us. Since Linux 6.5 the kernel owns
 * every DOE mailbox; newer kernels list the protocols it discovered in
 * /sys/bus/pci/devices/<bdf>/doe_features/ ("VVVV:TT" per protocol, plus
 * "doe_discovery"). Reading that never touches a mailbox, so doekit uses it
 * first and drives raw mailbox registers of a real device only on request.
 */
#ifndef DOEKIT_SYSFS_H
#define DOEKIT_SYSFS_H

#include <doekit/common.h>
#include <doekit/ctx.h>
#include <doekit/discovery.h>
#include <doekit/pci.h>

DOE_BEGIN_DECLS

/* Lists the PCI functions under <sysfs root>/bus/pci/devices, sorted.
 * Returns the count (may exceed max; only the first max in BDF order are
 * stored) or -errno. */
DOE_API int doe_sysfs_list_functions(struct doe_ctx *ctx, struct doe_bdf *out, size_t max);

/* Reads doe_features of one function, sorted by (vid, type); Discovery is
 * included, each once. Returns the number stored (at most max), -ENOENT
 * when the kernel does not expose
 * doe_features for it (older kernel, or no DOE), or -errno. Malformed
 * entry names are skipped. */
DOE_API int doe_sysfs_features(struct doe_ctx *ctx, const struct doe_bdf *bdf,
			       struct doe_protocol *out, size_t max);

/* The bridge above a function, from where its sysfs directory sits:
 * returns 1 with *parent, 0 for a function directly below a host bridge
 * (or an RCiEP), -errno when the function is not there. */
DOE_API int doe_sysfs_parent(struct doe_ctx *ctx, const struct doe_bdf *bdf,
			     struct doe_bdf *parent);

DOE_END_DECLS

#endif
