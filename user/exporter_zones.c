// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The exporter's zone family, portxdp_zone_packets_total{zone, verdict}
 * (exporter_zones.h), as `stats --prometheus` names it. A zone's counts
 * follow its name across applies (maps_zone.h) but a zone that is removed
 * and comes back starts again from zero; the exporter keeps, per name, the
 * last count read and what it showed, so a series never goes down (a
 * restart adds onto what was shown) and a removed zone's series stay,
 * unchanged, for the filter's life. At most EX_ZONE_NAMES names a filter.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exporter_zones.h"
#include "maps.h"
#include "maps_zone.h"
#include "policy_zone.h"
#include "text.h"

static const char *const verdict[3] = {"dropped", "passed", "blocked"};

struct ex_zone {
	char name[PX_ZONE_NAME_LEN];
	__u64 raw[3];	/* the last count read */
	__u64 shown[3]; /* what the series said */
};

struct ex_zones {
	unsigned int n;
	struct ex_zone z[EX_ZONE_NAMES];
};

static struct ex_zone *slot(struct ex_zones *zs, const char *name)
{
	for (unsigned int i = 0; i < zs->n; i++)
		if (!strcmp(zs->z[i].name, name))
			return &zs->z[i];
	if (zs->n == EX_ZONE_NAMES)
		return NULL;
	snprintf(zs->z[zs->n].name, PX_ZONE_NAME_LEN, "%s", name);
	return &zs->z[zs->n++];
}

static void update(struct ex_zone *e, const struct px_zone_count *c)
{
	const __u64 now[3] = {c->dropped, c->passed, c->blocked};

	for (int k = 0; k < 3; k++) {
		/* a restart from zero adds on; never below what was shown */
		e->shown[k] +=
			now[k] >= e->raw[k] ? now[k] - e->raw[k] : now[k];
		e->raw[k] = now[k];
	}
}

int ex_zones_read(struct ex_zones **z, const struct px_filter *f,
		  const struct px_policy *pol)
{
	struct px_zone_count *cnt = NULL;
	struct px_zoneset *zs = NULL;
	struct px_zone_maps m;
	int err = -ENOMEM;

	if (!*z)
		*z = calloc(1, sizeof(**z));
	filter_zone_maps(f, &m);
	if (m.counts < 0 || !(pol->flags & (PX_F_ZONE_TABLE | PX_F_ZONES |
					    PX_F_BLOCK | PX_F_PING_ZONED)))
		return *z ? 0 : -ENOMEM;
	cnt = calloc(PX_ZONE_ENTRIES, sizeof(*cnt));
	zs = zoneset_new();
	if (*z && cnt && zs) {
		err = maps_read_zones(&m, pol, zs);
		if (err == -ENOENT)
			err = 0;
		else if (!err)
			err = maps_read_zone_counts(m.counts, cnt);
	}
	for (unsigned int i = 1; !err && i <= zs->nzones; i++) {
		struct ex_zone *e;

		if (!zs->zone[i].name[0])
			continue;
		e = slot(*z, zs->zone[i].name);
		if (e)
			update(e, &cnt[i]);
	}
	zoneset_free(zs);
	free(cnt);
	return err;
}

void ex_zones_free(struct ex_zones *z)
{
	free(z);
}

void ex_zones_print(FILE *f, const char *name, const struct ex_zones *z,
		    void (*series)(FILE *, const char *, const void *),
		    const void *ctx)
{
	for (unsigned int i = 0; z && i < z->n; i++)
		for (int k = 0; k < 3; k++) {
			series(f, name, ctx);
			fputs(",zone=\"", f);
			text_prom(f, z->z[i].name);
			fprintf(f, "\",verdict=\"%s\"} %" PRIu64 "\n",
				verdict[k], (uint64_t)z->z[i].shown[k]);
		}
}
