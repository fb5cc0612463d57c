// SPDX-License-Identifier: MIT
/* Names, fixed lengths and value scaling for CDAT structures (CDAT Table 2). */
#include <doekit/cdat.h>
#include "internal.h"

static const char *const type_names[CDAT_TYPE_COUNT] = {
	[CDAT_DSMAS] = "DSMAS",	  [CDAT_DSLBIS] = "DSLBIS", [CDAT_DSMSCIS] = "DSMSCIS",
	[CDAT_DSIS] = "DSIS",	  [CDAT_DSEMTS] = "DSEMTS", [CDAT_SSLBIS] = "SSLBIS",
};

static const int type_lengths[CDAT_TYPE_COUNT] = {
	[CDAT_DSMAS] = CDAT_DSMAS_LEN,	   [CDAT_DSLBIS] = CDAT_DSLBIS_LEN,
	[CDAT_DSMSCIS] = CDAT_DSMSCIS_LEN, [CDAT_DSIS] = CDAT_DSIS_LEN,
	[CDAT_DSEMTS] = CDAT_DSEMTS_LEN,   [CDAT_SSLBIS] = 0,
};

/* ACPI HMAT SLLBI Data Type, which DSLBIS and SSLBIS reuse */
static const char *const data_type_names[] = {
	[CDAT_ACCESS_LATENCY] = "access latency",
	[CDAT_READ_LATENCY] = "read latency",
	[CDAT_WRITE_LATENCY] = "write latency",
	[CDAT_ACCESS_BANDWIDTH] = "access bandwidth",
	[CDAT_READ_BANDWIDTH] = "read bandwidth",
	[CDAT_WRITE_BANDWIDTH] = "write bandwidth",
};

const char *cdat_type_name(uint8_t type)
{
	return type < CDAT_TYPE_COUNT ? type_names[type] : NULL;
}

int cdat_type_length(uint8_t type)
{
	return type < CDAT_TYPE_COUNT ? type_lengths[type] : -1;
}

const char *cdat_data_type_name(uint8_t data_type)
{
	return data_type < ARRAY_SIZE(data_type_names) ? data_type_names[data_type] : NULL;
}

int cdat_data_type_is_latency(uint8_t data_type)
{
	if (data_type <= CDAT_WRITE_LATENCY)
		return 1;
	if (data_type <= CDAT_WRITE_BANDWIDTH)
		return 0;
	return -1;
}

const char *cdat_data_type_unit(uint8_t data_type)
{
	switch (cdat_data_type_is_latency(data_type)) {
	case 1:
		return "ps";	/* HMAT: latency in picoseconds */
	case 0:
		return "MB/s";	/* HMAT: bandwidth in MB/s */
	}
	return NULL;
}

const char *cdat_level_name(enum cdat_level level)
{
	return level == CDAT_ERROR ? "error" : "warning";
}

uint64_t cdat_scale(uint16_t entry, uint64_t base_unit)
{
	if (entry && base_unit > UINT64_MAX / entry)
		return UINT64_MAX;
	return (uint64_t)entry * base_unit;
}
