// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * progbench: what the XDP program costs per packet, beside the floor (a
 * program that only returns XDP_PASS) and Debian's xdp-filter, measured
 * with BPF_PROG_TEST_RUN in one process so every row sees the same machine.
 * Rounds are interleaved (each round runs every packet through every
 * program, starting with a different program each time), so a noisy
 * moment moves all rows alike; the table gives the median over rounds,
 * min-max beside it and ratios to the floor and to xdp-filter.
 *
 * A measurement is one BPF_PROG_TEST_RUN call of REPEAT repeats, timed
 * with this thread's CPU clock around the call: unlike the wall clock it
 * stops while other work on a busy machine has the CPU (and, in a VM,
 * while the host steals it), and unlike the kernel's own duration field
 * (an integer number of ns per repeat) it resolves fractions of a ns.
 * Before timing, every verdict is checked (portxdp and the floor must give
 * the expected one; xdp-filter's is shown as it is).
 *
 *   progbench [-n REPEAT] [-r ROUNDS] [-c CPU] [-d DATFILE] [-x XDPFILT.o]
 *             [-f FLAGS [-b] | -z]
 *   progbench --sizes [-x XDPFILT.o]
 *
 * The first form prints the cost table (markdown) and writes DATFILE for
 * gnuplot; --sizes prints program size and map memory tables. xdp-filter
 * is optional: when its object cannot be opened, its rows say so. -f adds
 * a row: portxdp loaded a second time, its bench policy with these PX_F_*
 * flags too (include/portxdp.h; 0x10 replies, 0x4 zones, 0x8 block, 0x20
 * bans), so what a feature costs a packet it does not change is measured
 * in the same rounds. Its maps are empty: no flow, zone, prefix or ban,
 * and the ban rule's N is 0. -b (with -f 0x20) bans the packets' sources
 * (198.51.100.1, 2001:db8::/64) in that second portxdp: the cost of a
 * packet from a banned source.
 *
 * -z: the zone bench: the second portxdp gets the 16
 * zones and 10,000 prefixes of zone_layout.h through the CLI's parser and
 * installer, xdp-filter also matches the prefixes' 10,000 addresses as
 * sources, and the packets are a port no zone touches, a port a zone
 * opens (IPv4 and IPv6, from that zone) and a blocked source; a last
 * table holds the zone targets, net of the floor.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bans.h"
#include "maps_zone.h"
#include "policy.h"
#include "policy_zone.h"
#include "portxdp.h"
#include "portxdp.skel.h"
#include "source.h"
#include "test_run.h"
#include "zone_layout.h"

/* What `xdp-filter load -f tcp,udp` picks: the default-allow variant with
 * every feature, the only one that filters TCP and UDP ports together. */
#define XDPFILT_DEFAULT "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o"
/* xdp-filter's map value flags (xdp-filter/common_kern_user.h). */
#define XF_FLAG_SRC (1 << 0)
#define XF_FLAG_DST (1 << 1)
#define XF_FLAG_TCP (1 << 2)
#define XF_FLAG_UDP (1 << 3)

/* The bench policy: everything closed but these TCP ports. */
static const __u16 open_tcp[] = {22, 80, 443};
#define CLOSED_PORT 9999
#define OPEN_PORT 80

/* ---- packets --------------------------------------------------------- */

struct pkt {
	const char *name;
	__u8 b[256];
	__u32 len;
	int want;   /* portxdp's verdict */
	int want_z; /* -z: portxdp's with the zone layout */
	int want_b; /* -z: and with its block line */
};

static __u8 *put(struct pkt *p, __u32 n)
{
	__u8 *at = p->b + p->len;

	memset(at, 0, n);
	p->len += n;
	return at;
}

static void put16(__u8 *at, __u16 v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

static void eth(struct pkt *p, __u16 type)
{
	__u8 *h = put(p, 14);

	memcpy(h, (const __u8[]){2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}, 12);
	put16(h + 12, type);
}

static void vlan(struct pkt *p, __u16 next)
{
	__u8 *h = put(p, 4);

	put16(h, 100);
	put16(h + 2, next);
}

static void ip4(struct pkt *p, __u8 proto, __u16 l4len)
{
	__u8 *h = put(p, 20);

	h[0] = 0x45;
	put16(h + 2, 20 + l4len);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, (const __u8[]){198, 51, 100, 1, 198, 51, 100, 2}, 8);
}

static void ip6(struct pkt *p, __u8 next)
{
	__u8 *h = put(p, 40);

	h[0] = 0x60;
	h[6] = next;
	h[7] = 64;
	memcpy(h + 8, (const __u8[]){0x20, 1, 0x0d, 0xb8}, 4);
	h[23] = 1;
	memcpy(h + 24, (const __u8[]){0x20, 1, 0x0d, 0xb8}, 4);
	h[39] = 2;
}

/* An 8-byte hop-by-hop, routing or destination-options header (PadN). */
static void ip6_opt(struct pkt *p, __u8 next)
{
	__u8 *h = put(p, 8);

	h[0] = next;
	h[2] = 1;
	h[3] = 4;
}

static void udp(struct pkt *p, __u16 dport)
{
	__u8 *h = put(p, 8);

	put16(h, 40000);
	put16(h + 2, dport);
	put16(h + 4, 8);
}

static void tcp_syn(struct pkt *p, __u16 dport)
{
	__u8 *h = put(p, 20);

	put16(h, 40000);
	put16(h + 2, dport);
	h[12] = 5 << 4;
	h[13] = 0x02;
	put16(h + 14, 65535);
}

static void arp(struct pkt *p)
{
	__u8 *h = put(p, 28);

	put16(h, 1);
	put16(h + 2, 0x0800);
	h[4] = 6;
	h[5] = 4;
	put16(h + 6, 1);
	memcpy(h + 14, (const __u8[]){198, 51, 100, 1}, 4);
	memcpy(h + 24, (const __u8[]){198, 51, 100, 2}, 4);
}

/* Pad to the 60-byte Ethernet minimum, as a NIC would hand it over. */
static void pad(struct pkt *p)
{
	if (p->len < 60)
		put(p, 60 - p->len);
}

#define NPKT_MAX 8
static struct pkt pkts[NPKT_MAX];
static int npkt;

static void build_packets(void)
{
	struct pkt *p = pkts;

	p->name = "IPv4/UDP closed port";
	p->want = XDP_DROP;
	eth(p, 0x0800), ip4(p, 17, 8), udp(p, CLOSED_PORT), pad(p);

	p++;
	p->name = "IPv4/TCP SYN open port";
	p->want = XDP_PASS;
	eth(p, 0x0800), ip4(p, 6, 20), tcp_syn(p, OPEN_PORT), pad(p);

	p++;
	p->name = "IPv6/UDP 3 ext. headers closed";
	p->want = XDP_DROP;
	eth(p, 0x86dd), ip6(p, 0);
	ip6_opt(p, 43), ip6_opt(p, 60), ip6_opt(p, 17);
	p->b[14 + 40 + 8 + 2] = 0; /* routing: type 0, no segments left */
	p->b[14 + 40 + 8 + 3] = 0;
	udp(p, CLOSED_PORT);

	p++;
	p->name = "QinQ IPv4/TCP closed port";
	p->want = XDP_DROP;
	eth(p, 0x88a8), vlan(p, 0x8100), vlan(p, 0x0800);
	ip4(p, 6, 20), tcp_syn(p, CLOSED_PORT), pad(p);

	p++;
	p->name = "ARP";
	p->want = XDP_PASS;
	eth(p, 0x0806), arp(p), pad(p);
	npkt = (int)(p - pkts) + 1;
}

/*
 * -z: the zone bench's packets (zone_layout.h), each with the verdict of
 * portxdp without zones (want) and with them (want_z).
 */
static void build_zone_packets(void)
{
	struct pkt *p = pkts;

	p->name = "IPv4/UDP closed, a port no zone touches";
	p->want = p->want_z = p->want_b = XDP_DROP;
	eth(p, 0x0800), ip4(p, 17, 8), udp(p, CLOSED_PORT), pad(p);

	p++;
	p->name = "IPv4/UDP a port a zone opens, from it";
	p->want = XDP_DROP;
	p->want_z = p->want_b = XDP_PASS;
	eth(p, 0x0800), ip4(p, 17, 8), udp(p, ZL_ZONED_PORT), pad(p);

	p++;
	p->name = "IPv6/UDP a port a zone opens, from it";
	p->want = XDP_DROP;
	p->want_z = p->want_b = XDP_PASS;
	eth(p, 0x86dd), ip6(p, 17), udp(p, ZL_ZONED_PORT);

	p++;
	p->name = "IPv4/TCP SYN open port, blocked source";
	p->want = p->want_z = XDP_PASS;
	p->want_b = XDP_DROP;
	eth(p, 0x0800), ip4(p, 6, 20), tcp_syn(p, OPEN_PORT), pad(p);
	p->b[14 + 15] = ZL_SRC_BLOCKED;
	npkt = (int)(p - pkts) + 1;
}

/* ---- programs -------------------------------------------------------- */

enum { PROG_PASS, PROG_PX, PROG_XF, PROG_PXF, PROG_PXB, NPROG };
static const char *prog_name[NPROG] = {"empty (XDP_PASS)", "portxdp",
				       "xdp-filter", "portxdp -f",
				       "portxdp, 16 zones + block"};

static struct {
	int fd[NPROG];
	struct portxdp_bpf *skel, *skel_f, *skel_b;
	struct bpf_object *xf;
	const char *xf_path;
	char xf_err[160];
	int ncpu;
	__u32 flags; /* -f: the second portxdp's policy flags */
	bool with_flags;
	bool ban;   /* -b: its bans hold the packets' sources */
	bool zones; /* -z: the second portxdp has zone_layout.h's zones */
} g = {.fd = {-1, -1, -1, -1, -1}, .xf_path = XDPFILT_DEFAULT};

/* The floor: r0 = XDP_PASS; exit. */
static int load_pass(void)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K,
		 .dst_reg = BPF_REG_0,
		 .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int fd =
		bpf_prog_load(BPF_PROG_TYPE_XDP, "pass", "GPL", insns, 2, NULL);

	return fd < 0 ? -errno : fd;
}

