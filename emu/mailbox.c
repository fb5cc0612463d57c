// SPDX-License-Identifier: MIT
/*
 * Register-level model of one DOE mailbox (PCIe r6.x §6.30, §7.9.24),
 * with fault injection. The model is synchronous: Go runs the protocol
 * handler at once, so a healthy mailbox has its response ready at the
 * first Status read, and every delay is a fault knob.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/discovery.h>
#include <doekit/doe.h>
#include "emu_internal.h"

#define EMU_MAX_PROTOCOLS 16

struct emu_proto {
	uint16_t vid;
	uint8_t type;
	emu_doe_handler handler;
	void *priv;
};

struct emu_mb {
	struct doe_ctx *ctx;
	uint16_t off;
	uint8_t cap_version;
	bool irq;

	struct emu_proto protos[EMU_MAX_PROTOCOLS];
	size_t nprotos;

	uint32_t *req;		/* request DWs collected from Write Data Mailbox */
	size_t req_dw, req_cap;
	bool req_overflow;

	uint8_t *scratch;	/* handler output, rsp_limit bytes */
	uint32_t *rsp;		/* response object incl. header */
	size_t rsp_dw, rsp_pos, rsp_cap;
	size_t rsp_limit;

	bool busy, error, dor, int_status;
	uint32_t ctrl;		/* Interrupt Enable as last written */
	uint32_t polls_left;	/* READY_AFTER_POLLS countdown */

	struct emu_fault fault;
	uint32_t fault_left;	/* remaining exchanges when fault.count != 0 */
	struct emu_mb_stats stats;
};

struct emu_mb *emu_mb_new(struct doe_ctx *ctx, uint16_t off, uint8_t cap_version, bool irq)
{
	struct emu_mb *mb = calloc(1, sizeof(*mb));

	if (!mb)
		return NULL;
	mb->ctx = ctx;
	mb->off = off;
	mb->cap_version = cap_version;
	mb->irq = irq;
	mb->rsp_limit = DOE_MAX_PAYLOAD;
	mb->protos[0] = (struct emu_proto){ DOE_VENDOR_PCISIG, DOE_TYPE_DISCOVERY, NULL, NULL };
	mb->nprotos = 1;
	return mb;
}

void emu_mb_free(struct emu_mb *mb)
{
	if (!mb)
		return;
	free(mb->req);
	free(mb->rsp);
	free(mb->scratch);
	free(mb);
}

uint16_t emu_mb_offset(const struct emu_mb *mb)
{
	return mb->off;
}

int emu_mb_add_protocol(struct emu_mb *mb, uint16_t vid, uint8_t type, emu_doe_handler handler,
			void *priv)
{
	for (size_t i = 0; i < mb->nprotos; i++) {
		if (mb->protos[i].vid == vid && mb->protos[i].type == type) {
			mb->protos[i].handler = handler;	/* replace */
			mb->protos[i].priv = priv;
			return 0;
		}
	}
	if (mb->nprotos == EMU_MAX_PROTOCOLS)
		return -ENOSPC;
	mb->protos[mb->nprotos++] = (struct emu_proto){ vid, type, handler, priv };
	return 0;
}

void emu_mb_set_fault(struct emu_mb *mb, const struct emu_fault *fault)
{
	mb->fault = *fault;
	mb->fault_left = fault->count;
}

void emu_mb_clear_fault(struct emu_mb *mb)
{
	memset(&mb->fault, 0, sizeof(mb->fault));
	mb->fault_left = 0;
}

void emu_mb_set_rsp_limit(struct emu_mb *mb, size_t max)
{
	if (max > DOE_MAX_PAYLOAD)
		max = DOE_MAX_PAYLOAD;
	if (max != mb->rsp_limit) {
		free(mb->scratch);
		mb->scratch = NULL;
	}
	mb->rsp_limit = max;
}

void emu_mb_stats(const struct emu_mb *mb, struct emu_mb_stats *st)
{
	*st = mb->stats;
}

static bool abort_ignored(const struct emu_mb *mb)
{
	return mb->fault.abort_ignored || mb->fault.kind == EMU_FAULT_ABORT_IGNORED;
}

static void reset_request(struct emu_mb *mb)
{
	mb->req_dw = 0;
	mb->req_overflow = false;
}

static void raise_irq(struct emu_mb *mb)
{
	if (mb->irq && (mb->ctrl & DOE_CTRL_INT_EN))
		mb->int_status = true;
}

static void do_abort(struct emu_mb *mb)
{
	mb->stats.aborts++;
	if (abort_ignored(mb))
		return;
	reset_request(mb);
	mb->rsp_dw = mb->rsp_pos = 0;
	mb->busy = mb->error = mb->dor = false;
	mb->polls_left = 0;
}

void emu_mb_reset(struct emu_mb *mb)
{
	/* a reset is not an Abort: it works even on a mailbox that ignores Abort */
	mb->stats.resets++;
	reset_request(mb);
	mb->rsp_dw = mb->rsp_pos = 0;
	mb->busy = mb->error = mb->dor = mb->int_status = false;
	mb->polls_left = 0;
	mb->ctrl = 0;
}

