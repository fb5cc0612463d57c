// SPDX-License-Identifier: MIT
/*
 * SPDM message codec (src/spdm/msg.c): every message is parsed whole,
 * then one byte short at every length down to nothing, then with a
 * trailing byte; length fields larger than the message are rejected and
 * the message names the field (DSP0274 1.3 §10; libspdm spdm.h layouts).
 */
#include <errno.h>
#include <doekit/ctx.h>
#include "msg.h"
#include "t.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct doe_ctx *ctx;

struct msgcase {
	const char *name;
	uint8_t buf[512];
	size_t len;
	struct spdm_neg neg;
	int (*parse)(const struct msgcase *c, const uint8_t *p, size_t len);
	uint8_t hash_type;	/* CHALLENGE_AUTH */
	bool signed_;		/* MEASUREMENTS */
};

/* parser adapters: one signature for the table */
#define ADAPT(fn, type)                                                                   \
	static int p_##fn(const struct msgcase *c, const uint8_t *p, size_t len)          \
	{                                                                                 \
		type out;                                                                 \
		return spdm_parse_##fn(ctx, &c->neg, p, len, &out);                       \
	}
ADAPT(version, struct spdm_version_rsp)
ADAPT(capabilities, struct spdm_caps)
ADAPT(get_capabilities, struct spdm_caps)
ADAPT(algorithms, struct spdm_algs)
ADAPT(negotiate_algorithms, struct spdm_algs)
ADAPT(digests, struct spdm_digests)
ADAPT(get_certificate, struct spdm_get_cert)
ADAPT(certificate, struct spdm_cert_rsp)
ADAPT(challenge, struct spdm_challenge)
ADAPT(get_measurements, struct spdm_get_meas)
ADAPT(error, struct spdm_error)

static int p_challenge_auth(const struct msgcase *c, const uint8_t *p, size_t len)
{
	struct spdm_challenge_auth a;

	return spdm_parse_challenge_auth(ctx, &c->neg, c->hash_type, p, len, &a);
}

static int p_measurements(const struct msgcase *c, const uint8_t *p, size_t len)
{
	struct spdm_meas_rsp m;

	return spdm_parse_measurements(ctx, &c->neg, c->signed_, p, len, &m);
}

static int p_respond_if_ready(const struct msgcase *c, const uint8_t *p, size_t len)
{
	uint8_t code, token;

	return spdm_parse_respond_if_ready(ctx, &c->neg, p, len, &code, &token);
}

static int p_get_version(const struct msgcase *c, const uint8_t *p, size_t len)
{
	return spdm_parse_get_version(ctx, &c->neg, p, len);
}

static int p_get_digests(const struct msgcase *c, const uint8_t *p, size_t len)
{
	return spdm_parse_get_digests(ctx, &c->neg, p, len);
}

static const struct spdm_neg N12 = { .version = SPDM_V12, .hash_size = 48, .sig_size = 96, .align = 1 };
static const struct spdm_neg N13 = { .version = SPDM_V13, .hash_size = 32, .sig_size = 64, .align = 1 };
static const struct spdm_neg N10 = { .version = SPDM_V10, .hash_size = 32, .sig_size = 256, .align = 1 };

static struct msgcase cases[32];
static size_t ncases;

static struct msgcase *add(const char *name, struct spdm_neg n,
			   int (*parse)(const struct msgcase *, const uint8_t *, size_t),
			   struct doe_wr *w)
{
	struct msgcase *c = &cases[ncases++];

	c->name = name;
	c->neg = n;
	c->parse = parse;
	doe_wr_init(w, c->buf, sizeof(c->buf));
	return c;
}

static void block(struct doe_wr *w, uint8_t index, uint8_t type, size_t vs)
{
	doe_wr_u8(w, index);
	doe_wr_u8(w, 0x01);
	doe_wr_le16(w, (uint16_t)(3 + vs));
	doe_wr_u8(w, type);
	doe_wr_le16(w, (uint16_t)vs);
	doe_wr_zero(w, vs);
}

