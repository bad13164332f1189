// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The interface's tc hook: TCX links, or a clsact filter; see tc.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "tc.h"

#define LO_IFINDEX 1 /* every network namespace's loopback */
#define TC_QUERY_MAX 64

static enum bpf_attach_type tcx_type(enum tc_dir dir)
{
	return (enum bpf_attach_type)(dir == TC_EGRESS ? PX_BPF_TCX_EGRESS
						       : PX_BPF_TCX_INGRESS);
}

static const char *dir_name(enum tc_dir dir)
{
	return dir == TC_EGRESS ? "egress" : "ingress";
}

/*
 * Querying TCX on the loopback device succeeds exactly when the kernel
 * has TCX (older kernels refuse the attach type: EINVAL). The test hook
 * PORTXDP_PROBE_MISSING=tcx makes it say no, for the clsact path's tests.
 */
bool tc_have_tcx(void)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q);
	const char *fake = getenv("PORTXDP_PROBE_MISSING");

	if (fake && !strcmp(fake, "tcx"))
		return false;
	return !bpf_prog_query_opts(LO_IFINDEX, tcx_type(TC_INGRESS), &q);
}

static void clsact_hook(struct bpf_tc_hook *h, unsigned int ifindex,
			enum tc_dir dir)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = (int)ifindex;
	h->attach_point = dir == TC_EGRESS ? BPF_TC_EGRESS : BPF_TC_INGRESS;
}

static int clsact_attach(const char *ifname, unsigned int ifindex,
			 enum tc_dir dir, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = PX_TC_HANDLE,
		    .priority = PX_TC_PRIORITY, .prog_fd = prog_fd,
		    .flags = BPF_TC_F_REPLACE);
	struct bpf_tc_hook h;
	int err;

	clsact_hook(&h, ifindex, dir);
	err = bpf_tc_hook_create(&h);
	if (err && err != -EEXIST) {
		px_error("cannot add a clsact qdisc to %s: %s", ifname,
			 strerror(-err));
		return err;
	}
	err = bpf_tc_attach(&h, &o);
	if (err)
		px_error("cannot attach to %s at tc %s (clsact): %s", ifname,
			 dir_name(dir), strerror(-err));
	return err;
}

int tc_attach(const char *ifname, unsigned int ifindex, enum tc_dir dir,
	      int prog_fd, int *link_fd)
{
	int fd;

	*link_fd = -1;
	if (!tc_have_tcx()) {
		px_debug("%s: no TCX in this kernel: attaching by clsact",
			 ifname);
		return clsact_attach(ifname, ifindex, dir, prog_fd);
	}
	fd = bpf_link_create(prog_fd, (int)ifindex, tcx_type(dir), NULL);
	if (fd < 0) {
		fd = -errno;
		px_error("cannot attach to %s at tc %s (TCX): %s", ifname,
			 dir_name(dir), strerror(-fd));
		return fd;
	}
	*link_fd = fd;
	return 0;
}

__u32 tc_clsact_prog(unsigned int ifindex, enum tc_dir dir)
{
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = PX_TC_HANDLE,
		    .priority = PX_TC_PRIORITY);
	struct bpf_tc_hook h;

	clsact_hook(&h, ifindex, dir);
	if (bpf_tc_query(&h, &o))
		return 0; /* no qdisc, or no filter of ours */
	return o.prog_id;
}

int tc_runs(unsigned int ifindex, enum tc_dir dir, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q);
	__u32 ids[TC_QUERY_MAX] = {0};

	if (!ifindex || !prog_id)
		return 0;
	q.prog_ids = ids;
	q.prog_cnt = TC_QUERY_MAX;
	if (!bpf_prog_query_opts((int)ifindex, tcx_type(dir), &q)) {
		for (__u32 i = 0; i < q.prog_cnt && i < TC_QUERY_MAX; i++)
			if (ids[i] == prog_id)
				return 1;
	} else if (errno == EPERM || errno == EACCES) {
		return -errno;
	}
	return tc_clsact_prog(ifindex, dir) == prog_id;
}

int tc_detach_clsact(const char *ifname, unsigned int ifindex, enum tc_dir dir)
{
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = PX_TC_HANDLE,
		    .priority = PX_TC_PRIORITY);
	struct bpf_tc_hook h;
	int err;

	clsact_hook(&h, ifindex, dir);
	err = bpf_tc_detach(&h, &o);
	if (err == -ENOENT || err == -EINVAL)
		return 0; /* none there (EINVAL: no clsact qdisc) */
	if (err)
		px_error("cannot remove portxdp's clsact filter from %s: %s",
			 ifname, strerror(-err));
	return err;
}

bool tc_is_tcx_link(int link_fd)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return !bpf_obj_get_info_by_fd(link_fd, &info, &len) &&
	       info.type == PX_BPF_LINK_TYPE_TCX;
}
