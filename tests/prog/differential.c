// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Differential test of the XDP program against the reference classifier
 * (tests/ref/reference.h, design.md section 5 written plainly and separately):
 * every packet goes through BPF_PROG_TEST_RUN and through the reference under
 * the same policy, and the verdict and the counters that moved must agree.
 *
 * Counters are checked without reading every CPU's slice per packet: a model
 * holds what every counter should be. After each packet the totals (one
 * small lookup) must equal the model's plus the reference's expectation,
 * and so must the one port counter the reference says moves. Every
 * CHECK_EVERY packets, and at the end, all port counters are read (as
 * `stats` reads them, through user/maps.c) and compared with the model, which
 * catches a counter that moved although the reference expected none; the
 * packets of that window are then replayed watching the keys that differ, to
 * name the packet.
 *
 * The random run starts with every CPU's 16-bit slot of every port one to
 * five packets short of its wrap (include/portxdp.h), so the counters are
 * compared exactly across wraps.
 *
 * Packets come from tests/ref/packets.h, seeded: packet i of seed s is the
 * same bytes on every run. A disagreement is printed and written to
 * tests/corpus/ as a .pkt file (hex), and every .pkt file there is replayed
 * on every run under all eight policy shapes (ports all open or all closed,
 * ping open or closed, fragments pass or drop), so it stays fixed.
 *
 * Zones, blocks and bans (design.md sections 8 and 10) have a run of
 * their own, as long: a random zone layout every EPOCH packets
 * (tests/ref/layouts.h), written as policy text and installed as the CLI
 * does (the parser, user/bans.c for bans by hand, user/maps_zone.c for
 * the maps), packets mostly from sources inside, beside and outside its
 * prefixes. Per packet it also checks the zone counter and the ban drop
 * the reference names; at each epoch's end every zone's counts, every
 * ban (reason, drops) and every source's scan count. Ban windows are a
 * day, chosen so the clock does not cross one in the epoch, so the
 * count is deterministic; bans by hand (some already over) and rules
 * with N from 1 to 32 drive both steps of bans.
 *
 * Tests: the reference against hand-written answers (ports, then zones
 * and bans); every canonical shape cut at every length; the corpus; then
 * the random runs, without and with zones.
 *   differential [--packets N] [--seed S] [--corpus DIR] [--only I]
 * Defaults: 50000 packets a run (`make test`), seed 1, tests/corpus.
 * `make fuzz-packets` runs 1000000 each. --only I prints packet I of the
 * run without zones and both verdicts, to debug one disagreement; in the
 * run with zones a packet depends on the bans before it, so a report
 * names the seed and packet and prints the layout instead.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <time.h>

#include "px_prog.h"
#include "bans.h"
#include "maps_zone.h"
#include "policy.h"
#include "../ref/reference.h"
#include "../ref/packets.h"
#include "../ref/layouts.h"

#define CHECK_EVERY 8192 /* packets between full counter comparisons */
#define EPOCH 1000	 /* packets under one random policy */
#define MAX_REPORTS 20	 /* disagreements printed and written per run */
#define MAX_KEYS 16	 /* keys watched when locating a stray counter */

static unsigned long long opt_packets = 50000, opt_seed = 1;
static long long opt_only = -1;
static const char *opt_corpus = "tests/corpus";

/* What the counters should be now. */
static struct {
	struct px_totals tot;
	struct px_port_counter *ctr; /* PX_COUNTER_KEYS */
	struct px_port_counter *now; /* scratch for full reads */
	/* zone layouts: the per-zone counts, and which zone index the
	 * installed layout gave each of the reference's zones */
	struct px_zone_count zc[PX_ZONE_ENTRIES];
	unsigned int zone_idx[REF_ZONES_MAX + 1];
	const char *layout; /* the layout's text, for reports; NULL: none */
	bool layout_shown;
	/* the ban cache's counts per slot (summed over CPUs) and in all:
	 * the share of totals.banned the totals map leaves out */
	__u64 slot[PX_BAN_CACHE_SLOTS], slots;
} model;

static unsigned long long disagreements, written;

/* ---- reading the maps -------------------------------------------------- */

/* Counters read through user/maps.c, as `stats` reads them. */
static int read_counter(__u32 key, struct px_port_counter *sum)
{
	return maps_counters_read_key(px.counters, key, sum);
}

static int read_counters(struct px_port_counter *out)
{
	return maps_counters_read(px.counters, out);
}

/* Every slot of the ban cache into model.slot[]; the sum. */
static __u64 read_slots(void)
{
	__u64 sum = 0;

	for (__u32 i = 0; i < PX_BAN_CACHE_SLOTS; i++) {
		model.slot[i] = px_ban_slot_dropped(i);
		sum += model.slot[i];
	}
	return sum;
}

static bool sync_model(void)
{
	if (!ASSERT_OK(px_totals_raw(&model.tot), "read totals") ||
	    !ASSERT_OK(read_counters(model.ctr), "read counters"))
		return false;
	model.slots = read_slots();
	model.tot.banned += model.slots;
	model.tot.dropped += model.slots;
	return true;
}

/*
 * The totals as `stats` adds them up, cheaply enough for every packet:
 * the ban cache's counts are model.slot[]'s but for slot i, read again
 * into *now (a packet's ban counts in its source's slot only; the checks
 * every CHECK_EVERY packets read every slot).
 */
static int read_totals(struct px_totals *t, __u32 i, __u64 *now)
{
	int err = px_totals_raw(t);
	__u64 n;

	*now = px_ban_slot_dropped(i);
	if (err || *now == ~0ULL)
		return err ? err : -EIO;
	n = model.slots - model.slot[i] + *now;
	t->banned += n;
	t->dropped += n;
	return 0;
}

/* The packet's slot read again: its count into the model. */
static void keep_slot(__u32 i, __u64 now)
{
	model.slots += now - model.slot[i];
	model.slot[i] = now;
}

/* ---- describing what happened ------------------------------------------- */

static const char *verdict_name(int action)
{
	return action == XDP_DROP   ? "DROP"
	       : action == XDP_PASS ? "PASS"
				    : "OTHER";
}

static const char *reason_name(enum ref_reason r)
{
	static const char *const names[] = {
		"",	  " +malformed", " +fragments", " +non_ip",
		" +ping", " +replies",	 " +blocked",	" +banned"};

	_Static_assert(sizeof(names) / sizeof(names[0]) == REF_REASONS,
		       "a name for every reason");
	return names[r];
}

/* The totals fields that moved from a to b, as " +field" words. */
static void totals_moved(const struct px_totals *a, const struct px_totals *b,
			 char *buf, size_t len)
{
	static const char *const names[] = {
		"dropped", "passed",	   "malformed",	  "fragments",
		"non_ip",  "ping_dropped", "ping_passed", "blocked",
		"replies", "banned"};
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	size_t used = 0;

	_Static_assert(sizeof(struct px_totals) ==
			       sizeof(names) / sizeof(names[0]) * 8,
		       "names cover every totals field");
	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (y[i] != x[i] && used < len)
			used += (size_t)snprintf(buf + used, len - used,
						 " %s%+lld", names[i],
						 (long long)(y[i] - x[i]));
}

/* The port counters that moved between model.ctr and model.now. */
static void ports_moved(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (__u32 k = 0; k < PX_COUNTER_KEYS && used < len; k++) {
		const struct px_port_counter *a = &model.ctr[k],
					     *b = &model.now[k];

		if (a->dropped != b->dropped || a->passed != b->passed)
			used += (size_t)snprintf(
				buf + used, len - used,
				" %u/%s:dropped%+lld,passed%+lld", k % PX_PORTS,
				k / PX_PORTS ? "udp" : "tcp",
				(long long)(b->dropped - a->dropped),
				(long long)(b->passed - a->passed));
	}
}

static void hexdump(FILE *f, const __u8 *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x%s", b[i],
			i % 16 == 15 || i + 1 == len ? "\n" : " ");
}

/*
 * One disagreement: printed (two-space detail lines) and, for generated
 * packets, written to the corpus so `make test` replays it forever after.
 */
