// SPDX-License-Identifier: MIT
/*
 * The device end of IDE_KM (PCIe r6 §6.33.3): a model of a device's ports,
 * their IDE registers (the caller's) and per stream, sub-stream, direction
 * and key set a key slot, answering QUERY, KEY_PROG, K_SET_GO and
 * K_SET_STOP. It is reached only through a responder session's vendor
 * handler, so nothing here is ever answered in the clear. Fault knobs
 * make it answer wrongly in the ways a requester must catch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <doekit/cursor.h>
#include <doekit/idekm.h>
#include "internal.h"
#include "../spdm/msg.h"

int idekm_dev_init(struct idekm_dev *d, struct doe_ctx *ctx,
		   const struct idekm_dev_port_cfg *ports, unsigned nports)
{
	memset(d, 0, sizeof(*d));
	d->ctx = ctx;
	if (!nports || nports > IDEKM_DEV_MAX_PORTS)
		return doe_err(ctx, -EINVAL, "IDE_KM device: %u ports (1..%u)", nports,
			       IDEKM_DEV_MAX_PORTS);
	for (unsigned i = 0; i < nports; i++) {
		if (ports[i].regs_len > IDEKM_REGS_MAX || ports[i].regs_len % 4)
			return doe_err(ctx, -EINVAL, "IDE_KM device: port %u has %zu bytes of registers",
				       i, ports[i].regs_len);
		d->port[i] = ports[i];
	}
	d->nports = (uint8_t)nports;
	d->max_port_index = (uint8_t)(nports - 1);
	for (unsigned p = 0; p < IDEKM_DEV_MAX_PORTS; p++)
		for (unsigned i = 0; i < IDEKM_DEV_MAX_STREAMS; i++)
			memset(d->streams[p][i].active, -1, sizeof(d->streams[p][i].active));
	return 0;
}

void idekm_dev_fini(struct idekm_dev *d)
{
	OPENSSL_cleanse(d->streams, sizeof(d->streams));
}

static struct idekm_dev_stream *find_stream(struct idekm_dev *d, uint8_t port, uint8_t id,
					    bool create)
{
	struct idekm_dev_stream *free_slot = NULL;

	for (unsigned i = 0; i < IDEKM_DEV_MAX_STREAMS; i++) {
		struct idekm_dev_stream *st = &d->streams[port][i];

		if (st->used && st->stream_id == id)
			return st;
		if (!st->used && !free_slot)
			free_slot = st;
	}
	if (!create || !free_slot)
		return NULL;
	free_slot->used = true;
	free_slot->stream_id = id;
	return free_slot;
}

static int answer(struct idekm_dev *d, struct idekm_msg *m, uint8_t *rsp, size_t cap,
		  size_t *rsp_len)
{
	int rc = idekm_encode(d->ctx, m, rsp, cap, rsp_len);

	idekm_msg_wipe(m);
	return rc;
}

static int spdm_error(uint8_t version, uint8_t code, uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	struct doe_wr w;

	doe_wr_init(&w, rsp, cap);
	TRY(spdm_enc_error(&w, version, code, 0, NULL, 0));
	*rsp_len = doe_wr_len(&w);
	return 0;
}

/* The echo of an acknowledgement, bent by the fault knobs. */
static void echo(struct idekm_dev *d, const struct idekm_msg *req, struct idekm_msg *ack,
		 uint8_t object)
{
	*ack = (struct idekm_msg){ .object = object, .spdm_version = req->spdm_version,
				   .stream_id = req->stream_id, .port_index = req->port_index,
				   .keyset = req->keyset, .dir = req->dir,
				   .substream = req->substream };
	if (d->faults.wrong_stream)
		ack->stream_id++;
	ack->keyset ^= d->faults.ksd_xor & 1u;
	ack->dir ^= (d->faults.ksd_xor >> 1) & 1u;
	ack->substream ^= d->faults.ksd_xor >> 4;
	if (d->faults.wrong_object)
		ack->object = object == IDEKM_KP_ACK ? IDEKM_K_GOSTOP_ACK : IDEKM_KP_ACK;
	if (d->faults.wrong_port)
		ack->port_index++;
}

