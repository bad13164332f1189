/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A policy version's IPv4 zone map (include/portxdp.h, "IPv4 ranges"):
 * its prefixes flattened into sorted disjoint ranges, built, read back and
 * searched the way the program searches it. For maps_zone.c; the pure
 * parts are here for the unit tests too.
 */
#ifndef PX_MAPS_ZONE4_H
#define PX_MAPS_ZONE4_H

#include <stddef.h>

#include "policy_zone.h"

/* The packed hit (PX_R4_HIT) of each zone z of a zoneset, by except. */
typedef __u32 zone4_hits_t[PX_ZONE_ENTRIES][2];

/*
 * The array of a version holding zs's IPv4 prefixes (hits[z][except]:
 * the hit of a prefix of zone z), in *out (malloc'd, *n entries, laid out
 * as the map). 0 or -ENOMEM.
 */
int zone4_layout(const struct px_zoneset *zs, const zone4_hits_t hits,
		 struct px_range4 **out, size_t *n);

/* The packed hit of IPv4 address a (host order) in the array m of n
 * entries, as the program finds it; 0 (no zone) when m is malformed. */
__u32 zone4_search(const struct px_range4 *m, size_t n, __u32 a);

/* A new map holding zs's IPv4 ranges, written and frozen: fd or -errno. */
int zone4_map(const struct px_zoneset *zs, const zone4_hits_t hits);

/* The prefixes of the IPv4 map fd appended to zs (zone: as written in the
 * map, a table index). 0 or -errno; -EOPNOTSUPP: fd is not such a map
 * (an older portxdp's LPM trie). */
int zone4_read(int fd, struct px_zoneset *zs);

/* The packed hit of IPv4 address addr (4 bytes, as written) in the IPv4
 * map fd: 0 or -errno. */
int zone4_lookup(int fd, const __u8 *addr, __u32 *hit);

#endif
