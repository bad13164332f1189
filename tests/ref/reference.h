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
 * Sources (design.md sections 8 and 10), judged once the IP headers are
 * read (a packet malformed there is malformed first), in the order of the
 * program: (1) a blocked source, then a banned one, is dropped, ICMPv6
 * neighbour discovery (types 133-137, not in a later fragment) aside; for
 * a ban, neighbour discovery also has hop limit 255, and a banned
 * source's IPv6 packet with any other is banned as soon as its fixed
 * header is there, malformed or not (ref_ban_unread);
 * (2) the port's or ping's verdict is the source zone's when some zone's
 * verdict there differs from the base; (3) replies; (4) a TCP/UDP packet
 * still dropped counts toward a scan ban. The choices:
 *   - the source's zone is the one of the longest prefix holding it; a
 *     zone's verdict is the base's with its `from` lines (ref_zones.rule,
 *     in file order) on top; a blocked zone is no zone for (2);
 *   - a zone's counter moves only when (2) asked it (the port or ping is
 *     one some zone judges differently): dropped or passed by the zone's
 *     verdict, before replies (port 0 dropped); blocked by (1);
 *   - a ban's dropped moves for each packet it drops (not for the
 *     neighbour discovery it lets through);
 *   - the scan count is per source (IPv4 address, IPv6 /64), of distinct
 *     port numbers (TCP and UDP alike, port 0 too) in the current window
 *     (now / SECS); the Nth bans, and the count starts again; `except`
 *     prefixes (IPv6 ones taken to their /64) and addresses inside the
 *     prefixes of `except` zones are never counted, while a ban made by
 *     hand drops whatever except says.
 * Classifying changes nothing; ref_commit() then applies what the packet
 * did to the ban state (a ban's count, a scan), as the program does.
 *
 * Header-only (static functions) because each tests/prog/ file is built
 * as one translation unit.
 */
#ifndef PX_REFERENCE_H
#define PX_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
	REF_REPLY,   /* passed to a closed port as a reply (section 9) */
	REF_BLOCKED, /* dropped: a `block` line names the source (section 8) */
	REF_BANNED,  /* dropped: the source is banned (section 10) */
	REF_REASONS,
};

/* Which of a zone's counters a packet moves. */
enum ref_zcount {
	REF_ZC_NONE = 0,
	REF_ZC_DROPPED,
	REF_ZC_PASSED,
	REF_ZC_BLOCKED,
};

/* A scan-ban source: the IPv4 address, or the IPv6 /64, or a link-local
 * (fe80::/64) address whole: family PX_BAN_LINK_LOCAL, addr its last 8
 * bytes. */
struct ref_ban_key {
	int family; /* 4, 6 or PX_BAN_LINK_LOCAL */
	uint8_t addr[8];
};

