/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The zones of a live policy (doc/design.md, section 8) as a policy file
 * says them (`save`) and as people read them (`show`): the zone table and
 * the zone maps read back from the filter, written as `zone`, `from` and
 * `block` lines, compared by name with what a parse of those lines gives,
 * and each zone's ranges where its verdicts differ from the base's.
 *
 * A zone that came from `local` or `file PATH` is written that way when
 * the table kept its origin and reading it again gives the live prefixes
 * (the interface's addresses, the file's lines); otherwise its live
 * prefixes are written one by one, with a comment saying why.
 */
#ifndef PX_LIVE_ZONES_H
#define PX_LIVE_ZONES_H

#include <stdbool.h>
#include <stdio.h>

#include "maps_zone.h"
#include "policy_zone.h"

/*
 * The live zones of live: the table by index (holes have an empty name)
 * and, with prefixes, every prefix of the zone maps. *out NULL when live
 * has none. 0 or -errno.
 */
int live_zones_read(const struct px_zone_maps *m, const struct px_policy *live,
		    bool prefixes, struct px_zoneset **out);

/*
 * The zone, from and block lines of zs (read with prefixes); a zone z
 * with literal[z] is written as its prefixes, the others as their origin
 * when they have one that can be written. 0 or -EINVAL (a zone that no
 * line can give: no prefixes and no origin).
 */
int live_zones_text(const struct px_zoneset *zs, const bool *literal,
		    FILE *out);

/*
 * Whether a parse (back, bpol) gives the live zones (live, lpol): the
 * same zone names with the same verdicts, flags and prefixes, the same
 * base zone bits, the same `except` zones. differs[z] is set for each
 * live zone z whose prefixes are not the same (then write it literal).
 */
bool live_zones_same(const struct px_zoneset *live,
		     const struct px_policy *lpol,
		     const struct px_zoneset *back,
		     const struct px_policy *bpol, bool *differs);

/* A zone's ports whose verdict differs from the base's: one run. */
struct zone_run {
	int proto; /* PX_TCP or PX_UDP */
	unsigned int lo, hi;
	bool open;
};

/*
 * The runs of zone zn that differ from base, into run[max]; their
 * number (more than max: only max were written).
 */
unsigned int live_zones_runs(const struct px_zone *zn,
			     const struct px_policy *base, struct zone_run *run,
			     unsigned int max);

#endif
