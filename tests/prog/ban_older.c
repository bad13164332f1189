// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A filter attached by a portxdp from before the ban cache's cumulative
 * counts (include/portxdp.h, "The ban cache") and still running after an
 * upgrade: its slots (struct px_ban_slot_v1, user/bans.c) hold in
 * `dropped` only drops not yet in their ban's count, which its program
 * counted in the totals map already. The new portxdp shows them in
 * `bans` and not again in the totals; attach --force and apply's reload
 * give the new program a new cache (of this layout) that takes them
 * over, and apply's reload still loads instead of failing in the
 * verifier on the older cache.
 */
#include <errno.h>
#include <unistd.h>

#include "px_prog.h"
#include "bans.h"
#include "filter_pins.h"
#include "policy.h"
#include "skel.h"

static const char text[] = "default closed\nopen 80\n";

/* 198.51.100.60, banned by hand in every test. */
static const struct px_ban_key key = {.family = 4, .addr = {198, 51, 100, 60}};

/* The older slot, as the older program wrote it. */
struct slot_v1 {
	__u64 addr, gen, until, ban_id;
	__u32 family, dropped;
};

/* An older ban cache whose slot for key holds `held` drops on every CPU
 * for the ban b. */
static int old_cache(const struct px_ban *b, __u32 held)
{
	__u64 addr = 0;
	__u32 slot;
	struct slot_v1 *v = calloc((size_t)px.ncpu, sizeof(*v));
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "px_ban_cache",
				sizeof(__u32), sizeof(*v), PX_BAN_CACHE_SLOTS,
				NULL);

	memcpy(&addr, key.addr, 8);
	slot = px_ban_slot_of(addr);
	for (int c = 0; v && c < px.ncpu; c++)
		v[c] = (struct slot_v1){.addr = addr,
					.gen = 1,
					.until = ~0ULL,
					.ban_id = PX_BAN_ID(b),
					.family = 4,
					.dropped = held};
	if (!v || (fd >= 0 && bpf_map_update_elem(fd, &slot, v, BPF_ANY))) {
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(v);
	return fd;
}

/* The drops `bans` shows for key's ban with the cache cache_fd. */
static long long shown(int cache_fd)
{
	struct px_filter f = px_ban_filter();
	struct ban_entry e = {.src = key};

	f.ban_cache_fd = cache_fd;
	if (bpf_map_lookup_elem(f.bans_fd, &key, &e.ban) ||
	    bans_cached_drops(&f, &e, 1))
		return -1;
	return (long long)e.ban.dropped;
}

static __u64 banned_total(int cache_fd)
{
	struct px_totals t = {0};

	maps_read_totals(px.totals_fd, cache_fd, NULL, &t);
	return t.banned;
}

/* The ban of key, made by hand; its value in *b. */
static bool banned(struct px_ban *b)
{
	struct px_filter f = px_ban_filter();
	struct px_policy pol;

	return ASSERT_OK(px_install_text(text, &pol), "install") &&
	       ASSERT_OK(bans_add(&f, &key, 3600, PX_BAN_MANUAL), "ban") &&
	       ASSERT_OK(px_install_text(text, &pol), "install with bans") &&
	       ASSERT_OK(bpf_map_lookup_elem(f.bans_fd, &key, b), "the ban");
}

/* `bans` adds what an older cache's slots hold; the totals do not. */
static void bans_read_older_cache(void)
{
	struct px_ban b;
	int fd;

	if (!px_ready() || !banned(&b))
		return;
	fd = old_cache(&b, 7);
	if (!ASSERT_TRUE(fd >= 0, "an older cache"))
		return;
	ASSERT_EQ(shown(fd), b.dropped + 7ULL * px.ncpu,
		  "bans: the ban's drops and the older slots'");
	ASSERT_EQ(banned_total(fd), banned_total(-1),
		  "the totals: the older program counted them there");
	close(fd);
}

/* Its drops go to the new cache, and from it to the ban. */
static void new_cache_takes_over(void)
{
	int cache = bpf_map__fd(px.skel->maps.px_ban_cache);
	struct px_ban b, after;
	__u64 total;
	struct pkt p;
	int fd;

	if (!px_ready() || !banned(&b))
		return;
	fd = old_cache(&b, 5);
	if (!ASSERT_TRUE(fd >= 0, "an older cache"))
		return;
	total = banned_total(cache);
	ASSERT_OK(bans_cache_carry(fd, cache), "carried");
	close(fd);
	ASSERT_EQ(shown(cache), b.dropped + 5ULL * px.ncpu,
		  "bans: the older slots' drops, in the new cache");
	ASSERT_EQ(banned_total(cache), total, "not counted again in totals");
	pkt_tcp4(&p, 80);
	memcpy(p.b + 14 + 12, key.addr, 4);
	DROPS(&p, "banned");
	ASSERT_EQ(shown(cache), b.dropped + 5ULL * px.ncpu + 1, "one more");
	ASSERT_EQ(banned_total(cache), total + 1, "totals: one more");
	ASSERT_OK(bpf_map_lookup_elem(px_ban_filter().bans_fd, &key, &after),
		  "the ban");
	ASSERT_EQ(after.dropped, b.dropped + 5,
		  "the slot refilled: its CPU's older drops in the ban");
}

/* apply's reload keeps every map but an older cache and its generation. */
static void reload_over_older_cache(void)
{
	struct portxdp_bpf *skel;
	struct px_filter old;
	struct px_ban b = {0};
	struct filter_reuse r = {
		.old = &old, .all = true, .flows = PX_REPLY_SIZE_DEFAULT};
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);

	if (!px_ready())
		return;
	filter_init(&old, "none");
	old.totals_fd = px.totals_fd;
	old.ban_cache_fd = old_cache(&b, 1);
	old.ban_gen_fd = bpf_map__fd(px.skel->maps.data_px_ban_gen);
	if (!ASSERT_TRUE(old.ban_cache_fd >= 0, "an older cache"))
		return;
	skel = px_skel_load_flows(r.flows, filter_maps_reuse, &r);
	if (ASSERT_TRUE(skel, "loaded over an older cache"))
		ASSERT_OK(bpf_obj_get_info_by_fd(
				  bpf_map__fd(skel->maps.px_ban_cache), &info,
				  &len),
			  "its cache");
	ASSERT_EQ(info.value_size, sizeof(struct px_ban_slot),
		  "a new cache, of this layout");
	portxdp_bpf__destroy(skel);
	close(old.ban_cache_fd);
}

int main(void)
{
	px_setup();
	RUN(bans_read_older_cache);
	RUN(new_cache_takes_over);
	RUN(reload_over_older_cache);
	px_teardown();
	return check_exit();
}
