/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Open and load the embedded XDP program the one right way: the counter
 * map and the ban table must be sized for every possible CPU, and the
 * flow table for the policy, before load (see px_counters and
 * PX_BANS_SIZE in include/portxdp.h). Header-only so that the BPF_PROG_TEST_RUN
 * tests and benchmarks, which do not link user/, load exactly what attach
 * loads.
 */
#ifndef PX_SKEL_H
#define PX_SKEL_H

#include <errno.h>

#include <bpf/libbpf.h>

#include "portxdp.h"
#include "portxdp.skel.h"

/*
 * flows: the size of the flow table (option replies, doc/design.md section
 * 9), fixed at load; reuse, when not NULL: called with ctx between open
 * and load, to hand the new object maps that exist already
 * (bpf_map__reuse_fd), 0 or -errno. NULL with errno set on failure.
 */
static inline struct portxdp_bpf *
px_skel_load_flows(__u32 flows, int (*reuse)(struct portxdp_bpf *, void *),
		   void *ctx)
{
	struct portxdp_bpf *skel;
	int ncpus = libbpf_num_possible_cpus(), err;

	if (ncpus <= 0) {
		errno = ncpus ? -ncpus : EINVAL;
		return NULL;
	}
	skel = portxdp_bpf__open();
	if (!skel)
		return NULL;
	err = bpf_map__set_max_entries(skel->maps.px_counters,
				       PX_CTR_ENTRIES(ncpus));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.px_flows, flows);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.px_bans,
					       PX_BANS_SIZE(ncpus));
	if (!err && reuse)
		err = reuse(skel, ctx);
	if (!err)
		err = portxdp_bpf__load(skel);
	if (err) {
		portxdp_bpf__destroy(skel);
		errno = err < 0 ? -err : EINVAL;
		return NULL;
	}
	return skel;
}

static inline struct portxdp_bpf *px_skel_load(void)
{
	return px_skel_load_flows(PX_REPLY_SIZE_DEFAULT, NULL, NULL);
}

#endif
