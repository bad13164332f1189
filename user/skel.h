/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Open and load the embedded XDP program the one right way: the counter
 * map must be sized for every possible CPU, and the flow table for the
 * policy, before load (see px_counters in
 * include/portxdp.h). Header-only so that the BPF_PROG_TEST_RUN tests and
 * benchmarks, which do not link user/, load exactly what attach loads.
 */
#ifndef PX_SKEL_H
#define PX_SKEL_H

#include <errno.h>

#include <bpf/libbpf.h>

#include "portxdp.h"
#include "portxdp.skel.h"

/*
 * flows: the size of the flow table (option replies, doc/design.md section
 * 9), fixed at load; reuse_fd: a flow table of that size to use instead of
 * a new one, or -1. NULL with errno set on failure.
 */
static inline struct portxdp_bpf *px_skel_load_flows(__u32 flows, int reuse_fd)
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
	if (!err && reuse_fd >= 0)
		err = bpf_map__reuse_fd(skel->maps.px_flows, reuse_fd);
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
	return px_skel_load_flows(PX_REPLY_SIZE_DEFAULT, -1);
}

#endif