static void changed(struct idekm_dev *d, uint8_t port, uint8_t stream_id)
{
	if (d->changed)
		d->changed(d->changed_priv, port, stream_id);
}

/* One debug line per request (DOE_DEBUG=1 on the tool): what was asked
 * and how it was answered, never a key. */
static void note(struct idekm_dev *d, const struct idekm_msg *m, const char *fmt, ...)
	DOE_PRINTF(3, 4);
static void note(struct idekm_dev *d, const struct idekm_msg *m, const char *fmt, ...)
{
	char res[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res, sizeof(res), fmt, ap);
	va_end(ap);
	if (m->object == IDEKM_QUERY)
		doe_dbg(d->ctx, "IDE_KM QUERY port %u: %s", m->port_index, res);
	else
		doe_dbg(d->ctx, "IDE_KM %s port %u stream %u K%u %s %s: %s",
			idekm_object_name(m->object), m->port_index, m->stream_id, m->keyset,
			idekm_dir_name(m->dir), idekm_substream_name(m->substream), res);
}

static int on_query(struct idekm_dev *d, const struct idekm_msg *q, uint8_t *rsp, size_t cap,
		    size_t *rsp_len)
{
	const struct idekm_dev_port_cfg *p;
	struct idekm_msg r;

	if (q->port_index > d->max_port_index) {
		note(d, q, "ERROR InvalidRequest (MaxPortIndex %u)", d->max_port_index);
		return spdm_error(q->spdm_version, SPDM_ERR_INVALID_REQUEST, rsp, cap, rsp_len);
	}
	p = &d->port[q->port_index];
	note(d, q, "ok (%02x:%02x.%x)", p->bus, p->dev_func >> 3, p->dev_func & 7u);
	r = (struct idekm_msg){ .object = IDEKM_QUERY_RESP, .spdm_version = q->spdm_version,
				.port_index = q->port_index, .dev_func = p->dev_func, .bus = p->bus,
				.segment = p->segment, .max_port_index = d->max_port_index,
				.regs = p->regs, .regs_len = p->regs_len };
	if (d->faults.wrong_port)
		r.port_index++;
	return answer(d, &r, rsp, cap, rsp_len);
}

/* KEY_PROG: what can be echoed is answered with a KP_ACK status. */
static int on_key_prog(struct idekm_dev *d, uint8_t version, const uint8_t *obj, size_t len,
		       uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	struct idekm_msg req = { .spdm_version = version }, ack;
	struct idekm_dev_stream *st;
	struct idekm_slot *slot;
	uint8_t ksd = 0, status = IDEKM_KP_SUCCESS;
	struct doe_rd r;

	/* the echo fields sit in the first 7 bytes; without them no KP_ACK */
	doe_rd_init(&r, obj, len);
	doe_rd_skip(&r, 3);
	doe_rd_u8(&r, &req.stream_id);
	doe_rd_skip(&r, 1);
	doe_rd_u8(&r, &ksd);
	doe_rd_u8(&r, &req.port_index);
	if (!doe_rd_ok(&r))
		return spdm_error(version, SPDM_ERR_INVALID_REQUEST, rsp, cap, rsp_len);
	req.keyset = ksd & 1u;
	req.dir = (ksd >> 1) & 1u;
	req.substream = ksd >> 4;
	if (len != IDEKM_KEY_PROG_SIZE)
		status = IDEKM_KP_INCORRECT_LENGTH;
	else if (req.port_index > d->max_port_index)
		status = IDEKM_KP_UNSUPPORTED_PORT;
	else if (idekm_ksd_parse(ksd, &req.keyset, &req.dir, &req.substream))
		status = IDEKM_KP_UNSUPPORTED_VALUE;
	else if (d->faults.kp_status)
		status = d->faults.kp_status;
	st = status ? NULL : find_stream(d, req.port_index, req.stream_id, true);
	if (!status && !st)
		status = IDEKM_KP_UNSPECIFIED;	/* no free stream slot */
	if (!status) {
		slot = &st->slot[req.substream][req.dir][req.keyset];
		doe_rd_bytes(&r, slot->key, IDEKM_KEY_SIZE);
		doe_rd_bytes(&r, slot->ifv, IDEKM_IFV_SIZE);
		slot->programmed = true;
	}
	req.object = IDEKM_KEY_PROG;
	if (status)
		note(d, &req, "KP_ACK status %u (%s)", status, idekm_status_name(status));
	else
		note(d, &req, "ok");
	echo(d, &req, &ack, IDEKM_KP_ACK);
	ack.status = status;
	/* the ack's own fields must encode: a sub-stream we refused is echoed as is */
	ack.substream &= 0xFu;
	if (!status)
		changed(d, req.port_index, req.stream_id);
	return answer(d, &ack, rsp, cap, rsp_len);
}