static void report(const char *origin, const char *shape, const __u8 *b,
		   size_t len, const struct px_policy *pol,
		   const char *bpf_said, const struct ref_verdict *v,
		   const char *file_name)
{
	char ref_said[160], path[PATH_MAX];
	FILE *f;

	disagreements++;
	snprintf(ref_said, sizeof(ref_said), "%s%s%s (%s)",
		 verdict_name(v->action), reason_name(v->reason),
		 v->proto < 0	      ? ""
		 : v->proto == PX_TCP ? " +port tcp"
				      : " +port udp",
		 v->why);
	if (disagreements > MAX_REPORTS)
		return;
	if (model.layout && !model.layout_shown) {
		model.layout_shown = true;
		printf("  under this zone layout:\n    | ");
		for (const char *c = model.layout; *c; c++)
			printf(c[1] && *c == '\n' ? "\n    | " : "%c", *c);
		printf("\n");
	}
	printf("  DISAGREE %s (%s), policy flags 0x%x\n", origin, shape,
	       pol->flags);
	printf("    bpf:       %s\n    reference: %s\n", bpf_said, ref_said);
	if (v->proto >= 0)
		printf("    port %u/%s is %s in the policy\n", v->port,
		       v->proto == PX_TCP ? "tcp" : "udp",
		       ref_port_open(pol, v->proto, v->port) ? "open"
							     : "closed");
	hexdump(stdout, b, len);
	if (!file_name)
		return;
	snprintf(path, sizeof(path), "%s/%s", opt_corpus, file_name);
	f = fopen(path, "w");
	if (!f) {
		printf("    cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f,
		"# portxdp differential test: a packet on which the XDP "
		"program\n"
		"# and the reference classifier (tests/ref/reference.h) "
		"disagreed.\n"
		"# tests/prog/differential replays it under every policy "
		"shape.\n"
		"# found: %s, policy flags 0x%x\n# shape: %s\n"
		"# bpf: %s\n# reference: %s\n",
		origin, pol->flags, shape, bpf_said, ref_said);
	hexdump(f, b, len);
	fclose(f);
	written++;
	printf("    written to %s\n", path);
}

/* ---- one packet -------------------------------------------------------------
 */

/* What the totals map itself adds for v: dropped/passed only for packets
 * without a port counter (those with one add to it instead). */
static void expect_totals(struct px_totals *t, const struct ref_verdict *v)
{
	bool drop = v->action == REF_DROP;

	if (v->proto < 0 && drop)
		t->dropped++;
	else if (v->proto < 0)
		t->passed++;
	switch (v->reason) {
	case REF_MALFORMED:
		t->malformed++;
		break;
	case REF_FRAGMENT:
		t->fragments++;
		break;
	case REF_NON_IP:
		t->non_ip++;
		break;
	case REF_PING:
		if (drop)
			t->ping_dropped++;
		else
			t->ping_passed++;
		break;
	case REF_REPLY:
		t->replies++;
		break;
	case REF_BLOCKED:
		t->blocked++;
		break;
	case REF_BANNED:
		t->banned++;
		break;
	case REF_NONE:
	case REF_REASONS:
		break;
	}
}

/* ---- zones and bans: their own counters ---------------------------------
 */

static int fd_of(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Zone index z's counts summed over CPUs. */
static int zone_count_read(__u32 z, struct px_zone_count *out)
{
	static struct px_zone_count v[1024];

	memset(out, 0, sizeof(*out));
	if (px.ncpu > 1024 ||
	    bpf_map_lookup_elem(fd_of(px.skel->maps.px_zone_counts), &z, v))
		return -errno;
	for (int c = 0; c < px.ncpu; c++) {
		out->dropped += v[c].dropped;
		out->passed += v[c].passed;
		out->blocked += v[c].blocked;
	}
	return 0;
}

static void ban_key(struct px_ban_key *k, const struct ref_ban_key *r)
{
	memset(k, 0, sizeof(*k));
	k->family = (__u32)r->family;
	memcpy(k->addr, r->addr, 8);
}

static const char *key_str(const struct ref_ban_key *k, char *buf, size_t n)
{
	__u8 a[16] = {0};

	if (k->family == PX_BAN_LINK_LOCAL) {
		a[0] = 0xfe;
		a[1] = 0x80;
		memcpy(a + 8, k->addr, 8);
	} else {
		memcpy(a, k->addr, k->family == 4 ? 4 : 8);
	}
	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)n);
	if (k->family == 6)
		strncat(buf, "/64", n - strlen(buf) - 1);
	return buf;
}

/*
 * After packet v ran: did the zone counter the reference names move by
 * one on its side, did the ban that dropped it count it, and, when the
 * packet made a ban (made), is that ban in the map? What is wrong goes
 * into why. The model takes the program's counts either way.
 */
static bool sources_ok(const struct ref_verdict *v, bool made, char *why,
		       size_t n)
{
	struct px_zone_count c, *m;
	struct px_ban b;
	struct px_ban_key k;
	char a[64];
	__u32 z;
	bool ok = true;

	why[0] = '\0';
	if (v->zone) {
		z = model.zone_idx[v->zone];
		m = &model.zc[z];
		if (zone_count_read(z, &c))
			return false;
		ok = c.dropped == m->dropped + (v->zcount == REF_ZC_DROPPED) &&
		     c.passed == m->passed + (v->zcount == REF_ZC_PASSED) &&
		     c.blocked == m->blocked + (v->zcount == REF_ZC_BLOCKED);
		if (!ok)
			snprintf(
				why, n,
				" zone %u (index %u): dropped%+lld passed%+lld "
				"blocked%+lld",
				v->zone, z, (long long)(c.dropped - m->dropped),
				(long long)(c.passed - m->passed),
				(long long)(c.blocked - m->blocked));
		*m = c;
	}
	if (v->ban >= 0) {
		struct px_filter f = px_ban_filter();
		struct ban_entry e = {0};

		ban_key(&k, &v->src);
		e.src = k;
		if (bpf_map_lookup_elem(fd_of(px.skel->maps.px_bans), &k, &b) ||
		    (e.ban = b, bans_cached_drops(&f, &e, 1)) ||
		    (b.dropped = e.ban.dropped) !=
			    ref_bans.ban[v->ban].dropped) {
			ok = false;
			snprintf(why + strlen(why), n - strlen(why),
				 " ban of %s: dropped %llu, reference %llu",
				 key_str(&v->src, a, sizeof(a)),
				 (unsigned long long)b.dropped,
				 (unsigned long long)ref_bans.ban[v->ban]
					 .dropped);
		}
	}
	if (made) {
		ban_key(&k, &v->src);
		if (bpf_map_lookup_elem(fd_of(px.skel->maps.px_bans), &k, &b) ||
		    b.reason != PX_BAN_SCAN) {
			ok = false;
			snprintf(why + strlen(why), n - strlen(why),
				 " the scan ban of %s is not in the map",
				 key_str(&v->src, a, sizeof(a)));
		}
	}
	return ok;
}

/*
 * Run b through both and compare verdict, totals and the expected port
 * counter with the model; keep the model in step. Returns true when they
 * agree. file_name: where a disagreement goes in the corpus (NULL: not).
 */
/* Packets the test run cannot hand to the program under test (px_prog.h). */
static unsigned long long undeliverable;

