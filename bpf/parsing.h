/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Header parsers for the XDP program, all with one contract (as in
 * xdp-tutorial's parsing_helpers.h): each takes a cursor, checks that its
 * header lies wholly inside the packet, advances the cursor past it and
 * returns the next header's type (or, for the last layer, the value the
 * caller judges by), or -1 when the header is malformed. A -1 is always a
 * malformed packet; the parsers never decide a verdict themselves.
 *
 * Variable-length headers are checked three times: the fixed part inside
 * the packet, the length field at least the minimum, the whole length inside
 * the packet. Multi-byte values come back in the byte order noted at each
 * parser. Include after vmlinux.h, <bpf/bpf_endian.h> and compiler.h.
 */
#ifndef PX_PARSING_H
#define PX_PARSING_H

/* vmlinux.h carries no #defines and UAPI headers clash with it: define here. */
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8

/* IPv4 frag_off field (host order after bpf_ntohs). */
#define PX_IP_MF 0x2000
#define PX_IP_OFFSET 0x1FFF

/* IPv6 next-header values (RFC 8200), named as in the kernel's net/ipv6.h. */
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_ICMP 58
#define NEXTHDR_DEST 60

/* IPv6 fragment header frag_off (host order): offset in the top 13 bits. */
#define PX_IP6_OFFSET_SHIFT 3

/* Echo request types: ICMP (RFC 792) and ICMPv6 (RFC 4443). */
#define PX_ICMP_ECHO 8
#define PX_ICMPV6_ECHO_REQUEST 128

/* Both ICMP and ICMPv6 start with type, code, checksum and 4 more bytes. */
#define PX_ICMP_MIN_LEN 8

struct hdr_cursor {
	void *pos;
	void *end; /* ctx->data_end */
};

static __always_inline bool px_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

/*
 * Ethernet and up to PX_VLAN_MAX VLAN tags, 802.1Q or 802.1ad in any order.
 * Returns the inner ethertype in NETWORK order, or -1 for a frame shorter
 * than 14 bytes, a tag cut short, or a tag more than the bound. An untagged
 * frame (nearly every one) costs one bounds check and two tests: the tags
 * are nested, not a loop, so it never tests its ethertype for a tag twice.
 */
static __always_inline int parse_ethhdr(struct hdr_cursor *c)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr *vh;
	__be16 proto;

	build_bug_on(PX_VLAN_MAX != 2);
	if ((void *)(eth + 1) > c->end)
		return -1;
	c->pos = eth + 1;
	proto = eth->h_proto;
	if (likely(!px_is_vlan(proto)))
		return proto;
	vh = c->pos;
	if ((void *)(vh + 1) > c->end)
		return -1;
	proto = vh->h_vlan_encapsulated_proto;
	c->pos = ++vh;
	if (!px_is_vlan(proto))
		return proto;
	if ((void *)(vh + 1) > c->end)
		return -1;
	proto = vh->h_vlan_encapsulated_proto;
	c->pos = vh + 1;
	if (px_is_vlan(proto))
		return -1;
	return proto;
}

/*
 * IPv4 header with options. Returns the protocol number, or -1 when fewer
 * than 20 bytes remain, the version is not 4, IHL is below 5, or IHL*4 runs
 * past the packet. *iphp points at the header for the fragment fields.
 * Version and IHL are read from the first byte rather than through the
 * bitfields, whose order depends on the target's endianness.
 */
static __always_inline int parse_iphdr(struct hdr_cursor *c,
				       struct iphdr **iphp)
{
	struct iphdr *iph = c->pos;
	__u8 ver_ihl;
	int hdrsize;

	if ((void *)(iph + 1) > c->end)
		return -1;
	*iphp = iph;
	ver_ihl = *(__u8 *)iph;
	/* Nearly every header has no options: one test, no length check. */
	if (likely(ver_ihl == 0x45)) {
		c->pos = iph + 1;
		return iph->protocol;
	}
	if ((ver_ihl >> 4) != 4)
		return -1;
	hdrsize = (ver_ihl & 0x0f) * 4;
	if (hdrsize < (int)sizeof(*iph))
		return -1;
	if (c->pos + hdrsize > c->end)
		return -1;
	c->pos += hdrsize;
	return iph->protocol;
}

/* IPv6 fixed header. Returns its next header, or -1 (short, version != 6). */
static __always_inline int parse_ip6hdr(struct hdr_cursor *c)
{
	struct ipv6hdr *ip6h = c->pos;

	if ((void *)(ip6h + 1) > c->end)
		return -1;
	if ((*(__u8 *)ip6h >> 4) != 6)
		return -1;
	c->pos = ip6h + 1;
	return ip6h->nexthdr;
}

