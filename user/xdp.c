// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The interface's XDP hook: attach, detach, query; see xdp.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "err.h"
#include "portxdp.h"
#include "px_kernel.h"
#include "xdp.h"

int xdp_parse_mode(const char *s, enum px_xdp_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = PX_MODE_AUTO;
	else if (!strcmp(s, "native") || !strcmp(s, "drv"))
		*mode = PX_MODE_NATIVE;
	else if (!strcmp(s, "generic") || !strcmp(s, "skb"))
		*mode = PX_MODE_GENERIC;
	else if (!strcmp(s, "tc"))
		*mode = PX_MODE_TC;
	else
		return -EINVAL;
	return 0;
}

const char *xdp_mode_name(enum px_xdp_mode mode)
{
	switch (mode) {
	case PX_MODE_NATIVE:
		return "native";
	case PX_MODE_GENERIC:
		return "generic";
	case PX_MODE_TC:
		return "tc";
	default:
		return "auto";
	}
}

static int link_create(int prog_fd, unsigned int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

/* The interface's MTU in the current namespace, or 0 when unknown. */
static int if_mtu(const char *ifname)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = 0;

	if (s < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(s, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(s);
	return mtu;
}

int xdp_attach(int prog_fd, const char *ifname, unsigned int ifindex,
	       enum px_xdp_mode *mode)
{
	int fd;

	if (*mode != PX_MODE_GENERIC) {
		fd = link_create(prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
		if (fd >= 0) {
			*mode = PX_MODE_NATIVE;
			return fd;
		}
		/* The program is frags-aware: ERANGE is a driver without
		 * multi-buffer XDP refusing a frame larger than one page. */
		if (fd == -ERANGE && *mode == PX_MODE_NATIVE) {
			px_error("cannot attach to %s in native mode: its MTU "
				 "%d is more than its driver takes for XDP: "
				 "lower it (ip link set %s mtu 1500) or use "
				 "--mode generic",
				 ifname, if_mtu(ifname), ifname);
			return fd;
		} else if (fd == -ERANGE) {
			px_info("%s: its MTU %d is more than its driver takes "
				"for native XDP; using generic mode (lower "
				"the MTU for native)",
				ifname, if_mtu(ifname));
		} else if (*mode == PX_MODE_NATIVE || fd == -EBUSY ||
			   fd == -EEXIST || fd == -EPERM) {
			px_error("cannot attach to %s in native mode: %s%s",
				 ifname, strerror(-fd),
				 *mode == PX_MODE_NATIVE
					 ? " (its driver may lack native XDP: "
					   "try "
					   "--mode generic)"
					 : "");
			return fd;
		} else {
			px_info("%s: native XDP not available (%s); using "
				"generic mode",
				ifname, strerror(-fd));
		}
	}
	fd = link_create(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	if (fd < 0) {
		px_error("cannot attach to %s in generic mode: %s (rerun with "
			 "-v for the kernel's reason)",
			 ifname, strerror(-fd));
		return fd;
	}
	*mode = PX_MODE_GENERIC;
	return fd;
}

int xdp_query(unsigned int ifindex, struct xdp_state *st)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	memset(st, 0, sizeof(*st));
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	st->prog_id = q.prog_id;
	if (q.attach_mode == XDP_ATTACHED_DRV)
		st->mode = PX_MODE_NATIVE;
	else if (q.attach_mode == XDP_ATTACHED_SKB)
		st->mode = PX_MODE_GENERIC;
	else if (q.attach_mode == XDP_ATTACHED_MULTI)
		st->prog_id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	return 0;
}

int xdp_link_info(int link_fd, __u32 *ifindex, __u32 *prog_id, __u32 *link_id)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -errno;
	/* A TCX link's ifindex is the first field of its part of the union
	 * too (struct bpf_link_info in the kernel's uapi/linux/bpf.h): read
	 * through xdp, which Debian 12's header has. */
	if (ifindex)
		*ifindex = info.type == BPF_LINK_TYPE_XDP ||
					   info.type == PX_BPF_LINK_TYPE_TCX
				   ? info.xdp.ifindex
				   : 0;
	if (prog_id)
		*prog_id = info.prog_id;
	if (link_id)
		*link_id = info.id;
	return 0;
}

void xdp_prog_name(__u32 id, char *buf, unsigned long len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, len, "?");
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen) && info.name[0])
		snprintf(buf, len, "%s", info.name);
	close(fd);
}

/* A program attached through someone else's bpf_link: find that link. */
static int detach_foreign_link(unsigned int ifindex, __u32 prog_id)
{
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		__u32 l_if = 0, l_prog = 0;
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!xdp_link_info(fd, &l_if, &l_prog, NULL) &&
		    l_if == ifindex && l_prog == prog_id) {
			int err = bpf_link_detach(fd) ? -errno : 0;

			close(fd);
			return err;
		}
		close(fd);
	}
	return -ENOENT;
}

int xdp_detach_foreign(const char *ifname, unsigned int ifindex,
		       const struct xdp_state *st)
{
	__u32 flags = st->mode == PX_MODE_NATIVE    ? XDP_FLAGS_DRV_MODE
		      : st->mode == PX_MODE_GENERIC ? XDP_FLAGS_SKB_MODE
						    : 0;
	int err = 0;

	if (bpf_xdp_detach(ifindex, flags, NULL))
		err = -errno;
	if (err == -EBUSY)
		err = detach_foreign_link(ifindex, st->prog_id);
	if (err)
		px_error("cannot remove the XDP program (id %u) on %s: %s",
			 st->prog_id, ifname, strerror(-err));
	return err;
}
