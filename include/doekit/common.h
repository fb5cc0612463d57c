/* SPDX-License-Identifier: MIT */
/*
 * doekit common definitions: export macro and C++ guards.
 *
 * Every public doekit function returns 0 (or a documented non-negative
 * count) on success and a negative errno-style code on failure. The
 * message that explains a failure is kept in the object's context
 * (doe_ctx_errmsg()).
 */
#ifndef DOEKIT_COMMON_H
#define DOEKIT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DOE_API __attribute__((visibility("default")))
#else
#define DOE_API
#endif

#ifdef __cplusplus
#define DOE_BEGIN_DECLS extern "C" {
#define DOE_END_DECLS }
#else
#define DOE_BEGIN_DECLS
#define DOE_END_DECLS
#endif

#endif
