/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scanner bans in the classifier (doc/design.md, section 10): the ban map,
 * its per-CPU cache, the per-source scan state, and the two steps the
 * program takes when flags & PX_F_BANS: is the source banned (step 1 of
 * the program's order), and, for a packet to a closed TCP/UDP port, count
 * the port for its source and ban it at the rule's N (step 4). Included
 * by the classifier only, after zone.h; the map layouts are
 * include/portxdp.h's.
 */
#ifndef PX_BANS_H
#define PX_BANS_H

/*
 * The bans, pinned as PX_PIN_BANS and written by the program (scan bans)
 * and by `portxdp ban`. At most PX_BANS_MAX; when full, adding one evicts
 * the least recently used ban (LRU_HASH): a ban whose source still sends
 * is looked up while it sends (at least every PX_BAN_SLOT_JIFFIES on each
 * CPU its packets reach, below) and stays, the one whose source went
 * quiet longest goes. That is "the oldest goes first" measured by
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

/*
 * The ban cache (include/portxdp.h, "The ban cache"): per CPU, the answer
 * px_bans gave for a source, banned or not, in a direct-mapped slot, so a
 * packet whose source's slot answers makes no hash lookup: the array's
 * lookup is inlined by the verifier, and the slot's index is one multiply.
 * The hash map stays the truth; a slot is a copy of one answer, good
 * while px_ban_gen is the one it was filled under (every write that adds
 * or lifts a ban bumps it after writing, so an unban holds from the next
 * packet on) and until its `until`, on the jiffies clock (inlined by the
 * verifier: one load).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PX_BAN_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct px_ban_slot);
} px_ban_cache SEC(".maps");

__u64 px_ban_gen SEC(".data.px_ban_gen") = 0;

/*
 * How long a slot answers at most, in jiffies (32-320 ms, HZ 1000-100):
 * so a source whose packets all find their slot still has its ban looked
 * up in px_bans a few times a second per CPU, which keeps the LRU from
 * taking it for an idle ban (the eviction rule above), and a slot's drops
 * reach the ban's count that often while packets come.
 */
#define PX_BAN_SLOT_JIFFIES 32

/* A jiffy at most, in ns: HZ is at least 100. A slot of a ban answers for
 * the ban's time left counted in jiffies of this length, so it never
 * answers after the ban's end, whatever HZ. */
#define PX_JIFFY_NS_MAX (PX_NSEC / 100)

/* The source of the packet as a px_ban_key's addr (family: 4, or 6, or
 * PX_BAN_LINK_LOCAL in *family): the IPv4 address, or the IPv6 address's
 * /64, or a link-local address itself (its /64 is every host on the
 * link). saddr is the IP header's source address (checked by the parser
 * already). */
static __always_inline __u64 px_ban_addr(const void *saddr, const bool v6,
					 __u32 *family)
{
	const __u8 *a = saddr;
	__u64 net = 0;

	*family = 4;
	if (!v6)
		return *(const __u32 *)a; /* one 4-byte load */
	/* one 8-byte load each (unaligned packet loads are allowed) */
	__builtin_memcpy(&net, (const __u64 *)a, 8);
	*family = 6;
	if (net == PX_LINK_LOCAL_NET) {
		__builtin_memcpy(&net, (const __u64 *)(a + 8), 8);
		*family = PX_BAN_LINK_LOCAL;
	}
	return net;
}

static __always_inline void px_ban_key_set(struct px_ban_key *k, __u64 addr,
					   __u32 family)
{
	k->family = family;
	__builtin_memcpy(k->addr, &addr, 8);
}

/*
 * Step 1's ban lookup in px_bans, for a packet whose slot did not answer
 * (global: verified once, on its own): 1 when k is banned now, else 0 (a
 * ban met after its end is deleted here). s, k's slot on this CPU, gets
 * the answer, filled under gen (px_ban_gen as read before the lookup);
 * the drops it held go to their ban first. s is never NULL (its index is
 * in range); if it were, nothing would count the drop on the ban.
 *
 * The end is checked on the coarse clock (CLOCK_MONOTONIC as of the last
 * tick, the clock bans are written in, at most one tick behind): a ban
 * ends at most a tick (1-10 ms) late, which `bans`, counting in seconds,
 * cannot show. The slot's `until` is the ban's time left in jiffies of
 * PX_JIFFY_NS_MAX, at most PX_BAN_SLOT_JIFFIES.
 */
__noinline int px_ban_fill(const struct px_ban_key *k, struct px_ban_slot *s,
			   __u64 gen)
{
	struct px_ban_key was = {};
	struct px_ban *b, *old;
	__u64 now = 0, until, left, addr = 0, d;

	if (!k)
		return 0;
	b = bpf_map_lookup_elem(&px_bans, k);
	if (b) {
		now = bpf_ktime_get_coarse_ns();
		if (now >= b->expires_ns) {
			bpf_map_delete_elem(&px_bans, k);
			b = NULL;
		}
	}
	if (!s)
		return !!b;
	__builtin_memcpy(&addr, k->addr, 8);
	/* The slot's drops not yet in a ban go to their ban, if still in
	 * force: out of the slot first, so `bans`, reading the ban then the
	 * slots, never counts them twice. */
	d = s->dropped - s->flushed;
	if (d) {
		s->flushed = s->dropped;
		if (s->addr == addr && s->family == k->family) {
			old = b;
		} else {
			was.family = s->family;
			__builtin_memcpy(was.addr, &s->addr, 8);
			old = bpf_map_lookup_elem(&px_bans, &was);
		}
		if (old && PX_BAN_ID(old) == s->ban_id)
			__sync_fetch_and_add(&old->dropped, d);
	}
	until = bpf_jiffies64() + PX_BAN_SLOT_JIFFIES;
	if (b) {
		left = (b->expires_ns - now) / PX_JIFFY_NS_MAX;
		if (left < PX_BAN_SLOT_JIFFIES)
			until -= PX_BAN_SLOT_JIFFIES - left;
	}
	s->addr = addr;
	s->family = k->family;
	s->until = until;
	s->ban_id = b ? PX_BAN_ID(b) : 0;
	barrier_var(s);
	s->gen = gen;
	return !!b;
}

/* A banned source's IPv6 packet with hop limit 255, parsed from data as
 * the classifier parses it: 1 when the ban drops it, 0 when it goes on to
 * the classifier: ICMPv6 neighbour discovery (133-137), which passes (the
 * host must still answer for its own address on the link), or headers
 * cut short or wrong, which the classifier finds malformed. */
static __always_inline int px_ban_v6(void *data, void *data_end)
{
	struct hdr_cursor c = {.pos = data, .end = data_end};
	__u16 frag = 0;
	int l4;

	if (parse_ethhdr(&c) != bpf_htons(ETH_P_IPV6))
		return 0;
	l4 = parse_ip6hdr(&c);
	if (l4 >= 0)
		l4 = parse_ip6_exthdrs(&c, l4, &frag);
	return l4 >= 0 && !px_is_nd(&c, l4, true, frag);
}

/* For each hook, global (verified once, on its own): only banned IPv6
 * packets with hop limit 255 pay for the walk of the extension headers. */
__noinline int px_ban_v6_xdp(struct xdp_md *ctx)
{
	return px_ban_v6((void *)(long)ctx->data, (void *)(long)ctx->data_end);
}

__noinline int px_ban_v6_tc(struct __sk_buff *skb)
{
	return px_ban_v6((void *)(long)skb->data, (void *)(long)skb->data_end);
}

/*
 * Step 1 for bans, in the classifier (c at the IP header, Ethernet
 * parsed; v6 a constant: the ethertype is IPv6, else IPv4; tc: ctx is a
 * skb; the caller checked the IP header's fixed part is there): true when
 * the packet is dropped because its source is banned, counted on the
 * source's slot. The slot answers, or px_ban_fill asks px_bans. Only for
 * a banned source are the headers looked at further, and a packet they
 * do not drop goes on to the chain, which judges it as any other: an
 * IPv4 header that fails parse_iphdr's checks is malformed there, and so
 * is an IPv6 one whose extension headers px_ban_v6 could not walk.
 * IPv6 is read past its fixed header only with hop limit 255: neighbour
 * discovery has no other (RFC 4861: a host discards it otherwise), so a
 * banned packet with any other hop limit is dropped unread. Nothing of
 * this step stays in the chain (step 4 reads the source again); its key,
 * for px_ban_fill, is written on every way through, which leaves the
 * verifier one stack state to follow the chain with, not two.
 */
static __always_inline bool px_ban_drops(void *ctx, const bool tc,
					 const struct hdr_cursor *c,
					 const bool v6)
{
	struct px_ban_slot *s;
	struct px_ban_key k;
	__u32 family, i;
	__u64 addr;
	__u8 vi;

	if (v6 ? (void *)((struct ipv6hdr *)c->pos + 1) > c->end
	       : (void *)((struct iphdr *)c->pos + 1) > c->end)
		return false; /* never: the caller checked */
	addr = px_ban_addr(v6 ? (void *)&((struct ipv6hdr *)c->pos)->saddr
			      : (void *)&((struct iphdr *)c->pos)->saddr,
			   v6, &family);
	px_ban_key_set(&k, addr, family);
	i = px_ban_slot_of(addr);
	s = bpf_map_lookup_elem(&px_ban_cache, &i);
	if (s && s->addr == addr && s->family == family &&
	    s->gen == READ_ONCE(px_ban_gen) && bpf_jiffies64() < s->until) {
		if (!s->ban_id)
			return false;
	} else {
		/* the generation before px_bans is read: a ban written
		 * after it makes the slot stale */
		if (!px_ban_fill(&k, s, READ_ONCE(px_ban_gen)))
			return false;
	}
	if (v6) {
		if (((struct ipv6hdr *)c->pos)->hop_limit == 255 &&
		    !(tc ? px_ban_v6_tc(ctx) : px_ban_v6_xdp(ctx)))
			return false;
	} else {
		/* parse_iphdr's checks, without its cursor */
		vi = *(__u8 *)c->pos;
		if (vi != 0x45 && ((vi >> 4) != 4 || (vi & 0x0f) < 5 ||
				   c->pos + (vi & 0x0f) * 4 > c->end))
			return false;
	}
	if (s) /* totals.banned's count too (include/portxdp.h) */
		s->dropped++;
	return true;
}

/* Step 1 for bans at the tc hook, out of line (global: the tc program,
 * which may judge a packet twice, would otherwise verify the chain after
 * it once per way out of it): px_ban_drops on the skb's first buffer. */
__noinline int px_ban_drops_tc(struct __sk_buff *skb)
{
	struct hdr_cursor c = {.pos = (void *)(long)skb->data,
			       .end = (void *)(long)skb->data_end};
	int eth_type = parse_ethhdr(&c);

	if (eth_type == bpf_htons(ETH_P_IP))
		return (void *)((struct iphdr *)c.pos + 1) <= c.end &&
		       px_ban_drops(skb, true, &c, false);
	if (eth_type == bpf_htons(ETH_P_IPV6))
		return (void *)((struct ipv6hdr *)c.pos + 1) <= c.end &&
		       px_ban_drops(skb, true, &c, true);
	return 0;
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
 * zone hit (px_zone_of) carries PX_ZF_BAN_EXCEPT (user/policy_ban.c marks every
 * prefix inside an excepted zone's, so a nested zone's sources stay
 * excepted). Only when the rule names zones; looked up in pol's own
 * version.
 */
static __always_inline bool px_ban_zone_excepted(const struct px_policy *pol,
						 const struct px_src *src)
{
	return pol->ban.nzones &&
	       (px_zone_of(pol, src).flags & PX_ZF_BAN_EXCEPT);
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
	__u64 now, gen;

	if (!r->ports || px_ban_excepted(r, k))
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
	/* every slot filled before, the source's "not banned" among them,
	 * is stale now (the fetch form: ordered after the update) */
	gen = __sync_fetch_and_add(&px_ban_gen, 1);
	barrier_var(gen);
	bpf_map_delete_elem(&px_scan_map, k);
	return true;
}

/*
 * Step 4 for each hook (global: verified once, on its own): unless the
 * source is in an `except` zone, count, and log the packet that made the
 * ban whatever the log's rate (key: its counter key). 1 when this packet
 * banned its source: it is logged here, as the ban's start, so the
 * classifier does not log it a second time. The source is read from the
 * packet again, once, for both the except zones and the key. Include
 * after log.h.
 */
static __always_inline int px_scan(const struct px_policy *pol, void *data,
				   void *data_end, __u32 key)
{
	struct px_ban_key k;
	struct px_src src;
	__u32 family;
	__u64 addr;

	if (!pol || !pol->ban.ports || !px_src_read(data, data_end, &src) ||
	    px_ban_zone_excepted(pol, &src))
		return 0;
	addr = px_ban_addr(src.addr, src.v6, &family);
	px_ban_key_set(&k, addr, family);
	return px_scan_count(&pol->ban, &k, key % PX_PORTS);
}

__noinline int px_scan_xdp(struct xdp_md *ctx, const struct px_policy *pol,
			   __u32 key)
{
	if (!px_scan(pol, (void *)(long)ctx->data, (void *)(long)ctx->data_end,
		     key))
		return 0;
	px_log_dropped(ctx, false, PX_WHY_BAN_START, key, 0);
	return 1;
}

__noinline int px_scan_tc(struct __sk_buff *skb, const struct px_policy *pol,
			  __u32 key)
{
	if (!px_scan(pol, (void *)(long)skb->data, (void *)(long)skb->data_end,
		     key))
		return 0;
	px_log_dropped(skb, true, PX_WHY_BAN_START, key, 0);
	return 1;
}

#endif /* PX_BANS_H */
