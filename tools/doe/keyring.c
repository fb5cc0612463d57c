// SPDX-License-Identifier: MIT
/*
 * doe session --keyring: the session's data-phase keys as a Linux key
 * (libkeyutils), description "doekit:spdm:<device>:<session id>", payload
 * layout 1 of include/doekit/spdm_keyring.h. Type "logon" by default, so
 * user space cannot read the keys back; "user" for tests and debugging,
 * and for a session another doe command is to go on with (--session):
 * session_resume() takes it over from the key, session_resume_finish()
 * leaves the key with the sequence numbers the next user starts from.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <keyutils.h>
#include <openssl/crypto.h>

#include <doekit/spdm_keyring.h>
#include "attest.h"
#include "internal.h"
#include "session.h"

/* "@u" and friends, or a key serial in decimal. */
static int keyring_id(struct doe_ctx *ctx, const char *spec, key_serial_t *out)
{
	static const struct {
		const char *name;
		key_serial_t id;
	} special[] = {
		{ "@u", KEY_SPEC_USER_KEYRING },    { "@s", KEY_SPEC_SESSION_KEYRING },
		{ "@us", KEY_SPEC_USER_SESSION_KEYRING }, { "@p", KEY_SPEC_PROCESS_KEYRING },
		{ "@t", KEY_SPEC_THREAD_KEYRING },
	};
	unsigned long v = 0;

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (!strcmp(spec, special[i].name))
			return *out = special[i].id, 0;
	if (!*spec || strlen(spec) > 10)
		return doe_err(ctx, -EINVAL, "--keyring '%s': not @u, @s, @us, @p, @t or a key serial", spec);
	for (const char *p = spec; *p; p++) {
		if (*p < '0' || *p > '9' || (p == spec && *p == '0'))
			return doe_err(ctx, -EINVAL, "--keyring '%s': not @u, @s, @us, @p, @t or a key serial",
				       spec);
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 0x7fffffffUL)
		return doe_err(ctx, -EINVAL, "--keyring '%s': key serial out of range", spec);
	*out = (key_serial_t)v;
	return 0;
}

int session_key_install(struct doe_ctx *ctx, const struct spdm_sess *s, const char *device,
			const char *keyring, const char *type, int32_t *serial)
{
	uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE];
	char desc[160];
	key_serial_t ring = 0, k;

	TRY(keyring_id(ctx, keyring, &ring));
	/* a process without a session keyring that adds to @s gets a new,
	 * anonymous one that dies with it, and the key with it. Asked without
	 * create, the kernel names the user-session keyring for @s then:
	 * that is where the key goes, and it outlives us */
	if (ring == KEY_SPEC_SESSION_KEYRING) {
		key_serial_t ses = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0);

		if (ses > 0 && ses == keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0))
			ring = KEY_SPEC_USER_SESSION_KEYRING;
	}
	TRY(spdm_keyring_export(s, ctx, payload));
	snprintf(desc, sizeof(desc), "doekit:spdm:%s:%08x", device, spdm_sess_id(s));
	k = add_key(type, desc, payload, sizeof(payload), ring);
	OPENSSL_cleanse(payload, sizeof(payload));
	if (k < 0) {
		int e = errno;

		/* seccomp or a kernel without keys: say so, the caller exits 1 */
		return doe_err(ctx, e == ENOSYS || e == EPERM || e == EACCES ? -EPERM : -e,
			       "keyctl refused the key (%s): %s", strerror(e),
			       e == ENOSYS ? "this kernel has no key retention service"
			       : e == EPERM || e == EACCES ? "not allowed here (seccomp or permissions)"
							   : "see keyrings(7)");
	}
	*serial = k;
	return 0;
}

int session_key_revoke(struct doe_ctx *ctx, int32_t serial)
{
	if (keyctl_revoke(serial) < 0)
		return doe_err(ctx, -errno, "revoking key %d: %s", serial, strerror(errno));
	return 0;
}

/* The rings a kept session's key is looked for in: where doe session puts
 * it by default (@u) and the ones a login links to it. */
static const key_serial_t search_rings[] = { KEY_SPEC_SESSION_KEYRING,
					     KEY_SPEC_USER_SESSION_KEYRING,
					     KEY_SPEC_USER_KEYRING };

static key_serial_t key_search(const char *type, const char *desc)
{
	for (size_t i = 0; i < sizeof(search_rings) / sizeof(search_rings[0]); i++) {
		long k = keyctl_search(search_rings[i], type, desc, 0);

		if (k > 0)
			return (key_serial_t)k;
	}
	return -1;
}

/* The key's lock: one doekit command per kept session at a time. */
static int key_lock(struct doe_ctx *ctx, int32_t key, int *fd)
{
	const char *dir = doe_ctx_lock_dir(ctx);
	char path[PATH_MAX];

	/* where the device locks live (src/doe/cfg_sysfs.c) */
	if (!dir)
		dir = access("/run/lock", W_OK) == 0 ? "/run/lock" : "/tmp";
	snprintf(path, sizeof(path), "%s/doekit-key-%d.lock", dir, key);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return doe_err(ctx, -errno, "cannot open lock file %s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return doe_err(ctx, -EBUSY, "another doekit command is using the session of "
				       "key %d (%s)", key, path);
		return doe_err(ctx, -e, "cannot lock %s: %s", path, strerror(e));
	}
	return 0;
}