/* portxdp with the bench policy and flags, installed as the CLI does (inner
 * map swap). */
static int load_portxdp(struct portxdp_bpf **skelp, __u32 flags)
{
	static struct px_policy pol;
	struct portxdp_bpf *skel;
	__u32 zero = 0;
	int fd, err;

	skel = *skelp = portxdp_bpf__open();
	if (!skel)
		return -errno;
	/*
	 * Per-port counters kept as a plain ARRAY hold one slice per CPU,
	 * sized by the loader as the CLI does; a PERCPU_ARRAY is sized already.
	 */
	if (bpf_map__type(skel->maps.px_counters) == BPF_MAP_TYPE_ARRAY)
		bpf_map__set_max_entries(skel->maps.px_counters,
					 PX_CTR_ENTRIES(g.ncpu));
	err = portxdp_bpf__load(skel);
	if (err)
		return err;
	memset(&pol, 0, sizeof(pol));
	pol.flags = flags;
	for (size_t i = 0; i < sizeof(open_tcp) / sizeof(open_tcp[0]); i++)
		pol.open[PX_TCP][open_tcp[i] / 64] |= 1ULL
						      << (open_tcp[i] % 64);
	snprintf(pol.source, sizeof(pol.source), "progbench");
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(pol), 1, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, &zero, &pol, BPF_ANY);
	if (!err)
		err = bpf_map_update_elem(
			bpf_map__fd(skel->maps.px_policy_outer), &zero, &fd,
			BPF_ANY);
	err = err ? -errno : 0;
	close(fd);
	return err ? err : bpf_program__fd(skel->progs.portxdp);
}

