// SPDX-License-Identifier: MIT
/*
 * The emulated IDE Extended Capability (PCIe r6 §7.9.26, ID 0x30) and the
 * link model behind it (docs/idekm.md, "The emulated link").
 *
 * Register layout (offsets from the capability header):
 *   0x00 header, 0x04 IDE Capability (Link, Selective, IDE_KM; algorithm
 *   0, one Link TC, one Selective stream), 0x08 IDE Control,
 *   0x0C/0x10 Link IDE Stream Control/Status (TC 0),
 *   0x14 Selective IDE Stream Capability (one address block), 0x18 its
 *   Control, 0x1C Status, 0x20/0x24 RID Association 1/2, 0x28..0x33 the
 *   address association block.
 * Only the two Stream Control registers are writable (Enable, algorithm,
 * TC, Stream ID); Status is computed.
 *
 * An endpoint's IDE_KM device end is an idekm_dev whose QUERY_RESP
 * registers are these very bytes; a switch upstream port's has a port per
 * switch port with IDE (emu_fn_ide_dev()). A root port's keys are what the
 * platform (emu_fn_ide_set_keys()) gave it. A stream is Secure, on both
 * ends, when both Enable bits are set with the same Stream ID and, for
 * every sub-stream and direction, the endpoint's live key set holds the
 * key and IFV the root port holds for it (live) in that key set. Both
 * holding keys that differ is the emulated integrity failure: Insecure,
 * IDE Fail Message Received (Status bit 31) on both ends and the failure
 * counter counts it. The switches between them are transparent here
 * (the emulated link is end to end, for Link IDE too).
 */
#include <stdlib.h>
#include <string.h>

#include <doekit/cursor.h>
#include <doekit/emu.h>
#include <doekit/idekm.h>
#include <openssl/crypto.h>
#include "emu_internal.h"
#include "internal.h"

#define IDE_CAP_ID 0x30u
#define IDE_SIZE 0x34u
#define IDE_REG_CAP 0x04u
#define IDE_REG_LINK_CTL 0x0Cu
#define IDE_REG_LINK_STS 0x10u
#define IDE_REG_SEL_CAP 0x14u
#define IDE_REG_SEL_CTL 0x18u
#define IDE_REG_SEL_STS 0x1Cu
#define IDE_REG_RID1 0x20u
#define IDE_REG_RID2 0x24u
/* Enable, algorithm 18:14, TC 21:19, Stream ID 31:24 */
#define IDE_CTL_WRITABLE 0xFF3FC001u

struct emu_ide {
	uint16_t off;			/* capability offset in config space */
	struct idekm_dev *dev;		/* endpoint: the IDE_KM device end (lazy) */
	struct idekm_dev_faults faults;
	/* root port: the keys the platform programmed, per key set */
	struct {
		bool set;
		struct idekm_keys k;
	} ks[IDEKM_KEYSETS];
	int live;			/* key set the root port uses, -1: none */
	struct emu_fn *partner;		/* root port: the endpoint it pairs with */
	/* switch upstream port: its downstream ports with an IDE capability,
	 * IDE_KM PortIndex 1.. in the order they were added */
	struct emu_fn *dsp[IDEKM_DEV_MAX_PORTS - 1];
	uint8_t ndsp;
	unsigned failures;
	bool corrupt_host;		/* endpoint: its host gets one key bit flipped */
	bool failing[2];		/* per block (link, selective): in failure now */
};

static struct emu_ide *ide_of(struct emu_fn *fn)
{
	return *emu_fn_ide_slot(fn);
}

void emu_ide_free(struct emu_ide *ide)
{
	if (!ide)
		return;
	if (ide->dev) {
		idekm_dev_fini(ide->dev);
		free(ide->dev);
	}
	OPENSSL_cleanse(ide->ks, sizeof(ide->ks));
	free(ide);
}

static uint32_t reg(struct emu_fn *fn, uint16_t r)
{
	return doe_get_le32(emu_fn_config_image(fn) + ide_of(fn)->off + r);
}

static void set_reg(struct emu_fn *fn, uint16_t r, uint32_t v)
{
	doe_put_le32(emu_fn_config_image(fn) + ide_of(fn)->off + r, v);
}

