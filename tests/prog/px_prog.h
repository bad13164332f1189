/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared harness for the BPF_PROG_TEST_RUN tests of the XDP program: load
 * it through the skeleton (which is also the verifier check), install
 * policies and read counters with the CLI's own code (user/maps.c, linked
 * from the build's libportxdp.a), build packets from small append-only
 * builders, run one packet and assert its verdict and exactly which
 * counters moved.
 *
 * Everything is static inline so each test file uses what it needs without
 * unused-function warnings. Test files call px_setup() once in main(), then
 * start every test with `if (!px_ready()) return;`, which prints the SKIP
 * reason when the program could not be loaded for lack of privilege.
 *
 * Both hooks' programs come from the one classifier (bpf/classify.h):
 * RUN_HOOKS(fn) runs a test on the XDP program as `fn`, then on the tc
 * program (on a __sk_buff) as `fn_tc`, with the same expectations.
 */
#ifndef PX_PROG_H
#define PX_PROG_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "portxdp.h"
#include "bans.h"
#include "filter.h"
#include "maps.h"
#include "maps_zone.h"
#include "policy.h"
#include "policy_zone.h"
#include "skel.h"
#include "check.h"

/* ---- packets --------------------------------------------------------- */

#define PKT_MAX 1024

struct pkt {
	__u8 b[PKT_MAX];
	size_t len;
};

static inline void *pkt_put(struct pkt *p, size_t n)
{
	void *at = p->b + p->len;

	if (p->len + n > PKT_MAX) {
		fprintf(stderr, "packet builder overflow\n");
		abort();
	}
	memset(at, 0, n);
	p->len += n;
	return at;
}

static inline void pkt_put16(__u8 *at, __u16 v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

/* Start a packet with an Ethernet header, ethertype in host order. */
static inline void pb_eth(struct pkt *p, __u16 type)
{
	static const __u8 mac[12] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
	__u8 *h;

	p->len = 0;
	h = pkt_put(p, 14);
	memcpy(h, mac, 12);
	pkt_put16(h + 12, type);
}

/* A VLAN tag (its TPID is the previous type): TCI, next ethertype. */
static inline void pb_vlan(struct pkt *p, __u16 next)
{
	__u8 *h = pkt_put(p, 4);

	pkt_put16(h, 100);
	pkt_put16(h + 2, next);
}

/*
 * IPv4 header with ihl 32-bit words (options as NOPs), protocol proto and
 * frag_off as the host-order 16-bit field (flags | offset in 8-byte units).
 */
static inline void pb_ip4(struct pkt *p, int ihl, __u8 proto, __u16 frag_off)
{
	int len = ihl >= 5 ? ihl * 4 : 20;
	__u8 *h = pkt_put(p, len);

	h[0] = 0x40 | (ihl & 0x0f);
	/* Total length without payload: the program goes by data_end. */
	pkt_put16(h + 2, len);
	pkt_put16(h + 6, frag_off);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, (const __u8[]){192, 0, 2, 1, 198, 51, 100, 1}, 8);
	for (int i = 20; i < len; i++)
		h[i] = 1; /* IPOPT_NOOP */
}

static inline void pb_ip6(struct pkt *p, __u8 nexthdr)
{
	__u8 *h = pkt_put(p, 40);

	h[0] = 0x60;
	h[6] = nexthdr;
	h[7] = 64;
	h[8] = 0x20, h[9] = 0x01, h[10] = 0x0d, h[11] = 0xb8, h[23] = 1;
	h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 2;
}

/* Hop-by-hop, routing or destination options: (hdrlen + 1) * 8 bytes. */
static inline void pb_ip6_opt(struct pkt *p, __u8 nexthdr, __u8 hdrlen)
{
	__u8 *h = pkt_put(p, (hdrlen + 1) * 8);

	h[0] = nexthdr;
	h[1] = hdrlen;
	/* PadN covering the rest, so the options are well formed. */
	h[2] = 1;
	h[3] = (hdrlen + 1) * 8 - 4;
}

/* Fragment header: offset in 8-byte units, more-fragments flag. */
static inline void pb_ip6_frag(struct pkt *p, __u8 nexthdr, __u16 offset,
			       int mf)
{
	__u8 *h = pkt_put(p, 8);

	h[0] = nexthdr;
	pkt_put16(h + 2, (offset << 3) | (mf ? 1 : 0));
	h[7] = 0x2a;
}