/* -b: ban the bench packets' sources, as 'portxdp ban' does. */
static int ban_sources(struct portxdp_bpf *skel)
{
	const char *srcs[] = {"198.51.100.1", "2001:db8::1"};
	struct px_filter f = {
		.bans_fd = bpf_map__fd(skel->maps.px_bans),
		.ban_gen_fd = bpf_map__fd(skel->maps.data_px_ban_gen),
	};
	struct px_ban_key k;
	const char *why;

	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		if (source_parse(srcs[i], &k, &why) ||
		    bans_add(&f, &k, 3600, PX_BAN_MANUAL))
			return -1;
	return 0;
}

/*
 * -z: the zone layout (zone_layout.h) installed in the second portxdp by
 * the CLI's own parser and installer, as `portxdp apply` does: the zone
 * table and tries in new maps, then the swap.
 */
static int install_zones(struct portxdp_bpf *skel, bool block)
{
	struct px_zone_maps m = {
		.policy = bpf_map__fd(skel->maps.px_policy_outer),
		.zones = bpf_map__fd(skel->maps.px_zone_outer),
		.zone4 = bpf_map__fd(skel->maps.px_zone4_outer),
		.zone6 = bpf_map__fd(skel->maps.px_zone6_outer),
		.counts = bpf_map__fd(skel->maps.px_zone_counts),
	};
	static struct px_policy pol;
	struct px_zoneset *zs = NULL;
	char *text = zl_policy_text(block);
	char *msgs = NULL;
	size_t nmsgs = 0;
	FILE *diag = open_memstream(&msgs, &nmsgs);
	int err;

	if (!text || !diag) {
		free(text);
		return -ENOMEM;
	}
	/* its warnings (ephemeral closed...) are no news; errors are */
	err = policy_text_zoned("zones.policy", text, NULL, &pol, &zs, NULL,
				diag);
	fclose(diag);
	if (err)
		fputs(msgs, stderr);
	free(msgs);
	if (!err)
		err = maps_install_zoned(&m, &pol, zs, false);
	zoneset_free(zs);
	free(text);
	return err;
}

