// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * replybench: what `option replies` (doc/design.md, section 9) costs per
 * packet, with BPF_PROG_TEST_RUN, in one process and in interleaved
 * rounds (as progbench): the XDP program on a closed and an open port with
 * replies off and on (a reply found, no flow), and the egress program on
 * an outgoing TCP segment (its flow known, as for every packet but a
 * flow's first) beside the empty tc program. Prints one markdown table,
 * ns per packet, median (min-max) over rounds.
 *   replybench [-n REPEAT] [-r ROUNDS]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "portxdp.h"
#include "skel.h"
#include "test_run.h"

#define CLOSED 40000 /* this host's port of the flow */
#define OPEN 80
#define REMOTE 443

struct pkt {
	__u8 b[80];
	__u32 len;
};

/* Ethernet, IPv4 198.51.100.2 -> .1 when out, TCP with flags. */
static void tcp4(struct pkt *p, bool out, __u16 sport, __u16 dport, __u8 fl)
{
	static const __u8 a[4] = {198, 51, 100, 1}, b[4] = {198, 51, 100, 2};
	__u8 *h = p->b;

	memset(p, 0, sizeof(*p));
	h[12] = 0x08;
	h += 14;
	h[0] = 0x45, h[3] = 40, h[8] = 64, h[9] = 6;
	memcpy(h + 12, out ? b : a, 4);
	memcpy(h + 16, out ? a : b, 4);
	h += 20;
	h[0] = sport >> 8, h[1] = sport & 0xff;
	h[2] = dport >> 8, h[3] = dport & 0xff;
	h[12] = 5 << 4, h[13] = fl;
	p->len = 60;
}

static int install(struct portxdp_bpf *s, bool replies)
{
	static struct px_policy pol;
	__u32 zero = 0;
	int fd, err;

	memset(&pol, 0, sizeof(pol));
	pol.open[PX_TCP][OPEN / 64] |= 1ULL << (OPEN % 64);
	pol.flags = replies ? PX_F_REPLIES : 0;
	pol.reply_idle_ns[PX_TCP] = 300 * 1000000000ULL;
	pol.reply_idle_ns[PX_UDP] = 60 * 1000000000ULL;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(pol), 1, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, &zero, &pol, BPF_ANY) ||
	      bpf_map_update_elem(bpf_map__fd(s->maps.px_policy_outer), &zero,
				  &fd, BPF_ANY);
	close(fd);
	return err ? -errno : 0;
}

static int load_empty_tc(void)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K,
		 .dst_reg = BPF_REG_0,
		 .imm = -1},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "empty", "GPL", insns, 2,
			     NULL);
}

enum {
	R_CLOSED_OFF,
	R_OPEN_OFF,
	R_CLOSED_ON_HIT,
	R_CLOSED_ON_MISS,
	R_OPEN_ON,
	R_EGRESS,
	R_EMPTY_TC,
	NROW
};
static const char *row_name[NROW] = {
	"XDP, closed port, replies off",
	"XDP, open port, replies off",
	"XDP, closed port, replies on: a reply (1 lookup, found)",
	"XDP, closed port, replies on: no flow (1 lookup)",
	"XDP, open port, replies on",
	"egress program, outgoing TCP (flow known)",
	"empty tc program",
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	__u32 repeat = 1000000, rounds = 11;
	struct portxdp_bpf *s;
	struct pkt pk[NROW];
	double *t[NROW];
	int xdp, egr, empty, c;
	__u32 ret;

	while ((c = getopt(argc, argv, "n:r:")) != -1)
		if (c == 'n')
			repeat = (__u32)atoi(optarg);
		else if (c == 'r')
			rounds = (__u32)atoi(optarg);
	s = px_skel_load();
	empty = load_empty_tc();
	if (!s || empty < 0) {
		fprintf(stderr,
			"replybench: cannot load the programs (root?)\n");
		return 1;
	}
	xdp = bpf_program__fd(s->progs.portxdp);
	egr = bpf_program__fd(s->progs.portxdp_egress);
	tcp4(&pk[R_CLOSED_OFF], false, REMOTE, CLOSED, 0x10);
	tcp4(&pk[R_OPEN_OFF], false, REMOTE, OPEN, 0x10);
	tcp4(&pk[R_CLOSED_ON_HIT], false, REMOTE, CLOSED, 0x10);
	tcp4(&pk[R_CLOSED_ON_MISS], false, REMOTE + 1, CLOSED, 0x10);
	tcp4(&pk[R_OPEN_ON], false, REMOTE, OPEN, 0x10);
	tcp4(&pk[R_EGRESS], true, CLOSED, REMOTE, 0x10);
	tcp4(&pk[R_EMPTY_TC], true, CLOSED, REMOTE, 0x10);
	/* the flow, recorded once by the egress program */
	test_run_ns(egr, pk[R_EGRESS].b, pk[R_EGRESS].len, 1, &ret);
	for (int r = 0; r < NROW; r++)
		t[r] = calloc(rounds, sizeof(double));
	for (__u32 k = 0; k < rounds; k++)
		for (int r = 0; r < NROW; r++) {
			int fd = r == R_EGRESS	   ? egr
				 : r == R_EMPTY_TC ? empty
						   : xdp;

			if (r <= R_OPEN_OFF)
				install(s, false);
			else if (r < R_EGRESS)
				install(s, true);
			t[r][k] = test_run_ns(fd, pk[r].b, pk[r].len, repeat,
					      &ret);
		}
	printf("| packet, program | ns/packet | min-max |\n|---|---:|---:|\n");
	for (int r = 0; r < NROW; r++) {
		qsort(t[r], rounds, sizeof(double), cmp);
		printf("| %s | %.1f | %.1f-%.1f |\n", row_name[r],
		       t[r][rounds / 2], t[r][0], t[r][rounds - 1]);
		free(t[r]);
	}
	portxdp_bpf__destroy(s);
	close(empty);
	return 0;
}
