// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ban rule of the policy language (doc/design.md, section 10):
 *
 *   ban after N ports in SECS for DURATION [except SRC...]
 *
 * into px_policy.ban, with PX_F_BANS set. SECS and DURATION are durations
 * (duration.h: 30s, 10m, 2h, 1d; a plain number is seconds); SRC is a
 * zone declared above, an address or a prefix whose sources are never
 * banned. One ban line per policy. check warns about a rule without
 * except (spoofed scans).
 *
 * `except ZONE` in the program: the source's zone is looked up and its
 * trie entry must carry PX_ZF_BAN_EXCEPT. A source belongs to the zone
 * of its longest prefix only, so ban_finish() gives that flag to every
 * prefix inside an excepted zone's prefix, whatever zone it is in:
 * `except office` then holds for 198.51.100.77 even when a line
 * `close 5432 from 198.51.100.77` makes it a zone of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "policy_zone.h"
#include "policy_state.h"
#include "source.h"

#define BAN_SYNTAX                                                             \
	"write 'ban after 10 ports in 60s for 1h except 198.51.100.0/24'"

/* The next token must be word; else an error at col. */
static bool want_word(struct pstate *st, const char *line, size_t len,
		      size_t *at, unsigned int *col, const char *word)
{
	struct tok t;
	char b[SHOWN_LEN];

	if (!next_tok(line, len, at, &t)) {
		error_at(st, *col, BAN_SYNTAX, "'ban' needs '%s' here", word);
		return false;
	}
	if (!word_is(t.s, t.len, word)) {
		error_at(st, t.col, BAN_SYNTAX, "expected '%s', not '%s'", word,
			 shown(t.s, t.len, b));
		return false;
	}
	*col = t.col + (unsigned int)t.len;
	return true;
}

/* A number or duration token after a word, from 1 to max. */
static bool want_value(struct pstate *st, const char *line, size_t len,
		       size_t *at, unsigned int *col, const char *what,
		       unsigned long max, bool duration, unsigned long *out)
{
	struct tok t;
	char b[SHOWN_LEN], h[192], m[32];
	int err;

	if (!next_tok(line, len, at, &t)) {
		error_at(st, *col, BAN_SYNTAX, "'ban' needs %s here", what);
		return false;
	}
	*col = t.col + (unsigned int)t.len;
	err = duration_parse(t.s, t.len, max, out);
	if (!err && !duration && t.s[t.len - 1] > '9')
		err = -EINVAL; /* a count has no unit */
	if (!err)
		return true;
	if (duration)
		snprintf(h, sizeof(h), "%s is " DURATION_FORMS ", at most %s",
			 what, duration_format(m, sizeof(m), max));
	else
		snprintf(h, sizeof(h),
			 "a whole number from 1 to %lu (a source's scan "
			 "state holds %u distinct ports)",
			 max, (unsigned int)PX_BAN_PORTS_MAX);
	error_at(st, t.col, h, "%s: '%s' is not %s", what, shown(t.s, t.len, b),
		 err == -ERANGE ? "in range"
		 : duration	? "a duration"
				: "a number");
	return false;
}

/* `except ZONE`: a zone declared above. */
static void except_zone(struct pstate *st, struct tok *t)
{
	struct px_ban_rule *r = &st->pol.ban;
	unsigned int z = zone_named(st, t,
				    "after 'except' come zone names (declared "
				    "above) and prefixes");

	if (!z)
		return;
	st->zone_used[z] = true;
	for (__u32 i = 0; i < r->nzones; i++)
		if (r->zones[i] == z)
			return; /* named twice: once is enough */
	if (r->nzones == PX_BAN_EXCEPT_MAX) {
		error_at(st, t->col, "join them into fewer zones",
			 "more than %d zones after except", PX_BAN_EXCEPT_MAX);
		return;
	}
	r->zones[r->nzones++] = (__u8)z;
	st->zs->zone[z].flags |= PX_ZF_BAN_EXCEPT;
}

/* One SRC after except: a prefix, or a zone's name. */
static void except_one(struct pstate *st, struct tok *t)
{
	struct px_ban_rule *r = &st->pol.ban;
	struct px_ban_prefix p;
	const char *why;
	char b[SHOWN_LEN];

	if (!zone_is_prefix(t)) {
		except_zone(st, t);
		return;
	}
	if (prefix_parse(t->s, t->len, &p, &why)) {
		error_at(st, t->col,
			 "give zones, addresses or prefixes, e.g. 'except "
			 "office 198.51.100.0/24 2001:db8::/32'",
			 "except: '%s': %s", shown(t->s, t->len, b), why);
		return;
	}
	if (p.family == 6 && p.len > 64) { /* sources are /64s */
		p.len = 64;
		p.mask[1] = 0;
		p.net[1] = 0;
	}
	if (r->nexcept == PX_BAN_EXCEPT_MAX) {
		error_at(st, t->col, "join them into wider prefixes",
			 "more than %d prefixes after except",
			 PX_BAN_EXCEPT_MAX);
		return;
	}
	r->except[r->nexcept++] = p;
}

static void lint_no_except(struct pstate *st, unsigned int col)
{
	warn_at(st, (struct pos){st->line, col},
		"add 'except' with the addresses that must never be banned: "
		"your gateway, resolvers, monitoring and admin networks",
		"a ban rule without 'except': a scan is easy to send with a "
		"forged source address (UDP and TCP SYNs need no reply), so "
		"anyone can get any address banned, your gateway's or DNS "
		"resolver's too");
}

