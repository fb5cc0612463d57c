/* SPDX-License-Identifier: MIT */
/* doe fm: the CXL Fabric Manager API client (cmd_fm.c) and its output (fm_out.c). */
#ifndef DOE_FM_H
#define DOE_FM_H

#include <doekit/fmapi.h>
#include "tool.h"

/* Identify */
struct json_object *fm_identify_json(const char *dev, const struct fmapi_identify *id);
void fm_identify_text(const char *dev, const struct fmapi_identify *id);
/* Identify Switch Device */
struct json_object *fm_switch_json(const char *dev, const struct fmapi_switch_info *si);
void fm_switch_text(const char *dev, const struct fmapi_switch_info *si);
/* Get Physical Port State: one port */
struct json_object *fm_port_json(const struct fmapi_port_info *p);
void fm_port_text(const struct fmapi_port_info *p);
/* Get Virtual CXL Switch Info: one VCS, its vPPBs numbered from start */
struct json_object *fm_vcs_json(const struct fmapi_vcs_info *v, uint8_t start);
void fm_vcs_text(const struct fmapi_vcs_info *v, uint8_t start);
/* Get LD Info of the device at a port */
struct json_object *fm_ld_json(uint8_t port, const struct fmapi_ld_info *li);
void fm_ld_text(uint8_t port, const struct fmapi_ld_info *li);
/* A return code as a name ("success", ...; "0x00NN" when unnamed), into buf */
const char *fm_rc_str(uint16_t rc, char *buf, size_t len);

#endif
