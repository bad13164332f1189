/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Zones of a policy (doc/design.md, section 8): who may knock. What the
 * parser makes of `zone`, `from` and `block` lines, handed to the verbs
 * that install, show and compare policies. The zone table itself is the
 * ABI's struct px_zone (include/portxdp.h), so it goes to the map as is.
 *
 * Where things live: the lines in policy_zone.c, prefixes and zone files
 * in policy_zone_prefix.c, `local` in policy_zone_local.c, the maps in
 * maps_zone.c.
 */
#ifndef PX_POLICY_ZONE_H
#define PX_POLICY_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

#include "portxdp.h"

/* One source prefix of a zone, host bits cleared. */
struct px_prefix {
	__u8 addr[16]; /* network order; IPv4 in the first 4 bytes */
	__u8 family;   /* 4 or 6 */
	__u8 len;      /* prefix length */
	__u8 zone;     /* 1..PX_ZONES_MAX */
	__u8 file;     /* where it was written: 0 the policy, k zone file k */
	__u32 line;    /* its line there; 0: `local` */
	bool except;   /* inside an `except` zone's prefix (the ban rule) */
};

#define PX_ZONE_FILES_MAX 32

/*
 * The zones of one policy. zone[1..nzones] are the zones, in the order
 * they were declared (bare prefixes and `block`'s become zones of their
 * own, named by the prefix or "blocked"); zone[0] is unused. open[] of a
 * zone holds its final verdicts. pfx[] holds every prefix of every zone,
 * sorted by family, length, address.
 */
struct px_zoneset {
	unsigned int nzones;
	struct px_zone zone[PX_ZONE_ENTRIES];
	struct px_prefix *pfx;
	size_t npfx, cap;
	size_t nfam[2]; /* prefixes added per family: [0] IPv4, [1] IPv6 */
	unsigned int nfiles;
	char *files[PX_ZONE_FILES_MAX + 1]; /* [0]: the policy's name */
	const char *ifname; /* what `local` was read from, or NULL */
};

struct px_zoneset *zoneset_new(void);
void zoneset_free(struct px_zoneset *zs);

/* The zone index of name in zs, or 0. */
unsigned int zoneset_find(const struct px_zoneset *zs, const char *name);

/* qsort order of prefixes: family, length, address, then where written
 * (file, line). */
int zone_prefix_cmp(const void *a, const void *b);

/* A prefix as text: "198.51.100.0/24", "2001:db8::/32". buf >= 64. */
const char *zone_prefix_str(const struct px_prefix *p, char *buf, size_t n);

/*
 * Parse PREFIX (an IPv4 or IPv6 address, with or without /LEN) into *p
 * (family, len, addr; host bits cleared). 0; -EINVAL not an address;
 * -ERANGE a length beyond 32 or 128 (*max set); -EDOM host bits were set
 * (the prefix is still filled, cleared).
 */
int zone_prefix_parse(const char *s, size_t len, struct px_prefix *p,
		      unsigned int *max);

/*
 * The prefixes configured on ifname in the current network namespace
 * (link-local included), appended to zs as zone `zone`. 0 or -errno
 * (-ENODEV: no such interface).
 */
int zone_local_prefixes(struct px_zoneset *zs, const char *ifname,
			unsigned int zone);

/*
 * Append one prefix; 0 or -ENOMEM, or -E2BIG when its family already holds
 * PX_ZONE_PREFIXES_MAX (the maps' size, doc/design.md, section 8).
 */
int zoneset_add(struct px_zoneset *zs, const struct px_prefix *p);

/*
 * Make room for n more prefixes at once (a zone file knows its line count),
 * so that a million are not copied again at each doubling. A hint: on
 * failure the set stays as it was and zoneset_add() grows it.
 */
void zoneset_reserve(struct px_zoneset *zs, size_t n);

/*
 * Sort the prefixes, merge equal ones of one zone, count each zone's.
 * Returns 1 when some prefix is in two zones (clash[0] the first written,
 * clash[1] the other), else 0.
 */
int zoneset_sort(struct px_zoneset *zs, struct px_prefix clash[2]);

/*
 * Each zone's verdicts: the base's, with what its `from` lines said
 * (open[] where touched[]) on top; then the base policy's zoned bitmap
 * and zone flags. After a whole policy is read, and again after
 * `open/close SPEC` changed the base of a live policy with zones (a zone
 * follows the base wherever its own from lines are silent).
 */
void zoneset_finish(struct px_zoneset *zs, struct px_policy *base);

/* One zone's verdicts on a new base, as zoneset_finish() makes them. */
void zone_rebase(struct px_zone *zn, const struct px_policy *base);

/*
 * The zone of the address addr (a px_prefix of full length) in zs: the
 * one with the longest prefix holding it, or 0. A linear pass: for one
 * address at a time (the SSH client's), not for packets.
 */
unsigned int zoneset_lookup(const struct px_zoneset *zs,
			    const struct px_prefix *addr);

#endif
