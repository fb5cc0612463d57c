// SPDX-License-Identifier: MIT
/*
 * The emulated devices' CMA/SPDM responder (PCIe r6.x §6.31): the library's
 * sans-I/O responder behind the function's CMA mailboxes. Each function
 * has its own identity (root -> intermediate -> leaf with the CMA SAN),
 * made with OpenSSL on first use so that topologies that are only listed
 * cost nothing; all CMA mailboxes of a function share one responder, as
 * they share one device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <doekit/doe.h>
#include <doekit/spdm.h>
#include "emu_internal.h"
#include "internal.h"

#define EMU_SPDM_MAX_MEAS 16
#define EMU_SPDM_MEAS_BYTES 256

struct emu_spdm {
	struct emu_fn *fn;
	struct emu_spdm_opts opts;
	struct spdm_meas_value meas[EMU_SPDM_MAX_MEAS];
	uint8_t meas_bytes[EMU_SPDM_MAX_MEAS][EMU_SPDM_MEAS_BYTES];
	struct spdm_identity *id;	/* NULL until first use */
	struct spdm_rsp *rsp;
	_Alignas(16) uint8_t mem[SPDM_RESPONDER_CTX_SIZE];
};

void emu_spdm_free(struct emu_spdm *s)
{
	if (!s)
		return;
	spdm_rsp_fini(s->rsp);
	spdm_identity_free(s->id);
	free(s);
}

/* Built-in measurements: what a simple device reports (DSP0274 Table
 * "DMTFSpecMeasurementValueType"). */
static void set_meas(struct emu_spdm *s, size_t i, uint8_t type, bool raw, int n)
{
	s->meas[i] = (struct spdm_meas_value){
		.index = (uint8_t)(i + 1),
		.type = type,
		.raw_only = raw,
		.value = s->meas_bytes[i],
		.value_size = (uint16_t)(n < 0 ? 0 : n < EMU_SPDM_MEAS_BYTES ? n : EMU_SPDM_MEAS_BYTES - 1),
	};
}

static void default_meas(struct emu_spdm *s)
{
	const struct emu_fn_info *info = emu_fn_info(s->fn);
	char (*b)[EMU_SPDM_MEAS_BYTES] = (char (*)[EMU_SPDM_MEAS_BYTES])s->meas_bytes;

	set_meas(s, 0, 0x00, false,	/* immutable ROM */
		 snprintf(b[0], sizeof(b[0]), "doekit emulated ROM, device %04x", info->device_id));
	set_meas(s, 1, 0x01, false,	/* mutable firmware */
		 snprintf(b[1], sizeof(b[1]), "doekit emulated firmware for %s", info->label));
	set_meas(s, 2, 0x06, true,	/* firmware version number */
		 snprintf(b[2], sizeof(b[2]), "1.2.%u", info->device_id & 0xFu));
	set_meas(s, 3, 0x02, false,	/* hardware configuration */
		 snprintf(b[3], sizeof(b[3]), "hardware configuration %04x", info->vendor_id));
	s->opts.meas = s->meas;
	s->opts.meas_count = 4;
}

static struct emu_spdm *state(struct emu_fn *fn)
{
	struct emu_spdm **slot = emu_fn_spdm_slot(fn);

	if (!*slot) {
		struct emu_spdm *s = calloc(1, sizeof(*s));

		if (!s)
			return NULL;
		s->fn = fn;
		s->opts.asym_algo = SPDM_ASYM_ECDSA_P384;
		default_meas(s);
		*slot = s;
	}
	return *slot;
}

/* The identity, made on first use, and the responder configuration the
 * function's options give. */
static int config(struct emu_spdm *s, struct spdm_rsp_config *cfg)
{
	struct doe_ctx *ctx = emu_fn_ctx(s->fn);
	char san[96];

	if (!s->id) {
		const struct emu_fn_info *info = emu_fn_info(s->fn);

		/* CMA SAN: "ACME:WIDGET:0123456789" style, PCIe §6.31.3 */
		snprintf(san, sizeof(san), "%04X:%04X:EMU-%02X%02X%X", info->vendor_id,
			 info->device_id, info->bdf.bus, info->bdf.dev, info->bdf.fn);
		TRY(spdm_identity_new(ctx, s->opts.asym_algo, san, &s->id));
	}
	spdm_rsp_config_init(cfg);
	spdm_identity_apply(s->id, cfg);
	cfg->req_align = 4;	/* DOE pads requests to a DW */
	if (s->opts.versions)
		cfg->versions = s->opts.versions;
	cfg->meas = s->opts.meas;
	cfg->meas_count = s->opts.meas_count;
	cfg->not_ready_count = s->opts.not_ready_count;
	cfg->busy_count = s->opts.busy_count;
	cfg->corrupt_signature = s->opts.corrupt_signature;
	return 0;
}

