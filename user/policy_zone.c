// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The zone lines of the policy language (doc/design.md, section 8):
 *   zone NAME PREFIX|local|file PATH...
 *   open|close SPEC... from SRC...
 *   block SRC...
 * where SRC is a zone's name or a bare PREFIX (a zone of its own). The
 * lines go into the parse's struct px_zoneset (policy_zone.h); a `from`
 * line's SPECs go through the one SPEC parser into a scratch bitmap, then
 * onto each zone it names, in file order. Zone files are read whole, once,
 * and parsed in place (a million lines, no allocation per line).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_state.h"
#include "table.h"
#include "text.h"
#include "textfile.h"

static const char *const zone_keywords[] = {
	"default", "open",  "close", "closed", "option", "zone",   "from",
	"block",   "local", "file",  "ping",   "ban",	 "except", NULL};

static struct px_zoneset *zones(struct pstate *st)
{
	if (!st->zs) {
		st->zs = zoneset_new();
		if (st->zs)
			st->zs->files[0] = strdup(st->name);
	}
	return st->zs;
}

static bool is_keyword(const char *s, size_t len)
{
	for (const char *const *k = zone_keywords; *k; k++)
		if (word_is(s, len, *k))
			return true;
	return false;
}

/* A zone name: [a-z][a-z0-9-]*, shorter than PX_ZONE_NAME_LEN. */
static bool name_ok(const char *s, size_t len)
{
	if (!len || len >= PX_ZONE_NAME_LEN || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return !is_keyword(s, len);
}

/* A bad name: what is wrong with it, for the hint. */
static const char *name_fix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len &&
	       ((s[i] >= 'a' && s[i] <= 'z') ||
		(i && ((s[i] >= '0' && s[i] <= '9') || s[i] == '-'))))
		i++;
	if (i == len && len >= PX_ZONE_NAME_LEN)
		return "a zone name is at most 47 bytes: shorten it";
	if (i == len)
		return "that is a keyword of the policy language: pick "
		       "another name";
	return "a zone name is a lowercase letter, then letters, digits "
	       "or '-'";
}

/* A zone whose declaration failed (reported): later mentions are quiet. */
static void remember_bad(struct pstate *st, const char *s, size_t len)
{
	char *b;

	if (st->nbad_zones == 16)
		return;
	b = st->bad_zone[st->nbad_zones++];
	snprintf(b, sizeof(st->bad_zone[0]), "%.*s",
		 (int)(len < sizeof(st->bad_zone[0]) - 1
			       ? len
			       : sizeof(st->bad_zone[0]) - 1),
		 s);
}

static bool was_bad(const struct pstate *st, const char *s, size_t len)
{
	if (st->zones_over)
		return true; /* any of the zones past the limit */
	for (unsigned int i = 0; i < st->nbad_zones; i++) {
		const char *b = st->bad_zone[i];
		size_t n = strlen(b);

		if (len >= n && !strncmp(b, s, n) &&
		    (len == n || n == sizeof(st->bad_zone[0]) - 1))
			return true;
	}
	return false;
}

static unsigned int find(const struct pstate *st, const char *s, size_t len)
{
	char name[PX_ZONE_NAME_LEN];

	if (!st->zs || len >= sizeof(name))
		return 0;
	memcpy(name, s, len);
	name[len] = '\0';
	return zoneset_find(st->zs, name);
}

/* A new zone named name: its index, or 0 reported. */
static unsigned int new_zone(struct pstate *st, const char *name,
			     unsigned int col, __u32 flags)
{
	struct px_zoneset *zs = zones(st);
	struct px_zone *z;

	if (!zs) {
		error_at(st, col, NULL, "out of memory");
		return 0;
	}
	if (zs->nzones == PX_ZONES_MAX) {
		if (st->zones_over) {
			st->hushed++; /* said once */
			return 0;
		}
		st->zones_over = true;
		error_at(st, col,
			 "put prefixes that share verdicts into one zone",
			 "more than %d zones (bare prefixes in from lines "
			 "count as zones)",
			 PX_ZONES_MAX);
		return 0;
	}
	z = &zs->zone[++zs->nzones];
	text_copy(z->name, sizeof(z->name), name);
	z->flags = flags;
	st->zone_pos[zs->nzones] = (struct pos){st->line, col};
	return zs->nzones;
}

