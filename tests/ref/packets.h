/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The packet generator of the differential test: seeded and reproducible
 * (packet i of seed s is always the same bytes, whatever ran before it),
 * producing the three kinds the issue asks for:
 *   - random bytes, sometimes behind a real ethertype so they reach IP;
 *   - valid packets of every shape: 0-2 VLAN tags of either TPID, IPv4 with
 *     or without options, IPv6 with 0-8 extension headers (hop-by-hop,
 *     routing, destination options, fragment), every fragment flag and
 *     offset, TCP with any data offset, UDP, ICMP/ICMPv6 of any type, ICMP
 *     over the wrong IP version, other protocols, non-IP frames;
 *   - mutations of them: built "wild" (up to four VLAN tags, up to ten
 *     extension headers, any IHL and data offset, any version nibble), then
 *     header fields and bytes flipped, then truncated anywhere.
 * Also random policies: a default, a list of ports that packets aim at
 * (so both open and closed ports are hit), random ranges, random flags.
 *
 * Header-only (static functions), as tests/ref/reference.h, for the one-
 * file-per-binary build of tests/prog/.
 */
#ifndef PX_PACKETS_H
#define PX_PACKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "portxdp.h"

#define GEN_MAX 1024 /* well below BPF_PROG_TEST_RUN's limit for XDP */
#define GEN_MIN 14   /* BPF_PROG_TEST_RUN refuses frames below ETH_HLEN */
#define GEN_FIELDS 48

/* ---- randomness --------------------------------------------------------- */

struct gen_rng {
	uint64_t s;
};

