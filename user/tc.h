/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Attaching a BPF program (type BPF_PROG_TYPE_SCHED_CLS) at an interface's
 * tc hook, ingress or egress, and telling what runs there. Through TCX
 * (kernel 6.6 and later): a bpf_link, which can be pinned, switched to
 * another program with bpf_link_update and detached, and which is appended
 * to the hook's chain so other programs there keep running. Without TCX:
 * a clsact qdisc and a direct-action filter at portxdp's own handle and
 * priority (libbpf's bpf_tc_*), which has no link: it is named by
 * (ifindex, direction) and replaced in place.
 *
 * General on purpose (an ifindex, a direction, a program fd): the filter
 * module attaches the ingress classifier through it, and the egress
 * program of `option replies` too. Who owns the link (pins it) is the
 * caller's business: for a filter, user/filter*.c.
 */
#ifndef PX_TC_H
#define PX_TC_H

#include <stdbool.h>
#include <linux/types.h>

#include "px_kernel.h" /* the TCX constants */

enum tc_dir {
	TC_INGRESS,
	TC_EGRESS,
};

/* The clsact filter portxdp owns on a hook: its handle and priority. */
#define PX_TC_HANDLE 0x7078 /* "px" */
#define PX_TC_PRIORITY 0x7078

/* Whether this kernel has TCX (its BTF knows struct tcx_link). */
bool tc_have_tcx(void);

/*
 * Attach prog_fd at ifindex's hook dir. With TCX: *link_fd is the new
 * bpf_link (the caller pins or closes it), appended after the programs
 * already there. Without: a clsact filter at PX_TC_HANDLE/PX_TC_PRIORITY,
 * replacing the one there (so a replacement has no gap), the clsact qdisc
 * made when missing, and *link_fd is -1. ifname is for messages. 0 or
 * -errno (printed).
 */
int tc_attach(const char *ifname, unsigned int ifindex, enum tc_dir dir,
	      int prog_fd, int *link_fd);

/* Whether program prog_id runs at ifindex's hook dir (TCX or clsact): 1
 * yes, 0 no, -errno when the kernel would not say (-EPERM: no
 * CAP_NET_ADMIN where the interface lives, as in a user namespace). */
int tc_runs(unsigned int ifindex, enum tc_dir dir, __u32 prog_id);

/* The program id of portxdp's clsact filter at ifindex's dir; 0: none. */
__u32 tc_clsact_prog(unsigned int ifindex, enum tc_dir dir);

/* Remove portxdp's clsact filter at ifindex's dir (a TCX link goes with
 * bpf_link_detach). 0, or -errno (printed); none there is 0. */
int tc_detach_clsact(const char *ifname, unsigned int ifindex, enum tc_dir dir);

/* Whether link_fd is a TCX link. */
bool tc_is_tcx_link(int link_fd);

#endif