static bool check_packet(const __u8 *b, size_t len, const struct px_policy *pol,
			 const char *origin, const char *shape,
			 const char *file_name)
{
	struct px_totals want, got;
	struct px_port_counter c = {0};
	struct ref_verdict v;
	struct pkt p;
	__u32 ret = 0, key = 0, slot;
	__u64 addr = 0, slot_now;
	bool ok, made;
	char bpf_said[1024], moved[768], why[256] = "";

	ref_classify(b, len, pol, &v);
	memcpy(&addr, v.src.addr, sizeof(addr));
	slot = px_ban_slot_of(addr);
	memcpy(p.b, b, len);
	p.len = len;
	if (!px_deliverable(&p)) {
		undeliverable++;
		return true;
	}
	if (!ASSERT_OK(px_run(&p, &ret), "bpf_prog_test_run_opts") ||
	    !ASSERT_OK(read_totals(&got, slot, &slot_now), "read totals"))
		return false;
	keep_slot(slot, slot_now);
	want = model.tot;
	expect_totals(&want, &v);
	ok = ret == (__u32)v.action && !memcmp(&want, &got, sizeof(got));
	made = ref_commit(&v);
	if (v.zone || v.ban >= 0 || made)
		ok &= sources_ok(&v, made, why, sizeof(why));
	if (v.proto >= 0) {
		key = (__u32)v.proto * PX_PORTS + v.port;
		if (!ASSERT_OK(read_counter(key, &c), "read counter"))
			return false;
		if (v.action == REF_DROP)
			ok &= c.dropped == model.ctr[key].dropped + 1 &&
			      c.passed == model.ctr[key].passed;
		else
			ok &= c.passed == model.ctr[key].passed + 1 &&
			      c.dropped == model.ctr[key].dropped;
	}
	if (ok) {
		model.tot = got;
		if (v.proto >= 0)
			model.ctr[key] = c;
		return true;
	}
	/* Say exactly what the program moved, then take it as the new state. */
	totals_moved(&model.tot, &got, moved, sizeof(moved));
	snprintf(bpf_said, sizeof(bpf_said), "%s,%s%s", verdict_name((int)ret),
		 moved, why);
	if (!read_counters(model.now)) {
		ports_moved(moved, sizeof(moved));
		snprintf(bpf_said + strlen(bpf_said),
			 sizeof(bpf_said) - strlen(bpf_said), " ports:%s",
			 moved[0] ? moved : " none");
		memcpy(model.ctr, model.now,
		       sizeof(*model.ctr) * PX_COUNTER_KEYS);
	}
	model.tot = got;
	report(origin, shape, b, len, pol, bpf_said, &v, file_name);
	return false;
}

/* ---- the eight policy shapes ----------------------------------------------
 */

static void shape_policy(struct px_policy *pol, unsigned int s)
{
	pol_init(pol, s & 1,
		 (s & 2 ? PX_F_PING_OPEN : 0) | (s & 4 ? PX_F_FRAG_DROP : 0));
}

/* ---- the tests --------------------------------------------------------------
 */

/* The reference itself, against answers written by hand from design.md
 * section 5. */
static void reference_known_answers(void)
{
	static struct px_policy pol;
	struct ref_verdict v;
	struct pkt p;

#define REF(what, act, rsn)                                                    \
	do {                                                                   \
		ref_classify(p.b, p.len, &pol, &v);                            \
		ASSERT_EQ(v.action, act, what ": verdict");                    \
		ASSERT_EQ(v.reason, rsn, what ": reason");                     \
	} while (0)

	pol_init(&pol, false, 0);
	pol_set(&pol, PX_TCP, 22, true);
	pol_set(&pol, PX_UDP, 53, true);
	pol_set(&pol, PX_TCP, 0, true);

	pkt_tcp4(&p, 22);
	REF("tcp4 22 open", REF_PASS, REF_NONE);
	ASSERT_EQ(v.proto, PX_TCP, "tcp4 22: counter proto");
	ASSERT_EQ(v.port, 22, "tcp4 22: counter port");
	pkt_tcp4(&p, 23);
	REF("tcp4 23 closed", REF_DROP, REF_NONE);
	pkt_tcp4(&p, 0);
	REF("tcp4 port 0 (open in policy)", REF_DROP, REF_NONE);
	ASSERT_EQ(v.port, 0, "port 0 counted");
	pkt_udp6(&p, 53);
	REF("udp6 53 open", REF_PASS, REF_NONE);
	pkt_udp6(&p, 22);
	REF("udp6 22 closed (tcp only)", REF_DROP, REF_NONE);

	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x88a8);
	pb_vlan(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0);
	pb_tcp(&p, 22);
	REF("two tags", REF_PASS, REF_NONE);
	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x8100);
	pb_vlan(&p, 0x8100);
	pb_vlan(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0);
	pb_tcp(&p, 22);
	REF("three tags", REF_DROP, REF_MALFORMED);

	pb_eth(&p, 0x0800);
	pb_ip4(&p, 15, 17, 0);
	pb_udp(&p, 53);
	REF("ipv4 options", REF_PASS, REF_NONE);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 4, 17, 0);
	pb_udp(&p, 53);
	REF("ihl 4", REF_DROP, REF_MALFORMED);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 15, 17, 0);
	pb_cut(&p, 40);
	REF("ihl past the packet", REF_DROP, REF_MALFORMED);
	pkt_tcp4(&p, 22);
	pb_cut(&p, 1);
	REF("tcp 19 bytes", REF_DROP, REF_MALFORMED);
	pkt_udp4(&p, 53);
	pb_cut(&p, 1);
	REF("udp 7 bytes", REF_DROP, REF_MALFORMED);

	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 0);
	for (int i = 0; i < 7; i++)
		pb_ip6_opt(&p, 60, 0);
	pb_ip6_opt(&p, 17, 1);
	pb_udp(&p, 53);
	REF("eight extension headers", REF_PASS, REF_NONE);
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 0);
	for (int i = 0; i < 8; i++)
		pb_ip6_opt(&p, 60, 0);
	pb_ip6_opt(&p, 17, 0);
	pb_udp(&p, 53);
	REF("nine extension headers", REF_DROP, REF_MALFORMED);
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 43);
	pb_ip6_opt(&p, 17, 2);
	pb_cut(&p, 1);
	REF("extension header cut short", REF_DROP, REF_MALFORMED);

	/* Fragments: first judged by ports, later by the option. */
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0x2000);
	pb_tcp(&p, 23);
	REF("first fragment, closed port", REF_DROP, REF_NONE);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 6, 0x2000);
	pb_bytes(&p, 10, 0);
	REF("first fragment too short for ports", REF_DROP, REF_MALFORMED);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 6, 1);
	pb_tcp(&p, 22);
	REF("tcp at offset 8", REF_DROP, REF_MALFORMED);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 17, 1);
	pb_udp(&p, 0);
	REF("udp later fragment, pass", REF_PASS, REF_FRAGMENT);
	ASSERT_EQ(v.proto, -1, "later fragment: no port counter");
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 44);
	pb_ip6_frag(&p, 6, 100, 1);
	pb_tcp(&p, 23);
	REF("ipv6 later fragment, pass", REF_PASS, REF_FRAGMENT);
	pol.flags |= PX_F_FRAG_DROP;
	REF("ipv6 later fragment, drop", REF_DROP, REF_FRAGMENT);
	pol.flags &= ~PX_F_FRAG_DROP;

	/* Ping and other ICMP. */
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 1, 0);
	pb_icmp(&p, 8, 0);
	REF("echo request, ping closed", REF_DROP, REF_PING);
	pol.flags |= PX_F_PING_OPEN;
	REF("echo request, ping open", REF_PASS, REF_PING);
	pol.flags &= ~PX_F_PING_OPEN;
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 58);
	pb_icmp(&p, 135, 0);
	REF("neighbour solicitation", REF_PASS, REF_NONE);
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 58);
	pb_icmp(&p, 128, 0);
	pb_cut(&p, 1);
	REF("icmpv6 7 bytes", REF_DROP, REF_MALFORMED);

	pb_eth(&p, 0x0806);
	pb_bytes(&p, 28, 0);
	REF("arp", REF_PASS, REF_NON_IP);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 47, 0);
	REF("gre", REF_PASS, REF_NONE);
	p.len = 13;
	REF("13-byte frame", REF_DROP, REF_MALFORMED);
#undef REF
}

/* The packet's source: IPv4 a.b.c.d, or IPv6 2001:db8:0:w3::last. */
static void from4(struct pkt *p, __u8 a, __u8 b, __u8 c, __u8 d)
{
	memcpy(p->b + 14 + 12, (__u8[]){a, b, c, d}, 4);
}

static void from6(struct pkt *p, __u8 w3, __u8 last)
{
	memset(p->b + 14 + 8, 0, 16);
	memcpy(p->b + 14 + 8, (__u8[]){0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, w3}, 8);
	p->b[14 + 8 + 15] = last;
}

static void ref_prefix_add(unsigned int zone, int family, unsigned int len,
			   const char *addr)
{
	struct ref_prefix *x = &ref_zones.pfx[ref_zones.npfx++];

	x->family = family;
	x->len = len;
	x->zone = zone;
	inet_pton(family == 4 ? AF_INET : AF_INET6, addr, x->addr);
	if (zone > ref_zones.nzones)
		ref_zones.nzones = zone;
}

