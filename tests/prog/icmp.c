// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ICMP and ICMPv6 (doc/design.md, section 5): an echo request drops unless the
 * policy opens ping, counted in ping_dropped/ping_passed; every other message
 * passes whatever ping's state (neighbour discovery, errors, PMTU); fewer than
 * 8 bytes is malformed. ICMP is protocol 1 under IPv4 and ICMPv6 is 58 under
 * IPv6; the other pairing is just another protocol and passes.
 */
#include "px_prog.h"

static struct px_policy pol;

static bool install(bool ping_open)
{
	pol_init(&pol, false, ping_open ? PX_F_PING_OPEN : 0);
	return INSTALL(&pol);
}

static void icmp4(struct pkt *p, __u8 type)
{
	pb_eth(p, 0x0800);
	pb_ip4(p, 5, 1, 0);
	pb_icmp(p, type, 0);
}

static void icmp6(struct pkt *p, __u8 type)
{
	pb_eth(p, 0x86dd);
	pb_ip6(p, 58);
	pb_icmp(p, type, 0);
	if (type == 135)
		pb_bytes(p, 16, 0xfe); /* NS target address */
}

#define W_PING(verdict) ((struct want){.ret = (verdict), .ping = true})

static void echo_request_ping_closed_drops(void)
{
	struct pkt p;

	if (!px_ready() || !install(false))
		return;
	icmp4(&p, 8);
	expect_pkt("icmp echo", &p, W_PING(XDP_DROP));
	icmp6(&p, 128);
	expect_pkt("icmpv6 echo", &p, W_PING(XDP_DROP));
	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x0800);
	pb_ip4(&p, 7, 1, 0);
	pb_icmp(&p, 8, 0);
	pb_bytes(&p, 56, 0x61);
	expect_pkt("icmp echo in vlan with ip options", &p, W_PING(XDP_DROP));
}

static void echo_request_ping_open_passes(void)
{
	struct pkt p;

	if (!px_ready() || !install(true))
		return;
	icmp4(&p, 8);
	expect_pkt("icmp echo", &p, W_PING(XDP_PASS));
	icmp6(&p, 128);
	expect_pkt("icmpv6 echo", &p, W_PING(XDP_PASS));
}

static void other_icmp_types_pass(void)
{
	/* echo reply, unreachable (incl. frag needed), source quench, redirect,
	 * time exceeded, parameter problem, timestamp, timestamp reply */
	static const __u8 types[] = {0, 3, 4, 5, 11, 12, 13, 14, 9, 10};
	struct pkt p;
	char what[32];

	if (!px_ready() || !install(false))
		return;
	for (size_t i = 0; i < sizeof(types); i++) {
		icmp4(&p, types[i]);
		if (types[i] == 3)
			p.b[14 + 20 + 1] = 4; /* fragmentation needed: PMTU */
		snprintf(what, sizeof(what), "icmp type %u", types[i]);
		expect_pkt(what, &p, W_PASS);
	}
}

static void other_icmpv6_types_pass(void)
{
	/* unreachable, packet too big, time exceeded, parameter problem, echo
	 * reply, MLD, RS, RA, NS, NA, redirect, MLDv2 report */
	static const __u8 types[] = {1,	  2,   3,   4,	 129, 130,
				     133, 134, 135, 136, 137, 143};
	struct pkt p;
	char what[32];

	if (!px_ready() || !install(false))
		return;
	for (size_t i = 0; i < sizeof(types); i++) {
		icmp6(&p, types[i]);
		snprintf(what, sizeof(what), "icmpv6 type %u", types[i]);
		expect_pkt(what, &p, W_PASS);
	}
}

/* Neighbour discovery must keep working with ping closed, or IPv6 breaks. */
static void icmpv6_neighbour_solicitation_passes_ping_closed(void)
{
	struct pkt p;

	if (!px_ready() || !install(false))
		return;
	icmp6(&p, 135);
	expect_pkt("neighbour solicitation", &p, W_PASS);
	/* MLD reports travel behind a hop-by-hop header. */
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 0);
	pb_ip6_opt(&p, 58, 0);
	pb_icmp(&p, 143, 0);
	expect_pkt("hop-by-hop then MLDv2 report", &p, W_PASS);
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 0);
	pb_ip6_opt(&p, 58, 0);
	pb_icmp(&p, 128, 0);
	expect_pkt("hop-by-hop then echo", &p, W_PING(XDP_DROP));
}

static void icmp_truncated_malformed(void)
{
	struct pkt p;

	if (!px_ready() || !install(true))
		return;
	icmp4(&p, 8);
	pb_cut(&p, 1);
	expect_pkt("icmp echo 7 bytes", &p, W_MALFORMED);
	icmp4(&p, 0);
	pb_cut(&p, 8);
	expect_pkt("icmp announced, 0 bytes", &p, W_MALFORMED);
	icmp6(&p, 128);
	pb_cut(&p, 1);
	expect_pkt("icmpv6 echo 7 bytes", &p, W_MALFORMED);
	icmp6(&p, 135);
	pb_cut(&p, 16 + 4);
	expect_pkt("icmpv6 NS 4 bytes", &p, W_MALFORMED);
}

/* ICMP over IPv6 or ICMPv6 over IPv4 is another protocol: pass, not ping. */
static void icmp_on_the_wrong_ip_is_other_protocol(void)
{
	struct pkt p;

	if (!px_ready() || !install(false))
		return;
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 58, 0);
	pb_icmp(&p, 128, 0);
	expect_pkt("proto 58 under IPv4", &p, W_PASS);
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 1);
	pb_icmp(&p, 8, 0);
	expect_pkt("next header 1 under IPv6", &p, W_PASS);
}

int main(void)
{
	px_setup();
	RUN_HOOKS(echo_request_ping_closed_drops);
	RUN_HOOKS(echo_request_ping_open_passes);
	RUN_HOOKS(other_icmp_types_pass);
	RUN_HOOKS(other_icmpv6_types_pass);
	RUN_HOOKS(icmpv6_neighbour_solicitation_passes_ping_closed);
	RUN_HOOKS(icmp_truncated_malformed);
	RUN_HOOKS(icmp_on_the_wrong_ip_is_other_protocol);
	px_teardown();
	return check_exit();
}
