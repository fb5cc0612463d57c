// SPDX-License-Identifier: MIT
/*
 * Names of FM-API opcodes, return codes and enumerated payload fields, as
 * the CLI prints them (JSON values and text). Sources, as docs/fmapi.md
 * lists: return codes CXL r3.0 §8.2.8.4.5.1 "Command Return Codes" as the
 * Linux kernel's drivers/cxl/cxlmem.h CMD_CMD_RC_TABLE lists them; port
 * states, device types, LTSSM states from QEMU include/hw/cxl/cxl_port.h
 * (CXL r3.2 Table 7-19); VCS states and vPPB binding status from the
 * CXL §7.6.7.2.1 layout as opencis-core implements it.
 */
#include <errno.h>

#include <doekit/fmapi.h>
#include <doekit/fmapi_tunnel.h>
#include "internal.h"

const char *fmapi_op_name(uint16_t opcode)
{
	switch (opcode) {
	case FMAPI_OP_IDENTIFY:
		return "identify";
	case FMAPI_OP_BG_OP_STATUS:
		return "background-operation-status";
	case FMAPI_OP_GET_RSP_MSG_LIMIT:
		return "get-response-message-limit";
	case FMAPI_OP_SET_RSP_MSG_LIMIT:
		return "set-response-message-limit";
	case FMAPI_OP_IDENTIFY_SWITCH:
		return "identify-switch-device";
	case FMAPI_OP_GET_PORT_STATE:
		return "get-physical-port-state";
	case FMAPI_OP_PORT_CONTROL:
		return "physical-port-control";
	case FMAPI_OP_SEND_PPB_CONFIG:
		return "send-ppb-cxl-io-configuration-request";
	case FMAPI_OP_GET_VCS_INFO:
		return "get-virtual-cxl-switch-info";
	case FMAPI_OP_BIND_VPPB:
		return "bind-vppb";
	case FMAPI_OP_UNBIND_VPPB:
		return "unbind-vppb";
	case FMAPI_OP_GET_LD_INFO:
		return "get-ld-info";
	case FMAPI_OP_TUNNEL:
		return "tunnel-management-command";
	default:
		return NULL;
	}
}

/* Indexed by code: 0x00..0x1E, the kernel's list in the same order. */
static const char *const rc_names[FMAPI_RC_COUNT] = {
	[FMAPI_RC_SUCCESS] = "success",
	[FMAPI_RC_BACKGROUND] = "background-command-started",
	[FMAPI_RC_INVALID_INPUT] = "invalid-input",
	[FMAPI_RC_UNSUPPORTED] = "unsupported",
	[FMAPI_RC_INTERNAL] = "internal-error",
	[FMAPI_RC_RETRY] = "retry-required",
	[FMAPI_RC_BUSY] = "busy",
	[FMAPI_RC_MEDIA_DISABLED] = "media-disabled",
	[FMAPI_RC_FW_IN_PROGRESS] = "fw-transfer-in-progress",
	[FMAPI_RC_FW_OUT_OF_ORDER] = "fw-transfer-out-of-order",
	[FMAPI_RC_FW_AUTH_FAILED] = "fw-verification-failed",
	[FMAPI_RC_FW_INVALID_SLOT] = "invalid-slot",
	[FMAPI_RC_FW_ROLLED_BACK] = "activation-failed-fw-rolled-back",
	[FMAPI_RC_FW_COLD_RESET] = "activation-failed-cold-reset-required",
	[FMAPI_RC_INVALID_HANDLE] = "invalid-handle",
	[FMAPI_RC_INVALID_PADDR] = "invalid-physical-address",
	[FMAPI_RC_POISON_LIMIT] = "inject-poison-limit-reached",
	[FMAPI_RC_MEDIA_FAILURE] = "permanent-media-failure",
	[FMAPI_RC_ABORTED] = "aborted",
	[FMAPI_RC_INVALID_SECURITY_STATE] = "invalid-security-state",
	[FMAPI_RC_INCORRECT_PASSPHRASE] = "incorrect-passphrase",
	[FMAPI_RC_UNSUPPORTED_MAILBOX] = "unsupported-mailbox-or-cci",
	[FMAPI_RC_INVALID_PAYLOAD_LEN] = "invalid-payload-length",
	[FMAPI_RC_INVALID_LOG] = "invalid-log",
	[FMAPI_RC_INTERRUPTED] = "interrupted",
	[FMAPI_RC_FEATURE_VERSION] = "unsupported-feature-version",
	[FMAPI_RC_FEATURE_SELECTION] = "unsupported-feature-selection-value",
	[FMAPI_RC_FEATURE_IN_PROGRESS] = "feature-transfer-in-progress",
	[FMAPI_RC_FEATURE_OUT_OF_ORDER] = "feature-transfer-out-of-order",
	[FMAPI_RC_RESOURCES_EXHAUSTED] = "resources-exhausted",
	[FMAPI_RC_INVALID_EXTENT_LIST] = "invalid-extent-list",
};