/* The verdict program j must give packet p: -b drops every IP packet. */
static __u32 want_of(const struct pkt *p, int j)
{
	if (j == PROG_PASS)
		return XDP_PASS;
	if (j == PROG_PXF && g.zones)
		return (__u32)p->want_z;
	if (j == PROG_PXB)
		return (__u32)p->want_b;
	if (j == PROG_PXF && g.ban && strcmp(p->name, "ARP"))
		return XDP_DROP;
	return (__u32)p->want;
}

static bool port_open_tcp(__u32 port)
{
	for (size_t i = 0; i < sizeof(open_tcp) / sizeof(open_tcp[0]); i++)
		if (open_tcp[i] == port)
			return true;
	return false;
}

/*
 * xdp-filter's object, unpinned (its maps ask to be pinned by name under
 * /sys/fs/bpf, where a real xdp-filter may live), with the same closed
 * ports: filter_ports is a per-CPU array keyed by the NETWORK-order port.
 */
/*
 * -z: xdp-filter matching source addresses too, as `xdp-filter ip ADDR
 * --mode src` does for each: its filter_ipv4 and filter_ipv6 (per-CPU
 * hashes of 10,000 single addresses each, keyed by the address) with the
 * network address of each of the layout's 10,000 prefixes, which
 * includes the blocked source 198.51.100.66 (a /32) but not the others'
 * sources (inside a /24 and a /64: xdp-filter has no prefixes).
 */
