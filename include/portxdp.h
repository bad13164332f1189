/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ABI between the XDP program (bpf/) and the CLI (user/): map layouts,
 * counter structs and constants, in fixed-width types, defined once.
 *
 * Byte order: every port in every map key and bitmap here is in HOST byte
 * order. The XDP program converts the packet's network-order port with
 * bpf_ntohs() before it looks anything up.
 *
 * Included from BPF code (after vmlinux.h, which provides __u32/__u64) and
 * from userspace (after <linux/types.h>).
 */
#ifndef PORTXDP_H
#define PORTXDP_H

#define PX_PORTS 65536
#define PX_BITMAP_WORDS (PX_PORTS / 64)

/* Protocol index used in bitmaps and counter keys. */
enum px_proto {
	PX_TCP = 0,
	PX_UDP = 1,
	PX_NPROTO = 2,
};

/* px_policy.flags */
#define PX_F_PING_OPEN (1U << 0) /* ICMP/ICMPv6 echo requests pass */
#define PX_F_FRAG_DROP (1U << 1) /* later fragments are dropped */

#define PX_SOURCE_LEN 256

/*
 * One whole policy: the single value (key 0) of an inner policy map.
 *
 * open[proto][port / 64] bit (port % 64) set means the port is open.
 * The program reads only open[] and flags; source and applied_at are for
 * `status` and travel with the policy so they can never disagree with it.
 *
 * Atomic replacement (why map-in-map): px_policy_outer holds one inner map.
 * A change builds a complete new inner map, then swaps it into the outer
 * slot with one map update. A packet looks the inner map up once, so it is
 * judged wholly by the old or wholly by the new policy, and the old map is
 * freed by the kernel only after every program that could hold it has
 * finished (RCU), so no slot is ever rewritten under a reader.
 */
struct px_policy {
	__u64 open[PX_NPROTO][PX_BITMAP_WORDS];
	__u32 flags;
	__u32 reserved;
	__u64 applied_at; /* seconds since the epoch, CLOCK_REALTIME */
	char source[PX_SOURCE_LEN]; /* file path, or a note such as "open 22" */
};

/*
 * Per-port counters: an ARRAY with BPF_F_MMAPABLE holding one slice of
 * PX_COUNTER_KEYS entries per possible CPU; the loader sets max_entries to
 * nr_cpus * PX_COUNTER_KEYS before load (user/skel.h). Key (host order):
 *   cpu * PX_COUNTER_KEYS + proto * PX_PORTS + port
 * Written by the XDP program only, each CPU in its own slice, so plain
 * increments are race-free as in a PERCPU_ARRAY. Why not a PERCPU_ARRAY:
 * userspace reads all 131072 ports of every CPU with one mmap() (about a
 * millisecond) where the kernel's batch lookup of a per-CPU array costs
 * about 240 ns per entry (over 30 ms). 16 bytes x 131072 = 2 MiB per CPU.
 */
struct px_port_counter {
	__u64 dropped;
	__u64 passed;
};

#define PX_COUNTER_KEYS (PX_NPROTO * PX_PORTS)

/*
 * Totals: PERCPU_ARRAY with one entry (key 0). Written by the XDP program.
 * dropped/passed count every packet the program saw, by verdict; the other
 * fields say why some of them were what they were:
 *   malformed    dropped as malformed (SPEC 5), included in dropped
 *   fragments    later IP fragments (no L4 header), whatever the verdict
 *   non_ip       frames that are neither IPv4 nor IPv6 (passed)
 *   ping_*       ICMP/ICMPv6 echo requests by verdict
 */
struct px_totals {
	__u64 dropped;
	__u64 passed;
	__u64 malformed;
	__u64 fragments;
	__u64 non_ip;
	__u64 ping_dropped;
	__u64 ping_passed;
};

/* Map and program names, as the skeleton and the pin folder see them. */
#define PX_PIN_ROOT "/sys/fs/bpf/portxdp"
#define PX_PIN_LINK "link"
#define PX_PIN_POLICY "policy"
#define PX_PIN_COUNTERS "counters"
#define PX_PIN_TOTALS "totals"

#endif /* PORTXDP_H */
