// SPDX-License-Identifier: MIT
/* PCI function addresses: "DDDD:BB:DD.F" and "BB:DD.F". */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <doekit/pci.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads exactly n hex digits from *s. */
static int hexfield(const char **s, int n, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < n; i++) {
		int d = hexval((*s)[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (unsigned int)d;
	}
	*s += n;
	*out = v;
	return 0;
}

int doe_bdf_parse(const char *s, struct doe_bdf *out)
{
	unsigned int dom = 0, bus, dev, fn;
	size_t len;

	if (!s || !out)
		return -EINVAL;
	len = strlen(s);
	if (len == 12) {
		if (hexfield(&s, 4, &dom) || *s++ != ':')
			return -EINVAL;
	} else if (len != 7) {
		return -EINVAL;
	}
	if (hexfield(&s, 2, &bus) || *s++ != ':' || hexfield(&s, 2, &dev) || *s++ != '.' ||
	    hexfield(&s, 1, &fn) || *s)
		return -EINVAL;
	if (dev > 31 || fn > 7)
		return -EINVAL;
	out->domain = (uint16_t)dom;
	out->bus = (uint8_t)bus;
	out->dev = (uint8_t)dev;
	out->fn = (uint8_t)fn;
	return 0;
}

void doe_bdf_format(const struct doe_bdf *bdf, char buf[DOE_BDF_STRLEN])
{
	snprintf(buf, DOE_BDF_STRLEN, "%04x:%02x:%02x.%x", bdf->domain, bdf->bus, bdf->dev,
		 bdf->fn & 7u);
}
