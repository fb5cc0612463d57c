/* SPDX-License-Identifier: MIT */
/*
 * The DOE mailbox engine (PCIe r6.x §6.30, registers §7.9.24).
 *
 * It follows the rules of Linux drivers/pci/doe.c; the deliberate
 * differences are listed in docs/design.md:
 *  - a response longer than the caller's buffer is drained and reported
 *    (-EOVERFLOW, with the full length), never silently truncated;
 *  - after the last DW is popped, Data Object Ready still set means the
 *    object was longer than its Length field: -EIO and Abort;
 *  - the wait is pluggable (polling by default, interrupts if you have them)
 *    and the whole engine is also offered as a non-blocking step API that
 *    never sleeps and takes the time from the caller.
 *
 * One exchange at a time per mailbox. doe_exchange() callers on several
 * threads are serialized by a lock in the mailbox; a doe_mb_begin() while
 * another exchange is in flight fails with -EBUSY.
 */
#ifndef DOEKIT_DOE_H
#define DOEKIT_DOE_H

#include <doekit/common.h>
#include <doekit/cfg.h>

DOE_BEGIN_DECLS

/* Register offsets within the DOE capability */
#define DOE_REG_CAP 0x04u
#define DOE_REG_CTRL 0x08u
#define DOE_REG_STATUS 0x0Cu
#define DOE_REG_WRITE 0x10u
#define DOE_REG_READ 0x14u
#define DOE_REG_BLOCK_SIZE 0x18u

#define DOE_CAP_INT_SUPPORT 0x00000001u
#define DOE_CAP_INT_MSG_NUM(c) (((c) >> 1) & 0x7FFu)
#define DOE_CTRL_ABORT 0x00000001u
#define DOE_CTRL_INT_EN 0x00000002u
#define DOE_CTRL_GO 0x80000000u
#define DOE_STATUS_BUSY 0x00000001u
#define DOE_STATUS_INT_STATUS 0x00000002u
#define DOE_STATUS_ERROR 0x00000004u
#define DOE_STATUS_DATA_OBJECT_READY 0x80000000u

/* Data object header (two DWs) */
#define DOE_HDR1(vid, type) ((uint32_t)(vid) | (uint32_t)(type) << 16)
#define DOE_HDR1_VID(h) ((uint16_t)((h) & 0xFFFFu))
#define DOE_HDR1_TYPE(h) ((uint8_t)(((h) >> 16) & 0xFFu))
#define DOE_HDR2_LENGTH(h) ((h) & 0x3FFFFu)	/* in DW, 0 means 2^18 */
#define DOE_MAX_OBJECT_DW (1u << 18)
#define DOE_MAX_PAYLOAD (((size_t)DOE_MAX_OBJECT_DW - 2) * 4)

/* Vendor IDs and data object types (PCIe §6.30.1.1, CXL §8.1.11) */
#define DOE_VENDOR_PCISIG 0x0001u
#define DOE_VENDOR_CXL 0x1E98u
#define DOE_TYPE_DISCOVERY 0x00u
#define DOE_TYPE_CMA 0x01u
#define DOE_TYPE_SECURED_CMA 0x02u
#define DOE_TYPE_CXL_COMPLIANCE 0x00u
#define DOE_TYPE_CXL_TABLE_ACCESS 0x02u

#define DOE_DEFAULT_TIMEOUT_MS 1000u	/* PCIe §6.30.2: 1 s */

struct doe_mb;

/*
 * Wait strategy. wait() returns when the mailbox may have progressed or at
 * deadline_ns (CLOCK_MONOTONIC) at the latest; 0, or -errno to give up.
 * The default sleeps for the poll interval. A user with DOE interrupts
 * (VFIO eventfd, a kernel port) waits on the interrupt instead; the engine
 * re-reads Status after every wait, so spurious wake-ups are harmless.
 */
struct doe_wait_ops {
	int (*wait)(void *priv, struct doe_mb *mb, uint64_t deadline_ns);
};

/* Makes a mailbox object for the DOE capability at cap_offset. Reads the
 * capability header and checks its ID; does not touch the mailbox. The
 * cfg must outlive the mailbox. */
