// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading and writing the filter's maps; see maps.h and, for why the
 * policy lives in an inner map swapped whole, include/portxdp.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"

/* Keys per batch call: large enough that a full read is 16-32 syscalls. */
#define COUNTER_BATCH 8192

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

	if (bpf_map_lookup_elem(outer_fd, &key, &inner_id))
		return -errno;
	inner_fd = bpf_map_get_fd_by_id(inner_id);
	if (inner_fd < 0)
		return -errno;
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

int maps_read_counters(int counters_fd, struct px_port_counter *out)
{
	int ncpus = maps_ncpus();
	struct px_port_counter *vals;
	__u32 *keys, in_batch, out_batch;
	void *in = NULL;
	__u32 done = 0;
	int err = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	keys = calloc(COUNTER_BATCH, sizeof(*keys));
	vals = calloc((size_t)COUNTER_BATCH * ncpus, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	memset(out, 0, sizeof(*out) * PX_COUNTER_KEYS);
	while (done < PX_COUNTER_KEYS) {
		__u32 count = COUNTER_BATCH;

		err = bpf_map_lookup_batch(counters_fd, in, &out_batch, keys,
					   vals, &count, NULL);
		if (err && errno != ENOENT) {
			err = -errno;
			goto out;
		}
		for (__u32 i = 0; i < count; i++) {
			struct px_port_counter *dst;

			if (keys[i] >= PX_COUNTER_KEYS)
				continue;
			dst = &out[keys[i]];
			for (int c = 0; c < ncpus; c++) {
				dst->dropped += vals[(size_t)i * ncpus + c].dropped;
				dst->passed += vals[(size_t)i * ncpus + c].passed;
			}
		}
		done += count;
		if (err || !count) /* ENOENT: the last batch */
			break;
		in_batch = out_batch;
		in = &in_batch;
	}
	err = 0;
out:
	free(keys);
	free(vals);
	return err;
}
