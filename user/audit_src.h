/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What audit and suggest read about an interface before they judge:
 * the policy (live, or a file) with its line attribution, the listening
 * sockets of the namespace, the ephemeral range and, for suggest, the
 * live counters. Every failure is printed here, once, with its fix.
 */
#ifndef PX_AUDIT_SRC_H
#define PX_AUDIT_SRC_H

#include <limits.h>
#include <stdbool.h>

#include "audit.h"
#include "audit_lines.h"
#include "portxdp.h"
#include "sockdiag.h"

struct audit_src {
	char name[PATH_MAX]; /* where the policy came from */
	char note[320];	     /* why no line is named, when none is */
	struct px_policy *pol;
	struct policy_lines *lines; /* NULL: lines unknown */
	struct px_socks socks;
	unsigned int ifindex;
	unsigned int eph_lo, eph_hi;
	struct px_port_counter *counters; /* audit_src_counters() */
	struct px_zoneset *zs; /* the policy's zones (table only), or NULL */
};

/*
 * Read IF's policy (FILE when given, else the live one) and the sockets.
 * Returns PX_EXIT_OK with *s filled, or the exit status (printed).
 */
int audit_src_open(const char *ifname, const char *file, const char *verb,
		   struct audit_src *s);

/* Only IF, the ephemeral range and the sockets (suggest). Same returns. */
int audit_src_host(const char *ifname, const char *verb, struct audit_src *s);

/* The live counters of IF's filter into s->counters. Same returns. */
int audit_src_counters(const char *ifname, const char *verb,
		       struct audit_src *s);

/*
 * suggest: the zones of IF's live policy, prefixes too, into s->zs and
 * its policy into s->pol (both stay NULL when portxdp is not attached).
 * Same returns.
 */
int audit_src_zones(const char *ifname, struct audit_src *s);

/* audit_run() over s. PX_EXIT_OK or PX_EXIT_FAIL (printed). */
int audit_src_run(const struct audit_src *s, struct audit_result *r);

void audit_src_close(struct audit_src *s);

#endif
