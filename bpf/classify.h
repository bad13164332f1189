/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The classifier, one source for every hook: parse Ethernet (up to two
 * VLAN tags), IPv4 or IPv6 (through its extension-header chain) and
 * TCP/UDP/ICMP in the packet's first buffer, judge the packet against one
 * policy snapshot (open-port bitmaps and flags), log a drop while a reader
 * is on and record the verdict. The entry points in bpf/portxdp.bpf.c (XDP
 * and tc) are one call each, so both hooks give every packet the same
 * verdict and count it the same way. doc/design.md section 5 is the
 * contract; where it is silent the choices are written next to the code.
 *
 * The parse chain is flat (as in xdp-filter): every step either moves on,
 * or sets the verdict and jumps to the one exit, which logs and records
 * it. The exit is inside, not in the callers, and the hook is a constant
 * the compiler folds: so the XDP program compiles to the very instructions
 * it had before there was a tc hook (a classifier returning its verdict
 * to the caller cost the XDP path 0.3-0.5 ns, measured with progbench).
 * Include after log.h.
 */
#ifndef PX_CLASSIFY_H
#define PX_CLASSIFY_H

/* Which program the classifier is inlined into. */
enum px_hook {
	PX_HOOK_XDP, /* ctx is a struct xdp_md */
	PX_HOOK_TC,  /* ctx is a struct __sk_buff */
};

/*
 * How much of a non-linear skb the tc program makes linear before judging
 * it again: a page, as the first buffer XDP reads holds at least that.
 */
#define PX_TC_PULL 4096

/* The packet's first buffer: XDP's, or the skb's linear part. */
static __always_inline void *px_data(void *ctx, const enum px_hook hook)
{
	if (hook == PX_HOOK_TC)
		return (void *)(long)((struct __sk_buff *)ctx)->data;
	return (void *)(long)((struct xdp_md *)ctx)->data;
}

static __always_inline void *px_data_end(void *ctx, const enum px_hook hook)
{
	if (hook == PX_HOOK_TC)
		return (void *)(long)((struct __sk_buff *)ctx)->data_end;
	return (void *)(long)((struct xdp_md *)ctx)->data_end;
}

/*
 * A skb whose headers seem cut short may hold the rest in pages: make its
 * first PX_TC_PULL bytes (or all, when shorter) linear. True when it did;
 * the packet moved, so data and data_end must be read again.
 */
static __always_inline bool px_tc_pull(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	return !bpf_skb_pull_data(skb, len < PX_TC_PULL ? len : PX_TC_PULL);
}

/*
 * Is port open? key = proto * PX_PORTS + port, and open[][] is contiguous,
 * so the key indexes one flat bitmap of PX_NPROTO * PX_PORTS bits. The mask
 * is for the verifier (clang knows it is redundant, hence barrier_var).
 */
static __always_inline bool px_port_open(const struct px_policy *pol, __u32 key)
{
	__u32 word = key / 64;

	barrier_var(word);
	word &= PX_NPROTO * PX_BITMAP_WORDS - 1;
	return (((const __u64 *)pol->open)[word] >> (key % 64)) & 1;
}

/* The same test on any bitmap of the policy's shape (zoned, a zone's). */
static __always_inline bool px_bit(const __u64 *bits, __u32 key)
{
	__u32 word = key / 64;

	barrier_var(word);
	word &= PX_NPROTO * PX_BITMAP_WORDS - 1;
	return (bits[word] >> (key % 64)) & 1;
}

/* The features that judge beyond the port bitmaps and ping: a policy
 * without any of them takes the classifier built without them. */
#define PX_F_FEATURES                                                          \
	(PX_F_ZONES | PX_F_BLOCK | PX_F_REPLIES | PX_F_BANS | PX_F_PING_ZONED)

/* What px_judge_ip returns for a tc packet it would call malformed before
 * the skb was made linear: pull and judge again. Neither an XDP action
 * nor a TCX one. */
#define PX_PULL_AGAIN 0x7fff

/* What the hook's program returns for a verdict. tc: TCX_DROP, or
 * TCX_NEXT (the next program on the hook decides, so a pass never
 * bypasses another filter); for clsact these are TC_ACT_SHOT and
 * TC_ACT_UNSPEC. */
static __always_inline int px_action(const enum px_hook hook, __u32 action)
{
	if (hook == PX_HOOK_TC)
		return action == PX_DROP ? TCX_DROP : TCX_NEXT;
	return action;
}

/* Record the verdict and say what the hook's program returns: the exit
 * of a packet logged already (the one that made a ban), and px_exit's
 * end. */
static __always_inline int px_done(const enum px_hook hook, __u32 action,
				   enum px_why why, __u32 key)
{
	return px_action(hook, px_record(action, why, key));
}

