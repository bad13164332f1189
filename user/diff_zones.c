// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `diff IF FILE` per zone (doc/design.md, section 8): for each zone name
 * of the live policy or of FILE, what `apply` would change for the
 * sources in it. A zone in both: its verdicts then and next, its block,
 * its prefix counts. A new zone: its verdicts against the live base
 * verdicts (where its sources were judged, unless a live zone held
 * them). A removed zone: its verdicts against the next base, which its
 * sources fall to. A blocked zone has no port verdicts to compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_zones.h"
#include "json.h"
#include "policy_bitmap.h"
#include "policy_live.h"
#include "proto.h"
#include "summary.h"
#include "table.h"

#define DIFF_NAMES 4

/* One side of a zone: its verdicts as a policy, its block, its counts. */
struct side {
	const struct px_zone *z; /* NULL: the zone is not there */
	struct px_policy *as_pol;
};

static void as_policy(struct px_policy *out, const struct px_policy *base,
		      const struct px_zone *z)
{
	memcpy(out->open, z ? z->open : base->open, sizeof(out->open));
	out->flags = z ? ((z->flags & PX_ZF_PING_OPEN) ? PX_F_PING_OPEN : 0)
		       : (base->flags & PX_F_PING_OPEN);
}

static const struct px_zone *find(const struct px_zoneset *zs, const char *name)
{
	for (unsigned int z = 1; zs && z <= zs->nzones; z++)
		if (zs->zone[z].name[0] && !strcmp(zs->zone[z].name, name))
			return &zs->zone[z];
	return NULL;
}

/* The prefixes of zone z of zs, sorted, into a new array (*n of them). */
static struct px_prefix *zone_prefixes(const struct px_zoneset *zs,
				       unsigned int z, size_t *n)
{
	struct px_prefix *out = calloc(zs->npfx + 1, sizeof(*out));

	*n = 0;
	for (size_t i = 0; out && i < zs->npfx; i++)
		if (zs->pfx[i].zone == z) {
			out[*n] =
				(struct px_prefix){.family = zs->pfx[i].family,
						   .len = zs->pfx[i].len};
			memcpy(out[(*n)++].addr, zs->pfx[i].addr, 16);
		}
	if (out)
		qsort(out, *n, sizeof(*out), zone_prefix_cmp);
	return out;
}

/* Whether zones a (live) and b (next) hold the same prefixes; true when
 * the live prefixes were not read (the counts then say what they can). */
static bool same_prefixes(const struct diff_zone_args *d,
			  const struct px_zone *a, const struct px_zone *b)
{
	size_t na, nb;
	struct px_prefix *pa, *pb;
	bool same;

	if (!d->prefixes || !d->lzs || !d->nzs)
		return true;
	pa = zone_prefixes(d->lzs, (unsigned int)(a - d->lzs->zone), &na);
	pb = zone_prefixes(d->nzs, (unsigned int)(b - d->nzs->zone), &nb);
	same = !pa || !pb || (na == nb && !memcmp(pa, pb, na * sizeof(*pa)));
	free(pa);
	free(pb);
	return same;
}

static const char *status_of(const struct diff_zone_args *d,
			     const struct px_zone *a, const struct px_zone *b,
			     int nranges, bool ping)
{
	if (!a)
		return "new";
	if (!b)
		return "removed";
	if (nranges || ping || ((a->flags ^ b->flags) & PX_ZF_BLOCK) ||
	    a->prefixes4 != b->prefixes4 || a->prefixes6 != b->prefixes6 ||
	    !same_prefixes(d, a, b))
		return "changed";
	return "same";
}

static void json_names(struct json *j, const struct policy_range *r)
{
	const char *names[8];
	int n = table_names_of(r->proto, r->lo, r->hi, names, 8);

	json_arr_open(j);
	for (int i = 0; i < n; i++)
		json_str(j, names[i]);
	json_arr_close(j);
}

