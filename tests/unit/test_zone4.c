// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The IPv4 ranges a version's zone map holds (user/maps_zone4.c): random
 * sets of nested, adjacent and repeated prefixes laid out and searched as
 * the program searches them, against the longest matching prefix found
 * by a plain scan; and the prefixes read back as they were written.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "maps_zone4.h"

static zone4_hits_t hits;

static __u32 addr_of(const struct px_prefix *p)
{
	return (__u32)p->addr[0] << 24 | (__u32)p->addr[1] << 16 |
	       (__u32)p->addr[2] << 8 | p->addr[3];
}

/* The hit of a by a scan: the longest prefix holding it (the same one
 * twice: the last written, as the layout does). */
static __u32 scan(const struct px_zoneset *zs, __u32 a)
{
	int best = -1;
	__u32 hit = 0;

	for (size_t i = 0; i < zs->npfx; i++) {
		const struct px_prefix *p = &zs->pfx[i];
		__u32 mask = p->len ? ~0U << (32 - p->len) : 0;

		if ((a & mask) == addr_of(p) && p->len >= best) {
			best = p->len;
			hit = hits[p->zone][p->except];
		}
	}
	return hit;
}

static void add(struct px_zoneset *zs, __u32 a, unsigned int len,
		unsigned int zone, bool except)
{
	struct px_prefix p = {.family = 4,
			      .len = (__u8)len,
			      .zone = (__u8)zone,
			      .except = except};

	a &= len ? ~0U << (32 - len) : 0;
	p.addr[0] = (__u8)(a >> 24);
	p.addr[1] = (__u8)(a >> 16);
	p.addr[2] = (__u8)(a >> 8);
	p.addr[3] = (__u8)a;
	zoneset_add(zs, &p);
}

/* A random address near the prefixes' edges, or anywhere. */
static __u32 probe(const struct px_zoneset *zs)
{
	const struct px_prefix *p;
	__u32 a, size;

	if (!zs->npfx || rand() % 4 == 0)
		return (__u32)rand() << 16 ^ (__u32)rand();
	p = &zs->pfx[(size_t)rand() % zs->npfx];
	a = addr_of(p);
	size = p->len ? 1U << (32 - p->len) : 0;
	switch (rand() % 4) {
	case 0:
		return a - 1;
	case 1:
		return a;
	case 2:
		return a + size - 1;
	default:
		return a + size;
	}
}

static bool one_layout(unsigned int seed)
{
	struct px_zoneset *zs = zoneset_new();
	struct px_range4 *m;
	size_t n, want = 0;
	bool ok = true;
	__u32 base;

	srand(seed);
	base = (__u32)rand() << 16;
	for (int i = 0, k = rand() % 300; i < k; i++) {
		/* clustered in a few /16s, some everywhere */
		__u32 a = rand() % 3 ? base + (__u32)(rand() % 0x30000)
				     : (__u32)rand() << 16 ^ (__u32)rand();
		unsigned int len = rand() % 4 ? 16 + rand() % 17 : rand() % 33;

		add(zs, a, len, 1 + rand() % 5, rand() % 8 == 0);
	}
	want = zs->npfx;
	if (!ASSERT_OK(zone4_layout(zs, hits, &m, &n), "layout")) {
		zoneset_free(zs);
		return false;
	}
	for (int i = 0; i < 3000 && ok; i++) {
		__u32 a = probe(zs);

		ok = ASSERT_EQ(zone4_search(m, n, a), scan(zs, a),
			       "the longest prefix's hit");
	}
	/* the prefixes as written, before the ranges */
	ASSERT_EQ(m[PX_R4_HEAD].hit, want, "prefix count");
	for (size_t i = 0; ok && i < want; i++) {
		const struct px_range4 *e = &m[PX_R4_FIRST + i];

		ok = ASSERT_EQ(e->start, addr_of(&zs->pfx[i]), "address") &&
		     ASSERT_EQ(e->hit & 0xff, zs->pfx[i].len, "length");
	}
	free(m);
	zoneset_free(zs);
	return ok;
}

static void test_random_layouts(void)
{
	for (unsigned int s = 1; s <= 100; s++)
		if (!one_layout(s))
			return;
}

static void test_edges(void)
{
	struct px_zoneset *zs = zoneset_new();
	struct px_range4 *m;
	size_t n;

	add(zs, 0, 0, 1, false);
	add(zs, 0xffffffff, 32, 2, false);
	add(zs, 0, 32, 3, false);
	add(zs, 0x0a01ffff, 32, 4, false);
	add(zs, 0x0a020000, 32, 4, false);
	add(zs, 0x0a030000, 16, 5, false); /* a whole /16 */
	add(zs, 0x0a030000, 16, 5, true);  /* twice: the last wins */
	if (!ASSERT_OK(zone4_layout(zs, hits, &m, &n), "layout")) {
		zoneset_free(zs);
		return;
	}
	ASSERT_EQ(zone4_search(m, n, 0), hits[3][0], "0.0.0.0/32");
	ASSERT_EQ(zone4_search(m, n, 1), hits[1][0], "0/0");
	ASSERT_EQ(zone4_search(m, n, 0xffffffff), hits[2][0], "the last");
	ASSERT_EQ(zone4_search(m, n, 0xfffffffe), hits[1][0], "before it");
	ASSERT_EQ(zone4_search(m, n, 0x0a01ffff), hits[4][0], "/16 end");
	ASSERT_EQ(zone4_search(m, n, 0x0a020000), hits[4][0], "/16 start");
	ASSERT_EQ(zone4_search(m, n, 0x0a020001), hits[1][0], "after");
	ASSERT_EQ(m[0x0a03].start, PX_R4_WHOLE, "a /16 in one range");
	ASSERT_EQ(zone4_search(m, n, 0x0a03abcd), hits[5][1], "its hit");
	/* the ranges: 0/32, 0/0, the two /32s, the /16, 0/0, the last */
	ASSERT_EQ(m[PX_R4_HEAD].start, 7, "ranges merged where they touch");
	free(m);
	zoneset_free(zs);
}

int main(void)
{
	for (unsigned int z = 1; z < PX_ZONE_ENTRIES; z++) {
		hits[z][0] = PX_R4_HIT(z + 10, z & 7);
		hits[z][1] = PX_R4_HIT(z + 10, (z & 7) | PX_ZF_BAN_EXCEPT);
	}
	RUN(test_random_layouts);
	RUN(test_edges);
	return check_exit();
}
