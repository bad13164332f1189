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

#include "err.h"
#include "policy_bitmap.h"
#include "policy_live.h"
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

bool policy_cuts_session(const struct px_policy *live,
			 const struct px_policy *next)
{
	unsigned int port = policy_ssh_port();

	return port && (!live || policy_port_open(live, PX_TCP, port)) &&
	       !policy_port_open(next, PX_TCP, port);
}

void policy_session_refusal(const char *what, const char *ifname)
{
	unsigned int port = policy_ssh_port();

	px_error("%s closes %u/tcp (ssh) on %s, the port this SSH session "
		 "came in on (SSH_CONNECTION): you would be cut off, so "
		 "nothing was changed; add 'open %u/tcp', or use --force if "
		 "you have another way in",
		 what, port, ifname, port);
}
