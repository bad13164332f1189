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

#include "bans.h"
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

int maps_read_totals(int totals_fd, int ban_cache_fd,
		     const struct px_port_counter *ports, struct px_totals *out)
{
	int ncpus = maps_ncpus();
	struct px_totals *v;
	__u64 *banned;
	__u32 key = 0;
	int err = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = calloc(ncpus, sizeof(*v));
	banned = calloc(ncpus, sizeof(*banned));
	memset(out, 0, sizeof(*out));
	if (!v || !banned) {
		err = -ENOMEM;
		goto out;
	}
	if (ban_cache_fd >= 0)
		err = bans_cache_dropped(ban_cache_fd, banned);
	if (!err && bpf_map_lookup_elem(totals_fd, &key, v))
		err = -errno;
	if (err)
		goto out;
	for (int c = 0; c < ncpus; c++) {
		out->dropped += banned[c];
		out->banned += banned[c];
		out->dropped += v[c].dropped;
		out->passed += v[c].passed;
		out->malformed += v[c].malformed;
		out->fragments += v[c].fragments;
		out->non_ip += v[c].non_ip;
		out->ping_dropped += v[c].ping_dropped;
		out->ping_passed += v[c].ping_passed;
		out->blocked += v[c].blocked;
		out->replies += v[c].replies;
		out->banned += v[c].banned;
	}
	for (__u32 k = 0; ports && k < PX_COUNTER_KEYS; k++) {
		out->dropped += ports[k].dropped;
		out->passed += ports[k].passed;
	}
out:
	free(v);
	free(banned);
	return err;
}

/*
 * The counter map (include/portxdp.h), mapped whole: the wraps, begun and
 * one slice per CPU. Plain loads of the slots are fine (aligned 16-bit
 * loads never tear); the fences order the three phases of a reading.
 */
struct ctr_view {
	const __u64 *wraps[PX_NPROTO]; /* dropped, passed */
	const __u64 *begun;
	const struct px_slice *slices;
	__u32 nslices;
};

#define CTR_ENTRY(base, i) ((const char *)(base) + (size_t)(i)*PX_SLICE_SZ)
#define PX_SLICE_SZ sizeof(struct px_slice)
#define CTR_RETRIES 1000
/* Slot values summed per block, so the block's sums stay in L1/L2. */
#define CTR_BLOCK 16384

static void ctr_view_init(struct ctr_view *v, const void *map, __u32 nslices)
{
	v->wraps[0] = (const __u64 *)CTR_ENTRY(map, PX_CTR_WRAPS_DROPPED);
	v->wraps[1] = (const __u64 *)CTR_ENTRY(map, PX_CTR_WRAPS_PASSED);
	v->begun = (const __u64 *)CTR_ENTRY(map, PX_CTR_BEGUN);
	v->slices = (const struct px_slice *)CTR_ENTRY(map, PX_CTR_FIXED);
	v->nslices = nslices;
}