/*
 * The exit: log a drop while a reader is on, record the verdict and say
 * what the hook's program returns. Inlined at each exit of the chain with
 * that exit's values, so an exit whose values are constants (not IP,
 * malformed) keeps none alive from the rest of the chain.
 */
static __always_inline int px_exit(void *ctx, const enum px_hook hook,
				   __u32 action, enum px_why why, __u32 key,
				   __u32 zone)
{
	if (action == PX_DROP)
		px_log_dropped(ctx, hook == PX_HOOK_TC, why, key, zone);
	return px_done(hook, action, why, key);
}

/* The exit of a drop counted already (a banned source's, on its slot of
 * the ban cache, bpf/bans.h): logged while a reader is on, not recorded. */
static __always_inline int px_exit_counted(void *ctx, const enum px_hook hook,
					   enum px_why why)
{
	px_log_dropped(ctx, hook == PX_HOOK_TC, why, PX_NO_KEY, 0);
	return px_action(hook, PX_DROP);
}

/* A malformed packet's exit; at tc, before the skb was made linear, the
 * request to make it linear and judge again. */
static __always_inline int px_malformed(void *ctx, const enum px_hook hook,
					bool pulled)
{
	if (hook == PX_HOOK_TC && !pulled)
		return PX_PULL_AGAIN;
	return px_exit(ctx, hook, PX_DROP, PX_WHY_MALFORMED, PX_NO_KEY, 0);
}

/*
 * One snapshot of the policy for the whole packet: a swap of the outer
 * slot takes effect between packets, never inside one. NULL when none is
 * installed.
 */
static __always_inline const struct px_policy *px_policy(void)
{
	__u32 zero = 0;
	void *inner = bpf_map_lookup_elem(&px_policy_outer, &zero);

	return inner ? bpf_map_lookup_elem(inner, &zero) : NULL;
}

/*
 * Steps 3 and 4 and the exit of a TCP/UDP packet (key its counter key)
 * whose port the policy or its source's zone (zone, 0: none) judged open
 * or not. c is where the chain's cursor stopped, past the L4 header.
 */
static __always_inline int px_port_exit(void *ctx, const enum px_hook hook,
					const struct px_policy *pol,
					const struct hdr_cursor *c, __u32 key,
					bool open, __u32 zone,
					const __u32 features)
{
	__u32 port = key % PX_PORTS, action = PX_PASS;
	enum px_why why = PX_WHY_NONE;

	/* Port 0 is not a valid destination: drop even when "open". */
	if (port == 0 || !open) {
		action = PX_DROP;
		/* 3. doc/design.md, section 9: a reply to this host's flow. */
		if ((features & PX_F_REPLIES) && (pol->flags & PX_F_REPLIES) &&
		    port &&
		    px_reply_at(pol, px_data(ctx, hook), c->pos, c->end,
				key / PX_PORTS)) {
			action = PX_PASS;
			why = PX_WHY_REPLY;
		}
	}
	/* The zone that judged the port counts the final verdict: a reply
	 * its verdict would drop passes, and counts as passed. */
	if ((features & PX_F_ZONES) && zone)
		px_zone_count(zone, action == PX_DROP, false);
	/* 4. a closed port counts toward a scan ban. The packet that bans is
	 * logged there, as the ban's start (bpf/bans.h), so it skips
	 * px_exit's log: logged once. */
	if ((features & PX_F_BANS) && (pol->flags & PX_F_BANS) &&
	    action == PX_DROP &&
	    (hook == PX_HOOK_TC ? px_scan_tc(ctx, pol, key)
				: px_scan_xdp(ctx, pol, key)))
		return px_done(hook, action, why, key);
	return px_exit(ctx, hook, action, why, key, zone);
}

/*
 * Step 2 for a port some zone judges differently from the base: the
 * source's zone decides (looked up now unless step 1 did: src, PX_SRC_*),
 * then px_port_exit. Out of the chain's way: what it needs is passed in.
 */
static __always_inline int px_zoned_port(void *ctx, const enum px_hook hook,
					 const struct px_policy *pol,
					 const struct hdr_cursor *c, __u32 key,
					 int src, const __u32 features)
{
	const struct px_zone *zn = NULL;
	bool open = px_port_open(pol, key);
	__u32 zone = 0;

	if (!(src & PX_SRC_LOOKED))
		src = hook == PX_HOOK_TC ? px_src_zone_tc(ctx, pol)
					 : px_src_zone_xdp(ctx, pol);
	if (src & PX_SRC_ZONE)
		zn = px_zone_entry(pol, src & PX_SRC_ZONE);
	if (zn) {
		zone = src & PX_SRC_ZONE;
		open = px_bit(&zn->open[0][0], key);
	}
	return px_port_exit(ctx, hook, pol, c, key, open, zone, features);
}

