// SPDX-License-Identifier: MIT
/* The socket frame header and the three transport framings, on any bytes:
 * what is accepted must lie inside the input and re-wrap to the same
 * length. */
#include <stdlib.h>
#include <string.h>

#include <doekit/spdm_socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[SPDM_SOCK_MAX_PAYLOAD + 16];
	uint32_t cmd, trans, len;

	spdm_sock_hdr_parse(NULL, data, size, SPDM_SOCK_MAX_PAYLOAD, &cmd, &trans, &len);
	for (int t = 0; t <= SPDM_SOCK_TRANS_PCI_DOE; t++) {
		enum spdm_sock_kind kind;
		const uint8_t *msg;
		size_t mlen, wlen;

		if (spdm_sock_unwrap(NULL, (enum spdm_sock_trans)t, data, size, &kind, &msg, &mlen))
			continue;
		if (msg < data || msg + mlen > data + size)
			abort();
		if (kind == SPDM_SOCK_DISCOVERY && t != SPDM_SOCK_TRANS_PCI_DOE)
			abort();
		if (!spdm_sock_wrap(NULL, (enum spdm_sock_trans)t, kind, msg, mlen, out, sizeof(out),
				    &wlen) &&
		    t != SPDM_SOCK_TRANS_PCI_DOE && wlen != size)
			abort();
	}
	return 0;
}