/* Identity and responder, made on first use. */
static int ready(struct emu_spdm *s)
{
	struct spdm_rsp_config cfg;

	if (s->rsp)
		return 0;
	TRY(config(s, &cfg));
	return spdm_rsp_init(s->mem, sizeof(s->mem), emu_fn_ctx(s->fn), &cfg, &s->rsp);
}

static int cma_handler(void *priv, const uint8_t *req, size_t req_len, uint8_t *rsp,
		       size_t rsp_cap, size_t *rsp_len)
{
	struct emu_spdm *s = priv;

	TRY(ready(s));
	return spdm_rsp_handle(s->rsp, req, req_len, rsp, rsp_cap, rsp_len);
}

int emu_spdm_attach(struct emu_fn *fn, struct emu_mb *mb)
{
	struct emu_spdm *s = state(fn);

	if (!s)
		return -ENOMEM;
	return emu_mb_add_protocol(mb, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, cma_handler, s);
}

int emu_fn_set_spdm(struct emu_fn *fn, const struct emu_spdm_opts *o)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	if (o->meas_count > EMU_SPDM_MAX_MEAS)
		return doe_err(emu_fn_ctx(fn), -E2BIG, "at most %d measurements", EMU_SPDM_MAX_MEAS);
	/* a new identity only when the algorithm changes */
	if (o->asym_algo && o->asym_algo != s->opts.asym_algo) {
		spdm_identity_free(s->id);
		s->id = NULL;
	}
	spdm_rsp_fini(s->rsp);
	s->rsp = NULL;
	s->opts.asym_algo = o->asym_algo ? o->asym_algo : s->opts.asym_algo;
	s->opts.versions = o->versions;
	s->opts.not_ready_count = o->not_ready_count;
	s->opts.busy_count = o->busy_count;
	s->opts.corrupt_signature = o->corrupt_signature;
	if (o->meas) {
		for (size_t i = 0; i < o->meas_count; i++) {
			uint16_t n = o->meas[i].value_size;

			if (n > EMU_SPDM_MEAS_BYTES)
				return doe_err(emu_fn_ctx(fn), -E2BIG,
					       "measurement %u: %u bytes, at most %d", o->meas[i].index,
					       n, EMU_SPDM_MEAS_BYTES);
			s->meas[i] = o->meas[i];
			memcpy(s->meas_bytes[i], o->meas[i].value, n);
			s->meas[i].value = s->meas_bytes[i];
		}
		s->opts.meas = s->meas;
		s->opts.meas_count = o->meas_count;
	}
	return 0;
}

bool emu_fn_has_spdm(struct emu_fn *fn)
{
	return *emu_fn_spdm_slot(fn) != NULL;
}

int emu_fn_spdm_root(struct emu_fn *fn, const uint8_t **der, size_t *len)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	TRY(ready(s));
	*der = spdm_identity_root(s->id, len);
	return 0;
}

int emu_fn_spdm_handle(struct emu_fn *fn, const void *req, size_t req_len, void *rsp,
		       size_t rsp_cap, size_t *rsp_len)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	return cma_handler(s, req, req_len, rsp, rsp_cap, rsp_len);
}

int emu_fn_spdm_config(struct emu_fn *fn, struct spdm_rsp_config *cfg)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	return config(s, cfg);
}

int emu_fn_set_spdm_identity(struct emu_fn *fn, struct spdm_identity *id, uint32_t asym_algo)
{
	struct emu_spdm *s = *emu_fn_spdm_slot(fn);

	if (!s) {
		spdm_identity_free(id);
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no CMA mailbox");
	}
	spdm_rsp_fini(s->rsp);
	s->rsp = NULL;
	spdm_identity_free(s->id);
	s->id = id;
	s->opts.asym_algo = asym_algo;
	return 0;
}