/*
 * Judge an IP packet (Ethernet parsed, c at its IP header, eth_type its
 * ethertype, IPv4 or IPv6) by policy pol, log and record it: what the
 * hook's program returns, or PX_PULL_AGAIN. Inlined three times into
 * each program, features (PX_F_*) a constant: 0 for a policy that uses
 * none of PX_F_FEATURES, where every feature's test folds away; zones only
 * (the common case among the rest, whose ports no zone touches then cost
 * least); and all of them, after step 1's block (src: what it found,
 * PX_SRC_*). One source, so all give a packet the same
 * verdict. The chain is flat (as in xdp-filter): every step either moves
 * on or exits, and a feature that acts takes the packet to its exit off
 * the chain, so the chain keeps no state of the features alive. The
 * numbered steps are the program's order.
 */
static __always_inline int px_judge_ip(void *ctx, const enum px_hook hook,
				       const struct px_policy *pol,
				       struct hdr_cursor *c, int eth_type,
				       bool pulled, int src,
				       const __u32 features)
{
	struct iphdr *iph;
	__u16 frag = 0; /* fragment offset, 8-byte units */
	bool v4 = eth_type == bpf_htons(ETH_P_IP), open;
	int l4, port, type;
	const struct px_zone *zn;
	__u32 key, zone = 0;

	if (v4) {
		l4 = parse_iphdr(c, &iph);
		if (l4 < 0)
			goto malformed;
		frag = bpf_ntohs(iph->frag_off) & PX_IP_OFFSET;
	} else {
		l4 = parse_ip6hdr(c);
		if (l4 < 0)
			goto malformed;
		l4 = parse_ip6_exthdrs(c, l4, &frag);
		if (l4 < 0)
			goto malformed;
	}

	/*
	 * Later fragment: what follows the IP header is the middle of the
	 * original datagram, so it is never parsed, whatever the protocol.
	 * TCP at offset 8 bytes can rewrite the flags of the first fragment's
	 * header (RFC 1858): malformed, whatever `option fragments` says.
	 */
	if (frag) {
		if (frag == 1 && l4 == IPPROTO_TCP)
			goto malformed;
		return px_exit(ctx, hook,
			       pol->flags & PX_F_FRAG_DROP ? PX_DROP : PX_PASS,
			       PX_WHY_FRAGMENT, PX_NO_KEY, 0);
	}

	if (l4 == IPPROTO_TCP) {
		port = parse_tcphdr(c);
		key = PX_TCP * PX_PORTS;
	} else if (l4 == IPPROTO_UDP) {
		port = parse_udphdr(c);
		key = PX_UDP * PX_PORTS;
	} else if (l4 == (v4 ? IPPROTO_ICMP : NEXTHDR_ICMP)) {
		type = parse_icmphdr_common(c);
		if (type < 0)
			goto malformed;
		/* other ICMP passes: ND, errors, PMTU */
		if (type != (v4 ? PX_ICMP_ECHO : PX_ICMPV6_ECHO_REQUEST))
			return px_exit(ctx, hook, PX_PASS, PX_WHY_NONE,
				       PX_NO_KEY, 0);
		open = pol->flags & PX_F_PING_OPEN;
		/* 2. some zone's ping verdict differs: the source's zone
		 * decides */
		if ((features & PX_F_PING_ZONED) &&
		    (pol->flags & PX_F_PING_ZONED)) {
			if (!(src & PX_SRC_LOOKED))
				src = hook == PX_HOOK_TC
					      ? px_src_zone_tc(ctx, pol)
					      : px_src_zone_xdp(ctx, pol);
			zn = src & PX_SRC_ZONE
				     ? px_zone_entry(pol, src & PX_SRC_ZONE)
				     : NULL;
			if (zn) {
				zone = src & PX_SRC_ZONE;
				open = zn->flags & PX_ZF_PING_OPEN;
				px_zone_count(zone, !open, false);
			}
		}
		if (!open)
			return px_exit(ctx, hook, PX_DROP, PX_WHY_PING_DROPPED,
				       PX_NO_KEY, zone);
		return px_exit(ctx, hook, PX_PASS, PX_WHY_PING_PASSED,
			       PX_NO_KEY, zone);
	} else {
		/* other protocols, ICMP over the wrong IP */
		return px_exit(ctx, hook, PX_PASS, PX_WHY_NONE, PX_NO_KEY, 0);
	}
	/* A first fragment too short for its L4 header lands here too. */
	if (port < 0)
		goto malformed;

	key += port;
	/* 2. a port some zone judges differently: the source's zone decides */
	if ((features & PX_F_ZONES) && (pol->flags & PX_F_ZONES) &&
	    px_bit(&pol->zoned[0][0], key))
		return px_zoned_port(ctx, hook, pol, c, key, src, features);
	return px_port_exit(ctx, hook, pol, c, key, px_port_open(pol, key), 0,
			    features);

malformed:
	return px_malformed(ctx, hook, pulled);
}

