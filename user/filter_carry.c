// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a new program for a running filter takes over from the old one
 * (filter_attach.c loads it): the old filter's maps handed to the new
 * object before it loads (bpf_map__reuse_fd), so both programs read and
 * write the very same maps and nothing is copied.
 *
 *   - attach --force starts the filter afresh (policy, counters, log)
 *     but carries what the hosts it watches did: the bans, the ban rule's
 *     scan counts and the flow table (filter_map_pins[].carried);
 *   - apply's reload, which gives a running filter the egress program
 *     and the flow table its `option replies` needs (filter_egress.c),
 *     keeps every map, but a ban cache of an older layout (an older
 *     portxdp attached the filter), which the new program cannot use.
 *
 * A ban cache not carried for its layout takes its generation with it
 * (a new cache, a new generation), and its slots' drops not yet in a ban
 * go to the new cache (bans_cache_carry).
 *
 * The flow table is reused only when it has the size asked; otherwise
 * the new program gets a new table, into which filter_flows_carry()
 * copies the old one's flows once the new recorder runs.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "filter.h"
#include "filter_pins.h"

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return fd < 0 || bpf_obj_get_info_by_fd(fd, info, &len) ? -1 : 0;
}

__u32 filter_map_size(int fd)
{
	struct bpf_map_info info;

	return map_info(fd, &info) ? 0 : info.max_entries;
}

__u32 filter_flows_wanted(const struct px_policy *pol)
{
	return pol->flags & PX_F_REPLIES ? pol->reply_size : PX_REPLY_SIZE_MIN;
}

/* Has fd, a map attach --force carries (or apply's reload keeps), the
 * shape the new object's map has? A map of another build's layout is
 * not carried: the new program gets a new one, and the rest is carried
 * still. The ban cache and its generation go together (include/
 * portxdp.h): with a new cache, a new generation too. apply's reload
 * keeps every other map as it is. */
static bool same_shape(int fd, const struct bpf_map *m)
{
	struct bpf_map_info info;

	return !map_info(fd, &info) && info.key_size == bpf_map__key_size(m) &&
	       info.value_size == bpf_map__value_size(m) &&
	       info.max_entries == bpf_map__max_entries(m);
}

static bool carried_as_is(const struct filter_reuse *r,
			  struct portxdp_bpf *skel,
			  const struct filter_map_pin *p)
{
	int fd = *filter_pin_fd((struct px_filter *)r->old, p);
	const struct bpf_map *m = filter_pin_map(skel, p);

	if (fd == r->old->flows_fd)
		return true; /* its size is the policy's, checked before */
	if (fd == r->old->ban_gen_fd || fd == r->old->ban_cache_fd)
		return same_shape(r->old->ban_cache_fd,
				  skel->maps.px_ban_cache);
	if (r->all || same_shape(fd, m))
		return true;
	px_warn("%s: the old filter's %s has another layout and cannot be "
		"carried over: it starts again",
		r->old->ifname, p->name);
	return false;
}

int filter_maps_reuse(struct portxdp_bpf *skel, void *ctx)
{
	const struct filter_reuse *r = ctx;
	int err;

	/* the verifier's time goes to what runs only */
	bpf_program__set_autoload(skel->progs.portxdp, !r->tc);
	bpf_program__set_autoload(skel->progs.portxdp_tc, r->tc);
	bpf_program__set_autoload(skel->progs.portxdp_egress, r->egress);

	for (unsigned int i = 0; i < filter_nmap_pins; i++) {
		const struct filter_map_pin *p = &filter_map_pins[i];
		int fd = *filter_pin_fd((struct px_filter *)r->old, p);

		if (fd < 0 || !(r->all || p->carried))
			continue;
		if (fd == r->old->flows_fd && filter_map_size(fd) != r->flows)
			continue; /* a new table, the flows copied */
		if (!carried_as_is(r, skel, p))
			continue; /* another build's layout: a new map */
		err = bpf_map__reuse_fd(filter_pin_map(skel, p), fd);
		if (err)
			return err;
	}
	return 0;
}

void filter_flows_carry(int old_fd, int new_fd)
{
	struct bpf_map_info a, b;
	struct px_flow_key k, next;
	void *prev = NULL;
	__u64 seen;

	if (map_info(old_fd, &a) || map_info(new_fd, &b) || a.id == b.id)
		return; /* none, or one table reused */
	while (!bpf_map_get_next_key(old_fd, prev, &next)) {
		k = next;
		prev = &k;
		if (!bpf_map_lookup_elem(old_fd, &k, &seen))
			bpf_map_update_elem(new_fd, &k, &seen, BPF_NOEXIST);
	}
}
