/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The zone layout of the per-packet zone bench (progbench -z): 16 zones and
 * 10,000 prefixes, 8,000 IPv4 and 2,000 IPv6, nested where it matters, as a
 * policy text for the CLI's own parser and installer:
 *
 *   default closed
 *   open 22,80,443/tcp
 *   zone z1 198.51.100.0/24 2001:db8::/64 10.0.16.0/24 ...   (625 each)
 *   ...
 *   zone z16 198.51.100.66 ...
 *   open 5353/udp from z1          (a port a zone changes)
 *   open 6002/udp from z2 ... open 6015/udp from z15
 *   block z16                      (blocked sources; optional)
 *
 * The bench packets come from 198.51.100.1 and 2001:db8::1 (zone z1, by
 * its /24 and /64) and from 198.51.100.66 (zone z16 by its /32, inside
 * z1's /24: the longest prefix wins). The other prefixes are 10.x.y.0/24
 * and /28 and 2001:db8:1:N::/64, 1 + N % 16 their zone.
 */
#ifndef PX_TOOLS_ZONE_LAYOUT_H
#define PX_TOOLS_ZONE_LAYOUT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZL_ZONES 16
#define ZL_PREFIXES 10000
#define ZL_V4 8000	   /* prefixes 0..ZL_V4-1 are IPv4, the rest IPv6 */
#define ZL_ZONED_PORT 5353 /* UDP: open from z1 only */
#define ZL_BLOCKED_ZONE 16
#define ZL_SRC_BLOCKED 66 /* 198.51.100.66 */

/*
 * Prefix i of the layout as text into buf, and its zone (1..16) in
 * *zone. *addr (4 or 16 bytes, network order) is its network address,
 * *family 4 or 6.
 */
static inline void zl_prefix(unsigned int i, char *buf, size_t n,
			     unsigned int *zone, unsigned char *addr,
			     int *family)
{
	static const unsigned char net6[16] = {0x20, 1, 0x0d, 0xb8};

	*zone = 1 + i % ZL_ZONES;
	*family = i < ZL_V4 ? 4 : 6;
	memset(addr, 0, 16);
	if (i == 0 || i == 1) { /* the packets' sources */
		memcpy(addr, (const unsigned char[]){198, 51, 100, 0}, 4);
		addr[3] = i ? ZL_SRC_BLOCKED : 0;
		*zone = i ? ZL_BLOCKED_ZONE : 1;
		snprintf(buf, n, "198.51.100.%u%s", addr[3], i ? "" : "/24");
	} else if (i == ZL_V4) {
		memcpy(addr, net6, 16);
		*zone = 1;
		snprintf(buf, n, "2001:db8::/64");
	} else if (i < ZL_V4) {
		addr[0] = 10;
		addr[1] = (unsigned char)(i >> 8);
		addr[2] = (unsigned char)i;
		snprintf(buf, n, "10.%u.%u.0/%u", addr[1], addr[2],
			 i % 2 ? 28 : 24);
	} else {
		memcpy(addr, net6, 16);
		addr[4] = 0;
		addr[5] = 1;
		addr[6] = (unsigned char)(i >> 8);
		addr[7] = (unsigned char)i;
		snprintf(buf, n, "2001:db8:1:%x::/64", i);
	}
}

/* The policy text of the layout (malloc'd), its block line only when
 * block, or NULL. */
static inline char *zl_policy_text(bool block)
{
	size_t cap = 64 * ZL_PREFIXES + 4096, len = 0;
	char *t = malloc(cap), pfx[64];
	unsigned char addr[16];
	unsigned int zone;
	int family;

	if (!t)
		return NULL;
	len += (size_t)snprintf(t + len, cap - len,
				"default closed\nopen 22,80,443/tcp\n");
	for (unsigned int z = 1; z <= ZL_ZONES; z++) {
		len += (size_t)snprintf(t + len, cap - len, "zone z%u", z);
		for (unsigned int i = 0; i < ZL_PREFIXES; i++) {
			zl_prefix(i, pfx, sizeof(pfx), &zone, addr, &family);
			if (zone == z)
				len += (size_t)snprintf(t + len, cap - len,
							" %s", pfx);
		}
		len += (size_t)snprintf(t + len, cap - len, "\n");
	}
	len += (size_t)snprintf(t + len, cap - len, "open %u/udp from z1\n",
				ZL_ZONED_PORT);
	for (unsigned int z = 2; z < ZL_ZONES; z++) /* each its own verdicts */
		len += (size_t)snprintf(t + len, cap - len,
					"open %u/udp from z%u\n", 6000 + z, z);
	if (block)
		snprintf(t + len, cap - len, "block z%u\n", ZL_BLOCKED_ZONE);
	return t;
}

#endif
