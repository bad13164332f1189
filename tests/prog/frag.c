// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IP fragments (doc/design.md, section 5): a first fragment is judged by its
 * ports; one too short to hold its L4 header is malformed; TCP at offset 8
 * bytes is malformed (RFC 1858) whatever `option fragments` says; every other
 * later fragment is counted in totals.fragments and passes or drops by
 * PX_F_FRAG_DROP, for every protocol, and its payload is never read as
 * ports: the payloads here look like headers to closed ports, to port 0 and
 * to an ICMP echo request, and those counters must not move.
 */
#include "px_prog.h"

static struct px_policy pol;

/* Only 80/tcp and 53/udp open; flags as given. */
static bool install(__u32 flags)
{
	pol_init(&pol, false, flags);
	pol_set(&pol, PX_TCP, 80, true);
	pol_set(&pol, PX_UDP, 53, true);
	return INSTALL(&pol);
}

#define IP_MF 0x2000

static void ip4_frag(struct pkt *p, __u8 proto, __u16 offset, int mf)
{
	pb_eth(p, 0x0800);
	pb_ip4(p, 5, proto, (mf ? IP_MF : 0) | offset);
}

static void ip6_frag(struct pkt *p, __u8 proto, __u16 offset, int mf)
{
	pb_eth(p, 0x86dd);
	pb_ip6(p, 44);
	pb_ip6_frag(p, proto, offset, mf);
}

typedef void (*frag_fn)(struct pkt *, __u8, __u16, int);
static const frag_fn fams[2] = {ip4_frag, ip6_frag};
static const char *fam_name[2] = {"v4", "v6"};

static void first_fragment_judged_by_ports(void)
{
	struct pkt p;
	char what[64];

	if (!px_ready())
		return;
	for (__u32 flags = 0; flags <= PX_F_FRAG_DROP;
	     flags += PX_F_FRAG_DROP) {
		if (!install(flags))
			return;
		for (int f = 0; f < 2; f++) {
			fams[f](&p, 6, 0, 1);
			pb_tcp(&p, 80);
			pb_bytes(&p, 32, 0xab);
			snprintf(what, sizeof(what),
				 "%s first frag tcp 80 flags %u", fam_name[f],
				 flags);
			expect_pkt(what, &p,
				   (struct want){.ret = XDP_PASS,
						 .counter = TCPK(80)});
			fams[f](&p, 6, 0, 1);
			pb_tcp(&p, 81);
			snprintf(what, sizeof(what),
				 "%s first frag tcp 81 flags %u", fam_name[f],
				 flags);
			expect_pkt(what, &p,
				   (struct want){.ret = XDP_DROP,
						 .counter = TCPK(81)});
			fams[f](&p, 17, 0, 1);
			pb_udp(&p, 53);
			snprintf(what, sizeof(what),
				 "%s first frag udp 53 flags %u", fam_name[f],
				 flags);
			expect_pkt(what, &p,
				   (struct want){.ret = XDP_PASS,
						 .counter = UDPK(53)});
			fams[f](&p, 17, 0, 1);
			pb_udp(&p, 0);
			snprintf(what, sizeof(what),
				 "%s first frag udp 0 flags %u", fam_name[f],
				 flags);
			expect_pkt(what, &p,
				   (struct want){.ret = XDP_DROP,
						 .counter = UDPK(0)});
		}
	}
}

/* Too short for the ports the verdict needs: dropped as malformed. */
static void tiny_first_fragment_dropped(void)
{
	struct pkt p;
	char what[64];

	if (!px_ready() || !install(0))
		return;
	for (int f = 0; f < 2; f++) {
		fams[f](&p, 6, 0, 1);
		pb_tcp(&p, 80);
		pb_cut(&p, 8); /* 12 bytes of TCP: ports, no flags */
		snprintf(what, sizeof(what), "%s first frag, 12 bytes of tcp",
			 fam_name[f]);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_DROP,
					 .malformed = true,
					 .untouched = TCPK(80)});
		fams[f](&p, 17, 0, 1);
		pb_udp(&p, 53);
		pb_cut(&p, 4);
		snprintf(what, sizeof(what), "%s first frag, 4 bytes of udp",
			 fam_name[f]);
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_DROP,
					 .malformed = true,
					 .untouched = UDPK(53)});
	}
}

/* RFC 1858: TCP at offset 8 bytes overlaps the flags of the first fragment. */
static void tcp_at_offset_8_dropped(void)
{
	struct pkt p;
	char what[64];

	if (!px_ready())
		return;
	for (__u32 flags = 0; flags <= PX_F_FRAG_DROP;
	     flags += PX_F_FRAG_DROP) {
		if (!install(flags))
			return;
		for (int f = 0; f < 2; f++) {
			for (int mf = 0; mf < 2; mf++) {
				fams[f](&p, 6, 1, mf);
				/* An open port behind it changes nothing. */
				pb_tcp(&p, 80);
				snprintf(what, sizeof(what),
					 "%s tcp offset 8 mf %d flags %u",
					 fam_name[f], mf, flags);
				expect_pkt(
					what, &p,
					(struct want){.ret = XDP_DROP,
						      .malformed = true,
						      .untouched = TCPK(80)});
			}
		}
	}
}

/*
 * Later fragments of every protocol: counted as fragments, verdict from
 * the flag, payload never read (it looks like closed port 81/54, port 0,
 * an echo request).
 */
