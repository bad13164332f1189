/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reference classifier: doc/design.md section 5 in plain userspace C,
 * written for clarity and not for speed, and sharing no code with bpf/. The
 * differential test (tests/prog/differential.c) runs every packet through
 * this and through the XDP program and demands the same verdict and the
 * same counter. When the two disagree, this file is the one to read first:
 * each rule is one step, in the order a reader of design.md section 5 would
 * apply them.
 *
 * Where design.md section 5 is silent, these are the choices (the XDP program
 * documents the same ones next to its code):
 *   - a frame shorter than an Ethernet header (14 bytes) is malformed;
 *   - VLAN tags are 0x8100 or 0x88a8 in any order; a tag cut short is
 *     malformed like a third tag;
 *   - IPv4 with a version other than 4, IPv6 with a version other than 6:
 *     malformed; IPv4 total length and IPv6 payload length are not used
 *     (the frame's end is the packet's end);
 *   - an IPv6 extension header whose length runs past the packet is a
 *     chain cut short; the fragment header counts toward the eight;
 *   - a later fragment (offset != 0) follows `option fragments` whatever
 *     its protocol, except TCP at offset 1 (8 bytes, RFC 1858), which is
 *     malformed; nothing after the IP/fragment header is read;
 *   - TCP needs 20 bytes and a data offset of at least 5 (options past
 *     the end are not checked); UDP needs 8; ICMP and ICMPv6 need 8;
 *   - ICMP counts only over IPv4 and ICMPv6 only over IPv6; the other way
 *     round they are "other IP protocols" and pass;
 *   - a port counter moves only for a TCP/UDP packet judged by its port
 *     (port 0 included); pings move the ping totals instead;
 *   - replies (section 9): a packet the port drops passes when it answers
 *     an active flow of ref_flows and is not a SYN without ACK; port 0
 *     never does.
 *
 * Header-only (static functions) because each tests/prog/ file is built
 * as one translation unit.
 */
#ifndef PX_REFERENCE_H
#define PX_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/types.h>

#include "portxdp.h"

/* Verdicts as XDP return codes (linux/bpf.h: XDP_DROP 1, XDP_PASS 2). */
#define REF_DROP 1
#define REF_PASS 2

/* Which totals field, beyond dropped/passed, a packet moves. */
enum ref_reason {
	REF_NONE = 0, /* judged by its port, or another protocol */
	REF_MALFORMED,
	REF_FRAGMENT,
	REF_NON_IP,
	REF_PING,
	REF_REPLY, /* passed to a closed port as a reply (section 9) */
};

struct ref_verdict {
	int action; /* REF_DROP or REF_PASS */
	enum ref_reason reason;
	int proto; /* PX_TCP/PX_UDP when a port counter moves, else -1 */
	unsigned int port; /* host order, with proto */
	const char *why;   /* the design.md section 5 rule that decided, for
			      reports */
};

/* ---- reading the packet ------------------------------------------------ */

/* A read position in the frame; every read says whether it fit. */
struct ref_cursor {
	const uint8_t *data;
	size_t len;
	size_t at;
};

/* The next n bytes, or NULL when fewer than n are left. */
static inline const uint8_t *ref_take(struct ref_cursor *c, size_t n)
{
	const uint8_t *h;

	if (c->len - c->at < n)
		return NULL;
	h = c->data + c->at;
	c->at += n;
	return h;
}

static inline unsigned int ref_be16(const uint8_t *b)
{
	return (unsigned int)b[0] << 8 | b[1];
}

/* ---- the decision ------------------------------------------------------ */

static inline void ref_set(struct ref_verdict *v, int action,
			   enum ref_reason reason, const char *why)
{
	v->action = action;
	v->reason = reason;
	v->proto = -1;
	v->port = 0;
	v->why = why;
}

static inline void ref_malformed(struct ref_verdict *v, const char *why)
{
	ref_set(v, REF_DROP, REF_MALFORMED, why);
}

static inline bool ref_port_open(const struct px_policy *pol, int proto,
				 unsigned int port)
{
	return (pol->open[proto][port / 64] >> (port % 64)) & 1;
}

/* TCP or UDP judged by its destination port. */
static inline void ref_judge_port(struct ref_verdict *v,
				  const struct px_policy *pol, int proto,
				  unsigned int port)
{
	if (port == 0)
		ref_set(v, REF_DROP, REF_NONE,
			"destination port 0: always drop");
	else if (ref_port_open(pol, proto, port))
		ref_set(v, REF_PASS, REF_NONE, "port open");
	else
		ref_set(v, REF_DROP, REF_NONE, "port closed");
	v->proto = proto;
	v->port = port;
}

/*
 * Replies (design.md section 9): the flows this host opened, as the test
 * recorded them (in the program's table too), each active or idle past its
 * time; and the addresses of the packet being judged.
 */
struct ref_flow {
	int version;		       /* 4 or 6 */
	uint8_t local[16], remote[16]; /* IPv4 in the first 4 bytes */
	unsigned int lport, rport;
	int proto; /* PX_TCP or PX_UDP */
	bool active;
};

