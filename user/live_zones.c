// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The zones of a live policy as lines and as runs (live_zones.h): read
 * back from the filter's maps, written as the policy language says them,
 * and compared by name with a parse of what was written, so that `save`
 * prints only a file that gives the live zones exactly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "live_zones.h"
#include "proto.h"

#define SPECS_A_LINE 8

int live_zones_read(const struct px_zone_maps *m, const struct px_policy *live,
		    bool prefixes, struct px_zoneset **out)
{
	struct px_zoneset *zs = zoneset_new();
	int err;

	*out = NULL;
	if (!zs)
		return -ENOMEM;
	err = maps_read_zones(m, live, zs);
	if (!err && prefixes)
		err = maps_read_prefixes(m, live, zs);
	if (err) {
		zoneset_free(zs);
		return err == -ENOENT ? 0 : err;
	}
	*out = zs;
	return 0;
}

static bool bit(const __u64 *map, unsigned int port)
{
	return map[port / 64] >> (port % 64) & 1;
}

/* The origin a zone line can say again: "local", "file PATH", or NULL. */
static const char *origin(const struct px_zone *zn)
{
	const char *o = zn->origin;

	if ((zn->flags & PX_ZF_LOCAL) && !strncmp(o, "local ", 6))
		return "local";
	if (strncmp(o, "file /", 6) || strlen(o) >= sizeof(zn->origin) - 1)
		return NULL; /* relative, or cut short: not the file */
	for (const char *c = o + 5; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '#' || *c == 0x7f)
			return NULL; /* not one token */
	return o;
}

/* How a from line or block line names zone z. */
static const char *ref(const struct px_zone *zn)
{
	return zn->name;
}

static void prefixes(FILE *out, const struct px_zoneset *zs, unsigned int z,
		     const char *before, unsigned int per_line)
{
	unsigned int n = 0;
	char pb[64];

	for (size_t i = 0; i < zs->npfx; i++) {
		if (zs->pfx[i].zone != z)
			continue;
		if (per_line && n && n % per_line == 0)
			fprintf(out, "\n%s", before);
		fprintf(out, " %s",
			zone_prefix_str(&zs->pfx[i], pb, sizeof(pb)));
		n++;
	}
}

/* The zone lines: named zones, by their origin or their prefixes. */
static int zone_lines(const struct px_zoneset *zs, const bool *literal,
		      FILE *out)
{
	for (unsigned int z = 1; z <= zs->nzones; z++) {
		const struct px_zone *zn = &zs->zone[z];
		const char *o = origin(zn);

		if (!zn->name[0] || (zn->flags & PX_ZF_ANON))
			continue;
		if (o && literal[z])
			fprintf(out,
				"# zone %s was '%s' when applied, which no "
				"longer gives its prefixes: these are the live "
				"ones\n",
				zn->name, o[0] == 'l' ? "local" : o);
		if (o && !literal[z]) {
			fprintf(out, "zone %s %s\n", zn->name, o);
			continue;
		}
		if (!zn->prefixes4 && !zn->prefixes6)
			return -EINVAL; /* `zone NAME` alone is no line */
		fprintf(out, "zone %s", zn->name);
		prefixes(out, zs, z, "", 0);
		fputc('\n', out);
	}
	return 0;
}

/* One spec of a from line, SPECS_A_LINE a line. */
struct from_line {
	FILE *out;
	const char *zone;
	bool open;
	unsigned int n;
};

static void spec(struct from_line *fl, const char *word, unsigned int lo,
		 unsigned int hi, int proto)
{
	if (fl->n == SPECS_A_LINE) {
		fprintf(fl->out, " from %s\n", fl->zone);
		fl->n = 0;
	}
	if (!fl->n)
		fputs(fl->open ? "open" : "close", fl->out);
	if (word)
		fprintf(fl->out, " %s", word);
	else if (lo == hi)
		fprintf(fl->out, " %u/%s", lo, px_proto_name(proto));
	else
		fprintf(fl->out, " %u-%u/%s", lo, hi, px_proto_name(proto));
	fl->n++;
}

/*
 * Port 0 can only have been named by the class well-known (0-1023): a
 * line of it goes first, and the from lines after it set 1-1023 again.
 */
static void port0_lines(FILE *out, const struct px_zone *zn)
{
	for (int p = PX_TCP; p < PX_NPROTO; p++)
		if (bit(zn->touched[p], 0))
			fprintf(out, "%s well-known/%s from %s\n",
				bit(zn->open[p], 0) ? "open" : "close",
				px_proto_name(p), ref(zn));
}

/* The from lines of zone zn with verdict open: every run of ports its
 * lines named (touched) with that verdict. */
static void from_lines(FILE *out, const struct px_zone *zn, bool open)
{
	struct from_line fl = {out, ref(zn), open, 0};

	for (int p = PX_TCP; p < PX_NPROTO; p++) {
		const __u64 *t = zn->touched[p], *o = zn->open[p];

		for (unsigned int lo = 1, hi; lo < PX_PORTS; lo = hi + 1) {
			hi = lo;
			if (!bit(t, lo) || bit(o, lo) != open)
				continue;
			while (hi + 1 < PX_PORTS && bit(t, hi + 1) &&
			       bit(o, hi + 1) == open)
				hi++;
			spec(&fl, NULL, lo, hi, p);
		}
	}
	if ((zn->flags & PX_ZF_PING_TOUCHED) &&
	    !!(zn->flags & PX_ZF_PING_OPEN) == open)
		spec(&fl, "ping", 0, 0, 0);
	if (fl.n)
		fprintf(out, " from %s\n", fl.zone);
}