/* The switch upstream port whose IDE_KM serves fn, a downstream port. */
static struct emu_fn *ide_usp_of(struct emu_fn *fn)
{
	struct emu_fn *up = emu_fn_parent(fn);

	if (emu_fn_info(fn)->port_type != EMU_PCIE_SWITCH_DOWN || !up ||
	    emu_fn_info(up)->port_type != EMU_PCIE_SWITCH_UP || !ide_of(up))
		return NULL;
	return up;
}

int emu_fn_add_ide(struct emu_fn *fn)
{
	const struct emu_fn_info *info = emu_fn_info(fn);
	struct emu_fn *usp = ide_usp_of(fn);
	struct emu_ide *ide;
	uint16_t off;
	int rc;

	if (ide_of(fn))
		return doe_err(emu_fn_ctx(fn), -EEXIST, "function already has an IDE capability");
	if (usp && (ide_of(usp)->ndsp == IDEKM_DEV_MAX_PORTS - 1 || ide_of(usp)->dev))
		return doe_err(emu_fn_ctx(fn), -ENOSPC,
			       "switch upstream port %02x:%02x.%x: %s", emu_fn_info(usp)->bdf.bus,
			       emu_fn_info(usp)->bdf.dev, emu_fn_info(usp)->bdf.fn,
			       ide_of(usp)->dev ? "its IDE_KM ports are fixed once it has answered"
						: "IDE_KM serves at most 7 downstream ports");
	ide = calloc(1, sizeof(*ide));
	if (!ide)
		return -ENOMEM;
	rc = emu_fn_add_extcap_at(fn, IDE_CAP_ID, 1, IDE_SIZE, &off);
	if (rc) {
		free(ide);
		return rc;
	}
	ide->off = off;
	ide->live = -1;
	*emu_fn_ide_slot(fn) = ide;
	/* Link + Selective + IDE_KM, AES-GCM 256 (0), 1 TC, 1 selective stream */
	set_reg(fn, IDE_REG_CAP, IDEKM_CAP_LINK | IDEKM_CAP_SELECTIVE | IDEKM_CAP_IDE_KM);
	set_reg(fn, IDE_REG_SEL_CAP, 1);	/* one address association block */
	/* RID association: the function's own bus, all of it */
	set_reg(fn, IDE_REG_RID1, (uint32_t)(info->bdf.bus << 8 | 0xFF) << 8);
	set_reg(fn, IDE_REG_RID2, (uint32_t)info->bdf.bus << 16 | 1u);	/* valid */
	if (usp)
		ide_of(usp)->dsp[ide_of(usp)->ndsp++] = fn;
	return 0;
}

bool emu_fn_has_ide(struct emu_fn *fn)
{
	return ide_of(fn) != NULL;
}

struct emu_fn *emu_fn_ide_host(struct emu_fn *fn)
{
	for (struct emu_fn *p = emu_fn_parent(fn); p; p = emu_fn_parent(p))
		if (emu_fn_info(p)->port_type == EMU_PCIE_ROOT_PORT)
			return ide_of(p) ? p : NULL;
	return NULL;
}

static void changed(void *priv, uint8_t port, uint8_t stream);
static void eval(struct emu_fn *ep);

/* An IDE_KM port: a function's own Dev/Func, Bus, Segment and its live
 * registers from the IDE Capability register on. */
static struct idekm_dev_port_cfg port_cfg(struct emu_fn *fn)
{
	const struct emu_fn_info *info = emu_fn_info(fn);

	return (struct idekm_dev_port_cfg){
		.dev_func = (uint8_t)(info->bdf.dev << 3 | info->bdf.fn),
		.bus = info->bdf.bus,
		.segment = (uint8_t)info->bdf.domain,
		.regs = emu_fn_config_image(fn) + ide_of(fn)->off + IDE_REG_CAP,
		.regs_len = IDE_SIZE - IDE_REG_CAP,
	};
}

static int dev_init(struct emu_fn *fn, const struct idekm_dev_port_cfg *pc, unsigned n)
{
	struct emu_ide *ide = ide_of(fn);

	TRY(idekm_dev_init(ide->dev, emu_fn_ctx(fn), pc, n));
	ide->dev->faults = ide->faults;
	ide->dev->changed = changed;
	ide->dev->changed_priv = fn;
	return 0;
}

