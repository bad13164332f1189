// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Scanner bans in the programs (doc/design.md, section 10), through
 * BPF_PROG_TEST_RUN, with policies written as a user writes them and
 * installed with the CLI's installer, and manual bans made with the CLI's
 * own bans_add(): the threshold (N-1 distinct closed ports never ban, the
 * Nth bans, 2N across a window's edge always do), the window's expiry, an
 * IPv6 source's /64, `except` prefixes and zones (a nested zone's source
 * too), a ban's expiry, ICMPv6 neighbour discovery while banned, the scan
 * state full (the least recently used source is forgotten, nobody is ever
 * banned short of N), manual bans, the ban cache (an unban, a ban and a
 * ban's end each hold from the next packet, drops counted), and the
 * banning packet logged once.
 */
#include <time.h>

#include "px_prog.h"
#include "bans.h"
#include "maps_zone.h"
#include "policy.h"

static struct px_policy pol;

static int bans_fd(void)
{
	return bpf_map__fd(px.skel->maps.px_bans);
}

static int scan_fd(void)
{
	return bpf_map__fd(px.skel->maps.px_scan_map);
}

static struct px_filter filt;

/* Empty a hash map (bans, scan states) between tests. */
static void map_clear(int fd)
{
	struct px_ban_key k, next;
	bool more = !bpf_map_get_next_key(fd, NULL, &k);

	/* each key deleted once the walk has the next one: one pass (a
	 * first key looked up again each time walks the emptied buckets) */
	while (more) {
		more = !bpf_map_get_next_key(fd, &k, &next);
		bpf_map_delete_elem(fd, &k);
		k = next;
	}
	while (!bpf_map_get_next_key(fd, NULL, &k)) /* added meanwhile */
		if (bpf_map_delete_elem(fd, &k))
			break;
}

static size_t map_count(int fd)
{
	struct px_ban_key k, next, *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

/* Install a policy text with its zones, as apply does; bans and scan
 * states start empty. */
static int install_text(const char *text)
{
	map_clear(bans_fd());
	map_clear(scan_fd());
	filt = px_ban_filter();
	bans_changed(&filt); /* the map written by hand: slots stale */
	return px_install_text(text, &pol);
}

/* A packet from IPv4 198.51.100.d (or a.b.c.d) or IPv6 2001:db8:W::X. */
static void tcp4_from(struct pkt *p, __u8 a, __u8 b, __u8 c, __u8 d, __u16 port)
{
	pkt_tcp4(p, port);
	memcpy(p->b + 14 + 12, (__u8[]){a, b, c, d}, 4);
}

static void udp4_from(struct pkt *p, __u8 d, __u16 port)
{
	pkt_udp4(p, port);
	memcpy(p->b + 14 + 12, (__u8[]){198, 51, 100, d}, 4);
}

/* 2001:db8:w1:w3::last (w3: the fourth word, still in the /64). */
static void src6(struct pkt *p, __u16 w2, __u16 w3, __u16 last)
{
	__u8 *s = p->b + 14 + 8;

	memset(s, 0, 16);
	memcpy(s, (__u8[]){0x20, 0x01, 0x0d, 0xb8}, 4);
	pkt_put16(s + 4, w2);
	pkt_put16(s + 6, w3);
	pkt_put16(s + 14, last);
}

static void tcp6_from(struct pkt *p, __u16 w2, __u16 w3, __u16 last, __u16 port)
{
	pkt_tcp6(p, port);
	src6(p, w2, w3, last);
}

static bool banned4(__u8 a, __u8 b, __u8 c, __u8 d, struct px_ban *out)
{
	struct px_ban_key k = {.family = 4, .addr = {a, b, c, d}};
	struct px_ban ban;

	return !bpf_map_lookup_elem(bans_fd(), &k, out ? out : &ban);
}

/* The drops `bans` shows for 198.51.100.d's ban (the map's and the
 * cache's), or -1 when it has none. */
static long long dropped4(__u8 d)
{
	struct px_ban_key k = {.family = 4, .addr = {198, 51, 100, d}};
	struct ban_entry e = {.src = k};

	if (bpf_map_lookup_elem(bans_fd(), &k, &e.ban) ||
	    bans_cached_drops(&filt, &e, 1))
		return -1;
	return (long long)e.ban.dropped;
}

static __u64 banned_total(void)
{
	struct px_totals t = {0};

	px_totals(&t);
	return t.banned;
}

/* totals.dropped, as `stats` adds it up. */
static __u64 dropped_total(void)
{
	struct px_totals t = {0};

	px_totals(&t);
	return t.dropped;
}

/* n distinct closed TCP ports from 198.51.100.d, from port first on;
 * how many of them were dropped. */
static int scan4(__u8 d, __u16 first, int n)
{
	struct pkt p;
	int drops = 0;

	for (int i = 0; i < n; i++) {
		tcp4_from(&p, 198, 51, 100, d, (__u16)(first + i));
		drops += px_verdict(&p) == XDP_DROP;
	}
	return drops;
}

static const char rule4[] = "default closed\nopen 80\n"
			    "ban after 4 ports in 60s for 1h "
			    "except 203.0.113.0/24\n";

/* N-1 distinct ports, each many times and on TCP and UDP alike, never
 * ban; the Nth does, on that very packet, and the next packet from the
 * source, to an open port, is dropped. */
static void threshold(void)
{
	struct px_ban b = {0};
	struct pkt p;
	__u64 t0, d0;

	if (!px_ready() || !ASSERT_OK(install_text(rule4), "install"))
		return;
	for (int round = 0; round < 3; round++) {
		scan4(10, 1001, 3);
		for (int i = 0; i < 3; i++) {
			udp4_from(&p, 10, (__u16)(1001 + i));
			DROPS(&p, "udp to a closed port");
		}
	}
	tcp4_from(&p, 198, 51, 100, 10, 80);
	PASSES(&p, "N-1 distinct ports (53/tcp and 53/udp count once): "
		   "not banned");
	ASSERT_TRUE(!banned4(198, 51, 100, 10, NULL), "no ban yet");
	t0 = banned_total();
	tcp4_from(&p, 198, 51, 100, 10, 1004);
	DROPS(&p, "the Nth distinct closed port");
	ASSERT_TRUE(banned4(198, 51, 100, 10, &b), "banned by the Nth");
	ASSERT_EQ(b.reason, PX_BAN_SCAN, "reason scan");
	ASSERT_EQ(b.ports, 4, "ports counted");
	ASSERT_EQ(banned_total(), t0,
		  "the banning packet is a closed-port "
		  "drop, not a banned one");
	tcp4_from(&p, 198, 51, 100, 10, 80);
	d0 = dropped_total();
	DROPS(&p, "the very next packet, to an open port");
	ASSERT_EQ(banned_total(), t0 + 1, "totals.banned");
	ASSERT_EQ(dropped_total(), d0 + 1, "totals.dropped, the ban's drop");
	pkt_udp4(&p, 53);
	memcpy(p.b + 14 + 12, (__u8[]){198, 51, 100, 10}, 4);
	DROPS(&p, "udp from the banned source");
	tcp4_from(&p, 198, 51, 100, 11, 80);
	PASSES(&p, "another source still passes");
	/* 2N distinct ports in one go: banned at the Nth, the rest dropped
	 * as banned */
	ASSERT_EQ(scan4(12, 2000, 8), 8, "2N ports all dropped");
	ASSERT_TRUE(banned4(198, 51, 100, 12, &b), "2N bans");
	ASSERT_EQ(dropped4(12), 4, "the ban's drops: the N after the Nth");
	/* an open port never counts */
	for (int i = 0; i < 10; i++) {
		tcp4_from(&p, 198, 51, 100, 13, 80);
		PASSES(&p, "open port");
	}
	ASSERT_TRUE(!banned4(198, 51, 100, 13, NULL), "open ports: no ban");
}

/* Nanoseconds of CLOCK_MONOTONIC (bpf_ktime_get_ns's clock). */
static __u64 mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Sleep until CLOCK_MONOTONIC reads at least t ns. */
static void sleep_until(__u64 t)
{
	struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ULL),
			      .tv_nsec = (long)(t % 1000000000ULL)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

/* Wait until the second (a 1 s window) is at least frac ns old. */
static void wait_into_second(__u64 frac)
{
	__u64 now = mono(), s = now / 1000000000ULL * 1000000000ULL;

	if (now - s < frac)
		sleep_until(s + frac);
}

static void wait_next_second(void)
{
	sleep_until((mono() / 1000000000ULL + 1) * 1000000000ULL);
}

/*
 * Windows of 1 s aligned on the clock. Near a window's end, two sources
 * hit N-1 ports each; then, in the next window, one hits N-1 more: never
 * banned, the count started again. The other hits N+1 more, so 2N
 * distinct ports within SECS across the edge: banned.
 */
static void window(void)
{
	static const char r[] = "default closed\nopen 80\n"
				"ban after 3 ports in 1s for 1h "
				"except 203.0.113.0/24\n";
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	wait_into_second(900000000ULL);
	scan4(20, 3001, 2);
	scan4(21, 4001, 2);
	wait_next_second();
	scan4(20, 3003, 2);
	tcp4_from(&p, 198, 51, 100, 20, 80);
	PASSES(&p, "N-1 in each of two windows: not banned");
	scan4(21, 4003, 4);
	tcp4_from(&p, 198, 51, 100, 21, 80);
	DROPS(&p, "2N within SECS across an edge: banned");
	scan4(20, 3005, 1);
	tcp4_from(&p, 198, 51, 100, 20, 80);
	DROPS(&p, "the Nth in one window bans");
}

/* An IPv6 source is its /64: three addresses of one /64, a port each,
 * ban the /64; the next /64 still passes. */
static void ipv6_slash64(void)
{
	static const char r[] = "default closed\nopen 80\n"
				"ban after 3 ports in 60s for 1h "
				"except 203.0.113.0/24\n";
	struct px_ban_key k = {.family = 6,
			       .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2}};
	struct px_ban b;
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	tcp6_from(&p, 1, 2, 0xa, 5001);
	DROPS(&p, "port 1 from ::a");
	tcp6_from(&p, 1, 2, 0xb, 5002);
	DROPS(&p, "port 2 from ::b");
	tcp6_from(&p, 1, 2, 0xc, 80);
	PASSES(&p, "2 ports from the /64: not banned");
	tcp6_from(&p, 1, 2, 0xc, 5003);
	DROPS(&p, "port 3 from ::c");
	ASSERT_OK(bpf_map_lookup_elem(bans_fd(), &k, &b),
		  "2001:db8:1:2::/64 banned");
	tcp6_from(&p, 1, 2, 0xffff, 80);
	DROPS(&p, "another address of the banned /64");
	tcp6_from(&p, 1, 3, 0xa, 80);
	PASSES(&p, "the next /64");
	tcp4_from(&p, 198, 51, 100, 30, 80);
	PASSES(&p, "IPv4 unaffected");
}

/* fe80::ID, a link-local source: every host of the link is in fe80::/64 */
static void tcp_ll_from(struct pkt *p, __u8 id, __u16 port)
{
	pkt_tcp6(p, port);
	memset(p->b + 14 + 8, 0, 16);
	p->b[14 + 8] = 0xfe;
	p->b[14 + 9] = 0x80;
	p->b[14 + 8 + 15] = id;
}

/*
 * A link-local source is counted and banned per address, not per /64
 * (the /64 is the whole link): two addresses at N-1 ports each ban
 * nobody; the Nth port of one bans it alone, keyed by its interface ID;
 * a ban by hand of fe80::c (bans_add, as `portxdp ban` stores it) drops
 * it and no neighbour; a /64 except of fe80:: keeps the link uncounted.
 */
static void link_local(void)
{
	static const char r[] = "default closed\nopen 80\n"
				"ban after 3 ports in 60s for 1h "
				"except 203.0.113.0/24\n";
	struct px_ban_key k = {.family = PX_BAN_LINK_LOCAL,
			       .addr = {0, 0, 0, 0, 0, 0, 0, 0xa}};
	struct px_ban_key kc = {.family = PX_BAN_LINK_LOCAL,
				.addr = {0, 0, 0, 0, 0, 0, 0, 0xc}};
	struct px_ban b;
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	tcp_ll_from(&p, 0xa, 5001);
	DROPS(&p, "port 1 from fe80::a");
	tcp_ll_from(&p, 0xa, 5002);
	DROPS(&p, "port 2 from fe80::a");
	tcp_ll_from(&p, 0xb, 5003);
	DROPS(&p, "port 3, from fe80::b");
	tcp_ll_from(&p, 0xa, 80);
	PASSES(&p, "3 ports from the link, 2 per address: nobody banned");
	tcp_ll_from(&p, 0xa, 5004);
	DROPS(&p, "port 3 from fe80::a");
	ASSERT_OK(bpf_map_lookup_elem(bans_fd(), &k, &b),
		  "fe80::a banned as its own address");
	ASSERT_EQ(map_count(bans_fd()), 1, "one ban, not the link's /64");
	tcp_ll_from(&p, 0xa, 80);
	DROPS(&p, "fe80::a banned");
	tcp_ll_from(&p, 0xb, 80);
	PASSES(&p, "fe80::b, on the same link, passes");
	ASSERT_OK(bans_add(&filt, &kc, 60, PX_BAN_MANUAL), "ban fe80::c");
	tcp_ll_from(&p, 0xc, 80);
	DROPS(&p, "fe80::c banned by hand");
	tcp_ll_from(&p, 0xd, 80);
	PASSES(&p, "fe80::d passes");
	ASSERT_OK(install_text("default closed\nopen 80\nban after 1 ports "
			       "in 60s for 1h except fe80::/64\n"),
		  "install except fe80::/64");
	tcp_ll_from(&p, 0xe, 5001);
	DROPS(&p, "a closed port from fe80::e");
	tcp_ll_from(&p, 0xe, 80);
	PASSES(&p, "except fe80::/64: the link is never counted");
}

/* `except` prefixes: 2N ports from inside never ban; an IPv6 prefix
 * longer than /64 excepts its /64. */
static void except_prefix(void)
{
	static const char r[] = "default closed\nopen 80\n"
				"ban after 2 ports in 60s for 1h "
				"except 198.51.100.0/28 2001:db8:1:2::5/128\n";
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	scan4(5, 6000, 8);
	tcp4_from(&p, 198, 51, 100, 5, 80);
	PASSES(&p, "198.51.100.5 in the except prefix: never banned");
	for (int i = 0; i < 4; i++) {
		tcp6_from(&p, 1, 2, 0x77, (__u16)(6000 + i));
		DROPS(&p, "closed port from the excepted /64");
	}
	tcp6_from(&p, 1, 2, 0x77, 80);
	PASSES(&p, "an address of the excepted /128's /64: not banned");
	scan4(16, 6000, 2);
	tcp4_from(&p, 198, 51, 100, 16, 80);
	DROPS(&p, "198.51.100.16, outside the /28: banned");
	ASSERT_EQ(map_count(bans_fd()), 1, "one ban");
}

/*
 * `except ZONE`: the zone's sources are never banned, also one whose
 * longest prefix is another zone's (a `from` line's bare /32 inside it),
 * IPv4 and IPv6; a zone named only by the ban rule; sources outside are
 * banned.
 */
static void except_zone(void)
{
	static const char r[] =
		"default closed\nopen 80\n"
		"zone office 198.51.100.0/25 2001:db8:5::/48\n"
		"zone lab 198.51.100.64/26\n"
		"open 22 from lab\n"
		"close 80 from 198.51.100.77\n"
		"ban after 2 ports in 60s for 1h except office\n";
	static const char only[] = "default closed\nopen 80\n"
				   "zone admins 198.51.100.128/25\n"
				   "ban after 2 ports in 60s for 1h "
				   "except admins\n";
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	ASSERT_EQ(pol.ban.nzones, 1, "one zone in except");
	scan4(5, 7000, 6);
	tcp4_from(&p, 198, 51, 100, 5, 80);
	PASSES(&p, "office: never banned");
	scan4(70, 7000, 6);
	tcp4_from(&p, 198, 51, 100, 70, 22);
	PASSES(&p, "lab, nested in office: never banned");
	scan4(77, 7000, 6);
	tcp4_from(&p, 198, 51, 100, 77, 22);
	DROPS(&p, "198.51.100.77 closes 22 (its lab zone's ssh aside)");
	ASSERT_TRUE(!banned4(198, 51, 100, 77, NULL),
		    "198.51.100.77, a zone of its own inside office: not "
		    "banned");
	for (int i = 0; i < 6; i++) {
		tcp6_from(&p, 5, 1, 9, (__u16)(7000 + i));
		DROPS(&p, "v6 closed port from office");
	}
	tcp6_from(&p, 5, 1, 9, 80);
	PASSES(&p, "office v6: never banned");
	scan4(200, 7000, 2);
	tcp4_from(&p, 198, 51, 100, 200, 80);
	DROPS(&p, "198.51.100.200, outside office: banned");
	for (int i = 0; i < 2; i++) {
		tcp6_from(&p, 6, 1, 9, (__u16)(7000 + i));
		px_verdict(&p);
	}
	tcp6_from(&p, 6, 1, 9, 80);
	DROPS(&p, "v6 outside office: banned");

	/* a zone only the ban rule names: the tries are there all the same */
	if (!ASSERT_OK(install_text(only), "install a zone for except only"))
		return;
	ASSERT_TRUE(!(pol.flags & (PX_F_ZONES | PX_F_BLOCK)),
		    "no verdict depends on the zone");
	scan4(130, 7000, 6);
	tcp4_from(&p, 198, 51, 100, 130, 80);
	PASSES(&p, "admins: never banned");
	scan4(20, 7000, 2);
	tcp4_from(&p, 198, 51, 100, 20, 80);
	DROPS(&p, "outside admins: banned");
}

/* A ban of DURATION 1s ends by itself: the next packet after it passes
 * and the program deletes the ban. */
static void ban_expires(void)
{
	static const char r[] = "default closed\nopen 80\n"
				"ban after 2 ports in 60s for 1s "
				"except 203.0.113.0/24\n";
	struct timespec nap = {1, 100000000};
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	scan4(40, 8000, 2);
	tcp4_from(&p, 198, 51, 100, 40, 80);
	DROPS(&p, "banned");
	nanosleep(&nap, NULL);
	tcp4_from(&p, 198, 51, 100, 40, 80);
	PASSES(&p, "1.1 s later: the ban is over");
	ASSERT_TRUE(!banned4(198, 51, 100, 40, NULL),
		    "the program deleted the ended ban");
	scan4(40, 8100, 1);
	tcp4_from(&p, 198, 51, 100, 40, 80);
	PASSES(&p, "a new count began at the ban: 1 port is not 2");
}

/* Neighbour discovery's hop limit (RFC 4861), in the IPv6 header p holds
 * after its Ethernet header. */
static void hop_limit(struct pkt *p, __u8 hops)
{
	p->b[14 + 7] = hops;
}

/* A banned IPv6 /64 keeps neighbour discovery (133-137, hop limit 255),
 * nothing else; a hop limit other than 255 is dropped whatever follows. */
static void nd_while_banned(void)
{
	static const char r[] = "default closed\nopen 80\nopen ping\n"
				"ban after 1 ports in 60s for 1h "
				"except 203.0.113.0/24\n";
	struct pkt p;
	__u64 t0;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	tcp6_from(&p, 9, 9, 1, 9999);
	DROPS(&p, "the one port that bans");
	for (__u8 t = 133; t <= 137; t++) {
		pb_eth(&p, 0x86dd);
		pb_ip6(&p, 58);
		pb_icmp(&p, t, 0);
		src6(&p, 9, 9, 1);
		hop_limit(&p, 255);
		PASSES(&p, "neighbour discovery from a banned source");
		hop_limit(&p, 64);
		DROPS(&p, "neighbour discovery's type with hop limit 64");
	}
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 58);
	pb_icmp(&p, 128, 0);
	src6(&p, 9, 9, 1);
	DROPS(&p, "echo request from a banned source (ping is open)");
	hop_limit(&p, 255);
	DROPS(&p, "echo request with hop limit 255");
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 0); /* hop-by-hop, then ICMPv6 ND: still ND */
	pb_ip6_opt(&p, 58, 0);
	pb_icmp(&p, 135, 0);
	src6(&p, 9, 9, 1);
	hop_limit(&p, 255);
	PASSES(&p, "ND behind a hop-by-hop header");
	/* a chain cut short: with hop limit 255 the classifier reads it and
	 * finds it malformed; with any other the ban drops it unread */
	p.len -= 8 + 2;
	t0 = banned_total();
	DROPS(&p, "a cut-short chain, hop limit 255");
	ASSERT_EQ(banned_total(), t0, "malformed, not banned");
	hop_limit(&p, 64);
	DROPS(&p, "a cut-short chain, hop limit 64");
	ASSERT_EQ(banned_total(), t0 + 1, "banned, unread");
	tcp6_from(&p, 9, 9, 1, 80);
	DROPS(&p, "tcp to an open port from a banned source");
}

