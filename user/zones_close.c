// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What `close` leaves open in zones; see zones_close.h. */
#include <stdio.h>

#include "proto.h"
#include "zones_close.h"

/* Whether zn's from lines open a port (or ping) that named closes; the
 * first such one into port when port is still "". */
static bool still_open(const struct px_zone *zn, const struct px_policy *named,
		       char *port, size_t len)
{
	for (int p = PX_TCP; p < PX_NPROTO; p++) {
		for (int w = 0; w < PX_BITMAP_WORDS; w++) {
			__u64 bits = zn->open[p][w] & zn->touched[p][w] &
				     ~named->open[p][w];

			if (!w)
				bits &= ~1ULL; /* port 0: always dropped */
			if (!bits)
				continue;
			if (!port[0])
				snprintf(port, len, "%d/%s",
					 w * 64 + __builtin_ctzll(bits),
					 px_proto_name(p));
			return true;
		}
	}
	if ((zn->flags & PX_ZF_PING_OPEN) && (zn->flags & PX_ZF_PING_TOUCHED) &&
	    !(named->flags & PX_F_PING_OPEN)) {
		if (!port[0])
			snprintf(port, len, "ping");
		return true;
	}
	return false;
}

void zones_close_note(const struct px_zone_maps *m,
		      const struct px_policy *live,
		      const struct px_policy *named, const char *ifname,
		      char *buf, size_t len)
{
	struct px_zoneset *zs = zoneset_new();
	char names[256] = "", port[32] = "";
	unsigned int nz = 0;
	size_t n = 0;

	buf[0] = '\0';
	if (!zs || maps_read_zones(m, live, zs)) {
		zoneset_free(zs);
		return;
	}
	for (unsigned int z = 1; z <= zs->nzones; z++) {
		const struct px_zone *zn = &zs->zone[z];

		if (!zn->name[0] || (zn->flags & PX_ZF_BLOCK) ||
		    !still_open(zn, named, port, sizeof(port)))
			continue;
		if (n < sizeof(names))
			n += (size_t)snprintf(names + n, sizeof(names) - n,
					      "%s%s", nz ? ", " : "", zn->name);
		nz++;
	}
	if (nz)
		snprintf(buf, len,
			 "%s stays open from zone%s %s: a zone's own 'from' "
			 "lines keep their verdicts, and close changes only "
			 "the base; to close it there too, edit the 'from' "
			 "line%s in the policy file, then 'portxdp apply %s "
			 "FILE'",
			 port, nz == 1 ? "" : "s", names, nz == 1 ? "" : "s",
			 ifname);
	zoneset_free(zs);
}
