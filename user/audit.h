/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The policy held against the host (doc/design.md, section 11), as pure
 * logic over a policy, its line attribution and a socket list, so tests
 * can feed it anything. Three kinds of finding:
 *   closed_listening  a service listens but the policy closes its port:
 *                     nobody outside can reach it
 *   open_unused       the policy opens ports nothing listens on (the
 *                     ephemeral range aside): exposure for nothing
 *   advice            the port table's advice broken: a LAN-only port open
 *                     to every source, telnet open, ftp without ftp-data
 *                     (or the reverse), ping answered
 * Sockets bound to loopback only, or to another interface, are not
 * exposed on the interface: they are skipped, and counted.
 *
 * With zones (doc/design.md, section 8) a fourth kind, a note rather than
 * a finding (it does not make audit exit 3):
 *   zone_only         a service listens on a port the base closes but
 *                     some zones open: reachable from them only
 */
#ifndef PX_AUDIT_H
#define PX_AUDIT_H

#include "audit_lines.h"
#include "policy_zone.h"
#include "portxdp.h"
#include "sockdiag.h"

enum audit_kind {
	AUDIT_CLOSED_LISTENING = 1,
	AUDIT_OPEN_UNUSED = 2,
	AUDIT_ADVICE = 3,
	AUDIT_ZONE_ONLY = 4,
};

struct audit_finding {
	enum audit_kind kind;
	int proto; /* PX_TCP, PX_UDP, or PX_PROTO_ICMP for ping */
	unsigned int lo, hi;
	unsigned int line;	    /* the deciding policy line, 0: none */
	const struct px_sock *sock; /* closed_listening: who listens */
	char advice[160];	    /* advice: what the table says */
	char zones[160];	    /* zone_only: the zones, "a, b" */
};

struct audit_input {
	const struct px_policy *pol;
	const struct policy_lines *lines; /* NULL: no line known */
	const struct px_sock *socks;
	int nsocks;
	unsigned int ifindex;	     /* the interface audited */
	unsigned int eph_lo, eph_hi; /* the ephemeral range; 0 0: none */
	const struct px_zoneset *zs; /* its zone table, or NULL */
};

struct audit_result {
	struct audit_finding *v;
	int n, cap;
	int exposed; /* sockets reachable through the interface */
	int skipped; /* loopback only, or bound to another interface */
	int notes;   /* of n, the zone_only notes (last) */
};

/* Findings in order: closed_listening, open_unused, advice, then the
 * zone_only notes. 0 or -ENOMEM. */
int audit_run(const struct audit_input *in, struct audit_result *out);
void audit_free(struct audit_result *r);

/* Whether a socket can be reached through ifindex. */
bool audit_exposed(const struct px_sock *s, unsigned int ifindex);

/* "closed_listening", "open_unused", "advice", "zone_only". */
const char *audit_kind_name(enum audit_kind k);

#endif