/*
 * The scan state full: 16384 sources at most, the least recently used
 * forgotten first. Twice as many sources as it holds, each at N-1
 * distinct ports: nobody is banned (never an overcount). The first source
 * was forgotten (its Nth port now is its first: an undercount); the last
 * one was not, and its Nth port bans it.
 */
static void scan_table_full(void)
{
	static const char r[] = "default closed\nopen 80\n"
				"ban after 3 ports in 60s for 1h "
				"except 203.0.113.0/24\n";
	struct pkt p;
	unsigned int n = 2 * PX_SCAN_SOURCES;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	for (unsigned int i = 0; i < n; i++) {
		__u8 a = (__u8)(10 + i / 65536), b = (__u8)(i / 256 % 256),
		     c = (__u8)(i % 256);

		for (__u16 port = 9001; port <= 9002; port++) {
			tcp4_from(&p, a, b, c, 1, port);
			px_verdict(&p);
		}
	}
	ASSERT_EQ(map_count(bans_fd()), 0, "N-1 ports each: no ban at all");
	ASSERT_TRUE(map_count(scan_fd()) <= PX_SCAN_SOURCES,
		    "at most PX_SCAN_SOURCES states");
	/* The last source first: the first one's state, made anew below,
	 * may take any state the LRU chooses (on another CPU's list, the
	 * last one's too), and the last one's ban frees a slot for it. */
	tcp4_from(&p, (__u8)(10 + (n - 1) / 65536), (__u8)((n - 1) / 256 % 256),
		  (__u8)((n - 1) % 256), 1, 9003);
	DROPS(&p, "the last source's third port");
	tcp4_from(&p, (__u8)(10 + (n - 1) / 65536), (__u8)((n - 1) / 256 % 256),
		  (__u8)((n - 1) % 256), 1, 80);
	DROPS(&p, "the last source, used recently, was kept: banned");
	tcp4_from(&p, 10, 0, 0, 1, 9003);
	DROPS(&p, "the first source's third port");
	tcp4_from(&p, 10, 0, 0, 1, 80);
	PASSES(&p, "the first source, least recently used, was forgotten");
}

