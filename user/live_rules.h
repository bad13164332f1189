/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live rules as people read them (`show`) and as a policy file says
 * them (`save`): per protocol, the runs of ports that are not what the
 * policy's default makes them, each with its names and, when known, the
 * policy line or live change that decides it (audit_lines.h). Pure logic
 * over a struct px_policy: the verbs read the pins, this says the rules.
 *
 * Zones (doc/design.md, section 8) add a section of their own beside the
 * per-protocol rows; they do not change how a row is found.
 */
#ifndef PX_LIVE_RULES_H
#define PX_LIVE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "audit_lines.h"
#include "portxdp.h"

/* Ports lo..hi of one protocol: one verdict, decided by one line. */
struct rule_row {
	int proto; /* PX_TCP or PX_UDP */
	unsigned int lo, hi;
	bool open;
	unsigned int line; /* the deciding line of lines (0: none/unknown) */
};

struct live_rules {
	const struct px_policy *pol;
	/* where each rule came from, or NULL when unknown (why: lines_err,
	 * e.g. -ESTALE when the file no longer gives the live policy) */
	struct policy_lines *lines;
	int lines_err;
	bool default_open;	    /* what every port not in a row is */
	unsigned int default_line;  /* its `default` line, 0: none */
	unsigned int fragment_line; /* the last `option fragments` line */
	struct rule_row *rows;	    /* TCP first, then UDP, by port */
	unsigned int nrows;
};

/*
 * The rules of pol. With lines (taken over: freed with lr), a row is a
 * run of one verdict and one deciding line, and the ports the `default`
 * line (or no line) decides are left out; without, a row is a run of one
 * verdict unlike the default, which is then port 0's (so that a policy
 * file of them gives pol exactly). Ports 1-65535 only: port 0 is always
 * dropped. 0 or -ENOMEM.
 */
int live_rules_build(const struct px_policy *pol, struct policy_lines *lines,
		     int lines_err, struct live_rules *lr);
void live_rules_free(struct live_rules *lr);

/*
 * What a row is called: its class ("ephemeral" when lo-hi is the
 * ephemeral range eph_lo-eph_hi, "well-known", ...) or the table's names
 * of its ports (at most max, then "..."); "" when none. Returns buf.
 */
const char *live_rules_name(const struct rule_row *r, unsigned int eph_lo,
			    unsigned int eph_hi, int max, char *buf,
			    size_t len);

/* Whether the row is exactly a class (then live_rules_name gave it). */
const char *live_rules_class(const struct rule_row *r, unsigned int eph_lo,
			     unsigned int eph_hi);

/*
 * `save`: pol as a policy file, ports as numbers (names and classes as
 * comments), so that parsing it gives pol's rules exactly wherever it is
 * applied. header is written first, as given (comment lines); zones_text
 * (the zone, from and block lines, live_zones.h; NULL: none) before the
 * ban rule, whose `except` zones are named from zs (the live zone table;
 * NULL: none). 0 or -ENOMEM.
 */
struct px_zoneset;
int live_rules_policy_text(const struct px_policy *pol,
			   const struct px_zoneset *zs, const char *zones_text,
			   const char *header, unsigned int eph_lo,
			   unsigned int eph_hi, FILE *out);

#endif