struct ref_verdict {
	int action; /* REF_DROP or REF_PASS */
	enum ref_reason reason;
	int proto; /* PX_TCP/PX_UDP when a port counter moves, else -1 */
	unsigned int port; /* host order, with proto */
	const char *why;   /* the design.md section 5 rule that decided, for
			      reports */
	unsigned int zone; /* ref_zones' zone whose counter moves, 0: none */
	enum ref_zcount zcount;
	int ban;   /* ref_bans.ban[] whose dropped moves, -1: none */
	bool scan; /* a closed port counts toward a ban (ref_commit) */
	struct ref_ban_key src; /* the source, as bans key it */
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

/* The IP addresses of the packet being judged. */
static struct {
	int version;
	const uint8_t *saddr, *daddr;
} ref_ip;

/* ---- sources: zones and blocks (design.md section 8) -------------------- */

#define REF_ZONES_MAX 64
#define REF_PREFIXES_MAX 256
#define REF_RULES_MAX 256
#define REF_ECHO (-1) /* ref_rule.proto of `ping` */

/* A prefix: its first len bits of addr (IPv4 in the first 4 bytes). */
struct ref_prefix {
	int family; /* 4 or 6 */
	unsigned int len;
	uint8_t addr[16];
	unsigned int zone; /* the zone it belongs to, 1..nzones */
};

/* What one `from` line says for one of its zones: proto PX_TCP or
 * PX_UDP over ports lo-hi, or REF_ECHO. */
struct ref_rule {
	unsigned int zone;
	int proto;
	unsigned int lo, hi;
	bool open;
};

/* The policy's zones, as its text says them: zones 1..nzones (blocked
 * or not), every prefix, every from line in file order. */
struct ref_zoneset {
	unsigned int nzones;
	bool block[REF_ZONES_MAX + 1];
	struct ref_prefix pfx[REF_PREFIXES_MAX];
	unsigned int npfx;
	struct ref_rule rule[REF_RULES_MAX];
	unsigned int nrules;
};

static struct ref_zoneset ref_zones;

/* Is addr (of family) inside p's first upto bits (at most p->len)? */
static inline bool ref_prefix_has(const struct ref_prefix *p, int family,
				  const uint8_t *addr, unsigned int upto)
{
	unsigned int len = p->len < upto ? p->len : upto;

	if (p->family != family)
		return false;
	for (unsigned int i = 0; i < len; i++) {
		unsigned int bit = 7 - i % 8;

		if (((p->addr[i / 8] >> bit) & 1) != ((addr[i / 8] >> bit) & 1))
			return false;
	}
	return true;
}

/* The zone of a source: the longest prefix holding it; 0: none. */
static inline unsigned int ref_zone_of(int family, const uint8_t *addr)
{
	const struct ref_prefix *best = NULL;

	for (unsigned int i = 0; i < ref_zones.npfx; i++) {
		const struct ref_prefix *p = &ref_zones.pfx[i];

		if (ref_prefix_has(p, family, addr, 128) &&
		    (!best || p->len > best->len))
			best = p;
	}
	return best ? best->zone : 0;
}

/* Zone z's verdict for proto/port (REF_ECHO: ping): the base's, then its
 * from lines in file order. */
static inline bool ref_zone_open(const struct px_policy *pol, unsigned int z,
				 int proto, unsigned int port)
{
	bool open = proto == REF_ECHO ? (pol->flags & PX_F_PING_OPEN) != 0
				      : ref_port_open(pol, proto, port);

	for (unsigned int i = 0; i < ref_zones.nrules; i++) {
		const struct ref_rule *r = &ref_zones.rule[i];

		if (r->zone == z && r->proto == proto &&
		    (proto == REF_ECHO || (port >= r->lo && port <= r->hi)))
			open = r->open;
	}
	return open;
}

/* Does the source decide proto/port: some zone (not blocked) judges it
 * differently from the base? Then the source's zone, if any, decides. */
static inline unsigned int ref_deciding_zone(const struct px_policy *pol,
					     int proto, unsigned int port)
{
	bool base = proto == REF_ECHO ? (pol->flags & PX_F_PING_OPEN) != 0
				      : ref_port_open(pol, proto, port);
	bool zoned = false;

	for (unsigned int z = 1; z <= ref_zones.nzones && !zoned; z++)
		zoned = !ref_zones.block[z] &&
			ref_zone_open(pol, z, proto, port) != base;
	return zoned ? ref_zone_of(ref_ip.version, ref_ip.saddr) : 0;
}

/* TCP or UDP judged by its destination port (or its zone's verdict). */
static inline void ref_judge_port(struct ref_verdict *v,
				  const struct px_policy *pol, int proto,
				  unsigned int port)
{
	unsigned int z = ref_deciding_zone(pol, proto, port);
	bool open = z ? ref_zone_open(pol, z, proto, port)
		      : ref_port_open(pol, proto, port);

	if (port == 0)
		ref_set(v, REF_DROP, REF_NONE,
			"destination port 0: always drop");
	else if (open)
		ref_set(v, REF_PASS, REF_NONE,
			z ? "port open from the source's zone" : "port open");
	else
		ref_set(v, REF_DROP, REF_NONE,
			z ? "port closed from the source's zone"
			  : "port closed");
	v->proto = proto;
	v->port = port;
	if (z) {
		v->zone = z;
		v->zcount =
			v->action == REF_DROP ? REF_ZC_DROPPED : REF_ZC_PASSED;
	}
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
		/* the deciding zone counts it as passed, never dropped */
		if (v->zone)
			v->zcount = REF_ZC_PASSED;
		return;
	}
}

/* ---- sources: scanner bans (design.md section 10) ---------------------- */

#define REF_BANS_MAX 4096
#define REF_SCANS_MAX 4096

/* A ban: made by hand (scan false) or by the rule (ports: its N). */
struct ref_ban {
	struct ref_ban_key key;
	bool scan;
	unsigned int ports;
	uint64_t expires_ns; /* in force while now_ns < expires_ns */
	uint64_t dropped;
};

/* One source's scan: the distinct ports it hit in window. */
struct ref_scan {
	struct ref_ban_key key;
	uint64_t window;
	unsigned int n;
	unsigned int port[PX_BAN_PORTS_MAX];
};