static __u64 load64(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* One key read alone (a-b-c of portxdp.h) until no wrap overlaps it. */
static int ctr_read_key(const struct ctr_view *v, __u32 k,
			struct px_port_counter *out)
{
	for (int tries = 0; tries < CTR_RETRIES; tries++) {
		__u64 d = load64(&v->wraps[0][k]), p = load64(&v->wraps[1][k]);
		__u64 sd = 0, sp = 0;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		for (__u32 c = 0; c < v->nslices; c++) {
			sd += v->slices[c].slot[k].dropped;
			sp += v->slices[c].slot[k].passed;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (d + p == load64(&v->begun[k])) {
			out->dropped = d * PX_SLOT_WRAP + sd;
			out->passed = p * PX_SLOT_WRAP + sp;
			return 0;
		}
	}
	return -EBUSY; /* a wrap on this key during each of 1000 reads */
}

/*
 * Sum every CPU's slots into acc (two 32-bit sums per key, the slots'
 * order), block by block: a block's sums stay in cache while every slice
 * adds to them. 32 bits hold 65535 x 65536 CPUs.
 */
/* acc += four slices' slots: a quarter of the passes over acc. */
static void ctr_add4(__u32 *restrict a, const __u16 *restrict s0,
		     const __u16 *restrict s1, const __u16 *restrict s2,
		     const __u16 *restrict s3)
{
	for (size_t i = 0; i < CTR_BLOCK; i++)
		a[i] += (__u32)s0[i] + s1[i] + s2[i] + s3[i];
}

static void ctr_add(__u32 *restrict a, const __u16 *restrict s)
{
	for (size_t i = 0; i < CTR_BLOCK; i++)
		a[i] += s[i];
}

static void ctr_sum_slices(const struct ctr_view *v, __u32 *acc)
{
	const size_t n = 2 * (size_t)PX_COUNTER_KEYS;
	__u32 c;

#define SLOTS(c) ((const __u16 *)v->slices[(c)].slot + lo)
	for (size_t lo = 0; lo < n; lo += CTR_BLOCK) {
		memset(acc + lo, 0, CTR_BLOCK * sizeof(*acc));
		for (c = 0; c + 4 <= v->nslices; c += 4)
			ctr_add4(acc + lo, SLOTS(c), SLOTS(c + 1), SLOTS(c + 2),
				 SLOTS(c + 3));
		for (; c < v->nslices; c++)
			ctr_add(acc + lo, SLOTS(c));
	}
#undef SLOTS
}

int maps_sum_counters(const void *map, __u32 nslices,
		      struct px_port_counter *out)
{
	struct ctr_view v;
	__u32 *acc;
	__u64 *done;
	int err = 0;

	ctr_view_init(&v, map, nslices);
	acc = malloc(2 * sizeof(*acc) * PX_COUNTER_KEYS);
	done = malloc(sizeof(*done) * PX_COUNTER_KEYS);
	if (!acc || !done) {
		free(acc);
		free(done);
		return -ENOMEM;
	}
	/* a: the finished wraps; b: the slots; c: the started wraps. */
	for (__u32 k = 0; k < PX_COUNTER_KEYS; k++) {
		out[k].dropped = load64(&v.wraps[0][k]);
		out[k].passed = load64(&v.wraps[1][k]);
		done[k] = out[k].dropped + out[k].passed;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	ctr_sum_slices(&v, acc);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (__u32 k = 0; k < PX_COUNTER_KEYS && !err; k++) {
		if (load64(&v.begun[k]) != done[k]) {
			err = ctr_read_key(&v, k, &out[k]);
			continue;
		}
		out[k].dropped = out[k].dropped * PX_SLOT_WRAP + acc[2 * k];
		out[k].passed = out[k].passed * PX_SLOT_WRAP + acc[2 * k + 1];
	}
	free(acc);
	free(done);
	return err;
}

/* The counter map's slices (CPUs) and size, checked against the layout. */
static int counter_slices(int counters_fd, __u32 *slices, size_t *size)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(counters_fd, &info, &len))
		return -errno;
	if (info.value_size != PX_SLICE_SZ || info.max_entries <= PX_CTR_FIXED)
		return -EINVAL;
	*slices = info.max_entries - PX_CTR_FIXED;
	*size = (size_t)info.max_entries * PX_SLICE_SZ;
	return 0;
}

struct maps_counters {
	const void *map;
	size_t size;
	struct ctr_view view;
};

struct maps_counters *maps_counters_open(int counters_fd)
{
	struct maps_counters *m = calloc(1, sizeof(*m));
	__u32 slices = 0;
	int err;

	if (!m)
		return NULL;
	err = counter_slices(counters_fd, &slices, &m->size);
	if (err) {
		free(m);
		errno = -err;
		return NULL;
	}
	/* One mapping of the whole map: no per-entry syscalls. */
	m->map = mmap(NULL, m->size, PROT_READ, MAP_SHARED, counters_fd, 0);
	if (m->map == MAP_FAILED) {
		err = errno;
		free(m);
		errno = err;
		return NULL;
	}
	ctr_view_init(&m->view, m->map, slices);
	return m;
}

void maps_counters_close(struct maps_counters *m)
{
	if (!m)
		return;
	munmap((void *)m->map, m->size);
	free(m);
}

int maps_counters_read(const struct maps_counters *m,
		       struct px_port_counter *out)
{
	return maps_sum_counters(m->map, m->view.nslices, out);
}

int maps_counters_read_key(const struct maps_counters *m, __u32 key,
			   struct px_port_counter *out)
{
	if (key >= PX_COUNTER_KEYS)
		return -EINVAL;
	return ctr_read_key(&m->view, key, out);
}

int maps_read_counters(int counters_fd, struct px_port_counter *out)
{
	struct maps_counters *m = maps_counters_open(counters_fd);
	int err;

	if (!m)
		return -errno;
	err = maps_counters_read(m, out);
	maps_counters_close(m);
	return err;
}

int maps_read_counter(int counters_fd, __u32 key, struct px_port_counter *out)
{
	struct maps_counters *m = maps_counters_open(counters_fd);
	int err;

	if (!m)
		return -errno;
	err = maps_counters_read_key(m, key, out);
	maps_counters_close(m);
	return err;
}