/*
 * The ban table full: PX_BANS_MAX bans in force hold; one more by hand has
 * no room (bans_room, `ban`'s refusal), a source banned already has; and
 * a scan ban still goes in, pushing out the least recently used one.
 */
static void ban_table_full(void)
{
	static const char r[] = "default closed\nopen 80\n"
				"ban after 1 ports in 60s for 1h "
				"except 203.0.113.0/24\n";
	struct px_ban_key k = {.family = 4},
			  fresh = {.family = 4, .addr = {10, 2, 0, 1}};
	size_t in_force = 0;
	struct pkt p;
	int err = 0;

	if (!px_ready() || !ASSERT_OK(install_text(r), "install"))
		return;
	for (unsigned int i = 0; i < PX_BANS_MAX && !err; i++) {
		memcpy(k.addr, (__u8[]){10, 1, (__u8)(i >> 8), (__u8)i}, 4);
		err = bans_add(&filt, &k, 3600, PX_BAN_MANUAL);
	}
	ASSERT_OK(err, "PX_BANS_MAX bans by hand");
	ASSERT_EQ(map_count(bans_fd()), PX_BANS_MAX, "all of them held");
	ASSERT_EQ(bans_room(bans_fd(), &fresh, 1, &in_force), -ENOSPC,
		  "no room for one more");
	ASSERT_EQ(in_force, PX_BANS_MAX, "in force");
	ASSERT_OK(bans_room(bans_fd(), &k, 1, &in_force),
		  "a source banned already takes no room");
	tcp4_from(&p, 198, 51, 100, 77, 9999);
	DROPS(&p, "the closed port that bans");
	tcp4_from(&p, 198, 51, 100, 77, 80);
	DROPS(&p, "the scan ban went in, table full or not");
	ASSERT_EQ(map_count(bans_fd()), PX_BANS_MAX + 1,
		  "the rule's bans have room past the limit (PX_BANS_SIZE)");
}