void line_ban(struct pstate *st, const char *line, size_t len, size_t at,
	      struct tok *kw)
{
	struct px_ban_rule r = {0};
	unsigned int col = kw->col + (unsigned int)kw->len, errors = st->errors;
	unsigned long v;
	struct tok t;
	char b[SHOWN_LEN];

	st->seen_rule = true;
	if (!once_per_policy(st, &st->ban_line, kw->col, "ban"))
		return;
	if (!want_word(st, line, len, &at, &col, "after") ||
	    !want_value(st, line, len, &at, &col, "N (ports)", PX_BAN_PORTS_MAX,
			false, &v))
		return;
	r.ports = (__u32)v;
	if (!want_word(st, line, len, &at, &col, "ports") ||
	    !want_word(st, line, len, &at, &col, "in") ||
	    !want_value(st, line, len, &at, &col, "SECS (the window)",
			PX_BAN_WINDOW_MAX, true, &v))
		return;
	r.window_s = (__u32)v;
	if (!want_word(st, line, len, &at, &col, "for") ||
	    !want_value(st, line, len, &at, &col, "DURATION",
			PX_BAN_DURATION_MAX, true, &v))
		return;
	r.duration_s = (__u32)v;
	st->pol.ban = r;
	if (!next_tok(line, len, &at, &t)) {
		lint_no_except(st, kw->col);
	} else if (!word_is(t.s, t.len, "except")) {
		error_at(st, t.col, BAN_SYNTAX, "expected 'except', not '%s'",
			 shown(t.s, t.len, b));
	} else {
		bool any = false;

		while (next_tok(line, len, &at, &t)) {
			any = true;
			except_one(st, &t);
		}
		if (!any)
			error_at(st, t.col + (unsigned int)t.len, BAN_SYNTAX,
				 "'except' needs at least one zone, address "
				 "or prefix");
	}
	if (st->errors == errors)
		st->pol.flags |= PX_F_BANS;
}

/* The excepted prefixes of one family, sorted as zoneset_sort() leaves
 * them (family, length, address), and which lengths occur. */
struct except_set {
	struct px_prefix *p; /* copies */
	size_t n;
	bool len[129];
};

static int cmp_pfx(const void *a, const void *b)
{
	const struct px_prefix *x = a, *y = b;

	if (x->len != y->len)
		return x->len - y->len;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* Is q (an address masked to some length) one of e's prefixes? */
static bool except_has(const struct except_set *e, const struct px_prefix *q)
{
	return bsearch(q, e->p, e->n, sizeof(*q), cmp_pfx) != NULL;
}

/* Whether p lies inside one of e's prefixes: p masked to each length
 * that occurs in e, up to p's own, looked up. */
static bool inside(const struct except_set *e, const struct px_prefix *p)
{
	struct px_prefix q = {.family = p->family};

	for (unsigned int l = 0; l <= p->len; l++) {
		if (!e->len[l])
			continue;
		memset(q.addr, 0, sizeof(q.addr));
		memcpy(q.addr, p->addr, l / 8);
		if (l % 8)
			q.addr[l / 8] =
				p->addr[l / 8] & (__u8)(0xff00 >> (l % 8));
		q.len = (__u8)l;
		if (except_has(e, &q))
			return true;
	}
	return false;
}

/* IPv6 sources are counted and banned by their /64: an excepted prefix
 * longer than that does not keep its /64 from a ban. */
static void lint_long_v6(struct pstate *st, const struct px_prefix *p)
{
	const struct px_zone *z = &st->zs->zone[p->zone];
	const char *saved = st->name;
	char pb[64];

	zone_prefix_str(p, pb, sizeof(pb));
	st->name = st->zs->files[p->file];
	warn_at(st, p->line ? (struct pos){p->line, 1} : st->zone_pos[p->zone],
		"except its /64 (an IPv6 source is counted and banned by its "
		"/64)",
		"zone '%s' is in the ban rule's except, but %s is longer than "
		"a /64: a scan from another address of its /64 bans that /64, "
		"%s included",
		z->name, pb, pb);
	st->name = saved;
}

static bool excepted(const struct px_zoneset *zs, const struct px_prefix *p)
{
	return zs->zone[p->zone].flags & PX_ZF_BAN_EXCEPT;
}

void ban_finish(struct pstate *st)
{
	struct px_zoneset *zs = st->zs;
	struct except_set e[2] = {{0}};
	bool warned[PX_ZONE_ENTRIES] = {false};
	size_t n[2] = {0, 0};

	if (!st->pol.ban.nzones || !zs)
		return;
	for (size_t i = 0; i < zs->npfx; i++)
		n[zs->pfx[i].family == 6] += excepted(zs, &zs->pfx[i]);
	e[0].p = calloc(n[0] + 1, sizeof(struct px_prefix));
	e[1].p = calloc(n[1] + 1, sizeof(struct px_prefix));
	if (!e[0].p || !e[1].p) {
		error_at(st, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < zs->npfx; i++) {
		const struct px_prefix *p = &zs->pfx[i];
		struct except_set *s = &e[p->family == 6];

		if (!excepted(zs, p))
			continue;
		s->p[s->n++] = *p; /* sorted already, as zs->pfx is */
		s->len[p->len] = true;
		if (p->family == 6 && p->len > 64 && !warned[p->zone]) {
			warned[p->zone] = true;
			lint_long_v6(st, p);
		}
	}
	for (size_t i = 0; i < zs->npfx; i++) {
		struct px_prefix *p = &zs->pfx[i];

		p->except = excepted(zs, p) || inside(&e[p->family == 6], p);
	}
out:
	free(e[0].p);
	free(e[1].p);
}
