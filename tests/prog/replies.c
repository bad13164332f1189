// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Replies (doc/design.md, section 9), both programs through
 * BPF_PROG_TEST_RUN: the egress program records an outgoing TCP/UDP flow,
 * and the XDP program passes a packet to a closed port that answers it,
 * counted as passed for its port and in totals.replies. Not a reply:
 * another source port, another remote address, a SYN without ACK, a flow
 * idle past its protocol's timeout, any packet while the policy has
 * replies off. Open ports are judged by the port as before.
 */
#include <time.h>

#include "px_prog.h"

#define LPORT 40000 /* this host's port: closed */
#define RPORT 443   /* the server's */

static struct px_policy pol;

static void policy_replies(bool on)
{
	pol_init(&pol, false, on ? PX_F_REPLIES : 0);
	pol.reply_idle_ns[PX_TCP] = 300 * 1000000000ULL;
	pol.reply_idle_ns[PX_UDP] = 60 * 1000000000ULL;
	pol.reply_size = PX_REPLY_SIZE_DEFAULT;
}

/* An arriving packet (the builders' addresses: 192.0.2.1 to 198.51.100.1,
 * 2001:db8::1 to 2001:db8::2) from sport to dport, TCP with flags. */
static void in_pkt(struct pkt *p, bool v6, bool tcp, __u16 sport, __u16 dport,
		   __u8 flags)
{
	size_t l4;

	pb_eth(p, v6 ? 0x86dd : 0x0800);
	if (v6)
		pb_ip6(p, tcp ? 6 : 17);
	else
		pb_ip4(p, 5, tcp ? 6 : 17, 0);
	l4 = p->len;
	if (tcp)
		pb_tcp(p, dport);
	else
		pb_udp(p, dport);
	pkt_put16(p->b + l4, sport);
	if (tcp)
		p->b[l4 + 13] = flags;
}

/* The packet this host sends to open that flow: addresses and ports
 * swapped. */
static void out_pkt(struct pkt *p, bool v6, bool tcp, __u16 lport, __u16 rport)
{
	__u8 tmp[16];
	size_t a = v6 ? 14 + 8 : 14 + 12, n = v6 ? 16 : 4;

	in_pkt(p, v6, tcp, lport, rport, 0x02);
	memcpy(tmp, p->b + a, n);
	memcpy(p->b + a, p->b + a + n, n);
	memcpy(p->b + a + n, tmp, n);
}

static int run_egress(const struct pkt *p, int *ret)
{
	int fd = bpf_program__fd(px.skel->progs.portxdp_egress);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b,
		    .data_size_in = (__u32)p->len, .repeat = 1);
	int err = bpf_prog_test_run_opts(fd, &opts);

	*ret = (int)opts.retval;
	return err ? -errno : 0;
}

static __u64 flows_count(void)
{
	int fd = bpf_map__fd(px.skel->maps.px_flows);
	struct px_flow_key k, next;
	__u64 n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

static void flows_clear(void)
{
	int fd = bpf_map__fd(px.skel->maps.px_flows);
	struct px_flow_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		bpf_map_delete_elem(fd, &k);
}

/* Outgoing: recorded, the packet untouched (TC_ACT_UNSPEC). */
static bool send_out(bool v6, bool tcp)
{
	struct pkt p;
	int ret = 0;

	out_pkt(&p, v6, tcp, LPORT, RPORT);
	return ASSERT_OK(run_egress(&p, &ret), "egress test run") &&
	       ASSERT_EQ(ret, -1, "egress verdict (TC_ACT_UNSPEC)");
}

static void reply_cases(bool v6, bool tcp)
{
	__u32 ctr = tcp ? TCPK(LPORT) : UDPK(LPORT);
	struct pkt p;

	flows_clear();
	policy_replies(true);
	if (!INSTALL(&pol))
		return;
	in_pkt(&p, v6, tcp, RPORT, LPORT, 0x10);
	expect_pkt("before any outgoing packet", &p,
		   (struct want){.ret = XDP_DROP, .counter = ctr});
	if (!send_out(v6, tcp))
		return;
	ASSERT_EQ(flows_count(), 1, "flows recorded");
	expect_pkt("the reply", &p,
		   (struct want){
			   .ret = XDP_PASS, .counter = ctr, .replies = true});
	in_pkt(&p, v6, tcp, RPORT + 1, LPORT, 0x10);
	expect_pkt("same server, another source port", &p,
		   (struct want){.ret = XDP_DROP, .counter = ctr});
	in_pkt(&p, v6, tcp, RPORT, LPORT + 1, 0x10);
	expect_pkt("another local port", &p,
		   (struct want){.ret = XDP_DROP, .counter = ctr + 1});
	in_pkt(&p, v6, tcp, RPORT, LPORT, 0x10);
	p.b[v6 ? 14 + 8 + 15 : 14 + 12 + 3] ^= 1; /* another server */
	expect_pkt("another remote address", &p,
		   (struct want){.ret = XDP_DROP, .counter = ctr});
	if (tcp) {
		in_pkt(&p, v6, tcp, RPORT, LPORT, 0x02);
		expect_pkt("SYN without ACK", &p,
			   (struct want){.ret = XDP_DROP, .counter = ctr});
		in_pkt(&p, v6, tcp, RPORT, LPORT, 0x12);
		expect_pkt("SYN+ACK", &p,
			   (struct want){.ret = XDP_PASS,
					 .counter = ctr,
					 .replies = true});
	}
	policy_replies(false);
	if (!INSTALL(&pol))
		return;
	in_pkt(&p, v6, tcp, RPORT, LPORT, 0x10);
	expect_pkt("replies off", &p,
		   (struct want){.ret = XDP_DROP, .counter = ctr});
}

static void tcp4_replies(void)
{
	if (px_ready())
		reply_cases(false, true);
}

static void udp4_replies(void)
{
	if (px_ready())
		reply_cases(false, false);
}

static void tcp6_replies(void)
{
	if (px_ready())
		reply_cases(true, true);
}

static void udp6_replies(void)
{
	if (px_ready())
		reply_cases(true, false);
}

/* Set every flow's last outgoing packet to ago_s seconds back. */
static int flows_age(__u64 ago_s)
{
	int fd = bpf_map__fd(px.skel->maps.px_flows);
	struct px_flow_key k, next;
	struct timespec ts;
	void *prev = NULL;
	__u64 t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	t = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec -
	    ago_s * 1000000000ULL;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_update_elem(fd, &k, &t, BPF_EXIST))
			return -errno;
	}
	return 0;
}