static inline void pb_tcp(struct pkt *p, __u16 dport)
{
	__u8 *h = pkt_put(p, 20);

	pkt_put16(h, 40000);
	pkt_put16(h + 2, dport);
	h[12] = 5 << 4;
	h[13] = 0x02; /* SYN */
	pkt_put16(h + 14, 65535);
}

static inline void pb_udp(struct pkt *p, __u16 dport)
{
	__u8 *h = pkt_put(p, 8);

	pkt_put16(h, 40000);
	pkt_put16(h + 2, dport);
	pkt_put16(h + 4, 8);
}

/* ICMP or ICMPv6: type, code, then 6 bytes (id, sequence for echo). */
static inline void pb_icmp(struct pkt *p, __u8 type, __u8 code)
{
	__u8 *h = pkt_put(p, 8);

	h[0] = type;
	h[1] = code;
	h[5] = 1;
}

static inline void pb_bytes(struct pkt *p, size_t n, __u8 fill)
{
	memset(pkt_put(p, n), fill, n);
}

static inline void pb_cut(struct pkt *p, size_t n)
{
	p->len -= n;
}

/* Canned packets, rebuilt into the caller's struct from the same builders. */
static inline void pkt_tcp4(struct pkt *p, __u16 dport)
{
	pb_eth(p, 0x0800);
	pb_ip4(p, 5, 6, 0);
	pb_tcp(p, dport);
}

static inline void pkt_udp4(struct pkt *p, __u16 dport)
{
	pb_eth(p, 0x0800);
	pb_ip4(p, 5, 17, 0);
	pb_udp(p, dport);
}

static inline void pkt_tcp6(struct pkt *p, __u16 dport)
{
	pb_eth(p, 0x86dd);
	pb_ip6(p, 6);
	pb_tcp(p, dport);
}

static inline void pkt_udp6(struct pkt *p, __u16 dport)
{
	pb_eth(p, 0x86dd);
	pb_ip6(p, 17);
	pb_udp(p, dport);
}

/* ---- policies -------------------------------------------------------- */

static inline void pol_init(struct px_policy *pol, bool all_open, __u32 flags)
{
	memset(pol, 0, sizeof(*pol));
	if (all_open)
		memset(pol->open, 0xff, sizeof(pol->open));
	pol->flags = flags;
	snprintf(pol->source, sizeof(pol->source), "tests/prog");
}

static inline void pol_set(struct px_policy *pol, int proto, __u32 port,
			   bool open)
{
	__u64 bit = 1ULL << (port % 64);

	if (open)
		pol->open[proto][port / 64] |= bit;
	else
		pol->open[proto][port / 64] &= ~bit;
}

/* ---- the loaded program ---------------------------------------------- */

/* Which program px_run() runs. */
enum px_test_hook {
	PX_TEST_XDP,
	PX_TEST_TC,
};

static struct {
	struct portxdp_bpf *skel;
	int prog_fd; /* the program under test: xdp_fd or tc_fd */
	int xdp_fd, tc_fd, outer_fd, counters_fd, totals_fd;
	enum px_test_hook hook;
	struct maps_counters *counters; /* the counter map, kept mapped */
	int ncpu;
	int load_err;
	bool no_priv;
} px;

static inline int px_setup(void)
{
	px.ncpu = libbpf_num_possible_cpus();
	if (geteuid() != 0) {
		px.no_priv = true;
		return -EPERM;
	}
	px.skel = px_skel_load();
	if (!px.skel) {
		px.load_err = -errno;
		if (errno == EPERM)
			px.no_priv = true;
		return px.load_err;
	}
	px.xdp_fd = bpf_program__fd(px.skel->progs.portxdp);
	px.tc_fd = bpf_program__fd(px.skel->progs.portxdp_tc);
	px.prog_fd = px.xdp_fd;
	px.outer_fd = bpf_map__fd(px.skel->maps.px_policy_outer);
	px.counters_fd = bpf_map__fd(px.skel->maps.px_counters);
	px.totals_fd = bpf_map__fd(px.skel->maps.px_totals_map);
	px.counters = maps_counters_open(px.counters_fd);
	if (!px.counters) {
		px.load_err = -errno;
		return px.load_err;
	}
	return 0;
}

