// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Bitmap algebra on policies (policy_bitmap.h): a policy is two 65,536-bit
 * maps, one per protocol, and everything here walks them a 64-bit word at a
 * time where it can, so a diff of two whole policies or the count of a
 * range stays cheap enough for every apply and every `stats` refresh.
 */
#include <string.h>

#include "policy_bitmap.h"

void policy_init(struct px_policy *p)
{
	memset(p, 0, sizeof(*p));
	memset(p->open, 0xff, sizeof(p->open));
	p->flags = PX_F_PING_OPEN;
	/* option replies' defaults (doc/design.md, section 9), off */
	p->reply_size = PX_REPLY_SIZE_DEFAULT;
	p->reply_idle_ns[PX_TCP] = PX_REPLY_TCP_IDLE_S * 1000000000ULL;
	p->reply_idle_ns[PX_UDP] = PX_REPLY_UDP_IDLE_S * 1000000000ULL;
}

unsigned int policy_count_open(const struct px_policy *p, int proto)
{
	unsigned int n = 0;

	for (int w = 0; w < PX_BITMAP_WORDS; w++)
		n += (unsigned int)__builtin_popcountll(p->open[proto][w]);
	return n;
}

bool policy_same_rules(const struct px_policy *a, const struct px_policy *b)
{
	__u32 m = PX_F_PING_OPEN | PX_F_FRAG_DROP;

	return !memcmp(a->open, b->open, sizeof(a->open)) &&
	       (a->flags & m) == (b->flags & m);
}

/* Set lo..hi of one protocol, whole words at a time where possible. */
void policy_set_range(struct px_policy *p, int proto, unsigned int lo,
		      unsigned int hi, bool open)
{
	unsigned int port = lo;

	while (port <= hi) {
		if (port % 64 == 0 && port + 63 <= hi) {
			p->open[proto][port / 64] = open ? ~0ULL : 0;
			port += 64;
		} else {
			policy_set_port(p, proto, port, open);
			port++;
		}
	}
}

/* Whether port is selected: changed (a != NULL), or in state want. */
static bool selected(const struct px_policy *a, const struct px_policy *b,
		     int proto, bool want, unsigned int port)
{
	bool st = policy_port_open(b, proto, port);

	return a ? policy_port_open(a, proto, port) != st : st == want;
}

/* The word's selection mask: bit set where the port is selected. */
static __u64 sel_word(const struct px_policy *a, const struct px_policy *b,
		      int proto, bool want, unsigned int w)
{
	if (a)
		return a->open[proto][w] ^ b->open[proto][w];
	return want ? b->open[proto][w] : ~b->open[proto][w];
}

static int ranges(const struct px_policy *a, const struct px_policy *b,
		  int proto, bool want, struct policy_range *out, int max,
		  int n)
{
	unsigned int port = 0;

	while (port < PX_PORTS) {
		bool st;
		unsigned int lo = port;

		/* whole words at a time where nothing is selected */
		if (port % 64 == 0 && !sel_word(a, b, proto, want, port / 64)) {
			port += 64;
			continue;
		}
		if (!selected(a, b, proto, want, port)) {
			port++;
			continue;
		}
		st = policy_port_open(b, proto, port);
		while (port + 1 < PX_PORTS) {
			unsigned int next = port + 1, w = next / 64;
			__u64 same = st ? ~0ULL : 0;

			if (next % 64 == 0 && next + 63 < PX_PORTS &&
			    sel_word(a, b, proto, want, w) == ~0ULL &&
			    b->open[proto][w] == same) {
				port += 64;
				continue;
			}
			if (!selected(a, b, proto, want, next) ||
			    policy_port_open(b, proto, next) != st)
				break;
			port++;
		}
		if (n < max && out)
			out[n] = (struct policy_range){.proto = proto,
						       .lo = lo,
						       .hi = port,
						       .open = st};
		n++;
		port++;
	}
	return n;
}

unsigned int policy_count_closed(const struct px_policy *p, int proto,
				 unsigned int lo, unsigned int hi)
{
	unsigned int n = 0, port = lo;

	while (port <= hi) {
		if (port % 64 == 0 && port + 63 <= hi) {
			n += 64 - (unsigned int)__builtin_popcountll(
					  p->open[proto][port / 64]);
			port += 64;
		} else {
			n += !policy_port_open(p, proto, port);
			port++;
		}
	}
	return n;
}

int policy_diff(const struct px_policy *from, const struct px_policy *to,
		struct policy_range *out, int max)
{
	int n = ranges(from, to, PX_TCP, false, out, max, 0);

	return ranges(from, to, PX_UDP, false, out, max, n);
}

int policy_ranges(const struct px_policy *p, int proto, bool open,
		  struct policy_range *out, int max)
{
	return ranges(NULL, p, proto, open, out, max, 0);
}
