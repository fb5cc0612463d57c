/* SPDX-License-Identifier: MIT */
/*
 * Linux's AF_MCTP socket address (include/uapi/linux/mctp.h), spelled out
 * here because that header's own struct mctp_addr collides with doekit's.
 * tests/mctp_abi_check.c compares the layout with the kernel header's
 * wherever the build machine has one. Not installed.
 */
#ifndef DOEKIT_MCTP_ABI_H
#define DOEKIT_MCTP_ABI_H

#include <stdint.h>
#include <sys/socket.h>

struct doe_sockaddr_mctp {
	sa_family_t smctp_family;	/* AF_MCTP */
	uint16_t smctp_pad0;
	unsigned int smctp_network;
	uint8_t smctp_addr;		/* EID (the kernel's struct mctp_addr) */
	uint8_t smctp_type;		/* message type, integrity-check bit included */
	uint8_t smctp_tag;		/* tag value | owner bit */
	uint8_t smctp_pad1;
};

_Static_assert(sizeof(struct doe_sockaddr_mctp) == 12, "struct sockaddr_mctp is 12 bytes");

#endif