/*
 * Manual bans (bans_add, as `portxdp ban` does) with no ban rule: PX_F_BANS
 * set for them, every packet dropped and counted on the ban; lifted,
 * passing again; an `except` source banned by hand is banned.
 */
static void manual(void)
{
	struct px_ban_key k = {.family = 4, .addr = {198, 51, 100, 50}};
	struct px_ban_key k6 = {.family = 6,
				.addr = {0x20, 0x01, 0x0d, 0xb8, 0, 7, 0, 7}};
	struct px_ban b = {0};
	struct pkt p;

	if (!px_ready() ||
	    !ASSERT_OK(install_text("default closed\nopen 80\n"), "install"))
		return;
	ASSERT_OK(bans_add(&filt, &k, 60, PX_BAN_MANUAL), "ban");
	ASSERT_OK(bans_add(&filt, &k6, 60, PX_BAN_MANUAL), "ban v6");
	tcp4_from(&p, 198, 51, 100, 50, 80);
	PASSES(&p, "policy without PX_F_BANS: the ban is not looked at");
	pol.flags |= PX_F_BANS; /* as bans_sync_live() sets it */
	if (!INSTALL(&pol))
		return;
	DROPS(&p, "banned by hand");
	DROPS(&p, "banned by hand, again");
	tcp6_from(&p, 7, 7, 0x1234, 80);
	DROPS(&p, "an address of the /64 banned by hand");
	ASSERT_OK(bpf_map_lookup_elem(bans_fd(), &k, &b), "read the ban");
	ASSERT_EQ(dropped4(50), 2, "the ban's dropped");
	ASSERT_EQ(b.reason, PX_BAN_MANUAL, "reason manual");
	tcp4_from(&p, 198, 51, 100, 51, 80);
	PASSES(&p, "its neighbour");
	ASSERT_OK(bans_lift(&filt, &k), "unban");
	tcp4_from(&p, 198, 51, 100, 50, 80);
	PASSES(&p, "lifted");
	ASSERT_EQ(bans_lift(&filt, &k), -ENOENT, "unban again: none");
	/* a ban by hand of a source the rule excepts is a ban */
	if (!ASSERT_OK(install_text("default closed\nopen 80\n"
				    "zone office 198.51.100.0/24\n"
				    "ban after 2 ports in 60s for 1h "
				    "except office\n"),
		       "install"))
		return;
	ASSERT_OK(bans_add(&filt, &k, 60, PX_BAN_MANUAL), "ban");
	tcp4_from(&p, 198, 51, 100, 50, 80);
	DROPS(&p, "an excepted source banned by hand");
}

