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

#include <json-c/printbuf.h>

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

/*
 * JSON. json-c writes a string's bytes < 0x20 as \u00XX but everything
 * else as it is: DEL, C1 controls (U+009B is CSI to some terminals, and
 * `doe attest -j` is read on terminals too) and bytes that are not UTF-8,
 * which make the output not JSON (RFC 8259 §8.1). Strings a device chose
 * get this serializer instead: those code points as \u00XX, a byte that
 * does not start a well-formed UTF-8 sequence as \ufffd. Parsing the
 * output gives the device's string back, except for such bytes.
 */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 §4), 0 if none;
 * *cp is its code point. */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2, min = 0x80, *cp = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3, min = 0x800, *cp = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4, min = 0x10000, *cp = s[0] & 0x07u;
	} else {
		return 0;	/* continuation byte, C0/C1 overlong lead, > U+10FFFF */
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0u) != 0x80u)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3Fu);
	}
	/* overlong forms, UTF-16 surrogates and code points past U+10FFFF */
	if (*cp < min || (*cp >= 0xD800 && *cp <= 0xDFFF) || *cp > 0x10FFFF)
		return 0;
	return n;
}

static int untrusted_to_json(struct json_object *o, struct printbuf *pb, int level, int flags)
{
	const unsigned char *s = (const unsigned char *)json_object_get_string(o);
	size_t len = (size_t)json_object_get_string_len(o);

	(void)level;
	(void)flags;
	printbuf_strappend(pb, "\"");
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_seq(s + i, len - i, &cp);
		char u[8];

		if (n == 0) {
			printbuf_strappend(pb, "\\ufffd");
			i++;
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			snprintf(u, sizeof(u), "\\u%04x", (unsigned)cp);
			printbuf_memappend(pb, u, 6);
		} else if (cp == '"' || cp == '\\') {
			u[0] = '\\';
			u[1] = (char)cp;
			printbuf_memappend(pb, u, 2);
		} else {
			printbuf_memappend(pb, (const char *)s + i, (int)n);
		}
		i += n;
	}
	printbuf_strappend(pb, "\"");
	return 0;
}

struct json_object *tool_json_untrusted(const char *s, size_t len)
{
	struct json_object *o = json_object_new_string_len(s, (int)len);

	if (o)
		json_object_set_serializer(o, untrusted_to_json, NULL, NULL);
	return o;
}
