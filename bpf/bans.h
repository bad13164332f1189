/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scanner bans in the classifier (doc/design.md, section 10): the ban map,
 * the per-source scan state, and the two steps the program takes when
 * flags & PX_F_BANS: is the source banned (step 1 of the program's order),
 * and, for a packet to a closed TCP/UDP port, count the port for its
 * source and ban it at the rule's N (step 4). Included by the classifier
 * only; the map layouts are include/portxdp.h's.
 */
#ifndef PX_BANS_H
#define PX_BANS_H

/*
 * The bans, pinned as PX_PIN_BANS and written by the program (scan bans)
 * and by `portxdp ban`. At most PX_BANS_MAX; when full, adding one evicts
 * the least recently used ban (LRU_HASH): a ban whose source still sends
 * is looked up by every packet it sends and stays, the one whose source
 * went quiet longest goes. That is "the oldest goes first" measured by
 * last use rather than by start, on purpose: evicting a ban that still
 * drops a live flood would be the worst choice.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PX_BANS_MAX);
	__type(key, struct px_ban_key);
	__type(value, struct px_ban);
} px_bans SEC(".maps");

/*
 * One source's scan: the distinct closed ports it hit in the current
 * window, one per slot as (window + 1) << 16 | port, where window is
 * now / SECS (windows aligned on the clock, so a reset needs no writer of
 * its own: a slot of an older window is free). Port numbers, TCP and UDP
 * alike, so 53/tcp and 53/udp count once: an undercount, never an
 * overcount. Why 2N distinct ports within SECS always ban: they span at
 * most two windows, and one of them holds N.
 *
 * No lock (the kernel refuses bpf_spin_lock in an LRU map): slots fill in
 * order with compare-and-swap, a slot's window only grows, and a CPU stops
 * when it meets a slot of a later window than its own. So a port is never
 * in two slots of one window (two CPUs adding it meet at the same first
 * free slot, and the loser of the swap sees the winner's port), and the
 * Nth slot is taken by exactly one packet: the one that bans.
 */
struct px_scan {
	__u64 slot[PX_BAN_PORTS_MAX];
};

/*
 * The scan states: at most PX_SCAN_SOURCES sources; when full, the source
 * whose state was used least recently is forgotten (LRU_HASH). A flood of
 * spoofed sources can so make a real scanner's count start again: an
 * undercount, which the contract allows; never an overcount.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PX_SCAN_SOURCES);
	__type(key, struct px_ban_key);
	__type(value, struct px_scan);
} px_scan_map SEC(".maps");

/* fe80::/64, the first 8 bytes of a link-local address, as read. */
#define PX_LINK_LOCAL_NET bpf_cpu_to_be64(0xfe80000000000000ULL)

/* The source of the packet as a px_ban_key: the IPv4 address, or the IPv6
 * address's /64, or a link-local address itself (its /64 is every host on
 * the link). l3 is the IP header (checked by the parser already). */
static __always_inline void px_ban_key_of(struct px_ban_key *k, void *l3,
					  bool v6)
{
	__u8 *a = (__u8 *)&((struct ipv6hdr *)l3)->saddr;
	__u64 net;

	if (v6) {
		__builtin_memcpy(&net, a, 8);
		k->family = net == PX_LINK_LOCAL_NET ? PX_BAN_LINK_LOCAL : 6;
		__builtin_memcpy(k->addr, net == PX_LINK_LOCAL_NET ? a + 8 : a,
				 8);
	} else {
		k->family = 4;
		__builtin_memcpy(k->addr, &((struct iphdr *)l3)->saddr, 4);
		__builtin_memset(k->addr + 4, 0, 4);
	}
}

/*
 * Step 1 (bpf/source.h, which reads the key and exempts neighbour
 * discovery): k's ban in force now, or NULL. One hash lookup. A ban met
 * after its end is deleted here. The caller counts the drop on the ban,
 * once it knows the packet is dropped (not neighbour discovery).
 *
 * The end is checked on the coarse clock (CLOCK_MONOTONIC as of the last
 * tick, the clock bans are written in, at most one tick behind): a read
 * of it costs a banned packet ~1.5 ns where bpf_ktime_get_ns() cost ~25
 * (kvm-clock, progbench -b), and a ban ends at most a tick (1-10 ms)
 * late, which `bans`, counting in seconds, cannot show.
 */
static __always_inline struct px_ban *px_banned(const struct px_ban_key *k)
{
	struct px_ban *b = bpf_map_lookup_elem(&px_bans, k);

	if (!b)
		return NULL;
	if (bpf_ktime_get_coarse_ns() >= b->expires_ns) {
		bpf_map_delete_elem(&px_bans, k);
		return NULL;
	}
	return b;
}

/* Is k in one of the rule's `except` prefixes? (A link-local key is
 * fe80:: and its interface ID again: the prefixes stop at /64.) */
static __always_inline bool px_ban_excepted(const struct px_ban_rule *r,
					    const struct px_ban_key *k)
{
	__u64 a0 = 0, a1 = 0;
	__u32 n = r->nexcept, family = k->family;

	__builtin_memcpy(&a0, k->addr, 8);
	if (family == PX_BAN_LINK_LOCAL) {
		a1 = a0;
		a0 = PX_LINK_LOCAL_NET;
		family = 6;
	}
	for (__u32 i = 0; i < PX_BAN_EXCEPT_MAX; i++) {
		const struct px_ban_prefix *p = &r->except[i];

		if (i >= n)
			break;
		if (p->family == family && (a0 & p->mask[0]) == p->net[0] &&
		    (a1 & p->mask[1]) == p->net[1])
			return true;
	}
	return false;
}

/*
 * `except ZONE`: is the packet's source in a zone the rule excepts? Its
 * trie entry carries PX_ZF_BAN_EXCEPT (user/policy_ban.c marks every
 * prefix inside an excepted zone's, so a nested zone's sources stay
 * excepted). Only when the rule names zones; the source re-read from the
 * packet, as step 1 does (bpf/source.h), and looked up in pol's own
 * version.
 */
static __always_inline bool px_ban_zone_excepted(const struct px_policy *pol,
						 void *data, void *data_end)
{
	struct hdr_cursor c = {.pos = data, .end = data_end};
	struct ipv6hdr *ip6;
	struct iphdr *iph;
	struct px_src src;

	if (!pol->ban.nzones)
		return false;
	if (parse_ethhdr(&c) == bpf_htons(ETH_P_IP)) {
		if (parse_iphdr(&c, &iph) < 0)
			return false;
		src.addr = &iph->saddr;
		src.v6 = false;
	} else {
		ip6 = c.pos;
		if ((void *)(ip6 + 1) > c.end)
			return false;
		src.addr = &ip6->saddr;
		src.v6 = true;
	}
	return px_zone_of(pol, &src).flags & PX_ZF_BAN_EXCEPT;
}

/* Add port to s; true when it took the rule's Nth slot (ports >= 1). */
static __always_inline bool px_scan_add(struct px_scan *s, __u16 port,
					__u32 ports, __u64 now, __u64 window)
{
	__u64 win = now / window + 1, tag = win << 16 | port, v, old;

	for (__u32 i = 0; i < PX_BAN_PORTS_MAX; i++) {
		v = READ_ONCE(s->slot[i]);
		if ((v >> 16) < win) { /* free: empty, or an older window's */
			old = __sync_val_compare_and_swap(&s->slot[i], v, tag);
			if (old == v)
				return i + 1 == ports;
			v = old; /* another CPU took it first: read its port */
		}
		if (v == tag || (v >> 16) > win)
			return false; /* counted already, or we are late */
	}
	return false; /* full: N is at most PX_BAN_PORTS_MAX */
}

build_bug_on(PX_BAN_PORTS_MAX &(PX_BAN_PORTS_MAX - 1));

/* A new source's scan state, from .rodata: 256 bytes the stack lacks. */
static const struct px_scan px_scan_empty = {};

/*
 * Step 4: a packet from k to a closed port. Returns true when it made k
 * banned (the rule's Nth distinct closed port within the window): the ban
 * is in px_bans before this packet leaves, so the very next packet from k
 * is dropped, and k's scan state goes (a new count begins after the ban).
 * The clock is read only for a packet that counts (a rule, a source in no
 * `except` prefix, its state found): the exact one, since windows aligned
 * on a clock a tick behind could let 2N ports span three windows.
 */
static __always_inline bool px_scan_count(const struct px_ban_rule *r,
					  const struct px_ban_key *k,
					  __u32 port)
{
	struct px_scan *s;
	struct px_ban ban = {};
	__u64 now;

	if (!r || !k || !r->ports || px_ban_excepted(r, k))
		return false;
	s = bpf_map_lookup_elem(&px_scan_map, k);
	if (!s) {
		bpf_map_update_elem(&px_scan_map, k, &px_scan_empty,
				    BPF_NOEXIST);
		s = bpf_map_lookup_elem(&px_scan_map, k);
		if (!s)
			return false;
	}
	now = bpf_ktime_get_ns();
	if (!px_scan_add(s, port, r->ports, now, (__u64)r->window_s * PX_NSEC))
		return false;
	ban.start_ns = now;
	ban.expires_ns = now + (__u64)r->duration_s * PX_NSEC;
	ban.reason = PX_BAN_SCAN;
	ban.ports = r->ports;
	bpf_map_update_elem(&px_bans, k, &ban, BPF_ANY);
	bpf_map_delete_elem(&px_scan_map, k);
	return true;
}

/*
 * Step 4 for each hook (global: verified once, on its own): unless the
 * source is in an `except` zone, count, and log the packet that made the
 * ban whatever the log's rate (key: its counter key). 1 when this packet
 * banned its source: it is logged here, as the ban's start, so the
 * classifier does not log it a second time. Include after log.h.
 */
__noinline int px_scan_xdp(struct xdp_md *ctx, const struct px_policy *pol,
			   const struct px_ban_key *k, __u32 key)
{
	if (!pol || !pol->ban.ports ||
	    px_ban_zone_excepted(pol, (void *)(long)ctx->data,
				 (void *)(long)ctx->data_end))
		return 0;
	if (!px_scan_count(&pol->ban, k, key % PX_PORTS))
		return 0;
	if (READ_ONCE(px_log.on))
		px_log_drop(ctx, PX_WHY_BAN_START, key, 0);
	return 1;
}

__noinline int px_scan_tc(struct __sk_buff *skb, const struct px_policy *pol,
			  const struct px_ban_key *k, __u32 key)
{
	if (!pol || !pol->ban.ports ||
	    px_ban_zone_excepted(pol, (void *)(long)skb->data,
				 (void *)(long)skb->data_end))
		return 0;
	if (!px_scan_count(&pol->ban, k, key % PX_PORTS))
		return 0;
	if (READ_ONCE(px_log.on))
		px_log_drop_tc(skb, PX_WHY_BAN_START, key, 0);
	return 1;
}

#endif /* PX_BANS_H */