static int on_key_set(struct idekm_dev *d, const struct idekm_msg *req, uint8_t *rsp, size_t cap,
		      size_t *rsp_len)
{
	bool go = req->object == IDEKM_K_SET_GO;
	struct idekm_dev_stream *st = NULL;
	struct idekm_slot *slot;
	struct idekm_msg ack;

	if (go && d->faults.drop_go) {
		note(d, req, "dropped (fault knob)");
		return -ETIMEDOUT;
	}
	if (go && d->faults.error_go) {
		note(d, req, "ERROR Unspecified (fault knob)");
		return spdm_error(req->spdm_version, SPDM_ERR_UNSPECIFIED, rsp, cap, rsp_len);
	}
	if (req->port_index <= d->max_port_index)
		st = find_stream(d, req->port_index, req->stream_id, false);
	slot = st ? &st->slot[req->substream][req->dir][req->keyset] : NULL;
	/* a key set that was never programmed cannot go (nor be stopped) */
	if (!slot || !slot->programmed) {
		note(d, req, "ERROR InvalidRequest (%s)",
		     req->port_index > d->max_port_index ? "no such port" : "key set never programmed");
		return spdm_error(req->spdm_version, SPDM_ERR_INVALID_REQUEST, rsp, cap, rsp_len);
	}
	note(d, req, "ok");
	if (go) {
		st->active[req->substream][req->dir] = (int8_t)req->keyset;
	} else {
		/* retired: the key is gone, and the stream stops if it was live */
		OPENSSL_cleanse(slot, sizeof(*slot));
		if (st->active[req->substream][req->dir] == req->keyset)
			st->active[req->substream][req->dir] = -1;
	}
	changed(d, req->port_index, req->stream_id);
	echo(d, req, &ack, IDEKM_K_GOSTOP_ACK);
	return answer(d, &ack, rsp, cap, rsp_len);
}

/* A KEY_PROG under a valid PCI-SIG IDE_KM header: its object, whatever
 * its length, so that a wrong length is answered with a KP_ACK. */
static bool key_prog_object(const uint8_t *req, size_t len, const uint8_t **obj, size_t *olen)
{
	uint8_t code, vlen, proto, object;
	uint16_t std, vendor, plen;
	struct doe_rd r;

	doe_rd_init(&r, req, len);
	doe_rd_skip(&r, 1);
	doe_rd_u8(&r, &code);
	doe_rd_skip(&r, 2);
	doe_rd_le16(&r, &std);
	doe_rd_u8(&r, &vlen);
	doe_rd_le16(&r, &vendor);
	doe_rd_le16(&r, &plen);
	doe_rd_u8(&r, &proto);
	*obj = doe_rd_take(&r, 0);	/* where the object starts (a reader over NULL too) */
	*olen = doe_rd_left(&r);
	doe_rd_u8(&r, &object);
	return doe_rd_ok(&r) && code == IDEKM_SPDM_VENDOR_REQUEST &&
	       std == IDEKM_STANDARD_ID_PCISIG && vlen == 2 && vendor == IDEKM_VENDOR_ID_PCISIG &&
	       plen == *olen + 1 && proto == IDEKM_PROTOCOL_ID && object == IDEKM_KEY_PROG;
}

