// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A filter attached by a portxdp from before IPv4 ranges (include/
 * portxdp.h, "IPv4 ranges") and still running after an upgrade: its
 * pinned px_zone4_outer holds IPv4 LPM tries (key: prefixlen and 4
 * bytes), and only tries fit in it. The new portxdp reads it (save, diff
 * and show see its prefixes, lookups its zones) and refuses to install a
 * version into it with -EOPNOTSUPP, which apply turns into "attach it
 * again", instead of reading nothing or an unnamed kernel error.
 */
#include <errno.h>
#include <unistd.h>

#include "px_prog.h"
#include "maps_zone.h"
#include "policy.h"

static const char text[] = "default closed\n"
			   "zone office 198.51.100.0/24 2001:db8:5::/48\n"
			   "open 22 from office\n";

/* An IPv4 trie as the older portxdp built it, with 198.51.100.0/24 -> h. */
static int old_trie(const struct px_zone_hit *h)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	struct {
		__u32 prefixlen;
		__u8 addr[4];
	} k = {24, {198, 51, 100, 0}};
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "px_zone4", sizeof(k),
				sizeof(*h), PX_ZONE_PREFIXES_MAX, &o);

	if (fd >= 0 && bpf_map_update_elem(fd, &k, h, BPF_ANY)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Its outer map, of IPv4 tries, with trie in slot. */
static int old_outer(int trie, __u32 slot)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .inner_map_fd = trie);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "px_zone4_outer",
				sizeof(__u32), sizeof(__u32), 2, &o);

	if (fd >= 0 && bpf_map_update_elem(fd, &slot, &trie, BPF_ANY)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void upgraded_filter(void)
{
	struct px_zone_maps m = px_zone_maps();
	struct px_policy pol, live, after;
	struct px_prefix a = {
		.family = 4, .len = 32, .addr = {198, 51, 100, 7}};
	struct px_zoneset *zs = zoneset_new(), *next = NULL;
	struct px_zone zn;
	struct px_zone_hit h;
	int z, trie = -1, outer = -1;
	FILE *null = fopen("/dev/null", "w");

	if (!px_ready() || !ASSERT_TRUE(zs && null, "memory") ||
	    !ASSERT_OK(px_install_text(text, &pol), "install") ||
	    !ASSERT_OK(maps_read_policy(m.policy, &live), "live policy"))
		goto out;
	/* the older layout in the live slot, with office's index */
	z = maps_zone_lookup(&m, &live, &a, &zn);
	h = (struct px_zone_hit){(__u32)z, zn.flags};
	trie = old_trie(&h);
	outer = trie < 0 ? -1 : old_outer(trie, live.gen & 1);
	if (!ASSERT_TRUE(z > 0 && outer >= 0, "an older filter's maps"))
		goto out;
	m.zone4 = outer;
	ASSERT_OK(maps_read_prefixes(&m, &live, zs), "its prefixes read");
	ASSERT_EQ(zs->nfam[0], 1, "its IPv4 prefix");
	ASSERT_EQ(zs->nfam[1], 1, "its IPv6 prefix");
	ASSERT_EQ(zs->npfx && zs->pfx[0].family == 4 ? zs->pfx[0].len : 0, 24,
		  "198.51.100.0/24");
	ASSERT_EQ(maps_zone_lookup(&m, &live, &a, &zn), z,
		  "198.51.100.7 in office");
	ASSERT_OK(policy_text_zoned("t.policy", text, NULL, &pol, &next, NULL,
				    null),
		  "parse");
	ASSERT_EQ(maps_install_zoned(&m, &pol, next, false), -EOPNOTSUPP,
		  "no version into an outer map of tries");
	ASSERT_OK(maps_read_policy(m.policy, &after), "live policy after");
	ASSERT_EQ(after.gen, live.gen, "nothing changed");
out:
	if (null)
		fclose(null);
	zoneset_free(next);
	zoneset_free(zs);
	if (outer >= 0)
		close(outer);
	if (trie >= 0)
		close(trie);
}

int main(void)
{
	px_setup();
	RUN(upgraded_filter);
	px_teardown();
	return check_exit();
}