/* `ban after PORTS ports in WINDOW_S for DURATION_S [except ...]`;
 * ports 0: no rule. except[]: the prefixes; zone[]: the zones named. */
struct ref_ban_rule {
	unsigned int ports, window_s, duration_s;
	unsigned int nexcept;
	struct ref_prefix except[PX_BAN_EXCEPT_MAX];
	unsigned int nzones;
	unsigned int zone[PX_BAN_EXCEPT_MAX];
};

static struct {
	struct ref_ban_rule rule;
	struct ref_ban ban[REF_BANS_MAX];
	unsigned int nbans;
	struct ref_scan scan[REF_SCANS_MAX];
	unsigned int nscans;
	uint64_t now_ns; /* the clock the program reads, set by the test */
} ref_bans;

/* The model outgrew its tables: a bug in the test, not a disagreement. */
static inline void ref_full(const char *what)
{
	fprintf(stderr, "reference: more %s than it holds\n", what);
	abort();
}

static inline void ref_ban_key_of(struct ref_ban_key *k, int family,
				  const uint8_t *addr)
{
	static const uint8_t ll[8] = {0xfe, 0x80};

	memset(k, 0, sizeof(*k));
	k->family = family;
	if (family == 6 && !memcmp(addr, ll, 8)) {
		k->family = PX_BAN_LINK_LOCAL;
		memcpy(k->addr, addr + 8, 8);
		return;
	}
	memcpy(k->addr, addr, family == 4 ? 4 : 8);
}

static inline bool ref_key_same(const struct ref_ban_key *a,
				const struct ref_ban_key *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 8);
}

/* The ban of k in force now, or -1. */
static inline int ref_banned(const struct ref_ban_key *k)
{
	for (unsigned int i = 0; i < ref_bans.nbans; i++)
		if (ref_key_same(&ref_bans.ban[i].key, k))
			return ref_bans.now_ns < ref_bans.ban[i].expires_ns
				       ? (int)i
				       : -1;
	return -1;
}

/* Make (or replace) k's ban. */
static inline void ref_ban_put(const struct ref_ban *b)
{
	unsigned int i;

	for (i = 0; i < ref_bans.nbans; i++)
		if (ref_key_same(&ref_bans.ban[i].key, &b->key))
			break;
	if (i == REF_BANS_MAX)
		ref_full("bans");
	if (i == ref_bans.nbans)
		ref_bans.nbans++;
	ref_bans.ban[i] = *b;
}

/* Is the source (key k, address addr) never counted: in an `except`
 * prefix (IPv6 ones taken to their /64, as k is; a link-local source's
 * /64 is fe80::), or its address inside a prefix of an `except` zone (a
 * zone nested in it too; a link-local key's family is IPv6's here)? */
static inline bool ref_excepted(const struct ref_ban_key *k,
				const uint8_t *addr)
{
	const struct ref_ban_rule *r = &ref_bans.rule;

	for (unsigned int i = 0; i < r->nexcept; i++)
		if (ref_prefix_has(&r->except[i], k->family == 4 ? 4 : 6, addr,
				   64))
			return true;
	for (unsigned int i = 0; i < r->nzones; i++)
		for (unsigned int j = 0; j < ref_zones.npfx; j++)
			if (ref_zones.pfx[j].zone == r->zone[i] &&
			    ref_prefix_has(&ref_zones.pfx[j],
					   k->family == 4 ? 4 : 6, addr, 128))
				return true;
	return false;
}

/* Step 1: a blocked or banned source is dropped, neighbour discovery
 * aside. c stands at the layer-4 header. True when that decided. */
static inline bool ref_source_drops(struct ref_verdict *v,
				    const struct ref_cursor *c, int ip_version,
				    unsigned int proto,
				    unsigned int frag_offset)
{
	bool nd = ip_version == 6 && proto == 58 && frag_offset == 0 &&
		  c->at < c->len && c->data[c->at] >= 133 &&
		  c->data[c->at] <= 137;
	unsigned int z = ref_zone_of(ip_version, ref_ip.saddr);
	int b;

	ref_ban_key_of(&v->src, ip_version, ref_ip.saddr);
	if (nd)
		return false;
	if (z && ref_zones.block[z]) {
		ref_set(v, REF_DROP, REF_BLOCKED, "the source is blocked");
		v->zone = z;
		v->zcount = REF_ZC_BLOCKED;
		return true;
	}
	b = ref_banned(&v->src);
	if (b < 0)
		return false;
	ref_set(v, REF_DROP, REF_BANNED, "the source is banned");
	v->ban = b;
	return true;
}

