/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Zones in the classifier (doc/design.md, section 8): the maps of a
 * policy's zones, the source lookup and the per-zone verdicts and counts.
 * The layout and why it is atomic are in include/portxdp.h ("Zones").
 *
 * For other features that judge by source (bans' `except ZONE`):
 * px_zone_of(pol, src) gives the source's zone index (0: none) and that
 * zone's flag word (PX_ZF_*, bits 8-15 free for them), from the same
 * policy version as pol. Include after vmlinux.h, bpf_helpers.h and
 * portxdp.h.
 */
#ifndef PX_ZONE_H
#define PX_ZONE_H

/* The inner maps' shapes; userspace (user/maps_zone.c) creates maps of
 * exactly these. Sizes rather than __type(), as for px_policy_inner. */
struct px_zone_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PX_ZONE_ENTRIES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct px_zone));
};

/* IPv4: sorted disjoint ranges, one array per version sized to it
 * (include/portxdp.h, "IPv4 ranges"). */
struct px_zone4_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__uint(max_entries, PX_R4_FIRST + 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct px_range4));
};

struct px_zone6_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PX_ZONE_PREFIXES_MAX);
	__uint(key_size, sizeof(struct px_lpm6));
	__uint(value_size, sizeof(struct px_zone_hit));
};

/* Slot gen & 1: the zone table, IPv4 ranges and IPv6 trie of policy
 * version gen. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct px_zone_inner);
} px_zone_outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct px_zone4_inner);
} px_zone4_outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct px_zone6_inner);
} px_zone6_outer SEC(".maps");

/* Per zone index: packets its verdicts decided, and blocked ones. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PX_ZONE_ENTRIES);
	__type(key, __u32);
	__type(value, struct px_zone_count);
} px_zone_counts SEC(".maps");

/* A packet's source: its family and where its address is (inside the
 * IP header the parser bounds-checked). */
struct px_src {
	const void *addr;
	bool v6;
};

/* Where the source address of the IP packet in data..data_end is; false
 * when it is not IP or cut short (never, once the classifier parsed it). */
static __always_inline bool px_src_read(void *data, void *data_end,
					struct px_src *src)
{
	struct hdr_cursor c = {.pos = data, .end = data_end};
	int eth_type = parse_ethhdr(&c);
	struct ipv6hdr *ip6 = c.pos;
	struct iphdr *iph = c.pos;

	if (eth_type == bpf_htons(ETH_P_IP)) {
		if ((void *)(iph + 1) > c.end)
			return false;
		src->addr = &iph->saddr;
		src->v6 = false;
		return true;
	}
	if (eth_type != bpf_htons(ETH_P_IPV6) || (void *)(ip6 + 1) > c.end)
		return false;
	src->addr = &ip6->saddr;
	src->v6 = true;
	return true;
}

static __always_inline struct px_zone_hit px_hit4(__u32 hit)
{
	struct px_zone_hit h = {hit & 0xffff, hit >> 16};

	return h;
}

/* The hit of IPv4 source a (host order) in ranges m: its /16's entry,
 * then a bisection of the ranges starting later inside that /16 for the
 * last one starting at or before a. */
static __always_inline struct px_zone_hit px_zone4_of(void *m, __u32 a)
{
	struct px_zone_hit none = {0, 0};
	const struct px_range4 *r;
	__u32 h = a >> 16, lo, hi, mid, hit = 0;
	bool got = false;

	r = bpf_map_lookup_elem(m, &h);
	if (!r)
		return none;
	if (r->start == PX_R4_WHOLE)
		return px_hit4(r->hit);
	lo = r->start;
	hi = lo + r->hit;
	for (int i = 0; i < PX_R4_STEPS && lo < hi; i++) {
		mid = hi - ((hi - lo) >> 1);
		r = bpf_map_lookup_elem(m, &mid);
		if (!r)
			return none;
		if (r->start <= a) {
			lo = mid;
			hit = r->hit;
			got = true;
		} else {
			hi = mid - 1;
		}
	}
	if (!got) {
		r = bpf_map_lookup_elem(m, &lo);
		if (!r)
			return none;
		hit = r->hit;
	}
	return px_hit4(hit);
}

/* The zone of src under policy pol: the longest prefix holding it. */
static __always_inline struct px_zone_hit
px_zone_of(const struct px_policy *pol, const struct px_src *src)
{
	struct px_zone_hit none = {0, 0}, *h;
	__u32 slot = pol->gen & 1;
	struct px_lpm6 k = {.prefixlen = 128};
	void *m;

	if (!src->v6) {
		m = bpf_map_lookup_elem(&px_zone4_outer, &slot);
		return m ? px_zone4_of(m, bpf_ntohl(*(const __u32 *)src->addr))
			 : none;
	}
	m = bpf_map_lookup_elem(&px_zone6_outer, &slot);
	if (!m)
		return none;
	__builtin_memcpy(k.addr, src->addr, 16);
	h = bpf_map_lookup_elem(m, &k);
	return h ? *h : none;
}

/* Zone z's table entry under pol (its verdicts), or NULL. */
static __always_inline const struct px_zone *
px_zone_entry(const struct px_policy *pol, __u32 z)
{
	__u32 slot = pol->gen & 1;
	void *inner = bpf_map_lookup_elem(&px_zone_outer, &slot);

	return inner ? bpf_map_lookup_elem(inner, &z) : NULL;
}

/* One packet in zone z's counts: dropped, passed or blocked. */
static __always_inline void px_zone_count(__u32 z, bool drop, bool blocked)
{
	struct px_zone_count *n = bpf_map_lookup_elem(&px_zone_counts, &z);

	if (!n)
		return;
	if (blocked)
		n->blocked++;
	else if (drop)
		n->dropped++;
	else
		n->passed++;
}

/* ICMPv6 neighbour discovery (types 133-137): never blocked, or a blocked
 * neighbour could not even be told the router's address. */
static __always_inline bool px_is_nd(const struct hdr_cursor *c, int l4,
				     bool v6, __u16 frag)
{
	const __u8 *t = c->pos;

	if (!v6 || l4 != NEXTHDR_ICMP || frag || (void *)(t + 1) > c->end)
		return false;
	return *t >= 133 && *t <= 137;
}

#endif /* PX_ZONE_H */