static void ref_rule_add(unsigned int zone, int proto, unsigned int port,
			 bool open)
{
	ref_zones.rule[ref_zones.nrules++] = (struct ref_rule){.zone = zone,
							       .proto = proto,
							       .lo = port,
							       .hi = port,
							       .open = open};
}

/*
 * The reference's zones, blocks and bans against answers written by hand
 * from design.md sections 8 and 10:
 *   zone office 198.51.100.0/24 2001:db8::/48   (1)
 *   zone lab 198.51.100.128/25                   (2)
 *   open 22/tcp from office; close 80/tcp from lab; open ping from lab
 *   block 198.51.100.9 2001:db8:0:9::/64         (3)
 *   ban after 3 ports in 1d for 1h except 198.51.100.0/24
 * over a base with 80/tcp open and ping closed.
 */
static void reference_zone_answers(void)
{
	static struct px_policy pol;
	struct ref_verdict v;
	struct pkt p;

#define REFZ(what, act, rsn, z, zc)                                            \
	do {                                                                   \
		ref_classify(p.b, p.len, &pol, &v);                            \
		ASSERT_EQ(v.action, act, what ": verdict");                    \
		ASSERT_EQ(v.reason, rsn, what ": reason");                     \
		ASSERT_EQ(v.zone, z, what ": zone counted");                   \
		ASSERT_EQ(v.zcount, zc, what ": zone counter");                \
	} while (0)

	memset(&ref_zones, 0, sizeof(ref_zones));
	memset(&ref_bans, 0, sizeof(ref_bans));
	pol_init(&pol, false, 0);
	pol_set(&pol, PX_TCP, 80, true);
	ref_prefix_add(1, 4, 24, "198.51.100.0");
	ref_prefix_add(1, 6, 48, "2001:db8::");
	ref_prefix_add(2, 4, 25, "198.51.100.128");
	ref_prefix_add(3, 4, 32, "198.51.100.9");
	ref_prefix_add(3, 6, 64, "2001:db8:0:9::");
	ref_zones.block[3] = true;
	ref_rule_add(1, PX_TCP, 22, true);
	ref_rule_add(2, PX_TCP, 80, false);
	ref_rule_add(2, REF_ECHO, 0, true);

	pkt_tcp4(&p, 22);
	from4(&p, 198, 51, 100, 5);
	REFZ("ssh from office", REF_PASS, REF_NONE, 1, REF_ZC_PASSED);
	from4(&p, 198, 51, 100, 200);
	REFZ("ssh from lab (nested, not office)", REF_DROP, REF_NONE, 2,
	     REF_ZC_DROPPED);
	from4(&p, 203, 0, 113, 1);
	REFZ("ssh from no zone", REF_DROP, REF_NONE, 0, REF_ZC_NONE);
	pkt_tcp4(&p, 80);
	from4(&p, 198, 51, 100, 5);
	REFZ("http from office: the base", REF_PASS, REF_NONE, 1,
	     REF_ZC_PASSED);
	from4(&p, 198, 51, 100, 130);
	REFZ("http from lab: its close", REF_DROP, REF_NONE, 2, REF_ZC_DROPPED);
	pkt_tcp4(&p, 443);
	from4(&p, 198, 51, 100, 130);
	REFZ("443, which no zone changes: no zone counted", REF_DROP, REF_NONE,
	     0, REF_ZC_NONE);
	pkt_tcp6(&p, 22);
	from6(&p, 5, 1);
	REFZ("ssh from office v6", REF_PASS, REF_NONE, 1, REF_ZC_PASSED);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 1, 0);
	pb_icmp(&p, 8, 0);
	from4(&p, 198, 51, 100, 130);
	REFZ("ping from lab", REF_PASS, REF_PING, 2, REF_ZC_PASSED);
	from4(&p, 198, 51, 100, 5);
	REFZ("ping from office", REF_DROP, REF_PING, 1, REF_ZC_DROPPED);

	pkt_tcp4(&p, 80);
	from4(&p, 198, 51, 100, 9);
	REFZ("http from a blocked /32 in office", REF_DROP, REF_BLOCKED, 3,
	     REF_ZC_BLOCKED);
	pb_eth(&p, 0x0800);
	pb_ip4(&p, 5, 6, 1);
	pb_tcp(&p, 80);
	from4(&p, 198, 51, 100, 9);
	REFZ("TCP at offset 8 from a blocked source: blocked first", REF_DROP,
	     REF_BLOCKED, 3, REF_ZC_BLOCKED);
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 58);
	pb_icmp(&p, 135, 0);
	from6(&p, 9, 1);
	REFZ("neighbour solicitation from a blocked source", REF_PASS, REF_NONE,
	     0, REF_ZC_NONE);
	p.b[14 + 40] = 128;
	REFZ("echo request from a blocked source", REF_DROP, REF_BLOCKED, 3,
	     REF_ZC_BLOCKED);

	/* bans */
	ref_bans.now_ns = 1000 * 1000000000ULL;
	ref_bans.rule = (struct ref_ban_rule){.ports = 3,
					      .window_s = 86400,
					      .duration_s = 3600,
					      .nexcept = 1};
	ref_bans.rule.except[0] = (struct ref_prefix){.family = 4, .len = 24};
	memcpy(ref_bans.rule.except[0].addr, (__u8[]){198, 51, 100, 0}, 4);
	pkt_udp6(&p, 53);
	from6(&p, 7, 1);
	ref_classify(p.b, p.len, &pol, &v);
	ref_ban_put(&(struct ref_ban){.key = v.src, .expires_ns = ~0ULL});
	from6(&p, 7, 99);
	REFZ("udp from another address of a banned /64", REF_DROP, REF_BANNED,
	     0, REF_ZC_NONE);
	ASSERT_EQ(v.ban, 0, "the ban that drops it");
	pb_eth(&p, 0x86dd);
	pb_ip6(&p, 58);
	pb_icmp(&p, 136, 0);
	from6(&p, 7, 1);
	p.b[14 + 7] = 255; /* neighbour discovery's hop limit */
	REFZ("neighbour advertisement from a banned source", REF_PASS, REF_NONE,
	     0, REF_ZC_NONE);
	ASSERT_EQ(v.ban, -1, "no drop counted on the ban");
	p.b[14 + 7] = 64;
	REFZ("type 136 with hop limit 64 from a banned source", REF_DROP,
	     REF_BANNED, 0, REF_ZC_NONE);
	ASSERT_EQ(v.ban, 0, "the ban that drops it");
	p.len = 14 + 40 + 2; /* an ICMPv6 header cut short */
	REFZ("a cut-short packet, hop limit 64, from a banned source", REF_DROP,
	     REF_BANNED, 0, REF_ZC_NONE);
	p.b[14 + 7] = 255;
	REFZ("a cut-short packet, hop limit 255, from a banned source",
	     REF_DROP, REF_MALFORMED, 0, REF_ZC_NONE);
	p.b[14] = 0x40; /* version 4 in an IPv6 frame */
	p.b[14 + 7] = 64;
	REFZ("IPv6 version not 6, hop limit 64, banned source", REF_DROP,
	     REF_BANNED, 0, REF_ZC_NONE);
	/* a link-local source is its address: fe80::/64 is the whole link */
	pkt_tcp6(&p, 80);
	memcpy(p.b + 14 + 8, (__u8[]){0xfe, 0x80, 0, 0, 0, 0, 0, 0}, 8);
	ref_classify(p.b, p.len, &pol, &v);
	ASSERT_EQ(v.src.family, PX_BAN_LINK_LOCAL, "link-local key");
	ref_ban_put(&(struct ref_ban){.key = v.src, .expires_ns = ~0ULL});
	REFZ("http from a banned link-local address", REF_DROP, REF_BANNED, 0,
	     REF_ZC_NONE);
	p.b[14 + 8 + 15] ^= 1;
	REFZ("http from another link-local address", REF_PASS, REF_NONE, 0,
	     REF_ZC_NONE);

	pkt_tcp4(&p, 1001);
	from4(&p, 203, 0, 113, 9);
	for (unsigned int port = 1001; port <= 1003; port++) {
		bool made;

		p.b[14 + 20 + 2] = (__u8)(port >> 8);
		p.b[14 + 20 + 3] = (__u8)port;
		REFZ("a closed port", REF_DROP, REF_NONE, 0, REF_ZC_NONE);
		ASSERT_TRUE(v.scan, "counts toward a ban");
		made = ref_commit(&v);
		ASSERT_EQ(made, port == 1003, "the third distinct port bans");
		made = ref_commit(&v); /* the same port again */
		ASSERT_EQ(made, false, "a port counts once");
	}
	REFZ("the next packet from the scanner", REF_DROP, REF_BANNED, 0,
	     REF_ZC_NONE);
	pkt_udp4(&p, 53);
	from4(&p, 203, 0, 113, 10);
	REFZ("53/udp", REF_DROP, REF_NONE, 0, REF_ZC_NONE);
	ref_commit(&v);
	pkt_tcp4(&p, 53);
	from4(&p, 203, 0, 113, 10);
	ref_classify(p.b, p.len, &pol, &v);
	ASSERT_EQ(ref_commit(&v), false, "53/tcp after 53/udp");
	ASSERT_EQ(ref_bans.scan[ref_bans.nscans - 1].n, 1,
		  "53/tcp and 53/udp count once");
	pkt_tcp4(&p, 80);
	from4(&p, 203, 0, 113, 10);
	REFZ("an open port", REF_PASS, REF_NONE, 0, REF_ZC_NONE);
	ASSERT_EQ(v.scan, false, "an open port does not count");
	pkt_tcp4(&p, 1001);
	from4(&p, 198, 51, 100, 130);
	REFZ("a closed port from an except source", REF_DROP, REF_NONE, 0,
	     REF_ZC_NONE);
	ASSERT_EQ(v.scan, false, "except: never counted");
	/* except ZONE holds link-local sources by their address (their ban
	 * key is the address, family PX_BAN_LINK_LOCAL) */
	ref_prefix_add(4, 6, 10, "fe80::");
	ref_bans.rule.nzones = 1;
	ref_bans.rule.zone[0] = 4;
	pkt_tcp6(&p, 1001);
	memcpy(p.b + 14 + 8, (__u8[]){0xfe, 0x80, 0, 0, 0, 0, 0, 0, 1}, 9);
	REFZ("a closed port from a link-local source of an except zone",
	     REF_DROP, REF_NONE, 0, REF_ZC_NONE);
	ASSERT_EQ(v.scan, false,
		  "except ZONE: a link-local source never counted");
	memset(&ref_zones, 0, sizeof(ref_zones));
	memset(&ref_bans, 0, sizeof(ref_bans));
