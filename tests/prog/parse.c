// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Parsing rules of the XDP program (doc/design.md, section 5): VLAN tags (one,
 * two in any TPID order, a third is malformed), IPv4 with options and its
 * malformed header lengths, IPv6 extension-header chains up to the bound of 8
 * and every way of breaking them, TCP/UDP headers shorter than their minimum,
 * and what passes untouched: ARP and other ethertypes (non-IP), other IP
 * protocols. Policy for every test: only 80/tcp and 53/udp open.
 */
#include "px_prog.h"

static struct px_policy pol;

static bool install_web_dns(void)
{
	pol_init(&pol, false, 0);
	pol_set(&pol, PX_TCP, 80, true);
	pol_set(&pol, PX_UDP, 53, true);
	return INSTALL(&pol);
}

#define BEGIN()                                                                \
	do {                                                                   \
		if (!px_ready() || !install_web_dns())                         \
			return;                                                \
	} while (0)

/* ---- Ethernet and VLAN ----------------------------------------------- */

static void vlan_single_tag(void)
{
	struct pkt p;

	BEGIN();
	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0);
	pb_tcp(&p, 80);
	expect_pkt("8100 tcp 80", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(80)});
	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0);
	pb_tcp(&p, 81);
	expect_pkt("8100 tcp 81", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(81)});
	pb_eth(&p, 0x88a8);
	pb_vlan(&p, 0x86dd);
	pb_ip6(&p, 17);
	pb_udp(&p, 53);
	expect_pkt("88a8 udp6 53", &p,
		   (struct want){.ret = XDP_PASS, .counter = UDPK(53)});
}

static void vlan_two_tags(void)
{
	static const __u16 tpids[][2] = {
		{0x88a8, 0x8100}, /* QinQ as 802.1ad defines it */
		{0x8100, 0x8100}, /* old-style double 802.1Q */
		{0x8100, 0x88a8},
		{0x88a8, 0x88a8},
	};
	struct pkt p;
	char what[64];

	BEGIN();
	for (size_t i = 0; i < sizeof(tpids) / sizeof(tpids[0]); i++) {
		pb_eth(&p, tpids[i][0]);
		pb_vlan(&p, tpids[i][1]);
		pb_vlan(&p, 0x0800);
		pb_ip4(&p, 5, 6, 0);
		pb_tcp(&p, 80);
		snprintf(what, sizeof(what), "%04x+%04x tcp 80", tpids[i][0],
			 tpids[i][1]);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_PASS, .counter = TCPK(80)});
		pb_eth(&p, tpids[i][0]);
		pb_vlan(&p, tpids[i][1]);
		pb_vlan(&p, 0x0800);
		pb_ip4(&p, 5, 6, 0);
		pb_tcp(&p, 22);
		snprintf(what, sizeof(what), "%04x+%04x tcp 22", tpids[i][0],
			 tpids[i][1]);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_DROP, .counter = TCPK(22)});
	}
}

static void vlan_third_tag_malformed(void)
{
	struct pkt p;

	BEGIN();
	pb_eth(&p, 0x88a8);
	pb_vlan(&p, 0x8100);
	pb_vlan(&p, 0x8100);
	pb_vlan(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0);
	pb_tcp(&p, 80);
	expect_pkt("three tags, tcp 80", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
}

static void vlan_tag_cut_short(void)
{
	struct pkt p;

	BEGIN();
	pb_eth(&p, 0x8100);
	pb_bytes(&p, 2, 0);
	expect_pkt("first tag 2 of 4 bytes", &p, W_MALFORMED);
	pb_eth(&p, 0x88a8);
	pb_vlan(&p, 0x8100);
	pb_bytes(&p, 3, 0);
	expect_pkt("second tag 3 of 4 bytes", &p, W_MALFORMED);
	/* A frame that ends right after its tag carries an ethertype: fine. */
	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x0806);
	expect_pkt("tag then nothing, ARP type", &p, W_NON_IP);
}

/* ---- non-IP ---------------------------------------------------------- */

