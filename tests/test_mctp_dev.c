// SPDX-License-Identifier: MIT
/*
 * The doe tool's MCTP devices (tools/doe/dev.c): which specs open what,
 * and dev_open_mctp() over the socket protocol with MCTP framing against a
 * server whose mctp_handler answers FM-API, the way doe fm will use it.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <doekit/doekit.h>
#include "t.h"
#include "tool.h"

static struct tool tool;

/* FM-API requests get their body back with 0xA5 appended */
static int fm_answer(void *priv, const uint8_t *msg, size_t len, uint8_t *rsp, size_t cap,
		     size_t *rlen)
{
	(void)priv;
	if (len + 1 > cap || msg[0] != MCTP_TYPE_FMAPI)
		return -EPROTO;
	memcpy(rsp, msg, len);
	rsp[len] = 0xA5;
	*rlen = len + 1;
	return 0;
}

struct server {
	struct doe_ctx *ctx;
	struct spdm_sock_listener *l;
	struct spdm_sock_server srv;
	int rc;
	pthread_t th;
};

static void *serve(void *arg)
{
	struct server *s = arg;

	s->rc = spdm_sock_serve(s->l, &s->srv);
	return NULL;
}

static void t_dev_open_mctp_tcp(void)
{
	struct server s = { .srv = { .trans = SPDM_SOCK_TRANS_MCTP, .mctp_handler = fm_answer } };
	struct mctp_chan *ch;
	struct dev d;
	char spec[64];
	uint8_t out[8];
	size_t len;

	T_EQ(doe_ctx_new(&s.ctx), 0);
	T_EQ(spdm_sock_listen(s.ctx, "127.0.0.1:0", &s.l), 0);
	T_EQ(pthread_create(&s.th, NULL, serve, &s), 0);
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", spdm_sock_listener_port(s.l));
	T_EQ(dev_open_mctp(&tool, spec, &d), 0);
	T_STREQ(d.name, spec);
	T_EQ(dev_mctp(&tool, &d, &ch), 0);
	T_EQ(mctp_exchange(ch, MCTP_TYPE_FMAPI, "\x01\x02", 2, out, sizeof(out), &len), 0);
	T_EQ(len, 3);
	T_MEMEQ(out, "\x01\x02\xA5", 3);
	/* no config space behind it */
	T_EQ(dev_cfg(&tool, &d, &(struct doe_cfg *){ NULL }), -EINVAL);
	T_CONTAINS(doe_ctx_errmsg(tool.ctx), "is an MCTP endpoint, not a PCI function");
	dev_close(&d);		/* the client goes: the server's connection ends */
	pthread_join(s.th, NULL);
	T_EQ(s.rc, 0);
	spdm_sock_listener_close(s.l);
	doe_ctx_free(s.ctx);
}

static void t_dev_specs(void)
{
	static const struct {
		const char *spec;
		bool mctp;
		int rc;
		const char *msg;
	} cases[] = {
		{ "mctp:0", true, -EINVAL, "EID 0 is the null EID" },
		{ "mctp:1,2,3", true, -EINVAL, "EID must be a number" },
		{ "emu/mctp:1,8", true, -EINVAL, "has no network numbers" },
		{ "emu/mctp:9", true, -ENOENT, "EID 9" },
		{ "emu:nope/mctp:8", true, -ENOENT, "unknown emulator profile 'nope'" },
		{ "0d:00.0", false, -EINVAL, "'0d:00.0' is not an MCTP endpoint" },
		{ "emu/0d:00.0", false, -EINVAL, "is not an MCTP endpoint" },
		{ "tcp:127.0.0.1:1", false, -ECONNREFUSED, "cannot connect to tcp:127.0.0.1:1" },
		{ "tcp:nohostport", false, -EINVAL, "expected HOST:PORT" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dev d;

		memset(&d, 0x5A, sizeof(d));	/* whatever the caller had */
		t_case_name = cases[i].spec;
		T_EQ(dev_spec_is_mctp(cases[i].spec), cases[i].mctp);
		T_EQ(dev_open_mctp(&tool, cases[i].spec, &d), cases[i].rc);
		T_CONTAINS(doe_ctx_errmsg(tool.ctx), cases[i].msg);
		T_TRUE(d.mctp == NULL && d.sock == NULL && d.topo == NULL);
	}
	/* a PCI function opened as such is not an MCTP endpoint */
	{
		struct dev d;
		struct mctp_chan *ch;

		T_EQ(dev_open(&tool, "emu/0d:00.0", &d), 0);
		T_EQ(dev_mctp(&tool, &d, &ch), -EINVAL);
		T_CONTAINS(doe_ctx_errmsg(tool.ctx), "emu/0000:0d:00.0 is not an MCTP endpoint");
		dev_close(&d);
	}
}

int main(void)
{
	int rc;

	if (doe_ctx_new(&tool.ctx))
		return 1;
	tool.prog = "doe";
	tool.timeout_ms = 2000;
	T_RUN(t_dev_specs);
	T_RUN(t_dev_open_mctp_tcp);
	rc = T_DONE();
	doe_ctx_free(tool.ctx);
	return rc;
}