#define REF_FLOWS_MAX 64
static struct {
	struct ref_flow f[REF_FLOWS_MAX];
	unsigned int n;
} ref_flows;

/* The flow the last TCP/UDP packet would answer (ref_last_ok), for a
 * test that records it. */
static struct ref_flow ref_last;
static bool ref_last_ok;

static struct {
	int version;
	const uint8_t *saddr, *daddr;
} ref_ip;

static inline bool ref_flow_same(const struct ref_flow *a,
				 const struct ref_flow *b)
{
	size_t n = a->version == 4 ? 4 : 16;

	return a->version == b->version && a->proto == b->proto &&
	       a->lport == b->lport && a->rport == b->rport &&
	       !memcmp(a->local, b->local, n) &&
	       !memcmp(a->remote, b->remote, n);
}

/*
 * After the port's verdict: a TCP or UDP packet the port drops passes when
 * the policy has replies on and it answers an active flow (its source is
 * the flow's remote side, its destination the local one); a TCP segment
 * with SYN set and ACK clear never does. tcp_flags < 0 for UDP.
 */
static inline void ref_reply(struct ref_verdict *v, const struct px_policy *pol,
			     unsigned int sport, int tcp_flags)
{
	size_t n = ref_ip.version == 4 ? 4 : 16;
	int proto = v->proto;
	unsigned int port = v->port;

	memset(&ref_last, 0, sizeof(ref_last));
	ref_last.version = ref_ip.version;
	memcpy(ref_last.local, ref_ip.daddr, n);
	memcpy(ref_last.remote, ref_ip.saddr, n);
	ref_last.lport = port;
	ref_last.rport = sport;
	ref_last.proto = proto;
	ref_last_ok = true;
	if (v->action != REF_DROP || port == 0 || !(pol->flags & PX_F_REPLIES))
		return;
	if (tcp_flags >= 0 && (tcp_flags & 0x12) == 0x02)
		return; /* SYN without ACK */
	for (unsigned int i = 0; i < ref_flows.n; i++) {
		if (!ref_flows.f[i].active ||
		    !ref_flow_same(&ref_flows.f[i], &ref_last))
			continue;
		ref_set(v, REF_PASS, REF_REPLY, "a reply to this host's flow");
		v->proto = proto;
		v->port = port;
		return;
	}
}

#define REF_IPPROTO_ICMP 1
#define REF_IPPROTO_TCP 6
#define REF_IPPROTO_UDP 17
#define REF_IPPROTO_ICMPV6 58

/*
 * What follows the IP layer. ip_version says which ICMP counts;
 * frag_offset is the fragment offset in 8-byte units (0: not a later
 * fragment); c stands at the first byte after the IP headers.
 */
static inline void ref_layer4(struct ref_verdict *v,
			      const struct px_policy *pol, struct ref_cursor *c,
			      int ip_version, unsigned int proto,
			      unsigned int frag_offset)
{
	const uint8_t *h;

	/* Later fragments carry no ports: never read their payload. */
	if (frag_offset != 0) {
		if (proto == REF_IPPROTO_TCP && frag_offset == 1) {
			ref_malformed(v, "TCP fragment at offset 8 (RFC 1858)");
			return;
		}
		if (pol->flags & PX_F_FRAG_DROP)
			ref_set(v, REF_DROP, REF_FRAGMENT,
				"later fragment, option fragments drop");
		else
			ref_set(v, REF_PASS, REF_FRAGMENT,
				"later fragment, option fragments pass");
		return;
	}

	if (proto == REF_IPPROTO_TCP) {
		h = ref_take(c, 20);
		if (!h) {
			ref_malformed(v, "TCP header shorter than 20 bytes");
			return;
		}
		if ((h[12] >> 4) < 5) {
			ref_malformed(v, "TCP data offset below 5");
			return;
		}
		ref_judge_port(v, pol, PX_TCP, ref_be16(h + 2));
		ref_reply(v, pol, ref_be16(h), h[13]);
		return;
	}
	if (proto == REF_IPPROTO_UDP) {
		h = ref_take(c, 8);
		if (!h) {
			ref_malformed(v, "UDP header shorter than 8 bytes");
			return;
		}
		ref_judge_port(v, pol, PX_UDP, ref_be16(h + 2));
		ref_reply(v, pol, ref_be16(h), -1);
		return;
	}
	if ((ip_version == 4 && proto == REF_IPPROTO_ICMP) ||
	    (ip_version == 6 && proto == REF_IPPROTO_ICMPV6)) {
		unsigned int echo_request = ip_version == 4 ? 8 : 128;

		h = ref_take(c, 8);
		if (!h) {
			ref_malformed(v, "ICMP header shorter than 8 bytes");
			return;
		}
		if (h[0] != echo_request) {
			ref_set(v, REF_PASS, REF_NONE,
				"ICMP other than echo request");
			return;
		}
		if (pol->flags & PX_F_PING_OPEN)
			ref_set(v, REF_PASS, REF_PING,
				"echo request, ping open");
		else
			ref_set(v, REF_DROP, REF_PING,
				"echo request, ping closed");
		return;
	}
	ref_set(v, REF_PASS, REF_NONE, "another IP protocol");
}

