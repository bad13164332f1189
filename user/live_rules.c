// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live rules as rows (live_rules.h): runs of ports found in one walk
 * over ports 1-65535 of each protocol, and the policy file that says
 * them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live_rules.h"
#include "policy.h"
#include "policy_zone.h"
#include "proto.h"
#include "source.h"
#include "summary.h"
#include "table.h"

/* Whether line k of lines starts with the keyword word. */
static bool line_is(const struct policy_lines *pl, unsigned int k,
		    const char *word)
{
	const char *t = pl->text[k - 1];
	size_t n = strlen(word);

	return !strncasecmp(t, word, n) &&
	       (!t[n] || isspace((unsigned char)t[n]));
}

/* The default line and the last `option fragments` line of lines. */
static void find_lines(struct live_rules *lr)
{
	const struct policy_lines *pl = lr->lines;

	lr->default_open = true; /* a policy starts default open */
	for (unsigned int k = 1; k <= pl->nlines; k++) {
		const char *t = pl->text[k - 1];

		if (line_is(pl, k, "default")) {
			lr->default_line = k;
			t += strlen("default");
			t += strspn(t, " \t");
			lr->default_open = !strncasecmp(t, "open", 4);
		} else if (line_is(pl, k, "option") && strstr(t, "fragments")) {
			lr->fragment_line = k;
		}
	}
}

/* The deciding line of a port that is in a row, or -1 for one that is
 * what the default makes it. */
static long row_key(const struct live_rules *lr, int proto, unsigned int port)
{
	bool open = policy_port_open(lr->pol, proto, port);
	unsigned int k = lr->lines ? lr->lines->line[proto][port] : 0;

	if (open == lr->default_open && (!k || k == lr->default_line))
		return -1;
	return k;
}

