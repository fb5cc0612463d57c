/* SPDX-License-Identifier: MIT */
/* Umbrella header: everything public in doekit. */
#ifndef DOEKIT_DOEKIT_H
#define DOEKIT_DOEKIT_H

#include <doekit/common.h>
#include <doekit/ctx.h>
#include <doekit/cursor.h>
#include <doekit/cfg.h>
#include <doekit/pci.h>
#include <doekit/doe.h>
#include <doekit/discovery.h>
#include <doekit/sysfs.h>
#include <doekit/emu.h>
#include <doekit/spdm.h>
#include <doekit/cdat.h>
#include <doekit/spdm_socket.h>
#include <doekit/spdm_session.h>
#include <doekit/spdm_keyring.h>
#include <doekit/mctp.h>
#include <doekit/spdm_cache.h>
#include <doekit/fmapi.h>
#include <doekit/fmapi_tunnel.h>
#include <doekit/idekm.h>

#define DOEKIT_VERSION_MAJOR 0
#define DOEKIT_VERSION_MINOR 1
#define DOEKIT_VERSION_PATCH 0
#define DOEKIT_VERSION_STRING "0.1.0"

#endif