static void arp_passes_as_non_ip(void)
{
	struct pkt p;

	BEGIN();
	pb_eth(&p, 0x0806);
	pb_bytes(&p, 28, 0);
	expect_pkt("arp", &p, W_NON_IP);
	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x0806);
	pb_bytes(&p, 28, 0);
	expect_pkt("arp in vlan", &p, W_NON_IP);
	pb_eth(&p, 0x88cc); /* LLDP */
	pb_bytes(&p, 32, 0);
	expect_pkt("lldp", &p, W_NON_IP);
	pb_eth(&p, 0x0806); /* only the Ethernet header */
	expect_pkt("bare 14-byte frame", &p, W_NON_IP);
}

/* ---- IPv4 ------------------------------------------------------------ */

static void ipv4_with_options(void)
{
	struct pkt p;
	char what[64];

	BEGIN();
	for (int ihl = 6; ihl <= 15; ihl += 9) {
		pb_eth(&p, 0x0800);
		pb_ip4(&p, ihl, 6, 0);
		pb_tcp(&p, 80);
		snprintf(what, sizeof(what), "ihl %d tcp 80", ihl);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_PASS, .counter = TCPK(80)});
		pb_eth(&p, 0x0800);
		pb_ip4(&p, ihl, 17, 0);
		pb_udp(&p, 54);
		snprintf(what, sizeof(what), "ihl %d udp 54", ihl);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_DROP, .counter = UDPK(54)});
	}
}

static void ipv4_ihl_below_5_malformed(void)
{
	struct pkt p;
	char what[32];

	BEGIN();
	for (int ihl = 0; ihl < 5; ihl++) {
		pb_eth(&p, 0x0800);
		pb_ip4(&p, ihl, 6, 0);
		pb_tcp(&p, 80);
		snprintf(what, sizeof(what), "ihl %d", ihl);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_DROP,
					 .malformed = true,
					 .untouched = TCPK(80)});
	}
}

static void ipv4_ihl_past_end_malformed(void)
{
	struct pkt p;

	BEGIN();
	/* ihl 15 says 60 bytes; the frame holds 20 + 20. */
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0);
	p.b[14] = 0x4f;
	pb_tcp(&p, 80);
	expect_pkt("ihl 15 in 40 bytes", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
	/* Header ends exactly at the frame's end: not malformed, just no L4. */
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 6, 47, 0); /* GRE */
	expect_pkt("ihl 6, GRE, nothing after", &p, W_PASS);
}

static void ipv4_short_or_wrong_version_malformed(void)
{
	struct pkt p;

	BEGIN();
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0);
	pb_cut(&p, 1);
	expect_pkt("19-byte IPv4 header", &p, W_MALFORMED);
	pb_eth(&p, 0x0800);
	expect_pkt("IPv4 type, no header", &p, W_MALFORMED);
	pkt_tcp4(&p, 80);
	p.b[14] = 0x65; /* version 6 in an IPv4 ethertype */
	expect_pkt("version 6 under 0x0800", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
}

/* ---- IPv6 extension headers ------------------------------------------ */

#define HOP 0
#define RTG 43
#define FRG 44
#define DST 60

/*
 * IPv6 with the chain ext[0..n), then last as the final next header.
 * Headers are 8 bytes, routing 24; fragment headers are atomic (offset 0).
 */
static void ip6_chain(struct pkt *p, const __u8 *ext, int n, __u8 last)
{
	pb_eth(p, 0x86dd);
	pb_ip6(p, n ? ext[0] : last);
	for (int i = 0; i < n; i++) {
		__u8 next = i + 1 < n ? ext[i + 1] : last;

		if (ext[i] == FRG)
			pb_ip6_frag(p, next, 0, 0);
		else
			pb_ip6_opt(p, next, ext[i] == RTG ? 2 : 0);
	}
}

static void ipv6_each_extension_header(void)
{
	static const __u8 kinds[] = {HOP, RTG, DST, FRG};
	struct pkt p;
	char what[64];

	BEGIN();
	for (size_t i = 0; i < sizeof(kinds); i++) {
		ip6_chain(&p, &kinds[i], 1, 6);
		pb_tcp(&p, 80);
		snprintf(what, sizeof(what), "ext %u then tcp 80", kinds[i]);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_PASS, .counter = TCPK(80)});
		ip6_chain(&p, &kinds[i], 1, 17);
		pb_udp(&p, 54);
		snprintf(what, sizeof(what), "ext %u then udp 54", kinds[i]);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_DROP, .counter = UDPK(54)});
	}
}

