// SPDX-License-Identifier: MIT
/*
 * DOE mailbox engine (PCIe r6.x §6.30.2), as a step machine with a
 * blocking layer on top. The steps and checks mirror Linux
 * drivers/pci/doe.c; see docs/design.md for where and why we differ.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <doekit/cursor.h>
#include <doekit/doe.h>
#include <doekit/pci.h>
#include "internal.h"

enum mb_state {
	MB_IDLE,
	MB_WAIT_IDLE,		/* waiting for Busy to clear before sending */
	MB_WAIT_RESPONSE,	/* waiting for Data Object Ready */
	MB_ABORTING,		/* Abort written, waiting for Busy and Error to clear */
};

struct doe_mb {
	struct doe_cfg *cfg;
	struct doe_ctx *ctx;
	uint16_t off;
	uint8_t cap_version;
	uint32_t caps;
	uint32_t timeout_ms;
	uint32_t poll_us;
	uint32_t ctrl_keep;	/* Interrupt Enable, or 0 */
	const struct doe_wait_ops *wait_ops;
	void *wait_priv;

	pthread_mutex_t lock;	/* serializes doe_exchange() callers */
	atomic_bool in_flight;
	bool dead;

	enum mb_state state;
	uint64_t deadline;
	struct doe_xfer *x;
	int result;		/* outcome to report once Abort completes */
	char msg[400];		/* message for result */
	char name[96];
};

uint64_t doe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int default_wait(void *priv, struct doe_mb *mb, uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	(void)priv;
	(void)mb;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return 0;
}

static const struct doe_wait_ops poll_wait = { .wait = default_wait };

int doe_mb_new(struct doe_cfg *cfg, uint16_t cap_offset, struct doe_mb **out)
{
	struct doe_ctx *ctx = doe_cfg_ctx(cfg);
	struct doe_mb *mb;
	uint32_t hdr, caps;

	if (cap_offset < DOE_EXT_CAP_START || (cap_offset & 3u) ||
	    cap_offset > DOE_CFG_SPACE_SIZE - DOE_REG_BLOCK_SIZE)
		return doe_err(ctx, -EINVAL, "%s: 0x%x is not a possible DOE capability offset",
			       doe_cfg_name(cfg), cap_offset);
	TRY(doe_cfg_read32(cfg, cap_offset, &hdr));
	if (DOE_EXT_CAP_ID(hdr) != DOE_EXT_CAP_ID_DOE)
		return doe_err(ctx, -ENODEV, "%s: no DOE capability at 0x%x (found ID 0x%04x)",
			       doe_cfg_name(cfg), cap_offset, DOE_EXT_CAP_ID(hdr));
	TRY(doe_cfg_read32(cfg, (uint16_t)(cap_offset + DOE_REG_CAP), &caps));
	mb = calloc(1, sizeof(*mb));
	if (!mb)
		return doe_err(ctx, -ENOMEM, "out of memory");
	if (pthread_mutex_init(&mb->lock, NULL)) {
		free(mb);
		return doe_err(ctx, -ENOMEM, "cannot create mailbox lock");
	}
	mb->cfg = cfg;
	mb->ctx = ctx;
	mb->off = cap_offset;
	mb->cap_version = (uint8_t)DOE_EXT_CAP_VER(hdr);
	mb->caps = caps;
	mb->timeout_ms = doe_ctx_timeout_ms(ctx);
	mb->poll_us = mb->timeout_ms * 1000u / 128u;	/* Linux: PCI_DOE_TIMEOUT / 128 */
	if (!mb->poll_us)
		mb->poll_us = 1;
	mb->wait_ops = &poll_wait;
	atomic_init(&mb->in_flight, false);
	snprintf(mb->name, sizeof(mb->name), "%s DOE@0x%03x", doe_cfg_name(cfg), cap_offset);
	*out = mb;
	return 0;
}