int idekm_dev_handle(void *priv, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
		     size_t *rsp_len)
{
	struct idekm_dev *d = priv;
	uint8_t version = 0x10;
	const uint8_t *obj;
	struct idekm_msg m;
	struct doe_rd r;
	size_t olen;
	int rc;

	*rsp_len = 0;
	d->requests++;
	doe_rd_init(&r, req, len);
	doe_rd_u8(&r, &version);	/* answers go in the request's version */
	if (!version)
		version = 0x10;
	if (key_prog_object(req, len, &obj, &olen))
		return on_key_prog(d, version, obj, olen, rsp, cap, rsp_len);
	rc = idekm_decode(d->ctx, true, req, len, &m);
	if (rc) {
		/* another PCI-SIG protocol (-EPROTONOSUPPORT; TDISP is 1) is
		 * not served here; the session goes on either way */
		uint8_t code = rc == -EPROTONOSUPPORT ? SPDM_ERR_UNSUPPORTED_REQUEST
						       : SPDM_ERR_INVALID_REQUEST;
		char why[160];

		doe_ctx_errmsg_copy(d->ctx, why, sizeof(why));
		doe_dbg(d->ctx, "%s: ERROR %s", why, spdm_error_name(code));
		return spdm_error(version, code, rsp, cap, rsp_len);
	}
	switch (m.object) {
	case IDEKM_QUERY:
		return on_query(d, &m, rsp, cap, rsp_len);
	case IDEKM_K_SET_GO:
	case IDEKM_K_SET_STOP:
		return on_key_set(d, &m, rsp, cap, rsp_len);
	}
	/* idekm_decode() lets only requests through; KEY_PROG went above */
	idekm_msg_wipe(&m);
	return spdm_error(version, SPDM_ERR_INVALID_REQUEST, rsp, cap, rsp_len);
}

static const struct idekm_dev_stream *cfind(const struct idekm_dev *d, uint8_t port, uint8_t id)
{
	if (port >= IDEKM_DEV_MAX_PORTS)
		return NULL;
	for (unsigned i = 0; i < IDEKM_DEV_MAX_STREAMS; i++)
		if (d->streams[port][i].used && d->streams[port][i].stream_id == id)
			return &d->streams[port][i];
	return NULL;
}

int idekm_dev_key(const struct idekm_dev *d, uint8_t port_index, uint8_t stream_id,
		  uint8_t substream, uint8_t dir, uint8_t keyset, uint8_t key[IDEKM_KEY_SIZE],
		  uint8_t ifv[IDEKM_IFV_SIZE])
{
	const struct idekm_dev_stream *st = cfind(d, port_index, stream_id);
	const struct idekm_slot *slot;

	if (!st || substream > IDEKM_CPL || dir > 1 || keyset > 1)
		return -ENOENT;
	slot = &st->slot[substream][dir][keyset];
	if (!slot->programmed)
		return -ENOENT;
	memcpy(key, slot->key, IDEKM_KEY_SIZE);
	memcpy(ifv, slot->ifv, IDEKM_IFV_SIZE);
	return 0;
}

int idekm_dev_active(const struct idekm_dev *d, uint8_t port_index, uint8_t stream_id,
		     uint8_t substream, uint8_t dir)
{
	const struct idekm_dev_stream *st = cfind(d, port_index, stream_id);

	if (!st || substream > IDEKM_CPL || dir > 1 || st->active[substream][dir] < 0)
		return -ENOENT;
	return st->active[substream][dir];
}