static void ipv6_mixed_chain(void)
{
	static const __u8 chain[] = {HOP, DST, RTG, FRG, DST};
	struct pkt p;

	BEGIN();
	ip6_chain(&p, chain, 5, 6);
	pb_tcp(&p, 80);
	expect_pkt("hop,dst,rtg,frag,dst tcp 80", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(80)});
	ip6_chain(&p, chain, 5, 6);
	pb_tcp(&p, 8080);
	expect_pkt("hop,dst,rtg,frag,dst tcp 8080", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(8080)});
	/* A long option header (hdrlen 10 = 88 bytes) is skipped whole. */
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, DST);
	pb_ip6_opt(&p, 17, 10);
	pb_udp(&p, 53);
	expect_pkt("88-byte dest opts, udp 53", &p,
		   (struct want){.ret = XDP_PASS, .counter = UDPK(53)});
}

static void ipv6_chain_of_8_passes_9_malformed(void)
{
	static const __u8 chain[] = {HOP, DST, RTG, DST, FRG,
				     DST, RTG, DST, DST};
	struct pkt p;

	BEGIN();
	ip6_chain(&p, chain, 8, 6);
	pb_tcp(&p, 80);
	expect_pkt("8 headers, tcp 80", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(80)});
	ip6_chain(&p, chain, 8, 6);
	pb_tcp(&p, 81);
	expect_pkt("8 headers, tcp 81", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(81)});
	ip6_chain(&p, chain, 9, 6);
	pb_tcp(&p, 80);
	expect_pkt("9 headers, tcp 80", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
	/* Eight, then a ninth header that is cut short: still the bound. */
	ip6_chain(&p, chain, 8, DST);
	expect_pkt("8 headers then a 9th type, no bytes", &p, W_MALFORMED);
}

static void ipv6_chain_cut_short(void)
{
	static const __u8 hop[] = {HOP}, hop_dst[] = {HOP, DST}, frg[] = {FRG};
	struct pkt p;

	BEGIN();
	/* Next header says hop-by-hop, nothing follows. */
	ip6_chain(&p, hop, 0, HOP);
	expect_pkt("hop announced, no bytes", &p, W_MALFORMED);
	/* Hop-by-hop with hdrlen 1 (16 bytes), only 8 present. */
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, HOP);
	pb_ip6_opt(&p, 6, 1);
	pb_cut(&p, 8);
	expect_pkt("hop 16 bytes, 8 present", &p, W_MALFORMED);
	/* Routing header cut inside its first 8 bytes. */
	ip6_chain(&p, hop_dst, 0, RTG);
	pb_bytes(&p, 1, 0);
	expect_pkt("routing, 1 byte", &p, W_MALFORMED);
	/* Second header announced but missing. */
	ip6_chain(&p, hop_dst, 1, DST);
	expect_pkt("hop then dst announced, missing", &p, W_MALFORMED);
	/* Fragment header shorter than its 8 bytes. */
	ip6_chain(&p, frg, 1, 6);
	pb_cut(&p, 1);
	expect_pkt("fragment header 7 bytes", &p, W_MALFORMED);
}

static void ipv6_short_or_wrong_version_malformed(void)
{
	struct pkt p;

	BEGIN();
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 6);
	pb_cut(&p, 1);
	expect_pkt("39-byte IPv6 header", &p, W_MALFORMED);
	pkt_tcp6(&p, 80);
	p.b[14] = 0x45; /* version 4 under 0x86dd */
	expect_pkt("version 4 under 0x86dd", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
}

/* AH, ESP and "no next header" end the walk: another protocol, passed. */
static void ipv6_other_next_headers_pass(void)
{
	static const __u8 hop[] = {HOP};
	struct pkt p;

	BEGIN();
	ip6_chain(&p, hop, 1, 59);
	expect_pkt("hop then no next header", &p, W_PASS);
	ip6_chain(&p, hop, 0, 59);
	expect_pkt("no next header", &p, W_PASS);
	ip6_chain(&p, hop, 1, 51); /* AH: not walked, even with TCP behind it */
	pb_ip6_opt(&p, 6, 1);
	pb_tcp(&p, 81);
	expect_pkt("AH then tcp 81", &p,
		   (struct want){.ret = XDP_PASS, .untouched = TCPK(81)});
	ip6_chain(&p, hop, 0, 50); /* ESP */
	pb_bytes(&p, 16, 0xee);
	expect_pkt("ESP", &p, W_PASS);
}

