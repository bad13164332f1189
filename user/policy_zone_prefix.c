// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The prefixes of zones (policy_zone.h): parsing one without allocating
 * (zone files hold a million), the set of them sorted so that the same
 * prefix in two zones is found in one pass, and each zone's verdicts from
 * the base policy and its `from` lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_bitmap.h"
#include "policy_zone.h"

struct px_zoneset *zoneset_new(void)
{
	return calloc(1, sizeof(struct px_zoneset));
}

void zoneset_free(struct px_zoneset *zs)
{
	if (!zs)
		return;
	for (unsigned int i = 0; i <= PX_ZONE_FILES_MAX; i++)
		free(zs->files[i]);
	free(zs->pfx);
	free(zs);
}

unsigned int zoneset_find(const struct px_zoneset *zs, const char *name)
{
	for (unsigned int z = 1; z <= zs->nzones; z++)
		if (!strcmp(zs->zone[z].name, name))
			return z;
	return 0;
}

const char *zone_prefix_str(const struct px_prefix *p, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, n, "%s/%u", a, p->len);
	return buf;
}

/* Clear the bits past len; true when some were set. */
static bool clear_host_bits(__u8 *addr, unsigned int bytes, unsigned int len)
{
	bool had = false;

	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int keep = len >= 8 * (i + 1) ? 8
				    : len > 8 * i      ? len - 8 * i
						       : 0;
		__u8 mask = (__u8)(0xff00 >> keep);

		had |= (addr[i] & ~mask) != 0;
		addr[i] &= mask;
	}
	return had;
}

int zone_prefix_parse(const char *s, size_t len, struct px_prefix *p,
		      unsigned int *max)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned int plen = 0, bytes;

	memset(p, 0, sizeof(*p));
	if (!alen || alen >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (memchr(a, ':', alen)) {
		if (inet_pton(AF_INET6, a, p->addr) != 1)
			return -EINVAL;
		p->family = 6;
	} else {
		if (inet_pton(AF_INET, a, p->addr) != 1)
			return -EINVAL;
		p->family = 4;
	}
	*max = p->family == 4 ? 32 : 128;
	bytes = *max / 8;
	if (!slash) {
		p->len = (__u8)*max;
		return 0;
	}
	if (slash + 1 == s + len || len - alen - 1 > 3)
		return -EINVAL;
	for (const char *c = slash + 1; c < s + len; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		plen = plen * 10 + (unsigned int)(*c - '0');
	}
	if (plen > *max)
		return -ERANGE;
	p->len = (__u8)plen;
	return clear_host_bits(p->addr, bytes, plen) ? -EDOM : 0;
}

void zoneset_reserve(struct px_zoneset *zs, size_t n)
{
	struct px_prefix *grown;
	size_t cap = zs->npfx + n;

	if (cap <= zs->cap || cap > 2 * (size_t)PX_ZONE_PREFIXES_MAX)
		return;
	grown = realloc(zs->pfx, cap * sizeof(*grown));
	if (grown) {
		zs->pfx = grown;
		zs->cap = cap;
	}
}