/*
 * Judge, log and record the packet of ctx: what hook's program returns.
 *
 * The tc hook's first buffer is the skb's linear part. Senders and GRO put
 * the headers there, so nearly every skb is judged at once; a skb judged
 * malformed is made linear up to PX_TC_PULL bytes (px_tc_pull) and judged
 * once more, so no skb is dropped for where the stack put its bytes. Only
 * frames judged malformed pay for that. The XDP hook reads its first
 * buffer only (bpf/portxdp.bpf.c says why).
 */
static __always_inline int px_judge(void *ctx, const enum px_hook hook)
{
	struct hdr_cursor c;
	const struct px_policy *pol;
	int eth_type, ret, src;
	bool pulled = false;

again:
	c.pos = px_data(ctx, hook);
	c.end = px_data_end(ctx, hook);

	/*
	 * The ethertype first: ARP, LLDP and anything else neither IPv4 nor
	 * IPv6 passes whatever the policy says, so it skips the lookup. A
	 * frame cut short is malformed, under a policy.
	 */
	eth_type = parse_ethhdr(&c);
	if (eth_type != bpf_htons(ETH_P_IP) &&
	    eth_type != bpf_htons(ETH_P_IPV6)) {
		if (eth_type >= 0)
			return px_exit(ctx, hook, PX_PASS, PX_WHY_NON_IP,
				       PX_NO_KEY, 0);
		if (!px_policy())
			return px_exit(ctx, hook, PX_PASS, PX_WHY_NONE,
				       PX_NO_KEY, 0);
		ret = px_malformed(ctx, hook, pulled);
		goto judged;
	}
	pol = px_policy();
	if (!pol) /* no policy installed: pass everything */
		return px_exit(ctx, hook, PX_PASS, PX_WHY_NONE, PX_NO_KEY, 0);
	if (likely(!(pol->flags & PX_F_FEATURES))) {
		ret = px_judge_ip(ctx, hook, pol, &c, eth_type, pulled, 0, 0);
	} else if (!(pol->flags & PX_F_FEATURES &
		     ~(PX_F_ZONES | PX_F_PING_ZONED))) {
		ret = px_judge_ip(ctx, hook, pol, &c, eth_type, pulled, 0,
				  PX_F_ZONES | PX_F_PING_ZONED);
	} else {
		/*
		 * 1. A blocked source (doc/design.md, section 8) or a banned
		 * one (section 10): every IP packet dropped, but ICMPv6
		 * neighbour discovery. Block: bpf/source.h, which parses
		 * the IP headers itself (a packet they fail is malformed
		 * below); bans: bpf/bans.h, inlined (its slots answer for
		 * most packets), the version a constant in each copy.
		 */
		src = 0;
		if (pol->flags & PX_F_BLOCK) {
			src = hook == PX_HOOK_TC ? px_src_step1_tc(ctx, pol)
						 : px_src_step1_xdp(ctx, pol);
			if (src & PX_SRC_BLOCKED)
				return px_exit(ctx, hook, PX_DROP,
					       PX_WHY_BLOCKED, PX_NO_KEY,
					       src & PX_SRC_ZONE);
		}
		/* The IP header's fixed part, which the ban step reads:
		 * without it the packet is malformed, as px_judge_ip would
		 * find it. Checked whether bans are on or not, so the
		 * verifier knows the same of every packet going on. */
		if (eth_type == bpf_htons(ETH_P_IP)
			    ? c.pos + sizeof(struct iphdr) > c.end
			    : c.pos + sizeof(struct ipv6hdr) > c.end) {
			ret = px_malformed(ctx, hook, pulled);
			goto judged;
		}
		if ((pol->flags & PX_F_BANS) &&
		    (hook == PX_HOOK_TC ? px_ban_drops_tc(ctx)
		     : eth_type == bpf_htons(ETH_P_IP)
			     ? px_ban_drops(ctx, false, &c, false)
			     : px_ban_drops(ctx, false, &c, true)))
			return px_exit_counted(ctx, hook, PX_WHY_BANNED);
		ret = px_judge_ip(ctx, hook, pol, &c, eth_type, pulled, src,
				  PX_F_FEATURES);
	}
judged:
	if (hook == PX_HOOK_TC && ret == PX_PULL_AGAIN) {
		pulled = true;
		if (px_tc_pull(ctx))
			goto again;
		return px_exit(ctx, hook, PX_DROP, PX_WHY_MALFORMED, PX_NO_KEY,
			       0);
	}
	return ret;
}

#endif /* PX_CLASSIFY_H */
