/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The classifier's steps that judge a packet by its source address, out of
 * line: step 1 for a blocked source (doc/design.md section 8; a banned
 * one, section 10, is bpf/bans.h's px_ban_drops, inlined in the chain)
 * and the zone lookup of step 2 (section 8). Each is one
 * global function per hook (the context's type differs), verified once on
 * its own, that reads the source again from the packet's first buffer:
 * the classifier parsed these headers already, so they are there, and
 * re-reading a few bytes costs a policy that uses these steps less than
 * keeping the source's pointer alive through the whole chain costs every
 * policy. What they return packs the answer into one scalar (PX_SRC_*),
 * the only state of theirs the chain keeps. Include after zone.h and
 * bans.h.
 */
#ifndef PX_SOURCE_H
#define PX_SOURCE_H

/* What the steps return: the source's zone index (0: none) in the low
 * bits, and these flags. */
#define PX_SRC_ZONE 0xffffU	 /* its zone index, when PX_SRC_LOOKED */
#define PX_SRC_LOOKED (1U << 16) /* the zone was looked up */
#define PX_SRC_BLOCKED (1U << 17)

build_bug_on(PX_ZONE_ENTRIES > PX_SRC_ZONE);

/*
 * Step 1 for a blocked source: parse the IP headers as the classifier
 * does (a packet that fails is not judged here: the classifier finds it
 * malformed); the source's zone (PX_SRC_LOOKED, for step 2 too) and
 * PX_SRC_BLOCKED when that zone blocks, counted there. ICMPv6 neighbour
 * discovery is not blocked: the host must still answer for its own
 * address on the link.
 */
static __always_inline int px_src_step1(const struct px_policy *pol, void *data,
					void *data_end)
{
	struct hdr_cursor c = {.pos = data, .end = data_end};
	struct px_zone_hit hit;
	struct iphdr *iph;
	struct px_src src;
	__u16 frag = 0;
	int eth_type, l4;

	if (!pol)
		return 0;
	eth_type = parse_ethhdr(&c);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		l4 = parse_iphdr(&c, &iph);
		if (l4 < 0)
			return 0;
		src.addr = &iph->saddr;
		src.v6 = false;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		src.addr = &((struct ipv6hdr *)c.pos)->saddr;
		src.v6 = true;
		l4 = parse_ip6hdr(&c);
		if (l4 < 0)
			return 0;
		l4 = parse_ip6_exthdrs(&c, l4, &frag);
		if (l4 < 0)
			return 0;
	} else {
		return 0;
	}
	hit = px_zone_of(pol, &src);
	if ((hit.flags & PX_ZF_BLOCK) && !px_is_nd(&c, l4, src.v6, frag)) {
		px_zone_count(hit.zone, true, true);
		return PX_SRC_LOOKED | hit.zone | PX_SRC_BLOCKED;
	}
	return PX_SRC_LOOKED | hit.zone;
}

__noinline int px_src_step1_xdp(struct xdp_md *ctx, const struct px_policy *pol)
{
	return px_src_step1(pol, (void *)(long)ctx->data,
			    (void *)(long)ctx->data_end);
}

__noinline int px_src_step1_tc(struct __sk_buff *skb,
			       const struct px_policy *pol)
{
	return px_src_step1(pol, (void *)(long)skb->data,
			    (void *)(long)skb->data_end);
}

/* Step 2's lookup, when step 1 made none: the source's zone under pol,
 * PX_SRC_LOOKED | its index (0: none). */
static __always_inline int px_src_zone(const struct px_policy *pol, void *data,
				       void *data_end)
{
	struct px_src src;

	if (!pol || !px_src_read(data, data_end, &src))
		return PX_SRC_LOOKED;
	return PX_SRC_LOOKED | px_zone_of(pol, &src).zone;
}

__noinline int px_src_zone_xdp(struct xdp_md *ctx, const struct px_policy *pol)
{
	return px_src_zone(pol, (void *)(long)ctx->data,
			   (void *)(long)ctx->data_end);
}

__noinline int px_src_zone_tc(struct __sk_buff *skb,
			      const struct px_policy *pol)
{
	return px_src_zone(pol, (void *)(long)skb->data,
			   (void *)(long)skb->data_end);
}

#endif /* PX_SOURCE_H */
