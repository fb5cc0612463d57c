// SPDX-License-Identifier: MIT
/* The emulator's in-process MCTP network (placeholder until the switch's
 * endpoint lands: no EID answers yet). */
#include <doekit/emu.h>
#include <doekit/mctp.h>
#include "internal.h"

int emu_mctp_open(struct emu_topo *topo, uint8_t eid, struct mctp_chan **out)
{
	(void)out;
	return doe_err(NULL, -ENOENT, "no MCTP endpoint at EID %u in emulator profile '%s'", eid,
		       emu_topo_profile(topo));
}
