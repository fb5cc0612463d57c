// SPDX-License-Identifier: MIT
/*
 * Text output of strings the tool did not write itself: certificate names
 * and SANs, measurement text, messages that quote them, file names.
 *
 * A device chooses those bytes. Printed raw, an ESC sequence in a SAN can
 * clear the screen and paint "verified" over the real verdict, and it
 * would run before the chain is even checked. So every byte that is not
 * printable ASCII, and the backslash that introduces our escapes, becomes
 * \xNN. Bytes >= 0x80 are escaped too, even in valid UTF-8: U+0080..U+009F
 * are C1 controls (U+009B is CSI) and U+202E reverses the text that
 * follows; telling harmless code points from those is not worth the risk
 * in a security verdict. JSON output keeps the real string (json-c writes
 * controls as \u00XX), so nothing is lost there.
 */
#include <string.h>

#include "tool.h"

static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

size_t tool_escape(const char *in, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t need = 0, o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		size_t w = plain(c) ? 1 : 4;

		/* stop at the first escape that does not fit whole: half of
		 * "\x1b" would read as another byte */
		if (outlen && o == need && o + w < outlen) {
			if (w == 1) {
				out[o++] = (char)c;
			} else {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[c >> 4];
				out[o++] = hex[c & 0xF];
			}
		}
		need += w;
	}
	if (outlen)
		out[o] = '\0';
	return need;
}

const char *tool_esc(char *buf, size_t buflen, const char *s)
{
	tool_escape(s, strlen(s), buf, buflen);
	return buf;
}

void tool_fputs_escaped(const char *s, FILE *f)
{
	char buf[256];
	size_t len = strlen(s);

	/* in slices, so a message of any length is escaped whole */
	while (len) {
		size_t n = len < 63 ? len : 63;	/* 63 * 4 + 1 fits in buf */

		tool_escape(s, n, buf, sizeof(buf));
		fputs(buf, f);
		s += n;
		len -= n;
	}
}
