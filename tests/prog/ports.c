// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Port verdicts of the XDP program (doc/design.md, section 5): TCP and UDP to a
 * closed port drop, to an open one pass, port 0 always drops, ports are
 * compared in host order, each protocol has its own bitmap, and each verdict
 * moves the right per-port counter. Boundary ports sit on both sides of every
 * 64-bit word edge of the bitmap, each tested open and closed, over IPv4 and
 * IPv6.
 */
#include "px_prog.h"

static const __u16 boundary[] = {1, 63, 64, 127, 128, 1023, 1024, 65535};
/* Neighbours of the boundary ports that are not boundary ports themselves. */
static const __u16 neighbour[] = {2, 62, 65, 126, 129, 1022, 1025, 65534};
#define NB (sizeof(boundary) / sizeof(boundary[0]))

static struct px_policy pol;

typedef void (*build_fn)(struct pkt *, __u16);

/*
 * With only the boundary ports open (open == true) or everything but them
 * open, each boundary port gets the matching verdict and its neighbours the
 * other one, counted on (proto, port).
 */
static void check_boundaries(int proto, bool open, build_fn v4, build_fn v6)
{
	struct pkt p;
	char what[64];

	pol_init(&pol, !open, 0);
	for (size_t i = 0; i < NB; i++)
		pol_set(&pol, proto, boundary[i], open);
	pol_set(&pol, proto, 0, open);
	if (!INSTALL(&pol))
		return;

	for (int fam = 0; fam < 2; fam++) {
		build_fn build = fam ? v6 : v4;

		for (size_t i = 0; i < NB; i++) {
			__u16 port = boundary[i];
			__u32 key = 1 + proto * PX_PORTS + port;

			build(&p, port);
			snprintf(what, sizeof(what), "%s port %u",
				 fam ? "v6" : "v4", port);
			expect_pkt(
				what, &p,
				(struct want){.ret = open ? XDP_PASS : XDP_DROP,
					      .counter = key});

			port = neighbour[i];
			key = 1 + proto * PX_PORTS + port;
			build(&p, port);
			snprintf(what, sizeof(what), "%s neighbour %u",
				 fam ? "v6" : "v4", port);
			expect_pkt(
				what, &p,
				(struct want){.ret = open ? XDP_DROP : XDP_PASS,
					      .counter = key});
		}
		/* Port 0 drops whether its bit is set or not. */
		build(&p, 0);
		snprintf(what, sizeof(what), "%s port 0", fam ? "v6" : "v4");
		expect_pkt(what, &p,
			   (struct want){.ret = XDP_DROP,
					 .counter = 1 + proto * PX_PORTS});
	}
}

static void tcp_boundary_ports_open(void)
{
	if (!px_ready())
		return;
	check_boundaries(PX_TCP, true, pkt_tcp4, pkt_tcp6);
}

static void tcp_boundary_ports_closed(void)
{
	if (!px_ready())
		return;
	check_boundaries(PX_TCP, false, pkt_tcp4, pkt_tcp6);
}

static void udp_boundary_ports_open(void)
{
	if (!px_ready())
		return;
	check_boundaries(PX_UDP, true, pkt_udp4, pkt_udp6);
}

static void udp_boundary_ports_closed(void)
{
	if (!px_ready())
		return;
	check_boundaries(PX_UDP, false, pkt_udp4, pkt_udp6);
}

/* Port 0 is invalid: dropped and counted even when every port is open. */
static void port0_drops_when_all_open(void)
{
	struct pkt p;

	if (!px_ready())
		return;
	pol_init(&pol, true, PX_F_PING_OPEN);
	if (!INSTALL(&pol))
		return;
	pkt_tcp4(&p, 0);
	expect_pkt("tcp4 port 0", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(0)});
	pkt_udp4(&p, 0);
	expect_pkt("udp4 port 0", &p,
		   (struct want){.ret = XDP_DROP, .counter = UDPK(0)});
	pkt_tcp6(&p, 0);
	expect_pkt("tcp6 port 0", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(0)});
	pkt_udp6(&p, 0);
	expect_pkt("udp6 port 0", &p,
		   (struct want){.ret = XDP_DROP, .counter = UDPK(0)});
}

/* 22 is 0x0016; read in network order it would be 0x1600 = 5632. */
static void ports_in_host_order(void)
{
	struct pkt p;

	if (!px_ready())
		return;
	pol_init(&pol, false, 0);
	pol_set(&pol, PX_TCP, 22, true);
	if (!INSTALL(&pol))
		return;
	pkt_tcp4(&p, 22);
	expect_pkt("tcp 22 open", &p,
		   (struct want){.ret = XDP_PASS,
				 .counter = TCPK(22),
				 .untouched = TCPK(5632)});
	pkt_tcp4(&p, 5632);
	expect_pkt("tcp 5632 closed", &p,
		   (struct want){.ret = XDP_DROP,
				 .counter = TCPK(5632),
				 .untouched = TCPK(22)});
}

/* 53/udp open says nothing about 53/tcp, and the counters are separate. */
static void protocols_have_own_bitmaps(void)
{
	struct pkt p;

	if (!px_ready())
		return;
	pol_init(&pol, false, 0);
	pol_set(&pol, PX_UDP, 53, true);
	if (!INSTALL(&pol))
		return;
	pkt_udp4(&p, 53);
	expect_pkt("udp 53 open", &p,
		   (struct want){.ret = XDP_PASS,
				 .counter = UDPK(53),
				 .untouched = TCPK(53)});
	pkt_tcp4(&p, 53);
	expect_pkt("tcp 53 closed", &p,
		   (struct want){.ret = XDP_DROP,
				 .counter = TCPK(53),
				 .untouched = UDPK(53)});
}

/* Options do not change the port the program reads. */
static void tcp_with_options_judged_by_port(void)
{
	struct pkt p;

	if (!px_ready())
		return;
	pol_init(&pol, false, 0);
	pol_set(&pol, PX_TCP, 443, true);
	if (!INSTALL(&pol))
		return;
	pkt_tcp4(&p, 443);
	p.b[14 + 20 + 12] = 8 << 4; /* doff 8: 12 bytes of options */
	pb_bytes(&p, 12, 1);
	expect_pkt("tcp doff 8 to 443", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(443)});
}

int main(void)
{
	px_setup();
	RUN_HOOKS(tcp_boundary_ports_open);
	RUN_HOOKS(tcp_boundary_ports_closed);
	RUN_HOOKS(udp_boundary_ports_open);
	RUN_HOOKS(udp_boundary_ports_closed);
	RUN_HOOKS(port0_drops_when_all_open);
	RUN_HOOKS(ports_in_host_order);
	RUN_HOOKS(protocols_have_own_bitmaps);
	RUN_HOOKS(tcp_with_options_judged_by_port);
	px_teardown();
	return check_exit();
}
