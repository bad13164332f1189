/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps of the filter, defined once for every program in the object:
 * the XDP program and the tc program (bpf/portxdp.bpf.c) judge by the same
 * policy slot and add to the same counters, totals and drop log, so
 * userspace reads one set of pins whichever hook a filter uses. Layouts
 * and byte order are include/portxdp.h's. Include once, from the .bpf.c
 * file, after vmlinux.h, <bpf/bpf_helpers.h> and portxdp.h.
 */
#ifndef PX_MAPS_H
#define PX_MAPS_H

/*
 * The inner map's shape; userspace creates maps of exactly this shape
 * (ARRAY, 4-byte key, one struct px_policy, no BTF). Sizes rather than
 * __type(): clang emits a type reached only through the outer map's
 * __array() as a forward declaration, whose size libbpf cannot know, and a
 * BTF key without a BTF value makes the kernel refuse the template.
 */
struct px_policy_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct px_policy));
};

/* Slot 0: the live policy map; written (swapped whole) by the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct px_policy_inner);
} px_policy_outer SEC(".maps");

/*
 * Dropped/passed per (proto, host-order port): the wrap counts, then one
 * slice of 16-bit slots per CPU, every entry 512 KiB and the whole map
 * mmap-able (layout and the wrap protocol in portxdp.h). Written by the
 * programs, read by `stats`. max_entries here is one CPU's worth: the loader
 * sizes it for every CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PX_CTR_ENTRIES(1));
	__type(key, __u32);
	__type(value, struct px_slice);
} px_counters SEC(".maps");

/* Per-CPU totals by verdict and reason; written by the programs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct px_totals);
} px_totals_map SEC(".maps");

/* Logged drops for `portxdp log`, at most px_log.rate a second; read by the log
 * reader only. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PX_EVENTS_BYTES);
} px_events SEC(".maps");

/* The drop log's switch, rate and token bucket (include/portxdp.h); its own
 * section so the reader can mmap it. */
struct px_log_ctl px_log SEC(".data.px_log") = {};

/*
 * Replies (doc/design.md, section 9): the flows this host opened
 * (include/portxdp.h, struct px_flow_key), the least recently used going
 * when full; written by the egress program, read by the classifier.
 * max_entries here is a placeholder: the loader sets the policy's size.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PX_REPLY_SIZE_DEFAULT);
	__type(key, struct px_flow_key);
	__type(value, __u64);
} px_flows SEC(".maps");

#endif /* PX_MAPS_H */