static void later_fragments(__u32 flags)
{
	static const struct {
		__u8 proto;
		__u16 offset;
		int mf;
	} cases[] = {
		{6, 1 + 1, 1}, /* TCP at 16 bytes */
		{6, 185, 0},   /* TCP, last fragment */
		{17, 1, 1},    /* UDP at 8 bytes: not the RFC 1858 case */
		{17, 8191, 0}, /* UDP, largest offset */
		{1, 3, 1},     /* ICMP */
		{58, 3, 1},    /* ICMPv6 */
		{47, 9, 1},    /* GRE */
		{60, 2, 1},    /* IPv6 dest opts behind the fragment header */
	};
	int ret = flags & PX_F_FRAG_DROP ? XDP_DROP : XDP_PASS;
	struct px_totals t0, t1;
	struct pkt p;
	char what[96];

	if (!px_ready() || !install(flags))
		return;
	ASSERT_OK(px_totals(&t0), "read totals");
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			__u8 proto = cases[i].proto;
			__u32 watch = proto == 17 ? UDPK(54) : TCPK(81);

			fams[f](&p, proto, cases[i].offset, cases[i].mf);
			if (proto == 17)
				pb_udp(&p, 54);
			else if (proto == 1 || proto == 58)
				pb_icmp(&p, proto == 1 ? 8 : 128, 0);
			else
				pb_tcp(&p, 81);
			snprintf(what, sizeof(what),
				 "%s later frag proto %u offset %u mf %d flags "
				 "%u",
				 fam_name[f], proto, cases[i].offset,
				 cases[i].mf, flags);
			expect_pkt(what, &p,
				   (struct want){.ret = ret,
						 .fragments = true,
						 .untouched = watch});

			/* The same, with a payload that reads as port 0. */
			fams[f](&p, proto, cases[i].offset, cases[i].mf);
			pb_bytes(&p, 20, 0);
			snprintf(what, sizeof(what),
				 "%s later frag proto %u zero payload flags %u",
				 fam_name[f], proto, flags);
			expect_pkt(what, &p,
				   (struct want){
					   .ret = ret,
					   .fragments = true,
					   .untouched = proto == 17 ? UDPK(0)
								    : TCPK(0)});

			/* No payload at all: nothing to read, not malformed. */
			fams[f](&p, proto, cases[i].offset, cases[i].mf);
			snprintf(what, sizeof(what),
				 "%s later frag proto %u empty flags %u",
				 fam_name[f], proto, flags);
			expect_pkt(
				what, &p,
				(struct want){.ret = ret, .fragments = true});
		}
	}
	/* The echo-request-looking payloads were not counted as ping. */
	ASSERT_OK(px_totals(&t1), "read totals");
	ASSERT_EQ(t1.ping_dropped - t0.ping_dropped, 0,
		  "ping_dropped unchanged");
	ASSERT_EQ(t1.ping_passed - t0.ping_passed, 0, "ping_passed unchanged");
}

static void later_fragments_pass_by_default(void)
{
	later_fragments(0);
}

static void later_fragments_drop_with_frag_drop(void)
{
	later_fragments(PX_F_FRAG_DROP);
}

/* Ping open changes nothing for fragments; fragment drop nothing for ping. */
static void flags_are_independent(void)
{
	struct pkt p;

	if (!px_ready() || !install(PX_F_PING_OPEN))
		return;
	ip4_frag(&p, 17, 20, 1);
	pb_udp(&p, 54);
	expect_pkt("later frag, ping open", &p,
		   (struct want){.ret = XDP_PASS, .fragments = true});
	if (!install(PX_F_FRAG_DROP | PX_F_PING_OPEN))
		return;
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 1, 0);
	pb_icmp(&p, 8, 0);
	expect_pkt("echo, ping open, frag drop", &p,
		   (struct want){.ret = XDP_PASS, .ping = true});
}

/* The fragment header can sit behind other extension headers. */
static void ipv6_fragment_after_other_headers(void)
{
	struct pkt p;

	if (!px_ready() || !install(PX_F_FRAG_DROP))
		return;
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 0);
	pb_ip6_opt(&p, 43, 0);
	pb_ip6_opt(&p, 44, 2);
	pb_ip6_frag(&p, 17, 0, 1);
	pb_udp(&p, 53);
	expect_pkt("hop,rtg,frag(first) udp 53", &p,
		   (struct want){.ret = XDP_PASS, .counter = UDPK(53)});
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 0);
	pb_ip6_opt(&p, 43, 0);
	pb_ip6_opt(&p, 44, 2);
	pb_ip6_frag(&p, 17, 7, 1);
	pb_udp(&p, 53);
	expect_pkt("hop,rtg,frag(later) udp", &p,
		   (struct want){.ret = XDP_DROP,
				 .fragments = true,
				 .untouched = UDPK(53)});
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 60);
	pb_ip6_opt(&p, 44, 0);
	pb_ip6_frag(&p, 6, 1, 1);
	pb_tcp(&p, 80);
	expect_pkt("dst,frag(offset 8) tcp", &p,
		   (struct want){.ret = XDP_DROP,
				 .malformed = true,
				 .untouched = TCPK(80)});
}

int main(void)
{
	px_setup();
	RUN_HOOKS(first_fragment_judged_by_ports);
	RUN_HOOKS(tiny_first_fragment_dropped);
	RUN_HOOKS(tcp_at_offset_8_dropped);
	RUN_HOOKS(later_fragments_pass_by_default);
	RUN_HOOKS(later_fragments_drop_with_frag_drop);
	RUN_HOOKS(flags_are_independent);
	RUN_HOOKS(ipv6_fragment_after_other_headers);
	px_teardown();
	return check_exit();
}