static inline void ref_ipv4(struct ref_verdict *v, const struct px_policy *pol,
			    struct ref_cursor *c)
{
	const uint8_t *h;
	unsigned int ihl;

	h = ref_take(c, 20);
	if (!h) {
		ref_malformed(v, "IPv4 header shorter than 20 bytes");
		return;
	}
	if ((h[0] >> 4) != 4) {
		ref_malformed(v, "IPv4 version is not 4");
		return;
	}
	ihl = h[0] & 0x0f;
	if (ihl < 5) {
		ref_malformed(v, "IPv4 header length below 20");
		return;
	}
	/* The options: the rest of the header length. */
	if (!ref_take(c, ihl * 4 - 20)) {
		ref_malformed(v, "IPv4 header length past the packet");
		return;
	}
	ref_ip.version = 4;
	ref_ip.saddr = h + 12;
	ref_ip.daddr = h + 16;
	/* Flags are the top 3 bits of bytes 6-7; the offset the low 13. */
	ref_layer4(v, pol, c, 4, h[9], ref_be16(h + 6) & 0x1fff);
}

#define REF_IP6_HOPOPTS 0
#define REF_IP6_ROUTING 43
#define REF_IP6_FRAGMENT 44
#define REF_IP6_DSTOPTS 60
#define REF_IP6_MAX_EXT                                                        \
	8 /* design.md section 5: a ninth extension header is malformed */

static inline void ref_ipv6(struct ref_verdict *v, const struct px_policy *pol,
			    struct ref_cursor *c)
{
	const uint8_t *h;
	unsigned int next, seen = 0;

	h = ref_take(c, 40);
	if (!h) {
		ref_malformed(v, "IPv6 header shorter than 40 bytes");
		return;
	}
	if ((h[0] >> 4) != 6) {
		ref_malformed(v, "IPv6 version is not 6");
		return;
	}
	ref_ip.version = 6;
	ref_ip.saddr = h + 8;
	ref_ip.daddr = h + 24;
	next = h[6];
	for (;;) {
		if (next != REF_IP6_HOPOPTS && next != REF_IP6_ROUTING &&
		    next != REF_IP6_FRAGMENT && next != REF_IP6_DSTOPTS)
			break;
		if (++seen > REF_IP6_MAX_EXT) {
			ref_malformed(v, "a ninth IPv6 extension header");
			return;
		}
		if (next == REF_IP6_FRAGMENT) {
			unsigned int offset;

			h = ref_take(c, 8);
			if (!h) {
				ref_malformed(v,
					      "IPv6 fragment header cut short");
				return;
			}
			next = h[0];
			offset = ref_be16(h + 2) >> 3;
			if (offset != 0) {
				/* The rest is the middle of a datagram. */
				ref_layer4(v, pol, c, 6, next, offset);
				return;
			}
			continue;
		}
		/* Hop-by-hop, routing, destination options: (len + 1) * 8. */
		h = ref_take(c, 2);
		if (!h) {
			ref_malformed(v, "IPv6 extension header cut short");
			return;
		}
		next = h[0];
		if (!ref_take(c, (size_t)(h[1] + 1) * 8 - 2)) {
			ref_malformed(v,
				      "IPv6 extension header past the packet");
			return;
		}
	}
	ref_layer4(v, pol, c, 6, next, 0);
}

#define REF_ETH_IPV4 0x0800
#define REF_ETH_IPV6 0x86dd
#define REF_ETH_8021Q 0x8100
#define REF_ETH_8021AD 0x88a8
#define REF_VLAN_MAX 2 /* design.md section 5: a third tag is malformed */

/* Judge one frame (len bytes from its Ethernet header) under pol. */
static inline void ref_classify(const uint8_t *frame, size_t len,
				const struct px_policy *pol,
				struct ref_verdict *v)
{
	struct ref_cursor c = {.data = frame, .len = len, .at = 0};
	const uint8_t *h;
	unsigned int type, tags = 0;

	ref_last_ok = false;
	h = ref_take(&c, 14);
	if (!h) {
		ref_malformed(v, "frame shorter than an Ethernet header");
		return;
	}
	type = ref_be16(h + 12);
	while (type == REF_ETH_8021Q || type == REF_ETH_8021AD) {
		if (++tags > REF_VLAN_MAX) {
			ref_malformed(v, "a third VLAN tag");
			return;
		}
		h = ref_take(&c, 4);
		if (!h) {
			ref_malformed(v, "VLAN tag cut short");
			return;
		}
		type = ref_be16(h + 2);
	}
	if (type == REF_ETH_IPV4)
		ref_ipv4(v, pol, &c);
	else if (type == REF_ETH_IPV6)
		ref_ipv6(v, pol, &c);
	else
		ref_set(v, REF_PASS, REF_NON_IP, "not IPv4 or IPv6");
}

#endif /* PX_REFERENCE_H */