#undef REFZ
}

/* One canonical packet of each shape, for the truncation sweep. */
static int canonical(struct pkt *p, int i)
{
	switch (i) {
	case 0:
		pkt_tcp4(p, 22);
		break;
	case 1:
		pkt_udp4(p, 53);
		break;
	case 2:
		pkt_tcp6(p, 80);
		break;
	case 3:
		pkt_udp6(p, 443);
		break;
	case 4:
		pb_eth(p, 0x0800);
		pb_ip4(p, 5, 1, 0);
		pb_icmp(p, 8, 0);
		break;
	case 5:
		pb_eth(p, 0x86dd);
		pb_ip6(p, 58);
		pb_icmp(p, 128, 0);
		break;
	case 6:
		pb_eth(p, 0x0800);
		pb_ip4(p, 15, 6, 0);
		pb_tcp(p, 22);
		break;
	case 7:
		pb_eth(p, 0x88a8);
		pb_vlan(p, 0x8100);
		pb_vlan(p, 0x86dd);
		pb_ip6(p, 0);
		pb_ip6_opt(p, 43, 1);
		pb_ip6_opt(p, 60, 0);
		pb_ip6_frag(p, 60, 0, 1);
		pb_ip6_opt(p, 60, 3);
		pb_ip6_opt(p, 60, 0);
		pb_ip6_opt(p, 60, 0);
		pb_ip6_opt(p, 60, 0);
		pb_ip6_opt(p, 17, 0);
		pb_udp(p, 53);
		break;
	case 8:
		pb_eth(p, 0x0800);
		pb_ip4(p, 5, 6, 0x2000);
		pb_tcp(p, 23);
		break;
	case 9:
		pb_eth(p, 0x0800);
		pb_ip4(p, 6, 6, 1);
		pb_tcp(p, 23);
		break;
	case 10:
		pb_eth(p, 0x86dd);
		pb_ip6(p, 44);
		pb_ip6_frag(p, 17, 3, 1);
		pb_udp(p, 0);
		break;
	case 11:
		pb_eth(p, 0x8100);
		pb_vlan(p, 0x0800);
		pb_ip4(p, 5, 17, 0);
		pb_udp(p, 0);
		break;
	case 12:
		pb_eth(p, 0x86dd);
		pb_ip6(p, 44);
		pb_ip6_frag(p, 6, 0, 0);
		pb_tcp(p, 8080);
		break;
	default:
		return -1;
	}
	pb_bytes(p, 8, 0xee);
	return 0;
}

static void truncation_sweep(void)
{
	static struct px_policy pol;
	struct pkt p;
	char origin[64];
	unsigned long long n = 0, bad = 0;

	if (!px_ready() || !sync_model())
		return;
	/* Policies outside: each swap waits for an RCU grace period. */
	for (unsigned int s = 0; s < 8; s++) {
		shape_policy(&pol, s);
		if (!INSTALL(&pol))
			return;
		for (int i = 0; !canonical(&p, i); i++) {
			for (size_t len = GEN_MIN; len <= p.len; len++) {
				snprintf(origin, sizeof(origin),
					 "shape %d cut to %zu", i, len);
				bad += !check_packet(p.b, len, &pol, origin,
						     "canonical", NULL);
				n++;
			}
		}
	}
	printf("  %llu cuts under 8 policies, %llu disagreed\n", n / 8, bad);
	ASSERT_EQ(bad, 0, "truncation sweep disagreements");
}

/* Read a .pkt file: '#' lines are comments, the rest hex bytes. */
static int read_pkt_file(const char *path, __u8 *b, size_t *len)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	*len = 0;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end;

		if (line[0] == '#')
			continue;
		for (;;) {
			unsigned long v = strtoul(s, &end, 16);

			if (end == s)
				break;
			if (*len >= PKT_MAX || v > 0xff) {
				fclose(f);
				return -EINVAL;
			}
			b[(*len)++] = (__u8)v;
			s = end;
		}
	}
	fclose(f);
	return *len >= GEN_MIN ? 0 : -EINVAL;
}

#define MAX_CORPUS 4096

static void corpus_replay(void)
{
	static struct px_policy pol;
	static struct {
		__u8 b[PKT_MAX];
		size_t len;
		char path[256];
	} files[MAX_CORPUS];
	struct dirent *de;
	int n = 0, bad = 0;
	DIR *d;

	if (!px_ready() || !sync_model())
		return;
	d = opendir(opt_corpus);
	if (!d) {
		SKIP("no corpus folder");
		return;
	}
	while ((de = readdir(d)) && n < MAX_CORPUS) {
		size_t nl = strlen(de->d_name);

		if (nl < 5 || strcmp(de->d_name + nl - 4, ".pkt"))
			continue;
		snprintf(files[n].path, sizeof(files[n].path), "%s/%s",
			 opt_corpus, de->d_name);
		if (ASSERT_OK(read_pkt_file(files[n].path, files[n].b,
					    &files[n].len),
			      files[n].path))
			n++;
	}
	closedir(d);
	/* Policies outside: each swap waits for an RCU grace period. */
	for (unsigned int s = 0; s < 8 && n; s++) {
		shape_policy(&pol, s);
		if (!INSTALL(&pol))
			return;
		for (int i = 0; i < n; i++)
			bad += !check_packet(files[i].b, files[i].len, &pol,
					     files[i].path, "corpus", NULL);
	}
	printf("  %d corpus packets under 8 policies, %d disagreed\n", n, bad);
	ASSERT_EQ(bad, 0, "corpus disagreements");
}