/* The built-in Discovery responder: entry "index" of the protocol list. */
static int discovery(struct emu_mb *mb, const uint8_t *req, size_t req_len, uint8_t *rsp,
		     size_t *rsp_len)
{
	struct doe_rd r;
	uint8_t index;
	size_t next;

	doe_rd_init(&r, req, req_len);
	if (doe_rd_u8(&r, &index) || index >= mb->nprotos)
		return -EINVAL;
	next = (size_t)index + 1 < mb->nprotos ? (size_t)index + 1 : 0;
	rsp[0] = (uint8_t)mb->protos[index].vid;
	rsp[1] = (uint8_t)(mb->protos[index].vid >> 8);
	rsp[2] = mb->protos[index].type;
	rsp[3] = (uint8_t)next;
	*rsp_len = 4;
	return 0;
}

static int ensure_buffers(struct emu_mb *mb)
{
	size_t need = mb->rsp_limit / 4 + 3;

	if (!mb->scratch) {
		mb->scratch = malloc(mb->rsp_limit ? mb->rsp_limit : 4);
		if (!mb->scratch)
			return -ENOMEM;
	}
	if (mb->rsp_cap < need) {
		uint32_t *p = realloc(mb->rsp, need * sizeof(uint32_t));

		if (!p)
			return -ENOMEM;
		mb->rsp = p;
		mb->rsp_cap = need;
	}
	return 0;
}

/* Runs the handler for a complete request; returns <0 to set Error. */
static int run_request(struct emu_mb *mb, uint16_t *vid, uint8_t *type, size_t *out_len)
{
	uint32_t hdr1 = mb->req[0], len = DOE_HDR2_LENGTH(mb->req[1]);
	const struct emu_proto *p = NULL;
	size_t req_len;
	int rc;

	if (len == 0)
		len = DOE_MAX_OBJECT_DW;
	if (len != mb->req_dw)
		return -EBADMSG;	/* Length field disagrees with what was written */
	*vid = DOE_HDR1_VID(hdr1);
	*type = DOE_HDR1_TYPE(hdr1);
	for (size_t i = 0; i < mb->nprotos; i++)
		if (mb->protos[i].vid == *vid && mb->protos[i].type == *type)
			p = &mb->protos[i];
	if (!p)
		return -EPROTONOSUPPORT;
	rc = ensure_buffers(mb);
	if (rc)
		return rc;
	req_len = (mb->req_dw - 2) * 4;
	/* the request DWs are host-order values; hand the handler LE bytes */
	for (size_t i = 0; i < mb->req_dw - 2; i++)
		doe_put_le32((uint8_t *)&mb->req[i + 2], mb->req[i + 2]);
	*out_len = 0;
	if (p->vid == DOE_VENDOR_PCISIG && p->type == DOE_TYPE_DISCOVERY && !p->handler)
		return discovery(mb, (const uint8_t *)&mb->req[2], req_len, mb->scratch, out_len);
	if (!p->handler)
		return -ENOSYS;
	rc = p->handler(p->priv, (const uint8_t *)&mb->req[2], req_len, mb->scratch,
			mb->rsp_limit, out_len);
	if (rc < 0 || rc == EMU_DOE_NO_RESPONSE)
		return rc;
	if (*out_len > mb->rsp_limit)
		return -EOVERFLOW;
	return 0;
}

bool emu_mb_has_protocol(const struct emu_mb *mb, uint16_t vid, uint8_t type)
{
	for (size_t i = 0; i < mb->nprotos; i++)
		if (mb->protos[i].vid == vid && mb->protos[i].type == type)
			return true;
	return false;
}

static bool fault_active(struct emu_mb *mb)
{
	if (mb->fault.kind == EMU_FAULT_NONE)
		return false;
	if (mb->fault.count) {
		if (!mb->fault_left)
			return false;
		mb->fault_left--;
	}
	return true;
}

static uint32_t fault_value(const struct emu_mb *mb, uint32_t dflt)
{
	return mb->fault.value ? mb->fault.value : dflt;
}

