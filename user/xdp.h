/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Attaching to and detaching from an interface's XDP hook, and telling
 * what is there now (portxdp or another program), through libbpf's
 * bpf_link and netlink helpers.
 */
#ifndef PX_XDP_H
#define PX_XDP_H

#include <stdbool.h>
#include <linux/types.h>

enum px_xdp_mode {
	PX_MODE_AUTO,
	PX_MODE_NATIVE,
	PX_MODE_GENERIC,
	PX_MODE_TC, /* not XDP: the tc ingress hook (user/tc.h) */
};

int xdp_parse_mode(const char *s, enum px_xdp_mode *mode);
const char *xdp_mode_name(enum px_xdp_mode mode);

/*
 * Attach prog_fd to ifindex through a bpf_link in *mode; auto tries native
 * first and falls back to generic with a message, and *mode says which
 * was used. Returns the link fd or -errno (printed).
 */
int xdp_attach(int prog_fd, const char *ifname, unsigned int ifindex,
	       enum px_xdp_mode *mode);

/* What is attached to ifindex: program id (0: none) and mode. */
struct xdp_state {
	__u32 prog_id;
	enum px_xdp_mode mode; /* PX_MODE_AUTO when none or offloaded */
};
int xdp_query(unsigned int ifindex, struct xdp_state *st);

/* The ifindex and program id a pinned link (XDP or TCX) is attached to;
 * ifindex 0 when its interface is gone. 0 or -errno. */
int xdp_link_info(int link_fd, __u32 *ifindex, __u32 *prog_id, __u32 *link_id);

/* The name of program id into buf ("?" when unknown). */
void xdp_prog_name(__u32 id, char *buf, unsigned long len);

/* Remove whatever XDP program st says is on ifindex, attached by netlink
 * or by someone else's bpf_link. 0 or -errno (printed). */
int xdp_detach_foreign(const char *ifname, unsigned int ifindex,
		       const struct xdp_state *st);

#endif
