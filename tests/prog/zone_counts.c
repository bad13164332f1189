// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-zone counts across policy versions (user/maps_zone.h): a zone's
 * counts follow its name when an apply reorders, renames, adds or drops
 * zones (a new zone starts from zero, even on an index another zone had);
 * and `open/close` on a live policy keeps its zones even after a change
 * that makes every zone's verdicts equal the base's. A reply its zone's
 * verdict would drop passes and counts as passed, never as dropped.
 */
#include "px_prog.h"
#include "maps.h"
#include "maps_zone.h"
#include "policy.h"

static struct px_policy pol;

static int install_text(const char *text)
{
	return px_install_text(text, &pol);
}

/* `open|close SPEC` on the live policy, as the verbs do it. */
static int rebase(bool open, const char *spec)
{
	struct px_zone_maps m = px_zone_maps();
	char *specs[] = {(char *)spec};
	FILE *null = fopen("/dev/null", "w");
	int err = maps_read_policy(px.outer_fd, &pol);

	if (!err)
		err = policy_apply_specs(&pol, open, 1, specs, NULL, null);
	fclose(null);
	return err ? err : maps_install_rebased(&m, &pol);
}

/* Zone name's count as `stats` reads it (dropped or passed); -1: no
 * such zone. */
static long long count_of(const char *name, bool dropped)
{
	struct px_zone_count n[PX_ZONE_ENTRIES];
	struct px_zone_maps m = px_zone_maps();
	struct px_zoneset *zs = zoneset_new();
	long long ret = -1;

	if (zs && !maps_read_policy(px.outer_fd, &pol) &&
	    !maps_read_zones(&m, &pol, zs) &&
	    !maps_read_zone_counts(m.counts, n))
		for (unsigned int z = 1; z <= zs->nzones; z++)
			if (!strcmp(zs->zone[z].name, name))
				ret = (long long)(dropped ? n[z].dropped
							  : n[z].passed);
	zoneset_free(zs);
	return ret;
}

static long long passed_of(const char *name)
{
	return count_of(name, false);
}

/* n TCP packets to port 22 from 198.51.100.last */
static void send22(__u8 last, int n)
{
	struct pkt p;
	__u32 ret;

	pkt_tcp4(&p, 22);
	memcpy(p.b + 14 + 12, (__u8[]){198, 51, 100, last}, 4);
	for (int i = 0; i < n; i++)
		px_run(&p, &ret);
}

static void counts_follow_names(void)
{
	if (!px_ready() || !ASSERT_OK(install_text("default closed\n"
						   "zone a 198.51.100.0/26\n"
						   "zone b 198.51.100.64/26\n"
						   "open 22 from a b\n"),
				      "install a, b"))
		return;
	send22(5, 3);
	send22(70, 2);
	ASSERT_EQ(passed_of("a"), 3, "a counted");
	ASSERT_EQ(passed_of("b"), 2, "b counted");
	/* reordered, one renamed (a -> c), one new */
	if (!ASSERT_OK(install_text("default closed\n"
				    "zone d 198.51.100.192/26\n"
				    "zone b 198.51.100.64/26\n"
				    "zone c 198.51.100.0/26\n"
				    "open 22 from b c d\n"),
		       "install d, b, c"))
		return;
	ASSERT_EQ(passed_of("b"), 2, "b keeps its count though it moved");
	ASSERT_EQ(passed_of("c"), 0, "c (a renamed) starts from zero");
	ASSERT_EQ(passed_of("d"), 0, "d, new, starts from zero");
	ASSERT_EQ(passed_of("a"), -1, "a is gone");
	send22(70, 1);
	send22(5, 4);
	send22(200, 5);
	ASSERT_EQ(passed_of("b"), 3, "b counts on");
	ASSERT_EQ(passed_of("c"), 4, "c counts its own");
	ASSERT_EQ(passed_of("d"), 5, "d counts its own");
	/* a back again: from zero, not from its old count */
	if (!ASSERT_OK(install_text("default closed\n"
				    "zone a 198.51.100.0/26\n"
				    "open 22 from a\n"),
		       "install a again"))
		return;
	ASSERT_EQ(passed_of("a"), 0, "a returns from zero");
}

