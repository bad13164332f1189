// SPDX-License-Identifier: GPL-2.0
/*
 * The portxdp programs: one classifier (classify.h), two hooks. The XDP
 * program judges frames in the driver (native) or on the skb path
 * (generic); the tc program judges skbs at the interface's ingress (TCX or
 * clsact), where veth and other virtual devices hand packets over without
 * the copy native XDP forces on them. Both share every map (maps.h), so a
 * filter's counters, totals and drop log read the same whichever hook it
 * uses. doc/design.md section 5 is the contract. A third program, at
 * egress, records the flows this host opens for `option replies`.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "portxdp.h"
#include "px_kernel.h"
#include "compiler.h"
#include "parsing.h"
#include "maps.h"
#include "zone.h"
#include "record.h"
#include "log.h"
#include "replies.h"
#include "bans.h"
#include "source.h"
#include "classify.h"

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
/* The kernel constants user/ takes from px_kernel.h are this kernel's. */
build_bug_on(PX_BPF_TCX_INGRESS != BPF_TCX_INGRESS);
build_bug_on(PX_BPF_TCX_EGRESS != BPF_TCX_EGRESS);
build_bug_on(PX_BPF_LINK_TYPE_TCX != BPF_LINK_TYPE_TCX);

SEC("xdp.frags")
int portxdp(struct xdp_md *ctx)
{
	return px_judge(ctx, PX_HOOK_XDP);
}

/* At ingress, skb->data is the Ethernet header, as XDP's data is. */
SEC("tc")
int portxdp_tc(struct __sk_buff *skb)
{
	return px_judge(skb, PX_HOOK_TC);
}

/*
 * At egress, with `option replies on` (doc/design.md, section 9): record
 * each outgoing TCP/UDP flow, so the classifier knows its replies. Only
 * observes: TCX_NEXT (TC_ACT_UNSPEC under clsact), whatever the packet.
 */
SEC("tc")
int portxdp_egress(struct __sk_buff *skb)
{
	return px_record_flow(skb);
}

char LICENSE[] SEC("license") = "GPL";
