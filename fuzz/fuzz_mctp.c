// SPDX-License-Identifier: MIT
/*
 * MCTP on any bytes: the message codec (what decodes must re-encode to the
 * same bytes), the "mctp:[NET,]EID" parser, and the AF_MCTP carrier's
 * receive path with the input as what the scripted kernel delivers
 * (tests/mctp_double.h). The input is a series of records
 *
 *   kind u8, eid u8, net u8, type u8, tag u8, len u16 (LE), body[len]
 *
 * each one poll()/recvfrom() event (kind % 7: datagram, empty message, poll
 * timeout, EINTR on poll, EINTR on recvfrom, EAGAIN, ENOMEM). The carrier
 * asks mctp:1,8 for SPDM; whatever it accepts must be a response from EID 8
 * on network 1 of type 0x05 (abort otherwise), and it never reads past the
 * input.
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/mctp.h>
#include "mctp_double.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EV 16

static void fuzz_codec(const uint8_t *data, size_t size)
{
	static uint8_t out[MCTP_MSG_MAX + 1];
	const uint8_t *body;
	size_t blen, olen;
	uint8_t type;

	if (mctp_msg_decode(NULL, data, size, &type, &body, &blen))
		return;
	if (body != data + 1 || blen != size - 1)
		abort();
	if (mctp_msg_encode(NULL, type, body, blen, out, sizeof(out), &olen) ||
	    olen != size || memcmp(out, data, size))
		abort();
}

static void fuzz_addr(const uint8_t *data, size_t size)
{
	char spec[40];
	struct mctp_addr a;
	size_t n = size < sizeof(spec) - 6 ? size : sizeof(spec) - 6;

	memcpy(spec, "mctp:", 5);
	memcpy(spec + 5, data, n);
	spec[5 + n] = '\0';
	if (mctp_addr_parse(NULL, spec, &a) == 0 && (a.eid == 0 || a.eid == 0xFF))
		abort();
}

static void fuzz_recv(const uint8_t *data, size_t size)
{
	static const enum mctp_ev_kind kinds[] = { EV_DGRAM, EV_EMPTY, EV_POLL_TIMEOUT,
						   EV_POLL_EINTR, EV_RECV_EINTR, EV_RECV_EAGAIN,
						   EV_RECV_ERR };
	struct mctp_ev ev[MAX_EV];
	struct mctp_double d = { .ev = ev };
	struct mctp_addr a = { 1, 8 };
	struct mctp_chan *c;
	static uint8_t rsp[MCTP_MSG_MAX];
	size_t off = 0, len;
	int rc;

	while (d.nev < MAX_EV && size - off >= 7) {
		struct mctp_ev *e = &ev[d.nev++];
		size_t blen = (size_t)data[off + 5] | (size_t)data[off + 6] << 8;

		*e = (struct mctp_ev){ .kind = kinds[data[off] % 7], .eid = data[off + 1],
				       .net = data[off + 2], .type = data[off + 3],
				       .tag = data[off + 4], .err = ENOMEM };
		off += 7;
		if (blen > size - off)
			blen = size - off;
		e->body = data + off;
		e->len = blen;
		off += blen;
	}
	if (mctp_sock_open(NULL, &a, &mctp_double_ops, &d, 1000, &c))
		abort();
	rc = mctp_exchange(c, MCTP_TYPE_SPDM, "\x10\x84\x00\x00", 4, rsp, sizeof(rsp), &len);
	if (rc == 0) {
		/* the accepted answer is the last event consumed */
		const struct mctp_ev *e = &ev[d.next - 1];

		if (e->kind != EV_DGRAM || e->eid != 8 || e->net != 1 ||
		    e->type != MCTP_TYPE_SPDM || (e->tag & MCTP_TAG_OWNER_BIT) || len != e->len ||
		    (len && memcmp(rsp, e->body, len)))
			abort();
	}
	mctp_chan_free(c);
	if (d.closes != d.sockets)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_codec(data, size);
	fuzz_addr(data, size);
	fuzz_recv(data, size);
	return 0;
}
