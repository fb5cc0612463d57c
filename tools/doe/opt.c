// SPDX-License-Identifier: MIT
/*
 * The one parser for integer option values. strtoul() is too lenient for a
 * command line that decides what gets attested: it skips blanks, takes a
 * sign ("-1" becomes ULONG_MAX), reads "0x3" as hex and "07" as octal, and
 * callers narrowed its result before checking it, so --slot 256 became
 * slot 0. Here a value is plain decimal digits, nothing else.
 */
#include <errno.h>

#include "tool.h"

int opt_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!s || !*s)
		return -EINVAL;
	/* "07" could mean 7 or octal 7, "00" is a typo: say no rather than guess */
	if (s[0] == '0' && s[1])
		return -EINVAL;
	for (i = 0; s[i]; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Identifiers printed as hex (session IDs): an optional "0x", then 1 to 8
 * hex digits, either case; leading zeros are how they are printed. */
int opt_hex32(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return -EINVAL;
	for (i = 0; s[i]; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return -EINVAL;
		if (i == 8)
			return -ERANGE;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}