/* Step 4: a TCP/UDP packet still dropped counts toward a scan ban. */
static inline void ref_scan(struct ref_verdict *v)
{
	if (v->action == REF_DROP && v->proto >= 0 && ref_bans.rule.ports &&
	    !ref_excepted(&v->src, ref_ip.saddr))
		v->scan = true;
}

/*
 * What the packet judged into v leaves behind: the drop on its ban, its
 * port in its source's scan (and the ban that makes). True when it made
 * a ban. Call once per packet the program ran, after ref_classify.
 */
static inline bool ref_commit(const struct ref_verdict *v)
{
	const struct ref_ban_rule *r = &ref_bans.rule;
	struct ref_scan *s = NULL;
	uint64_t window;
	unsigned int i;

	if (v->ban >= 0)
		ref_bans.ban[v->ban].dropped++;
	if (!v->scan)
		return false;
	window = ref_bans.now_ns / ((uint64_t)r->window_s * 1000000000ULL);
	for (i = 0; i < ref_bans.nscans && !s; i++)
		if (ref_key_same(&ref_bans.scan[i].key, &v->src))
			s = &ref_bans.scan[i];
	if (!s) {
		if (ref_bans.nscans == REF_SCANS_MAX)
			ref_full("scanning sources");
		s = &ref_bans.scan[ref_bans.nscans++];
		memset(s, 0, sizeof(*s));
		s->key = v->src;
		s->window = window;
	}
	if (s->window != window) {
		s->window = window;
		s->n = 0;
	}
	for (i = 0; i < s->n; i++)
		if (s->port[i] == v->port)
			return false;
	s->port[s->n++] = v->port;
	if (s->n < r->ports)
		return false;
	ref_ban_put(&(struct ref_ban){
		.key = v->src,
		.scan = true,
		.ports = r->ports,
		.expires_ns = ref_bans.now_ns +
			      (uint64_t)r->duration_s * 1000000000ULL,
	});
	*s = ref_bans.scan[--ref_bans.nscans]; /* its count starts again */
	return true;
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

	if (ref_source_drops(v, c, ip_version, proto, frag_offset))
		return;
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
		ref_scan(v);
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
		ref_scan(v);
		return;
	}
	if ((ip_version == 4 && proto == REF_IPPROTO_ICMP) ||
	    (ip_version == 6 && proto == REF_IPPROTO_ICMPV6)) {
		unsigned int echo_request = ip_version == 4 ? 8 : 128;
		unsigned int z;
		bool open;

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
		z = ref_deciding_zone(pol, REF_ECHO, 0);
		open = z ? ref_zone_open(pol, z, REF_ECHO, 0)
			 : (pol->flags & PX_F_PING_OPEN) != 0;
		if (open)
			ref_set(v, REF_PASS, REF_PING,
				"echo request, ping open");
		else
			ref_set(v, REF_DROP, REF_PING,
				"echo request, ping closed");
		if (z) {
			v->zone = z;
			v->zcount = open ? REF_ZC_PASSED : REF_ZC_DROPPED;
		}
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

static inline void ref_ipv6_headers(struct ref_verdict *v,
				    const struct px_policy *pol,
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

/*
 * Step 1 before the rest: neighbour discovery comes with hop limit 255
 * (RFC 4861: a host discards it otherwise), so a banned source's IPv6
 * packet with any other is dropped as banned once its 40-byte header is
 * there, whatever follows it (a version other than 6, a chain cut short),
 * unless a block dropped it first. ip6: that header.
 */
static inline void ref_ban_unread(struct ref_verdict *v, const uint8_t *ip6)
{
	struct ref_ban_key k;
	int b;

	if (ip6[7] == 255 || v->reason == REF_BLOCKED)
		return;
	ref_ban_key_of(&k, 6, ip6 + 8);
	b = ref_banned(&k);
	if (b < 0)
		return;
	ref_set(v, REF_DROP, REF_BANNED,
		"the source is banned (hop limit not 255: not neighbour "
		"discovery)");
	v->src = k;
	v->ban = b;
	v->zone = 0;
	v->zcount = REF_ZC_NONE;
	v->scan = false;
	ref_last_ok = false;
}

static inline void ref_ipv6(struct ref_verdict *v, const struct px_policy *pol,
			    struct ref_cursor *c)
{
	size_t at = c->at;

	ref_ipv6_headers(v, pol, c);
	if (c->len - at >= 40)
		ref_ban_unread(v, c->data + at);
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
	v->zone = 0;
	v->zcount = REF_ZC_NONE;
	v->ban = -1;
	v->scan = false;
	memset(&v->src, 0, sizeof(v->src));
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