/*
 * A counter moved that the reference did not expect: replay the window
 * [from, to) watching the keys that differ now, and report each packet
 * that moves one of them without the reference saying so.
 */
static void locate_stray(unsigned long long from, unsigned long long to)
{
	static struct gen_policy gp;
	static struct gen_pkt gpkt;
	__u32 keys[MAX_KEYS];
	int nkeys = 0;
	unsigned long long epoch = ~0ULL;
	char origin[96], file_name[64], said[256];

	for (__u32 k = 0; k < PX_COUNTER_KEYS && nkeys < MAX_KEYS; k++)
		if (memcmp(&model.ctr[k], &model.now[k], sizeof(model.now[k])))
			keys[nkeys++] = k;
	printf("  %d port counters differ after packets %llu-%llu: replaying\n",
	       nkeys, from, to - 1);
	for (unsigned long long i = from; i < to; i++) {
		struct px_port_counter c0[MAX_KEYS], c1[MAX_KEYS];
		struct ref_verdict v;
		struct pkt p;
		__u32 ret;

		if (i / EPOCH != epoch) {
			epoch = i / EPOCH;
			gen_policy(&gp, opt_seed, epoch);
			if (!INSTALL(&gp.pol))
				return;
		}
		gen_packet(&gpkt, opt_seed, i, &gp);
		memcpy(p.b, gpkt.b, gpkt.len);
		p.len = gpkt.len;
		if (!px_deliverable(&p))
			continue;
		ref_classify(p.b, p.len, &gp.pol, &v);
		for (int k = 0; k < nkeys; k++)
			read_counter(keys[k], &c0[k]);
		px_run(&p, &ret);
		for (int k = 0; k < nkeys; k++) {
			read_counter(keys[k], &c1[k]);
			if (!memcmp(&c0[k], &c1[k], sizeof(c1[k])) ||
			    (v.proto >= 0 &&
			     keys[k] == (__u32)v.proto * PX_PORTS + v.port))
				continue;
			snprintf(origin, sizeof(origin),
				 "seed %llu packet %llu", opt_seed, i);
			snprintf(file_name, sizeof(file_name),
				 "s%llu-p%llu.pkt", opt_seed, i);
			snprintf(said, sizeof(said),
				 "%s, moved port counter %u/%s",
				 verdict_name((int)ret), keys[k] % PX_PORTS,
				 keys[k] / PX_PORTS ? "udp" : "tcp");
			report(origin, gpkt.shape, p.b, p.len, &gp.pol, said,
			       &v, file_name);
		}
	}
	sync_model();
}

/* ---- replies: flows recorded in both tables ------------------------------
 */

static void flows_clear(void)
{
	int fd = bpf_map__fd(px.skel->maps.px_flows);
	struct px_flow_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		bpf_map_delete_elem(fd, &k);
	ref_flows.n = 0;
}

/* Record the flow the packet would answer (ref_last), active or idle for
 * ten minutes, in the program's table and the reference's. */
static void flow_record(const struct ref_flow *f)
{
	struct px_flow_key k;
	struct timespec ts;
	size_t n = f->version == 4 ? 4 : 16;
	__u64 t;

	if (ref_flows.n == REF_FLOWS_MAX)
		return;
	memset(&k, 0, sizeof(k));
	memcpy(k.local, f->local, n);
	memcpy(k.remote, f->remote, n);
	k.local_port = htons((__u16)f->lport);
	k.remote_port = htons((__u16)f->rport);
	k.proto = (__u8)f->proto;
	k.family = (__u8)f->version;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	t = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	if (!f->active)
		t -= 600 * 1000000000ULL;
	if (!bpf_map_update_elem(bpf_map__fd(px.skel->maps.px_flows), &k, &t,
				 BPF_ANY))
		ref_flows.f[ref_flows.n++] = *f;
}

/* Every third epoch has replies on: half its TCP/UDP packets find their
 * flow recorded first (a quarter of those idle past the time), so both
 * answers, SYNs and the rest meet the lookup. */
static void replies_epoch(struct px_policy *pol, unsigned long long epoch)
{
	flows_clear();
	if (epoch % 3 != 1)
		return;
	pol->flags |= PX_F_REPLIES;
	pol->reply_idle_ns[PX_TCP] = 300 * 1000000000ULL;
	pol->reply_idle_ns[PX_UDP] = 60 * 1000000000ULL;
}

static void replies_packet(const struct gen_pkt *g, const struct px_policy *pol,
			   unsigned long long i)
{
	struct ref_verdict v;
	struct ref_flow f;

	if (!(pol->flags & PX_F_REPLIES) || (i * 2654435761ULL >> 7) % 2)
		return;
	ref_classify(g->b, g->len, pol, &v);
	if (!ref_last_ok)
		return;
	f = ref_last;
	f.active = (i * 40503ULL >> 5) % 4 != 0;
	flow_record(&f);
}