static void build_cases(void)
{
	static const uint8_t vers[] = { 0x10, 0x11, 0x12, 0x13 };
	struct spdm_caps caps = { .ct_exponent = 12, .flags = 0x16, .data_transfer_size = 4096,
				  .max_msg_size = 8192 };
	struct spdm_algs algs = { .meas_spec = 1, .other_params = 2, .asym = 0x90, .hash = 0x3,
				  .nstructs = 4,
				  .structs = { { 2, 0x18 }, { 3, 0x3 }, { 4, 0x90 }, { 5, 1 } } };
	struct spdm_algs sel = { .meas_spec = 1, .other_params = 2, .meas_hash = 4, .asym = 0x80,
				 .hash = 0x2, .nstructs = 4,
				 .structs = { { 2, 0x10 }, { 3, 0x2 }, { 4, 0 }, { 5, 1 } } };
	struct spdm_get_cert gc = { .slot = 1, .offset = 100, .length = 1000 };
	struct spdm_challenge ch = { .slot = 0, .hash_type = 0xFF };
	struct spdm_get_meas gm = { .attributes = 1, .operation = 0xFF, .slot = 0 };
	uint8_t ext[4] = { 3, SPDM_CHALLENGE, 7, 1 };
	struct msgcase *c;
	struct doe_wr w;

	c = add("GET_VERSION", N12, p_get_version, &w);
	spdm_enc_get_version(&w);
	c->len = w.off;

	c = add("VERSION", N12, p_version, &w);
	spdm_enc_version(&w, vers, 4);
	c->len = w.off;

	c = add("GET_CAPABILITIES 1.2", N12, p_get_capabilities, &w);
	spdm_enc_get_capabilities(&w, SPDM_V12, &caps);
	c->len = w.off;

	c = add("CAPABILITIES 1.0", N10, p_capabilities, &w);
	spdm_enc_capabilities(&w, SPDM_V10, &caps);
	c->len = w.off;

	c = add("CAPABILITIES 1.2", N12, p_capabilities, &w);
	spdm_enc_capabilities(&w, SPDM_V12, &caps);
	c->len = w.off;

	c = add("NEGOTIATE_ALGORITHMS 1.2", N12, p_negotiate_algorithms, &w);
	spdm_enc_negotiate_algorithms(&w, SPDM_V12, &algs);
	c->len = w.off;

	c = add("ALGORITHMS 1.2", N12, p_algorithms, &w);
	spdm_enc_algorithms(&w, SPDM_V12, &sel);
	c->len = w.off;

	c = add("GET_DIGESTS", N13, p_get_digests, &w);
	spdm_enc_get_digests(&w, SPDM_V13);
	c->len = w.off;

	c = add("DIGESTS 1.3", N13, p_digests, &w);
	{
		uint8_t d[64] = { 1 };

		spdm_enc_digests(&w, SPDM_V13, 0x0F, 0x05, d, 64);
	}
	c->len = w.off;

	c = add("GET_CERTIFICATE", N12, p_get_certificate, &w);
	spdm_enc_get_certificate(&w, SPDM_V12, &gc);
	c->len = w.off;

	c = add("CERTIFICATE", N12, p_certificate, &w);
	spdm_enc_certificate_hdr(&w, SPDM_V12, 0, 10, 500);
	doe_wr_zero(&w, 10);
	c->len = w.off;

	c = add("CHALLENGE 1.3", N13, p_challenge, &w);
	spdm_enc_challenge(&w, SPDM_V13, &ch);
	c->len = w.off;

	c = add("CHALLENGE_AUTH 1.3", N13, p_challenge_auth, &w);
	c->hash_type = 0xFF;
	doe_wr_u8(&w, SPDM_V13);
	doe_wr_u8(&w, SPDM_CHALLENGE_AUTH);
	doe_wr_u8(&w, 0);
	doe_wr_u8(&w, 1);
	doe_wr_zero(&w, 32 + 32 + 32);	/* CertChainHash, Nonce, MeasurementSummaryHash */
	doe_wr_le16(&w, 3);
	doe_wr_zero(&w, 3 + 8 + 64);	/* Opaque, RequesterContext, Signature */
	c->len = w.off;

	c = add("GET_MEASUREMENTS 1.3 signed", N13, p_get_measurements, &w);
	spdm_enc_get_measurements(&w, SPDM_V13, &gm);
	c->len = w.off;

	c = add("MEASUREMENTS 1.2 signed", N12, p_measurements, &w);
	c->signed_ = true;
	doe_wr_u8(&w, SPDM_V12);
	doe_wr_u8(&w, SPDM_MEASUREMENTS);
	doe_wr_u8(&w, 0);
	doe_wr_u8(&w, 0);
	doe_wr_u8(&w, 2);
	doe_wr_u8(&w, 2 * (7 + 48));
	doe_wr_u8(&w, 0);
	doe_wr_u8(&w, 0);
	block(&w, 1, 0, 48);
	block(&w, 2, 1, 48);
	doe_wr_zero(&w, 32);	/* Nonce */
	doe_wr_le16(&w, 0);
	doe_wr_zero(&w, 96);	/* Signature */
	c->len = w.off;

	c = add("ERROR ResponseNotReady", N12, p_error, &w);
	spdm_enc_error(&w, SPDM_V12, SPDM_ERR_RESPONSE_NOT_READY, 0, ext, 4);
	c->len = w.off;

	c = add("RESPOND_IF_READY", N12, p_respond_if_ready, &w);
	spdm_enc_respond_if_ready(&w, SPDM_V12, SPDM_CHALLENGE, 7);
	c->len = w.off;
}

