// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SPECs of the policy language (doc/design.md, section 3): PORTS[/PROTO],
 * PORTS a comma list of numbers, ranges, names and classes. The same SPEC
 * means the same ports in a policy line and as an open/close argument, so
 * both go through parse_spec(). Numbers go through the one port parser
 * (proto.c), names through the port table and /etc/services (table.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy_state.h"
#include "proto.h"
#include "table.h"

static const char *const class_words[] = {"well-known", "registered", "dynamic",
					  "ephemeral",	"ping",	      NULL};

static void apply(struct pstate *st, unsigned int mask, unsigned int lo,
		  unsigned int hi, bool open, unsigned int col)
{
	for (int proto = 0; proto < PX_NPROTO; proto++)
		if (mask & (1U << proto))
			policy_set_range(&st->pol, proto, lo, hi, open);
	if (!st->in_zone) /* a from line leaves the base as it is */
		lint_touch(st, mask, lo, hi, open, col);
}

int state_ephemeral(struct pstate *st)
{
	if (!st->eph_state) {
		int err = policy_ephemeral_range(&st->eph_lo, &st->eph_hi);

		st->eph_state = err ? err : 1;
	}
	return st->eph_state < 0 ? st->eph_state : 0;
}

/*
 * PORTS item that starts with a digit: N, LO-HI or LO:HI. Returns 0 with
 * *lo, *hi set, 1 when it is not numeric (the caller judges it), -1
 * reported.
 */
static int numeric_item(struct pstate *st, const char *s, size_t len,
			unsigned int col, unsigned int *lo, unsigned int *hi)
{
	struct px_port_error at;
	char b[SHOWN_LEN], h[96];
	int r = px_port_range_parse(s, len, lo, hi, &at);

	switch (r) {
	case 0:
	case 1:
		return r;
	case -ERANGE:
		error_at(st, col + (unsigned int)at.at, "ports are 0-65535",
			 "port %s out of range", shown(s + at.at, at.len, b));
		break;
	case -ENODATA:
		error_at(st, col, "a range is LO-HI, e.g. 137-139",
			 "incomplete range '%s'", shown(s, len, b));
		break;
	default: /* -EDOM */
		snprintf(h, sizeof(h), "write the lower port first: %u-%u", *hi,
			 *lo);
		error_at(st, col, h, "reversed range %s", shown(s, len, b));
	}
	return -1;
}

/* A class word (well-known, ...): true when s was one (applied). */
static bool class_item(struct pstate *st, const char *s, size_t len,
		       unsigned int col, unsigned int mask, bool open)
{
	int err;

	if (word_is(s, len, "well-known"))
		apply(st, mask, 0, 1023, open, col);
	else if (word_is(s, len, "registered"))
		apply(st, mask, 1024, 49151, open, col);
	else if (word_is(s, len, "dynamic"))
		apply(st, mask, 49152, 65535, open, col);
	else if (!word_is(s, len, "ephemeral"))
		return false;
	else if ((err = state_ephemeral(st)))
		error_at(st, col,
			 "write the range as numbers, e.g. 32768-60999",
			 "cannot read net.ipv4.ip_local_port_range for "
			 "'ephemeral': %s",
			 strerror(-err));
	else
		apply(st, mask, st->eph_lo, st->eph_hi, open, col);
	return true;
}

/* A name from /etc/services: true when it was one (applied). */
static bool services_item(struct pstate *st, const char *name, size_t len,
			  unsigned int col, unsigned int explicit, bool open)
{
	int ports[2];
	unsigned int found = table_services_lookup(name, ports);

	if (!found)
		return false;
	if (explicit)
		lint_name_proto(st, name, len, col, found, explicit);
	for (int proto = 0; proto < PX_NPROTO; proto++) {
		int port = ports[proto];

		if (explicit && !(explicit & (1U << proto)))
			continue;
		if (!explicit && !(found & (1U << proto)))
			continue;
		if (port < 0) /* only the other protocol lists it */
			port = ports[!proto];
		apply(st, 1U << proto, (unsigned int)port, (unsigned int)port,
		      open, col);
	}
	return true;
}

static void unknown_name(struct pstate *st, const char *s, size_t len,
			 unsigned int col, const char *name)
{
	const char *near = table_suggest(name, class_words);
	char b[SHOWN_LEN], h[160];

	if (near)
		snprintf(h, sizeof(h),
			 "did you mean '%s'? ('portxdp table' lists the "
			 "names; /etc/services has more)",
			 near);
	else
		snprintf(h, sizeof(h),
			 "use a number, a name from 'portxdp table' or "
			 "/etc/services, or a class: well-known, registered, "
			 "dynamic, ephemeral");
	error_at(st, col, h, "unknown port name '%s'", shown(s, len, b));
}

static void ping_item(struct pstate *st, unsigned int explicit,
		      unsigned int pcol, bool open)
{
	if (explicit) {
		error_at(st, pcol,
			 "write 'ping' alone: it means ICMP and ICMPv6 echo "
			 "requests",
			 "ping takes no protocol");
		return;
	}
	if (open)
		st->pol.flags |= PX_F_PING_OPEN;
	else
		st->pol.flags &= ~PX_F_PING_OPEN;
}

/*
 * One item of a PORTS list. explicit is the /PROTO mask or 0, pcol the
 * column of the protocol (for ping/tcp).
 */
static void item(struct pstate *st, const char *s, size_t len, unsigned int col,
		 unsigned int explicit, unsigned int pcol, bool open)
{
	unsigned int mask = explicit ? explicit : M_BOTH, lo, hi;
	char name[NAME_MAX_LEN + 1], b[SHOWN_LEN];
	const struct table_entry *e;
	int r = numeric_item(st, s, len, col, &lo, &hi);

	if (r < 0)
		return;
	if (r == 0) {
		if (lo == 0 && hi == 0)
			warn_at(st, (struct pos){st->line, col},
				"write 'ping' for ICMP echo requests",
				"port 0 is never a valid TCP or UDP "
				"destination: the filter always drops it");
		apply(st, mask, lo, hi, open, col);
		return;
	}
	if (word_is(s, len, "ping")) {
		ping_item(st, explicit, pcol, open);
		return;
	}
	if (class_item(st, s, len, col, mask, open))
		return;
	if (len > NAME_MAX_LEN)
		goto invalid;
	memcpy(name, s, len);
	name[len] = '\0';
	e = table_find_name(name);
	if (e && !(e->protos & M_BOTH)) { /* the icmp row, renamed */
		ping_item(st, explicit, pcol, open);
		return;
	}
	if (e) {
		if (explicit)
			lint_name_proto(st, s, len, col, e->protos & M_BOTH,
					explicit);
		apply(st, explicit ? explicit : e->protos & M_BOTH, e->port_lo,
		      e->port_hi, open, col);
		return;
	}
	if (services_item(st, name, len, col, explicit, open))
		return;
	if (s[0] == '-' || isdigit((unsigned char)s[0]) || memchr(s, ':', len))
		goto invalid;
	unknown_name(st, s, len, col, name);
	return;
invalid:
	error_at(st, col,
		 "a port is a number 0-65535, a range LO-HI, a name or a "
		 "class (well-known, registered, dynamic, ephemeral)",
		 "invalid port '%s'", shown(s, len, b));
}

/*
 * "80/tcp,443/tcp": a protocol given per item. Hint at the SPEC that
 * means it: "80,443/tcp" when they agree, separate SPECs when not.
 */
static void per_item_protocols(struct pstate *st, const char *s, size_t len,
			       unsigned int col)
{
	char fixed[SHOWN_LEN], b[SHOWN_LEN], h[2 * SHOWN_LEN];
	const char *last = memrchr(s, '/', len);
	size_t o = 0, plen = len - (size_t)(last - s) - 1;
	bool same = true;

	for (size_t a = 0; a < len && o + 8 < sizeof(fixed);) {
		const char *c = memchr(s + a, ',', len - a);
		size_t e = c ? (size_t)(c - s) : len;
		const char *sl = memchr(s + a, '/', e - a);
		size_t il = sl ? (size_t)(sl - s) - a : e - a;

		if (sl && (e - (size_t)(sl - s) - 1 != plen ||
			   strncasecmp(sl + 1, last + 1, plen)))
			same = false;
		o += (size_t)snprintf(fixed + o, sizeof(fixed) - o, "%s%.*s",
				      o ? "," : "", (int)(il > 24 ? 24 : il),
				      s + a);
		a = e + 1;
	}
	if (same && plen <= 8)
		snprintf(h, sizeof(h),
			 "the protocol goes once, at the end: write "
			 "'%s/%.*s'",
			 shown(fixed, o, b), (int)plen, last + 1);
	else
		snprintf(
			h, sizeof(h),
			"write one SPEC per protocol, e.g. '53/tcp 53/udp', or "
			"no protocol for both");
	error_at(st, col, h, "only one protocol per SPEC");
}

/* The /PROTO of a SPEC: its mask, or 0 reported. */
static unsigned int spec_proto(struct pstate *st, const char *p, size_t pl,
			       unsigned int pcol)
{
	char b[SHOWN_LEN];
	int proto = px_proto_parse(p, pl);

	if (proto >= 0)
		return 1U << proto;
	if (!pl)
		error_at(st, pcol, "expected tcp or udp",
			 "missing protocol after '/'");
	else
		error_at(st, pcol,
			 word_is(p, pl, "icmp")
				 ? "expected tcp or udp; for ICMP echo write "
				   "'ping' alone"
				 : "expected tcp or udp",
			 "unknown protocol '%s'", shown(p, pl, b));
	return 0;
}

void parse_spec(struct pstate *st, const char *s, size_t len, unsigned int col,
		bool open)
{
	unsigned int explicit = 0, pcol = 0;
	size_t plen = len, a;
	const char *slash = memrchr(s, '/', len);

	if (slash) {
		size_t at = (size_t)(slash - s);

		plen = at;
		pcol = col + (unsigned int)at + 1;
		explicit = spec_proto(st, slash + 1, len - at - 1, pcol);
		if (!explicit)
			return;
		if (memchr(s, '/', plen)) {
			per_item_protocols(st, s, len, col);
			return;
		}
		if (!plen) {
			error_at(st, col, "e.g. '22/tcp'",
				 "missing port before '/'");
			return;
		}
	}
	for (a = 0; a <= plen;) {
		const char *c = memchr(s + a, ',', plen - a);
		size_t e = c ? (size_t)(c - s) : plen;

		if (e == a)
			error_at(st, col + (unsigned int)a,
				 "remove the extra comma",
				 "empty item in the port list");
		else
			item(st, s + a, e - a, col + (unsigned int)a, explicit,
			     pcol, open);
		a = e + 1;
	}
}
