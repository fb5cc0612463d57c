// The public headers must compile as C++ (and link with C linkage).
#include <doekit/doekit.h>

int main()
{
	struct doe_ctx *ctx = nullptr;

	if (doe_ctx_new(&ctx))
		return 1;
	struct doe_rd r;
	uint8_t b[2] = { 1, 2 };
	uint16_t v = 0;
	doe_rd_init(&r, b, sizeof(b));
	int rc = doe_rd_le16(&r, &v);
	doe_ctx_free(ctx);
	return rc == 0 && v == 0x0201 ? 0 : 1;
}
