// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The replies side of an attached filter (doc/design.md, section 9): its
 * egress program, attached at the interface's tc egress hook through
 * user/tc.c (a TCX bpf_link pinned in the filter's folder as "egress";
 * without TCX a clsact filter, which has no link, and the program pinned
 * as "egress_prog" so the filter knows it), and its flow table (the map
 * pin "flows", in filter.c's table). A filter attached with
 * `option replies on` has both; one attached without has a table of
 * PX_REPLY_SIZE_MIN entries and no egress program, so a host that does
 * not use replies pays nothing for them on its outgoing packets.
 *
 * The link lives as long as its pin: detach and --stale detach it, and a
 * replacement (--force) attaches the new program's link before the XDP
 * link switches and drops the old one with the old pins after, so the
 * hook is never without a recorder (for a moment two record, into the
 * same table or the old and the new one). The table is carried over:
 * reused when the size asked is the old table's, else copied once the new
 * recorder runs, so connections that were open keep their replies
 * coming.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "filter.h"
#include "filter_pins.h"
#include "tc.h"

/* The program a link runs, and the interface it is on (0: gone). */
static int egress_link_info(int link_fd, __u32 *prog_id, __u32 *ifindex)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -errno;
	*prog_id = info.prog_id;
	/* struct tcx_link_info starts with ifindex, as xdp's does */
	*ifindex = info.type == PX_BPF_LINK_TYPE_TCX ? info.xdp.ifindex : 0;
	return 0;
}

static int pin_egress(int fd, const char *dir, const char *name,
		      const char *ifname)
{
	char path[PATH_MAX + 40];
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		px_error("cannot pin %s for %s: %s", path, ifname,
			 strerror(-err));
	}
	return err;
}

int filter_egress_attach(struct portxdp_bpf *skel, const struct px_policy *pol,
			 const char *ifname, unsigned int ifindex,
			 const char *dir)
{
	int prog_fd = bpf_program__fd(skel->progs.portxdp_egress);
	int link_fd = -1, err;

	if (!(pol->flags & PX_F_REPLIES))
		return 0;
	err = tc_attach(ifname, ifindex, TC_EGRESS, prog_fd, &link_fd);
	if (err)
		return err;
	if (link_fd < 0) /* clsact: the program names what runs */
		return pin_egress(prog_fd, dir, FILTER_PIN_EGRESS_PROG, ifname);
	err = pin_egress(link_fd, dir, FILTER_PIN_EGRESS, ifname);
	close(link_fd); /* the pin holds it now, or it detaches here */
	return err;
}

/* The id of a pinned program, or 0. */
static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Is f's egress program the one in the interface's clsact filter? */
static bool clsact_ours(const struct px_filter *f)
{
	__u32 id = prog_id_of(f->egress_prog_fd);

	return id && f->ifindex && tc_clsact_prog(f->ifindex, TC_EGRESS) == id;
}

void filter_egress_detach(struct px_filter *f)
{
	if (f->egress_fd >= 0)
		bpf_link_detach(f->egress_fd); /* gone already: nothing to do */
	else if (clsact_ours(f))
		tc_detach_clsact(f->ifname, f->ifindex, TC_EGRESS);
}

/* Entries in the table, and those still active by pol's idle times. */
static void flows_fill(int fd, const struct px_policy *pol, __u64 *fill,
		       __u64 *active)
{
	struct px_flow_key k, next;
	struct timespec ts;
	void *prev = NULL;
	__u64 now, seen;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	*fill = *active = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		(*fill)++;
		if (!bpf_map_lookup_elem(fd, &k, &seen) &&
		    (__s64)(now - seen) <=
			    (__s64)pol->reply_idle_ns[k.proto & 1])
			(*active)++;
	}
}

int filter_replies_info(const struct px_filter *f, const struct px_policy *pol,
			struct filter_replies *r)
{
	__u32 ifindex = 0;

	memset(r, 0, sizeof(*r));
	r->hook = "none";
	if (f->flows_fd < 0)
		return -ENOENT;
	r->size = filter_map_size(f->flows_fd);
	if (f->egress_fd >= 0 &&
	    !egress_link_info(f->egress_fd, &r->egress_prog_id, &ifindex) &&
	    ifindex)
		r->hook = "tcx";
	else if (clsact_ours(f))
		r->hook = "clsact";
	flows_fill(f->flows_fd, pol, &r->fill, &r->active);
	return 0;
}

/* Does f's egress program run on its interface? */
static bool egress_runs(const struct px_filter *f)
{
	__u32 prog_id = 0, ifindex = 0;

	if (f->egress_fd >= 0)
		return !egress_link_info(f->egress_fd, &prog_id, &ifindex) &&
		       ifindex;
	return clsact_ours(f);
}

int filter_replies_fit(struct px_filter *f, const struct px_policy *pol)
{
	__u32 size = filter_map_size(f->flows_fd);
	char ifname[IF_NAMESIZE];
	int err;

	if (!(pol->flags & PX_F_REPLIES) ||
	    (egress_runs(f) && size == pol->reply_size))
		return 0;
	px_debug("%s: reloading for replies: egress %s, a flow table of %u "
		 "for %u",
		 f->ifname, egress_runs(f) ? "runs" : "missing", size,
		 pol->reply_size);
	err = filter_reload(f->ifname, pol);
	if (err) {
		px_error("cannot give the filter on %s the egress program and "
			 "a flow table of %u that 'option replies on' needs "
			 "(%s): nothing changed",
			 f->ifname, pol->reply_size, strerror(-err));
		return err;
	}
	/* its program and table changed: open it again */
	snprintf(ifname, sizeof(ifname), "%s", f->ifname);
	filter_close(f);
	return filter_open(ifname, f, 0);
}
