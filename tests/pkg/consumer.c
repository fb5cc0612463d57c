/* An out-of-tree program built against an installed doekit with pkg-config. */
#include <stdio.h>
#include <doekit/doekit.h>

int main(void)
{
	struct doe_ctx *ctx;
	struct emu_topo *topo;
	int rc;

	if (doe_ctx_new(&ctx))
		return 1;
	rc = emu_topo_new(ctx, NULL, &topo);
	if (rc) {
		fprintf(stderr, "%s\n", doe_ctx_errmsg(ctx));
		return 1;
	}
	printf("%s %zu\n", emu_topo_profile(topo), emu_topo_count(topo));
	emu_topo_free(topo);
	doe_ctx_free(ctx);
	return 0;
}