static void differential_random(void)
{
	static struct gen_policy gp;
	static struct gen_pkt gpkt;
	unsigned long long i, window = 0, bad = 0, by_reason[REF_REASONS] = {0};
	unsigned long long drops = 0, ports = 0;
	char origin[64], file_name[64];
	struct timespec t0, t1;
	double secs;
	__u64 sum;

	/* Every slot near its wrap: the counts are checked across wraps. */
	if (!px_ready() ||
	    !ASSERT_OK(px_counters_near_wrap(), "counters near their wrap") ||
	    !sync_model())
		return;
	disagreements = 0;
	undeliverable = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < opt_packets; i++) {
		struct ref_verdict v;

		if (i % EPOCH == 0) {
			gen_policy(&gp, opt_seed, i / EPOCH);
			replies_epoch(&gp.pol, i / EPOCH);
			if (!INSTALL(&gp.pol))
				return;
		}
		gen_packet(&gpkt, opt_seed, i, &gp);
		replies_packet(&gpkt, &gp.pol, i);
		snprintf(origin, sizeof(origin), "seed %llu packet %llu",
			 opt_seed, i);
		snprintf(file_name, sizeof(file_name), "s%llu-p%llu.pkt",
			 opt_seed, i);
		bad += !check_packet(gpkt.b, gpkt.len, &gp.pol, origin,
				     gpkt.shape,
				     written < MAX_REPORTS ? file_name : NULL);
		ref_classify(gpkt.b, gpkt.len, &gp.pol, &v);
		by_reason[v.reason]++;
		drops += v.action == REF_DROP;
		ports += v.proto >= 0;
		if ((i + 1) % CHECK_EVERY == 0 || i + 1 == opt_packets) {
			if (!ASSERT_OK(read_counters(model.now),
				       "read counters"))
				return;
			if (memcmp(model.now, model.ctr,
				   sizeof(*model.ctr) * PX_COUNTER_KEYS))
				locate_stray(window, i + 1);
			/* a ban counted in a slot not its source's */
			sum = read_slots();
			ASSERT_EQ(sum, model.slots, "the ban cache's counts");
			model.slots = sum;
			window = i + 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("  seed %llu: %llu packets in %.1f s (%.0f/s), %llu disagreed\n",
	       opt_seed, opt_packets, secs, (double)opt_packets / secs,
	       disagreements);
	printf("  reference verdicts: %llu dropped, %llu by port, %llu "
	       "malformed, "
	       "%llu later fragments, %llu non-IP, %llu pings, %llu replies\n",
	       drops, ports, by_reason[REF_MALFORMED], by_reason[REF_FRAGMENT],
	       by_reason[REF_NON_IP], by_reason[REF_PING],
	       by_reason[REF_REPLY]);
	if (undeliverable)
		printf("  %llu packets not run: the test run refuses them as "
		       "a __sk_buff\n",
		       undeliverable);
	ASSERT_EQ(bad + disagreements, 0, "disagreements");
}

/* ---- zone layouts: zones, blocks and bans --------------------------------
 */

static void map_clear(int fd, size_t key_size)
{
	__u8 k[64];

	if (key_size > sizeof(k))
		return;
	while (!bpf_map_get_next_key(fd, NULL, k))
		if (bpf_map_delete_elem(fd, k))
			break;
}

/* Each of the reference's zones as installed: the zone of its first
 * prefix in zs, by its name in the live zone table (an index that
 * follows the name from version to version). */
static bool map_zone_indexes(const struct px_zone_maps *m,
			     const struct ref_zoneset *rz,
			     const struct px_zoneset *zs)
{
	static struct px_policy live;
	static struct px_zoneset table;
	const char *name;

	memset(model.zone_idx, 0, sizeof(model.zone_idx));
	memset(&table, 0, sizeof(table));
	if (!ASSERT_OK(maps_read_policy(m->policy, &live), "read policy") ||
	    !ASSERT_OK(maps_read_zones(m, &live, &table), "read zones"))
		return false;
	for (unsigned int i = 0; i < rz->npfx; i++) {
		const struct ref_prefix *p = &rz->pfx[i];
		size_t bytes = p->family == 4 ? 4 : 16;

		if (model.zone_idx[p->zone])
			continue;
		for (size_t j = 0; j < zs->npfx; j++) {
			if (zs->pfx[j].family != p->family ||
			    zs->pfx[j].len != p->len ||
			    memcmp(zs->pfx[j].addr, p->addr, bytes))
				continue;
			name = zs->zone[zs->pfx[j].zone].name;
			for (unsigned int t = 1; t < PX_ZONE_ENTRIES; t++)
				if (!strcmp(table.zone[t].name, name))
					model.zone_idx[p->zone] = t;
		}
	}
	free(table.pfx);
	for (unsigned int z = 1; z <= rz->nzones; z++)
		if (!ASSERT_NEQ(model.zone_idx[z], 0, "every zone installed"))
			return false;
	return true;
}

/*
 * A window for the ban rule that the clock will not cross in this epoch
 * (windows are aligned on the clock: a crossing starts every count
 * again, at a moment the reference cannot know): a day, or a little less.
 */
static unsigned int settled_window(void)
{
	__u64 now = mono_ns() / 1000000000ULL;
	unsigned int w = PX_BAN_WINDOW_MAX;

	while (now % w > w - 600)
		w -= 601;
	return w;
}

/* Parse and install layout lay over base gp as the CLI does: the text
 * through the one parser, bans through user/bans.c, the maps through
 * user/maps_zone.c. The reference gets the same layout from lay. */
static bool layout_install(struct gen_policy *gp, struct gen_layout *lay)
{
	static struct px_policy pol;
	struct px_zoneset *zs = NULL;
	struct policy_report rep = {0};
	struct px_filter f = px_ban_filter();
	struct px_zone_maps m = {
		.policy = px.outer_fd,
		.zones = fd_of(px.skel->maps.px_zone_outer),
		.zone4 = fd_of(px.skel->maps.px_zone4_outer),
		.zone6 = fd_of(px.skel->maps.px_zone6_outer),
		.counts = fd_of(px.skel->maps.px_zone_counts),
	};
	FILE *null = fopen("/dev/null", "w");
	__u64 now = mono_ns();
	int err;

	lay->rule.window_s = settled_window();
	lay_finish(lay);
	model.layout = lay->text;
	model.layout_shown = false;
	err = policy_text_zoned("differential.policy", lay->text, NULL, &pol,
				&zs, &rep, null);
	if (null)
		fclose(null);
	if (err) {
		printf("  the layout does not parse:\n%s", lay->text);
		policy_text_zoned("differential.policy", lay->text, NULL, &pol,
				  &zs, &rep, stdout);
		zoneset_free(zs);
		return ASSERT_OK(err, "parse the layout");
	}
	if (!ASSERT_TRUE(
		    !memcmp(pol.open, gp->pol.open, sizeof(pol.open)) &&
			    (pol.flags & (PX_F_PING_OPEN | PX_F_FRAG_DROP)) ==
				    (gp->pol.flags &
				     (PX_F_PING_OPEN | PX_F_FRAG_DROP)),
		    "the parsed base is the generated one")) {
		zoneset_free(zs);
		return false;
	}
	pol.flags |= gp->pol.flags & PX_F_REPLIES;
	memcpy(pol.reply_idle_ns, gp->pol.reply_idle_ns,
	       sizeof(pol.reply_idle_ns));

	memset(&ref_bans, 0, sizeof(ref_bans));
	ref_zones = lay->zones;
	ref_bans.rule = lay->rule;
	map_clear(f.bans_fd, sizeof(struct px_ban_key));
	map_clear(fd_of(px.skel->maps.px_scan_map), sizeof(struct px_ban_key));
	bans_changed(&f); /* the map written by hand: slots stale */
	for (unsigned int i = 0; i < lay->nmanual; i++) {
		struct px_ban_key k;

		ban_key(&k, &lay->manual[i].key);
		if (!ASSERT_OK(bans_add(&f, &k,
					lay->manual[i].over ? 0 : 30 * 86400,
					PX_BAN_MANUAL),
			       "ban by hand"))
			break;
		ref_ban_put(&(struct ref_ban){
			.key = lay->manual[i].key,
			.expires_ns = lay->manual[i].over
					      ? 0
					      : now + 30 * 86400 * PX_NSEC,
		});
	}
	bans_policy_flag(&f, &pol);
	err = maps_install_zoned(&m, &pol, zs, false);
	if (ASSERT_OK(err, "install the layout") &&
	    (!zs || map_zone_indexes(&m, &lay->zones, zs)) &&
	    ASSERT_OK(maps_read_zone_counts(m.counts, model.zc),
		      "read zone counts")) {
		zoneset_free(zs);
		return true;
	}
	zoneset_free(zs);
	return false;
}

/* Does this build's parser know `except ZONE` (design.md section 10)? */
static bool parser_knows_except_zone(void)
{
	static struct px_policy pol;
	struct px_zoneset *zs = NULL;
	FILE *null = fopen("/dev/null", "w");
	int err = policy_text_zoned("probe",
				    "zone a 198.51.100.0/24\n"
				    "ban after 3 ports in 60 for 1h except a\n",
				    NULL, &pol, &zs, NULL, null);

	if (null)
		fclose(null);
	zoneset_free(zs);
	return !err;
}

/* The ports of k's scan state in the current window, in the map. */
static unsigned int scan_ports(const struct px_ban_key *k, __u64 window_s,
			       unsigned int *ports)
{
	__u64 slot[PX_BAN_PORTS_MAX], win;
	unsigned int n = 0;

	if (bpf_map_lookup_elem(fd_of(px.skel->maps.px_scan_map), k, slot))
		return 0;
	win = mono_ns() / (window_s * 1000000000ULL) + 1;
	for (int i = 0; i < PX_BAN_PORTS_MAX; i++)
		if (slot[i] >> 16 == win)
			ports[n++] = slot[i] & 0xffff;
	return n;
}

/* At the end of an epoch: every zone's counts, every ban (its reason,
 * its drops) and every scan count against the model. */
static bool layout_end_ok(void)
{
	static struct px_zone_count zc[PX_ZONE_ENTRIES];
	struct ban_entry *e = NULL;
	struct px_ban_key k;
	unsigned int in_force = 0, p[PX_BAN_PORTS_MAX];
	size_t n = 0;
	bool ok = true;
	char a[64];

	if (!ASSERT_OK(maps_read_zone_counts(
			       fd_of(px.skel->maps.px_zone_counts), zc),
		       "read zone counts"))
		return false;
	for (unsigned int z = 0; z < PX_ZONE_ENTRIES; z++)
		if (memcmp(&zc[z], &model.zc[z], sizeof(zc[z]))) {
			printf("  zone index %u: dropped%+lld passed%+lld "
			       "blocked%+lld that the reference did not "
			       "expect\n",
			       z,
			       (long long)(zc[z].dropped - model.zc[z].dropped),
			       (long long)(zc[z].passed - model.zc[z].passed),
			       (long long)(zc[z].blocked -
					   model.zc[z].blocked));
			model.zc[z] = zc[z];
			ok = false;
		}
	if (!ASSERT_OK(bans_read(fd_of(px.skel->maps.px_bans), &e, &n),
		       "read bans"))
		return false;
	if (!ASSERT_OK(bans_cached_drops(
			       &(struct px_filter){
				       .ban_cache_fd = fd_of(
					       px.skel->maps.px_ban_cache)},
			       e, n),
		       "read the cached drops")) {
		free(e);
		return false;
	}
	for (unsigned int i = 0; i < ref_bans.nbans; i++) {
		const struct ref_ban *b = &ref_bans.ban[i];
		size_t j;

		if (ref_bans.now_ns >= b->expires_ns)
			continue;
		in_force++;
		ban_key(&k, &b->key);
		for (j = 0; j < n && memcmp(&e[j].src, &k, sizeof(k)); j++)
			;
		if (j == n || e[j].ban.dropped != b->dropped ||
		    e[j].ban.reason !=
			    (b->scan ? PX_BAN_SCAN : PX_BAN_MANUAL) ||
		    (b->scan && e[j].ban.ports != b->ports)) {
			printf("  ban of %s (%s, %llu dropped): %s\n",
			       key_str(&b->key, a, sizeof(a)),
			       b->scan ? "scan" : "manual",
			       (unsigned long long)b->dropped,
			       j == n ? "not in the map"
				      : "differs in the map");
			ok = false;
		}
	}
	for (size_t j = 0; j < n && in_force != n; j++) {
		struct ref_ban_key rk = {.family = (int)e[j].src.family};
		int b;

		memcpy(rk.addr, e[j].src.addr, 8);
		b = ref_banned(&rk);
		if (b < 0)
			printf("  ban of %s (%s, %llu dropped) in the map "
			       "only\n",
			       key_str(&rk, a, sizeof(a)),
			       e[j].ban.reason == PX_BAN_SCAN ? "scan"
							      : "manual",
			       (unsigned long long)e[j].ban.dropped);
	}
	if (in_force != n)
		ok = false;
	free(e);
	for (unsigned int i = 0; i < ref_bans.nscans && ref_bans.rule.ports;
	     i++) {
		const struct ref_scan *s = &ref_bans.scan[i];
		unsigned int got;

		ban_key(&k, &s->key);
		got = scan_ports(&k, ref_bans.rule.window_s, p);
		if (got != s->n) {
			printf("  scan of %s: %u ports in the map, %u in the "
			       "reference\n",
			       key_str(&s->key, a, sizeof(a)), got, s->n);
			ok = false;
		}
	}
	if (!ok)
		disagreements++;
	return ok;
}

/*
 * The random run over zone layouts: a new layout (and base, and bans)
 * every EPOCH packets, packets from its sources mostly; every packet's
 * verdict, totals, port counter, zone counter and ban drop against the
 * reference, and at each epoch's end every zone count, ban and scan.
 */
static void differential_zones(void)
{
	static struct gen_policy gp;
	static struct gen_layout lay;
	static struct gen_pkt gpkt;
	unsigned long long i, window = 0, bad = 0, by_reason[REF_REASONS] = {0};
	unsigned long long zoned = 0, scans = 0, layouts = 0;
	char origin[64], moved[768];
	struct timespec t0, t1;
	double secs;
	__u64 sum;

	if (!px_ready() || !sync_model())
		return;
	disagreements = 0;
	undeliverable = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < opt_packets; i++) {
		struct ref_verdict v;

		if (i % EPOCH == 0) {
			if (i)
				bad += !layout_end_ok();
			gen_policy(&gp, opt_seed, i / EPOCH);
			gen_layout(&lay, &gp, opt_seed, i / EPOCH);
			replies_epoch(&gp.pol, i / EPOCH);
			if (!layout_install(&gp, &lay))
				return;
			layouts++;
		}
		gen_packet(&gpkt, opt_seed, i, &gp);
		ref_bans.now_ns = mono_ns();
		replies_packet(&gpkt, &gp.pol, i);
		snprintf(origin, sizeof(origin), "seed %llu zone packet %llu",
			 opt_seed, i);
		ref_classify(gpkt.b, gpkt.len, &gp.pol, &v);
		by_reason[v.reason]++;
		zoned += v.zone != 0;
		scans += v.scan;
		bad += !check_packet(gpkt.b, gpkt.len, &gp.pol, origin,
				     gpkt.shape, NULL);
		if ((i + 1) % CHECK_EVERY == 0 || i + 1 == opt_packets) {
			if (!ASSERT_OK(read_counters(model.now),
				       "read counters"))
				return;
			if (memcmp(model.now, model.ctr,
				   sizeof(*model.ctr) * PX_COUNTER_KEYS)) {
				ports_moved(moved, sizeof(moved));
				printf("  port counters moved unexpected in "
				       "packets %llu-%llu:%s\n",
				       window, i, moved);
				disagreements++;
				memcpy(model.ctr, model.now,
				       sizeof(*model.ctr) * PX_COUNTER_KEYS);
			}
			/* a ban counted in a slot not its source's */
			sum = read_slots();
			if (sum != model.slots) {
				printf("  the ban cache counted %lld drops "
				       "unexpected in packets %llu-%llu\n",
				       (long long)(sum - model.slots), window,
				       i);
				disagreements++;
				model.slots = sum;
			}
			window = i + 1;
		}
	}
	bad += !layout_end_ok();
	model.layout = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("  seed %llu: %llu packets over %llu zone layouts in %.1f s, "
	       "%llu disagreed\n",
	       opt_seed, opt_packets, layouts, secs, disagreements);
	printf("  reference verdicts: %llu blocked, %llu banned, %llu judged "
	       "by a zone, %llu counted toward a ban, %llu replies\n",
	       by_reason[REF_BLOCKED], by_reason[REF_BANNED], zoned, scans,
	       by_reason[REF_REPLY]);
	memset(&ref_zones, 0, sizeof(ref_zones));
	memset(&ref_bans, 0, sizeof(ref_bans));
	ASSERT_EQ(bad + disagreements, 0, "disagreements");
}