/* 64 zones, then 64 others: every index is reused, all start at zero. */
static void full_table_reused(void)
{
	static char text[16384];
	size_t at;

	if (!px_ready())
		return;
	for (int round = 0; round < 2; round++) {
		at = (size_t)snprintf(text, sizeof(text), "default closed\n");
		for (int z = 0; z < PX_ZONES_MAX; z++)
			at += (size_t)snprintf(text + at, sizeof(text) - at,
					       "zone %c%d 198.51.100.%d\n"
					       "open 22 from %c%d\n",
					       round ? 'w' : 'z', z, z,
					       round ? 'w' : 'z', z);
		if (!ASSERT_OK(install_text(text), "install 64 zones"))
			return;
		if (!round)
			send22(7, 2);
	}
	ASSERT_EQ(passed_of("w7"), 0, "w7 on z7's old index starts at zero");
	send22(7, 1);
	ASSERT_EQ(passed_of("w7"), 1, "and counts");
}

/* open 22 makes the zone equal the base; close 22 must find it again. */
static void rebase_keeps_equal_zones(void)
{
	long long before;

	if (!px_ready() || !ASSERT_OK(install_text("default closed\n"
						   "zone o 198.51.100.0/24\n"
						   "open 22 from o\n"),
				      "install"))
		return;
	if (!ASSERT_OK(rebase(true, "22"), "open 22") ||
	    !ASSERT_OK(rebase(false, "22"), "close 22"))
		return;
	before = passed_of("o");
	send22(9, 1);
	ASSERT_EQ(passed_of("o"), before + 1,
		  "o still opens 22 after open+close 22");
}

/* TCP from 198.51.100.5:443 to this host's port 40000 with flags; out:
 * the packet this host sends, addresses and ports swapped. */
static void flow_pkt(struct pkt *p, bool out, __u8 flags)
{
	__u8 a[4] = {198, 51, 100, 5}, b[4] = {198, 51, 100, 1};

	pkt_tcp4(p, out ? 443 : 40000);
	pkt_put16(p->b + 14 + 20, out ? 40000 : 443);
	p->b[14 + 20 + 13] = flags;
	memcpy(p->b + 14 + 12, out ? b : a, 4);
	memcpy(p->b + 14 + 16, out ? a : b, 4);
}

/* Zone a's verdict closes 40000 (b opens it, so the zone decides); a
 * reply from a to it passes: a's passed counts it, a's dropped does not. */
static void reply_counts_as_passed(void)
{
	int egress = bpf_program__fd(px.skel->progs.portxdp_egress);
	int flows = bpf_map__fd(px.skel->maps.px_flows);
	struct px_flow_key k;
	long long d0, p0;
	struct pkt p;

	if (!px_ready() || !ASSERT_OK(install_text("default closed\n"
						   "option replies on\n"
						   "zone a 198.51.100.0/26\n"
						   "zone b 198.51.100.64/26\n"
						   "open 22 from a\n"
						   "open 40000 from b\n"),
				      "install"))
		return;
	while (!bpf_map_get_next_key(flows, NULL, &k))
		bpf_map_delete_elem(flows, &k);
	d0 = count_of("a", true);
	p0 = passed_of("a");
	flow_pkt(&p, false, 0x10);
	DROPS(&p, "no flow yet: a's verdict drops");
	ASSERT_EQ(count_of("a", true), d0 + 1, "a counts that drop");
	flow_pkt(&p, true, 0x02);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.b,
			    .data_size_in = (__u32)p.len, .repeat = 1);

		if (!ASSERT_OK(bpf_prog_test_run_opts(egress, &opts),
			       "egress records the flow"))
			return;
	}
	flow_pkt(&p, false, 0x10);
	PASSES(&p, "the reply passes");
	ASSERT_EQ(count_of("a", true), d0 + 1, "a's dropped does not count it");
	ASSERT_EQ(passed_of("a"), p0 + 1, "a's passed does");
}

int main(void)
{
	px_setup();
	RUN_HOOKS(counts_follow_names);
	RUN_HOOKS(full_table_reused);
	RUN_HOOKS(rebase_keeps_equal_zones);
	RUN_HOOKS(reply_counts_as_passed);
	px_teardown();
	return check_exit();
}
