/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How attach, apply, open, close and status put a policy or a change in
 * words, the same way in each: per protocol, and never counting port 0,
 * which the filter always drops whatever the policy says (doc/design.md,
 * section 5).
 */
#ifndef PX_SUMMARY_H
#define PX_SUMMARY_H

#include <stddef.h>

#include <linux/types.h>

#include "portxdp.h"

/* Open ports of proto among 1-65535. */
unsigned int summary_open(const struct px_policy *p, int proto);

/* "tcp 3 open, udp 1 open, ping open", then ", replies on" when they
 * are: what attach reports. */
void summary_policy(char *buf, size_t size, const struct px_policy *p);

/*
 * What going from live (zones lzs) to next (zones nzs) changes: "tcp 1
 * opened, 2 closed; udp 0 opened, 0 closed", then ", ping opened", ",
 * later fragments now dropped" and ", replies on (...)" when those change,
 * then "; 2 zones change" (their verdicts, block, prefixes: as `diff` says,
 * diff_zones.c) and ", ban rule changes". lzs, nzs: NULL when none, or
 * both NULL when the zones stay (open, close).
 */
struct px_zoneset;
void summary_change(char *buf, size_t size, const struct px_policy *live,
		    const struct px_policy *next, const struct px_zoneset *lzs,
		    const struct px_zoneset *nzs);

/*
 * option replies in words: "off", or "on (65536 flows, tcp idle 300 s,
 * udp idle 60 s)".
 */
void summary_replies(char *buf, size_t size, const struct px_policy *p);

/* Whether two policies differ in option replies (on/off, size, times). */
int summary_replies_differ(const struct px_policy *a,
			   const struct px_policy *b);

/*
 * The class a range is, by name ("ephemeral" when it is the ephemeral range
 * eph_lo-eph_hi, then "well-known", "registered", "dynamic"), or NULL.
 */
const char *summary_class(unsigned int lo, unsigned int hi, unsigned int eph_lo,
			  unsigned int eph_hi);

#endif