int live_zones_text(const struct px_zoneset *zs, const bool *literal, FILE *out)
{
	int err = zone_lines(zs, literal, out);

	for (unsigned int z = 1; !err && z <= zs->nzones; z++) {
		const struct px_zone *zn = &zs->zone[z];

		if (!zn->name[0] || (zn->flags & PX_ZF_BLOCK))
			continue;
		port0_lines(out, zn);
		from_lines(out, zn, false);
		from_lines(out, zn, true);
	}
	for (unsigned int z = 1; !err && z <= zs->nzones; z++) {
		const struct px_zone *zn = &zs->zone[z];

		if (!zn->name[0] || !(zn->flags & PX_ZF_BLOCK))
			continue;
		if (!(zn->flags & PX_ZF_ANON)) {
			port0_lines(out, zn);
			from_lines(out, zn, false);
			from_lines(out, zn, true);
			fprintf(out, "block %s\n", zn->name);
			continue;
		}
		fputs("block", out);
		prefixes(out, zs, z, "block", SPECS_A_LINE);
		fputc('\n', out);
	}
	return err;
}

static int cmp_pfx(const void *a, const void *b)
{
	const struct px_prefix *x = a, *y = b;

	if (x->zone != y->zone)
		return x->zone - y->zone;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->len != y->len)
		return x->len - y->len;
	if (x->except != y->except)
		return x->except - y->except;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* Copies of both prefix lists by live zone index, sorted alike. */
static struct px_prefix *sorted(const struct px_zoneset *zs, const __u8 *map)
{
	struct px_prefix *p = malloc((zs->npfx + 1) * sizeof(*p));

	if (!p)
		return NULL;
	for (size_t i = 0; i < zs->npfx; i++) {
		p[i] = zs->pfx[i];
		p[i].zone = map ? map[p[i].zone] : p[i].zone;
		p[i].file = 0;
		p[i].line = 0;
	}
	qsort(p, zs->npfx, sizeof(*p), cmp_pfx);
	return p;
}

/* Mark each live zone whose prefixes differ; true when none does. */
static bool same_prefixes(const struct px_zoneset *live,
			  const struct px_zoneset *back, const __u8 *map,
			  bool *differs)
{
	struct px_prefix *a = sorted(live, NULL), *b = sorted(back, map);
	size_t i = 0, j = 0;
	bool same = a && b;

	while (same && (i < live->npfx || j < back->npfx)) {
		const struct px_prefix *x = i < live->npfx ? &a[i] : NULL;
		const struct px_prefix *y = j < back->npfx ? &b[j] : NULL;
		int c = !x ? 1 : !y ? -1 : cmp_pfx(x, y);

		if (!c) {
			i++, j++;
			continue;
		}
		differs[c < 0 ? x->zone : y->zone] = true;
		if (c < 0)
			i++;
		else
			j++;
	}
	for (unsigned int z = 0; z < PX_ZONE_ENTRIES; z++)
		same = same && !differs[z];
	free(a);
	free(b);
	return same && a && b;
}

bool live_zones_same(const struct px_zoneset *live,
		     const struct px_policy *lpol,
		     const struct px_zoneset *back,
		     const struct px_policy *bpol, bool *differs)
{
	const __u32 zf = PX_F_ZONES | PX_F_BLOCK | PX_F_PING_ZONED;
	__u8 map[PX_ZONE_ENTRIES] = {0}; /* back's index -> live's */
	unsigned int named = 0;
	bool same = (lpol->flags & zf) == (bpol->flags & zf) &&
		    !memcmp(lpol->zoned, bpol->zoned, sizeof(lpol->zoned));

	for (unsigned int z = 1; z <= live->nzones; z++) {
		const struct px_zone *l = &live->zone[z], *r;
		unsigned int b;

		if (!l->name[0])
			continue;
		named++;
		b = zoneset_find(back, l->name);
		if (!b)
			return false;
		map[b] = (__u8)z;
		r = &back->zone[b];
		same = same && !memcmp(l->open, r->open, sizeof(l->open)) &&
		       !memcmp(l->touched, r->touched, sizeof(l->touched)) &&
		       ((l->flags ^ r->flags) & ~PX_ZF_LOCAL) == 0;
	}
	if (!same || named != back->nzones ||
	    lpol->ban.nzones != bpol->ban.nzones)
		return false;
	for (__u32 i = 0; i < lpol->ban.nzones && i < PX_BAN_EXCEPT_MAX; i++)
		if (map[bpol->ban.zones[i]] != lpol->ban.zones[i])
			return false;
	return same_prefixes(live, back, map, differs);
}

unsigned int live_zones_runs(const struct px_zone *zn,
			     const struct px_policy *base, struct zone_run *run,
			     unsigned int max)
{
	unsigned int n = 0;

	for (int p = PX_TCP; p < PX_NPROTO; p++)
		for (unsigned int lo = 1, hi; lo < PX_PORTS; lo = hi + 1) {
			bool open = bit(zn->open[p], lo);

			hi = lo;
			if (open == bit(base->open[p], lo))
				continue;
			while (hi + 1 < PX_PORTS &&
			       bit(zn->open[p], hi + 1) == open &&
			       bit(base->open[p], hi + 1) != open)
				hi++;
			if (n < max)
				run[n] = (struct zone_run){p, lo, hi, open};
			n++;
		}
	return n;
}