static inline void px_teardown(void)
{
	maps_counters_close(px.counters);
	portxdp_bpf__destroy(px.skel);
}

/* Without privilege: SKIP. Loaded as root but failed: FAIL (verifier). */
static inline bool px_ready(void)
{
	if (px.no_priv) {
		SKIP("BPF_PROG_TEST_RUN needs root (CAP_BPF, CAP_NET_ADMIN)");
		return false;
	}
	return ASSERT_OK(px.load_err, "skeleton load (verifier)");
}

/*
 * Install pol with the CLI's installer (maps_install_policy): a complete
 * new inner map, then one update of the outer slot.
 */
static inline int px_install(const struct px_policy *pol)
{
	static struct px_policy copy; /* the installer stamps applied_at */

	copy = *pol;
	return maps_install_policy(px.outer_fd, &copy);
}

static inline int px_uninstall(void)
{
	__u32 zero = 0;

	if (bpf_map_delete_elem(px.outer_fd, &zero) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Install pol, failing the running test when that does not work. */
#define INSTALL(pol) ASSERT_OK(px_install(pol), "install policy")

static inline void px_use(enum px_test_hook hook)
{
	px.hook = hook;
	px.prog_fd = hook == PX_TEST_TC ? px.tc_fd : px.xdp_fd;
}

/* Run fn on the XDP program, then on the tc program as fn_tc. */
#define RUN_HOOKS(fn)                                                          \
	do {                                                                   \
		px_use(PX_TEST_XDP);                                           \
		check_run(#fn, fn);                                            \
		px_use(PX_TEST_TC);                                            \
		check_run(#fn "_tc", fn);                                      \
		px_use(PX_TEST_XDP);                                           \
	} while (0)

/*
 * Can the kernel's test run hand p to the program under test? Every frame
 * reaches the XDP program. For a __sk_buff the test run refuses (EINVAL) a
 * frame shorter than Ethernet (no skb is), and an untagged IPv4 or IPv6
 * frame too short for its fixed IP header: such skbs do reach tc on a
 * live interface, and are judged malformed there as in XDP, but these
 * tests cannot make one.
 */
static inline bool px_deliverable(const struct pkt *p)
{
	__u16 type;

	if (px.hook == PX_TEST_XDP)
		return true;
	if (p->len < 14)
		return false;
	type = (__u16)(p->b[12] << 8 | p->b[13]);
	if (type == 0x0800)
		return p->len >= 14 + 20;
	if (type == 0x86dd)
		return p->len >= 14 + 40;
	return true;
}

/*
 * Run p once; *retval in XDP's numbers whatever the hook, so expectations
 * are written once: the tc program's TC_ACT_SHOT (TCX_DROP) is XDP_DROP,
 * TC_ACT_UNSPEC (TCX_NEXT) XDP_PASS, anything else 100 + its value (never
 * an expected verdict).
 */
static inline int px_run(const struct pkt *p, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b,
		    .data_size_in = (__u32)p->len, .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(px.prog_fd, &opts);
	*retval = opts.retval;
	if (px.hook == PX_TEST_TC)
		*retval = (int)opts.retval == TC_ACT_SHOT ? XDP_DROP
			  : (int)opts.retval == TC_ACT_UNSPEC
				  ? XDP_PASS
				  : 100 + opts.retval;
	return err ? -errno : 0;
}

/* p's verdict as px_run gives it, or -1 when the run failed. */
static inline int px_verdict(const struct pkt *p)
{
	__u32 ret = 0;

	if (px_run(p, &ret))
		return -1;
	return (int)ret;
}

#define PASSES(p, what) ASSERT_EQ(px_verdict(p), XDP_PASS, what)
#define DROPS(p, what) ASSERT_EQ(px_verdict(p), XDP_DROP, what)

/*
 * The totals map alone: dropped/passed there leave out the packets judged
 * by their port, which count in their port counter only, and banned and
 * dropped leave out the banned sources' drops, which count in the ban
 * cache only (px_ban_slot_dropped; cheap enough to read once a packet,
 * for the differential test).
 */
static inline int px_totals_raw(struct px_totals *sum)
{
	return maps_read_totals(px.totals_fd, -1, NULL, sum);
}

/* The drops slot i of the ban cache counted, summed over CPUs (the share
 * of totals.banned px_totals_raw leaves out), or ~0 when unreadable. */
static inline __u64 px_ban_slot_dropped(__u32 i)
{
	static struct px_ban_slot *v;
	int ncpus = maps_ncpus();
	__u64 n = 0;

	if (!v && ncpus > 0)
		v = calloc((size_t)ncpus, sizeof(*v)); /* for the run */
	if (!v ||
	    bpf_map_lookup_elem(bpf_map__fd(px.skel->maps.px_ban_cache), &i, v))
		return ~0ULL;
	for (int c = 0; c < ncpus; c++)
		n += v[c].dropped;
	return n;
}

/* Totals and one port counter, read as `stats` reads them. */
static inline int px_totals(struct px_totals *sum)
{
	static struct px_port_counter ports[PX_COUNTER_KEYS];
	int err = maps_counters_read(px.counters, ports);

	return err ? err
		   : maps_read_totals(px.totals_fd,
				      bpf_map__fd(px.skel->maps.px_ban_cache),
				      ports, sum);
}

static inline int px_counter(__u32 key, struct px_port_counter *sum)
{
	return maps_counters_read_key(px.counters, key, sum);
}

/*
 * Set every CPU's slots of every key to near-full values (65535 - key % 3
 * for dropped, 65535 - key % 5 for passed), writing through a mmap of the
 * counter map, so the next packets on any key and CPU wrap: what stats
 * reads must stay exact across them. The test's own shortcut; the program
 * alone writes slots in use. 0 or -errno.
 */
static inline int px_counters_near_wrap(void)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct px_slice *m;
	size_t size;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(px.counters_fd, &info, &len))
		return -errno;
	size = (size_t)info.max_entries * info.value_size;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, px.counters_fd,
		 0);
	if (m == MAP_FAILED)
		return -errno;
	for (__u32 c = PX_CTR_FIXED; c < info.max_entries; c++)
		for (__u32 k = 0; k < PX_COUNTER_KEYS; k++) {
			m[c].slot[k].dropped = PX_SLOT_MAX - k % 3;
			m[c].slot[k].passed = PX_SLOT_MAX - k % 5;
		}
	munmap(m, size);
	return 0;
}

/* ---- one packet, one expectation ------------------------------------- */

/* Counter references for struct want: 0 means "none". */
#define TCPK(port) (1 + PX_TCP * PX_PORTS + (port))
#define UDPK(port) (1 + PX_UDP * PX_PORTS + (port))

struct want {
	int ret;	 /* XDP_DROP / XDP_PASS */
	__u32 counter;	 /* TCPK()/UDPK() that moves by one, by ret; 0: none */
	__u32 untouched; /* TCPK()/UDPK() that must not move; 0: none */
	/* totals beyond dropped/passed that must move by one (others stay) */
	bool malformed, fragments, non_ip, ping, replies;
};

/*
 * Run p once and check: the verdict; totals.dropped or .passed moved by
 * exactly one, the named reason fields by one and every other field not at
 * all; the named per-port counter by one on the verdict's side; the
 * untouched counter not at all. what names the case in failure messages.
 */
static inline bool expect_pkt(const char *what, const struct pkt *p,
			      struct want w)
{
	struct px_totals t0, t1;
	struct px_port_counter c0 = {}, c1 = {}, u0 = {}, u1 = {};
	bool drop = w.ret == XDP_DROP;
	char m[192];
	__u32 ret = 0;
	bool ok = true;

	if (!px_deliverable(p))
		return true;
#define CHK(cond, fmt, ...)                                                    \
	do {                                                                   \
		snprintf(m, sizeof(m), "%s: " fmt, what, ##__VA_ARGS__);       \
		ok &= check_report((cond), __FILE__, __LINE__, m, #cond);      \
	} while (0)

	CHK(!px_totals(&t0), "read totals");
	if (w.counter)
		CHK(!px_counter(w.counter - 1, &c0), "read counter");
	if (w.untouched)
		CHK(!px_counter(w.untouched - 1, &u0), "read counter");

	CHK(!px_run(p, &ret), "bpf_prog_test_run_opts");
	snprintf(m, sizeof(m), "%s: verdict (1 drop, 2 pass)", what);
	ok &= ASSERT_EQ(ret, w.ret, m);

	CHK(!px_totals(&t1), "read totals");
	CHK(t1.dropped - t0.dropped == (drop ? 1u : 0u), "totals.dropped +%llu",
	    (unsigned long long)(t1.dropped - t0.dropped));
	CHK(t1.passed - t0.passed == (drop ? 0u : 1u), "totals.passed +%llu",
	    (unsigned long long)(t1.passed - t0.passed));
	CHK(t1.malformed - t0.malformed == w.malformed,
	    "totals.malformed +%llu",
	    (unsigned long long)(t1.malformed - t0.malformed));
	CHK(t1.fragments - t0.fragments == w.fragments,
	    "totals.fragments +%llu",
	    (unsigned long long)(t1.fragments - t0.fragments));
	CHK(t1.non_ip - t0.non_ip == w.non_ip, "totals.non_ip +%llu",
	    (unsigned long long)(t1.non_ip - t0.non_ip));
	CHK(t1.ping_dropped - t0.ping_dropped == (w.ping && drop),
	    "totals.ping_dropped +%llu",
	    (unsigned long long)(t1.ping_dropped - t0.ping_dropped));
	CHK(t1.ping_passed - t0.ping_passed == (w.ping && !drop),
	    "totals.ping_passed +%llu",
	    (unsigned long long)(t1.ping_passed - t0.ping_passed));
	CHK(t1.replies - t0.replies == w.replies, "totals.replies +%llu",
	    (unsigned long long)(t1.replies - t0.replies));

	if (w.counter) {
		CHK(!px_counter(w.counter - 1, &c1), "read counter");
		CHK(c1.dropped - c0.dropped == (drop ? 1u : 0u),
		    "counter[%u].dropped +%llu", w.counter - 1,
		    (unsigned long long)(c1.dropped - c0.dropped));
		CHK(c1.passed - c0.passed == (drop ? 0u : 1u),
		    "counter[%u].passed +%llu", w.counter - 1,
		    (unsigned long long)(c1.passed - c0.passed));
	}
	if (w.untouched) {
		CHK(!px_counter(w.untouched - 1, &u1), "read counter");
		CHK(u1.dropped == u0.dropped && u1.passed == u0.passed,
		    "counter[%u] must not move", w.untouched - 1);
	}
#undef CHK
	return ok;
}

/* Shorthands for the common expectations. */
#define W_PASS ((struct want){.ret = XDP_PASS})
#define W_DROP ((struct want){.ret = XDP_DROP})
#define W_MALFORMED ((struct want){.ret = XDP_DROP, .malformed = true})
#define W_NON_IP ((struct want){.ret = XDP_PASS, .non_ip = true})

/* The loaded program's zone maps, as the filter module hands them over. */
static inline struct px_zone_maps px_zone_maps(void)
{
	return (struct px_zone_maps){
		.policy = px.outer_fd,
		.zones = bpf_map__fd(px.skel->maps.px_zone_outer),
		.zone4 = bpf_map__fd(px.skel->maps.px_zone4_outer),
		.zone6 = bpf_map__fd(px.skel->maps.px_zone6_outer),
		.counts = bpf_map__fd(px.skel->maps.px_zone_counts),
	};
}

/* The loaded program's ban maps, as the filter module hands them over. */
static inline struct px_filter px_ban_filter(void)
{
	return (struct px_filter){
		.bans_fd = bpf_map__fd(px.skel->maps.px_bans),
		.scan_fd = bpf_map__fd(px.skel->maps.px_scan_map),
		.ban_cache_fd = bpf_map__fd(px.skel->maps.px_ban_cache),
		.ban_gen_fd = bpf_map__fd(px.skel->maps.data_px_ban_gen),
	};
}

/*
 * Parse a policy text with its zones into *pol (messages dropped) and
 * install it as apply does: PX_F_BANS by the bans there are
 * (bans_policy_flag), then the zone maps and the swap. 0 or -errno.
 */
static inline int px_install_text(const char *text, struct px_policy *pol)
{
	struct px_filter f = px_ban_filter();
	struct px_zone_maps m = px_zone_maps();
	struct px_zoneset *zs = NULL;
	FILE *null = fopen("/dev/null", "w");
	int err =
		policy_text_zoned("t.policy", text, NULL, pol, &zs, NULL, null);

	if (null)
		fclose(null);
	if (!err) {
		bans_policy_flag(&f, pol);
		err = maps_install_zoned(&m, pol, zs, false);
	}
	zoneset_free(zs);
	return err;
}

#endif /* PX_PROG_H */
