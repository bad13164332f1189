/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replies (doc/design.md, section 9): what the egress program does with
 * every outgoing TCP/UDP packet (record its flow in px_flows, maps.h),
 * and the lookup the classifier makes for a packet to a closed port when
 * the policy has `option replies on`. The programs are in portxdp.bpf.c,
 * one object, so they share the table.
 *
 * The egress program only observes: it never changes or drops a packet and
 * returns TC_ACT_UNSPEC (TCX_NEXT), so whatever else runs at the hook
 * decides. It records whatever the policy says: while replies are off the
 * XDP program does not look at the table, and turning them on finds it
 * current.
 *
 * Include after maps.h and parsing.h, before classify.h.
 */
#ifndef PX_REPLIES_H
#define PX_REPLIES_H

#define PX_TCP_SYN 0x02
#define PX_TCP_ACK 0x10

/*
 * Fill k from an IP header at nh and a TCP/UDP header at l4 (both already
 * bounds-checked by the parser; checked again here for the verifier). out:
 * the packet leaves (local is its source), else it arrives (local is its
 * destination), so a reply finds the key its request wrote. false when a
 * header is out of bounds (never after the parser).
 */
static __always_inline bool px_flow_key_fill(struct px_flow_key *k, int family,
					     void *nh, void *l4, void *end,
					     __u8 proto, bool out)
{
	__be16 *ports = l4;

	__builtin_memset(k, 0, sizeof(*k));
	if ((void *)(ports + 2) > end)
		return false;
	if (family == 4) {
		struct iphdr *iph = nh;

		if ((void *)(iph + 1) > end)
			return false;
		__builtin_memcpy(out ? k->local : k->remote, &iph->saddr, 4);
		__builtin_memcpy(out ? k->remote : k->local, &iph->daddr, 4);
	} else {
		struct ipv6hdr *ip6 = nh;

		if ((void *)(ip6 + 1) > end)
			return false;
		__builtin_memcpy(out ? k->local : k->remote, &ip6->saddr, 16);
		__builtin_memcpy(out ? k->remote : k->local, &ip6->daddr, 16);
	}
	k->local_port = out ? ports[0] : ports[1];
	k->remote_port = out ? ports[1] : ports[0];
	k->proto = proto;
	k->family = family;
	return true;
}

/*
 * For the XDP program, a TCP/UDP packet to a closed port: does it answer a
 * flow this host opened that is still active? A TCP segment with SYN set
 * and ACK clear opens a connection, so it never does. One hash lookup.
 */
static __always_inline bool px_reply_ok(const struct px_policy *pol, int family,
					void *nh, void *l4, void *end,
					__u32 proto)
{
	struct px_flow_key k;
	__u64 *seen, now;

	if (proto == PX_TCP) {
		__u8 *flags = (__u8 *)l4 + 13;

		if ((void *)(flags + 1) > end)
			return false;
		if ((*flags & (PX_TCP_SYN | PX_TCP_ACK)) == PX_TCP_SYN)
			return false;
	}
	if (!px_flow_key_fill(&k, family, nh, l4, end, proto, false))
		return false;
	seen = bpf_map_lookup_elem(&px_flows, &k);
	if (!seen)
		return false;
	now = bpf_ktime_get_coarse_ns();
	/* Signed: another CPU may have written a time later than now. */
	return (__s64)(now - READ_ONCE(*seen)) <=
	       (__s64)pol->reply_idle_ns[proto & 1];
}

/*
 * px_reply_ok for the classifier, which keeps no pointer to the packet's
 * IP or TCP/UDP header: the Ethernet header read again from data (a few
 * bytes, parsed already) gives the IP header and the family, and the
 * TCP/UDP header ends at l4end, where the classifier's cursor stopped.
 */
static __always_inline bool px_reply_at(const struct px_policy *pol, void *data,
					void *l4end, void *end, __u32 proto)
{
	struct hdr_cursor c = {.pos = data, .end = end};
	int eth_type = parse_ethhdr(&c);
	void *l4;

	if (proto == PX_TCP)
		l4 = l4end - sizeof(struct tcphdr);
	else
		l4 = l4end - sizeof(struct udphdr);
	return px_reply_ok(pol, eth_type == bpf_htons(ETH_P_IP) ? 4 : 6, c.pos,
			   l4, end, proto);
}

/*
 * Every outgoing TCP/UDP packet (first fragments and whole datagrams; a
 * later fragment has no ports) records or refreshes its flow. The time is
 * written in place when the flow is known, and only when it changed (the
 * coarse clock moves once a tick), so a busy flow costs one lookup.
 */
static __always_inline int px_record_flow(struct __sk_buff *skb)
{
	struct hdr_cursor c = {
		.pos = (void *)(long)skb->data,
		.end = (void *)(long)skb->data_end,
	};
	struct px_flow_key k;
	struct iphdr *iph;
	__u16 frag = 0;
	__u64 now, *seen;
	int eth_type, l4, family, port;
	void *nh, *l4h;
	__u8 proto;

	eth_type = parse_ethhdr(&c);
	nh = c.pos;
	if (eth_type == bpf_htons(ETH_P_IP)) {
		family = 4;
		l4 = parse_iphdr(&c, &iph);
		if (l4 < 0)
			return TCX_NEXT;
		frag = bpf_ntohs(iph->frag_off) & PX_IP_OFFSET;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		family = 6;
		l4 = parse_ip6hdr(&c);
		if (l4 < 0)
			return TCX_NEXT;
		l4 = parse_ip6_exthdrs(&c, l4, &frag);
	} else {
		return TCX_NEXT;
	}
	if (frag)
		return TCX_NEXT;
	l4h = c.pos;
	if (l4 == IPPROTO_TCP) {
		proto = PX_TCP;
		port = parse_tcphdr(&c);
	} else if (l4 == IPPROTO_UDP) {
		proto = PX_UDP;
		port = parse_udphdr(&c);
	} else {
		return TCX_NEXT;
	}
	if (port < 0)
		return TCX_NEXT;
	if (!px_flow_key_fill(&k, family, nh, l4h, c.end, proto, true))
		return TCX_NEXT;
	now = bpf_ktime_get_coarse_ns();
	seen = bpf_map_lookup_elem(&px_flows, &k);
	if (seen) {
		if (READ_ONCE(*seen) != now)
			WRITE_ONCE(*seen, now);
	} else {
		bpf_map_update_elem(&px_flows, &k, &now, BPF_ANY);
	}
	return TCX_NEXT;
}

#endif /* PX_REPLIES_H */