/* --only I: one generated packet, both verdicts, nothing compared. */
static int show_one(unsigned long long i)
{
	static struct gen_policy gp;
	static struct gen_pkt gpkt;
	struct ref_verdict v;
	struct pkt p;
	__u32 ret = 0;

	gen_policy(&gp, opt_seed, i / EPOCH);
	gen_packet(&gpkt, opt_seed, i, &gp);
	ref_classify(gpkt.b, gpkt.len, &gp.pol, &v);
	printf("seed %llu packet %llu: %s (%zu bytes), policy flags 0x%x\n",
	       opt_seed, i, gpkt.shape, gpkt.len, gp.pol.flags);
	hexdump(stdout, gpkt.b, gpkt.len);
	printf("reference: %s%s (%s)", verdict_name(v.action),
	       reason_name(v.reason), v.why);
	if (v.proto >= 0)
		printf(", port %u/%s %s", v.port, v.proto ? "udp" : "tcp",
		       ref_port_open(&gp.pol, v.proto, v.port) ? "open"
							       : "closed");
	printf("\n");
	if (px.skel && !px_install(&gp.pol)) {
		memcpy(p.b, gpkt.b, gpkt.len);
		p.len = gpkt.len;
		if (!px_run(&p, &ret))
			printf("bpf:       %s\n", verdict_name((int)ret));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"packets", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"corpus", required_argument, NULL, 'c'},
		{"only", required_argument, NULL, 'o'},
		{0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:s:c:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt_packets = strtoull(optarg, NULL, 0);
			break;
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			opt_corpus = optarg;
			break;
		case 'o':
			opt_only = strtoll(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr,
				"usage: %s [--packets N] [--seed S] "
				"[--corpus DIR] [--only I]\n",
				argv[0]);
			return 2;
		}
	}
	model.ctr = calloc(PX_COUNTER_KEYS, sizeof(*model.ctr));
	model.now = calloc(PX_COUNTER_KEYS, sizeof(*model.now));
	if (!model.ctr || !model.now)
		return 1;
	px_setup();
	lay_except_zones = parser_knows_except_zone();
	if (opt_only >= 0)
		return show_one((unsigned long long)opt_only);
	RUN_HOOKS(reference_known_answers);
	RUN(reference_zone_answers);
	RUN_HOOKS(truncation_sweep);
	RUN_HOOKS(corpus_replay);
	RUN_HOOKS(differential_random);
	RUN_HOOKS(differential_zones);
	px_teardown();
	free(model.ctr);
	free(model.now);
	return check_exit();
}
