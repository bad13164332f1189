/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The drop log: the token bucket, the event with its reason, the frame's
 * first bytes and the headers re-read from the packet's first buffer. One
 * global function per hook, as the context and its copy helper differ
 * (bpf_xdp_load_bytes, bpf_skb_load_bytes); the rest is shared. Include
 * after record.h.
 */
#ifndef PX_LOG_H
#define PX_LOG_H

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
 * An event for a dropped packet, reserved in the ring buffer with its
 * time, reason and port, when a reader is on and the rate allows; NULL
 * otherwise. The caller fills the rest and submits it.
 */
static __always_inline struct px_event *px_log_begin(__u32 why, __u32 key,
						     __u32 zone)
{
	struct px_log_ctl *l = &px_log;
	__u64 now = bpf_ktime_get_ns();
	struct px_event *e;

	if (now > READ_ONCE(l->lease_ns)) {
		l->on = 0; /* the reader is gone without saying so */
		return NULL;
	}
	/* the packet that starts a ban is logged whatever the rate */
	if (why != PX_WHY_BAN_START && !px_log_take(l, now))
		return NULL;
	e = bpf_ringbuf_reserve(&px_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&l->lost, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->time_ns = now;
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
	case PX_WHY_BLOCKED:
		e->reason = PX_DROP_BLOCKED;
		break;
	case PX_WHY_BANNED:
		e->reason = PX_DROP_BANNED;
		break;
	case PX_WHY_BAN_START:
		e->reason = PX_DROP_BAN_SCAN;
		break;
	default:
		e->reason = PX_DROP_CLOSED_PORT;
	}
	if (key != PX_NO_KEY)
		e->dport = key % PX_PORTS;
	e->zone = zone;
	return e;
}

/*
 * How many of the frame's len bytes the event carries, in the range the
 * verifier needs for the copy: 0 (copy nothing), or 1 to PX_EVENT_SNAPLEN
 * in the register the call takes (the mask hidden from clang, which would
 * drop it). Sets e->frame_len.
 */
build_bug_on(PX_EVENT_SNAPLEN &(PX_EVENT_SNAPLEN - 1));
static __always_inline __u32 px_log_cap(struct px_event *e, __u32 len)
{
	__u32 cap = len < PX_EVENT_SNAPLEN ? len : PX_EVENT_SNAPLEN;

	e->frame_len = len;
	if (!cap)
		return 0;
	barrier_var(cap);
	return ((cap - 1) & (PX_EVENT_SNAPLEN - 1)) + 1;
}

/*
 * The addresses, protocol and source port, re-read from the packet's
 * first buffer; for malformed packets whose headers stop short, fields
 * stay 0.
 */
static __always_inline void px_log_headers(struct px_event *e, void *data,
					   void *data_end)
{
	struct hdr_cursor c = {
		.pos = data,
		.end = data_end,
	};
	struct iphdr *iph;
	struct ipv6hdr *ip6;
	int eth_type, l4 = -1;
	__u16 frag = 0;

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
	/* A banned source's drop came before its port was read. */
	if ((l4 == IPPROTO_TCP || l4 == IPPROTO_UDP) && !frag &&
	    e->reason == PX_DROP_BANNED && c.pos + 2 * sizeof(__be16) <= c.end)
		e->dport = bpf_ntohs(*(__be16 *)(c.pos + sizeof(__be16)));
}

/*
 * A dropped frame, to the ring buffer for `portxdp log`, within the rate.
 * Called only while a reader is on. Global functions (one per hook, as the
 * context's type differs): the verifier checks each once, on its own,
 * instead of once per path through the parser (which multiplied the
 * program's verification twenty-fold), and the fast path keeps no state
 * for them. The frame's first bytes go into the event for `log --pcap`.
 */
__noinline int px_log_drop(struct xdp_md *ctx, __u32 why, __u32 key, __u32 zone)
{
	struct px_event *e = px_log_begin(why, key, zone);
	__u32 cap;

	if (!e)
		return 0;
	cap = px_log_cap(e, bpf_xdp_get_buff_len(ctx));
	if (cap && !bpf_xdp_load_bytes(ctx, 0, e->frame, cap))
		e->cap_len = cap;
	px_log_headers(e, (void *)(long)ctx->data, (void *)(long)ctx->data_end);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

__noinline int px_log_drop_tc(struct __sk_buff *skb, __u32 why, __u32 key,
			      __u32 zone)
{
	struct px_event *e = px_log_begin(why, key, zone);
	__u32 cap;

	if (!e)
		return 0;
	cap = px_log_cap(e, skb->len);
	if (cap && !bpf_skb_load_bytes(skb, 0, e->frame, cap))
		e->cap_len = cap;
	px_log_headers(e, (void *)(long)skb->data, (void *)(long)skb->data_end);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* A dropped frame to the log while a reader is on (tc: ctx is a skb):
 * with nobody reading, this one branch is all it costs. */
static __always_inline void px_log_dropped(void *ctx, const bool tc, __u32 why,
					   __u32 key, __u32 zone)
{
	if (unlikely(READ_ONCE(px_log.on))) {
		if (tc)
			px_log_drop_tc(ctx, why, key, zone);
		else
			px_log_drop(ctx, why, key, zone);
	}
}

#endif /* PX_LOG_H */