static void t_whole_messages_parse(void)
{
	size_t i;

	for (i = 0; i < ncases; i++) {
		const struct msgcase *c = &cases[i];
		int rc = c->parse(c, c->buf, c->len);

		t_case_name = c->name;
		T_EQ(rc, (int)c->len);	/* parsers return the message length */
		if (rc < 0)
			fprintf(stderr, "  %s\n", doe_ctx_errmsg(ctx));
	}
}

static void t_every_message_short(void)
{
	size_t i, n;

	for (i = 0; i < ncases; i++) {
		const struct msgcase *c = &cases[i];

		t_case_name = c->name;
		for (n = 0; n < c->len; n++) {
			int rc = c->parse(c, c->buf, n);

			if (rc != -EBADMSG) {
				T_FAIL_("%s cut to %zu bytes: rc %d, expected -EBADMSG", c->name, n, rc);
				break;
			}
		}
		/* the error names the message that ran short ("ERROR ..." is
		 * named ERROR, "CHALLENGE_AUTH 1.3" CHALLENGE_AUTH) */
		{
			char msg[40];

			snprintf(msg, sizeof(msg), "%.*s:", (int)strcspn(c->name, " "), c->name);
			c->parse(c, c->buf, c->len - 1);
			T_CONTAINS(doe_ctx_errmsg(ctx), msg);
		}
	}
}

static void t_trailing_bytes(void)
{
	size_t i;

	for (i = 0; i < ncases; i++) {
		struct msgcase c = cases[i];
		int rc;

		t_case_name = c.name;
		c.buf[c.len] = 0xA5;
		rc = c.parse(&c, c.buf, c.len + 1);
		if (c.parse == p_error)
			continue;	/* ERROR may carry ExtendedErrorData */
		T_EQ(rc, -EBADMSG);
		if (strstr(c.name, "ALGORITHMS")) {	/* their Length field catches it */
			char want[64];

			snprintf(want, sizeof(want), "Length %zu, message has %zu bytes", c.len,
				 c.len + 1);
			T_CONTAINS(doe_ctx_errmsg(ctx), want);
		} else {
			T_CONTAINS(doe_ctx_errmsg(ctx), "1 trailing bytes");
		}
	}
}