/*
 * The ban cache (include/portxdp.h): a source's slot answers after its
 * first packet, banned or not, yet every change holds from the next
 * packet: an unban (and a ban of a source whose slot said "not banned"),
 * a ban's end, and `bans` counts every drop the slots made.
 */
static void cached(void)
{
	struct px_ban_key k = {.family = 4, .addr = {198, 51, 100, 90}};
	struct timespec nap = {1, 100000000};
	struct pkt p;

	if (!px_ready() ||
	    !ASSERT_OK(install_text("default closed\nopen 80\n"), "install"))
		return;
	pol.flags |= PX_F_BANS; /* as bans_sync_live() sets it */
	if (!INSTALL(&pol))
		return;
	tcp4_from(&p, 198, 51, 100, 90, 80);
	for (int i = 0; i < 3; i++)
		PASSES(&p, "not banned, the slot says so after the first");
	ASSERT_OK(bans_add(&filt, &k, 60, PX_BAN_MANUAL), "ban");
	DROPS(&p, "banned: the next packet, its slot stale");
	for (int i = 0; i < 9; i++)
		DROPS(&p, "banned, from the slot");
	ASSERT_EQ(dropped4(90), 10, "bans counts the slot's drops");
	ASSERT_OK(bans_lift(&filt, &k), "unban");
	PASSES(&p, "unbanned: the very next packet passes");
	PASSES(&p, "and the next");
	ASSERT_OK(bans_add(&filt, &k, 1, PX_BAN_MANUAL), "ban for 1 s");
	for (int i = 0; i < 5; i++)
		DROPS(&p, "banned for 1 s");
	nanosleep(&nap, NULL);
	PASSES(&p, "1.1 s later, the slot said banned: the ban is over");
	ASSERT_TRUE(!banned4(198, 51, 100, 90, NULL),
		    "the program deleted the ended ban");
}