DOE_API int doe_mb_new(struct doe_cfg *cfg, uint16_t cap_offset, struct doe_mb **out);
DOE_API void doe_mb_free(struct doe_mb *mb);

/* Issues Abort and waits for Busy and Error to clear (what Linux does when
 * it takes a mailbox). Marks the mailbox dead if they do not clear. */
DOE_API int doe_mb_reset(struct doe_mb *mb);

DOE_API int doe_mb_set_timeout_ms(struct doe_mb *mb, uint32_t ms);
/* Poll interval; default timeout/128 as in Linux. */
DOE_API int doe_mb_set_poll_us(struct doe_mb *mb, uint32_t us);
DOE_API void doe_mb_set_wait(struct doe_mb *mb, const struct doe_wait_ops *ops, void *priv);
/* Sets DOE Interrupt Enable in every Control write, and clears Interrupt
 * Status (RW1C) whenever the engine sees it set. Pair it with a wait op
 * that sleeps on the interrupt. -EOPNOTSUPP without Interrupt Support. */
DOE_API int doe_mb_enable_irq(struct doe_mb *mb, bool on);

DOE_API uint16_t doe_mb_offset(const struct doe_mb *mb);
DOE_API uint8_t doe_mb_cap_version(const struct doe_mb *mb);
DOE_API uint32_t doe_mb_capabilities(const struct doe_mb *mb);
DOE_API bool doe_mb_is_dead(const struct doe_mb *mb);
DOE_API struct doe_cfg *doe_mb_cfg(const struct doe_mb *mb);

/*
 * Blocking exchange: send one data object (vid, type, req payload without
 * the two header DWs) and receive the response payload into rsp.
 * A request whose length is not a multiple of 4 is zero-padded.
 * *rsp_len receives the payload bytes stored. Returns 0, or:
 *  -EOVERFLOW  response longer than rsp_cap: drained from the mailbox (which
 *              stays usable, no Abort), rsp holds the first rsp_cap bytes,
 *              *rsp_len the full payload length the device sent
 *  -ETIMEDOUT  a wait ran out (the message names the step and the time)
 *  -EBUSY      the mailbox stayed Busy before the request could be sent
 *  -EIO        Error bit, bad length, wrong vendor/type, dead mailbox
 * On any failure but -EOVERFLOW the engine has issued Abort; if Abort did
 * not clear the mailbox it is dead and every later call fails at once.
 */
DOE_API int doe_exchange(struct doe_mb *mb, uint16_t vid, uint8_t type, const void *req,
			 size_t req_len, void *rsp, size_t rsp_cap, size_t *rsp_len);

/*
 * Non-blocking step API. The caller owns the transfer and the clock:
 *   doe_mb_begin(mb, &x, now);
 *   while ((rc = doe_mb_step(mb, now, &next)) == DOE_AGAIN)
 *       sleep_until(next) or wait for the DOE interrupt, now = clock();
 * rc is then 0 or the same codes as doe_exchange(). doe_mb_step() never
 * sleeps. x must stay valid until step returns something other than
 * DOE_AGAIN. doe_mb_cancel() aborts an exchange in flight.
 */
#define DOE_AGAIN 1

struct doe_xfer {
	uint16_t vid;
	uint8_t type;
	const void *req;
	size_t req_len;
	void *rsp;
	size_t rsp_cap;
	size_t rsp_len;		/* out: bytes stored */
	size_t rsp_full_len;	/* out: payload bytes the device sent */
};

DOE_API int doe_mb_begin(struct doe_mb *mb, struct doe_xfer *x, uint64_t now_ns);
DOE_API int doe_mb_step(struct doe_mb *mb, uint64_t now_ns, uint64_t *next_ns);
DOE_API int doe_mb_cancel(struct doe_mb *mb, uint64_t now_ns);

/* CLOCK_MONOTONIC in ns, the clock the blocking layer uses. */
DOE_API uint64_t doe_now_ns(void);

DOE_END_DECLS

#endif