void diff_json_ranges(struct json *j, const char *key,
		      const struct policy_range *r, int n, bool open)
{
	unsigned int eph_lo, eph_hi;

	if (policy_ephemeral_range(&eph_lo, &eph_hi)) {
		eph_lo = 1; /* unknown: no range is it */
		eph_hi = 0;
	}
	json_key(j, key);
	json_arr_open(j);
	for (int i = 0; i < n; i++) {
		if (r[i].open != open)
			continue;
		json_obj_open(j);
		json_key_str(j, "proto", px_proto_name(r[i].proto));
		json_key_u64(j, "from", r[i].lo);
		json_key_u64(j, "to", r[i].hi);
		json_key_str(j, "class",
			     summary_class(r[i].lo, r[i].hi, eph_lo, eph_hi));
		json_key(j, "names");
		json_names(j, &r[i]);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_count(struct json *j, const char *key, const struct px_zone *a,
		       const struct px_zone *b, bool v6)
{
	json_key(j, key);
	json_obj_open(j);
	if (a)
		json_key_u64(j, "from", v6 ? a->prefixes6 : a->prefixes4);
	else
		json_key_str(j, "from", NULL);
	if (b)
		json_key_u64(j, "to", v6 ? b->prefixes6 : b->prefixes4);
	else
		json_key_str(j, "to", NULL);
	json_obj_close(j);
}

static void text_ranges(const struct policy_range *r, int n, bool ping_open,
			bool ping_changed)
{
	char names[256];

	for (int pass = 1; pass >= 0; pass--) {
		for (int i = 0; i < n; i++) {
			if (r[i].open != pass)
				continue;
			table_range_names(r[i].proto, r[i].lo, r[i].hi, names,
					  sizeof(names), DIFF_NAMES);
			if (r[i].lo == r[i].hi)
				printf("  %-5s %u/%s", pass ? "open" : "close",
				       r[i].lo, px_proto_name(r[i].proto));
			else
				printf("  %-5s %u-%u/%s",
				       pass ? "open" : "close", r[i].lo,
				       r[i].hi, px_proto_name(r[i].proto));
			printf("%s%s%s\n", names[0] ? " (" : "", names,
			       names[0] ? ")" : "");
		}
		if (ping_changed && ping_open == pass)
			printf("  %-5s ping\n", pass ? "open" : "close");
	}
}

/* The heading of a zone that changes: "zone NAME: ...". */
static void text_head(const char *name, const char *status,
		      const struct px_zone *a, const struct px_zone *b)
{
	bool blk_a = a && (a->flags & PX_ZF_BLOCK);
	bool blk_b = b && (b->flags & PX_ZF_BLOCK);

	printf("zone %s: ", name);
	if (!a)
		printf("new, %u IPv4 and %u IPv6 prefixes%s", b->prefixes4,
		       b->prefixes6,
		       blk_b ? ", blocked"
			     : "; against the live base verdicts");
	else if (!b)
		printf("removed; its sources get the new base verdicts");
	else if (a->prefixes4 != b->prefixes4 || a->prefixes6 != b->prefixes6)
		printf("%u IPv4 and %u IPv6 prefixes (now %u and %u)",
		       b->prefixes4, b->prefixes6, a->prefixes4, a->prefixes6);
	else
		printf("%s", status);
	if (a && b && blk_a != blk_b)
		printf("; %s",
		       blk_b ? "blocked (now not)" : "no longer blocked");
	putchar('\n');
}

/* One zone name: a (live) and b (next), either NULL. 1 when it changes. */
static int one_zone(const char *name, const struct diff_zone_args *d,
		    const struct px_zone *a, const struct px_zone *b,
		    struct px_policy *pa, struct px_policy *pb, struct json *j)
{
	bool blocked = (a && (a->flags & PX_ZF_BLOCK)) ||
		       (b && (b->flags & PX_ZF_BLOCK));
	bool ping_a, ping_b;
	struct policy_range *r = NULL;
	const char *status;
	int n = 0;

	as_policy(pa, d->live, a);
	as_policy(pb, d->next, b);
	ping_a = pa->flags & PX_F_PING_OPEN;
	ping_b = pb->flags & PX_F_PING_OPEN;
	if (!blocked) {
		n = policy_diff(pa, pb, NULL, 0);
		r = calloc((size_t)n + 1, sizeof(*r));
		if (!r)
			return 0;
		policy_diff(pa, pb, r, n);
	}
	status = status_of(d, a, b, n, !blocked && ping_a != ping_b);
	if (j) {
		json_obj_open(j);
		json_key_str(j, "name", name);
		json_key_str(j, "status", status);
		json_key_change(j, "blocked",
				a && b && ((a->flags ^ b->flags) & PX_ZF_BLOCK),
				a && (a->flags & PX_ZF_BLOCK) ? "yes" : "no",
				b && (b->flags & PX_ZF_BLOCK) ? "yes" : "no");
		json_count(j, "prefixes4", a, b, false);
		json_count(j, "prefixes6", a, b, true);
		diff_json_ranges(j, "open", r, n, true);
		diff_json_ranges(j, "close", r, n, false);
		json_key_change(j, "ping", !blocked && ping_a != ping_b,
				ping_a ? "open" : "closed",
				ping_b ? "open" : "closed");
		json_obj_close(j);
	} else if (!d->count_only && strcmp(status, "same")) {
		text_head(name, status, a, b);
		text_ranges(r, n, ping_b, !blocked && ping_a != ping_b);
	}
	free(r);
	return strcmp(status, "same") != 0;
}

int diff_zones(const struct diff_zone_args *d, struct json *j)
{
	struct px_policy *p = calloc(2, sizeof(*p));
	int changed = 0;

	if (!p)
		return 0;
	if (j) {
		json_key(j, "zones");
		json_arr_open(j);
	}
	for (unsigned int z = 1; d->lzs && z <= d->lzs->nzones; z++) {
		const struct px_zone *a = &d->lzs->zone[z];

		if (a->name[0])
			changed +=
				one_zone(a->name, d, a, find(d->nzs, a->name),
					 &p[0], &p[1], j);
	}
	for (unsigned int z = 1; d->nzs && z <= d->nzs->nzones; z++) {
		const struct px_zone *b = &d->nzs->zone[z];

		if (!find(d->lzs, b->name))
			changed +=
				one_zone(b->name, d, NULL, b, &p[0], &p[1], j);
	}
	if (j)
		json_arr_close(j);
	free(p);
	return changed;
}