int zoneset_add(struct px_zoneset *zs, const struct px_prefix *p)
{
	size_t *fam = &zs->nfam[p->family == 6];

	if (*fam >= PX_ZONE_PREFIXES_MAX)
		return -E2BIG;
	if (zs->npfx == zs->cap) {
		size_t cap = zs->cap ? 2 * zs->cap : 256;
		struct px_prefix *n;

		if (zs->cap >= 2 * (size_t)PX_ZONE_PREFIXES_MAX)
			return -E2BIG;
		n = realloc(zs->pfx, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		zs->pfx = n;
		zs->cap = cap;
	}
	zs->pfx[zs->npfx++] = *p;
	(*fam)++;
	return 0;
}

int zone_prefix_cmp(const void *a, const void *b)
{
	const struct px_prefix *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	if (x->len != y->len)
		return x->len - y->len;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c)
		return c;
	/* the earlier in the policy first, so a clash names the later */
	if (x->file != y->file)
		return x->file - y->file;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Lists are often written in order already: one pass instead of a sort. */
static bool sorted(const struct px_zoneset *zs)
{
	for (size_t i = 1; i < zs->npfx; i++)
		if (zone_prefix_cmp(&zs->pfx[i - 1], &zs->pfx[i]) > 0)
			return false;
	return true;
}

int zoneset_sort(struct px_zoneset *zs, struct px_prefix clash[2])
{
	size_t o = 0;
	int found = 0;

	if (zs->npfx > 1 && !sorted(zs))
		qsort(zs->pfx, zs->npfx, sizeof(*zs->pfx), zone_prefix_cmp);
	for (unsigned int z = 0; z <= zs->nzones; z++)
		zs->zone[z].prefixes4 = zs->zone[z].prefixes6 = 0;
	for (size_t i = 0; i < zs->npfx; i++) {
		struct px_prefix *p = &zs->pfx[i];

		if (o && p->family == zs->pfx[o - 1].family &&
		    p->len == zs->pfx[o - 1].len &&
		    !memcmp(p->addr, zs->pfx[o - 1].addr, sizeof(p->addr))) {
			if (p->zone != zs->pfx[o - 1].zone && !found) {
				clash[0] = zs->pfx[o - 1];
				clash[1] = *p;
				found = 1;
			}
			continue;
		}
		zs->pfx[o++] = *p;
		if (p->family == 4)
			zs->zone[p->zone].prefixes4++;
		else
			zs->zone[p->zone].prefixes6++;
	}
	zs->npfx = o;
	zs->nfam[0] = zs->nfam[1] = 0;
	for (unsigned int z = 0; z <= zs->nzones; z++) {
		zs->nfam[0] += zs->zone[z].prefixes4;
		zs->nfam[1] += zs->zone[z].prefixes6;
	}
	return found;
}

void zone_rebase(struct px_zone *zn, const struct px_policy *base)
{
	const __u64 *b = &base->open[0][0], *t = &zn->touched[0][0];
	__u64 *o = &zn->open[0][0];
	bool ping = base->flags & PX_F_PING_OPEN;

	for (size_t w = 0; w < PX_NPROTO * PX_BITMAP_WORDS; w++)
		o[w] = (b[w] & ~t[w]) | (o[w] & t[w]);
	if (!(zn->flags & PX_ZF_PING_TOUCHED))
		zn->flags = (zn->flags & ~PX_ZF_PING_OPEN) |
			    (ping ? PX_ZF_PING_OPEN : 0);
}

/* Whether p holds the address a (same family). */
static bool prefix_holds(const struct px_prefix *p, const struct px_prefix *a)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (p->family != a->family || memcmp(p->addr, a->addr, full))
		return false;
	return !rest ||
	       !((p->addr[full] ^ a->addr[full]) & (__u8)(0xff00 >> rest));
}

unsigned int zoneset_lookup(const struct px_zoneset *zs,
			    const struct px_prefix *addr)
{
	unsigned int zone = 0;
	int best = -1;

	for (size_t i = 0; zs && i < zs->npfx; i++)
		if ((int)zs->pfx[i].len > best &&
		    prefix_holds(&zs->pfx[i], addr)) {
			best = zs->pfx[i].len;
			zone = zs->pfx[i].zone;
		}
	return zone;
}

void zoneset_finish(struct px_zoneset *zs, struct px_policy *base)
{
	const __u64 *b = &base->open[0][0];
	__u64 *zoned = &base->zoned[0][0];
	bool any = false;

	memset(base->zoned, 0, sizeof(base->zoned));
	base->flags &= ~(PX_F_ZONES | PX_F_PING_ZONED | PX_F_BLOCK);
	for (unsigned int z = 1; z <= zs->nzones; z++) {
		struct px_zone *zn = &zs->zone[z];
		const __u64 *o = &zn->open[0][0];
		bool ping = base->flags & PX_F_PING_OPEN;

		zone_rebase(zn, base);
		if (zn->flags & PX_ZF_BLOCK) {
			base->flags |= PX_F_BLOCK;
			continue; /* its packets never reach a verdict */
		}
		for (size_t w = 0; w < PX_NPROTO * PX_BITMAP_WORDS; w++) {
			zoned[w] |= o[w] ^ b[w];
			any |= zoned[w] != 0;
		}
		if (!!(zn->flags & PX_ZF_PING_OPEN) != ping)
			base->flags |= PX_F_PING_ZONED;
	}
	if (any)
		base->flags |= PX_F_ZONES;
}