/*
 * An endpoint or a downstream port answers for itself: one port, index 0.
 * A switch upstream port answers for the whole switch, as the switch's
 * one IDE_KM responder: PortIndex 0 is the upstream port, 1..N its
 * downstream ports with an IDE capability, each QUERY_RESP carrying that
 * port's own Dev/Func, Bus, Segment and live registers. So a requester
 * finds the port it means by its BDF (what intel/tee-io-validator does,
 * PR #313, and its QUERY test cases: QUERY_RESP's Dev/Func, Bus and
 * Segment are the port's PCI ones, MaxPortIndex >= PortIndex); DMTF
 * spdm-emu's requester asks PortIndex 1 and its sample device reports
 * MaxPortIndex 7. The order of the downstream ports is ours (they were
 * added, i.e. device number order, which here is also their Port Number).
 */
struct idekm_dev *emu_fn_ide_dev(struct emu_fn *fn)
{
	struct idekm_dev_port_cfg pc[IDEKM_DEV_MAX_PORTS];
	struct emu_ide *ide = ide_of(fn);
	unsigned n = 0;

	if (!ide || emu_fn_info(fn)->port_type == EMU_PCIE_ROOT_PORT)
		return NULL;
	if (ide->dev)
		return ide->dev;
	ide->dev = calloc(1, sizeof(*ide->dev));
	if (!ide->dev)
		return NULL;
	pc[n++] = port_cfg(fn);
	for (uint8_t i = 0; i < ide->ndsp; i++)
		pc[n++] = port_cfg(ide->dsp[i]);
	if (dev_init(fn, pc, n)) {
		free(ide->dev);
		ide->dev = NULL;
		return NULL;
	}
	return ide->dev;
}

int emu_fn_set_ide_faults(struct emu_fn *fn, const struct idekm_dev_faults *f)
{
	struct emu_ide *ide = ide_of(fn);
	static const struct idekm_dev_faults none;

	if (!ide)
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no IDE capability");
	ide->faults = f ? *f : none;
	if (ide->dev)
		ide->dev->faults = ide->faults;
	return 0;
}

/* The state of one block (0 link, 1 selective) of ep and its host. */
enum link_state { LS_INSECURE, LS_SECURE, LS_FAIL };

/* Where ep's keys for an IDE_KM PortIndex are: PortIndex 0 in ep's own
 * device end; above 0 ep is a downstream port and they are in its switch
 * upstream port's, under the index that port gave ep. NULL: nowhere. */
static const struct idekm_dev *key_holder(struct emu_fn *ep, uint8_t port_index)
{
	struct emu_fn *usp;

	if (!port_index)
		return ide_of(ep)->dev;
	usp = ide_usp_of(ep);
	if (!usp || port_index > ide_of(usp)->ndsp || ide_of(usp)->dsp[port_index - 1] != ep)
		return NULL;
	return ide_of(usp)->dev;
}

static enum link_state block_state(struct emu_fn *ep, struct emu_fn *rp, uint16_t ctl_reg)
{
	struct emu_ide *r = rp ? ide_of(rp) : NULL;
	uint32_t ec = reg(ep, ctl_reg), rc;
	uint8_t sid = (uint8_t)(ec >> IDEKM_CTL_ID_SHIFT);
	const struct idekm_dev *dev;
	bool mismatch = false;

	if (!r || r->partner != ep)
		return LS_INSECURE;
	rc = reg(rp, ctl_reg);
	if (!(ec & IDEKM_CTL_ENABLE) || !(rc & IDEKM_CTL_ENABLE) ||
	    (uint8_t)(rc >> IDEKM_CTL_ID_SHIFT) != sid)
		return LS_INSECURE;
	if (r->live < 0 || !r->ks[r->live].set || r->ks[r->live].k.stream_id != sid)
		return LS_INSECURE;	/* the host end has no keys: no traffic yet */
	dev = key_holder(ep, r->ks[r->live].k.port_index);
	if (!dev)
		return LS_INSECURE;	/* no device end for the port the keys name */
	for (uint8_t sub = 0; sub < IDEKM_SUBSTREAMS; sub++)
		for (uint8_t dir = 0; dir < 2; dir++) {
			const struct idekm_keys *hk = &r->ks[r->live].k;
			uint8_t key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];
			int a = idekm_dev_active(dev, hk->port_index, sid, sub, dir);

