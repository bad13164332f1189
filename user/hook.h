/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which hook `--mode auto` picks for an interface, and why: the one that
 * costs the interface's legitimate traffic least. A physical NIC (its
 * driver names a bus address) gets XDP, native where its driver has it;
 * veth and every other virtual device gets the tc hook, because native
 * XDP on veth copies every packet into a page of its own (TCP throughput
 * halves) and generic XDP costs more than tc on the same skb path.
 */
#ifndef PX_HOOK_H
#define PX_HOOK_H

#include <stdbool.h>

#include "xdp.h"

/*
 * The mode auto means on ifname: PX_MODE_TC, or PX_MODE_AUTO (XDP: native,
 * else generic). why gets the reason, for the one line that says it,
 * e.g. "veth, a virtual device".
 */
enum px_xdp_mode hook_auto(const char *ifname, char *why, unsigned long len);

#endif