/*
 * Hop-by-hop, routing or destination-options header: all three are
 * (next header, length in 8-byte units not counting the first 8, ...).
 * Returns the next header, or -1 when the header runs past the packet.
 */
static __always_inline int parse_ip6_opthdr(struct hdr_cursor *c)
{
	struct ipv6_opt_hdr *h = c->pos;
	int len;

	if ((void *)(h + 1) > c->end)
		return -1;
	len = (h->hdrlen + 1) * 8;
	if (c->pos + len > c->end)
		return -1;
	c->pos += len;
	return h->nexthdr;
}

/*
 * IPv6 fragment header (8 bytes). Returns the next header, or -1 when cut
 * short; *offset is the fragment offset in 8-byte units (0: first fragment
 * or an atomic fragment).
 */
static __always_inline int parse_ip6_fraghdr(struct hdr_cursor *c,
					     __u16 *offset)
{
	struct frag_hdr *fh = c->pos;

	if ((void *)(fh + 1) > c->end)
		return -1;
	*offset = bpf_ntohs(fh->frag_off) >> PX_IP6_OFFSET_SHIFT;
	c->pos = fh + 1;
	return fh->nexthdr;
}

static __always_inline bool px_is_ip6_ext(int nexthdr)
{
	return nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING ||
	       nexthdr == NEXTHDR_DEST || nexthdr == NEXTHDR_FRAGMENT;
}

/*
 * Walk the IPv6 extension-header chain starting at nexthdr. Returns the
 * first header that is not hop-by-hop, routing, destination options or
 * fragment (TCP, UDP, ICMPv6, but also AH, ESP, 59 "no next header" and
 * anything else, which the caller treats as another protocol), or -1 when a
 * header is cut short or the chain holds more than PX_IPV6_EXT_MAX headers.
 * A fragment header with a non-zero offset ends the walk at once: what
 * follows it is the middle of the original packet, not a header, so its
 * next header is returned with *frag_offset set and nothing more is read.
 */
static __always_inline int parse_ip6_exthdrs(struct hdr_cursor *c, int nexthdr,
					     __u16 *frag_offset)
{
#pragma unroll
	for (int i = 0; i < PX_IPV6_EXT_MAX; i++) {
		if (nexthdr == NEXTHDR_FRAGMENT) {
			nexthdr = parse_ip6_fraghdr(c, frag_offset);
			if (*frag_offset)
				return nexthdr;
		} else if (px_is_ip6_ext(nexthdr)) {
			nexthdr = parse_ip6_opthdr(c);
		} else {
			return nexthdr;
		}
		if (nexthdr < 0)
			return -1;
	}
	return px_is_ip6_ext(nexthdr) ? -1 : nexthdr;
}

/*
 * TCP header (fixed 20 bytes). Returns the destination port in HOST order,
 * or -1 when fewer than 20 bytes remain or the data offset is below 5.
 * Options are not needed to judge, so the cursor moves past the fixed part
 * only and a data offset past the packet end is not checked.
 */
static __always_inline int parse_tcphdr(struct hdr_cursor *c)
{
	struct tcphdr *th = c->pos;

	if ((void *)(th + 1) > c->end)
		return -1;
	/* doff is the high nibble of byte 12, whatever the bitfield order. */
	if ((((__u8 *)th)[12] >> 4) < 5)
		return -1;
	c->pos = th + 1;
	return bpf_ntohs(th->dest);
}

/* UDP header. Returns the destination port in HOST order, or -1 (short). */
static __always_inline int parse_udphdr(struct hdr_cursor *c)
{
	struct udphdr *uh = c->pos;

	if ((void *)(uh + 1) > c->end)
		return -1;
	c->pos = uh + 1;
	return bpf_ntohs(uh->dest);
}

/*
 * ICMP or ICMPv6 header: both share the first 8 bytes' layout. Returns the
 * message type, or -1 when fewer than 8 bytes remain.
 */
static __always_inline int parse_icmphdr_common(struct hdr_cursor *c)
{
	__u8 *h = c->pos;

	if ((void *)(h + PX_ICMP_MIN_LEN) > c->end)
		return -1;
	c->pos = h + PX_ICMP_MIN_LEN;
	return h[0];
}

#endif /* PX_PARSING_H */