			if (a < 0)
				return LS_INSECURE;	/* the device end not going */
			/* the host transmits with the device's Rx key and
			 * receives with its Tx key: same bytes, same set */
			if (a != r->live ||
			    idekm_dev_key(dev, hk->port_index, sid, sub, dir, (uint8_t)a, key,
					  ifv) ||
			    CRYPTO_memcmp(key, hk->k[sub][dir].key, sizeof(key)) ||
			    CRYPTO_memcmp(ifv, hk->k[sub][dir].ifv, sizeof(ifv)))
				mismatch = true;
			OPENSSL_cleanse(key, sizeof(key));
		}
	return mismatch ? LS_FAIL : LS_SECURE;
}

/* A reset (PERST#, a PPB reset) loses what IDE_KM programmed and the
 * Stream Control settings; the root port's platform keys and fault
 * knobs stay (the platform's, and the device's design). */
void emu_ide_reset(struct emu_fn *fn)
{
	struct emu_ide *ide = ide_of(fn);

	if (!ide)
		return;
	/* in place: sessions of socket connections may still point at it */
	if (ide->dev) {
		struct idekm_dev_port_cfg pc[IDEKM_DEV_MAX_PORTS];
		unsigned n = ide->dev->nports;

		memcpy(pc, ide->dev->port, sizeof(pc));
		idekm_dev_fini(ide->dev);
		dev_init(fn, pc, n);	/* the same ports: it cannot fail */
	}
	set_reg(fn, IDE_REG_LINK_CTL, 0);
	set_reg(fn, IDE_REG_SEL_CTL, 0);
	set_reg(fn, IDE_REG_LINK_STS, 0);
	set_reg(fn, IDE_REG_SEL_STS, 0);
	ide->failing[0] = ide->failing[1] = false;
	eval(ide->partner ? ide->partner : fn);
	for (uint8_t i = 0; i < ide->ndsp; i++)	/* the keys it held for its ports went too */
		eval(ide->dsp[i]);
}

static uint32_t sts_of(enum link_state st)
{
	return st == LS_SECURE ? IDEKM_STS_SECURE
	       : st == LS_FAIL ? IDEKM_STS_INSECURE | IDEKM_STS_IDE_FAIL
			       : IDEKM_STS_INSECURE;
}

/* Recomputes both ends' Status registers for ep's streams. */
static void eval(struct emu_fn *ep)
{
	static const uint16_t ctl[2] = { IDE_REG_LINK_CTL, IDE_REG_SEL_CTL };
	static const uint16_t sts[2] = { IDE_REG_LINK_STS, IDE_REG_SEL_STS };
	struct emu_fn *rp = emu_fn_ide_host(ep);
	struct emu_ide *e = ide_of(ep);

	if (!e)
		return;
	for (int b = 0; b < 2; b++) {
		enum link_state st = block_state(ep, rp, ctl[b]);
		bool fail = st == LS_FAIL;

		if (fail && !e->failing[b]) {
			e->failures++;
			if (rp)
				ide_of(rp)->failures++;
		}
		e->failing[b] = fail;
		set_reg(ep, sts[b], sts_of(st));
		if (rp && ide_of(rp)->partner == ep)
			set_reg(rp, sts[b], sts_of(st));
	}
}

/* After an IDE_KM change on a port of fn's device end: that port's
 * function (a switch upstream port's PortIndex N is its Nth downstream
 * port) is what the link model looks at again. */
static void changed(void *priv, uint8_t port, uint8_t stream)
{
	struct emu_fn *fn = priv;
	struct emu_ide *ide = ide_of(fn);

	(void)stream;
	eval(port && port <= ide->ndsp ? ide->dsp[port - 1] : fn);
}

