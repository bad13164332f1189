/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `close IF SPEC` on a live policy with zones (doc/design.md, section 8):
 * a zone's own `from` lines keep their verdicts, so a port such a line
 * opens stays open from that zone. close says so.
 */
#ifndef PX_ZONES_CLOSE_H
#define PX_ZONES_CLOSE_H

#include <stddef.h>

#include "maps_zone.h"

/*
 * The warning for closing the ports that named has closed (named: a
 * policy_init() policy with the SPECs applied) on the live policy live:
 * which zones' from lines still open one of them, the first such port,
 * and the fix; "" when none (or live has no zones).
 */
void zones_close_note(const struct px_zone_maps *m,
		      const struct px_policy *live,
		      const struct px_policy *named, const char *ifname,
		      char *buf, size_t len);

#endif
