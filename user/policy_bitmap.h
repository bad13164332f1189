/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A policy's port bitmaps (struct px_policy, include/portxdp.h): bit
 * helpers, counts, and the diff between two policies as port ranges.
 */
#ifndef PX_POLICY_BITMAP_H
#define PX_POLICY_BITMAP_H

#include <stdbool.h>

#include <linux/types.h>

#include "portxdp.h"

/* A policy with every port open, ping open, fragments passed. */
void policy_init(struct px_policy *p);

static inline bool policy_port_open(const struct px_policy *p, int proto,
				    unsigned int port)
{
	return (p->open[proto][port / 64] >> (port % 64)) & 1;
}

static inline void policy_set_port(struct px_policy *p, int proto,
				   unsigned int port, bool open)
{
	__u64 bit = 1ULL << (port % 64);

	if (open)
		p->open[proto][port / 64] |= bit;
	else
		p->open[proto][port / 64] &= ~bit;
}

/* Set lo..hi of one protocol open or closed. */
void policy_set_range(struct px_policy *p, int proto, unsigned int lo,
		      unsigned int hi, bool open);

/* Whether a and b judge every packet alike: ports, ping and fragments
 * (not where they came from). */
bool policy_same_rules(const struct px_policy *a, const struct px_policy *b);

/* Number of open ports of a protocol (0..65536). */
unsigned int policy_count_open(const struct px_policy *p, int proto);

/* Number of closed ports of a protocol in lo..hi. */
unsigned int policy_count_closed(const struct px_policy *p, int proto,
				 unsigned int lo, unsigned int hi);

/* A run of ports of one protocol that are all in one state. */
struct policy_range {
	int proto; /* PX_TCP or PX_UDP */
	unsigned int lo, hi;
	bool open; /* the state in the new policy (diff) or the asked one */
};

/*
 * The ports whose state differs between from and to, as maximal ranges,
 * TCP first, then UDP, each by port. Writes at most max to out (out may
 * be NULL when max is 0) and returns how many there are.
 */
int policy_diff(const struct px_policy *from, const struct px_policy *to,
		struct policy_range *out, int max);

/* The ranges of a protocol's ports in state open, like policy_diff. */
int policy_ranges(const struct px_policy *p, int proto, bool open,
		  struct policy_range *out, int max);

#endif
