/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The maps of a policy's zones (include/portxdp.h, "Zones"): installing a
 * policy with its zones as one version, reading the live zone table back,
 * the per-zone counts.
 */
#ifndef PX_MAPS_ZONE_H
#define PX_MAPS_ZONE_H

#include <stdbool.h>

#include "policy_zone.h"

/* A filter's policy and zone maps (fds; -1: that filter has none). */
struct px_zone_maps {
	int policy;
	int zones, zone4, zone6;
	int counts;
};

/*
 * Make pol with its zones zs (NULL: none) the live policy version gen + 1
 * (include/portxdp.h): the zone table and tries are built whole in new
 * maps, put in slot (gen + 1) & 1, then the base policy is swapped in.
 * Nothing live changes before that one swap, and a failure before it
 * changes nothing. A zone the live version has keeps its table index,
 * so its counts go on; a new zone starts from zero (maps_zone.c says
 * how). -EOPNOTSUPP: the filter was attached by a portxdp without zones
 * or one before IPv4 ranges (its outer map takes only IPv4 tries).
 * Progress on stderr when there are many prefixes and progress is true. 0 or
 * -errno.
 */
int maps_install_zoned(const struct px_zone_maps *m, struct px_policy *pol,
		       const struct px_zoneset *zs, bool progress);

/*
 * The live zone table (names, flags, verdicts, prefix counts: no
 * prefixes) of the live policy live into out. out->zone[] is by table
 * index, which may have holes (an empty name): a zone keeps its index
 * from version to version while its name stays, so that its counts in
 * px_zone_counts follow it (a new zone starts from zero). 0, or -ENOENT
 * when live has no zones, or -errno.
 */
int maps_read_zones(const struct px_zone_maps *m, const struct px_policy *live,
		    struct px_zoneset *out);

/*
 * Every prefix of the live version's tries appended to zs (zone: the
 * table index, as maps_read_zones() gives the table; except: the ban
 * rule's flag), in the tries' order. 0, -ENOENT when live has no zones,
 * or -errno.
 */
int maps_read_prefixes(const struct px_zone_maps *m,
		       const struct px_policy *live, struct px_zoneset *zs);

/*
 * `open/close SPEC` on a live policy with zones: next is the live policy
 * with a changed base; each zone follows it where its from lines are
 * silent; the tries stay. Installed as one version as above. 0 or -errno.
 */
int maps_install_rebased(const struct px_zone_maps *m, struct px_policy *next);

/*
 * The zone the live filter gives the address addr (a px_prefix of full
 * length), by its own tries: its table entry into *out. The zone's index,
 * 0 when the address is in no zone (or live has none), or -errno.
 */
int maps_zone_lookup(const struct px_zone_maps *m, const struct px_policy *live,
		     const struct px_prefix *addr, struct px_zone *out);

/* Per-zone counts summed over CPUs, out[PX_ZONE_ENTRIES]. 0 or -errno. */
int maps_read_zone_counts(int counts_fd, struct px_zone_count *out);

#endif
