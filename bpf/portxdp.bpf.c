// SPDX-License-Identifier: GPL-2.0
/*
 * The portxdp XDP program: parse Ethernet (up to two VLAN tags), IPv4 or
 * IPv6 (through its extension-header chain) and TCP/UDP/ICMP, judge the
 * packet against one policy snapshot (open-port bitmaps and flags), and
 * count the verdict per port and in the totals. doc/design.md section 5 is the
 * contract; where it is silent the choices are written next to the code.
 *
 * The parse chain is flat (as in xdp-filter): every step either moves on,
 * or sets the verdict and jumps to the one exit, which records it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "portxdp.h"
#include "compiler.h"
#include "parsing.h"

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
 * mmap-able (layout and the wrap protocol in portxdp.h). Written by this
 * program, read by `stats`. max_entries here is one CPU's worth: the loader
 * sizes it for every CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PX_CTR_ENTRIES(1));
	__type(key, __u32);
	__type(value, struct px_slice);
} px_counters SEC(".maps");

/* Per-CPU totals by verdict and reason; written by this program. */
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
};

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

/* One packet on this CPU's slot of key, by verdict. */
static __always_inline void px_count(__u32 key, bool drop)
{
	__u32 cpu = bpf_get_smp_processor_id() + PX_CTR_FIXED;
	struct px_slice *s;
	struct px_slot *e;
	__u16 v;

	/* Out of range (never) finds no entry. */
	s = bpf_map_lookup_elem(&px_counters, &cpu);
	if (!s)
		return;
	e = &s->slot[key % PX_COUNTER_KEYS];
	if (drop) {
		v = e->dropped;
		if (likely(v != PX_SLOT_MAX))
			e->dropped = v + 1;
		else
			px_wrap(&e->dropped, key, PX_CTR_WRAPS_DROPPED);
	} else {
		v = e->passed;
		if (likely(v != PX_SLOT_MAX))
			e->passed = v + 1;
		else
			px_wrap(&e->passed, key, PX_CTR_WRAPS_PASSED);
	}
}

/*
 * The one exit: every packet adds exactly one of totals.dropped/passed,
 * plus the field its reason names, plus its port counter if it has one.
 * Per-CPU values and per-CPU slices, so plain increments are race-free.
 */
static __always_inline int px_record(__u32 action, enum px_why why, __u32 key)
{
	struct px_totals *t;
	__u32 zero = 0;
	bool drop = action == XDP_DROP;

	t = bpf_map_lookup_elem(&px_totals_map, &zero);
	if (t) {
		if (drop)
			t->dropped++;
		else
			t->passed++;
		if (why != PX_WHY_NONE)
			(*(__u64 *)((char *)t + why))++;
	}
	if (key != PX_NO_KEY)
		px_count(key, drop);
	return action;
}

/*
 * Take one token from the shared bucket, refilled at px_log.rate a second
 * with a burst of one second's worth. Tokens are billionths of an event,
 * so a refill is a multiplication: elapsed ns x events/s.
 */
static __always_inline bool px_log_take(struct px_log_ctl *l, __u64 now)
{
	__s64 full = (__s64)READ_ONCE(l->rate) * PX_NSEC;
	__u64 elapsed = now - READ_ONCE(l->last_ns);
	__s64 t;

	if (elapsed > PX_NSEC)
		elapsed = PX_NSEC; /* a second refills the whole burst */
	if (elapsed >= 1000) {	   /* refill at most every microsecond */
		t = READ_ONCE(l->tokens) + (__s64)elapsed * l->rate;
		l->tokens = t < full ? t : full;
		l->last_ns = now;
	}
	/* Under a flood the bucket is empty: see so without atomics. */
	if (READ_ONCE(l->tokens) < PX_NSEC)
		goto suppress;
	if (__sync_fetch_and_add(&l->tokens, -PX_NSEC) >= PX_NSEC)
		return true;
	__sync_fetch_and_add(&l->tokens, PX_NSEC);
suppress:
	__sync_fetch_and_add(&l->suppressed, 1);
	return false;
}

/*
 * A dropped packet, to the ring buffer for `portxdp log`, within the rate.
 * Called only while a reader is on. A global function: the verifier checks
 * it once, on its own, instead of once per path through the parser (which
 * multiplied the program's verification twenty-fold), and the fast path
 * keeps no state for it. It re-reads the headers it reports from the
 * packet; for malformed packets whose headers stop short, fields stay 0.
 */
