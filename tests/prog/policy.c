// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Policy handling of the XDP program (doc/design.md, section 5, "a live policy
 * change is atomic"): the program loads and passes the verifier; with no policy
 * in the outer slot it passes everything; swapping in a new inner map changes
 * every verdict at once (ports and flags) and keeps the counters; the
 * program reads only the map in the slot, never a replaced one; and the
 * kernel refuses an inner map of the wrong shape, so a bad swap changes
 * nothing.
 */
#include "px_prog.h"

static struct px_policy pol_a, pol_b;

/* Skeleton load is the verifier check; a 14-byte frame runs. */
static void program_loads_and_runs(void)
{
	struct pkt p;
	__u32 ret = 0;

	if (!px_ready())
		return;
	ASSERT_TRUE(px.prog_fd > 0, "program fd");
	pb_eth(&p, 0x0806);
	ASSERT_OK(px_run(&p, &ret), "test run");
	ASSERT_EQ(ret, XDP_PASS, "arp verdict");
}

/*
 * A frame shorter than Ethernet is malformed to the program, but the
 * kernel's test run refuses such input before the program sees it, so
 * accept either; the program's own check is the bounds check the verifier
 * demands in parse_ethhdr().
 */
static void runt_frame(void)
{
	struct pkt p;
	__u32 ret = 0;
	int err;

	if (!px_ready())
		return;
	pol_init(&pol_a, true, 0);
	if (!INSTALL(&pol_a))
		return;
	pb_eth(&p, 0x0800);
	pb_cut(&p, 1);
	err = px_run(&p, &ret);
	if (err == -EINVAL)
		printf("  kernel refuses a 13-byte test frame (EINVAL), as "
		       "expected\n");
	else
		expect_pkt("13-byte frame", &p, W_MALFORMED);
}

static void no_policy_passes_everything(void)
{
	struct pkt p;

	if (!px_ready())
		return;
	if (!ASSERT_OK(px_uninstall(), "empty the outer slot"))
		return;
	pkt_tcp4(&p, 81);
	expect_pkt("tcp 81", &p,
		   (struct want){.ret = XDP_PASS, .untouched = TCPK(81)});
	pkt_udp6(&p, 0);
	expect_pkt("udp 0", &p,
		   (struct want){.ret = XDP_PASS, .untouched = UDPK(0)});
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 4, 6, 0);
	expect_pkt("ihl 4", &p, W_PASS);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 1, 0);
	pb_icmp(&p, 8, 0);
	expect_pkt("echo", &p, W_PASS);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 17, 0x0010);
	expect_pkt("later fragment", &p, W_PASS);
}

static void policy_swap_changes_verdicts(void)
{
	struct px_port_counter c;
	struct pkt p;

	if (!px_ready())
		return;
	pol_init(&pol_a, false, 0);
	pol_set(&pol_a, PX_TCP, 22, true);
	pol_set(&pol_a, PX_UDP, 5353, true);
	pol_init(&pol_b, false, PX_F_PING_OPEN | PX_F_FRAG_DROP);
	pol_set(&pol_b, PX_TCP, 443, true);

	if (!INSTALL(&pol_a))
		return;
	px_counter(TCPK(22) - 1, &c);
	__u64 passed22 = c.passed, dropped22 = c.dropped;

	pkt_tcp4(&p, 22);
	expect_pkt("A: tcp 22", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(22)});
	pkt_tcp4(&p, 443);
	expect_pkt("A: tcp 443", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(443)});
	pkt_udp6(&p, 5353);
	expect_pkt("A: udp 5353", &p,
		   (struct want){.ret = XDP_PASS, .counter = UDPK(5353)});

	if (!INSTALL(&pol_b))
		return;
	pkt_tcp4(&p, 22);
	expect_pkt("B: tcp 22", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(22)});
	pkt_tcp4(&p, 443);
	expect_pkt("B: tcp 443", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(443)});
	pkt_udp6(&p, 5353);
	expect_pkt("B: udp 5353", &p,
		   (struct want){.ret = XDP_DROP, .counter = UDPK(5353)});

	/* Counters run on across the swap. */
	px_counter(TCPK(22) - 1, &c);
	ASSERT_EQ(c.passed - passed22, 1, "tcp 22 passed once under A");
	ASSERT_EQ(c.dropped - dropped22, 1, "tcp 22 dropped once under B");
}

