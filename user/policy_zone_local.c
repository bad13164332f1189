// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `zone NAME local` (doc/design.md, section 8): the IPv4 and IPv6 prefixes
 * configured on the interface the policy is applied to, link-local
 * included, read when it is applied, in the command's network namespace.
 *
 * Read with getifaddrs(3): glibc answers it with one rtnetlink dump
 * (RTM_GETADDR), so this is rtnetlink without a netlink parser of our
 * own; libbpf's netlink code is for XDP and tc only and not exported for
 * addresses. An interface that exists but has no address gives an empty
 * zone, not an error.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "policy_zone.h"

/* Length of a netmask: its leading one bits. */
static unsigned int mask_len(const __u8 *m, unsigned int bytes)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		if (m[i] != 0xff) /* its leading ones, and no more */
			return n + (unsigned int)__builtin_clz(
					   ((unsigned int)(__u8)~m[i]) << 24);
		n += 8;
	}
	return n;
}

static int one(struct px_zoneset *zs, const struct ifaddrs *a,
	       unsigned int zone)
{
	struct px_prefix p = {.zone = (__u8)zone};
	const __u8 *addr, *mask;
	unsigned int bytes;

	if (a->ifa_addr->sa_family == AF_INET) {
		addr = (const __u8 *)&((struct sockaddr_in *)a->ifa_addr)
			       ->sin_addr;
		mask = a->ifa_netmask
			       ? (const __u8 *)&(
					 (struct sockaddr_in *)a->ifa_netmask)
					 ->sin_addr
			       : NULL;
		p.family = 4;
		bytes = 4;
	} else {
		addr = (const __u8 *)&((struct sockaddr_in6 *)a->ifa_addr)
			       ->sin6_addr;
		mask = a->ifa_netmask
			       ? (const __u8 *)&(
					 (struct sockaddr_in6 *)a->ifa_netmask)
					 ->sin6_addr
			       : NULL;
		p.family = 6;
		bytes = 16;
	}
	p.len = (__u8)(mask ? mask_len(mask, bytes) : 8 * bytes);
	for (unsigned int i = 0; i < bytes; i++)
		p.addr[i] = addr[i] & (mask ? mask[i] : 0xff);
	return zoneset_add(zs, &p);
}

int zone_local_prefixes(struct px_zoneset *zs, const char *ifname,
			unsigned int zone)
{
	struct ifaddrs *all, *a;
	int err = 0;

	if (!if_nametoindex(ifname))
		return -ENODEV;
	if (getifaddrs(&all))
		return -errno;
	for (a = all; a && !err; a = a->ifa_next) {
		if (!a->ifa_addr || strcmp(a->ifa_name, ifname))
			continue;
		if (a->ifa_addr->sa_family == AF_INET ||
		    a->ifa_addr->sa_family == AF_INET6)
			err = one(zs, a, zone);
	}
	freeifaddrs(all);
	return err;
}
