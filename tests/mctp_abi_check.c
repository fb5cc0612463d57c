// SPDX-License-Identifier: MIT
/*
 * Our copy of struct sockaddr_mctp (src/transport/mctp_abi.h) against the
 * kernel's own header, when the build machine has one (Debian 12's
 * linux-libc-dev does). Compiled into test_mctp; the checks are at build
 * time. It cannot live in test_mctp.c: <linux/mctp.h> and <doekit/mctp.h>
 * both define struct mctp_addr.
 */
#include <stddef.h>
#include "mctp_abi.h"

#if defined(__has_include)
#if __has_include(<linux/mctp.h>)
#include <linux/mctp.h>
#define CHECK(f, g) \
	_Static_assert(offsetof(struct doe_sockaddr_mctp, f) == offsetof(struct sockaddr_mctp, g), #f)
CHECK(smctp_family, smctp_family);
CHECK(smctp_network, smctp_network);
CHECK(smctp_addr, smctp_addr);
CHECK(smctp_type, smctp_type);
CHECK(smctp_tag, smctp_tag);
_Static_assert(sizeof(struct doe_sockaddr_mctp) == sizeof(struct sockaddr_mctp), "size");
_Static_assert(MCTP_TAG_OWNER == 0x08 && MCTP_TAG_MASK == 0x07, "tag bits");
_Static_assert(AF_MCTP == 45, "AF_MCTP");
#define MCTP_ABI_CHECKED 1
#endif
#endif

#ifndef MCTP_ABI_CHECKED
#define MCTP_ABI_CHECKED 0
#endif

int mctp_abi_checked(void);
int mctp_abi_checked(void)
{
	return MCTP_ABI_CHECKED;
}