static void policy_swap_changes_flags(void)
{
	struct pkt echo, frag;

	if (!px_ready())
		return;
	pb_eth(&echo, 0x86dd);
	pb_ip6(&echo, 58);
	pb_icmp(&echo, 128, 0);
	pb_eth(&frag, 0x0800);
	pb_ip4(&frag, 5, 17, 0x0020);
	pb_udp(&frag, 53);

	pol_init(&pol_a, true, 0);
	pol_init(&pol_b, true, PX_F_PING_OPEN | PX_F_FRAG_DROP);
	if (!INSTALL(&pol_a))
		return;
	expect_pkt("A: echo", &echo,
		   (struct want){.ret = XDP_DROP, .ping = true});
	expect_pkt("A: later frag", &frag,
		   (struct want){.ret = XDP_PASS, .fragments = true});
	if (!INSTALL(&pol_b))
		return;
	expect_pkt("B: echo", &echo,
		   (struct want){.ret = XDP_PASS, .ping = true});
	expect_pkt("B: later frag", &frag,
		   (struct want){.ret = XDP_DROP, .fragments = true});
}

/*
 * After a swap, writes to the replaced map (which a careless writer might
 * still hold) change nothing: the program reads only the map in the slot.
 */
static void replaced_map_is_not_read(void)
{
	__u32 zero = 0;
	struct pkt p;
	int old_fd;

	if (!px_ready())
		return;
	pol_init(&pol_a, false, 0);
	old_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(pol_a), 1,
				NULL);
	if (!ASSERT_TRUE(old_fd >= 0, "create inner map"))
		return;
	ASSERT_OK(bpf_map_update_elem(old_fd, &zero, &pol_a, BPF_ANY), "fill");
	ASSERT_OK(bpf_map_update_elem(px.outer_fd, &zero, &old_fd, BPF_ANY),
		  "swap in");
	pkt_tcp4(&p, 8080);
	expect_pkt("old: tcp 8080", &p,
		   (struct want){.ret = XDP_DROP, .counter = TCPK(8080)});

	pol_init(&pol_b, false, 0);
	if (INSTALL(&pol_b)) {
		pol_set(&pol_a, PX_TCP, 8080, true);
		ASSERT_OK(bpf_map_update_elem(old_fd, &zero, &pol_a, BPF_ANY),
			  "write old map");
		expect_pkt(
			"new: tcp 8080", &p,
			(struct want){.ret = XDP_DROP, .counter = TCPK(8080)});
	}
	close(old_fd);
}

/* The slot only takes maps of the template's shape: a bad swap is refused. */
static void wrong_inner_shape_refused(void)
{
	__u32 zero = 0;
	struct pkt p;
	int fd;

	if (!px_ready())
		return;
	pol_init(&pol_a, false, 0);
	pol_set(&pol_a, PX_TCP, 22, true);
	if (!INSTALL(&pol_a))
		return;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(pol_a) - 8, 1,
			    NULL);
	if (!ASSERT_TRUE(fd >= 0, "create short inner map"))
		return;
	ASSERT_NEQ(bpf_map_update_elem(px.outer_fd, &zero, &fd, BPF_ANY), 0,
		   "swap refused");
	close(fd);
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, sizeof(pol_a), 1, NULL);
	if (ASSERT_TRUE(fd >= 0, "create hash inner map")) {
		ASSERT_NEQ(
			bpf_map_update_elem(px.outer_fd, &zero, &fd, BPF_ANY),
			0, "hash refused");
		close(fd);
	}
	pkt_tcp4(&p, 22);
	expect_pkt("old policy still live: tcp 22", &p,
		   (struct want){.ret = XDP_PASS, .counter = TCPK(22)});
}

int main(void)
{
	px_setup();
	RUN_HOOKS(program_loads_and_runs);
	RUN(runt_frame);
	RUN_HOOKS(no_policy_passes_everything);
	RUN_HOOKS(policy_swap_changes_verdicts);
	RUN_HOOKS(policy_swap_changes_flags);
	RUN_HOOKS(replaced_map_is_not_read);
	RUN(wrong_inner_shape_refused);
	px_teardown();
	return check_exit();
}
