// SPDX-License-Identifier: MIT
/*
 * MCTP framing overhead for a 4 KiB SPDM message (issue 10 §11): what the
 * one MCTP codec and a channel cost on top of moving the bytes, each set
 * against a memcpy of the same 4 KiB measured in the same run.
 *
 *   codec     mctp_msg_encode() + mctp_msg_decode(): the type byte put in
 *             front (one copy of the body) and taken off again (no copy)
 *   channel   mctp_exchange() through a loopback carrier that echoes the
 *             message: encode into the channel's buffer, the carrier's copy,
 *             decode, the answer's copy out (three copies of the body in all,
 *             so 3x memcpy is the floor)
 *
 * Times are medians of RUNS runs (CLOCK_MONOTONIC); the ratio is what
 * carries from machine to machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <doekit/ctx.h>
#include <doekit/mctp.h>

#define RUNS 9
#define MSG 4096u
#define ITERS 20000u

#include "bench.h"

static int loopback(void *priv, const void *req, size_t len, void *rsp, size_t cap,
		    size_t *rsp_len)
{
	(void)priv;
	if (len > cap)
		return -EMSGSIZE;
	bench_copy(rsp, req, len);
	*rsp_len = len;
	return 0;
}

static const struct mctp_chan_ops loopback_ops = { .exchange = loopback };

static uint8_t msg[MSG], out[MSG + 1], back[MSG];

static double time_codec(struct doe_ctx *ctx)
{
	uint64_t t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = doe_now_ns();

		for (unsigned int i = 0; i < ITERS; i++) {
			const uint8_t *body;
			size_t len, blen;
			uint8_t type;

			if (mctp_msg_encode(ctx, MCTP_TYPE_SPDM, msg, MSG, out, sizeof(out), &len) ||
			    mctp_msg_decode(ctx, out, len, &type, &body, &blen) || blen != MSG)
				return -1;
		}
		t[r] = doe_now_ns() - t0;
	}
	return (double)bench_median(t, RUNS) / ITERS;
}

static double time_channel(struct mctp_chan *c)
{
	uint64_t t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = doe_now_ns();

		for (unsigned int i = 0; i < ITERS; i++) {
			size_t len;

			if (mctp_exchange(c, MCTP_TYPE_SPDM, msg, MSG, back, sizeof(back), &len) ||
			    len != MSG)
				return -1;
		}
		t[r] = doe_now_ns() - t0;
	}
	return (double)bench_median(t, RUNS) / ITERS;
}

int main(void)
{
	struct doe_ctx *ctx;
	struct mctp_chan *c;
	double base, codec, chan;

	if (doe_ctx_new(&ctx) || mctp_chan_new(ctx, &loopback_ops, NULL, "loopback", &c))
		return 1;
	for (unsigned int i = 0; i < MSG; i++)
		msg[i] = (uint8_t)(i * 7);
	base = bench_time_memcpy(back, msg, MSG, (size_t)MSG * ITERS);
	codec = time_codec(ctx);
	chan = time_channel(c);
	if (codec < 0 || chan < 0) {
		fprintf(stderr, "doe_bench_mctp: %s\n", doe_ctx_errmsg(ctx));
		return 1;
	}
	printf("doe_bench_mctp: MCTP framing of a %u-byte SPDM message, median of %d runs of %u\n\n",
	       MSG, RUNS, ITERS);
	printf("| path | per message | memcpy of %u B | ratio |\n", MSG);
	printf("|------|------------:|---------------:|------:|\n");
	printf("| codec: encode + decode | %.0f ns | %.0f ns | %.2f |\n", codec, base, codec / base);
	printf("| channel: mctp_exchange, loopback carrier | %.0f ns | %.0f ns | %.2f |\n", chan,
	       base, chan / base);
	mctp_chan_free(c);
	doe_ctx_free(ctx);
	return 0;
}
