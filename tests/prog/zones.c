// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Zones in the XDP program (doc/design.md, section 8), policies written as
 * a user writes them and installed with the CLI's installer: the longest
 * prefix picks the zone (nested prefixes, IPv4 and IPv6), a zone's from
 * lines override the base, ping by zone, `block` drops everything from
 * its sources but ICMPv6 neighbour discovery and counts totals.blocked,
 * and swaps between two zone layouts take effect whole.
 */
#include "px_prog.h"
#include "maps_zone.h"
#include "policy.h"

static struct px_policy pol;

static int install_text(const char *text)
{
	return px_install_text(text, &pol);
}

/* The packet's source: IPv4 a.b.c.d, or IPv6 2001:db8::X. */
static void src4(struct pkt *p, __u8 a, __u8 b, __u8 c, __u8 d)
{
	memcpy(p->b + 14 + 12, (__u8[]){a, b, c, d}, 4);
}

static void src6(struct pkt *p, __u16 w2, __u8 last)
{
	memset(p->b + 14 + 8, 0, 16);
	memcpy(p->b + 14 + 8, (__u8[]){0x20, 0x01, 0x0d, 0xb8}, 4);
	p->b[14 + 8 + 4] = w2 >> 8;
	p->b[14 + 8 + 5] = w2 & 0xff;
	p->b[14 + 8 + 15] = last;
}

static const char nested[] = "default closed\n"
			     "open 80\n"
			     "zone office 198.51.100.0/24 2001:db8:5::/48\n"
			     "zone lab 198.51.100.128/25 2001:db8:5:1::/64\n"
			     "open 22 from office\n"
			     "close 80 from lab\n"
			     "open 5432 from 198.51.100.77\n";

static void longest_prefix_wins_v4(void)
{
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(nested), "install"))
		return;
	pkt_tcp4(&p, 22);
	src4(&p, 198, 51, 100, 5);
	PASSES(&p, "ssh from office");
	src4(&p, 198, 51, 100, 200);
	DROPS(&p, "ssh from lab (nested: inherits nothing from office)");
	src4(&p, 203, 0, 113, 1);
	DROPS(&p, "ssh from no zone: the base");
	pkt_tcp4(&p, 80);
	src4(&p, 198, 51, 100, 200);
	DROPS(&p, "http from lab: its close");
	src4(&p, 198, 51, 100, 5);
	PASSES(&p, "http from office: the base");
	pkt_tcp4(&p, 5432);
	src4(&p, 198, 51, 100, 77);
	PASSES(&p, "5432 from the bare /32 inside office");
	src4(&p, 198, 51, 100, 78);
	DROPS(&p, "5432 from office");
}

static void longest_prefix_wins_v6(void)
{
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(nested), "install"))
		return;
	pkt_tcp6(&p, 22);
	src6(&p, 5, 9);
	PASSES(&p, "ssh from office v6");
	src6(&p, 6, 9);
	DROPS(&p, "ssh from outside");
	pkt_tcp6(&p, 80);
	src6(&p, 5, 9);
	PASSES(&p, "http from office v6");
	p.b[14 + 8 + 7] = 1; /* 2001:db8:5:1::/64 */
	DROPS(&p, "http from lab v6 (the /64 in the /48)");
}

static void ping_by_zone(void)
{
	struct pkt p;

	if (!px_ready() ||
	    !ASSERT_OK(install_text("default closed\nzone lan 198.51.100.0/24\n"
				    "open ping from lan\n"),
		       "install"))
		return;
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 1, 0);
	pb_icmp(&p, 8, 0);
	src4(&p, 198, 51, 100, 3);
	PASSES(&p, "ping from lan");
	src4(&p, 203, 0, 113, 3);
	DROPS(&p, "ping from elsewhere");
}

static void block_drops_all_but_nd(void)
{
	struct px_totals t0, t1;
	struct pkt p;

	if (!px_ready() ||
	    !ASSERT_OK(install_text("default open\n"
				    "block 198.51.100.9 2001:db8:9::/48\n"),
		       "install"))
		return;
	px_totals(&t0);
	pkt_tcp4(&p, 80);
	src4(&p, 198, 51, 100, 9);
	DROPS(&p, "tcp from a blocked source");
	src4(&p, 198, 51, 100, 10);
	PASSES(&p, "tcp from its neighbour");
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 47, 0); /* GRE */
	src4(&p, 198, 51, 100, 9);
	DROPS(&p, "another protocol from a blocked source");
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 58);
	pb_icmp(&p, 135, 0); /* neighbour solicitation */
	src6(&p, 9, 1);
	PASSES(&p, "ICMPv6 neighbour solicitation from a blocked source");
	p.b[14 + 40] = 128; /* echo request */
	DROPS(&p, "ICMPv6 echo from a blocked source");
	px_totals(&t1);
	ASSERT_EQ(t1.blocked - t0.blocked, 3, "totals.blocked");
}

/* Two layouts, swapped back and forth: each packet sees one whole. */
static void swaps_between_layouts(void)
{
	static const char a[] = "default closed\nzone x 198.51.100.0/24\n"
				"open 22 from x\n";
	static const char b[] = "default closed\nzone y 198.51.100.128/25\n"
				"zone x 198.51.100.0/25\nopen 23 from x y\n";
	struct pkt p;

	if (!px_ready())
		return;
	for (int i = 0; i < 6; i++) {
		if (!ASSERT_OK(install_text(i % 2 ? b : a), "install"))
			return;
		pkt_tcp4(&p, 22);
		src4(&p, 198, 51, 100, 200);
		ASSERT_EQ(px_verdict(&p), i % 2 ? XDP_DROP : XDP_PASS, "22");
		pkt_tcp4(&p, 23);
		src4(&p, 198, 51, 100, 200);
		ASSERT_EQ(px_verdict(&p), i % 2 ? XDP_PASS : XDP_DROP, "23");
	}
	/* and back to a policy without zones */
	ASSERT_OK(install_text("default closed\nopen 22\n"), "plain");
	pkt_tcp4(&p, 23);
	src4(&p, 198, 51, 100, 200);
	DROPS(&p, "23 with no zones");
}

int main(void)
{
	px_setup();
	RUN_HOOKS(longest_prefix_wins_v4);
	RUN_HOOKS(longest_prefix_wins_v6);
	RUN_HOOKS(ping_by_zone);
	RUN_HOOKS(block_drops_all_but_nd);
	RUN_HOOKS(swaps_between_layouts);
	px_teardown();
	return check_exit();
}