static int add_row(struct live_rules *lr, unsigned int *cap,
		   const struct rule_row *r)
{
	if (lr->nrows == *cap) {
		struct rule_row *n;

		*cap = *cap ? *cap * 2 : 32;
		n = realloc(lr->rows, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		lr->rows = n;
	}
	lr->rows[lr->nrows++] = *r;
	return 0;
}

static int find_rows(struct live_rules *lr)
{
	unsigned int cap = 0;

	for (int proto = PX_TCP; proto < PX_NPROTO; proto++) {
		unsigned int port = 1;

		while (port < PX_PORTS) {
			long key = row_key(lr, proto, port);
			bool open = policy_port_open(lr->pol, proto, port);
			struct rule_row r = {proto, port, port, open, 0};

			while (r.hi + 1 < PX_PORTS &&
			       row_key(lr, proto, r.hi + 1) == key &&
			       policy_port_open(lr->pol, proto, r.hi + 1) ==
				       open)
				r.hi++;
			port = r.hi + 1;
			if (key < 0)
				continue;
			r.line = (unsigned int)key;
			if (add_row(lr, &cap, &r))
				return -ENOMEM;
		}
	}
	return 0;
}

int live_rules_build(const struct px_policy *pol, struct policy_lines *lines,
		     int lines_err, struct live_rules *lr)
{
	memset(lr, 0, sizeof(*lr));
	lr->pol = pol;
	lr->lines = lines;
	lr->lines_err = lines ? 0 : lines_err;
	if (lines)
		find_lines(lr);
	else /* the state a `default` line gives port 0 */
		lr->default_open = policy_port_open(pol, PX_TCP, 0);
	if (find_rows(lr)) {
		live_rules_free(lr);
		return -ENOMEM;
	}
	return 0;
}

void live_rules_free(struct live_rules *lr)
{
	policy_lines_free(lr->lines);
	free(lr->rows);
	lr->lines = NULL;
	lr->rows = NULL;
	lr->nrows = 0;
}

const char *live_rules_class(const struct rule_row *r, unsigned int eph_lo,
			     unsigned int eph_hi)
{
	const char *cls = summary_class(r->lo, r->hi, eph_lo, eph_hi);

	/* port 0 is in no row (always dropped): 1-1023 is well-known */
	return cls || r->lo != 1 ? cls
				 : summary_class(0, r->hi, eph_lo, eph_hi);
}

const char *live_rules_name(const struct rule_row *r, unsigned int eph_lo,
			    unsigned int eph_hi, int max, char *buf, size_t len)
{
	const char *cls = live_rules_class(r, eph_lo, eph_hi);

	if (cls)
		snprintf(buf, len, "%s", cls);
	else
		table_range_names(r->proto, r->lo, r->hi, buf, len, max);
	return buf;
}

/* "open 22/tcp" (proto < 0: both protocols), names as a comment. */
static void print_spec(FILE *out, const struct rule_row *r, bool both,
		       unsigned int eph_lo, unsigned int eph_hi)
{
	char spec[48], names[256];
	int n;

	n = snprintf(spec, sizeof(spec), "%u", r->lo);
	if (r->hi != r->lo)
		snprintf(spec + n, sizeof(spec) - (size_t)n, "-%u", r->hi);
	live_rules_name(r, eph_lo, eph_hi, 4, names, sizeof(names));
	n = fprintf(out, "%s %s%s%s", r->open ? "open" : "close", spec,
		    both ? "" : "/", both ? "" : px_proto_name(r->proto));
	if (names[0])
		fprintf(out, "%*s# %s", n < 28 ? 28 - n : 1, "", names);
	fputc('\n', out);
}

/* The udp row just like r, from *u on (rows are sorted by port). */
static struct rule_row *same_udp(struct rule_row *u, struct rule_row *end,
				 const struct rule_row *r)
{
	for (; u < end && u->lo <= r->lo; u++)
		if (u->lo == r->lo && u->hi == r->hi && u->open == r->open)
			return u;
	return NULL;
}

static void print_rows(FILE *out, struct live_rules *lr, unsigned int eph_lo,
		       unsigned int eph_hi)
{
	struct rule_row *end = lr->rows + lr->nrows, *u = lr->rows, *r, *m;

	while (u < end && u->proto == PX_TCP)
		u++;
	for (r = lr->rows; r < end && r->proto == PX_TCP; r++) {
		m = same_udp(u, end, r);
		if (m) {
			m->line = 1; /* said by this line already */
			u = m;
		}
		print_spec(out, r, m, eph_lo, eph_hi);
	}
	for (; r < end; r++)
		if (!r->line)
			print_spec(out, r, false, eph_lo, eph_hi);
}

/* `option replies` and the ban rule, as the policy file says them; the
 * zone section (zone, from and block lines) goes before the ban rule,
 * whose `except` may name its zones (by table index in zs). */
static void print_replies_ban(FILE *out, const struct px_policy *pol,
			      const struct px_zoneset *zs,
			      const char *zones_text)
{
	const struct px_ban_rule *b = &pol->ban;
	char buf[64];

	if (pol->flags & PX_F_REPLIES)
		fprintf(out,
			"option replies on %u tcp-idle %llu udp-idle %llu\n",
			pol->reply_size,
			(unsigned long long)(pol->reply_idle_ns[PX_TCP] /
					     PX_NSEC),
			(unsigned long long)(pol->reply_idle_ns[PX_UDP] /
					     PX_NSEC));
	if (zones_text)
		fputs(zones_text, out);
	if (!b->ports)
		return;
	fprintf(out, "ban after %u ports in %us for %us", b->ports, b->window_s,
		b->duration_s);
	for (__u32 i = 0; i < b->nexcept && i < PX_BAN_EXCEPT_MAX; i++)
		fprintf(out, "%s %s", i ? "" : " except",
			prefix_format(buf, sizeof(buf), &b->except[i]));
	for (__u32 i = 0; zs && i < b->nzones && i < PX_BAN_EXCEPT_MAX; i++)
		fprintf(out, "%s %s", i || b->nexcept ? "" : " except",
			zs->zone[b->zones[i]].name);
	fputc('\n', out);
}

int live_rules_policy_text(const struct px_policy *pol,
			   const struct px_zoneset *zs, const char *zones_text,
			   const char *header, unsigned int eph_lo,
			   unsigned int eph_hi, FILE *out)
{
	struct live_rules lr;
	bool ping = pol->flags & PX_F_PING_OPEN;
	const char *def, *other;

	if (live_rules_build(pol, NULL, 0, &lr))
		return -ENOMEM;
	def = lr.default_open ? "open" : "close";
	other = lr.default_open ? "close" : "open";
	fputs(header, out);
	fprintf(out, "default %s\n", lr.default_open ? "open" : "closed");
	/* port 0 is always dropped, but its bit is part of the policy: a
	 * protocol whose port 0 differs gets it from a class, 1-1023 back */
	for (int p = PX_TCP; p < PX_NPROTO; p++)
		if (policy_port_open(pol, p, 0) != lr.default_open)
			fprintf(out,
				"%s well-known/%s  # port 0 as live (always "
				"dropped)\n%s 1-1023/%s\n",
				other, px_proto_name(p), def, px_proto_name(p));
	print_rows(out, &lr, eph_lo, eph_hi);
	if (ping != lr.default_open)
		fprintf(out, "%s ping\n", ping ? "open" : "close");
	if (pol->flags & PX_F_FRAG_DROP)
		fprintf(out, "option fragments drop\n");
	print_replies_ban(out, pol, zs, zones_text);
	live_rules_free(&lr);
	return 0;
}