/* The drop log's events, counted by reason. */
static int ev_count[16];

static int on_event(void *ctx, void *data, size_t size)
{
	const struct px_event *e = data;

	(void)ctx;
	if (size >= sizeof(*e) && e->reason < 16)
		ev_count[e->reason]++;
	return 0;
}

/* With a log reader on, the N-1 closed-port drops are logged as such, the
 * Nth as the ban's start, once, and the next as banned. */
static void logged_once(void)
{
	struct px_log_ctl *l = &px.skel->data_px_log->px_log;
	struct ring_buffer *rb;
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text(rule4), "install"))
		return;
	rb = ring_buffer__new(bpf_map__fd(px.skel->maps.px_events), on_event,
			      NULL, NULL);
	if (!ASSERT_TRUE(rb, "ring buffer"))
		return;
	ring_buffer__consume(rb);
	memset(ev_count, 0, sizeof(ev_count));
	l->rate = 1000;
	l->lease_ns = mono() + 60 * 1000000000ULL;
	__atomic_store_n(&l->on, 1, __ATOMIC_RELEASE);
	scan4(60, 1001, 4);
	tcp4_from(&p, 198, 51, 100, 60, 80);
	DROPS(&p, "banned");
	__atomic_store_n(&l->on, 0, __ATOMIC_RELEASE);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	ASSERT_EQ(ev_count[PX_DROP_CLOSED_PORT], 3, "closed-port events");
	ASSERT_EQ(ev_count[PX_DROP_BAN_SCAN], 1, "the banning packet, once");
	ASSERT_EQ(ev_count[PX_DROP_BANNED], 1, "banned events");
}

int main(void)
{
	px_setup();
	RUN_HOOKS(threshold);
	RUN_HOOKS(window);
	RUN_HOOKS(ipv6_slash64);
	RUN_HOOKS(link_local);
	RUN_HOOKS(except_prefix);
	RUN_HOOKS(except_zone);
	RUN_HOOKS(ban_expires);
	RUN_HOOKS(nd_while_banned);
	RUN_HOOKS(scan_table_full);
	RUN_HOOKS(ban_table_full);
	RUN_HOOKS(manual);
	RUN_HOOKS(cached);
	RUN_HOOKS(logged_once);
	px_teardown();
	return check_exit();
}