/* Report a bad prefix; true when p is usable (host bits only warned). */
static bool prefix_or_report(struct pstate *st, const char *s, size_t len,
			     unsigned int col, struct px_prefix *p)
{
	char b[SHOWN_LEN], h[96];
	unsigned int max = 0;
	int r = zone_prefix_parse(s, len, p, &max);

	if (r == -ERANGE) {
		snprintf(h, sizeof(h), "an IPv%u prefix length is 0-%u",
			 p->family, max);
		error_at(st, col, h, "prefix length out of range in '%s'",
			 shown(s, len, b));
		return false;
	}
	if (r == -EINVAL) {
		error_at(st, col,
			 "a prefix is an address with an optional /LEN, e.g. "
			 "198.51.100.0/24 or 2001:db8::/32",
			 "invalid prefix '%s'", shown(s, len, b));
		return false;
	}
	if (r == -EDOM) {
		zone_prefix_str(p, h, sizeof(h));
		warn_at(st, (struct pos){st->line, col},
			"write the network address, or /32 (/128) for one host",
			"'%s' has host bits set: it means %s", shown(s, len, b),
			h);
	}
	return true;
}

void zone_add_prefix(struct pstate *st, struct px_prefix *p, unsigned int zone,
		     unsigned int file, unsigned int col)
{
	int err;

	p->zone = (__u8)zone;
	p->file = (__u8)file;
	p->line = st->line;
	err = zoneset_add(st->zs, p);
	if (!err || st->zone_full)
		return;
	st->zone_full = true; /* one message, not one per line after it */
	if (err == -E2BIG)
		error_at(st, col,
			 "merge them into larger prefixes, or split the "
			 "policy",
			 "zone '%s': more than %u IPv%u prefixes, the limit "
			 "per family",
			 st->zs->zone[zone].name, PX_ZONE_PREFIXES_MAX,
			 p->family);
	else
		error_at(st, col, NULL, "cannot hold more prefixes: %s",
			 strerror(-err));
}

void line_zone(struct pstate *st, const char *line, size_t len, size_t at,
	       struct tok *kw)
{
	char b[SHOWN_LEN], name[PX_ZONE_NAME_LEN];
	struct px_prefix p;
	unsigned int z;
	struct tok t;
	bool any = false;

	if (!next_tok(line, len, &at, &t)) {
		error_at(st, kw->col + (unsigned int)kw->len,
			 "e.g. 'zone office 198.51.100.0/24'",
			 "'zone' needs a name and its prefixes");
		return;
	}
	if (!name_ok(t.s, t.len)) {
		error_at(st, t.col, name_fix(t.s, t.len),
			 "invalid zone name '%s'", shown(t.s, t.len, b));
		remember_bad(st, t.s, t.len);
		return;
	}
	memcpy(name, t.s, t.len);
	name[t.len] = '\0';
	z = find(st, t.s, t.len);
	if (z) {
		error_at(st, t.col,
			 "give each zone one line, with all its "
			 "prefixes",
			 "zone '%s' declared twice (first on line %u)", name,
			 st->zone_pos[z].line);
		return;
	}
	z = new_zone(st, name, t.col, 0);
	if (!z) {
		remember_bad(st, t.s, t.len);
		return;
	}
	while (next_tok(line, len, &at, &t)) {
		any = true;
		if (word_is(t.s, t.len, "local")) {
			st->zs->zone[z].flags |= PX_ZF_LOCAL;
		} else if (word_is(t.s, t.len, "file")) {
			struct tok f;

			if (!next_tok(line, len, &at, &f)) {
				error_at(st, t.col + 4,
					 "e.g. 'zone feed file blocklist.txt'",
					 "'file' needs a path");
				return;
			}
			zone_file(st, z, &f);
		} else if (prefix_or_report(st, t.s, t.len, t.col, &p)) {
			zone_add_prefix(st, &p, z, 0, t.col);
		}
	}
	if (!any)
		error_at(st, kw->col,
			 "list prefixes, 'local' or 'file PATH' after the name",
			 "zone '%s' has no sources", name);
}

bool zone_is_prefix(const struct tok *t)
{
	return t->len && ((t->s[0] >= '0' && t->s[0] <= '9') ||
			  memchr(t->s, ':', t->len));
}