/* The first bytes of the frame into e, for `log --pcap`. */
build_bug_on(PX_EVENT_SNAPLEN &(PX_EVENT_SNAPLEN - 1));
static __always_inline void px_log_frame(struct xdp_md *ctx, struct px_event *e)
{
	__u32 len = bpf_xdp_get_buff_len(ctx);
	__u32 cap = len < PX_EVENT_SNAPLEN ? len : PX_EVENT_SNAPLEN;

	e->frame_len = len;
	if (!cap)
		return;
	/* 1 to PX_EVENT_SNAPLEN in the register the call takes, for the
	 * verifier (hidden from clang, which would drop the mask). */
	barrier_var(cap);
	cap = ((cap - 1) & (PX_EVENT_SNAPLEN - 1)) + 1;
	if (!bpf_xdp_load_bytes(ctx, 0, e->frame, cap))
		e->cap_len = cap;
}

__noinline int px_log_drop(struct xdp_md *ctx, __u32 why, __u32 key)
{
	struct hdr_cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct px_log_ctl *l = &px_log;
	__u64 now = bpf_ktime_get_ns();
	struct px_event *e;
	struct iphdr *iph;
	struct ipv6hdr *ip6;
	int eth_type, l4 = -1;
	__u16 frag = 0;

	if (now > READ_ONCE(l->lease_ns)) {
		l->on = 0; /* the reader is gone without saying so */
		return 0;
	}
	if (!px_log_take(l, now))
		return 0;
	e = bpf_ringbuf_reserve(&px_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&l->lost, 1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->time_ns = now;
	px_log_frame(ctx, e);
	switch (why) {
	case PX_WHY_MALFORMED:
		e->reason = PX_DROP_MALFORMED;
		break;
	case PX_WHY_FRAGMENT:
		e->reason = PX_DROP_FRAGMENT;
		break;
	case PX_WHY_PING_DROPPED:
		e->reason = PX_DROP_PING;
		break;
	default:
		e->reason = PX_DROP_CLOSED_PORT;
	}
	if (key != PX_NO_KEY)
		e->dport = key % PX_PORTS;

	eth_type = parse_ethhdr(&c);
	if (eth_type == bpf_htons(ETH_P_IP)) {
		iph = c.pos;
		e->family = 4;
		if ((void *)(iph + 1) <= c.end)
			__builtin_memcpy(e->saddr, &iph->saddr, 4);
		l4 = parse_iphdr(&c, &iph);
		if (l4 >= 0)
			frag = bpf_ntohs(iph->frag_off) & PX_IP_OFFSET;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ip6 = c.pos;
		e->family = 6;
		if ((void *)(ip6 + 1) <= c.end)
			__builtin_memcpy(e->saddr, &ip6->saddr, 16);
		l4 = parse_ip6hdr(&c);
		if (l4 >= 0)
			l4 = parse_ip6_exthdrs(&c, l4, &frag);
	}
	if (l4 > 0)
		e->proto = l4;
	/* TCP and UDP alike start with the source port; a later fragment
	 * has none. */
	if ((l4 == IPPROTO_TCP || l4 == IPPROTO_UDP) && !frag &&
	    c.pos + sizeof(__be16) <= c.end)
		e->sport = bpf_ntohs(*(__be16 *)c.pos);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * Is port open? key = proto * PX_PORTS + port, and open[][] is contiguous,
 * so the key indexes one flat bitmap of PX_NPROTO * PX_PORTS bits. The mask
 * is for the verifier (clang knows it is redundant, hence barrier_var).
 */
static __always_inline bool px_port_open(const struct px_policy *pol, __u32 key)
{
	__u32 word = key / 64;

	barrier_var(word);
	word &= PX_NPROTO * PX_BITMAP_WORDS - 1;
	return (((const __u64 *)pol->open)[word] >> (key % 64)) & 1;
}

/*
 * Frags-aware (multi-buffer XDP), so native mode attaches on interfaces
 * whose MTU is more than a page (jumbo frames). The parser reads only the
 * first buffer, ctx->data to ctx->data_end, never the fragments: drivers
 * put at least the first page's worth there (over 3 KiB), which holds
 * every header of ordinary frames. A frame whose headers run past the
 * first buffer is judged as a frame cut there, the same as a truncated
 * one: dropped and counted malformed. Nothing is read from elsewhere, so
 * no byte of payload is ever taken for a port.
 */
SEC("xdp.frags")
int portxdp(struct xdp_md *ctx)
{
	struct hdr_cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	__u32 action = XDP_PASS, key = PX_NO_KEY, proto;
	enum px_why why = PX_WHY_NONE;
	const struct px_policy *pol;
	struct iphdr *iph;
	__u16 frag = 0; /* fragment offset, 8-byte units */
	int eth_type, l4, port, type, icmp_proto, echo_type;
	__u32 zero = 0;
	void *inner;

	/*
	 * The ethertype first: ARP, LLDP and anything else neither IPv4 nor
	 * IPv6 passes whatever the policy says, so it skips the lookups.
	 */
	eth_type = parse_ethhdr(&c);
	if (eth_type >= 0 && eth_type != bpf_htons(ETH_P_IP) &&
	    eth_type != bpf_htons(ETH_P_IPV6)) {
		why = PX_WHY_NON_IP;
		goto out;
	}

	/*
	 * One snapshot of the policy for the whole packet: a swap of the outer
	 * slot takes effect between packets, never inside one.
	 */
	inner = bpf_map_lookup_elem(&px_policy_outer, &zero);
	if (!inner)
		goto out; /* no policy installed: pass everything */
	pol = bpf_map_lookup_elem(inner, &zero);
	if (!pol)
		goto out;
	if (eth_type < 0)
		goto malformed;

	if (eth_type == bpf_htons(ETH_P_IP)) {
		l4 = parse_iphdr(&c, &iph);
		if (l4 < 0)
			goto malformed;
		frag = bpf_ntohs(iph->frag_off) & PX_IP_OFFSET;
		icmp_proto = IPPROTO_ICMP;
		echo_type = PX_ICMP_ECHO;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		l4 = parse_ip6hdr(&c);
		if (l4 < 0)
			goto malformed;
		l4 = parse_ip6_exthdrs(&c, l4, &frag);
		if (l4 < 0)
			goto malformed;
		icmp_proto = NEXTHDR_ICMP;
		echo_type = PX_ICMPV6_ECHO_REQUEST;
	} else {
		goto out; /* never: not IP left above */
	}

	/*
	 * Later fragment: what follows the IP header is the middle of the
	 * original datagram, so it is never parsed, whatever the protocol.
	 * TCP at offset 8 bytes can rewrite the flags of the first fragment's
	 * header (RFC 1858): malformed, whatever `option fragments` says.
	 */
	if (frag) {
		if (frag == 1 && l4 == IPPROTO_TCP)
			goto malformed;
		why = PX_WHY_FRAGMENT;
		if (pol->flags & PX_F_FRAG_DROP)
			action = XDP_DROP;
		goto out;
	}

	if (l4 == IPPROTO_TCP) {
		port = parse_tcphdr(&c);
		proto = PX_TCP;
	} else if (l4 == IPPROTO_UDP) {
		port = parse_udphdr(&c);
		proto = PX_UDP;
	} else if (l4 == icmp_proto) {
		type = parse_icmphdr_common(&c);
		if (type < 0)
			goto malformed;
		if (type == echo_type) {
			why = PX_WHY_PING_PASSED;
			if (!(pol->flags & PX_F_PING_OPEN)) {
				action = XDP_DROP;
				why = PX_WHY_PING_DROPPED;
			}
		}
		goto out; /* other ICMP passes: ND, errors, PMTU */
	} else {
		goto out; /* other protocols, ICMP over the wrong IP */
	}
	/* A first fragment too short for its L4 header lands here too. */
	if (port < 0)
		goto malformed;

	key = proto * PX_PORTS + port;
	/* Port 0 is not a valid destination: drop even when "open". */
	if (port == 0 || !px_port_open(pol, key))
		action = XDP_DROP;
	goto out;

malformed:
	action = XDP_DROP;
	why = PX_WHY_MALFORMED;
out:
	/* With nobody reading the log, this one branch is all it costs. */
	if (unlikely(READ_ONCE(px_log.on)) && action == XDP_DROP)
		px_log_drop(ctx, why, key);
	return px_record(action, why, key);
}

char LICENSE[] SEC("license") = "GPL";