void doe_mb_free(struct doe_mb *mb)
{
	if (!mb)
		return;
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

int doe_mb_set_timeout_ms(struct doe_mb *mb, uint32_t ms)
{
	if (!ms || ms > 3600000u)
		return doe_err(mb->ctx, -EINVAL, "%s: timeout %u ms out of range 1..3600000",
			       mb->name, ms);
	mb->timeout_ms = ms;
	return 0;
}

int doe_mb_set_poll_us(struct doe_mb *mb, uint32_t us)
{
	if (!us)
		return doe_err(mb->ctx, -EINVAL, "%s: poll interval must be at least 1 us", mb->name);
	mb->poll_us = us;
	return 0;
}

void doe_mb_set_wait(struct doe_mb *mb, const struct doe_wait_ops *ops, void *priv)
{
	mb->wait_ops = ops && ops->wait ? ops : &poll_wait;
	mb->wait_priv = priv;
}

int doe_mb_enable_irq(struct doe_mb *mb, bool on)
{
	if (on && !(mb->caps & DOE_CAP_INT_SUPPORT))
		return doe_err(mb->ctx, -EOPNOTSUPP, "%s: mailbox has no Interrupt Support",
			       mb->name);
	mb->ctrl_keep = on ? DOE_CTRL_INT_EN : 0;
	return 0;
}

uint16_t doe_mb_offset(const struct doe_mb *mb) { return mb->off; }
uint8_t doe_mb_cap_version(const struct doe_mb *mb) { return mb->cap_version; }
uint32_t doe_mb_capabilities(const struct doe_mb *mb) { return mb->caps; }
bool doe_mb_is_dead(const struct doe_mb *mb) { return mb->dead; }
struct doe_cfg *doe_mb_cfg(const struct doe_mb *mb) { return mb->cfg; }

static int reg_read(struct doe_mb *mb, uint16_t reg, uint32_t *val)
{
	return doe_cfg_read32(mb->cfg, (uint16_t)(mb->off + reg), val);
}

static int reg_write(struct doe_mb *mb, uint16_t reg, uint32_t val)
{
	return doe_cfg_write32(mb->cfg, (uint16_t)(mb->off + reg), val);
}

static int read_status(struct doe_mb *mb, uint32_t *st)
{
	TRY(reg_read(mb, DOE_REG_STATUS, st));
	/* Interrupt Status is RW1C; clear it so the next interrupt can fire */
	if (mb->ctrl_keep && (*st & DOE_STATUS_INT_STATUS))
		TRY(reg_write(mb, DOE_REG_STATUS, DOE_STATUS_INT_STATUS));
	return 0;
}

static uint64_t ms_to_ns(uint32_t ms)
{
	return (uint64_t)ms * 1000000u;
}

static void set_msg(struct doe_mb *mb, const char *fmt, ...) DOE_PRINTF(2, 3);
static void set_msg(struct doe_mb *mb, const char *fmt, ...)
{
	char body[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(mb->msg, sizeof(mb->msg), "%s: %s", mb->name, body);
}

/* Ends the exchange and reports rc, with mb->msg when rc < 0. */
static int finish(struct doe_mb *mb, int rc)
{
	mb->state = MB_IDLE;
	mb->x = NULL;
	atomic_store(&mb->in_flight, false);
	if (rc < 0)
		return doe_err(mb->ctx, rc, "%s", mb->msg);
	return rc;
}

/*
 * Failure: record why, issue Abort and move to MB_ABORTING. The caller keeps
 * stepping; the original error is reported once Abort completes (or the
 * mailbox is declared dead). Returns DOE_AGAIN or the final code.
 */
static int fail(struct doe_mb *mb, int rc, uint64_t now, uint64_t *next);

static int step_abort(struct doe_mb *mb, uint64_t now, uint64_t *next)
{
	uint32_t st;
	int rc;

	rc = reg_read(mb, DOE_REG_STATUS, &st);
	if (rc == 0 && !(st & (DOE_STATUS_BUSY | DOE_STATUS_ERROR)))
		return finish(mb, mb->result);
	if (rc < 0 || now >= mb->deadline) {
		size_t n = strlen(mb->msg);

		mb->dead = true;
		snprintf(mb->msg + n, sizeof(mb->msg) - n,
			 rc < 0 ? "; reading Status after Abort failed: mailbox marked dead"
				: "; Abort did not clear Busy/Error within %u ms: mailbox marked dead",
			 mb->timeout_ms);
		if (mb->result >= 0)
			mb->result = -EIO;
		return finish(mb, mb->result);
	}
	*next = now + (uint64_t)mb->poll_us * 1000u;
	if (*next > mb->deadline)
		*next = mb->deadline;
	return DOE_AGAIN;
}

static int fail(struct doe_mb *mb, int rc, uint64_t now, uint64_t *next)
{
	mb->result = rc;
	mb->state = MB_ABORTING;
	mb->deadline = now + ms_to_ns(mb->timeout_ms);
	if (reg_write(mb, DOE_REG_CTRL, DOE_CTRL_ABORT | mb->ctrl_keep) < 0) {
		size_t n = strlen(mb->msg);

		mb->dead = true;
		snprintf(mb->msg + n, sizeof(mb->msg) - n, "; writing Abort failed: mailbox marked dead");
		/* doe_mb_reset() passes rc 0: a failed Abort must not look like
		 * success there, or the dead mailbox would be revived */
		return finish(mb, rc < 0 ? rc : -EIO);
	}
	return step_abort(mb, now, next);
}

/* Writes the request object and sets Go (PCIe §6.30.2 steps 1-3). */
static int send_request(struct doe_mb *mb)
{
	const struct doe_xfer *x = mb->x;
	size_t req_dw = (x->req_len + 3) / 4;
	size_t length = 2 + req_dw;
	struct doe_rd r;

	TRY(reg_write(mb, DOE_REG_WRITE, DOE_HDR1(x->vid, x->type)));
	/* Length counts DWs including the header; 2^18 is encoded as 0 */
	TRY(reg_write(mb, DOE_REG_WRITE, length == DOE_MAX_OBJECT_DW ? 0 : (uint32_t)length));
	doe_rd_init(&r, x->req, x->req_len);
	while (doe_rd_left(&r) >= 4) {
		uint32_t dw;

		doe_rd_le32(&r, &dw);
		TRY(reg_write(mb, DOE_REG_WRITE, dw));
	}
	if (doe_rd_left(&r)) {
		uint8_t last[4] = { 0 };	/* zero-pad the final partial DW */

		doe_rd_bytes(&r, last, doe_rd_left(&r));
		TRY(reg_write(mb, DOE_REG_WRITE, doe_get_le32(last)));
	}
	return reg_write(mb, DOE_REG_CTRL, DOE_CTRL_GO | mb->ctrl_keep);
}

/*
 * Reads the response object (PCIe §6.30.2 steps 4-6): each DW is one read
 * of Read Data Mailbox and one write to pop it. Returns 0, -EOVERFLOW (a
 * clean, drained mailbox), or -EIO with mb->msg set (needs Abort).
 */
static int recv_response(struct doe_mb *mb)
{
	struct doe_xfer *x = mb->x;
	struct doe_wr w;
	uint32_t hdr1, hdr2, length, st, dw;
	int rc;

	if ((rc = reg_read(mb, DOE_REG_READ, &hdr1)) < 0)
		goto io;
	if (DOE_HDR1_VID(hdr1) != x->vid || DOE_HDR1_TYPE(hdr1) != x->type) {
		set_msg(mb, "response is [vendor %04x, type %02x], request was [%04x, %02x]",
			DOE_HDR1_VID(hdr1), DOE_HDR1_TYPE(hdr1), x->vid, x->type);
		return -EIO;
	}
	if ((rc = reg_write(mb, DOE_REG_READ, 0)) < 0 || (rc = reg_read(mb, DOE_REG_READ, &hdr2)) < 0 ||
	    (rc = reg_write(mb, DOE_REG_READ, 0)) < 0)
		goto io;
	length = DOE_HDR2_LENGTH(hdr2);
	if (length == 0)
		length = DOE_MAX_OBJECT_DW;
	if (length < 2) {
		set_msg(mb, "response Length field is %u DW, less than its 2-DW header", length);
		return -EIO;
	}
	length -= 2;
	x->rsp_full_len = (size_t)length * 4;
	doe_wr_init(&w, x->rsp, x->rsp_cap);
	for (uint32_t i = 0; i < length; i++) {
		if ((rc = reg_read(mb, DOE_REG_READ, &dw)) < 0)
			goto io;
		if (!w.failed) {
			uint8_t b[4];
			size_t room = x->rsp_cap - doe_wr_len(&w);

			doe_put_le32(b, dw);
			doe_wr_bytes(&w, b, room < 4 ? room : 4);
			if (room < 4)
				w.failed = true;	/* buffer full: drain the rest */
		}
		if (i == length - 1) {
			/* Before the last pop: the object must still be there
			 * (a Length larger than the object ends here) */
			if ((rc = reg_read(mb, DOE_REG_STATUS, &st)) < 0)
				goto io;
			if (!(st & DOE_STATUS_DATA_OBJECT_READY)) {
				set_msg(mb, "response ended before its Length field of %u DW "
					    "(Data Object Ready cleared early)", length + 2);
				return -EIO;
			}
		}
		if ((rc = reg_write(mb, DOE_REG_READ, 0)) < 0)
			goto io;
	}
	x->rsp_len = doe_wr_len(&w);
	/* Final check, as Linux does, plus: an object longer than its Length
	 * field leaves Data Object Ready set */
	if ((rc = reg_read(mb, DOE_REG_STATUS, &st)) < 0)
		goto io;
	if (st & DOE_STATUS_ERROR) {
		set_msg(mb, "device set Error while the response was read");
		return -EIO;
	}
	if (st & DOE_STATUS_DATA_OBJECT_READY) {
		set_msg(mb, "response is longer than its Length field of %u DW", length + 2);
		return -EIO;
	}
	if (x->rsp_full_len > x->rsp_cap) {
		set_msg(mb, "response of %zu bytes does not fit the %zu-byte buffer (drained)",
			x->rsp_full_len, x->rsp_cap);
		return -EOVERFLOW;
	}
	return 0;
io:
	set_msg(mb, "config access failed while reading the response: %s",
		doe_ctx_errmsg(mb->ctx));
	return rc;
}

int doe_mb_begin(struct doe_mb *mb, struct doe_xfer *x, uint64_t now_ns)
{
	if (!x || (x->req_len && !x->req) || (x->rsp_cap && !x->rsp))
		return doe_err(mb->ctx, -EINVAL, "%s: invalid transfer", mb->name);
	if (x->req_len > DOE_MAX_PAYLOAD)
		return doe_err(mb->ctx, -EMSGSIZE,
			       "%s: request of %zu bytes exceeds the %zu-byte DOE maximum", mb->name,
			       x->req_len, (size_t)DOE_MAX_PAYLOAD);
	if (mb->dead)
		return doe_err(mb->ctx, -EIO,
			       "%s: mailbox is dead (an earlier Abort did not complete)", mb->name);
	if (atomic_exchange(&mb->in_flight, true))
		return doe_err(mb->ctx, -EBUSY, "%s: another exchange is in flight", mb->name);
	x->rsp_len = 0;
	x->rsp_full_len = 0;
	mb->x = x;
	mb->msg[0] = '\0';
	mb->result = 0;
	mb->state = MB_WAIT_IDLE;
	mb->deadline = now_ns + ms_to_ns(mb->timeout_ms);
	return 0;
}

static int again(struct doe_mb *mb, uint64_t now, uint64_t *next)
{
	*next = now + (uint64_t)mb->poll_us * 1000u;
	if (*next > mb->deadline)
		*next = mb->deadline;
	return DOE_AGAIN;
}

int doe_mb_step(struct doe_mb *mb, uint64_t now, uint64_t *next)
{
	uint64_t dummy;
	uint32_t st;
	int rc;

	if (!next)
		next = &dummy;
	switch (mb->state) {
	case MB_IDLE:
		return doe_err(mb->ctx, -EINVAL, "%s: no exchange in flight", mb->name);
	case MB_ABORTING:
		return step_abort(mb, now, next);
	case MB_WAIT_IDLE:
		/* Someone else (firmware, the kernel) may still own the mailbox:
		 * wait for Busy to clear, up to the timeout (Linux 6.9+) */
		if ((rc = read_status(mb, &st)) < 0) {
			set_msg(mb, "reading Status: %s", doe_ctx_errmsg(mb->ctx));
			return fail(mb, rc, now, next);
		}
		if (st & DOE_STATUS_BUSY) {
			if (now < mb->deadline)
				return again(mb, now, next);
			set_msg(mb, "mailbox stayed Busy for %u ms before the request could be sent",
				mb->timeout_ms);
			return fail(mb, -EBUSY, now, next);
		}
		if (st & DOE_STATUS_ERROR) {
			set_msg(mb, "Error bit set before the request was sent");
			return fail(mb, -EIO, now, next);
		}
		if ((rc = send_request(mb)) < 0) {
			set_msg(mb, "writing the request: %s", doe_ctx_errmsg(mb->ctx));
			return fail(mb, rc, now, next);
		}
		mb->state = MB_WAIT_RESPONSE;
		mb->deadline = now + ms_to_ns(mb->timeout_ms);
		/* a fast device answers before the first poll */
		__attribute__((fallthrough));
	case MB_WAIT_RESPONSE:
		if ((rc = read_status(mb, &st)) < 0) {
			set_msg(mb, "reading Status: %s", doe_ctx_errmsg(mb->ctx));
			return fail(mb, rc, now, next);
		}
		if (st & DOE_STATUS_ERROR) {
			set_msg(mb, "device set Error in response to the request [%04x, %02x]",
				mb->x->vid, mb->x->type);
			return fail(mb, -EIO, now, next);
		}
		if (!(st & DOE_STATUS_DATA_OBJECT_READY)) {
			if (now < mb->deadline)
				return again(mb, now, next);
			set_msg(mb, "no response after %u ms (waiting for Data Object Ready)",
				mb->timeout_ms);
			return fail(mb, -ETIMEDOUT, now, next);
		}
		rc = recv_response(mb);
		if (rc == 0 || rc == -EOVERFLOW)
			return finish(mb, rc);
		return fail(mb, rc, now, next);
	}
	return -EINVAL;
}

int doe_mb_cancel(struct doe_mb *mb, uint64_t now_ns)
{
	uint64_t next;

	if (mb->state == MB_IDLE || mb->state == MB_ABORTING)
		return 0;
	set_msg(mb, "exchange cancelled");
	fail(mb, -ECANCELED, now_ns, &next);
	return 0;
}

/* Runs a begun exchange to the end with the wait strategy. */
static int run_blocking(struct doe_mb *mb)
{
	uint64_t now = doe_now_ns(), next;
	int rc;

	while ((rc = doe_mb_step(mb, now, &next)) == DOE_AGAIN) {
		int wrc = mb->wait_ops->wait(mb->wait_priv, mb, next);

		now = doe_now_ns();
		if (wrc < 0 && mb->state != MB_ABORTING) {
			set_msg(mb, "wait failed (%d)", wrc);
			rc = fail(mb, wrc, now, &next);
			if (rc != DOE_AGAIN)
				return rc;
		}
	}
	return rc;
}

int doe_exchange(struct doe_mb *mb, uint16_t vid, uint8_t type, const void *req, size_t req_len,
		 void *rsp, size_t rsp_cap, size_t *rsp_len)
{
	struct doe_xfer x = {
		.vid = vid, .type = type, .req = req, .req_len = req_len,
		.rsp = rsp, .rsp_cap = rsp_cap,
	};
	int rc;

	pthread_mutex_lock(&mb->lock);
	rc = doe_mb_begin(mb, &x, doe_now_ns());
	if (rc == 0)
		rc = run_blocking(mb);
	pthread_mutex_unlock(&mb->lock);
	if (rsp_len)
		*rsp_len = rc == -EOVERFLOW ? x.rsp_full_len : x.rsp_len;
	return rc;
}

int doe_mb_reset(struct doe_mb *mb)
{
	uint64_t now, next;
	int rc;

	pthread_mutex_lock(&mb->lock);
	if (atomic_exchange(&mb->in_flight, true)) {
		pthread_mutex_unlock(&mb->lock);
		return doe_err(mb->ctx, -EBUSY, "%s: another exchange is in flight", mb->name);
	}
	now = doe_now_ns();
	snprintf(mb->msg, sizeof(mb->msg), "%s: reset", mb->name);
	rc = fail(mb, 0, now, &next);
	if (rc == DOE_AGAIN)
		rc = run_blocking(mb);
	if (rc == 0)
		mb->dead = false;	/* a completed Abort revives the mailbox */
	pthread_mutex_unlock(&mb->lock);
	return rc;
}