/* One SRC of a from or block line: a zone's index, or 0 reported. */
static unsigned int source(struct pstate *st, struct tok *t, bool block)
{
	char pname[64];
	struct px_prefix p;
	unsigned int z = find(st, t->s, t->len);

	if (z)
		return z;
	if (zone_is_prefix(t)) {
		if (!prefix_or_report(st, t->s, t->len, t->col, &p))
			return 0;
		zone_prefix_str(&p, pname, sizeof(pname));
		z = find(st, block ? "(blocked)" : pname,
			 strlen(block ? "(blocked)" : pname));
		if (!z) {
			z = new_zone(st, block ? "(blocked)" : pname, t->col,
				     PX_ZF_ANON | (block ? PX_ZF_BLOCK : 0));
			if (z && !block)
				zone_add_prefix(st, &p, z, 0, t->col);
		}
		if (z && block)
			zone_add_prefix(st, &p, z, 0, t->col);
		return z;
	}
	return zone_named(st, t,
			  "after 'from' or 'block' come zone names and "
			  "prefixes");
}

unsigned int zone_named(struct pstate *st, const struct tok *t,
			const char *what)
{
	char b[SHOWN_LEN], h[160], pname[64];
	unsigned int z = find(st, t->s, t->len);

	if (z)
		return z;
	if (was_bad(st, t->s, t->len)) {
		st->hushed++;
		return 0;
	}
	if (t->len < PX_ZONE_NAME_LEN && st->zs) {
		memcpy(pname, t->s, t->len);
		pname[t->len] = '\0';
		for (z = 1; z <= st->zs->nzones; z++)
			if (!(st->zs->zone[z].flags & PX_ZF_ANON) &&
			    px_edit_distance(pname, st->zs->zone[z].name) <= 2)
				break;
	}
	if (z && st->zs && z <= st->zs->nzones)
		snprintf(h, sizeof(h), "did you mean '%s'?",
			 st->zs->zone[z].name);
	else if (name_ok(t->s, t->len))
		snprintf(h, sizeof(h),
			 "declare it above this line: 'zone %s PREFIX...'",
			 shown(t->s, t->len, b));
	else
		snprintf(h, sizeof(h), "%s", what);
	error_at(st, t->col, h, "unknown zone '%s'", shown(t->s, t->len, b));
	return 0;
}

size_t zone_from_at(const char *line, size_t len, size_t at)
{
	struct tok t;

	while (next_tok(line, len, &at, &t))
		if (word_is(t.s, t.len, "from"))
			return (size_t)(t.s - line);
	return 0;
}

/* The zones named after `from` (or `block`) into z[]; their count. */
static unsigned int sources(struct pstate *st, const char *line, size_t len,
			    size_t at, unsigned int *z, bool block)
{
	unsigned int n = 0;
	struct tok t;

	while (next_tok(line, len, &at, &t)) {
		unsigned int i = source(st, &t, block);

		if (!i)
			continue;
		st->zone_used[i] = true;
		if (n < PX_ZONES_MAX)
			z[n++] = i;
	}
	return n;
}

void zone_rule(struct pstate *st, const char *line, size_t len, size_t at,
	       size_t from, struct tok *kw, bool open)
{
	unsigned int z[PX_ZONES_MAX], n, errors = st->errors + st->hushed;
	__u64 saved_open[PX_NPROTO][PX_BITMAP_WORDS];
	__u32 saved_flags = st->pol.flags;
	bool any = false, ping;
	struct tok t;

	st->seen_rule = true;
	n = sources(st, line, len, from + 4, z, false);
	if (!n && st->errors + st->hushed == errors)
		error_at(st, (unsigned int)from + 5,
			 "e.g. 'open ssh from office'",
			 "'from' needs a zone or a prefix");
	/* The SPECs, through the one parser, into a scratch bitmap. */
	memcpy(saved_open, st->pol.open, sizeof(saved_open));
	memset(st->pol.open, 0, sizeof(st->pol.open));
	st->pol.flags &= ~PX_F_PING_OPEN;
	st->in_zone = true;
	while (next_tok(line, from, &at, &t)) {
		any = true;
		parse_spec(st, t.s, t.len, t.col, true);
	}
	st->in_zone = false;
	ping = st->pol.flags & PX_F_PING_OPEN;
	for (unsigned int i = 0; i < n; i++) {
		struct px_zone *zn = &st->zs->zone[z[i]];
		__u64 *o = &zn->open[0][0], *tc = &zn->touched[0][0];
		const __u64 *m = &st->pol.open[0][0];

		for (size_t w = 0; w < PX_NPROTO * PX_BITMAP_WORDS; w++) {
			tc[w] |= m[w];
			o[w] = open ? o[w] | m[w] : o[w] & ~m[w];
		}
		if (ping)
			zn->flags = (zn->flags | PX_ZF_PING_TOUCHED) &
				    ~(open ? 0 : PX_ZF_PING_OPEN);
		if (ping && open)
			zn->flags |= PX_ZF_PING_OPEN;
	}
	memcpy(st->pol.open, saved_open, sizeof(saved_open));
	st->pol.flags = saved_flags;
	if (!any)
		error_at(st, kw->col + (unsigned int)kw->len,
			 open ? "e.g. 'open ssh from office'"
			      : "e.g. 'close 5432 from 198.51.100.77'",
			 "'%s' needs at least one port before 'from'",
			 open ? "open" : "close");
}