static int xf_fill_ips(__u64 *vals)
{
	struct bpf_map *v4, *v6;
	unsigned char addr[16];
	unsigned int zone;
	char text[64];
	int family;

	v4 = bpf_object__find_map_by_name(g.xf, "filter_ipv4");
	v6 = bpf_object__find_map_by_name(g.xf, "filter_ipv6");
	if (!v4 || !v6)
		return -ENOENT;
	for (int c = 0; c < g.ncpu; c++)
		vals[c] = XF_FLAG_SRC;
	for (unsigned int i = 0; i < ZL_PREFIXES; i++) {
		zl_prefix(i, text, sizeof(text), &zone, addr, &family);
		if (bpf_map_update_elem(bpf_map__fd(family == 4 ? v4 : v6),
					addr, vals, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

static int load_xdpfilter(void)
{
	struct bpf_program *prog;
	struct bpf_map *map, *ports = NULL;
	__u64 *vals;
	int err, fd;

	g.xf = bpf_object__open_file(g.xf_path, NULL);
	if (!g.xf)
		return -errno;
	bpf_object__for_each_map(map, g.xf)
	{
		bpf_map__set_pin_path(map, NULL);
		if (!strcmp(bpf_map__name(map), "filter_ports"))
			ports = map;
	}
	if (!ports)
		return -ENOENT;
	err = bpf_object__load(g.xf);
	if (err)
		return err;
	prog = bpf_object__next_program(g.xf, NULL);
	if (!prog)
		return -ENOENT;
	fd = bpf_program__fd(prog);
	vals = calloc(g.ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 port = 1; port < 65536; port++) {
		__u32 key = ((port & 0xff) << 8) | (port >> 8); /* htons */
		__u64 flags = XF_FLAG_DST | XF_FLAG_UDP;

		if (!port_open_tcp(port))
			flags |= XF_FLAG_TCP;
		for (int c = 0; c < g.ncpu; c++)
			vals[c] = flags;
		if (bpf_map_update_elem(bpf_map__fd(ports), &key, vals,
					BPF_ANY)) {
			err = -errno;
			free(vals);
			return err;
		}
	}
	err = g.zones ? xf_fill_ips(vals) : 0;
	free(vals);
	return err ? err : fd;
}

static int load_all(void)
{
	int fd, err;

	g.ncpu = libbpf_num_possible_cpus();
	fd = load_pass();
	if (fd < 0) {
		fprintf(stderr,
			"progbench: loading the empty program: %s (run as "
			"root)\n",
			strerror(-fd));
		return fd;
	}
	g.fd[PROG_PASS] = fd;
	fd = load_portxdp(&g.skel, 0);
	if (fd < 0) {
		fprintf(stderr, "progbench: loading portxdp: %s\n",
			strerror(-fd));
		return fd;
	}
	g.fd[PROG_PX] = fd;
	if (g.with_flags) {
		fd = load_portxdp(&g.skel_f, g.flags);
		if (fd < 0) {
			fprintf(stderr, "progbench: loading portxdp -f: %s\n",
				strerror(-fd));
			return fd;
		}
		g.fd[PROG_PXF] = fd;
		err = g.zones ? install_zones(g.skel_f, false) : 0;
		if (err) {
			fprintf(stderr,
				"progbench: -z: installing the zones: %s\n",
				strerror(-err));
			return -1;
		}
		if (g.zones) {
			fd = load_portxdp(&g.skel_b, 0);
			err = fd < 0 ? fd : install_zones(g.skel_b, true);
			if (err) {
				fprintf(stderr,
					"progbench: -z: zones and block: %s\n",
					strerror(-err));
				return -1;
			}
			g.fd[PROG_PXB] = fd;
		}
		if (g.ban && ban_sources(g.skel_f)) {
			fprintf(stderr, "progbench: -b: cannot ban the "
					"sources\n");
			return -1;
		}
	}
	fd = load_xdpfilter();
	if (fd < 0)
		snprintf(g.xf_err, sizeof(g.xf_err), "%s: %s", g.xf_path,
			 strerror(-fd));
	else
		g.fd[PROG_XF] = fd;
	return 0;
}

/* ---- measuring ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static const char *verdict(__u32 v)
{
	switch (v) {
	case XDP_ABORTED:
		return "aborted";
	case XDP_DROP:
		return "drop";
	case XDP_PASS:
		return "pass";
	case XDP_TX:
		return "tx";
	case XDP_REDIRECT:
		return "redirect";
	}
	return "?";
}

struct result {
	double med, min, max;
	__u32 verdict;
	bool ok;
};

/*
 * -z: the zone targets (doc/design.md, section 8) with the zone layout, net of
 * the floor: a port no zone touches within 1 ns of portxdp without zones; a
 * port a zone changes or a blocked source no more than xdp-filter matching its
 * 10,000 source addresses.
 */
static void print_zone_targets(struct result r[][NPROG])
{
	printf("\nZone targets, net of the floor (ns per packet, medians): "
	       "16 zones, 10,000 prefixes (8,000 IPv4, 2,000 IPv6); "
	       "xdp-filter holds the prefixes' 10,000 addresses in its ip "
	       "filters.\n\n");
	printf("| packet | portxdp, no zones | 16 zones | 16 zones + block "
	       "| xdp-filter + 10,000 ip | target | met |\n");
	printf("|---|---:|---:|---:|---:|---|---|\n");
	for (int i = 0; i < npkt; i++) {
		double fl = r[i][PROG_PASS].med;
		double px = r[i][PROG_PX].med - fl,
		       pz = r[i][PROG_PXF].med - fl;
		double pb = r[i][PROG_PXB].med - fl,
		       xf = r[i][PROG_XF].med - fl;
		/* the blocked source: the policy that blocks it */
		bool first = i == 0, blocked = pkts[i].want_b != pkts[i].want_z;
		double mine = blocked ? pb : pz;
		char xs[16] = "n/a";
		bool met;

		if (r[i][PROG_XF].ok)
			snprintf(xs, sizeof(xs), "%.1f", xf);
		met = first ? pz <= px + 1.0 : r[i][PROG_XF].ok && mine <= xf;
		printf("| %s | %.1f | %.1f | %.1f | %s | %s | %s |\n",
		       pkts[i].name, px, pz, pb, xs,
		       first	 ? "16 zones <= no zones + 1 ns"
		       : blocked ? "+ block <= xdp-filter"
				 : "16 zones <= xdp-filter",
		       met ? "met" : "MISSED");
	}
	printf("\nWith a block line every IP packet looks its source up "
	       "first (doc/design.md, section 8), a port no zone touches "
	       "too.\n");
}

static int run_bench(__u32 repeat, int rounds, const char *datfile)
{
	static double t[NPKT_MAX][NPROG][256];
	struct result r[NPKT_MAX][NPROG] = {};
	int bad = 0;
	FILE *dat;

	/* Verdicts first: a wrong one would make the timing meaningless. */
	for (int i = 0; i < npkt; i++)
		for (int j = 0; j < NPROG; j++) {
			__u32 v = 0;

			if (g.fd[j] < 0)
				continue;
			if (test_run_ns(g.fd[j], pkts[i].b, pkts[i].len, 1,
					&v) < 0) {
				fprintf(stderr,
					"progbench: test run of %s: %s\n",
					prog_name[j], strerror(errno));
				return -1;
			}
			r[i][j].verdict = v;
			r[i][j].ok = true;
			if (j != PROG_XF && v != want_of(&pkts[i], j)) {
				fprintf(stderr,
					"progbench: %s on \"%s\": %s, expected "
					"%s\n",
					prog_name[j], pkts[i].name, verdict(v),
					verdict(want_of(&pkts[i], j)));
				bad++;
			}
		}
	if (bad)
		return -1;

	for (int k = 0; k < rounds; k++)
		for (int i = 0; i < npkt; i++)
			for (int jj = 0; jj < NPROG; jj++) {
				int j = (jj + k + i) % NPROG;
				__u32 v;
				double ns;

				if (g.fd[j] < 0)
					continue;
				ns = test_run_ns(g.fd[j], pkts[i].b,
						 pkts[i].len, repeat, &v);
				if (ns < 0) {
					fprintf(stderr,
						"progbench: test run: %s\n",
						strerror((int)-ns));
					return -1;
				}
				t[i][j][k] = ns;
			}

	for (int i = 0; i < npkt; i++)
		for (int j = 0; j < NPROG; j++) {
			double *v = t[i][j];

			if (!r[i][j].ok)
				continue;
			qsort(v, rounds, sizeof(*v), cmp_double);
			r[i][j].min = v[0];
			r[i][j].max = v[rounds - 1];
			r[i][j].med =
				rounds % 2
					? v[rounds / 2]
					: (v[rounds / 2 - 1] + v[rounds / 2]) /
						  2;
		}

	printf("### Per-packet program cost (BPF_PROG_TEST_RUN)\n\n");
	printf("%u repeats a measurement, %d interleaved rounds, one CPU; ns "
	       "per packet, "
	       "median (min-max). Ratios are of medians.\n\n",
	       repeat, rounds);
	printf("| packet | program | verdict | ns/packet | min-max | x floor | "
	       "x xdp-filter |\n");
	printf("|---|---|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < npkt; i++)
		for (int j = 0; j < NPROG; j++) {
			struct result *x = &r[i][j];
			char xf[16] = "-";

			if ((j == PROG_PXF && !g.with_flags) ||
			    (j == PROG_PXB && !g.zones))
				continue;
			if (!x->ok) {
				printf("| %s | %s | - | n/a | - | - | - |\n",
				       pkts[i].name, prog_name[j]);
				continue;
			}
			if (r[i][PROG_XF].ok)
				snprintf(xf, sizeof(xf), "%.2f",
					 x->med / r[i][PROG_XF].med);
			printf("| %s | %s | %s | %.1f | %.1f-%.1f | %.2f | %s "
			       "|\n",
			       pkts[i].name, prog_name[j], verdict(x->verdict),
			       x->med, x->min, x->max,
			       x->med / r[i][PROG_PASS].med, xf);
		}
	if (!r[0][PROG_XF].ok)
		printf("\nxdp-filter not measured: %s\n", g.xf_err);
	if (g.zones) {
		print_zone_targets(r);
		return 0;
	}

	printf("\nTarget: portxdp at most 0.25 of xdp-filter on every "
	       "packet, net of the floor. \"Net\" subtracts the floor (the "
	       "test-run harness, the empty program's cost) from both "
	       "programs: what the programs themselves cost.\n\n");
	printf("| packet | portxdp x floor | portxdp x xdp-filter "
	       "| net portxdp x net xdp-filter | target 0.25 net |\n");
	printf("|---|---:|---:|---:|---|\n");
	for (int i = 0; i < npkt; i++) {
		double f = r[i][PROG_PX].med / r[i][PROG_PASS].med;
		char xf[16] = "-", net[16] = "-", met[8] = "-";

		if (r[i][PROG_XF].ok) {
			double fl = r[i][PROG_PASS].med;
			double n = (r[i][PROG_PX].med - fl) /
				   (r[i][PROG_XF].med - fl);

			snprintf(xf, sizeof(xf), "%.2f",
				 r[i][PROG_PX].med / r[i][PROG_XF].med);
			snprintf(net, sizeof(net), "%.2f", n);
			snprintf(met, sizeof(met), "%s",
				 n <= 0.25 ? "met" : "MISSED");
		}
		printf("| %s | %.2f | %s | %s | %s |\n", pkts[i].name, f, xf,
		       net, met);
	}

	if (g.with_flags) {
		printf("\nWith -f 0x%x: the same policy with these flags, "
		       "ns per packet (medians) and the difference.\n\n",
		       g.flags);
		printf("| packet | portxdp | portxdp -f 0x%x | difference |\n",
		       g.flags);
		printf("|---|---:|---:|---:|\n");
		for (int i = 0; i < npkt; i++)
			printf("| %s | %.1f | %.1f | %+.1f |\n", pkts[i].name,
			       r[i][PROG_PX].med, r[i][PROG_PXF].med,
			       r[i][PROG_PXF].med - r[i][PROG_PX].med);
	}

	if (datfile) {
		dat = fopen(datfile, "w");
		if (!dat) {
			fprintf(stderr, "progbench: %s: %s\n", datfile,
				strerror(errno));
			return -1;
		}
		fprintf(dat, "# packet");
		for (int j = 0; j < PROG_PXF; j++)
			fprintf(dat, "\t\"%s\"\tmin\tmax", prog_name[j]);
		fprintf(dat, "\n");
		for (int i = 0; i < npkt; i++) {
			fprintf(dat, "\"%s\"", pkts[i].name);
			for (int j = 0; j < PROG_PXF; j++)
				if (r[i][j].ok)
					fprintf(dat, "\t%.2f\t%.2f\t%.2f",
						r[i][j].med, r[i][j].min,
						r[i][j].max);
				else
					fprintf(dat, "\t0\t0\t0");
			fprintf(dat, "\n");
		}
		fclose(dat);
	}
	return 0;
}

/* ---- sizes ----------------------------------------------------------- */

static const char *map_type(__u32 t)
{
	switch (t) {
	case BPF_MAP_TYPE_ARRAY:
		return "array";
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return "percpu_array";
	case BPF_MAP_TYPE_HASH:
		return "hash";
	case BPF_MAP_TYPE_PERCPU_HASH:
		return "percpu_hash";
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return "array_of_maps";
	}
	return "other";
}

static bool percpu(__u32 t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH;
}

/* The kernel's own account of a map's memory, from fdinfo. */
static long long memlock(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void kib(char *buf, size_t n, long long bytes)
{
	if (bytes < 0)
		snprintf(buf, n, "?");
	else if (bytes < 10240)
		snprintf(buf, n, "%lld B", bytes);
	else
		snprintf(buf, n, "%.1f KiB", bytes / 1024.0);
}

static void map_row(const char *owner, int fd)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	long long data, ml = memlock(fd);
	char a[32], b[32];

	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return;
	/* Data only: value_size rounded to 8 (as the kernel stores it), x
	 * entries. */
	data = (long long)((mi.value_size + 7) & ~7U) * mi.max_entries;
	if (mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
		data = 8LL * mi.max_entries;
	kib(a, sizeof(a), data);
	kib(b, sizeof(b), ml);
	printf("| %s | %s | %s | %u | %u | %s%s | %s |\n", owner,
	       mi.name[0] ? mi.name : "-", map_type(mi.type), mi.max_entries,
	       mi.value_size, a, percpu(mi.type) ? " per CPU" : "", b);
}

static void prog_row(const char *name, int fd, long long *maps_mem)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi), ids[16];
	long long mem = 0;
	char m[32];

	pi.nr_map_ids = 16;
	pi.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &pi, &len)) {
		printf("| %s | ? | ? | ? | ? | ? |\n", name);
		return;
	}
	for (__u32 i = 0; i < pi.nr_map_ids && i < 16; i++) {
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		if (mfd >= 0) {
			long long v = memlock(mfd);

			mem += v > 0 ? v : 0;
			close(mfd);
		}
	}
	if (maps_mem)
		mem += *maps_mem;
	kib(m, sizeof(m), mem);
	printf("| %s | %u | %u | %u | %u | %s |\n", name,
	       pi.xlated_prog_len / 8, pi.xlated_prog_len, pi.jited_prog_len,
	       pi.verified_insns, m);
}

static int run_sizes(void)
{
	struct bpf_map *map;
	long long inner_mem = 0;
	__u32 zero = 0, inner_id;
	int inner_fd = -1;

	if (!bpf_map_lookup_elem(bpf_map__fd(g.skel->maps.px_policy_outer),
				 &zero, &inner_id))
		inner_fd = bpf_map_get_fd_by_id(inner_id);
	if (inner_fd >= 0)
		inner_mem = memlock(inner_fd);

	printf("### Program size\n\n");
	printf("Map memory is the kernel's memlock account (fdinfo) of every "
	       "map the program uses%s, "
	       "on this %d-CPU machine.\n\n",
	       ", portxdp's live inner policy map included", g.ncpu);
	printf("| program | instructions | xlated bytes | jited bytes | "
	       "verified insns | map memory |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	for (int j = 0; j < NPROG; j++)
		if (g.fd[j] >= 0)
			prog_row(prog_name[j], g.fd[j],
				 j == PROG_PX ? &inner_mem : NULL);

	printf("\n### Map memory\n\n");
	printf("| program | map | type | entries | value bytes | data | kernel "
	       "memlock |\n");
	printf("|---|---|---|---:|---:|---:|---:|\n");
	bpf_object__for_each_map(map, g.skel->obj)
		map_row("portxdp", bpf_map__fd(map));
	if (inner_fd >= 0) {
		map_row("portxdp (live policy)", inner_fd);
		close(inner_fd);
	}
	if (g.xf)
		bpf_object__for_each_map(map, g.xf)
			map_row("xdp-filter", bpf_map__fd(map));
	return 0;
}

/* ---- main ------------------------------------------------------------ */

/* libbpf's warnings only: xdp-filter's extra ELF sections are no news. */
static int print_warnings(enum libbpf_print_level level, const char *fmt,
			  va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: progbench [-n REPEAT] [-r ROUNDS] [-c CPU] [-d "
		   "DATFILE] [-x XDPFILT.o] [-f FLAGS [-b] | -z]\n"
		   "       progbench --sizes [-x XDPFILT.o]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"sizes", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{}};
	__u32 repeat = 1000000;
	int rounds = 11, cpu = -1, c, err;
	const char *datfile = NULL;
	bool sizes = false;

	while ((c = getopt_long(argc, argv, "n:r:c:d:x:f:bzh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			repeat = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'd':
			datfile = optarg;
			break;
		case 'x':
			g.xf_path = optarg;
			break;
		case 'f':
			g.flags = strtoul(optarg, NULL, 0);
			g.with_flags = true;
			break;
		case 'b':
			g.ban = true;
			break;
		case 'z':
			g.zones = g.with_flags = true;
			break;
		case 's':
			sizes = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (g.ban)
		g.flags |= PX_F_BANS; /* bans are looked at only then */
	if (g.ban && !g.with_flags) {
		fprintf(stderr, "progbench: -b goes with -f FLAGS\n");
		return 2;
	}
	if (!repeat || rounds < 1 || rounds > 256) {
		fprintf(stderr, "progbench: -n must be > 0 and -r 1..256\n");
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fprintf(stderr, "progbench: cannot pin to CPU %d: %s\n",
				cpu, strerror(errno));
	}
	if (g.zones && (g.ban || g.flags)) {
		fprintf(stderr, "progbench: -z goes alone (its policy sets the "
				"flags)\n");
		return 2;
	}
	libbpf_set_print(print_warnings);
	if (g.zones) {
		build_zone_packets();
		prog_name[PROG_PXF] = "portxdp, 16 zones";
		prog_name[PROG_XF] = "xdp-filter + 10,000 ip";
	} else {
		build_packets();
	}
	if (load_all())
		return 1;
	err = sizes ? run_sizes() : run_bench(repeat, rounds, datfile);
	for (int j = 0; j < NPROG; j++)
		if (j == PROG_PASS && g.fd[j] >= 0)
			close(g.fd[j]);
	bpf_object__close(g.xf);
	portxdp_bpf__destroy(g.skel);
	portxdp_bpf__destroy(g.skel_f);
	portxdp_bpf__destroy(g.skel_b);
	return err ? 1 : 0;
}
