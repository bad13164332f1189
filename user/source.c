// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Sources (an IPv4 address, an IPv6 /64) and prefixes: parsing and
 * printing. See source.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

/* addr/len into 16 bytes (IPv4 in the first 4); *family 4 or 6, *plen the
 * length (-1 when none was given). */
static int addr_split(const char *s, size_t len, __u8 a[16], int *family,
		      int *plen, const char **why)
{
	char buf[SOURCE_LEN];
	char *slash, *end;
	long n;

	*why = "not an IPv4 or IPv6 address";
	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*plen = -1;
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -EINVAL;
		n = strtol(slash, &end, 10);
		if (*end || n > 128) {
			*why = "the prefix length is not a number up to 32 "
			       "(IPv4) or 128 (IPv6)";
			return -EINVAL;
		}
		*plen = (int)n;
	}
	memset(a, 0, 16);
	if (inet_pton(AF_INET, buf, a) == 1) {
		*family = 4;
		if (*plen > 32) {
			*why = "an IPv4 prefix is at most /32";
			return -EINVAL;
		}
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a) == 1) {
		*family = 6;
		return 0;
	}
	return -EINVAL;
}

/* fe80::/64: where every link-local address is (RFC 4291). */
static const __u8 link_local[8] = {0xfe, 0x80};

/* ::ffff:0:0/96: an IPv4 address written as IPv6 (RFC 4291, 2.5.5.2). */
static const __u8 v4_mapped[12] = {[10] = 0xff, [11] = 0xff};

/* An IPv4-mapped address (plen none or 128) is its IPv4 address: that is
 * what its packets carry on the wire. */
static void unmap_v4(__u8 a[16], int *family, int *plen)
{
	if (*family != 6 || memcmp(a, v4_mapped, 12))
		return;
	memmove(a, a + 12, 4);
	memset(a + 4, 0, 12);
	*family = 4;
	if (*plen == 128)
		*plen = 32;
	else if (*plen != -1)
		*plen = 0; /* a range: refused as one */
}

/* what, and the fix: a block line for the range s (at most SOURCE_LEN). */
static const char *range_why(const char *s, const char *what)
{
	static char why[256];

	snprintf(why, sizeof(why),
		 "%s: to drop the range, add the line 'block %s' to the "
		 "policy (or ban each address)",
		 what, s);
	return why;
}

int source_parse(const char *s, struct px_ban_key *out, const char **why)
{
	int family, plen;
	__u8 a[16];

	if (addr_split(s, strlen(s), a, &family, &plen, why))
		return -EINVAL;
	unmap_v4(a, &family, &plen);
	memset(out, 0, sizeof(*out));
	out->family = (__u32)family;
	if (family == 4 && plen != -1 && plen != 32) {
		*why = range_why(s, "a ban is on one IPv4 address (a /32), "
				    "not a range");
		return -EINVAL;
	}
	if (family == 6 && plen != -1 && plen != 64 && plen != 128) {
		*why = range_why(s, "an IPv6 ban is on a /64 (an address "
				    "stands for its /64), not a range");
		return -EINVAL;
	}
	if (family == 6 && !memcmp(a, link_local, 8)) {
		if (plen == 64) {
			*why = "a link-local source is banned by its address "
			       "(fe80::/64 is every host on the link): give "
			       "the address, e.g. fe80::1";
			return -EINVAL;
		}
		out->family = PX_BAN_LINK_LOCAL;
		memcpy(out->addr, a + 8, 8);
		return 0;
	}
	memcpy(out->addr, a, family == 4 ? 4 : 8);
	return 0;
}

/* k's address as 16 bytes (IPv4 in the first 4) and its family, 4 or 6. */
static int source_bytes(const struct px_ban_key *k, __u8 b[16])
{
	memset(b, 0, 16);
	if (k->family == PX_BAN_LINK_LOCAL) {
		memcpy(b, link_local, 8);
		memcpy(b + 8, k->addr, 8);
		return 6;
	}
	memcpy(b, k->addr, k->family == 4 ? 4 : 8);
	return k->family == 4 ? 4 : 6;
}

const char *source_format(char *buf, size_t size, const struct px_ban_key *k)
{
	char a[INET6_ADDRSTRLEN];
	__u8 b[16];
	int family = source_bytes(k, b);

	inet_ntop(family == 4 ? AF_INET : AF_INET6, b, a, sizeof(a));
	snprintf(buf, size, "%s%s", a, k->family == 6 ? "/64" : "");
	return buf;
}

int prefix_parse(const char *s, size_t len, struct px_ban_prefix *out,
		 const char **why)
{
	int family, plen, max;
	__u8 a[16], m[16] = {0};

	if (addr_split(s, len, a, &family, &plen, why))
		return -EINVAL;
	max = family == 4 ? 32 : 128;
	if (plen < 0)
		plen = max;
	for (int i = 0; i < plen; i++)
		m[i / 8] |= (__u8)(0x80 >> (i % 8));
	for (int i = 0; i < 16; i++)
		if (a[i] & ~m[i]) {
			*why = "it has host bits set: write the network "
			       "address (e.g. 198.51.100.0/24)";
			return -EINVAL;
		}
	memset(out, 0, sizeof(*out));
	memcpy(out->net, a, 16);
	memcpy(out->mask, m, 16);
	out->family = (__u32)family;
	out->len = (__u32)plen;
	return 0;
}

bool prefix_has(const struct px_ban_prefix *p, const struct px_ban_key *k)
{
	__u64 a[2];
	int family = source_bytes(k, (__u8 *)a);

	return p->family == (__u32)family && (a[0] & p->mask[0]) == p->net[0] &&
	       (a[1] & p->mask[1]) == p->net[1];
}

const char *prefix_format(char *buf, size_t size, const struct px_ban_prefix *p)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->net, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
	return buf;
}