void line_block(struct pstate *st, const char *line, size_t len, size_t at,
		struct tok *kw)
{
	unsigned int z[PX_ZONES_MAX], n, errors = st->errors + st->hushed;

	st->seen_rule = true;
	n = sources(st, line, len, at, z, true);
	for (unsigned int i = 0; i < n; i++)
		st->zs->zone[z[i]].flags |= PX_ZF_BLOCK;
	if (!n && st->errors + st->hushed == errors)
		error_at(st, kw->col + (unsigned int)kw->len,
			 "e.g. 'block 203.0.113.0/24' or 'block feed'",
			 "'block' needs a zone or a prefix");
}

/* `local`: the interface's prefixes, or a warning when there is none. */
static void resolve_local(struct pstate *st, unsigned int z)
{
	struct px_zone *zn = &st->zs->zone[z];
	struct pos at = st->zone_pos[z];
	int err;

	if (!st->ifname) {
		warn_at(st, at,
			"apply it to an interface; 'check' cannot know which",
			"zone '%s' is local: its prefixes are read when the "
			"policy is applied",
			zn->name);
		return;
	}
	snprintf(zn->origin, sizeof(zn->origin), "local %s", st->ifname);
	st->line = at.line;
	err = zone_local_prefixes(st->zs, st->ifname, z);
	/* status shows what local meant when applied */
	for (size_t i = 0; !err && i < st->zs->npfx; i++) {
		size_t at = strlen(zn->origin);
		char pb[64];

		if (st->zs->pfx[i].zone != z)
			continue;
		zone_prefix_str(&st->zs->pfx[i], pb, sizeof(pb));
		if (at + strlen(pb) + 6 >= sizeof(zn->origin)) {
			snprintf(zn->origin + at, sizeof(zn->origin) - at,
				 " ...");
			break;
		}
		snprintf(zn->origin + at, sizeof(zn->origin) - at, "%s%s",
			 strchr(zn->origin, ':') ? " " : ": ", pb);
	}
	if (err)
		error_at(st, at.col, "check the interface name",
			 "cannot read the prefixes of %s for zone '%s': %s",
			 st->ifname, zn->name, strerror(-err));
}

/* The same prefix in two zones: name both places. */
static void clash(struct pstate *st, const struct px_prefix *a,
		  const struct px_prefix *b)
{
	const char *saved = st->name;
	char pb[64], h[256];

	zone_prefix_str(b, pb, sizeof(pb));
	if (!a->line || !b->line) /* `local`: read from the interface */
		snprintf(h, sizeof(h),
			 "zone '%s' is local: %s holds %s here, so take it "
			 "out of the other zone, or list the local zone's "
			 "prefixes by hand",
			 st->zs->zone[a->line ? b->zone : a->zone].name,
			 st->ifname ? st->ifname : "the interface", pb);
	else
		snprintf(h, sizeof(h), "keep it in one zone ('%s' at %s:%u)",
			 st->zs->zone[a->zone].name, st->zs->files[a->file],
			 a->line);
	st->name = st->zs->files[b->file];
	st->line = b->line ? b->line : st->zone_pos[b->zone].line;
	error_at(st, b->line ? 1 : st->zone_pos[b->zone].col, h,
		 "prefix %s is in two zones: '%s' and '%s'", pb,
		 st->zs->zone[a->zone].name, st->zs->zone[b->zone].name);
	st->name = saved;
}

void zone_finish(struct pstate *st)
{
	struct px_zoneset *zs = st->zs;
	struct px_prefix c[2];

	if (!zs)
		return;
	zs->ifname = st->ifname;
	for (unsigned int z = 1; z <= zs->nzones; z++) {
		if (zs->zone[z].flags & PX_ZF_LOCAL)
			resolve_local(st, z);
		if (!st->zone_used[z])
			warn_at(st, st->zone_pos[z],
				"name it in a 'from' or 'block' line, or "
				"remove it",
				"zone '%s' is never used", zs->zone[z].name);
	}
	if (zoneset_sort(zs, c))
		clash(st, &c[0], &c[1]);
	zoneset_finish(zs, &st->pol);
}
