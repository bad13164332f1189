/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recording a verdict, the one exit of every hook's program: totals by
 * verdict and reason, and the per-port counter (16-bit slots per CPU with
 * wraps, include/portxdp.h). What a verdict is made of (pass or drop, why,
 * which port) is defined here. Include after maps.h.
 */
#ifndef PX_RECORD_H
#define PX_RECORD_H

/*
 * The verdict, in XDP's numbers so the XDP program returns it as it is;
 * the tc program translates it (classify.h).
 */
#define PX_PASS XDP_PASS
#define PX_DROP XDP_DROP

/*
 * Why a packet got its verdict, beyond its port: the byte offset of the
 * totals field it adds to, so recording it is one add at t + why, no
 * switch. 0 (the offset of dropped, never a reason) means none.
 */
enum px_why {
	PX_WHY_NONE = 0, /* judged by port, or passed as another protocol */
	PX_WHY_MALFORMED = __builtin_offsetof(struct px_totals, malformed),
	PX_WHY_FRAGMENT = __builtin_offsetof(struct px_totals, fragments),
	PX_WHY_NON_IP = __builtin_offsetof(struct px_totals, non_ip),
	PX_WHY_PING_DROPPED =
		__builtin_offsetof(struct px_totals, ping_dropped),
	PX_WHY_PING_PASSED = __builtin_offsetof(struct px_totals, ping_passed),
	PX_WHY_BLOCKED = __builtin_offsetof(struct px_totals, blocked),
	PX_WHY_REPLY = __builtin_offsetof(struct px_totals, replies),
	/* never recorded here: a banned source's drops count in the ban
	 * cache (bpf/bans.h), which totals.banned adds up */
	PX_WHY_BANNED = __builtin_offsetof(struct px_totals, banned),
};

/* For the log only, never recorded: the closed-port drop that made its
 * source banned (not a totals offset: those are multiples of 8). */
#define PX_WHY_BAN_START 1

/* No per-port counter for this packet (not TCP/UDP with a port). */
#define PX_NO_KEY 0xffffffffU

build_bug_on(PX_COUNTER_KEYS != 2 * PX_PORTS);
build_bug_on(PX_BITMAP_WORDS * 64 != PX_PORTS);

/*
 * A slot at PX_SLOT_MAX takes one more packet: wrap it, in the order
 * portxdp.h's readers rely on (begun, reset, wraps). Once per 65536 packets
 * of a key on a CPU. The fetch-and-add forms (their results kept) are the
 * fully ordered atomics on every JIT.
 */
static __noinline int px_wrap(__u16 *slot, __u32 key, __u32 wraps_entry)
{
	__u32 i = PX_CTR_BEGUN + key / PX_PORTS;
	__u64 *begun, *wraps, old;

	begun = bpf_map_lookup_elem(&px_counters, &i);
	i = wraps_entry + key / PX_PORTS;
	wraps = bpf_map_lookup_elem(&px_counters, &i);
	if (!begun || !wraps) {
		*slot = 0; /* never: both entries exist */
		return 0;
	}
	old = __sync_fetch_and_add(&begun[key % PX_PORTS], 1);
	barrier_var(old);
	*slot = 0;
	old = __sync_fetch_and_add(&wraps[key % PX_PORTS], 1);
	barrier_var(old);
	return 0;
}

/*
 * One packet on this CPU's slot of key, by verdict. The side (dropped or
 * passed, adjacent 16-bit halves of the slot) is picked by address, not by
 * a branch, so both verdicts take the same few instructions.
 */
static __always_inline void px_count(__u32 key, bool drop)
{
	__u32 cpu = bpf_get_smp_processor_id() + PX_CTR_FIXED;
	struct px_slice *s;
	__u16 *v;

	build_bug_on(__builtin_offsetof(struct px_slot, dropped) != 0 ||
		     __builtin_offsetof(struct px_slot, passed) !=
			     sizeof(__u16));
	build_bug_on(PX_CTR_WRAPS_PASSED - PX_CTR_WRAPS_DROPPED != 2);
	/* Out of range (never) finds no entry. */
	s = bpf_map_lookup_elem(&px_counters, &cpu);
	if (!s)
		return;
	v = &s->slot[key % PX_COUNTER_KEYS].dropped + !drop;
	if (likely(*v != PX_SLOT_MAX))
		(*v)++;
	else
		px_wrap(v, key, PX_CTR_WRAPS_DROPPED + 2 * !drop);
}

/*
 * The one exit. A packet judged by its port adds to that port's counter
 * only: userspace adds the port counters into totals.dropped/passed
 * (maps_read_totals), which saves this path the totals lookup. Every other
 * packet adds one of totals.dropped/passed. Either kind adds the field its
 * reason names. Per-CPU values and per-CPU slices, so plain increments are
 * race-free.
 */
static __always_inline int px_record(__u32 action, enum px_why why, __u32 key)
{
	struct px_totals *t;
	__u32 zero = 0;
	bool drop = action == PX_DROP;

	if (key != PX_NO_KEY) {
		px_count(key, drop);
		if (likely(why == PX_WHY_NONE))
			return action;
	}
	t = bpf_map_lookup_elem(&px_totals_map, &zero);
	if (t) {
		if (key == PX_NO_KEY) {
			if (drop)
				t->dropped++;
			else
				t->passed++;
		}
		if (why != PX_WHY_NONE)
			(*(__u64 *)((char *)t + why))++;
	}
	return action;
}

#endif /* PX_RECORD_H */