static void t_transport_padding(void)
{
	struct msgcase c = cases[1];	/* VERSION: 14 bytes */

	c.neg.align = 4;
	c.buf[c.len] = 0;
	c.buf[c.len + 1] = 0;
	T_EQ(c.parse(&c, c.buf, c.len + 2), (int)c.len);	/* padding is not the message */
	c.buf[c.len + 1] = 1;
	T_EQ(c.parse(&c, c.buf, c.len + 2), -EBADMSG);	/* not zero: not padding */
	c.neg.align = 1;
	c.buf[c.len + 1] = 0;
	T_EQ(c.parse(&c, c.buf, c.len + 2), -EBADMSG);	/* no padding allowed */
}

/* A field poked into a valid message; the message and field are named. */
static void poke(const char *case_name, size_t off, const uint8_t *bytes, size_t n, int want,
		 const char *msg)
{
	size_t i;

	for (i = 0; i < ncases; i++) {
		struct msgcase c = cases[i];

		if (strcmp(c.name, case_name))
			continue;
		memcpy(c.buf + off, bytes, n);
		t_case_name = msg;
		T_EQ(c.parse(&c, c.buf, c.len), want);
		T_CONTAINS(doe_ctx_errmsg(ctx), msg);
		return;
	}
	T_FAIL_("no case %s", case_name);
}

static void t_length_fields_too_large(void)
{
	static const uint8_t big16[] = { 0xD0, 0x07 }, one[] = { 200 }, rec[] = { 0xFF, 0xFF, 0x00 };
	static const uint8_t len200[] = { 200, 0 }, blk[] = { 0xFF, 0x00 }, ext2[] = { 2 };

	poke("VERSION", 5, one, 1, -EBADMSG, "VERSION: VersionNumberEntryCount 200 needs 400 bytes");
	poke("CERTIFICATE", 4, big16, 2, -EBADMSG, "CERTIFICATE: CertChain (PortionLength) needs 2000 bytes");
	poke("CHALLENGE_AUTH 1.3", 100, big16, 2, -EBADMSG, "CHALLENGE_AUTH: OpaqueDataLength 2000 > 1024");
	poke("MEASUREMENTS 1.2 signed", 5, rec, 3, -EBADMSG,
	     "MEASUREMENTS: MeasurementRecord (MeasurementRecordLength) needs 65535 bytes");
	poke("NEGOTIATE_ALGORITHMS 1.2", 4, len200, 2, -EBADMSG, "NEGOTIATE_ALGORITHMS: Length 200 > 128");
	poke("ALGORITHMS 1.2", 32, ext2, 1, -EBADMSG, "ALGORITHMS: ExtAsymSelCount 2");
	(void)blk;
}

static void t_field_checks(void)
{
	static const uint8_t v11[] = { 0x11 }, two_hash[] = { 0x03 }, dts[] = { 10, 0, 0, 0 };
	static const uint8_t slot9[] = { 9 }, prov[] = { 0x30 }, fixed1[] = { 0x10 };

	poke("CAPABILITIES 1.2", 0, v11, 1, -EPROTO, "CAPABILITIES: SPDMVersion 0x11, expected 0x12");
	poke("ALGORITHMS 1.2", 16, two_hash, 1, -EBADMSG, "ALGORITHMS: more than one bit selected");
	poke("CAPABILITIES 1.2", 12, dts, 4, -EBADMSG, "CAPABILITIES: DataTransferSize 10 < 42");
	poke("GET_CERTIFICATE", 2, slot9, 1, -EBADMSG, "GET_CERTIFICATE: SlotID 9 > 7");
	poke("DIGESTS 1.3", 3, prov, 1, -EBADMSG, "DIGESTS: ProvisionedSlotMask 0x30 not within SupportedSlotMask 0x0f");
	poke("NEGOTIATE_ALGORITHMS 1.2", 33, fixed1, 1, -EBADMSG, "FixedAlgCount 1, expected 2");
}

