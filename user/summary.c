// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A policy and a change in words, per protocol; see summary.h. */
#include <stdio.h>
#include <string.h>

#include "ban_rule.h"
#include "diff_zones.h"
#include "policy.h"
#include "proto.h"
#include "summary.h"

unsigned int summary_open(const struct px_policy *p, int proto)
{
	return policy_count_open(p, proto) -
	       (policy_port_open(p, proto, 0) ? 1 : 0);
}

void summary_policy(char *buf, size_t size, const struct px_policy *p)
{
	snprintf(buf, size, "tcp %u open, udp %u open, ping %s%s",
		 summary_open(p, PX_TCP), summary_open(p, PX_UDP),
		 p->flags & PX_F_PING_OPEN ? "open" : "closed",
		 p->flags & PX_F_REPLIES ? ", replies on" : "");
}

void summary_replies(char *buf, size_t size, const struct px_policy *p)
{
	if (!(p->flags & PX_F_REPLIES))
		snprintf(buf, size, "off");
	else
		snprintf(buf, size,
			 "on (%u flows, tcp idle %llu s, udp idle %llu s)",
			 p->reply_size,
			 (unsigned long long)(p->reply_idle_ns[PX_TCP] /
					      1000000000ULL),
			 (unsigned long long)(p->reply_idle_ns[PX_UDP] /
					      1000000000ULL));
}

int summary_replies_differ(const struct px_policy *a, const struct px_policy *b)
{
	if ((a->flags ^ b->flags) & PX_F_REPLIES)
		return 1;
	return (a->flags & PX_F_REPLIES) &&
	       (a->reply_size != b->reply_size ||
		a->reply_idle_ns[PX_TCP] != b->reply_idle_ns[PX_TCP] ||
		a->reply_idle_ns[PX_UDP] != b->reply_idle_ns[PX_UDP]);
}

/* Ports of proto open in a and closed in b, port 0 aside. */
static unsigned int gone(const struct px_policy *a, const struct px_policy *b,
			 int proto)
{
	unsigned int n = 0;

	for (int w = 0; w < PX_BITMAP_WORDS; w++) {
		__u64 bits = a->open[proto][w] & ~b->open[proto][w];

		if (!w)
			bits &= ~1ULL;
		n += (unsigned int)__builtin_popcountll(bits);
	}
	return n;
}

/* "; 2 zones change, ban rule changes" after n bytes of buf. */
static void zones_ban(char *buf, size_t size, size_t n,
		      const struct diff_zone_args *d)
{
	int nz = diff_zones(d, NULL);
	bool ban = !ban_rule_same(&d->live->ban, d->lzs, &d->next->ban, d->nzs);

	if (nz && n < size)
		n += (size_t)snprintf(buf + n, size - n, "; %d zone%s change%s",
				      nz, nz == 1 ? "" : "s",
				      nz == 1 ? "s" : "");
	if (ban && n < size)
		snprintf(buf + n, size - n, "%sban rule changes",
			 nz ? ", " : "; ");
}

void summary_change(char *buf, size_t size, const struct px_policy *live,
		    const struct px_policy *next, const struct px_zoneset *lzs,
		    const struct px_zoneset *nzs)
{
	struct diff_zone_args d = {.live = live,
				   .next = next,
				   .lzs = lzs,
				   .nzs = nzs,
				   .count_only = true};
	__u32 diff = live->flags ^ next->flags;
	size_t n = 0;

	buf[0] = '\0';
	for (int p = PX_TCP; p < PX_NPROTO && n < size; p++)
		n += (size_t)snprintf(buf + n, size - n,
				      "%s%s %u opened, %u closed",
				      p ? "; " : "", px_proto_name(p),
				      gone(next, live, p), gone(live, next, p));
	if ((diff & PX_F_PING_OPEN) && n < size)
		n += (size_t)snprintf(buf + n, size - n, ", ping %s",
				      next->flags & PX_F_PING_OPEN ? "opened"
								   : "closed");
	if ((diff & PX_F_FRAG_DROP) && n < size)
		n += (size_t)snprintf(
			buf + n, size - n, ", later fragments now %s",
			next->flags & PX_F_FRAG_DROP ? "dropped" : "pass");
	if (summary_replies_differ(live, next) && n < size) {
		n += (size_t)snprintf(buf + n, size - n, ", replies ");
		if (n < size)
			summary_replies(buf + n, size - n, next);
		n = strlen(buf);
	}
	zones_ban(buf, size, n, &d);
}

const char *summary_class(unsigned int lo, unsigned int hi, unsigned int eph_lo,
			  unsigned int eph_hi)
{
	if (lo == eph_lo && hi == eph_hi && lo < hi)
		return "ephemeral";
	if (lo == 0 && hi == 1023)
		return "well-known";
	if (lo == 1024 && hi == 49151)
		return "registered";
	if (lo == 49152 && hi == 65535)
		return "dynamic";
	return NULL;
}
