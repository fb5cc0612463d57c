// SPDX-License-Identifier: MIT
/*
 * CMA/SPDM over DOE (PCIe r6.x §6.31.3): one SPDM message per data object
 * of vendor 0x0001 type 1, padded to a DW (so align is 4: the SPDM layer
 * accepts up to three trailing zero bytes after a message). Secured
 * messages of sessions travel as type 2 on the same mailbox.
 */
#include <doekit/doe.h>
#include <doekit/spdm.h>

static int doe_cma_exchange(void *priv, const void *req, size_t req_len, void *rsp,
			    size_t rsp_cap, size_t *rsp_len)
{
	return doe_exchange((struct doe_mb *)priv, DOE_VENDOR_PCISIG, DOE_TYPE_CMA, req, req_len,
			    rsp, rsp_cap, rsp_len);
}

/* Secured CMA/SPDM (PCIe r6.x §6.31.4): the same mailbox, type 2. */
static int doe_secured_exchange(void *priv, const void *req, size_t req_len, void *rsp,
				size_t rsp_cap, size_t *rsp_len)
{
	return doe_exchange((struct doe_mb *)priv, DOE_VENDOR_PCISIG, DOE_TYPE_SECURED_CMA, req,
			    req_len, rsp, rsp_cap, rsp_len);
}

static const struct spdm_transport_ops doe_cma_ops = {
	.exchange = doe_cma_exchange,
	.align = 4,
	.exchange_secured = doe_secured_exchange,
	.binding = 0,	/* SPDM_BINDING_DOE */
};

const struct spdm_transport_ops *spdm_transport_doe(void)
{
	return &doe_cma_ops;
}
