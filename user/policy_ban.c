// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ban rule of the policy language (doc/design.md, section 10):
 *
 *   ban after N ports in SECS for DURATION [except SRC...]
 *
 * into px_policy.ban, with PX_F_BANS set. SECS and DURATION are durations
 * (duration.h: 30s, 10m, 2h, 1d; a plain number is seconds); SRC is an
 * address or prefix whose sources are never banned. One ban line per
 * policy. check warns about a rule without except (spoofed scans).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
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
	char b[SHOWN_LEN], h[160], m[32];
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
		snprintf(h, sizeof(h),
			 "a duration such as 30s, 10m, 2h or 1d, at most %s",
			 duration_format(m, sizeof(m), max));
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

/* One SRC after except. */
static void except_one(struct pstate *st, struct tok *t)
{
	struct px_ban_rule *r = &st->pol.ban;
	struct px_ban_prefix p;
	const char *why;
	char b[SHOWN_LEN];

	if (prefix_parse(t->s, t->len, &p, &why)) {
		error_at(st, t->col,
			 "give addresses or prefixes, e.g. 'except "
			 "198.51.100.0/24 2001:db8::/32'",
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
	if (st->pol.ban.ports) {
		error_at(st, kw->col, "keep one ban line", "'ban' given twice");
		return;
	}
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
				 "'except' needs at least one address or "
				 "prefix");
	}
	if (st->errors == errors)
		st->pol.flags |= PX_F_BANS;
}