/* ---- TCP / UDP headers ----------------------------------------------- */

static void tcp_truncated_malformed(void)
{
	struct pkt p;

	BEGIN();
	pkt_tcp4(&p, 80);
	pb_cut(&p, 1);
	expect_pkt("tcp4 19 bytes", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
	pkt_tcp6(&p, 80);
	pb_cut(&p, 16);
	expect_pkt("tcp6 4 bytes", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
	pkt_tcp4(&p, 80);
	pb_cut(&p, 20);
	expect_pkt("tcp4 announced, 0 bytes", &p, W_MALFORMED);
	pkt_tcp4(&p, 80);
	p.b[14 + 20 + 12] = 4 << 4;
	expect_pkt("tcp doff 4", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
	pkt_tcp6(&p, 80);
	p.b[14 + 40 + 12] = 0;
	expect_pkt("tcp6 doff 0", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
}

static void udp_truncated_malformed(void)
{
	struct pkt p;

	BEGIN();
	pkt_udp4(&p, 53);
	pb_cut(&p, 1);
	expect_pkt("udp4 7 bytes", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = UDPK(53)});
	pkt_udp6(&p, 53);
	pb_cut(&p, 4);
	expect_pkt("udp6 4 bytes", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = UDPK(53)});
	/* Exactly the minimum headers with no payload are fine. */
	pkt_udp4(&p, 53);
	expect_pkt("udp4 8 bytes", &p,
		   (struct want){.ret = XDP_PASS, .counter = UDPK(53)});
	pkt_tcp4(&p, 80);
	expect_pkt("tcp4 20 bytes", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(80)});
}

static void other_ip_protocols_pass(void)
{
	static const __u8 protos[] = {47 /* GRE */, 132 /* SCTP */,
				      50 /* ESP */, 89 /* OSPF */};
	struct pkt p;
	char what[32];

	BEGIN();
	for (size_t i = 0; i < sizeof(protos); i++) {
		pb_eth(&p, 0x0800);
		pb_ip4(&p, 5, protos[i], 0);
		pb_bytes(&p, 4, 0); /* would read as ports 0/0 */
		snprintf(what, sizeof(what), "ipv4 proto %u", protos[i]);
		expect_pkt(what, &p, W_PASS);
		pb_eth(&p, 0x86dd);
		pb_ip6(&p, protos[i]);
		pb_bytes(&p, 4, 0);
		snprintf(what, sizeof(what), "ipv6 next %u", protos[i]);
		expect_pkt(what, &p, W_PASS);
	}
}

int main(void)
{
	px_setup();
	RUN_HOOKS(vlan_single_tag);
	RUN_HOOKS(vlan_two_tags);
	RUN_HOOKS(vlan_third_tag_malformed);
	RUN_HOOKS(vlan_tag_cut_short);
	RUN_HOOKS(arp_passes_as_non_ip);
	RUN_HOOKS(ipv4_with_options);
	RUN_HOOKS(ipv4_ihl_below_5_malformed);
	RUN_HOOKS(ipv4_ihl_past_end_malformed);
	RUN_HOOKS(ipv4_short_or_wrong_version_malformed);
	RUN_HOOKS(ipv6_each_extension_header);
	RUN_HOOKS(ipv6_mixed_chain);
	RUN_HOOKS(ipv6_chain_of_8_passes_9_malformed);
	RUN_HOOKS(ipv6_chain_cut_short);
	RUN_HOOKS(ipv6_short_or_wrong_version_malformed);
	RUN_HOOKS(ipv6_other_next_headers_pass);
	RUN_HOOKS(tcp_truncated_malformed);
	RUN_HOOKS(udp_truncated_malformed);
	RUN_HOOKS(other_ip_protocols_pass);
	px_teardown();
	return check_exit();
}
