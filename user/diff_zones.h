/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `diff` per zone (diff_zones.c): what apply would change for the sources
 * of each zone, live and next.
 */
#ifndef PX_DIFF_ZONES_H
#define PX_DIFF_ZONES_H

#include <stdbool.h>

#include "policy_zone.h"

struct json;

struct diff_zone_args {
	const struct px_policy *live, *next; /* the base policies */
	const struct px_zoneset *lzs, *nzs;  /* their zones, or NULL */
	bool count_only;		     /* print nothing: only count */
	bool prefixes; /* lzs holds the live prefixes too: compare them */
};

/*
 * Print each zone that changes (text: a heading and its ranges), or with
 * j every zone of either side as the "zones" array of j's open object;
 * with d->count_only and no j, nothing. Returns how many zones change.
 */
int diff_zones(const struct diff_zone_args *d, struct json *j);

/*
 * The ranges of r[0..n) that open (or close) as the JSON array key of j:
 * [{proto, from, to, class, names}], class as the text says it. For the
 * base policy's diff and each zone's.
 */
struct policy_range;
void diff_json_ranges(struct json *j, const char *key,
		      const struct policy_range *r, int n, bool open);

#endif