/* Idle past the timeout: dropped; the next outgoing packet refreshes it.
 * Each protocol has its own timeout. */
static void idle_flow_expires(void)
{
	struct pkt p;

	if (!px_ready())
		return;
	flows_clear();
	policy_replies(true);
	pol.reply_idle_ns[PX_TCP] = 10 * 1000000000ULL;
	pol.reply_idle_ns[PX_UDP] = 5 * 1000000000ULL;
	if (!INSTALL(&pol) || !send_out(false, true) || !send_out(false, false))
		return;
	ASSERT_OK(flows_age(7), "age the flows");
	in_pkt(&p, false, true, RPORT, LPORT, 0x10);
	expect_pkt("tcp idle 7 s of 10", &p,
		   (struct want){.ret = XDP_PASS,
				 .counter = TCPK(LPORT),
				 .replies = true});
	in_pkt(&p, false, false, RPORT, LPORT, 0);
	expect_pkt("udp idle 7 s of 5", &p,
		   (struct want){.ret = XDP_DROP, .counter = UDPK(LPORT)});
	ASSERT_OK(flows_age(11), "age the flows");
	in_pkt(&p, false, true, RPORT, LPORT, 0x10);
	expect_pkt("tcp idle 11 s of 10", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(LPORT)});
	if (!send_out(false, true))
		return;
	expect_pkt("tcp refreshed by an outgoing packet", &p,
		   (struct want){.ret = XDP_PASS,
				 .counter = TCPK(LPORT),
				 .replies = true});
}

/* An open port passes by its port, not as a reply; port 0 never passes. */
static void open_port_not_a_reply(void)
{
	struct pkt p;

	if (!px_ready())
		return;
	flows_clear();
	policy_replies(true);
	pol_set(&pol, PX_TCP, LPORT, true);
	if (!INSTALL(&pol) || !send_out(false, true))
		return;
	in_pkt(&p, false, true, RPORT, LPORT, 0x10);
	expect_pkt("open port", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(LPORT)});
	in_pkt(&p, false, true, RPORT, LPORT, 0x02);
	expect_pkt("SYN to an open port", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(LPORT)});
}

/* What egress does not record: later fragments, other protocols,
 * malformed frames; and it never changes the verdict. */
static void egress_records_tcp_udp_only(void)
{
	struct pkt p;
	int ret = 0;

	if (!px_ready())
		return;
	flows_clear();
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 1, 0);
	pb_icmp(&p, 8, 0);
	ASSERT_OK(run_egress(&p, &ret), "icmp");
	ASSERT_EQ(ret, -1, "icmp verdict");
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 17, 10);
	pb_udp(&p, 53);
	ASSERT_OK(run_egress(&p, &ret), "later fragment");
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 6);
	pb_bytes(&p, 10, 0);
	ASSERT_OK(run_egress(&p, &ret), "short tcp");
	ASSERT_EQ(ret, -1, "short tcp verdict");
	pb_eth(&p, 0x0806);
	pb_bytes(&p, 28, 0);
	ASSERT_OK(run_egress(&p, &ret), "arp");
	ASSERT_EQ(flows_count(), 0, "nothing recorded");
}

int main(void)
{
	px_setup();
	RUN(tcp4_replies);
	RUN(udp4_replies);
	RUN(tcp6_replies);
	RUN(udp6_replies);
	RUN(idle_flow_expires);
	RUN(open_port_not_a_reply);
	RUN(egress_records_tcp_udp_only);
	px_teardown();
	return check_exit();
}