static void t_measurement_blocks(void)
{
	uint8_t rec[64];
	struct spdm_meas_block b;
	struct doe_wr w;
	size_t off = 0;

	doe_wr_init(&w, rec, sizeof(rec));
	block(&w, 1, 0x81, 5);
	T_EQ(spdm_meas_next(ctx, rec, w.off, &off, &b), 1);
	T_EQ(b.index, 1);
	T_TRUE(b.raw);
	T_EQ(b.type, 1);
	T_EQ(b.value_size, 5);
	T_EQ(spdm_meas_next(ctx, rec, w.off, &off, &b), 0);

	rec[2] = 0x40;	/* MeasurementSize past the end */
	off = 0;
	T_EQ(spdm_meas_next(ctx, rec, w.off, &off, &b), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "measurement block 1: MeasurementSize 64 larger than");
	rec[2] = 8;
	rec[5] = 6;	/* value size disagrees with MeasurementSize */
	off = 0;
	T_EQ(spdm_meas_next(ctx, rec, w.off, &off, &b), -EBADMSG);
	T_CONTAINS(doe_ctx_errmsg(ctx), "DMTFSpecMeasurementValueSize 6");
	for (size_t n = 1; n < w.off; n++) {
		rec[2] = 8;
		rec[5] = 5;
		off = 0;
		if (spdm_meas_next(ctx, rec, n, &off, &b) != -EBADMSG)
			T_FAIL_("block cut to %zu bytes accepted", n);
	}
}

/* DSP0274 1.2 §10.11: Index 0 (count) and 0xFF (all) are operations, never
 * the index of a block in a record; the second block is the bad one so the
 * offset in the message is checked too. */
static void t_measurement_block_index(void)
{
	static const struct {
		const char *name;
		uint8_t index;
		int rc;
		const char *msg;
	} idx_cases[] = {
		{ "index 0", 0x00, -EBADMSG, "measurement block at offset 12: Index 0x00 is not a block index (1-0xFE)" },
		{ "index 0xFF", 0xFF, -EBADMSG, "measurement block at offset 12: Index 0xff is not a block index (1-0xFE)" },
		{ "index 1", 0x01, 1, "" },
		{ "index 0xFE (device mode)", 0xFE, 1, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(idx_cases) / sizeof(idx_cases[0]); i++) {
		struct spdm_meas_block b;
		struct doe_wr w;
		uint8_t rec[64];
		size_t off = 0;

		t_case_name = idx_cases[i].name;
		doe_wr_init(&w, rec, sizeof(rec));
		block(&w, 2, 0x01, 5);
		block(&w, idx_cases[i].index, 0x01, 5);
		doe_ctx_clear_error(ctx);
		T_EQ(spdm_meas_next(ctx, rec, w.off, &off, &b), 1);
		T_EQ(spdm_meas_next(ctx, rec, w.off, &off, &b), idx_cases[i].rc);
		T_CONTAINS(doe_ctx_errmsg(ctx), idx_cases[i].msg);
	}
}

static void t_encoders_bounded(void)
{
	uint8_t small[10];
	struct spdm_caps caps = { 0 };
	struct doe_wr w;

	doe_wr_init(&w, small, sizeof(small));
	T_EQ(spdm_enc_get_capabilities(&w, SPDM_V12, &caps), -EMSGSIZE);	/* needs 20 */
	doe_wr_init(&w, small, sizeof(small));
	T_EQ(spdm_enc_get_capabilities(&w, SPDM_V10, &caps), 0);
	T_EQ(w.off, 4);	/* 1.0 GET_CAPABILITIES is the header alone */
}

int main(void)
{
	if (doe_ctx_new(&ctx))
		return 1;
	build_cases();
	T_RUN(t_whole_messages_parse);
	T_RUN(t_every_message_short);
	T_RUN(t_trailing_bytes);
	T_RUN(t_transport_padding);
	T_RUN(t_length_fields_too_large);
	T_RUN(t_field_checks);
	T_RUN(t_measurement_blocks);
	T_RUN(t_measurement_block_index);
	T_RUN(t_encoders_bounded);
	doe_ctx_free(ctx);
	return T_DONE();
}