/* The payload of key k, read under its lock (taken here, *fd). */
static int key_load(struct doe_ctx *ctx, const char *device, uint32_t id, int32_t *serial,
		    int *fd, uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE])
{
	uint8_t buf[SPDM_KEYRING_PAYLOAD_SIZE + 1];	/* a longer key is not one of ours */
	char desc[160];
	key_serial_t k;
	long n;

	snprintf(desc, sizeof(desc), "doekit:spdm:%s:%08x", device, id);
	k = key_search("user", desc);
	if (k < 0) {
		int e = errno;

		if (e == ENOSYS || e == EPERM || e == EACCES)
			return doe_err(ctx, -EPERM, "keyctl refused the search for %s (%s)", desc,
				       strerror(e));
		if (key_search("logon", desc) > 0)
			return doe_err(ctx, -EKEYREJECTED, "%s is a logon key: user space cannot "
				       "read its keys back; to reuse a session, keep it with "
				       "doe session --keyring --key-type user", desc);
		return doe_err(ctx, -ENOKEY, "no key %s in the session, user-session or user "
			       "keyring: keep the session with doe session --keyring --key-type "
			       "user", desc);
	}
	*serial = k;
	TRY(key_lock(ctx, k, fd));
	n = keyctl_read(k, (char *)buf, sizeof(buf));
	if (n == SPDM_KEYRING_PAYLOAD_SIZE)
		memcpy(payload, buf, SPDM_KEYRING_PAYLOAD_SIZE);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (n < 0)
		return doe_err(ctx, -errno, "reading key %d (%s): %s", k, desc, strerror(errno));
	if (n != SPDM_KEYRING_PAYLOAD_SIZE)
		return doe_err(ctx, -EBADMSG, "key %d (%s): %ld bytes, a session payload has %u", k,
			       desc, n, SPDM_KEYRING_PAYLOAD_SIZE);
	return 0;
}

static int key_update(struct doe_ctx *ctx, int32_t serial,
		      const uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE])
{
	if (keyctl_update(serial, payload, SPDM_KEYRING_PAYLOAD_SIZE) < 0)
		return doe_err(ctx, -errno, "updating key %d: %s", serial, strerror(errno));
	return 0;
}

int session_resume(struct attest *a, uint32_t id, void *mem, size_t mem_len,
		   struct kept_session *ks, const struct spdm_transport_ops **ops, void **priv)
{
	struct doe_ctx *ctx = a->t->ctx;
	uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE];
	struct spdm_keyring_payload k;
	int rc;

	*ks = (struct kept_session){ .id = id, .lock_fd = -1 };
	/* an in-process device is as old as this command: no session of an
	 * earlier one can be alive in it */
	if (a->dev.emulated)
		return doe_err(ctx, -ENOENT, "%s is emulated in this process: no session kept by an "
			       "earlier command lives in it; serve it with doe emulate --listen "
			       "and keep and reuse the session over tcp:", a->name);
	*ops = attest_transport(a, priv);
	rc = key_load(ctx, a->name, id, &ks->key, &ks->lock_fd, payload);
	if (!rc)
		rc = spdm_keyring_parse(ctx, payload, sizeof(payload), &k);
	OPENSSL_cleanse(payload, sizeof(payload));
	if (rc)
		return rc;
	/* the record layer is the binding's: DOE records mean nothing over MCTP */
	if (!(k.flags & SPDM_KEYRING_MCTP) != ((*ops)->binding == SPDM_BINDING_DOE))
		rc = doe_err(ctx, -EPROTO, "session %08x was set up over %s, this transport is %s",
			     id, k.flags & SPDM_KEYRING_MCTP ? "MCTP" : "PCIe DOE",
			     (*ops)->binding == SPDM_BINDING_DOE ? "PCIe DOE" : "MCTP");
	else if (k.session_id != id)
		rc = doe_err(ctx, -EBADMSG, "key %d holds session %08x, not %08x", ks->key,
			     k.session_id, id);
	else
		rc = spdm_sess_req_resume(mem, mem_len, ctx, &k, &ks->s);
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

int session_resume_finish(struct doe_ctx *ctx, struct kept_session *ks, int flow_rc)
{
	uint8_t payload[SPDM_KEYRING_PAYLOAD_SIZE];
	int rc = 0;

	/* the flow's failure first, saying what a dead resumed session means */
	if (flow_rc && ks->s && spdm_sess_state(ks->s) == SPDM_SESS_FAILED) {
		char was[256];

		snprintf(was, sizeof(was), "%s", doe_ctx_errmsg(ctx));
		flow_rc = doe_err(ctx, flow_rc, "session %08x: %s: the device no longer takes this "
				  "session (it ended or was reset, or the key's sequence numbers "
				  "were used elsewhere)", ks->id, was);
	}

	/* nothing was sent when no session was made of the key (a payload
	 * refused, a binding that is not the transport's): the key stays */
	if (ks->s && ks->lock_fd >= 0) {
		/* ended, or failed (a record the device refused ends the
		 * session there too, DSP0277): its keys are good for nothing */
		if (spdm_sess_state(ks->s) != SPDM_SESS_ESTABLISHED) {
			rc = session_key_revoke(ctx, ks->key);
			ks->revoked = !rc;
		} else {
			rc = spdm_keyring_export(ks->s, ctx, payload);
			if (!rc)
				rc = key_update(ctx, ks->key, payload);
			OPENSSL_cleanse(payload, sizeof(payload));
		}
	}
	if (ks->lock_fd >= 0)
		close(ks->lock_fd);	/* drops the flock */
	ks->lock_fd = -1;
	return flow_rc ? flow_rc : rc;
}
