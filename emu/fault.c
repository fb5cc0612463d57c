// SPDX-License-Identifier: MIT
/* Names of the mailbox fault knobs, shared by the CLI and the tests. */
#include <errno.h>
#include <string.h>

#include <doekit/emu.h>

static const char *const fault_names[EMU_FAULT_KIND_COUNT] = {
	[EMU_FAULT_NONE] = "none",
	[EMU_FAULT_STUCK_BUSY] = "stuck-busy",
	[EMU_FAULT_ERROR] = "error",
	[EMU_FAULT_NEVER_READY] = "never-ready",
	[EMU_FAULT_DROP_RESPONSE] = "drop-response",
	[EMU_FAULT_LEN_GARBAGE] = "len-garbage",
	[EMU_FAULT_LEN_TOO_LARGE] = "len-too-large",
	[EMU_FAULT_LEN_TOO_SMALL] = "len-too-small",
	[EMU_FAULT_WRONG_PROTOCOL] = "wrong-protocol",
	[EMU_FAULT_READY_AFTER_POLLS] = "ready-after-polls",
	[EMU_FAULT_ABORT_IGNORED] = "abort-ignored",
};

const char *emu_fault_name(enum emu_fault_kind kind)
{
	if ((unsigned int)kind >= EMU_FAULT_KIND_COUNT)
		return "?";
	return fault_names[kind];
}

int emu_fault_parse(const char *name, enum emu_fault_kind *kind)
{
	for (unsigned int i = 0; i < EMU_FAULT_KIND_COUNT; i++) {
		if (name && !strcmp(name, fault_names[i])) {
			*kind = (enum emu_fault_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}
