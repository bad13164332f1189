/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The exporter's zone family (exporter_zones.c): per filter and zone
 * name, the packets the zone's verdicts dropped and passed and its block
 * dropped, kept between scrapes so that no series vanishes or goes down.
 */
#ifndef PX_EXPORTER_ZONES_H
#define PX_EXPORTER_ZONES_H

#include <stdio.h>

#include "filter.h"
#include "portxdp.h"

#define EX_ZONE_NAMES 128 /* zone names a filter keeps series for */

struct ex_zones;

/* Read f's live zones and counts (pol: its live policy) into *z, made on
 * first use. 0 or -errno (-ENOMEM only is fatal). */
int ex_zones_read(struct ex_zones **z, const struct px_filter *f,
		  const struct px_policy *pol);

void ex_zones_free(struct ex_zones *z);

/*
 * z's series of family name, each begun by series(f, name, ctx) (the
 * filter's labels, the brace left open).
 */
void ex_zones_print(FILE *f, const char *name, const struct ex_zones *z,
		    void (*series)(FILE *, const char *, const void *),
		    const void *ctx);

#endif