bool emu_ide_write(struct emu_fn *fn, uint16_t off, uint32_t val)
{
	struct emu_ide *ide = ide_of(fn);
	uint16_t r;

	if (!ide || off < ide->off || off >= ide->off + IDE_SIZE)
		return false;
	r = (uint16_t)(off - ide->off);
	if (r == IDE_REG_LINK_CTL || r == IDE_REG_SEL_CTL) {
		set_reg(fn, r, (reg(fn, r) & ~IDE_CTL_WRITABLE) | (val & IDE_CTL_WRITABLE));
		eval(ide->partner ? ide->partner : fn);
	}
	return true;	/* everything else read-only */
}

static int check_host(struct emu_fn *port)
{
	if (!ide_of(port) || emu_fn_info(port)->port_type != EMU_PCIE_ROOT_PORT)
		return doe_err(emu_fn_ctx(port), -EINVAL,
			       "%02x:%02x.%x is not a root port with an IDE capability",
			       emu_fn_info(port)->bdf.bus, emu_fn_info(port)->bdf.dev,
			       emu_fn_info(port)->bdf.fn);
	return 0;
}

int emu_fn_ide_set_keys(struct emu_fn *port, struct emu_fn *partner, const struct idekm_keys *k)
{
	struct emu_ide *r;

	TRY(check_host(port));
	if (!partner || !ide_of(partner) || emu_fn_ide_host(partner) != port)
		return doe_err(emu_fn_ctx(port), -EINVAL,
			       "the partner is not an IDE function below this root port");
	if (k->keyset >= IDEKM_KEYSETS)
		return doe_err(emu_fn_ctx(port), -EINVAL, "key set %u: 0 or 1", k->keyset);
	r = ide_of(port);
	if (r->partner && r->partner != partner) {
		struct emu_fn *old = r->partner;

		r->partner = NULL;
		eval(old);	/* the old partner's streams lose their host */
	}
	r->partner = partner;
	r->ks[k->keyset].k = *k;
	if (ide_of(partner)->corrupt_host)	/* the platform got it wrong */
		r->ks[k->keyset].k.k[IDEKM_PR][IDEKM_RX].key[0] ^= 0x01;
	r->ks[k->keyset].set = true;
	r->live = k->keyset;
	eval(partner);
	return 0;
}

int emu_fn_ide_clear_keys(struct emu_fn *port, uint8_t keyset)
{
	struct emu_ide *r;

	TRY(check_host(port));
	if (keyset >= IDEKM_KEYSETS)
		return doe_err(emu_fn_ctx(port), -EINVAL, "key set %u: 0 or 1", keyset);
	r = ide_of(port);
	OPENSSL_cleanse(&r->ks[keyset], sizeof(r->ks[keyset]));
	if (r->live == keyset)
		r->live = r->ks[!keyset].set ? !keyset : -1;
	if (r->partner)
		eval(r->partner);
	return 0;
}

int emu_fn_ide_corrupt_host(struct emu_fn *fn, bool on)
{
	if (!ide_of(fn))
		return doe_err(emu_fn_ctx(fn), -ENOENT, "emulated function has no IDE capability");
	ide_of(fn)->corrupt_host = on;
	return 0;
}

unsigned emu_fn_ide_failures(struct emu_fn *fn)
{
	return ide_of(fn) ? ide_of(fn)->failures : 0;
}

static const struct {
	const char *name;
	struct idekm_dev_faults f;
} ide_faults[] = {
	{ "none", { 0 } },
	{ "bad-status", { .kp_status = IDEKM_KP_UNSPECIFIED } },
	{ "wrong-stream", { .wrong_stream = true } },
	{ "wrong-keyset", { .ksd_xor = 0x01 } },
	{ "wrong-port", { .wrong_port = true } },
	{ "wrong-object", { .wrong_object = true } },
	{ "drop-go", { .drop_go = true } },
	{ "error-go", { .error_go = true } },
};

int emu_ide_fault_parse(const char *name, struct idekm_dev_faults *f)
{
	for (size_t i = 0; i < sizeof(ide_faults) / sizeof(ide_faults[0]); i++)
		if (!strcmp(name, ide_faults[i].name)) {
			*f = ide_faults[i].f;
			return 0;
		}
	return -EINVAL;
}

const char *emu_ide_fault_names(void)
{
	return "none, bad-status, wrong-stream, wrong-keyset, wrong-port, wrong-object, drop-go, "
	       "error-go";
}