/* Go: PCIe §6.30.2. The request is consumed whatever happens. */
static void do_go(struct emu_mb *mb)
{
	enum emu_fault_kind kind;
	size_t out_len = 0, dw;
	uint16_t vid = 0;
	uint8_t type = 0;
	uint32_t len;
	int rc;

	if (mb->busy || mb->dor)
		return;		/* Go while busy or holding a response is ignored */
	if (mb->req_dw < 2 || mb->req_overflow) {
		reset_request(mb);
		mb->error = true;
		raise_irq(mb);
		return;
	}
	mb->stats.requests++;
	kind = fault_active(mb) ? mb->fault.kind : EMU_FAULT_NONE;
	rc = run_request(mb, &vid, &type, &out_len);
	reset_request(mb);
	if (rc < 0 || kind == EMU_FAULT_ERROR) {
		mb->error = true;
		raise_irq(mb);
		return;
	}
	if (rc == EMU_DOE_NO_RESPONSE)
		kind = EMU_FAULT_NEVER_READY;	/* the handler chose not to answer */
	switch (kind) {
	case EMU_FAULT_NEVER_READY:
		mb->busy = true;
		return;
	case EMU_FAULT_DROP_RESPONSE:
		return;
	default:
		break;
	}
	dw = (out_len + 3) / 4;
	len = (uint32_t)(dw + 2);
	mb->rsp[0] = DOE_HDR1(vid, type);
	if (kind == EMU_FAULT_WRONG_PROTOCOL)
		mb->rsp[0] = DOE_HDR1(vid ^ 0x0100u, (uint8_t)(type + 1));
	if (kind == EMU_FAULT_LEN_GARBAGE)
		len = fault_value(mb, 1);
	else if (kind == EMU_FAULT_LEN_TOO_LARGE)
		len += fault_value(mb, 4);
	else if (kind == EMU_FAULT_LEN_TOO_SMALL)
		len = fault_value(mb, 1) + 2 > len ? 2 : len - fault_value(mb, 1);
	mb->rsp[1] = len == DOE_MAX_OBJECT_DW ? 0 : len & 0x3FFFFu;
	for (size_t i = 0; i < dw; i++) {
		uint8_t b[4] = { 0 };
		size_t n = out_len - i * 4 < 4 ? out_len - i * 4 : 4;

		memcpy(b, mb->scratch + i * 4, n);
		mb->rsp[2 + i] = doe_get_le32(b);
	}
	mb->rsp_dw = dw + 2;
	mb->rsp_pos = 0;
	if (kind == EMU_FAULT_READY_AFTER_POLLS) {
		mb->busy = true;
		mb->polls_left = fault_value(mb, 3);
		return;
	}
	mb->dor = true;
	raise_irq(mb);
}

static void append_request(struct emu_mb *mb, uint32_t val)
{
	if (mb->busy || mb->dor || mb->req_overflow)
		return;
	if (mb->req_dw == DOE_MAX_OBJECT_DW) {
		mb->req_overflow = true;
		return;
	}
	if (mb->req_dw == mb->req_cap) {
		size_t cap = mb->req_cap ? mb->req_cap * 2 : 64;
		uint32_t *p;

		if (cap > DOE_MAX_OBJECT_DW)
			cap = DOE_MAX_OBJECT_DW;
		p = realloc(mb->req, cap * sizeof(uint32_t));
		if (!p) {
			mb->req_overflow = true;
			return;
		}
		mb->req = p;
		mb->req_cap = cap;
	}
	mb->req[mb->req_dw++] = val;
}

uint32_t emu_mb_reg_read(struct emu_mb *mb, uint16_t reg)
{
	uint32_t st = 0;

	switch (reg) {
	case DOE_REG_CAP:
		return mb->irq ? DOE_CAP_INT_SUPPORT : 0;
	case DOE_REG_CTRL:
		return mb->ctrl & DOE_CTRL_INT_EN;	/* Abort and Go read as 0 */
	case DOE_REG_STATUS:
		mb->stats.status_reads++;
		if (mb->polls_left && --mb->polls_left == 0) {
			mb->busy = false;
			mb->dor = true;
			raise_irq(mb);
		}
		if (mb->busy || mb->fault.kind == EMU_FAULT_STUCK_BUSY)
			st |= DOE_STATUS_BUSY;
		if (mb->int_status)
			st |= DOE_STATUS_INT_STATUS;
		if (mb->error)
			st |= DOE_STATUS_ERROR;
		if (mb->dor)
			st |= DOE_STATUS_DATA_OBJECT_READY;
		return st;
	case DOE_REG_WRITE:
		return 0;
	case DOE_REG_READ:
		return mb->dor && mb->rsp_pos < mb->rsp_dw ? mb->rsp[mb->rsp_pos] : 0;
	}
	return 0;
}

void emu_mb_reg_write(struct emu_mb *mb, uint16_t reg, uint32_t val)
{
	switch (reg) {
	case DOE_REG_CTRL:
		mb->ctrl = val & DOE_CTRL_INT_EN;
		if (val & DOE_CTRL_ABORT) {
			do_abort(mb);
			return;	/* Abort wins over Go written together */
		}
		if (val & DOE_CTRL_GO)
			do_go(mb);
		return;
	case DOE_REG_STATUS:
		if (val & DOE_STATUS_INT_STATUS)
			mb->int_status = false;	/* RW1C */
		return;
	case DOE_REG_WRITE:
		append_request(mb, val);
		return;
	case DOE_REG_READ:
		/* any write pops one DW; the last pop clears Data Object Ready */
		if (mb->dor && ++mb->rsp_pos >= mb->rsp_dw) {
			mb->dor = false;
			mb->rsp_dw = mb->rsp_pos = 0;
		}
		return;
	}
}