/* splitmix64: tiny, and any seed (0 too) gives a good stream. */
static inline uint64_t gen_next(struct gen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The stream of item i of seed s, independent of every other item. */
static inline void gen_seed(struct gen_rng *r, uint64_t seed, uint64_t stream,
			    uint64_t i)
{
	r->s = seed * 0x2545f4914f6cdd1dULL ^ stream << 56 ^ i;
	gen_next(r);
}

static inline unsigned int gen_below(struct gen_rng *r, unsigned int n)
{
	return n ? (unsigned int)(gen_next(r) % n) : 0;
}

/* True with probability pct percent. */
static inline bool gen_pct(struct gen_rng *r, unsigned int pct)
{
	return gen_below(r, 100) < pct;
}

/* ---- policies ------------------------------------------------------------ */

/* Ports the packets aim at most of the time; the policy sets each of them. */
#define GEN_AIM 16
static const unsigned int gen_fixed_aim[] = {0,	  1,	22,    53,   80,
					     443, 8080, 49152, 65535};
#define GEN_NFIXED (sizeof(gen_fixed_aim) / sizeof(gen_fixed_aim[0]))

/* Sources the packets come from most of the time, when a zone layout
 * (tests/ref/layouts.h) gives some: inside, beside and outside its
 * prefixes. None: every source is random. */
#define GEN_SRCS 48

struct gen_policy {
	struct px_policy pol;
	unsigned int aim[GEN_AIM];
	uint8_t src4[GEN_SRCS][4], src6[GEN_SRCS][16];
	unsigned int nsrc4, nsrc6;
};

static inline void gen_set_port(struct px_policy *pol, int proto,
				unsigned int port, bool open)
{
	uint64_t bit = 1ULL << (port % 64);

	if (open)
		pol->open[proto][port / 64] |= bit;
	else
		pol->open[proto][port / 64] &= ~bit;
}

/* Policy number epoch of seed: default, ranges, the aimed ports, flags. */
static inline void gen_policy(struct gen_policy *gp, uint64_t seed,
			      uint64_t epoch)
{
	struct gen_rng r;
	unsigned int i, n;

	gen_seed(&r, seed, 1, epoch);
	memset(gp, 0, sizeof(*gp));
	if (gen_pct(&r, 50))
		memset(gp->pol.open, 0xff, sizeof(gp->pol.open));
	if (gen_pct(&r, 50))
		gp->pol.flags |= PX_F_PING_OPEN;
	if (gen_pct(&r, 50))
		gp->pol.flags |= PX_F_FRAG_DROP;
	snprintf(gp->pol.source, sizeof(gp->pol.source),
		 "differential seed %llu policy %llu", (unsigned long long)seed,
		 (unsigned long long)epoch);
	/* A few ranges flipped, as `open 1000-2000` lines would. */
	n = gen_below(&r, 4);
	for (i = 0; i < n; i++) {
		int proto = (int)gen_below(&r, 2);
		unsigned int lo = gen_below(&r, PX_PORTS);
		unsigned int len = gen_below(&r, 3000);
		bool open = gen_pct(&r, 50);

		for (unsigned int p = lo; p <= lo + len && p < PX_PORTS; p++)
			gen_set_port(&gp->pol, proto, p, open);
	}
	for (i = 0; i < GEN_AIM; i++) {
		gp->aim[i] = i < GEN_NFIXED ? gen_fixed_aim[i]
					    : gen_below(&r, PX_PORTS);
		gen_set_port(&gp->pol, PX_TCP, gp->aim[i], gen_pct(&r, 50));
		gen_set_port(&gp->pol, PX_UDP, gp->aim[i], gen_pct(&r, 50));
	}
}

/* ---- packets ------------------------------------------------------------- */

struct gen_pkt {
	uint8_t b[GEN_MAX];
	size_t len;
	size_t hdr_end;		  /* end of the last header built */
	size_t field[GEN_FIELDS]; /* offsets of header fields worth mutating */
	unsigned int nfield;
	char shape[96]; /* what was built, for reports */
};

static inline uint8_t *gen_put(struct gen_pkt *p, size_t n)
{
	uint8_t *at;

	if (p->len + n > GEN_MAX) {
		/* Builders check gen_room() first: a bug in this file. */
		fprintf(stderr, "packet generator overflow\n");
		abort();
	}
	at = p->b + p->len;
	memset(at, 0, n);
	p->len += n;
	return at;
}

/* Room for n more bytes? Builders stop adding headers when not. */
static inline bool gen_room(const struct gen_pkt *p, size_t n)
{
	return p->len + n <= GEN_MAX;
}

static inline void gen_field(struct gen_pkt *p, const uint8_t *at)
{
	if (p->nfield < GEN_FIELDS)
		p->field[p->nfield++] = (size_t)(at - p->b);
}

static inline void gen_be16(uint8_t *at, unsigned int v)
{
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}

static inline unsigned int gen_get16(const uint8_t *at)
{
	return (unsigned int)at[0] << 8 | at[1];
}

static inline void gen_shape(struct gen_pkt *p, const char *part)
{
	size_t used = strlen(p->shape);

	snprintf(p->shape + used, sizeof(p->shape) - used, "%s%s",
		 used ? "/" : "", part);
}

static inline void gen_random_bytes(struct gen_rng *r, uint8_t *at, size_t n)
{
	for (size_t i = 0; i < n; i++)
		at[i] = (uint8_t)gen_next(r);
}

static inline unsigned int gen_port(struct gen_rng *r,
				    const struct gen_policy *gp)
{
	if (gen_pct(r, 75))
		return gp->aim[gen_below(r, GEN_AIM)];
	return gen_below(r, PX_PORTS);
}

/* The layer-4 header for protocol proto (and a payload). */
static inline void gen_l4(struct gen_rng *r, struct gen_pkt *p,
			  const struct gen_policy *gp, unsigned int proto,
			  bool wild)
{
	uint8_t *h;
	char part[32];

	if (proto == 6 && gen_room(p, 60)) {
		unsigned int doff = gen_pct(r, 60) ? 5 : 5 + gen_below(r, 11);

		if (wild && gen_pct(r, 20))
			doff = gen_below(r, 16);
		h = gen_put(p, doff >= 5 ? doff * 4 : 20);
		gen_be16(h, gen_below(r, PX_PORTS));
		gen_be16(h + 2, gen_port(r, gp));
		h[12] = (uint8_t)(doff << 4);
		h[13] = (uint8_t)gen_next(r);
		gen_field(p, h + 2);
		gen_field(p, h + 3);
		gen_field(p, h + 12);
		for (unsigned int i = 20; i < doff * 4; i++)
			h[i] = 1; /* TCP NOP options */
		snprintf(part, sizeof(part), "tcp:%u/doff%u", gen_get16(h + 2),
			 doff);
	} else if (proto == 17 && gen_room(p, 8)) {
		h = gen_put(p, 8);
		gen_be16(h, gen_below(r, PX_PORTS));
		gen_be16(h + 2, gen_port(r, gp));
		gen_field(p, h + 2);
		gen_field(p, h + 3);
		snprintf(part, sizeof(part), "udp:%u", gen_get16(h + 2));
	} else if ((proto == 1 || proto == 58) && gen_room(p, 8)) {
		unsigned int echo = proto == 1 ? 8 : 128;

		h = gen_put(p, 8);
		/* echo; its reply; neighbour discovery's 133-137; any */
		h[0] = (uint8_t)(gen_pct(r, 50)	  ? echo
				 : gen_pct(r, 50) ? (proto == 1 ? 0 : 129)
				 : gen_pct(r, 50) ? 133 + gen_below(r, 5)
						  : gen_below(r, 256));
		h[1] = (uint8_t)gen_below(r, 4);
		h[5] = 1;
		gen_field(p, h);
		snprintf(part, sizeof(part), "icmp%s:type%u",
			 proto == 58 ? "v6" : "", h[0]);
	} else {
		snprintf(part, sizeof(part), "proto%u", proto);
	}
	gen_shape(p, part);
	p->hdr_end = p->len;
	if (gen_room(p, 64))
		gen_random_bytes(r, gen_put(p, gen_below(r, 48)),
				 p->len - p->hdr_end);
}

/* A layer-4 protocol number for IP version ipv. */
static inline unsigned int gen_proto(struct gen_rng *r, int ipv)
{
	static const unsigned int other[] = {2,	 4,   41,  47,	50, 51,
					     59, 103, 132, 136, 255};
	unsigned int n = gen_below(r, 100);

	if (n < 35)
		return 6;
	if (n < 70)
		return 17;
	if (n < 85)
		return ipv == 4 ? 1 : 58;
	if (n < 89)
		return ipv == 4 ? 58 : 1; /* ICMP over the wrong IP version */
	if (n < 95)
		return other[gen_below(r, sizeof(other) / sizeof(other[0]))];
	return gen_below(r, 256);
}

/* IPv4 frag_off: flags (reserved, DF, MF) and offset in 8-byte units. */
static inline unsigned int gen_frag4(struct gen_rng *r, char *part, size_t len)
{
	unsigned int flags = 0, offset = 0, n = gen_below(r, 100);

	if (gen_pct(r, 40))
		flags |= 0x4000; /* DF */
	if (gen_pct(r, 5))
		flags |= 0x8000; /* reserved */
	if (n < 60) {
		/* not fragmented */
	} else if (n < 75) {
		flags |= 0x2000; /* first fragment */
	} else if (n < 85) {
		offset = 1;
	} else if (n < 95) {
		offset = 1 + gen_below(r, 0x1fff);
	} else {
		offset = gen_pct(r, 50) ? 2 : 0x1fff;
	}
	if (offset && gen_pct(r, 50))
		flags |= 0x2000;
	snprintf(part, len, "v4frag:%s%s%s%u", flags & 0x8000 ? "RS," : "",
		 flags & 0x4000 ? "DF," : "", flags & 0x2000 ? "MF," : "",
		 offset);
	return flags | offset;
}

static inline void gen_ipv4(struct gen_rng *r, struct gen_pkt *p,
			    const struct gen_policy *gp, bool wild)
{
	unsigned int ihl = gen_pct(r, 70) ? 5 : 5 + gen_below(r, 11);
	unsigned int proto = gen_proto(r, 4), frag;
	char part[48];
	uint8_t *h;

	if (wild && gen_pct(r, 25))
		ihl = gen_below(r, 16);
	h = gen_put(p, ihl >= 5 ? ihl * 4 : 20);
	h[0] = (uint8_t)(4 << 4 | ihl);
	if (wild && gen_pct(r, 5))
		h[0] = (uint8_t)(gen_below(r, 16) << 4 | ihl);
	frag = gen_frag4(r, part, sizeof(part));
	gen_be16(h + 6, frag);
	h[8] = 64;
	h[9] = (uint8_t)proto;
	gen_random_bytes(r, h + 12, 8);
	if (gp->nsrc4 && gen_pct(r, 90))
		memcpy(h + 12, gp->src4[gen_below(r, gp->nsrc4)], 4);
	for (unsigned int i = 20; i < ihl * 4; i++)
		h[i] = gen_pct(r, 80) ? 1 : (uint8_t)gen_next(r);
	gen_field(p, h);
	gen_field(p, h + 6);
	gen_field(p, h + 7);
	gen_field(p, h + 9);
	gen_shape(p, "ipv4");
	if (ihl != 5) {
		char s[16];

		snprintf(s, sizeof(s), "ihl%u", ihl);
		gen_shape(p, s);
	}
	gen_shape(p, part);
	p->hdr_end = p->len;
	gen_l4(r, p, gp, proto, wild);
	gen_be16(h + 2, (unsigned int)(p->len - (size_t)(h - p->b)));
}

static inline void gen_ipv6(struct gen_rng *r, struct gen_pkt *p,
			    const struct gen_policy *gp, bool wild)
{
	static const unsigned int ext_types[] = {0, 43, 60, 44};
	unsigned int next_proto, next, n_ext, i;
	uint8_t *h, *nextp;
	char part[48];

	n_ext = gen_pct(r, 45) ? 0 : 1 + gen_below(r, 8);
	if (wild && gen_pct(r, 20))
		n_ext = gen_below(r, 11);
	h = gen_put(p, 40);
	h[0] = wild && gen_pct(r, 5) ? (uint8_t)(gen_below(r, 16) << 4) : 0x60;
	h[7] = gen_pct(r, 50) ? 255 : 64; /* 255: neighbour discovery's */
	gen_random_bytes(r, h + 8, 32);
	if (gp->nsrc6 && gen_pct(r, 90)) {
		/* the pool's address, or another in its /64 (one ban key) */
		memcpy(h + 8, gp->src6[gen_below(r, gp->nsrc6)],
		       gen_pct(r, 70) ? 16 : 8);
	}
	gen_field(p, h);
	gen_field(p, h + 6);
	nextp = h + 6;
	snprintf(part, sizeof(part), "ipv6/ext%u", n_ext);
	gen_shape(p, part);
	next_proto = gen_proto(r, 6);
	for (i = 0; i < n_ext && gen_room(p, 40); i++) {
		uint8_t *e;

		next = ext_types[gen_below(r, 4)];
		*nextp = (uint8_t)next;
		if (next == 44) {
			unsigned int off = 0, m = gen_below(r, 100);

			e = gen_put(p, 8);
			if (m >= 70)
				off = m < 82   ? 1
				      : m < 97 ? 1 + gen_below(r, 0x1fff)
					       : 0x1fff;
			gen_be16(e + 2, off << 3 | (gen_pct(r, 50) ? 1 : 0) |
						(gen_pct(r, 5) ? 6 : 0));
			gen_random_bytes(r, e + 4, 4);
			gen_field(p, e + 2);
			gen_field(p, e + 3);
			snprintf(part, sizeof(part), "frag:%u%s", off,
				 e[3] & 1 ? ",M" : "");
		} else {
			unsigned int hl = gen_pct(r, 60) ? 0 : gen_below(r, 4);

			e = gen_put(p, (hl + 1) * 8);
			e[1] = (uint8_t)hl;
			e[2] = 1; /* PadN over the rest */
			e[3] = (uint8_t)((hl + 1) * 8 - 4);
			gen_field(p, e + 1);
			snprintf(part, sizeof(part), "%s%u",
				 next == 0    ? "hbh"
				 : next == 43 ? "rt"
					      : "dst",
				 hl);
		}
		gen_field(p, e);
		gen_shape(p, part);
		nextp = e;
	}
	*nextp = (uint8_t)next_proto;
	p->hdr_end = p->len;
	gen_l4(r, p, gp, next_proto, wild);
	gen_be16(h + 4, (unsigned int)(p->len - (size_t)(h - p->b) - 40));
}

/* Ethernet, VLAN tags, then IPv4, IPv6 or another ethertype. */
static inline void gen_frame(struct gen_rng *r, struct gen_pkt *p,
			     const struct gen_policy *gp, bool wild)
{
	unsigned int tags = gen_pct(r, 60) ? 0 : gen_pct(r, 60) ? 1 : 2;
	unsigned int n = gen_below(r, 100), type;
	size_t type_at = 12; /* where the next ethertype goes */
	uint8_t *h;
	char part[24];

	if (wild && gen_pct(r, 15))
		tags = gen_below(r, 5);
	type = n < 47	? 0x0800
	       : n < 94 ? 0x86dd
	       : n < 96 ? 0x0806
	       : n < 98 ? 0x88cc
			: gen_below(r, 0x10000);
	h = gen_put(p, 14);
	gen_random_bytes(r, h, 12);
	for (unsigned int i = 0; i < tags; i++) {
		gen_be16(p->b + type_at, gen_pct(r, 50) ? 0x8100 : 0x88a8);
		gen_field(p, p->b + type_at);
		h = gen_put(p, 4); /* TCI, then the next ethertype */
		gen_be16(h, gen_below(r, 0x10000));
		type_at = (size_t)(h + 2 - p->b);
	}
	gen_be16(p->b + type_at, type);
	gen_field(p, p->b + type_at);
	snprintf(part, sizeof(part), "eth/vlan%u", tags);
	gen_shape(p, part);
	p->hdr_end = p->len;
	if (type == 0x0800) {
		gen_ipv4(r, p, gp, wild);
	} else if (type == 0x86dd) {
		gen_ipv6(r, p, gp, wild);
	} else {
		size_t n_body = 28 + gen_below(r, 40);

		snprintf(part, sizeof(part), "type%04x", type);
		gen_shape(p, part);
		gen_random_bytes(r, gen_put(p, n_body), n_body);
	}
}

/* Change header fields and bytes of a built packet. */
static inline void gen_mutate(struct gen_rng *r, struct gen_pkt *p)
{
	unsigned int n = 1 + gen_below(r, 3);
	char part[32];

	for (unsigned int i = 0; i < n; i++) {
		size_t at;
		unsigned int how = gen_below(r, 4);

		if (p->nfield && gen_pct(r, 70))
			at = p->field[gen_below(r, p->nfield)];
		else
			at = gen_below(r, (unsigned int)(p->hdr_end + 8));
		if (at >= p->len)
			continue;
		if (how == 0)
			p->b[at] ^= (uint8_t)(1u << gen_below(r, 8));
		else if (how == 1)
			p->b[at] = (uint8_t)gen_next(r);
		else if (how == 2)
			p->b[at] = gen_pct(r, 50) ? 0 : 0xff;
		else
			p->b[at] += (uint8_t)(gen_pct(r, 50) ? 1 : -1);
		snprintf(part, sizeof(part), "mut@%zu", at);
		gen_shape(p, part);
	}
}

/* Cut the packet at a random length, mostly inside the headers. */
static inline void gen_truncate(struct gen_rng *r, struct gen_pkt *p)
{
	size_t upto = p->hdr_end + 8 < p->len ? p->hdr_end + 8 : p->len;
	char part[24];

	if (upto <= GEN_MIN)
		return;
	p->len = GEN_MIN + gen_below(r, (unsigned int)(upto - GEN_MIN + 1));
	snprintf(part, sizeof(part), "cut%zu", p->len);
	gen_shape(p, part);
}

/* Random bytes, sometimes behind a real ethertype and IP version. */
static inline void gen_noise(struct gen_rng *r, struct gen_pkt *p)
{
	static const unsigned int types[] = {0x0800, 0x86dd, 0x8100, 0x88a8};
	size_t len = GEN_MIN + gen_below(r, 200);

	gen_random_bytes(r, gen_put(p, len), len);
	if (gen_pct(r, 60)) {
		unsigned int t = types[gen_below(r, 4)];

		gen_be16(p->b + 12, t);
		if (t == 0x0800 && len > 14)
			p->b[14] = (uint8_t)(0x40 | (p->b[14] & 0x0f));
		else if (t == 0x86dd && len > 14)
			p->b[14] = (uint8_t)(0x60 | (p->b[14] & 0x0f));
	}
	p->hdr_end = p->len;
	gen_shape(p, "noise");
}

/* Packet i of seed under policy gp: 8% noise, 37% valid, 55% mutated. */
static inline void gen_packet(struct gen_pkt *p, uint64_t seed, uint64_t i,
			      const struct gen_policy *gp)
{
	struct gen_rng r;
	unsigned int kind;

	gen_seed(&r, seed, 2, i);
	memset(p, 0, sizeof(*p));
	kind = gen_below(&r, 100);
	if (kind < 8) {
		gen_noise(&r, p);
		return;
	}
	gen_frame(&r, p, gp, kind >= 45);
	if (kind < 45)
		return;
	if (gen_pct(&r, 60))
		gen_mutate(&r, p);
	if (gen_pct(&r, 50))
		gen_truncate(&r, p);
}

#endif /* PX_PACKETS_H */
