// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live sources of a policy (policy_live.h). The `ephemeral` class is
 * whatever the kernel hands out as local ports in this network namespace,
 * so it is read each time, never written into a file. The SSH guard lives
 * here because it too depends on the running command rather than on the
 * policy text: the session's port comes from SSH_CONNECTION (sshd may
 * listen on 2222), and only a change that closes a port open now can cut
 * the session, so the guard compares the live policy with the next one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "maps_zone.h"
#include "policy_bitmap.h"
#include "policy_live.h"
#include "policy_zone.h"
#include "proto.h"

#define EPHEMERAL_SYSCTL "/proc/sys/net/ipv4/ip_local_port_range"

int policy_ephemeral_range(unsigned int *lo, unsigned int *hi)
{
	FILE *f = fopen(EPHEMERAL_SYSCTL, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%u %u", lo, hi);
	fclose(f);
	if (n != 2 || *lo > *hi || *hi > 65535)
		return -EINVAL;
	return 0;
}

unsigned int policy_ssh_port(void)
{
	const char *ssh = getenv("SSH_CONNECTION");
	const char *p;
	unsigned int port;
	size_t len;

	if (!ssh || !*ssh)
		return 0;
	/* The fourth field, "client-ip client-port server-ip server-port". */
	p = ssh;
	for (int field = 0; field < 3; field++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	len = strcspn(p, " \n");
	if (!px_port_parse(p, len, &port) && port)
		return port;
	return 22;
}

/* The client address, the first field of SSH_CONNECTION. */
static int ssh_client(struct px_prefix *out)
{
	const char *ssh = getenv("SSH_CONNECTION");
	unsigned int max;
	size_t len;

	if (!ssh || !*ssh)
		return -ENOENT;
	len = strcspn(ssh, " ");
	if (len > 7 && !strncasecmp(ssh, "::ffff:", 7) &&
	    memchr(ssh, '.', len)) { /* IPv4 on an IPv6 socket */
		ssh += 7;
		len -= 7;
	}
	if (len > 64 || memchr(ssh, '/', len) ||
	    zone_prefix_parse(ssh, len, out, &max))
		return -EINVAL;
	return 0;
}

const struct px_zone *policy_session_zone(const struct px_zoneset *zs,
					  struct px_zone *out)
{
	struct px_prefix a;
	unsigned int z;

	if (!zs || ssh_client(&a))
		return NULL;
	z = zoneset_lookup(zs, &a);
	if (!z)
		return NULL;
	*out = zs->zone[z];
	return out;
}

const struct px_zone *policy_session_zone_live(const struct px_zone_maps *m,
					       const struct px_policy *live,
					       struct px_zone *out)
{
	struct px_prefix a;

	if (!live || ssh_client(&a))
		return NULL;
	return maps_zone_lookup(m, live, &a, out) > 0 ? out : NULL;
}

/* Whether pol lets the client (in zone z, or none) in on port. */
static bool lets_in(const struct px_policy *pol, const struct px_zone *z,
		    unsigned int port)
{
	if (!z)
		return policy_port_open(pol, PX_TCP, port);
	if (z->flags & PX_ZF_BLOCK)
		return false;
	return z->open[PX_TCP][port / 64] >> (port % 64) & 1;
}

bool policy_cuts_session(const struct px_policy *live, const struct px_zone *lz,
			 const struct px_policy *next, const struct px_zone *nz)
{
	unsigned int port = policy_ssh_port();

	return port && (!live || lets_in(live, lz, port)) &&
	       !lets_in(next, nz, port);
}

bool policy_session_cut(const struct session_check *c, const char *what,
			const char *ifname)
{
	const struct px_zone *lz = NULL, *nz = NULL;
	struct px_zone *buf;
	bool cut;

	if (!policy_ssh_port())
		return false;
	buf = calloc(2, sizeof(*buf));
	if (!buf) /* cannot tell: the careful answer */
		return true;
	if (c->live && c->m)
		lz = policy_session_zone_live(c->m, c->live, &buf[0]);
	if (c->rebased && lz) {
		buf[1] = *lz;
		zone_rebase(&buf[1], c->next);
		nz = &buf[1];
	} else if (!c->rebased) {
		nz = policy_session_zone(c->zs, &buf[1]);
	}
	cut = policy_cuts_session(c->live, lz, c->next, nz);
	if (cut && what)
		policy_session_refusal(what, ifname, nz);
	free(buf);
	return cut;
}

void policy_session_refusal(const char *what, const char *ifname,
			    const struct px_zone *nz)
{
	unsigned int port = policy_ssh_port();
	const char *client = getenv("SSH_CONNECTION");
	char zone[PX_ZONE_NAME_LEN + 64] = "";
	int clen = client ? (int)strcspn(client, " ") : 0;

	if (clen > 64)
		clen = 64;
	if (nz && (nz->flags & PX_ZF_BLOCK)) {
		px_error("%s blocks %.*s (zone '%s' is blocked), where this "
			 "SSH session comes from (SSH_CONNECTION): you would "
			 "be cut off, so nothing was changed on %s; take the "
			 "client out of the block, or use --force if you have "
			 "another way in",
			 what, clen, client, nz->name, ifname);
		return;
	}
	if (nz)
		snprintf(zone, sizeof(zone), " for zone '%s' (%.*s)", nz->name,
			 clen, client);
	px_error("%s closes %u/tcp (ssh) on %s%s, the port this SSH session "
		 "came in on (SSH_CONNECTION): you would be cut off, so "
		 "nothing was changed; add 'open %u/tcp%s%s', or use --force "
		 "if you have another way in",
		 what, port, ifname, zone, port, nz ? " from " : "",
		 nz ? nz->name : "");
}
