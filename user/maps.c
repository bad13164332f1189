// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading and writing the filter's maps; see maps.h and, for why the
 * policy lives in an inner map swapped whole, include/portxdp.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"

int maps_ncpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

int maps_read_policy(int outer_fd, struct px_policy *out)
{
	__u32 key = 0, inner_id;
	int inner_fd, err = 0;

	/*
	 * A swap between the outer lookup and taking the inner map's fd can
	 * free the map whose id we just read (ENOENT): read the slot again.
	 */
	for (int tries = 0;; tries++) {
		if (bpf_map_lookup_elem(outer_fd, &key, &inner_id))
			return -errno;
		inner_fd = bpf_map_get_fd_by_id(inner_id);
		if (inner_fd >= 0)
			break;
		if (errno != ENOENT || tries == 4)
			return -errno;
	}
	if (bpf_map_lookup_elem(inner_fd, &key, out))
		err = -errno;
	close(inner_fd);
	return err;
}

int maps_install_policy(int outer_fd, struct px_policy *pol)
{
	__u32 key = 0;
	int inner_fd, err = 0;

	if (!pol->applied_at)
		pol->applied_at = (__u64)time(NULL);
	inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "px_policy", sizeof(key),
				  sizeof(*pol), 1, NULL);
	if (inner_fd < 0)
		return -errno;
	/* The new map is complete before anyone can see it ... */
	if (bpf_map_update_elem(inner_fd, &key, pol, BPF_ANY))
		err = -errno;
	/* ... and this one update makes it the live policy. */
	else if (bpf_map_update_elem(outer_fd, &key, &inner_fd, BPF_ANY))
		err = -errno;
	close(inner_fd);
	return err;
}

int maps_read_totals(int totals_fd, struct px_totals *out)
{
	int ncpus = maps_ncpus();
	struct px_totals *v;
	__u32 key = 0;
	int err = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(totals_fd, &key, v)) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < ncpus; c++) {
		out->dropped += v[c].dropped;
		out->passed += v[c].passed;
		out->malformed += v[c].malformed;
		out->fragments += v[c].fragments;
		out->non_ip += v[c].non_ip;
		out->ping_dropped += v[c].ping_dropped;
		out->ping_passed += v[c].ping_passed;
	}
out:
	free(v);
	return err;
}

/* Slices in a counters map: its max_entries over one CPU's keys. */
static int counter_slices(int counters_fd, __u32 *slices)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(counters_fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct px_port_counter) ||
	    info.max_entries % PX_COUNTER_KEYS || !info.max_entries)
		return -EINVAL;
	*slices = info.max_entries / PX_COUNTER_KEYS;
	return 0;
}

int maps_read_counters(int counters_fd, struct px_port_counter *out)
{
	const struct px_port_counter *all;
	size_t size;
	__u32 slices = 0;
	int err = counter_slices(counters_fd, &slices);

	if (err)
		return err;
	/* One mapping of every CPU's slice: no per-entry syscalls. */
	size = (size_t)slices * PX_COUNTER_KEYS * sizeof(*all);
	all = mmap(NULL, size, PROT_READ, MAP_SHARED, counters_fd, 0);
	if (all == MAP_FAILED)
		return -errno;
	memcpy(out, all, sizeof(*out) * PX_COUNTER_KEYS);
	for (__u32 c = 1; c < slices; c++) {
		const struct px_port_counter *s =
			all + (size_t)c * PX_COUNTER_KEYS;

		for (__u32 k = 0; k < PX_COUNTER_KEYS; k++) {
			out[k].dropped += s[k].dropped;
			out[k].passed += s[k].passed;
		}
	}
	munmap((void *)all, size);
	return 0;
}

int maps_read_counter(int counters_fd, __u32 key, struct px_port_counter *out)
{
	struct px_port_counter v;
	__u32 slices = 0;
	int err = counter_slices(counters_fd, &slices);

	if (err)
		return err;
	if (key >= PX_COUNTER_KEYS)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (__u32 c = 0; c < slices; c++) {
		__u32 k = c * PX_COUNTER_KEYS + key;

		if (bpf_map_lookup_elem(counters_fd, &k, &v))
			return -errno;
		out->dropped += v.dropped;
		out->passed += v.passed;
	}
	return 0;
}