const char *fmapi_rc_name(uint16_t rc)
{
	return rc < ARRAY_SIZE(rc_names) ? rc_names[rc] : NULL;
}

int fmapi_rc_errno(uint16_t rc)
{
	switch (rc) {
	case FMAPI_RC_SUCCESS:
		return 0;
	case FMAPI_RC_BACKGROUND:
		return -EINPROGRESS;
	case FMAPI_RC_BUSY:
	case FMAPI_RC_RETRY:
	case FMAPI_RC_FW_IN_PROGRESS:
	case FMAPI_RC_FEATURE_IN_PROGRESS:
		return -EBUSY;
	case FMAPI_RC_UNSUPPORTED:
	case FMAPI_RC_UNSUPPORTED_MAILBOX:
		return -EOPNOTSUPP;
	default:
		/* invalid input included: the device judged the request, and
		 * -EINVAL would read as our caller's usage error */
		return -EREMOTEIO;
	}
}

const char *fmapi_component_name(uint8_t type)
{
	switch (type) {
	case FMAPI_COMPONENT_SWITCH:
		return "switch";
	case FMAPI_COMPONENT_TYPE3:
		return "type3-device";
	default:
		return NULL;
	}
}

const char *fmapi_port_state_name(uint8_t state)
{
	static const char *const n[] = { "disabled", "bind-in-progress", "unbind-in-progress",
					 "dsp", "usp", "fabric" };

	if (state == FMAPI_PORT_INVALID)
		return "invalid";
	return state < ARRAY_SIZE(n) ? n[state] : NULL;
}

const char *fmapi_dev_type_name(uint8_t type)
{
	static const char *const n[] = { "none", "pcie", "cxl-type1", "cxl-type2",
					 "cxl-type3-sld", "cxl-type3-mld",
					 "pbr-component" };

	return type < ARRAY_SIZE(n) ? n[type] : NULL;
}

const char *fmapi_ltssm_name(uint8_t state)
{
	static const char *const n[] = { "detect", "polling", "configuration", "recovery",
					 "l0", "l0s", "l1", "l2", "disabled", "loopback",
					 "hot-reset" };

	return state < ARRAY_SIZE(n) ? n[state] : NULL;
}

const char *fmapi_port_op_name(uint8_t op)
{
	static const char *const n[] = { "assert-perst", "deassert-perst", "reset-ppb" };

	return op < ARRAY_SIZE(n) ? n[op] : NULL;
}

const char *fmapi_vcs_state_name(uint8_t state)
{
	switch (state) {
	case FMAPI_VCS_DISABLED:
		return "disabled";
	case FMAPI_VCS_ENABLED:
		return "enabled";
	case FMAPI_VCS_INVALID:
		return "invalid";
	default:
		return NULL;
	}
}

const char *fmapi_vppb_status_name(uint8_t status)
{
	static const char *const n[] = { "unbound", "in-progress", "bound-port", "bound-ld" };

	return status < ARRAY_SIZE(n) ? n[status] : NULL;
}

const char *fmapi_unbind_option_name(uint8_t option)
{
	static const char *const n[] = { "wait", "managed-hot-remove", "surprise-hot-remove" };

	return option < ARRAY_SIZE(n) ? n[option] : NULL;
}
